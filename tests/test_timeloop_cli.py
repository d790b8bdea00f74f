"""``--semantics`` on the command line (issue 15, parts 2 and 3): Timeloop's numbers from ``run``
and ``compare``, in the terminal and in the ``--json`` records, and both accountings side by side.

Every reference case of :mod:`timeloop_cases` (Timeloop runs from
Accelergy-Project/timeloop-accelergy-exercises; each case's folder name is its citation and
its ``expect`` holds the numbers of its ``stats.txt``) is written as Timeloop YAML, imported with
``accelsim import timeloop`` and run with ``accelsim run --semantics <the case's era> --json``:
the record's ``"timeloop"`` object carries Timeloop's per-level, per-data-space counts and
``cycles`` Timeloop's cycle count (docs/architecture.md, *Results*).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from timeloop_cases import BY_FOLDER, CASES, write_case

from accelsim.cli.main import main

FIELDS = ("partition_size", "utilized_capacity", "instances", "reads", "fills", "updates")


def _cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def _import(case, where: Path) -> dict[str, Path]:
    """The case written as Timeloop files and imported: accelsim's files by role."""
    paths = write_case(case, where / "in")
    out = where / "out"
    code, _, err = _cli(["import", "timeloop", paths["arch"], paths["problem"], paths["mapping"], "--ert",
                         paths["ert"], "-o", out])
    assert code == 0, err
    return {"workload": out / "problem.yaml", "hardware": out / "arch.yaml", "mapping": out / "mapping.mapping.yaml"}


def _run(files: dict, *extra) -> tuple[int, str, str]:
    return _cli(["run", files["workload"], "--hardware", files["hardware"], "--mapping", files["mapping"], *extra])


@pytest.fixture(scope="module")
def micro(tmp_path_factory):
    """Case 2020-exercises-01-conv1d-2level-os (Conv1D R=3 P=16 on MainMemory -> Buffer) imported."""
    return _import(BY_FOLDER["2020-exercises-01-conv1d-2level-os"], tmp_path_factory.mktemp("micro"))


# --------------------------------------------------------------------------- the contract, every case
@pytest.mark.parametrize("case", CASES, ids=[c.folder for c in CASES])
def test_run_json_carries_timeloops_counts(case, tmp_path):
    files = _import(case, tmp_path)
    batch = case.instance.get("N", 1)
    code, out, err = _run(files, "--semantics", case.semantics, "--batch", batch, "--json", tmp_path / "r.json")
    assert code == 0, err
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["semantics"] == case.semantics
    rec = doc["layers"][0]
    assert rec["macs"] == case.macs
    assert rec["cycles"] == case.cycles == doc["total"]["cycles"]  # Timeloop's (MACs per utilized PE)
    assert isinstance(rec["accelsim_cycles"], int) and rec["accelsim_cycles"] > 0
    got = {(level, space): tuple(s[f] for f in FIELDS) for level, spaces in rec["timeloop"].items()
           for space, s in spaces.items()}
    assert got == case.expect
    assert rec["timeloop_energy_pj"] == pytest.approx(case.energy_pj, rel=0.01)
    # the terminal table shows the same rows (levels innermost first, as stats.txt)
    level, space = next(iter(case.expect))
    p, c, n, r, f, u = case.expect[level, space]
    assert f"{level}  " in out and f"{r:,}" in out and f"cycles {case.cycles:,}" in out


# --------------------------------------------------------------------------- output
def test_default_is_accelsims_accounting_unchanged(micro, tmp_path):
    code_a, out_a, _ = _run(micro, "--json", tmp_path / "a.json")
    code_b, out_b, _ = _run(micro, "--semantics", "accelsim", "--json", tmp_path / "b.json")
    assert code_a == code_b == 0
    assert out_a.replace("a.json", "") == out_b.replace("b.json", "")
    a, b = (json.loads((tmp_path / n).read_text()) for n in ("a.json", "b.json"))
    assert a == b and "timeloop" not in a["layers"][0] and "semantics" not in a
    assert "Timeloop" not in out_a


