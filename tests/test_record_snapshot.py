"""Behaviour pinned across refactors: every record of ``tests/data/record_snapshot.json``.

The snapshot holds the full JSON record (counts, energy, cycles, stalls, gating, RLC, mapping)
of random tiny layers × all nine dataflows × both engines, with and without the data effects,
plus the mapper's pick on two presets; ``tools/make_record_snapshot.py`` wrote it from the code
before the re-layering (issue 11) and recomputes it here. A difference is a behaviour change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"
sys.path.insert(0, str(TOOLS))
import make_record_snapshot as snap  # noqa: E402

sys.path.remove(str(TOOLS))

WANT = json.loads(snap.OUT.read_text())
CASES = dict(snap.cases())


def test_snapshot_covers_every_dataflow_and_engine():
    assert set(WANT) == set(CASES)
    assert {cid.split("/")[1] for cid in WANT} == set(snap.DATAFLOWS)
    assert {cid.split("/")[3] for cid in WANT} == {"analytic", "cycle", "mapper"}
    assert sum("gating" in rec for rec in WANT.values()) > 0


@pytest.mark.parametrize("cid", sorted(WANT))
def test_record_equals_snapshot(cid):
    got = snap.record(CASES[cid]())
    want = WANT[cid]
    diff = sorted(k for k in set(want) if want.get(k) != got.get(k))
    assert not diff, f"{cid}: fields differ: {diff}"
    # keys are only ever added (docs/architecture.md, *Results*): issue 12 added "assumptions";
    # issue 13 added what priced the layer ("energy_source"), the machine's area ("area", "area_mm2")
    # and, in cycle-engine records, the outputs that wrapped at the psum width ("psum_overflows")
    new = set(got) - set(want)
    assert new <= {"assumptions", "energy_source", "area", "area_mm2", "psum_overflows"}, \
        f"{cid}: new fields {sorted(new)}"
