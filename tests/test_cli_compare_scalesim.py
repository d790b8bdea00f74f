"""``accelsim compare ... --dataflows sys-os,sys-ws,sys-is --mapping scalesim`` (issue 14's third
user command): every dataflow runs SCALE-Sim's own im2col mapping, on either engine, exactly as
``accelsim run --mapping scalesim`` runs it; non-systolic dataflows and mapping files are refused
with one error (exit 2)."""

from __future__ import annotations

import json

import pytest

from accelsim.cli.main import main
from accelsim.io.presets import load_hardware
from accelsim.search.im2col import scalesim_mapping
from accelsim.sim.evaluate import evaluate
from accelsim.spec.layer import ConvLayer

#: SCALE-Sim's small case of issue 14 (14×14×16 → 32, 3×3) and a strided one
WORKLOAD = """version: 1
name: two
layers:
  - {name: small, M: 32, C: 16, H: 14, W: 14, R: 3, S: 3}
  - {name: strided, M: 24, C: 3, H: 27, W: 27, R: 5, S: 5, U: 2}
"""
LAYERS = (ConvLayer(name="small", M=32, C=16, H=14, W=14, R=3, S=3),
          ConvLayer(name="strided", M=24, C=3, H=27, W=27, R=5, S=5, U=2))
SYSTOLIC = ("sys-os", "sys-ws", "sys-is")


@pytest.fixture
def workload(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(WORKLOAD)
    return path


@pytest.mark.parametrize("engine", ["analytic", "cycle"])
def test_compare_mapping_scalesim(workload, tmp_path, capsys, engine):
    out = tmp_path / "cmp.json"
    code = main(["compare", str(workload), "--hardware", "tpu-like", "--array", "12x14", "--dataflows",
                 ",".join(SYSTOLIC), "--mapping", "scalesim", "--engine", engine, "--json", str(out)])
    assert code == 0, capsys.readouterr().err
    runs = json.loads(out.read_text())["runs"]
    assert [r["dataflow"] for r in runs] == list(SYSTOLIC)
    hw = load_hardware("tpu-like").with_array(12, 14)
    for run in runs:
        df = run["dataflow"]
        assert run["engine"] == engine
        for rec, layer in zip(run["layers"], LAYERS, strict=True):
            want = evaluate(layer, hw, df, engine, scalesim_mapping(layer, df, 12, 14, hw=hw))
            assert rec["cycles"] == want.cycles, (df, layer.name)
            assert rec["active_pes"] == want.active_pes
            assert rec["mapping"] == want.to_dict()["mapping"]
            assert rec["mappings_considered"] == 0  # given, not searched


def test_compare_mapping_scalesim_refuses_non_systolic(workload, capsys):
    capsys.readouterr()
    code = main(["compare", str(workload), "--hardware", "tpu-like", "--dataflows", "sys-os,rs,ws",
                 "--mapping", "scalesim"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--dataflows" in err and "rs, ws" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_compare_mapping_file_refused(workload, tmp_path, capsys):
    capsys.readouterr()
    code = main(["compare", str(workload), "--hardware", "tpu-like", "--dataflows", "sys-os",
                 "--mapping", str(tmp_path / "m.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "--mapping" in err and "scalesim" in err and "Traceback" not in err
