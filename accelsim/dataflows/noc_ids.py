"""GIN tag assignment: the row ID of every X-bus and the column ID of every PE, per data type.

Eyeriss's global input network (Chen et al., JSSC 2017, §IV-B and Fig. 11) delivers a packet
tagged (row, col) to every PE whose X-bus row ID and own column ID match, in one cycle. PEs that
take the same words form a multicast group: for filters the PEs at the same (g, m, c, r, s)
offset, for psums the same (g, n, m, e, f), for ifmaps the same (g, n, c) and the same ifmap row
``e·U + r`` and column ``f·U + s`` — so RS's diagonal ifmap sharing is one group. Rows that hold
PEs of a common group must share a row ID; within such a class of rows each group gets its own
column ID.

Flattened loops on the array (im2col's ``(N,E,F)`` on rows): a PE's coordinates are its decoded
group index, which does not move by a fixed offset as the group's temporal loops advance, so
which PEs share a word changes from fold to fold (a fold crossing an ofmap row shares ifmap
rows differently). The tags are programmed once per layer, so two PEs share a group only if they
take the same word at *every* fold (their keys compared over every temporal offset of the
spatially mapped groups, decoded with the layer's bounds; masked iterations key as ``None``):
a word two PEs share only at some folds is sent once per group then — deliveries stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from ..spec.dims import DataType, Dim
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping


@dataclass(frozen=True, slots=True)
class TagAssignment:
    """IDs for one data type on a ``rows × cols`` block of active PEs."""

    data_type: DataType
    row_ids: tuple[int, ...]
    col_ids: tuple[tuple[int, ...], ...]
    groups: int

    @property
    def row_id_bits(self) -> int:
        return max(1, max(self.row_ids).bit_length())

    @property
    def col_id_bits(self) -> int:
        return max(1, max(max(r) for r in self.col_ids).bit_length())


def _pe_coords(mapping: Mapping, bounds: tuple[int, ...]):
    """For every active PE (row, col): its spatial offset per dimension (a flattened group's
    offset decoded into its members: the PE's coordinates at the first step)."""
    rows, cols = mapping.spatial_shape()
    return {(row, col): off for row, col, off in mapping.pe_positions(bounds)}, rows, cols


def _key(t: DataType, off: dict, stride: int) -> tuple:
    if t is DataType.IFMAP:
        return (off[Dim.G], off[Dim.N], off[Dim.C], off[Dim.E] * stride + off[Dim.R], off[Dim.F] * stride + off[Dim.S])
    if t is DataType.FILTER:
        return (off[Dim.G], off[Dim.M], off[Dim.C], off[Dim.R], off[Dim.S])
    return (off[Dim.G], off[Dim.N], off[Dim.M], off[Dim.E], off[Dim.F])


def _fold_keys(mapping: Mapping, layer: ConvLayer, t: DataType) -> dict:
    """Each PE's (row, col) → its multicast key for ``t``: with flattened groups on the array,
    the tuple of its keys at every temporal offset of those groups (``None`` where masked)."""
    bounds = layer.loop_bounds()
    spatial_groups = [g for g in mapping.flat_groups if any(lp.spatial and lp.dim == g for lp in mapping.loops)]
    if not spatial_groups:
        coords, _, _ = _pe_coords(mapping, bounds)
        return {rc: _key(t, off, layer.U) for rc, off in coords.items()}
    offsets = []  # per spatial group: every value its temporal loops add to the group index
    for g in spatial_groups:
        values, stride = [0], 1
        for lp in reversed(mapping.loops):
            if lp.dim != g:
                continue
            if not lp.spatial:
                values = [v + i * stride for i in range(lp.factor) for v in values]
            stride *= lp.factor
        offsets.append(values)
    raw = mapping.pe_positions()
    keys: dict = {(row, col): [] for row, col, _ in raw}
    for base in product(*offsets):
        for row, col, off in raw:
            coords = dict(off)
            valid = True
            for g, b in zip(spatial_groups, base):
                index = off[g] + b
                valid = valid and index < g.extent(bounds)
                coords.update(g.decode(index, bounds))
            keys[(row, col)].append(_key(t, coords, layer.U) if valid else None)
    return {rc: tuple(k) for rc, k in keys.items()}


def assign_tags(mapping: Mapping, layer: ConvLayer) -> dict[DataType, TagAssignment]:
    """Row and column IDs of the GIN for every data type (module docstring; flattened groups on
    the array: a group is the PEs sharing a word at every fold)."""
    rows, cols = mapping.spatial_shape()
    out = {}
    for t in DataType:
        key = _fold_keys(mapping, layer, t)
        # rows sharing a group must share a row ID: union-find over rows
        parent = list(range(rows))

        def find(r, parent=parent):
            while parent[r] != r:
                parent[r] = parent[parent[r]]
                r = parent[r]
            return r

        first_row = {}
        for (r, _), k in key.items():
            if k in first_row:
                a, b = find(r), find(first_row[k])
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first_row[k] = r
        classes = sorted({find(r) for r in range(rows)})
        row_ids = tuple(classes.index(find(r)) for r in range(rows))
        col_ids = [[0] * cols for _ in range(rows)]
        per_class: dict[int, dict] = {}
        for r in range(rows):
            for c in range(cols):
                ids = per_class.setdefault(row_ids[r], {})
                col_ids[r][c] = ids.setdefault(key[(r, c)], len(ids))
        out[t] = TagAssignment(data_type=t, row_ids=row_ids, col_ids=tuple(tuple(r) for r in col_ids),
                               groups=len(set(key.values())))
    return out


def describe_tags(tags: dict[DataType, TagAssignment]) -> str:
    """Text grids: for each data type, the row ID of each X-bus and the column IDs along it."""
    lines = []
    for t, tag in tags.items():
        lines.append(f"GIN {t.label}: {tag.groups} multicast groups, row IDs need {tag.row_id_bits} bit(s), "
                     f"column IDs {tag.col_id_bits} bit(s)")
        width = max(len(str(v)) for row in tag.col_ids for v in row)
        for r, ids in enumerate(tag.col_ids):
            lines.append(f"  row {r:2} (row ID {tag.row_ids[r]:2}): " + " ".join(str(v).rjust(width) for v in ids))
    return "\n".join(lines)
