"""Run-level plots: dataflows side by side, and per-layer PE utilisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .draw import BAR_WIDTH, INFEASIBLE, UTILIZATION_COLOR, mark, new_axes, run_title, set_ticks, stacked_bars
from .records import RunView, as_run, as_runs, common_unit, divisor, energy_label, segment_names, segments

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


def _labels(views: list[RunView]) -> list[str]:
    """Dataflow names, plus the batch / hardware / workload lines where runs differ."""
    extra = []
    for attr, fmt in (("batch", "N={}"), ("hardware", "{}"), ("workload", "{}")):
        if len({getattr(v, attr) for v in views}) > 1:
            extra.append((attr, fmt))
    return ["\n".join([v.dataflow or "?"] + [fmt.format(getattr(v, attr)) for attr, fmt in extra])
            for v in views]


def _shared(views: list[RunView], attr: str):
    values = {getattr(v, attr) for v in views}
    return values.pop() if len(values) == 1 else None


def dataflow_comparison(runs, by: str = "level", normalize="mac", ax: "Axes | None" = None,
                        title: str | None = None) -> "Axes":
    """One stacked bar per run (typically one per dataflow), summed over its feasible layers.

    Parameters
    ----------
    runs : sequence of RunResult or dict
        Runs to compare (objects or their JSON documents, docs/architecture.md, *Results*), drawn left to right;
        one run alone is accepted too. All must report energy in the same unit.
    by : {"level", "type"}
        Segments ``ALU, RF, NoC, GLB, DRAM`` or ``ALU, ifmap, filter, psum`` (see
        :func:`accelsim.plot.energy_breakdown`).
    normalize : "mac", None, or float
        ``"mac"``: total energy of the feasible layers ÷ their total MACs (energy per MAC);
        ``None``: total energy in the run's unit; a positive number: total energy ÷ it.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` creates a new pyplot figure.
    title : str, optional
        ``None`` names the shared workload / hardware / batch; ``""`` leaves it empty.

    Returns
    -------
    matplotlib.axes.Axes
        One ``BarContainer`` per segment, one bar per run at x = 0, 1, ...; tick labels are the
        dataflow names, with ``N=<batch>`` (and hardware, workload) lines added when runs differ
        in them. A run whose layers are all infeasible has zero-height bars and the text
        ``"infeasible"``; a partly infeasible run is annotated ``"k/n infeasible"`` above its bar
        (its bar covers the feasible layers only).

    Raises
    ------
    ValueError
        Bad ``by`` or ``normalize``, or runs in different energy units.
    """
    views = as_runs(runs)
    names = segment_names(by)
    divisor(normalize, 1, "")  # validate before drawing anything
    unit = common_unit(views)
    heights: dict[str, list[float]] = {name: [] for name in names}
    for view in views:
        feasible = view.feasible
        sums = dict.fromkeys(names, 0.0)
        for lv in feasible:
            for name, value in segments(lv.energy, by).items():
                sums[name] += value
        d = divisor(normalize, sum(lv.macs for lv in feasible), f"run {view.dataflow!r}") if feasible else 1.0
        for name in names:
            heights[name].append(sums[name] / d)
    if ax is None:
        ax = new_axes(len(views))
    stacked_bars(ax, heights, "component" if by == "level" else "data type")
    tops = [sum(col) for col in zip(*heights.values())]
    for x, view in enumerate(views):
        bad = len(view.layers) - len(view.feasible)
        if not view.feasible:
            mark(ax, x, INFEASIBLE if view.layers else "no layers")
        elif bad:
            ax.annotate(f"{bad}/{len(view.layers)} {INFEASIBLE}", (x, tops[x]), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize="x-small",
                        color="0.35")
    set_ticks(ax, _labels(views))
    ax.set_ylabel(energy_label(unit, normalize))
    ax.set_xlabel("dataflow")
    if title is None:
        title = run_title(_shared(views, "workload") or "", _shared(views, "hardware") or "", "",
                          _shared(views, "batch"))
    ax.set_title(title)
    return ax


def utilization(run, ax: "Axes | None" = None, title: str | None = None) -> "Axes":
    """Bar chart of per-layer PE utilisation.

    Parameters
    ----------
    run : RunResult, LayerResult, or dict
        A run or its JSON document (docs/architecture.md, *Results*).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` creates a new pyplot figure.
    title : str, optional
        ``None`` builds one from the run; ``""`` leaves it empty.

    Returns
    -------
    matplotlib.axes.Axes
        One ``BarContainer`` labelled ``"utilization"`` with one bar per layer (height = active
        PEs ÷ PEs, 0..1; y axis fixed to 0..1.05); infeasible layers have a zero-height bar and
        the text ``"infeasible"``.
    """
    view = as_run(run)
    if ax is None:
        ax = new_axes(len(view.layers))
    values = [lv.utilization if lv.ok else 0.0 for lv in view.layers]
    ax.bar(range(len(values)), values, BAR_WIDTH, label="utilization", color=UTILIZATION_COLOR)
    for x, lv in enumerate(view.layers):
        if not lv.ok:
            mark(ax, x)
    set_ticks(ax, [lv.name for lv in view.layers])
    ax.set_ylim(0.0, 1.05)
    ax.set_ylabel("PE utilization (active / all)")
    ax.set_xlabel("layer")
    ax.set_title(run_title(view.workload, view.hardware, view.dataflow, view.batch) if title is None else title)
    return ax
