"""Energy per access (and silicon area) derived from the machine: capacity, width, precision, technology.

Forms and their sources
-----------------------
All energies are pJ; ``T(node)`` is :func:`technology_scale` (1 at 45 nm).

* **MAC** — Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014
  (45 nm, 0.9 V): 8-bit multiply 0.2 pJ, 32-bit 3.1 pJ (growing as the product of the operand
  widths: 3.1 / 0.2 = 15.5 ~ 16), 8-bit add 0.03 pJ, 32-bit 0.1 pJ (linear in width). A MAC of
  ``a x b`` bits accumulating ``c`` bits costs ``K_MAC · T · (0.2·a·b/64 + 0.03·c/8)``; ``K_MAC``
  (fitted) folds in the pipeline registers and operand muxing that a bare multiplier lacks.
* **SRAM** (global buffer) — Horowitz's 45 nm 64-bit SRAM reads (8 KB 10 pJ, 32 KB 20 pJ, 1 MB
  100 pJ) follow the CACTI-style √capacity growth (bit- and word-line lengths grow as the side of
  the array): ``K_SRAM · T · 10 pJ · (width/64) · sqrt(capacity / 8 KB)`` (the form gives 20 pJ at
  32 KB and 113 pJ at 1 MB). A word costs its share of one access of ``glb_access_bits``.
  Banking is not modelled: Accelergy's banked arrays (S1 and S7: 32 banks, S6: 2 banks, in
  ``tests/accelergy_reference.py``) lie within 0.71–0.93x of the one form, its one-bank 2019/2020
  40 nm arrays (S3, S4, S5) at 0.27–0.41x — a difference between Accelergy versions more than a
  banking effect the data could separate (S4 and S6 are the same 40 nm 32768 x 64 array with 1 and
  2 banks, 2.2x apart).
* **Register file** (scratch pads) — read energy ``T · (RF_BIT · width + RF_ROW · depth)``: a
  per-bit term (cell, bit line, output latch) and a depth term for the address decode and the
  read-mux tree, which grows with the number of rows. Fitted on Aladdin's regfile tables (the
  16-bit 45 nm ones and the one 8-bit 40 nm one, which separates the two terms: the 8-bit 64-row
  file costs 0.212 pJ, about 0.76x what the 16-bit files interpolate to at 64 rows, not 0.5x, so
  the depth term does not scale with width).
* **Address generation** — Accelergy's ``smartbuffer`` classes add address generators (a counter
  per buffer): one adder of ``ceil(log2 depth)`` bits at the MAC's adder energy (no own constant).
* **NoC** — on-chip wire energy per bit per mm: Keckler, Dally, Khailany, Garland, Glasco,
  "GPUs and the future of parallel computing", IEEE Micro 31(5), 2011, Table 1: moving 256 bits
  10 mm at 40 nm costs 310 pJ = 0.121 pJ/bit/mm. Wire capacitance per mm barely changes with the
  node, so it scales with the supply squared only (``(V/0.9 V)²``). Distance: the PE pitch is the
  square root of one PE's area (MAC + scratch pads, from :meth:`EnergyModel.area_for`); a GIN or
  broadcast delivery drives a Y bus and an X bus spanning the array, ``(rows + cols) · pitch``
  (Eyeriss's GIN, Chen et al., JSSC 2017); a unicast route averages half that; a systolic hop is
  one pitch. On a hierarchical mesh (``hmesh``) a delivery spans one cluster,
  ``(cluster pe_rows + pe_cols) · pitch`` (a router cluster reaches its own PEs all-to-all,
  Eyeriss v2, JETCAS 2019 §II), and each mesh link a word crosses between clusters
  (``AccessCosts.hop``) costs ``bits · wire · link``, ``link = sqrt(cluster area)``, the cluster
  area being its PEs' (MAC + scratch pads) plus its share of the GLB (the GLB cluster beside it).
  The routers themselves (circuit-switched muxes, configured per layer) are not priced.
* **Clock / static** — energy per cycle of run time, ``clock_pj_per_pe_cycle`` × PEs (0 unless
  given): the clock network, control and leakage no access count sees. Eyeriss v2's authors
  attribute the poor efficiency of low-utilisation layers to it (JETCAS 2019). The presets'
  value and its derivation (the Eyeriss v1 chip's measured power less the model's on-chip
  access energy over the same run) are in README.md, *Eyeriss v2 machines*.
* **DRAM** — pJ per bit by interface (:data:`DRAM_PJ_PER_BIT`), independent of the logic node:
  LPDDR4 8 pJ/bit (Accelergy's DRAM table, the reference cases: 512 pJ per 64-bit access);
  DDR3 30.5 pJ/bit (Horowitz ISSCC 2014: 1.3–2.6 nJ per 64-bit DRAM access, the mid-point, a
  DDR3-generation figure); HBM2 3.9 pJ/bit and GDDR5 14 pJ/bit (O'Connor et al., "Fine-grained
  DRAM", MICRO 2017); DDR4 15 pJ/bit (an estimate between LPDDR4 and DDR3; no source fitted).
* **Writes** cost what reads cost at every level (in Accelergy's tables RF writes equal reads
  (Aladdin) or are 0.87–0.95x them (2024); SRAM writes are 0.71–1.46x reads).
* **Technology** — Stillmaker & Baas, "Scaling equations for the accurate prediction of CMOS
  device performance from 180 nm to 7 nm", Integration 58 (2017) 74–81: energy per operation as a
  quadratic in the supply, one polynomial per node (their Table 5 coefficients, as reproduced in
  open-source scaling code that cites the paper), evaluated at each node's nominal supply
  (:data:`NOMINAL_VDD`: 1.0 V at 65 nm — the Eyeriss chip's supply, JSSC 2017 —, 0.9 V at 45 and
  32 nm as in Horowitz's figures). Between nodes the factor is interpolated log–log; above 130 nm
  it follows the Dennard-era ``node · V²``. Post-Dennard, the factor falls more slowly than
  ``node · V²`` (16 → 7 nm: 0.47x, where node · V² gives 0.38x). Areas scale as ``(node / 45)²``.
* **Area** (µm², reported in mm²) — MAC: ``K_MAC_AREA · (node/45)² · (the MAC energy shape)``;
  SRAM and RF: a fitted area per bit (``K_SRAM_AREA``, ``K_RF_AREA``) times the bits; NoC: the bus
  wires (bits per cycle of every GIN bus) times their length times a metal pitch of 2 x node.

Provenance: Horowitz's figures and the Eyeriss facts are as the project's other files cite them.
The Keckler wire figure, the O'Connor DRAM figures, the Stillmaker–Baas coefficients and the
nominal supplies were not re-checked against the papers' PDFs when this module was written (no
copy was at hand); each enters through one named constant below.

Fit procedure (reproducible: ``tests/test_energy_model.py`` refits from
``tests/accelergy_reference.py`` with :func:`fit_constants` and checks :data:`CONSTANTS` to
3 significant digits)
------------------------------------------------------------------------------------------------
Fit set: the components of Accelergy's 2020 45 nm baseline designs (eyeriss_like: shared_glb,
ifmap/weights/psum spads, DummyBuffer regfile, mac, DRAM; simple_output_stationary: pe_spad SRAM)
plus the 2020 8-bit 40 nm regfile — 9 of the 27 distinct components. Every constant is the least-
squares solution in log space (relative error) over its class's fit records: ``K_MAC`` and
``K_SRAM`` are geometric means of reference/form; ``RF_BIT``, ``RF_ROW`` come from Gauss–Newton
on the logs (starting from the linear least-squares solution on relative errors); the area
constants are geometric means; ``LPDDR4`` pJ/bit is the fit record's value per bit. Nothing is
tuned on a held-out record.

Expected error
--------------
Held out (README table, ``tests/test_energy_model.py``): register files −19 … +24 % against
Aladdin's 2019 tables and the 2024 64-row spads; SRAMs −18 … +4 % against the 2024 CACTI arrays;
the MAC −5 % against the 2020 Aladdin 8-bit one; DRAM exact (linear in bits). Accelergy's versions
disagree with each other by up to 2.2x for the same component (SRAM 40 nm 32768 x 64: 19.95 vs
43.35 pJ; regfile 64 x 8: 0.212 vs 0.426; intmac 8-bit: 0.561 vs 0.845), and the model misses
what sits on the other side: the 2019/2020 40 nm CACTI SRAMs (1.8–2.8x lower than the model), the
2024 192-row spad (3.6x higher), the 2019 16-bit and 2024 32 nm intmacs (1.6x and 1.9x lower).
Against an arbitrary published table expect up to 2x. Areas: up to 2.5x (Accelergy's 45 nm banked
SRAM is 2.5x less dense per bit than its 40/32 nm ones). NoC and DRAM: the cited per-bit figures,
±2x.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Iterable

from ..errors import SpecError
from .dims import DataType, EnergyUnit, Level, NocKind
from .energy import AccessCosts

if TYPE_CHECKING:
    from .hardware import Hardware


class DramKind(str, Enum):
    """Off-chip memory interface (energy per bit moved)."""

    LPDDR4 = "lpddr4"
    DDR3 = "ddr3"
    DDR4 = "ddr4"
    GDDR5 = "gddr5"
    HBM2 = "hbm2"


# ---------------------------------------------------------------------------------------------
# Published anchors
# ---------------------------------------------------------------------------------------------

#: Horowitz ISSCC 2014, 45 nm / 0.9 V (pJ)
HOROWITZ_MULT8_PJ = 0.2
HOROWITZ_ADD8_PJ = 0.03
HOROWITZ_SRAM64_8KB_PJ = 10.0

#: Keckler et al., IEEE Micro 2011, Table 1: 256 bits over 10 mm at 40 nm = 310 pJ
WIRE_PJ_PER_BIT_MM_40NM = 310.0 / (256 * 10)

#: pJ per bit by interface (sources in the module docstring); LPDDR4 is replaced by the fit below
DRAM_PJ_PER_BIT = {DramKind.LPDDR4: 8.0, DramKind.DDR3: 1950.0 / 64, DramKind.DDR4: 15.0,
                   DramKind.GDDR5: 14.0, DramKind.HBM2: 3.9}

#: Stillmaker & Baas (2017) Table 5: energy factor = a·V² + b·V + c per node (nm)
_SB_ENERGY_POLY = {130: (7.171, -6.709, 2.904), 90: (4.762, -4.781, 2.092), 65: (3.755, -4.398, 1.975),
                   45: (1.103, -0.362, 0.2767), 32: (0.9559, -0.7823, 0.471), 20: (0.373, -0.1582, 0.04104),
                   16: (0.2958, -0.1241, 0.03024), 14: (0.2363, -0.09675, 0.02239),
                   10: (0.2068, -0.09311, 0.02375), 7: (0.1776, -0.09097, 0.02447)}

#: nominal core supply per node (V), the voltages the factors are evaluated at
NOMINAL_VDD = {180: 1.8, 130: 1.2, 90: 1.0, 65: 1.0, 45: 0.9, 32: 0.9, 20: 0.9, 16: 0.8, 14: 0.8, 10: 0.75,
               7: 0.75}


def _poly(node: int) -> float:
    a, b, c = _SB_ENERGY_POLY[node]
    v = NOMINAL_VDD[node]
    return a * v * v + b * v + c


_SB_FACTOR = {node: _poly(node) / _poly(45) for node in _SB_ENERGY_POLY}
# Dennard-era extension above 130 nm: energy ∝ node · V²
_SB_FACTOR[180] = _SB_FACTOR[130] * (180 / 130) * (NOMINAL_VDD[180] / NOMINAL_VDD[130]) ** 2
_NODES = sorted(_SB_FACTOR)


def _loglog(table: dict[int, float], nodes: list[int], node_nm: float) -> float:
    if node_nm <= nodes[0]:
        lo, hi = nodes[0], nodes[1]
    elif node_nm >= nodes[-1]:
        lo, hi = nodes[-2], nodes[-1]
    else:
        lo = max(n for n in nodes if n <= node_nm)
        hi = min(n for n in nodes if n >= node_nm)
        if lo == hi:
            return table[lo]
    t = math.log(node_nm / lo) / math.log(hi / lo)
    return math.exp(math.log(table[lo]) * (1 - t) + math.log(table[hi]) * t)


def technology_scale(node_nm: float) -> float:
    """Energy per operation at ``node_nm`` relative to 45 nm (Stillmaker & Baas 2017 at the nominal
    supplies of :data:`NOMINAL_VDD`; log–log interpolation; increasing with the node)."""
    if node_nm <= 0:
        raise SpecError(f"must be > 0, got {node_nm}", field="energy.technology_nm")
    return _loglog(_SB_FACTOR, _NODES, float(node_nm))


def supply_voltage(node_nm: float) -> float:
    """Nominal supply (V) at ``node_nm`` (log–log interpolation of :data:`NOMINAL_VDD`)."""
    return _loglog({n: float(v) for n, v in NOMINAL_VDD.items()}, sorted(NOMINAL_VDD), float(node_nm))


def area_scale(node_nm: float) -> float:
    """Area at ``node_nm`` relative to 45 nm: ``(node / 45)²``."""
    return (node_nm / 45.0) ** 2


# ---------------------------------------------------------------------------------------------
# Fitted constants
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FittedConstants:
    """The model's fitted constants (see the module docstring for the fit)."""

    k_mac: float          #: MAC energy / Horowitz MAC form
    k_sram: float         #: SRAM energy / Horowitz-√capacity form
    rf_bit_pj: float      #: RF energy per bit of width, pJ at 45 nm
    rf_row_pj: float      #: RF energy per row of depth, pJ at 45 nm
    lpddr4_pj_per_bit: float
    k_mac_area: float     #: µm² per unit of the MAC energy shape at 45 nm
    sram_um2_per_bit: float
    rf_um2_per_bit: float


