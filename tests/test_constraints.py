"""Partial-mapping constraints (``--constraints FILE``): pinned factors, loop orders, spatial
assignment, bypass per level and a minimum PE utilisation, honoured by the mapper."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelsim.cli.main import main
from accelsim.dataflows import template
from accelsim.errors import InfeasibleError
from accelsim.search.mapper import Budget, Objective, best_mapping
from accelsim.sim.counting import count_mapping
from accelsim.spec.constraints import FactorPin, KeepPin, MappingConstraints, OrderPin
from accelsim.spec.dims import Place, TileLevel
from accelsim.spec.dims import DataType, Dim, LoopKind
from accelsim.spec.hardware import Buffer, Hardware
from accelsim.spec.layer import ConvLayer
from reference_counter import reference_counts

DATAFLOWS = ("rs", "ws", "osa", "osb", "osc", "nlr", "sys-ws", "sys-os", "sys-is")
# a small machine with room to spare, so most random nests fit and constraints rarely starve the search
HW = Hardware(name="small", pe_rows=4, pe_cols=4, rf=Buffer(shared_words=64), glb=Buffer(shared_words=4096))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_run_honours_constraints_file(tmp_path, capsys):
    # AlexNet CONV3 at batch 4 on eyeriss (12 x 14 PEs): the chip's own pass has 13 ofmap
    # columns (E = 13 on the array's columns, JSSC 2017 Table III e = 13); pin it, and ask for
    # at least half the PEs busy (the energy objective alone picks far fewer).
    cons = _write(tmp_path / "cons.yaml", """\
version: 1
dataflow: rs
workload: alexnet
layers:
  conv3:
    factors: {col: {E: 13}}
    permutation: {outer: [M, C, N]}
    keep: {glb: [psum]}
    min_utilization: 0.5
""")
    out = tmp_path / "r.json"
    saved = tmp_path / "maps.yaml"
    code = main(["run", "alexnet", "--layers", "conv3", "--batch", "4", "--constraints", str(cons),
                 "--json", str(out), "--save-mappings", str(saved)])
    err = capsys.readouterr().err
    assert code == 0, err
    layer = json.loads(out.read_text())["layers"][0]
    cols = [lp for lp in layer["mapping"]["loops"] if lp[2] == "col"]
    assert [lp for lp in cols if lp[0] == "E"] == [["E", 13, "col", "noc"]]
    outer = [lp[0] for lp in layer["mapping"]["loops"] if lp[2] == "temporal"][:3]
    ranks = [("M", "C", "N").index(d) for d in outer if d in "MCN"]
    assert ranks == sorted(ranks)  # only valid: RS has no outer loop of S, F, R
    assert layer["active_pes"] >= 0.5 * 168
    # the saved nest reruns as a plain mapping file with the same counts
    out2 = tmp_path / "r2.json"
    assert main(["run", "alexnet", "--layers", "conv3", "--batch", "4", "--mapping", str(saved),
                 "--json", str(out2)]) == 0
    assert json.loads(out2.read_text())["layers"][0]["accesses"] == layer["accesses"]


# ----------------------------------------------------------------------------- property: pins honoured
@st.composite
def tiny_layers(draw) -> ConvLayer:
    n = draw(st.integers(1, 2))
    m = draw(st.sampled_from([1, 2, 4, 6]))
    c = draw(st.sampled_from([1, 2, 3, 4]))
    r = draw(st.integers(1, 3))
    e = draw(st.integers(1, 4))
    return ConvLayer(name="t", N=n, M=m, C=c, R=r, S=r, U=1, H=e - 1 + r, W=e - 1 + r)


def _places(mapping) -> dict[Place, list] | None:
    """The mapping's loops by place; ``None`` when it has no spatial loop (then the boundary
    between outer and PE loops is not recorded in the nest)."""
    spatial = [i for i, lp in enumerate(mapping.loops) if lp.spatial]
    if not spatial:
        return None
    loops = mapping.loops
    return {Place.OUTER: list(loops[:spatial[0]]), Place.PE: list(loops[spatial[-1] + 1:]),
            Place.ROW: [lp for lp in loops if lp.kind is LoopKind.ROW],
            Place.COL: [lp for lp in loops if lp.kind is LoopKind.COL]}


def pins_of(mapping, tpl, draw) -> MappingConstraints:
    """A random subset of ``mapping``'s factors (per place, 1 where it has no loop), loop orders
    and residences, as constraints (each item's field names it)."""
    factors, orders, keeps = [], [], []
    places = _places(mapping)
    for place in Place:
        if places is None and place in (Place.OUTER, Place.PE):
            continue
        for d in Dim:
            if place.value not in tpl.places(d) or not draw(st.booleans()):
                continue
            if places is None:
                got = 1  # no spatial loop: every spatial factor is 1
            else:
                got = int(np.prod([lp.factor for lp in places[place] if lp.dim == d]))
            factors.append(FactorPin(place, d, got, f"factors.{place.value}.{d.name}"))
    for place in (Place.OUTER, Place.PE):
        if places is not None and draw(st.booleans()):
            dims = [lp.dim for lp in places[place]]
            keep = tuple(d for d in dims if draw(st.booleans()))
            orders.append(OrderPin(place, keep, f"permutation.{place.value}"))
    for level, starts in ((TileLevel.GLB, mapping.glb), (TileLevel.RF, mapping.rf)):
        for t in DataType:
            if draw(st.booleans()):
                keeps.append(KeepPin(level, t, starts[t] is not None, f"{level.value}.{t.label}"))
    util = 0.0
    if draw(st.booleans()):
        util = mapping.active_pes / HW.num_pes
    return MappingConstraints(factors=tuple(factors), orders=tuple(orders), keeps=tuple(keeps),
                              min_utilization=util, utilization_field="min_utilization")


@settings(max_examples=40, deadline=None)
@given(layer=tiny_layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**31 - 1),
       objective=st.sampled_from(list(Objective)), data=st.data())
