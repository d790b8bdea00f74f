"""Design-space sweeps: many (workload, hardware variant, dataflow, batch, engine, objective) cases.

A :class:`Case` is one point of the design space (its machine priced by an energy choice,
:mod:`accelsim.io.energychoice`); :func:`sweep` runs a list of them — in this
process, on a local joblib (loky) process pool, or on a dask.distributed cluster through
joblib's dask backend — and returns tidy records, one per case and layer (columns:
:func:`accelsim.io.sweepstore.record_columns`). With ``out=DIR`` every finished case is
appended to ``DIR/records.csv`` and ``DIR/components.csv`` at once, and a rerun skips the
cases already there (resume). A case that fails — no legal mapping, a hardware value the spec
types reject, an engine that is not available, any exception in a worker — is recorded with
its ``status`` and ``reason``; the sweep goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from time import perf_counter
from typing import Any

from ..dataflows import parse_dataflow
from ..errors import AccelsimError, SpecError
from ..io.energychoice import HARDWARE_CHOICE, EnergyChoice, parse_energy_choice
from ..io.sweepfile import SweepSpec, load_sweep, sweep_from_data
from ..io.sweepstore import AREA_PARTS, AXIS_HEAD, MACHINE_COLUMNS, RESULT_COLUMNS, SweepStore, record_columns
from ..layout import charged_words
from ..sim.evaluate import parse_engine
from ..spec.dims import COMPONENTS, DataType, Level
from ..spec.energy import EnergyTable
from ..spec.hardware import FLAG_GROUPS, Hardware
from ..spec.layer import Workload
from ..spec.result import CLOCK_COMPONENT, LayerResult, Status, machine_area
from ..spec.variation import apply_vary, check_value
from ..search.mapper import Budget, parse_objective
from .progress import progress_bar

_LEVEL_OF = {lv.label: lv for lv in Level}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def _hardware_key(hw: Hardware) -> dict[str, Any]:
    """``asdict(hw)`` as it was before the spec types grew, so the ids of existing result folders
    stay valid: the flags of its groups (:data:`~accelsim.spec.hardware.FLAG_GROUPS`) as top-level
    keys; one ``word_bits`` when the data types share a width (a mixed precision is keyed as
    ``precision``); a fixed :class:`~accelsim.spec.energy.EnergyTable` without its ``name``
    (the name is a label, the numbers are the table); any other energy source (the model, an
    imported per-type table) with its class name; ``fold_overlap`` only when on; the NoC's
    ``clusters`` / ``routers`` / ``glb_banks``, ``sparse_pe`` and the model's ``clock_pj_per_pe_cycle`` only
    when set."""
    key = asdict(hw)
    for group in FLAG_GROUPS:
        key.update(key.pop(group))
    if not key["fold_overlap"]:  # off, its default: keyed as before the flag existed
        del key["fold_overlap"]
    precision = key.pop("precision")
    if hw.precision.uniform_bits is not None:
        key["word_bits"] = hw.precision.uniform_bits
    else:
        key["precision"] = precision
    if isinstance(hw.energy, EnergyTable):
        key["energy"].pop("name", None)
    else:
        key["energy"] = {"class": type(hw.energy).__name__, **key["energy"]}
    for flag in ("scalesim_counts", "scalesim_timing"):  # off (their default): as before they existed
        if not key[flag]:
            del key[flag]
    for level in ("rf", "glb"):
        if key[level]["pool_word_bits"] is None:  # Buffer.pool_word_bits left at its default: as before it existed
            del key[level]["pool_word_bits"]
    for part in ("clusters", "routers", "glb_banks"):  # a flat NoC, a pooled GLB: as before they existed
        if key["noc"][part] is None:
            del key["noc"][part]
    if key["sparse_pe"] is None:  # a dense PE: as before the sparse PE existed
        del key["sparse_pe"]
    if not key["energy"].get("clock_pj_per_pe_cycle", 1):  # the model without a clock term: as before it existed
        del key["energy"]["clock_pj_per_pe_cycle"]
    costs = key["energy"].get("costs")  # a per-type table's AccessCosts: mesh hops and clock only when set
    if isinstance(costs, dict):
        if not any(costs.get("hop", ())):
            costs.pop("hop", None)
        if not costs.get("clock_per_cycle", 1):
            costs.pop("clock_per_cycle", None)
    return key


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One point of a sweep.

    Parameters
    ----------
    workload : Workload
        Layers to run (at ``N = 1``; ``batch`` sets N).
    hardware : Hardware
        The base machine.
    energy : EnergyChoice or str
        How the machine is priced (:func:`accelsim.io.energychoice.parse_energy_choice`):
        ``hardware`` (the default here: the machine's own energy), ``model``, ``model:NM`` or a
        table preset or file. Sweep files default to ``model``. Applied before ``array`` and
        ``vary``; part of the case id (``hardware`` adds nothing to it, so the ids cases had
        before the choice existed stay valid).
    dataflow : str or Dataflow
        ``rs``, ``ws``, ``osa``, ``osb``, ``osc`` or ``nlr``.
    batch : int
        Batch size N.
    array : (int, int), optional
        ``(rows, cols)`` replacing the machine's PE array.
    vary : dict or tuple of (str, value)
        Hardware fields to set after ``array`` (names of :mod:`accelsim.spec.variation`).
    engine : str
        ``analytic`` or ``cycle`` (a case whose engine is not available fails with that reason).
    objective : str
        ``energy``, ``cycles`` or ``edp``: what the mapper minimises.
    budget : Budget, optional
        Mapper effort; ``None``: the mapper's default.

    Notes
    -----
    Names are normalised and checked on construction (``SpecError``); value *ranges* of
    ``vary`` are checked when the case runs, so a bad one fails that case only.
    """

    workload: Workload
    hardware: Hardware
    dataflow: str
    batch: int = 1
    array: tuple[int, int] | None = None
    vary: tuple[tuple[str, Any], ...] = ()
    engine: str = "analytic"
    objective: str = "energy"
    budget: Budget | None = None
    energy: EnergyChoice | str = HARDWARE_CHOICE
    _id: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "dataflow", parse_dataflow(self.dataflow).value)
        setattr_(self, "engine", parse_engine(self.engine).value)
        setattr_(self, "objective", parse_objective(self.objective).value)
        if isinstance(self.batch, bool) or not isinstance(self.batch, int) or self.batch < 1:
            raise SpecError(f"must be an integer >= 1, got {self.batch!r}", "batch")
        vary = tuple(self.vary.items()) if isinstance(self.vary, dict) else tuple(tuple(p) for p in self.vary)
        setattr_(self, "vary", tuple((name, check_value(name, value)) for name, value in vary))
        setattr_(self, "energy", parse_energy_choice(self.energy))
        if self.array is not None:
            rows, cols = self.array
            setattr_(self, "array", (int(rows), int(cols)))
        setattr_(self, "_id", self._fingerprint())

    def _fingerprint(self) -> str:
        key = {
            "workload": self.workload.name,
            "layers": [{"name": layer.name} | layer.shape_dict() | self._zeros(layer.name)
                       for layer in self.workload.layers],
            "hardware": _hardware_key(self.hardware),
            "dataflow": self.dataflow, "batch": self.batch,
            "array": list(self.array) if self.array else None,
            "vary": [[name, value] for name, value in self.vary],
            "engine": self.engine, "objective": self.objective,
            "budget": asdict(self.budget) if self.budget else None,
        }
        energy = self.energy.fingerprint()
        if energy is not None:  # absent for "hardware": the ids from before the choice existed
            key["energy"] = energy
        text = json.dumps(key, sort_keys=True, default=_plain, separators=(",", ":"))
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]

    def _zeros(self, name: str) -> dict[str, float]:
        """A layer's stated ifmap zero fraction, for the fingerprint (nothing when none: the ids
        of workloads without one stay what they were)."""
        value = self.workload.ifmap_zero_fraction(name)
        return {} if value is None else {"ifmap_zero_fraction": value}

    @property
    def id(self) -> str:
        """Stable 12-hex-digit hash of the case's axes (and of its workload and base machine)."""
        return self._id

    @property
    def pe_array(self) -> tuple[int, int]:
        """The PE array the case runs on (``array``, or ``vary`` pe_rows/pe_cols, or the machine's)."""
        rows, cols = self.array or (self.hardware.pe_rows, self.hardware.pe_cols)
        values = dict(self.vary)
        return values.get("pe_rows", rows), values.get("pe_cols", cols)

    def axes(self) -> dict[str, Any]:
        """The case's columns of a record (everything but the layer's result)."""
        rows, cols = self.pe_array
        out: dict[str, Any] = {"case": self.id, "workload": self.workload.name, "hardware": self.hardware.name,
                               "energy": self.energy.label, "array": f"{rows}x{cols}", "pe_rows": rows,
                               "pe_cols": cols, "num_pes": rows * cols}
        out.update((name, value) for name, value in self.vary if name not in AXIS_HEAD)
        out.update(dataflow=self.dataflow, batch=self.batch, engine=self.engine, objective=self.objective)
        return out

    def build_hardware(self) -> Hardware:
        """The machine of this case: the base priced by ``energy``, with ``array``, then every
        ``vary`` field set.

        Raises
        ------
        SpecError
            A value the spec types reject, or a model parameter varied on a table (a table entry
            on the model) (``field`` is ``vary.<name>``).
        """
        hw = self.energy.apply(self.hardware)
        hw = hw.with_array(*self.array) if self.array else hw
        return apply_vary(hw, self.vary)


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """What one case produced: its records and component rows (plain, picklable)."""

    case: str
    records: list[dict[str, Any]]
    components: list[dict[str, Any]]


