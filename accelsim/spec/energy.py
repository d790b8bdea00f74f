"""What an access costs: the fixed tables and the per-machine costs every engine charges.

Two kinds of energy source describe a machine (``Hardware.energy``): a fixed
:class:`EnergyTable` (one cost per level, ISCA 2016 Table IV or its pJ version, or one imported
per level and data type) and :class:`accelsim.spec.energy_model.EnergyModel` (costs derived from
the machine's sizes, widths, precision and technology). Both resolve, for one machine, to
:class:`AccessCosts`: energy per MAC and per word read or written at each level and data type.
The engines charge only :class:`AccessCosts` (docs/architecture.md, *Energy accounting*).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import SpecError
from ..layout import C_HOP0, C_RATE0, N_COSTS
from .dims import DataType, EnergyUnit, Level

if TYPE_CHECKING:
    from .hardware import Hardware

#: per-word costs of one level: ((ifmap, filter, psum) read, (ifmap, filter, psum) write)
LevelCosts = tuple[tuple[float, float, float], tuple[float, float, float]]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessCosts:
    """Energy per MAC and per word, per level and data type, for one machine.

    Parameters
    ----------
    mac : float
        Energy of one MAC, in ``unit``.
    words : tuple
        ``words[level][0 | 1][dtype]``: energy per word read (``0``) or written (``1``) at each
        :class:`~accelsim.spec.dims.Level`; at the NoC, ``[NOC][0]`` is per word delivered into a PE
        (``[NOC][1]`` is unused).
    unit : EnergyUnit
    source : str
        Where the costs come from (a table's source, or the model and its parameters).
    hop : tuple of float
        Per data type (ifmap, filter, psum): energy per word per mesh link crossed between the
        clusters of a hierarchical mesh NoC (the ``HOPS`` count); 0 on a flat NoC.
    clock_per_cycle : float
        Energy per cycle of run time, whatever the machine does in it: the clock network, control
        and leakage an access count does not see (``EnergyModel.clock_pj_per_pe_cycle`` × PEs).
        Results charge it on the layer's cycles as the ``clock`` component; 0 (the default)
        leaves results without that component.
    """

    mac: float
    words: tuple[LevelCosts, LevelCosts, LevelCosts, LevelCosts]
    unit: EnergyUnit
    source: str
    hop: tuple[float, float, float] = (0.0, 0.0, 0.0)
    clock_per_cycle: float = 0.0

    def __post_init__(self) -> None:
        if self.mac < 0:
            raise SpecError(f"must be >= 0, got {self.mac}", field="energy.mac")
        for lv in Level:
            for rw in (0, 1):
                for t in DataType:
                    if self.words[lv][rw][t] < 0:
                        raise SpecError(f"must be >= 0, got {self.words[lv][rw][t]}",
                                        field=f"energy.{lv.label}.{t.label}")
        for t in DataType:
            if self.hop[t] < 0:
                raise SpecError(f"must be >= 0, got {self.hop[t]}", field=f"energy.hop.{t.label}")
        if not self.clock_per_cycle >= 0:
            raise SpecError(f"must be >= 0, got {self.clock_per_cycle}", field="energy.clock_per_cycle")

    def read(self, level: Level, dtype: DataType) -> float:
        """Energy per word read (NoC: delivered) at ``level``."""
        return self.words[level][0][dtype]

    def write(self, level: Level, dtype: DataType) -> float:
        """Energy per word written at ``level``."""
        return self.words[level][1][dtype]

    def flat(self) -> list[float]:
        """The costs in the kernels' order: MAC, then per level and type (read, write)
        (``accelsim.layout.C_WORD0``)."""
        out = [self.mac]
        for lv in Level:
            for t in DataType:
                out += [self.words[lv][0][t], self.words[lv][1][t]]
        return out

    def charge_vector(self) -> list[float]:
        """A float64[N_COSTS]-long list (``accelsim.layout``) holding the energy entries
        (:meth:`flat`, then the mesh hop costs at ``C_HOP0`` and the clock/static term at
        ``C_CLOCK``) and zeros elsewhere: what :func:`accelsim.layout.charged_energy` reads."""
        out = self.flat() + [0.0] * (C_HOP0 - C_RATE0) + list(self.hop) + [self.clock_per_cycle]
        assert len(out) == N_COSTS
        return out

    def uniform(self) -> dict[str, float] | None:
        """``{mac, rf, noc, glb, dram}`` when every level costs the same for every type and
        direction (a fixed table), else ``None``."""
        out = {"mac": self.mac}
        for lv in Level:
            values = {v for rw in (0, 1) for v in self.words[lv][rw]} if lv is not Level.NOC else set(
                self.words[lv][0])
            if len(values) != 1:
                return None
            out[lv.name.lower()] = values.pop()
        return out


def uniform_costs(mac: float, per_level: dict[Level, float], unit: EnergyUnit, source: str) -> AccessCosts:
    """:class:`AccessCosts` with one cost per level for every data type and direction."""
    words = tuple((tuple([per_level[lv]] * 3), tuple([per_level[lv]] * 3)) for lv in Level)
    return AccessCosts(mac=mac, words=words, unit=unit, source=source)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, kw_only=True)
class EnergyTable:
    """A fixed energy table: one cost per access at each level, whatever the machine's sizes.

    Parameters
    ----------
    mac, rf, noc, glb, dram : float
        Energy per MAC, per RF word access, per word delivered by the NoC to a PE, per GLB
        word access and per DRAM word access, in ``unit``.
    unit : EnergyUnit
        ``mac`` (normalised to one MAC, ISCA 2016 Table IV) or ``pj``.
    source : str
        Where the numbers come from.
    name : str
        The table's preset name (``isca16``, ``65nm-pj``) or ``inline``.
    """

    mac: float = 1.0
    rf: float = 1.0
    noc: float = 2.0
    glb: float = 6.0
    dram: float = 200.0
    unit: EnergyUnit = EnergyUnit.MAC
    source: str = "Chen, Emer, Sze, ISCA 2016, Table IV (65 nm, 16-bit, normalised to one MAC)"
    name: str = "isca16"

    def __post_init__(self) -> None:
        for key in ("mac", "rf", "noc", "glb", "dram"):
            if getattr(self, key) < 0:
                raise SpecError(f"must be >= 0, got {getattr(self, key)}", field=f"energy.{key}")

    def per_level(self) -> tuple[float, float, float, float]:
        """Costs indexed by :class:`~accelsim.spec.dims.Level` (DRAM, GLB, NoC, RF)."""
        return (self.dram, self.glb, self.noc, self.rf)

    def costs(self) -> AccessCosts:
        """The table as :class:`AccessCosts` (every data type and direction alike)."""
        return uniform_costs(self.mac, dict(zip(Level, self.per_level())), self.unit, self.source)

    def costs_for(self, hw: "Hardware") -> AccessCosts:  # a table ignores the machine
        """The same costs whatever ``hw`` is (:meth:`costs`)."""
        return self.costs()

    def describe(self) -> str:
        """One line for run headers: ``table isca16 (unit mac)``."""
        return f"table {self.name} (unit {self.unit.value})"


@dataclass(frozen=True, slots=True, kw_only=True)
class TypedEnergyTable:
    """A fixed table with its own cost per level, data type and direction (an imported
    Accelergy energy reference table, say): :class:`AccessCosts` kept as given.

    Parameters
    ----------
    costs : AccessCosts
    name : str
        Where it was loaded from (file stem).
    """

    costs: AccessCosts
    name: str = "typed"

    @property
    def unit(self) -> EnergyUnit:
        return self.costs.unit

    @property
    def source(self) -> str:
        return self.costs.source

    def costs_for(self, hw: "Hardware") -> AccessCosts:  # a table ignores the machine
        return self.costs

    def describe(self) -> str:
        return f"table {self.name} (per level and data type, unit {self.unit.value})"
