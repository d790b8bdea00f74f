"""Precision per data type (issue 13, part 2): capacity in bits, inputs in range, psums that wrap.

1. Capacity. A shared pool holds bits: a type of ``b`` bits spilling ``w`` words past its
   dedicated words takes ``w · b`` bits of ``shared_words · pool_word_bits`` (banks:
   ``ceil(w · b / bank bits)``). The kernel check (``_overflow`` on ``capacity_array``) and
   ``Buffer.overflow`` agree with that rule written out here; a tile that fits by words but not
   by bits is rejected and vice versa; with one width everywhere it is the word model exactly
   (same decisions, same mapper pick).
2. Values. ``random_inputs`` draws each type in its signed range; the cycle engine's psums wrap
   at ``psum_bits`` on every accumulation, which equals the exact convolution wrapped once
   (``reference_conv(..., psum_bits)``), and the result counts the outputs that wrapped.
3. Hardware files and sweeps: a shared pool in bytes with mixed widths is a pool of bytes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import DATAFLOWS, make_case, make_case_or_reject
from strategies import layers as tiny_layers

from accelsim import CapacityError, SpecError
from accelsim.dataflows import template
from accelsim.dataflows.lowering import capacity_array, window_flags
from accelsim.drivers.simulate import simulate
from accelsim.io.schema import hardware_from_data
from accelsim.kernels.cycle import _wrap
from accelsim.kernels.search import _overflow
from accelsim.layout import CAP_BITS0, CAP_POOL_BITS, N_CAP_COLS, TILE_GLB, TILE_RF
from accelsim.search.mapper import Budget
from accelsim.sim.counting import check_fits, count_mapping
from accelsim.sim.cycle import random_inputs, reference_conv, run_cycle, signed_range, wrap_to_bits
from accelsim.spec.hardware import Buffer, Hardware, Precision
from accelsim.spec.layer import ConvLayer
from accelsim.spec.variation import with_field

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ROOMY = Hardware(name="t8x8", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=1 << 20),
                 glb=Buffer(shared_words=1 << 22))


def _hw(buf: Buffer, precision: Precision) -> Hardware:
    return Hardware(name="p", pe_rows=4, pe_cols=4, rf=buf, glb=buf, precision=precision)


def _fits_by_bits(buf: Buffer, usage, bits, pool_bits) -> bool:
    """The rule of the module docstring, written out independently of the code under test."""
    spill = [max(0, u - d) * b for u, d, b in zip(usage, buf.dedicated_words, bits)]
    if sum(spill) > buf.shared_words * pool_bits:
        return False
    if buf.bank_words:
        bank_bits = buf.bank_words * pool_bits
        return sum(-(-s // bank_bits) for s in spill) <= buf.shared_words // buf.bank_words
    return True


widths = st.integers(1, 32)
buffers = st.builds(
    lambda shared, ded, bank, pool: Buffer(shared_words=shared * max(bank, 1), ifmap_words=ded[0],
                                           filter_words=ded[1], psum_words=ded[2], bank_words=bank,
                                           pool_word_bits=pool),
    st.integers(0, 300), st.tuples(*[st.integers(0, 200)] * 3), st.sampled_from([0, 0, 16, 64]),
    st.one_of(st.none(), widths))


# ----------------------------------------------------------------------------- 1. capacity
@FAST
@given(buffers, st.tuples(widths, widths, widths), st.tuples(*[st.integers(0, 2000)] * 3), st.sampled_from([0, 1]))
def test_kernel_check_buffer_check_and_the_bit_rule_agree(buf, bits, usage, lv):
    hw = _hw(buf, Precision(ifmap_bits=bits[0], filter_bits=bits[1], psum_bits=bits[2]))
    caps = capacity_array(hw)
    assert caps.shape == (2, N_CAP_COLS)
    pool = buf.pool_word_bits or max(bits)
    assert caps[lv, CAP_POOL_BITS] == pool and tuple(caps[lv, CAP_BITS0:]) == bits
    use = np.zeros((2, 3), dtype=np.int64)
    use[lv] = usage
    want = _fits_by_bits(buf, usage, bits, pool)
    assert (_overflow(use, caps, lv) == 0) == want
    assert (buf.overflow(usage, bits) is None) == want


def test_fits_by_words_but_not_by_bits_and_vice_versa():
    """8/8/32 bits, a pool of 100 16-bit words (1600 bits): 60 psum words fit the word count
    but take 1920 bits; 150 ifmap words exceed it but take 1200 bits."""
    buf = Buffer(shared_words=100, pool_word_bits=16)
    bits = (8, 8, 32)
    hw = _hw(buf, Precision(ifmap_bits=8, filter_bits=8, psum_bits=32))
    use = np.zeros((2, 3), dtype=np.int64)
    use[TILE_RF] = (0, 0, 60)
    assert buf.overflow((0, 0, 60)) is None                 # the word model would take it
    msg = buf.overflow((0, 0, 60), bits)
    assert msg is not None and "overflow 320 bits" in msg and "8/8/32 bits" in msg
    assert _overflow(use, capacity_array(hw), TILE_RF) == 320
    use[TILE_RF] = (150, 0, 0)
    assert buf.overflow((150, 0, 0)) is not None            # the word model would not
    assert buf.overflow((150, 0, 0), bits) is None
    assert _overflow(use, capacity_array(hw), TILE_RF) == 0
    # banks: 2 banks of 50 16-bit words (800 bits): 30 psum words (960 bits) take both
    banked = Buffer(shared_words=100, bank_words=50, pool_word_bits=16)
    assert banked.banks_needed((20, 0, 30), bits) == (1, 0, 2)
    assert banked.banks_needed((20, 0, 30)) == (1, 0, 1)
    assert "banks" in banked.overflow((20, 0, 30), bits) and banked.overflow((20, 0, 30)) is None


def test_check_fits_counts_bits():
    """A mapping whose RF psum tile fits the RF by words but not by bits is rejected, and the
    other way round; the default pool word is the widest type's."""
    layer = ConvLayer(name="t", M=4, C=2, H=3, W=3, R=1, S=1)
    mapping = make_case(layer, "nlr", 0, False)[0]
    counts = count_mapping(mapping, layer, 0)
    usage = tuple(int(u) for u in counts.usage[TILE_GLB])
    words = sum(usage)
    # a GLB pool exactly the tiles' words: fits when every type is as wide as a pool word
    base = replace(ROOMY, glb=Buffer(shared_words=words))
    check_fits(mapping, counts, base)
    check_fits(mapping, counts, replace(base, precision=Precision(ifmap_bits=8, filter_bits=8, psum_bits=8)))
    narrow = replace(base, glb=Buffer(shared_words=words, pool_word_bits=8))
    with pytest.raises(CapacityError, match="bits"):
        check_fits(mapping, counts, narrow)  # 16-bit words in a pool of `words` bytes
    mixed = Precision(ifmap_bits=8, filter_bits=8, psum_bits=32)
    check_fits(mapping, counts, replace(base, precision=mixed))  # pool of 32-bit words: room to spare
    tight = replace(base, precision=mixed, glb=Buffer(shared_words=(8 * usage[0] + 8 * usage[1] + 32 * usage[2]) // 8,
                                                      pool_word_bits=8))
    check_fits(mapping, counts, tight)  # exactly the bits
    with pytest.raises(CapacityError):
        check_fits(mapping, counts, replace(tight, glb=Buffer(shared_words=tight.glb.shared_words - 1,
                                                               pool_word_bits=8)))


