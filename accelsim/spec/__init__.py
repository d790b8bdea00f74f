"""Spec types: frozen values with invariants; no I/O, no numba."""
