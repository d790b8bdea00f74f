"""Issue 12, "what the user sees is what ran": the hardware file's dataflow is the run's default,
infeasible layers give a non-zero exit, ``--budget`` / ``--seed`` reach the mapper, ``compare``
shows utilisation, and labels say what their numbers are.

Everything runs in-process through :func:`accelsim.cli.main` on a one-layer workload small
enough for the default mapper budget to take well under a second.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from accelsim.cli.main import main
from accelsim.io.presets import list_presets, load_hardware, load_workload

REPO = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def tiny_workload(tmp_path: Path) -> Path:
    """One 3×3 conv: E = F = (10 − 3)/1 + 1 = 8."""
    return write(tmp_path / "net.yaml", """
        version: 1
        name: net
        layers:
          - {name: c1, M: 8, C: 4, H: 10, W: 10, R: 3, S: 3}
        """)


def hardware(tmp_path: Path, rows: int = 4, name: str = "hw", extra: str = "") -> Path:
    """A 4×4 GIN machine (or ``rows`` × 4) with no ``dataflow:`` unless ``extra`` gives one."""
    return write(tmp_path / f"{name}.yaml", f"""
        version: 1
        name: {name}
        pe_array: {{rows: {rows}, cols: 4}}
        rf_words: {{shared: 256}}
        glb_words: {{shared: 16384}}
        """ + textwrap.dedent(extra))


def cli(capsys, argv) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse errors
        code = exc.code
    got = capsys.readouterr()
    assert "Traceback" not in got.err
    return code, got.out, got.err


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def cells(line: str) -> list[str]:
    """The cells of a printed table row (columns are at least two spaces apart)."""
    return re.split(r"\s{2,}", line.strip())


def table(out: str, header_first: str) -> tuple[list[str], list[list[str]]]:
    """Header cells and data rows of the printed table whose header starts with ``header_first``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_first + " "))
    head = cells(lines[start])
    rows = []
    for line in lines[start + 2:]:  # skip the ---- rule
        if len(cells(line)) < 3:  # a blank line or a note after the table
            break
        rows.append(cells(line))
    return head, rows


# =========================================================================== item 1: dataflow
@pytest.mark.parametrize("preset, expected", [("isca16-256-ws", "ws"), ("tpu-like", "sys-ws")])
def test_run_defaults_to_the_hardware_files_dataflow(tmp_path, capsys, preset, expected):
    # expected: the preset file's own `dataflow:` line
    assert load_hardware(preset).dataflow.value == expected
    code, out, err = cli(capsys, ["run", tiny_workload(tmp_path), "--hardware", preset,
                                  "--json", tmp_path / "r.json"])
    assert code == 0, err
    assert f"| dataflow {expected} |" in out
    assert json.loads((tmp_path / "r.json").read_text())["dataflow"] == expected


def test_run_without_a_hardware_dataflow_keeps_rs(tmp_path, capsys):
    hw = hardware(tmp_path)
    assert load_hardware(hw).dataflow is None
    code, out, err = cli(capsys, ["run", tiny_workload(tmp_path), "--hardware", hw, "--json", tmp_path / "r.json"])
    assert code == 0, err
    assert json.loads((tmp_path / "r.json").read_text())["dataflow"] == "rs"


def test_an_imported_scalesim_config_runs_its_dataflow(tmp_path, capsys):
    """`import scalesim` writes `dataflow: sys-ws` for `Dataflow : ws`; a run needs no --dataflow."""
    csv = write(tmp_path / "t.csv", """
        Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
        L1, 10, 10, 3, 3, 4, 8, 1,
        """)
    cfg = write(tmp_path / "s.cfg", """
        [general]
        run_name = tiny_ws

        [architecture_presets]
        ArrayHeight:    4
        ArrayWidth:     4
        IfmapSramSzkB:   64
        FilterSramSzkB:  64
        OfmapSramSzkB:   64
        Dataflow : ws

        [run_presets]
        InterfaceBandwidth: CALC
        """)
    code, _, err = cli(capsys, ["import", "scalesim", csv, cfg, "-o", tmp_path / "imp"])
    assert code == 0, err
    code, out, err = cli(capsys, ["run", tmp_path / "imp" / "t.yaml", "--hardware", tmp_path / "imp" / "tiny_ws.yaml",
                                  "--json", tmp_path / "r.json"])
    assert code == 0, err
    assert json.loads((tmp_path / "r.json").read_text())["dataflow"] == "sys-ws"


