"""Eyeriss run-length compression (RLC) of fmaps in DRAM.

Source: Y.-H. Chen, T. Krishna, J. Emer, V. Sze, "Eyeriss: An Energy-Efficient Reconfigurable
Accelerator for Deep Convolutional Neural Networks", IEEE JSSC 52(1), 2017, Sec. IV-B and
Fig. 8: "Consecutive zeros with a maximum run length of 31 are represented using a 5-b number
as the Run. The next value is inserted directly as a 16-b Level, and the count for run starts
again. Every three pairs of run and level are packed into a 64-b word, with the last bit
indicating if the word is the last one in the code." Every fmap except the first layer's input
is stored this way in DRAM.

Encoding rules
--------------
The stream is the fmap's 16-bit signed values in the order they are streamed to DRAM.
Scanning it with a zero counter ``run`` (starting at 0):

1. A zero while ``run < 31`` only increments ``run``.
2. Any other value ``v`` — a non-zero, *or a zero arriving when* ``run == 31`` — is
   "inserted directly as the Level": the pair ``(run, v)`` is emitted and ``run`` restarts
   at 0. Hence a run of more than 31 zeros is cut into continuation pairs ``(31, 0)`` that
   each stand for 32 zeros (31 counted + the zero level itself), exactly as the JSSC text
   reads; a zero that follows a 31-run is simply the level ``0`` of such a pair.
3. Flush: if the stream ends with ``r`` pending zeros (``1 <= r <= 31``), the last of them
   becomes the level: the pair ``(r - 1, 0)`` is emitted. Every pair therefore decodes to
   exactly ``run + 1`` values and the code never expands past the stream's end.

Pairs are packed three to a 64-bit word in stream order, laid out as in JSSC Fig. 8 read from
the most significant bit: ``run0[63:59] level0[58:43] run1[42:38] level1[37:22] run2[21:17]
level2[16:1] last[0]``. Levels are 16-bit two's complement. Bit 0 is 1 only in the final word
of a stream. Unused pair slots of the final word are all-zero bits, which read as the pair
``(0, 0)`` — also the flush of a single trailing zero — so the words alone do not fix the
stream length (``v`` and ``v + [0]`` share words when the last word has a free slot): like
the chip, which knows each fmap's size, :func:`decode` is given the value count and ignores
the slots past it. It accepts only canonical codes: a pair ``(run < 31, 0)`` must be the last.
An empty stream is encoded as zero words.

Sizes (closed forms, ``n`` values)
----------------------------------
With ``m`` non-zeros, ``g_i`` the zeros just before the ``i``-th non-zero and ``t`` the trailing
zeros, the number of pairs is ``P = m + sum_i floor(g_i / 32) + ceil(t / 32)`` and the number of
words is ``ceil(P / 3)``. In particular

* all zero:    ``P = ceil(n / 32)``, words ``= ceil(ceil(n / 32) / 3) = ceil(n / 96)``;
* all non-zero: ``P = n``,          words ``= ceil(n / 3)``.

Zeroing entries of a given stream never increases ``P`` (nor the word count), but two streams
of the same length are not ordered by their zero counts: ``[0]*65 + [1]*35`` (65 zeros) takes
37 pairs while ``([0]*31 + [1])*2 + [0, 0] + [1]*34`` (64 zeros) takes 36.
"""

from __future__ import annotations

import numpy as np

RUN_BITS = 5
LEVEL_BITS = 16
PAIRS_PER_WORD = 3
MAX_RUN = (1 << RUN_BITS) - 1  # 31
_SPAN = MAX_RUN + 1  # values covered by one continuation pair (31 zeros + a zero level)
_PAIR_BITS = RUN_BITS + LEVEL_BITS  # 21
# Bit offset of run j and level j in a word (pair 0 in the most significant bits; bit 0 = last).
_RUN_SHIFT = tuple(64 - _PAIR_BITS * j - RUN_BITS for j in range(PAIRS_PER_WORD))  # 59, 38, 17
_LEVEL_SHIFT = tuple(s - LEVEL_BITS for s in _RUN_SHIFT)  # 43, 22, 1
_LEVEL_MASK = (1 << LEVEL_BITS) - 1
_INT16_MIN, _INT16_MAX = -(1 << (LEVEL_BITS - 1)), (1 << (LEVEL_BITS - 1)) - 1


def _as_stream(values) -> np.ndarray:
    """Check ``values`` is a 1-D integer stream within int16 and return it as int64."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"RLC streams are 1-D (flatten in streaming order); got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"RLC streams hold integers; got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.size and (arr.min() < _INT16_MIN or arr.max() > _INT16_MAX):
        raise ValueError(f"RLC levels are 16-bit signed: values must lie in "
                         f"[{_INT16_MIN}, {_INT16_MAX}], got [{arr.min()}, {arr.max()}]")
    return arr


def _run_structure(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Non-zero positions, the zeros before each non-zero, and the trailing zero count."""
    nz = np.flatnonzero(arr)
    gaps = np.diff(nz, prepend=-1) - 1
    trailing = arr.size - 1 - int(nz[-1]) if nz.size else arr.size
    return nz, gaps, trailing


