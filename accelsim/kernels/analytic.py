"""Closed-form access counts of a lowered loop nest, and the mapper's search loop.

Array conventions (shared with :mod:`accelsim.dataflows.lowering`):

* dimensions ``0..7`` = G N M C E F R S; data types ``0..2`` = ifmap, filter, psum;
* ``dims, factors, kinds, reds`` : int64[L], one entry per loop, outermost first;
  ``kinds`` 0 temporal, 1 row, 2 column; ``reds`` 0 none, 1 NoC, 2 adder tree;
* ``res`` : int64[2, 3], tile start of (GLB, RF) per data type, -1 = bypass;
* ``counts`` : int64[4, 3, 4], (DRAM, GLB, NoC, RF) × data type ×
  (reads, writes, updates, transactions); for the NoC, "reads" are words delivered into PEs.

Accounting follows Chen, Emer, Sze, ISCA 2016, Eq. (3)-(4): an input word moved between two
levels is charged once, as a read of the outer one; the innermost holder is read once per MAC;
a psum resident at a level for ``x`` updates costs ``x - 1`` reads and ``x - 1`` writes there;
DRAM receives every final or spilled psum as a write and returns spilled psums as reads.
"""

from __future__ import annotations

import numpy as np

from .jit import jit

IFMAP, FILTER, PSUM = 0, 1, 2
DRAM, GLB, NOC, RF = 0, 1, 2, 3
READS, WRITES, UPDATES, TRANSACTIONS = 0, 1, 2, 3
D_E, D_F, D_R, D_S = 4, 5, 6, 7

# the mapper's search rules (a bit mask; :func:`accelsim.dataflows.lowering.rules_of`)
RULE_ALLOW_SPILL = 1      # psums may spill to DRAM
RULE_FILTERS_ONCE = 2     # every filter word is read from DRAM once
RULE_NO_GLB_WINDOW = 4    # no temporal E/F loop inside the ifmap's GLB tile

# relevance[t, d]: does data type t depend on dimension d (G N M C E F R S)
_NO_BOUNDS = np.zeros(0, dtype=np.int64)  # count_accesses: perfect factorisation, closed form
RELEVANCE = np.array(
    [[1, 1, 0, 1, 1, 1, 1, 1],
     [1, 0, 1, 1, 0, 0, 1, 1],
     [1, 1, 1, 0, 1, 1, 0, 0]], dtype=np.int64)


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
        return x[0] * x[1] * x[3] * _window(x[4], x[6], stride) * _window(x[5], x[7], stride)
    if t == FILTER:
        return x[0] * x[2] * x[3] * x[6] * x[7]
    return x[0] * x[1] * x[2] * x[4] * x[5]


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
        elif kinds[j] != 0:
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
            if kinds[j] != 0 or factors[j] == 1:
                continue
            if dims[j] >= D_E:
                member[j] = 1
            else:
                for i in range(j + 1):
                    if kinds[i] == 0:
                        outer *= factors[i]
                break
    elif reuse == 0:
        for j in range(p):
            if kinds[j] == 0:
                outer *= factors[j]
    else:
        for j in range(p - 1, -1, -1):
            if kinds[j] == 0 and factors[j] > 1 and RELEVANCE[IFMAP, dims[j]] == 1:
                k = j
                break
        if k >= 0:
            for j in range(k):
                if kinds[j] == 0:
                    outer *= factors[j]
    plain = 1  # G, N, C extents
    for j in range(n):
        if member[j] == 1 and (dims[j] == 0 or dims[j] == 1 or dims[j] == 3):
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
    x = np.ones(8, dtype=np.int64)
    for j in range(p, n):
        x[dims[j]] *= factors[j]
    repl = 1
    for j in range(p):
        if kinds[j] == 0:
            continue
        d = dims[j]
        if j < q:
            repl *= factors[j]
        elif rel[t, d] == 1:
            x[d] *= factors[j]
        elif t == PSUM:
            if not (reds[j] == 1 or (reds[j] == 2 and merge_tree)):
                repl *= factors[j]
    outer = 1
    if reuse == 1 or reuse == 3:
        # filters and psums never overlap along a loop: only stationarity applies
        k = -1
        for j in range(p - 1, -1, -1):
            if kinds[j] == 0 and factors[j] > 1 and rel[t, dims[j]] == 1:
                k = j
                break
        for j in range(k + 1):
            if kinds[j] == 0:
                outer *= factors[j]
        return outer * _proj(t, x, stride) * repl
    for j in range(p):
        if kinds[j] == 0:
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
            if kinds[j] == 0 and factors[j] > 1 and rel[t, dims[j]] == 1:
                k = j
                break
    if reuse == 2 and t != IFMAP:
        reuse = 0  # only the ifmap is forwarded across the array
    kk = -1  # forwarding: the innermost non-window temporal loop
    if reuse == 2:
        for j in range(p - 1, -1, -1):
            if kinds[j] == 0 and factors[j] > 1 and dims[j] < D_E:
                kk = j
                break
    for j in range(n):
        d = dims[j]
        if j >= p:
            role[j] = TILE
        elif kinds[j] != 0:
            if j < q:
                role[j] = FIX
            elif t == IFMAP:
                role[j] = OFFS
            elif rel[t, d] == 1:
                role[j] = OFFS
            elif t == PSUM and not (reds[j] == 1 or (reds[j] == 2 and merge_tree)):
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
    for d in range(8):
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


