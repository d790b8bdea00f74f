"""The Timeloop importer (issue 15, part 1): architecture + problem + mapping (+ ERT) → accelsim files.

The fixtures below are written for these tests, modelled on the Timeloop reference cases of
issue 15 (folder names of ``timeloop-cases/``, from Accelergy-Project/timeloop-accelergy-exercises;
SEMANTICS.md there); each cites the case whose shapes and factors it restates.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from pathlib import Path

import pytest
from timeloop_cases import BY_FOLDER, write_case

from accelsim.cli.main import main
from accelsim.errors import SpecError
from accelsim.io.presets import load_hardware, load_mapping, load_workload
from accelsim.io.timeloop import import_timeloop
from accelsim.io.timeloop_mapping import Place
from accelsim.spec.dims import DataType, Dim, LoopKind

# --------------------------------------------------------------------------- fixtures
# case 2020-exercises-03-conv1d+oc-3level-bypass: v0.2 tree, MainMemory / GlobalBuffer / RegisterFile
ARCH_V02_3LEVEL = """\
architecture:
  version: 0.2
  subtree:
  - name: System
    local:
    - name: MainMemory
      class: DRAM
      attributes: {width: 256, block-size: 32, word-bits: 8}
    subtree:
    - name: Chip
      attributes: {technology: 40nm}
      local:
      - name: GlobalBuffer
        class: SRAM
        attributes: {depth: 8192, width: 256, block-size: 32, word-bits: 8}
      subtree:
      - name: PE
        local:
        - name: RegisterFile
          class: regfile
          attributes: {depth: 64, width: 8, block-size: 1, word-bits: 8}
        - name: MACC
          class: intmac
          attributes: {datawidth: 8}
"""
# the same case's problem (v0.2: data-spaces, read-write): Conv1D_OC, K=32 R=3 P=16
PROB_V02_CONV1D_OC = """\
problem:
  shape:
    name: Conv1D_OC
    dimensions: [ K, R, P ]
    data-spaces:
    - name: Weights
      projection: [ [ [K] ], [ [R] ] ]
    - name: Inputs
      projection: [ [ [R], [P] ] ]
    - name: Outputs
      projection: [ [ [K] ], [ [P] ] ]
      read-write: True
  instance: {K: 32, R: 3, P: 16}
"""
# the same case's mapping: GlobalBuffer K16 P16, RegisterFile K2 R3; Outputs bypass the GLB,
# Weights and Inputs bypass the RF
MAP_V02_BYPASS = """\
mapping:
  - {target: MainMemory, type: temporal, factors: R=1 P=1 K=1, permutation: PRK}
  - {target: GlobalBuffer, type: temporal, factors: R=1 P=16 K=16, permutation: PRK}
  - {target: RegisterFile, type: temporal, factors: R=3 P=1 K=2, permutation: RPK}
  - {target: GlobalBuffer, type: bypass, keep: [Weights, Inputs], bypass: [Outputs]}
  - {target: RegisterFile, type: bypass, keep: [Outputs], bypass: [Weights, Inputs]}
"""

# case 2024-ispass-03-conv1d+oc-3level-bypass: the v0.4 form (nodes, !Container / !Component)
ARCH_V04_3LEVEL = """\
architecture:
  version: 0.4
  nodes:
  - !Container
    name: System
    attributes: {technology: "40nm", global_cycle_seconds: 1e-9}
  - !Component
    name: MainMemory
    class: DRAM
    attributes: {width: 256, datawidth: 8}
  - !Container
    name: PE
  - !Component
    name: GlobalBuffer
    class: SRAM
    attributes: {depth: 32768, width: 64, datawidth: 8}
  - !Component
    name: RegisterFile
    class: regfile
    attributes: {depth: 64, width: 8, datawidth: 8}
  - !Component
    name: MACC
    class: intmac
    attributes: {width: 8}
"""
PROB_V04_CONV1D_OC = """\
problem:
  version: 0.4
  shape:
    name: Conv1D_OC
    dimensions: [ K, R, P ]
    data_spaces:
    - {name: Weights, projection: [ [ [K] ], [ [R] ] ]}
    - {name: Inputs, projection: [ [ [R], [P] ] ]}
    - {name: Outputs, projection: [ [ [K] ], [ [P] ] ], read_write: True}
  instance: {K: 32, R: 3, P: 16}
"""

# case 2020-exercises-00-conv1d-1level / 2024-ispass-00: Conv1D (R=3, P=16), no K
PROB_CONV1D = """\
problem:
  shape:
    name: Conv1D
    dimensions: [ R, P ]
    data-spaces:
    - {name: Weights, projection: [ [ [R] ] ]}
    - {name: Inputs, projection: [ [ [R], [P] ] ]}
    - {name: Outputs, projection: [ [ [P] ] ], read-write: True}
  instance: {R: 3, P: 16}
"""

# case 2020-baseline-eyeriss_like-alexnet-layer1: v0.3, DummyBuffer[0..13] (meshX 14), PE[0..167]
ARCH_V03_EYERISS = """\
architecture:
  version: 0.3
  subtree:
    - name: system
      local:
        - name: DRAM
          class: DRAM
          attributes: {type: LPDDR4, width: 64, block-size: 4, word-bits: 16}
      subtree:
        - name: eyeriss
          attributes: {technology: 45nm}
          local:
            - name: shared_glb
              class: smartbuffer_SRAM
              attributes: {memory_depth: 16384, memory_width: 64, n_banks: 32, block-size: 4, word-bits: 16,
                           read_bandwidth: 16, write_bandwidth: 16}
            - name: DummyBuffer[0..13]
              class: regfile
              attributes: {depth: 16, width: 16, word-bits: 16, block-size: 1, meshX: 14}
          subtree:
          - name: PE[0..167]
            local:
              - name: ifmap_spad
                class: smartbuffer_RF
                attributes: {memory_depth: 12, memory_width: 16, block-size: 1, word-bits: 16, meshX: 14}
              - name: weights_spad
                class: smartbuffer_RF
                attributes: {memory_depth: 192, memory_width: 16, block-size: 1, word-bits: 16, meshX: 14}
              - name: psum_spad
                class: smartbuffer_RF
                attributes: {memory_depth: 16, memory_width: 16, block-size: 1, word-bits: 16, meshX: 14}
              - name: mac
                class: intmac
                attributes: {datawidth: 16, meshX: 14}
"""
# its problem: AlexNet layer 1, CNN_Layer (v0.3 spelling)
PROB_V03_ALEXNET1 = """\
problem:
  shape:
    name: CNN-Layer
    dimensions: [ C, M, R, S, N, P, Q ]
    coefficients:
    - {name: Wstride, default: 1}
    - {name: Hstride, default: 1}
    - {name: Wdilation, default: 1}
    - {name: Hdilation, default: 1}
    data-spaces:
    - name: Weights
      projection: [ [ [C] ], [ [M] ], [ [R] ], [ [S] ] ]
    - name: Inputs
      projection: [ [ [N] ], [ [C] ], [ [R, Wdilation], [P, Wstride] ], [ [S, Hdilation], [Q, Hstride] ] ]
    - name: Outputs
      projection: [ [ [N] ], [ [M] ], [ [Q] ], [ [P] ] ]
      read-write: True
  instance: {C: 3, M: 96, R: 11, S: 11, N: 1, P: 55, Q: 55, Wstride: 4, Hstride: 4}
