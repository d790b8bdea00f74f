"""The notebooks say what they compute: every number their prose states is checked by an ``assert`` in
the notebook (nbmake runs them), and running them prints no tqdm "IProgress not found" warning."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_sweep_progress_bar_in_a_kernel_without_ipywidgets_does_not_warn(tmp_path):
    """Issue 12 (10): ``tqdm.auto`` in a Jupyter kernel without ipywidgets warns "IProgress not found";
    the sweep's bar must not. The child process looks like a kernel to tqdm (``ipykernel.zmqshell``
    imported) and has no ipywidgets."""
    code = textwrap.dedent(f"""
        import importlib.util, sys, types
        assert importlib.util.find_spec("ipywidgets") is None, "this test needs an environment without ipywidgets"
        sys.modules["ipykernel.zmqshell"] = types.ModuleType("ipykernel.zmqshell")
        import IPython
        import accelsim
        (Path := __import__("pathlib").Path)
        wl = Path({str(tmp_path)!r}) / "w.yaml"
        wl.write_text("version: 1\\nname: w\\nlayers:\\n  - {{name: c, M: 4, C: 2, H: 6, W: 6, R: 3, S: 3}}\\n")
        accelsim.sweep({{"version": 1, "workloads": [str(wl)], "hardware": ["eyeriss"], "dataflows": ["rs"],
                        "batch": [1], "budget": {{"samples": 20, "climb": 20, "starts": 1}}}}, progress=True)
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "sweep" in out.stderr  # the bar was drawn (as text)
    assert "IProgress" not in out.stderr


# ------------------------------------------------------------------ every stated number is checked

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: A number in prose: digits with optional thousands commas and decimals, not part of a name (conv3, 1e10).
NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?(?!\w|\.\d)")

#: Numbers the prose states that are not results: citations, figure and table numbers, layer names
#: and the sizes of the inputs a notebook chooses (each with why it is not checked by an assert).
GIVEN: dict[str, dict[str, str]] = {
    "01_quickstart.ipynb": {
        "2016": "ISCA 2016 (citation)",
    },
    "02_eyeriss_isca16_reproduction.ipynb": {
        "2016": "ISCA 2016 (citation)", "7": "the paper's Fig. 7", "10": "Fig. 10", "11": "Fig. 11",
        "12": "Fig. 12(a)", "256": "the 256-PE setups the notebook runs (isca16-256-*)",
        "1": "Table IV's MAC and RF costs; RS at N = 1 (the normalisation)", "2": "Table IV's NoC cost",
        "6": "Table IV's GLB cost", "200": "Table IV's DRAM cost", "5": "CONV1–5 (layer names)",
        "16": "the batch sizes run (BATCHES)", "64": "the paper's third batch, not run (BATCHES)",
        "1.000": "the paper's normalisation of Fig. 12(a)", "0.156": "validation.isca16.FIG12_SCALE",
    },
    "03_dataflow_sweep.ipynb": {
        "2016": "ISCA 2016 (citation)", "2": "--jobs 2 and two layers: the sweep's own inputs",
        "6": "Table IV's GLB cost", "12": "the chip's 12 x 14 array", "14": "the chip's 12 x 14 array",
        "16": "the smallest GLB size swept (GLB_BYTES); 16-bit words",
        "1": "the largest GLB size swept (1 MB) and batch 1", "8": "the 8-bit operand width compared",
        "64": "the GLB's 64-bit access (EnergyModel.glb_access_bits)", "5": "CONV1–5 (layer names)",
    },
    "04_cycle_level_anatomy.ipynb": {},
    "05_eyeriss_chip.ipynb": {
        "2016": "ISSCC 2016 (citation)", "2017": "JSSC 2017 (citation)", "5": "CONV1–5 (layer names)",
        "4": "batch 4 of the papers' runs, and JSSC Table III's 4 channels per pass (the mapping file)",
        "55": "CONV1's ofmap rows (the layer)", "7": "CONV1's 7-wide strips (JSSC Table III's mapping)",
        "27": "CONV2's 5 x 27 PE set (JSSC Table III's mapping)", "13": "CONV2's 14 + 13 split (the mapping)",
        "14": "the array's 14 columns (asserted with the 12 x 14 array)", "65": "65 nm (the energy table's process)",
    },
    "06_eyeriss_v2_noc.ipynb": {
        "2019": "IEEE JETCAS 2019 (citation)", "9": "JETCAS volume 9(2) (citation)",
        "2": "JETCAS issue 9(2) (citation)", "5.6": "the paper's MobileNet throughput ratio (JETCAS §I-C, cited)",
        "1.8": "the paper's MobileNet energy-efficiency ratio (JETCAS §I-C, cited)",
        "7": "Eyexam's step 7 (a step's name)",
    },
}


def _prose_numbers(nb: dict) -> set[str]:
    """Numbers in markdown cells and code comments."""
    out: set[str] = set()
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code":
            text = "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
        out |= set(NUMBER.findall(text))
    return out


def _asserted_numbers(nb: dict) -> set[float]:
    """Every number constant inside an ``assert`` statement of the notebook's code cells."""
    out: set[float] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Assert):
                out |= {float(c.value) for c in ast.walk(node)
                        if isinstance(c, ast.Constant) and isinstance(c.value, (int, float))
                        and not isinstance(c.value, bool)}
    return out


def _unchecked(nb: dict, given: dict[str, str]) -> list[str]:
    asserted = _asserted_numbers(nb)
    bad = []
    for text in sorted(_prose_numbers(nb)):
        value = float(text.replace(",", ""))
        if text in given or value in asserted or value / 100 in asserted:  # "15 %" may be asserted as 0.15
            continue
        bad.append(text)
    return bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_number_a_notebook_states_is_asserted(path):
    """Issue 12 (10): a number in a notebook's prose is either an input it names (GIVEN, with why) or
    a result an ``assert`` of the notebook checks (nbmake runs the notebooks, so a contradiction fails)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert _unchecked(nb, GIVEN[path.name]) == []


def test_the_number_check_can_fail():
    """Notebook 01 as it was: its comment said "ALU is exactly 1" and nothing asserted it."""
    nb = {"cells": [{"cell_type": "markdown", "source": ["the others 1.4×–2.5× RS"]},
                    {"cell_type": "code", "source": ["# ALU is exactly 1\n", "x = 1\n", "assert y <= 2.5\n"]}]}
    assert _unchecked(nb, {}) == ["1", "1.4"]
