"""Counts of one (layer, mapping) from the analytic kernel, with checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dataflows.lowering import lower_mapping
from ..layout import N_COUNT_STATS, N_LEVELS, N_TILE_LEVELS, N_TYPES
from ..errors import CapacityError
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping


@dataclass(frozen=True, slots=True, eq=False)
class Counts:
    """Kernel output: ``counts`` int64[N_LEVELS, N_TYPES, N_COUNT_STATS] (ports and hops included),
    ``usage`` int64[2,3] (GLB, per-PE RF words)."""

    counts: np.ndarray
    usage: np.ndarray
    macs: int
    compute_steps: int


def count_mapping(mapping: Mapping, layer: ConvLayer, window: int) -> Counts:
    """Run the analytic kernel on ``mapping`` (which must cover ``layer``).

    ``window`` is :func:`~accelsim.dataflows.lowering.window_flags` of the dataflow and hardware.
    """
    from ..kernels.analytic import (compute_steps, compute_steps_flat, compute_steps_padded, count_accesses,
                                    count_accesses_flat, count_accesses_padded)

    bounds = layer.loop_bounds()
    mapping.check_covers(bounds)
    arr = lower_mapping(mapping)
    counts = np.zeros((N_LEVELS, N_TYPES, N_COUNT_STATS), dtype=np.int64)
    usage = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    if arr.flat:  # flattened loops: the enumerating path over axes
        b = np.array(bounds, dtype=np.int64)
        macs = count_accesses_flat(arr.dims, arr.factors, arr.kinds, arr.reds, arr.res, layer.U, window, b,
                                   arr.groups, counts, usage)
        steps = compute_steps_flat(arr.dims, arr.factors, arr.kinds, b, arr.groups)
    elif mapping.is_padded(bounds):
        b = np.array(bounds, dtype=np.int64)
        macs = count_accesses_padded(arr.dims, arr.factors, arr.kinds, arr.reds, arr.res, layer.U,
                                     window, b, counts, usage)
        steps = compute_steps_padded(arr.dims, arr.factors, arr.kinds, b)
    else:
        macs = count_accesses(arr.dims, arr.factors, arr.kinds, arr.reds, arr.res, layer.U,
                              window, counts, usage)
        steps = compute_steps(arr.factors, arr.kinds)
    return Counts(counts=counts, usage=usage, macs=int(macs), compute_steps=int(steps))


def glb_banks(counts: Counts, hw: Hardware) -> tuple[int, int, int]:
    """GLB banks each data type's tile takes (ifmap, filter, psum); all 0 when not banked.

    A type takes ``ceil(bits past its dedicated words / bits per bank)`` whole banks of the
    shared pool (:meth:`Buffer.banks_needed`, at the machine's :attr:`Hardware.precision`); the
    Eyeriss chip's filters live in their own banks, so they take none of the 25 ifmap/psum
    banks unless they outgrow them.
    """
    return hw.glb.banks_needed(tuple(int(u) for u in counts.usage[0]), hw.precision.per_type)


def check_fits(mapping: Mapping, counts: Counts, hw: Hardware) -> None:
    """Raise :class:`CapacityError` naming the level that overflows.

    Capacity per level (in bits, each data type at its width: :meth:`Buffer.overflow`) and,
    for a banked GLB, the bank rule: the banks the tiles take
    (:func:`glb_banks`) must not exceed the banks the shared pool has.
    """
    rows, cols = mapping.spatial_shape()
    if rows > hw.pe_rows or cols > hw.pe_cols:
        raise CapacityError(
            f"spatial loops need {rows}×{cols} PEs, the array is {hw.pe_rows}×{hw.pe_cols}", "mapping.loops"
        )
    _check_clusters(mapping, hw)
    for name, buf, use in (("glb", hw.glb, counts.usage[0]), ("rf", hw.rf, counts.usage[1])):
        msg = buf.overflow(tuple(int(u) for u in use), hw.precision.per_type)
        if msg:
            raise CapacityError(f"tiles overflow the {name.upper()}: {msg}", f"mapping.{name}")


def _check_clusters(mapping: Mapping, hw: Hardware) -> None:
    """Cluster loops (``crow``/``ccol``) need a hierarchical mesh, and on one the cluster loops
    fit the cluster array and the PE loops (``row``/``col``) one cluster."""
    crows, ccols = mapping.cluster_shape()
    cl = hw.noc.clusters
    if cl is None:
        if crows * ccols > 1:
            raise CapacityError(f"cluster loops ({crows}×{ccols} clusters) need a hierarchical mesh NoC, this "
                                f"machine's is {hw.noc.kind.value}", "mapping.loops")
        return
    rows, cols = mapping.spatial_shape()
    rows, cols = rows // crows, cols // ccols
    if crows > cl.rows or ccols > cl.cols:
        raise CapacityError(f"cluster loops need {crows}×{ccols} clusters, the mesh has {cl.rows}×{cl.cols}",
                            "mapping.loops")
    if rows > cl.pe_rows or cols > cl.pe_cols:
        raise CapacityError(f"row/col loops need {rows}×{cols} PEs in a cluster, a cluster has "
                            f"{cl.pe_rows}×{cl.pe_cols}", "mapping.loops")
