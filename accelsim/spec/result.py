"""Results: per-layer records and whole-run documents (docs/architecture.md, *Results* schema)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np

from ..layout import HOPS, PORTS, READS, TRANSACTIONS, UPDATES, WRITES, charged_energy, charged_words
from .assumptions import Assumptions
from .dims import COMPONENTS, DataType, Level
from .energy import AccessCosts
from .energy_model import AreaBreakdown, EnergyModel
from .layer import ConvLayer
from .mapping import Mapping

if TYPE_CHECKING:
    from .hardware import Hardware


class Status(str, Enum):
    """Outcome of one layer or case (its value is what records and CSVs hold)."""

    OK = "ok"
    INFEASIBLE = "infeasible"
    ERROR = "error"


@dataclass(frozen=True, slots=True, kw_only=True)
class MachineArea:
    """Silicon area of the machine a result ran on (``LayerResult.area``, ``RunResult.area``).

    Attributes
    ----------
    breakdown : AreaBreakdown
        mm² per component (MAC, RF, GLB, NoC).
    source : str
        What computed it: the run's own energy model, or — when a fixed table priced the run —
        the energy model at its default technology (tables have no area).
    """

    breakdown: AreaBreakdown
    source: str

    @property
    def total_mm2(self) -> float:
        return float(self.breakdown.total_mm2)

    def to_dict(self) -> dict:
        """``{"MAC", "RF", "GLB", "NoC", "total"}`` in mm², plus ``source`` (the result field ``area``)."""
        return {k: float(v) for k, v in self.breakdown.to_dict().items()} | {"source": self.source}


def machine_area(hw: "Hardware") -> MachineArea:
    """The area of ``hw`` from the energy model: its own (``hw.energy`` is a model), else
    :class:`~accelsim.spec.energy_model.EnergyModel` at its default parameters."""
    if isinstance(hw.energy, EnergyModel):
        return MachineArea(breakdown=hw.energy.area_for(hw), source=f"energy {hw.energy.describe()}")
    model = EnergyModel()
    return MachineArea(breakdown=model.area_for(hw),
                       source=f"energy {model.describe()} at its defaults (the run's energy is "
                              f"{hw.energy.describe()}, which has no area)")


def energy_source_dict(energy) -> dict:
    """The result document's ``energy_source``: ``description`` (the run header's line),
    ``kind`` (``model`` or ``table``), ``name``, ``unit``, ``source``, and the model's
    parameters (``technology_nm``, ``dram``, ``glb_access_bits``, and ``clock_pj_per_pe_cycle``
    when not 0)."""
    out = {"description": energy.describe(), "kind": "model" if isinstance(energy, EnergyModel) else "table",
           "name": energy.name, "unit": energy.unit.value, "source": energy.source}
    if isinstance(energy, EnergyModel):
        out.update(technology_nm=float(energy.technology_nm), dram=energy.dram.value,
                   glb_access_bits=int(energy.glb_access_bits))
        if energy.clock_pj_per_pe_cycle:  # only machines with a clock/static term: other records unchanged
            out["clock_pj_per_pe_cycle"] = float(energy.clock_pj_per_pe_cycle)
    return out


@dataclass(frozen=True, slots=True)
class Gating:
    """What zero gating saves on one layer (``LayerResult.gating``; built by
    :mod:`accelsim.sim.zero_gating`).

    Attributes
    ----------
    ifmap_zero_fraction : float
        Zero ifmap words ÷ ifmap words (measured), or the expected fraction.
    gated_macs : int
        MACs whose ifmap operand is zero (skipped), out of the layer's MACs.
    gated_filter_rf_reads : int
        Filter scratch-pad reads skipped (0 when filters bypass the RF).
    """

    ifmap_zero_fraction: float
    gated_macs: int
    gated_filter_rf_reads: int

    def to_dict(self) -> dict:
        """``{"ifmap_zero_fraction", "gated_macs", "gated_filter_rf_reads"}`` (the result field)."""
        return {"ifmap_zero_fraction": float(self.ifmap_zero_fraction), "gated_macs": int(self.gated_macs),
                "gated_filter_rf_reads": int(self.gated_filter_rf_reads)}


@dataclass(frozen=True, slots=True, kw_only=True)
class SparseWork:
    """What a sparse PE (``Hardware.sparse_pe``; Eyeriss v2) did with one layer's MACs
    (``LayerResult.sparse``): measured from the real tensors by the cycle engine
    (:mod:`accelsim.sim.sparse_skipping`, ``expected`` False), or an expectation at given densities
    (``expected`` True). The access counts stay the dense nest's; ``energy`` charges the ALU per
    effective MAC and the RF iact / filter reads the PE makes (:func:`energy_dict`).

    Attributes
    ----------
    simd : int
        MACs per cycle sharing one iact.
    macs : int
        The layer's MACs (dense).
    effective_macs, zero_iact_macs, zero_weight_macs : int
        MACs done, skipped for a zero iact, skipped for a zero weight (they add up to ``macs``).
    empty_columns : int
        Weight columns with a non-zero iact and no non-zero weight (dropped, no cycle).
    simd_pad_slots : int
        Idle MAC slots of the cycles that issue MACs (``simd`` × those cycles − effective MACs).
    bubble_cycles : int
        Cycles of iact columns with no MAC to issue (one each: reading the column's address;
        ``layout.SP_BUBBLE``); part of ``pe_cycles_*``.
    iact_reads : int
        Columns with a non-zero iact: the iact SPad reads the PEs make.
    skipped_ifmap_rf_reads, skipped_filter_rf_reads : int
        RF reads of the dense count the sparse PE does not make: ifmap (one per MAC) less
        ``iact_reads``, filter (one per MAC) less ``effective_macs``; 0 for a type bypassing the RF.
    pe_cycles_max, pe_cycles_mean : int, float
        Cycles the busiest PE issues MACs, and the mean over the PEs with a MAC.
    imbalance_cycles : int
        PE-cycles the PEs with a MAC spend waiting for slower PEs (at deliveries and at the end).
    expected : bool
        An expectation (analytic), not a measurement (cycle engine).
    """

    simd: int
    macs: int
    effective_macs: int
    zero_iact_macs: int
    zero_weight_macs: int
    empty_columns: int
    simd_pad_slots: int
    bubble_cycles: int
    iact_reads: int
    skipped_ifmap_rf_reads: int
    skipped_filter_rf_reads: int
    pe_cycles_max: int
    pe_cycles_mean: float
    imbalance_cycles: int
    expected: bool = False

    def to_dict(self) -> dict:
        """The record's ``sparse`` object: every attribute by name."""
        return {"simd": int(self.simd), "macs": int(self.macs), "effective_macs": int(self.effective_macs),
                "zero_iact_macs": int(self.zero_iact_macs), "zero_weight_macs": int(self.zero_weight_macs),
                "empty_columns": int(self.empty_columns), "simd_pad_slots": int(self.simd_pad_slots),
                "bubble_cycles": int(self.bubble_cycles), "iact_reads": int(self.iact_reads),
                "skipped_ifmap_rf_reads": int(self.skipped_ifmap_rf_reads),
                "skipped_filter_rf_reads": int(self.skipped_filter_rf_reads),
                "pe_cycles_max": int(self.pe_cycles_max), "pe_cycles_mean": float(self.pe_cycles_mean),
                "imbalance_cycles": int(self.imbalance_cycles), "expected": bool(self.expected)}