@jit
def count_accesses(dims, factors, kinds, reds, res, stride, window, counts, usage):
    """Fill ``counts`` (int64[4,3,4]) and ``usage`` (int64[2,3]) for a nest whose factors
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
    """Fill ``counts`` (int64[4,3,4]) and ``usage`` (int64[2,3], GLB and per-PE RF words).

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
    padded = bounds.shape[0] == 8
    macs = 1
    if padded:
        for d in range(8):
            macs *= bounds[d]
    else:
        for j in range(n):
            macs *= factors[j]
    # chain of holders per type: DRAM (pos 0), GLB, RF, then the MAC (pos n)
    pos = np.empty(4, dtype=np.int64)
    lev = np.empty(4, dtype=np.int64)
    one = np.ones(8, dtype=np.int64)
    for t in range(3):
        m = 0
        pos[m] = 0
        lev[m] = DRAM
        m += 1
        if res[0, t] >= 0:
            pos[m] = res[0, t]
            lev[m] = GLB
            m += 1
        if res[1, t] >= 0:
            pos[m] = res[1, t]
            lev[m] = RF
            m += 1
        pos[m] = n
        lev[m] = -1  # the MAC
        m += 1
        for i in range(1, m - 1):
            x = one.copy()
            for j in range(pos[i], n):
                x[dims[j]] *= factors[j]
            if padded:
                for d in range(8):
                    x[d] = min(x[d], bounds[d])  # the largest tile is the one at the origin
            usage[0 if lev[i] == GLB else 1, t] = _proj(t, x, stride)
        if t != PSUM:
            for i in range(m - 1):
                pp = pos[i]
                pc = pos[i + 1]
                child_is_mac = lev[i + 1] < 0
                if child_is_mac:
                    # forwarding applies to operands that reach the MAC from outside the PE
                    mode = 2 if (window & 1) and lev[i] != RF else 0
                elif lev[i + 1] == GLB and (window & 2) == 0:
                    mode = 3
                else:
                    mode = 1
                # (the padded branch is spelled out at each call: a dispatching helper kept numba
                # from inlining the closed form and cost the search a quarter of its speed)
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
                counts[lev[i], t, READS] += sent
                if not child_is_mac:
                    counts[lev[i + 1], t, WRITES] += got
                if lev[i] != RF and (child_is_mac or lev[i + 1] == RF):
                    counts[NOC, t, READS] += got
                    counts[NOC, t, TRANSACTIONS] += sent
        else:
            for i in range(m - 1):
                pp = pos[i]
                pc = pos[i + 1]
                child_is_mac = lev[i + 1] < 0
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
                lp = lev[i]
                counts[lp, t, UPDATES] += upd
                if lp == DRAM:
                    counts[lp, t, WRITES] += upd
                    counts[lp, t, READS] += upd - resident
                else:
                    counts[lp, t, WRITES] += upd - resident
                    counts[lp, t, READS] += upd - resident
                if lp != RF and (child_is_mac or lev[i + 1] == RF):
                    if padded:
                        after_noc = _moves_padded(t, dims, factors, kinds, reds, pc, pp, mode, False, stride, rel,
                                                  bounds)
                    else:
                        after_noc = _moves(t, dims, factors, kinds, reds, pc, pp, mode, False, stride, rel)
                    counts[NOC, t, READS] += out - after_noc
                    counts[NOC, t, TRANSACTIONS] += upd + (upd - resident)
    return macs


