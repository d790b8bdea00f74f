"""Per-component energies (and areas) that Accelergy reported for the Timeloop reference cases.

Facts, stated by hand for the energy-model tests (``tests/test_energy_model.py``) and the README
table (``tools/energy_model_table.py``); nothing here is read from the case folders at run or
test time. Each record names the case folder under ``../shared/timeloop-cases`` (the public
``Accelergy-Project/timeloop-accelergy-exercises`` outputs, see its ``SOURCE`` files), the
component, its attributes and the energy per action in the case's ``*ERT_summary.yaml`` and, where
the case has one, the area in ``*ART_summary.yaml``.

Conventions:

* ``read_pj`` is the ERT summary's ``read`` energy (``compute`` / ``mac_random`` for a MAC): for
  the 2019/2020 cases, whose tables depend on ``address_delta``/``data_delta`` arguments, it is the
  summary's ``average_energy`` (``max_pj`` keeps the random-access maximum, the entry Timeloop
  2020 charges — e.g. the eyeriss_like ``shared_glb`` "Vector access energy" 75.22 pJ). The 2024
  tables have one value per action.
* SRAM ``capacity_bytes`` = depth x width / 8; ``width_bits`` = the access width (one ERT action
  moves one row of ``width`` bits). 2024 ``smartbuffer_RF`` records use ``memory_depth`` x
  ``memory_width`` (the storage Accelergy sized), not the logical ``depth`` x ``width``.
* ``address_generator``: Accelergy's ``smartbuffer_*`` compound classes add address generators to
  the storage (the 2020 ``smartbuffer_RF`` reads cost the plain ``regfile`` read + 0.049 pJ, e.g.
  psum_spad 0.153 vs DummyBuffer 0.104, both 16 x 16 at 45 nm).
* MACs: ``intmac`` of ``datawidth`` d multiplies d x d bits and accumulates the 2d-bit product
  (``adder_bits`` = 2d, the convention the 2024 eyeriss_like ``intmac`` spells out: multiplier 8,
  adder 16).
* ``role``: ``fit`` (the model's constants are fitted on these: every component of the 2020
  45 nm baseline designs, eyeriss_like and simple_output_stationary, plus the one 8-bit 2020
  ``regfile``, needed to separate the RF's width and depth terms); ``held-out`` (never used by a
  fit; the model must be within the tolerance); ``contradicted`` (a twin record with the same
  class and attributes, ``against``, differs by more than the tolerance band allows, so no model
  can meet both: the test asserts the contradiction itself); ``out-of-scope`` (no accelsim level
  is that component).
"""

from __future__ import annotations

from dataclasses import dataclass

#: accuracy the held-out comparison requires, by kind (relative error)
TOLERANCE = {"sram": 0.30, "regfile": 0.30, "mac": 0.15, "dram": 0.30}

ROOT = "timeloop-cases"


@dataclass(frozen=True)
class Reference:
    """One Accelergy component and its published energy."""

    key: str
    kind: str  # sram | regfile | mac | dram | register
    case: str
    component: str
    accelergy_class: str
    era: str
    estimator: str
    technology_nm: float
    read_pj: float
    role: str
    write_pj: float | None = None
    max_pj: float | None = None
    area_um2: float | None = None
    # storage
    depth: int = 0
    width_bits: int = 0
    banks: int = 1
    address_generator: bool = False
    # MAC
    mult_bits: tuple[int, int] = (0, 0)
    adder_bits: int = 0
    # DRAM
    dram_type: str = ""
    against: str = ""
    note: str = ""

    @property
    def capacity_bytes(self) -> float:
        return self.depth * self.width_bits / 8.0

    @property
    def citation(self) -> str:
        unit = "compute" if self.kind == "mac" else "read"
        return f"{ROOT}/{self.case}, {self.component}, {unit} {self.read_pj:g} pJ"

    def describe(self) -> str:
        if self.kind == "mac":
            return (f"intmac {self.mult_bits[0]}x{self.mult_bits[1]}b mult + {self.adder_bits}b add, "
                    f"{self.technology_nm:g} nm")
        if self.kind == "dram":
            return f"DRAM {self.dram_type} {self.width_bits} b"
        banks = f", {self.banks} banks" if self.banks > 1 else ""
        return f"{self.accelergy_class} {self.depth}x{self.width_bits}{banks}, {self.technology_nm:g} nm"


