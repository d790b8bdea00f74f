"""Lowering between spec objects and the kernels' flat int64 arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..spec.dims import DataType, Dim, LoopKind, Reduction
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer
from ..spec.mapping import Loop, Mapping
from .base import Template

_KIND_OF_PLACE = {"outer": LoopKind.TEMPORAL, "row": LoopKind.ROW, "col": LoopKind.COL, "pe": LoopKind.TEMPORAL}


@dataclass(frozen=True, slots=True)
class NestArrays:
    """A mapping as kernel arrays (see :mod:`accelsim.kernels.analytic`; indices :mod:`accelsim.layout`)."""

    dims: np.ndarray
    factors: np.ndarray
    kinds: np.ndarray
    reds: np.ndarray
    res: np.ndarray  # int64[2, 3]: (GLB, RF) tile start per data type, -1 = bypass


def lower_mapping(mapping: Mapping) -> NestArrays:
    """Kernel arrays of a :class:`Mapping`."""
    loops = mapping.loops
    res = np.array([[-1 if p is None else p for p in mapping.glb],
                    [-1 if p is None else p for p in mapping.rf]], dtype=np.int64)
    return NestArrays(
        dims=np.array([lp.dim for lp in loops], dtype=np.int64),
        factors=np.array([lp.factor for lp in loops], dtype=np.int64),
        kinds=np.array([lp.kind for lp in loops], dtype=np.int64),
        reds=np.array([lp.reduction for lp in loops], dtype=np.int64),
        res=res,
    )


def capacity_array(hw: Hardware) -> np.ndarray:
    """int64[2, 6]: (GLB, RF) × (shared, ifmap, filter, psum words, words per bank, banks);
    shared -1 = unbounded, words per bank 0 = not banked."""
    rows = []
    for buf in (hw.glb, hw.rf):
        shared = -1 if buf.shared_words is None else buf.shared_words
        rows.append([shared, *buf.dedicated_words, buf.bank_words, buf.banks])
    return np.array(rows, dtype=np.int64)


def cost_array(hw: Hardware) -> np.ndarray:
    """float64[11]: energy per MAC, RF, NoC, GLB, DRAM access; then words per cycle of DRAM,
    the GLB, and the ifmap, filter, psum-in and GON buses (for the roofline cycles)."""
    e = hw.energy
    noc = hw.noc
    return np.array([e.mac, e.rf, e.noc, e.glb, e.dram,
                     hw.dram_words_per_cycle, hw.glb_words_per_cycle, noc.ifmap_words_per_cycle,
                     noc.filter_words_per_cycle, noc.psum_words_per_cycle, noc.gon_words_per_cycle],
                    dtype=np.float64)


def window_flags(tpl: Template, hw: Hardware) -> int:
    """The kernels' ``window`` bit mask: bit 0 array forwarding, bit 1 GLB halo reuse."""
    return (1 if tpl.window else 0) | (2 if hw.model.glb_halo_reuse else 0)


def prime_factors(n: int) -> list[int]:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    if n > 1:
        out.append(n)
    return out


@dataclass(frozen=True, slots=True)
class SearchSpace:
    """A template instantiated for one layer: slots, prime factors and residence rules (the
    mapspace :mod:`accelsim.kernels.search` works on)."""

    slot_dim: np.ndarray
    slot_kind: np.ndarray
    slot_red: np.ndarray
    slot_place: tuple[str, ...]
    prime_val: np.ndarray
    prime_dim: np.ndarray
    dim_slots: np.ndarray
    dim_nslots: np.ndarray
    n_outer: int
    pe_start: int
    res_mode: np.ndarray
    acc_mask: np.ndarray


def search_space(tpl: Template, layer: ConvLayer) -> SearchSpace:
    """Slots OUTER | ROW | COL | PE for ``tpl`` and the prime factors of ``layer``'s bounds."""
    slots: list[tuple[Dim, str]] = []
    for place in ("outer", "row", "col", "pe"):
        for d in Dim:
            if place in tpl.places(d):
                slots.append((d, place))
    n_outer = sum(1 for _, pl in slots if pl == "outer")
    pe_start = sum(1 for _, pl in slots if pl != "pe")
    bounds = layer.loop_bounds()
    primes = [(p, d) for d in Dim for p in prime_factors(bounds[d])]
    dim_slots = np.zeros((8, len(slots)), dtype=np.int64)
    dim_nslots = np.zeros(8, dtype=np.int64)
    for i, (d, _) in enumerate(slots):
        dim_slots[d, dim_nslots[d]] = i
        dim_nslots[d] += 1
    res_mode = np.array([[tpl.glb[t] for t in DataType], [tpl.rf[t] for t in DataType]], dtype=np.int64)
    return SearchSpace(
        slot_dim=np.array([d for d, _ in slots], dtype=np.int64),
        slot_kind=np.array([_KIND_OF_PLACE[pl] for _, pl in slots], dtype=np.int64),
        slot_red=np.array([tpl.reduction(d) for d, _ in slots], dtype=np.int64),
        slot_place=tuple(pl for _, pl in slots),
        prime_val=np.array([p for p, _ in primes], dtype=np.int64),
        prime_dim=np.array([d for _, d in primes], dtype=np.int64),
        dim_slots=dim_slots,
        dim_nslots=dim_nslots,
        n_outer=n_outer,
        pe_start=pe_start,
        res_mode=res_mode,
        acc_mask=np.array([1 if d in tpl.rf_accumulates else 0 for d in Dim], dtype=np.int64),
    )


def genome_to_mapping(space: SearchSpace, tpl: Template, assign, order, res) -> Mapping:
    """The :class:`Mapping` a search genome (:mod:`accelsim.kernels.search`) stands for (slots of
    factor 1 dropped)."""
    k = len(space.slot_dim)
    slot_factor = [1] * k
    for i, slot in enumerate(assign):
        slot_factor[int(slot)] *= int(space.prime_val[i])
    loops: list[Loop] = []
    new_index = []  # position in the pruned nest of each nest position 0..k
    for pos in range(k):
        new_index.append(len(loops))
        s = int(order[pos])
        if slot_factor[s] > 1:
            d = Dim(int(space.slot_dim[s]))
            kind = LoopKind(int(space.slot_kind[s]))
            red = Reduction(int(space.slot_red[s])) if kind is not LoopKind.TEMPORAL else Reduction.NOC
            loops.append(Loop(d, slot_factor[s], kind, red))
    new_index.append(len(loops))

    def remap(p: int) -> int | None:
        return None if p < 0 else new_index[int(p)]

    glb = tuple(remap(res[0, t]) for t in DataType)
    rf = tuple(remap(res[1, t]) for t in DataType)
    # keep RF tiles below the last spatial loop even when factor-1 slots were dropped
    return Mapping(loops=tuple(loops), glb=glb, rf=rf, dataflow=tpl.dataflow.value)
