"""The analytic engine's roofline cycles on non-systolic NoCs (GIN, unicast), against the cycle engine.

The cycle engine (``kernels.step_timing.time_step``) moves psums out of the array over the GON
and earlier psums back in over the psum GIN on two queues of their own, concurrently; the GLB's
read-modify-writes of those psums queue with the GON, apart from the GLB traffic a step waits
for. The roofline (``kernels.analytic.roofline_cycles``) charges each of these on its own, so it
is a lower bound of the cycle engine: analytic ≤ cycle engine, except that the cycle engine does
not wait for the last ofmap words to reach DRAM (up to ``⌈DRAM psum writes / DRAM rate⌉``
cycles, as in tests/test_systolic_roofline.py); with every bus unlimited the two agree up to the
pipeline drain the cycle engine adds to every pass.

Before the fix the roofline put both psum directions on one bus at the slower rate: AlexNet
CONV3 on isca16-256-ws (the mapper's energy pick) came out at 8.29 M analytic cycles where the
cycle engine ran it in 4.35 M (FC2: 8.39 M vs 4.26 M); the two fixed cases below fail the
same way on the old code.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from strategies import layers, random_mapping_8x8

from accelsim.dataflows import template
from accelsim.dataflows.lowering import window_flags
from accelsim.errors import CapacityError
from accelsim.io.presets import load_hardware
from accelsim.layout import DRAM, GLB, NOC, PSUM, TRANSACTIONS, UPDATES, WRITES
from accelsim.search.mapper import Budget, best_mapping
from accelsim.sim.counting import check_fits, count_mapping
from accelsim.sim.cycle import pass_overhead, run_cycle
from accelsim.sim.evaluate import analytic_cycles, evaluate
from accelsim.spec.dims import NocKind
from accelsim.spec.hardware import Buffer, Hardware, NoC
from accelsim.spec.layer import ConvLayer

INF = math.inf
NON_SYSTOLIC = ("rs", "ws", "osa", "nlr")
#: scaled-down AlexNet CONV3 (3×3, 13×13 ofmaps) and FC2: psum-bound on isca16-256-ws like the originals
CONV = ConvLayer(name="conv3s", M=24, C=32, H=15, W=15, R=3, S=3)
FC = ConvLayer(name="fc2s", M=64, C=256, H=1, W=1, R=1, S=1)


def _dram_tail(counts, hw: Hardware) -> int:
    """Cycles the cycle engine may finish before the last ofmap writes reach DRAM."""
    return math.ceil(counts[DRAM, PSUM, WRITES] / hw.dram_words_per_cycle)


@pytest.mark.parametrize("layer", [CONV, FC], ids=["conv3s", "fc2s"])
def test_isca16_ws_psum_bound_layers(layer):
    """isca16-256-ws, the mapper's energy pick: both psum directions carry words, and one bus at
    the slower rate (the old roofline) would be slower than the cycle engine; the roofline is at
    or below it."""
    hw = load_hardware("isca16-256-ws")
    mapping = best_mapping(layer, hw, "ws", budget=Budget(300, 300, 1)).mapping
    ana = evaluate(layer, hw, "ws", "analytic", mapping)
    cyc = evaluate(layer, hw, "ws", "cycle", mapping)
    assert cyc.timing.verified
    c = ana.counts
    parent = GLB if c[GLB, PSUM, UPDATES] > 0 else DRAM
    out_words = c[parent, PSUM, UPDATES]
    in_words = c[NOC, PSUM, TRANSACTIONS] - out_words
    assert out_words > 0 and in_words > 0
    # the bus bound the old roofline charged: both directions at the slower rate
    old_bound = c[NOC, PSUM, TRANSACTIONS] / min(hw.noc.psum_words_per_cycle, hw.noc.gon_words_per_cycle)
    assert old_bound > cyc.cycles + _dram_tail(c, hw)
    assert ana.cycles <= cyc.cycles + _dram_tail(c, hw)


def _hw(kind: NocKind, dataflow: str, rates, local=1) -> Hardware:
    """8×8 PEs, a 64 K-word GLB, 32 RF words a PE (nlr: none); bus widths ``rates`` = (ifmap,
    filter, psum GIN, GON, DRAM, GLB) words a cycle; ``local`` for the PE-to-PE psum links (the
    roofline does not bound them)."""
    i, f, p, g, dram, glb = rates
    return Hardware(name="gin", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=0 if dataflow == "nlr" else 32),
                    glb=Buffer(shared_words=1 << 16),
                    noc=NoC(kind=kind, ifmap_words_per_cycle=i, filter_words_per_cycle=f, psum_words_per_cycle=p,
                            gon_words_per_cycle=g, local_words_per_cycle=local),
                    dram_words_per_cycle=dram, glb_words_per_cycle=glb)


RATES = st.tuples(st.sampled_from([1, 4]), st.sampled_from([1, 4]), st.sampled_from([1, 2, 4]),
                  st.sampled_from([1, 2, 4]), st.sampled_from([INF, 1, 4]), st.sampled_from([INF, 1, 2, 16]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(layers(), st.sampled_from(NON_SYSTOLIC), st.sampled_from([NocKind.GIN, NocKind.UNICAST]),
       st.integers(0, 2**32 - 1), RATES)
def test_roofline_is_a_lower_bound(layer, dataflow, kind, seed, rates):
    """Random tiny layers, random mappings of rs / ws / osa / nlr on 8×8, random bus, GLB and DRAM
    rates (GIN and unicast NoCs): analytic ≤ cycle engine plus the final ofmap writes it does not
    wait for; with everything unlimited, analytic = cycle engine less its pipeline drains."""
    try:
        mapping = random_mapping_8x8(layer, dataflow, seed)
    except ValueError:
        reject()
    window = window_flags(template(dataflow), _hw(kind, dataflow, rates))
    counts = count_mapping(mapping, layer, window)
    free = _hw(kind, dataflow, (INF,) * 6, local=INF)
    for hw in (_hw(kind, dataflow, rates), free):
        try:
            check_fits(mapping, counts, hw)
        except CapacityError:
            reject()
        ana = analytic_cycles(counts.counts, counts.compute_steps, hw, mapping, layer)
        out = run_cycle(layer, hw, mapping, window)
        assert ana <= out.cycles + _dram_tail(counts.counts, hw)
        if hw is free:
            assert ana == out.cycles - pass_overhead(mapping, hw) * out.passes
