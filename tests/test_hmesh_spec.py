"""The user-facing side of the hierarchical mesh (issue 16): hardware files, NoC modes, mapping
files, ``mapping show``, the Eyeriss v1-192 / v1.5 presets, their energy (mesh hops, clock term)
and the result records.

Facts from Chen, Yang, Emer, Sze, "Eyeriss v2", IEEE JETCAS 9(2):292-308, 2019 (the text, §II,
§III-B/C, §IV-A), stated below so the tests carry their own fixtures.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import replace

import pytest

import accelsim
from accelsim.cli.main import main
from accelsim.errors import SpecError
from accelsim.io.presets import load_hardware, load_mapping
from accelsim.spec.dims import RELEVANT, DataType, Dim, Level, LoopKind, NocKind, NocMode
from accelsim.spec.energy_model import EnergyModel, wire_energy_pj_per_bit_mm
from accelsim.spec.layer import ConvLayer, Workload
from accelsim.spec.mapping import Loop, Mapping
from accelsim.spec.noc_modes import describe_hmesh, noc_modes

# JETCAS 2019 §II: 8 x 2 clusters of 3 x 4 PEs; 8-b iacts/weights, 20-b psums
V2_CLUSTERS = (8, 2, 3, 4)
V2_BITS = (8, 8, 20)
# §III-C: routers per cluster (count, source ports, destination ports, port bits)
V2_ROUTERS = {"ifmap": (3, 4, 4, 24), "filter": (3, 2, 2, 24), "psum": (4, 3, 3, 40)}
# §IV-A: spads iact 16, weights 96 x 24 b = 192 8-b weights, psum 32; §II: GLB 16 x (3 x 1.5 kB iact
# + 4 x 1.875 kB psum), no weight GLB
V2_SPADS = (16, 192, 32)
V2_GLB_BYTES = {"ifmap": 16 * 3 * 1536, "psum": 16 * 4 * 1920}
# JSSC 2017 (accelsim/reference/eyeriss_chip.json): v1's GIN buses, bits: ifmap 16, filter 64, psum 64
V1_BUS_BITS = {"ifmap": 16, "filter": 64, "psum": 64}


def write(path, text: str):
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def hmesh_file(tmp_path, noc: str = "", top: str = "", name: str = "hm.yaml"):
    """A small hmesh machine (2 x 2 clusters of 2 x 2 PEs, 8/8/20 bits) with ``noc`` lines added to
    its ``noc`` section and ``top`` lines at the top level."""
    text = ("version: 1\nname: hm\nrf_words: {ifmap: 32, filter: 64, psum: 16}\n"
            "glb_words: {ifmap: 4096, psum: 4096}\nprecision: {ifmap: 8, filter: 8, psum: 20}\n"
            + textwrap.dedent(top) + "noc:\n  kind: hmesh\n" + textwrap.indent(textwrap.dedent(noc).lstrip("\n"), "  "))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ROUTERS = """
clusters: {rows: 2, cols: 2, pe_rows: 2, pe_cols: 2}
routers:
  ifmap: {count: 3, source_ports: 4, destination_ports: 4, port_bits: 24}
  filter: {count: 3, source_ports: 2, destination_ports: 2, port_bits: 24, vertical_links: false}
  psum: {count: 4, source_ports: 3, destination_ports: 3, port_bits: 40, horizontal_links: false}
"""


def fails(capsys, argv) -> str:
    """Run the CLI expecting a user error: exit 2, one line on stderr, no traceback."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    got = capsys.readouterr()
    assert code == 2, f"exit {code}; stdout:\n{got.out}\nstderr:\n{got.err}"
    assert "Traceback" not in got.err
    lines = got.err.splitlines()
    assert len(lines) == 1, got.err
    return lines[0]


