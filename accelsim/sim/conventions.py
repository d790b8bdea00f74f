"""SCALE-Sim's counting and timing conventions, computed from a mapping (``hw.model.scalesim_counts``,
``hw.model.scalesim_timing``).

SCALE-Sim 3.0.0 counts some things differently from accelsim; neither is wrong, they answer
different questions. Two hardware flags (:class:`~accelsim.spec.hardware.ModelOptions`, hardware
file keys, ``--conventions scalesim`` sets both) make a run report SCALE-Sim's numbers. Both are
rules applied to whatever mapping runs, never closed forms of one mapping.

*Counting* (``scalesim_counts``, :func:`im2col_counts`): the array's parent level (the GLB, or
DRAM for a type that bypasses it) serves every im2col element to every fold that uses it, one
read per element per edge line: no multicast union of identical words delivered to several PEs
in one step (an input-stationary fold pre-loads the overlapping windows of neighbouring pixels
word by word), and every psum a fold produces is one write (the first included). Formally, the
reads of an input type ``t`` (writes, for psums) are the valid iterations of the loop nest
without the loops that do not move ``t``'s index where it is reused in place: spatial loops
over dimensions ``t`` does not depend on (forwarded along a row / column, or reduced down a
column) and temporal loops inside ``t``'s RF tile that ``t`` does not depend on (the stationary
register). On a padded (ragged) axis an iteration counts when some completion of the dropped
loops is valid. Output stationary adds SCALE-Sim's extra ``rows + cols`` ofmap writes per fold
(its drain counter is incremented twice, SCALE-Sim issue #166).

*Timing* (``scalesim_timing``, :func:`scalesim_compute_cycles`): a fold (an iteration of the
temporal loops above the array) takes its ``T`` temporal steps plus the skewed fill of the
*whole* array, ``rows + cols - 2``, plus ``rows`` cycles of pre-load when an input is stationary
in the RF (weight / input stationary), whatever part of the array the fold uses; folds do not
overlap; the reported count is the index of the last cycle, one less than the sum. Output
stationary: ``folds·(T + rows + cols − 2) − 1``; weight / input stationary:
``folds·(2·rows + cols + T − 2) − 1``. The drain of the last fold is not counted. Only DRAM
bandwidth bounds these cycles (:func:`timing_costs`): SCALE-Sim's SRAMs feed the array's edges
every cycle (in its CALC bandwidth mode DRAM never stalls either).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from ..spec.dims import RELEVANT, DataType, Flat, Level
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping

class Conventions(str, Enum):
    """Whose counting and timing conventions a run reports (``--conventions``)."""

    ACCELSIM = "accelsim"
    SCALESIM = "scalesim"


def with_conventions(hw: Hardware, conventions) -> Hardware:
    """``hw`` with both SCALE-Sim flags set (``scalesim``) or cleared (``accelsim``).

    Raises
    ------
    SpecError
        An unknown name.
    """
    from ..errors import SpecError

    try:
        conv = Conventions(str(getattr(conventions, "value", conventions)).lower())
    except ValueError:
        raise SpecError(f"unknown conventions {conventions!r}; choose accelsim or scalesim", "--conventions") from None
    on = conv is Conventions.SCALESIM
    return replace(hw, model=replace(hw.model, scalesim_counts=on, scalesim_timing=on))


#: SCALE-Sim reports the index of its last cycle, not the count (its issue #125).
SCALESIM_CYCLE_OFFSET = -1


@dataclass(frozen=True, slots=True)
class FoldShape:
    """The folds of a mapping on a systolic array.

    Parameters
    ----------
    folds : int
        Iterations of the temporal loops above the first spatial loop (padded iterations included).
    steps : int
        Temporal steps of one fold: the product of the temporal loops below the last spatial loop.
    """

    folds: int
    steps: int


def fold_shape(mapping: Mapping) -> FoldShape:
    """:class:`FoldShape` of ``mapping`` (no spatial loop: one fold of every temporal step)."""
    spatial = [j for j, lp in enumerate(mapping.loops) if lp.spatial]
    first = spatial[0] if spatial else 0
    last = spatial[-1] if spatial else -1
    folds = int(np.prod([lp.factor for lp in mapping.loops[:first] if not lp.spatial], dtype=np.int64))
    steps = int(np.prod([lp.factor for lp in mapping.loops[last + 1:]], dtype=np.int64))
    return FoldShape(folds=folds, steps=steps)


def scalesim_pass_overhead(mapping: Mapping, hw: Hardware) -> int:
    """Cycles SCALE-Sim adds to each fold's temporal steps, in cycles: the skew of the whole
    ``hw.pe_rows × hw.pe_cols`` array, ``rows + cols − 2``, plus ``rows`` of pre-load when
    ``mapping`` keeps an input type in the RF. The cycle engine's counterpart of
    :func:`accelsim.sim.cycle.pass_overhead` under ``hw.model.scalesim_timing`` (then add
    :data:`SCALESIM_CYCLE_OFFSET` once to the layer's cycles)."""
    preload = hw.pe_rows if (mapping.rf[DataType.IFMAP] is not None or mapping.rf[DataType.FILTER] is not None) else 0
    return hw.pe_rows + hw.pe_cols - 2 + preload


def scalesim_compute_cycles(mapping: Mapping, hw: Hardware) -> int:
    """SCALE-Sim's compute cycles of ``mapping`` on ``hw``: ``folds·(T + overhead) − 1``
    (:func:`fold_shape`, :func:`scalesim_pass_overhead`)."""
    shape = fold_shape(mapping)
    return shape.folds * (shape.steps + scalesim_pass_overhead(mapping, hw)) + SCALESIM_CYCLE_OFFSET


def compute_cycles(mapping: Mapping, hw: Hardware, steps: int) -> int:
    """Compute cycles (no bandwidth stalls) of the analytic engine: the kernel's compute
    ``steps``, or SCALE-Sim's fold timing under ``hw.model.scalesim_timing``."""
    return scalesim_compute_cycles(mapping, hw) if hw.model.scalesim_timing else int(steps)


def timing_costs(hw: Hardware) -> np.ndarray:
    """The roofline's cost array (:func:`~accelsim.dataflows.lowering.cost_array`) under ``hw``'s
    timing convention: under ``hw.model.scalesim_timing`` only DRAM bounds the cycles (SCALE-Sim's
    SRAMs serve the array's edges every cycle and its array never waits for them: the GLB and
    NoC rates are unlimited) and the compute cycles already carry SCALE-Sim's fold timing
    (:func:`compute_cycles`), so the roofline adds no fold cycles of its own (``C_SYSTOLIC`` 0);
    unchanged otherwise."""
    from ..dataflows.lowering import cost_array
    from ..layout import C_RATE0, C_SYSTOLIC, RATE_FILTER, RATE_GLB, RATE_GON, RATE_IFMAP, RATE_PSUM

    costs = cost_array(hw)
    if hw.model.scalesim_timing:
        for rate in (RATE_GLB, RATE_IFMAP, RATE_FILTER, RATE_PSUM, RATE_GON):
            costs[C_RATE0 + rate] = 0.0
        costs[C_SYSTOLIC] = 0.0
    return costs


def _kept(mapping: Mapping, t: DataType) -> list[bool]:
    """Per loop: whether it moves ``t``'s stream at the array edge (module docstring)."""
    rel = RELEVANT[t]
    rf = mapping.rf[t]
    out = []
    for j, lp in enumerate(mapping.loops):
        relevant = any(d in rel for d in lp.members)
        if lp.spatial:
            out.append(relevant)
        else:
            out.append(relevant or rf is None or j < rf)
    return out


def _axis_count(mapping: Mapping, axis, extent: int, kept: list[bool]) -> int:
    """Distinct digit tuples of ``axis``'s kept loops over its valid index values ``0 .. extent-1``."""
    idx = [j for j, lp in enumerate(mapping.loops) if lp.dim == axis]
    if not idx:
        return 1
    p = np.arange(extent, dtype=np.int64)
    code = np.zeros(extent, dtype=np.int64)
    stride, mult = 1, 1
    for j in reversed(idx):
        f = mapping.loops[j].factor
        if kept[j]:
            code += ((p // stride) % f) * mult
            mult *= f
        stride *= f
    return int(np.unique(code).size)


def im2col_counts(mapping: Mapping, layer: ConvLayer) -> tuple[int, int, int]:
    """Words the array's parent level serves under SCALE-Sim's counting (module docstring):
    ``(ifmap reads, filter reads, psum writes)``, without the output-stationary extra writes."""
    bounds = layer.loop_bounds()
    out = []
    for t in DataType:
        kept = _kept(mapping, t)
        total = 1
        for axis, extent, _ in mapping.axes(bounds):
            members = axis.members if isinstance(axis, Flat) else (axis,)
            if not any(d in RELEVANT[t] for d in members):
                # an axis t does not depend on: its kept loops repeat the stream
                total *= int(np.prod([lp.factor for j, lp in enumerate(mapping.loops)
                                      if lp.dim == axis and kept[j]], dtype=np.int64)) if extent else 0
                continue
            total *= _axis_count(mapping, axis, extent, kept)
        out.append(total)
    return out[0], out[1], out[2]


def apply_scalesim_counts(mapping: Mapping, layer: ConvLayer, hw: Hardware, counts: np.ndarray) -> np.ndarray:
    """``counts`` (int64[4,3,4]) with the array's parent level's ifmap and filter reads and psum
    writes replaced by SCALE-Sim's (:func:`im2col_counts`, plus ``folds·(rows + cols)`` psum
    writes when psums are stationary in the RF); a copy, other entries unchanged."""
    from ..layout import READS, WRITES

    out = np.array(counts, copy=True)
    ifm, flt, psw = im2col_counts(mapping, layer)
    if mapping.rf[DataType.PSUM] is not None and any(lp.spatial for lp in mapping.loops):
        psw += fold_shape(mapping).folds * (hw.pe_rows + hw.pe_cols)
    for t, stat, value in ((DataType.IFMAP, READS, ifm), (DataType.FILTER, READS, flt), (DataType.PSUM, WRITES, psw)):
        level = Level.GLB if mapping.glb[t] is not None else Level.DRAM
        out[level, t, stat] = value
    return out

