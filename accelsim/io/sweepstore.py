"""A sweep's results on disk: ``records.csv`` and ``components.csv``, written as cases finish.

``DIR/records.csv`` has one row per case and layer: the case's axes (``case`` id, ``workload``,
``hardware``, ``energy`` (the energy choice: ``model``, ``hardware``, a table), ``array``,
``pe_rows``, ``pe_cols``, ``num_pes``, one column per varied hardware field, ``dataflow``,
``batch``, ``engine``, ``objective``), then the layer's result (``layer``, ``layer_index``,
``n_layers``, ``status``, ``reason``, ``macs``, ``cycles``, ``energy_total``,
``energy_<component>`` …, ``energy_clock`` (the clock/static term; empty for a machine without
one), ``energy_source``, the machine's ``area_mm2`` and ``area_<component>``, see
:data:`RESULT_COLUMNS`). A directory an older accelsim wrote lacks the ``energy``,
``energy_clock``, ``energy_source`` and area columns; their cells read back as ``None``.
``DIR/components.csv`` is tidy: one row per (case, layer, component, data type) with the
charged ``accesses`` (words; MACs for the ALU) and their ``energy`` (in the case's
``energy_unit``); the ALU row's data type is ``ALU``, so grouping by ``component`` gives the
by-level breakdown and grouping by ``data_type`` the by-type one.

A case is written in one go — its component rows, then its record rows — and flushed, so an
interrupted sweep leaves every finished case on disk. A case counts as done when all its
``n_layers`` record rows are present; :meth:`SweepStore.open` drops what an interruption
left half-written (a partial last line, a case with missing layers, its component rows) before
a resumed sweep appends to the files.

One sweep at a time writes a directory: :meth:`SweepStore.open` takes an exclusive
``fcntl.flock`` on ``DIR/.accelsim-sweep.lock`` (a non-blocking one) before it reads anything,
and holds it until :meth:`SweepStore.close`; a second store on the same directory — another
``accelsim sweep --out DIR``, in this process or another — is refused with a
:class:`~accelsim.errors.SpecError` (field ``out``) naming the process that holds it. The
operating system drops the lock when that process ends, however it ends (a SIGKILL too), so
the file a killed sweep leaves behind blocks nothing. Where ``fcntl`` is missing (Windows) no
lock is taken. Readers (:func:`read_sweep`) keep one row per case and layer (and per case,
layer, component and data type) whatever the files hold.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import SpecError

RECORDS_FILE = "records.csv"
COMPONENTS_FILE = "components.csv"
#: Held (``fcntl.flock``, exclusive) by the one sweep writing the directory; holds its pid.
LOCK_FILE = ".accelsim-sweep.lock"

#: Axis columns before the varied hardware fields, and after them.
AXIS_HEAD: tuple[str, ...] = ("case", "workload", "hardware", "energy", "array", "pe_rows", "pe_cols", "num_pes")
#: The machine's area components (mm², ``area_<part>`` columns), as :class:`~accelsim.spec.energy_model.AreaBreakdown`
#: names them.
AREA_PARTS: tuple[str, ...] = ("MAC", "RF", "GLB", "NoC")
#: Per-machine result columns: what priced it (``EnergySource.describe()``) and its area (mm²).
MACHINE_COLUMNS: tuple[str, ...] = ("energy_source", "area_mm2", *(f"area_{p}" for p in AREA_PARTS))
AXIS_TAIL: tuple[str, ...] = ("dataflow", "batch", "engine", "objective")
#: Per-layer result columns (energies in ``energy_unit``; ``seconds`` is the case's wall time).
RESULT_COLUMNS: tuple[str, ...] = (
    "layer", "layer_index", "n_layers", "status", "reason", "macs", "cycles", "compute_cycles",
    "stall_cycles", "active_pes", "utilization", "energy_unit", "energy_total", "energy_ALU",
    "energy_RF", "energy_NoC", "energy_GLB", "energy_DRAM", "energy_clock", *MACHINE_COLUMNS, "mappings_considered",
    "psum_spill",
    "mapping", "seconds",
)
#: Columns that measure the run rather than the case (differ between identical runs).
TIMING_COLUMNS: tuple[str, ...] = ("seconds",)
COMPONENT_COLUMNS: tuple[str, ...] = ("case", "layer", "component", "data_type", "accesses", "energy")
#: Rows of ``components.csv`` per feasible layer: the ALU, then RF, NoC, GLB, DRAM × 3 data types.
COMPONENT_ROWS_PER_LAYER = 1 + 4 * 3

_INT = ("pe_rows", "pe_cols", "num_pes", "batch", "layer_index", "n_layers", "macs", "cycles", "compute_cycles",
        "stall_cycles", "active_pes", "mappings_considered", "accesses")
_FLOAT = ("utilization", "energy_total", "energy_ALU", "energy_RF", "energy_NoC", "energy_GLB", "energy_DRAM",
          "energy_clock", "seconds", "energy", "area_mm2", *(f"area_{p}" for p in AREA_PARTS))
_BOOL = ("psum_spill",)
_TEXT = ("case", "workload", "hardware", "array", "dataflow", "engine", "objective", "layer", "status", "reason",
         "energy_unit", "mapping", "component", "data_type", "energy_source")
_INT_TEXT = re.compile(r"^[+-]?\d+$")


def record_columns(vary_names: Iterable[str]) -> list[str]:
    """Column order of ``records.csv`` for a sweep varying ``vary_names``."""
    vary = [n for n in vary_names if n not in AXIS_HEAD]
    return [*AXIS_HEAD, *vary, *AXIS_TAIL, *RESULT_COLUMNS]


def _auto(text: str) -> Any:
    """A varied field's value from its CSV text: int, float, bool or str."""
    if _INT_TEXT.match(text):
        return int(text)
    if text in ("True", "False"):
        return text == "True"
    try:
        return float(text)
    except ValueError:
        return text


