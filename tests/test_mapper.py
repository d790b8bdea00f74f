"""The mapper: legal, deterministic, objective-aware mappings that ``simulate`` reproduces."""

from __future__ import annotations

import json

import pytest

import accelsim
from accelsim.dataflows import template
from accelsim.dataflows.lowering import window_flags
from accelsim.dataflows.rs import from_eyeriss_params
from accelsim.errors import InfeasibleError
from accelsim.search.mapper import Budget, best_mapping
from accelsim.sim.counting import check_fits, count_mapping
from accelsim.spec.dims import Dim
from accelsim.spec.hardware import Buffer, Hardware, SearchRules
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Mapping

from strategies import DATAFLOWS

QUICK = Budget(samples=500, climb=500, starts=2)

CONV3 = accelsim.load_workload("alexnet").select(["conv3"]).layers[0]
SMALL = ConvLayer(name="small", N=2, M=16, C=8, H=12, W=12, R=3, S=3)
GROUPED = ConvLayer(name="grouped", N=2, M=8, C=4, H=10, W=10, R=3, S=3, G=2)
DEPTHWISE = ConvLayer(name="depthwise", N=1, M=8, C=8, H=10, W=10, R=3, S=3, G=8)
STRIDED = ConvLayer(name="strided", N=1, M=8, C=3, H=15, W=15, R=5, S=5, U=2)
FC = ConvLayer(name="fc", N=4, M=32, C=16, H=3, W=3, R=3, S=3)

GENERIC = Hardware(name="generic", pe_rows=12, pe_cols=14, rf=Buffer(shared_words=512),
                   glb=Buffer(shared_words=65536))
EYERISS = accelsim.load_hardware("eyeriss")


def fits(mapping: Mapping, layer: ConvLayer, hw: Hardware, dataflow: str):
    """Counts of ``mapping``; raises unless it covers ``layer`` and fits ``hw``."""
    if mapping.flat_groups:  # the systolic dataflows' im2col candidates: groups cover their extents
        mapping.check_covers(layer.loop_bounds())
    else:
        assert mapping.factors() == layer.loop_bounds()
    rows, cols = mapping.spatial_shape()
    assert rows <= hw.pe_rows and cols <= hw.pe_cols
    counts = count_mapping(mapping, layer, window_flags(template(dataflow), hw))
    check_fits(mapping, counts, hw)
    return counts


# --------------------------------------------------------------------------- legality
@pytest.mark.parametrize("dataflow", DATAFLOWS)
@pytest.mark.parametrize("layer", [SMALL, STRIDED, FC], ids=lambda lyr: lyr.name)
def test_best_mapping_is_legal(layer, dataflow):
    found = best_mapping(layer, GENERIC, dataflow, budget=QUICK)
    counts = fits(found.mapping, layer, GENERIC, dataflow)
    assert counts.macs == layer.macs
    assert found.considered > 0 and 0 < found.legal <= found.considered
    assert found.score > 0
    assert found.mapping.dataflow == dataflow


@pytest.mark.parametrize("dataflow", ["rs", "ws", "osb"])
def test_best_mapping_fits_eyeriss(dataflow):
    found = best_mapping(CONV3, EYERISS, dataflow, budget=QUICK)
    fits(found.mapping, CONV3, EYERISS, dataflow)
    assert found.mapping.active_pes <= 12 * 14


def test_same_seed_same_mapping():
    a = best_mapping(CONV3, EYERISS, "rs", budget=QUICK)
    b = best_mapping(CONV3, EYERISS, "rs", budget=QUICK)
    assert a.mapping.to_dict() == b.mapping.to_dict()
    assert (a.score, a.considered, a.legal) == (b.score, b.considered, b.legal)
    c = accelsim.simulate(CONV3, EYERISS, "rs", budget=QUICK)
    assert c.mapping.to_dict() == a.mapping.to_dict()


def test_more_search_is_never_worse():
    small = best_mapping(CONV3, EYERISS, "rs", budget=Budget(samples=50, climb=50, starts=1))
    big = best_mapping(CONV3, EYERISS, "rs", budget=QUICK)
    assert big.considered > small.considered
    # not guaranteed by construction, but a 10x larger search finding a worse optimum is a red flag
    assert big.score <= small.score * 1.05


# --------------------------------------------------------------------------- objectives
def _objectives(dataflow: str, budget: Budget):
    by_energy = accelsim.simulate(CONV3, EYERISS, dataflow, objective="energy", budget=budget)
    by_cycles = accelsim.simulate(CONV3, EYERISS, dataflow, objective="cycles", budget=budget)
    assert by_energy.ok and by_cycles.ok
    assert by_cycles.compute_cycles <= by_energy.compute_cycles
    assert by_energy.energy_total <= by_cycles.energy_total
    return by_energy, by_cycles


@pytest.mark.parametrize("dataflow", ["rs", "ws"])
def test_objectives_trade_energy_for_cycles(dataflow):
    by_energy, by_cycles = _objectives(dataflow, QUICK)
    by_edp = accelsim.simulate(CONV3, EYERISS, dataflow, objective="edp", budget=QUICK)
    edp = lambda r: r.energy_total * r.compute_cycles  # noqa: E731
    assert edp(by_edp) <= min(edp(by_energy), edp(by_cycles)) * 1.0001


def test_energy_objective_beats_cycles_objective_osb():
    """At the default budget (seeded, so deterministic) the energy search for osb on AlexNet
    conv3 / eyeriss ends at or below the energy of the cycles search's mapping. (Once a
    non-strict xfail: the search ended 0.5 % above; it no longer does.)"""
    _objectives("osb", Budget())


