"""simulate(): (layer, hardware, dataflow, mapping) → LayerResult; whole-workload runs."""

from __future__ import annotations

from enum import Enum

import numpy as np

from ..dataflows import parse_dataflow, template
from ..dataflows.lowering import window_flags
from ..errors import InfeasibleError, MappingError, SpecError
from ..search.mapper import Budget, Objective, best_mapping
from ..spec.dims import DataType, Level
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer, Workload
from ..spec.mapping import Mapping
from ..spec.result import LayerResult, RunResult, Status, energy_dict
from .counting import check_fits, count_mapping
from .cycle import TRACE_COLUMNS


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
    """Cycles of the analytic engine: the largest of the compute steps and the time each
    shared resource needs for its words (DRAM, GLB, each GIN bus, the GON) — a roofline-style
    estimate; the cycle engine adds how they fail to overlap (it does not wait for the final
    ofmap writes, so on a tiny DRAM-bound layer it can come in under this estimate)."""
    noc = hw.noc
    tx = counts[Level.NOC, :, 3]
    bounds = (
        float(compute_steps),
        (counts[Level.DRAM, :, 0].sum() + counts[Level.DRAM, :, 1].sum()) / hw.dram_words_per_cycle,
        (counts[Level.GLB, :, 0].sum() + counts[Level.GLB, :, 1].sum()) / hw.glb_words_per_cycle,
        tx[DataType.IFMAP] / noc.ifmap_words_per_cycle,
        tx[DataType.FILTER] / noc.filter_words_per_cycle,
        tx[DataType.PSUM] / min(noc.psum_words_per_cycle, noc.gon_words_per_cycle),
    )
    return int(np.ceil(max(bounds)))


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
    window = window_flags(tpl, hw)
    counts = count_mapping(mapping, layer, window)
    check_fits(mapping, counts, hw)
    if eng is Engine.CYCLE:
        return _cycle_result(layer, hw, df, mapping, window, counts, considered, ifmap, filters)
    return LayerResult(
        layer=layer, hardware=hw.name, dataflow=df.value, engine=eng.value,
        energy_unit=hw.energy.unit.value, mapping=mapping, macs=counts.macs, counts=counts.counts,
        energy=energy_dict(counts.counts, counts.macs, hw.energy),
        cycles=analytic_cycles(counts.counts, counts.compute_steps, hw),
        compute_cycles=counts.compute_steps, active_pes=mapping.active_pes, num_pes=hw.num_pes,
        mappings_considered=considered,
        psum_spill=bool(counts.counts[Level.DRAM, DataType.PSUM, 0] > 0),
    )


def _cycle_result(layer, hw, df, mapping, window, analytic, considered, ifmap, filters) -> LayerResult:
    """Run the cycle-level engine and package its timing next to its counts."""
    from .cycle import random_inputs, reference_conv, run_cycle

    if ifmap is None or filters is None:
        ri, rf = random_inputs(layer)
        ifmap = ri if ifmap is None else ifmap
        filters = rf if filters is None else filters
    out = run_cycle(layer, hw, mapping, window, ifmap, filters,
                    estimate_cycles=analytic_cycles(analytic.counts, analytic.compute_steps, hw))
    verified = bool(np.array_equal(out.output, reference_conv(layer, ifmap, filters)))
    stall_total = sum(out.stall_cycles.values())
    idle = {cause: c * out.active_pes for cause, c in out.stall_cycles.items()}
    idle["unused_pes"] = (hw.num_pes - out.active_pes) * out.cycles
    timing = {
        "cycles": out.cycles,
        "compute_cycles": out.compute_cycles,
        "passes": out.passes,
        "stall_cycles": dict(out.stall_cycles),
        "pe_cycles": {"total": out.cycles * hw.num_pes, "busy": int(out.pe_busy.sum()), "idle": idle},
        "pe_utilization": (out.pe_busy / max(out.cycles, 1)).round(6).tolist(),
        "seconds": out.cycles / hw.clock_hz,
        "verified": verified,
        "counts_match_analytic": bool(np.array_equal(out.counts, analytic.counts)),
        "trace_columns": list(TRACE_COLUMNS),
        "trace_bin_cycles": out.bin_cycles,
    }
    macs = int(out.pe_busy.sum())
    return LayerResult(
        layer=layer, hardware=hw.name, dataflow=df.value, engine=Engine.CYCLE.value,
        energy_unit=hw.energy.unit.value, mapping=mapping, macs=macs, counts=out.counts,
        energy=energy_dict(out.counts, macs, hw.energy), cycles=out.cycles, compute_cycles=out.compute_cycles,
        stall_cycles=stall_total, active_pes=out.active_pes, num_pes=hw.num_pes, mappings_considered=considered,
        psum_spill=bool(out.counts[Level.DRAM, DataType.PSUM, 0] > 0), output=out.output, timing=timing,
        trace=out.trace,
    )


def simulate_network(workload: Workload, hw: Hardware, dataflow="rs", engine="analytic", batch: int = 1,
                     objective=Objective.ENERGY, mappings: dict[str, Mapping] | None = None,
                     budget: Budget | None = None, jobs: int = 1) -> RunResult:
    """Run every layer of ``workload`` at ``batch``; infeasible layers are recorded, not raised.

    ``jobs`` > 1 runs layers in that many threads (the numba kernels release the GIL).
    """
    if not isinstance(batch, int) or batch < 1:
        raise SpecError(f"must be an integer >= 1, got {batch!r}", "batch")
    df = parse_dataflow(dataflow)

    def one(layer: ConvLayer) -> LayerResult:
        given = (mappings or {}).get(layer.name)
        try:
            return simulate(layer, hw, df, engine, given, objective=objective, budget=budget)
        except MappingError as exc:
            if given is None:
                raise
            raise type(exc)(exc.message, f"{layer.name}.{exc.field}" if exc.field else layer.name) from None

    layers = workload.with_batch(batch).layers
    if jobs > 1 and len(layers) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(one, layers))
    else:
        results = [one(layer) for layer in layers]
    return RunResult(hardware=hw.name, dataflow=df.value, engine=parse_engine(engine).value,
                     energy_unit=hw.energy.unit.value, batch=batch, workload=workload.name,
                     layers=tuple(results), version=_version())
