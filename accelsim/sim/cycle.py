"""Driving the cycle-level kernel: layouts, inputs, the reference check, timing records."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

import numpy as np

from ..dataflows.lowering import lower_mapping
from ..layout import (BW_DRAM, BW_FILTER, BW_GLB, BW_GON, BW_IFMAP, BW_LOCAL, BW_PSUM_GIN, NOC_BROADCAST, NOC_GIN,
                      NOC_HMESH, NOC_SYSTOLIC, NOC_UNICAST, N_BANDWIDTHS, N_CAUSES, N_COUNT_STATS, N_LEVELS,
                      N_RUN_STATS, N_SPARSE_STATS, N_TILE_LEVELS, N_TRACE, N_TYPES, SP_CYCLES, ST_ACTIVE, ST_COMPUTE,
                      ST_CYCLES, ST_PASSES, ST_STALL0)
from ..spec.dims import DataType, NocKind
from ..spec.hardware import Hardware, Precision
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping, column_loops, iact_column_loops
from . import conventions

#: stall causes reported by the cycle engine, in kernel order
#: the cycle engine runs flattened loops (kernels/cycle_flat.py), so the mapper may offer it
#: im2col mappings (:func:`accelsim.sim.evaluate.runs_flattened`)
RUNS_FLATTENED_LOOPS = True

STALL_CAUSES = ("noc_ifmap", "noc_filter", "noc_psum", "glb_bandwidth", "dram", "pipeline")
#: the stall causes of a machine with sparse PEs (``hw.sparse_pe``), in kernel order
#: (``accelsim.layout.N_CAUSES``): ``imbalance`` is a PE waiting for slower PEs; a dense machine's
#: PEs run in lockstep, and its records keep :data:`STALL_CAUSES`
SPARSE_STALL_CAUSES = STALL_CAUSES + ("imbalance",)
TRACE_COLUMNS = ("macs", "ifmap_bus_words", "filter_bus_words", "psum_bus_words", "glb_words", "dram_words",
                 "stall_cycles")
TRACE_BINS = 1000
#: seconds a cycle-engine run lasts before its progress bar appears (shorter runs show none)
PROGRESS_DELAY_S = 2.0
#: seconds between two looks at the kernel's step counter
PROGRESS_POLL_S = 0.2
#: output channels the reference convolution computes at once hold at most this many filter words
#: (a chunk of the filter tensor instead of einsum's copy of all of it: 822 MB for VGG-16 FC6)
REFERENCE_CHUNK_WORDS = 1 << 22
#: kernel codes of the NoC kinds (accelsim.layout NOC_*)
_NOC_CODES = {NocKind.GIN: NOC_GIN, NocKind.BROADCAST: NOC_BROADCAST, NocKind.UNICAST: NOC_UNICAST,
              NocKind.SYSTOLIC: NOC_SYSTOLIC, NocKind.HMESH: NOC_HMESH}


@dataclass(frozen=True, slots=True, eq=False)
class CycleOutcome:
    """What the cycle kernel returns for one layer.

    Attributes
    ----------
    counts : numpy.ndarray
        int64[4, 3, 6], as the analytic engine's (cluster ports and mesh hops included).
    usage : numpy.ndarray
        int64[2, 3], GLB and per-PE RF words per data type.
    output : numpy.ndarray
        int64[N, M, E, F], the ofmap the simulated machine computed.
    cycles, compute_cycles, passes : int
        Total cycles, MAC steps, passes over the array.
    stall_cycles : dict
        Cycles the active PEs waited, by cause (:data:`STALL_CAUSES`; sparse PEs: the slowest PE's
        waits, :data:`SPARSE_STALL_CAUSES`).
    active_pes : int
    pe_busy : numpy.ndarray
        int64[rows, cols] MACs done by each physical PE.
    trace : numpy.ndarray
        float64[bins, 7] activity per ``bin_cycles`` cycles (:data:`TRACE_COLUMNS`); with sparse PEs
        ``macs`` counts effective MACs (a column's in the bin of its PE's clock at the column's first
        cycle) and ``stall_cycles`` the deliveries' waits.
    bin_cycles : int
    sparse_work : numpy.ndarray or None
        Sparse PEs (``hw.sparse_pe``): int64[P, N_SPARSE_STATS], each active-PE slot's work
        (``accelsim.layout.SP_*``), spatial index order; ``None`` on dense PEs.
    pe_wait : numpy.ndarray or None
        Sparse PEs: float64[P, N_CAUSES], each PE's cycles not issuing MACs, by cause
        (:data:`SPARSE_STALL_CAUSES`); per PE, ``sparse_work[:, SP_CYCLES] + pe_wait.sum(1)`` is ``cycles``.
    pe_issue : numpy.ndarray or None
        Sparse PEs: int64[rows, cols] cycles each physical PE issued MACs (``SP_CYCLES``).
    """

    counts: np.ndarray
    usage: np.ndarray
    output: np.ndarray
    cycles: int
    compute_cycles: int
    passes: int
    stall_cycles: dict
    active_pes: int
    pe_busy: np.ndarray
    trace: np.ndarray
    bin_cycles: int
    sparse_work: np.ndarray | None = None
    pe_wait: np.ndarray | None = None
    pe_issue: np.ndarray | None = None


def signed_range(bits: int) -> tuple[int, int]:
    """``(lowest, highest)`` value of a ``bits``-bit two's complement word (1..64 bits)."""
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def random_inputs(layer: ConvLayer, seed: int = 0, precision: Precision | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Seeded fixed-point tensors, uniform over the signed range of each type's width.

    Parameters
    ----------
    layer : ConvLayer
    seed : int
    precision : Precision, optional
        The machine's widths (``ifmap_bits``, ``filter_bits``); default 16 and 16.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ifmap int64[N, C, H, W] and filters int64[M, C/G, R, S].
    """
    precision = precision or Precision()
    rng = np.random.default_rng(seed)
    lo, hi = signed_range(precision.ifmap_bits)
    ifmap = rng.integers(lo, hi, size=(layer.N, layer.C, layer.H, layer.W), dtype=np.int64, endpoint=True)
    lo, hi = signed_range(precision.filter_bits)
    filters = rng.integers(lo, hi, size=(layer.M, layer.C // layer.G, layer.R, layer.S), dtype=np.int64,
                           endpoint=True)
    return ifmap, filters


def wrap_to_bits(values: np.ndarray, bits: int) -> np.ndarray:
    """``values`` (int64, any shape) wrapped to ``bits``-bit two's complement (1..64; 64 = as
    they are): what an accumulator of that width holds."""
    shift = np.int64(64 - bits)
    return (np.asarray(values, dtype=np.int64) << shift) >> shift


def reference_conv(layer: ConvLayer, ifmap: np.ndarray, filters: np.ndarray, psum_bits: int = 64) -> np.ndarray:
    """Plain numpy convolution: int64[N, M, E, F], exact integer arithmetic, wrapped to
    ``psum_bits`` bits (:func:`wrap_to_bits`; 64 = exact).

    Wrapping is modular, so the exact sum wrapped once equals what an accumulator that wraps
    at every addition holds, in any accumulation order: the cycle engine's output.

    Computed a few output channels at a time (:data:`REFERENCE_CHUNK_WORDS` filter words), so
    its temporaries stay small next to the filter tensor of a large FC layer."""
    g, cg, mg = layer.G, layer.C // layer.G, layer.M // layer.G
    x = np.asarray(ifmap, dtype=np.int64).reshape(layer.N, g, cg, layer.H, layer.W)
    w = np.asarray(filters, dtype=np.int64).reshape(g, mg, cg, layer.R, layer.S)
    win = np.lib.stride_tricks.sliding_window_view(x, (layer.R, layer.S), axis=(3, 4))
    win = win[:, :, :, :: layer.U, :: layer.U]  # N, G, Cg, E, F, R, S
    out = np.empty((layer.N, g, mg, layer.E, layer.F), dtype=np.int64)
    chunk = max(1, REFERENCE_CHUNK_WORDS // (g * cg * layer.R * layer.S))
    for m0 in range(0, mg, chunk):
        out[:, :, m0:m0 + chunk] = np.einsum("ngcefrs,gmcrs->ngmef", win, w[:, m0:m0 + chunk], optimize=True)
    out = out.reshape(layer.N, layer.M, layer.E, layer.F)
    return out if psum_bits >= 64 else wrap_to_bits(out, psum_bits)


def checked_tensor(arr, want: tuple[int, ...], axes: str, name: str) -> np.ndarray:
    """``arr`` as an integer array of shape ``want`` (named ``axes`` in the message), or a
    ``SpecError`` naming ``name``."""
    from ..errors import SpecError

    arr = np.asarray(arr)
    if arr.shape != want:
        raise SpecError(f"shape {arr.shape} does not match the layer's ({axes}) = {want}", name)
    if not np.issubdtype(arr.dtype, np.integer):
        raise SpecError(f"must hold integers (fixed point), got {arr.dtype}", name)
    return arr


def check_inputs(layer: ConvLayer, ifmap, filters):
    """The ifmap (N, C, H, W) and filters (M, C/G, R, S), checked, as int64 (no copy when they are)."""
    ifmap = checked_tensor(ifmap, (layer.N, layer.C, layer.H, layer.W), "N, C, H, W", "ifmap")
    filters = checked_tensor(filters, (layer.M, layer.C // layer.G, layer.R, layer.S), "M, C/G, R, S", "filters")
    return ifmap.astype(np.int64, copy=False), filters.astype(np.int64, copy=False)


def layer_inputs(layer: ConvLayer, ifmap=None, filters=None,
                 precision: Precision | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The given tensors (checked, as int64 without a copy when they are already), the seeded
    :func:`random_inputs` (in ``precision``'s ranges, default 16 bits) for those omitted."""
    if ifmap is None or filters is None:
        ri, rf = random_inputs(layer, precision=precision)
        ifmap = ri if ifmap is None else ifmap
        filters = rf if filters is None else filters
    return check_inputs(layer, ifmap, filters)


