"""The cycle-level engine: real values through DRAM, the GLB, the NoC and every PE's RF.

One kernel, :func:`run`, executes a lowered loop nest (same arrays as
:mod:`accelsim.kernels.analytic`). It keeps a value array for every tile a storage level holds
(the GLB tile, one RF tile per PE and data type), moves words between them as tiles change,
multiplies real operands taken from the RF (or straight from the NoC when the RF is bypassed),
accumulates psums in the RF, the GLB and DRAM, and counts every word it moves. Counts follow
the same rules as the analytic engine (and must equal its counts for the same mapping):

* a buffer keeps its tile while only loops the tile does not depend on move; otherwise it
  refetches the tile, or — an ifmap sliding along the innermost loop it depends on — only the
  words it lacks (GLB only with halo reuse);
* a parent reads a word once per step however many PEs take it (multicast), or once per
  sweep of the innermost window loops when operands are forwarded across the array;
* a psum residence of ``x`` updates costs ``x - 1`` reads and writes; DRAM gets every final
  or spilled psum as a write and returns spilled psums as reads; PEs whose psums belong to the
  same output are summed in the array (NoC or adder tree) before they arrive.
* clusters (a hierarchical mesh's ``CROW`` / ``CCOL`` loops, above every ``ROW`` / ``COL``
  loop, so a cluster's PEs are consecutive): a word crossing the NoC crosses its cluster's
  router ports once per step and cluster (``PORTS``; stamps ``step · clusters + cluster``), and
  every cluster beyond the first costs one mesh link (``HOPS = PORTS − TRANSACTIONS``); psums
  leave the clusters after the merges inside each (``leader_c``), cross back in when read for
  an update, and each merge across clusters is one hop. Without cluster loops: one cluster.

Values. Operands and psums are int64; every psum accumulation (in a PE, at the GLB or
in DRAM) wraps the sum to ``psum_bits`` bits two's complement (:func:`_wrap`), as an
accumulator of that width would (64: no wrap beyond int64's own). Saturation is not
modelled: a saturating sum depends on the order the mapping accumulates in, whereas wrapping
is modular, so wrapping every accumulation gives the exact sum wrapped once, whatever the
mapping — the reference the caller checks the output against.

Timing. All active PEs run in lockstep, one MAC per cycle per temporal step (sparse PEs,
``simd`` > 0: each PE on its own clock, issuing only its non-zero work;
:func:`accelsim.kernels.step_timing.time_sparse_step`). Before a step,
the words it needs cross the buses: ``ceil(words / width)`` cycles per GIN bus (ifmap, filter)
and the local psum links, all in parallel, bounded by the GLB bandwidth; psums moving
between the array and the GLB (GON out, psum GIN in) travel in the background — a batch
waits only for the previous batch on its bus;
the local psum links work in parallel, one per sending PE;
DRAM transfers queue on one channel at ``dram_words_per_cycle`` and the fill of the next GLB
tile is prefetched while the previous one is in use (double-buffered GLB). A pass (one
iteration of the loops above the PE array) ends by draining the ``depth``-stage PE pipeline.
With unlimited bandwidth, ``cycles = passes × (steps per pass + pass_overhead)``, where
the caller sets ``pass_overhead`` (``depth − 1`` for a PE pipeline; the skewed fill and drain
of a systolic array).

Structure. :func:`run` plans the layer once (``_plan_nest``, ``_plan_pes``, ``_plan_tiles``,
``_plan_addresses``, ``_new_buffers``), then runs the step loop: psum flushes and tile fills
(``_flush_psum``, ``_fill``, called on residence events), the MACs of every PE (inline), and the
step's timing from the words it moved (``step_words``, slots ``SW_*``):
:func:`accelsim.kernels.step_timing.time_step`, shared with the flattened-loop kernel.

Array conventions: every index is named in :mod:`accelsim.layout` — dimensions ``D_*``, data
types, count levels and statistics, tile / geometry levels ``TILE_GLB``, ``TILE_RF``,
``TILE_DRAM``, bandwidths ``BW_*``, stall causes, stats ``ST_*`` and trace columns ``TR_*``.
The *nest arrays* the planning helpers and :func:`run` take: ``dims, factors, kinds, reds``
int64[L], the loop nest outermost first (see :mod:`accelsim.kernels.analytic`); ``res``
int64[2, 3], the GLB and RF tile starts per data type (``[TILE_GLB | TILE_RF, type]``, -1 =
bypass); ``bounds`` int64[8], the loop bounds G N M C E F R S (M, C per group).
"""

from __future__ import annotations

import numpy as np

from ..layout import (COL, DRAM, D_C, D_E, D_F, D_G, D_M, D_N, D_R, D_S, FILTER, GLB, HOPS, IFMAP, NOC, NOC_HMESH,
                      N_BUSES, N_DIMS, N_GEOM_LEVELS, N_PSUM_QUEUES, N_STEP_SLOTS, N_TILE_LEVELS, N_TYPES, PORTS, PSUM,
                      READS, RF, ROW, SP_BUBBLE, SP_CYCLES, SP_EFFECTIVE, SP_EMPTY_COLUMN, SP_IACT_READS, SP_MACS,
                      SP_SIMD_PAD, SP_ZERO_IACT, SP_ZERO_WEIGHT, SW_DRAM_IFMAP, SW_DRAM_PSUM_READ, SW_DRAM_PSUM_WRITE,
                      SW_GLB,
                      SW_GLB_PSUM, SW_GON, SW_IFMAP_DELIVERED, SW_IFMAP_FILL, SW_IFMAP_SENT, SW_LOCAL, SW_PSUM_IN,
                      TEMPORAL, TILE_DRAM, TILE_GLB, TILE_RF, TRANSACTIONS, TR_MACS, UPDATES, WIN_FORWARD, WIN_GLB_HALO,
                      WRITES)
from ..layout import RELEVANCE as _RELEVANCE_ROWS
from .jit import jit, jit_inline
from .odometer import nest_shape, temporal_part, tick
from .step_timing import (N_CLOCK, N_SPARSE_CLOCK, S_OV, drain, final_stats, finish_sparse, port_maxima,
                          sparse_clocks_final, time_sparse_step, time_step)

#: int64[3, 8]: does data type ``t`` depend on dimension ``d`` (:data:`accelsim.layout.RELEVANCE`)
RELEVANCE = np.array(_RELEVANCE_ROWS, dtype=np.int64)


@jit
def _tile_geometry(dims, factors, p, stride, ext):
    """Extents per dimension of the tile spanned by ``loops[p:]``; returns (HH, WW)."""
    for d in range(N_DIMS):
        ext[d] = 1
    for j in range(p, dims.shape[0]):
        ext[dims[j]] *= factors[j]
    return (ext[D_E] - 1) * stride + ext[D_R], (ext[D_F] - 1) * stride + ext[D_S]


@jit
def _dense_size(t, ext, hh, ww):
    if t == IFMAP:
        return ext[D_G] * ext[D_N] * ext[D_C] * hh * ww
    if t == FILTER:
        return ext[D_G] * ext[D_M] * ext[D_C] * ext[D_R] * ext[D_S]
    return ext[D_G] * ext[D_N] * ext[D_M] * ext[D_E] * ext[D_F]


@jit
def _addr(t, x, o, ext, hh, ww, stride):
    """Address of the element at global loop coordinates ``x`` in a tile with origin ``o``."""
    if t == IFMAP:
        a = ((x[D_G] - o[D_G]) * ext[D_N] + (x[D_N] - o[D_N])) * ext[D_C] + (x[D_C] - o[D_C])
        h = (x[D_E] - o[D_E]) * stride + (x[D_R] - o[D_R])
        w = (x[D_F] - o[D_F]) * stride + (x[D_S] - o[D_S])
        return (a * hh + h) * ww + w
    if t == FILTER:
        a = ((x[D_G] - o[D_G]) * ext[D_M] + (x[D_M] - o[D_M])) * ext[D_C] + (x[D_C] - o[D_C])
        return (a * ext[D_R] + (x[D_R] - o[D_R])) * ext[D_S] + (x[D_S] - o[D_S])
    a = ((x[D_G] - o[D_G]) * ext[D_N] + (x[D_N] - o[D_N])) * ext[D_M] + (x[D_M] - o[D_M])
    return (a * ext[D_E] + (x[D_E] - o[D_E])) * ext[D_F] + (x[D_F] - o[D_F])


@jit
def _ifmap_addr_hw(g, n, c, h, w, og, on, oc, h0, w0, ext, hh, ww):
    return ((((g - og) * ext[D_N] + (n - on)) * ext[D_C] + (c - oc)) * hh + (h - h0)) * ww + (w - w0)


@jit
def _coefficients(t, ext, hh, ww, stride, out):
    """``_addr`` as a linear form: address = sum over d of out[d] · (x[d] − o[d])."""
    for d in range(N_DIMS):
        out[d] = 0
    if t == IFMAP:
        out[D_S] = 1
        out[D_F] = stride
        out[D_R] = ww
        out[D_E] = stride * ww
        out[D_C] = hh * ww
        out[D_N] = ext[D_C] * hh * ww
        out[D_G] = ext[D_N] * ext[D_C] * hh * ww
    elif t == FILTER:
        out[D_S] = 1
        out[D_R] = ext[D_S]
        out[D_C] = ext[D_R] * ext[D_S]
        out[D_M] = ext[D_C] * ext[D_R] * ext[D_S]
        out[D_G] = ext[D_M] * out[D_M]
    else:
        out[D_F] = 1
        out[D_E] = ext[D_F]
        out[D_M] = ext[D_E] * ext[D_F]
        out[D_N] = ext[D_M] * out[D_M]
        out[D_G] = ext[D_N] * out[D_N]


@jit
def _row_mask(e_ext, r_ext, stride, size):
    mask = np.zeros(size, dtype=np.bool_)
    for e in range(e_ext):
        for r in range(r_ext):
            mask[e * stride + r] = True
    return mask




