"""``--mapping scalesim`` with SCALE-Sim's conventions reproduces SCALE-Sim 3.0.0's numbers.

Every case of issue 14 (AlexNet CONV1–5 with padded H/W, grouped layers entered SCALE-Sim style
as one row of the channels per group and all filters, and a small 14×14×16→32 3×3 layer; os, ws,
is; 12×14, 16×16, 32×32), imported through ``accelsim import scalesim``'s functions from a
SCALE-Sim config and topology, run on the analytic engine with ``--mapping scalesim`` and both
SCALE-Sim flags (``--conventions scalesim``): ``cycles``, ifmap and filter SRAM reads and ofmap
SRAM writes equal SCALE-Sim's. The expected numbers are (a) SCALE-Sim 3.0.0's closed forms,
re-derived here independently of the engine (exact), and (b) when present,
``tests/data/scalesim_reference.json`` (SCALE-Sim's own runs, ``tools/scalesim_reference.py``;
within 1 %). SCALE-Sim itself is not needed.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from accelsim.search.im2col import scalesim_mapping
from accelsim.io.presets import load_hardware, load_workload
from accelsim.io.scalesim import scalesim_to_yaml
from accelsim.layout import READS, WRITES
from accelsim.sim.conventions import with_conventions
from accelsim.sim.evaluate import evaluate
from accelsim.spec.dims import DataType, Level

DATA = Path(__file__).parent / "data" / "scalesim_reference.json"

#: (name, H, W, R, S, C, M, stride): H, W padded; C per group for grouped layers (SCALE-Sim style)
LAYERS = (
    ("CONV1", 227, 227, 11, 11, 3, 96, 4),
    ("CONV2", 31, 31, 5, 5, 48, 256, 1),
    ("CONV3", 15, 15, 3, 3, 256, 384, 1),
    ("CONV4", 15, 15, 3, 3, 192, 384, 1),
    ("CONV5", 15, 15, 3, 3, 192, 256, 1),
    ("SMALL", 14, 14, 3, 3, 16, 32, 1),
)
ARRAYS = ((12, 14), (16, 16), (32, 32))
DATAFLOWS = ("os", "ws", "is")
SRAM_KB = 64  # the reference runs' SRAMs (each of ifmap, filter, ofmap)

CONFIG = """[general]
run_name = parity

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: {kb}
FilterSramSzkB: {kb}
OfmapSramSzkB: {kb}
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Dataflow: {df}
Bandwidth: 10

