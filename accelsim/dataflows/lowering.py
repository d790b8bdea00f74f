"""Lowering between spec objects and the kernels' flat int64 arrays."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import SpecError
from ..layout import N_CAP_COLS, N_COSTS, N_DIMS, N_GROUPS_MAX, NO_DIM
from ..spec.constraints import MappingConstraints
from ..spec.dims import DataType, Dim, Flat, LoopKind, NocKind, Place, Reduction, TileLevel
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer
from ..spec.mapping import Loop, Mapping
from .base import Keep, Template

_KIND_OF_PLACE = {p.value: p.kind for p in Place}


@dataclass(frozen=True, slots=True)
class NestArrays:
    """A mapping as kernel arrays (see :mod:`accelsim.kernels.analytic`; indices :mod:`accelsim.layout`).

    ``dims[j]`` is loop ``j``'s dimension, or ``N_DIMS + g`` for a loop over flattened group
    ``g``, whose member dimensions, outer first, are ``groups[g, :]`` (int64[N_GROUPS_MAX,
    N_DIMS], ``NO_DIM``-padded; all ``NO_DIM`` for a mapping without groups).
    """

    dims: np.ndarray
    factors: np.ndarray
    kinds: np.ndarray
    reds: np.ndarray
    res: np.ndarray  # int64[2, 3]: (GLB, RF) tile start per data type, -1 = bypass
    groups: np.ndarray  # int64[N_GROUPS_MAX, N_DIMS]: members of each flattened group, NO_DIM-padded

    @property
    def flat(self) -> bool:
        """True when some loop runs over a flattened group."""
        return bool(self.groups[0, 0] != NO_DIM)


def lower_mapping(mapping: Mapping) -> NestArrays:
    """Kernel arrays of a :class:`Mapping`."""
    loops = mapping.loops
    res = np.array([[-1 if p is None else p for p in mapping.glb],
                    [-1 if p is None else p for p in mapping.rf]], dtype=np.int64)
    flats = mapping.flat_groups
    groups = np.full((N_GROUPS_MAX, N_DIMS), NO_DIM, dtype=np.int64)
    for g, flat in enumerate(flats):
        groups[g, :len(flat.members)] = [int(d) for d in flat.members]
    return NestArrays(
        dims=np.array([N_DIMS + flats.index(lp.dim) if isinstance(lp.dim, Flat) else lp.dim for lp in loops],
                      dtype=np.int64),
        factors=np.array([lp.factor for lp in loops], dtype=np.int64),
        kinds=np.array([lp.kind for lp in loops], dtype=np.int64),
        reds=np.array([lp.reduction for lp in loops], dtype=np.int64),
        res=res,
        groups=groups,
    )


def capacity_array(hw: Hardware) -> np.ndarray:
    """int64[2, N_CAP_COLS]: per tile level (GLB, RF) the shared pool's words (-1 unbounded),
    the words dedicated to ifmaps, filters and psums, words per bank (0 not banked), whole
    banks, bits per pool word, and bits per ifmap, filter and psum word (columns ``CAP_*`` of
    :mod:`accelsim.layout`; :meth:`~accelsim.spec.hardware.Buffer.overflow` is the rule)."""
    rows = []
    for buf in (hw.glb, hw.rf):
        shared = -1 if buf.shared_words is None else buf.shared_words
        widths, pool = buf.type_and_pool_bits(hw.precision.per_type)
        rows.append([shared, *buf.dedicated_words, buf.bank_words, buf.banks, pool, *widths])
    caps = np.array(rows, dtype=np.int64)
    assert caps.shape[1] == N_CAP_COLS
    return caps


def cost_array(hw: Hardware) -> np.ndarray:
    """float64[N_COSTS] (``accelsim.layout.C_MAC`` …): energy per MAC and per word read and
    written at each level and data type (:attr:`Hardware.access_costs`); then words per cycle of
    DRAM, the GLB, and the ifmap, filter, psum-in and GON buses, and the roofline's timing model:
    ``C_SYSTOLIC`` (1.0: a systolic NoC, whose bus rates are per edge link) and
    ``C_FOLD_OVERLAP`` (1.0: ``hw.model.fold_overlap``) (for the roofline cycles,
    :func:`accelsim.kernels.analytic.roofline_cycles`); ``C_HMESH`` (1.0: a hierarchical mesh,
    whose bus rates are per active cluster), the mesh hop costs (``C_HOP0 + type``) and the
    clock/static energy per cycle (``C_CLOCK``, :attr:`AccessCosts.clock_per_cycle`)."""
    noc = hw.noc
    costs = np.array([*hw.access_costs.flat(),
                      hw.dram_words_per_cycle, hw.glb_words_per_cycle, noc.ifmap_words_per_cycle,
                      noc.filter_words_per_cycle, noc.psum_words_per_cycle, noc.gon_words_per_cycle,
                      1.0 if noc.kind is NocKind.SYSTOLIC else 0.0, 1.0 if hw.model.fold_overlap else 0.0,
                      1.0 if noc.kind is NocKind.HMESH else 0.0, *hw.access_costs.hop,
                      hw.access_costs.clock_per_cycle],
                     dtype=np.float64)
    assert costs.shape[0] == N_COSTS
    return costs


def has_clusters(hw: Hardware) -> bool:
    """Whether the mapper deals factors to cluster places (``crow``, ``ccol``): a hierarchical mesh."""
    return hw.noc.kind is NocKind.HMESH


def array_limits(hw: Hardware) -> tuple[int, int, int, int]:
    """``(rows, cols, cluster rows, cluster cols)`` the search kernel repairs spatial factors to:
    on a hierarchical mesh the PEs of one cluster and the cluster array, else the PE array and
    ``(0, 0)`` (no cluster slots)."""
    cl = hw.noc.clusters
    if has_clusters(hw) and cl is not None:
        return cl.pe_rows, cl.pe_cols, cl.rows, cl.cols
    return hw.pe_rows, hw.pe_cols, 0, 0


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
    mapspace :mod:`accelsim.kernels.search` works on).

    ``dim_slots[d, :dim_nslots[d]]`` are the slots of dimension ``d``. The kernel draws prime
    ``i`` from its *choice set* ``set_slots[prime_set[i], :set_nslots[prime_set[i]]]``: its
    dimension's slots (``prime_set == prime_dim``) unless constraints pin factors (a pinned
    prime's set is its one slot; the other primes of a pinned dimension avoid pinned slots).
    ``order_rank[s]`` is slot ``s``'s rank in a pinned loop order (-1: free; empty: no pinned
    order); ``res_mode`` is the template's keep rules with pinned residences applied.
    """

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
    prime_set: np.ndarray
    set_slots: np.ndarray
    set_nslots: np.ndarray
    order_rank: np.ndarray


