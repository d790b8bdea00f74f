"""Im2col mappings of the systolic dataflows (:mod:`accelsim.search.im2col`) and the mapper's
flattened candidates (issue 14, parts 2 and 3)."""

from __future__ import annotations

import pytest

from accelsim.search.im2col import KRED, NPX, FoldOrder, im2col_mapping, im2col_variants, scalesim_mapping
from accelsim.errors import SpecError
from accelsim.io.presets import load_hardware, load_workload
from accelsim.search.mapper import BUDGETS, BudgetSize, best_mapping
from accelsim.sim.conventions import fold_shape, im2col_counts, with_conventions
from accelsim.sim.evaluate import evaluate
from accelsim.spec.dims import DataType, Dim, LoopKind
from accelsim.spec.layer import ConvLayer

CONV5 = ConvLayer(name="CONV5", M=256, C=192, H=15, W=15, R=3, S=3, U=1)


def test_scalesim_os_structure():
    """OS on 12×14: M column folds outer, Npx row folds inner (ragged: 15 × 12 for 169), K in time,
    psums in a one-word register."""
    m = scalesim_mapping(CONV5, "sys-os", 12, 14)
    assert [(lp.dim, lp.factor, lp.kind) for lp in m.loops] == [
        (Dim.M, 19, LoopKind.TEMPORAL), (NPX, 15, LoopKind.TEMPORAL), (Dim.M, 14, LoopKind.COL),
        (NPX, 12, LoopKind.ROW), (KRED, 1728, LoopKind.TEMPORAL)]
    assert m.rf == (None, None, 4) and m.glb == (0, 0, 0)
    assert fold_shape(m).folds == 285 and fold_shape(m).steps == 1728
    assert m.active_pes_for(CONV5.loop_bounds()) == 168


@pytest.mark.parametrize("df, stationary, rows_op, cols_op", [
    ("sys-ws", DataType.FILTER, KRED, Dim.M), ("sys-is", DataType.IFMAP, KRED, NPX)])
def test_scalesim_ws_is_structure(df, stationary, rows_op, cols_op):
    m = scalesim_mapping(CONV5, df, 16, 16)
    spatial = {lp.kind: lp.dim for lp in m.loops if lp.spatial}
    assert spatial == {LoopKind.ROW: rows_op, LoopKind.COL: cols_op}
    assert m.rf[stationary] == len(m.loops) - 1 and sum(r is not None for r in m.rf) == 1


def test_grouped_layer_runs_groups_one_after_the_other():
    layer = ConvLayer(name="g", M=256, C=192, H=15, W=15, R=3, S=3, U=1, G=2)
    m = scalesim_mapping(layer, "sys-ws", 12, 14)
    assert m.loops[0].dim is Dim.G and m.loops[0].factor == 2
    # per group: K = 96·9 = 864 on 12 rows (72 folds), M = 128 on 14 columns (10 folds, the last ragged)
    assert fold_shape(m).folds == 2 * 72 * 10


def test_short_operand_uses_fewer_pes():
    small = ConvLayer(name="s", M=8, C=1, H=3, W=3, R=3, S=3, U=1)  # Npx = 1, K = 9, M = 8
    m = scalesim_mapping(small, "sys-os", 16, 16)
    assert m.spatial_shape() == (1, 8) and fold_shape(m).folds == 1


def test_not_systolic_refused():
    with pytest.raises(SpecError):
        im2col_mapping(CONV5, "rs", 12, 14)


