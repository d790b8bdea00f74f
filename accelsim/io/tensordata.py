"""Reading a layer's real ifmap or filter tensor (or its zero mask) from a ``.npy`` file.

A workload file's ``data: {ifmap: path.npy, filter: path.npy}`` names them, relative to the
workload file. The ifmap is one image, ``(C, H, W)`` or ``(1, C, H, W)`` with ``H``, ``W`` the
padded extents the layer reads (a ``pad`` border is part of the tensor, zeros or not as the
file says); the filters are ``(M, C/G, R, S)``. An integer array gives values, a boolean one a
mask (``True`` = non-zero). Every failure is one :class:`~accelsim.errors.SpecError` naming the
workload file, the field (``layers[3].data.ifmap``) and the constraint.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ..errors import SpecError
from ..spec.layer import ConvLayer, TensorData

#: The kinds of tensor a layer's ``data`` may name.
KINDS = ("ifmap", "filter")


def expected_shapes(layer: ConvLayer, kind: str) -> tuple[tuple[int, ...], ...]:
    """The shapes a ``kind`` (``ifmap`` or ``filter``) file of ``layer`` may have, the stored one first."""
    if kind == "ifmap":
        return (layer.C, layer.H, layer.W), (1, layer.C, layer.H, layer.W)
    return ((layer.M, layer.C // layer.G, layer.R, layer.S),)


def _names(kind: str) -> str:
    return "(C, H, W) or (1, C, H, W)" if kind == "ifmap" else "(M, C/G, R, S)"


def load_tensor_data(path: str | Path, layer: ConvLayer, kind: str, field: str, origin: str = "") -> TensorData:
    """Read and check one tensor of ``layer``.

    Parameters
    ----------
    path : str or Path
        The ``.npy`` file (already resolved against the workload file's directory).
    layer : ConvLayer
        The layer (its shape; ``N`` is ignored: the data is one image).
    kind : {"ifmap", "filter"}
    field : str
        The field path for messages (``layers[3].data.ifmap``).
    origin : str
        The workload file, for messages.

    Returns
    -------
    TensorData
        Values as int64 (or a bool mask), read-only, in the stored shape of :func:`expected_shapes`.

    Raises
    ------
    SpecError
        The file is missing or not a single non-pickled ``.npy`` array, its dtype is neither
        integer nor bool, or its shape is not the layer's.
    """
    where = f" (in {origin})" if origin else ""
    name = str(path)
    if not Path(name).is_file():
        raise SpecError(f"no such file: {name}{where}", field)
    try:
        arr = np.load(name, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise SpecError(f"cannot read {name} as a .npy array: {exc}{where}", field) from None
    if not isinstance(arr, np.ndarray):
        raise SpecError(f"{name} is not a single .npy array{where}", field)
    if arr.dtype.kind not in "iub":
        raise SpecError(f"{name} holds {arr.dtype} values; give integers (quantised values) or a boolean "
                        f"mask{where}", field)
    shapes = expected_shapes(layer, kind)
    if arr.shape not in shapes:
        raise SpecError(f"{name} has shape {arr.shape}; layer {layer.name}'s {kind} is {_names(kind)} = "
                        f"{' or '.join(str(s) for s in shapes)}{where}", field)
    arr = arr.reshape(shapes[0])
    is_mask = arr.dtype.kind == "b"
    values = np.ascontiguousarray(arr if is_mask else arr.astype(np.int64))
    nonzeros = int(np.count_nonzero(values))
    if nonzeros == 0:
        raise SpecError(f"{name} has no non-zero entry: a density must lie in (0, 1]{where}", field)
    digest = hashlib.sha256(f"{values.dtype.str}{values.shape}".encode() + values.tobytes()).hexdigest()
    values.setflags(write=False)
    return TensorData(path=name, values=values, is_mask=is_mask, nonzeros=nonzeros, digest=digest)
