"""Eyeriss v2 against v1.5 and v1 at 192 PEs on sparse MobileNet: the three-way ablation
(``accelsim validate eyeriss-v2``).

Runs sparse MobileNet-v1 0.5/128 (``mobilenet_v1_0.5_128_sparse``: the Sparseloop artifact's
densities for 9 layers, the other 19 dense — read that file's header) at batch 1 on
``eyeriss-v1-192`` (flat GIN, RS), ``eyeriss-v1.5`` (hierarchical mesh, RS+) and ``eyeriss-v2``
(v1.5 with the sparse PE, SIMD 2), each layer mapped by the mapper for the fewest cycles (ragged
factorisations allowed; on v2 with the PE's loop order pinned, ``M`` innermost: :func:`column_order`),
DRAM bandwidth unlimited as in ``validate eyeriss-v1.5``. v1-192 and
v1.5 run the same sparse workload: their dense PEs gate zero iacts (energy only), as v1 does. It
compares v2's inferences per second and per joule, and its throughput and energy-efficiency
ratios over v1-192, with the paper's (JETCAS 2019 abstract, §V-A-2; read from
``accelsim/reference/eyeriss_v2_sparse.json``, tolerances from issue 17). Energies include each
preset's clock/static term. Energy is compared *on chip* (every component but DRAM): the
paper's numbers come from a post-layout gate-level simulation of the chip (JETCAS §V), which
holds no DRAM; the totals with DRAM are printed beside them. The analytic engine gives v2's
work as the expectation at the layers' densities; the cycle engine runs seeded tensors at those
densities.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from .eyeriss_v2 import LayerKind, layer_kind

REFERENCE_FILE = Path(__file__).parents[1] / "reference" / "eyeriss_v2_sparse.json"
WORKLOAD = "mobilenet_v1_0.5_128_sparse"
#: (preset, dataflow) of the three machines, in ablation order
MACHINES = (("eyeriss-v1-192", "rs"), ("eyeriss-v1.5", "rs-plus"), ("eyeriss-v2", "rs-plus"))
LABELS = ("v1-192", "v1.5", "v2")


@cache
def reference() -> dict:
    """``accelsim/reference/eyeriss_v2_sparse.json``."""
    return json.loads(REFERENCE_FILE.read_text())


def within(value: float, key: str) -> bool:
    """``value`` within the reference's tolerance of the paper's ``key`` (a fraction, or a factor)."""
    ref = reference()
    tol = ref["tolerance"][key]
    if "factor" in tol:
        return 1.0 / tol["factor"] <= value / ref[key] <= tol["factor"]
    return abs(value / ref[key] - 1.0) <= tol["fraction"]


def tolerance_text(key: str) -> str:
    tol = reference()["tolerance"][key]
    return f"{tol['factor']:g}×" if "factor" in tol else f"±{tol['fraction']:.0%}"


@dataclass(frozen=True, slots=True)
class SparseLayerRow:
    """One layer on the three machines.

    Attributes
    ----------
    name : str
    kind : LayerKind
    macs : int
    densities : tuple of float
        (ifmap, filter) non-zero fractions of the workload.
    cycles : tuple of int
        (v1-192, v1.5, v2) cycles.
    energy_pj : tuple of float
        Total energy, clock term included, pJ.
    dram_pj : tuple of float
        Its DRAM part, pJ.
    effective_macs : float
        v2's effective MACs (non-zero iact and weight), expected or measured.
    pe_cycles_max : float
        v2's busiest PE's MAC cycles.
    """

    name: str
    kind: LayerKind
    macs: int
    densities: tuple[float, float]
    cycles: tuple[int, int, int]
    energy_pj: tuple[float, float, float]
    dram_pj: tuple[float, float, float]
    effective_macs: float
    pe_cycles_max: float

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind.value, "macs": self.macs,
                "density": {"ifmap": self.densities[0], "filter": self.densities[1]},
                "cycles": dict(zip(("v1_192", "v1_5", "v2"), self.cycles)),
                "energy_pj": dict(zip(("v1_192", "v1_5", "v2"), self.energy_pj)),
                "dram_pj": dict(zip(("v1_192", "v1_5", "v2"), self.dram_pj)),
                "v2_effective_macs": self.effective_macs, "v2_pe_cycles_max": self.pe_cycles_max}


@dataclass(frozen=True, slots=True)
class SparseReport:
    """The ablation: per-layer rows, the network's numbers and the paper's."""

    engine: str
    clock_hz: float
    rows: tuple[SparseLayerRow, ...]
    verified: bool

    def cycles(self, machine: int) -> int:
        return sum(r.cycles[machine] for r in self.rows)

    def energy_pj(self, machine: int) -> float:
        """The machine's energy over the network, DRAM included, pJ."""
        return sum(r.energy_pj[machine] for r in self.rows)

    def on_chip_pj(self, machine: int) -> float:
        """The machine's energy over the network without DRAM (clock term included), pJ."""
        return sum(r.energy_pj[machine] - r.dram_pj[machine] for r in self.rows)

    @property
    def inferences_per_s(self) -> float:
        """v2's throughput at batch 1: the clock over the layers' cycles, one after another."""
        return self.clock_hz / self.cycles(2)

    @property
    def inferences_per_j(self) -> float:
        """v2's inferences per joule of on-chip energy."""
        return 1e12 / self.on_chip_pj(2)

    @property
    def speedup(self) -> float:
        """v1-192's cycles ÷ v2's."""
        return self.cycles(0) / self.cycles(2)

    @property
    def energy_ratio(self) -> float:
        """v1-192's on-chip energy ÷ v2's (the energy-efficiency gain)."""
        return self.on_chip_pj(0) / self.on_chip_pj(2)

    def measured(self) -> dict[str, float]:
        """Our value of each of the paper's numbers, by reference key."""
        return {"inferences_per_s": self.inferences_per_s, "inferences_per_j": self.inferences_per_j,
                "speedup_v2_over_v1": self.speedup, "energy_efficiency_v2_over_v1": self.energy_ratio}

    def format(self) -> str:
        ref = reference()
        work = "expected at the densities" if self.engine == "analytic" else "on seeded tensors"
        lines = [f"sparse MobileNet-v1 0.5/128, batch 1, DRAM unlimited, mapper objective cycles (ragged), "
                 f"{self.engine} engine; v2's work {work}",
                 f"{'layer':7}{'kind':12}{'d_i':>6}{'d_w':>6}{'v1-192 cyc':>12}{'v1.5 cyc':>10}{'v2 cyc':>10}"
                 f"{'v2/v1.5':>9}{'eff. MACs':>12}"]
        for r in self.rows:
            lines.append(f"{r.name:7}{r.kind.value:12}{r.densities[0]:6.2f}{r.densities[1]:6.2f}{r.cycles[0]:>12,}"
                         f"{r.cycles[1]:>10,}{r.cycles[2]:>10,}{r.cycles[1] / r.cycles[2]:>8.2f}×"
                         f"{r.effective_macs:>12,.0f}")
        for i, label in enumerate(LABELS):
            lines.append(f"{label:7} {self.cycles(i):>12,} cycles  {self.on_chip_pj(i) / 1e6:10.1f} µJ on chip, "
                         f"{self.energy_pj(i) / 1e6:10.1f} µJ with DRAM")
        names = {"inferences_per_s": ("inferences/s", "{:,.1f}"), "inferences_per_j": ("inferences/J", "{:,.1f}"),
                 "speedup_v2_over_v1": ("throughput v2 / v1-192", "{:.2f}×"),
                 "energy_efficiency_v2_over_v1": ("energy efficiency v2 / v1-192", "{:.2f}×")}
        for key, value in self.measured().items():
            label, fmt = names[key]
            ok = "within" if within(value, key) else "OUTSIDE"
            lines.append(f"{label}: {fmt.format(value)} (paper {fmt.format(ref[key])}; {ok} {tolerance_text(key)})")
        lines.append(f"with DRAM: {1e12 / self.energy_pj(2):,.1f} inferences/J, energy efficiency v2 / v1-192 "
                     f"{self.energy_pj(0) / self.energy_pj(2):.2f}×")
        lines.append(f"v1.5 / v1-192: {self.cycles(0) / self.cycles(1):.2f}× throughput, "
                     f"{self.on_chip_pj(0) / self.on_chip_pj(1):.2f}× energy efficiency; v2 / v1.5: "
                     f"{self.cycles(1) / self.cycles(2):.2f}×, {self.on_chip_pj(1) / self.on_chip_pj(2):.2f}×")
        if not self.sparse_modelled:
            lines.append(f"NOTE: the {self.engine} engine of this build does not model the sparse PE "
                         "(no layer record has 'sparse'): v2's numbers are its dense PE's")
        if self.engine == "cycle":
            lines.append(f"outputs verified against the reference convolution: {'yes' if self.verified else 'NO'}")
        return "\n".join(lines)

    @property
    def sparse_modelled(self) -> bool:
        """Every v2 layer reports its sparse PE's work (``LayerResult.sparse``)."""
        return all(not math.isnan(r.effective_macs) for r in self.rows)

    def to_dict(self) -> dict:
        ref = reference()
        return {"engine": self.engine, "clock_hz": self.clock_hz, "layers": [r.to_dict() for r in self.rows],
                "totals": {label: {"cycles": self.cycles(i), "energy_pj": self.energy_pj(i),
                                   "on_chip_pj": self.on_chip_pj(i)}
                           for i, label in enumerate(LABELS)},
                "results": {key: {"simulated": value, "paper": ref[key], "tolerance": ref["tolerance"][key],
                                  "within": within(value, key)} for key, value in self.measured().items()},
                "verified": self.verified, "sparse_modelled": self.sparse_modelled}