def test_im2col_counts_rule():
    """The counting rule on SCALE-Sim's IS mapping: each ifmap im2col element once (Npx·K), the
    filters once per column fold, every psum of every row fold once."""
    m = scalesim_mapping(CONV5, "sys-is", 12, 14)
    npx, k, mm = 169, 1728, 256
    fr, fc = -(-k // 12), -(-npx // 14)
    assert im2col_counts(m, CONV5) == (npx * k, k * mm * fc, npx * mm * fr)


def test_variants_distinct_and_legal():
    hw = load_hardware("tpu-like").with_array(12, 14)
    variants = im2col_variants(CONV5, "sys-os", 12, 14, hw=hw)
    assert len(variants) == len({(v.loops, v.glb, v.rf) for v in variants}) >= 2
    orders = {next(lp.dim for lp in v.loops if not lp.spatial) for v in variants}
    assert orders == {Dim.M, NPX}  # both fold orders
    even = im2col_mapping(CONV5, "sys-os", 12, 14, row_width=12, order=FoldOrder.ROWS_OUTER)
    assert even.loops[0].dim == NPX


ARRAYS = ((12, 14), (16, 16), (32, 32))


@pytest.fixture(scope="module")
def alexnet_convs():
    return [ly for ly in load_workload("alexnet").layers if ly.name.startswith("conv")]


@pytest.mark.parametrize("rows, cols", ARRAYS)
@pytest.mark.parametrize("df", ["sys-os", "sys-ws", "sys-is"])
def test_mapper_never_slower_than_scalesim(alexnet_convs, rows, cols, df):
    """Issue 14 acceptance (analytic engine): with the cycles objective the mapper's mapping of
    every AlexNet CONV layer is never slower than SCALE-Sim's own mapping."""
    hw = load_hardware("tpu-like").with_array(rows, cols)
    for layer in alexnet_convs:
        best = best_mapping(layer, hw, df, "cycles", BUDGETS[BudgetSize.QUICK])
        mine = evaluate(layer, hw, df, "analytic", best.mapping).cycles
        ss = evaluate(layer, hw, df, "analytic", scalesim_mapping(layer, df, rows, cols, hw=hw)).cycles
        assert mine <= ss, (layer.name, mine, ss)


def test_mapper_never_slower_under_scalesim_conventions(alexnet_convs):
    hw = with_conventions(load_hardware("tpu-like").with_array(12, 14), "scalesim")
    for df in ("sys-os", "sys-ws", "sys-is"):
        for layer in alexnet_convs:
            best = best_mapping(layer, hw, df, "cycles", BUDGETS[BudgetSize.QUICK])
            mine = evaluate(layer, hw, df, "analytic", best.mapping).cycles
            ss = evaluate(layer, hw, df, "analytic", scalesim_mapping(layer, df, 12, 14, hw=hw)).cycles
            assert mine <= ss, (df, layer.name, mine, ss)


@pytest.mark.parametrize("df", ["sys-os", "sys-ws", "sys-is"])
def test_mapper_never_slower_on_the_cycle_engine(alexnet_convs, df):
    """Issue 14 acceptance as the user runs it (``--engine cycle``, cycles reported by the cycle
    engine for both mappings), on a representative subset: CONV5 on 12×14 (every layer on 12×14,
    16×16 and 32×32: ``benchmarks/bench_im2col_mapper.py --layers conv --engine cycle``, whose
    result the README reports)."""
    hw = load_hardware("tpu-like").with_array(12, 14)
    layer = next(ly for ly in alexnet_convs if ly.name == "conv5")
    best = best_mapping(layer, hw, df, "cycles", BUDGETS[BudgetSize.QUICK])
    mine = evaluate(layer, hw, df, "cycle", best.mapping)
    ss = evaluate(layer, hw, df, "cycle", scalesim_mapping(layer, df, 12, 14, hw=hw))
    assert mine.timing.verified and ss.timing.verified
    assert mine.cycles <= ss.cycles, (df, mine.cycles, ss.cycles)


def test_pin_on_a_flattened_dimension_refused(tmp_path, capsys):
    """``--constraints`` pinning a dimension that the given mapping (``--mapping scalesim``)
    flattens into a group — E inside ``(N,E,F)`` — is refused with one error naming
    the pin, the group and the file (exit 2); other items are checked as usual. (The mapper
    never flattens under constraints: it honours every pin on its own loops,
    tests/test_constraints.py.)"""
    from accelsim.cli.main import main

    wl = tmp_path / "c5.yaml"
    wl.write_text("version: 1\nname: c5\nlayers:\n  - {name: CONV5, M: 256, C: 192, H: 15, W: 15, R: 3, S: 3}\n")
    base = ["run", str(wl), "--hardware", "tpu-like", "--array", "12x14", "--dataflow", "sys-os",
            "--force-dataflow", "--mapping", "scalesim", "--constraints"]
    pinned = tmp_path / "e.yaml"
    pinned.write_text("version: 1\ndataflow: sys-os\nlayers:\n  CONV5:\n    factors: {outer: {E: 13}}\n")
    capsys.readouterr()
    assert main([*base, str(pinned)]) == 2
    err = capsys.readouterr().err
    assert "factors.outer.E" in err and "(N,E,F)" in err and str(pinned) in err and "Traceback" not in err
    kept = tmp_path / "k.yaml"  # an item on no grouped dimension is checked as usual: met here
    kept.write_text("version: 1\ndataflow: sys-os\nlayers:\n  CONV5:\n    keep: {rf: [psum]}\n")
    assert main([*base, str(kept)]) == 0, capsys.readouterr().err
