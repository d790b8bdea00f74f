"""Sparse layer data: a layer's ifmap and filter densities, and seeded tensors at given densities.

A *density* is the fraction of non-zero values of a tensor (``1 − zero fraction``). A workload
states it per layer (``density: {ifmap, filter}``) or gives the tensors (``data:``, ``.npy``
values or boolean masks), and :class:`~accelsim.spec.layer.ConvLayer` carries both
(``ifmap_density``, ``filter_density``, ``ifmap_data``, ``filter_data``). Nothing in the engines
reads them yet (issue #17: the sparse PE is a later part); v1's zero gating and RLC read a
stated ifmap density as the ifmap zero fraction ``1 − density``
(:meth:`~accelsim.spec.layer.Workload.ifmap_zero_fraction`).

Relation to :mod:`accelsim.sim.activations`. That module's zero fractions (the image: 0;
AlexNet's measured JSSC 2017 ones; else a ReLU's 0.5) are the *activation model* for layers
whose workload states nothing; :func:`resolve_densities` gives ``1 − that`` as the ifmap
density of such a layer, so AlexNet keeps its measured fractions, and weights are dense unless
stated. A stated density or data always wins.

The generator (:func:`sparse_tensor`, :func:`layer_tensors`) places exactly
``round(density · size)`` non-zeros (Python rounding, ties to even: :func:`nonzero_count`) at a
uniformly random subset of positions (a seeded permutation), so a tensor meets its density as
closely as its size allows and equal arguments give equal arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from ..errors import SpecError
from ..spec.layer import ConvLayer, TensorData, check_density
from .activations import default_zero_fraction


class Fill(Enum):
    """What a generated tensor holds at its non-zero positions."""

    #: a boolean mask: ``True`` at the non-zeros
    MASK = "mask"
    #: post-ReLU activations: integers 1 .. 2**(bits-1) - 1
    POSITIVE = "positive"
    #: weights: non-zero integers of the signed ``bits``-bit range
    SIGNED = "signed"


class DensitySource(Enum):
    """Where a layer's density came from (:func:`resolve_densities`)."""

    #: counted on the layer's ``data`` tensor or mask
    DATA = "data"
    #: the workload's ``density`` (or, ifmap, its ``ifmap_zero_fraction``)
    WORKLOAD = "workload"
    #: ifmap: ``1 −`` :func:`~accelsim.sim.activations.default_zero_fraction` (image, AlexNet measured, ReLU 0.5)
    ACTIVATION_MODEL = "activation_model"
    #: filter: nothing stated, dense weights
    DENSE = "dense"


@dataclass(frozen=True, slots=True)
class LayerDensities:
    """A layer's ifmap and filter densities (fractions of non-zeros, in [0, 1]) and their sources."""

    ifmap: float
    filter: float
    ifmap_source: DensitySource
    filter_source: DensitySource


def resolve_densities(layer: ConvLayer, *, first_layer: bool = False, network: str | None = None,
                      ifmap_zero_fraction: float | None = None) -> LayerDensities:
    """The densities a layer's data has: stated (data, then density), else the activation model.

    Parameters
    ----------
    layer : ConvLayer
    first_layer : bool
        The layer reads the network's input (the image: dense).
    network : str, optional
        The workload's name (AlexNet's measured fractions apply to ``alexnet``).
    ifmap_zero_fraction : float, optional
        The workload's stated ifmap zero fraction of the layer
        (:meth:`~accelsim.spec.layer.Workload.ifmap_zero_fraction`), used when the layer states
        no ifmap density.

    Returns
    -------
    LayerDensities
    """
    if layer.ifmap_data is not None:
        ifmap, ifmap_src = layer.ifmap_data.density, DensitySource.DATA
    elif layer.ifmap_density is not None:
        ifmap, ifmap_src = layer.ifmap_density, DensitySource.WORKLOAD
    elif ifmap_zero_fraction is not None:
        ifmap, ifmap_src = 1.0 - ifmap_zero_fraction, DensitySource.WORKLOAD
    else:
        ifmap = 1.0 - default_zero_fraction(layer.name, first_layer, network)
        ifmap_src = DensitySource.ACTIVATION_MODEL
    if layer.filter_data is not None:
        filt, filt_src = layer.filter_data.density, DensitySource.DATA
    elif layer.filter_density is not None:
        filt, filt_src = layer.filter_density, DensitySource.WORKLOAD
    else:
        filt, filt_src = 1.0, DensitySource.DENSE
    return LayerDensities(ifmap=ifmap, filter=filt, ifmap_source=ifmap_src, filter_source=filt_src)


def nonzero_count(size: int, density: float) -> int:
    """Non-zeros :func:`sparse_tensor` places in ``size`` values: ``round(density · size)``
    (Python's :func:`round`, ties to even)."""
    return round(float(density) * size)


def _value_range(fill: Fill, bits: int) -> tuple[int, int]:
    if not 2 <= int(bits) <= 63:
        raise SpecError(f"a value width must be 2..63 bits, got {bits}", "bits")
    top = (1 << (int(bits) - 1)) - 1
    return (1, top) if fill is Fill.POSITIVE else (-top - 1, top)