#: the ``SparseWork`` fields a run's ``total.sparse`` sums over its layers
SPARSE_TOTALS = ("macs", "effective_macs", "zero_iact_macs", "zero_weight_macs", "empty_columns", "simd_pad_slots",
                 "bubble_cycles", "iact_reads", "skipped_ifmap_rf_reads", "skipped_filter_rf_reads", "imbalance_cycles")


@dataclass(frozen=True, slots=True)
class DramTraffic:
    """DRAM accesses of one layer in 16-bit words, per data type and direction
    (``LayerResult.dram_compressed``; built by :mod:`accelsim.sim.compression`).

    Attributes
    ----------
    ifmap_reads, filter_reads, psum_writes, psum_reads : int
        16-bit words (psum writes include the final ofmap writes).
    """

    ifmap_reads: int
    filter_reads: int
    psum_writes: int
    psum_reads: int

    @property
    def total_words(self) -> int:
        return self.ifmap_reads + self.filter_reads + self.psum_writes + self.psum_reads

    def charged_words(self, dtype: DataType) -> int:
        """Words of ``dtype`` charged DRAM energy: reads, plus writes for psums
        (:func:`accelsim.layout.charged_words` on these words)."""
        if dtype is DataType.PSUM:
            return self.psum_reads + self.psum_writes
        return self.ifmap_reads if dtype is DataType.IFMAP else self.filter_reads

    def charged_energy(self, dtype: DataType, costs: AccessCosts) -> float:
        """DRAM energy of :meth:`charged_words`: reads at the read cost, psum writes at the write cost."""
        if dtype is DataType.PSUM:
            return (self.psum_reads * costs.read(Level.DRAM, dtype)
                    + self.psum_writes * costs.write(Level.DRAM, dtype))
        return self.charged_words(dtype) * costs.read(Level.DRAM, dtype)

    def to_dict(self) -> dict:
        """``{"ifmap_reads", "filter_reads", "psum_writes", "psum_reads"}`` (the result field)."""
        return {"ifmap_reads": int(self.ifmap_reads), "filter_reads": int(self.filter_reads),
                "psum_writes": int(self.psum_writes), "psum_reads": int(self.psum_reads)}


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleTiming:
    """The cycle engine's timing of one layer (``LayerResult.timing``; built by
    :mod:`accelsim.sim.evaluate`).

    Attributes
    ----------
    cycles, compute_cycles : int
        Total cycles and MAC steps.
    passes : int
        Passes over the array.
    stall_cycles : dict
        Cycles the active PEs waited, by cause (``accelsim.sim.cycle.STALL_CAUSES`` order).
    pe_total_cycles, pe_busy_cycles : int
        PE-cycles of the whole array, and those doing a MAC.
    pe_idle_cycles : dict
        Idle PE-cycles by stall cause, plus ``unused_pes`` (PEs the mapping leaves idle).
    pe_utilization : tuple of tuple of float
        Busy cycles ÷ cycles of each physical PE, rows × cols, rounded to 6 digits.
    seconds : float
        Cycles at the hardware's clock.
    verified : bool
        The output equals the reference convolution.
    counts_match_analytic : bool
        The access counts equal the analytic engine's.
    trace_columns : tuple of str
        Columns of ``LayerResult.trace``.
    trace_bin_cycles : int
        Cycles per trace row.
    psum_overflows : int
        Outputs whose exact value does not fit the machine's ``psum_bits``: its accumulators
        wrapped them (two's complement), so they differ from the exact convolution (``verified``
        compares with the wrapped one). Serialised as the record's top-level ``psum_overflows``.
    """

    cycles: int
    compute_cycles: int
    passes: int
    stall_cycles: dict[str, int]
    pe_total_cycles: int
    pe_busy_cycles: int
    pe_idle_cycles: dict[str, int]
    pe_utilization: tuple[tuple[float, ...], ...]
    seconds: float
    verified: bool
    counts_match_analytic: bool
    trace_columns: tuple[str, ...]
    trace_bin_cycles: int
    psum_overflows: int = 0

    def to_dict(self) -> dict:
        """The result document's ``timing`` object (``pe_cycles``: ``total``, ``busy``, ``idle``)."""
        return {
            "cycles": self.cycles,
            "compute_cycles": self.compute_cycles,
            "passes": self.passes,
            "stall_cycles": dict(self.stall_cycles),
            "pe_cycles": {"total": self.pe_total_cycles, "busy": self.pe_busy_cycles,
                          "idle": dict(self.pe_idle_cycles)},
            "pe_utilization": [list(row) for row in self.pe_utilization],
            "seconds": self.seconds,
            "verified": self.verified,
            "counts_match_analytic": self.counts_match_analytic,
            "trace_columns": list(self.trace_columns),
            "trace_bin_cycles": self.trace_bin_cycles,
        }


