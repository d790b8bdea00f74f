"""Counts of one (layer, mapping) from the analytic kernel, with checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dataflows.lowering import lower_mapping
from ..errors import CapacityError
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping


@dataclass(frozen=True, slots=True, eq=False)
class Counts:
    """Kernel output: ``counts`` int64[4,3,4], ``usage`` int64[2,3] (GLB, per-PE RF words)."""

    counts: np.ndarray
    usage: np.ndarray
    macs: int
    compute_steps: int


def count_mapping(mapping: Mapping, layer: ConvLayer, window: int) -> Counts:
    """Run the analytic kernel on ``mapping`` (which must cover ``layer``).

    ``window`` is :func:`~accelsim.dataflows.lowering.window_flags` of the dataflow and hardware.
    """
    from ..kernels.analytic import compute_steps, count_accesses

    mapping.check_covers(layer.loop_bounds())
    arr = lower_mapping(mapping)
    counts = np.zeros((4, 3, 4), dtype=np.int64)
    usage = np.zeros((2, 3), dtype=np.int64)
    macs = count_accesses(arr.dims, arr.factors, arr.kinds, arr.reds, arr.res, layer.U,
                          window, counts, usage)
    return Counts(counts=counts, usage=usage, macs=int(macs),
                  compute_steps=int(compute_steps(arr.factors, arr.kinds)))


def check_fits(mapping: Mapping, counts: Counts, hw: Hardware) -> None:
    """Raise :class:`CapacityError` naming the level that overflows."""
    rows, cols = mapping.spatial_shape()
    if rows > hw.pe_rows or cols > hw.pe_cols:
        raise CapacityError(
            f"spatial loops need {rows}×{cols} PEs, the array is {hw.pe_rows}×{hw.pe_cols}", "mapping.loops"
        )
    for name, buf, use in (("glb", hw.glb, counts.usage[0]), ("rf", hw.rf, counts.usage[1])):
        msg = buf.overflow(tuple(int(u) for u in use))
        if msg:
            raise CapacityError(f"tiles overflow the {name.upper()}: {msg}", f"mapping.{name}")