_EY20 = "2020-baseline-eyeriss_like-alexnet-layer1"
_OS20 = "2020-baseline-simple_output_stationary-alexnet-layer1"
_EY24 = "2024-example-eyeriss_like-default_problem"
_EY19 = "2019-exercises-06-mapper-eyeriss256-cnn-layer"

REFERENCES: tuple[Reference, ...] = (
    # ---- SRAMs (CACTI) ----
    Reference("S1", "sram", _EY20, "shared_glb", "smartbuffer_SRAM", "2020", "Cacti", 45, 37.1, "fit",
              write_pj=37.635, max_pj=75.22, area_um2=1162549.0, depth=16384, width_bits=64, banks=32,
              address_generator=True),
    Reference("S2", "sram", _OS20, "pe_spad", "smartbuffer_SRAM", "2020", "Cacti", 45, 0.388, "fit",
              write_pj=0.568, area_um2=3087.39, depth=192, width_bits=16, address_generator=True),
    Reference("S3", "sram", "2020-exercises-03-conv1d+oc-3level-bypass", "GlobalBuffer", "SRAM", "2020", "Cacti",
              40, 51.447, "held-out", write_pj=48.165, area_um2=679274.0, depth=8192, width_bits=256),
    Reference("S4", "sram", "2020-exercises-01-conv1d-2level-os", "MainMemory", "SRAM", "2020", "Cacti", 40,
              19.951, "contradicted", write_pj=16.212, area_um2=746966.0, depth=32768, width_bits=64,
              against="S6", note="same class, node, depth and width as S6 (2024): 2.17x apart"),
    Reference("S5", "sram", _EY19, "GlobalBuffer", "SRAM", "2019", "Cacti", 40, 13.25, "held-out",
              write_pj=10.57, max_pj=26.493, depth=16384, width_bits=64),
    Reference("S6", "sram", "2024-ispass-01-conv1d-2level-os", "MainMemory", "SRAM", "2024", "CactiSRAM", 40,
              43.353054, "held-out", write_pj=30.878292, area_um2=707084.0, depth=32768, width_bits=64, banks=2),
    Reference("S7", "sram", _EY24, "shared_glb", "smartbuffer_SRAM", "2024", "CactiSRAM", 32, 18.183829,
              "held-out", write_pj=14.137929, area_um2=217363.36892, depth=16384, width_bits=64, banks=32,
              address_generator=True),
    # ---- register files (Aladdin tables; 2024 smartbuffer_RF: Library/Neurosim) ----
    Reference("R1", "regfile", _EY20, "DummyBuffer", "regfile", "2020", "Aladdin_table", 45, 0.104, "fit",
              max_pj=0.202, area_um2=235.68, depth=16, width_bits=16),
    Reference("R2", "regfile", "2020-exercises-00-conv1d-1level", "Buffer", "regfile", "2020", "Aladdin_table",
              40, 0.212, "fit", area_um2=887.84, depth=64, width_bits=8),
    Reference("R3", "regfile", _EY20, "ifmap_spad", "smartbuffer_RF", "2020", "Aladdin_table", 45, 0.146, "fit",
              max_pj=0.237, area_um2=379.68, depth=12, width_bits=16, address_generator=True),
    Reference("R4", "regfile", _EY20, "psum_spad", "smartbuffer_RF", "2020", "Aladdin_table", 45, 0.153, "fit",
              max_pj=0.251, area_um2=414.68, depth=16, width_bits=16, address_generator=True),
    Reference("R5", "regfile", _EY20, "weights_spad", "smartbuffer_RF", "2020", "Aladdin_table", 45, 0.824, "fit",
              max_pj=1.586, area_um2=3634.68, depth=192, width_bits=16, address_generator=True),
    Reference("R6", "regfile", _EY19, "InputRegFile", "regfile", "2019", "Aladdin_table", 40, 0.097, "held-out",
              max_pj=0.188, depth=12, width_bits=16),
    Reference("R7", "regfile", _EY19, "WeightRegFile", "regfile", "2019", "Aladdin_table", 40, 0.774, "held-out",
              max_pj=1.537, depth=192, width_bits=16),
    Reference("R8", "regfile", _EY19, "PsumRegFile", "regfile", "2019", "Aladdin_table", 40, 0.104, "held-out",
              max_pj=0.202, depth=16, width_bits=16),
    Reference("R9", "regfile", "2024-ispass-00-conv1d-1level", "Buffer", "regfile", "2024", "Aladdin_table", 40,
              0.42564, "contradicted", area_um2=887.84, depth=64, width_bits=8, banks=2, against="R2",
              note="same class, estimator, node, depth and width as R2 (2020): 2.01x apart"),
    Reference("R10", "regfile", _EY24, "ifmap_spad", "smartbuffer_RF", "2024", "Library/Neurosim", 32, 0.202442,
              "held-out", write_pj=0.176713, area_um2=70.091961, depth=64, width_bits=32, address_generator=True,
              note="logical 12 x 16 (8-bit data), storage memory_depth 64 x memory_width 32"),
    Reference("R11", "regfile", _EY24, "weights_spad", "smartbuffer_RF", "2024", "Library/Neurosim", 32, 1.976602,
              "held-out", write_pj=1.881657, area_um2=5816.44278, depth=192, width_bits=32, address_generator=True,
              note="logical 192 x 16 (8-bit data), storage 192 x 32"),
    Reference("R12", "regfile", _EY24, "psum_spad", "smartbuffer_RF", "2024", "Library/Neurosim", 32, 0.2513,
              "held-out", write_pj=0.2191, area_um2=123.627348, depth=64, width_bits=32, address_generator=True,
              note="logical 16 x 16 (16-bit data), storage 64 x 32"),
    Reference("R13", "register", _OS20, "weight_reg", "reg_storage", "2020", "Aladdin_table", 45, 0.009,
              "out-of-scope", area_um2=5.98, depth=1, width_bits=16,
              note="a single pipeline register (no address decode, no read mux): no accelsim level is one"),
    # ---- MACs ----
    Reference("M1", "mac", _EY20, "mac", "intmac", "2020", "Aladdin_table", 45, 2.2, "fit", area_um2=1239.5,
              mult_bits=(16, 16), adder_bits=32),
    Reference("M2", "mac", "2020-exercises-00-conv1d-1level", "MACC", "intmac", "2020", "Aladdin_table", 40, 0.561,
              "held-out", area_um2=332.25, mult_bits=(8, 8), adder_bits=16),
    Reference("M3", "mac", _EY19, "MACs", "intmac", "2019", "Aladdin_table", 40, 1.207, "held-out",
              mult_bits=(16, 16), adder_bits=32),
    Reference("M4", "mac", "2024-ispass-00-conv1d-1level", "MACC", "intmac", "2024", "Aladdin_table", 40, 0.845,
              "contradicted", area_um2=332.25, mult_bits=(8, 8), adder_bits=16, against="M2",
              note="same class, estimator, node and width as M2 (2020): 1.51x apart"),
    Reference("M5", "mac", _EY24, "mac", "intmac", "2024", "Library", 32, 0.207692, "held-out", area_um2=191.82,
              mult_bits=(8, 8), adder_bits=16),
    # ---- DRAM (per access of `width_bits`) ----
    Reference("D1", "dram", _EY20, "DRAM", "DRAM", "2020", "Cacti (table)", 65, 512.0, "fit", width_bits=64,
              dram_type="lpddr4", note="also the 2019 case and the 2024 eyeriss_like / vgg02 cases"),
    Reference("D2", "dram", "2020-exercises-03-conv1d+oc-3level-bypass", "MainMemory", "DRAM", "2020",
              "Cacti (table)", 65, 2048.0, "held-out", width_bits=256, dram_type="lpddr4",
              note="also 2024-ispass-03 (CactiDRAM)"),
)

BY_KEY = {r.key: r for r in REFERENCES}


def with_role(*roles: str) -> list[Reference]:
    return [r for r in REFERENCES if r.role in roles]
