"""Sparse workloads (issue #17 part 3): per-layer densities and ``.npy`` data in workload files,
the seeded sparse-tensor generator, the sparse MobileNet preset, and a tile's CSC size in words
(part 1's traffic helper)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelsim.cli.main import main
from accelsim.errors import SpecError
from accelsim.io.presets import load_workload
from accelsim.io.schema import workload_from_data
from accelsim.sim.activations import JSSC_ZERO_FRACTION
from accelsim.sim.csc import CscSegmenting, Encoding, encode, encode_smaller
from accelsim.sim.csc_traffic import TileWords, iact_tile_words, matrix_words, weight_tile_words
from accelsim.sim.sparse_data import (
    DensitySource,
    Fill,
    LayerDensities,
    layer_tensors,
    nonzero_count,
    resolve_densities,
    sparse_tensor,
)
from accelsim.spec.layer import ConvLayer, Workload


def write(path, text: str):
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def workload_file(tmp_path, extra: str = "", name: str = "net.yaml"):
    """One 3x3 layer: ifmap (C, H, W) = (4, 10, 10), filters (M, C, R, S) = (8, 4, 3, 3)."""
    return write(tmp_path / name, f"""
        version: 1
        name: net
        layers:
          - {{name: c0, M: 4, C: 4, H: 6, W: 6, R: 3, S: 3}}
          - {{name: c1, M: 8, C: 4, H: 10, W: 10, R: 3, S: 3{extra}}}
        """)


def fails(capsys, argv) -> str:
    """Run the CLI expecting a user error: exit 2, one line, no traceback; return the line."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    got = capsys.readouterr()
    assert code == 2, f"exit {code}; stderr:\n{got.err}"
    assert "Traceback" not in got.err + got.out
    lines = got.err.splitlines()
    assert len(lines) == 1, got.err
    return lines[0]


# --------------------------------------------------------------------------- densities in a file
def test_stated_densities_reach_the_layer(tmp_path):
    wl = load_workload(workload_file(tmp_path, ", density: {ifmap: 0.61, filter: 0.55}"))
    c0, c1 = wl.layers
    assert (c0.ifmap_density, c0.filter_density) == (None, None)  # not stated
    assert (c1.ifmap_density, c1.filter_density) == (0.61, 0.55)
    # one fact, two spellings: v1's zero gating and RLC read the ifmap's zeros from the density
    assert wl.ifmap_zero_fraction("c1") == pytest.approx(0.39)
    assert wl.ifmap_zero_fraction("c0") is None
    assert wl.with_batch(3).layers[1].ifmap_density == 0.61


def test_v1_zero_gating_reads_a_stated_ifmap_density(tmp_path, capsys):
    """The run header's assumptions show the density's zeros, from the workload file."""
    path = workload_file(tmp_path, ", density: {ifmap: 0.61, filter: 0.55}")
    capsys.readouterr()
    assert main(["run", str(path), "--hardware", "eyeriss", "--layers", "c1"]) == 0
    out = capsys.readouterr().out
    assert "ifmap zero fraction: c1 0.39 (workload file)" in out, out


def test_one_density_given_the_other_not_stated(tmp_path):
    c1 = load_workload(workload_file(tmp_path, ", density: {filter: 0.25}")).layers[1]
    assert (c1.ifmap_density, c1.filter_density) == (None, 0.25)


@pytest.mark.parametrize("extra, field, words", [
    (", density: {ifmap: 0}", "layers[1].density.ifmap", "must be > 0"),
    (", density: {ifmap: 1.5}", "layers[1].density.ifmap", "must be <= 1"),
    (", density: {filter: -0.2}", "layers[1].density.filter", "must be > 0"),
    (", density: {filter: .nan}", "layers[1].density.filter", "finite"),
    (", density: {ifmap: true}", "layers[1].density.ifmap", "must be a number"),
    (", density: {weights: 0.5}", "layers[1].density.weights", "unknown key"),
    (", density: {ifmap: 0.5}, ifmap_zero_fraction: 0.5", "layers[1]", "state one fact"),
    (", density: {ifmap: 0.5}, data: {ifmap: x.npy}", "layers[1]", "give one"),
    (", data: {ifmap: missing.npy}", "layers[1].data.ifmap", "no such file"),
    (", data: {filter: 3}", "layers[1].data.filter", "must be a string"),
])
def test_bad_density_or_data_is_one_line_naming_file_and_field(tmp_path, capsys, extra, field, words):
    path = workload_file(tmp_path, extra)
    line = fails(capsys, ["run", path])
    assert field in line and words in line and str(path) in line, line
    with pytest.raises(SpecError) as info:
        load_workload(path)
    assert info.value.field == field


