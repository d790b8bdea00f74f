"""The command line: ``accelsim.cli.main(argv)`` in-process (one subprocess smoke test).

The expensive runs (mapper searches) happen once per module in fixtures; the tests read their
captured output and the files they wrote.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import accelsim
from accelsim.cli.main import main
from accelsim.io.presets import list_presets, load_workload

REPO = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ISCA16 = ("rs", "ws", "osa", "osb", "osc", "nlr")
LEVELS = ("DRAM", "GLB", "NoC", "RF")
TYPES = ("ifmap", "filter", "psum")
COMPONENTS = ("ALU", "RF", "NoC", "GLB", "DRAM")
REFERENCE = REPO / "accelsim" / "reference"
# ISCA 2016 Table IV, the energy table of the eyeriss and isca16-* presets (in MAC energies)
COST = {k: float(v) for k, v in json.loads((REFERENCE / "eyeriss_isca16.json").read_text())[
    "energy_per_access_in_mac_units"].items() if k in ("RF", "NoC", "GLB", "DRAM")}
assert COST == {"RF": 1.0, "NoC": 2.0, "GLB": 6.0, "DRAM": 200.0}
# ISSCC 2016 Fig. 14.5.6: the chip's active PEs per AlexNet CONV layer (its own mappings)
_CHIP = json.loads((REFERENCE / "eyeriss_chip.json").read_text())["measured_alexnet_conv_isscc2016_fig_14_5_6"]
CHIP_ACTIVE_PES = {f"conv{i}": _CHIP[f"CONV{i}"][_CHIP["columns"].index("active_pes")] for i in range(1, 6)}


class Ran:
    """Exit code, stdout and stderr of one ``main`` call."""

    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


def cli(argv: list, capsys=None) -> Ran:
    """Run ``main(argv)`` capturing its output (capsys in tests, redirect in fixtures)."""
    if capsys is not None:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        got = capsys.readouterr()
        return Ran(code, got.out, got.err)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return Ran(code, out.getvalue(), err.getvalue())


def ok(ran: Ran) -> Ran:
    assert ran.code == 0, ran.err
    assert ran.err == ""
    return ran


def table_rows(text: str, first: str) -> list[str]:
    """Lines of a printed table whose first cell is ``first``."""
    return [line for line in text.splitlines() if line[:1].strip() and line.split()[0] == first]


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def run_rs(work):
    """``run alexnet --hardware eyeriss --dataflow rs --batch 4 --layers conv3,conv5``."""
    ran = ok(cli(["run", "alexnet", "--hardware", "eyeriss", "--dataflow", "rs", "--batch", "4",
                  "--layers", "conv3,conv5", "--json", work / "out.json", "--plot", work / "p.png"]))
    return ran, json.loads((work / "out.json").read_text())


@pytest.fixture(scope="module")
def compare16(work):
    """``compare alexnet --setup isca16 --pes 256 --batch 16 --layers conv3``, all six dataflows."""
    ran = ok(cli(["compare", "alexnet", "--setup", "isca16", "--pes", "256", "--batch", "16",
                  "--layers", "conv3", "--json", work / "c.json", "--plot", work / "c.png"]))
    return ran, json.loads((work / "c.json").read_text())


@pytest.fixture(scope="module")
def compare64(work):
    """Batch 64, conv1 and conv3: ws cannot hold conv1's psums in its global buffer."""
    ran = cli(["compare", "alexnet", "--setup", "isca16", "--pes", "256", "--batch", "64",
               "--layers", "conv1,conv3", "--json", work / "c64.json"])
    return ran, json.loads((work / "c64.json").read_text())


# --------------------------------------------------------------------------- module entry point
def test_python_dash_m_entry_point():
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "accelsim", "list", "dataflows"], capture_output=True,
                          text=True, env=env, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert names == [*ISCA16, "sys-ws", "sys-os", "sys-is", "rs-plus"]


# --------------------------------------------------------------------------- list
@pytest.mark.parametrize("what, expected", [
    ("workloads", {"alexnet", "vgg16", "resnet50", "mobilenet_v1"}),
    ("hardware", {"eyeriss", "isca16-256-rs", "isca16-256-ws", "isca16-1024-nlr"}),
    ("dataflows", set(ISCA16)),
    ("energy", {"isca16", "65nm-pj"}),
])
def test_list(capsys, what, expected):
    ran = ok(cli(["list", what], capsys))
    names = {line.split()[0] for line in ran.out.splitlines() if line.strip()}
    assert expected <= names


def test_list_mappings(capsys):
    # the mapping presets directory may be empty; listing it must still work
    ran = ok(cli(["list", "mappings"], capsys))
    names = [line.strip() for line in ran.out.splitlines() if line.strip()]
    assert names == list_presets("mappings")


