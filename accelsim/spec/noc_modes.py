"""The NoC mode a mapping implies for each data type on a hierarchical mesh (Eyeriss v2).

Eyeriss v2 (Chen, Yang, Emer, Sze, IEEE JETCAS 9(2), 2019, §III-B, Fig. 8) configures its
routers per layer and per data type in one of four modes: *unicast* (every PE its own data),
*broadcast* (every PE the same data), *grouped multicast* (groups of neighbouring PEs share a
word) and *interleaved multicast* (PEs at the same place in different groups share a word). The
mode is not a free parameter: it follows from which spatial loops the data type is indexed by.

The rule, per data type, over the spatial loops (``ROW``, ``COL``, ``CROW``, ``CCOL``) whose factor
is > 1 (a loop of factor 1 spreads nothing):

* none of them is irrelevant to the type (every PE position holds different data) → unicast;
* all of them are irrelevant (every PE the same data) → broadcast;
* otherwise, grouped multicast when the innermost such loop is irrelevant (PEs consecutive in
  spatial order — the neighbours of one cluster or one group — share the word), else
  interleaved multicast (the PEs sharing a word are one inner-group stride apart).

A mapping with no spatial loop of factor > 1 (one PE) is unicast for every type. For psums an
"irrelevant" loop (over ``C``, ``R`` or ``S``) is a spatial reduction: the mode then says which
PEs' psums merge into one output word. A flattened loop is relevant to a type if any of its
member dimensions is.
"""

from __future__ import annotations

from .dims import RELEVANT, DataType, LoopKind, NocMode
from .hardware import Clusters
from .mapping import Mapping


def noc_modes(mapping: Mapping) -> dict[DataType, NocMode]:
    """The NoC mode of each data type under ``mapping`` (the rule in the module docstring).

    Parameters
    ----------
    mapping : Mapping
        Any mapping; its spatial loops (PE and cluster loops alike) decide.

    Returns
    -------
    dict of DataType to NocMode
        One entry per data type, in ``DataType`` order.
    """
    spread = [lp for lp in mapping.loops if lp.spatial and lp.factor > 1]  # outermost first
    out: dict[DataType, NocMode] = {}
    for t in DataType:
        shared = [not any(d in RELEVANT[t] for d in lp.members) for lp in spread]
        if not any(shared):
            out[t] = NocMode.UNICAST
        elif all(shared):
            out[t] = NocMode.BROADCAST
        elif shared[-1]:
            out[t] = NocMode.GROUPED
        else:
            out[t] = NocMode.INTERLEAVED
    return out


def describe_hmesh(mapping: Mapping, clusters: Clusters) -> str:
    """What ``accelsim mapping show`` prints for a mapping on a hierarchical mesh: the clusters
    and PEs per cluster the mapping occupies, the NoC mode of each data type, and what each
    active cluster holds (its offsets along the cluster loops' dimensions).

    Parameters
    ----------
    mapping : Mapping
    clusters : Clusters
        The machine's cluster hierarchy (``Hardware.noc.clusters``).
    """
    crow, ccol = mapping.cluster_shape()
    pe_rows, pe_cols = mapping.pe_shape()
    cluster_loops = [lp for lp in mapping.loops if lp.kind.cluster]
    spread = ", ".join(f"{lp.dim.name} {lp.factor} on cluster {'rows' if lp.kind is LoopKind.CROW else 'cols'}"
                       for lp in cluster_loops) or "none: one cluster"
    lines = [f"hierarchical mesh: {clusters.rows} x {clusters.cols} clusters of {clusters.pe_rows} x "
             f"{clusters.pe_cols} PEs; the mapping uses {crow} x {ccol} clusters ({spread}) and "
             f"{pe_rows} x {pe_cols} PEs per cluster",
             "NoC modes: " + ", ".join(f"{t.label} {m.value}" for t, m in noc_modes(mapping).items())]
    if cluster_loops:
        per_cluster = pe_rows * pe_cols
        dims = list(dict.fromkeys(lp.dim for lp in cluster_loops))
        positions = mapping.pe_positions()
        for cid in range(crow * ccol):
            row, col, offsets = positions[cid * per_cluster]
            where = ", ".join(f"{d.name}+{offsets[d]}" for d in dims)
            lines.append(f"  cluster {cid} (cluster row {row // pe_rows}, col {col // pe_cols}): {where}")
    return "\n".join(lines)
