"""The cycle engine on a hierarchical mesh (Eyeriss v2, issue 16): cluster loops, ports, hops, timing.

1. Properties (hypothesis) over tiny layers — grouped, depth-wise, strided, FC-like, ragged —
   and random mappings of every dataflow with cluster loops (:mod:`hmesh_strategies`; also
   with flattened loops, the flat kernel): the
   simulated machine computes the reference convolution, counts every access (cluster ports
   ``PORTS`` and mesh hops ``HOPS`` included) as the enumerating reference counter defines it
   (``tests/reference_counter.py``), and does every MAC once; its cycles lie between the compute
   steps and those of a flat multicast NoC with the same rates, and equal them without clusters.
2. Hand-derived toys of two clusters × two PEs, one per NoC mode of JETCAS 2019 Fig. 8 (and the
   vertical psum accumulation across clusters of Fig. 9): words delivered per source read, words
   through the ports and over the mesh, and the cycles a delivery takes at the ports' widths.

Facts used (Chen, Yang, Emer, Sze, "Eyeriss v2", IEEE JETCAS 9(2), 2019, §III-B, §III-C; also
``../shared/reference/eyeriss_v2.json``, not read here): a router cluster's iact and weight ports
are 24 b and its psum ports 40 b, so with 8-b iacts and weights and 20-b psums a port carries
3 and 2 words per cycle; the four modes are unicast, broadcast, grouped and interleaved multicast.
"""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
from hmesh_strategies import cluster_cases, clusterize, flat_cluster_cases, hmesh_hardware
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_counter import reference_counts

from accelsim.layout import FILTER, HOPS, IFMAP, NOC, PORTS, PSUM, READS, TRANSACTIONS
from accelsim.sim.cycle import layer_inputs, reference_conv, run_cycle
from accelsim.spec.dims import Dim, LoopKind, NocKind, Reduction
from accelsim.spec.hardware import NoC
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping

_N = int(os.environ.get("CYCLE_EXAMPLES", "80"))
PROPS = settings(max_examples=_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: 8 × 8 clusters of 8 × 8 PEs: room for any arrangement of the 8 × 8 random mappings' loops
BIG = hmesh_hardware(clusters=(8, 8), pe_per_cluster=(8, 8))
#: the toys' machine: 2 × 1 clusters of 2 × 1 PEs, Eyeriss v2's port widths (3 iact / weight
#: words, 2 psum words per cycle and cluster), GLB and DRAM never the bottleneck, no pipeline drain
TOY = hmesh_hardware(clusters=(2, 1), pe_per_cluster=(2, 1), widths=(3, 3, 2, 2), glb=1e9, dram=1e9)


def _flat_noc(hw):
    """``hw`` with a flat multicast (GIN) NoC of the same rates (a whole-array bus each)."""
    noc = hw.noc
    return replace(hw, noc=NoC(kind=NocKind.GIN, ifmap_words_per_cycle=noc.ifmap_words_per_cycle,
                               filter_words_per_cycle=noc.filter_words_per_cycle,
                               psum_words_per_cycle=noc.psum_words_per_cycle,
                               gon_words_per_cycle=noc.gon_words_per_cycle,
                               local_words_per_cycle=noc.local_words_per_cycle))


# ----------------------------------------------------------------------------- 1. properties
@PROPS
@given(case=cluster_cases())
def test_outputs_and_counts_equal_the_reference(case):
    layer, mapping, window = case
    out = run_cycle(layer, BIG, mapping, window)
    why = f"\n{layer.shape_dict()} window {window}\n{mapping.describe()}"
    ifmap, filters = layer_inputs(layer, precision=BIG.precision)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters)), why
    ref, usage, macs = reference_counts(layer, mapping, window)
    assert np.array_equal(out.counts, ref), why + f"\ncycle:\n{out.counts}\nreference:\n{ref}"
    assert np.array_equal(out.usage, usage), why
    assert int(out.pe_busy.sum()) == macs == layer.macs  # every MAC once
    # a word reaches at least one cluster and at most every cluster; psums merged across
    # clusters hop once per merge, never more than the words leaving the clusters
    clusters = int(np.prod(mapping.cluster_shape()))
    for t in (IFMAP, FILTER):
        assert ref[NOC, t, TRANSACTIONS] <= out.counts[NOC, t, PORTS] <= clusters * ref[NOC, t, TRANSACTIONS], why
    assert (out.counts[NOC, :, HOPS] >= 0).all(), why


@PROPS
@given(case=st.one_of(cluster_cases(), flat_cluster_cases()), prefetch=st.booleans())
def test_cycles_between_compute_and_a_flat_noc(case, prefetch):
    """A cluster's ports carry at most the words the whole array takes in a step, and all
    clusters' ports work in parallel: never slower than one flat bus of the same rate, never
    faster than the MACs; without cluster loops (one cluster) exactly the flat bus. With and
    without double-buffered RF fills (``rf_prefetch``)."""
    layer, mapping, window = case
    hw = hmesh_hardware(clusters=(8, 8), pe_per_cluster=(8, 8), widths=(1, 2, 1, 1), glb=64.0, dram=64.0,
                        rf_prefetch=prefetch)
    mesh = run_cycle(layer, hw, mapping, window)
    flat = run_cycle(layer, _flat_noc(hw), mapping, window)
    assert mesh.compute_cycles <= mesh.cycles <= flat.cycles
    if mapping.cluster_shape() == (1, 1):
        assert mesh.cycles == flat.cycles
        assert mesh.stall_cycles == flat.stall_cycles


