"""The analytic engine's roofline cycles on systolic arrays, against the cycle engine.

The cycle engine feeds a systolic array through one edge link per PE along the spatial loops
over a data type's own dimensions (``kernels.cycle._plan_pes`` ``edge``), each at the NoC's
per-link rate, moves psums in and out on links of their own, and adds each fold's skewed fill
and drain (``sim.cycle.pass_overhead``). The analytic roofline
(``kernels.analytic.roofline_cycles`` with ``roofline_timing``) uses the same links and fold
cycles, so:

* with every link unlimited, analytic cycles = cycle-engine cycles (the cycle engine then has
  no stall but the folds' fill and drain);
* in general the roofline is a lower bound: analytic ≤ cycle engine, except that the cycle
  engine does not wait for the last ofmap words to reach DRAM, so on a DRAM-bound layer it may
  finish up to ``⌈DRAM psum writes / DRAM rate⌉`` cycles before the roofline — the property
  allows exactly that much.

Before the fix, the roofline divided an edge's traffic by one link's width: AlexNet CONV5 sys-os
on tpu-like 12×14 came out at 6.6 M analytic cycles (NoC-bound) where the cycle engine ran it in
0.54 M.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from strategies import flatten, layers, legal_groups, random_mapping_8x8, shrink_bounds

from accelsim.dataflows import template
from accelsim.dataflows.lowering import window_flags
from accelsim.errors import CapacityError
from accelsim.io.presets import load_hardware
from accelsim.layout import DRAM, FILTER, NOC, PSUM, TRANSACTIONS, WRITES
from accelsim.search.im2col import scalesim_mapping
from accelsim.search.mapper import Budget, best_mapping
from accelsim.sim.conventions import fold_shape
from accelsim.sim.counting import check_fits, count_mapping
from accelsim.sim.cycle import pass_overhead, run_cycle
from accelsim.sim.evaluate import analytic_cycles, evaluate
from accelsim.sim.roofline import valid_folds
from accelsim.spec.dims import NocKind
from accelsim.spec.hardware import Buffer, Hardware, NoC, Precision
from accelsim.spec.layer import ConvLayer

SYSTOLIC = ("sys-os", "sys-ws", "sys-is")
INF = math.inf
#: SCALE-Sim's small case of issue 14: 14×14×16 → 32, 3×3
SMALL = ConvLayer(name="small", M=32, C=16, H=14, W=14, R=3, S=3)
#: a strided layer whose 12 × 12 = 144 pixels fold raggedly on 12×14 / 16×16 (AlexNet CONV1's shape, scaled)
STRIDED = ConvLayer(name="strided", M=24, C=3, H=27, W=27, R=5, S=5, U=2)


def tpu(rows: int, cols: int, unlimited: bool = False) -> Hardware:
    """``tpu-like`` at ``rows × cols`` (one word per cycle per ifmap / filter edge link), 64-bit
    psums; with ``unlimited`` every link unlimited."""
    hw = load_hardware("tpu-like").with_array(rows, cols)
    hw = replace(hw, precision=replace(hw.precision, psum_bits=64))
    if unlimited:
        hw = replace(hw, dram_words_per_cycle=INF, glb_words_per_cycle=INF,
                     noc=replace(hw.noc, ifmap_words_per_cycle=INF, filter_words_per_cycle=INF,
                                 psum_words_per_cycle=INF, gon_words_per_cycle=INF, local_words_per_cycle=INF))
    return hw


def both_engines(layer: ConvLayer, hw: Hardware, df: str, mapping) -> tuple[int, int, object]:
    ana = evaluate(layer, hw, df, "analytic", mapping)
    cyc = evaluate(layer, hw, df, "cycle", mapping)
    assert cyc.timing.verified
    return ana.cycles, cyc.cycles, cyc


CASES = [(layer, rows, cols, df) for layer in (SMALL, STRIDED) for rows, cols in ((12, 14), (16, 16))
         for df in SYSTOLIC]


@pytest.mark.parametrize("layer, rows, cols, df", CASES,
                         ids=[f"{ly.name}-{r}x{c}-{df}" for ly, r, c, df in CASES])
def test_scalesim_mapping_analytic_vs_cycle(layer, rows, cols, df):
    """SCALE-Sim's im2col mapping (flattened loops, ragged last folds) on tpu-like: with
    unlimited links both engines give ``folds × (T + fill and drain)`` exactly; on tpu-like's
    own links the roofline stays at or below the cycle engine, within the cycle engine's own
    bandwidth stalls (no NoC-bound overestimate)."""
    free = tpu(rows, cols, unlimited=True)
    mapping = scalesim_mapping(layer, df, rows, cols, hw=free)
    ana, cyc, _ = both_engines(layer, free, df, mapping)
    shape = fold_shape(mapping)
    assert ana == cyc == shape.folds * (shape.steps + pass_overhead(mapping, free))
    hw = tpu(rows, cols)
    mapping = scalesim_mapping(layer, df, rows, cols, hw=hw)
    ana, cyc, res = both_engines(layer, hw, df, mapping)
    bandwidth_stalls = sum(v for k, v in res.timing.stall_cycles.items() if k != "pipeline")
    assert cyc - bandwidth_stalls <= ana <= cyc


@pytest.mark.parametrize("df", SYSTOLIC)
def test_mapper_mapping_analytic_vs_cycle(df):
    """The mapper's own mapping (cycles objective) of the small layer on tpu-like 12×14: the
    roofline is a lower bound within the cycle engine's bandwidth stalls."""
    hw = tpu(12, 14)
    mapping = best_mapping(SMALL, hw, df, objective="cycles", budget=Budget(200, 200, 1)).mapping
    ana, cyc, res = both_engines(SMALL, hw, df, mapping)
    bandwidth_stalls = sum(v for k, v in res.timing.stall_cycles.items() if k != "pipeline")
    assert cyc - bandwidth_stalls <= ana <= cyc


