"""A hierarchical mesh's port and hop counts in the analytic engine (issue #16).

Cluster loops (``CROW`` / ``CCOL``) split the PE array into clusters, each behind its own router
ports, joined by a 2-D mesh (Eyeriss v2: Chen, Yang, Emer, Sze, IEEE JETCAS 9(2), 2019, Sec. III-B).
``PORTS`` and ``HOPS`` are defined by the enumerating reference (``tests/reference_counter.py``):
per step and cluster the union of what the cluster's PEs fetch crosses its ports, a word sent to
``k`` clusters crosses ``k - 1`` mesh links, psums leave a cluster after the merges inside it.
The kernel must equal it on random layers and cluster mappings (perfect, padded, flattened);
cluster loops change nothing but ``PORTS`` and ``HOPS``; the four NoC modes of the paper's
Fig. 8 (unicast, broadcast, grouped and interleaved multicast) are counted by hand on a
2-cluster × 2-PE toy; and the roofline of a hierarchical mesh is a lower bound of the per-step,
per-cluster port timing the cycle engine runs (enumerated here).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelsim.layout import (C_HMESH, C_RATE0, FILTER, HOPS, IFMAP, N_COSTS, NOC, PORTS, PSUM, RATE_FILTER, RATE_IFMAP,
                             READS, TRANSACTIONS)
from accelsim.kernels.analytic import roofline_cycles
from accelsim.sim.counting import count_mapping
from accelsim.sim.evaluate import analytic_cycles
from accelsim.sim.roofline import mapping_timing, valid_clusters
from accelsim.spec.dims import Dim, LoopKind, NocKind
from accelsim.spec.hardware import Buffer, Clusters, Hardware, NoC, Routers
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping

from reference_counter import _Nest, reference_counts
from strategies import DATAFLOWS, cluster_cases, layers, make_case

PROPS = settings(max_examples=100, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
SLOW = settings(PROPS, max_examples=40)


def _report(layer, mapping, window, ref, got) -> str:
    diff = [(tuple(int(i) for i in idx), int(ref[tuple(idx)]), int(got[tuple(idx)]))
            for idx in np.argwhere(ref != got)]
    return (f"\ncounts differ (index, reference, kernel): {diff}\nlayer {layer.shape_dict()} window {window}\n"
            f"{mapping.describe(layer.loop_bounds())}\n{mapping.to_dict()}")


def _check_against_reference(case) -> None:
    layer, mapping, window = case
    got = count_mapping(mapping, layer, window)
    ref, ref_usage, ref_macs = reference_counts(layer, mapping, window)
    assert got.macs == ref_macs
    assert np.array_equal(got.usage, ref_usage)
    assert np.array_equal(got.counts, ref), _report(layer, mapping, window, ref, got.counts)


# ----------------------------------------------------------------------------- kernel == reference
@PROPS
@given(case=cluster_cases(padded=False))
def test_cluster_counts_match_reference_perfect(case):
    """The closed form (``_moves`` with the ports' ``q`` after the last cluster loop)."""
    _check_against_reference(case)


@PROPS
@given(case=cluster_cases(padded=True))
def test_cluster_counts_match_reference_padded(case):
    """The padded path (``_moves_padded``: cluster loops fix deliveries per cluster)."""
    _check_against_reference(case)


@SLOW
@given(case=cluster_cases(flat=True))
def test_cluster_counts_match_reference_flattened(case):
    """The flattened path (``count_accesses_flat``), ragged half the time."""
    _check_against_reference(case)


# ----------------------------------------------------------------------------- conservation
def _one_cluster(mapping: Mapping) -> Mapping:
    """``mapping`` with every cluster loop turned into a PE loop of the same axis (one cluster)."""
    flat = {LoopKind.CROW: LoopKind.ROW, LoopKind.CCOL: LoopKind.COL}
    return replace(mapping, loops=tuple(Loop(lp.dim, lp.factor, flat.get(lp.kind, lp.kind), lp.reduction)
                                        for lp in mapping.loops))


@settings(PROPS, max_examples=200)
@given(case=cluster_cases())
def test_cluster_conservation(case):
    """Hops are never negative; inputs: every word sent crosses at least one cluster's ports,
    and a cluster's ports carry no more than its PEs receive; a word reaching k clusters
    crosses k - 1 links (so at most clusters - 1 per word sent); psums: the words leaving
    the clusters are at least those reaching the parent. Cluster loops change nothing but
    ``PORTS`` and ``HOPS``: the same nest with the cluster loops as PE loops counts the same."""
    layer, mapping, window = case
    c = count_mapping(mapping, layer, window).counts
    clusters = int(np.prod(mapping.cluster_shape()))
    assert (c[NOC, :, HOPS] >= 0).all()
    for t in (IFMAP, FILTER):
        assert c[NOC, t, TRANSACTIONS] <= c[NOC, t, PORTS] <= c[NOC, t, READS]
        assert c[NOC, t, PORTS] - c[NOC, t, TRANSACTIONS] == c[NOC, t, HOPS]
        assert c[NOC, t, HOPS] <= (clusters - 1) * c[NOC, t, TRANSACTIONS]
    assert c[NOC, PSUM, PORTS] >= c[NOC, PSUM, TRANSACTIONS]
    one = count_mapping(_one_cluster(mapping), layer, window).counts
    assert np.array_equal(one[NOC, :, PORTS], one[NOC, :, TRANSACTIONS]) and not one[NOC, :, HOPS].any()
    rest = [s for s in range(c.shape[2]) if s not in (PORTS, HOPS)]
    assert np.array_equal(c[:, :, rest], one[:, :, rest])


@settings(PROPS, max_examples=60)
@given(layer=layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1), halo=st.booleans())
def test_no_cluster_loops_one_cluster(layer, dataflow, seed, halo):
    """Without cluster loops the array is one cluster: PORTS = TRANSACTIONS, no hops."""
    mapping, window = make_case(layer, dataflow, seed, halo)
    c = count_mapping(mapping, layer, window).counts
    assert np.array_equal(c[NOC, :, PORTS], c[NOC, :, TRANSACTIONS])
    assert not c[NOC, :, HOPS].any()


