"""Cycle-engine plots: PE utilisation heat map, traffic over time, stall cycles by cause.

Inputs are cycle-engine results (``simulate(..., engine="cycle")`` / ``simulate_network(...,
engine="cycle")``), the JSON documents ``accelsim run --engine cycle --json`` writes (heat map
and stall bars: they hold ``timing``), or the ``.npz`` that ``accelsim run --engine cycle
--trace t.npz`` writes (heat map and traffic: per layer ``<layer>.trace``,
``<layer>.bin_cycles``, ``<layer>.pe_busy``, plus ``columns``), as a path or as ``np.load``'s
result. Every function takes ``ax=None`` and returns the ``Axes`` it drew on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any

from .draw import BAR_WIDTH, COLORS, mark, run_title, set_ticks

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

#: Trace columns drawn by :func:`bandwidth_over_time` unless told otherwise.
BANDWIDTH_COLUMNS: tuple[str, ...] = ("ifmap_bus_words", "filter_bus_words", "psum_bus_words", "glb_words",
                                      "dram_words")

#: Colour of each trace column: the data type's colour for its bus, the level's for GLB / DRAM.
TRACE_COLORS: dict[str, str] = {
    "macs": COLORS["ALU"],
    "ifmap_bus_words": COLORS["ifmap"],
    "filter_bus_words": "#B8A535",  # the filter sand, darkened to read as a line
    "psum_bus_words": COLORS["psum"],
    "glb_words": COLORS["GLB"],
    "dram_words": COLORS["DRAM"],
    "stall_cycles": "#000000",
}

#: What each trace column counts, as the legend of :func:`bandwidth_over_time` says it. DRAM words
#: are booked in the cycles they cross the link (the prefetch of the next GLB tile included), so
#: the DRAM line never stands above the link's capacity; the on-chip words are booked in the bin
#: of the MAC step that uses them (or, for psums, produces them): words that crossed earlier in
#: the background (RF prefetch, psums queued to the GLB) appear when used.
TRACE_LABELS: dict[str, str] = {
    "macs": "MACs",
    "ifmap_bus_words": "ifmap bus",
    "filter_bus_words": "filter bus",
    "psum_bus_words": "psum: GIN + GON + local PE links",
    "glb_words": "GLB reads + writes",
    "dram_words": "DRAM link, booked as the words cross it",
    "stall_cycles": "stall cycles",
}

#: Colour of each segment of :func:`stall_breakdown`: MAC cycles grey (as the ALU), a bus stall
#: in its data type's colour, GLB and DRAM stalls in their level's, pipeline drains indigo, sparse
#: PEs' imbalance rose.
STALL_COLORS: dict[str, str] = {
    "compute": COLORS["ALU"],
    "noc_ifmap": COLORS["ifmap"],
    "noc_filter": COLORS["filter"],
    "noc_psum": COLORS["psum"],
    "glb_bandwidth": COLORS["GLB"],
    "dram": COLORS["DRAM"],
    "pipeline": "#332288",
    "imbalance": "#CC6677",  # sparse PEs waiting for slower PEs
}

#: Colour map of :func:`pe_heatmap` (perceptually uniform, colour-blind safe).
HEATMAP_CMAP: str = "viridis"

_NO_TIMING = "no timing"


@dataclass(frozen=True, slots=True, eq=False)
class CycleView:
    """One layer's cycle-engine data as the plots see it; fields a source lacks are ``None``.

    Attributes
    ----------
    name : str
    ok : bool
        False for an infeasible (or failed) layer.
    utilization : numpy.ndarray or None
        float[rows, cols]: busy cycles ÷ cycles of each physical PE.
    trace : numpy.ndarray or None
        float[bins, len(columns)]: activity per bin of ``bin_cycles`` cycles.
    columns : tuple of str
        Names of the trace columns (``accelsim.sim.cycle.TRACE_COLUMNS``).
    bin_cycles, cycles, compute_cycles : int or None
    stall_cycles : dict or None
        Cause → cycles (``accelsim.sim.cycle.STALL_CAUSES``).
    capacity : dict or None
        Trace column → words per cycle its link carries (``accelsim.sim.cycle.trace_capacities``),
        when the source records it (a ``--trace`` .npz written by ``accelsim run``).
    """

    name: str
    ok: bool = True
    utilization: Any = None
    trace: Any = None
    columns: tuple[str, ...] = ()
    bin_cycles: int | None = None
    cycles: int | None = None
    compute_cycles: int | None = None
    stall_cycles: dict | None = None
    capacity: dict | None = None


@dataclass(frozen=True, slots=True, eq=False)
class _Source:
    layers: tuple[CycleView, ...]
    title: str  # workload / hardware / dataflow / batch, as far as known
    what: str  # how error messages name the source
    is_trace: bool  # read from a --trace .npz (no stall causes)


# ------------------------------------------------------------------ reading
def _npz_cycles(trace, pe_busy, bin_cycles: int, columns: tuple[str, ...]) -> int:
    """Cycles of a layer from its trace: MAC steps (MACs ÷ active PEs) + stall cycles.

    Every active PE does one MAC per step and every cycle is a step or a stall, so this is exact
    while the trace covers the whole run (the kernel keeps up to 4× the bins the analytic estimate
    asks for); otherwise the span of the trace's bins is used.
    """
    import numpy as np

    bins = trace.shape[0]
    active = int(np.count_nonzero(pe_busy > 0))
    if active and bins and "macs" in columns and "stall_cycles" in columns:
        steps = trace[:, columns.index("macs")].sum() / active
        cycles = round(float(steps + trace[:, columns.index("stall_cycles")].sum()))
        if (bins - 1) * bin_cycles <= cycles < bins * bin_cycles:
            return cycles
    return max(bins * bin_cycles, 1)


def read_trace(source) -> dict[str, CycleView]:
    """The layers of a trace written by ``accelsim run --engine cycle --trace t.npz``.

    Parameters
    ----------
    source : str, path, or mapping
        The ``.npz`` path, or what ``numpy.load`` returned for it (any mapping with keys
        ``<layer>.trace``, ``<layer>.bin_cycles``, ``<layer>.pe_busy`` and ``columns``; an
        optional ``<layer>.cycles`` is used when present, else cycles are recovered from the trace).

    Returns
    -------
    dict
        Layer name → :class:`CycleView` (utilisation = ``pe_busy`` ÷ cycles), in file order.

    Raises
    ------
    ValueError
        The mapping holds no ``<layer>.trace`` arrays.
    """
    import numpy as np

    if isinstance(source, (str, PathLike)):
        with np.load(source) as npz:
            return read_trace({k: npz[k] for k in npz.files})
    keys = list(source.keys())
    names = [k[: -len(".trace")] for k in keys if k.endswith(".trace")]
    if not names:
        raise ValueError("not a cycle-engine trace: no '<layer>.trace' arrays "
                         "(write one with: accelsim run ... --engine cycle --trace t.npz)")
    columns = tuple(str(c) for c in np.asarray(source["columns"]).tolist()) if "columns" in keys else ()
    capacity = None
    if "capacity_columns" in keys and "capacity_words_per_cycle" in keys:
        capacity = dict(zip((str(c) for c in np.asarray(source["capacity_columns"]).tolist()),
                            (float(w) for w in np.asarray(source["capacity_words_per_cycle"]).tolist())))
    out = {}
    for name in names:
        trace = np.asarray(source[f"{name}.trace"], dtype=np.float64)
        cols = columns if len(columns) == trace.shape[1] else tuple(f"column {i}" for i in range(trace.shape[1]))
        bin_cycles = int(np.asarray(source[f"{name}.bin_cycles"])) if f"{name}.bin_cycles" in keys else 1
        busy = np.asarray(source[f"{name}.pe_busy"], dtype=np.float64) if f"{name}.pe_busy" in keys else None
        if f"{name}.cycles" in keys:
            cycles = int(np.asarray(source[f"{name}.cycles"]))
        elif busy is not None:
            cycles = _npz_cycles(trace, busy, bin_cycles, cols)
        else:
            cycles = None
        out[name] = CycleView(
            name=name, trace=trace, columns=cols,
            bin_cycles=bin_cycles, cycles=cycles,
            utilization=None if busy is None else busy / max(cycles or 1, 1), capacity=capacity,
        )
    return out


def _from_timing(name: str, ok: bool, timing: Mapping | None, trace=None) -> CycleView:
    import numpy as np

    if not ok or not timing:
        return CycleView(name=name, ok=ok)
    util = timing.get("pe_utilization")
    return CycleView(
        name=name, ok=True,
        utilization=None if util is None else np.asarray(util, dtype=np.float64),
        trace=None if trace is None else np.asarray(trace, dtype=np.float64),
        columns=tuple(timing.get("trace_columns") or ()),
        bin_cycles=timing.get("trace_bin_cycles"), cycles=timing.get("cycles"),
        compute_cycles=timing.get("compute_cycles"),
        stall_cycles=None if timing.get("stall_cycles") is None else dict(timing["stall_cycles"]),
    )


def _from_result(r) -> CycleView:
    """The view of a LayerResult: its timing record as the result document has it."""
    timing = None if r.timing is None else r.timing.to_dict()
    return _from_timing(str(r.layer.name), bool(r.ok), timing, r.trace)


def _source(obj) -> _Source:
    if isinstance(obj, _Source):
        return obj
    if isinstance(obj, CycleView):
        return _Source((obj,), "", f"layer {obj.name!r}", obj.stall_cycles is None and obj.trace is not None)
    if isinstance(obj, (str, PathLike)) or (isinstance(obj, Mapping) and any(
            str(k).endswith(".trace") for k in obj)):
        what = f"trace {obj}" if isinstance(obj, (str, PathLike)) else "this trace"
        return _Source(tuple(read_trace(obj).values()), "", what, True)
    if isinstance(obj, Mapping):
        if "layers" in obj:
            layers = tuple(_from_timing(str(r.get("name", "?")), str(r.get("status", "ok")) == "ok", r.get("timing"))
                           for r in obj["layers"])
            batch = obj.get("batch")
            title = run_title(str(obj.get("workload", "")), str(obj.get("hardware", "")),
                              str(obj.get("dataflow", "")), None if batch is None else int(batch))
            return _Source(layers, title, "this run", False)
        if "timing" in obj or "name" in obj:
            view = _from_timing(str(obj.get("name", "?")), str(obj.get("status", "ok")) == "ok", obj.get("timing"))
            return _Source((view,), "", "this layer", False)
        raise TypeError("a result document needs a 'layers' list or a layer's 'timing'")
    if hasattr(obj, "layers") and hasattr(obj, "energy_unit"):
        layers = tuple(_from_result(r) for r in obj.layers)
        return _Source(layers, run_title(str(obj.workload), str(obj.hardware), str(obj.dataflow), int(obj.batch)),
                       "this run", False)
    if hasattr(obj, "layer") and hasattr(obj, "timing"):
        return _Source((_from_result(obj),), run_title("", str(obj.hardware), str(obj.dataflow), int(obj.layer.N)),
                       "this layer", False)
    raise TypeError(f"cannot plot a {type(obj).__name__}; give a cycle-engine RunResult or LayerResult, "
                    "its JSON document, or a --trace .npz")


def _pick(src: _Source, layer: str | int | None, field: str, needs: str) -> CycleView:
    """The layer to draw: ``layer`` by name or position, else the first with ``field``."""
    if layer is None:
        for view in src.layers:
            if getattr(view, field) is not None:
                return view
        raise ValueError(f"{src.what} has no {needs}; run the cycle-level engine (engine='cycle')"
                         + ("" if field == "utilization" else ", and plot its result or its --trace .npz"))
    if isinstance(layer, int) and not isinstance(layer, bool):
        view = src.layers[layer]
    else:
        found = [v for v in src.layers if v.name == layer]
        if not found:
            raise KeyError(f"no layer {layer!r} in {src.what}; it has "
                           f"{', '.join(v.name for v in src.layers) or 'no layers'}")
        view = found[0]
    if getattr(view, field) is None:
        why = "is infeasible" if not view.ok else f"has no {needs}"
        raise ValueError(f"layer {view.name!r} {why}")
    return view


def _new_axes(width: float, height: float) -> "Axes":
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


#: At most this many labelled PE rows / columns on a heat-map axis.
MAX_PE_TICKS: int = 16
_TICK_STEPS: tuple[int, ...] = (1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def _pe_ticks(n: int) -> range:
    """Every PE index while at most :data:`MAX_PE_TICKS` fit, else every 2nd, 4th, 5th, 10th, ... from 0."""
    step = next((k for k in _TICK_STEPS if -(-n // k) <= MAX_PE_TICKS), -(-n // MAX_PE_TICKS))
    return range(0, n, step)


# ------------------------------------------------------------------ plots
def pe_heatmap(result, ax: "Axes | None" = None, layer: str | int | None = None,
               title: str | None = None) -> "Axes":
    """Heat map of each physical PE's utilisation (busy cycles ÷ cycles) for one layer.

    Parameters
    ----------
    result : LayerResult, RunResult, dict, str, path, npz, or CycleView
        A cycle-engine result (``timing["pe_utilization"]``), its JSON document, or a
        ``--trace`` ``.npz`` (path, ``numpy.load`` result, or one layer of
        :func:`read_trace`; ``<layer>.pe_busy`` ÷ cycles).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` creates a new pyplot figure. A colour bar is added beside it.
    layer : str or int, optional
        Layer name (or position) in a run or trace; ``None``: the first layer with timing.
    title : str, optional
        ``None``: ``"<layer>: PE utilization, mean <u> (<k>/<n> PEs busy)"``, the mean over all
        PEs of the array; ``""`` leaves it empty.

    Returns
    -------
    matplotlib.axes.Axes
        Holds one ``AxesImage`` whose array is the rows × cols utilisation grid (row 0 at the
        top, column 0 at the left; colour scale fixed to 0..1, :data:`HEATMAP_CMAP`).

    Raises
    ------
    KeyError
        ``layer`` is not in the run or trace (the message lists the layers).
    ValueError
        No cycle-engine timing (an analytic result), or the chosen layer is infeasible.
    """
    import numpy as np

    view = _pick(_source(result), layer, "utilization", "cycle-engine PE utilization")
    grid = np.asarray(view.utilization, dtype=np.float64)
    if grid.ndim != 2:
        raise ValueError(f"layer {view.name!r}: PE utilization must be a rows x cols grid, got shape {grid.shape}")
    rows, cols = grid.shape
    if ax is None:
        ax = _new_axes(min(max(4.0, 0.4 * cols + 2.2), 16.0), min(max(3.0, 0.4 * rows + 1.2), 12.0))
    # aspect "auto": the grid fills the axes whatever the figure (square cells on a figure of its own)
    image = ax.imshow(grid, cmap=HEATMAP_CMAP, vmin=0.0, vmax=1.0, origin="upper", interpolation="nearest",
                      aspect="auto")
    ax.figure.colorbar(image, ax=ax, label="busy cycles / cycles", fraction=0.05, pad=0.02)
    ax.set_xticks(_pe_ticks(cols))
    ax.set_yticks(_pe_ticks(rows))
    ax.tick_params(labelsize="small")
    ax.set_xlabel("PE column")
    ax.set_ylabel("PE row")
    if title is None:
        busy = int(np.count_nonzero(grid > 0))
        title = f"{view.name}: PE utilization, mean {grid.mean():.2f} ({busy}/{grid.size} PEs busy)"
    ax.set_title(title)
    return ax


def bandwidth_over_time(result, ax: "Axes | None" = None, columns: Sequence[str] = BANDWIDTH_COLUMNS,
                        layer: str | int | None = None, title: str | None = None,
                        capacity: Mapping[str, float] | None = None) -> "Axes":
    """Words moved per cycle over the run of one layer, one line per trace column, with link capacities.

    Words are booked in the interval of the step that uses them (:data:`TRACE_LABELS`): a DRAM
    tile prefetched during the previous GLB tile shows up when that tile starts, so the DRAM
    line can stand above the link's capacity for an interval (the legend says so); the psum
    line sums the psum GIN, the GON and every PE-to-PE local link.

    Parameters
    ----------
    result : LayerResult, RunResult, str, path, npz, or CycleView
        A cycle-engine result (its ``trace``) or a ``--trace`` ``.npz`` (path, ``numpy.load``
        result, or one layer of :func:`read_trace`). JSON documents hold no trace.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` creates a new pyplot figure.
    columns : sequence of str
        Trace columns to draw (``accelsim.sim.cycle.TRACE_COLUMNS``): by default the ifmap,
        filter and psum buses (GIN, plus GON and local links for psums), GLB and DRAM words;
        ``"macs"`` and ``"stall_cycles"`` are accepted too (MACs / stall cycles per cycle).
    layer : str or int, optional
        Layer name (or position); ``None``: the first layer with a trace.
    title : str, optional
        ``None``: ``"<layer>: traffic per cycle (<b>-cycle bins)"``; ``""`` leaves it empty.
    capacity : mapping, optional
        Trace column → words per cycle of its link (``accelsim.sim.cycle.trace_capacities(hw)``);
        ``None``: what the source recorded (a ``--trace`` .npz written by ``accelsim run``), if anything.

    Returns
    -------
    matplotlib.axes.Axes
        One ``Line2D`` per column (label = column name, fixed colour :data:`TRACE_COLORS`):
        x = the centre cycle of each bin, y = the bin's words ÷ ``bin_cycles``, drawn as steps
        spanning each bin. The x axis is in cycles, from 0 to the end of the last bin. Each drawn
        column with a capacity adds a dashed horizontal ``LineCollection`` in its colour at that
        many words per cycle (gid ``"capacity:<column>"``); the y axis reaches every capacity. The
        legend names each line by :data:`TRACE_LABELS` and each capacity by its value.

    Raises
    ------
    KeyError
        ``layer`` is not in the run or trace.
    ValueError
        No trace (an analytic result or a JSON document), or a column the trace lacks.
    """
    import numpy as np

    view = _pick(_source(result), layer, "trace", "cycle-engine trace")
    if isinstance(columns, str):
        columns = (columns,)
    missing = [c for c in columns if c not in view.columns]
    if missing or not columns:
        raise ValueError(f"no trace column {', '.join(map(repr, missing)) or '(none given)'}; "
                         f"the trace has {', '.join(view.columns)}")
    trace = np.asarray(view.trace, dtype=np.float64)
    bin_cycles = int(view.bin_cycles or 1)
    bins = trace.shape[0]
    x = (np.arange(bins, dtype=np.float64) + 0.5) * bin_cycles
    if ax is None:
        ax = _new_axes(9.0, 3.6)
    end = max(bins * bin_cycles, 1)
    limits = dict(view.capacity or {}) if capacity is None else dict(capacity)
    handles, texts = [], []
    for col in columns:
        (line,) = ax.plot(x, trace[:, view.columns.index(col)] / bin_cycles, drawstyle="steps-mid", label=col,
                          color=TRACE_COLORS.get(col), linewidth=1.0)
        handles.append(line)
        texts.append(TRACE_LABELS.get(col, col))
    for col in columns:
        if col in limits:
            cap = ax.hlines(limits[col], 0.0, end, colors=TRACE_COLORS.get(col), linestyles="--", linewidth=0.9,
                            label=f"_capacity {col}")
            cap.set_gid(f"capacity:{col}")
            handles.append(cap)
            texts.append(f"{TRACE_LABELS.get(col, col).split(',')[0]} capacity, {limits[col]:g} words/cycle")
    ax.set_xlim(0.0, end)
    top = max([limits[c] for c in columns if c in limits] + [float((trace[:, [view.columns.index(c) for c in columns]]
                                                                    / bin_cycles).max(initial=0.0))])
    ax.set_ylim(0.0, top * 1.05 if top > 0 else 1.0)
    ax.set_xlabel("cycle")
    ax.set_ylabel("words per cycle" if all(c.endswith("words") for c in columns) else "per cycle")
    ax.legend(handles, texts, title="words, booked at the step that uses them; dashed: link capacity",
              loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False, fontsize="small",
              title_fontsize="small")
    ax.set_title(f"{view.name}: traffic per cycle ({bin_cycles:,}-cycle bins)" if title is None else title)
    return ax


def stall_breakdown(run_or_result, ax: "Axes | None" = None, layers: Sequence[str] | None = None,
                    title: str | None = None) -> "Axes":
    """Stacked bars per layer: compute (MAC) cycles, then stall cycles by cause.

    Parameters
    ----------
    run_or_result : RunResult, LayerResult, or dict
        A cycle-engine result or its JSON document (``timing["compute_cycles"]`` and
        ``timing["stall_cycles"]``). A ``--trace`` ``.npz`` does not record causes.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` creates a new pyplot figure.
    layers : sequence of str, optional
        Layer names to show, in this order; ``None`` shows every layer.
    title : str, optional
        ``None`` names the run and adds ``"cycles by cause"``; ``""`` leaves it empty.

    Returns
    -------
    matplotlib.axes.Axes
        One ``BarContainer`` per segment, bottom first: ``compute``, then each stall cause in
        the order of ``accelsim.sim.cycle.STALL_CAUSES`` (colours :data:`STALL_COLORS`), one bar per layer
        at x = 0, 1, ...; a bar stacks to the layer's cycles. Infeasible layers (and layers
        without timing) have zero-height bars and a note in their slot.

    Raises
    ------
    KeyError
        A name in ``layers`` is not in the run.
    ValueError
        Nothing in the input has cycle-engine timing, or the input is a trace.
    """
    src = _source(run_or_result)
    if src.is_trace:
        raise ValueError("a --trace .npz does not record stall causes; plot the cycle-engine result "
                         "or the document written by accelsim run --engine cycle --json")
    views = list(src.layers)
    if layers is not None:
        by_name = {v.name: v for v in views}
        unknown = [n for n in ([layers] if isinstance(layers, str) else layers) if n not in by_name]
        if unknown:
            raise KeyError(f"no layer {unknown[0]!r} in {src.what}; it has {', '.join(by_name) or 'no layers'}")
        views = [by_name[n] for n in ([layers] if isinstance(layers, str) else layers)]
    if not any(v.stall_cycles is not None for v in views):
        raise ValueError(f"{src.what} has no cycle-engine timing; run the cycle-level engine (engine='cycle')")
    causes: list[str] = []  # in the engine's order (accelsim.sim.cycle.STALL_CAUSES), as its records list them
    for v in views:
        causes += [c for c in (v.stall_cycles or {}) if c not in causes]
    heights: dict[str, list[float]] = {name: [] for name in ["compute", *causes]}
    for v in views:
        timed = v.stall_cycles is not None
        heights["compute"].append(float(v.compute_cycles or 0) if timed else 0.0)
        for cause in causes:
            heights[cause].append(float(v.stall_cycles.get(cause, 0)) if timed else 0.0)
    if ax is None:
        ax = _new_axes(min(max(4.5, 1.6 + 0.6 * len(views)), 16.0), 3.6)
    bottoms = [0.0] * len(views)
    for name, values in heights.items():
        ax.bar(range(len(views)), values, BAR_WIDTH, bottom=bottoms, label=name, color=STALL_COLORS.get(name),
               edgecolor="white", linewidth=0.5)
        bottoms = [b + h for b, h in zip(bottoms, values)]
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], title="cycles spent on", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False)
    for x, v in enumerate(views):
        if v.stall_cycles is None:
            mark(ax, x, "infeasible" if not v.ok else _NO_TIMING)
    set_ticks(ax, [v.name for v in views])
    ax.set_ylabel("cycles")
    ax.set_xlabel("layer")
    if title is None:
        shown = None if layers is None else [v.name for v in views]
        title = ", ".join(p for p in (src.title, run_title("", "", "", None, shown), "cycles by cause") if p)
    ax.set_title(title)
    return ax
