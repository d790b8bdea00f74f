"""Run one workload under several dataflows (each on its own hardware if asked)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..dataflows import parse_dataflow
from ..spec.dims import Dataflow
from ..spec.hardware import Hardware
from ..spec.layer import Workload
from ..spec.result import RunResult
from ..search.mapper import Budget, Objective
from .warmup import warmup

ISCA16_DATAFLOWS = ("rs", "ws", "osa", "osb", "osc", "nlr")
SYSTOLIC_DATAFLOWS = ("sys-ws", "sys-os", "sys-is")


def default_dataflows(hw: Hardware) -> tuple[Dataflow, ...]:
    """The dataflows ``compare`` runs on one machine when none are named: the family of the
    hardware file's ``dataflow:`` (the three systolic ones, or the six of ISCA 2016), its own
    first (the ``vs first`` baseline); the ISCA 2016 six without one."""
    family = tuple(parse_dataflow(d) for d in (SYSTOLIC_DATAFLOWS if hw.dataflow is not None and
                                                hw.dataflow.value in SYSTOLIC_DATAFLOWS else ISCA16_DATAFLOWS))
    if hw.dataflow is None:
        return family
    return (hw.dataflow, *(df for df in family if df is not hw.dataflow))


def _one(workload, hw, df, engine, batch, objective, budget, constraints, progress, mappings, flatten) -> RunResult:
    from ..drivers.simulate import simulate_network

    return simulate_network(workload, hw, df, engine=engine, batch=batch, objective=objective, budget=budget,
                            constraints=constraints, progress=progress, mappings=mappings, flatten=flatten)


def compare(workload: Workload, hardware: Hardware | Callable[[Dataflow], Hardware],
            dataflows: Sequence = ISCA16_DATAFLOWS, batch: int = 1, engine: str = "analytic",
            objective=Objective.ENERGY, n_jobs: int = 1, budget: Budget | None = None,
            constraints: dict | None = None, progress: bool = False,
            mappings: Callable[[Dataflow, Hardware], dict] | None = None, flatten: bool = True) -> list[RunResult]:
    """Simulate ``workload`` under each dataflow.

    Parameters
    ----------
    workload : Workload
        Layers to run.
    hardware : Hardware or callable
        One machine for every dataflow, or a function giving the machine of a dataflow (the
        ISCA 2016 comparison gives each dataflow its own RF/GLB split).
    dataflows : sequence of str
        Dataflow names.
    batch : int
        Batch size N.
    n_jobs : int
        Worker threads (joblib); 1 runs sequentially.
    constraints : dict of str to MappingConstraints, optional
        Per layer, the partial mapping the mapper completes under every dataflow.
    progress : bool
        Cycle engine: a progress bar per long layer (:func:`accelsim.drivers.simulate.simulate`).
    mappings : callable, optional
        ``mappings(dataflow, hardware)``: the given mappings of that run, by layer name (e.g.
        :func:`scalesim_family`); layers it leaves out are mapped by the mapper. Called for every
        dataflow before any run, so a dataflow it refuses fails before the work.
    flatten : bool
        Whether the mapper may choose flattened (im2col) loops (:func:`accelsim.drivers.simulate.simulate`);
        off for a run reported under Timeloop's semantics, which count plain loop nests.

    Returns
    -------
    list of RunResult
        In the order of ``dataflows``; infeasible layers are recorded inside each run.
    """
    dfs = [parse_dataflow(d) for d in dataflows]
    pick = hardware if callable(hardware) else (lambda _df: hardware)
    given = {df: (mappings(df, pick(df)) if mappings is not None else None) for df in dfs}
    jobs = [(workload, pick(df), df, engine, batch, objective, budget, constraints, progress, given[df], flatten)
            for df in dfs]
    if n_jobs == 1 or len(jobs) == 1:
        return [_one(*job) for job in jobs]
    from joblib import Parallel, delayed

    # the kernels release the GIL (nogil=True), so threads run the searches in parallel
    # without paying for worker processes that would each load the numba cache
    warmup()
    return list(Parallel(n_jobs=n_jobs, prefer="threads")(delayed(_one)(*job) for job in jobs))


def scalesim_family(workload: Workload, batch: int) -> Callable[[Dataflow, Hardware], dict]:
    """``compare``'s ``mappings`` for ``--mapping scalesim``: SCALE-Sim's own im2col mapping of
    every layer for each systolic dataflow on its hardware's array
    (:func:`accelsim.search.im2col.scalesim_mappings`).

    The returned function raises ``SpecError`` (field ``--dataflows``) for a dataflow that is
    not systolic.
    """
    from ..errors import SpecError
    from ..search.im2col import scalesim_mappings

    def family(df: Dataflow, hw: Hardware) -> dict:
        if df.value not in SYSTOLIC_DATAFLOWS:
            raise SpecError(f"--mapping scalesim maps the systolic dataflows ({', '.join(SYSTOLIC_DATAFLOWS)}), "
                            f"not {df.value}; leave it out of --dataflows", "--dataflows")
        return scalesim_mappings(workload, batch, df, hw)

    return family
