"""Energy per access derived from the machine: capacity, access width, precision, technology.

FIRST DRAFT (interface fixed, forms and constants to be replaced by the fitted model): Horowitz,
ISSCC 2014 (45 nm) anchors; SRAM read energy growing as the square root of capacity; linear
datapaths; first-order C·V² technology scaling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from ..errors import SpecError
from .dims import DataType, EnergyUnit, Level
from .energy import AccessCosts

if TYPE_CHECKING:
    from .hardware import Buffer, Hardware


class DramKind(str, Enum):
    """Off-chip memory interface (energy per bit moved)."""

    LPDDR4 = "lpddr4"
    DDR3 = "ddr3"
    DDR4 = "ddr4"
    GDDR5 = "gddr5"
    HBM2 = "hbm2"


#: pJ per bit by interface (placeholder values; the fitted model names its sources)
DRAM_PJ_PER_BIT = {DramKind.LPDDR4: 8.0, DramKind.DDR3: 20.0, DramKind.DDR4: 15.0, DramKind.GDDR5: 14.0,
                   DramKind.HBM2: 3.9}


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


@dataclass(frozen=True, slots=True, kw_only=True)
class EnergyModel:
    """Energies (pJ) and areas derived from the machine it is asked about.

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

    def __post_init__(self) -> None:
        if not 5 <= self.technology_nm <= 180:
            raise SpecError(f"must be in 5..180 nm, got {self.technology_nm}", field="energy.technology_nm")
        if self.glb_access_bits < 1:
            raise SpecError(f"must be >= 1, got {self.glb_access_bits}", field="energy.glb_access_bits")

    @property
    def unit(self) -> EnergyUnit:
        return EnergyUnit.PJ

    @property
    def name(self) -> str:
        return "model"

    @property
    def source(self) -> str:
        return (f"accelsim energy model at {self.technology_nm:g} nm, DRAM {self.dram.value} "
                "(draft: Horowitz ISSCC 2014 anchors)")

    def describe(self) -> str:
        return f"model ({self.technology_nm:g} nm, DRAM {self.dram.value}, unit pj)"

    def _scale(self) -> float:
        return self.technology_nm / 45.0

    def _sram_access(self, capacity_bits: float, width_bits: float) -> float:
        cap_bytes = max(capacity_bits / 8.0, 1.0)
        return 10.0 * width_bits / 64.0 * math.sqrt(cap_bytes / 8192.0) * self._scale()

    def _regfile_access(self, capacity_bits: float, width_bits: float) -> float:
        depth = max(capacity_bits / max(width_bits, 1.0), 1.0)
        return width_bits * (0.0027 + 2.4e-4 * depth) * self._scale()

    def mac_energy(self, ifmap_bits: int, filter_bits: int, psum_bits: int) -> float:
        """pJ per MAC: a multiplier growing with the product of the operand widths, an adder linear in
        the accumulator width."""
        return (0.2 * ifmap_bits * filter_bits / 64.0 + 0.03 * psum_bits / 8.0) * self._scale()

    @staticmethod
    def _capacity_bits(buf: "Buffer", dtype: DataType, bits: tuple[int, int, int]) -> float:
        dedicated = buf.dedicated_words[dtype]
        if dedicated:
            return dedicated * bits[dtype]
        return float(buf.shared_words or 0) * max(bits)

    def costs_for(self, hw: "Hardware") -> AccessCosts:
        bits = hw.precision.per_type
        rf = [self._regfile_access(self._capacity_bits(hw.rf, t, bits), bits[t]) for t in DataType]
        glb = [self._sram_access(self._capacity_bits(hw.glb, t, bits), self.glb_access_bits)
               * bits[t] / self.glb_access_bits for t in DataType]
        pitch_mm = 0.1
        span_mm = pitch_mm * (hw.pe_rows + hw.pe_cols) / 2.0
        noc = [bits[t] * 0.1 * span_mm * self._scale() for t in DataType]
        dram = [bits[t] * DRAM_PJ_PER_BIT[self.dram] for t in DataType]
        per_level = {Level.DRAM: dram, Level.GLB: glb, Level.NOC: noc, Level.RF: rf}
        words = tuple((tuple(per_level[lv]), tuple(per_level[lv])) for lv in Level)
        return AccessCosts(mac=self.mac_energy(*bits), words=words, unit=EnergyUnit.PJ,  # type: ignore[arg-type]
                           source=self.source)

    def area_for(self, hw: "Hardware") -> AreaBreakdown:
        """Draft: placeholder areas."""
        bits = hw.precision.per_type
        s2 = self._scale() ** 2
        rf_bits = sum(self._capacity_bits(hw.rf, t, bits) for t in DataType if hw.rf.dedicated_words[t]) + (
            (hw.rf.shared_words or 0) * max(bits))
        glb_bits = (hw.glb.total_words or 0) * max(bits)
        return AreaBreakdown(mac_mm2=hw.num_pes * 4e-3 * s2, rf_mm2=hw.num_pes * rf_bits * 1e-6 * s2,
                             glb_mm2=glb_bits * 0.5e-6 * s2, noc_mm2=0.0)
