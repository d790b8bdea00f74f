"""Flattened loops (a loop over a group of dimensions, im2col style): the mapping rules, the
analytic engine against the enumerating reference, and equivalences with plain mappings.

Random cases (:func:`strategies.flat_cases`) take a random mapping of any dataflow and turn
the loops of one or two dimension groups into group loops with new, often ragged, factors.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accelsim.dataflows.lowering import lower_mapping
from accelsim.errors import MappingError
from accelsim.kernels.analytic import count_accesses_flat, compute_steps_flat
from accelsim.layout import N_COUNT_STATS, N_DIMS, N_GROUPS_MAX, N_LEVELS, N_TILE_LEVELS, N_TYPES, NO_DIM
from accelsim.sim.counting import count_mapping
from accelsim.spec.dims import Dim, Flat, LoopKind
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping

from reference_counter import reference_counts
from strategies import DATAFLOWS, flat_cases, layers, random_mapping_8x8, shrink_bounds

PROPS = settings(max_examples=100, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

NPX = Flat((Dim.N, Dim.E, Dim.F))
CRS = Flat((Dim.C, Dim.R, Dim.S))


def _report(layer, mapping, window, ref, got) -> str:
    return (f"\nlayer {layer.shape_dict()} window {window}\n{mapping.describe(layer.loop_bounds())}\n"
            f"{mapping.to_dict()}\nreference - kernel:\n{ref - got}")


# ----------------------------------------------------------------------------- the engine
@PROPS
@given(case=flat_cases())
def test_flat_counts_match_reference(case):
    """Counts, tile sizes and MACs of a flattened (often ragged) nest equal the reference's."""
    layer, mapping, window = case
    got = count_mapping(mapping, layer, window)
    ref, usage, macs = reference_counts(layer, mapping, window)
    assert macs == got.macs == layer.macs
    assert np.array_equal(usage, got.usage), _report(layer, mapping, window, usage, got.usage)
    assert np.array_equal(ref, got.counts), _report(layer, mapping, window, ref, got.counts)


@PROPS
@given(case=flat_cases())
def test_flat_macs_and_steps(case):
    """MACs are conserved; every valid step keeps some PE busy and no PE does two MACs a step."""
    layer, mapping, window = case
    got = count_mapping(mapping, layer, window)
    assert got.macs == layer.macs
    steps = int(np.prod([lp.factor for lp in mapping.loops if not lp.spatial] or [1]))
    active = mapping.active_pes_for(layer.loop_bounds())
    assert 1 <= active <= mapping.active_pes
    assert got.compute_steps <= steps
    assert got.compute_steps * active >= layer.macs


def _lowered_counts(mapping, layer, window, groups):
    arr = lower_mapping(mapping)
    counts = np.zeros((N_LEVELS, N_TYPES, N_COUNT_STATS), np.int64)
    usage = np.zeros((N_TILE_LEVELS, N_TYPES), np.int64)
    b = np.array(layer.loop_bounds(), dtype=np.int64)
    macs = count_accesses_flat(arr.dims, arr.factors, arr.kinds, arr.reds, arr.res, layer.U, window, b, groups,
                               counts, usage)
    return macs, counts, usage, compute_steps_flat(arr.dims, arr.factors, arr.kinds, b, groups)


@PROPS
@given(layer=layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1),
       window=st.integers(0, 3), ragged=st.booleans(), data=st.data())
def test_flat_path_equals_plain_paths(layer, dataflow, seed, window, ragged, data):
    """On a plain (perfect or ragged) mapping, the flattened path counts exactly what the closed
    form or the padded path does: every dimension is an axis of its own."""
    mapping = random_mapping_8x8(layer, dataflow, seed)
    if ragged:
        layer = shrink_bounds(layer, mapping, data.draw)
    plain = count_mapping(mapping, layer, window)
    groups = np.full((N_GROUPS_MAX, N_DIMS), NO_DIM, dtype=np.int64)
    macs, counts, usage, steps = _lowered_counts(mapping, layer, window, groups)
    assert macs == plain.macs and steps == plain.compute_steps
    assert np.array_equal(counts, plain.counts), (counts - plain.counts, mapping.describe())
    assert np.array_equal(usage, plain.usage)


@PROPS
@given(layer=layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1),
       window=st.integers(0, 3))