# ==================================================================== plan (once per layer)
@jit
def _plan_nest(dims, factors, kinds, res, bounds):
    """The fixed facts of the loop nest.

    Parameters
    ----------
    dims, factors, kinds, res, bounds
        The nest arrays (module docstring, *Array conventions*).

    Returns
    -------
    gstride : int64[L]
        Step of each loop in its dimension's global coordinate (the product of the factors
        of the loops below it on the same dimension).
    padded : bool
        Some dimension is imperfectly factorised: iterations at or past its bound are masked.
    n_pe : int
        PEs the spatial loops span.
    total_steps : int
        Temporal steps (the product of the temporal factors).
    pass_pos : int
        Loops ``[:pass_pos]`` are above the PE array: a step where one of them moves starts a
        pass. Without spatial loops, the loops above the first RF tile (no RF either: 0, the
        whole nest is one pass).
    sweep_top : int
        Outermost loop of the innermost run of temporal window loops (E F R S), the sweep
        forwarded operands are remembered for; ``L`` if there is none.
    """
    n = dims.shape[0]
    prod = np.ones(N_DIMS, dtype=np.int64)
    for j in range(n):
        prod[dims[j]] *= factors[j]
    padded = False
    for d in range(N_DIMS):
        if prod[d] != bounds[d]:
            padded = True
    win = np.zeros(N_DIMS, dtype=np.int64)
    win[D_E:] = 1
    gstride, n_pe, total_steps, pass_pos, sweep_top = nest_shape(dims, factors, kinds, res, win)
    return gstride, padded, n_pe, total_steps, pass_pos, sweep_top


@jit
def _plan_pes(dims, factors, kinds, reds, gstride, n_pe, rel, psum_free):
    """Each PE's place in the nest and the groups whose psums the array sums.

    Parameters
    ----------
    dims, factors, kinds, reds
        The nest arrays (module docstring, *Array conventions*); ``dims[j]`` an axis of ``rel``.
    gstride : int64[L]
        Each loop's place value in its axis' index (:func:`accelsim.kernels.odometer.nest_shape`).
    n_pe : int
        PEs the spatial loops span (P).
    rel : int64[3, A]
        Does data type ``t`` depend on axis ``a`` (the dimensions: :data:`RELEVANCE`).
    psum_free : int64[A]
        1 for the axes psums do not depend on (their spatial loops may merge psums).

    Returns
    -------
    pe_off : int64[P, A]
        Each PE's part of every axis index (spatial index order).
    leader : bool[P]
        The first PE of each group summed in the array (NoC or adder tree): the one whose
        psum arrives at the parent.
    noc_first : bool[P]
        The PE each NoC reduction group sums into.
    n_grp_noc : int
        NoC reduction groups.
    local_links : int
        Local psum links working in parallel (one per PE passing psums on; at least 1).
    edge : float64[3]
        Systolic edge links per data type: the PEs along the spatial loops over its own axes.
    grp_all : int64[P]
        Each PE's group summed in the array (keys below P).
    """
    n = dims.shape[0]
    pe_off = np.zeros((n_pe, rel.shape[1]), dtype=np.int64)
    grp_all = np.zeros(n_pe, dtype=np.int64)   # PEs summed in the array (NoC or tree)
    grp_noc = np.zeros(n_pe, dtype=np.int64)   # PEs summed over NoC links only
    place = np.zeros(max(n, 1), dtype=np.int64)
    for pe in range(n_pe):
        rem = pe
        for j in range(n - 1, -1, -1):
            if kinds[j] == TEMPORAL:
                continue
            place[j] = rem % factors[j]
            rem //= factors[j]
            pe_off[pe, dims[j]] += place[j] * gstride[j]
        # group keys: mixed radix over the spatial loops that do not merge
        ka = 0
        kn = 0
        for j in range(n):
            if kinds[j] == TEMPORAL:
                continue
            merges_all = psum_free[dims[j]] == 1 and reds[j] != 0
            merges_noc = psum_free[dims[j]] == 1 and reds[j] == 1
            if not merges_all:
                ka = ka * factors[j] + place[j]
            if not merges_noc:
                kn = kn * factors[j] + place[j]
        grp_all[pe] = ka
        grp_noc[pe] = kn
    leader = _first_of_group(grp_all)
    noc_first = _first_of_group(grp_noc)
    n_grp_noc = 0
    for pe in range(n_pe):
        if noc_first[pe]:
            n_grp_noc += 1
    edge = np.ones(N_TYPES, dtype=np.float64)
    for j in range(n):
        if kinds[j] != TEMPORAL:
            for t in range(N_TYPES):
                if rel[t, dims[j]] == 1:
                    edge[t] *= factors[j]
    return pe_off, leader, noc_first, n_grp_noc, max(1, n_pe - n_grp_noc), edge, grp_all


@jit
def _plan_clusters(dims, factors, kinds, reds, n_pe, psum_free):
    """The clusters of a hierarchical mesh: the PEs of a cluster are consecutive in spatial index
    order (every cluster loop, ``CROW`` / ``CCOL``, lies above every ``ROW`` / ``COL`` loop).

    Parameters
    ----------
    dims, factors, kinds, reds
        The nest arrays (module docstring, *Array conventions*).
    n_pe : int
        PEs the spatial loops span (P).
    psum_free : int64[A]
        1 for the axes psums do not depend on.

    Returns
    -------
    pe_per_cl, n_cl : int
        PEs per cluster (the product of the ``ROW`` / ``COL`` factors) and clusters (of the
        cluster loops; 1 without: the array is one cluster). PE ``pe`` is in cluster ``pe // pe_per_cl``.
    leader_c : bool[P]
        The first PE of each group whose psums are summed inside its cluster (the merges over
        ``ROW`` / ``COL`` loops only): the PEs whose psums leave their cluster.
    """
    n = dims.shape[0]
    pe_per_cl = 1
    for j in range(n):
        if kinds[j] == ROW or kinds[j] == COL:
            pe_per_cl *= factors[j]
    n_cl = n_pe // pe_per_cl
    key = np.zeros(n_pe, dtype=np.int64)
    place = np.zeros(max(n, 1), dtype=np.int64)
    for pe in range(n_pe):
        rem = pe
        for j in range(n - 1, -1, -1):
            if kinds[j] != TEMPORAL:
                place[j] = rem % factors[j]
                rem //= factors[j]
        k = 0
        for j in range(n):
            if kinds[j] == TEMPORAL:
                continue
            merges = (kinds[j] == ROW or kinds[j] == COL) and psum_free[dims[j]] == 1 and reds[j] != 0
            if not merges:
                k = k * factors[j] + place[j]
        key[pe] = k
    return pe_per_cl, n_cl, _first_of_group(key)


@jit
def _first_of_group(group):
    """bool[P]: the first PE (lowest index) of each group; ``group`` int64[P] keys in [0, P)."""
    first = np.zeros(group.shape[0], dtype=np.bool_)
    seen = np.zeros(group.shape[0], dtype=np.bool_)
    for pe in range(group.shape[0]):
        if not seen[group[pe]]:
            seen[group[pe]] = True
            first[pe] = True
    return first


@jit
def _plan_tiles(dims, factors, kinds, res, stride, bounds, height, width, usage):
    """The tile each level keeps per data type, and the words it needs.

    Parameters
    ----------
    dims, factors, kinds, res, bounds
        The nest arrays (module docstring, *Array conventions*).
    stride : int
        Convolution stride.
    height, width : int
        Ifmap H and W (padded).
    usage : int64[2, 3]
        Out: GLB and per-PE RF words per data type (the largest tile, the one at the origin,
        without the rows and columns a stride skips).

    Returns
    -------
    ext : int64[3, 3, 8]
        Tile extents per geometry level (``TILE_GLB``, ``TILE_RF``, ``TILE_DRAM``: the whole
        tensor), data type and dimension; 1 where a level is bypassed.
    hh, ww : int64[3, 3]
        Rows and columns of each ifmap tile (padded ifmap coordinates).
    size : int64[3, 3]
        Words of each tile, dense.
    k_rel : int64[2, 3]
        The innermost temporal loop above each GLB / RF tile that the type depends on (the
        tile changes when it or an outer loop moves), -1 if none.
    """
    usage[:] = 0
    ext = np.ones((N_GEOM_LEVELS, N_TYPES, N_DIMS), dtype=np.int64)
    hh = np.ones((N_GEOM_LEVELS, N_TYPES), dtype=np.int64)
    ww = np.ones((N_GEOM_LEVELS, N_TYPES), dtype=np.int64)
    size = np.ones((N_GEOM_LEVELS, N_TYPES), dtype=np.int64)
    k_rel = np.full((N_TILE_LEVELS, N_TYPES), -1, dtype=np.int64)
    for t in range(N_TYPES):
        for d in range(N_DIMS):
            ext[TILE_DRAM, t, d] = bounds[d]
        hh[TILE_DRAM, t] = height
        ww[TILE_DRAM, t] = width
        size[TILE_DRAM, t] = _dense_size(t, ext[TILE_DRAM, t], height, width)
        for lv in range(N_TILE_LEVELS):
            p = res[lv, t]
            if p < 0:
                continue
            hh[lv, t], ww[lv, t] = _tile_geometry(dims, factors, p, stride, ext[lv, t])
            size[lv, t] = _dense_size(t, ext[lv, t], hh[lv, t], ww[lv, t])
            for j in range(p - 1, -1, -1):
                if kinds[j] == TEMPORAL and factors[j] > 1 and RELEVANCE[t, dims[j]] == 1:
                    k_rel[lv, t] = j
                    break
            cx = np.empty(N_DIMS, dtype=np.int64)  # the largest tile: the one at the origin
            for d in range(N_DIMS):
                cx[d] = min(ext[lv, t, d], bounds[d])
            if t == IFMAP:
                rows = min((cx[D_E] - 1) * stride + cx[D_R], cx[D_E] * cx[D_R]) if cx[D_E] > 0 else 0
                cols = min((cx[D_F] - 1) * stride + cx[D_S], cx[D_F] * cx[D_S]) if cx[D_F] > 0 else 0
                usage[lv, t] = cx[D_G] * cx[D_N] * cx[D_C] * rows * cols
            else:
                usage[lv, t] = _dense_size(t, cx, 1, 1)
    return ext, hh, ww, size, k_rel


