"""Zero gating (Hardware.effects.zero_gating): exact gated-MAC counts, energy, the analytic expectation,
and the CLI's data flags (``--zero-fraction``, ``--ifmap``).

1. the cycle engine's gated MACs equal a brute-force count over every (n, m, c, e, f, r, s) on
   tiny layers and random mappings of every dataflow;
2. zero fraction 0 gates nothing and leaves the energy of a non-gating machine; an all-zero
   ifmap gates every MAC (and every filter-spad read when filters live in the RF);
3. the analytic expectation ``p · MACs`` agrees with the cycle engine's measurement on a
   mid-size layer within 5 standard deviations of the seeded generator's zero placement;
4. ``accelsim run --zero-fraction / --ifmap`` and their errors (one line, exit code 2).
"""

from __future__ import annotations

import json
from dataclasses import replace
from math import sqrt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import DATAFLOWS, random_mapping_8x8
from strategies import layers as tiny_layers

import accelsim
from accelsim.cli.main import main
from accelsim.layout import READS, WRITES
from accelsim.sim.activations import relu_activations, zero_count
from accelsim.drivers.simulate import simulate
from accelsim.sim.zero_gating import expected_gating, macs_per_ifmap_word, measured_gating, operand_uses
from accelsim.spec.dims import DataType, Level
from accelsim.spec.hardware import Buffer, DataEffects, Hardware
from accelsim.spec.layer import ConvLayer
from accelsim.spec.result import energy_dict

#: room for any tile of the tiny layers; 8×8 PEs as random_mapping(rows=8, cols=8) assumes
GATING = Hardware(name="gating8x8", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=1 << 20),
                  glb=Buffer(shared_words=1 << 22), effects=DataEffects(zero_gating=True))
PLAIN = replace(GATING, name="plain8x8", effects=DataEffects(zero_gating=False))


def brute_force_gated(layer: ConvLayer, ifmap: np.ndarray) -> int:
    """MACs whose ifmap operand is zero, one MAC at a time."""
    cg, mg = layer.C // layer.G, layer.M // layer.G
    gated = 0
    for n in range(layer.N):
        for m in range(layer.M):
            g = m // mg
            for c in range(cg):
                for e in range(layer.E):
                    for f in range(layer.F):
                        for r in range(layer.R):
                            for s in range(layer.S):
                                if ifmap[n, g * cg + c, e * layer.U + r, f * layer.U + s] == 0:
                                    gated += 1
    return gated


@st.composite
def sparse_ifmaps(draw, layer: ConvLayer) -> np.ndarray:
    zf = draw(st.sampled_from([0.0, 0.3, 0.6, 1.0]))
    return relu_activations((layer.N, layer.C, layer.H, layer.W), zf, seed=draw(st.integers(0, 2**16)))


# ----------------------------------------------------------------------------- 1. exact counts
@settings(max_examples=40, deadline=None)
@given(layer=tiny_layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1),
       data=st.data())
def test_cycle_gated_macs_equal_brute_force(layer, dataflow, seed, data):
    ifmap = data.draw(sparse_ifmaps(layer))
    mapping = random_mapping_8x8(layer, dataflow, seed)
    res = simulate(layer, GATING, dataflow, engine="cycle", mapping=mapping, ifmap=ifmap)
    assert res.timing.verified and res.timing.counts_match_analytic
    want = brute_force_gated(layer, ifmap)
    assert res.gating.gated_macs == want
    assert res.gating.ifmap_zero_fraction == pytest.approx((ifmap == 0).mean())
    in_rf = mapping.rf[DataType.FILTER] is not None
    assert res.gating.gated_filter_rf_reads == (want if in_rf else 0)
    # the dense counts are the shared truth: gating changes energy only
    plain = simulate(layer, PLAIN, dataflow, engine="cycle", mapping=mapping, ifmap=ifmap)
    assert np.array_equal(res.counts, plain.counts) and res.cycles == plain.cycles
    assert plain.gating is None
    assert res.energy["ALU"] == pytest.approx(plain.energy["ALU"] - want * GATING.energy.mac)
    assert res.energy["RF"]["filter"] == pytest.approx(
        plain.energy["RF"]["filter"] - res.gating.gated_filter_rf_reads * GATING.energy.rf)
    for comp in ("NoC", "GLB", "DRAM"):
        assert res.energy[comp] == plain.energy[comp]


