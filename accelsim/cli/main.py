"""Command line: ``accelsim run | compare | list | mapping | validate | plot | eyexam``.

Every user error (bad file, unknown name, impossible shape, a mapping that does not fit) is
printed as one line and exits with code 2; a layer with no legal mapping exits with 3 after the
results are printed and written, unless ``--allow-infeasible`` (``cli/common.py``, ``EXIT_*``).
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from ..errors import AccelsimError, SpecError
from .common import (EXIT_INFEASIBLE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, MAX_SEED, announce_compile,
                     check_output_path, check_plot_path, infeasible_exit, kernel_groups, parse_budget, save_plot,
                     write_output)



class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parse_array(text: str | None):
    if text is None:
        return None
    try:
        rows, cols = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SpecError(f"expected ROWSxCOLS such as 12x14, got {text!r}", "--array") from None
    if rows < 1 or cols < 1:
        raise SpecError(f"rows and cols must be >= 1, got {text!r}", "--array")
    from ..io.schema import MAX_INT

    if rows > MAX_INT or cols > MAX_INT:
        raise SpecError(f"rows and cols must be <= {MAX_INT}, got {text!r}", "--array")
    return rows, cols


def _workload(args):
    from ..io.presets import load_workload

    wl = load_workload(args.workload)
    if args.layers:
        wl = wl.select([n.strip() for n in args.layers.split(",") if n.strip()])
    return wl


def _mappings(args, batch: int, dataflow, hw) -> dict:
    """``--mapping``: the file's mappings, read against the whole workload (``--layers`` may
    select fewer layers than the file maps); ``{}`` without the option. They must be mappings of
    the run's ``dataflow`` (on ``hw``)."""
    from ..io.presets import load_mapping, load_workload

    if not args.mapping:
        return {}
    if str(args.mapping).lower() == "scalesim":  # generated for this workload, dataflow and array
        from ..search.im2col import scalesim_mappings

        return scalesim_mappings(load_workload(args.workload), batch, dataflow, hw)
    try:
        mappings = load_mapping(args.mapping, load_workload(args.workload), batch)
    except AccelsimError as exc:  # an unknown preset or a missing file: name the option
        if exc.field is not None:
            raise
        raise type(exc)(exc.message, "--mapping") from None
    other = sorted({m.dataflow for m in mappings.values()} - {dataflow.value})
    if other:
        force = " --force-dataflow" if hw.dataflow is not None and hw.dataflow.value != other[0] else ""
        raise SpecError(f"the --mapping file maps the {other[0]} dataflow, this run is {dataflow.value}; "
                        f"add --dataflow {other[0]}{force}", "--dataflow")
    return mappings


def _constraints(args, batch: int, dataflows) -> dict:
    """``--constraints``: per layer, the partial mapping the mapper completes, read against the
    whole workload and checked under every dataflow of the run; ``{}`` without the option."""
    from ..io.presets import load_constraints, load_workload

    if not args.constraints:
        return {}
    try:
        return load_constraints(args.constraints, load_workload(args.workload), batch, dataflows)
    except AccelsimError as exc:  # a missing file: name the option
        if exc.field is not None:
            raise
        raise type(exc)(exc.message, "--constraints") from None


def _hardware(name: str, array, energy: str | None = None, option: str = "--hardware", conventions: str | None = None):
    """A hardware preset or file, resized to ``array``, priced by ``energy`` (``--energy``:
    ``model``, ``model:NM``, ``hardware`` or a table preset or file,
    :func:`accelsim.io.energychoice.parse_energy_choice`; ``None``: the hardware file's own) and
    counted and timed by ``conventions`` (``--conventions``,
    :func:`accelsim.sim.conventions.with_conventions`; ``None``: the file's flags)."""
    from ..io.energychoice import parse_energy_choice
    from ..io.presets import load_hardware

    try:
        hw = load_hardware(name)
    except SpecError as exc:  # an unknown preset or a missing file: name the option
        if exc.field is not None:
            raise
        raise SpecError(exc.message, option) from None
    if energy:
        hw = parse_energy_choice(energy, field="--energy").apply(hw)
    if conventions:
        from ..sim.conventions import with_conventions

        hw = with_conventions(hw, conventions)
    return hw.with_array(*array) if array else hw


