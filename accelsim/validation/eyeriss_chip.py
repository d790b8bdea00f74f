"""The Eyeriss chip reproduced: measured versus simulated (``accelsim validate eyeriss``).

Runs AlexNet CONV1-5 at batch 4 on the ``eyeriss`` preset with the cycle-level engine and the
chip's own RS mappings (JSSC 2017 Table III, ``workloads/mappings/eyeriss_jssc_alexnet.yaml``;
a layer that file lacks is mapped by the mapper and marked so), and compares per layer the
active PEs, latency, GLB accesses and DRAM accesses with the chip's measurements (ISSCC 2016
Fig. 14.5.6). It also compares the DRAM accesses per MAC of the VGG-16 CONV layers at batch 3
(analytic engine, mapper) and of AlexNet CONV1-5 with the JSSC 2017 abstract's 0.0035 and
0.0029. Published numbers are read from ``accelsim/reference/eyeriss_chip.json``.

Units: one access = one 16-bit word (``word_bits``), MB = 1e6 bytes; GLB accesses are reads
plus writes of all three data types; DRAM accesses likewise, in RLC-compressed words when the
machine compresses fmaps (``Hardware.effects.dram_rlc`` and the result's ``dram_compressed``), else
dense words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path

REFERENCE_FILE = Path(__file__).parents[1] / "reference" / "eyeriss_chip.json"
ALEXNET_CONV = ("conv1", "conv2", "conv3", "conv4", "conv5")
ALEXNET_BATCH = 4
VGG16_BATCH = 3
HARDWARE = "eyeriss"
MAPPING_FILE = "eyeriss_jssc_alexnet"
MEASURED_KEY = "measured_alexnet_conv_isscc2016_fig_14_5_6"
DRAM_PER_MAC_KEY = "dram_accesses_per_mac_jssc2017"
POWER_TABLE = "65nm-pj"  # the absolute energy table power is estimated with


class Quantity(Enum):
    """A per-layer quantity the chip measured; values are the reference file's column names."""

    ACTIVE_PES = "active_pes"
    LATENCY_MS = "latency_ms"
    GLB_MB = "glb_access_mb"
    DRAM_MB = "dram_access_mb"

    @property
    def label(self) -> str:
        return {"active_pes": "active PEs", "latency_ms": "latency ms", "glb_access_mb": "GLB MB",
                "dram_access_mb": "DRAM MB"}[self.value]


class MappingSource(Enum):
    """Where a layer's mapping came from."""

    JSSC = "jssc-table-iii"
    MAPPER = "mapper"


@cache
def reference() -> dict:
    """``accelsim/reference/eyeriss_chip.json``."""
    return json.loads(REFERENCE_FILE.read_text())


def measured(layer: str) -> dict[Quantity, float]:
    """The chip's measurement of one AlexNet CONV layer (``conv1`` … ``conv5`` or ``total``)."""
    table = reference()[MEASURED_KEY]
    row = dict(zip(table["columns"], table[layer if layer == "total" else layer.upper()]))
    return {q: float(row[q.value]) for q in Quantity}


@dataclass(frozen=True, slots=True)
class Comparison:
    """A measured value next to the simulated one."""

    measured: float
    simulated: float

    @property
    def ratio(self) -> float:
        """Simulated ÷ measured (``nan`` if nothing was measured)."""
        return self.simulated / self.measured if self.measured else float("nan")

    def to_dict(self) -> dict:
        return {"measured": self.measured, "simulated": self.simulated, "ratio": self.ratio}


@dataclass(frozen=True, slots=True)
class ChipLayerRow:
    """One AlexNet CONV layer on the chip.

    Attributes
    ----------
    layer : str
        ``conv1`` … ``conv5``.
    source : MappingSource
        JSSC Table III mapping or the mapper's.
    values : dict
        :class:`Quantity` → :class:`Comparison`.
    glb_banks : tuple of int
        GLB banks of the shared ifmap/psum pool the tiles take (ifmap, filter, psum).
    glb_bank_count : int
        Banks the pool has (25 on the chip).
    dram_compressed : bool
        The DRAM column counts RLC-compressed words (else dense words).
    verified : bool
        The cycle engine's output equals a numpy convolution.
    macs : int
        MACs of the layer at the batch.
    dram_words : int
        DRAM accesses, 16-bit words (as in the DRAM column).
    power_mw : Comparison or None
        The chip's measured power against the on-chip energy (ALU, RF, NoC, GLB) priced with
        the ``65nm-pj`` estimate over the simulated latency — informational: the table is an
        estimate (±2×) and the model has no clock tree, control or leakage.
    """

    layer: str
    source: MappingSource
    values: dict
    glb_banks: tuple[int, int, int]
    glb_bank_count: int
    dram_compressed: bool
    verified: bool
    macs: int
    dram_words: int
    power_mw: Comparison | None = None

    @property
    def banks_used(self) -> int:
        return sum(self.glb_banks)

    def to_dict(self) -> dict:
        return {"layer": self.layer, "mapping": self.source.value,
                **{q.value: self.values[q].to_dict() for q in Quantity},
                "glb_banks": {"ifmap": self.glb_banks[0], "filter": self.glb_banks[1], "psum": self.glb_banks[2],
                              "used": self.banks_used, "available": self.glb_bank_count},
                "dram_compressed": self.dram_compressed, "verified": self.verified, "macs": self.macs,
                "dram_words": self.dram_words,
                "power_mw": self.power_mw.to_dict() if self.power_mw else None}