#: the constants, as :func:`fit_constants` returns them on the fit set (checked by the tests)
CONSTANTS = FittedConstants(k_mac=2.391, k_sram=0.7349, rf_bit_pj=0.003583, rf_row_pj=0.003491,
                            lpddr4_pj_per_bit=8.0, k_mac_area=1347, sram_um2_per_bit=1.056,
                            rf_um2_per_bit=1.503)


def _mac_shape(a_bits: float, b_bits: float, adder_bits: float) -> float:
    return HOROWITZ_MULT8_PJ * a_bits * b_bits / 64.0 + HOROWITZ_ADD8_PJ * adder_bits / 8.0


def _sram_shape(capacity_bytes: float, width_bits: float) -> float:
    return HOROWITZ_SRAM64_8KB_PJ * width_bits / 64.0 * math.sqrt(max(capacity_bytes, 1.0) / 8192.0)


def _address_bits(depth: float) -> int:
    return max(1, math.ceil(math.log2(max(depth, 2.0))))


def mac_energy_pj(a_bits: float, b_bits: float, adder_bits: float, technology_nm: float = 45.0,
                  c: FittedConstants = CONSTANTS) -> float:
    """pJ per MAC: ``a x b``-bit multiply, ``adder_bits`` accumulate."""
    return c.k_mac * technology_scale(technology_nm) * _mac_shape(a_bits, b_bits, adder_bits)