def _run_groups(wl, batch: int, mappings: dict, engine: str, ragged: bool) -> set:
    """The kernel groups a run of ``wl`` at ``batch`` calls: the mapper for layers without a
    given mapping, counting of the given mappings (perfect, padded: imperfect factorisations, or
    flattened: the flat-counting kernel), padded counting for ``ragged`` searches."""
    layers = wl.with_batch(batch).layers
    ours = [(layer, mappings[layer.name]) for layer in layers if layer.name in mappings]
    given = [m.is_padded(layer.loop_bounds()) for layer, m in ours if not m.flat_groups]
    return kernel_groups(engine, search=len(ours) < len(layers), perfect=not all(given), padded=ragged or any(given),
                         flat=any(m.flat_groups for _, m in ours))


def _batch(value: int, wl) -> int:
    """``--batch``: from 1 to ``MAX_INT``, and small enough for every layer of ``wl`` to be counted."""
    from ..io.schema import MAX_INT, check_layer_size

    if value < 1:
        raise SpecError(f"must be >= 1, got {value}", "--batch")
    if value > MAX_INT:
        raise SpecError(f"must be <= {MAX_INT}, got {value}", "--batch")
    for layer in wl.layers:
        check_layer_size(layer, "--batch", batch=value)
    return value


def _dataflow(name: str, option: str):
    """Parse a dataflow name given on the command line, naming the option on error."""
    from ..dataflows import parse_dataflow

    try:
        return parse_dataflow(name)
    except SpecError as exc:
        raise SpecError(exc.message, option) from None


def _run_dataflow(args, hw):
    """The dataflow of a ``run`` or ``mapping show``: ``--dataflow``, else the hardware file's
    ``dataflow:``, else rs. A ``--dataflow`` other than the hardware file's is an error unless
    ``--force-dataflow``, and then a printed ``override:`` line."""
    from ..spec.dims import Dataflow

    if args.dataflow is None:
        if args.force_dataflow:
            raise SpecError("give the dataflow to run with --dataflow NAME", "--force-dataflow")
        return hw.dataflow or Dataflow.RS
    dataflow = _dataflow(args.dataflow, "--dataflow")
    if hw.dataflow is None or dataflow is hw.dataflow:
        return dataflow
    own = hw.dataflow.value
    if not args.force_dataflow:
        raise SpecError(f"{dataflow.value} conflicts with the hardware file of {hw.name} (dataflow: {own}); run "
                        f"{own} (--dataflow {own}, or no --dataflow) or add --force-dataflow to run {dataflow.value} "
                        "on it anyway", "--dataflow")
    print(f"override: dataflow {dataflow.value} on {hw.name}, whose hardware file says {own} (--force-dataflow)")
    return dataflow


def _jobs(value: int) -> int:
    if value == 0 or value < -1:
        raise SpecError(f"must be >= 1 (or -1: one worker per CPU), got {value}", "--jobs")
    return value


def _save_mappings(path: str, workload, dataflow, batch: int, results, hw_name: str, mesh: bool = False) -> None:
    """``--save-mappings``: the mappings of the layers that ran, as a mapping file (on a
    hierarchical mesh, ``mesh``, each with the NoC modes its loops imply)."""
    from ..io.mappingfile import mapping_document, write_mapping_file

    done = {r.layer.name: r.mapping for r in results if r.ok and r.mapping is not None}
    skipped = [r.layer.name for r in results if r.layer.name not in done]
    doc = mapping_document(workload.name, dataflow.value, batch, done,
                           source=f"accelsim {dataflow.value} mappings on {hw_name}, batch {batch}", noc_modes=mesh)
    write_output(lambda p: write_mapping_file(p, doc), path, "--save-mappings")
    note = f" ({', '.join(skipped)} did not run and are left out)" if skipped else ""
    print(f"mappings of {len(done)} layers written to {path}{note}")


def _zero_fraction(text: str | None) -> float | None:
    """``--zero-fraction``: a number in [0, 1]."""
    if text is None:
        return None
    from ..sim.activations import check_zero_fraction

    try:
        value = float(text)
    except ValueError:
        raise SpecError(f"expected a number in [0, 1] such as 0.6, got {text!r}", "--zero-fraction") from None
    return check_zero_fraction(value, "--zero-fraction")


def _first_layer(args) -> str:
    """The layer that reads the image: the first of the whole workload, even with --layers."""
    from ..io.presets import load_workload

    return load_workload(args.workload).first_layer