@pytest.mark.parametrize("shape", [dict(H=7, W=6, R=3, S=2, U=2), dict(H=11, W=11, R=11, S=11, U=4),
                                   dict(H=7, W=9, R=1, S=3, U=3)])
def test_operand_uses_sum_to_the_macs(shape):
    layer = ConvLayer(name="u", N=2, M=6, C=4, G=2, **shape)
    u_h = operand_uses(layer.E, layer.R, layer.U, layer.H)
    assert u_h.sum() == layer.E * layer.R and u_h.shape == (layer.H,)
    assert layer.N * layer.C * macs_per_ifmap_word(layer).sum() == layer.macs
    ones = np.ones((layer.N, layer.C, layer.H, layer.W), dtype=np.int64)
    assert measured_gating(layer, ones, True).gated_macs == 0
    assert measured_gating(layer, 0 * ones, True).gated_macs == layer.macs


# ----------------------------------------------------------------------------- 2. edge cases
SMALL = ConvLayer(name="small", N=2, M=8, C=6, H=9, W=9, R=3, S=3, U=1, G=2)


@pytest.fixture(scope="module")
def small_mapping():
    return simulate(SMALL, GATING, "rs").mapping


@pytest.mark.parametrize("engine", ["analytic", "cycle"])
def test_zero_fraction_zero_saves_nothing(small_mapping, engine):
    gated = simulate(SMALL, GATING, "rs", engine=engine, mapping=small_mapping, zero_fraction=0.0)
    plain = simulate(SMALL, PLAIN, "rs", engine=engine, mapping=small_mapping, zero_fraction=0.0)
    assert gated.gating.to_dict() == {"ifmap_zero_fraction": 0.0, "gated_macs": 0, "gated_filter_rf_reads": 0}
    assert gated.energy == plain.energy and gated.energy_total == plain.energy_total


def test_all_zero_ifmap_gates_every_mac(small_mapping):
    zeros = np.zeros((SMALL.N, SMALL.C, SMALL.H, SMALL.W), dtype=np.int64)
    res = simulate(SMALL, GATING, "rs", engine="cycle", mapping=small_mapping, ifmap=zeros)
    assert small_mapping.rf[DataType.FILTER] is not None  # RS keeps filter rows in the spad
    assert res.gating.to_dict() == {"ifmap_zero_fraction": 1.0, "gated_macs": SMALL.macs,
                                     "gated_filter_rf_reads": SMALL.macs}
    assert res.energy["ALU"] == 0.0 and res.energy["RF"]["filter"] == 0.0
    assert not res.output.any() and res.timing.verified
    ana = simulate(SMALL, GATING, "rs", mapping=small_mapping, zero_fraction=1.0)
    assert ana.gating == res.gating and ana.energy == res.energy


def test_filters_outside_the_rf_gate_no_spad_reads():
    res = simulate(SMALL, GATING, "osa", engine="cycle", zero_fraction=0.5)
    assert res.mapping.rf[DataType.FILTER] is None
    assert res.counts[Level.RF, DataType.FILTER, READS] == 0
    assert res.gating.gated_macs > 0 and res.gating.gated_filter_rf_reads == 0


def test_default_inputs_follow_the_layer():
    """Cycle engine on a gating machine: the JSSC fraction by layer name, 0 for the first layer."""
    conv5 = replace(SMALL, name="conv5")
    res = simulate(conv5, GATING, "rs", engine="cycle")
    n = SMALL.N * SMALL.C * SMALL.H * SMALL.W
    assert res.gating.ifmap_zero_fraction == zero_count(n, 0.75) / n
    first = simulate(conv5, GATING, "rs", engine="cycle", first_layer=True)
    assert first.gating.gated_macs == 0
    other = simulate(replace(SMALL, name="mystery"), GATING, "rs", engine="cycle")
    assert other.gating.ifmap_zero_fraction == zero_count(n, 0.5) / n
    # a machine without data-dependent features keeps the seeded signed 16-bit inputs
    plain = simulate(conv5, PLAIN, "rs", engine="cycle")
    assert plain.gating is None and plain.dram_compressed is None