@jit
def _plan_addresses(ext, hh, ww, stride, pe_off):
    """Address arithmetic of every tile: linear coefficients, PE offsets, ifmap row masks.

    Parameters
    ----------
    ext, hh, ww : int64[3, 3, 8], int64[3, 3], int64[3, 3]
        From :func:`_plan_tiles`.
    stride : int
        Convolution stride.
    pe_off : int64[P, 8]
        From :func:`_plan_pes`.

    Returns
    -------
    coef : int64[3, 3, 8]
        ``_addr`` as a linear form per (geometry level, data type): address = sum over d of
        ``coef[lv, t, d] · (x[d] − origin[d])``.
    pe_addr : int64[3, 3, P]
        Each PE's fixed address offset, ``coef · pe_off``.
    masks_h, masks_w : bool[3, max HH], bool[3, max WW]
        The ifmap tile rows and columns of each geometry level a stride does not skip.
    contig : bool[2]
        The GLB / RF ifmap tile has no skipped row or column.
    """
    n_pe = pe_off.shape[0]
    rows = max(hh[TILE_GLB, IFMAP], hh[TILE_RF, IFMAP], hh[TILE_DRAM, IFMAP])
    cols = max(ww[TILE_GLB, IFMAP], ww[TILE_RF, IFMAP], ww[TILE_DRAM, IFMAP])
    masks_h = np.zeros((N_GEOM_LEVELS, rows), dtype=np.bool_)
    masks_w = np.zeros((N_GEOM_LEVELS, cols), dtype=np.bool_)
    for lv in range(N_GEOM_LEVELS):
        masks_h[lv, :hh[lv, IFMAP]] = _row_mask(ext[lv, IFMAP, D_E], ext[lv, IFMAP, D_R], stride, hh[lv, IFMAP])
        masks_w[lv, :ww[lv, IFMAP]] = _row_mask(ext[lv, IFMAP, D_F], ext[lv, IFMAP, D_S], stride, ww[lv, IFMAP])
    coef = np.zeros((N_GEOM_LEVELS, N_TYPES, N_DIMS), dtype=np.int64)
    pe_addr = np.zeros((N_GEOM_LEVELS, N_TYPES, n_pe), dtype=np.int64)
    for lv in range(N_GEOM_LEVELS):
        for t in range(N_TYPES):
            _coefficients(t, ext[lv, t], hh[lv, t], ww[lv, t], stride, coef[lv, t])
            for pe in range(n_pe):
                acc = 0
                for d in range(N_DIMS):
                    acc += coef[lv, t, d] * pe_off[pe, d]
                pe_addr[lv, t, pe] = acc
    contig = np.zeros(N_TILE_LEVELS, dtype=np.bool_)
    for lv in range(N_TILE_LEVELS):
        contig[lv] = masks_h[lv, :hh[lv, IFMAP]].all() and masks_w[lv, :ww[lv, IFMAP]].all()
    return coef, pe_addr, masks_h, masks_w, contig


@jit
def _new_buffers(size, n_pe, padded):
    """The value arrays of every tile and the per-word stamps the counting rules keep.

    Parameters
    ----------
    size : int64[3, 3]
        Words of each tile (:func:`_plan_tiles`).
    n_pe : int
        PEs (P).
    padded : bool
        Padded runs keep RF psum residences per PE.

    Returns
    -------
    glb_val : int64[3, 2, max GLB tile]
        GLB tile values per data type, two halves (double-buffered for sliding).
    rf_val : int64[3, 2, P, max RF tile]
        RF tile values per data type, two halves, per PE.
    stamp_glb : int64[3, max GLB tile]
        Step (or forwarding sweep) each GLB word was last read in: multicast reads once.
    stamp_dram_i, stamp_dram_f : int64[ifmap size], int64[filter size]
        The same for each DRAM word of the ifmap and of the filters, each the size of its own
        tensor (one array padded to the largest tensor was three FC filter tensors' worth).
    stamp_fwd : int64[ifmap size]
        Forwarding sweep each ifmap word was last sent in, by global address.
    touched_rf : int64[RF psum tile]
        Residence serial each RF psum word was last updated in (the same on every PE).
    touched_rf_pe : int64[P or 1, RF psum tile]
        The same per PE (padded runs only).
    touched_glb : int64[GLB psum tile]
        Residence serial each GLB psum word was last updated in.
    touched_dram : bool[psum size]
        The output word has been written to DRAM.
    """
    glb_words = max(size[TILE_GLB, IFMAP], size[TILE_GLB, FILTER], size[TILE_GLB, PSUM], 1)
    rf_words = max(size[TILE_RF, IFMAP], size[TILE_RF, FILTER], size[TILE_RF, PSUM], 1)
    glb_val = np.zeros((N_TYPES, 2, glb_words), dtype=np.int64)
    rf_val = np.zeros((N_TYPES, 2, n_pe, rf_words), dtype=np.int64)
    stamp_glb = np.full((N_TYPES, glb_words), -1, dtype=np.int64)
    stamp_dram_i = np.full(max(size[TILE_DRAM, IFMAP], 1), -1, dtype=np.int64)
    stamp_dram_f = np.full(max(size[TILE_DRAM, FILTER], 1), -1, dtype=np.int64)
    stamp_fwd = np.full(max(size[TILE_DRAM, IFMAP], 1), -1, dtype=np.int64)
    touched_rf = np.full(max(size[TILE_RF, PSUM], 1), -1, dtype=np.int64)
    touched_rf_pe = np.full((n_pe if padded else 1, max(size[TILE_RF, PSUM], 1)), -1, dtype=np.int64)
    touched_glb = np.full(max(size[TILE_GLB, PSUM], 1), -1, dtype=np.int64)
    touched_dram = np.zeros(max(size[TILE_DRAM, PSUM], 1), dtype=np.bool_)
    return (glb_val, rf_val, stamp_glb, stamp_dram_i, stamp_dram_f, stamp_fwd, touched_rf, touched_rf_pe, touched_glb,
            touched_dram)


@jit
def _wrap(value, shift):
    """``value`` wrapped to ``64 - shift`` bits two's complement (sign-extended back to int64;
    ``shift`` 0 leaves it as it is)."""
    return (value << shift) >> shift


