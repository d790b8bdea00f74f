"""A run under Timeloop's counting semantics beside accelsim's (``--semantics``, issue 15).

The engines count accelsim's (ISCA 2016) accounting only. Timeloop's numbers for a run are
computed from the very nest each layer ran, by :func:`accelsim.sim.timeloop_semantics.timeloop_stats`
(Timeloop's nest analysis: per level and data space, per instance). So under either engine the
Timeloop record is the same function of the mapping; the cycle engine adds what it alone knows
(real data checked against the reference convolution, stalls), and its own counts stay
accelsim's.

:class:`SemanticsRun` is a :class:`~accelsim.spec.result.RunResult` with the Timeloop stats of
each layer; its :meth:`~SemanticsRun.to_dict` is the result document with, per layer record,
``"timeloop": {LEVEL: {DATASPACE: {"reads", "fills", "updates", "instances", …}}}`` and
``cycles`` = Timeloop's cycles (docs/architecture.md, *Results*).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import MappingError, SpecError
from ..sim.timeloop_semantics import Semantics, TimeloopStats, timeloop_stats
from ..spec.hardware import Hardware
from ..spec.layer import ConvLayer
from ..spec.mapping import Mapping
from ..spec.result import RunResult

#: what ``--semantics`` accepts (in :class:`Semantics` order)
CHOICES = tuple(s.value for s in Semantics)


def parse_semantics(text: str | None, option: str = "--semantics") -> tuple[Semantics, ...]:
    """``--semantics``: one accounting, or a comma-separated list to show side by side.

    Parameters
    ----------
    text : str or None
        ``accelsim`` (the default), ``timeloop-2020``, ``timeloop-2024``, ``timeloop-2025``, or
        a list such as ``accelsim,timeloop-2024``.

    Returns
    -------
    tuple of Semantics
        In the order given; ``(ACCELSIM,)`` for ``None``.

    Raises
    ------
    SpecError
        An unknown name, a repeated one, or more than one Timeloop era.
    """
    if text is None:
        return (Semantics.ACCELSIM,)
    names = [t.strip().lower() for t in str(text).split(",") if t.strip()]
    out = []
    for name in names:
        try:
            out.append(Semantics(name))
        except ValueError:
            raise SpecError(f"unknown semantics {name!r}; choose {', '.join(CHOICES)} or a comma-separated list "
                            "such as accelsim,timeloop-2024", option) from None
    if not out:
        raise SpecError(f"give one of {', '.join(CHOICES)}", option)
    if len(set(out)) != len(out):
        raise SpecError(f"{text!r} repeats a semantics; give each once", option)
    eras = [s.value for s in out if s is not Semantics.ACCELSIM]
    if len(eras) > 1:
        raise SpecError(f"one Timeloop era at a time (got {', '.join(eras)}); each run's record carries one "
                        "\"timeloop\" object", option)
    return tuple(out)


def timeloop_of(semantics: tuple[Semantics, ...]) -> Semantics | None:
    """The Timeloop era among ``semantics`` (``None``: accelsim's only)."""
    return next((s for s in semantics if s is not Semantics.ACCELSIM), None)


def check_countable(layer: ConvLayer, mapping: Mapping, option: str = "--semantics") -> None:
    """Refuse, before any work, a given mapping Timeloop's semantics cannot count (flattened
    loops, an imperfect factorisation)."""
    if mapping.flat_groups:
        raise SpecError(f"layer {layer.name}'s mapping has flattened loops; Timeloop's semantics count plain loop "
                        "nests (run it without --semantics)", option)
    if mapping.is_padded(layer.loop_bounds()):
        raise SpecError(f"layer {layer.name}'s mapping is an imperfect factorisation; Timeloop's semantics need "
                        "factors that multiply to each bound (run it without --semantics)", option)


@dataclass(frozen=True, slots=True)
class SemanticsRun:
    """A run and Timeloop's numbers for each of its layers.

    Attributes
    ----------
    run : RunResult
        As the engine reported it (accelsim's accounting).
    semantics : Semantics
        The Timeloop era.
    stats : tuple of (TimeloopStats or None)
        Per ``run.layers``; ``None`` for a layer that did not run.
    """

    run: RunResult
    semantics: Semantics
    stats: tuple[TimeloopStats | None, ...]

    def to_dict(self) -> dict:
        """The result document with Timeloop's numbers: ``semantics`` at the top; per layer that
        ran ``timeloop`` (``TimeloopStats.to_record()``), ``cycles`` = Timeloop's (MACs per
        utilized PE), ``accelsim_cycles`` = the engine's, ``timeloop_energy_pj`` (``None``
        without a pJ price) and ``timeloop_utilized_pes``; ``total.cycles`` their sum,
        ``total.accelsim_cycles`` the engine's. Accesses and energy stay accelsim's."""
        doc = self.run.to_dict()
        doc["semantics"] = self.semantics.value
        cycles = accelsim_cycles = 0
        energies = []
        for rec, st in zip(doc["layers"], self.stats):
            if st is None:
                continue
            rec["semantics"] = self.semantics.value
            rec["timeloop"] = st.to_record()
            rec["accelsim_cycles"] = rec["cycles"]
            rec["cycles"] = int(st.cycles)
            rec["timeloop_energy_pj"] = st.energy_pj
            rec["timeloop_utilized_pes"] = int(st.utilized_pes)
            cycles += st.cycles
            accelsim_cycles += rec["accelsim_cycles"]
            energies.append(st.energy_pj)
        tot = doc["total"]
        tot["accelsim_cycles"] = accelsim_cycles
        tot["cycles"] = cycles
        tot["timeloop_energy_pj"] = (sum(energies) if energies and all(e is not None for e in energies) else None)
        return doc


def with_semantics(run: RunResult, hw: Hardware, semantics: Semantics) -> SemanticsRun:
    """Timeloop's numbers for every layer of ``run`` that ran, on ``hw`` (its energy table
    prices them when it is a per-type pJ table and the mapping carries no Timeloop prices).

    Raises
    ------
    SpecError
        A layer's mapping Timeloop's semantics cannot count (field ``--semantics``).
    """
    out = []
    for r in run.layers:
        if not r.ok or r.mapping is None:
            out.append(None)
            continue
        try:
            out.append(timeloop_stats(r.layer, hw, r.mapping, semantics))
        except MappingError as exc:
            raise SpecError(f"layer {r.layer.name}: {exc.message}", "--semantics") from None
    return SemanticsRun(run=run, semantics=semantics, stats=tuple(out))
