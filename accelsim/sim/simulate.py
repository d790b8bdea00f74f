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
from .activations import (ACTIVATION_SEED, check_zero_fraction, default_ofmap_zero_fraction,
                          default_zero_fraction, relu_activations, zero_pattern)
from .compression import dram_traffic, expected_ratio, measured_ratio
from .counting import check_fits, count_mapping
from .cycle import TRACE_COLUMNS
from .zero_gating import expected_gating, measured_gating


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


def analytic_cycles(counts, compute_steps: int, hw: Hardware, dram_words: float | None = None) -> int:
    """Cycles of the analytic engine: the largest of the compute steps and the time each
    shared resource needs for its words (DRAM, GLB, each GIN bus, the GON) — a roofline-style
    estimate, the same the mapper's cycles and EDP objectives minimise
    (:func:`accelsim.kernels.analytic.roofline_cycles`); the cycle engine adds how they fail
    to overlap (it does not wait for the final ofmap writes, so on a tiny DRAM-bound layer it
    can come in under this estimate). ``dram_words`` replaces the counted DRAM words
    (RLC-compressed traffic)."""
    from ..dataflows.lowering import cost_array
    from ..kernels.analytic import roofline_cycles

    words = -1.0 if dram_words is None else float(dram_words)
    return int(roofline_cycles(np.asarray(counts), int(compute_steps), cost_array(hw), words))


