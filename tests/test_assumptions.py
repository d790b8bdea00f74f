"""Every data assumption a run makes is printed and recorded (issue 12, item 5): the ifmap and
ofmap zero fractions per layer and where each came from, zero gating and RLC; the ONNX importer
lists the ops it skips and marks layers no ReLU precedes."""

from __future__ import annotations

import contextlib
import io

import pytest

from accelsim.cli.main import main
from accelsim.drivers.simulate import simulate_network
from accelsim.io.presets import load_hardware, load_workload
from accelsim.io.schema import workload_from_data
from accelsim.io.yamlfile import parse_yaml
from accelsim.search.mapper import Budget
from accelsim.sim.activations import JSSC_OFMAP_ZERO_FRACTION, JSSC_ZERO_FRACTION, RELU_ZERO_FRACTION

BUDGET = Budget(samples=300, climb=300, starts=2)


def _cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def _assumptions(run) -> dict:
    return {layer["name"]: layer["assumptions"] for layer in run.to_dict()["layers"]}


def test_alexnet_on_eyeriss_records_each_layers_zero_fractions_and_their_sources():
    wl = load_workload("alexnet").select(["conv1", "conv2", "conv5"])
    got = _assumptions(simulate_network(wl, load_hardware("eyeriss"), "rs", budget=BUDGET))
    # values: the JSSC 2017 table (activations.py); conv1 reads the image
    assert got["conv1"] == {"ifmap_zero_fraction": 0.0, "ifmap_zero_fraction_source": "first_layer",
                            "ofmap_zero_fraction": JSSC_OFMAP_ZERO_FRACTION["conv1"],
                            "ofmap_zero_fraction_source": "alexnet_measured",
                            "zero_gating": True, "dram_rlc": True, "ifmap_rlc": False}
    assert got["conv2"]["ifmap_zero_fraction"] == JSSC_ZERO_FRACTION["conv2"] == 0.4
    assert got["conv2"]["ifmap_zero_fraction_source"] == "alexnet_measured"
    assert got["conv2"]["ifmap_rlc"] is True
    # conv5 feeds FC1, not in the table: the ReLU default
    assert got["conv5"]["ofmap_zero_fraction"] == RELU_ZERO_FRACTION
    assert got["conv5"]["ofmap_zero_fraction_source"] == "relu_default"


def test_another_network_gets_the_relu_default_and_a_given_fraction_is_the_users():
    wl = load_workload("vgg16").select(["conv1_2"])
    hw = load_hardware("eyeriss")
    (got,) = _assumptions(simulate_network(wl, hw, "rs", budget=BUDGET)).values()
    assert (got["ifmap_zero_fraction"], got["ifmap_zero_fraction_source"]) == (RELU_ZERO_FRACTION, "relu_default")
    (got,) = _assumptions(simulate_network(wl, hw, "rs", budget=BUDGET, zero_fraction=0.3)).values()
    assert (got["ifmap_zero_fraction"], got["ifmap_zero_fraction_source"]) == (0.3, "user")
    assert (got["ofmap_zero_fraction"], got["ofmap_zero_fraction_source"]) == (0.3, "user")


WITH_NO_RELU = """\
version: 1
name: t
layers:
  - {name: a, M: 8, C: 4, H: 10, W: 10, R: 3, S: 3}
  - {name: b, M: 8, C: 8, H: 8, W: 8, R: 3, S: 3, G: 2, ifmap_zero_fraction: 0}
  - {name: c, M: 8, C: 8, H: 6, W: 6, R: 3, S: 3}
"""


def test_a_workload_files_zero_fraction_replaces_the_default():
    wl = workload_from_data(parse_yaml(WITH_NO_RELU))
    run = simulate_network(wl, load_hardware("eyeriss"), "rs", budget=BUDGET)
    got = _assumptions(run)
    assert (got["b"]["ifmap_zero_fraction"], got["b"]["ifmap_zero_fraction_source"]) == (0.0, "workload")
    assert (got["c"]["ifmap_zero_fraction"], got["c"]["ifmap_zero_fraction_source"]) == (0.5, "relu_default")
    b = next(r for r in run.layers if r.layer.name == "b")
    assert b.gating.gated_macs == 0  # no zeros, nothing gated (the default would gate half)


def test_bad_workload_zero_fraction_names_the_field():
    from accelsim.errors import SpecError

    with pytest.raises(SpecError) as info:
        workload_from_data(parse_yaml(WITH_NO_RELU.replace("ifmap_zero_fraction: 0}", "ifmap_zero_fraction: 1.5}")))
    assert info.value.field == "layers[1].ifmap_zero_fraction" and "<= 1" in info.value.message


def test_run_header_prints_the_assumptions(tmp_path):
    code, out, err = _cli(["run", "alexnet", "--layers", "conv1,conv2", "--hardware", "eyeriss", "--json",
                           tmp_path / "r.json"])
    assert code == 0, err
    head = out[:out.index("layer ")]  # before the table
    assert "zero gating on" in head and "DRAM RLC on" in head
    assert "ifmap zero fraction" in head and "conv1 0 (first layer" in head and "conv2 0.4 (AlexNet" in head
    assert "ofmap zero fraction" in head
    import json

    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["layers"][1]["assumptions"]["ifmap_zero_fraction_source"] == "alexnet_measured"


def test_run_header_says_when_zero_fractions_change_nothing():
    code, out, err = _cli(["run", "alexnet", "--layers", "conv2", "--hardware", "isca16-256-rs"])
    assert code == 0, err
    head = out[:out.index("layer ")]
    assert "zero gating off, DRAM RLC off" in head and "zero fractions change nothing" in head


# --------------------------------------------------------------------------- ONNX
def test_onnx_import_lists_skipped_ops_and_marks_layers_without_a_relu(tmp_path):
    pytest.importorskip("onnx", reason="onnx not installed (pip install accelsim[onnx])")
    import onnx

    from test_onnx import tiny_model  # conv1 -Relu-> grouped -BN-> dw -> wide -MaxPool-Flatten-> fc1 -Relu-> fc2

    path = tmp_path / "tiny.onnx"
    onnx.save(tiny_model(), str(path))
    out = tmp_path / "tiny.yaml"
    code, stdout, err = _cli(["import", path, "-o", out])
    assert code == 0, err
    # tiny_model's nodes that are not layers: Relu x2, BatchNormalization, MaxPool, Flatten
    assert "skipped 5 ops" in stdout
    for listed in ("Relu ×2", "BatchNormalization ×1", "MaxPool ×1", "Flatten ×1"):
        assert listed in stdout
    wl = load_workload(out)
    assert "skipped" in wl.source and "Relu 2" in wl.source
    # dw follows BatchNormalization, wide follows dw, fc1 a MaxPool of wide: no ReLU, no zeros;
    # grouped and fc2 follow a Relu (the default applies); conv1 reads the input
    assert wl.ifmap_zero_fraction("dw") == wl.ifmap_zero_fraction("wide") == wl.ifmap_zero_fraction("fc1") == 0.0
    assert wl.ifmap_zero_fraction("grouped") is None and wl.ifmap_zero_fraction("fc2") is None
    assert wl.ifmap_zero_fraction("conv1") is None
