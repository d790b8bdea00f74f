"""accelsim.layout (the kernels' index vocabulary) agrees with the enums of accelsim.spec.dims
and with the names the engines report."""

from __future__ import annotations

import numpy as np

from accelsim import layout as L
from accelsim.sim.cycle import SPARSE_STALL_CAUSES, STALL_CAUSES, TRACE_COLUMNS
from accelsim.spec.dims import RELEVANT, DataType, Dim, Level, LoopKind, NocKind, Reduction


def test_enums_equal_layout_indices():
    assert [int(d) for d in Dim] == [L.D_G, L.D_N, L.D_M, L.D_C, L.D_E, L.D_F, L.D_R, L.D_S]
    assert len(Dim) == L.N_DIMS
    assert [int(t) for t in DataType] == [L.IFMAP, L.FILTER, L.PSUM] and len(DataType) == L.N_TYPES
    assert [int(v) for v in Level] == [L.DRAM, L.GLB, L.NOC, L.RF] and len(Level) == L.N_LEVELS
    assert [int(k) for k in LoopKind] == [L.TEMPORAL, L.ROW, L.COL, L.CROW, L.CCOL]
    assert [int(r) for r in Reduction] == [L.RED_NONE, L.RED_NOC, L.RED_TREE]
    assert list(NocKind).index(NocKind.GIN) == L.NOC_GIN
    assert list(NocKind).index(NocKind.BROADCAST) == L.NOC_BROADCAST
    assert list(NocKind).index(NocKind.UNICAST) == L.NOC_UNICAST
    assert list(NocKind).index(NocKind.SYSTOLIC) == L.NOC_SYSTOLIC
    assert list(NocKind).index(NocKind.HMESH) == L.NOC_HMESH


def test_relevance_equals_spec():
    for t in DataType:
        assert {d for d in Dim if L.RELEVANCE[t][d]} == set(RELEVANT[t])


def test_cycle_engine_names_follow_layout():
    assert len(SPARSE_STALL_CAUSES) == L.N_CAUSES and SPARSE_STALL_CAUSES[:-1] == STALL_CAUSES
    assert SPARSE_STALL_CAUSES[L.CAUSE_IMBALANCE] == "imbalance"
    assert STALL_CAUSES[L.CAUSE_NOC_IFMAP] == "noc_ifmap" and STALL_CAUSES[L.CAUSE_PIPELINE] == "pipeline"
    assert STALL_CAUSES[L.CAUSE_GLB] == "glb_bandwidth" and STALL_CAUSES[L.CAUSE_DRAM] == "dram"
    assert len(TRACE_COLUMNS) == L.N_TRACE
    assert TRACE_COLUMNS[L.TR_MACS] == "macs" and TRACE_COLUMNS[L.TR_STALL] == "stall_cycles"
    assert TRACE_COLUMNS[L.TR_DRAM] == "dram_words" and TRACE_COLUMNS[L.TR_PSUM_BUS] == "psum_bus_words"


def test_charged_words_rule():
    counts = np.arange(L.N_LEVELS * L.N_TYPES * L.N_COUNT_STATS, dtype=np.int64).reshape(
        L.N_LEVELS, L.N_TYPES, L.N_COUNT_STATS)
    for lv in range(L.N_LEVELS):
        for t in range(L.N_TYPES):
            want = counts[lv, t, L.READS] + (counts[lv, t, L.WRITES] if t == L.PSUM and lv != L.NOC else 0)
            assert L.charged_words(counts, lv, t) == want


def test_cycle_kernel_slots():
    # the kernel indexes the paired slots as slot + data type (ifmap, filter[, psum])
    for first, second in ((L.SW_IFMAP_SENT, L.SW_FILTER_SENT), (L.SW_IFMAP_DELIVERED, L.SW_FILTER_DELIVERED),
                          (L.SW_IFMAP_FILL, L.SW_FILTER_FILL), (L.SW_DRAM_IFMAP, L.SW_DRAM_FILTER),
                          (L.BUS_IFMAP, L.BUS_FILTER), (L.BW_IFMAP, L.BW_FILTER)):
        assert second - first == L.FILTER - L.IFMAP
    assert L.SW_DRAM_IFMAP + L.PSUM == L.SW_DRAM_PSUM_WRITE
    # step_timing.port_maxima fills SW_IFMAP_PORT_MAX + row for the rows ifmap, filter, GON, psum-in
    assert [L.SW_IFMAP_PORT_MAX + r for r in range(4)] == [L.SW_IFMAP_PORT_MAX + L.IFMAP, L.SW_FILTER_PORT_MAX,
                                                           L.SW_GON_PORT_MAX, L.SW_PSUM_IN_PORT_MAX]
    slots = [v for k, v in vars(L).items() if k.startswith("SW_")]
    assert sorted(slots) == list(range(L.N_STEP_SLOTS))
    bws = [v for k, v in vars(L).items() if k.startswith("BW_")]
    assert sorted(bws) == list(range(L.N_BANDWIDTHS))
    assert len(L.BUS_CAUSE) == L.N_BUSES
    assert [L.BUS_CAUSE[b] for b in (L.BUS_IFMAP, L.BUS_FILTER, L.BUS_PSUM, L.BUS_GLB)] == [
        L.CAUSE_NOC_IFMAP, L.CAUSE_NOC_FILTER, L.CAUSE_NOC_PSUM, L.CAUSE_GLB]
    assert (L.TILE_GLB, L.TILE_RF, L.TILE_DRAM) == (0, 1, 2) and L.N_GEOM_LEVELS == 3
