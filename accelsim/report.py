"""Plain-text tables of results (what the CLI prints)."""

from __future__ import annotations

from .layout import charged_words
from .spec.assumptions import ZeroSource
from .spec.dims import COMPONENTS, DataType, Level
from .spec.result import CLOCK_COMPONENT, LayerResult, RunResult, component_totals


_UNIT_LABEL = {"mac": "MAC energies", "pj": "pJ"}


def _fmt_energy(value: float) -> str:
    return f"{value:.3e}"


def run_table(run: RunResult) -> str:
    """Per-layer table: MACs, active PEs, PEs used (active ÷ the array's), cycles, energy by
    component, total and energy per MAC."""
    head = (f"{run.workload} on {run.hardware} | dataflow {run.dataflow} | engine {run.engine} | "
            f"batch {run.batch} | energy unit: {_UNIT_LABEL.get(run.energy_unit, run.energy_unit)}")
    # a machine with a clock/static term (AccessCosts.clock_per_cycle) adds its column
    parts = COMPONENTS + ((CLOCK_COMPONENT,) if any(CLOCK_COMPONENT in r.energy for r in run.layers) else ())
    cols = ["layer", "MACs", "active PEs", "PEs used", "cycles", *parts, "total", "E/MAC"]
    rows = [cols]
    for r in run.layers:
        rows.append(_layer_row(r, parts))
    tot = run.total()
    if tot["macs"]:
        comp = component_totals(tot["energy"])
        rows.append(["total", f"{tot['macs']:,}", "", "", f"{tot['cycles']:,}",
                     *(_fmt_energy(comp[c]) for c in parts), _fmt_energy(tot["energy_total"]),
                     f"{tot['energy_total'] / tot['macs']:.3f}"])
    assumed = assumptions_text(run)
    energy = energy_text(run)
    text = head + "\n" + (energy + "\n" if energy else "") + (assumed + "\n" if assumed else "") + align_table(rows)
    notes = [f"  {r.layer.name}: {r.reason}" for r in run.layers if not r.ok]
    if notes:
        text += "\ninfeasible:\n" + "\n".join(notes)
    return text


def energy_text(run: RunResult) -> str:
    """``energy: model (65 nm, DRAM lpddr4, unit pj); area 1.23 mm² (MAC …, RF …, GLB …, NoC …)``:
    what priced the run and the machine's area (``""`` when the run records neither)."""
    parts = []
    if run.energy_source:
        parts.append(f"energy: {run.energy_source['description']}")
    if run.area is not None:
        comp = ", ".join(f"{k} {v:.3g}" for k, v in run.area.to_dict().items() if k not in ("total", "source"))
        model = "" if run.energy_source.get("kind") == "model" else " from the default energy model"
        parts.append(f"area {run.area.total_mm2:.3g} mm²{model} ({comp})")
    return "; ".join(parts)


def assumptions_text(run: RunResult) -> str:
    """The run's data assumptions (``LayerResult.assumptions``), one line per kind: zero gating
    and RLC, then the ifmap (and, with RLC, ofmap) zero fractions grouped by where they came
    from; ``""`` when no layer ran."""
    assumed = [(r.layer.name, r.assumptions) for r in run.layers if r.assumptions is not None]
    if not assumed:
        return ""
    first = assumed[0][1]
    flags = f"zero gating {'on' if first.zero_gating else 'off'}, DRAM RLC {'on' if first.dram_rlc else 'off'}"
    if not first.used:
        return f"assumptions: {flags}: zero fractions change nothing"
    rlc = " (fmaps in DRAM run-length coded; the image is stored plain)" if first.dram_rlc else ""
    lines = [f"assumptions: {flags}{rlc}",
             "  ifmap zero fraction: " + _by_source([(n, a.ifmap_zero_fraction, a.ifmap_zero_fraction_source)
                                                     for n, a in assumed])]
    if first.dram_rlc:
        lines.append("  ofmap zero fraction: " + _by_source([(n, a.ofmap_zero_fraction, a.ofmap_zero_fraction_source)
                                                             for n, a in assumed]))
    return "\n".join(lines)


