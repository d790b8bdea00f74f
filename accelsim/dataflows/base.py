"""What a dataflow contributes: constraints on the mapspace, never an engine of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from ..spec.dims import DataType, Dataflow, Dim, Reduction


class Keep(IntEnum):
    """Whether a storage level may hold a data type under a dataflow."""

    YES = 0       # always holds it
    OPTIONAL = 1  # the mapper decides (bypass allowed)
    NO = 2        # always bypassed


@dataclass(frozen=True, slots=True, kw_only=True)
class Template:
    """The mapspace of a dataflow.

    Parameters
    ----------
    dataflow : Dataflow
        Name.
    rows, cols : tuple of Dim
        Dimensions that may be spread across PE rows / columns (on a hierarchical mesh: the
        rows / columns of PEs inside one cluster).
    crows, ccols : tuple of Dim or None
        Dimensions that may be spread across the rows / columns of a hierarchical mesh's
        cluster array (places ``crow`` / ``ccol``, used only on an hmesh machine); ``None``
        (default) = ``rows`` / ``cols``, so every dataflow spreads over clusters as it spreads
        over PEs.
    pe : tuple of Dim
        Dimensions that may loop in time inside a PE (below the array).
    pinned : dict of Dim to str or tuple of str
        Dimensions whose whole bound must go to one place: ``"row"``, ``"col"`` or ``"pe"``; a
        tuple such as ``("row", "col")`` lets the bound split among those places only. On a
        hierarchical mesh a dimension pinned to ``row`` (``col``) may also spread over the
        cluster rows (columns): the array's rows are cluster rows × PE rows.
    reductions : dict of Dim to Reduction
        How psums are combined across PEs for spatial C, R, S loops (default ``NOC``).
    glb, rf : tuple of Keep
        Per :class:`DataType`, whether the GLB / RF holds it.
    window : bool
        Operands bypassing the RF are forwarded across the array (convolutional reuse in the
        array: a sliding window is read from the parent once).
    rf_accumulates : tuple of Dim
        Dimensions whose loops inside a PE must run within the RF's psum tile (RS: a PE
        finishes its 1-D primitive over ``S`` and its ``q`` channels before a psum leaves).
    summary : str
        One line for ``accelsim list dataflows``.
    """

    dataflow: Dataflow
    rows: tuple[Dim, ...] = ()
    cols: tuple[Dim, ...] = ()
    crows: tuple[Dim, ...] | None = None
    ccols: tuple[Dim, ...] | None = None
    pe: tuple[Dim, ...] = ()
    pinned: dict = field(default_factory=dict)
    reductions: dict = field(default_factory=dict)
    glb: tuple[Keep, Keep, Keep] = (Keep.YES, Keep.YES, Keep.YES)
    rf: tuple[Keep, Keep, Keep] = (Keep.YES, Keep.YES, Keep.YES)
    window: bool = False
    rf_accumulates: tuple[Dim, ...] = ()
    summary: str = ""

    def reduction(self, dim: Dim) -> Reduction:
        return self.reductions.get(dim, Reduction.NOC)

    def places(self, dim: Dim, clusters: bool = False) -> tuple[str, ...]:
        """Where factors of ``dim`` may go: any of ``outer``, ``row``, ``col``, ``pe`` and, with
        ``clusters`` (a hierarchical mesh), ``crow``, ``ccol`` (values of
        :class:`~accelsim.spec.dims.Place`), in that slot order: outer, cluster, PE array, PE."""
        if dim in self.pinned:
            place = self.pinned[dim]
            pinned = place if isinstance(place, tuple) else (place,)
            if not clusters:
                return pinned
            extra = tuple(c for p, c in (("row", "crow"), ("col", "ccol")) if p in pinned)
            return extra + pinned
        out = ["outer"]
        if clusters and dim in (self.rows if self.crows is None else self.crows):
            out.append("crow")
        if clusters and dim in (self.cols if self.ccols is None else self.ccols):
            out.append("ccol")
        if dim in self.rows:
            out.append("row")
        if dim in self.cols:
            out.append("col")
        if dim in self.pe:
            out.append("pe")
        return tuple(out)

    def keeps(self, level: str, t: DataType) -> Keep:
        return (self.glb if level == "glb" else self.rf)[t]