# ----------------------------------------------------------------------------- the four NoC modes by hand
# A 2-cluster × 2-PE toy (JETCAS 2019 Fig. 8's four modes): loops F 3 (time) > X 2 (across the
# two clusters) > Y 2 (the two PEs of a cluster); every tile in the GLB (loop 0) and a one-word
# RF per PE (loop 3); ofmap 1 × 3, 1 × 1 filters, stride 1. Each step (f = 0, 1, 2) every PE
# takes one ifmap word (c, f) and holds one filter word (m, c) for all three steps.
# The ifmap depends on C, not on M, so the choice of X and Y sets the ifmap's NoC mode:
#   unicast       X = C, Y = C: 4 distinct words a step, each to one PE of one cluster
#   broadcast     X = M, Y = M: 1 word a step to all 4 PEs (both clusters)
#   grouped       X = C, Y = M: 2 words a step, word c to both PEs of cluster c
#   interleaved   X = M, Y = C: 2 words a step, word c to PE c of both clusters
TOYS = {
    "unicast": (Dim.C, Dim.C, dict(M=1, C=4)),
    "broadcast": (Dim.M, Dim.M, dict(M=4, C=1)),
    "grouped-multicast": (Dim.C, Dim.M, dict(M=2, C=2)),
    "interleaved-multicast": (Dim.M, Dim.C, dict(M=2, C=2)),
}
STEPS = 3
#: per step, derived above: ifmap words the GLB sends (one read each), words through the
#: clusters' ports (per cluster, the distinct words its PEs take), mesh links crossed (a word
#: for both clusters crosses one), words delivered into PEs
IFMAP_PER_STEP = {
    "unicast": (4, 4, 0, 4),          # each cluster takes its own 2 words
    "broadcast": (1, 2, 1, 4),        # the one word enters both clusters: 1 link
    "grouped-multicast": (2, 2, 0, 4),  # one word per cluster, shared by its 2 PEs
    "interleaved-multicast": (2, 4, 2, 4),  # both words enter both clusters: 2 links
}
#: psums (m, f), one per PE a step, merged across PEs that differ only in C (NoC reduction):
#: (words leaving the clusters = ports, as the GLB's read-modify-writes take none here: every
#: ofmap word arrives once; hops = merges across clusters; transactions = updates at the GLB;
#: NoC reads = psums delivered after the in-array merges = sent by PEs − updates), whole layer
PSUM_TOTAL = {
    "unicast": (6, 3, 3, 9),          # 4 psums a step, 2 leave the clusters, merged into 1 on a link
    "broadcast": (12, 0, 12, 0),      # nothing merges
    "grouped-multicast": (12, 6, 6, 6),  # the 2 clusters' psums merge on a link: 2 updates a step
    "interleaved-multicast": (6, 0, 6, 6),  # merged inside each cluster
}


