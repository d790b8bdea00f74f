"""File formats: pydantic models of the YAML files and their conversion to spec objects.

Every model forbids unknown keys, and integers are strict (``3.5``, ``"3"`` and ``true`` are not
integers; a YAML ``3`` is). A file that breaks its format raises *one*
:class:`~accelsim.errors.SpecError` whose ``field`` is the dotted path of the first offending
value (``layers[2].R``, ``glb_words.shared``) and whose message names the violated constraint;
the spec types' own checks (an impossible layer shape, say) surface with the same paths. The
functions here take already-parsed data, so they never touch the file system; ``presets`` does.

Formats (``version: 1`` everywhere, and ``version: 2`` for per-data-type energy tables):

* workload: ``name``, ``source``?, ``layers: [{name, M, C, H, W, R, S, U?, G?, pad?, E?, F?,
  ifmap_zero_fraction?, density?: {ifmap?, filter?}, data?: {ifmap?, filter?}}]``
  (no ``N``: the batch is a run option; with ``pad`` or ``E``/``F``, ``H``/``W`` are the input
  size, see :class:`LayerEntry`; ``data`` names ``.npy`` files, read by the caller's loader);
* hardware: see :class:`HardwareFile` and ``workloads/hardware/README.md``;
* energy table: ``name``, ``source``, ``unit`` (``mac`` | ``pj``), ``mac``, ``rf``, ``noc``,
  ``glb``, ``dram``; or, ``version: 2`` (per level and data type, :class:`TypedEnergyFile`):
  ``name``, ``source``, ``unit``, ``mac``, ``RF``, ``NoC``, ``GLB``, ``DRAM``;
* mappings: ``dataflow``, ``workload``, ``batch``?, ``layers: {name: mapping}``, where a
  mapping is :meth:`Mapping.to_dict`'s form or ``{eyeriss: {n, e, p, q, r, t}}``;
* constraints (partial mappings): the mapping file's header (``dataflow``, ``workload``,
  ``batch`` optional), ``all``? and ``layers: {name: constraints}``? — see
  :class:`ConstraintsFile` and :mod:`accelsim.spec.constraints`.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, ConfigDict, Field, Strict, ValidationError, create_model, field_validator,
                      model_validator)

from ..errors import AccelsimError, MappingError, SpecError
from ..spec.constraints import FactorPin, KeepPin, MappingConstraints, OrderPin
from ..spec.dims import Dataflow, DataType, Dim, EnergyUnit, Level, NocKind, NocMode, Place, TileLevel
from ..spec.energy import AccessCosts, EnergyTable, TypedEnergyTable, uniform_costs
from ..spec.energy_model import DramKind, EnergyModel
from ..spec.hardware import (FLAG_GROUPS, Buffer, Clusters, EnergySource, GlbBanks, Hardware, NoC, Precision, Routers,
                             SparsePe)
from ..spec.layer import ConvLayer, TensorData, Workload, padded_extent
from ..spec.mapping import Mapping

#: Largest integer a file may give (2**40, about 1.1e12 words, layer extents or PEs): the kernels
#: count in int64, multiplying such values, and the mapper factorises loop bounds by trial division.
MAX_INT = 2**40

PosInt = Annotated[int, Strict(), Field(ge=1, le=MAX_INT)]
NonNegInt = Annotated[int, Strict(), Field(ge=0, le=MAX_INT)]
PosFloat = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Name = Annotated[str, Strict(), Field(min_length=1)]
Text = Annotated[str, Strict()]
Flag = Annotated[bool, Strict()]

DataflowName = Literal[tuple(d.value for d in Dataflow)]  # type: ignore[valid-type]
NocKindName = Literal[tuple(k.value for k in NocKind)]  # type: ignore[valid-type]
UnitName = Literal[tuple(u.value for u in EnergyUnit)]  # type: ignore[valid-type]

ENERGY_KEYS = ("mac", "rf", "noc", "glb", "dram")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- workload
Density = Annotated[float, Strict(), Field(gt=0, le=1, allow_inf_nan=False)]


class DensityEntry(_Model):
    """A layer's stated densities: fractions of non-zero values, in (0, 1]."""

    ifmap: Density | None = None
    filter: Density | None = None


class DataEntry(_Model):
    """A layer's real tensors or masks: ``.npy`` paths, relative to the workload file."""

    ifmap: Name | None = None
    filter: Name | None = None


class LayerEntry(_Model):
    """One layer of a workload file; ``M`` and ``C`` are totals over all groups.

    ``H``/``W`` are the padded extents the filter reads, unless ``pad`` or the output size
    ``E``/``F`` is given: then they are the input size, and the layer gets the extent its
    output needs (:func:`~accelsim.spec.layer.padded_extent`, PyTorch's floor semantics).
    ``pad`` is zeros on each side, one integer or ``[top/bottom, left/right]`` (PyTorch's
    ``padding``).
    """

    name: Name
    M: PosInt
    C: PosInt
    H: PosInt
    W: PosInt
    R: PosInt
    S: PosInt
    U: PosInt = 1
    G: PosInt = 1
    pad: Any = None
    E: PosInt | None = None
    F: PosInt | None = None
    #: zeros in the layer's ifmap, replacing the run's default (e.g. 0: no ReLU before the layer)
    ifmap_zero_fraction: Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    #: fractions of non-zeros of the ifmap and the filters (Eyeriss v2's sparse workloads)
    density: DensityEntry | None = None
    #: ``.npy`` files of the ifmap (one image) and the filters: values or boolean masks
    data: DataEntry | None = None

    @model_validator(mode="after")
    def _one_statement(self) -> "LayerEntry":
        """Each fact once: a tensor's density or its data; the ifmap's zeros or its density."""
        for kind in ("ifmap", "filter"):
            if self.density is not None and self.data is not None and getattr(self.density, kind) is not None \
                    and getattr(self.data, kind) is not None:
                raise ValueError(f"density.{kind} and data.{kind} both give the {kind}'s density; give one "
                                 "(the data's is counted from it)")
        if self.ifmap_zero_fraction is not None and ((self.density is not None and self.density.ifmap is not None)
                                                     or (self.data is not None and self.data.ifmap is not None)):
            raise ValueError("ifmap_zero_fraction and density.ifmap (or data.ifmap) state one fact, the ifmap's "
                             "zeros (= 1 − density); give one")
        return self

    @field_validator("pad", mode="before")
    @classmethod
    def _pad(cls, value: Any) -> tuple[int, int] | None:
        """``pad`` as (rows, columns) added on each side."""
        if value is None:
            return None
        items = [value, value] if not isinstance(value, list) else value
        if len(items) != 2 or any(isinstance(v, bool) or not isinstance(v, int) for v in items):
            raise ValueError(f"must be an integer or a list of two integers [top/bottom, left/right], got {value!r}")
        if any(not 0 <= v <= MAX_INT for v in items):
            raise ValueError(f"must be >= 0 and <= {MAX_INT}, got {value!r}")
        return items[0], items[1]

    def shape(self) -> dict[str, int]:
        """The :class:`ConvLayer` fields: ``H``, ``W`` padded as ``pad``/``E``/``F`` say.

        Raises
        ------
        SpecError
            Inconsistent or impossible padding (field ``<name>.pad``, ``.E`` or ``.F``).
        """
        pad_h, pad_w = self.pad if self.pad is not None else (None, None)
        fields = self.model_dump(exclude={"pad", "E", "F", "ifmap_zero_fraction", "density", "data"})
        fields["H"] = padded_extent(self.H, self.R, self.U, pad=pad_h, out=self.E, axis="H", layer=self.name)
        fields["W"] = padded_extent(self.W, self.S, self.U, pad=pad_w, out=self.F, axis="W", layer=self.name)
        return fields


