"""NoC kinds in the cycle engine: they change timing, never counts or outputs."""

from dataclasses import replace

import numpy as np
import pytest

from accelsim.dataflows import template
from accelsim.dataflows.lowering import window_flags
from accelsim.io.presets import load_hardware, load_workload
from accelsim.sim.cycle import random_inputs, reference_conv, run_cycle
from accelsim.sim.simulate import simulate
from accelsim.spec.dims import NocKind


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
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters))
    return out


def test_kinds_change_timing_not_counts(case):
    layer, hw, mapping = case
    runs = {kind: _run(layer, hw, mapping, kind) for kind in NocKind}
    base = runs[NocKind.GIN]
    for out in runs.values():
        assert np.array_equal(out.counts, base.counts)
        assert out.compute_cycles == base.compute_cycles
    # a unicast NoC sends one packet per destination PE: never faster than multicast
    assert runs[NocKind.UNICAST].cycles >= base.cycles
    assert runs[NocKind.UNICAST].stall_cycles["noc_ifmap"] > base.stall_cycles["noc_ifmap"]
    # one shared broadcast bus carries ifmap, filter and psum-in words together
    assert runs[NocKind.BROADCAST].stall_cycles["noc_filter"] == 0


def test_unicast_ifmap_stalls_equal_delivered_words_over_width(case):
    """With only the ifmap bus finite, unicast stalls are ceil(per-step deliveries / width)."""
    layer, hw, mapping = case
    inf = float("inf")
    narrow = replace(hw, glb_words_per_cycle=inf, dram_words_per_cycle=inf,
                     noc=replace(hw.noc, filter_words_per_cycle=10**9, psum_words_per_cycle=10**9,
                                 gon_words_per_cycle=10**9, local_words_per_cycle=10**9))
    gin = _run(layer, narrow, mapping, NocKind.GIN)
    uni = _run(layer, narrow, mapping, NocKind.UNICAST)
    # every delivered ifmap word costs unicast bus time; multicast pays once per distinct word
    assert uni.stall_cycles["noc_ifmap"] >= gin.stall_cycles["noc_ifmap"]
    delivered = int(uni.counts[2, 0, 0])
    assert uni.stall_cycles["noc_ifmap"] >= delivered / hw.noc.ifmap_words_per_cycle
