"""The mapper's kernel: genomes, their repair and evaluation, and the search over them.

A genome is which slot every prime factor goes to (``assign``: int64[P]), the order of the
slots (``order``: int64[K]) and where each data type's GLB and RF tiles start (``res``:
int64[N_TILE_LEVELS, N_TYPES], ``BYPASS`` = none). Slots are grouped OUTER | ROW | COL | PE, on a
hierarchical mesh OUTER | CROW | CCOL | ROW | COL | PE (``slot_dim``, ``slot_kind``,
``slot_red``: int64[K]; the PE slots start at ``pe_start``, the outer ones end at ``n_outer``;
the spatial slots between keep their order, so cluster loops lie above the PE-array loops);
:func:`accelsim.dataflows.lowering.search_space` builds them from a dataflow's template.
``res_mode[lv, t]`` is 0 keep, 1 may bypass, 2 bypass. Prime ``i`` may go
to the slots of its choice set ``set_slots[prime_set[i], :set_nslots[prime_set[i]]]`` (its
dimension's slots, fewer under pinned factors); ``order_rank`` (empty: none) fixes the relative
order of some slots; ``min_pes`` (0: none) is the fewest PEs a mapping may use. Constraints
(:mod:`accelsim.spec.constraints`) are these restrictions, so every genome the search draws,
mutates or repairs meets them.

Evaluating a genome (:func:`evaluate_genome`) builds the loop nest, repairs it (prime factors that
overflow the array move to the outer level; tile starts move inward until every buffer fits),
counts it with :func:`accelsim.kernels.analytic.count_accesses`, rejects it if it
:func:`breaks_rules`, and scores it (:func:`score_of`). :func:`search` samples random genomes,
anneals from the best of each batch and climbs to a local optimum. Indices are
:mod:`accelsim.layout`'s.
"""

from __future__ import annotations

import numpy as np

from ..layout import (
    BYPASS, C_CLOCK, CAP_BANK_WORDS, CAP_BANKS, CAP_BITS0, CAP_DEDICATED0, CAP_POOL_BITS, CAP_SHARED, CCOL, COL, CROW,
    D_E,
    D_F, DRAM,
    FILTER, IFMAP, N_COUNT_STATS, N_LEVELS, N_TILE_LEVELS, N_TIMING, N_TYPES, PSUM, READS, ROW, RULE_ALLOW_SPILL,
    RULE_FILTERS_ONCE, RULE_NO_GLB_WINDOW, TEMPORAL, TILE_GLB, TILE_RF)
from .analytic import (RELEVANCE, compute_steps, count_accesses, energy_of, perfect_timing, roofline_cycles,
                       tile_words)
from .jit import jit


@jit
def score_of(counts, macs, steps, costs, objective, pes, timing):
    """Objective value: 0 energy, 1 cycles (energy breaks ties), 2 energy × cycles.

    Energy is :func:`accelsim.kernels.analytic.energy_of` plus, on a machine with a clock/static
    term (``costs[C_CLOCK]`` > 0), that term × the cycles (as the result charges it); cycles are
    :func:`accelsim.kernels.analytic.roofline_cycles` (the compute ``steps`` when ``costs``
    carries no rates). The energy objective carries a tie-break of 0.001 % per unit of
    ``steps · pes / macs`` (the inverse PE utilisation), so of two mappings within a fraction
    of a percent in energy the one using more of the ``pes`` PEs wins.

    Parameters
    ----------
    counts : ndarray
        int64[N_LEVELS, N_TYPES, N_COUNT_STATS] access counts, words.
    macs, steps : int
        MACs and compute steps (cycles without stalls) of the nest.
    costs : ndarray
        float64[N_COSTS], :func:`accelsim.dataflows.lowering.cost_array`.
    objective : int
        0 energy, 1 cycles, 2 energy-delay product.
    pes : int
        PEs of the array.
    timing : ndarray
        float64[N_TIMING], the nest's fold cycles and bus links
        (:func:`accelsim.kernels.analytic.roofline_timing`).

    Returns
    -------
    float
        The score (lower is better).
    """
    energy = energy_of(counts, macs, costs)
    clock = costs[C_CLOCK]
    if objective == 0 and clock == 0.0:
        return energy * (1.0 + 1e-5 * steps * pes / macs)
    cycles = roofline_cycles(counts, steps, costs, -1.0, timing)
    energy += clock * cycles
    if objective == 0:
        return energy * (1.0 + 1e-5 * steps * pes / macs)
    if objective == 1:
        return cycles * (1.0 + 1e-9 * energy / macs)
    return energy * cycles


