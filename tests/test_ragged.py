"""Imperfect factorisation (ragged tiles): both engines, the reference counter, the rules.

A mapping whose factors multiply past a layer's bound pads that dimension; iterations beyond
the bound are masked. The strategy draws a tiny layer and a random mapping of any dataflow,
then shrinks the layer's bounds below the mapping's products (never by a whole outermost
iteration), so the same loop nest runs ragged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accelsim
from accelsim.dataflows.lowering import lower_mapping
from accelsim.errors import MappingError
from accelsim.kernels.analytic import count_accesses, count_accesses_padded
from accelsim.layout import (DRAM, FILTER, IFMAP, N_COUNT_STATS, N_LEVELS, N_TILE_LEVELS, N_TYPES, PSUM, READS,
                             WRITES)
from accelsim.sim.counting import count_mapping
from accelsim.sim.cycle import random_inputs, reference_conv, run_cycle
from accelsim.spec.dims import Dim, LoopKind, NocKind
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping

from reference_counter import reference_counts
from strategies import DATAFLOWS, layers, random_mapping_8x8


PROPS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shrink(layer: ConvLayer, mapping: Mapping, draw) -> ConvLayer:
    """A layer whose bounds the mapping's factors cover with padding (ragged last tiles)."""
    product = mapping.factors()
    bounds = list(product)
    for d in Dim:
        outer = next((lp.factor for lp in mapping.loops if lp.dim == d), 1)
        tile = product[d] // outer
        bounds[d] = draw(st.integers((outer - 1) * tile + 1, product[d]))
    g, n, mg, cg, e, f, r, s = bounds
    return ConvLayer(name="ragged", N=n, M=g * mg, C=g * cg, G=g, R=r, S=s, U=layer.U,
                     H=(e - 1) * layer.U + r, W=(f - 1) * layer.U + s)


@st.composite
def ragged_cases(draw):
    layer = draw(layers())
    dataflow = draw(st.sampled_from(DATAFLOWS))
    mapping = random_mapping_8x8(layer, dataflow, draw(st.integers(0, 2**32 - 1)))
    return shrink(layer, mapping, draw), mapping, draw(st.integers(0, 3))


@PROPS
@given(case=ragged_cases())
def test_padded_counts_match_reference(case):
    """The analytic kernel's padded path counts what the enumerating reference counts."""
    layer, mapping, window = case
    got = count_mapping(mapping, layer, window)
    ref, usage, macs = reference_counts(layer, mapping, window)
    assert macs == got.macs == layer.macs
    assert np.array_equal(ref, got.counts), (ref - got.counts, mapping.describe(), layer.shape_dict())
    assert np.array_equal(usage, got.usage)


@PROPS
@given(layer=layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1),
       window=st.integers(0, 3))
def test_padded_path_equals_closed_form_when_nothing_is_padded(layer, dataflow, seed, window):
    """The enumerating path reduces to the closed form on perfect factorisations."""
    mapping = random_mapping_8x8(layer, dataflow, seed)
    arr = lower_mapping(mapping)
    fast = (np.zeros((N_LEVELS, N_TYPES, N_COUNT_STATS), np.int64), np.zeros((N_TILE_LEVELS, N_TYPES), np.int64))
    slow = (np.zeros((N_LEVELS, N_TYPES, N_COUNT_STATS), np.int64), np.zeros((N_TILE_LEVELS, N_TYPES), np.int64))
    m1 = count_accesses(arr.dims, arr.factors, arr.kinds, arr.reds, arr.res, layer.U, window, *fast)
    m2 = count_accesses_padded(arr.dims, arr.factors, arr.kinds, arr.reds, arr.res, layer.U, window,
                               np.array(layer.loop_bounds(), dtype=np.int64), *slow)
    assert m1 == m2
    assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])


@PROPS
@given(case=ragged_cases(), data_seed=st.integers(0, 2**31 - 1),
       noc=st.sampled_from([k for k in NocKind if k is not NocKind.HMESH]),
       prefetch=st.booleans())
