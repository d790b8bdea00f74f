"""SCALE-Sim inputs as accelsim files: a topology CSV and a config ``.cfg`` become our YAML.

:func:`scalesim_to_yaml` reads SCALE-Sim's own files as they are (SCALE-Sim 3.0.0's formats,
and the older v2 ones) and returns the text of a workload file and a hardware file that
:func:`~accelsim.io.presets.load_workload` / :func:`~accelsim.io.presets.load_hardware` accept.
Everything here is a pure function of the two files' text; nothing is written. What SCALE-Sim
3.0.0 does with each input is as read from its source (``scalesim/scale_config.py``,
``scalesim/topology_utils.py``).

Topology, conv form (one layer a row; every row ends with a comma, and SCALE-Sim ignores what
follows the last comma, often a ``#dw`` note)::

    Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides, [N:M,]

A row becomes ``{name, M: Num Filter, C: Channels, R: Filter Height, S: Filter Width, U:
Strides, H, W}`` (older files may give two strides, height and width; they must be equal).
SCALE-Sim's IFMAP sizes are *unpadded*: it computes the ofmap height as
``E = ceil((IFMAP Height − R) / U) + 1`` and treats the rows the last windows read beyond the
ifmap as padding. Our ``H`` is the padded height with ``E = (H − R)/U + 1``, so
``H = (E − 1)·U + R``: the IFMAP height plus ``(−(IFMAP Height − R)) mod U`` zero rows at the
bottom (the same for ``W``); ``E``, ``F`` and the MACs equal SCALE-Sim's. The optional ``N:M``
sparsity column is checked and noted: SCALE-Sim runs the layer dense unless sparsity support
is on, which is refused. A layer whose name contains ``DP`` is SCALE-Sim's depthwise hack: it
becomes ``Channels`` one-channel layers ``<name>Channel_<i>`` of ``Num Filter`` filters each,
as SCALE-Sim splits it. Rejected, naming the line: a non-integer or non-positive value, a
filter larger than the ifmap, different row and column strides, a malformed ``N:M``.

Topology, GEMM form (``Layer name, M, N, K, [N:M,]``; SCALE-Sim's ``-i gemm``): as SCALE-Sim
does, an ``M × K`` by ``K × N`` product becomes a conv with ``H = M``, ``W = S = K``,
``R = C = 1``, ``N`` filters (``E = M`` output pixels, ``K`` reduction).

Config: every key of SCALE-Sim 3.0.0's format is accepted (:data:`_KEYS`: ``[general]``,
``[architecture_presets]`` with the offsets and request buffers, ``[layout]``, ``[sparsity]``,
``[run_presets]``, ``[network_presets]``), each value checked as SCALE-Sim reads it; the keys
without an accelsim meaning are listed in the hardware file as ignored. Refused, by name, are
only the values accelsim cannot model: ``IfmapCustomLayout`` / ``FilterCustomLayout`` True
(SRAM bank conflicts of a custom layout), ``SparsitySupport`` true (compressed N:M-sparse
filters) and ``UseRamulatorTrace`` True (per-request DRAM latencies). The hardware file gets:

* ``pe_array`` = ArrayHeight × ArrayWidth, ``noc.kind: systolic``, ``dataflow: sys-<df>``;
* ``word_bits: 8`` (SCALE-Sim's words are one byte) and ``glb_bytes`` = the three SRAMs as
  dedicated ifmap / filter / psum GLB space, ``kB × 1024`` bytes each (SCALE-Sim uses half of
  each double-buffered SRAM for the working set; accelsim checks one tile against the whole
  buffer and prefetches the next one on top);
* one RF word per PE and data type (the systolic registers);
* ``dram_words_per_cycle``: CALC mode (``InterfaceBandwidth: CALC``, SCALE-Sim then never
  stalls on DRAM and reports the bandwidth it would need): ``unlimited`` (``math.inf``), so a
  run never stalls on DRAM either; USER mode: SCALE-Sim gives each of its three SRAMs its own
  DRAM interface, accelsim has one channel, which gets their sum, ``3 × Bandwidth`` (the first
  value of a per-bank list, as SCALE-Sim uses);
* ``glb_words_per_cycle = 2·(rows + cols)``, one word per cycle per edge link and PE-to-PE
  link, the psum buses as wide as the array, so that the SRAMs keep up with the array as
  SCALE-Sim's do; clock 1 GHz (SCALE-Sim reports cycles only); energy table ``isca16``.

Unknown sections or keys, missing required keys, malformed values and refused values raise
:class:`~accelsim.errors.SpecError` whose field names the section and key
(``run_presets.UseRamulatorTrace``) and whose one-line message names the file and the
constraint (the CLI prints it and exits with code 2).
"""

