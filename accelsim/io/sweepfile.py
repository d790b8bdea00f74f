"""The sweep file (YAML, ``version: 1``): which cases a design-space sweep runs.

A contract, like the workload file (docs/architecture.md, *Results*)::

    version: 1
    name: array_size                     # optional, for humans
    workloads: [alexnet]                 # presets or paths (relative to this file)
    layers: [conv1, conv3]               # optional: only these layers of every workload
    hardware: [eyeriss]                  # presets or paths
    energy: [model]                      # optional (default model): model, model:NM, hardware, a table
    dataflows: [rs, ws, osa, osb, osc, nlr]
    batch: [1, 4, 16]
    arrays: [8x8, 12x14, 16x16]          # optional: overrides the PE array (ROWSxCOLS)
    vary: {glb_bytes: [65536, 131072]}   # optional: any hardware field by name, each a list
    engine: analytic                     # or a list: [analytic, cycle]
    objective: energy                    # energy | cycles | edp, or a list
    budget: {samples: 200, climb: 200, starts: 2, seed: 2016}   # optional mapper effort (ragged: true
                                                                 # also searches padded bounds)

Every list key also takes a single value. The cases are the cartesian product
workloads × hardware × energy × arrays × vary (every combination, in key order) × dataflows ×
batch × engine × objective. ``energy`` prices each machine (:mod:`accelsim.io.energychoice`):
``model`` (the default: energies derived from each case's sizes, bits and technology; a
hardware file that already asks for the model keeps its parameters), ``model:NM``, ``hardware``
(each hardware file's own table or model — what reproduces a paper's fixed table) or one table
preset or file for every machine. ``vary`` names are those of :mod:`accelsim.spec.variation`
(``pe_rows``, ``rf_words``, ``glb_bytes``, ``glb_shared_words``, ``dram_words_per_cycle``,
``technology_nm``, ``energy.dram`` …); their values are type-checked here (integers at most
``MAX_INT`` in size), their ranges when a case builds its machine (a value the hardware rejects
makes *that case* fail, with its reason, not the sweep). A model parameter (``technology_nm``,
``dram``, ``glb_access_bits``) varied where a case's energy is a fixed table, or a table entry
(``energy.dram``) where it is the model, is an error of the file (``vary.<name>``).

Engine and objective names are checked where they are known (the sweep runner); everything
else here. A file that breaks the format raises one :class:`~accelsim.errors.SpecError`
naming the field (``dataflows[2]``, ``arrays[1]``, ``vary.glb_byte``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from ..errors import SpecError
from ..spec.dims import Dataflow
from ..spec.hardware import Hardware
from ..spec.layer import Workload
from ..spec.variation import ValueKind, check_value, energy_conflict, vary_field
from .energychoice import MODEL_CHOICE, EnergyChoice, parse_energy_choice
from .schema import MAX_INT, Flag, Name, NonNegInt, PosInt, Text, _Model, _where, check_layer_size, validate

_ARRAY = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")
_LIST_KEYS = ("workloads", "layers", "hardware", "energy", "dataflows", "batch", "arrays", "engine", "objective")


def parse_array(text: Any) -> tuple[int, int]:
    """``"12x14"`` → ``(12, 14)``.

    Raises
    ------
    ValueError
        Not ``ROWSxCOLS`` with integers from 1 to :data:`~accelsim.io.schema.MAX_INT`.
    """
    match = _ARRAY.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected ROWSxCOLS such as 12x14, got {text!r}")
    rows, cols = int(match.group(1)), int(match.group(2))
    if rows < 1 or cols < 1:
        raise ValueError(f"rows and cols must be >= 1, got {text!r}")
    if rows > MAX_INT or cols > MAX_INT:
        raise ValueError(f"rows and cols must be <= {MAX_INT}, got {text!r}")
    return rows, cols


class BudgetSection(_Model):
    """Mapper effort (see :class:`accelsim.search.mapper.Budget`); omitted keys keep its defaults."""

    samples: PosInt | None = None
    climb: NonNegInt | None = None
    starts: PosInt | None = None
    seed: NonNegInt | None = None
    ragged: Flag | None = None


NonEmpty = Annotated[list[Name], Field(min_length=1)]


class SweepFile(_Model):
    """A sweep file (see the module docstring)."""

    version: Literal[1]
    name: Text = ""
    description: Text = ""
    workloads: NonEmpty
    layers: NonEmpty | None = None
    hardware: NonEmpty
    energy: NonEmpty = ["model"]
    dataflows: NonEmpty
    batch: Annotated[list[PosInt], Field(min_length=1)] = [1]
    arrays: NonEmpty | None = None
    vary: dict[Name, Annotated[list[Any], Field(min_length=1)]] = {}
    engine: NonEmpty = ["analytic"]
    objective: NonEmpty = ["energy"]
    budget: BudgetSection | None = None

    @field_validator(*_LIST_KEYS, mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value


@dataclass(frozen=True, slots=True)
class SweepSpec:
    """A validated sweep: the axes whose cartesian product is the set of cases.

    Attributes
    ----------
    workloads : tuple of Workload
        Workloads (layers already selected).
    hardware : tuple of Hardware
        Base machines (before ``energy``, ``arrays`` and ``vary``).
    energy : tuple of EnergyChoice
        How each machine is priced (:mod:`accelsim.io.energychoice`).
    dataflows : tuple of Dataflow
    batch : tuple of int
        Batch sizes N.
    arrays : tuple
        ``(rows, cols)`` overrides; ``(None,)`` keeps each machine's own array.
    vary : tuple of (str, tuple)
        ``(field name, values)`` in file order.
    engine, objective : tuple of str
        Names as written (checked by the runner).
    budget : tuple of (str, int or bool)
        Mapper budget keys given in the file (``()``: the mapper's defaults).
    name, origin : str
        The sweep's name and the file it came from.
    """

    workloads: tuple[Workload, ...]
    hardware: tuple[Hardware, ...]
    dataflows: tuple[Dataflow, ...]
    batch: tuple[int, ...]
    arrays: tuple[tuple[int, int] | None, ...] = (None,)
    vary: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    engine: tuple[str, ...] = ("analytic",)
    objective: tuple[str, ...] = ("energy",)
    budget: tuple[tuple[str, int | bool], ...] = ()
    name: str = ""
    origin: str = ""
    energy: tuple[EnergyChoice, ...] = (MODEL_CHOICE,)

    @property
    def n_cases(self) -> int:
        """Number of cases of the product."""
        n = len(self.workloads) * len(self.hardware) * len(self.energy) * len(self.arrays) * len(self.dataflows)
        n *= len(self.batch) * len(self.engine) * len(self.objective)
        for _, values in self.vary:
            n *= len(values)
        return n


def _unique(values: list, key: str, origin: str, label=lambda v: v) -> None:
    seen: dict = {}
    for i, value in enumerate(values):
        lab = label(value)
        if lab in seen:
            raise SpecError(f"repeated value {lab!r} (also {key}[{seen[lab]}]){_where(origin)}", field=f"{key}[{i}]")
        seen[lab] = i


def _load_each(kind: str, names: list[str], base: Path | None, origin: str, key: str) -> list:
    from .presets import load_hardware, load_workload, resolve

    loader = load_workload if kind == "workloads" else load_hardware
    out = []
    for i, name in enumerate(names):
        try:
            out.append(loader(resolve(kind, name, base)))
        except SpecError as exc:
            raise SpecError(f"{exc}{'' if origin in str(exc) else _where(origin)}", field=f"{key}[{i}]") from None
    _unique(out, key, origin, label=lambda obj: obj.name)
    return out


def _dataflows(names: list[str], origin: str) -> tuple[Dataflow, ...]:
    from ..dataflows import available

    known = available()
    out = []
    for i, name in enumerate(names):
        try:
            df = Dataflow(name.lower())
        except ValueError:
            df = None
        if df not in known:
            raise SpecError(f"unknown dataflow {name!r}; choose one of {', '.join(d.value for d in known)}"
                            f"{_where(origin)}", field=f"dataflows[{i}]")
        out.append(df)
    _unique(out, "dataflows", origin, label=lambda d: d.value)
    return tuple(out)


def _vary(vary: dict[str, list[Any]], has_arrays: bool, origin: str) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    out = []
    for name, values in vary.items():
        try:
            vary_field(name)
        except SpecError as exc:
            raise SpecError(exc.message + _where(origin), field=exc.field) from None
        if has_arrays and name in ("pe_rows", "pe_cols"):
            raise SpecError(f"give the PE array either as 'arrays' or as vary.{name}, not both{_where(origin)}",
                            field=f"vary.{name}")
        checked = []
        for i, value in enumerate(values):
            try:
                checked.append(check_value(name, value))
            except SpecError as exc:
                raise SpecError(exc.message + _where(origin), field=f"vary.{name}[{i}]") from None
            if vary_field(name).kind is ValueKind.INT and abs(value) > MAX_INT:
                raise SpecError(f"must be <= {MAX_INT} in size, got {value}{_where(origin)}", field=f"vary.{name}[{i}]")
        _unique(checked, f"vary.{name}", origin, label=lambda v: (type(v).__name__, v))
        out.append((name, tuple(checked)))
    return tuple(out)


def _energy(names: list[str], base: Path | None, origin: str) -> tuple[EnergyChoice, ...]:
    out = []
    for i, name in enumerate(names):
        try:
            out.append(parse_energy_choice(name, base, field=f"energy[{i}]"))
        except SpecError as exc:
            raise SpecError(exc.message + ("" if origin in exc.message else _where(origin)), field=exc.field) from None
    _unique([c.label.lower() for c in out], "energy", origin)
    return tuple(out)


def _check_energy_vary(hardware: list[Hardware], energy: tuple[EnergyChoice, ...],
                       vary: tuple[tuple[str, tuple[Any, ...]], ...], origin: str) -> None:
    """A varied model parameter needs the model on every machine, a varied table entry a table."""
    for name, _ in vary:
        for hw in hardware:
            for choice in energy:
                why = energy_conflict(name, choice.apply(hw).energy)
                if why is not None:
                    raise SpecError(f"{why} (hardware {hw.name}, energy {choice.label}){_where(origin)}",
                                    field=f"vary.{name}")


def sweep_from_data(data: Any, base: str | Path | None = None, origin: str = "") -> SweepSpec:
    """Validate parsed sweep-file data and load its workloads and hardware.

    Parameters
    ----------
    data : Any
        Parsed YAML (or the same structure built in Python).
    base : str or Path, optional
        Directory relative workload/hardware paths are taken from (default: the working
        directory).
    origin : str
        File name for error messages.

    Returns
    -------
    SweepSpec

    Raises
    ------
    SpecError
        The first problem, with its field path (``workloads[1]``, ``energy[0]``, ``arrays[0]``,
        ``vary.glb_byte``, ``vary.technology_nm``, ``budget.samples`` …).
    """
    doc = validate(SweepFile, data, origin)
    base = Path(base) if base is not None else None
    workloads = _load_each("workloads", doc.workloads, base, origin, "workloads")
    if doc.layers:
        _unique(doc.layers, "layers", origin)
        try:
            workloads = [wl.select(doc.layers) for wl in workloads]
        except SpecError as exc:
            raise SpecError(exc.message + _where(origin), field="layers") from None
    hardware = _load_each("hardware", doc.hardware, base, origin, "hardware")
    _unique(doc.batch, "batch", origin)
    for j, n in enumerate(doc.batch):
        for wl in workloads:
            for layer in wl.layers:
                check_layer_size(layer, f"batch[{j}]", origin, batch=n)
    arrays: tuple = (None,)
    if doc.arrays:
        parsed = []
        for i, text in enumerate(doc.arrays):
            try:
                parsed.append(parse_array(text))
            except ValueError as exc:
                raise SpecError(f"{exc}{_where(origin)}", field=f"arrays[{i}]") from None
        arrays = tuple(parsed)
        _unique(list(arrays), "arrays", origin, label=lambda a: f"{a[0]}x{a[1]}")
    energy = _energy(doc.energy, base, origin)
    vary = _vary(doc.vary, doc.arrays is not None, origin)
    _check_energy_vary(hardware, energy, vary, origin)
    _unique([e.lower() for e in doc.engine], "engine", origin)
    _unique([o.lower() for o in doc.objective], "objective", origin)
    budget = tuple((k, v) for k, v in (doc.budget.model_dump() if doc.budget else {}).items() if v is not None)
    return SweepSpec(
        workloads=tuple(workloads), hardware=tuple(hardware), dataflows=_dataflows(doc.dataflows, origin),
        batch=tuple(doc.batch), arrays=arrays, vary=vary,
        engine=tuple(e.lower() for e in doc.engine), objective=tuple(o.lower() for o in doc.objective),
        budget=budget, name=doc.name, origin=origin, energy=energy,
    )


def load_sweep(path: str | Path) -> SweepSpec:
    """Read a sweep file; relative paths inside it are taken from its directory.

    Raises
    ------
    SpecError
        Missing, unreadable or malformed file, unknown preset, bad value; ``field`` names it.
    """
    from .yamlfile import read_yaml

    path = Path(path)
    data = read_yaml(path)
    return sweep_from_data(data, base=path.parent, origin=str(path))