@jit
def _overflow(usage, caps, lv):
    """Bits by which tile level ``lv`` (``TILE_GLB``, ``TILE_RF``) of ``usage`` (int64[2, 3],
    words per data type) overflows ``caps`` (:func:`accelsim.dataflows.lowering.capacity_array`,
    columns ``CAP_*``); 0 = it fits. ``caps[lv, CAP_SHARED] < 0`` = unbounded.

    A type of ``b`` bits spilling ``w`` words past its dedicated words takes ``w · b`` bits of
    the shared pool (``caps[lv, CAP_SHARED]`` words of ``caps[lv, CAP_POOL_BITS]`` bits). With
    banks (``caps[lv, CAP_BANK_WORDS]`` pool words each, ``caps[lv, CAP_BANKS]`` of them, each
    wholly one data type) it takes ``ceil(w · b / bank bits)`` banks; banks taken beyond the
    count add a bank's bits each. With every width equal this is the word count, scaled.
    """
    if caps[lv, CAP_SHARED] < 0:
        return 0
    pool = caps[lv, CAP_POOL_BITS]
    bank = caps[lv, CAP_BANK_WORDS] * pool
    spill = 0
    banks = 0
    for t in range(N_TYPES):
        extra = usage[lv, t] - caps[lv, CAP_DEDICATED0 + t]
        if extra > 0:
            bits = extra * caps[lv, CAP_BITS0 + t]
            spill += bits
            if bank > 0:
                banks += (bits + bank - 1) // bank
    room = caps[lv, CAP_SHARED] * pool
    over = spill - room if spill > room else 0
    if bank > 0 and banks > caps[lv, CAP_BANKS] and (banks - caps[lv, CAP_BANKS]) * bank > over:
        over = (banks - caps[lv, CAP_BANKS]) * bank
    return over


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
def _repair(dims, factors, res, caps, hi, lv, stride, bypass_ok):
    """Move tile starts of level ``lv`` inward until they fit; False if impossible."""
    usage = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    while True:
        for t in range(N_TYPES):
            usage[lv, t] = tile_words(t, dims, factors, res[lv, t], stride) if res[lv, t] >= 0 else 0
        if _overflow(usage, caps, lv) == 0:
            return True
        worst = -1
        for t in range(N_TYPES):
            if res[lv, t] >= 0 and res[lv, t] < hi and (worst < 0 or usage[lv, t] > usage[lv, worst]):
                worst = t
        if worst < 0:
            for t in range(N_TYPES):
                if res[lv, t] >= 0 and bypass_ok[lv, t] == 1 and (worst < 0 or usage[lv, t] > usage[lv, worst]):
                    worst = t
            if worst < 0:
                return False
            res[lv, worst] = BYPASS
        else:
            res[lv, worst] += 1


@jit
def _repair_array(assign, slot_kind, prime_val, prime_set, set_slots, set_nslots, n_outer, kind, limit):
    """Move prime factors from slots of array axis ``kind`` to the outer slot of their choice
    set (largest first) until the axis needs at most ``limit`` PEs; False if impossible."""
    while True:
        used = 1
        for i in range(prime_val.shape[0]):
            if slot_kind[assign[i]] == kind:
                used *= prime_val[i]
        if used <= limit:
            return True
        pick = -1
        target = -1
        for i in range(prime_val.shape[0]):
            if slot_kind[assign[i]] != kind or (pick >= 0 and prime_val[i] <= prime_val[pick]):
                continue
            c = prime_set[i]
            for j in range(set_nslots[c]):
                if set_slots[c, j] < n_outer:
                    pick = i
                    target = set_slots[c, j]
        if pick < 0:
            return False
        assign[pick] = target