def test_a_density_is_checked_on_the_spec_type_too():
    with pytest.raises(SpecError, match="density") as info:
        ConvLayer(name="x", M=1, C=1, H=1, W=1, R=1, S=1, filter_density=0.0)
    assert info.value.field == "x.density.filter"


# --------------------------------------------------------------------------- data files
def test_npy_data_values_and_masks(tmp_path):
    rng = np.random.default_rng(1)
    ifmap = rng.integers(0, 3, size=(4, 10, 10))  # about 1/3 zeros
    mask = rng.random((8, 4, 3, 3)) < 0.4
    (tmp_path / "d").mkdir()
    np.save(tmp_path / "d" / "if.npy", ifmap[None])  # (1, C, H, W) is accepted too
    np.save(tmp_path / "d" / "w.npy", mask)
    wl = load_workload(workload_file(tmp_path, ", data: {ifmap: d/if.npy, filter: d/w.npy}"))
    c1 = wl.layers[1]
    assert c1.ifmap_density == np.count_nonzero(ifmap) / ifmap.size
    assert c1.filter_density == mask.sum() / mask.size
    assert c1.ifmap_data.shape == (4, 10, 10) and not c1.ifmap_data.is_mask
    assert c1.filter_data.is_mask and np.array_equal(c1.filter_data.values, mask)
    assert not c1.ifmap_data.values.flags.writeable
    assert wl.ifmap_zero_fraction("c1") == pytest.approx(1 - c1.ifmap_density)
    d = resolve_densities(c1)
    assert (d.ifmap_source, d.filter_source) == (DensitySource.DATA, DensitySource.DATA)
    # the data is used as given (values) or filled at the mask (seeded values)
    t = layer_tensors(c1.with_batch(2), d, seed=5)
    assert np.array_equal(t.ifmap, np.stack([ifmap, ifmap]))
    assert np.array_equal(t.filters != 0, mask)
    # equal contents are equal data, wherever they were read from (the digest is compared)
    np.save(tmp_path / "d" / "copy.npy", mask)
    copy = load_workload(workload_file(tmp_path, ", data: {ifmap: d/if.npy, filter: d/copy.npy}", "b.yaml"))
    assert copy.layers[1] == c1 and copy.layers[1].filter_data.path != c1.filter_data.path
    np.save(tmp_path / "d" / "other.npy", ~mask)
    other = load_workload(workload_file(tmp_path, ", data: {filter: d/other.npy}", "c.yaml")).layers[1]
    assert other.filter_data != c1.filter_data


@pytest.mark.parametrize("make, words", [
    (lambda: np.ones((4, 10, 9), dtype=np.int64), "has shape (4, 10, 9)"),
    (lambda: np.ones((8, 4, 3), dtype=np.int64), "has shape (8, 4, 3)"),
    (lambda: np.ones((4, 10, 10)), "float64"),
    (lambda: np.zeros((4, 10, 10), dtype=bool), "no non-zero"),
])
def test_bad_data_files(tmp_path, capsys, make, words):
    np.save(tmp_path / "t.npy", make())
    path = workload_file(tmp_path, ", data: {ifmap: t.npy}")
    line = fails(capsys, ["run", path])
    assert "layers[1].data.ifmap" in line and words in line and "t.npy" in line, line


def test_filter_data_shape_is_the_filters(tmp_path, capsys):
    np.save(tmp_path / "w.npy", np.ones((4, 10, 10), dtype=np.int8))
    line = fails(capsys, ["run", workload_file(tmp_path, ", data: {filter: w.npy}")])
    assert "layers[1].data.filter" in line and "(M, C/G, R, S) = (8, 4, 3, 3)" in line, line