def _data_inputs(args, wl, batch: int, ifmap_bits: int = 16):
    """``--zero-fraction`` and ``--ifmap`` checked: (zero fraction or None, {layer: ifmap} or None)."""
    zero_fraction = _zero_fraction(args.zero_fraction)
    if not args.ifmap:
        return zero_fraction, None
    if args.engine != "cycle":
        raise SpecError("an ifmap file needs the cycle-level engine: add --engine cycle", "--ifmap")
    if zero_fraction is not None:
        raise SpecError("give --ifmap or --zero-fraction, not both (the file fixes the zeros)", "--ifmap")
    if len(wl.layers) != 1:
        raise SpecError(f"an ifmap file is one layer's input; select one layer with --layers "
                        f"(this run has {len(wl.layers)})", "--ifmap")
    from ..sim.activations import load_activations

    layer = wl.layers[0]
    try:
        ifmap = load_activations(args.ifmap, (batch, layer.C, layer.H, layer.W), bits=ifmap_bits)
    except SpecError as exc:
        raise SpecError(exc.message, "--ifmap") from None
    return None, {layer.name: ifmap}


def _data_effects_table(run) -> str:
    """Per layer: ifmap zeros, MACs gated, DRAM words dense and RLC-compressed."""
    from ..layout import charged_words
    from ..report import align_table
    from ..spec.dims import DataType, Level

    rows = [["layer", "ifmap zeros", "gated MACs", "gated", "DRAM dense", "DRAM RLC", "RLC/dense"]]
    tot = {"gated": 0, "macs": 0, "dense": 0, "rlc": 0}
    for r in run.layers:
        if not r.ok or (r.gating is None and r.dram_compressed is None):
            continue
        row = [r.layer.name, "-", "-", "-", "-", "-", "-"]
        if r.gating is not None:
            g = r.gating.gated_macs
            row[1:4] = [f"{r.gating.ifmap_zero_fraction:.3f}", f"{g:,}", f"{g / max(r.macs, 1):.1%}"]
            tot["gated"] += g
            tot["macs"] += r.macs
        if r.dram_compressed is not None:
            dense = sum(int(charged_words(r.counts, Level.DRAM, t)) for t in DataType)
            rlc = r.dram_compressed.total_words
            row[4:] = [f"{dense:,}", f"{rlc:,}", f"{rlc / max(dense, 1):.3f}"]
            tot["dense"] += dense
            tot["rlc"] += rlc
        rows.append(row)
    rows.append(["total", "", f"{tot['gated']:,}" if tot["macs"] else "-",
                 f"{tot['gated'] / tot['macs']:.1%}" if tot["macs"] else "-",
                 f"{tot['dense']:,}" if tot["dense"] else "-", f"{tot['rlc']:,}" if tot["dense"] else "-",
                 f"{tot['rlc'] / tot['dense']:.3f}" if tot["dense"] else "-"])
    head = (f"data-dependent effects ({'analytic: expected' if run.engine == 'analytic' else 'cycle: measured'};"
            " zero gating saves ALU and filter-spad energy; DRAM in 16-bit words)")
    return head + "\n" + align_table(rows)


def _progress(args) -> bool:
    """Cycle-engine progress bars: on unless ``--no-progress`` or stderr is not a terminal."""
    return not args.no_progress and sys.stderr.isatty()


def _budget(args):
    """The mapper's budget: ``--budget``, ``--seed`` and ``--ragged`` (None: the default)."""
    return parse_budget(args.budget, args.seed, args.ragged)


def _one_dataflow_run(args) -> tuple:
    """What ``run`` and ``mapping`` (one dataflow on one hardware) read from their options,
    each checked in this order: the budget, the workload, the hardware, the batch, the dataflow,
    the ``--mapping`` mappings and the ``--constraints`` (:func:`_mappings`, :func:`_constraints`).

    Returns
    -------
    tuple
        ``(budget, workload, hardware, batch, dataflow, mappings, constraints)``.
    """
    budget = _budget(args)
    wl = _workload(args)
    hw = _hardware(args.hardware, _parse_array(args.array), args.energy, conventions=args.conventions)
    batch = _batch(args.batch, wl)
    dataflow = _run_dataflow(args, hw)
    return budget, wl, hw, batch, dataflow, _mappings(args, batch, dataflow, hw), _constraints(args, batch, [dataflow])


def _semantics(args) -> tuple:
    """``--semantics``: (the accountings to show, the Timeloop era among them or ``None``);
    ``--ragged`` searches imperfect factorisations, which Timeloop's semantics do not count."""
    from ..drivers.semantics import parse_semantics, timeloop_of

    semantics = parse_semantics(args.semantics)
    timeloop = timeloop_of(semantics)
    if timeloop is not None and args.ragged:
        raise SpecError(f"--ragged searches imperfect factorisations, which {timeloop.value} does not count; drop "
                        "one of them", "--semantics")
    return semantics, timeloop