def address_generator_pj(depth: float, technology_nm: float = 45.0, c: FittedConstants = CONSTANTS) -> float:
    """One address-counter step for a buffer of ``depth`` rows: an adder of ``ceil(log2 depth)`` bits."""
    return c.k_mac * technology_scale(technology_nm) * HOROWITZ_ADD8_PJ * _address_bits(depth) / 8.0


def sram_energy_pj(capacity_bytes: float, width_bits: float, banks: int = 1, technology_nm: float = 45.0,
                   address_generator: bool = False, c: FittedConstants = CONSTANTS) -> float:
    """pJ per access of ``width_bits`` to an SRAM of ``capacity_bytes`` (``banks`` is accepted and, as
    in Accelergy's data, not credited)."""
    del banks
    e = c.k_sram * technology_scale(technology_nm) * _sram_shape(capacity_bytes, width_bits)
    if address_generator:
        e += address_generator_pj(capacity_bytes * 8.0 / max(width_bits, 1.0), technology_nm, c)
    return e


def regfile_energy_pj(depth: float, width_bits: float, technology_nm: float = 45.0,
                      address_generator: bool = False, c: FittedConstants = CONSTANTS) -> float:
    """pJ per read of one ``width_bits`` row of a ``depth``-row register file."""
    e = technology_scale(technology_nm) * (c.rf_bit_pj * width_bits + c.rf_row_pj * depth)
    if address_generator:
        e += address_generator_pj(depth, technology_nm, c)
    return e


