"""Tests of accelsim.io: YAML reading, file formats, presets, result writers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

import accelsim
from accelsim.errors import AccelsimError, MappingError, SpecError
from accelsim.io import schema
from accelsim.io.presets import list_presets, load_energy, load_hardware, load_mapping, load_workload
from accelsim.io.results import read_json, write_csv, write_json
from accelsim.io.yamlfile import parse_yaml, read_yaml
from accelsim.spec.dims import Dataflow, EnergyUnit, NocKind
from accelsim.spec.mapping import Mapping

LAYER = "{name: a, M: 4, C: 4, H: 8, W: 8, R: 3, S: 3}"


def workload_text(*layers: str) -> str:
    body = "".join(f"  - {layer}\n" for layer in layers)
    return f"version: 1\nname: t\nlayers:\n{body}"


def write(tmp_path: Path, text: str, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def spec_error(func, *args) -> SpecError:
    with pytest.raises(SpecError) as info:
        func(*args)
    return info.value


# --------------------------------------------------------------------------- YAML
def test_yaml_12_floats_and_strings():
    data = parse_yaml("a: 1e-12\nb: 200e6\nc: yes\nd: 3\n")
    assert data == {"a": 1e-12, "b": 200e6, "c": "yes", "d": 3}
    assert isinstance(data["a"], float) and isinstance(data["d"], int)


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = write(tmp_path, "version: 1\nname: t\nlayers:\n  - {name: a, M: 4\n  - b\n")
    err = spec_error(load_workload, path)
    assert "line" in err.message and "column" in err.message
    assert str(path) in err.message


def test_duplicate_key_is_malformed(tmp_path):
    err = spec_error(read_yaml, write(tmp_path, "a: 1\na: 2\n"))
    assert "line 2" in err.message and "duplicate" in err.message


def test_missing_file_names_path(tmp_path):
    path = tmp_path / "nowhere.yaml"
    err = spec_error(load_workload, path)
    assert str(path) in str(err)


@pytest.mark.parametrize("text", ["", "- 1\n- 2\n", "just text\n"])
def test_document_must_be_a_mapping(tmp_path, text):
    err = spec_error(load_workload, write(tmp_path, text))
    assert "mapping" in err.message


# --------------------------------------------------------------------------- presets
def test_list_presets():
    assert set(list_presets("workloads")) >= {"alexnet", "vgg16", "resnet50", "mobilenet_v1"}
    hardware = list_presets("hardware")
    assert "eyeriss" in hardware
    isca16 = {f"isca16-{p}-{d}" for p in (256, 512, 1024) for d in ("rs", "ws", "osa", "osb", "osc", "nlr")}
    assert isca16 <= set(hardware)
    assert set(list_presets("energy")) >= {"isca16", "65nm-pj"}
    assert isinstance(list_presets("mappings"), list)
    with pytest.raises(SpecError, match="workloads"):
        list_presets("nonsense")


@pytest.mark.parametrize("name", list_presets("workloads"))
def test_every_workload_preset_loads(name):
    wl = load_workload(name)
    assert wl.name == name
    assert wl.layers and all(layer.N == 1 for layer in wl.layers)


def test_mobilenet_half_width_128_matches_the_paper():
    """Howard et al. 2017 (arXiv:1704.04861), Table 7: '0.50 MobileNet-128' has 49 M mult-adds and
    1.3 M parameters (both rounded as printed; the batch-norm parameters are not weights). The
    preset's MACs and weights (M x C/G x R x S per layer, the classifier included) round to them;
    its spatial sizes halve 128 -> 64 -> 32 -> 16 -> 8 -> 4 as Table 1's strides say."""
    wl = load_workload("mobilenet_v1_0.5_128")
    macs = sum(ly.macs for ly in wl.layers)
    weights = sum(ly.M * (ly.C // ly.G) * ly.R * ly.S for ly in wl.layers)
    assert round(macs / 1e6) == 49 and round(weights / 1e5) == 13, (macs, weights)
    assert [ly.E for ly in wl.layers if ly.name.startswith("pw")] == [64, 32, 32, 16, 16, 8, 8, 8, 8, 8, 8, 4, 4]
    assert all(ly.G == ly.C == ly.M for ly in wl.layers if ly.name.startswith("dw"))


@pytest.mark.parametrize("name", list_presets("hardware"))
def test_every_hardware_preset_loads(name):
    hw = load_hardware(name)
    assert hw.name == name
    assert hw.num_pes >= 1 and hw.source
    assert hw.glb.total_words > 0


@pytest.mark.parametrize("name", list_presets("energy"))
def test_every_energy_preset_loads(name):
    table = load_energy(name)
    assert table.dram > table.glb > table.rf > 0


def test_preset_names_case_insensitive_and_dash_underscore():
    assert load_workload("AlexNet").name == "alexnet"
    assert load_energy("65nm-pj") == load_energy("65nm_pj")
    assert load_energy("65nm-pj").unit is EnergyUnit.PJ


def test_unknown_preset_lists_names():
    err = spec_error(load_workload, "alexnett")
    assert "alexnet" in err.message and "vgg16" in err.message
    err = spec_error(load_hardware, "eyeris")
    assert "eyeriss" in err.message and "isca16-256-rs" in err.message


def test_facade_reexports():
    assert accelsim.load_workload("alexnet") == load_workload("alexnet")
    assert accelsim.load_hardware("eyeriss") == load_hardware("eyeriss")


# AlexNet, Eyeriss ISCA 2016 Table II: H, R, E, C (per group), M, U
TABLE_II = {
    "conv1": (227, 11, 55, 3, 96, 4),
    "conv2": (31, 5, 27, 48, 256, 1),
    "conv3": (15, 3, 13, 256, 384, 1),
    "conv4": (15, 3, 13, 192, 384, 1),
    "conv5": (15, 3, 13, 192, 256, 1),
    "fc1": (6, 6, 1, 256, 4096, 1),
    "fc2": (1, 1, 1, 4096, 4096, 1),
    "fc3": (1, 1, 1, 4096, 1000, 1),
}


ISCA16_REF = json.loads((Path(accelsim.__file__).with_name("reference") / "eyeriss_isca16.json").read_text())


def test_table_ii_transcription_matches_the_reference_file():
    table = ISCA16_REF["alexnet_layers_table_II"]
    for name, (H, R, E, C, M, U) in TABLE_II.items():
        assert table[name.upper()] == {"H": H, "R": R, "E": E, "C": C, "M": M, "U": U}, name


def test_alexnet_matches_table_ii():
    wl = load_workload("alexnet")
    assert [layer.name for layer in wl.layers] == list(TABLE_II)
    for layer in wl.layers:
        H, R, E, C, M, U = TABLE_II[layer.name]
        assert (layer.H, layer.R, layer.E, layer.C // layer.G, layer.M, layer.U) == (H, R, E, C, M, U), layer.name
        assert (layer.W, layer.S, layer.F) == (H, R, E)
    assert wl.layers[1].G == 2 and wl.layers[1].C // wl.layers[1].G == 48
    assert all(layer.is_fc for layer in wl.layers[5:])


def test_eyeriss_chip():
    hw = load_hardware("eyeriss")
    assert (hw.pe_rows, hw.pe_cols) == (12, 14)
    assert hw.rf.dedicated_words == (12, 224, 24) and hw.rf.shared_words == 0
    assert hw.glb.shared_words == 51200 and hw.glb.filter_words == 4096
    assert hw.glb.total_words * hw.word_bits // 8 == 110592
    assert hw.dram_words_per_cycle == pytest.approx(64 / 16 * 60 / 200)
    assert (hw.noc.ifmap_words_per_cycle, hw.noc.filter_words_per_cycle) == (1, 4)
    assert hw.noc.kind is NocKind.GIN and hw.pe_pipeline_depth == 3
    assert hw.dataflow is Dataflow.RS and hw.rules.allow_psum_spill is False
    assert hw.energy.unit is EnergyUnit.MAC and hw.energy.dram == 200.0


@pytest.mark.parametrize("df,rf_words", [("rs", 256), ("ws", 1), ("osa", 49), ("osb", 5), ("osc", 1), ("nlr", 0)])
def test_isca16_storage_and_scaling(df, rf_words):
    hws = {p: load_hardware(f"isca16-{p}-{df}") for p in (256, 512, 1024)}
    shapes = [(1, 256), (1, 512), (1, 1024)] if df == "ws" else [(16, 16), (16, 32), (32, 32)]
    assert [(h.pe_rows, h.pe_cols) for h in hws.values()] == shapes  # WS: one systolic chain
    # ISCA 2016 Fig. 7b (256 PEs, kB of 16-bit words): RF words per PE = rf_total / 256 PEs,
    # GLB words = glb kB (one decimal in the figure, rounded down to whole words)
    fig = ISCA16_REF["storage_at_256_pes_fig_7b"][df]
    assert rf_words == fig["rf_total"] * 1024 / 2 / 256
    assert 0 <= fig["glb"] * 1024 / 2 - hws[256].glb.total_words < 1
    for hw in hws.values():
        assert hw.rf.total_words == rf_words
        assert hw.dataflow is Dataflow(df) and not hw.rules.allow_psum_spill and not hw.model.glb_halo_reuse
    assert hws[512].glb.total_words == 2 * hws[256].glb.total_words
    assert hws[1024].glb.total_words == 4 * hws[256].glb.total_words


def test_isca16_rs_glb_is_128_kb():
    assert load_hardware("isca16-256-rs").glb.total_words == 128 * 1024 // 2
    assert load_hardware("isca16-512-rs").glb.total_words == 2 * load_hardware("isca16-256-rs").glb.total_words


# --------------------------------------------------------------------------- workload errors
def test_unknown_key_names_path(tmp_path):
    text = workload_text(LAYER, "{name: b, M: 4, C: 4, H: 8, W: 8, R: 3, S: 3, Rr: 3}")
    err = spec_error(load_workload, write(tmp_path, text))
    assert err.field == "layers[1].Rr"
    assert "unknown key 'Rr'" in err.message


def test_misspelt_key_reports_unknown_key_first(tmp_path):
    text = workload_text(LAYER, "{name: b, M: 4, C: 4, H: 8, W: 8, Rr: 3, S: 3}")
    err = spec_error(load_workload, write(tmp_path, text))
    assert err.field == "layers[1].Rr" and "missing required key 'R'" in err.message


def test_batch_not_allowed_in_workload(tmp_path):
    err = spec_error(load_workload, write(tmp_path, workload_text(LAYER.replace("M:", "N: 2, M:"))))
    assert err.field == "layers[0].N" and "batch" in err.message


@pytest.mark.parametrize("value", ["3.5", "abc", "'3'", "true", "3.0"])
def test_non_integer_dimension(tmp_path, value):
    text = workload_text(LAYER, LAYER.replace("a,", "b,").replace("R: 3", f"R: {value}"))
    err = spec_error(load_workload, write(tmp_path, text))
    assert err.field == "layers[1].R"
    assert "integer" in err.message


@pytest.mark.parametrize("change,field", [
    ("R: 9", "layers[0].R"),            # R > H
    ("R: 3, U: 2", "layers[0].H"),      # (H - R) = 5 not a multiple of U = 2
    ("R: 3, G: 3", "layers[0].C"),      # C = 4 not divisible by G = 3
    ("R: 0", "layers[0].R"),            # below 1
])
def test_impossible_shape_names_field(tmp_path, change, field):
    err = spec_error(load_workload, write(tmp_path, workload_text(LAYER.replace("R: 3", change))))
    assert err.field == field


def test_shape_error_path_with_dotted_layer_name(tmp_path):
    text = workload_text(LAYER, "{name: layer1.0.conv1, M: 4, C: 4, H: 8, W: 8, R: 3, S: 3, G: 3}")
    err = spec_error(load_workload, write(tmp_path, text))
    assert err.field == "layers[1].C"


def test_missing_and_wrong_top_level(tmp_path):
    assert spec_error(load_workload, write(tmp_path, "version: 1\nlayers: []\n")).field in ("name", "layers")
    err = spec_error(load_workload, write(tmp_path, workload_text(LAYER).replace("version: 1", "version: 2")))
    assert err.field == "version"
    err = spec_error(load_workload, write(tmp_path, workload_text(LAYER, LAYER)))
    assert err.field == "layers" and "unique" in err.message


def test_workload_file_path_loads(tmp_path):
    wl = load_workload(str(write(tmp_path, workload_text(LAYER), "mine.yaml")))
    assert wl.name == "t" and wl.layers[0].E == 6 and wl.layers[0].U == 1 and wl.layers[0].G == 1


# --------------------------------------------------------------------------- hardware errors
EYERISS = (Path(__file__).resolve().parents[1] / "workloads" / "hardware" / "eyeriss.yaml").read_text()


@pytest.mark.parametrize("old,new,field,words", [
    ("shared: 51200", "shared: -1", "glb_words.shared", ">= 0"),
    ("glb_words:", "glb_wordz:", "glb_wordz", "unknown key"),
    ("rows: 12", "rows: 12.5", "pe_array.rows", "integer"),
    ("kind: gin", "kind: mesh", "noc.kind", "one of"),
    ("gon_words_per_cycle: 4", "gon_words_per_cycle: 0", "noc.gon_words_per_cycle", ">= 1"),
    ("clock_hz: 200.0e6", "clock_hz: 200MHz", "clock_hz", "number"),
    ("allow_psum_spill: false", "allow_psum_spill: 0", "allow_psum_spill", "true or false"),
    ("dataflow: rs", "dataflow: xyz", "dataflow", "one of"),
    ("energy: {preset: isca16}", "energy: {preset: nope}", "energy.preset", "isca16"),
    ("energy: {preset: isca16}", "energy: {mac: 1, rf: 1}", "energy", "missing"),
    ("energy: {preset: isca16}", "energy: {preset: isca16, mac: -1}", "energy.mac", ">= 0"),
    ("glb_words: {shared: 51200, filter: 4096}", "glb_bytes: {shared: 102400, filter: 8191}",
     "glb_bytes.filter", "whole number"),
])
def test_hardware_errors(tmp_path, old, new, field, words):
    assert old in EYERISS
    err = spec_error(load_hardware, write(tmp_path, EYERISS.replace(old, new)))
    assert err.field == field
    assert words in err.message


def test_hardware_bytes_and_energy_forms(tmp_path):
    text = EYERISS.replace("glb_words: {shared: 51200, filter: 4096}", "glb_bytes: {shared: 102400, filter: 8192}")
    assert load_hardware(write(tmp_path, text)) == load_hardware("eyeriss")
    text = EYERISS.replace("energy: {preset: isca16}", "energy: 65nm-pj")
    assert load_hardware(write(tmp_path, text)).energy == load_energy("65nm-pj")
    text = EYERISS.replace("energy: {preset: isca16}", "energy: {preset: isca16, dram: 100}")
    energy = load_hardware(write(tmp_path, text)).energy
    assert energy.dram == 100.0 and energy.glb == 6.0
    text = EYERISS.replace("energy: {preset: isca16}", "energy: {mac: 1, rf: 1, noc: 2, glb: 6, dram: 200, unit: pj}")
    assert load_hardware(write(tmp_path, text)).energy.unit is EnergyUnit.PJ
    write(tmp_path, (Path(__file__).resolve().parents[1] / "workloads/energy/isca16.yaml").read_text(), "e.yaml")
    text = EYERISS.replace("energy: {preset: isca16}", "energy: {preset: ./e.yaml}")
    assert load_hardware(write(tmp_path, text)).energy == load_energy("isca16")


def test_hardware_needs_one_size_form(tmp_path):
    err = spec_error(load_hardware, write(tmp_path, EYERISS + "glb_bytes: {shared: 2}\n"))
    assert err.field == "glb_words" and "exactly one" in err.message


# --------------------------------------------------------------------------- mappings
EYERISS_CONV3 = """\
version: 1
dataflow: rs
workload: alexnet
layers:
  conv3: {eyeriss: {n: 1, e: 13, p: 16, q: 4, r: 1, t: 4}}
"""


def test_load_mapping_eyeriss_params(tmp_path):
    wl = load_workload("alexnet")
    mappings = load_mapping(write(tmp_path, EYERISS_CONV3), wl, 1)
    assert list(mappings) == ["conv3"]
    mapping = mappings["conv3"]
    assert isinstance(mapping, Mapping)
    assert mapping.factors() == wl.layers[2].loop_bounds()
    assert mapping.dataflow == "rs"


def test_load_mapping_generic_roundtrip(tmp_path):
    wl = load_workload("alexnet")
    mapping = load_mapping(write(tmp_path, EYERISS_CONV3), wl, 1)["conv3"]
    doc = {"version": 1, "dataflow": "rs", "workload": "alexnet", "layers": {"conv3": mapping.to_dict()}}
    again = load_mapping(write(tmp_path, json.dumps(doc), "generic.yaml"), wl, 1)["conv3"]
    assert again == mapping


def test_load_mapping_batch(tmp_path):
    wl = load_workload("alexnet")
    text = EYERISS_CONV3.replace("{n: 1", "{n: 4")
    assert load_mapping(write(tmp_path, text), wl, 4)["conv3"].factors() == wl.layers[2].with_batch(4).loop_bounds()
    with pytest.raises(MappingError) as info:
        load_mapping(write(tmp_path, text), wl, 2)
    assert info.value.field == "layers.conv3.eyeriss.n"


@pytest.mark.parametrize("old,new,field,cls", [
    ("workload: alexnet", "workload: vgg16", "workload", SpecError),
    ("conv3:", "conv9:", "layers.conv9", SpecError),
    ("dataflow: rs", "dataflow: ws", "layers.conv3.eyeriss", SpecError),
    ("t: 4}", "t: 4, u: 1}", "layers.conv3.eyeriss.u", SpecError),
    ("t: 4}", "t: 4.5}", "layers.conv3.eyeriss.t", SpecError),
    ("e: 13", "e: 14", "layers.conv3.eyeriss.e", MappingError),   # wider than E = 13
    ("t: 4}", "t: 4, split: 9}", "layers.conv3.eyeriss.split", MappingError),
    ("layers:", "batch: 4\nlayers:", "batch", SpecError),
])
def test_load_mapping_errors(tmp_path, old, new, field, cls):
    with pytest.raises(cls) as info:
        load_mapping(write(tmp_path, EYERISS_CONV3.replace(old, new)), load_workload("alexnet"), 1)
    assert info.value.field == field


def test_load_mapping_generic_errors(tmp_path):
    wl = load_workload("alexnet")
    mapping = load_mapping(write(tmp_path, EYERISS_CONV3), wl, 1)["conv3"]
    doc = {"version": 1, "dataflow": "rs", "workload": "alexnet", "layers": {"conv3": mapping.to_dict()}}
    loops = doc["layers"]["conv3"]["loops"]
    i = next(j for j, lp in enumerate(loops) if lp[0] == "E" and lp[2] == "col")  # the e = 13 PE columns
    loops[i][1] = 13.5
    err = spec_error(load_mapping, write(tmp_path, json.dumps(doc)), wl, 1)
    assert err.field == f"layers.conv3.loops[{i}][1]"
    loops[i][1] = 12
    with pytest.raises(MappingError) as info:
        load_mapping(write(tmp_path, json.dumps(doc)), wl, 1)
    assert info.value.field.startswith("layers.conv3") and "13" in info.value.message


def test_bad_batch_argument():
    with pytest.raises(SpecError):
        load_mapping("whatever", load_workload("alexnet"), 0)


# --------------------------------------------------------------------------- results
def test_write_json_converts_numpy(tmp_path):
    doc = {"a": np.int64(3), "b": np.float32(0.5), "c": np.arange(3), "d": [np.int32(1)], "e": Dataflow.RS}
    path = write_json(doc, tmp_path / "sub" / "r.json")
    text = path.read_text()
    assert text.startswith("{\n  ")
    assert read_json(path) == {"a": 3, "b": 0.5, "c": [0, 1, 2], "d": [1], "e": "rs"}


def test_write_csv_union_of_keys(tmp_path):
    rows = [{"name": "conv1", "macs": np.int64(5)}, {"name": "conv2", "cycles": 7, "energy": {"RF": 1.0}}]
    path = write_csv(rows, tmp_path / "r.csv")
    with path.open(newline="") as handle:
        read = list(csv.DictReader(handle))
    assert list(read[0]) == ["name", "macs", "cycles", "energy"]
    assert read[0] == {"name": "conv1", "macs": "5", "cycles": "", "energy": ""}
    assert json.loads(read[1]["energy"]) == {"RF": 1.0}


# --------------------------------------------------------------------------- schema
@pytest.mark.parametrize("kind", ["workload", "hardware", "energy", "mapping"])
def test_json_schema(kind):
    assert schema.json_schema(kind)["type"] == "object"


def test_errors_are_accelsim_errors(tmp_path):
    with pytest.raises(AccelsimError):
        load_workload(write(tmp_path, workload_text("{name: a}")))


def test_mapping_family_name_picks_the_workload_file():
    """``--mapping eyeriss-jssc`` (the issue's spelling) selects eyeriss_jssc_alexnet.yaml."""
    wl = load_workload("alexnet")
    by_family = load_mapping("eyeriss-jssc", wl, 4)
    assert sorted(by_family) == ["conv1", "conv2", "conv3", "conv4", "conv5"]
    assert by_family == load_mapping("eyeriss_jssc_alexnet", wl, 4)