class WorkloadFile(_Model):
    """A workload file (docs/architecture.md, *Results*)."""

    version: Literal[1]
    name: Name
    source: Text = ""
    layers: Annotated[list[LayerEntry], Field(min_length=1)]


# --------------------------------------------------------------------------- energy
class EnergyFile(_Model):
    """An energy-table file (``workloads/energy/*.yaml``): cost of one access per level."""

    version: Literal[1]
    name: Name
    source: Text
    unit: UnitName
    mac: NonNegFloat
    rf: NonNegFloat
    noc: NonNegFloat
    glb: NonNegFloat
    dram: NonNegFloat

    @model_validator(mode="after")
    def _some_cost(self) -> "EnergyFile":
        _check_some_cost(self)
        return self


def _check_some_cost(table: Any) -> None:
    """An energy table whose every cost is 0 makes energies, and the ratios between them, empty."""
    if all(getattr(table, k) == 0 for k in ENERGY_KEYS):
        raise ValueError(f"every cost ({', '.join(ENERGY_KEYS)}) is 0; at least one must be > 0")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_cost(value: float, what: str) -> None:
    """A plain number standing for several costs: finite and >= 0 (checked here, so that the
    error names the key the file wrote, not the keys the number expands to)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"must be >= 0, got {value!r} ({what})")


class ReadWrite(_Model):
    """Energy per word read and per word written (a psum update is a write)."""

    read: NonNegFloat
    write: NonNegFloat


class TypedLevel(_Model):
    """One storage level of a version-2 energy file: a cost per data type, each a number (read
    and write alike) or ``{read, write}``."""

    ifmap: ReadWrite
    filter: ReadWrite
    psum: ReadWrite

    @field_validator("ifmap", "filter", "psum", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        if _number(value):
            _check_cost(value, "energy per word read and written")
            return {"read": value, "write": value}
        if not isinstance(value, dict):
            raise ValueError(f"must be a number or {{read, write}}, got {value!r}")
        return value


class NocTypes(_Model):
    """The NoC of a version-2 energy file: energy per word delivered into a PE, per data type."""

    ifmap: NonNegFloat
    filter: NonNegFloat
    psum: NonNegFloat


class TypedEnergyFile(_Model):
    """A version-2 energy file: energy per MAC, and per word read and written at each level and
    data type (:class:`~accelsim.spec.energy.TypedEnergyTable`).

    ``RF``, ``GLB`` and ``DRAM`` are each a number (every data type and direction), or
    ``{ifmap, filter, psum}`` whose entries are a number or ``{read, write}``; ``NoC`` is a
    number or ``{ifmap, filter, psum}`` of numbers (energy per word delivered into a PE). All in
    ``unit`` per 1-word access (the word of the data type's precision).
    """

    version: Literal[2]
    name: Name
    source: Text
    unit: UnitName
    mac: NonNegFloat
    RF: TypedLevel
    NoC: NocTypes
    GLB: TypedLevel
    DRAM: TypedLevel

    @field_validator("RF", "GLB", "DRAM", "NoC", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        if _number(value):
            _check_cost(value, "every data type")
            return {t.label: value for t in DataType}
        if not isinstance(value, dict):
            raise ValueError(f"must be a number or {{ifmap, filter, psum}}, got {value!r}")
        return value

    def costs(self) -> AccessCosts:
        """The file's costs (:class:`~accelsim.spec.energy.AccessCosts`)."""
        words = []
        for level in Level:
            section = getattr(self, level.label)
            if level is Level.NOC:
                per_type = tuple(getattr(section, t.label) for t in DataType)
                words.append((per_type, (0.0, 0.0, 0.0)))
            else:
                words.append((tuple(getattr(section, t.label).read for t in DataType),
                               tuple(getattr(section, t.label).write for t in DataType)))
        return AccessCosts(mac=self.mac, words=tuple(words), unit=EnergyUnit(self.unit),  # type: ignore[arg-type]
                           source=self.source)

    @model_validator(mode="after")
    def _some_cost(self) -> "TypedEnergyFile":
        if not any(self.costs().flat()):
            raise ValueError("every cost is 0; at least one must be > 0")
        return self


DramKindName = Literal[tuple(k.value for k in DramKind)]  # type: ignore[valid-type]


class ModelSection(_Model):
    """``energy: {model: {...}}``: the energy model's parameters (:class:`EnergyModel`)."""

    technology_nm: PosFloat = 65.0
    dram: DramKindName = DramKind.LPDDR4.value
    glb_access_bits: PosInt = 64
    #: the clock/static term, pJ per PE per cycle of run time (0: none; ``EnergyModel``)
    clock_pj_per_pe_cycle: NonNegFloat = 0.0


class EnergySection(_Model):
    """The ``energy`` key of a hardware file.

    ``model`` (or ``{model: {technology_nm, dram, glb_access_bits}}``): energies derived from
    the machine by :class:`~accelsim.spec.energy_model.EnergyModel`. Otherwise a fixed table:
    ``{preset: name}`` (or just ``name``; a preset name or an energy file, version 1 or 2),
    optionally overriding single costs (on a version-2 table ``rf: 0.5`` makes every RF data type
    and direction cost 0.5), or a full inline table ``{mac, rf, noc, glb, dram, unit, source?}``.
    """

    model: ModelSection | None = None
    preset: Name | None = None
    unit: UnitName | None = None
    mac: NonNegFloat | None = None
    rf: NonNegFloat | None = None
    noc: NonNegFloat | None = None
    glb: NonNegFloat | None = None
    dram: NonNegFloat | None = None
    source: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if data == "model":
            return {"model": {}}
        return {"preset": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _complete(self) -> "EnergySection":
        if self.model is not None:
            others = [k for k in ("preset", "unit", *ENERGY_KEYS, "source") if getattr(self, k) is not None]
            if others:
                raise ValueError(f"the model derives every cost; remove {', '.join(others)}")
            return self
        if self.preset is not None:
            if self.unit is not None:
                raise ValueError("give either a preset or a unit with a full table, not both")
            return self
        missing = [k for k in (*ENERGY_KEYS, "unit") if getattr(self, k) is None]
        if missing:
            raise ValueError(f"give a preset, or an inline table; missing {', '.join(missing)}")
        _check_some_cost(self)
        return self


# --------------------------------------------------------------------------- hardware
class PEArraySection(_Model):
    """PE array shape."""

    rows: PosInt
    cols: PosInt


class StorageSection(_Model):
    """A storage level's capacity: words (or bytes) dedicated per data type plus a shared pool."""

    shared: NonNegInt = 0
    ifmap: NonNegInt = 0
    filter: NonNegInt = 0
    psum: NonNegInt = 0


class ClustersSection(_Model):
    """``noc.clusters`` of a hierarchical mesh: a ``rows × cols`` array of clusters of
    ``pe_rows × pe_cols`` PEs (:class:`~accelsim.spec.hardware.Clusters`)."""

    rows: PosInt
    cols: PosInt
    pe_rows: PosInt
    pe_cols: PosInt


class RouterSection(_Model):
    """One data type's routers per cluster (:class:`~accelsim.spec.hardware.Routers`)."""

    count: PosInt
    source_ports: PosInt
    destination_ports: PosInt
    port_bits: PosInt
    vertical_links: Flag = True
    horizontal_links: Flag = True


class RoutersSection(_Model):
    """``noc.routers`` of a hierarchical mesh: the routers of one cluster, per data type (psums
    both ways: psum-in and the GON's psums out use the psum routers)."""

    ifmap: RouterSection
    filter: RouterSection
    psum: RouterSection


class GlbBankSection(_Model):
    """One data type's GLB banks per cluster (:class:`~accelsim.spec.hardware.GlbBanks`):
    ``count`` banks of ``bytes`` bytes, each with a ``port_bits``-bit port."""

    count: PosInt
    bytes: PosInt
    port_bits: PosInt


class GlbBanksSection(_Model):
    """``noc.glb_banks`` of a hierarchical mesh: the GLB banks of one cluster per data type; a
    type left out has no GLB (Eyeriss v2: filter, weights stream from off-chip to the PEs)."""

    ifmap: GlbBankSection | None = None
    filter: GlbBankSection | None = None
    psum: GlbBankSection | None = None


#: the NoC rates, words per cycle, a flat NoC defaults to (4 each)
NOC_RATE_KEYS = ("ifmap_words_per_cycle", "filter_words_per_cycle", "psum_words_per_cycle", "gon_words_per_cycle")


class NoCSection(_Model):
    """On-chip network: kind and bus widths, words per cycle.

    Flat kinds (``gin``, ``broadcast``, ``unicast``, ``systolic``): every width defaults to 4.
    ``hmesh`` (Eyeriss v2's hierarchical mesh) needs ``clusters`` and ``routers``; its ifmap,
    filter, psum-in and GON rates are per active cluster and derived from the routers and the
    precision (:func:`_noc`); a rate the file gives must equal the derived one. It may give
    ``glb_banks`` (per cluster and data type); the GLB's size and bandwidth are then derived
    from them (:func:`_glb`).
    """

    kind: NocKindName = NocKind.GIN.value
    ifmap_words_per_cycle: PosInt | None = None
    filter_words_per_cycle: PosInt | None = None
    psum_words_per_cycle: PosInt | None = None
    gon_words_per_cycle: PosInt | None = None
    local_words_per_cycle: PosInt = 4
    clusters: ClustersSection | None = None
    routers: RoutersSection | None = None
    glb_banks: GlbBanksSection | None = None


class PrecisionSection(_Model):
    """Bits per word of each data type (``word_bits`` sets all three)."""

    ifmap: PosInt = 16
    filter: PosInt = 16
    psum: PosInt = 16


class SparsePeSection(_Model):
    """``sparse_pe``: the PE skips zero iacts and weights (:class:`~accelsim.spec.hardware.SparsePe`)."""

    simd: PosInt = 2


class _HardwareSections(_Model):
    """Every key of a hardware file but its on/off flags (:class:`HardwareFile`)."""

    version: Literal[1]
    name: Name
    source: Text = ""
    #: required unless the NoC is a hierarchical mesh (then derived from ``noc.clusters``; if
    #: given, it must agree)
    pe_array: PEArraySection | None = None
    rf_words: StorageSection | None = None
    rf_bytes: StorageSection | None = None
    glb_words: StorageSection | None = None
    glb_bytes: StorageSection | None = None
    #: words per bank of the GLB's shared pool, each bank wholly one data type per layer (0: not
    #: banked); the pool must then be a whole number of banks. Words of the pool: bytes when the
    #: pool is given in bytes and the data types' widths differ
    glb_bank_words: NonNegInt = 0
    word_bits: PosInt | None = None
    precision: PrecisionSection | None = None
    clock_hz: PosFloat = 200e6
    #: words per cycle of the off-chip link; ``unlimited``: DRAM never stalls the array
    #: (``math.inf``; SCALE-Sim's CALC bandwidth mode)
    dram_words_per_cycle: Annotated[float, Strict(), Field(gt=0)] = 4.0
    glb_words_per_cycle: PosFloat = 16.0
    pe_pipeline_depth: PosInt = 1
    noc: NoCSection = NoCSection()
    energy: EnergySection | None = None
    dataflow: DataflowName | None = None
    sparse_pe: SparsePeSection | None = None

    @field_validator("dram_words_per_cycle", mode="before")
    @classmethod
    def _unlimited(cls, value: Any) -> Any:
        """``unlimited`` as ``math.inf``; any other value a finite number > 0."""
        if value == "unlimited":
            return math.inf
        if isinstance(value, str) or (isinstance(value, float) and not math.isfinite(value)):
            raise ValueError(f"must be a number > 0 or unlimited, got {value!r}")
        return value


#: A hardware file; mirrors :class:`~accelsim.spec.hardware.Hardware`, with every flag of its
#: groups (:data:`~accelsim.spec.hardware.FLAGS`) a top-level key.
HardwareFile = create_model(
    "HardwareFile", __base__=_HardwareSections, __module__=__name__,
    __doc__=("A hardware file; mirrors :class:`~accelsim.spec.hardware.Hardware`.\n\n"
             "Storage is given in words (``rf_words``, ``glb_words``) or bytes (``rf_bytes``, ``glb_bytes``, "
             "whole words only); the RF sizes are per PE. The on/off flags of ``Hardware.rules``, ``.model`` "
             "and ``.effects`` are top-level keys (``allow_psum_spill: false``)."),
    **{f.name: (Flag, f.default) for cls in FLAG_GROUPS.values() for f in fields(cls)},
)


# --------------------------------------------------------------------------- mappings
class EyerissParams(_Model):
    """Eyeriss RS parameters (JSSC 2017, Table III)."""

    n: PosInt
    e: PosInt
    p: PosInt
    q: PosInt
    r: PosInt
    t: PosInt
    split: PosInt = 1
    t_on_rows: Flag = True
    filter_blocks: PosInt = 1


class ResidenceSection(_Model):
    """Loop index from which each data type's tile is kept (``null``: bypass)."""

    ifmap: NonNegInt | None = None
    filter: NonNegInt | None = None
    psum: NonNegInt | None = None


NocModeName = Literal[tuple(m.value for m in NocMode)]  # type: ignore[valid-type]


class NocModesSection(_Model):
    """The NoC mode of each data type a hierarchical-mesh mapping implies, stated for the reader:
    each mode given must equal the one the loops imply (:func:`accelsim.spec.noc_modes.noc_modes`)."""

    ifmap: NocModeName | None = None
    filter: NocModeName | None = None
    psum: NocModeName | None = None


class MappingEntry(_Model):
    """One layer's mapping: :meth:`Mapping.to_dict`'s form, or Eyeriss RS parameters; optionally
    the NoC modes its loops imply (``noc_modes``, checked)."""

    eyeriss: EyerissParams | None = None
    dataflow: Text | None = None
    loops: list[list[Any]] | None = None
    glb: ResidenceSection | None = None
    rf: ResidenceSection | None = None
    notes: dict[str, Any] | None = None
    noc_modes: NocModesSection | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "MappingEntry":
        if (self.eyeriss is None) == (self.loops is None):
            raise ValueError("give either 'loops' (a loop nest) or 'eyeriss' (RS parameters)")
        if self.eyeriss is not None and (self.glb is not None or self.rf is not None):
            raise ValueError("'eyeriss' parameters fix the residences; drop 'glb' and 'rf'")
        return self


class MappingFile(_Model):
    """A mapping file (``workloads/mappings/*.yaml``): mappings of a workload's layers."""

    version: Literal[1]
    dataflow: DataflowName
    workload: Name
    batch: PosInt | None = None
    source: Text = ""
    layers: Annotated[dict[Name, MappingEntry], Field(min_length=1)]


# --------------------------------------------------------------------------- constraints
DimName = Literal[tuple(d.name for d in Dim)]  # type: ignore[valid-type]
TypeName = Literal[tuple(t.label for t in DataType)]  # type: ignore[valid-type]
#: ``{C: 4, M: 16}`` or Timeloop's ``"C=4 M=16"``
Factors = dict[DimName, PosInt] | Text


class PlaceFactors(_Model):
    """Pinned factors per place: ``outer`` (temporal above the array: DRAM and GLB), ``crow``,
    ``ccol`` (spatial across a hierarchical mesh's clusters), ``row``, ``col`` (spatial), ``pe``
    (temporal inside a PE)."""

    outer: Factors | None = None
    crow: Factors | None = None
    ccol: Factors | None = None
    row: Factors | None = None
    col: Factors | None = None
    pe: Factors | None = None


class PlaceOrder(_Model):
    """Pinned relative loop order per temporal place, outermost first."""

    outer: list[DimName] | None = None
    pe: list[DimName] | None = None


class AxisDims(_Model):
    """The only dimensions an array axis may hold (Timeloop's spatial split)."""

    row: list[DimName] | None = None
    col: list[DimName] | None = None


class LevelTypes(_Model):
    """Data types per tile level."""

    glb: list[TypeName] | None = None
    rf: list[TypeName] | None = None


class ConstraintEntry(_Model):
    """One layer's partial mapping; everything left out is searched."""

    factors: PlaceFactors | None = None
    permutation: PlaceOrder | None = None
    spatial: AxisDims | None = None
    bypass: LevelTypes | None = None
    keep: LevelTypes | None = None
    min_utilization: Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)] | None = None


