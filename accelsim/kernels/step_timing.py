"""The cycle engines' timing model: how long a step waits for its words, and the run's drain.

Both cycle kernels (:func:`accelsim.kernels.cycle.run` and
:func:`accelsim.kernels.cycle_flat.run_flat`) count the words a step moves into ``step_words``
(float64[N_STEP_SLOTS], slots ``SW_*``) and then call :func:`time_step`; at the end of the run
they call :func:`drain`. The model (docs/architecture.md, *Cycle-level engine*): before a step,
the words it needs cross the buses — ``ceil(words / width)`` cycles per GIN bus and the local
psum links, in parallel, bounded by the GLB bandwidth (systolic arrays: words enter at the array
edge, one link per row / column, one word a link a cycle free); DRAM transfers queue on one
channel and the next GLB tile is prefetched during the previous GLB epoch; psums to and from the
GLB queue in the background (non-systolic NoCs). A step waits for the slowest, then its MACs
take one cycle. On a hierarchical mesh (``NOC_HMESH``) the ifmap, filter, psum-in and GON rates
are per cluster (its routers' ports) and every cluster's ports work in parallel: a step waits
for the busiest cluster, ``ceil(max over clusters of its words / rate)`` (``SW_*_PORT_MAX``,
:func:`port_maxima`); mesh links between clusters are circuit-switched per layer and their
contention is not modelled.

The clock state is one float64[N_CLOCK] array ``clk`` (slots ``K_*``: now, when DRAM is free,
the current and the previous GLB epoch's start). The per-step helpers are ``jit_inline``: a
kernel's step loop calls them with many array arguments, which only an IR-level inline makes
free.
"""

from __future__ import annotations

import numpy as np

from ..layout import BUS_CAUSE as _BUS_CAUSE_TUPLE
from ..layout import (BUS_FILTER, BUS_GLB, BUS_IFMAP, BUS_PSUM, BW_DRAM, BW_FILTER, BW_GLB, BW_GON, BW_IFMAP, BW_LOCAL,
                      BW_PSUM_GIN, CAUSE_DRAM, CAUSE_IMBALANCE, CAUSE_NOC_IFMAP, CAUSE_NOC_PSUM, CAUSE_PIPELINE, FILTER,
                      IFMAP, NOC_BROADCAST, NOC_HMESH, NOC_SYSTOLIC, NOC_UNICAST, N_BUSES, N_CAUSES, N_PSUM_QUEUES,
                      N_STEP_SLOTS, PSUM, Q_GON, Q_PSUM_IN, ST_ACTIVE, ST_COMPUTE, ST_CYCLES, ST_MACS, ST_PASSES,
                      ST_STALL0, ST_STEPS, SW_DRAM_FILTER, SW_DRAM_IFMAP, SW_DRAM_PSUM_READ, SW_DRAM_PSUM_WRITE,
                      SW_FILTER_DELIVERED, SW_FILTER_FILL, SW_FILTER_PORT_MAX, SW_FILTER_SENT, SW_GLB, SW_GLB_PSUM,
                      SW_GON, SW_GON_PORT_MAX, SW_IFMAP_DELIVERED, SW_IFMAP_FILL, SW_IFMAP_PORT_MAX, SW_IFMAP_SENT,
                      SW_LOCAL, SW_PSUM_IN, SW_PSUM_IN_PORT_MAX, TR_DRAM, TR_FILTER_BUS, TR_GLB, TR_IFMAP_BUS, TR_MACS,
                      TR_PSUM_BUS, TR_STALL)
from .jit import jit, jit_inline

#: int64[N_BUSES]: the stall cause a wait on each bus is charged to (:data:`accelsim.layout.BUS_CAUSE`)
BUS_CAUSE = np.array(_BUS_CAUSE_TUPLE, dtype=np.int64)
#: clk[...]: cycle now, DRAM channel free at, current GLB epoch's start, previous epoch's start
K_NOW, K_DRAM_FREE, K_EPOCH, K_PREV_EPOCH = 0, 1, 2, 3
N_CLOCK = 4
#: sclk[...] of a run with sparse PEs: the pipeline drains so far (every PE's; the PEs' clocks
#: ``pe_clk`` are kept without them); when every PE had finished the work before the last delivery
S_OV, S_READY = 0, 1
N_SPARSE_CLOCK = 2