def _nonzero_values(rng: np.random.Generator, count: int, fill: Fill, bits: int) -> np.ndarray:
    """``count`` non-zero integers drawn uniformly from the fill's range (0 excluded)."""
    lo, hi = _value_range(fill, bits)
    if fill is Fill.POSITIVE:
        return rng.integers(lo, hi, size=count, dtype=np.int64, endpoint=True)
    drawn = rng.integers(lo, hi - 1, size=count, dtype=np.int64, endpoint=True)  # hi - lo values, 0 skipped
    return drawn + (drawn >= 0)


def sparse_tensor(shape: int | Sequence[int], density: float, seed: int, fill: Fill = Fill.SIGNED,
                  bits: int = 8) -> np.ndarray:
    """A seeded tensor with exactly ``round(density · size)`` non-zeros at uniform random positions.

    Parameters
    ----------
    shape : int or sequence of int
        Array shape (values, not bytes).
    density : float
        Fraction of non-zeros, in (0, 1].
    seed : int
        Seed of :func:`numpy.random.default_rng`; equal arguments give equal arrays.
    fill : Fill
        ``MASK`` (bool), ``POSITIVE`` (post-ReLU activations) or ``SIGNED`` (weights).
    bits : int
        Word width of the values (default 8, Eyeriss v2's); ignored for a mask.

    Returns
    -------
    numpy.ndarray, shape ``shape``
        bool for ``MASK``, else int64; non-zero values uniform over the fill's range.

    Raises
    ------
    SpecError
        A density outside (0, 1], a negative extent or a width outside 2..63 bits.
    """
    dims = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
    if any(d < 0 for d in dims):
        raise SpecError(f"a tensor shape needs non-negative extents, got {dims}", "shape")
    density = check_density(density, "density")
    size = int(np.prod(dims, dtype=np.int64))
    k = nonzero_count(size, density)
    rng = np.random.default_rng(seed)
    at = rng.permutation(size)[:k]
    if fill is Fill.MASK:
        out = np.zeros(size, dtype=bool)
        out[at] = True
    else:
        out = np.zeros(size, dtype=np.int64)
        out[at] = _nonzero_values(rng, k, fill, bits)
    return out.reshape(dims)


def _fill_mask(mask: np.ndarray, seed: int, fill: Fill, bits: int) -> np.ndarray:
    """Seeded non-zero values at a mask's ``True`` positions."""
    rng = np.random.default_rng(seed)
    out = np.zeros(mask.shape, dtype=np.int64)
    out[mask] = _nonzero_values(rng, int(mask.sum()), fill, bits)
    return out


def _from_data(data: TensorData, seed: int, fill: Fill, bits: int) -> np.ndarray:
    if data.is_mask:
        return _fill_mask(np.asarray(data.values), seed, fill, bits)
    return np.array(data.values, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class SparseInputs:
    """A layer's ifmap ``int64[N, C, H, W]`` and filters ``int64[M, C/G, R, S]``."""

    ifmap: np.ndarray
    filters: np.ndarray


def layer_tensors(layer: ConvLayer, densities: LayerDensities, seed: int = 0, *,
                  ifmap_bits: int = 8, filter_bits: int = 8) -> SparseInputs:
    """A layer's tensors at its densities: its ``data`` where given, else seeded ones.

    Parameters
    ----------
    layer : ConvLayer
        ``N`` images; ``ifmap_data`` (one image) is repeated for each, a mask's non-zeros get
        seeded values (the same for every image).
    densities : LayerDensities
        :func:`resolve_densities` of the layer; a generated ifmap has exactly
        ``round(densities.ifmap · N·C·H·W)`` non-zeros (post-ReLU values, ``Fill.POSITIVE``) and
        the filters ``round(densities.filter · M·(C/G)·R·S)`` (``Fill.SIGNED``). A density of 0
        (the activation model can say the ifmap is all zeros) gives a zero tensor.
    seed : int
        The ifmap is drawn from ``(seed, 0)``, the filters from ``(seed, 1)``.
    ifmap_bits, filter_bits : int
        Value widths (Eyeriss v2: 8 and 8).

    Returns
    -------
    SparseInputs
    """
    ifmap_seed, filter_seed = (seed, 0), (seed, 1)
    if layer.ifmap_data is not None:
        image = _from_data(layer.ifmap_data, ifmap_seed, Fill.POSITIVE, ifmap_bits)
        ifmap = np.broadcast_to(image, (layer.N, *image.shape)).copy()
    else:
        ifmap = _generated((layer.N, layer.C, layer.H, layer.W), densities.ifmap, ifmap_seed, Fill.POSITIVE,
                           ifmap_bits)
    if layer.filter_data is not None:
        filters = _from_data(layer.filter_data, filter_seed, Fill.SIGNED, filter_bits)
    else:
        filters = _generated((layer.M, layer.C // layer.G, layer.R, layer.S), densities.filter, filter_seed,
                             Fill.SIGNED, filter_bits)
    return SparseInputs(ifmap=ifmap, filters=filters)


def _generated(shape: tuple[int, ...], density: float, seed, fill: Fill, bits: int) -> np.ndarray:
    if density == 0:
        return np.zeros(shape, dtype=np.int64)
    return sparse_tensor(shape, density, seed, fill, bits)
