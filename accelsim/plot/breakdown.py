"""Per-layer energy breakdown: Eyeriss-style stacked bars, one bar per layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .draw import mark, new_axes, run_title, set_ticks, stacked_bars
from .records import as_run, divisor, energy_label, segment_names, segments

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


def energy_breakdown(run, by: str = "level", normalize=None, ax: "Axes | None" = None,
                     layers: Sequence[str | int] | None = None, title: str | None = None) -> "Axes":
    """Stacked energy bars, one per layer (Eyeriss ISCA 2016 Fig. 10 style).

    Parameters
    ----------
    run : RunResult, LayerResult, or dict
        A run, or its JSON document (``RunResult.to_dict()``, docs/architecture.md, *Results*); a single
        ``LayerResult`` or layer record plots one bar.
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
        Layer names (or positions) to show, in this order; ``None`` shows every layer.
    title : str, optional
        Axes title; ``None`` builds one from the run (workload, hardware, dataflow, batch),
        ``""`` leaves it empty.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. It holds one ``BarContainer`` per segment (label = segment name),
        each with one bar per layer at x = 0, 1, ...; an infeasible layer has zero-height bars
        and the text ``"infeasible"`` in its slot.

    Raises
    ------
    ValueError
        Bad ``by`` or ``normalize``, or ``normalize="mac"`` for a feasible layer with no MACs.
    KeyError
        A name in ``layers`` is not in the run.
    """
    view = as_run(run)
    names = segment_names(by)
    divisor(normalize, 1, "")  # validate before drawing anything
    shown = _pick(view.layers, layers)
    heights: dict[str, list[float]] = {name: [] for name in names}
    for lv in shown:
        if lv.ok:
            d = divisor(normalize, lv.macs, f"layer {lv.name!r}")
            for name, value in segments(lv.energy, by).items():
                heights[name].append(value / d)
        else:
            for name in names:
                heights[name].append(0.0)
    if ax is None:
        ax = new_axes(len(shown))
    stacked_bars(ax, heights, "component" if by == "level" else "data type")
    for x, lv in enumerate(shown):
        if not lv.ok:
            mark(ax, x)
    set_ticks(ax, [lv.name for lv in shown])
    ax.set_ylabel(energy_label(view.energy_unit, normalize))
    ax.set_xlabel("layer")
    ax.set_title(run_title(view.workload, view.hardware, view.dataflow, view.batch) if title is None else title)
    return ax
