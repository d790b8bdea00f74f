"""Speed of the analytic engine and the mapper (prints a table; not a test).

Targets (issue #2): >= 100,000 mapping evaluations per second on one core; the whole-AlexNet
comparison of the six ISCA 2016 dataflows at one batch size in <= 10 s on a 2-core machine.
Each figure is also given as a ratio against a baseline measured in the same run: the same
counting code run by CPython with numba switched off (``NUMBA_DISABLE_JIT=1``, in a child
process, so every helper the kernel calls is interpreted too), and the ≤ 10 s target.

Run: ``python benchmarks/bench_analytic.py [--quick]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np


def _random_batch(layer, dataflow, n, seed=0):
    from accelsim.dataflows.lowering import lower_mapping
    from accelsim.search.mapspace import random_mapping

    rng = np.random.default_rng(seed)
    maps = [lower_mapping(random_mapping(layer, dataflow, rng, 16, 16)) for _ in range(n)]
    width = max(len(m.dims) for m in maps)

    def pad(a, fill):
        return np.array([np.concatenate([x, np.full(width - len(x), fill, dtype=np.int64)]) for x in a])

    dims = pad([m.dims for m in maps], 0)
    factors = pad([m.factors for m in maps], 1)
    kinds = pad([m.kinds for m in maps], 0)
    reds = pad([m.reds for m in maps], 1)
    res = np.array([m.res for m in maps])
    return dims, factors, kinds, reds, res


def _interpreted_rate(n: int) -> float:
    """Evaluations per second of ``count_accesses`` with numba disabled (a child process)."""
    code = (
        "import time, numpy as np, sys\n"
        "sys.path.insert(0, %r)\n"
        "from bench_analytic import _random_batch\n"
        "from accelsim.dataflows import template\n"
        "from accelsim.dataflows.lowering import window_flags\n"
        "from accelsim.io.presets import load_hardware, load_workload\n"
        "from accelsim.kernels.analytic import count_accesses\n"
        "hw = load_hardware('isca16-256-rs')\n"
        "layer = load_workload('alexnet').with_batch(16).layers[2]\n"
        "dims, factors, kinds, reds, res = _random_batch(layer, 'rs', %d)\n"
        "win = window_flags(template('rs'), hw)\n"
        "counts = np.zeros((4, 3, 4), dtype=np.int64); usage = np.zeros((2, 3), dtype=np.int64)\n"
        "t0 = time.perf_counter()\n"
        "for b in range(len(dims)):\n"
        "    count_accesses(dims[b], factors[b], kinds[b], reds[b], res[b], layer.U, win, counts, usage)\n"
        "print(len(dims) / (time.perf_counter() - t0))\n"
    ) % (os.path.dirname(os.path.abspath(__file__)), n)
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def bench_evaluations(n: int) -> list[tuple[str, str, str]]:
    from accelsim.dataflows import template
    from accelsim.dataflows.lowering import capacity_array, cost_array, window_flags
    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.kernels.analytic import count_accesses, evaluate_batch

    hw = load_hardware("isca16-256-rs")
    layer = load_workload("alexnet").with_batch(16).layers[2]
    dims, factors, kinds, reds, res = _random_batch(layer, "rs", n)
    out = np.zeros(n)
    args = (layer.U, window_flags(template("rs"), hw), cost_array(hw), capacity_array(hw), 0, hw.num_pes)
    evaluate_batch(dims[:2], factors[:2], kinds[:2], reds[:2], res[:2], *args, out[:2])  # compile
    t0 = time.perf_counter()
    evaluate_batch(dims, factors, kinds, reds, res, *args, out)
    jit_rate = n / (time.perf_counter() - t0)
    # baseline: the same counting code, interpreted (numba off in a child process)
    py_rate = _interpreted_rate(min(n, 200))
    return [
        ("mapping evaluations / s (numba, 1 core)", f"{jit_rate:,.0f}", f"{jit_rate / 100_000:.1f}x the 100k/s target"),
        ("mapping evaluations / s (interpreted baseline)", f"{py_rate:,.0f}", f"jit = {jit_rate / py_rate:,.0f}x baseline"),
    ]


def bench_mapper_and_compare(quick: bool) -> list[tuple[str, str, str]]:
    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.drivers.compare import compare, warmup
    from accelsim.search.mapper import best_mapping

    rows = []
    t0 = time.perf_counter()
    warmup()
    rows.append(("kernel compile or cache load (first call)", f"{time.perf_counter() - t0:.2f} s", ""))
    hw = load_hardware("isca16-256-rs")
    layer = load_workload("alexnet").with_batch(16).layers[2]
    t0 = time.perf_counter()
    found = best_mapping(layer, hw, "rs")
    dt = time.perf_counter() - t0
    rows.append(("mapper, AlexNet conv3 RS N=16", f"{dt * 1e3:.0f} ms",
                 f"{found.considered:,} mappings considered = {found.considered / dt:,.0f}/s"))
    wl = load_workload("alexnet")
    per_df = lambda df: load_hardware(f"isca16-256-{df.value}")  # noqa: E731
    for jobs in ((1,) if quick else (1, 2)):
        t0 = time.perf_counter()
        runs = compare(wl, per_df, batch=16, n_jobs=jobs)
        dt = time.perf_counter() - t0
        considered = sum(r.mappings_considered for run in runs for r in run.layers)
        rows.append((f"AlexNet (8 layers) x 6 dataflows, N=16, {jobs} job(s)", f"{dt:.2f} s",
                     f"{dt / 10:.2f}x the 10 s budget; {considered:,} mappings"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer evaluations, one job count")
    args = ap.parse_args()
    rows = bench_evaluations(20_000 if args.quick else 200_000)
    rows += bench_mapper_and_compare(args.quick)
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"{'benchmark':{w0}}  {'value':>{w1}}  ratio / note")
    print("-" * (w0 + w1 + 30))
    for name, value, note in rows:
        print(f"{name:{w0}}  {value:>{w1}}  {note}")


if __name__ == "__main__":
    main()
