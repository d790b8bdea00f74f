"""Hardware variants: set one :class:`~accelsim.spec.hardware.Hardware` field by name.

A sweep varies the machine along named axes (``vary: {glb_bytes: [65536, 131072]}``). This
module is the vocabulary of those names and the one place that turns ``(name, value)`` into a
new frozen ``Hardware`` (``dataclasses.replace``, so every invariant of the spec types is
checked again).

Names
-----
``pe_rows``, ``pe_cols``, ``pe_pipeline_depth`` (int); ``word_bits`` (all data types),
``ifmap_bits``, ``filter_bits``, ``psum_bits`` (int, :class:`~accelsim.spec.hardware.Precision`); ``clock_hz`` (Hz),
``dram_words_per_cycle``, ``glb_words_per_cycle`` (words per cycle) (number) — the top-level
fields; every on/off flag (bool) by its own name, :data:`~accelsim.spec.hardware.FLAGS` (the
fields of ``SearchRules``, ``ModelOptions`` and ``DataEffects``: ``zero_gating`` …).

``rf_words``, ``glb_words`` (int, words): shorthand making the level *one shared pool* of that
many words (the per-type dedicated words are dropped); ``rf_bytes``, ``glb_bytes`` (int,
bytes): the same in bytes (whole ``word_bits`` words; with mixed precision a pool of bytes,
``pool_word_bits`` 8). ``rf_shared_words``,
``rf_ifmap_words``, ``rf_filter_words``, ``rf_psum_words`` and the ``glb_`` ones (int, words):
one part of the level, the others kept (also spelt ``rf.shared_words`` …). RF sizes are per PE.
On a machine whose GLB is given by banks per cluster (``NoC.glb_banks``), varying a GLB size,
``glb_words_per_cycle`` or a word width drops the banks: the varied GLB is then one pool.

``noc.<field>`` (``noc.ifmap_words_per_cycle`` …, int; ``noc.kind``, a NoC kind name) and
``energy.<entry>`` (``energy.mac``, ``energy.rf``, ``energy.noc``, ``energy.glb``,
``energy.dram``: number, in the table's unit) — entries of a fixed :class:`~accelsim.spec.energy.EnergyTable`;
a machine priced by the energy model has none (``SpecError``).

``technology_nm`` (number, nm), ``dram`` (a :class:`~accelsim.spec.energy_model.DramKind` name:
``lpddr4``, ``ddr3`` …) and ``glb_access_bits`` (int, bits): parameters of the
:class:`~accelsim.spec.energy_model.EnergyModel`; a machine priced by a fixed table has none
(``SpecError``). Sizes and bits varied under the model change its energies by themselves
(the model derives them from the machine).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from ..errors import SpecError
from .dims import NocKind
from .energy import EnergyTable
from .energy_model import DramKind, EnergyModel
from .hardware import FLAGS, Buffer, Hardware


class ValueKind(str, Enum):
    """The type a varied field takes."""

    INT = "int"
    NUMBER = "number"
    BOOL = "bool"
    NOC_KIND = "noc kind"
    DRAM_KIND = "dram kind"


class Target(str, Enum):
    """Where a varied field lives."""

    TOP = "top"            # a Hardware field
    FLAG = "flag"          # one flag of a Hardware flag group (rules, model, effects)
    POOL_WORDS = "pool"    # rf/glb as one shared pool, in words
    POOL_BYTES = "bytes"   # rf/glb as one shared pool, in bytes
    BUFFER = "buffer"      # one Buffer field of rf/glb
    NOC = "noc"            # one NoC field
    ENERGY = "energy"      # one EnergyTable entry
    MODEL = "model"        # one EnergyModel parameter
    PRECISION = "bits"     # word bits of one data type, or of all three (word_bits)


@dataclass(frozen=True, slots=True)
class VaryField:
    """One variable hardware field.

    Attributes
    ----------
    kind : ValueKind
        Accepted value type.
    target : Target
        Which part of ``Hardware`` it sets.
    level : str
        ``rf`` or ``glb`` for buffer targets, the flag group (``rules`` …) for flags, else ``""``.
    attr : str
        Attribute name within the target (``shared_words``, ``dram`` …).
    """

    kind: ValueKind
    target: Target
    level: str = ""
    attr: str = ""


def _catalog() -> dict[str, VaryField]:
    out: dict[str, VaryField] = {}
    for name in ("pe_rows", "pe_cols", "pe_pipeline_depth"):
        out[name] = VaryField(ValueKind.INT, Target.TOP, attr=name)
    out["word_bits"] = VaryField(ValueKind.INT, Target.PRECISION, attr="")
    for t in ("ifmap", "filter", "psum"):
        out[f"{t}_bits"] = VaryField(ValueKind.INT, Target.PRECISION, attr=f"{t}_bits")
    for name in ("clock_hz", "dram_words_per_cycle", "glb_words_per_cycle"):
        out[name] = VaryField(ValueKind.NUMBER, Target.TOP, attr=name)
    for name, group in FLAGS.items():
        out[name] = VaryField(ValueKind.BOOL, Target.FLAG, group, name)
    for level in ("rf", "glb"):
        out[f"{level}_words"] = VaryField(ValueKind.INT, Target.POOL_WORDS, level)
        out[f"{level}_bytes"] = VaryField(ValueKind.INT, Target.POOL_BYTES, level)
        for part in ("shared", "ifmap", "filter", "psum"):
            spec = VaryField(ValueKind.INT, Target.BUFFER, level, f"{part}_words")
            out[f"{level}_{part}_words"] = spec
            out[f"{level}.{part}_words"] = spec
    for name in ("ifmap_words_per_cycle", "filter_words_per_cycle", "psum_words_per_cycle",
                 "gon_words_per_cycle", "local_words_per_cycle"):
        out[f"noc.{name}"] = VaryField(ValueKind.INT, Target.NOC, attr=name)
    out["noc.kind"] = VaryField(ValueKind.NOC_KIND, Target.NOC, attr="kind")
    for name in ("mac", "rf", "noc", "glb", "dram"):
        out[f"energy.{name}"] = VaryField(ValueKind.NUMBER, Target.ENERGY, attr=name)
    out["technology_nm"] = VaryField(ValueKind.NUMBER, Target.MODEL, attr="technology_nm")
    out["dram"] = VaryField(ValueKind.DRAM_KIND, Target.MODEL, attr="dram")
    out["glb_access_bits"] = VaryField(ValueKind.INT, Target.MODEL, attr="glb_access_bits")
    return out


#: The names that set a parameter of the energy model (the machine's energy must be the model).
MODEL_FIELDS: tuple[str, ...] = tuple(n for n, f in _catalog().items() if f.target is Target.MODEL)
#: The names that set an entry of a fixed energy table (the machine's energy must be such a table).
TABLE_FIELDS: tuple[str, ...] = tuple(n for n, f in _catalog().items() if f.target is Target.ENERGY)


def energy_conflict(name: str, energy) -> str | None:
    """Why ``name`` cannot be varied on a machine whose ``Hardware.energy`` is ``energy``
    (``None``: it can).

    Parameters
    ----------
    name : str
        A name of :data:`VARY_FIELDS`.
    energy : EnergyTable, TypedEnergyTable or EnergyModel
        The machine's energy source.
    """
    if name in MODEL_FIELDS and not isinstance(energy, EnergyModel):
        return (f"{name} is a parameter of the energy model, but this machine's energy is {energy.describe()}; "
                "price it with the model (sweep key energy: model, or energy: model in the hardware file)")
    if name in TABLE_FIELDS and not isinstance(energy, EnergyTable):
        return (f"{name} is an entry of a fixed energy table, but this machine's energy is {energy.describe()}; "
                + ("vary technology_nm, dram or glb_access_bits, or use energy: hardware or a table"
                   if isinstance(energy, EnergyModel) else "use energy: isca16 or another EnergyTable"))
    return None


#: Every name a sweep may vary, → how it is set.
VARY_FIELDS: dict[str, VaryField] = _catalog()


def vary_field(name: str) -> VaryField:
    """The :class:`VaryField` of ``name``.

    Raises
    ------
    SpecError
        Unknown name; ``field`` is ``vary.<name>`` and the message lists the choices.
    """
    try:
        return VARY_FIELDS[name]
    except (KeyError, TypeError):
        plain = sorted(n for n in VARY_FIELDS if not ("." in n and n.split(".")[0] in ("rf", "glb")))
        raise SpecError(f"unknown hardware field {name!r}; variable fields: {', '.join(plain)}",
                        field=f"vary.{name}") from None


def check_value(name: str, value: Any) -> Any:
    """Check the *type* of one value of a varied field (ranges are the spec types' business).

    Parameters
    ----------
    name : str
        A name of :data:`VARY_FIELDS`.
    value : Any
        The value.

    Returns
    -------
    Any
        The value (a ``NocKind`` name is lower-cased).

    Raises
    ------
    SpecError
        Unknown field or a value of the wrong type; ``field`` is ``vary.<name>``.
    """
    spec = vary_field(name)
    where = f"vary.{name}"
    if spec.kind is ValueKind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecError(f"must be an integer, got {value!r}", field=where)
    elif spec.kind is ValueKind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise SpecError(f"must be a finite number, got {value!r}", field=where)
    elif spec.kind is ValueKind.BOOL:
        if not isinstance(value, bool):
            raise SpecError(f"must be true or false, got {value!r}", field=where)
    else:
        choices = [k.value for k in (NocKind if spec.kind is ValueKind.NOC_KIND else DramKind)]
        if not isinstance(value, str) or value.lower() not in choices:
            raise SpecError(f"must be one of {', '.join(choices)}, got {value!r}", field=where)
        value = value.lower()
    return value


def _pool_of_bytes(hw: Hardware, value: int) -> Buffer:
    """A shared pool of ``value`` bytes: whole words when every data type shares one width
    (as a hardware file's ``*_bytes``), else a pool of bytes (``pool_word_bits`` 8)."""
    bits = hw.precision.uniform_bits
    if bits is None:
        return Buffer(shared_words=value, pool_word_bits=8)
    if bits % 8:
        raise SpecError(f"sizes in bytes need whole-byte words, word_bits is {bits}")
    per_word = bits // 8
    if value % per_word:
        raise SpecError(f"{value} bytes is not a whole number of {bits}-bit words")
    return Buffer(shared_words=value // per_word)


def with_field(hw: Hardware, name: str, value: Any) -> Hardware:
    """``hw`` with one field set.

    Parameters
    ----------
    hw : Hardware
        The base machine.
    name : str
        A name of :data:`VARY_FIELDS`.
    value : Any
        The new value (words, bytes, words per cycle, Hz or energy units, see the module doc).

    Returns
    -------
    Hardware
        A new machine (same ``name``).

    Raises
    ------
    SpecError
        An unknown name, a value of the wrong type, or one the spec types reject (a
        non-positive array size, a negative energy …); ``field`` is ``vary.<name>``.
    """
    value = check_value(name, value)
    spec = VARY_FIELDS[name]
    conflict = energy_conflict(name, hw.energy)
    if conflict is not None:
        raise SpecError(conflict, field=f"vary.{name}")
    if hw.noc.glb_banks is not None and (spec.level == "glb" or spec.attr == "glb_words_per_cycle"
                                         or spec.target is Target.PRECISION):
        # the GLB the banks describe changes: from here on it is described as one pool (Hardware.glb)
        hw = replace(hw, noc=replace(hw.noc, glb_banks=None))
    try:
        if spec.target is Target.TOP:
            return replace(hw, **{spec.attr: value})
        if spec.target is Target.PRECISION:
            names = (spec.attr,) if spec.attr else ("ifmap_bits", "filter_bits", "psum_bits")
            return replace(hw, precision=replace(hw.precision, **dict.fromkeys(names, value)))
        if spec.target is Target.POOL_WORDS:
            return replace(hw, **{spec.level: Buffer(shared_words=value)})
        if spec.target is Target.POOL_BYTES:
            return replace(hw, **{spec.level: _pool_of_bytes(hw, value)})
        if spec.target in (Target.BUFFER, Target.FLAG):
            return replace(hw, **{spec.level: replace(getattr(hw, spec.level), **{spec.attr: value})})
        if spec.target is Target.NOC:
            new = NocKind(value) if spec.attr == "kind" else value
            return replace(hw, noc=replace(hw.noc, **{spec.attr: new}))
        if spec.target is Target.MODEL:
            new = DramKind(value) if spec.attr == "dram" else value
            return replace(hw, energy=replace(hw.energy, **{spec.attr: new}))
        return replace(hw, energy=replace(hw.energy, **{spec.attr: float(value)}))
    except SpecError as exc:
        raise SpecError(exc.message, field=f"vary.{name}") from None


def apply_vary(hw: Hardware, values: dict[str, Any] | tuple[tuple[str, Any], ...]) -> Hardware:
    """``hw`` with every ``(name, value)`` of ``values`` set, in order (see :func:`with_field`)."""
    items = values.items() if isinstance(values, dict) else values
    for name, value in items:
        hw = with_field(hw, name, value)
    return hw
