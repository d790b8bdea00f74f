"""RS+ and the mapper on a hierarchical mesh (issue #16 part 3).

The machines are built here, not loaded: an Eyeriss-v1.5-like one (JETCAS 2019 §II, §III-C:
8 × 2 clusters of 3 × 4 PEs, per-cluster routers 3 iact 4/4 ports, 3 weight 2/2 without
vertical links, 4 psum 3/3 without horizontal links, 24-b and 40-b ports; PE spads iact 16,
weight 96 × 2 = 192, psum 32 words, §IV-A) and its flat twin, the v1 design at 192 PEs
(12 × 16, the same spads): the paper's ``eyeriss-v1-192`` and ``eyeriss-v1.5`` baselines,
without their GLB and energy details, which these tests do not need.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelsim.cli.main import main
from accelsim.dataflows import available, template
from accelsim.dataflows.lowering import (array_limits, capacity_array, cost_array, genome_to_mapping, search_space,
                                         window_flags)
from accelsim.errors import SpecError
from accelsim.io.mappingfile import dump_mapping_file, mapping_document
from accelsim.io.schema import mappings_from_data
from accelsim.io.yamlfile import parse_yaml
from accelsim.layout import N_TYPES
from accelsim.search.mapper import Budget, Objective, best_mapping, rules_of
from accelsim.sim.counting import check_fits, count_mapping
from accelsim.spec.constraints import FactorPin, MappingConstraints
from accelsim.spec.dims import Dataflow, Dim, LoopKind, NocKind, Place
from accelsim.spec.hardware import Buffer, Clusters, Hardware, NoC, Routers
from accelsim.spec.layer import ConvLayer, Workload
from reference_counter import reference_counts

#: PE spads of Eyeriss v2 (JETCAS 2019 §IV-A): iact 16 words (the C0·S window), weights
#: 96 × 24 b = 192 8-b words, psums 32 (M0 ≤ 32)
SPADS = Buffer(shared_words=0, ifmap_words=16, filter_words=192, psum_words=32)
GLB = Buffer(shared_words=96 * 1024)

#: unlimited DRAM bandwidth, as the paper's v1 / v1.5 comparison; the GLB's 16 clusters each
#: serve one 24-b iact word (3 iacts) per bank and one 40-b psum word (2 psums) per bank a cycle:
#: 16 × (3 × 3 + 4 × 2) = 272 words per cycle (JETCAS 2019 §II bank counts)
FLAT = Hardware(name="v1-192-like", pe_rows=12, pe_cols=16, rf=SPADS, glb=GLB, dram_words_per_cycle=1e9,
                glb_words_per_cycle=272)


def hmesh(rows: int = 8, cols: int = 2, pe_rows: int = 3, pe_cols: int = 4) -> Hardware:
    """A hierarchical-mesh machine with v2's routers (JETCAS 2019 §III-C) and ``rows × cols``
    clusters of ``pe_rows × pe_cols`` PEs (v1.5: 8 × 2 of 3 × 4)."""
    noc = NoC(kind=NocKind.HMESH, clusters=Clusters(rows=rows, cols=cols, pe_rows=pe_rows, pe_cols=pe_cols),
              routers=(Routers(count=3, source_ports=4, destination_ports=4, port_bits=24),
                       Routers(count=3, source_ports=2, destination_ports=2, port_bits=24, vertical_links=False),
                       Routers(count=4, source_ports=3, destination_ports=3, port_bits=40, horizontal_links=False)),
              ifmap_words_per_cycle=9, filter_words_per_cycle=9, psum_words_per_cycle=8, gon_words_per_cycle=8)
    return replace(FLAT, name="v1.5-like", pe_rows=rows * pe_rows, pe_cols=cols * pe_cols, noc=noc)


V15 = hmesh()

#: MobileNet-v1 depth-wise layer: 64 channels, 32 × 32 output, 3 × 3 filters, stride 1
DEPTHWISE = ConvLayer(name="dw", M=64, C=64, G=64, H=34, W=34, R=3, S=3)
#: a point-wise layer (1 × 1) and an FC layer at batch 1
POINTWISE = ConvLayer(name="pw", M=128, C=64, H=16, W=16, R=1, S=1)
FC = ConvLayer(name="fc", M=100, C=256, H=1, W=1, R=1, S=1)

QUICK = Budget(samples=2000, climb=1000, starts=4)


def assert_legal(mapping, layer: ConvLayer, hw: Hardware, dataflow: str) -> None:
    """The mapping covers the layer, keeps every cluster loop above every PE loop, fits one
    cluster and the cluster array, fits the buffers, and conserves the MACs."""
    mapping.check_covers(layer.loop_bounds())
    kinds = [lp.kind for lp in mapping.loops if lp.spatial]
    first_pe = next((i for i, k in enumerate(kinds) if not k.cluster), len(kinds))
    assert all(not k.cluster for k in kinds[first_pe:]), mapping.describe()
    cl = hw.noc.clusters
    crows, ccols = mapping.cluster_shape()
    rows, cols = mapping.pe_shape()
    if cl is None:
        assert (crows, ccols) == (1, 1)
        assert rows <= hw.pe_rows and cols <= hw.pe_cols
    else:
        assert crows <= cl.rows and ccols <= cl.cols, mapping.describe()
        assert rows <= cl.pe_rows and cols <= cl.pe_cols, mapping.describe()
    counts = count_mapping(mapping, layer, window_flags(template(dataflow), hw))
    check_fits(mapping, counts, hw)
    assert counts.macs == layer.macs


# ----------------------------------------------------------------------------- the dataflow itself
def test_rs_plus_is_a_listed_dataflow(capsys):
    assert Dataflow("rs-plus") in available()
    assert main(["list", "dataflows"]) == 0
    assert "rs-plus" in capsys.readouterr().out


def test_rs_plus_keeps_the_rs_primitive_and_spreads_any_other_dimension():
    """S and F stay whole in the PE (the C0 × S window slides along an ofmap row); every other
    dimension, G included, may go to PE rows and columns and, on an hmesh, cluster rows and cols."""
    tpl = template("rs-plus")
    for d in (Dim.S, Dim.F):
        assert tpl.places(d) == ("pe",) and tpl.places(d, clusters=True) == ("pe",)
    for d in (Dim.G, Dim.N, Dim.M, Dim.C, Dim.E, Dim.R):
        assert {"row", "col"} <= set(tpl.places(d))
        assert {"crow", "ccol", "row", "col"} <= set(tpl.places(d, clusters=True))
    assert set(tpl.rf_accumulates) == {Dim.C, Dim.S}


@pytest.mark.parametrize("dataflow", [df.value for df in available()])
def test_flat_noc_has_no_cluster_slots(dataflow):
    """On a flat NoC the mapspace is what it was: no crow/ccol slot; on an hmesh the cluster
    slots come after the outer ones and before every PE-array slot (the kernel keeps spatial
    slots in order, so cluster loops lie above row/col loops)."""
    tpl = template(dataflow)
    flat = search_space(tpl, POINTWISE)
    assert not {"crow", "ccol"} & set(flat.slot_place)
    assert array_limits(FLAT) == (12, 16, 0, 0)
    mesh = search_space(tpl, POINTWISE, clusters=True)
    places = list(mesh.slot_place)
    assert [p for p in places if p not in ("crow", "ccol")] == list(flat.slot_place)
    spatial = places[mesh.n_outer:mesh.pe_start]
    assert spatial == sorted(spatial, key=("crow", "ccol", "row", "col").index)
    for pe_place, cluster_place in (("row", "crow"), ("col", "ccol")):
        assert (pe_place in flat.slot_place) == (cluster_place in places)
    assert array_limits(V15) == (3, 4, 8, 2)


# ----------------------------------------------------------------------------- the mapper on an hmesh
def test_depthwise_fills_the_hmesh_where_rs_cannot():
    """MobileNet's depth-wise layer: RS on the flat 12 × 16 array only spreads R = 3 rows ×
    E columns (a group has one channel and one filter); RS+ on v1.5 spreads the 64 groups
    over clusters and PEs too, onto at least 4× as many PEs (JETCAS 2019 §III-A)."""
    rs = best_mapping(DEPTHWISE, FLAT, "rs", Objective.CYCLES, QUICK).mapping
    assert_legal(rs, DEPTHWISE, FLAT, "rs")
    plus = best_mapping(DEPTHWISE, V15, "rs-plus", Objective.CYCLES, Budget()).mapping
    assert_legal(plus, DEPTHWISE, V15, "rs-plus")
    assert plus.active_pes >= 4 * rs.active_pes, (rs.describe(), plus.describe())
    assert any(lp.dim is Dim.G and lp.spatial for lp in plus.loops), plus.describe()
    assert plus.cluster_shape() != (1, 1)


@pytest.mark.parametrize("layer", [POINTWISE, FC], ids=["pointwise", "fc"])
def test_pointwise_and_fc_map_legally_with_cluster_loops(layer):
    found = best_mapping(layer, V15, "rs-plus", Objective.ENERGY, QUICK)
    assert_legal(found.mapping, layer, V15, "rs-plus")
    crows, ccols = found.mapping.cluster_shape()
    assert crows * ccols > 1, found.mapping.describe()


@pytest.mark.parametrize("dataflow", ["rs", "ws", "osa", "nlr"])
def test_existing_dataflows_spread_over_clusters(dataflow):
    """With no template edit, a dataflow's row/col dimensions go to cluster rows/cols too."""
    layer = ConvLayer(name="c", M=32, C=16, H=10, W=10, R=3, S=3, N=2)
    found = best_mapping(layer, V15, dataflow, Objective.CYCLES, QUICK)
    assert_legal(found.mapping, layer, V15, dataflow)
    assert found.mapping.cluster_shape() != (1, 1), found.mapping.describe()


