"""Property tests of the Timeloop importer (issue 15, acceptance): random Timeloop designs
(:mod:`timeloop_designs`: two-level, three-level and Eyeriss-like architectures in the v0.2, v0.3
and v0.4 formats, CNN layers and 1-D convolutions, random factors, loop orders, splits and
keep / bypass), imported with ``accelsim import timeloop``'s reader and loaded back from the files
it writes, run as the equivalent hand-built accelsim nest does:

1. the imported layer, array and nest give the same counts, energy and cycles as the hand-built
   mapping on the analytic engine (accelsim's default accounting), and those counts are the
   enumerating reference counter's;
2. the cycle engine runs the imported mapping with real data: its output is the reference
   convolution and its counts are the analytic engine's;
3. under a Timeloop semantics (``--semantics``, :mod:`accelsim.drivers.semantics`) both engines'
   result documents carry the same Timeloop record and cycles (by construction: the record is
   computed from the nest the engine ran) and the same accelsim accesses, and Timeloop's cycles
   are the MACs per utilized PE.
"""

from __future__ import annotations

import itertools
import math
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from reference_counter import reference_counts
from timeloop_cases import load_import
from timeloop_designs import Design, designs

from accelsim.drivers.semantics import with_semantics
from accelsim.drivers.simulate import simulate, simulate_network
from accelsim.spec.layer import Workload
from accelsim.io.timeloop import import_timeloop
from accelsim.io.timeloop_problem import SPACE_NAMES
from accelsim.sim.timeloop_semantics import Semantics, timeloop_stats
from accelsim.spec.dims import DataType, Dim

