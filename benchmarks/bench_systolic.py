"""Speed of the cycle-level engine on systolic arrays (prints a table; not a test).

Target (issue 5): AlexNet CONV1–5 on a 12×14 systolic array (the ``tpu-like`` preset with
``--array 12x14``), all three systolic dataflows, cycle engine, in <= 10 s together. The
mapper's time (finding each layer's mapping) is reported separately from the cycle engine's
(simulating every cycle with real values, checking the output against numpy, comparing the
counts with the analytic engine). Numba compilation is done first and not counted.

Run: ``python benchmarks/bench_systolic.py [--array 12x14] [--batch 1] [--layers conv1,conv3]``
The last row runs the three dataflows' cycle simulations in two threads (the kernel releases
the GIL), as ``accelsim compare --jobs 2`` does.
"""

from __future__ import annotations

import argparse
import time

TARGET_S = 10.0
DATAFLOWS = ("sys-ws", "sys-os", "sys-is")


def _warmup() -> float:
    """Compile the analytic and cycle kernels on a tiny layer; returns the seconds spent."""
    import accelsim
    from accelsim.search.mapper import Budget

    t0 = time.perf_counter()
    hw = accelsim.load_hardware("tpu-like").with_array(2, 2)
    layer = accelsim.ConvLayer(name="w", M=2, C=2, H=3, W=3, R=2, S=2)
    for df in DATAFLOWS:
        res = accelsim.simulate(layer, hw, df, budget=Budget(samples=20, climb=20, starts=1))
        accelsim.simulate(layer, hw, df, engine="cycle", mapping=res.mapping)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--array", default="12x14", help="PE array RxC (default 12x14)")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--layers", default="conv1,conv2,conv3,conv4,conv5")
    args = ap.parse_args(argv)

    import accelsim

    rows, cols = (int(v) for v in args.array.lower().split("x"))
    hw = accelsim.load_hardware("tpu-like").with_array(rows, cols)
    wl = accelsim.load_workload("alexnet").select(args.layers.split(",")).with_batch(args.batch)
    compile_s = _warmup()

    print(f"AlexNet {args.layers} batch {args.batch} on tpu-like {rows}x{cols}, cycle engine")
    print(f"(numba compile / cache load, not counted: {compile_s:.1f} s)\n")
    head = ("dataflow", "layer", "PEs", "folds", "compute cycles", "cycles", "stall (fill/drain)", "mapper s",
            "cycle s", "ok")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    total_map = total_cycle = 0.0
    per_df: dict[str, float] = {}
    for df in DATAFLOWS:
        for layer in wl.layers:
            t0 = time.perf_counter()
            found = accelsim.simulate(layer, hw, df, engine="analytic")
            t1 = time.perf_counter()
            if not found.ok:
                print(f"| {df} | {layer.name} | infeasible: {found.reason} |")
                continue
            res = accelsim.simulate(layer, hw, df, engine="cycle", mapping=found.mapping)
            t2 = time.perf_counter()
            total_map += t1 - t0
            total_cycle += t2 - t1
            per_df[df] = per_df.get(df, 0.0) + (t2 - t1)
            tm = res.timing
            ok = tm.verified and tm.counts_match_analytic
            print(f"| {df} | {layer.name} | {res.active_pes} | {tm.passes:,} | {res.compute_cycles:,} | "
                  f"{res.cycles:,} | {res.stall_cycles:,} ({tm.stall_cycles['pipeline']:,}) | {t1 - t0:.2f} | "
                  f"{t2 - t1:.2f} | {'yes' if ok else 'NO'} |")
    print()
    print("| measure | seconds | ratio to the 10 s target |")
    print("|---|---|---|")
    for df, s in per_df.items():
        print(f"| cycle engine, {df} | {s:.1f} | |")
    print(f"| cycle engine, all three | {total_cycle:.1f} | {total_cycle / TARGET_S:.2f}x |")
    print(f"| mapper, all three (reported separately) | {total_map:.1f} | |")
    print(f"| total | {total_cycle + total_map:.1f} | {(total_cycle + total_map) / TARGET_S:.2f}x |")
    # the same simulations, the three dataflows in two threads (mappings already chosen)
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(layer, df, accelsim.simulate(layer, hw, df).mapping) for df in DATAFLOWS for layer in wl.layers]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda j: accelsim.simulate(j[0], hw, j[1], engine="cycle", mapping=j[2]), jobs))
    both = time.perf_counter() - t0
    print(f"| cycle engine, all three, 2 threads | {both:.1f} | {both / TARGET_S:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
