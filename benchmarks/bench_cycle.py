"""Speed of the cycle-level engine (prints a table; not a test).

Target (issue #3): AlexNet CONV1-5, batch 1, RS on the ``eyeriss`` chip preset, simulated cycle
by cycle in <= 10 s on a 2-core machine (>= 65 M simulated MACs/s), peak memory under 2 GB.

The mapper picks each layer's mapping first (default objective); its time is reported on its
own and kept out of the simulated-time figures. For each layer the table gives the wall time
of ``simulate(..., engine="cycle", mapping=m)`` (the kernel plus the analytic counts it is
checked against and the reference-convolution check of the output), the kernel alone
(``run_cycle``), simulated MACs per second, and a plain numpy convolution of the same layer
(``reference_conv``) timed in the same run, with the ratio. ``--jobs 2`` also runs the five
layers in two threads (the kernel releases the GIL).

Run: ``python benchmarks/bench_cycle.py [--jobs 2] [--repeat N]``
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

TARGET_S = 10.0
TARGET_MACS_PER_S = 65e6
TARGET_RSS_BYTES = 2 * 1024**3
LAYERS = ("conv1", "conv2", "conv3", "conv4", "conv5")


def _peak_rss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # kB on Linux


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=1, help="also run the layers in this many threads (e.g. 2)")
    ap.add_argument("--repeat", type=int, default=1, help="time each figure this many times, keep the best")
    args = ap.parse_args(argv)

    import numpy as np

    from accelsim.dataflows import template
    from accelsim.dataflows.lowering import window_flags
    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.search.mapper import best_mapping
    from accelsim.sim.cycle import random_inputs, reference_conv, run_cycle
    from accelsim.drivers.simulate import simulate
    from accelsim.report import align_table
    from accelsim.spec.layer import ConvLayer

    t_start = time.perf_counter()
    load_start = os.getloadavg()
    hw = load_hardware("eyeriss")
    layers = [layer for layer in load_workload("alexnet").with_batch(1).layers if layer.name in LAYERS]
    window = window_flags(template("rs"), hw)

    # numba: compile or load from the cache, on a tiny layer, outside every figure
    t0 = time.perf_counter()
    tiny = ConvLayer(name="warm", M=2, C=2, H=4, W=4, R=3, S=3)
    simulate(tiny, hw, "rs", engine="cycle")
    warm_s = time.perf_counter() - t0

    # the mapper, timed on its own
    mappings, mapper_s = {}, {}
    for layer in layers:
        t0 = time.perf_counter()
        mappings[layer.name] = best_mapping(layer, hw, "rs").mapping
        mapper_s[layer.name] = time.perf_counter() - t0

    rows = [["layer", "MACs", "cycles", "stall %", "mapper s", "simulate s", "kernel s", "sim MACs/s",
             "numpy conv s", "simulate/numpy", "verified"]]
    tot = {"macs": 0, "sim": 0.0, "kernel": 0.0, "numpy": 0.0, "mapper": 0.0}
    ok = True
    for layer in layers:
        m = mappings[layer.name]
        ifmap, filters = random_inputs(layer, precision=hw.precision)  # the same tensors for every timed call
        sim_s, r = _best(lambda lr=layer, m=m, i=ifmap, f=filters: simulate(
            lr, hw, "rs", engine="cycle", mapping=m, ifmap=i, filters=f), args.repeat)
        kern_s, _ = _best(lambda lr=layer, m=m, i=ifmap, f=filters: run_cycle(lr, hw, m, window, i, f), args.repeat)
        np_s, ref = _best(lambda lr=layer, i=ifmap, f=filters: reference_conv(lr, i, f, hw.precision.psum_bits),
                          args.repeat)
        verified = bool(r.timing.verified) and np.array_equal(r.output, ref)
        ok &= verified and bool(r.timing.counts_match_analytic)
        stall = r.stall_cycles / max(r.cycles, 1)
        rows.append([layer.name, f"{r.macs:,}", f"{r.cycles:,}", f"{100 * stall:.1f}",
                     f"{mapper_s[layer.name]:.2f}", f"{sim_s:.3f}", f"{kern_s:.3f}", f"{r.macs / sim_s / 1e6:,.1f} M",
                     f"{np_s:.3f}", f"{sim_s / np_s:.1f}x", "yes" if verified else "NO"])
        tot["macs"] += r.macs
        tot["sim"] += sim_s
        tot["kernel"] += kern_s
        tot["numpy"] += np_s
        tot["mapper"] += mapper_s[layer.name]
    rows.append(["total", f"{tot['macs']:,}", "", "", f"{tot['mapper']:.2f}", f"{tot['sim']:.3f}",
                 f"{tot['kernel']:.3f}", f"{tot['macs'] / tot['sim'] / 1e6:,.1f} M", f"{tot['numpy']:.3f}",
                 f"{tot['sim'] / tot['numpy']:.1f}x", "yes" if ok else "NO"])

    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average at start {load_start[0]:.2f}, now {load[0]:.2f}"
          " (other processes share the cores: > ~0.5 skews every time below)")
    print(f"AlexNet CONV1-5, batch 1, RS on {hw.name} ({hw.pe_rows}x{hw.pe_cols} PEs), cycle-level engine"
          f"{'' if args.repeat == 1 else f' (best of {args.repeat})'}")
    print(align_table(rows))
    print()
    summary = [["figure", "value", "vs target"]]
    summary.append(["numba compile or cache load (first call)", f"{warm_s:.2f} s", "not in any figure"])
    summary.append(["mapper, 5 layers (not simulated time)", f"{tot['mapper']:.2f} s", ""])
    summary.append(["simulated time, 5 layers, 1 thread", f"{tot['sim']:.2f} s",
                    f"{tot['sim'] / TARGET_S:.2f} of the {TARGET_S:.0f} s target"])
    rate = tot["macs"] / tot["sim"]
    summary.append(["simulated MACs / s, 1 thread", f"{rate / 1e6:,.1f} M",
                    f"{rate / TARGET_MACS_PER_S:.2f}x the 65 M/s target"])
    summary.append(["numpy convolution, 5 layers", f"{tot['numpy']:.3f} s",
                    f"cycle engine = {tot['sim'] / tot['numpy']:.1f}x numpy"])
    if args.jobs > 1:
        def one(layer):
            return simulate(layer, hw, "rs", engine="cycle", mapping=mappings[layer.name])

        def parallel():
            # biggest layers first, so the two threads finish close together
            order = sorted(layers, key=lambda layer: -layer.macs)
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                return list(pool.map(one, order))

        cpu0 = os.times()
        par_s, results = _best(parallel, args.repeat)
        cpu1 = os.times()
        cpu_s = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / args.repeat
        ok &= all(r.timing.verified for r in results)
        summary.append([f"simulated time, 5 layers, {args.jobs} threads", f"{par_s:.2f} s",
                        f"{par_s / TARGET_S:.2f} of the target; {tot['sim'] / par_s:.2f}x 1 thread"])
        summary.append([f"  CPU time / wall time, {args.jobs} threads", f"{cpu_s / par_s:.2f}",
                        f"cores busy on average (ideal {min(args.jobs, os.cpu_count() or 1)})"])
        summary.append([f"simulated MACs / s, {args.jobs} threads", f"{tot['macs'] / par_s / 1e6:,.1f} M",
                        f"{tot['macs'] / par_s / TARGET_MACS_PER_S:.2f}x the 65 M/s target"])
    rss = _peak_rss_bytes()
    summary.append(["peak memory (ru_maxrss)", f"{rss / 1024**2:,.0f} MB",
                    f"{rss / TARGET_RSS_BYTES:.2f} of the 2 GB target"])
    summary.append(["whole script wall time", f"{time.perf_counter() - t_start:.1f} s", ""])
    print(align_table(summary))
    if not ok:
        print("\nWARNING: an output or a count differs from the reference", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