def test_data_without_a_workload_file_is_refused():
    doc = {"version": 1, "name": "n", "layers": [
        {"name": "a", "M": 1, "C": 1, "H": 1, "W": 1, "R": 1, "S": 1, "data": {"ifmap": "a.npy"}}]}
    with pytest.raises(SpecError, match="relative to a workload file") as info:
        workload_from_data(doc)
    assert info.value.field == "layers[0].data.ifmap"


# --------------------------------------------------------------------------- the generator
@st.composite
def shapes_and_densities(draw):
    shape = tuple(draw(st.lists(st.integers(1, 7), min_size=1, max_size=4)))
    density = draw(st.floats(0.0, 1.0, exclude_min=True, allow_nan=False))
    return shape, density


@settings(deadline=None, max_examples=200)
@given(shapes_and_densities(), st.integers(0, 2**32), st.sampled_from(list(Fill)), st.integers(2, 16))
def test_generator_meets_the_density_exactly(case, seed, fill, bits):
    shape, density = case
    x = sparse_tensor(shape, density, seed, fill, bits)
    size = int(np.prod(shape))
    assert x.shape == shape
    assert np.count_nonzero(x) == nonzero_count(size, density) == round(density * size)
    assert x.dtype == (bool if fill is Fill.MASK else np.int64)
    if fill is Fill.POSITIVE:
        assert x.min() >= 0 and x.max() <= 2 ** (bits - 1) - 1
    elif fill is Fill.SIGNED:
        assert x.min() >= -(2 ** (bits - 1)) and x.max() <= 2 ** (bits - 1) - 1
    assert np.array_equal(x, sparse_tensor(shape, density, seed, fill, bits))  # deterministic per seed


def test_generator_positions_are_uniform():
    """Each position of a 10-value tensor at density 0.3 is non-zero in 30 % of 4000 seeds:
    binomial, sd = sqrt(0.3 · 0.7 / 4000) = 0.0072; 5 sd = 0.036."""
    hits = sum(sparse_tensor(10, 0.3, seed, Fill.MASK).astype(int) for seed in range(4000)) / 4000
    assert np.abs(hits - 0.3).max() < 0.036, hits


def test_generator_refuses_bad_arguments():
    for density in (0, 1.01, -1):
        with pytest.raises(SpecError, match="density"):
            sparse_tensor((2, 2), density, 0)
    with pytest.raises(SpecError, match="bits"):
        sparse_tensor((2, 2), 0.5, 0, Fill.SIGNED, bits=1)


@settings(deadline=None, max_examples=40)
@given(shapes_and_densities(), st.integers(0, 1000))
def test_a_generated_mask_round_trips_through_npy(tmp_path_factory, case, seed):
    """A mask saved as .npy and named by a workload file gives the layer that mask and its density."""
    shape, density = case
    m, c = shape[0], shape[1] if len(shape) > 1 else 1
    mask = sparse_tensor((m, c, 3, 3), density, seed, Fill.MASK)
    if not mask.any():
        return  # a density rounding to no non-zero is not a layer's data (refused above)
    tmp = tmp_path_factory.mktemp("rt")
    np.save(tmp / "mask.npy", mask)
    write(tmp / "w.yaml", f"""
        version: 1
        name: w
        layers:
          - {{name: a, M: {m}, C: {c}, H: 5, W: 5, R: 3, S: 3, data: {{filter: mask.npy}}}}
        """)
    layer = load_workload(tmp / "w.yaml").layers[0]
    assert np.array_equal(layer.filter_data.values, mask)
    assert layer.filter_density == np.count_nonzero(mask) / mask.size


@settings(deadline=None, max_examples=60)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 2), st.floats(0.05, 1.0), st.floats(0.05, 1.0),
       st.integers(0, 99))
