"""Output stationary B, MOC-MOP (ISCA 2016 §IV-B): several ofmap planes, several pixels each."""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.OSB,
    rows=(Dim.M, Dim.E),
    cols=(Dim.M, Dim.F),
    pe=(Dim.N, Dim.M, Dim.C, Dim.R, Dim.S),
    glb=(Keep.OPTIONAL, Keep.OPTIONAL, Keep.YES),
    rf=(Keep.NO, Keep.NO, Keep.YES),
    window=True,
    summary="output stationary, multiple ofmap channels × multiple pixels",
)
