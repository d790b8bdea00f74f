"""Accelergy ERT import (``accelsim import accelergy``) and the version-2 energy file it writes.

The fixtures below are small snippets written for these tests. Their numbers are facts taken
from the Timeloop reference cases (``timeloop-cases/<case>``: Accelergy-Project/
timeloop-accelergy-exercises outputs, cited per fixture); the project never reads those files.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import accelsim
from accelsim.cli.main import main
from accelsim.errors import SpecError
from accelsim.io.accelergy import ErtFormat, Part, Slot, classify, energy_yaml, import_ert, parse_ert, parse_map
from accelsim.io.presets import load_energy, load_hardware
from accelsim.io.schema import energy_from_data
from accelsim.io.yamlfile import parse_yaml
from accelsim.layout import READS, WRITES
from accelsim.spec.dims import DataType, EnergyUnit, Level
from accelsim.spec.energy import EnergyTable, TypedEnergyTable

IF, FI, PS = DataType.IFMAP, DataType.FILTER, DataType.PSUM

# timeloop-cases/2020-baseline-eyeriss_like-alexnet-layer1, timeloop-mapper.ERT_summary.yaml (Accelergy 0.3, 45 nm):
# mac mac_random 2.2 pJ; ifmap_spad read/write average 0.146, weights_spad 0.824, psum_spad 0.153 pJ;
# shared_glb read average 37.1, write 37.635 pJ; DRAM read/write 512 pJ; DummyBuffer read 0.104 pJ.
ERT_V03 = """\
ERT_summary:
  version: 0.3
  table_summary:
  - name: system.eyeriss.PE[0..167].mac
    actions:
    - {name: mac_random, energy: 2.2}
    - {name: mac_reused, energy: 1.877}
    - {name: idle, energy: 0.066}
  - name: system.eyeriss.DummyBuffer[0..13]
    actions:
    - {name: read, average_energy: 0.104, max_energy: 0.202, min_energy: 0.006}
    - {name: write, average_energy: 0.104, max_energy: 0.202, min_energy: 0.006}
  - name: system.DRAM
    actions:
    - {name: read, energy: 512}
    - {name: write, energy: 512}
    - {name: idle, energy: 0}
  - name: system.eyeriss.PE[0..167].ifmap_spad
    actions:
    - {name: write, average_energy: 0.146, max_energy: 0.237, min_energy: 0.055}
    - {name: read, average_energy: 0.146, max_energy: 0.237, min_energy: 0.055}
  - name: system.eyeriss.PE[0..167].weights_spad
    actions:
    - {name: write, average_energy: 0.824}
    - {name: read, average_energy: 0.824}
  - name: system.eyeriss.PE[0..167].psum_spad
    actions:
    - {name: write, average_energy: 0.153}
    - {name: read, average_energy: 0.153}
  - name: system.eyeriss.shared_glb
    actions:
    - {name: write, average_energy: 37.635, max_energy: 75.215, min_energy: 0.055}
    - {name: read, average_energy: 37.1, max_energy: 74.144, min_energy: 0.055}
"""

# the same case's timeloop-mapper.flattened_architecture.yaml (attributes abridged): spads block-size 1
# (16-bit width, 16-bit words); shared_glb block-size 4, memory_width 64, word-bits 16; DRAM block-size 4,
# width 64, word-bits 16
ARCH_V03 = """\
architecture:
  version: 0.3
  local:
  - {name: "system.eyeriss.PE[0..167].ifmap_spad", class: smartbuffer_RF,
     attributes: {block-size: 1, memory_depth: 12, memory_width: 16, word-bits: 16}}
  - {name: "system.eyeriss.PE[0..167].weights_spad", class: smartbuffer_RF,
     attributes: {block-size: 1, memory_depth: 192, memory_width: 16, word-bits: 16}}
  - {name: "system.eyeriss.PE[0..167].psum_spad", class: smartbuffer_RF,
     attributes: {block-size: 1, memory_depth: 16, memory_width: 16, word-bits: 16}}
  - {name: "system.eyeriss.PE[0..167].mac", class: intmac, attributes: {datawidth: 16}}
  - {name: system.eyeriss.shared_glb, class: smartbuffer_SRAM,
     attributes: {block-size: 4, memory_depth: 16384, memory_width: 64, word-bits: 16}}
  - {name: "system.eyeriss.DummyBuffer[0..13]", class: regfile, attributes: {block-size: 1, width: 16, word-bits: 16}}
  - {name: system.DRAM, class: DRAM, attributes: {block-size: 4, type: LPDDR4, width: 64, word-bits: 16}}