def wire_energy_pj_per_bit_mm(technology_nm: float) -> float:
    """On-chip wire energy (Keckler et al. 2011 at 40 nm, scaled by the supply squared)."""
    return WIRE_PJ_PER_BIT_MM_40NM * (supply_voltage(technology_nm) / supply_voltage(40.0)) ** 2


def dram_energy_pj(bits: float, kind: DramKind = DramKind.LPDDR4, c: FittedConstants = CONSTANTS) -> float:
    """pJ to move ``bits`` across the DRAM interface."""
    per_bit = c.lpddr4_pj_per_bit if kind is DramKind.LPDDR4 else DRAM_PJ_PER_BIT[kind]
    return bits * per_bit


def mac_area_um2(a_bits: float, b_bits: float, adder_bits: float, technology_nm: float = 45.0,
                 c: FittedConstants = CONSTANTS) -> float:
    return c.k_mac_area * area_scale(technology_nm) * _mac_shape(a_bits, b_bits, adder_bits)


def sram_area_um2(capacity_bytes: float, technology_nm: float = 45.0, c: FittedConstants = CONSTANTS) -> float:
    return c.sram_um2_per_bit * area_scale(technology_nm) * capacity_bytes * 8.0


def regfile_area_um2(depth: float, width_bits: float, technology_nm: float = 45.0,
                     c: FittedConstants = CONSTANTS) -> float:
    return c.rf_um2_per_bit * area_scale(technology_nm) * depth * width_bits


