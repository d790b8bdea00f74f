"""Eyexam (drivers/eyexam.py, ``accelsim eyexam``): seven successive throughput bounds.

The steps are those of Chen, Yang, Emer, Sze, IEEE JETCAS 2019 (arXiv 1807.07928) Table II, as
restated in Sze et al., IEEE SSC Magazine Summer 2020, Table 2: layer size and shape, dataflow
loop nest, number of PEs, physical dimensions of the PE array, fixed storage capacity, fixed
data bandwidth, varying data access patterns.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelsim.cli.main import main
from accelsim.drivers.eyexam import STEP_NAMES, Step, eyexam, eyexam_layer
from accelsim.io.presets import load_hardware, load_workload
from accelsim.sim.evaluate import evaluate
from accelsim.spec.layer import ConvLayer

EPS = 1e-9


def _monotone(lay) -> None:
    values = [s.macs_per_cycle for s in lay.steps]
    assert [int(s.step) for s in lay.steps] == list(range(1, 8))
    assert all(v > 0 for v in values), (lay.name, values)
    for a, b in zip(values, values[1:]):
        assert a >= b - EPS, (lay.name, values)
    for prev, s in zip(values, lay.steps[1:]):
        assert s.loss_macs_per_cycle == pytest.approx(prev - s.macs_per_cycle)
    assert lay.steps[0].macs_per_cycle == lay.macs


def test_every_alexnet_layer_on_eyeriss_rs_is_monotone():
    result = eyexam(load_workload("alexnet"), load_hardware("eyeriss"), "rs")
    assert [lay.name for lay in result.layers] == [lay.name for lay in load_workload("alexnet").layers]
    for lay in result.layers:
        _monotone(lay)


@pytest.mark.parametrize("hardware, dataflow", [("tpu-like", "sys-ws"), ("isca16-256-ws", "ws"),
                                                ("isca16-256-osa", "osa"), ("isca16-256-nlr", "nlr")])
def test_other_presets_and_dataflows_are_monotone(hardware, dataflow):
    wl = load_workload("alexnet").select(["conv3", "fc3"])
    for lay in eyexam(wl, load_hardware(hardware), dataflow).layers:
        _monotone(lay)


def test_step7_is_the_cycle_engines_throughput_on_the_same_mapping():
    layer = load_workload("alexnet").select(["conv5"]).layers[0]
    hw = load_hardware("eyeriss")
    lay = eyexam_layer(layer, hw, "rs")
    run = evaluate(layer, hw, "rs", "cycle", lay.mapping)
    assert run.timing.verified
    assert lay.steps[Step.INSTANT_BANDWIDTH - 1].macs_per_cycle == run.macs / run.cycles
    assert run.macs == layer.macs


def test_steps_1_to_4_by_hand():
    """RS on a 4 × 3 array (12 PEs), layer N=1, M=4, C=3, H=W=5, R=S=3, U=1 (E=F=3).

    1. MACs = N·M·C·E·F·R·S = 1·4·3·3·3·3·3 = 972.
    2. RS spreads N, M, C, E (rows: C, M; columns: E, M, N) and R (pinned whole to rows), while F
       and S run in time in a PE: 1·4·3·3·3 = 108.
    3. 12 PEs, R = 3 whole: 12 / 3 = 4 PEs left for M (4), C (3), E (3): M = 4 (worth 4) beats
       C = 3 or E = 3 (3) and M = 2 · C = 2 (2 · 3/ceil(3/2) = 3): 3 · 4 = 12.
    4. 4 rows hold R = 3 and nothing more (4 // 3 = 1 row left); 3 columns: E = 3 (worth 3) beats
       M = 3 (4 / ceil(4/3) = 2: a ragged second pass of one filter) and M = 2 (2): 3 · 3 = 9.
    """
    layer = ConvLayer(name="toy", N=1, M=4, C=3, H=5, W=5, R=3, S=3)
    hw = load_hardware("eyeriss").with_array(4, 3)
    lay = eyexam_layer(layer, hw, "rs")
    assert [s.macs_per_cycle for s in lay.steps[:4]] == [972.0, 108.0, 12.0, 9.0]
    _monotone(lay)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(m=st.integers(1, 6), c=st.integers(1, 5), e=st.integers(1, 5), r=st.integers(1, 3), n=st.integers(1, 2),
       rows=st.integers(3, 6), cols=st.integers(1, 6), dataflow=st.sampled_from(["rs", "ws", "osa", "nlr"]))
def test_random_small_layers_are_monotone(m, c, e, r, n, rows, cols, dataflow):
    layer = ConvLayer(name="rand", N=n, M=m, C=c, H=e - 1 + r, W=e - 1 + r, R=r, S=r)
    hw = load_hardware("eyeriss").with_array(rows, cols)
    from accelsim.errors import InfeasibleError

    try:
        lay = eyexam_layer(layer, hw, dataflow)
    except InfeasibleError:
        return
    _monotone(lay)


def test_json_contract(tmp_path, capsys):
    out = tmp_path / "ey.json"
    assert main(["eyexam", "alexnet", "--layers", "fc3", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert [lay["name"] for lay in doc["layers"]] == ["fc3"]
    steps = doc["layers"][0]["steps"]
    assert [s["step"] for s in steps] == list(range(1, 8))
    assert [s["name"] for s in steps] == [STEP_NAMES[Step(i)] for i in range(1, 8)]
    for s in steps:
        assert isinstance(s["macs_per_cycle"], float) and isinstance(s["cause"], str) and s["cause"]
        assert f"{s['macs_per_cycle']:,.1f}" in text
    assert steps[0]["macs_per_cycle"] == 1000 * 4096


@pytest.mark.parametrize("argv, field", [
    (["eyexam", "alexnet", "--layers", "conv9"], "conv9"),
    (["eyexam", "alexnet", "--layers", "conv1", "--hardware", "nope"], "--hardware"),
    (["eyexam", "alexnet", "--layers", "conv1", "--dataflow", "xx"], "--dataflow"),
    (["eyexam", "alexnet", "--layers", "conv1", "--batch", "0"], "--batch"),
    (["eyexam", "nosuchnet", "--layers", "conv1"], "nosuchnet"),
])
def test_cli_bad_input_is_one_line_exit_2(argv, field, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("accelsim: error:") and field in err
    assert "Traceback" not in err


def test_cli_needs_layers(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["eyexam", "alexnet"])
    assert exc.value.code == 2
    assert "--layers" in capsys.readouterr().err


def test_plot_kind_eyexam(tmp_path):
    doc = tmp_path / "ey.json"
    assert main(["eyexam", "alexnet", "--layers", "fc3", "--json", str(doc)]) == 0
    png = tmp_path / "ey.png"
    assert main(["plot", str(doc), "--kind", "eyexam", "--layer", "fc3", "-o", str(png)]) == 0
    assert png.stat().st_size > 0
    assert main(["plot", str(doc), "--kind", "eyexam", "--layer", "conv1", "-o", str(png)]) == 2


# ------------------------------------------------------------------ hierarchical mesh (Eyeriss v2, issue 16)
@pytest.mark.parametrize("hardware, dataflow", [("eyeriss-v1.5", "rs-plus"), ("eyeriss-v1-192", "rs")])
def test_mobilenet_dw_pw_fc_on_the_v2_presets_are_monotone(hardware, dataflow):
    """A depth-wise, a point-wise and the FC layer of MobileNet-v1 0.5/128 on both Eyeriss v2
    presets with their dataflows."""
    wl = load_workload("mobilenet_v1_0.5_128").select(["dw1", "pw1", "fc"])
    result = eyexam(wl, load_hardware(hardware), dataflow, engine="analytic")
    for lay in result.layers:
        _monotone(lay)
        assert lay.steps[-1].macs_per_cycle == lay.steps[-2].macs_per_cycle  # analytic: no instantaneous bandwidth


def test_hmesh_steps_1_to_4_by_hand():
    """RS+ on eyeriss-v1.5: 8 × 2 clusters of 3 × 4 PEs, so step 4's sides are cluster rows 8,
    cluster columns 2, PE rows 3, PE columns 4 (192 PEs); RS+ may put G, N, M, C, E, R on any side.

    Layer a: N=3, M=3, C=3, H=W=3, R=S=1 (E=F=3). 1. MACs 3·3·3·3·3 = 243. 2. N·M·C·E = 81 (F, S
    in time). 3. 81 <= 192 PEs: 81. 4. every 3 gets a side: E on PE rows (3), C on PE columns (3
    of 4), M on cluster rows (3 of 8, 8 // 3 = 2 left), N on cluster rows 2 × cluster columns 2 = 4
    >= 3: 81. (A flat 24 × 8 array would hold only 3 · 3 on its rows and one 3 on its columns.)
    Layer b: N=1, M=C=5, H=W=5, R=S=1 (E=F=5). 1. 5·5·5·5 = 625. 2. M·C·E = 125. 3. 125 <= 192:
    125. 4. a 5 needs a side product >= 5: cluster rows (8), or two of {2, 3, 4} (6, 8, 12); after
    one 5 on the cluster rows (8 // 5 = 1 left) and one on two of {2, 3, 4}, the third 5 has one
    side of 2, 3 or 4: at best ceil(5 / 3) = 2 passes, worth 5 / 2 — and no other split gives three
    products >= 5 (sharing the cluster rows as 2 × 4 leaves {2, 3, 4} for three needs of >= 3, >= 2
    and >= 5). 5 · 5 · 2.5 = 62.5.
    """
    hw = load_hardware("eyeriss-v1.5")
    cases = [(ConvLayer(name="a", N=3, M=3, C=3, H=3, W=3, R=1, S=1), [243.0, 81.0, 81.0, 81.0]),
             (ConvLayer(name="b", N=1, M=5, C=5, H=5, W=5, R=1, S=1), [625.0, 125.0, 125.0, 62.5])]
    for layer, expected in cases:
        lay = eyexam_layer(layer, hw, "rs-plus", engine="analytic")
        assert [s.macs_per_cycle for s in lay.steps[:4]] == expected, layer.name
        _monotone(lay)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(m=st.integers(1, 8), c=st.integers(1, 8), e=st.integers(1, 6), r=st.integers(1, 3), g=st.integers(1, 4),
       dataflow=st.sampled_from(["rs-plus", "rs"]))  # rs: R pinned to rows, so it may spread over cluster rows
def test_random_small_layers_on_the_hierarchical_mesh_are_monotone(m, c, e, r, g, dataflow):
    """Grouped and depth-wise layers included (G = g groups of c channels and m filters)."""
    from accelsim.errors import InfeasibleError

    layer = ConvLayer(name="rand", N=1, M=m * g, C=c * g, H=e - 1 + r, W=e - 1 + r, R=r, S=r, G=g)
    try:
        lay = eyexam_layer(layer, load_hardware("eyeriss-v1.5"), dataflow, engine="analytic")
    except InfeasibleError:
        return
    _monotone(lay)


def test_hmesh_step7_is_the_cycle_engines_throughput():
    """Step 7 on a hierarchical mesh is the cycle engine's measured throughput."""
    layer = load_workload("mobilenet_v1_0.5_128").select(["dw1"]).layers[0]
    hw = load_hardware("eyeriss-v1.5")
    lay = eyexam_layer(layer, hw, "rs-plus")
    run = evaluate(layer, hw, "rs-plus", "cycle", lay.mapping)
    assert lay.steps[-1].macs_per_cycle == run.macs / run.cycles
    assert lay.steps[-2].macs_per_cycle >= lay.steps[-1].macs_per_cycle


@settings(max_examples=60, deadline=None)
@given(extents=st.lists(st.integers(1, 9), min_size=1, max_size=3),
       caps=st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(1, 4)),
       allowed=st.lists(st.tuples(*[st.booleans()] * 4), min_size=3, max_size=3),
       whole=st.lists(st.booleans(), min_size=3, max_size=3))
def test_cluster_step4_search_equals_brute_force(extents, caps, allowed, whole):
    """The step-4 search on a hierarchical mesh (a dynamic programme over the axes that keeps one
    factor per leftover room) equals enumerating every factor of every axis on every side."""
    import itertools
    import math

    from accelsim.drivers.eyexam import _Axis, _best_clusters, _worth

    axes = [_Axis(label=f"a{i}", extent=e, rows=al[2], cols=al[3], whole=w, crows=al[0], ccols=al[1])
            for i, (e, al, w) in enumerate(zip(extents, allowed, whole))]
    per_axis = []
    for ax in axes:
        ok = (ax.crows, ax.ccols, ax.rows, ax.cols)
        opts = [fs for fs in itertools.product(*[range(1, c + 1) if o else (1,) for o, c in zip(ok, caps)])
                if not ax.whole or math.prod(fs) == ax.extent]
        per_axis.append(opts)
    best = None
    for combo in itertools.product(*per_axis):
        if all(math.prod(fs[s] for fs in combo) <= caps[s] for s in range(4)):
            value = math.prod(_worth(ax.extent, math.prod(fs)) for ax, fs in zip(axes, combo))
            best = value if best is None else max(best, value)
    found = _best_clusters(axes, caps)
    if best is None:
        assert found is None
    else:
        assert found is not None and found.macs_per_cycle == pytest.approx(best)
        sides = [math.prod(f[1 + s] for f in found.factors) for s in range(4)]
        assert all(n <= c for n, c in zip(sides, caps))
        assert found.macs_per_cycle == pytest.approx(
            math.prod(_worth(ax.extent, math.prod(f[1:])) for ax, f in zip(axes, found.factors)))


def test_cli_eyexam_on_the_hierarchical_mesh(tmp_path, capsys):
    """The issue's command on eyeriss-v1.5 with RS+: seven monotone steps per layer, step 4 naming
    the cluster hierarchy; ``--engine analytic`` makes step 7 the roofline; a bad engine is exit 2."""
    out = tmp_path / "ey.json"
    argv = ["eyexam", "mobilenet_v1_0.5_128", "--layers", "dw1,pw1,fc", "--hardware", "eyeriss-v1.5",
            "--dataflow", "rs-plus", "--json", str(out)]
    assert main(argv) == 0
    assert "8×2 clusters of 3×4 PEs" in capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert [lay["name"] for lay in doc["layers"]] == ["dw1", "pw1", "fc"]
    for lay in doc["layers"]:
        values = [s["macs_per_cycle"] for s in lay["steps"]]
        assert all(a >= b - EPS for a, b in zip(values, values[1:])), values
    assert main(argv[:-2] + ["--engine", "analytic", "--layers", "fc"]) == 0
    assert "not modelled by the analytic engine" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(argv[:-2] + ["--engine", "fast"])
    assert exc.value.code == 2