# --------------------------------------------------------------------------- hardware files
def test_an_hmesh_file_derives_the_array_and_the_per_cluster_rates(tmp_path):
    hw = load_hardware(hmesh_file(tmp_path, ROUTERS))
    assert hw.noc.kind is NocKind.HMESH
    assert (hw.pe_rows, hw.pe_cols) == (4, 4)
    # count x (port_bits // bits): ifmap 3 x 3, filter 3 x 3, psum-in and GON 4 x (40 // 20)
    assert (hw.noc.ifmap_words_per_cycle, hw.noc.filter_words_per_cycle) == (9, 9)
    assert (hw.noc.psum_words_per_cycle, hw.noc.gon_words_per_cycle) == (8, 8)
    assert hw.noc.routers[DataType.FILTER].vertical_links is False
    assert hw.noc.routers[DataType.PSUM].horizontal_links is False
    # rates equal to the derived ones and an agreeing pe_array are accepted
    same = load_hardware(hmesh_file(tmp_path, ROUTERS + "ifmap_words_per_cycle: 9\ngon_words_per_cycle: 8\n",
                                    top="pe_array: {rows: 4, cols: 4}\n", name="same.yaml"))
    assert same.noc == hw.noc and (same.pe_rows, same.pe_cols) == (4, 4)


@pytest.mark.parametrize("mesh", [4, 8, 32])
def test_the_papers_scaling_study_meshes_load(tmp_path, mesh):
    """JETCAS 2019's scaling study: 4 x 4-PE clusters in 4 x 4, 8 x 8 and 32 x 32 cluster meshes."""
    noc = ROUTERS.replace("clusters: {rows: 2, cols: 2, pe_rows: 2, pe_cols: 2}",
                          f"clusters: {{rows: {mesh}, cols: {mesh}, pe_rows: 4, pe_cols: 4}}")
    hw = load_hardware(hmesh_file(tmp_path, noc))
    assert (hw.pe_rows, hw.pe_cols) == (4 * mesh, 4 * mesh) and hw.noc.clusters.count == mesh * mesh
    assert hw.access_costs.hop[DataType.IFMAP] > 0


CLUSTERS_ONLY = "clusters: {rows: 2, cols: 2, pe_rows: 2, pe_cols: 2}\n"


@pytest.mark.parametrize(("noc", "top", "field", "words"), [
    ("", "", "noc.clusters", "clusters"),                                                # no clusters
    (CLUSTERS_ONLY, "", "noc.routers", "routers"),                                       # no routers
    (ROUTERS + "ifmap_words_per_cycle: 4\n", "", "noc.ifmap_words_per_cycle", "9"),     # rate != derived
    (ROUTERS + "gon_words_per_cycle: 9\n", "", "noc.gon_words_per_cycle", "8"),
    (ROUTERS, "pe_array: {rows: 4, cols: 8}\n", "pe_array.cols", "4"),                   # array disagrees
    (ROUTERS.replace("port_bits: 40", "port_bits: 16"), "", "noc.routers.psum.port_bits", "20-bit"),
    (ROUTERS.replace("rows: 2, cols: 2, pe_rows", "rows: 0, cols: 2, pe_rows"), "", "noc.clusters.rows", ">= 1"),
    (ROUTERS.replace("source_ports: 2,", "ports: 2,"), "", "noc.routers.filter.ports", "unknown key"),
    (ROUTERS.replace("vertical_links: false", "vertical_links: no_links"), "",
     "noc.routers.filter.vertical_links", "true or false"),
    (ROUTERS.replace("  psum: {count: 4, source_ports: 3, destination_ports: 3, port_bits: 40, "
                     "horizontal_links: false}\n", ""), "", "noc.routers.psum", "missing"),
    (ROUTERS.replace("count: 3, source_ports: 4", "count: 2.5, source_ports: 4"), "",
     "noc.routers.ifmap.count", "integer"),
])
def test_malformed_hmesh_fields_are_one_line_errors(tmp_path, capsys, noc, top, field, words):
    path = hmesh_file(tmp_path, noc, top)
    with pytest.raises(SpecError) as info:
        load_hardware(path)
    assert info.value.field == field, (info.value.field, info.value.message)
    line = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--hardware", path])
    assert str(path) in line and field in line and words in line, line


def test_cluster_keys_on_a_flat_noc_and_a_missing_array_are_refused(tmp_path, capsys):
    flat = write(tmp_path / "flat.yaml", """
        version: 1
        name: flat
        pe_array: {rows: 4, cols: 4}
        rf_words: {shared: 64}
        glb_words: {shared: 4096}
        noc:
          kind: gin
          clusters: {rows: 2, cols: 2, pe_rows: 2, pe_cols: 2}
        """)
    line = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--hardware", flat])
    assert "noc.clusters" in line and "hmesh" in line and str(flat) in line
    no_array = write(tmp_path / "noarray.yaml", """
        version: 1
        name: noarray
        rf_words: {shared: 64}
        glb_words: {shared: 4096}
        """)
    line = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--hardware", no_array])
    assert "pe_array" in line and str(no_array) in line


