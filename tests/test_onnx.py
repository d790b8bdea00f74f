"""ONNX import: a model built here with onnx.helper imports as the hand-written workload YAML."""

from __future__ import annotations

import contextlib
import io
import sys

import pytest

from accelsim.cli.main import main
from accelsim.errors import SpecError
from accelsim.io.onnx_import import workload_from_onnx, workload_yaml
from accelsim.io.presets import load_workload
from accelsim.io.schema import workload_from_data
from accelsim.io.yamlfile import parse_yaml

onnx = pytest.importorskip("onnx", reason="onnx not installed (pip install accelsim[onnx])")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

# the same network, written by hand (H, W = padded extents; FC layers as convs with H=R, W=S)
HAND_WRITTEN = """\
version: 1
name: tinynet
layers:
  - {name: conv1,   M: 16, C: 3,  H: 34, W: 34, R: 3, S: 3}               # 3x3, pads 1
  - {name: grouped, M: 32, C: 16, H: 34, W: 34, R: 3, S: 3, G: 4}         # group 4, pads 1
  - {name: dw,      M: 32, C: 32, H: 33, W: 33, R: 3, S: 3, U: 2, G: 32}  # depthwise, stride 2, pads (1,1,0,0)
  - {name: wide,    M: 8,  C: 32, H: 17, W: 20, R: 1, S: 5}               # 1x5, pads (0,2,1,2)
  - {name: fc1,     M: 10, C: 8,  H: 8,  W: 8,  R: 8, S: 8}               # Gemm after Flatten of 8x8x8
  - {name: fc2,     M: 5,  C: 10, H: 1,  W: 1,  R: 1, S: 1}               # MatMul
"""


def _zeros(name, shape):
    import numpy as np

    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name)


def _value(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _model(nodes, inputs, initializers, output=("out", ["N", 5]), name="tinynet"):
    graph = helper.make_graph(nodes, name, inputs, [_value(*output)], initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def tiny_model():
    """conv, grouped conv, strided+padded depthwise conv, a 1x5 conv, pooling, Gemm, MatMul."""
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["y1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["y1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["y2"], name="grouped", group=4, pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["y2", "s", "b", "m", "v"], ["n2"]),
        helper.make_node("Conv", ["n2", "w3"], ["y3"], name="dw", group=32, strides=[2, 2], pads=[1, 1, 0, 0]),
        helper.make_node("Conv", ["y3", "w4"], ["y4"], name="wide", pads=[0, 2, 1, 2]),
        helper.make_node("MaxPool", ["y4"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("Gemm", ["f", "w5"], ["g"], name="fc1", transB=1),
        helper.make_node("Relu", ["g"], ["gr"]),
        helper.make_node("MatMul", ["gr", "w6"], ["out"], name="fc2"),
    ]
    # weights: some initializers, some declared as graph inputs with shapes only (no data needed)
    inputs = [_value("x", ["N", 3, 32, 32]), _value("w2", [32, 4, 3, 3]), _value("w4", [8, 32, 1, 5]),
              _value("w6", [10, 5])]
    inits = [_zeros("w1", (16, 3, 3, 3)), _zeros("w3", (32, 1, 3, 3)), _zeros("w5", (10, 8 * 8 * 8))]
    inits += [_zeros(n, (32,)) for n in ("s", "b", "m", "v")]
    return _model(nodes, inputs, inits)


def _hand():
    return workload_from_data(parse_yaml(HAND_WRITTEN))


def test_import_equals_the_hand_written_workload(tmp_path):
    path = tmp_path / "tiny.onnx"
    onnx.save(tiny_model(), str(path))
    got = workload_from_onnx(path)
    want = _hand()
    assert got.name == want.name
    assert got.layers == want.layers
    assert got.macs == want.macs


def test_cli_import_writes_a_loadable_workload(tmp_path):
    path = tmp_path / "tiny.onnx"
    onnx.save(tiny_model(), str(path))
    out = tmp_path / "networks" / "tinynet.yaml"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["import", str(path), "-o", str(out)])
    assert code == 0, stderr.getvalue()
    assert "6 layers" in stdout.getvalue() and str(out) in stdout.getvalue()
    loaded = load_workload(out)
    assert loaded.layers == _hand().layers
    assert "imported from tiny.onnx" in loaded.source


def test_yaml_writer_round_trips_odd_names():
    wl = _hand()
    from dataclasses import replace

    odd = replace(wl, name="net: v2", layers=(replace(wl.layers[0], name="/features/0/Conv"),
                                               replace(wl.layers[1], name="true")) + wl.layers[2:])
    back = workload_from_data(parse_yaml(workload_yaml(odd, comment="two\nlines")))
    assert back.name == "net: v2" and back.layers == odd.layers


def test_padding_that_leaves_unread_rows_is_trimmed():
    # 32 + 2 = 34 padded rows, 3x3 filter, stride 2: ONNX reads rows 0..32 (E = 16); row 33 is never read
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="c", strides=[2, 2], pads=[1, 1, 1, 1])]
    model = _model(nodes, [_value("x", [1, 3, 32, 32])], [_zeros("w", (8, 3, 3, 3))], output=("y", [1, 8, 16, 16]))
    (layer,) = workload_from_onnx(model).layers
    assert (layer.H, layer.W, layer.E, layer.F, layer.U) == (33, 33, 16, 16, 2)


