"""Plots of sweep records: per-case totals, and one metric across a sweep axis per dataflow.

Sweep records are the flat dicts :func:`accelsim.sweep` returns (one per case and layer; a
pandas DataFrame of them, or the rows of ``records.csv``, work too). A *case* is the set of
records sharing a ``case`` id; its totals sum the layers. A case with a layer that is not
``ok`` has no totals (it is drawn as "infeasible"/left out, never as zero energy).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .draw import BAR_WIDTH, mark, selection_text
from .records import UNIT_TEXT

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

#: Record keys that belong to a layer (or a run), not to the case's axes.
LAYER_KEYS: frozenset[str] = frozenset({
    "layer", "layer_index", "n_layers", "status", "reason", "macs", "cycles", "compute_cycles", "stall_cycles",
    "active_pes", "utilization", "energy_unit", "energy_total", "energy_ALU", "energy_RF", "energy_NoC",
    "energy_GLB", "energy_DRAM", "energy_clock", "mappings_considered", "psum_spill", "mapping", "seconds",
    "energy_source", "area_mm2", "area_MAC", "area_RF", "area_GLB", "area_NoC",
})
#: Additive per-layer quantities summed into case totals.
SUMMED: tuple[str, ...] = ("macs", "cycles", "energy_total", "energy_ALU", "energy_RF", "energy_NoC",
                           "energy_GLB", "energy_DRAM", "energy_clock")
#: Per-machine quantities (the same in every layer of a case): the machine's area, mm².
MACHINE: tuple[str, ...] = ("area_mm2",)
#: Every metric a case total has: the sums, ``edp`` (energy × cycles), ``energy_per_mac``,
#: ``cycles_per_inference`` / ``energy_per_inference`` (cycles / energy ÷ the batch), and the
#: machine's ``area_mm2``.
METRICS: tuple[str, ...] = SUMMED + ("edp", "energy_per_mac", "cycles_per_inference", "energy_per_inference",
                                     *MACHINE)
#: The metrics that are not energies (a plot of only these may mix energy units).
UNITLESS_METRICS: frozenset[str] = frozenset({"macs", "cycles", "cycles_per_inference", *MACHINE})

#: Fixed colour of each dataflow (Okabe-Ito); other hue values take :data:`PALETTE` in order.
DATAFLOW_COLORS: dict[str, str] = {"rs": "#0072B2", "ws": "#E69F00", "osa": "#009E73", "osb": "#CC79A7",
                                   "osc": "#56B4E9", "nlr": "#D55E00"}
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                            "#000000", "#999999")


def hue_colors(hue: str, values: Sequence[Any]) -> dict[Any, str]:
    """A colour per hue value (dataflows keep their fixed colours)."""
    if hue == "dataflow" and all(str(v) in DATAFLOW_COLORS for v in values):
        return {v: DATAFLOW_COLORS[str(v)] for v in values}
    return {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(values)}


def as_records(records) -> list[dict[str, Any]]:
    """A list of dicts from records or a DataFrame of them (NaN cells become ``None``)."""
    if hasattr(records, "to_dict") and not isinstance(records, Mapping):
        records = records.to_dict("records")
    out = []
    for rec in records:
        if not isinstance(rec, Mapping):
            raise TypeError(f"expected sweep records (dicts), got a {type(rec).__name__}")
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()})
    return out


def _matches(rec: Mapping, where: Mapping | None) -> bool:
    return all(rec.get(k) == v or str(rec.get(k)) == str(v) for k, v in (where or {}).items())


def select(records, where: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The records whose columns equal ``where`` (values compared as given or as text).

    Raises
    ------
    ValueError
        A ``where`` key that no record has.
    """
    recs = as_records(records)
    keys = set().union(*(r.keys() for r in recs)) if recs else set()
    for key in where or {}:
        if recs and key not in keys:
            raise ValueError(f"no column {key!r} in the records; columns: {', '.join(sorted(keys))}")
    return [r for r in recs if _matches(r, where)]


