"""The analytic engine on a sparse-PE machine (``Hardware.sparse_pe``): issue 17's properties.

- with all densities 1 the sparse PE keeps the dense PE's counts (counts are never changed) and,
  at SIMD 1 on a perfect mapping, its cycles;
- skipping never increases cycles: a layer at densities < 1 takes no more cycles than at 1;
- ``LayerResult.sparse`` conserves the MACs and its busiest PE's cycles are the roofline's compute
  part; the energy charges the ALU per effective MAC;
- inferences per second and per joule of a whole-network run follow from its cycles and energy.
"""

from __future__ import annotations

import math
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from accelsim.drivers.simulate import simulate_network
from accelsim.io.presets import load_hardware, load_workload
from accelsim.sim.evaluate import evaluate
from accelsim.spec.hardware import Buffer, Hardware, SparsePe
from accelsim.spec.layer import ConvLayer, Workload

from strategies import DATAFLOWS, layers, random_mapping_8x8, shrink_bounds

DENSE = Hardware(name="dense8x8", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=1 << 20),
                 glb=Buffer(shared_words=1 << 22))


def _with_densities(layer: ConvLayer, d_i: float, d_w: float) -> ConvLayer:
    return replace(layer, ifmap_density=d_i, filter_density=d_w)


@settings(max_examples=40, deadline=None)
@given(layer=layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1),
       simd=st.integers(1, 3), d_i=st.floats(0.05, 1.0), d_w=st.floats(0.05, 1.0), data=st.data())
def test_sparse_pe_properties(layer, dataflow, seed, simd, d_i, d_w, data):
    mapping = random_mapping_8x8(layer, dataflow, seed)
    padded = data.draw(st.booleans())
    if padded:
        layer = shrink_bounds(layer, mapping, data.draw)
    sparse_hw = replace(DENSE, name="sparse8x8", sparse_pe=SparsePe(simd=simd))
    dense = evaluate(layer, DENSE, dataflow, "analytic", mapping)
    full = evaluate(_with_densities(layer, 1.0, 1.0), sparse_hw, dataflow, "analytic", mapping)
    thin = evaluate(_with_densities(layer, d_i, d_w), sparse_hw, dataflow, "analytic", mapping)
    for r in (full, thin):
        assert (r.counts == dense.counts).all()                       # counts stay the dense nest's
        s = r.sparse
        assert s.expected and s.macs == dense.macs
        assert s.effective_macs + s.zero_iact_macs + s.zero_weight_macs == s.macs
        assert r.compute_cycles == s.pe_cycles_max
        assert r.cycles >= r.compute_cycles
    assert full.sparse.effective_macs == dense.macs and full.sparse.zero_iact_macs == 0
    assert thin.cycles <= full.cycles and thin.sparse.pe_cycles_max <= full.sparse.pe_cycles_max
    assert full.energy["ALU"] == dense.energy["ALU"]
    assert thin.energy["ALU"] <= full.energy["ALU"]
    if simd == 1:
        # dense data at one MAC a cycle: every PE takes its valid MACs; a perfect nest's busiest
        # PE is busy at every compute step
        assert full.sparse.pe_cycles_max <= dense.compute_cycles
        if not padded:
            assert full.sparse.pe_cycles_max == dense.compute_cycles and full.cycles == dense.cycles


def test_network_rates_follow_cycles_and_energy():
    wl = load_workload("mobilenet_v1_0.5_128_sparse").select(["pw3", "dw10"])
    hw = load_hardware("eyeriss-v2")
    run = simulate_network(wl, hw, dataflow="rs-plus", engine="analytic", batch=2)
    seconds = sum(r.cycles for r in run.layers) / hw.clock_hz
    joules = sum(r.energy_total for r in run.layers) * 1e-12
    tot = run.total()
    assert math.isclose(tot["inferences_per_s"], 2 / seconds, rel_tol=1e-12)
    assert math.isclose(tot["inferences_per_j"], 2 / joules, rel_tol=1e-12)
    assert all(r.sparse is not None and r.sparse.expected for r in run.layers)


def test_network_rates_unknown_without_pj_or_with_an_infeasible_layer():
    wl = Workload(name="w", layers=(ConvLayer(name="a", N=1, M=4, C=4, H=3, W=3, R=3, S=3),))
    run = simulate_network(wl, load_hardware("eyeriss"), dataflow="rs", engine="analytic")
    tot = run.total()
    assert tot["inferences_per_s"] > 0 and tot["inferences_per_j"] is None   # energy in MAC units
    assert replace(run, layers=(replace(run.layers[0], status="infeasible", reason="x"),)).total()[
        "inferences_per_s"] is None


def test_cli_run_prints_the_network_rates(tmp_path, capsys):
    """``accelsim run`` prints inferences/s and /J under its table and writes them in ``total``;
    the analytic engine runs a sparse-PE machine and records the expected work."""
    import json

    from accelsim.cli.main import main

    wl = tmp_path / "wl.yaml"
    wl.write_text("version: 1\nname: w\nsource: test\nlayers:\n"
                  "  - {name: a, M: 8, C: 4, H: 6, W: 6, R: 3, S: 3, density: {ifmap: 0.5, filter: 0.5}}\n")
    out_json = tmp_path / "r.json"
    code = main(["run", str(wl), "--hardware", "eyeriss-v2", "--no-progress", "--json", str(out_json)])
    text = capsys.readouterr().out
    assert code == 0, text
    doc = json.loads(out_json.read_text())
    tot = doc["total"]
    assert math.isclose(tot["inferences_per_s"], 200e6 / tot["cycles"], rel_tol=1e-12)
    assert f"{tot['inferences_per_s']:,.1f} inferences/s" in text and "inferences/J" in text
    assert doc["layers"][0]["sparse"]["expected"] is True


def test_cli_validate_engine_and_json_only_where_they_exist(capsys):
    from accelsim.cli.main import main

    assert main(["validate", "isca16", "--engine", "cycle"]) == 2
    err = capsys.readouterr().err
    assert "eyeriss-v2" in err and "--engine" in err and "Traceback" not in err