# ==================================================================== the kernel
@jit
def run(dims, factors, kinds, reds, res, stride, window, bounds, height, width,
        ifmap, filt, ofmap, bandwidths, noc_kind, rf_prefetch, dram_scale, pass_overhead, bin_cycles,
        psum_bits, counts, usage, stats, pe_steps, trace, progress, simd, col_top, icol_top, sparse_work, pe_wait):
    """Execute the nest cycle by cycle: plan the layer, then run its temporal steps.

    Parameters
    ----------
    dims, factors, kinds, reds : int64[L]
        The loop nest, outermost first (see :mod:`accelsim.kernels.analytic`).
    res : int64[2, 3]
        GLB and RF tile starts per data type (``[TILE_GLB | TILE_RF, type]``), -1 = bypass.
    stride, window : int
        Convolution stride; window bit mask (``WIN_FORWARD`` array forwarding,
        ``WIN_GLB_HALO`` GLB halo reuse).
    bounds : int64[8]
        Loop bounds G N M C E F R S (M, C per group).
    height, width : int
        Ifmap H and W (padded).
    ifmap, filt : int64[G·N·(C/G)·H·W], int64[G·(M/G)·(C/G)·R·S]
        Input values, layouts (g, n, c, h, w) and (g, m, c, r, s).
    ofmap : int64[G·N·(M/G)·E·F]
        Output, zeroed by the caller; layout (g, n, m, e, f).
    bandwidths : float64[N_BANDWIDTHS]
        Words per cycle (``inf`` = unlimited) of the ifmap, filter and psum GIN buses, the
        GON, one local psum link, the GLB and DRAM, at ``BW_*``.
    noc_kind : int
        ``NOC_GIN`` multicast (one transaction per distinct word), ``NOC_BROADCAST`` (one bus
        for every input word), ``NOC_UNICAST`` (one transaction per destination PE),
        ``NOC_SYSTOLIC`` (words enter at the array edge, one link per used row for ifmaps and
        per used column for filters), ``NOC_HMESH`` (a hierarchical mesh: the ifmap, filter,
        psum-in and GON rates are per cluster, and a step waits for its busiest cluster).
    rf_prefetch : bool
        RF tiles are double-buffered: with a GIN, the next tile's words cross the bus while
        the current tile is in use.
    dram_scale : float64[3]
        Link words per counted word of the DRAM transfers of each data type — ifmap reads,
        filter reads, psum writes (1 = dense; RLC-compressed fmaps below 1). Timing only:
        counts stay in dense words; psums read back from DRAM move dense.
    pass_overhead : int
        Cycles added at the end of every pass (pipeline drain, or systolic fill and drain).
    bin_cycles : int
        Cycles per trace bin.
    psum_bits : int
        Accumulator width, bits (1..64): every psum accumulation wraps to it, two's
        complement (64: no wrap). Operands are used as given.
    counts : int64[4, 3, 6]
        Out: filled like the analytic engine's, ``[level, type, statistic]``.
    usage : int64[2, 3]
        Out: GLB and per-PE RF words per data type.
    stats : float64[N_RUN_STATS]
        Out: cycles, steps, passes, active PEs, MACs, compute cycles (``ST_*``), stall cycles
        by cause at ``ST_STALL0 + cause``.
    pe_steps : int64[P]
        Out: MACs done by each active PE (spatial index order).
    trace : float64[B, N_TRACE]
        Out: per-bin activity, columns ``TR_*`` (rows beyond the run stay zero).
    progress : int64[1]
        Out: temporal steps done so far (skipped padded steps included), one store per step, for
        another thread to read while the kernel runs (it releases the GIL).
    simd : int
        0: dense PEs (one MAC a cycle, in lockstep). ``>= 1``: sparse PEs (Eyeriss v2) issuing up
        to ``simd`` non-zero weights of a column a cycle, each on its own clock
        (:func:`accelsim.kernels.step_timing.time_sparse_step`).
    col_top : int
        Sparse PEs: the outermost loop of a column (``spec.mapping.column_loops``; ``L`` if none):
        a step where a loop above it moves starts a new column.
    icol_top : int
        Sparse PEs: the outermost loop of an iact column (``spec.mapping.iact_column_loops`` and
        the column's; ``<= col_top``): a step where a loop above it moves starts a new iact
        column, and a PE whose last one issued no cycle takes one (``SP_BUBBLE``).
    sparse_work : int64[P, N_SPARSE_STATS]
        Out (sparse PEs): each PE's work, ``SP_*`` (``tests/reference_counter.py sparse_work``).
    pe_wait : float64[P, N_CAUSES]
        Out (sparse PEs): each PE's cycles not issuing MACs, by cause (``CAUSE_IMBALANCE``:
        waiting for slower PEs); per PE, busy (``SP_CYCLES``) plus these is the run's cycles.
    """
    n = dims.shape[0]
    counts[:] = 0
    wrap = np.int64(64 - psum_bits)  # _wrap's shift
    # ---------------------------------------------------------------- plan
    gstride, padded, n_pe, total_steps, pass_pos, sweep_top = _plan_nest(dims, factors, kinds, res, bounds)
    pe_off, leader, noc_first, n_grp_noc, local_links, edge, _ = _plan_pes(dims, factors, kinds, reds, gstride, n_pe,
                                                                          RELEVANCE, 1 - RELEVANCE[PSUM])
    ext, hh, ww, size, k_rel = _plan_tiles(dims, factors, kinds, res, stride, bounds, height, width, usage)
    coef, pe_addr, masks_h, masks_w, contig = _plan_addresses(ext, hh, ww, stride, pe_off)
    (glb_val, rf_val, stamp_glb, stamp_dram_i, stamp_dram_f, stamp_fwd, touched_rf, touched_rf_pe, touched_glb,
     touched_dram) = _new_buffers(size, n_pe, padded)
    # clusters (hierarchical mesh): per-word port stamps, step · n_cl + cluster (forwarded ifmap words:
    # the sweep, per cluster), and the words through each cluster's ports this step
    pe_per_cl, n_cl, leader_c = _plan_clusters(dims, factors, kinds, reds, n_pe, 1 - RELEVANCE[PSUM])
    clustered = n_cl > 1
    forward = (window & WIN_FORWARD) != 0
    pst_glb = np.full((N_TYPES, stamp_glb.shape[1] if clustered else 1), -1, dtype=np.int64)
    pst_dram_i = np.full(stamp_dram_i.shape[0] if clustered else 1, -1, dtype=np.int64)
    pst_dram_f = np.full(stamp_dram_f.shape[0] if clustered else 1, -1, dtype=np.int64)
    pst_fwd = np.full((n_cl if clustered and forward else 1, stamp_fwd.shape[0] if clustered and forward else 1), -1,
                      dtype=np.int64)
    cl_words = np.zeros((4, n_cl), dtype=np.int64)
    # ---------------------------------------------------------------- step state
    buf = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)                # which half is current
    origin = np.zeros((N_TILE_LEVELS, N_TYPES, N_DIMS), dtype=np.int64)    # temporal part of each tile's origin
    old_origin = np.zeros(N_DIMS, dtype=np.int64)
    resid = np.zeros(N_TILE_LEVELS, dtype=np.int64)  # psum residence serials (GLB, RF)
    idx = np.zeros(n, dtype=np.int64)
    gt = np.zeros(N_DIMS, dtype=np.int64)    # temporal part of the global coordinates
    o = np.zeros(N_DIMS, dtype=np.int64)
    step_words = np.zeros(N_STEP_SLOTS, dtype=np.float64)   # words this step moves, at SW_*
    bus = np.zeros(N_BUSES, dtype=np.float64)                # cycles this step waits per bus, at BUS_*
    scratch = np.zeros((4, N_DIMS), dtype=np.int64)
    local = np.zeros(N_TYPES, dtype=np.int64)
    clk = np.zeros(N_CLOCK, dtype=np.float64)  # now, DRAM free, GLB epoch starts (step_timing.K_*)
    psum_free = np.zeros(N_PSUM_QUEUES, dtype=np.float64)  # when the GON / psum GIN finish their queue
    in_free = np.zeros(2, dtype=np.float64)    # when the ifmap / filter GIN finish (prefetch)
    rf_fill_start = np.zeros(2, dtype=np.float64)
    sweep = -1
    # padded runs: steps with no valid iteration are skipped; which PEs have one this step
    pending = -1                       # outermost loop changed over the skipped steps
    pe_ok = np.ones(n_pe, dtype=np.bool_)
    n_valid = n_pe                     # valid PEs this step
    n_valid_first = n_grp_noc          # of which sum a NoC reduction group
    thr = np.full(N_DIMS, -1, dtype=np.int64)
    evo = np.zeros(N_DIMS, dtype=np.int64)  # coordinates fixed by a tile's delivery loops
    executed = 0
    passes = 0
    # sparse PEs: per PE its current column (serial, iact zero, non-zero weights so far, place in
    # the SIMD group, trace bin of its first cycle), its clock (less the pipeline drains every PE
    # shares, sclk[S_OV]), the step it last issued a cycle in; the column serial; the shared
    # clock state (step_timing.S_*)
    sparse = simd > 0
    n_sp = n_pe if sparse else 1
    col_id = np.full(n_sp, -1, dtype=np.int64)
    col_iz = np.zeros(n_sp, dtype=np.bool_)
    col_k = np.zeros(n_sp, dtype=np.int64)
    col_slot = np.zeros(n_sp, dtype=np.int64)
    col_bin = np.zeros(n_sp, dtype=np.int64)
    pe_clk = np.zeros(n_sp, dtype=np.float64)
    issue_step = np.full(n_sp, -1, dtype=np.int64)
    col_serial = -1
    # per PE the iact column it last had a MAC in and its SP_CYCLES then; the iact column serial
    icol_id = np.full(n_sp, -1, dtype=np.int64)
    icol_start = np.zeros(n_sp, dtype=np.int64)
    icol_serial = np.full(1, -1, dtype=np.int64)
    sclk = np.zeros(N_SPARSE_CLOCK, dtype=np.float64)
    # the PEs with a SIMD group begun and not yet issued (issued when the column ends)
    pend = np.zeros(n_sp, dtype=np.int64)
    pend_flag = np.zeros(n_sp, dtype=np.bool_)
    n_pend = np.zeros(1, dtype=np.int64)
    # this step's operands per PE, stored by the MAC loops and counted once per step (_sparse_step:
    # a call per MAC with the state arrays would cost more than the MAC)
    sp_vi = np.zeros(n_sp, dtype=np.int64)
    sp_vf = np.zeros(n_sp, dtype=np.int64)
    if sparse:
        sparse_work[:] = 0
        pe_wait[:] = 0.0
    # ---------------------------------------------------------------- steps
    for s in range(total_steps + 1):
        progress[0] = s
        last = s == total_steps
        # --- advance the odometer (c = outermost loop that changed)
        c = tick(idx, kinds, factors) if s > 0 and not last else -1
        temporal_part(idx, dims, kinds, gstride, gt)
        if padded and not last:
            if s > 0:
                if pending >= 0 and pending < c:
                    c = pending
                skip = False
                for d in range(N_DIMS):
                    if gt[d] >= bounds[d]:
                        skip = True
                if skip:
                    pending = c
                    continue
                pending = -1
            changed = False
            for d in range(N_DIMS):
                if bounds[d] - gt[d] != thr[d]:
                    thr[d] = bounds[d] - gt[d]
                    changed = True
            if changed:
                n_valid = 0
                n_valid_first = 0
                for pe in range(n_pe):
                    ok = True
                    for d in range(N_DIMS):
                        if pe_off[pe, d] >= thr[d]:
                            ok = False
                    pe_ok[pe] = ok
                    if ok:
                        n_valid += 1
                        if noc_first[pe]:
                            n_valid_first += 1
        if not last:
            executed += 1
        step_words[:] = 0.0
        if sparse and (s == 0 or c < col_top):
            # a column ends: its part-filled SIMD groups issue their cycles now, before the next
            # delivery; the PEs close the rest of it at their next MAC (_sparse_step)
            _issue_partial_groups(pend, pend_flag, n_pend, col_slot, sparse_work, pe_clk)
            col_serial += 1
            if s == 0 or c < icol_top:
                _end_iact_columns(icol_id, icol_start, icol_serial, sparse_work, pe_clk)
        new_pass = s == 0 or last or (c >= 0 and c < pass_pos)
        if new_pass and not last:
            passes += 1
        glb_event = False
        # --- 1. psum residences that end: RF -> parent, then GLB -> DRAM
        for lv in (TILE_RF, TILE_GLB):
            p = res[lv, PSUM]
            if p < 0 or s == 0:
                continue
            if not (last or (k_rel[lv, PSUM] >= 0 and c <= k_rel[lv, PSUM])):
                continue
            if lv == TILE_GLB:
                glb_event = True
            _flush_psum(lv, res, ext, size, origin, rf_val, glb_val, ofmap, pe_off, n_pe,
                        leader, n_grp_noc, touched_glb, touched_dram, resid, stride, counts, step_words, scratch,
                        padded, touched_rf_pe, noc_first, wrap, leader_c, pe_per_cl, cl_words)
        if last:
            # drain the final pass, let the last psums leave, and stop
            if noc_kind == NOC_HMESH:
                port_maxima(step_words, cl_words, clustered)
            if sparse:  # the last psums leave once the slowest PE is done
                sparse_clocks_final(pe_clk, pe_wait, sclk, clk)
            drain(step_words, clk, psum_free, bandwidths, noc_kind, pass_overhead, stats, trace, bin_cycles)
            break
        # --- 2. input tiles and new psum residences, outer level first
        for lv in range(N_TILE_LEVELS):
            for t in range(N_TYPES):
                p = res[lv, t]
                if p < 0:
                    continue
                event = s == 0 or (k_rel[lv, t] >= 0 and c <= k_rel[lv, t])
                if not event:
                    continue
                if lv == TILE_GLB:
                    glb_event = True
                for d in range(N_DIMS):
                    old_origin[d] = origin[lv, t, d]
                    origin[lv, t, d] = 0
                for j in range(p):
                    if kinds[j] == TEMPORAL:
                        origin[lv, t, dims[j]] += idx[j] * gstride[j]
                if t == PSUM:
                    resid[lv] += 1
                    if lv == TILE_GLB:
                        glb_val[PSUM, 0, :size[TILE_GLB, PSUM]] = 0
                    else:
                        rf_val[PSUM, 0, :, :size[TILE_RF, PSUM]] = 0
                    continue
                slide = (s > 0 and c == k_rel[lv, t] and t == IFMAP and dims[c] >= D_E
                         and (lv == TILE_RF or (window & WIN_GLB_HALO) != 0))
                if padded:
                    for d in range(N_DIMS):
                        evo[d] = 0
                    for j in range(k_rel[lv, t] + 1):
                        if kinds[j] == TEMPORAL:
                            evo[dims[j]] += idx[j] * gstride[j]
                _fill(lv, t, s, slide, res, ext, hh, ww, origin, old_origin, buf, glb_val, rf_val,
                      ifmap, filt, pe_off, n_pe, masks_h, masks_w, contig, stamp_glb, stamp_dram_i, stamp_dram_f,
                      stride, counts, step_words, scratch, padded, bounds, evo, n_cl, pe_per_cl, pst_glb, pst_dram_i,
                      pst_dram_f, cl_words)
        # --- 3. the MACs of this step on every active PE, in lockstep (inlined: a call passing
        # this many arrays would cost more than the MACs)
        if s == 0 or c < sweep_top:
            sweep += 1
        ov_now = sclk[S_OV] if sparse else 0.0  # the pipeline drains every sparse PE has had so far
        fwd_serial = sweep if (window & WIN_FORWARD) != 0 else s
        # tile-local offsets are the same on every PE (lockstep, identical tiles)
        for t in range(N_TYPES):
            if res[TILE_RF, t] >= 0:
                for d in range(N_DIMS):
                    o[d] = origin[TILE_RF, t, d]
                local[t] = _addr(t, gt, o, ext[TILE_RF, t], hh[TILE_RF, t], ww[TILE_RF, t], stride)
        # RF psum residence accounting is also the same on every PE (padded runs: per PE)
        rf_psum_hit = False
        if res[TILE_RF, PSUM] >= 0 and not padded:
            a = local[PSUM]
            if touched_rf[a] == resid[TILE_RF]:
                rf_psum_hit = True
            else:
                touched_rf[a] = resid[TILE_RF]
        for t in range(2):
            if res[TILE_RF, t] >= 0:
                counts[RF, t, READS] += n_valid
        if res[TILE_RF, PSUM] >= 0:
            counts[RF, PSUM, UPDATES] += n_valid
        if rf_psum_hit:
            counts[RF, PSUM, READS] += n_pe
            counts[RF, PSUM, WRITES] += n_pe
        all_rf = res[TILE_RF, IFMAP] >= 0 and res[TILE_RF, FILTER] >= 0 and res[TILE_RF, PSUM] >= 0
        if all_rf and not padded:
            # the common case (every operand in the RF): a tight loop over the PEs
            bi = buf[TILE_RF, IFMAP]
            bf = buf[TILE_RF, FILTER]
            li = local[IFMAP]
            lf = local[FILTER]
            lp = local[PSUM]
            if sparse:
                for pe in range(n_pe):
                    vi = rf_val[IFMAP, bi, pe, li]
                    vf = rf_val[FILTER, bf, pe, lf]
                    rf_val[PSUM, 0, pe, lp] = _wrap(rf_val[PSUM, 0, pe, lp] + vi * vf, wrap)
                    sp_vi[pe] = vi
                    sp_vf[pe] = vf
            else:
                for pe in range(n_pe):
                    rf_val[PSUM, 0, pe, lp] = _wrap(
                        rf_val[PSUM, 0, pe, lp] + rf_val[IFMAP, bi, pe, li] * rf_val[FILTER, bf, pe, lf], wrap)
        elif all_rf:
            # the same on a padded run: only the PEs with a valid iteration, RF psum residences per PE
            bi = buf[TILE_RF, IFMAP]
            bf = buf[TILE_RF, FILTER]
            li = local[IFMAP]
            lf = local[FILTER]
            lp = local[PSUM]
            r1 = resid[TILE_RF]
            rf_hits = 0
            for pe in range(n_pe):
                if not pe_ok[pe]:
                    continue
                rf_val[PSUM, 0, pe, lp] = _wrap(
                    rf_val[PSUM, 0, pe, lp] + rf_val[IFMAP, bi, pe, li] * rf_val[FILTER, bf, pe, lf], wrap)
                if sparse:
                    sp_vi[pe] = rf_val[IFMAP, bi, pe, li]
                    sp_vf[pe] = rf_val[FILTER, bf, pe, lf]
                if touched_rf_pe[pe, lp] == r1:
                    rf_hits += 1
                else:
                    touched_rf_pe[pe, lp] = r1
            counts[RF, PSUM, READS] += rf_hits
            counts[RF, PSUM, WRITES] += rf_hits
        else:
            # addresses are linear in the loop coordinates: one base per step, a fixed offset per PE
            # (scalars only: array views made per step would cost more than the MACs); an
            # operand the RF bypasses comes from its parent, the GLB tile or the DRAM tensor
            par_i = TILE_GLB if res[TILE_GLB, IFMAP] >= 0 else TILE_DRAM
            par_f = TILE_GLB if res[TILE_GLB, FILTER] >= 0 else TILE_DRAM
            pp = TILE_GLB if res[TILE_GLB, PSUM] >= 0 else TILE_DRAM
            b_i = 0
            b_f = 0
            b_p = 0
            b_g = 0
            for d in range(N_DIMS):
                b_i += coef[par_i, IFMAP, d] * (gt[d] - (origin[TILE_GLB, IFMAP, d] if par_i == TILE_GLB else 0))
                b_f += coef[par_f, FILTER, d] * (gt[d] - (origin[TILE_GLB, FILTER, d] if par_f == TILE_GLB else 0))
                b_p += coef[pp, PSUM, d] * (gt[d] - (origin[TILE_GLB, PSUM, d] if pp == TILE_GLB else 0))
                b_g += coef[TILE_DRAM, IFMAP, d] * gt[d]
            rf_i = res[TILE_RF, IFMAP] >= 0
            rf_f = res[TILE_RF, FILTER] >= 0
            psum_in_rf = res[TILE_RF, PSUM] >= 0
            fwd_glb = (window & WIN_FORWARD) != 0 and par_i == TILE_GLB  # forwarded words: by global address
            bi_rf = buf[TILE_RF, IFMAP]
            bf_rf = buf[TILE_RF, FILTER]
            bi_glb = buf[TILE_GLB, IFMAP]
            bf_glb = buf[TILE_GLB, FILTER]
            li = local[IFMAP]
            lf = local[FILTER]
            lp = local[PSUM]
            r0 = resid[TILE_GLB]
            fresh_i = 0
            fresh_f = 0
            arrivals = 0   # psum words arriving at the parent (one per merge group)
            hits = 0       # of which found a psum already there (read-modify-write)
            rf_hits = 0    # padded runs: RF psum updates that found their psum there
            r1 = resid[TILE_RF]
            ports_i = 0    # clusters: words through the clusters' ports (per step or sweep and cluster)
            ports_f = 0
            out_c = 0      # psums leaving the clusters (merged inside each cluster only)
            cl = 0
            key = s
            for pe in range(n_pe):
                if padded and not pe_ok[pe]:
                    continue
                if clustered:
                    cl = pe // pe_per_cl
                    key = s * n_cl + cl
                if rf_i:
                    vi = rf_val[IFMAP, bi_rf, pe, li]
                else:
                    a = b_i + pe_addr[par_i, IFMAP, pe]
                    if par_i == TILE_GLB:
                        vi = glb_val[IFMAP, bi_glb, a]
                        if fwd_glb:
                            g = b_g + pe_addr[TILE_DRAM, IFMAP, pe]
                            if stamp_fwd[g] != fwd_serial:
                                stamp_fwd[g] = fwd_serial
                                fresh_i += 1
                            if clustered and pst_fwd[cl, g] != fwd_serial:
                                pst_fwd[cl, g] = fwd_serial
                                ports_i += 1
                                cl_words[IFMAP, cl] += 1
                        else:
                            if stamp_glb[IFMAP, a] != fwd_serial:
                                stamp_glb[IFMAP, a] = fwd_serial
                                fresh_i += 1
                            if clustered and pst_glb[IFMAP, a] != key:
                                pst_glb[IFMAP, a] = key
                                ports_i += 1
                                cl_words[IFMAP, cl] += 1
                    else:
                        vi = ifmap[a]
                        if stamp_dram_i[a] != fwd_serial:
                            stamp_dram_i[a] = fwd_serial
                            fresh_i += 1
                        if clustered:
                            if forward:
                                if pst_fwd[cl, a] != fwd_serial:
                                    pst_fwd[cl, a] = fwd_serial
                                    ports_i += 1
                                    cl_words[IFMAP, cl] += 1
                            elif pst_dram_i[a] != key:
                                pst_dram_i[a] = key
                                ports_i += 1
                                cl_words[IFMAP, cl] += 1
                if rf_f:
                    vf = rf_val[FILTER, bf_rf, pe, lf]
                else:
                    a = b_f + pe_addr[par_f, FILTER, pe]
                    if par_f == TILE_GLB:
                        vf = glb_val[FILTER, bf_glb, a]
                        if stamp_glb[FILTER, a] != s:
                            stamp_glb[FILTER, a] = s
                            fresh_f += 1
                        if clustered and pst_glb[FILTER, a] != key:
                            pst_glb[FILTER, a] = key
                            ports_f += 1
                            cl_words[FILTER, cl] += 1
                    else:
                        vf = filt[a]
                        if stamp_dram_f[a] != s:
                            stamp_dram_f[a] = s
                            fresh_f += 1
                        if clustered and pst_dram_f[a] != key:
                            pst_dram_f[a] = key
                            ports_f += 1
                            cl_words[FILTER, cl] += 1
                product = vi * vf
                if sparse:
                    sp_vi[pe] = vi
                    sp_vf[pe] = vf
                if psum_in_rf:
                    rf_val[PSUM, 0, pe, lp] = _wrap(rf_val[PSUM, 0, pe, lp] + product, wrap)
                    if padded:
                        if touched_rf_pe[pe, lp] == r1:
                            rf_hits += 1
                        else:
                            touched_rf_pe[pe, lp] = r1
                    continue
                a = b_p + pe_addr[pp, PSUM, pe]
                hit = False
                if pp == TILE_GLB:
                    glb_val[PSUM, 0, a] = _wrap(glb_val[PSUM, 0, a] + product, wrap)
                    if leader[pe]:
                        arrivals += 1
                        if touched_glb[a] == r0:
                            hits += 1
                            hit = True
                        else:
                            touched_glb[a] = r0
                else:
                    ofmap[a] = _wrap(ofmap[a] + product, wrap)
                    if leader[pe]:
                        arrivals += 1
                        if touched_dram[a]:
                            hits += 1
                            hit = True
                        else:
                            touched_dram[a] = True
                if clustered and leader_c[pe]:
                    out_c += 1
                    cl_words[2, cl] += 1
                    if hit:
                        cl_words[3, cl] += 1
            # the step's bookkeeping, once for all PEs
            for t in range(2):
                if res[TILE_RF, t] >= 0:
                    continue
                fresh = fresh_i if t == IFMAP else fresh_f
                _count_operand_reads(t, (par_i if t == IFMAP else par_f) == TILE_GLB, n_valid, fresh, counts,
                                     step_words)
            if clustered:
                counts[NOC, IFMAP, PORTS] += ports_i
                counts[NOC, FILTER, PORTS] += ports_f
            if not psum_in_rf:
                _count_psum_arrivals(pp == TILE_GLB, arrivals, hits, True, counts, step_words)
                leaving = out_c if clustered else arrivals
                counts[NOC, PSUM, PORTS] += leaving
                counts[NOC, PSUM, HOPS] += leaving
            if res[TILE_RF, PSUM] < 0:
                counts[NOC, PSUM, READS] += n_valid - n_valid_first
                step_words[SW_LOCAL] += n_valid - n_valid_first
            if padded:
                counts[RF, PSUM, READS] += rf_hits
                counts[RF, PSUM, WRITES] += rf_hits
        for pe in range(n_pe):
            if pe_ok[pe]:
                pe_steps[pe] += 1
        if sparse:
            _sparse_step(pe_ok, sp_vi, sp_vf, s, simd, col_serial, sparse_work, col_id, col_iz, col_k, col_slot,
                         col_bin, pe_clk, issue_step, ov_now, bin_cycles, trace, pend, pend_flag, n_pend, icol_id,
                         icol_start, icol_serial[0])
        # --- 4. timing of this step (step_timing.time_step)
        if noc_kind == NOC_HMESH:
            port_maxima(step_words, cl_words, clustered)
        elif clustered:
            cl_words[:] = 0
        if sparse:
            time_sparse_step(s, new_pass, glb_event, step_words, bus, clk, psum_free, in_free, rf_fill_start,
                             bandwidths, edge, local_links, noc_kind, rf_prefetch, dram_scale, pass_overhead, trace,
                             bin_cycles, pe_clk, pe_wait, issue_step, sclk)
        else:
            time_step(s, new_pass, glb_event, n_valid, step_words, bus, clk, psum_free, in_free, rf_fill_start,
                      bandwidths, edge, local_links, noc_kind, rf_prefetch, dram_scale, pass_overhead, stats, trace,
                      bin_cycles)
    final_stats(clk, executed, passes, pe_steps, stats)
    if sparse:
        _end_columns(col_id, col_iz, col_k, col_bin, sparse_work, trace)
        for pe in range(n_pe):  # the slots every MAC would update, from the others
            w = sparse_work[pe]
            w[SP_MACS] = pe_steps[pe]
            w[SP_ZERO_WEIGHT] = w[SP_MACS] - w[SP_EFFECTIVE] - w[SP_ZERO_IACT]
            w[SP_SIMD_PAD] = (w[SP_CYCLES] - w[SP_BUBBLE]) * simd - w[SP_EFFECTIVE]
        finish_sparse(pe_clk, pe_wait, sparse_work[:, SP_CYCLES], stats)
    # the final flush's DRAM writes drain after the last MAC (not counted as stall)
    # cluster ports and mesh hops of the inputs: without cluster loops one cluster, PORTS = TRANSACTIONS
    for t in range(2):
        if not clustered:
            counts[NOC, t, PORTS] = counts[NOC, t, TRANSACTIONS]
        counts[NOC, t, HOPS] = counts[NOC, t, PORTS] - counts[NOC, t, TRANSACTIONS]