def pe_loop_order(hw: Hardware) -> tuple[Dim, ...]:
    """The order (outermost first) of the loops inside a PE the mapper builds: the dimensions'
    own order, except on a sparse PE (``hw.sparse_pe``), whose weight column (``M``) and iact
    column (``C``) are its innermost loops (Eyeriss v2's PE, JETCAS 2019 §IV: for each non-zero
    iact of a column its non-zero weights; ``layout.SP_*``), so ``C`` and then ``M`` go last."""
    if hw.sparse_pe is None:
        return tuple(Dim)
    return tuple(d for d in Dim if d not in (Dim.C, Dim.M)) + (Dim.C, Dim.M)


def search_space(tpl: Template, layer: ConvLayer, constraints: MappingConstraints | None = None, *,
                 clusters: bool = False, pe_order: tuple[Dim, ...] = tuple(Dim)) -> SearchSpace:
    """Slots OUTER | ROW | COL | PE for ``tpl`` and the prime factors of ``layer``'s bounds,
    restricted by ``constraints`` (:func:`constrain`). With ``clusters`` (a hierarchical mesh,
    :func:`has_clusters`) the slots are OUTER | CROW | CCOL | ROW | COL | PE: the cluster loops
    lie above the PE-array loops, as :class:`Mapping` requires; without, there are no cluster
    slots at all (the mapspace of a flat NoC is unchanged). Inside a place the slots follow the
    dimensions' order, inside the PE ``pe_order`` (:func:`pe_loop_order`)."""
    slots: list[tuple[Dim, str]] = []
    places = ("outer", "crow", "ccol", "row", "col", "pe") if clusters else ("outer", "row", "col", "pe")
    for place in places:
        for d in (pe_order if place == "pe" else Dim):
            if place in tpl.places(d, clusters):
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
    prime_dim = np.array([d for _, d in primes], dtype=np.int64)
    space = SearchSpace(
        slot_dim=np.array([d for d, _ in slots], dtype=np.int64),
        slot_kind=np.array([_KIND_OF_PLACE[pl] for _, pl in slots], dtype=np.int64),
        slot_red=np.array([tpl.reduction(d) for d, _ in slots], dtype=np.int64),
        slot_place=tuple(pl for _, pl in slots),
        prime_val=np.array([p for p, _ in primes], dtype=np.int64),
        prime_dim=prime_dim,
        dim_slots=dim_slots,
        dim_nslots=dim_nslots,
        n_outer=n_outer,
        pe_start=pe_start,
        res_mode=res_mode,
        acc_mask=np.array([1 if d in tpl.rf_accumulates else 0 for d in Dim], dtype=np.int64),
        prime_set=prime_dim,
        set_slots=dim_slots,
        set_nslots=dim_nslots,
        order_rank=np.zeros(0, dtype=np.int64),
    )
    if constraints is None or constraints.empty:
        return space
    return constrain(space, tpl, layer, constraints)