def test_cycle_engine_on_ragged_mappings(case, data_seed, noc, prefetch):
    """Real values through masked tiles: the right output, the analytic counts, the valid
    steps and PEs — on every NoC kind, with and without double-buffered spads."""
    layer, mapping, window = case
    base = accelsim.load_hardware("eyeriss")
    hw = replace(base, pe_rows=8, pe_cols=8, noc=replace(base.noc, kind=noc),
                 model=replace(base.model, rf_prefetch=prefetch))
    ifmap, filters = random_inputs(layer, seed=data_seed)
    out = run_cycle(layer, hw, mapping, window, ifmap, filters)
    ana = count_mapping(mapping, layer, window)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters, hw.precision.psum_bits))
    assert np.array_equal(out.counts, ana.counts)
    assert np.array_equal(out.usage, ana.usage)
    assert out.compute_cycles == ana.compute_steps
    assert int(out.pe_busy.sum()) == layer.macs
    assert out.active_pes == mapping.active_pes_for(layer.loop_bounds())


def _nest(e_outer: int, e_inner: int, kind=LoopKind.COL) -> Mapping:
    loops = (Loop(Dim.E, e_outer), Loop(Dim.E, e_inner, kind), Loop(Dim.R, 3, LoopKind.ROW), Loop(Dim.F, 5))
    return Mapping(loops=loops, glb=(0, 0, 0), rf=(None, None, None))


def test_ragged_strip_by_hand():
    """E = 5 in 3-wide strips (2 strips, the second 2 wide), R = 3 on rows, F = 5 in time:
    in the second strip the third PE column idles. Steps 2 × 5; each PE of columns 0-1 does
    10 MACs, column 2 only 5; MACs = E·F·R = 75."""
    layer = ConvLayer(name="x", N=1, M=1, C=1, H=7, W=5, R=3, S=1)
    m = _nest(2, 3)
    m.check_covers(layer.loop_bounds())
    assert m.is_padded(layer.loop_bounds())
    assert m.active_pes_for(layer.loop_bounds()) == 9
    counts = count_mapping(m, layer, 0)
    assert counts.macs == 75 and counts.compute_steps == 10
    hw = replace(accelsim.load_hardware("eyeriss"), pe_rows=3, pe_cols=3)
    out = run_cycle(layer, hw, m, 0)
    assert np.array_equal(out.counts, counts.counts)
    assert out.pe_busy.tolist() == [[10, 10, 5]] * 3


def test_spatial_padding_idles_pes():
    """E = 5 on 2 rows × 3 columns (the chip's CONV2 split, small): the PE at row 1, column 2
    never has a valid iteration, so 5 of 6 PEs are active."""
    layer = ConvLayer(name="x", N=1, M=1, C=1, H=5, W=5, R=1, S=1)
    m = Mapping(loops=(Loop(Dim.E, 2, LoopKind.ROW), Loop(Dim.E, 3, LoopKind.COL), Loop(Dim.F, 5)),
                glb=(0, 0, 0), rf=(None, None, None))
    assert m.active_pes == 6 and m.active_pes_for(layer.loop_bounds()) == 5
    hw = replace(accelsim.load_hardware("eyeriss"), pe_rows=2, pe_cols=3)
    res = accelsim.simulate(layer, hw, "rs", engine="cycle", mapping=m)
    assert res.active_pes == 5 and res.timing.verified and res.timing.counts_match_analytic
    assert accelsim.simulate(layer, hw, "rs", mapping=m).active_pes == 5


@pytest.mark.parametrize("factors, message", [
    ((1, 3), "multiply to 3, the layer needs 5"),           # too small
    ((3, 3), "a whole outermost iteration"),                 # 9 covers 5 with a spare iteration
])
def test_padding_rules(factors, message):
    layer = ConvLayer(name="x", N=1, M=1, C=1, H=7, W=5, R=3, S=1)
    with pytest.raises(MappingError, match=message) as exc:
        _nest(*factors).check_covers(layer.loop_bounds())
    assert exc.value.field == "mapping.loops[E]"


