"""Which energy prices a run or a sweep case: the choice a user names, and applying it to a machine.

One spelling serves the ``--energy`` option of ``run``/``compare``/``mapping`` and the ``energy``
key of a sweep file (docs/architecture.md, *Where the energy source is chosen*):

``model``
    :class:`~accelsim.spec.energy_model.EnergyModel`: energies (pJ) derived from the machine's
    sizes, widths, precision and technology. A machine whose hardware file already asks for the
    model keeps its own parameters (``technology_nm``, ``dram``, ``glb_access_bits``); any other
    machine gets the model's defaults.
``model:NM``
    The same at ``NM`` nanometres (``model:45``); the machine's other model parameters are kept.
``hardware``
    Whatever the hardware file says (its table, or its model).
anything else
    A fixed energy table: a preset name (``isca16``, ``65nm-pj``) or a YAML file.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..spec.energy import EnergyTable, TypedEnergyTable
from ..spec.energy_model import EnergyModel
from ..spec.hardware import Hardware


class EnergyChoiceKind(str, Enum):
    """What a named energy choice does to a machine."""

    HARDWARE = "hardware"  # keep the hardware file's own source
    MODEL = "model"        # the energy model (the machine's own parameters if it has them)
    TABLE = "table"        # one fixed table for every machine


#: The spelling of the model choice (``model`` or ``model:NM``).
MODEL_PREFIX = "model"


@dataclass(frozen=True, slots=True)
class EnergyChoice:
    """A named energy choice, resolved (a table is loaded once).

    Attributes
    ----------
    kind : EnergyChoiceKind
    label : str
        As the user wrote it (``model``, ``model:45``, ``hardware``, ``isca16``, a path): the
        sweep records' ``energy`` column.
    table : EnergyTable or TypedEnergyTable or None
        The table of a ``TABLE`` choice.
    technology_nm : float or None
        ``model:NM``: the technology the model is set to (``None``: the machine's or the default).
    """

    kind: EnergyChoiceKind
    label: str
    table: EnergyTable | TypedEnergyTable | None = None
    technology_nm: float | None = None

    def apply(self, hw: Hardware) -> Hardware:
        """``hw`` priced by this choice.

        Raises
        ------
        SpecError
            ``model:NM`` outside the model's range (``field`` ``energy.technology_nm``).
        """
        if self.kind is EnergyChoiceKind.HARDWARE:
            return hw
        if self.kind is EnergyChoiceKind.TABLE:
            return replace(hw, energy=self.table)
        model = hw.energy if isinstance(hw.energy, EnergyModel) else EnergyModel()
        if self.technology_nm is not None:
            model = replace(model, technology_nm=self.technology_nm)
        return replace(hw, energy=model)

    def fingerprint(self) -> dict[str, Any] | None:
        """What the choice adds to a sweep case's id: ``None`` for ``hardware`` (so the ids of
        cases that keep the hardware's own energy are those they had before the choice existed),
        else its kind, label and (for a table) the numbers."""
        if self.kind is EnergyChoiceKind.HARDWARE:
            return None
        key: dict[str, Any] = {"kind": self.kind.value, "label": self.label}
        if self.table is not None:
            key["table"] = asdict(self.table)
        if self.technology_nm is not None:
            key["technology_nm"] = self.technology_nm
        return key


HARDWARE_CHOICE = EnergyChoice(EnergyChoiceKind.HARDWARE, "hardware")
MODEL_CHOICE = EnergyChoice(EnergyChoiceKind.MODEL, MODEL_PREFIX)


def parse_energy_choice(text: Any, base: Path | None = None, field: str = "energy") -> EnergyChoice:
    """Resolve ``model``, ``model:NM``, ``hardware``, or a table preset or file.

    Parameters
    ----------
    text : str
        The choice as written.
    base : Path, optional
        Directory a relative table path is taken from (a sweep file's).
    field : str
        Where it was written (``--energy``, ``energy[1]``), for errors.

    Raises
    ------
    SpecError
        Not a string, a bad ``model:NM``, an unknown table preset or a bad table file; ``field`` is
        ``field``.
    """
    from .presets import load_energy

    if isinstance(text, EnergyChoice):
        return text
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"expected model, model:NM, hardware or an energy table preset or file, got {text!r}",
                        field=field)
    name = text.strip()
    low = name.lower()
    if low == EnergyChoiceKind.HARDWARE.value:
        return HARDWARE_CHOICE
    if low == MODEL_PREFIX:
        return MODEL_CHOICE
    if low.startswith(MODEL_PREFIX + ":"):
        value = low.split(":", 1)[1].strip().removesuffix("nm").strip()
        try:
            nm = float(value)
        except ValueError:
            nm = math.nan
        if not math.isfinite(nm):
            raise SpecError(f"expected model:NM with the technology in nm (model:45), got {text!r}", field=field)
        try:
            EnergyModel(technology_nm=nm)
        except SpecError as exc:
            raise SpecError(f"technology_nm {exc.message}", field=field) from None
        return EnergyChoice(EnergyChoiceKind.MODEL, name, technology_nm=nm)
    try:
        table = load_energy(name, base)
    except SpecError as exc:
        raise SpecError(f"{exc.field}: {exc.message}" if exc.field else exc.message, field=field) from None
    return EnergyChoice(EnergyChoiceKind.TABLE, name, table=table)


def describe_choices() -> list[tuple[str, str]]:
    """``(name, description)`` of every choice ``--energy`` and the sweep key take, for
    ``accelsim list energy``: the model with its defaults and source, then each table preset."""
    from .presets import list_presets, load_energy

    model = EnergyModel()
    out = [("model", f"{model.describe()}: technology_nm {model.technology_nm:g}, dram {model.dram.value}, "
                     f"glb_access_bits {model.glb_access_bits}; model:NM sets the technology; source: "
                     f"{model.source}")]
    for name in list_presets("energy"):
        table = load_energy(name)
        out.append((name, f"{table.describe()}: source: {table.source}"))
    return out
