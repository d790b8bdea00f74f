"""A slow, obvious reference for the analytic access counter.

Counts every read, write, update and NoC delivery of a (layer, mapping) by explicit
enumeration of the loop nest (Python sets of element tuples, no closed forms), following the
accounting rules the analytic kernel (:mod:`accelsim.kernels.analytic`) claims to implement.
Deliberately independent of ``accelsim.kernels``: only the spec types and the index vocabulary
of :mod:`accelsim.layout` are used. Meant for tiny layers (a few thousand MACs).

Semantics in brief (see ``reference_counts`` for the details):

* a MAC's coordinates: per dimension, its loops' indices combined mixed-radix (outer loops more
  significant); ifmap element ``(g, n, c, e*U + r, f*U + s)``, filter ``(g, m, c, r, s)``,
  psum ``(g, n, m, e, f)``;
* time steps = index tuples of the temporal loops (lexicographic); PEs = index tuples of the
  spatial loops;
* a storage level whose tile starts at loop ``p`` holds, per instance (one for the GLB, one per
  PE for the RF), the elements touched by ``loops[p:]`` for fixed ``loops[:p]``;
* inputs: a buffer keeps its tile while only loops the tile does not depend on move; otherwise
  the tile is fetched whole, or only its new elements when the step slides along the innermost
  relevant temporal loop (factor > 1) above ``p`` and sliding is allowed; the
  parent reads, per child step, the union of what the child instances fetch; a MAC child needs
  its operand at every step (with array forwarding, ifmap words are read once per sweep of the
  innermost run of E/F/R/S loops);
* padded (imperfectly factorised) dimensions: an iteration whose coordinate reaches the
  layer's bound is masked — it touches nothing, so tiles hold only valid words;
* flattened loops (a loop over a group such as ``(N,E,F)``): the group's loops combine
  mixed-radix into its index ``p``, which decodes into member coordinates with the layer's
  bounds as radices (outer member most significant, so ``p`` past the group's extent puts the
  outer member past its bound: masked); a group loop is relevant to a data type when some
  member is, and a window loop (forwarding runs) when every member is one of E, F, R, S;
* psums: residences (runs of steps over which only loops the psums do not depend on move)
  send every psum a valid iteration touched when they end; child instances differing only in
  spatial C/R/S loops with NoC or tree reduction are merged; a level with ``U`` updates
  arriving and ``W`` resident words costs ``U - W`` reads and writes (DRAM: ``U`` writes, ``U - ofmap`` reads);
* clusters (a hierarchical mesh: ``CROW`` / ``CCOL`` loops, above every ``ROW`` / ``COL`` loop): a
  PE's cluster is its indices of the cluster loops. Inputs crossing the NoC: per child step and
  cluster, the union of what the cluster's PEs fetch crosses its router ports (``PORTS``), and
  every cluster beyond the first that a word goes to costs one mesh link (``HOPS`` = the sum of
  the per-cluster unions minus the array's union); with array forwarding, each cluster keeps its
  own forwarded words. Psums: the words leaving the clusters after the merges inside each
  cluster, plus the psums sent back in, cross the ports; each merge across clusters crosses
  one link (``HOPS`` = words leaving the clusters minus the updates that reach the parent).
"""

from __future__ import annotations

from itertools import product

import numpy as np

from accelsim.layout import (DRAM, FILTER, GLB, HOPS, IFMAP, N_COUNT_STATS, N_LEVELS, N_SPARSE_STATS, N_TILE_LEVELS,
                             N_TYPES, NOC, PORTS, PSUM, READS, RF, SP_BUBBLE, SP_CYCLES, SP_EFFECTIVE, SP_EMPTY_COLUMN,
                             SP_IACT_READS, SP_MACS, SP_SIMD_PAD, SP_ZERO_IACT, SP_ZERO_WEIGHT, TILE_GLB, TILE_RF,
                             TRANSACTIONS, UPDATES, WRITES)
from accelsim.spec.dims import Dim, Flat, LoopKind, Reduction
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Mapping

MAC = -1  # the "level" of the MAC itself in a chain of holders

