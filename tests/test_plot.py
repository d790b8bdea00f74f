"""accelsim.plot: drawn bar heights must equal the energies in the results."""

from __future__ import annotations

import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from accelsim.plot import COLORS, dataflow_comparison, energy_breakdown, utilization
from accelsim.spec.layer import ConvLayer
from accelsim.spec.result import LayerResult, RunResult, Status

LEVELS = ("ALU", "RF", "NoC", "GLB", "DRAM")
TYPES = ("ifmap", "filter", "psum")


def _energy(seed: float) -> dict:
    """Distinct, easily told apart energies for every (level, type)."""
    out: dict = {"ALU": 36.0 * seed}
    for i, lv in enumerate(LEVELS[1:]):
        out[lv] = {t: seed * (10.0 ** i) * (j + 1) for j, t in enumerate(TYPES)}
    return out


def _layer(name: str, seed: float, *, ok: bool = True, dataflow: str = "rs", active: int = 6,
           unit: str = "mac") -> LayerResult:
    layer = ConvLayer(name=name, M=2, C=2, H=3, W=3, R=3, S=3)
    if not ok:
        return LayerResult(layer=layer, hardware="x", dataflow=dataflow, engine="analytic",
                           energy_unit=unit, status=Status.INFEASIBLE, reason="does not fit",
                           num_pes=12)
    return LayerResult(layer=layer, hardware="x", dataflow=dataflow, engine="analytic", energy_unit=unit,
                       energy=_energy(seed), macs=layer.macs * int(seed), active_pes=active, num_pes=12)


def _run(dataflow: str = "rs", batch: int = 1, infeasible: tuple[str, ...] = ("conv2",),
         unit: str = "mac") -> RunResult:
    specs = [("conv1", 1.0, 3), ("conv2", 2.0, 12), ("fc1", 3.0, 9)]
    layers = tuple(_layer(n, s, ok=n not in infeasible, dataflow=dataflow, active=a, unit=unit)
                   for n, s, a in specs)
    return RunResult(hardware="x", dataflow=dataflow, engine="analytic", energy_unit=unit, batch=batch,
                     workload="tiny", layers=layers, version="test")


def _as_json(run: RunResult) -> dict:
    return json.loads(json.dumps(run.to_dict()))


def _ax():
    return Figure().subplots()


def _stacks(ax) -> dict[str, list]:
    """Segment label → its bar Rectangles, from the BarContainers on ``ax``."""
    return {c.get_label(): list(c.patches) for c in ax.containers if isinstance(c, BarContainer)}


def _level_sums(energy: dict) -> dict[str, float]:
    return {lv: energy[lv] if lv == "ALU" else sum(energy[lv].values()) for lv in LEVELS}


def _type_sums(energy: dict) -> dict[str, float]:
    out = {"ALU": energy["ALU"]}
    out.update({t: sum(energy[lv][t] for lv in LEVELS[1:]) for t in TYPES})
    return out


def _check_stacks(ax, expected: list[dict[str, float] | None], order: tuple[str, ...]) -> None:
    """Each bar's segments have the expected heights, stacked in ``order`` from zero."""
    stacks = _stacks(ax)
    assert list(stacks) == list(order)
    for seg in order:
        assert len(stacks[seg]) == len(expected)
    for i, exp in enumerate(expected):
        bottom = 0.0
        for seg in order:
            rect = stacks[seg][i]
            assert rect.get_x() + rect.get_width() / 2 == pytest.approx(i)
            assert rect.get_y() == pytest.approx(bottom)
            want = 0.0 if exp is None else exp[seg]
            assert rect.get_height() == pytest.approx(want)
            bottom += rect.get_height()
        if exp is not None:
            assert bottom == pytest.approx(sum(exp.values()))


def _marks(ax) -> dict[float, str]:
    """x position → text of the annotations on ``ax``."""
    return {round(getattr(t, "xy", t.get_position())[0], 6): t.get_text() for t in ax.texts}


@pytest.fixture(params=["object", "json"])
def as_input(request):
    """Plot from the RunResult itself and from its JSON document."""
    return (lambda r: r) if request.param == "object" else _as_json


