"""DRAM traffic of run-length-compressed fmaps (Eyeriss, JSSC 2017 Sec. IV-B).

The chip stores every fmap except the first layer's input (the image) run-length compressed in
DRAM (:mod:`accelsim.sim.rlc`: 5-bit run, 16-bit level, three pairs per 64-bit word); filters
and spilled partial sums stay uncompressed. The access counts of both engines stay dense (the
same words move on chip); this module turns the dense DRAM words of a layer into the words the
compressed code takes:

* ifmap reads: ``round(dense ifmap reads × r_in)``, with ``r_in`` the compressed ÷ dense size
  of the layer's ifmap (``r_in = 1`` for the first layer's input);
* psum writes: the final ofmap writes (one per ofmap word) × ``r_out``, the compressed ÷ dense
  size of the ofmap after ReLU; partial-sum spills (writes beyond the ofmap words) dense;
* filter reads and psum reads (of spilled partial sums): dense.

All in 16-bit words (one 64-bit RLC word = 4 words, the unit of the chip's DRAM access counts).

Ratios
------
*Measured* (:func:`measured_ratio`, the cycle engine): the exact code size of the tensor the
run has, one RLC stream per image (the ``(C, H, W)`` fmap in row-major order), over its dense
size. Only the zero pattern matters, so values need not fit 16 bits (a raw ofmap).

*Expected* (:func:`expected_ratio`, the analytic engine), for a long stream whose values are
zero independently with probability ``p``: a non-zero costs one (run, level) pair, and the ``G``
zeros before it add ``floor(G / 32)`` continuation pairs; ``P(G >= k) = p^k``, so
``E[floor(G / 32)] = sum_j p^(32 j) = p^32 / (1 - p^32)`` and the pairs per value are
``(1 - p) / (1 - p^32)`` (``1/32`` at ``p = 1``). A pair is 64/3 bits = 4/3 16-bit words:

    ``r(p) = (4/3) · (1 - p) / (1 - p^32)``

— 4/3 for a dense fmap (compression *expands* it), 0.8 at ``p = 0.4``, 1/3 at ``p = 0.75``,
1/24 when all zero, matching the closed forms ``ceil(n/3)`` and ``ceil(n/96)`` 64-bit words
of :mod:`accelsim.sim.rlc` up to the stream's end (at most one pair and the last word's
padding per stream, which the formula ignores).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..layout import READS, WRITES
from ..spec.dims import DataType, Level
from ..spec.layer import ConvLayer
from ..spec.result import DramTraffic
from .rlc import MAX_RUN, PAIRS_PER_WORD, compressed_words16

#: 16-bit words per RLC pair: a 64-bit word (4 words) holds three pairs
WORDS16_PER_PAIR = Fraction(4, PAIRS_PER_WORD)


def rlc_words16(fmap: np.ndarray) -> int:
    """Compressed size of an fmap, one RLC stream per image, in 16-bit words.

    Parameters
    ----------
    fmap : numpy.ndarray, shape (N, ...)
        An ifmap (N, C, H, W) or ofmap (N, M, E, F); only its zero pattern is used.

    Returns
    -------
    int
        ``sum_n 4 · ceil(pairs_n / 3)``.
    """
    nonzero = (np.asarray(fmap) != 0).astype(np.int8)
    return sum(compressed_words16(image.ravel()) for image in nonzero)


def measured_ratio(fmap: np.ndarray) -> Fraction:
    """Compressed ÷ dense size of an fmap (exact; 1 for an empty one)."""
    size = int(np.asarray(fmap).size)
    return Fraction(rlc_words16(fmap), size) if size else Fraction(1)


def expected_ratio(zero_fraction: float) -> float:
    """Expected compressed ÷ dense size at a zero fraction ``p``: ``(4/3)(1-p)/(1-p^32)``.

    Parameters
    ----------
    zero_fraction : float
        In [0, 1].
    """
    p = float(zero_fraction)
    span = MAX_RUN + 1
    pairs_per_value = 1.0 / span if p >= 1.0 else (1.0 - p) / (1.0 - p**span)
    return float(WORDS16_PER_PAIR) * pairs_per_value


def dram_traffic(counts: np.ndarray, layer: ConvLayer, ifmap_ratio, ofmap_ratio) -> DramTraffic:
    """DRAM words of a layer with its ifmap and ofmap compressed.

    Parameters
    ----------
    counts : numpy.ndarray
        int64[4, 3, 4] dense access counts of the layer.
    layer : ConvLayer
    ifmap_ratio, ofmap_ratio : float or fractions.Fraction
        Compressed ÷ dense size of the ifmap (1 when it is not compressed) and of the ofmap.

    Returns
    -------
    DramTraffic
        See the module docstring; ratio 1 everywhere gives the dense DRAM words.
    """
    dram = counts[Level.DRAM]
    writes = int(dram[DataType.PSUM, WRITES])
    final = min(writes, layer.tensor_words()[2])
    return DramTraffic(
        ifmap_reads=int(round(int(dram[DataType.IFMAP, READS]) * ifmap_ratio)),
        filter_reads=int(dram[DataType.FILTER, READS]),
        psum_writes=(writes - final) + int(round(final * ofmap_ratio)),
        psum_reads=int(dram[DataType.PSUM, READS]),
    )