[run_presets]
InterfaceBandwidth: CALC
"""


def closed_form(layer: tuple, rows: int, cols: int, df: str) -> dict:
    """SCALE-Sim 3.0.0's compute cycles and SRAM counts of one case (CALC: no stalls)."""
    _, h, w, r, s, c, m, u = layer
    npx = math.ceil((h - r + u) / u) * math.ceil((w - s + u) / u)
    k = r * s * c
    sr, sc, t = {"os": (npx, m, k), "ws": (k, m, npx), "is": (k, npx, m)}[df]
    fr, fc = math.ceil(sr / rows), math.ceil(sc / cols)
    folds = fr * fc
    per_fold = t + rows + cols - 2 if df == "os" else 2 * rows + cols + t - 2
    ifm, flt, ofw = {"os": (npx * k * fc, k * m * fr, npx * m + folds * (rows + cols)),
                     "ws": (npx * k * fc, k * m, npx * m * fr),
                     "is": (npx * k, k * m * fc, npx * m * fr)}[df]
    return {"compute_cycles": folds * per_fold - 1, "ifmap_sram_reads": ifm, "filter_sram_reads": flt,
            "ofmap_sram_writes": ofw}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Per (rows, cols, dataflow): the imported workload and hardware (SCALE-Sim conventions on)."""
    root = tmp_path_factory.mktemp("ss")
    topo = root / "topo.csv"
    topo.write_text("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
                    "Strides,\n" + "".join(f"{', '.join(map(str, ly))},\n" for ly in LAYERS))
    out = {}
    for rows, cols in ARRAYS:
        for df in DATAFLOWS:
            cfg = root / f"{rows}x{cols}_{df}.cfg"
            cfg.write_text(CONFIG.format(rows=rows, cols=cols, kb=SRAM_KB, df=df))
            wl_text, hw_text = scalesim_to_yaml(topo, cfg)
            (root / "wl.yaml").write_text(wl_text)
            hw_path = root / f"{rows}x{cols}_{df}.yaml"
            hw_path.write_text(hw_text)
            # CALC: SCALE-Sim never stalls on DRAM (unlimited DRAM bandwidth, as the importer gives CALC)
            hw = replace(with_conventions(load_hardware(hw_path), "scalesim"), dram_words_per_cycle=math.inf)
            out[rows, cols, df] = (load_workload(root / "wl.yaml"), hw)
    return out


_CACHE: dict = {}


def accelsim_numbers(imported, rows: int, cols: int, df: str, name: str) -> dict:
    """``accelsim run --mapping scalesim --conventions scalesim`` of one case (analytic engine)."""
    key = (rows, cols, df, name)
    if key not in _CACHE:
        wl, hw = imported[rows, cols, df]
        layer = next(ly for ly in wl.layers if ly.name == name)
        mapping = scalesim_mapping(layer, f"sys-{df}", rows, cols, hw=hw)
        res = evaluate(layer, hw, f"sys-{df}", "analytic", mapping)
        c = res.counts

        def parent(t):  # the level that feeds the array: the GLB, or DRAM when the type bypasses it
            return Level.GLB if mapping.glb[t] is not None else Level.DRAM

        _CACHE[key] = {"compute_cycles": res.cycles, "ifmap_sram_reads": int(c[parent(DataType.IFMAP), DataType.IFMAP,
                                                                                READS]),
                       "filter_sram_reads": int(c[parent(DataType.FILTER), DataType.FILTER, READS]),
                       "ofmap_sram_writes": int(c[parent(DataType.PSUM), DataType.PSUM, WRITES])}
    return _CACHE[key]


CASES = [(rows, cols, df, ly) for rows, cols in ARRAYS for df in DATAFLOWS for ly in LAYERS]


@pytest.mark.parametrize("rows, cols, df, layer", CASES,
                         ids=[f"{ly[0]}-{r}x{c}-{df}" for r, c, df, ly in CASES])
def test_closed_forms_exact(imported, rows, cols, df, layer):
    """cycles, ifmap / filter SRAM reads and ofmap SRAM writes equal SCALE-Sim's closed forms."""
    assert accelsim_numbers(imported, rows, cols, df, layer[0]) == closed_form(layer, rows, cols, df)


def test_sanity_example(imported):
    """The semantics notes' example: small layer, OS, 16×16: 18 folds of 174 cycles, minus one."""
    got = accelsim_numbers(imported, 16, 16, "os", "SMALL")
    assert got["compute_cycles"] == 18 * 174 - 1 == 3131
    assert round(100 * 663_552 / (got["compute_cycles"] * 256), 2) == 82.79


def test_accelsim_conventions_differ(imported):
    """Without the flags the same mapping counts as accelsim does: fewer IS ifmap reads (equal
    words multicast once), and no full-array fill per fold."""
    wl, hw = imported[16, 16, "is"]
    hw = with_conventions(hw, "accelsim")
    layer = next(ly for ly in wl.layers if ly.name == "SMALL")
    res = evaluate(layer, hw, "sys-is", "analytic", scalesim_mapping(layer, "sys-is", 16, 16, hw=hw))
    ss = closed_form(LAYERS[-1], 16, 16, "is")
    assert res.counts[Level.GLB, DataType.IFMAP, READS] < ss["ifmap_sram_reads"]
    assert res.compute_cycles < ss["compute_cycles"]


def _reference_cases():
    if not DATA.is_file():
        return []
    return json.loads(DATA.read_text(encoding="utf-8"))["cases"]


REFERENCE = _reference_cases()


@pytest.mark.skipif(not REFERENCE, reason="tests/data/scalesim_reference.json not merged yet")
@pytest.mark.parametrize("case", REFERENCE, ids=[f"{c['layer']['name']}-{c['array'][0]}x{c['array'][1]}-"
                                                  f"{c['dataflow']}" for c in REFERENCE])