def test_mapping_show_defaults_to_the_hardware_files_dataflow(tmp_path, capsys):
    code, out, err = cli(capsys, ["mapping", "show", tiny_workload(tmp_path), "--hardware", "isca16-256-ws"])
    assert code == 0, err
    assert "== c1 (ws on isca16-256-ws" in out


def test_a_conflicting_dataflow_is_an_error_naming_both(tmp_path, capsys):
    for command in (["run"], ["mapping", "show"]):
        code, out, err = cli(capsys, [*command, tiny_workload(tmp_path), "--hardware", "isca16-256-ws",
                                      "--dataflow", "osa"])
        line = one_line_error(code, err)
        assert "--dataflow" in line and "osa" in line and "ws" in line and "--force-dataflow" in line
        assert out == ""


def test_force_dataflow_runs_the_override_and_says_so(tmp_path, capsys):
    code, out, err = cli(capsys, ["run", tiny_workload(tmp_path), "--hardware", "tpu-like", "--dataflow",
                                  "sys-os", "--force-dataflow", "--json", tmp_path / "r.json"])
    assert code == 0, err
    assert "override: dataflow sys-os on tpu-like, whose hardware file says sys-ws" in out
    assert json.loads((tmp_path / "r.json").read_text())["dataflow"] == "sys-os"


def test_force_dataflow_needs_a_dataflow(tmp_path, capsys):
    code, _, err = cli(capsys, ["run", tiny_workload(tmp_path), "--force-dataflow"])
    line = one_line_error(code, err)
    assert line.startswith("accelsim: error: --force-dataflow:") and "--dataflow " in line


def test_compare_default_set_follows_the_hardware(tmp_path, capsys):
    """A systolic machine compares the three systolic dataflows, its own first."""
    code, out, err = cli(capsys, ["compare", tiny_workload(tmp_path), "--hardware", "tpu-like",
                                  "--json", tmp_path / "c.json"])
    assert code == 0, err
    runs = json.loads((tmp_path / "c.json").read_text())["runs"]
    assert [r["dataflow"] for r in runs] == ["sys-ws", "sys-os", "sys-is"]


def test_infeasible_reason_names_the_constraint(tmp_path, capsys):
    """RS pins the whole filter height R on the PE rows: R = 3 cannot fit a 1-row array."""
    code, out, err = cli(capsys, ["run", tiny_workload(tmp_path), "--hardware", hardware(tmp_path, rows=1),
                                  "--allow-infeasible", "--json", tmp_path / "r.json"])
    assert code == 0, err
    (rec,) = json.loads((tmp_path / "r.json").read_text())["layers"]
    assert rec["status"] == "infeasible"
    assert "R = 3" in rec["reason"] and "1 PE row" in rec["reason"], rec["reason"]


def test_an_infeasible_result_cannot_have_an_empty_reason():
    from accelsim.spec.result import LayerResult, Status

    layer = load_workload("alexnet").layers[0]
    with pytest.raises(ValueError, match="reason"):
        LayerResult(layer=layer, hardware="hw", dataflow="rs", engine="analytic", energy_unit="mac",
                    status=Status.INFEASIBLE, reason="")


# =========================================================================== item 2: exit codes
def test_exit_codes_live_in_cli_common_and_are_documented():
    from accelsim.cli import common

    codes = {name: value for name, value in vars(common).items() if name.startswith("EXIT_")}
    # 0 success, 2 usage error, 3 infeasible layers, 130 = 128 + SIGINT (as the shell reports ^C)
    assert sorted(codes.values()) == [0, 2, 3, 130], codes
    for doc in (REPO / "README.md", REPO / "docs" / "architecture.md"):
        text = doc.read_text(encoding="utf-8")
        documented = {int(m) for m in re.findall(r"^\| `?(\d+)`? \|", text.split("xit codes", 1)[1], re.M)}
        assert documented >= set(codes.values()), (doc.name, documented)


