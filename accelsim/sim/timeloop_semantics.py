"""Timeloop's counting semantics over accelsim's loop nest (issue 15, part 2).

:func:`timeloop_stats` counts a mapping the way Timeloop's nest analysis does and returns the
numbers Timeloop's ``stats.txt`` prints, per storage level and data space, per instance:
partition size, utilized capacity, utilized instances, scalar reads, fills and updates, plus
MACs, cycles (MACs per utilized PE) and, with a per-action energy table, the energy.

The levels. A mapping imported from Timeloop (``accelsim import timeloop``) carries
``notes.timeloop_levels``: every Timeloop storage level, outer first, with its accelsim place,
the data spaces it keeps and its loops ``[first, first spatial, end)`` in the nest. A mapping
without them (a hand-built accelsim mapping) is cut into levels at its residences
(:func:`nest_levels`): ``DRAM`` (keeps everything), one GLB-side level per distinct GLB tile
start, a fan-out level (``NoC``) wherever temporal loops follow spatial loops, and one RF level
per distinct RF tile start; a level holding several data types is called ``GLB`` / ``RF``, one
of several starts ``GLB[ifmap]``, ``RF[psum]`` … The data-space names are Timeloop's
(``Weights`` = filter, ``Inputs`` = ifmap, ``Outputs`` = psum).

The rules (SEMANTICS.md of the Timeloop reference cases, §3.2; Timeloop's ``nest-analysis``):

* a level's *tile* of a data space is the bounding box (per data-space rank; holes counted)
  of everything its loops and the loops inside it touch; *partition size*
  ``part_k = part_(k-1) · size_k // den`` (``den``: the parent's spatial footprint when the
  parent fans out, else ``size_k``);
* each level *delivers* to its children, at every step of the temporal loops at and above it
  (outer spatial indices at 0), the words of the child tile that the child did not hold at the
  previous step under the era's *halo rule* (:class:`HaloRule`); spatial children whose tiles
  sit at the same offset receive one delivery (multicast; for Outputs a spatial reduction);
  the innermost level delivers one word per MAC;
* bypass: a level that does not keep a data space passes what it delivered up to its parent
  (the parent's deliveries are scaled to serve it);
* per kept level: reads = words delivered (Outputs: ``updates − partition``, first-read
  elision), updates = Outputs delivered, fills = the share of the parent's deliveries
  (Outputs since 2023: minus the partition, the first arrival elided; the outermost level: 0).

Timeloop extrapolates each loop from iterations 0 and 1; this module walks every iteration,
exactly, as a composition of per-loop state transitions memoised on the halo rule's state
(cost: the sum of the temporal bounds times a handful of states per level and data space), so
a whole layer takes milliseconds. The full walk and Timeloop's extrapolation agree on every
reference case (SEMANTICS.md §3.2 item 4).

Not modelled: imperfect factorisation and flattened loops (refused: Timeloop's residual
factors are not in any reference), leakage, address-generation and network energy (0 in every
reference), link transfers, bandwidth throttling.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from functools import lru_cache

from ..errors import MappingError
from ..spec.dims import DataType, Dim, Level
from ..spec.energy import TypedEnergyTable
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping

#: accelsim data type → Timeloop data-space name
SPACE_NAMES = {DataType.FILTER: "Weights", DataType.IFMAP: "Inputs", DataType.PSUM: "Outputs"}
#: Timeloop data-space name → accelsim data type
SPACES = {v: k for k, v in SPACE_NAMES.items()}
#: the order Timeloop's stats list data spaces in
SPACE_ORDER = (DataType.FILTER, DataType.IFMAP, DataType.PSUM)


class HaloRule(Enum):
    """When a level keeps the words its child already holds between consecutive tiles.

    ``GRADIENT`` (Timeloop ≤ 2021): a move along exactly one data-space axis that overlaps the
    previous tile costs the new slab and remembers (axis, sign); no move clears it; a move
    along another axis or sign, along several axes, or to a disjoint tile costs the whole tile
    and clears it. ``TRANSLATION_2022`` (2022-01 … 2025-01): with no remembered translation
    the exact set difference is charged and this translation (zero included) remembered; the
    same translation again: the set difference; another: the whole tile, forgotten.
    ``TRANSLATION_2025`` ("translation fix"): as 2022, but a zero translation neither counts
    nor changes the remembered one.
    """

    GRADIENT = "gradient"
    TRANSLATION_2022 = "translation-2022"
    TRANSLATION_2025 = "translation-2025"


class Semantics(Enum):
    """Which accounting a run reports.

    ``ACCELSIM``: accelsim's own (ISCA 2016), the default. ``TIMELOOP_2020``: Timeloop of
    2019–2021 (gradient halo rule; every psum arrival at an inner level is a fill).
    ``TIMELOOP_2024``: Timeloop 2023-05 … 2025-01 (2022 translation rule; the first arrival
    of each output element is not a fill). ``TIMELOOP_2025``: as 2024 with the 2025
    translation fix (no reference output of it in the cases).
    """

    ACCELSIM = "accelsim"
    TIMELOOP_2020 = "timeloop-2020"
    TIMELOOP_2024 = "timeloop-2024"
    TIMELOOP_2025 = "timeloop-2025"

    @property
    def halo(self) -> HaloRule:
        """The era's halo rule (``ValueError`` for ``ACCELSIM``)."""
        if self is Semantics.ACCELSIM:
            raise ValueError("accelsim's semantics has no Timeloop halo rule")
        return {Semantics.TIMELOOP_2020: HaloRule.GRADIENT, Semantics.TIMELOOP_2024: HaloRule.TRANSLATION_2022,
                Semantics.TIMELOOP_2025: HaloRule.TRANSLATION_2025}[self]

    @property
    def elides_first_psum_fill(self) -> bool:
        """Timeloop ≥ 2023-05: an inner level's Outputs fills omit each element's first arrival."""
        return self in (Semantics.TIMELOOP_2024, Semantics.TIMELOOP_2025)