"""

# timeloop-cases/2024-example-eyeriss_like-default_problem, timeloop-mapper.ERT_summary.yaml (Accelergy 0.4,
# 32 nm): mac compute 0.207692; ifmap_spad read 0.202442, write/update 0.176713; weights_spad read 1.976602,
# write/update 1.881657; psum_spad read 0.2513, write/update 0.2191; shared_glb read 18.183829, write/update
# 14.137929; DRAM read/write/update 512 pJ.
ERT_V04 = """\
ERT_summary:
    version: '0.4'
    table_summary:
      - name: system_top_level.DRAM[1..1]
        actions:
          - {name: leak, energy: 0.0}
          - {name: write, energy: 512.0}
          - {name: read, energy: 512.0}
          - {name: update, energy: 512.0}
      - name: system_top_level.shared_glb[1..1]
        actions:
          - {name: write, energy: 14.137929}
          - {name: read, energy: 18.183829}
          - {name: update, energy: 14.137929}
      - name: system_top_level.ifmap_spad[1..168]
        actions:
          - {name: write, energy: 0.176713}
          - {name: read, energy: 0.202442}
          - {name: update, energy: 0.176713}
      - name: system_top_level.weights_spad[1..168]
        actions:
          - {name: write, energy: 1.881657}
          - {name: read, energy: 1.976602}
          - {name: update, energy: 1.881657}
      - name: system_top_level.psum_spad[1..168]
        actions:
          - {name: write, energy: 0.2191}
          - {name: read, energy: 0.2513}
          - {name: update, energy: 0.2191}
      - name: system_top_level.mac[1..168]
        actions:
          - {name: compute, energy: 0.207692}
          - {name: leak, energy: 0.002374}
"""

# the same case's timeloop-mapper.flattened_architecture.yaml (abridged): DRAM and shared_glb width 64,
# datawidth 8 (8 words per access); ifmap_spad and weights_spad width 16, datawidth 8 (2 words per access),
# with Accelergy's rounded-up memory_width 32; psum_spad width 16, datawidth 16 (1 word); inter_*_spatial
# dummies of class dummy_storage
ARCH_V04 = """\
architecture:
  version: '0.4'
  local:
    - {name: "system_top_level.DRAM[1..1]", class: DRAM, attributes: {type: LPDDR4, width: 64, datawidth: 8}}
    - {name: "system_top_level.shared_glb[1..1]", class: smartbuffer_SRAM,
       attributes: {depth: 16384, width: 64, n_banks: 32, datawidth: 8}}
    - {name: "system_top_level.inter_PE_column_spatial[1..1]", class: dummy_storage,
       attributes: {width: 1, depth: 1, datawidth: 1}}
    - {name: "system_top_level.ifmap_spad[1..168]", class: smartbuffer_RF,
       attributes: {depth: 12, width: 16, datawidth: 8, memory_width: 32}}
    - {name: "system_top_level.weights_spad[1..168]", class: smartbuffer_RF,
       attributes: {depth: 192, width: 16, datawidth: 8, memory_width: 32}}
    - {name: "system_top_level.psum_spad[1..168]", class: smartbuffer_RF,
       attributes: {depth: 16, width: 16, datawidth: 16, memory_width: 32}}
    - {name: "system_top_level.mac[1..168]", class: intmac, attributes: {multiplier_width: 8, adder_width: 16}}
