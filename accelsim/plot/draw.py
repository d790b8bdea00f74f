"""Drawing pieces shared by the plots: fixed colours, stacked bars, infeasible markers.

Nothing here touches global matplotlib state (rcParams, styles, the current figure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

#: Colour of each stack segment. Components (by="level") follow the memory hierarchy from
#: grey (ALU) through warm (RF) and blue (NoC) to green (GLB) and red (DRAM); data types
#: (by="type") use blue (ifmap), sand (filter) and wine (psum). Okabe-Ito and Tol palettes
#: (colour-blind safe); the same name always gets the same colour in every plot.
COLORS: dict[str, str] = {
    "ALU": "#999999",
    "RF": "#E69F00",
    "NoC": "#56B4E9",
    "GLB": "#009E73",
    "DRAM": "#D55E00",
    "ifmap": "#0072B2",
    "filter": "#DDCC77",
    "psum": "#AA4499",
    "clock": "#332288",
}

#: Colour of utilisation bars.
UTILIZATION_COLOR: str = "#0072B2"

#: Text put in the slot of an infeasible layer or run.
INFEASIBLE: str = "infeasible"

BAR_WIDTH: float = 0.7


def new_axes(n_bars: int) -> "Axes":
    """A fresh figure and axes sized for ``n_bars`` bars (pyplot, so notebooks show it)."""
    import matplotlib.pyplot as plt

    width = min(max(4.5, 1.6 + 0.6 * n_bars), 16.0)
    _, ax = plt.subplots(figsize=(width, 3.6), layout="constrained")
    return ax


def stacked_bars(ax: "Axes", heights: Mapping[str, Sequence[float]], legend_title: str,
                 positions: Sequence[float] | None = None, width: float = BAR_WIDTH) -> None:
    """Draw one stacked bar per position, one ``BarContainer`` per segment.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    heights : Mapping
        Segment name → heights, one per bar (all the same length), bottom segment first.
        Each segment becomes a ``BarContainer`` labelled with its name.
    legend_title : str
        Title of the legend (placed right of the axes, top segment listed first).
    positions : sequence of float, optional
        Bar centres; ``None``: 0, 1, 2, ...
    width : float
        Bar width.
    """
    bottoms: list[float] | None = None
    for name, values in heights.items():
        values = [float(v) for v in values]
        if bottoms is None:
            bottoms = [0.0] * len(values)
        ax.bar(range(len(values)) if positions is None else list(positions), values, width, bottom=bottoms,
               label=name, color=COLORS.get(name), edgecolor="white", linewidth=0.5)
        bottoms = [b + v for b, v in zip(bottoms, values)]
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], title=legend_title, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False)


def mark(ax: "Axes", x: float, text: str = INFEASIBLE) -> None:
    """Write ``text`` upright in the (empty) slot at ``x``, just above the x axis."""
    ax.text(x, 0.02, text, transform=ax.get_xaxis_transform(), rotation=90, ha="center",
            va="bottom", color="0.35", fontsize="small", fontstyle="italic")


def set_ticks(ax: "Axes", labels: Sequence[str]) -> None:
    """One tick per bar; labels turn upright when there are many bars."""
    rotation = 90 if len(labels) > 8 else 0
    ax.set_xticks(range(len(labels)), list(labels), rotation=rotation)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    if all(p.get_height() == 0 for p in ax.patches):
        ax.set_ylim(0.0, 1.0)  # nothing feasible: keep a sensible empty frame
    else:
        ax.set_ylim(bottom=0.0)


def group_positions(n_groups: int, n_members: int) -> tuple[list[float], float]:
    """Bar centres of ``n_groups`` groups of ``n_members`` bars (group-major), and the bar width.

    Group ``i`` spans ``i ± BAR_WIDTH / 2``; one member per group gives the centres 0, 1, 2, ...
    """
    width = BAR_WIDTH / max(1, n_members)
    return [i - BAR_WIDTH / 2 + (j + 0.5) * width for i in range(n_groups) for j in range(n_members)], width


def set_group_ticks(ax: "Axes", groups: Sequence[str], members: Sequence[str], positions: Sequence[float]) -> None:
    """Group names under each group (major ticks), member names under each bar (minor ticks).

    ``positions`` are the bar centres of :func:`group_positions`; the member labels repeat per group.
    """
    set_ticks(ax, groups)
    upright = len(positions) > 12 or any("\n" in m for m in members)
    labels = [members[k % len(members)] for k in range(len(positions))]
    ax.xaxis.remove_overlapping_locs = False  # a group's middle bar sits on the group's (major) tick
    ax.set_xticks(list(positions), labels, minor=True, rotation=90 if upright else 0, fontsize="x-small")
    longest = max((len(line) for m in members for line in m.split("\n")), default=1)
    lines = max((m.count("\n") + 1 for m in members), default=1)
    depth_pt = 5.5 * longest if upright else 9.0 * lines  # height of the member labels, in points
    ax.tick_params(axis="x", which="major", length=0, pad=6 + depth_pt)
    ax.tick_params(axis="x", which="minor", length=2)


def log_scale(ax: "Axes") -> None:
    """Log y axis from the decade below the lowest stack's first segment to above the tallest stack.

    On a log axis a stack's bottom segment (drawn from zero) starts at the axis' bottom; the
    segments above it keep their true extents. The y label gains ", log scale".
    """
    import math

    firsts: dict[float, float] = {}  # bar centre -> top of its lowest positive segment
    for p in ax.patches:
        if p.get_height() > 0:
            x = round(p.get_x() + p.get_width() / 2, 9)
            firsts[x] = min(firsts.get(x, math.inf), p.get_y() + p.get_height())
    ax.set_yscale("log")
    if firsts:
        top = max(p.get_y() + p.get_height() for p in ax.patches)
        ax.set_ylim(10.0 ** math.floor(math.log10(min(firsts.values()))), top * 1.5)
    ax.set_ylabel(f"{ax.get_ylabel()}, log scale")


def run_title(workload: str, hardware: str, dataflow: str, batch: int | None,
              layers: Sequence[str] | None = None) -> str:
    """``"alexnet on eyeriss, rs, N=4"`` from whatever parts are known, plus ``"layer conv3"`` when
    only some layers are shown."""
    head = " on ".join(p for p in (workload, hardware) if p)
    shown = f"layer{'s' if len(layers) > 1 else ''} {', '.join(layers)}" if layers else ""
    tail = ", ".join(p for p in (dataflow, f"N={batch}" if batch else "", shown) if p)
    return ", ".join(p for p in (head, tail) if p)


def selection_text(where: Mapping[str, object] | None) -> str:
    """``"dataflow=rs, batch=4"``: a ``where`` selection as a title names it."""
    return ", ".join(f"{k}={v}" for k, v in (where or {}).items())