def test_an_infeasible_run_exits_3_after_writing_its_results(tmp_path, capsys):
    wl, hw = tiny_workload(tmp_path), hardware(tmp_path, rows=1)
    code, out, err = cli(capsys, ["run", wl, "--hardware", hw, "--json", tmp_path / "r.json",
                                  "--plot", tmp_path / "r.png"])
    assert code == 3, err
    assert (tmp_path / "r.json").is_file() and (tmp_path / "r.png").is_file()
    assert "infeasible" in out
    assert "1 of 1 layers infeasible" in err and "--allow-infeasible" in err
    code, _, err = cli(capsys, ["run", wl, "--hardware", hw, "--allow-infeasible"])
    assert code == 0 and err == ""


def test_an_infeasible_compare_and_mapping_show_exit_3(tmp_path, capsys):
    wl, hw = tiny_workload(tmp_path), hardware(tmp_path, rows=1)
    code, out, err = cli(capsys, ["compare", wl, "--hardware", hw, "--dataflows", "rs,osa",
                                  "--json", tmp_path / "c.json"])
    assert code == 3, err
    assert (tmp_path / "c.json").is_file()
    assert cli(capsys, ["compare", wl, "--hardware", hw, "--dataflows", "rs,osa", "--allow-infeasible"])[0] == 0
    assert cli(capsys, ["mapping", "show", wl, "--hardware", hw])[0] == 3
    assert cli(capsys, ["mapping", "show", wl, "--hardware", hw, "--allow-infeasible"])[0] == 0


def test_a_sweep_records_infeasible_cases_and_exits_0_unless_asked(tmp_path, capsys):
    tiny_workload(tmp_path)
    hardware(tmp_path, rows=1)
    sweep = write(tmp_path / "s.yaml", """
        version: 1
        workloads: [net.yaml]
        hardware: [hw.yaml]
        dataflows: [rs]
        """)
    code, out, err = cli(capsys, ["sweep", sweep, "--out", tmp_path / "o", "--no-progress"])
    assert code == 0, err
    assert "infeasible" in out
    code, out, err = cli(capsys, ["sweep", sweep, "--out", tmp_path / "o", "--no-progress",
                                  "--fail-on-infeasible"])
    assert code == 3, err


# =========================================================================== item 3: budget, seed
def test_budget_and_seed_reach_the_mapper(tmp_path, capsys):
    """``--budget quick --seed 7`` runs exactly ``best_mapping(..., BUDGETS[quick] with seed 7)``."""
    from dataclasses import replace

    from accelsim.search.mapper import BUDGETS, Budget, BudgetSize, best_mapping

    wl = tiny_workload(tmp_path)
    layer = load_workload(wl).layers[0]
    hw = load_hardware("eyeriss")
    for flags, budget in ((["--budget", "quick", "--seed", "7"], replace(BUDGETS[BudgetSize.QUICK], seed=7)),
                          (["--budget", "samples=300,climb=40,starts=3"], Budget(samples=300, climb=40, starts=3)),
                          ([], BUDGETS[BudgetSize.DEFAULT])):
        code, _, err = cli(capsys, ["run", wl, *flags, "--json", tmp_path / "r.json"])
        assert code == 0, err
        rec = json.loads((tmp_path / "r.json").read_text())["layers"][0]
        found = best_mapping(layer, hw, "rs", "energy", budget)
        assert rec["mappings_considered"] == found.considered, flags
        assert rec["mapping"]["loops"] == found.mapping.to_dict()["loops"], flags
    assert BUDGETS[BudgetSize.DEFAULT] == Budget()
    quick, thorough = BUDGETS[BudgetSize.QUICK], BUDGETS[BudgetSize.THOROUGH]
    assert quick.samples < Budget().samples < thorough.samples


