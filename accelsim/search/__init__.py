"""Mapper, mapspace search, comparisons and sweeps."""
