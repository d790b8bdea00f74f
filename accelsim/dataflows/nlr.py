"""No local reuse (ISCA 2016 §IV-C): no RF; the GLB serves every operand.

PEs in a group share one ifmap pixel with different filters; groups take different channels,
and their psums are summed by an adder tree at the array edge (as in DianNao, Chen et al.,
ASPLOS 2014), so the reduction costs no NoC traffic.
"""

from __future__ import annotations

from ..spec.dims import Dataflow, Dim, Reduction
from .base import Keep, Template

TEMPLATE = Template(
    dataflow=Dataflow.NLR,
    rows=(Dim.M, Dim.C),
    cols=(Dim.M, Dim.C),
    reductions={Dim.C: Reduction.TREE},
    glb=(Keep.OPTIONAL, Keep.OPTIONAL, Keep.YES),
    rf=(Keep.NO, Keep.NO, Keep.NO),
    summary="no local reuse: no RF, ifmap multicast to PEs with different filters, adder-tree reduction",
)