def test_a_negative_clock_term_is_refused(tmp_path, capsys):
    path = hmesh_file(tmp_path, ROUTERS, top="energy: {model: {clock_pj_per_pe_cycle: -1.0}}\n")
    line = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--hardware", path])
    assert "energy.model.clock_pj_per_pe_cycle" in line and ">= 0" in line


# --------------------------------------------------------------------------- presets
def test_the_v2_presets_hold_the_papers_machine():
    v15, v1 = load_hardware("eyeriss-v1.5"), load_hardware("eyeriss-v1-192")
    for hw in (v15, v1):
        assert hw.num_pes == 192
        assert hw.precision.per_type == V2_BITS
        assert hw.rf.dedicated_words == V2_SPADS
        assert hw.glb.ifmap_words * V2_BITS[0] // 8 == V2_GLB_BYTES["ifmap"]
        total_bits = sum(w * b for w, b in zip(hw.glb.dedicated_words, V2_BITS)) + hw.glb.shared_words
        assert sum(V2_GLB_BYTES.values()) * 8 - V2_BITS[2] < total_bits <= sum(V2_GLB_BYTES.values()) * 8
        assert hw.clock_hz == 200e6
        assert hw.dram_words_per_cycle * hw.clock_hz == pytest.approx(25.6e9)  # 8-b words: bytes
    assert v15.rf == v1.rf and v15.energy == v1.energy
    # v2: no weight GLB; v1-192 keeps v1's 8 kB of weight banks (JSSC 2017: two 512 x 64 b) in the total
    assert v15.glb.filter_words == 0 and v15.glb.psum_words * V2_BITS[2] // 8 == V2_GLB_BYTES["psum"]
    assert v1.glb.filter_words * V2_BITS[1] == 2 * 512 * 64
    cl = v15.noc.clusters
    assert (cl.rows, cl.cols, cl.pe_rows, cl.pe_cols) == V2_CLUSTERS
    for t in DataType:
        r = v15.noc.routers[t]
        assert (r.count, r.source_ports, r.destination_ports, r.port_bits) == V2_ROUTERS[t.label]
    assert not v15.noc.routers[DataType.FILTER].vertical_links
    assert not v15.noc.routers[DataType.PSUM].horizontal_links
    assert v1.noc.kind is NocKind.GIN and v1.noc.clusters is None
    assert v1.noc.ifmap_words_per_cycle == V1_BUS_BITS["ifmap"] // V2_BITS[0]
    assert v1.noc.filter_words_per_cycle == V1_BUS_BITS["filter"] // V2_BITS[1]
    assert v1.noc.psum_words_per_cycle == v1.noc.gon_words_per_cycle == V1_BUS_BITS["psum"] // V2_BITS[2]


# --------------------------------------------------------------------------- NoC modes
def _mapping(*spatial: tuple[Dim, int, LoopKind]) -> Mapping:
    """Spatial loops (outermost first) under a temporal loop of every dimension."""
    loops = [Loop(d, f, k) for d, f, k in spatial]
    return Mapping(loops=tuple(loops), glb=(0, 0, 0), rf=(len(loops),) * 3)


def _sharing(mapping: Mapping, t: DataType) -> NocMode:
    """The mode read off which PEs receive the same word (independent of the rule): PEs in
    spatial order, keyed by their offsets along the type's dimensions."""
    keys = [tuple(off[d] for d in Dim if d in RELEVANT[t]) for _, _, off in mapping.pe_positions()]
    groups: dict = {}
    for pe, k in enumerate(keys):
        groups.setdefault(k, []).append(pe)
    if len(groups) == len(keys):
        return NocMode.UNICAST
    if len(groups) == 1:
        return NocMode.BROADCAST
    contiguous = all(g == list(range(g[0], g[0] + len(g))) for g in groups.values())
    return NocMode.GROUPED if contiguous else NocMode.INTERLEAVED