@dataclass(frozen=True, slots=True)
class DramPerMac:
    """DRAM accesses per MAC of a network's CONV layers against the JSSC 2017 abstract.

    Attributes
    ----------
    network : str
    batch : int
    value : Comparison
        16-bit DRAM words per MAC, published and simulated.
    layers : tuple of str
        Layers summed.
    how : str
        Engine and mappings the simulated value comes from.
    dram_compressed : bool
        Simulated DRAM words are RLC-compressed.
    source : str
        Citation of the published value.
    """

    network: str
    batch: int
    value: Comparison
    layers: tuple[str, ...]
    how: str
    dram_compressed: bool
    source: str

    def to_dict(self) -> dict:
        return {"network": self.network, "batch": self.batch, **self.value.to_dict(), "layers": list(self.layers),
                "how": self.how, "dram_compressed": self.dram_compressed, "source": self.source}


def dram_words(result) -> tuple[int, bool]:
    """DRAM accesses of a layer result in 16-bit words and whether they are RLC-compressed.

    Uses the result's ``dram_compressed`` record (ifmap/filter reads, psum writes/reads in
    compressed words) when the machine compresses fmaps, else the dense counts.
    """
    from ..layout import READS, WRITES
    from ..spec.dims import Level

    if result.dram_compressed is not None:
        return int(result.dram_compressed.total_words), True
    c = result.counts[Level.DRAM]
    return int(c[:, READS].sum() + c[:, WRITES].sum()), False


def glb_words(result) -> int:
    """GLB accesses of a layer result: reads plus writes of every data type, 16-bit words."""
    from ..layout import READS, WRITES
    from ..spec.dims import Level

    c = result.counts[Level.GLB]
    return int(c[:, READS].sum() + c[:, WRITES].sum())


def glb_banks_of(result, hw) -> tuple[int, int, int]:
    """Banks of ``hw``'s GLB pool the tiles of ``result``'s mapping take (ifmap, filter, psum)."""
    from ..dataflows import template
    from ..dataflows.lowering import window_flags
    from ..sim.counting import count_mapping, glb_banks

    tpl = template(result.dataflow)
    return glb_banks(count_mapping(result.mapping, result.layer, window_flags(tpl, hw)), hw)


@cache
def alexnet_chip_run(jobs: int = 2):
    """AlexNet CONV1-5, batch 4, ``eyeriss`` preset, cycle engine, the chip's mappings.

    Returns
    -------
    (RunResult, dict)
        The run and ``{layer: MappingSource}``. Cached: the validation report and the tests
        share one run per process.
    """
    from ..io.presets import load_hardware, load_mapping, load_workload
    from ..drivers.simulate import simulate_network

    hw = load_hardware(HARDWARE)
    wl = load_workload("alexnet")
    conv = wl.select(list(ALEXNET_CONV))
    given = load_mapping(MAPPING_FILE, wl, ALEXNET_BATCH)
    sources = {name: MappingSource.JSSC if name in given else MappingSource.MAPPER for name in ALEXNET_CONV}
    run = simulate_network(conv, hw, "rs", engine="cycle", batch=ALEXNET_BATCH,
                           mappings={k: v for k, v in given.items() if k in ALEXNET_CONV}, jobs=jobs)
    return run, sources


def layer_rows(jobs: int = 2) -> tuple[ChipLayerRow, ...]:
    """Measured vs simulated for each AlexNet CONV layer."""
    from ..io.presets import load_hardware

    hw = load_hardware(HARDWARE)
    run, sources = alexnet_chip_run(jobs)
    # one width for every data type (the chip's 16 bits; SpecError otherwise): the chip's MB are of
    # all three types together, and RLC-compressed DRAM words are 16-bit words
    bytes_per_word = hw.word_bits / 8
    rows = []
    for r in run.layers:
        if not r.ok:
            from ..errors import InfeasibleError

            raise InfeasibleError(f"{r.layer.name} does not run on {hw.name}: {r.reason}", r.layer.name)
        meas = measured(r.layer.name)
        dram, compressed = dram_words(r)
        sim = {Quantity.ACTIVE_PES: float(r.active_pes),
               Quantity.LATENCY_MS: r.timing.seconds * 1e3,
               Quantity.GLB_MB: glb_words(r) * bytes_per_word / 1e6,
               Quantity.DRAM_MB: dram * bytes_per_word / 1e6}
        rows.append(ChipLayerRow(
            layer=r.layer.name, source=sources[r.layer.name],
            values={q: Comparison(meas[q], sim[q]) for q in Quantity},
            glb_banks=glb_banks_of(r, hw), glb_bank_count=hw.glb.banks, dram_compressed=compressed,
            verified=bool(r.timing.verified), macs=int(r.macs), dram_words=dram,
            power_mw=Comparison(measured_power_mw(r.layer.name), on_chip_power_mw(r))))
    return tuple(rows)