"""

# timeloop-cases/2019-exercises-06-mapper-eyeriss256-cnn-layer, ERT_summary.yaml (the 2019 "ERT summaries"
# form, 40 nm): MACs mac_random 1.207; InputRegFile 0.097, WeightRegFile 0.774, PsumRegFile 0.104;
# GlobalBuffer read average 13.25, write 10.57; DRAM read/write 512 pJ
ERT_2019 = """\
ERT_summary:
  ERT summaries:
    System.DRAM:
      idle: {energy: 0}
      read: {energy: 512}
      write: {energy: 512}
    System.Eyeriss.DummyBuffer[0..15]:
      read: {average energy: 0.104, max energy: 0.202, min energy: 0.006}
      write: {average energy: 0.104, max energy: 0.202, min energy: 0.006}
    System.Eyeriss.GlobalBuffer:
      idle: {energy: 0.007}
      read: {average energy: 13.25, max energy: 26.493, min energy: 0.007}
      write: {average energy: 10.57, max energy: 21.134, min energy: 0.007}
    System.Eyeriss.PE[0..255].InputRegFile:
      read: {average energy: 0.097}
      write: {average energy: 0.097}
    System.Eyeriss.PE[0..255].MACs:
      mac_gated: {energy: 0.044}
      mac_random: {energy: 1.207}
      mac_reused: {energy: 1.032}
    System.Eyeriss.PE[0..255].PsumRegFile:
      read: {average energy: 0.104}
      write: {average energy: 0.104}
    System.Eyeriss.PE[0..255].WeightRegFile:
      read: {average energy: 0.774}
      write: {average energy: 0.774}
  version: null
"""

# the same case's eyeriss-256.arch.yaml (a v0.2 tree, abridged): DRAM and GlobalBuffer block-size 4 (64-bit
# width, 16-bit words), the register files block-size 1
ARCH_2019_TREE = """\
architecture:
  version: 0.2
  subtree:
    - name: System
      local:
        - {name: DRAM, class: DRAM, attributes: {width: 64, word-bits: 16, block-size: 4}}
      subtree:
        - name: Eyeriss
          attributes: {technology: 40nm}
          local:
            - {name: GlobalBuffer, class: SRAM, attributes: {depth: 16384, width: 64, block-size: 4, word-bits: 16}}
            - {name: "DummyBuffer[0..15]", class: regfile, attributes: {depth: 16, width: 16, block-size: 1}}
          subtree:
            - name: PE[0..255]
              local:
                - {name: InputRegFile, class: regfile, attributes: {depth: 12, width: 16, block-size: 1}}
                - {name: WeightRegFile, class: regfile, attributes: {depth: 192, width: 16, block-size: 1}}
                - {name: PsumRegFile, class: regfile, attributes: {depth: 16, width: 16, block-size: 1}}
                - {name: MACs, class: intmac, attributes: {datawidth: 16}}
"""

# timeloop-cases/2020-baseline-simple_weight_stationary-alexnet-layer1, timeloop-mapper.ERT_summary.yaml
# (abridged): one pe_spad per PE (read/write average 0.824 pJ in this fixture), registers with a single
# `access` action, shared_glb, DRAM
ERT_SIMPLE_WS = """\
ERT_summary:
  version: 0.3
  table_summary:
  - name: system.simple_ws.PE[0..255].mac
    actions: [{name: mac_random, energy: 2.2}]
  - name: system.DRAM
    actions: [{name: read, energy: 512}, {name: write, energy: 512}]
  - name: system.simple_ws.PE[0..255].pe_spad
    actions: [{name: write, average_energy: 0.824}, {name: read, average_energy: 0.824}]
  - name: system.simple_ws.PE[0..255].weight_reg
    actions: [{name: access, energy: 0.009}]
  - name: system.simple_ws.shared_glb
    actions: [{name: write, average_energy: 37.635}, {name: read, average_energy: 37.1}]
"""

# timeloop-cases/2020-exercises-01-conv1d-2level-os, timeloop-model.ERT_summary.yaml (abridged): a PE with
# one Buffer (read/write average 0.212 pJ), a MACC (mac_random 0.561 pJ) and a MainMemory; no RF-like name
ERT_CONV1D = """\
ERT_summary:
  version: 0.3
  table_summary:
  - name: System.PE.Buffer
    actions: [{name: read, average_energy: 0.212}, {name: write, average_energy: 0.212}]
  - name: System.PE.MACC
    actions: [{name: mac_random, energy: 0.561}]
  - name: System.MainMemory
    actions: [{name: read, average_energy: 19.951}, {name: write, average_energy: 16.212}]