from __future__ import annotations

import configparser
import csv
import io
import json
import math
import re
import textwrap
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..errors import SpecError
from ..spec.layer import ConvLayer, Workload
from .yamlfile import read_text

#: SCALE-Sim dataflow → accelsim dataflow
DATAFLOWS = {"os": "sys-os", "ws": "sys-ws", "is": "sys-is"}

_CONV_COLUMNS = ("layer name", "ifmap height", "ifmap width", "filter height", "filter width", "channels",
                 "num filter")
_GEMM_COLUMNS = ("layer name", "m", "n", "k")



class BandwidthMode(str, Enum):
    """SCALE-Sim's ``[run_presets] InterfaceBandwidth``."""

    #: SCALE-Sim estimates the DRAM bandwidth it needs; reads never stall
    CALC = "CALC"
    #: DRAM interfaces of the configured widths; transfers can stall the array
    USER = "USER"


@dataclass(frozen=True, slots=True)
class ScaleSimConfig:
    """The parts of a SCALE-Sim config that map to accelsim (sizes in kB of 1024 bytes).

    Attributes
    ----------
    run_name : str
    rows, cols : int
        ArrayHeight, ArrayWidth (PEs).
    ifmap_kb, filter_kb, ofmap_kb : int
        SRAM sizes, kB (1024 one-byte words).
    dataflow : str
        ``os``, ``ws`` or ``is``.
    mode : BandwidthMode
        ``InterfaceBandwidth``.
    bandwidth : int or None
        Words per cycle of one DRAM interface (USER mode: the first value of ``Bandwidth``),
        ``None`` in CALC mode.
    ignored : tuple of str
        ``section.Key`` of the keys read but without an accelsim meaning (listed in the hardware
        file).
    """

    run_name: str
    rows: int
    cols: int
    ifmap_kb: int
    filter_kb: int
    ofmap_kb: int
    dataflow: str
    bandwidth: int | None
    mode: BandwidthMode
    ignored: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.bandwidth is None) != (self.mode is BandwidthMode.CALC):
            raise SpecError(f"USER mode needs a bandwidth and CALC mode has none, got {self.mode.value} with "
                            f"{self.bandwidth!r}", field="run_presets.InterfaceBandwidth")


@dataclass(frozen=True, slots=True)
class ImportedLayer:
    """One topology row as an accelsim layer, with what the import changed."""

    layer: ConvLayer
    note: str = ""


class _Kind(Enum):
    """How a config value is checked."""

    POSITIVE = "an integer >= 1"
    NATURAL = "an integer >= 0"
    BOOL = "True or False"
    TEXT = "any text"
    INT_LIST = "integers >= 1 separated by commas"