@dataclass(frozen=True, slots=True)
class DataSpaceStats:
    """One level's counts of one data space, per instance, as Timeloop's stats print them.

    Attributes
    ----------
    partition_size : int
        Distinct words of the data space one instance ever holds (Timeloop's ratio rule), words.
    utilized_capacity : int
        The tile one instance holds, words.
    instances : int
        Utilized instances of the level.
    reads, fills, updates : int
        Scalar reads, fills and updates per instance, words.
    """

    partition_size: int
    utilized_capacity: int
    instances: int
    reads: int
    fills: int
    updates: int

    def to_record(self) -> dict[str, int]:
        return {"reads": self.reads, "fills": self.fills, "updates": self.updates, "instances": self.instances,
                "partition_size": self.partition_size, "utilized_capacity": self.utilized_capacity}


@dataclass(frozen=True, slots=True)
class TimeloopStats:
    """Timeloop's numbers for one layer and mapping.

    Attributes
    ----------
    semantics : Semantics
    levels : tuple
        ``(level name, ((data-space name, DataSpaceStats), ...))`` per storage level, outer
        first; only the data spaces the level keeps, in Timeloop's order (Weights, Inputs,
        Outputs); levels keeping nothing are left out.
    macs : int
        MACs of the layer.
    cycles : int
        MACs per utilized PE.
    utilized_pes : int
        Product of every spatial factor.
    energy_pj : float or None
        Total energy, pJ (per-instance energy × utilized instances, summed, plus MACs × the
        MAC energy), when the hardware's energy is a per-level, per-type table in pJ; else
        ``None``.
    """

    semantics: Semantics
    levels: tuple[tuple[str, tuple[tuple[str, DataSpaceStats], ...]], ...]
    macs: int
    cycles: int
    utilized_pes: int
    energy_pj: float | None

    def to_record(self) -> dict:
        """``{LEVEL: {DATASPACE: {"reads", "fills", "updates", "instances", "partition_size",
        "utilized_capacity"}}}`` (the ``"timeloop"`` key of a layer record)."""
        return {name: {space: s.to_record() for space, s in spaces} for name, spaces in self.levels}

    def get(self, level: str, space: str) -> DataSpaceStats:
        """The stats of ``space`` at ``level`` (``KeyError``: not kept there)."""
        for name, spaces in self.levels:
            if name == level:
                return dict(spaces)[space]
        raise KeyError(level)


