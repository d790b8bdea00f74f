"""accelsim's cycle engine vs SCALE-Sim 3.0.0 on SCALE-Sim's own mapping (prints a table; not a test).

Target (issue 14): AlexNet CONV1–5 (padded H/W, grouped layers entered per group as SCALE-Sim
does) on a 12×14 array, os, ws and is, with ``--mapping scalesim`` and SCALE-Sim's conventions:
the cycle-level engine (real values moved and multiplied, outputs checked against numpy) is at
least 50× faster than SCALE-Sim's wall-clock time and uses less than 1 GB.

Each side runs in its own child process, so its peak RSS (``ru_maxrss``) is its own. accelsim's
numba compilation is done first in that child and reported apart (a second run loads it from the
cache). SCALE-Sim runs in the same run when ``--scalesim-python`` names a Python that imports
``scalesim`` 3.0.0 (``python3 -m venv V && V/bin/pip install scalesim==3.0.0 "numpy<2.4"``; about
ten minutes per dataflow); otherwise its times are read from ``tests/data/scalesim_reference.json``
(``tools/scalesim_reference.py``, its header says how they were measured) and the table says so.

Run: ``python benchmarks/bench_scalesim.py [--scalesim-python V/bin/python]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "scalesim_reference.json"
DATAFLOWS = ("os", "ws", "is")
TARGET_RATIO = 50.0
TARGET_RSS_MIB = 1024.0
#: (name, H, W, R, S, C, M, stride): padded H/W; CONV2/4/5 one group's channels × all filters
ALEXNET = (("CONV1", 227, 227, 11, 11, 3, 96, 4), ("CONV2", 31, 31, 5, 5, 48, 256, 1),
           ("CONV3", 15, 15, 3, 3, 256, 384, 1), ("CONV4", 15, 15, 3, 3, 192, 384, 1),
           ("CONV5", 15, 15, 3, 3, 192, 256, 1))
CONFIG = """[general]
run_name = bench
[architecture_presets]
ArrayHeight: 12
ArrayWidth: 14
IfmapSramSzkB: 64
FilterSramSzkB: 64
OfmapSramSzkB: 64
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Dataflow: {df}
Bandwidth: 10
[run_presets]
InterfaceBandwidth: CALC
"""


def accelsim_child(df: str) -> dict:
    """In a child process: import the case, compile, then time the cycle engine on every layer."""
    import resource
    import tempfile
    from dataclasses import replace

    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.io.scalesim import scalesim_to_yaml
    from accelsim.search.im2col import scalesim_mapping
    from accelsim.sim.conventions import with_conventions
    from accelsim.sim.evaluate import evaluate
    from accelsim.spec.layer import ConvLayer

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "t.csv").write_text("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                                    "Num Filter, Strides,\n" + "".join(f"{', '.join(map(str, ly))},\n"
                                                                      for ly in ALEXNET))
        (root / "c.cfg").write_text(CONFIG.format(df=df))
        wl_text, hw_text = scalesim_to_yaml(root / "t.csv", root / "c.cfg")
        (root / "wl.yaml").write_text(wl_text)
        (root / "hw.yaml").write_text(hw_text)
        workload, hw = load_workload(root / "wl.yaml"), with_conventions(load_hardware(root / "hw.yaml"), "scalesim")
    hw = replace(hw, precision=replace(hw.precision, psum_bits=64))  # exact outputs: nothing wraps
    dataflow = f"sys-{df}"
    t0 = time.perf_counter()
    tiny = ConvLayer(name="w", M=4, C=2, H=5, W=5, R=3, S=3)
    evaluate(tiny, hw, dataflow, "cycle", scalesim_mapping(tiny, dataflow, hw.pe_rows, hw.pe_cols, hw=hw))
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    layers = []
    for layer in workload.layers:
        res = evaluate(layer, hw, dataflow, "cycle", scalesim_mapping(layer, dataflow, hw.pe_rows, hw.pe_cols, hw=hw))
        layers.append({"layer": layer.name, "cycles": res.cycles, "verified": bool(res.timing.verified),
                       "macs": res.macs})
    run_s = time.perf_counter() - t0
    cpu_s = time.process_time() - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"compile_seconds": compile_s, "run_seconds": run_s, "cpu_seconds": cpu_s, "peak_rss_mib": rss,
            "layers": layers}


def _child(df: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", df], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _scalesim(python: str | None) -> tuple[dict, str]:
    """SCALE-Sim's per-dataflow times: run now, or from the reference file."""
    if python:
        tool = ROOT / "tools" / "scalesim_reference.py"
        out = {}
        for df in DATAFLOWS:
            start = time.perf_counter()
            proc = subprocess.run([python, str(tool), "--worker", "12", "14", df, "alexnet"], capture_output=True,
                                  text=True, check=False, env=os.environ | {"PYTHONPATH": ""})
            if proc.returncode != 0:
                raise SystemExit(proc.stderr[-3000:])
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            out[df] = {"wall_seconds": time.perf_counter() - start, "cpu_seconds": got["cpu_seconds"],
                       "peak_rss_mib": got["peak_rss_mib"],
                       "cycles": {r["layer"]: r["compute_cycles"] for r in got["layers"]}}
        return out, "measured in this run"
    if not REFERENCE.exists():
        raise SystemExit(f"no SCALE-Sim: give --scalesim-python, or create {REFERENCE} (tools/scalesim_reference.py)")
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    speed = data["header"]["speed_alexnet_12x14"]
    out = {}
    for df in (d for d in DATAFLOWS if d in speed):  # a run not finished when the file was written is absent
        cycles = {c["layer"]["name"]: c["compute_cycles"] for c in data["cases"]
                  if c["array"] == [12, 14] and c["dataflow"] == df and c["layer"]["name"].startswith("CONV")}
        out[df] = {**{k: speed[df][k] for k in ("wall_seconds", "cpu_seconds", "peak_rss_mib")}, "cycles": cycles}
    return out, f"from {REFERENCE.relative_to(ROOT)} ({data['header']['date']}; {speed['conditions']})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scalesim-python", help="a Python that imports scalesim 3.0.0 (run SCALE-Sim in this run)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(accelsim_child(args.child)))
        return 0
    ours = {df: _child(df) for df in DATAFLOWS}
    theirs, how = _scalesim(args.scalesim_python)
    print("AlexNet CONV1-5, 12x14, --mapping scalesim --conventions scalesim, cycle engine vs SCALE-Sim 3.0.0")
    print(f"SCALE-Sim times {how}\n")
    head = (f"{'dataflow':8} {'SCALE-Sim wall s':>16} {'CPU s':>8} {'RSS MiB':>8} | {'accelsim s':>10} {'CPU s':>7} "
            f"{'compile s':>9} {'RSS MiB':>8} | {'speed-up (wall)':>15} {'(CPU)':>7}  cycles equal  outputs checked")
    print(head)
    print("-" * len(head))
    total_theirs = total_cpu = total_ours = total_ours_cpu = 0.0
    for df in DATAFLOWS:
        if df not in theirs:
            o = ours[df]
            checked = all(r["verified"] for r in o["layers"])
            print(f"{df:8} {'(not in the reference file)':>34} | {o['run_seconds']:10.2f} {o['cpu_seconds']:7.2f} "
                  f"{o['compile_seconds']:9.1f} {o['peak_rss_mib']:8.0f} | {'':15} {'':7}  {'':>12}  "
                  f"{'yes' if checked else 'NO':>15}")
            continue
        t, o = theirs[df], ours[df]
        same = all(t["cycles"].get(r["layer"]) == r["cycles"] for r in o["layers"])
        checked = all(r["verified"] for r in o["layers"])
        print(f"{df:8} {t['wall_seconds']:16.1f} {t['cpu_seconds']:8.1f} {t['peak_rss_mib']:8.0f} | "
              f"{o['run_seconds']:10.2f} {o['cpu_seconds']:7.2f} {o['compile_seconds']:9.1f} "
              f"{o['peak_rss_mib']:8.0f} | "
              f"{t['wall_seconds'] / o['run_seconds']:14.0f}x {t['cpu_seconds'] / o['cpu_seconds']:6.0f}x  "
              f"{'yes' if same else 'NO':>12}  {'yes' if checked else 'NO':>15}")
        total_theirs += t["wall_seconds"]
        total_cpu += t["cpu_seconds"]
        total_ours += o["run_seconds"]
        total_ours_cpu += o["cpu_seconds"]
    if not total_ours:
        return 0
    rss = max(o["peak_rss_mib"] for o in ours.values())
    print(f"{'all':8} {total_theirs:16.1f} {total_cpu:8.1f} {'':8} | {total_ours:10.2f} {total_ours_cpu:7.2f} {'':9} "
          f"{rss:8.0f} | {total_theirs / total_ours:14.0f}x {total_cpu / total_ours_cpu:6.0f}x")
    print(f"\ntargets: >= {TARGET_RATIO:.0f}x SCALE-Sim's wall time (CPU-time ratio, CPU over CPU, shown too: on a "
          f"loaded machine SCALE-Sim's wall time waits for a CPU), < {TARGET_RSS_MIB:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
