"""The linter is part of the test command: ruff, configured in pyproject.toml ([tool.ruff]),
over the package, the tests, the benchmarks and the tools — so every ``# noqa`` in the tree names a
rule that is really checked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    return [str(exe)] if exe.exists() else [shutil.which("ruff") or "ruff"]


def test_ruff_is_clean():
    proc = subprocess.run([*_ruff(), "check", "--no-cache", "accelsim", "tests", "benchmarks", "tools"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_sees_a_violation(tmp_path):
    """The check can fail: an unused import and a blind ``except`` are reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\ntry:\n    pass\nexcept Exception:\n    pass\n")
    proc = subprocess.run([*_ruff(), "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(bad)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "F401" in proc.stdout and "BLE001" in proc.stdout
