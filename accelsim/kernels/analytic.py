"""Closed-form access counts of a lowered loop nest (the analytic engine).

Array conventions (shared with :mod:`accelsim.dataflows.lowering`; the indices are
:mod:`accelsim.layout`'s):

* dimensions ``D_G..D_S`` = G N M C E F R S; data types ``IFMAP, FILTER, PSUM``;
* ``dims, factors, kinds, reds`` : int64[L], one entry per loop, outermost first; a loop over
  a flattened group ``g`` has ``dims = N_DIMS + g``, its members in ``groups[g]``
  (int64[N_GROUPS_MAX, N_DIMS], :func:`count_accesses_flat`);
  ``kinds`` ``TEMPORAL``, ``ROW``, ``COL``, ``CROW``, ``CCOL``; ``reds`` ``RED_NONE``, ``RED_NOC``, ``RED_TREE``;
* ``res`` : int64[N_TILE_LEVELS, N_TYPES], tile start at ``TILE_GLB`` and ``TILE_RF`` per data
  type, ``BYPASS`` (-1) = none;
* ``counts`` : int64[N_LEVELS, N_TYPES, N_COUNT_STATS], (DRAM, GLB, NoC, RF) × data type ×
  (reads, writes, updates, transactions, ports, hops); for the NoC, "reads" are words delivered
  into PEs, "ports" and "hops" a hierarchical mesh's words through the clusters' router ports
  and over its mesh links (``kinds`` ``CROW`` / ``CCOL``: cluster loops, above every ``ROW`` /
  ``COL`` loop; without them one cluster: ports = transactions, no hops).

Accounting follows Chen, Emer, Sze, ISCA 2016, Eq. (3)-(4): an input word moved between two
levels is charged once, as a read of the outer one; the innermost holder is read once per MAC;
a psum resident at a level for ``x`` updates costs ``x - 1`` reads and ``x - 1`` writes there;
DRAM receives every final or spilled psum as a write and returns spilled psums as reads.
Nests with flattened loops are counted by an enumerating path over *axes* (dimensions and
groups, :func:`count_accesses_flat`). Besides the counts: the energy they cost (:func:`energy_of`), the compute steps
(:func:`compute_steps`, :func:`compute_steps_padded`), the roofline cycles
(:func:`roofline_cycles`) and the words of one tile (:func:`tile_words`). The mapper's search
over nests is :mod:`accelsim.kernels.search`.
"""

from __future__ import annotations

import numpy as np

from ..layout import (
    C_FOLD_OVERLAP, C_HMESH, C_MAC, C_RATE0, C_SYSTOLIC, CCOL, COL, CROW, D_C, D_E, D_F, D_G, D_M, D_N, D_R, D_S,
    DRAM, FILTER, GLB, HOPS, IFMAP, N_AXES, N_DIMS, N_GROUPS_MAX, N_LEVELS, N_TYPES, NO_DIM, NOC, PORTS, PSUM,
    RATE_DRAM, RATE_FILTER, RATE_GLB, RATE_GON, RATE_IFMAP, RATE_PSUM, READS, RED_NOC, RED_TREE, RF, ROW, TEMPORAL,
    TILE_GLB, TILE_RF, TM_FOLD_CYCLES, TM_LINKS0, TRANSACTIONS, UPDATES, WRITES, charged_energy)
from ..layout import RELEVANCE as _RELEVANCE_ROWS
from .jit import jit, jit_inline

#: RELEVANCE[t, d]: does data type t depend on dimension d (layout.RELEVANCE as int64[3, 8])
RELEVANCE = np.array(_RELEVANCE_ROWS, dtype=np.int64)
_NO_BOUNDS = np.zeros(0, dtype=np.int64)  # count_accesses: perfect factorisation, closed form
_charged_energy = jit(charged_energy)


@jit
def _window(e, r, stride):
    # rows of ifmap touched by e output rows and r filter rows
    a = (e - 1) * stride + r
    b = e * r
    return a if a < b else b


@jit
def _proj(t, x, stride):
    """Words of data type ``t`` spanned by per-dimension extents ``x``."""
    if t == IFMAP:
        return x[D_G] * x[D_N] * x[D_C] * _window(x[D_E], x[D_R], stride) * _window(x[D_F], x[D_S], stride)
    if t == FILTER:
        return x[D_G] * x[D_M] * x[D_C] * x[D_R] * x[D_S]
    return x[D_G] * x[D_N] * x[D_M] * x[D_E] * x[D_F]


@jit
def _index_set(dims, factors, member, d):
    """(size, contiguous) of the index set of dimension ``d`` spanned by loops with ``member``.

    Loop ``j``'s index counts in steps of the product of the factors of every loop over ``d``
    below it, so the set is a contiguous range unless a non-member loop over ``d`` sits below
    a member loop.
    """
    size = 1
    contiguous = True
    gap = False
    for j in range(dims.shape[0] - 1, -1, -1):
        if dims[j] != d or factors[j] == 1:
            continue
        if member[j] == 1:
            size *= factors[j]
            if gap:
                contiguous = False
        else:
            gap = True
    return size, contiguous


@jit
def _index_values(dims, factors, member, d):
    """Every value of the index set of ``d`` spanned by the ``member`` loops (int64 array)."""
    size, _ = _index_set(dims, factors, member, d)
    out = np.zeros(size, dtype=np.int64)
    m = 1
    step = 1
    for j in range(dims.shape[0] - 1, -1, -1):
        if dims[j] != d or factors[j] == 1:
            continue
        if member[j] == 1:
            for i in range(1, factors[j]):
                for v in range(m):
                    out[i * m + v] = out[v] + i * step
            m *= factors[j]
        step *= factors[j]
    return out


@jit
def _positions(dims, factors, member, d_out, d_flt, stride):
    """Sorted-free array of ifmap positions ``e·U + r`` over the ``member`` loops (may repeat)."""
    ie = _index_values(dims, factors, member, d_out)
    ir = _index_values(dims, factors, member, d_flt)
    out = np.empty(ie.shape[0] * ir.shape[0], dtype=np.int64)
    k = 0
    for a in range(ie.shape[0]):
        for b in range(ir.shape[0]):
            out[k] = ie[a] * stride + ir[b]
            k += 1
    return out


@jit
def _count_distinct(pos):
    if pos.shape[0] == 0:
        return 0
    top = pos.max() + 1
    seen = np.zeros(top, dtype=np.bool_)
    for v in pos:
        seen[v] = True
    return int(seen.sum())


@jit
def _axis_union(dims, factors, member, d_out, d_flt, stride):
    """Distinct ifmap rows (or columns) touched by the ``member`` loops along one axis."""
    se, ce = _index_set(dims, factors, member, d_out)
    sr, cr = _index_set(dims, factors, member, d_flt)
    if ce and cr:
        return _window(se, sr, stride)
    return _count_distinct(_positions(dims, factors, member, d_out, d_flt, stride))


@jit
def _axis_slide(dims, factors, tile, offs, k, d_out, d_flt, stride):
    """New positions per step when every PE's tile (``tile`` loops) shifts along loop ``k``:
    the union over PE offsets (``offs`` loops) of the positions each PE lacks."""
    step = 1
    for j in range(k + 1, dims.shape[0]):
        if dims[j] == dims[k]:
            step *= factors[j]
    shift = step * (stride if dims[k] == d_out else 1)
    xe, _ = _index_set(dims, factors, tile, d_out)
    xr, _ = _index_set(dims, factors, tile, d_flt)
    width = (xe - 1) * stride + xr
    has_offs = False
    for j in range(dims.shape[0]):
        if offs[j] == 1 and factors[j] > 1 and (dims[j] == d_out or dims[j] == d_flt):
            has_offs = True
    if not has_offs and (xe == 1 or xr >= stride):
        return shift if shift < width else width
    t_pos = _positions(dims, factors, tile, d_out, d_flt, stride)
    top = width + shift
    in_t = np.zeros(top, dtype=np.bool_)
    for v in t_pos:
        in_t[v] = True
    new = np.zeros(top, dtype=np.bool_)
    for v in t_pos:
        if not in_t[v + shift]:
            new[v + shift] = True
    o_pos = _positions(dims, factors, offs, d_out, d_flt, stride)
    seen = np.zeros(o_pos.max() + top, dtype=np.bool_)
    for o in o_pos:
        for v in range(top):
            if new[v]:
                seen[o + v] = True
    return int(seen.sum())


