"""Compile (or load from numba's on-disk cache) the kernels a run will call, before it runs."""

from __future__ import annotations

from collections.abc import Iterable

from ..sim.kernel_cache import KernelGroup

#: what an analytic run with the mapper calls (the default of :func:`warmup`)
MAPPER_RUN = frozenset({KernelGroup.ANALYTIC, KernelGroup.SEARCH})


def warmup(groups: Iterable[KernelGroup] = MAPPER_RUN) -> None:
    """Call each kernel group of ``groups`` once on a tiny layer, in this order: counting of a
    perfect mapping (with the roofline cycles), counting of a padded one, the mapper, the cycle
    engine, counting of a mapping with flattened loops, the cycle engine on it. Sweeps call it
    in the parent so that their workers find the kernels in the cache;
    the test suite calls it for every group so that no test sees the first-run notice.

    Parameters
    ----------
    groups : iterable of KernelGroup
    """
    from ..dataflows import template
    from ..dataflows.lowering import window_flags
    from ..io.presets import load_hardware
    from ..search.mapper import Budget, best_mapping
    from ..sim.counting import count_mapping
    from ..sim.cycle import run_cycle
    from ..sim.evaluate import analytic_cycles
    from ..spec.dims import Dim, Flat
    from ..spec.layer import ConvLayer
    from ..spec.mapping import Loop, Mapping

    wanted = set(groups)
    hw = load_hardware("eyeriss")
    layer = ConvLayer(name="warmup", M=4, C=4, H=5, W=5, R=3, S=3)
    window = window_flags(template("rs"), hw)
    perfect = Mapping(loops=(Loop(Dim.M, 4), Loop(Dim.C, 4), Loop(Dim.E, 3), Loop(Dim.F, 3), Loop(Dim.R, 3),
                             Loop(Dim.S, 3)))
    if KernelGroup.ANALYTIC in wanted:
        counted = count_mapping(perfect, layer, window)
        analytic_cycles(counted.counts, counted.compute_steps, hw, perfect, layer)
    if KernelGroup.PADDED in wanted:  # E = 3 as 2 x 2: one padded row
        padded = Mapping(loops=(Loop(Dim.M, 4), Loop(Dim.C, 4), Loop(Dim.E, 2), Loop(Dim.E, 2), Loop(Dim.F, 3),
                                Loop(Dim.R, 3), Loop(Dim.S, 3)))
        count_mapping(padded, layer, window)
    if KernelGroup.SEARCH in wanted:
        best_mapping(layer, hw, "rs", budget=Budget(10, 10, 1))
    if KernelGroup.CYCLE in wanted:
        run_cycle(layer, hw, perfect, window)
    # im2col: Npx = E·F (9) over 2 x 5 (one padded), K = C·R·S in time
    flat = Mapping(loops=(Loop(Dim.M, 4), Loop(Flat((Dim.E, Dim.F)), 2), Loop(Flat((Dim.E, Dim.F)), 5),
                          Loop(Flat((Dim.C, Dim.R, Dim.S)), 36)))
    if KernelGroup.FLAT in wanted:
        count_mapping(flat, layer, window)
    if KernelGroup.CYCLE_FLAT in wanted:
        run_cycle(layer, hw, flat, window)
