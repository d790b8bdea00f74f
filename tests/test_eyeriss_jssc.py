"""The Eyeriss chip's own RS mappings (JSSC 2017 Table III) for AlexNet CONV3-5.

Published values (accelsim/reference/eyeriss_chip.json, ISSCC 2016 Fig. 14.5.6): 156 active PEs
for each of CONV3, CONV4 and CONV5 at batch 4. Active PEs are a structural count, so the
comparison is exact.
"""

import json
from pathlib import Path

import pytest

import accelsim
from accelsim.sim.counting import check_fits, count_mapping

REF = json.loads((Path(accelsim.__file__).with_name("reference") / "eyeriss_chip.json").read_text())
MEASURED = dict(zip(["power_mw", "latency_ms", "mmacs", "active_pes", "filter_weights", "glb_access_mb",
                     "dram_access_mb"], zip(*[REF["measured_alexnet_conv_isscc2016_fig_14_5_6"][f"CONV{i}"]
                                              for i in range(1, 6)])))


@pytest.fixture(scope="module")
def chip():
    hw = accelsim.load_hardware("eyeriss")
    wl = accelsim.load_workload("alexnet")
    return hw, wl, accelsim.load_mapping("eyeriss_jssc_alexnet", wl, 4)


@pytest.mark.parametrize("layer", ["conv3", "conv4", "conv5"])
def test_active_pes_equal_the_measured_156(chip, layer):
    hw, wl, mappings = chip
    index = int(layer[-1]) - 1
    m = mappings[layer]
    rows, cols = m.spatial_shape()
    assert (rows, cols) == (12, 13)  # t (and r) PE sets stacked vertically, e = 13 columns
    assert m.active_pes == MEASURED["active_pes"][index] == 156
    layer_obj = wl.with_batch(4).layers[index]
    counts = count_mapping(m, layer_obj, window=0)
    check_fits(m, counts, hw)  # the chip's spads (12/224/24 words) and GLB hold every tile
    assert counts.counts[0, 2, 0] == 0  # psums never spill to DRAM


def test_jssc_mappings_run_in_both_engines(chip):
    hw, wl, mappings = chip
    layer = wl.with_batch(4).select(["conv5"]).layers[0]
    ana = accelsim.simulate(layer, hw, "rs", mapping=mappings["conv5"])
    cyc = accelsim.simulate(layer, hw, "rs", engine="cycle", mapping=mappings["conv5"])
    assert cyc.timing["verified"] and cyc.timing["counts_match_analytic"]
    assert ana.active_pes == cyc.active_pes == 156
    # compute alone is the MACs spread over 156 PEs
    assert cyc.compute_cycles == layer.macs // 156


def test_latency_batch4_conv3_to_5_within_20_percent_of_measured(chip):
    """ISSCC 2016 Fig. 14.5.6 measured 23.6 / 18.4 / 10.5 ms for CONV3-5 at batch 4 (200 MHz).

    Tolerance ±20 % (the issue's): our GLB bandwidth (16 words/cycle) and DRAM timing are
    assumptions the papers do not publish, and the chip's RLC-compressed DRAM traffic and
    zero gating are not modelled yet.
    """
    hw, wl, mappings = chip
    run = accelsim.simulate_network(wl.select(["conv3", "conv4", "conv5"]), hw, "rs", engine="cycle", batch=4,
                                    mappings=mappings, jobs=2)
    for r in run.layers:
        measured = MEASURED["latency_ms"][int(r.layer.name[-1]) - 1]
        simulated = r.timing["seconds"] * 1e3
        assert r.timing["verified"]
        assert simulated == pytest.approx(measured, rel=0.20), (r.layer.name, simulated, measured)


def test_rf_prefetch_only_changes_timing(chip):
    """Double-buffered scratch pads move the same words earlier: counts equal, never slower."""
    from dataclasses import replace

    hw, wl, mappings = chip
    layer = wl.with_batch(1).select(["conv5"]).layers[0]
    m = accelsim.simulate(layer, hw, "rs", objective="edp").mapping
    on = accelsim.simulate(layer, hw, "rs", engine="cycle", mapping=m)
    off = accelsim.simulate(layer, replace(hw, rf_prefetch=False), "rs", engine="cycle", mapping=m)
    assert (on.counts == off.counts).all()
    assert on.compute_cycles == off.compute_cycles
    assert on.cycles <= off.cycles