#: the energy component of the clock/static term (``AccessCosts.clock_per_cycle`` × the layer's
#: cycles); present only when the machine's costs have such a term
CLOCK_COMPONENT = "clock"


def accesses_dict(counts: np.ndarray, mesh: bool = False) -> dict:
    """Nested ``{level: {type: {stat: words}}}`` from kernel counts int64[N_LEVELS, N_TYPES, N_COUNT_STATS].

    ``mesh`` (a hierarchical-mesh machine): the NoC entries also carry ``ports`` (words crossing
    the clusters' router ports) and ``hops`` (words crossing a mesh link between clusters)."""
    out: dict = {}
    for lv in Level:
        per = {}
        for t in DataType:
            c = counts[lv, t]
            if lv is Level.NOC:
                per[t.label] = {"deliveries": int(c[READS]), "transactions": int(c[TRANSACTIONS])}
                if mesh:
                    per[t.label] |= {"ports": int(c[PORTS]), "hops": int(c[HOPS])}
            else:
                entry = {"reads": int(c[READS]), "writes": int(c[WRITES])}
                if t is DataType.PSUM:
                    entry["updates"] = int(c[UPDATES])
                per[t.label] = entry
        out[lv.label] = per
    return out


def energy_dict(counts: np.ndarray, macs: int, costs: AccessCosts, gating: Gating | None = None,
                dram_compressed: DramTraffic | None = None, cycles: int = 0, sparse: SparseWork | None = None) -> dict:
    """Energy by component and data type (docs/architecture.md, *Energy accounting*): inputs charged on reads, psums on
    reads and writes, NoC on deliveries.

    Parameters
    ----------
    counts : numpy.ndarray
        int64[4, 3, 4] dense access counts.
    macs : int
    costs : AccessCosts
        The machine's :attr:`~accelsim.spec.hardware.Hardware.access_costs`.
    gating : Gating, optional
        :attr:`LayerResult.gating` of a zero-gating machine: its ``gated_macs`` are taken off
        the ALU energy and its ``gated_filter_rf_reads`` off the RF filter energy.
    dram_compressed : DramTraffic, optional
        :attr:`LayerResult.dram_compressed` of an RLC machine (16-bit words): DRAM energy is
        charged on these words (ifmap reads, filter reads, psum reads + writes) instead of
        the dense counts.
    cycles : int
        The layer's cycles (the analytic engine's roofline bound, or the cycle engine's count):
        with a clock/static term (``costs.clock_per_cycle`` > 0) the result gains the component
        ``clock`` = cycles × that term; without one, no such key.
    sparse : SparseWork, optional
        :attr:`LayerResult.sparse` of a sparse-PE machine: the ALU is charged per effective MAC,
        the RF ifmap and filter reads less the ones the PE skips; it replaces ``gating`` (a
        sparse PE skips what gating would idle).
    """
    gated_macs = int(gating.gated_macs) if gating is not None else 0
    gated_filter = int(gating.gated_filter_rf_reads) if gating is not None else 0
    skipped_ifmap = 0
    if sparse is not None:
        gated_macs = int(sparse.macs - sparse.effective_macs)
        gated_filter = int(sparse.skipped_filter_rf_reads)
        skipped_ifmap = int(sparse.skipped_ifmap_rf_reads)
    flat = costs.charge_vector()
    out: dict = {"ALU": float((macs - gated_macs) * costs.mac)}
    for lv in (Level.RF, Level.NOC, Level.GLB, Level.DRAM):
        per = {}
        for t in DataType:
            if lv is Level.DRAM and dram_compressed is not None:
                per[t.label] = float(dram_compressed.charged_energy(t, costs))
            else:
                per[t.label] = float(charged_energy(counts, flat, lv, t))
            if lv is Level.RF and t is DataType.FILTER:
                per[t.label] -= float(gated_filter * costs.read(lv, t))
            if lv is Level.RF and t is DataType.IFMAP and skipped_ifmap:
                per[t.label] -= float(skipped_ifmap * costs.read(lv, t))
        out[lv.label] = per
    if costs.clock_per_cycle > 0:
        out[CLOCK_COMPONENT] = float(cycles * costs.clock_per_cycle)
    return out


