"""A tile's size both ways — CSC-compressed and uncompressed — in words, for charging traffic.

Eyeriss v2 moves weights and iacts over its NoC and holds them in its SPads in CSC form, or
uncompressed when that is smaller (JETCAS 2019 Sec. IV-A; :mod:`accelsim.sim.csc`). A counting
engine that knows a tile's values (the cycle engine) or its zero pattern can charge a link or a
capacity either way with :func:`matrix_words`, :func:`iact_tile_words` or
:func:`weight_tile_words`; nothing charges them yet (issue #17 part 2).

Sizes depend only on where the zeros are, so a tile may be values of any width or a boolean mask:
it is encoded as its zero pattern. Bits (``n`` values, ``P`` pairs, ``k`` segments = columns):

* compressed: ``12 P`` (4-bit count + 8-bit datum per pair) ``+ k · address_bits``;
* uncompressed: ``8 n`` (8-bit values, counts not sent, address SPad gated).

``P <= n`` (each pair stands for at least one value of its column), so compressed bits are at most
``1.5 ×`` the uncompressed bits plus the address vector; zeroing values never increases ``P``
(:mod:`accelsim.sim.csc`). Words of ``word_bits`` are ``ceil(bits / word_bits)``: 8-bit words are
Eyeriss v2's data words (an engine's dense count of a tile is ``n`` of them), 24-bit words its NoC
port words, 64-bit ones a DRAM bus's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .csc import DATA_BITS, CscSegmenting, Encoding, encode, iact_matrix, weight_matrix


@dataclass(frozen=True, slots=True)
class TileWords:
    """One tile's size compressed (CSC) and uncompressed.

    Attributes
    ----------
    values : int
        Values of the tile (``n``).
    nonzeros : int
        Its non-zero values.
    pairs : int
        CSC (count, data) pairs, overflow pairs included (``P``).
    segments : int
        CSC columns (address entries of the compressed form).
    compressed_bits, uncompressed_bits : int
        ``12 P + segments · address_bits`` and ``8 n``.
    word_bits : int
        Width of the words below.
    compressed_words, uncompressed_words : int
        The bits in words of ``word_bits`` (rounded up).
    """

    values: int
    nonzeros: int
    pairs: int
    segments: int
    compressed_bits: int
    uncompressed_bits: int
    word_bits: int
    compressed_words: int
    uncompressed_words: int

    @property
    def smaller(self) -> Encoding:
        """The encoding of fewer bits (a tie: uncompressed, as :func:`~accelsim.sim.csc.encode_smaller`)."""
        return Encoding.RAW if self.uncompressed_bits <= self.compressed_bits else Encoding.CSC

    @property
    def smaller_words(self) -> int:
        """Words of the smaller encoding."""
        return self.uncompressed_words if self.smaller is Encoding.RAW else self.compressed_words


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def matrix_words(matrix, segmenting: CscSegmenting, word_bits: int = DATA_BITS) -> TileWords:
    """Sizes of a matrix whose columns are CSC segments (:func:`accelsim.sim.csc.encode`'s layout).

    Parameters
    ----------
    matrix : array_like, shape (segmenting.segment_rows, columns)
        Values of any integer width, or a boolean mask (only its zero pattern is used).
    segmenting : CscSegmenting
        Segment rows and address width.
    word_bits : int
        Word width the sizes are counted in (default 8: Eyeriss v2's data word).

    Returns
    -------
    TileWords

    Raises
    ------
    ValueError
        ``word_bits < 1``, or the matrix is not 2-D with ``segment_rows`` rows.
    """
    if word_bits < 1:
        raise ValueError(f"word_bits must be >= 1, got {word_bits}")
    pattern = (np.asarray(matrix) != 0).astype(np.int8)
    csc = encode(pattern, segmenting, Encoding.CSC)
    raw = encode(pattern, segmenting, Encoding.RAW)
    return TileWords(values=int(pattern.size), nonzeros=int(pattern.sum()), pairs=csc.pairs,
                     segments=csc.address_entries, compressed_bits=csc.total_bits,
                     uncompressed_bits=raw.total_bits, word_bits=word_bits,
                     compressed_words=_ceil(csc.total_bits, word_bits),
                     uncompressed_words=_ceil(raw.total_bits, word_bits))


def iact_tile_words(iacts, u: int, word_bits: int = DATA_BITS) -> TileWords:
    """Sizes of one PE's iact tile ``(C0, W)`` (channel × position, ``W`` a multiple of ``u``),
    cut into segments of ``C0 · u`` values (:func:`accelsim.sim.csc.iact_matrix`)."""
    arr = np.asarray(iacts)
    return matrix_words(iact_matrix(arr, u), CscSegmenting.iacts(arr.shape[0], u), word_bits)


def weight_tile_words(weights, word_bits: int = DATA_BITS) -> TileWords:
    """Sizes of one PE's weight tile ``(M0, C0, S)``, one segment per column of ``M0`` weights
    (:func:`accelsim.sim.csc.weight_matrix`)."""
    arr = np.asarray(weights)
    if arr.ndim != 3:
        raise ValueError(f"weights must be (M0, C0, S); got shape {arr.shape}")
    return matrix_words(weight_matrix(arr), CscSegmenting.weights(arr.shape[0]), word_bits)
