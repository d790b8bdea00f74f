"""Eyeriss v2 CSC encoding (JETCAS 2019 Sec. IV-A, Fig. 16): the paper's example, round trips,
the v2 PE's layouts, sizes, the uncompressed mode and monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelsim.sim.csc import (
    IACT_SPAD,
    WEIGHT_SPAD,
    CscSegmenting,
    CscTensor,
    Encoding,
    decode,
    encode,
    encode_smaller,
    iact_matrix,
    iacts_from_matrix,
    weight_matrix,
    weights_from_matrix,
)

# Facts of Fig. 16 of Y.-H. Chen, T.-J. Yang, J. Emer, V. Sze, "Eyeriss v2", IEEE JETCAS 9(2), 2019
# (arXiv 1807.07928): a weight matrix of M0 = 4 rows and 8 columns with twelve non-zeros a..l at
# (row, column) below; its CSC address vector and count vector. The text states address entries
# 2 and 5 for the second and third columns and the repeated 6 of the empty fourth column; the
# positions are a transcription of the figure (SingularityKChen's notes on the paper).
FIG16_NONZEROS = {"a": (1, 0), "b": (2, 0), "c": (0, 1), "d": (1, 1), "e": (3, 1), "f": (2, 2),
                  "g": (3, 4), "h": (1, 5), "i": (3, 5), "j": (0, 7), "k": (1, 7), "l": (2, 7)}
FIG16_ADDRESS = [0, 2, 5, 6, 6, 7, 9, 9, 12]
FIG16_COUNT = [1, 0, 0, 0, 1, 2, 3, 1, 1, 0, 0, 0]


def _fig16() -> np.ndarray:
    x = np.zeros((4, 8), dtype=np.int8)
    for value, (row, col) in enumerate(FIG16_NONZEROS.values(), start=1):  # a = 1 .. l = 12
        x[row, col] = value
    return x


def _reference(matrix: np.ndarray) -> tuple[list[int], list[int], list[int]]:
    """The module's rules one value at a time: (data, count, address)."""
    data, count, address = [], [], [0]
    for column in matrix.T:
        run, pending = 0, []
        for v in column:
            if v != 0:
                for _ in pending:
                    data.append(0)
                    count.append(15)
                data.append(int(v))
                count.append(run)
                run, pending = 0, []
            elif run == 15:
                pending.append(None)  # this zero is an overflow pair's explicit datum
                run = 0
            else:
                run += 1
        address.append(len(data))  # pending zeros at a column's end cost nothing
    return data, count, address


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def test_fig16_example():
    x = _fig16()
    enc = encode(x, CscSegmenting.weights(m0=4))
    assert enc.address.tolist() == FIG16_ADDRESS
    assert enc.count.tolist() == FIG16_COUNT
    assert enc.data.tolist() == list(range(1, 13))  # a..l in column order
    assert np.array_equal(decode(enc), x)
    # sizes: 12 pairs of 12 b + 8 address entries of 7 b; 6 port words; weight SPad words per
    # column ceil(k/2) for k = 2, 3, 1, 0, 1, 2, 0, 3
    assert (enc.pairs, enc.address_entries, enc.total_bits) == (12, 8, 12 * 12 + 8 * 7)
    assert enc.data_port_words == 6
    assert WEIGHT_SPAD.data_entries_used(enc) == 1 + 2 + 1 + 0 + 1 + 1 + 0 + 2
    assert WEIGHT_SPAD.fits(enc)


