"""Row stationary plus (RS+; Chen, Yang, Emer, Sze, Eyeriss v2, IEEE JETCAS 9(2), 2019, §III-A;
the loop nest of arXiv 1807.07928v1).

The PE primitive is row stationary's (:mod:`accelsim.dataflows.rs`): a PE keeps a ``C0 × S``
window of iacts and the psums of ``M0`` filters in its spads and slides the window along one
ofmap row ``F``, so ``S`` and ``F`` stay inside the PE and the PE finishes its ``C0`` channels
and ``S`` taps before a psum leaves (JETCAS §III-A, §IV-A: window ``C0·S ≤ 16`` iacts, ``M0 ≤ 32``
psums, 96 × 2 weights; those limits are the hardware's RF sizes, not the template's).

What RS+ adds is the spatial mapping: the arXiv v1 nest's NoC level is a ``parallel-for`` over
``g1, n1, m1, f1, c1, s1`` — every dimension but the PE's own window pair, the group dimension
``G`` included — so a depth-wise layer (one channel and one filter per group) spreads its groups
over the array instead of leaving it idle. Here that is every dimension but ``S`` and ``F`` (the
arXiv nest names the PE's window axes the other way round: its whole ``E`` and ``R`` inside the
PE and ``f1``, ``s1`` spatial are accelsim's ``F``, ``S`` in the PE and ``E``, ``R`` across PEs),
along PE rows, PE columns and, on a hierarchical mesh, cluster rows and columns. Unlike RS,
``R`` is not pinned to the rows: its taps may also run in time above the array (the nest's
``s2`` GLB loop), their psums meeting in the GLB. The spads' inner loops are ``n0, e0, c0, m0``
(accelsim: ``N``, ``E``, ``C``, ``M`` inside the PE, with ``F`` and ``S``). Eyeriss v2 has no
weight GLB and passes iacts through or stores them (JETCAS §II), so the GLB may bypass every
data type; the machine's GLB sizes decide.
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim
from .base import Keep, Template

_SPATIAL = (Dim.G, Dim.N, Dim.M, Dim.C, Dim.E, Dim.R)

TEMPLATE = Template(
    dataflow=Dataflow.RS_PLUS,
    rows=_SPATIAL,
    cols=_SPATIAL,
    pe=(Dim.N, Dim.E, Dim.M, Dim.C),
    pinned={Dim.S: "pe", Dim.F: "pe"},
    glb=(Keep.OPTIONAL, Keep.OPTIONAL, Keep.OPTIONAL),
    rf_accumulates=(Dim.C, Dim.S),
    summary="row stationary plus (Eyeriss v2): RS's PE primitive, spatial tiling along any dimension incl. groups",
)
