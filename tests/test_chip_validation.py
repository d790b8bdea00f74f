"""The Eyeriss chip reproduced: ``accelsim validate eyeriss`` and the GLB bank rule.

Published numbers are read from ``accelsim/reference/eyeriss_chip.json`` (ISSCC 2016 Fig.
14.5.6 per AlexNet CONV layer at batch 4; JSSC 2017 abstract for DRAM accesses per MAC);
simulated ones are computed by :mod:`accelsim.validation.eyeriss_chip` (one cycle-engine run of
AlexNet CONV1-5 per test session, shared with ``tests/test_eyeriss_jssc.py`` and the CLI test
through its cache). A published number the honest model misses is a strict xfail whose reason
gives the ratio simulated ÷ measured at the time of writing, never a tuned parameter.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import accelsim
from accelsim.validation import eyeriss_chip as cv
from accelsim.validation.eyeriss_chip import Quantity
from accelsim.cli.main import main
from accelsim.dataflows.lowering import capacity_array
from accelsim.errors import CapacityError, SpecError
from accelsim.kernels.search import _overflow
from accelsim.search.mapper import Budget, best_mapping
from accelsim.sim.counting import check_fits, count_mapping, glb_banks
from accelsim.spec.hardware import Buffer

LAYERS = cv.ALEXNET_CONV
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report():
    return cv.eyeriss_report(jobs=2)


@pytest.fixture(scope="module")
def rows(report):
    return {r.layer: r for r in report.rows}


def _with_xfail(layers, failing: dict):
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=failing[name]))
            if name in failing else name for name in layers]


# --------------------------------------------------------------------------- the published numbers
def test_reference_units_are_16_bit_words():
    """The abstract's AlexNet 0.0029 DRAM accesses per MAC equals Fig. 14.5.6's 15.4 MB over
    2663 MMACs only if one access is one 16-bit word (2 bytes) and MB is 1e6 bytes: the unit
    convention the report uses. Tolerance: the published numbers' rounding (0.0029 has two
    significant digits, ±0.00005 / 0.0029 ≈ 2 %)."""
    total = cv.measured("total")
    macs = cv.reference()[cv.MEASURED_KEY]["total"][2] * 1e6
    per_mac, batch, source = cv.published_dram_per_mac("alexnet")
    assert batch == cv.ALEXNET_BATCH and "JSSC" in source
    assert total[Quantity.DRAM_MB] * 1e6 / 2 / macs == pytest.approx(per_mac, rel=0.02)
    assert cv.published_dram_per_mac("vgg16")[:2] == (0.0035, 3)


def test_every_layer_runs_verified_with_the_chips_mappings(rows):
    """All five layers come from JSSC Table III (none falls back to the mapper) and the cycle
    engine's outputs equal a numpy convolution. Active PEs are structural: exact."""
    for name in LAYERS:
        r = rows[name]
        assert r.source is cv.MappingSource.JSSC, name
        assert r.verified, name
        c = r.values[Quantity.ACTIVE_PES]
        assert c.simulated == c.measured, name


@pytest.mark.parametrize("layer", _with_xfail(LAYERS, {
    "conv3": "simulated GLB accesses 1.48x measured (74.5 vs 50.2 MB): with q*r = 4 channels per pass "
             "(Table III) each psum is read and written in the GLB once per 36 MACs, 65 MB by itself; "
             "the chip's 50.2 MB implies fewer channel passes than the transcribed parameters give",
}))
def test_glb_accesses_within_25_percent(rows, layer):
    """GLB accesses (reads + writes, every data type) within ±25 % of Fig. 14.5.6.

    Tolerance ±25 % (the issue's): the chip reports one number per layer without a per-type
    split; JSSC Table III fixes the shape of a pass but not the order of passes (how often a
    GLB tile is refilled); and the chip's FIFOs, the psum read-before-first-write and the
    ifmap halo handling in the GLB are not published — each moves the count by percents.
    """
    c = rows[layer].values[Quantity.GLB_MB]
    assert c.simulated == pytest.approx(c.measured, rel=0.25), (layer, c)


