"""The cycle-level engine on flattened loops: real values through every tile, word by word.

:func:`run_flat` executes a lowered nest whose loops may run over flattened dimension groups
(``dims[j] >= N_DIMS``, members in ``groups``; docs/architecture.md, *Flattened loops*). It
keeps the contract of :func:`accelsim.kernels.cycle.run` — same outputs (the ofmap the machine
computes, wrapped at ``psum_bits``), counts equal to the analytic engine's
(:func:`accelsim.kernels.analytic.count_accesses_flat`) and the same timing model — but a tile
of a flattened loop is not a box in the tensors, so tiles are kept as *sets of words*:

* *Coordinates.* A loop's axis is its dimension or its group; the loops of an axis combine
  mixed-radix into its index (outer loops more significant), linear in the loop indices, so a
  PE's index is the step's temporal part plus a fixed per-PE part. A group's index decodes into
  member coordinates with the layer's bounds as radices (``_decode``); an iteration with any
  coordinate at or past its bound is masked (no MAC, no operand, no psum).
* *Tiles.* The tile a level keeps (one instance for the GLB, one per PE for the RF) is the set
  of words the valid iterations of ``loops[p:]`` touch. It is enumerated over the loops the type
  depends on (wholly or through a group member; the others held at index 0, the iteration with
  the smallest coordinates, valid whenever any is). The GLB keeps words by their address in the
  tensor (``glb_*`` arrays the size of each tensor; ``glb_mark`` tells which words the current
  tile holds); an RF keeps a slot per position of its enumeration box (``rf_val``, with the
  word's tensor address in ``rf_addr``), so a MAC finds its operand at the box position of its
  loop indices, the same on every PE.
* *Counting* follows the enumerating reference exactly: a tile is refetched when a loop it
  depends on moves; when the innermost such loop moves alone (and the level may slide: not a
  GLB ifmap tile without halo reuse), the words of the old tile are kept and only the others
  fetched — sliding windows across the row boundaries of a flattened index included; a parent
  reads a word once per step however many instances take it (multicast); an RF-bypassing
  operand is read once per step (ifmap with forwarding: once per sweep of the innermost window
  loops); psum residences send each distinct word a valid iteration touched, summed in the
  array over psum-irrelevant spatial loops with a NoC or tree reduction.
* *Timing* is :mod:`accelsim.kernels.cycle`'s (:func:`_time_step` is its step timing); steps
  with no valid iteration on any PE are skipped (their tile traffic joins the next step's).

Cost: per step, one decode per PE (a few integer divisions per group); per tile event, the
tile's enumeration box (old tile too when sliding). Memory: the tensors' sizes in GLB value,
mark and stamp arrays (int64), plus ``2 × P ×`` the RF boxes.
"""

from __future__ import annotations

import numpy as np

from ..layout import (BW_DRAM, BW_FILTER, BW_GLB, BW_GON, BW_IFMAP, BW_LOCAL, BW_PSUM_GIN, BUS_FILTER, BUS_GLB,
                      BUS_IFMAP, BUS_PSUM, CAUSE_DRAM, CAUSE_NOC_IFMAP, CAUSE_NOC_PSUM, CAUSE_PIPELINE, D_C, D_E,
                      D_F, D_G, D_M, D_N, D_R, D_S, DRAM, FILTER, GLB, IFMAP, N_AXES, N_BUSES, N_DIMS,
                      N_GROUPS_MAX, N_PSUM_QUEUES, N_STEP_SLOTS, N_TILE_LEVELS, N_TYPES, NO_DIM, NOC, NOC_BROADCAST,
                      NOC_SYSTOLIC, NOC_UNICAST, PSUM, Q_GON, Q_PSUM_IN, READS, RF, ST_ACTIVE, ST_COMPUTE,
                      ST_CYCLES, ST_MACS, ST_PASSES, ST_STEPS, SW_DRAM_FILTER, SW_DRAM_IFMAP, SW_DRAM_PSUM_READ,
                      SW_DRAM_PSUM_WRITE, SW_FILTER_FILL, SW_FILTER_SENT, SW_GLB, SW_GLB_PSUM, SW_GON,
                      SW_IFMAP_DELIVERED, SW_IFMAP_FILL, SW_IFMAP_SENT, SW_LOCAL, SW_PSUM_IN, TEMPORAL, TILE_GLB,
                      TILE_RF, TR_DRAM, TR_FILTER_BUS, TR_GLB, TR_IFMAP_BUS, TR_MACS, TR_PSUM_BUS, TRANSACTIONS,
                      UPDATES, WIN_FORWARD, WIN_GLB_HALO, WRITES)
from .cycle import BUS_CAUSE, RELEVANCE, _advance, _book_transfer, _ceil_div, _count_fill, _first_of_group, _wrap
from .jit import jit, jit_inline

#: the parent of a tile or a MAC operand: the GLB, or DRAM (the tensor itself)
_PAR_GLB, _PAR_DRAM = 0, 1
#: clk[...]: the timing state of :func:`_time_step`
_K_NOW, _K_DRAM_FREE, _K_EPOCH, _K_PREV_EPOCH = 0, 1, 2, 3


