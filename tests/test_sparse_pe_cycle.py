"""The cycle engine's sparse PE (issue 17 part 2; Eyeriss v2, JETCAS 2019 §IV).

``tests/reference_counter.py sparse_work`` is the definition of a sparse PE's work per PE; the
cycle kernel accumulates it MAC by MAC from the real values it moves (``run_cycle(...).sparse_work``).
Checked here, on tiny random layers (plain, depth-wise, odd, strided; with and without cluster
loops; ragged bounds) and random sparse tensors (densities 0 … 1, all-zero and dense included),
SIMD 1-3:

1. the kernel's work per PE equals the reference's exactly (kernel PE ``p`` is the reference's
   ``p``-th instance: both enumerate the spatial loops outermost first), and the conservation
   identities of ``accelsim.layout`` hold;
2. the outputs still equal the reference convolution, and every access count equals the dense
   machine's (the sparse PE changes work and time, not the words moved);
3. timing: per PE, busy + waits = cycles; cycles = compute + stalls; cycles ≥ the slowest PE's
   work and ≥ the bandwidth roofline; skipping never increases cycles: cycles ≤ the dense PEs'
   on the same data, and ≤ the same sparse PE's on the data with every zero made non-zero;
4. hand-derived toys: a column of 3 weights with one zero at SIMD 2 takes 1 cycle; a PE whose
   iacts are all zero waits for the other (imbalance);
5. ``accelsim.spec.mapping.column_loops`` and ``iact_column_loops`` equal the reference's.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from reference_counter import column_loops as reference_column_loops
from reference_counter import iact_column_loops as reference_iact_column_loops
from reference_counter import sparse_work
from hmesh_strategies import cluster_cases, hmesh_hardware
from strategies import DATAFLOWS, make_case_or_reject, odd_layers, random_mapping_8x8, shrink_bounds
from strategies import layers as tiny_layers

from accelsim.errors import SpecError
from accelsim.layout import (DRAM, PSUM, SP_CYCLES, SP_EFFECTIVE, SP_EMPTY_COLUMN, SP_IACT_READS, SP_MACS,
                             SP_SIMD_PAD, SP_ZERO_IACT, SP_ZERO_WEIGHT, WRITES)
from accelsim.layout import SP_BUBBLE
from accelsim.sim.cycle import SPARSE_STALL_CAUSES, STALL_CAUSES, reference_conv, run_cycle
from accelsim.sim.evaluate import analytic_cycles
from accelsim.sim.sparse_data import Fill, sparse_tensor
from accelsim.spec.dims import Dim, LoopKind
from accelsim.spec.hardware import Buffer, Hardware, NoC, Precision, SparsePe
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping, column_loops, iact_column_loops

_N = int(os.environ.get("SPARSE_EXAMPLES", "60"))
PROPS = settings(max_examples=_N, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

#: 8×8 PEs with room for any tile of the tiny layers; psums as wide as int64 (no wrap)
ROOMY = Hardware(name="t8x8", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=1 << 20),
                 glb=Buffer(shared_words=1 << 22), precision=Precision(psum_bits=64))
DENSITIES = st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.8, 1.0])


def _hw(simd: int | None, widths=(4, 4, 4, 4, 4), glb=16.0, dram=4.0, depth=1, prefetch=False) -> Hardware:
    noc = NoC(ifmap_words_per_cycle=widths[0], filter_words_per_cycle=widths[1], psum_words_per_cycle=widths[2],
              gon_words_per_cycle=widths[3], local_words_per_cycle=widths[4])
    hw = replace(ROOMY, noc=noc, glb_words_per_cycle=glb, dram_words_per_cycle=dram, pe_pipeline_depth=depth,
                 sparse_pe=SparsePe(simd=simd) if simd else None)
    return replace(hw, model=replace(hw.model, rf_prefetch=prefetch))


hardware_params = st.fixed_dictionaries({
    "widths": st.tuples(*[st.integers(1, 8)] * 5), "glb": st.sampled_from([2.0, 16.0, math.inf]),
    "dram": st.sampled_from([1.0, 4.0, math.inf]), "depth": st.integers(1, 4), "prefetch": st.booleans()})


def columnize(mapping: Mapping, pick: int) -> Mapping:
    """``mapping`` with some of its temporal ``M`` loops of factor > 1 (those whose bit is set in
    ``pick``) moved to the innermost place, so that a sparse PE's columns span several weights
    (random mappings rarely end in an ``M`` loop). Tile starts below a moved loop move up one
    place: every tile keeps its loops, and the ones the loop joins grow (the test machines'
    buffers have room)."""
    loops = list(mapping.loops)
    glb, rf = list(mapping.glb), list(mapping.rf)
    chosen = [j for j, lp in enumerate(loops) if not lp.spatial and lp.dim is Dim.M and lp.factor > 1]
    moved = 0
    for bit, j0 in enumerate(chosen):
        if not pick >> bit & 1:
            continue
        j = j0 - moved  # each earlier move shifted it up one place
        moved += 1
        loops.append(loops.pop(j))
        glb = [p - 1 if p is not None and p > j else p for p in glb]
        rf = [p - 1 if p is not None and p > j else p for p in rf]
    return Mapping(loops=tuple(loops), glb=tuple(glb), rf=tuple(rf), dataflow=mapping.dataflow)


def tensor(shape, density: float, seed: int, fill: Fill) -> np.ndarray:
    """A seeded tensor with ``round(density · size)`` non-zeros (8-bit values); all zeros at 0."""
    if density == 0.0:
        return np.zeros(shape, dtype=np.int64)
    return sparse_tensor(shape, density, seed, fill)


def tensors(layer: ConvLayer, d_i: float, d_f: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return (tensor((layer.N, layer.C, layer.H, layer.W), d_i, seed, Fill.POSITIVE),
            tensor((layer.M, layer.C // layer.G, layer.R, layer.S), d_f, seed + 1, Fill.SIGNED))


def reference_rows(layer, mapping, ifmap, filters, simd) -> np.ndarray:
    """The reference's work per PE, in its instance order (the kernel's PE order)."""
    ref = sparse_work(layer, mapping, ifmap, filters, simd)
    return np.array(list(ref.values()), dtype=np.int64).reshape(len(ref), -1)


def check_sparse_run(layer, mapping, window, hw, ifmap, filters) -> None:
    """Every property of a sparse run against the reference, the dense machine and itself."""
    simd = hw.sparse_pe.simd
    out = run_cycle(layer, hw, mapping, window, ifmap, filters)
    work = out.sparse_work
    # 1. the work per PE is the definition's, and it is conserved
    assert np.array_equal(work, reference_rows(layer, mapping, ifmap, filters, simd))
    assert np.array_equal(work[:, SP_MACS], work[:, SP_EFFECTIVE] + work[:, SP_ZERO_IACT] + work[:, SP_ZERO_WEIGHT])
    mac_cycles = work[:, SP_CYCLES] - work[:, SP_BUBBLE]  # the bubbles issue no MAC
    assert np.array_equal(mac_cycles * simd, work[:, SP_EFFECTIVE] + work[:, SP_SIMD_PAD])
    assert (work[:, SP_SIMD_PAD] >= 0).all() and (work[:, SP_SIMD_PAD] < simd * np.maximum(mac_cycles, 1)).all()
    assert (work[:, SP_IACT_READS] >= work[:, SP_EMPTY_COLUMN]).all()
    assert (work[:, SP_IACT_READS] - work[:, SP_EMPTY_COLUMN] <= mac_cycles).all()
    assert work[:, SP_MACS].sum() == out.pe_busy.sum()
    # 2. the outputs and the counts are the dense machine's
    assert np.array_equal(out.output, reference_conv(layer, ifmap, filters))
    dense = run_cycle(layer, replace(hw, sparse_pe=None), mapping, window, ifmap, filters)
    assert np.array_equal(out.counts, dense.counts)
    assert dense.sparse_work is None and set(dense.stall_cycles) == set(STALL_CAUSES)
    # 3. time: per PE busy + waits = cycles, the run's breakdown adds up, lower bounds
    assert set(out.stall_cycles) == set(SPARSE_STALL_CAUSES)
    assert np.allclose(work[:, SP_CYCLES] + out.pe_wait.sum(axis=1), out.cycles)
    assert (out.pe_wait >= 0).all()
    assert out.cycles == out.compute_cycles + sum(out.stall_cycles.values())
    assert out.cycles >= work[:, SP_CYCLES].max()
    tail = math.ceil(out.counts[DRAM, PSUM, WRITES] / hw.dram_words_per_cycle)
    assert analytic_cycles(out.counts, int(work[:, SP_CYCLES].max()), hw, mapping, layer) <= out.cycles + tail
    # skipping never costs time: a sparse PE takes at most a cycle per MAC, as the dense PE, and
    # no PE waits for another between deliveries (the dense PEs run in lockstep) ...
    assert out.cycles <= dense.cycles
    # ... and the same PE with nothing to skip (every zero made non-zero) is never faster
    full = run_cycle(layer, hw, mapping, window, np.where(ifmap == 0, 1, ifmap), np.where(filters == 0, 1, filters))
    assert full.cycles >= out.cycles
    assert (full.sparse_work[:, SP_EFFECTIVE] == full.sparse_work[:, SP_MACS]).all()


@PROPS
@given(layer=st.one_of(tiny_layers(), odd_layers()), dataflow=st.sampled_from(DATAFLOWS),
       seed=st.integers(0, 2**32 - 1), halo=st.booleans(), d_i=DENSITIES, d_f=DENSITIES,
       simd=st.integers(1, 3), data_seed=st.integers(0, 2**16), hwp=hardware_params, pick=st.integers(0, 7))
def test_sparse_work_and_timing(layer, dataflow, seed, halo, d_i, d_f, simd, data_seed, hwp, pick):
    """Random mappings of every dataflow on 8×8 (some ``M`` loops moved innermost: long columns),
    random sparse data and machines."""
    mapping, window = make_case_or_reject(layer, dataflow, seed, halo)
    mapping = columnize(mapping, pick)
    ifmap, filters = tensors(layer, d_i, d_f, data_seed)
    check_sparse_run(layer, mapping, window, _hw(simd, **hwp), ifmap, filters)


@PROPS
@given(case=cluster_cases(), d_i=DENSITIES, d_f=DENSITIES, simd=st.integers(1, 3), data_seed=st.integers(0, 2**16),
       prefetch=st.booleans(), pick=st.integers(0, 7))
def test_sparse_work_clusters_and_ragged(case, d_i, d_f, simd, data_seed, prefetch, pick):
    """Cluster loops on a hierarchical mesh (8 × 8 clusters of 8 × 8 PEs), grouped, depth-wise,
    strided layers, ragged bounds (masked iterations inside columns)."""
    layer, mapping, window = case
    mapping = columnize(mapping, pick)
    ifmap, filters = tensors(layer, d_i, d_f, data_seed)
    hw = hmesh_hardware(clusters=(8, 8), pe_per_cluster=(8, 8), rf_prefetch=prefetch)
    check_sparse_run(layer, mapping, window, replace(hw, sparse_pe=SparsePe(simd=simd)), ifmap, filters)


@PROPS
@given(layer=tiny_layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1),
       data=st.data())
def test_ragged_sparse_work(layer, dataflow, seed, data):
    """Bounds shrunk under the factors: columns cut short by masked iterations."""
    try:
        mapping = random_mapping_8x8(layer, dataflow, seed)
    except ValueError:
        reject()
    mapping = columnize(mapping, data.draw(st.integers(0, 7)))
    layer = shrink_bounds(layer, mapping, data.draw)
    ifmap, filters = tensors(layer, data.draw(DENSITIES), data.draw(DENSITIES), data.draw(st.integers(0, 99)))
    window = 1 if dataflow in ("rs", "rs-plus") else 0
    check_sparse_run(layer, mapping, window, _hw(data.draw(st.integers(1, 3))), ifmap, filters)


@PROPS
@given(layer=tiny_layers(), dataflow=st.sampled_from(DATAFLOWS), seed=st.integers(0, 2**32 - 1))
def test_column_loops_equal_the_reference(layer, dataflow, seed):
    try:
        mapping = random_mapping_8x8(layer, dataflow, seed)
    except ValueError:
        reject()
    assert list(column_loops(mapping)) == reference_column_loops(mapping)
    assert list(iact_column_loops(mapping)) == reference_iact_column_loops(mapping)


# ----------------------------------------------------------------------------- hand-derived toys
def _toy_layer(m: int) -> ConvLayer:
    """One image, one channel, ``m`` filters of 1 × 1 over a 1 × 2 ifmap (two output pixels)."""
    return ConvLayer(name="toy", N=1, M=m, C=1, R=1, S=1, H=1, W=2)


def _toy_mapping(m: int) -> Mapping:
    """The two output pixels on 2 PE columns; the ``m`` filters in time inside each PE, every
    type in the RF: one column of ``m`` weights per PE."""
    loops = (Loop(Dim.F, 2, LoopKind.COL), Loop(Dim.M, m))
    return Mapping(loops=loops, glb=(0, 0, 0), rf=(1, 1, 1))


def _toy_hw(simd: int) -> Hardware:
    inf = math.inf
    return replace(ROOMY, pe_rows=1, pe_cols=2, sparse_pe=SparsePe(simd=simd), glb_words_per_cycle=inf,
                   dram_words_per_cycle=inf, noc=NoC(ifmap_words_per_cycle=inf, filter_words_per_cycle=inf,
                                                     psum_words_per_cycle=inf, gon_words_per_cycle=inf,
                                                     local_words_per_cycle=inf))


def test_toy_column_of_three_weights_one_zero():
    """Weights (5, 0, 7) for one non-zero iact: 2 effective MACs, 1 skipped, SIMD 2 → 1 cycle,
    0 padding slots; the same with SIMD 1 → 2 cycles; SIMD 3 → 1 cycle and 1 padding slot."""
    layer = _toy_layer(3)
    ifmap = np.array([[[[3, 4]]]], dtype=np.int64)
    filters = np.array([5, 0, 7], dtype=np.int64).reshape(3, 1, 1, 1)
    for simd, cycles, pad in ((2, 1, 0), (1, 2, 0), (3, 1, 1)):
        out = run_cycle(layer, _toy_hw(simd), _toy_mapping(3), 0, ifmap, filters)
        for pe in range(2):
            assert out.sparse_work[pe, SP_MACS] == 3
            assert out.sparse_work[pe, SP_EFFECTIVE] == 2 and out.sparse_work[pe, SP_ZERO_WEIGHT] == 1
            assert out.sparse_work[pe, SP_CYCLES] == cycles and out.sparse_work[pe, SP_SIMD_PAD] == pad
            assert out.sparse_work[pe, SP_IACT_READS] == 1 and out.sparse_work[pe, SP_EMPTY_COLUMN] == 0
        # unlimited bandwidth, a one-stage pipeline: the PEs' work, nothing else
        assert out.cycles == cycles and out.compute_cycles == cycles
        assert np.array_equal(out.output, reference_conv(layer, ifmap, filters))


def test_toy_imbalance_one_pe_all_zero():
    """PE 0 reads a zero iact (its weight column costs nothing; its iact column, with nothing to
    issue, one bubble cycle), PE 1 a non-zero one with 4 non-zero weights at SIMD 1 (4 cycles):
    the layer takes 4 cycles, PE 0 idles 3 waiting for PE 1 (imbalance), and the run's breakdown
    is the slowest PE's (4 busy, no stall)."""
    layer = _toy_layer(4)
    ifmap = np.array([[[[0, 2]]]], dtype=np.int64)
    filters = np.array([1, 2, 3, 4], dtype=np.int64).reshape(4, 1, 1, 1)
    out = run_cycle(layer, _toy_hw(1), _toy_mapping(4), 0, ifmap, filters)
    assert out.sparse_work[0, SP_ZERO_IACT] == 4 and out.sparse_work[0, SP_CYCLES] == 1
    assert out.sparse_work[0, SP_BUBBLE] == 1 and out.sparse_work[0, SP_IACT_READS] == 0
    assert out.sparse_work[1, SP_CYCLES] == 4 and out.sparse_work[1, SP_EFFECTIVE] == 4
    assert out.cycles == 4 and out.compute_cycles == 4 and sum(out.stall_cycles.values()) == 0
    assert out.pe_wait[0, SPARSE_STALL_CAUSES.index("imbalance")] == 3 and out.pe_wait[0].sum() == 3
    assert out.pe_wait[1].sum() == 0


