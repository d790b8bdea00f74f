"""Hypothesis strategies and case builders shared by the property tests.

Tiny layers (a few thousand MACs at most, so the enumerating reference counter and the cycle
engine stay fast), the dataflow names, the random mappings of every dataflow on the 8×8
array the properties assume, and random mappings with flattened loops (:func:`flat_cases`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

from accelsim.dataflows import available, template
from accelsim.search.mapspace import random_mapping
from accelsim.spec.layer import ConvLayer
from accelsim.spec.dims import Dim, Flat, LoopKind, Place, Reduction
from accelsim.spec.mapping import Loop, Mapping

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


# ----------------------------------------------------------------------------- flattened loops
#: the groups a dataflow may flatten (im2col's output pixels, a filter's window and channels)
FLAT_GROUPS: tuple[tuple[Dim, ...], ...] = (
    (Dim.N, Dim.E, Dim.F), (Dim.E, Dim.F), (Dim.C, Dim.R, Dim.S), (Dim.R, Dim.S))
#: more groups, for the counting semantics only (no dataflow places them): members out of
#: order, groups a data type depends on only in part, a window inside one group
ODD_GROUPS: tuple[tuple[Dim, ...], ...] = (
    (Dim.F, Dim.E), (Dim.M, Dim.C), (Dim.N, Dim.C), (Dim.S, Dim.R, Dim.C), (Dim.E, Dim.R), (Dim.G, Dim.M))


def loop_places(mapping: Mapping) -> list[Place]:
    """The place of every loop of ``mapping``: ``row``/``col`` for spatial loops; ``outer`` above
    the array and ``pe`` below it (without spatial loops, by :meth:`Mapping.level_of`)."""
    spatial = [j for j, lp in enumerate(mapping.loops) if lp.spatial]
    out = []
    for j, lp in enumerate(mapping.loops):
        if lp.kind is LoopKind.ROW:
            out.append(Place.ROW)
        elif lp.kind is LoopKind.COL:
            out.append(Place.COL)
        elif spatial:
            out.append(Place.PE if j > spatial[-1] else Place.OUTER)
        else:
            out.append(Place.PE if mapping.level_of(j) == "PE" else Place.OUTER)
    return out


def shrink_bounds(layer: ConvLayer, mapping: Mapping, draw) -> ConvLayer:
    """A layer whose bounds ``mapping``'s factors cover with padding (ragged last tiles; never a
    whole outermost iteration), as ``tests/test_ragged.py`` draws them."""
    product = mapping.factors()
    bounds = list(product)
    for d in Dim:
        outer = next((lp.factor for lp in mapping.loops if lp.dim == d), 1)
        tile = product[d] // outer
        bounds[d] = draw(st.integers((outer - 1) * tile + 1, product[d]))
    g, n, mg, cg, e, f, r, s = bounds
    return ConvLayer(name="ragged", N=n, M=g * mg, C=g * cg, G=g, R=r, S=s, U=layer.U,
                     H=(e - 1) * layer.U + r, W=(f - 1) * layer.U + s)


def flatten(mapping: Mapping, layer: ConvLayer, groups, draw) -> Mapping:
    """``mapping`` with every loop over a member of each group in ``groups`` (disjoint) turned
    into a loop over the group, in place (same kind and position, so residences and the spatial
    structure stay), with new factors: inner ones drawn, the outermost the fewest covering the
    group's extent (a ragged last iteration when they do not divide it). A group none of whose
    members has a loop is left out."""
    loops = list(mapping.loops)
    bounds = layer.loop_bounds()
    for members in groups:
        flat = Flat(tuple(members))
        at = [j for j, lp in enumerate(loops) if lp.dim in members]
        if not at:
            continue
        extent = flat.extent(bounds)
        tile = 1
        factors = {}
        for j in reversed(at[1:]):
            top = max(1, min(loops[j].factor, 8) if loops[j].spatial else min(6, extent // tile))
            factors[j] = draw(st.integers(1, top))
            tile *= factors[j]
        factors[at[0]] = -(-extent // tile)
        for j in at:
            loops[j] = Loop(flat, factors[j], loops[j].kind, loops[j].reduction)
    return Mapping(loops=tuple(loops), glb=mapping.glb, rf=mapping.rf, dataflow=mapping.dataflow)


def legal_groups(mapping: Mapping, dataflow: str) -> list[tuple[Dim, ...]]:
    """The groups of :data:`FLAT_GROUPS` the dataflow allows where ``mapping`` puts their
    members' loops: every member may sit at every place one of them has a loop."""
    tpl = template(dataflow)
    places = loop_places(mapping)
    out = []
    for members in FLAT_GROUPS:
        used = {places[j] for j, lp in enumerate(mapping.loops) if lp.dim in members}
        if all(pl.value in tpl.places(d) for d in members for pl in used):
            out.append(members)
    return out


