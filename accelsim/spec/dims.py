"""Enumerations shared by every module: loop dimensions, data types, storage levels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from ..errors import MappingError


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


@dataclass(frozen=True, slots=True)
class Flat:
    """An ordered group of distinct dimensions a loop may run over as one flattened index
    (im2col: output pixels ``(N,E,F)``, a filter's ``(C,R,S)``), outer member first.

    The group's extent is the product of its members' layer bounds; its index ``p``
    (``0 <= p < extent``) decodes mixed-radix into member coordinates with the layer's bounds
    as radices: for ``(N,E,F)``, ``n = p // (E·F)``, ``e = (p // F) % E``, ``f = p % F``
    (:meth:`decode`). A group of one dimension is that dimension
    (:class:`~accelsim.spec.mapping.Loop` normalises it).

    Parameters
    ----------
    members : tuple of Dim
        The member dimensions, outer first; at least one, all distinct.

    Raises
    ------
    MappingError
        No members, a member that is not a :class:`Dim`, or a repeated member.
    """

    members: tuple[Dim, ...]

    def __post_init__(self) -> None:
        members = tuple(self.members)
        if not members or not all(isinstance(d, Dim) for d in members):
            raise MappingError(f"a flattened group lists one or more dimensions, got {self.members!r}", "dim")
        if len(set(members)) != len(members):
            raise MappingError(f"a flattened group lists each dimension once, got {_label(members)}", "dim")
        object.__setattr__(self, "members", members)

    @property
    def label(self) -> str:
        """``"(N,E,F)"``: the members outer first (the spelling of mapping files)."""
        return _label(self.members)

    @property
    def name(self) -> str:
        """:attr:`label`, so a loop's ``dim.name`` reads the same for a dimension and a group."""
        return self.label

    def __contains__(self, d) -> bool:
        return d in self.members

    def extent(self, bounds) -> int:
        """Product of the members' bounds (``bounds`` indexed by :class:`Dim`)."""
        out = 1
        for d in self.members:
            out *= int(bounds[d])
        return out

    def decode(self, p: int, bounds) -> dict[Dim, int]:
        """Member coordinates of flattened index ``p`` (mixed radix, the members' ``bounds`` as
        radices, the outer member most significant; ``p >= extent`` gives an outer coordinate
        at or past its bound)."""
        out = {}
        for d in reversed(self.members):
            b = int(bounds[d])
            out[d] = p % b if d is not self.members[0] else p
            p //= b
        return out

    @classmethod
    def parse(cls, text: str) -> "Flat | Dim":
        """A dimension (``"E"``) or a group (``"(N,E,F)"``; a one-member group is the dimension).

        Raises
        ------
        MappingError
            Not a dimension name or a parenthesised, comma-separated list of them.
        """
        raw = str(text).strip()
        if raw.startswith("(") and raw.endswith(")"):
            names = [x.strip() for x in raw[1:-1].split(",")]
        else:
            names = [raw]
        try:
            members = tuple(Dim[x.upper()] for x in names)
        except KeyError:
            choices = ", ".join(d.name for d in Dim)
            raise MappingError(f"unknown dimension in {text!r}; expected one of {choices} or a group like "
                               "(N,E,F)", "dim") from None
        return members[0] if len(members) == 1 else cls(members)


def _label(members) -> str:
    return "(" + ",".join(getattr(d, "name", str(d)) for d in members) + ")"


def loop_members(dim: "Dim | Flat") -> tuple[Dim, ...]:
    """The dimensions a loop over ``dim`` (a dimension or a group) moves."""
    return dim.members if isinstance(dim, Flat) else (dim,)


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
    """Whether a loop runs over time or over PEs (and which array axis). ``CROW`` / ``CCOL``
    run across the rows / columns of a hierarchical mesh's cluster array (``NocKind.HMESH``),
    above every ``ROW`` / ``COL`` loop, which then run inside one cluster."""

    TEMPORAL = 0
    ROW = 1
    COL = 2
    CROW = 3
    CCOL = 4

    @property
    def cluster(self) -> bool:
        """Spatial across clusters."""
        return self in (LoopKind.CROW, LoopKind.CCOL)


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
    """Where a loop of a mapping sits: temporal above the array (``outer``), across the rows or
    columns of a hierarchical mesh's cluster array (``crow``, ``ccol``; only on an hmesh
    machine), across PE rows or columns (inside one cluster on an hmesh machine), or temporal
    inside a PE (:meth:`accelsim.dataflows.base.Template.places`)."""

    OUTER = "outer"
    CROW = "crow"
    CCOL = "ccol"
    ROW = "row"
    COL = "col"
    PE = "pe"

    @property
    def kind(self) -> "LoopKind":
        """The :class:`LoopKind` of a loop at this place (``outer`` and ``pe``: temporal)."""
        return _KIND_OF_PLACE[self]

    @property
    def cluster(self) -> bool:
        """Spatial across clusters."""
        return self in (Place.CROW, Place.CCOL)


_KIND_OF_PLACE = {Place.OUTER: LoopKind.TEMPORAL, Place.CROW: LoopKind.CROW, Place.CCOL: LoopKind.CCOL,
                  Place.ROW: LoopKind.ROW, Place.COL: LoopKind.COL, Place.PE: LoopKind.TEMPORAL}


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
    RS_PLUS = "rs-plus"


class NocKind(str, Enum):
    """On-chip network families a hardware file can choose."""

    GIN = "gin"              # Eyeriss: Y-bus + X-buses, multicast by (row, col) ID matching
    BROADCAST = "broadcast"  # one bus to all PEs
    UNICAST = "unicast"      # one destination per transaction
    SYSTOLIC = "systolic"    # neighbour links only
    HMESH = "hmesh"          # Eyeriss v2: clusters of PEs, per-type routers, a 2-D mesh between clusters


class NocMode(str, Enum):
    """How a hierarchical mesh delivers one data type in one layer (Eyeriss v2, JETCAS 2019
    §III-B, Fig. 8): each PE its own data, every PE the same data, groups of neighbouring PEs
    the same data, or PEs at the same place in different groups the same data. A mapping's
    spatial loops imply it (:func:`accelsim.spec.noc_modes.noc_modes`)."""

    UNICAST = "unicast"
    BROADCAST = "broadcast"
    GROUPED = "grouped-multicast"
    INTERLEAVED = "interleaved-multicast"