class ConstraintsFile(_Model):
    """A constraints file (``--constraints``): partial mappings the mapper completes. The
    header is the mapping file's, all optional: a ``dataflow`` must be the run's, a
    ``workload`` the run's, a ``batch`` the run's. ``all`` applies to every layer without an
    entry in ``layers``."""

    version: Literal[1]
    dataflow: DataflowName | None = None
    workload: Name | None = None
    batch: PosInt | None = None
    source: Text = ""
    all: ConstraintEntry | None = None
    layers: dict[Name, ConstraintEntry] | None = None


_FACTOR_TEXT = re.compile(r"^\s*([A-Za-z])\s*=\s*(\d+)\s*$")


def _factor_items(value: Any, at: str, origin: str) -> list[tuple[Dim, int]]:
    """``{C: 4}`` or ``"C=4 M=16"`` as (dim, factor) pairs."""
    if isinstance(value, dict):
        return [(Dim[d], f) for d, f in value.items()]
    out = []
    for part in value.replace(",", " ").split():
        match = _FACTOR_TEXT.match(part)
        if not match or match.group(1).upper() not in Dim.__members__ or int(match.group(2)) < 1:
            raise SpecError(f"expected DIM=FACTOR items such as 'C=4 M=16' (DIM one of "
                            f"{' '.join(d.name for d in Dim)}, FACTOR >= 1), got {part!r}{_where(origin)}", field=at)
        out.append((Dim[match.group(1).upper()], int(match.group(2))))
    return out