def case_totals(records, where: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One dict per case: its axes plus the totals over its layers.

    Parameters
    ----------
    records : list of dict or DataFrame
        Sweep records.
    where : mapping, optional
        Keep only records whose columns have these values.

    Returns
    -------
    list of dict
        In first-seen order. Keys: the case's axis columns, ``ok`` (every layer ``ok``),
        ``n_layers``, ``energy_unit`` and :data:`METRICS` (``None`` when not ``ok``):
        ``energy_total`` and ``energy_<component>`` in ``energy_unit``, ``cycles``, ``macs``,
        ``edp`` = energy_total × cycles, ``energy_per_mac`` = energy_total / macs,
        ``area_mm2`` (the machine's, from its first record; ``None`` in records written before
        area existed).
    """
    groups: dict[Any, list[dict]] = {}
    for i, rec in enumerate(select(records, where)):
        groups.setdefault(rec.get("case", i), []).append(rec)
    out = []
    for recs in groups.values():
        total = {k: v for k, v in recs[0].items() if k not in LAYER_KEYS}
        ok = all(r.get("status", "ok") == "ok" for r in recs)
        total.update(ok=ok, n_layers=len(recs), energy_unit=str(recs[0].get("energy_unit") or "mac"))
        for key in SUMMED:
            total[key] = sum((r.get(key) or 0) for r in recs) if ok else None
        total["edp"] = total["energy_total"] * total["cycles"] if ok else None
        for key in MACHINE:
            total[key] = recs[0].get(key) if ok else None
        total["energy_per_mac"] = total["energy_total"] / total["macs"] if ok and total["macs"] else None
        total.update(per_inference(total))
        out.append(total)
    return out


def per_inference(point: Mapping[str, Any]) -> dict[str, float | None]:
    """``cycles_per_inference`` and ``energy_per_inference`` of a case total or record: its cycles and
    energy ÷ its ``batch`` (``None`` without a positive batch or a value)."""
    try:
        batch = int(point.get("batch") or 0)
    except (TypeError, ValueError):
        batch = 0
    return {f"{m}_per_inference": (point[k] / batch if batch > 0 and point.get(k) is not None else None)
            for m, k in (("cycles", "cycles"), ("energy", "energy_total"))}


def metric_label(metric: str, unit: str) -> str:
    """Axis label of a metric (energies in ``unit``)."""
    text = UNIT_TEXT.get(unit.lower(), unit)
    labels = {"energy_total": f"energy ({text})", "energy_per_mac": f"energy per MAC ({text})",
              "cycles": "cycles", "macs": "MACs", "edp": f"energy × cycles ({text} · cycles)",
              "cycles_per_inference": "cycles per inference", "area_mm2": "area (mm²)",
              "energy_per_inference": f"energy per inference ({text})"}
    if metric in labels:
        return labels[metric]
    if metric.startswith("energy_"):
        return f"{metric.removeprefix('energy_')} energy ({text})"
    return metric


def common_unit(totals: Sequence[Mapping], metrics: Sequence[str] = ()) -> str:
    """The energy unit every ok case shares.

    Parameters
    ----------
    totals : sequence of mapping
        Case totals or records.
    metrics : sequence of str
        The metrics drawn; when none is an energy (only cycles, MACs, area), cases in different
        units may be drawn together (the first unit is returned).

    Raises
    ------
    ValueError
        The cases report energy in different units (a table in MAC units beside the model in
        pJ) and an energy is drawn: they are not comparable.
    """
    units = list(dict.fromkeys(str(t.get("energy_unit") or "mac").lower() for t in totals if t.get("ok", True)))
    if len(units) > 1 and (not metrics or any(m not in UNITLESS_METRICS for m in metrics)):
        raise ValueError(f"the cases report energy in different units ({', '.join(sorted(units))}), which do not "
                         "compare; keep one with --where energy_unit=... (or where={'energy_unit': ...}), "
                         "e.g. --where energy=model")
    return units[0] if units else "mac"


def check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")


def _order(values: list) -> list:
    """Numbers ascending; ``RxC`` arrays by PE count; anything else in first-seen order."""
    unique = list(dict.fromkeys(values))
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in unique):
        return sorted(unique)
    def pes(v):
        parts = str(v).lower().split("x")
        return int(parts[0]) * int(parts[1]) if len(parts) == 2 and all(p.isdigit() for p in parts) else None
    if all(pes(v) is not None for v in unique):
        return sorted(unique, key=lambda v: (pes(v), str(v)))
    return unique


def _varying(group: list[Mapping], skip: set[str]) -> list[str]:
    keys = [k for k in group[0] if k not in skip and k not in METRICS and k not in ("case", "ok", "n_layers")]
    return [k for k in keys if len({str(g.get(k)) for g in group}) > 1]


def sweep_comparison(records, x: str = "batch", y: str = "energy_per_mac", hue: str = "dataflow",
                     where: Mapping[str, Any] | None = None, ax: "Axes | None" = None,
                     title: str | None = None) -> "Axes":
    """Grouped bars: one group per value of the sweep axis ``x``, one bar per ``hue`` value.

    Eyeriss ISCA 2016 Fig. 12 style: dataflows side by side across batch sizes (``x="batch"``)
    or PE arrays (``x="array"`` or ``"num_pes"``), or any varied hardware field.

    Parameters
    ----------
    records : list of dict or DataFrame
        Sweep records (one per case and layer).
    x : str
        The record column whose values form the groups (numbers ascending, ``RxC`` arrays by
        PE count, other values in first-seen order).
    y : str
        A case metric (:data:`METRICS`): ``energy_per_mac`` (default), ``energy_total``,
        ``cycles``, ``edp``, ``energy_DRAM`` …
    hue : str
        The column telling bars within a group apart (a legend entry each).
    where : mapping, optional
        Keep only records with these column values (fix the other axes of the sweep).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None`` creates a new pyplot figure.
    title : str, optional
        ``None``: names the fixed axes; ``""``: none.

    Returns
    -------
    matplotlib.axes.Axes
        One ``BarContainer`` per hue value (label = the value as text), one bar per ``x`` value
        (tick labels = the values); a bar's height is the case's ``y``. An infeasible case
        has a zero-height bar and the text ``"infeasible"``; a missing (x, hue) pair has a
        zero-height bar and no text.

    Raises
    ------
    ValueError
        Unknown metric or column, mixed energy units, or several cases for one (x, hue)
        pair (the message names the columns that still vary: fix them with ``where``).
    """
    check_metric(y)
    totals = case_totals(records, where)
    if not totals:
        raise ValueError("no records to plot" + (f" with {dict(where)}" if where else ""))
    for key in (x, hue):
        if key not in totals[0]:
            raise ValueError(f"no column {key!r} in the records; columns: "
                             f"{', '.join(k for k in totals[0] if k not in METRICS)}")
    unit = common_unit(totals, (y,))
    xs, hues = _order([t[x] for t in totals]), list(dict.fromkeys(t[hue] for t in totals))
    cells: dict[tuple, list] = {}
    for t in totals:
        cells.setdefault((t[x], t[hue]), []).append(t)
    for (xv, hv), group in cells.items():
        if len(group) > 1:
            differ = ", ".join(_varying(group, {x, hue})) or "their case id"
            raise ValueError(f"{len(group)} cases have {x}={xv!r}, {hue}={hv!r}; they differ in {differ}: select "
                             "one value of each (where={...} in Python, --where KEY=VALUE in the CLI)")
    if ax is None:
        from .draw import new_axes

        ax = new_axes(len(xs) * max(1, len(hues)) // 2 + 1)
    width = BAR_WIDTH / max(1, len(hues))
    colors = hue_colors(hue, hues)
    for j, hv in enumerate(hues):
        pos = [i - BAR_WIDTH / 2 + (j + 0.5) * width for i in range(len(xs))]
        heights = []
        for i, xv in enumerate(xs):
            case = cells.get((xv, hv), [None])[0]
            value = case[y] if case is not None and case["ok"] else None
            heights.append(float(value) if value is not None else 0.0)
            if case is not None and not case["ok"]:
                mark(ax, pos[i])
        ax.bar(pos, heights, width, label=str(hv), color=colors[hv], edgecolor="white", linewidth=0.5)
    ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_xlim(-0.6, len(xs) - 0.4)
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel(x)
    ax.set_ylabel(metric_label(y, unit))
    ax.legend(title=hue, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    if title is None:
        fixed = {k: totals[0][k] for k in ("workload", "hardware", "batch", "array")
                 if k in totals[0] and k not in (x, hue) and len({str(t.get(k)) for t in totals}) == 1}
        title = selection_text({**fixed, **(where or {})})
    ax.set_title(title)
    return ax


def sweep_runs(records, components=None, where: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One result document per case (docs/architecture.md, *Results*), for :func:`energy_breakdown` & co.

    Parameters
    ----------
    records : list of dict or DataFrame
        Sweep records.
    components : list of dict or DataFrame, optional
        ``components.csv`` rows; with them each layer's ``energy`` is split by data type
        (``by="type"`` plots need this), without them it holds component totals only.
    where : mapping, optional
        Keep only records with these column values.

    Returns
    -------
    list of dict
        ``{"case", "workload", "hardware", "dataflow", "batch", "energy_unit", "layers": [...]}``;
        ``hardware`` names the PE array too (``eyeriss 8x8``).
    """
    nested: dict[tuple, dict] = {}
    for row in as_records(components) if components is not None else []:
        energy = nested.setdefault((row["case"], row["layer"]), {})
        if row["component"] == "ALU":
            energy["ALU"] = float(row["energy"])
        else:
            energy.setdefault(row["component"], {})[row["data_type"]] = float(row["energy"] or 0.0)
    runs: dict[Any, dict] = {}
    for i, rec in enumerate(select(records, where)):
        key = rec.get("case", i)
        if key not in runs:
            hw = " ".join(str(p) for p in (rec.get("hardware", ""), rec.get("array", "")) if p)
            runs[key] = {"case": key, "workload": rec.get("workload", ""), "hardware": hw,
                         "dataflow": rec.get("dataflow", ""), "batch": rec.get("batch"),
                         "energy_unit": rec.get("energy_unit") or "mac", "layers": []}
        energy = nested.get((key, rec.get("layer")))
        if energy is None:
            energy = {c: rec.get(f"energy_{c}") or 0.0 for c in ("ALU", "RF", "NoC", "GLB", "DRAM")}
        runs[key]["layers"].append({
            "name": rec.get("layer", "?"), "status": rec.get("status", "ok"), "reason": rec.get("reason", ""),
            "macs": rec.get("macs") or 0, "utilization": rec.get("utilization") or 0.0,
            "cycles": rec.get("cycles"), "energy": energy if rec.get("status", "ok") == "ok" else {},
        })
    return list(runs.values())


def records_from_runs(runs) -> list[dict[str, Any]]:
    """Sweep-style records from result documents (``RunResult.to_dict()`` or objects): one case per run.

    Lets :func:`~accelsim.plot.pareto` and :func:`sweep_comparison` draw what ``accelsim
    compare --json`` wrote.
    """
    out = []
    for i, run in enumerate(runs):
        doc = run.to_dict() if hasattr(run, "to_dict") else run
        for layer in doc.get("layers", []):
            energy = layer.get("energy") or {}
            comp = {f"energy_{c}": (float(v) if not isinstance(v, Mapping) else float(sum(v.values())))
                    for c, v in energy.items()}
            out.append({"case": f"run{i}", "workload": doc.get("workload", ""), "hardware": doc.get("hardware", ""),
                        "dataflow": doc.get("dataflow", ""), "batch": doc.get("batch"),
                        "layer": layer.get("name"), "status": layer.get("status", "ok"),
                        "macs": layer.get("macs", 0), "cycles": layer.get("cycles", 0),
                        "energy_unit": doc.get("energy_unit", "mac"),
                        "energy_total": layer.get("energy_total", 0.0),
                        "area_mm2": layer.get("area_mm2", doc.get("area_mm2")), **comp})
    return out
