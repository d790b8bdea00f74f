"""Timeloop's counting semantics (issue 15, part 2): ``accelsim.sim.timeloop_semantics``.

Every importable Timeloop reference case (``tests/timeloop_cases.py``: facts restated from
``timeloop-cases/<folder>``, each citing its folder) is written as Timeloop YAML, imported with
the real importer, loaded back as accelsim files and counted under the case's era; every
per-level, per-data-space number of its stats (partition size, utilized capacity, utilized
instances, scalar reads, fills, updates, per instance), the MACs and the cycles must be
**equal**; the energy within 1 % of the printed energies (they are printed to 0.01 pJ, and
leakage, below 0.1 % here, is not modelled).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelsim.errors import MappingError
from accelsim.io.timeloop import import_timeloop
from accelsim.sim.counting import count_mapping
from accelsim.sim.timeloop_semantics import (HaloRule, Semantics, _step, _walk_words, nest_levels,
                                             timeloop_stats)
from accelsim.spec.dims import DataType, Dim, LoopKind
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping
from tests.timeloop_cases import BY_FOLDER, CASES, load_import, write_case

# --------------------------------------------------------------------------- the reference cases


def _imported(case, tmp_path):
    """Import the case's Timeloop files, write the accelsim files, load them back."""
    paths = write_case(case, tmp_path / "timeloop")
    res = import_timeloop(str(paths["arch"]), str(paths["problem"]), str(paths["mapping"]), str(paths["ert"]))
    layer, hw, mappings = load_import(res, tmp_path / "accelsim")
    return layer, hw, mappings[layer.name]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_counts_equal_timeloops(case, tmp_path):
    layer, hw, mapping = _imported(case, tmp_path)
    t0 = time.perf_counter()
    stats = timeloop_stats(layer, hw, mapping, Semantics(case.semantics))
    took = time.perf_counter() - t0
    got = {(lv, sp): (s.partition_size, s.utilized_capacity, s.instances, s.reads, s.fills, s.updates)
           for lv, spaces in stats.levels for sp, s in spaces}
    assert got == case.expect
    assert stats.macs == case.macs == layer.macs
    assert stats.cycles == case.cycles
    assert stats.energy_pj == pytest.approx(case.energy_pj, rel=0.01)
    assert took < 5.0  # a whole layer is milliseconds (a walk per level and data space, memoised)


def test_every_importable_case_is_covered():
    """29 of the 31 folders: the 2 others are refused by the importer (timeloop_cases.py docstring)."""
    assert len(CASES) == 29
    assert sum(len(c.expect) for c in CASES) == 200  # (level, data space) rows, 6 numbers each: 1,200 numbers


def test_bandwidth_throttled_case_reports_compute_cycles(tmp_path):
    """The 2019 eyeriss256 run (V5) prints 333,971,456 summary cycles: its MAC level's
    308,281,344 compute cycles throttled by a bandwidth limit, which is not modelled; the
    count we give is the MAC level's (MACs per utilized PE)."""
    case = BY_FOLDER["2019-exercises-06-mapper-eyeriss256-cnn-layer"]
    layer, hw, mapping = _imported(case, tmp_path)
    stats = timeloop_stats(layer, hw, mapping, Semantics.TIMELOOP_2020)
    assert stats.cycles == case.cycles == 308_281_344 != case.summary_cycles


