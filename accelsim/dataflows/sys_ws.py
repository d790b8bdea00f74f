"""Systolic weight stationary (SCALE-Sim ``ws``; the TPU's matrix unit).

The layer runs as an im2col GEMM: the reduction ``K = (C/G)·R·S`` on the PE rows, the ``M``
filters on the columns, and the ``Npx = N·E·F`` output pixels streaming in time. Each fold
pre-loads one weight per PE (a one-word RF); the ifmap value of row ``k`` enters at the left
edge and is forwarded PE to PE to the right; psums move down the columns (the spatial C/R/S
reduction is a NoC transfer per hop) and leave at the bottom edge into the GLB, where folds over
``K`` accumulate. Timing: :func:`accelsim.sim.cycle.pass_overhead`.
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim, Reduction
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.SYS_WS,
    rows=(Dim.C, Dim.R, Dim.S),
    cols=(Dim.M,),
    pinned={Dim.N: "pe", Dim.E: "pe", Dim.F: "pe"},
    reductions={Dim.C: Reduction.NOC, Dim.R: Reduction.NOC, Dim.S: Reduction.NOC},
    glb=(Keep.OPTIONAL, Keep.OPTIONAL, Keep.OPTIONAL),
    rf=(Keep.NO, Keep.YES, Keep.NO),
    window=False,
    summary="systolic weight stationary: K on rows, filters on columns, pixels streaming, psums down the columns",
)