def test_mapper_meets_random_pins_of_a_legal_mapping(layer, dataflow, seed, objective, data):
    tpl = template(dataflow)
    try:  # a random legal mapping: the mapper's under a random seed, objective and tiny budget (a factorisation:
        # constraints pin the factorisation mapspace, so the systolic im2col candidates are left out)
        ref = best_mapping(layer, HW, dataflow, objective, Budget(samples=20, climb=5, starts=1, seed=seed),
                           flatten=False).mapping
    except InfeasibleError:  # nothing to pin
        return
    cons = pins_of(ref, tpl, data.draw)
    found = best_mapping(layer, HW, dataflow, Objective.ENERGY, Budget(samples=400, climb=100, starts=2, seed=seed + 1),
                         constraints=cons).mapping
    assert cons.violations(found, layer.loop_bounds(), HW.num_pes) == [], (cons, found.describe())
    window = 1 if tpl.window else 0
    ref_counts, ref_usage, ref_macs = reference_counts(layer, found, window)
    got = count_mapping(found, layer, window)
    assert got.macs == ref_macs
    assert np.array_equal(got.counts, ref_counts)
    assert np.array_equal(got.usage, ref_usage)


def test_violations_sees_a_broken_pin():
    # the property above would pass with a `violations` that always says []: check it can fail
    layer = ConvLayer(name="t", N=1, M=4, C=2, H=3, W=3, R=3, S=3)
    mapping = best_mapping(layer, HW, "rs").mapping
    rows = int(np.prod([lp.factor for lp in mapping.loops if lp.kind is LoopKind.ROW and lp.dim == Dim.R]))
    wrong = MappingConstraints(factors=(FactorPin(Place.ROW, Dim.R, rows + 1, "factors.row.R"),),
                               keeps=(KeepPin(TileLevel.RF, DataType.PSUM, mapping.rf[DataType.PSUM] is None,
                                              "keep.rf"),),
                               min_utilization=1.0, utilization_field="min_utilization")
    assert wrong.violations(mapping, layer.loop_bounds(), 10**6) == ["keep.rf", "factors.row.R", "min_utilization"]


# ----------------------------------------------------------------------------- impossible constraints
CONV3 = """\
version: 1
workload: alexnet
layers:
  conv3:
"""


@pytest.mark.parametrize("entry, field, words", [
    # AlexNet CONV3: E = 13 (prime), so a factor 5 of E does not divide it
    ("    factors: {col: {E: 5}}\n", "layers.conv3.factors.col.E", "does not divide"),
    # RS spreads E over columns only (Timeloop's text form of factors)
    ("    factors: {row: 'E=13'}\n", "layers.conv3.factors.row", "no E loop at row"),
    # eyeriss has 12 rows: C = 16 on rows cannot fit
    ("    factors: {row: {C: 16}}\n", "layers.conv3.factors.row.C", "12"),
    # 168 PEs: RS puts R = 3 on rows (12 = 3 x 4) but its columns take E = 13, N | 4, M | 384:
    # no product of those reaches 14, so 100 % is out of reach (a search-time failure)
    ("    min_utilization: 1.0\n", "layers.conv3.min_utilization", "without it one exists"),
    ("    bypass: {glb: [filter]}\n", "layers.conv3.bypass.glb", "always keeps filter"),
])
def test_impossible_constraints_name_file_and_field(tmp_path, capsys, entry, field, words):
    cons = _write(tmp_path / "bad.yaml", CONV3 + entry)
    code = main(["run", "alexnet", "--layers", "conv3", "--batch", "4", "--constraints", str(cons)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"error: {field}" in err and str(cons) in err, err
    if words:
        assert words in err, err


def test_constraints_flag_on_compare_and_mapping_show(tmp_path, capsys):
    cons = _write(tmp_path / "c.yaml", "version: 1\nall: {spatial: {row: [C, R]}}\n")
    assert main(["mapping", "show", "alexnet", "--layers", "conv3", "--batch", "4", "--constraints", str(cons)]) == 0
    out = capsys.readouterr().out
    assert "spatial-row M" not in out and "spatial-row R in 3" in out, out
    code = main(["compare", "alexnet", "--layers", "conv3", "--hardware", "eyeriss", "--dataflows", "rs,ws",
                 "--constraints", str(cons), "--json", str(tmp_path / "c.json")])
    assert code == 0, capsys.readouterr().err
    for run in json.loads((tmp_path / "c.json").read_text())["runs"]:
        for lp in run["layers"][0]["mapping"]["loops"]:
            assert lp[2] != "row" or lp[0] in ("C", "R"), (run["dataflow"], lp)
