"""User errors: exit code 2 and one line ``accelsim: error: <field>: <constraint>``, no traceback.

And at the Python level: the :class:`accelsim.AccelsimError` subclasses with ``.field`` set.
"""

from __future__ import annotations

import json
import textwrap

import pytest

import accelsim
from accelsim.cli.main import main
from accelsim.errors import AccelsimError, CapacityError, InfeasibleError, MappingError, SpecError
from accelsim.search.mapper import Budget
from accelsim.spec.dims import Dim, LoopKind
from accelsim.spec.hardware import Buffer, Hardware
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping

QUICK = Budget(samples=500, climb=500, starts=2)


def fails(capsys, argv) -> str:
    """Run the CLI expecting a user error; return the one error line (without the prefix)."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    got = capsys.readouterr()
    assert code == 2, f"exit {code}; stdout:\n{got.out}\nstderr:\n{got.err}"
    assert "Traceback" not in got.err and "Traceback" not in got.out
    lines = got.err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{got.err}"
    assert lines[0].startswith("accelsim: error: "), lines[0]
    return lines[0].removeprefix("accelsim: error: ")


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def workload_file(tmp_path, layer: str):
    return write(tmp_path, "net.yaml", f"""
        version: 1
        name: net
        layers:
          - {layer}
        """)


# --------------------------------------------------------------------------- workload files
def test_malformed_yaml_names_the_line(tmp_path, capsys):
    path = write(tmp_path, "broken.yaml", """
        version: 1
        name: broken
        layers:
          - name: c1
            M: 4
           C: 3
        """)
    msg = fails(capsys, ["run", path])
    assert "malformed YAML" in msg and "line 6" in msg and "broken.yaml" in msg


def test_unknown_layer_key(tmp_path, capsys):
    path = workload_file(tmp_path, "{name: c1, M: 4, C: 3, H: 8, W: 8, R: 3, S: 3, Rr: 3}")
    msg = fails(capsys, ["run", path])
    assert msg.startswith("layers[0].Rr: ") and "unknown key" in msg
    assert "allowed keys" in msg and "R" in msg


def test_batch_in_a_workload_file_is_explained(tmp_path, capsys):
    path = workload_file(tmp_path, "{name: c1, N: 4, M: 4, C: 3, H: 8, W: 8, R: 3, S: 3}")
    msg = fails(capsys, ["run", path])
    assert msg.startswith("layers[0].N: ") and "batch" in msg


@pytest.mark.parametrize("value", ["3.5", '"3"', "true", "0", "-1"])
def test_bad_dimension_value(tmp_path, capsys, value):
    path = workload_file(tmp_path, f"{{name: c1, M: 4, C: 3, H: 8, W: 8, R: {value}, S: 3}}")
    msg = fails(capsys, ["run", path])
    assert msg.startswith("layers[0].R: ")
    assert ("integer" in msg) if value in ("3.5", '"3"', "true") else (">= 1" in msg)


def test_missing_dimension(tmp_path, capsys):
    path = workload_file(tmp_path, "{name: c1, M: 4, C: 3, H: 8, W: 8, S: 3}")
    msg = fails(capsys, ["run", path])
    assert msg.startswith("layers[0].R: ") and "missing" in msg


@pytest.mark.parametrize("layer, field, words", [
    ("{name: c1, M: 4, C: 3, H: 8, W: 8, R: 9, S: 3}", "layers[0].R", ("R=9", "H=8")),
    ("{name: c1, M: 4, C: 3, H: 8, W: 8, R: 3, S: 9}", "layers[0].S", ("S=9", "W=8")),
    ("{name: c1, M: 4, C: 3, H: 8, W: 7, R: 3, S: 3, U: 2}", "layers[0].H", ("stride", "U=2")),
    ("{name: c1, M: 4, C: 3, H: 7, W: 8, R: 3, S: 3, U: 2}", "layers[0].W", ("stride", "U=2")),
    ("{name: c1, M: 4, C: 3, H: 8, W: 8, R: 3, S: 3, G: 2}", "layers[0].C", ("C=3", "G=2")),
])
def test_impossible_shape(tmp_path, capsys, layer, field, words):
    msg = fails(capsys, ["run", workload_file(tmp_path, layer)])
    assert msg.startswith(field + ": "), msg
    for word in words:
        assert word in msg


def test_missing_workload_file(tmp_path, capsys):
    msg = fails(capsys, ["run", tmp_path / "nope.yaml"])
    assert "no such file" in msg and "nope.yaml" in msg


# --------------------------------------------------------------------------- names and options
def test_unknown_workload_preset(capsys):
    msg = fails(capsys, ["run", "alexnett"])
    assert "'alexnett'" in msg and "available" in msg
    for name in ("alexnet", "vgg16", "resnet50", "mobilenet_v1"):
        assert name in msg


def test_unknown_hardware_preset(capsys):
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--hardware", "eyeris"])
    assert "'eyeris'" in msg and "available" in msg and "eyeriss" in msg and "isca16-256-rs" in msg


def test_unknown_dataflow(capsys):
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--dataflow", "xyz"])
    assert msg.startswith("--dataflow: ") and "'xyz'" in msg
    assert "rs, ws, osa, osb, osc, nlr" in msg


def test_unknown_dataflow_in_compare(capsys):
    msg = fails(capsys, ["compare", "alexnet", "--layers", "conv3", "--setup", "isca16", "--dataflows", "rs,xyz"])
    assert msg.startswith("--dataflows: ") and "'xyz'" in msg and "nlr" in msg


@pytest.mark.parametrize("batch", ["0", "-3"])
def test_bad_batch(capsys, batch):
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--batch", batch])
    assert msg.startswith("--batch: ") and ">= 1" in msg


@pytest.mark.parametrize("array, words", [
    ("0x4", (">= 1", "'0x4'")),
    ("banana", ("ROWSxCOLS", "'banana'")),
    ("4x4x4", ("ROWSxCOLS",)),
    ("4x", ("ROWSxCOLS",)),
])
def test_bad_array(capsys, array, words):
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--array", array])
    assert msg.startswith("--array: ")
    for word in words:
        assert word in msg


def test_unknown_layer(capsys):
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3,nope"])
    assert msg.startswith("layers: ") and "unknown layer" in msg and "nope" in msg and "conv1" in msg


def test_bad_compare_options(capsys):
    msg = fails(capsys, ["compare", "alexnet", "--layers", "conv3", "--setup", "isca16", "--pes", "100"])
    assert msg.startswith("--pes: ") and "256" in msg and "1024" in msg
    msg = fails(capsys, ["compare", "alexnet", "--layers", "conv3", "--setup", "isca17"])
    assert msg.startswith("--setup: ") and "isca16" in msg
    msg = fails(capsys, ["compare", "alexnet", "--layers", "conv3"])
    assert msg.startswith("--hardware: ")
    msg = fails(capsys, ["compare", "alexnet", "--layers", "conv3", "--setup", "isca16", "--jobs", "0"])
    assert msg.startswith("--jobs: ") and ">= 1" in msg


def test_unwritable_plot_format_fails_before_running(capsys, tmp_path):
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--plot", tmp_path / "e.foo"])
    assert msg.startswith("--plot: ") and ".foo" in msg and "png" in msg
    assert not (tmp_path / "e.foo").exists()


def test_plot_of_a_bad_document(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    msg = fails(capsys, ["plot", bad, "-o", tmp_path / "x.png"])
    assert "bad.json" in msg and "JSON" in msg
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"a": 1}))
    msg = fails(capsys, ["plot", odd, "-o", tmp_path / "x.png"])
    assert "odd.json" in msg and "layers" in msg
    msg = fails(capsys, ["plot", tmp_path / "missing.json", "-o", tmp_path / "x.png"])
    assert "missing.json" in msg


def test_argparse_errors_exit_2_without_traceback(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "alexnet", "--batch", "four"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--batch" in err and "Traceback" not in err


# --------------------------------------------------------------------------- mapping files
CONV3_LOOPS = "[[M, 384], [C, 256], [E, 13], [F, 13], [R, 3], [S, 3]]"


def mapping_file(tmp_path, loops: str, glb: int, rf: int, layer: str = "conv3"):
    return write(tmp_path, "map.yaml", f"""
        version: 1
        dataflow: rs
        workload: alexnet
        layers:
          {layer}:
            loops: {loops}
            glb: {{ifmap: {glb}, filter: {glb}, psum: {glb}}}
            rf: {{ifmap: {rf}, filter: {rf}, psum: {rf}}}
        """)


def test_mapping_file_that_overflows_the_rf(tmp_path, capsys):
    # a whole 13x13 ofmap plane per PE: fits eyeriss's GLB, not its 12/224/24-word scratch pads
    path = mapping_file(tmp_path, CONV3_LOOPS, glb=2, rf=2)
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--hardware", "eyeriss", "--mapping", path])
    assert msg.startswith("conv3.mapping.rf: ") and "overflow the RF" in msg  # names the layer
    assert "ifmap 225" in msg and "psum 169" in msg


def test_mapping_file_that_overflows_the_glb(tmp_path, capsys):
    path = mapping_file(tmp_path, CONV3_LOOPS, glb=0, rf=2)
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--hardware", "eyeriss", "--mapping", path])
    assert msg.startswith("conv3.mapping.glb: ") and "overflow the GLB" in msg


def test_mapping_file_that_does_not_cover_the_layer(tmp_path, capsys):
    path = mapping_file(tmp_path, CONV3_LOOPS.replace("[C, 256]", "[C, 128]"), glb=2, rf=2)
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--mapping", path])
    assert msg.startswith("layers.conv3.loops[C]: ") and "128" in msg and "256" in msg


def test_mapping_file_at_the_wrong_batch(tmp_path, capsys):
    path = mapping_file(tmp_path, CONV3_LOOPS, glb=2, rf=2)
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--batch", "2", "--mapping", path])
    assert msg.startswith("layers.conv3.loops[N]: ") and "needs 2" in msg


def test_mapping_file_with_an_unknown_layer(tmp_path, capsys):
    path = mapping_file(tmp_path, CONV3_LOOPS, glb=2, rf=2, layer="conv9")
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--mapping", path])
    assert msg.startswith("layers.conv9: ") and "conv9" in msg


def test_mapping_file_with_a_bad_loop(tmp_path, capsys):
    path = mapping_file(tmp_path, "[[M, 384], [C, 256], [E, 13], [F, 13], [Q, 3], [S, 3]]", glb=2, rf=2)
    msg = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--mapping", path])
    assert "loops[4]" in msg and "'Q'" in msg


# --------------------------------------------------------------------------- Python level
LAYER = ConvLayer(name="x", M=8, C=4, H=10, W=10, R=3, S=3)
HW = Hardware(name="small", pe_rows=4, pe_cols=4, rf=Buffer(shared_words=64), glb=Buffer(shared_words=4096))


def _temporal(overrides: dict | None = None) -> tuple[Loop, ...]:
    bounds = dict(zip(Dim, LAYER.loop_bounds())) | (overrides or {})
    return tuple(Loop(d, b) for d, b in bounds.items())


def test_errors_are_accelsim_errors():
    for cls in (SpecError, MappingError, CapacityError, InfeasibleError):
        assert issubclass(cls, AccelsimError)
    assert issubclass(CapacityError, MappingError)
    assert accelsim.CapacityError is CapacityError and accelsim.MappingError is MappingError


def test_simulate_with_a_mapping_that_overflows_the_rf():
    bad = Mapping(loops=_temporal(), glb=(0, 0, 0), rf=(0, 0, 0))  # the whole layer in every PE
    with pytest.raises(accelsim.CapacityError) as info:
        accelsim.simulate(LAYER, HW, "rs", mapping=bad)
    assert info.value.field == "mapping.rf" and "RF" in info.value.message


def test_simulate_with_a_mapping_that_overflows_the_glb():
    hw = Hardware(name="tiny", pe_rows=4, pe_cols=4, rf=Buffer(shared_words=64), glb=Buffer(shared_words=16))
    bad = Mapping(loops=_temporal(), glb=(0, 0, 0), rf=(8, 8, 8))
    with pytest.raises(accelsim.CapacityError) as info:
        accelsim.simulate(LAYER, hw, "rs", mapping=bad)
    assert info.value.field == "mapping.glb" and "GLB" in info.value.message


def test_simulate_with_a_mapping_wider_than_the_array():
    loops = (Loop(Dim.M, 8, LoopKind.COL),) + tuple(lp for lp in _temporal() if lp.dim is not Dim.M)
    bad = Mapping(loops=loops, glb=(0, 0, 0), rf=(1, 1, 1))
    with pytest.raises(accelsim.CapacityError) as info:
        accelsim.simulate(LAYER, HW, "rs", mapping=bad)
    assert info.value.field == "mapping.loops" and "4×4" in info.value.message


def test_simulate_with_a_mapping_that_does_not_cover_the_layer():
    bad = Mapping(loops=_temporal({Dim.C: 2}), glb=(0, 0, 0), rf=(8, 8, 8))
    with pytest.raises(accelsim.MappingError) as info:
        accelsim.simulate(LAYER, HW, "rs", mapping=bad)
    assert not isinstance(info.value, CapacityError)
    assert info.value.field == "mapping.loops[C]" and "4" in info.value.message


def test_illegal_mapping_values():
    with pytest.raises(MappingError) as info:
        Mapping(loops=(Loop(Dim.M, 0),))
    assert info.value.field == "mapping.loops"
    with pytest.raises(MappingError) as info:
        Mapping(loops=(Loop(Dim.M, 8, LoopKind.COL), Loop(Dim.C, 4)), rf=(0, 0, 0))
    assert info.value.field == "mapping.rf" and "above the spatial loop" in info.value.message
    with pytest.raises(MappingError) as info:
        Mapping.from_dict({"loops": [["Q", 3]]})
    assert info.value.field == "mapping.loops[0][0]"


def test_python_spec_errors_name_the_field():
    with pytest.raises(SpecError) as info:
        ConvLayer(name="c", M=4, C=3, H=8, W=8, R=9, S=3)
    assert info.value.field == "c.R"
    with pytest.raises(SpecError) as info:
        accelsim.load_workload("nosuchnet")
    assert "alexnet" in info.value.message
    with pytest.raises(SpecError) as info:
        accelsim.simulate(LAYER, HW, "xyz")
    assert info.value.field == "dataflow"
    with pytest.raises(SpecError) as info:
        accelsim.simulate_network(accelsim.load_workload("alexnet"), HW, "rs", batch=0)
    assert info.value.field == "batch"


def test_compare_with_an_infeasible_dataflow_does_not_raise():
    # RS pins R to PE rows: an 11-row filter cannot go on a 4x4 array; OSB has no such constraint
    wl = accelsim.Workload(name="w", layers=(
        ConvLayer(name="big", M=4, C=2, H=15, W=15, R=11, S=11),
        ConvLayer(name="small", M=4, C=2, H=6, W=6, R=3, S=3),
    ))
    runs = accelsim.compare(wl, HW, ["rs", "osb"], budget=QUICK)
    rs, osb = runs
    assert [r.status for r in rs.layers] == ["infeasible", "ok"]
    assert "array" in rs.layers[0].reason
    assert all(r.ok for r in osb.layers)
    doc = rs.to_dict()
    assert doc["total"]["infeasible_layers"] == ["big"]
    assert doc["total"]["macs"] == wl.layers[1].macs