# ------------------------------------------------------------------ energy_breakdown
def test_breakdown_by_level_heights_equal_component_energies(as_input):
    run = _run()
    ax = energy_breakdown(as_input(run), by="level", ax=_ax())
    expected = [_level_sums(r.energy) if r.ok else None for r in run.layers]
    _check_stacks(ax, expected, LEVELS)
    tops = [sum(e.values()) for e in expected if e]
    assert tops == pytest.approx([r.energy_total for r in run.layers if r.ok])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["conv1", "conv2", "fc1"]
    assert ax.get_ylabel() == "energy (MAC units)"


def test_breakdown_by_type_heights_sum_levels_per_type(as_input):
    run = _run()
    ax = energy_breakdown(as_input(run), by="type", ax=_ax())
    expected = [_type_sums(r.energy) if r.ok else None for r in run.layers]
    _check_stacks(ax, expected, ("ALU",) + TYPES)
    # by type and by level stack to the same totals
    assert sum(expected[0].values()) == pytest.approx(run.layers[0].energy_total)


def test_breakdown_normalize_mac_divides_by_layer_macs(as_input):
    run = _run()
    ax = energy_breakdown(as_input(run), normalize="mac", ax=_ax())
    expected = [{k: v / r.macs for k, v in _level_sums(r.energy).items()} if r.ok else None for r in run.layers]
    _check_stacks(ax, expected, LEVELS)
    assert expected[0]["ALU"] == pytest.approx(1.0)  # one MAC energy per MAC
    assert ax.get_ylabel() == "energy per MAC (MAC units)"


def test_breakdown_normalize_by_number():
    run = _run(infeasible=())
    ax = energy_breakdown(run, by="type", normalize=4.0, ax=_ax())
    _check_stacks(ax, [{k: v / 4.0 for k, v in _type_sums(r.energy).items()} for r in run.layers],
                  ("ALU",) + TYPES)
    assert ax.get_ylabel() == "energy / 4 (MAC units)"


def test_breakdown_infeasible_layer_is_empty_and_labelled(as_input):
    ax = energy_breakdown(as_input(_run()), ax=_ax())
    for patches in _stacks(ax).values():
        assert patches[1].get_height() == 0.0
    assert _marks(ax) == {1.0: "infeasible"}


def test_breakdown_one_bar_per_layer_and_nothing_else():
    ax = energy_breakdown(_run(infeasible=()), ax=_ax())
    assert len(ax.patches) == 3 * len(LEVELS)
    assert len(ax.texts) == 0


def test_breakdown_layer_selection_and_order():
    run = _run(infeasible=())
    ax = energy_breakdown(run, layers=["fc1", "conv1"], ax=_ax())
    _check_stacks(ax, [_level_sums(run.layers[2].energy), _level_sums(run.layers[0].energy)], LEVELS)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["fc1", "conv1"]
    with pytest.raises(KeyError, match="conv9"):
        energy_breakdown(run, layers=["conv9"], ax=_ax())


def test_breakdown_colours_and_legend_are_fixed():
    ax = energy_breakdown(_run(), by="level", ax=_ax())
    for seg, patches in _stacks(ax).items():
        assert matplotlib.colors.to_hex(patches[0].get_facecolor()) == COLORS[seg].lower()
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(LEVELS[::-1])


def test_breakdown_pj_label_and_single_layer():
    run = _run(unit="pj", infeasible=())
    ax = energy_breakdown(run, ax=_ax())
    assert ax.get_ylabel() == "energy (pJ)"
    one = energy_breakdown(run.layers[0], ax=_ax())
    _check_stacks(one, [_level_sums(run.layers[0].energy)], LEVELS)
    one_dict = energy_breakdown(run.layers[0].to_dict(), ax=_ax())
    _check_stacks(one_dict, [_level_sums(run.layers[0].energy)], LEVELS)


