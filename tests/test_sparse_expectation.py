"""The analytic engine's sparse PE: the expected work of :mod:`accelsim.sim.sparse_expectation`
against the definition, ``tests/reference_counter.py sparse_work``.

- exact: on tiny layers, the expectation equals the reference's work averaged over *every* zero
  pattern of the ifmap and the filters, each weighted by ``d^non-zeros · (1 − d)^zeros``
  (floating point: relative 1e-9);
- the columns of random mappings (perfect, ragged, flattened, with cluster loops): with dense
  data, the reference's cycles at every SIMD width ``s`` equal ``Σ_L columns(L) · ceil(L / s)``
  (which determines the column histogram), and its MACs the histogram's;
- Monte Carlo: random tiny mappings and densities, the reference's mean work over seeded
  Bernoulli masks within 6 standard errors (+ 1e-6) of the expectation.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelsim.layout import (N_SPARSE_STATS, SP_BUBBLE, SP_CYCLES, SP_EFFECTIVE, SP_EMPTY_COLUMN, SP_MACS, SP_SIMD_PAD,
                             SP_ZERO_IACT, SP_ZERO_WEIGHT)
from accelsim.sim.sparse_expectation import column_histogram, column_loops, expected_ceil, expected_work
from accelsim.spec.dims import DataType, Dim, LoopKind
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping

from reference_counter import column_loops as ref_column_loops
from reference_counter import sparse_work
from strategies import cluster_cases, flat_cases, layers, random_mapping_8x8, shrink_bounds, DATAFLOWS


def _shapes(layer):
    return (layer.N, layer.C, layer.H, layer.W), (layer.M, layer.C // layer.G, layer.R, layer.S)


def _all_masks_average(layer, mapping, d_i, d_w, simd):
    """The reference's work per PE averaged over every zero pattern, exactly weighted."""
    i_shape, f_shape = _shapes(layer)
    n_i, n_f = math.prod(i_shape), math.prod(f_shape)
    total: dict = {}
    for bits in product((0, 1), repeat=n_i + n_f):
        a = np.array(bits[:n_i], dtype=np.int64)
        w = np.array(bits[n_i:], dtype=np.int64)
        nz_i, nz_w = int(a.sum()), int(w.sum())
        weight = d_i ** nz_i * (1 - d_i) ** (n_i - nz_i) * d_w ** nz_w * (1 - d_w) ** (n_f - nz_w)
        for pe, v in sparse_work(layer, mapping, a.reshape(i_shape), w.reshape(f_shape), simd).items():
            total[pe] = total.get(pe, 0.0) + weight * v.astype(float)
    return np.array([total[k] for k in sorted(total)])


def _rs_like(layer, m_inner: int, m_outer: int, filter_rf: int | None = 0) -> Mapping:
    """Everything temporal, ``M`` split in an outer and an innermost loop (the column)."""
    loops = (Loop(Dim.C, layer.C), Loop(Dim.M, m_outer), Loop(Dim.S, layer.S), Loop(Dim.F, layer.F),
             Loop(Dim.M, m_inner))
    return Mapping(loops=loops, glb=(0, 0, 0), rf=(0, filter_rf, 0))


TINY = [
    # (layer, mapping, d_i, d_w, simd): ≤ 10 mask bits each
    (ConvLayer(name="a", N=1, M=3, C=1, H=1, W=2, R=1, S=1), lambda ly: _rs_like(ly, 3, 1), 0.6, 0.3, 2),
    (ConvLayer(name="b", N=1, M=4, C=2, H=1, W=1, R=1, S=1), lambda ly: _rs_like(ly, 2, 2), 0.7, 0.55, 2),
    (ConvLayer(name="c", N=1, M=5, C=1, H=1, W=2, R=1, S=1), lambda ly: _rs_like(ly, 5, 1), 0.5, 0.4, 3),
    (ConvLayer(name="d", N=1, M=3, C=1, H=1, W=3, R=1, S=2), lambda ly: _rs_like(ly, 3, 1), 0.35, 0.8, 2),
    (ConvLayer(name="e", N=1, M=4, C=1, H=1, W=2, R=1, S=1), lambda ly: _rs_like(ly, 4, 1, None), 0.5, 0.5, 2),
]


@pytest.mark.parametrize("case", range(len(TINY)))
def test_expectation_equals_the_average_over_every_mask(case):
    layer, make, d_i, d_w, simd = TINY[case]
    mapping = make(layer)
    exact = _all_masks_average(layer, mapping, d_i, d_w, simd)
    got = expected_work(layer, mapping, d_i, d_w, simd)
    np.testing.assert_allclose(got, exact, rtol=1e-9, atol=1e-12)


