"""A sweep's ``records.csv`` carries the clock/static energy term as ``energy_clock`` (issue 16,
part 6): the same number as the layer's ``clock`` component and its ``components.csv`` row, part
of ``energy_total``; empty for a machine without such a term."""

from __future__ import annotations

import pytest

from accelsim.io.sweepstore import read_sweep
from accelsim.drivers.sweep import sweep

# a small point-wise layer both presets map quickly
TINY = """\
version: 1
name: tinypw
layers:
  - {name: pw, M: 16, C: 16, H: 6, W: 6, R: 1, S: 1}
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    root = tmp_path_factory.mktemp("clock")
    (root / "tinypw.yaml").write_text(TINY, encoding="utf-8")
    out = root / "out"
    spec = {"version": 1, "workloads": [str(root / "tinypw.yaml")], "hardware": ["eyeriss-v1-192", "eyeriss"],
            "energy": "hardware", "dataflows": ["rs"], "budget": {"samples": 200, "climb": 200, "starts": 2}}
    records = sweep(spec, progress=False, out=out)
    return records, read_sweep(out)


def test_records_carry_the_clock_term(swept):
    records, (frame_records, components) = swept
    by_hw = {r["hardware"]: r for r in records}
    v1 = by_hw["eyeriss-v1-192"]
    assert v1["status"] == "ok", v1["reason"]
    # the term is clock_pj_per_pe_cycle x PEs x cycles (the preset: 4.6 pJ per PE per cycle, 192 PEs)
    assert v1["energy_clock"] == pytest.approx(4.6 * 192 * v1["cycles"])
    parts = sum(v1[f"energy_{c}"] for c in ("ALU", "RF", "NoC", "GLB", "DRAM"))
    assert v1["energy_total"] == pytest.approx(parts + v1["energy_clock"])
    assert by_hw["eyeriss"]["status"] == "ok" and by_hw["eyeriss"]["energy_clock"] is None
    # what streamed to disk: the record's column and the clock row of components.csv agree
    on_disk = {r["hardware"]: r for r in frame_records}
    assert on_disk["eyeriss-v1-192"]["energy_clock"] == pytest.approx(v1["energy_clock"])
    assert on_disk["eyeriss"]["energy_clock"] is None
    clock_rows = [c for c in components if c["component"] == "clock"]
    assert len(clock_rows) == 1 and clock_rows[0]["case"] == v1["case"]
    assert clock_rows[0]["energy"] == pytest.approx(v1["energy_clock"])