# ---------------------------------------------------------------------------------------------
# The fit
# ---------------------------------------------------------------------------------------------


def _geomean(values: Iterable[float]) -> float:
    logs = [math.log(v) for v in values]
    if not logs:
        raise ValueError("empty fit set")
    return math.exp(sum(logs) / len(logs))


def _solve2(a11: float, a12: float, a22: float, b1: float, b2: float) -> tuple[float, float]:
    det = a11 * a22 - a12 * a12
    return ((b1 * a22 - b2 * a12) / det, (a11 * b2 - a12 * b1) / det)


def fit_constants(mac: Iterable[tuple], sram: Iterable[tuple], regfile: Iterable[tuple],
                  dram: Iterable[tuple]) -> FittedConstants:
    """Fit the constants (log-space least squares, see the module docstring).

    Parameters
    ----------
    mac : (a_bits, b_bits, adder_bits, technology_nm, pj, area_um2 or None) records
    sram : (capacity_bytes, width_bits, technology_nm, address_generator, pj, area_um2 or None)
    regfile : (depth, width_bits, technology_nm, address_generator, pj, area_um2 or None)
    dram : (kind, bits per access, pj) records of LPDDR4
    """
    mac, sram, regfile, dram = list(mac), list(sram), list(regfile), list(dram)
    k_mac = _geomean(pj / (technology_scale(n) * _mac_shape(a, b, add)) for a, b, add, n, pj, _ in mac)
    base = FittedConstants(k_mac, 1.0, 0.0, 0.0, 8.0, 1.0, 1.0, 1.0)

    def _ag(depth: float, node: float, on: bool) -> float:
        return address_generator_pj(depth, node, base) if on else 0.0

    k_sram = _geomean((pj - _ag(cap * 8.0 / w, n, ag)) / (technology_scale(n) * _sram_shape(cap, w))
                      for cap, w, n, ag, pj, _ in sram)
    # RF: E = T·(A·w + D·d) + AG. Start: linear least squares on relative errors; then Gauss–Newton
    # on log residuals over (ln A, ln D).
    rows = [(technology_scale(n) * w, technology_scale(n) * d, _ag(d, n, ag), pj) for d, w, n, ag, pj, _ in regfile]
    s11 = sum((x / (e - g)) ** 2 for x, _, g, e in rows)
    s12 = sum(x * y / (e - g) ** 2 for x, y, g, e in rows)
    s22 = sum((y / (e - g)) ** 2 for _, y, g, e in rows)
    a, d = _solve2(s11, s12, s22, sum(x / (e - g) for x, _, g, e in rows), sum(y / (e - g) for _, y, g, e in rows))
    la, ld = math.log(max(a, 1e-9)), math.log(max(d, 1e-9))
    for _ in range(200):
        j11 = j12 = j22 = g1 = g2 = 0.0
        for x, y, g, e in rows:
            m = math.exp(la) * x + math.exp(ld) * y + g
            r = math.log(m / e)
            da, dd = math.exp(la) * x / m, math.exp(ld) * y / m
            j11 += da * da
            j12 += da * dd
            j22 += dd * dd
            g1 += da * r
            g2 += dd * r
        step_a, step_d = _solve2(j11, j12, j22, g1, g2)
        la, ld = la - step_a, ld - step_d
        if abs(step_a) + abs(step_d) < 1e-13:
            break
    lp = _geomean(pj / bits for _, bits, pj in dram)
    k_mac_area = _geomean(area / (area_scale(n) * _mac_shape(a_, b_, add)) for a_, b_, add, n, _, area in mac
                          if area)
    sram_area = _geomean(area / (area_scale(n) * cap * 8.0) for cap, _, n, _, _, area in sram if area)
    rf_area = _geomean(area / (area_scale(n) * d_ * w) for d_, w, n, _, _, area in regfile if area)
    return FittedConstants(k_mac=k_mac, k_sram=k_sram, rf_bit_pj=math.exp(la), rf_row_pj=math.exp(ld),
                           lpddr4_pj_per_bit=lp, k_mac_area=k_mac_area, sram_um2_per_bit=sram_area,
                           rf_um2_per_bit=rf_area)


