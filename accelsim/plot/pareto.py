"""Energy–delay (and energy–area, delay–area) Pareto scatter of sweep cases, with the Pareto front highlighted."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .draw import selection_text
from .sweep import (LAYER_KEYS, METRICS, case_totals, check_metric, common_unit, hue_colors, metric_label,
                    per_inference, select)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

FRONT_COLOR = "#000000"
FRONT_LABEL = "Pareto front"


def pareto_front(xs: Sequence[float], ys: Sequence[float]) -> list[int]:
    """Indices of the points no other point dominates (both coordinates minimised).

    A point dominates another when it is no worse in both coordinates and better in one;
    identical points do not dominate each other (all copies are on the front).

    Parameters
    ----------
    xs, ys : sequence of float
        Coordinates (same length).

    Returns
    -------
    list of int
        Front points, ordered by ascending ``x`` (then ``y``).
    """
    if len(xs) != len(ys):
        raise ValueError(f"xs and ys differ in length ({len(xs)} vs {len(ys)})")
    order = sorted(range(len(xs)), key=lambda i: (xs[i], ys[i]))
    front: list[int] = []
    best = math.inf
    for i in order:
        if ys[i] < best:
            front.append(i)
            best = ys[i]
        elif front and (xs[i], ys[i]) == (xs[front[-1]], ys[front[-1]]):
            front.append(i)
    return front


def _points(records, per: str, where) -> tuple[list[dict[str, Any]], int]:
    """Plottable points (cases or layers) and how many were left out as not ok."""
    if per == "case":
        totals = case_totals(records, where)
        return [t for t in totals if t["ok"]], sum(1 for t in totals if not t["ok"])
    if per != "layer":
        raise ValueError(f"per must be 'case' or 'layer', got {per!r}")
    points, bad = [], 0
    for rec in select(records, where):
        if rec.get("status", "ok") != "ok":
            bad += 1
            continue
        point = dict(rec, ok=True)
        point["edp"] = (rec.get("energy_total") or 0.0) * (rec.get("cycles") or 0)
        point["energy_per_mac"] = rec["energy_total"] / rec["macs"] if rec.get("macs") else None
        point.update(per_inference(point))
        points.append(point)
    return points, bad


def pareto(records, x: str | None = None, y: str | None = None, hue: str | None = "dataflow",
           where: Mapping[str, Any] | None = None, per: str = "case", ax: "Axes | None" = None,
           title: str | None = None, log: bool = False) -> "Axes":
    """Scatter of sweep cases in (``x``, ``y``), coloured by ``hue``, with the Pareto front.

    Parameters
    ----------
    records : list of dict or DataFrame
        Sweep records (:func:`accelsim.sweep`, ``records.csv``).
    x, y : str, optional
        Case metrics (:data:`accelsim.plot.sweep.METRICS`), both minimised — ``area_mm2`` (the
        machine's area) draws energy–area or delay–area fronts. ``None``: ``cycles``
        (delay) and ``energy_total`` (in the records' energy unit) — or, when the points differ
        in batch, ``cycles_per_inference`` and ``energy_per_inference`` (totals grow with the
        batch, so on totals the smallest batch would dominate and the front be one point); the
        axis labels say which.
    hue : str or None
        Column colouring the points (one legend entry per value); ``None``: one colour.
    where : mapping, optional
        Keep only records with these column values.
    per : {"case", "layer"}
        One point per case (layers summed, the default) or per record (layer).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` creates a new pyplot figure.
    title : str, optional
        ``None``: "<n> cases, <k> on the front", then the ``where`` selection; ``""``: none.
    log : bool
        Log scale on both axes.

    Returns
    -------
    matplotlib.axes.Axes
        One ``PathCollection`` per hue value (label = the value as text) whose offsets are the
        points' (x, y); the front as a step line (``Line2D`` labelled ``"Pareto front"``,
        points in ascending x) and a ring around each front point (a ``PathCollection`` with
        gid ``"pareto-front"``). Cases with a layer that is not ``ok`` are left out and counted
        in a note in the corner.

    Raises
    ------
    ValueError
        Unknown metric or column, energy units that differ between the points while an energy is
        drawn (a table in MAC units beside the model in pJ), or nothing to plot.
    """
    points, left_out = _points(records, per, where)
    several_batches = len({str(p.get("batch")) for p in points}) > 1
    x = x or ("cycles_per_inference" if several_batches else "cycles")
    y = y or ("energy_per_inference" if several_batches else "energy_total")
    check_metric(x)
    check_metric(y)
    points = [p for p in points if p.get(x) is not None and p.get(y) is not None]
    if not points and not left_out:
        raise ValueError("no records to plot" + (f" with {dict(where)}" if where else ""))
    if hue is not None and points and hue not in points[0]:
        raise ValueError(f"no column {hue!r} in the records; columns: "
                         f"{', '.join(k for k in points[0] if k not in METRICS and k not in LAYER_KEYS)}")
    unit = common_unit(points, (x, y))
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
    groups: dict[Any, list[dict]] = {}
    for p in points:
        groups.setdefault(p.get(hue) if hue is not None else "cases", []).append(p)
    colors = hue_colors(hue or "", list(groups))
    for value, group in groups.items():
        ax.scatter([float(p[x]) for p in group], [float(p[y]) for p in group], s=22, alpha=0.75,
                   color=colors[value], edgecolors="none", label=str(value), zorder=2)
    xs, ys = [float(p[x]) for p in points], [float(p[y]) for p in points]
    front = pareto_front(xs, ys)
    fx, fy = [xs[i] for i in front], [ys[i] for i in front]
    if front:
        ax.step(fx, fy, where="post", color=FRONT_COLOR, linewidth=1.2, label=FRONT_LABEL, zorder=3)
        ring = ax.scatter(fx, fy, s=70, facecolors="none", edgecolors=FRONT_COLOR, linewidths=1.2, zorder=4,
                          label="_front points")
        ring.set_gid("pareto-front")
    if left_out:
        what = "cases" if per == "case" else "layers"
        ax.text(0.99, 0.01, f"{left_out} infeasible {what} not shown", transform=ax.transAxes, ha="right",
                va="bottom", fontsize="x-small", color="0.35")
    ax.set_xlabel(metric_label(x, unit))
    ax.set_ylabel(metric_label(y, unit))
    ax.legend(title=hue, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    if title is None:
        title = f"{len(points)} {'cases' if per == 'case' else 'layers'}, {len(front)} on the Pareto front"
        title = ", where ".join(p for p in (title, selection_text(where)) if p)
    ax.set_title(title)
    return ax