def _print_timeloop(view, both: bool) -> None:
    """Timeloop's stats of each layer that ran; with ``both``, each beside accelsim's counts."""
    from ..report import semantics_table, timeloop_table

    run = view.run
    if both:
        print()
    else:
        print(f"{run.workload} on {run.hardware} | dataflow {run.dataflow} | engine {run.engine} | batch {run.batch}")
    print(f"Timeloop's counting semantics ({view.semantics.value}) of the nest each layer ran "
          f"({run.engine} engine): per instance, as Timeloop's stats.txt prints them")
    for r, stats in zip(run.layers, view.stats):
        if stats is None:
            if not both:  # accelsim's run table, which lists it, is not shown
                print(f"\n{r.layer.name}: infeasible: {r.reason}")
            continue
        print()
        print(timeloop_table(r.layer.name, stats))
        if both:
            print()
            print(semantics_table(r, stats))
    if run.engine == "cycle":
        print()
        print("(the cycle engine ran the nest with real data; its own counts and cycles are accelsim's: "
              f"--semantics accelsim,{view.semantics.value} shows both)" if not both else
              "(the cycle engine's own counts and cycles are accelsim's (ours); Timeloop's (TL) are computed "
              "from the same nest)")


def cmd_run(args) -> int:
    if args.trace and args.engine != "cycle":
        raise SpecError("a trace needs the cycle-level engine: add --engine cycle", "--trace")
    from ..io.results import write_json
    from ..report import access_table, network_text, run_table
    from ..drivers.simulate import simulate_network

    check_plot_path(args.plot, "--plot")
    check_output_path(args.json, "--json")
    check_output_path(args.trace, "--trace")
    check_output_path(args.save_mappings, "--save-mappings")
    semantics, timeloop = _semantics(args)
    budget, wl, hw, batch, dataflow, mappings, constraints = _one_dataflow_run(args)
    if args.jobs < 1:
        raise SpecError(f"must be >= 1, got {args.jobs}", "--jobs")
    if timeloop is not None:
        from ..drivers.semantics import check_countable

        for layer in wl.with_batch(batch).layers:
            if layer.name in mappings:
                check_countable(layer, mappings[layer.name])
    zero_fraction, ifmaps = _data_inputs(args, wl, batch, hw.precision.ifmap_bits)
    announce_compile(_run_groups(wl, batch, mappings, args.engine, args.ragged))
    run = simulate_network(wl, hw, dataflow, engine=args.engine, batch=batch, objective=args.objective,
                           mappings=mappings, jobs=args.jobs, first_layer=_first_layer(args), budget=budget,
                           zero_fraction=zero_fraction, ifmaps=ifmaps, constraints=constraints,
                           progress=_progress(args), flatten=timeloop is None)
    view = None
    if timeloop is not None:
        from ..drivers.semantics import with_semantics

        view = with_semantics(run, hw, timeloop)
    ours = len(semantics) > 1 or view is None  # accelsim's own tables
    if ours:
        print(run_table(run))
        network = network_text(run)
        if network:
            print(network)
        print()
        print(access_table(run))
        if any(r.gating is not None or r.dram_compressed is not None for r in run.layers):
            print()
            print(_data_effects_table(run))
    if view is not None:
        _print_timeloop(view, both=ours)
    if run.engine == "cycle":
        from ..report import timing_table

        print()
        print(timing_table(run))
    from ..report import power_table, sparse_table

    sparse = sparse_table(run) if ours else None
    if sparse:
        print()
        print(sparse)

    power = power_table(run) if ours else None
    if power:
        print()
        print(power)
    if args.trace:
        from ..io.results import write_trace

        from ..sim.cycle import trace_capacities

        written = write_output(lambda p: write_trace(run, p, capacity=trace_capacities(hw)), args.trace, "--trace")
        print(f"trace written to {written}")
    if args.json:
        doc = view.to_dict() if view is not None else run.to_dict()
        write_output(lambda p: write_json(doc, p), args.json, "--json")
        print(f"results written to {args.json}")
    if args.save_mappings:
        _save_mappings(args.save_mappings, wl, dataflow, batch, run.layers, hw.name, hw.noc.clusters is not None)
    if args.plot:
        from ..plot import energy_breakdown

        save_plot(lambda ax: energy_breakdown(run, by=args.by, normalize="mac", ax=ax, log=args.log), args.plot,
                  "--plot")
    return infeasible_exit([r.ok for r in run.layers], args.allow_infeasible)