def test_single_dimension_groups_are_plain(layer, dataflow, seed, window):
    """A group of one dimension is that dimension: the same mapping, the same counts."""
    mapping = random_mapping_8x8(layer, dataflow, seed)
    single = Mapping(loops=tuple(Loop(Flat((lp.dim,)), lp.factor, lp.kind, lp.reduction) for lp in mapping.loops),
                     glb=mapping.glb, rf=mapping.rf)
    assert single.loops == mapping.loops and not single.flat_groups
    a, b = count_mapping(mapping, layer, window), count_mapping(single, layer, window)
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.usage, b.usage)


# groups whose members are all window dimensions or all not: a group loop then forwards (or
# not) exactly as its members' loops do
_UNIFORM = ((Dim.E, Dim.F), (Dim.R, Dim.S))
_MIXED = ((Dim.N, Dim.E, Dim.F), (Dim.C, Dim.R, Dim.S))


@PROPS
@given(layer=layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1),
       window=st.integers(0, 3), members=st.sampled_from(_UNIFORM + _MIXED))
def test_non_carrying_groups_count_as_plain(layer, dataflow, seed, window, members):
    """A perfect mapping whose loops over a group's members come in member order (every loop of
    an outer member above every loop of an inner one) flattens without carries: the group's
    loops, with the same factors, walk the same coordinates, so the counts are the same (with
    array forwarding off for groups that mix window and other dimensions: a group loop is a
    window loop only when every member is)."""
    mapping = random_mapping_8x8(layer, dataflow, seed)
    at = [j for j, lp in enumerate(mapping.loops) if lp.dim in members]
    order = [members.index(mapping.loops[j].dim) for j in at]
    if not at or order != sorted(order):
        return
    flat = Flat(members)
    loops = tuple(Loop(flat, lp.factor, lp.kind, lp.reduction) if lp.dim in members else lp for lp in mapping.loops)
    grouped = Mapping(loops=loops, glb=mapping.glb, rf=mapping.rf)
    if members in _MIXED:
        window &= ~1
    a, b = count_mapping(mapping, layer, window), count_mapping(grouped, layer, window)
    assert a.macs == b.macs and a.compute_steps == b.compute_steps
    assert np.array_equal(a.counts, b.counts), (a.counts - b.counts, grouped.describe(layer.loop_bounds()))
    assert np.array_equal(a.usage, b.usage)


# ----------------------------------------------------------------------------- by hand
def _conv5_like():
    """A 13 × 13 ofmap (169 output pixels) as im2col's Npx on 12 rows: 15 folds, the last 1 wide."""
    layer = ConvLayer(name="c", N=1, M=4, C=2, H=15, W=15, R=3, S=3)
    mapping = Mapping(loops=(Loop(Dim.M, 2), Loop(NPX, 15), Loop(NPX, 12, LoopKind.ROW), Loop(Dim.M, 2, LoopKind.COL),
                             Loop(CRS, 18)), glb=(0, 0, 0), rf=(None, None, None))
    return layer, mapping


def test_npx_on_rows_by_hand():
    layer, mapping = _conv5_like()
    bounds = layer.loop_bounds()
    mapping.check_covers(bounds)
    assert mapping.is_padded(bounds) and mapping.flat_factors() == {NPX: 180, CRS: 18}
    assert mapping.factors(bounds) == bounds
    assert mapping.active_pes_for(bounds) == 12 * 2
    got = count_mapping(mapping, layer, 0)
    assert got.macs == layer.macs and got.compute_steps == 2 * 15 * 18
    ref, usage, _ = reference_counts(layer, mapping, 0)
    assert np.array_equal(ref, got.counts) and np.array_equal(usage, got.usage)
    # the last fold holds pixel 168 only: PE row 0 works, rows 1-11 idle (12·14 + 1 pixels)
    assert NPX.decode(168, bounds) == {Dim.N: 0, Dim.E: 12, Dim.F: 12}