#: Every key of SCALE-Sim 3.0.0's config format (scalesim/scale_config.py, read_conf_file), and
#: the older v2 keys, per section (lower case, as configparser stores them): (spelling, kind,
#: what accelsim does with it). Keys marked "ignored" are checked and listed in the hardware file.
_KEYS: dict[str, dict[str, tuple[str, _Kind, str]]] = {
    "general": {"run_name": ("run_name", _Kind.TEXT, "hardware name")},
    "architecture_presets": {
        "arrayheight": ("ArrayHeight", _Kind.POSITIVE, "pe_array rows"),
        "arraywidth": ("ArrayWidth", _Kind.POSITIVE, "pe_array cols"),
        "ifmapsramszkb": ("IfmapSramSzkB", _Kind.POSITIVE, "glb_bytes.ifmap"),
        "filtersramszkb": ("FilterSramSzkB", _Kind.POSITIVE, "glb_bytes.filter"),
        "ofmapsramszkb": ("OfmapSramSzkB", _Kind.POSITIVE, "glb_bytes.psum"),
        "dataflow": ("Dataflow", _Kind.TEXT, "dataflow"),
        "bandwidth": ("Bandwidth", _Kind.INT_LIST, "dram_words_per_cycle (USER)"),
        "ifmapoffset": ("IfmapOffset", _Kind.NATURAL, "ignored: trace addresses only"),
        "filteroffset": ("FilterOffset", _Kind.NATURAL, "ignored: trace addresses only"),
        "ofmapoffset": ("OfmapOffset", _Kind.NATURAL, "ignored: trace addresses only"),
        "readrequestbuffer": ("ReadRequestBuffer", _Kind.POSITIVE, "ignored: used with Ramulator traces only"),
        "writerequestbuffer": ("WriteRequestBuffer", _Kind.POSITIVE, "ignored: used with Ramulator traces only"),
        # SCALE-Sim v2 keys that 3.0.0 no longer reads
        "memorybanks": ("MemoryBanks", _Kind.POSITIVE, "ignored: not read by SCALE-Sim 3.0.0"),
        "onchipmemorybanks": ("OnChipMemoryBanks", _Kind.POSITIVE, "ignored: not read by SCALE-Sim 3.0.0"),
        "onchipmemorybankports": ("OnChipMemoryBankPorts", _Kind.POSITIVE, "ignored: not read by SCALE-Sim 3.0.0"),
    },
    "layout": {
        "ifmapcustomlayout": ("IfmapCustomLayout", _Kind.BOOL, "must be False"),
        "filtercustomlayout": ("FilterCustomLayout", _Kind.BOOL, "must be False"),
        "ifmapsrambankbandwidth": ("IfmapSRAMBankBandwidth", _Kind.POSITIVE, "ignored: SRAM banking"),
        "ifmapsrambanknum": ("IfmapSRAMBankNum", _Kind.POSITIVE, "ignored: SRAM banking"),
        "ifmapsrambankport": ("IfmapSRAMBankPort", _Kind.POSITIVE, "ignored: SRAM banking"),
        "filtersrambankbandwidth": ("FilterSRAMBankBandwidth", _Kind.POSITIVE, "ignored: SRAM banking"),
        "filtersrambanknum": ("FilterSRAMBankNum", _Kind.POSITIVE, "ignored: SRAM banking"),
        "filtersrambankport": ("FilterSRAMBankPort", _Kind.POSITIVE, "ignored: SRAM banking"),
    },
    "sparsity": {
        "sparsitysupport": ("SparsitySupport", _Kind.BOOL, "must be false"),
        "sparserep": ("SparseRep", _Kind.TEXT, "ignored: sparsity is off"),
        "optimizedmapping": ("OptimizedMapping", _Kind.TEXT, "ignored: sparsity is off"),
        "blocksize": ("BlockSize", _Kind.TEXT, "ignored: sparsity is off"),
        "randomnumbergeneratorseed": ("RandomNumberGeneratorSeed", _Kind.TEXT, "ignored: sparsity is off"),
        "nonzeroelems": ("NonZeroElems", _Kind.TEXT, "ignored: sparsity is off"),
    },
    "run_presets": {
        "interfacebandwidth": ("InterfaceBandwidth", _Kind.TEXT, "dram_words_per_cycle"),
        "useramulatortrace": ("UseRamulatorTrace", _Kind.BOOL, "must be False"),
        "timelinearmodel": ("TimeLinearModel", _Kind.TEXT, "ignored: a post-hoc time model of later SCALE-Sim"),
        # SCALE-Sim v2 keys that 3.0.0 no longer reads
        **{key: (key, _Kind.TEXT, "ignored: not read by SCALE-Sim 3.0.0")
           for key in ("sram_row_size", "sram_bank_size", "dram_row_size", "dram_bank_size", "usesparsity",
                       "userampulator", "usememorylayout")},
    },
    "network_presets": {
        "topologycsvloc": ("TopologyCsvLoc", _Kind.TEXT, "ignored: the topology is the command's first file"),
        "layoutcsvloc": ("LayoutCsvLoc", _Kind.TEXT, "ignored: custom layouts are off"),
    },
}
#: older SCALE-Sim v2 configs keep the [layout] keys in [architecture_presets]
_KEYS["architecture_presets"].update(_KEYS["layout"])
#: values refused, with why: (section key, the value's reason)
_REFUSED = {
    "ifmapcustomlayout": ("IfmapCustomLayout True turns on SCALE-Sim's SRAM bank-conflict model for a custom "
                          "data layout, which accelsim does not model (its GLB serves any word order); set it "
                          "to False"),
    "filtercustomlayout": ("FilterCustomLayout True turns on SCALE-Sim's SRAM bank-conflict model for a custom "
                           "data layout, which accelsim does not model (its GLB serves any word order); set it "
                           "to False"),
    "sparsitysupport": ("SparsitySupport true runs N:M-sparse filters in a compressed format, which accelsim "
                        "does not model (its operands are dense); set it to false"),
    "useramulatortrace": ("UseRamulatorTrace True takes per-request DRAM latencies from a separate Ramulator "
                          "run, which accelsim does not model (its DRAM is one channel of a fixed width); set "
                          "it to False"),
}
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


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