# --------------------------------------------------------------------------- levels
@dataclass(frozen=True, slots=True)
class NestLevel:
    """One storage level of the nest: its loops are ``loops[first:spatial]`` (temporal, outer
    first) and ``loops[spatial:end]`` (spatial, fanning out to the next level)."""

    name: str
    place: Level | None  #: accelsim level that prices it (``None``: a fan-out level or a register)
    keeps: frozenset[DataType]
    first: int
    spatial: int
    end: int
    register: bool = False  #: a one-word per-PE level under the RF keeper of its data spaces


_PLACES = {"DRAM": Level.DRAM, "GLB": Level.GLB, "RF": Level.RF, "fan-out": None, "register": None}


def _levels_from_notes(notes: list, n_loops: int) -> tuple[NestLevel, ...]:
    out = []
    for k, lv in enumerate(notes):
        try:
            first, sp, end = (int(x) for x in lv["loops"])
            keeps = frozenset(SPACES[s] for s in lv.get("keeps", ()))
            place = _PLACES[lv["place"]]
            name = str(lv["name"])
        except (KeyError, TypeError, ValueError):
            raise MappingError(f"notes.timeloop_levels[{k}] is not {{name, place, keeps, loops: [first, spatial, "
                               f"end]}}: {lv!r}", f"mapping.notes.timeloop_levels[{k}]") from None
        out.append(NestLevel(name, place, keeps, first, sp, end, register=lv["place"] == "register"))
    if not out or out[0].first != 0 or out[-1].end != n_loops or any(
            a.end != b.first for a, b in zip(out, out[1:])) or any(not lv.first <= lv.spatial <= lv.end for lv in out):
        raise MappingError(f"notes.timeloop_levels do not cover the {n_loops} loops in order",
                           "mapping.notes.timeloop_levels")
    return tuple(out)


def _derived_levels(mapping: Mapping) -> tuple[NestLevel, ...]:
    """Levels of a hand-built mapping (module docstring)."""
    loops = mapping.loops
    n = len(loops)
    cuts: list[tuple[int, int, Level | None, frozenset[DataType]]] = [(0, 0, Level.DRAM, frozenset(DataType))]
    for order, (level, starts) in enumerate(((Level.GLB, mapping.glb), (Level.RF, mapping.rf))):
        by_pos: dict[int, set[DataType]] = {}
        for t in DataType:
            if starts[t] is not None:
                by_pos.setdefault(starts[t], set()).add(t)
        for pos, types in sorted(by_pos.items()):
            cuts.append((pos, 2 * order + 1, level, frozenset(types)))
    for j in range(n - 1):  # a fan-out level where temporal loops follow spatial ones
        if loops[j].spatial and not loops[j + 1].spatial:
            cuts.append((j + 1, 2, None, frozenset()))
    cuts.sort(key=lambda c: (c[0], c[1]))
    # one GLB-side / RF-side level: plain name; several: name the types they hold
    n_side = {lv: sum(1 for c in cuts if c[2] is lv) for lv in (Level.GLB, Level.RF)}
    out = []
    fanouts = 0
    for k, (pos, _, level, keeps) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else n
        sp = pos
        while sp < end and not loops[sp].spatial:
            sp += 1
        if any(not loops[j].spatial for j in range(sp, end)):  # cannot happen: fan-out cuts split these
            raise MappingError("temporal loops below spatial loops inside one level", "mapping.loops")
        if level is None:
            fanouts += 1
            name = "NoC" if fanouts == 1 else f"NoC{fanouts}"
        elif level is Level.DRAM:
            name = "DRAM"
        else:
            name = level.label if n_side[level] == 1 else f"{level.label}[{','.join(t.label for t in sorted(keeps))}]"
        out.append(NestLevel(name, level, keeps, pos, sp, end))
    return tuple(out)