def test_flat_tile_crossing_a_row_is_larger():
    """A 2-pixel tile of (E,F) with F = 3: at p = 2 it spans pixels (0, 2) and (1, 0), two
    ifmap rows and non-adjacent columns — more words than the tile at the origin."""
    layer = ConvLayer(name="c", N=1, M=1, C=1, H=3, W=3, R=1, S=1)
    ef = Flat((Dim.E, Dim.F))
    mapping = Mapping(loops=(Loop(ef, 5), Loop(ef, 2)), glb=(0, 0, 0), rf=(1, None, None))
    got = count_mapping(mapping, layer, 0)
    ref, usage, _ = reference_counts(layer, mapping, 0)
    assert np.array_equal(ref, got.counts) and np.array_equal(usage, got.usage)
    assert got.usage[1, 0] == 2


# ----------------------------------------------------------------------------- the rules
@pytest.mark.parametrize("loops, message", [
    ((Loop(NPX, 169), Loop(Dim.E, 1)), "a loop over E alone, but E is in the group (N,E,F)"),
    ((Loop(Dim.F, 13), Loop(NPX, 169)), "the group (N,E,F) holds F, which also has loops of its own"),
    ((Loop(NPX, 169), Loop(Flat((Dim.E, Dim.F)), 1)), "E is in the groups (N,E,F) and (E,F)"),
])
def test_group_rules(loops, message):
    with pytest.raises(MappingError, match=message.replace("(", r"\(").replace(")", r"\)")) as exc:
        Mapping(loops=loops)
    assert exc.value.field == "mapping.loops[1]"


def test_group_coverage_rules():
    layer, _ = _conv5_like()
    bounds = layer.loop_bounds()
    short = Mapping(loops=(Loop(Dim.M, 4), Loop(NPX, 168), Loop(CRS, 18)))
    with pytest.raises(MappingError, match=r"factors of \(N,E,F\) multiply to 168, the layer's \(N,E,F\) = "
                                           r"1·13·13 = 169") as exc:
        short.check_covers(bounds)
    assert exc.value.field == "mapping.loops[(N,E,F)]"
    spare = Mapping(loops=(Loop(Dim.M, 4), Loop(NPX, 16), Loop(NPX, 12), Loop(CRS, 18)))
    with pytest.raises(MappingError, match="a whole outermost iteration"):
        spare.check_covers(bounds)


def test_flat_parse_and_round_trip():
    assert Flat.parse("(N,E,F)") == NPX and Flat.parse(" ( c , r , s ) ") == CRS
    assert Flat.parse("E") is Dim.E and Flat.parse("(E)") is Dim.E
    assert NPX.label == "(N,E,F)" and Dim.E in NPX and Dim.M not in NPX
    with pytest.raises(MappingError, match="unknown dimension"):
        Flat.parse("(N,X)")
    with pytest.raises(MappingError, match="each dimension once"):
        Flat((Dim.E, Dim.E))
    _, mapping = _conv5_like()
    data = mapping.to_dict()
    assert data["loops"][1] == ["(N,E,F)", 15, "temporal", "noc"]
    assert Mapping.from_dict(data) == mapping
    data["loops"][1][0] = "(N,E,Q)"
    with pytest.raises(MappingError, match="unknown dimension") as exc:
        Mapping.from_dict(data)
    assert exc.value.field == "mapping.loops[1][0]"


def test_describe_names_groups():
    layer, mapping = _conv5_like()
    text = mapping.describe(layer.loop_bounds())
    assert "spatial-row (N,E,F) in 12" in text and "for (C,R,S) in 18" in text
    assert "-- flattened (N,E,F): index p of extent 1·13·13 = 169 over 15 in time × 12 on rows" in text
    assert "e = (p // 13) % 13" in text
    assert "-- ragged: (N,E,F) 180 for 169" in text


def test_lowering_groups():
    _, mapping = _conv5_like()
    arr = lower_mapping(mapping)
    assert arr.flat and arr.dims.tolist() == [Dim.M, N_DIMS, N_DIMS, Dim.M, N_DIMS + 1]
    assert arr.groups[0, :4].tolist() == [Dim.N, Dim.E, Dim.F, NO_DIM]
    assert arr.groups[1, :3].tolist() == [Dim.C, Dim.R, Dim.S] and (arr.groups[2:] == NO_DIM).all()
    plain = lower_mapping(Mapping(loops=(Loop(Dim.M, 4),)))
    assert not plain.flat and (plain.groups == NO_DIM).all()


