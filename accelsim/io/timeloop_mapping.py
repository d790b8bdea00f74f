"""Timeloop mappings (``mapping:`` entries) and storage levels onto accelsim's loop nest.

Levels (:func:`assign_levels`). Timeloop's storage levels, outer first, become accelsim places:

* the outermost level is ``DRAM`` (one instance; it keeps every data space);
* with more than one PE (compute instances ``P``), a level of ``P`` instances is inside the PE
  (``RF``), a level of one instance is the ``GLB``, and a level in between (a v0.2
  ``DummyBuffer``, a v0.4 ``inter_*_spatial``) is a pure fan-out: it must keep nothing and have
  no temporal loops; with one PE, the innermost level is the RF and the others are the GLB;
* per data space at most one GLB level and one RF level keep it: a chain of single-type
  scratch pads (``ifmap_spad → weights_spad → psum_spad``) is accelsim's per-type RF tile start
  (each type's tile starts at its own level's loops). Two GLB-side levels keeping the same data
  space are refused; so are two PE-side ones, except a *register* (:func:`mark_registers`): a
  per-PE level below another per-PE keeper of the same data spaces whose tile of each is one
  word (every loop at or below it runs over dimensions that do not index the data space), as
  the 1-word ``weight_reg`` under ``pe_spad`` of Timeloop's ``simple_weight_stationary``. It
  becomes :attr:`Place.REGISTER`: the outer keeper is accelsim's RF for the data space, and the
  register is a Timeloop level of its own, which :mod:`accelsim.sim.timeloop_semantics` counts
  (accelsim's own accounting has no register level; docs/architecture.md, *Timeloop*).

Mapping entries (SEMANTICS.md §2.4): ``target`` a level name (a v0.4 container: its fan-out
level) or an index (0 = innermost); ``type`` ``temporal``, ``spatial`` or ``datatype`` /
``bypass`` / ``dataspace``; ``factors`` ``"R=3 P=16"``, ``"R3 P16"``, ``"R=3,P=16"`` or a list
(missing dimensions: 1); ``permutation`` innermost loop first (a string of one-letter dimensions
or a list; missing dimensions appended in problem order); ``split`` (spatial): the first
``split`` permutation entries go on X (accelsim's PE columns), the rest on Y (rows); ``keep`` /
``bypass`` lists (a data space not named is kept; v0.4 component constraints give the
default; fan-out levels bypass everything).

The nest, outer first: for each level from the outermost, its temporal loops then its spatial
loops (factor-1 loops dropped). A data space's GLB (RF) tile starts at the first loop of the
level that keeps it. Refused: an unknown target, type, dimension or data space; a factor of 0
or with a residual (``K=5,1``); factors of a dimension that do not multiply to its bound; a
repeated entry; spatial loops beyond a level's X or Y fan-out; the shapes above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..errors import MappingError
from ..spec.dims import RELEVANT, DataType, LoopKind
from ..spec.mapping import Loop, Mapping
from .timeloop_arch import ArchLevel, TimeloopArch
from .timeloop_problem import DATA_SPACES, SPACE_NAMES, TimeloopProblem
from .timeloop_yaml import load_timeloop_yaml, need_list, need_map, refuse

#: the dataflow label of an imported nest (no array forwarding; the nest is Timeloop's, not a template's)
DATAFLOW = "rs"
_FACTOR = re.compile(r"^([A-Za-z_]+?)=?(\d+)(,\d+)?$")


class Place(str, Enum):
    """Where a Timeloop storage level goes in accelsim."""

    DRAM = "DRAM"
    GLB = "GLB"
    FANOUT = "fan-out"
    RF = "RF"
    REGISTER = "register"  #: a one-word per-PE level under the RF keeper of the same data spaces


@dataclass(frozen=True, slots=True)
class LevelPlan:
    """One Timeloop level: its place, what it keeps and its loops (outer first)."""

    name: str
    place: Place
    keeps: frozenset[DataType]
    temporal: tuple[tuple[str, int], ...]
    spatial: tuple[tuple[str, int, LoopKind], ...]


@dataclass(frozen=True, slots=True)
class ImportedMapping:
    """A Timeloop mapping as an accelsim :class:`Mapping`, with the level plan behind it."""

    mapping: Mapping
    levels: tuple[LevelPlan, ...]
    origin: str

    def spans(self) -> list[tuple[int, int, int]]:
        """Per Timeloop level (outer first): ``(first loop, first spatial loop, end)`` in
        :attr:`mapping`'s loops: its temporal loops are ``[first, spatial)``, its spatial
        loops ``[spatial, end)`` (what the counting-semantics switch walks level by level)."""
        out, at = [], 0
        for lv in self.levels:
            out.append((at, at + len(lv.temporal), at + len(lv.temporal) + len(lv.spatial)))
            at = out[-1][2]
        return out

    def keeper(self, place: Place, t: DataType) -> str | None:
        """The Timeloop level holding ``t`` at ``place`` (``None``: bypassed there)."""
        return next((lv.name for lv in self.levels if lv.place is place and t in lv.keeps), None)


def _target(entry: dict, arch: TimeloopArch, path: str, origin: str) -> int:
    target = entry.get("target")
    n = len(arch.levels)
    if isinstance(target, int) and not isinstance(target, bool):
        if not 0 <= target < n:
            raise refuse(f"level index {target} outside 0..{n - 1} (0 = innermost)", f"{path}.target", origin)
        return n - 1 - target
    if not isinstance(target, str):
        raise refuse("missing target (a storage level's name or index)", f"{path}.target", origin)
    i = arch.index(target)
    if i is None:
        raise refuse(f"no storage level {target!r} in {arch.origin} (levels: "
                     f"{', '.join(lv.name for lv in arch.levels)})", f"{path}.target", origin)
    return i


def _factors(value: Any, dims: tuple[str, ...], path: str, origin: str) -> dict[str, int]:
    if value is None:
        return {}
    if isinstance(value, list):
        tokens = [str(v) for v in value]
    else:  # "R=3 P=16", "R3 P16", "R=3,P=16"; a residual "K=5,1" stays one token
        tokens = re.sub(r",\s*(?=[A-Za-z])", " ", str(value)).split()
    out: dict[str, int] = {}
    for tok in tokens:
        tok = str(tok).strip()
        match = _FACTOR.match(tok)
        if not match:
            raise refuse(f"malformed factor {tok!r} (DIM=n)", path, origin)
        dim, n, residual = match.group(1), int(match.group(2)), match.group(3)
        if dim not in dims:
            raise refuse(f"unknown dimension {dim!r} (dimensions: {', '.join(dims)})", path, origin)
        if residual:
            raise refuse(f"{tok}: imperfect factors with a residual are not imported", path, origin)
        if n == 0:
            raise refuse(f"{tok}: factor 0 ('the whole dimension') is not imported; give the factor", path, origin)
        if dim in out:
            raise refuse(f"{dim} is given twice", path, origin)
        out[dim] = n
    return out


def _permutation(value: Any, dims: tuple[str, ...], path: str, origin: str) -> list[str]:
    """Innermost first, completed with the missing dimensions in problem order."""
    if value is None:
        items: list[str] = []
    elif isinstance(value, list):
        items = [str(v) for v in value]
    elif isinstance(value, str):
        text = "".join(value.split())
        items = list(text) if all(len(d) == 1 for d in dims) else value.split()
    else:
        raise refuse(f"must be a string or a list, got {value!r}", path, origin)
    for d in items:
        if d not in dims:
            raise refuse(f"unknown dimension {d!r} (dimensions: {', '.join(dims)})", path, origin)
    if len(set(items)) != len(items):
        raise refuse(f"a dimension is repeated in {value!r}", path, origin)
    return items + [d for d in dims if d not in items]


def _spaces(value: Any, path: str, origin: str) -> set[DataType]:
    out = set()
    for k, name in enumerate(need_list(value if value is not None else [], path, origin)):
        t = DATA_SPACES.get(str(name).lower())
        if t is None:
            raise refuse(f"unknown data space {name!r} (Weights, Inputs, Outputs)", f"{path}[{k}]", origin)
        out.add(t)
    return out


def places_of(arch: TimeloopArch, origin: str) -> list[Place]:
    """Each storage level's accelsim place (module docstring); refuses an outermost level of
    several instances and an innermost storage level not one per MAC."""
    pes = arch.compute.instances
    levels = arch.levels
    if levels[-1].instances != pes:
        raise refuse(f"{arch.compute.name} has {pes} instances but the innermost storage {levels[-1].name} has "
                     f"{levels[-1].instances}; accelsim's PE is one MAC with its register file", arch.compute.path,
                     origin)
    out = []
    for i, lv in enumerate(levels):
        if i > 0 and lv.fanout_only:
            out.append(Place.FANOUT)
        elif i == 0:
            if lv.instances != 1:
                raise refuse(f"the outermost level {lv.name} has {lv.instances} instances; accelsim's DRAM is one",
                             lv.path, origin)
            out.append(Place.DRAM)
        elif pes > 1:
            out.append(Place.RF if lv.instances == pes else Place.GLB if lv.instances == 1 else Place.FANOUT)
        else:
            out.append(Place.RF if i == len(levels) - 1 else Place.GLB)
    return out


def default_keeps(lv: ArchLevel, origin: str) -> set[DataType]:
    """What a level keeps when no mapping entry says: nothing at a fan-out level, a v0.4
    component's ``constraints.dataspace``, else everything (timeloop-model's default)."""
    if lv.fanout_only:
        return set()
    if lv.keep is None and lv.bypass is None:
        return set(DataType)
    keep = (_spaces(list(lv.keep), f"{lv.path}.constraints.dataspace.keep", origin) if lv.keep is not None
            else set(DataType))
    return keep - _spaces(list(lv.bypass or ()), f"{lv.path}.constraints.dataspace.bypass", origin)


def check_one_keeper(levels: list[tuple[str, Place, frozenset[DataType] | set[DataType]]], path: str, origin: str,
                     hint: str) -> None:
    """Refuse two GLB-side or two per-PE levels keeping one data type."""
    for place in (Place.GLB, Place.RF):
        for t in DataType:
            holders = [name for name, pl, keeps in levels if pl is place and t in keeps]
            if len(holders) > 1:
                side = "one instance (GLB side)" if place is Place.GLB else "per PE"
                raise refuse(f"{SPACE_NAMES[t]} is kept by {' and '.join(holders)}, both {side}; accelsim has one "
                             f"{place.value} level per data type ({hint or 'bypass it at all but one'})", path, origin)


def mark_registers(plans: list[LevelPlan], problem: TimeloopProblem, origin: str) -> list[LevelPlan]:
    """The plans with each per-PE level that keeps only data spaces an outer per-PE level also
    keeps, each in a one-word tile, placed as :attr:`Place.REGISTER` (module docstring).

    Raises
    ------
    SpecError
        An inner per-PE keeper whose tile of a data space is more than one word (loops below it
        over a dimension indexing it), or one that also keeps a data space no outer per-PE level
        keeps (field ``mapping``).
    """
    out = list(plans)
    for i, plan in enumerate(plans):
        if plan.place is not Place.RF:
            continue
        outer = {t: next(p.name for p in plans[:i] if p.place is Place.RF and t in p.keeps)
                 for t in plan.keeps if any(p.place is Place.RF and t in p.keeps for p in plans[:i])}
        if not outer:
            continue
        below = [(d, f) for p in plans[i:] for d, f in p.temporal]
        below += [(d, f) for p in plans[i:] for d, f, _ in p.spatial]
        for t, holder in sorted(outer.items()):
            indexing = [f"{d}={f}" for d, f in below if problem.names[d] in RELEVANT[t]]
            if indexing:
                raise refuse(f"{SPACE_NAMES[t]} is kept by {holder} and {plan.name}, both per PE; accelsim has one RF "
                             f"level per data type and takes an inner per-PE keeper only as a one-word register, but "
                             f"{plan.name}'s {SPACE_NAMES[t]} tile spans {' '.join(indexing)}", "mapping", origin)
        alone = sorted(plan.keeps - set(outer))
        if alone:
            raise refuse(f"{plan.name} is a register under {', '.join(sorted(set(outer.values())))} for "
                         f"{', '.join(SPACE_NAMES[t] for t in sorted(outer))} but also keeps "
                         f"{', '.join(SPACE_NAMES[t] for t in alone)}, which no per-PE level above it keeps; a "
                         "register level keeps only data spaces of the RF level above it", "mapping", origin)
        out[i] = LevelPlan(plan.name, Place.REGISTER, plan.keeps, plan.temporal, plan.spatial)
    return out


def assign_levels(arch: TimeloopArch, problem: TimeloopProblem, data: Any, origin: str) -> ImportedMapping:
    """Read parsed mapping data against ``arch`` and ``problem`` into an accelsim mapping.

    Raises
    ------
    SpecError
        Whatever the module docstring lists as refused (field: the key path in ``origin``, or
        in the architecture file for a level accelsim has no place for).
    """
    top = need_map(data, "document", origin)
    entries = top.get("mapping")
    if isinstance(entries, dict):  # v0.4 files may wrap the list: mapping: {version, targets|mapping: [...]}
        entries = entries.get("targets", entries.get("mapping"))
    entries = need_list(entries, "mapping", origin)
    if not entries:
        raise refuse("no mapping entries (a timeloop-mapper input has none: give the mapper's map.yaml)", "mapping",
                     origin)
    dims = problem.dims
    n = len(arch.levels)
    temporal: list[dict[str, int]] = [{} for _ in range(n)]
    perm_t: list[list[str]] = [list(dims) for _ in range(n)]
    spatial: list[dict[str, int]] = [{} for _ in range(n)]
    perm_s: list[list[str]] = [list(dims) for _ in range(n)]
    split: list[int] = [len(dims)] * n
    keeps: list[set[DataType] | None] = [None] * n
    seen: dict[tuple[int, str], str] = {}
    for k, raw in enumerate(entries):
        path = f"mapping[{k}]"
        entry = need_map(raw, path, origin)
        i = _target(entry, arch, path, origin)
        kind = str(entry.get("type", "")).lower()
        kind = "datatype" if kind in ("bypass", "dataspace") else kind
        if kind not in ("temporal", "spatial", "datatype"):
            raise refuse(f"unknown type {entry.get('type')!r} (temporal, spatial, datatype, bypass, dataspace)",
                         f"{path}.type", origin)
        if (i, kind) in seen:
            raise refuse(f"a second {kind} entry for {arch.levels[i].name} (the first is {seen[i, kind]})", path,
                         origin)
        seen[i, kind] = path
        if kind == "datatype":
            keep = _spaces(entry.get("keep"), f"{path}.keep", origin)
            bypass = _spaces(entry.get("bypass"), f"{path}.bypass", origin)
            both = keep & bypass
            if both:
                raise refuse(f"{SPACE_NAMES[min(both)]} is both kept and bypassed", path, origin)
            keeps[i] = set(DataType) - bypass
            continue
        factors = _factors(entry.get("factors"), dims, f"{path}.factors", origin)
        perm = _permutation(entry.get("permutation"), dims, f"{path}.permutation", origin)
        if kind == "temporal":
            temporal[i], perm_t[i] = factors, perm
        else:
            spatial[i], perm_s[i] = factors, perm
            s = entry.get("split", len(dims))
            if isinstance(s, bool) or not isinstance(s, int) or s < 0:
                raise refuse(f"must be an integer >= 0, got {s!r}", f"{path}.split", origin)
            split[i] = s
    # bounds
    for d in dims:
        got = 1
        for i in range(n):
            got *= temporal[i].get(d, 1) * spatial[i].get(d, 1)
        if got != problem.bounds[d]:
            raise refuse(f"the factors of {d} multiply to {got}, the problem's bound is {problem.bounds[d]}",
                         "mapping", origin)
    places = places_of(arch, arch.origin)
    plans = []
    for i, lv in enumerate(arch.levels):
        keep = keeps[i] if keeps[i] is not None else default_keeps(lv, arch.origin)
        t_loops = tuple((d, temporal[i][d]) for d in reversed(perm_t[i]) if temporal[i].get(d, 1) > 1)
        s_loops = []
        x = y = 1
        for pos in reversed(range(len(perm_s[i]))):
            d = perm_s[i][pos]
            f = spatial[i].get(d, 1)
            if f == 1:
                continue
            kind = LoopKind.COL if pos < split[i] else LoopKind.ROW
            s_loops.append((d, f, kind))
            if kind is LoopKind.COL:
                x *= f
            else:
                y *= f
        inner = arch.levels[i + 1] if i + 1 < n else arch.compute
        fx = inner.mesh_x // lv.mesh_x if inner.mesh_x % lv.mesh_x == 0 else 1
        fy = inner.mesh_y // lv.mesh_y if inner.mesh_y % lv.mesh_y == 0 else 1
        where = f"the spatial entry of {lv.name}"
        if x > fx or y > fy:
            raise refuse(f"{where} puts {x} on X and {y} on Y; the fan-out below {lv.name} is {fx} x {fy}",
                         "mapping", origin)
        place = places[i]
        if place is Place.DRAM and keep != set(DataType):
            raise refuse(f"the outermost level {lv.name} must keep every data space", "mapping", origin)
        if place is Place.FANOUT:
            if keep:
                raise refuse(f"{lv.name} ({lv.instances} instances, between the GLB and the PEs) keeps "
                             f"{', '.join(SPACE_NAMES[t] for t in sorted(keep))}; accelsim has no storage between "
                             "its GLB and the PEs: bypass everything there", "mapping", origin)
            if t_loops:
                raise refuse(f"{lv.name} (a fan-out level between the GLB and the PEs) has temporal loops "
                             f"{' '.join(f'{d}={f}' for d, f in t_loops)}; accelsim has none there", "mapping", origin)
        plans.append(LevelPlan(lv.name, place, frozenset(keep), t_loops, tuple(s_loops)))
    plans = mark_registers(plans, problem, origin)
    check_one_keeper([(p.name, p.place, p.keeps) for p in plans], "mapping", origin, "")
    return ImportedMapping(_build(plans, problem, origin), tuple(plans), origin)


def _build(plans: list[LevelPlan], problem: TimeloopProblem, origin: str) -> Mapping:
    loops: list[Loop] = []
    glb: list[int | None] = [None] * 3
    rf: list[int | None] = [None] * 3
    for plan in plans:
        start = len(loops)
        for t in plan.keeps:
            if plan.place is Place.GLB:
                glb[t] = start
            elif plan.place is Place.RF:
                rf[t] = start
        loops += [Loop(problem.names[d], f) for d, f in plan.temporal]
        loops += [Loop(problem.names[d], f, kind) for d, f, kind in plan.spatial]
    # DRAM keeps everything: a data type no GLB level keeps is bypassed there
    try:
        out = Mapping(loops=tuple(loops), glb=tuple(glb), rf=tuple(rf), dataflow=DATAFLOW)  # type: ignore[arg-type]
        out.check_covers(problem.layer.loop_bounds())
    except MappingError as exc:
        raise refuse(f"accelsim cannot hold this nest: {exc.message}", "mapping", origin) from None
    return out


def read_mapping(path: str, arch: TimeloopArch, problem: TimeloopProblem) -> ImportedMapping:
    """Read a Timeloop mapping file against its architecture and problem."""
    return assign_levels(arch, problem, load_timeloop_yaml(path, "mapping"), str(path))

