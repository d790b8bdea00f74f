"""A sparse PE's expected work at given densities: the analytic engine's half of Eyeriss v2's PE.

The definition of a sparse PE's work is ``tests/reference_counter.py sparse_work`` (and the
comment on :data:`accelsim.layout.SP_MACS`): a PE's valid MACs fall in *columns*, the runs of
steps over which only the innermost temporal ``M`` loops below the filter RF start move
(:func:`column_loops`); a column shares one iact and reads one weight per MAC. This module gives
the *expectation* of that work when every iact is non-zero with probability ``d_i`` and every
weight with probability ``d_w``, independently (uniform random zeros). For a column of ``L``
valid MACs, with ``K ~ Binomial(L, d_w)`` its non-zero weights:

- ``E[SP_ZERO_IACT] = (1 − d_i) · L``; ``E[SP_ZERO_WEIGHT] = d_i · (1 − d_w) · L``;
- ``E[SP_EFFECTIVE] = d_i · d_w · L``; ``E[SP_EMPTY_COLUMN] = d_i · (1 − d_w)^L``;
- ``E[SP_CYCLES] = d_i · E[ceil(K / simd)]``; ``E[SP_SIMD_PAD] = simd · E[SP_CYCLES] − E[SP_EFFECTIVE]``;
- ``E[SP_IACT_READS] = d_i`` (the column's iact is read when it is non-zero).

An *iact column* (:func:`iact_column_loops`) of ``n`` weight columns of length ``L`` (they share
the ``M`` range; their iacts and weights differ, so they are independent) takes a bubble cycle
when none of them takes one: ``E[SP_BUBBLE] = q^n``, ``q = (1 − d_i) + d_i (1 − d_w)^L``, added to
``E[SP_CYCLES]``.

``E[ceil(K / s)] = (E[K] + E[(−K) mod s]) / s``, and the distribution of ``K mod s`` is the
roots-of-unity filter of the binomial's generating function, ``P(K ≡ r) = (1/s) Σ_j ω^(−jr)
(1 − d_w + d_w ω^j)^L`` (``ω = e^(2πi/s)``): closed form for any ``s`` (``s = 2``:
``(L·d_w + P(K odd)) / 2``, ``P(K odd) = (1 − (1 − 2 d_w)^L) / 2``).

The columns and their lengths per PE come from the mapping in closed form
(:func:`column_histogram`): validity of an iteration factorises over the nest's axes (a
dimension, or a flattened group), so a PE's columns are the product over the non-``M`` axes of
its valid temporal index tuples times, for each tuple of the temporal ``M`` loops outside the
column, the column's valid length (clipped by ``M``'s bound in a padded mapping).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
import numpy as np

from ..errors import SpecError
from ..layout import (FILTER, IFMAP, N_SPARSE_STATS, READS, RF, SP_BUBBLE, SP_CYCLES, SP_EFFECTIVE, SP_EMPTY_COLUMN,
                      SP_IACT_READS, SP_MACS, SP_SIMD_PAD, SP_ZERO_IACT, SP_ZERO_WEIGHT)
from ..spec.dims import Dim
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping, column_loops, iact_column_loops
from ..spec.result import SparseWork


def _strides(mapping: Mapping) -> list[int]:
    """Per loop, the coordinate step of one iteration along its axis (the product of the factors
    of the later loops over the same axis)."""
    loops = mapping.loops
    return [math.prod(later.factor for later in loops[j + 1:] if later.dim == lp.dim)
            for j, lp in enumerate(loops)]


def _offsets(positions: list[int], mapping: Mapping, strides: list[int]) -> np.ndarray:
    """Every index tuple of the loops at ``positions`` (outer first), as coordinate offsets
    int64[Π factors] along their (common) axis."""
    ranges = [np.arange(mapping.loops[j].factor, dtype=np.int64) * strides[j] for j in positions]
    out = np.zeros(1, dtype=np.int64)
    for r in ranges:
        out = (out[:, None] + r[None, :]).ravel()
    return out


@dataclass(frozen=True, slots=True)
class ColumnHistogram:
    """Per PE, how many columns of each valid length it runs.

    Attributes
    ----------
    counts : numpy.ndarray
        int64[n_pe, max_length + 1]: ``counts[p, L]`` = columns of ``L`` valid MACs at PE ``p``
        (spatial index order, outer spatial loops more significant; column 0 stays 0).
    iact : numpy.ndarray
        int64[n_pe, max_n + 1, max_length + 1]: ``iact[p, n, L]`` = iact columns at PE ``p`` of
        ``n`` weight columns of ``L`` valid MACs each (``counts[p, L] = Σ_n n · iact[p, n, L]``).
    """

    counts: np.ndarray
    iact: np.ndarray

    @property
    def macs(self) -> np.ndarray:
        """Valid MACs per PE, int64[n_pe]."""
        return self.counts @ np.arange(self.counts.shape[1], dtype=np.int64)

    @property
    def columns(self) -> np.ndarray:
        """Columns per PE, int64[n_pe]."""
        return self.counts.sum(axis=1)


def column_histogram(layer: ConvLayer, mapping: Mapping) -> ColumnHistogram:
    """The columns of every PE and their valid lengths, from the mapping in closed form.

    Parameters
    ----------
    layer : ConvLayer
    mapping : Mapping
        Covers ``layer`` (perfect, padded or with flattened loops).

    Returns
    -------
    ColumnHistogram
    """
    bounds = layer.loop_bounds()
    mapping.check_covers(bounds)
    loops = mapping.loops
    strides = _strides(mapping)
    col = column_loops(mapping)
    icol = iact_column_loops(mapping)
    runs = {Dim.M: col, Dim.C: icol}
    pes = mapping.pe_positions()
    n_pe = len(pes)
    per_pe = np.ones(n_pe, dtype=np.int64)   # valid tuples of the axes outside both columns
    # per PE, how many tuples of the loops outside a run give each number of valid run indices
    hist = {Dim.M: np.ones((n_pe, 2), dtype=np.int64), Dim.C: np.ones((n_pe, 2), dtype=np.int64)}
    for h in hist.values():
        h[:, 0] = 0
    for axis, extent, _ in mapping.axes(bounds):
        run = runs.get(axis, ()) if isinstance(axis, Dim) else ()
        temporal = [j for j, lp in enumerate(loops) if lp.dim == axis and not lp.spatial and j not in run]
        off = np.array([p[2][axis] for p in pes], dtype=np.int64)
        t = _offsets(temporal, mapping, strides)
        if not run:
            per_pe *= (off[:, None] + t[None, :] < extent).sum(axis=1)
            continue
        c = _offsets(sorted(run), mapping, strides)
        valid = (off[:, None, None] + t[None, :, None] + c[None, None, :] < extent).sum(axis=2)  # [n_pe, |t|]
        h = np.zeros((n_pe, len(c) + 1), dtype=np.int64)
        for p in range(n_pe):
            h[p] = np.bincount(valid[p], minlength=len(c) + 1)
        h[:, 0] = 0
        hist[axis] = h
    iact = per_pe[:, None, None] * hist[Dim.C][:, :, None] * hist[Dim.M][:, None, :]
    counts = np.einsum("pnl,n->pl", iact, np.arange(iact.shape[1], dtype=np.int64))
    return ColumnHistogram(counts, iact)


def expected_ceil(length: int, d_w: float, simd: int) -> float:
    """``E[ceil(K / simd)]`` for ``K ~ Binomial(length, d_w)`` (roots-of-unity filter; see the
    module docstring)."""
    if simd == 1:
        return length * d_w
    w = np.exp(2j * np.pi * np.arange(simd) / simd)
    gf = (1.0 - d_w + d_w * w) ** length                     # E[ω^(jK)], j = 0 .. simd-1
    r = np.arange(simd)
    p_mod = (np.exp(-2j * np.pi * np.outer(r, np.arange(simd)) / simd) @ gf).real / simd   # P(K ≡ r)
    pad = sum(p_mod[k] * ((-k) % simd) for k in range(simd))
    return (length * d_w + pad) / simd


def column_expectation(max_length: int, d_i: float, d_w: float, simd: int) -> np.ndarray:
    """Expected work of one column of each length ``L = 0 .. max_length``: float[max_length + 1,
    N_SPARSE_STATS] (``SP_*`` slots; row 0 is zeros)."""
    out = np.zeros((max_length + 1, N_SPARSE_STATS))
    for length in range(1, max_length + 1):
        e = out[length]
        e[SP_MACS] = length
        e[SP_ZERO_IACT] = (1.0 - d_i) * length
        e[SP_ZERO_WEIGHT] = d_i * (1.0 - d_w) * length
        e[SP_EFFECTIVE] = d_i * d_w * length
        e[SP_EMPTY_COLUMN] = d_i * (1.0 - d_w) ** length
        e[SP_CYCLES] = d_i * expected_ceil(length, d_w, simd)
        e[SP_SIMD_PAD] = simd * e[SP_CYCLES] - e[SP_EFFECTIVE]
        e[SP_IACT_READS] = d_i
    return out


def expected_work(layer: ConvLayer, mapping: Mapping, d_i: float, d_w: float, simd: int) -> np.ndarray:
    """Expected work of every PE under uniform random zeros.

    Parameters
    ----------
    layer : ConvLayer
    mapping : Mapping
    d_i, d_w : float
        Probability that an iact / a weight is non-zero, in [0, 1].
    simd : int
        MACs per cycle sharing one iact.

    Returns
    -------
    numpy.ndarray
        float[n_pe, N_SPARSE_STATS] (``SP_*`` slots), PEs in spatial index order.
    """
    for name, d in (("ifmap_density", d_i), ("filter_density", d_w)):
        if not 0.0 <= float(d) <= 1.0:
            raise SpecError(f"must be in [0, 1], got {d!r}", name)
    hist = column_histogram(layer, mapping)
    if isinstance(simd, bool) or not isinstance(simd, (int, np.integer)) or simd < 1:
        raise SpecError(f"must be an integer >= 1, got {simd!r}", "sparse_pe.simd")
    d_i, d_w = float(d_i), float(d_w)
    per_length = column_expectation(hist.counts.shape[1] - 1, d_i, d_w, int(simd))
    work = hist.counts.astype(float) @ per_length
    lengths = np.arange(hist.iact.shape[2])
    q = (1.0 - d_i) + d_i * (1.0 - d_w) ** lengths               # a weight column takes no cycle
    n = np.arange(hist.iact.shape[1])
    bubble = np.einsum("pnl,nl->p", hist.iact.astype(float), q[None, :] ** n[:, None])
    work[:, SP_BUBBLE] = bubble
    work[:, SP_CYCLES] += bubble
    return work



def work_summary(work: np.ndarray, counts: np.ndarray, simd: int) -> SparseWork:
    """A layer's expected :class:`~accelsim.spec.result.SparseWork` from per-PE expected work
    float[n_pe, N_SPARSE_STATS] and the layer's dense access ``counts`` (its RF ifmap and filter
    reads, one per MAC for a type the RF keeps): the slots summed over the PEs and rounded to the
    nearest integer, ``pe_cycles_max`` the busiest PE's cycles rounded up
    (:func:`expected_compute_cycles`), ``pe_cycles_mean`` over the PEs with a MAC, and
    ``imbalance_cycles`` the PE-cycles the others would wait for the busiest one (the PEs'
    different column counts only: an expectation has no data-dependent imbalance)."""
    total = work.sum(axis=0)
    active = work[:, SP_MACS] > 0
    busy = work[active, SP_CYCLES]
    top = expected_compute_cycles(work)
    rf_ifmap, rf_filter = int(counts[RF, IFMAP, READS]), int(counts[RF, FILTER, READS])
    iact_reads, effective = round(float(total[SP_IACT_READS])), round(float(total[SP_EFFECTIVE]))
    macs = round(float(total[SP_MACS]))
    zero_iact = round(float(total[SP_ZERO_IACT]))
    return SparseWork(
        simd=int(simd), macs=macs, effective_macs=effective, zero_iact_macs=zero_iact,
        zero_weight_macs=macs - effective - zero_iact, empty_columns=round(float(total[SP_EMPTY_COLUMN])),
        simd_pad_slots=round(float(total[SP_SIMD_PAD])), bubble_cycles=round(float(total[SP_BUBBLE])),
        iact_reads=iact_reads,
        skipped_ifmap_rf_reads=max(0, rf_ifmap - iact_reads) if rf_ifmap else 0,
        skipped_filter_rf_reads=max(0, rf_filter - effective) if rf_filter else 0,
        pe_cycles_max=top, pe_cycles_mean=float(busy.mean()) if busy.size else 0.0,
        imbalance_cycles=round(float((busy.max() - busy).sum())) if busy.size else 0, expected=True)


def expected_compute_cycles(work: np.ndarray) -> int:
    """The busiest PE's expected MAC cycles, rounded up (a float's last-bit noise ignored)."""
    top = float(work[:, SP_CYCLES].max()) if len(work) else 0.0
    return int(math.ceil(top - 1e-9 * max(1.0, top)))