@jit
def ceil_div(words, width):
    """Cycles ``words`` take on a link of ``width`` words a cycle (0 for none or ``inf``)."""
    if words <= 0:
        return 0.0
    if width == np.inf:
        return 0.0
    return np.ceil(words / width)


@jit
def book_transfer(trace, column, words, start, end, bin_cycles, n_bins):
    """Add ``words`` to ``trace[:, column]`` spread evenly over the cycles ``[start, end)`` they
    cross a link (all in the bin of ``start`` when ``end == start``: unlimited bandwidth).

    Parameters
    ----------
    trace : float64[n_bins, N_TRACE]
    column : int
    words, start, end : float
        Words; first and last cycle of the transfer.
    bin_cycles, n_bins : int
    """
    if end <= start:
        b = int(start // bin_cycles)
        if b < n_bins:
            trace[b, column] += words
        return
    rate = words / (end - start)
    t = start
    while t < end:
        b = int(t // bin_cycles)
        if b >= n_bins:
            return
        stop = min(end, (b + 1) * bin_cycles)
        trace[b, column] += rate * (stop - t)
        t = stop


@jit
def advance(now, cycles, cause, stats, trace, bin_cycles, n_bins):
    """Charge ``cycles`` of stall to ``cause`` (stats and the trace bin of time ``now``)."""
    if cycles <= 0:
        return
    stats[ST_STALL0 + cause] += cycles
    b = int(now // bin_cycles)
    if b < n_bins:
        trace[b, TR_STALL] += cycles


@jit_inline
def port_maxima(step_words, cl_words, clustered):
    """Fill the hierarchical mesh's ``SW_*_PORT_MAX`` slots of ``step_words`` (ifmap, filter into a
    cluster; psums out of it, psums back in) with the most words one cluster's ports carry this
    step, from ``cl_words`` int64[4, clusters] (those four, per cluster; zeroed here). Without
    clusters (``clustered`` False) the array is one cluster: the step's totals."""
    if clustered:
        for r in range(4):
            most = 0
            for cl in range(cl_words.shape[1]):
                if cl_words[r, cl] > most:
                    most = cl_words[r, cl]
                cl_words[r, cl] = 0
            step_words[SW_IFMAP_PORT_MAX + r] = most
    else:
        for t in range(2):
            step_words[SW_IFMAP_PORT_MAX + t] = step_words[SW_IFMAP_SENT + t] + step_words[SW_IFMAP_FILL + t]
        step_words[SW_GON_PORT_MAX] = step_words[SW_GON]
        step_words[SW_PSUM_IN_PORT_MAX] = step_words[SW_PSUM_IN]


@jit_inline
def time_step(s, new_pass, glb_event, n_valid, step_words, bus, clk, psum_free, in_free, rf_fill_start,
              bandwidths, edge, local_links, noc_kind, rf_prefetch, dram_scale, pass_overhead, stats, trace,
              bin_cycles):
    """Advance ``clk`` over one executed step: the previous pass's drain if ``new_pass``, the
    wait on each bus, DRAM and the psum queues for the ``step_words`` it moves, then its MAC cycle.

    Parameters
    ----------
    s : int
        Temporal step (0 = the first: no DRAM prefetch before it, no drain).
    new_pass, glb_event : bool
        The step starts a pass (one iteration of the loops above the array); a GLB tile changed
        (a new GLB epoch starts).
    n_valid : int
        PEs doing a MAC this step (trace only).
    step_words : float64[N_STEP_SLOTS]
        Words the step moves, at ``SW_*``.
    bus : float64[N_BUSES]
        Scratch: cycles the step waits per bus.
    clk : float64[N_CLOCK]
        In/out: the clock state (``K_*``).
    psum_free, in_free, rf_fill_start : float64[N_PSUM_QUEUES], float64[2], float64[2]
        In/out: when the GON / psum GIN queues finish; when the ifmap / filter GIN finish and
        their last RF fill started (``rf_prefetch``).
    bandwidths : float64[N_BANDWIDTHS]
        Words per cycle at ``BW_*`` (``inf`` = unlimited).
    edge : float64[3]
        Systolic edge links per data type.
    local_links : int
        Local psum links (PEs passing psums on).
    noc_kind, rf_prefetch, dram_scale, pass_overhead :
        As :func:`accelsim.kernels.cycle.run`.
    stats, trace, bin_cycles :
        Out: stall cycles by cause; per-bin activity (``TR_*``), ``bin_cycles`` cycles a bin.
    """
    n_bins = trace.shape[0]
    now = clk[K_NOW]
    if new_pass and s > 0:
        advance(now, float(pass_overhead), CAUSE_PIPELINE, stats, trace, bin_cycles, n_bins)
        now += pass_overhead
    wait, cause = delivery_wait(s, now, glb_event, step_words, bus, clk, psum_free, in_free, rf_fill_start,
                                bandwidths, edge, local_links, noc_kind, rf_prefetch, dram_scale, trace, bin_cycles)
    if wait > 0:
        advance(now, wait, cause, stats, trace, bin_cycles, n_bins)
        now += wait
    b = int(now // bin_cycles)
    if b < n_bins:
        trace[b, TR_MACS] += n_valid
        book_words(step_words, trace, b)
    clk[K_NOW] = now + 1.0


@jit_inline
def book_words(step_words, trace, b):
    """Book the on-chip words of a step (``step_words``) in trace bin ``b``."""
    trace[b, TR_IFMAP_BUS] += step_words[SW_IFMAP_SENT] + step_words[SW_IFMAP_FILL]
    trace[b, TR_FILTER_BUS] += step_words[SW_FILTER_SENT] + step_words[SW_FILTER_FILL]
    trace[b, TR_PSUM_BUS] += step_words[SW_PSUM_IN] + step_words[SW_GON] + step_words[SW_LOCAL]
    trace[b, TR_GLB] += step_words[SW_GLB] + step_words[SW_GLB_PSUM]


@jit_inline
def delivery_wait(s, now, glb_event, step_words, bus, clk, psum_free, in_free, rf_fill_start, bandwidths, edge,
                  local_links, noc_kind, rf_prefetch, dram_scale, trace, bin_cycles):
    """How long the words of one step (``step_words``) take to arrive when their delivery starts
    at cycle ``now``: the wait on each bus, DRAM and the psum queues (the part of
    :func:`time_step` after the pass drain). Updates the queue states (``clk``'s DRAM and epoch
    slots, ``psum_free``, ``in_free``, ``rf_fill_start``) and books DRAM words in ``trace``.

    Returns
    -------
    (float, int)
        Cycles to wait (a whole number) and the stall cause charged for them.
    """
    n_bins = trace.shape[0]
    glb_bw = bandwidths[BW_GLB]
    dram_bw = bandwidths[BW_DRAM]
    if glb_event:
        clk[K_PREV_EPOCH] = clk[K_EPOCH]
        clk[K_EPOCH] = now
    if noc_kind == NOC_SYSTOLIC:
        # operands stream in at the array edge, one link per row/column of the tensor's own
        # dimensions, while the previous step computes (one word per link per cycle is
        # free); preloads of stationary operands are in the pass overhead, not here
        bus[BUS_IFMAP] = max(0.0, ceil_div(step_words[SW_IFMAP_SENT], bandwidths[BW_IFMAP] * edge[IFMAP]) - 1.0)
        bus[BUS_FILTER] = max(0.0, ceil_div(step_words[SW_FILTER_SENT], bandwidths[BW_FILTER] * edge[FILTER]) - 1.0)
        bus[BUS_PSUM] = max(0.0, max(ceil_div(step_words[SW_PSUM_IN], bandwidths[BW_PSUM_GIN] * edge[PSUM]),
                                     ceil_div(step_words[SW_GON], bandwidths[BW_GON] * edge[PSUM]),
                                     ceil_div(step_words[SW_LOCAL], bandwidths[BW_LOCAL] * local_links)) - 1.0)
    else:
        if noc_kind == NOC_UNICAST:
            # one packet per destination PE
            bus[BUS_IFMAP] = ceil_div(step_words[SW_IFMAP_DELIVERED], bandwidths[BW_IFMAP])
            bus[BUS_FILTER] = ceil_div(step_words[SW_FILTER_DELIVERED], bandwidths[BW_FILTER])
        elif noc_kind == NOC_BROADCAST:
            # one bus (the ifmap bus's width) carries every input word
            bus[BUS_IFMAP] = ceil_div(step_words[SW_IFMAP_SENT] + step_words[SW_IFMAP_FILL]
                                      + step_words[SW_FILTER_SENT] + step_words[SW_FILTER_FILL]
                                      + step_words[SW_PSUM_IN], bandwidths[BW_IFMAP])
            bus[BUS_FILTER] = 0.0
        elif rf_prefetch:
            # the next RF tile loads while the current one is in use (double-buffered scratch
            # pads / PE input FIFOs): a fill waits only for the bus and for the previous fill of
            # its type to have started; MAC operands still wait. Hierarchical mesh: the busiest
            # cluster's words over its ports (a type's words in one step are either RF fills or
            # operands bypassing the RF, never both)
            for t in range(2):
                width = bandwidths[BW_IFMAP + t]
                sent = step_words[SW_IFMAP_SENT + t]
                fill = step_words[SW_IFMAP_FILL + t]
                if noc_kind == NOC_HMESH:
                    if fill > 0:
                        fill = step_words[SW_IFMAP_PORT_MAX + t]
                    else:
                        sent = step_words[SW_IFMAP_PORT_MAX + t]
                bus[BUS_IFMAP + t] = ceil_div(sent, width)
                if fill > 0:
                    start = max(in_free[t], rf_fill_start[t])
                    rf_fill_start[t] = now
                    in_free[t] = start + (fill / width if width != np.inf else 0.0)
                    if in_free[t] - now > bus[BUS_IFMAP + t]:
                        bus[BUS_IFMAP + t] = np.ceil(in_free[t] - now)
        elif noc_kind == NOC_HMESH:
            # every cluster's ports in parallel: the step waits for the busiest cluster
            bus[BUS_IFMAP] = ceil_div(step_words[SW_IFMAP_PORT_MAX], bandwidths[BW_IFMAP])
            bus[BUS_FILTER] = ceil_div(step_words[SW_FILTER_PORT_MAX], bandwidths[BW_FILTER])
        else:
            bus[BUS_IFMAP] = ceil_div(step_words[SW_IFMAP_SENT] + step_words[SW_IFMAP_FILL], bandwidths[BW_IFMAP])
            bus[BUS_FILTER] = ceil_div(step_words[SW_FILTER_SENT] + step_words[SW_FILTER_FILL],
                                       bandwidths[BW_FILTER])
        # local psum links are point to point: every PE passing psums on has its own (psums to
        # and from the GLB are queued below: they move while the PEs go on)
        bus[BUS_PSUM] = ceil_div(step_words[SW_LOCAL], bandwidths[BW_LOCAL] * local_links)
    bus[BUS_GLB] = ceil_div(step_words[SW_GLB] + (step_words[SW_GLB_PSUM] if noc_kind == NOC_SYSTOLIC else 0.0),
                            glb_bw)
    if noc_kind == NOC_SYSTOLIC:
        bus[BUS_GLB] = max(0.0, bus[BUS_GLB] - 1.0)  # the SRAMs stream alongside the MACs as well
    wait = 0.0
    cause = CAUSE_NOC_IFMAP
    for b in range(N_BUSES):
        if bus[b] > wait:
            wait = bus[b]
            cause = BUS_CAUSE[b]
    dram_words = (step_words[SW_DRAM_PSUM_READ] + dram_scale[IFMAP] * step_words[SW_DRAM_IFMAP]
                  + dram_scale[FILTER] * step_words[SW_DRAM_FILTER]
                  + dram_scale[PSUM] * step_words[SW_DRAM_PSUM_WRITE])
    if dram_words > 0:
        # DRAM: prefetched during the previous GLB epoch (double-buffered GLB); the trace books
        # the words in the bins of the cycles they cross the link
        start = max(clk[K_DRAM_FREE], clk[K_PREV_EPOCH] if s > 0 else 0.0)
        clk[K_DRAM_FREE] = start + dram_words / dram_bw if dram_bw != np.inf else start
        book_transfer(trace, TR_DRAM, dram_words, start, clk[K_DRAM_FREE], bin_cycles, n_bins)
        ready = clk[K_DRAM_FREE] - now
        if ready > wait:
            wait = np.ceil(ready)
            cause = CAUSE_DRAM
    if noc_kind != NOC_SYSTOLIC:
        # psums between the array and the GLB (out over the GON, earlier psums back in over the
        # psum GIN): a batch waits only for the previous batch on its bus, then moves in the
        # background (the PEs' psum buffers are double-buffered); hierarchical mesh: the busiest
        # cluster's psums over its ports
        hm = noc_kind == NOC_HMESH
        for q in range(N_PSUM_QUEUES):
            if q == Q_GON:
                words = step_words[SW_GON_PORT_MAX] if hm else step_words[SW_GON]
            else:
                words = step_words[SW_PSUM_IN_PORT_MAX] if hm else step_words[SW_PSUM_IN]
            width = bandwidths[BW_GON] if q == Q_GON else bandwidths[BW_PSUM_GIN]
            if words <= 0:
                continue
            if psum_free[q] - now > wait:
                wait = np.ceil(psum_free[q] - now)
                cause = CAUSE_NOC_PSUM
            busy = words / width if width != np.inf else 0.0
            if q == Q_GON and glb_bw != np.inf:
                busy = max(busy, step_words[SW_GLB_PSUM] / glb_bw)  # the GLB absorbs them as they come
            psum_free[q] = max(psum_free[q], now + wait) + busy
    return wait, cause


@jit_inline
def time_sparse_step(s, new_pass, glb_event, step_words, bus, clk, psum_free, in_free, rf_fill_start, bandwidths,
                     edge, local_links, noc_kind, rf_prefetch, dram_scale, pass_overhead, trace, bin_cycles, pe_clk,
                     pe_wait, issue_step, sclk):
    """Advance the clocks of a machine with sparse PEs over step ``s`` (docs/architecture.md,
    *Sparse PEs in the cycle engine*); the PEs' MACs of the step have advanced their own clocks.

    Each PE keeps its own clock: ``pe_clk[pe] + sclk[S_OV]`` (the cycle it issued this step
    included, when ``issue_step[pe] == s``); ``clk[K_NOW]`` is when the NoC finished its last
    delivery. ``sclk[S_OV]`` holds pipeline drains every PE shares (none: see below).
    A step that moves words (any ``step_words`` slot) or changes a GLB tile is a *delivery*: it
    starts when the NoC is free and every PE has finished the work before the previous delivery
    (``rf_prefetch``: double-buffered spads; else the work before this one), waits as
    :func:`delivery_wait` computes, and every PE's clock before this step's cycle becomes at
    least its end. The pipeline drains once a run (the final :func:`drain`), not once a pass:
    a sparse PE streams from pass to pass, synchronised only by deliveries. Of a PE's wait, the
    part before the slowest PE's work was done is charged to ``CAUSE_IMBALANCE``, the rest to the
    delivery's cause (``pe_wait[pe, cause]``).

    Parameters
    ----------
    s, new_pass, glb_event, step_words, bus, clk, psum_free, in_free, rf_fill_start, bandwidths, edge, local_links,
    noc_kind, rf_prefetch, dram_scale, pass_overhead, trace, bin_cycles :
        As :func:`time_step`.
    pe_clk : float64[P]
        In/out: each PE's clock less ``sclk[S_OV]``, cycles.
    pe_wait : float64[P, N_CAUSES]
        In/out: each PE's wait cycles by cause (the shared pipeline drains apart).
    issue_step : int64[P]
        The last step each PE issued a cycle in.
    sclk : float64[N_SPARSE_CLOCK]
        In/out: the shared clock state (``S_*``).
    """
    n_bins = trace.shape[0]
    n_pe = pe_clk.shape[0]
    # a PE on its own clock streams from pass to pass (its psum spad takes the next pass's psums
    # while the last ones leave): its pipeline drains once, at the run's end (drain), not once a pass
    sync = glb_event
    if not sync:
        for i in range(N_STEP_SLOTS):
            if step_words[i] > 0:
                sync = True
                break
    if not sync:
        return
    ov = sclk[S_OV]
    if rf_prefetch:
        r = sclk[S_READY]
    else:  # the work before this delivery
        r = 0.0
        for p in range(n_pe):
            x = pe_clk[p] + ov - (1.0 if issue_step[p] == s else 0.0)
            if x > r:
                r = x
    start = max(clk[K_NOW], r)
    wait, cause = delivery_wait(s, start, glb_event, step_words, bus, clk, psum_free, in_free, rf_fill_start,
                                bandwidths, edge, local_links, noc_kind, rf_prefetch, dram_scale, trace, bin_cycles)
    end = start + wait
    b = int(start // bin_cycles)
    if wait > 0 and b < n_bins:
        trace[b, TR_STALL] += wait
    b = int(end // bin_cycles)
    if b < n_bins:
        book_words(step_words, trace, b)
    clk[K_NOW] = end
    most = 0.0
    for p in range(n_pe):
        issued = 1.0 if issue_step[p] == s else 0.0
        x = pe_clk[p] + ov - issued
        if x > most:
            most = x
        if end > x:
            imb = min(r, end) - x
            if imb < 0.0:
                imb = 0.0
            pe_wait[p, CAUSE_IMBALANCE] += imb
            pe_wait[p, cause] += end - x - imb
            pe_clk[p] = end - ov + issued
    sclk[S_READY] = most


@jit_inline
def sparse_clocks_final(pe_clk, pe_wait, sclk, clk):
    """At the end of a sparse-PE run: give every PE the pipeline drains it shared
    (``sclk[S_OV]``, to ``pe_clk`` and to its ``CAUSE_PIPELINE`` wait), and let ``clk[K_NOW]``
    be when the slowest PE is done (the final drain starts there)."""
    ov = sclk[S_OV]
    sclk[S_OV] = 0.0
    for p in range(pe_clk.shape[0]):
        pe_clk[p] += ov
        pe_wait[p, CAUSE_PIPELINE] += ov
        if pe_clk[p] > clk[K_NOW]:
            clk[K_NOW] = pe_clk[p]


@jit
def finish_sparse(pe_clk, pe_wait, pe_cycles, stats):
    """End a sparse-PE run after :func:`drain`: give every PE the drain (``stats``' stall slots
    hold only it) and its final idle time (``CAUSE_IMBALANCE``: waiting for the slowest PE), and
    report the slowest PE's breakdown as the run's: ``ST_COMPUTE`` its busy cycles
    (``pe_cycles[pe]``), the stall slots its waits by cause, so that the cycles are the compute
    cycles plus the stalls (and, per PE, ``pe_cycles[pe] + pe_wait[pe].sum()``)."""
    n_pe = pe_clk.shape[0]
    crit = 0
    for p in range(n_pe):
        if pe_clk[p] > pe_clk[crit]:
            crit = p
    end = pe_clk[crit] if n_pe > 0 else 0.0
    for p in range(n_pe):
        pe_wait[p, CAUSE_IMBALANCE] += end - pe_clk[p]
        for c in range(N_CAUSES):
            pe_wait[p, c] += stats[ST_STALL0 + c]
    if n_pe > 0:
        for c in range(N_CAUSES):
            stats[ST_STALL0 + c] = pe_wait[crit, c]
        stats[ST_COMPUTE] = pe_cycles[crit]


@jit_inline
def drain(step_words, clk, psum_free, bandwidths, noc_kind, pass_overhead, stats, trace, bin_cycles):
    """End the run: drain the final pass, then (non-systolic NoCs) let the last psums
    (``step_words``: the final flush) leave over their queues; advances ``clk[K_NOW]``. The
    final flush's DRAM writes drain after the last MAC (not counted)."""
    n_bins = trace.shape[0]
    now = clk[K_NOW]
    advance(now, float(pass_overhead), CAUSE_PIPELINE, stats, trace, bin_cycles, n_bins)
    now += pass_overhead
    if noc_kind != NOC_SYSTOLIC:
        hm = noc_kind == NOC_HMESH
        for q in range(N_PSUM_QUEUES):
            if q == Q_GON:
                words = step_words[SW_GON_PORT_MAX] if hm else step_words[SW_GON]
            else:
                words = step_words[SW_PSUM_IN_PORT_MAX] if hm else step_words[SW_PSUM_IN]
            width = bandwidths[BW_GON] if q == Q_GON else bandwidths[BW_PSUM_GIN]
            if width != np.inf:
                psum_free[q] = max(psum_free[q], now) + words / width
        tail = np.ceil(max(psum_free[Q_GON], psum_free[Q_PSUM_IN]) - now)
        if tail > 0:
            advance(now, tail, CAUSE_NOC_PSUM, stats, trace, bin_cycles, n_bins)
            now += tail
    clk[K_NOW] = now


@jit
def final_stats(clk, executed, passes, pe_steps, stats):
    """Fill ``stats`` (float64[N_RUN_STATS]) at the end of a run: cycles (``clk[K_NOW]``), the
    ``executed`` steps (also the compute cycles), ``passes``, the active PEs and the MACs
    (``pe_steps`` int64[P]: MACs per PE)."""
    active = 0
    macs = 0
    for pe in range(pe_steps.shape[0]):
        macs += pe_steps[pe]
        if pe_steps[pe] > 0:
            active += 1
    stats[ST_CYCLES] = clk[K_NOW]
    stats[ST_STEPS] = executed
    stats[ST_PASSES] = passes
    stats[ST_ACTIVE] = active
    stats[ST_MACS] = macs
    stats[ST_COMPUTE] = executed