def measured_power_mw(layer: str) -> float:
    """The chip's measured power of one AlexNet CONV layer (ISSCC 2016 Fig. 14.5.6), mW."""
    table = reference()[MEASURED_KEY]
    return float(dict(zip(table["columns"], table[layer.upper()]))["power_mw"])


def on_chip_power_mw(result) -> float:
    """Energy of the ALU, RF, NoC and GLB priced with the ``65nm-pj`` table (the run's counts,
    zero gating included) over the run's simulated seconds, in mW."""
    from ..io.presets import load_energy
    from ..spec.result import component_totals, energy_dict

    energy = energy_dict(result.counts, result.macs, load_energy(POWER_TABLE).costs(), result.gating,
                         result.dram_compressed)
    parts = component_totals(energy)
    on_chip_pj = sum(v for k, v in parts.items() if k != "DRAM")
    return on_chip_pj * 1e-12 / result.timing.seconds * 1e3


def totals(rows: tuple[ChipLayerRow, ...]) -> dict:
    """:class:`Quantity` → :class:`Comparison` over the layers: latency, GLB and DRAM summed;
    active PEs averaged over time (latency-weighted), as the chip's 148 is."""
    meas = measured("total")
    out = {}
    for q in (Quantity.LATENCY_MS, Quantity.GLB_MB, Quantity.DRAM_MB):
        out[q] = Comparison(meas[q], sum(r.values[q].simulated for r in rows))
    sim_time = out[Quantity.LATENCY_MS].simulated
    pes = sum(r.values[Quantity.ACTIVE_PES].simulated * r.values[Quantity.LATENCY_MS].simulated for r in rows)
    out[Quantity.ACTIVE_PES] = Comparison(meas[Quantity.ACTIVE_PES], pes / sim_time if sim_time else 0.0)
    return out


def published_dram_per_mac(network: str) -> tuple[float, int, str]:
    """(DRAM accesses per MAC, batch, citation) of ``alexnet`` or ``vgg16`` from the reference."""
    entry = reference()[DRAM_PER_MAC_KEY]
    return float(entry[network]["dram_accesses_per_mac"]), int(entry[network]["batch"]), entry["source"]


def alexnet_dram_per_mac(rows: tuple[ChipLayerRow, ...]) -> DramPerMac:
    """AlexNet CONV1-5 DRAM words per MAC of the chip run against the abstract's 0.0029."""
    value, batch, source = published_dram_per_mac("alexnet")
    words = sum(r.dram_words for r in rows)
    macs = sum(r.macs for r in rows)
    return DramPerMac(network="alexnet", batch=batch, value=Comparison(value, words / macs),
                      layers=tuple(r.layer for r in rows), how="cycle engine, the chip run above",
                      dram_compressed=all(r.dram_compressed for r in rows), source=source)


@cache
def vgg16_dram_per_mac(jobs: int = 2) -> DramPerMac:
    """VGG-16 CONV layers at batch 3 on the ``eyeriss`` preset: DRAM words per MAC.

    The chip's VGG-16 mappings are not published, so the mapper (energy objective) maps each
    layer; the analytic engine counts (the cycle engine's counts equal it, and 46 GMACs are
    too many to step through).
    """
    from ..io.presets import load_hardware, load_workload
    from ..drivers.simulate import simulate_network

    value, batch, source = published_dram_per_mac("vgg16")
    hw = load_hardware(HARDWARE)
    wl = load_workload("vgg16")
    conv = wl.select([layer.name for layer in wl.layers if layer.name.startswith("conv")])
    run = simulate_network(conv, hw, "rs", engine="analytic", batch=batch, jobs=jobs)
    bad = [r.layer.name for r in run.layers if not r.ok]
    if bad:
        from ..errors import InfeasibleError

        raise InfeasibleError(f"VGG-16 layers {bad} do not run on {hw.name}", "vgg16")
    counted = [dram_words(r) for r in run.layers]
    macs = sum(r.macs for r in run.layers)
    return DramPerMac(network="vgg16", batch=batch, value=Comparison(value, sum(w for w, _ in counted) / macs),
                      layers=tuple(r.layer.name for r in run.layers), how="analytic engine, mapper (energy)",
                      dram_compressed=all(c for _, c in counted), source=source)