"""
# the mapper's choice for that case (its derived.mapping.yaml restates timeloop-mapper.map.txt)
MAP_V03_ALEXNET1 = """\
mapping:
  - {target: DRAM, type: temporal, factors: C=3 M=1 R=1 S=1 N=1 P=1 Q=55, permutation: CQMRSNP}
  - {target: DRAM, type: bypass, keep: [Weights, Inputs, Outputs], bypass: []}
  - {target: shared_glb, type: temporal, factors: C=1 M=1 R=1 S=1 N=1 P=55 Q=1, permutation: PCMRSNQ}
  - {target: shared_glb, type: spatial, factors: C=1 M=12 R=1 S=1 N=1 P=1 Q=1, permutation: MCRSNPQ, split: 1}
  - {target: shared_glb, type: bypass, keep: [Inputs, Outputs], bypass: [Weights]}
  - {target: DummyBuffer, type: temporal, factors: C=1 M=1 R=1 S=1 N=1 P=1 Q=1, permutation: CMRSNPQ}
  - {target: DummyBuffer, type: spatial, factors: C=1 M=1 R=1 S=11 N=1 P=1 Q=1, permutation: SCMRNPQ, split: 0}
  - {target: DummyBuffer, type: bypass, keep: [], bypass: [Weights, Inputs, Outputs]}
  - {target: ifmap_spad, type: temporal, factors: C=1 M=1 R=1 S=1 N=1 P=1 Q=1, permutation: CMRSNPQ}
  - {target: ifmap_spad, type: bypass, keep: [Inputs], bypass: [Weights, Outputs]}
  - {target: weights_spad, type: temporal, factors: C=1 M=1 R=11 S=1 N=1 P=1 Q=1, permutation: RCMSNPQ}
  - {target: weights_spad, type: bypass, keep: [Weights], bypass: [Inputs, Outputs]}
  - {target: psum_spad, type: temporal, factors: C=1 M=8 R=1 S=1 N=1 P=1 Q=1, permutation: MCRSNPQ}
  - {target: psum_spad, type: bypass, keep: [Outputs], bypass: [Weights, Inputs]}
"""

# case 2024-example-eyeriss_like-default_problem: v0.4 with spatial containers and !Parallel spads
ARCH_V04_EYERISS = """\
architecture:
  version: 0.4
  nodes:
  - !Container {name: system}
  - !Component {name: DRAM, class: DRAM, attributes: {type: "LPDDR4", width: 64, datawidth: 8}}
  - !Container {name: eyeriss, attributes: {technology: "32nm"}}
  - !Component
    name: shared_glb
    class: smartbuffer_SRAM
    attributes: {depth: 16384, width: 64, n_banks: 32, datawidth: 8, read_bandwidth: 16, write_bandwidth: 16}
    constraints: {dataspace: {keep: [Inputs, Outputs], bypass: [Weights]}}
  - !Container {name: PE_column, spatial: {meshX: 14}}
  - !Container {name: PE, spatial: {meshY: 12}}
  - !Parallel
    nodes:
    - !Component
      name: ifmap_spad
      class: smartbuffer_RF
      attributes: {depth: 12, width: 16, datawidth: 8}
      constraints: {dataspace: {keep: [Inputs]}}
    - !Component
      name: weights_spad
      class: smartbuffer_RF
      attributes: {depth: 192, width: 16, datawidth: 8}
      constraints: {dataspace: {keep: [Weights]}}
    - !Component
      name: psum_spad
      class: smartbuffer_RF
      attributes: {depth: 16, width: 16, datawidth: 16}
      constraints: {dataspace: {keep: [Outputs]}}
  - !Component {name: mac, class: intmac, attributes: {multiplier_width: 8, adder_width: 16}}
"""
# its problem (v0.4; H, W, Hpad, Wpad are instance keys Timeloop ignores)
PROB_V04_DEFAULT = """\
problem:
  version: 0.4
  instance: {C: 3, H: 224, Hdilation: 1, Hpad: 1, Hstride: 2, M: 32, N: 1, P: 112, Q: 112, R: 3, S: 3, W: 224,
             Wdilation: 1, Wpad: 1, Wstride: 2}
  shape:
    coefficients:
    - {default: 1, name: Wstride}
    - {default: 1, name: Hstride}
    - {default: 1, name: Wdilation}
    - {default: 1, name: Hdilation}
    data_spaces:
    - {name: Weights, projection: [[[C]], [[M]], [[R]], [[S]]]}
    - {name: Inputs, projection: [[[N]], [[C]], [[R, Wdilation], [P, Wstride]], [[S, Hdilation], [Q, Hstride]]]}
    - {name: Outputs, projection: [[[N]], [[M]], [[Q]], [[P]]], read_write: true}
    dimensions: [C, M, R, S, N, P, Q]
    name: conv2D
"""
# the mapper's map.yaml of that case (factors "C1 M8" form; targets are the generated fan-out levels)
MAP_V04_DEFAULT = """\
mapping:
  - {target: psum_spad, type: datatype, keep: [Outputs], bypass: [Weights, Inputs]}
  - {target: weights_spad, type: datatype, keep: [Weights], bypass: [Inputs, Outputs]}
  - {target: ifmap_spad, type: datatype, keep: [Inputs], bypass: [Weights, Outputs]}
  - {target: inter_PE_spatial, type: datatype, keep: [], bypass: [Weights, Inputs, Outputs]}
  - {target: inter_PE_column_spatial, type: datatype, keep: [], bypass: [Weights, Inputs, Outputs]}
  - {target: shared_glb, type: datatype, keep: [Inputs, Outputs], bypass: [Weights]}
  - {target: DRAM, type: datatype, keep: [Weights, Inputs, Outputs], bypass: []}
  - {target: psum_spad, type: temporal, factors: C1 M8 R1 S1 N1 P1 Q1, permutation: MCRSNPQ}
  - {target: weights_spad, type: temporal, factors: C1 M1 R3 S1 N1 P1 Q1, permutation: RCMSNPQ}
  - {target: ifmap_spad, type: temporal, factors: C1 M1 R1 S1 N1 P1 Q1, permutation: CMRSNPQ}
  - {target: inter_PE_spatial, type: spatial, factors: C3 M1 R1 S3 N1 P1 Q1, permutation: SCMRNPQ, split: 0}
  - {target: inter_PE_spatial, type: temporal, factors: C1 M1 R1 S1 N1 P1 Q1, permutation: CMRSNPQ}
  - {target: inter_PE_column_spatial, type: spatial, factors: C1 M1 R1 S1 N1 P1 Q14, permutation: QCMRSNP, split: 1}
  - {target: inter_PE_column_spatial, type: temporal, factors: C1 M1 R1 S1 N1 P1 Q1, permutation: CMRSNPQ}
  - {target: shared_glb, type: temporal, factors: C1 M1 R1 S1 N1 P14 Q4, permutation: QPCMRSN}
  - {target: DRAM, type: temporal, factors: C1 M4 R1 S1 N1 P8 Q2, permutation: MQPCRSN}
