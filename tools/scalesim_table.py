"""Print the README's per-layer SCALE-Sim table: SCALE-Sim 3.0.0 vs accelsim on SCALE-Sim's
mapping, and the mapper's own best mapping beside them (issue 14).

For one array (default 12×14) and os, ws, is: AlexNet CONV1–5 as SCALE-Sim ran them
(``tests/data/scalesim_reference.json``, written by ``tools/scalesim_reference.py``: padded H/W,
the grouped layers entered per group) are imported through ``accelsim import scalesim``'s
functions from the very config and topology text the reference runs gave SCALE-Sim
(``tools/scalesim_reference.py``'s ``CONFIG`` and ``topology_text``), and run as a user would:

* ``--mapping scalesim --conventions scalesim``: accelsim's ``cycles`` and SRAM ifmap / filter
  reads beside SCALE-Sim's compute cycles and SRAM reads (their difference in %);
* ``--objective cycles --conventions scalesim`` (no ``--mapping``): the mapper's best mapping,
  scored and run under the same conventions, and its ``cycles``;
* under accelsim's own conventions (no ``--conventions``: a fold pays the fill and drain of the
  rows and columns it uses, folds are timed by the engine): ``--mapping scalesim`` and the
  mapper's best (``--objective cycles``), their ``cycles`` and the mapper's speed-up.

``--engine cycle`` (default) runs the cycle-level engine (real values moved and multiplied;
every output checked against the numpy convolution — a mismatch aborts the table);
``--engine analytic`` the closed-form engine, which reports the same counts and, under
SCALE-Sim's timing convention, the same cycles (``tests/test_scalesim_parity.py``).
A case missing from the reference file prints ``—`` on SCALE-Sim's side.

Run from the repository root: ``python tools/scalesim_table.py [--array 12x14] [--engine cycle]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tools"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from accelsim.io.presets import load_hardware, load_workload  # noqa: E402
from accelsim.io.scalesim import scalesim_to_yaml  # noqa: E402
from accelsim.layout import READS  # noqa: E402
from accelsim.search.im2col import scalesim_mapping  # noqa: E402
from accelsim.search.mapper import BUDGETS, BudgetSize, best_mapping  # noqa: E402
from accelsim.sim.conventions import with_conventions  # noqa: E402
from accelsim.sim.evaluate import evaluate  # noqa: E402
from accelsim.spec.dims import DataType, Level  # noqa: E402
from scalesim_reference import ALEXNET, CONFIG, SRAM_KB, topology_text  # noqa: E402  (what SCALE-Sim ran)

REFERENCE = ROOT / "tests" / "data" / "scalesim_reference.json"
DATAFLOWS = ("os", "ws", "is")


def _sram_reads(res, mapping, dtype: DataType) -> int:
    """Words of ``dtype`` read by the level that feeds the array (the GLB, or DRAM when bypassed)."""
    level = Level.GLB if mapping.glb[dtype] is not None else Level.DRAM
    return int(res.counts[level, dtype, READS])


def rows_for(rows: int, cols: int, engine: str) -> list[dict]:
    """One dict per (dataflow, layer): SCALE-Sim's numbers, ours on its mapping, the mapper's."""
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    cases = {(c["dataflow"], c["layer"]["name"]): c for c in reference["cases"]
             if c["array"] == [rows, cols] and c["set"] == "alexnet"}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        topo = root / "alexnet.csv"
        topo.write_text(topology_text(ALEXNET))
        for df in DATAFLOWS:
            cfg = root / f"{df}.cfg"
            cfg.write_text(CONFIG.format(run_name="table", rows=rows, cols=cols, kb=SRAM_KB, df=df))
            wl_text, hw_text = scalesim_to_yaml(topo, cfg)
            (root / "wl.yaml").write_text(wl_text)
            (root / "hw.yaml").write_text(hw_text)
            workload = load_workload(root / "wl.yaml")
            own = load_hardware(root / "hw.yaml")
            own = replace(own, precision=replace(own.precision, psum_bits=64))  # exact outputs: nothing wraps
            hw = with_conventions(own, "scalesim")
            dataflow = f"sys-{df}"
            for layer in workload.layers:
                theirs = cases.get((df, layer.name))
                ss_map = scalesim_mapping(layer, dataflow, rows, cols, hw=hw)
                ours = evaluate(layer, hw, dataflow, engine, ss_map)
                best = best_mapping(layer, hw, dataflow, "cycles", BUDGETS[BudgetSize.DEFAULT])
                mine = evaluate(layer, hw, dataflow, engine, best.mapping)
                ss_own = evaluate(layer, own, dataflow, engine, scalesim_mapping(layer, dataflow, rows, cols, hw=own))
                own_best = best_mapping(layer, own, dataflow, "cycles", BUDGETS[BudgetSize.DEFAULT])
                mine_own = evaluate(layer, own, dataflow, engine, own_best.mapping)
                runs = (ours, mine, ss_own, mine_own)
                if engine == "cycle" and not all(r.timing.verified for r in runs):
                    raise SystemExit(f"{df} {layer.name}: outputs differ from the reference convolution")
                out.append({
                    "dataflow": df, "layer": layer.name,
                    "ss_cycles": theirs and theirs["compute_cycles"], "cycles": ours.cycles,
                    "ss_ifmap": theirs and theirs["ifmap_sram_reads"],
                    "ifmap": _sram_reads(ours, ss_map, DataType.IFMAP),
                    "ss_filter": theirs and theirs["filter_sram_reads"],
                    "filter": _sram_reads(ours, ss_map, DataType.FILTER),
                    "mapper_cycles": mine.cycles, "mapper_pes": mine.active_pes,
                    "own_ss_cycles": ss_own.cycles, "own_mapper_cycles": mine_own.cycles,
                    "own_mapper_pes": mine_own.active_pes,
                })
    return out


def _pct(ours: int, theirs: int | None) -> str:
    if theirs is None:
        return "—"
    return "0" if ours == theirs else f"{100 * (ours - theirs) / theirs:+.2f} %"


def markdown(rows: list[dict]) -> str:
    """The README table."""
    lines = ["| | | SCALE-Sim's conventions | | | | | | accelsim's conventions | | |",
             "| dataflow | layer | SCALE-Sim cycles | accelsim cycles | SRAM ifmap reads (SCALE-Sim / accelsim) "
             "| SRAM filter reads (SCALE-Sim / accelsim) | difference | mapper's best: cycles (PEs) "
             "| SCALE-Sim's mapping: cycles | mapper's best: cycles (PEs) | speed-up |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]

    def num(x):
        return "—" if x is None else f"{x:,}"

    for r in rows:
        diffs = {_pct(r[k], r[f"ss_{k}"]) for k in ("cycles", "ifmap", "filter")}
        diff = "—" if "—" in diffs else ("0 (exact)" if diffs == {"0"} else ", ".join(sorted(diffs)))
        lines.append(f"| {r['dataflow']} | {r['layer']} | {num(r['ss_cycles'])} | {num(r['cycles'])} "
                     f"| {num(r['ss_ifmap'])} / {num(r['ifmap'])} | {num(r['ss_filter'])} / {num(r['filter'])} "
                     f"| {diff} | {num(r['mapper_cycles'])} ({r['mapper_pes']}) "
                     f"| {num(r['own_ss_cycles'])} | {num(r['own_mapper_cycles'])} ({r['own_mapper_pes']}) "
                     f"| {r['own_ss_cycles'] / r['own_mapper_cycles']:.2f}× |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--array", default="12x14", help="ROWSxCOLS (a reference array: 12x14, 16x16, 32x32)")
    ap.add_argument("--engine", choices=("cycle", "analytic"), default="cycle")
    args = ap.parse_args(argv)
    rows, cols = (int(x) for x in args.array.lower().split("x"))
    table = rows_for(rows, cols, args.engine)
    print(markdown(table))
    total = sum(r["cycles"] for r in table) / sum(r["mapper_cycles"] for r in table)
    own = sum(r["own_ss_cycles"] for r in table) / sum(r["own_mapper_cycles"] for r in table)
    print(f"\n{args.array}, {args.engine} engine; total speed-up of the mapper's mappings over SCALE-Sim's: "
          f"{total:.2f}× (SCALE-Sim's conventions), {own:.2f}× (accelsim's); "
          f"largest difference from SCALE-Sim: {_largest(table)}")
    return 0


def _largest(table: list[dict]) -> str:
    worst = 0.0
    for r in table:
        for k in ("cycles", "ifmap", "filter"):
            if r[f"ss_{k}"] is not None:
                worst = max(worst, abs(r[k] - r[f"ss_{k}"]) / r[f"ss_{k}"])
    return "0 (every number equal)" if worst == 0 else f"{100 * worst:.3f} %"


if __name__ == "__main__":
    sys.exit(main())