@jit
def energy_of(counts, macs, costs):
    """Energy of ``counts`` with ``costs`` = float64[5] (MAC, RF, NoC, GLB, DRAM)."""
    e = macs * costs[0]
    level_cost = (costs[4], costs[3], costs[2], costs[1])
    for lv in range(4):
        for t in range(3):
            a = counts[lv, t, READS]
            if t == PSUM and lv != NOC:
                a += counts[lv, t, WRITES]
            e += a * level_cost[lv]
    return e


@jit
def _overflow(usage, caps, lv):
    """Words by which level ``lv`` (0 GLB, 1 RF) overflows; ``caps[lv, 0] < 0`` = unbounded.

    With banks (``caps[lv, 4]`` words each, ``caps[lv, 5]`` of them, each wholly one data
    type) a type spilling ``w`` words past its dedicated ones takes ``ceil(w / bank)`` banks;
    banks taken beyond ``caps[lv, 5]`` count as a bank's words each.
    """
    if caps[lv, 0] < 0:
        return 0
    bank = caps[lv, 4] if caps.shape[1] > 5 else 0
    spill = 0
    banks = 0
    for t in range(3):
        extra = usage[lv, t] - caps[lv, 1 + t]
        if extra > 0:
            spill += extra
            if bank > 0:
                banks += (extra + bank - 1) // bank
    over = spill - caps[lv, 0] if spill > caps[lv, 0] else 0
    if bank > 0 and banks > caps[lv, 5] and (banks - caps[lv, 5]) * bank > over:
        over = (banks - caps[lv, 5]) * bank
    return over


@jit
def compute_steps(factors, kinds):
    """Temporal steps of a nest: cycles with one MAC per PE per cycle and no stalls."""
    steps = 1
    for j in range(factors.shape[0]):
        if kinds[j] == 0:
            steps *= factors[j]
    return steps


@jit
def compute_steps_padded(dims, factors, kinds, bounds):
    """:func:`compute_steps` of a padded nest: the temporal steps at which at least one PE
    has a valid iteration (the others are skipped)."""
    temporal = np.zeros(dims.shape[0], dtype=np.int64)
    for j in range(dims.shape[0]):
        if kinds[j] == 0:
            temporal[j] = 1
    steps = 1
    for d in range(8):
        vals = _index_values(dims, factors, temporal, d)
        steps *= _masked_count(vals, np.zeros(1, dtype=np.int64), bounds[d])
    return steps


@jit
def roofline_cycles(counts, steps, costs, dram_words):
    """Cycles as the busiest of the compute steps and each shared resource's words over its
    rate: DRAM and GLB (reads + writes), the ifmap and filter GIN buses and the psum buses
    (transactions). ``costs[5:11]`` are the words per cycle of DRAM, the GLB and the ifmap,
    filter, psum-in and GON buses (absent: unlimited). ``dram_words`` < 0 takes DRAM's counted
    words (give the RLC-compressed words otherwise)."""
    cycles = float(steps)
    if costs.shape[0] < 11:
        return cycles
    if dram_words < 0:
        dram_words = 0.0
        for t in range(3):
            dram_words += counts[DRAM, t, READS] + counts[DRAM, t, WRITES]
    glb_words = 0.0
    for t in range(3):
        glb_words += counts[GLB, t, READS] + counts[GLB, t, WRITES]
    psum_rate = min(costs[9], costs[10])
    for words, rate in ((dram_words, costs[5]), (glb_words, costs[6]),
                        (float(counts[NOC, IFMAP, TRANSACTIONS]), costs[7]),
                        (float(counts[NOC, FILTER, TRANSACTIONS]), costs[8]),
                        (float(counts[NOC, PSUM, TRANSACTIONS]), psum_rate)):
        if rate > 0 and words / rate > cycles:
            cycles = words / rate
    return np.ceil(cycles)


@jit
def score_of(counts, macs, steps, costs, objective, pes):
    """Objective value: 0 energy, 1 cycles (energy breaks ties), 2 energy × cycles.

    Cycles are :func:`roofline_cycles` (the compute ``steps`` when ``costs`` carries no
    rates). The energy objective carries a tie-break of 0.001 % per unit of
    ``steps · pes / macs`` (the inverse PE utilisation), so of two mappings within a fraction
    of a percent in energy the one using more of the ``pes`` PEs wins.
    """
    energy = energy_of(counts, macs, costs)
    if objective == 0:
        return energy * (1.0 + 1e-5 * steps * pes / macs)
    cycles = roofline_cycles(counts, steps, costs, -1.0)
    if objective == 1:
        return cycles * (1.0 + 1e-9 * energy / macs)
    return energy * cycles


