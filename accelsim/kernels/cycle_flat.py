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
  member coordinates with the layer's bounds as radices; decoding is separable by axis and
  addresses are linear in the coordinates, so per-axis tables (``_axis_tables``, built once)
  give an iteration's address as one entry per axis, and no step divides. An iteration with any
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
* *Folds.* While the PEs' spatial part of the axes stays (a fold: every step of im2col's
  row/column folds), the valid PEs, the distinct parent words each RF-bypassing operand takes
  and the psum reduction groups are fixed (``_fold_plan``): a step reads each distinct word
  once (multicast counted by distinct words, not per PE), multiplies on every valid PE, and
  sends one summed psum per reduction group (counted as PE by PE: the group's first PE).
* *Timing* is :mod:`accelsim.kernels.cycle`'s (:func:`accelsim.kernels.step_timing.time_step`); steps
  with no valid iteration on any PE are skipped (their tile traffic joins the next step's).

Cost: per step, the distinct parent words, one multiply-add per valid PE and one arrival per
psum group; per fold, one table lookup per PE and spatial axis; per tile event, the tile's
enumeration box (an odometer: a table lookup per position; old tile too when sliding). Memory:
the tensors' sizes in GLB value, mark and stamp arrays (int64), ``2 × P ×`` the RF boxes, the
axis tables (the sum of the axes' extents, × 4 words).
"""

from __future__ import annotations

import numpy as np

from ..layout import (D_C, D_E, D_F, D_G, D_M, D_N, D_R, D_S, FILTER, HOPS, IFMAP, NOC, NOC_HMESH, NO_DIM, N_AXES,
                      N_BUSES, N_DIMS, N_GROUPS_MAX, N_PSUM_QUEUES, N_STEP_SLOTS, N_TILE_LEVELS, N_TYPES, PORTS, PSUM,
                      READS, RF, SW_LOCAL, TEMPORAL, TILE_GLB, TILE_RF, TRANSACTIONS, UPDATES, WIN_FORWARD,
                      WIN_GLB_HALO, WRITES)
from .cycle import RELEVANCE, _count_fill, _count_operand_reads, _count_psum_arrivals, _plan_clusters, _plan_pes, _wrap
from .jit import jit, jit_inline
from .odometer import nest_shape, temporal_part, tick
from .step_timing import N_CLOCK, drain, final_stats, port_maxima, time_step

#: the parent of a tile or a MAC operand: the GLB, or DRAM (the tensor itself)
_PAR_GLB, _PAR_DRAM = 0, 1


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


@jit
def _axis_tables(dims, factors, groups, bounds, coef):
    """Addresses and validity by axis index: decoding is separable by axis (a dimension's index
    is its coordinate; a group's index ``p`` decodes into its members with the layer's bounds as
    radices, ``n = p // (E·F)``, ``e = (p // F) % E``, ``f = p % F`` for ``(N, E, F)``) and
    addresses are linear in the coordinates, so an iteration's address is a sum of one table
    entry per axis and it is valid when every axis' entry is.

    Returns
    -------
    tab_off : int64[N_AXES]
        Where axis ``a``'s entries start; its indices run below the product of its loops' factors.
    tab_addr : int64[3, T]
        Per data type, the axis index's part of the word's address (``coef``: the linear form of
        the ifmap (g, n, c, h, w), filter (g, m, c, r, s) and psum (g, n, m, e, f) layouts).
    tab_ok : bool[T]
        Every coordinate the axis index decodes into is below its bound (a group's first member
        may pass it; the others are remainders). A dimension that is a group's member takes its
        coordinate from the group: its own axis counts for nothing.
    """
    ext = np.ones(N_AXES, dtype=np.int64)
    for j in range(dims.shape[0]):
        ext[dims[j]] *= factors[j]
    member = np.zeros(N_DIMS, dtype=np.int64)
    for g in range(N_GROUPS_MAX):
        for i in range(N_DIMS):
            if groups[g, i] == NO_DIM:
                break
            member[groups[g, i]] = 1
    tab_off = np.zeros(N_AXES, dtype=np.int64)
    total = 0
    for a in range(N_AXES):
        tab_off[a] = total
        total += ext[a]
    tab_addr = np.zeros((N_TYPES, total), dtype=np.int64)
    tab_ok = np.ones(total, dtype=np.bool_)
    for a in range(N_AXES):
        for i in range(ext[a]):
            k = tab_off[a] + i
            if a < N_DIMS:
                if member[a] == 0:
                    tab_ok[k] = i < bounds[a]
                    for t in range(N_TYPES):
                        tab_addr[t, k] = coef[t, a] * i
                continue
            g = a - N_DIMS
            if groups[g, 0] == NO_DIM:
                continue
            n_mem = 1
            while n_mem < N_DIMS and groups[g, n_mem] != NO_DIM:
                n_mem += 1
            rest = i
            for q in range(n_mem - 1, 0, -1):
                m = groups[g, q]
                for t in range(N_TYPES):
                    tab_addr[t, k] += coef[t, m] * (rest % bounds[m])
                rest //= bounds[m]
            m = groups[g, 0]
            tab_ok[k] = rest < bounds[m]
            for t in range(N_TYPES):
                tab_addr[t, k] += coef[t, m] * rest
    return tab_off, tab_addr, tab_ok


@jit_inline
def _lookup(t, ax, axes, n_axes, tab_off, tab_addr, tab_ok):
    """The address part of type ``t`` the axes ``axes[:n_axes]`` at indices ``ax`` give, and
    whether they are all valid (:func:`_axis_tables`)."""
    addr = 0
    ok = True
    for q in range(n_axes):
        a = axes[q]
        k = tab_off[a] + ax[a]
        addr += tab_addr[t, k]
        if not tab_ok[k]:
            ok = False
    return addr, ok


@jit
def _address_coefs(bounds, stride, height, width):
    """int64[3, 8]: word addresses as a linear form, address = sum over d of coef[t, d] · x[d]:
    ifmap (g, n, c, h, w), filters (g, m, c, r, s), psums (g, n, m, e, f)."""
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
def _axis_lists(dims, factors, kinds):
    """The axes some loop runs over (factor > 1), split: int64[N_AXES] the spatial ones (some
    spatial loop runs over them) and their count, then the others and their count; bool[N_AXES]
    spatial."""
    used = np.zeros(N_AXES, dtype=np.bool_)
    axis_sp = np.zeros(N_AXES, dtype=np.bool_)
    for j in range(dims.shape[0]):
        if factors[j] > 1:
            used[dims[j]] = True
        if kinds[j] != TEMPORAL:
            axis_sp[dims[j]] = True
    sp_axes = np.zeros(N_AXES, dtype=np.int64)
    sh_axes = np.zeros(N_AXES, dtype=np.int64)
    n_sp = 0
    n_sh = 0
    for a in range(N_AXES):
        if not used[a]:
            continue
        if axis_sp[a]:
            sp_axes[n_sp] = a
            n_sp += 1
        else:
            sh_axes[n_sh] = a
            n_sh += 1
    return sp_axes, n_sp, sh_axes, n_sh, axis_sp


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
    axstride, n_pe, total_steps, pass_pos, sweep_top = nest_shape(dims, factors, kinds, res, win)
    pe_ax, leader, noc_first, n_grp_noc, _, edge, grp_all = _plan_pes(dims, factors, kinds, reds, axstride, n_pe, rel,
                                                                      psum_free)
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
            box_j, box_n, box_stride, box_size, rel, grp_all)


@jit_inline
def _box_start(t, nb, bj, dims, base, ax, bidx, box_moved, bax, rest_ax, tab_off, tab_addr, tab_ok):
    """Set up the enumeration of a box over loops ``bj[:nb]`` on top of an instance's ``base``
    axis indices, for data type ``t``: ``ax`` = base (position 0), ``bidx[:nb]`` = 0, the axes
    the box moves in ``bax`` (``box_moved``, ``rest_ax``: scratch, bool and int64[N_AXES]).

    Returns
    -------
    n_bax : int
        Axes the box moves.
    rest_addr, rest_ok : int, bool
        The other axes' part of every position's address, and whether they are valid.
    """
    for a in range(N_AXES):
        ax[a] = base[a]
        box_moved[a] = False
    for i in range(nb):
        bidx[i] = 0
        box_moved[dims[bj[i]]] = True
    n_bax = 0
    n_rest = 0
    for a in range(N_AXES):
        if box_moved[a]:
            bax[n_bax] = a
            n_bax += 1
        else:
            rest_ax[n_rest] = a
            n_rest += 1
    rest_addr, rest_ok = _lookup(t, ax, rest_ax, n_rest, tab_off, tab_addr, tab_ok)
    return n_bax, rest_addr, rest_ok


@jit_inline
def _box_word(pos, t, nb, bj, factors, dims, axstride, bidx, ax, bax, n_bax, rest_addr, rest_ok, tab_off, tab_addr,
              tab_ok):
    """The address of the word of type ``t`` at position ``pos`` of the box :func:`_box_start`
    set up (positions in order: the odometer ``bidx``, innermost loop fastest, moves ``ax`` by
    one position when ``pos > 0``; no division), -1 if the iteration is masked."""
    if pos > 0:
        for i in range(nb - 1, -1, -1):
            j = bj[i]
            bidx[i] += 1
            ax[dims[j]] += axstride[j]
            if bidx[i] < factors[j]:
                break
            bidx[i] = 0
            ax[dims[j]] -= factors[j] * axstride[j]
    addr, ok = _lookup(t, ax, bax, n_bax, tab_off, tab_addr, tab_ok)
    if not (ok and rest_ok):
        return -1
    return rest_addr + addr


@jit
def _group_ids(grp_all):
    """Dense ids of the psum reduction groups (``grp_all``: each PE's group key, below P),
    numbered in the order of their first PE. Returns int64[P] each PE's group, int64[P] each
    group's first PE, and the number of groups."""
    n_pe = grp_all.shape[0]
    id_of_key = np.full(n_pe, -1, dtype=np.int64)
    pe_gid = np.zeros(n_pe, dtype=np.int64)
    first = np.zeros(n_pe, dtype=np.int64)
    n_groups = 0
    for pe in range(n_pe):
        key = grp_all[pe]
        if id_of_key[key] < 0:
            id_of_key[key] = n_groups
            first[n_groups] = pe
            n_groups += 1
        pe_gid[pe] = id_of_key[key]
    return pe_gid, first, n_groups


@jit_inline
def _fold_plan(pe_okp, pe_part, noc_first, res, pe_gid, grp_leader, n_groups, vpe, u_off, n_u, pe_u, u_mark, u_where,
               u_serial, pg_of, pg_off, pg_lead, pe_pg):
    """What stays fixed while the PEs' spatial part does (a fold): the valid PEs ``vpe`` (PE
    order); per RF-bypassing operand type, its distinct offsets ``u_off[t, :n_u[t]]`` among them
    and each valid PE's ``pe_u[t, pe]`` (``u_mark``/``u_where``: scratch by offset, serial
    ``u_serial``); without an RF psum tile, the reduction groups holding a valid PE, in the order
    of their first valid PE (the order their psums first reach the parent PE by PE): offsets
    ``pg_off``, whether the group's first PE is valid (``pg_lead``: its arrival is counted), each
    valid PE's ``pe_pg``. Returns (valid PEs, of which NoC reduction group leaders, u_serial,
    groups)."""
    n_pe = pe_okp.shape[0]
    n_vpe = 0
    n_first = 0
    for pe in range(n_pe):
        if pe_okp[pe]:
            vpe[n_vpe] = pe
            n_vpe += 1
            if noc_first[pe]:
                n_first += 1
    for t in range(2):
        n_u[t] = 0
        if res[TILE_RF, t] >= 0:
            continue
        u_serial += 1
        for k in range(n_vpe):
            pe = vpe[k]
            off = pe_part[t, pe]
            if u_mark[t, off] != u_serial:
                u_mark[t, off] = u_serial
                u_where[t, off] = n_u[t]
                u_off[t, n_u[t]] = off
                n_u[t] += 1
            pe_u[t, pe] = u_where[t, off]
    n_pg = 0
    if res[TILE_RF, PSUM] < 0:
        for g in range(n_groups):
            pg_of[g] = -1
        for k in range(n_vpe):
            pe = vpe[k]
            g = pe_gid[pe]
            if pg_of[g] < 0:
                pg_of[g] = n_pg
                pg_off[n_pg] = pe_part[PSUM, pe]
                pg_lead[n_pg] = pe_okp[grp_leader[g]]
                n_pg += 1
            pe_pg[pe] = pg_of[g]
    return n_vpe, n_first, u_serial, n_pg


# ==================================================================== psums arriving at a parent
@jit_inline
def _arrive(par, a, value, glb_p, ofmap, touched_glb, glb_list, n_list, r0, touched_dram, wrap):
    """A psum word (tensor address ``a``) arrives at the GLB (``_PAR_GLB``) or DRAM and is added
    there, wrapped. Returns whether a psum was there already (the caller counts the arrival as
    :func:`accelsim.kernels.cycle._psum_arrive` does: :func:`accelsim.kernels.cycle._count_psum_arrivals`)."""
    if par == _PAR_GLB:
        hit = touched_glb[a] == r0
        if hit:
            glb_p[a] = _wrap(glb_p[a] + value, wrap)
        else:
            touched_glb[a] = r0
            glb_p[a] = value
            glb_list[n_list[0]] = a
            n_list[0] += 1
        return hit
    ofmap[a] = _wrap(ofmap[a] + value, wrap)
    hit = touched_dram[a]
    touched_dram[a] = True
    return hit


# ==================================================================== the kernel
@jit
def run_flat(dims, factors, kinds, reds, res, groups, stride, window, bounds, height, width,
             ifmap, filt, ofmap, bandwidths, noc_kind, rf_prefetch, dram_scale, pass_overhead, bin_cycles,
             psum_bits, counts, usage, stats, pe_steps, trace, progress):
    """Execute a nest with flattened loops cycle by cycle (module docstring).

    Parameters are :func:`accelsim.kernels.cycle.run`'s, plus ``groups`` int64[N_GROUPS_MAX,
    N_DIMS] (:class:`accelsim.dataflows.lowering.NestArrays`); ``dims[j]`` may be ``N_DIMS + g``.
    Every loop below an RF tile start must be temporal, every spatial loop below each GLB tile
    start (the caller checks). Cluster loops (``CROW`` / ``CCOL``) count ``PORTS`` and ``HOPS``
    and time the ports per cluster as :func:`accelsim.kernels.cycle.run` does.
    """
    n = dims.shape[0]
    counts[:] = 0
    usage[:] = 0
    wrap = np.int64(64 - psum_bits)
    (axstride, pe_ax, leader, noc_first, n_grp_noc, edge, n_pe, total_steps, pass_pos, sweep_top, k_rel,
     box_j, box_n, box_stride, box_size, rel, grp_all) = _plan_flat(dims, factors, kinds, reds, res, groups, bounds)
    local_links = max(1, n_pe - n_grp_noc)
    coef = _address_coefs(bounds, stride, height, width)
    tab_off, tab_addr, tab_ok = _axis_tables(dims, factors, groups, bounds, coef)
    sp_axes, n_sp, sh_axes, n_sh, _ = _axis_lists(dims, factors, kinds)
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
    # per fold (the PEs' spatial part fixed): the valid PEs, the distinct parent words of each
    # RF-bypassing operand (u_*: offsets, each PE's, this step's values) and the psum reduction
    # groups with a valid PE (pg_*: offsets, first PE valid, this step's sums)
    vpe = np.zeros(n_pe, dtype=np.int64)
    n_vpe = 0
    n_vpe_first = 0
    valid_steps = 0  # steps since the last fold plan on which the valid PEs did a MAC (pe_steps)
    u_size = 1
    for t in range(2):
        if res[TILE_RF, t] < 0:
            u_size = max(u_size, size_i if t == IFMAP else size_f)
    u_off = np.zeros((2, n_pe), dtype=np.int64)
    n_u = np.zeros(2, dtype=np.int64)
    pe_u = np.zeros((2, n_pe), dtype=np.int64)
    u_val = np.zeros((2, n_pe), dtype=np.int64)
    u_mark = np.full((2, u_size), -1, dtype=np.int64)
    u_where = np.zeros((2, u_size), dtype=np.int64)
    u_serial = 0
    pe_gid, grp_leader, n_groups = _group_ids(grp_all)
    pg_of = np.zeros(max(n_groups, 1), dtype=np.int64)
    pg_off = np.zeros(n_pe, dtype=np.int64)
    pg_lead = np.zeros(n_pe, dtype=np.bool_)
    pe_pg = np.zeros(n_pe, dtype=np.int64)
    pg_sum = np.zeros(n_pe, dtype=np.int64)
    sh = np.zeros(N_TYPES, dtype=np.int64)
    # step state
    idx = np.zeros(n, dtype=np.int64)
    gt_ax = np.zeros(N_AXES, dtype=np.int64)
    ax = np.zeros(N_AXES, dtype=np.int64)
    base = np.zeros(N_AXES, dtype=np.int64)
    bidx = np.zeros(max(n, 1), dtype=np.int64)   # a tile box's odometer
    box_moved = np.zeros(N_AXES, dtype=np.bool_)
    bax = np.zeros(N_AXES, dtype=np.int64)        # the axes it moves
    rest_ax = np.zeros(N_AXES, dtype=np.int64)    # and the others
    step_words = np.zeros(N_STEP_SLOTS, dtype=np.float64)
    # clusters (hierarchical mesh, as in kernels/cycle.py): port stamps by tensor address (step ·
    # n_cl + cluster; forwarded ifmap words: the sweep, per cluster), words through each cluster's
    # ports this step, and per fold the valid in-cluster psum leaders per cluster and each psum
    # group's cluster
    _, _, psum_free = _axis_relevance(groups)
    pe_per_cl, n_cl, leader_c = _plan_clusters(dims, factors, kinds, reds, n_pe, psum_free)
    clustered = n_cl > 1
    forward = (window & WIN_FORWARD) != 0
    pst_i = np.full(size_i if clustered else 1, -1, dtype=np.int64)
    pst_f = np.full(size_f if clustered else 1, -1, dtype=np.int64)
    pst_fwd = np.full((n_cl if clustered and forward else 1, size_i if clustered and forward else 1), -1,
                      dtype=np.int64)
    cl_words = np.zeros((4, n_cl), dtype=np.int64)
    out_cl = np.zeros(n_cl, dtype=np.int64)       # valid PEs of each cluster whose psums leave it (MAC psums)
    pg_cl = np.zeros(n_pe, dtype=np.int64)        # the cluster of each psum group's first valid PE
    n_out = 0
    bus = np.zeros(N_BUSES, dtype=np.float64)
    clk = np.zeros(N_CLOCK, dtype=np.float64)
    psum_free = np.zeros(N_PSUM_QUEUES, dtype=np.float64)
    in_free = np.zeros(2, dtype=np.float64)
    rf_fill_start = np.zeros(2, dtype=np.float64)
    resid = np.zeros(N_TILE_LEVELS, dtype=np.int64)
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
        c = tick(idx, kinds, factors) if s > 0 and not last else -1
        temporal_part(idx, dims, kinds, axstride, gt_ax)
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
                hits = 0
                for i in range(nl):
                    a = flist[i]
                    if _arrive(par_p, a, facc[a], glb_p, ofmap, touched_glb, glb_list, n_list, resid[TILE_GLB],
                               touched_dram, wrap):
                        hits += 1
                if leader[pe]:
                    _count_psum_arrivals(par_p == _PAR_GLB, nl, hits, True, counts, step_words)
                    cl_words[3, pe // pe_per_cl] += hits
                if leader_c[pe]:
                    counts[NOC, PSUM, PORTS] += nl
                    counts[NOC, PSUM, HOPS] += nl
                    cl_words[2, pe // pe_per_cl] += nl
            counts[NOC, PSUM, READS] += moved
            step_words[SW_LOCAL] += moved
        if (s > 0 and res[TILE_GLB, PSUM] >= 0
                and (last or (k_rel[TILE_GLB, PSUM] >= 0 and c <= k_rel[TILE_GLB, PSUM]))):
            glb_event = True
            if n_list[0] > usage[TILE_GLB, PSUM]:
                usage[TILE_GLB, PSUM] = n_list[0]
            hits = 0
            for i in range(n_list[0]):
                a = glb_list[i]
                if _arrive(_PAR_DRAM, a, glb_p[a], glb_p, ofmap, touched_glb, glb_list, n_list, resid[TILE_GLB],
                           touched_dram, wrap):
                    hits += 1
            _count_psum_arrivals(False, n_list[0], hits, False, counts, step_words)
            n_list[0] = 0
        if last:
            if noc_kind == NOC_HMESH:
                port_maxima(step_words, cl_words, clustered)
            drain(step_words, clk, psum_free, bandwidths, noc_kind, pass_overhead, stats, trace, bin_cycles)
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
                    n_fill = 0
                    n_fresh = 0
                    mark = glb_mark_i if t == IFMAP else glb_mark_f
                    glb_t = glb_i if t == IFMAP else glb_f
                    src = ifmap if t == IFMAP else filt
                    stamp = st_dram_i if t == IFMAP else st_dram_f
                    n_bax, r_addr, r_ok = _box_start(t, nb, box_j[lv, t], dims, base, ax, bidx, box_moved, bax, rest_ax,
                                                     tab_off, tab_addr, tab_ok)
                    for pos in range(box_size[lv, t]):
                        a = _box_word(pos, t, nb, box_j[lv, t], factors, dims, axstride, bidx, ax, bax, n_bax, r_addr,
                                      r_ok, tab_off, tab_addr, tab_ok)
                        if a < 0:
                            continue
                        if mark[a] == ser:
                            continue
                        kept = slide and mark[a] == old_ser
                        mark[a] = ser
                        words += 1
                        if kept:
                            continue
                        glb_t[a] = src[a]
                        n_fill += 1
                        if stamp[a] != s:
                            stamp[a] = s
                            n_fresh += 1
                    _count_fill(TILE_GLB, t, 2, False, n_fill, n_fresh, counts, step_words)
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
                if par:  # the words come from the GLB tile, else from the DRAM tensor
                    src = glb_i if t == IFMAP else glb_f
                    stamp = st_glb_i if t == IFMAP else st_glb_f
                else:
                    src = ifmap if t == IFMAP else filt
                    stamp = st_dram_i if t == IFMAP else st_dram_f
                n_fill = 0
                n_fresh = 0
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
                        gt_ax[a2] = base[a2] + pe_ax[pe, a2]  # reused as this PE's base
                    words = 0
                    n_bax, r_addr, r_ok = _box_start(t, nb, box_j[lv, t], dims, gt_ax, ax, bidx, box_moved, bax,
                                                     rest_ax, tab_off, tab_addr, tab_ok)
                    for pos in range(box_size[lv, t]):
                        a = _box_word(pos, t, nb, box_j[lv, t], factors, dims, axstride, bidx, ax, bax, n_bax, r_addr,
                                      r_ok, tab_off, tab_addr, tab_ok)
                        rf_addr[t, new, pe, pos] = a
                        if a < 0:
                            continue
                        if mk[a] == serial:
                            rf_val[t, new, pe, pos] = rf_val[t, new, pe, where[a]]
                            continue
                        if mk[a] == old_ser:
                            v = rf_val[t, old, pe, where[a]]
                        else:
                            v = src[a]
                            n_fill += 1
                            if stamp[a] != s:
                                stamp[a] = s
                                n_fresh += 1
                            if clustered:
                                pst = pst_i if t == IFMAP else pst_f
                                key = s * n_cl + pe // pe_per_cl
                                if pst[a] != key:
                                    pst[a] = key
                                    counts[NOC, t, PORTS] += 1
                                    cl_words[t, pe // pe_per_cl] += 1
                        mk[a] = serial
                        where[a] = pos
                        rf_val[t, new, pe, pos] = v
                        words += 1
                    if words > usage[TILE_RF, t]:
                        usage[TILE_RF, t] = words
                _count_fill(TILE_RF, t, TILE_GLB if par else 2, True, n_fill, n_fresh, counts, step_words)
                temporal_part(idx, dims, kinds, axstride, gt_ax)  # restore the step's temporal axis indices
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
        # coordinates split: the axes no spatial loop runs over decode once for every PE; the
        # PEs' own part (their spatial axes) is decoded again only when its temporal part moves
        sp_moved = s == 0
        for q in range(n_sp):
            a2 = sp_axes[q]
            if gt_ax[a2] != prev_ax[a2]:
                sp_moved = True
                prev_ax[a2] = gt_ax[a2]
        if sp_moved:
            for k in range(n_vpe):
                pe_steps[vpe[k]] += valid_steps
            valid_steps = 0
            for pe in range(n_pe):
                for q in range(n_sp):
                    ax[sp_axes[q]] = gt_ax[sp_axes[q]] + pe_ax[pe, sp_axes[q]]
                ok = True
                for t in range(N_TYPES):
                    part, ok = _lookup(t, ax, sp_axes, n_sp, tab_off, tab_addr, tab_ok)
                    pe_part[t, pe] = part
                pe_okp[pe] = ok
            n_vpe, n_vpe_first, u_serial, n_pg = _fold_plan(pe_okp, pe_part, noc_first, res, pe_gid, grp_leader,
                                                            n_groups, vpe, u_off, n_u, pe_u, u_mark, u_where,
                                                            u_serial, pg_of, pg_off, pg_lead, pe_pg)
            n_out = 0
            if clustered and not psum_in_rf:
                out_cl[:] = 0
                for k in range(n_pg):
                    pg_cl[k] = -1
                for k in range(n_vpe):
                    pe = vpe[k]
                    if pg_cl[pe_pg[pe]] < 0:
                        pg_cl[pe_pg[pe]] = pe // pe_per_cl
                    if leader_c[pe]:
                        out_cl[pe // pe_per_cl] += 1
                        n_out += 1
        shared_ok = True
        for t in range(N_TYPES):
            part, shared_ok = _lookup(t, gt_ax, sh_axes, n_sh, tab_off, tab_addr, tab_ok)
            sh[t] = part
        n_valid = 0
        n_valid_first = 0
        if shared_ok:
            n_valid = n_vpe
            n_valid_first = n_vpe_first
            valid_steps += 1
        for t in range(2):
            if res[TILE_RF, t] >= 0:
                counts[RF, t, READS] += n_valid
                continue
            # an operand the RF bypasses: each distinct word the valid PEs take, once from its parent
            fresh = 0
            if n_valid > 0:
                par = par_i if t == IFMAP else par_f
                src = (glb_i if t == IFMAP else glb_f) if par == _PAR_GLB else (ifmap if t == IFMAP else filt)
                if par == _PAR_GLB:
                    stamp = st_glb_i if t == IFMAP else st_glb_f
                else:
                    stamp = st_dram_i if t == IFMAP else st_dram_f
                ser = fwd_serial if t == IFMAP else s
                for k in range(n_u[t]):
                    a = sh[t] + u_off[t, k]
                    u_val[t, k] = src[a]
                    if stamp[a] != ser:
                        stamp[a] = ser
                        fresh += 1
                if clustered:
                    # each cluster's distinct words (PEs in order: clusters one after another)
                    pst = pst_i if t == IFMAP else pst_f
                    for k in range(n_vpe):
                        pe = vpe[k]
                        cl = pe // pe_per_cl
                        a = sh[t] + u_off[t, pe_u[t, pe]]
                        if t == IFMAP and forward:
                            if pst_fwd[cl, a] != fwd_serial:
                                pst_fwd[cl, a] = fwd_serial
                                counts[NOC, t, PORTS] += 1
                                cl_words[t, cl] += 1
                        elif pst[a] != s * n_cl + cl:
                            pst[a] = s * n_cl + cl
                            counts[NOC, t, PORTS] += 1
                            cl_words[t, cl] += 1
            _count_operand_reads(t, (par_i if t == IFMAP else par_f) == _PAR_GLB, n_valid, fresh, counts, step_words)
        if n_valid > 0:
            # the MACs: a valid PE's operands from its RF or the step's distinct parent words
            for k in range(n_vpe):
                pe = vpe[k]
                vi = rf_val[IFMAP, bi, pe, pos_i] if rf_i else u_val[IFMAP, pe_u[IFMAP, pe]]
                vf = rf_val[FILTER, bf, pe, pos_f] if rf_f else u_val[FILTER, pe_u[FILTER, pe]]
                product = vi * vf
                if psum_in_rf:
                    if rf_touch[pe, pos_p] != r1:
                        rf_touch[pe, pos_p] = r1
                        rf_paddr[pe, pos_p] = sh[PSUM] + pe_part[PSUM, pe]
                        rf_p[pe, pos_p] = _wrap(product, wrap)
                    else:
                        rf_p[pe, pos_p] = _wrap(rf_p[pe, pos_p] + product, wrap)
                    rf_upd[pe] += 1
                else:
                    pg_sum[pe_pg[pe]] += product
            if not psum_in_rf:
                # psums leave summed per reduction group (wrapping is modular: the same sum), one
                # arrival a group, counted when its first PE is valid (as it would be PE by PE)
                n_arr = 0
                hits = 0
                for k in range(n_pg):
                    hit = _arrive(par_p, sh[PSUM] + pg_off[k], pg_sum[k], glb_p, ofmap, touched_glb, glb_list, n_list,
                                  resid[TILE_GLB], touched_dram, wrap)
                    pg_sum[k] = 0
                    if pg_lead[k]:
                        n_arr += 1
                        if hit:
                            hits += 1
                            if clustered:
                                cl_words[3, pg_cl[k]] += 1
                _count_psum_arrivals(par_p == _PAR_GLB, n_arr, hits, True, counts, step_words)
                # the psums leaving the clusters (merged inside each only): without clusters the arrivals
                leaving = n_out if clustered else n_arr
                counts[NOC, PSUM, PORTS] += leaving
                counts[NOC, PSUM, HOPS] += leaving
                if clustered:
                    for cl in range(n_cl):
                        cl_words[2, cl] += out_cl[cl]
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
        if noc_kind == NOC_HMESH:
            port_maxima(step_words, cl_words, clustered)
        elif clustered:
            cl_words[:] = 0
        time_step(s, new_pass, glb_event, n_valid, step_words, bus, clk, psum_free, in_free, rf_fill_start,
                  bandwidths, edge, local_links, noc_kind, rf_prefetch, dram_scale, pass_overhead, stats, trace,
                  bin_cycles)
        glb_event = False
        step_words[:] = 0.0
    for k in range(n_vpe):
        pe_steps[vpe[k]] += valid_steps
    final_stats(clk, executed, passes, pe_steps, stats)
    # inputs: without cluster loops one cluster (every word through the NoC crosses its ports
    # once); a word sent to k clusters crosses k - 1 mesh links
    for t in range(2):
        if not clustered:
            counts[NOC, t, PORTS] = counts[NOC, t, TRANSACTIONS]
        counts[NOC, t, HOPS] = counts[NOC, t, PORTS] - counts[NOC, t, TRANSACTIONS]
