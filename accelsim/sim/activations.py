"""Input activations for data-dependent simulation: seeded post-ReLU fmaps or a user's ``.npy``.

Only the zero pattern of an fmap changes what the simulator counts (zero gating skips the
filter-spad read and the MAC; RLC shrinks DRAM traffic); the non-zero values only have to be
representable as 16-bit signed words.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ..errors import SpecError
from ..spec.assumptions import ZeroSource

#: Fraction of zero ifmap values at the input of each AlexNet CONV layer (batch-averaged).
#:
#: Source: Chen, Krishna, Emer, Sze, "Eyeriss: An Energy-Efficient Reconfigurable Accelerator
#: for Deep Convolutional Neural Networks", IEEE JSSC 52(1), 2017, Sec. IV-B: "In AlexNet, almost
#: 40% of ifmap values of CONV2 are zeros on average, and it goes up to around 75% at CONV5."
#: ``conv1`` reads the image (no ReLU before it: 0 zeros; the chip does not RLC-compress it).
#: ``conv3`` and ``conv4`` are not published; they are interpolated linearly in the layer index
#: between CONV2 (0.40) and CONV5 (0.75): 0.40 + k · 0.35 / 3 for k = 1, 2.
JSSC_ZERO_FRACTION: dict[str, float] = {
    "conv1": 0.0,
    "conv2": 0.40,
    "conv3": 0.40 + 0.35 / 3,  # 0.5167, interpolated
    "conv4": 0.40 + 2 * 0.35 / 3,  # 0.6333, interpolated
    "conv5": 0.75,
}

#: Zero fraction assumed for an fmap nothing better is known about: a ReLU of pre-activations
#: with median 0 zeroes half of them. The analytic engine's default for every ofmap, and for
#: the ifmap of a layer (not the first) whose name is not in :data:`JSSC_ZERO_FRACTION`; also
#: about what the cycle engine's ofmaps measure (seeded filters symmetric around 0).
RELU_ZERO_FRACTION = 0.5

#: Fraction of zeros in the ReLU'd ofmap each AlexNet CONV layer writes to DRAM: the input of
#: the next layer (:data:`JSSC_ZERO_FRACTION`). CONV3 and CONV4 write exactly the next layer's
#: input; CONV1 and CONV2 write the ofmap before max pooling, which has at least the pooled
#: map's zeros (a pooled value is zero only if its whole window is), so the next layer's
#: fraction is a lower bound there. CONV5 feeds FC1 (not published): not in the table.
JSSC_OFMAP_ZERO_FRACTION: dict[str, float] = {
    "conv1": JSSC_ZERO_FRACTION["conv2"],
    "conv2": JSSC_ZERO_FRACTION["conv3"],
    "conv3": JSSC_ZERO_FRACTION["conv4"],
    "conv4": JSSC_ZERO_FRACTION["conv5"],
}

#: Seed of the ifmaps the cycle engine generates for data-dependent runs.
ACTIVATION_SEED = 0


def check_zero_fraction(value, field: str = "zero_fraction") -> float:
    """``value`` as a float in [0, 1], or a :class:`SpecError` naming ``field``."""
    try:
        zf = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"zero fraction must be a number in [0, 1], got {value!r}", field) from None
    if isinstance(value, bool) or not 0.0 <= zf <= 1.0:
        raise SpecError(f"zero fraction must lie in [0, 1], got {value!r}", field)
    return zf


#: The network the JSSC tables describe.
JSSC_NETWORK = "alexnet"


def _source(table: dict, layer_name: str, network: str | None) -> ZeroSource:
    if network in (None, JSSC_NETWORK) and layer_name in table:
        return ZeroSource.ALEXNET_MEASURED
    return ZeroSource.RELU_DEFAULT


def _measured(table: dict, layer_name: str, network: str | None) -> float:
    return table[layer_name] if _source(table, layer_name, network) is ZeroSource.ALEXNET_MEASURED \
        else RELU_ZERO_FRACTION


def zero_fraction_source(layer_name: str, first_layer: bool, network: str | None = None) -> ZeroSource:
    """Where :func:`default_zero_fraction` takes its value from (same arguments)."""
    return ZeroSource.FIRST_LAYER if first_layer else _source(JSSC_ZERO_FRACTION, layer_name, network)


def ofmap_zero_fraction_source(layer_name: str, network: str | None = None) -> ZeroSource:
    """Where :func:`default_ofmap_zero_fraction` takes its value from (same arguments)."""
    return _source(JSSC_OFMAP_ZERO_FRACTION, layer_name, network)


def default_zero_fraction(layer_name: str, first_layer: bool, network: str | None = None) -> float:
    """Zero fraction of a layer's ifmap when the user gives none.

    Parameters
    ----------
    layer_name : str
        Looked up in :data:`JSSC_ZERO_FRACTION` (AlexNet's ``conv1`` … ``conv5``).
    first_layer : bool
        The layer reads the network's input (an image: no ReLU before it, 0 zeros).
    network : str, optional
        The workload's name: the table applies to ``alexnet`` (or, with ``None``, to any layer
        of that name); another network's layers get :data:`RELU_ZERO_FRACTION`.

    Returns
    -------
    float
        0 for the first layer; else the JSSC fraction of ``layer_name``, or
        :data:`RELU_ZERO_FRACTION`.
    """
    if first_layer:
        return 0.0
    return _measured(JSSC_ZERO_FRACTION, layer_name, network)


def default_ofmap_zero_fraction(layer_name: str, network: str | None = None) -> float:
    """Zero fraction of a layer's ReLU'd ofmap when the user gives none:
    :data:`JSSC_OFMAP_ZERO_FRACTION` by layer name (AlexNet, as in
    :func:`default_zero_fraction`), else :data:`RELU_ZERO_FRACTION`."""
    return _measured(JSSC_OFMAP_ZERO_FRACTION, layer_name, network)


def zero_pattern(values: np.ndarray, zero_fraction: float) -> np.ndarray:
    """The zero pattern of ``values`` after a bias and ReLU that zero ``zero_fraction`` of them.

    A layer's bias shifts its output before the ReLU; the bias that leaves exactly
    ``round(zero_fraction · size)`` zeros zeroes the smallest outputs (ties by position). Only
    where the zeros are matters for RLC, so the result is 0 there and 1 elsewhere.

    Parameters
    ----------
    values : numpy.ndarray
        Integer outputs of any shape (e.g. the ofmap, (N, M, E, F)).
    zero_fraction : float
        In [0, 1].

    Returns
    -------
    numpy.ndarray
        int64 of the same shape.
    """
    flat = np.asarray(values).ravel()
    k = int(round(check_zero_fraction(zero_fraction) * flat.size))
    out = np.ones(flat.size, dtype=np.int64)
    out[np.argsort(flat, kind="stable")[:k]] = 0
    return out.reshape(np.shape(values))


def _check_shape(shape) -> tuple[int, ...]:
    try:
        dims = tuple(int(d) for d in shape)
    except TypeError:
        dims = (int(shape),)
    if any(d < 0 for d in dims):
        raise SpecError(f"activation shape must have non-negative extents, got {dims}", "shape")
    return dims


def zero_count(size: int, zero_fraction: float) -> int:
    """Number of zeros :func:`relu_activations` places: ``round(zero_fraction * size)``.

    Python's :func:`round` (ties to even) is used.
    """
    return round(float(zero_fraction) * size)


def relu_activations(shape: int | Sequence[int], zero_fraction: float, seed: int,
                     bits: int = 16) -> np.ndarray:
    """A seeded, synthetic post-ReLU fmap with an exact number of zeros.

    Parameters
    ----------
    shape : int or sequence of int
        Array shape, e.g. ``(N, C, H, W)`` of an ifmap (values, not bytes).
    zero_fraction : float
        Fraction of zero values, in [0, 1]. Exactly ``round(zero_fraction * size)`` entries
        (Python rounding, ties to even; see :func:`zero_count`) are zero.
    seed : int
        Seed of :func:`numpy.random.default_rng`; equal arguments give equal arrays.
    bits : int, optional
        Word width in bits (default 16, Eyeriss's); non-zeros lie in [1, 2**(bits-1)).

    Returns
    -------
    numpy.ndarray of int64, shape ``shape``
        The zero positions are a uniformly random subset of the given size (a random
        permutation of all positions); every non-zero is drawn independently and uniformly
        from the integers 1 .. 2**(bits-1) - 1 (the positive range of a ``bits``-bit signed
        word). Real activations are skewed towards small values, but no count the simulator
        reports depends on non-zero magnitudes.

    Raises
    ------
    SpecError
        If ``zero_fraction`` is outside [0, 1], ``bits`` is outside [2, 63] or ``shape`` has a
        negative extent.
    """
    dims = _check_shape(shape)
    zf = float(zero_fraction)
    if not 0.0 <= zf <= 1.0:
        raise SpecError(f"zero fraction must lie in [0, 1], got {zero_fraction}", "zero_fraction")
    if not 2 <= int(bits) <= 63:
        raise SpecError(f"activation width must be 2..63 bits, got {bits}", "bits")
    size = int(np.prod(dims, dtype=np.int64))
    zeros = zero_count(size, zf)
    rng = np.random.default_rng(seed)
    out = np.zeros(size, dtype=np.int64)
    nonzero_at = rng.permutation(size)[zeros:]
    out[nonzero_at] = rng.integers(1, 1 << (int(bits) - 1), size=size - zeros, dtype=np.int64)
    return out.reshape(dims)


def load_activations(path: str | os.PathLike, shape: int | Sequence[int],
                     bits: int = 16) -> np.ndarray:
    """Read a user's activations from a ``.npy`` file and check them.

    Parameters
    ----------
    path : str or path-like
        A NumPy ``.npy`` file (no pickles).
    shape : int or sequence of int
        The shape the layer expects, e.g. ``(N, C, H, W)``.
    bits : int, optional
        Word width in bits (default 16); every value must fit a ``bits``-bit signed word.

    Returns
    -------
    numpy.ndarray of int64, shape ``shape``

    Raises
    ------
    SpecError
        Naming the file, if it cannot be read as a ``.npy``, or its dtype is not integer, or
        its shape differs from ``shape``, or a value does not fit ``bits`` signed bits.
    """
    dims = _check_shape(shape)
    name = os.fspath(path)
    try:
        arr = np.load(name, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise SpecError(f"cannot read activations from {name!r}: {exc}", "activations") from exc
    if not isinstance(arr, np.ndarray):
        raise SpecError(f"{name!r} is not a single .npy array", "activations")
    if arr.dtype.kind not in "iu":
        raise SpecError(f"{name!r} holds {arr.dtype} values; activations must be integers "
                        f"(quantised {bits}-bit words)", "activations")
    if arr.shape != dims:
        raise SpecError(f"{name!r} has shape {arr.shape}; the layer expects {dims}",
                        "activations")
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if arr.size and (int(arr.min()) < lo or int(arr.max()) > hi):
        raise SpecError(f"{name!r} has values in [{arr.min()}, {arr.max()}], outside the "
                        f"{bits}-bit signed range [{lo}, {hi}]", "activations")
    return arr.astype(np.int64)
