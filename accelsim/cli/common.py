"""What every ``accelsim`` subcommand shares: the exit codes, the mapper's ``--budget`` and
``--seed``, and writing output files (checked before any work, OS errors as one line naming the
option)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import SpecError

#: Exit codes of every subcommand (README, *Exit codes*; docs/architecture.md).
EXIT_OK = 0
EXIT_USAGE = 2  # bad input: one line naming the file or option, the field and the constraint
EXIT_INFEASIBLE = 3  # a layer had no legal mapping (its results are still printed and written)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as the shell reports a Ctrl-C

#: ``--seed`` range: the search kernel seeds numpy's 32-bit Mersenne Twister
MAX_SEED = 2**32 - 1
_BUDGET_KEYS = {"samples": 1, "climb": 0, "starts": 1}  # key -> smallest value


def _budget_values(text: str) -> dict[str, int]:
    """``samples=4000,climb=2000,starts=16`` (any subset) as a dict, checked."""
    from ..io.schema import MAX_INT

    out: dict[str, int] = {}
    for part in text.split(","):
        key, eq, value = (p.strip() for p in part.partition("="))
        if not eq or key not in _BUDGET_KEYS:
            raise SpecError(f"expected quick, default, thorough or KEY=N pairs with keys "
                            f"{', '.join(_BUDGET_KEYS)} (samples=4000,climb=2000,starts=16), got {text!r}", "--budget")
        try:
            number = int(value)
        except ValueError:
            raise SpecError(f"{key} must be an integer, got {value!r}", "--budget") from None
        if not _BUDGET_KEYS[key] <= number <= MAX_INT:
            raise SpecError(f"{key} must be in {_BUDGET_KEYS[key]}..{MAX_INT}, got {number}", "--budget")
        out[key] = number
    return out


def parse_budget(text: str | None, seed: int | None, ragged: bool = False):
    """The mapper's :class:`~accelsim.search.mapper.Budget` from ``--budget``, ``--seed`` and
    ``--ragged``; ``None`` (the mapper's default) when none is given.

    ``text`` is a size (``quick``, ``default``, ``thorough``: ``search.mapper.BUDGETS``) or
    ``KEY=N`` pairs (``samples``, ``climb``, ``starts``) replacing the default's values.
    """
    from dataclasses import replace

    from ..search.mapper import BUDGETS, BudgetSize

    if text is None and seed is None and not ragged:
        return None
    budget = BUDGETS[BudgetSize.DEFAULT]
    if text is not None:
        try:
            budget = BUDGETS[BudgetSize(text.strip().lower())]
        except ValueError:
            budget = replace(budget, **_budget_values(text))
    if seed is not None:
        if not 0 <= seed <= MAX_SEED:
            raise SpecError(f"must be in 0..{MAX_SEED}, got {seed}", "--seed")
        budget = replace(budget, seed=seed)
    return replace(budget, ragged=True) if ragged else budget


def infeasible_exit(ok: Sequence[bool], allow: bool, hint: str = "--allow-infeasible exits 0") -> int:
    """:data:`EXIT_INFEASIBLE`, saying so on stderr, when a layer is not ``ok`` and ``allow`` is
    false (no ``--allow-infeasible``); else :data:`EXIT_OK`."""
    bad = sum(1 for good in ok if not good)
    if not bad or allow:
        return EXIT_OK
    print(f"accelsim: {bad} of {len(ok)} layers infeasible (exit {EXIT_INFEASIBLE}; {hint})", file=sys.stderr)
    return EXIT_INFEASIBLE


def check_output_path(path: str | None, option: str) -> None:
    """Fail before any work on an output file that cannot be written (a directory, a path under a file)."""
    if not path:
        return
    target = Path(path)
    if target.is_dir():
        raise SpecError(f"{path} is a directory; give a file name", option)
    ancestor = next((d for d in target.parents if d.exists()), None)
    if ancestor is not None and not ancestor.is_dir():
        raise SpecError(f"cannot write {path}: {ancestor} is not a directory", option)
    if ancestor is not None and not os.access(ancestor, os.W_OK | os.X_OK):
        raise SpecError(f"cannot write {path}: no permission to write in {ancestor}", option)


def write_output(write, path: str, option: str) -> Path:
    """``write(path)``, with an OS error (a full disk, a read-only file system) as one message naming ``option``."""
    try:
        return write(path)
    except OSError as exc:
        raise SpecError(f"cannot write {exc.filename or path}: {exc.strerror or exc}", option) from None


def check_plot_path(path: str | None, option: str) -> None:
    """Fail before any work on a plot file type matplotlib cannot write, or a path that cannot be written."""
    if not path:
        return
    check_output_path(path, option)
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        return  # written as PNG (see save_plot)
    from matplotlib.backend_bases import FigureCanvasBase

    known = FigureCanvasBase.get_supported_filetypes()
    if suffix not in known:
        raise SpecError(f"cannot write a .{suffix} plot; use one of {', '.join(sorted(known))}", option)


def save_plot(draw, path: str, option: str) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4.8), layout="constrained")
    draw(fig.subplots())
    fmt = None if Path(path).suffix else "png"  # a name without a suffix: PNG, at exactly that name
    write_output(lambda p: fig.savefig(p, dpi=120, format=fmt), path, option)
    print(f"plot saved to {path}")


def announce_compile(groups) -> None:
    """Print the one-line compile notice on stderr when numba's cache is cold for ``groups``
    (:class:`~accelsim.sim.kernel_cache.KernelGroup`; :func:`~accelsim.sim.kernel_cache.compile_notice`)."""
    from ..sim.kernel_cache import compile_notice

    notice = compile_notice(groups)
    if notice:
        print(notice, file=sys.stderr, flush=True)


def kernel_groups(engine: str, *, search: bool, perfect: bool = True, padded: bool = False, flat: bool = False) -> set:
    """The kernel groups a run calls: counting of ``perfect`` and of ``padded`` mappings (imperfect
    factorisations) and of mappings with ``flat`` (flattened) loops, the mapper's ``search``, the
    cycle engine when ``engine`` is ``cycle`` (its flattened-loop kernel too with ``flat``)."""
    from ..sim.kernel_cache import KernelGroup

    groups = set()
    if perfect or search:
        groups.add(KernelGroup.ANALYTIC)
    if padded:
        groups.add(KernelGroup.PADDED)
    if search:
        groups.add(KernelGroup.SEARCH)
    if flat:
        groups.add(KernelGroup.FLAT)
    if engine == "cycle":
        groups.add(KernelGroup.CYCLE_FLAT if flat else KernelGroup.CYCLE)
        if flat and (search or perfect or padded):
            groups.add(KernelGroup.CYCLE)
    return groups
