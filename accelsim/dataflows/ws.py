"""Weight stationary (ISCA 2016 §IV-A; modelled as in §VI-A).

Each PE's RF holds one weight; an R×S region of PEs holds one filter channel and combines its
psums PE to PE; other regions take other filters and channels, whose psums meet in the GLB.
Every use of a weight (all N·E·F of them) runs while it is resident, so the GLB holds the psums
of every filter in flight — the reason WS cannot run N = 64 at 256 PEs.
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim, Reduction
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.WS,
    rows=(Dim.C, Dim.M),
    cols=(Dim.C, Dim.M),
    pinned={Dim.R: "row", Dim.S: "col", Dim.N: "pe", Dim.E: "pe", Dim.F: "pe"},
    reductions={Dim.C: Reduction.NONE},
    glb=(Keep.NO, Keep.OPTIONAL, Keep.YES),
    rf=(Keep.NO, Keep.YES, Keep.NO),
    window=True,
    summary="weight stationary: one weight per PE, ifmaps broadcast, psums passed PE to PE then to the GLB",
)