def _psum_glb_lower_bound_words(layer: str) -> int:
    """Fewest GLB psum accesses any pass order allows with the layer's Table III parameters.

    Worked out from the shapes alone, not by the simulator: a pass reduces ``q·r`` channels
    (``q`` in a PE's spad, ``r`` down the array), and a PE's 24-word psum spad holds the
    ``p`` psums of one ofmap pixel only, so a psum leaves the array after every pass. Between
    two consecutive channel passes each ofmap word is written to the GLB and read back:
    ``ofmap · 2·(ceil(C/(q·r)) − 1)`` words per group (ISCA 2016 Eq. 4's ``2a(b − 1)``; the
    first pass's write and the final read towards DRAM are left out, so this is a floor).
    """
    params = cv.reference()["rs_mapping_parameters_alexnet_batch4"][layer.upper()]
    shape = next(lyr for lyr in accelsim.load_workload("alexnet").layers if lyr.name == layer)
    c_per_group = shape.C // shape.G
    passes = -(-c_per_group // (params["q"] * params["r"]))
    ofmap_words = cv.ALEXNET_BATCH * shape.M * shape.E * shape.F
    return ofmap_words * 2 * (passes - 1)


def test_conv3_transcribed_parameters_cannot_meet_the_glb_measurement():
    """Why ``test_glb_accesses_within_25_percent[conv3]`` is a strict xfail.

    With the transcribed CONV3 parameters (q·r = 4: 64 channel passes of C = 256) the psum
    accesses alone exceed 1.25 × the chip's measured 50.2 MB of all GLB accesses, whatever the
    pass order and whatever the simulator: no model can meet ±25 % with these parameters.
    CONV4 and CONV5 (q·r = 6, 32 passes) stay below their measurements, as a model must.
    """
    bytes_per_word = 2
    bound_mb = {name: _psum_glb_lower_bound_words(name) * bytes_per_word / 1e6 for name in ("conv3", "conv4", "conv5")}
    measured_mb = {name: cv.measured(name)[Quantity.GLB_MB] for name in bound_mb}
    assert bound_mb["conv3"] > 1.25 * measured_mb["conv3"], (bound_mb, measured_mb)
    assert bound_mb["conv4"] < measured_mb["conv4"], (bound_mb, measured_mb)
    assert bound_mb["conv5"] < measured_mb["conv5"], (bound_mb, measured_mb)


@pytest.mark.parametrize("layer", _with_xfail(LAYERS, {
    "conv3": "simulated DRAM 1.27x measured (3.8 vs 3.0 MB): the psums of two filter blocks do not fit "
             "the 25 banks (filter_blocks = 1), so the ifmap is re-read from DRAM for each of the 6 blocks",
}))
def test_dram_accesses_within_25_percent(rows, layer):
    """DRAM accesses (RLC-compressed fmaps, dense filters) within ±25 % of Fig. 14.5.6.

    Tolerance ±25 % (the issue's): the RLC code size depends on the zero pattern of real
    AlexNet activations, of which JSSC publishes only CONV2's ~40 % and CONV5's ~75 % zeros
    (CONV3-4 interpolated; an ofmap has the next layer's input zeros); and Table III does not fix the order of the
    passes, which sets how often the ifmap and the filters are re-read from DRAM.
    """
    r = rows[layer]
    assert r.dram_compressed, "the eyeriss preset compresses fmaps (dram_rlc) and results record it"
    c = r.values[Quantity.DRAM_MB]
    assert c.simulated == pytest.approx(c.measured, rel=0.25), (layer, c)


def test_vgg16_dram_accesses_per_mac_within_25_percent(report):
    """VGG-16 CONV layers at batch 3: DRAM words per MAC within ±25 % of JSSC 2017's 0.0035.

    Tolerance ±25 %: the chip's VGG-16 mappings are not published (the mapper chooses each
    layer's), nor are VGG-16's activation zero fractions (the RLC code size assumes 50 %
    zeros after each ReLU).
    """
    d = report.vgg16
    assert d.batch == 3 and len(d.layers) == 13 and d.dram_compressed
    assert d.value.simulated == pytest.approx(d.value.measured, rel=0.25), d


# --------------------------------------------------------------------------- GLB banks
def test_chip_mappings_use_at_most_the_25_banks(rows):
    """Each layer's ifmap and psum tiles take whole 2048-word banks, never more than the chip's
    25 (an exact structural rule); the filters stay in their own two banks (4096 words)."""
    hw = accelsim.load_hardware("eyeriss")
    assert (hw.glb.bank_words, hw.glb.banks, hw.glb.filter_words) == (2048, 25, 4096)
    for name in LAYERS:
        r = rows[name]
        assert r.glb_bank_count == 25
        assert r.glb_banks[1] == 0, name
        assert 2 <= r.banks_used <= 25, (name, r.glb_banks)


def test_bank_rule_in_check_fits():
    """Words can fit while banks do not: 1000 ifmap + 3000 psum words = 4000 ≤ 4096 shared
    words, but they take 1 + 2 banks of 2048 and the pool has 2 (exact)."""
    buf = Buffer(shared_words=4096, filter_words=4096, bank_words=2048)
    assert buf.banks == 2
    assert buf.banks_needed((1000, 4096, 3000)) == (1, 0, 2)
    assert buf.overflow((1000, 4096, 3000)) is not None and "banks" in buf.overflow((1000, 4096, 3000))
    assert buf.overflow((1000, 4096, 2000)) is None
    assert Buffer(shared_words=4096, filter_words=4096).overflow((1000, 4096, 3000)) is None
    with pytest.raises(SpecError):
        Buffer(shared_words=None, bank_words=2048)


@given(st.tuples(*[st.integers(0, 60000)] * 3), st.sampled_from([(51200, 4096, 2048), (6144, 0, 2048),
                                                                  (8192, 512, 1024), (51200, 4096, 0),
                                                                  (1000, 0, 2048)]))
def test_kernel_capacity_check_agrees_with_the_buffer(usage, cap):
    """The mapper's numba check (``_overflow`` on ``capacity_array``) and ``Buffer.overflow``
    accept exactly the same usages, banked or not (exact)."""
    shared, filt, bank = cap
    hw = replace(accelsim.load_hardware("eyeriss"), glb=Buffer(shared_words=shared, filter_words=filt,
                                                               bank_words=bank))
    use = np.zeros((2, 3), dtype=np.int64)
    use[0] = usage
    assert (_overflow(use, capacity_array(hw), 0) == 0) == (hw.glb.overflow(usage) is None)


@pytest.mark.parametrize("layer", ["conv2", "conv5"])
def test_mapper_respects_banks(layer):
    """With a 6144-word pool the unbanked optimum of these layers needs 4 banks of 2048
    (1 ifmap + 3 psum); banked, the mapper finds another mapping within the 3 banks, and
    ``check_fits`` rejects the unbanked one (exact)."""
    base = accelsim.load_hardware("eyeriss")
    flat = replace(base, glb=Buffer(shared_words=6144, filter_words=4096))
    banked = replace(base, glb=Buffer(shared_words=6144, filter_words=4096, bank_words=2048))
    lay = accelsim.load_workload("alexnet").with_batch(1).select([layer]).layers[0]
    budget = Budget(samples=1000, climb=300, starts=4)
    m_flat = best_mapping(lay, flat, "rs", budget=budget).mapping
    m_bank = best_mapping(lay, banked, "rs", budget=budget).mapping
    c_flat, c_bank = count_mapping(m_flat, lay, 1), count_mapping(m_bank, lay, 1)
    assert sum(glb_banks(c_flat, banked)) > 3  # the case binds
    assert sum(glb_banks(c_bank, banked)) <= 3
    check_fits(m_bank, c_bank, banked)
    with pytest.raises(CapacityError, match="banks"):
        check_fits(m_flat, c_flat, banked)


def test_hardware_file_bank_key(tmp_path):
    """``glb_bank_words`` reaches ``Buffer.bank_words`` (in words, whether the sizes are given
    in words or bytes); a pool that is not a whole number of banks is rejected, naming the key."""
    text = (REPO / "workloads" / "hardware" / "eyeriss.yaml").read_text()
    assert "glb_bank_words: 2048" in text
    as_bytes = tmp_path / "bytes.yaml"
    as_bytes.write_text(text.replace("glb_words: {shared: 51200, filter: 4096}",
                                     "glb_bytes: {shared: 102400, filter: 8192}"))
    assert accelsim.load_hardware(as_bytes).glb == accelsim.load_hardware("eyeriss").glb
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("glb_bank_words: 2048", "glb_bank_words: 3000"))
    with pytest.raises(SpecError) as err:
        accelsim.load_hardware(bad)
    assert err.value.field == "glb_bank_words"