def test_search_is_deterministic_per_seed():
    a = best_mapping(DEPTHWISE, V15, "rs-plus", Objective.EDP, QUICK)
    b = best_mapping(DEPTHWISE, V15, "rs-plus", Objective.EDP, QUICK)
    assert a.mapping == b.mapping and a.score == b.score and a.considered == b.considered


def test_rs_plus_is_legal_on_the_flat_array():
    """RS+ is a dataflow, not a machine: on the flat v1-192 array it maps without cluster loops."""
    found = best_mapping(DEPTHWISE, FLAT, "rs-plus", Objective.CYCLES, QUICK)
    assert_legal(found.mapping, DEPTHWISE, FLAT, "rs-plus")


def test_an_rs_plus_mapping_file_reads_back():
    mapping = best_mapping(POINTWISE, FLAT, "rs-plus", Objective.ENERGY, QUICK).mapping
    workload = Workload(name="w", layers=(POINTWISE,))
    text = dump_mapping_file(mapping_document("w", "rs-plus", 1, {"pw": mapping}, source="test"))
    assert mappings_from_data(parse_yaml(text), workload, 1, origin="<written>")["pw"] == mapping


# ----------------------------------------------------------------------------- constraints
def test_cluster_places_can_be_pinned():
    cons = MappingConstraints(factors=(FactorPin(Place.CROW, Dim.G, 8, "factors.crow.G"),
                                       FactorPin(Place.CCOL, Dim.G, 2, "factors.ccol.G")))
    found = best_mapping(DEPTHWISE, V15, "rs-plus", Objective.ENERGY, QUICK, cons)
    assert_legal(found.mapping, DEPTHWISE, V15, "rs-plus")
    g_on = {k: int(np.prod([lp.factor for lp in found.mapping.loops if lp.kind is k and lp.dim is Dim.G]))
            for k in (LoopKind.CROW, LoopKind.CCOL)}
    assert g_on == {LoopKind.CROW: 8, LoopKind.CCOL: 2}
    assert cons.violations(found.mapping, DEPTHWISE.loop_bounds(), V15.num_pes) == []


