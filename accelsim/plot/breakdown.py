"""Per-layer energy breakdown: Eyeriss-style stacked bars, one bar per layer (and run)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .draw import group_positions, log_scale, mark, new_axes, run_title, set_group_ticks, set_ticks, stacked_bars
from .records import (LayerView, as_runs, common_unit, divisor, energy_label, has_clock, run_labels, segment_names,
                      segments, shared)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


def _pick(layers, wanted: Sequence[str | int] | None):
    if wanted is None:
        return layers
    if isinstance(wanted, (str, int)):
        wanted = [wanted]
    by_name = {lv.name: lv for lv in layers}
    out = []
    for key in wanted:
        if isinstance(key, int) and not isinstance(key, bool):
            out.append(layers[key])
        elif key in by_name:
            out.append(by_name[key])
        else:
            raise KeyError(f"no layer {key!r} in this run; it has {', '.join(by_name) or 'no layers'}")
    return tuple(out)


def _layer_names(views, wanted) -> list[str]:
    """Names of the layers to draw: those picked from the first run, then any other run's, first seen first."""
    names: list[str] = []
    for view in views:
        if wanted is None or view is views[0]:
            names += [lv.name for lv in _pick(view.layers, wanted) if lv.name not in names]
    return names


def energy_breakdown(run, by: str = "level", normalize=None, ax: "Axes | None" = None,
                     layers: Sequence[str | int] | None = None, title: str | None = None,
                     log: bool = False) -> "Axes":
    """Stacked energy bars, one per layer (Eyeriss ISCA 2016 Fig. 10 style), grouped when several runs.

    Parameters
    ----------
    run : RunResult, LayerResult, dict, or sequence of them
        A run, or its JSON document (``RunResult.to_dict()``, docs/architecture.md, *Results*); a single
        ``LayerResult`` or layer record plots one bar. Several runs (a sequence, or the ``{"runs":
        [...]}`` document of ``compare --json``) are drawn side by side: one group per layer, one bar
        per run in each group, every bar named by its run (dataflow, plus batch / hardware /
        workload where runs differ) under it. They must share one energy unit.
    by : {"level", "type"}
        ``"level"``: segments ``ALU, RF, NoC, GLB, DRAM`` (bottom to top), each summed over
        data types. ``"type"``: segments ``ALU, ifmap, filter, psum``, each data type summed
        over ``RF, NoC, GLB, DRAM``. Colours are fixed (:data:`accelsim.plot.draw.COLORS`).
    normalize : None, "mac", or float
        ``None``: energies in the run's unit (MAC energies or pJ); ``"mac"``: each bar divided by
        its layer's MACs (energy per MAC); a positive number: every bar divided by it.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` creates a new pyplot figure.
    layers : sequence of str or int, optional
        Layer names (or positions in the first run) to show, in this order; ``None`` shows every
        layer. The default title names them.
    title : str, optional
        Axes title; ``None`` builds one from the run (workload, hardware, dataflow(s), batch, and
        the layers when ``layers`` is given), ``""`` leaves it empty.
    log : bool
        Log y axis (from the decade below the smallest segment), so that layers whose energy per
        MAC differs tenfold (AlexNet's FC and CONV layers) are all legible; the y label says so.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. It holds one ``BarContainer`` per segment (label = segment name),
        each with one bar per layer at x = 0, 1, ... (several runs: one bar per layer and run,
        layer-major, spread over each layer's slot; minor tick labels name the runs); an
        infeasible layer has zero-height bars and the text ``"infeasible"`` in its slot (a layer
        a run lacks: ``"no such layer"``).

    Raises
    ------
    ValueError
        Bad ``by`` or ``normalize``, ``normalize="mac"`` for a feasible layer with no MACs, or runs
        in different energy units.
    KeyError
        A name in ``layers`` is not in the (first) run.
    """
    views = as_runs(run)
    names = segment_names(by, has_clock(views))
    divisor(normalize, 1, "")  # validate before drawing anything
    unit = common_unit(views)
    shown = _layer_names(views, layers)
    cells: list[LayerView | None] = [next((lv for lv in v.layers if lv.name == name), None)
                                     for name in shown for v in views]
    heights: dict[str, list[float]] = {name: [] for name in names}
    for lv in cells:
        if lv is not None and lv.ok:
            d = divisor(normalize, lv.macs, f"layer {lv.name!r}")
            seg = segments(lv.energy, by)
            for name in names:
                heights[name].append(seg.get(name, 0.0) / d)
        else:
            for name in names:
                heights[name].append(0.0)
    if ax is None:
        ax = new_axes(len(cells))
    positions, width = group_positions(len(shown), len(views))
    stacked_bars(ax, heights, "component" if by == "level" else "data type", positions, width)
    for x, lv in zip(positions, cells):
        if lv is None or not lv.ok:
            mark(ax, x, "infeasible" if lv is not None else "no such layer")
    if len(views) == 1:
        set_ticks(ax, shown)
    else:
        set_group_ticks(ax, shown, run_labels(views), positions)
    ax.set_ylabel(energy_label(unit, normalize))
    ax.set_xlabel("layer")
    if log:
        log_scale(ax)
    if title is None:
        dataflows = ", ".join(dict.fromkeys(v.dataflow for v in views if v.dataflow))
        title = run_title(shared(views, "workload") or "", shared(views, "hardware") or "", dataflows,
                          shared(views, "batch"), None if layers is None else shown)
    ax.set_title(title)
    return ax
