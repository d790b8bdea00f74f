"""``accelsim plot``: figures from saved result documents."""

from __future__ import annotations

from .cli import _check_plot_path, _save_plot
from .errors import SpecError


def cmd_plot(args) -> int:
    from .io.results import read_json

    _check_plot_path(args.output, "--output")
    try:
        doc = read_json(args.results)
    except UnicodeDecodeError:
        raise SpecError(f"{args.results} is not UTF-8 text") from None
    except ValueError as exc:  # json.JSONDecodeError
        raise SpecError(f"not a JSON document ({exc})", args.results) from None
    runs = doc["runs"] if isinstance(doc, dict) and "runs" in doc else [doc]
    if not isinstance(runs, list) or not runs or not all(
            isinstance(r, dict) and isinstance(r.get("layers"), list) for r in runs):
        raise SpecError('expected a result document written by "run --json" (with a "layers" list) or by '
                        '"compare --json" ({"runs": [...]})', args.results)
    if args.kind == "breakdown":
        from .plot import energy_breakdown

        draw = lambda ax: energy_breakdown(runs[0], by=args.by, normalize="mac", ax=ax)  # noqa: E731
    elif args.kind == "compare":
        from .plot import dataflow_comparison

        draw = lambda ax: dataflow_comparison(runs, by=args.by, normalize="mac", ax=ax)  # noqa: E731
    else:
        from .plot import utilization

        draw = lambda ax: utilization(runs[0], ax=ax)  # noqa: E731
    _save_plot(draw, args.output)
    return 0


def add_parsers(sub) -> None:
    """Register the ``plot`` subcommand."""
    pl = sub.add_parser("plot", help="plot a saved result JSON")
    pl.add_argument("results", help="JSON written by run --json or compare --json")
    pl.add_argument("--kind", default="breakdown", choices=["breakdown", "compare", "utilization"])
    pl.add_argument("--by", default="level", choices=["level", "type"])
    pl.add_argument("-o", "--output", required=True)
    pl.set_defaults(func=cmd_plot)
