"""Print the README's "Energy model" table: every Accelergy component of the Timeloop reference
cases (tests/accelergy_reference.py) against the energy model (accelsim.spec.energy_model).

Run from the repository root: ``python tools/energy_model_table.py`` (``--refit`` prints the
constants :func:`~accelsim.spec.energy_model.fit_constants` returns on the fit set).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from accelsim.spec import energy_model as em  # noqa: E402
from tests.accelergy_reference import REFERENCES, TOLERANCE, Reference  # noqa: E402


def fit_records(refs: list[Reference]) -> dict[str, list[tuple]]:
    """The fit set as :func:`~accelsim.spec.energy_model.fit_constants` takes it."""
    fit = [r for r in refs if r.role == "fit"]
    return {
        "mac": [(*r.mult_bits, r.adder_bits, r.technology_nm, r.read_pj, r.area_um2) for r in fit if r.kind == "mac"],
        "sram": [(r.capacity_bytes, r.width_bits, r.technology_nm, r.address_generator, r.read_pj, r.area_um2)
                 for r in fit if r.kind == "sram"],
        "regfile": [(r.depth, r.width_bits, r.technology_nm, r.address_generator, r.read_pj, r.area_um2)
                    for r in fit if r.kind == "regfile"],
        "dram": [(r.dram_type, r.width_bits, r.read_pj) for r in fit if r.kind == "dram"],
    }


def refit() -> em.FittedConstants:
    return em.fit_constants(**fit_records(list(REFERENCES)))


def model_pj(r: Reference, c: em.FittedConstants = em.CONSTANTS) -> float | None:
    """The model's energy for one reference component (None: outside the model)."""
    if r.kind == "mac":
        return em.mac_energy_pj(*r.mult_bits, r.adder_bits, r.technology_nm, c=c)
    if r.kind == "sram":
        return em.sram_energy_pj(r.capacity_bytes, r.width_bits, r.banks, r.technology_nm, r.address_generator, c=c)
    if r.kind == "regfile":
        return em.regfile_energy_pj(r.depth, r.width_bits, r.technology_nm, r.address_generator, c=c)
    if r.kind == "dram":
        return em.dram_energy_pj(r.width_bits, em.DramKind(r.dram_type), c=c)
    return None


def model_area_um2(r: Reference, c: em.FittedConstants = em.CONSTANTS) -> float | None:
    if r.kind == "mac":
        return em.mac_area_um2(*r.mult_bits, r.adder_bits, r.technology_nm, c=c)
    if r.kind == "sram":
        return em.sram_area_um2(r.capacity_bytes, r.technology_nm, c=c)
    if r.kind == "regfile":
        return em.regfile_area_um2(r.depth, r.width_bits, r.technology_nm, c=c)
    return None


def verdict(r: Reference, err: float | None) -> str:
    if r.role == "fit":
        return "fit"
    if r.role == "contradicted":
        return f"contradicted by {r.against}"
    if r.role == "out-of-scope" or err is None:
        return "not modelled"
    return "held out, within" if abs(err) <= TOLERANCE[r.kind] else "held out, OUTSIDE"


def table() -> str:
    lines = ["| id | component | case | Accelergy pJ | model pJ | error | role | area µm² (Accelergy / model) |",
             "|---|---|---|---:|---:|---:|---|---|"]
    for r in REFERENCES:
        m = model_pj(r)
        err = None if m is None else m / r.read_pj - 1.0
        area = model_area_um2(r)
        area_s = f"{r.area_um2:.4g} / {area:.4g}" if (r.area_um2 and area) else "–"
        lines.append(f"| {r.key} | {r.describe()} ({r.era}) | {r.case}: {r.component} | {r.read_pj:.4g} | "
                     f"{'–' if m is None else f'{m:.4g}'} | {'–' if err is None else f'{err:+.0%}'} | "
                     f"{verdict(r, err)} | {area_s} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--refit" in sys.argv:
        print(refit())
    else:
        print(table())
