"""Plots of results: every function takes ``ax=None`` and returns the ``Axes`` it drew on.

Inputs are ``RunResult`` / ``LayerResult`` objects or their JSON documents (docs/architecture.md, *Results*), so
``accelsim plot results.json`` draws the same figures as a live session; the sweep plots
(:func:`pareto`, :func:`sweep_comparison`) take sweep records (:func:`accelsim.sweep`, a
DataFrame of them, or ``records.csv``); the cycle-engine plots (:func:`pe_heatmap`,
:func:`bandwidth_over_time`, :func:`stall_breakdown`) take cycle-engine results, their JSON, or
the ``.npz`` of ``accelsim run --engine cycle --trace``. Importing this package does not import matplotlib;
pyplot is loaded only when a function has to create a figure.
"""

from __future__ import annotations

from .breakdown import energy_breakdown
from .compare import dataflow_comparison, utilization
from .cycle import bandwidth_over_time, pe_heatmap, read_trace, stall_breakdown
from .draw import COLORS
from .pareto import pareto, pareto_front
from .sweep import case_totals, records_from_runs, sweep_comparison, sweep_runs

__all__ = ["COLORS", "bandwidth_over_time", "case_totals", "dataflow_comparison", "energy_breakdown", "pareto",
           "pareto_front", "pe_heatmap", "read_trace", "records_from_runs", "stall_breakdown", "sweep_comparison",
           "sweep_runs", "utilization"]
