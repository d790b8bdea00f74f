"""Import every Timeloop case in a folder and print a table: imported (levels, MACs) or refused (why).

Each case is a folder holding a Timeloop architecture, problem and (optionally) mapping file and
an ``ERT_summary.yaml`` (the layout of the Timeloop reference cases of issue 15). Files are
found by their top-level key (``architecture:``, ``problem:``, ``mapping:``); Timeloop's own
outputs (``flattened_architecture``, ``parsed-processed-input``, ``defined_input``) and
architectures marked ``HEAD-`` are skipped. Every imported set is loaded back
(``load_workload`` / ``load_hardware`` / ``load_mapping``); with ``--run`` the analytic engine
runs it and the MACs are compared with the problem's.

With ``--run``, when the case holds Timeloop's ``*.stats.txt``, the tile each GLB and RF keeper
holds in accelsim (the analytic kernel's words per data type) is compared with Timeloop's
"Utilized capacity" of that level and data space, and every per-level, per-data-space count of
:func:`accelsim.sim.timeloop_semantics.timeloop_stats` under the case's era (``2024*`` folders:
``timeloop-2024``, else ``timeloop-2020``) with the stats' partition size, utilized capacity,
utilized instances, scalar reads, fills and updates.

With ``--cycle``, the cycle engine runs each imported mapping whole, with real data: the line
says whether its output is the reference convolution (``verified``), whether its counts equal
the analytic engine's, and its wall time; cases above ``--cycle-max-macs`` (default 2e9: the
2019 eyeriss256 layer's 59 G MACs did not finish in 20 minutes on a shared 2-core machine) are
skipped, saying so.

With ``--constraints``, the case's Timeloop constraints files (top key ``mapspace_constraints``,
``architecture_constraints`` or ``constraints``; a v0.4 architecture's node constraints join
them) are read as accelsim constraints (:mod:`accelsim.io.timeloop_constraints`): the line says
whether they translate (pins per kind) or are refused (why), whether the case's Timeloop-chosen
mapping meets every pin (or which it breaks), and whether accelsim's ``rs`` mapper can search
under them (the import's own check).

Usage: ``python tools/timeloop_import_all.py CASES_DIR [--run] [--cycle [--cycle-max-macs N]] [--constraints]
[--out DIR]``
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from accelsim.errors import AccelsimError
from accelsim.io.presets import load_hardware, load_mapping, load_workload
from accelsim.io.timeloop import import_timeloop

_SKIP = ("flattened_architecture", "parsed-processed", "defined_input", "HEAD-")


def _top_key(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r"^([A-Za-z_]+):", text, re.MULTILINE)
    return match.group(1) if match else None


def find_files(case: Path) -> dict[str, Path | None]:
    """The case's architecture, problem, mapping and ERT summary (``None``: absent)."""
    from accelsim.io.timeloop_constraints import FILE_KEYS

    found: dict[str, list[Path]] = {"architecture": [], "problem": [], "mapping": []}
    constraints = []
    for path in sorted(case.glob("*.yaml")):
        if any(s in path.name for s in _SKIP):
            continue
        top = _top_key(path)
        if top in found:
            found[top].append(path)
        elif top in FILE_KEYS:
            constraints.append(path)
    ert = sorted(case.glob("*ERT_summary.yaml")) + sorted(case.glob("ERT_summary.yaml"))
    out: dict = {k: (v[0] if v else None) for k, v in found.items()}
    out["ert"] = ert[0] if ert else None
    out["constraints"] = constraints
    return out


def constraints_line(files: dict, result) -> str:
    """The case's constraints as accelsim's: translated or refused, met by Timeloop's chosen
    mapping, searchable by accelsim's rs mapper."""
    from accelsim.io.timeloop_constraints import check_dataflow, read_constraints

    paths = [str(p) for p in files["constraints"]]
    if not paths and not result.arch.node_constraints:
        return "constraints: none"
    names = ", ".join(Path(p).name for p in paths) or "the architecture's nodes"
    try:
        got = read_constraints(paths, result.arch, result.problem)
    except AccelsimError as exc:
        return f"constraints ({names}): refused: {exc}"
    c = got.constraints
    text = f"constraints ({names}): {len(c.factors)} factor pins, {len(c.orders)} orders, {len(c.keeps)} residences"
    if result.mapping is not None:
        layer = result.problem.layer
        bad = c.violations(result.mapping.mapping, layer.loop_bounds(), result.arch.compute.instances)
        text += "; Timeloop's map meets them" if not bad else f"; Timeloop's map breaks {', '.join(bad)}"
    try:
        check_dataflow(got, result.problem, "rs")
        text += "; the rs mapper can search under them"
    except AccelsimError as exc:
        text += f"; refused at import: {exc.message}"
    return text