def _compare_mappings(args, wl, batch: int, dataflows):
    """``compare --mapping``: only ``scalesim`` (a family generated for each dataflow,
    :func:`accelsim.drivers.compare.scalesim_family`), and then only systolic dataflows; ``None``
    without the option (the mapper maps every layer)."""
    from ..drivers.compare import SYSTOLIC_DATAFLOWS, scalesim_family

    if not args.mapping:
        return None
    if str(args.mapping).lower() != "scalesim":
        raise SpecError(f"compare takes --mapping scalesim only (generated for each dataflow), got "
                        f"{args.mapping!r}; a mapping file maps one dataflow: run it with accelsim run --mapping",
                        "--mapping")
    other = [df.value for df in dataflows if df.value not in SYSTOLIC_DATAFLOWS]
    if other:
        raise SpecError(f"--mapping scalesim maps the systolic dataflows ({', '.join(SYSTOLIC_DATAFLOWS)}), not "
                        f"{', '.join(other)}; leave {'it' if len(other) == 1 else 'them'} out", "--dataflows")
    if args.constraints:
        raise SpecError("--mapping scalesim maps every layer: there is nothing left for --constraints to constrain",
                        "--constraints")
    return scalesim_family(wl, batch)


def cmd_compare(args) -> int:
    from ..io.results import write_json
    from ..report import compare_table
    from ..drivers.compare import ISCA16_DATAFLOWS, compare, default_dataflows

    check_plot_path(args.plot, "--plot")
    check_output_path(args.json, "--json")
    jobs = _jobs(args.jobs)
    budget = _budget(args)
    wl = _workload(args)
    batch = _batch(args.batch, wl)
    array = _parse_array(args.array)
    one_hw = (_hardware(args.hardware, array, args.energy, conventions=args.conventions)
              if args.hardware and not args.setup else None)
    if args.dataflows:
        names = [d.strip() for d in args.dataflows.split(",") if d.strip()]
    elif one_hw is not None:  # the hardware file's dataflow and its family
        names = [df.value for df in default_dataflows(one_hw)]
    else:
        names = list(ISCA16_DATAFLOWS)
    if not names:
        raise SpecError("give at least one dataflow", "--dataflows")
    dataflows = [_dataflow(d, "--dataflows") for d in names]
    repeated = sorted({df.value for df in dataflows if dataflows.count(df) > 1})
    if repeated:
        raise SpecError(f"repeated dataflow {', '.join(repeated)}; give each once", "--dataflows")
    family = _compare_mappings(args, wl, batch, dataflows)
    if args.setup and args.hardware:
        raise SpecError("give --hardware NAME or --setup isca16 --pes N, not both", "--setup")
    if args.setup:
        if args.setup != "isca16":
            raise SpecError(f"unknown setup {args.setup!r}; the only setup is isca16", "--setup")
        from ..io.presets import list_presets

        setups = list_presets("hardware")
        for df in dataflows:  # fail early, before any work, on a bad PE count or dataflow
            if f"isca16-{args.pes}-{df.value}" not in setups:
                have = sorted(int(n.split("-")[1]) for n in setups
                              if n.startswith("isca16-") and n.endswith(f"-{df.value}") and n.split("-")[1].isdigit())
                raise SpecError(f"no isca16 setup for {df.value} with {args.pes} PEs; available PE counts: "
                                f"{', '.join(map(str, have)) or 'none'}", "--pes")
        hardware = lambda df: _hardware(f"isca16-{args.pes}-{df.value}", array, args.energy,  # noqa: E731
                                        conventions=args.conventions)
        for df in dataflows:
            hardware(df)
    elif one_hw is not None:
        hardware = one_hw
    else:
        raise SpecError("give --hardware NAME or --setup isca16 --pes N", "--hardware")
    constraints = _constraints(args, batch, dataflows)
    semantics, timeloop = _semantics(args)
    if family is not None and timeloop is not None:
        raise SpecError("--semantics timeloop-* counts perfect, unflattened loop nests; --mapping scalesim "
                        "flattens loops (use one or the other)", "--semantics")
    if family is not None:  # every layer mapped: no search
        announce_compile(kernel_groups(args.engine, search=False, perfect=False, flat=True))
    else:
        announce_compile(kernel_groups(args.engine, search=True, padded=args.ragged))
    runs = compare(wl, hardware, dataflows, batch=batch, engine=args.engine, objective=args.objective,
                   n_jobs=jobs, budget=budget, constraints=constraints, progress=_progress(args), mappings=family,
                   flatten=timeloop is None)
    views = None
    if timeloop is not None:
        from ..drivers.semantics import with_semantics
        from ..report import timeloop_compare_table

        machine = hardware if callable(hardware) else (lambda _df: hardware)
        views = [with_semantics(run, machine(df), timeloop) for run, df in zip(runs, dataflows)]
    if views is None or len(semantics) > 1:
        print(compare_table(runs))
    if views is not None:
        if len(semantics) > 1:
            print()
        print(timeloop_compare_table(views))
    if args.json:
        docs = [v.to_dict() for v in views] if views is not None else [r.to_dict() for r in runs]
        write_output(lambda p: write_json({"runs": docs}, p), args.json, "--json")
        print(f"results written to {args.json}")
    if args.plot:
        from ..plot import dataflow_comparison

        save_plot(lambda ax: dataflow_comparison(runs, by=args.by, normalize="mac", ax=ax), args.plot, "--plot")
    return infeasible_exit([r.ok for run in runs for r in run.layers], args.allow_infeasible)