G, N, M, C, E, F, R, S = (int(d) for d in Dim)
RELEVANT = {
    IFMAP: frozenset({G, N, C, E, F, R, S}),
    FILTER: frozenset({G, M, C, R, S}),
    PSUM: frozenset({G, N, M, E, F}),
}
WINDOW_DIMS = frozenset({E, F, R, S})
PSUM_IRRELEVANT = frozenset({C, R, S})


class _Nest:
    """The loop nest of one (layer, mapping), with cached tiles."""

    def __init__(self, layer: ConvLayer, mapping: Mapping):
        self.loops = mapping.loops
        self.n = len(self.loops)
        # a loop's axis: its dimension (int), or the index of its flattened group
        groups = mapping.flat_groups
        self.groups = [tuple(int(d) for d in g.members) for g in groups]
        self.dims = [groups.index(lp.dim) if isinstance(lp.dim, Flat) else int(lp.dim) for lp in self.loops]
        self.is_group = [isinstance(lp.dim, Flat) for lp in self.loops]
        self.members = [tuple(int(d) for d in lp.members) for lp in self.loops]
        self.factors = [int(lp.factor) for lp in self.loops]
        self.spatial = [lp.spatial for lp in self.loops]
        self.reds = [lp.reduction for lp in self.loops]
        self.cluster = [lp.kind in (LoopKind.CROW, LoopKind.CCOL) for lp in self.loops]
        self.stride = layer.U
        self.bounds = tuple(int(b) for b in layer.loop_bounds())
        self._tiles: dict = {}

    def relevant(self, j: int, t: int) -> bool:
        """Does data type ``t`` depend on loop ``j`` (on some member of its group)?"""
        return any(d in RELEVANT[t] for d in self.members[j])

    def window_loop(self, j: int) -> bool:
        """Is loop ``j`` a window loop (every member one of E, F, R, S)?"""
        return all(d in WINDOW_DIMS for d in self.members[j])

    # ------------------------------------------------------------------ elements
    def coord(self, idx) -> list[int]:
        """Per-dimension coordinate of a full iteration (one index per loop); a group's loops
        give its index ``p``, decoded mixed-radix with the layer's bounds (the outer member
        takes the quotient, so ``p`` past the extent lands past the outer member's bound)."""
        c = [0] * 8
        p = [0] * len(self.groups)
        for j, i in enumerate(idx):
            if self.is_group[j]:
                g = self.dims[j]
                p[g] = p[g] * self.factors[j] + i
            else:
                d = self.dims[j]
                c[d] = c[d] * self.factors[j] + i
        for g, members in enumerate(self.groups):
            rest = p[g]
            for d in reversed(members[1:]):
                c[d] = rest % self.bounds[d]
                rest //= self.bounds[d]
            c[members[0]] = rest
        return c

    def valid(self, c) -> bool:
        """False for an iteration a padded (imperfectly factorised) dimension masks out."""
        return all(c[d] < self.bounds[d] for d in range(8))

    def element(self, t: int, c) -> tuple:
        u = self.stride
        if t == IFMAP:
            return (c[G], c[N], c[C], c[E] * u + c[R], c[F] * u + c[S])
        if t == FILTER:
            return (c[G], c[M], c[C], c[R], c[S])
        return (c[G], c[N], c[M], c[E], c[F])

    def tile(self, t: int, p: int, prefix: tuple) -> frozenset:
        """Elements of ``t`` touched by every iteration of ``loops[p:]`` below ``prefix``."""
        key = (t, p, prefix)
        got = self._tiles.get(key)
        if got is None:
            inner = [range(f) for f in self.factors[p:]]
            coords = (self.coord(prefix + rest) for rest in product(*inner))
            got = frozenset(self.element(t, c) for c in coords if self.valid(c))
            self._tiles[key] = got
        return got

    # ------------------------------------------------------------------ iteration spaces
    def temporal_above(self, p: int) -> list[int]:
        return [j for j in range(p) if not self.spatial[j]]

    def spatial_above(self, p: int) -> list[int]:
        return [j for j in range(p) if self.spatial[j]]

    def cluster_of(self, spos, inst) -> tuple:
        """The cluster of the instance ``inst`` (indices of the spatial loops ``spos``)."""
        return tuple(i for j, i in zip(spos, inst) if self.cluster[j])

    def ranges(self, positions) -> list[range]:
        return [range(self.factors[j]) for j in positions]

    @staticmethod
    def assemble(p: int, tpos, step, spos, inst) -> tuple:
        """Indices of ``loops[:p]`` from the temporal ``step`` and spatial ``inst`` parts."""
        out = [0] * p
        for j, i in zip(tpos, step):
            out[j] = i
        for j, i in zip(spos, inst):
            out[j] = i
        return tuple(out)

    # ------------------------------------------------------------------ storage-level walks
    def walk(self, t: int, p: int):
        """Yield ``(step_number, step, changed_loop, {instance: tile})`` for a level at ``p``.

        ``changed_loop`` is the outermost temporal loop (nest index) that changed since the
        previous step, ``None`` at the first step.
        """
        tpos = self.temporal_above(p)
        spos = self.spatial_above(p)
        insts = list(product(*self.ranges(spos)))
        prev = None
        for number, step in enumerate(product(*self.ranges(tpos))):
            changed = None
            if prev is not None:
                for i, (a, b) in enumerate(zip(prev, step)):
                    if a != b:
                        changed = tpos[i]
                        break
            tiles = {inst: self.tile(t, p, self.assemble(p, tpos, step, spos, inst)) for inst in insts}
            yield number, step, changed, tiles
            prev = step

    def input_fills(self, t: int, p: int, slide_ok: bool, events: list | None = None):
        """(words fetched summed over instances, words the parent reads, max tile size, words
        through the clusters' ports: the per-cluster unions summed). ``events``, if given,
        receives per child step ``{cluster: words through its ports}``."""
        relevant = [j for j in self.temporal_above(p) if self.relevant(j, t) and self.factors[j] > 1]
        k = relevant[-1] if relevant else None
        spos = self.spatial_above(p)
        previous: dict = {}
        fills = reads = usage = ports = 0
        for _, _, changed, tiles in self.walk(t, p):
            sliding = slide_ok and changed is not None and changed == k
            union: set = set()
            per_cluster: dict = {}
            for inst, tile in tiles.items():
                usage = max(usage, len(tile))
                old = previous.get(inst)
                if old is None:
                    new = tile
                elif k is None or changed > k:
                    # only loops the tile does not depend on moved: the buffer keeps it
                    new = frozenset()
                elif sliding:
                    new = tile - old
                else:
                    new = tile
                fills += len(new)
                union |= new
                per_cluster.setdefault(self.cluster_of(spos, inst), set()).update(new)
                if old is None or not (k is None or changed > k):
                    previous[inst] = tile  # what the buffer now holds
            reads += len(union)
            ports += sum(len(u) for u in per_cluster.values())
            if events is not None:
                events.append({cl: len(u) for cl, u in per_cluster.items()})
        return fills, reads, usage, ports

    def mac_input_reads(self, t: int, forward: bool, events: list | None = None) -> tuple[int, int]:
        """Words of ``t`` the parent of the MAC reads (the MAC is the child: RF bypassed), and
        the words through the clusters' ports (per step, the per-cluster unions summed; with
        forwarding each cluster forwards its own). ``events``, if given, receives per step
        ``{cluster: words through its ports}``."""
        tpos = self.temporal_above(self.n)
        spos = self.spatial_above(self.n)
        insts = list(product(*self.ranges(spos)))
        run = set()
        for j in reversed(tpos):
            if self.factors[j] == 1:
                continue
            if self.window_loop(j):
                run.add(j)
            else:
                break
        key_idx = [i for i, j in enumerate(tpos) if j not in run]
        reads = ports = 0
        seen: set = set()
        seen_c: dict = {}
        prev_key = None
        for step in product(*self.ranges(tpos)):
            need_c: dict = {}
            for inst in insts:
                c = self.coord(self.assemble(self.n, tpos, step, spos, inst))
                if self.valid(c):
                    need_c.setdefault(self.cluster_of(spos, inst), set()).add(self.element(t, c))
            need = set().union(*need_c.values())
            if forward and t == IFMAP:
                key = tuple(step[i] for i in key_idx)
                if key != prev_key:
                    seen = set()
                    seen_c = {}
                    prev_key = key
                new = need - seen
                reads += len(new)
                seen |= need
                per = {}
                for cl, words in need_c.items():
                    old = seen_c.setdefault(cl, set())
                    per[cl] = len(words - old)
                    old |= words
            else:
                reads += len(need)
                per = {cl: len(words) for cl, words in need_c.items()}
            ports += sum(per.values())
            if events is not None:
                events.append(per)
        return reads, ports

    # ------------------------------------------------------------------ psums
    def psum_residences(self, p: int):
        """Per instance, the list of ``(serial, tile)`` residences (in time order) at ``p``.

        A residence lasts while only loops the psums do not depend on move; its tile is every
        psum a valid iteration within it touches (residences with no valid iteration are
        dropped)."""
        relevant = [j for j in self.temporal_above(p) if self.relevant(j, PSUM) and self.factors[j] > 1]
        k = relevant[-1] if relevant else None
        out: dict = {}
        current: dict = {}
        serial = -1
        for _, _, changed, tiles in self.walk(PSUM, p):
            if changed is None or (k is not None and changed <= k):
                for inst, tile in current.items():
                    if tile:
                        out.setdefault(inst, []).append((serial, frozenset(tile)))
                current = {}
                serial += 1
            for inst, tile in tiles.items():
                current.setdefault(inst, set()).update(tile)
        for inst, tile in current.items():
            if tile:
                out.setdefault(inst, []).append((serial, frozenset(tile)))
        return out

    def psum_sent(self, child_p: int | None, parent_p: int, merge: frozenset, across_clusters: bool = True):
        """(words the child sends summed over instances, words after merging).

        ``child_p`` None = the MAC child (one word per MAC per step). Child instances that
        differ only in spatial loops of ``loops[parent_p:child_p]`` over C/R/S whose reduction
        is in ``merge`` are merged (one word per element per residence); with
        ``across_clusters`` False, only those inside a cluster (not the cluster loops).
        """
        if child_p is None:
            tpos = self.temporal_above(self.n)
            spos = self.spatial_above(self.n)
            residences: dict = {}
            for number, step in enumerate(product(*self.ranges(tpos))):
                for inst in product(*self.ranges(spos)):
                    c = self.coord(self.assemble(self.n, tpos, step, spos, inst))
                    if self.valid(c):
                        residences.setdefault(inst, []).append((number, frozenset({self.element(PSUM, c)})))
            hi = self.n
        else:
            spos = self.spatial_above(child_p)
            residences = self.psum_residences(child_p)
            hi = child_p
        merged_pos = {i for i, j in enumerate(spos)
                      if parent_p <= j < hi and set(self.members[j]) <= PSUM_IRRELEVANT and self.reds[j] in merge
                      and (across_clusters or not self.cluster[j])}
        unmerged = 0
        groups: dict = {}
        for inst, tiles in residences.items():
            gkey = tuple(None if i in merged_pos else v for i, v in enumerate(inst))
            for serial, tile in tiles:
                unmerged += len(tile)
                groups.setdefault((serial, gkey), set()).update(tile)
        merged = sum(len(s) for s in groups.values())
        return unmerged, merged

    def psum_resident(self, p: int):
        """(W = tile words summed over residences and instances, max tile size)."""
        res = self.psum_residences(p)
        words = sum(len(tile) for tiles in res.values() for _, tile in tiles)
        usage = max((len(tile) for tiles in res.values() for _, tile in tiles), default=0)
        return words, usage