_STATS_LEVEL = re.compile(r"^=== (\S+) ===$")
_STATS_SPACE = re.compile(r"^    (Weights|Inputs|Outputs):$")
_STATS_CAP = re.compile(r"^\s+Utilized capacity\s*: (\d+)$")
_STATS_FIELDS = {"Partition size": "partition_size", "Utilized capacity": "utilized_capacity",
                 "Utilized instances (max)": "instances", "Scalar reads (per-instance)": "reads",
                 "Scalar fills (per-instance)": "fills", "Scalar updates (per-instance)": "updates"}
_STATS_FIELD = re.compile(r"^\s+(.+?)\s*: (\d+)$")


def stats_counts(path: Path) -> dict[tuple[str, str], dict[str, int]]:
    """``(level, data space) → {partition_size, utilized_capacity, instances, reads, fills,
    updates}`` from a Timeloop ``stats.txt`` (the storage levels, not the networks)."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    level = space = None
    for line in path.read_text(encoding="utf-8").split("\nNetworks\n")[0].splitlines():
        if m := _STATS_LEVEL.match(line):
            level, space = m.group(1), None
        elif m := _STATS_SPACE.match(line):
            space = m.group(1)
        elif (m := _STATS_FIELD.match(line)) and level and space and m.group(1) in _STATS_FIELDS:
            out.setdefault((level, space), {})[_STATS_FIELDS[m.group(1)]] = int(m.group(2))
    return out


def compare_counts(case: Path, layer, hw, mapping, stats: Path) -> str:
    """Timeloop-semantics counts of the case's era against its ``stats.txt``."""
    from accelsim.sim.timeloop_semantics import Semantics, timeloop_stats

    era = Semantics.TIMELOOP_2024 if case.name.startswith("2024") else Semantics.TIMELOOP_2020
    ours = {(lv, sp): s.to_record() for lv, spaces in timeloop_stats(layer, hw, mapping, era).levels
            for sp, s in spaces}
    theirs = stats_counts(stats)
    same, diff = 0, []
    for key in sorted(set(ours) | set(theirs)):
        for name, want in theirs.get(key, {}).items():
            got = ours.get(key, {}).get(name)
            if got == want:
                same += 1
            else:
                diff.append(f"{key[0]}.{key[1]}.{name} {got} vs {want}")
    return (f"{era.value} counts = Timeloop's ({same})" if not diff
            else f"{era.value} counts differ: {', '.join(diff[:6])}")


def stats_capacities(path: Path) -> dict[tuple[str, str], int]:
    """``(level, data space) → Utilized capacity`` from a Timeloop ``stats.txt``."""
    out: dict[tuple[str, str], int] = {}
    level = space = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := _STATS_LEVEL.match(line):
            level, space = m.group(1), None
        elif m := _STATS_SPACE.match(line):
            space = m.group(1)
        elif (m := _STATS_CAP.match(line)) and level and space:
            out.setdefault((level, space), int(m.group(1)))
    return out


def compare_tiles(result, layer, stats: Path) -> str:
    """Accelsim's GLB / RF tile per data type against Timeloop's utilized capacity."""
    from accelsim.io.timeloop_mapping import Place
    from accelsim.io.timeloop_problem import SPACE_NAMES
    from accelsim.sim.counting import count_mapping
    from accelsim.spec.dims import DataType

    usage = count_mapping(result.mapping.mapping, layer, 0).usage
    theirs = stats_capacities(stats)
    same, diff = 0, []
    for row, place in ((0, Place.GLB), (1, Place.RF)):
        for t in DataType:
            keeper = result.mapping.keeper(place, t)
            want = theirs.get((keeper, SPACE_NAMES[t])) if keeper else None
            if want is None:
                continue
            if int(usage[row][t]) == want:
                same += 1
            else:
                diff.append(f"{keeper}.{SPACE_NAMES[t]} {int(usage[row][t])} vs {want}")
    return f"tiles = Timeloop's ({same})" if not diff else f"tiles differ: {', '.join(diff)}"