"""


def put(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def word(costs, level: Level, dtype: DataType) -> tuple[float, float]:
    return costs.read(level, dtype), costs.write(level, dtype)


# ----------------------------------------------------------------------------- the three formats
def test_v03_with_flattened_arch(tmp_path):
    """2020-baseline-eyeriss_like-alexnet-layer1: shared_glb read 37.1 pJ per 64-bit access (block-size 4)
    = 9.275 pJ per 16-bit word; DRAM 512 pJ per access = 128 pJ per word; the spads move one word."""
    r = import_ert(put(tmp_path, "ert.yaml", ERT_V03), put(tmp_path, "arch.yaml", ARCH_V03))
    c = r.costs
    assert r.fmt is ErtFormat.V03 and c.unit is EnergyUnit.PJ
    assert c.mac == 2.2
    assert word(c, Level.RF, IF) == (0.146, 0.146)
    assert word(c, Level.RF, FI) == (0.824, 0.824)
    assert word(c, Level.RF, PS) == (0.153, 0.153)
    for t in DataType:
        assert word(c, Level.GLB, t) == (9.275, pytest.approx(37.635 / 4))
        assert word(c, Level.DRAM, t) == (128.0, 128.0)
        assert c.read(Level.NOC, t) == 0.0
    assert [name for name, _ in r.ignored] == ["system.eyeriss.DummyBuffer[0..13]"]
    assert not r.assumptions
    assert "ert.yaml" in c.source and "RF.ifmap=ifmap_spad" in c.source and "GLB=shared_glb" in c.source


def test_v04_width_over_datawidth_and_update(tmp_path):
    """2024-example-eyeriss_like-default_problem: shared_glb width 64 / datawidth 8 = 8 words per access,
    read 18.183829 pJ = 2.27297863 pJ per word; ifmap_spad width 16 / 8 = 2 words (not Accelergy's
    memory_width 32); psum_spad 1 word; the MAC is the compute action (0.207692 pJ)."""
    r = import_ert(put(tmp_path, "ert.yaml", ERT_V04), put(tmp_path, "arch.yaml", ARCH_V04))
    c = r.costs
    assert r.fmt is ErtFormat.V04
    assert c.mac == 0.207692
    assert c.read(Level.GLB, IF) == pytest.approx(18.183829 / 8)
    assert c.write(Level.GLB, PS) == pytest.approx(14.137929 / 8)     # update / 8
    assert word(c, Level.RF, IF) == pytest.approx((0.202442 / 2, 0.176713 / 2))
    assert word(c, Level.RF, FI) == pytest.approx((1.976602 / 2, 1.881657 / 2))
    assert word(c, Level.RF, PS) == (0.2513, 0.2191)
    assert word(c, Level.DRAM, FI) == (64.0, 64.0)


def test_v04_update_is_the_psum_write(tmp_path):
    """A synthetic change of the 0.4 fixture: psum_spad update 0.3 pJ, write 0.2191 pJ; psums are written
    back by updates, so RF.psum write = 0.3; the other types' writes use `write`."""
    text = ERT_V04.replace("{name: update, energy: 0.2191}", "{name: update, energy: 0.3}")
    text = text.replace("{name: update, energy: 14.137929}", "{name: update, energy: 20.0}")
    r = import_ert(put(tmp_path, "ert.yaml", text), put(tmp_path, "arch.yaml", ARCH_V04))
    assert r.costs.write(Level.RF, PS) == 0.3
    assert r.costs.write(Level.GLB, PS) == 2.5 and r.costs.write(Level.GLB, IF) == pytest.approx(14.137929 / 8)