# --------------------------------------------------------------------------- building cases
def cases_from_spec(spec: SweepSpec) -> list[Case]:
    """The cases of a sweep: the cartesian product of its axes, in a fixed order.

    Order: workloads × hardware × energy × arrays × vary (file order) × dataflows × batch ×
    engine × objective, the last varying fastest.

    Raises
    ------
    SpecError
        An unknown engine or objective (``engine[i]``, ``objective[i]``).
    """
    where = f" (in {spec.origin})" if spec.origin else ""
    for key, parse in (("engine", parse_engine), ("objective", parse_objective)):
        for i, name in enumerate(getattr(spec, key)):
            try:
                parse(name)
            except SpecError as exc:
                raise SpecError(exc.message + where, field=f"{key}[{i}]") from None
    budget = Budget(**dict(spec.budget)) if spec.budget else None
    names = [name for name, _ in spec.vary]
    combos = list(itertools.product(*(values for _, values in spec.vary)))
    return [
        Case(workload=wl, hardware=hw, dataflow=df, batch=n, array=array, vary=tuple(zip(names, combo)),
             engine=engine, objective=objective, budget=budget, energy=energy)
        for wl, hw, energy, array, combo, df, n, engine, objective in itertools.product(
            spec.workloads, spec.hardware, spec.energy, spec.arrays, combos, spec.dataflows, spec.batch,
            spec.engine, spec.objective)
    ]


