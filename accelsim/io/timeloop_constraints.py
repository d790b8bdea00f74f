"""Timeloop mapper constraints as accelsim :class:`~accelsim.spec.constraints.MappingConstraints`.

Read (SEMANTICS.md §2.4 of the Timeloop reference collection): ``mapspace_constraints`` /
``architecture_constraints`` / ``constraints`` as a list (v0.2) or ``{targets: [...]}`` (v0.3,
v0.4), and the v0.4 per-node ``constraints`` of an architecture (``dataspace``, ``temporal``,
``spatial``; a container's go to its ``inter_<container>_spatial`` level). Entries: ``target``
(a level's name or index, 0 = innermost), ``type`` ``temporal`` | ``spatial`` | ``datatype`` /
``bypass`` / ``dataspace`` | ``utilization``; ``factors`` (``R=3 S=1``, ``R3``, ``R=3,S=1`` or a
list; ``0`` = the rest of the dimension), ``permutation`` (innermost first; in constraints ``_``
separates a fixed innermost prefix from a fixed outermost suffix, and a partial permutation
fixes only its listed dimensions, innermost), ``split`` (spatial: the first ``split`` entries of
the complete permutation go on X), ``keep`` / ``bypass``, ``min`` (utilization). Entries of one
level and type from several files merge (a dimension pinned twice must agree).

Translation. accelsim's mapper has one loop per dimension and *place*
(:class:`~accelsim.spec.dims.Place`): Timeloop's DRAM and one-instance levels are the ``outer``
place, its per-PE levels the ``pe`` place, the spatial X / Y fan-outs of every level ``col`` /
``row``; fan-out levels (DummyBuffer, ``inter_*_spatial``) have no temporal loops. Where a
Timeloop level's loops fall inside a place (DRAM or GLB; which spad) is accelsim's tile start,
which the mapper searches and constraints do not pin. So per place and dimension:

* every level of the place pins the dimension → the product, if at most one factor is > 1;
* some level leaves it free (or gives ``0``, the rest) → no pin, if the others pin 1;
* a factor > 1 beside a free level, or two factors > 1, would need a "multiple of" pin or two
  loops of one dimension in one place: refused.

A temporal permutation becomes the place's loop order when every dimension that may loop in
the place belongs to one level and each level's order among its own dimensions is fixed;
spatial permutations only say which axis a dimension may use (the order of spatial loops
changes no count). Keep / bypass per accelsim tile level (GLB, RF) and data type: one level
keeping it → kept, all bypassing → bypassed; DRAM must keep everything, fan-out levels keep
nothing. ``utilization`` on a per-PE level (or the compute unit) → the minimum utilisation.
Anything else (factor inequalities ``R>=2``, residuals ``K=5,1``, ``max_overbooked_proportion``,
``no_multicast_no_reduction`` and other keys) is refused with the file and key (exit 2).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..spec.constraints import FactorPin, KeepPin, MappingConstraints, OrderPin
from ..spec.dims import DataType, Dim
from ..spec.dims import Place as LoopPlace
from ..spec.dims import TileLevel
from .timeloop_arch import TimeloopArch
from .timeloop_mapping import Place, places_of
from .timeloop_problem import DATA_SPACES, SPACE_NAMES, TimeloopProblem
from .timeloop_yaml import load_timeloop_yaml, need_list, need_map, normalised, refuse

#: top-level keys of a Timeloop constraints file
FILE_KEYS = ("mapspace_constraints", "architecture_constraints", "constraints")
_ENTRY_KEYS = {"target", "type", "factors", "permutation", "split", "keep", "bypass", "min"}
_NODE_KEYS = ("dataspace", "temporal", "spatial")
_FACTOR = re.compile(r"^([A-Za-z_]+?)\s*=?\s*(\d+)$")
_INEQUALITY = re.compile(r"[<>]=?|!=")


class Kind(str, Enum):
    """A constraint entry's ``type``."""

    TEMPORAL = "temporal"
    SPATIAL = "spatial"
    DATASPACE = "datatype"
    UTILIZATION = "utilization"


