"""Eyeriss ISCA 2016 reproduction: numbers computed by the analytic engine and the mapper
against the published ones in ``accelsim/reference/eyeriss_isca16.json``.

Tolerances are the ones the project committed to (issue #2). They are loose because (1) the
published values were read off the paper's vector figures (about three significant digits;
small segments ±5–10 %), and (2) the paper's optimiser and ours search slightly different
mapspaces, so mappings within a percent of each other in total energy can split it
differently between levels. Totals are tight (±10 % per layer for Fig. 10, ±15 % for Fig. 12);
components, which move with the chosen mapping, get ±15 %.
"""

from __future__ import annotations

import pytest

from accelsim.validation import CONV, DATAFLOWS, FIG10_LAYERS, conv_summary, fig10, reference

REF = reference()


def _fig10_paper(layer: str) -> dict:
    table = REF["fig_10_rs_per_layer_256pes_batch16"]
    return dict(zip(table["columns"], table[layer.upper()]))


@pytest.mark.parametrize("layer", FIG10_LAYERS)
def test_fig10_rs_per_layer_energy(layer):
    ours = fig10()[layer]
    paper = _fig10_paper(layer)
    assert ours["total"] == pytest.approx(paper["total"], rel=0.10)
    for component in ("ALU", "DRAM", "RF"):
        assert ours[component] == pytest.approx(paper[component], rel=0.15), component


def _fig12_paper(df: str, n: int) -> dict:
    table = REF["fig_12a_conv_energy_256pes"]
    return dict(zip(table["columns"], table[df][str(n)]))


@pytest.mark.parametrize("n", [1, 16])
@pytest.mark.parametrize("df", DATAFLOWS)
def test_fig12a_conv_totals(df, n):
    s = conv_summary(df, n)
    assert s.feasible, s.reason
    assert s.fig12["total"] == pytest.approx(_fig12_paper(df, n)["total"], rel=0.15)
    # the ALU segment is one MAC energy per MAC by construction of the normalisation
    assert s.fig12["ALU"] == pytest.approx(0.156)


@pytest.mark.parametrize("n", [1, 16])
def test_rs_is_lowest_and_others_1_3_to_2_7_times_rs(n):
    rs = conv_summary("rs", n).fig12["total"]
    for df in DATAFLOWS[1:]:
        ratio = conv_summary(df, n).fig12["total"] / rs
        assert 1.3 <= ratio <= 2.7, (df, ratio)


def test_accesses_per_mac_batch16():
    acc = {df: conv_summary(df, 16).accesses_per_mac for df in DATAFLOWS}
    for df in ("osa", "osb", "osc"):
        assert acc[df]["RF"] == pytest.approx(2.0, abs=0.1)
        assert acc[df]["NoC"] == pytest.approx(2.0, abs=0.1)
    assert acc["ws"]["RF"] == pytest.approx(1.0, abs=1e-9)
    assert acc["nlr"]["RF"] == 0
    assert acc["rs"]["RF"] == pytest.approx(3.9, abs=0.2)


_DRAM_KNOWN_OFF = {
    "ws": "WS streams ifmaps from DRAM once per filter group: 1.66x Fig. 11",
    "osb": "our OSB keeps more of the ifmap in its 304 kB GLB than the paper's: 0.46x Fig. 11",
    "nlr": "no-spill NLR re-reads filters per output tile at N = 16: 1.65x Fig. 11",
}


@pytest.mark.parametrize(
    "df",
    [pytest.param(df, marks=pytest.mark.xfail(strict=True, reason=_DRAM_KNOWN_OFF[df]))
     if df in _DRAM_KNOWN_OFF else df for df in DATAFLOWS],
)
def test_fig11_dram_accesses_per_mac_batch16(df):
    paper = REF["fig_11_dram_accesses_per_mac_256pes"][df]["16"]
    assert conv_summary(df, 16).accesses_per_mac["DRAM"] == pytest.approx(paper, rel=0.20)


def test_ws_cannot_run_batch_64_and_says_why():
    s = conv_summary("ws", 64)
    assert not s.feasible
    assert "global buffer" in s.reason
    # the other dataflows still run at N = 64
    assert conv_summary("rs", 64).feasible


def test_dram_writes_are_the_ofmaps_only():
    """Fig. 11's note: DRAM writes are 0.00098 per MAC for every dataflow (ofmaps, no spills)."""
    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.sim.simulate import simulate_network

    wl = load_workload("alexnet").select(list(CONV))
    run = simulate_network(wl, load_hardware("isca16-256-osa"), "osa", batch=1)
    writes = sum(r.accesses()["DRAM"]["psum"]["writes"] for r in run.layers)
    macs = sum(r.macs for r in run.layers)
    assert writes / macs == pytest.approx(0.00098, rel=0.02)
    assert all(not r.psum_spill for r in run.layers)