def test_toy_empty_column_is_dropped():
    """A non-zero iact whose weights are all zero: an empty column, read but no MAC cycle (its iact
    column, with nothing to issue, takes one bubble cycle)."""
    layer = _toy_layer(2)
    ifmap = np.array([[[[1, 1]]]], dtype=np.int64)
    filters = np.zeros((2, 1, 1, 1), dtype=np.int64)
    out = run_cycle(layer, _toy_hw(2), _toy_mapping(2), 0, ifmap, filters)
    assert (out.sparse_work[:, SP_EMPTY_COLUMN] == 1).all() and (out.sparse_work[:, SP_CYCLES] == 1).all()
    assert (out.sparse_work[:, SP_BUBBLE] == 1).all()
    assert (out.sparse_work[:, SP_IACT_READS] == 1).all() and (out.sparse_work[:, SP_ZERO_WEIGHT] == 2).all()
    assert out.cycles == 1


def test_flattened_loops_on_a_sparse_pe_are_refused():
    from accelsim.spec.dims import Flat

    layer = ConvLayer(name="f", N=1, M=2, C=1, R=1, S=1, H=2, W=2)
    mapping = Mapping(loops=(Loop(Flat((Dim.E, Dim.F)), 4, LoopKind.COL), Loop(Dim.M, 2)), glb=(0, 0, 0),
                      rf=(1, 1, 1))
    with pytest.raises(SpecError) as err:
        run_cycle(layer, _toy_hw(2), mapping, 0)
    assert err.value.field == "sparse_pe"