def test_budget_on_compare_and_mapping_show(tmp_path, capsys):
    wl = tiny_workload(tmp_path)
    code, out, err = cli(capsys, ["compare", wl, "--hardware", "eyeriss", "--dataflows", "rs", "--budget",
                                  "samples=300,climb=40,starts=3", "--seed", "7", "--json", tmp_path / "c.json"])
    assert code == 0, err
    considered = json.loads((tmp_path / "c.json").read_text())["runs"][0]["layers"][0]["mappings_considered"]
    code, out, err = cli(capsys, ["mapping", "show", wl, "--hardware", "eyeriss", "--budget",
                                  "samples=300,climb=40,starts=3", "--seed", "7"])
    assert code == 0, err
    assert f"mappings considered {considered}" in out


@pytest.mark.parametrize("flags, option", [
    (["--budget", "huge"], "--budget"),
    (["--budget", "samples=0"], "--budget"),
    (["--budget", "samples=10,sample=3"], "--budget"),
    (["--budget", "samples=ten"], "--budget"),
    (["--seed", "-1"], "--seed"),
    (["--seed", str(2**32)], "--seed"),
])
def test_bad_budget_or_seed_is_one_line(tmp_path, capsys, flags, option):
    code, _, err = cli(capsys, ["run", tiny_workload(tmp_path), *flags])
    assert one_line_error(code, err).startswith(f"accelsim: error: {option}:")


def test_sweep_budget_flags_apply_unless_the_file_sets_them(tmp_path, capsys):
    tiny_workload(tmp_path)
    plain = write(tmp_path / "s.yaml", """
        version: 1
        workloads: [net.yaml]
        hardware: [eyeriss]
        dataflows: [rs]
        """)
    code, out, err = cli(capsys, ["sweep", plain, "--out", tmp_path / "o", "--no-progress", "--budget",
                                  "samples=300,climb=40,starts=3", "--seed", "7"])
    assert code == 0, err
    from accelsim.io.sweepstore import read_sweep

    (rec,), _ = read_sweep(tmp_path / "o")
    from accelsim.search.mapper import Budget, best_mapping

    found = best_mapping(load_workload(tmp_path / "net.yaml").layers[0], load_hardware("eyeriss"), "rs", "energy",
                         Budget(samples=300, climb=40, starts=3, seed=7))
    assert rec["mappings_considered"] == found.considered
    fixed = write(tmp_path / "f.yaml", plain.read_text() + "budget: {samples: 200, seed: 3}\n")
    for flags, key in ((["--budget", "quick"], "budget.samples"), (["--seed", "9"], "budget.seed")):
        code, _, err = cli(capsys, ["sweep", fixed, "--out", tmp_path / "o2", *flags])
        line = one_line_error(code, err)
        assert flags[0] in line and key in line


def test_compare_shows_pe_utilisation(tmp_path, capsys):
    wl = tiny_workload(tmp_path)
    for engine in ("analytic", "cycle"):
        code, out, err = cli(capsys, ["compare", wl, "--hardware", "eyeriss", "--dataflows", "rs",
                                      "--engine", engine, "--json", tmp_path / "c.json"])
        assert code == 0, err
        head, rows = table(out, "dataflow")
        (row,) = rows
        rec = json.loads((tmp_path / "c.json").read_text())["runs"][0]["layers"][0]
        # one layer: PEs used = its active PEs / the array's 168
        assert row[head.index("PEs used")] == f"{rec['active_pes'] / 168:.2f}"
        if engine == "cycle":
            busy = rec["timing"]["pe_cycles"]
            assert row[head.index("PE-cycle util")] == f"{busy['busy'] / busy['total']:.2f}"
        else:
            assert row[head.index("PE-cycle util")] == "-"