"""

# an Accelergy 0.3 ERT summary of the 3-level design (energies of case
# 2020-exercises-03-conv1d+oc-3level-bypass, timeloop-model.ERT_summary.yaml)
ERT_V03_3LEVEL = """\
ERT_summary:
  version: 0.3
  table_summary:
  - name: System.Chip.PE.RegisterFile
    actions:
    - {name: read, average_energy: 0.212}
    - {name: write, average_energy: 0.212}
  - name: System.Chip.PE.MACC
    actions:
    - {name: mac_random, energy: 0.561}
  - name: System.Chip.GlobalBuffer
    actions:
    - {name: read, average_energy: 51.447}
    - {name: write, average_energy: 48.165}
  - name: System.MainMemory
    actions:
    - {name: read, energy: 2048}
    - {name: write, energy: 2048}
"""


def _files(tmp_path: Path, **texts: str) -> dict[str, str]:
    out = {}
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        out[name] = str(path)
    return out


def _cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def _nest(mapping) -> list[tuple[str, int, str]]:
    return [(lp.dim.name, lp.factor, lp.kind.name.lower()) for lp in mapping.loops]


# --------------------------------------------------------------------------- formats
def test_v02_three_levels_with_bypass(tmp_path):
    f = _files(tmp_path, arch=ARCH_V02_3LEVEL, prob=PROB_V02_CONV1D_OC, map=MAP_V02_BYPASS)
    res = import_timeloop(f["arch"], f["prob"], f["map"])
    places = [(lv.name, lv.place, lv.keeps) for lv in res.mapping.levels]
    assert places == [("MainMemory", Place.DRAM, frozenset(DataType)),
                      ("GlobalBuffer", Place.GLB, frozenset({DataType.FILTER, DataType.IFMAP})),
                      ("RegisterFile", Place.RF, frozenset({DataType.PSUM}))]
    m = res.mapping.mapping
    # permutation PRK is innermost first: K outermost, then P (factor-1 loops dropped)
    assert _nest(m) == [("M", 16, "temporal"), ("F", 16, "temporal"), ("M", 2, "temporal"), ("S", 3, "temporal")]
    assert m.glb == (0, 0, None) and m.rf == (None, None, 2)
    lay = res.problem.layer
    # 1-D: the W axis (F = P = 16, S = R = 3), H = R = E = 1; K -> M
    assert (lay.M, lay.C, lay.H, lay.W, lay.R, lay.S, lay.U) == (32, 1, 1, 18, 1, 3, 1)
    assert lay.macs == 1536  # the case's MACs (stats.txt)
    assert res.problem.kind == "1-D convolution"


def test_v04_three_levels_no_fanout(tmp_path):
    """Case 2024-ispass-03 (no-bypass mapping): one PE, so the innermost level is the RF."""
    mapping = """\
mapping:
  - {target: MainMemory, type: temporal, factors: R=1 P=1 K=1, permutation: PRK}
  - {target: GlobalBuffer, type: temporal, factors: R=1 P=16 K=16, permutation: PRK}
  - {target: RegisterFile, type: temporal, factors: R=3 P=1 K=2, permutation: RPK}
"""
    f = _files(tmp_path, arch=ARCH_V04_3LEVEL, prob=PROB_V04_CONV1D_OC, map=mapping)
    res = import_timeloop(f["arch"], f["prob"], f["map"])
    assert [lv.place for lv in res.mapping.levels] == [Place.DRAM, Place.GLB, Place.RF]
    assert res.mapping.mapping.glb == (0, 0, 0) and res.mapping.mapping.rf == (2, 2, 2)
    hw_text = next(iter(res.files.values()))
    assert "rf_words: {shared: 64," in hw_text and "glb_words: {shared: 262144," in hw_text  # 32768 x 64/8


def test_v03_eyeriss_dummy_buffer_and_name_mapping(tmp_path):
    f = _files(tmp_path, arch=ARCH_V03_EYERISS, prob=PROB_V03_ALEXNET1, map=MAP_V03_ALEXNET1)
    res = import_timeloop(f["arch"], f["prob"], f["map"])
    prob = res.problem
    assert prob.names == {"C": Dim.C, "M": Dim.M, "R": Dim.S, "S": Dim.R, "N": Dim.N, "P": Dim.F, "Q": Dim.E}
    lay = prob.layer
    # Timeloop's projected extent: (55-1)*4 + 11 = 227 (no padding)
    assert (lay.M, lay.C, lay.H, lay.W, lay.R, lay.S, lay.U) == (96, 3, 227, 227, 11, 11, 4)
    assert lay.macs == 105_415_200  # case stats.txt
    assert [lv.place for lv in res.mapping.levels] == [Place.DRAM, Place.GLB, Place.FANOUT, Place.RF, Place.RF,
                                                       Place.RF]
    m = res.mapping.mapping
    # DRAM C3 Q55 (Q inner), glb P55, spatial M12 on X (columns), S11 on Y (rows), weights R11, psum M8
    assert _nest(m) == [("E", 55, "temporal"), ("C", 3, "temporal"), ("F", 55, "temporal"), ("M", 12, "col"),
                        ("R", 11, "row"), ("S", 11, "temporal"), ("M", 8, "temporal")]
    assert m.glb == (2, None, 2)
    assert m.rf == (5, 5, 6)  # ifmap_spad and weights_spad start above S11, psum_spad above M8
    hw = res.files[next(iter(res.files))]
    assert "pe_array: {rows: 12, cols: 14}" in hw
    assert "rf_words: {shared: 0, ifmap: 12, filter: 192, psum: 16}" in hw
    assert m.active_pes == 132  # the case's utilized PEs


def test_v04_containers_parallel_and_mapper_map_yaml(tmp_path):
    f = _files(tmp_path, arch=ARCH_V04_EYERISS, prob=PROB_V04_DEFAULT, map=MAP_V04_DEFAULT)
    res = import_timeloop(f["arch"], f["prob"], f["map"])
    names = [lv.name for lv in res.arch.levels]
    assert names == ["DRAM", "shared_glb", "inter_PE_column_spatial", "inter_PE_spatial", "ifmap_spad",
                     "weights_spad", "psum_spad"]
    assert [lv.instances for lv in res.arch.levels] == [1, 1, 1, 14, 168, 168, 168]
    m = res.mapping.mapping
    # SEMANTICS.md §3.6: DRAM P8 Q2 M4 | shared_glb P14 Q4 | column Q14 (X) | row C3 S3 (Y) | R3 | M8
    assert _nest(m) == [("F", 8, "temporal"), ("E", 2, "temporal"), ("M", 4, "temporal"), ("F", 14, "temporal"),
                        ("E", 4, "temporal"), ("E", 14, "col"), ("C", 3, "row"), ("R", 3, "row"),
                        ("S", 3, "temporal"), ("M", 8, "temporal")]
    assert m.glb == (3, None, 3) and m.rf == (8, 8, 9)
    assert m.active_pes == 126
    assert res.problem.layer.macs == 10_838_016
    assert res.problem.ignored == ("H", "Hpad", "W", "Wpad")
    hw = res.files[next(iter(res.files))]
    assert "precision: {ifmap: 8, filter: 8, psum: 16}" in hw


def test_v04_model_mapping_targets_the_container(tmp_path):
    """A timeloop-model mapping names the container (``target: PE, type: spatial``) and leaves
    keep/bypass to the components' constraints (timeloopfe's rule)."""
    mapping = """\
