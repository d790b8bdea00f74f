"""What every ``accelsim`` subcommand shares: the exit code of a user error, and writing output
files (checked before any work, OS errors as one line naming the option)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import SpecError

EXIT_USAGE = 2


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


def kernel_groups(engine: str, *, search: bool, perfect: bool = True, padded: bool = False) -> set:
    """The kernel groups a run calls: counting of ``perfect`` and of ``padded`` mappings (imperfect
    factorisations), the mapper's ``search``, the cycle engine when ``engine`` is ``cycle``."""
    from ..sim.kernel_cache import KernelGroup

    groups = set()
    if perfect or search:
        groups.add(KernelGroup.ANALYTIC)
    if padded:
        groups.add(KernelGroup.PADDED)
    if search:
        groups.add(KernelGroup.SEARCH)
    if engine == "cycle":
        groups.add(KernelGroup.CYCLE)
    return groups
