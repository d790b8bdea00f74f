"""``accelsim sweep`` and ``accelsim import`` (design-space sweeps, model import)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from ..errors import SpecError
from .common import (EXIT_INTERRUPTED, announce_compile, check_output_path, infeasible_exit, kernel_groups,
                     parse_budget, write_output)


def _case_status(records: list[dict]) -> dict[str, str]:
    """case id → ``ok``, or the first non-ok status of its layers."""
    out: dict[str, str] = {}
    for rec in records:
        if out.get(rec["case"], "ok") == "ok":
            out[rec["case"]] = rec["status"]
    return out


def _on_disk(out: Path) -> set[str]:
    from ..io.sweepstore import is_sweep_dir, read_sweep

    if not is_sweep_dir(out):
        return set()
    records, _ = read_sweep(out)
    return {r["case"] for r in records}


def _summary(records: list[dict], n_cases: int, resumed: int, out: Path) -> str:
    status = _case_status(records)
    counts = Counter(status.values())
    failed = n_cases - counts.get("ok", 0)
    lines = [f"{n_cases} cases ({n_cases - resumed} run now, {resumed} already in {out}): "
             f"{counts.get('ok', 0)} ok, {failed} with failed layers"
             + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "ok") + ")" if failed else "")]
    sources = list(dict.fromkeys(r["energy_source"] for r in records if r.get("energy_source")))
    if sources:
        more = f" and {len(sources) - 3} more" if len(sources) > 3 else ""
        lines.append(f"energy: {'; '.join(sources[:3])}{more}")
    reasons = Counter(r["reason"] for r in records if r["status"] != "ok")
    for reason, n in reasons.most_common(3):
        lines.append(f"  {n} layer(s): {reason[:160]}")
    lines.append(f"records: {out / 'records.csv'} ({len(records)} rows); components: {out / 'components.csv'}")
    return "\n".join(lines)


def _with_budget(spec, budget_text: str | None, seed: int | None):
    """The sweep with ``--budget`` / ``--seed`` applied; refused where the file's ``budget:``
    sets the same keys (the file is the record of what a sweep ran: its budget is part of every
    case id)."""
    from dataclasses import asdict, replace

    from ..search.mapper import Budget

    given: dict = {}
    if budget_text is not None:
        effort = asdict(parse_budget(budget_text, None))
        given.update((key, effort[key]) for key in ("samples", "climb", "starts"))
    if seed is not None:
        given["seed"] = parse_budget(None, seed).seed
    in_file = dict(spec.budget)
    for option, keys in (("--budget", ("samples", "climb", "starts")), ("--seed", ("seed",))):
        clash = [key for key in keys if key in given and key in in_file]
        if clash:
            raise SpecError(f"the sweep file {spec.origin} sets budget.{clash[0]}: change it there (a sweep's "
                            f"budget is part of its case ids) or drop {option}", option)
    merged = {**in_file, **given}
    if not given or (not in_file and Budget(**merged) == Budget()):
        return spec  # the mapper's default budget: the same case ids as without the flags
    return replace(spec, budget=tuple(merged.items()))


def _check_scheduler(address: str) -> None:
    """Fail early on a string that is not a dask scheduler address (``tcp://host:8786``)."""
    try:
        from distributed.comm.addressing import get_address_host_port
    except ImportError:
        return  # sweep() says which extra to install
    try:
        get_address_host_port(address)
    except ValueError as exc:
        raise SpecError(f"expected a dask scheduler address such as tcp://host:8786, got {address!r} ({exc})",
                        "--scheduler") from None


def _in(path: str | None, directory: Path) -> bool:
    """Whether ``path`` is ``directory`` or lies under it."""
    if not path:
        return False
    resolved, top = Path(path).resolve(), directory.resolve()
    return resolved == top or top in resolved.parents


def cmd_sweep(args) -> int:
    from ..io.sweepfile import load_sweep
    from ..drivers.sweep import cases_from_spec, sweep

    if args.jobs == 0 or args.jobs < -1:
        raise SpecError(f"must be >= 1 (or -1: one worker per CPU), got {args.jobs}", "--jobs")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise SpecError(f"{out} exists and is not a directory", "--out")
    ancestor = next((d for d in out.parents if d.exists()), None)
    if ancestor is not None and not ancestor.is_dir():
        raise SpecError(f"cannot create {out}: {ancestor} is not a directory", "--out")
    if args.scheduler:
        _check_scheduler(args.scheduler)
    spec = _with_budget(load_sweep(args.file), args.budget, args.seed)
    cases = cases_from_spec(spec)
    ids = {c.id for c in cases}
    resumed = len(ids & _on_disk(out))
    where = f"on {args.scheduler}" if args.scheduler else f"{args.jobs} job(s)"
    print(f"sweep {spec.name or Path(args.file).stem}: {len(ids)} cases, {where}, results in {out}/"
          + (f" ({resumed} already done)" if resumed else ""), flush=True)
    announce_compile(kernel_groups("cycle" if any(c.engine == "cycle" for c in cases) else "analytic", search=True,
                                   padded=any(c.budget is not None and c.budget.ragged for c in cases)))
    try:
        records = sweep(cases, n_jobs=args.jobs, progress=not args.no_progress, out=out,
                        scheduler=args.scheduler)
    except SpecError as exc:
        if exc.field in ("scheduler", "out"):  # sweep()'s parameters are these options
            raise SpecError(exc.message, f"--{exc.field}") from None
        raise
    except OSError as exc:  # the results directory: not writable, full, a records.csv that is a directory
        if not (_in(exc.filename, out) or _in(getattr(exc, "filename2", None), out)):
            raise
        raise SpecError(f"cannot write the results: {exc.filename}: {exc.strerror or exc} (cases finished before "
                        f"are kept; rerun to resume)", "--out") from None
    except KeyboardInterrupt:
        done = len(ids & _on_disk(out))
        print(f"accelsim: interrupted; {done} of {len(ids)} cases are in {out}; run the same command to resume",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    print(_summary(records, len(ids), resumed, out))
    return infeasible_exit([r["status"] != "infeasible" for r in records], not args.fail_on_infeasible,
                           "infeasible cases are data: a sweep exits 0 on them without --fail-on-infeasible")


def cmd_import_scalesim(args) -> int:
    """``accelsim import scalesim TOPOLOGY.csv CONFIG.cfg -o DIR``: our workload and hardware YAML."""
    from ..io.schema import hardware_from_data, workload_from_data
    from ..io.presets import load_energy
    from ..io.scalesim import scalesim_to_yaml
    from ..io.yamlfile import parse_yaml

    if len(args.extra) != 2:
        raise SpecError("give the SCALE-Sim topology CSV and config file: "
                        "accelsim import scalesim topology.csv config.cfg -o DIR", "import scalesim")
    topology, config = args.extra
    wl_text, hw_text = scalesim_to_yaml(topology, config)
    wl = workload_from_data(parse_yaml(wl_text, topology), origin=topology)  # what we write must load back
    hw = hardware_from_data(parse_yaml(hw_text, config), load_energy, origin=config)
    out = Path(args.output)
    wl_path = out / f"{Path(topology).stem}.yaml"
    hw_path = out / f"{hw.name}.yaml"
    try:
        out.mkdir(parents=True, exist_ok=True)
        wl_path.write_text(wl_text, encoding="utf-8")
        hw_path.write_text(hw_text, encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot write {exc.filename or out}: {exc.strerror or exc}", "--output") from None
    print(f"workload {wl.name}: {len(wl.layers)} layers, {wl.macs:,} MACs -> {wl_path}")
    print(f"hardware {hw.name}: {hw.pe_rows}x{hw.pe_cols} systolic array, dataflow "
          f"{hw.dataflow.value if hw.dataflow else '-'} -> {hw_path}")
    print(f"run it: accelsim run {wl_path} --hardware {hw_path} --engine cycle   (the file's dataflow)")
    return 0


def cmd_import_accelergy(args) -> int:
    """``accelsim import accelergy ERT_summary.yaml [--arch ARCH] -o OUT.yaml``: a version-2 energy file."""
    from ..io.accelergy import energy_yaml, import_ert
    from ..io.schema import energy_from_data
    from ..io.yamlfile import parse_yaml
    from ..report import align_table
    from ..spec.dims import DataType, Level

    if len(args.extra) != 1:
        raise SpecError("give one Accelergy ERT summary: accelsim import accelergy ERT_summary.yaml "
                        "[--arch flattened_architecture.yaml] -o energy.yaml", "import accelergy")
    check_output_path(args.output, "--output")
    result = import_ert(args.extra[0], args.arch, args.map or (), args.noc_pj)
    name = args.name or Path(args.output).stem
    text = energy_yaml(result, name)
    energy_from_data(parse_yaml(text, args.output), origin=args.output)  # what we write must load back

    def write(path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")

    write_output(write, args.output, "--output")
    rows = []
    for s in result.slots:
        per = "" if s.width is None else str(s.width.words)
        rows.append([s.slot.label, s.component or "none", s.actions, per, f"{s.read:.6g}", f"{s.write:.6g}"])
    noc = result.costs.read(Level.NOC, DataType.IFMAP)
    rows.append(["NoC", "--noc-pj" if result.noc_pj is not None else "not in the ERT", "", "", f"{noc:.6g}", ""])
    print(f"Accelergy ERT summary {result.ert} (format {result.fmt.value})")
    print(align_table([["slot", "component", "ERT pJ/access", "words/access", "read pJ/word", "write pJ/word"],
                       *rows]))
    for line in result.assumptions:
        print(f"assumed one word per access: {line}")
    for comp, why in result.ignored:
        print(f"not used: {comp} ({why})")
    print(f"energy table {name} written to {args.output}")
    print(f"use it: accelsim run alexnet --energy {args.output}   "
          f"(or energy: {{preset: {args.output}}} in a hardware file)")
    return 0


def cmd_import_timeloop(args) -> int:
    """``accelsim import timeloop ARCH PROBLEM [MAPPING] [--ert ERT_summary.yaml] [--constraints C.yaml …] -o DIR``."""
    from ..io.presets import load_energy
    from ..io.schema import energy_from_data, hardware_from_data, mappings_from_data, workload_from_data
    from ..io.timeloop import import_timeloop
    from ..io.yamlfile import parse_yaml

    if len(args.extra) not in (2, 3):
        raise SpecError("give the Timeloop architecture and problem files, and optionally a mapping: accelsim "
                        "import timeloop arch.yaml problem.yaml [mapping.yaml] [--ert ERT_summary.yaml] "
                        "[--constraints C.yaml] -o DIR",
                        "import timeloop")
    arch, problem = args.extra[:2]
    result = import_timeloop(arch, problem, args.extra[2] if len(args.extra) == 3 else None, args.ert,
                             args.constraints)
    out = Path(args.output)
    names = list(result.files)
    texts = result.files
    # what we write must load back
    wl = workload_from_data(parse_yaml(texts[names[1]], names[1]), origin=names[1])
    energies = {n: energy_from_data(parse_yaml(t, n), origin=n) for n, t in texts.items() if "version: 2" in t}

    def preset(name: str):
        return energies[name] if name in energies else load_energy(name)

    hw = hardware_from_data(parse_yaml(texts[names[0]], names[0]), preset, origin=names[0])
    if result.mapping is not None:
        mappings_from_data(parse_yaml(texts[names[2]], names[2]), wl, result.problem.layer.N, origin=names[2])
    cons_name = names[-1] if result.constraints is not None else None
    if cons_name is not None:
        from ..io.schema import constraints_from_data
        from ..spec.dims import Dataflow

        constraints_from_data(parse_yaml(texts[cons_name], cons_name), wl, result.problem.layer.N,
                              [hw.dataflow or Dataflow.RS], origin=cons_name)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (out / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot write {exc.filename or out}: {exc.strerror or exc}", "--output") from None
    layer = result.problem.layer
    print(f"problem {result.problem.shape_name} ({result.problem.kind}): {result.problem.describe_names()}; "
          f"{layer.macs:,} MACs -> {out / names[1]}")
    print(f"hardware {hw.name}: {hw.pe_rows}x{hw.pe_cols} PEs -> {out / names[0]}")
    if result.mapping is not None:
        for lv in result.mapping.levels:
            keeps = ", ".join(sorted(t.label for t in lv.keeps)) or "-"
            print(f"  {lv.name:24} -> {lv.place.value:8} keeps {keeps}")
        print(f"mapping -> {out / names[2]}")
    for name in energies:
        print(f"energy table -> {out / name}")
    if cons_name is not None:
        c = result.constraints.constraints
        print(f"constraints ({', '.join(Path(s).name for s in result.constraints.sources)}): {len(c.factors)} "
              f"factor pins, {len(c.orders)} loop orders, {len(c.keeps)} residences"
              + (f", min utilization {c.min_utilization}" if c.min_utilization > 0 else "")
              + f" -> {out / cons_name}")
    for note in result.notes:
        print(f"note: {note}")
    batch = f" --batch {layer.N}" if layer.N > 1 else ""
    mapping = f" --mapping {out / names[2]}" if result.mapping is not None else ""
    constrained = f" --constraints {out / cons_name}" if cons_name is not None else ""
    print(f"run it: accelsim run {out / names[1]} --hardware {out / names[0]}{mapping}{constrained}{batch}")
    era = "timeloop-2024" if str(result.arch.version).startswith("0.4") else "timeloop-2020"
    print(f"(accelsim's own accounting; add --semantics {era} for Timeloop's counts of a Timeloop of this file "
          f"format's era, or --semantics accelsim,{era} for both side by side)")
    return 0


def cmd_import(args) -> int:
    if args.model == "timeloop":
        return cmd_import_timeloop(args)
    for option in ("ert", "constraints"):
        if getattr(args, option) is not None:
            raise SpecError("is an option of accelsim import timeloop", f"--{option}")
    if args.model == "accelergy":
        return cmd_import_accelergy(args)
    for option in ("arch", "map", "noc_pj"):
        if getattr(args, option) is not None:
            raise SpecError("is an option of accelsim import accelergy", f"--{option.replace('_', '-')}")
    if args.model == "scalesim":
        return cmd_import_scalesim(args)
    if args.extra:
        raise SpecError(f"unexpected arguments {' '.join(args.extra)}", "import")
    from ..io.onnx_import import skipped_summary, workload_from_onnx, workload_yaml
    from ..io.schema import workload_from_data
    from ..io.yamlfile import parse_yaml

    check_output_path(args.output, "--output")
    wl = workload_from_onnx(args.model, name=args.name, dilation=args.dilation)
    skipped = wl.meta.get("skipped_ops", ())
    skipped_line = (f"skipped {len(skipped)} ops with no MACs in this model: {skipped_summary(skipped)}"
                    if skipped else "")
    no_relu = "ifmap_zero_fraction: 0 marks layers no ReLU precedes (the run's default assumes half zeros)."
    text = workload_yaml(wl, comment=f"Imported from {Path(args.model).name} by `accelsim import`.\n"
                                     "H, W are padded ifmap sizes; FC layers are convs with H=R, W=S.\n"
                                     + (no_relu + "\n" if wl.ifmap_zero_fractions else "")
                                     + skipped_line)
    workload_from_data(parse_yaml(text, args.output), origin=args.output)  # what we write must load back
    out = Path(args.output)

    def write(path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")

    write_output(write, args.output, "--output")
    print(f"{'layer':24} {'M':>6} {'C':>6} {'H':>5} {'W':>5} {'R':>3} {'S':>3} {'U':>2} {'G':>5} {'MACs':>14}")
    for layer in wl.layers:
        print(f"{layer.name[:24]:24} {layer.M:>6} {layer.C:>6} {layer.H:>5} {layer.W:>5} {layer.R:>3} "
              f"{layer.S:>3} {layer.U:>2} {layer.G:>5} {layer.macs:>14,}")
    if skipped_line:
        print(skipped_line)
    if wl.ifmap_zero_fractions:
        print(f"no ReLU before {', '.join(n for n, _ in wl.ifmap_zero_fractions)}: ifmap_zero_fraction 0")
    print(f"{len(wl.layers)} layers, {wl.macs:,} MACs per image; workload written to {out}")
    return 0


def add_parsers(sub) -> None:
    """Register the ``sweep`` and ``import`` subcommands."""
    sw = sub.add_parser("sweep", help="run a design-space sweep file (resumable)")
    sw.add_argument("file", help="sweep YAML (see sweeps/)")
    sw.add_argument("--out", required=True, help="directory for records.csv and components.csv; "
                                                 "a rerun skips the cases already there; one sweep at a "
                                                 "time (a second is refused, exit 2)")
    sw.add_argument("--jobs", type=int, default=1, help="local worker processes (default 1; -1: one per CPU)")
    sw.add_argument("--scheduler", help="dask scheduler address (tcp://host:8786): run on that cluster "
                                        "(needs accelsim[dask]; --jobs is ignored)")
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    sw.add_argument("--budget", help="mapper effort when the file has no budget: quick, default, thorough or "
                                     "samples=N,climb=N,starts=N")
    sw.add_argument("--seed", type=int, help="mapper seed when the file's budget has none")
    sw.add_argument("--fail-on-infeasible", action="store_true",
                    help="exit 3 when a case has an infeasible layer (default: exit 0, they are recorded as data)")
    sw.set_defaults(func=cmd_sweep)

    im = sub.add_parser("import", help="make a workload YAML from an ONNX model (needs accelsim[onnx]), "
                                       "workload + hardware YAML from a SCALE-Sim run, an energy table "
                                       "from an Accelergy ERT summary, or hardware + workload + mapping "
                                       "from a Timeloop design")
    im.add_argument("model", help="the .onnx file, or the word scalesim, accelergy or timeloop")
    im.add_argument("extra", nargs="*", help="with scalesim: TOPOLOGY.csv CONFIG.cfg; with accelergy: "
                                             "ERT_summary.yaml; with timeloop: ARCH.yaml PROBLEM.yaml [MAPPING.yaml]")
    im.add_argument("-o", "--output", required=True,
                    help="workload YAML to write (ONNX), a directory (scalesim, timeloop), or the energy YAML "
                         "(accelergy)")
    im.add_argument("--name", help="workload name (default: the model's graph name); accelergy: the table's "
                                   "name (default: the output file's stem)")
    im.add_argument("--arch", help="accelergy: the architecture the ERT was made for (Timeloop's "
                                   "flattened_architecture.yaml, or a v0.2/v0.3 tree): words per access "
                                   "(default: one word per access, said in the file)")
    im.add_argument("--map", action="append", metavar="SLOT=COMPONENT",
                    help="accelergy: which ERT component an accelsim cost comes from, e.g. RF.ifmap=ifmap_spad, "
                         "RF=pe_spad, GLB=shared_glb, MAC=MACC, GLB=none (cost 0); repeatable; overrides the "
                         "name heuristics")
    im.add_argument("--noc-pj", type=float, help="accelergy: energy per word delivered by the NoC, pJ "
                                                 "(default 0: the ERT has no network energy)")
    im.add_argument("--ert", help="timeloop: an Accelergy ERT_summary.yaml, written as a version-2 energy file "
                                  "the hardware file uses")
    im.add_argument("--constraints", action="append", metavar="CONSTRAINTS.yaml",
                    help="timeloop: a Timeloop constraints file (mapspace_constraints / architecture_constraints; "
                         "repeatable; a v0.4 architecture's node constraints join them), written as an accelsim "
                         "constraints file for run --constraints")
    im.add_argument("--dilation", default="reject", choices=["reject", "split"],
                    help="dilated convs: reject (default) or split into undilated phase convs")
    im.set_defaults(func=cmd_import)