@FAST
@given(buffers, st.sampled_from([1, 8, 16, 20, 32]), st.tuples(*[st.integers(0, 2000)] * 3))
def test_one_width_is_the_word_model(buf, b, usage):
    """All widths equal (the pool word included): the same decisions and bank counts as counting words."""
    buf = replace(buf, pool_word_bits=None)
    words_only = Buffer(shared_words=buf.shared_words, ifmap_words=buf.ifmap_words, filter_words=buf.filter_words,
                        psum_words=buf.psum_words, bank_words=buf.bank_words)
    bits = (b, b, b)
    assert buf.banks_needed(usage, bits) == words_only.banks_needed(usage)
    assert buf.overflow(usage, bits) == words_only.overflow(usage)  # the word model's message, too
    hw = _hw(buf, Precision(ifmap_bits=b, filter_bits=b, psum_bits=b))
    use = np.zeros((2, 3), dtype=np.int64)
    use[TILE_GLB] = usage
    assert (_overflow(use, capacity_array(hw), TILE_GLB) == 0) == (words_only.overflow(usage) is None)


@pytest.mark.parametrize("df", ["rs", "ws"])
def test_mapper_pick_is_the_same_at_any_single_width(df):
    """Capacities in words, one width for all types: the mapper's pick does not depend on it."""
    layer = ConvLayer(name="t", M=16, C=8, H=10, W=10, R=3, S=3)
    hw = Hardware(name="small", pe_rows=4, pe_cols=4, rf=Buffer(shared_words=48), glb=Buffer(shared_words=2048))
    budget = Budget(samples=200, starts=2, climb=50, seed=1)
    base = simulate(layer, hw, df, "analytic", budget=budget)
    for b in (8, 20):
        other = simulate(layer, replace(hw, precision=Precision(ifmap_bits=b, filter_bits=b, psum_bits=b)), df,
                         "analytic", budget=budget)
        assert other.mapping == base.mapping and other.energy == base.energy


