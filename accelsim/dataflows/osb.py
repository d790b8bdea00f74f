"""Output stationary B, MOC-MOP (ISCA 2016 §IV-B): several ofmap planes, several pixels each.

Known gap (Fig. 11): the paper's OSB DRAM accesses at N = 1, 16 and 64 differ by the filter
words per MAC (to the figure's three digits), so it reads every filter once and every ifmap
word 7.1 times whatever the batch. With the same 304 kB buffer (Fig. 7b) the mapper finds a
cheaper split, filters 4.5 times and ifmaps 1.3 times: 0.46× Fig. 11 at N = 16. The two
restrictions §IV-B and §VI-A could justify bracket the paper without reaching it: ifmaps
bypassing the buffer (as in OSC) give 2.26×; no convolutional reuse in the buffer (every
temporal E/F loop above the ifmap's buffer tile, a search constraint the kernel does not have)
0.67-0.69×. So the template keeps the buffer general and ``tests/test_validation_isca16.py``
keeps the gap as a strict xfail.
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
