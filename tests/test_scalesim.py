"""The SCALE-Sim importer: topology CSV + config .cfg → our workload and hardware YAML."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import accelsim
from accelsim.errors import SpecError
from accelsim.io.presets import load_energy
from accelsim.io.scalesim import parse_config, parse_topology, scalesim_to_yaml
from accelsim.io.schema import hardware_from_data, workload_from_data
from accelsim.io.yamlfile import parse_yaml
from accelsim.spec.dims import Dataflow, NocKind

# SCALE-Sim v2's topologies/conv_nets/alexnet.csv (unpadded IFMAP sizes, trailing commas)
ALEXNET_CSV = """\
Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
Conv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4      ,
Conv2     ,27         ,27        ,5            ,5           ,96      ,256       ,1      ,
Conv3     ,13          ,13         ,3            ,3           ,256     ,384       ,1      ,
Conv4     ,13          ,13         ,3            ,3           ,384     ,384       ,1      ,
Conv5     ,13          ,13         ,3            ,3           ,384     ,256       ,1      ,
"""

# SCALE-Sim v2's configs/scale.cfg (layout and sparsity keys included)
SCALE_CFG = """\
[general]
run_name = scale_example_run_32x32_os

[architecture_presets]
ArrayHeight:    32
ArrayWidth:     32
IfmapSramSzkB:   64
FilterSramSzkB:  64
OfmapSramSzkB:   64
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 64
Dataflow : os
OnChipMemoryBanks:   1
OnChipMemoryBankPorts:   2

IfmapCustomLayout: True
FilterCustomLayout: False
IfmapSRAMBankBandwidth: 64
IfmapSRAMBankNum: 10
FilterSRAMBankBandwidth: 640
FilterSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterSRAMBankPort: 2
MemoryBanks: 1

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: USER
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(tmp_path, csv_text=ALEXNET_CSV, cfg_text=SCALE_CFG, csv_name="alexnet.csv", cfg_name="scale.cfg"):
    """Import, write both YAML files, and load them back with the ordinary loaders."""
    wl_text, hw_text = scalesim_to_yaml(_write(tmp_path, csv_name, csv_text), _write(tmp_path, cfg_name, cfg_text))
    wl = accelsim.load_workload(_write(tmp_path, "workload.yaml", wl_text))
    hw = accelsim.load_hardware(_write(tmp_path, "hardware.yaml", hw_text))
    return wl, hw, wl_text, hw_text


def _scalesim_ofmap(ifmap: int, flt: int, stride: int) -> int:
    """SCALE-Sim's topology_utils: ceil((ifmap - filter + stride) / stride)."""
    return math.ceil((ifmap - flt + stride) / stride)


def test_alexnet_round_trip(tmp_path):
    wl, hw, wl_text, hw_text = _import(tmp_path)
    # the same text through the schema functions (no presets involved)
    assert workload_from_data(parse_yaml(wl_text)).layers == wl.layers
    assert hardware_from_data(parse_yaml(hw_text), load_energy) == hw
    assert wl.name == "alexnet" and [ly.name for ly in wl.layers] == ["Conv1", "Conv2", "Conv3", "Conv4", "Conv5"]
    rows = [line.split(",") for line in ALEXNET_CSV.splitlines()[1:]]
    for layer, row in zip(wl.layers, rows):
        h, w, r, s, c, m, u = (int(v) for v in row[1:8])
        assert (layer.R, layer.S, layer.C, layer.M, layer.U, layer.G) == (r, s, c, m, u, 1)
        assert layer.E == _scalesim_ofmap(h, r, u) and layer.F == _scalesim_ofmap(w, s, u)
        assert layer.macs == layer.E * layer.F * r * s * c * m  # SCALE-Sim's num_mac
    conv1 = wl.layers[0]
    assert (conv1.H, conv1.W, conv1.E) == (227, 227, 55)  # 224 + 3 rows SCALE-Sim reads as padding
    assert "zero padding" in wl_text.splitlines()[6]
    # hardware: the array, three dedicated SRAMs in one-byte words, a systolic NoC, sys-os
    assert (hw.pe_rows, hw.pe_cols, hw.word_bits) == (32, 32, 8)
    assert hw.glb.dedicated_words == (64 * 1024, 64 * 1024, 64 * 1024) and hw.glb.shared_words == 0
    assert hw.noc.kind is NocKind.SYSTOLIC and hw.dataflow is Dataflow.SYS_OS
    assert hw.dram_words_per_cycle == 3 * 64
    assert hw.name == "scale_example_run_32x32_os"
    assert "Ignored" in hw_text and "ifmapoffset" in hw_text