def test_alexnet_conv5_not_noc_bound():
    """The bug's case, analytic only (the cycle engine takes a minute on it): AlexNet CONV5
    sys-os on tpu-like 12×14 under SCALE-Sim's mapping is compute bound — its roofline is the
    compute steps plus every fold's fill and drain, not the filter words over one link."""
    hw = load_hardware("tpu-like").with_array(12, 14)
    layer = ConvLayer(name="CONV5", M=256, C=192, H=15, W=15, R=3, S=3)
    mapping = scalesim_mapping(layer, "sys-os", 12, 14, hw=hw)
    res = evaluate(layer, hw, "sys-os", "analytic", mapping)
    shape = fold_shape(mapping)
    assert res.cycles == shape.folds * (shape.steps + pass_overhead(mapping, hw))
    # the old one-link bound: every filter word over a single 1-word link
    assert res.cycles < res.counts[NOC, FILTER, TRANSACTIONS] / hw.noc.filter_words_per_cycle / 10


def _hw(rates) -> Hardware:
    i, f, p, dram, glb = rates
    return Hardware(name="sys", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=64), glb=Buffer(shared_words=1 << 20),
                    noc=NoC(kind=NocKind.SYSTOLIC, ifmap_words_per_cycle=i, filter_words_per_cycle=f,
                            psum_words_per_cycle=p, gon_words_per_cycle=p, local_words_per_cycle=1),
                    precision=Precision(psum_bits=64), dram_words_per_cycle=dram, glb_words_per_cycle=glb)


RATES = st.tuples(st.sampled_from([1, 2]), st.sampled_from([1, 2]), st.sampled_from([1, 4]),
                  st.sampled_from([INF, 1, 4, 16]), st.sampled_from([INF, 4, 16, 128]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(layers(), st.sampled_from(SYSTOLIC), st.integers(0, 2**32 - 1), st.booleans(), st.booleans(), RATES,
       st.data())
def test_roofline_is_a_lower_bound(layer, df, seed, ragged, flat, rates, data):
    """Random tiny layers and random systolic mappings on 8×8 (ragged half the time, with a
    flattened group half the time), random link rates: analytic ≤ cycle engine (plus the final
    ofmap writes the cycle engine does not wait for); with every link unlimited, equal."""
    try:
        mapping = random_mapping_8x8(layer, df, seed)
    except ValueError:
        reject()
    if ragged:
        layer = shrink_bounds(layer, mapping, data.draw)
    if flat:
        pool = legal_groups(mapping, df)
        if not pool:
            reject()
        mapping = flatten(mapping, layer, [data.draw(st.sampled_from(pool))], data.draw)
    free = _hw((INF,) * 5)
    for hw in (_hw(rates), free):
        window = window_flags(template(df), hw)
        counts = count_mapping(mapping, layer, window)
        try:
            check_fits(mapping, counts, hw)
        except CapacityError:
            reject()
        ana = analytic_cycles(counts.counts, counts.compute_steps, hw, mapping, layer)
        out = run_cycle(layer, hw, mapping, window)
        tail = math.ceil(counts.counts[DRAM, PSUM, WRITES] / hw.dram_words_per_cycle)
        assert ana <= out.cycles + tail
        if hw is free:
            assert ana == out.cycles
            assert out.passes == valid_folds(mapping, layer)