@jit
def _sparse_step(pe_ok, sp_vi, sp_vf, s, simd, col_serial, work, col_id, col_iz, col_k, col_slot, col_bin, pe_clk,
                 issue_step, ov, bin_cycles, trace, pend, pend_flag, n_pend, icol_id, icol_start, icol_serial):
    """The sparse PEs' MACs of step ``s``: PE ``pe`` (if ``pe_ok[pe]``) multiplied ``sp_vi[pe]`` by
    ``sp_vf[pe]`` (``tests/reference_counter.py sparse_work``).

    The first valid MAC of a column (``col_id[pe]`` is not ``col_serial``) closes the PE's
    previous column (as :func:`_close_column`) and reads its iact (``SP_IACT_READS`` if non-zero);
    in a column with a zero iact the MAC is skipped (``SP_ZERO_IACT``); else a non-zero weight is
    effective (``col_k``, summed into ``SP_EFFECTIVE`` when the column closes) and joins the
    column's current SIMD group: the group's cycle issues when its ``simd``-th weight arrives
    (``SP_CYCLES``; the PE's clock advances, ``issue_step[pe] = s``), or, part-filled, when the
    column ends (the PE is listed in ``pend``: :func:`_issue_partial_groups`). So a cycle never
    comes before the operands of its MACs, and a PE's cycles up to any step are at most those of
    the same PE with fewer zeros (skipping never delays). ``ov``: the pipeline drains the clocks
    leave out. ``SP_MACS``, ``SP_ZERO_WEIGHT`` and ``SP_SIMD_PAD`` follow from these at the end
    of the run (:func:`run`). A PE's first valid MAC of an iact column (``icol_id[pe]`` is not
    ``icol_serial``) notes its ``SP_CYCLES`` then (``icol_start``, for :func:`_end_iact_columns`).
    One call per step: the per-PE work is a loop here, not a call per
    MAC (whose array arguments' reference counting would cost more than the MAC)."""
    for pe in range(pe_ok.shape[0]):
        if not pe_ok[pe]:
            continue
        vi = sp_vi[pe]
        if icol_id[pe] != icol_serial:
            icol_id[pe] = icol_serial
            icol_start[pe] = work[pe, SP_CYCLES]
        if col_id[pe] != col_serial:
            if col_id[pe] >= 0 and not col_iz[pe]:  # _close_column, written out (no call per MAC)
                k = col_k[pe]
                if k == 0:
                    work[pe, SP_EMPTY_COLUMN] += 1
                else:
                    work[pe, SP_EFFECTIVE] += k
                    if col_bin[pe] < trace.shape[0]:
                        trace[col_bin[pe], TR_MACS] += k
            col_id[pe] = col_serial
            col_iz[pe] = vi == 0
            col_k[pe] = 0
            col_slot[pe] = 0
            if vi != 0:
                work[pe, SP_IACT_READS] += 1
        if col_iz[pe]:
            work[pe, SP_ZERO_IACT] += 1
        elif sp_vf[pe] != 0:
            if col_k[pe] == 0:
                col_bin[pe] = int((pe_clk[pe] + ov) / bin_cycles)  # >= 0: truncation is the floor
            col_k[pe] += 1
            col_slot[pe] += 1
            if col_slot[pe] == simd:
                col_slot[pe] = 0
                work[pe, SP_CYCLES] += 1
                pe_clk[pe] += 1.0
                issue_step[pe] = s
            elif not pend_flag[pe]:
                pend_flag[pe] = True
                pend[n_pend[0]] = pe
                n_pend[0] += 1


