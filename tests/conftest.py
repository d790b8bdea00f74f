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
    from accelsim.drivers.warmup import warmup
    from accelsim.sim.kernel_cache import KernelGroup

    warmup(KernelGroup)