# --------------------------------------------------------------------------- the era switches
@pytest.mark.parametrize("folder, level, space, field, other, value", [
    # psum-fill elision: every arrival (2020) vs arrivals - partition (2024); SEMANTICS.md §3.5
    ("2024-ispass-01-conv1d-2level-os", "Buffer", "Outputs", 4, "timeloop-2020", 16),
    ("2020-exercises-01-conv1d-2level-os", "Buffer", "Outputs", 4, "timeloop-2024", 0),
    ("2020-baseline-eyeriss_like-alexnet-layer1", "psum_spad", "Outputs", 4, "timeloop-2024", 48_400),
    # the halo rule: V1 DRAM Inputs, 2022 rule 157,296 vs gradient / 2025 rule 156,600 (§3.4)
    ("2024-example-eyeriss_like-default_problem", "DRAM", "Inputs", 3, "timeloop-2025", 156_600),
    ("2024-ispass-06-mapper-eyeriss-vgg02-layer5", "DRAM", "Inputs", 3, "timeloop-2025", 475_136),
])
def test_switching_the_era_changes_exactly_the_documented_numbers(tmp_path, folder, level, space, field, other,
                                                                   value):
    case = BY_FOLDER[folder]
    layer, hw, mapping = _imported(case, tmp_path)
    stats = timeloop_stats(layer, hw, mapping, Semantics(other))
    got = stats.get(level, space)
    assert (got.partition_size, got.utilized_capacity, got.instances, got.reads, got.fills, got.updates)[field] == value
    assert case.expect[level, space][field] != value


def test_accelsim_semantics_is_the_engines():
    layer = ConvLayer(name="l", M=2, C=2, H=4, W=4, R=3, S=3)
    mapping = Mapping(loops=tuple(Loop(d, f) for d, f in zip(Dim, layer.loop_bounds()) if f > 1))
    with pytest.raises(ValueError, match="engines"):
        timeloop_stats(layer, None, mapping, Semantics.ACCELSIM)


# --------------------------------------------------------------------------- the halo rules, by hand
def test_halo_rules_on_a_sliding_window():
    """A 3-wide window over 16 positions (micro case 01): 3 + 15 x 1 in every era; swept 32
    times with a wrap in between (micro case 02): the wrap refetches the whole window."""
    for rule in HaloRule:
        assert _walk_words(rule, (3,), (16,), ((1,),)) == 18
        assert _walk_words(rule, (3,), (32, 16), ((0,), (1,))) == 32 * 18


def test_a_stationary_step_before_a_move():
    """M (no move) inside Q (a one-row overlap of a 3 x 4 tile): the 2022 rule remembers the
    zero translation and refetches at every Q step; the gradient and 2025 rules keep the halo."""
    size, bounds, vecs = (3, 4), (2, 4), ((2, 0), (0, 0))  # Q moves 2 rows (1 row overlaps), M does not move
    full = 12
    assert _walk_words(HaloRule.TRANSLATION_2022, size, bounds, vecs) == 2 * full
    assert _walk_words(HaloRule.GRADIENT, size, bounds, vecs) == full + (full - 4)
    assert _walk_words(HaloRule.TRANSLATION_2025, size, bounds, vecs) == full + (full - 4)


def test_gradient_rule_forgets_on_a_turn():
    assert _step(HaloRule.GRADIENT, (4,), (1,), None) == (1, (0, True))
    assert _step(HaloRule.GRADIENT, (4,), (-1,), (0, True)) == (4, None)  # another sign: the whole tile
    assert _step(HaloRule.GRADIENT, (4, 4), (1, 1), None) == (16, None)  # two axes: the whole tile


