"""Write ``tests/data/scalesim_reference.json``: SCALE-Sim 3.0.0's own numbers for the parity
cases of issue 14 (AlexNet CONV1–5 and a small layer; os, ws, is; 12×14, 16×16, 32×32).

SCALE-Sim is never a dependency of accelsim. Install it in a separate venv::

    python3 -m venv /tmp/ssvenv && /tmp/ssvenv/bin/pip install scalesim==3.0.0 "numpy<2.4"

and run, from the repository root, with any Python (the SCALE-Sim runs happen in subprocesses
of the interpreter given by ``--scalesim-python``, default: this one)::

    python tools/scalesim_reference.py --scalesim-python /tmp/ssvenv/bin/python

Every (array, dataflow, layer set) is one SCALE-Sim run through its Python API
(``scalesim.scale_sim.scalesim(save_disk_space=True, verbose=False, ...)``, ``run_scale``), in
a fresh subprocess that reports its own wall-clock time (the ``run_scale`` call, and the whole
process), CPU time and peak RSS (``resource.getrusage(RUSAGE_SELF)``). The AlexNet runs on
12×14 (os, ws, is) go first and one at a time, so that they do not disturb each other; they are
the SCALE-Sim side of the speed acceptance. On a machine shared with other work their wall time
includes waiting for a CPU (CPU time does not): say how they ran with ``--conditions``.

Inputs written for SCALE-Sim (in a temporary directory):

* config: the GitHub repository's ``configs/scale.cfg`` (SCALE-Sim 3.0.0 format) with the
  array and dataflow of the case: 64 kB ifmap, 64 kB filter and 64 kB ofmap SRAM, offsets
  0 / 10,000,000 / 20,000,000, ``Bandwidth: 10`` (unused in CALC), ``ReadRequestBuffer`` and
  ``WriteRequestBuffer`` 32, no custom layouts, sparsity off, ``InterfaceBandwidth: CALC``,
  ``UseRamulatorTrace: False``;
* a header-only layout CSV (custom layouts are off, but SCALE-Sim reads the file);
* topologies: AlexNet CONV1–5 with padded H/W (SCALE-Sim has no padding field) and the small
  layer, see :data:`ALEXNET` and :data:`SMALL`.

Grouped AlexNet layers (CONV2, CONV4, CONV5 have 2 groups) are entered SCALE-Sim style as one
row whose ``Channels`` is the channels *per group* and whose ``Num Filter`` is *all* filters
(the convention of the issue's ``CONV5, 15, 15, 3, 3, 192, 256, 1,`` row): CONV2 48 of 96
channels × 256 filters, CONV4 192 of 384 × 384, CONV5 192 of 384 × 256. Each filter then
reduces over the channels of one group, so E, F, the reduction length R·S·C/G and the MACs
equal the grouped layer's; SCALE-Sim reads the same 48 (192) ifmap channels for both groups'
filters, which changes none of the compute or SRAM counts (they depend on the shapes only).

Each finished run is kept in ``--cache`` (default ``$TMPDIR/scalesim_reference_cache``, one JSON
per run) and reused, so an interrupted run resumes; delete the directory for fresh timings.

Usage: ``python tools/scalesim_reference.py [--scalesim-python PY] [--out PATH] [--jobs N] [--cache DIR]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "scalesim_reference.json"
#: where finished runs are kept (one JSON per case), so that an interrupted run resumes
CACHE = Path(tempfile.gettempdir()) / "scalesim_reference_cache"

#: (name, H, W, R, S, C, M, stride, note): H and W padded; C per group for grouped layers
ALEXNET = (
    ("CONV1", 227, 227, 11, 11, 3, 96, 4, "224x224 + 3 rows/cols of padding (E = 55)"),
    ("CONV2", 31, 31, 5, 5, 48, 256, 1, "27x27 padded by 2; 2 groups: 48 channels per group x all 256 filters"),
    ("CONV3", 15, 15, 3, 3, 256, 384, 1, "13x13 padded by 1"),
    ("CONV4", 15, 15, 3, 3, 192, 384, 1, "13x13 padded by 1; 2 groups: 192 channels per group x all 384 filters"),
    ("CONV5", 15, 15, 3, 3, 192, 256, 1, "13x13 padded by 1; 2 groups: 192 channels per group x all 256 filters"),
)
#: the small layer: 14x14x16 ifmap, 32 3x3 filters, stride 1, no padding (E = F = 12)
SMALL = (("SMALL", 14, 14, 3, 3, 16, 32, 1, "14x14x16 -> 32, 3x3, stride 1, unpadded"),)
SETS = {"alexnet": ALEXNET, "small": SMALL}
ARRAYS = ((12, 14), (16, 16), (32, 32))
DATAFLOWS = ("os", "ws", "is")
SRAM_KB = 64  # configs/scale.cfg: IfmapSramSzkB = FilterSramSzkB = OfmapSramSzkB = 64

CONFIG = """\
[general]
run_name = {run_name}

