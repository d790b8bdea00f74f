"""Cost of flattened loops in the analytic engine (prints a table; not a test).

A nest with flattened loops (``(N,E,F)``, ``(C,R,S)``) is counted by the enumerating path
(:func:`accelsim.kernels.analytic.count_accesses_flat`), whose cost grows with the product of the
loop factors of the ifmap's coupled window axes, not with the number of loops. Figures: the time
of one evaluation of AlexNet's layers mapped im2col style on a 12 × 14 output-stationary array
(output pixels ``(N,E,F)`` on the rows in ⌈N·E·F / 12⌉ folds, filters on the columns,
``(C,R,S)`` in time in each PE), against the closed form on the mapper's perfect sys-os mapping
of the same layer (measured in the same run).

Run: ``python benchmarks/bench_flat.py [--batch N]``
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import numpy as np


def im2col_mapping(layer, rows: int, cols: int):
    """SCALE-Sim-like output-stationary mapping: Npx on ``rows``, M on ``cols``, K in time."""
    from accelsim.spec.dims import Dim, Flat, LoopKind
    from accelsim.spec.mapping import Loop, Mapping

    b = layer.loop_bounds()
    npx, k = Flat((Dim.N, Dim.E, Dim.F)), Flat((Dim.C, Dim.R, Dim.S))
    n_px, n_k = npx.extent(b), k.extent(b)
    loops = (Loop(Dim.G, b[Dim.G]), Loop(Dim.M, -(-b[Dim.M] // cols)), Loop(npx, -(-n_px // rows)),
             Loop(npx, rows, LoopKind.ROW), Loop(Dim.M, cols, LoopKind.COL), Loop(k, n_k))
    return Mapping(loops=loops, glb=(1, 1, 2), rf=(None, None, None), dataflow="sys-os")


def _time(fn, seconds: float = 1.0) -> float:
    fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds or n < 3:
        fn()
        n += 1
    return (time.perf_counter() - t0) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()

    import accelsim
    from accelsim.dataflows.lowering import lower_mapping
    from accelsim.kernels.analytic import count_accesses, count_accesses_flat
    from accelsim.report import align_table

    hw = _array(12, 14)
    wl = accelsim.load_workload("alexnet").with_batch(args.batch)
    counts = np.zeros((4, 3, 4), np.int64)
    usage = np.zeros((2, 3), np.int64)
    rows = [["layer (12 × 14, sys-os)", "MACs", "flattened: ms / evaluation", "perfect closed form: µs", "ratio"]]
    for layer in wl.layers[:5]:
        flat = lower_mapping(im2col_mapping(layer, 12, 14))
        bounds = np.array(layer.loop_bounds(), dtype=np.int64)
        t_flat = _time(partial(count_accesses_flat, flat.dims, flat.factors, flat.kinds, flat.reds, flat.res, layer.U,
                               0, bounds, flat.groups, counts, usage))
        perfect = lower_mapping(accelsim.best_mapping(layer, hw, "sys-os").mapping)
        t_perf = _time(partial(count_accesses, perfect.dims, perfect.factors, perfect.kinds, perfect.reds,
                               perfect.res, layer.U, 0, counts, usage))
        rows.append([layer.name, f"{layer.macs:,}", f"{t_flat * 1e3:.1f}", f"{t_perf * 1e6:.1f}",
                     f"{t_flat / t_perf:,.0f}x"])
    print(align_table(rows))


def _array(rows: int, cols: int):
    from dataclasses import replace

    import accelsim

    return replace(accelsim.load_hardware("tpu-like"), pe_rows=rows, pe_cols=cols)


if __name__ == "__main__":
    main()
