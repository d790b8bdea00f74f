"""NoC kinds in the cycle engine: they change timing, never counts or outputs."""

from dataclasses import replace

import numpy as np
import pytest

from accelsim.dataflows import template
from accelsim.dataflows.lowering import window_flags
from accelsim.io.presets import load_hardware, load_workload
from accelsim.layout import IFMAP, NOC, READS, TRANSACTIONS
from accelsim.sim.cycle import random_inputs, reference_conv, run_cycle
from accelsim.drivers.simulate import simulate
from accelsim.spec.dims import Dim, LoopKind, NocKind
from accelsim.spec.hardware import Buffer, Hardware, NoC
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping


@pytest.fixture(scope="module")
def case():
    hw = load_hardware("eyeriss")
    layer = load_workload("alexnet").layers[4]  # conv5, batch 1
    mapping = simulate(layer, hw, "rs", objective="edp").mapping
    return layer, hw, mapping


def _run(layer, hw, mapping, kind):
    hw = replace(hw, noc=replace(hw.noc, kind=kind))
    ifmap, filters = random_inputs(layer, 3)
    out = run_cycle(layer, hw, mapping, window_flags(template("rs"), hw), ifmap, filters)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters, hw.precision.psum_bits))
    return out


def test_kinds_change_timing_not_counts(case):
    layer, hw, mapping = case
    # (the hierarchical mesh needs clusters: tests/test_hmesh_cycle.py)
    runs = {kind: _run(layer, hw, mapping, kind) for kind in NocKind if kind is not NocKind.HMESH}
    base = runs[NocKind.GIN]
    for out in runs.values():
        assert np.array_equal(out.counts, base.counts)
        assert out.compute_cycles == base.compute_cycles
    # a unicast NoC sends one packet per destination PE: never faster than multicast
    assert runs[NocKind.UNICAST].cycles >= base.cycles
    assert runs[NocKind.UNICAST].stall_cycles["noc_ifmap"] > base.stall_cycles["noc_ifmap"]
    # one shared broadcast bus carries ifmap, filter and psum-in words together
    assert runs[NocKind.BROADCAST].stall_cycles["noc_filter"] == 0


def test_unicast_ifmap_stalls_at_least_delivered_words_over_width(case):
    """With only the ifmap bus finite, unicast stalls are the sum over steps of
    ceil(per-step deliveries / width), so at least the delivered words over the width (the
    exact per-step rule is checked by hand in ``test_hand_counted_kinds``)."""
    layer, hw, mapping = case
    inf = float("inf")
    narrow = replace(hw, glb_words_per_cycle=inf, dram_words_per_cycle=inf,
                     noc=replace(hw.noc, filter_words_per_cycle=10**9, psum_words_per_cycle=10**9,
                                 gon_words_per_cycle=10**9, local_words_per_cycle=10**9))
    gin = _run(layer, narrow, mapping, NocKind.GIN)
    uni = _run(layer, narrow, mapping, NocKind.UNICAST)
    # every delivered ifmap word costs unicast bus time; multicast pays once per distinct word
    assert uni.stall_cycles["noc_ifmap"] >= gin.stall_cycles["noc_ifmap"]
    delivered = int(uni.counts[NOC, IFMAP, READS])
    assert uni.stall_cycles["noc_ifmap"] >= delivered / hw.noc.ifmap_words_per_cycle


@pytest.mark.parametrize("kind, stalls", [
    # per step: ifmap words c0, c1, each wanted by both M columns; 4 distinct filter words
    # GIN: one multicast per distinct ifmap word, 2 words / 1 per cycle = 2 cycles a step
    (NocKind.GIN, 2 * 2),
    # unicast: one packet per destination PE, 4 packets / 1 per cycle = 4 cycles a step
    (NocKind.UNICAST, 2 * 4),
    # broadcast: one bus of the ifmap bus's width carries the 2 ifmap and 4 filter words: 6
    (NocKind.BROADCAST, 2 * 6),
])
def test_hand_counted_kinds(kind, stalls):
    """E = 2 steps on 2 × 2 PEs (C on rows, psums summed on the local link; M on columns), no
    RF, ifmap bus 1 word per cycle, every other bus 4, unlimited DRAM: each step waits for
    its operands, then MACs (depth 1), so cycles = 2 × (wait + 1). Filter words (4 per step
    over a 4-word bus: 1 cycle) hide under the ifmap wait."""
    layer = ConvLayer(name="t", M=2, C=2, H=2, W=1, R=1, S=1)
    mapping = Mapping(loops=(Loop(Dim.E, 2), Loop(Dim.C, 2, LoopKind.ROW), Loop(Dim.M, 2, LoopKind.COL)))
    hw = Hardware(name="t2x2", pe_rows=2, pe_cols=2, rf=Buffer(shared_words=64), glb=Buffer(shared_words=4096),
                  noc=NoC(kind=kind, ifmap_words_per_cycle=1, filter_words_per_cycle=4, psum_words_per_cycle=4,
                          gon_words_per_cycle=4, local_words_per_cycle=4),
                  glb_words_per_cycle=16.0, dram_words_per_cycle=float("inf"), pe_pipeline_depth=1)
    assert not hw.model.rf_prefetch  # the default: a fill waits for the bus
    ifmap, filters = random_inputs(layer, 1)
    out = run_cycle(layer, hw, mapping, 0, ifmap, filters)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters, hw.precision.psum_bits))
    assert out.compute_cycles == 2
    assert {k: v for k, v in out.stall_cycles.items() if v} == {"noc_ifmap": stalls}
    assert out.cycles == 2 + stalls
    # the NoC counts are the kind-independent words: 2 ifmap words to 2 PEs each, per step
    assert out.counts[NOC, IFMAP, READS] == 2 * 4 and out.counts[NOC, IFMAP, TRANSACTIONS] == 2 * 2