@st.composite
def matrices(draw, max_rows=40):
    """int8 matrices whose columns are each all-zero, dense, or random at a drawn density."""
    rows = draw(st.integers(1, max_rows))
    columns = draw(st.integers(0, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-128, 128, size=(rows, columns)).astype(np.int8)
    x[x == 0] = 1
    kinds = draw(st.lists(st.sampled_from(["zero", "dense", "sparse", "very_sparse"]),
                          min_size=columns, max_size=columns))
    for j, kind in enumerate(kinds):
        p_zero = {"zero": 1.0, "dense": 0.0, "sparse": 0.6, "very_sparse": 0.95}[kind]
        x[rng.random(rows) < p_zero, j] = 0
    return x


@settings(max_examples=200)
@given(matrices(), st.integers(1, 9))
def test_round_trip_and_rules(x, address_bits):
    seg = CscSegmenting(segment_rows=x.shape[0], address_bits=address_bits)
    enc = encode(x, seg)
    assert np.array_equal(decode(enc), x)
    data, count, address = _reference(x)
    assert enc.data.tolist() == data and enc.count.tolist() == count and enc.address.tolist() == address
    assert enc.data.dtype == np.int8 and enc.count.dtype == np.uint8
    assert enc.count.max(initial=0) <= 15
    # closed form: P = nnz + sum floor(g / 16) over the gaps before the non-zeros
    extra = 0
    for column in x.T:
        rows_nz = np.flatnonzero(column)
        extra += int(((np.diff(rows_nz, prepend=-1) - 1) // 16).sum())
    nnz = int(np.count_nonzero(x))
    assert enc.pairs == nnz + extra
    if x.shape[0] <= 16:
        assert enc.pairs == nnz
    assert enc.total_bits == 12 * enc.pairs + x.shape[1] * address_bits
    assert enc.data_port_words == _ceil(enc.pairs, 2)
    assert enc.words(64) == _ceil(enc.total_bits, 64)
    per_column = np.diff(enc.address)
    assert WEIGHT_SPAD.data_entries_used(enc) == sum(_ceil(int(k), 2) for k in per_column)
    assert IACT_SPAD.data_entries_used(enc) == enc.pairs


@settings(max_examples=100)
@given(st.lists(st.sampled_from([0] * 12 + [1, -1, 127, -128]), min_size=1, max_size=120),
       st.integers(1, 3))
def test_long_zero_runs(values, columns):
    """Runs of 16, 31, 32 ... zeros, explicit-zero overflow pairs, int8 extremes."""
    x = np.resize(np.array(values, dtype=np.int8), (len(values), columns))
    x[:, 1:] = np.roll(x[:, 1:], 7, axis=0)
    enc = encode(x, CscSegmenting(segment_rows=len(values), address_bits=7))
    assert np.array_equal(decode(enc), x)
    assert (enc.data.tolist(), enc.count.tolist()) == _reference(x)[:2]
    assert (enc.count[enc.data == 0] == 15).all()


@pytest.mark.parametrize(("gap", "pairs", "counts"), [
    (15, 1, [15]), (16, 2, [15, 0]), (31, 2, [15, 15]), (32, 3, [15, 15, 0]), (47, 3, [15, 15, 15]),
])
def test_overflow_splits_at_sixteen(gap, pairs, counts):
    x = np.zeros((gap + 1, 1), dtype=np.int8)
    x[gap, 0] = 5
    enc = encode(x, CscSegmenting(segment_rows=gap + 1, address_bits=7))
    assert enc.pairs == pairs
    assert enc.count.tolist() == counts
    assert enc.data.tolist() == [0] * (pairs - 1) + [5]


def test_trailing_and_all_zero_columns_cost_nothing():
    x = np.zeros((40, 3), dtype=np.int8)
    x[0, 1] = 3
    enc = encode(x, CscSegmenting(segment_rows=40, address_bits=7))
    assert enc.address.tolist() == [0, 0, 1, 1]
    assert enc.count.tolist() == [0]
    assert enc.total_bits == 12 + 3 * 7


@settings(max_examples=100)
@given(matrices(), st.data())
def test_zeroing_never_grows_the_encoding(x, data):
    seg = CscSegmenting(segment_rows=x.shape[0], address_bits=4)
    before = encode(x, seg)
    y = x.copy()
    mask = data.draw(st.lists(st.booleans(), min_size=y.size, max_size=y.size))
    y.reshape(-1)[np.array(mask, dtype=bool)] = 0
    after = encode(y, seg)
    assert after.pairs <= before.pairs
    assert after.total_bits <= before.total_bits
    assert after.data_port_words <= before.data_port_words
    assert WEIGHT_SPAD.data_entries_used(after) <= WEIGHT_SPAD.data_entries_used(before)


def test_more_zeros_can_take_more_pairs_past_sixteen_rows():
    """Across zero patterns the zero count alone does not order the size (the overflow pairs)."""
    seg = CscSegmenting(segment_rows=34, address_bits=7)
    a = np.array([0] * 16 + [1] + [0] * 16 + [1], dtype=np.int8)[:, None]  # 32 zeros
    b = np.array([1] * 3 + [0] * 31, dtype=np.int8)[:, None]  # 31 zeros
    assert (np.count_nonzero(a == 0), np.count_nonzero(b == 0)) == (32, 31)
    assert (encode(a, seg).pairs, encode(b, seg).pairs) == (4, 3)


@settings(max_examples=100)
@given(matrices(max_rows=16))
def test_up_to_sixteen_rows_size_follows_the_zero_count(x):
    seg = CscSegmenting(segment_rows=x.shape[0], address_bits=4)
    assert encode(x, seg).pairs == np.count_nonzero(x)


# --------------------------------------------------------------------------- uncompressed mode
@settings(max_examples=100)
@given(matrices())
def test_uncompressed_same_interface(x):
    rows, columns = x.shape
    seg = CscSegmenting(segment_rows=rows, address_bits=4)
    raw = encode(x, seg, Encoding.RAW)
    assert raw.encoding is Encoding.RAW
    assert np.array_equal(decode(raw), x)
    assert raw.pairs == x.size and (raw.count == 0).all()
    assert raw.address_entries == 0 and raw.address_vector_bits == 0
    assert raw.data_bits == raw.total_bits == 8 * x.size
    assert raw.data_port_words == _ceil(x.size, 3)
    assert WEIGHT_SPAD.data_entries_used(raw) == columns * _ceil(rows, 2)
    best = encode_smaller(x, seg)
    csc = encode(x, seg)
    assert best.total_bits == min(raw.total_bits, csc.total_bits)
    assert best.encoding is (Encoding.RAW if raw.total_bits <= csc.total_bits else Encoding.CSC)
    assert np.array_equal(decode(best), x)


def test_encode_smaller_picks_by_sparsity():
    seg = CscSegmenting(segment_rows=8, address_bits=4)
    dense = np.ones((8, 4), dtype=np.int8)  # CSC 32·12 + 16 bits > raw 32·8
    sparse = np.zeros((8, 4), dtype=np.int8)
    sparse[3, 1] = 9  # CSC 12 + 16 bits < raw 256
    assert encode_smaller(dense, seg).encoding is Encoding.RAW
    assert encode_smaller(sparse, seg).encoding is Encoding.CSC
    # a tie goes to the uncompressed form: 8 rows, 1 column, 5 non-zeros, 4-bit address:
    # CSC 5·12 + 4 = 64 bits = raw 8·8
    tie = np.array([1, 1, 1, 1, 1, 0, 0, 0], dtype=np.int8)[:, None]
    assert encode(tie, seg).total_bits == encode(tie, seg, Encoding.RAW).total_bits == 64
    assert encode_smaller(tie, seg).encoding is Encoding.RAW


# --------------------------------------------------------------------------- the PE's layouts
@settings(max_examples=100)
@given(st.integers(1, 8), st.integers(1, 4), st.integers(0, 5), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.5, 0.9, 1.0]))
def test_iact_segments(c0, u, segments, seed, p_zero):
    rng = np.random.default_rng(seed)
    iacts = rng.integers(-128, 128, size=(c0, u * segments)).astype(np.int8)
    iacts[rng.random(iacts.shape) < p_zero] = 0
    m = iact_matrix(iacts, u)
    assert m.shape == (c0 * u, segments)
    for c in range(c0):
        for j in range(segments):
            for v in range(u):
                assert m[v * c0 + c, j] == iacts[c, j * u + v]
    enc = encode(m, CscSegmenting.iacts(c0=c0, u=u))
    assert enc.address_bits == 4 and enc.address_entries == segments
    assert np.array_equal(iacts_from_matrix(decode(enc), c0), iacts)


@settings(max_examples=100)
@given(st.integers(1, 32), st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.5, 0.9, 1.0]))
def test_weight_segments(m0, c0, s, seed, p_zero):
    rng = np.random.default_rng(seed)
    w = rng.integers(-128, 128, size=(m0, c0, s)).astype(np.int8)
    w[rng.random(w.shape) < p_zero] = 0
    m = weight_matrix(w)
    assert m.shape == (m0, s * c0)
    for c in range(c0):
        for k in range(s):
            assert np.array_equal(m[:, k * c0 + c], w[:, c, k])
    enc = encode(m, CscSegmenting.weights(m0=m0))
    assert enc.address_bits == 7 and enc.address_entries == s * c0
    assert np.array_equal(weights_from_matrix(decode(enc), c0), w)