def test_cluster_pins_need_an_hmesh_and_must_fit_it():
    pin = MappingConstraints(factors=(FactorPin(Place.CROW, Dim.G, 2, "layers.dw.factors.crow.G"),))
    with pytest.raises(SpecError) as err:
        best_mapping(DEPTHWISE, FLAT, "rs-plus", Objective.ENERGY, QUICK, pin)
    assert err.value.field == "layers.dw.factors.crow.G" and "hierarchical mesh" in str(err.value)
    big = MappingConstraints(factors=(FactorPin(Place.CCOL, Dim.G, 4, "layers.dw.factors.ccol.G"),))
    with pytest.raises(SpecError) as err:
        best_mapping(DEPTHWISE, V15, "rs-plus", Objective.ENERGY, QUICK, big)
    assert err.value.field == "layers.dw.factors.ccol.G" and "cluster columns" in str(err.value)
    row = MappingConstraints(factors=(FactorPin(Place.ROW, Dim.G, 4, "layers.dw.factors.row.G"),))
    with pytest.raises(SpecError) as err:  # a cluster has 3 PE rows
        best_mapping(DEPTHWISE, V15, "rs-plus", Objective.ENERGY, QUICK, row)
    assert err.value.field == "layers.dw.factors.row.G"


def test_check_fits_refuses_a_flat_shaped_mapping_on_an_hmesh():
    """Row/col loops run inside one cluster: 6 PE rows do not fit a 3-row cluster, although
    the whole array has 24 rows; and cluster loops need an hmesh."""
    from accelsim.errors import CapacityError
    from accelsim.spec.mapping import Loop, Mapping

    layer = ConvLayer(name="x", M=6, C=2, H=3, W=3, R=1, S=1)
    loops = (Loop(Dim.M, 6, LoopKind.ROW), Loop(Dim.C, 2), Loop(Dim.E, 3), Loop(Dim.F, 3))
    mapping = Mapping(loops=loops, glb=(0, 0, 0), rf=(3, 3, 3))
    counts = count_mapping(mapping, layer, 0)
    check_fits(mapping, counts, FLAT)
    with pytest.raises(CapacityError, match="in a cluster"):
        check_fits(mapping, counts, V15)
    clustered = Mapping(loops=(Loop(Dim.M, 2, LoopKind.CROW),) + (Loop(Dim.M, 3, LoopKind.ROW),) + loops[1:],
                        glb=(0, 0, 0), rf=(4, 4, 4))
    counts = count_mapping(clustered, layer, 0)
    check_fits(clustered, counts, V15)
    with pytest.raises(CapacityError, match="hierarchical mesh"):
        check_fits(clustered, counts, FLAT)