def test_a_pool_smaller_than_a_bank_has_no_banks():
    """Varying the pool of a banked GLB keeps the bank size: whole banks only (exact)."""
    assert Buffer(shared_words=5000, bank_words=2048).banks == 2
    small = Buffer(shared_words=1000, bank_words=2048)
    assert small.banks == 0 and small.overflow((1, 0, 0)) is not None and small.overflow((0, 0, 0)) is None


# --------------------------------------------------------------------------- the command
def test_cli_validate_eyeriss_json(report, tmp_path, capsys):
    """``--json`` writes the report the table prints; isca16 has no JSON report (exit 2)."""
    out = tmp_path / "chip.json"
    assert main(["validate", "eyeriss", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc == json.loads(json.dumps(report.to_dict()))
    assert main(["validate", "isca16", "--json", str(tmp_path / "x.json")]) == 2
    assert "--json" in capsys.readouterr().err


def test_cli_validate_eyeriss(report, capsys):
    """``accelsim validate eyeriss`` exits 0 and prints every layer, the totals and VGG-16."""
    code = main(["validate", "eyeriss"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    for name in (*LAYERS, "total"):
        assert any(line.startswith(name) for line in lines), name
    for published in ("115.3", "208.5", "15.4", "0.0035", "0.0029"):
        assert published in out
    assert "vgg16" in out and "JSSC" in out


def test_report_to_dict_is_json(report):
    doc = json.loads(json.dumps(report.to_dict()))
    assert [d["layer"] for d in doc["layers"]] == list(LAYERS)
    assert doc["total"]["latency_ms"]["measured"] == 115.3
    assert doc["layers"][2]["glb_banks"]["available"] == 25


def test_on_chip_power_within_the_estimates_factor_of_two(rows):
    """The chip's measured power (ISSCC 2016 Fig. 14.5.6: 332 / 288 / 266 / 235 / 236 mW) against
    the on-chip energy (ALU, RF, NoC, GLB) priced with the ``65nm-pj`` table over the simulated
    latency. Lower bound 0.5: the table is an estimate good to a factor of two (its file derives
    it from Horowitz ISSCC 2014 scaled to 65 nm). Upper bound 1.0: the model leaves out the clock
    tree, control and leakage that the measurement includes, so an estimate above the chip's
    whole power would mean the table errs high by more than those parts — worth a failure."""
    for name in LAYERS:
        p = rows[name].power_mw
        assert p is not None and p.measured == cv.measured_power_mw(name)
        assert 0.5 <= p.ratio <= 1.0, (name, p)


def test_layer_power_from_a_pj_table():
    """``LayerResult.power_mw``: pJ over the layer's seconds; None for energy in MAC units."""
    from accelsim.io.presets import load_energy

    hw = accelsim.load_hardware("eyeriss")
    layer = accelsim.load_workload("alexnet").select(["conv5"]).layers[0]
    mac_units = accelsim.simulate(layer, hw, "rs")
    assert mac_units.power_mw() is None and "power_mw" not in mac_units.to_dict()
    pj = accelsim.simulate(layer, replace(hw, energy=load_energy("65nm-pj")), "rs", mapping=mac_units.mapping)
    seconds = pj.cycles / hw.clock_hz
    dram = sum(pj.energy["DRAM"].values())
    assert pj.power_mw()["total"] == pytest.approx(pj.energy_total * 1e-12 / seconds * 1e3)
    assert pj.power_mw()["on_chip"] == pytest.approx((pj.energy_total - dram) * 1e-12 / seconds * 1e3)
    assert pj.to_dict()["power_mw"] == pj.power_mw()


def test_cli_energy_table_and_power(capsys):
    assert main(["run", "alexnet", "--layers", "conv5", "--energy", "65nm-pj"]) == 0
    out = capsys.readouterr().out
    assert "energy unit: pJ" in out
    assert "average power" in out and "mW on chip" in out
    assert main(["run", "alexnet", "--layers", "conv5", "--energy", "nope"]) == 2
    assert "--energy" in capsys.readouterr().err