def test_spad_capacities():
    """iact SPads: 9 address entries, 16 pairs; weight SPads: 16 address entries, 96 two-pair words."""
    seg = CscSegmenting.iacts(c0=4, u=1)
    x = np.zeros((4, 9), dtype=np.int8)
    x[:, :4] = 1  # 16 non-zeros in 9 segments: fits
    assert IACT_SPAD.fits(encode(x, seg))
    x[0, 4] = 1  # 17 pairs
    assert not IACT_SPAD.fits(encode(x, seg))
    assert not IACT_SPAD.fits(encode(np.zeros((4, 10), dtype=np.int8), seg))  # 10 address entries
    wseg = CscSegmenting.weights(m0=12)
    w = np.ones((12, 16), dtype=np.int8)  # 16 columns × 6 words = 96 words
    assert WEIGHT_SPAD.fits(encode(w, wseg))
    w13 = np.ones((13, 16), dtype=np.int8)  # 16 × 7 words = 112 > 96
    assert WEIGHT_SPAD.data_entries_used(encode(w13, CscSegmenting.weights(13))) == 112
    assert not WEIGHT_SPAD.fits(encode(w13, CscSegmenting.weights(13)))
    assert not WEIGHT_SPAD.fits(encode(np.zeros((12, 17), dtype=np.int8), wseg))  # 17 address entries


