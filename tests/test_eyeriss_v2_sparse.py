"""Eyeriss v2 on sparse MobileNet-v1 0.5/128: the three-way ablation v1-192 → v1.5 → v2
(``accelsim validate eyeriss-v2``), against the paper's numbers (JETCAS 2019 abstract, §V-A-2:
1470.6 inferences/s, 2560.3 inferences/J, 12.6× and 2.5× over v1) at issue 17's tolerances
(``accelsim/reference/eyeriss_v2_sparse.json``: ±25 %, within 2×, ±30 %, ±30 %). Analytic engine:
v2's work is the expectation at the workload's densities. Energy on chip (the paper's numbers are a
gate-level simulation of the chip; the module docstring of ``accelsim.validation.eyeriss_v2_sparse``).
"""

from __future__ import annotations

import pytest

from accelsim.validation.eyeriss_v2 import LayerKind
from accelsim.validation.eyeriss_v2_sparse import reference, sparse_report, within


@pytest.fixture(scope="module")
def report():
    return sparse_report("analytic")


def test_every_layer_runs_on_the_three_machines(report):
    assert len(report.rows) == 28
    assert sum(r.macs for r in report.rows) == 49_160_192
    assert all(min(r.cycles) > 0 and min(r.energy_pj) > 0 for r in report.rows)


def test_throughput_within_25_percent_of_the_paper(report):
    assert within(report.inferences_per_s, "inferences_per_s"), report.format()


def test_energy_efficiency_within_2x_of_the_paper(report):
    assert within(report.inferences_per_j, "inferences_per_j"), report.format()


def test_energy_efficiency_gain_over_v1_within_30_percent(report):
    assert within(report.energy_ratio, "energy_efficiency_v2_over_v1"), report.format()


@pytest.mark.xfail(strict=True, reason=(
    "5.14x against the paper's 12.6x (+-30 %: 8.82-16.38x). The gap is v1-192 against v1.5, issue 16's "
    "(validate eyeriss-v1.5: 2.79x against the paper's 5.6x; v1.5 runs at 189 of 192 MAC/cycle, so it is "
    "v1-192's speed). The sparse PE's own step, v2 / v1.5, is 1.84x here against the 12.6 / 5.6 = 2.25x "
    "the paper's numbers imply (-18 %)."))
def test_throughput_gain_over_v1_within_30_percent(report):
    assert within(report.speedup, "speedup_v2_over_v1"), report.format()


def test_the_sparse_pe_step_is_near_the_papers(report):
    """v2 / v1.5 (the sparse PE and its SIMD; the paper: 12.6 / 5.6 = 2.25x) within the same ±30 %."""
    step = report.cycles(1) / report.cycles(2)
    implied = reference()["speedup_v2_over_v1"] / 5.6
    assert abs(step / implied - 1) <= 0.30, report.format()


def test_skipping_never_costs_cycles(report):
    """Per layer, v2 takes no more cycles than v1.5 (the same storage and NoC, a PE that skips):
    dense depth-wise layers (one MAC per column) run alike."""
    for r in report.rows:
        assert r.cycles[2] <= r.cycles[1], r
        if r.kind is LayerKind.DEPTHWISE and r.densities == (1.0, 1.0):
            assert r.cycles[2] == r.cycles[1], r


@pytest.mark.xfail(strict=True, reason=(
    "pw3, pw4 and pw12 skip nothing on v2 (busiest PE 22,528 / 11,008 / 10,944 cycles = v1.5's): the "
    "mapper scores the dense model, and its pick for them has no weight or iact column longer than one "
    "MAC, so every iact column takes its cycle whether or not it is zero (as a "
    "depth-wise layer on the chip, JETCAS 2019 §V-A-2). A sparse-aware mapper objective is not built."))
def test_sparse_pointwise_pe_work_shrinks(report):
    """Every sparse point-wise layer's busiest PE works well under v1.5's time."""
    sparse_pw = [r for r in report.rows if r.kind is LayerKind.POINTWISE and r.densities[1] < 1.0]
    assert sparse_pw and all(r.cycles[1] / r.pe_cycles_max > 1.3 for r in sparse_pw), [
        (r.name, r.cycles[1], r.pe_cycles_max) for r in sparse_pw]


def test_effective_macs_are_the_expectation(report):
    for r in report.rows:
        d_i, d_w = r.densities
        assert abs(r.effective_macs - r.macs * d_i * d_w) <= 0.5, r   # the expectation, rounded


def test_reference_is_the_papers():
    ref = reference()
    assert (ref["inferences_per_s"], ref["inferences_per_j"]) == (1470.6, 2560.3)
    assert (ref["speedup_v2_over_v1"], ref["energy_efficiency_v2_over_v1"]) == (12.6, 2.5)


# ----------------------------------------------------------------------------- the cycle engine
def _cycle_engine_runs_the_sparse_pe() -> bool:
    """One tiny layer on eyeriss-v2: does the cycle engine of this build report ``sparse``?"""
    from accelsim.drivers.simulate import simulate
    from accelsim.io.presets import load_hardware
    from accelsim.spec.layer import ConvLayer

    layer = ConvLayer(name="probe", N=1, M=4, C=2, H=3, W=3, R=1, S=1, ifmap_density=0.5, filter_density=0.5)
    return simulate(layer, load_hardware("eyeriss-v2"), "rs-plus", "cycle").sparse is not None


@pytest.fixture(scope="module")
def cycle_report():
    if not _cycle_engine_runs_the_sparse_pe():
        pytest.skip("the cycle engine's sparse PE (issue 17 part 2, cycle half) is not in this branch")
    rep = sparse_report("cycle")
    assert rep.verified and rep.sparse_modelled
    return rep


def test_cycle_engine_throughput_within_25_percent(cycle_report):
    """Measured 1,284.8 inferences/s (-12.6 %): seeded tensors at the densities, PEs on their own
    clocks meeting at deliveries, an iact column with nothing to issue taking one cycle."""
    assert within(cycle_report.inferences_per_s, "inferences_per_s"), cycle_report.format()


def test_cycle_engine_energy_efficiency_within_2x(cycle_report):
    assert within(cycle_report.inferences_per_j, "inferences_per_j"), cycle_report.format()


def test_cycle_engine_energy_efficiency_gain_within_30_percent(cycle_report):
    assert within(cycle_report.energy_ratio, "energy_efficiency_v2_over_v1"), cycle_report.format()


@pytest.mark.xfail(strict=True, reason=(
    "5.38x against 12.6x (+-30 %: 8.82-16.38x): v1.5 / v1-192 is 2.64x on the cycle engine (issue 16's "
    "gap: the paper's 5.6x) and v2 / v1.5 2.04x (the paper's numbers imply 12.6 / 5.6 = 2.25x)."))
def test_cycle_engine_throughput_gain_within_30_percent(cycle_report):
    assert within(cycle_report.speedup, "speedup_v2_over_v1"), cycle_report.format()