# ----------------------------------------------------------------------------- properties
@st.composite
def small_cases(draw):
    """A small grouped layer (depth-wise a third of the time), a cluster array and a dataflow."""
    g = draw(st.sampled_from([1, 2, 4]))
    if draw(st.integers(0, 2)) == 0:
        m = c = g
    else:
        m, c = g * draw(st.integers(1, 4)), g * draw(st.integers(1, 4))
    r = draw(st.integers(1, 3))
    u = draw(st.integers(1, 2))
    e = draw(st.integers(1, 4))
    layer = ConvLayer(name="t", N=draw(st.integers(1, 2)), M=m, C=c, G=g, R=r, S=r, U=u,
                      H=(e - 1) * u + r, W=(e - 1) * u + r)
    hw = hmesh(draw(st.integers(1, 4)), draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dataflow = draw(st.sampled_from(["rs-plus", "rs-plus", "rs", "ws", "osb"]))
    return layer, hw, dataflow


@settings(max_examples=25, deadline=None)
@given(case=small_cases(), seed=st.integers(0, 2**16), objective=st.sampled_from(list(Objective)))
def test_mapper_picks_on_an_hmesh_are_legal_and_count_as_the_reference(case, seed, objective):
    """Every mapping the mapper returns on a random cluster array is legal (covers, cluster
    loops above PE loops, fits a cluster and the cluster array, fits the buffers), conserves
    the MACs, and its analytic counts equal the enumerating reference counter's — every stat
    up to TRANSACTIONS, and the tile usage. (PORTS and HOPS of cluster loops are the analytic
    engine's hmesh counting, tests/test_hmesh_counts.py.)"""
    layer, hw, dataflow = case
    from accelsim.errors import InfeasibleError

    try:
        found = best_mapping(layer, hw, dataflow, objective, Budget(samples=300, climb=200, starts=2, seed=seed))
    except InfeasibleError:
        return  # e.g. RS's whole R on a cluster array too short for it
    mapping = found.mapping
    assert_legal(mapping, layer, hw, dataflow)
    win = window_flags(template(dataflow), hw)
    got = count_mapping(mapping, layer, win)
    ref_counts, ref_usage, ref_macs = reference_counts(layer, mapping, win)
    assert got.macs == ref_macs == layer.macs
    assert np.array_equal(got.counts, ref_counts), mapping.describe()
    assert np.array_equal(got.usage, ref_usage), mapping.describe()


@settings(max_examples=30, deadline=None)
@given(case=small_cases(), seed=st.integers(0, 2**31 - 1))
def test_repair_fits_every_genome_to_a_cluster_and_the_cluster_array(case, seed):
    """Random genomes, as the search draws them, repaired by the kernel's own evaluation: the
    repaired prime assignment puts at most a cluster's PE rows/cols on row/col slots and at
    most the cluster array's rows/cols on crow/ccol slots, and keeps every prime factor."""
    from accelsim.kernels.search import evaluate_genome, evaluation_args

    layer, hw, dataflow = case
    tpl = template(dataflow)
    sp = search_space(tpl, layer, clusters=True)
    rows, cols, crows, ccols = array_limits(hw)
    args = evaluation_args(sp.slot_dim, sp.slot_kind, sp.slot_red, sp.prime_val, sp.n_outer, sp.pe_start,
                           sp.res_mode, layer.U, window_flags(tpl, hw), cost_array(hw), capacity_array(hw),
                           rows, cols, 0, rules_of(hw), sp.acc_mask, sp.prime_set, sp.set_slots, sp.set_nslots,
                           sp.order_rank, 0, crows, ccols)
    # a genome as random_genome draws it (numba's generator is not NumPy's: drawn here instead)
    rng = np.random.default_rng(seed)
    k = len(sp.slot_dim)
    assign = np.array([sp.set_slots[c, rng.integers(sp.set_nslots[c])] for c in sp.prime_set], dtype=np.int64)
    order = np.arange(k, dtype=np.int64)
    rng.shuffle(order[:sp.n_outer])
    rng.shuffle(order[sp.pe_start:])
    res = np.array([[rng.integers(0, sp.n_outer + 1)] * N_TYPES, [rng.integers(sp.pe_start, k + 1)] * N_TYPES],
                   dtype=np.int64)
    score = evaluate_genome(assign, order, res, *args)
    used = {kind: 1 for kind in LoopKind}
    for i, slot in enumerate(assign):
        used[LoopKind(int(sp.slot_kind[slot]))] *= int(sp.prime_val[i])
    impossible = any(  # a dimension pinned to the array (RS's R) too big for it
        used[kind] > limit for kind, limit in ((LoopKind.ROW, rows), (LoopKind.COL, cols),
                                               (LoopKind.CROW, crows), (LoopKind.CCOL, ccols)))
    if impossible:
        assert score == np.inf
        return
    mapping = genome_to_mapping(sp, tpl, assign, order, res)
    mapping.check_covers(layer.loop_bounds())  # no prime factor lost
    assert mapping.cluster_shape() == (used[LoopKind.CROW], used[LoopKind.CCOL])
    assert mapping.pe_shape() == (used[LoopKind.ROW], used[LoopKind.COL])



def test_a_constraints_file_pins_cluster_places():
    """``crow`` / ``ccol`` are places of a constraints file (checked against the dataflow's
    cluster slots before any search), and a pin there is a CROW / CCOL factor."""
    from accelsim.io.schema import constraints_from_data

    workload = Workload(name="w", layers=(DEPTHWISE,))
    data = {"version": 1, "dataflow": "rs-plus", "layers": {"dw": {"factors": {"crow": {"G": 8}, "ccol": "G=2"}}}}
    cons = constraints_from_data(data, workload, 1, [Dataflow.RS_PLUS], origin="c.yaml")["dw"]
    assert {(p.place, p.dim, p.factor) for p in cons.factors} == {(Place.CROW, Dim.G, 8), (Place.CCOL, Dim.G, 2)}
    assert cons.pins_clusters
    bad = {"version": 1, "layers": {"dw": {"factors": {"crow": {"S": 3}}}}}
    with pytest.raises(SpecError) as err:  # RS+ keeps S whole in the PE
        constraints_from_data(bad, workload, 1, [Dataflow.RS_PLUS], origin="c.yaml")
    assert err.value.field == "layers.dw.factors.crow.S" and "c.yaml" in str(err.value)


def test_cli_refuses_a_cluster_pin_on_a_flat_machine(tmp_path, capsys):
    cons = tmp_path / "cons.yaml"
    cons.write_text("version: 1\nlayers:\n  conv3:\n    factors: {crow: {M: 2}}\n")
    code = main(["run", "alexnet", "--layers", "conv3", "--hardware", "eyeriss", "--dataflow", "rs",
                 "--constraints", str(cons)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "layers.conv3.factors.crow.M" in err and "hierarchical mesh" in err and "cons.yaml" in err
    assert "Traceback" not in err


def test_ragged_candidates_fill_a_cluster_on_an_hmesh():
    """v1.5's clusters have 3 PE rows, which no power of two fills: the ragged search also pads
    to a cluster's sides (the FC layer's 256 channels → 258 = 3 × 86), which the flat 12 × 16
    machine's candidates (multiples of 12 or 16) lack; a point-wise layer's padded pick then
    occupies more PEs than the best perfect factorisation."""
    from accelsim.search.mapper import padding_candidates

    tpl = template("rs-plus")
    c_of = lambda cands: {b[Dim.C] for b in cands}  # noqa: E731
    assert 258 in c_of(padding_candidates(FC, V15, tpl))
    assert 258 not in c_of(padding_candidates(FC, FLAT, tpl))
    plain = best_mapping(POINTWISE, V15, "rs-plus", Objective.CYCLES, QUICK)
    ragged = best_mapping(POINTWISE, V15, "rs-plus", Objective.CYCLES, replace(QUICK, ragged=True))
    assert_legal(plain.mapping, POINTWISE, V15, "rs-plus")
    bounds = POINTWISE.loop_bounds()
    ragged.mapping.check_covers(bounds)
    check_fits(ragged.mapping, count_mapping(ragged.mapping, POINTWISE, 0), V15)
    assert ragged.score <= plain.score
    assert ragged.mapping.active_pes_for(bounds) > plain.mapping.active_pes_for(bounds)
