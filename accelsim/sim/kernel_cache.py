"""Is numba's on-disk cache warm for the kernels a run is about to call? (the compile notice)

Numba compiles a kernel on its first call and keeps the machine code in its cache
(``NUMBA_CACHE_DIR``, else ``__pycache__`` next to the kernel's source, else a per-user
folder); a later process loads it in well under a second. A cold cache costs tens of seconds
per group of kernels, which without a word looks like a hang: :func:`compile_notice` gives the
one line the command line prints first.

The check asks numba's own cache object of each group's entry points (the dispatcher's
``FunctionCache``, wherever it keeps its files) whether its index holds an entry for this
source file, this numba, this CPU and this bytecode: the same tests numba applies before it
loads one. Kernel callees are cached with their callers, so the entry points stand for the group.
These are numba internals (written against numba 0.68): a numba that changes them, caching off
or ``NUMBA_DISABLE_JIT`` make the answer unknown, and unknown prints nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class KernelGroup(str, Enum):
    """The kernels one part of a run calls, compiled together on first use."""

    ANALYTIC = "analytic"   #: counting a perfectly factorised mapping (the mapper's, most mapping files)
    PADDED = "padded"       #: counting an imperfectly factorised one (``--ragged``, ragged mapping files)
    SEARCH = "search"       #: the mapper (it counts with ANALYTIC's kernels)
    CYCLE = "cycle"         #: the cycle-level engine
    FLAT = "flat"           #: counting a mapping with flattened loops (``count_accesses_flat``)
    CYCLE_FLAT = "cycle-flat"  #: the cycle-level engine on flattened loops (``run_flat``)


#: CPU seconds each group takes to compile from an empty cache once the ones before it in the
#: order ANALYTIC, PADDED, SEARCH, CYCLE, FLAT, CYCLE_FLAT are compiled: ``python benchmarks/bench_compile.py`` on
#: the 2-core development machine at load average ~2-4 (wall time within 5 % of CPU time; under
#: a load of ~10 the CPU times came out ~25 % higher and the wall times ~3x).
COMPILE_SECONDS = {KernelGroup.ANALYTIC: 13.0, KernelGroup.PADDED: 13.0, KernelGroup.SEARCH: 37.0,
                   KernelGroup.CYCLE: 41.0, KernelGroup.FLAT: 24.0, KernelGroup.CYCLE_FLAT: 30.0}
#: CPU seconds the first of ANALYTIC and PADDED takes on top of its own: the counting functions
#: both call (the same benchmark: the first counting group's time less the second's)
COUNTING_CORE_SECONDS = 27.0
_COUNTING = frozenset({KernelGroup.ANALYTIC, KernelGroup.PADDED})


def _entry_points(group: KernelGroup) -> tuple:
    """The dispatchers of ``group`` the rest of the package calls."""
    if group is KernelGroup.ANALYTIC:
        from ..kernels.analytic import compute_steps, count_accesses, roofline_cycles, roofline_timing

        return count_accesses, compute_steps, roofline_cycles, roofline_timing
    if group is KernelGroup.PADDED:
        from ..kernels.analytic import compute_steps_padded, count_accesses_padded

        return count_accesses_padded, compute_steps_padded
    if group is KernelGroup.SEARCH:
        from ..kernels.search import search

        return (search,)
    if group is KernelGroup.FLAT:
        from ..kernels.analytic import compute_steps_flat, count_accesses_flat

        return count_accesses_flat, compute_steps_flat
    if group is KernelGroup.CYCLE_FLAT:
        from ..kernels.cycle_flat import run_flat

        return (run_flat,)
    from ..kernels.cycle import run

    return (run,)


def is_cached(dispatcher) -> bool | None:
    """Whether numba's cache holds ``dispatcher`` compiled for its current source on this CPU.

    Returns
    -------
    bool or None
        ``None`` when it cannot tell (not a caching numba dispatcher, or cache internals this
        module does not know).
    """
    try:
        cache = dispatcher._cache
        # {} when the index is missing, written by another numba, or stale (the source changed)
        index = cache._cache_file._load_index()
        _, machine, code = cache._index_key(None, dispatcher.targetctx.codegen())
    except Exception:  # noqa: BLE001 - numba internals: any failure means "unknown", never a failed run
        return None
    return any(key[1] == machine and key[2] == code for key in index)


def cold_groups(groups: Iterable[KernelGroup]) -> set[KernelGroup]:
    """The groups of ``groups`` with an entry point numba would have to compile."""
    return {g for g in groups if any(is_cached(d) is False for d in _entry_points(g))}


def compile_seconds(cold: Iterable[KernelGroup], core_cold: bool) -> int:
    """Expected time to compile the ``cold`` groups, seconds: their :data:`COMPILE_SECONDS`, plus
    :data:`COUNTING_CORE_SECONDS` when they count and nothing of the counting is compiled yet
    (``core_cold``); rounded."""
    cold = set(cold)
    core = COUNTING_CORE_SECONDS if core_cold and cold & (_COUNTING | {KernelGroup.SEARCH, KernelGroup.FLAT}) else 0.0
    return round(sum(COMPILE_SECONDS[g] for g in cold) + core)


def compile_notice(groups: Iterable[KernelGroup]) -> str | None:
    """``"compiling kernels (first run only, ~N s)"`` if a group of ``groups`` is cold, else ``None``."""
    cold = cold_groups(groups)
    if not cold:
        return None
    return f"compiling kernels (first run only, ~{compile_seconds(cold, cold_groups(_COUNTING) == _COUNTING)} s)"
