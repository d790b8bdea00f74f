"""GLB banks per cluster and data type on a hierarchical mesh (issue 16, part 1): the hardware
file's ``noc.glb_banks``, the GLB size and bandwidth derived from them, and their refusals.

Facts from Chen, Yang, Emer, Sze, "Eyeriss v2", IEEE JETCAS 9(2):292-308, 2019, stated here so
the tests carry their own fixtures:

- §II: 16 GLB clusters (one per PE cluster of 3 x 4 PEs, 8 x 2 clusters); per GLB cluster 3 iact
  banks of 1.5 kB and 4 psum banks of 1.875 kB (12 kB); no weight GLB.
- §II: 8-bit iacts and weights, 20-bit psums.
- §III-C: one iact router per iact bank and one psum router per psum bank; iact ports 24 b, psum
  ports 40 b. The bank ports are taken as wide as their routers' (the presets' assumption).
"""

from __future__ import annotations

import textwrap
from dataclasses import replace

import pytest

from accelsim.cli.main import main
from accelsim.drivers.sweep import _hardware_key
from accelsim.errors import SpecError
from accelsim.io.presets import load_hardware
from accelsim.spec.dims import DataType, NocKind
from accelsim.spec.hardware import Buffer, Clusters, GlbBanks, Hardware, NoC, Precision, Routers
from accelsim.spec.variation import with_field

KB = 1024
V2_BITS = {"ifmap": 8, "filter": 8, "psum": 20}
V2_CLUSTERS = 8 * 2
# per GLB cluster: (banks, bytes per bank, port bits)
V2_BANKS = {"ifmap": (3, int(1.5 * KB), 24), "psum": (4, int(1.875 * KB), 40)}

ROUTERS = """\
routers:
  ifmap: {count: 3, source_ports: 4, destination_ports: 4, port_bits: 24}
  filter: {count: 3, source_ports: 2, destination_ports: 2, port_bits: 24, vertical_links: false}
  psum: {count: 4, source_ports: 3, destination_ports: 3, port_bits: 40, horizontal_links: false}
"""


def banks_yaml(banks: dict[str, tuple[int, int, int]]) -> str:
    return "glb_banks:\n" + "".join(f"  {t}: {{count: {c}, bytes: {b}, port_bits: {p}}}\n"
                                    for t, (c, b, p) in banks.items())


def machine(tmp_path, *, clusters=(8, 2, 3, 4), banks: str | None = None, top: str = "", kind: str = "hmesh",
            name: str = "banked.yaml"):
    """A hardware file: ``clusters`` (rows, cols, pe_rows, pe_cols) of v2's routers and
    precision, with ``banks`` (the ``glb_banks`` YAML; default v2's) and ``top`` lines."""
    rows, cols, pe_rows, pe_cols = clusters
    banks = banks_yaml(V2_BANKS) if banks is None else banks
    noc = (f"kind: {kind}\nclusters: {{rows: {rows}, cols: {cols}, pe_rows: {pe_rows}, pe_cols: {pe_cols}}}\n"
           + ROUTERS if kind == "hmesh" else f"kind: {kind}\n")
    text = ("version: 1\nname: banked\nrf_words: {ifmap: 16, filter: 192, psum: 32}\n"
            "precision: {ifmap: 8, filter: 8, psum: 20}\n"
            + ("" if kind == "hmesh" else f"pe_array: {{rows: {rows * pe_rows}, cols: {cols * pe_cols}}}\n")
            + textwrap.dedent(top) + "noc:\n" + textwrap.indent(noc + banks, "  "))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def derived_capacity_words(clusters: int, banks: dict[str, tuple[int, int, int]], label: str) -> int:
    count, size, _ = banks.get(label, (0, 0, 0))
    return clusters * count * size * 8 // V2_BITS[label]