@jit_inline
def _issue_partial_groups(pend, pend_flag, n_pend, col_slot, work, pe_clk):
    """A column ends: every listed PE with a part-filled SIMD group issues its cycle."""
    for i in range(n_pend[0]):
        pe = pend[i]
        pend_flag[pe] = False
        if col_slot[pe] > 0:
            col_slot[pe] = 0
            work[pe, SP_CYCLES] += 1
            pe_clk[pe] += 1.0
    n_pend[0] = 0


@jit_inline
def _end_iact_columns(icol_id, icol_start, icol_serial, work, pe_clk):
    """An iact column ends (after its part-filled SIMD groups issued): every PE that had a MAC in
    it and issued no cycle there takes one (``SP_BUBBLE``: reading the column's address, JETCAS
    2019 §V-A-2); then the next iact column begins (``icol_serial[0]`` += 1)."""
    serial = icol_serial[0]
    if serial >= 0:
        for pe in range(icol_id.shape[0]):
            if icol_id[pe] == serial and work[pe, SP_CYCLES] == icol_start[pe]:
                work[pe, SP_BUBBLE] += 1
                work[pe, SP_CYCLES] += 1
                pe_clk[pe] += 1.0
    icol_serial[0] = serial + 1


@jit_inline
def _close_column(pe, col_id, col_iz, col_k, col_bin, work, trace):
    """End PE ``pe``'s column: its effective MACs join ``SP_EFFECTIVE`` (and the trace, in the bin
    of its first cycle); one with a non-zero iact and none is dropped (``SP_EMPTY_COLUMN``)."""
    if col_id[pe] >= 0 and not col_iz[pe]:
        k = col_k[pe]
        if k == 0:
            work[pe, SP_EMPTY_COLUMN] += 1
        else:
            work[pe, SP_EFFECTIVE] += k
            if col_bin[pe] < trace.shape[0]:
                trace[col_bin[pe], TR_MACS] += k


@jit
def _end_columns(col_id, col_iz, col_k, col_bin, work, trace):
    """End every PE's last column (:func:`_close_column`)."""
    for pe in range(col_id.shape[0]):
        _close_column(pe, col_id, col_iz, col_k, col_bin, work, trace)
        col_id[pe] = -1


