"""RLC-compressed DRAM traffic (Hardware.effects.dram_rlc): closed forms, the first layer, energy, and the
analytic expectation against the cycle engine's measurement."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accelsim
from accelsim.sim.activations import default_ofmap_zero_fraction, relu_activations, zero_pattern
from accelsim.sim.compression import dram_traffic, expected_ratio, measured_ratio, rlc_words16
from accelsim.sim.rlc import compressed_words16
from accelsim.drivers.simulate import simulate
from accelsim.layout import READS, WRITES
from accelsim.spec.dims import DataType, Level
from accelsim.spec.hardware import Buffer, DataEffects, Hardware
from accelsim.spec.layer import ConvLayer
from accelsim.spec.result import DramTraffic
from accelsim.spec.variation import with_field

RLC = Hardware(name="rlc8x8", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=1 << 20),
               glb=Buffer(shared_words=1 << 22), effects=DataEffects(dram_rlc=True))
PLAIN = replace(RLC, name="plain8x8", effects=DataEffects(dram_rlc=False))


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


# ----------------------------------------------------------------------------- closed forms
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 5, 7), (4, 96, 27, 27), (3, 1, 96, 1), (1, 2, 48, 1)])
def test_all_zero_and_all_nonzero_fmaps(shape):
    n = int(np.prod(shape[1:]))  # one RLC stream per image
    zeros = np.zeros(shape, dtype=np.int64)
    assert rlc_words16(zeros) == shape[0] * 4 * _ceil(n, 96)
    dense = np.full(shape, 7, dtype=np.int64)
    assert rlc_words16(dense) == shape[0] * 4 * _ceil(n, 3)
    assert rlc_words16(-dense) == rlc_words16(dense)
    assert measured_ratio(zeros) == Fraction(4 * _ceil(n, 96), n)


def test_only_the_zero_pattern_matters():
    x = relu_activations((2, 4, 9, 9), 0.6, seed=1)
    big = x * 10**9  # a raw ofmap need not fit 16 bits
    assert rlc_words16(big) == rlc_words16(x) == sum(compressed_words16(img.ravel()) for img in x)


def _segment_moments(p: float) -> tuple[float, float]:
    """Mean and variance of the values one RLC pair covers in an i.i.d. stream with zero
    probability ``p``, by summing the distribution (no closed form): a pair ends at the first
    non-zero after ``j`` < 31 zeros (``j + 1`` values, probability ``p^j (1 - p)``), or takes
    the 32nd value whatever it is after 31 zeros (32 values, probability ``p^31``)."""
    lengths = np.arange(1, 33, dtype=float)
    probs = np.array([p**j * (1 - p) for j in range(31)] + [p**31])
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    mean = float((lengths * probs).sum())
    return mean, float(((lengths - mean) ** 2 * probs).sum())


def test_expected_ratio_limits():
    assert expected_ratio(0.0) == pytest.approx(4 / 3)
    assert expected_ratio(1.0) == pytest.approx(1 / 24)  # 4 words per 96 zeros
    assert expected_ratio(1 - 1e-12) == pytest.approx(1 / 24, rel=1e-6)
    ps = np.linspace(0, 1, 101)
    r = [expected_ratio(p) for p in ps]
    assert all(a > b for a, b in zip(r, r[1:]))
    # by hand: r(p) = (4/3)(1 - p)/(1 - p^32): 0.4^32 ~ 2e-13, so r(0.4) = (4/3)(0.6) = 0.8;
    # 0.75^32 ~ 1.0e-4, so r(0.75) = (4/3)(0.25)(1 + 1e-4) = 1/3 within 1e-3
    assert expected_ratio(0.4) == pytest.approx(0.8, rel=1e-6)
    assert expected_ratio(0.75) == pytest.approx(1 / 3, rel=1e-3)
    # renewal argument: 4/3 words per pair over the mean values per pair (summed by hand)
    for p in (0.0, 0.3, 0.5, 0.9, 0.97, 0.99, 1.0):
        assert expected_ratio(p) == pytest.approx(4 / 3 / _segment_moments(p)[0], rel=1e-12), p


STREAM = 200_000


@settings(max_examples=30, deadline=None)
@given(p=st.sampled_from([0.0, 0.3, 0.5, 0.9, 0.97, 0.99, 1.0]), seed=st.integers(0, 2**16))
def test_expected_ratio_matches_long_random_streams(p, seed):
    """Stream of 200,000 i.i.d. values: the measured ratio within 5 standard deviations of
    r(p), plus the stream end.

    Tolerance: the pairs are a renewal process whose inter-renewal length L (values per pair)
    has mean mu and variance s^2 (``_segment_moments``), so the pair count over n values has
    relative standard deviation sqrt(s^2 / (n mu)) (renewal CLT; n / mu >= 6,250 pairs, so
    normal). 5 sd: a false failure about once in 10^6 examples. The end adds less than one
    64-bit word (< 4 words, the last word's free slots) plus the flush pair of the last
    partial run (4/3 words): 16/3 words, taken as 6 words / n."""
    rng = np.random.default_rng(seed)
    x = (rng.random((1, STREAM)) >= p).astype(np.int64)
    got = float(measured_ratio(x))
    mean, var = _segment_moments(p)
    want = 4 / 3 / mean
    sd = want * (var / (STREAM * mean)) ** 0.5
    assert abs(got - want) <= 5 * sd + 6 / STREAM, (p, seed, got, want, sd)


def test_dram_traffic_rules():
    layer = ConvLayer(name="t", N=1, M=2, C=2, H=4, W=4, R=3, S=3)  # ofmap 8 words
    counts = np.zeros((4, 3, 4), dtype=np.int64)
    counts[Level.DRAM, DataType.IFMAP, READS] = 64
    counts[Level.DRAM, DataType.FILTER, READS] = 36
    counts[Level.DRAM, DataType.PSUM, WRITES] = 20  # 8 final ofmap writes + 12 spilled psums
    counts[Level.DRAM, DataType.PSUM, READS] = 12
    dense = dram_traffic(counts, layer, 1, 1)
    assert dense == DramTraffic(ifmap_reads=64, filter_reads=36, psum_writes=20, psum_reads=12)
    got = dram_traffic(counts, layer, Fraction(1, 4), Fraction(1, 2))
    assert got == DramTraffic(ifmap_reads=16, filter_reads=36, psum_writes=12 + 4, psum_reads=12)
    assert got.to_dict() == {"ifmap_reads": 16, "filter_reads": 36, "psum_writes": 16, "psum_reads": 12}
    assert got.total_words == 80


# ----------------------------------------------------------------------------- simulate
LAYER = ConvLayer(name="conv4", N=2, M=8, C=6, H=9, W=9, R=3, S=3)


@pytest.fixture(scope="module")
def mapping():
    return simulate(LAYER, RLC, "rs").mapping


def test_cycle_engine_charges_the_real_tensors(mapping):
    x = relu_activations((LAYER.N, LAYER.C, LAYER.H, LAYER.W), 0.7, seed=5)
    res = simulate(LAYER, RLC, "rs", engine="cycle", mapping=mapping, ifmap=x)
    plain = simulate(LAYER, PLAIN, "rs", engine="cycle", mapping=mapping, ifmap=x)
    assert np.array_equal(res.counts, plain.counts) and plain.dram_compressed is None
    dram = res.counts[Level.DRAM]
    # the ofmap written: the real output after the bias + ReLU zeroing the default fraction
    ofmap = zero_pattern(res.output, default_ofmap_zero_fraction(LAYER.name))
    assert (ofmap == 0).sum() == round(0.75 * ofmap.size)  # LAYER is named conv4: CONV5's input zeros
    want = {
        "ifmap_reads": round(dram[DataType.IFMAP, READS] * Fraction(rlc_words16(x), x.size)),
        "filter_reads": int(dram[DataType.FILTER, READS]),
        "psum_writes": rlc_words16(ofmap),  # no spills: one write per ofmap word
        "psum_reads": 0,
    }
    assert dram[DataType.PSUM, WRITES] == ofmap.size
    assert res.dram_compressed.to_dict() == want
    cost = RLC.energy.dram
    assert res.energy["DRAM"] == {"ifmap": want["ifmap_reads"] * cost, "filter": want["filter_reads"] * cost,
                                  "psum": want["psum_writes"] * cost}
    for comp in ("ALU", "RF", "NoC", "GLB"):
        assert res.energy[comp] == plain.energy[comp]


@pytest.mark.parametrize("fill, words_per_image", [(0, lambda n: 4 * _ceil(n, 96)), (3, lambda n: 4 * _ceil(n, 3))])
def test_all_zero_and_all_nonzero_ifmap_reads(mapping, fill, words_per_image):
    x = np.full((LAYER.N, LAYER.C, LAYER.H, LAYER.W), fill, dtype=np.int64)
    res = simulate(LAYER, RLC, "rs", engine="cycle", mapping=mapping, ifmap=x)
    n = LAYER.C * LAYER.H * LAYER.W
    reads = int(res.counts[Level.DRAM, DataType.IFMAP, READS])
    assert res.dram_compressed.ifmap_reads == round(Fraction(reads * LAYER.N * words_per_image(n), x.size))
    # the 4M-word GLB holds the whole ifmap, so the mapping reads it once: the closed form exactly
    assert reads == x.size
    assert res.dram_compressed.ifmap_reads == LAYER.N * words_per_image(n)


@pytest.mark.parametrize("engine", ["analytic", "cycle"])
def test_first_layer_input_is_never_compressed(mapping, engine):
    zeros = np.zeros((LAYER.N, LAYER.C, LAYER.H, LAYER.W), dtype=np.int64)
    res = simulate(LAYER, RLC, "rs", engine=engine, mapping=mapping, ifmap=zeros, first_layer=True)
    assert res.dram_compressed.ifmap_reads == res.counts[Level.DRAM, DataType.IFMAP, READS]
    other = simulate(LAYER, RLC, "rs", engine=engine, mapping=mapping, ifmap=zeros, first_layer=False)
    assert other.dram_compressed.ifmap_reads < res.dram_compressed.ifmap_reads
    # its ofmap is compressed all the same
    assert res.dram_compressed.psum_writes == other.dram_compressed.psum_writes


def test_network_first_layer():
    wl = accelsim.Workload(name="w", layers=(replace(LAYER, N=1, name="a"), replace(LAYER, N=1, name="b")))
    run = accelsim.simulate_network(wl, RLC, "rs", zero_fraction=0.9)
    a, b = run.layers
    assert a.dram_compressed.ifmap_reads == a.counts[Level.DRAM, DataType.IFMAP, READS]
    assert b.dram_compressed.ifmap_reads < b.counts[Level.DRAM, DataType.IFMAP, READS]
    # running a subset: the selection remembers the network's first layer
    only_b = accelsim.simulate_network(wl.select(["b"]), RLC, "rs", zero_fraction=0.9)
    assert only_b.layers[0].dram_compressed == b.dram_compressed
    as_first = accelsim.simulate_network(wl.select(["b"]), RLC, "rs", zero_fraction=0.9, first_layer="b")
    assert as_first.layers[0].dram_compressed.ifmap_reads == b.counts[Level.DRAM, DataType.IFMAP, READS]
    tot = run.total()["dram_compressed"]
    assert tot == {k: getattr(a.dram_compressed, k) + getattr(b.dram_compressed, k) for k in tot}
    with pytest.raises(accelsim.SpecError) as info:
        accelsim.simulate_network(wl, RLC, "rs", ifmaps={"zz": np.zeros(1)})
    assert info.value.field == "ifmaps"


def test_analytic_dram_energy_and_json(mapping):
    res = simulate(LAYER, RLC, "rs", mapping=mapping, zero_fraction=0.6, ofmap_zero_fraction=0.3)
    dense = res.counts[Level.DRAM]
    want = dram_traffic(res.counts, LAYER, expected_ratio(0.6), expected_ratio(0.3)).to_dict()
    assert res.dram_compressed.to_dict() == want
    assert want["ifmap_reads"] == round(dense[DataType.IFMAP, READS] * expected_ratio(0.6))
    rec = res.to_dict()
    assert rec["dram_compressed"] == want and "gating" not in rec
    assert sum(rec["energy"]["DRAM"].values()) == pytest.approx(sum(want.values()) * RLC.energy.dram)


# ----------------------------------------------------------------------------- expectation vs measurement
MID = ConvLayer(name="mid", N=2, M=32, C=32, H=15, W=15, R=3, S=3)


@pytest.mark.parametrize("zf", [0.4, 0.75, 0.97])
def test_expected_compression_agrees_with_measurement(zf):
    """Analytic r(p) vs the cycle engine's exact code sizes, the ofmap at the same zero fraction.
    Tolerance: 3 % relative plus 4 words per image and pair slot
    (the stream ends and last-word padding r(p) ignores) — the zero count is exact, so only the
    placement of zeros (continuation pairs, noticeable at p near 1) varies."""
    both = with_field(RLC, "zero_gating", True)
    mapping = simulate(MID, both, "rs").mapping
    cyc = simulate(MID, both, "rs", engine="cycle", mapping=mapping, zero_fraction=zf, ofmap_zero_fraction=zf)
    ana = simulate(MID, both, "rs", mapping=mapping, zero_fraction=zf, ofmap_zero_fraction=zf)
    dram = cyc.counts[Level.DRAM]
    for key, dense in (("ifmap_reads", dram[DataType.IFMAP, READS]), ("psum_writes", dram[DataType.PSUM, WRITES])):
        slack = 8 * MID.N * dense / (MID.N * MID.C * MID.H * MID.W if key == "ifmap_reads" else MID.N * MID.M
                                     * MID.E * MID.F)
        ana_words, cyc_words = getattr(ana.dram_compressed, key), getattr(cyc.dram_compressed, key)
        assert abs(ana_words - cyc_words) <= 0.03 * cyc_words + slack, (key, ana_words, cyc_words)
    assert ana.dram_compressed.filter_reads == cyc.dram_compressed.filter_reads


def test_compressed_fmaps_cross_the_dram_link_faster():
    """With RLC the cycle engine moves compressed ifmap and ofmap words over the DRAM link:
    on a DRAM-bound layer with 90 % zeros it takes fewer cycles than the same machine without
    compression, while every count (dense words) stays the same."""
    slow = replace(RLC, dram_words_per_cycle=0.05)
    layer = replace(LAYER, name="later")
    ifmap = relu_activations((layer.N, layer.C, layer.H, layer.W), 0.9, 7)
    m = simulate(layer, slow, "rs").mapping
    on = simulate(layer, slow, "rs", engine="cycle", mapping=m, ifmap=ifmap)
    off = simulate(layer, with_field(slow, "dram_rlc", False), "rs", engine="cycle", mapping=m, ifmap=ifmap)
    assert np.array_equal(on.counts, off.counts) and on.timing.verified
    assert on.timing.stall_cycles["dram"] < off.timing.stall_cycles["dram"]
    assert on.cycles < off.cycles


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.integers(-5, 5), min_size=1, max_size=60), p=st.floats(0, 1))
def test_zero_pattern_zeroes_the_smallest(values, p):
    """The bias + ReLU model: exactly round(p·n) zeros, at the smallest values."""
    arr = np.array(values, dtype=np.int64)
    pat = zero_pattern(arr, p)
    k = round(p * arr.size)
    assert (pat == 0).sum() == k and set(np.unique(pat)) <= {0, 1}
    if 0 < k < arr.size:
        assert arr[pat == 0].max() <= arr[pat == 1].min()


def test_ofmap_zero_fraction_defaults_follow_the_next_layer():
    """AlexNet CONV3's ofmap is CONV4's input: JSSC's (interpolated) 63 % zeros; CONV5 feeds FC1
    (unpublished): 0.5."""
    from accelsim.sim.activations import JSSC_ZERO_FRACTION

    assert default_ofmap_zero_fraction("conv3") == JSSC_ZERO_FRACTION["conv4"]
    assert default_ofmap_zero_fraction("conv4") == 0.75
    assert default_ofmap_zero_fraction("conv5") == 0.5