def test_mapper_respects_bits():
    """With 32-bit psums in pools of bytes the mapper's pick fits in bits."""
    layer = ConvLayer(name="t", M=16, C=8, H=10, W=10, R=3, S=3)
    budget = Budget(samples=200, starts=2, climb=50, seed=1)
    hw = Hardware(name="small", pe_rows=4, pe_cols=4, rf=Buffer(shared_words=48, pool_word_bits=8),
                  glb=Buffer(shared_words=4096, pool_word_bits=8),
                  precision=Precision(ifmap_bits=8, filter_bits=8, psum_bits=32))
    r = simulate(layer, hw, "rs", "analytic", budget=budget)
    assert r.ok, r.reason
    counts = count_mapping(r.mapping, layer, window_flags(template("rs"), hw))
    for buf, use in ((hw.glb, counts.usage[TILE_GLB]), (hw.rf, counts.usage[TILE_RF])):
        assert buf.overflow(tuple(int(u) for u in use), hw.precision.per_type) is None


# ----------------------------------------------------------------------------- 2. values
@FAST
@given(st.integers(1, 64), st.integers(1, 64), st.integers(0, 2**32 - 1))
def test_random_inputs_lie_in_their_ranges(ib, fb, seed):
    layer = ConvLayer(name="t", N=2, M=3, C=4, H=5, W=5, R=3, S=3)
    x, w = random_inputs(layer, seed, Precision(ifmap_bits=ib, filter_bits=fb))
    for arr, b in ((x, ib), (w, fb)):
        lo, hi = signed_range(b)
        assert arr.dtype == np.int64 and lo <= arr.min() and arr.max() <= hi


def test_random_inputs_at_16_bits_are_as_before():
    layer = ConvLayer(name="t", N=1, M=2, C=3, H=4, W=4, R=2, S=2)
    rng = np.random.default_rng(0)
    x = rng.integers(-(2**15), 2**15, size=(1, 3, 4, 4), dtype=np.int64)
    w = rng.integers(-(2**15), 2**15, size=(2, 3, 2, 2), dtype=np.int64)
    got = random_inputs(layer)
    assert np.array_equal(got[0], x) and np.array_equal(got[1], w)


@FAST
@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=20), st.integers(1, 64))
def test_wrap_is_twos_complement(values, bits):
    arr = np.array(values, dtype=np.int64)
    want = [((v + (1 << (bits - 1))) % (1 << bits)) - (1 << (bits - 1)) for v in values]
    assert wrap_to_bits(arr, bits).tolist() == want
    assert [int(_wrap(np.int64(v), np.int64(64 - bits))) for v in values] == want


@FEW
@given(tiny_layers(), st.sampled_from(DATAFLOWS), st.integers(0, 2**32 - 1), st.integers(2, 12),
       st.integers(2, 12), st.integers(2, 24))
def test_cycle_engine_wraps_like_the_wrapped_reference(layer, dataflow, seed, ib, fb, pb):
    """Every accumulation wraps at ``psum_bits``: the output is the exact convolution wrapped
    once, whatever the mapping; the result counts the outputs that wrapped."""
    mapping, window = make_case_or_reject(layer, dataflow, seed, False)
    precision = Precision(ifmap_bits=ib, filter_bits=fb, psum_bits=pb)
    hw = replace(ROOMY, precision=precision)
    x, w = random_inputs(layer, seed % 1000, precision)
    exact = reference_conv(layer, x, w)
    wrapped = reference_conv(layer, x, w, pb)
    assert np.array_equal(wrapped, wrap_to_bits(exact, pb))
    lo, hi = signed_range(pb)
    assert lo <= wrapped.min() and wrapped.max() <= hi
    out = run_cycle(layer, hw, mapping, window, x, w)
    assert np.array_equal(out.output, wrapped)
    r = simulate(layer, hw, dataflow, "cycle", mapping=mapping)
    x0, w0 = random_inputs(layer, 0, precision)  # the inputs simulate draws
    exact0 = reference_conv(layer, x0, w0)
    assert r.timing.verified and np.array_equal(r.output, wrap_to_bits(exact0, pb))
    assert r.timing.psum_overflows == int(np.count_nonzero(wrap_to_bits(exact0, pb) != exact0))
    assert r.to_dict()["psum_overflows"] == r.timing.psum_overflows