# --------------------------------------------------------------------------- run
def test_run_prints_tables(run_rs):
    ran, _ = run_rs
    assert "alexnet on eyeriss" in ran.out
    for first in ("conv3", "conv5", "total"):
        assert table_rows(ran.out, first), f"no {first} row in\n{ran.out}"
    assert "charged accesses" in ran.out
    for level in LEVELS:
        assert table_rows(ran.out, level), f"no {level} row in the access table"
    assert "infeasible" not in ran.out


def test_run_json_follows_the_schema(run_rs):
    _, doc = run_rs
    assert {"accelsim_version", "hardware", "dataflow", "engine", "energy_unit", "batch", "layers",
            "total"} <= set(doc)
    assert doc["accelsim_version"] == accelsim.__version__
    assert (doc["hardware"], doc["dataflow"], doc["engine"], doc["energy_unit"], doc["batch"]) == (
        "eyeriss", "rs", "analytic", "mac", 4)
    assert [r["name"] for r in doc["layers"]] == ["conv3", "conv5"]
    for rec in doc["layers"]:
        assert {"name", "macs", "active_pes", "utilization", "cycles", "mapping", "accesses", "energy",
                "energy_total"} <= set(rec)
        assert isinstance(rec["macs"], int) and isinstance(rec["cycles"], int)
        assert isinstance(rec["active_pes"], int) and 0 < rec["active_pes"] <= 12 * 14
        assert rec["utilization"] == pytest.approx(rec["active_pes"] / (12 * 14))
        assert rec["cycles"] > 0
        assert rec["mapping"]["loops"], "the mapping used must be recorded"
        _check_breakdowns(rec["accesses"], rec["energy"])
        assert isinstance(rec["energy_total"], float)
    tot = doc["total"]
    assert {"macs", "cycles", "energy_total", "energy", "accesses"} <= set(tot)
    _check_breakdowns(tot["accesses"], tot["energy"])


def _check_breakdowns(accesses: dict, energy: dict) -> None:
    assert list(accesses) == list(LEVELS)
    for level in LEVELS:
        assert list(accesses[level]) == list(TYPES)
        for t in TYPES:
            stats = accesses[level][t]
            keys = ("deliveries",) if level == "NoC" else ("reads", "writes")
            for key in keys:
                assert isinstance(stats[key], int) and stats[key] >= 0
    assert list(energy) == list(COMPONENTS)
    assert isinstance(energy["ALU"], float)
    for comp in COMPONENTS[1:]:
        assert list(energy[comp]) == list(TYPES)
        assert all(isinstance(v, float) for v in energy[comp].values())


def _energy_sum(energy: dict) -> float:
    return energy["ALU"] + sum(sum(energy[c].values()) for c in COMPONENTS[1:])