def compressed_pairs(values) -> int:
    """Number of (run, level) pairs the stream encodes to, without building them.

    Parameters
    ----------
    values : array_like of int, shape (n,)
        16-bit signed values in streaming order.

    Returns
    -------
    int
        ``m + sum_i floor(g_i / 32) + ceil(t / 32)`` (see the module docstring).
    """
    arr = _as_stream(values)
    nz, gaps, trailing = _run_structure(arr)
    return int(nz.size + int((gaps // _SPAN).sum()) + -(-trailing // _SPAN))


def compressed_words(values) -> int:
    """Number of 64-bit words the stream compresses to (``ceil(pairs / 3)``).

    Parameters
    ----------
    values : array_like of int, shape (n,)
        16-bit signed values in streaming order.

    Returns
    -------
    int
        64-bit words; 0 for an empty stream.
    """
    return -(-compressed_pairs(values) // PAIRS_PER_WORD)


def compressed_words16(values) -> int:
    """DRAM accesses of the compressed stream in 16-bit words (64-bit words × 4).

    This is the unit of the chip's measured DRAM traffic (one access = one 16-bit word).
    """
    return 4 * compressed_words(values)


def _pairs(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (run, level) pairs of a checked int64 stream, as two int64 arrays of length P."""
    nz, gaps, trailing = _run_structure(arr)
    cont = gaps // _SPAN  # continuation pairs (31, 0) before each non-zero
    n_head = int(nz.size + cont.sum())
    n_tail = -(-trailing // _SPAN)
    runs = np.full(n_head + n_tail, MAX_RUN, dtype=np.int64)
    levels = np.zeros(n_head + n_tail, dtype=np.int64)
    pos = np.cumsum(cont + 1) - 1  # index of each non-zero's own pair
    runs[pos] = gaps % _SPAN
    levels[pos] = arr[nz]
    rem = trailing % _SPAN
    if rem:
        runs[-1] = rem - 1  # flush: the last pending zero becomes the level
    return runs, levels


def encode(values) -> np.ndarray:
    """Run-length compress a stream of 16-bit values into Eyeriss 64-bit words.

    Parameters
    ----------
    values : array_like of int, shape (n,)
        16-bit signed values (each in [-32768, 32767]) in the order the fmap is streamed.

    Returns
    -------
    numpy.ndarray of uint64, shape (ceil(P / 3),)
        The code words; bit 0 set in the last one only. Empty for ``n == 0``.

    Raises
    ------
    ValueError
        If ``values`` is not 1-D or a value is outside the int16 range.
    TypeError
        If ``values`` is not an integer array.
    """
    arr = _as_stream(values)
    runs, levels = _pairs(arr)
    n_words = -(-runs.size // PAIRS_PER_WORD)
    pad = n_words * PAIRS_PER_WORD - runs.size
    runs = np.pad(runs, (0, pad)).astype(np.uint64).reshape(n_words, PAIRS_PER_WORD)
    levels = (np.pad(levels, (0, pad)) & _LEVEL_MASK).astype(np.uint64)
    levels = levels.reshape(n_words, PAIRS_PER_WORD)
    words = np.zeros(n_words, dtype=np.uint64)
    for j in range(PAIRS_PER_WORD):
        words |= runs[:, j] << np.uint64(_RUN_SHIFT[j])
        words |= levels[:, j] << np.uint64(_LEVEL_SHIFT[j])
    if n_words:
        words[-1] |= np.uint64(1)
    return words


def decode(words, count: int) -> np.ndarray:
    """Expand Eyeriss RLC words back into the ``count`` values they encode.

    Parameters
    ----------
    words : array_like of uint64, shape (w,)
        Code words as produced by :func:`encode`.
    count : int
        Number of values in the original stream.

    Returns
    -------
    numpy.ndarray of int64, shape (count,)
        The stream; ``decode(encode(v), len(v))`` equals ``v``.

    Raises
    ------
    ValueError
        If the words are not the canonical code of ``count`` values: the last-word bit
        misplaced, too few or too many words, a pair straddling ``count``, a flush pair
        ``(run < 31, 0)`` before the last pair, or non-zero padding.
    """
    count = int(count)
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    w = np.asarray(words, dtype=np.uint64).reshape(-1)
    if w.size == 0:
        if count:
            raise ValueError(f"no RLC words for a stream of {count} values")
        return np.zeros(0, dtype=np.int64)
    last = (w & np.uint64(1)).astype(bool)
    if not last[-1] or last[:-1].any():
        raise ValueError("the last-word bit must be set in the final RLC word only")
    runs = np.stack([(w >> np.uint64(s)) & np.uint64(MAX_RUN) for s in _RUN_SHIFT], axis=1)
    levels = np.stack([(w >> np.uint64(s)) & np.uint64(_LEVEL_MASK) for s in _LEVEL_SHIFT],
                      axis=1)
    runs = runs.astype(np.int64).reshape(-1)
    levels = levels.astype(np.int64).reshape(-1)
    levels = (levels ^ (1 << (LEVEL_BITS - 1))) - (1 << (LEVEL_BITS - 1))  # sign-extend
    ends = np.cumsum(runs + 1)  # stream length after each pair
    used = int(np.searchsorted(ends, count)) + 1 if count else 0
    if count and (used > ends.size or ends[used - 1] != count):
        raise ValueError(f"RLC words do not encode exactly {count} values")
    flush = np.flatnonzero((levels[:used] == 0) & (runs[:used] < MAX_RUN))
    if flush.size and flush[0] != used - 1:
        raise ValueError("a zero level after a run shorter than 31 must be the last RLC pair")
    if -(-used // PAIRS_PER_WORD) != w.size:
        raise ValueError(f"{w.size} RLC words for {used} pairs (expected "
                         f"{-(-used // PAIRS_PER_WORD)})")
    if runs[used:].any() or levels[used:].any():
        raise ValueError("non-zero padding after the last RLC pair")
    out = np.zeros(count, dtype=np.int64)
    out[ends[:used] - 1] = levels[:used]
    return out
