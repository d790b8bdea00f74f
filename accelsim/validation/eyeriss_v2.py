"""Eyeriss v1.5 against v1 at 192 PEs: the hierarchical mesh NoC's gain on MobileNet
(``accelsim validate eyeriss-v1.5``).

Runs MobileNet-v1 0.5/128 at batch 1 on the ``eyeriss-v1-192`` preset (flat multicast GIN, the RS
dataflow) and on ``eyeriss-v1.5`` (the same PEs and storage with the hierarchical mesh, the RS+
dataflow, cluster loops), each layer mapped by the mapper for the fewest cycles (ragged
factorisations allowed on both), DRAM bandwidth unlimited as in the paper's comparison, and
compares the network's throughput ratio and energy-efficiency ratio with Eyeriss v2's (JETCAS
2019 §I-C: 5.6× and 1.8×). Energies include each preset's clock term (energy per PE-cycle ×
the run's cycles), so a layer that runs faster saves its clock energy. Published numbers are
read from ``accelsim/reference/eyeriss_v2_noc.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from enum import Enum
from functools import cache
from pathlib import Path

REFERENCE_FILE = Path(__file__).parents[1] / "reference" / "eyeriss_v2_noc.json"
WORKLOAD = "mobilenet_v1_0.5_128"
V1 = ("eyeriss-v1-192", "rs")
V15 = ("eyeriss-v1.5", "rs-plus")


class LayerKind(str, Enum):
    """MobileNet's layer kinds, as the paper groups them."""

    CONV = "conv"
    DEPTHWISE = "depth-wise"
    POINTWISE = "point-wise"
    FC = "fc"


@cache
def reference() -> dict:
    """``accelsim/reference/eyeriss_v2_noc.json``."""
    return json.loads(REFERENCE_FILE.read_text())


def layer_kind(layer) -> LayerKind:
    """The kind of a MobileNet layer from its shape."""
    if layer.G > 1 and layer.G == layer.C == layer.M:
        return LayerKind.DEPTHWISE
    if layer.H == layer.R and layer.W == layer.S and layer.E == layer.F == 1:
        return LayerKind.FC
    if layer.R == layer.S == 1:
        return LayerKind.POINTWISE
    return LayerKind.CONV


@dataclass(frozen=True, slots=True)
class NocLayerRow:
    """One layer on both machines.

    Attributes
    ----------
    name : str
    kind : LayerKind
    macs : int
    cycles : tuple of int
        (v1-192, v1.5) cycles.
    active_pes : tuple of int
    energy_pj : tuple of float
        Total energy of the layer, clock term included, pJ.
    clock_pj : tuple of float
        The clock term alone, pJ.
    modes : dict
        v1.5's NoC mode per data type (``NocMode`` values) its mapping implies.
    hops : int
        Words × mesh links on v1.5, all data types.
    """

    name: str
    kind: LayerKind
    macs: int
    cycles: tuple[int, int]
    active_pes: tuple[int, int]
    energy_pj: tuple[float, float]
    clock_pj: tuple[float, float]
    modes: dict
    hops: int

    @property
    def speedup(self) -> float:
        return self.cycles[0] / self.cycles[1]

    @property
    def energy_ratio(self) -> float:
        """v1-192's energy ÷ v1.5's (the energy-efficiency gain)."""
        return self.energy_pj[0] / self.energy_pj[1]

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind.value, "macs": self.macs,
                "cycles": {"v1_192": self.cycles[0], "v1_5": self.cycles[1]},
                "active_pes": {"v1_192": self.active_pes[0], "v1_5": self.active_pes[1]},
                "energy_pj": {"v1_192": self.energy_pj[0], "v1_5": self.energy_pj[1]},
                "clock_pj": {"v1_192": self.clock_pj[0], "v1_5": self.clock_pj[1]},
                "speedup": self.speedup, "energy_efficiency_gain": self.energy_ratio,
                "v1_5_noc_modes": self.modes, "v1_5_hops": self.hops}


