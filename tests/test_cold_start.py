"""Issue 12 item 6, what a first or a long run shows: the compile notice on a cold numba cache,
the cycle engine's progress bar, and the cycle engine's memory on a large FC layer."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from accelsim.cli.main import main

REPO = Path(__file__).resolve().parents[1]
NOTICE = re.compile(r"^compiling kernels \(first run only, ~(\d+) s\)$", re.MULTILINE)


def _env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


# ---------------------------------------------------------------- a) the compile notice
def test_cold_kernel_cache_is_detected_per_group(tmp_path):
    """An empty NUMBA_CACHE_DIR is cold for every group; this process's cache, after running
    each group's kernels, is warm (the notice is then None)."""
    from accelsim.sim.kernel_cache import (COMPILE_SECONDS, COUNTING_CORE_SECONDS, KernelGroup, cold_groups,
                                           compile_notice)

    code = ("from accelsim.sim.kernel_cache import KernelGroup, cold_groups, compile_notice; "
            "print(sorted(g.value for g in cold_groups(set(KernelGroup)))); "
            "print(compile_notice({KernelGroup.ANALYTIC, KernelGroup.CYCLE}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=_env(NUMBA_CACHE_DIR=str(tmp_path / "empty")))
    assert proc.returncode == 0, proc.stderr
    groups, notice = proc.stdout.splitlines()
    assert groups == str(sorted(g.value for g in KernelGroup))
    # N: the two groups' measured compile seconds and the counting core's (nothing compiled yet)
    want = round(COMPILE_SECONDS[KernelGroup.ANALYTIC] + COMPILE_SECONDS[KernelGroup.CYCLE] + COUNTING_CORE_SECONDS)
    assert notice == f"compiling kernels (first run only, ~{want} s)"

    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.drivers.simulate import simulate

    layer = load_workload("vgg16").select(["fc8"]).layers[0]
    simulate(layer, load_hardware("eyeriss"), "rs", engine="cycle")  # the mapper, counting, the cycle engine
    ran = {KernelGroup.ANALYTIC, KernelGroup.SEARCH, KernelGroup.CYCLE}
    assert cold_groups(ran) == set()
    assert compile_notice(ran) is None


def test_first_run_on_a_cold_cache_says_it_compiles(tmp_path):
    """The CLI on an empty NUMBA_CACHE_DIR prints the notice once on stderr; the second run on
    the now warm cache prints none. (Slow: compiles the padded counting kernels, ~30 s of CPU.)"""
    from accelsim.sim.kernel_cache import COMPILE_SECONDS, COUNTING_CORE_SECONDS, KernelGroup

    # the chip's CONV1 mapping (E = 55 in 7-wide strips, padded): no search, padded counting only
    argv = [sys.executable, "-m", "accelsim", "run", "alexnet", "--layers", "conv1", "--batch", "4",
            "--mapping", "eyeriss-jssc"]
    env = _env(NUMBA_CACHE_DIR=str(tmp_path / "cache"), MPLBACKEND="Agg")
    first = subprocess.run(argv, capture_output=True, text=True, timeout=1800, env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    want = round(COMPILE_SECONDS[KernelGroup.PADDED] + COUNTING_CORE_SECONDS)  # the first counting group
    assert [int(n) for n in NOTICE.findall(first.stderr)] == [want]
    second = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "compiling kernels" not in second.stderr
    assert first.stdout == second.stdout


# ---------------------------------------------------------------- b) the progress bar
class _Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _run_fc8(args: list[str], stderr: io.StringIO) -> tuple[int, str, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(stderr):
        code = main(["run", "vgg16", "--layers", "fc8", "--hardware", "eyeriss", "--engine", "cycle", *args])
    return code, out.getvalue(), stderr.getvalue()


def _fc8_steps() -> int:
    """Temporal steps of the mapper's FC8 mapping: what the bar counts to."""
    from accelsim.io.presets import load_hardware, load_workload
    from accelsim.search.mapper import best_mapping

    layer = load_workload("vgg16").select(["fc8"]).layers[0]
    mapping = best_mapping(layer, load_hardware("eyeriss"), "rs").mapping
    steps = 1
    for lp in mapping.loops:
        if not lp.spatial:
            steps *= lp.factor
    return steps


def test_cycle_engine_shows_a_progress_bar_on_a_terminal(monkeypatch):
    import accelsim.sim.cycle as cycle

    monkeypatch.setattr(cycle, "PROGRESS_DELAY_S", 0.0, raising=False)  # show it even for a short layer
    steps = _fc8_steps()
    code, out, err = _run_fc8([], _Terminal())
    assert code == 0, err
    bars = [line for line in re.split(r"[\r\n]", err) if line.startswith("fc8 cycle engine")]
    assert bars, err
    assert f"{steps:,}/{steps:,}" in bars[-1] or f"{steps}/{steps}" in bars[-1], bars[-1]
    assert "fc8" in out  # the tables still go to stdout


def test_no_progress_and_a_pipe_show_no_bar(monkeypatch):
    import accelsim.sim.cycle as cycle

    monkeypatch.setattr(cycle, "PROGRESS_DELAY_S", 0.0, raising=False)
    code, out_quiet, err = _run_fc8(["--no-progress"], _Terminal())
    assert code == 0, err
    assert "cycle engine" not in err and "%|" not in err
    code, out_piped, err = _run_fc8([], io.StringIO())  # not a terminal
    assert code == 0, err
    assert "cycle engine" not in err and "%|" not in err
    assert out_quiet == out_piped


# ---------------------------------------------------------------- c) memory on a large FC layer
_MEMORY_SCRIPT = textwrap.dedent("""
    import resource, sys
    from accelsim.drivers.simulate import simulate
    from accelsim.io.presets import load_hardware
    from accelsim.spec.layer import ConvLayer

    hw = load_hardware("eyeriss")
    def peak_bytes():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    small = ConvLayer(name="fc", M=16, C=16, H=7, W=7, R=7, S=7)
    assert simulate(small, hw, "rs", engine="cycle").timing.verified  # kernels loaded, code paths warm
    base = peak_bytes()
    big = ConvLayer(name="fc", M=int(sys.argv[1]), C=int(sys.argv[2]), H=7, W=7, R=7, S=7)
    assert simulate(big, hw, "rs", engine="cycle").timing.verified
    print(base, peak_bytes())
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in kB: Linux")
def test_cycle_engine_memory_on_a_large_fc_layer():
    """Peak memory growth of a cycle-engine FC layer stays within 24 bytes per tensor word.

    The engine must hold the DRAM tensors as int64 values (8 bytes a word) and one int64 read
    stamp per input word (another 8); 24 bytes per word of ifmap + filter + ofmap leaves one
    more tensor's worth for the reference convolution and the result, plus 64 MB for the
    allocator. Measured as the process's peak RSS (the kernel's arrays are numba allocations,
    which tracemalloc does not see) in a fresh interpreter, above its peak after a small layer.
    """
    m, c = 1024, 256  # FC (H = R = 7): 12.8 M filter words, 103 MB as int64
    # first fill the numba cache for this code path (a compile would raise the baseline peak)
    warm = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT, "32", "16"], capture_output=True, text=True,
                          timeout=1800, env=_env())
    assert warm.returncode == 0, warm.stderr
    proc = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT, str(m), str(c)], capture_output=True,
                          text=True, timeout=1800, env=_env())
    assert proc.returncode == 0, proc.stderr
    base, peak = (int(v) for v in proc.stdout.split())
    words = c * 7 * 7 + m * c * 7 * 7 + m  # ifmap + filter + ofmap, batch 1
    bound = 24 * words + 64 * 2**20
    assert peak - base <= bound, f"grew {(peak - base) / 2**20:.0f} MB, bound {bound / 2**20:.0f} MB"