def _toy(mode: str) -> tuple[ConvLayer, Mapping]:
    x, y, shape = TOYS[mode]
    layer = ConvLayer(name=mode, H=1, W=STEPS, R=1, S=1, **shape)
    mapping = Mapping(loops=(Loop(Dim.F, STEPS), Loop(x, 2, LoopKind.CROW), Loop(y, 2, LoopKind.ROW)),
                      glb=(0, 0, 0), rf=(3, 3, 3))
    return layer, mapping


@pytest.mark.parametrize("mode", list(TOYS))
def test_noc_mode_toy_by_hand(mode):
    layer, mapping = _toy(mode)
    c = count_mapping(mapping, layer, 0).counts
    sent, ports, hops, delivered = (STEPS * v for v in IFMAP_PER_STEP[mode])
    assert (c[NOC, IFMAP, TRANSACTIONS], c[NOC, IFMAP, PORTS], c[NOC, IFMAP, HOPS], c[NOC, IFMAP, READS]) == (
        sent, ports, hops, delivered)
    # words delivered per source read: 1 (unicast), 4 (broadcast), 2 (either multicast)
    assert delivered // sent == {"unicast": 1, "broadcast": 4}.get(mode, 2)
    # every PE holds its own filter word (m, c) all along: unicast, once
    assert (c[NOC, FILTER, TRANSACTIONS], c[NOC, FILTER, PORTS], c[NOC, FILTER, HOPS]) == (4, 4, 0)
    assert (c[NOC, PSUM, PORTS], c[NOC, PSUM, HOPS], c[NOC, PSUM, TRANSACTIONS], c[NOC, PSUM, READS]) == \
        PSUM_TOTAL[mode]
    ref = reference_counts(layer, mapping, 0)[0]
    assert np.array_equal(c, ref)


def _hmesh_costs(rate_ifmap: float, rate_filter: float) -> np.ndarray:
    """A cost vector of a hierarchical mesh with only the ifmap and filter bus rates (words per
    cycle per cluster) set: the roofline is then the steps and those two buses."""
    costs = np.zeros(N_COSTS, dtype=np.float64)
    costs[C_HMESH] = 1.0
    costs[C_RATE0 + RATE_IFMAP] = rate_ifmap
    costs[C_RATE0 + RATE_FILTER] = rate_filter
    return costs


@pytest.mark.parametrize("mode", list(TOYS))
def test_noc_mode_toy_roofline(mode):
    """At one ifmap word per cycle per cluster, a step waits for the busiest cluster's words:
    2 a step for unicast and interleaved multicast (6 cycles), 1 for broadcast and grouped
    multicast (3) — the roofline's ports over (2 clusters × the rate), balanced here."""
    layer, mapping = _toy(mode)
    got = count_mapping(mapping, layer, 0)
    costs = _hmesh_costs(1.0, 0.0)
    cycles = roofline_cycles(got.counts, 0, costs, -1.0, mapping_timing(mapping, layer, costs))
    per_step = {"unicast": 2, "broadcast": 1, "grouped-multicast": 1, "interleaved-multicast": 2}[mode]
    assert cycles == STEPS * per_step


# ----------------------------------------------------------------------------- the roofline: a lower bound
def _cluster_words_per_event(nest: _Nest, t: int, p: int | None, reuse: int):
    """Per event (a child step of the NoC-crossing link of input ``t`` into the RF tile at
    ``p``, None = into the MAC), the words entering each cluster: a list of ``{cluster: words}``,
    as the reference counts them (``input_fills``, ``mac_input_reads``)."""
    events: list = []
    if p is not None:
        nest.input_fills(t, p, bool(reuse), events)
    else:
        nest.mac_input_reads(t, reuse == 2, events)
    return events


def _noc_link(mapping: Mapping, t: int, window: int) -> tuple[int | None, int]:
    """(child position, reuse) of input ``t``'s one link across the NoC: into the RF when the RF
    keeps ``t`` (filled from the GLB or DRAM; an RF tile slides), else into the MAC (None;
    forwarded across the array with window bit 0)."""
    if mapping.rf[t] is not None:
        return mapping.rf[t], 1
    return None, 2 if (window & 1) else 0