def run_cycle(layer: ConvLayer, hw: Hardware, mapping: Mapping, window: int, ifmap=None, filters=None,
              unlimited_bandwidth: bool = False, estimate_cycles: int | None = None,
              dram_scale: tuple[float, float, float] = (1.0, 1.0, 1.0), progress: bool = False) -> CycleOutcome:
    """Simulate one layer cycle by cycle with real values.

    Parameters
    ----------
    window : int
        :func:`~accelsim.dataflows.lowering.window_flags` of the dataflow and hardware.
    ifmap, filters : numpy.ndarray, optional
        int tensors (N, C, H, W) and (M, C/G, R, S); seeded random values in the signed ranges of
        ``hw.precision``'s ifmap and filter widths if omitted. Psums wrap at its ``psum_bits``
        (:func:`reference_conv` with the same width gives the output).
    unlimited_bandwidth : bool
        Make every bus, the GLB and DRAM infinitely fast (timing = compute + pipeline only).
    estimate_cycles : int, optional
        Expected cycles, to size the trace bins.
    dram_scale : tuple of float
        Words on the DRAM link per counted word for ifmap reads, filter reads and psum writes
        (RLC-compressed fmaps: the compressed ÷ dense size); timing only.
    progress : bool
        Draw a progress bar of the temporal steps done, with an ETA, on stderr (tqdm) once the
        run has lasted :data:`PROGRESS_DELAY_S`.

    Notes
    -----
    Memory: the ifmap and filter tensors as int64 (8 bytes a word; no copy of int64 inputs), one
    int64 read stamp per ifmap and filter word (8 more), the output and its DRAM-written flags,
    plus the tile value arrays (GLB tiles, one RF tile per PE): O(layer tensors + tile words × PEs).

    Flattened loops (``mapping.flat_groups``) run in :func:`accelsim.kernels.cycle_flat.run_flat`
    (tiles as sets of words; same outputs, counts and timing model), others in
    :func:`accelsim.kernels.cycle.run`.
    """
    refuse_flat_sparse(mapping, hw)
    ifmap, filters = layer_inputs(layer, ifmap, filters, hw.precision)
    g, cg, mg = layer.G, layer.C // layer.G, layer.M // layer.G
    flat_i = np.ascontiguousarray(ifmap.reshape(layer.N, g, cg, layer.H, layer.W).transpose(1, 0, 2, 3, 4)).ravel()
    flat_f = np.ascontiguousarray(filters.reshape(g, mg, cg, layer.R, layer.S)).ravel()
    out = np.zeros(g * layer.N * mg * layer.E * layer.F, dtype=np.int64)
    arr = lower_mapping(mapping)
    noc = hw.noc
    bandwidths = np.empty(N_BANDWIDTHS, dtype=np.float64)
    bandwidths[BW_IFMAP] = noc.ifmap_words_per_cycle
    bandwidths[BW_FILTER] = noc.filter_words_per_cycle
    bandwidths[BW_PSUM_GIN] = noc.psum_words_per_cycle
    bandwidths[BW_GON] = noc.gon_words_per_cycle
    bandwidths[BW_LOCAL] = noc.local_words_per_cycle
    bandwidths[BW_GLB] = hw.glb_words_per_cycle
    bandwidths[BW_DRAM] = hw.dram_words_per_cycle
    if unlimited_bandwidth:
        bandwidths[:] = np.inf
    scalesim = hw.model.scalesim_timing
    if scalesim:  # SCALE-Sim's SRAMs feed the array's edges every cycle: only DRAM can stall it
        bandwidths[:BW_DRAM] = np.inf
    overhead = conventions.scalesim_pass_overhead(mapping, hw) if scalesim else pass_overhead(mapping, hw)
    steps = int(np.prod([lp.factor for lp in mapping.loops if not lp.spatial] or [1]))
    bin_cycles = max(1, int(estimate_cycles or steps * 2) // TRACE_BINS + 1)
    counts = np.zeros((N_LEVELS, N_TYPES, N_COUNT_STATS), dtype=np.int64)
    usage = np.zeros((N_TILE_LEVELS, N_TYPES), dtype=np.int64)
    stats = np.zeros(N_RUN_STATS, dtype=np.float64)
    n_pe = mapping.active_pes
    pe_steps = np.zeros(n_pe, dtype=np.int64)
    trace = np.zeros((TRACE_BINS * 4, N_TRACE), dtype=np.float64)
    bounds = np.array(layer.loop_bounds(), dtype=np.int64)
    done = np.zeros(1, dtype=np.int64)
    head = (arr.dims, arr.factors, arr.kinds, arr.reds, arr.res) + ((arr.groups,) if arr.flat else ())
    args = head + (layer.U, window, bounds, layer.H, layer.W,
                   flat_i, flat_f, out, bandwidths, _NOC_CODES[hw.noc.kind], hw.model.rf_prefetch,
                   np.array(dram_scale, dtype=np.float64), overhead, bin_cycles,
                   hw.precision.psum_bits, counts, usage, stats, pe_steps, trace, done)
    simd = hw.sparse_pe.simd if hw.sparse_pe is not None else 0
    sparse_work = np.zeros((n_pe if simd else 1, N_SPARSE_STATS), dtype=np.int64)
    pe_wait = np.zeros((n_pe if simd else 1, N_CAUSES), dtype=np.float64)
    if not arr.flat:
        cols = column_loops(mapping)
        icols = cols + iact_column_loops(mapping)
        args += (simd, min(cols) if cols else len(mapping.loops), min(icols) if icols else len(mapping.loops),
                 sparse_work, pe_wait)
    _run_kernel(args, done, steps, f"{layer.name} cycle engine" if progress else None, flat=arr.flat)
    output = out.reshape(g, layer.N, mg, layer.E, layer.F).transpose(1, 0, 2, 3, 4).reshape(
        layer.N, layer.M, layer.E, layer.F)
    lead = 0 if scalesim else first_preload(mapping, hw)  # the first fold's pre-load (fold overlap)
    stats[ST_CYCLES] += lead + (conventions.SCALESIM_CYCLE_OFFSET if scalesim else 0)
    stats[ST_STALL0 + STALL_CAUSES.index("pipeline")] += lead
    if simd:
        pe_wait[:, SPARSE_STALL_CAUSES.index("pipeline")] += lead
    cycles = int(round(stats[ST_CYCLES]))
    used_bins = min(trace.shape[0], cycles // bin_cycles + 1)
    causes = SPARSE_STALL_CAUSES if simd else STALL_CAUSES
    return CycleOutcome(
        counts=counts, usage=usage, output=output, cycles=cycles, compute_cycles=int(stats[ST_COMPUTE]),
        passes=int(stats[ST_PASSES]),
        stall_cycles={c: int(round(stats[ST_STALL0 + i])) for i, c in enumerate(causes)},
        active_pes=int(stats[ST_ACTIVE]), pe_busy=_pe_map(mapping, hw, pe_steps), trace=trace[:used_bins],
        bin_cycles=bin_cycles, sparse_work=sparse_work if simd else None, pe_wait=pe_wait if simd else None,
        pe_issue=_pe_map(mapping, hw, sparse_work[:, SP_CYCLES]) if simd else None,
    )


def refuse_flat_sparse(mapping: Mapping, hw: Hardware) -> None:
    """A ``SpecError`` (field ``sparse_pe``) for a mapping with flattened loops on a machine with
    sparse PEs: the flattened-loop kernel (:mod:`accelsim.kernels.cycle_flat`) runs dense PEs only."""
    if hw.sparse_pe is not None and mapping.flat_groups:
        from ..errors import SpecError

        raise SpecError("the cycle engine runs sparse PEs on plain loop nests only; this mapping flattens "
                        f"{', '.join(g.name for g in mapping.flat_groups)} (im2col): map the layer without "
                        "flattened loops or drop sparse_pe", "sparse_pe")


def _run_kernel(args: tuple, done: np.ndarray, steps: int, label: str | None, flat: bool = False) -> None:
    """Call the cycle kernel with ``args`` (the flattened-loop kernel if ``flat``). With a
    ``label``: in a worker thread (the kernel releases the GIL) while this thread draws a tqdm
    bar of ``done[0]``, the steps the kernel has done, out of ``steps``, with its rate and ETA."""
    if flat:
        from ..kernels.cycle_flat import run_flat as run
    else:
        from ..kernels.cycle import run

    if label is None:
        run(*args)
        return
    from tqdm import tqdm

    failed: list[BaseException] = []

    def work() -> None:
        try:
            run(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            failed.append(exc)

    worker = threading.Thread(target=work, name="accelsim-cycle-engine", daemon=True)
    with tqdm(total=steps, desc=label, unit="step", delay=PROGRESS_DELAY_S, file=sys.stderr,
              dynamic_ncols=True) as bar:
        worker.start()
        while worker.is_alive():
            worker.join(PROGRESS_POLL_S)
            bar.update(int(done[0]) - bar.n)
    if failed:
        raise failed[0]


def pass_overhead(mapping: Mapping, hw: Hardware) -> int:
    """Cycles every pass adds to its MAC steps.

    GIN, broadcast and unicast NoCs: draining the ``pe_pipeline_depth``-stage PE pipeline,
    ``depth − 1``.

    Systolic NoC (``hw.noc.kind`` is ``systolic``): the skewed fill and drain of one fold
    (a fold is one pass: one iteration of the loops above the array). Let ``R × C`` be the
    PE rows and columns the mapping uses and ``T`` the temporal steps of the fold. The model,
    one clock edge per hop:

    * an operand read from the GLB at the array edge in cycle ``c`` is used by the edge PE in
      cycle ``c`` and by its right (or lower) neighbour in cycle ``c + 1`` — one hop per cycle;
      operands of row ``i`` are injected one cycle after those of row ``i − 1`` (the skew), so
      PE ``(i, j)`` does the MAC of step ``t`` in cycle ``P + t + i + j``, where ``P`` is the
      pre-load time;
    * a result a PE computes in cycle ``c`` is taken by its lower neighbour (or written to the
      GLB at the bottom edge) in cycle ``c + 1``; the bottom edge of a column takes one word
      per cycle;
    * unused rows and columns are bypassed: operands enter, and results leave, at the edges
      of the ``R × C`` block the mapping uses.

    Stationary input in the RF (weight / input stationary): the fold first shifts one word
    per PE down every column, ``P = R`` cycles (the word for row ``R − 1`` enters in cycle 0
    and arrives in cycle ``R − 1``, the word for row 0 enters in cycle ``R − 1``). The last
    MAC is PE ``(R−1, C−1)``'s at ``t = T − 1``, cycle ``R + (T−1) + (R−1) + (C−1)``; its
    psum leaves the bottom edge one cycle later, so the fold takes

        ``2R + C + T − 1`` cycles  →  overhead ``2R + C − 1``.

    Stationary psum in the RF (output stationary): no pre-load (``P = 0``); the last MAC is
    in cycle ``(T−1) + (R−1) + (C−1)``; then column ``C − 1`` drains its ``R`` outputs out of
    the bottom edge one per cycle (the bottom PE's in the next cycle, the top PE's ``R`` cycles
    later), so the fold takes

        ``2R + C + T − 2`` cycles  →  overhead ``2R + C − 2``.

    In general: fill skew ``(R − 1) + (C − 1)``, plus ``R`` if an input type is kept in the
    RF (pre-load), plus ``R`` if psums are kept in the RF (drain) or else 1 (the last psum's
    hop out). A 1 × 1 array with psums in the RF takes ``T + 1`` cycles (``T`` MACs, one
    drain); with a pre-loaded weight, ``T + 2`` (load, ``T`` MACs, one hop out). The
    ``pe_pipeline_depth`` of the hardware is not used: a systolic MAC takes one cycle.
    By default folds run back to back without overlap (the next fold's pre-load waits for the
    previous drain), so with unlimited bandwidth the cycle engine gives
    ``folds × (T + overhead)`` exactly.

    Fold overlap (``hw.model.fold_overlap``): the stationary registers are double-buffered
    (a shadow register per PE, as in a TPU), so the next fold's ``P = R`` pre-load cycles
    shift its words down the columns during the previous fold's *tail* — the cycles after its
    last operand entered the array: the skew ``(R − 1) + (C − 1)`` plus the drain (``R`` or 1),
    at least ``R`` cycles, so the pre-load hides wholly; the next fold's first operand enters
    once the tail is over (folds do not compute at the same time). Every fold then costs
    ``T + (R − 1) + (C − 1) + drain`` and the first fold's pre-load is paid once
    (:func:`first_preload`): ``P + folds × (T + overhead − P)``. Output stationary has no
    pre-load, so the flag changes nothing there.
    """
    if hw.noc.kind is not NocKind.SYSTOLIC:
        return hw.pe_pipeline_depth - 1
    rows, cols = mapping.spatial_shape()
    drain = rows if mapping.rf[DataType.PSUM] is not None else 1
    preload = 0 if hw.model.fold_overlap else _preload(mapping)
    return (rows - 1) + (cols - 1) + preload + drain


def _preload(mapping: Mapping) -> int:
    """Cycles a systolic fold takes to pre-load its stationary input (``R`` rows; 0 if none)."""
    keeps = mapping.rf[DataType.IFMAP] is not None or mapping.rf[DataType.FILTER] is not None
    return mapping.spatial_shape()[0] if keeps else 0


def first_preload(mapping: Mapping, hw: Hardware) -> int:
    """Cycles before the first fold of a systolic run with fold overlap: its pre-load ``R``
    (later folds pre-load during the previous drain; :func:`pass_overhead`), else 0."""
    if hw.noc.kind is not NocKind.SYSTOLIC or not hw.model.fold_overlap:
        return 0
    return _preload(mapping)


def _pe_map(mapping: Mapping, hw: Hardware, pe_steps: np.ndarray) -> np.ndarray:
    """MACs per physical PE (rows × cols of the hardware array)."""
    grid = np.zeros((hw.pe_rows, hw.pe_cols), dtype=np.int64)
    for (row, col, _), steps in zip(mapping.pe_positions(), pe_steps):
        grid[row, col] = steps
    return grid


def trace_capacities(hw: Hardware) -> dict[str, float]:
    """Words per cycle each single-link trace column can carry, for drawing against the trace.

    ``glb_words``: the GLB port (``glb_words_per_cycle``); ``dram_words``: the off-chip link
    (``dram_words_per_cycle``); on a multicast (``gin``) NoC also the ifmap and filter GIN buses.
    ``psum_bus_words`` sums three networks (psum GIN, GON and the PE-to-PE local links, one per
    PE passing psums on), and the buses of broadcast, unicast and systolic NoCs are shared or
    per edge link, so those columns have no single capacity and are left out. Unlimited links
    are left out too.
    """
    noc = hw.noc
    links = {"glb_words": hw.glb_words_per_cycle, "dram_words": hw.dram_words_per_cycle}
    if noc.kind is NocKind.GIN:
        links = {"ifmap_bus_words": noc.ifmap_words_per_cycle, "filter_bus_words": noc.filter_words_per_cycle,
                 **links}
    return {col: float(words) for col, words in links.items() if words is not None and np.isfinite(words)}