def test_gating_in_the_json_and_totals(small_mapping):
    res = simulate(SMALL, GATING, "rs", mapping=small_mapping, zero_fraction=0.25)
    rec = res.to_dict()
    assert rec["gating"] == {"ifmap_zero_fraction": 0.25, "gated_macs": round(0.25 * SMALL.macs),
                             "gated_filter_rf_reads": round(0.25 * SMALL.macs)}
    assert "dram_compressed" not in rec
    wl = accelsim.Workload(name="w", layers=(replace(SMALL, N=1, name="a"), replace(SMALL, N=1, name="b")))
    run = accelsim.simulate_network(wl, GATING, "rs", batch=2, zero_fraction=0.25)
    tot = run.total()
    assert tot["gated_macs"] == sum(r.gating.gated_macs for r in run.layers)
    assert run.layers[0].gating.gated_macs == run.layers[1].gating.gated_macs  # the user's fraction


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "x"])
def test_bad_zero_fraction(bad):
    with pytest.raises(accelsim.SpecError) as info:
        simulate(SMALL, GATING, "rs", zero_fraction=bad)
    assert info.value.field == "zero_fraction"


def test_ifmap_and_zero_fraction_exclusive():
    zeros = np.zeros((SMALL.N, SMALL.C, SMALL.H, SMALL.W), dtype=np.int64)
    with pytest.raises(accelsim.SpecError) as info:
        simulate(SMALL, GATING, "rs", ifmap=zeros, zero_fraction=0.5)
    assert info.value.field == "zero_fraction"
    with pytest.raises(accelsim.SpecError) as info:
        simulate(SMALL, GATING, "rs", ifmap=zeros[:1])
    assert info.value.field == "ifmap"


def test_energy_dict_without_effects_is_unchanged(small_mapping):
    """No gating and no RLC: the plain rule (docs/architecture.md, *Energy accounting*),
    recomputed here from the counts —
    one MAC energy per MAC; inputs charged on reads, psums on reads + writes, the NoC on
    deliveries (its READS row)."""
    res = simulate(SMALL, PLAIN, "rs", mapping=small_mapping)
    table = PLAIN.energy
    cost = {Level.RF: table.rf, Level.NOC: table.noc, Level.GLB: table.glb, Level.DRAM: table.dram}
    want: dict = {"ALU": float(res.macs * table.mac)}
    for lv, label in ((Level.RF, "RF"), (Level.NOC, "NoC"), (Level.GLB, "GLB"), (Level.DRAM, "DRAM")):
        want[label] = {}
        for t, name in ((DataType.IFMAP, "ifmap"), (DataType.FILTER, "filter"), (DataType.PSUM, "psum")):
            words = int(res.counts[lv, t, READS])
            if t is DataType.PSUM and lv is not Level.NOC:
                words += int(res.counts[lv, t, WRITES])
            want[label][name] = float(words * cost[lv])
    assert energy_dict(res.counts, res.macs, table.costs()) == want
    assert energy_dict(res.counts, res.macs, table.costs(), None, None) == want
    assert res.energy == want and res.gating is None and res.dram_compressed is None


# ----------------------------------------------------------------------------- 3. expectation vs measurement
MID = ConvLayer(name="mid", N=2, M=32, C=32, H=15, W=15, R=3, S=3, U=1)


@pytest.mark.parametrize("zf", [0.4, 0.75])
def test_expected_gating_agrees_with_measurement(zf):
    """Tolerance: the generator zeroes k = round(p·n) of the n ifmap words, a uniform random
    subset; with u_i the MACs using word i, the gated MACs sum u_i over that subset, whose
    mean is (k/n)·MACs and variance k(n-k)/(n(n-1)) · sum (u_i - mean u)^2 (sampling without
    replacement). We allow |p·MACs − measured| <= 5 standard deviations + |k/n − p|·MACs."""
    mapping = simulate(MID, GATING, "rs").mapping
    ana = simulate(MID, GATING, "rs", mapping=mapping, zero_fraction=zf)
    cyc = simulate(MID, GATING, "rs", engine="cycle", mapping=mapping, zero_fraction=zf)
    uses = np.broadcast_to(macs_per_ifmap_word(MID), (MID.N, MID.C, MID.H, MID.W)).ravel().astype(float)
    n = uses.size
    k = zero_count(n, zf)
    sd = sqrt(k * (n - k) / (n * (n - 1)) * ((uses - uses.mean()) ** 2).sum())
    tol = 5 * sd + abs(k / n - zf) * MID.macs + 1
    assert sd > 0
    assert abs(ana.gating.gated_macs - cyc.gating.gated_macs) <= tol
    # and the ALU energy with it
    assert abs(ana.energy["ALU"] - cyc.energy["ALU"]) <= tol * GATING.energy.mac
    assert expected_gating(zf, MID.macs, True).gated_macs == ana.gating.gated_macs