# ----------------------------------------------------------------------------- search
# A genome: which slot every prime factor goes to, the order of the slots, and where each
# data type's GLB and RF tiles start. Slots are grouped OUTER | ROW | COL | PE.

@jit
def _build(assign, order, slot_dim, slot_kind, slot_red, prime_val, dims, factors, kinds, reds):
    k = slot_dim.shape[0]
    sf = np.ones(k, dtype=np.int64)
    for i in range(prime_val.shape[0]):
        sf[assign[i]] *= prime_val[i]
    for i in range(k):
        s = order[i]
        dims[i] = slot_dim[s]
        factors[i] = sf[s]
        kinds[i] = slot_kind[s]
        reds[i] = slot_red[s]


@jit
def _tile(t, dims, factors, p, stride):
    x = np.ones(8, dtype=np.int64)
    for j in range(p, dims.shape[0]):
        x[dims[j]] *= factors[j]
    return _proj(t, x, stride)


@jit
def _repair(dims, factors, res, caps, hi, lv, stride, bypass_ok):
    """Move tile starts of level ``lv`` inward until they fit; False if impossible."""
    usage = np.zeros((2, 3), dtype=np.int64)
    while True:
        for t in range(3):
            usage[lv, t] = _tile(t, dims, factors, res[lv, t], stride) if res[lv, t] >= 0 else 0
        if _overflow(usage, caps, lv) == 0:
            return True
        worst = -1
        for t in range(3):
            if res[lv, t] >= 0 and res[lv, t] < hi and (worst < 0 or usage[lv, t] > usage[lv, worst]):
                worst = t
        if worst < 0:
            for t in range(3):
                if res[lv, t] >= 0 and bypass_ok[lv, t] == 1 and (worst < 0 or usage[lv, t] > usage[lv, worst]):
                    worst = t
            if worst < 0:
                return False
            res[lv, worst] = -1
        else:
            res[lv, worst] += 1


@jit
def _repair_array(assign, slot_dim, slot_kind, prime_val, n_outer, kind, limit):
    """Move prime factors from slots of array axis ``kind`` to their dimension's outer slot
    (largest first) until the axis needs at most ``limit`` PEs; False if impossible."""
    while True:
        used = 1
        for i in range(prime_val.shape[0]):
            if slot_kind[assign[i]] == kind:
                used *= prime_val[i]
        if used <= limit:
            return True
        pick = -1
        for i in range(prime_val.shape[0]):
            if slot_kind[assign[i]] != kind:
                continue
            d = slot_dim[assign[i]]
            has_outer = False
            for s in range(n_outer):
                if slot_dim[s] == d:
                    has_outer = True
            if has_outer and (pick < 0 or prime_val[i] > prime_val[pick]):
                pick = i
        if pick < 0:
            return False
        d = slot_dim[assign[pick]]
        for s in range(n_outer):
            if slot_dim[s] == d:
                assign[pick] = s


@jit
def breaks_rules(rules, dims, factors, kinds, res, counts):
    """Whether a counted nest breaks one of the search ``rules`` (``RULE_*`` bits).

    ``RULE_ALLOW_SPILL`` off: psums reach DRAM. ``RULE_FILTERS_ONCE``: DRAM filter reads exceed
    the filter words (the product of the G, M, C, R, S factors). ``RULE_NO_GLB_WINDOW``: a
    temporal E or F loop with a factor above 1 lies inside the ifmap's GLB tile (the buffer
    would give convolutional reuse, which the rule leaves to the array and the RF).
    """
    if (rules & RULE_ALLOW_SPILL) == 0 and counts[DRAM, PSUM, READS] > 0:
        return True
    if rules & RULE_FILTERS_ONCE:
        words = 1
        for j in range(dims.shape[0]):
            if RELEVANCE[FILTER, dims[j]] == 1:
                words *= factors[j]
        if counts[DRAM, FILTER, READS] > words:
            return True
    if (rules & RULE_NO_GLB_WINDOW) and res[0, IFMAP] >= 0:
        for j in range(res[0, IFMAP], dims.shape[0]):
            if kinds[j] == 0 and factors[j] > 1 and (dims[j] == D_E or dims[j] == D_F):
                return True
    return False