def column_order():
    """The v2 PE's loop order, as mapping constraints: inside the PE the output channels ``M`` are
    innermost (RS+'s ``m0``, arXiv 1807.07928v1; JETCAS 2019 §IV-A: a CSC weight column is the
    ``M0`` weights of one iact, and the SIMD lanes share that iact). The mapper otherwise orders
    the PE's loops on the dense model, where any order costs the same, and may leave ``M`` out
    of the column (every MAC its own column: no SIMD gain)."""
    from ..spec.constraints import MappingConstraints, OrderPin
    from ..spec.dims import Dim, Place

    order = (Dim.G, Dim.N, Dim.C, Dim.E, Dim.F, Dim.R, Dim.S, Dim.M)
    return MappingConstraints(orders=(OrderPin(place=Place.PE, dims=order, field="pe order (v2 PE: M innermost)"),),
                              origin="accelsim.validation.eyeriss_v2_sparse")


def sparse_report(engine: str = "analytic", layers: list[str] | None = None, budget=None) -> SparseReport:
    """Run the ablation (see the module docstring).

    Parameters
    ----------
    engine : str
        ``analytic`` or ``cycle``.
    layers : list of str, optional
        A subset of MobileNet's layers (default: all 28).
    budget : Budget, optional
        The mapper's effort (default: ``Budget(ragged=True)``).

    Raises
    ------
    InfeasibleError
        A layer has no legal mapping on one of the machines (naming it).
    """
    from ..drivers.simulate import simulate_network
    from ..errors import InfeasibleError
    from ..io.presets import load_hardware, load_workload
    from ..search.mapper import Budget, Objective
    from ..spec.result import component_totals

    wl = load_workload(WORKLOAD)
    if layers:
        wl = wl.select(layers)
    budget = budget or Budget(ragged=True)
    runs, clocks = [], []
    for hw_name, dataflow in MACHINES:
        hw = replace(load_hardware(hw_name), dram_words_per_cycle=math.inf)
        clocks.append(hw.clock_hz)
        pins = {layer.name: column_order() for layer in wl.layers} if hw.sparse_pe is not None else None
        runs.append(simulate_network(wl, hw, dataflow=dataflow, engine=engine, objective=Objective.CYCLES,
                                     budget=budget, constraints=pins))
    rows = []
    verified = True
    for results in zip(*(run.layers for run in runs)):
        for r in results:
            if not r.ok:
                raise InfeasibleError(f"no legal mapping on {r.hardware}", field=f"layers.{r.layer.name}")
            if engine == "cycle" and not (r.timing and r.timing.verified):
                verified = False
        v2 = results[2]
        layer = v2.layer
        sparse = v2.sparse
        rows.append(SparseLayerRow(
            name=layer.name, kind=layer_kind(layer), macs=v2.macs,
            densities=(layer.ifmap_density or 1.0, layer.filter_density or 1.0),
            cycles=tuple(r.cycles for r in results), energy_pj=tuple(r.energy_total for r in results),
            dram_pj=tuple(component_totals(r.energy)["DRAM"] for r in results),
            effective_macs=float(sparse.effective_macs) if sparse is not None else float("nan"),
            pe_cycles_max=float(sparse.pe_cycles_max) if sparse is not None else float("nan")))
    return SparseReport(engine=engine, clock_hz=clocks[2], rows=tuple(rows), verified=verified)
