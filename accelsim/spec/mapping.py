"""The mapping: a loop nest with storage residences.

A mapping is one ordered list of loops, outermost first. Each loop runs over one dimension
(:class:`Dim`) with a factor, either in time (``TEMPORAL``) or across the PE array (``ROW`` or
``COL``). The factors of each dimension multiply to its bound. DRAM holds every tensor; the
global buffer and the per-PE register file hold, for each data type, the *tile* spanned by the
loops from a residence position inward (``loops[pos:]``), or nothing (``None``: bypass). The
spatial loops sit between the GLB residences and the RF residences. This expresses any
Timeloop-style nest of three storage levels (per-level factors and permutations, spatial X/Y,
bypass) and, through per-type RF positions, Eyeriss's separate scratch pads.

Flattened loops: a loop may also run over an ordered group of dimensions (:class:`Flat`, e.g.
im2col's output pixels ``(N,E,F)`` or a filter's ``(C,R,S)``), in time or across PE rows or
columns. The group's loops combine mixed-radix into its flattened index ``p`` exactly as a
dimension's loops combine into its coordinate (outer loops more significant); ``p`` decodes
into member coordinates with the layer's bounds as radices (:meth:`Flat.decode`); the factors
multiply to at least the group's extent (the product of its members' bounds) and an iteration
with ``p >= extent`` is masked, as in imperfect factorisation. A dimension belongs to at most
one group, and every loop over a grouped dimension is a loop over its group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import MappingError
from ..layout import N_GROUPS_MAX
from .dims import DataType, Dim, Flat, LoopKind, Reduction, loop_members


@dataclass(frozen=True, slots=True)
class Loop:
    """One loop of a mapping.

    Parameters
    ----------
    dim : Dim or Flat
        Dimension iterated, or a flattened group of dimensions (a one-member group is
        normalised to its dimension).
    factor : int
        Trip count (≥ 1).
    kind : LoopKind
        ``TEMPORAL``, or spatial across PE ``ROW``s or ``COL``umns.
    reduction : Reduction
        For spatial loops over a dimension the output does not depend on (C, R, S): how the
        PEs' psums are combined. Ignored otherwise.
    """

    dim: Dim | Flat
    factor: int
    kind: LoopKind = LoopKind.TEMPORAL
    reduction: Reduction = Reduction.NOC

    def __post_init__(self) -> None:
        if isinstance(self.dim, Flat):
            if len(self.dim.members) == 1:
                object.__setattr__(self, "dim", self.dim.members[0])
        elif not isinstance(self.dim, Dim):
            raise MappingError(f"a loop runs over a Dim or a Flat group, got {self.dim!r}", "mapping.loops")

    @property
    def spatial(self) -> bool:
        return self.kind is not LoopKind.TEMPORAL

    @property
    def members(self) -> tuple[Dim, ...]:
        """The dimensions the loop moves (one, or a group's members outer first)."""
        return loop_members(self.dim)


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
        self._check_groups()
        pe_level = [i for i, loop in enumerate(self.loops) if loop.kind in (LoopKind.ROW, LoopKind.COL)]
        cluster_level = [i for i, loop in enumerate(self.loops) if loop.kind.cluster]
        if pe_level and cluster_level and cluster_level[-1] > pe_level[0]:
            raise MappingError(f"the cluster loop {cluster_level[-1]} lies below the PE loop {pe_level[0]}: every "
                               "crow/ccol loop runs above every row/col loop", f"mapping.loops[{cluster_level[-1]}]")
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

    def _check_groups(self) -> None:
        """A dimension is in at most one group and, once grouped, only in group loops."""
        owner: dict[Dim, Flat | Dim] = {}
        for j, loop in enumerate(self.loops):
            for d in loop.members:
                seen = owner.setdefault(d, loop.dim)
                if seen != loop.dim:
                    if isinstance(seen, Flat) and isinstance(loop.dim, Flat):
                        what = f"{d.name} is in the groups {seen.name} and {loop.dim.name}"
                    elif isinstance(seen, Flat):
                        what = f"a loop over {d.name} alone, but {d.name} is in the group {seen.name}"
                    else:
                        what = f"the group {loop.dim.name} holds {d.name}, which also has loops of its own"
                    raise MappingError(f"{what}; a dimension belongs to at most one group, and every loop over a "
                                       "grouped dimension runs over its group", f"mapping.loops[{j}]")
        if len(self.flat_groups) > N_GROUPS_MAX:
            raise MappingError(f"at most {N_GROUPS_MAX} flattened groups, got {len(self.flat_groups)}",
                               "mapping.loops")

    # ------------------------------------------------------------------ queries
    @property
    def flat_groups(self) -> tuple[Flat, ...]:
        """The flattened groups the loops run over, in order of first appearance (outermost
        first): group ``g`` is the kernels' axis ``N_DIMS + g``."""
        out: list[Flat] = []
        for loop in self.loops:
            if isinstance(loop.dim, Flat) and loop.dim not in out:
                out.append(loop.dim)
        return tuple(out)

    def grouped(self, d: Dim) -> Flat | None:
        """The group dimension ``d`` belongs to, or ``None``."""
        return next((g for g in self.flat_groups if d in g), None)

    def factors(self, bounds: tuple[int, ...] | None = None) -> tuple[int, ...]:
        """Product of the factors of each dimension's loops, indexed by :class:`Dim`.

        A grouped dimension has no loops of its own (its group's loops cover it with the
        others, :meth:`flat_factors`): it reports its bound when ``bounds`` is given (the group
        covers it whole once :meth:`check_covers` passes), else 1.
        """
        out = [1] * len(Dim)
        for loop in self.loops:
            if isinstance(loop.dim, Dim):
                out[loop.dim] *= loop.factor
        if bounds is not None:
            for g in self.flat_groups:
                for d in g.members:
                    out[d] = int(bounds[d])
        return tuple(out)

    def flat_factors(self) -> dict[Flat, int]:
        """Product of the factors of each group's loops (its padded extent), by group."""
        out = dict.fromkeys(self.flat_groups, 1)
        for loop in self.loops:
            if isinstance(loop.dim, Flat):
                out[loop.dim] *= loop.factor
        return out

    def axes(self, bounds: tuple[int, ...]) -> list[tuple[Dim | Flat, int, int]]:
        """``(axis, extent, padded extent)`` of every ungrouped dimension, then every group: the
        independent index spaces of the nest (a group's extent is its members' product)."""
        grouped = {d for g in self.flat_groups for d in g.members}
        own = self.factors()
        out: list[tuple[Dim | Flat, int, int]] = [(d, int(bounds[d]), own[d]) for d in Dim if d not in grouped]
        out += [(g, g.extent(bounds), f) for g, f in self.flat_factors().items()]
        return out

    def _shape(self, row_kinds: tuple[LoopKind, ...], col_kinds: tuple[LoopKind, ...]) -> tuple[int, int]:
        """(rows, cols): the products of the factors of the loops of ``row_kinds`` / ``col_kinds``."""
        rows = cols = 1
        for loop in self.loops:
            if loop.kind in row_kinds:
                rows *= loop.factor
            elif loop.kind in col_kinds:
                cols *= loop.factor
        return rows, cols

    def spatial_shape(self) -> tuple[int, int]:
        """(rows, cols) of PEs the spatial loops occupy (cluster loops included: a ``CROW``
        loop multiplies the rows, a ``CCOL`` loop the columns)."""
        return self._shape((LoopKind.ROW, LoopKind.CROW), (LoopKind.COL, LoopKind.CCOL))

    def pe_shape(self) -> tuple[int, int]:
        """(rows, cols) of PEs the ``ROW`` / ``COL`` loops occupy: one cluster's worth on a
        hierarchical mesh (the whole array without cluster loops)."""
        return self._shape((LoopKind.ROW,), (LoopKind.COL,))

    def cluster_shape(self) -> tuple[int, int]:
        """(rows, cols) of clusters the ``CROW`` / ``CCOL`` loops occupy ((1, 1) without)."""
        return self._shape((LoopKind.CROW,), (LoopKind.CCOL,))

    @property
    def active_pes(self) -> int:
        rows, cols = self.spatial_shape()
        return rows * cols

    def pe_positions(self, bounds: tuple[int, ...] | None = None) -> list[tuple[int, int, dict]]:
        """Every active PE in spatial index order (outer spatial loops more significant):
        ``(row, col, offsets)`` where ``offsets`` maps each :class:`Dim` to the PE's index
        offset along it, and each :class:`Flat` group to its offset in the flattened index.
        Given the layer's ``bounds``, a group's offset is also decoded into its members'
        entries (the PE's coordinates at the first step: a group's coordinates do not move by
        a fixed offset as its temporal loops advance); without, they stay 0."""
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
            offsets: dict = dict.fromkeys((*Dim, *self.flat_groups), 0)
            for j in reversed(spatial):
                lp = self.loops[j]
                i = rem % lp.factor
                rem //= lp.factor
                offsets[lp.dim] += i * strides[j]
                if lp.kind in (LoopKind.ROW, LoopKind.CROW):
                    row += i * row_scale
                    row_scale *= lp.factor
                else:
                    col += i * col_scale
                    col_scale *= lp.factor
            if bounds is not None:
                for g in self.flat_groups:
                    offsets.update(g.decode(offsets[g], bounds))
            out.append((row, col, offsets))
        return out

    def check_covers(self, bounds: tuple[int, ...]) -> None:
        """Raise :class:`MappingError` unless the factors of every dimension cover ``bounds``.

        Factors multiplying to exactly the bound are a perfect factorisation. Imperfect
        factorisation (ragged tiles) pads a dimension: its factors multiply past the bound and
        the iterations beyond it are masked; the padding must be less than one iteration of the
        dimension's outermost loop (every iteration of that loop does some work). A flattened
        group is checked the same way against its extent (its members' product).
        """
        for axis, need, got in self.axes(bounds):
            if got == need:
                continue
            field_path = f"mapping.loops[{axis.name}]"
            what = str(need)
            if isinstance(axis, Flat):
                what = f"{axis.name} = {'·'.join(str(bounds[d]) for d in axis.members)} = {need}"
            if got < need:
                needs = f"the layer's {what}" if isinstance(axis, Flat) else f"the layer needs {need}"
                raise MappingError(f"factors of {axis.name} multiply to {got}, {needs}", field_path)
            outer = next(lp.factor for lp in self.loops if lp.dim == axis)
            tile = got // outer
            if (outer - 1) * tile >= need:
                raise MappingError(
                    f"factors of {axis.name} multiply to {got}, padding the layer's {what} by a whole "
                    f"outermost iteration (tile {tile}, at most {-(-need // tile)} iterations)", field_path)

    def is_padded(self, bounds: tuple[int, ...]) -> bool:
        """True when some dimension's (or group's) factors multiply past ``bounds`` (ragged tiles)."""
        return any(got != need for _, need, got in self.axes(bounds))

    def active_pes_for(self, bounds: tuple[int, ...]) -> int:
        """PEs with at least one valid iteration on a layer with loop ``bounds`` (fewer than
        :attr:`active_pes` when a spatially mapped dimension is padded)."""
        count = 1
        for axis, need, _ in self.axes(bounds):
            offsets = [0]
            stride = 1
            for lp in reversed(self.loops):
                if lp.dim != axis:
                    continue
                if lp.spatial:
                    offsets = [o + i * stride for i in range(lp.factor) for o in offsets]
                stride *= lp.factor
            count *= sum(1 for o in offsets if o < need)
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
                dim = _loop_dim(item[0], f"mapping.loops[{i}][0]")
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
                where = {LoopKind.TEMPORAL: "for", LoopKind.ROW: "spatial-row", LoopKind.COL: "spatial-col",
                         LoopKind.CROW: "cluster-row", LoopKind.CCOL: "cluster-col"}
                lines.append(f"[{self.level_of(i):5}] {where[lp.kind]} {lp.dim.name} in {lp.factor}")
        if bounds is not None:
            for g in self.flat_groups:
                loops = " × ".join(f"{lp.factor} {_SPREAD[lp.kind]}" for lp in self.loops if lp.dim == g)
                lines.append(f"-- flattened {g.name}: index p of extent {'·'.join(str(bounds[d]) for d in g.members)}"
                             f" = {g.extent(bounds)} over {loops}; p decodes "
                             + ", ".join(f"{d.name.lower()} = {_decode_text(g, d, bounds)}" for d in g.members))
        if bounds is not None and self.is_padded(bounds):
            pads = ", ".join(f"{axis.name} {got} for {need}" for axis, need, got in self.axes(bounds) if got != need)
            lines.append(f"-- ragged: {pads} (the iterations past each bound are masked)")
        return "\n".join(lines)


def column_loops(mapping: Mapping) -> tuple[int, ...]:
    """Nest indices of the loops a sparse PE's *column* runs over, innermost first.

    A sparse PE (:class:`accelsim.spec.hardware.SparsePe`) reads one iact, then the non-zero
    weights of its output channels for it: the MACs of consecutive steps that differ only in the
    innermost temporal ``M`` loops below the filter's RF start share the iact. These are those
    loops: walking up from the innermost loop, factor-1 loops are skipped and the walk stops at
    the first other loop (another dimension, a flattened group, a spatial loop). Empty when the
    filters bypass the RF (each MAC is its own column).

    Parameters
    ----------
    mapping : Mapping

    Returns
    -------
    tuple of int
        Loop indices (``mapping.loops``), innermost first; every loop from the first of them
        to the end of the nest is either one of them or of factor 1.
    """
    start = mapping.rf[DataType.FILTER]
    if start is None:
        return ()
    return _run_loops(mapping, start, len(mapping.loops), Dim.M)


def _run_loops(mapping: Mapping, top: int, below: int, dim: Dim) -> tuple[int, ...]:
    """Nest indices, innermost first, of the temporal loops of ``dim`` in the run that ends just
    above loop ``below``: walking up, factor-1 loops are skipped and the walk stops at the first
    other loop (another dimension, a flattened group, a spatial loop) or at loop ``top``."""
    out: list[int] = []
    for j in range(below - 1, top - 1, -1):
        loop = mapping.loops[j]
        if loop.factor == 1:
            continue
        if loop.spatial or isinstance(loop.dim, Flat) or loop.dim is not dim:
            break
        out.append(j)
    return tuple(out)


def iact_column_loops(mapping: Mapping) -> tuple[int, ...]:
    """Nest indices of the loops a sparse PE's *iact column* adds to its weight columns
    (:func:`column_loops`), innermost first: the temporal ``C`` loops just above them (walking up
    from the innermost loop outside the column, factor-1 loops skipped, up to the first other
    loop), below the filter's RF start. An iact column is the CSC iact column the PE walks (its
    input channels at one position); one whose weight columns take no cycle still takes one
    (``layout.SP_BUBBLE``). Empty when the filters bypass the RF.

    Parameters
    ----------
    mapping : Mapping

    Returns
    -------
    tuple of int
        Loop indices (``mapping.loops``), innermost first.
    """
    start = mapping.rf[DataType.FILTER]
    if start is None:
        return ()
    inner = column_loops(mapping)
    return _run_loops(mapping, start, min(inner) if inner else len(mapping.loops), Dim.C)


_SPREAD = {LoopKind.TEMPORAL: "in time", LoopKind.ROW: "on rows", LoopKind.COL: "on cols",
           LoopKind.CROW: "on cluster rows", LoopKind.CCOL: "on cluster cols"}


def _decode_text(g: Flat, d: Dim, bounds) -> str:
    """``(p // 13) % 13``: member ``d``'s coordinate in terms of the flattened index ``p``."""
    inner = 1
    for later in g.members[g.members.index(d) + 1:]:
        inner *= int(bounds[later])
    text = "p" if inner == 1 else f"p // {inner}"
    if d is not g.members[0]:
        text = (f"({text})" if inner != 1 else text) + f" % {bounds[d]}"
    return text


def _loop_dim(value, field_path: str) -> Dim | Flat:
    """A loop's dimension from a file: a name (``"E"``), a group (``"(N,E,F)"``) or an index."""
    if isinstance(value, str) and value.strip().startswith("("):
        try:
            return Flat.parse(value)
        except MappingError as exc:
            raise MappingError(exc.message, field_path) from None
    return _enum(Dim, value, field_path, by_name=True)


def _enum(enum_cls, value, field_path: str, by_name: bool):
    try:
        if by_name and isinstance(value, str):
            return enum_cls[value.upper()]
        return enum_cls(value)
    except (KeyError, ValueError):
        choices = ", ".join(m.name.lower() for m in enum_cls)
        raise MappingError(f"unknown value {value!r}; expected one of {choices}", field_path) from None