@settings(PROPS, max_examples=60)
@given(case=cluster_cases(), rates=st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_hmesh_roofline_is_a_lower_bound(case, rates):
    """Each input bus of the roofline (ports over active clusters × the per-cluster rate) is at
    most the cycle engine's port timing: per event, the busiest cluster's words over the rate,
    rounded up (``kernels/step_timing``'s rule per cluster), summed — enumerated here. The
    events' words also add up to the kernel's ``PORTS``."""
    layer, mapping, window = case
    got = count_mapping(mapping, layer, window)
    nest = _Nest(layer, mapping)
    clusters = valid_clusters(mapping, layer)
    for t, rate in zip((IFMAP, FILTER), rates):
        p, reuse = _noc_link(mapping, t, window)
        events = _cluster_words_per_event(nest, t, p, reuse)
        assert sum(sum(e.values()) for e in events) == got.counts[NOC, t, PORTS]
        assert max((sum(1 for w in e.values() if w) for e in events), default=0) <= clusters  # valid ones only
        per_step_max = sum(max((-(-w // rate) for w in e.values()), default=0) for e in events)
        costs = _hmesh_costs(float(rate) if t == IFMAP else 0.0, float(rate) if t == FILTER else 0.0)
        bound = roofline_cycles(got.counts, 0, costs, -1.0, mapping_timing(mapping, layer, costs))
        assert bound == -(-int(got.counts[NOC, t, PORTS]) // (clusters * rate))
        assert bound <= per_step_max



def _v15_like() -> Hardware:
    """The hierarchical mesh of the contract (Eyeriss v2's 8 × 2 clusters of 3 × 4 PEs, JETCAS 2019
    Sec. II-III: 3 iact routers of 4 ports, 24-b ports = 3 8-b words; 4 psum routers of 3 ports,
    40-b = 2 20-b psums), so 9 ifmap and 8 psum words per cycle per cluster; DRAM and the GLB
    unlimited, so only the compute steps and the NoC bound the roofline."""
    return Hardware(
        name="hmesh-toy", pe_rows=24, pe_cols=8, rf=Buffer(shared_words=512), glb=Buffer(shared_words=65536),
        dram_words_per_cycle=float("inf"), glb_words_per_cycle=float("inf"),
        noc=NoC(kind=NocKind.HMESH, clusters=Clusters(rows=8, cols=2, pe_rows=3, pe_cols=4),
                routers=(Routers(count=3, source_ports=4, destination_ports=4, port_bits=24),
                         Routers(count=3, source_ports=2, destination_ports=2, port_bits=24, vertical_links=False),
                         Routers(count=4, source_ports=3, destination_ports=3, port_bits=40, horizontal_links=False)),
                ifmap_words_per_cycle=9, filter_words_per_cycle=9, psum_words_per_cycle=8, gon_words_per_cycle=8))


def test_hmesh_machine_roofline_by_hand():
    """192 channels over all 16 clusters × 12 PEs (one channel per PE), 4 output rows in time,
    ifmaps straight from the GLB to the MACs: each step every PE takes its own ifmap word
    (unicast: 192 words a step, 12 through each cluster's ports, no hops) and the 192 psums of
    an output merge to 12 → 1 inside each cluster, then the 16 clusters' words merge to one
    over 15 mesh links. Roofline: 4 steps × 192 port words over 16 clusters × 9 words a cycle =
    5.33 → 6 cycles (the ifmap bus binds; the per-cluster timing takes 4 × ceil(12 / 9) = 8)."""
    hw = _v15_like()
    layer = ConvLayer(name="unicast", M=1, C=192, H=4, W=1, R=1, S=1)
    mapping = Mapping(loops=(Loop(Dim.E, 4), Loop(Dim.C, 8, LoopKind.CROW), Loop(Dim.C, 2, LoopKind.CCOL),
                             Loop(Dim.C, 3, LoopKind.ROW), Loop(Dim.C, 4, LoopKind.COL)),
                      glb=(0, 0, 0), rf=(None, 5, None))
    got = count_mapping(mapping, layer, 0)
    c = got.counts
    assert (c[NOC, IFMAP, TRANSACTIONS], c[NOC, IFMAP, PORTS], c[NOC, IFMAP, HOPS]) == (4 * 192, 4 * 192, 0)
    assert (c[NOC, FILTER, TRANSACTIONS], c[NOC, FILTER, PORTS], c[NOC, FILTER, HOPS]) == (192, 192, 0)
    assert (c[NOC, PSUM, TRANSACTIONS], c[NOC, PSUM, PORTS], c[NOC, PSUM, HOPS]) == (4, 4 * 16, 4 * 15)
    assert got.compute_steps == 4
    assert analytic_cycles(c, got.compute_steps, hw, mapping, layer) == 6 <= 4 * -(-12 // 9)