def test_breakdown_tolerates_sparse_json():
    doc = {"energy_unit": "mac", "dataflow": "rs",
           "layers": [{"name": "a", "macs": 10, "energy": {"ALU": 10, "RF": {"ifmap": 5}, "NoC": {}}}]}
    ax = energy_breakdown(doc, normalize="mac", ax=_ax())
    _check_stacks(ax, [{"ALU": 1.0, "RF": 0.5, "NoC": 0.0, "GLB": 0.0, "DRAM": 0.0}], LEVELS)


@pytest.mark.parametrize("kwargs", [{"by": "component"}, {"normalize": "pj"}, {"normalize": 0.0},
                                    {"normalize": -1}, {"normalize": True}])
def test_breakdown_rejects_bad_options(kwargs):
    with pytest.raises(ValueError):
        energy_breakdown(_run(), ax=_ax(), **kwargs)


def test_breakdown_per_mac_needs_macs():
    run = RunResult(hardware="x", dataflow="rs", engine="analytic", energy_unit="mac", batch=1, workload="w",
                    layers=(LayerResult(layer=ConvLayer(name="z", M=2, C=2, H=3, W=3, R=3, S=3), hardware="x",
                                        dataflow="rs", engine="analytic", energy_unit="mac",
                                        energy=_energy(1.0)),))
    with pytest.raises(ValueError, match="no MACs"):
        energy_breakdown(run, normalize="mac", ax=_ax())


def test_rejects_non_results():
    with pytest.raises(TypeError):
        energy_breakdown(42, ax=_ax())


# ------------------------------------------------------------------ dataflow_comparison
def _total_sums(run: RunResult, by: str) -> dict[str, float]:
    sums: dict[str, float] = {}
    for r in run.layers:
        if r.ok:
            for k, v in (_level_sums if by == "level" else _type_sums)(r.energy).items():
                sums[k] = sums.get(k, 0.0) + v
    return sums


@pytest.mark.parametrize("by", ["level", "type"])
def test_comparison_per_mac_over_feasible_layers(as_input, by):
    runs = [_run("rs", infeasible=()), _run("ws"), _run("osa", infeasible=("conv1", "conv2", "fc1"))]
    ax = dataflow_comparison([as_input(r) for r in runs], by=by, ax=_ax())
    expected = []
    for run in runs[:2]:
        macs = sum(r.macs for r in run.layers if r.ok)
        expected.append({k: v / macs for k, v in _total_sums(run, by).items()})
    expected.append(None)
    _check_stacks(ax, expected, LEVELS if by == "level" else ("ALU",) + TYPES)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["rs", "ws", "osa"]
    marks = _marks(ax)
    assert marks[2.0] == "infeasible"
    assert marks[1.0] == "1/3 infeasible"
    assert 0.0 not in marks
    assert ax.get_ylabel() == "energy per MAC (MAC units)"


def test_comparison_raw_totals_and_batch_labels():
    runs = [_run("rs", batch=1, infeasible=()), _run("rs", batch=16, infeasible=())]
    ax = dataflow_comparison(runs, normalize=None, ax=_ax())
    _check_stacks(ax, [_total_sums(r, "level") for r in runs], LEVELS)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["rs\nN=1", "rs\nN=16"]
    tops = [sum(_total_sums(r, "level").values()) for r in runs]
    assert tops == pytest.approx([r.total()["energy_total"] for r in runs])


def test_comparison_accepts_a_single_run_and_rejects_mixed_units():
    ax = dataflow_comparison(_run(), ax=_ax())
    assert len(_stacks(ax)["ALU"]) == 1
    with pytest.raises(ValueError, match="units"):
        dataflow_comparison([_run(unit="mac"), _run(unit="pj")], ax=_ax())


# ------------------------------------------------------------------ utilization
def test_utilization_heights(as_input):
    run = _run()
    ax = utilization(as_input(run), ax=_ax())
    (container,) = ax.containers
    heights = [p.get_height() for p in container.patches]
    assert heights == pytest.approx([3 / 12, 0.0, 9 / 12])
    assert _marks(ax) == {1.0: "infeasible"}
    assert ax.get_ylim() == pytest.approx((0.0, 1.05))