def derived_words_per_cycle(clusters: int, banks: dict[str, tuple[int, int, int]]) -> int:
    return clusters * sum(count * (port // V2_BITS[t]) for t, (count, _, port) in banks.items())


# --------------------------------------------------------------------------- derivations
def test_v2_glb_is_derived_from_its_banks(tmp_path):
    hw = load_hardware(machine(tmp_path))
    # 16 x 3 x 1536 B of 8-b iacts = 73728 words; 16 x 4 x 1920 B of 20-b psums = 49152 words; no weight GLB
    assert hw.glb.ifmap_words == derived_capacity_words(V2_CLUSTERS, V2_BANKS, "ifmap") == 73728
    assert hw.glb.psum_words == derived_capacity_words(V2_CLUSTERS, V2_BANKS, "psum") == 49152
    assert hw.glb.filter_words == 0 and hw.glb.shared_words == 0
    # 16 x (3 x (24 // 8) + 4 x (40 // 20)) = 272 words per cycle
    assert hw.glb_words_per_cycle == derived_words_per_cycle(V2_CLUSTERS, V2_BANKS) == 272
    ifmap, filt, psum = hw.noc.glb_banks
    assert filt is None
    assert (ifmap.count, ifmap.bank_bytes, ifmap.port_bits) == V2_BANKS["ifmap"]
    assert (psum.count, psum.bank_bytes, psum.port_bits) == V2_BANKS["psum"]
    # 12 kB per GLB cluster, 192 kB in all (§II)
    assert hw.glb.total_bits(hw.precision.per_type) == 16 * 12 * KB * 8


def test_stating_the_derived_values_is_accepted(tmp_path):
    quiet = load_hardware(machine(tmp_path))
    stated = load_hardware(machine(tmp_path, name="stated.yaml", top=(
        "glb_bytes: {ifmap: 73728, psum: 122880, filter: 0, shared: 0}\nglb_words_per_cycle: 272\n")))
    in_words = load_hardware(machine(tmp_path, name="words.yaml", top="glb_words: {ifmap: 73728, psum: 49152}\n"))
    assert stated == quiet == in_words


def test_the_v15_preset_describes_its_banks_and_keeps_its_pooled_glb():
    """The preset's banks derive exactly the pool it gave by hand before (glb_bytes {ifmap: 73728,
    psum: 122880, filter: 0}, glb_words_per_cycle 272): capacities and bandwidth the engines read."""
    v15 = load_hardware("eyeriss-v1.5")
    assert v15.noc.glb_banks is not None
    for t in DataType:
        bank = v15.noc.glb_banks[t]
        want = V2_BANKS.get(t.label)
        assert (None if bank is None else (bank.count, bank.bank_bytes, bank.port_bits)) == want
    old_pool = Buffer(shared_words=0, ifmap_words=73728, psum_words=122880 * 8 // 20, pool_word_bits=8)
    assert v15.glb.dedicated_words == old_pool.dedicated_words and v15.glb.shared_words == 0
    bits = v15.precision.per_type
    assert v15.glb.total_bits(bits) == old_pool.total_bits(bits)
    for usage in ((73728, 0, 49152), (73729, 0, 0), (0, 1, 0), (0, 0, 49153)):
        assert (v15.glb.overflow(usage, bits) is None) == (old_pool.overflow(usage, bits) is None)
    assert v15.glb_words_per_cycle == 272
    # v1-192 runs v1's GIN (no clusters): its GLB stays one description as a pool
    assert load_hardware("eyeriss-v1-192").noc.glb_banks is None


@pytest.mark.parametrize("mesh", [4, 8])
def test_the_scaling_study_meshes_derive_their_glb(tmp_path, mesh):
    """JETCAS 2019's scaling study: 4 x 4-PE clusters in 4 x 4 and 8 x 8 cluster meshes, each
    cluster with v2's GLB cluster: capacity and bandwidth grow with the number of clusters."""
    hw = load_hardware(machine(tmp_path, clusters=(mesh, mesh, 4, 4)))
    clusters = mesh * mesh
    assert (hw.pe_rows, hw.pe_cols) == (4 * mesh, 4 * mesh)
    assert hw.glb.ifmap_words == derived_capacity_words(clusters, V2_BANKS, "ifmap") == clusters * 4608
    assert hw.glb.psum_words == derived_capacity_words(clusters, V2_BANKS, "psum") == clusters * 3072
    assert hw.glb_words_per_cycle == derived_words_per_cycle(clusters, V2_BANKS) == clusters * 17


def test_a_mesh_without_banks_keeps_its_pooled_glb(tmp_path):
    """Clusters without ``glb_banks``: the GLB is the file's pool and bandwidth, nothing derived."""
    hw = load_hardware(machine(tmp_path, banks="", top="glb_words: {shared: 4096}\nglb_words_per_cycle: 20\n"))
    assert hw.noc.glb_banks is None
    assert hw.glb == Buffer(shared_words=4096) and hw.glb_words_per_cycle == 20


def test_spec_types_check_their_banks():
    with pytest.raises(SpecError) as info:
        GlbBanks(count=0, bank_bytes=1536, port_bits=24)
    assert info.value.field == "noc.glb_banks.count"
    bank = GlbBanks(count=3, bank_bytes=1536, port_bits=24)
    assert bank.words(8) == 4608 and bank.words_per_cycle(8) == 9
    with pytest.raises(SpecError) as info:
        NoC(kind=NocKind.GIN, glb_banks=(bank, None, None))
    assert info.value.field == "noc.glb_banks"
    routers = tuple(Routers(count=1, source_ports=1, destination_ports=1, port_bits=24) for _ in DataType)
    clusters = Clusters(rows=1, cols=2, pe_rows=2, pe_cols=2)
    with pytest.raises(SpecError) as info:
        NoC(kind=NocKind.HMESH, clusters=clusters, routers=routers, glb_banks=(None, None, None))
    assert info.value.field == "noc.glb_banks"
    noc = NoC(kind=NocKind.HMESH, clusters=clusters, routers=routers, glb_banks=(None, None, bank))
    precision = Precision(ifmap_bits=8, filter_bits=8, psum_bits=20)
    assert noc.banked_glb(precision) == Buffer(psum_words=2 * 3 * (1536 * 8 // 20))  # whole words per bank
    assert noc.banked_glb_words_per_cycle(precision) == 2 * 3 * (24 // 20)
    with pytest.raises(SpecError) as info:  # a 24-b port cannot carry a 32-b psum
        Hardware(pe_rows=2, pe_cols=4, rf=Buffer(shared_words=8), glb=Buffer(shared_words=8), noc=noc,
                 precision=Precision(ifmap_bits=8, filter_bits=8, psum_bits=32))
    assert info.value.field == "noc.glb_banks.psum.port_bits"


def test_varying_the_glb_of_a_banked_machine_drops_the_banks():
    v15 = load_hardware("eyeriss-v1.5")
    assert with_field(v15, "clock_hz", 100e6).noc.glb_banks == v15.noc.glb_banks
    for name, value in (("glb_bytes", 65536), ("glb_ifmap_words", 1000), ("glb_words_per_cycle", 64),
                        ("psum_bits", 16)):
        varied = with_field(v15, name, value)
        assert varied.noc.glb_banks is None, name
        assert varied.noc.routers == v15.noc.routers


def test_the_sweep_key_records_the_banks_only_when_set():
    v15 = load_hardware("eyeriss-v1.5")
    key = _hardware_key(v15)
    assert key["noc"]["glb_banks"][DataType.IFMAP] == {"count": 3, "bank_bytes": 1536, "port_bits": 24}
    assert key["noc"]["glb_banks"][DataType.FILTER] is None
    assert "glb_banks" not in _hardware_key(replace(v15, noc=replace(v15.noc, glb_banks=None)))["noc"]
    assert "glb_banks" not in _hardware_key(load_hardware("eyeriss"))["noc"]


# --------------------------------------------------------------------------- refusals
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


PSUM_16 = {"ifmap": V2_BANKS["ifmap"], "psum": (4, 1920, 16)}


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    # a stated capacity that differs from the derived one
    ({"top": "glb_bytes: {ifmap: 65536, psum: 122880}\n"}, "glb_bytes.ifmap", "73728"),
    ({"top": "glb_words: {ifmap: 73728, psum: 61440}\n"}, "glb_words.psum", "49152"),
    ({"top": "glb_bytes: {ifmap: 73728, psum: 122880, shared: 8192}\n"}, "glb_bytes.shared", "no shared pool"),
    ({"top": "glb_bytes: {ifmap: 73728, psum: 122880, filter: 8192}\n"}, "glb_bytes.filter", "no banks"),
    ({"top": "glb_bytes: {ifmap: 73728, psum: 122880}\nglb_words: {ifmap: 73728, psum: 49152}\n"}, "glb_words",
     "at most one"),
    # a stated bandwidth that differs
    ({"top": "glb_words_per_cycle: 256\n"}, "glb_words_per_cycle", "272"),
    # banks on a flat NoC
    ({"kind": "gin"}, "noc.glb_banks", "hierarchical mesh"),
    # zero and negative counts
    ({"banks": banks_yaml({"ifmap": (0, 1536, 24)})}, "noc.glb_banks.ifmap.count", ">= 1"),
    ({"banks": banks_yaml({"psum": (-4, 1920, 40)})}, "noc.glb_banks.psum.count", ">= 1"),
    # a port narrower than its type
    ({"banks": banks_yaml(PSUM_16)}, "noc.glb_banks.psum.port_bits", "20-bit"),
    # an unknown type key
    ({"banks": banks_yaml({"weights": (3, 1536, 24)})}, "noc.glb_banks.weights", "unknown key"),
    # no type with banks
    ({"banks": "glb_banks: {}\n"}, "noc.glb_banks", "at least one data type"),
    # a bank that is not whole words of its type
    ({"banks": banks_yaml({"psum": (4, 1922, 40)})}, "noc.glb_banks.psum.bytes", "whole number of 20-bit"),
    # the shared pool's banks do not apply
    ({"top": "glb_bank_words: 2048\n"}, "glb_bank_words", "noc.glb_banks"),
])
def test_bad_banks_are_one_line_errors(tmp_path, capsys, kwargs, field, words):
    path = machine(tmp_path, **kwargs)
    with pytest.raises(SpecError) as info:
        load_hardware(path)
    assert info.value.field == field, (info.value.field, info.value.message)
    line = fails(capsys, ["run", "alexnet", "--layers", "conv3", "--hardware", path])
    assert str(path) in line and field in line and words in line, line