@st.composite
def flat_cases(draw, odd: bool = True):
    """``(layer, mapping, window)``: a tiny layer, ragged half the time, and a random mapping of
    a random dataflow on 8×8 PEs with one or two of its loops' dimension groups flattened
    (:func:`flatten`; groups the dataflow allows there, or with ``odd`` also any of
    :data:`ODD_GROUPS`), and random window bits."""
    layer = draw(layers())
    dataflow = draw(st.sampled_from(DATAFLOWS))
    plain = random_mapping_8x8(layer, dataflow, draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        layer = shrink_bounds(layer, plain, draw)
    pool = legal_groups(plain, dataflow)
    if odd and draw(st.booleans()):
        pool = pool + list(ODD_GROUPS)
    if not pool:
        reject()
    chosen = [draw(st.sampled_from(pool))]
    rest = [g for g in pool if not set(g) & set(chosen[0])]
    if rest and draw(st.booleans()):
        chosen.append(draw(st.sampled_from(rest)))
    mapping = flatten(plain, layer, chosen, draw)
    if not mapping.flat_groups:
        reject()
    return layer, mapping, draw(st.integers(0, 3))


# ----------------------------------------------------------------------------- cluster loops (hierarchical mesh)
def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def clusterise(mapping: Mapping, draw) -> Mapping:
    """``mapping`` with cluster loops (``CROW`` / ``CCOL``, a hierarchical mesh's cluster array):
    each spatial loop gives a random divisor of its factor to a new cluster loop (a ``ROW`` loop to
    ``CROW``, a ``COL`` loop to ``CCOL``; the PE loop keeps the rest, or goes when nothing is
    left), and a temporal loop between the GLB tile starts and the first spatial loop may turn
    into a cluster loop (any reduction). The cluster loops are inserted, in the order of their PE
    loops, at a random position between the lowest GLB tile start and the first PE loop (so
    temporal loops may lie between the cluster loops and the PE loops); tile starts move with the
    loops they start at. Rejects the example when no cluster loop results."""
    loops = list(mapping.loops)
    spatial = [j for j, lp in enumerate(loops) if lp.spatial]
    glb = [g for g in mapping.glb if g is not None]
    top = max(glb) if glb else 0
    first = spatial[0] if spatial else len(loops)
    if not spatial:
        first = min([r for r in mapping.rf if r is not None] + [len(loops)])
    cluster: list[Loop] = []
    keep: list[Loop | None] = list(loops)
    for j in range(top, first):  # temporal loops above the array may run across clusters instead
        lp = loops[j]
        if lp.factor > 1 and draw(st.integers(0, 3)) == 0:
            kind = draw(st.sampled_from([LoopKind.CROW, LoopKind.CCOL]))
            red = draw(st.sampled_from(list(Reduction)))
            keep[j] = Loop(lp.dim, lp.factor, kind, red)
    for j in spatial:
        lp = loops[j]
        a = draw(st.sampled_from(_divisors(lp.factor)))
        if a == 1:
            continue
        kind = LoopKind.CROW if lp.kind is LoopKind.ROW else LoopKind.CCOL
        cluster.append(Loop(lp.dim, a, kind, lp.reduction))
        keep[j] = Loop(lp.dim, lp.factor // a, lp.kind, lp.reduction) if lp.factor // a > 1 else None
    if not cluster and not any(lp is not None and lp.kind.cluster for lp in keep):
        reject()
    at = draw(st.integers(top, first))
    out: list[Loop] = []
    index: dict[int, int] = {}  # old loop position -> new position (len(loops) -> end)
    for j in range(len(loops) + 1):
        if j == at:
            out.extend(cluster)
        index[j] = len(out)
        if j < len(loops) and keep[j] is not None:
            out.append(keep[j])

    def move(p: int | None, glb: bool) -> int | None:
        if p is None:
            return None
        return index[p] - len(cluster) if glb and p == at else index[p]  # a GLB tile starts above them

    return Mapping(loops=tuple(out), glb=tuple(move(p, True) for p in mapping.glb),
                   rf=tuple(move(p, False) for p in mapping.rf),
                   dataflow=mapping.dataflow)


@st.composite
def cluster_cases(draw, padded: bool | None = None, flat: bool = False):
    """``(layer, mapping, window)``: a tiny layer and a random mapping of a random dataflow on
    8×8 PEs with cluster loops (:func:`clusterise`), random window bits. ``padded`` True / False /
    None: the layer's bounds shrunk under the factors (ragged last tiles, :func:`shrink_bounds`)
    always (some bound really padded) / never / half the time; ``flat``: one of the mapping's dimension groups flattened
    (:func:`flatten`, any group of :data:`FLAT_GROUPS` or :data:`ODD_GROUPS` with loops)."""
    layer = draw(layers())
    dataflow = draw(st.sampled_from(DATAFLOWS))
    plain = random_mapping_8x8(layer, dataflow, draw(st.integers(0, 2**32 - 1)))
    mapping = clusterise(plain, draw)
    if padded or (padded is None and draw(st.booleans())):
        layer = shrink_bounds(layer, mapping, draw)
        if padded and not mapping.is_padded(layer.loop_bounds()):
            reject()  # shrink_bounds may keep every bound: padded=True wants a ragged nest
    if flat:
        pool = [g for g in FLAT_GROUPS + ODD_GROUPS if any(lp.dim in g for lp in mapping.loops)]
        if not pool:
            reject()
        mapping = flatten(mapping, layer, [draw(st.sampled_from(pool))], draw)
        if not mapping.flat_groups:
            reject()
    return layer, mapping, draw(st.integers(0, 3))
