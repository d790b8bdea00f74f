"""Systolic arrays (issue 5): the sys-ws / sys-os / sys-is templates on the shared engines.

* the same properties as every dataflow: the analytic counts equal the enumerating reference
  and the cycle engine's counts, the cycle engine's output equals a numpy convolution, every
  MAC is done exactly once;
* fold timing: with unlimited bandwidth a run takes ``folds × (T + overhead)`` cycles, and the
  single-fold cycle counts below, drawn out cycle by cycle, match exactly;
* SCALE-Sim access semantics: an operand injected at the array edge is a GLB read, once per
  fold that uses it;
* the ``tpu-like`` preset and the result record (``cycles``, ``compute_cycles``,
  ``stall_cycles``).
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_counter import reference_counts
from strategies import layers, make_case  # the same tiny grouped/FC-shaped layers

import accelsim
from accelsim.sim.evaluate import runs_flattened
from accelsim.dataflows import available, template
from accelsim.dataflows.base import Keep
from accelsim.dataflows.lowering import window_flags
from accelsim.layout import DRAM, FILTER, GLB, IFMAP, NOC, PSUM, READS, RF, UPDATES, WRITES
from accelsim.search.mapper import Budget, best_mapping
from accelsim.sim.counting import check_fits, count_mapping
from accelsim.sim.cycle import pass_overhead, random_inputs, reference_conv, run_cycle
from accelsim.spec.dims import Dataflow, DataType, Dim, LoopKind, NocKind
from accelsim.spec.hardware import Buffer, Hardware, NoC, Precision
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping

SYSTOLIC = ["sys-ws", "sys-os", "sys-is"]

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def systolic_hw(rows: int = 8, cols: int = 8) -> Hardware:
    """A systolic machine with room for any tiny layer; its psums do not wrap (64 bits), so
    outputs are checked against the exact convolution."""
    return Hardware(name="sys-test", pe_rows=rows, pe_cols=cols, rf=Buffer(shared_words=64),
                    glb=Buffer(shared_words=1 << 20), noc=NoC(kind=NocKind.SYSTOLIC),
                    precision=Precision(psum_bits=64))


# ----------------------------------------------------------------------------- templates
def test_registered_with_the_gemm_structure():
    for name in SYSTOLIC:
        assert Dataflow(name) in available()
    os_, ws, is_ = (template(d) for d in ("sys-os", "sys-ws", "sys-is"))
    npx, k = {Dim.N, Dim.E, Dim.F}, {Dim.C, Dim.R, Dim.S}
    # sys-os: pixels on rows, filters on columns, K in time, psum stationary
    assert set(os_.rows) == npx and os_.cols == (Dim.M,)
    assert all(os_.places(d) == ("pe",) for d in k)
    assert [os_.keeps("rf", t) for t in DataType] == [Keep.NO, Keep.NO, Keep.YES]
    # sys-ws: K on rows, filters on columns, pixels in time, weight stationary
    assert set(ws.rows) == k and ws.cols == (Dim.M,)
    assert all(ws.places(d) == ("pe",) for d in npx)
    assert [ws.keeps("rf", t) for t in DataType] == [Keep.NO, Keep.YES, Keep.NO]
    # sys-is: K on rows, pixels on columns, filters in time, input stationary
    assert set(is_.rows) == k and set(is_.cols) == npx
    assert is_.places(Dim.M) == ("pe",)
    assert [is_.keeps("rf", t) for t in DataType] == [Keep.YES, Keep.NO, Keep.NO]
    # SCALE-Sim semantics: no forwarding reuse across folds or along sliding windows
    assert not any(t.window for t in (os_, ws, is_))


# ----------------------------------------------------------------------------- properties
@PROPS
@given(layer=layers(), dataflow=st.sampled_from(SYSTOLIC), seed=st.integers(0, 2**32 - 1))
def test_analytic_matches_enumerating_reference(layer, dataflow, seed):
    mapping, window = make_case(layer, dataflow, seed, halo=systolic_hw().model.glb_halo_reuse)
    got = count_mapping(mapping, layer, window)
    ref, ref_usage, ref_macs = reference_counts(layer, mapping, window)
    assert got.macs == ref_macs == layer.macs
    assert np.array_equal(got.usage, ref_usage)
    assert np.array_equal(got.counts, ref), f"\n{mapping.describe()}\nref\n{ref}\nkernel\n{got.counts}"


@PROPS
@given(layer=layers(), dataflow=st.sampled_from(SYSTOLIC), seed=st.integers(0, 2**32 - 1))
def test_cycle_engine_output_counts_and_fold_timing(layer, dataflow, seed):
    mapping, window = make_case(layer, dataflow, seed, halo=systolic_hw().model.glb_halo_reuse)
    hw = systolic_hw()
    analytic = count_mapping(mapping, layer, window)
    ifmap, filters = random_inputs(layer, seed=seed % 1000)
    out = run_cycle(layer, hw, mapping, window, ifmap, filters, unlimited_bandwidth=True)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters))
    assert np.array_equal(out.counts, analytic.counts)
    # MACs conserved: every MAC once, on the PEs the mapping uses
    rows, cols = mapping.spatial_shape()
    assert int(out.pe_busy.sum()) == analytic.macs == layer.macs
    assert out.compute_cycles * rows * cols == layer.macs
    # folds back to back: folds × (steps per fold + skewed fill and drain), both from the nest
    folds, per_fold = fold_shape(mapping)
    assert (out.passes, out.compute_cycles) == (folds, folds * per_fold)
    assert out.cycles == folds * (per_fold + fold_overhead(mapping))
    assert out.cycles == out.compute_cycles + sum(out.stall_cycles.values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer=layers(), dataflow=st.sampled_from(SYSTOLIC), seed=st.integers(0, 2**32 - 1))
def test_simulate_cycle_engine_verifies(layer, dataflow, seed):
    """The public path: ``simulate(..., engine="cycle")`` with a given mapping on finite
    bandwidths checks its output against numpy and its counts against the analytic engine."""
    mapping, _ = make_case(layer, dataflow, seed, halo=systolic_hw().model.glb_halo_reuse)
    res = accelsim.simulate(layer, systolic_hw(), dataflow, engine="cycle", mapping=mapping)
    assert res.timing.verified and res.timing.counts_match_analytic
    assert res.macs == layer.macs
    assert res.cycles == res.compute_cycles + res.stall_cycles


def fold_shape(mapping: Mapping) -> tuple[int, int]:
    """(folds, temporal steps per fold) from the nest: a fold is one iteration of the temporal
    loops above the last spatial loop (with no spatial loop, above the first RF tile start);
    its steps are the product of the factors below."""
    loops = mapping.loops
    spatial = [i for i, lp in enumerate(loops) if lp.spatial]
    rf_starts = [p for p in mapping.rf if p is not None]
    top = spatial[-1] + 1 if spatial else (min(rf_starts) if rf_starts else 0)
    folds = int(np.prod([lp.factor for lp in loops[:top] if not lp.spatial], dtype=np.int64))
    steps = int(np.prod([lp.factor for lp in loops[top:]], dtype=np.int64))
    return folds, steps


def fold_overhead(mapping: Mapping) -> int:
    """Fill and drain cycles of one fold on the ``R × C`` block the mapping uses, from the
    schedules drawn out cycle by cycle below: the skew (R − 1) + (C − 1); plus R to pre-load a
    stationary input kept in the RF; plus R to drain psums kept in the RF, else 1 (the last
    psum's hop out of the bottom edge). OS: 2R + C − 2; WS / IS: 2R + C − 1."""
    rows, cols = mapping.spatial_shape()
    preload = rows if (mapping.rf[IFMAP] is not None or mapping.rf[FILTER] is not None) else 0
    drain = rows if mapping.rf[PSUM] is not None else 1
    return (rows - 1) + (cols - 1) + preload + drain


# ----------------------------------------------------------------------------- hand-derived folds
def _gemm(npx: int, m: int, k: int) -> ConvLayer:
    """A GEMM as a layer: ``npx`` output pixels (the batch), ``m`` filters, reduction ``k``."""
    return ConvLayer(name="gemm", N=npx, M=m, C=k, H=1, W=1, R=1, S=1)


def _nest(*loops, rf: tuple) -> Mapping:
    """Spatial loops first, then the fold's temporal loops; the GLB keeps everything."""
    return Mapping(loops=tuple(Loop(Dim[d], f, LoopKind[k]) for d, f, k in loops), glb=(0, 0, 0), rf=rf)


def _cycles(layer: ConvLayer, mapping: Mapping, dataflow: str, rows: int, cols: int) -> tuple[int, int]:
    """(cycles, folds) of the cycle engine with unlimited bandwidth on a ``rows × cols`` array."""
    hw = systolic_hw(rows, cols)
    window = window_flags(template(dataflow), hw)
    check_fits(mapping, count_mapping(mapping, layer, window), hw)
    out = run_cycle(layer, hw, mapping, window, unlimited_bandwidth=True)
    assert np.array_equal(out.output, reference_conv(layer, *random_inputs(layer)))
    return out.cycles, out.passes


# Output stationary. PE (i, j) holds output (pixel i, filter j); the ifmap row of pixel i enters
# the left edge in cycle t + i, the filter column j the top edge in cycle t + j, both one hop a
# cycle, so PE (i, j) does MAC t (of T) in cycle t + i + j. After its last MAC a column shifts
# its R outputs out of the bottom edge, one per cycle, bottom PE first.
def test_os_fold_1x1():
    # T = 3.  cycle 0: MAC k0 | 1: MAC k1 | 2: MAC k2 | 3: output leaves.  4 = 2R + C + T - 2
    layer = _gemm(npx=1, m=1, k=3)
    mapping = _nest(("C", 3, "TEMPORAL"), rf=(None, None, 0))
    assert _cycles(layer, mapping, "sys-os", 1, 1) == (4, 1)


def test_os_fold_2x2():
    # T = 3; PE (i, j) listed as ij:k<t>
    # cycle 0: 00:k0
    # cycle 1: 00:k1  01:k0  10:k0
    # cycle 2: 00:k2  01:k1  10:k1  11:k0
    # cycle 3:        01:k2  10:k2  11:k1
    # cycle 4:                      11:k2   column 0 drains: out(1,0) leaves
    # cycle 5: out(0,0) leaves   column 1: out(1,1) leaves
    # cycle 6: out(0,1) leaves
    # 7 cycles = 2R + C + T - 2 = 4 + 2 + 3 - 2
    layer = _gemm(npx=2, m=2, k=3)
    mapping = _nest(("N", 2, "ROW"), ("M", 2, "COL"), ("C", 3, "TEMPORAL"), rf=(None, None, 2))
    assert _cycles(layer, mapping, "sys-os", 2, 2) == (7, 1)


def test_os_fold_4x3():
    # T = 2; MAC t of PE (i, j) in cycle t + i + j; out(i, j) = PE (i, j)'s output leaving
    # cycle  0: 00:k0
    # cycle  1: 00:k1 01:k0 10:k0
    # cycle  2: 01:k1 02:k0 10:k1 11:k0 20:k0
    # cycle  3: 02:k1 11:k1 12:k0 20:k1 21:k0 30:k0
    # cycle  4: 12:k1 21:k1 22:k0 30:k1 31:k0
    # cycle  5: 22:k1 31:k1 32:k0   out(3,0)
    # cycle  6: 32:k1               out(2,0) out(3,1)
    # cycle  7:                     out(1,0) out(2,1) out(3,2)
    # cycle  8:                     out(0,0) out(1,1) out(2,2)
    # cycle  9:                              out(0,1) out(1,2)
    # cycle 10:                                       out(0,2)
    # 11 cycles = 2R + C + T - 2 = 8 + 3 + 2 - 2
    layer = _gemm(npx=4, m=3, k=2)
    mapping = _nest(("N", 4, "ROW"), ("M", 3, "COL"), ("C", 2, "TEMPORAL"), rf=(None, None, 2))
    assert _cycles(layer, mapping, "sys-os", 4, 3) == (11, 1)


# Weight stationary. The fold first shifts one weight per PE down every column: the weight of
# row R-1 enters in cycle 0 and arrives in cycle R-1, the weight of row 0 enters in cycle R-1
# (P = R cycles). Then the ifmap value (pixel t, k = i) enters row i at the left edge in cycle
# P + t + i and moves right; PE (i, j) does pixel t in cycle P + t + i + j, adding the psum PE
# (i-1, j) made the cycle before; the bottom PE's psum leaves the array one cycle later.
def test_ws_fold_1x1():
    # T = 3 pixels. cycle 0: load w | 1, 2, 3: MAC p0, p1, p2 | 2, 3, 4: psum p0, p1, p2 leaves
    # 5 cycles = 2R + C + T - 1 = 2 + 1 + 3 - 1
    layer = _gemm(npx=3, m=1, k=1)
    mapping = _nest(("N", 3, "TEMPORAL"), rf=(None, 0, None))
    assert _cycles(layer, mapping, "sys-ws", 1, 1) == (5, 1)


def test_ws_fold_2x2():
    # T = 2 pixels; weights w(k, m); PE (i, j) = (k i, filter j)
    # cycle 0: w(1,0) w(1,1) enter row 0
    # cycle 1: they move to row 1; w(0,0) w(0,1) enter row 0        (P = 2)
    # cycle 2: 00:p0
    # cycle 3: 00:p1  01:p0  10:p0 (+ psum of 00)
    # cycle 4:        01:p1  10:p1  11:p0    psum (p0, m0) leaves the bottom
    # cycle 5:                      11:p1    psum (p1, m0) and (p0, m1) leave
    # cycle 6:                               psum (p1, m1) leaves
    # 7 cycles = 2R + C + T - 1 = 4 + 2 + 2 - 1
    layer = _gemm(npx=2, m=2, k=2)
    mapping = _nest(("C", 2, "ROW"), ("M", 2, "COL"), ("N", 2, "TEMPORAL"), rf=(None, 2, None))
    assert _cycles(layer, mapping, "sys-ws", 2, 2) == (7, 1)


def test_ws_fold_4x3():
    # T = 2 pixels. cycles 0-3: weights shift down (P = 4).
    # pixel t at PE (i, j) in cycle 4 + t + i + j:
    # cycle  4: 00:p0
    # cycle  5: 00:p1 01:p0 10:p0
    # cycle  6: 01:p1 02:p0 10:p1 11:p0 20:p0
    # cycle  7: 02:p1 11:p1 12:p0 20:p1 21:p0 30:p0
    # cycle  8: 12:p1 21:p1 22:p0 30:p1 31:p0            (p0, m0) leaves
    # cycle  9: 22:p1 31:p1 32:p0                        (p1, m0), (p0, m1) leave
    # cycle 10: 32:p1                                    (p1, m1), (p0, m2) leave
    # cycle 11:                                          (p1, m2) leaves
    # 12 cycles = 2R + C + T - 1 = 8 + 3 + 2 - 1
    layer = _gemm(npx=2, m=3, k=4)
    mapping = _nest(("C", 4, "ROW"), ("M", 3, "COL"), ("N", 2, "TEMPORAL"), rf=(None, 2, None))
    assert _cycles(layer, mapping, "sys-ws", 4, 3) == (12, 1)


# Input stationary: as weight stationary with the roles of ifmap and filter swapped — one ifmap
# value (k = i, pixel j) pre-loaded per PE, the weight (k = i, filter t) enters row i in cycle
# P + t + i, psums (pixel j, filter t) move down the columns.
def test_is_fold_1x1():
    # T = 3 filters. cycle 0: load x | 1, 2, 3: MAC m0, m1, m2 | psums leave in 2, 3, 4: 5 cycles
    layer = _gemm(npx=1, m=3, k=1)
    mapping = _nest(("M", 3, "TEMPORAL"), rf=(0, None, None))
    assert _cycles(layer, mapping, "sys-is", 1, 1) == (5, 1)


def test_is_fold_2x2():
    # T = 2 filters; the same schedule as test_ws_fold_2x2 with pixels and filters swapped: 7
    layer = _gemm(npx=2, m=2, k=2)
    mapping = _nest(("C", 2, "ROW"), ("N", 2, "COL"), ("M", 2, "TEMPORAL"), rf=(2, None, None))
    assert _cycles(layer, mapping, "sys-is", 2, 2) == (7, 1)


def test_is_fold_4x3():
    # T = 2 filters on 4 K rows × 3 pixel columns: the schedule of test_ws_fold_4x3, 12 cycles
    layer = _gemm(npx=3, m=2, k=4)
    mapping = _nest(("C", 4, "ROW"), ("N", 3, "COL"), ("M", 2, "TEMPORAL"), rf=(2, None, None))
    assert _cycles(layer, mapping, "sys-is", 4, 3) == (12, 1)


def test_conv_layer_folds_back_to_back():
    """A real conv (3×3 filter, 2 channels, 4×4 ofmap) on a 4×3 array, weight stationary:
    K = 18 (C·R·S) is placed as R = 3 on rows with C = 2 and S = 3 folded, M = 3 on the
    columns; each of the 6 folds streams the 16 pixels: 6 × (2·3 + 3 + 16 - 1) = 144."""
    layer = ConvLayer(name="c", M=3, C=2, H=6, W=6, R=3, S=3)
    mapping = Mapping(loops=(Loop(Dim.C, 2), Loop(Dim.S, 3), Loop(Dim.R, 3, LoopKind.ROW),
                             Loop(Dim.M, 3, LoopKind.COL), Loop(Dim.E, 4), Loop(Dim.F, 4)),
                      glb=(0, 0, 0), rf=(None, 4, None))
    assert _cycles(layer, mapping, "sys-ws", 4, 3) == (6 * (2 * 3 + 3 + 16 - 1), 6)


@pytest.mark.parametrize("mapping, rows, cols, overhead", [
    # test_os_fold_2x2: 7 cycles for T = 3
    (_nest(("N", 2, "ROW"), ("M", 2, "COL"), ("C", 3, "TEMPORAL"), rf=(None, None, 2)), 2, 2, 7 - 3),
    # test_ws_fold_4x3: 12 cycles for T = 2
    (_nest(("C", 4, "ROW"), ("M", 3, "COL"), ("N", 2, "TEMPORAL"), rf=(None, 2, None)), 4, 3, 12 - 2),
])
def test_fold_overhead_is_the_library_model(mapping, rows, cols, overhead):
    """The hand formula above and the engine's ``pass_overhead`` agree with the drawn schedules."""
    assert fold_overhead(mapping) == pass_overhead(mapping, systolic_hw(rows, cols)) == overhead


def test_gin_overhead_unchanged():
    hw = accelsim.load_hardware("eyeriss")
    mapping = _nest(("N", 2, "ROW"), ("C", 3, "TEMPORAL"), rf=(None, None, 1))
    assert pass_overhead(mapping, hw) == hw.pe_pipeline_depth - 1 == 2


# ----------------------------------------------------------------------------- access semantics
def test_edge_reads_once_per_fold():
    """Output stationary, 4 pixels × 4 filters × K = 3 on a 2×2 array: 4 folds. Every fold
    reads its 2 pixels' K values and its 2 filters' K values at the edges; an ifmap value is
    therefore read once for each of the 2 filter folds that use it (SCALE-Sim semantics)."""
    layer = _gemm(npx=4, m=4, k=3)
    mapping = Mapping(loops=(Loop(Dim.N, 2), Loop(Dim.M, 2), Loop(Dim.N, 2, LoopKind.ROW),
                             Loop(Dim.M, 2, LoopKind.COL), Loop(Dim.C, 3)),
                      glb=(0, 0, 0), rf=(None, None, 4))
    c = count_mapping(mapping, layer, window_flags(template("sys-os"), systolic_hw())).counts
    folds, macs = 4, 4 * 4 * 3
    assert c[GLB, IFMAP, READS] == folds * 2 * 3 == 2 * (4 * 3)     # each ifmap value twice
    assert c[GLB, FILTER, READS] == folds * 2 * 3 == 2 * (4 * 3)    # each weight twice
    assert c[NOC, IFMAP, READS] == c[NOC, FILTER, READS] == macs   # one hop into every PE per MAC
    assert c[RF, PSUM].tolist() == [macs - 16, macs - 16, macs, 0, 0, 0]  # K updates per output register
    assert c[GLB, PSUM, UPDATES] == 16 and c[DRAM, PSUM, WRITES] == 16
    assert _cycles(layer, mapping, "sys-os", 2, 2) == (folds * (3 + 2 * 2 + 2 - 2), folds)


def test_ws_psums_move_down_the_columns():
    """Weight stationary, K = 4 on 4 rows: per pixel and filter 3 psum hops inside the column
    (NoC deliveries) and one word into the GLB; weights loaded once per fold."""
    layer = _gemm(npx=5, m=3, k=4)
    mapping = _nest(("C", 4, "ROW"), ("M", 3, "COL"), ("N", 5, "TEMPORAL"), rf=(None, 2, None))
    c = count_mapping(mapping, layer, window_flags(template("sys-ws"), systolic_hw())).counts
    assert c[NOC, PSUM, READS] == 5 * 3 * 3
    assert c[GLB, PSUM, UPDATES] == 5 * 3
    assert c[GLB, FILTER, READS] == c[RF, FILTER, WRITES] == 4 * 3
    assert c[GLB, IFMAP, READS] == 5 * 4 and c[NOC, IFMAP, READS] == 5 * 4 * 3


# ----------------------------------------------------------------------------- preset and record
def test_tpu_like_preset():
    hw = accelsim.load_hardware("tpu-like")
    assert (hw.pe_rows, hw.pe_cols) == (32, 32)
    assert hw.noc.kind is NocKind.SYSTOLIC and hw.dataflow is Dataflow.SYS_WS
    assert hw.glb.shared_words == 0 and all(w > 0 for w in hw.glb.dedicated_words)
    small = hw.with_array(12, 14)
    assert (small.pe_rows, small.pe_cols, small.glb) == (12, 14, hw.glb)


@pytest.mark.parametrize("dataflow", SYSTOLIC)
def test_record_on_tpu_like(dataflow):
    layer = ConvLayer(name="conv", N=1, M=16, C=8, H=10, W=10, R=3, S=3)
    hw = accelsim.load_hardware("tpu-like").with_array(4, 8)
    found = best_mapping(layer, hw, dataflow, budget=Budget(samples=300, climb=300, starts=2),
                         flatten=runs_flattened("cycle"))
    assert found.mapping.spatial_shape()[0] <= 4 and found.mapping.spatial_shape()[1] <= 8
    res = accelsim.simulate(layer, hw, dataflow, engine="cycle", mapping=found.mapping)
    rec = json.loads(json.dumps(res.to_dict()))
    for key in ("cycles", "compute_cycles", "stall_cycles"):
        assert isinstance(rec[key], int)
    assert rec["cycles"] == rec["compute_cycles"] + rec["stall_cycles"]
    assert rec["timing"]["verified"] and rec["timing"]["counts_match_analytic"]
    assert rec["timing"]["passes"] == fold_shape(found.mapping)[0]
    assert rec["timing"]["stall_cycles"]["pipeline"] == rec["timing"]["passes"] * fold_overhead(found.mapping)


@pytest.mark.parametrize("array", [(32, 32), (12, 14)])
def test_alexnet_convs_map_on_tpu_like(array):
    """Every AlexNet conv layer has a legal mapping under each systolic dataflow on the preset
    (and at --array 12x14), and keeps its psums on chip at batch 1."""
    hw = accelsim.load_hardware("tpu-like").with_array(*array)
    quick = Budget(samples=400, climb=400, starts=2)
    for layer in accelsim.load_workload("alexnet").layers[:5]:
        for dataflow in SYSTOLIC:
            res = accelsim.simulate(layer, hw, dataflow, budget=quick)
            assert res.ok, (layer.name, dataflow, res.reason)
            assert res.macs == layer.macs and not res.psum_spill


@pytest.mark.parametrize("df", ["sys-ws", "sys-os", "sys-is"])
def test_edge_operands_come_from_the_sram_or_straight_from_dram(df):
    """README, *Systolic arrays*: an operand injected at the edge is an SRAM (GLB) read, once per fold,
    unless the mapping bypasses the SRAM for its data type (the mapper does for FC filters, each used
    once per pass): then the edge streams it from DRAM and the SRAM counts no read of it."""
    hw = accelsim.load_hardware("tpu-like")
    fc = ConvLayer(name="fc", M=64, C=256, H=2, W=2, R=2, S=2, N=2)
    res = accelsim.simulate(fc, hw, dataflow=df)
    acc = res.accesses()
    for t in DataType:
        if t is DataType.PSUM:
            continue
        injected = acc["NoC"][t.label]["transactions"]
        if res.mapping.glb[t] is None:
            assert acc["GLB"][t.label]["reads"] == 0 and acc["DRAM"][t.label]["reads"] == injected
        else:
            assert acc["GLB"][t.label]["reads"] == injected
    assert res.mapping.glb[DataType.FILTER] is None  # what the mapper picks for these FC filters today


# ----------------------------------------------------------------------------- fold overlap
def _overlap_cycles(layer, mapping, dataflow, rows, cols, overlap: bool) -> tuple[int, int]:
    """:func:`_cycles` on a machine with ``fold_overlap`` set as given."""
    hw = replace(systolic_hw(rows, cols), model=replace(systolic_hw().model, fold_overlap=overlap))
    window = window_flags(template(dataflow), hw)
    check_fits(mapping, count_mapping(mapping, layer, window), hw)
    out = run_cycle(layer, hw, mapping, window, unlimited_bandwidth=True)
    assert np.array_equal(out.output, reference_conv(layer, *random_inputs(layer)))
    assert out.cycles == out.compute_cycles + sum(out.stall_cycles.values())
    return out.cycles, out.passes


@pytest.mark.parametrize("folds", [2, 3])
def test_ws_folds_2x2_with_and_without_overlap(folds):
    """Weight stationary, K = 2·folds on 2 rows (C folded), 2 filters on 2 columns, T = 2 pixels.

    Fold 1, as test_ws_fold_2x2: cycles 0-1 pre-load the weights (P = 2); row 0 takes pixels
    in cycles 2, 3 (the T steps), row 1 in 3, 4; PE (1, 1)'s last MAC in cycle 5; the last
    psum leaves in cycle 6. The *tail* after the T steps is cycles 4-6: skew (R−1) + (C−1) = 2
    plus the psum's hop out = 3 cycles.

    Without overlap fold 2 starts its pre-load in cycle 7: every fold 2 + 2 + 3 = 7 cycles,
    ``7 · folds`` (14, 21).

    With overlap fold 2's weights shift into the shadow registers in cycles 4-5, inside fold
    1's tail (the word for row 1 enters the top in cycle 4 and reaches row 1 in cycle 5, the
    word for row 0 enters in cycle 5); fold 2's first pixel enters row 0 once the tail is over,
    in cycle 7 (= 2 + 5): rows 0 / 1 take pixels in 7-8 / 8-9, the last MAC is in cycle 10,
    the last psum leaves in cycle 11 — 12 cycles for two folds; each further fold adds
    T + tail = 5: ``2 + 5 · folds`` (12, 17)."""
    layer = _gemm(npx=2, m=2, k=2 * folds)
    mapping = _nest(("C", folds, "TEMPORAL"), ("C", 2, "ROW"), ("M", 2, "COL"), ("N", 2, "TEMPORAL"),
                    rf=(None, 3, None))
    assert _overlap_cycles(layer, mapping, "sys-ws", 2, 2, overlap=False) == (7 * folds, folds)
    assert _overlap_cycles(layer, mapping, "sys-ws", 2, 2, overlap=True) == (2 + 5 * folds, folds)


def test_is_folds_4x3_with_overlap():
    """Input stationary, K = 8 on 4 rows (2 folds of C), 3 pixels on 3 columns, T = 2 filters:
    a fold is test_is_fold_4x3's 12 cycles = P 4 + T 2 + tail (3 + 2 + 1 = 6). Back to back:
    24. Overlapped: the second fold's 4 pre-load cycles run inside the first fold's 6-cycle
    tail, so it adds T + tail = 8: 4 + 2 · 8 = 20."""
    layer = _gemm(npx=3, m=2, k=8)
    mapping = _nest(("C", 2, "TEMPORAL"), ("C", 4, "ROW"), ("N", 3, "COL"), ("M", 2, "TEMPORAL"),
                    rf=(3, None, None))
    assert _overlap_cycles(layer, mapping, "sys-is", 4, 3, overlap=False) == (24, 2)
    assert _overlap_cycles(layer, mapping, "sys-is", 4, 3, overlap=True) == (20, 2)


def test_os_folds_do_not_change_with_overlap():
    """Output stationary pre-loads nothing: two folds of test_os_fold_2x2 (N folded), T = 3,
    take 2 · 7 = 14 cycles either way."""
    layer = _gemm(npx=4, m=2, k=3)
    mapping = _nest(("N", 2, "TEMPORAL"), ("N", 2, "ROW"), ("M", 2, "COL"), ("C", 3, "TEMPORAL"),
                    rf=(None, None, 3))
    for overlap in (False, True):
        assert _overlap_cycles(layer, mapping, "sys-os", 2, 2, overlap=overlap) == (14, 2)


def test_fold_overlap_is_a_hardware_flag():
    """``fold_overlap`` is a ModelOptions flag: a hardware-file key and a sweep vary name."""
    from accelsim.spec.hardware import FLAGS

    assert FLAGS["fold_overlap"] == "model"
    assert systolic_hw().model.fold_overlap is False