def _by_source(items: list[tuple[str, float, ZeroSource]]) -> str:
    """``conv2 0.4, conv3 0.517 (AlexNet, …); 0.5 (default: ReLU) for conv5, fc1``: layers grouped by source."""
    groups: dict[ZeroSource, list[tuple[str, float]]] = {}
    for name, value, source in items:
        groups.setdefault(source, []).append((name, value))
    parts = []
    for source, members in groups.items():
        names = [n for n, _ in members]
        shown = ", ".join(names) if len(names) <= 6 else f"{names[0]} … {names[-1]} ({len(names)} layers)"
        if len({v for _, v in members}) == 1 and len(members) > 1:
            parts.append(f"{members[0][1]:.3g} ({source.label}) for {shown}")
        else:
            parts.append(", ".join(f"{n} {v:.3g}" for n, v in members) + f" ({source.label})")
    return "; ".join(parts)


def _layer_row(r: LayerResult, parts: tuple[str, ...] = COMPONENTS) -> list[str]:
    if not r.ok:
        return [r.layer.name, f"{r.layer.macs:,}", "-", "-", "-", *("-" for _ in parts), "infeasible", "-"]
    comp = component_totals(r.energy)
    return [r.layer.name, f"{r.macs:,}", str(r.active_pes), f"{r.utilization:.2f}", f"{r.cycles:,}",
            *(_fmt_energy(comp.get(c, 0.0)) for c in parts), _fmt_energy(r.energy_total),
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
    return "charged accesses (reads; psum reads+writes; NoC deliveries)\n" + align_table(rows)


def _pes_used(layers) -> float | None:
    """Active PEs ÷ the array's PEs over the feasible layers, weighted by their cycles."""
    done = [r for r in layers if r.ok and r.cycles]
    cycles = sum(r.cycles for r in done)
    return sum(r.utilization * r.cycles for r in done) / cycles if cycles else None


def _pe_cycle_util(layers) -> float | None:
    """Busy PE-cycles ÷ all PE-cycles of the layers the cycle engine timed (``None``: none)."""
    timed = [r.timing for r in layers if r.ok and r.timing is not None]
    total = sum(t.pe_total_cycles for t in timed)
    return sum(t.pe_busy_cycles for t in timed) / total if total else None


def _fraction(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _compare_energy_text(runs: list[RunResult]) -> str:
    """``energy: …`` (one line ending in a newline) when every run records one source, else one
    ``energy (dataflow): …`` per run; ``""`` when none records it."""
    described = [(run.dataflow, run.energy_source["description"]) for run in runs if run.energy_source]
    if not described:
        return ""
    if len({d for _, d in described}) == 1:
        return f"energy: {described[0][1]}\n"
    return "".join(f"energy ({df}): {d}\n" for df, d in described)


def compare_table(runs: list[RunResult]) -> str:
    """One row per dataflow: energy per MAC by component, cycles and PE utilisation over the
    feasible layers."""
    rows = [["dataflow", "hardware", "batch", *COMPONENTS, "E/MAC", "vs first", "cycles", "PEs used",
             "PE-cycle util", "infeasible"]]
    base = None
    for run in runs:
        tot = run.total()
        bad = ",".join(tot["infeasible_layers"])
        if not tot["macs"]:
            rows.append([run.dataflow, run.hardware, str(run.batch), *("-" for _ in COMPONENTS), "-", "-", "-", "-",
                         "-", bad])
            continue
        comp = component_totals(tot["energy"])
        per_mac = tot["energy_total"] / tot["macs"]
        if base is None:
            base = per_mac
        vs_first = f"{per_mac / base:.2f}x" if base else "-"  # an all-zero energy table has no ratio
        rows.append([run.dataflow, run.hardware, str(run.batch),
                     *(f"{comp[c] / tot['macs']:.3f}" for c in COMPONENTS), f"{per_mac:.3f}",
                     vs_first, f"{tot['cycles']:,}", _fraction(_pes_used(run.layers)),
                     _fraction(_pe_cycle_util(run.layers)), bad or "-"])
    units = sorted({run.energy_unit for run in runs})
    label = ", ".join(_UNIT_LABEL.get(u, u) for u in units) or _UNIT_LABEL["mac"]
    text = (f"energy per MAC ({label}) over feasible layers; PEs used = active PEs / PEs (cycle-weighted), "
            "PE-cycle util = busy / all PE-cycles (cycle engine)\n" + _compare_energy_text(runs) + align_table(rows))
    notes = [f"  {run.dataflow} {r.layer.name}: {r.reason}" for run in runs for r in run.layers if not r.ok]
    if notes:
        text += "\ninfeasible:\n" + "\n".join(notes)
    return text


def tile_table(result: LayerResult, hw) -> str:
    """Per storage level (DRAM, GLB, one PE's RF) and data type of a feasible ``result``: the
    tile in words (of the type's dedicated words, where the buffer reserves some), and the
    level's occupancy: the words its tiles take of its capacity (Timeloop's map output; bits
    when the data types or the shared pool differ in width)."""
    from .dataflows import template
    from .dataflows.lowering import window_flags
    from .sim.counting import count_mapping
    from .spec.dims import DataType

    mapping, layer = result.mapping, result.layer
    usage = count_mapping(mapping, layer, window_flags(template(result.dataflow), hw)).usage
    rows = [["tiles (words)", *(t.label for t in DataType), "occupancy"],
            ["DRAM", *(f"{w:,}" for w in layer.tensor_words()), "-"]]
    levels = (("GLB", hw.glb, mapping.glb, usage[0]), ("RF (per PE)", hw.rf, mapping.rf, usage[1]))
    for name, buf, starts, use in levels:
        row = [name]
        for t in DataType:
            own = buf.dedicated_words[t]
            row.append("bypass" if starts[t] is None else f"{int(use[t]):,}" + (f" / {own:,}" if own else ""))
        bits = hw.precision.per_type
        used, total = int(use.sum()), buf.total_words
        banks = buf.banks_needed(tuple(int(u) for u in use), bits)
        note = f", {sum(banks)} of {buf.banks} banks" if buf.bank_words else ""
        widths, pool = buf.type_and_pool_bits(bits)
        if len({*widths, pool}) > 1:
            # mixed widths: the occupancy in bits (each type at its width, the pool at its word's)
            used, total = sum(int(u) * b for u, b in zip(use, widths)), buf.total_bits(bits)
            note = " bits" + note
        row.append(f"{used:,} / {total:,} ({used / total:.0%}{note})" if total else f"{used:,}")
        rows.append(row)
    return align_table(rows)


def align_table(rows: list[list[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned, a rule under
    the header row.

    Parameters
    ----------
    rows : list of list of str
        The header row, then the body rows; every row has the header's number of cells.

    Returns
    -------
    str
        The table's lines, without a final newline.
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for j, row in enumerate(rows):
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if j == 0:
            out.append("-" * len(out[0]))
    return "\n".join(out)


def timing_table(run: RunResult) -> str:
    """Cycle-engine timing per layer: cycles, stalls by cause, active PEs, PE-cycle utilisation, check."""
    from .sim.cycle import SPARSE_STALL_CAUSES, STALL_CAUSES

    timed = [r for r in run.layers if r.ok and r.timing is not None]
    causes = SPARSE_STALL_CAUSES if any("imbalance" in r.timing.stall_cycles for r in timed) else STALL_CAUSES
    cols = ["layer", "cycles", "compute", *(f"stall:{c}" for c in causes), "active PEs", "PE-cycle util",
            "ms", "verified"]
    rows = [cols]
    for r in timed:
        t = r.timing
        rows.append([r.layer.name, f"{t.cycles:,}", f"{t.compute_cycles:,}",
                     *(f"{t.stall_cycles.get(c, 0):,}" for c in causes), str(r.active_pes),
                     _fraction(_pe_cycle_util([r])), f"{t.seconds * 1e3:.2f}", "yes" if t.verified else "NO"])
    ok = all(r.timing.verified for r in run.layers if r.ok and r.timing is not None)
    text = ("cycle-level timing (PE-cycle util = busy PE-cycles / all PE-cycles)\n" + align_table(rows) + "\n"
            + ("verified: output matches reference" if ok else "verified: OUTPUT DIFFERS FROM REFERENCE"))
    wrapped = sum(r.timing.psum_overflows for r in run.layers if r.ok and r.timing is not None)
    if wrapped:
        text += (f"\npsum overflow: {wrapped:,} outputs do not fit the accumulator's psum_bits and wrapped "
                 "(two's complement; the reference is wrapped alike)")
    return text


def sparse_table(run: RunResult) -> str | None:
    """The sparse PE's work per layer (``LayerResult.sparse``), or ``None`` when no layer has it:
    effective MACs (done), skipped for a zero iact or weight, empty columns, SIMD padding, the
    cycles of iact columns with nothing to issue (bubbles), the
    busiest and mean PE's issue cycles and the PE-cycles lost to imbalance."""
    layers = [r for r in run.layers if r.ok and r.sparse is not None]
    if not layers:
        return None
    rows = [["layer", "MACs", "effective", "zero iact", "zero weight", "empty cols", "SIMD pad", "bubbles",
             "PE cycles max", "PE cycles mean", "imbalance PE-cycles", "kind"]]
    for r in layers:
        w = r.sparse
        rows.append([r.layer.name, f"{w.macs:,}", f"{w.effective_macs:,} ({w.effective_macs / max(w.macs, 1):.1%})",
                     f"{w.zero_iact_macs:,}", f"{w.zero_weight_macs:,}", f"{w.empty_columns:,}",
                     f"{w.simd_pad_slots:,}", f"{w.bubble_cycles:,}", f"{w.pe_cycles_max:,}",
                     f"{w.pe_cycles_mean:,.1f}",
                     f"{w.imbalance_cycles:,}", "expected" if w.expected else "measured"])
    simd = sorted({r.sparse.simd for r in layers})
    return (f"sparse PE (SIMD {', '.join(map(str, simd))}: zeros skipped, not gated; counts stay dense, ALU and "
            "RF iact/filter energy charged on what the PE does)\n" + align_table(rows))


def network_text(run: RunResult) -> str | None:
    """The whole network's inferences per second (its layers one after another at the clock) and,
    with energy in pJ, inferences per joule; ``None`` when neither is known."""
    per_s, per_j = run.inferences_per_s(), run.inferences_per_j()
    if per_s is None and per_j is None:
        return None
    parts = [f"{per_s:,.1f} inferences/s ({run.seconds() * 1e3:.3f} ms for batch {run.batch})"
             if per_s is not None else "inferences/s unknown"]
    parts.append(f"{per_j:,.1f} inferences/J" if per_j is not None else "inferences/J needs energy in pJ")
    return "network: " + ", ".join(parts)


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
    rows.append(["total", f"{seconds * 1e3:.2f}", f"{total_pj / seconds * 1e-9:.1f}",
                 f"{chip_pj / seconds * 1e-9:.1f}"])
    return "average power (energy in pJ over the layer's cycles; on chip = without DRAM)\n" + align_table(rows)


# --------------------------------------------------------------------------- Timeloop's semantics
#: where each Timeloop count can part from accelsim's, by (quantity, data space): the rules of
#: docs/architecture.md, *Counting semantics*
_RULES = {
    ("reads", "Weights"): "multicast",
    ("reads", "Inputs"): "multicast, halo, bbox",
    ("reads", "Outputs"): "first-read elision",
    ("fills", "Weights"): "fills",
    ("fills", "Inputs"): "halo, bbox",
    ("fills", "Outputs"): "psum fills",
    ("updates", "Outputs"): "reduction",
}
#: the rule labels of :data:`_RULES`, spelt out
_RULE_TEXT = {
    "multicast": "Timeloop multicasts only identical deltas (same tile offset); accelsim the union per step",
    "halo": "Timeloop keeps a sliding window's overlap only under its era's halo rule",
    "bbox": "Timeloop's tiles are bounding boxes (holes of strided tiles counted)",
    "first-read elision": "Timeloop: psum reads = updates - partition; accelsim: U - W per residence",
    "psum fills": "Timeloop counts psums coming back down as fills (2024: but the first arrival); accelsim none",
    "fills": "fills per child instance",
    "reduction": "spatial reduction and psum residences",
    "register": "a one-word register under the RF is a Timeloop level of its own; accelsim's accounting has none "
                "(the MAC reads the RF at every MAC)",
}


def timeloop_table(name: str, stats) -> str:
    """Timeloop's stats of one layer (a :class:`~accelsim.sim.timeloop_semantics.TimeloopStats`)
    as ``stats.txt`` lists them: per storage level (innermost first) and data space, the
    partition size and utilized capacity (words), utilized instances, and scalar reads, fills
    and updates per instance; then the same counts over all utilized instances."""
    energy = "-" if stats.energy_pj is None else f"{stats.energy_pj:,.2f} pJ"
    head = (f"{name}: Timeloop semantics {stats.semantics.value} | {stats.macs:,} MACs | "
            f"{stats.utilized_pes} utilized PEs | cycles {stats.cycles:,} (MACs per utilized PE) | energy {energy}")
    rows = [["level", "data space", "partition", "utilized cap.", "instances", "reads", "fills", "updates",
             "total reads", "total fills", "total updates"]]
    for level, spaces in reversed(stats.levels):
        for space, s in spaces:
            n = s.instances
            rows.append([level, space, f"{s.partition_size:,}", f"{s.utilized_capacity:,}", f"{n:,}",
                         f"{s.reads:,}", f"{s.fills:,}", f"{s.updates:,}", f"{s.reads * n:,}", f"{s.fills * n:,}",
                         f"{s.updates * n:,}"])
    return head + "\n" + align_table(rows)


def semantics_table(result: LayerResult, stats) -> str:
    """Both accountings of one layer side by side: per Timeloop level and data space, Timeloop's
    reads, fills and updates over all instances next to accelsim's counts at the place that
    level is in accelsim (DRAM, GLB or RF; accelsim's writes of a level are its fills), and, where
    they differ, the rules that make them differ (docs/architecture.md, *Counting semantics*).
    Fan-out levels keep nothing; accelsim's NoC deliveries have no Timeloop counterpart."""
    from .layout import READS, UPDATES, WRITES
    from .sim.timeloop_semantics import SPACES, nest_levels

    place = {lv.name: lv.place for lv in nest_levels(result.mapping)}
    registers = {lv.name for lv in nest_levels(result.mapping) if lv.register}
    rows = [["level", "accelsim", "data space", "reads TL", "reads ours", "fills TL", "fills ours", "updates TL",
             "updates ours", "why they differ"]]
    counts = result.counts
    n_diff = 0
    used: set[str] = set()
    for level, spaces in reversed(stats.levels):
        lv = place.get(level)
        for space, s in spaces:
            t = SPACES[space]
            n = s.instances
            theirs = {"reads": s.reads * n, "fills": s.fills * n, "updates": s.updates * n}
            if lv is None or counts is None:
                ours = dict.fromkeys(theirs)
            else:
                psum = t is DataType.PSUM
                outermost = lv is Level.DRAM
                ours = {"reads": int(counts[lv, t, READS]),
                        "fills": None if psum or outermost else int(counts[lv, t, WRITES]),
                        "updates": int(counts[lv, t, UPDATES]) if psum else 0}
            why = [_RULES.get((q, space), "") for q in theirs
                   if (ours[q] is not None and theirs[q] != ours[q]) or (ours[q] is None and theirs[q])]
            if level in registers:
                why = ["register"]
            n_diff += bool(why)
            labels = [w for w in why if w]
            used.update(k.strip() for w in labels for k in w.split(","))
            rows.append([level, lv.label if lv is not None else "register" if level in registers else "-", space,
                         *(x for q in theirs for x in (f"{theirs[q]:,}", "-" if ours[q] is None else f"{ours[q]:,}")),
                         "; ".join(labels) or "-"])
    unit = _UNIT_LABEL.get(result.energy_unit, result.energy_unit)
    energy = "-" if stats.energy_pj is None else f"{stats.energy_pj:,.2f} pJ"
    noc = (int(sum(int(charged_words(counts, Level.NOC, t)) for t in DataType)) if counts is not None else 0)
    head = (f"{result.layer.name}: {stats.semantics.value} (TL) vs accelsim (ours), totals over instances; "
            f"{n_diff} of {len(rows) - 1} rows differ")
    foot = (f"cycles: TL {stats.cycles:,} (MACs per utilized PE) | ours {result.cycles:,} ({result.engine} engine)\n"
            f"energy: TL {energy} | ours {_fmt_energy(result.energy_total)} ({unit}, accelsim's accounting)\n"
            f"NoC: ours {noc:,} words delivered into PEs; Timeloop's stats have no network counts here")
    legend = "".join(f"\n  {k}: {_RULE_TEXT[k]}" for k in _RULE_TEXT if k in used)
    return head + "\n" + align_table(rows) + ("\nwhy (docs/architecture.md, Counting semantics):" + legend
                                                if legend else "") + "\n" + foot


def timeloop_compare_table(views) -> str:
    """One row per run of ``compare --semantics``: Timeloop's cycles and energy next to
    accelsim's over the layers that ran (``views``: :class:`~accelsim.drivers.semantics.SemanticsRun`)."""
    rows = [["dataflow", "hardware", "semantics", "cycles TL", "cycles ours", "energy TL (pJ)", "energy ours",
             "DRAM words TL", "DRAM words ours"]]
    for view in views:
        run, done = view.run, [(r, s) for r, s in zip(view.run.layers, view.stats) if s is not None]
        if not done:
            rows.append([run.dataflow, run.hardware, view.semantics.value, *("-" for _ in range(6))])
            continue
        energies = [s.energy_pj for _, s in done]
        tl_energy = "-" if any(e is None for e in energies) else f"{sum(energies):,.1f}"
        tl_dram = sum(x.reads * x.instances + x.fills * x.instances + x.updates * x.instances
                      for _, s in done for x in (st for _, st in s.levels[0][1]))
        ours_dram = sum(int(charged_words(r.counts, Level.DRAM, t)) for r, _ in done for t in DataType)
        unit = _UNIT_LABEL.get(run.energy_unit, run.energy_unit)
        rows.append([run.dataflow, run.hardware, view.semantics.value, f"{sum(s.cycles for _, s in done):,}",
                     f"{sum(r.cycles for r, _ in done):,}", tl_energy,
                     f"{sum(r.energy_total for r, _ in done):.3e} ({unit})", f"{tl_dram:,}", f"{ours_dram:,}"])
    return ("Timeloop's semantics (TL) vs accelsim's (ours) over the layers that ran; DRAM words: TL reads + "
            "fills + updates of the outermost level, ours charged DRAM accesses\n" + align_table(rows))
