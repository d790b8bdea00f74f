"""simulate(): (layer, hardware, dataflow, mapping) → LayerResult; whole-workload runs."""

from __future__ import annotations

from enum import Enum

from ..dataflows import parse_dataflow, template
from ..dataflows.lowering import window_flags
from ..errors import InfeasibleError, SpecError
from ..search.mapper import Budget, Objective, best_mapping
from ..spec.dims import DataType, Level
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer, Workload
from ..spec.mapping import Mapping
from ..spec.result import LayerResult, RunResult, Status, energy_dict
from .counting import check_fits, count_mapping


class Engine(str, Enum):
    """Which engine computes the counts."""

    ANALYTIC = "analytic"
    CYCLE = "cycle"


def parse_engine(value) -> Engine:
    try:
        return Engine(str(value.value if isinstance(value, Enum) else value).lower())
    except ValueError:
        raise SpecError(f"unknown engine {value!r}; choose analytic or cycle", "engine") from None


def _version() -> str:
    from .. import __version__

    return __version__


def analytic_cycles(counts, compute_steps: int, hw: Hardware) -> int:
    """Cycles of the analytic engine: compute steps, or the DRAM / GLB bandwidth bound."""
    dram_words = int(counts[Level.DRAM, :, 0].sum() + counts[Level.DRAM, :, 1].sum())
    glb_words = int(counts[Level.GLB, :, 0].sum() + counts[Level.GLB, :, 1].sum())
    return int(max(compute_steps, -(-dram_words // 1) / hw.dram_words_per_cycle,
                   glb_words / hw.glb_words_per_cycle) + 0.999999)


def simulate(layer: ConvLayer, hw: Hardware, dataflow="rs", engine="analytic", mapping: Mapping | None = None,
             ifmap=None, filters=None, objective=Objective.ENERGY, budget: Budget | None = None) -> LayerResult:
    """Simulate one layer.

    Parameters
    ----------
    layer : ConvLayer
        The layer (its ``N`` is the batch size).
    hw : Hardware
        The accelerator.
    dataflow : str or Dataflow
        ``rs``, ``ws``, ``osa``, ``osb``, ``osc`` or ``nlr``.
    engine : str
        ``analytic`` (closed-form counts) or ``cycle``.
    mapping : Mapping, optional
        The mapping to run; ``None`` lets the mapper pick the best for ``objective``.
    ifmap, filters : numpy.ndarray, optional
        Integer tensors (N, C, H, W) and (M, C/G, R, S) for the cycle engine.

    Returns
    -------
    LayerResult
        ``status`` is ``infeasible`` (with a reason) when no legal mapping exists.

    Raises
    ------
    MappingError, CapacityError
        A given ``mapping`` does not cover the layer or does not fit the hardware.
    """
    df = parse_dataflow(dataflow)
    eng = parse_engine(engine)
    tpl = template(df)
    considered = 0
    if mapping is None:
        try:
            found = best_mapping(layer, hw, df, objective, budget)
        except InfeasibleError as exc:
            return LayerResult(layer=layer, hardware=hw.name, dataflow=df.value, engine=eng.value,
                               energy_unit=hw.energy.unit.value, status=Status.INFEASIBLE,
                               reason=exc.message, num_pes=hw.num_pes)
        mapping, considered = found.mapping, found.considered
    counts = count_mapping(mapping, layer, window_flags(tpl, hw))
    check_fits(mapping, counts, hw)
    if eng is Engine.CYCLE:
        raise SpecError("the cycle-level engine is not available yet; use --engine analytic", "engine")
    return LayerResult(
        layer=layer, hardware=hw.name, dataflow=df.value, engine=eng.value,
        energy_unit=hw.energy.unit.value, mapping=mapping, macs=counts.macs, counts=counts.counts,
        energy=energy_dict(counts.counts, counts.macs, hw.energy),
        cycles=analytic_cycles(counts.counts, counts.compute_steps, hw),
        compute_cycles=counts.compute_steps, active_pes=mapping.active_pes, num_pes=hw.num_pes,
        mappings_considered=considered,
        psum_spill=bool(counts.counts[Level.DRAM, DataType.PSUM, 0] > 0),
    )


def simulate_network(workload: Workload, hw: Hardware, dataflow="rs", engine="analytic", batch: int = 1,
                     objective=Objective.ENERGY, mappings: dict[str, Mapping] | None = None,
                     budget: Budget | None = None) -> RunResult:
    """Run every layer of ``workload`` at ``batch``; infeasible layers are recorded, not raised."""
    if not isinstance(batch, int) or batch < 1:
        raise SpecError(f"must be an integer >= 1, got {batch!r}", "batch")
    df = parse_dataflow(dataflow)
    results = []
    for layer in workload.with_batch(batch).layers:
        given = (mappings or {}).get(layer.name)
        results.append(simulate(layer, hw, df, engine, given, objective=objective, budget=budget))
    return RunResult(hardware=hw.name, dataflow=df.value, engine=parse_engine(engine).value,
                     energy_unit=hw.energy.unit.value, batch=batch, workload=workload.name,
                     layers=tuple(results), version=_version())