# --------------------------------------------------------------------------- hand-built mappings
def _random_case(draw):
    """A random layer and a random mapping: every dimension's bound split in up to three
    factors over DRAM / GLB / spatial / RF places, random GLB and RF residences."""
    R = draw(st.integers(1, 3))
    S = draw(st.integers(1, 3))
    E = draw(st.integers(1, 4))
    F = draw(st.integers(1, 4))
    U = draw(st.sampled_from([1, 1, 2]))
    layer = ConvLayer(name="l", N=draw(st.integers(1, 2)), M=draw(st.sampled_from([1, 2, 4])),
                      C=draw(st.sampled_from([1, 2, 3])), H=(E - 1) * U + R, W=(F - 1) * U + S, R=R, S=S, U=U)
    bounds = layer.loop_bounds()
    outer, array, inner = [], [], []
    for d in Dim:
        b = bounds[d]
        if b == 1:
            continue
        divs = [k for k in range(1, b + 1) if b % k == 0]
        f_in = draw(st.sampled_from(divs))
        rest = b // f_in
        f_sp = draw(st.sampled_from([k for k in range(1, rest + 1) if rest % k == 0]))
        f_out = rest // f_sp
        if f_out > 1:
            outer.append(Loop(d, f_out))
        if f_sp > 1:
            array.append(Loop(d, f_sp, draw(st.sampled_from([LoopKind.ROW, LoopKind.COL]))))
        if f_in > 1:
            inner.append(Loop(d, f_in))
    outer = draw(st.permutations(outer))
    inner = draw(st.permutations(inner))
    cut = draw(st.integers(0, len(outer)))
    loops = tuple(outer) + tuple(array) + tuple(inner)
    first_rf = len(outer) + len(array)
    glb = tuple(draw(st.sampled_from([None, cut])) for _ in DataType)
    rf = tuple(draw(st.sampled_from([None, first_rf + draw(st.integers(0, len(inner)))])) for _ in DataType)
    return layer, Mapping(loops=loops, glb=glb, rf=rf, dataflow="rs")


@st.composite
def random_cases(draw):
    return _random_case(draw)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(random_cases(), st.sampled_from([Semantics.TIMELOOP_2020, Semantics.TIMELOOP_2024, Semantics.TIMELOOP_2025]))
def test_macs_instances_and_tiles_agree_with_accelsims_counts(case, semantics):
    """On hand-built mappings (levels cut at the residences): MACs, utilized PEs and cycles are
    accelsim's; every GLB and RF keeper's tile is accelsim's tile of that type (the ifmap at
    stride 1: Timeloop counts the holes of a strided tile, accelsim does not); a kept level's
    utilized instances are the PEs under it (RF) or 1."""
    layer, mapping = case
    stats = timeloop_stats(layer, None, mapping, semantics)
    counts = count_mapping(mapping, layer, 0)
    assert stats.macs == counts.macs == layer.macs
    assert stats.utilized_pes == mapping.active_pes
    assert stats.cycles == counts.compute_steps
    for lv in nest_levels(mapping):
        for space_name, s in dict(stats.levels).get(lv.name, ()):
            t = {"Inputs": DataType.IFMAP, "Weights": DataType.FILTER, "Outputs": DataType.PSUM}[space_name]
            if lv.name.startswith("GLB"):
                row, inst = 0, 1
            elif lv.name.startswith("RF"):
                row, inst = 1, mapping.active_pes
            else:
                continue
            assert s.instances == inst
            if t is not DataType.IFMAP or layer.U == 1:
                assert s.utilized_capacity == int(counts.usage[row][t]), (lv.name, space_name)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(random_cases(), st.sampled_from([Semantics.TIMELOOP_2020, Semantics.TIMELOOP_2024]))
def test_conservation_on_hand_built_mappings(case, semantics):
    """Every level's Outputs updates cover every output element (updates ≥ its partition);
    reads of read-only data at the outermost level cover the tensor; the innermost keepers
    serve every MAC step (reads or updates = MACs per instance; with spatial loops below the
    keeper, multicast saves at most the fan-out)."""
    layer, mapping = case
    stats = timeloop_stats(layer, None, mapping, semantics)
    rows = dict(stats.levels)
    dram = dict(rows["DRAM"])
    words = layer.tensor_words()
    assert dram["Weights"].reads >= words[DataType.FILTER]
    assert dram["Inputs"].reads >= words[DataType.IFMAP] or layer.U > layer.R or layer.U > layer.S
    assert dram["Outputs"].updates >= words[DataType.PSUM]
    assert dram["Outputs"].reads == dram["Outputs"].updates - words[DataType.PSUM]
    for space in ("Weights", "Inputs", "Outputs"):
        innermost = [name for name, spaces in stats.levels if space in dict(spaces)][-1]
        s = dict(rows[innermost])[space]
        served = s.updates if space == "Outputs" else s.reads
        if s.instances == stats.utilized_pes:  # one MAC below each instance: one word per MAC
            assert served == stats.macs // s.instances
        else:  # spatial loops below it: multicast (Outputs: spatial reduction) can only save words
            assert stats.cycles <= served <= stats.macs // s.instances


