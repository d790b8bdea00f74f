"""Writing mapping files: the mapper's loop nests as YAML that ``--mapping`` reads back.

The format is ``workloads/mappings/*.yaml``'s (:class:`~accelsim.io.schema.MappingFile`), each
layer in loop-nest form (:meth:`~accelsim.spec.mapping.Mapping.to_dict`): a user can save the
mappings a search found, edit a factor or a loop order by hand, and rerun exactly that nest,
as with Timeloop's mapper and model.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..errors import SpecError
from ..spec.noc_modes import noc_modes as derive_noc_modes

FORMAT_VERSION = 1


def mapping_document(workload: str, dataflow: str, batch: int, mappings: dict, source: str = "",
                     noc_modes: bool = False) -> dict[str, Any]:
    """The mapping-file document of some layers' mappings.

    Parameters
    ----------
    workload : str
        Workload name (the file's ``workload`` key; ``--mapping`` checks it).
    dataflow : str
        Dataflow of every mapping (``rs``, ``osb``, ``sys-ws``, ...).
    batch : int
        Batch size the loop nests cover.
    mappings : dict of str to Mapping
        Layer name → mapping, in layer order.
    source : str
        Where the mappings come from (kept in the file's ``source``).
    noc_modes : bool
        Add each layer's ``noc_modes`` (the NoC mode per data type its loops imply,
        :func:`~accelsim.spec.noc_modes.noc_modes`; for a hierarchical-mesh machine). Reading the
        file back checks them.

    Returns
    -------
    dict
        Plain data in the mapping-file format.
    """
    layers = {}
    for name, mapping in mappings.items():
        entry = mapping.to_dict()
        entry.pop("dataflow", None)  # the file's dataflow applies to every layer
        if noc_modes:
            entry["noc_modes"] = {t.label: m.value for t, m in derive_noc_modes(mapping).items()}
        layers[name] = entry
    return {"version": FORMAT_VERSION, "dataflow": dataflow, "workload": workload, "batch": batch,
            "source": source, "layers": layers}


def _styled(doc: dict[str, Any]) -> CommentedMap:
    """Block style for the document, flow style for each loop (one ``[dim, factor, kind,
    reduction]`` per line) and each residence map, so a nest reads top to bottom."""
    out = CommentedMap((k, v) for k, v in doc.items() if k != "layers")
    layers = CommentedMap()
    for name, entry in doc["layers"].items():
        e = CommentedMap()
        loops = CommentedSeq()
        for loop in entry["loops"]:
            item = CommentedSeq(loop)
            item.fa.set_flow_style()
            loops.append(item)
        e["loops"] = loops
        for key in ("glb", "rf"):
            section = CommentedMap(entry[key])
            section.fa.set_flow_style()
            e[key] = section
        if "noc_modes" in entry:
            modes = CommentedMap(entry["noc_modes"])
            modes.fa.set_flow_style()
            e["noc_modes"] = modes
        if "notes" in entry:
            e["notes"] = entry["notes"]
        layers[name] = e
    out["layers"] = layers
    return out


def dump_mapping_file(doc: dict[str, Any]) -> str:
    """The YAML text of a mapping-file document."""
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 120
    text = StringIO()
    yaml.dump(_styled(doc), text)
    return text.getvalue()


def write_mapping_file(path: str | Path, doc: dict[str, Any]) -> Path:
    """Write a mapping-file document to ``path`` (created or replaced).

    Raises
    ------
    SpecError
        The file cannot be written (the message names the path and the reason).
    """
    path = Path(path)
    try:
        path.write_text(dump_mapping_file(doc), encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot write {path}: {exc.strerror or exc}", field="output") from None
    return path