#: Columns whose meaning differs between the two files: ``energy`` is the case's energy choice
#: (text) in ``records.csv`` and a component's energy (number) in ``components.csv``.
_RECORD_TEXT = ("energy",)


def parse_cell(column: str, text: str | None, records: bool = False) -> Any:
    """The typed value of one CSV cell (empty numeric cells are ``None``); ``records``: a cell of
    ``records.csv`` (else of ``components.csv``)."""
    if text is None:
        return None
    if column in _TEXT or (records and column in _RECORD_TEXT):
        return text
    if text == "":
        return None
    if column in _INT:
        return int(text)
    if column in _FLOAT:
        return float(text)
    if column in _BOOL:
        return text == "True"
    return _auto(text)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r", " ").replace("\n", " ")
    return value


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]], bool]:
    """Header, well-formed rows, and whether anything had to be dropped."""
    if not path.is_file():
        return [], [], False
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError("not UTF-8 text, so not a file accelsim sweep wrote", field=str(path)) from None
    dirty = bool(text) and not text.endswith("\n")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], [], bool(text)
    raw = list(reader)
    if dirty and raw:
        raw.pop()  # a line cut short by an interruption
    rows = []
    for cells in raw:
        if len(cells) != len(header):
            dirty = True
            continue
        rows.append(dict(zip(header, cells)))
    return header, rows, dirty


def _complete_cases(rows: list[dict[str, str]]) -> tuple[dict[str, list[dict[str, str]]], bool]:
    """Rows of the cases with every layer present (first copy of each), and whether any were dropped."""
    by_case: dict[str, dict[int, dict[str, str]]] = {}
    expected: dict[str, set[int]] = {}
    dirty = False
    for row in rows:
        try:
            index, total = int(row["layer_index"]), int(row["n_layers"])
        except (KeyError, ValueError):
            dirty = True
            continue
        layers = by_case.setdefault(row["case"], {})
        if index in layers:
            dirty = True
            continue
        layers[index] = row
        expected.setdefault(row["case"], set()).add(total)
    done = {}
    for case, layers in by_case.items():
        totals = expected[case]
        if len(totals) == 1 and set(layers) == set(range(next(iter(totals)))):
            done[case] = [layers[i] for i in sorted(layers)]
        else:
            dirty = True
    return done, dirty