def test_one_cluster_ports_are_transactions():
    """Without cluster loops the array is one cluster: PORTS = TRANSACTIONS, HOPS = 0 (the
    counts every existing preset gains)."""
    layer = ConvLayer(name="t", N=1, M=4, C=6, H=3, W=3, R=2, S=2)
    mapping = Mapping(loops=(Loop(Dim.M, 2, LoopKind.ROW), Loop(Dim.C, 3, LoopKind.COL), Loop(Dim.M, 2),
                             Loop(Dim.C, 2), Loop(Dim.E, 2), Loop(Dim.F, 2), Loop(Dim.R, 2), Loop(Dim.S, 2)),
                      glb=(0, 0, 0), rf=(3, 3, 3))
    out = run_cycle(layer, BIG, mapping, 0)
    assert (out.counts[NOC, :, PORTS] == out.counts[NOC, :, TRANSACTIONS]).all()
    assert (out.counts[NOC, :, HOPS] == 0).all()
    assert out.counts[NOC, IFMAP, TRANSACTIONS] > 0


@PROPS
@given(case=flat_cluster_cases())
def test_flattened_loops_with_clusters(case):
    """Flattened loops (the flat kernel, tiles as sets of words) with cluster loops: the same
    outputs and reference counts."""
    layer, mapping, window = case
    out = run_cycle(layer, BIG, mapping, window)
    why = f"\n{layer.shape_dict()} window {window}\n{mapping.describe()}"
    ifmap, filters = layer_inputs(layer, precision=BIG.precision)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters)), why
    ref, usage, macs = reference_counts(layer, mapping, window)
    assert np.array_equal(out.counts, ref), why + f"\ncycle:\n{out.counts}\nreference:\n{ref}"
    assert int(out.pe_busy.sum()) == macs


def test_clusterize_keeps_the_iteration_space():
    """The strategy's rewrite only moves cluster boundaries: same coordinates per PE."""
    mapping = Mapping(loops=(Loop(Dim.M, 4, LoopKind.ROW), Loop(Dim.C, 2, LoopKind.COL), Loop(Dim.C, 3)),
                      glb=(0, 0, 0), rf=(2, 2, 2))
    split = clusterize(mapping, 0, 2, False)
    assert [lp.kind for lp in split.loops] == [LoopKind.CROW, LoopKind.ROW, LoopKind.COL, LoopKind.TEMPORAL]
    assert split.rf == (3, 3, 3) and split.factors() == mapping.factors()
    assert [off for _, _, off in split.pe_positions()] == [off for _, _, off in mapping.pe_positions()]


# ----------------------------------------------------------------------------- 2. hand-derived toys
def _toy(layer, loops, hw=TOY):
    """Run ``loops`` (two cluster rows × two PE rows, then the temporal C loop that fills every
    PE's RF ifmap and filter tile at the first step) with every tile in the GLB and the RF."""
    mapping = Mapping(loops=loops, glb=(0, 0, 0), rf=(2, 2, 2))
    out = run_cycle(layer, hw, mapping, 0)
    ref = reference_counts(layer, mapping, 0)[0]
    assert np.array_equal(out.counts, ref)  # the definition the hand numbers follow
    ifmap, filters = layer_inputs(layer, precision=hw.precision)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters))
    return out


def _noc(out, t):
    """(words delivered into PEs, words the source reads and sends, through the ports, over mesh links)."""
    return tuple(int(out.counts[NOC, t, s]) for s in (READS, TRANSACTIONS, PORTS, HOPS))


def test_broadcast_ifmaps_unicast_weights():
    """Clusters and PEs split M (4 output channels over 2 × 2 PEs); each PE keeps all C = 6
    input channels. Iacts do not depend on M: every PE takes the same 6 words (broadcast):
    the GLB reads each once (6), each goes into both clusters (12 port words) and over the one
    link between them (6 hops), and 4 PEs take it (24 delivered: 4 per source read). Weights
    depend on M: each PE its own 6 (unicast): 24 read, 24 through the ports, no hop.

    Cycles: the first step fills the RFs; per cluster 6 iact words over 3-word ports (2 cycles)
    and 12 weight words over 3-word ports (4 cycles), in parallel: 4 cycles, charged to the
    weights. Then 6 MAC steps (cycles 4-9); after the last, each cluster sends its 2 psums over
    its 2-word psum ports: 1 cycle. 11 cycles. A flat bus of the same width carries all 24
    weights: 8 cycles."""
    layer = ConvLayer(name="t", N=1, M=4, C=6, H=1, W=1, R=1, S=1)
    loops = (Loop(Dim.M, 2, LoopKind.CROW), Loop(Dim.M, 2, LoopKind.ROW), Loop(Dim.C, 6))
    out = _toy(layer, loops)
    assert _noc(out, IFMAP) == (24, 6, 12, 6)
    assert _noc(out, FILTER) == (24, 24, 24, 0)
    assert _noc(out, PSUM)[1:] == (4, 4, 0)  # 4 outputs leave, 2 per cluster, no merge
    assert out.cycles == 4 + 6 + 1
    assert out.stall_cycles["noc_filter"] == 4 and out.stall_cycles["noc_psum"] == 1
    flat = run_cycle(layer, _flat_noc(TOY), Mapping(loops=loops, glb=(0, 0, 0), rf=(2, 2, 2)), 0)
    assert flat.stall_cycles["noc_filter"] == 24 // 3