# ----------------------------------------------------------------------------- 4. CLI
WORKLOAD = """version: 1
name: tiny
layers:
  - {name: first, M: 8, C: 3, H: 9, W: 9, R: 3, S: 3}
  - {name: second, M: 8, C: 8, H: 7, W: 7, R: 3, S: 3}
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("gating_cli") / "tiny.yaml"
    path.write_text(WORKLOAD)
    return path


def _run(capsys, argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    got = capsys.readouterr()
    return code, got.out, got.err


def _fails(capsys, argv) -> str:
    code, out, err = _run(capsys, argv)
    assert code == 2, f"exit {code}\n{out}\n{err}"
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("accelsim: error: "), err
    assert "Traceback" not in err + out
    return lines[0].removeprefix("accelsim: error: ")


def _effects_rows(out: str) -> dict[str, list[str]]:
    rows = {}
    for line in out.split("data-dependent effects", 1)[1].splitlines()[3:]:
        rows[line.split()[0]] = line.split()
        if line.startswith("total"):
            return rows
    raise AssertionError(f"no total row in\n{out}")


@pytest.mark.parametrize("engine", ["analytic", "cycle"])
def test_cli_zero_fraction(capsys, tmp_path, tiny, engine):
    code, out, err = _run(capsys, ["run", tiny, "--hardware", "eyeriss", "--engine", engine,
                                   "--zero-fraction", "0.6", "--json", tmp_path / "r.json"])
    assert code == 0, err
    rows = _effects_rows(out)
    assert set(rows) == {"first", "second", "total"}
    doc = json.loads((tmp_path / "r.json").read_text())
    for rec in doc["layers"]:
        assert rec["gating"]["ifmap_zero_fraction"] == pytest.approx(0.6, abs=0.01)
        assert set(rec["dram_compressed"]) == {"ifmap_reads", "filter_reads", "psum_writes", "psum_reads"}
        assert rows[rec["name"]][2] == f"{rec['gating']['gated_macs']:,}"
    assert doc["total"]["gated_macs"] == sum(r["gating"]["gated_macs"] for r in doc["layers"])
    # the image is never compressed, the second layer's ifmap is
    first, second = doc["layers"]
    assert first["dram_compressed"]["ifmap_reads"] == first["accesses"]["DRAM"]["ifmap"]["reads"]
    assert second["dram_compressed"]["ifmap_reads"] < second["accesses"]["DRAM"]["ifmap"]["reads"]


def test_cli_layers_keep_the_first_layer(capsys, tmp_path, tiny):
    """--layers second: 'second' is still not the network's first layer."""
    code, _, err = _run(capsys, ["run", tiny, "--hardware", "eyeriss", "--layers", "second",
                                 "--json", tmp_path / "r.json"])
    assert code == 0, err
    (rec,) = json.loads((tmp_path / "r.json").read_text())["layers"]
    assert rec["gating"]["ifmap_zero_fraction"] == 0.5  # RELU_ZERO_FRACTION: not the image
    assert rec["dram_compressed"]["ifmap_reads"] < rec["accesses"]["DRAM"]["ifmap"]["reads"]


def test_cli_ifmap_file(capsys, tmp_path, tiny):
    x = relu_activations((2, 8, 7, 7), 0.7, seed=3).astype(np.int16)
    x[0] = 0
    np.save(tmp_path / "x.npy", x)
    code, out, err = _run(capsys, ["run", tiny, "--hardware", "eyeriss", "--engine", "cycle", "--layers",
                                   "second", "--batch", "2", "--ifmap", tmp_path / "x.npy",
                                   "--json", tmp_path / "r.json"])
    assert code == 0, err
    (rec,) = json.loads((tmp_path / "r.json").read_text())["layers"]
    layer = ConvLayer(name="second", N=2, M=8, C=8, H=7, W=7, R=3, S=3)
    assert rec["gating"]["gated_macs"] == brute_force_gated(layer, x)
    assert rec["gating"]["ifmap_zero_fraction"] == pytest.approx((x == 0).mean())
    assert rec["timing"]["verified"]


