"""Seeded post-ReLU activations, the JSSC zero fractions, and the .npy loader."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import accelsim
from accelsim.errors import SpecError
from accelsim.sim.activations import (
    JSSC_ZERO_FRACTION,
    RELU_ZERO_FRACTION,
    check_zero_fraction,
    default_zero_fraction,
    load_activations,
    relu_activations,
    zero_count,
)


@pytest.mark.parametrize("shape", [(4, 96, 27, 27), (3, 5), (7,), 11, (0, 3)])
@pytest.mark.parametrize("zf", [0.0, 0.4, 0.5, 0.75, 1.0, 1 / 3])
def test_exact_zero_count_and_range(shape, zf):
    a = relu_activations(shape, zf, seed=1)
    dims = shape if isinstance(shape, tuple) else (shape,)
    assert a.shape == dims and a.dtype == np.int64
    assert int((a == 0).sum()) == round(zf * a.size) == zero_count(a.size, zf)
    nz = a[a != 0]
    assert nz.size == 0 or (nz.min() >= 1 and nz.max() < 2**15)


def test_bits_sets_the_range():
    a = relu_activations(10_000, 0.25, seed=3, bits=4)
    assert set(np.unique(a).tolist()) == set(range(8))  # 0 and 1..7


def test_deterministic_per_seed():
    a = relu_activations((2, 3, 17, 17), 0.6, seed=42)
    assert np.array_equal(a, relu_activations((2, 3, 17, 17), 0.6, seed=42))
    assert not np.array_equal(a, relu_activations((2, 3, 17, 17), 0.6, seed=43))


def test_zero_positions_spread_out():
    a = relu_activations(100_000, 0.5, seed=0)
    # Each half of the array holds about half the zeros (a random subset, not a block).
    # Tolerance: for K = 50,000 zeros placed uniformly among N = 100,000 words, the count in
    # the first n = 50,000 is hypergeometric, mean nK/N = 25,000 and variance
    # n(K/N)(1 - K/N)(N - n)/(N - 1) = 6,250.06 (sd 79.1); 5 sd = 396 (a block would give 0 or
    # 50,000).
    sd = (50_000 * 0.5 * 0.5 * 50_000 / 99_999) ** 0.5
    assert abs(int((a[:50_000] == 0).sum()) - 25_000) <= 5 * sd


@pytest.mark.parametrize("zf", [-0.1, 1.01, float("nan")])
def test_bad_zero_fraction(zf):
    with pytest.raises(SpecError, match="zero fraction"):
        relu_activations((3, 3), zf, seed=0)


def test_bad_bits_and_shape():
    with pytest.raises(SpecError):
        relu_activations((3, 3), 0.5, seed=0, bits=1)
    with pytest.raises(SpecError):
        relu_activations((3, -1), 0.5, seed=0)


def test_jssc_zero_fractions():
    """Published: JSSC 2017 text, ifmap zeros "about 40% at CONV2 rising to about 75% at
    CONV5" (accelsim/reference/eyeriss_chip.json, ``ifmap_zero_fraction``); CONV1 reads the
    image (no ReLU before it)."""
    ref = json.loads((Path(accelsim.__file__).with_name("reference") / "eyeriss_chip.json").read_text())
    text = ref["ifmap_zero_fraction"]
    assert "40% at CONV2" in text and "75% at CONV5" in text
    assert list(JSSC_ZERO_FRACTION) == ["conv1", "conv2", "conv3", "conv4", "conv5"]
    assert JSSC_ZERO_FRACTION["conv1"] == 0.0
    assert JSSC_ZERO_FRACTION["conv2"] == pytest.approx(0.40)
    assert JSSC_ZERO_FRACTION["conv5"] == pytest.approx(0.75)
    fr = list(JSSC_ZERO_FRACTION.values())
    assert fr == sorted(fr)
    # conv3, conv4 are linear in the layer index between conv2 and conv5.
    assert np.diff(fr[1:]) == pytest.approx([0.35 / 3] * 3)


def test_load_good_file(tmp_path):
    a = relu_activations((2, 3, 4), 0.5, seed=5).astype(np.int16)
    p = tmp_path / "acts.npy"
    np.save(p, a)
    got = load_activations(p, (2, 3, 4))
    assert got.dtype == np.int64 and np.array_equal(got, a)
    assert np.array_equal(load_activations(str(p), [2, 3, 4]), a)


def test_load_wrong_shape(tmp_path):
    p = tmp_path / "shape.npy"
    np.save(p, np.zeros((2, 3), dtype=np.int32))
    with pytest.raises(SpecError, match="shape.npy") as exc:
        load_activations(p, (3, 2))
    assert "(2, 3)" in str(exc.value) and "(3, 2)" in str(exc.value)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.bool_, np.complex64])
def test_load_non_integer_dtype(tmp_path, dtype):
    p = tmp_path / "float.npy"
    np.save(p, np.ones((2, 2), dtype=dtype))
    with pytest.raises(SpecError, match="float.npy.*integers"):
        load_activations(p, (2, 2))


def test_load_out_of_range(tmp_path):
    p = tmp_path / "big.npy"
    np.save(p, np.array([0, 1, 40_000], dtype=np.int64))
    with pytest.raises(SpecError, match="big.npy.*16-bit"):
        load_activations(p, (3,))


def test_load_missing_or_not_npy(tmp_path):
    with pytest.raises(SpecError, match="missing.npy"):
        load_activations(tmp_path / "missing.npy", (1,))
    p = tmp_path / "junk.npy"
    p.write_text("not an array")
    with pytest.raises(SpecError, match="junk.npy"):
        load_activations(p, (1,))
    q = tmp_path / "many.npz"
    np.savez(q, a=np.zeros(1, dtype=np.int16))
    with pytest.raises(SpecError, match="many.npz"):
        load_activations(q, (1,))


def test_default_zero_fraction():
    assert default_zero_fraction("conv5", first_layer=False) == JSSC_ZERO_FRACTION["conv5"]
    assert default_zero_fraction("conv5", first_layer=True) == 0.0  # the image: no ReLU before it
    assert default_zero_fraction("conv1", first_layer=False) == 0.0
    assert default_zero_fraction("fc1", first_layer=False) == RELU_ZERO_FRACTION == 0.5


@pytest.mark.parametrize("value, want", [(0, 0.0), (1, 1.0), ("0.25", 0.25), (np.float32(0.5), 0.5)])
def test_check_zero_fraction(value, want):
    assert check_zero_fraction(value) == want


@pytest.mark.parametrize("value", [-0.01, 1.01, float("nan"), float("inf"), "abc", None, True])
def test_check_zero_fraction_rejects(value):
    with pytest.raises(SpecError) as info:
        check_zero_fraction(value, "--zero-fraction")
    assert info.value.field == "--zero-fraction" and "zero fraction" in info.value.message
