"""Speed of the sweep runner (prints a table; not a test).

One sweep of 240 small cases (a two-layer workload; 6 dataflows x 2 batches x 5 arrays x 2 RF
sizes x 2 GLB sizes; mapper budget samples 500, climb 500, starts 2) run in this process, on a
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

TINY = """\
version: 1
name: tiny
layers:
  - {name: c1, M: 16, C: 8, H: 10, W: 10, R: 3, S: 3}
  - {name: fc, M: 32, C: 16, H: 4, W: 4, R: 4, S: 4}
"""


def _sweep_file(root: Path, quick: bool) -> Path:
    (root / "tiny.yaml").write_text(TINY)
    arrays = "[4x4, 8x8]" if quick else "[4x4, 8x8, 12x14, 16x16, 8x16]"
    (root / "sweep.yaml").write_text(f"""\
version: 1
workloads: [tiny.yaml]
hardware: [eyeriss]
dataflows: [rs, ws, osa, osb, osc, nlr]
batch: [1, 2]
arrays: {arrays}
vary: {{rf_words: [64, 256], glb_words: [4096, 65536]}}
budget: {{samples: 500, climb: 500, starts: 2}}
""")
    return root / "sweep.yaml"


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes (default 2)")
    parser.add_argument("--quick", action="store_true", help="96 cases instead of 240")
    args = parser.parse_args()

    from accelsim.drivers.compare import warmup
    from accelsim.drivers.sweep import load_cases, sweep

    warmup()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = _sweep_file(root, args.quick)
        n = len(load_cases(path))
        base, ref = _timed(lambda: sweep(path, n_jobs=1, progress=False))
        rows.append(("in this process", base, "1.00×"))
        t, _ = _timed(lambda: sweep(path, n_jobs=1, progress=False, out=root / "seq"))
        rows.append(("in this process, streamed to disk", t, f"{t / base:.2f}×"))
        t, local = _timed(lambda: sweep(path, n_jobs=args.jobs, progress=False, out=root / "pool"))
        rows.append((f"local pool, {args.jobs} processes, cold (start-up)", t, f"{base / t:.2f}× faster"))
        t, _ = _timed(lambda: sweep(path, n_jobs=args.jobs, progress=False))  # loky keeps its workers
        rows.append((f"local pool, {args.jobs} processes, warm", t, f"{base / t:.2f}× faster"))
        t, _ = _timed(lambda: sweep(path, n_jobs=args.jobs, progress=False, out=root / "pool"))
        rows.append(("rerun, every case already done (resume)", t, f"{t / base:.3f}×"))
        try:
            from distributed import LocalCluster
        except ImportError:
            rows.append(("dask LocalCluster", float("nan"), "dask.distributed not installed"))
        else:
            with LocalCluster(n_workers=args.jobs, processes=True, threads_per_worker=1,
                              dashboard_address=None) as cluster:
                t, remote = _timed(lambda: sweep(path, scheduler=cluster.scheduler_address, progress=False))
                rows.append((f"dask LocalCluster, {args.jobs} workers, cold", t, f"{base / t:.2f}× faster"))
                t, remote = _timed(lambda: sweep(path, scheduler=cluster.scheduler_address, progress=False))
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
