"""``accelsim plot``: figures from saved result documents, sweep directories and cycle traces."""

from __future__ import annotations

import math
from pathlib import Path

from .common import check_plot_path, save_plot
from ..errors import SpecError

KINDS = ("breakdown", "compare", "pareto", "utilization", "bandwidth", "stalls", "eyexam")
#: What a ``--trace`` .npz can draw (``utilization`` on a trace is the PE heat map).
TRACE_KINDS = ("utilization", "bandwidth")
#: What ``--layer`` picks a layer for on a result document (on a trace: every trace kind).
_LAYER_KINDS = ("breakdown", "stalls", "eyexam")
#: Sweep axes tried, in order, as the groups of ``--kind compare`` when ``--x`` is not given.
_X_PREFERENCE = ("batch", "array", "num_pes")


def _where(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SpecError(f"expected KEY=VALUE such as dataflow=rs, got {item!r}", "--where")
        out[key.strip()] = value.strip()
    return out


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_run(run: dict, where: str, path: str) -> None:
    """Type-check the fields of a result document the plots read; one SpecError naming the first bad one."""
    def bad(field: str, value, expected: str):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise SpecError(f"{field}: must be {expected}, got {shown}", path)

    if run.get("batch") is not None and (isinstance(run["batch"], bool) or not isinstance(run["batch"], int)):
        bad(f"{where}batch", run["batch"], "an integer")
    for j, layer in enumerate(run["layers"]):
        at = f"{where}layers[{j}]"
        if not isinstance(layer, dict):
            bad(at, layer, "a layer record (a mapping)")
        for key in ("macs", "cycles", "energy_total", "utilization"):
            if layer.get(key) is not None and not _is_number(layer[key]):
                bad(f"{at}.{key}", layer[key], "a finite number")
        energy = layer.get("energy")
        if energy is not None and not isinstance(energy, dict):
            bad(f"{at}.energy", energy, "a mapping of component to energy")
        for comp, value in (energy or {}).items():
            parts = value.values() if isinstance(value, dict) else [value]
            if not all(_is_number(v) for v in parts):
                bad(f"{at}.energy.{comp}", value, "a number or a mapping of data type to number")
        if layer.get("timing") is not None and not isinstance(layer["timing"], dict):
            bad(f"{at}.timing", layer["timing"], "a mapping")


def _read_documents(path: str) -> list[dict]:
    from ..io.results import read_json

    try:
        doc = read_json(path)
    except FileNotFoundError:
        raise SpecError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{path} is not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:  # json.JSONDecodeError, or nested too deeply
        raise SpecError(f"not a JSON document ({exc})", path) from None
    runs = doc["runs"] if isinstance(doc, dict) and "runs" in doc else [doc]
    if not isinstance(runs, list) or not runs or not all(
            isinstance(r, dict) and isinstance(r.get("layers"), list) for r in runs):
        raise SpecError('expected a result document written by "run --json" (with a "layers" list), by '
                        '"compare --json" ({"runs": [...]}), or a sweep directory (with records.csv)', path)
    for i, run in enumerate(runs):
        _check_run(run, f"runs[{i}]." if isinstance(doc, dict) and "runs" in doc else "", path)
    return runs


def _one_case(runs: list[dict], args) -> dict:
    if args.case:
        runs = [r for r in runs if str(r["case"]).startswith(args.case)]
    if len(runs) == 1:
        return runs[0]
    if not runs:
        raise SpecError("no case matches --case/--where", "--case" if args.case else "--where")
    shown = "; ".join(f"{r['case']} ({r['dataflow']}, {r['hardware']}, N={r['batch']})" for r in runs[:4])
    raise SpecError(f"{len(runs)} cases match; the {args.kind} plot shows one: pick it with --case ID or "
                    f"--where KEY=VALUE (e.g. {shown}{' …' if len(runs) > 4 else ''})", "--case")


def _auto_x(records: list[dict], hue: str) -> str:
    from ..plot.sweep import LAYER_KEYS, case_totals

    totals = case_totals(records)
    varying = [k for k in (totals[0] if totals else {})
               if k not in LAYER_KEYS and k not in ("case", "ok", "n_layers", hue)
               and len({str(t.get(k)) for t in totals}) > 1]
    for key in _X_PREFERENCE:
        if key in varying:
            return key
    return varying[0] if varying else "batch"


def _sweep_draw(args, directory: Path):
    from ..io.sweepstore import read_sweep
    from ..plot.sweep import sweep_runs

    records, components = read_sweep(directory)
    if not records:
        raise SpecError(f"no finished case in {directory / 'records.csv'}", args.results)
    where = _where(args.where)
    if args.kind == "pareto":
        from ..plot import pareto

        return lambda ax: pareto(records, x=args.x, y=args.y,
                                 hue=args.hue or "dataflow", where=where, ax=ax, log=args.log)
    if args.kind == "compare":
        from ..plot import sweep_comparison

        hue = args.hue or "dataflow"
        from ..plot.sweep import select

        x = args.x or _auto_x(select(records, where), hue)
        return lambda ax: sweep_comparison(records, x=x, y=args.y or "energy_per_mac", hue=hue,
                                           where=where, ax=ax)
    run = _one_case(sweep_runs(records, components, where), args)
    return _titled(_run_draw(args, [run], where={}), where)


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _is_npz(path: Path) -> bool:
    """A ``.npz`` name, or a zip archive (what ``numpy.savez`` writes) whatever its name."""
    return path.suffix.lower() == ".npz" or _is_zip(path)


def _check_layer(args, names: list[str], where: str) -> None:
    if args.layer is not None and args.layer not in names:
        raise SpecError(f"no layer {args.layer!r} in {where}; available layers: {', '.join(names) or 'none'}",
                        "--layer")


def _trace_draw(args, path: Path):
    """``--kind utilization`` (PE heat map) or ``bandwidth`` of one layer of a ``--trace`` .npz."""
    import zipfile

    from ..plot.cycle import read_trace

    if args.kind not in TRACE_KINDS:
        raise SpecError(f"a cycle trace (.npz) draws --kind {' or --kind '.join(TRACE_KINDS)}; {args.kind} needs "
                        "the JSON written by run --json (or a sweep directory)", "--kind")
    if path.exists() and not _is_zip(path):
        raise SpecError("not a .npz archive; write a cycle trace with accelsim run ... --engine cycle --trace t.npz",
                        args.results)
    try:
        layers = read_trace(path)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, IndexError, KeyError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise SpecError(f"not a cycle trace written by run --engine cycle --trace ({exc})", args.results) from None
    _check_layer(args, list(layers), args.results)
    view = layers[args.layer or next(iter(layers))]
    if args.kind == "bandwidth":
        from ..plot import bandwidth_over_time

        return lambda ax: bandwidth_over_time(view, ax=ax)
    from ..plot import pe_heatmap

    return lambda ax: pe_heatmap(view, ax=ax)


def _titled(draw, where: dict[str, str]):
    """``draw``, then the ``--where`` selection appended to the title it set."""
    if not where:
        return draw

    def titled(ax):
        draw(ax)
        from ..plot.draw import selection_text

        ax.set_title("\n".join(p for p in (ax.get_title(), f"where {selection_text(where)}") if p))

    return titled


def _select_runs(runs: list[dict], where: dict[str, str]) -> list[dict]:
    """The runs of a result document whose top-level fields (dataflow, hardware, batch, ...) equal ``where``."""
    for key, value in where.items():
        if not any(key in r and not isinstance(r[key], (dict, list)) for r in runs):
            fields = sorted({k for r in runs for k, v in r.items() if not isinstance(v, (dict, list))})
            raise SpecError(f"no field {key!r} in the runs of this document; fields: {', '.join(fields)}", "--where")
        kept = [r for r in runs if str(r.get(key)) == value]
        if not kept:
            have = ", ".join(dict.fromkeys(str(r.get(key)) for r in runs))
            raise SpecError(f"no run has {key}={value}; {key}: {have}", "--where")
        runs = kept
    return runs


def _one_run(runs: list[dict], kind: str) -> dict:
    if len(runs) == 1:
        return runs[0]
    names = ", ".join(str(r.get("dataflow", "?")) for r in runs)
    raise SpecError(f"the {kind} plot shows one run; this document holds {len(runs)} ({names}): pick one with "
                    f"--where dataflow={runs[0].get('dataflow', '?')} (or another field of the run)", "--where")


def _run_draw(args, runs: list[dict], where: dict[str, str] | None = None):
    """The draw function of ``args.kind`` for result documents; ``where`` (default ``--where``) picks runs."""
    where = _where(args.where) if where is None else where
    if args.kind != "pareto":
        runs = _select_runs(runs, where)
    names = list(dict.fromkeys(str(layer.get("name", "?")) for r in runs for layer in r["layers"]))
    _check_layer(args, names, args.results)
    layers = None if args.layer is None else [args.layer]
    if args.kind == "eyexam":  # accelsim eyexam --json: one layer's seven bounds as rooflines
        from ..plot.eyexam import eyexam_rooflines

        return lambda ax: eyexam_rooflines(_one_run(runs, args.kind), layer=args.layer, ax=ax)
    if args.kind == "stalls":
        from ..plot import stall_breakdown

        run = _one_run(runs, args.kind)
        return _titled(lambda ax: stall_breakdown(run, layers=layers, ax=ax), where)
    if args.kind == "breakdown":
        from ..plot import energy_breakdown

        return _titled(lambda ax: energy_breakdown(runs, by=args.by, normalize="mac", layers=layers, ax=ax,
                                                   log=args.log), where)
    if args.kind == "compare":
        from ..plot import dataflow_comparison

        return _titled(lambda ax: dataflow_comparison(runs, by=args.by, normalize="mac", ax=ax), where)
    if args.kind == "pareto":
        from ..plot import pareto, records_from_runs

        return lambda ax: pareto(records_from_runs(runs), x=args.x, y=args.y,
                                 hue=args.hue or "dataflow", where=where, ax=ax, log=args.log)
    from ..plot import utilization

    return _titled(lambda ax: utilization(runs, ax=ax), where)


def cmd_plot(args) -> int:
    check_plot_path(args.output, "--output")
    path = Path(args.results)
    trace = not path.is_dir() and _is_npz(path)
    if args.kind is None:
        args.kind = "utilization" if trace else "breakdown"
    if not trace and args.kind == "bandwidth":
        raise SpecError("needs a cycle trace: accelsim run ... --engine cycle --trace t.npz, then "
                        "accelsim plot t.npz --kind bandwidth", "--kind bandwidth")
    if not trace and args.layer is not None and args.kind not in _LAYER_KINDS:
        raise SpecError(f"picks the layer of a cycle trace (.npz), or of --kind {' or '.join(_LAYER_KINDS)} "
                        "on a result document", "--layer")
    try:
        if path.is_dir():
            from ..io.sweepstore import is_sweep_dir

            if not is_sweep_dir(path):
                raise SpecError("a directory to plot must hold the records.csv of a sweep (accelsim sweep --out)",
                                args.results)
            draw = _sweep_draw(args, path)
        elif trace:
            draw = _trace_draw(args, path)
        else:
            draw = _run_draw(args, _read_documents(args.results))
        save_plot(draw, args.output, "--output")
    except (ValueError, KeyError) as exc:  # a plot's complaint about its input: one line, exit 2
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        raise SpecError(message, f"--kind {args.kind}") from None
    return 0


def add_parsers(sub) -> None:
    """Register the ``plot`` subcommand."""
    pl = sub.add_parser("plot", help="plot a saved result JSON, a sweep directory or a cycle trace (.npz)")
    pl.add_argument("results", help="JSON written by run --json or compare --json, a sweep --out directory, "
                                    "or a .npz written by run --engine cycle --trace")
    pl.add_argument("--kind", default=None, choices=list(KINDS),
                    help="default: breakdown (utilization on a trace). On a trace: utilization = PE heat map, "
                         "bandwidth = words per cycle over time; stalls = cycle-engine stall cycles by cause "
                         "(run --engine cycle --json); eyexam = one layer's seven Eyexam bounds as rooflines "
                         "(accelsim eyexam --json)")
    pl.add_argument("--layer", help="the layer to draw from a trace (default: its first), or the only layer of "
                                    "a breakdown/stalls plot of a result document")
    pl.add_argument("--by", default="level", choices=["level", "type"], help="breakdown/compare segments")
    pl.add_argument("-o", "--output", required=True)
    pl.add_argument("--x", help="pareto: metric on the x axis (default cycles; cycles_per_inference when the "
                                "batch varies; area_mm2: energy-area or delay-area fronts); compare on a sweep: "
                                "the column grouping the bars (default: batch, array, or whatever varies)")
    pl.add_argument("--y", help="pareto: metric on the y axis (default energy_total; energy_per_inference when "
                                "the batch varies; or area_mm2, cycles, edp ...); compare on a sweep: the bar "
                                "height (default energy_per_mac)")
    pl.add_argument("--hue", help="sweep plots: column colouring points/bars (default dataflow)")
    pl.add_argument("--where", action="append", metavar="KEY=VALUE",
                    help="keep the sweep records, or the runs of a compare --json document, with this value "
                         "(repeatable; named in the title)")
    pl.add_argument("--log", action="store_true",
                    help="breakdown: log energy axis (FC and CONV layers differ tenfold per MAC); pareto: log axes")
    pl.add_argument("--case", help="breakdown/utilization of a sweep: the case id (or a prefix)")
    pl.set_defaults(func=cmd_plot)