@jit
def _ifmap_moves(dims, factors, kinds, p, q, reuse, stride):
    """:func:`_moves` for the ifmap, exact for sliding windows, strides and spatial splits."""
    n = dims.shape[0]
    member = np.zeros(n, dtype=np.int64)   # loops whose union one delivery covers
    tile = np.zeros(n, dtype=np.int64)     # loops of one instance's tile
    offs = np.zeros(n, dtype=np.int64)     # spatial loops merged by multicast
    repl = 1
    for j in range(n):
        if j >= p:
            member[j] = 1
            tile[j] = 1
        elif kinds[j] != TEMPORAL:
            if j < q:
                repl *= factors[j]
            else:
                member[j] = 1
                offs[j] = 1
    outer = 1
    k = -1
    if reuse == 2:
        # forwarding across the array: the innermost run of window loops is read once
        for j in range(p - 1, -1, -1):
            if kinds[j] != TEMPORAL or factors[j] == 1:
                continue
            if dims[j] >= D_E:
                member[j] = 1
            else:
                for i in range(j + 1):
                    if kinds[i] == TEMPORAL:
                        outer *= factors[i]
                break
    elif reuse == 0:
        for j in range(p):
            if kinds[j] == TEMPORAL:
                outer *= factors[j]
    else:
        for j in range(p - 1, -1, -1):
            if kinds[j] == TEMPORAL and factors[j] > 1 and RELEVANCE[IFMAP, dims[j]] == 1:
                k = j
                break
        if k >= 0:
            for j in range(k):
                if kinds[j] == TEMPORAL:
                    outer *= factors[j]
    plain = 1  # G, N, C extents
    for j in range(n):
        if member[j] == 1 and (dims[j] == D_G or dims[j] == D_N or dims[j] == D_C):
            plain *= factors[j]
    rows = _axis_union(dims, factors, member, D_E, D_R, stride)
    cols = _axis_union(dims, factors, member, D_F, D_S, stride)
    if k < 0:
        return outer * plain * rows * cols * repl
    d = dims[k]
    f = factors[k]
    if d < D_E or reuse == 3:
        return outer * f * plain * rows * cols * repl
    if d == D_E or d == D_R:
        rows = rows + (f - 1) * _axis_slide(dims, factors, tile, offs, k, D_E, D_R, stride)
    else:
        cols = cols + (f - 1) * _axis_slide(dims, factors, tile, offs, k, D_F, D_S, stride)
    return outer * plain * rows * cols * repl


@jit
def _moves(t, dims, factors, kinds, reds, p, q, reuse, merge_tree, stride, rel):
    """Words of type ``t`` delivered to the holder whose tile starts at loop ``p``.

    Spatial loops in ``[q, p)`` are merged (multicast for inputs, reduction for psums), so
    ``q < p`` counts what the parent sends; ``q == p`` counts what all instances receive.
    ``reuse`` 1 lets innermost irrelevant loops reuse the held tile and a sliding window reuse
    the ifmap overlap of the innermost relevant loop; 3 is 1 without the sliding window; 2
    keeps only the sliding windows of the innermost run of window loops (E, F, R, S: ifmap
    forwarded across an array, no storage); 0 moves the tile again at every temporal step.
    """
    if t == IFMAP:
        return _ifmap_moves(dims, factors, kinds, p, q, reuse, stride)
    n = dims.shape[0]
    x = np.ones(N_DIMS, dtype=np.int64)
    for j in range(p, n):
        x[dims[j]] *= factors[j]
    repl = 1
    for j in range(p):
        if kinds[j] == TEMPORAL:
            continue
        d = dims[j]
        if j < q:
            repl *= factors[j]
        elif rel[t, d] == 1:
            x[d] *= factors[j]
        elif t == PSUM:
            if not (reds[j] == RED_NOC or (reds[j] == RED_TREE and merge_tree)):
                repl *= factors[j]
    outer = 1
    if reuse == 1 or reuse == 3:
        # filters and psums never overlap along a loop: only stationarity applies
        k = -1
        for j in range(p - 1, -1, -1):
            if kinds[j] == TEMPORAL and factors[j] > 1 and rel[t, dims[j]] == 1:
                k = j
                break
        for j in range(k + 1):
            if kinds[j] == TEMPORAL:
                outer *= factors[j]
        return outer * _proj(t, x, stride) * repl
    for j in range(p):
        if kinds[j] == TEMPORAL:
            outer *= factors[j]
    return outer * _proj(t, x, stride) * repl


# loop roles in a padded count (see _moves_padded)
FREE, FIX, TILE, OFFS, SLIDE = 0, 1, 2, 3, 4


@jit
def _roles(t, dims, factors, kinds, reds, p, q, reuse, merge_tree, rel):
    """Role of every loop for the words of ``t`` delivered to the holder at ``p`` (as
    :func:`_moves`): ``FIX`` loops (the steps at which a tile is delivered, and instances
    counted separately) enumerate deliveries; ``TILE`` and ``OFFS`` loops (PEs merged by
    multicast or reduction) span the words of one delivery; ``FREE`` loops do neither.
    Returns the roles and the sliding loop (-1 = none)."""
    n = dims.shape[0]
    role = np.zeros(n, dtype=np.int64)
    slide = -1
    k = -1
    if reuse == 1 or reuse == 3:
        for j in range(p - 1, -1, -1):
            if kinds[j] == TEMPORAL and factors[j] > 1 and rel[t, dims[j]] == 1:
                k = j
                break
    if reuse == 2 and t != IFMAP:
        reuse = 0  # only the ifmap is forwarded across the array
    kk = -1  # forwarding: the innermost non-window temporal loop
    if reuse == 2:
        for j in range(p - 1, -1, -1):
            if kinds[j] == TEMPORAL and factors[j] > 1 and dims[j] < D_E:
                kk = j
                break
    for j in range(n):
        d = dims[j]
        if j >= p:
            role[j] = TILE
        elif kinds[j] != TEMPORAL:
            if j < q:
                role[j] = FIX
            elif t == IFMAP:
                role[j] = OFFS
            elif rel[t, d] == 1:
                role[j] = OFFS
            elif t == PSUM and not (reds[j] == RED_NOC or (reds[j] == RED_TREE and merge_tree)):
                role[j] = FIX
            else:
                role[j] = FREE
        elif reuse == 0:
            role[j] = FIX
        elif reuse == 2:
            role[j] = FIX if j <= kk else TILE
        else:
            role[j] = FIX if j <= k else FREE
    if t == IFMAP and reuse == 1 and k >= 0 and dims[k] >= D_E:
        slide = k
        role[k] = SLIDE
    return role, slide


@jit
def _values(dims, factors, role, want, d):
    """Coordinate offsets along ``d`` of every index tuple of the loops whose role is in
    ``want`` (a bit mask over roles); the other loops over ``d`` contribute 0."""
    member = np.zeros(dims.shape[0], dtype=np.int64)
    for j in range(dims.shape[0]):
        if (want >> role[j]) & 1:
            member[j] = 1
    return _index_values(dims, factors, member, d)


@jit
def _masked_count(fix, span, bound):
    """Sum over ``fix`` of the number of ``span`` values ``v`` with ``fix + v < bound``."""
    total = 0
    for a in fix:
        for v in span:
            if a + v < bound:
                total += 1
    return total


@jit
def _window_words(dims, factors, role, slide, d_out, d_flt, stride, bound_out, bound_flt):
    """Ifmap rows (or columns) of one window axis summed over deliveries, with masking.

    For every tuple of the ``FIX`` loops over ``d_out``/``d_flt`` (and, when ``slide`` is a
    loop over one of them, every step along it), the union over the ``OFFS`` PEs of the valid
    positions ``e·U + r`` of each PE's ``TILE`` that the PE did not hold at the previous step."""
    fix_o = _values(dims, factors, role, 1 << FIX, d_out)
    fix_f = _values(dims, factors, role, 1 << FIX, d_flt)
    tile_o = _values(dims, factors, role, 1 << TILE, d_out)
    tile_f = _values(dims, factors, role, 1 << TILE, d_flt)
    offs_o = _values(dims, factors, role, 1 << OFFS, d_out)
    offs_f = _values(dims, factors, role, 1 << OFFS, d_flt)
    top = (bound_out - 1) * stride + bound_flt + 1
    seen = np.zeros(top, dtype=np.int64)
    held = np.zeros(top, dtype=np.int64)
    stamp = 0
    pstamp = 0
    total = 0
    steps = 1
    shift_o = 0
    shift_f = 0
    if slide >= 0:
        steps = factors[slide]
        g = 1
        for j in range(slide + 1, dims.shape[0]):
            if dims[j] == dims[slide]:
                g *= factors[j]
        if dims[slide] == d_out:
            shift_o = g
        else:
            shift_f = g
    for a in fix_o:
        for b in fix_f:
            for i in range(steps):
                stamp += 1
                for oo in offs_o:
                    for of in offs_f:
                        pstamp += 1
                        if i > 0:  # what this PE held at the previous step
                            for te in tile_o:
                                e = a + (i - 1) * shift_o + oo + te
                                if e >= bound_out:
                                    continue
                                for tr in tile_f:
                                    r = b + (i - 1) * shift_f + of + tr
                                    if r < bound_flt:
                                        held[e * stride + r] = pstamp
                        for te in tile_o:
                            e = a + i * shift_o + oo + te
                            if e >= bound_out:
                                continue
                            for tr in tile_f:
                                r = b + i * shift_f + of + tr
                                if r >= bound_flt:
                                    continue
                                h = e * stride + r
                                if held[h] != pstamp and seen[h] != stamp:
                                    seen[h] = stamp
                                    total += 1
    return total


