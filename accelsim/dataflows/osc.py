"""Output stationary C, MOC-SOP (ISCA 2016 §IV-B): many ofmap channels, one pixel each.

PEs hold one output pixel (per image) of different channels; a batch spreads across PEs too,
so a filter weight is multicast to the PEs working on the same pixel of different images.
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.OSC,
    rows=(Dim.M, Dim.N),
    cols=(Dim.M, Dim.N),
    pe=(Dim.N, Dim.M, Dim.C, Dim.R, Dim.S),
    glb=(Keep.NO, Keep.OPTIONAL, Keep.YES),
    rf=(Keep.NO, Keep.NO, Keep.YES),
    summary="output stationary, multiple ofmap channels × single pixel (FC-oriented)",
)