@jit
def _evaluate(assign, order, res, slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start,
              bypass_ok, stride, window, costs, caps, rows, cols, objective, rules,
              dims, factors, kinds, reds, counts, usage, acc_mask):
    if not _repair_array(assign, slot_dim, slot_kind, prime_val, n_outer, 1, rows):
        return np.inf
    if not _repair_array(assign, slot_dim, slot_kind, prime_val, n_outer, 2, cols):
        return np.inf
    _build(assign, order, slot_dim, slot_kind, slot_red, prime_val, dims, factors, kinds, reds)
    if not _repair(dims, factors, res, caps, n_outer, 0, stride, bypass_ok):
        return np.inf
    if not _repair(dims, factors, res, caps, dims.shape[0], 1, stride, bypass_ok):
        return np.inf
    if res[1, 2] >= 0:
        # the dataflow accumulates these dimensions' PE loops inside the RF psum tile
        for j in range(pe_start, res[1, 2]):
            if factors[j] > 1 and acc_mask[dims[j]] == 1:
                return np.inf
    macs = count_accesses(dims, factors, kinds, reds, res, stride, window, counts, usage)
    if breaks_rules(rules, dims, factors, kinds, res, counts):
        return np.inf
    return score_of(counts, macs, compute_steps(factors, kinds), costs, objective, rows * cols)


@jit
def _random_genome(assign, order, res, prime_dim, dim_slots, dim_nslots, n_outer, pe_start, k,
                   res_mode):
    for i in range(prime_dim.shape[0]):
        d = prime_dim[i]
        assign[i] = dim_slots[d, np.random.randint(dim_nslots[d])]
    for i in range(k):
        order[i] = i
    for lo, hi in ((0, n_outer), (pe_start, k)):
        for i in range(hi - 1, lo, -1):
            j = lo + np.random.randint(i - lo + 1)
            tmp = order[i]
            order[i] = order[j]
            order[j] = tmp
    for t in range(3):
        # res_mode: 0 keep, 1 may bypass, 2 bypass
        res[0, t] = -1 if res_mode[0, t] == 2 or (res_mode[0, t] == 1 and np.random.randint(4) == 0) \
            else np.random.randint(n_outer + 1)
        res[1, t] = -1 if res_mode[1, t] == 2 or (res_mode[1, t] == 1 and np.random.randint(4) == 0) \
            else pe_start + np.random.randint(k - pe_start + 1)


@jit
def _mutate(assign, order, res, prime_dim, dim_slots, dim_nslots, n_outer, pe_start, k, res_mode):
    """One random move: a prime factor to another slot (half the time with every tile start
    pushed outward again), two loops of a level swapped, or a tile start moved or toggled."""
    p = prime_dim.shape[0]
    what = np.random.randint(5) if p > 0 else 2 + np.random.randint(3)
    if what <= 1:
        i = np.random.randint(p)
        d = prime_dim[i]
        assign[i] = dim_slots[d, np.random.randint(dim_nslots[d])]
        if what == 1:
            for t in range(3):
                if res[0, t] >= 0:
                    res[0, t] = 0
                if res[1, t] >= 0:
                    res[1, t] = pe_start
    elif what == 2:
        lo, hi = (0, n_outer) if np.random.randint(2) == 0 else (pe_start, k)
        if hi - lo >= 2:
            i = lo + np.random.randint(hi - lo)
            j = lo + np.random.randint(hi - lo)
            tmp = order[i]
            order[i] = order[j]
            order[j] = tmp
    else:
        lv = what - 3
        t = np.random.randint(3)
        lo, hi = (0, n_outer) if lv == 0 else (pe_start, k)
        if res_mode[lv, t] == 1 and np.random.randint(5) == 0:
            res[lv, t] = -1 if res[lv, t] >= 0 else lo + np.random.randint(hi - lo + 1)
        elif res[lv, t] >= 0:
            res[lv, t] = lo + np.random.randint(hi - lo + 1)


