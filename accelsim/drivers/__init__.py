"""Drivers: choose mappings and run layers, networks, dataflow comparisons and sweeps."""