def nest_levels(mapping: Mapping) -> tuple[NestLevel, ...]:
    """The storage levels of ``mapping``, outer first: Timeloop's (``notes.timeloop_levels``)
    when it was imported, else cut at its residences (module docstring).

    Raises
    ------
    MappingError
        Malformed ``notes.timeloop_levels``.
    """
    notes = (mapping.notes or {}).get("timeloop_levels")
    if notes:
        return _levels_from_notes(list(notes), len(mapping.loops))
    return _derived_levels(mapping)


# --------------------------------------------------------------------------- projections
def _ranks(t: DataType, stride: int) -> tuple[dict[Dim, int], ...]:
    """The data space's ranks (axes): each a map dimension → coefficient (SEMANTICS.md §2.1,
    in accelsim's names; ``G`` is a rank of every data space)."""
    if t is DataType.FILTER:
        return ({Dim.G: 1}, {Dim.M: 1}, {Dim.C: 1}, {Dim.R: 1}, {Dim.S: 1})
    if t is DataType.IFMAP:
        return ({Dim.G: 1}, {Dim.N: 1}, {Dim.C: 1}, {Dim.E: stride, Dim.R: 1}, {Dim.F: stride, Dim.S: 1})
    return ({Dim.G: 1}, {Dim.N: 1}, {Dim.M: 1}, {Dim.E: 1}, {Dim.F: 1})


Vec = tuple[int, ...]


def _vectors(mapping: Mapping, t: DataType, stride: int) -> list[Vec]:
    """Per loop, how far one step moves the data space's tile along each rank."""
    loops = mapping.loops
    ranks = _ranks(t, stride)
    out = []
    for j, loop in enumerate(loops):
        d = loop.dim
        vstride = math.prod(lp.factor for lp in loops[j + 1:] if lp.dim == d)
        out.append(tuple(vstride * r.get(d, 0) for r in ranks))
    return out


def _extent(loops_idx, factors: list[int], vecs: list[Vec], n_ranks: int) -> Vec:
    """Bounding-box extent per rank of the points the loops ``loops_idx`` reach."""
    ext = [1] * n_ranks
    for j in loops_idx:
        b = factors[j] - 1
        if b:
            for r, v in enumerate(vecs[j]):
                ext[r] += b * v
    return tuple(ext)


# --------------------------------------------------------------------------- the halo rules
def _step(rule: HaloRule, size: Vec, t: Vec, state):
    """New words of a tile of extents ``size`` moved by ``t``; ``(words, new state)``."""
    vol = math.prod(size)
    zero = not any(t)
    overlap = math.prod(max(0, s - abs(x)) for s, x in zip(size, t))
    if rule is HaloRule.GRADIENT:
        if zero:
            return 0, None
        axes = [r for r, x in enumerate(t) if x]
        if len(axes) == 1 and overlap > 0:
            grad = (axes[0], t[axes[0]] > 0)
            if state is not None and state != grad:
                return vol, None
            return vol - overlap, grad
        return vol, None
    if rule is HaloRule.TRANSLATION_2025 and zero:
        return 0, state
    if state is None or state == t:
        return vol - overlap, t
    return vol, None


def _walk_words(rule: HaloRule, size: Vec, bounds: tuple[int, ...], vecs: tuple[Vec, ...]) -> int:
    """Words the child tile takes in over the whole walk of the temporal loops ``bounds`` /
    ``vecs`` (outer first), its first tile included."""
    n = len(bounds)
    carry = []  # the translation when loop k steps and every loop inside it wraps to 0
    for k in range(n):
        t = list(vecs[k])
        for j in range(k + 1, n):
            for r in range(len(t)):
                t[r] -= (bounds[j] - 1) * vecs[j][r]
        carry.append(tuple(t))

    @lru_cache(maxsize=None)
    def run(k: int, state):
        """(state after, words) of a full run of loops k.. without its first iteration's tile."""
        if k == n:
            return state, 0
        state, words = run(k + 1, state)
        for _ in range(bounds[k] - 1):
            w1, state = _step(rule, size, carry[k], state)
            state, w2 = run(k + 1, state)
            words += w1 + w2
        return state, words

    return math.prod(size) + run(0, None)[1]