@jit
def _repair_order(order, order_rank, lo, hi):
    """Put the ranked slots among ``order[lo:hi]`` in rank order, on the positions they hold."""
    for a in range(lo, hi):
        if order_rank[order[a]] < 0:
            continue
        for b in range(a + 1, hi):
            if order_rank[order[b]] >= 0 and order_rank[order[b]] < order_rank[order[a]]:
                tmp = order[a]
                order[a] = order[b]
                order[b] = tmp


@jit
def _pes_used(assign, slot_kind, prime_val):
    used = 1
    for i in range(prime_val.shape[0]):
        if slot_kind[assign[i]] != TEMPORAL:
            used *= prime_val[i]
    return used


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
    if (rules & RULE_NO_GLB_WINDOW) and res[TILE_GLB, IFMAP] >= 0:
        for j in range(res[TILE_GLB, IFMAP], dims.shape[0]):
            if kinds[j] == TEMPORAL and factors[j] > 1 and (dims[j] == D_E or dims[j] == D_F):
                return True
    return False


@jit
def evaluate_genome(assign, order, res, slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start,
                    bypass_ok, stride, window, costs, caps, rows, cols, objective, rules,
                    dims, factors, kinds, reds, counts, usage, timing, acc_mask,
                    prime_set, set_slots, set_nslots, order_rank, min_pes, crows, ccols):
    """Score of one genome, as the search evaluates every genome it considers.

    Repairs the genome in place (``assign``: prime factors past the array's ``rows`` and
    ``cols``, or past the cluster array's ``crows`` and ``ccols``, move to the outer slot of
    their choice set; ``order``: ranked slots put in rank
    order; ``res``: tile starts move inward, or bypass where ``bypass_ok[lv, t]``, until each
    buffer fits ``caps``), builds its nest into ``dims,
    factors, kinds, reds`` (int64[K]), counts it into ``counts`` and ``usage`` and scores it
    (:func:`score_of`).

    Parameters
    ----------
    assign, order, res : ndarray
        The genome: int64[P] slot of every prime factor, int64[K] slot order, int64[2, 3] tile
        starts. Modified in place by the repair.
    slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start, acc_mask
        The mapspace (:class:`accelsim.dataflows.lowering.SearchSpace`).
    stride, window : int
        The layer's stride and the dataflow's window flags (:func:`count_accesses`).
    costs, caps : ndarray
        :func:`accelsim.dataflows.lowering.cost_array` and ``capacity_array``.
    rows, cols : int
        PE array size; on a hierarchical mesh the PEs of one cluster.
    objective, rules : int
        As :func:`score_of`; the search rules (``RULE_*`` bits, :func:`breaks_rules`).
    dims, factors, kinds, reds, counts, usage, timing : ndarray
        Scratch arrays (int64[K], int64[K], int64[K], int64[K], int64[4, 3, 4], int64[2, 3],
        float64[N_TIMING]: the roofline's timing, filled only for the cycles and EDP objectives and
        on a machine with a clock/static term).
    prime_set, set_slots, set_nslots, order_rank : ndarray
        The choice sets and pinned slot order (module docstring).
    min_pes : int
        Fewest PEs the mapping may occupy (0: any).
    crows, ccols : int
        Cluster array size of a hierarchical mesh (its ``CROW`` / ``CCOL`` slots); 0 = no
        cluster slots (a flat NoC: no repair pass over them).

    Returns
    -------
    float
        The score, ``inf`` if the genome cannot be repaired, occupies fewer than ``min_pes``
        PEs, a PE loop accumulates outside the RF psum tile, or the nest breaks a rule.
    """
    if not _repair_array(assign, slot_kind, prime_val, prime_set, set_slots, set_nslots, n_outer, ROW, rows):
        return np.inf
    if not _repair_array(assign, slot_kind, prime_val, prime_set, set_slots, set_nslots, n_outer, COL, cols):
        return np.inf
    if crows > 0:
        if not _repair_array(assign, slot_kind, prime_val, prime_set, set_slots, set_nslots, n_outer, CROW, crows):
            return np.inf
        if not _repair_array(assign, slot_kind, prime_val, prime_set, set_slots, set_nslots, n_outer, CCOL, ccols):
            return np.inf
    if min_pes > 1 and _pes_used(assign, slot_kind, prime_val) < min_pes:
        return np.inf
    if order_rank.shape[0] > 0:
        _repair_order(order, order_rank, 0, n_outer)
        _repair_order(order, order_rank, pe_start, slot_dim.shape[0])
    _build(assign, order, slot_dim, slot_kind, slot_red, prime_val, dims, factors, kinds, reds)
    if not _repair(dims, factors, res, caps, n_outer, TILE_GLB, stride, bypass_ok):
        return np.inf
    if not _repair(dims, factors, res, caps, dims.shape[0], TILE_RF, stride, bypass_ok):
        return np.inf
    if res[TILE_RF, PSUM] >= 0:
        # the dataflow accumulates these dimensions' PE loops inside the RF psum tile
        for j in range(pe_start, res[TILE_RF, PSUM]):
            if factors[j] > 1 and acc_mask[dims[j]] == 1:
                return np.inf
    macs = count_accesses(dims, factors, kinds, reds, res, stride, window, counts, usage)
    if breaks_rules(rules, dims, factors, kinds, res, counts):
        return np.inf
    if objective != 0 or costs[C_CLOCK] != 0.0:  # the cycles score (or the clock term's energy)
        perfect_timing(dims, factors, kinds, res, costs, timing)
    pes = rows * cols * (crows * ccols if crows > 0 else 1)
    return score_of(counts, macs, compute_steps(factors, kinds), costs, objective, pes, timing)