# ------------------------------------------------------------------ axes and global state
@pytest.mark.parametrize("draw", [
    lambda ax: energy_breakdown(_run(), ax=ax),
    lambda ax: dataflow_comparison([_run("rs"), _run("ws")], ax=ax),
    lambda ax: utilization(_run(), ax=ax),
])
def test_given_axes_are_returned_and_rcparams_untouched(draw):
    before = dict(matplotlib.rcParams)
    ax = _ax()
    assert draw(ax) is ax
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("draw", [
    lambda: energy_breakdown(_run()),
    lambda: dataflow_comparison([_run("rs"), _run("ws")]),
    lambda: utilization(_run()),
])
def test_new_figure_when_no_axes(draw):
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    ax = draw()
    try:
        assert ax.figure is not None and ax in ax.figure.axes
        ax.figure.canvas.draw()
        assert dict(matplotlib.rcParams) == before
    finally:
        plt.close(ax.figure)


def test_import_accelsim_does_not_import_matplotlib():
    code = ("import sys, accelsim, accelsim.plot; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ several runs (a compare --json document)
def _compare_doc() -> dict:
    """What ``compare --json`` writes: ``{"runs": [...]}``, here rs and ws with every layer feasible."""
    return {"runs": [_as_json(_run("rs", infeasible=())), _as_json(_run("ws", infeasible=()))]}


def test_breakdown_of_several_runs_draws_every_run(as_input):
    """Issue 12 (7): every run of a compare document is drawn, grouped by layer, each bar named."""
    runs = [_run("rs", infeasible=()), _run("ws")]
    ax = energy_breakdown([as_input(r) for r in runs], ax=_ax())
    stacks = _stacks(ax)
    assert list(stacks) == list(LEVELS)
    # 3 layers x 2 runs, layer-major: (conv1, rs), (conv1, ws), (conv2, rs), ...
    expected = [_level_sums(run.layers[i].energy) if run.layers[i].ok else None
                for i in range(3) for run in runs]
    for k, exp in enumerate(expected):
        bottom = 0.0
        for seg in LEVELS:
            rect = stacks[seg][k]
            assert rect.get_y() == pytest.approx(bottom)
            assert rect.get_height() == pytest.approx(0.0 if exp is None else exp[seg])
            bottom += rect.get_height()
    centres = [p.get_x() + p.get_width() / 2 for p in stacks["ALU"]]
    assert centres == sorted(centres) and len(set(centres)) == 6
    # each bar carries its run's name (minor ticks), each group its layer's (major ticks)
    assert [t.get_text() for t in ax.get_xticklabels(minor=True)] == ["rs", "ws"] * 3
    assert ax.get_xticks(minor=True) == pytest.approx(centres)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["conv1", "conv2", "fc1"]
    assert "rs" in ax.get_title() and "ws" in ax.get_title()
    assert list(_marks(ax).values()) == ["infeasible"]  # ws's conv2


def test_breakdown_accepts_the_compare_document_itself():
    ax = energy_breakdown(_compare_doc(), ax=_ax())
    assert all(len(bars) == 6 for bars in _stacks(ax).values())
    # three runs: the middle bar of a group sits on the group's tick and keeps its own label
    doc = {"runs": _compare_doc()["runs"] + [_as_json(_run("osa", infeasible=()))]}
    ax = energy_breakdown(doc, ax=_ax())
    assert len(ax.xaxis.get_minorticklocs()) == 9
    assert [t.get_text() for t in ax.get_xticklabels(minor=True)] == ["rs", "ws", "osa"] * 3


def test_utilization_of_several_runs_has_a_bar_set_per_run():
    runs = [_run("rs", infeasible=()), _run("ws")]
    ax = utilization(runs, ax=_ax())
    assert [c.get_label() for c in ax.containers] == ["rs", "ws"]
    assert [p.get_height() for p in ax.containers[0].patches] == pytest.approx([3 / 12, 12 / 12, 9 / 12])
    assert [p.get_height() for p in ax.containers[1].patches] == pytest.approx([3 / 12, 0.0, 9 / 12])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["rs", "ws"]
    assert "rs" in ax.get_title() and "ws" in ax.get_title()


def test_titles_name_the_layers_shown():
    """Issue 12 (7): a breakdown of chosen layers says which in its title."""
    ax = energy_breakdown(_run(), layers=["fc1"], ax=_ax())
    assert ax.get_title() == "tiny on x, rs, N=1, layer fc1"
    ax = energy_breakdown(_run(), layers=["conv1", "fc1"], ax=_ax())
    assert ax.get_title().endswith("layers conv1, fc1")
    assert energy_breakdown(_run(), ax=_ax()).get_title() == "tiny on x, rs, N=1"


def test_breakdown_log_scale():
    """Issue 12 (7): FC bars ~10x the CONV ones need a log axis (``--log``) to show both."""
    ax = energy_breakdown(_run(infeasible=()), log=True, ax=_ax())
    assert ax.get_yscale() == "log"
    assert "log scale" in ax.get_ylabel()
    bottom, top = ax.get_ylim()
    stacks = list(zip(*(c.patches for c in ax.containers)))
    lowest = min(next(p.get_y() + p.get_height() for p in bars if p.get_height() > 0) for bars in stacks)
    tallest = max(sum(p.get_height() for p in bars) for bars in stacks)
    assert 0 < bottom <= lowest and top >= tallest  # every stack's first segment shows
    assert bottom > lowest / 10  # and the axis starts at most a decade below it
    assert energy_breakdown(_run(), ax=_ax()).get_yscale() == "linear"


def test_cli_document_plots_draw_every_run(tmp_path):
    """``accelsim plot compare.json --kind breakdown|utilization`` draws every run; --where picks some."""
    import argparse

    from accelsim.cli.plot import _run_draw

    runs = _compare_doc()["runs"]
    base = dict(results="c.json", layer=None, by="level", x=None, y=None, hue=None, where=None, case=None,
                log=False)
    ax = _ax()
    _run_draw(argparse.Namespace(**base, kind="breakdown"), runs)(ax)
    assert all(len(bars) == 6 for bars in _stacks(ax).values())
    ax = _ax()
    _run_draw(argparse.Namespace(**base, kind="utilization"), runs)(ax)
    assert [c.get_label() for c in ax.containers] == ["rs", "ws"]
    ax = _ax()
    _run_draw(argparse.Namespace(**dict(base, where=["dataflow=ws"], log=True), kind="breakdown"), runs)(ax)
    assert all(len(bars) == 3 for bars in _stacks(ax).values())
    assert "dataflow=ws" in ax.get_title() and ax.get_yscale() == "log"


def test_cli_document_where_errors(tmp_path, capsys):
    from accelsim.cli.main import main

    path = tmp_path / "c.json"
    path.write_text(json.dumps(_compare_doc()))
    for where, needle in (("dataflow=osa", "no run has dataflow=osa; dataflow: rs, ws"),
                          ("colour=red", "no field 'colour'")):
        code = main(["plot", str(path), "--kind", "breakdown", "--where", where, "-o", str(tmp_path / "f.png")])
        err = capsys.readouterr().err
        assert code == 2 and needle in err and "--where" in err and len(err.strip().splitlines()) == 1


def test_cli_run_plot_log(tmp_path, monkeypatch):
    """``accelsim run ... --plot f.png --log`` draws the breakdown on a log axis."""
    import accelsim.cli.main as cli_main

    drawn = []
    monkeypatch.setattr(cli_main, "save_plot", lambda draw, path, option: drawn.append(draw(_ax())))
    (tmp_path / "w.yaml").write_text("version: 1\nname: w\nlayers:\n"
                                     "  - {name: c1, M: 8, C: 4, H: 10, W: 10, R: 3, S: 3}\n"
                                     "  - {name: fc, M: 16, C: 8, H: 4, W: 4, R: 4, S: 4}\n")
    for extra, scale in (([], "linear"), (["--log"], "log")):
        assert cli_main.main(["run", str(tmp_path / "w.yaml"), "--plot", str(tmp_path / "f.png"), *extra]) == 0
        assert drawn[-1].get_yscale() == scale