def test_imported_machine_runs(tmp_path):
    wl, hw, _, _ = _import(tmp_path)
    res = accelsim.simulate(wl.layers[2], hw, hw.dataflow.value)
    assert res.ok and res.macs == wl.layers[2].macs and res.active_pes <= 32 * 32


@pytest.mark.parametrize("df", ["os", "ws", "is"])
def test_dataflows(tmp_path, df):
    _, hw, _, _ = _import(tmp_path, cfg_text=SCALE_CFG.replace("Dataflow : os", f"Dataflow : {df.upper()}"))
    assert hw.dataflow is Dataflow(f"sys-{df}")


def test_bandwidth_modes():
    calc = parse_config(SCALE_CFG.replace("InterfaceBandwidth: USER", "InterfaceBandwidth: CALC"))
    assert calc.bandwidth is None
    banks = parse_config(SCALE_CFG.replace("Bandwidth : 64", "Bandwidth : 10,20"))
    assert banks.bandwidth == 10  # SCALE-Sim uses the first bank's value for every interface
    v1 = parse_config(SCALE_CFG.replace("[run_presets]\nInterfaceBandwidth: USER\n", ""))
    assert v1.bandwidth == 64  # SCALE-Sim v1 configs: Bandwidth, no [run_presets]
    from accelsim.io.scalesim import dram_words_per_cycle

    # CALC: SCALE-Sim v2 (scalesim/single_layer_sim.py) sets the ifmap and filter backing
    # bandwidths to 10 and the ofmap's to ArrayWidth (32); USER "10,20": 3 interfaces x 10
    assert dram_words_per_cycle(calc) == 10 + 10 + 32 and dram_words_per_cycle(banks) == 30


def test_gemm_topology(tmp_path):
    wl, _, _, _ = _import(tmp_path, csv_text="Layer Name, M, N, K,\nTest 1, 256, 128, 64,\n", csv_name="g.csv")
    (layer,) = wl.layers
    assert layer.name == "Test 1"
    assert layer.macs == 256 * 128 * 64
    assert layer.E * layer.F == 256 and layer.M == 128 and layer.C * layer.R * layer.S == 64


def test_quirks_of_real_files(tmp_path):
    """Notes after the last comma, a row without the trailing comma, leading tabs, blank lines,
    two strides, a DP (depthwise) layer, a repeated name."""
    text = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\n"
            "Conv2_dw, 112, 112, 3, 3, 1, 1, 1,#dw\n"
            "Conv11,28,28,1,1,256,256,1\n"
            "\tConv14_dw_0,14,14,3,3,1,1,1,\n"
            "Conv5,9,9,3,3,8,8,2,2,\n"
            "DP1,16,16,3,3,32,1,1,\n"
            "Conv11,28,28,1,1,256,256,1,\n")
    wl, _, _, _ = _import(tmp_path, csv_text=text, csv_name="m.csv")
    names = [ly.name for ly in wl.layers]
    assert names == ["Conv2_dw", "Conv11", "Conv14_dw_0", "Conv5", "DP1", "Conv11_2"]
    assert wl.layers[3].U == 2 and wl.layers[3].E == 4
    dp = wl.layers[4]
    assert (dp.G, dp.C, dp.M) == (32, 32, 32)
    assert dp.macs == 32 * 14 * 14 * 9  # SCALE-Sim: 32 one-channel layers of one filter


def _error(tmp_path, csv_text=ALEXNET_CSV, cfg_text=SCALE_CFG) -> SpecError:
    with pytest.raises(SpecError) as info:
        scalesim_to_yaml(_write(tmp_path, "net.csv", csv_text), _write(tmp_path, "run.cfg", cfg_text))
    return info.value


HEADER = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"


@pytest.mark.parametrize("row, field, words", [
    ("Bad,8,8,3,3,x,4,1,", "line 2, Channels", "must be an integer"),
    ("Bad,8,8,3,3,0,4,1,", "line 2, Channels", ">= 1"),
    ("Bad,8,8,9,3,2,4,1,", "line 2, Filter Height", "exceeds IFMAP Height"),
    ("Bad,8,8,3,3,2,4,2,1,", "line 2, Stride Width", "one stride"),
    ("Bad,8,8,3,3,2,", "line 2, Num Filter", "missing column"),
    ("Bad,8,8,3,3,2,4,1,1,1,", "line 2", "columns"),
])
def test_rejected_rows_name_the_line(tmp_path, row, field, words):
    err = _error(tmp_path, csv_text=HEADER + row + "\n")
    assert err.field == field
    assert words in err.message and "'Bad'" in err.message and "net.csv" in err.message


