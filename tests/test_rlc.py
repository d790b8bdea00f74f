"""Eyeriss RLC (JSSC 2017 Sec. IV-B, Fig. 8): round trip, closed forms, packing, monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelsim.sim.rlc import (
    compressed_pairs,
    compressed_words,
    compressed_words16,
    decode,
    encode,
)


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def _reference_pairs(values) -> list[tuple[int, int]]:
    """The encoding rules of the module docstring, one value at a time."""
    pairs, run = [], 0
    for v in values:
        if v == 0 and run < 31:
            run += 1
        else:
            pairs.append((run, int(v)))
            run = 0
    if run:
        pairs.append((run - 1, 0))
    return pairs


@st.composite
def streams(draw):
    n = draw(st.integers(0, 5000))
    zero_fraction = draw(st.sampled_from([0.0, 0.4, 0.75, 1.0]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    v = rng.integers(-(2**15), 2**15, size=n, dtype=np.int64)
    v[rng.random(n) < zero_fraction] = 0
    return v


@settings(max_examples=150)
@given(streams())
def test_round_trip(v):
    words = encode(v)
    assert words.dtype == np.uint64
    assert np.array_equal(decode(words, v.size), v)
    assert words.size == compressed_words(v)
    assert compressed_words16(v) == 4 * words.size


@settings(max_examples=60)
@given(st.lists(st.sampled_from([0, 0, 0, 0, 1, -1, 32767, -32768]), max_size=300))
def test_pairs_follow_the_rules(values):
    """Long zero runs, zero levels after 31-runs, int16 extremes: rules and round trip."""
    v = np.array(values, dtype=np.int16)
    ref = _reference_pairs(values)
    assert compressed_pairs(v) == len(ref)
    words = encode(v)
    assert words.size == _ceil(len(ref), 3)
    assert np.array_equal(decode(words, v.size), v)


@pytest.mark.parametrize("n", [0, 1, 2, 31, 32, 33, 63, 64, 65, 95, 96, 97, 3000, 4999, 5000])
def test_all_zero_closed_form(n):
    # ceil(n/32) pairs: each (31, 0) pair covers 32 zeros; the flush (r-1, 0) covers r <= 31.
    v = np.zeros(n, dtype=np.int64)
    assert compressed_pairs(v) == _ceil(n, 32)
    assert compressed_words(v) == _ceil(_ceil(n, 32), 3) == _ceil(n, 96)
    assert encode(v).size == _ceil(n, 96)
    assert compressed_words16(v) == 4 * _ceil(n, 96)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 6, 7, 1000, 4999, 5000])
def test_all_nonzero_closed_form(n):
    v = np.arange(1, n + 1, dtype=np.int64) % 32767 + 1
    assert compressed_pairs(v) == n
    assert compressed_words(v) == _ceil(n, 3)
    assert encode(v).size == _ceil(n, 3)


def test_packing_by_hand():
    # JSSC Fig. 8's example stream: 0,0,12,0,0,0,0,53,0,0,22 -> (2,12) (4,53) (2,22),
    # then a negative level, a 31-run whose next zero is its level, and a flushed tail.
    v = [0, 0, 12, 0, 0, 0, 0, 53, 0, 0, 22] + [-1] + [0] * 32 + [0, 0, 0]
    assert _reference_pairs(v) == [(2, 12), (4, 53), (2, 22), (0, -1), (31, 0), (2, 0)]
    w0 = (2 << 59) | (12 << 43) | (4 << 38) | (53 << 22) | (2 << 17) | (22 << 1) | 0
    w1 = (0 << 59) | (0xFFFF << 43) | (31 << 38) | (0 << 22) | (2 << 17) | (0 << 1) | 1
    words = encode(np.array(v))
    assert words.tolist() == [w0, w1]
    assert decode(words, len(v)).tolist() == v


def test_partial_last_word_is_zero_padded():
    words = encode(np.array([5]))
    assert words.tolist() == [(5 << 43) | 1]
    assert decode(words, 1).tolist() == [5]


def test_zeroing_never_grows_the_code():
    """Guaranteed: zeroing entries of a stream never increases its size."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        v = rng.integers(1, 100, size=int(rng.integers(0, 400)))
        v[rng.random(v.size) < rng.random()] = 0
        before = compressed_pairs(v)
        u = v.copy()
        u[rng.random(v.size) < rng.random()] = 0
        assert compressed_pairs(u) <= before
        assert compressed_words(u) <= compressed_words(v)


def test_more_zeros_in_another_arrangement_can_be_larger():
    """Not guaranteed: the size is not monotone in the zero count across arrangements."""
    a = np.array(([0] * 31 + [1]) * 2 + [0, 0] + [1] * 34)  # 64 zeros
    b = np.array([0] * 65 + [1] * 35)  # 65 zeros
    assert a.size == b.size == 100
    assert compressed_pairs(a) == 36 and compressed_pairs(b) == 37
    assert compressed_words(a) < compressed_words(b)


def test_count_disambiguates_padding():
    """Free slots of the last word are (0, 0), which is also the flush of one trailing zero:
    a stream and the same stream with one more trailing zero can share words."""
    v = np.array([0, 3, 0, 0, 4, 5, 6])  # pairs (1,3) (2,4) (0,5) | (0,6) + two free slots
    assert np.array_equal(encode(v), encode(np.append(v, 0)))
    assert decode(encode(v), v.size).tolist() == v.tolist()
    assert decode(encode(v), v.size + 1).tolist() == v.tolist() + [0]
    # v + [0, 0] ends in the flush (1, 0), so reading two (0, 0) slots is not canonical.
    assert not np.array_equal(encode(v), encode(np.append(v, [0, 0])))
    with pytest.raises(ValueError, match="last RLC pair"):
        decode(encode(v), v.size + 2)


def test_empty_stream():
    assert encode(np.zeros(0, dtype=np.int16)).size == 0
    assert decode(np.zeros(0, dtype=np.uint64), 0).size == 0


@pytest.mark.parametrize("bad", [[2**15], [-(2**15) - 1]])
def test_out_of_range_values_rejected(bad):
    with pytest.raises(ValueError, match="16-bit"):
        encode(np.array(bad))


def test_bad_inputs_rejected():
    with pytest.raises(ValueError, match="1-D"):
        encode(np.zeros((2, 2), dtype=np.int16))
    with pytest.raises(TypeError):
        encode(np.array([1.5]))


def test_decode_detects_inconsistent_words():
    v = np.array([0, 3, 0, 0, 4, 5, 6], dtype=np.int64)
    words = encode(v)
    with pytest.raises(ValueError):
        decode(words, v.size + 3)  # more than the padding slots could hold
    with pytest.raises(ValueError):
        decode(words, v.size - 1)  # the last pair would straddle the count
    with pytest.raises(ValueError):
        decode(words[:1], v.size)  # truncated: last-word bit missing
    with pytest.raises(ValueError):
        decode(np.concatenate([words, words]), 2 * v.size)  # two last-word bits
    with pytest.raises(ValueError):
        decode(np.zeros(0, dtype=np.uint64), 3)