@dataclass(frozen=True, slots=True)
class NocReport:
    """The whole comparison: per-layer rows, the network's ratios and the paper's."""

    engine: str
    rows: tuple[NocLayerRow, ...]
    verified: bool

    @property
    def speedup(self) -> float:
        return sum(r.cycles[0] for r in self.rows) / sum(r.cycles[1] for r in self.rows)

    @property
    def energy_ratio(self) -> float:
        return sum(r.energy_pj[0] for r in self.rows) / sum(r.energy_pj[1] for r in self.rows)

    def within(self, value: float, key: str) -> bool:
        """``value`` within the reference's tolerance of the paper's ``key``."""
        ref = reference()
        return abs(value / ref[key] - 1.0) <= ref["tolerance_fraction"]

    def by_kind(self) -> dict[LayerKind, tuple[float, float]]:
        """Per layer kind, (v1-192 cycles ÷ v1.5 cycles, share of v1-192's cycles)."""
        total = sum(r.cycles[0] for r in self.rows)
        out = {}
        for kind in LayerKind:
            rows = [r for r in self.rows if r.kind is kind]
            if rows:
                a = sum(r.cycles[0] for r in rows)
                out[kind] = (a / sum(r.cycles[1] for r in rows), a / total)
        return out

    def format(self) -> str:
        ref = reference()
        lines = [f"MobileNet-v1 0.5/128, batch 1, DRAM unlimited, mapper objective cycles (ragged), "
                 f"{self.engine} engine",
                 f"{'layer':7}{'kind':12}{'v1-192 cyc':>12}{'v1.5 cyc':>10}{'gain':>7}{'PEs':>9}"
                 f"{'E gain':>8}{'clock share':>13}  v1.5 modes (ifmap/filter/psum)"]
        for r in self.rows:
            share = f"{r.clock_pj[0] / r.energy_pj[0]:.2f}/{r.clock_pj[1] / r.energy_pj[1]:.2f}"
            modes = "/".join(r.modes[t] for t in ("ifmap", "filter", "psum"))
            lines.append(f"{r.name:7}{r.kind.value:12}{r.cycles[0]:>12,}{r.cycles[1]:>10,}{r.speedup:>6.2f}×"
                         f"{r.active_pes[0]:>4}/{r.active_pes[1]:<4}{r.energy_ratio:>7.2f}×{share:>13}  {modes}")
        for kind, (gain, share) in self.by_kind().items():
            lines.append(f"{kind.value:12} {gain:6.2f}× faster on v1.5; {share:.0%} of v1-192's cycles")
        ok_s = "within" if self.within(self.speedup, "speedup_v15_over_v1") else "OUTSIDE"
        ok_e = "within" if self.within(self.energy_ratio, "energy_efficiency_v15_over_v1") else "OUTSIDE"
        tol = ref["tolerance_fraction"]
        lines.append(f"throughput v1.5 / v1-192: {self.speedup:.2f}× (paper {ref['speedup_v15_over_v1']}×; "
                     f"{ok_s} ±{tol:.0%})")
        lines.append(f"energy efficiency v1.5 / v1-192: {self.energy_ratio:.2f}× (paper "
                     f"{ref['energy_efficiency_v15_over_v1']}×; {ok_e} ±{tol:.0%})")
        if self.engine == "cycle":
            lines.append(f"outputs verified against the reference convolution: {'yes' if self.verified else 'NO'}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        ref = reference()
        return {"engine": self.engine, "layers": [r.to_dict() for r in self.rows],
                "speedup": {"simulated": self.speedup, "paper": ref["speedup_v15_over_v1"]},
                "energy_efficiency_gain": {"simulated": self.energy_ratio,
                                           "paper": ref["energy_efficiency_v15_over_v1"]},
                "tolerance_fraction": ref["tolerance_fraction"], "verified": self.verified}


def noc_report(engine: str = "analytic", layers: list[str] | None = None, budget=None) -> NocReport:
    """Run the comparison (see the module docstring).

    Parameters
    ----------
    engine : str
        ``analytic`` or ``cycle``.
    layers : list of str, optional
        A subset of MobileNet's layers (default: all 28).
    budget : Budget, optional
        The mapper's effort (default: ``Budget(ragged=True)``).
    """
    from ..drivers.simulate import simulate_network
    from ..errors import InfeasibleError
    from ..io.presets import load_hardware, load_workload
    from ..layout import HOPS, NOC
    from ..search.mapper import Budget, Objective
    from ..spec.noc_modes import noc_modes
    from ..spec.result import component_totals

    wl = load_workload(WORKLOAD)
    if layers:
        wl = wl.select(layers)
    budget = budget or Budget(ragged=True)
    runs = []
    for hw_name, dataflow in (V1, V15):
        hw = replace(load_hardware(hw_name), dram_words_per_cycle=math.inf)
        runs.append(simulate_network(wl, hw, dataflow=dataflow, engine=engine, objective=Objective.CYCLES,
                                     budget=budget))
    rows = []
    verified = True
    for a, b in zip(runs[0].layers, runs[1].layers):
        for r in (a, b):
            if not r.ok:
                raise InfeasibleError(f"no legal mapping on {r.hardware}", field=f"layers.{r.layer.name}")
            if engine == "cycle" and not (r.timing and r.timing.verified):
                verified = False
        modes = {t.label: m.value for t, m in noc_modes(b.mapping).items()}
        rows.append(NocLayerRow(
            name=a.layer.name, kind=layer_kind(a.layer), macs=a.macs, cycles=(a.cycles, b.cycles),
            active_pes=(a.active_pes, b.active_pes), energy_pj=(a.energy_total, b.energy_total),
            clock_pj=(component_totals(a.energy).get("clock", 0.0), component_totals(b.energy).get("clock", 0.0)),
            modes=modes, hops=int(b.counts[NOC, :, HOPS].sum())))
    return NocReport(engine=engine, rows=tuple(rows), verified=verified)