# JETCAS Fig. 8 on a 2-cluster x 2-PE toy, for the weights (filter: indexed by M, C, R, S; not E, F, N)
TOY = {
    NocMode.UNICAST: _mapping((Dim.M, 2, LoopKind.CCOL), (Dim.C, 2, LoopKind.COL)),      # every PE its own
    NocMode.BROADCAST: _mapping((Dim.F, 2, LoopKind.CCOL), (Dim.E, 2, LoopKind.COL)),    # every PE the same
    NocMode.GROUPED: _mapping((Dim.M, 2, LoopKind.CCOL), (Dim.E, 2, LoopKind.COL)),      # a cluster's PEs share
    NocMode.INTERLEAVED: _mapping((Dim.E, 2, LoopKind.CCOL), (Dim.M, 2, LoopKind.COL)),  # PE k of each cluster
}


@pytest.mark.parametrize("mode", list(NocMode))
def test_each_mode_on_the_two_cluster_two_pe_toy(mode):
    m = TOY[mode]
    assert m.cluster_shape() == (1, 2) and m.active_pes == 4
    assert noc_modes(m)[DataType.FILTER] is mode
    assert _sharing(m, DataType.FILTER) is mode
    for t in DataType:  # the rule agrees with the sharing pattern for every type
        assert noc_modes(m)[t] is _sharing(m, t), t


def test_loops_of_factor_one_are_ignored():
    for mode, m in TOY.items():
        padded = Mapping(loops=(Loop(Dim.N, 1, LoopKind.CROW), *m.loops[:1], Loop(Dim.M, 1, LoopKind.ROW),
                                *m.loops[1:], Loop(Dim.G, 1, LoopKind.COL)), glb=(0, 0, 0), rf=(5, 5, 5))
        assert noc_modes(padded) == noc_modes(m), mode
    one_pe = _mapping((Dim.E, 1, LoopKind.CROW), (Dim.M, 1, LoopKind.COL))
    assert set(noc_modes(one_pe).values()) == {NocMode.UNICAST}


def test_the_papers_mode_choices_per_layer_type():
    """JETCAS §III-B, Fig. 9: CONV iacts and weights use the two multicast kinds; depth-wise iacts
    unicast and weights broadcast; FC iacts broadcast and weights unicast."""
    conv = noc_modes(_mapping((Dim.M, 8, LoopKind.CROW), (Dim.E, 4, LoopKind.COL)))
    assert {conv[DataType.IFMAP], conv[DataType.FILTER]} == {NocMode.GROUPED, NocMode.INTERLEAVED}
    dw = noc_modes(_mapping((Dim.F, 2, LoopKind.CCOL), (Dim.E, 4, LoopKind.COL)))
    assert (dw[DataType.IFMAP], dw[DataType.FILTER]) == (NocMode.UNICAST, NocMode.BROADCAST)
    fc = noc_modes(_mapping((Dim.M, 8, LoopKind.CROW), (Dim.M, 4, LoopKind.COL)))
    assert (fc[DataType.IFMAP], fc[DataType.FILTER]) == (NocMode.BROADCAST, NocMode.UNICAST)


# --------------------------------------------------------------------------- mapping files and show
LAYER = ConvLayer(name="pw", N=1, M=32, C=16, H=8, W=8, R=1, S=1)
WORKLOAD = Workload(name="toy", layers=(replace(LAYER, N=1),))


def mapping_file(tmp_path, modes: str = "") -> str:
    return write(tmp_path / "map.yaml", """
        version: 1
        dataflow: rs
        workload: toy
        layers:
          pw:
            loops:
              - [M, 2]
              - [M, 2, crow]
              - [F, 2, ccol]
              - [M, 2, row]
              - [C, 2, col]
              - [E, 8]
              - [F, 4]
              - [C, 8]
              - [M, 4]
            glb: {ifmap: 0, filter: null, psum: 0}
            rf: {ifmap: 6, filter: 6, psum: 6}
        """ + textwrap.indent(textwrap.dedent(modes), "    "))