def _pin_error(constraints: MappingConstraints, field: str, text: str) -> SpecError:
    return SpecError(text + constraints.where(), field=field)


def _factor_pins(space: SearchSpace, tpl: Template, layer: ConvLayer,
                 constraints: MappingConstraints) -> dict[int, tuple[int, str]]:
    """``{slot: (factor, field)}`` of the pinned factors, each checked against the dataflow's
    places and the layer's bound."""
    pins: dict[int, tuple[int, str]] = {}
    bounds = layer.loop_bounds()
    pinned_product = [1] * len(Dim)
    for pin in constraints.factors:
        slot = next((s for s in range(len(space.slot_dim))
                     if space.slot_dim[s] == pin.dim and space.slot_place[s] == pin.place.value), None)
        if slot is None:
            if pin.factor == 1:
                continue  # the dataflow never puts the dimension there
            where = ", ".join(space.slot_place[s] for s in range(len(space.slot_dim)) if space.slot_dim[s] == pin.dim)
            mesh = " only on a hierarchical mesh" if pin.place.cluster and "crow" not in space.slot_place else ""
            raise _pin_error(constraints, pin.field, f"the {tpl.dataflow.value} dataflow puts no {pin.dim.name} "
                             f"loop at {pin.place.value}{mesh} ({pin.dim.name} may go to: {where})")
        if slot in pins and pins[slot][0] != pin.factor:
            raise _pin_error(constraints, pin.field, f"pins {pin.dim.name} at {pin.place.value} to {pin.factor}, "
                             f"{pins[slot][1]} pins it to {pins[slot][0]}")
        if slot not in pins:
            pinned_product[pin.dim] *= pin.factor
            if bounds[pin.dim] % pinned_product[pin.dim]:
                raise _pin_error(constraints, pin.field, f"{pin.dim.name} factors pinned so far multiply to "
                                 f"{pinned_product[pin.dim]}, which does not divide the layer's "
                                 f"{pin.dim.name} = {bounds[pin.dim]}")
        pins[slot] = (pin.factor, pin.field)
    return pins


