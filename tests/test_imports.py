"""Import hygiene: a cheap ``import accelsim``, a complete facade, and one-way module dependencies.

docs/architecture.md, *Layers*: layout/errors → spec → dataflows → kernels → sim → search →
io/plot/report → drivers → validation → cli, each importing only from below; ``kernels`` read
nothing but ``layout``; ``plot`` reads ``Result``s only.
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


#: The layers, lowest first (docs/architecture.md, *Layers*): a module may import its own
#: package and any package of a lower layer, never one of its own layer or above.
LAYERS = (
    ("layout", "errors"),
    ("spec",),
    ("dataflows",),
    ("kernels",),
    ("sim",),
    ("search",),
    ("io", "plot", "report"),
    ("drivers",),
    ("validation",),
    ("cli",),
    ("__main__",),
)
RANK = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}


def _package(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "accelsim" else None


def test_every_package_has_a_layer():
    on_disk = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
               if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert on_disk - {"reference", "_workloads"} == set(RANK)


def test_imports_point_down_the_layers():
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        own = _package(module)
        if own is None:
            continue  # accelsim/__init__.py: the lazy facade names modules of every layer
        names = imported_names(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
        for name in sorted(names):
            other = _package(name)
            if other in (None, own, "__version__"):
                continue
            if RANK.get(other, len(LAYERS)) >= RANK[own]:
                bad.append(f"{path.relative_to(REPO)} imports {name}")
    assert bad == []


def test_the_layer_check_can_fail():
    src = "from ..drivers.simulate import simulate\n"
    assert "accelsim.drivers.simulate" in imported_names(src, "accelsim.sim.evaluate", False)
    assert RANK["drivers"] > RANK["sim"]


def test_kernels_stand_alone():
    """Kernels import nothing of the package but each other and the index vocabulary."""
    assert _violations("kernels", allowed=("accelsim.kernels", "accelsim.layout")) == []


def test_spec_imports_nothing_above_it():
    assert _violations("spec", allowed=("accelsim.spec", "accelsim.errors", "accelsim.layout")) == []


def test_plot_reads_results_only():
    assert _violations("plot", allowed=None, forbidden=("sim", "search", "kernels", "io", "dataflows", "cli",
                                                         "drivers")) == []


def test_only_io_reads_files_with_pydantic_or_yaml():
    for sub in ("spec", "kernels", "sim", "search", "dataflows", "plot"):
        for path, names in _modules(sub):
            bad = [n for n in names if n.split(".")[0] in ("pydantic", "ruamel", "yaml")]
            assert bad == [], f"{path.relative_to(REPO)} imports {bad}"
