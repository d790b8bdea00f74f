"""SCALE-Sim inputs as accelsim files: a topology CSV and a config ``.cfg`` become our YAML.

:func:`scalesim_to_yaml` reads a SCALE-Sim v2 topology (conv or GEMM form) and a config and
returns the text of a workload file and a hardware file that
:func:`~accelsim.io.presets.load_workload` / :func:`~accelsim.io.presets.load_hardware` accept.
Everything here is a pure function of the two files' text; nothing is written.

Topology, conv form (one layer a row; every row ends with a comma, and SCALE-Sim ignores what
follows the last comma, often a ``#dw`` note)::

    Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,

(a row may give two strides, height and width, as SCALE-Sim allows). A row becomes
``{name, M: Num Filter, C: Channels, R: Filter Height, S: Filter Width, U: Strides, H, W}``.
SCALE-Sim's IFMAP sizes are *unpadded*: it computes the ofmap height as
``E = ceil((IFMAP Height − R) / U) + 1`` and treats the rows the last windows read beyond the
ifmap as padding (no SRAM read). Our ``H`` is the padded height with ``E = (H − R)/U + 1``, so
``H = (E − 1)·U + R``: the IFMAP height plus ``(−(IFMAP Height − R)) mod U`` zero rows at the
bottom (the same for ``W``); ``E``, ``F`` and the MACs equal SCALE-Sim's. A layer whose name
contains ``DP`` is depthwise in SCALE-Sim (it runs ``Channels`` one-channel layers of
``Num Filter`` filters each); here it is one grouped layer, ``G = C = Channels``,
``M = Channels·Num Filter`` (same MACs). Rejected, naming the line: a non-integer or
non-positive value, a filter larger than the ifmap, different row and column strides.

Topology, GEMM form (``Layer name, M, N, K,``; SCALE-Sim's ``-i gemm``): as SCALE-Sim does, an
``M × K`` by ``K × N`` product becomes a conv with ``H = M``, ``W = S = K``, ``R = C = 1``, ``N``
filters (``E = M`` output pixels, ``K`` reduction).

Config: ``[general] run_name``; ``[architecture_presets] ArrayHeight, ArrayWidth,
IfmapSramSzkB, FilterSramSzkB, OfmapSramSzkB, Dataflow (os | ws | is), Bandwidth`` and the
address offsets (ignored: they only place traces); ``[run_presets] InterfaceBandwidth (USER |
CALC)``. The hardware file gets:

* ``pe_array`` = ArrayHeight × ArrayWidth, ``noc.kind: systolic``, ``dataflow: sys-<df>``;
* ``word_bits: 8`` (SCALE-Sim's words are one byte) and ``glb_bytes`` = the three SRAMs as
  dedicated ifmap / filter / psum GLB space, ``kB × 1024`` bytes each (SCALE-Sim uses half of
  each double-buffered SRAM for the working set; accelsim checks one tile against the whole
  buffer and prefetches the next one on top);
* one RF word per PE and data type (the systolic registers);
* ``dram_words_per_cycle``: SCALE-Sim gives each of its three SRAMs its own DRAM interface;
  accelsim has one channel, which gets their sum — USER: ``3 × Bandwidth`` (the first value
  of a per-bank list, as SCALE-Sim uses); CALC (SCALE-Sim then never stalls and reports the
  bandwidth it needed): its CALC interfaces, ``10 + 10 + ArrayWidth``;
* ``glb_words_per_cycle = 2·(rows + cols)``, one word per cycle per edge link and PE-to-PE
  link, the psum buses as wide as the array, so that the SRAMs keep up with the array as
  SCALE-Sim's do; clock 1 GHz (SCALE-Sim reports cycles only); energy
  table ``isca16``.

Unknown sections or keys in ``[general]``, ``[architecture_presets]`` and ``[run_presets]``,
missing required keys and malformed values raise :class:`~accelsim.errors.SpecError` whose
field names the section and key and whose message names the file. ``[network_presets]``,
``[layout]`` and ``[sparsity]`` are read only as far as they matter (sparsity must be off).
"""

from __future__ import annotations

import configparser
import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import SpecError
from ..spec.layer import ConvLayer, Workload
from .yamlfile import read_text

#: SCALE-Sim dataflow → accelsim dataflow
DATAFLOWS = {"os": "sys-os", "ws": "sys-ws", "is": "sys-is"}

