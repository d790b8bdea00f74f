"""Output stationary B, MOC-MOP (ISCA 2016 §IV-B): several ofmap planes, several pixels each.

The template keeps the buffer general. The ISCA 2016 setups (``isca16-*-osb``) add the paper's
two mapper rules, ``dram_filters_once`` and ``glb_conv_reuse: false``: without them the best
mapping of the 304 kB buffer reads filters 4.5 times and ifmaps 1.3 times, 0.46× Fig. 11 at
N = 16; with them each filter is read once and each ifmap window comes from DRAM, 0.85×.
"""

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
