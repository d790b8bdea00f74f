"""Plain-text tables of results (what the CLI prints)."""

from __future__ import annotations

from .layout import charged_words
from .spec.dims import COMPONENTS, DataType, Level
from .spec.result import LayerResult, RunResult, component_totals


_UNIT_LABEL = {"mac": "MAC energies", "pj": "pJ"}


def _fmt_energy(value: float) -> str:
    return f"{value:.3e}"


def run_table(run: RunResult) -> str:
    """Per-layer table: MACs, PEs, cycles, energy by component, total and energy per MAC."""
    head = (f"{run.workload} on {run.hardware} | dataflow {run.dataflow} | engine {run.engine} | "
            f"batch {run.batch} | energy unit: {_UNIT_LABEL.get(run.energy_unit, run.energy_unit)}")
    cols = ["layer", "MACs", "PEs", "util", "cycles", *COMPONENTS, "total", "E/MAC"]
    rows = [cols]
    for r in run.layers:
        rows.append(_layer_row(r))
    tot = run.total()
    if tot["macs"]:
        comp = component_totals(tot["energy"])
        rows.append(["total", f"{tot['macs']:,}", "", "", f"{tot['cycles']:,}",
                     *(_fmt_energy(comp[c]) for c in COMPONENTS), _fmt_energy(tot["energy_total"]),
                     f"{tot['energy_total'] / tot['macs']:.3f}"])
    text = head + "\n" + _align(rows)
    notes = [f"  {r.layer.name}: {r.reason}" for r in run.layers if not r.ok]
    if notes:
        text += "\ninfeasible:\n" + "\n".join(notes)
    return text


def _layer_row(r: LayerResult) -> list[str]:
    if not r.ok:
        return [r.layer.name, f"{r.layer.macs:,}", "-", "-", "-", *("-" for _ in COMPONENTS), "infeasible", "-"]
    comp = component_totals(r.energy)
    return [r.layer.name, f"{r.macs:,}", str(r.active_pes), f"{r.utilization:.2f}", f"{r.cycles:,}",
            *(_fmt_energy(comp[c]) for c in COMPONENTS), _fmt_energy(r.energy_total),
            f"{r.energy_total / r.macs:.3f}"]


def access_table(run: RunResult) -> str:
    """Accesses per MAC by level and data type, over the feasible layers."""
    feasible = [r for r in run.layers if r.ok]
    macs = sum(r.macs for r in feasible) or 1
    counted = [r.counts for r in feasible if r.counts is not None]
    rows = [["level", *(t.label for t in DataType), "per MAC"]]
    if counted:
        counts = sum(counted)
        for lv in Level:
            words = [int(charged_words(counts, lv, t)) for t in DataType]
            rows.append([lv.label, *(f"{n:,}" for n in words), f"{sum(words) / macs:.4f}"])
    return "charged accesses (reads; psum reads+writes; NoC deliveries)\n" + _align(rows)


def compare_table(runs: list[RunResult]) -> str:
    """One row per dataflow: energy per MAC by component and cycles over the feasible layers."""
    rows = [["dataflow", "hardware", "batch", *COMPONENTS, "E/MAC", "vs first", "cycles", "infeasible"]]
    base = None
    for run in runs:
        tot = run.total()
        bad = ",".join(tot["infeasible_layers"])
        if not tot["macs"]:
            rows.append([run.dataflow, run.hardware, str(run.batch), *("-" for _ in COMPONENTS), "-", "-", "-",
                         bad])
            continue
        comp = component_totals(tot["energy"])
        per_mac = tot["energy_total"] / tot["macs"]
        if base is None:
            base = per_mac
        vs_first = f"{per_mac / base:.2f}x" if base else "-"  # an all-zero energy table has no ratio
        rows.append([run.dataflow, run.hardware, str(run.batch),
                     *(f"{comp[c] / tot['macs']:.3f}" for c in COMPONENTS), f"{per_mac:.3f}",
                     vs_first, f"{tot['cycles']:,}", bad or "-"])
    units = sorted({run.energy_unit for run in runs})
    label = ", ".join(_UNIT_LABEL.get(u, u) for u in units) or _UNIT_LABEL["mac"]
    text = f"energy per MAC ({label}) over feasible layers\n" + _align(rows)
    notes = [f"  {run.dataflow} {r.layer.name}: {r.reason}" for run in runs for r in run.layers if not r.ok]
    if notes:
        text += "\ninfeasible:\n" + "\n".join(notes)
    return text


def _align(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for j, row in enumerate(rows):
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if j == 0:
            out.append("-" * len(out[0]))
    return "\n".join(out)


def timing_table(run: RunResult) -> str:
    """Cycle-engine timing per layer: cycles, stalls by cause, PEs, utilisation, check."""
    from .sim.cycle import STALL_CAUSES

    cols = ["layer", "cycles", "compute", *(f"stall:{c}" for c in STALL_CAUSES), "PEs", "util", "ms", "verified"]
    rows = [cols]
    for r in run.layers:
        if not r.ok or r.timing is None:
            continue
        t = r.timing
        busy = t.pe_busy_cycles / max(t.pe_total_cycles, 1)
        rows.append([r.layer.name, f"{t.cycles:,}", f"{t.compute_cycles:,}",
                     *(f"{t.stall_cycles[c]:,}" for c in STALL_CAUSES), str(r.active_pes), f"{busy:.2f}",
                     f"{t.seconds * 1e3:.2f}", "yes" if t.verified else "NO"])
    ok = all(r.timing.verified for r in run.layers if r.ok and r.timing is not None)
    text = ("cycle-level timing (util = busy PE-cycles / all PE-cycles)\n" + _align(rows) + "\n"
            + ("verified: output matches reference" if ok else "verified: OUTPUT DIFFERS FROM REFERENCE"))
    return text


def power_table(run: RunResult) -> str | None:
    """Average power per layer (energy in pJ over its cycles), or ``None`` when the energy has
    no physical unit."""
    rows = [["layer", "ms", "mW total", "mW on chip"]]
    total_pj = chip_pj = seconds = 0.0
    for r in run.layers:
        power = r.power_mw()
        if power is None:
            continue
        s = r.cycles / r.clock_hz
        rows.append([r.layer.name, f"{s * 1e3:.2f}", f"{power['total']:.1f}", f"{power['on_chip']:.1f}"])
        seconds += s
        total_pj += power["total"] * s * 1e9
        chip_pj += power["on_chip"] * s * 1e9
    if len(rows) == 1:
        return None
    rows.append(["total", f"{seconds * 1e3:.2f}", f"{total_pj / seconds * 1e-9:.1f}", f"{chip_pj / seconds * 1e-9:.1f}"])
    return "average power (energy in pJ over the layer's cycles; on chip = without DRAM)\n" + _align(rows)