def test_2019_summaries_with_tree_arch(tmp_path):
    """2019-exercises-06-mapper-eyeriss256-cnn-layer: GlobalBuffer read average 13.25 pJ per 4-word access
    = 3.3125 pJ per word, write 10.57 / 4; register files by name (InputRegFile → RF ifmap, …); the v0.2 tree
    architecture is flattened to find them."""
    r = import_ert(put(tmp_path, "ERT_summary.yaml", ERT_2019), put(tmp_path, "arch.yaml", ARCH_2019_TREE))
    c = r.costs
    assert r.fmt is ErtFormat.V2019
    assert c.mac == 1.207
    assert [c.read(Level.RF, t) for t in DataType] == [0.097, 0.774, 0.104]
    assert word(c, Level.GLB, FI) == (3.3125, 2.6425)
    assert word(c, Level.DRAM, PS) == (128.0, 128.0)
    assert not r.assumptions


def test_without_arch_one_word_per_access_is_said(tmp_path):
    """No --arch: the ERT's per-access energies are taken per word, and the file says so."""
    r = import_ert(put(tmp_path, "ert.yaml", ERT_V03))
    assert r.costs.read(Level.GLB, IF) == 37.1 and r.costs.read(Level.DRAM, IF) == 512.0
    assert any("shared_glb" in a and "no --arch" in a for a in r.assumptions)
    text = energy_yaml(r, "x")
    assert "ASSUMED one word per access" in text and "no --arch" in text


def test_arch_without_the_component_is_said(tmp_path):
    arch = ARCH_V03.replace("system.eyeriss.shared_glb", "system.eyeriss.other_glb")
    r = import_ert(put(tmp_path, "ert.yaml", ERT_V03), put(tmp_path, "arch.yaml", arch))
    assert r.costs.read(Level.GLB, IF) == 37.1
    assert any(a.startswith("system.eyeriss.shared_glb: not in arch.yaml") for a in r.assumptions)


# ----------------------------------------------------------------------------- mapping
@pytest.mark.parametrize(("name", "actions", "part", "dtype"), [
    ("system.eyeriss.PE[0..167].ifmap_spad", ["read"], Part.RF, IF),
    ("System.Eyeriss.PE[0..255].InputRegFile", ["read"], Part.RF, IF),
    ("system.eyeriss.PE[0..167].weights_spad", ["read"], Part.RF, FI),
    ("System.Eyeriss.PE[0..255].PsumRegFile", ["read"], Part.RF, PS),
    ("system.simple_ws.PE[0..255].pe_spad", ["read"], Part.RF, None),
    ("System_top_level.RegisterFile[1..1]", ["read"], Part.RF, None),
    ("system.eyeriss.shared_glb", ["read"], Part.GLB, None),
    ("System.Eyeriss.GlobalBuffer", ["read"], Part.GLB, None),
    ("PE_top_level.Buffer[1..1]", ["read"], Part.GLB, None),
    ("system_top_level.DRAM[1..1]", ["read"], Part.DRAM, None),
    ("System.MainMemory", ["read"], Part.DRAM, None),
    ("system.eyeriss.PE[0..167].mac", ["mac_random"], Part.MAC, None),
    ("PE.MACC", ["mac_random"], Part.MAC, None),
    ("system_top_level.mac[1..168]", ["compute"], Part.MAC, None),
    ("system.eyeriss.DummyBuffer[0..13]", ["read"], None, None),
    ("system_top_level.inter_PE_spatial[1..14]", ["read"], None, None),
    ("system.simple_ws.PE[0..255].weight_reg", ["access"], None, None),
])
def test_name_heuristics(name, actions, part, dtype):
    from accelsim.io.accelergy import ErtComponent

    got = classify(ErtComponent(name, tuple((a, 1.0) for a in actions)))
    assert got[:2] == (part, dtype)


def test_single_pe_spad_serves_every_type(tmp_path):
    """2020-baseline-simple_weight_stationary-alexnet-layer1: one pe_spad per PE → every RF type; the
    registers are not used."""
    r = import_ert(put(tmp_path, "ert.yaml", ERT_SIMPLE_WS))
    assert [r.costs.read(Level.RF, t) for t in DataType] == [0.824] * 3
    assert "RF=pe_spad" in r.costs.source
    assert "system.simple_ws.PE[0..255].weight_reg" in dict(r.ignored)