# ---------------------------------------------------------------------------------------------
# The machine-level model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaBreakdown:
    """Silicon area of a machine, mm² per component."""

    mac_mm2: float
    rf_mm2: float
    glb_mm2: float
    noc_mm2: float

    @property
    def total_mm2(self) -> float:
        return self.mac_mm2 + self.rf_mm2 + self.glb_mm2 + self.noc_mm2

    def to_dict(self) -> dict[str, float]:
        return {"MAC": self.mac_mm2, "RF": self.rf_mm2, "GLB": self.glb_mm2, "NoC": self.noc_mm2,
                "total": self.total_mm2}


def _rf_geometry(hw: "Hardware", dtype: DataType) -> tuple[float, int]:
    """(rows, row bits) of the scratch pad a data type reads: its dedicated words plus the shared
    pool (a shared pool is as wide as the widest type; its capacity is
    :meth:`~accelsim.spec.hardware.Buffer.type_and_pool_bits`' pool words)."""
    bits = hw.precision.per_type
    shared = hw.rf.shared_words or 0
    if not shared:
        return float(max(hw.rf.dedicated_words[dtype], 1)), bits[dtype]
    width = max(bits)
    pool_bits = shared * hw.rf.type_and_pool_bits(bits)[1]
    depth = hw.rf.dedicated_words[dtype] + pool_bits / width  # one word a row
    return float(max(depth, 1.0)), width


