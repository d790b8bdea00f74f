"""Import hygiene: a cheap ``import accelsim``, a complete facade, and one-way module dependencies.

docs/architecture.md, *Data flow*: ``spec`` <- ``io``, ``dataflows``, ``sim`` <- ``search`` <- ``cli``; ``kernels``
stands alone; ``plot`` reads ``Result``s only.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import accelsim

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "accelsim"

HEAVY = ("numba", "matplotlib", "numpy", "pydantic", "ruamel", "joblib", "scipy", "pandas")


def test_import_accelsim_is_cheap():
    code = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        "import accelsim\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    new = json.loads(proc.stdout)
    heavy = [m for m in new if m.split(".")[0] in HEAVY]
    assert heavy == [], f"import accelsim pulled in {heavy}"
    ours = [m for m in new if m.startswith("accelsim.")]
    assert ours == [], f"import accelsim eagerly imported {ours}"


def test_every_public_name_resolves():
    assert "__version__" in accelsim.__all__
    for name in accelsim.__all__:
        assert getattr(accelsim, name) is not None, name
    assert callable(accelsim.simulate) and callable(accelsim.best_mapping) and callable(accelsim.compare)
    assert hasattr(accelsim.plot, "energy_breakdown")
    with pytest.raises(AttributeError):
        accelsim.no_such_name  # noqa: B018


# --------------------------------------------------------------------------- import direction
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(source: str, module: str, is_package: bool) -> set[str]:
    """Absolute names of every module ``source`` imports (anywhere, relative ones resolved).

    ``from X import a`` yields ``X`` and ``X.a`` (``a`` may be a submodule).
    """
    package = module if is_package else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts)
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module
            out.add(target)
            out.update(f"{target}.{alias.name}" for alias in node.names if alias.name != "*")
    return out


def _modules(sub: str):
    folder = PACKAGE / sub
    files = sorted(folder.rglob("*.py"))
    assert files, f"no modules under {folder}"
    for path in files:
        yield path, imported_names(path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py")


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _violations(sub: str, allowed, forbidden=()) -> list[str]:
    bad = []
    for path, names in _modules(sub):
        for name in sorted(names):
            if not _within(name, "accelsim"):
                continue
            if any(_within(name, f"accelsim.{f}") for f in forbidden) or (
                    allowed is not None and not any(_within(name, a) for a in allowed)):
                bad.append(f"{path.relative_to(REPO)} imports {name}")
    return bad


def test_resolver_sees_relative_imports():
    src = "from ..sim import simulate\nfrom . import jit\nimport accelsim.io\nfrom .. import plot\n"
    nested = "def f():\n    from ..search.mapper import Budget\n"  # function-level imports count too
    names = imported_names(src + nested, "accelsim.kernels.analytic", False)
    assert {"accelsim.sim", "accelsim.kernels.jit", "accelsim.io", "accelsim.plot",
            "accelsim.search.mapper"} <= names
    assert "accelsim.kernels" in imported_names("from . import jit\n", "accelsim.kernels", True)


def test_kernels_stand_alone():
    assert _violations("kernels", allowed=("accelsim.kernels", "accelsim.layout")) == []


def test_spec_imports_nothing_above_it():
    forbidden = ("io", "sim", "search", "cli", "plot", "kernels", "dataflows", "report", "validation")
    assert _violations("spec", allowed=None, forbidden=forbidden) == []


def test_plot_reads_results_only():
    assert _violations("plot", allowed=None, forbidden=("sim", "search", "kernels", "io", "dataflows", "cli")) == []


def test_only_io_reads_files_with_pydantic_or_yaml():
    for sub in ("spec", "kernels", "sim", "search", "dataflows", "plot"):
        for path, names in _modules(sub):
            bad = [n for n in names if n.split(".")[0] in ("pydantic", "ruamel", "yaml")]
            assert bad == [], f"{path.relative_to(REPO)} imports {bad}"