# ----------------------------------------------------------------------------- records, energy, CLI
def test_record_energy_and_idle_accounting():
    """``evaluate`` on a sparse machine: the record's ``sparse`` object is the kernel's work
    summed; energy charges the ALU per effective MAC and the RF iact / filter reads the PE makes
    (the dense machine on the same tensors and mapping pays the skipped ones); zero gating is
    not applied on top (sparse wins); PE-cycles add up: busy + idle by cause + unused PEs = all."""
    from accelsim.sim.evaluate import evaluate
    from accelsim.spec.dims import DataType, Level

    layer = ConvLayer(name="l", N=1, M=6, C=4, H=6, W=6, R=3, S=3)
    mapping = columnize(random_mapping_8x8(layer, "rs", 7), 7)
    assert column_loops(mapping)
    ifmap, filters = tensors(layer, 0.5, 0.4, 3)
    hw = _hw(2)
    hw = replace(hw, effects=replace(hw.effects, zero_gating=True))
    sparse = evaluate(layer, hw, "rs", "cycle", mapping, ifmap, filters)
    dense = evaluate(layer, replace(hw, sparse_pe=None, effects=replace(hw.effects, zero_gating=False)), "rs",
                     "cycle", mapping, ifmap, filters)
    assert sparse.timing.verified and sparse.gating is None and dense.gating is None
    out = run_cycle(layer, hw, mapping, 0, ifmap, filters)
    w = sparse.sparse
    total = out.sparse_work.sum(axis=0)
    assert (w.macs, w.effective_macs, w.zero_iact_macs, w.zero_weight_macs, w.empty_columns, w.simd_pad_slots,
            w.iact_reads) == tuple(int(total[k]) for k in (SP_MACS, SP_EFFECTIVE, SP_ZERO_IACT, SP_ZERO_WEIGHT,
                                                            SP_EMPTY_COLUMN, SP_SIMD_PAD, SP_IACT_READS))
    assert w.macs == layer.macs and not w.expected and w.simd == 2
    assert 0 < w.effective_macs < w.macs and w.zero_iact_macs > 0
    costs = hw.access_costs
    assert sparse.energy["ALU"] == pytest.approx(w.effective_macs * costs.mac)
    assert dense.energy["ALU"] - sparse.energy["ALU"] == pytest.approx((w.macs - w.effective_macs) * costs.mac)
    rf_i = costs.read(Level.RF, DataType.IFMAP)
    rf_f = costs.read(Level.RF, DataType.FILTER)
    if mapping.rf[DataType.FILTER] is not None:
        assert w.skipped_filter_rf_reads == w.macs - w.effective_macs
        assert dense.energy["RF"]["filter"] - sparse.energy["RF"]["filter"] == pytest.approx(
            w.skipped_filter_rf_reads * rf_f)
    if mapping.rf[DataType.IFMAP] is not None:
        assert w.skipped_ifmap_rf_reads == w.macs - w.iact_reads
        assert dense.energy["RF"]["ifmap"] - sparse.energy["RF"]["ifmap"] == pytest.approx(
            w.skipped_ifmap_rf_reads * rf_i)
    assert np.array_equal(sparse.counts, dense.counts)
    rec = sparse.to_dict()
    assert rec["sparse"] == w.to_dict() and "sparse" not in dense.to_dict()
    t = rec["timing"]
    assert set(t["stall_cycles"]) == set(SPARSE_STALL_CAUSES)
    assert t["pe_cycles"]["busy"] == out.sparse_work[:, SP_CYCLES].sum()
    assert t["pe_cycles"]["busy"] + sum(t["pe_cycles"]["idle"].values()) == t["pe_cycles"]["total"]
    assert t["pe_cycles"]["idle"]["imbalance"] == w.imbalance_cycles
    assert rec["cycles"] == rec["compute_cycles"] + rec["stall_cycles"]