def load_cases(path: str | Path) -> list[Case]:
    """The cases of a sweep file (see :mod:`accelsim.io.sweepfile`)."""
    return cases_from_spec(load_sweep(path))


def as_cases(cases) -> list[Case]:
    """Cases from a sweep file path, a sweep-file dict, a :class:`SweepSpec`, or Case objects.

    Duplicates (same id) are kept once, in first-seen order.
    """
    if isinstance(cases, (str, Path)):
        found = load_cases(cases)
    elif isinstance(cases, dict):
        found = cases_from_spec(sweep_from_data(cases))
    elif isinstance(cases, SweepSpec):
        found = cases_from_spec(cases)
    elif isinstance(cases, Case):
        found = [cases]
    else:
        found = list(cases)
        bad = [type(c).__name__ for c in found if not isinstance(c, Case)]
        if bad:
            raise TypeError(f"sweep() takes a sweep file, a sweep dict or Case objects, got {bad[0]}")
    unique: dict[str, Case] = {}
    for case in found:
        unique.setdefault(case.id, case)
    return list(unique.values())


# --------------------------------------------------------------------------- one case
def _reason(exc: BaseException) -> str:
    if isinstance(exc, AccelsimError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _machine_columns(hw: Hardware | None) -> dict[str, Any]:
    """``energy_source`` (the one-line description of what priced the machine) and its area
    (``area_mm2`` and ``area_<component>``, :func:`accelsim.spec.result.machine_area`); empty
    cells when the machine could not be built."""
    if hw is None:
        return dict.fromkeys(MACHINE_COLUMNS)
    area = machine_area(hw)
    return {"energy_source": hw.energy.describe(), "area_mm2": area.total_mm2,
            **{f"area_{k}": v for k, v in area.to_dict().items() if k in AREA_PARTS}}


def _ok_record(r: LayerResult) -> dict[str, Any]:
    comp = {c: (r.energy[c] if isinstance(r.energy[c], float) else float(sum(r.energy[c].values())))
            for c in COMPONENTS}
    return {
        "status": r.status.value, "reason": r.reason, "macs": int(r.macs), "cycles": int(r.cycles),
        "compute_cycles": int(r.compute_cycles), "stall_cycles": int(r.stall_cycles),
        "active_pes": int(r.active_pes), "utilization": float(r.utilization), "energy_unit": r.energy_unit,
        "energy_total": float(r.energy_total), **{f"energy_{c}": float(v) for c, v in comp.items()},
        "energy_clock": float(r.energy[CLOCK_COMPONENT]) if CLOCK_COMPONENT in r.energy else None,
        "mappings_considered": int(r.mappings_considered), "psum_spill": bool(r.psum_spill),
        "mapping": json.dumps(r.mapping.to_dict(), separators=(",", ":")) if r.mapping else "",
    }


def _failed_record(status: Status, reason: str, macs: int, unit: str) -> dict[str, Any]:
    rec = dict.fromkeys(RESULT_COLUMNS[3:])
    rec.update(status=status.value, reason=reason, macs=int(macs), energy_unit=unit, mapping="")
    return rec


def _components(case_id: str, r: LayerResult) -> list[dict[str, Any]]:
    rows = [{"case": case_id, "layer": r.layer.name, "component": "ALU", "data_type": "ALU",
             "accesses": int(r.macs), "energy": float(r.energy["ALU"])}]
    for comp in COMPONENTS[1:]:
        lv = _LEVEL_OF[comp]
        for t in DataType:
            words = int(charged_words(r.counts, lv, t)) if r.counts is not None else None
            rows.append({"case": case_id, "layer": r.layer.name, "component": comp, "data_type": t.label,
                         "accesses": words, "energy": float(r.energy[comp][t.label])})
    if CLOCK_COMPONENT in r.energy:  # a machine with a clock/static term: charged on the layer's cycles
        rows.append({"case": case_id, "layer": r.layer.name, "component": CLOCK_COMPONENT,
                     "data_type": CLOCK_COMPONENT, "accesses": int(r.cycles),
                     "energy": float(r.energy[CLOCK_COMPONENT])})
    return rows


def run_case(case: Case) -> CaseOutcome:
    """Run one case; never raises for a failing case (its records say why).

    Returns
    -------
    CaseOutcome
        One record per layer (``status`` ``ok``, ``infeasible`` or ``error``) and the
        component rows of the feasible layers.
    """
    from ..drivers.simulate import simulate_network

    start = perf_counter()
    axes = case.axes()
    layers = case.workload.with_batch(case.batch).layers
    hw = None
    try:
        hw = case.build_hardware()
        run = simulate_network(case.workload, hw, case.dataflow, engine=case.engine,
                               batch=case.batch, objective=case.objective, budget=case.budget)
        results, error = list(run.layers), None
    except Exception as exc:  # noqa: BLE001 - a failing case is recorded, the sweep goes on
        results, error = [], _reason(exc)
    try:
        machine = _machine_columns(hw)
    except Exception:  # noqa: BLE001 - an area the model cannot give leaves the cells empty
        machine = _machine_columns(None)
    unit = (hw or case.energy.apply(case.hardware)).energy.unit.value
    seconds = perf_counter() - start
    records, components = [], []
    for i, layer in enumerate(layers):
        head = {"layer": layer.name, "layer_index": i, "n_layers": len(layers)}
        if error is not None:
            body = _failed_record(Status.ERROR, error, layer.macs, unit)
        elif results[i].ok:
            body = _ok_record(results[i])
            components.extend(_components(case.id, results[i]))
        else:
            r = results[i]
            body = _failed_record(r.status, r.reason, layer.macs, r.energy_unit)
        body.update(machine)
        body["seconds"] = seconds
        records.append(axes | head | body)
    return CaseOutcome(case=case.id, records=records, components=components)


# --------------------------------------------------------------------------- executors
def _sequential(pending: list[Case]) -> Iterator[CaseOutcome]:
    for case in pending:
        yield run_case(case)


def _local_pool(pending: list[Case], n_jobs: int) -> Iterator[CaseOutcome]:
    from joblib import Parallel, delayed

    from .warmup import warmup

    warmup()  # compile (or load) the kernels once, so the workers find them in the cache
    results = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")(
        delayed(run_case)(case) for case in pending)
    with contextlib.closing(results):
        yield from results


