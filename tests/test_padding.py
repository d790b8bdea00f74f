"""Workload files with PyTorch-style ``pad`` or the output size ``E``/``F`` (issue 12, item 4).

With ``pad`` or ``E``/``F`` a layer's ``H``/``W`` is the input size; the layer the engines see
has the padded extent the output needs, ``(E − 1)·U + R`` (PyTorch's floor division drops the
rest). Without them ``H``/``W`` stay the padded extent, as before.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace

import pytest

from accelsim.cli.main import main
from accelsim.drivers.simulate import simulate_network
from accelsim.errors import SpecError
from accelsim.io.onnx_import import workload_yaml
from accelsim.io.presets import load_hardware, load_workload
from accelsim.io.schema import workload_from_data
from accelsim.io.yamlfile import parse_yaml
from accelsim.search.mapper import Budget


def _workload(*layers: str):
    body = "".join(f"  - {layer}\n" for layer in layers)
    return workload_from_data(parse_yaml(f"version: 1\nname: t\nlayers:\n{body}"), origin="t.yaml")


def _error(*layers: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        _workload(*layers)
    return info.value


# PyTorch nn.Conv2d(64, 128, 3, stride=2, padding=1) on a 224 x 224 input:
# E = floor((224 + 2·1 − 3) / 2) + 1 = floor(223 / 2) + 1 = 111 + 1 = 112;
# the filter reads (E − 1)·U + R = 111·2 + 3 = 225 of the 226 padded rows (the last zero row is dropped).
TORCH_S2 = "{name: s2, M: 128, C: 64, H: 224, W: 224, R: 3, S: 3, U: 2, pad: 1}"


def test_pytorch_stride_2_pad_1_on_224_gives_112():
    (layer,) = _workload(TORCH_S2).layers
    assert (layer.E, layer.F) == (112, 112)
    assert (layer.H, layer.W) == (225, 225)
    # the same layer given by its padded extent (the old form), or by its output size
    assert _workload(TORCH_S2.replace("H: 224, W: 224", "H: 225, W: 225").replace(", pad: 1", "")).layers == (layer,)
    assert _workload(TORCH_S2.replace("pad: 1", "E: 112, F: 112")).layers == (layer,)
    assert _workload(TORCH_S2.replace("pad: 1", "pad: 1, E: 112")).layers == (layer,)


def test_pad_per_axis_and_stride_1_same_padding():
    # pad [top/bottom, left/right] = [1, 0], 3x3, stride 1 on 10 x 10: E = 10 + 2 − 3 + 1 = 10, F = 10 − 3 + 1 = 8
    (layer,) = _workload("{name: a, M: 4, C: 4, H: 10, W: 10, R: 3, S: 3, pad: [1, 0]}").layers
    assert (layer.H, layer.W, layer.E, layer.F) == (12, 10, 10, 8)
    # E alone: F follows from W as before (W − S divisible by U)
    (layer,) = _workload("{name: a, M: 4, C: 4, H: 10, W: 10, R: 3, S: 3, E: 10}").layers
    assert (layer.H, layer.W, layer.E, layer.F) == (12, 10, 10, 8)


def test_a_pad_file_round_trips_and_runs_as_its_padded_extent_file(tmp_path):
    padded = _workload(TORCH_S2.replace("M: 128, C: 64", "M: 16, C: 8"))
    written = tmp_path / "w.yaml"
    written.write_text(workload_yaml(padded))
    back = load_workload(written)
    assert back.layers == padded.layers and "H: 225" in written.read_text()
    explicit = _workload("{name: s2, M: 16, C: 8, H: 225, W: 225, R: 3, S: 3, U: 2}")
    hw, budget = load_hardware("eyeriss"), Budget(samples=300, climb=300, starts=2)
    a = simulate_network(padded, hw, "rs", budget=budget).to_dict()
    b = simulate_network(explicit, hw, "rs", budget=budget).to_dict()
    assert a == b and a["layers"][0]["shape"]["E"] == 112


@pytest.mark.parametrize("layer,field,words", [
    # pad 1 gives 112 rows (see TORCH_S2), not 110
    (TORCH_S2.replace("pad: 1", "pad: 1, E: 110"), "layers[0].E", "disagrees with pad 1"),
    (TORCH_S2.replace("pad: 1", "pad: 1, F: 113"), "layers[0].F", "disagrees with pad 1"),
    # unpadded, 224 rows already give floor((224 − 3)/2) + 1 = 111 > 100
    (TORCH_S2.replace("pad: 1", "E: 100"), "layers[0].E", "at least 111"),
    (TORCH_S2.replace("pad: 1", "pad: -1"), "layers[0].pad", ">= 0"),
    (TORCH_S2.replace("pad: 1", "pad: [1, 2, 3]"), "layers[0].pad", "two"),
    (TORCH_S2.replace("pad: 1", "pad: 1.5"), "layers[0].pad", "integer"),
    # 1 + 2·0 = 1 row is less than the 3-row filter
    ("{name: s2, M: 4, C: 4, H: 1, W: 8, R: 3, S: 3, pad: 0}", "layers[0].pad", "smaller than the filter"),
    (TORCH_S2.replace("pad: 1", "E: 0"), "layers[0].E", ">= 1"),
])
def test_inconsistent_or_bad_padding_names_the_field(layer, field, words):
    err = _error(layer)
    assert err.field == field and words in err.message, (err.field, err.message)
    assert "t.yaml" in err.message


def test_an_unpadded_stride_mismatch_is_still_refused_and_points_at_pad():
    err = _error(TORCH_S2.replace(", pad: 1", ""))  # (224 − 3) = 221 is odd: give pad or E
    assert err.field == "layers[0].H" and "pad" in err.message and "E" in err.message


def test_cli_bad_pad_is_one_line_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nname: t\nlayers:\n  - " + TORCH_S2.replace("pad: 1", "pad: 1, E: 110") + "\n")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", str(path)])
    lines = err.getvalue().strip().splitlines()
    assert code == 2 and len(lines) == 1 and "layers[0].E" in lines[0] and str(path) in lines[0], lines


def test_onnx_shape_inference_agrees_with_the_floor_rule():
    """An independent check of the formula: ONNX's own shape inference of the same conv."""
    onnx = pytest.importorskip("onnx", reason="onnx not installed (pip install accelsim[onnx])")
    from onnx import TensorProto, helper

    node = helper.make_node("Conv", ["x", "w"], ["y"], strides=[2, 2], pads=[1, 1, 1, 1], kernel_shape=[3, 3])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64, 224, 224]),
                                            helper.make_tensor_value_info("w", TensorProto.FLOAT, [128, 64, 3, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    inferred = onnx.shape_inference.infer_shapes(helper.make_model(graph))
    dims = [d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    (layer,) = _workload(TORCH_S2).layers
    assert dims == [1, 128, layer.E, layer.F]
    by_output_size = _workload(TORCH_S2.replace("pad: 1", f"E: {dims[2]}, F: {dims[3]}")).layers[0]
    assert replace(layer, name="x") == replace(by_output_size, name="x")
