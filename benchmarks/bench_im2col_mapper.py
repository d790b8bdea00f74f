"""The mapper on the systolic dataflows with its flattened im2col candidates: time per search and
cycles against SCALE-Sim's own mapping (prints a table; not a test).

For AlexNet (CONV1–5, FC1–3) on ``tpu-like`` resized to each array, sys-os / sys-ws / sys-is,
``--objective cycles``, default budget: the mapper's analytic cycles, those of
``--mapping scalesim``, whether the mapper's choice is flattened, and the search time. The last
line gives the total time and the mappings considered per second (kernel evaluations plus the
exactly scored im2col candidates).

Run: ``python benchmarks/bench_im2col_mapper.py [--arrays 12x14,16x16,32x32]``
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
    args = ap.parse_args()
    wl = load_workload("alexnet")
    base = load_hardware("tpu-like")
    best_mapping(wl.layers[0], base.with_array(12, 14), "sys-os", "cycles")  # compile
    total, n, considered, slower = 0.0, 0, 0, 0
    for text in args.arrays.split(","):
        rows, cols = map(int, text.split("x"))
        hw = base.with_array(rows, cols)
        for df in ("sys-os", "sys-ws", "sys-is"):
            for layer in wl.layers:
                t0 = time.perf_counter()
                best = best_mapping(layer, hw, df, "cycles")
                dt = time.perf_counter() - t0
                total, n, considered = total + dt, n + 1, considered + best.considered
                mine = evaluate(layer, hw, df, "analytic", best.mapping).cycles
                ss = evaluate(layer, hw, df, "analytic", scalesim_mapping(layer, df, rows, cols, hw=hw)).cycles
                slower += mine > ss
                print(f"{rows}x{cols} {df} {layer.name:6} mapper {mine:>12,} scalesim {ss:>12,} "
                      f"{'ok' if mine <= ss else 'SLOWER'} flattened={bool(best.mapping.flat_groups)} {dt:.2f} s")
    print(f"total {total:.1f} s over {n} searches ({total / n:.2f} s each), {considered / total:,.0f} mappings "
          f"considered/s; {slower} slower than SCALE-Sim's mapping")


if __name__ == "__main__":
    main()