# ==================================================================== axes and coordinates
@jit
def _axis_relevance(groups):
    """int64[3, N_AXES]: does data type ``t`` depend on axis ``a`` (a dimension, or a group
    through some member); int64[N_AXES] window axes (every member one of E F R S); int64[N_AXES]
    axes wholly irrelevant to psums (their spatial loops may merge psums)."""
    rel = np.zeros((N_TYPES, N_AXES), dtype=np.int64)
    win = np.zeros(N_AXES, dtype=np.int64)
    psum_free = np.zeros(N_AXES, dtype=np.int64)
    for d in range(N_DIMS):
        for t in range(N_TYPES):
            rel[t, d] = RELEVANCE[t, d]
        win[d] = 1 if d >= D_E else 0
        psum_free[d] = 1 - RELEVANCE[PSUM, d]
    for g in range(N_GROUPS_MAX):
        a = N_DIMS + g
        win[a] = 1
        psum_free[a] = 1
        for i in range(N_DIMS):
            m = groups[g, i]
            if m == NO_DIM:
                break
            for t in range(N_TYPES):
                if RELEVANCE[t, m] == 1:
                    rel[t, a] = 1
            if m < D_E:
                win[a] = 0
            if RELEVANCE[PSUM, m] == 1:
                psum_free[a] = 0
    return rel, win, psum_free


@jit_inline
def _decode(ax, groups, bounds, x):
    """Per-dimension coordinates ``x`` int64[8] of axis indices ``ax`` int64[N_AXES]; True if
    the iteration is valid (every coordinate below its bound)."""
    for d in range(N_DIMS):
        x[d] = ax[d]
    for g in range(N_GROUPS_MAX):
        if groups[g, 0] == NO_DIM:
            break
        k = 1
        while k < N_DIMS and groups[g, k] != NO_DIM:
            k += 1
        rest = ax[N_DIMS + g]
        for i in range(k - 1, 0, -1):
            m = groups[g, i]
            x[m] = rest % bounds[m]
            rest //= bounds[m]
        x[groups[g, 0]] = rest
    for d in range(N_DIMS):
        if x[d] >= bounds[d]:
            return False
    return True


@jit
def _address(t, x, bounds, stride, height, width):
    """Address of the word of type ``t`` at coordinates ``x`` in its tensor: ifmap (g, n, c, h,
    w), filters (g, m, c, r, s), psums (g, n, m, e, f)."""
    if t == IFMAP:
        return ((((x[D_G] * bounds[D_N] + x[D_N]) * bounds[D_C] + x[D_C]) * height + x[D_E] * stride + x[D_R])
                * width + x[D_F] * stride + x[D_S])
    if t == FILTER:
        return (((x[D_G] * bounds[D_M] + x[D_M]) * bounds[D_C] + x[D_C]) * bounds[D_R] + x[D_R]) * bounds[D_S] + x[D_S]
    return (((x[D_G] * bounds[D_N] + x[D_N]) * bounds[D_M] + x[D_M]) * bounds[D_E] + x[D_E]) * bounds[D_F] + x[D_F]


@jit
def _address_coefs(bounds, stride, height, width):
    """int64[3, 8]: :func:`_address` as a linear form, address = sum over d of coef[t, d] · x[d]."""
    coef = np.zeros((N_TYPES, N_DIMS), dtype=np.int64)
    coef[IFMAP, D_S] = 1
    coef[IFMAP, D_F] = stride
    coef[IFMAP, D_R] = width
    coef[IFMAP, D_E] = stride * width
    coef[IFMAP, D_C] = height * width
    coef[IFMAP, D_N] = bounds[D_C] * height * width
    coef[IFMAP, D_G] = bounds[D_N] * coef[IFMAP, D_N]
    coef[FILTER, D_S] = 1
    coef[FILTER, D_R] = bounds[D_S]
    coef[FILTER, D_C] = bounds[D_R] * bounds[D_S]
    coef[FILTER, D_M] = bounds[D_C] * coef[FILTER, D_C]
    coef[FILTER, D_G] = bounds[D_M] * coef[FILTER, D_M]
    coef[PSUM, D_F] = 1
    coef[PSUM, D_E] = bounds[D_F]
    coef[PSUM, D_M] = bounds[D_E] * bounds[D_F]
    coef[PSUM, D_N] = bounds[D_M] * coef[PSUM, D_M]
    coef[PSUM, D_G] = bounds[D_N] * coef[PSUM, D_N]
    return coef


@jit
def _spatial_dims(dims, kinds, groups):
    """int64[N_AXES] axes some spatial loop runs over; int64[8] dimensions on such an axis."""
    axis_sp = np.zeros(N_AXES, dtype=np.int64)
    for j in range(dims.shape[0]):
        if kinds[j] != TEMPORAL:
            axis_sp[dims[j]] = 1
    dim_sp = np.zeros(N_DIMS, dtype=np.int64)
    for d in range(N_DIMS):
        dim_sp[d] = axis_sp[d]
    for g in range(N_GROUPS_MAX):
        for i in range(N_DIMS):
            m = groups[g, i]
            if m == NO_DIM:
                break
            dim_sp[m] = axis_sp[N_DIMS + g]
    return axis_sp, dim_sp