def test_mapping_files_take_cluster_loops_and_check_stated_modes(tmp_path):
    got = load_mapping(mapping_file(tmp_path), WORKLOAD, 1)["pw"]
    assert [lp.kind for lp in got.loops[1:5]] == [LoopKind.CROW, LoopKind.CCOL, LoopKind.ROW, LoopKind.COL]
    assert got.cluster_shape() == (2, 2) and got.spatial_shape() == (4, 4)
    derived = noc_modes(got)
    assert derived[DataType.IFMAP] is NocMode.INTERLEAVED and derived[DataType.FILTER] is NocMode.INTERLEAVED
    stated = "noc_modes: {ifmap: interleaved-multicast, filter: interleaved-multicast, psum: grouped-multicast}\n"
    assert load_mapping(mapping_file(tmp_path, stated), WORKLOAD, 1)["pw"] == got
    with pytest.raises(SpecError) as info:
        load_mapping(mapping_file(tmp_path, "noc_modes: {ifmap: broadcast}\n"), WORKLOAD, 1)
    assert info.value.field == "layers.pw.noc_modes.ifmap"
    assert "interleaved-multicast" in info.value.message and "broadcast" in info.value.message
    with pytest.raises(SpecError) as info:
        load_mapping(mapping_file(tmp_path, "noc_modes: {filter: multicast}\n"), WORKLOAD, 1)
    assert info.value.field == "layers.pw.noc_modes.filter"


def test_describe_hmesh_names_clusters_pes_and_modes(tmp_path):
    m = load_mapping(mapping_file(tmp_path), WORKLOAD, 1)["pw"]
    text = describe_hmesh(m, load_hardware(hmesh_file(tmp_path, ROUTERS)).noc.clusters)
    assert "2 x 2 clusters of 2 x 2 PEs" in text and "uses 2 x 2 clusters" in text
    assert "2 x 2 PEs per cluster" in text
    assert "ifmap interleaved-multicast" in text and "psum grouped-multicast" in text
    # cluster ids in spatial order: the crow loop (M, step 2 x 4 = 8... per cluster row) is outer
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("cluster ")]
    assert lines == ["cluster 0 (cluster row 0, col 0): M+0, F+0", "cluster 1 (cluster row 0, col 1): M+0, F+4",
                     "cluster 2 (cluster row 1, col 0): M+8, F+0", "cluster 3 (cluster row 1, col 1): M+8, F+4"]


def test_mapping_show_on_hmesh_hardware(tmp_path, capsys):
    hw = hmesh_file(tmp_path, ROUTERS)
    wl = write(tmp_path / "toy.yaml", """
        version: 1
        name: toy
        layers:
          - {name: pw, M: 32, C: 16, H: 8, W: 8, R: 1, S: 1}
        """)
    capsys.readouterr()
    saved = tmp_path / "saved.yaml"
    code = main(["mapping", "show", str(wl), "--hardware", str(hw), "--mapping", str(mapping_file(tmp_path)),
                 "--save-mappings", str(saved)])
    out = capsys.readouterr().out
    assert code == 0
    assert "cluster-row M in 2" in out and "cluster-col F in 2" in out
    assert "NoC modes: ifmap interleaved-multicast, filter interleaved-multicast, psum grouped-multicast" in out
    # the saved file states the modes (checked when read back) and reloads to the same mapping
    text = saved.read_text()
    assert "noc_modes: {ifmap: interleaved-multicast, filter: interleaved-multicast, psum: grouped-multicast}" in text
    assert load_mapping(saved, WORKLOAD, 1)["pw"].loops == load_mapping(mapping_file(tmp_path), WORKLOAD, 1)["pw"].loops


# --------------------------------------------------------------------------- energy and records
def test_hop_cost_is_the_wire_energy_over_one_cluster_pitch():
    hw = load_hardware("eyeriss-v1.5")
    model = hw.energy
    assert isinstance(model, EnergyModel)
    costs = hw.access_costs
    pitch = model.pe_pitch_mm(hw)
    # a cluster: 12 PEs and a sixteenth of the GLB, so its side is more than sqrt(12) PE pitches
    assert model.mesh_link_mm(hw) > math.sqrt(12) * pitch
    wire = wire_energy_pj_per_bit_mm(65)
    for t in DataType:
        assert costs.hop[t] == pytest.approx(V2_BITS[t] * wire * model.mesh_link_mm(hw))
        # a delivery spans one cluster (3 + 4 pitches), on v1-192 the whole array (12 + 16)
        assert costs.read(Level.NOC, t) == pytest.approx(V2_BITS[t] * wire * 7 * pitch)
    flat = load_hardware("eyeriss-v1-192").access_costs
    assert flat.hop == (0.0, 0.0, 0.0)
    assert flat.read(Level.NOC, DataType.IFMAP) == pytest.approx(
        costs.read(Level.NOC, DataType.IFMAP) * 28 / 7)
    assert costs.clock_per_cycle == pytest.approx(model.clock_pj_per_pe_cycle * 192) and costs.clock_per_cycle > 0