# --------------------------------------------------------------------------- bad input
def test_bad_matrices():
    seg = CscSegmenting(segment_rows=4, address_bits=4)
    with pytest.raises(ValueError, match="2-D"):
        encode(np.zeros((4, 2, 1), dtype=np.int8), seg)
    with pytest.raises(ValueError, match="rows"):
        encode(np.zeros((5, 2), dtype=np.int8), seg)
    with pytest.raises(TypeError, match="integers"):
        encode(np.zeros((4, 2)), seg)
    with pytest.raises(ValueError, match="8-bit"):
        encode(np.full((4, 2), 128), seg)
    with pytest.raises(ValueError, match=">= 1"):
        CscSegmenting(segment_rows=0, address_bits=4)
    with pytest.raises(ValueError, match="multiple"):
        iact_matrix(np.zeros((2, 5)), 2)


def _tensor(enc: CscTensor, **changes) -> CscTensor:
    fields = {"encoding": enc.encoding, "shape": enc.shape, "data": enc.data, "count": enc.count,
              "address": enc.address, "address_bits": enc.address_bits}
    fields.update({k: np.array(v) for k, v in changes.items()})
    return CscTensor(**fields)


@pytest.mark.parametrize(("changes", "message"), [
    ({"address": [0, 2, 5, 6, 6, 7, 9, 9, 11]}, "rise from 0"),
    ({"address": [0, 5, 2, 6, 6, 7, 9, 9, 12]}, "rise from 0"),
    ({"address": [0, 2, 5, 6, 6, 7, 9, 12]}, "entries"),
    ({"count": [1, 0, 0, 0, 1, 2, 3, 1, 1, 0, 0, 4]}, "past row"),
    ({"data": [1, 2, 3, 4, 5, 0, 7, 8, 9, 10, 11, 12]}, "overflow pair"),
])
def test_non_canonical_codes_are_refused(changes, message):
    enc = encode(_fig16(), CscSegmenting.weights(m0=4))
    with pytest.raises(ValueError, match=message):
        decode(_tensor(enc, **changes))


def test_trailing_overflow_pair_is_refused():
    seg = CscSegmenting(segment_rows=20, address_bits=7)
    enc = encode(np.zeros((20, 1), dtype=np.int8), seg)
    bad = _tensor(enc, data=np.array([0], dtype=np.int8), count=np.array([15], dtype=np.uint8),
                  address=[0, 1])
    with pytest.raises(ValueError, match="overflow pair"):
        decode(bad)


def test_arrays_are_read_only():
    enc = encode(_fig16(), CscSegmenting.weights(m0=4))
    with pytest.raises(ValueError):
        enc.data[0] = 7