@dataclass(slots=True)
class _Entry:
    """The merged constraints of one level and kind (Timeloop dimension names)."""

    level: int
    kind: Kind
    paths: list[str] = field(default_factory=list)
    factors: dict[str, tuple[int, str]] = field(default_factory=dict)  #: dim → (factor, 0 = the rest; key path)
    permutation: tuple[tuple[str, ...], tuple[str, ...]] | None = None  #: (innermost prefix, outermost suffix)
    perm_path: str = ""
    split: int | None = None
    keep: dict[DataType, tuple[bool, str]] = field(default_factory=dict)
    minimum: tuple[float, str] | None = None


@dataclass(frozen=True, slots=True)
class ImportedConstraints:
    """Timeloop constraints as accelsim's, with where each item came from.

    Attributes
    ----------
    constraints : MappingConstraints
        The pins; each item's ``field`` is the Timeloop key path(s) it comes from, ``origin`` the
        Timeloop file(s).
    keeps : dict of str to frozenset of DataType
        Timeloop level → the data spaces it keeps where the constraints say (levels they do not
        name are absent): the hardware's storage plan when no mapping is given.
    sources : tuple of str
        The files read.
    notes : tuple of str
        What the translation left to the mapper (said in the written file too).
    """

    constraints: MappingConstraints
    keeps: dict[str, frozenset[DataType]]
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- reading
def _kind(value: Any, path: str, origin: str) -> Kind:
    text = str(value or "").lower()
    if text in ("datatype", "bypass", "dataspace"):
        return Kind.DATASPACE
    if text in ("temporal", "spatial", "utilization"):
        return Kind(text)
    raise refuse(f"unknown type {value!r} (temporal, spatial, datatype, bypass, dataspace, utilization)", path,
                 origin)


def _factor_tokens(value: Any, path: str, origin: str) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    if isinstance(value, str):
        return re.sub(r",\s*(?=[A-Za-z])", " ", value).split()
    raise refuse(f"must be a string such as 'R=3 S=1' or a list, got {value!r}", path, origin)


