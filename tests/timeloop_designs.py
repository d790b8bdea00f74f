"""Random Timeloop designs for the importer's property tests (issue 15).

:func:`designs` draws a small layer and a Timeloop architecture, problem and mapping for it, and
keeps, next to the YAML texts, what those texts *mean* in accelsim's terms, derived here from the
drawn factors and not from the importer: the layer (:meth:`Design.layer`) and the equivalent
accelsim loop nest (:meth:`Design.mapping`, built with :mod:`accelsim.spec.mapping`).

Timeloop's rules restated here (SEMANTICS.md §2 of the issue's case collection, from
NVlabs/timeloop ``src/mapping/parser.cpp``): a ``permutation`` lists a level's loops innermost
first, dimensions it omits are appended, only the order of loops with a factor > 1 matters; a
spatial entry's first ``split`` permutation entries go on X, the rest on Y (default: all X); inside
a level the spatial loops sit below its temporal loops, and their order changes no count; a data
space a keep/bypass entry does not name is kept; the outermost level keeps everything. Names
(finding 6 there): ``Q→E, P→F, S→R, R→S, M|K→M, C→C, N→N``, ``Hstride→U``.

Designs (each modelled on a case of the collection):

* ``two-level`` (2020-exercises-01): ``MainMemory`` (DRAM) and a ``Buffer`` next to one MAC —
  accelsim's DRAM and RF;
* ``three-level`` (2020-exercises-04, 2024-ispass-04 with the PE container below the buffer):
  ``MainMemory``, ``GlobalBuffer``, ``PE[..]`` with a ``RegisterFile`` on an X × Y mesh — DRAM,
  GLB, RF; v0.2 tree (spatial entry on ``GlobalBuffer``) or v0.4 nodes (on the ``PE`` container);
* ``eyeriss-like`` (2020-baseline-eyeriss_like, 2024-example-eyeriss_like): ``DRAM``,
  ``shared_glb``, a column fan-out (``DummyBuffer[..]`` / ``PE_column``), a row fan-out, and three
  single-type spads per PE — DRAM, GLB, fan-outs, one RF tile start per type; v0.3 tree or v0.4
  nodes with ``!Parallel`` spads;
* ``registers`` (2020-baseline-simple_weight_stationary / _output_stationary): ``DRAM``,
  ``shared_glb`` fanning out to ``PE[..]`` on X × Y, and per PE a ``pe_spad`` (any data spaces)
  above ``weight_reg``, ``input_activation_reg`` and ``output_activation_reg`` (``reg_storage``
  without word bits, the MAC listed between the spad and the registers), each keeping its own data
  space or nothing. A register keeping a data space ``pe_spad`` keeps too is a *register level*
  (place ``register``): its tile is one word, so the loops at and below it (moved to ``pe_spad``
  once the keeps are drawn) run only over dimensions that do not index that data space, and
  ``pe_spad`` is accelsim's RF for it. Any other register is its data space's RF (any tile).
  v0.3 tree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import strategies as st

from accelsim.spec.dims import DataType, Dim, LoopKind
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping

#: Timeloop data-space names and accelsim's data types
SPACES = {"Weights": DataType.FILTER, "Inputs": DataType.IFMAP, "Outputs": DataType.PSUM}
#: the exact name mapping (SEMANTICS.md finding 6) of the CNN layer and the 1-D convolution
CNN_NAMES = {"C": Dim.C, "M": Dim.M, "R": Dim.S, "S": Dim.R, "N": Dim.N, "P": Dim.F, "Q": Dim.E}
CONV1D_NAMES = {"C": Dim.C, "K": Dim.M, "R": Dim.S, "P": Dim.F}
KINDS = ("two-level", "three-level", "eyeriss-like", "registers")
#: which Timeloop dimensions index each data space (CNN layer and 1-D convolution names)
INDEXED_BY = {"Weights": frozenset("CMKRS"), "Inputs": frozenset("NCRSPQ"), "Outputs": frozenset("NMKPQ")}


@dataclass(frozen=True)
class Level:
    """One Timeloop storage level as drawn.

    Attributes
    ----------
    name : str
        The mapping's target for temporal and keep entries.
    place : str
        What it is in accelsim: ``DRAM``, ``GLB``, ``RF``, ``fan-out`` (keeps nothing) or
        ``register`` (a one-word per-PE level under the RF keeper of its data space).
    temporal : tuple of (str, int)
        Its temporal loops with a factor > 1, outer first (Timeloop dimension names).
    spatial : tuple of (str, int, str)
        Its spatial loops with a factor > 1 and their axis ``X`` or ``Y``, in the order the
        hand-built nest puts them (drawn: Timeloop's counts do not depend on it).
    keeps : frozenset of str
        The data spaces it keeps.
    spatial_target : str
        The target of its spatial entry (a v0.4 container's name, or the level's own).
    own_space : str, optional
        A single-type spad's data space (``None``: any).
    """

    name: str
    place: str
    temporal: tuple = ()
    spatial: tuple = ()
    keeps: frozenset = frozenset()
    spatial_target: str = ""
    own_space: str | None = None


@dataclass(frozen=True)
class Design:
    """A drawn Timeloop design: the YAML texts and what they mean.

    Attributes
    ----------
    kind, version : str
        One of :data:`KINDS`; the architecture format (``0.2``, ``0.3``, ``0.4``).
    conv1d : bool
        A ``Conv1D_OC`` problem (dimensions ``[C,] K, R, P``) instead of ``CNN_Layer``.
    bounds : dict of str to int
        Timeloop dimension → bound.
    stride : int
        ``Hstride = Wstride`` (1 for the 1-D convolution).
    rows, cols : int
        The PE mesh (meshY, meshX).
    levels : tuple of Level
        Outer first.
    arch, problem, mapping_text : str
        The three Timeloop files.
    """

    kind: str
    version: str
    conv1d: bool
    bounds: dict
    stride: int
    rows: int
    cols: int
    levels: tuple
    arch: str
    problem: str
    mapping_text: str

    @property
    def names(self) -> dict[str, Dim]:
        return CONV1D_NAMES if self.conv1d else CNN_NAMES

    def layer(self) -> ConvLayer:
        """The layer the problem describes (Timeloop's projected extents; batch = N)."""
        b, u = self.bounds, self.stride
        size = {self.names[d]: n for d, n in b.items()}
        e, f = size.get(Dim.E, 1), size.get(Dim.F, 1)
        r, s = size.get(Dim.R, 1), size.get(Dim.S, 1)
        return ConvLayer(name="layer", N=size.get(Dim.N, 1), M=size.get(Dim.M, 1), C=size.get(Dim.C, 1),
                         H=(e - 1) * u + r, W=(f - 1) * u + s, R=r, S=s, U=u)

    def mapping(self) -> Mapping:
        """The equivalent accelsim nest: each level's temporal loops then its spatial loops
        (X → columns, Y → rows), outer first; a type's GLB / RF tile starts at the first loop of
        the level keeping it there."""
        loops: list[Loop] = []
        glb: list[int | None] = [None, None, None]
        rf: list[int | None] = [None, None, None]
        for lv in self.levels:
            for space in lv.keeps:
                if lv.place == "GLB":
                    glb[SPACES[space]] = len(loops)
                elif lv.place == "RF":
                    rf[SPACES[space]] = len(loops)
            loops += [Loop(self.names[d], f) for d, f in lv.temporal]
            loops += [Loop(self.names[d], f, LoopKind.COL if axis == "X" else LoopKind.ROW)
                      for d, f, axis in lv.spatial]
        return Mapping(loops=tuple(loops), glb=tuple(glb), rf=tuple(rf), dataflow="rs")

    @property
    def active_pes(self) -> int:
        out = 1
        for lv in self.levels:
            for _, f, _ in lv.spatial:
                out *= f
        return out


def _primes(n: int) -> list[int]:
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


# --------------------------------------------------------------------------- YAML writers
def _problem(conv1d: bool, with_c: bool, bounds: dict, stride: int, v04: bool) -> str:
    ds, rw = ("data_spaces", "read_write") if v04 else ("data-spaces", "read-write")
    head = "problem:\n" + ("  version: 0.4\n" if v04 else "") + "  shape:\n"
    inst = "  instance: {" + ", ".join(f"{d}: {n}" for d, n in bounds.items())
    if conv1d:
        dims = (["C"] if with_c else []) + ["K", "R", "P"]
        c = "[ [C] ], " if with_c else ""
        return (head + "    name: Conv1D_OC\n" + f"    dimensions: [ {', '.join(dims)} ]\n" + f"    {ds}:\n"
                + f"    - {{name: Weights, projection: [ {c}[ [K] ], [ [R] ] ]}}\n"
                + f"    - {{name: Inputs, projection: [ {c}[ [R], [P] ] ]}}\n"
                + f"    - {{name: Outputs, projection: [ [ [K] ], [ [P] ] ], {rw}: True}}\n" + inst + "}\n")
    return (head + "    name: CNN_Layer\n    dimensions: [ C, M, R, S, N, P, Q ]\n    coefficients:\n"
            "    - {name: Wstride, default: 1}\n    - {name: Hstride, default: 1}\n"
            "    - {name: Wdilation, default: 1}\n    - {name: Hdilation, default: 1}\n" + f"    {ds}:\n"
            "    - {name: Weights, projection: [ [ [C] ], [ [M] ], [ [R] ], [ [S] ] ]}\n"
            "    - {name: Inputs, projection: [ [ [N] ], [ [C] ], [ [R, Wdilation], [P, Wstride] ], "
            "[ [S, Hdilation], [Q, Hstride] ] ]}\n"
            f"    - {{name: Outputs, projection: [ [ [N] ], [ [M] ], [ [Q] ], [ [P] ] ], {rw}: True}}\n"
            + inst + f", Wstride: {stride}, Hstride: {stride}}}\n")


_BITS = "word-bits: 16"
_EMPTY = '""'  # an empty YAML string


def _arch_two() -> str:
    return ("architecture:\n  version: 0.2\n  subtree:\n  - name: System\n    local:\n"
            f"    - {{name: MainMemory, class: DRAM, attributes: {{width: 256, block-size: 16, {_BITS}}}}}\n"
            f"    - {{name: Buffer, class: regfile, attributes: {{depth: 8192, width: 16, block-size: 1, {_BITS}}}}}\n"
            "    - {name: MACC, class: intmac, attributes: {datawidth: 16}}\n")


def _arch_three(version: str, rows: int, cols: int) -> str:
    n = rows * cols
    if version == "0.4":
        spatial = f"\n    spatial: {{meshX: {cols}, meshY: {rows}}}" if n > 1 else ""
        return ("architecture:\n  version: 0.4\n  nodes:\n  - !Container\n    name: System\n"
                "  - !Component\n    name: MainMemory\n    class: DRAM\n    attributes: {width: 256, datawidth: 16}\n"
                "  - !Component\n    name: GlobalBuffer\n    class: SRAM\n"
                "    attributes: {depth: 65536, width: 64, datawidth: 16}\n"
                f"  - !Container\n    name: PE{spatial}\n"
                "  - !Component\n    name: RegisterFile\n    class: regfile\n"
                "    attributes: {depth: 8192, width: 16, datawidth: 16}\n"
                "  - !Component\n    name: MACC\n    class: intmac\n    attributes: {width: 16}\n")
    pe = f"PE[0..{n - 1}]" if n > 1 else "PE"
    mesh = f", meshX: {cols}" if n > 1 else ""
    return ("architecture:\n  version: 0.2\n  subtree:\n  - name: System\n    local:\n"
            f"    - {{name: MainMemory, class: DRAM, attributes: {{width: 256, block-size: 16, {_BITS}}}}}\n"
            "    subtree:\n    - name: Chip\n      local:\n"
            f"      - {{name: GlobalBuffer, class: SRAM, attributes: {{depth: 65536, width: 64, block-size: 4, "
            f"{_BITS}}}}}\n"
            f"      subtree:\n      - name: {pe}\n        local:\n"
            f"        - {{name: RegisterFile, class: regfile, attributes: {{depth: 8192, width: 16, block-size: 1, "
            f"{_BITS}{mesh}}}}}\n"
            f"        - {{name: MACC, class: intmac, attributes: {{datawidth: 16{mesh}}}}}\n")


def _arch_eyeriss(version: str, rows: int, cols: int) -> str:
    if version == "0.4":
        spads = "".join(f"    - !Component\n      name: {name}\n      class: smartbuffer_RF\n"
                        "      attributes: {depth: 4096, width: 16, datawidth: 16}\n"
                        f"      constraints: {{dataspace: {{keep: [{space}]}}}}\n"
                        for name, space in (("ifmap_spad", "Inputs"), ("weights_spad", "Weights"),
                                            ("psum_spad", "Outputs")))
        return ("architecture:\n  version: 0.4\n  nodes:\n  - !Container {name: system}\n"
                "  - !Component {name: DRAM, class: DRAM, attributes: {type: LPDDR4, width: 64, datawidth: 16}}\n"
                "  - !Container {name: eyeriss, attributes: {technology: 45nm}}\n"
                "  - !Component\n    name: shared_glb\n    class: smartbuffer_SRAM\n"
                "    attributes: {depth: 65536, width: 64, n_banks: 32, datawidth: 16}\n"
                f"  - !Container {{name: PE_column, spatial: {{meshX: {cols}}}}}\n"
                f"  - !Container {{name: PE, spatial: {{meshY: {rows}}}}}\n"
                "  - !Parallel\n    nodes:\n" + spads
                + "  - !Component {name: mac, class: intmac, attributes: {multiplier_width: 16, adder_width: 16}}\n")
    spad = ("              - {name: %s, class: smartbuffer_RF, attributes: {memory_depth: 4096, memory_width: 16, "
            f"block-size: 1, {_BITS}, meshX: {cols}}}}}\n")
    return ("architecture:\n  version: 0.3\n  subtree:\n    - name: system\n      local:\n"
            f"        - {{name: DRAM, class: DRAM, attributes: {{type: LPDDR4, width: 64, block-size: 4, {_BITS}}}}}\n"
            "      subtree:\n        - name: eyeriss\n          attributes: {technology: 45nm}\n          local:\n"
            "            - {name: shared_glb, class: smartbuffer_SRAM, attributes: {memory_depth: 65536, "
            f"memory_width: 64, n_banks: 32, block-size: 4, {_BITS}}}}}\n"
            f"            - {{name: 'DummyBuffer[0..{cols - 1}]', class: regfile, attributes: {{depth: 16, width: 16, "
            f"{_BITS}, block-size: 1, meshX: {cols}}}}}\n"
            f"          subtree:\n          - name: 'PE[0..{rows * cols - 1}]'\n            local:\n"
            + "".join(spad % n for n in ("ifmap_spad", "weights_spad", "psum_spad"))
            + f"              - {{name: mac, class: intmac, attributes: {{datawidth: 16, meshX: {cols}}}}}\n")


def _arch_registers(rows: int, cols: int) -> str:
    reg = ("              - {name: %s, class: reg_storage, attributes: {depth: 4096, width: 16, "
           f"meshX: {cols}}}}}\n")
    return ("architecture:\n  version: 0.3\n  subtree:\n    - name: system\n      local:\n"
            f"        - {{name: DRAM, class: DRAM, attributes: {{type: LPDDR4, width: 64, block-size: 4, {_BITS}}}}}\n"
            "      subtree:\n        - name: simple\n          local:\n"
            "            - {name: shared_glb, class: smartbuffer_SRAM, attributes: {memory_depth: 65536, "
            f"memory_width: 64, block-size: 4, {_BITS}}}}}\n"
            f"          subtree:\n          - name: 'PE[0..{rows * cols - 1}]'\n            local:\n"
            "              - {name: pe_spad, class: smartbuffer_RF, attributes: {memory_depth: 4096, memory_width: 16, "
            f"block-size: 1, {_BITS}, meshX: {cols}}}}}\n"
            f"              - {{name: mac, class: intmac, attributes: {{datawidth: 16, meshX: {cols}}}}}\n"
            + "".join(reg % n for n in ("weight_reg", "input_activation_reg", "output_activation_reg")))


def _factor_text(factors: dict, order: list[str], style: int) -> str:
    items = [f"{d}={factors[d]}" if style != 1 else f"{d}{factors[d]}" for d in order]
    if not items:
        return _EMPTY
    if style == 2:
        return json.dumps(",".join(items))
    if style == 3:
        return "[" + ", ".join(items) + "]"
    return " ".join(items)


# --------------------------------------------------------------------------- the strategy
@st.composite
def designs(draw, kinds: tuple[str, ...] = KINDS) -> Design:
    """A random small layer and a Timeloop design with a random mapping of it.

    The layer: ``CNN_Layer`` (C 1-3, M 1-4, R, S 1-3, N 1-2, P, Q 1-4, one stride 1-2) or a
    ``Conv1D_OC`` (K 1-4, R 1-3, P 1-6, optionally C 1-3); the mapping: every prime factor of a
    dimension's bound on a random temporal level or, where the design has fan-outs, a spatial one
    (moved to DRAM when it would overflow the mesh), random loop orders and splits, random
    keep / bypass (each spad of the Eyeriss-like design keeps its own type or nothing).
    """
    kind = draw(st.sampled_from(kinds))
    conv1d = draw(st.booleans()) if kind != "eyeriss-like" else False
    with_c = conv1d and draw(st.booleans())
    if conv1d:
        bounds = ({"C": draw(st.integers(1, 3))} if with_c else {}) | {
            "K": draw(st.integers(1, 4)), "R": draw(st.integers(1, 3)), "P": draw(st.integers(1, 6))}
        stride = 1
    else:
        bounds = {"C": draw(st.integers(1, 3)), "M": draw(st.integers(1, 4)), "R": draw(st.integers(1, 3)),
                  "S": draw(st.integers(1, 3)), "N": draw(st.integers(1, 2)), "P": draw(st.integers(1, 4)),
                  "Q": draw(st.integers(1, 4))}
        stride = draw(st.integers(1, 2))
    dims = list(bounds)
    if kind == "two-level":
        version, rows, cols = "0.2", 1, 1
    elif kind == "three-level":
        version = draw(st.sampled_from(["0.2", "0.4"]))
        rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    elif kind == "registers":
        version, rows, cols = "0.3", draw(st.integers(1, 3)), draw(st.integers(2, 4))
    else:
        version = draw(st.sampled_from(["0.3", "0.4"]))
        rows, cols = draw(st.integers(2, 3)), draw(st.integers(2, 4))
    v04 = version == "0.4"
    # the levels, outer first: (name, place, spatial axes it feeds (axis -> fan-out), target, own space)
    if kind == "two-level":
        shape = [("MainMemory", "DRAM", {}, "", None), ("Buffer", "RF", {}, "", None)]
        arch = _arch_two()
    elif kind == "three-level":
        fan = {"X": cols, "Y": rows} if rows * cols > 1 else {}
        shape = [("MainMemory", "DRAM", {}, "", None)]
        if v04:
            shape.append(("GlobalBuffer", "GLB", {}, "", None))
            if fan:
                shape.append(("inter_PE_spatial", "fan-out", fan, "PE", None))
        else:
            shape.append(("GlobalBuffer", "GLB", fan, "GlobalBuffer", None))
        shape.append(("RegisterFile", "RF", {}, "", None))
        arch = _arch_three(version, rows, cols)
    elif kind == "registers":
        shape = [("DRAM", "DRAM", {}, "", None), ("shared_glb", "GLB", {"X": cols, "Y": rows}, "shared_glb", None),
                 ("pe_spad", "RF", {}, "", None), ("weight_reg", "RF", {}, "", "Weights"),
                 ("input_activation_reg", "RF", {}, "", "Inputs"), ("output_activation_reg", "RF", {}, "", "Outputs")]
        arch = _arch_registers(rows, cols)
    else:
        shape = [("DRAM", "DRAM", {}, "", None)]
        if v04:
            shape += [("shared_glb", "GLB", {}, "", None),
                      ("inter_PE_column_spatial", "fan-out", {"X": cols}, "PE_column", None),
                      ("inter_PE_spatial", "fan-out", {"Y": rows}, "PE", None)]
        else:
            shape += [("shared_glb", "GLB", {"X": cols}, "shared_glb", None),
                      ("DummyBuffer", "fan-out", {"Y": rows}, "DummyBuffer", None)]
        shape += [("ifmap_spad", "RF", {}, "", "Inputs"), ("weights_spad", "RF", {}, "", "Weights"),
                  ("psum_spad", "RF", {}, "", "Outputs")]
        arch = _arch_eyeriss(version, rows, cols)
    # factors: every prime on a slot (level, None: temporal | axis: spatial)
    time_slots = [(i, None) for i, s in enumerate(shape) if s[1] != "fan-out"]
    space_slots = [(i, axis) for i, s in enumerate(shape) for axis in s[2]]
    temporal = [dict.fromkeys(dims, 1) for _ in shape]
    spatial = [dict.fromkeys(dims, 1) for _ in shape]
    axis_of: list[dict[str, str]] = [{} for _ in shape]
    for d in dims:
        for p in _primes(bounds[d]):
            spread = space_slots and draw(st.booleans())  # half the primes try the array
            i, axis = draw(st.sampled_from(space_slots if spread else time_slots))
            if axis is not None and axis_of[i].setdefault(d, axis) != axis:
                axis = None  # a dimension runs on one axis per level: this prime goes to time
            if axis is None:
                temporal[i if shape[i][1] != "fan-out" else 0][d] *= p
                continue
            used = 1
            for e, a in axis_of[i].items():
                if a == axis:
                    used *= spatial[i][e]
            if used * p > shape[i][2][axis]:
                temporal[0][d] *= p  # beyond the fan-out: to DRAM
            else:
                spatial[i][d] *= p
    # keeps
    all_keeps = []
    for _name, place, _fan, _target, own in shape:
        if place == "DRAM":
            all_keeps.append(frozenset(SPACES))
        elif place == "fan-out":
            all_keeps.append(frozenset())
        elif own is not None:
            all_keeps.append(frozenset({own}) if draw(st.integers(0, 3)) else frozenset())
        else:
            all_keeps.append(frozenset(s for s in SPACES if draw(st.booleans())))
    places = [s[1] for s in shape]
    if kind == "registers":  # a register under pe_spad's copy of its data space holds one word
        for i in range(3, len(shape)):
            if all_keeps[i] & all_keeps[2]:
                places[i] = "register"
                for j in range(i, len(shape)):  # the loops at or below it go to pe_spad if they index it
                    for d in dims:
                        if temporal[j][d] > 1 and d in INDEXED_BY[shape[i][4]]:
                            temporal[2][d] *= temporal[j][d]
                            temporal[j][d] = 1
    levels = []
    for i, (name, _place, _fan, target, own) in enumerate(shape):
        place, keeps = places[i], all_keeps[i]
        t_order = draw(st.permutations([d for d in dims if temporal[i][d] > 1]))
        s_order = draw(st.permutations([d for d in dims if spatial[i][d] > 1]))
        levels.append(Level(name=name, place=place, temporal=tuple((d, temporal[i][d]) for d in t_order),
                            spatial=tuple((d, spatial[i][d], axis_of[i][d]) for d in s_order), keeps=keeps,
                            spatial_target=target, own_space=own))
    # the mapping file, entries in a random order
    entries = []
    for i, lv in enumerate(levels):
        units = [d for d in dims if temporal[i][d] == 1]
        if lv.place != "fan-out" or draw(st.booleans()):
            inner_first = list(reversed([d for d, _ in lv.temporal]))
            for d in draw(st.permutations(units)):  # factor-1 dimensions anywhere
                inner_first.insert(draw(st.integers(0, len(inner_first))), d)
            shown = [d for d in inner_first if temporal[i][d] > 1 or draw(st.booleans())]
            perm = "".join(inner_first[:draw(st.integers(len([d for d, _ in lv.temporal]), len(dims)))])
            if not all(d in perm for d, _ in lv.temporal):
                perm = "".join(inner_first)
            entries.append(f"{{target: {lv.name}, type: temporal, "
                           f"factors: {_factor_text(temporal[i], shown, draw(st.integers(0, 3)))}, "
                           f"permutation: {perm or _EMPTY}}}")
        if shape[i][2]:
            xs = [d for d, _, a in reversed(lv.spatial) if a == "X"]
            ys = [d for d, _, a in reversed(lv.spatial) if a == "Y"]
            rest = draw(st.permutations([d for d in dims if spatial[i][d] == 1]))
            cut = draw(st.integers(0, len(rest)))
            order = xs + list(rest[:cut]) + ys + list(rest[cut:])
            split = len(xs) + cut
            split_text = "" if split == len(dims) and draw(st.booleans()) else f", split: {split}"
            entries.append(f"{{target: {lv.spatial_target}, type: spatial, "
                           f"factors: {_factor_text(spatial[i], dims, draw(st.integers(0, 3)))}, "
                           f"permutation: {''.join(order)}{split_text}}}")
        default_keep = (frozenset(SPACES) if lv.own_space is None or not v04 else frozenset({lv.own_space}))
        if lv.place == "fan-out" and v04:
            default_keep = frozenset()
        if lv.keeps != default_keep or draw(st.booleans()):
            kind_word = draw(st.sampled_from(["bypass", "datatype", "dataspace"]))
            keep = sorted(lv.keeps)
            bypass = sorted(set(SPACES) - lv.keeps)
            entries.append(f"{{target: {lv.name}, type: {kind_word}, keep: [{', '.join(keep)}], "
                           f"bypass: [{', '.join(bypass)}]}}")
    order = draw(st.permutations(entries))
    mapping_text = "mapping:\n" + "".join(f"  - {e}\n" for e in order)
    return Design(kind=kind, version=version, conv1d=conv1d, bounds=bounds, stride=stride, rows=rows, cols=cols,
                  levels=tuple(levels), arch=arch, problem=_problem(conv1d, with_c, bounds, stride, v04),
                  mapping_text=mapping_text)
