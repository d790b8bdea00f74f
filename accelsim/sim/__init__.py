"""Simulation drivers: lower, count, price, package results."""
