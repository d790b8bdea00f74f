"""Output stationary A, SOC-MOP (ISCA 2016 §IV-B): one ofmap plane, many pixels at a time.

Each PE accumulates one ofmap pixel in its RF; inputs come straight from the NoC, with
convolutional reuse between PEs.
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.OSA,
    rows=(Dim.E,),
    cols=(Dim.F,),
    pe=(Dim.N, Dim.M, Dim.C, Dim.R, Dim.S),
    glb=(Keep.OPTIONAL, Keep.OPTIONAL, Keep.YES),
    rf=(Keep.NO, Keep.NO, Keep.YES),
    window=True,
    summary="output stationary, single ofmap channel × multiple pixels (CONV-oriented)",
)