_N = int(os.environ.get("TIMELOOP_EXAMPLES", "40"))
PROPS = settings(max_examples=_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=max(1, _N // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def imported(design: Design):
    """Write the design's three files, import them, write accelsim's files and load them back:
    ``(layer, hardware, mapping, TimeloopImport)``."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = {}
        for name, text in (("arch", design.arch), ("prob", design.problem), ("map", design.mapping_text)):
            paths[name] = root / f"{name}.yaml"
            paths[name].write_text(text, encoding="utf-8")
        res = import_timeloop(str(paths["arch"]), str(paths["prob"]), str(paths["map"]))
        layer, hw, mappings = load_import(res, root / "out")
        return layer, hw, mappings[layer.name], res


def _why(design: Design) -> str:
    return (f"\n{design.kind} v{design.version} {design.bounds} U={design.stride} {design.rows}x{design.cols}\n"
            f"{design.arch}\n{design.problem}\n{design.mapping_text}")


@PROPS
@given(design=designs())
def test_imported_design_counts_as_the_hand_built_nest(design):
    layer, hw, mapping, res = imported(design)
    why = _why(design) + f"\nimported {mapping.describe()}\nhand-built {design.mapping().describe()}"
    want = design.layer()
    assert layer.shape_dict() == want.shape_dict(), why
    assert (hw.pe_rows, hw.pe_cols) == (design.rows, design.cols), why
    assert mapping.active_pes == design.active_pes, why
    assert [(lv.name, lv.place.value) for lv in res.mapping.levels] == [(lv.name, lv.place) for lv in design.levels]
    ours = simulate(layer, hw, "rs", "analytic", mapping=mapping)
    hand = simulate(want, hw, "rs", "analytic", mapping=design.mapping())
    assert np.array_equal(ours.counts, hand.counts), why + f"\nimported\n{ours.counts}\nhand-built\n{hand.counts}"
    assert (ours.energy_total, ours.cycles, ours.active_pes) == (hand.energy_total, hand.cycles, hand.active_pes)
    assert ours.macs == layer.macs


@FEW
@given(design=designs())
def test_imported_counts_equal_the_reference_counter(design):
    layer, hw, mapping, _ = imported(design)
    ours = simulate(layer, hw, "rs", "analytic", mapping=mapping)
    counts, _, macs = reference_counts(layer, mapping, 0)
    assert macs == layer.macs
    assert np.array_equal(ours.counts, counts), _why(design) + f"\nkernel\n{ours.counts}\nreference\n{counts}"


@FEW
@given(design=designs())
def test_cycle_engine_runs_the_imported_mapping(design):
    layer, hw, mapping, _ = imported(design)
    analytic = simulate(layer, hw, "rs", "analytic", mapping=mapping)
    cycle = simulate(layer, hw, "rs", "cycle", mapping=mapping)
    why = _why(design)
    assert cycle.timing.verified, why
    assert cycle.timing.counts_match_analytic, why
    assert np.array_equal(cycle.counts, analytic.counts), why + f"\ncycle\n{cycle.counts}\nanalytic\n{analytic.counts}"
    assert cycle.macs == layer.macs and cycle.active_pes == analytic.active_pes


@FEW
@given(design=designs())
def test_both_engines_carry_one_timeloop_record(design):
    layer, hw, mapping, _ = imported(design)
    workload = Workload(name="w", layers=(replace(layer, N=1),))
    docs = {}
    for engine in ("analytic", "cycle"):
        run = simulate_network(workload, hw, "rs", engine, batch=layer.N, mappings={layer.name: mapping})
        docs[engine] = with_semantics(run, hw, Semantics.TIMELOOP_2024).to_dict()["layers"][0]
    a, c = docs["analytic"], docs["cycle"]
    why = _why(design)
    assert a["timeloop"] == c["timeloop"] and a["cycles"] == c["cycles"], why
    assert a["accesses"] == c["accesses"] and c["timing"]["verified"], why
    assert a["cycles"] * a["timeloop_utilized_pes"] == layer.macs, why
    assert a["timeloop_utilized_pes"] == design.active_pes, why


# --------------------------------------------------------------------------- register levels
def _word(t: DataType, c: dict, stride: int) -> tuple:
    """The word of data type ``t`` a MAC at coordinates ``c`` uses (Timeloop's ranks: the ifmap
    row and column are ``e·U + r`` and ``f·U + s``)."""
    if t is DataType.FILTER:
        return c[Dim.G], c[Dim.M], c[Dim.C], c[Dim.R], c[Dim.S]
    if t is DataType.IFMAP:
        return c[Dim.G], c[Dim.N], c[Dim.C], c[Dim.E] * stride + c[Dim.R], c[Dim.F] * stride + c[Dim.S]
    return c[Dim.G], c[Dim.N], c[Dim.M], c[Dim.E], c[Dim.F]


def _word_runs(mapping, layer, t: DataType, upto: int) -> int:
    """Enumerated: the runs of equal words of ``t`` along the steps of the temporal loops above
    loop ``upto`` (outer first; spatial loops at index 0) — the times a one-word holder's word
    changes, its first word included."""
    loops = mapping.loops
    temporal = [j for j in range(upto) if not loops[j].spatial]
    inner = [math.prod(lp.factor for lp in loops[j + 1:] if lp.dim == loops[j].dim) for j in range(len(loops))]
    runs, prev = 0, None
    for idx in itertools.product(*(range(loops[j].factor) for j in temporal)):
        c = dict.fromkeys(Dim, 0)
        for i, j in zip(idx, temporal):
            c[loops[j].dim] += i * inner[j]
        word = _word(t, c, layer.U)
        runs += word != prev
        prev = word
    return runs


def _without(mapping, name: str):
    """The mapping with Timeloop level ``name`` keeping nothing (its data go straight through)."""
    levels = [dict(lv, keeps=[]) if lv["name"] == name else dict(lv) for lv in mapping.notes["timeloop_levels"]]
    return replace(mapping, notes=dict(mapping.notes, timeloop_levels=levels))


def _has_register(design: Design) -> bool:
    return any(lv.place == "register" for lv in design.levels)


@PROPS
@given(design=designs(kinds=("registers",)).filter(_has_register))
def test_a_register_level_counts_its_words_changes(design):
    """A one-word register under the RF keeper of its data space (the 2020-baseline-simple_*
    designs), under each Timeloop era: it serves every MAC (reads, or Outputs updates = MACs per
    PE); it is filled once per run of equal words along the steps above it — enumerated here —
    under the 2020 rule, at least that often under the 2022/2025 translation rules (a stationary
    step after a move refetches); the RF keeper above it serves exactly its fills (reads; Outputs:
    updates = arrivals); and every other level and data space counts as if the register kept
    nothing."""
    layer, _, mapping, res = imported(design)
    spans = dict(zip((lv.name for lv in res.mapping.levels), res.mapping.spans()))
    why = _why(design)
    for reg in (lv for lv in res.mapping.levels if lv.place.value == "register"):
        (t,) = reg.keeps
        space = SPACE_NAMES[t]
        rf = [lv.name for lv in res.mapping.levels[:res.mapping.levels.index(reg)] if t in lv.keeps][-1]
        runs = _word_runs(mapping, layer, t, spans[reg.name][0])
        for era in (Semantics.TIMELOOP_2020, Semantics.TIMELOOP_2024, Semantics.TIMELOOP_2025):
            got = timeloop_stats(layer, None, mapping, era)
            plain = timeloop_stats(layer, None, _without(mapping, reg.name), era)
            r, above = got.get(reg.name, space), got.get(rf, space)
            per_pe = layer.macs // got.utilized_pes
            assert r.utilized_capacity == 1 and r.instances == got.utilized_pes, why
            arrivals = r.fills + (r.partition_size if (t is DataType.PSUM and era.elides_first_psum_fill) else 0)
            if t is DataType.PSUM:
                assert (r.updates, r.reads) == (per_pe, per_pe - r.partition_size), why
                assert above.updates == arrivals and above.reads == arrivals - above.partition_size, why
            else:
                assert (r.reads, r.updates) == (per_pe, 0) and above.reads == arrivals, why
            assert arrivals == runs if era is Semantics.TIMELOOP_2020 else arrivals >= runs, (why, era, runs)
            others = {(lv, sp): s for lv, sps in got.levels for sp, s in sps if (lv, sp) not in
                      ((reg.name, space), (rf, space))}
            assert others == {(lv, sp): s for lv, sps in plain.levels for sp, s in sps if (lv, sp) != (rf, space)}, why
            p = plain.get(rf, space)
            assert (above.partition_size, above.utilized_capacity, above.instances, above.fills) == (
                p.partition_size, p.utilized_capacity, p.instances, p.fills), why