def test_layer_tensors_at_given_densities(n, c, g, d_in, d_w, seed):
    layer = ConvLayer(name="x", N=n, M=2 * g, C=c * g, H=5, W=6, R=3, S=2, G=g)
    dens = LayerDensities(ifmap=d_in, filter=d_w, ifmap_source=DensitySource.WORKLOAD,
                          filter_source=DensitySource.WORKLOAD)
    t = layer_tensors(layer, dens, seed)
    assert t.ifmap.shape == (n, c * g, 5, 6) and t.filters.shape == (2 * g, c, 3, 2)
    assert np.count_nonzero(t.ifmap) == round(d_in * t.ifmap.size)
    assert np.count_nonzero(t.filters) == round(d_w * t.filters.size)
    assert t.ifmap.min() >= 0  # post-ReLU
    again = layer_tensors(layer, dens, seed)
    assert np.array_equal(t.ifmap, again.ifmap) and np.array_equal(t.filters, again.filters)


def test_unstated_densities_follow_the_activation_model():
    """AlexNet keeps its measured ifmap zero fractions (JSSC 2017) and dense weights; the image is
    dense; another network's layers get the ReLU default; a stated density wins."""
    conv2 = ConvLayer(name="conv2", M=4, C=4, H=5, W=5, R=3, S=3)
    d = resolve_densities(conv2, network="alexnet")
    assert d.ifmap == pytest.approx(1 - JSSC_ZERO_FRACTION["conv2"])
    assert (d.filter, d.ifmap_source, d.filter_source) == (1.0, DensitySource.ACTIVATION_MODEL, DensitySource.DENSE)
    assert resolve_densities(conv2, first_layer=True).ifmap == 1.0
    assert resolve_densities(conv2, network="vgg16").ifmap == 0.5
    assert resolve_densities(conv2, ifmap_zero_fraction=0.0).ifmap == 1.0
    stated = resolve_densities(ConvLayer(name="conv2", M=4, C=4, H=5, W=5, R=3, S=3, ifmap_density=0.7,
                                         filter_density=0.4), network="alexnet")
    assert (stated.ifmap, stated.filter, stated.ifmap_source) == (0.7, 0.4, DensitySource.WORKLOAD)


def test_alexnet_preset_is_unchanged():
    wl = load_workload("alexnet")
    assert all(ly.ifmap_density is None and ly.filter_density is None for ly in wl.layers)
    assert all(wl.ifmap_zero_fraction(ly.name) is None for ly in wl.layers)


# --------------------------------------------------------------------------- the sparse MobileNet preset
# Facts of the Sparseloop MICRO 2022 artifact (Wu et al.; GitHub Accelergy-Project/
# micro22-sparseloop-artifact, commit de0374a, workspace/2022.micro.artifact/evaluation_setups/
# fig12_eyerissv2_pe_setup): its layer list of mobilenet0.5-sparse (scripts/ground_truth_cycles.yaml
# and the workload files: type, C, M, output height/width, kernel, stride), and the densities
# counted on its actual_data_masks (non-zeros / values, 4 digits) for the nine layers it has masks
# of. L20's iact mask is 16,384 = 256 · 8 · 8 values (the unpadded input).
ARTIFACT_LAYERS = {
    "L01": ("conv", 3, 16, 64, 3, 2), "L02": ("dw", 16, 16, 64, 3, 1), "L03": ("pw", 16, 32, 64, 1, 1),
    "L04": ("dw", 32, 32, 32, 3, 2), "L05": ("pw", 32, 64, 32, 1, 1), "L06": ("dw", 64, 64, 32, 3, 1),
    "L07": ("pw", 64, 64, 32, 1, 1), "L08": ("dw", 64, 64, 16, 3, 2), "L09": ("pw", 64, 128, 16, 1, 1),
    "L10": ("dw", 128, 128, 16, 3, 1), "L11": ("pw", 128, 128, 16, 1, 1), "L12": ("dw", 128, 128, 8, 3, 2),
    "L13": ("pw", 128, 256, 8, 1, 1), "L14": ("dw", 256, 256, 8, 3, 1), "L15": ("pw", 256, 256, 8, 1, 1),
    "L16": ("dw", 256, 256, 8, 3, 1), "L17": ("pw", 256, 256, 8, 1, 1), "L18": ("dw", 256, 256, 8, 3, 1),
    "L19": ("pw", 256, 256, 8, 1, 1), "L20": ("dw", 256, 256, 8, 3, 1), "L21": ("pw", 256, 256, 8, 1, 1),
    "L22": ("dw", 256, 256, 8, 3, 1), "L23": ("pw", 256, 256, 8, 1, 1), "L24": ("dw", 256, 256, 4, 3, 2),
    "L25": ("pw", 256, 512, 4, 1, 1), "L26": ("dw", 512, 512, 4, 3, 1), "L27": ("pw", 512, 512, 4, 1, 1),
    "L28": ("fc", 512, 1000, 1, 1, 1),
}
ARTIFACT_DENSITIES = {  # (iact, weight)
    "L07": (0.7281, 0.5203), "L09": (0.8641, 0.8184), "L13": (0.8329, 0.6443), "L19": (0.6077, 0.5499),
    "L20": (0.4915, 0.9505), "L21": (0.6412, 0.5997), "L23": (0.6084, 0.6988), "L25": (0.6772, 0.6495),
    "L27": (0.5829, 0.2999),
}
L20_IACT_MASK_VALUES = 16_384