def test_sparse_data_from_the_workload_densities():
    """Without given tensors, a sparse machine's cycle run draws them at the layer's densities."""
    from accelsim.sim.evaluate import evaluate

    layer = replace(ConvLayer(name="l", N=1, M=8, C=8, H=4, W=4, R=1, S=1), ifmap_density=0.5, filter_density=0.25)
    mapping = random_mapping_8x8(layer, "rs", 1)
    res = evaluate(layer, _hw(1), "rs", "cycle", mapping)
    w = res.sparse
    assert w.zero_iact_macs == layer.macs // 2  # 1 × 1 filters: each iact feeds M MACs; half are zero
    # the tensors are sim.sparse_data's at those densities: 16 of the 64 weights non-zero, and
    # a non-zero iact of channel c meets the non-zero weights of channel c
    from accelsim.sim.activations import ACTIVATION_SEED
    from accelsim.sim.sparse_data import layer_tensors, resolve_densities

    data = layer_tensors(layer, resolve_densities(layer), seed=ACTIVATION_SEED, ifmap_bits=16, filter_bits=16)
    assert np.count_nonzero(data.filters) == 16 and np.count_nonzero(data.ifmap) == 64
    per_channel = (data.ifmap != 0).sum(axis=(0, 2, 3)) * (data.filters != 0).sum(axis=(0, 2, 3))
    assert w.effective_macs == per_channel.sum()
    assert res.timing.verified


