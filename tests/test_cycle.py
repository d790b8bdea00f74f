"""Property tests of the cycle-level engine (issue 3).

Tiny layers (:mod:`strategies`: ``layers`` plus the depthwise / odd / strided ``odd_layers``),
random mappings of every dataflow (``random_mapping(..., rows=8, cols=8)``), both GLB halo settings
(window bit 1; bit 0, array forwarding, is the dataflow's as ``window_flags`` gives it), random
bus / GLB / DRAM bandwidths and pipeline depths:

1. the simulated machine computes the reference convolution exactly, counts every access as the
   analytic engine does, and never beats MACs ÷ active PEs;
2. with unlimited bandwidths the cycle count equals a closed form derived here from the loop
   nest (passes × (steps per pass + depth − 1)), plus hand-counted tiny mappings;
3. stall accounting adds up (``simulate(..., engine="cycle")`` timing records);
4. lowering a bandwidth never lowers cycles; a larger array changes nothing;
5. the CLI (``--engine cycle``, ``--trace``, ``--json``);
6. user tensors of the wrong shape or dtype are rejected with a :class:`SpecError`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from dataclasses import replace
from math import prod

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reference_counter import reference_counts
from strategies import DATAFLOWS, make_case_or_reject, odd_layers
from strategies import layers as tiny_layers

from accelsim import SpecError
from accelsim.cli.main import main
from accelsim.dataflows import template
from accelsim.dataflows.lowering import window_flags
from accelsim.io.presets import load_workload
from accelsim.layout import GLB, IFMAP, NOC, READS, TRANSACTIONS
from accelsim.sim.counting import count_mapping
from accelsim.sim.cycle import STALL_CAUSES, random_inputs, reference_conv, run_cycle
from accelsim.drivers.simulate import simulate
from accelsim.spec.dims import Dim, LoopKind
from accelsim.spec.hardware import Buffer, Hardware, NoC, Precision
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping
from accelsim.spec.variation import with_field

#: examples per property (raise CYCLE_EXAMPLES to hunt for counterexamples)
_N = int(os.environ.get("CYCLE_EXAMPLES", "80"))
PROPS = settings(max_examples=_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=max(1, _N * 5 // 8), deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: room for any tile of the tiny layers; 8×8 PEs as random_mapping(rows=8, cols=8) assumes
#: psums as wide as int64: no wrap, so every output is checked against the exact convolution
#: (psums that wrap at narrower widths: tests/test_precision.py)
ROOMY = Hardware(name="t8x8", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=1 << 20),
                 glb=Buffer(shared_words=1 << 22), precision=Precision(psum_bits=64))
BANDWIDTHS = ("ifmap_words_per_cycle", "filter_words_per_cycle", "psum_words_per_cycle",
              "gon_words_per_cycle", "local_words_per_cycle", "glb_words_per_cycle", "dram_words_per_cycle")


# ----------------------------------------------------------------------------- strategies
cases = {
    "layer": st.one_of(tiny_layers(), odd_layers()),
    "dataflow": st.sampled_from(DATAFLOWS),
    "seed": st.integers(0, 2**32 - 1),
    "halo": st.booleans(),
}


def hardware(widths=(4, 4, 4, 4, 4), glb=16.0, dram=4.0, depth=1) -> Hardware:
    noc = NoC(**dict(zip(BANDWIDTHS[:5], widths)))
    return replace(ROOMY, noc=noc, glb_words_per_cycle=glb, dram_words_per_cycle=dram, pe_pipeline_depth=depth)


hardwares = st.builds(
    hardware,
    widths=st.tuples(*[st.integers(1, 8)] * 5),
    glb=st.sampled_from([1.0, 2.0, 3.5, 16.0]),
    dram=st.sampled_from([0.25, 1.2, 4.0, 64.0]),
    depth=st.integers(1, 4),
)


def describe(layer, dataflow, mapping, window) -> str:
    return (f"\nlayer {layer.shape_dict()} dataflow {dataflow} window {window}\n"
            f"{mapping.to_dict()}\n{mapping.describe()}")


# ----------------------------------------------------------------------------- 1. values, counts, bound
@PROPS
@given(**cases, data_seed=st.integers(0, 2**31 - 1), hw=hardwares)
@example(layer=ConvLayer(name="t", M=1, C=1, H=3, W=1, R=2, S=1), dataflow="rs", seed=1, halo=False,
         data_seed=0, hw=hardware())
@example(layer=ConvLayer(name="t", M=4, C=4, G=4, H=5, W=7, R=3, S=3, U=2), dataflow="rs", seed=7, halo=True,
         data_seed=1, hw=hardware())
def test_output_and_counts_match(layer, dataflow, seed, halo, data_seed, hw):
    mapping, window = make_case_or_reject(layer, dataflow, seed, halo)
    ifmap, filters = random_inputs(layer, data_seed)
    out = run_cycle(layer, hw, mapping, window, ifmap, filters)
    why = describe(layer, dataflow, mapping, window)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters)), why
    ref = count_mapping(mapping, layer, window)
    assert np.array_equal(out.counts, ref.counts), why + f"\ncycle:\n{out.counts}\nanalytic:\n{ref.counts}"
    assert np.array_equal(out.usage, ref.usage), why + f"\ncycle {out.usage.tolist()} analytic {ref.usage.tolist()}"
    assert out.active_pes == mapping.active_pes
    assert out.cycles * out.active_pes >= layer.macs, why
    assert out.compute_cycles * out.active_pes == layer.macs
    assert int(out.pe_busy.sum()) == layer.macs


def test_reference_conv_by_hand():
    """The reference itself: 1 input channel, 2×2 filter, stride 1, and two groups."""
    layer = ConvLayer(name="t", M=1, C=1, H=2, W=3, R=2, S=2)
    x = np.arange(6).reshape(1, 1, 2, 3)            # [[0 1 2] [3 4 5]]
    w = np.array([1, 10, 100, 1000]).reshape(1, 1, 2, 2)
    assert reference_conv(layer, x, w).tolist() == [[[[0 + 10 + 300 + 4000, 1 + 20 + 400 + 5000]]]]
    grouped = ConvLayer(name="t", M=2, C=2, G=2, H=1, W=1, R=1, S=1)
    got = reference_conv(grouped, np.array([3, 5]).reshape(1, 2, 1, 1), np.array([7, 11]).reshape(2, 1, 1, 1))
    assert got.ravel().tolist() == [21, 55]  # no cross-group terms


# ----------------------------------------------------------------------------- 2. closed form
def closed_form(mapping: Mapping, depth: int) -> tuple[int, int, int]:
    """(passes, steps per pass, cycles) with unlimited bandwidth, derived from the nest.

    A pass is one iteration of the temporal loops above the last spatial loop; with no
    spatial loop, above the first RF tile start; with neither, the whole nest is one pass.
    Each step is one cycle; each pass ends by draining the ``depth``-stage pipeline.
    """
    loops = mapping.loops
    spatial = [i for i, lp in enumerate(loops) if lp.spatial]
    rf_starts = [p for p in mapping.rf if p is not None]
    top = spatial[-1] + 1 if spatial else (min(rf_starts) if rf_starts else 0)
    passes = prod(lp.factor for lp in loops[:top] if not lp.spatial)
    steps = prod(lp.factor for lp in loops[top:])  # all temporal below the last spatial loop
    return passes, steps, passes * (steps + depth - 1)


def stale_forwarding(mapping: Mapping, window: int) -> bool:
    """An ifmap forwarded across the array (window bit 0, RF bypassed) from a GLB tile that is
    refilled inside one forwarding sweep (a temporal loop of the innermost run of window loops
    sits above the GLB tile start) — the case an engine keying its forwarding memory on the
    tile-local address would get wrong."""
    p = mapping.glb[0]
    if not window & 1 or mapping.rf[0] is not None or p is None:
        return False
    top = len(mapping.loops)
    for j in range(len(mapping.loops) - 1, -1, -1):
        lp = mapping.loops[j]
        if lp.spatial or lp.factor == 1:
            continue
        if lp.dim < Dim.E:
            break
        top = j
    return any(not lp.spatial and lp.factor > 1 for lp in mapping.loops[top:p])


@PROPS
@given(**cases, depth=st.integers(1, 4))
def test_unlimited_bandwidth_closed_form(layer, dataflow, seed, halo, depth):
    mapping, window = make_case_or_reject(layer, dataflow, seed, halo)
    hw = replace(ROOMY, pe_pipeline_depth=depth)
    out = run_cycle(layer, hw, mapping, window, unlimited_bandwidth=True)
    passes, steps, cycles = closed_form(mapping, depth)
    why = describe(layer, dataflow, mapping, window)
    assert (out.passes, out.compute_cycles) == (passes, passes * steps), why
    assert out.cycles == cycles, why
    assert out.stall_cycles == {**dict.fromkeys(STALL_CAUSES, 0), "pipeline": passes * (depth - 1)}, why


def _loops(*spec):
    return tuple(Loop(Dim[d], f, LoopKind[k]) for d, f, k in spec)


_ROWS = ConvLayer(name="t", M=1, C=1, H=3, W=1, R=2, S=1)   # E = 2, R = 2: 4 MACs
_MC = ConvLayer(name="t", M=2, C=3, H=1, W=1, R=1, S=1)     # 6 MACs, FC-like

HAND = {
    # R across 2 rows: 2 passes (E) of 1 step each, each drained: 2 × (1 + 2)
    "spatial-R": (_ROWS, Mapping(loops=_loops(("E", 2, "TEMPORAL"), ("R", 2, "ROW")), rf=(2, 2, 2)), 3, 6),
    # no spatial loop, RF tiles start below E: passes = E (2), steps = R (2): 2 × (2 + 3)
    "rf-below-E": (_ROWS, Mapping(loops=_loops(("E", 2, "TEMPORAL"), ("R", 2, "TEMPORAL")), rf=(1, 1, 1)), 4, 10),
    # the first RF start counts (psum at 0, inputs at 1): one pass of 4 steps, depth 2: 4 + 1
    "first-rf-start": (_ROWS, Mapping(loops=_loops(("E", 2, "TEMPORAL"), ("R", 2, "TEMPORAL")),
                                      rf=(1, 1, 0)), 2, 5),
    # M on 2 columns, C temporal in the PE: one pass of 3 steps, depth 1 (no drain): 3
    "spatial-M-depth-1": (_MC, Mapping(loops=_loops(("M", 2, "COL"), ("C", 3, "TEMPORAL")), rf=(1, 1, 1)), 1, 3),
    # C outside the array (3 passes), M on 2 rows, nothing in the PE: 3 × (1 + 3)
    "passes-of-one-step": (_MC, Mapping(loops=_loops(("C", 3, "TEMPORAL"), ("M", 2, "ROW"))), 4, 12),
    # C split 3 rows (NoC reduction), M 2 temporal steps below: 1 pass × (2 + 2)
    "reduce-in-array": (_MC, Mapping(loops=_loops(("C", 3, "ROW"), ("M", 2, "TEMPORAL")), rf=(1, 1, 1)), 3, 4),
}


@pytest.mark.parametrize("name", list(HAND))
def test_hand_counted_cycles(name):
    layer, mapping, depth, expected = HAND[name]
    hw = replace(ROOMY, pe_pipeline_depth=depth)
    ifmap, filters = random_inputs(layer, 3)
    out = run_cycle(layer, hw, mapping, 0, ifmap, filters, unlimited_bandwidth=True)
    assert out.cycles == expected
    assert closed_form(mapping, depth)[2] == expected
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters))


@pytest.mark.parametrize("dram, cycles, stalls", [
    # E = 2 steps, 2 PEs (C across rows, psums summed on the local link), nothing in the RF.
    # Every step sends 2 ifmap words (one per C) over the 1-word ifmap bus: 2 cycles of wait,
    # then the MAC: 2 × (2 + 1) = 6. (Filter 2 words / 4, psum 1 word / 4, GLB 10 words / 16:
    # 1 cycle each, hidden under the ifmap bus; DRAM 6 words at 10^6 words per cycle.)
    (1e6, 6, {"noc_ifmap": 4}),
    # DRAM at 0.5 words per cycle: the first step waits for the 4 ifmap + 2 filter words of the
    # GLB fill, 6 / 0.5 = 12 cycles, then MAC (13); the second step waits 2 for the ifmap bus
    # and MACs: 16. The final psum write-back drains after the last MAC (not a stall).
    (0.5, 16, {"dram": 12, "noc_ifmap": 2}),
])
def test_hand_counted_stalls(dram, cycles, stalls):
    layer = ConvLayer(name="t", M=1, C=2, H=2, W=1, R=1, S=1)
    mapping = Mapping(loops=_loops(("E", 2, "TEMPORAL"), ("C", 2, "ROW")))
    hw = hardware(widths=(1, 4, 4, 4, 4), glb=16.0, dram=dram, depth=1)
    out = run_cycle(layer, hw, mapping, 0)
    assert (out.cycles, out.compute_cycles) == (cycles, 2)
    assert out.stall_cycles == {**dict.fromkeys(STALL_CAUSES, 0), **stalls}
    assert out.counts[NOC, IFMAP, TRANSACTIONS] == 4  # 2 words per step, no reuse without an RF


# ----------------------------------------------------------------------------- regressions (once engine bugs)
_ONE_PE = Mapping(loops=_loops(("E", 2, "TEMPORAL"), ("R", 2, "TEMPORAL"))) # no spatial loop, no RF
_STALE = (ConvLayer(name="t", M=1, C=1, H=1, W=2, R=1, S=1),
          Mapping.from_dict({"dataflow": "osa", "loops": [["F", 2, "temporal", "noc"]],
                             "glb": {"ifmap": 1, "filter": None, "psum": 1},
                             "rf": {"ifmap": None, "filter": None, "psum": 1}}), 1)


def test_no_array_no_rf_is_one_pass():
    """Once every MAC of such a nest was its own pass (NLR mappings with no spatial factor)."""
    # E = 2, R = 2 on one PE with no RF: the whole nest is one pass of 4 steps, depth 3: 4 + 2 = 6
    layer = _ROWS
    hw = replace(ROOMY, pe_pipeline_depth=3)
    out = run_cycle(layer, hw, _ONE_PE, 0, unlimited_bandwidth=True)
    assert closed_form(_ONE_PE, 3) == (1, 4, 6)
    assert (out.passes, out.cycles) == (1, 6)


def test_forwarding_across_a_refilled_glb_tile():
    """Once forwarded words were remembered by GLB tile position, so a tile refilled inside a
    sweep looked already read."""
    layer, mapping, window = _STALE
    assert stale_forwarding(mapping, window)
    ref = count_mapping(mapping, layer, window).counts
    # each of the F = 2 ifmap words leaves the GLB once (by hand), as the analytic kernel and
    # the enumerating reference counter both count
    assert (ref[GLB, IFMAP, READS], ref[NOC, IFMAP, TRANSACTIONS]) == (2, 2)
    assert np.array_equal(reference_counts(layer, mapping, window)[0], ref)
    out = run_cycle(layer, ROOMY, mapping, window)
    assert np.array_equal(out.output, reference_conv(layer, *random_inputs(layer)))  # the values are right
    assert (out.counts[GLB, IFMAP, READS], out.counts[NOC, IFMAP, TRANSACTIONS]) == (2, 2)
    assert np.array_equal(out.counts, ref)


# ----------------------------------------------------------------------------- 3. stall accounting
@FEW
@given(**cases, hw=hardwares)
def test_stall_accounting_adds_up(layer, dataflow, seed, halo, hw):
    mapping, window = make_case_or_reject(layer, dataflow, seed, halo)
    hw = with_field(hw, "glb_halo_reuse", halo)
    assert window_flags(template(dataflow), hw) == window
    r = simulate(layer, hw, dataflow, engine="cycle", mapping=mapping)
    t = r.timing.to_dict()
    why = describe(layer, dataflow, mapping, window)
    pe = t["pe_cycles"]
    assert set(t["stall_cycles"]) == set(STALL_CAUSES)
    assert pe["total"] == r.cycles * hw.num_pes
    assert pe["total"] == pe["busy"] + sum(pe["idle"].values()), why
    assert pe["busy"] == layer.macs == r.macs
    assert t["cycles"] == r.cycles == t["compute_cycles"] + sum(t["stall_cycles"].values()), why
    assert r.stall_cycles == sum(t["stall_cycles"].values())
    assert all(v >= 0 for v in t["stall_cycles"].values())
    assert t["verified"], why
    assert t["counts_match_analytic"], why
    assert np.array_equal(r.output, reference_conv(layer, *random_inputs(layer)))


# ----------------------------------------------------------------------------- 4. monotonicity
def halved(hw: Hardware, which: str) -> Hardware:
    if which in ("glb_words_per_cycle", "dram_words_per_cycle"):
        return replace(hw, **{which: getattr(hw, which) / 2})
    return replace(hw, noc=replace(hw.noc, **{which: max(1, getattr(hw.noc, which) // 2)}))


@FEW
@given(**cases, hw=hardwares)
def test_lower_bandwidth_never_fewer_cycles(layer, dataflow, seed, halo, hw):
    mapping, window = make_case_or_reject(layer, dataflow, seed, halo)
    base = run_cycle(layer, hw, mapping, window)
    why = describe(layer, dataflow, mapping, window)
    for which in BANDWIDTHS:
        slower = run_cycle(layer, halved(hw, which), mapping, window)
        assert slower.cycles >= base.cycles, f"{which} halved: {slower.cycles} < {base.cycles}" + why
        assert np.array_equal(slower.counts, base.counts)
        assert np.array_equal(slower.output, base.output)


@FEW
@given(**cases, hw=hardwares)
def test_larger_array_changes_nothing(layer, dataflow, seed, halo, hw):
    mapping, window = make_case_or_reject(layer, dataflow, seed, halo)
    big = hw.with_array(hw.pe_rows * 2, hw.pe_cols * 2)
    a = run_cycle(layer, hw, mapping, window)
    b = run_cycle(layer, big, mapping, window)
    why = describe(layer, dataflow, mapping, window)
    assert np.array_equal(a.counts, b.counts), why
    assert np.array_equal(a.usage, b.usage)
    assert (a.cycles, a.compute_cycles, a.passes, a.stall_cycles) == (b.cycles, b.compute_cycles, b.passes,
                                                                      b.stall_cycles), why
    assert np.array_equal(a.output, b.output)
    assert a.pe_busy.sum() == b.pe_busy.sum() == layer.macs
    assert np.array_equal(b.pe_busy[: hw.pe_rows, : hw.pe_cols], a.pe_busy)


# ----------------------------------------------------------------------------- 5. CLI
@pytest.fixture(scope="module")
def conv5_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cycle_cli")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", "alexnet", "--hardware", "eyeriss", "--engine", "cycle", "--layers", "conv5",
                     "--batch", "1", "--trace", str(tmp / "t.npz"), "--json", str(tmp / "r.json")])
    return code, out.getvalue(), err.getvalue(), tmp


def test_cli_cycle_run(conv5_run):
    code, out, err, tmp = conv5_run
    assert code == 0, err
    assert "verified: output matches reference" in out
    assert "cycle-level timing" in out
    header = next(line for line in out.splitlines() if "stall:" in line)
    for cause in STALL_CAUSES:
        assert f"stall:{cause}" in header
    assert any(line.split()[:1] == ["conv5"] and line.split()[-1] == "yes" for line in out.splitlines())
    with np.load(tmp / "t.npz") as z:
        assert {"conv5.trace", "conv5.pe_busy", "columns"} <= set(z.files)
        assert z["conv5.trace"].shape[1] == len(z["columns"])
        assert z["conv5.pe_busy"].shape == (12, 14)
        conv5 = next(lr for lr in load_workload("alexnet").with_batch(1).layers if lr.name == "conv5")
        assert z["conv5.pe_busy"].sum() == pytest.approx(conv5.macs)


def test_cli_cycle_json(conv5_run):
    code, _, err, tmp = conv5_run
    assert code == 0, err
    doc = json.loads((tmp / "r.json").read_text())
    assert doc["engine"] == "cycle"
    (rec,) = doc["layers"]
    assert rec["name"] == "conv5"
    timing = rec["timing"]
    assert set(timing["stall_cycles"]) == set(STALL_CAUSES)
    assert timing["verified"] is True and timing["counts_match_analytic"] is True
    assert rec["compute_cycles"] == timing["compute_cycles"] > 0
    assert rec["stall_cycles"] == sum(timing["stall_cycles"].values())
    assert rec["cycles"] == rec["compute_cycles"] + rec["stall_cycles"]


def test_cli_trace_needs_cycle_engine(tmp_path, capsys):
    code = main(["run", "alexnet", "--layers", "conv5", "--trace", str(tmp_path / "t.npz")])
    assert code == 2
    assert "--trace" in capsys.readouterr().err
    assert not (tmp_path / "t.npz").exists()


# ----------------------------------------------------------------------------- 6. user tensors
_SMALL = ConvLayer(name="t", N=1, M=2, C=2, H=3, W=3, R=2, S=2)
_SMALL_MAP = Mapping(loops=_loops(("M", 2, "TEMPORAL"), ("C", 2, "TEMPORAL"), ("E", 2, "TEMPORAL"),
                                  ("F", 2, "TEMPORAL"), ("R", 2, "TEMPORAL"), ("S", 2, "TEMPORAL")))


@pytest.mark.parametrize("which, bad", [
    ("ifmap", np.zeros((1, 2, 3, 4), dtype=np.int64)),
    ("ifmap", np.zeros((2, 3, 3), dtype=np.int64)),
    ("ifmap", np.zeros((1, 2, 3, 3), dtype=np.float64)),
    ("filters", np.zeros((2, 1, 2, 2), dtype=np.int64)),
    ("filters", np.zeros((2, 2, 2, 2), dtype=np.float32)),
])
def test_user_tensors_checked(which, bad):
    ifmap, filters = random_inputs(_SMALL, 5)
    kwargs = {"ifmap": ifmap, "filters": filters, which: bad}
    with pytest.raises(SpecError) as info:
        simulate(_SMALL, ROOMY, "rs", engine="cycle", mapping=_SMALL_MAP, **kwargs)
    assert info.value.field == which
    assert which in str(info.value)


def test_user_tensors_used():
    ifmap, filters = random_inputs(_SMALL, 5)
    r = simulate(_SMALL, ROOMY, "rs", engine="cycle", mapping=_SMALL_MAP, ifmap=ifmap.astype(np.int16),
                 filters=filters.astype(np.int32))
    assert r.timing.verified
    assert np.array_equal(r.output, reference_conv(_SMALL, ifmap, filters))
