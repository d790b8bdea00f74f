"""Plots of results: every function takes ``ax=None`` and returns the ``Axes`` it drew on.

Inputs are ``RunResult`` / ``LayerResult`` objects or their JSON documents (DESIGN.md §6), so
``accelsim plot results.json`` draws the same figures as a live session. Importing this package
does not import matplotlib; pyplot is loaded only when a function has to create a figure.
"""

from __future__ import annotations

from .breakdown import energy_breakdown
from .compare import dataflow_comparison, utilization
from .draw import COLORS

__all__ = ["COLORS", "dataflow_comparison", "energy_breakdown", "utilization"]
