"""The mapper on the systolic dataflows with its flattened im2col candidates: time per search and
cycles against SCALE-Sim's own mapping (prints a table; not a test).

For AlexNet (CONV1–5, FC1–3) on ``tpu-like`` resized to each array, sys-os / sys-ws / sys-is,
``--objective cycles``, default budget: the mapper's cycles, those of ``--mapping scalesim``,
whether the mapper's choice is flattened, and the search time. The last line gives the total time
and the mappings considered per second (kernel evaluations plus the exactly scored im2col
candidates). ``--engine cycle`` times both mappings with the cycle engine instead (issue 14's
acceptance as the user runs it: ``accelsim run ... --engine cycle`` with and without
``--mapping scalesim``; the cycle runs are not in the search time).

Run: ``python benchmarks/bench_im2col_mapper.py [--arrays 12x14,16x16,32x32] [--layers conv]
[--engine analytic|cycle]``
"""

from __future__ import annotations

import argparse
import time

from accelsim.search.im2col import scalesim_mapping
from accelsim.io.presets import load_hardware, load_workload
from accelsim.search.mapper import best_mapping
from accelsim.sim.evaluate import evaluate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arrays", default="12x14,16x16,32x32")
    ap.add_argument("--layers", default="", help="only layers whose name starts with this (e.g. conv)")
    ap.add_argument("--engine", default="analytic", choices=("analytic", "cycle"),
                    help="the engine that times both mappings")
    args = ap.parse_args()
    wl = load_workload("alexnet")
    base = load_hardware("tpu-like")
    best_mapping(wl.layers[0], base.with_array(12, 14), "sys-os", "cycles")  # compile
    total, n, considered, slower = 0.0, 0, 0, 0
    for text in args.arrays.split(","):
        rows, cols = map(int, text.split("x"))
        hw = base.with_array(rows, cols)
        for df in ("sys-os", "sys-ws", "sys-is"):
            for layer in (ly for ly in wl.layers if ly.name.startswith(args.layers)):
                t0 = time.perf_counter()
                best = best_mapping(layer, hw, df, "cycles")
                dt = time.perf_counter() - t0
                total, n, considered = total + dt, n + 1, considered + best.considered
                mine = evaluate(layer, hw, df, args.engine, best.mapping).cycles
                ss = evaluate(layer, hw, df, args.engine, scalesim_mapping(layer, df, rows, cols, hw=hw)).cycles
                slower += mine > ss
                print(f"{rows}x{cols} {df} {layer.name:6} {args.engine} mapper {mine:>12,} scalesim {ss:>12,} "
                      f"{'ok' if mine <= ss else 'SLOWER'} flattened={bool(best.mapping.flat_groups)} {dt:.2f} s")
    print(f"total {total:.1f} s over {n} searches ({total / n:.2f} s each), {considered / total:,.0f} mappings "
          f"considered/s; {slower} slower than SCALE-Sim's mapping")


if __name__ == "__main__":
    main()
