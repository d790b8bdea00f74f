"""Sweep plots: drawn points and bar heights must equal the totals of the records."""

from __future__ import annotations

import contextlib
import io
import json

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from accelsim.cli.main import main
from accelsim.plot import case_totals, energy_breakdown, pareto, pareto_front, sweep_comparison, sweep_runs
from accelsim.plot.sweep import DATAFLOW_COLORS, records_from_runs

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
COMPS = ("ALU", "RF", "NoC", "GLB", "DRAM")


def _rec(case, dataflow, batch, layer, energy, cycles, macs=100, status="ok", array="8x8", **extra):
    rec = {"case": case, "workload": "w", "hardware": "hw", "array": array, "num_pes": int(array.split("x")[0]) ** 2,
           "dataflow": dataflow, "batch": batch, **extra, "layer": layer, "status": status,
           "reason": "" if status == "ok" else "does not fit", "macs": macs, "energy_unit": "mac"}
    if status == "ok":
        parts = [energy * f for f in (0.1, 0.2, 0.1, 0.2, 0.4)]
        rec.update(cycles=cycles, energy_total=energy, utilization=0.5,
                   **{f"energy_{c}": p for c, p in zip(COMPS, parts)})
    else:
        rec.update(cycles=None, energy_total=None, utilization=None, **{f"energy_{c}": None for c in COMPS})
    return rec


def records():
    """Six cases (3 dataflows x 2 batches) of two layers; one case infeasible."""
    out = []
    spec = {("rs", 1): (10.0, 50), ("ws", 1): (30.0, 20), ("osa", 1): (20.0, 40),
            ("rs", 4): (8.0, 200), ("ws", 4): (None, None), ("osa", 4): (9.0, 100)}
    for i, ((df, n), (e, cyc)) in enumerate(spec.items()):
        for layer, share in (("a", 0.25), ("b", 0.75)):
            if e is None:
                out.append(_rec(f"c{i}", df, n, layer, 0, 0, status="infeasible"))
            else:
                out.append(_rec(f"c{i}", df, n, layer, e * share, cyc // 2, macs=100 * n))
    return out


def _ax():
    return Figure().subplots()


def _scatter(ax) -> dict[str, list[tuple[float, float]]]:
    return {c.get_label(): [tuple(map(float, p)) for p in c.get_offsets()]
            for c in ax.collections if isinstance(c, PathCollection) and not c.get_label().startswith("_")}


def _bars(ax) -> dict[str, list[float]]:
    return {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers if isinstance(c, BarContainer)}


# --------------------------------------------------------------------------- totals and the front
def test_case_totals_sum_layers_and_leave_failed_cases_empty():
    totals = case_totals(records())
    assert [t["case"] for t in totals] == [f"c{i}" for i in range(6)]
    rs1 = totals[0]
    assert (rs1["energy_total"], rs1["cycles"], rs1["macs"], rs1["n_layers"]) == (10.0, 50, 200, 2)
    assert rs1["edp"] == 500.0 and rs1["energy_per_mac"] == pytest.approx(0.05)
    assert rs1["energy_DRAM"] == pytest.approx(4.0)
    assert "layer" not in rs1 and rs1["dataflow"] == "rs"
    assert totals[4]["ok"] is False and totals[4]["energy_total"] is None


@pytest.mark.parametrize(("xs", "ys", "front"), [
    ([1, 2, 3], [3, 2, 1], [0, 1, 2]),
    ([1, 2, 3], [1, 2, 3], [0]),
    ([3, 1, 2, 2], [1, 3, 2, 5], [1, 2, 0]),
    ([1, 1, 2], [2, 2, 2], [0, 1]),          # identical points are both on the front
    ([1, 1], [3, 2], [1]),                    # same x, lower y dominates
    ([], [], []),
])
def test_pareto_front(xs, ys, front):
    assert pareto_front(xs, ys) == front


# --------------------------------------------------------------------------- pareto
def test_pareto_points_and_front_equal_the_case_totals():
    recs = records()
    ax = pareto(recs, x="cycles", y="energy_total", ax=_ax())  # totals named: these cases differ in batch
    points = _scatter(ax)
    assert list(points) == ["rs", "ws", "osa"]
    totals = [t for t in case_totals(recs) if t["ok"]]
    for df in ("rs", "ws", "osa"):
        assert points[df] == [(float(t["cycles"]), t["energy_total"]) for t in totals if t["dataflow"] == df]
    (line,) = [ln for ln in ax.lines if ln.get_label() == "Pareto front"]
    # (cycles, energy): rs1 (50, 10), ws1 (20, 30), osa1 (40, 20), rs4 (200, 8), osa4 (100, 9)
    expected = [(20.0, 30.0), (40.0, 20.0), (50.0, 10.0), (100.0, 9.0), (200.0, 8.0)]
    assert [tuple(p) for p in line.get_xydata()] == expected
    (ring,) = [c for c in ax.collections if c.get_gid() == "pareto-front"]
    assert [tuple(map(float, p)) for p in ring.get_offsets()] == expected
    assert any("1 infeasible cases not shown" in t.get_text() for t in ax.texts)
    assert ax.get_xlabel() == "cycles" and ax.get_ylabel() == "energy (MAC units)"
    colors = {c.get_label(): matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in ax.collections
              if c.get_label() in DATAFLOW_COLORS}
    assert colors == {df: DATAFLOW_COLORS[df].lower() for df in ("rs", "ws", "osa")}


def test_pareto_other_metrics_hue_filter_and_per_layer():
    recs = records()
    ax = pareto(recs, x="edp", y="energy_per_mac", hue="batch", where={"dataflow": "rs"}, ax=_ax())
    points = _scatter(ax)
    assert points == {"1": [(500.0, pytest.approx(0.05))], "4": [(1600.0, pytest.approx(0.01))]}
    ax = pareto(recs, x="cycles", y="energy_total", per="layer", hue=None, ax=_ax())  # totals named (batches differ)
    ok = [r for r in recs if r["status"] == "ok"]
    assert _scatter(ax)["cases"] == [(float(r["cycles"]), r["energy_total"]) for r in ok]


def test_pareto_accepts_a_dataframe():
    pd = pytest.importorskip("pandas")
    recs = records()
    ax = pareto(pd.DataFrame.from_records(recs), ax=_ax())
    assert _scatter(ax) == _scatter(pareto(recs, ax=_ax()))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"x": "area"}, "unknown metric"), ({"hue": "colour"}, "no column"), ({"where": {"nope": 1}}, "no column"),
    ({"per": "run"}, "per must be"), ({"where": {"dataflow": "nlr"}}, "no records"),
])
def test_pareto_rejects_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pareto(records(), ax=_ax(), **kwargs)