def test_map_overrides_and_access_action(tmp_path):
    """--map RF.filter=weight_reg: the register's one `access` action (0.009 pJ) is both read and write;
    the other RF types keep the pe_spad."""
    r = import_ert(put(tmp_path, "ert.yaml", ERT_SIMPLE_WS), mapping=["RF.filter=weight_reg"])
    assert word(r.costs, Level.RF, FI) == (0.009, 0.009)
    assert r.costs.read(Level.RF, IF) == 0.824
    assert "RF.filter=weight_reg" in r.costs.source


def test_unmapped_level_then_map(tmp_path):
    """2020-exercises-01-conv1d-2level-os: Buffer (in the PE), MACC and MainMemory; no component is an RF:
    an error naming RF and --map; --map RF=Buffer and GLB=none (cost 0) import it."""
    ert = put(tmp_path, "ert.yaml", ERT_CONV1D)
    with pytest.raises(SpecError) as info:
        import_ert(ert)
    assert info.value.field == "--map" and "no component for RF among" in info.value.message
    assert "--map RF=COMPONENT" in info.value.message
    r = import_ert(ert, mapping=["RF=System.PE.Buffer", "GLB=none"], noc_pj=0.5)
    assert [r.costs.read(Level.RF, t) for t in DataType] == [0.212] * 3
    assert [r.costs.read(Level.GLB, t) for t in DataType] == [0.0] * 3
    assert word(r.costs, Level.DRAM, IF) == (19.951, 16.212)
    assert r.costs.mac == 0.561 and r.costs.read(Level.NOC, PS) == 0.5


@pytest.mark.parametrize(("items", "message"), [
    (["RF.ifmap"], "expected SLOT=COMPONENT"),
    (["NoC=x"], "expected SLOT=COMPONENT"),
    (["MAC.ifmap=mac"], "the MAC has no data types"),
    (["RF=a", "RF.psum=b"], "RF.psum is mapped twice"),
])
def test_bad_map_items(items, message):
    with pytest.raises(SpecError) as info:
        parse_map(items)
    assert info.value.field == "--map" and message in info.value.message


def test_map_to_unknown_component(tmp_path):
    with pytest.raises(SpecError) as info:
        import_ert(put(tmp_path, "ert.yaml", ERT_V03), mapping=["RF.ifmap=nope"])
    assert "no component 'nope'" in info.value.message and "ifmap_spad" in info.value.message


def test_parse_map_slots():
    got = parse_map(["rf=pe_spad", "GLB.psum=none", "MAC=MACC"])
    assert got[Slot(Part.RF, FI)] == "pe_spad" and got[Slot(Part.GLB, PS)] is None
    assert got[Slot(Part.MAC)] == "MACC" and len(got) == 5


# ----------------------------------------------------------------------------- round trip
HARDWARE = """\
version: 1
name: small
pe_array: {rows: 4, cols: 4}
rf_words: {ifmap: 12, filter: 224, psum: 24}
glb_words: {shared: 16384}
energy: {preset: ert.yaml}
"""


def test_round_trip_import_load_run(tmp_path):
    """import → the version-2 file → load_energy (directly and as a hardware file's energy preset) → a run:
    every component's energy is the counts times the imported per-word costs (psums: reads at the read
    cost plus writes at the write cost)."""
    r = import_ert(put(tmp_path, "ERT_summary.yaml", ERT_V04), put(tmp_path, "arch.yaml", ARCH_V04))
    put(tmp_path, "ert.yaml", energy_yaml(r, "eyeriss-like-32nm"))
    table = load_energy(tmp_path / "ert.yaml")
    assert isinstance(table, TypedEnergyTable) and table.costs == r.costs and table.name == "eyeriss-like-32nm"
    hw = load_hardware(put(tmp_path, "hw.yaml", HARDWARE))
    assert hw.energy == table and hw.access_costs == r.costs
    layer = accelsim.ConvLayer(N=1, M=8, C=4, H=10, W=10, R=3, S=3)
    res = accelsim.simulate(layer, hw, "rs")
    c = r.costs
    assert res.energy["ALU"] == pytest.approx(layer.macs * c.mac)
    for comp, level in (("RF", Level.RF), ("NoC", Level.NOC), ("GLB", Level.GLB), ("DRAM", Level.DRAM)):
        for t in DataType:
            n = np.asarray(res.counts)[level, t]
            expected = n[READS] * c.read(level, t)
            if t is PS and level is not Level.NOC:
                expected += n[WRITES] * c.write(level, t)
            assert res.energy[comp][t.label] == pytest.approx(expected), (comp, t)
    assert res.energy_unit == "pj" and res.energy["GLB"]["ifmap"] > 0


