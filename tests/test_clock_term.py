"""The clock/static energy term (issue 16, part 6) where #16 left it out: the mapper's energy and
EDP objectives score it (the term × the mapping's cycles, as the result charges it), and a sweep's
``records.csv`` carries it as ``energy_clock`` (the same number as the layer's ``clock``
component and its ``components.csv`` row, part of ``energy_total``; empty without such a term)."""

from __future__ import annotations

from dataclasses import replace

import pytest

import accelsim
from accelsim.dataflows import template
from accelsim.drivers.sweep import sweep
from accelsim.io.presets import load_hardware
from accelsim.io.sweepstore import read_sweep
from accelsim.search.mapper import BUDGETS, BudgetSize, exact_score
from accelsim.spec.dims import Dataflow

# a small point-wise layer both presets map quickly
TINY = """\
version: 1
name: tinypw
layers:
  - {name: pw, M: 16, C: 16, H: 6, W: 6, R: 1, S: 1}
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    root = tmp_path_factory.mktemp("clock")
    (root / "tinypw.yaml").write_text(TINY, encoding="utf-8")
    out = root / "out"
    spec = {"version": 1, "workloads": [str(root / "tinypw.yaml")], "hardware": ["eyeriss-v1-192", "eyeriss"],
            "energy": "hardware", "dataflows": ["rs"], "budget": {"samples": 200, "climb": 200, "starts": 2}}
    records = sweep(spec, progress=False, out=out)
    return records, read_sweep(out)


def test_records_carry_the_clock_term(swept):
    records, (frame_records, components) = swept
    by_hw = {r["hardware"]: r for r in records}
    v1 = by_hw["eyeriss-v1-192"]
    assert v1["status"] == "ok", v1["reason"]
    # the term is clock_pj_per_pe_cycle x PEs x cycles (the preset: 4.6 pJ per PE per cycle, 192 PEs)
    assert v1["energy_clock"] == pytest.approx(4.6 * 192 * v1["cycles"])
    parts = sum(v1[f"energy_{c}"] for c in ("ALU", "RF", "NoC", "GLB", "DRAM"))
    assert v1["energy_total"] == pytest.approx(parts + v1["energy_clock"])
    assert by_hw["eyeriss"]["status"] == "ok" and by_hw["eyeriss"]["energy_clock"] is None
    # what streamed to disk: the record's column and the clock row of components.csv agree
    on_disk = {r["hardware"]: r for r in frame_records}
    assert on_disk["eyeriss-v1-192"]["energy_clock"] == pytest.approx(v1["energy_clock"])
    assert on_disk["eyeriss"]["energy_clock"] is None
    clock_rows = [c for c in components if c["component"] == "clock"]
    assert len(clock_rows) == 1 and clock_rows[0]["case"] == v1["case"]
    assert clock_rows[0]["energy"] == pytest.approx(v1["energy_clock"])


@pytest.mark.parametrize(("preset", "dataflow", "layer_name"), [("eyeriss-v1-192", "rs", "pw6"),
                                                                 ("eyeriss-v1.5", "rs-plus", "dw6")])
def test_the_energy_objective_scores_the_clock_term(preset, dataflow, layer_name):
    """The mapper's score of its pick is the result's total energy, clock included (times the
    objective's utilisation tie-break); EDP is that energy × the cycles. With the term set to 0
    the score drops by exactly the clock component. Zero gating is off: the objective scores the
    dense counts, the result takes the gated MACs and reads off."""
    hw = load_hardware(preset)
    hw = replace(hw, effects=replace(hw.effects, zero_gating=False))
    assert hw.access_costs.clock_per_cycle > 0
    layer = accelsim.load_workload("mobilenet_v1_0.5_128").select([layer_name]).layers[0]
    r = accelsim.simulate(layer, hw, dataflow, budget=BUDGETS[BudgetSize.QUICK])
    assert r.ok, r.reason
    clock = r.energy["clock"]
    assert clock == pytest.approx(r.cycles * hw.access_costs.clock_per_cycle)
    tpl = template(Dataflow(dataflow))
    tie = 1.0 + 1e-5 * r.compute_cycles * hw.num_pes / r.macs
    assert exact_score(r.mapping, layer, hw, tpl, 0) == pytest.approx(r.energy_total * tie, rel=1e-9)
    assert exact_score(r.mapping, layer, hw, tpl, 2) == pytest.approx(r.energy_total * r.cycles, rel=1e-9)
    no_clock = replace(hw, energy=replace(hw.energy, clock_pj_per_pe_cycle=0.0))
    assert exact_score(r.mapping, layer, no_clock, tpl, 0) == pytest.approx((r.energy_total - clock) * tie, rel=1e-9)