@jit
def _parent_of(res, lv, t):
    """Geometry level (``TILE_GLB`` or ``TILE_DRAM``) the tile of type ``t`` at tile level
    ``lv`` fills from, or its psums go to: the GLB for an RF tile when the GLB keeps ``t``."""
    if lv == TILE_RF and res[TILE_GLB, t] >= 0:
        return TILE_GLB
    return TILE_DRAM


@jit
def _clamp(bound, start, extent):
    """Valid coordinates of a tile along one dimension: ``min(extent, bound - start)`` ≥ 0."""
    v = bound - start
    if v < 0:
        return 0
    return v if v < extent else extent


@jit
def _fill(lv, t, s, slide, res, ext, hh, ww, origin, old_origin, buf, glb_val, rf_val,
          ifmap, filt, pe_off, n_pe, masks_h, masks_w, contig, stamp_glb, stamp_dram_i, stamp_dram_f, stride, counts,
          step_words, scratch, padded, bounds, evo, n_cl, pe_per_cl, pst_glb, pst_dram_i, pst_dram_f, cl_words):
    """Load the new tile of input ``t`` at level ``lv`` (all PEs for the RF); with clusters, count
    the words crossing each cluster's ports (:func:`_take`).

    Padded runs (``padded``): an instance fetches only the words of its valid iterations —
    along the dimensions ``t`` depends on, the tile is clipped at ``bounds``; along the
    others, an instance whose delivery coordinates ``evo`` (plus its PE offset) lie past a
    bound has no valid iteration in this residence and fetches nothing."""
    par = _parent_of(res, lv, t)
    crosses = lv == TILE_RF
    instances = n_pe if lv == TILE_RF else 1
    old = buf[lv, t]
    new = 1 - old
    buf[lv, t] = new
    e = ext[lv, t]
    pe_ext = ext[par, t]
    o = scratch[0]
    po = scratch[1]
    x = scratch[2]
    ce = scratch[3]  # valid extents of this instance's tile
    for d in range(N_DIMS):
        po[d] = origin[TILE_GLB, t, d] if par == TILE_GLB else 0
    for inst in range(instances):
        for d in range(N_DIMS):
            o[d] = origin[lv, t, d] + (pe_off[inst, d] if lv == TILE_RF else 0)
            ce[d] = e[d]
        if padded:
            empty = False
            for d in range(N_DIMS):
                if RELEVANCE[t, d] == 1:
                    ce[d] = _clamp(bounds[d], o[d], e[d])
                    if ce[d] == 0:
                        empty = True
                elif evo[d] + (pe_off[inst, d] if lv == TILE_RF else 0) >= bounds[d]:
                    empty = True
            if empty:
                continue
        if t == IFMAP:
            h0 = o[D_E] * stride + o[D_R]
            w0 = o[D_F] * stride + o[D_S]
            oe = old_origin[D_E] + (pe_off[inst, D_E] if lv == TILE_RF else 0)
            orr = old_origin[D_R] + (pe_off[inst, D_R] if lv == TILE_RF else 0)
            of = old_origin[D_F] + (pe_off[inst, D_F] if lv == TILE_RF else 0)
            os_ = old_origin[D_S] + (pe_off[inst, D_S] if lv == TILE_RF else 0)
            oh0 = oe * stride + orr
            ow0 = of * stride + os_
            ph0 = po[D_E] * stride + po[D_R]
            pw0 = po[D_F] * stride + po[D_S]
            if padded:
                # a tile clipped at a bound needs its own row / column masks; an unclipped one (most
                # of them) uses the level's (no allocation per instance and fill)
                mh = masks_h[lv, :hh[lv, t]]
                mw = masks_w[lv, :ww[lv, t]]
                old_mh = mh
                old_mw = mw
                if ce[D_E] != e[D_E] or ce[D_R] != e[D_R]:
                    mh = _row_mask(ce[D_E], ce[D_R], stride, hh[lv, t])
                if ce[D_F] != e[D_F] or ce[D_S] != e[D_S]:
                    mw = _row_mask(ce[D_F], ce[D_S], stride, ww[lv, t])
                ke = _clamp(bounds[D_E], oe, e[D_E])
                kr = _clamp(bounds[D_R], orr, e[D_R])
                if ke != e[D_E] or kr != e[D_R]:
                    old_mh = _row_mask(ke, kr, stride, hh[lv, t])
                kf = _clamp(bounds[D_F], of, e[D_F])
                ks = _clamp(bounds[D_S], os_, e[D_S])
                if kf != e[D_F] or ks != e[D_S]:
                    old_mw = _row_mask(kf, ks, stride, ww[lv, t])
            else:
                mh = masks_h[lv, :hh[lv, t]]
                mw = masks_w[lv, :ww[lv, t]]
                old_mh = mh
                old_mw = mw
                if slide and contig[lv] and h0 >= oh0 and w0 >= ow0:
                    _slide_contiguous(lv, t, s, inst, old, new, o, po, e, pe_ext, h0, w0, h0 - oh0, w0 - ow0,
                                      ph0, pw0, par, crosses, hh, ww, buf, glb_val, rf_val, ifmap, stamp_glb,
                                      stamp_dram_i, counts, step_words, n_cl, pe_per_cl, pst_glb, pst_dram_i,
                                      cl_words)
                    continue
            for g in range(ce[D_G]):
                for nn in range(ce[D_N]):
                    for cc in range(ce[D_C]):
                        for a in range(hh[lv, t]):
                            if not mh[a]:
                                continue
                            for b in range(ww[lv, t]):
                                if not mw[b]:
                                    continue
                                gg = o[D_G] + g
                                gn = o[D_N] + nn
                                gc = o[D_C] + cc
                                h = h0 + a
                                w = w0 + b
                                dst = _ifmap_addr_hw(gg, gn, gc, h, w, o[D_G], o[D_N], o[D_C], h0, w0, e,
                                                     hh[lv, t], ww[lv, t])
                                if slide:
                                    dh = h - oh0
                                    dw = w - ow0
                                    if (0 <= dh < hh[lv, t] and 0 <= dw < ww[lv, t] and old_mh[dh]
                                            and old_mw[dw]):
                                        src = _ifmap_addr_hw(gg, gn, gc, h, w, o[D_G], o[D_N], o[D_C], oh0,
                                                             ow0, e, hh[lv, t], ww[lv, t])
                                        if lv == TILE_RF:
                                            rf_val[t, new, inst, dst] = rf_val[t, old, inst, src]
                                        else:
                                            glb_val[t, new, dst] = glb_val[t, old, src]
                                        continue
                                if par == TILE_GLB:
                                    src = _ifmap_addr_hw(gg, gn, gc, h, w, po[D_G], po[D_N], po[D_C], ph0,
                                                         pw0, pe_ext, hh[TILE_GLB, t], ww[TILE_GLB, t])
                                else:
                                    src = _ifmap_addr_hw(gg, gn, gc, h, w, 0, 0, 0, 0, 0, pe_ext, hh[TILE_DRAM, t],
                                                         ww[TILE_DRAM, t])
                                _take(lv, t, s, par, src, crosses, inst, new, dst, buf, glb_val, rf_val, ifmap,
                                      stamp_glb, stamp_dram_i, counts, step_words, n_cl, pe_per_cl, pst_glb,
                                      pst_dram_i, cl_words)
        else:
            for g in range(ce[D_G]):
                for m in range(ce[D_M]):
                    for cc in range(ce[D_C]):
                        for r in range(ce[D_R]):
                            for q in range(ce[D_S]):
                                x[D_G] = o[D_G] + g
                                x[D_M] = o[D_M] + m
                                x[D_C] = o[D_C] + cc
                                x[D_R] = o[D_R] + r
                                x[D_S] = o[D_S] + q
                                dst = _addr(FILTER, x, o, e, 1, 1, stride)
                                src = _addr(FILTER, x, po, pe_ext, 1, 1, stride)
                                _take(lv, t, s, par, src, crosses, inst, new, dst, buf, glb_val, rf_val, filt,
                                      stamp_glb, stamp_dram_f, counts, step_words, n_cl, pe_per_cl, pst_glb,
                                      pst_dram_f, cl_words)


@jit
def _slide_contiguous(lv, t, s, inst, old, new, o, po, e, pe_ext, h0, w0, dh, dw, ph0, pw0, par, crosses,
                      hh, ww, buf, glb_val, rf_val, ifmap, stamp_glb, stamp_dram_i, counts, step_words, n_cl,
                      pe_per_cl, pst_glb, pst_dram_i, cl_words):
    """Slide a gap-free ifmap tile by (dh, dw) >= 0: keep the overlap, fetch the rest."""
    th = hh[lv, t]
    tw = ww[lv, t]
    for g in range(e[D_G]):
        for nn in range(e[D_N]):
            for cc in range(e[D_C]):
                blk = ((g * e[D_N] + nn) * e[D_C] + cc) * th
                gg = o[D_G] + g
                gn = o[D_N] + nn
                gc = o[D_C] + cc
                for a in range(th):
                    row = (blk + a) * tw
                    keep = tw - dw if a + dh < th and dw < tw else 0
                    if keep > 0:
                        src = (blk + a + dh) * tw + dw
                        if lv == TILE_RF:
                            for b in range(keep):
                                rf_val[t, new, inst, row + b] = rf_val[t, old, inst, src + b]
                        else:
                            for b in range(keep):
                                glb_val[t, new, row + b] = glb_val[t, old, src + b]
                    for b in range(keep, tw):
                        h = h0 + a
                        w = w0 + b
                        if par == TILE_GLB:
                            a_par = _ifmap_addr_hw(gg, gn, gc, h, w, po[D_G], po[D_N], po[D_C], ph0, pw0, pe_ext,
                                                   hh[TILE_GLB, t], ww[TILE_GLB, t])
                        else:
                            a_par = _ifmap_addr_hw(gg, gn, gc, h, w, 0, 0, 0, 0, 0, pe_ext, hh[TILE_DRAM, t],
                                                   ww[TILE_DRAM, t])
                        _take(lv, t, s, par, a_par, crosses, inst, new, row + b, buf, glb_val, rf_val, ifmap,
                              stamp_glb, stamp_dram_i, counts, step_words, n_cl, pe_per_cl, pst_glb, pst_dram_i,
                              cl_words)