def run_cycle_engine(layer, hw, mapping, max_macs: float) -> str:
    """The cycle engine on the whole layer: verified output, counts = the analytic engine's, time."""
    import time

    from accelsim.drivers.simulate import simulate

    if layer.macs > max_macs:
        return f"cycle: skipped ({layer.macs:,} MACs > --cycle-max-macs {max_macs:.3g})"
    start = time.perf_counter()
    res = simulate(layer, hw, "rs", "cycle", mapping=mapping)
    seconds = time.perf_counter() - start
    verified = "verified" if res.timing.verified else "OUTPUT DIFFERS"
    counts = "counts = analytic" if res.timing.counts_match_analytic else "COUNTS DIFFER FROM ANALYTIC"
    return f"cycle: {verified}, {counts}, {res.cycles:,} cycles, {seconds:.1f} s"


def import_case(case: Path, out: Path, run: bool, cycle: bool = False, max_macs: float = 2e9,
                constraints: bool = False) -> tuple[str, str]:
    """``(status, detail)`` for one case folder."""
    files = find_files(case)
    if files["architecture"] is None or files["problem"] is None:
        return "skipped", "no architecture or problem file"
    try:
        result = import_timeloop(str(files["architecture"]), str(files["problem"]),
                                 str(files["mapping"]) if files["mapping"] else None,
                                 str(files["ert"]) if files["ert"] else None)
        where = out / case.name
        where.mkdir(parents=True, exist_ok=True)
        for name, text in result.files.items():
            (where / name).write_text(text, encoding="utf-8")
        names = list(result.files)
        wl = load_workload(where / names[1])
        hw = load_hardware(where / names[0])
        detail = f"{result.problem.kind}, {hw.pe_rows}x{hw.pe_cols} PEs"
        if constraints:
            detail += "; " + constraints_line(files, result)
        if result.mapping is None:
            return "imported", detail + ", no mapping"
        batch = result.problem.layer.N
        mappings = load_mapping(where / names[2], wl, batch)
        levels = " ".join(f"{lv.name}:{lv.place.value}" for lv in result.mapping.levels)
        detail += f"; {levels}"
        if run:
            from accelsim.drivers.simulate import simulate

            layer = wl.layers[0].with_batch(batch)
            res = simulate(layer, hw, "rs", mapping=mappings[layer.name])
            same = "equal" if res.macs == layer.macs else f"ran {res.macs:,}"
            detail += f"; {layer.macs:,} MACs ({same}), {res.active_pes} PEs"
            stats = sorted(case.glob("*.stats.txt"))
            if stats:
                detail += "; " + compare_tiles(result, layer, stats[0])
                detail += "; " + compare_counts(case, layer, hw, mappings[layer.name], stats[0])
        if cycle:
            layer = wl.layers[0].with_batch(batch)
            detail += "; " + run_cycle_engine(layer, hw, mappings[layer.name], max_macs)
        return "imported", detail
    except AccelsimError as exc:
        return "refused", str(exc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", help="folder of case folders")
    ap.add_argument("--run", action="store_true", help="run each imported mapping (analytic engine)")
    ap.add_argument("--cycle", action="store_true", help="run each imported mapping on the cycle engine (real data)")
    ap.add_argument("--cycle-max-macs", type=float, default=2e9, help="skip larger layers with --cycle (default 2e9)")
    ap.add_argument("--constraints", action="store_true",
                    help="read each case's Timeloop constraints as accelsim's and check them")
    ap.add_argument("--out", help="where to write the imported files (default: a temporary folder)")
    args = ap.parse_args(argv)
    root = Path(args.cases)
    if not root.is_dir():
        print(f"no such folder: {root}", file=sys.stderr)
        return 2
    cases = sorted(p for p in root.iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp)
        rows = [(c.name, *import_case(c, out, args.run, args.cycle, args.cycle_max_macs, args.constraints))
                for c in cases]
    width = max(len(r[0]) for r in rows)
    print(f"{'case':{width}}  {'result':8}  detail")
    for name, status, detail in rows:
        print(f"{name:{width}}  {status:8}  {detail}")
    counts = {s: sum(1 for r in rows if r[1] == s) for s in ("imported", "refused", "skipped")}
    print(f"{len(rows)} cases: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
