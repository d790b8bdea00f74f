"""Eyexam as a sequence of rooflines (Chen et al., JETCAS 2019, Fig. 8 axes).

Input: the document ``accelsim eyexam --json`` writes (``{"layers": [{"name", "macs",
"operational_intensity_macs_per_word", "dram_words_per_cycle", "steps": [{"step", "name",
"macs_per_cycle", "cause"}, ...]}]}``). One layer per figure: y is MAC/cycle, x the layer's
operational intensity in MAC per DRAM word (MAC/data), both log. Steps 1-5 lower the roof (a
horizontal line each, the bandwidth slope ``DRAM words/cycle × x`` under it); steps 6-7 are
points at the layer's operational intensity, below the roof (average and instantaneous
bandwidth).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

_ROOF_STEPS = (1, 2, 3, 4, 5)
_COLORS = ("#4C72B0", "#55A868", "#C44E52", "#8172B2", "#CCB974", "#64B5CD", "#000000")


def eyexam_rooflines(doc: Mapping[str, Any], layer: str | None = None, ax: "Axes | None" = None) -> "Axes":
    """Draw one layer's seven Eyexam bounds as rooflines.

    Parameters
    ----------
    doc : mapping
        An ``accelsim eyexam --json`` document.
    layer : str, optional
        The layer to draw (default: the document's first).
    ax : Axes, optional

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        No such layer, or a layer record without seven steps.
    """
    import matplotlib.pyplot as plt

    layers = list(doc["layers"])
    rec = next((r for r in layers if layer is None or r.get("name") == layer), None)
    if rec is None:
        raise ValueError(f"no layer {layer!r} in this document")
    steps = rec.get("steps")
    if not isinstance(steps, list) or [s.get("step") for s in steps] != list(range(1, 8)):
        raise ValueError(f"layer {rec.get('name')!r} has no seven Eyexam steps: write it with accelsim eyexam --json")
    ax = ax or plt.subplots(figsize=(7, 4.5))[1]
    oi = rec.get("operational_intensity_macs_per_word") or 1.0
    bw = rec.get("dram_words_per_cycle") or 0.0
    x_lo, x_hi = oi / 100, oi * 100
    for s, color in zip(steps, _COLORS):
        y = s["macs_per_cycle"]
        label = f"{s['step']} {s['name']}: {y:,.1f}"
        if s["step"] in _ROOF_STEPS:
            knee = min(y / bw, x_hi) if bw > 0 else x_lo
            xs = [x_lo, knee, x_hi] if knee > x_lo else [x_lo, x_hi]
            ys = [min(y, bw * x_lo), min(y, bw * knee), min(y, bw * x_hi)] if len(xs) == 3 else [y, y]
            ax.plot(xs, ys, color=color, lw=1.5, label=label)
        else:
            ax.plot([oi], [y], marker="o" if s["step"] == 6 else "s", color=color, ls="none", label=label)
    ax.axvline(oi, color="#999999", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("operational intensity (MAC / DRAM word)")
    ax.set_ylabel("throughput (MAC / cycle)")
    ax.set_title(f"Eyexam: {rec.get('name')} on {doc.get('hardware', '?')} ({doc.get('dataflow', '?')})")
    ax.legend(fontsize=7, loc="lower right")
    return ax