# =========================================================================== item 8: labels
def test_no_column_is_called_util(tmp_path, capsys):
    code, out, err = cli(capsys, ["run", tiny_workload(tmp_path), "--hardware", "eyeriss", "--engine", "cycle",
                                  "--json", tmp_path / "r.json"])
    assert code == 0, err
    rec = json.loads((tmp_path / "r.json").read_text())["layers"][0]
    run_head, (run_row, _total) = table(out, "layer")
    assert "util" not in run_head and "PEs used" in run_head
    assert run_row[run_head.index("PEs used")] == f"{rec['active_pes'] / 168:.2f}"
    timing_head, (timing_row,) = table(out.split("cycle-level timing", 1)[1].split("\n", 1)[1], "layer")
    assert "util" not in timing_head and "PE-cycle util" in timing_head
    busy = rec["timing"]["pe_cycles"]
    assert timing_row[timing_head.index("PE-cycle util")] == f"{busy['busy'] / busy['total']:.2f}"


def test_mapping_show_prints_tiles_and_occupancy(tmp_path, capsys):
    """Per level and data type, the tile in words and the buffer's occupancy; checked against
    tiles computed by hand from the saved loop nest (filter and psum tiles are products of the
    factors of the dimensions they depend on, from the tile start inward)."""
    wl = tiny_workload(tmp_path)
    code, out, err = cli(capsys, ["mapping", "show", wl, "--hardware", "eyeriss",
                                  "--save-mappings", tmp_path / "m.yaml"])
    assert code == 0, err
    from accelsim.io.yamlfile import read_yaml

    entry = read_yaml(tmp_path / "m.yaml")["layers"]["c1"]
    loops = entry["loops"]

    def tile(start, dims):
        words = 1
        for dim, factor, *_ in loops[start:]:
            words *= factor if dim in dims else 1
        return words

    filt, psum = {"G", "M", "C", "R", "S"}, {"G", "N", "M", "E", "F"}
    expected = {"DRAM": (8 * 4 * 3 * 3, 8 * 8 * 8),  # the whole tensors: M·C·R·S, M·E·F
                "GLB": (tile(entry["glb"]["filter"], filt), tile(entry["glb"]["psum"], psum)),
                "RF": (tile(entry["rf"]["filter"], filt), tile(entry["rf"]["psum"], psum))}
    head, rows = table(out, "tiles")
    assert head[1:4] == ["ifmap", "filter", "psum"]
    got = {row[0].split()[0]: row for row in rows}
    hw = load_hardware("eyeriss")
    for level, (f_words, p_words) in expected.items():
        row = got[level]
        assert int(row[2].split()[0].replace(",", "")) == f_words, (level, row)
        assert int(row[3].split()[0].replace(",", "")) == p_words, (level, row)
    # occupancy: words used of the buffer's capacity (eyeriss: RF 12+224+24 per PE, GLB 51200+4096)
    assert got["RF"][-1].endswith(f"/ {hw.rf.total_words:,}") or f"/ {hw.rf.total_words:,} " in got["RF"][-1]
    assert f"/ {hw.glb.total_words:,}" in got["GLB"][-1]


def test_readme_documents_the_mapping_file_format():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Mapping files", 1)[1].split("\n#", 1)[0]
    for word in ("`temporal`", "`row`", "`col`", "`noc`", "`tree`", "`none`", "`glb`", "`rf`"):
        assert word in section, word


def test_listed_presets_are_the_names_their_files_declare(capsys):
    """``accelsim list energy`` prints what ``--energy`` takes and the README writes (``65nm-pj``,
    ``model``): one choice per line, its name first, then what it is."""
    from accelsim.io.energychoice import parse_energy_choice
    from accelsim.io.presets import load_energy, resolve
    from accelsim.io.yamlfile import read_yaml

    for kind in ("energy", "hardware", "workloads"):
        for name in list_presets(kind):
            assert read_yaml(resolve(kind, name))["name"] == name, (kind, name)
    code, out, _ = cli(capsys, ["list", "energy"])
    names = [line.split()[0] for line in out.strip().splitlines()]
    assert code == 0 and "65nm-pj" in names and "model" in names
    for name in names:
        parse_energy_choice(name)
        if name != "model":
            load_energy(name)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"--energy ([\w-]+)", readme)) <= set(names)