mapping:
  - {target: DRAM, type: temporal, factors: M=4 P=8 Q=2, permutation: MQP}
  - {target: shared_glb, type: temporal, factors: P=14 Q=4, permutation: QP}
  - {target: PE_column, type: spatial, factors: Q=14, permutation: QCMRSNP, split: 7}
  - {target: PE, type: spatial, factors: C=3 S=3, permutation: SCMRNPQ, split: 0}
  - {target: weights_spad, type: temporal, factors: R=3}
  - {target: psum_spad, type: temporal, factors: M=8}
"""
    f = _files(tmp_path, arch=ARCH_V04_EYERISS, prob=PROB_V04_DEFAULT, map=mapping)
    res = import_timeloop(f["arch"], f["prob"], f["map"])
    full = import_timeloop(*_files(tmp_path / "b", arch=ARCH_V04_EYERISS, prob=PROB_V04_DEFAULT,
                                   map=MAP_V04_DEFAULT).values())
    assert res.mapping.mapping.loops == full.mapping.mapping.loops
    assert (res.mapping.mapping.glb, res.mapping.mapping.rf) == (full.mapping.mapping.glb, full.mapping.mapping.rf)


def test_permutation_is_innermost_first_and_completed(tmp_path):
    """``RP`` = ``for P: for R:``; dimensions a permutation leaves out go outside in problem order."""
    base = "mapping:\n  - {target: MainMemory, type: temporal, factors: K=2 R=3 P=16, permutation: %s}\n"
    got = {}
    for perm in ("RP", "PR", "R"):
        f = _files(tmp_path, arch=ARCH_V02_3LEVEL.replace("class: SRAM", "class: SRAM"), prob=PROB_V02_CONV1D_OC,
                   map=base % perm + "  - {target: GlobalBuffer, type: temporal, factors: K=16}\n")
        got[perm] = _nest(import_timeloop(f["arch"], f["prob"], f["map"]).mapping.mapping)[:3]
    assert got["RP"] == [("M", 2, "temporal"), ("F", 16, "temporal"), ("S", 3, "temporal")]
    assert got["PR"] == [("M", 2, "temporal"), ("S", 3, "temporal"), ("F", 16, "temporal")]
    # "R" then the missing K, P appended in problem order (K, P): innermost R, then K, then P outermost
    assert got["R"] == [("F", 16, "temporal"), ("M", 2, "temporal"), ("S", 3, "temporal")]


def test_spatial_split_x_columns_y_rows(tmp_path):
    """Case 2020-exercises-04 (16 PEs, meshX default = all X): split 1 puts the first permutation
    entry on X (columns), the rest on Y (rows); 16 = 4 x 4 here."""
    arch = ARCH_V02_3LEVEL.replace("name: RegisterFile", "name: RegisterFile[0..15]").replace(
        "block-size: 1, word-bits: 8}", "block-size: 1, word-bits: 8, meshX: 4}").replace(
        "name: MACC", "name: MACC[0..15]").replace("attributes: {datawidth: 8}", "attributes: {datawidth: 8, meshX: 4}")
    mapping = """\
mapping:
  - {target: GlobalBuffer, type: temporal, factors: K=8 P=16 R=3, permutation: RPK}
  - {target: GlobalBuffer, type: spatial, factors: K=4 R=1 P=1, permutation: KRP, split: 1}
  - {target: MainMemory, type: temporal, factors: K=1}
"""
    f = _files(tmp_path, arch=arch, prob=PROB_V02_CONV1D_OC, map=mapping)
    res = import_timeloop(f["arch"], f["prob"], f["map"])
    spatial = [(lp.dim, lp.factor, lp.kind) for lp in res.mapping.mapping.loops if lp.spatial]
    assert spatial == [(Dim.M, 4, LoopKind.COL)]
    hw = res.files[next(iter(res.files))]
    assert "pe_array: {rows: 4, cols: 4}" in hw
    f2 = _files(tmp_path, arch=arch, prob=PROB_V02_CONV1D_OC, map=mapping.replace("split: 1", "split: 0"))
    spatial = [lp.kind for lp in import_timeloop(f2["arch"], f2["prob"], f2["map"]).mapping.mapping.loops
               if lp.spatial]
    assert spatial == [LoopKind.ROW]


def test_h_axis_from_coefficient_names_not_rank_order(tmp_path):
    """With the windows listed H first, the ``H…`` coefficients still pick accelsim's H axis."""
    prob = PROB_V03_ALEXNET1.replace(
        "[ [R, Wdilation], [P, Wstride] ], [ [S, Hdilation], [Q, Hstride] ]",
        "[ [S, Hdilation], [Q, Hstride] ], [ [R, Wdilation], [P, Wstride] ]").replace(
        "P: 55, Q: 55", "P: 55, Q: 27").replace("R: 11, S: 11", "R: 11, S: 5")
    f = _files(tmp_path, prob=prob)
    from accelsim.io.timeloop_problem import read_problem

    p = read_problem(f["prob"])
    assert (p.names["Q"], p.names["S"], p.names["P"], p.names["R"]) == (Dim.E, Dim.R, Dim.F, Dim.S)
    assert (p.layer.R, p.layer.S, p.layer.H, p.layer.W) == (5, 11, 26 * 4 + 5, 54 * 4 + 11)


def test_conv1d_without_output_channels(tmp_path):
    f = _files(tmp_path, prob=PROB_CONV1D)
    from accelsim.io.timeloop_problem import read_problem

    lay = read_problem(f["prob"]).layer
    assert (lay.M, lay.C, lay.H, lay.W, lay.R, lay.S) == (1, 1, 1, 18, 1, 3)
    assert lay.macs == 48  # case 00: 48 MACs