def cmd_list(args) -> int:
    from ..dataflows import available, template
    from ..io.presets import list_presets

    if args.what == "dataflows":
        for df in available():
            print(f"{df.value:7} {template(df).summary}")
    elif args.what == "energy":
        from ..io.energychoice import describe_choices

        choices = describe_choices()
        width = max(len(name) for name, _ in choices)
        for name, text in choices:
            print(f"{name:{width}}  {text}")
    else:
        for name in list_presets(args.what):
            print(name)
    return 0


def cmd_mapping(args) -> int:
    from ..drivers.simulate import simulate
    from ..report import tile_table

    budget, wl, hw, batch, dataflow, given, constraints = _one_dataflow_run(args)
    check_output_path(args.save_mappings, "--save-mappings")
    announce_compile(_run_groups(wl, batch, given, "analytic", args.ragged))  # the mapper and counting only
    results = []
    for layer in wl.with_batch(batch).layers:
        res = simulate(layer, hw, dataflow, mapping=given.get(layer.name), objective=args.objective,
                       budget=budget, constraints=constraints.get(layer.name))
        results.append(res)
        print(f"== {layer.name} ({dataflow.value} on {hw.name}, N={layer.N})")
        if not res.ok:
            print(res.reason)
            continue
        print(res.mapping.describe(layer.loop_bounds()))
        print(tile_table(res, hw))
        print(f"active PEs {res.active_pes}, mappings considered {res.mappings_considered}")
        if hw.noc.kind.value == "gin":
            from ..dataflows.noc_ids import assign_tags, describe_tags

            print(describe_tags(assign_tags(res.mapping, layer)))
        if hw.noc.clusters is not None:  # hmesh: clusters, PEs per cluster, the NoC mode per data type
            from ..spec.noc_modes import describe_hmesh

            print(describe_hmesh(res.mapping, hw.noc.clusters))
    if args.save_mappings:
        _save_mappings(args.save_mappings, wl, dataflow, batch, results, hw.name, hw.noc.clusters is not None)
    return infeasible_exit([r.ok for r in results], args.allow_infeasible)