_CONV_COLUMNS = ("layer name", "ifmap height", "ifmap width", "filter height", "filter width", "channels",
                 "num filter")
_GEMM_COLUMNS = ("layer name", "m", "n", "k")

#: [architecture_presets] keys read (lower case, as configparser stores them) …
_ARCH_USED = {"arrayheight": "ArrayHeight", "arraywidth": "ArrayWidth", "ifmapsramszkb": "IfmapSramSzkB",
              "filtersramszkb": "FilterSramSzkB", "ofmapsramszkb": "OfmapSramSzkB", "dataflow": "Dataflow",
              "bandwidth": "Bandwidth"}
#: … and keys accepted but without meaning here (trace addresses, SRAM banking and layouts)
_ARCH_IGNORED = {"ifmapoffset", "filteroffset", "ofmapoffset", "memorybanks", "onchipmemorybanks",
                 "onchipmemorybankports", "ifmapcustomlayout", "filtercustomlayout", "ifmapsrambankbandwidth",
                 "ifmapsrambanknum", "filtersrambankbandwidth", "filtersrambanknum", "ifmapsrambankport",
                 "filtersrambankport", "readrequestbuffer", "writerequestbuffer"}
_RUN_KEYS = {"interfacebandwidth", "sram_row_size", "sram_bank_size", "dram_row_size", "dram_bank_size",
             "usesparsity", "userampulator", "usememorylayout"}
_LENIENT_SECTIONS = {"network_presets", "layout", "sparsity"}
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class ScaleSimConfig:
    """The parts of a SCALE-Sim config that map to accelsim (sizes in kB of 1024 bytes).

    Attributes
    ----------
    run_name : str
    rows, cols : int
        ArrayHeight, ArrayWidth.
    ifmap_kb, filter_kb, ofmap_kb : int
        SRAM sizes, kB.
    dataflow : str
        ``os``, ``ws`` or ``is``.
    bandwidth : int or None
        Words per cycle of one DRAM interface (USER mode), ``None`` in CALC mode.
    ignored : tuple of str
        Keys read but without an accelsim meaning (listed in the hardware file).
    """

    run_name: str
    rows: int
    cols: int
    ifmap_kb: int
    filter_kb: int
    ofmap_kb: int
    dataflow: str
    bandwidth: int | None
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportedLayer:
    """One topology row as an accelsim layer, with what the import changed."""

    layer: ConvLayer
    note: str = ""


# ----------------------------------------------------------------------------- config
def _read_text(path: str | Path, what: str) -> str:
    return read_text(path, f"SCALE-Sim {what}")


def _positive(value: str, field: str, origin: str) -> int:
    text = value.strip()
    try:
        number = int(text)
    except ValueError:
        raise SpecError(f"must be an integer, got {text!r} (in {origin})", field=field) from None
    if number < 1:
        raise SpecError(f"must be >= 1, got {number} (in {origin})", field=field)
    return number