# --------------------------------------------------------------------------- sweep_comparison
def test_comparison_bar_heights_are_energy_per_mac_per_batch_and_dataflow():
    recs = records()
    ax = sweep_comparison(recs, x="batch", ax=_ax())
    bars = _bars(ax)
    assert list(bars) == ["rs", "ws", "osa"]
    assert bars["rs"] == pytest.approx([10.0 / 200, 8.0 / 800])
    assert bars["ws"] == pytest.approx([30.0 / 200, 0.0])
    assert bars["osa"] == pytest.approx([20.0 / 200, 9.0 / 800])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "4"]
    assert [t.get_text() for t in ax.texts] == ["infeasible"]
    # bars of one group sit side by side around the group's tick
    xs = [p.get_x() + p.get_width() / 2 for c in ax.containers for p in c.patches[:1]]
    assert xs == sorted(xs) and sum(xs) / len(xs) == pytest.approx(0.0)
    assert ax.get_ylabel() == "energy per MAC (MAC units)"


def test_comparison_other_metric_and_pe_arrays():
    recs = [_rec("a", "rs", 1, "l", 4.0, 10, array="16x16"), _rec("b", "rs", 1, "l", 5.0, 20, array="8x8"),
            _rec("c", "ws", 1, "l", 6.0, 30, array="8x8")]
    ax = sweep_comparison(recs, x="array", y="cycles", ax=_ax())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["8x8", "16x16"]  # ordered by PE count
    assert _bars(ax) == {"rs": [20.0, 10.0], "ws": [30.0, 0.0]}
    assert len(ax.texts) == 0  # a missing pair is an empty slot, not "infeasible"


def test_comparison_asks_to_fix_axes_that_still_vary():
    recs = records() + [_rec("z", "rs", 1, "a", 1.0, 1, array="4x4")]
    with pytest.raises(ValueError, match="differ in array, num_pes"):
        sweep_comparison(recs, x="batch", ax=_ax())
    ax = sweep_comparison(recs, x="batch", where={"array": "8x8"}, ax=_ax())
    assert _bars(ax)["rs"] == pytest.approx([0.05, 0.01])


def test_comparison_rejects_mixed_units():
    recs = records()
    recs[0] = dict(recs[0], energy_unit="pj")
    recs[1] = dict(recs[1], energy_unit="pj")
    with pytest.raises(ValueError, match="units"):
        sweep_comparison(recs, ax=_ax())


