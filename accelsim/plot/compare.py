"""Run-level plots: dataflows side by side, and per-layer PE utilisation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .draw import INFEASIBLE, UTILIZATION_COLOR, group_positions, mark, new_axes, run_title, set_ticks, stacked_bars
from .records import as_runs, common_unit, divisor, energy_label, has_clock, run_labels, segment_names, segments, shared

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


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
    names = segment_names(by, has_clock(views))
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
    set_ticks(ax, run_labels(views))
    ax.set_ylabel(energy_label(unit, normalize))
    ax.set_xlabel("dataflow")
    if title is None:
        title = run_title(shared(views, "workload") or "", shared(views, "hardware") or "", "",
                          shared(views, "batch"))
    ax.set_title(title)
    return ax


def utilization(run, ax: "Axes | None" = None, title: str | None = None,
                layers: Sequence[str] | None = None) -> "Axes":
    """Bar chart of per-layer PE utilisation, one bar set per run.

    Parameters
    ----------
    run : RunResult, LayerResult, dict, or sequence of them
        A run or its JSON document (docs/architecture.md, *Results*); several runs (a sequence,
        or the ``{"runs": [...]}`` document of ``compare --json``) are drawn side by side, one bar
        per run in each layer's slot, coloured and named (legend) by run.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` creates a new pyplot figure.
    title : str, optional
        ``None`` builds one from the run(s); ``""`` leaves it empty.
    layers : sequence of str, optional
        Layer names to show, in this order (the default title names them); ``None``: every layer.

    Returns
    -------
    matplotlib.axes.Axes
        One ``BarContainer`` per run (one run: labelled ``"utilization"``; several: labelled with
        the run's name, its dataflow) with one bar per layer (height = active PEs ÷ PEs, 0..1;
        y axis fixed to 0..1.05); an infeasible layer has a zero-height bar and the text
        ``"infeasible"`` (a layer a run lacks: ``"no such layer"``).
    """
    from .sweep import hue_colors

    views = as_runs(run)
    names = list(layers) if layers is not None else list(dict.fromkeys(lv.name for v in views for lv in v.layers))
    positions, width = group_positions(len(names), len(views))
    if ax is None:
        ax = new_axes(len(positions))
    labels = run_labels(views)
    colors = hue_colors("dataflow", [v.dataflow for v in views]) if len(views) > 1 else {}
    for j, view in enumerate(views):
        by_name = {lv.name: lv for lv in view.layers}
        cells = [by_name.get(name) for name in names]
        xs = positions[j::len(views)]
        values = [lv.utilization if lv is not None and lv.ok else 0.0 for lv in cells]
        ax.bar(xs, values, width, label="utilization" if len(views) == 1 else labels[j],
               color=colors.get(view.dataflow, UTILIZATION_COLOR))
        for x, lv in zip(xs, cells):
            if lv is None or not lv.ok:
                mark(ax, x, INFEASIBLE if lv is not None else "no such layer")
    set_ticks(ax, names)
    if len(views) > 1:
        ax.legend(title="run", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_ylim(0.0, 1.05)
    ax.set_ylabel("PE utilization (active / all)")
    ax.set_xlabel("layer")
    if title is None:
        dataflows = ", ".join(dict.fromkeys(v.dataflow for v in views if v.dataflow))
        title = run_title(shared(views, "workload") or "", shared(views, "hardware") or "", dataflows,
                          shared(views, "batch"), layers)
    ax.set_title(title)
    return ax
