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

from accelsim.layout import DRAM, READS, WRITES
from accelsim.validation.isca16 import (CONV, DATAFLOWS, FIG10_LAYERS, conv_summary, fig10, paper_ifmap_rereads,
                                 reference)

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
    paper = _fig12_paper(df, n)
    assert s.fig12["total"] == pytest.approx(paper["total"], rel=0.15)
    # the ALU segment is one MAC energy per MAC in both, by the figure's normalisation (RS at
    # N = 1 totals 1.000), so it checks that we normalise as the paper does: ±1 % is the
    # rounding of the published 0.156 (three digits)
    assert s.fig12["ALU"] == pytest.approx(paper["ALU"], rel=0.01)


@pytest.mark.parametrize("n", [1, 16])
def test_rs_is_lowest_and_others_1_3_to_2_7_times_rs(n):
    """RS lowest; every other dataflow 1.3×–2.7× RS (issue #2's band: the paper's headline
    "1.4× to 2.5×", REF["headline"], widened by about 7 % each way, the reading error of the
    figure's bar heights compounded over a ratio of two bars)."""
    assert "1.4x to 2.5x" in REF["headline"]
    rs = conv_summary("rs", n).fig12["total"]
    for df in DATAFLOWS[1:]:
        ratio = conv_summary(df, n).fig12["total"] / rs
        assert 1.3 <= ratio <= 2.7, (df, ratio)


def test_accesses_per_mac_batch16():
    """RF and NoC accesses per MAC against the paper's (its Fig. 12(a) segments over Table IV
    costs, ``implied_accesses_per_mac_256pes_batch16``), at issue #2's tolerances: ±0.1 for the
    OS dataflows' 2.0 RF and NoC (a psum read + write per MAC; the first MAC of each
    accumulation writes only, so the model sits a little below 2), ±0.2 for RS's 3.91 RF (the
    RF segment is read off the figure to about 5 %); WS's one RF read per MAC (the stationary
    weight) and NLR's zero (no RF) are structural, so exact."""
    table = REF["implied_accesses_per_mac_256pes_batch16"]
    paper = {df: dict(zip(table["columns"], table[df])) for df in DATAFLOWS}
    acc = {df: conv_summary(df, 16).accesses_per_mac for df in DATAFLOWS}
    for df in ("osa", "osb", "osc"):
        assert acc[df]["RF"] == pytest.approx(paper[df]["RF"], abs=0.1), df
        assert acc[df]["NoC"] == pytest.approx(paper[df]["NoC"], abs=0.1), df
    assert paper["ws"]["RF"] == 1.0 and acc["ws"]["RF"] == pytest.approx(1.0, abs=1e-9)
    assert paper["nlr"]["RF"] == 0 and acc["nlr"]["RF"] == 0
    assert acc["rs"]["RF"] == pytest.approx(paper["rs"]["RF"], abs=0.2)


# Dataflows whose DRAM accesses the model cannot bring within 20 % of Fig. 11 without
# contradicting how the paper describes them. Empty since the isca16 WS and OS setups carry the
# paper's two mapper rules (``dram_filters_once``, ``glb_conv_reuse: false``; see their files):
# without them the best OSB mapping reads filters 4.5 times and ifmaps 1.3 times, 0.46x Fig. 11.
_DRAM_KNOWN_OFF: dict[str, str] = {}


@pytest.mark.parametrize(
    "df",
    [pytest.param(df, marks=pytest.mark.xfail(strict=True, reason=_DRAM_KNOWN_OFF[df]))
     if df in _DRAM_KNOWN_OFF else df for df in DATAFLOWS],
)
def test_fig11_dram_accesses_per_mac_batch16(df):
    """Fig. 11 at N = 16 within 20 %; known exceptions and why in ``_DRAM_KNOWN_OFF``."""
    paper = REF["fig_11_dram_accesses_per_mac_256pes"][df]["16"]
    assert conv_summary(df, 16).accesses_per_mac["DRAM"] == pytest.approx(paper, rel=0.20)


def test_paper_ifmap_rereads_follow_from_fig11():
    """Fig. 11 minus one read of every filter, per ifmap word: N-independent for WS and OS.

    A check of our reading of the figure (the premise ``paper_ifmap_rereads`` rests on), not of
    the model. ±10 %: at N = 1 the ofmap and filter terms subtracted are most of Fig. 11's
    value, so the figure's three-digit reading error is amplified several times in the
    remainder. OSB's 7.1 (quoted in the README and the xfail reason) to the quoted digit."""
    for df in ("ws", "osa", "osb", "osc"):
        assert paper_ifmap_rereads(df, 16) == pytest.approx(paper_ifmap_rereads(df, 1), rel=0.1), df
    assert paper_ifmap_rereads("osb", 16) == pytest.approx(7.1, abs=0.1)


def test_ws_cannot_run_batch_64_and_says_why():
    s = conv_summary("ws", 64)
    assert not s.feasible
    assert "global buffer" in s.reason
    # the other dataflows still run at N = 64
    assert conv_summary("rs", 64).feasible


def test_dram_writes_are_the_ofmaps_only():
    """DRAM writes are the ofmap words exactly (no spills), which per MAC is Fig. 11's noted
    0.00098 for every dataflow (±0.5 %: the note's two significant digits)."""
    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.drivers.simulate import simulate_network

    wl = load_workload("alexnet").select(list(CONV))
    run = simulate_network(wl, load_hardware("isca16-256-osa"), "osa", batch=1)
    writes = sum(r.accesses()["DRAM"]["psum"]["writes"] for r in run.layers)
    macs = sum(r.macs for r in run.layers)
    assert writes == sum(lyr.tensor_words()[2] for lyr in wl.layers)
    published = float(REF["fig_11_dram_accesses_per_mac_256pes"]["note"].split("writes are ")[1].split()[0])
    assert writes / macs == pytest.approx(published, rel=0.005)
    assert all(not r.psum_spill for r in run.layers)


def test_the_two_rules_are_what_brings_osb_to_fig11():
    """Without the paper's two mapper rules the best OSB mapping spends the 304 kB buffer on
    convolutional reuse and re-reads filters (4.5× filters, 1.3× ifmaps): under 0.6× Fig. 11.
    With them, each filter is read once and ifmap windows come from DRAM: within ±20 %."""
    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.drivers.simulate import simulate_network
    from accelsim.spec.variation import apply_vary

    hw = load_hardware("isca16-256-osb")
    assert hw.rules.dram_filters_once and not hw.rules.glb_conv_reuse
    free = apply_vary(hw, {"dram_filters_once": False, "glb_conv_reuse": True})
    run = simulate_network(load_workload("alexnet").select(list(CONV)), free, "osb", batch=16)
    words = sum(int(r.counts[DRAM, :, READS].sum() + r.counts[DRAM, :, WRITES].sum()) for r in run.layers)
    per_mac = words / sum(r.macs for r in run.layers)
    paper = REF["fig_11_dram_accesses_per_mac_256pes"]["osb"]["16"]
    assert per_mac < 0.6 * paper
    assert conv_summary("osb", 16).accesses_per_mac["DRAM"] == pytest.approx(paper, rel=0.20)