def test_timeloop_only_prints_timeloops_table(micro):
    code, out, _ = _run(micro, "--semantics", "timeloop-2020")
    assert code == 0
    assert "charged accesses" not in out  # accelsim's tables are not shown
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("level"))
    # case 2020-exercises-01 (stats.txt): Buffer Outputs reads 32, fills 16, updates 48; inner level first
    assert lines[head + 2].split() == ["Buffer", "Weights", "3", "3", "1", "48", "3", "0", "48", "3", "0"]
    assert ["Buffer", "Outputs", "16", "1", "1", "32", "16", "48", "32", "16", "48"] in [ln.split() for ln in lines]
    assert "cycles 48 (MACs per utilized PE)" in out


def test_side_by_side_names_where_the_models_differ(micro):
    code, out, _ = _run(micro, "--semantics", "accelsim,timeloop-2020")
    assert code == 0
    assert "charged accesses" in out and "timeloop-2020 (TL) vs accelsim (ours)" in out
    rows = {tuple(ln.split()[:3]): ln.split() for ln in out.splitlines() if ln.split()[:1] in (["Buffer"],
                                                                                             ["MainMemory"])}
    # Timeloop 2020 counts the 16 psums coming back to the Buffer as fills; accelsim counts none
    buffer_out = rows["Buffer", "RF", "Outputs"]
    assert buffer_out[3:9] == ["32", "32", "16", "-", "48", "48"] and " ".join(buffer_out[9:]) == "psum fills"
    assert rows["Buffer", "RF", "Weights"][3:] == ["48", "48", "3", "3", "0", "0", "-"]
    assert "1 of 6 rows differ" in out
    assert "psum fills: Timeloop counts psums coming back down as fills" in out
    # the 2024 rule elides the first arrival: no fills, the models agree
    code, out, _ = _run(micro, "--semantics", "timeloop-2024,accelsim")
    assert code == 0 and "0 of 6 rows differ" in out


def test_cycle_engine_under_timeloop_semantics(tmp_path):
    """The Timeloop record is computed from the nest the cycle engine ran: the same as the
    analytic engine's; the cycle engine's own cycles stay in accelsim_cycles and timing."""
    case = BY_FOLDER["2024-example-eyeriss_like-default_problem"]
    files = _import(case, tmp_path)
    docs = {}
    for engine in ("analytic", "cycle"):
        code, out, err = _run(files, "--semantics", "timeloop-2024", "--engine", engine, "--no-progress", "--json",
                              tmp_path / f"{engine}.json")
        assert code == 0, err
        docs[engine] = json.loads((tmp_path / f"{engine}.json").read_text())["layers"][0]
    a, c = docs["analytic"], docs["cycle"]
    assert a["timeloop"] == c["timeloop"] and a["cycles"] == c["cycles"] == case.cycles
    assert c["timing"]["verified"] and c["accelsim_cycles"] == c["timing"]["cycles"]
    assert c["accesses"] == a["accesses"]  # accelsim's counts: the engines agree
    assert "verified: output matches reference" in out and "its own counts and cycles are accelsim's" in out