def _entry_constraints(entry: ConstraintEntry, at: str, origin: str) -> MappingConstraints:
    factors: list[FactorPin] = []
    if entry.factors is not None:
        for place in Place:
            value = getattr(entry.factors, place.value)
            if value is not None:
                here = f"{at}.factors.{place.value}"
                for dim, factor in _factor_items(value, here, origin):
                    factors.append(FactorPin(place, dim, factor, f"{here}.{dim.name}" if isinstance(value, dict)
                                             else here))
    if entry.spatial is not None:
        for place in (Place.ROW, Place.COL):
            listed = getattr(entry.spatial, place.value)
            if listed is not None:
                factors += [FactorPin(place, d, 1, f"{at}.spatial.{place.value}") for d in Dim if d.name not in listed]
    orders = []
    if entry.permutation is not None:
        for place in (Place.OUTER, Place.PE):
            listed = getattr(entry.permutation, place.value)
            if listed is not None:
                if len(set(listed)) != len(listed):
                    raise SpecError(f"lists a dimension twice: {listed}{_where(origin)}",
                                    field=f"{at}.permutation.{place.value}")
                orders.append(OrderPin(place, tuple(Dim[d] for d in listed), f"{at}.permutation.{place.value}"))
    keeps = []
    for key, keep in (("bypass", False), ("keep", True)):
        section = getattr(entry, key)
        for level in TileLevel if section is not None else ():
            for name in getattr(section, level.value) or ():
                dtype = next(t for t in DataType if t.label == name)
                if any(k.level is level and k.dtype is dtype for k in keeps):
                    raise SpecError(f"{name} is both kept and bypassed at {level.value}{_where(origin)}",
                                    field=f"{at}.{key}.{level.value}")
                keeps.append(KeepPin(level, dtype, keep, f"{at}.{key}.{level.value}"))
    return MappingConstraints(factors=tuple(factors), orders=tuple(orders), keeps=tuple(keeps),
                              min_utilization=entry.min_utilization or 0.0,
                              utilization_field=f"{at}.min_utilization", origin=origin)


def constraints_from_data(data: Any, workload: Workload, batch: int, dataflows: list[Dataflow],
                          origin: str = "") -> dict[str, MappingConstraints]:
    """Build ``{layer name: MappingConstraints}`` from parsed constraints-file data, checked
    against every layer of ``workload`` at ``batch`` under every one of ``dataflows``
    (:func:`accelsim.dataflows.lowering.search_space`), so a pin no mapping can meet fails
    before any search.

    Raises
    ------
    SpecError
        A format violation; a workload, batch or dataflow mismatch; an unknown layer; a pin
        the dataflow or the layer cannot meet (``field`` is its path, the message names
        ``origin``).
    """
    from ..dataflows import template  # deferred: dataflows is heavier than io
    from ..dataflows.lowering import search_space

    doc = validate(ConstraintsFile, data, origin)
    if doc.workload is not None and doc.workload.lower() != workload.name.lower():
        raise SpecError(f"this file constrains workload {doc.workload!r}, not {workload.name!r}{_where(origin)}",
                        field="workload")
    if doc.batch is not None and doc.batch != batch:
        raise SpecError(f"this file's constraints are for batch {doc.batch}, the run uses batch {batch}"
                        f"{_where(origin)}", field="batch")
    other = [df.value for df in dataflows if doc.dataflow is not None and df.value != doc.dataflow]
    if other:
        raise SpecError(f"this file constrains {doc.dataflow} mappings, the run also maps {', '.join(other)}"
                        f"{_where(origin)}", field="dataflow")
    names = [layer.name for layer in workload.layers]
    for name in doc.layers or {}:
        if name not in names:
            raise SpecError(f"no layer {name!r} in workload {workload.name} (layers: {', '.join(names)})"
                            f"{_where(origin)}", field=format_path(("layers", name)))
    out: dict[str, MappingConstraints] = {}
    for layer in workload.with_batch(batch).layers:
        entry = (doc.layers or {}).get(layer.name)
        at = format_path(("layers", layer.name)) if entry is not None else "all"
        entry = entry if entry is not None else doc.all
        if entry is None:
            continue
        cons = _entry_constraints(entry, at, origin)
        for df in dataflows:
            search_space(template(df), layer, cons, clusters=cons.pins_clusters)
        out[layer.name] = cons
    return out