@jit
def evaluation_args(slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start, res_mode, stride, window,
                    costs, caps, rows, cols, objective, rules, acc_mask, prime_set, set_slots, set_nslots,
                    order_rank, min_pes, crows, ccols):
    """The arguments of :func:`evaluate_genome` after the genome, as one tuple.

    ``evaluate_genome(assign, order, res, *args)`` scores a genome; the tuple carries the
    mapspace and machine as given, ``bypass_ok`` (where ``res_mode`` is 1) and fresh scratch
    arrays for the mapspace's ``slot_dim.shape[0]`` slots, which every evaluation overwrites.

    Parameters
    ----------
    slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start, res_mode, acc_mask
        The mapspace (:class:`accelsim.dataflows.lowering.SearchSpace`).
    stride, window, costs, caps, rows, cols, objective, rules
        As :func:`evaluate_genome`.
    prime_set, set_slots, set_nslots, order_rank, min_pes
        The choice sets, pinned slot order and fewest PEs (module docstring).
    crows, ccols : int
        The cluster array (0: no cluster slots), as :func:`evaluate_genome`.

    Returns
    -------
    tuple
        The arguments of :func:`evaluate_genome` from ``slot_dim`` on.
    """
    k = slot_dim.shape[0]
    bypass_ok = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    for lv in range(N_TILE_LEVELS):
        for t in range(N_TYPES):
            bypass_ok[lv, t] = 1 if res_mode[lv, t] == 1 else 0
    dims = np.zeros(k, dtype=np.int64)
    factors = np.ones(k, dtype=np.int64)
    kinds = np.zeros(k, dtype=np.int64)
    reds = np.zeros(k, dtype=np.int64)
    counts = np.zeros((N_LEVELS, N_TYPES, N_COUNT_STATS), dtype=np.int64)
    usage = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    timing = np.zeros(N_TIMING, dtype=np.float64)
    return (slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start, bypass_ok, stride, window, costs, caps,
            rows, cols, objective, rules, dims, factors, kinds, reds, counts, usage, timing, acc_mask,
            prime_set, set_slots, set_nslots, order_rank, min_pes, crows, ccols)


@jit
def _level_loops(lv, n_outer, pe_start, k):
    """The loop positions ``lo, hi`` among which tile level ``lv`` starts its tiles (a start
    lies in ``lo..hi``, ``hi`` = an empty tile): the outer loops for the GLB, the PE loops for
    the RF. Each range is also one temporal level, whose loops the search reorders."""
    if lv == TILE_GLB:
        return 0, n_outer
    return pe_start, k


@jit
def _restart_tiles(res, pe_start):
    """Push every tile start that is not bypassed outward again (GLB 0, RF ``pe_start``)."""
    for t in range(N_TYPES):
        if res[TILE_GLB, t] >= 0:
            res[TILE_GLB, t] = 0
        if res[TILE_RF, t] >= 0:
            res[TILE_RF, t] = pe_start


