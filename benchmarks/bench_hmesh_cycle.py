"""The cycle engine on a hierarchical mesh: MobileNet-v1 0.5/128 on an Eyeriss-v1.5-like machine
(prints a table; not a test).

Target (issue 16): the cycle engine simulates MobileNet-v1 0.5/128 (``mobilenet_v1_0.5_128``,
28 layers, 49.2 M MACs) on ``eyeriss-v1.5`` in at most 10 s. Until the preset and the RS+ mapper
exist, the machine is built here (8 × 2 clusters of 3 × 4 PEs, Eyeriss v2's router ports: 3
routers × 3 words per cycle for iacts and weights, 4 × 2 for psums, per cluster) and every layer
gets a hand-written RS+-style mapping (:func:`hand_mapping`): clusters split output channels (or
groups, depth-wise), cluster columns the output rows, PE rows the filter rows (3 × 3) or input
channels (1 × 1, a tree of 3), PE columns output columns (3 × 3) or output channels (1 × 1);
imperfect factors where a dimension does not divide. The table gives per layer the MACs, the
steps, the simulated cycles and the wall-clock and CPU seconds of the run (the kernels compiled
first, apart). Also the same mappings with the cluster loops as plain PE loops on a flat
multicast NoC of the same rates (the cost of counting clusters).

Run: ``python benchmarks/bench_hmesh_cycle.py [--layers dw1,pw1] [--hardware eyeriss-v1.5]``
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from accelsim.io.presets import load_hardware, load_workload
from accelsim.sim.cycle import run_cycle
from accelsim.spec.dims import Dim, LoopKind, NocKind, Reduction
from accelsim.spec.hardware import Buffer, Clusters, Hardware, NoC, Routers
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping

TARGET_S = 10.0
NETWORK = "mobilenet_v1_0.5_128"


def v15_hand() -> Hardware:
    """Eyeriss v1.5 as JETCAS 2019 describes it (§II, §III-C): 8 × 2 clusters of 3 × 4 PEs; per
    cluster 3 iact routers and 3 weight routers of 24-b ports (3 words of 8 b each: 9 words per
    cycle), 4 psum routers of 40-b ports (2 words of 20 b: 8 per cycle)."""
    noc = NoC(kind=NocKind.HMESH, clusters=Clusters(rows=8, cols=2, pe_rows=3, pe_cols=4),
              routers=(Routers(count=3, source_ports=4, destination_ports=4, port_bits=24),
                       Routers(count=3, source_ports=2, destination_ports=2, port_bits=24, vertical_links=False),
                       Routers(count=4, source_ports=3, destination_ports=3, port_bits=40, horizontal_links=False)),
              ifmap_words_per_cycle=9, filter_words_per_cycle=9, psum_words_per_cycle=8, gon_words_per_cycle=8)
    return Hardware(name="v1.5-hand", pe_rows=24, pe_cols=8, noc=noc, rf=Buffer(shared_words=1 << 20),
                    glb=Buffer(shared_words=1 << 24))


def hand_mapping(layer: ConvLayer) -> Mapping:
    """An RS+-style mapping of ``layer`` on 8 × 2 clusters of 3 × 4 PEs (module docstring): spatial
    loops, then the loops inside a PE (RF tiles of every type start there), the rest of each
    dimension outermost (``ceil``: imperfect factors pad less than one outer iteration)."""
    b = dict(zip(Dim, layer.loop_bounds()))
    window = layer.R > 1
    depthwise = layer.G > 1
    noc = Reduction.NOC
    if window:
        spatial = [(LoopKind.CROW, Dim.G if depthwise else Dim.M, 8), (LoopKind.CCOL, Dim.E, 2),
                   (LoopKind.ROW, Dim.R, 3), (LoopKind.COL, Dim.F, 4)]
        inner = [(Dim.C, min(b[Dim.C], 3)), (Dim.S, b[Dim.S])]
        outer_order = (Dim.G, Dim.M, Dim.N, Dim.E, Dim.F, Dim.C)
    else:
        cols = Dim.E if b[Dim.E] > 1 else Dim.M
        spatial = [(LoopKind.CROW, Dim.M, 8), (LoopKind.CCOL, cols, 2), (LoopKind.ROW, Dim.C, 3),
                   (LoopKind.COL, Dim.M, 4)]
        inner = [(Dim.C, 4)]
        outer_order = (Dim.G, Dim.M, Dim.N, Dim.E, Dim.F, Dim.C)
    used = dict.fromkeys(Dim, 1)
    sp_loops = []
    for kind, d, want in spatial:
        left = -(-b[d] // used[d])
        f = max(1, min(want, left))
        sp_loops.append(Loop(d, f, kind, noc))
        used[d] *= f
    in_loops = []
    for d, want in inner:
        left = -(-b[d] // used[d])
        f = max(1, min(want, left))
        in_loops.append(Loop(d, f))
        used[d] *= f
    out_loops = [Loop(d, -(-b[d] // used[d])) for d in outer_order if -(-b[d] // used[d]) > 1]
    # a dimension's outermost loop must be the one whose iteration the padding stays within: put
    # every dimension's outer remainder first (done above), spatial loops only over real extents
    loops = tuple(out_loops + sp_loops + in_loops)
    start = len(out_loops) + len(sp_loops)
    mapping = Mapping(loops=loops, glb=(0, 0, 0), rf=(start, start, start), dataflow="rs+ (hand)")
    mapping.check_covers(layer.loop_bounds())
    return mapping


def flat_of(mapping: Mapping) -> Mapping:
    """``mapping`` with its cluster loops as PE loops (one cluster)."""
    kind = {LoopKind.CROW: LoopKind.ROW, LoopKind.CCOL: LoopKind.COL}
    return replace(mapping, loops=tuple(Loop(lp.dim, lp.factor, kind.get(lp.kind, lp.kind), lp.reduction)
                                        for lp in mapping.loops))


def timed(layer, hw, mapping):
    t0, c0 = time.perf_counter(), time.process_time()
    out = run_cycle(layer, hw, mapping, 0)
    return out, time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", default="", help="comma-separated layer names (default: all)")
    parser.add_argument("--hardware", default="", help="a hardware preset or file with 8 x 2 clusters of 3 x 4 PEs "
                        "(e.g. eyeriss-v1.5; default: the machine built here)")
    args = parser.parse_args()
    hw = load_hardware(args.hardware) if args.hardware else v15_hand()
    print(f"hardware: {hw.name}, NoC {hw.noc.kind.value}")
    noc = hw.noc
    gin = replace(hw, noc=NoC(kind=NocKind.GIN, ifmap_words_per_cycle=noc.ifmap_words_per_cycle,
                              filter_words_per_cycle=noc.filter_words_per_cycle,
                              psum_words_per_cycle=noc.psum_words_per_cycle,
                              gon_words_per_cycle=noc.gon_words_per_cycle,
                              local_words_per_cycle=noc.local_words_per_cycle))
    layers = load_workload(NETWORK).layers
    if args.layers:
        keep = set(args.layers.split(","))
        layers = [ly for ly in layers if ly.name in keep]
    small = ConvLayer(name="warm", N=1, M=8, C=8, H=4, W=4, R=3, S=3)
    t0 = time.perf_counter()
    run_cycle(small, hw, hand_mapping(small), 0)  # compile (or load) the kernel first
    print(f"kernels ready in {time.perf_counter() - t0:.1f} s (a compile on a cold cache, a load on a warm one)\n")
    print(f"{'layer':6} {'MACs':>11} {'PEs':>4} {'steps':>8} {'cycles':>10} {'wall s':>7} {'cpu s':>6} "
          f"{'ns/MAC':>7} {'flat-NoC s':>10}")
    tot = {"macs": 0, "wall": 0.0, "cpu": 0.0, "flat": 0.0, "cycles": 0}
    for layer in layers:
        mapping = hand_mapping(layer)
        out, wall, cpu = timed(layer, hw, mapping)
        _, flat_wall, _ = timed(layer, gin, flat_of(mapping))
        print(f"{layer.name:6} {layer.macs:>11,} {out.active_pes:>4} {out.compute_cycles:>8,} {out.cycles:>10,} "
              f"{wall:>7.3f} {cpu:>6.3f} {wall / layer.macs * 1e9:>7.1f} {flat_wall:>10.3f}")
        tot["macs"] += layer.macs
        tot["wall"] += wall
        tot["cpu"] += cpu
        tot["flat"] += flat_wall
        tot["cycles"] += out.cycles
    print(f"{'total':6} {tot['macs']:>11,} {'':>4} {'':>8} {tot['cycles']:>10,} {tot['wall']:>7.3f} {tot['cpu']:>6.3f} "
          f"{tot['wall'] / max(tot['macs'], 1) * 1e9:>7.1f} {tot['flat']:>10.3f}")
    verdict = "meets" if tot["wall"] <= TARGET_S else "MISSES"
    print(f"\ntarget: the whole network in <= {TARGET_S:.0f} s of wall-clock time: {verdict} ({tot['wall']:.2f} s)")


if __name__ == "__main__":
    main()
