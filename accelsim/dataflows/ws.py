"""Weight stationary (ISCA 2016 §IV-A; modelled as in §VI-A).

Each PE's RF holds one weight; an R×S region of PEs holds one filter channel and combines its
psums PE to PE; other regions take other filters and channels, whose psums meet in the GLB.
Every use of a weight (all N·E·F of them) runs while it is resident, so the GLB holds the psums
of every filter in flight — the reason WS cannot run N = 64 at 256 PEs.

The GLB holds psums, not ifmaps (§VI-A: psums that cannot be reduced at once go to the buffer,
whose size limits the filters in flight): each ifmap is streamed from DRAM once per group of
filters resident in the array. Fig. 11 confirms it — WS's DRAM accesses minus one read of every
filter word are the same at N = 1 and N = 16, 26 reads per ifmap word. How many filter channels
the array holds therefore sets WS's DRAM traffic. §VI-A models WS as a systolic array (each
cycle's psum goes to a neighbour PE or back to the buffer) and counts PEs, not grid positions,
so ``R`` and ``S`` may each lie along either array axis: on the ``isca16`` setups, whose WS
arrays are one chain of PEs, a filter channel takes ``R·S`` consecutive PEs and 256 PEs hold
⌊256 / (R·S)⌋ of them (two 11 × 11 CONV1 channels; a 16 × 16 grid fits one, and CONV1's
ifmap streamed 96 times alone exceeds the paper's CONV1-5 total).
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim, Reduction
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.WS,
    rows=(Dim.C, Dim.M),
    cols=(Dim.C, Dim.M),
    # a filter channel's R·S weights are all in the array, along either axis (see above)
    pinned={Dim.R: ("row", "col"), Dim.S: ("row", "col"), Dim.N: "pe", Dim.E: "pe", Dim.F: "pe"},
    reductions={Dim.C: Reduction.NONE},
    glb=(Keep.NO, Keep.OPTIONAL, Keep.YES),
    rf=(Keep.NO, Keep.YES, Keep.NO),
    window=True,
    summary="weight stationary: one weight per PE, ifmaps broadcast, psums passed PE to PE then to the GLB",
)