def test_ert_becomes_a_version_2_energy_file(tmp_path):
    f = _files(tmp_path, arch=ARCH_V02_3LEVEL, prob=PROB_V02_CONV1D_OC, map=MAP_V02_BYPASS, ert=ERT_V03_3LEVEL)
    res = import_timeloop(f["arch"], f["prob"], f["map"], f["ert"])
    name = [n for n in res.files if n.startswith("ert")][0]
    text = res.files[name]
    assert "version: 2" in text and "mac: 0.561" in text
    # GlobalBuffer keeps Weights and Inputs: 51.447 pJ per 32-word block; psum bypasses it
    assert "filter: {read: 1.60771875" in text and "psum: 0   # mapped to none" in text
    hw = res.files[next(iter(res.files))]
    assert f"energy: {{preset: {name}}}" in hw


# --------------------------------------------------------------------------- CLI round trip
def test_cli_round_trip_runs_the_imported_nest(tmp_path):
    f = _files(tmp_path, arch=ARCH_V03_EYERISS, prob=PROB_V03_ALEXNET1, map=MAP_V03_ALEXNET1)
    out = tmp_path / "tl"
    code, stdout, stderr = _cli(["import", "timeloop", f["arch"], f["prob"], f["map"], "-o", out])
    assert code == 0, stderr
    assert "Q→E" in stdout and "DummyBuffer" in stdout
    hw = load_hardware(out / "arch.yaml")
    wl = load_workload(out / "prob.yaml")
    maps = load_mapping(out / "map.mapping.yaml", wl, 1)
    assert (hw.pe_rows, hw.pe_cols) == (12, 14)
    assert maps["prob"].active_pes == 132
    assert "Timeloop architecture" in (out / "arch.yaml").read_text()
    assert "Timeloop problem" in wl.source
    code, stdout, stderr = _cli(["run", out / "prob.yaml", "--hardware", out / "arch.yaml", "--mapping",
                                 out / "map.mapping.yaml", "--json", tmp_path / "r.json"])
    assert code == 0, stderr
    import json

    doc = json.loads((tmp_path / "r.json").read_text())
    layer = doc["layers"][0] if "layers" in doc else doc["runs"][0]["layers"][0]
    assert layer["macs"] == 105_415_200


# --------------------------------------------------------------------------- refusals
def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (what is broken, file name, field substring, message substring); each from the 3-level v0.2 fixture
BAD = [
    ("unknown class", "arch", "architecture.subtree[0].subtree[0].local[0].class", "unknown class 'SRAMX'"),
    ("missing class", "arch", "architecture.subtree[0].subtree[0].subtree[0].local[0].class",
     "missing attribute class"),
    ("missing depth", "arch", "architecture.subtree[0].subtree[0].subtree[0].local[0].attributes",
     "missing attribute depth"),
    ("no compute unit", "arch", "architecture", "no compute unit"),
    ("bad range", "arch", "architecture.subtree[0].subtree[0].subtree[0].local[0].name", "range [3..1] is empty"),
    ("unknown dimension in factors", "map", "mapping[1].factors", "unknown dimension 'X'"),
    ("factors do not multiply", "map", "mapping", "factors of K multiply to 16"),
    ("unknown permutation dimension", "map", "mapping[2].permutation", "unknown dimension 'Z'"),
    ("missing level", "map", "mapping[1].target", "no storage level 'L2'"),
    ("unknown type", "map", "mapping[0].type", "unknown type 'sequential'"),
    ("residual factor", "map", "mapping[1].factors", "residual"),
    ("kept and bypassed", "map", "mapping[3]", "both kept and bypassed"),
    ("unknown data space", "map", "mapping[4].keep[0]", "unknown data space 'Psums'"),
    ("outermost bypasses", "map", "mapping", "must keep every data space"),
    ("repeated entry", "map", "mapping[5]", "a second temporal entry"),
    ("spatial beyond fan-out", "map", "mapping", "fan-out below GlobalBuffer is 1 x 1"),
    ("unknown data space in problem", "prob", "problem.shape.data-spaces[0].name".replace("-", "_"),
     "unknown data space 'Filters'"),
    ("outputs not read-write", "prob", "problem.shape.data_spaces[2].read_write", "must be read_write"),
    ("bad bound", "prob", "problem.instance.K", "must be an integer >= 1"),
    ("dilation", "prob", "problem.instance.Wdilation", "no dilation"),
    ("three-term rank", "prob", "problem.shape.data_spaces[1].projection[0]", "a rank of 3 terms"),
    ("two dims one role", "prob", "problem.shape.dimensions", "both play accelsim's M"),
    ("unknown projection dimension", "prob", "problem.shape.data_spaces[0].projection[0][0]",
     "unknown dimension 'J'"),
]

_PROB_DILATED = """\
problem:
  shape:
    name: Conv1D_OC
    dimensions: [ K, R, P ]
    coefficients: [ {name: Wdilation, default: 2} ]
    data-spaces:
    - {name: Weights, projection: [ [ [K] ], [ [R] ] ]}
    - {name: Inputs, projection: [ [ [R, Wdilation], [P] ] ]}
    - {name: Outputs, projection: [ [ [K] ], [ [P] ] ], read-write: True}
  instance: {K: 32, R: 3, P: 16}
"""


def _broken(what: str) -> tuple[str, str, str]:
    arch, prob, mp = ARCH_V02_3LEVEL, PROB_V02_CONV1D_OC, MAP_V02_BYPASS
    if what == "unknown class":
        arch = _sub(arch, "class: SRAM", "class: SRAMX")
    elif what == "missing class":
        arch = _sub(arch, "          class: regfile\n", "")
    elif what == "missing depth":
        arch = _sub(arch, "{depth: 64, width: 8, block-size: 1, word-bits: 8}", "{width: 8, word-bits: 8}")
    elif what == "no compute unit":
        arch = _sub(arch, "class: intmac", "class: regfile")
    elif what == "bad range":
        arch = _sub(arch, "name: RegisterFile", "name: RegisterFile[3..1]")
    elif what == "unknown dimension in factors":
        mp = _sub(mp, "factors: R=1 P=16 K=16", "factors: R=1 P=16 X=16")
    elif what == "factors do not multiply":
        mp = _sub(mp, "factors: R=3 P=1 K=2", "factors: R=3 P=1 K=1")
    elif what == "unknown permutation dimension":
        mp = _sub(mp, "permutation: RPK", "permutation: RZK")
    elif what == "missing level":
        mp = _sub(mp, "target: GlobalBuffer, type: temporal", "target: L2, type: temporal")
    elif what == "unknown type":
        mp = _sub(mp, "target: MainMemory, type: temporal", "target: MainMemory, type: sequential")
    elif what == "residual factor":
        mp = _sub(mp, "factors: R=1 P=16 K=16", 'factors: "R=1 P=16 K=16,1"')
    elif what == "kept and bypassed":
        mp = _sub(mp, "keep: [Weights, Inputs]", "keep: [Weights, Inputs, Outputs]")
    elif what == "unknown data space":
        mp = _sub(mp, "keep: [Outputs]", "keep: [Psums]")
    elif what == "outermost bypasses":
        mp += "  - {target: MainMemory, type: bypass, bypass: [Inputs]}\n"
    elif what == "repeated entry":
        mp += "  - {target: RegisterFile, type: temporal, factors: R=3 K=2}\n"
    elif what == "spatial beyond fan-out":
        mp = _sub(mp, "factors: R=1 P=16 K=16, permutation: PRK}",
                  "factors: R=1 P=16 K=4, permutation: PRK}\n  - {target: GlobalBuffer, type: spatial, factors: K=4}")
    elif what == "unknown data space in problem":
        prob = _sub(prob, "name: Weights", "name: Filters")
    elif what == "outputs not read-write":
        prob = _sub(prob, "      read-write: True\n", "")
    elif what == "bad bound":
        prob = _sub(prob, "K: 32", "K: 0")
    elif what == "dilation":
        prob = _PROB_DILATED
    elif what == "three-term rank":
        prob = _sub(prob, "[ [ [R], [P] ] ]", "[ [ [R], [P], [K] ] ]")
    elif what == "two dims one role":
        prob = _sub(_sub(_sub(prob, "[ K, R, P ]", "[ K, J, R, P ]"), "[ [ [K] ], [ [R] ] ]",
                         "[ [ [K] ], [ [J] ], [ [R] ] ]"), "[ [ [K] ], [ [P] ] ]", "[ [ [K] ], [ [J] ], [ [P] ] ]")
    elif what == "unknown projection dimension":
        prob = _sub(prob, "[ [ [K] ], [ [R] ] ]", "[ [ [J] ], [ [R] ] ]")
    return arch, prob, mp


