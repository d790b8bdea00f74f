"""accelsim.plot cycle-engine plots: drawn data must equal the cycle engine's timing and trace.

PE heat map (image array = utilisation grid), traffic over time (line y = trace words ÷ bin
cycles), stall bars (heights = stall cycles by cause), from live results, their JSON documents
and the ``.npz`` of ``accelsim run --engine cycle --trace``; and ``accelsim plot t.npz``.
"""

from __future__ import annotations

import argparse
import json

import matplotlib

from accelsim.layout import TR_DRAM, TR_IFMAP_BUS

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

import accelsim
from accelsim.cli.main import main
from accelsim.plot import bandwidth_over_time, pe_heatmap, read_trace, stall_breakdown
from accelsim.plot.cycle import BANDWIDTH_COLUMNS, STALL_COLORS, TRACE_COLORS
from accelsim.sim.cycle import SPARSE_STALL_CAUSES, STALL_CAUSES, TRACE_COLUMNS
from accelsim.spec.layer import ConvLayer
from accelsim.spec.result import LayerResult, RunResult, Status

SEGMENTS = ("compute", *STALL_CAUSES)


def _ax():
    return Figure().subplots()


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def hw():
    return accelsim.load_hardware("eyeriss")


@pytest.fixture(scope="module")
def tiny(hw) -> LayerResult:
    """A small layer through the cycle engine (< 1 s with a warm numba cache)."""
    return accelsim.simulate(ConvLayer(name="tiny", M=8, C=4, H=12, W=12, R=3, S=3), hw, dataflow="rs",
                             engine="cycle")


@pytest.fixture(scope="module")
def tiny_run(hw, tiny) -> RunResult:
    """Two cycle-engine layers around an infeasible one."""
    other = accelsim.simulate(ConvLayer(name="other", M=16, C=8, H=9, W=9, R=3, S=3, N=2), hw, dataflow="rs",
                              engine="cycle")
    bad = LayerResult(layer=ConvLayer(name="bad", M=2, C=2, H=3, W=3, R=3, S=3), hardware=hw.name, dataflow="rs",
                      engine="cycle", energy_unit=tiny.energy_unit, status=Status.INFEASIBLE, reason="does not fit",
                      num_pes=hw.num_pes)
    return RunResult(hardware=hw.name, dataflow="rs", engine="cycle", energy_unit=tiny.energy_unit, batch=1,
                     workload="tiny-net", layers=(tiny, bad, other), version="test")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """``accelsim run alexnet --layers conv5 --engine cycle --trace t.npz --json r.json``."""
    work = tmp_path_factory.mktemp("cycle_plot")
    code = main(["run", "alexnet", "--layers", "conv5", "--hardware", "eyeriss", "--engine", "cycle",
                 "--trace", str(work / "t.npz"), "--json", str(work / "r.json")])
    assert code == 0
    return work


def _json(obj) -> dict:
    return json.loads(json.dumps(obj.to_dict()))


def _stacks(ax) -> dict[str, list]:
    return {c.get_label(): list(c.patches) for c in ax.containers if isinstance(c, BarContainer)}


# ------------------------------------------------------------------ pe_heatmap
def test_heatmap_image_is_the_utilization_grid(tiny, hw):
    ax = _ax()
    assert pe_heatmap(tiny, ax=ax) is ax
    (image,) = ax.images
    grid = np.array(tiny.timing.pe_utilization)
    assert grid.shape == (hw.pe_rows, hw.pe_cols)
    np.testing.assert_array_equal(np.asarray(image.get_array()), grid)
    assert image.get_clim() == (0.0, 1.0)
    busy = int(np.count_nonzero(grid))
    assert busy == tiny.active_pes
    assert ax.get_title() == f"tiny: PE utilization, mean {grid.mean():.2f} ({busy}/{hw.num_pes} PEs busy)"
    assert image.colorbar is not None and len(ax.figure.axes) == 2  # the colour bar
    # the mean utilisation is busy PE-cycles over all PE-cycles
    assert grid.mean() == pytest.approx(tiny.timing.pe_busy_cycles / tiny.timing.pe_total_cycles,
                                        abs=1e-6)