def reference_counts(layer: ConvLayer, mapping: Mapping, window: int):
    """Counts by enumeration: ``(counts int64[N_LEVELS, N_TYPES, N_COUNT_STATS], usage int64[2,3], macs)``.

    ``window`` bit 0: operands that bypass the RF are forwarded across the array (ifmap read
    once per sweep of the innermost E/F/R/S loops); bit 1: the GLB keeps the ifmap overlap of
    consecutive tiles (halo reuse). ``PORTS`` and ``HOPS`` are counted for every mapping: without
    cluster loops the array is one cluster (``PORTS`` = ``TRANSACTIONS``, ``HOPS`` = 0).
    """
    mapping.check_covers(layer.loop_bounds())
    nest = _Nest(layer, mapping)
    n = nest.n
    counts = np.zeros((N_LEVELS, N_TYPES, N_COUNT_STATS), dtype=np.int64)
    usage = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    macs = sum(1 for idx in product(*nest.ranges(range(n))) if nest.valid(nest.coord(idx)))

    for t in (IFMAP, FILTER, PSUM):
        chain = [(DRAM, 0)]
        if mapping.glb[t] is not None:
            chain.append((GLB, mapping.glb[t]))
        if mapping.rf[t] is not None:
            chain.append((RF, mapping.rf[t]))
        chain.append((MAC, n))

        if t != PSUM:
            for (plev, _pp), (clev, cp) in zip(chain, chain[1:]):
                ports = 0
                if clev == MAC:
                    if plev == RF:
                        sent = macs  # the innermost holder is read once per MAC
                    else:
                        sent, ports = nest.mac_input_reads(t, forward=bool(window & 1))
                    got = macs
                else:
                    slide = t != IFMAP or clev == RF or bool(window & 2)
                    got, sent, use, ports = nest.input_fills(t, cp, slide)
                    counts[clev, t, WRITES] += got
                    usage[TILE_GLB if clev == GLB else TILE_RF, t] = use
                counts[plev, t, READS] += sent
                if plev in (DRAM, GLB) and clev in (RF, MAC):
                    counts[NOC, t, READS] += got
                    counts[NOC, t, TRANSACTIONS] += sent
                    counts[NOC, t, PORTS] += ports
                    counts[NOC, t, HOPS] += ports - sent
        else:
            for (plev, pp), (clev, cp) in zip(chain, chain[1:]):
                child_p = None if clev == MAC else cp
                _, upd = nest.psum_sent(child_p, pp, frozenset({Reduction.NOC, Reduction.TREE}))
                resident, use = nest.psum_resident(pp)
                if plev != DRAM:
                    usage[TILE_GLB if plev == GLB else TILE_RF, t] = use
                counts[plev, t, UPDATES] += upd
                if plev == DRAM:
                    counts[plev, t, WRITES] += upd
                    counts[plev, t, READS] += upd - resident
                else:
                    counts[plev, t, WRITES] += upd - resident
                    counts[plev, t, READS] += upd - resident
                if plev in (DRAM, GLB) and clev in (RF, MAC):
                    words, after_noc = nest.psum_sent(child_p, pp, frozenset({Reduction.NOC}))
                    counts[NOC, t, READS] += words - after_noc
                    counts[NOC, t, TRANSACTIONS] += upd + (upd - resident)
                    _, out = nest.psum_sent(child_p, pp, frozenset({Reduction.NOC, Reduction.TREE}),
                                            across_clusters=False)
                    counts[NOC, t, PORTS] += out + (upd - resident)
                    counts[NOC, t, HOPS] += out - upd
    return counts, usage, macs