def _kind(layer: ConvLayer) -> str:
    if layer.G > 1:
        return "dw"
    if layer.is_fc:
        return "fc"
    return "pw" if layer.R == 1 else "conv"


def test_sparse_mobilenet_preset():
    sparse, dense = load_workload("mobilenet_v1_0.5_128_sparse"), load_workload("mobilenet_v1_0.5_128")
    assert sparse.macs == dense.macs == 49_160_192
    assert [ly.shape_dict() for ly in sparse.layers] == [ly.shape_dict() for ly in dense.layers]
    assert len(sparse.layers) == len(ARTIFACT_LAYERS)
    for number, layer in zip(ARTIFACT_LAYERS, sparse.layers):  # LNN is the NN-th layer: shapes agree
        kind, c, m, out, k, stride = ARTIFACT_LAYERS[number]
        assert (_kind(layer), layer.C, layer.M, layer.E, layer.F, layer.R, layer.S, layer.U) == \
               (kind, c, m, out, out, k, k, stride), (number, layer.name)
        if number not in ARTIFACT_DENSITIES:
            assert (layer.ifmap_density, layer.filter_density) == (1.0, 1.0), layer.name  # dense, stated
            continue
        iact, weight = ARTIFACT_DENSITIES[number]
        assert layer.filter_density == weight, layer.name
        if layer.H == out:  # no padding: the mask is the layer's ifmap
            assert layer.ifmap_density == iact, layer.name
        else:  # L20: the mask is the unpadded input; our ifmap adds a zero border
            assert layer.C * out * out == L20_IACT_MASK_VALUES
            assert layer.ifmap_density == pytest.approx(iact * out * out / (layer.H * layer.W), abs=1e-12)
    known = {ly.name for n, ly in zip(ARTIFACT_LAYERS, sparse.layers) if n in ARTIFACT_DENSITIES}
    assert known == {"pw3", "pw4", "pw6", "pw9", "dw10", "pw10", "pw11", "pw12", "pw13"}


# --------------------------------------------------------------------------- CSC size in words
# JETCAS 2019 Fig. 16 (Chen et al., Eyeriss v2): a 4 × 8 weight matrix with twelve non-zeros at
# these (row, column) positions (transcribed as in tests/test_csc.py); CSC: 12 pairs of 12 bits and
# 8 address entries of 7 bits.
FIG16_POSITIONS = [(1, 0), (2, 0), (0, 1), (1, 1), (3, 1), (2, 2), (3, 4), (1, 5), (3, 5), (0, 7), (1, 7), (2, 7)]


