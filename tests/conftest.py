"""Shared pytest setup: a hypothesis profile without deadlines (numba compiles on first call), and
every kernel compiled once before the first test."""

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("accelsim", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("accelsim")


@pytest.fixture(scope="session", autouse=True)
def _warm_kernels():
    """Call each kernel group once (counting of perfect and padded mappings, the mapper, the cycle
    engine) so that the CLI's first-run notice ("compiling kernels …", printed on stderr when
    numba's cache is cold, as it is in CI) never lands in a test's captured output; the notice
    itself is tested in subprocesses with their own empty caches (tests/test_cold_start.py)."""
    from accelsim.dataflows import template
    from accelsim.dataflows.lowering import window_flags
    from accelsim.io.presets import load_hardware
    from accelsim.search.mapper import Budget, best_mapping
    from accelsim.sim.counting import count_mapping
    from accelsim.sim.cycle import run_cycle
    from accelsim.sim.evaluate import analytic_cycles
    from accelsim.spec.dims import Dim
    from accelsim.spec.layer import ConvLayer
    from accelsim.spec.mapping import Loop, Mapping

    hw = load_hardware("eyeriss")
    layer = ConvLayer(name="warm", M=4, C=4, H=5, W=5, R=3, S=3)
    window = window_flags(template("rs"), hw)
    perfect = Mapping(loops=(Loop(Dim.M, 4), Loop(Dim.C, 4), Loop(Dim.E, 3), Loop(Dim.F, 3), Loop(Dim.R, 3),
                             Loop(Dim.S, 3)))
    padded = Mapping(loops=(Loop(Dim.M, 4), Loop(Dim.C, 4), Loop(Dim.E, 2), Loop(Dim.E, 2), Loop(Dim.F, 3),
                            Loop(Dim.R, 3), Loop(Dim.S, 3)))  # E = 3 as 2 x 2: one padded row
    counted = count_mapping(perfect, layer, window)
    analytic_cycles(counted.counts, counted.compute_steps, hw)
    count_mapping(padded, layer, window)
    best_mapping(layer, hw, "rs", budget=Budget(10, 10, 1))
    run_cycle(layer, hw, perfect, window)
