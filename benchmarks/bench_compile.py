"""Compile time of each kernel group from an empty numba cache (prints a table; not a test).

The figures behind :data:`accelsim.sim.kernel_cache.COMPILE_SECONDS` and
``COUNTING_CORE_SECONDS`` (the CLI's "compiling kernels (first run only, ~N s)" notice). A fresh
interpreter with an empty ``NUMBA_CACHE_DIR`` calls each group once on a tiny layer, in the
order ANALYTIC, PADDED, SEARCH, CYCLE (each group compiled after the ones before it), and
reports the CPU time (``time.process_time``: user + system of this process, which is what the
compile costs on an idle core) and the wall time of each first call, then checks that the cache
is warm for every group. ANALYTIC's first call also compiles the counting core PADDED shares:
the core is ANALYTIC's time less PADDED's (the two wrappers cost the same: either order gives
~32 s then ~13 s).

Run: ``python benchmarks/bench_compile.py``
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CHILD = """
import json, time
from accelsim.drivers.warmup import warmup
from accelsim.sim.kernel_cache import KernelGroup, cold_groups

out = {"cold_before": sorted(g.value for g in cold_groups(set(KernelGroup)))}
for group in KernelGroup:  # in the order COMPILE_SECONDS assumes
    cpu, wall = time.process_time(), time.perf_counter()
    warmup({group})
    out[group.value] = (time.process_time() - cpu, time.perf_counter() - wall)
out["cold_after"] = sorted(g.value for g in cold_groups(set(KernelGroup)))
print(json.dumps(out))
"""


def main() -> int:
    import json

    from accelsim.sim.kernel_cache import COMPILE_SECONDS, COUNTING_CORE_SECONDS, KernelGroup

    with tempfile.TemporaryDirectory(prefix="accelsim-bench-compile-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=os.pathsep.join([str(REPO),
                                                                                  os.environ.get("PYTHONPATH", "")]))
        load = os.getloadavg()
        proc = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 1
    got = json.loads(proc.stdout.splitlines()[-1])
    print(f"machine: {os.cpu_count()} CPUs, load average at start {load[0]:.2f}, now {os.getloadavg()[0]:.2f}"
          " (wall time stretches with the load; CPU time much less)")
    print(f"cold before: {', '.join(got['cold_before'])}; cold after: {', '.join(got['cold_after']) or 'none'}")
    print(f"{'group':10} {'CPU s':>7} {'wall s':>7} {'accelsim expects':>16}")
    for g in KernelGroup:
        cpu, wall = got[g.value]
        want = COMPILE_SECONDS[g] + (COUNTING_CORE_SECONDS if g is KernelGroup.ANALYTIC else 0.0)
        print(f"{g.value:10} {cpu:7.1f} {wall:7.1f} {want:16.1f}")
    total = sum(got[g.value][0] for g in KernelGroup)
    core = got[KernelGroup.ANALYTIC.value][0] - got[KernelGroup.PADDED.value][0]
    print(f"{'(core)':10} {core:7.1f} {'':7} {COUNTING_CORE_SECONDS:16.1f}  "
          "(in analytic's row: analytic less padded)")
    print(f"{'total':10} {total:7.1f} {sum(got[g.value][1] for g in KernelGroup):7.1f} "
          f"{sum(COMPILE_SECONDS.values()) + COUNTING_CORE_SECONDS:16.1f}")
    return 0 if not got["cold_after"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
