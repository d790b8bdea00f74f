"""Cost of imperfect factorisation (prints a table; not a test).

Ragged (padded) mappings take slower paths in both engines: the analytic kernel enumerates,
per dimension, the iterations that fix a tile's position instead of its closed form, and the
cycle kernel checks every PE's validity on each MAC. Each figure is a ratio against a baseline
measured in the same run: the same layer under a perfect factorisation.

* analytic: evaluations per second of the Eyeriss chip's CONV1 mapping (E = 55 in 7-wide
  strips, padded to 56) against a perfect mapping of the same layer (E = 55 as 5 × 11);
* cycle engine: simulated MACs per second of the chip's CONV2 mapping (a 5 × 27 set split
  14 + 13) against the mapper's perfect mapping of CONV2, batch 4.

Run: ``python benchmarks/bench_ragged.py``
"""

from __future__ import annotations

import time

import numpy as np


def _rate(fn, seconds: float = 1.0) -> float:
    fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - t0)


def main() -> None:
    import accelsim
    from accelsim.dataflows.lowering import lower_mapping
    from accelsim.kernels.analytic import count_accesses, count_accesses_padded
    from accelsim.report import align_table
    from accelsim.sim.cycle import random_inputs, run_cycle

    hw = accelsim.load_hardware("eyeriss")
    wl = accelsim.load_workload("alexnet")
    chip = accelsim.load_mapping("eyeriss-jssc", wl, 4)  # the chip's mappings are for batch 4
    conv1, conv2 = (layer.with_batch(4) for layer in wl.layers[:2])
    rows = [("figure", "ragged", "perfect", "ragged / perfect")]

    # analytic: one evaluation of a lowered nest (kernel only)
    counts = np.zeros((4, 3, 4), np.int64)
    usage = np.zeros((2, 3), np.int64)
    ragged = lower_mapping(chip["conv1"])
    perfect = lower_mapping(accelsim.best_mapping(conv1, hw, "rs").mapping)
    bounds = np.array(conv1.loop_bounds(), dtype=np.int64)
    r_rate = _rate(lambda: count_accesses_padded(ragged.dims, ragged.factors, ragged.kinds, ragged.reds,
                                                 ragged.res, conv1.U, 0, bounds, counts, usage))
    p_rate = _rate(lambda: count_accesses(perfect.dims, perfect.factors, perfect.kinds, perfect.reds,
                                          perfect.res, conv1.U, 0, counts, usage))
    rows.append(("analytic evaluations / s (CONV1)", f"{r_rate:,.0f}", f"{p_rate:,.0f}", f"{r_rate / p_rate:.3f}"))

    # cycle engine: simulated MACs per second
    ifmap, filters = random_inputs(conv2)
    rates = []
    for mapping in (chip["conv2"], accelsim.best_mapping(conv2, hw, "rs").mapping):
        run_cycle(conv2, hw, mapping, 0, ifmap, filters)  # compile / warm
        t0 = time.perf_counter()
        run_cycle(conv2, hw, mapping, 0, ifmap, filters)
        rates.append(conv2.macs / (time.perf_counter() - t0))
    rows.append(("cycle engine simulated MACs / s (CONV2)", f"{rates[0] / 1e6:.1f} M", f"{rates[1] / 1e6:.1f} M",
                 f"{rates[0] / rates[1]:.2f}"))

    print(align_table([list(r) for r in rows]))


if __name__ == "__main__":
    main()
