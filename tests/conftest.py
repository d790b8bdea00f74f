"""Shared pytest setup: a hypothesis profile without deadlines (numba compiles on first call)."""

from hypothesis import HealthCheck, settings

settings.register_profile("accelsim", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("accelsim")
