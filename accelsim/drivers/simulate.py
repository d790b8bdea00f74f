"""simulate(): (layer, hardware, dataflow[, mapping]) → LayerResult, the mapper choosing a missing
mapping; simulate_network(): a whole workload."""

from __future__ import annotations

from dataclasses import replace

from ..dataflows import parse_dataflow
from ..errors import InfeasibleError, MappingError, SpecError
from ..search.mapper import Budget, Objective, best_mapping
from ..sim.activations import check_zero_fraction
from ..sim.evaluate import check_options, evaluate, parse_engine, runs_flattened
from ..spec.assumptions import ZeroSource
from ..spec.constraints import MappingConstraints
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer, Workload
from ..spec.mapping import Mapping
from ..spec.result import LayerResult, RunResult, Status, energy_source_dict, machine_area


def _version() -> str:
    from .. import __version__

    return __version__


def simulate(layer: ConvLayer, hw: Hardware, dataflow="rs", engine="analytic", mapping: Mapping | None = None,
             ifmap=None, filters=None, objective=Objective.ENERGY, budget: Budget | None = None, *,
             first_layer: bool = False, zero_fraction: float | None = None,
             ofmap_zero_fraction: float | None = None, network: str | None = None,
             zero_source: ZeroSource = ZeroSource.USER,
             constraints: MappingConstraints | None = None, progress: bool = False,
             flatten: bool = True) -> LayerResult:
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
    zero_source : ZeroSource
        Where a given ``zero_fraction`` came from (``user``; ``workload`` for a workload file's
        per-layer value), recorded in ``LayerResult.assumptions`` with every other assumption.
    constraints : MappingConstraints, optional
        The partial mapping the mapper completes (:mod:`accelsim.spec.constraints`); a given
        ``mapping`` must meet it.
    progress : bool
        Cycle engine: a progress bar with an ETA on stderr for a run that lasts more than a
        couple of seconds (:func:`accelsim.sim.cycle.run_cycle`).
    flatten : bool
        Whether the mapper may choose flattened (im2col) loops for the systolic dataflows (when
        the engine runs them); off for a run reported under Timeloop's semantics, which count
        plain loop nests only (:mod:`accelsim.sim.timeloop_semantics`).

    Returns
    -------
    LayerResult
        ``energy_source`` says what priced it and ``area`` is the machine's
        (:func:`~accelsim.spec.result.machine_area`). ``status`` is ``infeasible`` (with a
        reason) when no legal mapping exists. With
        ``hw.effects.zero_gating`` it records ``gating``, with ``hw.effects.dram_rlc`` ``dram_compressed``
        (:mod:`accelsim.sim.zero_gating`, :mod:`accelsim.sim.compression`); ``counts`` stay
        dense and ``energy`` includes both effects.

    Raises
    ------
    MappingError, CapacityError
        A given ``mapping`` does not cover the layer or does not fit the hardware.
    SpecError
        A zero fraction outside [0, 1], both ``ifmap`` and ``zero_fraction``, or an ifmap of
        the wrong shape; ``constraints`` no legal mapping meets, or a given ``mapping`` breaks.
    """
    df = parse_dataflow(dataflow)
    eng = parse_engine(engine)
    options = dict(first_layer=first_layer, zero_fraction=zero_fraction, ofmap_zero_fraction=ofmap_zero_fraction)
    ifmap = check_options(layer, ifmap, **options)[0]
    considered = 0
    if mapping is None:
        try:
            found = best_mapping(layer, hw, df, objective, budget, constraints,
                                 flatten=flatten and runs_flattened(eng, hw))
        except InfeasibleError as exc:
            return LayerResult(layer=layer, hardware=hw.name, dataflow=df.value, engine=eng.value,
                               energy_unit=hw.energy.unit.value, status=Status.INFEASIBLE,
                               reason=exc.message, num_pes=hw.num_pes, energy_source=hw.energy.describe(),
                               area=machine_area(hw))
        mapping, considered = found.mapping, found.considered
    elif constraints is not None:
        _refuse_flattened_pins(constraints, mapping, layer)
        broken = constraints.violations(mapping, layer.loop_bounds(), hw.num_pes)
        if broken:
            raise SpecError(f"the given mapping of {layer.name} breaks this constraint{constraints.where()}",
                            field=", ".join(broken))
    result = evaluate(layer, hw, df, eng, mapping, ifmap, filters, network=network, considered=considered,
                      zero_source=zero_source, progress=progress, **options)
    return replace(result, energy_source=hw.energy.describe(), area=machine_area(hw))


def _refuse_flattened_pins(constraints: MappingConstraints, mapping: Mapping, layer: ConvLayer) -> None:
    """A pinned factor or loop order on a dimension the given ``mapping`` flattens into a group
    (``(N,E,F)``, ``(C,R,S)``) has no loop of its own to check: refused, naming the pin.

    Raises
    ------
    SpecError
        field = the first such pin's path.
    """
    owner = {d: g for g in mapping.flat_groups for d in g.members}
    items = [(p.field, (p.dim,)) for p in constraints.factors] + [(o.field, o.dims) for o in constraints.orders]
    for field, dims in items:
        hit = [d for d in dims if d in owner]
        if hit:
            group = owner[hit[0]]
            raise SpecError(f"the given mapping of {layer.name} runs {hit[0].name} inside the flattened loop "
                            f"({','.join(d.name for d in group.members)}), so a pin on {hit[0].name} has no loop "
                            f"to pin{constraints.where()}; drop the pin or give a mapping without that group", field)


def simulate_network(workload: Workload, hw: Hardware, dataflow="rs", engine="analytic", batch: int = 1,
                     objective=Objective.ENERGY, mappings: dict[str, Mapping] | None = None,
                     budget: Budget | None = None, jobs: int = 1, *, first_layer: str | None = None,
                     zero_fraction: float | None = None, ifmaps: dict | None = None,
                     constraints: dict[str, MappingConstraints] | None = None,
                     progress: bool = False, flatten: bool = True) -> RunResult:
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
        ofmap (``ofmap_zero_fraction``). Default: per layer, the workload's
        :meth:`~accelsim.spec.layer.Workload.ifmap_zero_fraction` (source ``workload``), else see
        :func:`simulate`.
    ifmaps : dict, optional
        ``{layer name: int array (batch, C, H, W)}``, the ifmaps of some layers (cycle engine).
    constraints : dict, optional
        ``{layer name: MappingConstraints}`` (:func:`accelsim.io.presets.load_constraints`).
    progress : bool
        Cycle engine: a progress bar per long layer (:func:`simulate`).
    flatten : bool
        Whether the mapper may choose flattened loops (:func:`simulate`).
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
        ifmap_zeros, source = zero_fraction, ZeroSource.USER
        if ifmap_zeros is None and workload.ifmap_zero_fraction(layer.name) is not None:
            ifmap_zeros, source = workload.ifmap_zero_fraction(layer.name), ZeroSource.WORKLOAD
        try:
            return simulate(layer, hw, df, engine, given, ifmap=ifmap, objective=objective, budget=budget,
                            first_layer=layer.name == first,
                            zero_fraction=ifmap_zeros if ifmap is None else None, zero_source=source,
                            ofmap_zero_fraction=zero_fraction, network=workload.name,
                            constraints=(constraints or {}).get(layer.name), progress=progress, flatten=flatten)
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
                     layers=tuple(results), version=_version(), energy_source=energy_source_dict(hw.energy),
                     area=machine_area(hw))
