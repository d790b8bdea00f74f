"""Workloads from ONNX models: every Conv, Gemm and MatMul becomes a layer (needs ``onnx``).

Only shapes are used: ONNX shape inference fills in every tensor's shape, so a model saved
without weights (or with weights as graph inputs) imports as well as a full one. The batch
dimension is dropped (a workload's layers carry ``N = 1``; the batch is a run option).

How nodes map to layers (docs/architecture.md, *Names*):

* ``Conv`` (2-D): ``M`` = output channels, ``C`` = input channels, ``G`` = ``group``
  (depthwise: ``G = C = M``), ``R × S`` = kernel, ``U`` = stride (equal in both directions).
  ``H`` and ``W`` are the padded extents the filter actually reads,
  ``H = (E − 1)·U + R`` with ``E`` the inferred output height: for explicit ``pads`` whose
  padded size is a whole number of strides this is input + pads; otherwise the few trailing
  rows ONNX never reads are dropped; ``auto_pad`` is handled the same way. 1-D convs become
  ``H = R = 1``.
* Dilated convs (dilation ``d > 1``) read every ``d``-th pixel, which a ``(H, R)`` shape cannot
  say. ``dilation="reject"`` (default) raises an error naming the node; ``"split"`` (stride 1
  only) imports the exact equivalent: the input splits into ``d_h × d_w`` interleaved phases,
  each an ordinary conv with the same filter (layers ``<node>.d<i><j>``; their MACs sum to the
  dilated conv's).
* ``Gemm`` and ``MatMul`` with a 2-D right operand: an FC layer, ``M`` = output features,
  ``C`` = input features, ``H = W = R = S = 1`` — or, when the input was flattened from an
  ``N × C × H × W`` tensor (``Flatten``/``Reshape``, possibly through elementwise ops), the conv
  form ``C, H = R, W = S`` of that tensor, as the presets write AlexNet's fc1. A ``MatMul``
  over ``(…, T, K)`` tokens is a 1×1 conv with ``H = T``.

Any other op carries no MACs in this model and is skipped — listed, by name and type, in
``Workload.meta["skipped_ops"]`` and counted in the workload's ``source`` (``accelsim import``
prints them); compute ops that cannot be expressed (``ConvTranspose``, 3-D convs, a MatMul of
two activations) raise an error naming the node.

Zeros: a layer whose input does not come from a ``Relu`` or ``Clip`` (ReLU6), directly or
through ops that keep zeros (``MaxPool``, ``Flatten``, ``Reshape``, ``Dropout``, …), gets
``ifmap_zero_fraction: 0`` (``Workload.ifmap_zero_fractions``): the run's default of half zeros
after a ReLU does not apply to it. The network's first layer is left to the run (the image: 0).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from math import prod
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..spec.layer import ConvLayer, Workload

INSTALL_HINT = "ONNX import needs the onnx package: pip install 'accelsim[onnx]'"

#: Ops that only reshape or pass data through (followed back from a Gemm to a 4-D tensor).
_PASS_THROUGH = {"Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Dropout", "Identity", "BatchNormalization",
                 "Cast", "HardSwish", "HardSigmoid", "Elu", "Selu", "Gelu"}
_FLATTEN = {"Flatten", "Reshape"}
#: Ops that zero negative values (ReLU, ReLU6 as Clip), and ops that pass zeros on unchanged.
_RELU = {"Relu", "Clip"}
_KEEPS_ZEROS = {"MaxPool", "Flatten", "Reshape", "Dropout", "Identity", "Squeeze", "Unsqueeze", "Transpose",
                "Cast", "Pad"}
#: Compute ops this model cannot express.
_UNSUPPORTED = {"ConvTranspose", "ConvInteger", "QLinearConv", "QLinearMatMul", "MatMulInteger", "Einsum",
                "LSTM", "GRU", "RNN"}


_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class DilationPolicy(str, Enum):
    """What to do with a dilated Conv."""

    REJECT = "reject"
    SPLIT = "split"


def _require_onnx():
    try:
        import onnx
    except ImportError:
        raise SpecError(INSTALL_HINT) from None
    return onnx


@dataclass(frozen=True, slots=True)
class _Graph:
    shapes: dict[str, tuple]
    producer: dict[str, Any]


def _dims(type_proto) -> tuple | None:
    tensor = type_proto.tensor_type
    if not tensor.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in tensor.shape.dim)


def _graph(model) -> _Graph:
    graph = model.graph
    shapes: dict[str, tuple] = {}
    for info in list(graph.input) + list(graph.value_info) + list(graph.output):
        dims = _dims(info.type)
        if dims is not None:
            shapes[info.name] = dims
    for init in graph.initializer:
        shapes[init.name] = tuple(init.dims)
    for node in graph.node:
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    shapes[node.output[0]] = tuple(attr.t.dims)
    producer = {out: node for node in graph.node for out in node.output}
    return _Graph(shapes=shapes, producer=producer)


def _attrs(node) -> dict[str, Any]:
    import onnx

    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _label(node, index: int) -> str:
    return node.name or f"{node.op_type.lower()}{index}"


def _shape(g: _Graph, tensor: str, node_name: str, rank: int | None = None) -> tuple[int, ...]:
    dims = g.shapes.get(tensor)
    if dims is None:
        raise SpecError(f"shape inference gave no shape for tensor {tensor!r}; give the model's input shapes",
                        field=node_name)
    if rank is not None and len(dims) != rank:
        raise SpecError(f"expected a rank-{rank} tensor {tensor!r}, got shape {list(dims)}", field=node_name)
    return dims


def _known(dims: tuple, what: str, node_name: str) -> tuple[int, ...]:
    if any(not isinstance(d, int) or d < 0 for d in dims):
        raise SpecError(f"{what} has unknown dimensions {list(dims)}; export the model with fixed shapes",
                        field=node_name)
    if 0 in dims:
        raise SpecError(f"{what} has shape {list(dims)}, with no elements (a kernel larger than its padded input?)",
                        field=node_name)
    return dims


def _conv(node, index: int, g: _Graph, dilation: DilationPolicy) -> list[ConvLayer]:
    name = _label(node, index)
    x = _shape(g, node.input[0], name)
    w = _known(_shape(g, node.input[1], name), "the weight", name)
    y = _shape(g, node.output[0], name)
    if len(x) not in (3, 4):
        raise SpecError(f"only 1-D and 2-D convs can be imported, this one has input shape {list(x)}", field=name)
    attrs = _attrs(node)
    spatial = len(x) - 2
    strides = list(attrs.get("strides", [1] * spatial))
    dilations = list(attrs.get("dilations", [1] * spatial))
    group = int(attrs.get("group", 1))
    c_in = _known(x[1:2], "the input", name)[0]
    out_sp = _known(y[2:], "the output", name)
    m, kern = w[0], w[2:]
    if spatial == 1:
        # one row of ifmap and filter: E = 1 whatever the stride, so the width's stride is U
        strides, dilations, kern, out_sp = strides * 2, [1] + dilations, (1,) + tuple(kern), (1,) + tuple(out_sp)
    if strides[0] != strides[1]:
        raise SpecError(f"strides {strides} differ between height and width; accelsim layers have one stride U",
                        field=name)
    u = int(strides[0])
    (r, s), (e, f) = kern, out_sp
    if all(d == 1 for d in dilations):
        return [ConvLayer(name=name, M=m, C=c_in, H=(e - 1) * u + r, W=(f - 1) * u + s, R=r, S=s, U=u, G=group)]
    if dilation is DilationPolicy.REJECT:
        raise SpecError(f"dilation {dilations} cannot be expressed as a (H, R) layer shape (a dilated filter "
                        f"reads every d-th pixel); import with dilation='split' (--dilation split) to split it "
                        f"into d×d undilated phase convs", field=name)
    if u != 1:
        raise SpecError(f"dilation {dilations} with stride {u}: only stride-1 dilated convs can be split",
                        field=name)
    dh, dw = dilations
    layers = []
    for i in range(dh):
        e_i = len(range(i, e, dh))
        for j in range(dw):
            f_j = len(range(j, f, dw))
            if e_i and f_j:
                layers.append(ConvLayer(name=f"{name}.d{i}{j}", M=m, C=c_in, H=e_i + r - 1, W=f_j + s - 1,
                                        R=r, S=s, U=1, G=group))
    return layers


def _flattened_from(g: _Graph, tensor: str) -> tuple[int, int, int] | None:
    """``(C, H, W)`` of the 4-D tensor ``tensor`` was flattened from, if it was."""
    seen = 0
    while tensor in g.producer and seen < 32:
        node = g.producer[tensor]
        seen += 1
        if node.op_type in _FLATTEN:
            dims = g.shapes.get(node.input[0])
            if dims is not None and len(dims) == 4 and all(isinstance(d, int) and d > 0 for d in dims[1:]):
                return dims[1], dims[2], dims[3]
            return None
        if node.op_type not in _PASS_THROUGH:
            return None
        tensor = node.input[0]
    return None


def _relu_before(g: _Graph, tensor: str) -> bool:
    """Whether ``tensor`` comes from a ReLU, directly or through ops that keep its zeros."""
    seen = 0
    while tensor in g.producer and seen < 32:
        node = g.producer[tensor]
        seen += 1
        if node.op_type in _RELU:
            return True
        if node.op_type not in _KEEPS_ZEROS:
            return False
        tensor = node.input[0]
    return False  # a graph input


def skipped_summary(skipped: list[tuple[str, str]] | tuple[tuple[str, str], ...], names: int = 3) -> str:
    """``Relu ×2 (relu1, relu3), MaxPool ×1 (pool)``: skipped ``(name, op type)`` counted by type."""
    by_type: dict[str, list[str]] = {}
    for name, op in skipped:
        by_type.setdefault(op, []).append(name)
    parts = []
    for op, members in by_type.items():
        shown = ", ".join(members[:names]) + (", …" if len(members) > names else "")
        parts.append(f"{op} ×{len(members)} ({shown})")
    return ", ".join(parts)


def _fc(name: str, g: _Graph, a: str, k: int, m: int) -> ConvLayer:
    chw = _flattened_from(g, a)
    if chw is not None and prod(chw) == k:
        c, h, w = chw
        return ConvLayer(name=name, M=m, C=c, H=h, W=w, R=h, S=w)
    return ConvLayer(name=name, M=m, C=k, H=1, W=1, R=1, S=1)


def _gemm(node, index: int, g: _Graph) -> ConvLayer:
    name = _label(node, index)
    attrs = _attrs(node)
    a = _shape(g, node.input[0], name, 2)
    b = _shape(g, node.input[1], name, 2)
    (k,) = _known((a[0] if attrs.get("transA", 0) else a[1],), "input A", name)
    (m,) = _known((b[0] if attrs.get("transB", 0) else b[1],), "input B", name)
    return _fc(name, g, node.input[0], k, m)


def _matmul(node, index: int, g: _Graph) -> ConvLayer:
    name = _label(node, index)
    source = g.producer.get(node.input[1])
    if source is not None and source.op_type != "Constant":
        raise SpecError(f"MatMul of two activations (its right operand comes from {source.op_type}) is not a "
                        "layer with weights", field=name)
    a = _shape(g, node.input[0], name)
    k, m = _known(_shape(g, node.input[1], name, 2), "the weight", name)
    if len(a) <= 2:
        return _fc(name, g, node.input[0], k, m)
    tokens = prod(_known(a[1:-1], "input A", name))
    return ConvLayer(name=name, M=m, C=k, H=tokens, W=1, R=1, S=1)


def _unique_names(layers: list[ConvLayer]) -> list[ConvLayer]:
    from dataclasses import replace

    seen: dict[str, int] = {}
    out = []
    for layer in layers:
        count = seen.get(layer.name, 0)
        seen[layer.name] = count + 1
        out.append(layer if count == 0 else replace(layer, name=f"{layer.name}_{count}"))
    return out


def workload_from_onnx(model, name: str | None = None, dilation: str | DilationPolicy = "reject") -> Workload:
    """Import the compute layers of an ONNX model.

    Parameters
    ----------
    model : str, Path or onnx.ModelProto
        An ``.onnx`` file or a loaded model.
    name : str, optional
        Workload name; default: the model's graph name, else the file stem.
    dilation : {"reject", "split"}
        How to treat dilated convs (see the module docstring).

    Returns
    -------
    Workload
        Layers at ``N = 1``, in graph order.

    Raises
    ------
    SpecError
        onnx is not installed ("pip install 'accelsim[onnx]'"), the file cannot be read, a
        node cannot be expressed (``field`` is the node's name), or the model has no Conv,
        Gemm or MatMul.
    """
    onnx = _require_onnx()
    policy = DilationPolicy(str(getattr(dilation, "value", dilation)).lower())
    stem = ""
    if isinstance(model, (str, Path)):
        path = Path(model)
        stem = path.stem
        if not path.is_file():
            raise SpecError(f"no such file: {path}")
        try:
            model = onnx.load(str(path), load_external_data=False)
        except Exception as exc:  # noqa: BLE001 - protobuf raises several types
            raise SpecError(f"cannot read {path} as an ONNX model: {exc}") from None
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False)
    except Exception as exc:  # noqa: BLE001
        raise SpecError(f"ONNX shape inference failed: {exc}") from None
    g = _graph(inferred)
    layers: list[ConvLayer] = []
    no_relu: list[bool] = []  # per layer: its input does not come from a ReLU
    skipped: list[tuple[str, str]] = []
    for index, node in enumerate(inferred.graph.node):
        before = len(layers)
        if node.op_type == "Conv":
            layers.extend(_conv(node, index, g, policy))
        elif node.op_type == "Gemm":
            layers.append(_gemm(node, index, g))
        elif node.op_type == "MatMul":
            layers.append(_matmul(node, index, g))
        elif node.op_type in _UNSUPPORTED or (node.domain not in ("", "ai.onnx") and "Conv" in node.op_type):
            raise SpecError(f"{node.op_type} is not supported by the importer", field=_label(node, index))
        else:
            skipped.append((_label(node, index), node.op_type))
        no_relu += [not _relu_before(g, node.input[0])] * (len(layers) - before)
    if not layers:
        raise SpecError("the model has no Conv, Gemm or MatMul node to import")
    wl_name = name or inferred.graph.name or stem or "imported"
    layers = _unique_names(layers)
    zeros = tuple((layer.name, 0.0) for i, layer in enumerate(layers) if i > 0 and no_relu[i])
    counted = Counter(op for _, op in skipped)
    source = f"imported from {stem or wl_name}.onnx by accelsim import"
    if skipped:
        source += "; skipped (no MACs in this model): " + ", ".join(f"{op} {n}" for op, n in counted.items())
    return Workload(name=wl_name, layers=tuple(layers), source=source, meta={"skipped_ops": tuple(skipped)},
                    ifmap_zero_fractions=zeros)


def workload_yaml(workload: Workload, comment: str = "") -> str:
    """A workload file (docs/architecture.md, *Results*) for ``workload``, in the presets' one-line-per-layer style.

    Parameters
    ----------
    workload : Workload
        Layers (their ``N`` is not written).
    comment : str
        Lines put at the top as YAML comments.
    """
    def text(value: str) -> str:
        if _PLAIN.match(value) and value.lower() not in ("true", "false", "null", "yes", "no", "on", "off"):
            return value
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML flow scalar

    lines = [f"# {line}" for line in comment.splitlines()]
    lines += ["version: 1", f"name: {text(workload.name)}", f"source: {text(workload.source)}", "layers:"]
    for layer in workload.layers:
        keys = ["M", "C", "H", "W", "R", "S"] + [k for k in ("U", "G") if getattr(layer, k) != 1]
        body = ", ".join(f"{k}: {getattr(layer, k)}" for k in keys)
        zeros = workload.ifmap_zero_fraction(layer.name)
        body += f", ifmap_zero_fraction: {zeros!r}" if zeros is not None else ""
        lines.append(f"  - {{name: {text(layer.name)}, {body}}}   # E={layer.E}, F={layer.F}")
    return "\n".join(lines) + "\n"
