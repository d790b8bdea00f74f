"""Hypothesis strategies and case builders shared by the property tests.

Tiny layers (a few thousand MACs at most, so the enumerating reference counter and the cycle
engine stay fast), the dataflow names, and the random mappings of every dataflow on the 8×8
array the properties assume.
"""

from __future__ import annotations

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

from accelsim.dataflows import available, template
from accelsim.search.mapspace import random_mapping
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Mapping

#: every dataflow the package implements, by name, in :func:`accelsim.dataflows.available` order
DATAFLOWS: list[str] = [df.value for df in available()]

#: PE rows and columns of the array the random mappings are drawn for
ARRAY_SIDE = 8


@st.composite
def layers(draw) -> ConvLayer:
    """Tiny grouped convolutions, FC-like half the time.

    Returns
    -------
    ConvLayer
        ``G`` 1-2, ``N`` 1-2, per group ``M`` and ``C`` 1-4, ``R``, ``S`` 1-3, stride ``U`` 1-2;
        then either ``E = F = 1`` (FC-like) or ``E``, ``F`` 1-4 each, with ``H``, ``W`` the
        smallest ifmap giving that output.
    """
    g = draw(st.sampled_from([1, 2]))
    n = draw(st.integers(1, 2))
    m = g * draw(st.integers(1, 4))
    c = g * draw(st.integers(1, 4))
    r = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    u = draw(st.integers(1, 2))
    if draw(st.booleans()):  # FC-like half the time, so both shapes get attention
        e = f = 1
    else:
        e = draw(st.integers(1, 4))
        f = draw(st.integers(1, 4))
    return ConvLayer(name="t", N=n, M=m, C=c, G=g, R=r, S=s, U=u, H=(e - 1) * u + r, W=(f - 1) * u + s)


@st.composite
def odd_layers(draw) -> ConvLayer:
    """Depthwise, odd non-square, strided and FC-like tiny convolutions.

    Returns
    -------
    ConvLayer
        ``G`` 1-4; depthwise (``M = C = G``) half the time, else per group ``M`` and ``C`` 1-3;
        ``R``, ``S`` 1-3, stride ``U`` 1-3, ``E``, ``F`` 1-6 each, ``N`` 1-2, with ``H``, ``W``
        the smallest ifmap giving that output.
    """
    g = draw(st.integers(1, 4))
    depthwise = draw(st.booleans())
    m = g if depthwise else g * draw(st.integers(1, 3))
    c = g if depthwise else g * draw(st.integers(1, 3))
    r = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    u = draw(st.integers(1, 3))
    e = draw(st.integers(1, 6))
    f = draw(st.integers(1, 6))
    return ConvLayer(name="t", N=draw(st.integers(1, 2)), M=m, C=c, G=g, R=r, S=s, U=u,
                     H=(e - 1) * u + r, W=(f - 1) * u + s)


def random_mapping_8x8(layer: ConvLayer, dataflow: str, seed: int) -> Mapping:
    """A random mapping of ``layer`` for ``dataflow`` on an ``ARRAY_SIDE`` × ``ARRAY_SIDE``
    array, drawn by :func:`accelsim.search.mapspace.random_mapping` from ``seed``.

    Raises
    ------
    ValueError
        When the dataflow needs more PEs than the array has for this layer.
    """
    return random_mapping(layer, dataflow, np.random.default_rng(seed), rows=ARRAY_SIDE, cols=ARRAY_SIDE)


def make_case(layer: ConvLayer, dataflow: str, seed: int, halo: bool) -> tuple[Mapping, int]:
    """A random mapping (:func:`random_mapping_8x8`) and the kernels' window bits for it.

    Returns
    -------
    (Mapping, int)
        The mapping, and the window bit mask: bit 0 (array forwarding) the dataflow's, bit 1
        (GLB halo reuse) ``halo`` — what :func:`accelsim.dataflows.lowering.window_flags`
        gives for a machine with ``glb_halo_reuse = halo``.
    """
    mapping = random_mapping_8x8(layer, dataflow, seed)
    return mapping, (1 if template(dataflow).window else 0) | (2 if halo else 0)


def make_case_or_reject(layer: ConvLayer, dataflow: str, seed: int, halo: bool) -> tuple[Mapping, int]:
    """:func:`make_case`, but a layer the dataflow cannot map onto 8×8 PEs (a ``ValueError``)
    rejects the hypothesis example instead of failing the test (:func:`odd_layers` can be too
    large for that)."""
    try:
        return make_case(layer, dataflow, seed, halo)
    except ValueError:
        reject()
