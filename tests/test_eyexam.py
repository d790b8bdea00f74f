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
