"""The energy model (accelsim.spec.energy_model) against Accelergy's published component energies
(tests/accelergy_reference.py: facts from ../shared/timeloop-cases, stated by hand), ISCA 2016
Table IV, and its monotonicity properties."""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelsim.io.presets import load_hardware
from accelsim.spec import energy_model as em
from accelsim.spec.dims import DataType, Level
from accelsim.spec.hardware import Buffer, Hardware, Precision
from accelergy_reference import BY_KEY, REFERENCES, TOLERANCE, with_role

REPO = Path(__file__).resolve().parents[1]


def _load_table_script():
    spec = importlib.util.spec_from_file_location("energy_model_table", REPO / "tools" / "energy_model_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_TABLE = _load_table_script()
model_pj, refit, table = _TABLE.model_pj, _TABLE.refit, _TABLE.table


def _sig3(x: float) -> float:
    return float(f"{x:.3g}")


# ---------------------------------------------------------------------------------------------
# 1. The fit: reproducible, on at most half of the components
# ---------------------------------------------------------------------------------------------


def test_constants_are_the_refit_of_the_fit_set():
    """Refit from the fit set (tests/accelergy_reference.py): the module's constants equal it to
    3 significant digits, so no constant is hand-tuned."""
    fitted = refit()
    for f in dataclasses.fields(em.FittedConstants):
        assert _sig3(getattr(em.CONSTANTS, f.name)) == _sig3(getattr(fitted, f.name)), f.name


def test_fit_set_is_at_most_half_of_the_components():
    fit = with_role("fit")
    assert len(fit) <= len(REFERENCES) / 2
    assert {r.key for r in fit} == {"S1", "S2", "R1", "R2", "R3", "R4", "R5", "M1", "D1"}
    assert len({r.key for r in REFERENCES}) == len(REFERENCES) == 27


@pytest.mark.parametrize("ref", with_role("fit"), ids=lambda r: r.key)
def test_fit_components_within_tolerance(ref):
    """The fitted constants reproduce the fit set itself within the held-out tolerance."""
    assert abs(model_pj(ref) / ref.read_pj - 1) <= TOLERANCE[ref.kind], ref.citation


# ---------------------------------------------------------------------------------------------
# 2. Held-out comparisons (each cites its case folder)
# ---------------------------------------------------------------------------------------------

#: held-out components the model misses, and why (the README table shows them too)
MISSES = {
    "S3": "2020 40 nm CACTI SRAM class: 0.27x the Horowitz/sqrt-capacity form (S1, S2, S6, S7 sit at "
          "0.71-0.93x); its 64-bit sibling S4 is contradicted by S6",
    "S5": "2019 CACTI GlobalBuffer, 16384 x 64 at 40 nm: 13.25 pJ, 2.8x below the 2020 45 nm array of the same "
          "geometry (S1, 37.1 pJ) and 0.73x the 2024 32 nm one (S7)",
    "R11": "2024 smartbuffer_RF 192 x 32: 9.8x the 64 x 32 one (R10) for 3x the depth; a form linear in depth "
           "(Aladdin's 2019/2020 RFs: 16 -> 192 rows is 7.4x) cannot follow",
    "M3": "2019 Aladdin intmac 16-bit at 40 nm: 1.207 pJ vs 2.2 pJ for the 2020 one at 45 nm (M1); meeting both "
          "within 15 % needs a 45/40 nm energy ratio >= 1.35, more than even area (node²) scaling gives (1.27)",
    "M5": "2024 intmac 8x8 + 16-bit add at 32 nm: 0.208 pJ, 4.1x below the 2024 40 nm 8-bit intmac (M4, 0.845 pJ)",
}


def _held_out_params():
    for r in with_role("held-out"):
        marks = [pytest.mark.xfail(strict=True, reason=MISSES[r.key])] if r.key in MISSES else []
        yield pytest.param(r, id=f"{r.key}: {r.citation}", marks=marks)


@pytest.mark.parametrize("ref", list(_held_out_params()))
def test_held_out_component_within_tolerance(ref):
    """±30 % for SRAMs and register files, ±15 % for the MAC, on components no constant saw."""
    err = model_pj(ref) / ref.read_pj - 1
    assert abs(err) <= TOLERANCE[ref.kind], f"{ref.citation}: model {model_pj(ref):.4g} pJ ({err:+.0%})"


def test_held_out_count():
    held = with_role("held-out")
    within = [r for r in held if abs(model_pj(r) / r.read_pj - 1) <= TOLERANCE[r.kind]]
    assert {r.key for r in within} == {"S6", "S7", "R6", "R7", "R8", "R10", "R12", "M2", "D2"}
    assert {r.key for r in held} - {r.key for r in within} == set(MISSES)


@pytest.mark.parametrize("ref", with_role("contradicted"), ids=lambda r: f"{r.key} vs {r.against}")
def test_contradicted_pairs_cannot_both_be_met(ref):
    """Two Accelergy records of the same class and attributes (only the Accelergy version differs)
    further apart than the tolerance band: no model meets both, so the record is not a target."""
    twin = BY_KEY[ref.against]
    assert (ref.kind, ref.technology_nm, ref.depth, ref.width_bits, ref.mult_bits, ref.adder_bits) == (
        twin.kind, twin.technology_nm, twin.depth, twin.width_bits, twin.mult_bits, twin.adder_bits)
    assert ref.era != twin.era
    tol = TOLERANCE[ref.kind]
    ratio = max(ref.read_pj, twin.read_pj) / min(ref.read_pj, twin.read_pj)
    assert ratio > (1 + tol) / (1 - tol)
    # the model, like any function of the attributes, gives both the same energy
    assert model_pj(ref) == pytest.approx(model_pj(twin))
    assert abs(model_pj(twin) / twin.read_pj - 1) <= tol  # and it meets the twin
    assert abs(model_pj(ref) / ref.read_pj - 1) > tol


def test_the_comparison_energies_are_summary_averages_not_timeloop_charges():
    """2019/2020 ERT summaries average four address/data toggle cases; Timeloop 2020 charges the
    random-access maximum (eyeriss_like shared_glb: 'Vector access energy 75.22 pJ'), about 2x.
    The comparisons use the averages (the summary's read energy)."""
    for r in REFERENCES:
        if r.max_pj:
            assert 1.5 < r.max_pj / r.read_pj < 2.2, r.key


# ---------------------------------------------------------------------------------------------
# 3. ISCA 2016 Table IV at 65 nm with the Eyeriss chip's sizes
# ---------------------------------------------------------------------------------------------

TABLE_IV = {Level.RF: 1.0, Level.NOC: 2.0, Level.GLB: 6.0, Level.DRAM: 200.0}


def _eyeriss_65nm() -> Hardware:
    """workloads/hardware/eyeriss.yaml (12 x 14 PEs, RF 12/224/24 words, GLB 51200 shared words in 25
    banks of 2048 + 4096 filter words, 16-bit) under the model at 65 nm with DDR3 DRAM (Table IV's
    DRAM figure is a DDR3-era one, as is Horowitz's 1.3-2.6 nJ per 64 bits)."""
    hw = load_hardware("eyeriss")
    return dataclasses.replace(hw, energy=em.EnergyModel(technology_nm=65.0, dram=em.DramKind.DDR3))


def _ratios(hw: Hardware) -> dict[Level, list[float]]:
    c = hw.access_costs
    return {lv: [c.read(lv, t) / c.mac for t in DataType] for lv in Level}


def test_eyeriss_sizes_are_the_chip():
    hw = _eyeriss_65nm()
    assert (hw.pe_rows, hw.pe_cols) == (12, 14)
    assert hw.rf.dedicated_words == (12, 224, 24)
    assert (hw.glb.shared_words, hw.glb.filter_words, hw.glb.bank_words) == (51200, 4096, 2048)
    assert hw.precision.per_type == (16, 16, 16)


@pytest.mark.parametrize("level", [Level.NOC, Level.GLB, Level.DRAM], ids=lambda lv: lv.name)
def test_table_iv_ratio_within_2x(level):
    """NoC, GLB and DRAM per 16-bit word, relative to the MAC, within 2x of 2 : 6 : 200."""
    for value in _ratios(_eyeriss_65nm())[level]:
        assert TABLE_IV[level] / 2 <= value <= TABLE_IV[level] * 2, (level, value)


@pytest.mark.xfail(strict=True, reason="RF per word is 0.07 (ifmap, 12 words), 0.44 (filter, 224) and 0.09 (psum, "
                   "24) MAC at 65 nm: Accelergy's own 45 nm tables, which the constants come from, put the "
                   "Eyeriss-like spads at 0.07-0.37 MAC (psum_spad 0.153 / weights_spad 0.824 vs mac 2.2 pJ)")
def test_table_iv_rf_ratio_within_2x():
    assert max(_ratios(_eyeriss_65nm())[Level.RF]) >= TABLE_IV[Level.RF] / 2


def test_readme_states_the_table_iv_numbers():
    """The README's Table IV paragraph quotes what the model computes."""
    hw = _eyeriss_65nm()
    r = _ratios(hw)
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Energy model", 1)[1].split("\n## ", 1)[0]
    text = " ".join(section.split())
    assert f"({hw.access_costs.mac:.2f} pJ)" in text
    noc, glb, dram = r[Level.NOC][0], r[Level.GLB][0], r[Level.DRAM][0]
    assert f"NoC {noc:.2f} (Table IV: 2), GLB {glb:.2f} (6), DRAM {dram:.0f} (200)" in text
    rf = [f"{v:.2f}" for v in r[Level.RF]]
    assert f"{rf[0]} (ifmap spad), {rf[1]} (filter spad), {rf[2]} (psum spad)" in text
    lp = dataclasses.replace(hw, energy=em.EnergyModel(technology_nm=65.0)).access_costs
    assert f"the DRAM ratio would be {lp.read(Level.DRAM, DataType.IFMAP) / lp.mac:.0f}." in text


def test_rf_below_table_iv_is_what_accelergy_says():
    """The evidence for the RF miss: Accelergy's 45 nm RF/MAC ratios, and the model's at 65 nm agree
    with them within 30 %."""
    mac = BY_KEY["M1"].read_pj
    assert BY_KEY["R3"].read_pj / mac < 0.1 and BY_KEY["R5"].read_pj / mac < 0.5
    rf = _ratios(_eyeriss_65nm())[Level.RF]
    # ifmap spad (12 rows) vs ifmap_spad (12 rows); filter spad (224 rows) vs weights_spad (192 rows)
    assert rf[DataType.IFMAP] == pytest.approx(BY_KEY["R3"].read_pj / mac, rel=0.3)
    assert rf[DataType.FILTER] == pytest.approx(BY_KEY["R5"].read_pj / mac, rel=0.3)


# ---------------------------------------------------------------------------------------------
# 4. Properties
# ---------------------------------------------------------------------------------------------

caps = st.floats(min_value=1.0, max_value=2.0 ** 26, allow_nan=False)
widths = st.integers(min_value=1, max_value=1024)
nodes = st.floats(min_value=5.0, max_value=180.0, allow_nan=False)


@settings(deadline=None, max_examples=200)
@given(caps, caps, widths, widths, nodes)
def test_sram_non_decreasing_in_capacity_and_width(c1, c2, w1, w2, node):
    lo_c, hi_c = sorted((c1, c2))
    lo_w, hi_w = sorted((w1, w2))
    for ag in (False, True):
        assert em.sram_energy_pj(lo_c, lo_w, technology_nm=node, address_generator=ag) <= em.sram_energy_pj(
            hi_c, lo_w, technology_nm=node, address_generator=ag) * (1 + 1e-12)
        assert em.sram_energy_pj(hi_c, lo_w, technology_nm=node) <= em.sram_energy_pj(hi_c, hi_w, technology_nm=node)


@settings(deadline=None, max_examples=200)
@given(st.integers(1, 1 << 16), st.integers(1, 1 << 16), widths, widths, nodes)
def test_regfile_non_decreasing_in_depth_and_width(d1, d2, w1, w2, node):
    lo_d, hi_d = sorted((d1, d2))
    lo_w, hi_w = sorted((w1, w2))
    for ag in (False, True):
        assert em.regfile_energy_pj(lo_d, lo_w, node, ag) <= em.regfile_energy_pj(hi_d, lo_w, node, ag)
        assert em.regfile_energy_pj(lo_d, lo_w, node, ag) <= em.regfile_energy_pj(lo_d, hi_w, node, ag)


@settings(deadline=None, max_examples=200)
@given(st.integers(1, 64), st.integers(1, 64), st.integers(1, 64), st.integers(1, 64), nodes)
def test_mac_non_decreasing_in_bits(a, b, c, extra, node):
    base = em.mac_energy_pj(a, b, c, node)
    assert base <= em.mac_energy_pj(a + extra, b, c, node)
    assert base <= em.mac_energy_pj(a, b + extra, c, node)
    assert base <= em.mac_energy_pj(a, b, c + extra, node)


@settings(deadline=None, max_examples=200)
@given(nodes, nodes)
def test_technology_scaling_monotone(n1, n2):
    lo, hi = sorted((n1, n2))
    assert em.technology_scale(lo) <= em.technology_scale(hi) * (1 + 1e-12)
    assert em.area_scale(lo) <= em.area_scale(hi)
    assert em.supply_voltage(lo) <= em.supply_voltage(hi) * (1 + 1e-12)


def test_technology_scale_anchors():
    assert em.technology_scale(45) == pytest.approx(1.0)
    assert 1.3 < em.technology_scale(65) < 2.0
    assert 0.5 < em.technology_scale(32) < 0.8


words = st.integers(0, 1 << 14)


def _hw(rf: tuple[int, int, int, int], glb: tuple[int, int, int, int], bits: tuple[int, int, int]) -> Hardware:
    return Hardware(pe_rows=12, pe_cols=14,
                    rf=Buffer(shared_words=rf[0], ifmap_words=rf[1], filter_words=rf[2], psum_words=rf[3]),
                    glb=Buffer(shared_words=glb[0], ifmap_words=glb[1], filter_words=glb[2], psum_words=glb[3]),
                    precision=Precision(ifmap_bits=bits[0], filter_bits=bits[1], psum_bits=bits[2]),
                    energy=em.EnergyModel())


@settings(deadline=None, max_examples=150)
@given(st.tuples(words, words, words, words), st.tuples(words, words, words, words),
       st.integers(0, 3), st.integers(1, 1 << 12), st.tuples(st.integers(1, 32), st.integers(1, 32),
                                                             st.integers(1, 32)))
def test_costs_for_non_decreasing_in_buffer_sizes(rf, glb, which, grow, bits):
    """Growing any field of the RF or the GLB never lowers a per-word cost at that level."""
    before = _hw(rf, glb, bits).access_costs
    bigger_rf = tuple(v + grow if i == which else v for i, v in enumerate(rf))
    bigger_glb = tuple(v + grow if i == which else v for i, v in enumerate(glb))
    after_rf = _hw(bigger_rf, glb, bits).access_costs
    after_glb = _hw(rf, bigger_glb, bits).access_costs
    for t in DataType:
        for rw in (0, 1):
            assert before.words[Level.RF][rw][t] <= after_rf.words[Level.RF][rw][t] * (1 + 1e-12)
            assert before.words[Level.GLB][rw][t] <= after_glb.words[Level.GLB][rw][t] * (1 + 1e-12)


@settings(deadline=None, max_examples=100)
@given(st.integers(1, 32), st.integers(1, 16), st.integers(0, 2))
def test_costs_for_non_decreasing_in_word_bits(bits, extra, which):
    base = (bits, bits, bits)
    wider = tuple(b + extra if i == which else b for i, b in enumerate(base))
    lo = _hw((0, 12, 224, 24), (51200, 0, 4096, 0), base).access_costs
    hi = _hw((0, 12, 224, 24), (51200, 0, 4096, 0), wider).access_costs  # type: ignore[arg-type]
    assert lo.mac <= hi.mac
    for lv in Level:
        for t in DataType:
            assert lo.read(lv, t) <= hi.read(lv, t) * (1 + 1e-12)


def test_eight_bit_costs_less_than_sixteen_bit():
    hw16 = _hw((0, 12, 224, 24), (51200, 0, 4096, 0), (16, 16, 16))
    hw8 = _hw((0, 12, 224, 24), (51200, 0, 4096, 0), (8, 8, 8))
    c16, c8 = hw16.access_costs, hw8.access_costs
    assert c8.mac < c16.mac / 3  # the multiplier goes with the product of the widths
    t = DataType.IFMAP
    assert c8.read(Level.DRAM, t) == pytest.approx(c16.read(Level.DRAM, t) / 2)  # per bit
    assert c8.read(Level.GLB, t) < c16.read(Level.GLB, t) / 2  # half the bits, and a smaller buffer
    # half the bits over a shorter wire: 8-bit PEs are smaller, so the array is too
    assert c8.read(Level.NOC, t) < c16.read(Level.NOC, t) / 2
    # the RF's row term does not shrink with the bits: less than 2x saving
    assert c16.read(Level.RF, t) / 2 < c8.read(Level.RF, t) < c16.read(Level.RF, t)


# ---------------------------------------------------------------------------------------------
# The machine-level model: costs, area, interface
# ---------------------------------------------------------------------------------------------


def test_costs_for_interface_and_speed():
    import time

    hw = _eyeriss_65nm()
    m = hw.energy
    c = m.costs_for(hw)
    assert c.unit.value == "pj" and c.mac > 0 and m.name == "model" and "65 nm" in m.describe()
    assert all(v > 0 for v in c.flat())
    t0 = time.perf_counter()
    for _ in range(2000):
        m.costs_for(hw)
    assert time.perf_counter() - t0 < 2.0  # both engines and the mapper call it per layer


def test_dram_kinds_and_sources():
    assert em.dram_energy_pj(64) == 512.0
    assert em.DRAM_PJ_PER_BIT[em.DramKind.DDR3] == pytest.approx((1300 + 2600) / 2 / 64)
    order = [em.dram_energy_pj(16, k) for k in (em.DramKind.HBM2, em.DramKind.LPDDR4, em.DramKind.GDDR5,
                                                 em.DramKind.DDR4, em.DramKind.DDR3)]
    assert order == sorted(order)


def test_area_breakdown():
    hw = _eyeriss_65nm()
    a = hw.energy.area_for(hw)
    d = a.to_dict()
    assert d["total"] == pytest.approx(d["MAC"] + d["RF"] + d["GLB"] + d["NoC"])
    assert all(v > 0 for v in d.values())
    # the Eyeriss core is 3.5 mm x 3.5 mm (JSSC 2017): the modelled parts fit inside it
    assert 2.0 < a.total_mm2 < 12.25
    bigger = dataclasses.replace(hw, glb=dataclasses.replace(hw.glb, shared_words=2 * hw.glb.shared_words))
    assert hw.energy.area_for(bigger).glb_mm2 > a.glb_mm2


def test_noc_distance_by_kind():
    from accelsim.spec.dims import NocKind

    hw = _eyeriss_65nm()
    m = hw.energy
    gin = m.noc_distance_mm(hw)
    uni = m.noc_distance_mm(dataclasses.replace(hw, noc=dataclasses.replace(hw.noc, kind=NocKind.UNICAST)))
    sys_ = m.noc_distance_mm(dataclasses.replace(hw, noc=dataclasses.replace(hw.noc, kind=NocKind.SYSTOLIC)))
    assert sys_ < uni < gin
    assert gin == pytest.approx(26 * m.pe_pitch_mm(hw))
    assert math.isclose(em.wire_energy_pj_per_bit_mm(40), 310 / 2560)


# ---------------------------------------------------------------------------------------------
# 5. The README table is what the code computes
# ---------------------------------------------------------------------------------------------


def test_readme_table_is_the_scripts_output():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Energy model", 1)[1].split("\n## ", 1)[0]
    rows = [ln for ln in section.splitlines() if ln.startswith("|")]
    assert rows == table().splitlines()


def test_table_script_runs():
    out = subprocess.run([sys.executable, str(REPO / "tools" / "energy_model_table.py")], capture_output=True,
                         text=True, check=True, cwd=REPO).stdout
    assert out.strip() == table()