def _glb_bytes(hw: "Hardware") -> float:
    return max((hw.glb.total_bits(hw.precision.per_type) or 0) / 8.0, 1.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnergyModel:
    """Energies (pJ) and areas derived from the machine it is asked about (forms, sources and
    fit: module docstring).

    Parameters
    ----------
    technology_nm : float
        Process node, nm.
    dram : DramKind
        Off-chip interface.
    glb_access_bits : int
        Bits one GLB access reads or writes (its bank width); a word costs its share.
    """

    technology_nm: float = 65.0
    dram: DramKind = DramKind.LPDDR4
    glb_access_bits: int = 64
    clock_pj_per_pe_cycle: float = 0.0

    def __post_init__(self) -> None:
        if not 5 <= self.technology_nm <= 180:
            raise SpecError(f"must be in 5..180 nm, got {self.technology_nm}", field="energy.technology_nm")
        if self.glb_access_bits < 1:
            raise SpecError(f"must be >= 1, got {self.glb_access_bits}", field="energy.glb_access_bits")
        if not 0 <= self.clock_pj_per_pe_cycle < math.inf:
            raise SpecError(f"must be a finite number >= 0, got {self.clock_pj_per_pe_cycle}",
                            field="energy.model.clock_pj_per_pe_cycle")

    @property
    def unit(self) -> EnergyUnit:
        return EnergyUnit.PJ

    @property
    def name(self) -> str:
        return "model"

    @property
    def source(self) -> str:
        return (f"accelsim energy model at {self.technology_nm:g} nm, DRAM {self.dram.value}: Horowitz ISSCC 2014 "
                "forms, constants fitted to Accelergy 2020 45 nm tables, Stillmaker & Baas 2017 scaling, "
                "Keckler et al. 2011 wires")

    def describe(self) -> str:
        clock = f", clock {self.clock_pj_per_pe_cycle:g} pJ/PE/cycle" if self.clock_pj_per_pe_cycle else ""
        return f"model ({self.technology_nm:g} nm, DRAM {self.dram.value}{clock}, unit pj)"

    def mac_energy(self, ifmap_bits: int, filter_bits: int, psum_bits: int) -> float:
        """pJ per MAC: an ``ifmap x filter`` multiply and a ``psum_bits`` accumulate."""
        return mac_energy_pj(ifmap_bits, filter_bits, psum_bits, self.technology_nm)

    def pe_pitch_mm(self, hw: "Hardware") -> float:
        """Side of one PE (MAC + scratch pads), mm."""
        return math.sqrt(self._pe_area_um2(hw)) * 1e-3

    def noc_distance_mm(self, hw: "Hardware") -> float:
        """Wire length one word delivered to a PE drives (see the module docstring)."""
        pitch = self.pe_pitch_mm(hw)
        if hw.noc.kind is NocKind.SYSTOLIC:
            return pitch
        if hw.noc.clusters is not None:  # hmesh: within one cluster
            return (hw.noc.clusters.pe_rows + hw.noc.clusters.pe_cols) * pitch
        span = (hw.pe_rows + hw.pe_cols) * pitch
        return span / 2.0 if hw.noc.kind is NocKind.UNICAST else span

    def costs_for(self, hw: "Hardware") -> AccessCosts:
        bits = hw.precision.per_type
        node = self.technology_nm
        rf = []
        for t in DataType:
            depth, width = _rf_geometry(hw, t)
            rf.append(regfile_energy_pj(depth, width, node, address_generator=True))
        glb_access = sram_energy_pj(_glb_bytes(hw), self.glb_access_bits, technology_nm=node, address_generator=True)
        glb = [glb_access * bits[t] / self.glb_access_bits for t in DataType]
        wire = wire_energy_pj_per_bit_mm(node) * self.noc_distance_mm(hw)
        noc = [bits[t] * wire for t in DataType]
        dram = [dram_energy_pj(bits[t], self.dram) for t in DataType]
        per_level = {Level.DRAM: dram, Level.GLB: glb, Level.NOC: noc, Level.RF: rf}
        words = tuple((tuple(per_level[lv]), tuple(per_level[lv])) for lv in Level)
        hop = (0.0, 0.0, 0.0)
        if hw.noc.clusters is not None:
            link = wire_energy_pj_per_bit_mm(node) * self.mesh_link_mm(hw)
            hop = tuple(bits[t] * link for t in DataType)
        return AccessCosts(mac=self.mac_energy(*bits), words=words, unit=EnergyUnit.PJ,  # type: ignore[arg-type]
                           source=self.source, hop=hop,  # type: ignore[arg-type]
                           clock_per_cycle=self.clock_pj_per_pe_cycle * hw.num_pes)

    def mesh_link_mm(self, hw: "Hardware") -> float:
        """Length of one mesh link between neighbouring clusters of a hierarchical mesh, mm: the
        side of a cluster, ``sqrt(PEs per cluster · PE area + GLB area / clusters)`` (0 on a flat
        NoC)."""
        cl = hw.noc.clusters
        if cl is None:
            return 0.0
        pe_um2 = self._pe_area_um2(hw) * cl.pe_rows * cl.pe_cols
        glb_um2 = sram_area_um2(_glb_bytes(hw), self.technology_nm) / cl.count
        return math.sqrt(pe_um2 + glb_um2) * 1e-3

    def _rf_area_um2(self, hw: "Hardware") -> float:
        bits = hw.precision.per_type
        dedicated = sum(w * b for w, b in zip(hw.rf.dedicated_words, bits))
        return regfile_area_um2(1, dedicated + (hw.rf.shared_words or 0) * max(bits), self.technology_nm)

    def _pe_area_um2(self, hw: "Hardware") -> float:
        return mac_area_um2(*hw.precision.per_type, self.technology_nm) + self._rf_area_um2(hw)

    def area_for(self, hw: "Hardware") -> AreaBreakdown:
        """mm² of the MACs, the scratch pads, the global buffer and the NoC's bus wires."""
        node = self.technology_nm
        pitch_mm = self.pe_pitch_mm(hw)
        bus_bits = (hw.noc.ifmap_words_per_cycle + hw.noc.filter_words_per_cycle + hw.noc.psum_words_per_cycle
                    + hw.noc.gon_words_per_cycle) * max(hw.precision.per_type)
        # a Y bus along the rows and an X bus along every row, per bus bit; metal pitch 2 x node
        wire_mm = bus_bits * (hw.pe_rows + hw.pe_rows * hw.pe_cols) * pitch_mm
        cl = hw.noc.clusters
        if cl is not None:  # hmesh: the rates are per cluster; buses inside each cluster + mesh links
            wire_mm = bus_bits * cl.count * (cl.pe_rows + cl.pe_rows * cl.pe_cols) * pitch_mm
            links = (cl.rows - 1) * cl.cols + (cl.cols - 1) * cl.rows
            wire_mm += bus_bits * links * self.mesh_link_mm(hw)
        return AreaBreakdown(mac_mm2=hw.num_pes * mac_area_um2(*hw.precision.per_type, node) * 1e-6,
                             rf_mm2=hw.num_pes * self._rf_area_um2(hw) * 1e-6,
                             glb_mm2=sram_area_um2(_glb_bytes(hw), node) * 1e-6,
                             noc_mm2=wire_mm * 2.0 * node * 1e-6)
