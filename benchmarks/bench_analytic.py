"""Speed of the analytic engine and the mapper (prints a table; not a test).

Targets (issue #2): >= 100,000 mapping evaluations per second on one core; the whole-AlexNet
comparison of the six ISCA 2016 dataflows at one batch size in <= 10 s on a 2-core machine.
A mapping evaluation is the mapper's own: :func:`accelsim.kernels.search.evaluate_genome` on
random genomes drawn as the search draws them (repair, count, the hardware's search rules,
score), with the search's own arguments (:func:`accelsim.kernels.search.evaluation_args`),
called from a small jitted driver here. Each figure is also given as a ratio against
a baseline measured in the same run: the same evaluations run by CPython with numba switched
off (``NUMBA_DISABLE_JIT=1``, in a child process, so every helper the kernel calls is
interpreted too), and the ≤ 10 s target.

Run: ``python benchmarks/bench_analytic.py [--quick]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

from accelsim.kernels.jit import jit
from accelsim.kernels.search import evaluate_genome, evaluation_args, random_genome
from accelsim.layout import N_TILE_LEVELS, N_TYPES


@jit
def _draw_genomes(seed, prime_set, set_slots, set_nslots, n_outer, pe_start, k, res_mode, assigns, orders, ress):
    """Fill ``assigns, orders, ress`` (one genome per row) as the search's sampling phase draws them."""
    np.random.seed(seed)
    for b in range(assigns.shape[0]):
        random_genome(assigns[b], orders[b], ress[b], prime_set, set_slots, set_nslots, n_outer, pe_start, k,
                      res_mode)


@jit
def _evaluate_genomes(assigns, orders, ress, args, out):
    """Score every genome with the search's own ``evaluate_genome`` (repair, count, rules, score)
    and arguments (``args``: ``evaluation_args``), each from a fresh copy as the annealer does;
    ``out[b]`` = ``inf`` where one is illegal."""
    assign = np.zeros(assigns.shape[1], dtype=np.int64)
    order = np.zeros(orders.shape[1], dtype=np.int64)
    res = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    for b in range(assigns.shape[0]):
        assign[:] = assigns[b]
        order[:] = orders[b]
        res[:] = ress[b]
        out[b] = evaluate_genome(assign, order, res, *args)


def _genomes(n: int, seed: int = 0):
    """``n`` random genomes of AlexNet conv3 (N=16) on the 256-PE ISCA 2016 RS setup, and the
    search's evaluation arguments for them (the mapper's, energy objective)."""
    from accelsim.dataflows import template
    from accelsim.dataflows.lowering import capacity_array, cost_array, search_space, window_flags
    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.search.mapper import rules_of

    hw = load_hardware("isca16-256-rs")
    layer = load_workload("alexnet").with_batch(16).layers[2]
    tpl = template("rs")
    sp = search_space(tpl, layer)
    k = len(sp.slot_dim)
    assigns = np.zeros((n, len(sp.prime_val)), dtype=np.int64)
    orders = np.zeros((n, k), dtype=np.int64)
    ress = np.zeros((n, N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    _draw_genomes(seed, sp.prime_set, sp.set_slots, sp.set_nslots, sp.n_outer, sp.pe_start, k, sp.res_mode,
                  assigns, orders, ress)
    args = evaluation_args(sp.slot_dim, sp.slot_kind, sp.slot_red, sp.prime_val, sp.n_outer, sp.pe_start,
                           sp.res_mode, layer.U, window_flags(tpl, hw), cost_array(hw), capacity_array(hw),
                           hw.pe_rows, hw.pe_cols, 0, rules_of(hw), sp.acc_mask, sp.prime_set, sp.set_slots,
                           sp.set_nslots, sp.order_rank, 0, 0, 0)
    return (assigns, orders, ress), args


def _rate(n: int) -> tuple[float, float]:
    """Genome evaluations per second of :func:`_evaluate_genomes` on ``n`` genomes (after a
    compiling call on two), and the fraction of them that are legal."""
    genomes, args = _genomes(n)
    out = np.zeros(n)
    _evaluate_genomes(*(g[:2] for g in genomes), args, out[:2])  # compile or load
    t0 = time.perf_counter()
    _evaluate_genomes(*genomes, args, out)
    return n / (time.perf_counter() - t0), float(np.isfinite(out).mean())


def _interpreted_rate(n: int) -> float:
    """:func:`_rate` with numba disabled (``NUMBA_DISABLE_JIT=1``, a child process)."""
    code = "import sys; sys.path.insert(0, %r)\nfrom bench_analytic import _rate\nprint(_rate(%d)[0])\n" % (
        os.path.dirname(os.path.abspath(__file__)), n)
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def bench_evaluations(n: int) -> list[tuple[str, str, str]]:
    jit_rate, legal = _rate(n)
    py_rate = _interpreted_rate(min(n, 200))
    return [
        ("mapping evaluations / s (numba, 1 core)", f"{jit_rate:,.0f}",
         f"{jit_rate / 100_000:.1f}x the 100k/s target; {legal:.0%} legal"),
        ("mapping evaluations / s (interpreted baseline)", f"{py_rate:,.0f}",
         f"jit = {jit_rate / py_rate:,.0f}x baseline"),
    ]


def bench_mapper_and_compare(quick: bool) -> list[tuple[str, str, str]]:
    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.drivers.compare import compare
    from accelsim.drivers.warmup import warmup
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