# ==================================================================== plan
@jit
def _plan_flat(dims, factors, kinds, reds, res, groups, bounds):
    """The fixed facts of a (possibly flattened) nest.

    Returns
    -------
    axstride : int64[L]
        Place value of each loop in its axis' index.
    pe_ax : int64[P, N_AXES]
        Each PE's part of every axis index (spatial index order).
    leader, noc_first : bool[P]
        First PE of each group summed in the array (NoC or tree) / by the NoC alone.
    n_grp_noc : int
    edge : float64[3]
        Systolic edge links per data type.
    total_steps, pass_pos, sweep_top : int
        As :func:`accelsim.kernels.cycle._plan_nest` (axes for dimensions).
    k_rel : int64[2, 3]
        Innermost temporal loop (factor > 1) above each tile that the type depends on, -1 if none.
    box_j, box_n : int64[2, 3, L], int64[2, 3]
        Per tile: the loops of ``loops[p:]`` its type depends on (factor > 1), outer first.
    box_stride : int64[2, 3, L]
        Place value of each of those loops in the tile's enumeration box (position).
    box_size : int64[2, 3]
        Positions of each box (1 for a bypassed level).
    rel : int64[3, N_AXES]
        :func:`_axis_relevance`.
    """
    n = dims.shape[0]
    rel, win, psum_free = _axis_relevance(groups)
    axstride = np.ones(n, dtype=np.int64)
    for j in range(n):
        for i in range(j + 1, n):
            if dims[i] == dims[j]:
                axstride[j] *= factors[i]
    n_pe = 1
    total_steps = 1
    last_sp = -1
    for j in range(n):
        if kinds[j] != TEMPORAL:
            n_pe *= factors[j]
            last_sp = j
        else:
            total_steps *= factors[j]
    pe_ax = np.zeros((n_pe, N_AXES), dtype=np.int64)
    grp_all = np.zeros(n_pe, dtype=np.int64)
    grp_noc = np.zeros(n_pe, dtype=np.int64)
    for pe in range(n_pe):
        rem = pe
        ka = 0
        kn = 0
        place = np.zeros(n, dtype=np.int64)
        for j in range(n - 1, -1, -1):
            if kinds[j] == TEMPORAL:
                continue
            place[j] = rem % factors[j]
            rem //= factors[j]
            pe_ax[pe, dims[j]] += place[j] * axstride[j]
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
    if last_sp >= 0:
        pass_pos = last_sp + 1
    else:
        pass_pos = n + 1
        for t in range(N_TYPES):
            if res[TILE_RF, t] >= 0 and res[TILE_RF, t] < pass_pos:
                pass_pos = res[TILE_RF, t]
        if pass_pos == n + 1:
            pass_pos = 0
    sweep_top = n
    for j in range(n - 1, -1, -1):
        if kinds[j] != TEMPORAL or factors[j] == 1:
            continue
        if win[dims[j]] == 1:
            sweep_top = j
        else:
            break
    k_rel = np.full((N_TILE_LEVELS, N_TYPES), -1, dtype=np.int64)
    box_j = np.zeros((N_TILE_LEVELS, N_TYPES, max(n, 1)), dtype=np.int64)
    box_stride = np.zeros((N_TILE_LEVELS, N_TYPES, max(n, 1)), dtype=np.int64)
    box_n = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    box_size = np.ones((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    for lv in range(N_TILE_LEVELS):
        for t in range(N_TYPES):
            p = res[lv, t]
            if p < 0:
                continue
            for j in range(p - 1, -1, -1):
                if kinds[j] == TEMPORAL and factors[j] > 1 and rel[t, dims[j]] == 1:
                    k_rel[lv, t] = j
                    break
            for j in range(p, n):
                if factors[j] > 1 and rel[t, dims[j]] == 1:
                    box_j[lv, t, box_n[lv, t]] = j
                    box_n[lv, t] += 1
            size = 1
            for i in range(box_n[lv, t] - 1, -1, -1):
                box_stride[lv, t, i] = size
                size *= factors[box_j[lv, t, i]]
            box_size[lv, t] = size
    return (axstride, pe_ax, leader, noc_first, n_grp_noc, edge, n_pe, total_steps, pass_pos, sweep_top, k_rel,
            box_j, box_n, box_stride, box_size, rel)


@jit_inline
def _box_ax(pos, nb, bj, bstride, factors, dims, axstride, base, ax):
    """Axis indices ``ax`` of position ``pos`` of an enumeration box over loops ``bj[:nb]``
    (place values ``bstride``) on top of the instance's ``base`` indices."""
    for a in range(N_AXES):
        ax[a] = base[a]
    for i in range(nb):
        j = bj[i]
        ax[dims[j]] += ((pos // bstride[i]) % factors[j]) * axstride[j]


# ==================================================================== psums arriving at a parent
@jit_inline
def _arrive(par, a, value, is_leader, crosses, glb_p, ofmap, touched_glb, glb_list, n_list, r0, touched_dram,
            counts, step_words, wrap):
    """A psum word (tensor address ``a``) arrives at the GLB (``_PAR_GLB``) or DRAM and is added
    there, wrapped; counted as :func:`accelsim.kernels.cycle._psum_arrive` counts."""
    if par == _PAR_GLB:
        if touched_glb[a] != r0:
            touched_glb[a] = r0
            glb_p[a] = value
            glb_list[n_list[0]] = a
            n_list[0] += 1
            hit = False
        else:
            glb_p[a] = _wrap(glb_p[a] + value, wrap)
            hit = True
        if not is_leader:
            return
        counts[GLB, PSUM, UPDATES] += 1
        if crosses:
            counts[NOC, PSUM, TRANSACTIONS] += 1
            step_words[SW_GON] += 1
        if hit:
            counts[GLB, PSUM, READS] += 1
            counts[GLB, PSUM, WRITES] += 1
            step_words[SW_GLB_PSUM] += 2
            if crosses:
                counts[NOC, PSUM, TRANSACTIONS] += 1
                step_words[SW_PSUM_IN] += 1
        return
    ofmap[a] = _wrap(ofmap[a] + value, wrap)
    if not is_leader:
        return
    counts[DRAM, PSUM, UPDATES] += 1
    counts[DRAM, PSUM, WRITES] += 1
    step_words[SW_DRAM_PSUM_WRITE] += 1
    if crosses:
        counts[NOC, PSUM, TRANSACTIONS] += 1
        step_words[SW_GON] += 1
    if touched_dram[a]:
        counts[DRAM, PSUM, READS] += 1
        step_words[SW_DRAM_PSUM_READ] += 1
        if crosses:
            counts[NOC, PSUM, TRANSACTIONS] += 1
            step_words[SW_PSUM_IN] += 1
    else:
        touched_dram[a] = True


# ==================================================================== the kernel
@jit
def run_flat(dims, factors, kinds, reds, res, groups, stride, window, bounds, height, width,
             ifmap, filt, ofmap, bandwidths, noc_kind, rf_prefetch, dram_scale, pass_overhead, bin_cycles,
             psum_bits, counts, usage, stats, pe_steps, trace, progress):
    """Execute a nest with flattened loops cycle by cycle (module docstring).

    Parameters are :func:`accelsim.kernels.cycle.run`'s, plus ``groups`` int64[N_GROUPS_MAX,
    N_DIMS] (:class:`accelsim.dataflows.lowering.NestArrays`); ``dims[j]`` may be ``N_DIMS + g``.
    Every loop below an RF tile start must be temporal, every spatial loop below each GLB tile
    start (the caller checks).
    """
    n = dims.shape[0]
    counts[:] = 0
    usage[:] = 0
    wrap = np.int64(64 - psum_bits)
    (axstride, pe_ax, leader, noc_first, n_grp_noc, edge, n_pe, total_steps, pass_pos, sweep_top, k_rel,
     box_j, box_n, box_stride, box_size, rel) = _plan_flat(dims, factors, kinds, reds, res, groups, bounds)
    local_links = max(1, n_pe - n_grp_noc)
    coef = _address_coefs(bounds, stride, height, width)
    axis_sp, dim_sp = _spatial_dims(dims, kinds, groups)
    prev_ax = np.full(N_AXES, -1, dtype=np.int64)
    pe_part = np.zeros((N_TYPES, n_pe), dtype=np.int64)
    pe_okp = np.ones(n_pe, dtype=np.bool_)
    size_i = ifmap.shape[0]
    size_f = filt.shape[0]
    size_p = ofmap.shape[0]
    # GLB: values and marks by tensor address
    glb_i = np.zeros(size_i if res[TILE_GLB, IFMAP] >= 0 else 1, dtype=np.int64)
    glb_f = np.zeros(size_f if res[TILE_GLB, FILTER] >= 0 else 1, dtype=np.int64)
    glb_p = np.zeros(size_p if res[TILE_GLB, PSUM] >= 0 else 1, dtype=np.int64)
    glb_mark_i = np.full(glb_i.shape[0], -1, dtype=np.int64)
    glb_mark_f = np.full(glb_f.shape[0], -1, dtype=np.int64)
    touched_glb = np.full(glb_p.shape[0], -1, dtype=np.int64)
    glb_list = np.zeros(glb_p.shape[0], dtype=np.int64)
    n_list = np.zeros(1, dtype=np.int64)
    touched_dram = np.zeros(size_p, dtype=np.bool_)
    # parent read stamps (one consumer per parent and type): step or forwarding sweep
    st_glb_i = np.full(glb_i.shape[0], -1, dtype=np.int64)
    st_glb_f = np.full(glb_f.shape[0], -1, dtype=np.int64)
    st_dram_i = np.full(size_i, -1, dtype=np.int64)
    st_dram_f = np.full(size_f, -1, dtype=np.int64)
    # RF: a slot per box position, per PE, two halves for inputs
    rf_box = max(box_size[TILE_RF, IFMAP], box_size[TILE_RF, FILTER], 1)
    rf_val = np.zeros((2, 2, n_pe, rf_box), dtype=np.int64)
    rf_addr = np.full((2, 2, n_pe, rf_box), -1, dtype=np.int64)
    rf_buf = np.zeros(2, dtype=np.int64)
    pbox = box_size[TILE_RF, PSUM]
    rf_p = np.zeros((n_pe, pbox), dtype=np.int64)
    rf_paddr = np.zeros((n_pe, pbox), dtype=np.int64)
    rf_touch = np.full((n_pe, pbox), -1, dtype=np.int64)
    rf_upd = np.zeros(n_pe, dtype=np.int64)
    # per-instance word marks (instances run one after another): serial and slot by address
    mk_i = np.full(size_i if res[TILE_RF, IFMAP] >= 0 else 1, -1, dtype=np.int64)
    mk_f = np.full(size_f if res[TILE_RF, FILTER] >= 0 else 1, -1, dtype=np.int64)
    where_i = np.zeros(mk_i.shape[0], dtype=np.int64)
    where_f = np.zeros(mk_f.shape[0], dtype=np.int64)
    fmk = np.full(size_p if res[TILE_RF, PSUM] >= 0 else 1, -1, dtype=np.int64)
    facc = np.zeros(fmk.shape[0], dtype=np.int64)
    flist = np.zeros(max(pbox, 1), dtype=np.int64)
    serial = 0
    glb_ser = np.zeros(2, dtype=np.int64)
    # step state
    idx = np.zeros(n, dtype=np.int64)
    gt_ax = np.zeros(N_AXES, dtype=np.int64)
    ax = np.zeros(N_AXES, dtype=np.int64)
    base = np.zeros(N_AXES, dtype=np.int64)
    x = np.zeros(N_DIMS, dtype=np.int64)
    step_words = np.zeros(N_STEP_SLOTS, dtype=np.float64)
    bus = np.zeros(N_BUSES, dtype=np.float64)
    clk = np.zeros(4, dtype=np.float64)
    psum_free = np.zeros(N_PSUM_QUEUES, dtype=np.float64)
    in_free = np.zeros(2, dtype=np.float64)
    rf_fill_start = np.zeros(2, dtype=np.float64)
    resid = np.zeros(N_TILE_LEVELS, dtype=np.int64)
    n_bins = trace.shape[0]
    par_i = _PAR_GLB if res[TILE_GLB, IFMAP] >= 0 else _PAR_DRAM
    par_f = _PAR_GLB if res[TILE_GLB, FILTER] >= 0 else _PAR_DRAM
    par_p = _PAR_GLB if res[TILE_GLB, PSUM] >= 0 else _PAR_DRAM
    rf_i = res[TILE_RF, IFMAP] >= 0
    rf_f = res[TILE_RF, FILTER] >= 0
    psum_in_rf = res[TILE_RF, PSUM] >= 0
    sweep = -1
    pending = -1
    glb_event = False
    first = True
    executed = 0
    passes = 0
    for s in range(total_steps + 1):
        progress[0] = s
        last = s == total_steps
        c = -1
        if s > 0 and not last:
            for j in range(n - 1, -1, -1):
                if kinds[j] != TEMPORAL:
                    continue
                idx[j] += 1
                if idx[j] < factors[j]:
                    c = j
                    break
                idx[j] = 0
        for a in range(N_AXES):
            gt_ax[a] = 0
        for j in range(n):
            if kinds[j] == TEMPORAL:
                gt_ax[dims[j]] += idx[j] * axstride[j]
        # --- 1. psum residences that end: RF -> parent, then GLB -> DRAM
        if s > 0 and psum_in_rf and (last or (k_rel[TILE_RF, PSUM] >= 0 and c <= k_rel[TILE_RF, PSUM])):
            moved = 0
            r1 = resid[TILE_RF]
            for pe in range(n_pe):
                serial += 1
                nl = 0
                for pos in range(pbox):
                    if rf_touch[pe, pos] != r1:
                        continue
                    a = rf_paddr[pe, pos]
                    if fmk[a] != serial:
                        fmk[a] = serial
                        facc[a] = rf_p[pe, pos]
                        flist[nl] = a
                        nl += 1
                    else:
                        facc[a] = _wrap(facc[a] + rf_p[pe, pos], wrap)
                counts[RF, PSUM, READS] += rf_upd[pe] - nl
                counts[RF, PSUM, WRITES] += rf_upd[pe] - nl
                rf_upd[pe] = 0
                if nl > usage[TILE_RF, PSUM]:
                    usage[TILE_RF, PSUM] = nl
                if not noc_first[pe]:
                    moved += nl
                for i in range(nl):
                    a = flist[i]
                    _arrive(par_p, a, facc[a], leader[pe], True, glb_p, ofmap, touched_glb, glb_list, n_list,
                            resid[TILE_GLB], touched_dram, counts, step_words, wrap)
            counts[NOC, PSUM, READS] += moved
            step_words[SW_LOCAL] += moved
        if (s > 0 and res[TILE_GLB, PSUM] >= 0
                and (last or (k_rel[TILE_GLB, PSUM] >= 0 and c <= k_rel[TILE_GLB, PSUM]))):
            glb_event = True
            if n_list[0] > usage[TILE_GLB, PSUM]:
                usage[TILE_GLB, PSUM] = n_list[0]
            for i in range(n_list[0]):
                a = glb_list[i]
                _arrive(_PAR_DRAM, a, glb_p[a], True, False, glb_p, ofmap, touched_glb, glb_list, n_list,
                        resid[TILE_GLB], touched_dram, counts, step_words, wrap)
            n_list[0] = 0
        if last:
            now = clk[_K_NOW]
            _advance(now, float(pass_overhead), CAUSE_PIPELINE, stats, trace, bin_cycles, n_bins)
            now += pass_overhead
            if noc_kind != NOC_SYSTOLIC:
                for q in range(N_PSUM_QUEUES):
                    words = step_words[SW_GON] if q == Q_GON else step_words[SW_PSUM_IN]
                    width = bandwidths[BW_GON] if q == Q_GON else bandwidths[BW_PSUM_GIN]
                    if width != np.inf:
                        psum_free[q] = max(psum_free[q], now) + words / width
                tail = np.ceil(max(psum_free[Q_GON], psum_free[Q_PSUM_IN]) - now)
                if tail > 0:
                    _advance(now, tail, CAUSE_NOC_PSUM, stats, trace, bin_cycles, n_bins)
                    now += tail
            clk[_K_NOW] = now
            break
        # --- 2. input tiles and new psum residences, outer level first
        for lv in range(N_TILE_LEVELS):
            for t in range(N_TYPES):
                p = res[lv, t]
                if p < 0:
                    continue
                if not (s == 0 or (k_rel[lv, t] >= 0 and c <= k_rel[lv, t])):
                    continue
                if lv == TILE_GLB:
                    glb_event = True
                if t == PSUM:
                    resid[lv] += 1
                    continue
                slide = s > 0 and c == k_rel[lv, t] and (t != IFMAP or lv == TILE_RF or (window & WIN_GLB_HALO) != 0)
                for a in range(N_AXES):
                    base[a] = 0
                for j in range(p):
                    if kinds[j] == TEMPORAL:
                        base[dims[j]] += idx[j] * axstride[j]
                nb = box_n[lv, t]
                if lv == TILE_GLB:
                    old_ser = glb_ser[t]
                    glb_ser[t] += 1
                    ser = glb_ser[t]
                    words = 0
                    for pos in range(box_size[lv, t]):
                        _box_ax(pos, nb, box_j[lv, t], box_stride[lv, t], factors, dims, axstride, base, ax)
                        if not _decode(ax, groups, bounds, x):
                            continue
                        a = _address(t, x, bounds, stride, height, width)
                        mark = glb_mark_i if t == IFMAP else glb_mark_f
                        if mark[a] == ser:
                            continue
                        kept = slide and mark[a] == old_ser
                        mark[a] = ser
                        words += 1
                        if kept:
                            continue
                        if t == IFMAP:
                            glb_i[a] = ifmap[a]
                            fresh = st_dram_i[a] != s
                            st_dram_i[a] = s
                        else:
                            glb_f[a] = filt[a]
                            fresh = st_dram_f[a] != s
                            st_dram_f[a] = s
                        _count_fill(TILE_GLB, t, 2, False, fresh, counts, step_words)
                    if words > usage[TILE_GLB, t]:
                        usage[TILE_GLB, t] = words
                    continue
                # RF: every PE in turn
                old = rf_buf[t]
                new = 1 - old
                rf_buf[t] = new
                par = res[TILE_GLB, t] >= 0
                mk = mk_i if t == IFMAP else mk_f
                where = where_i if t == IFMAP else where_f
                for pe in range(n_pe):
                    old_ser = -2
                    if slide:
                        serial += 1
                        old_ser = serial
                        for pos in range(box_size[lv, t]):
                            a = rf_addr[t, old, pe, pos]
                            if a >= 0:
                                mk[a] = old_ser
                                where[a] = pos
                    serial += 1
                    for a2 in range(N_AXES):
                        ax[a2] = base[a2] + pe_ax[pe, a2]
                    for a2 in range(N_AXES):
                        gt_ax[a2] = ax[a2]  # reuse as this PE's base
                    words = 0
                    for pos in range(box_size[lv, t]):
                        _box_ax(pos, nb, box_j[lv, t], box_stride[lv, t], factors, dims, axstride, gt_ax, ax)
                        if not _decode(ax, groups, bounds, x):
                            rf_addr[t, new, pe, pos] = -1
                            continue
                        a = _address(t, x, bounds, stride, height, width)
                        rf_addr[t, new, pe, pos] = a
                        if mk[a] == serial:
                            rf_val[t, new, pe, pos] = rf_val[t, new, pe, where[a]]
                            continue
                        if mk[a] == old_ser:
                            v = rf_val[t, old, pe, where[a]]
                        else:
                            if par:
                                if t == IFMAP:
                                    v = glb_i[a]
                                    fresh = st_glb_i[a] != s
                                    st_glb_i[a] = s
                                else:
                                    v = glb_f[a]
                                    fresh = st_glb_f[a] != s
                                    st_glb_f[a] = s
                            else:
                                if t == IFMAP:
                                    v = ifmap[a]
                                    fresh = st_dram_i[a] != s
                                    st_dram_i[a] = s
                                else:
                                    v = filt[a]
                                    fresh = st_dram_f[a] != s
                                    st_dram_f[a] = s
                            _count_fill(TILE_RF, t, TILE_GLB if par else 2, True, fresh, counts, step_words)
                        mk[a] = serial
                        where[a] = pos
                        rf_val[t, new, pe, pos] = v
                        words += 1
                    if words > usage[TILE_RF, t]:
                        usage[TILE_RF, t] = words
                # restore the step's temporal axis indices
                for a2 in range(N_AXES):
                    gt_ax[a2] = 0
                for j in range(n):
                    if kinds[j] == TEMPORAL:
                        gt_ax[dims[j]] += idx[j] * axstride[j]
        # --- 3. the MACs of this step
        if s == 0 or c < sweep_top:
            sweep += 1
        fwd_serial = sweep if (window & WIN_FORWARD) != 0 else s
        pos_i = 0
        pos_f = 0
        pos_p = 0
        for i in range(box_n[TILE_RF, IFMAP]):
            pos_i += idx[box_j[TILE_RF, IFMAP, i]] * box_stride[TILE_RF, IFMAP, i]
        for i in range(box_n[TILE_RF, FILTER]):
            pos_f += idx[box_j[TILE_RF, FILTER, i]] * box_stride[TILE_RF, FILTER, i]
        for i in range(box_n[TILE_RF, PSUM]):
            pos_p += idx[box_j[TILE_RF, PSUM, i]] * box_stride[TILE_RF, PSUM, i]
        bi = rf_buf[IFMAP]
        bf = rf_buf[FILTER]
        r1 = resid[TILE_RF]
        n_valid = 0
        n_valid_first = 0
        fresh_i = 0
        fresh_f = 0
        # coordinates split: the axes no spatial loop runs over decode once for every PE; the
        # PEs' own part (their spatial axes) is decoded again only when its temporal part moves
        sp_moved = False
        for a2 in range(N_AXES):
            if axis_sp[a2] == 1 and gt_ax[a2] != prev_ax[a2]:
                sp_moved = True
                prev_ax[a2] = gt_ax[a2]
        if sp_moved:
            for pe in range(n_pe):
                for a2 in range(N_AXES):
                    ax[a2] = gt_ax[a2] + pe_ax[pe, a2]
                _decode(ax, groups, bounds, x)
                ok = True
                for t in range(N_TYPES):
                    pe_part[t, pe] = 0
                for d in range(N_DIMS):
                    if dim_sp[d] == 1:
                        if x[d] >= bounds[d]:
                            ok = False
                        for t in range(N_TYPES):
                            pe_part[t, pe] += coef[t, d] * x[d]
                pe_okp[pe] = ok
        _decode(gt_ax, groups, bounds, x)
        shared_ok = True
        sh_i = 0
        sh_f = 0
        sh_p = 0
        for d in range(N_DIMS):
            if dim_sp[d] == 0:
                if x[d] >= bounds[d]:
                    shared_ok = False
                sh_i += coef[IFMAP, d] * x[d]
                sh_f += coef[FILTER, d] * x[d]
                sh_p += coef[PSUM, d] * x[d]
        for pe in range(n_pe):
            if not (shared_ok and pe_okp[pe]):
                continue
            n_valid += 1
            if noc_first[pe]:
                n_valid_first += 1
            pe_steps[pe] += 1
            if rf_i:
                vi = rf_val[IFMAP, bi, pe, pos_i]
            else:
                a = sh_i + pe_part[IFMAP, pe]
                if par_i == _PAR_GLB:
                    vi = glb_i[a]
                    if st_glb_i[a] != fwd_serial:
                        st_glb_i[a] = fwd_serial
                        fresh_i += 1
                else:
                    vi = ifmap[a]
                    if st_dram_i[a] != fwd_serial:
                        st_dram_i[a] = fwd_serial
                        fresh_i += 1
            if rf_f:
                vf = rf_val[FILTER, bf, pe, pos_f]
            else:
                a = sh_f + pe_part[FILTER, pe]
                if par_f == _PAR_GLB:
                    vf = glb_f[a]
                    if st_glb_f[a] != s:
                        st_glb_f[a] = s
                        fresh_f += 1
                else:
                    vf = filt[a]
                    if st_dram_f[a] != s:
                        st_dram_f[a] = s
                        fresh_f += 1
            product = vi * vf
            if psum_in_rf:
                if rf_touch[pe, pos_p] != r1:
                    rf_touch[pe, pos_p] = r1
                    rf_paddr[pe, pos_p] = sh_p + pe_part[PSUM, pe]
                    rf_p[pe, pos_p] = _wrap(product, wrap)
                else:
                    rf_p[pe, pos_p] = _wrap(rf_p[pe, pos_p] + product, wrap)
                rf_upd[pe] += 1
            else:
                a = sh_p + pe_part[PSUM, pe]
                _arrive(par_p, a, product, leader[pe], True, glb_p, ofmap, touched_glb, glb_list, n_list,
                        resid[TILE_GLB], touched_dram, counts, step_words, wrap)
        for t in range(2):
            if res[TILE_RF, t] >= 0:
                counts[RF, t, READS] += n_valid
                continue
            fresh = fresh_i if t == IFMAP else fresh_f
            level = GLB if (par_i if t == IFMAP else par_f) == _PAR_GLB else DRAM
            counts[NOC, t, READS] += n_valid
            step_words[SW_IFMAP_DELIVERED + t] += n_valid
            counts[level, t, READS] += fresh
            counts[NOC, t, TRANSACTIONS] += fresh
            step_words[SW_IFMAP_SENT + t] += fresh
            step_words[SW_GLB if level == GLB else SW_DRAM_IFMAP + t] += fresh
        if psum_in_rf:
            counts[RF, PSUM, UPDATES] += n_valid
        else:
            counts[NOC, PSUM, READS] += n_valid - n_valid_first
            step_words[SW_LOCAL] += n_valid - n_valid_first
        if n_valid == 0:
            # no valid iteration anywhere: skipped; its tile traffic joins the next step's
            if pending < 0 or (c >= 0 and c < pending):
                pending = c if c >= 0 else pending
            continue
        if pending >= 0 and (c < 0 or pending < c):
            c = pending
        pending = -1
        executed += 1
        new_pass = first or (c >= 0 and c < pass_pos)
        first = False
        if new_pass:
            passes += 1
        _time_step(s, new_pass, glb_event, n_valid, step_words, bus, clk, psum_free, in_free, rf_fill_start,
                   bandwidths, edge, local_links, noc_kind, rf_prefetch, dram_scale, pass_overhead, stats, trace,
                   bin_cycles)
        glb_event = False
        step_words[:] = 0.0
    active = 0
    macs = 0
    for pe in range(n_pe):
        macs += pe_steps[pe]
        if pe_steps[pe] > 0:
            active += 1
    stats[ST_CYCLES] = clk[_K_NOW]
    stats[ST_STEPS] = executed
    stats[ST_PASSES] = passes
    stats[ST_ACTIVE] = active
    stats[ST_MACS] = macs
    stats[ST_COMPUTE] = executed


@jit_inline
def _time_step(s, new_pass, glb_event, n_valid, step_words, bus, clk, psum_free, in_free, rf_fill_start,
               bandwidths, edge, local_links, noc_kind, rf_prefetch, dram_scale, pass_overhead, stats, trace,
               bin_cycles):
    """The timing of one executed step, exactly :func:`accelsim.kernels.cycle.run`'s: the wait on
    each bus, DRAM and the psum queues, then the MAC cycle (``clk`` holds now, DRAM free, the
    GLB epoch starts)."""
    n_bins = trace.shape[0]
    glb_bw = bandwidths[BW_GLB]
    dram_bw = bandwidths[BW_DRAM]
    now = clk[_K_NOW]
    if new_pass and s > 0:
        _advance(now, float(pass_overhead), CAUSE_PIPELINE, stats, trace, bin_cycles, n_bins)
        now += pass_overhead
    if glb_event:
        clk[_K_PREV_EPOCH] = clk[_K_EPOCH]
        clk[_K_EPOCH] = now
    if noc_kind == NOC_SYSTOLIC:
        bus[BUS_IFMAP] = max(0.0, _ceil_div(step_words[SW_IFMAP_SENT], bandwidths[BW_IFMAP] * edge[IFMAP]) - 1.0)
        bus[BUS_FILTER] = max(0.0, _ceil_div(step_words[SW_FILTER_SENT], bandwidths[BW_FILTER] * edge[FILTER]) - 1.0)
        bus[BUS_PSUM] = max(0.0, max(_ceil_div(step_words[SW_PSUM_IN], bandwidths[BW_PSUM_GIN] * edge[PSUM]),
                                     _ceil_div(step_words[SW_GON], bandwidths[BW_GON] * edge[PSUM]),
                                     _ceil_div(step_words[SW_LOCAL], bandwidths[BW_LOCAL] * local_links)) - 1.0)
    else:
        if noc_kind == NOC_UNICAST:
            bus[BUS_IFMAP] = _ceil_div(step_words[SW_IFMAP_DELIVERED], bandwidths[BW_IFMAP])
            bus[BUS_FILTER] = _ceil_div(step_words[SW_IFMAP_DELIVERED + 1], bandwidths[BW_FILTER])
        elif noc_kind == NOC_BROADCAST:
            bus[BUS_IFMAP] = _ceil_div(step_words[SW_IFMAP_SENT] + step_words[SW_IFMAP_FILL]
                                       + step_words[SW_FILTER_SENT] + step_words[SW_FILTER_FILL]
                                       + step_words[SW_PSUM_IN], bandwidths[BW_IFMAP])
            bus[BUS_FILTER] = 0.0
        elif rf_prefetch:
            for t in range(2):
                width = bandwidths[BW_IFMAP + t]
                bus[BUS_IFMAP + t] = _ceil_div(step_words[SW_IFMAP_SENT + t], width)
                if step_words[SW_IFMAP_FILL + t] > 0:
                    start = max(in_free[t], rf_fill_start[t])
                    rf_fill_start[t] = now
                    in_free[t] = start + (step_words[SW_IFMAP_FILL + t] / width if width != np.inf else 0.0)
                    if in_free[t] - now > bus[BUS_IFMAP + t]:
                        bus[BUS_IFMAP + t] = np.ceil(in_free[t] - now)
        else:
            bus[BUS_IFMAP] = _ceil_div(step_words[SW_IFMAP_SENT] + step_words[SW_IFMAP_FILL], bandwidths[BW_IFMAP])
            bus[BUS_FILTER] = _ceil_div(step_words[SW_FILTER_SENT] + step_words[SW_FILTER_FILL],
                                        bandwidths[BW_FILTER])
        bus[BUS_PSUM] = _ceil_div(step_words[SW_LOCAL], bandwidths[BW_LOCAL] * local_links)
    bus[BUS_GLB] = _ceil_div(step_words[SW_GLB] + (step_words[SW_GLB_PSUM] if noc_kind == NOC_SYSTOLIC else 0.0),
                             glb_bw)
    if noc_kind == NOC_SYSTOLIC:
        bus[BUS_GLB] = max(0.0, bus[BUS_GLB] - 1.0)
    wait = 0.0
    cause = CAUSE_NOC_IFMAP
    for b in range(N_BUSES):
        if bus[b] > wait:
            wait = bus[b]
            cause = BUS_CAUSE[b]
    dram_words = (step_words[SW_DRAM_PSUM_READ] + dram_scale[IFMAP] * step_words[SW_DRAM_IFMAP]
                  + dram_scale[FILTER] * step_words[SW_DRAM_FILTER]
                  + dram_scale[PSUM] * step_words[SW_DRAM_PSUM_WRITE])
    if dram_words > 0:
        start = max(clk[_K_DRAM_FREE], clk[_K_PREV_EPOCH] if s > 0 else 0.0)
        clk[_K_DRAM_FREE] = start + dram_words / dram_bw if dram_bw != np.inf else start
        _book_transfer(trace, TR_DRAM, dram_words, start, clk[_K_DRAM_FREE], bin_cycles, n_bins)
        ready = clk[_K_DRAM_FREE] - now
        if ready > wait:
            wait = np.ceil(ready)
            cause = CAUSE_DRAM
    if noc_kind != NOC_SYSTOLIC:
        for q in range(N_PSUM_QUEUES):
            words = step_words[SW_GON] if q == Q_GON else step_words[SW_PSUM_IN]
            width = bandwidths[BW_GON] if q == Q_GON else bandwidths[BW_PSUM_GIN]
            if words <= 0:
                continue
            if psum_free[q] - now > wait:
                wait = np.ceil(psum_free[q] - now)
                cause = CAUSE_NOC_PSUM
            busy = words / width if width != np.inf else 0.0
            if q == Q_GON and glb_bw != np.inf:
                busy = max(busy, step_words[SW_GLB_PSUM] / glb_bw)
            psum_free[q] = max(psum_free[q], now + wait) + busy
    if wait > 0:
        _advance(now, wait, cause, stats, trace, bin_cycles, n_bins)
        now += wait
    b = int(now // bin_cycles)
    if b < n_bins:
        trace[b, TR_MACS] += n_valid
        trace[b, TR_IFMAP_BUS] += step_words[SW_IFMAP_SENT] + step_words[SW_IFMAP_FILL]
        trace[b, TR_FILTER_BUS] += step_words[SW_FILTER_SENT] + step_words[SW_FILTER_FILL]
        trace[b, TR_PSUM_BUS] += step_words[SW_PSUM_IN] + step_words[SW_GON] + step_words[SW_LOCAL]
        trace[b, TR_GLB] += step_words[SW_GLB] + step_words[SW_GLB_PSUM]
    clk[_K_NOW] = now + 1.0