def test_cli_run_on_a_sparse_machine(tmp_path, capsys):
    """``accelsim run --engine cycle`` on a hardware file with ``sparse_pe`` prints the sparse
    table and the imbalance stalls, and writes them in the JSON; ``--engine analytic`` runs the
    expectation (``expected`` true in the record)."""
    import json

    from accelsim.cli.main import main

    hw_file = tmp_path / "hw.yaml"
    hw_file.write_text("version: 1\nname: sp\npe_array: {rows: 4, cols: 4}\nrf_words: {shared: 4096}\n"
                       "glb_bytes: {shared: 1048576}\nsparse_pe: {simd: 2}\n")
    wl = tmp_path / "wl.yaml"
    wl.write_text("version: 1\nname: w\nsource: test\nlayers:\n"
                  "  - {name: a, M: 4, C: 4, H: 5, W: 5, R: 3, S: 3, density: {ifmap: 0.5, filter: 0.5}}\n")
    out_json = tmp_path / "r.json"
    code = main(["run", str(wl), "--hardware", str(hw_file), "--engine", "cycle", "--no-progress", "--json",
                 str(out_json)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "sparse PE (SIMD 2" in text and "stall:imbalance" in text
    rec = json.loads(out_json.read_text())["layers"][0]
    assert rec["sparse"]["macs"] == 4 * 4 * 3 * 3 * 9 and "imbalance" in rec["timing"]["stall_cycles"]
    code = main(["run", str(wl), "--hardware", str(hw_file), "--engine", "analytic", "--json", str(out_json)])
    text = capsys.readouterr().out
    assert code == 0, text
    rec = json.loads(out_json.read_text())["layers"][0]
    assert rec["sparse"]["expected"] and rec["sparse"]["macs"] == 4 * 4 * 3 * 3 * 9


def test_the_mapper_offers_no_flattened_loops_to_sparse_pes():
    """A systolic dataflow on a sparse machine: the mapper keeps to plain loop nests (the cycle
    engine runs sparse PEs there only), and the run goes through."""
    from accelsim.drivers.simulate import simulate
    from accelsim.search.mapper import Budget
    from accelsim.sim.evaluate import runs_flattened

    hw = replace(_hw(2), pe_rows=4, pe_cols=4)
    assert runs_flattened("cycle") and runs_flattened("cycle", replace(hw, sparse_pe=None))
    assert not runs_flattened("cycle", hw) and runs_flattened("analytic", hw)
    layer = ConvLayer(name="s", N=1, M=4, C=3, H=5, W=5, R=3, S=3)
    res = simulate(layer, hw, "sys-ws", engine="cycle", budget=Budget(60, 60, 1))
    assert res.ok and not res.mapping.flat_groups and res.sparse is not None and res.timing.verified