def simulate(layer: ConvLayer, hw: Hardware, dataflow="rs", engine="analytic", mapping: Mapping | None = None,
             ifmap=None, filters=None, objective=Objective.ENERGY, budget: Budget | None = None, *,
             first_layer: bool = False, zero_fraction: float | None = None,
             ofmap_zero_fraction: float | None = None, network: str | None = None) -> LayerResult:
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
        Integer tensors (N, C, H, W) and (M, C/G, R, S) for the cycle engine. ``ifmap=None``:
        seeded random 16-bit values, or — when the hardware gates zeros or compresses DRAM
        fmaps, or ``zero_fraction`` is given — a seeded post-ReLU fmap
        (:func:`~accelsim.sim.activations.relu_activations`) with the layer's zero fraction.
        The analytic engine uses only a given ifmap's zero fraction.
    first_layer : bool
        The layer reads the network's input (an image): its ifmap has no zeros by default and
        is never RLC-compressed in DRAM.
    zero_fraction : float, optional
        Zero fraction of the ifmap, in [0, 1]: the cycle engine generates an ifmap with exactly
        ``round(zero_fraction · size)`` zeros, the analytic engine takes it as the expectation.
        Default: :func:`~accelsim.sim.activations.default_zero_fraction` (AlexNet's measured
        fractions by layer name, 0 for the first layer, 0.5 otherwise). Not with ``ifmap``.
    ofmap_zero_fraction : float, optional
        On an RLC machine, the zero fraction of the ReLU'd ofmap written to DRAM. Default:
        :func:`~accelsim.sim.activations.default_ofmap_zero_fraction` (the next AlexNet layer's
        measured input zeros by layer name, else 0.5). The analytic engine takes it as the
        expectation; the cycle engine compresses the zero pattern of its real output after the
        bias and ReLU that zero this fraction (:func:`~accelsim.sim.activations.zero_pattern`;
        seeded random filters alone leave about half the outputs negative, which says nothing
        about a trained network's sparsity).
    network : str, optional
        The workload the layer belongs to (``simulate_network`` passes it): AlexNet's measured
        zero fractions apply to ``alexnet`` only (``None``: to any layer named ``conv1`` …).

    Returns
    -------
    LayerResult
        ``status`` is ``infeasible`` (with a reason) when no legal mapping exists. With
        ``hw.zero_gating`` it records ``gating``, with ``hw.dram_rlc`` ``dram_compressed``
        (:mod:`accelsim.sim.zero_gating`, :mod:`accelsim.sim.compression`); ``counts`` stay
        dense and ``energy`` includes both effects.

    Raises
    ------
    MappingError, CapacityError
        A given ``mapping`` does not cover the layer or does not fit the hardware.
    SpecError
        A zero fraction outside [0, 1], both ``ifmap`` and ``zero_fraction``, or an ifmap of
        the wrong shape.
    """
    df = parse_dataflow(dataflow)
    eng = parse_engine(engine)
    if not isinstance(first_layer, bool):
        raise SpecError(f"must be true or false, got {first_layer!r}", "first_layer")
    if zero_fraction is not None:
        zero_fraction = check_zero_fraction(zero_fraction, "zero_fraction")
        if ifmap is not None:
            raise SpecError("give an ifmap or a zero fraction, not both", "zero_fraction")
    if ofmap_zero_fraction is not None:
        ofmap_zero_fraction = check_zero_fraction(ofmap_zero_fraction, "ofmap_zero_fraction")
    if ifmap is not None:
        ifmap = _checked_ifmap(layer, ifmap)
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
    p_in = zero_fraction if zero_fraction is not None else default_zero_fraction(layer.name, first_layer, network)
    p_out = (default_ofmap_zero_fraction(layer.name, network) if ofmap_zero_fraction is None
             else ofmap_zero_fraction)
    if eng is Engine.CYCLE:
        if ifmap is None and (hw.zero_gating or hw.dram_rlc or zero_fraction is not None):
            ifmap = relu_activations((layer.N, layer.C, layer.H, layer.W), p_in, ACTIVATION_SEED)
        return _cycle_result(layer, hw, df, mapping, window, counts, considered, ifmap, filters, first_layer,
                             p_out)
    if ifmap is not None:
        p_in = float((ifmap == 0).mean()) if ifmap.size else 0.0
    filters_in_rf = mapping.rf[DataType.FILTER] is not None
    gating = expected_gating(p_in, counts.macs, filters_in_rf).to_dict() if hw.zero_gating else None
    dram = None
    if hw.dram_rlc:
        dram = dram_traffic(counts.counts, layer, 1.0 if first_layer else expected_ratio(p_in),
                            expected_ratio(p_out)).to_dict()
    return LayerResult(
        layer=layer, hardware=hw.name, dataflow=df.value, engine=eng.value,
        energy_unit=hw.energy.unit.value, mapping=mapping, macs=counts.macs, counts=counts.counts,
        energy=energy_dict(counts.counts, counts.macs, hw.energy, gating, dram),
        cycles=analytic_cycles(counts.counts, counts.compute_steps, hw,
                               dram_words=sum(dram.values()) if dram is not None else None),
        compute_cycles=counts.compute_steps, active_pes=mapping.active_pes_for(layer.loop_bounds()), num_pes=hw.num_pes,
        mappings_considered=considered,
        psum_spill=bool(counts.counts[Level.DRAM, DataType.PSUM, 0] > 0), gating=gating, dram_compressed=dram,
        clock_hz=hw.clock_hz,
    )


def _checked_ifmap(layer: ConvLayer, ifmap) -> np.ndarray:
    """A given ifmap as an integer array of the layer's (N, C, H, W) shape."""
    arr = np.asarray(ifmap)
    want = (layer.N, layer.C, layer.H, layer.W)
    if arr.shape != want:
        raise SpecError(f"shape {arr.shape} does not match the layer's (N, C, H, W) = {want}", "ifmap")
    if not np.issubdtype(arr.dtype, np.integer):
        raise SpecError(f"must hold integers (fixed point), got {arr.dtype}", "ifmap")
    return arr


def _cycle_result(layer, hw, df, mapping, window, analytic, considered, ifmap, filters,
                  first_layer: bool, ofmap_zero_fraction: float) -> LayerResult:
    """Run the cycle-level engine and package its timing and data effects next to its counts."""
    from .cycle import check_inputs, random_inputs, reference_conv, run_cycle

    if ifmap is None or filters is None:
        ri, rf = random_inputs(layer)
        ifmap = ri if ifmap is None else ifmap
        filters = rf if filters is None else filters
    ifmap, filters = check_inputs(layer, ifmap, filters)
    reference = reference_conv(layer, ifmap, filters)
    ratios = (1.0, 1.0, 1.0)
    if hw.dram_rlc:
        # what crosses the DRAM link is compressed: the real ifmap, and the ofmap after bias
        # and ReLU (the machine's output must equal the reference, checked below)
        ofmap_written = zero_pattern(reference, ofmap_zero_fraction)
        ratios = (1.0 if first_layer else float(measured_ratio(ifmap)), 1.0, float(measured_ratio(ofmap_written)))
    out = run_cycle(layer, hw, mapping, window, ifmap, filters,
                    estimate_cycles=analytic_cycles(analytic.counts, analytic.compute_steps, hw),
                    dram_scale=ratios)
    filters_in_rf = mapping.rf[DataType.FILTER] is not None
    gating = measured_gating(layer, ifmap, filters_in_rf).to_dict() if hw.zero_gating else None
    dram = None
    if hw.dram_rlc:
        dram = dram_traffic(out.counts, layer, 1 if first_layer else measured_ratio(ifmap),
                            measured_ratio(zero_pattern(out.output, ofmap_zero_fraction))).to_dict()
    verified = bool(np.array_equal(out.output, reference))
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
        energy=energy_dict(out.counts, macs, hw.energy, gating, dram), cycles=out.cycles,
        compute_cycles=out.compute_cycles, stall_cycles=stall_total, active_pes=out.active_pes, num_pes=hw.num_pes,
        mappings_considered=considered, psum_spill=bool(out.counts[Level.DRAM, DataType.PSUM, 0] > 0),
        output=out.output, timing=timing, trace=out.trace, gating=gating, dram_compressed=dram,
        clock_hz=hw.clock_hz,
    )


