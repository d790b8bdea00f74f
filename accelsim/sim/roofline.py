"""The analytic roofline's timing model of a given mapping: how many folds it runs, the cycles
their fill and drain add, and how many links feed each bus (a systolic array's edge links).

The cycles themselves are :func:`accelsim.kernels.analytic.roofline_cycles`; this module gives it
the ``timing`` array for a :class:`~accelsim.spec.mapping.Mapping` of any kind (perfect, padded,
flattened), where the mapper's kernel computes it for its perfect nests
(:func:`accelsim.kernels.analytic.perfect_timing`).
"""

from __future__ import annotations

import numpy as np

from ..dataflows.lowering import lower_mapping
from ..layout import C_SYSTOLIC, N_TIMING, ROW, TEMPORAL
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping


def valid_folds(mapping: Mapping, layer: ConvLayer) -> int:
    """Folds of ``mapping`` on ``layer`` with at least one valid iteration: the iterations of the
    loops above the PE array (:func:`accelsim.kernels.analytic.fold_start`) whose coordinates
    lie inside the layer's bounds (the cycle engine skips the others).

    Parameters
    ----------
    mapping : Mapping
        Covers ``layer`` (:meth:`Mapping.check_covers`).
    layer : ConvLayer

    Returns
    -------
    int
        Folds, >= 1.
    """
    from ..kernels.analytic import compute_steps, compute_steps_flat, compute_steps_padded, fold_start

    arr = lower_mapping(mapping)
    outer = np.array(arr.kinds, copy=True)
    outer[fold_start(arr.kinds, arr.res):] = ROW  # inner loops: not counted
    outer[outer != TEMPORAL] = ROW
    bounds = np.array(layer.loop_bounds(), dtype=np.int64)
    if arr.flat:
        return int(compute_steps_flat(arr.dims, arr.factors, outer, bounds, arr.groups))
    if mapping.is_padded(layer.loop_bounds()):
        return int(compute_steps_padded(arr.dims, arr.factors, outer, bounds))
    return int(compute_steps(arr.factors, outer))


def mapping_timing(mapping: Mapping, layer: ConvLayer, costs: np.ndarray) -> np.ndarray:
    """float64[N_TIMING]: :func:`accelsim.kernels.analytic.roofline_timing` of ``mapping`` on
    ``layer`` under ``costs`` (:func:`accelsim.dataflows.lowering.cost_array`, or
    :func:`accelsim.sim.conventions.timing_costs`): fold cycles of its valid folds
    (:func:`valid_folds`) and the links of each bus."""
    from ..kernels.analytic import roofline_timing

    arr = lower_mapping(mapping)
    timing = np.zeros(N_TIMING, dtype=np.float64)
    folds = valid_folds(mapping, layer) if costs[C_SYSTOLIC] != 0.0 else 1
    roofline_timing(arr.dims, arr.factors, arr.kinds, arr.res, arr.groups, folds, costs, timing)
    return timing
