"""The SCALE-Sim importer: topology CSV + config .cfg → our workload and hardware YAML."""

from __future__ import annotations

import json
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

# SCALE-Sim's configs/scale.cfg as its GitHub repository has it (scalesim-project/SCALE-Sim at
# 918413a; the format SCALE-Sim 3.0.0's scale_config.read_conf_file reads: every section required)
SCALE_CFG = """\
[general]
run_name = scale_example_run_32x32_ws

[architecture_presets]
ArrayHeight:    32
ArrayWidth:     32
IfmapSramSzkB:   64
FilterSramSzkB:  64
OfmapSramSzkB:   64
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : os
MemoryBanks:   1
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 100
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 100
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: CALC
UseRamulatorTrace: False
"""
# the same in USER mode with 64 words per cycle (as the repository's configs/google.cfg uses USER)
USER_CFG = SCALE_CFG.replace("InterfaceBandwidth: CALC", "InterfaceBandwidth: USER").replace(
    "Bandwidth : 10", "Bandwidth : 64")

# an older SCALE-Sim v2 config: layout keys in [architecture_presets], no [layout], no
# UseRamulatorTrace, the v2 banking keys
V2_CFG = """\
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
IfmapCustomLayout: False
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


HEADER = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(tmp_path, csv_text=ALEXNET_CSV, cfg_text=USER_CFG, csv_name="alexnet.csv", cfg_name="scale.cfg"):
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
    assert hw.name == "scale_example_run_32x32_ws"
    assert "Ignored" in hw_text and "architecture_presets.IfmapOffset" in hw_text


def test_imported_machine_runs(tmp_path):
    wl, hw, _, _ = _import(tmp_path)
    res = accelsim.simulate(wl.layers[2], hw, hw.dataflow.value)
    assert res.ok and res.macs == wl.layers[2].macs and res.active_pes <= 32 * 32


@pytest.mark.parametrize("df", ["os", "ws", "is"])
def test_dataflows(tmp_path, df):
    _, hw, _, _ = _import(tmp_path, cfg_text=SCALE_CFG.replace("Dataflow : os", f"Dataflow : {df}"))
    assert hw.dataflow is Dataflow(f"sys-{df}")


def test_bandwidth_modes():
    from accelsim.io.scalesim import BandwidthMode, dram_words_per_cycle

    calc = parse_config(SCALE_CFG)
    assert calc.mode is BandwidthMode.CALC and calc.bandwidth is None
    assert dram_words_per_cycle(calc) == math.inf  # CALC: SCALE-Sim never stalls on DRAM
    assert "architecture_presets.Bandwidth (CALC)" in calc.ignored
    user = parse_config(USER_CFG)
    assert user.mode is BandwidthMode.USER and dram_words_per_cycle(user) == 3 * 64
    banks = parse_config(USER_CFG.replace("Bandwidth : 64", "Bandwidth : 10,20"))
    assert banks.bandwidth == 10  # SCALE-Sim uses the first bank's value for every interface
    assert dram_words_per_cycle(banks) == 30
    v1 = parse_config(V2_CFG.replace("[run_presets]\nInterfaceBandwidth: USER\n", ""))
    assert v1.mode is BandwidthMode.USER and v1.bandwidth == 64  # v1 configs: Bandwidth, no [run_presets]


def test_every_scalesim_3_key_is_accepted():
    """Every key SCALE-Sim 3.0.0's scale_config.read_conf_file reads, in both bandwidth modes and
    in the older v2 layout; the keys without an accelsim meaning are listed, not dropped."""
    keys_read_by_3_0_0 = {  # section -> keys (scalesim/scale_config.py, read_conf_file)
        "general": {"run_name"},
        "run_presets": {"InterfaceBandwidth", "UseRamulatorTrace"},
        "architecture_presets": {"ArrayHeight", "ArrayWidth", "IfmapSramSzkB", "FilterSramSzkB", "OfmapSramSzkB",
                                 "IfmapOffset", "FilterOffset", "OfmapOffset", "Dataflow", "ReadRequestBuffer",
                                 "WriteRequestBuffer", "Bandwidth"},
        "layout": {"IfmapCustomLayout", "FilterCustomLayout", "IfmapSRAMBankBandwidth", "IfmapSRAMBankNum",
                   "IfmapSRAMBankPort", "FilterSRAMBankBandwidth", "FilterSRAMBankNum", "FilterSRAMBankPort"},
        "sparsity": {"SparsitySupport", "SparseRep", "OptimizedMapping", "BlockSize",
                     "RandomNumberGeneratorSeed"},
    }
    for section, keys in keys_read_by_3_0_0.items():
        for key in keys:
            assert f"{key}" in SCALE_CFG, (section, key)  # the fixture has them all
    for text in (SCALE_CFG, USER_CFG, V2_CFG):
        cfg = parse_config(text, "scale.cfg")
        assert (cfg.rows, cfg.cols, cfg.ifmap_kb, cfg.dataflow) == (32, 32, 64, "os")
    ignored = parse_config(SCALE_CFG).ignored
    for field in ("architecture_presets.IfmapOffset", "architecture_presets.ReadRequestBuffer",
                  "architecture_presets.WriteRequestBuffer", "layout.IfmapSRAMBankBandwidth",
                  "layout.FilterSRAMBankPort", "sparsity.SparseRep", "sparsity.RandomNumberGeneratorSeed"):
        assert field in ignored
    # the network_presets of older configs and a later SCALE-Sim's TimeLinearModel
    extra = SCALE_CFG + '\n[network_presets]\nTopologyCsvLoc: "./topologies/alexnet.csv"\n'
    assert parse_config(extra.replace("UseRamulatorTrace: False", "UseRamulatorTrace: False\nTimeLinearModel: TPUv4"))


def test_calc_mode_is_an_unlimited_dram_link(tmp_path):
    """An imported CALC config never stalls on DRAM (SCALE-Sim's CALC reads never stall); the
    same machine with a narrow DRAM link does."""
    from dataclasses import replace

    small = HEADER + "Small, 10, 10, 3, 3, 8, 16, 1,\n"
    wl, hw, _, hw_text = _import(tmp_path, csv_text=small, cfg_text=SCALE_CFG, csv_name="small.csv")
    assert "dram_words_per_cycle: unlimited" in hw_text and hw.dram_words_per_cycle == math.inf
    (layer,) = wl.layers
    free = accelsim.simulate(layer, hw, "sys-os", engine="cycle")
    assert free.ok and free.timing.stall_cycles.get("dram", 0) == 0
    narrow = accelsim.simulate(layer, replace(hw, dram_words_per_cycle=0.05), "sys-os", engine="cycle",
                               mapping=free.mapping)
    assert narrow.timing.stall_cycles["dram"] > 0 and narrow.cycles > free.cycles
    analytic = accelsim.simulate(layer, hw, "sys-os", mapping=free.mapping)
    assert analytic.ok and math.isfinite(analytic.cycles)


def test_unlimited_dram_in_a_hardware_file():
    base = {"version": 1, "name": "x", "pe_array": {"rows": 2, "cols": 2}, "rf_words": {"shared": 64},
            "glb_words": {"shared": 4096}}
    hw = hardware_from_data(base | {"dram_words_per_cycle": "unlimited"}, load_energy)
    assert hw.dram_words_per_cycle == math.inf
    for bad in ("fast", 0, -1.0, float("inf")):
        with pytest.raises(SpecError, match="dram_words_per_cycle"):
            hardware_from_data(base | {"dram_words_per_cycle": bad}, load_energy)


def test_gemm_topology(tmp_path):
    wl, _, _, _ = _import(tmp_path, csv_text="Layer Name, M, N, K,\nTest 1, 256, 128, 64,\n", csv_name="g.csv")
    (layer,) = wl.layers
    assert layer.name == "Test 1"
    assert layer.macs == 256 * 128 * 64
    assert layer.E * layer.F == 256 and layer.M == 128 and layer.C * layer.R * layer.S == 64


def test_quirks_of_real_files(tmp_path):
    """Notes after the last comma, a row without the trailing comma, leading tabs, blank lines,
    two strides (older files), N:M sparsity columns, a DP (depthwise) layer, a repeated name."""
    text = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\n"
            "Conv2_dw, 112, 112, 3, 3, 1, 1, 1,#dw\n"
            "Conv11,28,28,1,1,256,256,1\n"
            "\tConv14_dw_0,14,14,3,3,1,1,1,\n"
            "Conv5,9,9,3,3,8,8,2,2,\n"
            "DP1,16,16,3,3,3,2,1,\n"
            "Conv11,28,28,1,1,256,256,1,\n"
            "Sparse,8,8,3,3,4,4,1,2:4,\n"
            "Dense,8,8,3,3,4,4,1,4:4,\n")
    wl, _, wl_text, _ = _import(tmp_path, csv_text=text, csv_name="m.csv")
    names = [ly.name for ly in wl.layers]
    assert names == ["Conv2_dw", "Conv11", "Conv14_dw_0", "Conv5", "DP1Channel_0", "DP1Channel_1", "DP1Channel_2",
                     "Conv11_2", "Sparse", "Dense"]
    assert wl.layers[3].U == 2 and wl.layers[3].E == 4
    # SCALE-Sim's topology_utils splits a DP layer into Channels one-channel layers of Num Filter filters
    dps = wl.layers[4:7]
    assert all((dp.G, dp.C, dp.M, dp.E) == (1, 1, 2, 14) for dp in dps)
    assert sum(dp.macs for dp in dps) == 3 * 2 * 14 * 14 * 9
    assert "channel 1 of 3" in wl_text
    # N:M sparsity: SCALE-Sim runs it dense when SparsitySupport is off
    assert wl.layers[8].macs == wl.layers[9].macs == 6 * 6 * 9 * 4 * 4
    assert "2:4 sparsity run dense" in wl_text and "4:4" not in wl_text


def test_gemm_with_sparsity_column(tmp_path):
    text = "Layer Name, M, N, K, Sparsity,\nFC, 64, 10, 128, 1:2,\n"
    wl, _, _, _ = _import(tmp_path, csv_text=text, csv_name="g.csv")
    assert wl.layers[0].macs == 64 * 10 * 128


def _error(tmp_path, csv_text=ALEXNET_CSV, cfg_text=SCALE_CFG) -> SpecError:
    with pytest.raises(SpecError) as info:
        scalesim_to_yaml(_write(tmp_path, "net.csv", csv_text), _write(tmp_path, "run.cfg", cfg_text))
    return info.value


@pytest.mark.parametrize("row, field, words", [
    ("Bad,8,8,3,3,x,4,1,", "line 2, Channels", "must be an integer"),
    ("Bad,8,8,3,3,0,4,1,", "line 2, Channels", ">= 1"),
    ("Bad,8,8,9,3,2,4,1,", "line 2, Filter Height", "exceeds IFMAP Height"),
    ("Bad,8,8,3,3,2,4,2,1,", "line 2, Stride Width", "one stride"),
    ("Bad,8,8,3,3,2,", "line 2, Num Filter", "missing column"),
    ("Bad,8,8,3,3,2,4,1,1,1,", "line 2", "columns"),
    ("Bad,8,8,3,3,2,4,1,4:2,", "line 2, Sparsity", "1 <= N <= M"),
    ("Bad,8,8,3,3,2,4,1,a:b,", "line 2, Sparsity", "two integers"),
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
    (("InterfaceBandwidth: CALC", "InterfaceBandwidth: FAST"), "run_presets.InterfaceBandwidth", "USER or CALC"),
    (("IfmapOffset:    0", "IfmapOffset:    -4"), "architecture_presets.IfmapOffset", "integer >= 0"),
    (("ReadRequestBuffer: 32", "ReadRequestBuffer: 0"), "architecture_presets.ReadRequestBuffer", ">= 1"),
    (("IfmapSRAMBankNum: 10", "IfmapSRAMBankNum: ten"), "layout.IfmapSRAMBankNum", "must be an integer"),
    (("UseRamulatorTrace: False", "UseRamulatorTrace: maybe"), "run_presets.UseRamulatorTrace", "True or False"),
    (("[run_presets]", "[run_options]"), "run_options", "unknown section"),
    (("run_name = scale_example_run_32x32_ws", "run_name = x\ncolour = blue"), "general.colour", "unknown key"),
    (("BlockSize : 8", "BlockSize : 8\nDensity: 3"), "sparsity.density", "unknown key"),
])
def test_rejected_config_names_the_key(tmp_path, edit, field, words):
    old, new = edit
    assert old in SCALE_CFG
    err = _error(tmp_path, cfg_text=SCALE_CFG.replace(old, new))
    assert err.field == field
    assert words in err.message and "run.cfg" in err.message


def test_user_mode_needs_a_bandwidth(tmp_path):
    err = _error(tmp_path, cfg_text=USER_CFG.replace("Bandwidth : 64\n", ""))
    assert err.field == "architecture_presets.Bandwidth" and "USER" in err.message


@pytest.mark.parametrize("old, new, field, why", [
    ("UseRamulatorTrace: False", "UseRamulatorTrace: True", "run_presets.UseRamulatorTrace", "Ramulator"),
    ("SparsitySupport : false", "SparsitySupport : true", "sparsity.SparsitySupport", "sparse"),
    ("IfmapCustomLayout: False", "IfmapCustomLayout: True", "layout.IfmapCustomLayout", "bank-conflict"),
    ("FilterCustomLayout: False", "FilterCustomLayout: True", "layout.FilterCustomLayout", "bank-conflict"),
])
def test_refused_values_say_why(tmp_path, capsys, old, new, field, why):
    """Only values accelsim cannot model are refused: by name, in one line, exit code 2."""
    from accelsim.cli.main import main

    err = _error(tmp_path, cfg_text=SCALE_CFG.replace(old, new))
    assert err.field == field and why in err.message and "not model" in err.message and "run.cfg" in err.message
    csv_path = _write(tmp_path, "alexnet.csv", ALEXNET_CSV)
    cfg_path = _write(tmp_path, "bad.cfg", SCALE_CFG.replace(old, new))
    capsys.readouterr()
    assert main(["import", "scalesim", str(csv_path), str(cfg_path), "-o", str(tmp_path / "out")]) == 2
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1 and field in message and "bad.cfg" in message
    # the v2 location of the layout keys is refused the same way
    if "Layout" in old:
        v2 = V2_CFG.replace(old, new)
        assert new in v2
        assert _error(tmp_path, cfg_text=v2).field == f"architecture_presets.{field.split('.')[1]}"


def test_malformed_config(tmp_path):
    err = _error(tmp_path, cfg_text="ArrayHeight: 4\n")
    assert "run.cfg" in err.message
    assert _error(tmp_path, cfg_text="[general]\nrun_name = a\n").field == "architecture_presets"
    with pytest.raises(SpecError, match="no such SCALE-Sim config"):
        scalesim_to_yaml(_write(tmp_path, "n.csv", ALEXNET_CSV), tmp_path / "missing.cfg")


def test_run_name_defaults_to_the_file_stem():
    cfg = parse_config(SCALE_CFG.replace("run_name = scale_example_run_32x32_ws\n", ""), "configs/google.cfg")
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
                 "--layers", first, "--engine", "cycle", "--json", str(tmp_path / "r.json")])
    assert code == 0
    assert "verified: output matches reference" in capsys.readouterr().out
    assert "dram_words_per_cycle: unlimited" in hw_file.read_text()  # the repository's scale.cfg is CALC

    def no_constants(name):
        raise AssertionError(f"non-JSON constant {name} in the result")

    doc = json.loads((tmp_path / "r.json").read_text(), parse_constant=no_constants)
    assert "Infinity" not in (tmp_path / "r.json").read_text() and doc


def test_cli_import_scalesim_needs_two_files(tmp_path, capsys):
    from accelsim.cli.main import main

    assert main(["import", "scalesim", "only.csv", "-o", str(tmp_path)]) == 2
    assert "topology CSV and config" in capsys.readouterr().err
