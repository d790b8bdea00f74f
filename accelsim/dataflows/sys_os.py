"""Systolic output stationary (SCALE-Sim ``os``; Kung's original systolic GEMM).

The layer runs as an im2col GEMM: ``Npx = N·E·F`` output pixels on the PE rows, the ``M``
filters on the columns, and the reduction ``K = (C/G)·R·S`` in time inside every PE. Each PE
keeps its output in a one-word psum register (the RF) for the whole fold; the ifmap row of
a pixel enters at the left edge and is forwarded PE to PE to the right, a filter column enters
at the top edge and is forwarded downwards (each hop one NoC delivery; a GLB read only at the
edge). Pixels or filters that do not fit the array run as folds, back to back; after a fold the
outputs drain out of the bottom edge. Timing: :func:`accelsim.sim.cycle.pass_overhead`.
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.SYS_OS,
    rows=(Dim.N, Dim.E, Dim.F),
    cols=(Dim.M,),
    pinned={Dim.C: "pe", Dim.R: "pe", Dim.S: "pe"},
    glb=(Keep.OPTIONAL, Keep.OPTIONAL, Keep.YES),
    rf=(Keep.NO, Keep.NO, Keep.YES),
    window=False,
    rf_accumulates=(Dim.C, Dim.R, Dim.S),
    summary="systolic output stationary: pixels on rows, filters on columns, K in time, outputs drained per fold",
)