@pytest.mark.parametrize("what,file,field,message", BAD, ids=[b[0] for b in BAD])
def test_refusals_name_the_file_and_key_and_exit_2(tmp_path, what, file, field, message):
    arch, prob, mp = _broken(what)
    f = _files(tmp_path, arch=arch, prob=prob, map=mp)
    with pytest.raises(SpecError) as info:
        import_timeloop(f["arch"], f["prob"], f["map"])
    assert info.value.field == field
    assert message in info.value.message
    assert info.value.message.endswith(f"(in {f[file]})")
    code, stdout, stderr = _cli(["import", "timeloop", f["arch"], f["prob"], f["map"], "-o", tmp_path / "out"])
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0] and f[file] in lines[0]
    assert not (tmp_path / "out").exists()


def test_two_per_pe_levels_keeping_one_type_are_refused(tmp_path):
    """Case 2024-ispass-04 (PE container above the GlobalBuffer: 16 per-PE GlobalBuffers above the
    RegisterFiles, the inner one holding 16 Inputs and Outputs: not a one-word register)."""
    arch = ARCH_V04_3LEVEL.replace("""  - !Container
    name: PE
""", """  - !Container
    name: PE
    spatial: {meshX: 16}
""")
    mapping = """\
mapping:
  - {target: GlobalBuffer, type: temporal, factors: K=2 R=3}
  - {target: PE, type: spatial, factors: K=16}
  - {target: RegisterFile, type: temporal, factors: P=16}
"""
    f = _files(tmp_path, arch=arch, prob=PROB_V04_CONV1D_OC, map=mapping)
    with pytest.raises(SpecError, match="kept by GlobalBuffer and RegisterFile, both per PE.*RegisterFile's Inputs "
                                        "tile spans P=16"):
        import_timeloop(f["arch"], f["prob"], f["map"])


def _simple_ws(tmp_path, mapping) -> dict[str, str]:
    """Case 2020-baseline-simple_weight_stationary-alexnet-layer1 (tests/timeloop_cases.py) with
    its mapping facts replaced by ``mapping``: the written Timeloop files."""
    case = replace(BY_FOLDER["2020-baseline-simple_weight_stationary-alexnet-layer1"], mapping=mapping)
    return {k: str(v) for k, v in write_case(case, tmp_path / "in").items()}


def test_a_one_word_register_under_the_spad_is_a_level_of_its_own(tmp_path):
    """Case 2020-baseline-simple_weight_stationary: weight_reg (depth 1) under pe_spad, both keeping
    Weights. pe_spad is accelsim's RF for Weights (the tile of R11 S11: 121 words), weight_reg a
    register level in the notes; input_activation_reg and output_activation_reg, the only per-PE
    keepers of theirs, are the one-word RF of Inputs and Outputs; the import notes say what
    accelsim's own accounting does with the register."""
    f = _simple_ws(tmp_path, BY_FOLDER["2020-baseline-simple_weight_stationary-alexnet-layer1"].mapping)
    res = import_timeloop(f["arch"], f["problem"], f["mapping"])
    assert [(lv.name, lv.place.value) for lv in res.mapping.levels] == [
        ("DRAM", "DRAM"), ("shared_glb", "GLB"), ("pe_spad", "RF"), ("weight_reg", "register"),
        ("input_activation_reg", "RF"), ("output_activation_reg", "RF")]
    m = res.mapping.mapping
    assert m.rf == (8, 6, 8) and len(m.loops) == 8  # ifmap, filter, psum: pe_spad's loops start at 6
    assert res.mapping.spans()[3] == (8, 8, 8)
    assert any("weight_reg is a one-word Weights register under pe_spad" in n and "no register level" in n
               for n in res.notes)
    hw = res.files[next(iter(res.files))]
    assert "weight_reg -> register [Weights]" in hw
    assert "rf_words: {shared: 0, ifmap: 1, filter: 192, psum: 1}" in hw  # pe_spad 192; the registers 1 word
    assert "input_activation_reg gives no word bits: 16 bits assumed" in hw


def test_an_inner_keeper_of_many_words_is_refused(tmp_path):
    """The same design with pe_spad's R11 S11 moved into weight_reg: weight_reg would hold 121
    Weights under pe_spad's copy — a second RF, which accelsim does not have."""
    facts = list(BY_FOLDER["2020-baseline-simple_weight_stationary-alexnet-layer1"].mapping)
    facts[5], facts[7] = ("pe_spad", "temporal", "", ""), ("weight_reg", "temporal", "R11 S11", "RS")
    f = _simple_ws(tmp_path, tuple(facts))
    code, stdout, stderr = _cli(["import", "timeloop", f["arch"], f["problem"], f["mapping"], "-o", tmp_path / "out"])
    assert code == 2 and stdout == "" and len(stderr.strip().splitlines()) == 1
    assert "Weights is kept by pe_spad and weight_reg, both per PE" in stderr
    assert "weight_reg's Weights tile spans S=11 R=11" in stderr and f["mapping"] in stderr
    assert not (tmp_path / "out").exists()