def cmd_validate(args) -> int:
    if args.json and args.target not in ("eyeriss", "eyeriss-v1.5", "eyeriss-v2"):
        raise SpecError("a JSON report exists for 'validate eyeriss', 'eyeriss-v1.5' and 'eyeriss-v2' only", "--json")
    if args.engine != "analytic" and args.target not in ("eyeriss-v1.5", "eyeriss-v2"):
        raise SpecError("only 'validate eyeriss-v1.5' and 'validate eyeriss-v2' take --engine", "--engine")
    check_output_path(args.json, "--json")
    if args.target in ("eyeriss-v1.5", "eyeriss-v2"):
        from ..validation.eyeriss_v2 import noc_report
        from ..validation.eyeriss_v2_sparse import sparse_report

        announce_compile(kernel_groups(args.engine, search=True, padded=True))
        report = (noc_report if args.target == "eyeriss-v1.5" else sparse_report)(args.engine)
        print(report.format())
        if args.json:
            from ..io.results import write_json

            write_output(lambda p: write_json(report.to_dict(), p), args.json, "--json")
            print(f"report written to {args.json}")
        return 0
    chip = args.target == "eyeriss"  # the chip's (ragged) mappings on the cycle engine, and the mapper
    announce_compile(kernel_groups("cycle" if chip else "analytic", search=True, padded=chip))
    if args.target == "eyeriss":
        from ..validation.eyeriss_chip import eyeriss_report

        report = eyeriss_report()
        print(report.format())
        if args.json:
            from ..io.results import write_json

            write_output(lambda p: write_json(report.to_dict(), p), args.json, "--json")
            print(f"report written to {args.json}")
        return 0
    from ..validation.isca16 import validate

    print(validate(args.target))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="accelsim", description="Simulate Eyeriss-style spatial DNN accelerators.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp, dataflow=True):
        sp.add_argument("workload", help="workload preset (alexnet, vgg16, ...) or YAML path")
        sp.add_argument("--layers", help="comma-separated layer names to run (default: all)")
        sp.add_argument("--batch", type=int, default=1, help="batch size N (default 1)")
        sp.add_argument("--array", help="override the PE array, ROWSxCOLS")
        sp.add_argument("--objective", default="energy", choices=["energy", "cycles", "edp"],
                        help="what the mapper minimises (default energy)")
        sp.add_argument("--energy", help="what prices the accesses (default: the hardware file's): model (derived "
                                         "from sizes, bits and technology; the file's model parameters kept), "
                                         "model:NM (at NM nm, e.g. model:45), or a table preset or YAML (isca16, "
                                         "65nm-pj; accelsim list energy); pJ energies add power in mW")
        sp.add_argument("--conventions", choices=["accelsim", "scalesim"],
                        help="whose counting and timing conventions to report: scalesim counts every im2col "
                             "element the SRAMs serve and times folds as SCALE-Sim 3.0.0 (README, SCALE-Sim; "
                             "default: the hardware file's scalesim_counts / scalesim_timing flags)")
        _search_options(sp)
        sp.add_argument("--engine", default="analytic", choices=["analytic", "cycle"],
                        help="closed-form counts, or cycle by cycle with real data (default analytic)")
        if dataflow:
            sp.add_argument("--dataflow", help="rs, ws, osa, osb, osc, nlr, sys-ws, sys-os or sys-is (default: the "
                                               "hardware file's dataflow, else rs)")
            sp.add_argument("--force-dataflow", action="store_true",
                            help="run --dataflow even where the hardware file names another dataflow")
        sp.add_argument("--save-mappings", metavar="FILE",
                        help="write every layer's mapping as a mapping file that --mapping reads back")
        sp.add_argument("--allow-infeasible", action="store_true",
                        help=f"exit 0 when a layer has no legal mapping (default: exit {EXIT_INFEASIBLE})")
        sp.add_argument("--constraints", metavar="FILE",
                        help="partial mappings the mapper completes: pinned factors, loop orders, spatial "
                             "split, bypass, min_utilization per layer (README, Constraints)")

    run = sub.add_parser("run", help="simulate a workload on one hardware under one dataflow")
    common(run)
    run.add_argument("--hardware", default="eyeriss", help="hardware preset or YAML path (default eyeriss)")
    run.add_argument("--mapping", help="mapping preset or YAML file, or scalesim (SCALE-Sim's own im2col mapping of "
                                          "a sys-* dataflow; default: the mapper chooses)")
    run.add_argument("--json", help="write the result document (docs/architecture.md, *Results*) here")
    run.add_argument("--plot", help="save the energy breakdown plot here (PNG, SVG, PDF)")
    run.add_argument("--by", default="level", choices=["level", "type"], help="plot segments")
    run.add_argument("--log", action="store_true",
                     help="plot energy per MAC on a log axis (FC layers' ~10x CONV's flattens linear bars)")
    run.add_argument("--trace", help="with --engine cycle: save per-interval activity (.npz) here")
    run.add_argument("--jobs", type=int, default=1, help="layers simulated in parallel threads (default 1)")
    run.add_argument("--zero-fraction", help="zero fraction of every fmap, 0..1 (default: per layer, AlexNet's "
                                             "measured ones; the image has none)")
    run.add_argument("--ifmap", help="with --engine cycle and one layer: its ifmap, an integer .npy (N, C, H, W)")
    run.add_argument("--no-progress", action="store_true",
                     help="no progress bar for long cycle-engine layers (none either when stderr is not a terminal)")
    _semantics_option(run)
    run.set_defaults(func=cmd_run)

    cmp_ = sub.add_parser("compare", help="run a workload under several dataflows side by side")
    common(cmp_, dataflow=False)
    cmp_.add_argument("--hardware", help="one hardware for every dataflow")
    cmp_.add_argument("--setup", help="per-dataflow hardware family: isca16 (with --pes)")
    cmp_.add_argument("--pes", type=int, default=256, help="PE count of the setup: 256, 512 or 1024")
    cmp_.add_argument("--dataflows", help="comma-separated (default: rs,ws,osa,osb,osc,nlr)")
    cmp_.add_argument("--mapping", help="scalesim: SCALE-Sim's own im2col mapping under every (systolic) dataflow "
                                        "(default: the mapper chooses)")
    cmp_.add_argument("--jobs", type=int, default=1, help="worker threads (default 1; -1: one per CPU)")
    cmp_.add_argument("--json", help='write {"runs": [...]} here')
    cmp_.add_argument("--plot", help="save the comparison plot here")
    cmp_.add_argument("--by", default="level", choices=["level", "type"])
    cmp_.add_argument("--no-progress", action="store_true",
                      help="no progress bar for long cycle-engine layers (none either when stderr is not a terminal)")
    _semantics_option(cmp_)
    cmp_.set_defaults(func=cmd_compare)

    lst = sub.add_parser("list", help="list presets, dataflows, or the energy choices (tables and the model)")
    lst.add_argument("what", choices=["workloads", "hardware", "dataflows", "mappings", "energy"])
    lst.set_defaults(func=cmd_list)

    mp = sub.add_parser("mapping", help="show the mapping the mapper picks (or a mapping file's)")
    mp.add_argument("action", choices=["show"])
    common(mp)
    mp.add_argument("--hardware", default="eyeriss", help="hardware preset or YAML path (default eyeriss)")
    mp.add_argument("--mapping", help="show this mapping file's mappings (the mapper fills in the rest)")
    mp.set_defaults(func=cmd_mapping)

    val = sub.add_parser("validate", help="compare computed numbers with published ones")
    val.add_argument("target", choices=["isca16", "eyeriss", "eyeriss-v1.5", "eyeriss-v2"],
                     help="isca16: Eyeriss ISCA 2016 Fig. 10-12; eyeriss: the chip's measured AlexNet "
                          "CONV1-5 (ISSCC 2016) and VGG-16 DRAM/MAC (JSSC 2017), cycle engine; eyeriss-v1.5: "
                          "the hierarchical mesh's gain on MobileNet 0.5/128 (Eyeriss v2, JETCAS 2019); "
                          "eyeriss-v2: v1-192 -> v1.5 -> v2 (sparse PE) on sparse MobileNet 0.5/128")
    val.add_argument("--json", help="eyeriss, eyeriss-v1.5, eyeriss-v2: also write the report (published, "
                                    "simulated, ratios) here")
    val.add_argument("--engine", default="analytic", choices=["analytic", "cycle"],
                     help="eyeriss-v1.5, eyeriss-v2: the engine (default analytic)")
    val.set_defaults(func=cmd_validate)

    from . import plot as cli_plot
    from . import sweep as cli_sweep
    from . import eyexam as cli_eyexam

    cli_plot.add_parsers(sub)
    cli_sweep.add_parsers(sub)
    cli_eyexam.add_parsers(sub)
    return p