def used_ifmap_elements(layer: ConvLayer) -> int:
    """Distinct ifmap words any MAC of the layer reads (direct, mapping-free)."""
    cg = layer.C // layer.G
    rows = {e * layer.U + r for e in range(layer.E) for r in range(layer.R)}
    cols = {f * layer.U + s for f in range(layer.F) for s in range(layer.S)}
    return layer.N * layer.G * cg * len(rows) * len(cols)


def _run_loops(mapping: Mapping, top: int, below: int, dim: Dim) -> list[int]:
    """Nest indices of the temporal loops of ``dim`` in the run that ends just above loop
    ``below`` (factor-1 loops skipped, up to the first other loop of factor > 1), none above
    loop ``top``."""
    out = []
    for j in range(below - 1, top - 1, -1):
        lp = mapping.loops[j]
        if lp.factor == 1:
            continue
        if lp.spatial or isinstance(lp.dim, Flat) or lp.dim != dim:
            break
        out.append(j)
    return out


def _spad_start(mapping: Mapping) -> int | None:
    """Where the weight RF tile starts (None: the filters bypass the RF, each MAC is a column)."""
    return mapping.rf[FILTER]


def column_loops(mapping: Mapping) -> list[int]:
    """Nest indices of the loops a sparse PE's *weight column* runs over: the innermost temporal
    loops of dimension ``M`` (factor-1 loops skipped, up to the first other loop of factor > 1)
    below the filter's RF start; none when the filters bypass the RF."""
    top = _spad_start(mapping)
    return [] if top is None else _run_loops(mapping, top, len(mapping.loops), Dim.M)