def test_fig16_tile_words():
    x = np.zeros((4, 8), dtype=np.int64)
    for v, (r, col) in enumerate(FIG16_POSITIONS, start=1):
        x[r, col] = v
    w = matrix_words(x, CscSegmenting.weights(m0=4))
    assert (w.values, w.nonzeros, w.pairs, w.segments) == (32, 12, 12, 8)
    assert (w.compressed_bits, w.uncompressed_bits) == (12 * 12 + 8 * 7, 32 * 8)
    assert (w.compressed_words, w.uncompressed_words) == (25, 32)  # 8-bit data words
    w24 = matrix_words(x, CscSegmenting.weights(m0=4), word_bits=24)  # NoC port words
    assert (w24.compressed_words, w24.uncompressed_words) == (9, 11)
    assert w.smaller is Encoding.CSC and w.smaller_words == 25
    # the same tile as (M0, C0, S) weights: one column per (c, s)
    assert weight_tile_words(x.reshape(4, 8, 1)) == w
    assert matrix_words(x != 0, CscSegmenting.weights(m0=4)) == w  # a mask has the same sizes


@st.composite
def tiles(draw):
    rows = draw(st.integers(1, 40))
    cols = draw(st.integers(1, 6))
    density = draw(st.floats(0.0, 1.0))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    x = np.where(rng.random((rows, cols)) < density, rng.integers(-128, 128, (rows, cols)), 0)
    return x, CscSegmenting(segment_rows=rows, address_bits=draw(st.integers(1, 9))), seed


@settings(deadline=None, max_examples=200)
@given(tiles(), st.sampled_from([1, 8, 12, 24, 64]))
def test_tile_words_bounds_and_agreement(case, word_bits):
    x, seg, _ = case
    w = matrix_words(x, seg, word_bits)
    rows, cols = x.shape
    address_bits = cols * seg.address_bits
    # the words are the CSC module's encodings of the tile (values, not only the zero pattern)
    assert w.compressed_bits == encode(x, seg, Encoding.CSC).total_bits
    assert w.uncompressed_bits == encode(x, seg, Encoding.RAW).total_bits == 8 * x.size
    assert w.compressed_words == -(-w.compressed_bits // word_bits)
    assert w.uncompressed_words == -(-w.uncompressed_bits // word_bits)
    # a pair stands for at least one value: compressed <= 12/8 of uncompressed + the address vector
    assert w.nonzeros <= w.pairs <= w.values
    assert w.compressed_bits <= 12 * x.size + address_bits
    if rows <= 16:  # no overflow pairs: the size is the non-zeros'
        assert w.compressed_bits == 12 * np.count_nonzero(x) + address_bits
    smaller = encode_smaller(x, seg)
    assert w.smaller is smaller.encoding and w.smaller_words == smaller.words(word_bits)


@settings(deadline=None, max_examples=100)
@given(tiles())
def test_tile_words_monotone_in_density(case):
    """Zeroing values one at a time (a random order) never increases the compressed words, and the
    uncompressed words do not change."""
    x, seg, seed = case
    order = np.random.default_rng(seed).permutation(np.flatnonzero(x))
    y = x.copy().ravel()
    last = matrix_words(x, seg)
    for at in order:
        y[at] = 0
        now = matrix_words(y.reshape(x.shape), seg)
        assert now.compressed_words <= last.compressed_words
        assert now.uncompressed_words == last.uncompressed_words
        last = now
    assert last.pairs == 0 and last.compressed_bits == x.shape[1] * seg.address_bits


def test_iact_tile_words_segments():
    """A (C0, W) = (3, 4) iact tile at stride 2: segments of C0·U = 6 values, 2 of them."""
    iacts = np.array([[1, 0, 0, 2], [0, 0, 0, 0], [3, 0, 4, 0]])
    w = iact_tile_words(iacts, u=2)
    assert isinstance(w, TileWords)
    assert (w.values, w.nonzeros, w.pairs, w.segments) == (12, 4, 4, 2)
    assert w.compressed_bits == 4 * 12 + 2 * 4  # 4-bit iact addresses
    with pytest.raises(ValueError):
        matrix_words(iacts, CscSegmenting.iacts(3, 2), word_bits=0)


def test_workload_with_densities_is_a_workload():
    wl = Workload(name="n", layers=(ConvLayer(name="a", M=1, C=1, H=1, W=1, R=1, S=1, ifmap_density=0.25),))
    assert wl.ifmap_zero_fraction("a") == 0.75