@jit
def _moves_padded(t, dims, factors, kinds, reds, p, q, reuse, merge_tree, stride, rel, bounds):
    """:func:`_moves` with masked iterations (imperfect factorisation).

    Words delivered = sum over deliveries (index tuples of the ``FIX`` loops) of the valid
    words one delivery spans. The sum factorises over dimensions, because a tile's words and
    validity along one dimension depend only on that dimension's loops: along a dimension the
    type depends on, the number of valid coordinates spanned; along another, whether any
    coordinate is valid (a PE or step with no valid iteration receives nothing); for the
    ifmap, rows ``e·U + r`` (and columns) per window axis, sliding windows included.
    """
    role, slide = _roles(t, dims, factors, kinds, reds, p, q, reuse, merge_tree, rel)
    total = 1
    for d in range(N_DIMS):
        if t == IFMAP and d >= D_E:
            continue
        fix = _values(dims, factors, role, 1 << FIX, d)
        if rel[t, d] == 1:
            span = _values(dims, factors, role, (1 << TILE) | (1 << OFFS), d)
        else:
            span = np.zeros(1, dtype=np.int64)  # only whether any coordinate is valid
        total *= _masked_count(fix, span, bounds[d])
        if total == 0:
            return 0
    if t == IFMAP:
        on_rows = slide >= 0 and (dims[slide] == D_E or dims[slide] == D_R)
        on_cols = slide >= 0 and (dims[slide] == D_F or dims[slide] == D_S)
        total *= _window_words(dims, factors, role, slide if on_rows else -1, D_E, D_R, stride,
                               bounds[D_E], bounds[D_R])
        total *= _window_words(dims, factors, role, slide if on_cols else -1, D_F, D_S, stride,
                               bounds[D_F], bounds[D_S])
    return total


# ----------------------------------------------------------------------------- flattened loops
# rows of the axis table ``info`` (int64[N_INFO, N_AXES], :func:`axis_info`): an axis is a
# dimension no group holds (0..N_DIMS-1) or a flattened group (N_DIMS + g)
I_EXT, I_LIVE, I_WIN, I_HAS_WIN, I_PADDED = 0, 1, 2, 3, 4
I_REL_ANY = 5  # + data type: does the type depend on some member
I_REL_ALL = I_REL_ANY + N_TYPES  # + data type: on every member
N_INFO = I_REL_ALL + N_TYPES


@jit
def axis_info(dims, factors, groups, bounds):
    """The axis table of a nest with flattened loops.

    Parameters
    ----------
    dims, factors : ndarray
        int64[L], the nest (``dims[j]`` an axis: a dimension, or ``N_DIMS + g``).
    groups : ndarray
        int64[N_GROUPS_MAX, N_DIMS], members of each group outer first, ``NO_DIM``-padded.
    bounds : ndarray
        int64[N_DIMS], the layer's loop bounds.

    Returns
    -------
    ndarray
        int64[N_INFO, N_AXES]: per axis its extent (``I_EXT``: the bound, or the product of the
        members' bounds), whether it is live (``I_LIVE``: an ungrouped dimension or a used
        group; a grouped dimension is not), whether all (``I_WIN``) or some (``I_HAS_WIN``) of
        its members are window dimensions E, F, R, S, its padded extent (``I_PADDED``: the
        product of its loops' factors), and per data type whether the type depends on some
        (``I_REL_ANY + t``) or every (``I_REL_ALL + t``) member.
    """
    info = np.zeros((N_INFO, N_AXES), dtype=np.int64)
    for a in range(N_AXES):
        info[I_PADDED, a] = 1
        if a < N_DIMS:
            info[I_EXT, a] = bounds[a]
            info[I_LIVE, a] = 1
            w = 1 if a >= D_E else 0
            info[I_WIN, a] = w
            info[I_HAS_WIN, a] = w
            for t in range(N_TYPES):
                info[I_REL_ANY + t, a] = RELEVANCE[t, a]
                info[I_REL_ALL + t, a] = RELEVANCE[t, a]
            continue
        g = a - N_DIMS
        if groups[g, 0] == NO_DIM:
            continue
        info[I_LIVE, a] = 1
        info[I_EXT, a] = 1
        info[I_WIN, a] = 1
        for t in range(N_TYPES):
            info[I_REL_ALL + t, a] = 1
        for i in range(N_DIMS):
            d = groups[g, i]
            if d == NO_DIM:
                break
            info[I_LIVE, d] = 0
            info[I_EXT, a] *= bounds[d]
            if d >= D_E:
                info[I_HAS_WIN, a] = 1
            else:
                info[I_WIN, a] = 0
            for t in range(N_TYPES):
                if RELEVANCE[t, d] == 1:
                    info[I_REL_ANY + t, a] = 1
                else:
                    info[I_REL_ALL + t, a] = 0
    for j in range(dims.shape[0]):
        info[I_PADDED, dims[j]] *= factors[j]
    return info


@jit
def _roles_flat(t, dims, factors, kinds, reds, p, q, reuse, merge_tree, info):
    """:func:`_roles` over axes: a group loop is relevant to ``t`` when some member is, a
    window loop (forwarding) when every member is a window dimension; an input tile slides
    along the innermost relevant loop (keeping the words it already holds) when some member
    of its axis is a window dimension (ifmap) or the type depends on only some members (a
    step may move only the others), except the ifmap without GLB halo reuse (``reuse`` 3)."""
    n = dims.shape[0]
    role = np.zeros(n, dtype=np.int64)
    slide = -1
    k = -1
    if reuse == 1 or reuse == 3:
        for j in range(p - 1, -1, -1):
            if kinds[j] == TEMPORAL and factors[j] > 1 and info[I_REL_ANY + t, dims[j]] == 1:
                k = j
                break
    if reuse == 2 and t != IFMAP:
        reuse = 0
    kk = -1
    if reuse == 2:
        for j in range(p - 1, -1, -1):
            if kinds[j] == TEMPORAL and factors[j] > 1 and info[I_WIN, dims[j]] == 0:
                kk = j
                break
    for j in range(n):
        a = dims[j]
        if j >= p:
            role[j] = TILE
        elif kinds[j] != TEMPORAL:
            if j < q:
                role[j] = FIX
            elif t == IFMAP or info[I_REL_ALL + t, a] == 1:
                role[j] = OFFS
            elif info[I_REL_ANY + t, a] == 1:
                # psums of PEs along a group they depend on in part are not reduced, and may be
                # the same words: each PE's count separately (inputs: one multicast union)
                role[j] = FIX if t == PSUM else OFFS
            elif t == PSUM and not (reds[j] == RED_NOC or (reds[j] == RED_TREE and merge_tree)):
                role[j] = FIX
            else:
                role[j] = FREE
        elif reuse == 0:
            role[j] = FIX
        elif reuse == 2:
            role[j] = FIX if j <= kk else TILE
        else:
            role[j] = FIX if j <= k else FREE
    if k >= 0 and t != PSUM and (reuse == 1 or t != IFMAP):
        a = dims[k]
        # an input tile overlaps its predecessor along a window axis (ifmap) or along a group
        # the type depends on only in part (a step that moves only the other members)
        if (t == IFMAP and info[I_HAS_WIN, a] == 1) or info[I_REL_ALL + t, a] == 0:
            slide = k
            role[k] = SLIDE
    return role, slide