# ----------------------------------------------------------------------------- mapping files
def _conv5_file_mapping():
    """AlexNet CONV5 (per group M 128, C 192, 13 × 13) im2col style on 12 × 14 PEs."""
    loops = (Loop(Dim.G, 2), Loop(Dim.M, 10), Loop(NPX, 15), Loop(NPX, 12, LoopKind.ROW), Loop(Dim.M, 13, LoopKind.COL),
             Loop(CRS, 1728))
    return Mapping(loops=loops, glb=(2, 2, 2), rf=(None, None, None), dataflow="sys-os")


def test_mapping_file_round_trip(tmp_path):
    import accelsim
    from accelsim.io.mappingfile import mapping_document, write_mapping_file

    wl = accelsim.load_workload("alexnet").select(["conv5"])
    mapping = _conv5_file_mapping()
    path = write_mapping_file(tmp_path / "m.yaml", mapping_document("alexnet", "sys-os", 1, {"conv5": mapping}))
    assert "['(N,E,F)', 15, temporal, noc]" in path.read_text()
    assert accelsim.load_mapping(str(path), wl, 1)["conv5"] == mapping


@pytest.mark.parametrize("old, new, field, message", [
    ("'(N,E,F)', 15", "'(N,E,Q)', 15", "layers.conv5.loops[2][0]", "unknown dimension in '(N,E,Q)'"),
    ("'(N,E,F)', 12", "'(N,E,F)', 11", "layers.conv5.loops[(N,E,F)]",
     "factors of (N,E,F) multiply to 165, the layer's (N,E,F) = 1·13·13 = 169"),
    ("[G, 2, temporal", "['(G,E)', 2, temporal", "layers.conv5.loops[2]", "E is in the groups (G,E) and (N,E,F)"),
    ("'(N,E,F)', 15", "(N,E,F), 15", "layers.conv5.loops[2]", r"quote a flattened group in a flow list"),
])
def test_bad_groups_in_files(tmp_path, capsys, old, new, field, message):
    """A bad group in a mapping file: one line naming the file and the field, exit 2."""
    from accelsim.cli.main import main
    from accelsim.io.mappingfile import dump_mapping_file, mapping_document

    text = dump_mapping_file(mapping_document("alexnet", "sys-os", 1, {"conv5": _conv5_file_mapping()}))
    assert old in text
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new))
    code = main(["run", "alexnet", "--layers", "conv5", "--hardware", "tpu-like", "--array", "12x14", "--dataflow",
                 "sys-os", "--force-dataflow", "--mapping", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len([line for line in err if "error" in line]) == 1
    line = next(line for line in err if "error" in line)
    assert field in line and message.replace("\\", "") in line and str(path) in line


def test_cli_mapping_show_prints_groups(tmp_path, capsys):
    from accelsim.cli.main import main
    from accelsim.io.mappingfile import mapping_document, write_mapping_file

    path = write_mapping_file(tmp_path / "m.yaml",
                              mapping_document("alexnet", "sys-os", 1, {"conv5": _conv5_file_mapping()}))
    assert main(["mapping", "show", "alexnet", "--layers", "conv5", "--hardware", "tpu-like", "--array", "12x14",
                 "--dataflow", "sys-os", "--force-dataflow", "--mapping", str(path)]) == 0
    out = capsys.readouterr().out
    assert "[array] spatial-row (N,E,F) in 12" in out and "[PE   ] for (C,R,S) in 1728" in out
    assert "-- flattened (N,E,F): index p of extent 1·13·13 = 169 over 15 in time × 12 on rows" in out
    assert "active PEs 156" in out


def test_cycle_engine_runs_groups():
    """The CONV5-like im2col mapping (ragged Npx on 12 rows) runs in the cycle engine: the
    reference convolution, the analytic counts, every MAC once."""
    from dataclasses import replace

    import accelsim
    from accelsim.sim.cycle import random_inputs, reference_conv, run_cycle
    from accelsim.spec.hardware import Precision

    layer, mapping = _conv5_like()
    hw = replace(accelsim.load_hardware("tpu-like"), pe_rows=12, pe_cols=14, precision=Precision(psum_bits=64))
    out = run_cycle(layer, hw, mapping, 0)
    ifmap, filters = random_inputs(layer, precision=hw.precision)
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters))
    got = count_mapping(mapping, layer, 0)
    assert np.array_equal(out.counts, got.counts) and np.array_equal(out.usage, got.usage)
    assert int(out.pe_busy.sum()) == layer.macs