def test_scalesim_reference_within_1pct(imported, case):
    """SCALE-Sim 3.0.0's own runs: cycles and SRAM reads within 1 % (exact in practice)."""
    rows, cols = case["array"]
    ly = case["layer"]
    name = ly["name"].upper()
    layer = next((x for x in LAYERS if x[0] == name), None)
    if layer is None or (rows, cols) not in ARRAYS or case["dataflow"] not in DATAFLOWS:
        pytest.skip(f"case {name} {rows}x{cols} {case['dataflow']} is not one of issue 14's")
    assert (ly["H"], ly["W"], ly["R"], ly["S"], ly["C"], ly["M"], ly["stride"]) == layer[1:]
    got = accelsim_numbers(imported, rows, cols, case["dataflow"], name)
    for key in ("compute_cycles", "ifmap_sram_reads", "filter_sram_reads"):
        assert got[key] == pytest.approx(case[key], rel=0.01), key


def test_cli_mapping_scalesim(tmp_path, capsys):
    """``accelsim run ... --mapping scalesim --conventions scalesim``: the issue's CONV5 on a
    12×14 OS array, all 168 PEs, SCALE-Sim's 285 folds of 1,752 cycles (minus one); a
    non-systolic dataflow is refused naming the option."""
    from accelsim.cli.main import main

    wl = tmp_path / "c5.yaml"
    wl.write_text("version: 1\nname: c5\nlayers:\n  - {name: CONV5, M: 256, C: 192, H: 15, W: 15, R: 3, S: 3, U: 1}\n")
    args = ["run", str(wl), "--hardware", "tpu-like", "--array", "12x14", "--dataflow", "sys-os", "--force-dataflow",
            "--mapping", "scalesim", "--conventions", "scalesim", "--json", str(tmp_path / "r.json")]
    assert main(args) == 0
    layer = json.loads((tmp_path / "r.json").read_text())["layers"][0]
    assert layer["active_pes"] == 168
    assert layer["compute_cycles"] == 285 * 1752 - 1
    assert main(["run", str(wl), "--hardware", "eyeriss", "--dataflow", "rs", "--mapping", "scalesim"]) == 2
    assert "--mapping" in capsys.readouterr().err


#: the small layer on two arrays, and one AlexNet layer per dataflow on 12×14 (CONV5: 285 os,
#: 2,736 ws, 1,872 is folds; all of AlexNet on the cycle engine: benchmarks/bench_scalesim.py)
CYCLE_CASES = [(rows, cols, df, ly) for rows, cols in ((12, 14), (16, 16)) for df in DATAFLOWS
               for ly in LAYERS if ly[0] == "SMALL"]
CYCLE_CASES += [(12, 14, df, ly) for df in DATAFLOWS for ly in LAYERS if ly[0] == "CONV5"]


@pytest.mark.parametrize("rows, cols, df, layer", CYCLE_CASES,
                         ids=[f"{ly[0]}-{r}x{c}-{df}" for r, c, df, ly in CYCLE_CASES])
def test_cycle_engine_closed_forms_exact(imported, rows, cols, df, layer):
    """The cycle-level engine, moving real data through SCALE-Sim's mapping under its timing and
    counting conventions (every link but DRAM unlimited, the whole array's fill per fold, no
    overlap, one less): the same cycles and SRAM counts as SCALE-Sim's closed forms, and the
    outputs equal the reference convolution (64-bit psums so that nothing wraps)."""
    wl, hw = imported[rows, cols, df]
    hw = replace(hw, precision=replace(hw.precision, psum_bits=64))
    ly = next(x for x in wl.layers if x.name == layer[0])
    mapping = scalesim_mapping(ly, f"sys-{df}", rows, cols, hw=hw)
    res = evaluate(ly, hw, f"sys-{df}", "cycle", mapping)
    assert res.timing.verified
    want = closed_form(layer, rows, cols, df)
    c = res.counts
    parent = {t: Level.GLB if mapping.glb[t] is not None else Level.DRAM for t in DataType}
    assert res.cycles == want["compute_cycles"]
    assert int(c[parent[DataType.IFMAP], DataType.IFMAP, READS]) == want["ifmap_sram_reads"]
    assert int(c[parent[DataType.FILTER], DataType.FILTER, READS]) == want["filter_sram_reads"]