# ----------------------------------------------------------------------------- version-2 energy files
V2 = """\
version: 2
name: t
source: test
unit: pj
mac: 2
RF: {ifmap: 1, filter: {read: 2, write: 3}, psum: 0.5}
NoC: 0.25
GLB: 9
DRAM: {ifmap: 128, filter: 128, psum: {read: 100, write: 120}}
"""


def test_v2_file_plain_numbers_and_read_write():
    table = energy_from_data(parse_yaml(V2), origin="t.yaml")
    c = table.costs
    assert c.mac == 2 and word(c, Level.RF, IF) == (1, 1) and word(c, Level.RF, FI) == (2, 3)
    assert [c.read(Level.NOC, t) for t in DataType] == [0.25] * 3
    assert [word(c, Level.GLB, t) for t in DataType] == [(9, 9)] * 3
    assert word(c, Level.DRAM, PS) == (100, 120)
    assert c.uniform() is None and "per level and data type" in table.describe()


def test_v1_still_gives_an_energy_table():
    assert isinstance(load_energy("isca16"), EnergyTable)


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("RF: {ifmap: 1,", "RF: {ifmap: -1,", "RF.ifmap", "must be >= 0"),
    ("GLB: 9", "GLB: -9", "GLB", "must be >= 0"),
    ("GLB: 9", "GLB: nine", "GLB", "must be a number or {ifmap, filter, psum}"),
    ("psum: {read: 100, write: 120}", "psum: {read: 100}", "DRAM.psum.write", "missing required key 'write'"),
    ("filter: {read: 2, write: 3}", "filter: {read: 2, write: 3, update: 1}", "RF.filter.update", "unknown key"),
    ("NoC: 0.25", "NoC: {ifmap: 1, filter: 1}", "NoC.psum", "missing required key 'psum'"),
    ("NoC: 0.25\n", "", "NoC", "missing required key 'NoC'"),
    ("version: 2", "version: 3", "version", "must be 1 (one cost per level) or 2"),
    ("mac: 2", "mac: true", "mac", "must be a number"),
])
def test_v2_file_errors_name_the_field_and_the_file(old, new, field, message):
    assert old in V2
    with pytest.raises(SpecError) as info:
        energy_from_data(parse_yaml(V2.replace(old, new)), origin="t.yaml")
    assert info.value.field == field and message in info.value.message and "t.yaml" in info.value.message
    assert "\n" not in str(info.value)


def test_v2_all_zero_refused():
    text = "version: 2\nname: z\nsource: s\nunit: pj\nmac: 0\nRF: 0\nNoC: 0\nGLB: 0\nDRAM: 0\n"
    with pytest.raises(SpecError, match="every cost is 0"):
        energy_from_data(parse_yaml(text))


def test_hardware_file_overrides_on_a_typed_table(tmp_path):
    """energy: {preset: <v2 file>, rf: 0.5}: every RF type and direction costs 0.5; the rest is the file's."""
    put(tmp_path, "ert.yaml", V2)
    hw = load_hardware(put(tmp_path, "hw.yaml", HARDWARE.replace("{preset: ert.yaml}", "{preset: ert.yaml, rf: 0.5}")))
    c = hw.access_costs
    assert [word(c, Level.RF, t) for t in DataType] == [(0.5, 0.5)] * 3
    assert word(c, Level.DRAM, PS) == (100, 120) and c.mac == 2
    assert "overridden: rf=0.5" in c.source and hw.energy.name == "t+overrides"


