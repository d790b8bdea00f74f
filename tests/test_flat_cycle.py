"""The cycle-level engine on flattened loops (im2col-style group loops, often ragged).

For random flattened mappings (:func:`strategies.flat_cases`) the simulated machine computes
the reference convolution exactly (64-bit psums), moves exactly the words the analytic engine
(:func:`accelsim.kernels.analytic.count_accesses_flat`) and the enumerating reference count,
keeps tiles of the sizes they report, and does every MAC once. The plain kernel and the
flattened one also agree on plain mappings (the flattened kernel run on a mapping lowered
without groups), timing included.
"""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelsim.dataflows.lowering import lower_mapping
from accelsim.kernels.cycle_flat import run_flat
from accelsim.search.im2col import im2col_variants
from accelsim.layout import (N_BANDWIDTHS, N_CAUSES, N_COUNT_STATS, N_LEVELS, N_RUN_STATS, N_SPARSE_STATS,
                             N_TILE_LEVELS, N_TRACE, N_TYPES)
from accelsim.sim.counting import count_mapping
from accelsim.sim.cycle import reference_conv, run_cycle
from accelsim.spec.hardware import Buffer, Hardware, Precision

from reference_counter import reference_counts
from strategies import flat_cases, layers

_N = int(os.environ.get("CYCLE_EXAMPLES", "80"))
PROPS = settings(max_examples=_N, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
#: room for any tile of the tiny layers, 8×8 PEs, psums that never wrap (exact outputs)
ROOMY = Hardware(name="t8x8", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=1 << 20),
                 glb=Buffer(shared_words=1 << 22), precision=Precision(psum_bits=64))


def _hw(mapping) -> Hardware:
    """:data:`ROOMY` with as many PE rows and columns as ``mapping`` uses (flattening may widen them)."""
    rows, cols = mapping.spatial_shape()
    return replace(ROOMY, pe_rows=max(rows, 1), pe_cols=max(cols, 1))


def _report(layer, mapping, window, want, got) -> str:
    return (f"\nlayer {layer.shape_dict()} window {window}\n{mapping.describe(layer.loop_bounds())}\n"
            f"{mapping.to_dict()}\nwant - got:\n{want - got}")


@PROPS
@given(case=flat_cases())
def test_flat_cycle_outputs_and_counts(case):
    """Outputs equal the numpy convolution; counts and tile sizes equal the analytic engine's
    and the reference counter's; MACs are conserved and land on the PEs the mapping uses."""
    _assert_exact(*case)


def _assert_exact(layer, mapping, window) -> None:
    """The cycle engine's output is the numpy convolution; its counts and tile sizes are the
    analytic engine's and the reference counter's; MACs are conserved, on the PEs the mapping uses."""
    out = run_cycle(layer, _hw(mapping), mapping, window, unlimited_bandwidth=True)
    from accelsim.sim.cycle import random_inputs

    ifmap, filters = random_inputs(layer, precision=ROOMY.precision)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters, 64))
    analytic = count_mapping(mapping, layer, window)
    assert np.array_equal(analytic.counts, out.counts), _report(layer, mapping, window, analytic.counts, out.counts)
    assert np.array_equal(analytic.usage, out.usage), _report(layer, mapping, window, analytic.usage, out.usage)
    ref, usage, macs = reference_counts(layer, mapping, window)
    assert np.array_equal(ref, out.counts)
    assert np.array_equal(usage, out.usage)
    assert int(out.pe_busy.sum()) == macs == layer.macs
    assert out.compute_cycles == analytic.compute_steps
    assert out.active_pes == mapping.active_pes_for(layer.loop_bounds())


@PROPS
@given(case=flat_cases())
def test_flat_cycle_timing_unlimited(case):
    """With unlimited bandwidth a run takes its executed steps plus one overhead per pass."""
    from accelsim.sim.cycle import pass_overhead

    layer, mapping, window = case
    out = run_cycle(layer, _hw(mapping), mapping, window, unlimited_bandwidth=True)
    assert out.cycles == out.compute_cycles + out.passes * pass_overhead(mapping, _hw(mapping))
    assert sum(out.stall_cycles.values()) == out.passes * pass_overhead(mapping, _hw(mapping))


def _both(layer, mapping, window, hw):
    """(plain kernel outcome, flattened kernel on the same nest): counts, usage, stats, output."""
    from accelsim.kernels.cycle import run
    from accelsim.sim.cycle import layer_inputs

    arr = lower_mapping(mapping)
    ifmap, filters = layer_inputs(layer, precision=hw.precision)
    g, cg, mg = layer.G, layer.C // layer.G, layer.M // layer.G
    fi = np.ascontiguousarray(ifmap.reshape(layer.N, g, cg, layer.H, layer.W).transpose(1, 0, 2, 3, 4)).ravel()
    ff = np.ascontiguousarray(filters.reshape(g, mg, cg, layer.R, layer.S)).ravel()
    bounds = np.array(layer.loop_bounds(), dtype=np.int64)
    bw = np.full(N_BANDWIDTHS, 2.0)
    outs = []
    for flat in (False, True):
        o = np.zeros(g * layer.N * mg * layer.E * layer.F, dtype=np.int64)
        c = np.zeros((N_LEVELS, N_TYPES, N_COUNT_STATS), dtype=np.int64)
        u = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
        st = np.zeros(N_RUN_STATS)
        pe = np.zeros(mapping.active_pes, dtype=np.int64)
        tr = np.zeros((4000, N_TRACE))
        tail = (layer.U, window, bounds, layer.H, layer.W, fi, ff, o, bw, 0, False, np.ones(3), 3, 7, 64, c, u, st,
                pe, tr, np.zeros(1, dtype=np.int64))
        if flat:
            run_flat(arr.dims, arr.factors, arr.kinds, arr.reds, arr.res, arr.groups, *tail)
        else:
            run(arr.dims, arr.factors, arr.kinds, arr.reds, arr.res, *tail, 0, len(arr.dims),  # dense PEs
                np.zeros((1, N_SPARSE_STATS), dtype=np.int64), np.zeros((1, N_CAUSES)))
        outs.append((c, u, st, o, pe))
    return outs