def test_eyeriss_conv1_conv2_need_ragged_sets():
    """The chip's CONV1 (7-wide strips of E = 55) and CONV2 (a 5 × 27 set split 14 + 13)."""
    wl = accelsim.load_workload("alexnet").with_batch(4)
    from accelsim.dataflows.rs import from_eyeriss_params

    conv1, conv2 = wl.layers[0], wl.layers[1]
    m1 = from_eyeriss_params(conv1, n=1, e=7, p=16, q=1, r=1, t=2, t_on_rows=False)
    m2 = from_eyeriss_params(conv2, n=1, e=27, p=16, q=2, r=1, t=1, split=2)
    assert m1.factors()[Dim.E] == 56 and m1.spatial_shape() == (11, 14)
    assert m2.factors()[Dim.E] == 28 and m2.spatial_shape() == (10, 14)
    with pytest.raises(MappingError, match="segments"):
        from_eyeriss_params(conv2, n=1, e=3, p=16, q=2, r=1, t=1, split=3 + 1)


# ----------------------------------------------------------------------------- the mapper
def test_padding_candidates():
    """sys-os puts output pixels (N, E, F) on rows and filters (M) on columns; on 12 × 14 a
    13-row ofmap pads to 24 (full 12-row strips) or 14 (two even 7-row strips)."""
    from accelsim.dataflows import template
    from accelsim.search.mapper import padding_candidates

    hw = replace(accelsim.load_hardware("tpu-like"), pe_rows=12, pe_cols=14)
    layer = accelsim.load_workload("alexnet").select(["conv3"]).layers[0]  # E = F = 13, M = 384
    cands = padding_candidates(layer, hw, template("sys-os"))
    e_pads = sorted(c[Dim.E] for c in cands if c[Dim.F] == 13 and c[Dim.M] == layer.M)
    assert e_pads == [14, 24]
    assert all(c != layer.loop_bounds() for c in cands)


@pytest.mark.parametrize("dataflow, hw_name", [("sys-os", "tpu-like"), ("rs", "eyeriss")])
def test_ragged_search_never_worse(dataflow, hw_name):
    """Searching padded bounds too can only lower the objective; the winner is a legal
    mapping of the real layer and both engines agree on it."""
    from accelsim.search.mapper import Budget, best_mapping
    from accelsim.sim.counting import check_fits

    hw = replace(accelsim.load_hardware(hw_name), pe_rows=12, pe_cols=14)
    layer = accelsim.load_workload("alexnet").select(["conv5"]).layers[0]
    quick = dict(samples=600, climb=300, starts=2)
    # the search of (padded) factorisations alone: without the flattened im2col candidates
    plain = best_mapping(layer, hw, dataflow, "edp", Budget(**quick), flatten=False)
    ragged = best_mapping(layer, hw, dataflow, "edp", Budget(**quick, ragged=True), flatten=False)
    assert ragged.score <= plain.score
    assert ragged.considered > plain.considered
    counts = count_mapping(ragged.mapping, layer, 0 if dataflow == "rs" else 1)
    check_fits(ragged.mapping, counts, hw)
    if dataflow == "sys-os":
        # 13 × 13 ofmaps cannot fill 12 rows without padding: the ragged search must find it
        assert ragged.mapping.is_padded(layer.loop_bounds()) and ragged.score < 0.5 * plain.score


def test_cli_ragged_flag(capsys):
    from accelsim.cli.main import main

    assert main(["mapping", "show", "alexnet", "--layers", "conv5", "--hardware", "tpu-like", "--array", "12x14",
                 "--dataflow", "sys-os", "--force-dataflow", "--objective", "edp", "--ragged"]) == 0
    out = capsys.readouterr().out
    assert "-- ragged: " in out and "(the iterations past each bound are masked)" in out


@PROPS
@given(case=ragged_cases())
def test_padded_compulsory_traffic(case):
    """Padding never hides work: every filter word and every ifmap word a valid MAC uses is
    read from DRAM at least once, and every ofmap word is written to DRAM at least once."""
    from reference_counter import used_ifmap_elements

    layer, mapping, window = case
    counts = count_mapping(mapping, layer, window).counts
    assert counts[DRAM, IFMAP, READS] >= used_ifmap_elements(layer)
    assert counts[DRAM, FILTER, READS] >= layer.M * (layer.C // layer.G) * layer.R * layer.S
    assert counts[DRAM, PSUM, WRITES] >= layer.N * layer.M * layer.E * layer.F