@jit
def _climb(assign, order, res, cur, slot_dim, slot_kind, slot_red, prime_val, prime_dim, dim_slots,
           dim_nslots, n_outer, pe_start, res_mode, bypass_ok, stride, window, costs, caps, rows, cols,
           objective, rules, max_evals, dims, factors, kinds, reds, counts, usage, acc_mask):
    """First-improvement local search over the whole neighbourhood of a genome, repeated until
    no neighbour is better: move one prime factor (keeping or re-maximising the tile starts),
    swap two loops of one level, move or toggle one tile start."""
    k = slot_dim.shape[0]
    p = prime_val.shape[0]
    ca = assign.copy()
    co = order.copy()
    cr = res.copy()
    evals = 0
    improved = True
    while improved and evals < max_evals:
        improved = False
        # 1. move a prime factor to another slot of its dimension
        for i in range(p):
            d = prime_dim[i]
            for si in range(dim_nslots[d]):
                s = dim_slots[d, si]
                if s == assign[i]:
                    continue
                for variant in range(2):
                    ca[:] = assign
                    co[:] = order
                    cr[:] = res
                    ca[i] = s
                    if variant == 1:
                        for t in range(3):
                            if cr[0, t] >= 0:
                                cr[0, t] = 0
                            if cr[1, t] >= 0:
                                cr[1, t] = pe_start
                    v = _evaluate(ca, co, cr, slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start,
                                  bypass_ok, stride, window, costs, caps, rows, cols, objective,
                                  rules, dims, factors, kinds, reds, counts, usage, acc_mask)
                    evals += 1
                    if v < cur:
                        cur = v
                        assign[:] = ca
                        res[:] = cr
                        improved = True
        # 2. swap two loops within a temporal level
        for lo, hi in ((0, n_outer), (pe_start, k)):
            for a in range(lo, hi):
                for b in range(a + 1, hi):
                    ca[:] = assign
                    co[:] = order
                    cr[:] = res
                    tmp = co[a]
                    co[a] = co[b]
                    co[b] = tmp
                    v = _evaluate(ca, co, cr, slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start,
                                  bypass_ok, stride, window, costs, caps, rows, cols, objective,
                                  rules, dims, factors, kinds, reds, counts, usage, acc_mask)
                    evals += 1
                    if v < cur:
                        cur = v
                        order[:] = co
                        res[:] = cr
                        improved = True
        # 3. move or toggle a tile start
        for lv in range(2):
            lo = 0 if lv == 0 else pe_start
            hi = n_outer if lv == 0 else k
            for t in range(3):
                if res_mode[lv, t] == 2:
                    continue
                for target in range(lo - 1, hi + 1):
                    if target == res[lv, t] or (target == lo - 1 and res_mode[lv, t] != 1):
                        continue
                    ca[:] = assign
                    co[:] = order
                    cr[:] = res
                    cr[lv, t] = -1 if target == lo - 1 else target
                    v = _evaluate(ca, co, cr, slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start,
                                  bypass_ok, stride, window, costs, caps, rows, cols, objective,
                                  rules, dims, factors, kinds, reds, counts, usage, acc_mask)
                    evals += 1
                    if v < cur:
                        cur = v
                        res[:] = cr
                        improved = True
    return cur, evals