@dataclass(frozen=True, slots=True)
class ChipReport:
    """Everything ``accelsim validate eyeriss`` prints."""

    rows: tuple[ChipLayerRow, ...]
    totals: dict
    alexnet: DramPerMac
    vgg16: DramPerMac

    def to_dict(self) -> dict:
        return {"hardware": HARDWARE, "batch": ALEXNET_BATCH, "engine": "cycle",
                "measured_source": reference()[MEASURED_KEY]["conditions"],
                "layers": [r.to_dict() for r in self.rows],
                "total": {q.value: c.to_dict() for q, c in self.totals.items()},
                "dram_accesses_per_mac": {"alexnet": self.alexnet.to_dict(), "vgg16": self.vgg16.to_dict()}}

    def format(self) -> str:
        """The text table."""
        lines = [f"Eyeriss chip: AlexNet CONV1-5, batch {ALEXNET_BATCH}, '{HARDWARE}' preset, cycle engine",
                 "measured: ISSCC 2016 Fig. 14.5.6 (accelsim/reference/eyeriss_chip.json); "
                 "cells are measured / simulated (simulated / measured)",
                 "mapping: jssc = JSSC 2017 Table III (workloads/mappings/eyeriss_jssc_alexnet.yaml); "
                 "mapper* = not in that file yet, chosen by the mapper (energy objective)",
                 ""]
        head = f"{'layer':6} {'mapping':8}" + "".join(f" {q.label:>23}" for q in Quantity) + "  GLB banks i+p/n"
        lines.append(head)
        lines.append("-" * len(head))

        def cell(c: Comparison, q: Quantity) -> str:
            if q is Quantity.ACTIVE_PES:
                return f"{c.measured:5.0f} /{c.simulated:6.1f} ({c.ratio:4.2f})"
            return f"{c.measured:6.1f} /{c.simulated:6.1f} ({c.ratio:4.2f})"

        for r in self.rows:
            mark = "jssc" if r.source is MappingSource.JSSC else "mapper*"
            banks = f"{r.glb_banks[0]}+{r.glb_banks[2]}" + (f"+f{r.glb_banks[1]}" if r.glb_banks[1] else "")
            lines.append(f"{r.layer:6} {mark:8}" + "".join(f" {cell(r.values[q], q):>23}" for q in Quantity)
                         + f"  {banks:>7}/{r.glb_bank_count}")
        lines.append(f"{'total':6} {'':8}" + "".join(f" {cell(self.totals[q], q):>23}" for q in Quantity))
        lines.append("")
        dram_kind = "RLC-compressed" if all(r.dram_compressed for r in self.rows) else (
            "dense (no RLC in the result)" if not any(r.dram_compressed for r in self.rows) else "mixed")
        lines.append(f"DRAM words: {dram_kind}; 1 access = 1 16-bit word, MB = 1e6 bytes; active PEs total = "
                     "latency-weighted mean; cycle-engine outputs verified against numpy: "
                     + ("all" if all(r.verified for r in self.rows) else
                        ", ".join(r.layer for r in self.rows if not r.verified) + " NOT verified"))
        lines.append("GLB banks: banks of 2048 words the ifmap + psum tiles take of the pool "
                     "(filters use their own 2 banks); rule ceil(ifmap/bank) + ceil(psum/bank) <= banks")
        lines.append("")
        lines.append(f"on-chip power, measured / estimated mW (ALU+RF+NoC+GLB energy with the {POWER_TABLE} table, "
                     "an estimate of +-2x, over the simulated latency; informational, no clock tree or leakage):")
        lines.append("  " + ", ".join(f"{r.layer} {r.power_mw.measured:.0f} / {r.power_mw.simulated:.0f}"
                                      f" ({r.power_mw.ratio:.2f})" for r in self.rows if r.power_mw))
        lines.append("")
        lines.append("DRAM accesses per MAC (CONV layers), published in the JSSC 2017 abstract")
        for d in (self.alexnet, self.vgg16):
            kind = "RLC" if d.dram_compressed else "dense"
            lines.append(f"  {d.network:7} batch {d.batch}: published {d.value.measured:.4f}, simulated "
                         f"{d.value.simulated:.4f} ({d.value.ratio:4.2f}), {kind}; {d.how}")
        lines.append(f"  source: {self.vgg16.source}")
        return "\n".join(lines)


def eyeriss_report(jobs: int = 2) -> ChipReport:
    """Run (or reuse) the chip simulations and collect the comparison."""
    rows = layer_rows(jobs)
    return ChipReport(rows=rows, totals=totals(rows), alexnet=alexnet_dram_per_mac(rows),
                      vgg16=vgg16_dram_per_mac(jobs))