@jit_inline
def _take(lv, t, s, par, src, crosses, inst, new, dst, buf, glb_val, rf_val, dram_vals, stamp_glb, dram_stamps,
          counts, step_words, n_cl, pe_per_cl, pst_glb, pst_dram, cl_words):
    """Fetch word ``src`` of the parent (GLB tile, or DRAM tensor ``dram_vals`` with read stamps
    ``dram_stamps``) into slot ``dst`` of the new tile, counting a parent read only once per step
    (multicast). With clusters (``n_cl`` > 1; PE ``inst`` is in cluster ``inst // pe_per_cl``), a
    word crossing the NoC also crosses its cluster's router ports once per step and cluster
    (``PORTS``; stamps ``pst_glb`` / ``pst_dram`` hold ``step · n_cl + cluster``; ``cl_words``
    int64[4, n_cl] the words into each cluster this step)."""
    if par == TILE_GLB:
        v = glb_val[t, buf[TILE_GLB, t], src]
        fresh = stamp_glb[t, src] != s
        stamp_glb[t, src] = s
    else:
        v = dram_vals[src]
        fresh = dram_stamps[src] != s
        dram_stamps[src] = s
    _count_fill(lv, t, par, crosses, 1, 1 if fresh else 0, counts, step_words)
    if crosses and n_cl > 1:
        cl = inst // pe_per_cl
        key = s * n_cl + cl
        if par == TILE_GLB:
            fresh_port = pst_glb[t, src] != key
            pst_glb[t, src] = key
        else:
            fresh_port = pst_dram[src] != key
            pst_dram[src] = key
        if fresh_port:
            counts[NOC, t, PORTS] += 1
            cl_words[t, cl] += 1
    if lv == TILE_RF:
        rf_val[t, new, inst, dst] = v
    else:
        glb_val[t, new, dst] = v


@jit_inline
def _count_fill(lv, t, par, crosses, words, fresh, counts, step_words):
    """Count ``words`` words of type ``t`` written into a tile at level ``lv`` from its parent
    ``par`` (``TILE_GLB``, else DRAM), ``fresh`` of them read there (the others the parent sent
    already this step: multicast); ``crosses``: they cross the NoC."""
    counts[RF if lv == TILE_RF else GLB, t, WRITES] += words
    parent_level = GLB if par == TILE_GLB else DRAM
    counts[parent_level, t, READS] += fresh
    if parent_level == GLB:
        step_words[SW_GLB] += fresh
    else:
        step_words[SW_DRAM_IFMAP + t] += fresh
    if crosses:
        counts[NOC, t, READS] += words
        step_words[SW_IFMAP_DELIVERED + t] += words
        counts[NOC, t, TRANSACTIONS] += fresh
        step_words[SW_IFMAP_FILL + t] += fresh
    if lv == TILE_GLB:
        step_words[SW_GLB] += words  # the GLB writes of the fill


@jit_inline
def _count_psum_arrivals(at_glb, n, hits, crosses, counts, step_words):
    """Count ``n`` psum words arriving at the GLB (``at_glb``) or DRAM: updates (DRAM: writes);
    ``hits`` of them found a psum already there: read, added, written back (and, ``crosses`` the
    NoC, sent back in over the psum GIN); ``crosses``: one GON transaction out each. A caller
    whose psums cross the NoC adds the words leaving the clusters (merged inside each cluster
    only) to ``counts[NOC, PSUM, PORTS]`` and ``[.., HOPS]`` (without clusters: ``n``)."""
    if at_glb:
        counts[GLB, PSUM, UPDATES] += n
        counts[GLB, PSUM, READS] += hits
        counts[GLB, PSUM, WRITES] += hits
        step_words[SW_GLB_PSUM] += 2 * hits
    else:
        counts[DRAM, PSUM, UPDATES] += n
        counts[DRAM, PSUM, WRITES] += n
        step_words[SW_DRAM_PSUM_WRITE] += n
        counts[DRAM, PSUM, READS] += hits
        step_words[SW_DRAM_PSUM_READ] += hits
    if crosses:
        counts[NOC, PSUM, TRANSACTIONS] += n + hits
        step_words[SW_GON] += n
        step_words[SW_PSUM_IN] += hits
        # cluster ports and mesh hops: the psums sent back in cross a port each; the caller adds
        # the words leaving the clusters (to PORTS and HOPS), of which the ``n`` updates do not hop
        counts[NOC, PSUM, PORTS] += hits
        counts[NOC, PSUM, HOPS] -= n


@jit_inline
def _count_operand_reads(t, from_glb, n_valid, fresh, counts, step_words):
    """Count a step's MAC operands of type ``t`` the RF bypasses: ``n_valid`` delivered over
    the NoC, ``fresh`` distinct words read from the parent (the GLB if ``from_glb``, else DRAM)
    and sent (multicast)."""
    counts[NOC, t, READS] += n_valid
    step_words[SW_IFMAP_DELIVERED + t] += n_valid
    counts[GLB if from_glb else DRAM, t, READS] += fresh
    counts[NOC, t, TRANSACTIONS] += fresh
    step_words[SW_IFMAP_SENT + t] += fresh
    step_words[SW_GLB if from_glb else SW_DRAM_IFMAP + t] += fresh


@jit_inline
def _psum_arrive(level, a, value, is_leader, crosses, glb_val, ofmap, touched_glb, touched_dram, resid,
                 counts, step_words, wrap):
    """A psum word arrives at the GLB (``level`` ``TILE_GLB``) or DRAM (``TILE_DRAM``) at address ``a``
    and is added there (wrapped: :func:`_wrap` with shift ``wrap``); counted by the first PE of
    its reduction group (``is_leader``). Returns whether a psum was already there (a hit: read,
    added, written back)."""
    if level == TILE_GLB:
        glb_val[PSUM, 0, a] = _wrap(glb_val[PSUM, 0, a] + value, wrap)
        hit = touched_glb[a] == resid[TILE_GLB]
        touched_glb[a] = resid[TILE_GLB]
    else:
        ofmap[a] = _wrap(ofmap[a] + value, wrap)
        hit = touched_dram[a]
        touched_dram[a] = True
    if is_leader:
        _count_psum_arrivals(level == TILE_GLB, 1, 1 if hit else 0, crosses, counts, step_words)
    return hit


@jit
def _flush_psum(lv, res, ext, size, origin, rf_val, glb_val, ofmap, pe_off, n_pe, leader, n_grp_noc,
                touched_glb, touched_dram, resid, stride, counts, step_words, scratch, padded, touched_rf_pe,
                noc_first, wrap, leader_c, pe_per_cl, cl_words):
    """End the current psum residence at level ``lv``: send every word to its parent.

    Padded runs send only the psums a valid iteration of the residence touched. From the RF,
    the words the first PE of each in-cluster merge group (``leader_c``) sends leave the
    clusters: they cross the router ports and, but for the one update per output, a mesh link
    (``PORTS``, ``HOPS``); ``cl_words[2 | 3, cluster]`` += the words leaving each cluster and the
    psums sent back into it (attributed to the cluster of the group's first PE)."""
    par = _parent_of(res, lv, PSUM)
    e = ext[lv, PSUM]
    pe_ext = ext[par, PSUM]
    po = scratch[1]
    for d in range(N_DIMS):
        po[d] = origin[TILE_GLB, PSUM, d] if par == TILE_GLB else 0
    instances = n_pe if lv == TILE_RF else 1
    # psum addresses are linear in (g, n, m, e, f): walk the tile with running offsets
    pm_f = 1
    pm_e = pe_ext[D_F]
    pm_m = pm_e * pe_ext[D_E]
    pm_n = pm_m * pe_ext[D_M]
    pm_g = pm_n * pe_ext[D_N]
    tbase = ((origin[lv, PSUM, D_G] - po[D_G]) * pm_g + (origin[lv, PSUM, D_N] - po[D_N]) * pm_n
             + (origin[lv, PSUM, D_M] - po[D_M]) * pm_m + (origin[lv, PSUM, D_E] - po[D_E]) * pm_e
             + (origin[lv, PSUM, D_F] - po[D_F]) * pm_f)
    moved = 0
    for inst in range(instances):
        base = tbase
        is_leader = True
        if lv == TILE_RF:
            base += (pe_off[inst, D_G] * pm_g + pe_off[inst, D_N] * pm_n + pe_off[inst, D_M] * pm_m
                     + pe_off[inst, D_E] * pm_e + pe_off[inst, D_F] * pm_f)
            is_leader = leader[inst]
        src = 0
        sent = 0
        hits = 0
        for g in range(e[D_G]):
            for nn in range(e[D_N]):
                for m in range(e[D_M]):
                    for ee in range(e[D_E]):
                        row = base + g * pm_g + nn * pm_n + m * pm_m + ee * pm_e
                        for f in range(e[D_F]):
                            if padded:
                                if lv == TILE_RF:
                                    live = touched_rf_pe[inst, src] == resid[TILE_RF]
                                else:
                                    live = touched_glb[src] == resid[TILE_GLB]
                                if not live:
                                    src += 1
                                    continue
                                if lv == TILE_RF and not noc_first[inst]:
                                    moved += 1
                            v = rf_val[PSUM, 0, inst, src] if lv == TILE_RF else glb_val[PSUM, 0, src]
                            sent += 1
                            if is_leader:
                                if _psum_arrive(par, row + f, v, True, lv == TILE_RF, glb_val, ofmap, touched_glb,
                                                touched_dram, resid, counts, step_words, wrap):
                                    hits += 1
                            elif par == TILE_GLB:
                                glb_val[PSUM, 0, row + f] = _wrap(glb_val[PSUM, 0, row + f] + v, wrap)
                            else:
                                ofmap[row + f] = _wrap(ofmap[row + f] + v, wrap)
                            src += 1
        if lv == TILE_RF and leader_c[inst]:
            counts[NOC, PSUM, PORTS] += sent
            counts[NOC, PSUM, HOPS] += sent
            cl_words[2, inst // pe_per_cl] += sent
            cl_words[3, inst // pe_per_cl] += hits
    if lv == TILE_RF:
        if not padded:
            moved = (n_pe - n_grp_noc) * size[TILE_RF, PSUM]
        counts[NOC, PSUM, READS] += moved
        step_words[SW_LOCAL] += moved