PW_MAPPING = {"dataflow": "rs", "loops": [["M", 4], ["C", 8], ["M", 8, "crow"], ["F", 2, "ccol"], ["M", 2, "row"],
                                          ["C", 4, "col"], ["E", 8], ["F", 4], ["C", 4], ["M", 4]],
              "glb": {"ifmap": 0, "filter": None, "psum": 0}, "rf": {"ifmap": 7, "filter": 7, "psum": 7}}


def test_a_hand_mapping_runs_on_v15_with_ports_hops_and_the_clock_component():
    """MobileNet-v1 0.5/128 pw6 (M 256, C 128, 8 x 8) on eyeriss-v1.5, analytic engine."""
    layer = accelsim.load_workload("mobilenet_v1_0.5_128").select(["pw6"]).layers[0]
    hw = load_hardware("eyeriss-v1.5")
    r = accelsim.simulate(layer, hw, "rs", mapping=Mapping.from_dict(PW_MAPPING))
    assert r.ok and r.active_pes == 8 * 2 * 2 * 4  # 2 of each cluster's 3 PE rows
    rec = r.to_dict()
    for t in ("ifmap", "filter", "psum"):
        noc = rec["accesses"]["NoC"][t]
        assert set(noc) == {"deliveries", "transactions", "ports", "hops"}
        # the definitions (tests/reference_counter.py): inputs HOPS = PORTS - TRANSACTIONS; psums
        # PORTS = out_c + (upd - resident), HOPS = out_c - upd, TRANSACTIONS = upd + (upd - resident)
        assert noc["ports"] - noc["hops"] == noc["transactions"] and noc["hops"] >= 0
    assert rec["energy"]["clock"] == pytest.approx(r.cycles * hw.access_costs.clock_per_cycle)
    assert rec["energy_total"] == pytest.approx(sum(v if isinstance(v, float) else sum(v.values())
                                                    for v in rec["energy"].values()))
    unlimited = replace(hw, dram_words_per_cycle=math.inf)
    fast = accelsim.simulate(layer, unlimited, "rs", mapping=Mapping.from_dict(PW_MAPPING))
    assert fast.cycles <= r.cycles and fast.energy["clock"] <= r.energy["clock"]


def test_flat_machines_records_gain_neither_ports_nor_clock():
    wl = accelsim.load_workload("alexnet")
    layer = wl.select(["conv3"]).with_batch(4).layers[0]
    given = load_mapping("eyeriss_jssc_alexnet", wl, 4)["conv3"]
    r = accelsim.simulate(layer, load_hardware("eyeriss"), "rs", mapping=given)
    rec = r.to_dict()
    assert set(rec["accesses"]["NoC"]["ifmap"]) == {"deliveries", "transactions"}
    assert "clock" not in rec["energy"]


# ISSCC 2016 Fig. 14.5.6 (accelsim/reference/eyeriss_chip.json): the chip's measured power, mW, of
# AlexNet CONV1-5 at batch 4, 200 MHz core clock, 168 PEs
CHIP_POWER_MW = {"conv1": 332, "conv2": 288, "conv3": 266, "conv4": 235, "conv5": 236}
CHIP_PES, CHIP_CLOCK_HZ = 168, 200e6


