"""Loading workloads, hardware, energy tables and mappings by preset name or file path.

Presets are the YAML files shipped in ``workloads/`` (``networks/``, ``hardware/``,
``energy/``, ``mappings/``); a preset's name is its file stem, matched case-insensitively
and with ``-`` and ``_`` treated alike (``mobilenet-v1`` finds ``mobilenet_v1.yaml``). Anything that
looks like a path (it has a directory separator or a ``.yaml``/``.yml`` suffix, or is a
:class:`~pathlib.Path`) is read as a file.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SpecError
from ..spec.energy import TypedEnergyTable
from ..spec.hardware import EnergyTable, Hardware
from ..spec.layer import ConvLayer, TensorData, Workload
from ..spec.constraints import MappingConstraints
from ..spec.mapping import Mapping
from . import schema
from .tensordata import load_tensor_data
from .yamlfile import read_yaml

#: preset kind → sub-directory of the preset root
KINDS: dict[str, str] = {"workloads": "networks", "hardware": "hardware", "mappings": "mappings", "energy": "energy"}
_SUFFIXES = (".yaml", ".yml")


def preset_root() -> Path:
    """Directory holding the presets.

    The repository's ``workloads/`` when running from a checkout, else the copy the wheel
    ships as ``accelsim/_workloads``.
    """
    checkout = Path(__file__).resolve().parents[2] / "workloads"
    return checkout if checkout.is_dir() else Path(__file__).resolve().parents[1] / "_workloads"


def _kind_dir(kind: str) -> Path:
    if kind not in KINDS:
        raise SpecError(f"unknown preset kind {kind!r}; choose one of {', '.join(KINDS)}")
    return preset_root() / KINDS[kind]


def _key(name: str) -> str:
    return name.lower().replace("-", "_")


def _preset_files(kind: str) -> dict[str, Path]:
    folder = _kind_dir(kind)
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix in _SUFFIXES and p.is_file()}


def list_presets(kind: str) -> list[str]:
    """Names of the presets of one kind.

    Parameters
    ----------
    kind : str
        ``workloads``, ``hardware``, ``mappings`` or ``energy``.

    Returns
    -------
    list of str
        Sorted file stems.
    """
    return sorted(_preset_files(kind))


def _looks_like_path(name_or_path: str | Path) -> bool:
    if isinstance(name_or_path, Path):
        return True
    return "/" in name_or_path or "\\" in name_or_path or name_or_path.lower().endswith(_SUFFIXES)


def resolve(kind: str, name_or_path: str | Path, base: Path | None = None) -> Path:
    """The file a preset name or path refers to.

    Parameters
    ----------
    kind : str
        Preset kind (see :func:`list_presets`).
    name_or_path : str or Path
        A preset name or a file path.
    base : Path, optional
        Directory relative paths are taken from (default: the working directory).

    Raises
    ------
    SpecError
        An unknown preset name (the message lists the available ones) or a missing file.
    """
    if not isinstance(name_or_path, (str, Path)):
        raise SpecError(f"expected a preset name or a path, got {name_or_path!r}")
    if _looks_like_path(name_or_path):
        path = Path(name_or_path).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        if not path.is_file():
            raise SpecError(f"no such file: {path}")
        return path
    files = _preset_files(kind)
    matches = [p for stem, p in files.items() if _key(stem) == _key(name_or_path)]
    if not matches:
        names = ", ".join(files) or "none"
        raise SpecError(f"unknown {kind} preset {name_or_path!r}; available: {names}")
    return matches[0]


def load_workload(name_or_path: str | Path) -> Workload:
    """Load a workload (layers at batch size 1).

    Parameters
    ----------
    name_or_path : str or Path
        A preset name (``alexnet``, ``vgg16``, ``resnet50``, ``mobilenet_v1``) or a YAML file.

    Returns
    -------
    Workload

    Raises
    ------
    SpecError
        Unknown preset, unreadable or malformed file, impossible layer, a bad ``data`` file (read
        relative to the workload file: :func:`~accelsim.io.tensordata.load_tensor_data`);
        ``field`` gives the path.
    """
    path = resolve("workloads", name_or_path)

    def load(relative: str, layer: ConvLayer, kind: str, field: str) -> TensorData:
        return load_tensor_data(path.parent / Path(relative).expanduser(), layer, kind, field, origin=str(path))

    return schema.workload_from_data(read_yaml(path), origin=str(path), load_tensor=load)


def load_energy(name_or_path: str | Path, base: Path | None = None) -> EnergyTable | TypedEnergyTable:
    """Load an energy table (``isca16``, ``65nm-pj`` or a YAML file).

    Parameters
    ----------
    name_or_path : str or Path
        Preset name or file.
    base : Path, optional
        Directory relative file paths are taken from.

    Returns
    -------
    EnergyTable or TypedEnergyTable
        A ``version: 1`` file (one cost per level) gives an :class:`EnergyTable`, a
        ``version: 2`` file (per level, data type and direction, e.g. written by ``accelsim
        import accelergy``) a :class:`~accelsim.spec.energy.TypedEnergyTable`.

    Raises
    ------
    SpecError
        Unknown preset, missing or malformed file; ``field`` gives the offending key's path.
    """
    path = resolve("energy", name_or_path, base)
    return schema.energy_from_data(read_yaml(path), origin=str(path))


def load_hardware(name_or_path: str | Path) -> Hardware:
    """Load an accelerator description.

    Parameters
    ----------
    name_or_path : str or Path
        A preset name (file stem in ``workloads/hardware/``: ``eyeriss``, ``isca16-256-rs`` …)
        or a YAML file. An ``energy: {preset: …}`` path inside the file is taken relative to it.

    Returns
    -------
    Hardware

    Raises
    ------
    SpecError
        Unknown preset, unreadable or malformed file; ``field`` gives the offending key's path.
    """
    path = resolve("hardware", name_or_path)
    return schema.hardware_from_data(read_yaml(path), lambda name: load_energy(name, base=path.parent),
                                     origin=str(path))


def load_mapping(name_or_path: str | Path, workload: Workload, batch: int) -> dict[str, Mapping]:
    """Load the mappings of a workload's layers.

    Parameters
    ----------
    name_or_path : str or Path
        A preset name (file stem in ``workloads/mappings/``; a family name such as
        ``eyeriss-jssc`` selects ``eyeriss_jssc_<workload>``) or a YAML file.
    workload : Workload
        The workload the file maps (its name must match the file's ``workload`` key).
    batch : int
        Batch size of the run; Eyeriss parameters are expanded for it and every mapping must
        cover the layer at this batch.

    Returns
    -------
    dict of str to Mapping
        One entry per layer the file maps (layers it omits are left to the mapper).

    Raises
    ------
    SpecError
        Unknown preset, malformed file, workload or batch mismatch, unknown layer.
    MappingError
        A mapping that is illegal or does not cover its layer.
    """
    if not _looks_like_path(name_or_path) and isinstance(name_or_path, str):
        # a family name ("eyeriss-jssc") picks its file for this workload ("eyeriss_jssc_alexnet")
        stems = {_key(stem) for stem in _preset_files("mappings")}
        specific = f"{name_or_path}_{workload.name}"
        if _key(name_or_path) not in stems and _key(specific) in stems:
            name_or_path = specific
    path = resolve("mappings", name_or_path)
    return schema.mappings_from_data(read_yaml(path), workload, batch, origin=str(path))


def load_constraints(path: str | Path, workload: Workload, batch: int, dataflows) -> dict[str, MappingConstraints]:
    """Load a constraints file (partial mappings, :class:`~accelsim.io.schema.ConstraintsFile`).

    Parameters
    ----------
    path : str or Path
        The YAML file.
    workload : Workload
        The run's workload (whole: ``--layers`` may select fewer layers than the file names).
    batch : int
        The run's batch size.
    dataflows : list of Dataflow
        The run's dataflows; every pin is checked against each.

    Returns
    -------
    dict of str to MappingConstraints
        One entry per constrained layer.

    Raises
    ------
    SpecError
        A missing or malformed file, a mismatch, or a pin no mapping can meet (``field`` its path).
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise SpecError(f"no such file: {path}")
    return schema.constraints_from_data(read_yaml(path), workload, batch, list(dataflows), origin=str(path))
