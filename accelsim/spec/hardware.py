"""Accelerator descriptions: storage levels, NoC, energy table, the on/off flags, the whole machine."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from ..errors import SpecError
from .dims import DataType, Dataflow, NocKind
from .energy import AccessCosts, EnergyTable, TypedEnergyTable
from .energy_model import EnergyModel

#: what ``Hardware.energy`` may be: a fixed table or the model
EnergySource = EnergyTable | TypedEnergyTable | EnergyModel


@dataclass(frozen=True, slots=True, kw_only=True)
class Precision:
    """Bits per word of each data type.

    Parameters
    ----------
    ifmap_bits, filter_bits, psum_bits : int
        Word widths, bits (16/16/16 for Eyeriss v1; 8/8/20 for Eyeriss v2). Psums wider than
        their inputs are the accumulator's width: the cycle engine's psums wrap (two's
        complement) at it.
    """

    ifmap_bits: int = 16
    filter_bits: int = 16
    psum_bits: int = 16

    def __post_init__(self) -> None:
        for key in ("ifmap_bits", "filter_bits", "psum_bits"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
                raise SpecError(f"must be an integer in 1..64, got {value!r}", field=f"precision.{key}")

    @property
    def per_type(self) -> tuple[int, int, int]:
        """Bits indexed by :class:`~accelsim.spec.dims.DataType`."""
        return (self.ifmap_bits, self.filter_bits, self.psum_bits)

    def of(self, dtype: DataType) -> int:
        return self.per_type[dtype]

    @property
    def uniform_bits(self) -> int | None:
        """The one width when all three types share it, else ``None``."""
        return self.ifmap_bits if len(set(self.per_type)) == 1 else None

    def describe(self) -> str:
        if self.uniform_bits is not None:
            return f"{self.uniform_bits}-bit"
        return f"{self.ifmap_bits}/{self.filter_bits}/{self.psum_bits}-bit ifmap/filter/psum"


@dataclass(frozen=True, slots=True, kw_only=True)
class Buffer:
    """Capacity of one storage level: words of each data type, and a shared pool.

    Each data type first uses its dedicated words (``ifmap_words`` …, words of that type's
    width); what does not fit spills into the shared pool of ``shared_words`` words of
    ``pool_word_bits`` bits. ``None`` everywhere means unbounded (DRAM).

    The pool holds bits: a type of ``b`` bits whose tile spills ``w`` words past its
    dedicated words takes ``w · b`` bits of the pool's ``shared_words · pool_word_bits``.
    With every data type as wide as a pool word this is the word count of the ISCA 2016
    model (``sum(w) <= shared_words``), exactly.

    A banked shared pool (``bank_words > 0``, the Eyeriss chip's 25 banks of 2048 words) is
    split into ``banks`` = ``shared_words // bank_words`` whole banks (words past the last
    whole bank are unusable), each given wholly to one data type per layer: a type spilling
    ``w · b`` bits takes ``ceil(w · b / (bank_words · pool_word_bits))`` banks, and the banks
    taken must not exceed ``banks``.

    The per-type widths belong to the machine (:attr:`Hardware.precision`); the methods take
    them as ``type_bits`` (bits of ifmap, filter, psum words; ``None`` = every type as wide
    as a pool word, i.e. the word model).

    Parameters
    ----------
    shared_words : int or None
        Words any data type may use; ``None`` = unlimited.
    ifmap_words, filter_words, psum_words : int
        Words reserved for one data type (of that type's width).
    bank_words : int
        Words per bank of the shared pool; 0 = not banked (any mix fits).
    pool_word_bits : int or None
        Bits per word of the shared pool and its banks; ``None`` = as wide as the machine's
        widest data type (with one width for all types: that width).
    """

    shared_words: int | None = 0
    ifmap_words: int = 0
    filter_words: int = 0
    psum_words: int = 0
    bank_words: int = 0
    pool_word_bits: int | None = None

    def __post_init__(self) -> None:
        for key in ("ifmap_words", "filter_words", "psum_words", "bank_words"):
            if getattr(self, key) < 0:
                raise SpecError(f"must be >= 0, got {getattr(self, key)}", field=key)
        if self.shared_words is not None and self.shared_words < 0:
            raise SpecError(f"must be >= 0, got {self.shared_words}", field="shared_words")
        if self.bank_words and self.shared_words is None:
            raise SpecError("banks need a finite shared pool", field="bank_words")
        bits = self.pool_word_bits
        if bits is not None and (isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= 64):
            raise SpecError(f"must be an integer in 1..64 or None, got {bits!r}", field="pool_word_bits")

    @property
    def banks(self) -> int:
        """Whole banks in the shared pool (0 when not banked)."""
        return self.shared_words // self.bank_words if self.bank_words else 0

    def type_and_pool_bits(self, type_bits: tuple[int, int, int] | None = None) -> tuple[tuple[int, int, int], int]:
        """``(bits per word of ifmap, filter, psum; bits per pool word)`` this buffer counts
        with, for a machine whose data types are ``type_bits`` wide (``None``: the word model,
        every type a pool word wide)."""
        if type_bits is None:
            pool = self.pool_word_bits or 1
            return (pool, pool, pool), pool
        widths = tuple(int(b) for b in type_bits)
        return widths, self.pool_word_bits or max(widths)  # type: ignore[return-value]

    def spill_bits(self, usage_words: tuple[int, int, int],
                   type_bits: tuple[int, int, int] | None = None) -> tuple[int, int, int]:
        """Bits each data type's ``usage_words`` (words per type) put into the shared pool."""
        widths, _ = self.type_and_pool_bits(type_bits)
        return tuple(max(0, int(use) - cap) * b  # type: ignore[return-value]
                     for use, cap, b in zip(usage_words, self.dedicated_words, widths))

    def banks_needed(self, usage_words: tuple[int, int, int],
                     type_bits: tuple[int, int, int] | None = None) -> tuple[int, int, int]:
        """Banks each data type takes for ``usage_words`` (all 0 when not banked)."""
        if not self.bank_words:
            return (0, 0, 0)
        bank_bits = self.bank_words * self.type_and_pool_bits(type_bits)[1]
        return tuple(-(-spill // bank_bits) for spill in self.spill_bits(usage_words, type_bits))  # type: ignore

    @property
    def dedicated_words(self) -> tuple[int, int, int]:
        """Reserved words per data type, indexed by :class:`DataType`."""
        return (self.ifmap_words, self.filter_words, self.psum_words)

    @property
    def total_words(self) -> int | None:
        if self.shared_words is None:
            return None
        return self.shared_words + self.ifmap_words + self.filter_words + self.psum_words

    def total_bits(self, type_bits: tuple[int, int, int] | None = None) -> int | None:
        """Capacity in bits (dedicated words at their types' widths plus the pool); ``None`` = unbounded."""
        if self.shared_words is None:
            return None
        widths, pool = self.type_and_pool_bits(type_bits)
        return self.shared_words * pool + sum(w * b for w, b in zip(self.dedicated_words, widths))

    def overflow(self, usage_words: tuple[int, int, int],
                 type_bits: tuple[int, int, int] | None = None) -> str | None:
        """Describe how ``usage_words`` (words per data type, each ``type_bits`` wide) overflows
        this buffer, or ``None``."""
        if self.shared_words is None:
            return None
        widths, pool = self.type_and_pool_bits(type_bits)
        spill = self.spill_bits(usage_words, type_bits)
        parts = ", ".join(f"{t.label} {u}" for t, u in zip(DataType, usage_words))
        # one width for every type and the pool: the messages of the word model
        words = len({*widths, pool}) == 1
        if not words:
            parts += " words (" + "/".join(str(b) for b in widths) + " bits each)"
        pool_desc = "words" if words else f"{pool}-bit words"
        if sum(spill) <= self.shared_words * pool:
            banks = self.banks_needed(usage_words, type_bits)
            if sum(banks) <= self.banks:
                return None
            taken = ", ".join(f"{t.label} {b}" for t, b in zip(DataType, banks) if b)
            return (f"needs {parts}{' words' if words else ''}; the shared pool has {self.banks} banks of "
                    f"{self.bank_words} {pool_desc}, each wholly one data type, and the tiles take {sum(banks)} "
                    f"({taken})")
        if words:
            return (f"needs {parts} words; dedicated {self.dedicated_words}, shared {self.shared_words} "
                    f"(overflow {sum(spill) // pool - self.shared_words} words)")
        return (f"needs {parts}; dedicated {self.dedicated_words} words, shared {self.shared_words} {pool_desc} "
                f"(overflow {sum(spill) - self.shared_words * pool} bits)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Clusters:
    """The cluster hierarchy of a hierarchical mesh NoC (Eyeriss v2, JETCAS 2019 §II): a
    ``rows × cols`` array of clusters, each a ``pe_rows × pe_cols`` array of PEs with its own
    GLB cluster and router cluster. The PE array is ``(rows·pe_rows) × (cols·pe_cols)``.

    Parameters
    ----------
    rows, cols : int
        Clusters along the mesh's two axes (v2: 8 × 2).
    pe_rows, pe_cols : int
        PEs per cluster (v2: 3 × 4).
    """

    rows: int
    cols: int
    pe_rows: int
    pe_cols: int

    def __post_init__(self) -> None:
        for key in ("rows", "cols", "pe_rows", "pe_cols"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SpecError(f"must be an integer >= 1, got {value!r}", field=f"noc.clusters.{key}")

    @property
    def count(self) -> int:
        return self.rows * self.cols


@dataclass(frozen=True, slots=True, kw_only=True)
class Routers:
    """One data type's routers in each router cluster of a hierarchical mesh (JETCAS 2019
    §III-C).

    Parameters
    ----------
    count : int
        Routers of this type per cluster (v2: 3 iact, 3 weight, 4 psum).
    source_ports, destination_ports : int
        Ports per router (v2: 4/4 iact, 2/2 weight, 3/3 psum).
    port_bits : int
        Width of a port, bits per cycle (v2: 24 iact and weight, 40 psum).
    vertical_links, horizontal_links : bool
        Mesh links between clusters along the cluster array's rows / columns (v2: weights
        have no vertical links, psums no horizontal ones).
    """

    count: int
    source_ports: int
    destination_ports: int
    port_bits: int
    vertical_links: bool = True
    horizontal_links: bool = True

    def __post_init__(self) -> None:
        for key in ("count", "source_ports", "destination_ports", "port_bits"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SpecError(f"must be an integer >= 1, got {value!r}", field=f"noc.routers.{key}")

    def words_per_cycle(self, bits: int) -> int:
        """Words of ``bits`` bits the cluster's routers of this type deliver per cycle."""
        return self.count * (self.port_bits // bits)


@dataclass(frozen=True, slots=True, kw_only=True)
class GlbBanks:
    """One data type's GLB banks in each GLB cluster of a hierarchical mesh (Eyeriss v2, JETCAS
    2019 §II: per cluster 3 iact banks of 1.5 kB and 4 psum banks of 1.875 kB, no weight banks).

    Placement rule (docs/architecture.md, *GLB banks per cluster*): each GLB word is stored once,
    in one cluster's banks of its type, and the mesh carries it to the other clusters that take
    it, so the GLB of a type is the clusters' banks together (:meth:`words`) and the banks of all
    clusters serve in parallel (:meth:`words_per_cycle`).

    Parameters
    ----------
    count : int
        Banks of this type per GLB cluster (v2: 3 iact, 4 psum).
    bank_bytes : int
        Capacity of one bank, bytes (v2: 1536 iact, 1920 psum).
    port_bits : int
        Width of a bank's port, bits per cycle (v2: 24 iact, 40 psum).
    """

    count: int
    bank_bytes: int
    port_bits: int

    def __post_init__(self) -> None:
        for key in ("count", "bank_bytes", "port_bits"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SpecError(f"must be an integer >= 1, got {value!r}", field=f"noc.glb_banks.{key}")

    def words(self, bits: int) -> int:
        """Words of ``bits`` bits the banks of one cluster hold (whole words per bank)."""
        return self.count * (self.bank_bytes * 8 // bits)

    def words_per_cycle(self, bits: int) -> int:
        """Words of ``bits`` bits the banks of one cluster read or write per cycle."""
        return self.count * (self.port_bits // bits)


@dataclass(frozen=True, slots=True, kw_only=True)
class NoC:
    """On-chip network: kind and bus widths in words per cycle.

    Parameters
    ----------
    kind : NocKind
        ``gin`` multicast buses, ``broadcast``, ``unicast`` or ``systolic`` neighbour links.
    ifmap_words_per_cycle, filter_words_per_cycle, psum_words_per_cycle : int
        GIN bus widths delivering each data type from the GLB.
    gon_words_per_cycle : int
        Psums from the array back to the GLB.
    local_words_per_cycle : int
        Vertical PE-to-PE psum link.
    clusters : Clusters or None
        ``hmesh`` only: the cluster hierarchy. The four rates above are then per active
        cluster (its routers' ports into and out of its PEs).
    routers : tuple of Routers or None
        ``hmesh`` only: per data type (ifmap, filter, psum), the routers of one cluster.
    glb_banks : tuple of (GlbBanks or None) or None
        ``hmesh`` only, optional: per data type (ifmap, filter, psum), the GLB banks of one
        cluster; ``None`` for a type with no GLB (v2: filter). The GLB they describe is
        :meth:`banked_glb` and :meth:`banked_glb_words_per_cycle` (a hardware file's
        ``glb_bytes`` and ``glb_words_per_cycle`` are derived from them). ``None``: the GLB is
        described as one pool (``Hardware.glb``), as on a flat NoC.
    """

    kind: NocKind = NocKind.GIN
    ifmap_words_per_cycle: int = 4
    filter_words_per_cycle: int = 4
    psum_words_per_cycle: int = 4
    gon_words_per_cycle: int = 4
    local_words_per_cycle: int = 4
    clusters: Clusters | None = None
    routers: tuple[Routers, Routers, Routers] | None = None
    glb_banks: tuple[GlbBanks | None, GlbBanks | None, GlbBanks | None] | None = None

    def __post_init__(self) -> None:
        for key in ("ifmap_words_per_cycle", "filter_words_per_cycle", "psum_words_per_cycle",
                    "gon_words_per_cycle", "local_words_per_cycle"):
            if getattr(self, key) < 1:
                raise SpecError(f"must be >= 1, got {getattr(self, key)}", field=f"noc.{key}")
        if self.kind is NocKind.HMESH:
            if self.clusters is None or self.routers is None:
                raise SpecError("a hierarchical mesh needs its clusters and routers", field="noc.clusters")
        elif self.clusters is not None or self.routers is not None:
            raise SpecError(f"clusters and routers belong to an hmesh NoC, not {self.kind.value}",
                            field="noc.clusters")
        if self.glb_banks is not None:
            if self.kind is not NocKind.HMESH:
                raise SpecError(f"GLB banks per cluster belong to an hmesh NoC, not {self.kind.value}",
                                field="noc.glb_banks")
            if len(self.glb_banks) != len(DataType) or not all(
                    b is None or isinstance(b, GlbBanks) for b in self.glb_banks):
                raise SpecError(f"must be one GlbBanks or None per data type, got {self.glb_banks!r}",
                                field="noc.glb_banks")
            if all(b is None for b in self.glb_banks):
                raise SpecError("no data type has GLB banks (leave glb_banks out for a pooled GLB)",
                                field="noc.glb_banks")

    def banked_glb(self, precision: Precision) -> Buffer:
        """The GLB the banks make: per data type ``clusters × count × (bank_bytes · 8 // bits)``
        words of that type, no shared pool (a type without banks has none: it bypasses the GLB).

        Parameters
        ----------
        precision : Precision
            The machine's word widths (the bits each type's words take in its banks).
        """
        if self.glb_banks is None or self.clusters is None:
            raise SpecError("this NoC has no GLB banks", field="noc.glb_banks")
        words = [0 if b is None else self.clusters.count * b.words(precision.of(t))
                 for t, b in zip(DataType, self.glb_banks)]
        return Buffer(shared_words=0, ifmap_words=words[0], filter_words=words[1], psum_words=words[2])

    def banked_glb_words_per_cycle(self, precision: Precision) -> int:
        """The GLB bandwidth the banks make, words per cycle: ``clusters × Σ count × (port_bits //
        bits)`` over the types with banks (v2: 16 × (3 × 3 + 4 × 2) = 272).

        Parameters
        ----------
        precision : Precision
            The machine's word widths.
        """
        if self.glb_banks is None or self.clusters is None:
            raise SpecError("this NoC has no GLB banks", field="noc.glb_banks")
        return self.clusters.count * sum(b.words_per_cycle(precision.of(t))
                                         for t, b in zip(DataType, self.glb_banks) if b is not None)


class _Flags:
    """On/off switches; each field must be a bool (``SpecError`` naming the field otherwise)."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, bool):
                raise SpecError(f"must be true or false, got {value!r}", field=f.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchRules(_Flags):
    """What the mapper may choose (:func:`accelsim.search.mapper.rules_of`). They restrict the
    search only: a mapping given by the user is counted as it is.

    Parameters
    ----------
    allow_psum_spill : bool
        Psums may spill to DRAM (ISCA 2016 forbids it: only ofmaps are written to DRAM).
    dram_filters_once : bool
        Only mappings that read every filter word from DRAM once (off). The ISCA 2016 WS and
        OS dataflows behave so in Fig. 11 (their DRAM accesses at N = 1, 16 and 64 differ by
        the filter words per MAC).
    glb_conv_reuse : bool
        The GLB's ifmap tile may span temporal E/F loops, i.e. give convolutional
        (sliding-window) reuse (on). Off, as the ISCA 2016 output-stationary dataflows are
        described (§IV-B: all input reuse beyond psums happens between PEs), every temporal
        E/F loop lies above the ifmap's GLB tile, so each window is fetched from DRAM.
    """

    allow_psum_spill: bool = True
    dram_filters_once: bool = False
    glb_conv_reuse: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelOptions(_Flags):
    """How the engines model the machine.

    Parameters
    ----------
    glb_halo_reuse : bool
        The GLB keeps the rows two consecutive ifmap tiles share (off, as in the ISCA 2016
        model: each tile is fetched whole).
    rf_prefetch : bool
        Cycle engine, GIN: scratch pads (or PE input FIFOs) double-buffer their tiles, so the
        next tile's words cross the NoC while the current tile is in use (off: a PE waits for
        every delivery). Capacity checks do not count the second buffer.
    fold_overlap : bool
        Cycle engine, systolic NoC: the next fold's pre-load of stationary operands (weights
        or inputs kept in the RF, shifted down the columns into shadow registers) runs during
        the previous fold's drain, so only the first fold pays it
        (:func:`accelsim.sim.cycle.pass_overhead`). Off: folds run back to back.
    scalesim_counts : bool
        Count as SCALE-Sim 3.0.0 does (off): the array's parent level serves every im2col element
        to every fold that uses it (no multicast union of equal words, every psum a fold makes one
        write, plus its ``rows + cols`` extra ofmap writes per output-stationary fold)
        (:mod:`accelsim.sim.conventions`).
    scalesim_timing : bool
        Time folds as SCALE-Sim 3.0.0 does (off): each fold pays the whole array's fill
        (``rows + cols − 2``, plus ``rows`` of pre-load for weight / input stationary) whatever
        part of it the fold uses, folds never overlap, and the count is one less
        (:func:`accelsim.sim.conventions.scalesim_compute_cycles`).
    """

    glb_halo_reuse: bool = False
    rf_prefetch: bool = False
    fold_overlap: bool = False
    scalesim_counts: bool = False
    scalesim_timing: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DataEffects(_Flags):
    """Data-dependent savings (docs/architecture.md, *Data-dependent effects*); access counts stay dense.

    Parameters
    ----------
    zero_gating : bool
        A zero ifmap value disables the filter-spad read and the MAC it feeds (the Eyeriss
        PE's data gating, JSSC 2017): saves ALU and RF filter energy, not cycles. The gated
        MACs and reads are recorded in ``LayerResult.gating`` and taken off the energy
        (:mod:`accelsim.sim.zero_gating`).
    dram_rlc : bool
        Fmaps in DRAM are run-length compressed (JSSC 2017 Sec. IV-B), except the first
        layer's input (the image): DRAM ifmap reads and ofmap writes are charged in
        compressed words, recorded in ``LayerResult.dram_compressed``
        (:mod:`accelsim.sim.compression`). Filters stay uncompressed.
    """

    zero_gating: bool = False
    dram_rlc: bool = False


#: The Hardware field holding each group of flags.
FLAG_GROUPS: dict[str, type[_Flags]] = {"rules": SearchRules, "model": ModelOptions, "effects": DataEffects}

#: Every on/off flag, by its own name (a hardware file's top-level key, a sweep's ``vary``
#: name) → the :data:`FLAG_GROUPS` field that holds it. The one list of flag names.
FLAGS: dict[str, str] = {f.name: group for group, cls in FLAG_GROUPS.items() for f in fields(cls)}


@dataclass(frozen=True, slots=True, kw_only=True)
class SparsePe:
    """A PE that skips zeros instead of gating them: Eyeriss v2's sparse PE (Chen, Yang, Emer,
    Sze, IEEE JETCAS 9(2) 2019, §IV).

    It reads the next non-zero iact, then only the matching non-zero weights of its column (the
    weights of the PE's output channels ``M`` for that iact), ``simd`` of them per cycle; a zero
    iact or weight costs no cycle, a column with no non-zero weight is dropped. The work this
    makes per PE is :data:`accelsim.layout.SP_MACS` … ``SP_CYCLES`` (the definition is
    ``tests/reference_counter.py sparse_work``); access counts stay those of the dense nest.

    Parameters
    ----------
    simd : int
        MACs per cycle sharing one iact (v2: 2; a one-MAC PE: 1).
    """

    simd: int = 2

    def __post_init__(self) -> None:
        if isinstance(self.simd, bool) or not isinstance(self.simd, int) or self.simd < 1:
            raise SpecError(f"must be an integer >= 1, got {self.simd!r}", field="sparse_pe.simd")


@dataclass(frozen=True, slots=True, kw_only=True)
class Hardware:
    """A spatial accelerator.

    Parameters
    ----------
    name : str
        Preset or file name.
    pe_rows, pe_cols : int
        PE array shape.
    rf : Buffer
        Scratch pads of *one* PE, words.
    glb : Buffer
        Global buffer, words.
    precision : Precision
        Bits per word of each data type.
    clock_hz : float
        Core clock.
    dram_words_per_cycle, glb_words_per_cycle : float
        Bandwidths in words per core cycle; ``dram_words_per_cycle`` may be ``math.inf`` (an
        unlimited off-chip link that never stalls the array: ``unlimited`` in a hardware file).
    pe_pipeline_depth : int
        PE pipeline stages (fill/drain latency of the cycle engine).
    noc : NoC
        On-chip network.
    energy : EnergyTable, TypedEnergyTable or EnergyModel
        Where per-access energies come from: a fixed table, or the model
        (:attr:`access_costs` resolves either for this machine).
    dataflow : Dataflow or None
        The dataflow this configuration was sized for, if any (ISCA 2016 comparison setups).
    rules : SearchRules
        What the mapper may choose.
    model : ModelOptions
        How the engines model the machine.
    effects : DataEffects
        Data-dependent savings (zero gating, RLC-compressed DRAM traffic).
    sparse_pe : SparsePe or None
        The PE skips zero iacts and weights (Eyeriss v2); ``None``: a dense PE (one MAC per
        PE per step).
    source : str
        Where the description comes from.
    """

    name: str = "custom"
    pe_rows: int
    pe_cols: int
    rf: Buffer
    glb: Buffer
    precision: Precision = field(default_factory=Precision)
    clock_hz: float = 200e6
    dram_words_per_cycle: float = 4.0
    glb_words_per_cycle: float = 16.0
    pe_pipeline_depth: int = 1
    noc: NoC = field(default_factory=NoC)
    energy: EnergySource = field(default_factory=EnergyTable)
    dataflow: Dataflow | None = None
    rules: SearchRules = field(default_factory=SearchRules)
    model: ModelOptions = field(default_factory=ModelOptions)
    effects: DataEffects = field(default_factory=DataEffects)
    sparse_pe: SparsePe | None = None
    source: str = ""

    def __post_init__(self) -> None:
        for key in ("pe_rows", "pe_cols", "pe_pipeline_depth"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SpecError(f"must be an integer >= 1, got {value!r}", field=key)
        for key, cls in FLAG_GROUPS.items():
            if not isinstance(getattr(self, key), cls):
                raise SpecError(f"must be a {cls.__name__}, got {getattr(self, key)!r}", field=key)
        for key in ("clock_hz", "dram_words_per_cycle", "glb_words_per_cycle"):
            if not getattr(self, key) > 0:
                raise SpecError(f"must be > 0, got {getattr(self, key)!r}", field=key)
        if self.sparse_pe is not None and not isinstance(self.sparse_pe, SparsePe):
            raise SpecError(f"must be a SparsePe or None, got {self.sparse_pe!r}", field="sparse_pe")
        if self.glb.shared_words is None:
            raise SpecError("the global buffer must have a finite size", field="glb.shared_words")
        if self.rf.shared_words is None:
            raise SpecError("the RF must have a finite size", field="rf.shared_words")
        cl = self.noc.clusters
        if cl is not None and (cl.rows * cl.pe_rows, cl.cols * cl.pe_cols) != (self.pe_rows, self.pe_cols):
            raise SpecError(f"{cl.rows}x{cl.cols} clusters of {cl.pe_rows}x{cl.pe_cols} PEs are a "
                            f"{cl.rows * cl.pe_rows}x{cl.cols * cl.pe_cols} array, not {self.pe_rows}x{self.pe_cols}",
                            field="noc.clusters")
        for t, bank in zip(DataType, self.noc.glb_banks or ()):
            bits = self.precision.of(t)
            if bank is not None and bank.port_bits < bits:
                raise SpecError(f"a {bank.port_bits}-bit bank port cannot carry one {bits}-bit {t.label} word",
                                field=f"noc.glb_banks.{t.label}.port_bits")
            if bank is not None and bank.bank_bytes * 8 < bits:
                raise SpecError(f"a {bank.bank_bytes}-byte bank cannot hold one {bits}-bit {t.label} word",
                                field=f"noc.glb_banks.{t.label}.bytes")

    @property
    def word_bits(self) -> int:
        """The one word width of a machine whose data types share it (``SpecError`` otherwise:
        read :attr:`precision`)."""
        bits = self.precision.uniform_bits
        if bits is None:
            raise SpecError(f"the data types have different widths ({self.precision.describe()})",
                            field="precision")
        return bits

    @property
    def access_costs(self) -> AccessCosts:
        """Energy per MAC and per word at each level and data type, for this machine."""
        return self.energy.costs_for(self)

    @property
    def num_pes(self) -> int:
        return self.pe_rows * self.pe_cols

    def with_array(self, rows: int, cols: int) -> "Hardware":
        """The same machine with a ``rows × cols`` PE array."""
        return replace(self, pe_rows=rows, pe_cols=cols, name=f"{self.name}@{rows}x{cols}")