def _groups(spatial_idx: list[int], factors: list[int], vecs: list[Vec]) -> dict[int, int]:
    """Multicast histogram of a fan-out: group size m → number of groups of children whose
    tiles sit at the same offset."""
    if not spatial_idx:
        return {1: 1}
    offsets: dict[Vec, int] = {}
    ranges = [range(factors[j]) for j in spatial_idx]
    for idx in itertools.product(*ranges):
        off = tuple(sum(i * vecs[j][r] for i, j in zip(idx, spatial_idx)) for r in range(len(vecs[0])))
        offsets[off] = offsets.get(off, 0) + 1
    hist: dict[int, int] = {}
    for m in offsets.values():
        hist[m] = hist.get(m, 0) + 1
    return hist


# --------------------------------------------------------------------------- the analysis
def _round(x: Fraction) -> int:
    return int(math.floor(x + Fraction(1, 2)))


def _space_counts(levels: tuple[NestLevel, ...], mapping: Mapping, t: DataType, stride: int, rule: HaloRule,
                  elide_first_fill: bool) -> list[DataSpaceStats | None]:
    loops = mapping.loops
    factors = [lp.factor for lp in loops]
    vecs = _vectors(mapping, t, stride)
    n_ranks = len(vecs[0]) if vecs else len(_ranks(t, stride))
    L = len(levels)
    n = len(loops)
    temporal = [j for j in range(n) if not loops[j].spatial]
    size = [math.prod(_extent(range(lv.first, n), factors, vecs, n_ranks)) for lv in levels]
    fanout = [math.prod(factors[j] for j in range(lv.spatial, lv.end)) for lv in levels]
    # partition sizes, outer first
    part = [size[0]]
    for k in range(1, L):
        par = levels[k - 1]
        den = (math.prod(_extent(range(par.spatial, n), factors, vecs, n_ranks)) if par.end > par.spatial
               else size[k])
        part.append(part[-1] * size[k] // den)
    # deliveries of each level to its children: multicast factor → words (per instance)
    delivered: list[dict[int, Fraction]] = []
    for k, lv in enumerate(levels):
        hist = _groups(list(range(lv.spatial, lv.end)), factors, vecs)
        if k == L - 1:  # to the MACs: one word per MAC step
            words = math.prod(factors[j] for j in temporal)
        else:
            child = levels[k + 1].first
            walked = [j for j in temporal if j < child]
            child_size = _extent(range(child, n), factors, vecs, n_ranks)
            words = _walk_words(rule, child_size, tuple(factors[j] for j in walked), tuple(vecs[j] for j in walked))
        delivered.append({m: Fraction(g * words) for m, g in hist.items()})
    # bypass: a level that does not keep the data space is served by its parent
    for c in range(L - 1, 0, -1):
        if t in levels[c].keeps:
            continue
        o = c - 1
        content = sum(delivered[c].values())
        arriving = sum(m * w for m, w in delivered[o].items())
        if arriving:
            f = content * fanout[o] / arriving
            delivered[o] = {m: w * f for m, w in delivered[o].items()}
    out: list[DataSpaceStats | None] = []
    outermost = next((k for k in range(L) if t in levels[k].keeps), None)
    for k, lv in enumerate(levels):
        if t not in lv.keeps:
            out.append(None)
            continue
        content = _round(sum(delivered[k].values()))
        share = 0
        if k != outermost and k > 0:
            share = _round(sum(m * w for m, w in delivered[k - 1].items()) / fanout[k - 1])
        instances = math.prod(factors[j] for j in range(lv.first) if loops[j].spatial)
        if t is DataType.PSUM:
            fills = max(0, share - part[k]) if (elide_first_fill and k != outermost) else share
            stats = DataSpaceStats(part[k], size[k], instances, reads=max(0, content - part[k]), fills=fills,
                                   updates=content)
        else:
            stats = DataSpaceStats(part[k], size[k], instances, reads=content, fills=share, updates=0)
        out.append(stats)
    return out


def _energy_pj(hw: Hardware | None, mapping: Mapping, levels: tuple[NestLevel, ...], per_space: dict[DataType, list],
               macs: int) -> float | None:
    """Timeloop's energy (SEMANTICS.md §3.2 item 10): per level, data space and instance,
    vector accesses ``ceil(count / words per access)`` at the level's read, fill and update
    prices, times the utilized instances, plus MACs × the MAC energy.

    Prices: the design's own, as the importer read them from its ERT
    (``notes.timeloop_energy``); else, on a hardware whose energy is a per-level, per-type
    table in pJ, its per-word costs (reads at the read cost, fills and updates at the write
    cost; no rounding to whole accesses), unless a register level keeps data (the table has
    no price for it); else ``None``.
    """
    prices = (mapping.notes or {}).get("timeloop_energy")
    if prices:
        table = prices.get("levels", {})
        total = macs * float(prices.get("mac_pj", 0.0))
        for k, lv in enumerate(levels):
            for t in DataType:
                s = per_space[t][k]
                if s is None:
                    continue
                if lv.name not in table:
                    return None
                p = table[lv.name]
                b = int(p["words_per_access"])
                per = (-(-s.reads // b) * p["read_pj"] + -(-s.fills // b) * p["fill_pj"]
                       + -(-s.updates // b) * p["update_pj"])
                total += per * s.instances
        return float(total)
    if hw is None or not isinstance(hw.energy, TypedEnergyTable) or hw.energy.unit.value != "pj":
        return None
    if any(lv.register and lv.keeps for lv in levels):  # accelsim's table has no register price
        return None
    costs = hw.access_costs
    total = macs * costs.mac
    for k, lv in enumerate(levels):
        for t in DataType:
            s = per_space[t][k]
            if s is None or lv.place is None:
                continue
            per = s.reads * costs.read(lv.place, t) + (s.fills + s.updates) * costs.write(lv.place, t)
            total += per * s.instances
    return float(total)


def timeloop_stats(layer: ConvLayer, hw: Hardware | None, mapping: Mapping, semantics: Semantics) -> TimeloopStats:
    """Count ``mapping`` of ``layer`` under one of Timeloop's counting semantics.

    Parameters
    ----------
    layer : ConvLayer
        At the run's batch.
    hw : Hardware or None
        Only its energy table is read: a per-level, per-type table in pJ prices the counts when
        the mapping carries no Timeloop prices (``None``: no energy then).
    mapping : Mapping
        A plain loop nest with a perfect factorisation; imported ones carry their Timeloop
        levels (``notes.timeloop_levels``).
    semantics : Semantics
        ``TIMELOOP_2020``, ``TIMELOOP_2024`` or ``TIMELOOP_2025``.

    Returns
    -------
    TimeloopStats

    Raises
    ------
    ValueError
        ``semantics`` is ``ACCELSIM`` (the engines count that).
    MappingError
        Flattened loops, an imperfect factorisation, or levels that do not fit the nest.
    """
    if semantics is Semantics.ACCELSIM:
        raise ValueError("timeloop_stats counts Timeloop's semantics; accelsim's own are the engines' counts")
    bounds = layer.loop_bounds()
    mapping.check_covers(bounds)
    if mapping.flat_groups:
        raise MappingError("Timeloop semantics count plain loop nests; this mapping has flattened loops",
                           "mapping.loops")
    if mapping.is_padded(bounds):
        raise MappingError("Timeloop semantics need a perfect factorisation (Timeloop's residual factors are not "
                           "modelled); this mapping's factors pass a bound", "mapping.loops")
    levels = nest_levels(mapping)
    per_space = {t: _space_counts(levels, mapping, t, layer.U, semantics.halo, semantics.elides_first_psum_fill)
                 for t in DataType}
    macs = math.prod(lp.factor for lp in mapping.loops)
    pes = math.prod(lp.factor for lp in mapping.loops if lp.spatial)
    rows = []
    for k, lv in enumerate(levels):
        spaces = tuple((SPACE_NAMES[t], per_space[t][k]) for t in SPACE_ORDER if per_space[t][k] is not None)
        if spaces:
            rows.append((lv.name, spaces))
    return TimeloopStats(semantics=semantics, levels=tuple(rows), macs=macs, cycles=macs // pes, utilized_pes=pes,
                         energy_pj=_energy_pj(hw, mapping, levels, per_space, macs))