def test_compare_carries_timeloop_records(tmp_path):
    wl = tmp_path / "w.yaml"
    wl.write_text("version: 1\nname: tiny\nsource: test\nlayers:\n  - {name: c, M: 8, C: 4, H: 10, W: 10, R: 3, "
                  "S: 3}\n")
    code, out, err = _cli(["compare", wl, "--hardware", "eyeriss", "--dataflows", "rs,ws", "--budget", "quick",
                           "--semantics", "accelsim,timeloop-2024", "--json", tmp_path / "c.json"])
    assert code == 0, err
    doc = json.loads((tmp_path / "c.json").read_text())
    assert [r["dataflow"] for r in doc["runs"]] == ["rs", "ws"]
    for run in doc["runs"]:
        rec = run["layers"][0]
        assert run["semantics"] == "timeloop-2024"
        assert set(rec["timeloop"]) >= {"DRAM"} and set(rec["timeloop"]["DRAM"]) == {"Weights", "Inputs", "Outputs"}
        assert rec["cycles"] * rec["timeloop_utilized_pes"] == rec["macs"] == 8 * 4 * 8 * 8 * 9
    assert "energy per MAC" in out and "Timeloop's semantics (TL) vs accelsim's (ours)" in out


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("value,message", [
    ("timeloop-2023", "unknown semantics 'timeloop-2023'"),
    ("timeloop-2020,timeloop-2024", "one Timeloop era at a time"),
    ("accelsim,accelsim", "repeats a semantics"),
    (",", "give one of accelsim"),
])
def test_bad_semantics_is_one_line_exit_2(micro, value, message):
    code, out, err = _run(micro, "--semantics", value)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("accelsim: error: --semantics: ") and message in err


def test_semantics_refuses_what_timeloop_cannot_count(micro, tmp_path):
    code, _, err = _run(micro, "--semantics", "timeloop-2024", "--ragged")
    assert code == 2 and "--semantics: --ragged searches imperfect factorisations" in err
    padded = tmp_path / "padded.yaml"  # F=16 as 3 x 6: an imperfect factorisation
    text = micro["mapping"].read_text()
    assert "- [F, 16, temporal, noc]" in text
    padded.write_text(text.replace("- [F, 16, temporal, noc]", "- [F, 3, temporal, noc]\n    - [F, 6, temporal, noc]"))
    code, _, err = _cli(["run", micro["workload"], "--hardware", micro["hardware"], "--mapping", padded,
                         "--semantics", "timeloop-2024"])
    assert code == 2, err
    assert "imperfect factorisation" in err and err.count("\n") == 1


def test_systolic_mapper_stays_on_plain_nests_under_timeloop_semantics(tmp_path):
    """The systolic mapper may flatten (im2col) loops, which Timeloop's semantics cannot count: under
    a Timeloop semantics it searches plain nests only, so every layer is reported (no late refusal
    after the work); ``--mapping scalesim`` (flattened by construction) is refused before any work."""
    wl = tmp_path / "w.yaml"  # a 13x13 ofmap: on 12x14 sys-os the mapper flattens it without the switch
    wl.write_text("version: 1\nname: odd\nsource: test\nlayers:\n  - {name: c, M: 16, C: 8, H: 15, W: 15, R: 3, "
                  "S: 3}\n")
    base = ["run", wl, "--hardware", "tpu-like", "--array", "12x14", "--dataflow", "sys-os", "--force-dataflow",
            "--objective", "cycles", "--budget", "quick"]
    code, _, err = _cli([*base, "--json", tmp_path / "own.json"])
    assert code == 0, err
    own = json.loads((tmp_path / "own.json").read_text())["layers"][0]
    assert any(loop[0].startswith("(") for loop in own["mapping"]["loops"])  # a flattened group, e.g. (N,E,F)
    code, _, err = _cli([*base, "--semantics", "timeloop-2024", "--json", tmp_path / "tl.json"])
    assert code == 0, err
    rec = json.loads((tmp_path / "tl.json").read_text())["layers"][0]
    assert not any(loop[0].startswith("(") for loop in rec["mapping"]["loops"])
    assert rec["status"] == "ok" and rec["cycles"] * rec["timeloop_utilized_pes"] == rec["macs"]
    code, out, err = _cli(["compare", wl, "--hardware", "tpu-like", "--array", "12x14", "--dataflows", "sys-os",
                           "--mapping", "scalesim", "--semantics", "timeloop-2024"])
    assert code == 2 and out == "" and "--semantics" in err and err.count("\n") == 1
