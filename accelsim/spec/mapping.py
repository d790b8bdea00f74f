"""The mapping: a loop nest with storage residences.

A mapping is one ordered list of loops, outermost first. Each loop runs over one dimension
(:class:`Dim`) with a factor, either in time (``TEMPORAL``) or across the PE array (``ROW`` or
``COL``). The factors of each dimension multiply to its bound. DRAM holds every tensor; the
global buffer and the per-PE register file hold, for each data type, the *tile* spanned by the
loops from a residence position inward (``loops[pos:]``), or nothing (``None``: bypass). The
spatial loops sit between the GLB residences and the RF residences. This expresses any
Timeloop-style nest of three storage levels (per-level factors and permutations, spatial X/Y,
bypass) and, through per-type RF positions, Eyeriss's separate scratch pads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import MappingError
from .dims import DataType, Dim, LoopKind, Reduction


@dataclass(frozen=True, slots=True)
class Loop:
    """One loop of a mapping.

    Parameters
    ----------
    dim : Dim
        Dimension iterated.
    factor : int
        Trip count (≥ 1).
    kind : LoopKind
        ``TEMPORAL``, or spatial across PE ``ROW``s or ``COL``umns.
    reduction : Reduction
        For spatial loops over a dimension the output does not depend on (C, R, S): how the
        PEs' psums are combined. Ignored otherwise.
    """

    dim: Dim
    factor: int
    kind: LoopKind = LoopKind.TEMPORAL
    reduction: Reduction = Reduction.NOC

    @property
    def spatial(self) -> bool:
        return self.kind is not LoopKind.TEMPORAL


Residence = tuple[int | None, int | None, int | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Mapping:
    """A loop nest plus where each data type is kept.

    Parameters
    ----------
    loops : tuple of Loop
        Outermost first.
    glb : tuple of (int or None)
        Per :class:`DataType`, the loop index from which the GLB tile starts; ``None`` bypasses.
    rf : tuple of (int or None)
        Per :class:`DataType`, the loop index from which the RF tile starts; ``None`` bypasses.
    dataflow : str
        Name of the dataflow that produced it (informational).
    """

    loops: tuple[Loop, ...]
    glb: Residence = (0, 0, 0)
    rf: Residence = (None, None, None)
    dataflow: str = ""
    notes: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        n = len(self.loops)
        for loop in self.loops:
            if not isinstance(loop.factor, int) or loop.factor < 1:
                raise MappingError(f"loop factors must be integers >= 1, got {loop.factor!r}", "mapping.loops")
        spatial = [i for i, loop in enumerate(self.loops) if loop.spatial]
        first_sp = spatial[0] if spatial else None
        last_sp = spatial[-1] if spatial else None
        for t in DataType:
            g, r = self.glb[t], self.rf[t]
            for name, pos in (("glb", g), ("rf", r)):
                if pos is not None and not 0 <= pos <= n:
                    raise MappingError(f"{t.label} residence {pos} outside 0..{n}", f"mapping.{name}")
            if g is not None and first_sp is not None and g > first_sp:
                raise MappingError(
                    f"{t.label} GLB tile starts at loop {g}, below the spatial loop {first_sp}", "mapping.glb"
                )
            if r is not None and last_sp is not None and r <= last_sp:
                raise MappingError(
                    f"{t.label} RF tile starts at loop {r}, above the spatial loop {last_sp}", "mapping.rf"
                )
            if g is not None and r is not None and r < g:
                raise MappingError(f"{t.label}: RF tile starts above its GLB tile", "mapping.rf")

    # ------------------------------------------------------------------ queries
    def factors(self) -> tuple[int, ...]:
        """Product of the factors of each dimension, indexed by :class:`Dim`."""
        out = [1] * len(Dim)
        for loop in self.loops:
            out[loop.dim] *= loop.factor
        return tuple(out)

    def spatial_shape(self) -> tuple[int, int]:
        """(rows, cols) of PEs the spatial loops occupy."""
        rows = cols = 1
        for loop in self.loops:
            if loop.kind is LoopKind.ROW:
                rows *= loop.factor
            elif loop.kind is LoopKind.COL:
                cols *= loop.factor
        return rows, cols

    @property
    def active_pes(self) -> int:
        rows, cols = self.spatial_shape()
        return rows * cols

    def pe_positions(self) -> list[tuple[int, int, dict]]:
        """Every active PE in spatial index order (outer spatial loops more significant):
        ``(row, col, offsets)`` where ``offsets`` maps each :class:`Dim` to the PE's index
        offset along it."""
        strides = []
        for j, lp in enumerate(self.loops):
            s = 1
            for later in self.loops[j + 1:]:
                if later.dim == lp.dim:
                    s *= later.factor
            strides.append(s)
        spatial = [j for j, lp in enumerate(self.loops) if lp.spatial]
        out = []
        for pe in range(self.active_pes):
            rem, row, col, row_scale, col_scale = pe, 0, 0, 1, 1
            offsets = dict.fromkeys(Dim, 0)
            for j in reversed(spatial):
                lp = self.loops[j]
                i = rem % lp.factor
                rem //= lp.factor
                offsets[lp.dim] += i * strides[j]
                if lp.kind is LoopKind.ROW:
                    row += i * row_scale
                    row_scale *= lp.factor
                else:
                    col += i * col_scale
                    col_scale *= lp.factor
            out.append((row, col, offsets))
        return out

    def check_covers(self, bounds: tuple[int, ...]) -> None:
        """Raise :class:`MappingError` unless the factors of every dimension cover ``bounds``.

        Factors multiplying to exactly the bound are a perfect factorisation. Imperfect
        factorisation (ragged tiles) pads a dimension: its factors multiply past the bound and
        the iterations beyond it are masked; the padding must be less than one iteration of the
        dimension's outermost loop (every iteration of that loop does some work).
        """
        got = self.factors()
        for d in Dim:
            if got[d] == bounds[d]:
                continue
            field_path = f"mapping.loops[{d.name}]"
            if got[d] < bounds[d]:
                raise MappingError(
                    f"factors of {d.name} multiply to {got[d]}, the layer needs {bounds[d]}", field_path)
            outer = next(lp.factor for lp in self.loops if lp.dim == d)
            tile = got[d] // outer
            if (outer - 1) * tile >= bounds[d]:
                raise MappingError(
                    f"factors of {d.name} multiply to {got[d]}, padding the layer's {bounds[d]} by a whole "
                    f"outermost iteration (tile {tile}, at most {-(-bounds[d] // tile)} iterations)", field_path)

    def is_padded(self, bounds: tuple[int, ...]) -> bool:
        """True when some dimension's factors multiply past ``bounds`` (ragged tiles)."""
        return any(f != b for f, b in zip(self.factors(), bounds))

    def active_pes_for(self, bounds: tuple[int, ...]) -> int:
        """PEs with at least one valid iteration on a layer with loop ``bounds`` (fewer than
        :attr:`active_pes` when a spatially mapped dimension is padded)."""
        count = 1
        for d in Dim:
            offsets = [0]
            stride = 1
            for lp in reversed(self.loops):
                if lp.dim != d:
                    continue
                if lp.spatial:
                    offsets = [o + i * stride for i in range(lp.factor) for o in offsets]
                stride *= lp.factor
            count *= sum(1 for o in offsets if o < bounds[d])
        return count

    def level_of(self, index: int) -> str:
        """Name of the level a loop belongs to: DRAM, GLB, array, or RF (inside the PE)."""
        glb_start = min((g for g in self.glb if g is not None), default=len(self.loops))
        loop = self.loops[index]
        if loop.spatial:
            return "array"
        spatial = [i for i, lp in enumerate(self.loops) if lp.spatial]
        pe_start = spatial[-1] + 1 if spatial else min(
            (r for r in self.rf if r is not None), default=len(self.loops)
        )
        if index < glb_start:
            return "DRAM"
        if index < pe_start:
            return "GLB"
        return "PE"

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict:
        """Plain data: ``{"loops": [[dim, factor, kind, reduction], ...], "glb": {...}, "rf": {...}}``."""
        return {
            "dataflow": self.dataflow,
            "loops": [
                [lp.dim.name, lp.factor, lp.kind.name.lower(), lp.reduction.name.lower()]
                for lp in self.loops
            ],
            "glb": {t.label: self.glb[t] for t in DataType},
            "rf": {t.label: self.rf[t] for t in DataType},
            **({"notes": dict(self.notes)} if self.notes else {}),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Mapping":
        """Inverse of :meth:`to_dict`; raises :class:`MappingError` naming the bad field."""
        try:
            loops = []
            for i, item in enumerate(data["loops"]):
                if not isinstance(item, (list, tuple)) or not 2 <= len(item) <= 4:
                    raise MappingError("each loop is [dim, factor, kind?, reduction?]", f"mapping.loops[{i}]")
                dim = _enum(Dim, item[0], f"mapping.loops[{i}][0]", by_name=True)
                kind = _enum(LoopKind, item[2] if len(item) > 2 else "temporal", f"mapping.loops[{i}][2]", True)
                red = _enum(Reduction, item[3] if len(item) > 3 else "noc", f"mapping.loops[{i}][3]", True)
                loops.append(Loop(dim, item[1], kind, red))
            glb = tuple(data.get("glb", {}).get(t.label, 0) for t in DataType)
            rf = tuple(data.get("rf", {}).get(t.label) for t in DataType)
        except KeyError as exc:
            raise MappingError(f"missing key {exc.args[0]!r}", "mapping") from None
        return cls(loops=tuple(loops), glb=glb, rf=rf, dataflow=str(data.get("dataflow", "")),
                   notes=dict(data.get("notes", {})))

    def describe(self, bounds: tuple[int, ...] | None = None) -> str:
        """A readable loop nest, outermost first, with residence markers; given the layer's
        loop ``bounds``, a last line names the padded (ragged) dimensions."""
        lines = []
        for i in range(len(self.loops) + 1):
            marks = [f"GLB:{t.label}" for t in DataType if self.glb[t] == i]
            marks += [f"RF:{t.label}" for t in DataType if self.rf[t] == i]
            if marks:
                lines.append("  " * 0 + "-- keep " + " ".join(marks))
            if i < len(self.loops):
                lp = self.loops[i]
                where = {LoopKind.TEMPORAL: "for", LoopKind.ROW: "spatial-row", LoopKind.COL: "spatial-col"}
                lines.append(f"[{self.level_of(i):5}] {where[lp.kind]} {lp.dim.name} in {lp.factor}")
        if bounds is not None and self.is_padded(bounds):
            pads = ", ".join(f"{d.name} {f} for {b}" for d, f, b in zip(Dim, self.factors(), bounds) if f != b)
            lines.append(f"-- ragged: {pads} (the iterations past each bound are masked)")
        return "\n".join(lines)


def _enum(enum_cls, value, field_path: str, by_name: bool):
    try:
        if by_name and isinstance(value, str):
            return enum_cls[value.upper()]
        return enum_cls(value)
    except (KeyError, ValueError):
        choices = ", ".join(m.name.lower() for m in enum_cls)
        raise MappingError(f"unknown value {value!r}; expected one of {choices}", field_path) from None