def test_rejected_header(tmp_path):
    err = _error(tmp_path, csv_text="name,h,w\nx,1,1,\n")
    assert err.field == "header" and "net.csv" in err.message
    assert _error(tmp_path, csv_text="").field == "header"
    assert _error(tmp_path, csv_text=HEADER).field == "header"


@pytest.mark.parametrize("edit, field, words", [
    (("ArrayHeight:    32", "ArrayHieght:    32"), "architecture_presets.arrayhieght", "unknown key"),
    (("ArrayWidth:     32\n", ""), "architecture_presets.ArrayWidth", "missing key"),
    (("ArrayWidth:     32", "ArrayWidth: 3.5"), "architecture_presets.ArrayWidth", "must be an integer"),
    (("Dataflow : os", "Dataflow : rs"), "architecture_presets.Dataflow", "os, ws, is"),
    (("IfmapSramSzkB:   64", "IfmapSramSzkB:   0"), "architecture_presets.IfmapSramSzkB", ">= 1"),
    (("InterfaceBandwidth: USER", "InterfaceBandwidth: FAST"), "run_presets.InterfaceBandwidth", "USER or CALC"),
    (("Bandwidth : 64\n", ""), "architecture_presets.Bandwidth", "USER"),
    (("SparsitySupport : false", "SparsitySupport : true"), "sparsity.SparsitySupport", "not modelled"),
    (("[run_presets]", "[run_options]"), "run_options", "unknown section"),
    (("run_name = scale_example_run_32x32_os", "run_name = x\ncolour = blue"), "general.colour", "unknown key"),
])
def test_rejected_config_names_the_key(tmp_path, edit, field, words):
    old, new = edit
    assert old in SCALE_CFG
    err = _error(tmp_path, cfg_text=SCALE_CFG.replace(old, new))
    assert err.field == field
    assert words in err.message and "run.cfg" in err.message


def test_malformed_config(tmp_path):
    err = _error(tmp_path, cfg_text="ArrayHeight: 4\n")
    assert "run.cfg" in err.message
    assert _error(tmp_path, cfg_text="[general]\nrun_name = a\n").field == "architecture_presets"
    with pytest.raises(SpecError, match="no such SCALE-Sim config"):
        scalesim_to_yaml(_write(tmp_path, "n.csv", ALEXNET_CSV), tmp_path / "missing.cfg")


def test_run_name_defaults_to_the_file_stem():
    cfg = parse_config(SCALE_CFG.replace("run_name = scale_example_run_32x32_os\n", ""), "configs/google.cfg")
    assert cfg.run_name == "google"


def test_parse_topology_is_pure():
    layers = parse_topology(ALEXNET_CSV, "alexnet.csv")
    assert [item.layer.name for item in layers][:2] == ["Conv1", "Conv2"]
    assert layers[0].note and not layers[1].note


def test_cli_import_then_run(tmp_path, capsys):
    """`accelsim import scalesim` writes files `accelsim run` takes as they are."""
    from accelsim.cli.main import main

    csv_path = _write(tmp_path, "alexnet.csv", ALEXNET_CSV)
    cfg_path = _write(tmp_path, "scale.cfg", SCALE_CFG)
    out = tmp_path / "imported"
    assert main(["import", "scalesim", str(csv_path), str(cfg_path), "-o", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert "alexnet.yaml" in written and len(written) == 2
    hw_file = next(p for p in out.iterdir() if p.name != "alexnet.yaml")
    capsys.readouterr()
    first = ALEXNET_CSV.strip().splitlines()[1].split(",")[0].strip()
    code = main(["run", str(out / "alexnet.yaml"), "--hardware", str(hw_file), "--dataflow", "sys-os",
                 "--layers", first, "--engine", "cycle"])
    assert code == 0
    assert "verified: output matches reference" in capsys.readouterr().out


def test_cli_import_scalesim_needs_two_files(tmp_path, capsys):
    from accelsim.cli.main import main

    assert main(["import", "scalesim", "only.csv", "-o", str(tmp_path)]) == 2
    assert "topology CSV and config" in capsys.readouterr().err
