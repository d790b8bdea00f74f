"""The mapper: the best legal mapping of a layer under a dataflow.

Search = seeded random sampling of the dataflow's mapspace (every prime factor of every
dimension dealt to one of the places the dataflow allows, loop orders shuffled, tile starts
repaired until they fit) followed by hill climbing from the best samples. Everything runs in
one numba kernel; the result is deterministic for a given seed.

The systolic dataflows (sys-os, sys-ws, sys-is) also consider their flattened im2col mappings
(:mod:`accelsim.search.im2col`: SCALE-Sim's own, the other fold order, evenly wide folds,
ragged last folds), each counted exactly by the enumerating analytic path; the kernel's search
of perfect factorisations stays on its closed-form fast path.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from ..dataflows import template
from .im2col import OPERANDS, im2col_variants
from ..dataflows.lowering import (SearchSpace, array_limits, capacity_array, cost_array, genome_to_mapping,
                                  has_clusters, pe_loop_order, search_space, window_flags)
from ..errors import CapacityError, InfeasibleError, MappingError, SpecError
from ..layout import CAP_SHARED, RULE_ALLOW_SPILL, RULE_FILTERS_ONCE, RULE_NO_GLB_WINDOW, TILE_GLB, TILE_RF
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer
from ..spec.constraints import MappingConstraints
from ..spec.dims import Dim, Place
from ..spec.mapping import Mapping


class Objective(str, Enum):
    """What the mapper minimises."""

    ENERGY = "energy"
    CYCLES = "cycles"
    EDP = "edp"


_OBJECTIVE_CODE = {Objective.ENERGY: 0, Objective.CYCLES: 1, Objective.EDP: 2}


def parse_objective(value) -> Objective:
    try:
        return Objective(str(value.value if isinstance(value, Enum) else value).lower())
    except ValueError:
        raise SpecError(f"unknown objective {value!r}; choose energy, cycles or edp", "objective") from None


@dataclass(frozen=True, slots=True)
class Budget:
    """Search effort: random samples, evaluation cap of each local search, local searches;
    ``ragged`` also searches imperfect factorisations (see :func:`best_mapping`)."""

    samples: int = 4000
    climb: int = 2000
    starts: int = 16
    seed: int = 2016
    ragged: bool = False


class BudgetSize(str, Enum):
    """Named search efforts (``--budget quick|default|thorough``)."""

    QUICK = "quick"
    DEFAULT = "default"
    THOROUGH = "thorough"


#: The named budgets: ``quick`` is the sweeps' example effort (an eighth of the default's samples,
#: two local searches), ``thorough`` four times the default's samples and climb, twice its starts.
BUDGETS: dict[BudgetSize, Budget] = {
    BudgetSize.QUICK: Budget(samples=500, climb=500, starts=2),
    BudgetSize.DEFAULT: Budget(),
    BudgetSize.THOROUGH: Budget(samples=16000, climb=8000, starts=32),
}


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    mapping: Mapping
    score: float
    considered: int
    legal: int


def rules_of(hw: Hardware, allow_spill: bool | None = None) -> int:
    """The search rules of ``hw`` as the kernel's bit mask (``RULE_*`` of
    :mod:`accelsim.layout`) from ``hw.rules``: psum spills allowed (``allow_spill`` overrides the
    hardware's), every filter read from DRAM once, no convolutional reuse in the GLB."""
    rules = hw.rules
    spill = rules.allow_psum_spill if allow_spill is None else allow_spill
    return ((RULE_ALLOW_SPILL if spill else 0)
            | (RULE_FILTERS_ONCE if rules.dram_filters_once else 0)
            | (0 if rules.glb_conv_reuse else RULE_NO_GLB_WINDOW))


def _min_pes(hw: Hardware, constraints: MappingConstraints | None) -> int:
    """The kernel's ``min_pes``: the fewest PEs ``constraints``' utilisation allows (0: any)."""
    if constraints is None or constraints.min_utilization <= 0:
        return 0
    return int(np.ceil(constraints.min_utilization * hw.num_pes - 1e-9))


def _check_array_pins(hw: Hardware, constraints: MappingConstraints | None) -> None:
    """Pinned spatial factors must fit the array (the search could only move them outward);
    on a hierarchical mesh ``row`` / ``col`` pins fit one cluster and ``crow`` / ``ccol`` pins the
    cluster array, and on a flat NoC there is no cluster place to pin."""
    if constraints is None:
        return
    rows, cols, crows, ccols = array_limits(hw)
    if not has_clusters(hw):
        pin = next((p for p in constraints.factors if p.place.cluster and p.factor > 1), None)
        if pin is not None:
            raise SpecError(f"pins a factor at {pin.place.value}, a place only a hierarchical mesh has (this "
                            f"machine's NoC is {hw.noc.kind.value}){constraints.where()}", field=pin.field)
    cluster = " of a cluster" if has_clusters(hw) else ""
    for place, side, label in ((Place.ROW, rows, f"PE rows{cluster}"), (Place.COL, cols, f"PE columns{cluster}"),
                               (Place.CROW, crows, "cluster rows"), (Place.CCOL, ccols, "cluster columns")):
        pins = [p for p in constraints.factors if p.place is place]
        used = int(np.prod([p.factor for p in pins])) if pins else 1
        if used > max(side, 1):
            raise SpecError(f"the factors pinned at {place.value} need {used} {label}, the array has {side}"
                            f"{constraints.where()}", field=pins[-1].field)


def _run(space: SearchSpace, tpl, layer: ConvLayer, hw: Hardware, caps: np.ndarray, objective: int,
         budget: Budget, rules: int, min_pes: int = 0):
    from ..kernels.search import search

    rows, cols, crows, ccols = array_limits(hw)
    assign = np.zeros(len(space.prime_val), dtype=np.int64)
    order = np.arange(len(space.slot_dim), dtype=np.int64)
    res = np.zeros((2, 3), dtype=np.int64)
    score, considered, legal = search(
        space.slot_dim, space.slot_kind, space.slot_red, space.prime_val, space.prime_set,
        space.set_slots, space.set_nslots, space.n_outer, space.pe_start, space.res_mode,
        layer.U, window_flags(tpl, hw), cost_array(hw), caps, rows, cols, objective,
        rules, space.acc_mask, budget.samples, budget.climb, budget.starts, budget.seed,
        assign, order, res, space.order_rank, min_pes, crows, ccols,
    )
    return score, considered, legal, assign, order, res


def best_mapping(layer: ConvLayer, hw: Hardware, dataflow="rs", objective=Objective.ENERGY,
                 budget: Budget | None = None, constraints: MappingConstraints | None = None, *,
                 flatten: bool = True) -> SearchOutcome:
    """Search the dataflow's mapspace for the mapping minimising ``objective``.

    With ``constraints`` (:mod:`accelsim.spec.constraints`) the mapspace is restricted to the
    mappings that meet them (:func:`accelsim.dataflows.lowering.constrain`); what they leave
    free is searched.

    The search deals the prime factors of every loop bound, so its mappings are perfect
    factorisations. With ``budget.ragged`` it also searches padded versions of the layer
    (:func:`padding_candidates`: bounds rounded up to fill an array side) and scores each
    one's best mapping exactly on the real layer, where the padded iterations are masked;
    the lowest score wins and ``considered`` counts every search.

    The systolic dataflows also score their flattened im2col mappings (:func:`_im2col_search`)
    unless ``flatten`` is false (an engine that cannot run flattened loops) or ``constraints``
    are given, or the machine is a hierarchical mesh (their folds span the whole array, not one
    cluster).

    On a hierarchical mesh (:func:`accelsim.dataflows.lowering.has_clusters`) the mapspace has
    cluster places (``crow``, ``ccol``) above the PE-array ones, and the search repairs the
    spatial factors to fit one cluster's PEs and the cluster array
    (:func:`accelsim.dataflows.lowering.array_limits`).

    Raises
    ------
    InfeasibleError
        No legal mapping exists (the message says which resource is too small).
    SpecError
        ``constraints`` no legal mapping meets (``field`` names the item: one the dataflow,
        the layer or the array cannot meet, or one without which a mapping exists).
    """
    tpl = template(dataflow)
    budget = budget or Budget()
    obj = _OBJECTIVE_CODE[parse_objective(objective)]
    _check_array_pins(hw, constraints)
    space = search_space(tpl, layer, constraints, clusters=has_clusters(hw), pe_order=pe_loop_order(hw))
    caps = capacity_array(hw)
    score, considered, legal, assign, order, res = _run(space, tpl, layer, hw, caps, obj, budget, rules_of(hw),
                                                        _min_pes(hw, constraints))
    mapping = genome_to_mapping(space, tpl, assign, order, res) if np.isfinite(score) else None
    best = SearchOutcome(mapping=mapping, score=float(score), considered=int(considered), legal=int(legal))
    if budget.ragged:
        best = _ragged_search(layer, hw, tpl, obj, budget, caps, best, constraints)
    if hw.model.scalesim_counts or hw.model.scalesim_timing:  # the kernel scores accelsim's conventions
        best = _rescored(best, layer, hw, tpl, obj)
    if flatten and tpl.dataflow in OPERANDS and (constraints is None or constraints.empty) and not has_clusters(hw):
        best = _im2col_search(layer, hw, tpl, obj, best)
    if best.mapping is None:
        if constraints is not None and not constraints.empty:
            _blame_constraints(tpl, layer, hw, budget, constraints)
        space = search_space(tpl, layer, clusters=has_clusters(hw), pe_order=pe_loop_order(hw))
        raise InfeasibleError(_diagnose(space, tpl, layer, hw, budget), field=f"{layer.name}")
    return best


def _without(constraints: MappingConstraints, field: str) -> MappingConstraints:
    """``constraints`` less the items at ``field``."""
    return replace(constraints, factors=tuple(p for p in constraints.factors if p.field != field),
                   orders=tuple(p for p in constraints.orders if p.field != field),
                   keeps=tuple(p for p in constraints.keeps if p.field != field),
                   min_utilization=0.0 if constraints.utilization_field == field else constraints.min_utilization)


def _blame_constraints(tpl, layer: ConvLayer, hw: Hardware, budget: Budget, constraints: MappingConstraints) -> None:
    """Raise :class:`SpecError` naming the constraint that leaves no legal mapping: the first
    item without which a quick search finds one (or all of them, if only dropping every one
    does); return if the layer has no legal mapping even unconstrained."""
    quick = Budget(samples=2000, climb=500, starts=2, seed=budget.seed)
    caps = capacity_array(hw)

    def feasible(c: MappingConstraints) -> bool:
        space = search_space(tpl, layer, c, clusters=has_clusters(hw), pe_order=pe_loop_order(hw))
        score, *_ = _run(space, tpl, layer, hw, caps, 0, quick, rules_of(hw), _min_pes(hw, c))
        return bool(np.isfinite(score))

    if not feasible(MappingConstraints()):
        return
    fields = list(dict.fromkeys([p.field for p in (*constraints.factors, *constraints.orders, *constraints.keeps)]
                                + ([constraints.utilization_field] if constraints.min_utilization > 0 else [])))
    for field in fields:
        if feasible(_without(constraints, field)):
            raise SpecError(f"no legal {tpl.dataflow.value} mapping of {layer.name} meets this together with the "
                            f"other constraints (without it one exists){constraints.where()}", field=field)
    raise SpecError(f"no legal {tpl.dataflow.value} mapping of {layer.name} meets these constraints (without them "
                    f"one exists){constraints.where()}", field=", ".join(fields))


_PADDABLE = (Dim.N, Dim.M, Dim.C, Dim.E, Dim.F)


def padding_candidates(layer: ConvLayer, hw: Hardware, tpl) -> list[tuple[int, ...]]:
    """Padded loop bounds worth searching: for every dimension the dataflow may spread over
    an array side of ``A`` PEs and whose bound ``D`` is not a multiple of ``A``, ``D`` rounded
    up to a multiple of ``A`` (full-width strips, a short last one) and to a multiple of
    ``ceil(D / ceil(D / A))`` (as few strips, evenly wide) — one dimension at a time, then all
    of them together. On a hierarchical mesh the sides are also a cluster's PE rows and columns
    and the cluster array's rows and columns (v1.5's 3-PE cluster rows take no power of two
    whole: a point-wise layer's 64 channels fill them only padded to 66)."""
    bounds = layer.loop_bounds()
    clusters = has_clusters(hw)
    sides = [(hw.pe_rows, "row"), (hw.pe_cols, "col")]
    if clusters:
        rows, cols, crows, ccols = array_limits(hw)
        sides += [(rows, "row"), (cols, "col"), (crows, "crow"), (ccols, "ccol")]
    per_dim: dict[Dim, set[int]] = {}
    for d in _PADDABLE:
        for side, place in dict.fromkeys(sides):
            if place not in tpl.places(d, clusters) or bounds[d] <= 1 or bounds[d] % side == 0:
                continue
            strips = -(-bounds[d] // side)
            for width in {side, -(-bounds[d] // strips)}:
                padded = -(-bounds[d] // width) * width
                if padded != bounds[d]:
                    per_dim.setdefault(d, set()).add(padded)
    out = []
    for d, values in per_dim.items():
        for v in sorted(values):
            out.append(tuple(v if i == d else b for i, b in enumerate(bounds)))
    if len(per_dim) > 1:
        out.append(tuple(min(per_dim[Dim(i)]) if Dim(i) in per_dim else b for i, b in enumerate(bounds)))
    return out


def _padded_layer(layer: ConvLayer, bounds: tuple[int, ...]) -> ConvLayer:
    g, n, mg, cg, e, f, r, s = bounds
    return replace(layer, N=n, M=g * mg, C=g * cg, H=(e - 1) * layer.U + r, W=(f - 1) * layer.U + s)


def _ragged_search(layer, hw, tpl, obj, budget, caps, best: SearchOutcome,
                   constraints: MappingConstraints | None = None) -> SearchOutcome:
    """Search each padded version of the layer, then score its best mapping exactly on the
    real layer (masked iterations cost nothing) and keep the overall best (of those meeting
    ``constraints``: a pinned factor must divide the padded bound too)."""
    from ..dataflows.lowering import lower_mapping
    from ..kernels.search import breaks_rules, score_of
    from ..sim.counting import check_fits, count_mapping
    from ..sim.roofline import mapping_timing

    considered, legal = best.considered, best.legal
    costs = cost_array(hw)
    for bounds in padding_candidates(layer, hw, tpl):
        big = _padded_layer(layer, bounds)
        try:
            space = search_space(tpl, big, constraints, clusters=has_clusters(hw), pe_order=pe_loop_order(hw))
        except SpecError:  # a pinned factor does not divide the padded bound
            continue
        score, n_cons, n_legal, assign, order, res = _run(space, tpl, big, hw, caps, obj, budget, rules_of(hw),
                                                          _min_pes(hw, constraints))
        considered += int(n_cons)
        legal += int(n_legal)
        if not np.isfinite(score):
            continue
        mapping = genome_to_mapping(space, tpl, assign, order, res)
        if constraints is not None and constraints.violations(mapping, layer.loop_bounds(), hw.num_pes):
            continue
        try:
            counts = count_mapping(mapping, layer, window_flags(tpl, hw))  # also checks the padding rule
            check_fits(mapping, counts, hw)
        except (MappingError, CapacityError):
            continue
        arr = lower_mapping(mapping)
        if breaks_rules(rules_of(hw), arr.dims, arr.factors, arr.kinds, arr.res, counts.counts):
            continue
        exact = float(score_of(counts.counts, counts.macs, counts.compute_steps, costs, obj, hw.pe_rows * hw.pe_cols,
                               mapping_timing(mapping, layer, costs)))
        if exact < best.score:
            best = SearchOutcome(mapping=mapping, score=exact, considered=considered, legal=legal)
    return SearchOutcome(mapping=best.mapping, score=best.score, considered=considered, legal=legal)


def exact_score(mapping: Mapping, layer: ConvLayer, hw: Hardware, tpl, obj: int) -> float:
    """The score of a given ``mapping`` as :func:`accelsim.sim.evaluate.evaluate` would count and
    time it on the analytic engine (the hardware's conventions included); ``inf`` when it does
    not cover the layer, does not fit or breaks the hardware's search rules."""
    from ..dataflows.lowering import lower_mapping
    from ..kernels.search import breaks_rules, score_of
    from ..sim.conventions import apply_scalesim_counts, compute_cycles, timing_costs
    from ..sim.counting import check_fits, count_mapping
    from ..sim.roofline import mapping_timing

    try:
        counts = count_mapping(mapping, layer, window_flags(tpl, hw))
        check_fits(mapping, counts, hw)
    except (MappingError, CapacityError):
        return float("inf")
    arr = lower_mapping(mapping)
    if breaks_rules(rules_of(hw), arr.dims, arr.factors, arr.kinds, arr.res, counts.counts):
        return float("inf")
    c = apply_scalesim_counts(mapping, layer, hw, counts.counts) if hw.model.scalesim_counts else counts.counts
    steps = compute_cycles(mapping, hw, counts.compute_steps)
    costs = timing_costs(hw)
    return float(score_of(c, counts.macs, steps, costs, obj, hw.pe_rows * hw.pe_cols,
                          mapping_timing(mapping, layer, costs)))


def _rescored(best: SearchOutcome, layer: ConvLayer, hw: Hardware, tpl, obj: int) -> SearchOutcome:
    """``best`` scored by :func:`exact_score` (under conventions the kernel does not model)."""
    if best.mapping is None:
        return best
    return replace(best, score=exact_score(best.mapping, layer, hw, tpl, obj))


def _im2col_search(layer: ConvLayer, hw: Hardware, tpl, obj: int, best: SearchOutcome) -> SearchOutcome:
    """The systolic dataflows' flattened candidates (:func:`accelsim.search.im2col.im2col_variants`:
    SCALE-Sim's own mapping, the other fold order, evenly wide folds), each scored exactly by the
    enumerating analytic path (:func:`exact_score`); the best of them and ``best`` wins."""
    considered, legal = best.considered, best.legal
    for mapping in im2col_variants(layer, tpl.dataflow, hw.pe_rows, hw.pe_cols, hw=hw):
        considered += 1
        score = exact_score(mapping, layer, hw, tpl, obj)
        if not np.isfinite(score):
            continue
        legal += 1
        if best.mapping is None or score < best.score:
            best = SearchOutcome(mapping=mapping, score=score, considered=considered, legal=legal)
    return replace(best, considered=considered, legal=legal)


_SIDE_NAME = {("row",): "PE rows", ("col",): "PE columns"}


def _pinned_overflow(tpl, layer: ConvLayer, hw: Hardware) -> str | None:
    """The dimensions a dataflow places whole on the array (RS: ``R`` on the rows; WS: each
    filter channel's ``R·S``) when they exceed it, as a reason; ``None`` when they fit."""
    bounds = layer.loop_bounds()
    side = {"row": hw.pe_rows, "col": hw.pe_cols}
    groups: dict[tuple[str, ...], list[Dim]] = {}
    for dim, place in tpl.pinned.items():
        places = place if isinstance(place, tuple) else (place,)
        if set(places) <= set(side):
            groups.setdefault(places, []).append(dim)
    for places, dims in groups.items():
        need = int(np.prod([bounds[d] for d in dims]))
        room = int(np.prod([side[p] for p in places]))
        if need > room:
            what = f"{'·'.join(d.name for d in dims)} = {need}"
            where = _SIDE_NAME.get(places, "PE array")
            have = {"PE rows": "PE row", "PE columns": "PE column"}.get(where, "PE")
            return (f"infeasible: the {tpl.dataflow.value} dataflow places the whole {what} on the {where}, and "
                    f"this {hw.pe_rows}×{hw.pe_cols} array has {room} {have}{'' if room == 1 else 's'}")
    return None


def _diagnose(space, tpl, layer, hw, budget) -> str:
    """Which resource makes a case infeasible: a dimension the dataflow places whole on a
    too-small array, else retry the search with each buffer relaxed."""
    pinned = _pinned_overflow(tpl, layer, hw)
    if pinned is not None:
        return pinned
    caps = capacity_array(hw)
    quick = Budget(samples=2000, climb=500, starts=2, seed=budget.seed)
    relaxed_glb = caps.copy()
    relaxed_glb[TILE_GLB, CAP_SHARED] = -1
    score, *_ , assign, order, res = _run(space, tpl, layer, hw, relaxed_glb, 0, quick, rules_of(hw))
    if np.isfinite(score):
        from ..sim.counting import count_mapping

        smallest = genome_to_mapping(space, tpl, assign, order, res)
        need = count_mapping(smallest, layer, window_flags(tpl, hw)).usage[0].sum()
        rules = hw.rules
        kept = [text for on, text in ((not rules.allow_psum_spill, "no psum spills to DRAM"),
                                      (rules.dram_filters_once, "every filter read from DRAM once"),
                                      (not rules.glb_conv_reuse, "no convolutional reuse in the buffer")) if on]
        spill = f" under its rules ({'; '.join(kept)})" if kept else ""
        return (f"infeasible: no {tpl.dataflow.value} mapping fits the global buffer "
                f"({hw.glb.total_words} words){spill}; even with an unbounded buffer the best "
                f"mapping found keeps {need} words in it")
    relaxed_rf = relaxed_glb.copy()
    relaxed_rf[TILE_RF, CAP_SHARED] = -1
    score, *_ = _run(space, tpl, layer, hw, relaxed_rf, 0, quick, rules_of(hw, allow_spill=True))
    if np.isfinite(score):
        return (f"infeasible: no {tpl.dataflow.value} mapping fits the PE register file "
                f"({hw.rf.total_words} words per PE)")
    return (f"infeasible: the {tpl.dataflow.value} dataflow cannot place this layer on a "
            f"{hw.pe_rows}×{hw.pe_cols} array (e.g. a dimension it must spread across PEs is larger "
            f"than the array)")
