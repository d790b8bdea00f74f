"""No local reuse (ISCA 2016 §IV-C): no RF; the GLB serves every operand.

PEs in a group share one ifmap pixel with different filters; groups take different channels,
and their psums are summed by an adder tree at the array edge (as in DianNao, Chen et al.,
ASPLOS 2014), so the reduction costs no NoC traffic.

The global buffer is NLR's only storage and holds ifmaps, filters and psums (§VI-A), so every
reuse beyond the array's multicast and adder tree is buffer reuse, which the paper's optimiser
splits from DRAM reuse per data type (§VI-C). A dimension therefore needs two temporal loops:
one above the buffer tiles (what DRAM sends again) and one inside them (what the buffer cycles
through while a tile stays). The second is the ``pe`` level below the array: with no RF it
holds nothing, and its loops only order the operands the buffer multicasts, every buffer tile
spanning them. With a single temporal loop per dimension, the no-spill rule (the psums of a
whole C reduction stay in the buffer) made filters the tile to re-fetch: CONV3 at N = 16 read
every filter 13 times and every ifmap 2.6 times, and CONV1-5 came to 1.65× Fig. 11's DRAM
accesses. With both levels the mapper splits M and N around the buffer (CONV3: 4 filter groups
× 2 image groups, filters read twice, ifmaps 4 times): 0.87× Fig. 11, as many GLB accesses.
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim, Reduction
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.NLR,
    rows=(Dim.M, Dim.C),
    cols=(Dim.M, Dim.C),
    # loops below the array: buffer-level tiling only (no RF, every operand comes from the GLB)
    pe=(Dim.N, Dim.M, Dim.C, Dim.E, Dim.F, Dim.R, Dim.S),
    reductions={Dim.C: Reduction.TREE},
    glb=(Keep.OPTIONAL, Keep.OPTIONAL, Keep.YES),
    rf=(Keep.NO, Keep.NO, Keep.NO),
    summary="no local reuse: no RF, ifmap multicast to PEs with different filters, adder-tree reduction",
)