def _read_factors(value: Any, dims: tuple[str, ...], path: str, origin: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for tok in _factor_tokens(value, path, origin):
        if _INEQUALITY.search(tok):
            raise refuse(f"{tok}: factor bounds (<=, >=) are not imported; accelsim pins exact factors", path,
                         origin)
        if "," in tok:
            raise refuse(f"{tok}: imperfect factors with a residual are not imported", path, origin)
        match = _FACTOR.match(tok)
        if not match:
            raise refuse(f"malformed factor {tok!r} (DIM=n; 0 = the rest of the dimension)", path, origin)
        dim, n = match.group(1), int(match.group(2))
        if dim not in dims:
            raise refuse(f"unknown dimension {dim!r} (dimensions: {', '.join(dims)})", path, origin)
        if dim in out:
            raise refuse(f"{dim} is given twice", path, origin)
        out[dim] = n
    return out


def _read_permutation(value: Any, dims: tuple[str, ...], path: str, origin: str
                      ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(innermost prefix, outermost suffix)``, each innermost first."""
    if isinstance(value, list):
        items = [str(v).strip() for v in value]
    elif isinstance(value, str):
        text = "".join(value.split())
        items = list(text) if all(len(d) == 1 for d in dims) else value.split()
    else:
        raise refuse(f"must be a string or a list, got {value!r}", path, origin)
    if items.count("_") > 1:
        raise refuse("more than one '_' (it separates the innermost prefix from the outermost suffix)", path,
                     origin)
    for d in items:
        if d != "_" and d not in dims:
            raise refuse(f"unknown dimension {d!r} (dimensions: {', '.join(dims)})", path, origin)
    listed = [d for d in items if d != "_"]
    if len(set(listed)) != len(listed):
        raise refuse(f"a dimension is repeated in {value!r}", path, origin)
    if "_" in items:
        cut = items.index("_")
        return tuple(items[:cut]), tuple(items[cut + 1:])
    return tuple(items), ()


def _read_spaces(value: Any, path: str, origin: str) -> set[DataType]:
    out = set()
    for k, name in enumerate(need_list(value if value is not None else [], path, origin)):
        t = DATA_SPACES.get(str(name).lower())
        if t is None:
            raise refuse(f"unknown data space {name!r} (Weights, Inputs, Outputs)", f"{path}[{k}]", origin)
        out.add(t)
    return out


class _Reader:
    """Collects entries per (level, kind), merging repeated ones."""

    def __init__(self, arch: TimeloopArch, problem: TimeloopProblem):
        self.arch = arch
        self.problem = problem
        self.entries: dict[tuple[int, Kind], _Entry] = {}
        self.origin_of: dict[str, str] = {}

    def level(self, target: Any, path: str, origin: str) -> int:
        n = len(self.arch.levels)
        if isinstance(target, int) and not isinstance(target, bool):
            if not 0 <= target < n:
                raise refuse(f"level index {target} outside 0..{n - 1} (0 = innermost)", path, origin)
            return n - 1 - target
        if not isinstance(target, str):
            raise refuse("missing target (a storage level's name or index)", path, origin)
        i = self.arch.index(target)
        if i is None:
            names = ", ".join(lv.name for lv in self.arch.levels)
            extra = (f"; {target} is the compute unit" if target == self.arch.compute.name else "")
            raise refuse(f"no storage level {target!r} in {self.arch.origin} (levels: {names}){extra}", path, origin)
        return i

    def add(self, i: int, kind: Kind, body: dict, path: str, origin: str) -> None:
        dims = self.problem.dims
        entry = self.entries.setdefault((i, kind), _Entry(level=i, kind=kind))
        entry.paths.append(path)
        self.origin_of[path] = origin
        lv = self.arch.levels[i].name
        if kind is Kind.UTILIZATION:
            value = body.get("min")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise refuse(f"a utilization constraint needs min between 0 and 1, got {value!r}", f"{path}.min",
                             origin)
            if entry.minimum is not None and entry.minimum[0] != value:
                raise refuse(f"a second minimum utilization of {lv} ({value}; {entry.minimum[1]} gives "
                             f"{entry.minimum[0]})", f"{path}.min", origin)
            entry.minimum = (float(value), f"{path}.min")
            return
        if kind is Kind.DATASPACE:
            keep = _read_spaces(body.get("keep"), f"{path}.keep", origin)
            bypass = _read_spaces(body.get("bypass"), f"{path}.bypass", origin)
            for spaces, kept, word in ((keep, True, "keep"), (bypass, False, "bypass")):
                for t in sorted(spaces):
                    seen = entry.keep.get(t)
                    if seen is not None and seen[0] != kept:
                        raise refuse(f"{SPACE_NAMES[t]} is both kept and bypassed at {lv} ({seen[1]})",
                                     f"{path}.{word}", origin)
                    entry.keep[t] = (kept, f"{path}.{word}")
            return
        if body.get("factors") is not None:
            for d, n in _read_factors(body["factors"], dims, f"{path}.factors", origin).items():
                seen = entry.factors.get(d)
                if seen is not None and seen[0] != n:
                    raise refuse(f"{d}={n} at {lv}, but {seen[1]} gives {d}={seen[0]}", f"{path}.factors", origin)
                entry.factors[d] = (n, f"{path}.factors")
        if body.get("permutation") is not None:
            perm = _read_permutation(body["permutation"], dims, f"{path}.permutation", origin)
            if entry.permutation is not None and entry.permutation != perm:
                raise refuse(f"a second permutation of {lv} ({entry.perm_path} gives another)",
                             f"{path}.permutation", origin)
            entry.permutation, entry.perm_path = perm, f"{path}.permutation"
        if body.get("split") is not None:
            s = body["split"]
            if kind is not Kind.SPATIAL:
                raise refuse("split belongs to a spatial constraint", f"{path}.split", origin)
            if isinstance(s, bool) or not isinstance(s, int) or s < 0:
                raise refuse(f"must be an integer >= 0, got {s!r}", f"{path}.split", origin)
            if entry.split is not None and entry.split != s:
                raise refuse(f"a second split of {lv}", f"{path}.split", origin)
            entry.split = s

    def file_entries(self, items: Any, path: str, origin: str) -> None:
        for k, raw in enumerate(need_list(items, path, origin)):
            here = f"{path}[{k}]"
            entry = need_map(raw, here, origin)
            unknown = sorted(set(entry) - _ENTRY_KEYS)
            if unknown:
                raise refuse(f"{unknown[0]} is not imported (accelsim reads target, type, factors, permutation, "
                             "split, keep, bypass, min)", f"{here}.{unknown[0]}", origin)
            kind = _kind(entry.get("type"), f"{here}.type", origin)
            i = self.level(entry.get("target"), f"{here}.target", origin)
            self.add(i, kind, entry, here, origin)

    def document(self, data: Any, origin: str) -> None:
        top = need_map(data, "document", origin)
        found = False
        for name in FILE_KEYS:
            if name not in top:
                continue
            found = True
            section = top[name]
            if isinstance(section, dict):
                section = normalised(section)
                extra = sorted(set(section) - {"version", "targets"})
                if extra:
                    raise refuse(f"{extra[0]} is not read (a constraints section holds version and targets)",
                                 f"{name}.{extra[0]}", origin)
                self.file_entries(section.get("targets") or [], f"{name}.targets", origin)
            elif section is None:
                continue
            else:
                self.file_entries(section, name, origin)
        if not found and "architecture" in top:
            found = True  # an architecture file: its node constraints are read with the architecture
        if not found:
            raise refuse(f"no constraints here (expected one of {', '.join(FILE_KEYS)})", "document", origin)

    def nodes(self) -> None:
        """The v0.4 per-node constraints of the architecture."""
        origin = self.arch.origin
        for name, path, raw in self.arch.node_constraints:
            body = need_map(raw, f"{path}.constraints", origin)
            target = self.arch.index(name)
            if target is None:
                if any(body.get(k) for k in body):
                    raise refuse(f"{name} has no spatial fan-out, so no Timeloop level carries these constraints",
                                 f"{path}.constraints", origin)
                continue
            for key, value in body.items():
                here = f"{path}.constraints.{key}"
                if key not in _NODE_KEYS:
                    raise refuse(f"{key} is not imported (accelsim reads dataspace, temporal, spatial)", here, origin)
                if value is None:
                    continue
                sub = need_map(value, here, origin)
                kind = {"dataspace": Kind.DATASPACE, "temporal": Kind.TEMPORAL, "spatial": Kind.SPATIAL}[key]
                if kind is Kind.DATASPACE and sub.get("keep") is not None and sub.get("bypass") is None:
                    # timeloopfe: a node's keep list alone is all it keeps (as default_keeps reads it)
                    kept = _read_spaces(sub["keep"], f"{here}.keep", origin)
                    sub = {**sub, "bypass": [SPACE_NAMES[t] for t in DataType if t not in kept]}
                allowed = ({"keep", "bypass"} if kind is Kind.DATASPACE else
                           {"factors", "permutation"} | ({"split"} if kind is Kind.SPATIAL else set()))
                unknown = sorted(set(sub) - allowed)
                if unknown:
                    holds = ", ".join(sorted(allowed))
                    raise refuse(f"{unknown[0]} is not imported (a {key} constraint holds {holds})",
                                 f"{here}.{unknown[0]}", origin)
                self.add(target, kind, sub, here, origin)


# --------------------------------------------------------------------------- translating
@dataclass(frozen=True, slots=True)
class _Source:
    """One level's say about one dimension at one accelsim place: a factor (0 = the rest) or
    free (``None``), with the key path."""

    level: str
    factor: int | None
    path: str


def _combine(sources: list[_Source], place: LoopPlace, dim: Dim, origin_of) -> FactorPin | None:
    """The accelsim pin of ``dim`` at ``place`` from its levels' say (module docstring)."""
    big = [s for s in sources if s.factor is not None and s.factor > 1]
    open_ = [s for s in sources if s.factor is None or s.factor == 0]
    if len(big) > 1:
        a, b = big[:2]
        raise refuse(f"{a.level} and {b.level} both loop over {dim.name} ({a.factor}, {b.factor}) at accelsim's "
                     f"{place.value} place, which has one {dim.name} loop", b.path, origin_of(b.path))
    if open_ and big:
        s, o = big[0], open_[0]
        what = "leaves it free" if o.factor is None else "gives it the rest (0)"
        raise refuse(f"{s.level} pins a factor {s.factor} while {o.level} {what}: accelsim's {place.value} place "
                     f"has one loop per dimension (the levels merged there: its tile starts), so this would be "
                     f"a 'multiple of {s.factor}' pin", s.path, origin_of(s.path))
    if open_ or not sources:
        return None
    paths = ", ".join(dict.fromkeys(s.path for s in sources if s.path))
    return FactorPin(place, dim, math.prod(s.factor for s in sources), paths)


class _Translator:
    def __init__(self, reader: _Reader):
        self.arch = reader.arch
        self.problem = reader.problem
        self.entries = reader.entries
        self.known = reader.origin_of
        self.places = places_of(self.arch, self.arch.origin)
        self.notes: list[str] = []

    def origin_of(self, path: str) -> str:
        """The file an item's key path (the first of several) is in."""
        first = path.split(", ")[0]
        hits = [p for p in self.known if first == p or first.startswith(p + ".")]
        return self.known[max(hits, key=len)] if hits else self.arch.origin

    def get(self, i: int, kind: Kind) -> _Entry | None:
        return self.entries.get((i, kind))

    def fanout(self, i: int) -> tuple[int, int]:
        lv = self.arch.levels[i]
        inner = self.arch.levels[i + 1] if i + 1 < len(self.arch.levels) else self.arch.compute
        fx = inner.mesh_x // lv.mesh_x if inner.mesh_x % lv.mesh_x == 0 else 1
        fy = inner.mesh_y // lv.mesh_y if inner.mesh_y % lv.mesh_y == 0 else 1
        return fx, fy

    # -- temporal
    def temporal_say(self, i: int, d: str) -> _Source:
        lv = self.arch.levels[i].name
        entry = self.get(i, Kind.TEMPORAL)
        if entry is not None and d in entry.factors:
            n, path = entry.factors[d]
            return _Source(lv, n, path)
        return _Source(lv, None, "")

    def temporal(self) -> tuple[list[FactorPin], list[OrderPin]]:
        factors: list[FactorPin] = []
        orders: list[OrderPin] = []
        for i, place in enumerate(self.places):
            if place is not Place.FANOUT:
                continue
            entry = self.get(i, Kind.TEMPORAL)
            for d, (n, path) in (entry.factors.items() if entry is not None else ()):
                if n != 1:
                    raise refuse(f"{d}={n} at {self.arch.levels[i].name}, a fan-out level between the GLB and the "
                                 "PEs: accelsim has no temporal loops there", path, self.origin_of(path))
        for group, place in (((Place.DRAM, Place.GLB), LoopPlace.OUTER), ((Place.RF,), LoopPlace.PE)):
            levels = [i for i, p in enumerate(self.places) if p in group]
            for d in self.problem.dims:
                pin = _combine([self.temporal_say(i, d) for i in levels], place, self.problem.names[d], self.origin_of)
                if pin is not None:
                    factors.append(pin)
            order = self.order(levels, place)
            if order is not None:
                orders.append(order)
        return factors, orders

    def order(self, levels: list[int], place: LoopPlace) -> OrderPin | None:
        """The place's loop order from its levels' permutations (module docstring)."""
        with_perm = [i for i in levels if (e := self.get(i, Kind.TEMPORAL)) is not None and e.permutation]
        if not with_perm:
            return None
        loops = {i: [d for d in self.problem.dims if self.temporal_say(i, d).factor != 1] for i in levels}
        owners: dict[str, list[int]] = {}
        for i in levels:
            for d in loops[i]:
                owners.setdefault(d, []).append(i)
        sequence: list[str] = []
        paths: list[str] = []
        for i in levels:
            entry = self.get(i, Kind.TEMPORAL)
            mine = loops[i]
            shared = [d for d in mine if len(owners[d]) > 1]
            name = self.arch.levels[i].name
            if entry is not None and entry.permutation is not None and len(mine) > 1 and shared:
                others = ", ".join(self.arch.levels[j].name for j in owners[shared[0]] if j != i)
                raise refuse(f"orders {name}'s loops, but {shared[0]} may loop at {name} and at {others}, all in "
                             f"accelsim's {place.value} place (one loop per dimension): the order of the merged "
                             "levels' loops cannot be pinned", entry.perm_path, self.origin_of(entry.perm_path))
            if entry is None or entry.permutation is None:
                if len(mine) > 1 and len(with_perm) > 0:
                    first = self.get(with_perm[0], Kind.TEMPORAL)
                    raise refuse(f"orders {self.arch.levels[with_perm[0]].name}'s loops while {name} (also "
                                 f"accelsim's {place.value} place) may hold {', '.join(mine)} in any order: accelsim "
                                 "pins one order per place", first.perm_path, self.origin_of(first.perm_path))
                sequence += mine
                continue
            prefix, suffix = entry.permutation
            middle = [d for d in mine if d not in prefix and d not in suffix]
            if len(middle) > 1:
                raise refuse(f"leaves the order of {', '.join(middle)} at {name} to the mapper; accelsim pins a "
                             "place's whole order", entry.perm_path, self.origin_of(entry.perm_path))
            outer_first = ([d for d in reversed(suffix) if d in mine] + middle
                           + [d for d in reversed(prefix) if d in mine])
            sequence += outer_first
            paths.append(entry.perm_path)
        if len(set(sequence)) < 2:
            return None
        twice = next((d for d in sequence if sequence.count(d) > 1), None)
        if twice is not None:  # one loop in accelsim, above or below the others' in Timeloop
            first = self.get(with_perm[0], Kind.TEMPORAL)
            owners_text = " and ".join(self.arch.levels[j].name for j in owners[twice])
            raise refuse(f"orders loops of accelsim's {place.value} place, where {twice} may loop at {owners_text}: "
                         "the order of the merged levels' loops cannot be pinned", first.perm_path,
                         self.origin_of(first.perm_path))
        return OrderPin(place, tuple(self.problem.names[d] for d in sequence), ", ".join(paths))

    # -- spatial
    def axis_say(self, i: int, d: str, axis: str) -> _Source | None:
        """Level ``i``'s say about ``d`` on ``axis`` (``x`` / ``y``); ``None``: no fan-out there."""
        lv = self.arch.levels[i].name
        fx, fy = self.fanout(i)
        width = fx if axis == "x" else fy
        entry = self.get(i, Kind.SPATIAL)
        n, path = entry.factors.get(d, (None, "")) if entry is not None else (None, "")
        known = None  # the axis the constraint (or the fan-out's shape) puts d on
        if entry is not None and entry.split is not None:
            prefix, suffix = entry.permutation or ((), ())
            if entry.split == 0:
                known = "y"
            elif entry.split >= len(self.problem.dims):
                known = "x"
            elif not suffix and d in prefix:
                known = "x" if prefix.index(d) < entry.split else "y"
        if known is None and (fx == 1) != (fy == 1):
            known = "y" if fx == 1 else "x"
        if width == 1:
            if known == axis and n is not None and n > 1:
                raise refuse(f"{d}={n} cannot fit {lv}'s fan-out ({fx} x {fy}) on {axis.upper()}", path,
                             self.origin_of(path))
            return None
        if known is None:
            if n is not None and n != 1:
                raise refuse(f"{d}={n} spatially at {lv} without a split saying which axis: accelsim pins a factor "
                             "on the PE rows or on the columns", path, self.origin_of(path))
            return _Source(lv, n, path)
        if known != axis:  # the split puts d on the other axis
            return _Source(lv, 1, entry.perm_path if entry is not None else "")
        return _Source(lv, n, path)

    def spatial(self) -> list[FactorPin]:
        pins = []
        for axis, place in (("x", LoopPlace.COL), ("y", LoopPlace.ROW)):
            levels = range(len(self.arch.levels))
            for d in self.problem.dims:
                says = [s for i in levels if (s := self.axis_say(i, d, axis)) is not None]
                pin = _combine(says, place, self.problem.names[d], self.origin_of)
                if pin is not None:
                    pins.append(pin)
        return pins

    # -- keep / bypass
    def keeps(self) -> tuple[list[KeepPin], dict[str, frozenset[DataType]]]:
        pins: list[KeepPin] = []
        plan: dict[str, frozenset[DataType]] = {}
        for i, place in enumerate(self.places):
            entry = self.get(i, Kind.DATASPACE)
            if entry is None:
                continue
            lv = self.arch.levels[i].name
            for t, (kept, path) in entry.keep.items():
                if place is Place.DRAM and not kept:
                    raise refuse(f"the outermost level {lv} must keep every data space (it is accelsim's DRAM)", path,
                                 self.origin_of(path))
                if place is Place.FANOUT and kept:
                    raise refuse(f"{lv} (a fan-out level between the GLB and the PEs) keeps {SPACE_NAMES[t]}; "
                                 "accelsim has no storage there", path, self.origin_of(path))
            kept_here = {t for t, (k, _) in entry.keep.items() if k}
            unsaid = {t for t in DataType if t not in entry.keep}
            plan[lv] = frozenset(kept_here | unsaid) if place is not Place.FANOUT else frozenset()
        for group, level in ((Place.GLB, TileLevel.GLB), (Place.RF, TileLevel.RF)):
            levels = [i for i, p in enumerate(self.places) if p is group]
            for t in DataType:
                says = []
                for i in levels:
                    entry = self.get(i, Kind.DATASPACE)
                    says.append(entry.keep.get(t) if entry is not None else None)
                keepers = [s for s in says if s is not None and s[0]]
                if len(keepers) > 1:
                    raise refuse(f"{SPACE_NAMES[t]} is kept by two levels of accelsim's {level.value.upper()} "
                                 f"({keepers[0][1]} and this); accelsim has one per data type", keepers[1][1],
                                 self.origin_of(keepers[1][1]))
                if keepers:
                    pins.append(KeepPin(level, t, True, keepers[0][1]))
                elif says and all(s is not None for s in says):
                    pins.append(KeepPin(level, t, False, ", ".join(s[1] for s in says)))
        return pins, plan

    # -- utilization
    def utilization(self) -> tuple[float, str]:
        best: tuple[float, str] = (0.0, "")
        pes = self.arch.compute.instances
        for (i, kind), entry in self.entries.items():
            if kind is not Kind.UTILIZATION or entry.minimum is None:
                continue
            value, path = entry.minimum
            lv = self.arch.levels[i]
            if lv.instances != pes:
                raise refuse(f"a minimum utilization of {lv.name} ({lv.instances} instances) is not accelsim's: it "
                             f"bounds the fraction of the {pes} PEs with work (a per-PE level's utilization)", path,
                             self.origin_of(path))
            if best[1] and best[0] != value:
                raise refuse(f"a second minimum PE utilization ({value}; {best[1]} gives {best[0]})", path,
                             self.origin_of(path))
            best = (value, path)
        return best


def read_constraints(paths: list[str], arch: TimeloopArch, problem: TimeloopProblem) -> ImportedConstraints:
    """Read Timeloop constraints files (and the architecture's v0.4 node constraints) as accelsim's.

    Parameters
    ----------
    paths : list of str
        Constraints files (``mapspace_constraints`` …, or the v0.4 architecture itself).
    arch, problem : TimeloopArch, TimeloopProblem
        The design the constraints are for (levels, dimension names).

    Returns
    -------
    ImportedConstraints

    Raises
    ------
    SpecError
        Whatever the module docstring lists as refused; ``field`` is the key path, the message
        names the file.
    """
    reader = _Reader(arch, problem)
    reader.nodes()
    for path in paths:
        reader.document(load_timeloop_yaml(path, "constraints"), str(path))
    tr = _Translator(reader)
    factors, orders = tr.temporal()
    factors += tr.spatial()
    keeps, plan = tr.keeps()
    minimum, min_path = tr.utilization()
    sources = tuple(dict.fromkeys([str(p) for p in paths] + ([arch.origin] if arch.node_constraints else [])))
    cons = MappingConstraints(factors=tuple(factors), orders=tuple(orders), keeps=tuple(keeps),
                              min_utilization=minimum, utilization_field=min_path,
                              origin=", ".join(sources))
    notes = []
    if any(e.kind is Kind.SPATIAL and e.permutation for e in reader.entries.values()):
        notes.append("spatial permutations give each dimension's axis only (the order of spatial loops changes no "
                     "count)")
    if cons.factors or cons.orders:
        notes.append("a place's pinned loops may lie at either of the Timeloop levels accelsim merges there (DRAM "
                     "or GLB; which spad): the mapper searches the tile starts")
    return ImportedConstraints(constraints=cons, keeps=plan, sources=sources, notes=tuple(notes))


# --------------------------------------------------------------------------- writing
def constraints_yaml(problem: TimeloopProblem, imported: ImportedConstraints) -> str:
    """The accelsim constraints file (``--constraints``) of one imported layer; each item's
    comment names the Timeloop key(s) it comes from."""
    cons = imported.constraints
    lay = problem.layer
    src = (f"Timeloop constraints {', '.join(imported.sources)}, imported by accelsim import timeloop "
           f"(names {problem.describe_names()})")
    lines = [f"# Imported by `accelsim import timeloop` from {', '.join(Path(s).name for s in imported.sources)}.",
             "# Per accelsim place (outer = Timeloop's DRAM and one-instance levels, pe = its per-PE levels,",
             "# row / col = spatial Y / X): the pinned factors, loop orders, residences (docs/architecture.md,",
             "# Constraints). Each comment names the Timeloop key the item comes from."]
    lines += [f"# NOTE: {n}" for n in imported.notes]
    lines += ["version: 1", f"workload: {_q(lay.name)}"]
    if lay.N > 1:
        lines.append(f"batch: {lay.N}")
    lines += [f"source: {_q(src)}", "layers:", f"  {_q(lay.name)}:"]
    if cons.empty:
        lines[-1] += " {}"
        return "\n".join(lines) + "\n"
    if cons.factors:
        lines.append("    factors:")
        for place in LoopPlace:
            pins = [p for p in cons.factors if p.place is place]
            if pins:
                lines.append(f"      {place.value}:")
                lines += [f"        {p.dim.name}: {p.factor}   # {p.field}" for p in pins]
    if cons.orders:
        lines.append("    permutation:   # outermost first")
        lines += [f"      {o.place.value}: [{', '.join(d.name for d in o.dims)}]   # {o.field}" for o in cons.orders]
    for word, kept in (("keep", True), ("bypass", False)):
        pins = [k for k in cons.keeps if k.keep is kept]
        if pins:
            lines.append(f"    {word}:")
            for level in TileLevel:
                mine = [k for k in pins if k.level is level]
                if mine:
                    lines.append(f"      {level.value}: [{', '.join(k.dtype.label for k in mine)}]   # "
                                 + "; ".join(dict.fromkeys(k.field for k in mine)))
    if cons.min_utilization > 0:
        lines.append(f"    min_utilization: {cons.min_utilization}   # {cons.utilization_field}")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """A YAML flow scalar (a JSON string) of ``text``."""
    return json.dumps(text, ensure_ascii=False)


def check_dataflow(imported: ImportedConstraints, problem: TimeloopProblem, dataflow: str) -> None:
    """Refuse constraints ``dataflow``'s mapspace cannot meet, naming the Timeloop key.

    Raises
    ------
    SpecError
        From :func:`accelsim.dataflows.lowering.search_space`, with the Timeloop key path as
        ``field`` and the Timeloop file(s) in the message.
    """
    from ..dataflows import template  # deferred: dataflows is heavier than io
    from ..dataflows.lowering import search_space

    cons = imported.constraints
    tpl = template(dataflow)
    try:
        search_space(tpl, problem.layer, cons)
    except SpecError as exc:
        whole = ", ".join(f"{d.name} at {'/'.join(tpl.places(d))}" for d in tpl.pinned)
        hint = f"; the {dataflow} template puts {whole}" if whole and "pinned at every place" in exc.message else ""
        text = exc.message.removesuffix(cons.where())
        raise SpecError(f"accelsim's mapper ({dataflow} dataflow, the imported hardware's) cannot meet this: "
                        f"{text}{hint}{cons.where()}", field=exc.field) from None
