"""Speed of the sweep runner (prints a table; not a test).

One sweep of 240 small cases (the acceptance sweep, ``sweeps/acceptance``: a two-layer workload;
6 dataflows x 2 batches x 5 arrays x 2 RF sizes x 2 GLB sizes; mapper budget samples 500, climb
500, starts 2) run in this process, on a
local process pool, and on a dask LocalCluster (when dask.distributed is installed); then the
overheads: streaming to disk, and a rerun that finds every case done (resume). Ratios are
against the in-process run measured here.

Run: ``python benchmarks/bench_sweep.py [--jobs 2] [--quick]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ACCEPTANCE = Path(__file__).resolve().parents[1] / "sweeps" / "acceptance" / "sweep.yaml"


def _acceptance_sweep(quick: bool):
    """The acceptance sweep (``sweeps/acceptance``); ``quick``: its first two arrays only."""
    import yaml

    from accelsim.io.sweepfile import sweep_from_data

    data = yaml.safe_load(ACCEPTANCE.read_text(encoding="utf-8"))
    if quick:
        data["arrays"] = data["arrays"][:2]
    return sweep_from_data(data, base=ACCEPTANCE.parent, origin=str(ACCEPTANCE))


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes (default 2)")
    parser.add_argument("--quick", action="store_true", help="96 cases instead of 240")
    args = parser.parse_args()

    from accelsim.drivers.warmup import warmup
    from accelsim.drivers.sweep import sweep

    warmup()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spec = _acceptance_sweep(args.quick)
        n = spec.n_cases
        base, ref = _timed(lambda: sweep(spec, n_jobs=1, progress=False))
        rows.append(("in this process", base, "1.00×"))
        t, _ = _timed(lambda: sweep(spec, n_jobs=1, progress=False, out=root / "seq"))
        rows.append(("in this process, streamed to disk", t, f"{t / base:.2f}×"))
        t, local = _timed(lambda: sweep(spec, n_jobs=args.jobs, progress=False, out=root / "pool"))
        rows.append((f"local pool, {args.jobs} processes, cold (start-up)", t, f"{base / t:.2f}× faster"))
        t, _ = _timed(lambda: sweep(spec, n_jobs=args.jobs, progress=False))  # loky keeps its workers
        rows.append((f"local pool, {args.jobs} processes, warm", t, f"{base / t:.2f}× faster"))
        t, _ = _timed(lambda: sweep(spec, n_jobs=args.jobs, progress=False, out=root / "pool"))
        rows.append(("rerun, every case already done (resume)", t, f"{t / base:.3f}×"))
        try:
            from distributed import LocalCluster
        except ImportError:
            rows.append(("dask LocalCluster", float("nan"), "dask.distributed not installed"))
        else:
            with LocalCluster(n_workers=args.jobs, processes=True, threads_per_worker=1,
                              dashboard_address=None) as cluster:
                t, remote = _timed(lambda: sweep(spec, scheduler=cluster.scheduler_address, progress=False))
                rows.append((f"dask LocalCluster, {args.jobs} workers, cold", t, f"{base / t:.2f}× faster"))
                t, remote = _timed(lambda: sweep(spec, scheduler=cluster.scheduler_address, progress=False))
            strip = lambda rs: [{k: v for k, v in r.items() if k != "seconds"} for r in rs]  # noqa: E731
            same = "same records" if strip(remote) == strip(ref) else "RECORDS DIFFER"
            rows.append((f"dask LocalCluster, {args.jobs} workers, warm", t, f"{base / t:.2f}× faster, {same}"))
        assert [r["case"] for r in local] == [r["case"] for r in ref]
    print(f"sweep of {n} cases x 2 layers")
    print(f"{'run':48} {'seconds':>8} {'cases/s':>8}  ratio")
    for name, seconds, ratio in rows:
        rate = n / seconds if seconds == seconds else float("nan")
        print(f"{name:48} {seconds:8.2f} {rate:8.0f}  {ratio}")


if __name__ == "__main__":
    main()
