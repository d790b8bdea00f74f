"""Eyeriss v2 compressed sparse column (CSC) encoding of iacts and weights — the encoding only.

Source: Y.-H. Chen, T.-J. Yang, J. Emer, V. Sze, "Eyeriss v2: A Flexible Accelerator for
Emerging Deep Neural Networks on Mobile Devices", IEEE JETCAS 9(2):292-308, 2019
(arXiv 1807.07928), Sec. IV-A and Fig. 16. Stated there: weights and input activations (iacts)
are kept in the PE's scratch pads (SPads) in CSC form — per non-zero a 4-bit *count* of the
zeros before it and its 8-bit *data* (a 12-bit pair) — with an *address* vector giving where
each column starts; an empty column repeats the next column's start. iacts are cut into
non-overlapping segments of ``C0 × U`` values (so the window can slide by ``U`` positions
segment by segment) and each column of ``M0`` weights is one segment. SPads (bits):
iact address 9 × 4, iact data 16 × 12, weight address 16 × 7, weight data 96 × 24 (two pairs
per word: SIMD width 2; an odd column's last word carries an all-zero second pair). With
low-sparsity data the PE also accepts *uncompressed* iacts and weights: the address SPads are
clock-gated and every count is 0. NoC ports are 24 bits: three raw 8-bit values or two 12-bit
pairs per word.

Nothing in the engines uses this module yet (issue #17 part 1): it encodes, decodes and sizes.

Matrix and segments
-------------------
:func:`encode` takes a 2-D integer matrix of shape ``(rows, columns)`` whose columns are the
segments (``rows = CscSegmenting.segment_rows``). Each column is coded on its own, top to
bottom; the zero count restarts at each column (Fig. 16: the first non-zero of a column
counts only the zeros above it in that column) and the zeros below a column's last non-zero
cost nothing (the column's end is its address entry).

Count overflow. A count is 4 bits (0..15). A run of ``g >= 16`` zeros before a non-zero is
split as Eyeriss v1's run-length code splits its 5-bit runs (JSSC 2017 Sec. IV-B): each
``(count 15, data 0)`` pair stands for 16 values (15 counted zeros and the explicit zero),
then the non-zero comes with count ``g mod 16``: ``floor(g / 16)`` extra pairs. This is also
the rule of the CSC variant with 4-bit zero counts that Eyeriss v2's format follows, EIE (Han et
al., ISCA 2016, Sec. III: "if more than 15 zeros appear before a non-zero entry we add a zero"
to the data vector); the v2 text read for this module states no rule of its own. It cannot arise when
``rows <= 16`` (every gap is at most 15), which covers the iact segments the SPads hold
(``C0 · U <= 16``); weight columns of ``M0 > 16`` rows (up to 32) can overflow.

Address vector. :attr:`CscTensor.address` has ``columns + 1`` entries, the start of every
column and the end of the last (Fig. 16: ``0, 2, 5, 6, 6, 7, 9, 9, 12`` for eight columns).
The SPad holds one entry per column (the leading 0 is implicit): ``columns`` entries of
``address_bits`` each, as :attr:`CscTensor.address_entries` counts. (Our reading, not stated:
16 weight-address entries then cover ``C0 · S <= 16`` weight columns, the iact window's limit,
and a 7-bit entry addresses the 96 24-bit words of the weight data SPad — pair addresses up to
192 would need 8 bits — so weight addresses count words, each column starting on a word.)

Layout of the tensors (our choice where the text is silent):

* iacts of one PE, shape ``(C0, W)`` (channel, position), ``W`` a multiple of ``U``
  (:func:`iact_matrix`): segment ``j`` is positions ``j·U .. j·U + U - 1``; its row
  ``u·C0 + c`` is channel ``c`` at position ``j·U + u`` (channel fastest).
* weights of one PE, shape ``(M0, C0, S)`` (output channel, input channel, filter column)
  (:func:`weight_matrix`): column ``s·C0 + c`` holds the ``M0`` weights that multiply iact
  ``(c, s)`` of the window, row ``m`` being output channel ``m``.

Sizes (``P`` pairs, ``n = rows · columns`` values, ``k_j`` pairs in column ``j``)
-------------------------------------------------------------------------------
CSC: ``P = nnz + sum floor(g / 16)`` over the non-zeros' gaps ``g``; data ``12 P`` bits,
address ``columns · address_bits`` bits; ``ceil(P / 2)`` 24-bit port words; ``sum ceil(k_j / 2)``
24-bit weight-SPad words. Uncompressed: ``n`` SPad entries (counts 0), ``8 n`` bits, no address
(gated), ``ceil(n / 3)`` port words, ``columns · ceil(rows / 2)`` weight-SPad words.

Zeroing entries of a given matrix never increases ``P`` (a removed pair merges two gaps
``a``, ``b`` into ``a + b + 1`` and ``floor((a + b + 1) / 16) <= floor(a / 16) + floor(b / 16) + 1``),
so no CSC size grows. Across different zero patterns of one shape the zero count alone does not
order the size once ``rows > 16``: a 34-row column ``([0]*16 + [1]) * 2`` (32 zeros) takes
4 pairs, ``[1]*3 + [0]*31`` (31 zeros) takes 3. With ``rows <= 16``, ``P = nnz``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

COUNT_BITS = 4
DATA_BITS = 8
PAIR_BITS = COUNT_BITS + DATA_BITS  # 12
MAX_COUNT = (1 << COUNT_BITS) - 1  # 15
_SPAN = MAX_COUNT + 1  # values one overflow pair (15, 0) stands for
PORT_WORD_BITS = 24  # NoC port width (JETCAS Sec. III-C)
PAIRS_PER_PORT_WORD = PORT_WORD_BITS // PAIR_BITS  # 2
RAW_VALUES_PER_PORT_WORD = PORT_WORD_BITS // DATA_BITS  # 3
_DATA_MIN, _DATA_MAX = -(1 << (DATA_BITS - 1)), (1 << (DATA_BITS - 1)) - 1


class Encoding(Enum):
    """How a matrix is held: compressed (CSC) or uncompressed (low-sparsity mode)."""

    CSC = "csc"
    RAW = "raw"


@dataclass(frozen=True, slots=True)
class SpadCapacity:
    """The capacity of one operand's SPad pair in a v2 PE (JETCAS Sec. IV-A).

    Attributes
    ----------
    address_entries : int
        Entries of the address SPad (one per segment held).
    address_bits : int
        Bits per address entry.
    data_entries : int
        Entries of the data SPad.
    pairs_per_entry : int
        12-bit (count, data) pairs per data entry: 1 for iacts (12-bit entries), 2 for
        weights (24-bit entries; a column starts on an entry, an odd one ends in a zero pair).
    """

    address_entries: int
    address_bits: int
    data_entries: int
    pairs_per_entry: int

    def data_entries_used(self, tensor: CscTensor) -> int:
        """Data-SPad entries ``tensor`` takes: its pairs, or with two pairs per entry
        ``sum_j ceil(k_j / 2)`` (each column padded to whole entries)."""
        if self.pairs_per_entry == 1:
            return tensor.pairs
        per_column = np.diff(tensor.address)
        return int((-(-per_column // self.pairs_per_entry)).sum())

    def fits(self, tensor: CscTensor) -> bool:
        """Whether ``tensor`` fits: its address entries and data entries within the SPads."""
        return (tensor.address_entries <= self.address_entries
                and self.data_entries_used(tensor) <= self.data_entries)


#: iact SPads: address 9 × 4 b, data 16 × 12 b.
IACT_SPAD = SpadCapacity(address_entries=9, address_bits=4, data_entries=16, pairs_per_entry=1)
#: weight SPads: address 16 × 7 b, data 96 × 24 b (two pairs per word).
WEIGHT_SPAD = SpadCapacity(address_entries=16, address_bits=7, data_entries=96, pairs_per_entry=2)


@dataclass(frozen=True, slots=True)
class CscSegmenting:
    """How an operand's matrix is cut into CSC columns.

    Attributes
    ----------
    segment_rows : int
        Values per column (segment): ``C0 · U`` for iacts, ``M0`` for weights.
    address_bits : int
        Bits per address-vector entry (4 for iacts, 7 for weights).
    """

    segment_rows: int
    address_bits: int

    def __post_init__(self) -> None:
        if self.segment_rows < 1 or self.address_bits < 1:
            raise ValueError(f"segment_rows and address_bits must be >= 1, got {self.segment_rows}, "
                             f"{self.address_bits}")

    @classmethod
    def iacts(cls, c0: int, u: int) -> CscSegmenting:
        """iact segments of ``C0 · U`` values (``C0`` channels × ``U`` positions), 4-bit addresses."""
        return cls(segment_rows=c0 * u, address_bits=IACT_SPAD.address_bits)

    @classmethod
    def weights(cls, m0: int) -> CscSegmenting:
        """One segment per column of ``M0`` weights, 7-bit addresses."""
        return cls(segment_rows=m0, address_bits=WEIGHT_SPAD.address_bits)


@dataclass(frozen=True, slots=True, eq=False)
class CscTensor:
    """A matrix in CSC (or uncompressed) form.

    Attributes
    ----------
    encoding : Encoding
        ``CSC``, or ``RAW``: every value stored with count 0, no address vector in the SPad.
    shape : tuple of int
        ``(rows, columns)`` of the matrix.
    data : numpy.ndarray of int8, shape (P,)
        The data vector (8-bit values), column by column; explicit zeros are overflow pairs
        (CSC) or zero values (RAW).
    count : numpy.ndarray of uint8, shape (P,)
        The count vector: zeros before each data entry within its column (4 bits, 0..15).
    address : numpy.ndarray of int64, shape (columns + 1,)
        Start of each column in ``data`` and the end of the last (in pairs).
    address_bits : int
        Width of one address entry (bits).
    """

    encoding: Encoding
    shape: tuple[int, int]
    data: np.ndarray
    count: np.ndarray
    address: np.ndarray
    address_bits: int

    @property
    def pairs(self) -> int:
        """Entries of the data and count vectors (12-bit pairs; RAW: the values)."""
        return int(self.data.size)

    @property
    def address_entries(self) -> int:
        """Address entries the SPad holds: one per column (CSC), 0 when uncompressed (gated)."""
        return self.shape[1] if self.encoding is Encoding.CSC else 0

    @property
    def data_bits(self) -> int:
        """Bits of data and counts moved: ``12 P`` (CSC) or ``8 n`` (RAW: counts not sent)."""
        return PAIR_BITS * self.pairs if self.encoding is Encoding.CSC else DATA_BITS * self.pairs

    @property
    def address_vector_bits(self) -> int:
        """Bits of the address vector: ``address_entries · address_bits``."""
        return self.address_entries * self.address_bits

    @property
    def total_bits(self) -> int:
        """``data_bits + address_vector_bits``."""
        return self.data_bits + self.address_vector_bits

    @property
    def data_port_words(self) -> int:
        """24-bit NoC port words of the data: ``ceil(P / 2)`` pairs (CSC) or ``ceil(n / 3)`` values (RAW)."""
        per_word = PAIRS_PER_PORT_WORD if self.encoding is Encoding.CSC else RAW_VALUES_PER_PORT_WORD
        return -(-self.pairs // per_word)

    def words(self, word_bits: int) -> int:
        """The whole encoding (data, counts if CSC, address) in words of ``word_bits`` (e.g. DRAM)."""
        if word_bits < 1:
            raise ValueError(f"word_bits must be >= 1, got {word_bits}")
        return -(-self.total_bits // word_bits)


def _as_matrix(matrix, segmenting: CscSegmenting) -> np.ndarray:
    """Check ``matrix`` is a 2-D int8-range integer array with ``segment_rows`` rows; int64 copy."""
    arr = np.asarray(matrix)
    if arr.ndim != 2:
        raise ValueError(f"CSC encodes a 2-D matrix (rows = segment values); got shape {arr.shape}")
    if arr.shape[0] != segmenting.segment_rows:
        raise ValueError(f"matrix has {arr.shape[0]} rows; the segmenting's segments have "
                         f"{segmenting.segment_rows}")
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"CSC data are integers; got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < _DATA_MIN or arr.max() > _DATA_MAX):
        raise ValueError(f"CSC data are 8-bit signed: values must lie in [{_DATA_MIN}, {_DATA_MAX}], "
                         f"got [{arr.min()}, {arr.max()}]")
    return arr


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


def encode(matrix, segmenting: CscSegmenting, encoding: Encoding = Encoding.CSC) -> CscTensor:
    """Encode a matrix whose columns are segments.

    Parameters
    ----------
    matrix : array_like of int, shape (segment_rows, columns)
        8-bit signed values (each in [-128, 127]).
    segmenting : CscSegmenting
        Segment length (must equal the rows) and address width.
    encoding : Encoding
        ``CSC`` (default) or ``RAW`` (uncompressed: counts 0, address SPad gated).

    Returns
    -------
    CscTensor

    Raises
    ------
    ValueError
        If ``matrix`` is not 2-D, its rows differ from ``segmenting.segment_rows``, or a value is
        outside the int8 range.
    TypeError
        If ``matrix`` is not an integer array.
    """
    arr = _as_matrix(matrix, segmenting)
    rows, columns = arr.shape
    if encoding is Encoding.RAW:
        data = arr.T.reshape(-1).astype(np.int8)
        count = np.zeros(data.size, dtype=np.uint8)
        address = np.arange(columns + 1, dtype=np.int64) * rows
    else:
        col, row = np.nonzero(arr.T)  # column-major: by column, then row
        first = np.ones(col.size, dtype=bool)
        first[1:] = col[1:] != col[:-1]
        prev_row = np.where(first, -1, np.concatenate(([-1], row[:-1])))
        gaps = row - prev_row - 1
        extra = gaps // _SPAN  # overflow pairs (15, 0) before each non-zero
        size = int(col.size + extra.sum())
        count = np.full(size, MAX_COUNT, dtype=np.uint8)
        data = np.zeros(size, dtype=np.int8)
        own = np.cumsum(extra + 1) - 1  # each non-zero's own pair
        count[own] = gaps % _SPAN
        data[own] = arr[row, col]
        per_column = np.bincount(col, weights=extra + 1, minlength=columns).astype(np.int64)
        address = np.concatenate(([0], np.cumsum(per_column))).astype(np.int64)
    return CscTensor(encoding=encoding, shape=(rows, columns), data=_frozen(data), count=_frozen(count),
                     address=_frozen(address), address_bits=segmenting.address_bits)


def decode(tensor: CscTensor) -> np.ndarray:
    """Expand an encoding back into its matrix.

    Parameters
    ----------
    tensor : CscTensor

    Returns
    -------
    numpy.ndarray of int8, shape ``tensor.shape``
        ``decode(encode(x, s)) == x``.

    Raises
    ------
    ValueError
        If the vectors are not a canonical encoding of the shape: the address not starting at 0,
        decreasing, or not ending at ``P``; a count outside 0..15; a position past the column's
        rows; in CSC a zero datum that is not an overflow pair ``(15, 0)`` followed by another pair
        of its column; in RAW a non-zero count or a column not of ``rows`` values.
    """
    rows, columns = tensor.shape
    data = np.asarray(tensor.data).astype(np.int64)
    count = np.asarray(tensor.count).astype(np.int64)
    address = np.asarray(tensor.address).astype(np.int64)
    if data.shape != count.shape or data.ndim != 1:
        raise ValueError(f"data and count vectors must be 1-D of one length, got {data.shape}, {count.shape}")
    if address.shape != (columns + 1,):
        raise ValueError(f"address vector must have {columns + 1} entries, got {address.shape}")
    if address[0] != 0 or address[-1] != data.size or (np.diff(address) < 0).any():
        raise ValueError(f"address vector must rise from 0 to {data.size}, got {address.tolist()}")
    if count.size and (count.min() < 0 or count.max() > MAX_COUNT):
        raise ValueError(f"counts are {COUNT_BITS}-bit (0..{MAX_COUNT})")
    per_column = np.diff(address)
    if tensor.encoding is Encoding.RAW and ((count != 0).any() or (per_column != rows).any()):
        raise ValueError("an uncompressed encoding has counts 0 and every column's values")
    col = np.repeat(np.arange(columns), per_column)
    ends = np.cumsum(count + 1)  # values covered after each pair, across columns
    base = np.concatenate(([0], ends))[address[:-1]]  # values covered before each column
    pos = ends - base[col] - 1
    if pos.size and pos.max() >= rows:
        raise ValueError(f"a pair lies past row {rows - 1} of its column")
    if tensor.encoding is Encoding.CSC:
        last = np.zeros(data.size, dtype=bool)
        last[address[1:][per_column > 0] - 1] = True
        zero = data == 0
        if (zero & ((count != MAX_COUNT) | last)).any():
            raise ValueError("a zero datum must be an overflow pair (15, 0) followed by another pair "
                             "of its column")
    out = np.zeros((rows, columns), dtype=np.int8)
    out[pos, col] = data
    return out


def encode_smaller(matrix, segmenting: CscSegmenting) -> CscTensor:
    """The encoding of fewer total bits: CSC, or uncompressed when that is no larger.

    A tie goes to the uncompressed form (its address SPad is clock-gated and it skips nothing,
    so nothing is lost). Sizes are :attr:`CscTensor.total_bits`.
    """
    csc = encode(matrix, segmenting, Encoding.CSC)
    raw = encode(matrix, segmenting, Encoding.RAW)
    return raw if raw.total_bits <= csc.total_bits else csc


def iact_matrix(iacts, u: int) -> np.ndarray:
    """Lay out one PE's iacts as segments.

    Parameters
    ----------
    iacts : array_like, shape (C0, W)
        Channel × position; ``W`` a multiple of ``u``.
    u : int
        Stride: positions per segment.

    Returns
    -------
    numpy.ndarray, shape (C0 · u, W / u)
        Column ``j``, row ``v·C0 + c`` = ``iacts[c, j·u + v]``.
    """
    arr = np.asarray(iacts)
    if arr.ndim != 2 or u < 1 or arr.shape[1] % u:
        raise ValueError(f"iacts must be (C0, W) with W a multiple of U={u}; got shape {arr.shape}")
    c0, w = arr.shape
    return arr.T.reshape(w // u, u * c0).T.copy()


def iacts_from_matrix(matrix, c0: int) -> np.ndarray:
    """Inverse of :func:`iact_matrix`: ``(C0 · U, W / U)`` back to ``(C0, W)``."""
    arr = np.asarray(matrix)
    if arr.ndim != 2 or c0 < 1 or arr.shape[0] % c0:
        raise ValueError(f"an iact matrix has C0 · U rows, C0={c0}; got shape {arr.shape}")
    u = arr.shape[0] // c0
    return arr.T.reshape(arr.shape[1] * u, c0).T.copy()


def weight_matrix(weights) -> np.ndarray:
    """Lay out one PE's weights as segments.

    Parameters
    ----------
    weights : array_like, shape (M0, C0, S)
        Output channel × input channel × filter column.

    Returns
    -------
    numpy.ndarray, shape (M0, S · C0)
        Column ``s·C0 + c`` = ``weights[:, c, s]``.
    """
    arr = np.asarray(weights)
    if arr.ndim != 3:
        raise ValueError(f"weights must be (M0, C0, S); got shape {arr.shape}")
    m0, c0, s = arr.shape
    return arr.transpose(0, 2, 1).reshape(m0, s * c0).copy()


def weights_from_matrix(matrix, c0: int) -> np.ndarray:
    """Inverse of :func:`weight_matrix`: ``(M0, S · C0)`` back to ``(M0, C0, S)``."""
    arr = np.asarray(matrix)
    if arr.ndim != 2 or c0 < 1 or arr.shape[1] % c0:
        raise ValueError(f"a weight matrix has S · C0 columns, C0={c0}; got shape {arr.shape}")
    m0 = arr.shape[0]
    return arr.reshape(m0, arr.shape[1] // c0, c0).transpose(0, 2, 1).copy()
