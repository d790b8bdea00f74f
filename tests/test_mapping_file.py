"""Mapping files written by accelsim read back as the same mappings (save → edit → rerun)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accelsim
from accelsim.dataflows import template
from accelsim.dataflows.lowering import window_flags
from accelsim.errors import SpecError
from accelsim.io.mappingfile import dump_mapping_file, mapping_document, write_mapping_file
from accelsim.io.presets import load_mapping
from accelsim.io.schema import mappings_from_data
from accelsim.io.yamlfile import parse_yaml
from accelsim.search.mapspace import random_mapping
from accelsim.sim.counting import count_mapping
from accelsim.spec.layer import ConvLayer, Workload

from strategies import DATAFLOWS


def _roundtrip(workload: Workload, dataflow: str, batch: int, mappings: dict) -> dict:
    text = dump_mapping_file(mapping_document(workload.name, dataflow, batch, mappings, source="test"))
    return mappings_from_data(parse_yaml(text), workload, batch, origin="<written>")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1),
       m=st.integers(1, 6), c=st.integers(1, 6), e=st.integers(1, 5), r=st.integers(1, 3), n=st.integers(1, 3))
def test_written_mappings_read_back_equal_with_equal_counts(dataflow, seed, m, c, e, r, n):
    """Any mapping of any dataflow (random members of its mapspace, bypasses included) survives
    the file: the mapping read back equals the one written, and counts the same."""
    layer = ConvLayer(name="x", N=n, M=m, C=c, H=e - 1 + r, W=e - 1 + r, R=r, S=r)
    workload = Workload(name="w", layers=(layer.with_batch(1),))
    mapping = random_mapping(layer, dataflow, np.random.default_rng(seed))
    back = _roundtrip(workload, dataflow, n, {"x": mapping})["x"]
    assert back == mapping
    hw = accelsim.load_hardware("eyeriss")
    win = window_flags(template(dataflow), hw)
    assert np.array_equal(count_mapping(back, layer, win).counts, count_mapping(mapping, layer, win).counts)


def test_the_chip_mappings_survive_the_loop_nest_form():
    """The Eyeriss-parameter file, expanded and written as loop nests, reads back equal —
    ragged strips (CONV1), split sets (CONV2) and the parameters kept as notes."""
    wl = accelsim.load_workload("alexnet")
    given_maps = load_mapping("eyeriss-jssc", wl, 4)
    back = _roundtrip(wl, "rs", 4, given_maps)
    assert back == given_maps
    assert back["conv2"].notes["eyeriss_params"]["split"] == 2


def test_a_written_file_is_checked_like_any_other(tmp_path):
    """A saved file is an ordinary mapping file: run at another batch it is refused by name."""
    wl = accelsim.load_workload("alexnet").select(["conv5"])
    res = accelsim.simulate(wl.layers[0].with_batch(2), accelsim.load_hardware("eyeriss"), "rs")
    path = write_mapping_file(tmp_path / "m.yaml", mapping_document("alexnet", "rs", 2, {"conv5": res.mapping}))
    assert load_mapping(str(path), wl, 2)["conv5"] == res.mapping
    with pytest.raises(SpecError) as info:
        load_mapping(str(path), wl, 3)
    assert info.value.field == "batch"


def test_write_errors_name_the_path(tmp_path):
    with pytest.raises(SpecError) as info:
        write_mapping_file(tmp_path / "missing-dir" / "m.yaml", mapping_document("w", "rs", 1, {}))
    assert "missing-dir" in str(info.value)


def test_cli_save_edit_rerun(tmp_path, capsys):
    """``run --save-mappings`` → ``run --mapping``: the same accesses and energy; a hand edit
    (conv5's two outermost loops swapped) is run as written, and an edit that breaks coverage
    is refused with exit 2 and one line naming the layer."""
    from accelsim.cli.main import main
    from accelsim.io.results import read_json

    saved, first, second = tmp_path / "maps.yaml", tmp_path / "a.json", tmp_path / "b.json"
    common = ["run", "alexnet", "--layers", "conv3,conv5", "--batch", "2", "--hardware", "eyeriss"]
    assert main(common + ["--save-mappings", str(saved), "--json", str(first)]) == 0
    assert main(common + ["--mapping", str(saved), "--json", str(second)]) == 0
    a, b = read_json(first), read_json(second)
    for la, lb in zip(a["layers"], b["layers"]):
        assert la["accesses"] == lb["accesses"] and la["energy_total"] == lb["energy_total"]
        assert la["mapping"] == lb["mapping"]

    doc = parse_yaml(saved.read_text())
    loops = doc["layers"]["conv5"]["loops"]
    assert min(v for v in doc["layers"]["conv5"]["glb"].values() if v is not None) >= 2
    loops[0], loops[1] = loops[1], loops[0]  # both above every GLB tile: still a legal nest
    swapped = tmp_path / "swapped.yaml"
    swapped.write_text(dump_mapping_file(doc))
    third = tmp_path / "c.json"
    assert main(common + ["--mapping", str(swapped), "--json", str(third)]) == 0
    assert read_json(third)["layers"][1]["mapping"]["loops"][:2] == [loops[0], loops[1]]
    loops[0], loops[1] = loops[1], loops[0]
    loops[0][1] *= 2  # one outer factor doubled: the nest no longer covers the layer
    broken = tmp_path / "broken.yaml"
    broken.write_text(dump_mapping_file(doc))
    capsys.readouterr()
    assert main(common + ["--mapping", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "conv5" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_save_mappings_path_errors(tmp_path, capsys):
    from accelsim.cli.main import main

    assert main(["mapping", "show", "alexnet", "--layers", "conv5", "--save-mappings", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--save-mappings" in err and "directory" in err