def energy_total(energy: dict) -> float:
    return float(sum(v if isinstance(v, float) else sum(v.values()) for v in energy.values()))


def component_totals(energy: dict) -> dict[str, float]:
    """``{"ALU": e, "RF": e, ...}`` summed over data types (and ``clock`` when the energy has it)."""
    names = COMPONENTS + ((CLOCK_COMPONENT,) if CLOCK_COMPONENT in energy else ())
    return {c: (energy[c] if isinstance(energy[c], float) else sum(energy[c].values())) for c in names}


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class LayerResult:
    """What an engine reports for one layer.

    Attributes
    ----------
    counts : numpy.ndarray or None
        int64[4, 3, 4]: (DRAM, GLB, NoC, RF) × (ifmap, filter, psum) × (reads, writes,
        updates, transactions); NoC "reads" are words delivered into PEs.
    energy : dict
        Per component (and data type), in ``energy_unit``.
    cycles : int
        Cycles (analytic: max of compute steps and bandwidth bounds).
    status : Status
        ``ok``, or why there is no result (``infeasible``, ``error``; ``reason`` says more).
    timing : CycleTiming or None
        Cycle engine only.
    sparse : SparseWork or None
        On a sparse-PE machine (``Hardware.sparse_pe``): the work its PEs did and skipped;
        ``counts`` stay dense, ``energy`` and (cycle engine) ``cycles`` reflect it.
    gating : Gating or None
        On a zero-gating machine (``Hardware.effects.zero_gating``) — measured from the real
        ifmap (cycle engine) or expected from a zero fraction (analytic); ``counts`` stay
        dense, ``energy`` reflects the savings.
    dram_compressed : DramTraffic or None
        On an RLC machine (``Hardware.effects.dram_rlc``): DRAM words of the compressed code
        (the ``DRAM`` energy is charged on them); ``counts`` stay dense.
    clock_hz : float
        The hardware's clock (0: unknown), for :meth:`power_mw`.
    assumptions : Assumptions or None
        The zero fractions (and their sources), zero gating and RLC the data-dependent numbers
        assume; ``None`` for a layer that did not run.
    energy_source : str
        What priced the layer (``Hardware.energy.describe()``: ``table isca16 (unit mac)``,
        ``model (65 nm, DRAM lpddr4, unit pj)``); ``""``: not recorded.
    area : MachineArea or None
        The machine's silicon area (:func:`machine_area`; the same for every layer of a run).
    mesh_noc : bool
        The machine's NoC is a hierarchical mesh: the record's NoC accesses show ``ports`` and
        ``hops``.
    """

    layer: ConvLayer
    hardware: str
    dataflow: str
    engine: str
    energy_unit: str
    status: Status = Status.OK
    reason: str = ""
    mapping: Mapping | None = None
    macs: int = 0
    counts: np.ndarray | None = None
    energy: dict = field(default_factory=dict)
    cycles: int = 0
    compute_cycles: int = 0
    stall_cycles: int = 0
    active_pes: int = 0
    num_pes: int = 1
    mappings_considered: int = 0
    psum_spill: bool = False
    output: np.ndarray | None = None
    timing: CycleTiming | None = None
    trace: np.ndarray | None = None
    gating: Gating | None = None
    dram_compressed: DramTraffic | None = None
    clock_hz: float = 0.0
    assumptions: Assumptions | None = None
    energy_source: str = ""
    area: MachineArea | None = None
    mesh_noc: bool = False
    sparse: SparseWork | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        if self.status is not Status.OK and not self.reason:
            raise ValueError(f"a {self.status.value} result of layer {self.layer.name} needs a reason")

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def energy_total(self) -> float:
        return energy_total(self.energy) if self.energy else 0.0

    @property
    def utilization(self) -> float:
        """Active PEs ÷ PEs in the array."""
        return self.active_pes / self.num_pes if self.num_pes else 0.0

    def accesses(self) -> dict:
        return accesses_dict(self.counts, self.mesh_noc) if self.counts is not None else {}

    def power_mw(self) -> dict | None:
        """Average power in mW over the layer's cycles — ``total`` and ``on_chip`` (without
        DRAM) — when the energy is in pJ (e.g. the ``65nm-pj`` table) and the clock is known;
        ``None`` otherwise (energy in MAC units has no physical scale)."""
        if self.energy_unit != "pj" or not self.cycles or not self.clock_hz or not self.energy:
            return None
        seconds = self.cycles / self.clock_hz
        dram = component_totals(self.energy).get("DRAM", 0.0)
        to_mw = 1e-12 / seconds * 1e3
        return {"total": self.energy_total * to_mw, "on_chip": (self.energy_total - dram) * to_mw}

    def per_mac(self, level: Level) -> float:
        """Charged accesses at ``level`` per MAC (all data types)."""
        if self.counts is None or not self.macs:
            return float("nan")
        return sum(int(charged_words(self.counts, level, t)) for t in DataType) / self.macs

    def to_dict(self) -> dict:
        """The per-layer record of docs/architecture.md, *Results* (plus status, reason and a few
        extras): the one place the typed sub-records (``gating``, ``dram_compressed``,
        ``timing``) become plain data."""
        rec = {
            "name": self.layer.name,
            "status": self.status.value,
            "reason": self.reason,
            "shape": self.layer.shape_dict(),
            "macs": int(self.macs),
            "active_pes": int(self.active_pes),
            "utilization": float(self.utilization),
            "cycles": int(self.cycles),
            "compute_cycles": int(self.compute_cycles),
            "stall_cycles": int(self.stall_cycles),
            "mapping": self.mapping.to_dict() if self.mapping else {},
            "mappings_considered": int(self.mappings_considered),
            "psum_spill": bool(self.psum_spill),
            "accesses": self.accesses(),
            "energy": self.energy,
            "energy_total": float(self.energy_total),
        }
        if self.gating is not None:
            rec["gating"] = self.gating.to_dict()
        if self.dram_compressed is not None:
            rec["dram_compressed"] = self.dram_compressed.to_dict()
        if self.sparse is not None:
            rec["sparse"] = self.sparse.to_dict()
        power = self.power_mw()
        if power is not None:
            rec["power_mw"] = power
        if self.timing is not None:
            rec["timing"] = self.timing.to_dict()
            rec["psum_overflows"] = int(self.timing.psum_overflows)
        if self.assumptions is not None:
            rec["assumptions"] = self.assumptions.to_dict()
        if self.energy_source:
            rec["energy_source"] = self.energy_source
        if self.area is not None:
            rec["area"] = self.area.to_dict()
            rec["area_mm2"] = self.area.total_mm2
        return rec