def test_parse_ert_rejects_other_documents():
    with pytest.raises(SpecError, match="give the ERT_summary.yaml"):
        parse_ert({"ERT": {"tables": []}}, "ERT.yaml")
    with pytest.raises(SpecError) as info:
        parse_ert(parse_yaml(ERT_V03.replace("energy: 512}", "energy: -5}", 1)), "e.yaml")
    assert info.value.field == "ERT_summary.table_summary[2].actions[0].energy"
    with pytest.raises(SpecError, match="expected table_summary"):
        parse_ert({"ERT_summary": {"version": 0.3}}, "e.yaml")


# ----------------------------------------------------------------------------- the command
def test_cli_import_writes_a_loadable_file(tmp_path, capsys):
    ert, arch = put(tmp_path, "ERT_summary.yaml", ERT_V03), put(tmp_path, "arch.yaml", ARCH_V03)
    out = tmp_path / "tables" / "ey45.yaml"
    code = main(["import", "accelergy", str(ert), "--arch", str(arch), "-o", str(out), "--noc-pj", "0.5"])
    assert code == 0
    text = capsys.readouterr().out
    assert "9.275" in text and "not used: system.eyeriss.DummyBuffer[0..13]" in text
    table = load_energy(out)
    assert table.name == "ey45" and table.costs.read(Level.GLB, IF) == 9.275
    assert table.costs.read(Level.NOC, FI) == 0.5
    written = out.read_text()
    assert "version: 2" in written and "ERT_summary.yaml" in written


def test_cli_default_noc_is_zero_with_a_comment(tmp_path):
    out = tmp_path / "e.yaml"
    assert main(["import", "accelergy", str(put(tmp_path, "ert.yaml", ERT_2019)), "-o", str(out)]) == 0
    noc_line = next(line for line in out.read_text().splitlines() if line.startswith("NoC:"))
    assert noc_line.startswith("NoC: 0   #") and "no network energy" in noc_line


@pytest.mark.parametrize(("setup", "expect"), [
    (lambda d: [str(d / "missing.yaml")], "no such ERT summary file"),
    (lambda d: [str(put(d, "bad.yaml", "ERT_summary: {table_summary: [\n"))], "malformed YAML in"),
    (lambda d: [str(put(d, "c.yaml", ERT_CONV1D))], "--map: no component for RF among"),
    (lambda d: [str(put(d, "c.yaml", ERT_CONV1D)), "--map", "RF=nothing"], "--map: no component 'nothing'"),
    (lambda d: [str(put(d, "e.yaml", ERT_V03)), "--arch", str(d / "none.yaml")], "no such architecture file"),
    (lambda d: [str(put(d, "e.yaml", ERT_V03)), "--noc-pj", "-1"], "--noc-pj: must be a finite number >= 0"),
    (lambda d: [str(put(d, "w.yaml", "version: 1\nname: w\nlayers: []\n"))], "not an Accelergy ERT summary"),
])
def test_cli_bad_input_one_line_exit_2(tmp_path, capsys, setup, expect):
    code = main(["import", "accelergy", *setup(tmp_path), "-o", str(tmp_path / "out.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and expect in err and err.count("\n") == 1, err
    assert not (tmp_path / "out.yaml").exists()


def test_cli_energy_option_reads_v2_and_reports_errors(tmp_path, capsys):
    bad = put(tmp_path, "bad.yaml", V2.replace("GLB: 9", "GLB: -9"))
    assert main(["run", "alexnet", "--layers", "conv1", "--energy", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "--energy: GLB: must be >= 0" in err and "bad.yaml" in err and err.count("\n") == 1


def test_cli_options_only_with_accelergy(tmp_path, capsys):
    assert main(["import", "model.onnx", "--arch", "a.yaml", "-o", str(tmp_path / "w.yaml")]) == 2
    assert "--arch: is an option of accelsim import accelergy" in capsys.readouterr().err


def test_replace_keeps_costs():
    """A TypedEnergyTable is a frozen dataclass like the others (sweeps copy hardware with replace)."""
    table = energy_from_data(parse_yaml(V2))
    assert replace(table, name="u").costs == table.costs