def test_grouped_ifmaps_interleaved_weights():
    """Clusters split the batch N = 2, the PEs of a cluster split M = 2. Iacts depend on N, not
    M: the two PEs of a cluster share theirs (grouped multicast): 12 words read, each into one
    cluster (12 port words, no hop), 24 delivered (2 per source read). Weights depend on M, not
    N: PE 0 of both clusters shares one set, PE 1 another (interleaved multicast): 12 read, each
    into both clusters (24 port words, 12 hops), 24 delivered.

    Cycles: per cluster 6 iact words (2 cycles) and 12 weight words (4 cycles): 4, then 6 MAC
    steps and 1 cycle for each cluster's 2 psums: 11."""
    layer = ConvLayer(name="t", N=2, M=2, C=6, H=1, W=1, R=1, S=1)
    loops = (Loop(Dim.N, 2, LoopKind.CROW), Loop(Dim.M, 2, LoopKind.ROW), Loop(Dim.C, 6))
    out = _toy(layer, loops)
    assert _noc(out, IFMAP) == (24, 12, 12, 0)
    assert _noc(out, FILTER) == (24, 12, 24, 12)
    assert out.cycles == 4 + 6 + 1


def test_unicast_and_psums_accumulated_across_clusters():
    """Clusters and PEs split C = 12 (3 channels each, NoC reduction): iacts and weights both
    depend on C: every PE its own 3 + 3 words (unicast: 12 read, 12 through the ports, no hop).
    The 4 PEs' psums of the one output are summed in the array: the two PEs of a cluster add
    theirs inside it, so one word leaves each cluster (2 port words), and the two clusters'
    words are added over one vertical link (1 hop; JETCAS Fig. 9's psum accumulation): one
    update reaches the GLB; 3 words pass PE to PE or cluster to cluster (delivered, local).

    Cycles: per cluster 6 iact words and 6 weight words over 3-word ports: 2 cycles, then 3 MAC
    steps, then one psum per cluster over 2-word ports: 1 cycle. 6."""
    layer = ConvLayer(name="t", N=1, M=1, C=12, H=1, W=1, R=1, S=1)
    loops = (Loop(Dim.C, 2, LoopKind.CROW, Reduction.NOC), Loop(Dim.C, 2, LoopKind.ROW, Reduction.NOC),
             Loop(Dim.C, 3))
    out = _toy(layer, loops)
    assert _noc(out, IFMAP) == (12, 12, 12, 0)
    assert _noc(out, FILTER) == (12, 12, 12, 0)
    assert _noc(out, PSUM) == (3, 1, 2, 1)
    assert out.cycles == 2 + 3 + 1


def test_operands_bypassing_the_rf_per_cluster():
    """Iacts straight from the GLB to the MACs (no RF tile), broadcast over M as above: each
    step the GLB reads 1 word, both clusters take it (2 port words, 1 hop), 4 PEs use it.

    Cycles, with 1-word iact ports: step 0 waits for the weight fill, 12 words per cluster over
    3-word ports (4 cycles; its iact word takes 1, in parallel); steps 1-5 wait 1 cycle each for
    their iact word (5); 6 MAC cycles; 1 cycle for each cluster's 2 psums: 16."""
    layer = ConvLayer(name="t", N=1, M=4, C=6, H=1, W=1, R=1, S=1)
    hw = hmesh_hardware(clusters=(2, 1), pe_per_cluster=(2, 1), widths=(1, 3, 2, 2), glb=1e9, dram=1e9)
    mapping = Mapping(loops=(Loop(Dim.M, 2, LoopKind.CROW), Loop(Dim.M, 2, LoopKind.ROW), Loop(Dim.C, 6)),
                      glb=(0, 0, 0), rf=(None, 2, 2))
    out = run_cycle(layer, hw, mapping, 0)
    assert np.array_equal(out.counts, reference_counts(layer, mapping, 0)[0])
    assert _noc(out, IFMAP) == (24, 6, 12, 6)
    assert out.stall_cycles["noc_filter"] == 4
    assert out.stall_cycles["noc_ifmap"] == 5
    assert out.cycles == 4 + 5 + 6 + 1
