"""Design-space sweeps: the sweep file, the runner (local pool, dask), streaming, resume, failures.

The acceptance sweep (240 cases of a two-layer workload, small mapper budget) runs once per
module on a local 2-process pool; the dask and interrupted runs are compared with it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import accelsim
from accelsim.cli.main import main
from accelsim.errors import SpecError
from accelsim.io.presets import load_hardware, load_workload
from accelsim.io.sweepfile import load_sweep, sweep_from_data
from accelsim.io.sweepstore import COMPONENT_COLUMNS, TIMING_COLUMNS, read_sweep
from accelsim.drivers import sweep as sweep_mod
from accelsim.search.mapper import Budget
from accelsim.drivers.sweep import Case, cases_from_spec, load_cases, sweep, to_dataframe
from accelsim.spec.variation import VARY_FIELDS, with_field

REPO = Path(__file__).resolve().parents[1]

# the acceptance sweep and its two-layer workload: 240 cases, 480 records
ACCEPTANCE = REPO / "sweeps" / "acceptance"
N_CASES, N_LAYERS = 240, 2


def _strip(records):
    return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in records]


def _csv_rows(path: Path) -> list[tuple]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return sorted(tuple(sorted((k, v) for k, v in r.items() if k not in TIMING_COLUMNS)) for r in rows)


def _cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    for name in ("tiny.yaml", "sweep.yaml"):
        shutil.copy(ACCEPTANCE / name, root / name)
    return root


@pytest.fixture(scope="module")
def reference(work):
    """The uninterrupted local run: records and the directory it streamed to."""
    out = work / "reference"
    start = time.perf_counter()
    records = sweep(work / "sweep.yaml", n_jobs=2, progress=False, out=out)
    return records, out, time.perf_counter() - start


# --------------------------------------------------------------------------- acceptance
def test_local_pool_runs_240_cases_and_streams_them(reference, work):
    records, out, seconds = reference
    cases = load_cases(work / "sweep.yaml")
    assert len(cases) == N_CASES >= 200
    assert len({c.id for c in cases}) == N_CASES
    assert len(records) == N_CASES * N_LAYERS
    assert [r["case"] for r in records[::N_LAYERS]] == [c.id for c in cases]  # case order, then layers
    assert {r["status"] for r in records} <= {"ok", "infeasible"}
    assert sum(r["status"] == "ok" for r in records) > N_CASES
    ok = next(r for r in records if r["status"] == "ok")
    parts = sum(ok[f"energy_{c}"] for c in ("ALU", "RF", "NoC", "GLB", "DRAM"))
    assert parts == pytest.approx(ok["energy_total"])
    # what is on disk is what was returned
    on_disk, components = read_sweep(out)
    order = lambda rs: sorted(_strip(rs), key=lambda r: (r["case"], r["layer_index"]))  # noqa: E731
    assert order(on_disk) == order(records)  # the files are in completion order
    assert len(components) == 13 * sum(r["status"] == "ok" for r in records)
    assert list(components[0]) == list(COMPONENT_COLUMNS)
    by_case_layer: dict = {}
    for row in components:
        key = (row["case"], row["layer"])
        by_case_layer[key] = by_case_layer.get(key, 0.0) + row["energy"]
    for r in records:
        if r["status"] == "ok":
            assert by_case_layer[(r["case"], r["layer"])] == pytest.approx(r["energy_total"])
    print(f"\n240-case sweep, 2 local processes: {seconds:.1f} s")


def test_dask_local_cluster_gives_identical_records(reference, work):
    distributed = pytest.importorskip("distributed",
                                      reason="dask.distributed not installed (pip install accelsim[dask])")
    records, _, _ = reference
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        got = sweep(work / "sweep.yaml", scheduler=cluster.scheduler_address, progress=False)
    assert _strip(got) == _strip(records)


def test_rerun_with_same_out_resumes_without_running_anything(reference, work, monkeypatch):
    records, out, _ = reference
    monkeypatch.setattr(sweep_mod, "run_case", lambda case: pytest.fail(f"case {case.id} ran again"))
    again = sweep(work / "sweep.yaml", n_jobs=1, progress=False, out=out)
    assert again == records  # read back from records.csv with the same types and values


def test_half_written_files_are_repaired_and_only_missing_cases_rerun(reference, work, monkeypatch, tmp_path):
    records, out, _ = reference
    rec_lines = (out / "records.csv").read_text().splitlines(keepends=True)
    comp_lines = (out / "components.csv").read_text().splitlines(keepends=True)
    # records: the header, 50 whole cases, one layer of the 51st, then half a line
    (tmp_path / "records.csv").write_text("".join(rec_lines[:102]) + rec_lines[102][:40])
    # components (same case order): cut halfway through a line of the 40th case or later
    order = list(dict.fromkeys(line.split(",", 1)[0] for line in rec_lines[1:]))
    comp_case = [line.split(",", 1)[0] for line in comp_lines]
    cut = next(i for i in range(1, len(comp_lines)) if comp_case[i] in order[39:])
    (tmp_path / "components.csv").write_text("".join(comp_lines[:cut + 1]) + comp_lines[cut + 1][:10])
    whole = {case for case in order[:50] if comp_case.count(case) == comp_case[:cut + 1].count(case)}
    ran = []
    real = sweep_mod.run_case
    monkeypatch.setattr(sweep_mod, "run_case", lambda case: ran.append(case.id) or real(case))
    got = sweep(work / "sweep.yaml", n_jobs=1, progress=False, out=tmp_path)
    assert 39 <= len(whole) < 50
    assert sorted(ran) == sorted(set(order) - whole)
    assert _strip(got) == _strip(records)
    assert _csv_rows(tmp_path / "records.csv") == _csv_rows(out / "records.csv")
    assert _csv_rows(tmp_path / "components.csv") == _csv_rows(out / "components.csv")


def test_sigint_mid_sweep_then_rerun_equals_uninterrupted(reference, work, tmp_path):
    _, ref_out, _ = reference
    out = tmp_path / "interrupted"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", "accelsim", "sweep", str(work / "sweep.yaml"), "--jobs", "2", "--out", str(out),
            "--no-progress"]
    # Ctrl-C as a terminal delivers it: a child started from a background job of a non-interactive
    # shell (how CI may run us) inherits SIGINT ignored, and Python then never raises KeyboardInterrupt
    proc = subprocess.Popen(argv, env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    records_csv = out / "records.csv"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if records_csv.is_file() and records_csv.read_text().count("\n") > 4:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "run the same command to resume" in stderr
    done_before, _ = read_sweep(out)
    n_before = len({r["case"] for r in done_before})
    assert 0 < n_before < N_CASES, "the sweep was not interrupted mid-way"
    rerun = subprocess.run(argv, env=env, cwd=work, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{n_before} already" in rerun.stdout
    assert _csv_rows(out / "records.csv") == _csv_rows(ref_out / "records.csv")
    assert _csv_rows(out / "components.csv") == _csv_rows(ref_out / "components.csv")


def _line_count(path: Path) -> int:
    return path.read_text().count("\n") if path.is_file() else 0


def test_a_second_sweep_on_a_folder_in_use_is_refused_and_a_killed_ones_lock_does_not_block(reference, work,
                                                                                            tmp_path):
    """Two ``accelsim sweep`` processes on one ``--out`` (issue 12, item 9): the second is refused
    with one line naming ``--out`` and exit code 2 while the first runs; the first, SIGKILLed,
    leaves its lock file behind, which must not block the rerun (the kernel drops a flock with
    its process); the resumed folder holds one row per case and layer, as the reference."""
    _, ref_out, _ = reference
    out = tmp_path / "shared"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", "accelsim", "sweep", str(work / "sweep.yaml"), "--out", str(out), "--no-progress"]
    first = subprocess.Popen([*argv, "--jobs", "1"], env=env, cwd=work, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and first.poll() is None and _line_count(out / "records.csv") < 3:
            time.sleep(0.05)
        assert first.poll() is None and _line_count(out / "records.csv") >= 3, "the first sweep did not start"
        second = subprocess.run([*argv, "--jobs", "1"], env=env, cwd=work, capture_output=True, text=True,
                                timeout=600)
        first_was_running = first.poll() is None
    finally:
        first.kill()
        first.communicate(timeout=60)
    assert second.returncode == 2, f"first still running: {first_was_running}\n{second.stdout}{second.stderr}"
    assert first_was_running, "the first sweep ended before the second one was checked"
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in second.stderr, second.stderr
    assert "--out" in lines[0] and "in use by another accelsim sweep" in lines[0], lines[0]
    assert f"pid {first.pid}" in lines[0]
    rerun = subprocess.run([*argv, "--jobs", "2"], env=env, cwd=work, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr
    assert _csv_rows(out / "records.csv") == _csv_rows(ref_out / "records.csv")
    assert _csv_rows(out / "components.csv") == _csv_rows(ref_out / "components.csv")


def test_a_store_open_twice_is_refused_naming_out(tmp_path):
    """The lock is per open store, so two stores on one folder in one process conflict as well."""
    from accelsim.io.sweepstore import SweepStore, record_columns

    with SweepStore(tmp_path, record_columns([])):
        with pytest.raises(SpecError, match="in use by another accelsim sweep") as info:
            SweepStore(tmp_path, record_columns([])).open()
        assert info.value.field == "out"
    with SweepStore(tmp_path, record_columns([])):  # closed: free again
        pass


def test_read_sweep_keeps_one_row_per_case_and_layer(reference, tmp_path):
    """What two unlocked sweeps on one folder wrote (every row twice) reads back as one run."""
    _, ref_out, _ = reference
    for name in ("records.csv", "components.csv"):
        head, *rows = (ref_out / name).read_text().splitlines(keepends=True)
        (tmp_path / name).write_text(head + "".join(rows) + "".join(rows))
    records, components = read_sweep(tmp_path)
    ref_records, ref_components = read_sweep(ref_out)
    assert len(records) == N_CASES * N_LAYERS == len(ref_records)
    assert len(components) == len(ref_components)
    assert len({(r["case"], r["layer"], r["component"], r["data_type"]) for r in components}) == len(components)
    assert sorted(_strip(records), key=lambda r: (r["case"], r["layer_index"])) == \
        sorted(_strip(ref_records), key=lambda r: (r["case"], r["layer_index"]))


# --------------------------------------------------------------------------- failures
def test_case_raising_in_a_worker_is_recorded_and_the_sweep_goes_on(work):
    spec = sweep_from_data({
        "version": 1, "workloads": ["tiny.yaml"], "hardware": ["eyeriss"], "dataflows": ["rs", "osa"],
        "vary": {"pe_rows": [0, 4, 8]}, "budget": {"samples": 200, "climb": 200, "starts": 2},
    }, base=work)
    records = sweep(spec, n_jobs=2, progress=False)
    assert len(records) == 6 * N_LAYERS
    bad = [r for r in records if r["pe_rows"] == 0]
    assert len(bad) == 2 * N_LAYERS
    for r in bad:
        assert r["status"] == "error"
        assert "vary.pe_rows" in r["reason"] and ">= 1" in r["reason"]
        assert r["energy_total"] is None and r["cycles"] is None and r["macs"] > 0
    assert all(r["status"] == "ok" for r in records if r["pe_rows"] != 0)


def test_exceptions_and_unavailable_engines_are_recorded(work, monkeypatch):
    import accelsim.drivers.simulate as sim

    real = sim.simulate_network

    def flaky(workload, hw, dataflow, engine="analytic", **kw):
        if engine == "cycle":
            raise SpecError("the cycle-level engine is not available yet; use --engine analytic", "engine")
        if str(getattr(dataflow, "value", dataflow)) == "ws":
            raise RuntimeError("boom")
        return real(workload, hw, dataflow, engine=engine, **kw)

    monkeypatch.setattr(sim, "simulate_network", flaky)
    records = sweep({"version": 1, "workloads": [str(work / "tiny.yaml")], "hardware": "eyeriss",
                     "dataflows": ["rs", "ws"], "engine": ["analytic", "cycle"],
                     "budget": {"samples": 200, "climb": 200, "starts": 2}}, progress=False)
    status = {(r["dataflow"], r["engine"]): (r["status"], r["reason"]) for r in records}
    assert status[("rs", "analytic")] == ("ok", "")
    assert status[("ws", "analytic")] == ("error", "RuntimeError: boom")
    assert status[("rs", "cycle")][0] == "error" and "not available" in status[("rs", "cycle")][1]


def test_infeasible_layers_are_recorded_with_their_reason(work):
    records = sweep({"version": 1, "workloads": [str(work / "tiny.yaml")], "hardware": "eyeriss",
                     "dataflows": ["rs"], "vary": {"glb_words": [8]},
                     "budget": {"samples": 200, "climb": 200, "starts": 2}}, progress=False)
    assert {r["status"] for r in records} == {"infeasible"}
    assert all("infeasible" in r["reason"] and r["energy_total"] is None for r in records)


# --------------------------------------------------------------------------- cases and ids
def test_case_ids_are_stable_across_processes_and_follow_every_axis(work):
    cases = load_cases(work / "sweep.yaml")
    code = ("import sys; from accelsim.drivers.sweep import load_cases; "
            "print(' '.join(c.id for c in load_cases(sys.argv[1])))")
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="123")
    proc = subprocess.run([sys.executable, "-c", code, str(work / "sweep.yaml")], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    assert proc.stdout.split() == [c.id for c in cases]
    wl, hw = load_workload(work / "tiny.yaml"), load_hardware("eyeriss")
    base = Case(workload=wl, hardware=hw, dataflow="rs")
    variants = [Case(workload=wl, hardware=hw, dataflow="ws"), Case(workload=wl, hardware=hw, dataflow="rs", batch=2),
                Case(workload=wl, hardware=hw, dataflow="rs", array=(8, 8)),
                Case(workload=wl, hardware=hw, dataflow="rs", vary={"rf_words": 64}),
                Case(workload=wl, hardware=hw, dataflow="rs", objective="edp"),
                Case(workload=wl, hardware=hw, dataflow="rs", engine="cycle"),
                Case(workload=wl, hardware=hw, dataflow="rs", budget=Budget(10, 10, 1)),
                Case(workload=wl.select(["c1"]), hardware=hw, dataflow="rs"),
                Case(workload=wl, hardware=with_field(hw, "energy.dram", 100.0), dataflow="rs")]
    ids = {base.id} | {c.id for c in variants}
    assert len(ids) == 1 + len(variants)
    assert Case(workload=wl, hardware=hw, dataflow="RS").id == base.id


def test_case_ids_of_existing_result_folders_stay_valid():
    """The ids below were computed before ``Hardware`` grouped its flags into ``rules``, ``model``
    and ``effects``: the hash input (the flags as top-level keys) must not change."""
    from accelsim.spec.dims import Dataflow, EnergyUnit, NocKind
    from accelsim.spec.hardware import Buffer, DataEffects, EnergyTable, Hardware, ModelOptions, NoC, SearchRules
    from accelsim.spec.layer import ConvLayer, Workload

    wl = Workload(name="tiny", layers=(ConvLayer(name="c1", M=8, C=4, H=10, W=10, R=3, S=3),
                                       ConvLayer(name="c2", M=16, C=8, H=8, W=8, R=3, S=3)))
    hw = Hardware(name="pinned", pe_rows=4, pe_cols=6,
                  rf=Buffer(shared_words=0, ifmap_words=12, filter_words=224, psum_words=24),
                  glb=Buffer(shared_words=2048 * 25, bank_words=2048),
                  noc=NoC(kind=NocKind.GIN, ifmap_words_per_cycle=2),
                  energy=EnergyTable(unit=EnergyUnit.PJ, dram=100.0), dataflow=Dataflow.RS,
                  rules=SearchRules(allow_psum_spill=False, dram_filters_once=True, glb_conv_reuse=False),
                  model=ModelOptions(glb_halo_reuse=True, rf_prefetch=True),
                  effects=DataEffects(zero_gating=True, dram_rlc=True), source="test")
    flagged = Case(workload=wl, hardware=hw, dataflow="rs", batch=4, array=(8, 8),
                   vary={"zero_gating": False, "glb_bytes": 65536, "rf_prefetch": False}, engine="cycle",
                   objective="edp", budget=Budget(samples=10, climb=5, starts=1, seed=3))
    plain = Case(workload=wl, dataflow="ws",
                 hardware=Hardware(pe_rows=2, pe_cols=2, rf=Buffer(shared_words=16), glb=Buffer(shared_words=256)))
    assert (flagged.id, plain.id) == ("e5e2104345fc", "ab7f9072d6e2")


def test_product_order_and_axes():
    spec = sweep_from_data({"version": 1, "workloads": "alexnet", "layers": ["conv3"], "hardware": ["eyeriss"],
                            "energy": "hardware", "dataflows": ["rs", "ws"], "batch": [1, 4],
                            "arrays": ["8x8", "12x14"],
                            "vary": {"glb_bytes": [65536, 131072], "energy.dram": [100, 200.0]},
                            "objective": ["energy", "edp"]})
    cases = cases_from_spec(spec)
    assert len(cases) == spec.n_cases == 2 * 2 * 2 * 2 * 2 * 2
    first, last = cases[0].axes(), cases[-1].axes()
    assert (first["array"], first["glb_bytes"], first["energy.dram"], first["dataflow"], first["batch"],
            first["objective"]) == ("8x8", 65536, 100, "rs", 1, "energy")
    assert (last["array"], last["glb_bytes"], last["energy.dram"], last["dataflow"], last["batch"],
            last["objective"]) == ("12x14", 131072, 200.0, "ws", 4, "edp")
    assert first["num_pes"] == 64 and first["workload"] == "alexnet" and first["hardware"] == "eyeriss"
    assert first["energy"] == "hardware"
    hw = cases[-1].build_hardware()
    assert (hw.pe_rows, hw.pe_cols, hw.glb.total_words, hw.energy.dram) == (12, 14, 65536, 200.0)
    assert [layer.name for layer in cases[0].workload.layers] == ["conv3"]


# --------------------------------------------------------------------------- hardware fields
@pytest.mark.parametrize(("name", "value", "check"), [
    ("pe_rows", 4, lambda hw: hw.pe_rows == 4),
    ("rf_words", 64, lambda hw: (hw.rf.shared_words, hw.rf.dedicated_words) == (64, (0, 0, 0))),
    ("glb_words", 4096, lambda hw: hw.glb.total_words == 4096),
    ("glb_bytes", 65536, lambda hw: hw.glb.total_words == 32768),
    ("rf_bytes", 1024, lambda hw: hw.rf.total_words == 512),
    ("glb_shared_words", 1000, lambda hw: (hw.glb.shared_words, hw.glb.filter_words) == (1000, 4096)),
    ("rf.filter_words", 100, lambda hw: (hw.rf.filter_words, hw.rf.ifmap_words) == (100, 12)),
    ("rf_psum_words", 48, lambda hw: hw.rf.psum_words == 48),
    ("dram_words_per_cycle", 2, lambda hw: hw.dram_words_per_cycle == 2),
    ("glb_words_per_cycle", 8.5, lambda hw: hw.glb_words_per_cycle == 8.5),
    ("energy.dram", 100, lambda hw: hw.energy.dram == 100.0 and hw.energy.glb == 6.0),
    ("noc.kind", "Broadcast", lambda hw: hw.noc.kind.value == "broadcast"),
    ("noc.ifmap_words_per_cycle", 2, lambda hw: hw.noc.ifmap_words_per_cycle == 2),
    ("allow_psum_spill", True, lambda hw: hw.rules.allow_psum_spill is True),
    ("zero_gating", False, lambda hw: hw.effects.zero_gating is False and hw.effects.dram_rlc is True),
    ("dram_rlc", False, lambda hw: hw.effects.dram_rlc is False and hw.effects.zero_gating is True),
])
def test_vary_fields_set_the_named_hardware_field(name, value, check):
    hw = load_hardware("eyeriss")
    assert check(with_field(hw, name, value))
    assert name in VARY_FIELDS


@pytest.mark.parametrize(("name", "value", "match"), [
    ("pe_cols", 0, ">= 1"), ("glb_bytes", 1001, "whole number"), ("energy.rf", -1.0, ">= 0"),
    ("rf_words", -5, ">= 0"),
])
def test_vary_values_the_spec_rejects_name_the_field(name, value, match):
    with pytest.raises(SpecError, match=match) as info:
        with_field(load_hardware("eyeriss"), name, value)
    assert info.value.field == f"vary.{name}"


# --------------------------------------------------------------------------- bad input
BASE = {"version": 1, "workloads": ["alexnet"], "hardware": ["eyeriss"], "dataflows": ["rs"]}


@pytest.mark.parametrize(("change", "field", "match"), [
    ({"dataflow": ["rs"]}, "dataflow", "unknown key 'dataflow'"),
    ({"workloads": ["alexnet", "lenet9"]}, "workloads[1]", "lenet9"),
    ({"hardware": ["nope.yaml"]}, "hardware[0]", "no such file"),
    ({"dataflows": ["rs", "xs"]}, "dataflows[1]", "unknown dataflow"),
    ({"dataflows": ["rs", "RS"]}, "dataflows[1]", "repeated"),
    ({"arrays": ["8x8", "12by14"]}, "arrays[1]", "ROWSxCOLS"),
    ({"arrays": ["0x4"]}, "arrays[0]", ">= 1"),
    ({"vary": {"glb_byte": [1024]}}, "vary.glb_byte", "unknown hardware field"),
    ({"vary": {"rf_words": [64, "big"]}}, "vary.rf_words[1]", "integer"),
    ({"vary": {"energy.dram": [True]}}, "vary.energy.dram[0]", "number"),
    ({"vary": {"rf_words": []}}, "vary.rf_words", "at least 1"),
    ({"vary": {"pe_rows": [4]}, "arrays": ["8x8"]}, "vary.pe_rows", "not both"),
    ({"batch": [1, 0]}, "batch[1]", ">= 1"),
    ({"batch": [1.5]}, "batch[0]", "integer"),
    ({"engine": "warp"}, "engine[0]", "unknown engine"),
    ({"objective": ["energy", "area"]}, "objective[1]", "unknown objective"),
    ({"budget": {"sample": 3}}, "budget.sample", "unknown key"),
    ({"layers": ["conv9"]}, "layers", "conv9"),
    ({"version": 2}, "version", "1"),
])
def test_bad_sweep_data_raises_one_spec_error_with_the_field(change, field, match):
    with pytest.raises(SpecError, match=match) as info:
        cases_from_spec(sweep_from_data(BASE | change))
    assert info.value.field == field


def test_bad_sweep_files_exit_2_naming_the_field(tmp_path):
    bad = {
        "malformed.yaml": ("version: 1\nworkloads: [alexnet\n", "line"),
        "unknown.yaml": ("version: 1\nworkloads: [alexnet]\nhardware: [eyeriss]\ndataflows: [rs]\nbatches: [1]\n",
                         "batches"),
        "array.yaml": ("version: 1\nworkloads: [alexnet]\nhardware: [eyeriss]\ndataflows: [rs]\narrays: [12-14]\n",
                       "arrays[0]"),
        "hw.yaml": ("version: 1\nworkloads: [alexnet]\nhardware: [eyeris]\ndataflows: [rs]\n", "hardware[0]"),
        "empty.yaml": ("", "mapping"),
    }
    for name, (text, needle) in bad.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(SpecError):
            load_sweep(path)
        code, out, err = _cli(["sweep", path, "--out", tmp_path / "out"])
        assert code == 2, (name, err)
        assert needle in err and err.startswith("accelsim: error:") and len(err.strip().splitlines()) == 1
    code, _, err = _cli(["sweep", tmp_path / "missing.yaml", "--out", tmp_path / "out"])
    assert code == 2 and "no such file" in err
    code, _, err = _cli(["sweep", tmp_path / "hw.yaml", "--out", tmp_path / "out", "--jobs", "0"])
    assert code == 2 and "--jobs" in err


def test_relative_paths_in_a_sweep_file_are_taken_from_its_directory(work, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = load_sweep(work / "sweep.yaml")
    assert spec.workloads[0].name == "tiny" and spec.n_cases == N_CASES


# --------------------------------------------------------------------------- CLI and Python API
def test_cli_sweep_prints_a_summary_and_resumes(work, tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(textwrap.dedent(f"""\
        version: 1
        workloads: [{work / 'tiny.yaml'}]
        hardware: eyeriss
        dataflows: [rs, nlr]
        vary: {{glb_words: [8, 65536]}}
        budget: {{samples: 200, climb: 200, starts: 2}}
        """))
    code, out, err = _cli(["sweep", path, "--out", tmp_path / "res", "--no-progress"])
    assert code == 0, err
    assert "4 cases (4 run now, 0 already" in out and "with failed layers (infeasible 1)" in out
    assert "no rs mapping fits the global buffer (8 words)" in out
    code, out, err = _cli(["sweep", path, "--out", tmp_path / "res", "--no-progress"])
    assert code == 0 and "(0 run now, 4 already" in out


def test_python_api_accepts_cases_and_returns_records(work):
    wl, hw = load_workload(work / "tiny.yaml"), load_hardware("eyeriss")
    budget = Budget(200, 200, 2)
    cases = [Case(workload=wl, hardware=hw, dataflow=df, vary={"rf_words": 128}, budget=budget) for df in ("rs", "osc")]
    records = accelsim.sweep(cases + cases[:1], progress=False)  # a duplicate runs once
    assert [(r["dataflow"], r["layer"]) for r in records] == [("rs", "c1"), ("rs", "fc"), ("osc", "c1"), ("osc", "fc")]
    assert records[0]["rf_words"] == 128 and records[0]["array"] == "12x14"
    res = accelsim.simulate_network(wl, with_field(hw, "rf_words", 128), "rs", budget=budget)
    assert records[0]["energy_total"] == res.layers[0].energy_total
    df = accelsim.to_dataframe(records)
    assert list(df["layer"]) == ["c1", "fc", "c1", "fc"] and df["energy_total"].iloc[1] == records[1]["energy_total"]


def test_to_dataframe_without_pandas_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ModuleNotFoundError, match="pip install pandas"):
        to_dataframe([{"a": 1}])


def test_dask_scheduler_without_distributed_is_a_clear_error(monkeypatch, work):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(SpecError, match=r"accelsim\[dask\]"):
        sweep(work / "sweep.yaml", scheduler="tcp://127.0.0.1:1", progress=False)


def test_a_second_sweep_into_the_same_directory_widens_the_header(work, tmp_path):
    common = {"version": 1, "workloads": [str(work / "tiny.yaml")], "hardware": ["eyeriss"], "dataflows": ["rs"],
              "budget": {"samples": 200, "climb": 200, "starts": 2}}
    first = sweep(common | {"vary": {"rf_words": [64]}}, progress=False, out=tmp_path)
    second = sweep(common | {"vary": {"glb_words": [65536]}}, progress=False, out=tmp_path)
    records, _ = read_sweep(tmp_path)
    assert len(records) == 4
    assert records[0]["rf_words"] == 64 and records[0]["glb_words"] is None
    assert records[2]["glb_words"] == 65536 and records[2]["rf_words"] is None
    assert [(r["case"], r["energy_total"]) for r in records[:2]] == [(r["case"], r["energy_total"]) for r in first]
    assert second[0]["glb_words"] == 65536


def test_budget_ragged_reaches_the_mapper(work):
    """``budget: {ragged: true}`` in a sweep file makes the mapper search padded bounds too."""
    spec = sweep_from_data({"version": 1, "workloads": [str(work / "tiny.yaml")], "hardware": "eyeriss",
                            "dataflows": ["rs"], "budget": {"samples": 200, "climb": 200, "starts": 2,
                                                            "ragged": True}}, base=work)
    assert dict(spec.budget)["ragged"] is True
    plain = sweep({"version": 1, "workloads": [str(work / "tiny.yaml")], "hardware": "eyeriss",
                   "dataflows": ["rs"], "budget": {"samples": 200, "climb": 200, "starts": 2}}, progress=False)
    ragged = sweep(spec, progress=False)
    assert all(r["status"] == "ok" for r in ragged)
    # c1's 16 filters do not fill 12 PE rows: the padded searches are counted on top of the plain one
    assert sum(r["mappings_considered"] for r in ragged) > sum(r["mappings_considered"] for r in plain)