def test_expectation_on_a_padded_spatial_mapping_over_every_mask():
    # M = 3 over a 2-PE column loop of 2: PE 0 holds columns of 2 and 1 (the ragged one)
    layer = ConvLayer(name="p", N=1, M=3, C=1, H=1, W=2, R=1, S=1)
    mapping = Mapping(loops=(Loop(Dim.F, 2), Loop(Dim.M, 2, LoopKind.COL), Loop(Dim.C, 1), Loop(Dim.M, 2)),
                      glb=(0, 0, 0), rf=(2, 2, 2))
    hist = column_histogram(layer, mapping)
    assert hist.counts.tolist() == [[0, 0, 2], [0, 2, 0]]
    exact = _all_masks_average(layer, mapping, 0.55, 0.45, 2)
    np.testing.assert_allclose(expected_work(layer, mapping, 0.55, 0.45, 2), exact, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("length", [1, 2, 3, 7, 16, 33])
@pytest.mark.parametrize("d_w", [0.0, 0.13, 0.5, 0.9, 1.0])
def test_expected_ceil_closed_forms(length, d_w):
    # the pmf summed directly, and simd 2's closed form (L·d + P(K odd)) / 2
    pmf = [math.comb(length, k) * d_w ** k * (1 - d_w) ** (length - k) for k in range(length + 1)]
    for simd in (1, 2, 3, 4):
        direct = sum(p * -(-k // simd) for k, p in enumerate(pmf))
        assert expected_ceil(length, d_w, simd) == pytest.approx(direct, rel=1e-12, abs=1e-12)
    odd = (1 - (1 - 2 * d_w) ** length) / 2
    assert expected_ceil(length, d_w, 2) == pytest.approx((length * d_w + odd) / 2, rel=1e-12, abs=1e-12)


def test_column_loops_match_the_reference():
    for layer in (ConvLayer(name="a", N=1, M=4, C=2, H=1, W=1, R=1, S=1),):
        for mapping in (_rs_like(layer, 2, 2), _rs_like(layer, 2, 2, None), _rs_like(layer, 4, 1)):
            assert list(column_loops(mapping)) == list(ref_column_loops(mapping))


def _check_histogram(layer, mapping):
    assert list(column_loops(mapping)) == list(ref_column_loops(mapping))
    hist = column_histogram(layer, mapping)
    i_shape, f_shape = _shapes(layer)
    ones_i, ones_f = np.ones(i_shape, dtype=np.int64), np.ones(f_shape, dtype=np.int64)
    lengths = np.arange(hist.counts.shape[1])
    for simd in range(1, hist.counts.shape[1] + 1):
        ref = sparse_work(layer, mapping, ones_i, ones_f, simd)
        ref = np.array([ref[k] for k in sorted(ref)])
        assert ref.shape[0] == hist.counts.shape[0]
        np.testing.assert_array_equal(ref[:, SP_MACS], hist.macs)
        np.testing.assert_array_equal(ref[:, SP_CYCLES], hist.counts @ -(-lengths // simd))
        np.testing.assert_array_equal(expected_work(layer, mapping, 1.0, 1.0, simd), ref.astype(float))


@settings(max_examples=40, deadline=None)
@given(layer=layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_column_histogram_random_mappings(layer, dataflow, seed, data):
    mapping = random_mapping_8x8(layer, dataflow, seed)
    if data.draw(st.booleans()):
        layer = shrink_bounds(layer, mapping, data.draw)
    _check_histogram(layer, mapping)


@settings(max_examples=20, deadline=None)
@given(case=flat_cases())
def test_column_histogram_flattened(case):
    layer, mapping, _ = case
    _check_histogram(layer, mapping)


@settings(max_examples=20, deadline=None)
@given(case=cluster_cases())
def test_column_histogram_clusters(case):
    layer, mapping, _ = case
    _check_histogram(layer, mapping)


SAMPLES = 300


@settings(max_examples=12, deadline=None, derandomize=True)
@given(layer=layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1),
       d_i=st.floats(0.05, 1.0), d_w=st.floats(0.05, 1.0), simd=st.integers(1, 3), data=st.data())
def test_monte_carlo(layer, dataflow, seed, d_i, d_w, simd, data):
    mapping = random_mapping_8x8(layer, dataflow, seed)
    if data.draw(st.booleans()):
        layer = shrink_bounds(layer, mapping, data.draw)
    rng = np.random.default_rng(seed)
    i_shape, f_shape = _shapes(layer)
    runs = []
    for _ in range(SAMPLES):
        a = (rng.random(i_shape) < d_i).astype(np.int64)
        w = (rng.random(f_shape) < d_w).astype(np.int64)
        ref = sparse_work(layer, mapping, a, w, simd)
        runs.append(np.array([ref[k] for k in sorted(ref)], dtype=float))
    runs = np.array(runs)                                   # [samples, n_pe, N_SPARSE_STATS]
    mean, err = runs.mean(axis=0), runs.std(axis=0, ddof=1) / math.sqrt(SAMPLES)
    got = expected_work(layer, mapping, d_i, d_w, simd)
    assert got.shape == mean.shape == (mapping.active_pes, N_SPARSE_STATS)
    assert np.all(np.abs(got - mean) <= 6 * err + 1e-6), (got - mean, err)
    # conservation holds for the expectation as for every sample
    np.testing.assert_allclose(got[:, SP_MACS], got[:, SP_EFFECTIVE] + got[:, SP_ZERO_IACT] + got[:, SP_ZERO_WEIGHT])
    mac_cycles = got[:, SP_CYCLES] - got[:, SP_BUBBLE]  # the bubbles issue no MAC
    np.testing.assert_allclose(mac_cycles * simd, got[:, SP_EFFECTIVE] + got[:, SP_SIMD_PAD], atol=1e-9)
    assert np.all(got[:, SP_EMPTY_COLUMN] >= 0)


def test_filters_bypassing_the_rf_make_columns_of_one():
    layer = ConvLayer(name="a", N=1, M=4, C=2, H=1, W=1, R=1, S=1)
    mapping = _rs_like(layer, 2, 2, None)
    assert column_loops(mapping) == ()
    assert mapping.rf[DataType.FILTER] is None
    hist = column_histogram(layer, mapping)
    assert hist.counts.tolist() == [[0, 8]]