def test_heatmap_from_run_json_and_layer_choice(tiny_run):
    other = tiny_run.layers[2]
    for source in (tiny_run, _json(tiny_run)):
        first = pe_heatmap(source, ax=_ax())  # default: the first layer with timing
        want = np.array(tiny_run.layers[0].timing.pe_utilization)
        np.testing.assert_array_equal(first.images[0].get_array(), want)
        picked = pe_heatmap(source, layer="other", ax=_ax())
        np.testing.assert_array_equal(picked.images[0].get_array(), np.array(other.timing.pe_utilization))
        assert picked.get_title().startswith("other: ")
        with pytest.raises(KeyError, match=r"conv9.*tiny, bad, other"):
            pe_heatmap(source, layer="conv9", ax=_ax())
        with pytest.raises(ValueError, match="infeasible"):
            pe_heatmap(source, layer="bad", ax=_ax())


def test_heatmap_from_trace_npz_equals_timing(saved):
    doc = json.loads((saved / "r.json").read_text())
    timing = doc["layers"][0]["timing"]
    want = np.array(timing["pe_utilization"])
    views = read_trace(saved / "t.npz")
    assert list(views) == ["conv5"]
    assert views["conv5"].cycles == timing["cycles"]  # recovered exactly from the trace
    with np.load(saved / "t.npz") as npz:
        busy = npz["conv5.pe_busy"]
        sources = [str(saved / "t.npz"), saved / "t.npz", npz, views["conv5"]]
        for source in sources:
            ax = pe_heatmap(source, ax=_ax())
            got = np.asarray(ax.images[0].get_array())
            np.testing.assert_allclose(got, busy / timing["cycles"], rtol=0, atol=1e-12)
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
            assert ax.get_title().startswith("conv5: PE utilization, mean ")
    # the JSON document draws the same map
    np.testing.assert_array_equal(pe_heatmap(doc, ax=_ax()).images[0].get_array(), want)


