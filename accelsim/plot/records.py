"""Read results for plotting: ``RunResult``/``LayerResult`` objects or their JSON documents.

Every plot goes through :func:`as_run`, so a figure drawn from a live result and one drawn from
the file the CLI wrote (docs/architecture.md, *Results*) are the same figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real

from ..spec.dims import COMPONENTS, DataType
from ..spec.result import CLOCK_COMPONENT

#: Segment orders, innermost first; ``ALU`` heads both so it sits at the bottom of every stack.
LEVEL_SEGMENTS: tuple[str, ...] = COMPONENTS
#: the clock/static energy component (``accelsim.spec.result.CLOCK_COMPONENT``), stacked on top
#: when a run has it
CLOCK_SEGMENT = CLOCK_COMPONENT
TYPE_SEGMENTS: tuple[str, ...] = ("ALU",) + tuple(t.label for t in DataType)

#: What a unit string reads as on an axis.
UNIT_TEXT: dict[str, str] = {"mac": "MAC units", "pj": "pJ"}


@dataclass(frozen=True, slots=True)
class LayerView:
    """One layer's plotted quantities.

    Attributes
    ----------
    name : str
        Layer name.
    ok : bool
        False when the layer is infeasible (or errored); its energy is then not plotted.
    macs : int
        Multiply-accumulates of the layer.
    energy : Mapping
        ``{"ALU": e, "RF": {"ifmap": e, "filter": e, "psum": e}, "NoC": {...}, ...}``, in the
        run's energy unit; missing components count as zero.
    utilization : float
        Active PEs ÷ PEs in the array, 0..1.
    """

    name: str
    ok: bool
    macs: int
    energy: Mapping
    utilization: float


@dataclass(frozen=True, slots=True)
class RunView:
    """One run (workload × hardware × dataflow × batch) as the plots see it."""

    dataflow: str
    hardware: str
    workload: str
    batch: int | None
    energy_unit: str
    layers: tuple[LayerView, ...]

    @property
    def feasible(self) -> tuple[LayerView, ...]:
        return tuple(lv for lv in self.layers if lv.ok)


def _layer_from_dict(rec: Mapping) -> LayerView:
    return LayerView(
        name=str(rec.get("name", "?")),
        ok=str(rec.get("status", "ok")) == "ok",
        macs=int(rec.get("macs", 0) or 0),
        energy=rec.get("energy") or {},
        utilization=float(rec.get("utilization", 0.0) or 0.0),
    )


def _layer_from_object(res) -> LayerView:
    return LayerView(
        name=str(res.layer.name),
        ok=bool(res.ok),
        macs=int(res.macs),
        energy=res.energy or {},
        utilization=float(res.utilization),
    )


def as_run(run) -> RunView:
    """Normalise anything plottable into a :class:`RunView`.

    Parameters
    ----------
    run : RunResult, LayerResult, or dict
        A ``RunResult``, its ``to_dict()`` JSON document (docs/architecture.md, *Results*), a single
        ``LayerResult``, or a single per-layer record (a one-layer run).

    Returns
    -------
    RunView

    Raises
    ------
    TypeError
        ``run`` is none of the above.
    """
    if isinstance(run, RunView):
        return run
    if isinstance(run, Mapping):
        if "layers" in run:
            layers = tuple(_layer_from_dict(rec) for rec in run["layers"])
            meta = run
        elif "energy" in run:
            layers, meta = (_layer_from_dict(run),), run
        else:
            raise TypeError("a result document needs a 'layers' list (or be one layer record with 'energy')")
        batch = meta.get("batch")
        return RunView(
            dataflow=str(meta.get("dataflow", "")), hardware=str(meta.get("hardware", "")),
            workload=str(meta.get("workload", "")), batch=None if batch is None else int(batch),
            energy_unit=str(meta.get("energy_unit", "mac")), layers=layers,
        )
    if hasattr(run, "layers") and hasattr(run, "energy_unit"):
        return RunView(
            dataflow=str(run.dataflow), hardware=str(run.hardware), workload=str(run.workload),
            batch=int(run.batch), energy_unit=str(run.energy_unit),
            layers=tuple(_layer_from_object(r) for r in run.layers),
        )
    if hasattr(run, "layer") and hasattr(run, "energy"):
        return RunView(
            dataflow=str(run.dataflow), hardware=str(run.hardware), workload="", batch=int(run.layer.N),
            energy_unit=str(run.energy_unit), layers=(_layer_from_object(run),),
        )
    raise TypeError(f"cannot plot a {type(run).__name__}; give a RunResult, LayerResult or their dict form")


def as_runs(runs) -> list[RunView]:
    """A list of :class:`RunView` from one run, a sequence of runs, or a ``compare --json`` document
    (``{"runs": [...]}``)."""
    if isinstance(runs, Mapping) and "runs" in runs and "layers" not in runs:
        return [as_run(r) for r in runs["runs"]]
    if isinstance(runs, (Mapping, RunView)) or hasattr(runs, "layers") or hasattr(runs, "layer"):
        return [as_run(runs)]
    if isinstance(runs, Sequence) or hasattr(runs, "__iter__"):
        return [as_run(r) for r in runs]
    raise TypeError(f"expected a run or a sequence of runs, got {type(runs).__name__}")


def run_labels(views: Sequence[RunView]) -> list[str]:
    """A name per run: its dataflow, plus the batch / hardware / workload lines where runs differ."""
    extra = []
    for attr, fmt in (("batch", "N={}"), ("hardware", "{}"), ("workload", "{}")):
        if len({getattr(v, attr) for v in views}) > 1:
            extra.append((attr, fmt))
    return ["\n".join([v.dataflow or "?"] + [fmt.format(getattr(v, attr)) for attr, fmt in extra])
            for v in views]


def shared(views: Sequence[RunView], attr: str):
    """The value of ``attr`` every run has, or ``None`` when they differ."""
    values = {getattr(v, attr) for v in views}
    return values.pop() if len(values) == 1 else None


def _total(value) -> float:
    """A number, or the sum of a (nested) dict of numbers."""
    if isinstance(value, Mapping):
        return float(sum(_total(v) for v in value.values()))
    return float(value or 0.0)


def segment_names(by: str, clock: bool = False) -> tuple[str, ...]:
    """Stack segments, bottom first, for ``by`` = ``"level"`` or ``"type"``; ``clock`` adds the
    clock/static component (:data:`CLOCK_SEGMENT`) on top, for either."""
    extra = (CLOCK_SEGMENT,) if clock else ()
    if by == "level":
        return LEVEL_SEGMENTS + extra
    if by == "type":
        return TYPE_SEGMENTS + extra
    raise ValueError(f"by must be 'level' or 'type', got {by!r}")


def has_clock(views: Sequence[RunView]) -> bool:
    """Whether any feasible layer's energy has the clock/static component."""
    return any(CLOCK_SEGMENT in lv.energy for v in views for lv in v.feasible)