def test_auto_pad_same_and_conv1d():
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="same", auto_pad="SAME_UPPER"),
             helper.make_node("Conv", ["z", "k"], ["q"], name="c1d", strides=[2])]
    model = _model(nodes, [_value("x", [1, 4, 10, 10]), _value("z", [1, 4, 21])],
                   [_zeros("w", (6, 4, 3, 3)), _zeros("k", (6, 4, 5))], output=("y", [1, 6, 10, 10]))
    same, c1d = workload_from_onnx(model).layers
    assert (same.H, same.E, same.R) == (12, 10, 3)
    assert (c1d.H, c1d.R, c1d.W, c1d.S, c1d.F, c1d.U) == (1, 1, 21, 5, 9, 2)


def test_matmul_over_tokens_is_a_1x1_conv():
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="proj")]
    model = _model(nodes, [_value("x", [1, 7, 64])], [_zeros("w", (64, 32))], output=("y", [1, 7, 32]))
    (layer,) = workload_from_onnx(model).layers
    assert (layer.M, layer.C, layer.H, layer.W, layer.R, layer.S, layer.E) == (32, 64, 7, 1, 1, 1, 7)


def test_dilated_conv_is_rejected_naming_the_node_or_split_exactly():
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="atrous", dilations=[2, 2], pads=[2, 2, 2, 2])]
    model = _model(nodes, [_value("x", [1, 4, 9, 9])], [_zeros("w", (6, 4, 3, 3))], output=("y", [1, 6, 9, 9]))
    with pytest.raises(SpecError, match="dilation") as info:
        workload_from_onnx(model)
    assert info.value.field == "atrous"
    phases = workload_from_onnx(model, dilation="split").layers
    assert [p.name for p in phases] == ["atrous.d00", "atrous.d01", "atrous.d10", "atrous.d11"]
    # a 9x9 ofmap from a 3x3 filter with dilation 2: 6*4*3*3 MACs per output pixel, 81 pixels
    assert sum(p.macs for p in phases) == 6 * 4 * 9 * 81
    assert [(p.E, p.F) for p in phases] == [(5, 5), (5, 4), (4, 5), (4, 4)]


@pytest.mark.parametrize(("node", "field", "match"), [
    (helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up"), "up", "not supported"),
    (helper.make_node("MatMul", ["x", "x"], ["y"], name="attn"), None, None),
])
def test_unsupported_nodes_name_the_node(node, field, match):
    if node.op_type == "MatMul":  # two activations: the right operand comes from another node
        nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("MatMul", ["x", "r"], ["y"], name="attn")]
        model = _model(nodes, [_value("x", [4, 4])], [], output=("y", [4, 4]))
        field, match = "attn", "two activations"
    else:
        model = _model([node], [_value("x", [1, 4, 8, 8])], [_zeros("w", (4, 2, 3, 3))], output=("y", [1, 2, 10, 10]))
    with pytest.raises(SpecError, match=match) as info:
        workload_from_onnx(model)
    assert info.value.field == field


def test_a_model_without_compute_layers_is_an_error():
    model = _model([helper.make_node("Relu", ["x"], ["y"])], [_value("x", [1, 4])], [], output=("y", [1, 4]))
    with pytest.raises(SpecError, match="no Conv"):
        workload_from_onnx(model)


def test_cli_import_errors_exit_2(tmp_path, monkeypatch):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    for argv, needle in ([["import", str(bad), "-o", str(tmp_path / "x.yaml")], "cannot read"],
                         [["import", str(tmp_path / "none.onnx"), "-o", str(tmp_path / "x.yaml")], "no such file"]):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            assert main(argv) == 2
        assert needle in err.getvalue()
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if the extra were not installed
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["import", str(bad), "-o", str(tmp_path / "x.yaml")]) == 2
    assert "pip install 'accelsim[onnx]'" in err.getvalue()