def _check(kind: _Kind, value: str, field: str, origin: str) -> int | bool | str | tuple[int, ...]:
    """``value`` read as ``kind``; ``SpecError`` naming ``field`` and ``origin`` when malformed."""
    text = value.strip()
    if kind is _Kind.POSITIVE:
        return _positive(text, field, origin)
    if kind is _Kind.NATURAL:
        if not re.fullmatch(r"\d+", text):
            raise SpecError(f"must be an integer >= 0, got {text!r} (in {origin})", field=field)
        return int(text)
    if kind is _Kind.BOOL:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise SpecError(f"must be True or False, got {text!r} (in {origin})", field=field)
    if kind is _Kind.INT_LIST:
        return tuple(_positive(part, field, origin) for part in text.split(","))
    return text


def parse_config(text: str, origin: str = "<config>") -> ScaleSimConfig:
    """Read a SCALE-Sim config (``.cfg``, INI syntax; SCALE-Sim 3.0.0's format or an older one).

    Every key of SCALE-Sim 3.0.0's format is accepted (:data:`_KEYS`); values accelsim cannot
    model are refused by name: custom layouts (``[layout] IfmapCustomLayout`` /
    ``FilterCustomLayout`` True), ``[sparsity] SparsitySupport`` true and ``[run_presets]
    UseRamulatorTrace`` True.

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
        dataflow or bandwidth mode, or a refused value; ``field`` is ``<section>.<Key>`` and the
        message (one line) names the file and the constraint.
    """
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#", ";"))
    try:
        parser.read_string(text, source=origin)
    except configparser.Error as exc:
        detail = " ".join(str(exc.message if hasattr(exc, "message") else exc).split())  # one line
        raise SpecError(f"malformed SCALE-Sim config {origin}: {detail}") from None
    values: dict[str, dict[str, object]] = {}
    ignored = []
    for section in parser.sections():
        if section not in _KEYS:
            raise SpecError(f"unknown section [{section}] in {origin}; SCALE-Sim sections: "
                            f"{', '.join(sorted(_KEYS))}", field=section)
        known = _KEYS[section]
        values[section] = {}
        for key, raw in parser.items(section):
            if key not in known:
                names = ", ".join(spelling for spelling, _, _ in dict.fromkeys(known.values()))
                raise SpecError(f"unknown key {key!r} in [{section}] of {origin}; SCALE-Sim 3.0.0 keys here: {names}",
                                field=f"{section}.{key}")
            spelling, kind, use = known[key]
            field = f"{section}.{spelling}"
            value = _check(kind, raw, field, origin)
            if key in _REFUSED and value is True:
                raise SpecError(f"{_REFUSED[key]} (in {origin})", field=field)
            if not use.startswith("ignored"):
                values[section][key] = value
            else:
                ignored.append(field)
    if "architecture_presets" not in values:
        raise SpecError(f"missing section [architecture_presets] in {origin}", field="architecture_presets")
    arch = values["architecture_presets"]
    for key in ("arrayheight", "arraywidth", "ifmapsramszkb", "filtersramszkb", "ofmapsramszkb", "dataflow"):
        if key not in arch:
            name = _KEYS["architecture_presets"][key][0]
            raise SpecError(f"missing key {name} in [architecture_presets] of {origin}",
                            field=f"architecture_presets.{name}")
    run_name = str(values.get("general", {}).get("run_name", "")) or Path(origin).stem or "scalesim"
    dataflow = str(arch["dataflow"]).lower()
    if dataflow not in DATAFLOWS:
        raise SpecError(f"must be one of os, ws, is, got {arch['dataflow']!r} (in {origin})",
                        field="architecture_presets.Dataflow")
    mode_text = str(values.get("run_presets", {}).get("interfacebandwidth", "")).upper()
    if mode_text not in ("", "USER", "CALC"):
        raise SpecError(f"must be USER or CALC, got {values['run_presets']['interfacebandwidth']!r} (in {origin})",
                        field="run_presets.InterfaceBandwidth")
    # no InterfaceBandwidth (SCALE-Sim v1 configs): USER when a Bandwidth is given
    mode = BandwidthMode(mode_text or ("USER" if "bandwidth" in arch else "CALC"))
    bandwidth = None
    if mode is BandwidthMode.USER:
        if "bandwidth" not in arch:
            raise SpecError(f"InterfaceBandwidth USER needs Bandwidth in [architecture_presets] (in {origin})",
                            field="architecture_presets.Bandwidth")
        bandwidth = arch["bandwidth"][0]  # SCALE-Sim uses the first value for every interface
    elif "bandwidth" in arch:
        ignored.append("architecture_presets.Bandwidth (CALC)")
    return ScaleSimConfig(run_name=run_name, rows=arch["arrayheight"], cols=arch["arraywidth"],
                          ifmap_kb=arch["ifmapsramszkb"], filter_kb=arch["filtersramszkb"],
                          ofmap_kb=arch["ofmapsramszkb"], dataflow=dataflow, bandwidth=bandwidth, mode=mode,
                          ignored=tuple(ignored))