def test_a_register_keeping_another_data_space_is_refused(tmp_path):
    """weight_reg keeping Weights (a register under pe_spad) and Inputs (which no per-PE level
    above it keeps): one level cannot be a register for one and the RF for the other."""
    facts = [("weight_reg", "keep", ("Weights", "Inputs"), "") if (t, k) == ("weight_reg", "keep") else (t, k, w, o)
             for t, k, w, o in BY_FOLDER["2020-baseline-simple_weight_stationary-alexnet-layer1"].mapping]
    f = _simple_ws(tmp_path, tuple(facts))
    code, _, stderr = _cli(["import", "timeloop", f["arch"], f["problem"], f["mapping"], "-o", tmp_path / "out"])
    assert code == 2 and len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert "weight_reg is a register under pe_spad for Weights but also keeps Inputs" in stderr


def test_a_dummy_buffer_that_keeps_data_is_refused(tmp_path):
    mapping = MAP_V03_ALEXNET1.replace("{target: DummyBuffer, type: bypass, keep: [], bypass: [Weights, Inputs, "
                                       "Outputs]}", "{target: DummyBuffer, type: bypass, keep: [Weights]}")
    f = _files(tmp_path, arch=ARCH_V03_EYERISS, prob=PROB_V03_ALEXNET1, map=mapping)
    # a data space the entry does not name is kept (timeloop-model's rule)
    with pytest.raises(SpecError, match=r"DummyBuffer \(14 instances, between the GLB and the PEs\) keeps Inputs, "
                                        "Weights, Outputs"):
        import_timeloop(f["arch"], f["prob"], f["map"])


def test_unknown_yaml_tag_is_refused(tmp_path):
    f = _files(tmp_path, arch=ARCH_V04_3LEVEL.replace("!Container\n    name: PE", "!Box\n    name: PE"),
               prob=PROB_V04_CONV1D_OC)
    code, _, stderr = _cli(["import", "timeloop", f["arch"], f["prob"], "-o", tmp_path / "out"])
    assert code == 2 and "!Box" in stderr and f["arch"] in stderr


def test_without_a_mapping_the_components_constraints_place_the_data(tmp_path):
    """Case 2024-example-eyeriss_like: the v0.4 components' keep/bypass constraints say which spad
    holds what, so the hardware imports without a mapping (for accelsim's mapper)."""
    f = _files(tmp_path, arch=ARCH_V04_EYERISS, prob=PROB_V04_DEFAULT)
    res = import_timeloop(f["arch"], f["prob"])
    assert res.mapping is None and len(res.files) == 2
    hw = res.files[next(iter(res.files))]
    assert "rf_words: {shared: 0, ifmap: 24, filter: 384, psum: 16}" in hw  # depth x (width / datawidth)
    assert "glb_words: {shared: 131072, ifmap: 0, filter: 0, psum: 0}" in hw


def test_without_a_mapping_an_ambiguous_pe_is_refused(tmp_path):
    """Case 2020-baseline-eyeriss_like: v0.3 spads carry no keep lists; only the mapping says which
    spad holds which data type."""
    f = _files(tmp_path, arch=ARCH_V03_EYERISS, prob=PROB_V03_ALEXNET1)
    code, _, stderr = _cli(["import", "timeloop", f["arch"], f["prob"], "-o", tmp_path / "out"])
    assert code == 2
    assert "architecture: Inputs is kept by ifmap_spad and weights_spad and psum_spad" in stderr
    assert f["arch"] in stderr and "give the mapping" in stderr


def test_mapping_notes_give_each_timeloop_levels_loops(tmp_path):
    f = _files(tmp_path, arch=ARCH_V03_EYERISS, prob=PROB_V03_ALEXNET1, map=MAP_V03_ALEXNET1)
    res = import_timeloop(f["arch"], f["prob"], f["map"])
    assert res.mapping.spans() == [(0, 2, 2), (2, 3, 4), (4, 4, 5), (5, 5, 5), (5, 6, 6), (6, 7, 7)]
    out = tmp_path / "o"
    assert _cli(["import", "timeloop", f["arch"], f["prob"], f["map"], "-o", out])[0] == 0
    maps = load_mapping(out / "map.mapping.yaml", load_workload(out / "prob.yaml"), 1)
    levels = maps["prob"].notes["timeloop_levels"]
    assert [lv["name"] for lv in levels] == ["DRAM", "shared_glb", "DummyBuffer", "ifmap_spad", "weights_spad",
                                             "psum_spad"]
    assert levels[4]["loops"] == [5, 6, 6] and levels[4]["keeps"] == ["Weights"]


def test_timeloop_only_options_are_refused_elsewhere(tmp_path):
    code, _, stderr = _cli(["import", "accelergy", "x.yaml", "--ert", "e.yaml", "-o", tmp_path / "e.yaml"])
    assert code == 2 and "--ert" in stderr
    code, _, stderr = _cli(["import", "timeloop", "a.yaml", "-o", tmp_path])
    assert code == 2 and "import timeloop" in stderr


@pytest.mark.parametrize("case", ["v04", "v03"])
def test_tiles_equal_timeloops_utilized_capacity(tmp_path, case):
    """The tile accelsim keeps at each GLB / RF keeper is the "Utilized capacity" Timeloop prints
    for that level: case 2024-example-eyeriss_like-default_problem (timeloop-mapper.stats.txt:
    psum_spad 8, weights_spad 24, ifmap_spad 3, shared_glb Inputs 9,831 and Outputs 6,272) and
    case 2020-baseline-eyeriss_like-alexnet-layer1 (8, 88, 11; 2,497 and 5,280)."""
    from accelsim.sim.counting import count_mapping

    texts = {"v04": (ARCH_V04_EYERISS, PROB_V04_DEFAULT, MAP_V04_DEFAULT, (8, 24, 3, 9831, 6272)),
             "v03": (ARCH_V03_EYERISS, PROB_V03_ALEXNET1, MAP_V03_ALEXNET1, (8, 88, 11, 2497, 5280))}[case]
    f = _files(tmp_path, arch=texts[0], prob=texts[1], map=texts[2])
    res = import_timeloop(f["arch"], f["prob"], f["map"])
    usage = count_mapping(res.mapping.mapping, res.problem.layer, 0).usage
    glb, rf = usage[0], usage[1]
    assert (rf[DataType.PSUM], rf[DataType.FILTER], rf[DataType.IFMAP], glb[DataType.IFMAP],
            glb[DataType.PSUM]) == texts[3]


def test_index_targets_wrapped_lists_and_list_factors(tmp_path):
    """Targets may be level indices (0 = innermost); v0.4 files may wrap the list
    (``mapping: {version: 0.4, targets: [...]}``) and give factors and permutations as lists."""
    mapping = """\
mapping:
  version: 0.4
  targets:
  - {target: 1, type: temporal, factors: [R=1, P=16, K=16], permutation: [P, R, K]}
  - {target: 0, type: temporal, factors: "R=3,P=1,K=2", permutation: RPK}
  - {target: GlobalBuffer, type: dataspace, keep: [Weights, Inputs], bypass: [Outputs]}
  - {target: RegisterFile, type: datatype, keep: [Outputs], bypass: [Weights, Inputs]}
"""
    f = _files(tmp_path, arch=ARCH_V02_3LEVEL, prob=PROB_V02_CONV1D_OC, map=mapping)
    g = _files(tmp_path / "b", arch=ARCH_V02_3LEVEL, prob=PROB_V02_CONV1D_OC, map=MAP_V02_BYPASS)
    a = import_timeloop(f["arch"], f["prob"], f["map"]).mapping.mapping
    b = import_timeloop(g["arch"], g["prob"], g["map"]).mapping.mapping
    assert (a.loops, a.glb, a.rf) == (b.loops, b.glb, b.rf)


