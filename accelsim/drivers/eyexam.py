"""Eyexam: where a layer's throughput goes, as seven successive upper bounds in MAC/cycle.

Eyexam is the step-wise performance analysis of Chen, Yang, Emer and Sze (IEEE JETCAS 9(2),
2019, arXiv 1807.07928, Sec. VI and Table II; restated in Sze et al., IEEE Solid-State Circuits
Magazine, Summer 2020, Table 2). Each step adds one constraint and lowers the bound of the one
before; accelsim computes the seven steps of the table as follows (``B_d``: the layer's loop bound
of dimension ``d``, :meth:`~accelsim.spec.layer.ConvLayer.loop_bounds`):

1. *Layer size and shape* (maximum workload parallelism): the layer's MAC count. Every MAC's
   multiply is independent of every other; the accumulations into one output form a reduction
   tree that pipelines, so with unlimited PEs all MACs could issue in one cycle: the finite
   workload caps the parallelism at its MAC count (MAC/cycle).
2. *Dataflow loop nest* (maximum dataflow parallelism): the product of ``B_d`` over the
   dimensions the dataflow's template may spread across PEs (rows, columns, or pinned there),
   with unlimited PEs; the other dimensions run in time inside a PE.
3. *Number of PEs* (maximum PE parallelism): the best spatial factors ``f_d`` of those
   dimensions whose product fits the PE count, each worth ``B_d / ceil(B_d / f_d)`` MACs per
   cycle (a factor that does not divide its bound leaves a ragged last pass: shape
   fragmentation). A flattened group (the systolic dataflows' im2col operands ``(N,E,F)``,
   ``(C,R,S)``) counts as one axis of extent the members' product.
4. *Physical dimensions of the PE array* (active PEs): the same with the row factors fitting the
   rows and the column factors the columns (a dimension allowed on both may split between them).
   On a hierarchical mesh (Eyeriss v2's clusters) the array is two-level, as the mapper sees it
   (:func:`accelsim.dataflows.lowering.array_limits`): each dimension's factor splits into
   cluster-row × cluster-column × PE-row × PE-column factors, each side's product within the
   cluster array's rows / columns and one cluster's PE rows / columns, a dimension only on the
   sides its template allows (:meth:`~accelsim.dataflows.base.Template.places`).
5. *Fixed storage capacity* (active PEs): the compute throughput ``MACs / compute steps`` of the
   best legal mapping the mapper finds (RF and GLB capacities, the hardware's search rules) with
   the cycles objective (or of a given mapping).
6. *Fixed data bandwidth* (average bandwidth): ``MACs /`` the analytic engine's roofline cycles of
   that mapping (:func:`accelsim.sim.evaluate.analytic_cycles`: DRAM, GLB and NoC words over
   their rates, fold fill and drain).
7. *Varying data access patterns* (instantaneous bandwidth): the cycle engine's measured
   ``MACs / cycles`` on that mapping. (``engine="analytic"``: no instantaneous bandwidth, step 7
   is step 6).

Steps 2–4 are maxima over the dataflow's mapspace (plus the dimensions a given mapping itself
places on the array), so each is >= the next; step 5's mapping is in that mapspace; the
roofline's cycles are >= the compute steps. The cycle engine does not wait for the last ofmap
words to reach DRAM, so on a layer whose roofline is set by DRAM it can finish a few cycles
*before* the roofline: then step 6 is reported as step 7's value and the cause says so (the
average bandwidth cannot bound below what the machine achieved).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

from ..dataflows import parse_dataflow, template
from ..dataflows.base import Template
from ..errors import SpecError
from ..spec.dims import DataType, Dim, Flat, LoopKind
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer, Workload
from ..spec.mapping import Mapping


class Step(IntEnum):
    """The seven Eyexam steps (JETCAS 2019 Table II; SSC Magazine 2020 Table 2)."""

    LAYER = 1
    DATAFLOW = 2
    PES = 3
    ARRAY = 4
    STORAGE = 5
    AVERAGE_BANDWIDTH = 6
    INSTANT_BANDWIDTH = 7


#: The step names as the paper's table words them (the constraint each step adds).
STEP_NAMES = {
    Step.LAYER: "layer size and shape",
    Step.DATAFLOW: "dataflow loop nest",
    Step.PES: "number of PEs",
    Step.ARRAY: "physical dimensions of the PE array",
    Step.STORAGE: "fixed storage capacity",
    Step.AVERAGE_BANDWIDTH: "fixed data bandwidth",
    Step.INSTANT_BANDWIDTH: "varying data access patterns",
}


@dataclass(frozen=True, slots=True)
class EyexamStep:
    """One Eyexam step of one layer.

    Parameters
    ----------
    step : Step
        1 … 7.
    name : str
        The constraint the step adds (:data:`STEP_NAMES`).
    macs_per_cycle : float
        The step's upper bound on throughput, MAC/cycle.
    cause : str
        Why the bound is what it is (the factors, resource or stall that sets it).
    loss_macs_per_cycle : float
        The previous step's bound minus this one, MAC/cycle (0 for step 1).
    """

    step: Step
    name: str
    macs_per_cycle: float
    cause: str
    loss_macs_per_cycle: float

    def to_dict(self) -> dict:
        return {"step": int(self.step), "name": self.name, "macs_per_cycle": self.macs_per_cycle,
                "cause": self.cause, "loss_macs_per_cycle": self.loss_macs_per_cycle}


@dataclass(frozen=True, slots=True)
class LayerEyexam:
    """The seven steps of one layer, with what the roofline plot needs.

    Parameters
    ----------
    name : str
        Layer name.
    macs : int
        MACs of the layer.
    steps : tuple of EyexamStep
        Steps 1 … 7, each bound >= the next.
    mapping : Mapping
        The mapping steps 5–7 ran.
    dram_words : int
        DRAM words (reads + writes) that mapping moves (analytic engine).
    dram_words_per_cycle : float
        The hardware's DRAM bandwidth, words/cycle (<= 0: unlimited).
    num_pes : int
        PEs of the array.
    """

    name: str
    macs: int
    steps: tuple[EyexamStep, ...]
    mapping: Mapping
    dram_words: int
    dram_words_per_cycle: float
    num_pes: int

    @property
    def operational_intensity(self) -> float:
        """MACs per DRAM word of the mapping (the roofline's x, MAC/data)."""
        return self.macs / self.dram_words if self.dram_words else math.inf

    def to_dict(self) -> dict:
        oi = self.operational_intensity
        return {"name": self.name, "macs": self.macs, "num_pes": self.num_pes, "dram_words": self.dram_words,
                "operational_intensity_macs_per_word": oi if math.isfinite(oi) else None,
                "dram_words_per_cycle": self.dram_words_per_cycle,
                "steps": [s.to_dict() for s in self.steps]}


@dataclass(frozen=True, slots=True)
class EyexamResult:
    """Eyexam of the layers of one run (``accelsim eyexam --json``: :meth:`to_dict`)."""

    hardware: str
    dataflow: str
    batch: int
    layers: tuple[LayerEyexam, ...]

    def to_dict(self) -> dict:
        return {"hardware": self.hardware, "dataflow": self.dataflow, "batch": self.batch,
                "layers": [lay.to_dict() for lay in self.layers]}


# --------------------------------------------------------------------------- spatial bounds
@dataclass(frozen=True, slots=True)
class _Axis:
    """A spatial axis: a dimension, or a flattened group of dimensions."""

    label: str
    extent: int
    rows: bool
    cols: bool
    whole: bool  # pinned: the whole extent goes to the array
    crows: bool = False  # may spread over a hierarchical mesh's cluster rows
    ccols: bool = False  # … and its cluster columns


def _worth(extent: int, factor: int) -> float:
    """MAC/cycle-multiplier of a spatial factor on an axis: ``extent / ceil(extent / factor)``."""
    return extent / -(-extent // factor)


def _useful(extent: int, cap: int) -> list[int]:
    """The smallest factor <= ``cap`` reaching each value of ``ceil(extent / f)`` (ascending)."""
    out = sorted({-(-extent // k) for k in range(1, extent + 1) if -(-extent // k) <= cap})
    return out or [1]


def _spatial_dims(tpl: Template, mapping: Mapping | None, clusters: bool = False) -> tuple[set, set, dict, set, set]:
    """Dimensions allowed on rows, on columns, those pinned whole to the array ({dim: places}),
    and, with ``clusters`` (a hierarchical mesh), those allowed on cluster rows and cluster columns
    (:meth:`Template.places`: the mapper's slots)."""
    rows, cols, pinned = set(tpl.rows), set(tpl.cols), {}
    crows: set = set()
    ccols: set = set()
    if clusters:
        for dim in Dim:
            places = tpl.places(dim, clusters=True)
            crows |= {dim} if "crow" in places else set()
            ccols |= {dim} if "ccol" in places else set()
    for dim, place in tpl.pinned.items():
        places = place if isinstance(place, tuple) else (place,)
        if "pe" in places or "outer" in places:
            continue
        pinned[dim] = places
        rows |= {dim} if "row" in places else set()
        cols |= {dim} if "col" in places else set()
    if mapping is not None:  # a given mapping may place more on the array than the template lets the mapper
        sets = {LoopKind.ROW: rows, LoopKind.COL: cols, LoopKind.CROW: crows, LoopKind.CCOL: ccols}
        for lp in mapping.loops:
            members = lp.dim.members if isinstance(lp.dim, Flat) else (lp.dim,)
            if lp.kind in sets:
                sets[lp.kind] |= set(members)
    return rows, cols, pinned, crows, ccols


def _configurations(layer: ConvLayer, tpl: Template, mapping: Mapping | None, grouped: bool,
                    clusters: bool = False) -> list[list[_Axis]]:
    """The axis sets to search: every spatial dimension its own axis; with ``grouped`` also each
    array side's dimensions (when on that side only) as one flattened axis (im2col); with
    ``clusters`` the axes also say whether they may spread over the cluster rows / columns."""
    bounds = layer.loop_bounds()
    rows, cols, pinned, crows, ccols = _spatial_dims(tpl, mapping, clusters)

    def axis(dims: tuple[Dim, ...]) -> _Axis:
        return _Axis(label="(" + ",".join(d.name for d in dims) + ")" if len(dims) > 1 else dims[0].name,
                     extent=math.prod(bounds[d] for d in dims), rows=all(d in rows for d in dims),
                     cols=all(d in cols for d in dims), whole=any(d in pinned for d in dims),
                     crows=all(d in crows for d in dims), ccols=all(d in ccols for d in dims))

    dims = [d for d in Dim if d in rows or d in cols or d in crows or d in ccols]
    configs = [[axis((d,)) for d in dims]]
    if grouped:
        only_rows = tuple(d for d in dims if d in rows and d not in cols)
        only_cols = tuple(d for d in dims if d in cols and d not in rows)
        sides = [s for s in (only_rows, only_cols) if len(s) > 1]
        for mask in range(1, 2 ** len(sides)):
            merged = [s for i, s in enumerate(sides) if mask >> i & 1]
            inside = {d for s in merged for d in s}
            configs.append([axis(s) for s in merged] + [axis((d,)) for d in dims if d not in inside])
    return configs


@dataclass(frozen=True, slots=True)
class _Spatial:
    macs_per_cycle: float
    factors: tuple[tuple, ...]  # (axis, factor per side): (row, col) or (cluster row, cluster col, row, col)

    def describe(self) -> str:
        parts = []
        for label, *sides in self.factors:
            total = math.prod(sides)
            if total > 1:
                parts.append(f"{label}={total}" if len(sides) == 2 and 1 in sides else
                             f"{label}={'×'.join(str(f) for f in sides)}")
        return ", ".join(parts) or "nothing"

    @property
    def pes(self) -> int:
        return math.prod(math.prod(sides) for _, *sides in self.factors)


def _best_pool(axes: list[_Axis], pes: int) -> _Spatial | None:
    """Step 3: the best factors with their product <= ``pes`` (no array shape)."""
    best: list = [None]

    def walk(i: int, room: int, value: float, chosen: tuple) -> None:
        if i == len(axes):
            if best[0] is None or value > best[0].macs_per_cycle + 1e-9:
                best[0] = _Spatial(value, chosen)
            return
        ax = axes[i]
        options = [ax.extent] if ax.whole else _useful(ax.extent, room)
        for f in options:
            if f <= room:
                walk(i + 1, room // f, value * _worth(ax.extent, f), chosen + ((ax.label, f, 1),))

    walk(0, pes, 1.0, ())
    return best[0]


def _best_array(axes: list[_Axis], n_rows: int, n_cols: int) -> _Spatial | None:
    """Step 4: the best factors with the row factors' product <= ``n_rows`` and the column
    factors' <= ``n_cols`` (an axis allowed on both splits as ``rows × cols``)."""
    best: list = [None]

    def options(ax: _Axis, rr: int, cc: int):
        if ax.whole:
            for r in range(1, ax.extent + 1):
                if ax.extent % r == 0 and r <= rr and (ax.extent // r) <= cc and (r == 1 or ax.rows) and (
                        r == ax.extent or ax.cols):
                    yield r, ax.extent // r
            return
        row_opts = _useful(ax.extent, rr) if ax.rows else [1]
        for r in row_opts:
            if not ax.cols:
                yield r, 1
                continue
            seen = set()
            for f in _useful(ax.extent, r * cc):
                c = -(-f // r)
                if c <= cc and c not in seen:
                    seen.add(c)
                    yield r, c

    def walk(i: int, rr: int, cc: int, value: float, chosen: tuple) -> None:
        if i == len(axes):
            if best[0] is None or value > best[0].macs_per_cycle + 1e-9:
                best[0] = _Spatial(value, chosen)
            return
        ax = axes[i]
        for r, c in options(ax, rr, cc):
            walk(i + 1, rr // r, cc // c, value * _worth(ax.extent, r * c), chosen + ((ax.label, r, c),))

    walk(0, n_rows, n_cols, 1.0, ())
    return best[0]


def _side_options(ax: _Axis, allowed: tuple[bool, ...], rems: tuple[int, ...]):
    """Per-side factors of one axis within the sides' remaining room ``rems``, as ``(worth,
    factors)``. A pinned axis: every tuple whose product is its extent. Otherwise, per side, only
    the largest factor (at most the extent) leaving each possible room ``room // f``: a smaller
    factor with the same leftover is never better (the worth grows with the product)."""
    def side(ok: bool, room: int) -> list[int]:
        top = min(room, ax.extent) if ok else 1
        if ax.whole:
            return list(range(1, top + 1))
        return sorted({min(room // (room // f), top) for f in range(1, top + 1)})

    cands = [side(ok, r) for ok, r in zip(allowed, rems)]

    def walk(i: int, chosen: tuple[int, ...], prod: int):
        if i == len(cands):
            if not ax.whole or prod == ax.extent:
                yield _worth(ax.extent, prod), chosen
            return
        for f in cands[i]:  # ascending, 1 first
            if f > 1 and prod >= ax.extent:
                break  # already at the extent: a larger factor adds nothing
            if ax.whole and ax.extent % (prod * f):
                continue
            yield from walk(i + 1, chosen + (f,), prod * f)

    yield from walk(0, (), 1)


def _best_clusters(axes: list[_Axis], caps: tuple[int, int, int, int]) -> _Spatial | None:
    """Step 4 on a hierarchical mesh: the best factors with each side's product within its size —
    ``caps`` = (cluster rows, cluster columns, PE rows, PE columns of one cluster), the mapper's
    repair limits (:func:`accelsim.dataflows.lowering.array_limits`) — each axis only on the sides
    its dimension may take. Exact: a dynamic programme over the axes whose state is each side's
    remaining room (the worth is a product of per-axis terms)."""
    from functools import lru_cache

    allowed = [(ax.crows, ax.ccols, ax.rows, ax.cols) for ax in axes]

    @lru_cache(maxsize=None)
    def best(i: int, rems: tuple[int, ...]) -> tuple[float, tuple] | None:
        if i == len(axes):
            return 1.0, ()
        by_state: dict[tuple[int, ...], tuple[float, tuple[int, ...]]] = {}
        for worth, fs in _side_options(axes[i], allowed[i], rems):
            state = tuple(r // f for r, f in zip(rems, fs))
            if state not in by_state or worth > by_state[state][0] + 1e-12:
                by_state[state] = (worth, fs)
        out = None
        for state, (worth, fs) in by_state.items():
            rest = best(i + 1, state)
            if rest is not None and (out is None or worth * rest[0] > out[0] + 1e-9):
                out = (worth * rest[0], ((axes[i].label, *fs),) + rest[1])
        return out

    found = best(0, tuple(caps))
    return None if found is None else _Spatial(found[0], found[1])


def _best_of(configs, search) -> _Spatial | None:
    found = [s for s in (search(axes) for axes in configs) if s is not None]
    return max(found, key=lambda s: s.macs_per_cycle) if found else None


# --------------------------------------------------------------------------- the steps
def _bottleneck(result, layer: ConvLayer, hw: Hardware) -> str:
    """Which resource sets the analytic roofline of ``result`` (its cycles per resource)."""
    import numpy as np

    from ..kernels.analytic import roofline_cycles
    from ..layout import C_RATE0, RATE_DRAM, RATE_GLB, RATE_GON, RATE_IFMAP, RATE_FILTER, RATE_PSUM
    from ..sim.conventions import timing_costs
    from ..sim.roofline import mapping_timing

    costs = timing_costs(hw)
    timing = mapping_timing(result.mapping, layer, costs)
    dram = -1.0 if result.dram_compressed is None else float(result.dram_compressed.total_words)
    counts = np.asarray(result.counts)

    def alone(rates: tuple[int, ...]) -> float:
        c = costs.copy()
        for r in (RATE_DRAM, RATE_GLB, RATE_IFMAP, RATE_FILTER, RATE_PSUM, RATE_GON):
            if r not in rates:
                c[C_RATE0 + r] = 0.0
        return float(roofline_cycles(counts, int(result.compute_cycles), c, dram, timing))

    compute = alone(())
    terms = {"DRAM": alone((RATE_DRAM,)), "GLB": alone((RATE_GLB,)), "ifmap NoC": alone((RATE_IFMAP,)),
             "filter NoC": alone((RATE_FILTER,)), "psum NoC": alone((RATE_PSUM, RATE_GON))}
    name, worst = max(terms.items(), key=lambda kv: kv[1])
    folds = f" ({int(timing[0])} fold fill/drain cycles)" if timing[0] else ""
    if worst <= compute:
        return f"compute-bound: {int(compute):,} cycles = {int(result.compute_cycles):,} compute steps{folds}"
    return f"{name} bandwidth: {int(worst):,} cycles vs {int(compute):,} of compute{folds}"


def _unlimited_bandwidth(hw: Hardware) -> Hardware:
    """``hw`` with every link unlimited (DRAM, GLB, NoC buses): the mapper's cycles objective
    then minimises the compute steps alone (step 5)."""
    from dataclasses import replace

    wide = 10 ** 15  # words/cycle: no layer moves enough words for a link to bind
    noc = replace(hw.noc, ifmap_words_per_cycle=wide, filter_words_per_cycle=wide, psum_words_per_cycle=wide,
                  gon_words_per_cycle=wide, local_words_per_cycle=wide)
    return replace(hw, dram_words_per_cycle=math.inf, glb_words_per_cycle=math.inf, noc=noc)


def _axis_name(dim) -> str:
    """``M``, or ``(N,E,F)`` for a flattened group."""
    return "(" + ",".join(d.name for d in dim.members) + ")" if isinstance(dim, Flat) else dim.name


def _spatial_text(mapping: Mapping) -> str:
    """The spatial loops of ``mapping``, e.g. ``R=11r, M=12c`` (cluster loops ``M=8cr, E=2cc``)."""
    suffix = {LoopKind.CROW: "cr", LoopKind.CCOL: "cc", LoopKind.ROW: "r", LoopKind.COL: "c"}
    return ", ".join(f"{_axis_name(lp.dim)}={lp.factor}{suffix[lp.kind]}"
                     for lp in mapping.loops if lp.kind in suffix and lp.factor > 1)


def _loss_list(values: list[float]) -> list[float]:
    return [0.0] + [values[i - 1] - values[i] for i in range(1, len(values))]


def eyexam_layer(layer: ConvLayer, hw: Hardware, dataflow="rs", mapping: Mapping | None = None,
                 budget=None, engine="cycle") -> LayerEyexam:
    """The seven Eyexam steps of one layer (module docstring).

    Parameters
    ----------
    layer : ConvLayer
        The layer (its batch included).
    hw : Hardware
        The machine.
    dataflow : Dataflow or str
        The dataflow whose template bounds steps 2–4 and whose mapping steps 5–7 run.
    mapping : Mapping, optional
        The mapping of steps 5–7; default: the mapper's best for cycles
        (:func:`accelsim.search.mapper.best_mapping`, ``Objective.CYCLES``, flattened loops when the
        cycle engine runs them).
    budget : Budget, optional
        The mapper's effort (default :data:`accelsim.search.mapper.BUDGETS` ``quick``).
    engine : Engine or str
        The engine whose throughput is step 7 (default ``cycle``). The analytic engine has no
        instantaneous bandwidth: its step 7 is its roofline, step 6.

    Returns
    -------
    LayerEyexam
        Steps 1 … 7 in MAC/cycle, each >= the next.

    Raises
    ------
    InfeasibleError
        No legal mapping exists (the mapper's reason).
    MappingError, CapacityError
        A given ``mapping`` does not cover the layer or does not fit.
    """
    from ..search.im2col import OPERANDS
    from ..search.mapper import BUDGETS, BudgetSize, Objective, best_mapping
    from ..dataflows.lowering import array_limits, has_clusters
    from ..sim.evaluate import Engine, evaluate, parse_engine, runs_flattened

    engine = parse_engine(engine)
    df = parse_dataflow(dataflow)
    tpl = template(df)
    bounds = layer.loop_bounds()
    given = mapping is not None
    if mapping is None:
        budget = budget or BUDGETS[BudgetSize.QUICK]
        flatten = runs_flattened(engine, hw)
        # step 5: the most compute throughput a legal mapping reaches (bandwidth unlimited) …
        roomy = best_mapping(layer, _unlimited_bandwidth(hw), df, Objective.CYCLES, budget, flatten=flatten).mapping
        # … steps 6-7: the mapping the machine runs fastest, of it and the bandwidth-aware search's
        fast = best_mapping(layer, hw, df, Objective.CYCLES, budget, flatten=flatten).mapping
        candidates = [evaluate(layer, hw, df, Engine.ANALYTIC, m) for m in (fast, roomy)]
    else:
        candidates = [evaluate(layer, hw, df, Engine.ANALYTIC, mapping)]
    analytic = min(candidates, key=lambda r: (r.cycles, r.compute_cycles))
    storage = min(candidates, key=lambda r: r.compute_cycles)
    mapping = analytic.mapping
    step7 = None
    if engine is Engine.CYCLE:
        measured = evaluate(layer, hw, df, Engine.CYCLE, mapping)
    else:
        measured = analytic
        step7 = f"not modelled by the analytic engine: its roofline, {analytic.cycles:,} cycles (step 6)"

    macs = layer.macs
    clusters = has_clusters(hw) and hw.noc.clusters is not None
    configs = _configurations(layer, tpl, mapping, grouped=df in OPERANDS or bool(mapping.flat_groups),
                              clusters=clusters)
    spatial_dims = sorted({d for axes in configs[:1] for ax in axes for d in ax.label.strip("()").split(",")},
                          key=lambda n: Dim[n])
    s2 = math.prod(bounds[Dim[n]] for n in spatial_dims)
    in_time = [d.name for d in Dim if d.name not in spatial_dims and bounds[d] > 1]
    s3 = _best_of(configs, lambda axes: _best_pool(axes, hw.num_pes))
    if clusters:
        rows, cols, crows, ccols = array_limits(hw)
        s4 = _best_of(configs, lambda axes: _best_clusters(axes, (crows, ccols, rows, cols)))
        array_text = f"{crows}×{ccols} clusters of {rows}×{cols} PEs"
        sides_text = "cluster rows×cluster cols×PE rows×PE cols"
    else:
        s4 = _best_of(configs, lambda axes: _best_array(axes, hw.pe_rows, hw.pe_cols))
        array_text = f"{hw.pe_rows}×{hw.pe_cols} array"
        sides_text = "rows×cols"
    v3 = s3.macs_per_cycle if s3 else 0.0
    v4 = s4.macs_per_cycle if s4 else 0.0
    v5 = macs / storage.compute_cycles
    v6 = macs / analytic.cycles
    v7 = measured.macs / measured.cycles
    bottleneck = _bottleneck(analytic, layer, hw)
    if v7 > v6 and step7 is None:  # the cycle engine does not wait for the last ofmap writes (module docstring)
        bottleneck += (f"; the cycle engine finished in {measured.cycles:,} cycles, before the roofline's "
                       f"{analytic.cycles:,}, so the roofline bounds nothing here and the step is its throughput")
        v6 = v7
    stalls = {k: v for k, v in (measured.timing.stall_cycles if measured.timing else {}).items() if v > 0}
    stall_text = ", ".join(f"{k} {v:,}" for k, v in sorted(stalls.items(), key=lambda kv: -kv[1])) or "none"
    causes = [
        f"finite workload: {macs:,} MACs, all independent multiplies",
        f"the {df.value} loop nest spreads only {'·'.join(spatial_dims) or 'nothing'} = {s2:,} over PEs"
        + (f"; {', '.join(in_time)} run in time" if in_time else ""),
        f"{hw.num_pes} PEs: best spatial factors {s3.describe()} ({_pes(s3.pes)})" if s3 else
        f"{hw.num_pes} PEs: no spatial factors fit",
        f"{array_text}: best factors {s4.describe()} ({sides_text})" if s4 else
        f"{array_text}: the dataflow's pinned dimensions do not fit",
        f"RF/GLB capacity: the {'given' if given else 'best legal'} mapping "
        f"({_spatial_text(storage.mapping) or 'one PE'}) keeps {_pes(storage.active_pes)} active, "
        f"{storage.compute_cycles:,} compute steps"
        + ("" if storage is analytic else
           f"; steps 6-7 run the bandwidth-aware mapping ({_spatial_text(mapping)}), faster on this machine"),
        f"average bandwidth: {bottleneck}",
        f"instantaneous bandwidth: {step7}" if step7 else
        f"instantaneous bandwidth: cycle engine {measured.cycles:,} cycles; stalls {stall_text}",
    ]
    values = [float(macs), float(min(s2, macs)), v3, v4, v5, v6, v7]
    losses = _loss_list(values)
    steps = tuple(EyexamStep(step=Step(i + 1), name=STEP_NAMES[Step(i + 1)], macs_per_cycle=values[i],
                             cause=causes[i], loss_macs_per_cycle=losses[i]) for i in range(7))
    from ..layout import READS, WRITES
    from ..spec.dims import Level

    dram = int(sum(analytic.counts[Level.DRAM, t, READS] + analytic.counts[Level.DRAM, t, WRITES] for t in DataType))
    return LayerEyexam(name=layer.name, macs=macs, steps=steps, mapping=mapping, dram_words=dram,
                       dram_words_per_cycle=float(hw.dram_words_per_cycle), num_pes=hw.num_pes)


def eyexam(workload: Workload, hw: Hardware, dataflow="rs", batch: int = 1,
           mappings: dict[str, Mapping] | None = None, budget=None, engine="cycle") -> EyexamResult:
    """Eyexam of every layer of ``workload`` at ``batch`` (:func:`eyexam_layer`; ``engine``: the one
    whose throughput is step 7).

    Raises
    ------
    SpecError
        ``batch`` < 1.
    InfeasibleError
        A layer has no legal mapping.
    """
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise SpecError(f"must be an integer >= 1, got {batch!r}", "batch")
    df = parse_dataflow(dataflow)
    layers = tuple(eyexam_layer(layer, hw, df, (mappings or {}).get(layer.name), budget, engine)
                   for layer in workload.with_batch(batch).layers)
    return EyexamResult(hardware=hw.name, dataflow=df.value, batch=batch, layers=layers)


def _pes(n: int) -> str:
    """``n`` PEs in words: "1 PE", "24 PEs"."""
    return f"{n:,} PE" if n == 1 else f"{n:,} PEs"