def test_unknown_objective():
    with pytest.raises(accelsim.SpecError) as info:
        best_mapping(SMALL, GENERIC, "rs", objective="area", budget=QUICK)
    assert info.value.field == "objective"


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("dataflow", DATAFLOWS)
def test_simulate_reproduces_its_mapping(dataflow):
    res = accelsim.simulate(SMALL, GENERIC, dataflow, budget=QUICK)
    assert res.ok and res.mappings_considered > 0
    again = accelsim.simulate(SMALL, GENERIC, dataflow, mapping=res.mapping)
    via_dict = accelsim.simulate(SMALL, GENERIC, dataflow, mapping=Mapping.from_dict(res.mapping.to_dict()))
    via_json = accelsim.simulate(SMALL, GENERIC, dataflow,
                                 mapping=Mapping.from_dict(json.loads(json.dumps(res.mapping.to_dict()))))
    want = res.to_dict()
    assert Mapping.from_dict(res.mapping.to_dict()) == res.mapping
    for other in (again, via_dict, via_json):
        assert other.mappings_considered == 0  # a given mapping is not searched
        got = other.to_dict()
        for key in ("macs", "accesses", "energy", "energy_total", "cycles", "compute_cycles", "active_pes",
                    "utilization", "mapping", "psum_spill"):
            assert got[key] == want[key], key
        assert (other.counts == res.counts).all()


# --------------------------------------------------------------------------- Eyeriss parameters
def test_eyeriss_rs_parameters():
    hw = Hardware(name="big", pe_rows=16, pe_cols=64, rf=Buffer(shared_words=512), glb=Buffer(shared_words=2**20))
    mapping = from_eyeriss_params(CONV3, n=1, e=13, p=16, q=4, r=1, t=4)
    fits(mapping, CONV3, hw, "rs")
    res = accelsim.simulate(CONV3, hw, "rs", mapping=mapping)
    assert res.ok and res.macs == CONV3.macs
    assert res.active_pes == CONV3.R * 13 * 1 * 4
    assert mapping.spatial_shape() == (CONV3.R * 1 * 4, 13)  # t sets stacked vertically, as on the chip
    side_by_side = from_eyeriss_params(CONV3, n=1, e=13, p=16, q=4, r=1, t=4, t_on_rows=False)
    assert side_by_side.spatial_shape() == (CONV3.R * 1, 13 * 4)
    # every MAC reads its ifmap and filter words from the RF
    assert res.to_dict()["accesses"]["RF"]["filter"]["reads"] == CONV3.macs


def test_eyeriss_parameters_must_fit():
    with pytest.raises(accelsim.MappingError) as info:
        from_eyeriss_params(CONV3, n=1, e=14, p=16, q=4, r=1, t=4)
    assert info.value.field == "mapping.e"
    # a set width that does not divide E leaves a narrower last strip (13 = 5 + 5 + 3)
    ragged = from_eyeriss_params(CONV3, n=1, e=5, p=16, q=4, r=1, t=4)
    assert ragged.factors()[4] == 15 and ragged.is_padded(CONV3.loop_bounds())


# --------------------------------------------------------------------------- infeasible cases
def test_rs_needs_filter_rows_of_pes():
    layer = ConvLayer(name="tall", M=4, C=2, H=15, W=15, R=11, S=11)
    hw = Hardware(name="4x4", pe_rows=4, pe_cols=4, rf=Buffer(shared_words=4096), glb=Buffer(shared_words=2**20))
    res = accelsim.simulate(layer, hw, "rs", budget=QUICK)
    assert res.status == "infeasible" and not res.ok
    assert "array" in res.reason and "4×4" in res.reason
    assert res.macs == 0 and res.energy_total == 0.0 and res.mapping is None
    with pytest.raises(InfeasibleError) as info:
        best_mapping(layer, hw, "rs", budget=QUICK)
    assert info.value.field == "tall"


def test_glb_too_small_is_diagnosed():
    hw = Hardware(name="tiny-glb", pe_rows=12, pe_cols=14, rf=Buffer(shared_words=512),
                  glb=Buffer(shared_words=8), rules=SearchRules(allow_psum_spill=False))
    res = accelsim.simulate(SMALL, hw, "ws", budget=QUICK)
    assert res.status == "infeasible" and "global buffer" in res.reason


# --------------------------------------------------------------------------- grouped and depthwise
@pytest.mark.parametrize("dataflow", DATAFLOWS)
@pytest.mark.parametrize("layer", [GROUPED, DEPTHWISE], ids=lambda lyr: lyr.name)
def test_grouped_and_depthwise_layers(layer, dataflow):
    res = accelsim.simulate(layer, GENERIC, dataflow, budget=QUICK)
    assert res.ok, res.reason
    assert res.macs == layer.macs
    assert layer.macs == layer.N * layer.M * (layer.C // layer.G) * layer.E * layer.F * layer.R * layer.S
    assert res.mapping.factors()[Dim.G] == layer.G
    fits(res.mapping, layer, GENERIC, dataflow)


def test_cycles_objective_is_the_reported_roofline():
    """The mapper's cycles objective scores the same roofline the analytic engine reports
    (compute steps, or DRAM / GLB / bus words over their rates when one is busier), so on a
    DRAM-starved machine the objective is DRAM-bound, not the MAC steps."""
    from accelsim.spec.variation import apply_vary

    hw = apply_vary(accelsim.load_hardware("eyeriss"), {"dram_words_per_cycle": 0.05, "dram_rlc": False})
    found = best_mapping(CONV3, hw, "rs", "cycles", QUICK)
    res = accelsim.simulate(CONV3, hw, "rs", mapping=found.mapping)
    assert found.score == pytest.approx(res.cycles, rel=1e-6)
    assert res.cycles > res.compute_cycles  # DRAM-bound: the roofline is not the MAC steps
