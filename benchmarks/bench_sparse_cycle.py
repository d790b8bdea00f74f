"""The cycle engine with sparse PEs: sparse MobileNet-v1 0.5/128 on Eyeriss v1.5 with Eyeriss v2's
sparse PE, against the same machine with dense PEs (prints a table; not a test).

Target (issue 17): the sparse cycle engine runs sparse MobileNet 0.5/128 on ``eyeriss-v2`` in at
most 10 s (issue 16's target for the dense engine on ``eyeriss-v1.5``). Until the ``eyeriss-v2``
preset exists, the machine is ``eyeriss-v1.5`` with ``sparse_pe: {simd: 2}``
(``dataclasses.replace``). Workload ``mobilenet_v1_0.5_128_sparse`` (the Sparseloop artifact's
densities; seeded tensors at those densities, ``sim.sparse_data.layer_tensors``), the hand-written
RS+-style mappings of ``benchmarks/bench_hmesh_cycle.py`` (``hand_mapping``; they keep no ``M``
loop inside the PE, so a column is one weight and SIMD never pairs two: the sparse cycles here
are those of a one-weight-per-cycle PE). Both runs use the
same tensors, so the counts agree; the table gives per layer the MACs, the effective MACs, the
cycles of each machine and the wall-clock and CPU seconds of each run (best of ``--repeats``),
and the ratios of the totals (sparse ÷ dense), measured in the same run.

Run: ``python benchmarks/bench_sparse_cycle.py [--layers dw1,pw1] [--simd 2]``
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from accelsim.io.presets import load_hardware, load_workload
from accelsim.layout import SP_EFFECTIVE
from accelsim.sim.cycle import run_cycle
from accelsim.sim.sparse_data import layer_tensors, resolve_densities
from accelsim.spec.hardware import SparsePe
from accelsim.spec.layer import ConvLayer

TARGET_S = 10.0
NETWORK = "mobilenet_v1_0.5_128_sparse"
HARDWARE = "eyeriss-v1.5"


def timed(layer, hw, mapping, ifmap, filters, repeats):
    """The run's outcome and its best wall-clock and CPU seconds over ``repeats`` runs (the machine
    is shared: the best of a few is the least disturbed)."""
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = run_cycle(layer, hw, mapping, 0, ifmap, filters)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return out, min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", default="", help="comma-separated layer names (default: all)")
    parser.add_argument("--simd", type=int, default=2, help="the sparse PE's SIMD width (default 2)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per layer and machine, best kept (default 2)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_hmesh_cycle import hand_mapping

    dense_hw = load_hardware(HARDWARE)
    sparse_hw = replace(dense_hw, name=f"{dense_hw.name}+sparse_pe", sparse_pe=SparsePe(simd=args.simd))
    print(f"hardware: {HARDWARE} (dense PEs) vs the same with sparse_pe: {{simd: {args.simd}}}")
    work = load_workload(NETWORK)
    layers = work.layers
    if args.layers:
        keep = set(args.layers.split(","))
        layers = [ly for ly in layers if ly.name in keep]
    small = ConvLayer(name="warm", N=1, M=8, C=8, H=4, W=4, R=3, S=3)
    t0 = time.perf_counter()
    for hw in (dense_hw, sparse_hw):  # compile (or load) the kernel first
        run_cycle(small, hw, hand_mapping(small), 0)
    print(f"kernels ready in {time.perf_counter() - t0:.1f} s (a compile on a cold cache, a load on a warm one)\n")
    print(f"{'layer':6} {'MACs':>11} {'effective':>11} {'dense cyc':>10} {'sparse cyc':>10} {'imbal %':>7} "
          f"{'dense s':>8} {'sparse s':>8} {'dense cpu':>9} {'sparse cpu':>10}")
    tot = {"macs": 0, "eff": 0, "dc": 0, "sc": 0, "dw": 0.0, "sw": 0.0, "dcpu": 0.0, "scpu": 0.0}
    for i, layer in enumerate(layers):
        dens = resolve_densities(layer, first_layer=i == 0 and layer.name == work.first_layer, network=NETWORK)
        data = layer_tensors(layer, dens, seed=i)
        mapping = hand_mapping(layer)
        dense, dw, dcpu = timed(layer, dense_hw, mapping, data.ifmap, data.filters, args.repeats)
        sparse, sw, scpu = timed(layer, sparse_hw, mapping, data.ifmap, data.filters, args.repeats)
        assert np.array_equal(dense.counts, sparse.counts) and np.array_equal(dense.output, sparse.output)
        eff = int(sparse.sparse_work[:, SP_EFFECTIVE].sum())
        imb = sparse.stall_cycles["imbalance"] / max(sparse.cycles, 1)
        print(f"{layer.name:6} {layer.macs:>11,} {eff:>11,} {dense.cycles:>10,} {sparse.cycles:>10,} {imb:>7.1%} "
              f"{dw:>8.3f} {sw:>8.3f} {dcpu:>9.3f} {scpu:>10.3f}")
        for key, v in (("macs", layer.macs), ("eff", eff), ("dc", dense.cycles), ("sc", sparse.cycles),
                       ("dw", dw), ("sw", sw), ("dcpu", dcpu), ("scpu", scpu)):
            tot[key] += v
    print(f"{'total':6} {tot['macs']:>11,} {tot['eff']:>11,} {tot['dc']:>10,} {tot['sc']:>10,} {'':>7} "
          f"{tot['dw']:>8.3f} {tot['sw']:>8.3f} {tot['dcpu']:>9.3f} {tot['scpu']:>10.3f}")
    print(f"\nsparse / dense: cycles {tot['sc'] / max(tot['dc'], 1):.3f}, engine wall seconds "
          f"{tot['sw'] / max(tot['dw'], 1e-9):.2f}x, CPU seconds {tot['scpu'] / max(tot['dcpu'], 1e-9):.2f}x")
    verdict = "meets" if tot["sw"] <= TARGET_S else "MISSES"
    print(f"target: the sparse network in <= {TARGET_S:.0f} s of wall-clock time: {verdict} ({tot['sw']:.2f} s)")


if __name__ == "__main__":
    main()
