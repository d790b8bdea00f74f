"""Partial-mapping constraints: what a user pins of a layer's mapping, the mapper searching the rest.

Timeloop's constraints name, per storage level, factors (``C=4 M=16``), a permutation and
bypassed data types, plus a spatial split. accelsim's mapspace has four *places* (six on an hmesh) a loop can sit
(:class:`~accelsim.spec.dims.Place`): ``outer`` (temporal, above the array — the DRAM and GLB levels, split per
data type by the GLB tile start), ``row`` and ``col`` (spatial across the PE array), ``pe``
(temporal inside a PE, where the RF tiles start); a hierarchical mesh adds ``crow`` and ``ccol``
(spatial across its cluster array; ``row`` and ``col`` then run inside one cluster). A dimension
has at most one loop per place, so a pinned factor is that loop's trip count, and a pinned
permutation fixes the relative order of the loops of the dimensions it lists (outermost first,
as a mapping file's loops).
Keeping or bypassing is per tile level (``glb``, ``rf``) and data type.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dims import DataType, Dim, LoopKind, Place, TileLevel
from .mapping import Mapping


@dataclass(frozen=True, slots=True)
class FactorPin:
    """The loop of ``dim`` at ``place`` has trip count ``factor`` (1: no loop there)."""

    place: Place
    dim: Dim
    factor: int
    field: str


@dataclass(frozen=True, slots=True)
class OrderPin:
    """The loops of ``dims`` at temporal ``place`` run in this order, outermost first (dims
    without a loop there are skipped)."""

    place: Place
    dims: tuple[Dim, ...]
    field: str


@dataclass(frozen=True, slots=True)
class KeepPin:
    """``level`` keeps (``keep``) or bypasses the tiles of ``dtype``."""

    level: TileLevel
    dtype: DataType
    keep: bool
    field: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MappingConstraints:
    """One layer's constraints; every item carries the field path an error names.

    Parameters
    ----------
    factors, orders, keeps : tuple
        The pinned factors, loop orders and tile residences.
    min_utilization : float
        Least fraction of the PEs with work (active PEs ÷ PEs), 0 = any.
    utilization_field : str
        Field path of ``min_utilization``.
    origin : str
        The file the constraints come from, for messages.
    """

    factors: tuple[FactorPin, ...] = ()
    orders: tuple[OrderPin, ...] = ()
    keeps: tuple[KeepPin, ...] = ()
    min_utilization: float = 0.0
    utilization_field: str = ""
    origin: str = ""

    @property
    def pins_clusters(self) -> bool:
        """Some factor is pinned at a cluster place (``crow``, ``ccol``): only a hierarchical mesh
        has those."""
        return any(p.place.cluster for p in self.factors)

    @property
    def empty(self) -> bool:
        return not (self.factors or self.orders or self.keeps or self.min_utilization > 0)

    def where(self) -> str:
        """`` (in FILE)`` for messages, or nothing."""
        return f" (in {self.origin})" if self.origin else ""

    def violations(self, mapping: Mapping, bounds: tuple[int, ...], num_pes: int) -> list[str]:
        """The field paths of the items ``mapping`` breaks (``[]``: it satisfies them all).

        ``bounds`` are the layer's loop bounds (for the active PEs of a padded mapping). A
        mapping with no spatial loop has no fixed boundary between its ``outer`` and ``pe``
        loops; it satisfies the temporal items if some boundary between its GLB and RF tile
        starts does.
        """
        bad = [k.field for k in self.keeps
               if ((mapping.glb if k.level is TileLevel.GLB else mapping.rf)[k.dtype] is not None) != k.keep]
        bad += [p.field for p in self.factors
                if p.place.kind is not LoopKind.TEMPORAL and _spatial_factor(p, mapping) != p.factor]
        bad += self._temporal_violations(mapping)
        if self.min_utilization > 0 and mapping.active_pes_for(bounds) < self.min_utilization * num_pes - 1e-9:
            bad.append(self.utilization_field)
        return bad

    def _temporal_violations(self, mapping: Mapping) -> list[str]:
        loops = mapping.loops
        spatial = [i for i, lp in enumerate(loops) if lp.spatial]
        if spatial:
            splits = [(spatial[0], spatial[-1] + 1)]
        else:
            lo = max((g for g in mapping.glb if g is not None), default=0)
            hi = min((r for r in mapping.rf if r is not None), default=len(loops))
            splits = [(s, s) for s in range(lo, max(lo, hi) + 1)]
        best: list[str] | None = None
        for outer_end, pe_start in splits:
            parts = {Place.OUTER: loops[:outer_end], Place.PE: loops[pe_start:]}
            bad = [p.field for p in self.factors if p.place in parts
                   and _product(parts[p.place], p.dim) != p.factor]
            bad += [o.field for o in self.orders if not _in_order(parts[o.place], o.dims)]
            if best is None or len(bad) < len(best):
                best = bad
        return best or []


def _spatial_factor(pin: FactorPin, mapping: Mapping) -> int:
    return _product([lp for lp in mapping.loops if lp.kind is pin.place.kind], pin.dim)


def _product(loops, dim: Dim) -> int:
    out = 1
    for lp in loops:
        if lp.dim == dim:
            out *= lp.factor
    return out


def _in_order(loops, dims: tuple[Dim, ...]) -> bool:
    rank = {d: i for i, d in enumerate(dims)}
    seen = [rank[lp.dim] for lp in loops if lp.dim in rank]
    return seen == sorted(seen)