# --------------------------------------------------------------------------- run documents
def test_sweep_runs_feed_the_breakdown_plot():
    recs = records()
    comps = []
    for r in recs:
        if r["status"] == "ok":
            comps.append({"case": r["case"], "layer": r["layer"], "component": "ALU", "data_type": "ALU",
                          "accesses": 1, "energy": r["energy_ALU"]})
            for c in COMPS[1:]:
                for t, share in (("ifmap", 0.5), ("filter", 0.25), ("psum", 0.25)):
                    comps.append({"case": r["case"], "layer": r["layer"], "component": c, "data_type": t,
                                  "accesses": 1, "energy": r[f"energy_{c}"] * share})
    runs = sweep_runs(recs, comps)
    assert len(runs) == 6 and runs[0]["hardware"] == "hw 8x8" and runs[4]["layers"][0]["status"] == "infeasible"
    ax = energy_breakdown(runs[0], by="type", ax=_ax())
    heights = _bars(ax)
    total_a = recs[0]["energy_total"]
    assert heights["ALU"][0] == pytest.approx(0.1 * total_a)
    assert heights["ifmap"][0] == pytest.approx(0.5 * 0.9 * total_a)
    level = _bars(energy_breakdown(sweep_runs(recs)[0], by="level", ax=_ax()))  # without components
    assert [level[c][1] for c in COMPS] == pytest.approx([recs[1][f"energy_{c}"] for c in COMPS])


def test_records_from_run_documents():
    from accelsim.spec.layer import ConvLayer
    from accelsim.spec.result import LayerResult, RunResult

    def run(df, e):
        layer = ConvLayer(name="x", M=2, C=2, H=3, W=3, R=3, S=3)
        lr = LayerResult(layer=layer, hardware="h", dataflow=df, engine="analytic", energy_unit="mac", macs=10,
                         cycles=7, energy={"ALU": 10.0, "RF": {"ifmap": e}}, active_pes=1, num_pes=1)
        return RunResult(hardware="h", dataflow=df, engine="analytic", energy_unit="mac", batch=1, workload="w",
                         layers=(lr,))

    recs = records_from_runs([json.loads(json.dumps(run("rs", 5.0).to_dict())), run("ws", 1.0)])
    ax = pareto(recs, ax=_ax())
    assert _scatter(ax) == {"rs": [(7.0, 15.0)], "ws": [(7.0, 11.0)]}


# --------------------------------------------------------------------------- axes and global state
@pytest.mark.parametrize("draw", [lambda ax: pareto(records(), ax=ax), lambda ax: sweep_comparison(records(), ax=ax)])
def test_given_axes_are_returned_and_rcparams_untouched(draw):
    before = dict(matplotlib.rcParams)
    ax = _ax()
    assert draw(ax) is ax
    ax.figure.canvas.draw()
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("draw", [lambda: pareto(records()), lambda: sweep_comparison(records())])
def test_new_figure_when_no_axes(draw):
    import matplotlib.pyplot as plt

    ax = draw()
    try:
        assert ax in ax.figure.axes
        ax.figure.canvas.draw()
    finally:
        plt.close(ax.figure)


# --------------------------------------------------------------------------- the CLI on a sweep directory
@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    from accelsim.drivers.sweep import sweep

    root = tmp_path_factory.mktemp("plotsweep")
    (root / "tiny.yaml").write_text("version: 1\nname: tiny\nlayers:\n"
                                    "  - {name: c1, M: 16, C: 8, H: 10, W: 10, R: 3, S: 3}\n"
                                    "  - {name: fc, M: 32, C: 16, H: 4, W: 4, R: 4, S: 4}\n")
    sweep({"version": 1, "workloads": [str(root / "tiny.yaml")], "hardware": ["eyeriss"],
           "dataflows": ["rs", "ws", "nlr"], "batch": [1, 2], "arrays": ["8x8", "12x14"],
           "budget": {"samples": 200, "climb": 200, "starts": 2}}, progress=False, out=root / "res")
    return root / "res"


def _cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("extra", [
    ["--kind", "pareto"],
    ["--kind", "pareto", "--x", "edp", "--y", "energy_per_mac", "--hue", "array"],
    ["--kind", "compare", "--where", "array=8x8"],
    ["--kind", "compare", "--x", "array", "--where", "batch=2", "--y", "cycles"],
    ["--kind", "breakdown", "--where", "array=8x8", "--where", "batch=1", "--where", "dataflow=rs", "--by", "type"],
    ["--kind", "utilization", "--where", "array=12x14", "--where", "batch=2", "--where", "dataflow=nlr"],
])
def test_cli_plots_a_sweep_directory(sweep_dir, tmp_path, extra):
    out = tmp_path / "fig.png"
    code, stdout, err = _cli(["plot", sweep_dir, "-o", out, *extra])
    assert code == 0, err
    assert out.read_bytes()[:8] == PNG_MAGIC


