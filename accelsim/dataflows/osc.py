"""Output stationary C, MOC-SOP (ISCA 2016 §IV-B): many ofmap channels, one pixel each."""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.OSC,
    rows=(Dim.M,),
    cols=(Dim.M,),
    pe=(Dim.N, Dim.M, Dim.C, Dim.R, Dim.S),
    glb=(Keep.OPTIONAL, Keep.OPTIONAL, Keep.YES),
    rf=(Keep.NO, Keep.NO, Keep.YES),
    summary="output stationary, multiple ofmap channels × single pixel (FC-oriented)",
)