def _choice_sets(space: SearchSpace, pins: dict[int, tuple[int, str]], constraints: MappingConstraints):
    """``(prime_set, set_slots, set_nslots)``: rows 0-7 the dimensions' free slots, then one
    row per pinned slot; the pinned primes of each slot taken from its dimension's primes."""
    k = len(space.slot_dim)
    rows = [[int(s) for s in space.dim_slots[d, :space.dim_nslots[d]] if int(s) not in pins] for d in range(8)]
    prime_set = space.prime_dim.copy()
    taken = np.zeros(len(prime_set), dtype=bool)
    for slot, (factor, _field) in pins.items():
        d = int(space.slot_dim[slot])
        row = len(rows)
        rows.append([slot])
        for p in prime_factors(factor):
            i = next(j for j in range(len(prime_set))
                     if not taken[j] and space.prime_dim[j] == d and space.prime_val[j] == p)
            taken[i] = True
            prime_set[i] = row
    for i in range(len(prime_set)):
        d = int(space.prime_dim[i])
        if not taken[i] and not rows[d]:
            fields = ", ".join(f for s, (_, f) in pins.items() if space.slot_dim[s] == d)
            raise _pin_error(constraints, fields, f"{Dim(d).name} is pinned at every place the dataflow allows "
                             f"it, and the pinned factors do not multiply to the layer's {Dim(d).name}")
    set_slots = np.zeros((len(rows), max(k, 1)), dtype=np.int64)
    set_nslots = np.array([len(r) for r in rows], dtype=np.int64)
    for r, members in enumerate(rows):
        set_slots[r, :len(members)] = members
    return prime_set, set_slots, set_nslots


def _order_rank(space: SearchSpace, constraints: MappingConstraints) -> np.ndarray:
    if not constraints.orders:
        return np.zeros(0, dtype=np.int64)
    rank = np.full(len(space.slot_dim), -1, dtype=np.int64)
    for pin in constraints.orders:
        for r, d in enumerate(pin.dims):
            for s in range(len(space.slot_dim)):
                if space.slot_dim[s] == d and space.slot_place[s] == pin.place.value:
                    rank[s] = r
    return rank


def _res_mode(space: SearchSpace, tpl: Template, constraints: MappingConstraints) -> np.ndarray:
    mode = space.res_mode.copy()
    for pin in constraints.keeps:
        lv = 0 if pin.level is TileLevel.GLB else 1
        rule = Keep(int(mode[lv, pin.dtype]))
        if pin.keep and rule is Keep.NO or not pin.keep and rule is Keep.YES:
            never = "always" if rule is Keep.YES else "never"
            raise _pin_error(constraints, pin.field, f"the {tpl.dataflow.value} dataflow {never} keeps "
                             f"{pin.dtype.label} in the {pin.level.value.upper()}")
        mode[lv, pin.dtype] = Keep.YES if pin.keep else Keep.NO
    return mode


def constrain(space: SearchSpace, tpl: Template, layer: ConvLayer, constraints: MappingConstraints) -> SearchSpace:
    """``space`` restricted so every genome the kernel draws, mutates or repairs meets
    ``constraints``' factors, orders and residences (the minimum utilisation is the kernel's
    ``min_pes``).

    Raises
    ------
    SpecError
        A pin the dataflow or the layer cannot meet (a dimension pinned where the dataflow
        never puts it, factors that do not divide the bound, two pins of one loop that differ,
        a residence the dataflow fixes otherwise); ``field`` is the pin's path.
    """
    pins = _factor_pins(space, tpl, layer, constraints)
    prime_set, set_slots, set_nslots = _choice_sets(space, pins, constraints)
    return replace(space, prime_set=prime_set, set_slots=set_slots, set_nslots=set_nslots,
                   order_rank=_order_rank(space, constraints), res_mode=_res_mode(space, tpl, constraints))


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