def test_the_presets_clock_term_is_the_chips_power_the_model_does_not_see():
    """The presets' clock_pj_per_pe_cycle: the Eyeriss v1 chip's measured power less the energy
    model's on-chip access energy (ALU, RF, NoC, GLB at 65 nm) of the same run over its simulated
    time, per PE per cycle, averaged over CONV1-5 (the derivation in the preset files). The chip
    run is the validation's (cached per process, shared with tests/test_chip_validation.py)."""
    from accelsim.spec.result import component_totals, energy_dict
    from accelsim.validation.eyeriss_chip import alexnet_chip_run

    run, _ = alexnet_chip_run()
    costs = replace(load_hardware("eyeriss"), energy=EnergyModel(technology_nm=65)).access_costs
    per_pe_cycle = []
    for r in run.layers:
        parts = component_totals(energy_dict(r.counts, r.macs, costs, r.gating, r.dram_compressed))
        modelled_mw = sum(v for k, v in parts.items() if k != "DRAM") * 1e-12 / r.timing.seconds * 1e3
        residual_mw = CHIP_POWER_MW[r.layer.name] - modelled_mw
        assert residual_mw > 0, r.layer.name  # the model sees less than the chip draws
        per_pe_cycle.append(residual_mw * 1e-3 / CHIP_CLOCK_HZ * 1e12 / CHIP_PES)
    mean = sum(per_pe_cycle) / len(per_pe_cycle)
    for name in ("eyeriss-v1.5", "eyeriss-v1-192"):
        stated = load_hardware(name).energy.clock_pj_per_pe_cycle
        assert stated == pytest.approx(mean, abs=0.05), (name, per_pe_cycle)
        assert min(per_pe_cycle) <= stated <= max(per_pe_cycle)


def test_the_rs_mapper_runs_on_v1_192_and_charges_its_clock():
    """eyeriss-v1-192 keeps a weight GLB (v1's 8 kB), so the rs mapper finds mappings there; its
    records carry the clock component and no mesh counts (a flat GIN)."""
    from accelsim.search.mapper import BUDGETS, BudgetSize

    hw = load_hardware("eyeriss-v1-192")
    layer = accelsim.load_workload("mobilenet_v1_0.5_128").select(["dw6"]).layers[0]
    r = accelsim.simulate(layer, hw, "rs", budget=BUDGETS[BudgetSize.QUICK])
    assert r.ok, r.reason
    rec = r.to_dict()
    assert rec["energy"]["clock"] == pytest.approx(r.cycles * 4.6 * 192)
    assert set(rec["accesses"]["NoC"]["filter"]) == {"deliveries", "transactions"}
    assert "clock 4.6 pJ/PE/cycle" in rec["energy_source"]


def test_the_run_documents_energy_source_names_the_clock_term_only_when_set():
    from accelsim.spec.result import energy_source_dict

    assert energy_source_dict(load_hardware("eyeriss-v1.5").energy)["clock_pj_per_pe_cycle"] == 4.6
    assert "clock_pj_per_pe_cycle" not in energy_source_dict(EnergyModel())


def test_the_energy_plots_stack_the_clock_component_on_top():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.container import BarContainer

    from accelsim.drivers.simulate import simulate_network

    wl = accelsim.load_workload("mobilenet_v1_0.5_128").select(["pw6"])
    hw = load_hardware("eyeriss-v1.5")
    run = simulate_network(wl, hw, "rs", mappings={"pw6": Mapping.from_dict(PW_MAPPING)})
    clock = run.layers[0].energy["clock"]
    for by in ("level", "type"):
        ax = accelsim.plot.energy_breakdown(run, by=by)
        bars = {c.get_label(): c.patches for c in ax.containers if isinstance(c, BarContainer)}
        assert list(bars)[-1] == "clock" and bars["clock"][0].get_height() == pytest.approx(clock)
        assert sum(b[0].get_height() for b in bars.values()) == pytest.approx(run.layers[0].energy_total)
        plt.close(ax.figure)
    ax = accelsim.plot.dataflow_comparison([run], by="level")
    assert [c.get_label() for c in ax.containers if isinstance(c, BarContainer)][-1] == "clock"
    plt.close(ax.figure)


def test_mesh_hops_reach_the_record():
    """pw6's ifmap does not depend on M, which the mapping spreads over the 8 cluster rows: each
    ifmap word a step sends reaches 8 clusters and crosses 7 mesh links."""
    layer = accelsim.load_workload("mobilenet_v1_0.5_128").select(["pw6"]).layers[0]
    r = accelsim.simulate(layer, load_hardware("eyeriss-v1.5"), "rs", mapping=Mapping.from_dict(PW_MAPPING))
    noc = r.to_dict()["accesses"]["NoC"]["ifmap"]
    assert noc["hops"] == 7 * noc["transactions"] and noc["ports"] == 8 * noc["transactions"]
