"""The cycle engine runs every imported Eyeriss-like Timeloop case (issue 15, acceptance).

The five Eyeriss-like cases of the reference collection (:mod:`timeloop_cases`: the 2019
eyeriss256 CNN layer, the 2020 AlexNet layer 1 and VGG02 layer 5, the 2024 default problem and
VGG02 layer 5) and the two 2020 baselines with a per-PE spad and one-word registers
(``simple_weight_stationary``, ``simple_output_stationary``, AlexNet layer 1), written as
Timeloop YAML, imported, and run by the cycle engine with real data: its output equals the
reference convolution and its counts equal the analytic engine's.

A case whose whole layer is small enough for a test (the Eyeriss-like AlexNet layer, 105 M MACs,
and the 2024 default problem, 10.8 M) runs whole; the others (the two baselines, 105 M MACs on
48 PEs: 33 s each whole, ``tools/timeloop_import_all.py --cycle``; 0.9 G and 59 G MACs) run with the same
mapping below DRAM — every on-chip level's loops, spatial fan-outs and keep / bypass unchanged —
and the DRAM level's temporal loops taken out (the bounds divided by them), so the nest the cycle
engine walks is the case's on-chip nest exactly. ``tools/timeloop_import_all.py --cycle`` runs
the whole layers.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from timeloop_cases import BY_FOLDER, Case, load_import, write_case

from accelsim.drivers.simulate import simulate
from accelsim.io.timeloop import import_timeloop

#: the Eyeriss-like cases, and whether the test runs the whole layer
EYERISS_LIKE = {
    "2019-exercises-06-mapper-eyeriss256-cnn-layer": False,   # 59.2 G MACs
    "2020-baseline-eyeriss_like-alexnet-layer1": True,         # 105 M MACs
    "2020-exercises-06-mapper-eyeriss-vgg02-layer5": False,    # 925 M MACs
    "2024-example-eyeriss_like-default_problem": True,         # 10.8 M MACs
    "2024-ispass-06-mapper-eyeriss-vgg02-layer5": False,       # 925 M MACs
    "2020-baseline-simple_weight_stationary-alexnet-layer1": False,  # 105 M MACs on 48 PEs (DRAM Q5 out)
    "2020-baseline-simple_output_stationary-alexnet-layer1": False,  # 105 M MACs on 48 PEs (DRAM P5 Q5 out)
}


def without_dram_loops(case: Case) -> Case:
    """The case with its outermost level's temporal loops taken out: every bound divided by
    its DRAM factor, the DRAM temporal entry emptied, everything else as it is."""
    dram = case.levels[0][0]
    out, mapping = dict(case.instance), []
    for target, kind, what, order in case.mapping:
        if target == dram and kind == "temporal":
            for tok in what.split():
                dim, factor = re.match(r"([A-Z]+)(\d+)", tok).groups()
                out[dim] //= int(factor)
            what, order = "", ""
        mapping.append((target, kind, what, order))
    return replace(case, instance=out, mapping=tuple(mapping))


def imported_case(case: Case, tmp_path):
    paths = write_case(case, tmp_path / "in")
    res = import_timeloop(*(str(paths[k]) for k in ("arch", "problem", "mapping", "ert")))
    return load_import(res, tmp_path / "out")


@pytest.mark.parametrize("folder", list(EYERISS_LIKE))
def test_cycle_engine_runs_the_eyeriss_like_case(folder, tmp_path):
    case = BY_FOLDER[folder]
    if not EYERISS_LIKE[folder]:
        case = without_dram_loops(case)
    layer, hw, mappings = imported_case(case, tmp_path)
    mapping = mappings[layer.name]
    if EYERISS_LIKE[folder]:
        assert layer.macs == case.macs  # the whole layer
    else:
        assert layer.macs < case.macs and all(lp.factor > 1 for lp in mapping.loops)
    analytic = simulate(layer, hw, "rs", "analytic", mapping=mapping)
    cycle = simulate(layer, hw, "rs", "cycle", mapping=mapping)
    assert cycle.timing.verified  # the output is the reference convolution (wrapped at psum_bits)
    assert np.array_equal(cycle.counts, analytic.counts)
    assert cycle.macs == layer.macs
    # Timeloop's utilized PEs: the case's MACs per its cycles (the on-chip nest is unchanged)
    assert cycle.active_pes == case.macs // case.cycles == analytic.active_pes


def test_the_reduced_nest_keeps_the_on_chip_loops(tmp_path):
    """The reduction takes out exactly the DRAM loops: the 2020 VGG02 layer 5 nest below DRAM
    (shared_glb M4 P56 + Q14 on X; C4 S3 on Y; weights_spad C4 R3; psum_spad M16, SEMANTICS.md
    §4's case table) is the same loop for loop."""
    case = BY_FOLDER["2020-exercises-06-mapper-eyeriss-vgg02-layer5"]
    whole, _, whole_maps = imported_case(case, tmp_path / "whole")
    small, _, small_maps = imported_case(without_dram_loops(case), tmp_path / "small")
    a, b = whole_maps[whole.name], small_maps[small.name]
    n_dram = len(a.loops) - len(b.loops)
    assert n_dram == 3 and a.loops[n_dram:] == b.loops
    assert (small.C, small.M, small.E) == (16, 64, 14)