def _connect(scheduler):
    try:
        from distributed import Client
    except ImportError:
        raise SpecError("running on a dask cluster needs dask.distributed: pip install 'accelsim[dask]'",
                        "scheduler") from None
    if isinstance(scheduler, Client):
        return scheduler, False
    if not isinstance(scheduler, str):
        raise SpecError(f"expected a scheduler address (tcp://host:8786) or a distributed.Client, got "
                        f"{type(scheduler).__name__}", "scheduler")
    try:
        return Client(scheduler, timeout=30), True
    except (OSError, TimeoutError) as exc:
        raise SpecError(f"cannot connect to the dask scheduler at {scheduler}: {exc}", "scheduler") from None


def _dask(pending: list[Case], scheduler) -> Iterator[CaseOutcome]:
    from joblib import Parallel, delayed, parallel_config

    from .warmup import warmup

    client, owned = _connect(scheduler)
    try:
        warmup()
        client.run(warmup)  # every worker loads (or compiles) the kernels before the first case
        with parallel_config(backend="dask", client=client):
            results = Parallel(n_jobs=-1, return_as="generator_unordered")(
                delayed(run_case)(case) for case in pending)
            with contextlib.closing(results):
                yield from results
    finally:
        if owned:
            client.close()


def _execute(pending: list[Case], n_jobs: int, scheduler) -> Iterator[CaseOutcome]:
    if scheduler is not None:
        return _dask(pending, scheduler)
    if n_jobs == 1 or len(pending) <= 1:
        return _sequential(pending)
    return _local_pool(pending, n_jobs)


