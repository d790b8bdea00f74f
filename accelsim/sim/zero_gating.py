"""Zero gating: a zero ifmap value disables the filter-spad read and the MAC it feeds.

Source: Chen, Krishna, Emer, Sze, "Eyeriss: An Energy-Efficient Reconfigurable Accelerator for
Deep Convolutional Neural Networks", IEEE JSSC 52(1), 2017 (the PE's data gating): the PE
flags zero ifmap values as they arrive; for a zero operand it skips the filter scratch-pad read
and keeps the MAC datapath idle. The cycle still passes, so gating saves energy, not cycles.

Two ways to count what is gated:

* **measured** (:func:`measured_gating`, the cycle engine): from the real ifmap. An ifmap word
  at ``(n, c, h, w)`` is an operand of ``(M/G) · u_h[h] · u_w[w]`` MACs, where
  ``u_h[h] = #{(e, r) : 0 <= e < E, 0 <= r < R, e·U + r = h}`` and likewise ``u_w`` over
  ``(f, s)`` (:func:`operand_uses`); the gated MACs are the sum of this over the zero words —
  exact, and a few numpy reductions.
* **expected** (:func:`expected_gating`, the analytic engine): with every ifmap word zero with
  probability ``p`` (the marginal of a random zero pattern, e.g. :func:`relu_activations
  <accelsim.sim.activations.relu_activations>`), the expected number of gated MACs is
  ``p · MACs`` because every MAC has exactly one ifmap operand; rounded to a whole MAC.

The filter-spad reads gated equal the gated MACs when the mapping keeps filters in the RF (one
filter RF read per MAC, the access counts' rule), and are 0 when filters bypass the RF.
"""

from __future__ import annotations

import numpy as np

from ..spec.layer import ConvLayer
from ..spec.result import Gating


def operand_uses(out_extent: int, kernel: int, stride: int, in_extent: int) -> np.ndarray:
    """How many (output, kernel) index pairs read each input position along one axis.

    Parameters
    ----------
    out_extent, kernel, stride, in_extent : int
        ``E, R, U, H`` (or ``F, S, U, W``) of a layer.

    Returns
    -------
    numpy.ndarray of int64, shape (in_extent,)
        ``uses[h] = #{(e, r) : e·stride + r = h}``; sums to ``out_extent · kernel``.
    """
    pos = (np.arange(out_extent, dtype=np.int64)[:, None] * stride
           + np.arange(kernel, dtype=np.int64)[None, :])
    return np.bincount(pos.ravel(), minlength=in_extent).astype(np.int64)


def macs_per_ifmap_word(layer: ConvLayer) -> np.ndarray:
    """MACs that use each ifmap position of one channel: ``(M/G) · u_h[h] · u_w[w]``.

    Returns
    -------
    numpy.ndarray of int64, shape (H, W)
        Summed over every channel and image of the layer this gives its MACs.
    """
    u_h = operand_uses(layer.E, layer.R, layer.U, layer.H)
    u_w = operand_uses(layer.F, layer.S, layer.U, layer.W)
    return (layer.M // layer.G) * np.outer(u_h, u_w)


def measured_gating(layer: ConvLayer, ifmap: np.ndarray, filters_in_rf: bool) -> Gating:
    """Count the MACs (and filter-spad reads) a real ifmap gates.

    Parameters
    ----------
    layer : ConvLayer
    ifmap : numpy.ndarray of int, shape (N, C, H, W)
        The values the layer reads.
    filters_in_rf : bool
        Whether the mapping keeps filters in the RF (each MAC then reads one filter RF word).

    Returns
    -------
    Gating
        Exact counts.
    """
    zeros = np.asarray(ifmap) == 0
    per_position = zeros.sum(axis=(0, 1), dtype=np.int64)  # (H, W): zero words over images and channels
    gated = int((per_position * macs_per_ifmap_word(layer)).sum())
    fraction = float(zeros.mean()) if zeros.size else 0.0
    return Gating(ifmap_zero_fraction=fraction, gated_macs=gated,
                  gated_filter_rf_reads=gated if filters_in_rf else 0)


def expected_gating(zero_fraction: float, macs: int, filters_in_rf: bool) -> Gating:
    """Expected gating when each ifmap word is zero with probability ``zero_fraction``.

    Parameters
    ----------
    zero_fraction : float
        In [0, 1].
    macs : int
        The layer's MACs.
    filters_in_rf : bool
        Whether the mapping keeps filters in the RF.

    Returns
    -------
    Gating
        ``gated_macs = round(zero_fraction · macs)`` (an expectation, rounded to a MAC).
    """
    gated = int(round(float(zero_fraction) * int(macs)))
    return Gating(ifmap_zero_fraction=float(zero_fraction), gated_macs=gated,
                  gated_filter_rf_reads=gated if filters_in_rf else 0)
