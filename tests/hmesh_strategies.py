"""Hypothesis strategies for mappings with cluster loops (a hierarchical mesh's ``CROW`` / ``CCOL``).

A random mapping of a random dataflow on 8 × 8 PEs (:func:`strategies.make_case_or_reject`) has
its outermost spatial loops turned into cluster loops, and possibly the next one split into a
cluster loop above a PE loop on the same dimension (the coordinates are unchanged: the two loops
combine mixed-radix into the old one's index). Every cluster loop then lies above every PE loop,
as :class:`accelsim.spec.mapping.Mapping` requires, and the layer, the iteration space and the
residences are those of the original mapping — only where the cluster boundaries fall changes.
"""

from __future__ import annotations

from hypothesis import strategies as st
from strategies import DATAFLOWS, flat_cases, make_case_or_reject, odd_layers, shrink_bounds
from strategies import layers as tiny_layers

from accelsim.spec.dims import LoopKind, NocKind
from accelsim.spec.hardware import Buffer, Clusters, Hardware, ModelOptions, NoC, Precision, Routers
from accelsim.spec.mapping import Loop, Mapping

#: the cluster kind a PE loop becomes (rows of PEs -> rows of clusters)
_CLUSTER_KIND = {LoopKind.ROW: LoopKind.CROW, LoopKind.COL: LoopKind.CCOL}


def hmesh_hardware(clusters=(2, 2), pe_per_cluster=(4, 4), widths=(3, 3, 2, 2), glb=16.0, dram=4.0,
                   rf_prefetch: bool = False) -> Hardware:
    """A roomy hierarchical-mesh machine (int64 psums: outputs are checked exactly).

    Parameters
    ----------
    clusters, pe_per_cluster : (int, int)
        Cluster array and PEs per cluster (default 2 × 2 clusters of 4 × 4 PEs: the 8 × 8 array
        the random mappings assume).
    widths : (int, int, int, int)
        Per-cluster ifmap, filter, psum-in and GON words per cycle (Eyeriss v2's ports: 24-b
        ports carry 3 words of 8 b, 40-b ports 2 words of 20 b).
    glb, dram : float
        GLB and DRAM words per cycle.
    rf_prefetch : bool
        ``hw.model.rf_prefetch`` (RF tiles double-buffered).
    """
    cl = Clusters(rows=clusters[0], cols=clusters[1], pe_rows=pe_per_cluster[0], pe_cols=pe_per_cluster[1])
    routers = (Routers(count=1, source_ports=4, destination_ports=4, port_bits=24),
               Routers(count=1, source_ports=2, destination_ports=2, port_bits=24, vertical_links=False),
               Routers(count=1, source_ports=3, destination_ports=3, port_bits=40, horizontal_links=False))
    noc = NoC(kind=NocKind.HMESH, clusters=cl, routers=routers, ifmap_words_per_cycle=widths[0],
              filter_words_per_cycle=widths[1], psum_words_per_cycle=widths[2], gon_words_per_cycle=widths[3])
    return Hardware(name="hm-test", pe_rows=cl.rows * cl.pe_rows, pe_cols=cl.cols * cl.pe_cols,
                    rf=Buffer(shared_words=1 << 20), glb=Buffer(shared_words=1 << 22),
                    precision=Precision(psum_bits=64), noc=noc, glb_words_per_cycle=glb, dram_words_per_cycle=dram,
                    model=ModelOptions(rf_prefetch=rf_prefetch))


def clusterize(mapping: Mapping, n_cluster: int, split: int, swap_kind: bool) -> Mapping:
    """``mapping`` with its ``n_cluster`` outermost spatial loops made cluster loops and, with
    ``split`` > 1 dividing the next spatial loop's factor into two factors > 1, that loop split
    into a cluster loop of factor ``split`` above a PE loop of the rest; ``swap_kind`` turns
    rows into cluster columns and columns into cluster rows."""
    loops = list(mapping.loops)
    spatial = [j for j, lp in enumerate(loops) if lp.spatial]
    n_cluster = min(n_cluster, len(spatial))

    def kind(lp: Loop) -> LoopKind:
        k = _CLUSTER_KIND[lp.kind]
        if swap_kind:
            k = LoopKind.CCOL if k is LoopKind.CROW else LoopKind.CROW
        return k

    for j in spatial[:n_cluster]:
        loops[j] = Loop(loops[j].dim, loops[j].factor, kind(loops[j]), loops[j].reduction)
    glb, rf = list(mapping.glb), list(mapping.rf)
    if n_cluster < len(spatial):
        j = spatial[n_cluster]
        lp = loops[j]
        if split > 1 and lp.factor % split == 0 and lp.factor > split:
            loops[j:j + 1] = [Loop(lp.dim, split, kind(lp), lp.reduction),
                              Loop(lp.dim, lp.factor // split, lp.kind, lp.reduction)]
            rf = [None if p is None else (p + 1 if p > j else p) for p in rf]
            glb = [None if p is None else (p + 1 if p > j else p) for p in glb]
    return Mapping(loops=tuple(loops), glb=tuple(glb), rf=tuple(rf), dataflow=mapping.dataflow)


@st.composite
def cluster_cases(draw):
    """``(layer, mapping, window)``: a tiny layer (grouped, depth-wise, strided, FC-like), and a
    random mapping of a random dataflow on 8 × 8 PEs with cluster loops (:func:`clusterize`: one
    or two of its outer spatial loops, and maybe a split of the next), and the kernels' window
    bits (the dataflow's forwarding, random GLB halo reuse). A third of the layers are shrunk
    below the mapping's factors (:func:`strategies.shrink_bounds`: ragged last tiles, padded
    iterations masked, clusters or PEs idle at the edges)."""
    layer = draw(st.one_of(tiny_layers(), odd_layers()))
    dataflow = draw(st.sampled_from(DATAFLOWS))
    seed = draw(st.integers(0, 2**32 - 1))
    mapping, window = make_case_or_reject(layer, dataflow, seed, draw(st.booleans()))
    mapping = clusterize(mapping, draw(st.integers(0, 2)), draw(st.sampled_from([1, 2, 3, 4])), draw(st.booleans()))
    if draw(st.integers(0, 2)) == 0:
        layer = shrink_bounds(layer, mapping, draw)
    return layer, mapping, window


@st.composite
def flat_cluster_cases(draw):
    """``(layer, mapping, window)``: :func:`strategies.flat_cases` (flattened loops such as
    ``(N,E,F)`` or ``(C,R,S)``, ragged half the time) with cluster loops (:func:`clusterize`)."""
    layer, mapping, window = draw(flat_cases())
    mapping = clusterize(mapping, draw(st.integers(0, 2)), draw(st.sampled_from([1, 2, 3])), draw(st.booleans()))
    return layer, mapping, window
