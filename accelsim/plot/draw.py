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


def stacked_bars(ax: "Axes", heights: Mapping[str, Sequence[float]], legend_title: str) -> None:
    """Draw one stacked bar per position, one ``BarContainer`` per segment.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    heights : Mapping
        Segment name → heights, one per bar (all the same length), bottom segment first.
        Each segment becomes a ``BarContainer`` labelled with its name.
    legend_title : str
        Title of the legend (placed right of the axes, top segment listed first).
    """
    bottoms: list[float] | None = None
    for name, values in heights.items():
        values = [float(v) for v in values]
        if bottoms is None:
            bottoms = [0.0] * len(values)
        ax.bar(range(len(values)), values, BAR_WIDTH, bottom=bottoms, label=name,
               color=COLORS.get(name), edgecolor="white", linewidth=0.5)
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


def run_title(workload: str, hardware: str, dataflow: str, batch: int | None) -> str:
    """``"alexnet on eyeriss, rs, N=4"`` from whatever parts are known."""
    head = " on ".join(p for p in (workload, hardware) if p)
    tail = ", ".join(p for p in (dataflow, f"N={batch}" if batch else "") if p)
    return ", ".join(p for p in (head, tail) if p)