@jit
def search(slot_dim, slot_kind, slot_red, prime_val, prime_dim, dim_slots, dim_nslots,
           n_outer, pe_start, res_mode, stride, window, costs, caps, rows, cols, objective,
           rules, acc_mask, n_samples, n_climb, n_starts, seed, best_assign, best_order, best_res):
    """Random sampling in ``n_starts`` batches; from each batch's best sample, ``n_climb``
    steps of simulated annealing, then a systematic local search to a local optimum.

    Returns
    -------
    (float, int, int)
        Best score (``inf`` if nothing legal), mappings evaluated, legal mappings sampled.
    """
    np.random.seed(seed)
    k = slot_dim.shape[0]
    p = prime_val.shape[0]
    bypass_ok = np.zeros((2, 3), dtype=np.int64)
    for lv in range(2):
        for t in range(3):
            bypass_ok[lv, t] = 1 if res_mode[lv, t] == 1 else 0
    dims = np.zeros(k, dtype=np.int64)
    factors = np.ones(k, dtype=np.int64)
    kinds = np.zeros(k, dtype=np.int64)
    reds = np.zeros(k, dtype=np.int64)
    counts = np.zeros((4, 3, 4), dtype=np.int64)
    usage = np.zeros((2, 3), dtype=np.int64)
    starts_a = np.zeros((n_starts, p), dtype=np.int64)
    starts_o = np.zeros((n_starts, k), dtype=np.int64)
    starts_r = np.zeros((n_starts, 2, 3), dtype=np.int64)
    starts_s = np.full(n_starts, np.inf)
    assign = np.zeros(p, dtype=np.int64)
    order = np.zeros(k, dtype=np.int64)
    res = np.zeros((2, 3), dtype=np.int64)
    evaluated = 0
    legal = 0
    # the samples fall into n_starts equal batches; each batch's best is one start, so the
    # local searches begin in different regions of the mapspace
    per_batch = max(1, n_samples // n_starts)
    for i in range(per_batch * n_starts):
        st = i // per_batch
        _random_genome(assign, order, res, prime_dim, dim_slots, dim_nslots, n_outer, pe_start, k, res_mode)
        s = _evaluate(assign, order, res, slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start,
                      bypass_ok, stride, window, costs, caps, rows, cols, objective, rules,
                      dims, factors, kinds, reds, counts, usage, acc_mask)
        evaluated += 1
        if s < np.inf:
            legal += 1
            if s < starts_s[st]:
                starts_s[st] = s
                starts_a[st] = assign
                starts_o[st] = order
                starts_r[st] = res
    best = np.inf
    cand_a = np.zeros(p, dtype=np.int64)
    cand_o = np.zeros(k, dtype=np.int64)
    cand_r = np.zeros((2, 3), dtype=np.int64)
    for st in range(n_starts):
        if starts_s[st] == np.inf:
            continue
        assign[:] = starts_a[st]
        order[:] = starts_o[st]
        res[:] = starts_r[st]
        cur = starts_s[st]
        top = cur
        top_a = assign.copy()
        top_o = order.copy()
        top_r = res.copy()
        # simulated annealing: accept a worse move with probability exp(-rise / temperature),
        # the temperature falling geometrically from 3 % of the start score to ~0
        temp0 = 0.03 * cur
        for step in range(n_climb):
            temp = temp0 * (1.0 - step / n_climb) ** 3
            cand_a[:] = assign
            cand_o[:] = order
            cand_r[:] = res
            _mutate(cand_a, cand_o, cand_r, prime_dim, dim_slots, dim_nslots, n_outer, pe_start, k, res_mode)
            v = _evaluate(cand_a, cand_o, cand_r, slot_dim, slot_kind, slot_red, prime_val, n_outer,
                          pe_start, bypass_ok, stride, window, costs, caps, rows, cols, objective,
                          rules, dims, factors, kinds, reds, counts, usage, acc_mask)
            evaluated += 1
            if v == np.inf:
                continue
            if v <= cur or (temp > 0 and np.random.random() < np.exp((cur - v) / temp)):
                cur = v
                assign[:] = cand_a
                order[:] = cand_o
                res[:] = cand_r
                if v < top:
                    top = v
                    top_a[:] = assign
                    top_o[:] = order
                    top_r[:] = res
        cur = top
        assign[:] = top_a
        order[:] = top_o
        res[:] = top_r
        cur, evals = _climb(assign, order, res, cur, slot_dim, slot_kind, slot_red, prime_val,
                            prime_dim, dim_slots, dim_nslots, n_outer, pe_start, res_mode, bypass_ok,
                            stride, window, costs, caps, rows, cols, objective, rules, 100000,
                            dims, factors, kinds, reds, counts, usage, acc_mask)
        evaluated += evals
        if cur < best:
            best = cur
            best_assign[:] = assign
            best_order[:] = order
            best_res[:] = res
    return best, evaluated, legal


@jit
def evaluate_batch(dims, factors, kinds, reds, res, stride, window, costs, caps, objective, pes, out):
    """Score a batch of nests (rows of the 2-D arrays, ``res`` 3-D); ``inf`` where one overflows."""
    counts = np.zeros((4, 3, 4), dtype=np.int64)
    usage = np.zeros((2, 3), dtype=np.int64)
    for b in range(dims.shape[0]):
        macs = count_accesses(dims[b], factors[b], kinds[b], reds[b], res[b], stride, window, counts, usage)
        if _overflow(usage, caps, 0) > 0 or _overflow(usage, caps, 1) > 0:
            out[b] = np.inf
            continue
        out[b] = score_of(counts, macs, compute_steps(factors[b], kinds[b]), costs, objective, pes)