[architecture_presets]
ArrayHeight:    {rows}
ArrayWidth:     {cols}
IfmapSramSzkB:   {kb}
FilterSramSzkB:  {kb}
OfmapSramSzkB:   {kb}
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : {df}
MemoryBanks:   1
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 100
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 100
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: CALC
UseRamulatorTrace: False
"""

TOPOLOGY_HEADER = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
LAYOUT_HEADER = ("Layer name, IFMAP Height Intraline Factor, IFMAP Width Intraline Factor, Filter Height Intraline "
                 "Factor, Filter Width Intraline Factor, Channel Intraline Factor, Num Filter Intraline Factor, "
                 "IFMAP Height Intraline Order, IFMAP Width Intraline Order, Channel Intraline Order, "
                 "IFMAP Height Interline Order, IFMAP Width Interline Order, Channel Interline Order,\n")


def topology_text(layers) -> str:
    """A SCALE-Sim conv topology CSV (every row ends with a comma, as its parser needs)."""
    rows = (f"{n}, {h}, {w}, {r}, {s}, {c}, {m}, {u},\n" for n, h, w, r, s, c, m, u, _ in layers)
    return TOPOLOGY_HEADER + "".join(rows)


# ----------------------------------------------------------------------------- worker (SCALE-Sim's venv)
def worker(rows: int, cols: int, df: str, set_name: str) -> dict:
    """Run SCALE-Sim once in this process; per-layer report items, time and peak RSS."""
    import resource

    started = time.perf_counter()
    from scalesim.scale_sim import scalesim

    layers = SETS[set_name]
    with tempfile.TemporaryDirectory(prefix="ssref_") as tmp:
        tmp_path = Path(tmp)
        cfg = tmp_path / "scale.cfg"
        cfg.write_text(CONFIG.format(run_name=f"ref_{rows}x{cols}_{df}_{set_name}", rows=rows, cols=cols,
                                     kb=SRAM_KB, df=df))
        topo = tmp_path / f"{set_name}.csv"
        topo.write_text(topology_text(layers))
        layout = tmp_path / "layout.csv"
        layout.write_text(LAYOUT_HEADER)
        sim = scalesim(save_disk_space=True, verbose=False, config=str(cfg), topology=str(topo),
                       layout=str(layout), input_type_gemm=False)
        run_start = time.perf_counter()
        sim.run_scale(top_path=str(tmp_path / "out"))
        run_seconds = time.perf_counter() - run_start
        out = []
        for obj, layer in zip(sim.runner.single_layer_sim_object_list, layers, strict=True):
            overall_cycles, total_cycles, stall, overall_util, map_eff, compute_util = obj.get_compute_report_items()
            d = obj.get_detail_report_items()
            out.append({"layer": layer[0], "compute_cycles": int(total_cycles), "stall_cycles": int(stall),
                        "cycles_incl_prefetch": int(overall_cycles),
                        "ifmap_sram_reads": int(d[2]), "filter_sram_reads": int(d[5]), "ofmap_sram_writes": int(d[8]),
                        "ifmap_dram_reads": int(d[11]), "filter_dram_reads": int(d[14]),
                        "ofmap_dram_writes": int(d[17]),
                        "mapping_efficiency_pct": float(map_eff), "overall_utilization_pct": float(overall_util),
                        "compute_utilization_pct": float(compute_util)})
    usage = resource.getrusage(resource.RUSAGE_SELF)  # ru_maxrss: KiB on Linux
    return {"layers": out, "run_scale_seconds": run_seconds, "process_seconds": time.perf_counter() - started,
            "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024}


# ----------------------------------------------------------------------------- parent
def _run_worker(python: str, rows: int, cols: int, df: str, set_name: str, cache: Path | None = None) -> dict:
    cmd = [python, str(Path(__file__).resolve()), "--worker", str(rows), str(cols), df, set_name]
    if cache is not None:
        cmd += ["--cache", str(cache)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          env=os.environ | {"PYTHONPATH": ""})
    if proc.returncode != 0:
        raise SystemExit(f"SCALE-Sim run {rows}x{cols} {df} {set_name} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if "wall_seconds" not in result:  # a fresh run: keep its wall-clock time with it
        result["wall_seconds"] = time.perf_counter() - started
        saved = None if cache is None else cache / f"{rows}x{cols}_{df}_{set_name}.json"
        if saved is not None and saved.exists():
            saved.write_text(json.dumps(result) + "\n", encoding="utf-8")
    print(f"  {rows}x{cols} {df:2s} {set_name:7s}: {result['wall_seconds']:7.1f} s, "
          f"{result['peak_rss_mib']:7.0f} MiB", file=sys.stderr, flush=True)
    return result


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, OSError):
        return False
    return True


def _versions(python: str) -> dict:
    code = "import json, importlib.metadata as m; print(json.dumps({p: m.version(p) for p in ('scalesim', 'numpy')}))"
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False,
                          env=os.environ | {"PYTHONPATH": ""})
    if proc.returncode != 0:
        raise SystemExit(f"scalesim is not importable by {python}; install it in a separate venv:\n"
                         '  python3 -m venv /tmp/ssvenv && /tmp/ssvenv/bin/pip install scalesim==3.0.0 "numpy<2.4"')
    return json.loads(proc.stdout)


def _layer_shape(layer) -> dict:
    name, h, w, r, s, c, m, u, note = layer
    return {"name": name, "H": h, "W": w, "R": r, "S": s, "C": c, "M": m, "stride": u,
            "E": math.ceil((h - r + u) / u), "F": math.ceil((w - s + u) / u), "note": note}


def main(argv: list[str] | None = None) -> int:
    """Run every case and write the JSON (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scalesim-python", default=sys.executable, help="a Python that can import scalesim 3.0.0")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--jobs", type=int, default=2, help="parallel SCALE-Sim runs after the timed ones")
    ap.add_argument("--cache", type=Path, default=CACHE,
                    help="finished SCALE-Sim runs are kept here and reused (delete it for fresh timings)")
    ap.add_argument("--conditions", default="", help="how the timed runs were made, for the header")
    ap.add_argument("--partial", action="store_true",
                    help="write the JSON from the finished runs in --cache only (run nothing); the header lists "
                         "the runs still missing")
    ap.add_argument("--worker", nargs=4, metavar=("ROWS", "COLS", "DF", "SET"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        rows, cols, df, set_name = args.worker
        saved = args.cache / f"{rows}x{cols}_{df}_{set_name}.json"
        running = saved.with_suffix(".running")
        while running.exists() and not saved.exists() and _alive(running.read_text().strip()):
            time.sleep(5)  # another process is running this case: wait for its result
        if saved.exists():  # an earlier, finished run of this case
            print(saved.read_text(encoding="utf-8").strip())
            return 0
        args.cache.mkdir(parents=True, exist_ok=True)
        running.write_text(str(os.getpid()))
        try:
            text = json.dumps(worker(int(rows), int(cols), df, set_name))
            saved.write_text(text + "\n", encoding="utf-8")
        finally:
            running.unlink(missing_ok=True)
        print(text)
        return 0
    versions = _versions(args.scalesim_python)
    runs = [(r, c, df, s) for (r, c) in ARRAYS for df in DATAFLOWS for s in SETS]
    timed = [(12, 14, df, "alexnet") for df in DATAFLOWS]
    results = {}
    load_before = os.getloadavg()[0]
    if args.partial:
        for key in runs:
            saved = args.cache / f"{key[0]}x{key[1]}_{key[2]}_{key[3]}.json"
            if saved.exists():
                results[key] = json.loads(saved.read_text(encoding="utf-8"))
        load_after = load_before
    else:
        print("timed runs (one at a time):", file=sys.stderr)
        for key in timed:
            results[key] = _run_worker(args.scalesim_python, *key, cache=args.cache)
        load_after = os.getloadavg()[0]
        print("other runs:", file=sys.stderr)
        rest = [key for key in runs if key not in results]
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for key, res in zip(rest, pool.map(lambda k: _run_worker(args.scalesim_python, *k, cache=args.cache),
                                               rest)):
                results[key] = res
    missing = [f"{r}x{c} {df} {s}" for r, c, df, s in runs if (r, c, df, s) not in results]
    runs = [key for key in runs if key in results]
    timed = [key for key in timed if key in results]
    cases = []
    for key in runs:
        rows, cols, df, set_name = key
        for layer, row in zip(SETS[set_name], results[key]["layers"], strict=True):
            cases.append({"set": set_name, "layer": _layer_shape(layer), "array": [rows, cols], "dataflow": df,
                          **{k: v for k, v in row.items() if k != "layer"}})
    timing = {key[2]: {k: round(results[key][k], 3)
                       for k in ("wall_seconds", "process_seconds", "run_scale_seconds", "cpu_seconds", "peak_rss_mib")}
              for key in timed}
    total_wall = round(sum(t["wall_seconds"] for t in timing.values()), 3)
    header = {
        "tool": "SCALE-Sim", "scalesim_version": versions["scalesim"], "numpy_version": versions["numpy"],
        "date": datetime.date.today().isoformat(),
        "missing_runs": missing,
        "command": ("python tools/scalesim_reference.py --scalesim-python /tmp/ssvenv/bin/python  "
                    "(venv: pip install scalesim==3.0.0 'numpy<2.4')"),
        "api": "scalesim.scale_sim.scalesim(save_disk_space=True, verbose=False, config, topology, layout).run_scale",
        "config": (f"configs/scale.cfg format: Ifmap/Filter/OfmapSramSzkB {SRAM_KB}, offsets 0/10000000/20000000, "
                   "Bandwidth 10 (unused), Read/WriteRequestBuffer 32, custom layouts off, sparsity off, "
                   "InterfaceBandwidth CALC, UseRamulatorTrace False; ArrayHeight x ArrayWidth and Dataflow per case"),
        "grouped_layers": ("CONV2/4/5 (2 groups) entered as one row: Channels = channels per group, Num Filter = all "
                           "filters (CONV2 48 x 256, CONV4 192 x 384, CONV5 192 x 256): same E, F, R*S*C/G, MACs"),
        "fields": ("compute_cycles = SCALE-Sim 'Total Cycles' (console 'Compute cycles'); cycles_incl_prefetch = "
                   "'Total Cycles (incl. prefetch)'; *_sram_reads/writes and *_dram_* from DETAILED_ACCESS_REPORT; "
                   "*_pct from COMPUTE_REPORT"),
        "speed_alexnet_12x14": {
            **timing, "total_wall_seconds": total_wall,
            "total_cpu_seconds": round(sum(t["cpu_seconds"] for t in timing.values()), 3),
            "max_peak_rss_mib": round(max(t["peak_rss_mib"] for t in timing.values()), 1),
            "how": ("each dataflow one subprocess, one at a time; wall_seconds = the subprocess (interpreter start, "
                    "import, run); run_scale_seconds = run_scale() only; cpu_seconds = user + system time of the "
                    "subprocess (wall time includes waiting for a CPU on a loaded machine, CPU time does not); "
                    "peak_rss_mib = its ru_maxrss"),
            "machine": f"{os.cpu_count()} CPUs, {sys.platform}",
            "conditions": args.conditions or (f"1-minute load average {load_before:.1f} before and {load_after:.1f} "
                                              "after the timed runs")},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"header": header, "cases": cases}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
