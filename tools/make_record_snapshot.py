"""Write ``tests/data/record_snapshot.json``: full JSON records of random layers × all nine
dataflows × both engines, as the code at hand computes them.

The snapshot pins behaviour across refactors (issue 11, "behaviour unchanged"):
``tests/test_record_snapshot.py`` recomputes every case and compares the whole record.
Regenerate it only when a change is *meant* to alter results, and say so in the commit.

Cases: for each seed a tiny layer (grouped, strided, FC-like), a random mapping of each
dataflow on a roomy 8×8 machine (both engines, with and without zero gating + RLC DRAM and
GLB halo reuse), and the mapper's choice on the ``eyeriss`` and ``tpu-like`` presets with a
small budget (analytic engine).

Usage: ``python tools/make_record_snapshot.py [--check]``
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from accelsim.io.presets import load_hardware
from accelsim.search.mapper import Budget
from accelsim.search.mapspace import random_mapping
from accelsim.drivers.simulate import simulate
from accelsim.spec.hardware import Buffer, Hardware
from accelsim.spec.layer import ConvLayer
from accelsim.spec.variation import apply_vary

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "record_snapshot.json"
DATAFLOWS = ("rs", "ws", "osa", "osb", "osc", "nlr", "sys-ws", "sys-os", "sys-is")
SEEDS = range(12)
ROOMY = Hardware(name="t8x8", pe_rows=8, pe_cols=8, rf=Buffer(shared_words=1 << 20),
                 glb=Buffer(shared_words=1 << 22))


def tiny_layer(rng: np.random.Generator) -> ConvLayer:
    g = int(rng.choice([1, 2]))
    n = int(rng.integers(1, 3))
    m = g * int(rng.integers(1, 5))
    c = g * int(rng.integers(1, 5))
    r, s, u = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 3))
    e, f = (1, 1) if rng.random() < 0.3 else (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
    return ConvLayer(name="t", N=n, M=m, C=c, G=g, R=r, S=s, U=u, H=(e - 1) * u + r, W=(f - 1) * u + s)


def cases():
    """Yield (case id, thunk returning a LayerResult)."""
    flags = {"zero_gating": True, "dram_rlc": True, "glb_halo_reuse": True}
    effects = replace(apply_vary(ROOMY, flags), name="t8x8-fx")
    presets = {name: load_hardware(name) for name in ("eyeriss", "tpu-like")}
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        layer = tiny_layer(rng)
        for df in DATAFLOWS:
            mapping = random_mapping(layer, df, np.random.default_rng(1000 + seed), rows=8, cols=8)
            for hw in (ROOMY, effects):
                for engine in ("analytic", "cycle"):
                    yield (f"{seed}/{df}/{hw.name}/{engine}",
                           lambda layer=layer, hw=hw, df=df, engine=engine, mapping=mapping, first=seed % 2 == 0:
                           simulate(layer, hw, df, engine, mapping=mapping, first_layer=first))
            hw = presets["tpu-like" if df.startswith("sys-") else "eyeriss"]
            budget = Budget(samples=64, starts=2, climb=16, seed=seed)
            yield (f"{seed}/{df}/{hw.name}/mapper",
                   lambda layer=layer, hw=hw, df=df, budget=budget:
                   simulate(layer, hw, df, "analytic", budget=budget))


def record(result) -> dict:
    return json.loads(json.dumps(result.to_dict()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the stored snapshot instead of writing")
    args = ap.parse_args(argv)
    got = {cid: record(thunk()) for cid, thunk in cases()}
    if args.check:
        want = json.loads(OUT.read_text())
        bad = [cid for cid in want if want[cid] != got.get(cid)]
        print(f"{len(want) - len(bad)}/{len(want)} records equal")
        return 1 if bad else 0
    OUT.write_text(json.dumps(got, indent=None, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {len(got)} records to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