def _rewrite(path: Path, header: list[str], rows: Iterable[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def _typed(rows: Iterable[dict[str, str]], path: Path) -> list[dict[str, Any]]:
    """Rows with typed cells; a cell that does not parse is a :class:`SpecError` naming ``path``."""
    records = path.name == RECORDS_FILE
    out = []
    for row in rows:
        typed = {}
        for key, text in row.items():
            try:
                typed[key] = parse_cell(key, text, records)
            except ValueError:
                raise SpecError(f"column {key!r} of case {row.get('case')!r}, layer {row.get('layer')!r}: "
                                f"expected a number, got {text!r}", field=str(path)) from None
        out.append(typed)
    return out


def _case_components(comp_rows: list[dict[str, str]], cases) -> list[dict[str, str]]:
    """The component rows of ``cases`` in file order, the first copy of each (case, layer,
    component, data type) only."""
    seen, out = set(), []
    for row in comp_rows:
        key = tuple(row.get(c) for c in COMPONENT_COLUMNS[:4])
        if row.get("case") in cases and key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _lock(directory: Path):
    """An open handle on ``directory``'s lock file, exclusively locked (``None`` without ``fcntl``).

    Raises
    ------
    SpecError
        Another store holds the lock (``field`` is ``out``); the message names its pid.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here
        return None
    handle = (directory / LOCK_FILE).open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise SpecError(f"{directory} is in use by another accelsim sweep ({holder}); wait for it to finish, "
                        "or give another directory", field="out") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
    handle.flush()
    return handle


class SweepStore:
    """The two CSV files of one sweep directory, opened for appending.

    Parameters
    ----------
    directory : str or Path
        Created if missing.
    columns : sequence of str
        ``records.csv`` columns of this sweep (:func:`record_columns`); a file written by a
        sweep with other columns is rewritten with the union of both.

    Examples
    --------
    >>> with SweepStore(out, columns) as store:      # doctest: +SKIP
    ...     done = store.completed                   # case id -> its typed records
    ...     store.append(records, components)
    """

    def __init__(self, directory: str | Path, columns: Iterable[str]):
        self.directory = Path(directory)
        self.columns = list(columns)
        self.completed: dict[str, list[dict[str, Any]]] = {}
        self._records = self._components = self._lock = None
        self._rec_writer = self._comp_writer = None

    @property
    def records_path(self) -> Path:
        return self.directory / RECORDS_FILE

    @property
    def components_path(self) -> Path:
        return self.directory / COMPONENTS_FILE

    def open(self) -> "SweepStore":
        """Take the directory's lock, repair what an interruption left behind, load the finished
        cases, open for appending.

        Raises
        ------
        SpecError
            Another sweep is writing the directory (``field`` is ``out``).
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.directory)
        try:
            return self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> SweepStore:
        header, rows, dirty = _read_rows(self.records_path)
        done, dropped = _complete_cases(rows)
        comp_header, comp_rows, comp_dirty = _read_rows(self.components_path)
        per_case: dict[str, list[dict[str, str]]] = {}
        for row in _case_components(comp_rows, done):
            per_case.setdefault(row["case"], []).append(row)
        for case, case_rows in list(done.items()):  # a case is done only with all its component rows
            ok_layers = sum(r.get("status") == "ok" for r in case_rows)
            if len(per_case.get(case, ())) != COMPONENT_ROWS_PER_LAYER * ok_layers:
                del done[case]
                dropped = True
        kept = [row for case in done for row in per_case.get(case, ())]
        union = header + [c for c in self.columns if c not in header]
        if dirty or dropped or union != header or not header:
            _rewrite(self.records_path, union, (r for case_rows in done.values() for r in case_rows))
        self.columns = union
        if comp_dirty or len(kept) != len(comp_rows) or comp_header != list(COMPONENT_COLUMNS):
            _rewrite(self.components_path, list(COMPONENT_COLUMNS), kept)
        self.completed = {case: _typed(case_rows, self.records_path) for case, case_rows in done.items()}
        self._components = self.components_path.open("a", newline="", encoding="utf-8")
        self._records = self.records_path.open("a", newline="", encoding="utf-8")
        self._comp_writer = csv.DictWriter(self._components, fieldnames=list(COMPONENT_COLUMNS), restval="",
                                           extrasaction="ignore")
        self._rec_writer = csv.DictWriter(self._records, fieldnames=self.columns, restval="",
                                          extrasaction="ignore")
        return self

    def append(self, records: list[dict[str, Any]], components: list[dict[str, Any]]) -> None:
        """Write one finished case (components first, records last) and flush both files."""
        if self._rec_writer is None:
            raise RuntimeError("SweepStore.append before open()")
        self._comp_writer.writerows({k: _cell(v) for k, v in row.items()} for row in components)
        self._components.flush()
        self._rec_writer.writerows({k: _cell(v) for k, v in row.items()} for row in records)
        self._records.flush()

    def close(self) -> None:
        """Close both files, then release the directory's lock."""
        for handle in (self._components, self._records, self._lock):
            if handle is not None:
                handle.close()
        self._records = self._components = self._lock = self._rec_writer = self._comp_writer = None

    def __enter__(self) -> "SweepStore":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()


def is_sweep_dir(path: str | Path) -> bool:
    """Whether ``path`` is a directory holding a ``records.csv``."""
    return (Path(path) / RECORDS_FILE).is_file()


def read_sweep(directory: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The finished cases of a sweep directory (read only; nothing is repaired).

    Parameters
    ----------
    directory : str or Path
        A ``--out`` directory of ``accelsim sweep``.

    Returns
    -------
    records, components : list of dict
        Typed rows of ``records.csv`` (complete cases only, file order) and ``components.csv``
        (rows of those cases); one row per case and layer (per case, layer, component and data
        type), the first a file holds, whatever else it holds.

    Raises
    ------
    FileNotFoundError
        No ``records.csv`` in ``directory``.
    SpecError
        A file that is not UTF-8 text or a numeric cell that does not parse (``field`` is the file).
    """
    path = Path(directory) / RECORDS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {RECORDS_FILE} in {directory}")
    _, rows, _ = _read_rows(path)
    done, _ = _complete_cases(rows)
    records = _typed((r for case_rows in done.values() for r in case_rows), path)
    comp_path = Path(directory) / COMPONENTS_FILE
    _, comp_rows, _ = _read_rows(comp_path)
    components = _typed(_case_components(comp_rows, done), comp_path)
    return records, components
