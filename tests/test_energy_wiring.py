"""Where the energy model applies (issue 13, parts 3 and 4): hardware files, ``--energy``, sweeps
(the ``energy`` key, ``vary`` of model parameters), the run header, ``list energy``, the result
document, and the machine's area in results, sweep records and Pareto plots.

These tests check the wiring, not the model's numbers (tests of ``EnergyModel`` itself cite
their sources): every expectation is a property (monotone, equal, present) or a number the code
computes from the same inputs.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from accelsim.cli.main import main
from accelsim.drivers.sweep import Case, cases_from_spec, sweep
from accelsim.errors import SpecError
from accelsim.io.energychoice import parse_energy_choice
from accelsim.io.presets import load_hardware, load_workload
from accelsim.io.sweepfile import sweep_from_data
from accelsim.io.sweepstore import read_sweep
from accelsim.spec.dims import DataType, Level
from accelsim.spec.energy import EnergyTable
from accelsim.spec.energy_model import DramKind, EnergyModel
from accelsim.spec.variation import with_field

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "sweeps" / "acceptance" / "tiny.yaml"
BUDGET = {"samples": 200, "climb": 200, "starts": 2}
EYERISS_YAML = (REPO / "workloads" / "hardware" / "eyeriss.yaml").read_text()


def _cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def _hardware_file(tmp_path: Path, energy_line: str | None, name: str = "mine.yaml") -> Path:
    """The Eyeriss hardware file with its ``energy:`` line replaced (``None``: removed)."""
    text = EYERISS_YAML.replace("energy: {preset: isca16}\n", "" if energy_line is None else energy_line + "\n")
    assert text != EYERISS_YAML or energy_line == "energy: {preset: isca16}"
    path = tmp_path / name
    path.write_text(text.replace("name: eyeriss", "name: mine"))
    return path


# --------------------------------------------------------------------------- hardware files
def test_a_hardware_file_without_energy_gets_the_model(tmp_path):
    hw = load_hardware(_hardware_file(tmp_path, None))
    assert hw.energy == EnergyModel()
    assert hw.energy.describe() == EnergyModel().describe()


def test_energy_model_with_parameters_in_a_hardware_file(tmp_path):
    line = "energy: {model: {technology_nm: 45, dram: ddr3, glb_access_bits: 32}}"
    hw = load_hardware(_hardware_file(tmp_path, line))
    assert hw.energy == EnergyModel(technology_nm=45, dram=DramKind.DDR3, glb_access_bits=32)
    assert load_hardware(_hardware_file(tmp_path, "energy: model", "short.yaml")).energy == EnergyModel()


@pytest.mark.parametrize(("line", "field"), [
    ("energy: {model: {technology: 45}}", "energy.model.technology"),
    ("energy: {model: {dram: sdram}}", "energy.model.dram"),
    ("energy: {model: {glb_access_bits: 0}}", "energy.model.glb_access_bits"),
    ("energy: {model: {}, dram: 100}", "energy"),
])
def test_bad_model_keys_are_one_line_errors_naming_file_and_field(tmp_path, line, field):
    path = _hardware_file(tmp_path, line)
    with pytest.raises(SpecError) as info:
        load_hardware(path)
    assert info.value.field is not None and info.value.field.startswith(field.split(".")[0])
    code, out, err = _cli(["run", "alexnet", "--layers", "conv3", "--hardware", path])
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("accelsim: error:") and "Traceback" not in err
    assert str(path) in lines[0] and field in lines[0], lines[0]


def test_the_presets_keep_their_published_tables():
    for name in ("eyeriss", "isca16-256-rs", "tpu-like"):
        hw = load_hardware(name)
        assert isinstance(hw.energy, EnergyTable) and hw.energy.name == "isca16", name


# --------------------------------------------------------------------------- --energy and list energy
def test_energy_choices_apply_to_a_machine(tmp_path):
    eyeriss = load_hardware("eyeriss")
    assert parse_energy_choice("model").apply(eyeriss).energy == EnergyModel()
    assert parse_energy_choice("model:45").apply(eyeriss).energy == EnergyModel(technology_nm=45)
    assert parse_energy_choice("hardware").apply(eyeriss) is eyeriss
    assert parse_energy_choice("65nm-pj").apply(eyeriss).energy.name == "65nm-pj"
    own = load_hardware(_hardware_file(tmp_path, "energy: {model: {technology_nm: 28, dram: hbm2}}"))
    assert parse_energy_choice("model").apply(own).energy == own.energy  # the file's parameters are kept
    assert parse_energy_choice("model:45").apply(own).energy == EnergyModel(technology_nm=45, dram=DramKind.HBM2)
    for bad in ("model:big", "model:1", "model:nan", "nosuchtable", ""):
        with pytest.raises(SpecError) as info:
            parse_energy_choice(bad, field="--energy")
        assert info.value.field == "--energy"


def test_list_energy_names_the_tables_and_the_model_with_its_defaults():
    code, out, err = _cli(["list", "energy"])
    assert code == 0, err
    lines = out.strip().splitlines()
    model = EnergyModel()
    first = lines[0]
    assert first.startswith("model ") and model.describe() in first and model.source in first
    assert f"technology_nm {model.technology_nm:g}" in first and model.dram.value in first
    names = [line.split()[0] for line in lines]
    assert {"model", "isca16", "65nm-pj"} <= set(names)
    assert any(line.startswith("isca16") and "table isca16 (unit mac)" in line for line in lines)


def test_run_header_and_json_say_which_energy_and_carry_the_area(tmp_path):
    doc_path = tmp_path / "run.json"
    code, out, err = _cli(["run", "alexnet", "--layers", "conv3", "--budget", "quick", "--json", doc_path])
    assert code == 0, err
    table = load_hardware("eyeriss").energy
    assert f"energy: {table.describe()}" in out and "table isca16 (unit mac)" in out
    assert "from the default energy model" in out
    doc = json.loads(doc_path.read_text())
    assert doc["energy_source"]["description"] == "table isca16 (unit mac)"
    assert doc["energy_source"]["kind"] == "table" and doc["energy_source"]["unit"] == "mac"
    assert set(doc["area"]) == {"MAC", "RF", "GLB", "NoC", "total", "source"}
    assert doc["area_mm2"] == pytest.approx(doc["area"]["total"]) and doc["area_mm2"] > 0
    assert "default" in doc["area"]["source"]
    layer = doc["layers"][0]
    assert layer["energy_source"] == "table isca16 (unit mac)" and layer["area_mm2"] == doc["area_mm2"]
    assert doc["energy_unit"] == "mac"  # the old keys are all still there

    code, out, err = _cli(["run", "alexnet", "--layers", "conv3", "--budget", "quick", "--energy", "model:45",
                           "--json", doc_path])
    assert code == 0, err
    model = EnergyModel(technology_nm=45)
    assert f"energy: {model.describe()}" in out
    doc = json.loads(doc_path.read_text())
    assert doc["energy_unit"] == "pj" and doc["energy_source"]["kind"] == "model"
    assert doc["energy_source"]["technology_nm"] == 45.0 and doc["energy_source"]["dram"] == model.dram.value
    hw = parse_energy_choice("model:45").apply(load_hardware("eyeriss"))
    assert doc["area"]["total"] == pytest.approx(model.area_for(hw).total_mm2)
    assert "default" not in doc["area"]["source"]


def test_compare_header_says_which_energy():
    code, out, err = _cli(["compare", "alexnet", "--layers", "conv3", "--hardware", "eyeriss", "--dataflows",
                           "rs,ws", "--budget", "quick", "--energy", "model"])
    assert code == 0, err
    assert f"energy: {EnergyModel().describe()}" in out


def test_bad_energy_option_is_a_one_line_error():
    for bad in ("model:2", "nosuch"):
        code, _, err = _cli(["run", "alexnet", "--layers", "conv3", "--energy", bad])
        assert code == 2 and err.count("\n") == 1 and "--energy" in err, err


# --------------------------------------------------------------------------- sweeps
BASE = {"version": 1, "workloads": [str(TINY)], "hardware": ["eyeriss"], "dataflows": ["rs"], "budget": BUDGET}


def test_sweeps_default_to_the_model_and_energy_hardware_keeps_the_table():
    (model_case,) = cases_from_spec(sweep_from_data(BASE))
    assert model_case.energy.label == "model" and model_case.build_hardware().energy == EnergyModel()
    (table_case,) = cases_from_spec(sweep_from_data(BASE | {"energy": "hardware"}))
    assert table_case.build_hardware().energy == load_hardware("eyeriss").energy
    # "hardware" adds nothing to the id: a Case built without an energy choice has the same one
    wl, hw = load_workload(TINY), load_hardware("eyeriss")
    from accelsim.search.mapper import Budget

    assert table_case.id == Case(workload=wl, hardware=hw, dataflow="rs", budget=Budget(**BUDGET)).id
    assert model_case.id != table_case.id
    both = cases_from_spec(sweep_from_data(BASE | {"energy": ["model", "hardware", "65nm-pj", "model:45"]}))
    assert [c.axes()["energy"] for c in both] == ["model", "hardware", "65nm-pj", "model:45"]
    assert len({c.id for c in both}) == 4


def test_sweep_records_carry_energy_source_and_area(tmp_path):
    records = sweep(BASE | {"energy": ["model", "hardware"]}, progress=False, out=tmp_path)
    assert {r["energy"] for r in records} == {"model", "hardware"}
    for r in records:
        assert r["status"] == "ok"
        parts = sum(r[f"area_{p}"] for p in ("MAC", "RF", "GLB", "NoC"))
        assert r["area_mm2"] == pytest.approx(parts) and r["area_mm2"] > 0
    by = {r["energy"]: r for r in records}
    assert by["model"]["energy_unit"] == "pj" and by["hardware"]["energy_unit"] == "mac"
    assert by["model"]["energy_source"] == EnergyModel().describe()
    assert by["hardware"]["energy_source"] == "table isca16 (unit mac)"
    # the same machine: the same area (a table's area comes from the model at its defaults)
    assert by["model"]["area_mm2"] == pytest.approx(by["hardware"]["area_mm2"])
    on_disk, _ = read_sweep(tmp_path)
    assert sorted((r["case"], r["layer"], r["energy"], r["area_mm2"]) for r in on_disk) == \
        sorted((r["case"], r["layer"], r["energy"], r["area_mm2"]) for r in records)


def test_varying_technology_changes_energies_monotonically():
    nodes = [28, 45, 65, 90, 130]
    hw = parse_energy_choice("model").apply(load_hardware("eyeriss"))
    costs = [with_field(hw, "technology_nm", nm).access_costs for nm in nodes]
    for a, b in zip(costs, costs[1:]):
        assert b.mac >= a.mac and all(y >= x for x, y in zip(a.flat(), b.flat()))
    assert costs[-1].mac > costs[0].mac
    records = sweep(BASE | {"vary": {"technology_nm": nodes}}, progress=False)
    for layer in ("c1", "fc"):
        energies = [r["energy_total"] for r in records if r["layer"] == layer]
        assert len(energies) == len(nodes)
        assert all(b >= a for a, b in zip(energies, energies[1:])) and energies[-1] > energies[0], energies
    assert [r["energy_source"] for r in records if r["layer"] == "c1"] == \
        [EnergyModel(technology_nm=nm).describe() for nm in nodes]


def test_varying_glb_size_under_the_model_changes_the_glb_cost_per_access(tmp_path):
    sizes = [16384, 65536, 262144, 1048576]
    hw = parse_energy_choice("model").apply(load_hardware("eyeriss"))
    per_access = [with_field(hw, "glb_bytes", n).access_costs.read(Level.GLB, DataType.IFMAP) for n in sizes]
    assert all(b > a for a, b in zip(per_access, per_access[1:])), per_access
    table = [with_field(load_hardware("eyeriss"), "glb_bytes", n).access_costs.read(Level.GLB, DataType.IFMAP)
             for n in sizes]
    assert len(set(table)) == 1  # the fixed table: the same cost whatever the size
    records, components = (sweep(BASE | {"vary": {"glb_bytes": sizes}}, progress=False, out=tmp_path),
                           read_sweep(tmp_path)[1])
    case_of = {r["case"]: r["glb_bytes"] for r in records}
    for row in components:  # what the sweep charged per GLB ifmap word is the machine's cost
        if row["component"] == "GLB" and row["data_type"] == "ifmap" and row["accesses"]:
            want = per_access[sizes.index(case_of[row["case"]])]
            assert row["energy"] / row["accesses"] == pytest.approx(want)
    areas = [next(r["area_GLB"] for r in records if r["glb_bytes"] == n) for n in sizes]
    assert all(b > a for a, b in zip(areas, areas[1:])), areas


@pytest.mark.parametrize(("change", "field", "match"), [
    ({"energy": "hardware", "vary": {"technology_nm": [45]}}, "vary.technology_nm", "parameter of the energy model"),
    ({"energy": "isca16", "vary": {"dram": ["ddr3"]}}, "vary.dram", "parameter of the energy model"),
    ({"vary": {"energy.dram": [100]}}, "vary.energy.dram", "entry of a fixed energy table"),
    ({"energy": ["hardware", "model"], "vary": {"glb_access_bits": [32]}}, "vary.glb_access_bits", "energy model"),
    ({"vary": {"dram": ["sdram"]}}, "vary.dram[0]", "lpddr4"),
    ({"energy": ["model", "MODEL"]}, "energy[1]", "repeated"),
    ({"energy": ["model:1"]}, "energy[0]", "technology_nm"),
    ({"energy": ["nosuch"]}, "energy[0]", "unknown energy preset"),
])
def test_energy_and_vary_mismatches_are_errors_of_the_sweep_file(change, field, match):
    with pytest.raises(SpecError, match=match) as info:
        cases_from_spec(sweep_from_data(BASE | change))
    assert info.value.field == field


def test_with_field_refuses_model_parameters_on_a_table_and_table_entries_on_the_model():
    table_hw = load_hardware("eyeriss")
    model_hw = parse_energy_choice("model").apply(table_hw)
    with pytest.raises(SpecError, match="energy model") as info:
        with_field(table_hw, "technology_nm", 45)
    assert info.value.field == "vary.technology_nm"
    with pytest.raises(SpecError, match="fixed energy table") as info:
        with_field(model_hw, "energy.glb", 6.0)
    assert info.value.field == "vary.energy.glb"
    assert with_field(model_hw, "dram", "DDR3").energy.dram is DramKind.DDR3
    assert with_field(model_hw, "glb_access_bits", 128).energy.glb_access_bits == 128


# --------------------------------------------------------------------------- Pareto with area
@pytest.fixture(scope="module")
def area_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("area")
    sweep(BASE | {"energy": ["model", "hardware"], "dataflows": ["rs", "ws"], "arrays": ["4x4", "8x8", "12x14"]},
          progress=False, out=out)
    return out


def test_pareto_draws_energy_area_and_delay_area_fronts(area_sweep, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from accelsim.plot import pareto
    from accelsim.plot.pareto import pareto_front
    from accelsim.plot.sweep import case_totals

    records, _ = read_sweep(area_sweep)
    model = [t for t in case_totals(records, {"energy": "model"}) if t["ok"]]
    ax = pareto(records, x="area_mm2", y="energy_total", where={"energy": "model"})
    assert ax.get_xlabel() == "area (mm²)" and "pJ" in ax.get_ylabel()
    drawn = sorted(tuple(p) for coll in ax.collections if coll.get_gid() != "pareto-front"
                   for p in coll.get_offsets().tolist())
    assert drawn == sorted((t["area_mm2"], t["energy_total"]) for t in model)
    front = pareto_front([t["area_mm2"] for t in model], [t["energy_total"] for t in model])
    ring = next(c for c in ax.collections if c.get_gid() == "pareto-front")
    assert len(ring.get_offsets()) == len(front) >= 1
    # delay-area mixes no energies, so cases in both units may share it
    ax = pareto(records, x="area_mm2", y="cycles")
    assert ax.get_ylabel() == "cycles"
    for y in ("energy_total", "cycles"):
        code, _, err = _cli(["plot", area_sweep, "--kind", "pareto", "--x", "area_mm2", "--y", y, "--where",
                             "energy=model", "-o", tmp_path / f"{y}.png"])
        assert code == 0, err
        assert (tmp_path / f"{y}.png").stat().st_size > 0


def test_pareto_across_energy_units_refuses_in_one_line(area_sweep, tmp_path):
    pytest.importorskip("matplotlib")
    code, _, err = _cli(["plot", area_sweep, "--kind", "pareto", "--x", "area_mm2", "-o", tmp_path / "p.png"])
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "different units" in lines[0] and "--where" in lines[0], err
    assert not (tmp_path / "p.png").exists()
    code, _, err = _cli(["plot", area_sweep, "--kind", "compare", "--x", "array", "-o", tmp_path / "c.png"])
    assert code == 2 and "different units" in err and len(err.strip().splitlines()) == 1