@jit
def _word_coefs(t, groups, bounds, stride, comp, root, axis_of):
    """Per dimension, its coefficient in the key of a word of ``t`` restricted to the
    dimensions of component ``root`` (mixed radix over the word's coordinates: ifmap
    ``(g, n, c, e·U + r, f·U + s)``, filter ``(g, m, c, r, s)``, psum ``(g, n, m, e, f)``), and
    the number of keys. Coordinates whose dimensions lie outside the component are left out."""
    coef = np.zeros(N_DIMS, dtype=np.int64)
    # the word's coordinates, innermost first: (source dims, radix); a second source of -1 = none
    if t == IFMAP:
        src0 = (D_F, D_E, D_C, D_N, D_G)
        src1 = (D_S, D_R, -1, -1, -1)
        radix = ((bounds[D_F] - 1) * stride + bounds[D_S], (bounds[D_E] - 1) * stride + bounds[D_R],
                 bounds[D_C], bounds[D_N], bounds[D_G])
    elif t == FILTER:
        src0 = (D_S, D_R, D_C, D_M, D_G)
        src1 = (-1, -1, -1, -1, -1)
        radix = (bounds[D_S], bounds[D_R], bounds[D_C], bounds[D_M], bounds[D_G])
    else:
        src0 = (D_F, D_E, D_M, D_N, D_G)
        src1 = (-1, -1, -1, -1, -1)
        radix = (bounds[D_F], bounds[D_E], bounds[D_M], bounds[D_N], bounds[D_G])
    scale = 1
    for i in range(5):
        d0 = src0[i]
        d1 = src1[i]
        if comp[axis_of[d0]] != root:
            continue
        if d1 >= 0:  # a window coordinate h = e·U + r
            coef[d0] = scale * stride
            coef[d1] = scale
        else:
            coef[d0] = scale
        scale *= radix[i]
    return coef, scale


