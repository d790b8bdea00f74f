"""The analytic roofline's timing model of a given mapping: how many folds it runs, the cycles
their fill and drain add, and how many links feed each bus (a systolic array's edge links, a
hierarchical mesh's active clusters).

The cycles themselves are :func:`accelsim.kernels.analytic.roofline_cycles`; this module gives it
the ``timing`` array for a :class:`~accelsim.spec.mapping.Mapping` of any kind (perfect, padded,
flattened), where the mapper's kernel computes it for its perfect nests
(:func:`accelsim.kernels.analytic.perfect_timing`).
"""

from __future__ import annotations

import numpy as np

from ..dataflows.lowering import lower_mapping
from ..layout import C_HMESH, C_SYSTOLIC, N_TIMING, ROW, TEMPORAL
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping


def _valid_tuples(mapping: Mapping, layer: ConvLayer, counted: np.ndarray) -> int:
    """Index tuples of the loops marked in ``counted`` (bool[L]) with at least one valid
    iteration (the other loops at 0: their smallest coordinates)."""
    from ..kernels.analytic import compute_steps, compute_steps_flat, compute_steps_padded

    arr = lower_mapping(mapping)
    kinds = np.where(counted, TEMPORAL, ROW).astype(np.int64)  # the counted loops play "steps"
    bounds = np.array(layer.loop_bounds(), dtype=np.int64)
    if arr.flat:
        return int(compute_steps_flat(arr.dims, arr.factors, kinds, bounds, arr.groups))
    if mapping.is_padded(layer.loop_bounds()):
        return int(compute_steps_padded(arr.dims, arr.factors, kinds, bounds))
    return int(compute_steps(arr.factors, kinds))


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
    from ..kernels.analytic import fold_start

    arr = lower_mapping(mapping)
    counted = arr.kinds == TEMPORAL
    counted[fold_start(arr.kinds, arr.res):] = False  # inner loops: not counted
    return _valid_tuples(mapping, layer, counted)


def valid_clusters(mapping: Mapping, layer: ConvLayer) -> int:
    """Clusters of a hierarchical mesh that ``mapping`` gives at least one valid iteration on
    ``layer``: the index tuples of its cluster loops (``CROW`` / ``CCOL``) whose coordinates lie
    inside the layer's bounds (the others receive nothing); 1 without cluster loops.

    Parameters
    ----------
    mapping : Mapping
        Covers ``layer`` (:meth:`Mapping.check_covers`).
    layer : ConvLayer

    Returns
    -------
    int
        Clusters, >= 1.
    """
    counted = np.array([lp.kind.cluster for lp in mapping.loops], dtype=bool)
    return _valid_tuples(mapping, layer, counted)


def mapping_timing(mapping: Mapping, layer: ConvLayer, costs: np.ndarray) -> np.ndarray:
    """float64[N_TIMING]: :func:`accelsim.kernels.analytic.roofline_timing` of ``mapping`` on
    ``layer`` under ``costs`` (:func:`accelsim.dataflows.lowering.cost_array`, or
    :func:`accelsim.sim.conventions.timing_costs`): fold cycles of its valid folds
    (:func:`valid_folds`) and the links of each bus (on a hierarchical mesh, its valid clusters:
    :func:`valid_clusters`)."""
    from ..kernels.analytic import roofline_timing

    arr = lower_mapping(mapping)
    timing = np.zeros(N_TIMING, dtype=np.float64)
    folds = valid_folds(mapping, layer) if costs[C_SYSTOLIC] != 0.0 else 1
    clusters = valid_clusters(mapping, layer) if costs[C_HMESH] != 0.0 else 1
    roofline_timing(arr.dims, arr.factors, arr.kinds, arr.res, arr.groups, folds, clusters, costs, timing)
    return timing