def simulate_network(workload: Workload, hw: Hardware, dataflow="rs", engine="analytic", batch: int = 1,
                     objective=Objective.ENERGY, mappings: dict[str, Mapping] | None = None,
                     budget: Budget | None = None, jobs: int = 1, *, first_layer: str | None = None,
                     zero_fraction: float | None = None, ifmaps: dict | None = None) -> RunResult:
    """Run every layer of ``workload`` at ``batch``; infeasible layers are recorded, not raised.

    ``jobs`` > 1 runs layers in that many threads (the numba kernels release the GIL).

    Parameters
    ----------
    first_layer : str, optional
        Name of the layer that reads the network's input (the image: no zeros by default, never
        RLC-compressed). Default: ``workload.first_layer``, the network's first layer (kept by
        :meth:`Workload.select`, so a subset without it has no layer reading the image).
    zero_fraction : float, optional
        Zero fraction of every fmap, in [0, 1]: each layer's ifmap (``simulate``'s
        ``zero_fraction``; not for layers given an ifmap) and the analytic engine's expected
        ofmap (``ofmap_zero_fraction``). Default: per layer, see :func:`simulate`.
    ifmaps : dict, optional
        ``{layer name: int array (batch, C, H, W)}``, the ifmaps of some layers (cycle engine).
    """
    if not isinstance(batch, int) or batch < 1:
        raise SpecError(f"must be an integer >= 1, got {batch!r}", "batch")
    df = parse_dataflow(dataflow)
    if zero_fraction is not None:
        zero_fraction = check_zero_fraction(zero_fraction, "zero_fraction")
    if first_layer is not None and not isinstance(first_layer, str):
        raise SpecError(f"must be a layer name, got {first_layer!r}", "first_layer")
    first = workload.first_layer if first_layer is None else first_layer
    ifmaps = dict(ifmaps or {})
    unknown = sorted(set(ifmaps) - {layer.name for layer in workload.layers})
    if unknown:
        raise SpecError(f"no layer {', '.join(unknown)} in workload {workload.name}", "ifmaps")

    def one(layer: ConvLayer) -> LayerResult:
        given = (mappings or {}).get(layer.name)
        ifmap = ifmaps.get(layer.name)
        try:
            return simulate(layer, hw, df, engine, given, ifmap=ifmap, objective=objective, budget=budget,
                            first_layer=layer.name == first,
                            zero_fraction=zero_fraction if ifmap is None else None,
                            ofmap_zero_fraction=zero_fraction, network=workload.name)
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