def _add_nested(into: dict, other: dict) -> None:
    for key, value in other.items():
        if isinstance(value, dict):
            _add_nested(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RunResult:
    """A workload run on one hardware under one dataflow.

    Attributes
    ----------
    energy_source : dict
        What priced the run (:func:`energy_source_dict`; ``{}``: not recorded).
    area : MachineArea or None
        The machine's silicon area (:func:`machine_area`).
    """

    hardware: str
    dataflow: str
    engine: str
    energy_unit: str
    batch: int
    workload: str
    layers: tuple[LayerResult, ...]
    version: str = ""
    energy_source: dict = field(default_factory=dict)
    area: MachineArea | None = None

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.layers)

    def seconds(self) -> float | None:
        """The run's time: every layer's cycles at its hardware's clock, one layer after another;
        ``None`` when a layer did not run or a clock is unknown."""
        if not self.layers or not self.ok or any(not r.clock_hz for r in self.layers):
            return None
        return float(sum(r.cycles / r.clock_hz for r in self.layers))

    def inferences_per_s(self) -> float | None:
        """Throughput of the whole network: ``batch`` ÷ :meth:`seconds` (``None`` when unknown)."""
        seconds = self.seconds()
        return self.batch / seconds if seconds else None

    def inferences_per_j(self) -> float | None:
        """Energy efficiency of the whole network: ``batch`` ÷ the run's energy in joules (its
        clock/static term included); ``None`` unless every layer ran and the energy is in pJ."""
        if not self.layers or not self.ok or self.energy_unit != "pj":
            return None
        joules = sum(r.energy_total for r in self.layers) * 1e-12
        return self.batch / joules if joules > 0 else None

    def total(self) -> dict:
        """Totals over the feasible layers (the ``total`` object of §6), plus ``gated_macs``,
        ``dram_compressed`` and ``sparse`` (:data:`SPARSE_TOTALS`) summed over the layers that
        record them, and the network's ``inferences_per_s`` and ``inferences_per_j`` (``None``
        when unknown: a layer did not run, no clock, or energy not in pJ)."""
        tot: dict = {"macs": 0, "cycles": 0, "energy_total": 0.0, "energy": {}, "accesses": {},
                     "infeasible_layers": [r.layer.name for r in self.layers if not r.ok]}
        for r in self.layers:
            if not r.ok:
                continue
            tot["macs"] += r.macs
            tot["cycles"] += r.cycles
            tot["energy_total"] += r.energy_total
            _add_nested(tot["energy"], r.energy)
            _add_nested(tot["accesses"], r.accesses())
            if r.gating is not None:
                tot["gated_macs"] = tot.get("gated_macs", 0) + int(r.gating.gated_macs)
            if r.dram_compressed is not None:
                _add_nested(tot.setdefault("dram_compressed", {}), r.dram_compressed.to_dict())
            if r.sparse is not None:
                into = tot.setdefault("sparse", {})
                for key in SPARSE_TOTALS:
                    into[key] = into.get(key, 0) + int(getattr(r.sparse, key))
        tot["inferences_per_s"] = self.inferences_per_s()
        tot["inferences_per_j"] = self.inferences_per_j()
        return tot

    def to_dict(self) -> dict:
        """The result document (docs/architecture.md, *Results*); ``energy_source``, ``area`` and
        ``area_mm2`` when recorded."""
        doc = {
            "accelsim_version": self.version,
            "workload": self.workload,
            "hardware": self.hardware,
            "dataflow": self.dataflow,
            "engine": self.engine,
            "energy_unit": self.energy_unit,
            "batch": self.batch,
            "layers": [r.to_dict() for r in self.layers],
            "total": self.total(),
        }
        if self.energy_source:
            doc["energy_source"] = dict(self.energy_source)
        if self.area is not None:
            doc["area"] = self.area.to_dict()
            doc["area_mm2"] = self.area.total_mm2
        return doc