def test_derived_levels_of_a_hand_built_mapping():
    """DRAM, one GLB level per distinct GLB start, a NoC level where temporal loops follow the
    spatial ones, one RF level per distinct RF start."""
    loops = (Loop(Dim.M, 2), Loop(Dim.C, 2), Loop(Dim.E, 2, LoopKind.ROW), Loop(Dim.F, 2), Loop(Dim.R, 3),
             Loop(Dim.S, 3))
    mapping = Mapping(loops=loops, glb=(1, None, 1), rf=(4, 5, 4), dataflow="rs")
    got = [(lv.name, sorted(t.label for t in lv.keeps), lv.first, lv.spatial, lv.end) for lv in nest_levels(mapping)]
    assert got == [("DRAM", ["filter", "ifmap", "psum"], 0, 1, 1), ("GLB", ["ifmap", "psum"], 1, 2, 3),
                   ("NoC", [], 3, 4, 4), ("RF[ifmap,psum]", ["ifmap", "psum"], 4, 5, 5),
                   ("RF[filter]", ["filter"], 5, 6, 6)]


def test_flattened_and_padded_mappings_are_refused():
    layer = ConvLayer(name="l", M=3, C=1, H=3, W=3, R=3, S=3)
    padded = Mapping(loops=(Loop(Dim.M, 2), Loop(Dim.M, 2), Loop(Dim.R, 3), Loop(Dim.S, 3)), dataflow="rs")
    with pytest.raises(MappingError, match="perfect factorisation"):
        timeloop_stats(layer, None, padded, Semantics.TIMELOOP_2024)


def test_record_shape():
    layer = ConvLayer(name="l", M=2, C=1, H=3, W=3, R=3, S=3)
    mapping = Mapping(loops=(Loop(Dim.M, 2), Loop(Dim.R, 3), Loop(Dim.S, 3)), glb=(1, 1, 1), rf=(None,) * 3,
                      dataflow="rs")
    rec = timeloop_stats(layer, None, mapping, Semantics.TIMELOOP_2024).to_record()
    assert list(rec) == ["DRAM", "GLB"]
    assert list(rec["GLB"]) == ["Weights", "Inputs", "Outputs"]
    assert set(rec["GLB"]["Outputs"]) == {"reads", "fills", "updates", "instances", "partition_size",
                                          "utilized_capacity"}


def test_a_register_has_no_energy_without_the_designs_prices(tmp_path):
    """Case 2020-baseline-simple_weight_stationary: with the ERT's prices in the mapping's notes the
    energy is Timeloop's; without them accelsim's imported per-type table (pJ) has no price for
    the register level weight_reg, so there is no Timeloop energy rather than one without it."""
    from dataclasses import replace

    case = BY_FOLDER["2020-baseline-simple_weight_stationary-alexnet-layer1"]
    layer, hw, mapping = _imported(case, tmp_path)
    assert timeloop_stats(layer, hw, mapping, Semantics.TIMELOOP_2020).energy_pj == pytest.approx(case.energy_pj,
                                                                                                 rel=1e-9)
    bare = replace(mapping, notes={k: v for k, v in mapping.notes.items() if k != "timeloop_energy"})
    assert hw.energy.unit.value == "pj"
    assert timeloop_stats(layer, hw, bare, Semantics.TIMELOOP_2020).energy_pj is None
    # the same design with the register keeping nothing is priced by that table
    levels = [dict(lv, keeps=[]) if lv["name"] == "weight_reg" else lv for lv in bare.notes["timeloop_levels"]]
    plain = replace(bare, notes=dict(bare.notes, timeloop_levels=levels))
    assert timeloop_stats(layer, hw, plain, Semantics.TIMELOOP_2020).energy_pj > 0