@pytest.mark.parametrize("extra, field, words", [
    (["--zero-fraction", "1.5"], "--zero-fraction", "[0, 1]"),
    (["--zero-fraction", "-0.1"], "--zero-fraction", "[0, 1]"),
    (["--zero-fraction", "abc"], "--zero-fraction", "number"),
    (["--zero-fraction", "nan"], "--zero-fraction", "[0, 1]"),
    (["--ifmap", "x.npy", "--layers", "second"], "--ifmap", "--engine cycle"),
    (["--ifmap", "x.npy", "--engine", "cycle"], "--ifmap", "one layer"),
    (["--ifmap", "x.npy", "--engine", "cycle", "--layers", "second", "--zero-fraction", "0.5"], "--ifmap",
     "not both"),
    (["--ifmap", "missing.npy", "--engine", "cycle", "--layers", "second"], "--ifmap", "missing.npy"),
    (["--ifmap", "wrong.npy", "--engine", "cycle", "--layers", "second"], "--ifmap", "shape"),
    (["--ifmap", "float.npy", "--engine", "cycle", "--layers", "second"], "--ifmap", "integers"),
])
def test_cli_data_flag_errors(capsys, tmp_path, tiny, monkeypatch, extra, field, words):
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "x.npy", np.ones((1, 8, 7, 7), dtype=np.int16))
    np.save(tmp_path / "wrong.npy", np.ones((1, 8, 7, 6), dtype=np.int16))
    np.save(tmp_path / "float.npy", np.ones((1, 8, 7, 7), dtype=np.float32))
    msg = _fails(capsys, ["run", tiny, "--hardware", "eyeriss", *extra])
    assert msg.startswith(f"{field}: "), msg
    assert words in msg, msg


def test_cli_plain_hardware_prints_no_effects(capsys, tiny):
    code, out, err = _run(capsys, ["run", tiny, "--hardware", "isca16-256-rs", "--layers", "second"])
    assert code == 0, err
    assert "data-dependent effects" not in out


def test_a_selected_subset_still_knows_which_layer_reads_the_image():
    """``Workload.select`` keeps the network's first layer: conv3 alone is not the image reader,
    so its ifmap gets conv3's post-ReLU zero fraction (gated MACs), not the image's none."""
    import accelsim

    wl = accelsim.load_workload("alexnet")
    sub = wl.select(["conv3"])
    assert sub.first_layer == wl.first_layer == "conv1"
    layer = accelsim.simulate_network(sub, accelsim.load_hardware("eyeriss"), "rs", batch=1).layers[0]
    assert layer.gating.gated_macs > 0


def test_alexnet_zero_fractions_stay_with_alexnet():
    """ResNet-50 also has a layer named ``conv1``: AlexNet's measured fractions do not apply to
    it (its ofmap gets the generic 0.5), while AlexNet's conv1 ofmap has CONV2's 40 % zeros."""
    from accelsim.sim.activations import default_ofmap_zero_fraction, default_zero_fraction

    assert default_ofmap_zero_fraction("conv1", "alexnet") == 0.40
    assert default_ofmap_zero_fraction("conv1", "resnet50") == 0.5
    assert default_zero_fraction("conv3", False, "vgg16") == 0.5
    # CONV3 interpolated linearly between JSSC's CONV2 (40 %) and CONV5 (75 %): 0.40 + 0.35 / 3
    assert default_zero_fraction("conv3", False, "alexnet") == pytest.approx(0.40 + 0.35 / 3, rel=1e-12)
    import accelsim

    hw = accelsim.load_hardware("eyeriss")
    for name, want in (("alexnet", 0.40), ("resnet50", 0.5)):
        wl = accelsim.load_workload(name).select(["conv1"])
        r = accelsim.simulate_network(wl, hw, "rs", batch=1).layers[0]
        dense = int(r.counts[Level.DRAM, DataType.PSUM, WRITES])
        from accelsim.sim.compression import expected_ratio

        assert r.dram_compressed.psum_writes == round(dense * expected_ratio(want))