def dram_words_per_cycle(cfg: ScaleSimConfig) -> float:
    """accelsim's one DRAM channel (words per cycle): USER mode, the sum of SCALE-Sim's three
    interfaces (``3 × Bandwidth``); CALC mode, ``math.inf`` (unlimited: SCALE-Sim never stalls
    on DRAM then)."""
    if cfg.mode is BandwidthMode.CALC:
        return math.inf
    return 3 * cfg.bandwidth


def hardware_yaml(cfg: ScaleSimConfig, origin: str = "<config>") -> str:
    """The accelsim hardware file (text) for a SCALE-Sim config."""
    rows, cols = cfg.rows, cfg.cols
    if cfg.mode is BandwidthMode.CALC:
        dram = "dram_words_per_cycle: unlimited   # CALC: SCALE-Sim never stalls on DRAM"
        bw = "CALC (reads never stall) -> an unlimited DRAM link"
    else:
        dram = f"dram_words_per_cycle: {dram_words_per_cycle(cfg)}   # USER: 3 interfaces x Bandwidth {cfg.bandwidth}"
        bw = f"USER, Bandwidth {cfg.bandwidth} -> one channel carrying its three interfaces' sum"
    lines = [
        f"# Imported from the SCALE-Sim config {Path(origin).name} by accelsim import scalesim.",
        f"# Dataflow {cfg.dataflow} -> {DATAFLOWS[cfg.dataflow]} (the default of every run on this file).",
        "# SRAMs -> dedicated GLB space per data type, sizes as given (kB x 1024, one-byte words).",
        f"# DRAM: SCALE-Sim {bw}.",
        "# GLB bandwidth and NoC widths: one word per edge link per cycle, as SCALE-Sim's array.",
    ]
    if cfg.ignored:
        text = f"Ignored (no accelsim meaning): {', '.join(cfg.ignored)}."
        lines += [f"# {part}" for part in textwrap.wrap(text, 98, subsequent_indent="  ")]
    lines += [
        "version: 1",
        f"name: {_scalar(cfg.run_name)}",
        f"source: {_scalar(f'SCALE-Sim config {Path(origin).name} ({rows}x{cols} {cfg.dataflow} {cfg.mode.value})')}",
        f"pe_array: {{rows: {rows}, cols: {cols}}}",
        "rf_words: {ifmap: 1, filter: 1, psum: 1, shared: 0}   # the systolic registers of one PE",
        (f"glb_bytes: {{ifmap: {cfg.ifmap_kb * 1024}, filter: {cfg.filter_kb * 1024}, "
         f"psum: {cfg.ofmap_kb * 1024}, shared: 0}}   # Ifmap/Filter/OfmapSramSzkB"),
        "word_bits: 8",
        "clock_hz: 1.0e9",
        dram,
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


def _sparsity(cell: str, field: str, where: str) -> tuple[int, int]:
    """An ``N:M`` sparsity cell as ``(N, M)``, ``1 <= N <= M``."""
    parts = cell.split(":")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise SpecError(f"N:M sparsity must be two integers such as 2:4, got {cell!r} ({where})", field=field)
    n, m = (int(p) for p in parts)
    if not 1 <= n <= m:
        raise SpecError(f"N:M sparsity needs 1 <= N <= M, got {cell!r} ({where})", field=field)
    return n, m


def parse_topology(text: str, origin: str = "<topology>") -> list[ImportedLayer]:
    """Read a SCALE-Sim topology CSV (conv or GEMM form) into layers (``N = 1``).

    A row may end with SCALE-Sim 3.0.0's optional ``N:M`` sparsity column; SCALE-Sim runs the
    layer dense unless ``[sparsity] SparsitySupport`` is on (which :func:`parse_config`
    refuses), and so does accelsim (the value is checked and noted). A conv row whose name
    contains ``DP`` becomes ``Channels`` one-channel layers ``<name>Channel_<i>`` of ``Num
    Filter`` filters each, as SCALE-Sim's ``topology_utils`` splits it.

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
    if tuple(header[:7]) == _CONV_COLUMNS and len(header) in (8, 9, 10):
        gemm = False
    elif tuple(header[:4]) == _GEMM_COLUMNS and len(header) in (4, 5):
        gemm = True
    else:
        raise SpecError(f"unrecognised SCALE-Sim topology header in {origin}: expected 'Layer name, IFMAP Height, "
                        "IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides, [Sparsity,]' "
                        "(conv) or 'Layer name, M, N, K, [Sparsity,]' (GEMM)", field="header")
    columns = ["Layer name", "M", "N", "K"] if gemm else [
        "Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width", "Channels", "Num Filter",
        "Strides", "Stride Width"]
    rows: list[tuple[str, dict[str, int], str]] = []
    for lineno, line in lines[1:]:
        cells = _cells(line)
        # SCALE-Sim drops whatever follows the last comma (empty, or a note such as "#dw")
        while cells and (cells[-1] == "" or cells[-1].startswith("#")):
            cells.pop()
        name = cells[0] if cells and cells[0] else f"layer{len(rows) + 1}"
        where = f"layer {name!r} in {origin}"
        notes = []
        if len(cells) > 1 and ":" in cells[-1]:
            n_nz, m_blk = _sparsity(cells.pop(), f"line {lineno}, Sparsity", where)
            if n_nz != m_blk:
                notes.append(f"{n_nz}:{m_blk} sparsity run dense (SparsitySupport off, as SCALE-Sim does)")
        # a conv row gives one stride (used for both axes, as SCALE-Sim does) or, in older files, two
        wanted = (4,) if gemm else (8, 9)
        if len(cells) not in wanted:
            if len(cells) < wanted[0]:
                raise SpecError(f"missing column {columns[len(cells)]!r} ({where})",
                                field=f"line {lineno}, {columns[len(cells)]}")
            raise SpecError(f"{len(cells)} columns, a {'GEMM' if gemm else 'conv'} row has "
                            f"{' or '.join(map(str, wanted))} and an optional N:M sparsity ({where})",
                            field=f"line {lineno}")
        nums = [_positive(v, f"line {lineno}, {col}", where) for v, col in zip(cells[1:], columns[1:])]
        if gemm:
            m, n, k = nums
            notes.insert(0, f"GEMM M={m} N={n} K={k}")
            rows.append((name, {"M": n, "C": 1, "H": m, "W": k, "R": 1, "S": k, "U": 1}, "; ".join(notes)))
            continue
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
        if (hp, wp) != (h, w):
            notes.insert(0, f"IFMAP {h}x{w} + {hp - h}x{wp - w} zero padding at the bottom/right (E={e}, F={f})")
        shape = {"M": m, "C": c, "H": hp, "W": wp, "R": r, "S": s, "U": u}
        if "DP" in name:  # SCALE-Sim's depthwise hack: one one-channel layer per channel
            for channel in range(c):
                split = f"DP: channel {channel} of {c}, as SCALE-Sim splits it"
                rows.append((f"{name}Channel_{channel}", shape | {"C": 1}, "; ".join([*notes, split])))
        else:
            rows.append((name, shape, "; ".join(notes)))
    out: list[ImportedLayer] = []
    seen: dict[str, int] = {}
    for name, shape, note in rows:
        unique = name
        if name in seen:
            seen[name] += 1
            unique = f"{name}_{seen[name]}"
            note = "; ".join(filter(None, [note, f"renamed from repeated {name!r}"]))
        seen.setdefault(unique, 1)
        try:
            out.append(ImportedLayer(ConvLayer(name=unique, N=1, **shape), note))
        except SpecError as exc:
            raise SpecError(f"{exc.message} (layer {name!r} in {origin})", field=f"layer {name!r}") from None
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