@PROPS
@given(layer=layers(), df=st.sampled_from(("sys-os", "sys-ws", "sys-is")), rows=st.integers(1, 5),
       cols=st.integers(1, 5), pick=st.integers(0, 15), window=st.integers(0, 3),
       glb_words=st.sampled_from([1 << 22, 256, 40]))
def test_im2col_folds_exact(layer, df, rows, cols, pick, window, glb_words):
    """The systolic im2col mappings (SCALE-Sim's and the mapper's variants: ragged row and column
    folds, the stationary operand in the RF, the others streamed from the GLB, psums summed down
    the array): a fold's distinct operand words and summed psum groups (``_fold_plan``) count
    exactly what the reference counter and the analytic engine count, and the output is the
    numpy convolution. A small GLB moves the GLB tiles inside the fold loops (refilled each fold)."""
    variants = im2col_variants(layer, df, rows, cols, hw=replace(ROOMY, glb=Buffer(shared_words=glb_words)))
    _assert_exact(layer, variants[pick % len(variants)], window)


def test_im2col_folds_on_a_systolic_array_by_hand():
    """A 13 × 13 ofmap as im2col's Npx on 12 rows × M on 2 columns, K = C·R·S = 18 in time,
    psums out of the array (output stationary, nothing in the RF), unlimited bandwidth.

    Folds: M 2 × Npx 15 (169 pixels over 12 rows, the last fold one pixel wide) = 30 passes,
    each ``T = 18`` MAC steps plus the systolic overhead ``(R−1) + (C−1) + 0 + 1 = 11 + 1 + 1
    = 13`` (no pre-load, the last psum's hop out): ``30 × (18 + 13) = 930`` cycles. The masked
    rows of the last folds do no MAC: ``M · 169 · 18`` MACs in all, on 24 PEs."""
    from accelsim.io.presets import load_hardware
    from accelsim.spec.dims import Dim, Flat, LoopKind, NocKind
    from accelsim.spec.layer import ConvLayer
    from accelsim.spec.mapping import Loop, Mapping

    npx, crs = Flat((Dim.N, Dim.E, Dim.F)), Flat((Dim.C, Dim.R, Dim.S))
    layer = ConvLayer(name="c", N=1, M=4, C=2, H=15, W=15, R=3, S=3)
    mapping = Mapping(loops=(Loop(Dim.M, 2), Loop(npx, 15), Loop(npx, 12, LoopKind.ROW),
                             Loop(Dim.M, 2, LoopKind.COL), Loop(crs, 18)), glb=(0, 0, 0), rf=(None, None, None))
    hw = replace(load_hardware("tpu-like"), pe_rows=12, pe_cols=2, precision=Precision(psum_bits=64))
    assert hw.noc.kind is NocKind.SYSTOLIC
    out = run_cycle(layer, hw, mapping, 0, unlimited_bandwidth=True)
    assert out.passes == 30 and out.compute_cycles == 30 * 18
    assert out.cycles == 930
    assert int(out.pe_busy.sum()) == layer.macs == 4 * 169 * 18
    assert out.active_pes == 24


def test_noc_tags_of_npx_on_rows_hold_at_every_fold():
    """Im2col's Npx on 12 rows × M on 2 columns (13 × 13 ofmap, K in time): a PE pair shares a
    group only if it takes the same word at every one of the 15 folds (decoded coordinates).
    Filters go down each column, but row 0 alone works in the last fold (pixel 168): rows 1-11
    form one group per column, row 0 another (4); each row's pixels are its own ifmap group."""
    from accelsim.dataflows.noc_ids import _fold_keys, assign_tags
    from accelsim.spec.dims import DataType, Dim, Flat, LoopKind
    from accelsim.spec.layer import ConvLayer
    from accelsim.spec.mapping import Loop, Mapping

    npx, crs = Flat((Dim.N, Dim.E, Dim.F)), Flat((Dim.C, Dim.R, Dim.S))
    layer = ConvLayer(name="c", N=1, M=4, C=2, H=15, W=15, R=3, S=3)
    mapping = Mapping(loops=(Loop(Dim.M, 2), Loop(npx, 15), Loop(npx, 12, LoopKind.ROW),
                             Loop(Dim.M, 2, LoopKind.COL), Loop(crs, 18)), glb=(0, 0, 0), rf=(None, None, None))
    tags = assign_tags(mapping, layer)
    assert tags[DataType.FILTER].groups == 4
    assert tags[DataType.FILTER].row_ids == (0,) + (1,) * 11
    assert tags[DataType.IFMAP].groups == 12 and tags[DataType.PSUM].groups == 24
    keys = _fold_keys(mapping, layer, DataType.IFMAP)
    assert len(keys[(0, 0)]) == 15
    # the last fold holds pixel 168 = (e 12, f 12) on row 0 only: the other rows are masked
    assert keys[(0, 0)][-1] == (0, 0, 0, 12, 12) and keys[(1, 0)][-1] is None
    # row 1 at fold 1 (pixel 13) is (e 1, f 0): decoded, not row 1's first-fold offset (0, 1)
    assert keys[(1, 0)][1] == (0, 0, 0, 1, 0)