def test_cli_breakdown_by_case_id(sweep_dir, tmp_path):
    from accelsim.io.sweepstore import read_sweep

    records, _ = read_sweep(sweep_dir)
    code, _, err = _cli(["plot", sweep_dir, "--kind", "breakdown", "--case", records[0]["case"][:8],
                         "-o", tmp_path / "b.svg"])
    assert code == 0, err


@pytest.mark.parametrize(("extra", "needle"), [
    (["--kind", "breakdown"], "12 cases match"),
    (["--kind", "compare"], "differ in array"),
    (["--kind", "pareto", "--x", "area"], "unknown metric"),
    (["--kind", "pareto", "--where", "colour=red"], "no column 'colour'"),
    (["--kind", "pareto", "--where", "dataflow"], "KEY=VALUE"),
    (["--kind", "breakdown", "--case", "zzzz"], "no case matches"),
])
def test_cli_plot_sweep_errors_exit_2(sweep_dir, tmp_path, extra, needle):
    code, _, err = _cli(["plot", sweep_dir, "-o", tmp_path / "f.png", *extra])
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1


def test_cli_plot_rejects_a_directory_without_records(tmp_path):
    code, _, err = _cli(["plot", tmp_path, "-o", tmp_path / "f.png"])
    assert code == 2 and "records.csv" in err


# --------------------------------------------------------------------------- issue 12 (7): batches, titles
def batch_records():
    """rs and ws at batch 1, 4, 16: per inference (cycles, energy) rs (100, 10) (90, 8) (70, 7.5),
    ws (80, 9) (78, 8.5) (75, 7); totals are these x batch, so on totals ws at N=1 beats every case."""
    per = {("rs", 1): (100, 10.0), ("rs", 4): (90, 8.0), ("rs", 16): (70, 7.5),
           ("ws", 1): (80, 9.0), ("ws", 4): (78, 8.5), ("ws", 16): (75, 7.0)}
    return [_rec(f"{df}{n}", df, n, "a", e * n, cyc * n, macs=100 * n) for (df, n), (cyc, e) in per.items()]


def test_pareto_of_several_batches_is_per_inference():
    """Issue 12 (7): totals of a multi-batch sweep put one case on the front; per inference shows the trade-off."""
    recs = batch_records()
    totals = pareto(recs, x="cycles", y="energy_total", ax=_ax())
    assert len([c for c in totals.collections if c.get_gid() == "pareto-front"][0].get_offsets()) == 1
    ax = pareto(recs, ax=_ax())
    assert ax.get_xlabel() == "cycles per inference" and ax.get_ylabel() == "energy per inference (MAC units)"
    (line,) = [ln for ln in ax.lines if ln.get_label() == "Pareto front"]
    assert [tuple(p) for p in line.get_xydata()] == [(70.0, 7.5), (75.0, 7.0)]
    assert _scatter(ax)["rs"] == [(100.0, 10.0), (90.0, 8.0), (70.0, 7.5)]
    # one batch: totals stay the default
    one = pareto(recs, where={"batch": 4}, ax=_ax())
    assert one.get_xlabel() == "cycles" and one.get_ylabel() == "energy (MAC units)"
    logged = pareto(recs, log=True, ax=_ax())
    assert logged.get_xscale() == "log" and logged.get_yscale() == "log"


def test_sweep_titles_name_the_selection():
    """Issue 12 (7): the ``where`` selection is in the title."""
    recs = records()
    assert "dataflow=rs" in pareto(recs, where={"dataflow": "rs"}, ax=_ax()).get_title()
    extra = [dict(r, rf_words=64) for r in recs]
    title = sweep_comparison(extra, where={"rf_words": 64, "batch": 1}, ax=_ax()).get_title()
    assert "rf_words=64" in title and "batch=1" in title


def test_cli_sweep_case_title_names_the_selection(sweep_dir):
    import argparse

    from accelsim.cli.plot import _sweep_draw

    where = ["array=8x8", "batch=1", "dataflow=rs"]
    for kind in ("breakdown", "utilization"):
        args = argparse.Namespace(results=str(sweep_dir), kind=kind, layer=None, by="level", x=None, y=None,
                                  hue=None, where=where, case=None, log=False)
        ax = _ax()
        _sweep_draw(args, sweep_dir)(ax)
        assert all(w in ax.get_title() for w in where), ax.get_title()