def _shape_macs(shape: dict) -> int:
    n, m, c, g = shape["N"], shape["M"], shape["C"], shape["G"]
    e = (shape["H"] - shape["R"]) // shape["U"] + 1
    f = (shape["W"] - shape["S"]) // shape["U"] + 1
    return n * m * (c // g) * e * f * shape["R"] * shape["S"]


def test_run_json_numbers_are_consistent(run_rs):
    _, doc = run_rs
    layers = {lyr.name: lyr for lyr in load_workload("alexnet").layers}
    for rec in doc["layers"]:
        lyr = layers[rec["name"]]
        shape = {"N": 4, "M": lyr.M, "C": lyr.C, "G": lyr.G, "H": lyr.H, "W": lyr.W, "R": lyr.R,
                 "S": lyr.S, "U": lyr.U}
        assert rec["macs"] == _shape_macs(shape)
        assert rec["energy_total"] == pytest.approx(_energy_sum(rec["energy"]), rel=1e-12)
        # energy = charged accesses x Table IV (inputs on reads, psums on reads + writes), less what
        # the eyeriss preset's zero gating skips, with DRAM charged on the RLC-compressed words
        gating, rlc = rec["gating"], rec["dram_compressed"]
        assert rec["energy"]["ALU"] == rec["macs"] - gating["gated_macs"]
        acc, en = rec["accesses"], rec["energy"]
        for level in ("RF", "GLB", "DRAM"):
            for t in TYPES:
                words = acc[level][t]["reads"] + (acc[level][t]["writes"] if t == "psum" else 0)
                if (level, t) == ("RF", "filter"):
                    words -= gating["gated_filter_rf_reads"]
                if level == "DRAM":
                    words = rlc["psum_reads"] + rlc["psum_writes"] if t == "psum" else rlc[f"{t}_reads"]
                assert en[level][t] == pytest.approx(words * COST[level])
        for t in TYPES:
            assert en["NoC"][t] == pytest.approx(acc["NoC"][t]["deliveries"] * COST["NoC"])
        # every ofmap word reaches DRAM once, every MAC reads one ifmap and one filter word in the RF
        assert acc["DRAM"]["psum"]["writes"] >= 4 * lyr.M * lyr.E * lyr.F
        assert acc["RF"]["ifmap"]["reads"] == rec["macs"] == acc["RF"]["filter"]["reads"]
    tot = doc["total"]
    assert tot["macs"] == sum(r["macs"] for r in doc["layers"])
    assert tot["cycles"] == sum(r["cycles"] for r in doc["layers"])
    assert tot["energy_total"] == pytest.approx(sum(r["energy_total"] for r in doc["layers"]), rel=1e-12)
    assert tot["energy_total"] == pytest.approx(_energy_sum(tot["energy"]), rel=1e-12)
    for level in LEVELS:
        for t in TYPES:
            for key, value in tot["accesses"][level][t].items():
                assert value == sum(r["accesses"][level][t][key] for r in doc["layers"])


def test_run_plot_is_a_png(run_rs, work):
    ran, _ = run_rs
    data = (work / "p.png").read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000
    assert "plot saved to" in ran.out


def test_run_user_hardware_yaml(tmp_path, capsys):
    text = (REPO / "workloads" / "hardware" / "isca16-256-ws.yaml").read_text()
    assert "name: isca16-256-ws" in text
    path = tmp_path / "my.yaml"
    path.write_text(text.replace("name: isca16-256-ws", "name: my-ws"))
    ran = ok(cli(["run", "alexnet", "--hardware", path, "--dataflow", "ws", "--layers", "conv3",
                  "--json", tmp_path / "my.json"], capsys))
    assert "alexnet on my-ws | dataflow ws" in ran.out
    doc = json.loads((tmp_path / "my.json").read_text())
    assert (doc["hardware"], doc["dataflow"]) == ("my-ws", "ws")
    rec = doc["layers"][0]
    assert rec["status"] == "ok" and rec["macs"] == load_workload("alexnet").select(["conv3"]).macs
    assert 0 < rec["active_pes"] <= 256


def test_array_override(tmp_path, capsys):
    common = ["run", "alexnet", "--layers", "conv3", "--hardware", "eyeriss"]
    ok(cli([*common, "--json", tmp_path / "full.json"], capsys))
    ran = ok(cli([*common, "--array", "8x8", "--json", tmp_path / "small.json"], capsys))
    full = json.loads((tmp_path / "full.json").read_text())
    small = json.loads((tmp_path / "small.json").read_text())
    assert small["hardware"] == "eyeriss@8x8" and "eyeriss@8x8" in ran.out
    a, b = full["layers"][0], small["layers"][0]
    assert b["status"] == "ok" and b["macs"] == a["macs"]
    assert b["active_pes"] <= 64
    assert b["utilization"] == pytest.approx(b["active_pes"] / 64)
    assert a["active_pes"] > 64, "the case should need the override to change the mapping"
    assert (b["mapping"], b["cycles"]) != (a["mapping"], a["cycles"])


# --------------------------------------------------------------------------- compare
def test_compare_all_six_dataflows(compare16, work):
    ran, doc = compare16
    assert [df for df in ISCA16 if len(table_rows(ran.out, df)) == 1] == list(ISCA16), ran.out
    assert "infeasible:" not in ran.out
    assert list(doc) == ["runs"] and len(doc["runs"]) == 6
    assert [r["dataflow"] for r in doc["runs"]] == list(ISCA16)
    for run in doc["runs"]:
        assert run["hardware"] == f"isca16-256-{run['dataflow']}"
        assert run["batch"] == 16
        (rec,) = run["layers"]
        assert rec["name"] == "conv3" and rec["status"] == "ok"
        assert rec["macs"] == 16 * load_workload("alexnet").select(["conv3"]).macs
        assert rec["active_pes"] <= 256
    data = (work / "c.png").read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000


def test_compare_reports_an_infeasible_layer(compare64):
    ran, doc = compare64
    # issue 12: an infeasible layer exits 3 (was 0) after the table and the JSON; 6 runs x 2 layers
    assert ran.code == 3 and "1 of 12 layers infeasible" in ran.err, ran.err
    ws_rows = table_rows(ran.out, "ws")
    assert len(ws_rows) == 1 and ws_rows[0].split()[-1] == "conv1", ran.out
    for df in ISCA16:
        if df != "ws":
            (row,) = table_rows(ran.out, df)
            assert row.split()[-1] == "-", row
    # the reason is printed under the table too
    notes = ran.out.split("infeasible:\n", 1)[1]
    assert "ws conv1:" in notes and "global buffer" in notes
    runs = {r["dataflow"]: r for r in doc["runs"]}
    assert set(runs) == set(ISCA16)
    bad = runs["ws"]["layers"][0]
    assert bad["name"] == "conv1" and bad["status"] == "infeasible"
    assert bad["reason"] and "global buffer" in bad["reason"]
    assert bad["macs"] == 0 and bad["energy_total"] == 0
    assert runs["ws"]["layers"][1]["status"] == "ok"
    assert runs["ws"]["total"]["infeasible_layers"] == ["conv1"]
    assert runs["ws"]["total"]["macs"] == runs["ws"]["layers"][1]["macs"]
    for df, run in runs.items():
        if df == "ws":
            continue
        assert all(r["status"] == "ok" and r["macs"] > 0 and r["energy_total"] > 0 for r in run["layers"])
        assert run["total"]["infeasible_layers"] == []


def test_compare_jobs_two_equals_jobs_one(tmp_path, capsys):
    common = ["compare", "alexnet", "--setup", "isca16", "--pes", "256", "--batch", "4", "--layers",
              "conv3,conv5", "--dataflows", "rs,osa"]
    one = ok(cli([*common, "--jobs", "1", "--json", tmp_path / "j1.json"], capsys))
    two = ok(cli([*common, "--jobs", "2", "--json", tmp_path / "j2.json"], capsys))
    j1 = json.loads((tmp_path / "j1.json").read_text())
    j2 = json.loads((tmp_path / "j2.json").read_text())
    assert [r["dataflow"] for r in j2["runs"]] == ["rs", "osa"]
    assert j1 == j2
    assert one.out.replace(str(tmp_path / "j1.json"), "") == two.out.replace(str(tmp_path / "j2.json"), "")


def test_compare_on_one_hardware(capsys):
    ran = ok(cli(["compare", "alexnet", "--hardware", "eyeriss", "--layers", "conv5", "--dataflows",
                  "rs,osb"], capsys))
    assert [r.split()[1] for r in (*table_rows(ran.out, "rs"), *table_rows(ran.out, "osb"))] == [
        "eyeriss", "eyeriss"]


# --------------------------------------------------------------------------- mapping, plot
def test_mapping_show(capsys):
    ran = ok(cli(["mapping", "show", "alexnet", "--layers", "conv3", "--hardware", "eyeriss"], capsys))
    assert "== conv3 (rs on eyeriss, N=1)" in ran.out
    assert "spatial-row R in 3" in ran.out  # RS spreads filter rows over PE rows
    assert ran.out.count(" for ") >= 2 and "-- keep" in ran.out
    assert "active PEs" in ran.out and "mappings considered" in ran.out


def test_plot_saved_documents(run_rs, compare16, work, capsys):
    ok(cli(["plot", work / "c.json", "--kind", "compare", "-o", work / "x.png"], capsys))
    ok(cli(["plot", work / "out.json", "--kind", "breakdown", "-o", work / "y.png"], capsys))
    ok(cli(["plot", work / "out.json", "--kind", "utilization", "-o", work / "u.svg"], capsys))
    for name in ("x.png", "y.png"):
        data = (work / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 1000
    assert b"<svg" in (work / "u.svg").read_bytes()[:2000]


def test_plot_document_with_an_infeasible_layer(compare64, work, capsys):
    ok(cli(["plot", work / "c64.json", "--kind", "compare", "-o", work / "c64.png"], capsys))
    assert (work / "c64.png").read_bytes().startswith(PNG_MAGIC)


def test_mapping_file_with_a_layer_subset(capsys):
    """``--mapping`` is read against the whole workload, so ``--layers`` may pick fewer layers
    than the file maps; ``mapping show --mapping`` prints the file's (ragged) nest."""
    assert main(["run", "alexnet", "--layers", "conv3", "--batch", "4", "--mapping", "eyeriss-jssc"]) == 0
    out = capsys.readouterr().out
    row = table_rows(out, "conv3")[0]  # the layer table (the data-effects table follows)
    assert row.split()[1] == f"{load_workload('alexnet').with_batch(4).select(['conv3']).macs:,}"
    # the PEs column of the layer table: the chip's measured 156 (exact: a structural count)
    assert CHIP_ACTIVE_PES["conv3"] == 156 and int(row.split()[2]) == CHIP_ACTIVE_PES["conv3"], row
    assert main(["mapping", "show", "alexnet", "--layers", "conv2", "--batch", "4", "--mapping", "eyeriss-jssc"]) == 0
    out = capsys.readouterr().out
    # E = 27 on a 5 x 27 set split 14 + 13 columns: padded to 28, 135 = 5 x 27 PEs active
    assert "-- ragged: E 28 for 27" in out and f"active PEs {CHIP_ACTIVE_PES['conv2']}" in out
    assert CHIP_ACTIVE_PES["conv2"] == 135
