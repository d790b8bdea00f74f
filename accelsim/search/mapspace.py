"""The mapspace of a dataflow: random members (for tests and exploration)."""

from __future__ import annotations

import numpy as np

from ..dataflows import template
from ..dataflows.base import Keep
from ..dataflows.lowering import genome_to_mapping, search_space
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping


def random_mapping(layer: ConvLayer, dataflow, rng: np.random.Generator, rows: int | None = None,
                   cols: int | None = None) -> Mapping:
    """A random mapping of ``layer`` that obeys the dataflow's structure.

    Every prime factor of every dimension goes to a random allowed place, loop orders are
    shuffled, and tile starts are drawn at random (bypassing where the dataflow allows it).
    Capacities are not checked; spatial factors are limited to ``rows`` × ``cols`` PEs when
    given (factors that do not fit move to the outer level).
    """
    tpl = template(dataflow)
    sp = search_space(tpl, layer)
    k = len(sp.slot_dim)
    assign = np.empty(len(sp.prime_val), dtype=np.int64)
    for i, d in enumerate(sp.prime_dim):
        assign[i] = sp.dim_slots[d, rng.integers(sp.dim_nslots[d])]
    if rows is not None and cols is not None:
        # a dimension pinned to both array axes (WS's R and S) cannot move outward: deal its
        # prime factors, largest first, to a random axis that still has room for them
        cap = {1: rows, 2: cols}
        used = {1: 1, 2: 1}
        for i in sorted(range(len(assign)), key=lambda j: -int(sp.prime_val[j])):
            slots = sp.dim_slots[sp.prime_dim[i], : sp.dim_nslots[sp.prime_dim[i]]]
            if sorted(int(sp.slot_kind[s]) for s in slots) != [1, 2] or slots[0] < sp.n_outer:
                continue
            fits = [s for s in slots if used[sp.slot_kind[s]] * sp.prime_val[i] <= cap[sp.slot_kind[s]]]
            if fits:
                assign[i] = fits[rng.integers(len(fits))]
                used[sp.slot_kind[assign[i]]] *= int(sp.prime_val[i])
    for kind, limit in ((1, rows), (2, cols)):
        if limit is None:
            continue
        while True:
            on_axis = [i for i in range(len(assign)) if sp.slot_kind[assign[i]] == kind]
            used = int(np.prod([sp.prime_val[i] for i in on_axis])) if on_axis else 1
            if used <= limit:
                break
            movable = [i for i in on_axis if sp.dim_slots[sp.prime_dim[i], 0] < sp.n_outer]
            if not movable:
                raise ValueError("the dataflow needs more PEs than the array has")
            i = max(movable, key=lambda j: sp.prime_val[j])
            assign[i] = sp.dim_slots[sp.prime_dim[i], 0]
    order = np.arange(k, dtype=np.int64)
    rng.shuffle(order[: sp.n_outer])
    rng.shuffle(order[sp.pe_start:])
    res = np.zeros((2, 3), dtype=np.int64)
    for lv, (lo, hi) in enumerate(((0, sp.n_outer), (sp.pe_start, k))):
        for t in range(3):
            mode = Keep(int(sp.res_mode[lv, t]))
            if mode is Keep.NO or (mode is Keep.OPTIONAL and rng.random() < 0.25):
                res[lv, t] = -1
            else:
                res[lv, t] = rng.integers(lo, hi + 1)
    return genome_to_mapping(sp, tpl, assign, order, res)