# --------------------------------------------------------------------------- errors
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def format_path(loc: tuple[str | int, ...]) -> str:
    """Dotted path of a location: ``("layers", 2, "R")`` → ``layers[2].R``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


def _unwrap(tp: Any, part: str | int) -> Any:
    """The type found one step into ``tp`` by ``part`` (a field name, list index or dict key)."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _unwrap(typing.get_args(tp)[0], part)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            found = _unwrap(arg, part)
            if found is not None:
                return found
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(part) if isinstance(part, str) else None
        return field.annotation if field is not None else None
    if origin is list and isinstance(part, int):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    return None


def _allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp, part)
        if tp is None:
            return []
    while typing.get_origin(tp) in (typing.Union, types.UnionType, Annotated):
        tp = next((a for a in typing.get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _describe(err: dict, model: type[BaseModel]) -> str:
    """A short message naming the constraint one pydantic error violated."""
    kind, loc, ctx, value = err["type"], err["loc"], err.get("ctx") or {}, err.get("input")
    if kind == "extra_forbidden":
        key = loc[-1]
        if key == "N" and loc[:1] == ("layers",):
            return "unknown key 'N': the batch size is a run option, not part of a workload file"
        allowed = _allowed_keys(model, loc[:-1])
        return f"unknown key {key!r}" + (f"; allowed keys: {', '.join(allowed)}" if allowed else "")
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    try:
        shown = repr(value)
    except ValueError:  # an int of more than 4300 digits
        shown = "an integer of thousands of digits"
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    messages = {
        "int_type": f"must be an integer, got {shown}",
        "float_type": f"must be a number, got {shown}",
        "finite_number": f"must be a finite number, got {shown}",
        "string_type": f"must be a string, got {shown}",
        "bool_type": f"must be true or false, got {shown}",
        "list_type": f"must be a list, got {shown}",
        "dict_type": f"must be a mapping (key: value), got {shown}",
        "model_type": f"must be a mapping (key: value), got {shown}",
        "model_attributes_type": f"must be a mapping (key: value), got {shown}",
        "greater_than_equal": f"must be >= {ctx.get('ge')}, got {shown}",
        "greater_than": f"must be > {ctx.get('gt')}, got {shown}",
        "less_than_equal": f"must be <= {ctx.get('le')}, got {shown}",
        "literal_error": f"must be one of {ctx.get('expected')}, got {shown}",
        "too_short": f"must have at least {ctx.get('min_length')} item(s)",
        "string_too_short": "must not be empty",
        "invalid_key": f"keys must be strings, got {shown}",
    }
    if kind in messages:
        return messages[kind]
    return str(err["msg"]).removeprefix("Value error, ")


def _where(origin: str) -> str:
    return f" (in {origin})" if origin else ""


def _validation_error(exc: ValidationError, model: type[BaseModel], origin: str) -> SpecError:
    # an unknown key is usually a misspelt one: report it before the "missing" it causes
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    message = _describe(first, model) + _where(origin)
    if len(errors) > 1:
        others = ", ".join(f"{format_path(e['loc']) or 'document'} ({_describe(e, model)})" for e in errors[1:4])
        more = f" and {len(errors) - 4} more" if len(errors) > 4 else ""
        message += f"; {len(errors) - 1} more problem(s): {others}{more}"
    return SpecError(message, field=format_path(first["loc"]) or None)


def validate(model: type[BaseModel], data: Any, origin: str = "") -> BaseModel:
    """Validate parsed file data against a format model.

    Parameters
    ----------
    model : type of BaseModel
        One of :class:`WorkloadFile`, :class:`HardwareFile`, :class:`EnergyFile`,
        :class:`MappingFile`.
    data : Any
        Parsed YAML.
    origin : str
        File name for error messages.

    Raises
    ------
    SpecError
        ``field`` is the path of the first problem; the message lists up to three more.
    """
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise SpecError(f"the document must be a mapping of keys to values, it is {kind}{_where(origin)}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, model, origin) from None


def _rebase(exc: AccelsimError, old_prefix: str, new_prefix: str, origin: str) -> AccelsimError:
    """The same error with its field moved from ``old_prefix`` to ``new_prefix``."""
    field = exc.field or ""
    if field == old_prefix:
        field = new_prefix
    elif field.startswith(old_prefix + ".") or field.startswith(old_prefix + "["):
        field = new_prefix + field[len(old_prefix):]
    elif not field:
        field = new_prefix
    return type(exc)(exc.message + _where(origin), field=field)


def check_layer_size(layer: ConvLayer, field: str, origin: str = "", batch: int | None = None) -> None:
    """Check that ``layer`` at ``batch`` (default its own ``N``) is small enough to count
    exactly (:meth:`ConvLayer.size_problem`, :data:`~accelsim.spec.layer.MAX_COUNT`).

    Raises
    ------
    SpecError
        A count over the limit; ``field`` is ``field`` (the layer's path, or the batch option).
    """
    problem = layer.size_problem(batch)
    if problem:
        raise SpecError(problem + _where(origin), field=field)


# --------------------------------------------------------------------------- conversion
#: Reads one ``data`` file of a layer: (path as written, layer, ``ifmap`` | ``filter``, field path) → data.
TensorLoader = Callable[[str, ConvLayer, str, str], TensorData]


def _with_densities(layer: ConvLayer, entry: LayerEntry, at: str, origin: str,
                    load: TensorLoader | None) -> ConvLayer:
    """``layer`` with the entry's stated densities and its ``data`` read by ``load``."""
    extra: dict[str, Any] = {}
    for kind in ("ifmap", "filter"):
        density = getattr(entry.density, kind) if entry.density is not None else None
        path = getattr(entry.data, kind) if entry.data is not None else None
        if path is not None:
            if load is None:
                raise SpecError(f"data files are read relative to a workload file; none given here{_where(origin)}",
                                f"{at}.data.{kind}")
            tensor = load(path, layer, kind, f"{at}.data.{kind}")
            extra[f"{kind}_data"], density = tensor, tensor.density
        if density is not None:
            extra[f"{kind}_density"] = density
    return replace(layer, **extra) if extra else layer


def workload_from_data(data: Any, origin: str = "", load_tensor: TensorLoader | None = None) -> Workload:
    """Build a :class:`Workload` (layers at ``N = 1``) from parsed workload-file data.

    Parameters
    ----------
    data : Any
        Parsed YAML.
    origin : str
        The file, for messages.
    load_tensor : callable, optional
        Reads a layer's ``data`` files (:data:`TensorLoader`; ``io.presets.load_workload`` passes
        :func:`accelsim.io.tensordata.load_tensor_data` relative to the file). Without it a
        ``data`` key is an error.

    Raises
    ------
    SpecError
        A format violation or an impossible layer shape, with field ``layers[i].<key>``
        (``layers[i].density.ifmap``, ``layers[i].data.filter``: a bad density or data file).
    """
    doc = validate(WorkloadFile, data, origin)
    layers = []
    for i, entry in enumerate(doc.layers):
        try:
            layer = ConvLayer(N=1, **entry.shape())
        except SpecError as exc:
            raise _rebase(exc, entry.name, f"layers[{i}]", origin) from None
        layers.append(_with_densities(layer, entry, f"layers[{i}]", origin, load_tensor))
    try:
        zeros = tuple((e.name, e.ifmap_zero_fraction) for e in doc.layers if e.ifmap_zero_fraction is not None)
        return Workload(name=doc.name, layers=tuple(layers), source=doc.source,
                        meta={"path": origin} if origin else {}, ifmap_zero_fractions=zeros)
    except SpecError as exc:
        raise _rebase(exc, "layers", "layers", origin) from None


def energy_from_data(data: Any, origin: str = "") -> EnergyTable | TypedEnergyTable:
    """Build an energy table from parsed energy-file data.

    ``version: 1`` (one cost per level) gives an :class:`EnergyTable`, ``version: 2`` (per
    level, data type and direction, :class:`TypedEnergyFile`) a :class:`TypedEnergyTable`.

    Raises
    ------
    SpecError
        A format violation; ``field`` is the key's path (``GLB.psum.write``).
    """
    version = data.get("version") if isinstance(data, dict) else None
    if version == 2:
        typed = validate(TypedEnergyFile, data, origin)
        return TypedEnergyTable(costs=typed.costs(), name=typed.name)
    if isinstance(data, dict) and "version" in data and version != 1:
        raise SpecError(f"must be 1 (one cost per level) or 2 (per level and data type), got {version!r}"
                        f"{_where(origin)}", field="version")
    doc = validate(EnergyFile, data, origin)
    return EnergyTable(**{k: getattr(doc, k) for k in ENERGY_KEYS}, unit=EnergyUnit(doc.unit),
                       source=doc.source, name=doc.name)


#: a version-1 key overriding a whole level of a per-data-type table
_OVERRIDE_LEVELS = {"rf": Level.RF, "noc": Level.NOC, "glb": Level.GLB, "dram": Level.DRAM}


def _override_typed(base: TypedEnergyTable, overrides: dict[str, float], source: str) -> TypedEnergyTable:
    """``base`` with ``mac`` replaced and each overridden level costing one value for every
    data type and direction."""
    costs = base.costs
    uniform = uniform_costs(overrides.get("mac", costs.mac), {lv: overrides.get(key, 0.0)
                                                              for key, lv in _OVERRIDE_LEVELS.items()},
                            costs.unit, source)
    words = tuple(uniform.words[lv] if lv.name.lower() in overrides else costs.words[lv] for lv in Level)
    return TypedEnergyTable(costs=AccessCosts(mac=uniform.mac, words=words, unit=costs.unit,  # type: ignore[arg-type]
                                              source=source), name=f"{base.name}+overrides")


def _energy(section: EnergySection | None, preset: Callable[[str], EnergyTable | TypedEnergyTable],
            origin: str) -> EnergySource:
    if section is None:
        return EnergyModel()
    if section.model is not None:
        m = section.model
        return EnergyModel(technology_nm=m.technology_nm, dram=DramKind(m.dram), glb_access_bits=m.glb_access_bits,
                           clock_pj_per_pe_cycle=m.clock_pj_per_pe_cycle)
    if section.preset is None:
        return EnergyTable(**{k: getattr(section, k) for k in ENERGY_KEYS}, unit=EnergyUnit(section.unit),
                           source=section.source or f"inline table{_where(origin)}", name="inline")
    try:
        base = preset(section.preset)
    except SpecError as exc:
        raise SpecError(exc.message + _where(origin), field="energy.preset") from None
    overrides = {k: getattr(section, k) for k in ENERGY_KEYS if getattr(section, k) is not None}
    source = section.source if section.source is not None else base.source
    if overrides and section.source is None:
        changed = ", ".join(f"{k}={v:g}" for k, v in overrides.items())
        source = f"{base.source}; overridden: {changed}"
    if isinstance(base, TypedEnergyTable):
        if not overrides and section.source is None:
            return base
        return _override_typed(base, overrides, source) if overrides else TypedEnergyTable(
            costs=replace(base.costs, source=source), name=base.name)
    return EnergyTable(**{k: getattr(base, k) for k in ENERGY_KEYS} | overrides, unit=base.unit, source=source,
                       name=base.name if not overrides else f"{base.name}+overrides")


def _buffer(doc: HardwareFile, level: str, precision: Precision, origin: str) -> Buffer:
    """The level's :class:`Buffer`. Sizes in words are words of each data type's width, the
    shared pool's of the widest type's (or ``word_bits``); sizes in bytes become whole words of
    each type, and the shared pool whole words of ``word_bits`` when every type shares that
    width, else a pool of bytes (``pool_word_bits`` 8; ``glb_bank_words`` then counts bytes)."""
    words, size_bytes = getattr(doc, f"{level}_words"), getattr(doc, f"{level}_bytes")
    if (words is None) == (size_bytes is None):
        state = "both" if words is not None else "neither"
        raise SpecError(f"give exactly one of {level}_words and {level}_bytes, got {state}{_where(origin)}",
                        field=f"{level}_words")
    pool_word_bits = None
    if words is not None:
        sizes = words.model_dump()
    else:
        bits = dict(zip(("ifmap", "filter", "psum"), precision.per_type))
        if precision.uniform_bits is None:
            pool_word_bits = 8  # mixed widths: the pool holds bits, counted in bytes
        bits["shared"] = pool_word_bits or precision.uniform_bits
        sizes = {}
        for key, value in size_bytes.model_dump().items():
            word = bits[key]
            if (value * 8) % word:
                raise SpecError(f"{value} bytes is not a whole number of {word}-bit words{_where(origin)}",
                                field=f"{level}_bytes.{key}")
            sizes[key] = value * 8 // word
    bank = doc.glb_bank_words if level == "glb" else 0
    unit = "words" if pool_word_bits is None else "bytes"
    if bank and (sizes["shared"] < bank or sizes["shared"] % bank):
        raise SpecError(f"the shared pool ({sizes['shared']} {unit}) must be a whole number >= 1 of banks of "
                        f"{bank} {unit}{_where(origin)}", field="glb_bank_words")
    return Buffer(shared_words=sizes["shared"], ifmap_words=sizes["ifmap"], filter_words=sizes["filter"],
                  psum_words=sizes["psum"], bank_words=bank, pool_word_bits=pool_word_bits)


def _precision(doc: HardwareFile, origin: str) -> Precision:
    if doc.word_bits is not None and doc.precision is not None:
        raise SpecError(f"give word_bits (all data types) or precision (each), not both{_where(origin)}",
                        field="precision")
    if doc.precision is not None:
        p = doc.precision
        return Precision(ifmap_bits=p.ifmap, filter_bits=p.filter, psum_bits=p.psum)
    bits = 16 if doc.word_bits is None else doc.word_bits
    return Precision(ifmap_bits=bits, filter_bits=bits, psum_bits=bits)


def _noc(doc: HardwareFile, precision: Precision, origin: str) -> NoC:
    """The :class:`NoC`. Flat kinds: the file's widths (default 4 words per cycle). ``hmesh``:
    the clusters and routers, and the per-cluster rates derived from them
    (:meth:`Routers.words_per_cycle` at the data type's bits; psum-in and GON from the psum
    routers) — a rate the file states must equal the derived one."""
    sec = doc.noc
    kind = NocKind(sec.kind)
    if kind is not NocKind.HMESH:
        for key in ("clusters", "routers", "glb_banks"):
            if getattr(sec, key) is not None:
                raise SpecError(f"{key} describe a hierarchical mesh; this NoC's kind is {kind.value} "
                                f"(set kind: hmesh or remove {key}){_where(origin)}", field=f"noc.{key}")
        return NoC(kind=kind, local_words_per_cycle=sec.local_words_per_cycle,
                   **{k: getattr(sec, k) if getattr(sec, k) is not None else 4 for k in NOC_RATE_KEYS})
    for key in ("clusters", "routers"):
        if getattr(sec, key) is None:
            raise SpecError(f"missing required key {key!r}: a hierarchical mesh (kind: hmesh) needs its "
                            f"clusters and routers{_where(origin)}", field=f"noc.{key}")
    routers = []
    for t in DataType:
        r = getattr(sec.routers, t.label)
        bits = precision.of(t)
        if r.port_bits < bits:
            raise SpecError(f"a {r.port_bits}-bit port cannot carry one {bits}-bit {t.label} word{_where(origin)}",
                            field=f"noc.routers.{t.label}.port_bits")
        routers.append(Routers(**r.model_dump()))
    derived = {}
    for key, t in zip(NOC_RATE_KEYS, (DataType.IFMAP, DataType.FILTER, DataType.PSUM, DataType.PSUM)):
        bits = precision.of(t)
        r = routers[t]
        derived[key] = r.words_per_cycle(bits)
        given = getattr(sec, key)
        if given is not None and given != derived[key]:
            raise SpecError(f"under hmesh this rate is derived from the {t.label} routers: {r.count} router(s) x "
                            f"({r.port_bits} // {bits}) = {derived[key]} words per cycle per cluster, got {given} "
                            f"(give {derived[key]} or leave it out){_where(origin)}", field=f"noc.{key}")
    c = sec.clusters
    return NoC(kind=kind, local_words_per_cycle=sec.local_words_per_cycle,
               clusters=Clusters(rows=c.rows, cols=c.cols, pe_rows=c.pe_rows, pe_cols=c.pe_cols),
               routers=tuple(routers), glb_banks=_glb_banks(sec.glb_banks, precision, origin),
               **derived)  # type: ignore[arg-type]


def _glb_banks(sec: GlbBanksSection | None, precision: Precision,
               origin: str) -> tuple[GlbBanks | None, GlbBanks | None, GlbBanks | None] | None:
    """``noc.glb_banks`` as one :class:`GlbBanks` (or ``None``: no GLB) per data type; a port
    narrower than its type, or a bank that is not a whole number of its type's words, is refused."""
    if sec is None:
        return None
    banks: list[GlbBanks | None] = []
    for t in DataType:
        b = getattr(sec, t.label)
        if b is None:
            banks.append(None)
            continue
        bits = precision.of(t)
        if b.port_bits < bits:
            raise SpecError(f"a {b.port_bits}-bit bank port cannot carry one {bits}-bit {t.label} word"
                            f"{_where(origin)}", field=f"noc.glb_banks.{t.label}.port_bits")
        if (b.bytes * 8) % bits:
            raise SpecError(f"a bank of {b.bytes} bytes is not a whole number of {bits}-bit {t.label} words"
                            f"{_where(origin)}", field=f"noc.glb_banks.{t.label}.bytes")
        banks.append(GlbBanks(count=b.count, bank_bytes=b.bytes, port_bits=b.port_bits))
    if all(b is None for b in banks):
        raise SpecError(f"give the banks of at least one data type (ifmap, filter, psum), or leave glb_banks out "
                        f"for a GLB given as one pool{_where(origin)}", field="noc.glb_banks")
    return tuple(banks)  # type: ignore[return-value]


def _glb(doc: HardwareFile, noc: NoC, precision: Precision, origin: str) -> tuple[Buffer, float]:
    """The GLB and its bandwidth (words per cycle). Without ``noc.glb_banks``: the file's
    ``glb_words`` / ``glb_bytes`` and ``glb_words_per_cycle``. With them (an hmesh): derived
    (:meth:`NoC.banked_glb`, :meth:`NoC.banked_glb_words_per_cycle`); a size or bandwidth the
    file states must equal the derived one, and the GLB has no shared pool to bank."""
    if noc.glb_banks is None:
        return _buffer(doc, "glb", precision, origin), doc.glb_words_per_cycle
    glb, rate = noc.banked_glb(precision), noc.banked_glb_words_per_cycle(precision)
    clusters = noc.clusters.count  # type: ignore[union-attr]
    if doc.glb_words is not None and doc.glb_bytes is not None:
        raise SpecError(f"give at most one of glb_words and glb_bytes (both derived from noc.glb_banks), got both"
                        f"{_where(origin)}", field="glb_words")
    for unit in ("words", "bytes"):
        stated = getattr(doc, f"glb_{unit}")
        if stated is None:
            continue
        for key, t in (("shared", None), *((t.label, t) for t in DataType)):
            bank = None if t is None else noc.glb_banks[t]
            if bank is None:
                want, how = 0, "no banks" if t is not None else "no shared pool"
            else:
                want = glb.dedicated_words[t] if unit == "words" else clusters * bank.count * bank.bank_bytes
                how = (f"{clusters} clusters x {bank.count} banks x {bank.bank_bytes} bytes"
                       + ("" if unit == "bytes" else f" of {precision.of(t)}-bit {t.label} words"))
            got = getattr(stated, key)
            if got != want:
                raise SpecError(f"derived from noc.glb_banks: {how} = {want} {unit}, got {got} (give {want} or "
                                f"leave glb_{unit} out){_where(origin)}", field=f"glb_{unit}.{key}")
    if doc.glb_bank_words:
        raise SpecError(f"the GLB's banks are noc.glb_banks (per cluster and data type); the pool's "
                        f"glb_bank_words does not apply, got {doc.glb_bank_words}{_where(origin)}",
                        field="glb_bank_words")
    if "glb_words_per_cycle" in doc.model_fields_set and doc.glb_words_per_cycle != rate:
        terms = " + ".join(f"{b.count} x ({b.port_bits} // {precision.of(t)})"
                           for t, b in zip(DataType, noc.glb_banks) if b is not None)
        raise SpecError(f"derived from noc.glb_banks: {clusters} clusters x ({terms}) = {rate} words per cycle, "
                        f"got {doc.glb_words_per_cycle:g} (give {rate} or leave it out){_where(origin)}",
                        field="glb_words_per_cycle")
    return glb, float(rate)


def _pe_array(doc: HardwareFile, noc: NoC, origin: str) -> tuple[int, int]:
    """(rows, cols) of PEs: ``pe_array``, or under ``hmesh`` the clusters' (``pe_array`` may then
    be left out; if given it must agree)."""
    cl = noc.clusters
    if cl is None:
        if doc.pe_array is None:
            raise SpecError(f"missing required key 'pe_array'{_where(origin)}", field="pe_array")
        return doc.pe_array.rows, doc.pe_array.cols
    shape = (cl.rows * cl.pe_rows, cl.cols * cl.pe_cols)
    if doc.pe_array is not None:
        for key, got, want, per in (("rows", doc.pe_array.rows, shape[0], "pe_rows"),
                                    ("cols", doc.pe_array.cols, shape[1], "pe_cols")):
            if got != want:
                raise SpecError(f"{getattr(cl, key)} cluster {key} of {getattr(cl, per)} PEs are {want} PE {key}, "
                                f"got {got} (fix it or leave pe_array out){_where(origin)}", field=f"pe_array.{key}")
    return shape


# where Hardware.__post_init__ field names live in the file
_HW_FIELDS = {"pe_rows": "pe_array.rows", "pe_cols": "pe_array.cols",
              "glb.shared_words": "glb_words.shared", "rf.shared_words": "rf_words.shared"}


def hardware_from_data(data: Any, energy_preset: Callable[[str], EnergyTable | TypedEnergyTable],
                       origin: str = "") -> Hardware:
    """Build a :class:`Hardware` from parsed hardware-file data.

    Parameters
    ----------
    data : Any
        Parsed YAML.
    energy_preset : callable
        Resolves ``energy: {preset: name}`` to an :class:`EnergyTable` or a
        :class:`TypedEnergyTable` (raises ``SpecError``).
    origin : str
        File name for error messages.
    """
    doc = validate(HardwareFile, data, origin)
    precision = _precision(doc, origin)
    noc = _noc(doc, precision, origin)
    pe_rows, pe_cols = _pe_array(doc, noc, origin)
    glb, glb_words_per_cycle = _glb(doc, noc, precision, origin)
    try:
        return Hardware(
            name=doc.name,
            pe_rows=pe_rows,
            pe_cols=pe_cols,
            rf=_buffer(doc, "rf", precision, origin),
            glb=glb,
            precision=precision,
            clock_hz=doc.clock_hz,
            dram_words_per_cycle=doc.dram_words_per_cycle,
            glb_words_per_cycle=glb_words_per_cycle,
            pe_pipeline_depth=doc.pe_pipeline_depth,
            noc=noc,
            energy=_energy(doc.energy, energy_preset, origin),
            dataflow=Dataflow(doc.dataflow) if doc.dataflow is not None else None,
            sparse_pe=SparsePe(simd=doc.sparse_pe.simd) if doc.sparse_pe is not None else None,
            **{group: cls(**{f.name: getattr(doc, f.name) for f in fields(cls)})
               for group, cls in FLAG_GROUPS.items()},
            source=doc.source,
        )
    except SpecError as exc:
        if exc.field in _HW_FIELDS:
            raise SpecError(exc.message + _where(origin), field=_HW_FIELDS[exc.field]) from None
        raise


def _check_loops(loops: list[list[Any]], at: str, origin: str) -> None:
    for j, item in enumerate(loops):
        here = f"{at}.loops[{j}]"
        if not 2 <= len(item) <= 4:
            hint = ""
            if item and isinstance(item[0], str) and item[0].lstrip().startswith("("):
                hint = "; quote a flattened group in a flow list: ['(N,E,F)', 15, row]"
            raise SpecError(f"a loop is [dim, factor, kind?, reduction?], got {item!r}{hint}{_where(origin)}",
                            field=here)
        factor = item[1]
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise SpecError(f"must be an integer, got {factor!r}{_where(origin)}", field=f"{here}[1]")
        if factor < 1:
            raise SpecError(f"must be >= 1, got {factor}{_where(origin)}", field=f"{here}[1]")
        for k in (0, 2, 3):
            if k < len(item) and not isinstance(item[k], str):
                raise SpecError(f"must be a string, got {item[k]!r}{_where(origin)}", field=f"{here}[{k}]")


def _entry_mapping(entry: MappingEntry, layer: ConvLayer, dataflow: str, at: str, origin: str) -> Mapping:
    if entry.eyeriss is not None:
        if dataflow != Dataflow.RS.value:
            raise SpecError(f"Eyeriss parameters describe the rs dataflow, this file's dataflow is "
                            f"{dataflow}{_where(origin)}", field=f"{at}.eyeriss")
        from ..dataflows.rs import from_eyeriss_params  # deferred: dataflows is heavier than io

        try:
            return from_eyeriss_params(layer, **entry.eyeriss.model_dump())
        except MappingError as exc:
            raise _rebase(exc, "mapping", f"{at}.eyeriss", origin) from None
    if entry.dataflow not in (None, "", dataflow):
        raise SpecError(f"this file's mappings are for {dataflow}, got {entry.dataflow!r}{_where(origin)}",
                        field=f"{at}.dataflow")
    _check_loops(entry.loops, at, origin)
    plain: dict[str, Any] = {"dataflow": dataflow, "loops": entry.loops}
    for key in ("glb", "rf"):
        section = getattr(entry, key)
        if section is not None:
            plain[key] = section.model_dump(exclude_unset=True)
    if entry.notes:
        plain["notes"] = entry.notes
    try:
        return Mapping.from_dict(plain)
    except MappingError as exc:
        raise _rebase(exc, "mapping", at, origin) from None


def _check_noc_modes(stated: NocModesSection, mapping: Mapping, at: str, origin: str) -> None:
    """Refuse a stated NoC mode that differs from the one the mapping's loops imply."""
    from ..spec.noc_modes import noc_modes

    derived = noc_modes(mapping)
    for t in DataType:
        given = getattr(stated, t.label)
        if given is not None and given != derived[t].value:
            raise SpecError(f"the loops make the {t.label} NoC mode {derived[t].value}, not {given} (the mode follows "
                            f"from the spatial loops: fix the loops or the stated mode){_where(origin)}",
                            field=f"{at}.noc_modes.{t.label}")


def mappings_from_data(data: Any, workload: Workload, batch: int, origin: str = "") -> dict[str, Mapping]:
    """Build ``{layer name: Mapping}`` from parsed mapping-file data.

    Parameters
    ----------
    data : Any
        Parsed YAML.
    workload : Workload
        The workload the file maps; its name must match the file's ``workload``.
    batch : int
        Batch size the mappings run at (Eyeriss parameters need it; loop nests must cover it).
    origin : str
        File name for error messages.

    Raises
    ------
    SpecError
        A format violation, a workload or batch mismatch, an unknown layer.
    MappingError
        A mapping that breaks the mapping rules or does not cover its layer; ``field`` starts
        with ``layers.<name>``.
    """
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise SpecError(f"must be an integer >= 1, got {batch!r}", field="batch")
    doc = validate(MappingFile, data, origin)
    if doc.workload.lower() != workload.name.lower():
        raise SpecError(f"this file maps workload {doc.workload!r}, not {workload.name!r}{_where(origin)}",
                        field="workload")
    if doc.batch is not None and doc.batch != batch:
        raise SpecError(f"this file's mappings are for batch {doc.batch}, the run uses batch {batch}{_where(origin)}",
                        field="batch")
    layers = {layer.name: layer.with_batch(batch) for layer in workload.layers}
    out: dict[str, Mapping] = {}
    for name, entry in doc.layers.items():
        at = format_path(("layers", name))
        if name not in layers:
            raise SpecError(f"no layer {name!r} in workload {workload.name} (layers: {', '.join(layers)})"
                            f"{_where(origin)}", field=at)
        mapping = _entry_mapping(entry, layers[name], doc.dataflow, at, origin)
        if entry.noc_modes is not None:
            _check_noc_modes(entry.noc_modes, mapping, at, origin)
        try:
            mapping.check_covers(layers[name].loop_bounds())
        except MappingError as exc:
            raise _rebase(exc, "mapping", at, origin) from None
        out[name] = mapping
    return out


def json_schema(kind: str) -> dict:
    """JSON schema of a file format, for editors: ``workload``, ``hardware``, ``energy``,
    ``energy-v2`` (per data type), ``mapping``, ``constraints``."""
    models = {"workload": WorkloadFile, "hardware": HardwareFile, "energy": EnergyFile,
              "energy-v2": TypedEnergyFile, "mapping": MappingFile, "constraints": ConstraintsFile}
    if kind not in models:
        raise SpecError(f"unknown format {kind!r}; choose one of {', '.join(models)}")
    return models[kind].model_json_schema()