def test_overflows_are_counted_and_wide_psums_do_not_wrap():
    """A 1×1 FC layer of 8 MACs with every input at its maximum: 8 · 127 · 127 = 129032 needs
    18 bits; at 16 bits all 4 outputs wrap, at 18 none."""
    layer = ConvLayer(name="fc", M=4, C=8, H=1, W=1, R=1, S=1)
    x = np.full((1, 8, 1, 1), 127, dtype=np.int64)
    w = np.full((4, 8, 1, 1), 127, dtype=np.int64)
    mapping, window = make_case(layer, "ws", 5, False)
    for pb, wraps in ((16, 4), (17, 4), (18, 0), (64, 0)):
        hw = replace(ROOMY, precision=Precision(ifmap_bits=8, filter_bits=8, psum_bits=pb))
        r = simulate(layer, hw, "ws", "cycle", mapping=mapping, ifmap=x, filters=w)
        assert r.timing.verified and r.timing.psum_overflows == wraps
        assert int(r.output[0, 0, 0, 0]) == int(wrap_to_bits(np.array([129032]), pb)[0])
    hw = replace(ROOMY, precision=Precision(ifmap_bits=8, filter_bits=8, psum_bits=16))
    assert np.array_equal(run_cycle(layer, hw, mapping, window, x, w).output,
                          np.full((1, 4, 1, 1), 129032 - 2 * 65536))


# ----------------------------------------------------------------------------- 3. files and sweeps
def _file(**over) -> dict:
    doc = {"version": 1, "name": "p", "pe_array": {"rows": 4, "cols": 4}, "rf_words": {"shared": 64},
           "glb_bytes": {"shared": 1000, "filter": 2048}, "precision": {"ifmap": 8, "filter": 8, "psum": 20}}
    return doc | over


def test_hardware_file_pool_in_bytes_with_mixed_precision():
    hw = hardware_from_data(_file(), lambda name: None)
    assert hw.glb.pool_word_bits == 8 and hw.glb.shared_words == 1000 and hw.glb.filter_words == 2048
    assert hw.glb.total_bits(hw.precision.per_type) == (1000 + 2048) * 8
    assert hw.rf.pool_word_bits is None and capacity_array(hw)[TILE_RF, CAP_POOL_BITS] == 20
    # 400 psum words = 8000 bits = the 1000-byte pool exactly
    assert hw.glb.overflow((0, 0, 400), hw.precision.per_type) is None
    assert hw.glb.overflow((0, 0, 401), hw.precision.per_type) is not None
    # a psum region in bytes must hold whole 20-bit words
    with pytest.raises(SpecError, match="20-bit"):
        hardware_from_data(_file(glb_bytes={"shared": 1000, "psum": 3}), lambda name: None)
    # one width: the pool is in words of it, as before
    same = hardware_from_data(_file(precision={"ifmap": 16, "filter": 16, "psum": 16}), lambda name: None)
    assert same.glb.pool_word_bits is None and same.glb.shared_words == 500
    banked = hardware_from_data(_file(glb_bank_words=250), lambda name: None)
    assert banked.glb.banks == 4
    with pytest.raises(SpecError, match="bytes"):
        hardware_from_data(_file(glb_bank_words=300), lambda name: None)


def test_sweep_pool_in_bytes_with_mixed_precision():
    hw = replace(ROOMY, precision=Precision(ifmap_bits=8, filter_bits=8, psum_bits=20))
    glb = with_field(hw, "glb_bytes", 1001).glb
    assert (glb.shared_words, glb.pool_word_bits) == (1001, 8)
    assert with_field(ROOMY, "glb_bytes", 1000).glb == Buffer(shared_words=500)
    with pytest.raises(SpecError):
        with_field(ROOMY, "glb_bytes", 1001)
    with pytest.raises(SpecError, match="different widths"):
        _ = hw.word_bits