# --------------------------------------------------------------------------- the runner
def _columns(cases: list[Case]) -> list[str]:
    names: dict[str, None] = {}
    for case in cases:
        names.update((name, None) for name, _ in case.vary)
    return record_columns(names)


def _resumed(rows: list[dict[str, Any]], case: Case) -> list[dict[str, Any]]:
    axes = case.axes()
    return [axes | {k: row.get(k) for k in RESULT_COLUMNS} for row in rows]


def sweep(cases, n_jobs: int = 1, progress: bool = True, out: str | Path | None = None,
          scheduler=None) -> list[dict[str, Any]]:
    """Run every case; return tidy records, one per case and layer.

    Parameters
    ----------
    cases : str, Path, dict, SweepSpec, Case or iterable of Case
        A sweep file (:mod:`accelsim.io.sweepfile`), the same structure as a dict (paths in it
        relative to the working directory), a loaded spec, or cases (:class:`Case`).
    n_jobs : int
        Local worker processes (joblib, loky backend); 1 runs in this process, -1 uses every
        CPU. Ignored when ``scheduler`` is given.
    progress : bool
        Show a tqdm progress bar (terminal or notebook).
    out : str or Path, optional
        Directory to stream ``records.csv`` and ``components.csv`` to; cases already complete
        there are not run again (their records are read back). Locked for the run
        (:class:`~accelsim.io.sweepstore.SweepStore`): a directory another sweep is writing is
        refused.
    scheduler : str or distributed.Client, optional
        A dask scheduler address (``tcp://host:8786``) or client: run the cases on that cluster
        through joblib's dask backend (``pip install 'accelsim[dask]'``). The workers must be
        able to import accelsim.

    Returns
    -------
    list of dict
        In case order, then layer order. Keys: the case's axes (``case``, ``workload``,
        ``hardware``, ``energy`` (the choice), ``array``, ``pe_rows``, ``pe_cols``, ``num_pes``, each varied field,
        ``dataflow``, ``batch``, ``engine``, ``objective``) and the layer's result (``layer``,
        ``status``, ``reason``, ``macs``, ``cycles``, ``energy_total``, ``energy_ALU`` …
        ``energy_DRAM`` and ``energy_clock`` (the clock/static term, ``None`` for a machine
        without one) in ``energy_unit``, ``energy_source`` (what priced the machine),
        ``area_mm2`` and ``area_MAC`` … ``area_NoC`` (mm², the machine's), ``utilization``,
        ``mapping`` as JSON, ``seconds``); results of a failed layer are ``None``.

    Raises
    ------
    SpecError
        A bad sweep file, a scheduler that cannot be reached (``field`` ``scheduler``), or an
        ``out`` directory another sweep is writing (``field`` ``out``).
    KeyboardInterrupt
        Interrupted; every case finished before is in ``out``.
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise SpecError(f"must be >= 1 (or -1: one worker per CPU), got {n_jobs!r}", "n_jobs")
    todo = as_cases(cases)
    done: dict[str, list[dict[str, Any]]] = {}
    store = SweepStore(out, _columns(todo)).open() if out is not None else None
    try:
        if store is not None:
            done = {c.id: _resumed(store.completed[c.id], c) for c in todo if c.id in store.completed}
        pending = [c for c in todo if c.id not in done]
        tqdm = progress_bar()
        with tqdm(total=len(todo), initial=len(done), unit="case", desc="sweep", disable=not progress) as bar:
            for outcome in _execute(pending, n_jobs, scheduler):
                if store is not None:
                    store.append(outcome.records, outcome.components)
                done[outcome.case] = outcome.records
                bar.update(1)
    finally:
        if store is not None:
            store.close()
    return [rec for case in todo for rec in done[case.id]]


def to_dataframe(records: Iterable[dict[str, Any]]):
    """Records (from :func:`sweep` or :func:`accelsim.io.sweepstore.read_sweep`) as a pandas DataFrame.

    Raises
    ------
    ModuleNotFoundError
        pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ModuleNotFoundError("to_dataframe needs pandas: pip install pandas", name="pandas") from None
    return pd.DataFrame.from_records(list(records))
