"""Enumerations shared by every module: loop dimensions, data types, storage levels."""

from __future__ import annotations

from enum import Enum, IntEnum


class Dim(IntEnum):
    """Loop dimensions of a (grouped) convolution; the integer is the kernel array index.

    ``M`` and ``C`` in a loop nest count filters and channels *per group*.
    """

    G = 0
    N = 1
    M = 2
    C = 3
    E = 4
    F = 5
    R = 6
    S = 7


class DataType(IntEnum):
    """Operand classes; the integer is the kernel array index."""

    IFMAP = 0
    FILTER = 1
    PSUM = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class Level(IntEnum):
    """Places that hold or move data, outermost first; the integer is the kernel array index."""

    DRAM = 0
    GLB = 1
    NOC = 2
    RF = 3

    @property
    def label(self) -> str:
        return "NoC" if self is Level.NOC else self.name


class LoopKind(IntEnum):
    """Whether a loop runs over time or over PEs (and which array axis)."""

    TEMPORAL = 0
    ROW = 1
    COL = 2


class Reduction(IntEnum):
    """How psums of PEs that share an output are combined across the array.

    ``NOC``: forwarded PE to PE (charged as NoC deliveries); ``TREE``: an adder tree at the
    array edge (DianNao-style, charged as nothing but the MACs); ``NONE``: not combined in the
    array, each PE sends its own psum to the parent level.
    """

    NONE = 0
    NOC = 1
    TREE = 2


class EnergyUnit(str, Enum):
    """Unit of an energy table and of every energy in a result."""

    MAC = "mac"  # multiples of one MAC's energy (ISCA 2016 Table IV)
    PJ = "pj"


class Place(str, Enum):
    """Where a loop of a mapping sits: temporal above the array (``outer``), across PE rows or
    columns, or temporal inside a PE (:meth:`accelsim.dataflows.base.Template.places`)."""

    OUTER = "outer"
    ROW = "row"
    COL = "col"
    PE = "pe"


class TileLevel(str, Enum):
    """A storage level with per-data-type tiles (DRAM holds everything)."""

    GLB = "glb"
    RF = "rf"


# Which dimensions index each data type (the kernel's relevance table).
RELEVANT: dict[DataType, frozenset[Dim]] = {
    DataType.IFMAP: frozenset({Dim.G, Dim.N, Dim.C, Dim.E, Dim.F, Dim.R, Dim.S}),
    DataType.FILTER: frozenset({Dim.G, Dim.M, Dim.C, Dim.R, Dim.S}),
    DataType.PSUM: frozenset({Dim.G, Dim.N, Dim.M, Dim.E, Dim.F}),
}

COMPONENTS: tuple[str, ...] = ("ALU", "RF", "NoC", "GLB", "DRAM")


class Dataflow(str, Enum):
    """Dataflow names (ISCA 2016 taxonomy, plus rigid systolic arrays)."""

    RS = "rs"
    WS = "ws"
    OSA = "osa"
    OSB = "osb"
    OSC = "osc"
    NLR = "nlr"
    SYS_WS = "sys-ws"
    SYS_OS = "sys-os"
    SYS_IS = "sys-is"


class NocKind(str, Enum):
    """On-chip network families a hardware file can choose."""

    GIN = "gin"              # Eyeriss: Y-bus + X-buses, multicast by (row, col) ID matching
    BROADCAST = "broadcast"  # one bus to all PEs
    UNICAST = "unicast"      # one destination per transaction
    SYSTOLIC = "systolic"    # neighbour links only
