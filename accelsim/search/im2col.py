"""Im2col mappings of the systolic dataflows: SCALE-Sim's own fixed mapping (``--mapping
scalesim``) and the flattened variants the mapper adds to its candidates.

A systolic array runs a convolution as the GEMM of its im2col operand matrices: the output
pixels ``Npx = (N,E,F)``, the reduction ``K = (C,R,S)`` (per group) and the filters ``M``. Each
dataflow puts two of them on the array and streams the third in time (SCALE-Sim 3.0.0):

========  ==========  ==========  =========
dataflow  PE rows     PE columns  in time
========  ==========  ==========  =========
sys-os    Npx         M           K
sys-ws    K           M           Npx
sys-is    K           Npx         M
========  ==========  ==========  =========

An operand larger than its array side runs in folds: a temporal loop over the same group (or
dimension) above the spatial one, ``ceil(extent / side)`` of them, the last one ragged (its
factor pads the group's product; the padded iterations are masked). SCALE-Sim's fold order is
the column folds outer, the row folds inner::

    [G]  col-operand  fc   temporal     (groups, one after the other)
         row-operand  fr   temporal
         col-operand  min(extent, cols)  spatial COL
         row-operand  min(extent, rows)  spatial ROW
         streamed     T    temporal     (inside the PE: the fold's steps)

A grouped layer runs its groups one after the other (an outermost temporal ``G`` loop: each
group is one SCALE-Sim layer of ``C/G`` channels and ``M/G`` filters). Residences are the
``sys-*`` templates': the stationary type in a one-word register (the RF tile starts below the
spatial loops: OS psums, WS filters, IS ifmaps), every type in the GLB from the outermost loop
at which its tile fits (:func:`fit_glb`).
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

from ..dataflows import parse_dataflow, template
from ..dataflows.base import Keep
from ..dataflows.lowering import window_flags
from ..errors import CapacityError, SpecError
from ..sim.counting import check_fits, count_mapping
from ..spec.dims import DataType, Dataflow, Dim, Flat, LoopKind, Reduction
from ..spec.layer import ConvLayer
from ..spec.mapping import Loop, Mapping

#: The im2col operands as flattened groups (outer member first).
NPX = Flat((Dim.N, Dim.E, Dim.F))
KRED = Flat((Dim.C, Dim.R, Dim.S))


class FoldOrder(str, Enum):
    """Which folds are the outer temporal loop: SCALE-Sim's column folds outer (``COLS_OUTER``)
    or the row folds outer (``ROWS_OUTER``)."""

    COLS_OUTER = "cols-outer"
    ROWS_OUTER = "rows-outer"


#: Per systolic dataflow: (row operand, column operand, streamed operand, stationary type).
OPERANDS: dict[Dataflow, tuple[Flat | Dim, Flat | Dim, Flat | Dim, DataType]] = {
    Dataflow.SYS_OS: (NPX, Dim.M, KRED, DataType.PSUM),
    Dataflow.SYS_WS: (KRED, Dim.M, NPX, DataType.FILTER),
    Dataflow.SYS_IS: (KRED, NPX, Dim.M, DataType.IFMAP),
}


def _extent(axis: Flat | Dim, bounds) -> int:
    return axis.extent(bounds) if isinstance(axis, Flat) else int(bounds[axis])


def _folded(axis: Flat | Dim, extent: int, side: int, width: int | None, kind: LoopKind,
            red: Reduction) -> tuple[Loop | None, Loop]:
    """The fold loop (``None`` when one fold covers ``extent``) and the spatial loop of an operand
    of ``extent`` on an array side of ``side`` PEs, ``width`` PEs per fold (default: the side)."""
    width = min(extent, side if width is None else width)
    folds = -(-extent // width)
    return (Loop(axis, folds) if folds > 1 else None), Loop(axis, width, kind, red)


def im2col_mapping(layer: ConvLayer, dataflow, rows: int, cols: int, *, order: FoldOrder = FoldOrder.COLS_OUTER,
                   row_width: int | None = None, col_width: int | None = None, hw=None) -> Mapping:
    """An im2col mapping of ``layer`` on a ``rows × cols`` systolic array (module docstring).

    Parameters
    ----------
    layer : ConvLayer
        The layer (any batch, groups, stride).
    dataflow : Dataflow or str
        ``sys-os``, ``sys-ws`` or ``sys-is``.
    rows, cols : int
        PE array shape.
    order : FoldOrder
        Fold order (SCALE-Sim: column folds outer).
    row_width, col_width : int, optional
        PEs a fold uses on each side (default: the whole side; fewer gives evenly wide folds).
    hw : Hardware, optional
        Machine whose GLB the tiles must fit (:func:`fit_glb`); without, every type is kept in the
        GLB whole.

    Returns
    -------
    Mapping
        ``dataflow`` set to the dataflow's name, ``notes["family"] = "im2col"``.

    Raises
    ------
    SpecError
        Not a systolic dataflow.
    """
    df = parse_dataflow(dataflow)
    if df not in OPERANDS:
        raise SpecError(f"im2col mappings exist for sys-os, sys-ws and sys-is, not {df.value}", "dataflow")
    row_op, col_op, t_op, stationary = OPERANDS[df]
    bounds = layer.loop_bounds()
    row_fold, row_sp = _folded(row_op, _extent(row_op, bounds), rows, row_width, LoopKind.ROW, Reduction.NOC)
    col_fold, col_sp = _folded(col_op, _extent(col_op, bounds), cols, col_width, LoopKind.COL, Reduction.NOC)
    folds = (col_fold, row_fold) if order is FoldOrder.COLS_OUTER else (row_fold, col_fold)
    loops = [lp for lp in ((Loop(Dim.G, bounds[Dim.G]) if bounds[Dim.G] > 1 else None), *folds) if lp is not None]
    loops += [col_sp, row_sp, Loop(t_op, _extent(t_op, bounds))]
    rf = [None, None, None]
    rf[stationary] = len(loops) - 1
    mapping = Mapping(loops=tuple(loops), glb=(0, 0, 0), rf=tuple(rf), dataflow=df.value,
                      notes={"family": "im2col"})
    return mapping if hw is None else fit_glb(mapping, layer, hw)


def scalesim_mapping(layer: ConvLayer, dataflow, rows: int, cols: int, hw=None) -> Mapping:
    """SCALE-Sim 3.0.0's own mapping of ``layer`` (``--mapping scalesim``): full-width folds,
    column folds outer (:func:`im2col_mapping`); ``notes["family"] = "scalesim"``."""
    m = im2col_mapping(layer, dataflow, rows, cols, hw=hw)
    return replace(m, notes={"family": "scalesim"})


def scalesim_mappings(workload, batch: int, dataflow, hw) -> dict[str, Mapping]:
    """``--mapping scalesim``: :func:`scalesim_mapping` of every layer of ``workload`` at ``batch``
    on ``hw``'s array (tiles fitted to its GLB), by layer name.

    Raises
    ------
    SpecError
        ``dataflow`` is not systolic (the message names the choices).
    """
    df = parse_dataflow(dataflow)
    if df not in OPERANDS:
        raise SpecError(f"--mapping scalesim maps the systolic dataflows (sys-os, sys-ws, sys-is), not {df.value}; "
                        "add --dataflow sys-os (or sys-ws, sys-is)", "--mapping")
    return {layer.name: scalesim_mapping(layer, df, hw.pe_rows, hw.pe_cols, hw=hw)
            for layer in workload.with_batch(batch).layers}


def fit_glb(mapping: Mapping, layer: ConvLayer, hw) -> Mapping:
    """``mapping`` with each type's GLB tile starting at the outermost loop where the tiles fit
    ``hw``'s GLB: from all at loop 0, the type with the largest overflowing tile moves one loop
    inward (never below the first spatial loop) until they fit; then the largest tile the
    dataflow lets bypass the GLB is bypassed (streamed from DRAM). Returns the last try when they
    never fit (counting then raises :class:`~accelsim.errors.CapacityError`)."""
    tpl = template(mapping.dataflow)
    window = window_flags(tpl, hw)
    first_sp = next(j for j, lp in enumerate(mapping.loops) if lp.spatial)
    glb = list(mapping.glb)
    while True:
        m = replace(mapping, glb=tuple(glb))
        counts = count_mapping(m, layer, window)
        try:
            check_fits(m, counts, hw)
            return m
        except CapacityError:
            movable = [t for t in DataType if glb[t] is not None and glb[t] < first_sp]
            if not movable:  # bypass the largest tile the template lets go (its operand streams from DRAM)
                movable = [t for t in DataType if glb[t] is not None and tpl.keeps("glb", t) is Keep.OPTIONAL]
                if not movable:
                    return m
                glb[max(movable, key=lambda t: int(counts.usage[0][t]))] = None
                continue
            t = max(movable, key=lambda t: int(counts.usage[0][t]))
            glb[t] += 1


def im2col_variants(layer: ConvLayer, dataflow, rows: int, cols: int, hw=None) -> list[Mapping]:
    """The flattened candidates the mapper adds for a systolic dataflow: SCALE-Sim's mapping,
    the other fold order, and evenly wide folds (``ceil(extent / folds)`` PEs a fold instead of
    the whole side, so the last fold is not short) on either side, in both orders."""
    df = parse_dataflow(dataflow)
    row_op, col_op, _, _ = OPERANDS[df]
    bounds = layer.loop_bounds()
    widths = []
    for op, side in ((row_op, rows), (col_op, cols)):
        ext = _extent(op, bounds)
        w = min(ext, side)
        even = -(-ext // -(-ext // w))
        widths.append(sorted({w, even}, reverse=True))
    out, seen = [], set()
    for order in FoldOrder:
        for rw in widths[0]:
            for cw in widths[1]:
                m = im2col_mapping(layer, df, rows, cols, order=order, row_width=rw, col_width=cw, hw=hw)
                key = (m.loops, m.glb, m.rf)
                if key not in seen:
                    seen.add(key)
                    out.append(m)
    return out