@jit
def random_genome(assign, order, res, prime_set, set_slots, set_nslots, n_outer, pe_start, k, res_mode):
    """Draw a genome into ``assign, order, res`` with numba's ``np.random`` (seeded by the caller):
    every prime factor in a random slot of its dimension, each temporal group shuffled, every
    tile start random (bypassed where ``res_mode`` says 2, a quarter of the time where 1)."""
    for i in range(prime_set.shape[0]):
        d = prime_set[i]
        assign[i] = set_slots[d, np.random.randint(set_nslots[d])]
    for i in range(k):
        order[i] = i
    for lv in range(N_TILE_LEVELS):
        lo, hi = _level_loops(lv, n_outer, pe_start, k)
        for i in range(hi - 1, lo, -1):
            j = lo + np.random.randint(i - lo + 1)
            tmp = order[i]
            order[i] = order[j]
            order[j] = tmp
    for t in range(N_TYPES):
        for lv in range(N_TILE_LEVELS):
            lo, hi = _level_loops(lv, n_outer, pe_start, k)
            # res_mode: 0 keep, 1 may bypass, 2 bypass
            mode = res_mode[lv, t]
            if mode == 2 or (mode == 1 and np.random.randint(4) == 0):
                res[lv, t] = BYPASS
            else:
                res[lv, t] = lo + np.random.randint(hi - lo + 1)


@jit
def _mutate(assign, order, res, prime_set, set_slots, set_nslots, n_outer, pe_start, k, res_mode):
    """One random move: a prime factor to another slot (half the time with every tile start
    pushed outward again), two loops of a level swapped, or a tile start moved or toggled."""
    p = prime_set.shape[0]
    what = np.random.randint(5) if p > 0 else 2 + np.random.randint(3)
    if what <= 1:
        i = np.random.randint(p)
        d = prime_set[i]
        assign[i] = set_slots[d, np.random.randint(set_nslots[d])]
        if what == 1:
            _restart_tiles(res, pe_start)
    elif what == 2:
        lo, hi = _level_loops(np.random.randint(N_TILE_LEVELS), n_outer, pe_start, k)
        if hi - lo >= 2:
            i = lo + np.random.randint(hi - lo)
            j = lo + np.random.randint(hi - lo)
            tmp = order[i]
            order[i] = order[j]
            order[j] = tmp
    else:
        lv = what - 3  # 3: TILE_GLB, 4: TILE_RF
        t = np.random.randint(3)
        lo, hi = _level_loops(lv, n_outer, pe_start, k)
        if res_mode[lv, t] == 1 and np.random.randint(5) == 0:
            res[lv, t] = BYPASS if res[lv, t] >= 0 else lo + np.random.randint(hi - lo + 1)
        elif res[lv, t] >= 0:
            res[lv, t] = lo + np.random.randint(hi - lo + 1)


@jit
def _try_move(ca, co, cr, assign, order, res, cur, args):
    """Evaluate the candidate ``ca, co, cr``, the genome ``assign, order, res`` (scoring ``cur``)
    with one move applied (``args``: :func:`evaluation_args`). A better candidate becomes the
    genome, as the evaluation repaired it; any other is reset to the genome, for the next move.
    Returns the genome's score."""
    v = evaluate_genome(ca, co, cr, *args)
    if v < cur:
        assign[:] = ca
        order[:] = co
        res[:] = cr
        return v
    ca[:] = assign
    co[:] = order
    cr[:] = res
    return cur