def segments(energy: Mapping, by: str) -> dict[str, float]:
    """Split one energy dict into stack segments.

    Parameters
    ----------
    energy : Mapping
        ``{"ALU": e, "RF": {"ifmap": e, ...}, ...}`` (any unit).
    by : {"level", "type"}
        ``"level"``: ``ALU, RF, NoC, GLB, DRAM`` (each summed over data types);
        ``"type"``: ``ALU, ifmap, filter, psum`` (each type summed over ``RF, NoC, GLB, DRAM``).

    Returns
    -------
    dict
        Segment name → energy, in the unit of ``energy``, in stacking order.
    """
    clock = CLOCK_SEGMENT in energy
    names = segment_names(by)
    if by == "level":
        out = {c: _total(energy.get(c, 0.0)) for c in names}
    else:
        out = {"ALU": _total(energy.get("ALU", 0.0))}
        for t in names[1:]:
            out[t] = float(sum(_total((energy.get(lv) or {}).get(t, 0.0))
                               for lv in LEVEL_SEGMENTS[1:] if isinstance(energy.get(lv), Mapping)))
    if clock:  # a machine with a clock/static term: its own segment, on top (not split by type)
        out[CLOCK_SEGMENT] = _total(energy[CLOCK_SEGMENT])
    return out


def divisor(normalize, macs: int, what: str) -> float:
    """The number energies are divided by.

    Parameters
    ----------
    normalize : None, "mac", or float
        ``None``: 1 (raw units); ``"mac"``: ``macs`` (energy per MAC); a positive number: itself.
    macs : int
        MACs of the thing being plotted (a layer, or all feasible layers of a run).
    what : str
        Name used in error messages.

    Raises
    ------
    ValueError
        Unknown ``normalize``, a non-positive divisor, or ``"mac"`` with no MACs.
    """
    if normalize is None:
        return 1.0
    if isinstance(normalize, str):
        if normalize.lower() != "mac":
            raise ValueError(f"normalize must be None, 'mac' or a positive number, got {normalize!r}")
        if macs <= 0:
            raise ValueError(f"{what} has no MACs recorded; cannot normalize per MAC")
        return float(macs)
    if isinstance(normalize, bool) or not isinstance(normalize, Real):
        raise ValueError(f"normalize must be None, 'mac' or a positive number, got {normalize!r}")
    value = float(normalize)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"normalize must be a positive finite number, got {normalize!r}")
    return value


def energy_label(unit: str, normalize) -> str:
    """Y-axis label for energies in ``unit`` under ``normalize``."""
    text = UNIT_TEXT.get(unit.lower(), unit)
    if normalize is None:
        return f"energy ({text})"
    if isinstance(normalize, str):
        return f"energy per MAC ({text})"
    return f"energy / {float(normalize):g} ({text})"


def common_unit(runs: Sequence[RunView]) -> str:
    """The energy unit all ``runs`` share; raise ``ValueError`` if they disagree."""
    units = {r.energy_unit.lower() for r in runs}
    if len(units) > 1:
        raise ValueError(f"runs report energy in different units ({', '.join(sorted(units))}); "
                         "plot them separately")
    return units.pop() if units else "mac"
