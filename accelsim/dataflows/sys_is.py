"""Systolic input stationary (SCALE-Sim ``is``).

The layer runs as an im2col GEMM: the reduction ``K = (C/G)·R·S`` on the PE rows, the
``Npx = N·E·F`` output pixels on the columns, and the ``M`` filters streaming in time. Each
fold pre-loads one ifmap value per PE (a one-word RF); the weight of row ``k`` enters at the
left edge and is forwarded PE to PE to the right; psums move down the columns (a NoC transfer
per hop) and leave at the bottom edge into the GLB, where folds over ``K`` accumulate.
Timing: :func:`accelsim.sim.cycle.pass_overhead`.
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim, Reduction
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.SYS_IS,
    rows=(Dim.C, Dim.R, Dim.S),
    cols=(Dim.N, Dim.E, Dim.F),
    pinned={Dim.M: "pe"},
    reductions={Dim.C: Reduction.NOC, Dim.R: Reduction.NOC, Dim.S: Reduction.NOC},
    glb=(Keep.OPTIONAL, Keep.OPTIONAL, Keep.OPTIONAL),
    rf=(Keep.YES, Keep.NO, Keep.NO),
    window=False,
    summary="systolic input stationary: K on rows, pixels on columns, filters streaming, psums down the columns",
)