def iact_column_loops(mapping: Mapping) -> list[int]:
    """Nest indices of the loops an *iact column* adds to its weight columns: the temporal ``C``
    loops just above :func:`column_loops` (factor-1 loops skipped, up to the first other loop of
    factor > 1), below the filter's RF start; none when the filters bypass the RF."""
    top = _spad_start(mapping)
    if top is None:
        return []
    inner = column_loops(mapping)
    below = min(inner) if inner else len(mapping.loops)
    return _run_loops(mapping, top, below, Dim.C)


def sparse_work(layer: ConvLayer, mapping: Mapping, ifmap: np.ndarray, filters: np.ndarray, simd: int) -> dict:
    """A sparse PE's work by enumeration: ``{pe instance: int64[N_SPARSE_STATS]}`` (``SP_*``).

    The definition (Eyeriss v2's PE, JETCAS 2019 §IV; :class:`accelsim.spec.hardware.SparsePe`):
    a PE's valid MACs fall in *weight columns*, the groups of consecutive steps that differ only
    in the indices of :func:`column_loops` (one MAC each when there are none), and those in *iact
    columns*, the groups that differ only in the indices of :func:`column_loops` and
    :func:`iact_column_loops`. A weight column's MACs share one iact (the iact does not depend
    on ``M``) and read one weight each. A zero iact skips the weight column (its MACs count
    ``SP_ZERO_IACT``); otherwise its ``k`` non-zero weights take ``ceil(k / simd)`` cycles
    (``SP_EFFECTIVE`` += ``k``, ``SP_SIMD_PAD`` += the idle slots), the zero ones count
    ``SP_ZERO_WEIGHT``, and one with ``k = 0`` counts ``SP_EMPTY_COLUMN``. An iact column (with a
    valid MAC) whose weight columns take no cycle takes one (``SP_BUBBLE``). ``SP_IACT_READS``
    counts the weight columns with a non-zero iact (the PE reads each such iact once).

    Parameters
    ----------
    layer : ConvLayer
    mapping : Mapping
    ifmap : numpy.ndarray
        int64[N, C, H, W].
    filters : numpy.ndarray
        int64[M, C/G, R, S].
    simd : int
        MACs per cycle sharing one iact.

    Returns
    -------
    dict
        Per PE (its indices of the spatial loops, outermost first), the work int64[N_SPARSE_STATS].
    """
    mapping.check_covers(layer.loop_bounds())
    nest = _Nest(layer, mapping)
    cg, mg = layer.C // layer.G, layer.M // layer.G
    wcol = set(column_loops(mapping))
    icol = wcol | set(iact_column_loops(mapping))
    tpos = nest.temporal_above(nest.n)
    spos = nest.spatial_above(nest.n)
    wkey_idx = [i for i, j in enumerate(tpos) if j not in wcol]
    ikey_idx = [i for i, j in enumerate(tpos) if j not in icol]
    out: dict = {}
    for inst in product(*nest.ranges(spos)):
        work = np.zeros(N_SPARSE_STATS, dtype=np.int64)
        columns: dict = {}
        for step in product(*nest.ranges(tpos)):
            c = nest.coord(nest.assemble(nest.n, tpos, step, spos, inst))
            if not nest.valid(c):
                continue
            g, n, ch, h, w = nest.element(IFMAP, c)
            a = int(ifmap[n, g * cg + ch, h, w])
            g, m, ch, r, s_ = nest.element(FILTER, c)
            wt = int(filters[g * mg + m, ch, r, s_])
            ikey = tuple(step[i] for i in ikey_idx)
            wkey = tuple(step[i] for i in wkey_idx)
            columns.setdefault(ikey, {}).setdefault(wkey, []).append((a, wt))
        for weight_columns in columns.values():
            busy = 0
            for macs in weight_columns.values():
                work[SP_MACS] += len(macs)
                if macs[0][0] == 0:
                    work[SP_ZERO_IACT] += len(macs)
                    continue
                work[SP_IACT_READS] += 1
                k = sum(1 for _, wt in macs if wt != 0)
                work[SP_ZERO_WEIGHT] += len(macs) - k
                if k == 0:
                    work[SP_EMPTY_COLUMN] += 1
                    continue
                cycles = -(-k // simd)
                busy += cycles
                work[SP_EFFECTIVE] += k
                work[SP_SIMD_PAD] += cycles * simd - k
            if busy == 0:
                work[SP_BUBBLE] += 1
            work[SP_CYCLES] += max(busy, 1)
        out[inst] = work
    return out