@jit
def _role_table(dims, factors, role, want, axes, k):
    """Every tuple, over the ``k`` axes ``axes[:k]``, of the index offsets the loops whose role
    is in ``want`` contribute (int64[tuples, k]; loops of other roles contribute 0)."""
    lens = np.ones(k, dtype=np.int64)
    total = 1
    for x in range(k):
        size, _ = _index_set_roles(dims, factors, role, want, axes[x])
        lens[x] = size
        total *= size
    out = np.zeros((total, k), dtype=np.int64)
    rep = total
    for x in range(k):
        vals = _values(dims, factors, role, want, axes[x])
        rep //= lens[x]
        for i in range(total):
            out[i, x] = vals[(i // rep) % lens[x]]
    return out


@jit
def _index_set_roles(dims, factors, role, want, a):
    """:func:`_index_set` of axis ``a`` over the loops whose role is in ``want``."""
    member = np.zeros(dims.shape[0], dtype=np.int64)
    for j in range(dims.shape[0]):
        if (want >> role[j]) & 1:
            member[j] = 1
    return _index_set(dims, factors, member, a)


@jit
def _contrib(axes, k, info, groups, coef):
    """int64[k, max padded extent]: the key contribution of every index value of each axis
    (its members' coordinates, decoded mixed-radix with the layer's bounds as radices, outer
    member most significant, times their coefficients); values at or past the axis's extent
    are never read."""
    top = 1
    for x in range(k):
        top = max(top, info[I_PADDED, axes[x]])
    out = np.zeros((k, top), dtype=np.int64)
    for x in range(k):
        a = axes[x]
        ext = info[I_EXT, a]
        if a < N_DIMS:
            for v in range(ext):
                out[x, v] = v * coef[a]
            continue
        g = a - N_DIMS
        m = 0
        while m < N_DIMS and groups[g, m] != NO_DIM:
            m += 1
        for v in range(ext):
            rem = v
            key = 0
            for i in range(m - 1, 0, -1):
                d = groups[g, i]
                b = info[I_EXT, d]  # a dimension's row holds its bound, grouped or not
                key += (rem % b) * coef[d]
                rem //= b
            key += rem * coef[groups[g, 0]]
            out[x, v] = key
    return out


@jit
def _axis_values(dims, factors, role, want, axes, k):
    """Per axis ``axes[x]``, the index offsets the loops whose role is in ``want`` contribute:
    ``(values int64[k, longest], lengths int64[k])``."""
    lens = np.zeros(k, dtype=np.int64)
    longest = 1
    for x in range(k):
        size, _ = _index_set_roles(dims, factors, role, want, axes[x])
        lens[x] = size
        longest = max(longest, size)
    out = np.zeros((k, longest), dtype=np.int64)
    for x in range(k):
        vals = _values(dims, factors, role, want, axes[x])
        out[x, :lens[x]] = vals
    return out, lens


@jit
def _valid_keys(base, tile, tlen, ext, contrib, k, lists, llen):
    """Fill ``lists[x, :llen[x]]`` with the key contributions of the valid index values
    ``base[x] + tile[x, i]`` of each axis; returns False when some axis has none."""
    for x in range(k):
        m = 0
        for i in range(tlen[x]):
            v = base[x] + tile[x, i]
            if v < ext[x]:
                lists[x, m] = contrib[x, v]
                m += 1
        llen[x] = m
        if m == 0:
            return False
    return True


@jit
def _sum_keys(lists, llen, k, held, pstamp, seen, stamp, mark_only, idx, partial):
    """Walk every key ``sum_x lists[x, i_x]`` (an odometer over the axes; ``idx`` int64[k] and
    ``partial`` int64[k + 1] are scratch). ``mark_only``: set ``held[key] = pstamp``; else
    count the keys neither held (``held != pstamp``) nor seen at ``stamp`` yet, marking them
    seen. Returns the count."""
    for x in range(k):
        idx[x] = 0
    partial[0] = 0
    for x in range(k):
        partial[x + 1] = partial[x] + lists[x, 0]
    total = 0
    while True:
        key = partial[k]
        if mark_only:
            held[key] = pstamp
        elif held[key] != pstamp and seen[key] != stamp:
            seen[key] = stamp
            total += 1
        x = k - 1
        while x >= 0:
            idx[x] += 1
            if idx[x] < llen[x]:
                break
            idx[x] = 0
            x -= 1
        if x < 0:
            return total
        for y in range(x, k):
            partial[y + 1] = partial[y] + lists[y, idx[y]]


#: tiles of at most this many index tuples are enumerated from one table (many small
#: deliveries); larger ones axis by axis (:func:`_sum_keys`, no table)
SMALL_TILE = 8


@jit
def _joint_words_small(fix, offs, tile, contrib, ext, shift, steps, k, seen, held):
    """:func:`_joint_words` over a precomputed table of the tile's index tuples."""
    stamp = 0
    pstamp = 0
    total = 0
    for f in range(fix.shape[0]):
        for i in range(steps):
            stamp += 1
            for o in range(offs.shape[0]):
                pstamp += 1
                for phase in range(2):
                    if phase == 0 and i == 0:
                        continue
                    at = i - 1 + phase  # phase 0: what this PE held at the previous step
                    for tt in range(tile.shape[0]):
                        key = 0
                        ok = True
                        for x in range(k):
                            v = fix[f, x] + at * shift[x] + offs[o, x] + tile[tt, x]
                            if v >= ext[x]:
                                ok = False
                                break
                            key += contrib[x, v]
                        if not ok:
                            continue
                        if phase == 0:
                            held[key] = pstamp
                        elif held[key] != pstamp and seen[key] != stamp:
                            seen[key] = stamp
                            total += 1
    return total


@jit
def _joint_words(dims, factors, role, slide, axes, k, info, groups, coef, top):
    """Words of one coupled component (axes ``axes[:k]``) summed over deliveries: for every
    tuple of the ``FIX`` loops (and, when ``slide`` is a loop over one of the axes, every step
    along it), the distinct valid words of the union over the ``OFFS`` PEs of each PE's
    ``TILE`` that the PE did not hold at the previous step (:func:`_window_words` over axes,
    words keyed by :func:`_word_coefs`). A tile's keys are the sums of per-axis key
    contributions of its valid index values (:func:`_sum_keys`)."""
    fix = _role_table(dims, factors, role, 1 << FIX, axes, k)
    offs = _role_table(dims, factors, role, 1 << OFFS, axes, k)
    tile, tlen = _axis_values(dims, factors, role, 1 << TILE, axes, k)
    contrib = _contrib(axes, k, info, groups, coef)
    ext = np.empty(k, dtype=np.int64)
    shift = np.zeros(k, dtype=np.int64)
    steps = 1
    for x in range(k):
        ext[x] = info[I_EXT, axes[x]]
        if slide >= 0 and dims[slide] == axes[x]:
            steps = factors[slide]
            g = 1
            for j in range(slide + 1, dims.shape[0]):
                if dims[j] == dims[slide]:
                    g *= factors[j]
            shift[x] = g
    seen = np.zeros(top, dtype=np.int64)
    held = np.zeros(top, dtype=np.int64)
    lists = np.empty(tile.shape, dtype=np.int64)
    llen = np.zeros(k, dtype=np.int64)
    base = np.zeros(k, dtype=np.int64)
    idx = np.zeros(k, dtype=np.int64)
    partial = np.zeros(k + 1, dtype=np.int64)
    stamp = 0
    pstamp = 0
    total = 0
    ntile = 1
    for x in range(k):
        ntile *= tlen[x]
    if ntile <= SMALL_TILE:
        return _joint_words_small(fix, offs, _role_table(dims, factors, role, 1 << TILE, axes, k), contrib, ext,
                                  shift, steps, k, seen, held)
    for f in range(fix.shape[0]):
        for i in range(steps):
            stamp += 1
            for o in range(offs.shape[0]):
                pstamp += 1
                if i > 0:  # what this PE held at the previous step
                    for x in range(k):
                        base[x] = fix[f, x] + (i - 1) * shift[x] + offs[o, x]
                    if _valid_keys(base, tile, tlen, ext, contrib, k, lists, llen):
                        _sum_keys(lists, llen, k, held, pstamp, seen, stamp, True, idx, partial)
                for x in range(k):
                    base[x] = fix[f, x] + i * shift[x] + offs[o, x]
                if _valid_keys(base, tile, tlen, ext, contrib, k, lists, llen):
                    total += _sum_keys(lists, llen, k, held, pstamp, seen, stamp, False, idx, partial)
    return total


@jit
def _components(t, info, groups):
    """Union-find labels of the live axes for the words of ``t``: the ifmap couples the axes
    holding E and R (rows ``e·U + r``) and those holding F and S (columns); other types couple
    nothing. Returns ``(comp int64[N_AXES], axis_of int64[N_DIMS])``."""
    axis_of = np.arange(N_DIMS)
    for g in range(N_GROUPS_MAX):
        for i in range(N_DIMS):
            d = groups[g, i]
            if d == NO_DIM:
                break
            axis_of[d] = N_DIMS + g
    comp = np.arange(N_AXES)
    if t == IFMAP:
        for pair in range(2):
            a = axis_of[D_E if pair == 0 else D_F]
            b = axis_of[D_R if pair == 0 else D_S]
            ra = comp[a]
            rb = comp[b]
            if ra != rb:
                lo = min(ra, rb)
                hi = max(ra, rb)
                for x in range(N_AXES):
                    if comp[x] == hi:
                        comp[x] = lo
    return comp, axis_of


@jit
def _moves_flat(t, dims, factors, kinds, reds, p, q, reuse, merge_tree, stride, info, groups, bounds):
    """:func:`_moves_padded` over axes (a nest with flattened loops; exact, enumerating).

    The words delivered factorise over *components* of axes: an axis alone, or for the
    ifmap the axes coupled through the windows (those holding E and R, those holding F and S).
    A single axis the type depends on wholly and that is no ifmap window axis counts its valid
    index values (``p < extent``) spanned per delivery; one the type does not depend on counts
    the deliveries with a valid value; anything else (window axes, groups the type depends on
    partly) counts distinct words over the component jointly (:func:`_joint_words`): decode
    every index, key its word, sliding windows included — so reuse across the row boundaries
    of a flattened index is exact. Cost: the product of the component's loop factors (at most
    twice, with a slide) per call, against the closed form's O(loops).
    """
    role, slide = _roles_flat(t, dims, factors, kinds, reds, p, q, reuse, merge_tree, info)
    comp, axis_of = _components(t, info, groups)
    axes = np.empty(N_AXES, dtype=np.int64)
    total = 1
    for root in range(N_AXES):
        k = 0
        for a in range(N_AXES):
            if info[I_LIVE, a] == 1 and comp[a] == root:
                axes[k] = a
                k += 1
        if k == 0:
            continue
        a = axes[0]
        if k == 1 and info[I_REL_ANY + t, a] == 0:
            fix = _values(dims, factors, role, 1 << FIX, a)
            total *= _masked_count(fix, np.zeros(1, dtype=np.int64), info[I_EXT, a])
        elif k == 1 and info[I_REL_ALL + t, a] == 1 and not (t == IFMAP and info[I_HAS_WIN, a] == 1):
            fix = _values(dims, factors, role, 1 << FIX, a)
            span = _values(dims, factors, role, (1 << TILE) | (1 << OFFS), a)
            total *= _masked_count(fix, span, info[I_EXT, a])
        else:
            coef, top = _word_coefs(t, groups, bounds, stride, comp, root, axis_of)
            total *= _joint_words(dims, factors, role, slide, axes, k, info, groups, coef, top)
        if total == 0:
            return 0
    return total


@jit
def _tile_max_flat(t, dims, factors, p, stride, info, groups, bounds):
    """Words of the largest tile of ``t`` spanned by loops ``p:`` over every position the
    loops above put it at (a flattened tile's words depend on where its index range starts:
    one crossing a row boundary of ``(E,F)`` touches more ifmap rows). The maximum of a
    product over independent components is the product of the components' maxima."""
    n = dims.shape[0]
    role = np.zeros(n, dtype=np.int64)
    for j in range(n):
        role[j] = TILE if j >= p else FIX
    comp, axis_of = _components(t, info, groups)
    axes = np.empty(N_AXES, dtype=np.int64)
    total = 1
    for root in range(N_AXES):
        k = 0
        for a in range(N_AXES):
            if info[I_LIVE, a] == 1 and comp[a] == root:
                axes[k] = a
                k += 1
        if k == 0:
            continue
        coef, top = _word_coefs(t, groups, bounds, stride, comp, root, axis_of)
        fix = _role_table(dims, factors, role, 1 << FIX, axes, k)
        tile, tlen = _axis_values(dims, factors, role, 1 << TILE, axes, k)
        contrib = _contrib(axes, k, info, groups, coef)
        ext = np.empty(k, dtype=np.int64)
        for x in range(k):
            ext[x] = info[I_EXT, axes[x]]
        seen = np.zeros(top, dtype=np.int64)
        held = np.zeros(1 if top < 1 else top, dtype=np.int64)  # never marked: nothing is held
        lists = np.empty(tile.shape, dtype=np.int64)
        llen = np.zeros(k, dtype=np.int64)
        idx = np.zeros(k, dtype=np.int64)
        partial = np.zeros(k + 1, dtype=np.int64)
        best = 0
        for f in range(fix.shape[0]):
            if _valid_keys(fix[f], tile, tlen, ext, contrib, k, lists, llen):
                best = max(best, _sum_keys(lists, llen, k, held, -1, seen, f + 1, False, idx, partial))
        total *= best
    return total


@jit_inline
def _holders(res, t, n, pos, lev):
    """The chain of holders of data type ``t``, outermost first, into ``pos`` (tile start) and
    ``lev`` (level; -1 the MAC) (int64[4]): DRAM at loop 0, the GLB and the RF where ``res``
    keeps ``t``, the MAC at ``n``. Returns their number. Both counting walkers
    (:func:`_count`, :func:`count_accesses_flat`) walk this chain link by link."""
    m = 0
    pos[m] = 0
    lev[m] = DRAM
    m += 1
    if res[TILE_GLB, t] >= 0:
        pos[m] = res[TILE_GLB, t]
        lev[m] = GLB
        m += 1
    if res[TILE_RF, t] >= 0:
        pos[m] = res[TILE_RF, t]
        lev[m] = RF
        m += 1
    pos[m] = n
    lev[m] = -1  # the MAC
    return m + 1


@jit_inline
def _input_reuse(lev, i, window):
    """The ``reuse`` mode of an input type's link ``i`` of the chain ``lev``: 2 forwarded across
    the array (window bit 0, operands reaching the MAC from outside the PE), 3 a GLB tile
    fetched whole from DRAM (no halo reuse, window bit 1 clear), else 1 (0: to the MAC)."""
    if lev[i + 1] < 0:
        return 2 if (window & 1) and lev[i] != RF else 0
    if lev[i + 1] == GLB and (window & 2) == 0:
        return 3
    return 1


@jit_inline
def _crosses_noc(lev, i):
    """Whether link ``i`` of the chain ``lev`` crosses the NoC (its parent is outside the PE, its
    child the RF or the MAC)."""
    return lev[i] != RF and (lev[i + 1] < 0 or lev[i + 1] == RF)


@jit_inline
def _charge_input(counts, t, lev, i, sent, got):
    """Count an input link: ``sent`` words read from the parent ``lev[i]``, ``got`` written into
    the child (delivered into PEs when the link crosses the NoC). The link's words through the
    clusters' ports are ``sent`` here (one cluster); :func:`_charge_input_ports` corrects them
    for a nest with cluster loops."""
    child_is_mac = lev[i + 1] < 0
    counts[lev[i], t, READS] += sent
    if not child_is_mac:
        counts[lev[i + 1], t, WRITES] += got
    if _crosses_noc(lev, i):
        counts[NOC, t, READS] += got
        counts[NOC, t, TRANSACTIONS] += sent
        counts[NOC, t, PORTS] += sent  # one cluster (no cluster loops): PORTS = TRANSACTIONS, no HOPS


@jit_inline
def _charge_input_ports(counts, t, sent, ports):
    """A NoC input link of a nest with cluster loops: ``ports`` words cross the clusters' router
    ports (per step and cluster, the union of what the cluster's PEs fetch), not the ``sent``
    that :func:`_charge_input` booked; a word sent to ``k`` clusters crosses ``k - 1`` mesh
    links, so ``HOPS`` gains ``ports - sent``."""
    counts[NOC, t, PORTS] += ports - sent
    counts[NOC, t, HOPS] += ports - sent


@jit_inline
def _cluster_end(kinds):
    """One past the last cluster loop (``CROW`` / ``CCOL``), -1 without any: spatial loops
    above it are counted per cluster (replicated), those below merged inside a cluster."""
    end = -1
    for j in range(kinds.shape[0]):
        if kinds[j] == CROW or kinds[j] == CCOL:
            end = j + 1
    return end


@jit_inline
def _charge_psum(counts, t, lev, i, upd, resident):
    """Count a psum link at the parent ``lev[i]``: ``upd`` updates arriving, ``resident`` of them
    the first of their residence (DRAM: every update written, the others read back; else the
    first write is free, ISCA 2016 Eq. (4))."""
    lp = lev[i]
    counts[lp, t, UPDATES] += upd
    if lp == DRAM:
        counts[lp, t, WRITES] += upd
        counts[lp, t, READS] += upd - resident
    else:
        counts[lp, t, WRITES] += upd - resident
        counts[lp, t, READS] += upd - resident


@jit_inline
def _charge_psum_noc(counts, t, out, after_noc, upd, resident):
    """Count a psum link's NoC traffic: ``out - after_noc`` psums delivered after the merge in
    the array, ``upd + (upd - resident)`` transactions (out, and back in for accumulation); the
    same words through the clusters' ports (one cluster: :func:`_charge_psum_ports` corrects
    them for a nest with cluster loops)."""
    counts[NOC, t, READS] += out - after_noc
    counts[NOC, t, TRANSACTIONS] += upd + (upd - resident)
    counts[NOC, t, PORTS] += upd + (upd - resident)  # one cluster (no cluster loops)


@jit_inline
def _charge_psum_ports(counts, t, upd, out_c):
    """A NoC psum link of a nest with cluster loops: ``out_c`` words leave the clusters (merged
    over the reduction loops inside a cluster only), not the ``upd`` :func:`_charge_psum_noc`
    booked; each merge across clusters passes one word over one mesh link (``out_c - upd``)."""
    counts[NOC, t, PORTS] += out_c - upd
    counts[NOC, t, HOPS] += out_c - upd


@jit
def count_accesses_flat(dims, factors, kinds, reds, res, stride, window, bounds, groups, counts, usage):
    """:func:`count_accesses_padded` for a nest with flattened loops: ``dims[j] >= N_DIMS``
    runs over group ``dims[j] - N_DIMS``, whose members (outer first) are ``groups[g, :]``
    (int64[N_GROUPS_MAX, N_DIMS], ``NO_DIM``-padded). A group's index ``p`` decodes
    mixed-radix into member coordinates with ``bounds`` (int64[N_DIMS]) as radices; ``p`` at
    or past the group's extent is masked, as a padded coordinate is.

    Counted by :func:`_moves_flat` (exact, enumerating: each link costs up to the product of
    the loop factors of the ifmap's coupled window axes — for AlexNet CONV1 as ``(N,E,F)`` ×
    ``(C,R,S)``, N·E·F·C·R·S = 1.1 M iterations per image — against the closed form's
    O(loops): about 30 ms for CONV1 im2col on 12 × 14 PEs, against 5 µs; memory: two stamps
    per ifmap word); tile sizes by :func:`_tile_max_flat`. A nest without groups counts here exactly as in
    :func:`count_accesses_padded` (tested), only slower.

    Returns
    -------
    int
        MACs of the nest (the product of ``bounds``).
    """
    info = axis_info(dims, factors, groups, bounds)
    n = dims.shape[0]
    counts[:] = 0
    usage[:] = 0
    macs = 1
    for d in range(N_DIMS):
        macs *= bounds[d]
    pos = np.empty(4, dtype=np.int64)
    lev = np.empty(4, dtype=np.int64)
    qc = _cluster_end(kinds)
    for t in range(N_TYPES):
        m = _holders(res, t, n, pos, lev)
        for i in range(1, m - 1):
            usage[TILE_GLB if lev[i] == GLB else TILE_RF, t] = _tile_max_flat(t, dims, factors, pos[i], stride,
                                                                            info, groups, bounds)
        for i in range(m - 1):
            pp = pos[i]
            pc = pos[i + 1]
            child_is_mac = lev[i + 1] < 0
            if t != PSUM:
                mode = _input_reuse(lev, i, window)
                sent = _moves_flat(t, dims, factors, kinds, reds, pc, pp, mode, True, stride, info, groups, bounds)
                if child_is_mac:
                    got = macs
                else:
                    got = _moves_flat(t, dims, factors, kinds, reds, pc, pc, mode, True, stride, info, groups,
                                      bounds)
                _charge_input(counts, t, lev, i, sent, got)
                if qc >= 0 and _crosses_noc(lev, i):
                    ports = _moves_flat(t, dims, factors, kinds, reds, pc, max(pp, qc), mode, True, stride, info,
                                        groups, bounds)
                    _charge_input_ports(counts, t, sent, ports)
                continue
            mode = 0 if child_is_mac else 1
            if child_is_mac:
                out = macs
            else:
                out = _moves_flat(t, dims, factors, kinds, reds, pc, pc, 1, True, stride, info, groups, bounds)
            upd = _moves_flat(t, dims, factors, kinds, reds, pc, pp, mode, True, stride, info, groups, bounds)
            resident = _moves_flat(t, dims, factors, kinds, reds, pp, pp, 1, True, stride, info, groups, bounds)
            _charge_psum(counts, t, lev, i, upd, resident)
            if _crosses_noc(lev, i):
                after_noc = _moves_flat(t, dims, factors, kinds, reds, pc, pp, mode, False, stride, info, groups,
                                        bounds)
                _charge_psum_noc(counts, t, out, after_noc, upd, resident)
                if qc >= 0:
                    out_c = _moves_flat(t, dims, factors, kinds, reds, pc, max(pp, qc), mode, True, stride, info,
                                        groups, bounds)
                    _charge_psum_ports(counts, t, upd, out_c)
    return macs


@jit
def compute_steps_flat(dims, factors, kinds, bounds, groups):
    """:func:`compute_steps_padded` of a nest with flattened loops: the temporal steps at
    which at least one PE has a valid iteration, counted per axis (a group's index below its
    extent)."""
    info = axis_info(dims, factors, groups, bounds)
    temporal = np.zeros(dims.shape[0], dtype=np.int64)
    for j in range(dims.shape[0]):
        if kinds[j] == TEMPORAL:
            temporal[j] = 1
    steps = 1
    for a in range(N_AXES):
        if info[I_LIVE, a] == 1:
            vals = _index_values(dims, factors, temporal, a)
            steps *= _masked_count(vals, np.zeros(1, dtype=np.int64), info[I_EXT, a])
    return steps


@jit
def count_accesses(dims, factors, kinds, reds, res, stride, window, counts, usage):
    """Fill ``counts`` (int64[N_LEVELS, N_TYPES, N_COUNT_STATS]) and ``usage`` (int64[2,3]) for a nest whose factors
    multiply to the layer's bounds exactly (see :func:`count_accesses_padded`)."""
    return _count(dims, factors, kinds, reds, res, stride, window, _NO_BOUNDS, counts, usage)


@jit
def count_accesses_padded(dims, factors, kinds, reds, res, stride, window, bounds, counts, usage):
    """:func:`count_accesses` for a nest whose factors may multiply past the layer's ``bounds``
    (int64[8], G N M C E F R S): imperfect factorisation. Iterations with a coordinate at or
    beyond its bound are masked (no MAC, no operand, no psum); a tile holds only the words of
    its valid iterations; a PE or step with no valid iteration receives nothing. Counted by
    enumerating, per dimension, the iterations of the loops that fix a tile's position (slower
    than the closed form, still exact; equal to it when nothing is padded)."""
    return _count(dims, factors, kinds, reds, res, stride, window, bounds, counts, usage)


@jit
def _count(dims, factors, kinds, reds, res, stride, window, bounds, counts, usage):
    """Fill ``counts`` (int64[N_LEVELS, N_TYPES, N_COUNT_STATS]) and ``usage`` (int64[2,3], GLB and per-PE RF
    words).

    ``window`` is a bit mask. Bit 0: operands that bypass the RF are forwarded across the
    array, so a sliding window over the innermost temporal loop is read from the parent once
    (WS, OSA, OSB: convolutional reuse in the array). Bit 1: the GLB keeps the overlap of
    consecutive ifmap tiles (halo reuse) instead of fetching each tile whole from DRAM.

    Returns
    -------
    int
        MACs of the nest.
    """
    rel = RELEVANCE
    n = dims.shape[0]
    counts[:] = 0
    usage[:] = 0
    padded = bounds.shape[0] == N_DIMS
    macs = 1
    if padded:
        for d in range(N_DIMS):
            macs *= bounds[d]
    else:
        for j in range(n):
            macs *= factors[j]
    # chain of holders per type: DRAM (pos 0), GLB, RF, then the MAC (pos n)
    pos = np.empty(4, dtype=np.int64)
    lev = np.empty(4, dtype=np.int64)
    one = np.ones(N_DIMS, dtype=np.int64)
    qc = _cluster_end(kinds)  # cluster loops: their ports and hops take one more call per NoC link
    for t in range(N_TYPES):
        m = _holders(res, t, n, pos, lev)
        for i in range(1, m - 1):
            x = one.copy()
            for j in range(pos[i], n):
                x[dims[j]] *= factors[j]
            if padded:
                for d in range(N_DIMS):
                    x[d] = min(x[d], bounds[d])  # the largest tile is the one at the origin
            usage[TILE_GLB if lev[i] == GLB else TILE_RF, t] = _proj(t, x, stride)
        for i in range(m - 1):
            pp = pos[i]
            pc = pos[i + 1]
            child_is_mac = lev[i + 1] < 0
            # (the padded branch is spelled out at each call: a dispatching helper kept numba
            # from inlining the closed form and cost the search a quarter of its speed)
            if t != PSUM:
                mode = _input_reuse(lev, i, window)
                if padded:
                    sent = _moves_padded(t, dims, factors, kinds, reds, pc, pp, mode, True, stride, rel, bounds)
                else:
                    sent = _moves(t, dims, factors, kinds, reds, pc, pp, mode, True, stride, rel)
                if child_is_mac:
                    got = macs
                elif padded:
                    got = _moves_padded(t, dims, factors, kinds, reds, pc, pc, mode, True, stride, rel, bounds)
                else:
                    got = _moves(t, dims, factors, kinds, reds, pc, pc, mode, True, stride, rel)
                _charge_input(counts, t, lev, i, sent, got)
                if qc >= 0 and _crosses_noc(lev, i):
                    if padded:
                        ports = _moves_padded(t, dims, factors, kinds, reds, pc, max(pp, qc), mode, True, stride, rel,
                                              bounds)
                    else:
                        ports = _moves(t, dims, factors, kinds, reds, pc, max(pp, qc), mode, True, stride, rel)
                    _charge_input_ports(counts, t, sent, ports)
                continue
            mode = 0 if child_is_mac else 1
            if child_is_mac:
                out = macs
            elif padded:
                out = _moves_padded(t, dims, factors, kinds, reds, pc, pc, 1, True, stride, rel, bounds)
            else:
                out = _moves(t, dims, factors, kinds, reds, pc, pc, 1, True, stride, rel)
            if padded:
                upd = _moves_padded(t, dims, factors, kinds, reds, pc, pp, mode, True, stride, rel, bounds)
                resident = _moves_padded(t, dims, factors, kinds, reds, pp, pp, 1, True, stride, rel, bounds)
            else:
                upd = _moves(t, dims, factors, kinds, reds, pc, pp, mode, True, stride, rel)
                resident = _moves(t, dims, factors, kinds, reds, pp, pp, 1, True, stride, rel)
            _charge_psum(counts, t, lev, i, upd, resident)
            if _crosses_noc(lev, i):
                if padded:
                    after_noc = _moves_padded(t, dims, factors, kinds, reds, pc, pp, mode, False, stride, rel,
                                              bounds)
                else:
                    after_noc = _moves(t, dims, factors, kinds, reds, pc, pp, mode, False, stride, rel)
                _charge_psum_noc(counts, t, out, after_noc, upd, resident)
                if qc >= 0:
                    if padded:
                        out_c = _moves_padded(t, dims, factors, kinds, reds, pc, max(pp, qc), mode, True, stride, rel,
                                              bounds)
                    else:
                        out_c = _moves(t, dims, factors, kinds, reds, pc, max(pp, qc), mode, True, stride, rel)
                    _charge_psum_ports(counts, t, upd, out_c)
    return macs


@jit
def tile_words(t, dims, factors, p, stride):
    """Words of data type ``t`` in the tile spanned by loops ``p:`` of a perfect nest.

    Parameters
    ----------
    t : int
        Data type (``IFMAP``, ``FILTER``, ``PSUM``).
    dims, factors : ndarray
        int64[L], the nest, outermost first.
    p : int
        Index of the tile's outermost loop (``L``: a single word).
    stride : int
        The layer's stride ``U``.

    Returns
    -------
    int
        Words.
    """
    x = np.ones(N_DIMS, dtype=np.int64)
    for j in range(p, dims.shape[0]):
        x[dims[j]] *= factors[j]
    return _proj(t, x, stride)


@jit
def energy_of(counts, macs, costs):
    """Energy of ``counts``: the MACs plus every level's charged words at that level's and
    data type's cost per word (:func:`accelsim.layout.charged_energy`).

    Parameters
    ----------
    counts : ndarray
        int64[N_LEVELS, N_TYPES, N_COUNT_STATS] access counts, words.
    macs : int
        MACs of the nest.
    costs : ndarray
        float64[N_COSTS], :func:`accelsim.dataflows.lowering.cost_array` (any one energy unit).

    Returns
    -------
    float
        Energy, in the unit of ``costs``.
    """
    e = macs * costs[C_MAC]
    for lv in range(N_LEVELS):
        for t in range(N_TYPES):
            e += _charged_energy(counts, costs, lv, t)
    return e


@jit
def compute_steps(factors, kinds):
    """Temporal steps of a nest: cycles with one MAC per PE per cycle and no stalls."""
    steps = 1
    for j in range(factors.shape[0]):
        if kinds[j] == TEMPORAL:
            steps *= factors[j]
    return steps


@jit
def compute_steps_padded(dims, factors, kinds, bounds):
    """:func:`compute_steps` of a padded nest: the temporal steps at which at least one PE
    has a valid iteration (the others are skipped)."""
    temporal = np.zeros(dims.shape[0], dtype=np.int64)
    for j in range(dims.shape[0]):
        if kinds[j] == TEMPORAL:
            temporal[j] = 1
    steps = 1
    for d in range(N_DIMS):
        vals = _index_values(dims, factors, temporal, d)
        steps *= _masked_count(vals, np.zeros(1, dtype=np.int64), bounds[d])
    return steps


_NO_GROUPS = np.full((N_GROUPS_MAX, N_DIMS), NO_DIM, dtype=np.int64)


@jit
def fold_start(kinds, res):
    """Loops ``[:k]`` lie above the PE array: each of their iterations is one fold (pass) of
    the array. ``k`` is one past the last spatial loop; without spatial loops, the first RF
    tile start (no RF tile either: 0, the whole nest is one fold). As the cycle engine plans
    its passes."""
    n = kinds.shape[0]
    last = -1
    for j in range(n):
        if kinds[j] != TEMPORAL:
            last = j
    if last >= 0:
        return last + 1
    k = n + 1
    for t in range(N_TYPES):
        if res[TILE_RF, t] >= 0 and res[TILE_RF, t] < k:
            k = res[TILE_RF, t]
    return 0 if k == n + 1 else k


@jit
def _relevant_loop(t, d, groups):
    """Does data type ``t`` depend on loop axis ``d`` (a dimension, or group ``d - N_DIMS``:
    on some member)?"""
    if d < N_DIMS:
        return RELEVANCE[t, d] == 1
    for i in range(N_DIMS):
        m = groups[d - N_DIMS, i]
        if m != NO_DIM and RELEVANCE[t, m] == 1:
            return True
    return False


@jit
def roofline_timing(dims, factors, kinds, res, groups, folds, clusters, costs, timing):
    """The roofline's timing model of a nest, into ``timing`` (float64[N_TIMING]).

    A systolic NoC (``costs[C_SYSTOLIC]`` = 1) as the cycle engine runs it: each of the
    ``folds`` folds adds its skewed fill and drain (``(R − 1) + (C − 1)``, plus ``R`` of
    pre-load when an input type is kept in the RF, plus ``R`` of drain when psums are, else 1,
    for the ``R × C`` PEs the spatial loops span; with ``costs[C_FOLD_OVERLAP]`` the pre-load
    is paid once, before the first fold: :func:`accelsim.sim.cycle.pass_overhead`), and a data
    type's words enter through one edge link per PE along the spatial loops over its own
    dimensions, each at the bus rate of ``costs`` (the links are the product of those loops'
    factors). A hierarchical mesh (``costs[C_HMESH]`` = 1): no fold cycles, and every type's
    bus is one set of router ports per active cluster (``clusters`` links, each at the bus rate,
    which is per cluster). Any other NoC: no fold cycles, one bus per type.

    Parameters
    ----------
    dims, factors, kinds, res, groups
        The nest (module docstring; ``groups`` is only read for group loops).
    folds : int
        Folds with at least one valid iteration (:func:`fold_start`; a padded nest's
        all-masked folds are skipped).
    clusters : int
        Clusters with at least one valid iteration (read on a hierarchical mesh only: the
        product of the cluster loops' factors for a perfect nest, :func:`perfect_timing`).
    costs : ndarray
        float64[N_COSTS] (:func:`accelsim.dataflows.lowering.cost_array`).
    timing : ndarray
        Out: float64[N_TIMING], ``TM_FOLD_CYCLES`` then ``TM_LINKS0 + type``.
    """
    timing[TM_FOLD_CYCLES] = 0.0
    links = float(clusters) if costs[C_HMESH] != 0.0 else 1.0
    for t in range(N_TYPES):
        timing[TM_LINKS0 + t] = links
    if costs[C_SYSTOLIC] == 0.0:
        return
    rows = 1
    cols = 1
    for j in range(dims.shape[0]):
        if kinds[j] == ROW:
            rows *= factors[j]
        elif kinds[j] == COL:
            cols *= factors[j]
        if kinds[j] != TEMPORAL:
            for t in range(N_TYPES):
                if _relevant_loop(t, dims[j], groups):
                    timing[TM_LINKS0 + t] *= factors[j]
    preload = rows if (res[TILE_RF, IFMAP] >= 0 or res[TILE_RF, FILTER] >= 0) else 0
    drain = rows if res[TILE_RF, PSUM] >= 0 else 1
    per_fold = (rows - 1) + (cols - 1) + drain
    if costs[C_FOLD_OVERLAP] != 0.0:
        timing[TM_FOLD_CYCLES] = float(folds * per_fold + preload)
    else:
        timing[TM_FOLD_CYCLES] = float(folds * (per_fold + preload))


@jit
def perfect_timing(dims, factors, kinds, res, costs, timing):
    """:func:`roofline_timing` of a perfectly factorised nest without flattened loops (every
    fold and every cluster valid), into ``timing`` (float64[N_TIMING])."""
    folds = 1
    if costs[C_SYSTOLIC] != 0.0:
        for j in range(fold_start(kinds, res)):
            if kinds[j] == TEMPORAL:
                folds *= factors[j]
    clusters = 1
    if costs[C_HMESH] != 0.0:
        for j in range(kinds.shape[0]):
            if kinds[j] == CROW or kinds[j] == CCOL:
                clusters *= factors[j]
    roofline_timing(dims, factors, kinds, res, _NO_GROUPS, folds, clusters, costs, timing)


@jit
def roofline_cycles(counts, steps, costs, dram_words, timing):
    """Cycles as the busiest of the compute steps (plus the folds' fill and drain,
    ``timing[TM_FOLD_CYCLES]``) and each resource's words over its rate, each charged as the
    cycle engine books it (:mod:`accelsim.kernels.step_timing`): DRAM (reads + writes), the
    ifmap and filter buses and the psum buses (transactions), each bus's rate times its links
    (``timing[TM_LINKS0 + type]``: a systolic array's edge links, a hierarchical mesh's active
    clusters, :func:`roofline_timing`).
    On a systolic array psums enter and leave on links of their own (both rates add) and the
    GLB port carries all its reads and writes. On other NoCs the psums out of the array (GON:
    the updates arriving at the psum link's parent) and back in (psum GIN: the rest of the
    psum transactions) move on two buses at once, each bounding the cycles on its own; the
    GLB port's psum read-modify-writes (two words per psum sent back in) queue with the GON,
    apart from the GLB's other words. On a hierarchical mesh (``costs[C_HMESH]`` = 1) the words
    on a bus are those through the clusters' router ports (``PORTS``: inputs per step and
    cluster; psums leaving the clusters after the merges inside them, and sent back in), spread
    at best evenly over the active clusters: each cluster waits for its own words at the
    per-cluster rate, so the busiest cluster takes at least the average. The rates are
    ``costs[C_RATE0 + RATE_*]``, words per cycle (<= 0: unlimited). ``dram_words`` < 0 takes
    DRAM's counted words (give the RLC-compressed words otherwise)."""
    cycles = float(steps) + timing[TM_FOLD_CYCLES]
    if dram_words < 0:
        dram_words = 0.0
        for t in range(N_TYPES):
            dram_words += counts[DRAM, t, READS] + counts[DRAM, t, WRITES]
    glb_words = 0.0
    for t in range(N_TYPES):
        glb_words += counts[GLB, t, READS] + counts[GLB, t, WRITES]
    psum_in, gon = costs[C_RATE0 + RATE_PSUM], costs[C_RATE0 + RATE_GON]
    glb_rate = costs[C_RATE0 + RATE_GLB]
    psum_words = float(counts[NOC, PSUM, TRANSACTIONS])
    bus = PORTS if costs[C_HMESH] != 0.0 else TRANSACTIONS  # the words a bus carries
    if costs[C_SYSTOLIC] == 0.0:
        # the psum link crossing the NoC has the GLB as its parent if the GLB holds psums, else DRAM
        glb_parent = counts[GLB, PSUM, UPDATES] > 0
        out_words = min(psum_words, float(counts[GLB if glb_parent else DRAM, PSUM, UPDATES]))
        in_words = psum_words - out_words
        glb_psum_words = 2.0 * in_words if glb_parent else 0.0
        if bus == PORTS:  # out of the clusters: before the merges across clusters
            out_words = float(counts[NOC, PSUM, PORTS]) - in_words
        out_rate = gon * timing[TM_LINKS0 + PSUM]
        in_rate = psum_in * timing[TM_LINKS0 + PSUM]
    else:  # separate links in and out of each edge PE, both busy at once
        out_words, in_words, glb_psum_words = psum_words, 0.0, 0.0
        out_rate = (psum_in + gon if psum_in > 0 and gon > 0 else 0.0) * timing[TM_LINKS0 + PSUM]
        in_rate = psum_in
    for words, rate in ((dram_words, costs[C_RATE0 + RATE_DRAM]), (glb_words - glb_psum_words, glb_rate),
                        (glb_psum_words, glb_rate), (out_words, out_rate), (in_words, in_rate),
                        (float(counts[NOC, IFMAP, bus]), costs[C_RATE0 + RATE_IFMAP] * timing[TM_LINKS0 + IFMAP]),
                        (float(counts[NOC, FILTER, bus]),
                         costs[C_RATE0 + RATE_FILTER] * timing[TM_LINKS0 + FILTER])):
        if rate > 0 and words / rate > cycles:
            cycles = words / rate
    return np.ceil(cycles)