def test_read_trace_prefers_recorded_cycles(saved):
    with np.load(saved / "t.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["conv5.cycles"] = np.array(2_000_000)
    view = read_trace(arrays)["conv5"]
    assert view.cycles == 2_000_000
    np.testing.assert_allclose(view.utilization, arrays["conv5.pe_busy"] / 2_000_000)
    with pytest.raises(ValueError, match="trace"):
        read_trace({"columns": arrays["columns"]})


def test_heatmap_needs_cycle_timing(hw):
    analytic = accelsim.simulate(ConvLayer(name="a", M=8, C=4, H=12, W=12, R=3, S=3), hw, dataflow="rs")
    with pytest.raises(ValueError, match="cycle"):
        pe_heatmap(analytic, ax=_ax())
    with pytest.raises(TypeError):
        pe_heatmap(42, ax=_ax())


# ------------------------------------------------------------------ bandwidth_over_time
def _check_lines(ax, trace, bin_cycles, columns):
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == list(columns)
    x = (np.arange(trace.shape[0]) + 0.5) * bin_cycles
    for ln, col in zip(lines, columns):
        np.testing.assert_allclose(ln.get_xdata(), x)
        np.testing.assert_allclose(ln.get_ydata(), trace[:, TRACE_COLUMNS.index(col)] / bin_cycles, rtol=1e-12)
        assert matplotlib.colors.to_hex(ln.get_color()) == TRACE_COLORS[col].lower()
    assert ax.get_xlim() == pytest.approx((0.0, trace.shape[0] * bin_cycles))


def test_bandwidth_lines_are_words_per_cycle(tiny):
    ax = _ax()
    assert bandwidth_over_time(tiny, ax=ax) is ax
    bins = tiny.timing.trace_bin_cycles
    assert list(tiny.timing.trace_columns) == list(TRACE_COLUMNS)
    _check_lines(ax, tiny.trace, bins, BANDWIDTH_COLUMNS)
    assert ax.get_xlabel() == "cycle" and ax.get_ylabel() == "words per cycle"
    assert ax.get_title() == f"tiny: traffic per cycle ({bins:,}-cycle bins)"
    # the lines carry all the words the trace recorded
    total = sum(ln.get_ydata().sum() for ln in ax.get_lines()) * bins
    assert total == pytest.approx(tiny.trace[:, TR_IFMAP_BUS:TR_DRAM + 1].sum())
    assert tiny.trace[:, TR_IFMAP_BUS:TR_DRAM + 1].sum() > 0


def test_bandwidth_from_trace_npz(saved):
    with np.load(saved / "t.npz") as npz:
        trace, bins = npz["conv5.trace"], int(npz["conv5.bin_cycles"])
        for source in (saved / "t.npz", npz):
            _check_lines(bandwidth_over_time(source, ax=_ax()), trace, bins, BANDWIDTH_COLUMNS)


def test_bandwidth_columns_and_errors(tiny, tiny_run):
    ax = bandwidth_over_time(tiny_run, columns=("macs", "stall_cycles"), layer="other", ax=_ax())
    _check_lines(ax, tiny_run.layers[2].trace, tiny_run.layers[2].timing.trace_bin_cycles, ("macs", "stall_cycles"))
    assert ax.get_ylabel() == "per cycle"
    one = bandwidth_over_time(tiny, columns="dram_words", ax=_ax())
    assert [ln.get_label() for ln in one.get_lines()] == ["dram_words"]
    with pytest.raises(ValueError, match=r"'noc_words'.*ifmap_bus_words"):
        bandwidth_over_time(tiny, columns=("noc_words",), ax=_ax())
    with pytest.raises(ValueError, match="trace"):
        bandwidth_over_time(_json(tiny), ax=_ax())  # JSON documents hold no trace


# ------------------------------------------------------------------ stall_breakdown
def _expected_stacks(layers):
    out = []
    for r in layers:
        if not r.ok:
            out.append(None)
            continue
        t = r.timing.to_dict()
        out.append({"compute": t["compute_cycles"], **{c: t["stall_cycles"][c] for c in STALL_CAUSES}})
    return out


def _check_stall_bars(ax, layers):
    stacks = _stacks(ax)
    assert list(stacks) == list(SEGMENTS)
    for i, (exp, r) in enumerate(zip(_expected_stacks(layers), layers)):
        bottom = 0.0
        for seg in SEGMENTS:
            rect = stacks[seg][i]
            assert rect.get_x() + rect.get_width() / 2 == pytest.approx(i)
            assert rect.get_y() == pytest.approx(bottom)
            assert rect.get_height() == pytest.approx(0.0 if exp is None else exp[seg])
            bottom += rect.get_height()
        if exp is not None:
            assert bottom == pytest.approx(r.timing.cycles)  # compute + stalls = cycles
            assert bottom == pytest.approx(r.cycles)


def test_stall_bars_equal_timing(tiny_run):
    for source in (tiny_run, _json(tiny_run)):
        ax = stall_breakdown(source, ax=_ax())
        _check_stall_bars(ax, tiny_run.layers)
        assert [t.get_text() for t in ax.get_xticklabels()] == ["tiny", "bad", "other"]
        assert [t.get_text() for t in ax.texts] == ["infeasible"]
        assert ax.get_title() == "tiny-net on eyeriss, rs, N=1, cycles by cause"
        assert ax.get_ylabel() == "cycles"
    assert any(tiny_run.layers[0].timing.stall_cycles.values())


def test_stall_bars_real_layer_and_colours(saved):
    doc = json.loads((saved / "r.json").read_text())
    ax = stall_breakdown(doc, ax=_ax())
    stacks = _stacks(ax)
    timing = doc["layers"][0]["timing"]
    assert stacks["compute"][0].get_height() == timing["compute_cycles"]
    for cause in STALL_CAUSES:
        assert stacks[cause][0].get_height() == timing["stall_cycles"][cause]
    assert sum(p[0].get_height() for p in stacks.values()) == timing["cycles"]
    for seg, patches in stacks.items():
        assert matplotlib.colors.to_hex(patches[0].get_facecolor()) == STALL_COLORS[seg].lower()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(SEGMENTS[::-1])


def test_stall_bars_selection_single_layer_and_errors(tiny, tiny_run, hw, saved):
    ax = stall_breakdown(tiny_run, layers=["other", "tiny"], ax=_ax())
    _check_stall_bars(ax, [tiny_run.layers[2], tiny_run.layers[0]])
    _check_stall_bars(stall_breakdown(tiny, ax=_ax()), [tiny])
    with pytest.raises(KeyError, match="conv9"):
        stall_breakdown(tiny_run, layers=["conv9"], ax=_ax())
    analytic = accelsim.simulate(ConvLayer(name="a", M=8, C=4, H=12, W=12, R=3, S=3), hw, dataflow="rs")
    with pytest.raises(ValueError, match="cycle"):
        stall_breakdown(analytic, ax=_ax())
    with pytest.raises(ValueError, match="stall causes"):
        stall_breakdown(saved / "t.npz", ax=_ax())


# ------------------------------------------------------------------ axes and global state
@pytest.mark.parametrize("draw", [pe_heatmap, bandwidth_over_time, stall_breakdown])
def test_new_figure_and_rcparams_untouched(tiny, draw):
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    assert draw(tiny, ax=_ax()) is not None
    ax = draw(tiny)
    try:
        assert ax in ax.figure.axes
        ax.figure.canvas.draw()
        assert dict(matplotlib.rcParams) == before
    finally:
        plt.close(ax.figure)


# ------------------------------------------------------------------ CLI
def _cli(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_plots_a_trace(saved, capsys):
    for extra, name in (([], "h.png"), (["--kind", "utilization", "--layer", "conv5"], "u.svg"),
                        (["--kind", "bandwidth"], "b.png")):
        code, out, _ = _cli(["plot", saved / "t.npz", *extra, "-o", saved / name], capsys)
        assert code == 0 and "plot saved to" in out
        assert (saved / name).stat().st_size > 1000
    assert (saved / "h.png").read_bytes()[:4] == b"\x89PNG"
    # a trace file needs no .npz name
    (saved / "trace.bin").write_bytes((saved / "t.npz").read_bytes())
    assert _cli(["plot", saved / "trace.bin", "--kind", "bandwidth", "-o", saved / "b2.png"], capsys)[0] == 0


def test_cli_trace_draws_the_trace_data(saved):
    """What the CLI draws on its axes is the trace's data."""
    from accelsim.cli.plot import _trace_draw

    doc = json.loads((saved / "r.json").read_text())
    args = argparse.Namespace(kind="utilization", layer=None, results=str(saved / "t.npz"))
    ax = _ax()
    _trace_draw(args, saved / "t.npz")(ax)
    np.testing.assert_allclose(ax.images[0].get_array(), np.array(doc["layers"][0]["timing"]["pe_utilization"]),
                               atol=1e-9)
    args.kind, args.layer = "bandwidth", "conv5"
    ax = _ax()
    _trace_draw(args, saved / "t.npz")(ax)
    with np.load(saved / "t.npz") as npz:
        _check_lines(ax, npz["conv5.trace"], int(npz["conv5.bin_cycles"]), BANDWIDTH_COLUMNS)


def test_cli_bad_layer_is_one_line(saved, capsys):
    code, _, err = _cli(["plot", saved / "t.npz", "--kind", "bandwidth", "--layer", "conv3", "-o",
                         saved / "x.png"], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("accelsim: error: --layer: no layer 'conv3'")
    assert "available layers: conv5" in err
    assert not (saved / "x.png").exists()


@pytest.mark.parametrize("args, field", [
    (["t.npz", "--kind", "stalls"], "--kind"),
    (["t.npz", "--kind", "breakdown"], "--kind"),
    (["r.json", "--kind", "bandwidth"], "--kind bandwidth"),
    (["r.json", "--kind", "utilization", "--layer", "conv5"], "--layer"),
    (["r.json", "--kind", "stalls", "--layer", "conv1"], "--layer"),
])
def test_cli_trace_errors(saved, capsys, args, field):
    code, _, err = _cli(["plot", saved / args[0], *args[1:], "-o", saved / "e.png"], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"accelsim: error: {field}: ")


def test_cli_not_a_trace(saved, capsys):
    (saved / "fake.npz").write_text("{}")
    code, _, err = _cli(["plot", saved / "fake.npz", "-o", saved / "e.png"], capsys)
    assert code == 2
    assert err == f"accelsim: error: {saved / 'fake.npz'}: not a .npz archive; write a cycle trace with " \
                  "accelsim run ... --engine cycle --trace t.npz\n"


def test_cli_result_document_kinds_still_work(saved, capsys):
    for kind in ("breakdown", "utilization", "compare", "pareto", "stalls"):
        code, _, err = _cli(["plot", saved / "r.json", "--kind", kind, "-o", saved / f"{kind}.png"], capsys)
        assert code == 0, err
    code, _, _ = _cli(["plot", saved / "r.json", "-o", saved / "default.png"], capsys)  # breakdown
    assert code == 0
    code, _, _ = _cli(["plot", saved / "r.json", "--kind", "stalls", "--layer", "conv5", "-o", saved / "s.png"],
                      capsys)
    assert code == 0


def test_every_cause_and_column_has_a_fixed_colour():
    assert set(STALL_COLORS) == {"compute", *SPARSE_STALL_CAUSES}
    assert set(TRACE_COLORS) == set(TRACE_COLUMNS)
    assert set(BANDWIDTH_COLUMNS) <= set(TRACE_COLUMNS)


# ------------------------------------------------------------------ issue 12 (7): layout, ticks, capacities
def _cli_axes():
    """The axes ``accelsim plot`` draws on (``cli.common.save_plot``'s figure)."""
    return Figure(figsize=(9, 4.8), layout="constrained").subplots()


@pytest.mark.parametrize("shape", [(12, 14), (32, 32), (16, 16)])
def test_heatmap_fills_the_figure(shape):
    """The heat map and its colour bar span most of the figure, not ~60 % of its width."""
    grid = np.linspace(0.0, 1.0, shape[0] * shape[1]).reshape(shape)
    ax = pe_heatmap(accelsim.plot.cycle.CycleView(name="g", utilization=grid), ax=_cli_axes())
    fig = ax.figure
    fig.draw_without_rendering()  # runs the constrained layout
    left = min(a.get_position().x0 for a in fig.axes)
    right = max(a.get_position().x1 for a in fig.axes)
    assert right - left >= 0.8
    assert ax.get_position().height >= 0.6


def _overlaps(labels) -> int:
    boxes = [t.get_window_extent() for t in labels if t.get_visible() and t.get_text()]
    return sum(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


@pytest.mark.parametrize("cols", [14, 32, 168])
def test_heatmap_ticks_are_thinned_and_do_not_collide(cols):
    grid = np.full((32, cols), 0.5)
    ax = pe_heatmap(accelsim.plot.cycle.CycleView(name="g", utilization=grid), ax=_cli_axes())
    ax.figure.draw_without_rendering()
    xt = [t for t in ax.get_xticklabels() if t.get_text()]
    yt = [t for t in ax.get_yticklabels() if t.get_text()]
    assert 2 <= len(xt) <= 16 and 2 <= len(yt) <= 16
    assert _overlaps(xt) == 0 and _overlaps(yt) == 0
    ticks = ax.get_xticks()
    assert ticks[0] == 0 and all(float(t).is_integer() and 0 <= t < cols for t in ticks)
    if cols <= 16:
        assert list(ticks) == list(range(cols))  # every column named while they fit


def test_bandwidth_capacity_lines_and_labels(tiny, hw):
    """Each link's capacity is drawn; the legend says what each line counts."""
    from accelsim.sim.cycle import trace_capacities

    capacity = trace_capacities(hw)
    # eyeriss.yaml: GIN ifmap 1, filter 4 words/cycle; GLB 16; DRAM 1.2 (64 b at 60 MHz / 200 MHz)
    assert capacity == {"ifmap_bus_words": 1.0, "filter_bus_words": 4.0, "glb_words": 16.0, "dram_words": 1.2}
    ax = bandwidth_over_time(tiny, capacity=capacity, ax=_ax())
    _check_lines(ax, tiny.trace, tiny.timing.trace_bin_cycles, BANDWIDTH_COLUMNS)  # data lines unchanged
    caps = {c.get_gid(): c for c in ax.collections if str(c.get_gid()).startswith("capacity:")}
    assert set(caps) == {f"capacity:{col}" for col in capacity}
    for col, words in capacity.items():
        (segment,) = caps[f"capacity:{col}"].get_segments()
        assert segment[:, 1] == pytest.approx([words, words])
    assert ax.get_ylim()[1] >= max(capacity.values())
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    dram = [t for t in texts if t.startswith("DRAM")]
    psum = next(t for t in texts if t.startswith("psum"))
    assert len(dram) == 2 and "as the words cross it" in dram[0] and "capacity, 1.2 words/cycle" in dram[1]
    assert "local" in psum and "GON" in psum
    assert sum("capacity" in t for t in texts) == len(capacity)


def test_dram_line_never_exceeds_the_link(hw):
    """DRAM words are booked in the cycles they cross the link, so no trace bin holds more than
    the link carries in it (issue 12: the line showed ~46 words/cycle on a 1.2 words/cycle link
    when prefetched words were booked at the step that used them). AlexNet CONV3 at batch 4 on
    eyeriss, the chip's mapping: DRAM-heavy, with GLB prefetch."""
    import accelsim
    from accelsim.io.presets import load_mapping
    from accelsim.sim.cycle import TRACE_COLUMNS

    wl = accelsim.load_workload("alexnet").with_batch(4)
    layer = next(layer for layer in wl.layers if layer.name == "conv3")
    mapping = load_mapping("eyeriss-jssc", wl, 4)["conv3"]
    res = accelsim.simulate(layer, hw, "rs", engine="cycle", mapping=mapping)
    dram = res.trace[:, TRACE_COLUMNS.index("dram_words")]
    per_cycle = dram / res.timing.trace_bin_cycles
    assert per_cycle.max() <= hw.dram_words_per_cycle * (1 + 1e-9), per_cycle.max()
    assert per_cycle.max() > 0.5 * hw.dram_words_per_cycle  # the link is busy somewhere: the check bites


def test_trace_file_keeps_the_capacities(tmp_path, tiny_run, hw):
    from accelsim.io.results import write_trace
    from accelsim.sim.cycle import trace_capacities

    path = write_trace(tiny_run, tmp_path / "t.npz", capacity=trace_capacities(hw))
    view = read_trace(path)["tiny"]
    assert view.capacity == trace_capacities(hw)
    ax = bandwidth_over_time(path, ax=_ax())
    assert {c.get_gid() for c in ax.collections} >= {"capacity:dram_words", "capacity:glb_words"}
    # without capacities (a file written before, or none given) there are no capacity lines
    bare = write_trace(tiny_run, tmp_path / "bare.npz")
    assert read_trace(bare)["tiny"].capacity is None
    assert not bandwidth_over_time(bare, ax=_ax()).collections


def test_cli_stalls_of_several_runs_asks_for_where(saved, tmp_path, capsys):
    doc = json.loads((saved / "r.json").read_text())
    other = dict(doc, dataflow="ws")
    (tmp_path / "c.json").write_text(json.dumps({"runs": [doc, other]}))
    code = main(["plot", str(tmp_path / "c.json"), "--kind", "stalls", "-o", str(tmp_path / "s.png")])
    err = capsys.readouterr().err
    assert code == 2 and "--where" in err and "rs, ws" in err and len(err.strip().splitlines()) == 1
    assert main(["plot", str(tmp_path / "c.json"), "--kind", "stalls", "--where", "dataflow=ws",
                 "-o", str(tmp_path / "s.png")]) == 0
