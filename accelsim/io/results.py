"""Writing (and reading back) result documents: JSON and CSV."""

from __future__ import annotations

import csv
import json
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np


def _plain(value: Any) -> Any:
    """JSON-compatible stand-in for values ``json`` cannot encode itself."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"cannot write a {type(value).__name__} to JSON: {value!r}")


def to_json(doc: Any) -> str:
    """Encode ``doc`` as indented JSON (numpy scalars and arrays become numbers and lists)."""
    return json.dumps(doc, indent=2, default=_plain)


def write_json(doc: dict, path: str | Path) -> Path:
    """Write a result document as JSON.

    Parameters
    ----------
    doc : dict
        The document (e.g. ``RunResult.to_dict()``); numpy integers, floats and arrays are
        converted.
    path : str or Path
        Output file; missing parent directories are created.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    text = to_json(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read_json(path: str | Path) -> Any:
    """Read a JSON document written by :func:`write_json`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list, tuple, np.ndarray)):
        return json.dumps(value, default=_plain)
    if isinstance(value, (np.generic, Enum, Path)):
        return _plain(value)
    return value


def write_csv(rows: list[dict], path: str | Path) -> Path:
    """Write records as CSV.

    Parameters
    ----------
    rows : list of dict
        One dict per row; the columns are the union of their keys in first-seen order, and a
        missing key leaves its cell empty. Nested dicts and lists are written as JSON.
    path : str or Path
        Output file; missing parent directories are created.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return path


def write_trace(run, path: str | Path, capacity: dict[str, float] | None = None) -> Path:
    """Save a cycle-engine run's activity as ``.npz``.

    Per layer ``<name>.trace`` (float64[bins, columns]: MACs, bus words per GIN/psum network,
    GLB and DRAM words, stall cycles per bin of ``<name>.bin_cycles`` cycles) and
    ``<name>.pe_busy`` (int64[rows, cols]: MACs per physical PE); ``columns`` names the trace
    columns. With ``capacity`` (trace column → words per cycle its link carries,
    ``accelsim.sim.cycle.trace_capacities``) also ``capacity_columns`` and
    ``capacity_words_per_cycle``, which the bandwidth plot draws as limits.

    Returns
    -------
    Path
        The file written: ``path``, with ``.npz`` appended when it has another suffix (as
        ``numpy.savez`` does).
    """
    import numpy as np

    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    columns = None
    for r in run.layers:
        if not r.ok or r.trace is None:
            continue
        columns = list(r.timing.trace_columns)
        arrays[f"{r.layer.name}.trace"] = r.trace
        arrays[f"{r.layer.name}.bin_cycles"] = np.array(r.timing.trace_bin_cycles)
        arrays[f"{r.layer.name}.cycles"] = np.array(r.timing.cycles)
        arrays[f"{r.layer.name}.pe_busy"] = np.array(r.timing.pe_utilization) * r.timing.cycles
    arrays["columns"] = np.array(columns or [])
    if capacity:
        arrays["capacity_columns"] = np.array(list(capacity))
        arrays["capacity_words_per_cycle"] = np.array(list(capacity.values()), dtype=np.float64)
    np.savez_compressed(path, **arrays)
    return path
