"""Accelergy energy reference tables (ERTs) as accelsim energy files (``version: 2``).

:func:`import_ert` reads an Accelergy ERT *summary* (``ERT_summary.yaml``, the file Timeloop
writes beside its stats) and, optionally, the architecture it was computed for, and returns the
energy per MAC and per word read and written at each accelsim level and data type;
:func:`energy_yaml` writes them as an energy file that
:func:`~accelsim.io.presets.load_energy` loads into a
:class:`~accelsim.spec.energy.TypedEnergyTable`. ``accelsim import accelergy`` is the command.

Formats read (energies in pJ, as Accelergy reports them):

* Accelergy 0.3: ``ERT_summary: {version: 0.3, table_summary: [{name, actions: [{name,
  energy | average_energy, …}]}]}``;
* Accelergy 0.4 (timeloopfe): the same layout with ``version: '0.4'`` and ``energy`` per action;
* the 2019 form: ``ERT_summary: {ERT summaries: {<component>: {<action>: {energy | average
  energy}}}}``.

An action's ``energy`` is used when given, else its ``average_energy`` (the mean over the
action's arguments, e.g. over data values).

Which component is which accelsim level (names compared without instance ranges such as
``[0..167]``, case-insensitively, on the last dotted segment):

* ``MAC``: the component with a ``mac_random`` (Accelergy 0.3, 2019) or ``compute`` (0.4)
  action; that action's energy is the MAC's;
* ``DRAM``: ``dram``, ``mainmemory``, ``main_memory``, ``offchip``;
* ``RF``: ``spad``, ``regfile``, ``registerfile``, ``register_file`` or an ``rf`` word; the data
  type from ``ifmap``/``input``/``iact``, ``weight``/``filter``, ``psum``/``output``/``ofmap`` in
  the name, and a name with none of them (one PE scratch pad) serves every data type;
* ``GLB``: ``glb``, ``globalbuffer``, ``global_buffer`` or ``buffer``, data types as for RF;
* ignored: spatial-fanout dummies (``DummyBuffer``, ``inter_*_spatial``), registers and
  anything else (listed by the command).

``--map SLOT=COMPONENT`` (``RF.ifmap=ifmap_spad``, ``RF=pe_spad``, ``MAC=MACC``, ``GLB=none`` for
a level the design lacks: cost 0) replaces the heuristics for that slot; a component named in
``--map`` is used only where ``--map`` puts it. A slot no component fills is an error naming it.

Actions: ``read`` is a word read; ``write`` a word written; ``update`` (Accelergy 0.4), when
present, is a psum written back (accelsim's psum write); a register's single ``access`` is both.

Per word: an ERT action is one *access* of the component's ``width``/``memory_width`` bits,
which moves ``block-size`` words (Timeloop's ``block_size``, by default width / word bits).
With the architecture (``--arch``: Timeloop's ``flattened_architecture.yaml``, or a v0.2/v0.3
``architecture: {subtree: …}`` tree) the energy per word is the action's energy divided by
``block-size``/``block_size`` when given, else by ``width`` (else ``memory_width``) over
``word-bits``/``word_bits``/``datawidth`` (``width`` first: Accelergy 0.4 rounds
``memory_width`` up for its tables). Without it, or for a component it does not describe, an
access is taken to move one word, and the file and the command say so.

NoC: the ERTs of the Timeloop exercises hold no network energy (Timeloop charges those networks
nothing); the NoC gets 0 per delivered word unless ``noc_pj`` is given.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..spec.dims import DataType, EnergyUnit, Level
from ..spec.energy import AccessCosts
from .yamlfile import parse_yaml, read_text

#: significant digits kept for every imported energy (what the written file holds)
DIGITS = 10


class ErtFormat(str, Enum):
    """The layout of an ERT summary."""

    V03 = "0.3"
    V04 = "0.4"
    V2019 = "2019"


class Part(str, Enum):
    """What an accelsim slot is filled from: the MAC, or one of the three charged storage levels."""

    MAC = "MAC"
    RF = "RF"
    GLB = "GLB"
    DRAM = "DRAM"


#: storage parts and the slots they fill, in file order
STORAGE = (Part.RF, Part.GLB, Part.DRAM)


@dataclass(frozen=True, slots=True)
class Slot:
    """One accelsim cost: the MAC, or a storage level × data type."""

    part: Part
    dtype: DataType | None = None

    @property
    def label(self) -> str:
        return self.part.value if self.dtype is None else f"{self.part.value}.{self.dtype.label}"


SLOTS = (Slot(Part.MAC),) + tuple(Slot(p, t) for p in STORAGE for t in DataType)


@dataclass(frozen=True, slots=True)
class ErtComponent:
    """One component of an ERT summary.

    Attributes
    ----------
    name : str
        As the ERT spells it (``system.eyeriss.PE[0..167].ifmap_spad``).
    actions : tuple of (str, float)
        Action name → energy per action, pJ.
    """

    name: str
    actions: tuple[tuple[str, float], ...]

    @property
    def short(self) -> str:
        """The last dotted segment without instance ranges (``ifmap_spad``)."""
        return _plain(self.name).rsplit(".", 1)[-1]

    def energy(self, *names: str) -> tuple[str, float] | None:
        """The first of ``names`` this component has, and its energy (pJ)."""
        table = dict(self.actions)
        return next(((n, table[n]) for n in names if n in table), None)


@dataclass(frozen=True, slots=True)
class Width:
    """How many words one access of a component moves, and why.

    Attributes
    ----------
    words : int
        Words per access (>= 1).
    how : str
        Where the number comes from (``block-size 4``, ``width 64 / 8-bit words``, or an assumption).
    assumed : bool
        ``True`` when no architecture attribute gave it (one word assumed).
    """

    words: int
    how: str
    assumed: bool = False


@dataclass(frozen=True, slots=True)
class SlotCost:
    """The cost of one slot and where it comes from.

    Attributes
    ----------
    slot : Slot
    component : str or None
        The ERT component (``None``: mapped to ``none``, cost 0).
    read, write : float
        pJ per word (the MAC: both its energy per MAC).
    actions : str
        The ERT actions used and their energies per access, pJ (``read 37.1, write 37.635``).
    width : Width or None
        Words per access (``None`` for the MAC and unmapped slots).
    """

    slot: Slot
    component: str | None
    read: float
    write: float
    actions: str
    width: Width | None


@dataclass(frozen=True, slots=True)
class ErtImport:
    """An imported ERT: the costs and the record of how they were obtained.

    Attributes
    ----------
    costs : AccessCosts
        pJ per MAC and per word (:attr:`AccessCosts.source` names the ERT and the mapping).
    slots : tuple of SlotCost
        One per :data:`SLOTS` entry.
    fmt : ErtFormat
    ert : str
        The ERT file as given.
    arch : str or None
        The architecture file, if any.
    ignored : tuple of (str, str)
        Components not used, with the reason.
    noc_pj : float or None
        The NoC cost given (``None``: 0, not in the ERT).
    """

    costs: AccessCosts
    slots: tuple[SlotCost, ...]
    fmt: ErtFormat
    ert: str
    arch: str | None
    ignored: tuple[tuple[str, str], ...]
    noc_pj: float | None

    @property
    def assumptions(self) -> list[str]:
        """Components whose accesses were taken to move one word, with why."""
        seen: dict[str, str] = {}
        for s in self.slots:
            if s.width is not None and s.width.assumed and s.component is not None:
                seen.setdefault(s.component, s.width.how)
        return [f"{name}: {how}" for name, how in seen.items()]


# ----------------------------------------------------------------------------- names
_RANGE = re.compile(r"\[\d+\.\.\d+\]")


def _plain(name: str) -> str:
    """``name`` lower-cased without instance ranges: ``System.PE[0..255].MACs`` → ``system.pe.macs``."""
    return _RANGE.sub("", name).lower()


_TYPE_WORDS = ((DataType.IFMAP, ("ifmap", "input", "iact")), (DataType.FILTER, ("weight", "filter")),
               (DataType.PSUM, ("psum", "output", "ofmap")))
_RF = re.compile(r"spad|regfile|registerfile|register_file|(?:^|[^a-z])rf(?:$|[^a-z])")
_GLB = re.compile(r"glb|globalbuffer|global_buffer|buffer")
_DRAM = re.compile(r"dram|mainmemory|main_memory|offchip")
_MAC_ACTIONS = ("mac_random", "compute")


def classify(comp: ErtComponent) -> tuple[Part | None, DataType | None, str]:
    """The part (and data type) a component's name and actions suggest.

    Returns
    -------
    tuple
        ``(part or None, data type or None, reason)``; a ``None`` data type at a storage part
        means every data type; the reason explains an ignored component.
    """
    short = comp.short
    if "dummy" in short or (short.startswith("inter_") and short.endswith("_spatial")):
        return None, None, "spatial-fanout dummy, holds nothing"
    if comp.energy(*_MAC_ACTIONS) is not None:
        return Part.MAC, None, ""
    if comp.energy("read", "write", "access", "update") is None:
        return None, None, "no read, write, update or access action"
    dtype = next((t for t, words in _TYPE_WORDS if any(w in short for w in words)), None)
    if _DRAM.search(short):
        return Part.DRAM, dtype, ""
    if _RF.search(short):
        return Part.RF, dtype, ""
    if _GLB.search(short):
        return Part.GLB, dtype, ""
    return None, None, "name matches no level (use --map)"


# ----------------------------------------------------------------------------- ERT summary
def _where(origin: str) -> str:
    return f" (in {origin})" if origin else ""


#: an action's energy: ``energy``, else the average (what accelsim prices with)
AVERAGE_KEYS = ("energy", "average_energy", "average energy")
#: an action's energy: ``energy``, else the maximum (what Timeloop 2019/2020 priced a vector access with)
MAX_KEYS = ("energy", "max_energy", "max energy")


def _energy_of(entry: Any, at: str, origin: str, keys: tuple[str, ...] = AVERAGE_KEYS) -> float | None:
    """An action's energy: the first of ``keys`` it has (default :data:`AVERAGE_KEYS`)."""
    if not isinstance(entry, dict):
        raise SpecError(f"must be a mapping (key: value), got {entry!r}{_where(origin)}", field=at)
    for key in keys:
        if key in entry:
            value = entry[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise SpecError(f"must be a finite number, got {value!r}{_where(origin)}", field=f"{at}.{key}"
                                if key.isidentifier() else f"{at}[{key!r}]")
            if value < 0:
                raise SpecError(f"must be >= 0, got {value!r}{_where(origin)}", field=f"{at}.{key}"
                                if key.isidentifier() else f"{at}[{key!r}]")
            return float(value)
    return None


def parse_ert(data: Any, origin: str = "", keys: tuple[str, ...] = AVERAGE_KEYS
              ) -> tuple[ErtFormat, list[ErtComponent]]:
    """Read the components of a parsed ERT summary.

    Parameters
    ----------
    data : Any
        The parsed ``ERT_summary.yaml``.
    origin : str
        File name for messages.
    keys : tuple of str
        Which energy of an action to take, first found (:data:`AVERAGE_KEYS`, :data:`MAX_KEYS`).

    Returns
    -------
    tuple
        The format and the components (actions without an energy are left out).

    Raises
    ------
    SpecError
        Not an ERT summary, or a malformed entry (``field`` its path).
    """
    if not isinstance(data, dict) or "ERT_summary" not in data:
        hint = " (this is a full ERT, key ERT: give the ERT_summary.yaml beside it)" if (
            isinstance(data, dict) and "ERT" in data) else ""
        raise SpecError(f"not an Accelergy ERT summary: expected a top-level key ERT_summary{hint}{_where(origin)}",
                        field="ERT_summary")
    summary = data["ERT_summary"]
    if not isinstance(summary, dict):
        raise SpecError(f"must be a mapping (key: value), got {summary!r}{_where(origin)}", field="ERT_summary")
    comps: list[ErtComponent] = []
    if "ERT summaries" in summary:
        table = summary["ERT summaries"]
        at = "ERT_summary['ERT summaries']"
        if not isinstance(table, dict):
            raise SpecError(f"must be a mapping of component to actions{_where(origin)}", field=at)
        for name, actions in table.items():
            here = f"{at}[{name!r}]"
            if not isinstance(actions, dict):
                raise SpecError(f"must be a mapping of action to energy{_where(origin)}", field=here)
            found = [(str(a), _energy_of(e, f"{here}.{a}", origin, keys)) for a, e in actions.items()]
            comps.append(ErtComponent(str(name), tuple((a, e) for a, e in found if e is not None)))
        return ErtFormat.V2019, comps
    if "table_summary" not in summary:
        raise SpecError(f"expected table_summary (Accelergy 0.3/0.4) or 'ERT summaries' (2019){_where(origin)}",
                        field="ERT_summary")
    fmt = ErtFormat.V04 if str(summary.get("version", "")).startswith("0.4") else ErtFormat.V03
    table = summary["table_summary"]
    if not isinstance(table, list):
        raise SpecError(f"must be a list of components{_where(origin)}", field="ERT_summary.table_summary")
    for i, entry in enumerate(table):
        here = f"ERT_summary.table_summary[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise SpecError(f"a component needs a name (string) and actions{_where(origin)}", field=here)
        actions = entry.get("actions")
        if not isinstance(actions, list):
            raise SpecError(f"must be a list of actions, got {actions!r}{_where(origin)}", field=f"{here}.actions")
        found = []
        for j, action in enumerate(actions):
            at = f"{here}.actions[{j}]"
            if not isinstance(action, dict) or not isinstance(action.get("name"), str):
                raise SpecError(f"an action needs a name (string){_where(origin)}", field=at)
            energy = _energy_of(action, at, origin, keys)
            if energy is not None:
                found.append((action["name"], energy))
        comps.append(ErtComponent(entry["name"], tuple(found)))
    if not comps:
        raise SpecError(f"has no components{_where(origin)}", field="ERT_summary.table_summary")
    return fmt, comps


# ----------------------------------------------------------------------------- architecture
def _attr_int(attrs: dict, keys: tuple[str, ...]) -> tuple[str, int] | None:
    for key in keys:
        value = attrs.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return key, value
    return None


def words_per_access(attrs: dict) -> Width | None:
    """Words one access moves, from a component's attributes (``None``: they do not say).

    ``block-size``/``block_size`` when given, else ``width`` (else ``memory_width``) divided by
    ``word-bits``/``word_bits``/``datawidth`` (rounded down, at least 1).
    """
    block = _attr_int(attrs, ("block-size", "block_size"))
    if block is not None:
        return Width(block[1], f"{block[0]} {block[1]}")
    width = _attr_int(attrs, ("width", "memory_width"))
    bits = _attr_int(attrs, ("word-bits", "word_bits", "datawidth"))
    if width is None or bits is None:
        return None
    words = max(1, width[1] // bits[1])
    return Width(words, f"{width[0]} {width[1]} / {bits[1]}-bit words")


def _walk_tree(node: Any, prefix: str, out: dict[str, dict], at: str, origin: str) -> None:
    if not isinstance(node, dict):
        raise SpecError(f"must be a mapping (key: value){_where(origin)}", field=at)
    name = node.get("name")
    here = f"{prefix}.{name}" if prefix and name else (name or prefix)
    for i, comp in enumerate(node.get("local") or []):
        if not isinstance(comp, dict) or not isinstance(comp.get("name"), str):
            raise SpecError(f"a component needs a name{_where(origin)}", field=f"{at}.local[{i}]")
        attrs = comp.get("attributes") or {}
        out[f"{here}.{comp['name']}" if here else comp["name"]] = attrs if isinstance(attrs, dict) else {}
    for i, child in enumerate(node.get("subtree") or []):
        _walk_tree(child, here, out, f"{at}.subtree[{i}]", origin)


def parse_arch(data: Any, origin: str = "") -> dict[str, dict]:
    """Components and their attributes from a parsed architecture file.

    Parameters
    ----------
    data : Any
        Timeloop's ``flattened_architecture.yaml`` (``architecture: {local: [...]}`` with full
        dotted names) or a v0.2/v0.3 tree (``architecture: {subtree: [...]}``, flattened here).
    origin : str
        File name for messages.

    Returns
    -------
    dict
        Full component name → attributes.
    """
    arch = data.get("architecture") if isinstance(data, dict) else None
    if not isinstance(arch, dict):
        raise SpecError(f"not a Timeloop architecture: expected a top-level key architecture{_where(origin)}",
                        field="architecture")
    if "nodes" in arch:
        raise SpecError(f"a v0.4 architecture tree is not read here; give the flattened_architecture.yaml "
                        f"Timeloop writes beside its outputs{_where(origin)}", field="architecture.nodes")
    out: dict[str, dict] = {}
    _walk_tree(arch, "", out, "architecture", origin)
    if not out:
        raise SpecError(f"has no components (expected local: or subtree:){_where(origin)}", field="architecture")
    return out


def _arch_width(comp: ErtComponent, arch: dict[str, dict] | None, arch_name: str) -> Width:
    if arch is None:
        return Width(1, "no --arch: one word per access assumed", assumed=True)
    plain = {_plain(k): v for k, v in arch.items()}
    attrs = plain.get(_plain(comp.name))
    if attrs is None:
        same = [v for k, v in plain.items() if k.rsplit(".", 1)[-1] == comp.short]
        attrs = same[0] if len(same) == 1 else None
    if attrs is None:
        return Width(1, f"not in {arch_name}: one word per access assumed", assumed=True)
    width = words_per_access(attrs)
    if width is None:
        return Width(1, f"{arch_name} gives no block-size or width and word bits: one word per access assumed",
                     assumed=True)
    return width


# ----------------------------------------------------------------------------- --map
_SLOT_TEXT = re.compile(r"^\s*(mac|rf|glb|dram)(?:\.(ifmap|filter|psum))?\s*=\s*(\S.*?)\s*$", re.IGNORECASE)


def parse_map(items: list[str] | tuple[str, ...]) -> dict[Slot, str | None]:
    """``--map`` items as slot → component text (``None``: ``none``, cost 0).

    ``RF=pe_spad`` sets all three RF data types; ``MAC`` takes no data type.

    Raises
    ------
    SpecError
        A malformed item or a slot given twice (field ``--map``).
    """
    out: dict[Slot, str | None] = {}
    for item in items:
        match = _SLOT_TEXT.match(item)
        if not match:
            raise SpecError(f"expected SLOT=COMPONENT with SLOT one of MAC, RF, GLB, DRAM, optionally .ifmap, "
                            f".filter or .psum (RF.ifmap=ifmap_spad), got {item!r}", field="--map")
        part = Part(match.group(1).upper())
        if part is Part.MAC and match.group(2):
            raise SpecError(f"the MAC has no data types, got {item!r}", field="--map")
        target = None if match.group(3).lower() == "none" else match.group(3)
        if part is Part.MAC and target is None:
            raise SpecError("MAC=none: the MAC energy must come from a component", field="--map")
        dtypes = [None] if part is Part.MAC else (
            [DataType[match.group(2).upper()]] if match.group(2) else list(DataType))
        for t in dtypes:
            slot = Slot(part, t)
            if slot in out:
                raise SpecError(f"{slot.label} is mapped twice", field="--map")
            out[slot] = target
    return out


def _find(text: str, comps: list[ErtComponent], origin: str) -> ErtComponent:
    """The component ``text`` names: its full name, its name without ranges, or its last segment."""
    key = _plain(text)
    for pick in (lambda c: c.name.lower() == text.lower(), lambda c: _plain(c.name) == key,
                 lambda c: c.short == key):
        found = [c for c in comps if pick(c)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise SpecError(f"{text!r} names several components ({', '.join(c.name for c in found)}); give the "
                            f"full name", field="--map")
    raise SpecError(f"no component {text!r} in {origin} (components: {', '.join(c.name for c in comps)})",
                    field="--map")


# ----------------------------------------------------------------------------- the import
def _round(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def _resolve(comps: list[ErtComponent], given: dict[Slot, str | None], origin: str
             ) -> tuple[dict[Slot, ErtComponent | None], list[tuple[str, str]]]:
    """Each slot's component: ``--map`` first, then the name heuristics."""
    chosen: dict[Slot, ErtComponent | None] = {s: (_find(t, comps, origin) if t is not None else None)
                                                for s, t in given.items()}
    pinned = {c.name for c in chosen.values() if c is not None}
    free = [c for c in comps if c.name not in pinned]
    classes = {c.name: classify(c) for c in comps}
    missing = []
    for slot in SLOTS:
        if slot in chosen:
            continue
        if slot.part is Part.MAC:
            options = [c for c in free if classes[c.name][0] is Part.MAC]
        else:
            options = [c for c in free if classes[c.name][:2] == (slot.part, slot.dtype)] or [
                c for c in free if classes[c.name][:2] == (slot.part, None)]
        if len(options) > 1:
            raise SpecError(f"several components could be {slot.label} ({', '.join(c.name for c in options)}); "
                            f"choose with --map {slot.label}=NAME{_where(origin)}", field="--map")
        if not options:
            missing.append(slot.label)
            continue
        chosen[slot] = options[0]
    if missing:
        for part in STORAGE:  # a whole level missing is named once
            labels = [Slot(part, t).label for t in DataType]
            if all(label in missing for label in labels):
                missing = [part.value if m == labels[0] else m for m in missing if m not in labels[1:]]
        raise SpecError(f"no component for {', '.join(missing)} among {', '.join(c.name for c in comps)}; "
                        f"name one with --map {missing[0]}=COMPONENT (or =none for cost 0){_where(origin)}",
                        field="--map")
    used = {c.name for c in chosen.values() if c is not None}
    ignored = [(c.name, classes[c.name][2] or "another component fills its slots") for c in comps
               if c.name not in used]
    return chosen, ignored


def _slot_cost(slot: Slot, comp: ErtComponent | None, width: Width | None, origin: str) -> SlotCost:
    if comp is None:
        return SlotCost(slot, None, 0.0, 0.0, "mapped to none", None)
    if slot.part is Part.MAC:
        found = comp.energy(*_MAC_ACTIONS)
        if found is None:
            raise SpecError(f"{comp.name} has no {' or '.join(_MAC_ACTIONS)} action (actions: "
                            f"{', '.join(a for a, _ in comp.actions) or 'none'}){_where(origin)}", field="--map")
        energy = _round(found[1])
        return SlotCost(slot, comp.name, energy, energy, f"{found[0]} {found[1]:.7g}", None)
    read = comp.energy("read", "access")
    write = comp.energy("update", "write", "access") if slot.dtype is DataType.PSUM else comp.energy(
        "write", "access")
    if read is None or write is None:
        lacks = "read" if read is None else "write"
        raise SpecError(f"{comp.name} ({slot.label}) has no {lacks} action (actions: "
                        f"{', '.join(a for a, _ in comp.actions) or 'none'}){_where(origin)}", field="--map")
    assert width is not None
    text = f"{read[0]} {read[1]:.7g}" + ("" if write[0] == read[0] else f", {write[0]} {write[1]:.7g}")
    return SlotCost(slot, comp.name, _round(read[1] / width.words), _round(write[1] / width.words), text, width)


def _describe_mapping(slots: tuple[SlotCost, ...]) -> str:
    """``MAC=mac, RF.ifmap=ifmap_spad, GLB=shared_glb, …`` (a level's types joined when equal)."""
    parts = []
    for part in Part:
        mine = [s for s in slots if s.slot.part is part]
        names = {s.component for s in mine}
        short = lambda n: "none" if n is None else _RANGE.sub("", n).rsplit(".", 1)[-1]  # noqa: E731
        if len(names) == 1:
            parts.append(f"{part.value}={short(mine[0].component)}")
        else:
            parts += [f"{s.slot.label}={short(s.component)}" for s in mine]
    return ", ".join(parts)


def import_ert(ert: str | Path, arch: str | Path | None = None, mapping: list[str] | tuple[str, ...] = (),
               noc_pj: float | None = None, arch_attrs: dict[str, dict] | None = None,
               arch_label: str | None = None) -> ErtImport:
    """Read an ERT summary (and its architecture) into accelsim costs.

    Parameters
    ----------
    ert : str or Path
        The ``ERT_summary.yaml``.
    arch : str or Path, optional
        The architecture (``flattened_architecture.yaml`` or a v0.2/v0.3 tree), for the words
        per access; without it every access is taken to move one word.
    mapping : list of str
        ``--map`` items (:func:`parse_map`).
    noc_pj : float, optional
        Energy per word delivered by the NoC, pJ (default 0: not in the ERT).
    arch_attrs : dict of str to dict, optional
        Instead of ``arch``: component name → attributes, already read (the Timeloop importer
        passes its flattened levels, v0.4 included).
    arch_label : str, optional
        The file ``arch_attrs`` came from (for the table's source).

    Returns
    -------
    ErtImport

    Raises
    ------
    SpecError
        A missing or malformed file, an unmappable slot, a bad ``--map`` item.
    """
    origin = str(ert)
    given = parse_map(mapping)
    if noc_pj is not None and (not math.isfinite(noc_pj) or noc_pj < 0):
        raise SpecError(f"must be a finite number >= 0, got {noc_pj!r}", field="--noc-pj")
    fmt, comps = parse_ert(parse_yaml(read_text(ert, "ERT summary"), origin), origin)
    arch_data = None
    if arch is not None:
        arch_data = parse_arch(parse_yaml(read_text(arch, "architecture"), str(arch)), str(arch))
    elif arch_attrs is not None:
        arch_data = dict(arch_attrs)
        arch = arch_label or "the architecture"
    chosen, ignored = _resolve(comps, given, origin)
    arch_name = Path(arch).name if arch is not None else ""
    widths = {c.name: _arch_width(c, arch_data, arch_name) for c in chosen.values() if c is not None}
    slots = tuple(_slot_cost(s, chosen[s], widths.get(chosen[s].name) if chosen[s] is not None else None, origin)
                  for s in SLOTS)
    by_slot = {s.slot: s for s in slots}
    noc = _round(noc_pj) if noc_pj is not None else 0.0
    words = []
    for level in Level:
        if level is Level.NOC:
            words.append(((noc,) * 3, (0.0,) * 3))
            continue
        part = Part(level.name)
        words.append((tuple(by_slot[Slot(part, t)].read for t in DataType),
                      tuple(by_slot[Slot(part, t)].write for t in DataType)))
    per_word = (f"per word by block-size or width/word bits from {arch_name}" if arch is not None
                else "no --arch: one word per access assumed")
    noc_text = f"NoC {noc:g} pJ (--noc-pj)" if noc_pj is not None else "NoC 0 (no network energy in the ERT)"
    source = (f"Accelergy ERT summary {Path(ert).name} (format {fmt.value}), imported by accelsim import accelergy: "
              f"{_describe_mapping(slots)}; {per_word}; {noc_text}")
    costs = AccessCosts(mac=by_slot[Slot(Part.MAC)].read, words=tuple(words),  # type: ignore[arg-type]
                        unit=EnergyUnit.PJ, source=source)
    return ErtImport(costs=costs, slots=slots, fmt=fmt, ert=origin, arch=str(arch) if arch is not None else None,
                     ignored=tuple(ignored), noc_pj=noc_pj)


# ----------------------------------------------------------------------------- writing
_PLAIN_TEXT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _text(value: str) -> str:
    if _PLAIN_TEXT.match(value) and value.lower() not in ("true", "false", "null", "yes", "no", "on", "off"):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML flow scalar


def _num(value: float) -> str:
    return f"{value:.{DIGITS}g}"


def energy_yaml(result: ErtImport, name: str) -> str:
    """The version-2 energy file (docs/architecture.md, *Energy files*) for an import.

    Parameters
    ----------
    result : ErtImport
    name : str
        The table's name.
    """
    lines = [f"# Imported by `accelsim import accelergy` from {result.ert}"
             + (f" and {result.arch}" if result.arch else "") + f" (Accelergy ERT summary, format {result.fmt.value}).",
             "# Energies in pJ per word: an ERT action is one access of the component; its energy is divided",
             "# by the words one access moves (block-size, or width / word bits, from the architecture).",
             "# An update action (Accelergy 0.4), when present, is the psum write."]
    if result.assumptions:
        lines.append("# ASSUMED one word per access for: " + "; ".join(result.assumptions))
    if result.ignored:
        lines.append("# Not used: " + "; ".join(f"{n} ({why})" for n, why in result.ignored))
    by_slot = {s.slot: s for s in result.slots}
    mac = by_slot[Slot(Part.MAC)]
    lines += ["version: 2", f"name: {_text(name)}", f"source: {_text(result.costs.source)}", "unit: pj",
              f"mac: {_num(mac.read)}   # {mac.component}: {mac.actions} pJ"]
    for part in STORAGE:
        if part is Part.GLB:
            noc = result.costs.read(Level.NOC, DataType.IFMAP)
            lines.append(f"NoC: {_num(noc)}   # pJ per word delivered into a PE: "
                         + ("--noc-pj" if result.noc_pj is not None else
                            "Accelergy's ERT has no network energy (Timeloop charges these networks nothing); "
                            "set it with --noc-pj"))
        lines.append(f"{part.value}:")
        for t in DataType:
            s = by_slot[Slot(part, t)]
            if s.component is None:
                lines.append(f"  {t.label}: 0   # mapped to none")
                continue
            width = s.width
            per = f"{width.words} words/access ({width.how})" if width and width.words != 1 else (
                f"1 word/access ({width.how})" if width else "")
            lines.append(f"  {t.label}: {{read: {_num(s.read)}, write: {_num(s.write)}}}   "
                         f"# {s.component}: {s.actions} pJ/access, {per}")
    return "\n".join(lines) + "\n"