def parse_config(text: str, origin: str = "<config>") -> ScaleSimConfig:
    """Read a SCALE-Sim config (``.cfg``, INI syntax).

    Parameters
    ----------
    text : str
        The file's content.
    origin : str
        File name for error messages; its stem is the run name when ``run_name`` is absent.

    Raises
    ------
    SpecError
        Malformed INI, an unknown section or key, a missing or malformed value, an unknown
        dataflow, sparsity switched on; ``field`` is ``<section>.<Key>``.
    """
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#", ";"))
    try:
        parser.read_string(text, source=origin)
    except configparser.Error as exc:
        detail = " ".join(str(exc.message if hasattr(exc, "message") else exc).split())  # one line
        raise SpecError(f"malformed SCALE-Sim config {origin}: {detail}") from None
    known_sections = {"general", "architecture_presets", "run_presets"} | _LENIENT_SECTIONS
    for section in parser.sections():
        if section not in known_sections:
            raise SpecError(f"unknown section [{section}] in {origin}; SCALE-Sim sections: "
                            f"{', '.join(sorted(known_sections))}", field=section)
    if not parser.has_section("architecture_presets"):
        raise SpecError(f"missing section [architecture_presets] in {origin}", field="architecture_presets")
    general = dict(parser.items("general")) if parser.has_section("general") else {}
    for key in general:
        if key != "run_name":
            raise SpecError(f"unknown key {key!r} in [general] of {origin}; allowed: run_name", field=f"general.{key}")
    run_name = general.get("run_name", "").strip() or Path(origin).stem or "scalesim"
    arch = dict(parser.items("architecture_presets"))
    for key in arch:
        if key not in _ARCH_USED and key not in _ARCH_IGNORED:
            raise SpecError(f"unknown key {key!r} in [architecture_presets] of {origin}; accelsim reads "
                            f"{', '.join(_ARCH_USED.values())}", field=f"architecture_presets.{key}")
    values = {}
    for key, name in _ARCH_USED.items():
        if key in ("bandwidth",):
            continue
        if key not in arch:
            raise SpecError(f"missing key {name} in [architecture_presets] of {origin}",
                            field=f"architecture_presets.{name}")
        if key != "dataflow":
            values[key] = _positive(arch[key], f"architecture_presets.{name}", origin)
    dataflow = arch["dataflow"].strip().lower()
    if dataflow not in DATAFLOWS:
        raise SpecError(f"must be one of os, ws, is, got {arch['dataflow'].strip()!r} (in {origin})",
                        field="architecture_presets.Dataflow")
    run = dict(parser.items("run_presets")) if parser.has_section("run_presets") else {}
    for key in run:
        if key not in _RUN_KEYS:
            raise SpecError(f"unknown key {key!r} in [run_presets] of {origin}; accelsim reads InterfaceBandwidth",
                            field=f"run_presets.{key}")
    mode = run.get("interfacebandwidth", "").strip().upper()
    if mode not in ("", "USER", "CALC"):
        raise SpecError(f"must be USER or CALC, got {run['interfacebandwidth'].strip()!r} (in {origin})",
                        field="run_presets.InterfaceBandwidth")
    bandwidth = None
    if mode == "USER" or (mode == "" and "bandwidth" in arch):
        if "bandwidth" not in arch:
            raise SpecError(f"InterfaceBandwidth USER needs Bandwidth in [architecture_presets] (in {origin})",
                            field="architecture_presets.Bandwidth")
        first = arch["bandwidth"].split(",")[0]
        bandwidth = _positive(first, "architecture_presets.Bandwidth", origin)
    if parser.has_section("sparsity"):
        flag = parser.get("sparsity", "sparsitysupport", fallback="false").strip().lower()
        if flag not in ("false", "0", "no", "off"):
            raise SpecError(f"sparse operands are not modelled by accelsim; set SparsitySupport to false (in {origin})",
                            field="sparsity.SparsitySupport")
    ignored = tuple(sorted(k for k in arch if k in _ARCH_IGNORED))
    return ScaleSimConfig(run_name=run_name, rows=values["arrayheight"], cols=values["arraywidth"],
                          ifmap_kb=values["ifmapsramszkb"], filter_kb=values["filtersramszkb"],
                          ofmap_kb=values["ofmapsramszkb"], dataflow=dataflow, bandwidth=bandwidth, ignored=ignored)


def dram_words_per_cycle(cfg: ScaleSimConfig) -> int:
    """accelsim's one DRAM channel: the sum of SCALE-Sim's three interfaces (see module doc)."""
    if cfg.bandwidth is None:
        return 10 + 10 + cfg.cols
    return 3 * cfg.bandwidth


