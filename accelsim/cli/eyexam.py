"""``accelsim eyexam``: Eyexam's seven throughput bounds per layer (:mod:`accelsim.drivers.eyexam`)."""

from __future__ import annotations

from .common import EXIT_OK, announce_compile, check_output_path, kernel_groups, write_output


def eyexam_table(result) -> str:
    """Per layer, the seven bounds in MAC/cycle, the loss at each step (MAC/cycle and % of the
    step before) and its cause."""
    lines = []
    for lay in result.layers:
        lines.append(f"{lay.name}: {lay.macs:,} MACs on {result.hardware} ({lay.num_pes} PEs), "
                     f"{result.dataflow}, batch {result.batch}")
        lines.append(f"  {'step':<42} {'MAC/cycle':>14} {'loss':>22}  cause")
        prev = None
        for s in lay.steps:
            loss = ("" if prev is None else "0" if s.loss_macs_per_cycle <= 0 or not prev else
                    f"-{s.loss_macs_per_cycle:,.1f} ({100 * s.loss_macs_per_cycle / prev:.0f}%)")
            lines.append(f"  {int(s.step)} {s.name:<40} {s.macs_per_cycle:>14,.1f} {loss:>22}  {s.cause}")
            prev = s.macs_per_cycle
        lines.append("")
    return "\n".join(lines).rstrip()


def cmd_eyexam(args) -> int:
    from ..drivers.eyexam import eyexam
    from ..io.results import write_json
    from .main import _batch, _budget, _hardware, _mappings, _parse_array, _run_dataflow, _workload

    check_output_path(args.json, "--json")
    args.ragged = False
    budget = _budget(args)
    wl = _workload(args)
    hw = _hardware(args.hardware, _parse_array(args.array), args.energy)
    batch = _batch(args.batch, wl)
    dataflow = _run_dataflow(args, hw)
    mappings = _mappings(args, batch, dataflow, hw)
    flat = any(m.flat_groups for m in mappings.values()) or dataflow.value.startswith("sys-")
    announce_compile(kernel_groups(args.engine, search=len(mappings) < len(wl.layers), flat=flat))
    result = eyexam(wl, hw, dataflow, batch, mappings=mappings, budget=budget, engine=args.engine)
    print(eyexam_table(result))
    if args.json:
        write_output(lambda p: write_json(result.to_dict(), p), args.json, "--json")
        print(f"results written to {args.json}")
    return EXIT_OK


def add_parsers(sub) -> None:
    """The ``eyexam`` subcommand."""
    ey = sub.add_parser("eyexam", help="Eyexam: a layer's throughput as seven successive bounds (MAC/cycle)")
    ey.add_argument("workload", help="workload preset (alexnet, vgg16, ...) or YAML file")
    ey.add_argument("--layers", required=True, help="comma-separated layer names (each runs the cycle engine)")
    ey.add_argument("--hardware", default="eyeriss", help="hardware preset or YAML path (default eyeriss)")
    ey.add_argument("--dataflow", help="default: the hardware file's dataflow, else rs")
    ey.add_argument("--force-dataflow", action="store_true",
                    help="run --dataflow even where the hardware file names another dataflow")
    ey.add_argument("--array", help="resize the PE array, ROWSxCOLS")
    ey.add_argument("--batch", type=int, default=1, help="batch size (default 1)")
    ey.add_argument("--energy", help="what prices the accesses (as accelsim run; does not change the bounds)")
    ey.add_argument("--mapping", help="the mapping of steps 5-7 (a mapping file or preset; default: the mapper's)")
    ey.add_argument("--budget", default="quick",
                    help="mapper effort for steps 5-7: quick (default), default or thorough, or samples=N,climb=N,"
                         "starts=N")
    ey.add_argument("--seed", type=int, help="mapper seed")
    ey.add_argument("--engine", choices=("cycle", "analytic"), default="cycle",
                    help="the engine whose throughput is step 7 (default cycle; analytic: step 7 = step 6)")
    ey.add_argument("--json", help='write {"layers": [{"name", "steps": [{"step", "name", "macs_per_cycle", '
                                   '"cause"}, ...]}]} here')
    ey.set_defaults(func=cmd_eyexam)