@jit
def _climb(assign, order, res, cur, args, draw, max_evals):
    """First-improvement local search over the whole neighbourhood of a genome, repeated until
    no neighbour is better: move one prime factor (keeping or re-maximising the tile starts),
    swap two loops of one level, move or toggle one tile start.

    ``args`` are :func:`evaluation_args`, ``draw`` the mapspace arguments of
    :func:`random_genome` after the genome. The genome is a repaired one (as every genome the
    search keeps), so repairing it again leaves it as it is: a neighbour differs from it only
    by its move and what the repair of that move changes.
    """
    prime_set, set_slots, set_nslots, n_outer, pe_start, k, res_mode = draw
    # the candidate: the genome with one move applied (_try_move resets it after each move)
    ca = assign.copy()
    co = order.copy()
    cr = res.copy()
    evals = 0
    improved = True
    while improved and evals < max_evals:
        start = cur
        # 1. move a prime factor to another slot of its dimension
        for i in range(prime_set.shape[0]):
            d = prime_set[i]
            for si in range(set_nslots[d]):
                s = set_slots[d, si]
                if s == assign[i]:
                    continue
                for variant in range(2):
                    ca[i] = s
                    if variant == 1:
                        _restart_tiles(cr, pe_start)
                    cur = _try_move(ca, co, cr, assign, order, res, cur, args)
                    evals += 1
        # 2. swap two loops within a temporal level
        for lv in range(N_TILE_LEVELS):
            lo, hi = _level_loops(lv, n_outer, pe_start, k)
            for a in range(lo, hi):
                for b in range(a + 1, hi):
                    co[a], co[b] = co[b], co[a]
                    cur = _try_move(ca, co, cr, assign, order, res, cur, args)
                    evals += 1
        # 3. move or toggle a tile start
        for lv in range(N_TILE_LEVELS):
            lo, hi = _level_loops(lv, n_outer, pe_start, k)
            for t in range(N_TYPES):
                if res_mode[lv, t] == 2:
                    continue
                for target in range(lo - 1, hi + 1):
                    if target == res[lv, t] or (target == lo - 1 and res_mode[lv, t] != 1):
                        continue
                    cr[lv, t] = BYPASS if target == lo - 1 else target
                    cur = _try_move(ca, co, cr, assign, order, res, cur, args)
                    evals += 1
        improved = cur < start  # every move taken lowers the score
    return cur, evals


@jit
def search(slot_dim, slot_kind, slot_red, prime_val, prime_set, set_slots, set_nslots,
           n_outer, pe_start, res_mode, stride, window, costs, caps, rows, cols, objective,
           rules, acc_mask, n_samples, n_climb, n_starts, seed, best_assign, best_order, best_res,
           order_rank, min_pes, crows, ccols):
    """Random sampling in ``n_starts`` batches; from each batch's best sample, ``n_climb``
    steps of simulated annealing, then a systematic local search to a local optimum. Every
    genome is drawn from the choice sets and repaired to ``order_rank`` and ``min_pes``
    (module docstring), so every mapping returned meets them. ``rows, cols`` and ``crows,
    ccols`` are the array limits of :func:`evaluate_genome`.

    Returns
    -------
    (float, int, int)
        Best score (``inf`` if nothing legal), mappings evaluated, legal mappings sampled.
    """
    np.random.seed(seed)
    k = slot_dim.shape[0]
    p = prime_val.shape[0]
    args = evaluation_args(slot_dim, slot_kind, slot_red, prime_val, n_outer, pe_start, res_mode, stride, window,
                           costs, caps, rows, cols, objective, rules, acc_mask, prime_set, set_slots, set_nslots,
                           order_rank, min_pes, crows, ccols)
    draw = (prime_set, set_slots, set_nslots, n_outer, pe_start, k, res_mode)
    starts_a = np.zeros((n_starts, p), dtype=np.int64)
    starts_o = np.zeros((n_starts, k), dtype=np.int64)
    starts_r = np.zeros((n_starts, N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    starts_s = np.full(n_starts, np.inf)
    assign = np.zeros(p, dtype=np.int64)
    order = np.zeros(k, dtype=np.int64)
    res = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    evaluated = 0
    legal = 0
    # the samples fall into n_starts equal batches; each batch's best is one start, so the
    # local searches begin in different regions of the mapspace
    per_batch = max(1, n_samples // n_starts)
    for i in range(per_batch * n_starts):
        st = i // per_batch
        random_genome(assign, order, res, *draw)
        s = evaluate_genome(assign, order, res, *args)
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
    cand_r = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
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
            _mutate(cand_a, cand_o, cand_r, *draw)
            v = evaluate_genome(cand_a, cand_o, cand_r, *args)
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
        cur, evals = _climb(assign, order, res, cur, args, draw, 100000)
        evaluated += evals
        if cur < best:
            best = cur
            best_assign[:] = assign
            best_order[:] = order
            best_res[:] = res
    return best, evaluated, legal