def hardware_yaml(cfg: ScaleSimConfig, origin: str = "<config>") -> str:
    """The accelsim hardware file (text) for a SCALE-Sim config."""
    rows, cols = cfg.rows, cfg.cols
    bw = "CALC" if cfg.bandwidth is None else f"USER, Bandwidth {cfg.bandwidth}"
    lines = [
        f"# Imported from the SCALE-Sim config {Path(origin).name} by accelsim import scalesim.",
        f"# Dataflow {cfg.dataflow} -> {DATAFLOWS[cfg.dataflow]} (the default of every run on this file).",
        "# SRAMs -> dedicated GLB space per data type, sizes as given (kB x 1024, one-byte words).",
        f"# DRAM: SCALE-Sim {bw} -> one channel carrying its three interfaces' sum.",
        "# GLB bandwidth and NoC widths: one word per edge link per cycle, as SCALE-Sim's array.",
    ]
    if cfg.ignored:
        lines.append(f"# Ignored (no accelsim meaning): {', '.join(cfg.ignored)}.")
    lines += [
        "version: 1",
        f"name: {_scalar(cfg.run_name)}",
        f"source: {_scalar(f'SCALE-Sim config {Path(origin).name} ({rows}x{cols} {cfg.dataflow})')}",
        f"pe_array: {{rows: {rows}, cols: {cols}}}",
        "rf_words: {ifmap: 1, filter: 1, psum: 1, shared: 0}   # the systolic registers of one PE",
        (f"glb_bytes: {{ifmap: {cfg.ifmap_kb * 1024}, filter: {cfg.filter_kb * 1024}, "
         f"psum: {cfg.ofmap_kb * 1024}, shared: 0}}   # Ifmap/Filter/OfmapSramSzkB"),
        "word_bits: 8",
        "clock_hz: 1.0e9",
        f"dram_words_per_cycle: {dram_words_per_cycle(cfg)}",
        f"glb_words_per_cycle: {2 * (rows + cols)}",
        "pe_pipeline_depth: 1",
        "noc:",
        "  kind: systolic",
        "  ifmap_words_per_cycle: 1    # per edge link",
        "  filter_words_per_cycle: 1   # per edge link",
        f"  psum_words_per_cycle: {cols}",
        f"  gon_words_per_cycle: {cols}",
        "  local_words_per_cycle: 1    # per PE-to-PE link",
        "energy: {preset: isca16}",
        f"dataflow: {DATAFLOWS[cfg.dataflow]}",
        "allow_psum_spill: true",
        "glb_halo_reuse: false",
    ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- topology
def _norm(header: str) -> str:
    return " ".join(header.strip().lower().replace("_", " ").split())


def _cells(line: str) -> list[str]:
    return [c.strip() for c in next(csv.reader(io.StringIO(line), skipinitialspace=True))]


def _padded(size: int, flt: int, stride: int) -> tuple[int, int]:
    """(our padded extent, SCALE-Sim's output extent) for one axis."""
    out = -(-(size - flt) // stride) + 1
    return (out - 1) * stride + flt, out


def parse_topology(text: str, origin: str = "<topology>") -> list[ImportedLayer]:
    """Read a SCALE-Sim topology CSV (conv or GEMM form) into layers (``N = 1``).

    Raises
    ------
    SpecError
        An unrecognised header, or a row that is malformed or cannot be expressed; ``field``
        names the line and column, the message the layer and the file.
    """
    lines = [(i + 1, ln) for i, ln in enumerate(text.splitlines()) if ln.strip()]
    if not lines:
        raise SpecError(f"the topology {origin} is empty", field="header")
    header = [_norm(c) for c in _cells(lines[0][1])]
    while header and header[-1] == "":
        header.pop()
    if tuple(header[:7]) == _CONV_COLUMNS and len(header) in (8, 9):
        gemm = False
    elif tuple(header) == _GEMM_COLUMNS:
        gemm = True
    else:
        raise SpecError(f"unrecognised SCALE-Sim topology header in {origin}: expected 'Layer name, IFMAP Height, "
                        "IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,' (conv) or "
                        "'Layer name, M, N, K,' (GEMM)", field="header")
    columns = ["Layer name", "M", "N", "K"] if gemm else [
        "Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width", "Channels", "Num Filter",
        *(["Strides", "Stride Width"] if len(header) == 8 else ["Stride Height", "Stride Width"])]
    out: list[ImportedLayer] = []
    seen: dict[str, int] = {}
    for lineno, line in lines[1:]:
        cells = _cells(line)
        # SCALE-Sim drops whatever follows the last comma (empty, or a note such as "#dw")
        while cells and (cells[-1] == "" or cells[-1].startswith("#")):
            cells.pop()
        name = cells[0] if cells and cells[0] else f"layer{len(out) + 1}"
        where = f"layer {name!r} in {origin}"
        # a conv row may give one stride (used for both axes, as SCALE-Sim does) or two
        wanted = (4,) if gemm else (8, 9)
        if len(cells) not in wanted:
            if len(cells) < wanted[0]:
                raise SpecError(f"missing column {columns[len(cells)]!r} ({where})",
                                field=f"line {lineno}, {columns[len(cells)]}")
            raise SpecError(f"{len(cells)} columns, a {'GEMM' if gemm else 'conv'} row has "
                            f"{' or '.join(map(str, wanted))} ({where})", field=f"line {lineno}")
        nums = [_positive(v, f"line {lineno}, {col}", where) for v, col in zip(cells[1:], columns[1:])]
        if gemm:
            m, n, k = nums
            layer = {"M": n, "C": 1, "H": m, "W": k, "R": 1, "S": k, "U": 1, "G": 1}
            note = f"GEMM M={m} N={n} K={k}"
        else:
            h, w, r, s, c, m, *strides = nums
            if len(strides) == 2 and strides[0] != strides[1]:
                raise SpecError(f"row stride {strides[0]} differs from column stride {strides[1]}; accelsim layers "
                                f"have one stride U ({where})", field=f"line {lineno}, Stride Width")
            u = strides[0]
            if r > h:
                raise SpecError(f"Filter Height {r} exceeds IFMAP Height {h} ({where})",
                                field=f"line {lineno}, Filter Height")
            if s > w:
                raise SpecError(f"Filter Width {s} exceeds IFMAP Width {w} ({where})",
                                field=f"line {lineno}, Filter Width")
            hp, e = _padded(h, r, u)
            wp, f = _padded(w, s, u)
            notes = []
            if (hp, wp) != (h, w):
                notes.append(f"IFMAP {h}x{w} + {hp - h}x{wp - w} zero padding at the bottom/right (E={e}, F={f})")
            g = 1
            if "DP" in name:
                g, m = c, c * m
                notes.append(f"depthwise (DP): G=C={c}")
            layer = {"M": m, "C": c, "H": hp, "W": wp, "R": r, "S": s, "U": u, "G": g}
            note = "; ".join(notes)
        unique = name
        if name in seen:
            seen[name] += 1
            unique = f"{name}_{seen[name]}"
            note = "; ".join(filter(None, [note, f"renamed from repeated {name!r}"]))
        seen.setdefault(unique, 1)
        try:
            out.append(ImportedLayer(ConvLayer(name=unique, N=1, **layer), note))
        except SpecError as exc:
            raise SpecError(f"{exc.message} ({where})", field=f"line {lineno}") from None
    if not out:
        raise SpecError(f"the topology {origin} has a header but no layers", field="header")
    return out


def workload_yaml(layers: list[ImportedLayer], name: str, origin: str = "<topology>") -> str:
    """The accelsim workload file (text) for imported layers."""
    Workload(name=name, layers=tuple(item.layer for item in layers))  # names unique, at least one layer
    lines = [
        f"# Imported from the SCALE-Sim topology {Path(origin).name} by accelsim import scalesim.",
        "# H, W are padded: H = (E - 1)*U + R with SCALE-Sim's E = ceil((IFMAP Height - R)/U) + 1.",
        "version: 1",
        f"name: {_scalar(name)}",
        f"source: {_scalar(f'SCALE-Sim topology {Path(origin).name}')}",
        "layers:",
    ]
    for item in layers:
        ly = item.layer
        fields = [f"name: {_scalar(ly.name)}", f"M: {ly.M}", f"C: {ly.C}", f"H: {ly.H}", f"W: {ly.W}",
                  f"R: {ly.R}", f"S: {ly.S}", f"U: {ly.U}"]
        if ly.G != 1:
            fields.append(f"G: {ly.G}")
        comment = f"   # {item.note}" if item.note else ""
        lines.append(f"  - {{{', '.join(fields)}}}{comment}")
    return "\n".join(lines) + "\n"


def _scalar(value: str) -> str:
    if _PLAIN.match(value) and value.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "y", "n"):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML flow scalar


# ----------------------------------------------------------------------------- entry point
def scalesim_to_yaml(topology_csv_path: str | Path, config_path: str | Path) -> tuple[str, str]:
    """Translate a SCALE-Sim run (topology CSV + config) into accelsim files.

    Parameters
    ----------
    topology_csv_path : str or Path
        SCALE-Sim v2 topology, conv (``Layer name, IFMAP Height, …, Strides,``) or GEMM
        (``Layer name, M, N, K,``) form.
    config_path : str or Path
        SCALE-Sim config (``.cfg``).

    Returns
    -------
    (str, str)
        Workload YAML text (name: the topology's file stem) and hardware YAML text (name: the
        config's ``run_name``), in the formats of ``workloads/networks`` and
        ``workloads/hardware``.

    Raises
    ------
    SpecError
        Unreadable files, or anything the module docstring lists as rejected.
    """
    topo_path, cfg_path = Path(topology_csv_path), Path(config_path)
    cfg = parse_config(_read_text(cfg_path, "config"), str(cfg_path))
    layers = parse_topology(_read_text(topo_path, "topology"), str(topo_path))
    return workload_yaml(layers, topo_path.stem or "scalesim", str(topo_path)), hardware_yaml(cfg, str(cfg_path))