def test_an_empty_mapping_is_refused(tmp_path):
    """A timeloop-mapper input (``mapping: []``, as in a 2024 case's parsed-processed-input.yaml)."""
    f = _files(tmp_path, arch=ARCH_V02_3LEVEL, prob=PROB_V02_CONV1D_OC, map="mapping: []\n")
    with pytest.raises(SpecError, match="no mapping entries") as info:
        import_timeloop(f["arch"], f["prob"], f["map"])
    assert info.value.field == "mapping"


# more refusals, each through the CLI: (what, file, field or None, message); built by _broken_more
_MAP_V04_3LEVEL = """\
mapping:
  - {target: MainMemory, type: temporal, factors: R=1 P=1 K=1, permutation: PRK}
  - {target: GlobalBuffer, type: temporal, factors: R=1 P=16 K=16, permutation: PRK}
  - {target: RegisterFile, type: temporal, factors: R=3 P=1 K=2, permutation: RPK}
"""
_PROB_TWO_STRIDES = """\
problem:
  shape:
    name: CNN_Layer
    dimensions: [ C, M, R, S, N, P, Q ]
    coefficients: [ {name: Wstride, default: 1}, {name: Hstride, default: 1} ]
    data-spaces:
    - {name: Weights, projection: [ [ [C] ], [ [M] ], [ [R] ], [ [S] ] ]}
    - {name: Inputs, projection: [ [ [N] ], [ [C] ], [ [R], [P, Wstride] ], [ [S], [Q, Hstride] ] ]}
    - {name: Outputs, projection: [ [ [N] ], [ [M] ], [ [Q] ], [ [P] ] ], read-write: True}
  instance: {C: 1, M: 32, R: 1, S: 1, N: 1, P: 16, Q: 4, Wstride: 2, Hstride: 1}
"""
BAD_MORE = [
    ("meshX does not divide", "arch", "architecture.subtree[0].subtree[0].subtree[0].local[0].attributes.meshX",
     "meshX 2 does not divide the 1 instances"),
    ("second compute unit", "arch", "architecture.subtree[0].subtree[0].subtree[0].local[2]",
     "a second compute unit MACC2"),
    ("fan-out on a v0.4 component", "arch", "architecture.nodes[4].spatial", "put it on a !Container"),
    ("zero-size v0.4 mesh", "arch", "architecture.nodes[2].spatial.meshX", "must be an integer >= 1, got 0"),
    ("malformed YAML", "map", None, "malformed mapping YAML"),
    ("factor 0", "map", "mapping[2].factors", "K=0: factor 0"),
    ("negative split", "map", "mapping[5].split", "must be an integer >= 0, got -1"),
    ("repeated permutation dimension", "map", "mapping[2].permutation", "a dimension is repeated in 'RRK'"),
    ("level index out of range", "map", "mapping[2].target", "level index 7 outside 0..2"),
    ("missing target", "map", "mapping[2].target", "missing target"),
    ("keep not a list", "map", "mapping[4].keep", "must be a list, it is a str"),
    ("missing instance", "prob", "problem.instance", "must be a mapping of keys to values, it is missing"),
    ("different strides", "prob", "problem.instance", "H stride 1 and W stride 2 differ"),
]


def _broken_more(what: str) -> tuple[str, str, str]:
    arch, prob, mp = ARCH_V02_3LEVEL, PROB_V02_CONV1D_OC, MAP_V02_BYPASS
    if what == "meshX does not divide":
        arch = _sub(arch, "{depth: 64, width: 8, block-size: 1, word-bits: 8}",
                    "{depth: 64, width: 8, block-size: 1, word-bits: 8, meshX: 2}")
    elif what == "second compute unit":
        arch = arch + "        - name: MACC2\n          class: fpmac\n"
    elif what == "fan-out on a v0.4 component":
        arch = _sub(ARCH_V04_3LEVEL, "    name: RegisterFile\n", "    name: RegisterFile\n    spatial: {meshX: 4}\n")
        prob, mp = PROB_V04_CONV1D_OC, _MAP_V04_3LEVEL
    elif what == "zero-size v0.4 mesh":
        arch = _sub(ARCH_V04_3LEVEL, "    name: PE\n", "    name: PE\n    spatial: {meshX: 0}\n")
        prob, mp = PROB_V04_CONV1D_OC, _MAP_V04_3LEVEL
    elif what == "malformed YAML":
        mp = "mapping:\n  - {target: MainMemory, type: temporal\n"
    elif what == "factor 0":
        mp = _sub(mp, "factors: R=3 P=1 K=2", "factors: R=3 P=1 K=0")
    elif what == "negative split":
        mp += "  - {target: GlobalBuffer, type: spatial, factors: K=1, split: -1}\n"
    elif what == "repeated permutation dimension":
        mp = _sub(mp, "permutation: RPK", "permutation: RRK")
    elif what == "level index out of range":
        mp = _sub(mp, "target: RegisterFile, type: temporal", "target: 7, type: temporal")
    elif what == "missing target":
        mp = _sub(mp, "target: RegisterFile, type: temporal, ", "type: temporal, ")
    elif what == "keep not a list":
        mp = _sub(mp, "keep: [Outputs], bypass", "keep: Outputs, bypass")
    elif what == "missing instance":
        prob = _sub(prob, "  instance: {K: 32, R: 3, P: 16}\n", "")
    elif what == "different strides":
        prob = _PROB_TWO_STRIDES
    return arch, prob, mp


@pytest.mark.parametrize("what,file,field,message", BAD_MORE, ids=[b[0] for b in BAD_MORE])
def test_more_refusals_are_one_line_naming_file_and_key(tmp_path, what, file, field, message):
    """With the refusals above, 36 malformed or unsupported Timeloop inputs: each is one line on
    stderr naming the file and (but for unparsable YAML, which names the line) the key, exit 2,
    nothing written."""
    arch, prob, mp = _broken_more(what)
    f = _files(tmp_path, arch=arch, prob=prob, map=mp)
    code, stdout, stderr = _cli(["import", "timeloop", f["arch"], f["prob"], f["map"], "-o", tmp_path / "out"])
    assert code == 2 and stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("accelsim: error: ") and "Traceback" not in stderr
    assert f[file] in lines[0] and message in lines[0]
    if field is None:
        assert "at line 3" in lines[0]
    else:
        assert lines[0].startswith(f"accelsim: error: {field}: ")
    assert not (tmp_path / "out").exists()