def _semantics_option(sp) -> None:
    """``--semantics`` (run, compare): whose counting rules to report."""
    sp.add_argument("--semantics", metavar="NAME[,NAME]",
                    help="whose counting rules to report: accelsim (default: ISCA 2016), timeloop-2020, "
                         "timeloop-2024 or timeloop-2025 (Timeloop's stats per level and data space, and its cycles, "
                         "in the table and the --json records), or a list such as accelsim,timeloop-2024 to show "
                         "both side by side (README, For Timeloop users)")


def _search_options(sp) -> None:
    """The mapper's ``--budget``, ``--seed`` and ``--ragged`` (run, compare, mapping show)."""
    sp.add_argument("--budget", help="mapper effort: quick, default or thorough, or samples=N,climb=N,starts=N "
                                     "(any of them; default 4000/2000/16)")
    sp.add_argument("--seed", type=int, help=f"mapper seed, 0..{MAX_SEED} (default 2016)")
    sp.add_argument("--ragged", action="store_true",
                    help="the mapper also tries imperfect factorisations (padded bounds; slower)")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (``cli/common.py``: 0 ok, 2 bad input, 3 infeasible
    layers, 130 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except AccelsimError as exc:
        print(f"accelsim: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:  # a file the commands did not name an option for
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"accelsim: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("accelsim: error: out of memory; the cycle-level engine holds whole fmaps and a count per PE: use a "
              "smaller --batch or --array, fewer --layers, or --engine analytic", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("accelsim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
