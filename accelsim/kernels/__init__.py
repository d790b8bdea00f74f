"""Numba kernels: flat arrays in, flat arrays out; never imports the rest of accelsim."""
