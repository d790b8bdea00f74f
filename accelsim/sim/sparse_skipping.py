"""What a sparse PE skipped on one layer, measured by the cycle engine (``LayerResult.sparse``).

Source: Chen, Yang, Emer, Sze, "Eyeriss v2: A Flexible Accelerator for Emerging Deep Neural
Networks on Mobile Devices", IEEE JETCAS 9(2), 2019, §IV: the PE reads the next non-zero iact,
then only the non-zero weights of its column (CSC-compressed SPads: zeros are neither stored nor
read), ``simd`` of them a cycle. The cycle kernel counts this per PE from the real tensors
(``run_cycle(...).sparse_work``, slots ``accelsim.layout.SP_*``; the definition is
``tests/reference_counter.py sparse_work``); this module sums it into a :class:`SparseWork`
and derives the RF reads the PE does not make, against the dense count of one ifmap and one
filter RF read per MAC: iacts are read once per column with a non-zero iact, weights once per
effective MAC. Psum RF accesses are left as counted (one update per MAC).
"""

from __future__ import annotations

import numpy as np

from ..layout import (CAUSE_IMBALANCE, FILTER, IFMAP, READS, RF, SP_CYCLES, SP_EFFECTIVE, SP_EMPTY_COLUMN,
                      SP_BUBBLE, SP_IACT_READS, SP_MACS, SP_SIMD_PAD, SP_ZERO_IACT, SP_ZERO_WEIGHT)
from ..spec.result import SparseWork


def measured_sparse_work(work: np.ndarray, pe_wait: np.ndarray, counts: np.ndarray, simd: int) -> SparseWork:
    """Sum the cycle kernel's per-PE sparse work into a :class:`SparseWork`.

    Parameters
    ----------
    work : numpy.ndarray
        int64[P, N_SPARSE_STATS], each PE's work (``SP_*``).
    pe_wait : numpy.ndarray
        float64[P, N_CAUSES], each PE's cycles not issuing MACs, by stall cause.
    counts : numpy.ndarray
        int64[4, 3, 6], the layer's (dense) access counts: its RF ifmap and filter reads are
        one per MAC when the type is kept in the RF, else 0.
    simd : int

    Returns
    -------
    SparseWork
        Measured (``expected`` False); PE means over the PEs with a MAC.
    """
    work = np.asarray(work, dtype=np.int64)
    total = work.sum(axis=0)
    active = work[:, SP_MACS] > 0
    rf_ifmap = int(counts[RF, IFMAP, READS])
    rf_filter = int(counts[RF, FILTER, READS])
    busy = work[active, SP_CYCLES]
    return SparseWork(
        simd=int(simd), macs=int(total[SP_MACS]), effective_macs=int(total[SP_EFFECTIVE]),
        zero_iact_macs=int(total[SP_ZERO_IACT]), zero_weight_macs=int(total[SP_ZERO_WEIGHT]),
        empty_columns=int(total[SP_EMPTY_COLUMN]), simd_pad_slots=int(total[SP_SIMD_PAD]),
        bubble_cycles=int(total[SP_BUBBLE]), iact_reads=int(total[SP_IACT_READS]),
        skipped_ifmap_rf_reads=rf_ifmap - int(total[SP_IACT_READS]) if rf_ifmap else 0,
        skipped_filter_rf_reads=rf_filter - int(total[SP_EFFECTIVE]) if rf_filter else 0,
        pe_cycles_max=int(busy.max()) if busy.size else 0, pe_cycles_mean=float(busy.mean()) if busy.size else 0.0,
        imbalance_cycles=int(round(float(pe_wait[active, CAUSE_IMBALANCE].sum()))), expected=False,
    )
