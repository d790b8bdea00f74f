"""evaluate(): (layer, hardware, dataflow, a given mapping) → LayerResult, on either engine.

The mapping is given (the mapper, a file, or the user chose it); this module counts it, checks it
fits, prices it, runs the cycle engine when asked and records the data effects. Choosing the
mapping is the drivers' job (:mod:`accelsim.drivers.simulate`).
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

import numpy as np

from ..dataflows import parse_dataflow, template
from ..dataflows.lowering import window_flags
from ..errors import SpecError
from ..spec.assumptions import Assumptions, ZeroSource
from ..layout import READS, SP_MACS
from ..spec.dims import DataType, Level
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping
from ..spec.result import CycleTiming, LayerResult, SparseWork, energy_dict
from .activations import (ACTIVATION_SEED, check_zero_fraction, default_ofmap_zero_fraction,
                          default_zero_fraction, ofmap_zero_fraction_source, relu_activations,
                          zero_fraction_source, zero_pattern)
from .compression import dram_traffic, expected_ratio, measured_ratio
from .conventions import apply_scalesim_counts, compute_cycles, timing_costs
from .counting import check_fits, count_mapping
from .cycle import SPARSE_STALL_CAUSES, TRACE_COLUMNS, checked_tensor
from .sparse_data import layer_tensors, resolve_densities
from .sparse_expectation import expected_work, work_summary
from .sparse_skipping import measured_sparse_work
from .zero_gating import expected_gating, measured_gating


class Engine(str, Enum):
    """Which engine computes the counts."""

    ANALYTIC = "analytic"
    CYCLE = "cycle"


def runs_flattened(engine, hw: Hardware | None = None) -> bool:
    """Whether ``engine`` runs mappings with flattened loops (on ``hw``): the analytic engine does;
    the cycle engine once :mod:`accelsim.sim.cycle` sets ``RUNS_FLATTENED_LOOPS = True`` (until
    then the mapper does not offer it flattened mappings), but not with sparse PEs
    (``hw.sparse_pe``: :func:`accelsim.sim.cycle.refuse_flat_sparse`)."""
    if parse_engine(engine) is Engine.ANALYTIC:
        return True
    if hw is not None and hw.sparse_pe is not None:
        return False
    from . import cycle

    return bool(getattr(cycle, "RUNS_FLATTENED_LOOPS", False))


def parse_engine(value) -> Engine:
    try:
        return Engine(str(value.value if isinstance(value, Enum) else value).lower())
    except ValueError:
        raise SpecError(f"unknown engine {value!r}; choose analytic or cycle", "engine") from None


def analytic_cycles(counts, compute_steps: int, hw: Hardware, mapping: Mapping, layer: ConvLayer,
                    dram_words: float | None = None) -> int:
    """Cycles of the analytic engine: the largest of the compute steps and the time each
    shared resource needs for its words (DRAM, GLB, each GIN bus, the GON) — a roofline-style
    estimate, the same the mapper's cycles and EDP objectives minimise
    (:func:`accelsim.kernels.analytic.roofline_cycles`); the cycle engine adds how they fail
    to overlap (it does not wait for the final ofmap writes, so on a tiny DRAM-bound layer it
    can come in under this estimate). On a systolic NoC the compute steps carry each fold's
    fill and drain and the buses one link per edge PE, as the cycle engine runs them
    (:func:`accelsim.sim.roofline.mapping_timing` of ``mapping`` on ``layer``).
    ``dram_words`` replaces the counted DRAM words (RLC-compressed traffic). Under
    ``hw.model.scalesim_timing`` only DRAM bounds it (:func:`accelsim.sim.conventions.timing_costs`)
    and ``compute_steps`` should be SCALE-Sim's fold-timed cycles
    (:func:`accelsim.sim.conventions.compute_cycles`)."""
    from ..kernels.analytic import roofline_cycles
    from .roofline import mapping_timing

    words = -1.0 if dram_words is None else float(dram_words)
    costs = timing_costs(hw)
    return int(roofline_cycles(np.asarray(counts), int(compute_steps), costs, words,
                               mapping_timing(mapping, layer, costs)))


def check_options(layer: ConvLayer, ifmap=None, *, first_layer: bool = False, zero_fraction: float | None = None,
                  ofmap_zero_fraction: float | None = None):
    """The data options of :func:`evaluate`, checked: ``(ifmap, zero_fraction, ofmap_zero_fraction)``.

    Raises
    ------
    SpecError
        ``first_layer`` not a bool, a zero fraction outside [0, 1], both ``ifmap`` and
        ``zero_fraction``, or an ifmap of the wrong shape or dtype.
    """
    if not isinstance(first_layer, bool):
        raise SpecError(f"must be true or false, got {first_layer!r}", "first_layer")
    if zero_fraction is not None:
        zero_fraction = check_zero_fraction(zero_fraction, "zero_fraction")
        if ifmap is not None:
            raise SpecError("give an ifmap or a zero fraction, not both", "zero_fraction")
    if ofmap_zero_fraction is not None:
        ofmap_zero_fraction = check_zero_fraction(ofmap_zero_fraction, "ofmap_zero_fraction")
    if ifmap is not None:
        ifmap = checked_tensor(ifmap, (layer.N, layer.C, layer.H, layer.W), "N, C, H, W", "ifmap")
    return ifmap, zero_fraction, ofmap_zero_fraction


def assumptions_of(layer: ConvLayer, hw: Hardware, ifmap=None, *, first_layer: bool = False,
                   zero_fraction: float | None = None, ofmap_zero_fraction: float | None = None,
                   network: str | None = None, zero_source: ZeroSource = ZeroSource.USER) -> Assumptions:
    """The zero fractions a layer's run assumes and where each comes from (checked options of
    :func:`evaluate`): a given ifmap's measured fraction, else ``zero_fraction`` (from
    ``zero_source``), else ``1 −`` the layer's stated ifmap density (``workload``), else the
    default (:func:`~accelsim.sim.activations.default_zero_fraction`);
    ``ofmap_zero_fraction`` (the user's), else its default."""
    if ifmap is not None:
        p_in, src_in = (float((ifmap == 0).mean()) if ifmap.size else 0.0), ZeroSource.IFMAP
    elif zero_fraction is not None:
        p_in, src_in = zero_fraction, zero_source
    elif layer.ifmap_density is not None:  # the workload states it (or counted it on its data)
        p_in, src_in = 1.0 - layer.ifmap_density, ZeroSource.WORKLOAD
    else:
        p_in = default_zero_fraction(layer.name, first_layer, network)
        src_in = zero_fraction_source(layer.name, first_layer, network)
    if ofmap_zero_fraction is not None:
        p_out, src_out = ofmap_zero_fraction, ZeroSource.USER
    else:
        p_out = default_ofmap_zero_fraction(layer.name, network)
        src_out = ofmap_zero_fraction_source(layer.name, network)
    effects = hw.effects
    return Assumptions(ifmap_zero_fraction=p_in, ifmap_zero_fraction_source=src_in, ofmap_zero_fraction=p_out,
                       ofmap_zero_fraction_source=src_out, zero_gating=effects.zero_gating, dram_rlc=effects.dram_rlc,
                       ifmap_rlc=effects.dram_rlc and not first_layer)


def evaluate(layer: ConvLayer, hw: Hardware, dataflow, engine, mapping: Mapping, ifmap=None, filters=None, *,
             first_layer: bool = False, zero_fraction: float | None = None,
             ofmap_zero_fraction: float | None = None, network: str | None = None,
             considered: int = 0, zero_source: ZeroSource = ZeroSource.USER,
             progress: bool = False) -> LayerResult:
    """Count, price and (cycle engine) run one layer under a given ``mapping``.

    The parameters are :func:`accelsim.drivers.simulate.simulate`'s; ``considered`` is the
    number of mappings the search that chose ``mapping`` considered (recorded only);
    ``zero_source`` says where a given ``zero_fraction`` came from (recorded in
    ``LayerResult.assumptions``, :func:`assumptions_of`).

    Raises
    ------
    MappingError, CapacityError
        ``mapping`` does not cover the layer or does not fit the hardware.
    SpecError
        See :func:`check_options`.
    """
    df = parse_dataflow(dataflow)
    eng = parse_engine(engine)
    ifmap, zero_fraction, ofmap_zero_fraction = check_options(
        layer, ifmap, first_layer=first_layer, zero_fraction=zero_fraction, ofmap_zero_fraction=ofmap_zero_fraction)
    window = window_flags(template(df), hw)
    counts = count_mapping(mapping, layer, window)
    check_fits(mapping, counts, hw)
    assumed = assumptions_of(layer, hw, ifmap, first_layer=first_layer, zero_fraction=zero_fraction,
                             ofmap_zero_fraction=ofmap_zero_fraction, network=network, zero_source=zero_source)
    p_in, p_out = assumed.ifmap_zero_fraction, assumed.ofmap_zero_fraction
    if eng is Engine.CYCLE:
        if hw.sparse_pe is not None and (ifmap is None or filters is None):
            # a sparse PE's work depends on its zeros: the layer's data, else seeded tensors at its
            # densities (uniform random positions; sim.sparse_data)
            data = layer_tensors(layer, resolve_densities(layer, first_layer=first_layer, network=network,
                                                          ifmap_zero_fraction=zero_fraction),
                                 seed=ACTIVATION_SEED, ifmap_bits=hw.precision.ifmap_bits,
                                 filter_bits=hw.precision.filter_bits)
            ifmap = data.ifmap if ifmap is None else ifmap
            filters = data.filters if filters is None else filters
        if ifmap is None and (hw.effects.zero_gating or hw.effects.dram_rlc or zero_fraction is not None):
            ifmap = relu_activations((layer.N, layer.C, layer.H, layer.W), p_in, ACTIVATION_SEED,
                                     bits=hw.precision.ifmap_bits)
        return _cycle_result(layer, hw, df, mapping, window, counts, considered, ifmap, filters, first_layer,
                             p_out, assumed, progress)
    if hw.model.scalesim_counts:
        counts = replace(counts, counts=apply_scalesim_counts(mapping, layer, hw, counts.counts))
    filters_in_rf = mapping.rf[DataType.FILTER] is not None
    gating = expected_gating(p_in, counts.macs, filters_in_rf) if hw.effects.zero_gating else None
    dram = None
    if hw.effects.dram_rlc:
        dram = dram_traffic(counts.counts, layer, 1.0 if first_layer else expected_ratio(p_in),
                            expected_ratio(p_out))
    compute = compute_cycles(mapping, hw, counts.compute_steps)
    sparse = None
    if hw.sparse_pe is not None:  # it skips what zero gating would idle: no gating on top
        sparse = _expected_sparse(layer, hw, mapping, 1.0 - p_in, counts.counts)
        compute, gating = sparse.pe_cycles_max, None
    cycles = analytic_cycles(counts.counts, compute, hw, mapping, layer,
                             dram_words=dram.total_words if dram is not None else None)
    return LayerResult(
        layer=layer, hardware=hw.name, dataflow=df.value, engine=eng.value,
        energy_unit=hw.energy.unit.value, mapping=mapping, macs=counts.macs, counts=counts.counts,
        energy=energy_dict(counts.counts, counts.macs, hw.access_costs, gating, dram, cycles=cycles, sparse=sparse),
        cycles=cycles, mesh_noc=hw.noc.clusters is not None,
        compute_cycles=compute, active_pes=mapping.active_pes_for(layer.loop_bounds()), num_pes=hw.num_pes,
        mappings_considered=considered,
        psum_spill=bool(counts.counts[Level.DRAM, DataType.PSUM, READS] > 0), gating=gating, dram_compressed=dram,
        clock_hz=hw.clock_hz, assumptions=assumed, sparse=sparse,
    )


def _expected_sparse(layer: ConvLayer, hw: Hardware, mapping: Mapping, ifmap_density: float,
                     counts: np.ndarray) -> SparseWork:
    """The analytic engine on a sparse-PE machine: the expected work at the layer's densities
    (:mod:`accelsim.sim.sparse_expectation`; filter density: the layer's, else dense). Its
    ``pe_cycles_max`` (the busiest PE's expected MAC cycles) is the compute part of the roofline;
    ``energy_dict(sparse=…)`` charges the ALU per effective MAC and the RF reads the PE makes."""
    d_w = resolve_densities(layer).filter
    work = expected_work(layer, mapping, ifmap_density, d_w, hw.sparse_pe.simd)
    return work_summary(work, counts, hw.sparse_pe.simd)


def _cycle_result(layer, hw, df, mapping, window, analytic, considered, ifmap, filters,
                  first_layer: bool, ofmap_zero_fraction: float, assumed: Assumptions,
                  progress: bool) -> LayerResult:
    """Run the cycle-level engine and package its timing and data effects next to its counts."""
    from ..sim.cycle import layer_inputs, reference_conv, run_cycle, wrap_to_bits

    ifmap, filters = layer_inputs(layer, ifmap, filters, hw.precision)
    exact = reference_conv(layer, ifmap, filters)
    # the machine's accumulators wrap at psum_bits: its output is the exact one wrapped
    reference = wrap_to_bits(exact, hw.precision.psum_bits)
    psum_overflows = int(np.count_nonzero(reference != exact))
    ratios = (1.0, 1.0, 1.0)
    if hw.effects.dram_rlc:
        # what crosses the DRAM link is compressed: the real ifmap, and the ofmap after bias
        # and ReLU. Its zeros are placed on the exact outputs: they stand for a real network's
        # activations (whose scaling keeps psums in range), not for wrapped random values
        ofmap_written = zero_pattern(exact, ofmap_zero_fraction)
        ratios = (1.0 if first_layer else float(measured_ratio(ifmap)), 1.0, float(measured_ratio(ofmap_written)))
    out = run_cycle(layer, hw, mapping, window, ifmap, filters,
                    estimate_cycles=analytic_cycles(analytic.counts, analytic.compute_steps, hw, mapping, layer),
                    dram_scale=ratios, progress=progress)
    matches_analytic = bool(np.array_equal(out.counts, analytic.counts))
    if hw.model.scalesim_counts:  # the counting rule is the same for both engines
        out = replace(out, counts=apply_scalesim_counts(mapping, layer, hw, out.counts))
    filters_in_rf = mapping.rf[DataType.FILTER] is not None
    sparse = None
    if hw.sparse_pe is not None:  # it skips what zero gating would idle: no gating on top
        sparse = measured_sparse_work(out.sparse_work, out.pe_wait, out.counts, hw.sparse_pe.simd)
    gating = measured_gating(layer, ifmap, filters_in_rf) if hw.effects.zero_gating and sparse is None else None
    dram = None
    if hw.effects.dram_rlc:
        dram = dram_traffic(out.counts, layer, 1 if first_layer else measured_ratio(ifmap),
                            measured_ratio(ofmap_written))
    verified = bool(np.array_equal(out.output, reference))
    stall_total = sum(out.stall_cycles.values())
    busy = out.pe_busy
    if sparse is None:
        idle = {cause: c * out.active_pes for cause, c in out.stall_cycles.items()}
    else:  # each PE on its own clock: its busy cycles are the ones it issued MACs in
        busy = out.pe_issue
        active = out.sparse_work[:, SP_MACS] > 0
        idle = {cause: int(round(float(out.pe_wait[active, i].sum())))
                for i, cause in enumerate(SPARSE_STALL_CAUSES)}
    idle["unused_pes"] = (hw.num_pes - out.active_pes) * out.cycles
    timing = CycleTiming(
        cycles=out.cycles, compute_cycles=out.compute_cycles, passes=out.passes,
        stall_cycles=dict(out.stall_cycles), pe_total_cycles=out.cycles * hw.num_pes,
        pe_busy_cycles=int(busy.sum()), pe_idle_cycles=idle,
        pe_utilization=tuple(map(tuple, (busy / max(out.cycles, 1)).round(6).tolist())),
        seconds=out.cycles / hw.clock_hz, verified=verified,
        counts_match_analytic=matches_analytic,
        trace_columns=TRACE_COLUMNS, trace_bin_cycles=out.bin_cycles, psum_overflows=psum_overflows,
    )
    macs = int(out.pe_busy.sum())
    return LayerResult(
        layer=layer, hardware=hw.name, dataflow=df.value, engine=Engine.CYCLE.value,
        energy_unit=hw.energy.unit.value, mapping=mapping, macs=macs, counts=out.counts,
        energy=energy_dict(out.counts, macs, hw.access_costs, gating, dram, cycles=out.cycles, sparse=sparse),
        cycles=out.cycles, sparse=sparse,
        mesh_noc=hw.noc.clusters is not None,
        compute_cycles=out.compute_cycles, stall_cycles=stall_total, active_pes=out.active_pes, num_pes=hw.num_pes,
        mappings_considered=considered, psum_spill=bool(out.counts[Level.DRAM, DataType.PSUM, READS] > 0),
        output=out.output, timing=timing, trace=out.trace, gating=gating, dram_compressed=dram,
        clock_hz=hw.clock_hz, assumptions=assumed,
    )


