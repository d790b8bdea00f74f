"""Eyeriss v1.5 against v1 at 192 PEs on MobileNet-v1 0.5/128 (``accelsim validate eyeriss-v1.5``).

The paper's numbers (JETCAS 2019 §I-C: 5.6× throughput, 1.8× energy efficiency) are compared at
the issue's ±30 % (``accelsim/reference/eyeriss_v2_noc.json``: the paper publishes neither its
per-layer mappings, nor its clock, nor per-access energies, so the presets state their own).
"""

from __future__ import annotations

import pytest

from accelsim.validation.eyeriss_v2 import LayerKind, noc_report, reference


@pytest.fixture(scope="module")
def report():
    return noc_report("analytic")


def test_every_layer_runs_on_both_machines(report):
    assert len(report.rows) == 28
    assert sum(r.macs for r in report.rows) == 49_160_192
    assert all(r.cycles[0] > 0 and r.cycles[1] > 0 for r in report.rows)


def test_energy_efficiency_gain_within_tolerance_of_the_paper(report):
    assert report.within(report.energy_ratio, "energy_efficiency_v15_over_v1"), report.format()


@pytest.mark.xfail(strict=True, reason=(
    "2.79x against the paper's 5.6x (+-30 %: 3.92-7.28x). v1.5 already runs at 189 of 192 MAC/cycle "
    "(a perfect v1.5 would give 2.83x), so the gap is v1-192's speed: its point-wise layers (90 % of "
    "the MACs) keep 128-192 PEs busy, RF reuse (up to 32 filters per iact word) holding them under "
    "its 2/8/3-word GIN. The paper's per-layer v1 numbers are not available to locate the "
    "difference; issue 16's note has the evidence."))
def test_throughput_gain_within_tolerance_of_the_paper(report):
    assert report.within(report.speedup, "speedup_v15_over_v1"), report.format()


def test_depthwise_and_fc_layers_gain_most(report):
    """The paper: FC and depth-wise layers gain most from the mesh (unicast bandwidth, G spread
    over the array); point-wise layers least."""
    gains = {kind: gain for kind, (gain, _) in report.by_kind().items()}
    assert gains[LayerKind.DEPTHWISE] > 4 * gains[LayerKind.POINTWISE]
    assert gains[LayerKind.FC] > 4 * gains[LayerKind.POINTWISE]
    assert all(r.speedup >= 1.0 for r in report.rows), report.format()


def test_depthwise_layers_fill_the_mesh(report):
    for r in report.rows:
        if r.kind is LayerKind.DEPTHWISE:
            assert r.active_pes[1] >= 4 * r.active_pes[0] and r.active_pes[1] >= 0.9 * 192, r


def test_the_clock_term_is_charged_and_tracks_time(report):
    for r in report.rows:
        assert r.clock_pj[0] > 0 and r.clock_pj[1] > 0
        # the same per-cycle term on both machines (192 PEs each)
        assert r.clock_pj[0] / r.cycles[0] == pytest.approx(r.clock_pj[1] / r.cycles[1])


def test_reference_is_the_papers():
    ref = reference()
    assert (ref["speedup_v15_over_v1"], ref["energy_efficiency_v15_over_v1"]) == (5.6, 1.8)
