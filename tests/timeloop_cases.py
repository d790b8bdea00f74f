"""The Timeloop reference cases of issue 15, as facts, for the counting-semantics tests.

Each :class:`Case` restates one folder of ``timeloop-cases/`` (public runs of Timeloop from
Accelergy-Project/timeloop-accelergy-exercises, 2019–2024; the folder's ``SOURCE`` names
repository, commit and path): the architecture's storage levels (name, class, instances,
``meshX``, the attributes the importer reads), the problem (shape, dimensions, bounds,
strides), the mapping (per level: non-trivial factors, the order of the non-trivial loops
innermost first, spatial loops on X | Y, kept data spaces), the Accelergy energies Timeloop
priced each level with, and Timeloop's outputs from the folder's ``*.stats.txt``: per level and
data space ``(partition size, utilized capacity, utilized instances, scalar reads, fills,
updates)`` per instance, MACs, the MAC level's cycles, and the energy (the sum of the printed
per-data-space and MAC energies, pJ, leakage excluded).

The YAML the tests import is *written here* from these facts (:func:`write_case`): Timeloop's
input formats of the case's era (v0.2/v0.3 ``subtree``/``local`` with ``name[0..n]`` arrays,
v0.4 ``nodes`` with spatial containers), not copies of the case files. The tests never read
the case folders.

The 2 cases left out: ``2024-ispass-04-*`` (produced with an architecture bug, 16 per-PE
GlobalBuffers above the RegisterFiles, both keeping every data space in tiles of many words:
the importer refuses them; SEMANTICS.md finding 7). The two ``2020-baseline-simple_*`` cases
keep one data space in two per-PE levels, the inner one a one-word register (``weight_reg``
under ``pe_spad``, ``output_activation_reg`` under ``pe_spad``), which the importer takes as a
register level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SPACES = ("Weights", "Inputs", "Outputs")


@dataclass(frozen=True)
class Case:
    folder: str                      #: the case folder in timeloop-cases/ (the citation)
    version: str                     #: Timeloop input format: 0.2, 0.3 (2019/2020 runs) or 0.4 (2024)
    levels: tuple                    #: (name, class, instances, meshX, attributes), outer first
    fanouts: tuple                   #: v0.4 spatial containers (name, meshX, meshY), above the per-PE levels
    compute: tuple                   #: (name, class, instances, meshX)
    shape: str
    dims: tuple
    instance: dict                   #: bounds and strides
    mapping: tuple                   #: (target, temporal | spatial | keep, factors | kept spaces, order)
    ert: dict                        #: component → action → pJ, or (average, maximum) pJ (2019/2020)
    macs: int
    cycles: int                      #: the MAC level's cycles (MACs per utilized PE)
    summary_cycles: int              #: the summary's cycles (V5 is bandwidth-throttled)
    expect: dict                     #: (level, space) → (partition, capacity, instances, reads, fills, updates)
    energy_pj: float
    notes: dict = field(default_factory=dict)

    @property
    def semantics(self) -> str:
        """The counting rules of the case's era: the Timeloop that produced its outputs."""
        return "timeloop-2024" if self.folder.startswith("2024") else "timeloop-2020"

    @property
    def label(self) -> str:
        return self.folder


# --------------------------------------------------------------------------- YAML writers
def _attrs(attrs: dict, version: str, extra: dict | None = None) -> str:
    items = dict(attrs)
    if version != "0.4":  # the v0.2/v0.3 spelling
        items = {k.replace("_", "-") if k in ("block_size", "word_bits") else k: v for k, v in items.items()}
    items.update(extra or {})
    return "{" + ", ".join(f"{k}: {v}" for k, v in items.items()) + "}"


def arch_yaml(case: Case) -> str:
    if case.version != "0.4":
        lines = ["architecture:", f"  version: {case.version}", "  subtree:", "  - name: system", "    local:"]
        name, cls, n, mx = case.compute
        label = f"{name}[0..{n - 1}]" if n > 1 else name
        compute = [f"    - name: {label}", f"      class: {cls}",
                   f"      attributes: {{datawidth: 8{f', meshX: {mx}' if n > 1 else ''}}}"]
        after = case.notes.get("compute_after")  # where the file lists the MAC (the importer takes it out)
        for lv_name, lv_cls, lv_n, lv_mx, attrs in case.levels:
            label = f"{lv_name}[0..{lv_n - 1}]" if lv_n > 1 else lv_name
            lines += [f"    - name: {label}", f"      class: {lv_cls}",
                      f"      attributes: {_attrs(attrs, case.version, {'meshX': lv_mx} if lv_n > 1 else None)}"]
            if lv_name == after:
                lines += compute
        if after is None:
            lines += compute
        return "\n".join(lines) + "\n"
    lines = ["architecture:", "  version: 0.4", "  nodes:", "  - !Container {name: system}"]
    placed = False
    for name, cls, n, _mx, attrs in case.levels:
        if n > 1 and not placed:
            for cname, fx, fy in case.fanouts:
                lines.append(f"  - !Container {{name: {cname}, spatial: {{meshX: {fx}, meshY: {fy}}}}}")
            placed = True
        lines.append(f"  - !Component {{name: {name}, class: {cls}, attributes: {_attrs(attrs, '0.4')}}}")
    lines.append(f"  - !Component {{name: {case.compute[0]}, class: {case.compute[1]}, attributes: {{width: 8}}}}")
    return "\n".join(lines) + "\n"


def problem_yaml(case: Case) -> str:
    """A CNN layer (``M`` or ``K`` output channels) or a 1-D convolution, in the era's spelling."""
    v4 = case.version == "0.4"
    spaces_key, rw = ("data_spaces", "read_write") if v4 else ("data-spaces", "read-write")
    dims = case.dims
    out_ch = "M" if "M" in dims else "K" if "K" in dims else None
    if "Q" in dims:  # CNN layer
        spaces = [("Weights", "[[[C]], [[%s]], [[R]], [[S]]]" % out_ch),
                  ("Inputs", "[[[N]], [[C]], [[R, Wdilation], [P, Wstride]], [[S, Hdilation], [Q, Hstride]]]"),
                  ("Outputs", "[[[N]], [[%s]], [[Q]], [[P]]]" % out_ch)]
        coefs = "    coefficients: [{name: Wstride, default: 1}, {name: Hstride, default: 1}, " \
                "{name: Wdilation, default: 1}, {name: Hdilation, default: 1}]\n"
    else:  # 1-D convolution: [C] [K] R P
        w = [f"[[{d}]]" for d in ("C", "K") if d in dims] + ["[[R]]"]
        i = [f"[[{d}]]" for d in ("C",) if d in dims] + ["[[R], [P]]"]
        o = [f"[[{d}]]" for d in ("K",) if d in dims] + ["[[P]]"]
        spaces = [("Weights", "[" + ", ".join(w) + "]"), ("Inputs", "[" + ", ".join(i) + "]"),
                  ("Outputs", "[" + ", ".join(o) + "]")]
        coefs = ""
    text = "problem:\n" + ("  version: 0.4\n" if v4 else "") + "  shape:\n" + f"    name: {case.shape}\n"
    text += f"    dimensions: [{', '.join(dims)}]\n" + coefs + f"    {spaces_key}:\n"
    for name, proj in spaces:
        text += f"    - {{name: {name}, projection: {proj}" + (f", {rw}: true" if name == "Outputs" else "") + "}\n"
    text += "  instance: {" + ", ".join(f"{k}: {v}" for k, v in case.instance.items()) + "}\n"
    return text


def mapping_yaml(case: Case) -> str:
    """One entry per fact: factors as ``D=n``, permutation innermost first (the listed
    non-trivial dimensions; the importer appends the rest), spatial X dimensions first with
    ``split`` = their number, keep lists with the complementary bypass list."""
    lines = ["mapping:"]
    for target, kind, what, order in case.mapping:
        if kind == "keep":
            bypass = [s for s in SPACES if s not in what]
            lines.append(f"  - {{target: {target}, type: bypass, keep: [{', '.join(what)}], "
                         f"bypass: [{', '.join(bypass)}]}}")
            continue
        factors = " ".join(f"{tok[0]}={tok[1:]}" for tok in what.split())
        if kind == "temporal":
            lines.append(f"  - {{target: {target}, type: temporal, factors: \"{factors}\", permutation: \"{order}\"}}")
        else:
            x, y = order.split("|")
            lines.append(f"  - {{target: {target}, type: spatial, factors: \"{factors}\", permutation: \"{x}{y}\", "
                         f"split: {len(x)}}}")
    return "\n".join(lines) + "\n"


def ert_yaml(case: Case) -> str:
    """An ERT summary: Accelergy 0.4 actions (2024), or 0.3 actions with average and maximum
    energies (2019/2020)."""
    v4 = case.version == "0.4"
    lines = ["ERT_summary:", f"  version: {'0.4' if v4 else '0.3'}", "  table_summary:"]
    for comp, actions in case.ert.items():
        lines += [f"  - name: system.{comp}", "    actions:"]
        for action, energy in actions.items():
            if isinstance(energy, tuple):
                lines.append(f"    - {{name: {action}, average_energy: {energy[0]}, max_energy: {energy[1]}}}")
            else:
                lines.append(f"    - {{name: {action}, energy: {energy}}}")
    return "\n".join(lines) + "\n"


def write_case(case: Case, folder: Path) -> dict[str, Path]:
    """Write the case's Timeloop inputs into ``folder``; their paths by role."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for role, text in (("arch", arch_yaml(case)), ("problem", problem_yaml(case)), ("mapping", mapping_yaml(case)),
                       ("ert", ert_yaml(case))):
        paths[role] = folder / f"{role}.yaml"
        paths[role].write_text(text, encoding="utf-8")
    return paths


def load_import(res, out: Path) -> tuple:
    """Write an import's accelsim files to ``out`` (created) and load them back, as ``accelsim
    import timeloop … -o out`` and then ``accelsim run`` do: ``(layer at the problem's batch,
    hardware, {layer name: mapping})``."""
    from accelsim.io.presets import load_hardware, load_mapping, load_workload

    out.mkdir(parents=True)
    for name, text in res.files.items():
        (out / name).write_text(text, encoding="utf-8")
    hw_file, wl_file, map_file = list(res.files)[:3]
    wl = load_workload(out / wl_file)
    n = res.problem.layer.N
    return wl.layers[0].with_batch(n), load_hardware(out / hw_file), load_mapping(out / map_file, wl, n)


# --------------------------------------------------------------------------- the cases

#: levels shared by 2020-baseline-eyeriss_like-alexnet-layer1, 2020-exercises-06-mapper-eyeriss-vgg02-layer5
_LEVELS_2020_BASELINE_EYERISS_LIKE_ALEXNET_LAYER1 = (
    (('DRAM', 'DRAM', 1, 1, {'width': 64, 'block_size': 4, 'word_bits': 16}),
     ('shared_glb',
      'smartbuffer_SRAM',
      1,
      1,
      {'memory_depth': 16384, 'memory_width': 64, 'block_size': 4, 'word_bits': 16}),
     ('DummyBuffer', 'regfile', 14, 14, {'depth': 16, 'width': 16, 'word_bits': 16, 'block_size': 1}),
     ('ifmap_spad',
      'smartbuffer_RF',
      168,
      14,
      {'memory_depth': 12, 'memory_width': 16, 'block_size': 1, 'word_bits': 16}),
     ('weights_spad',
      'smartbuffer_RF',
      168,
      14,
      {'memory_depth': 192, 'memory_width': 16, 'block_size': 1, 'word_bits': 16}),
     ('psum_spad',
      'smartbuffer_RF',
      168,
      14,
      {'memory_depth': 16, 'memory_width': 16, 'block_size': 1, 'word_bits': 16}))
)

#: levels shared by 2020-exercises-01-conv1d-2level-os, 2020-exercises-01-conv1d-2level-ws
_LEVELS_2020_EXERCISES_01_CONV1D_2LEVEL_OS = (
    (('MainMemory', 'SRAM', 1, 1, {'depth': 32768, 'width': 64, 'block_size': 8, 'word_bits': 8}),
     ('Buffer', 'regfile', 1, 1, {'depth': 64, 'word_bits': 8, 'width': 8, 'block_size': 1}))
)

#: levels shared by 2020-exercises-02-conv1d+oc-2level-tiled, 2020-exercises-02-conv1d+oc-2level-untiled
_LEVELS_2020_EXERCISES_02_CONV1D_OC_2LEVEL_TILED = (
    (('MainMemory', 'SRAM', 1, 1, {'depth': 32768, 'width': 64, 'block_size': 8, 'word_bits': 8}),
     ('Buffer', 'regfile', 1, 1, {'depth': 64, 'width': 8, 'block_size': 1, 'word_bits': 8}))
)

#: levels shared by 2020-exercises-03-conv1d+oc-3level-bypass, 2020-exercises-03-conv1d+oc-3level-no-bypass,
#:   2020-exercises-05-mapper-conv1d+oc-3level-1mapping, 2020-exercises-05-mapper-conv1d+oc-3level-freebypass,
#:   2020-exercises-05-mapper-conv1d+oc-3level-null
_LEVELS_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS = (
    (('MainMemory', 'DRAM', 1, 1, {'width': 256, 'block_size': 32, 'word_bits': 8}),
     ('GlobalBuffer', 'SRAM', 1, 1, {'depth': 8192, 'width': 256, 'block_size': 32, 'word_bits': 8}),
     ('RegisterFile', 'regfile', 1, 1, {'depth': 64, 'width': 8, 'block_size': 1, 'word_bits': 8}))
)

#: levels shared by 2020-exercises-04-conv1d+oc+ic-3levelspatial-cp, 2020-exercises-04-conv1d+oc+ic-3levelspatial-kp
_LEVELS_2020_EXERCISES_04_CONV1D_OC_IC_3LEVELSPATIAL_CP = (
    (('MainMemory', 'DRAM', 1, 1, {'width': 256, 'block_size': 32, 'word_bits': 8}),
     ('GlobalBuffer', 'SRAM', 1, 1, {'depth': 8192, 'width': 256, 'block_size': 32, 'word_bits': 8}),
     ('RegisterFile', 'regfile', 16, 16, {'depth': 64, 'width': 8, 'block_size': 1, 'word_bits': 8}))
)

#: levels shared by 2024-example-eyeriss_like-default_problem, 2024-ispass-06-mapper-eyeriss-vgg02-layer5
_LEVELS_2024_EXAMPLE_EYERISS_LIKE_DEFAULT_PROBLEM = (
    (('DRAM', 'DRAM', 1, 1, {'width': 64, 'datawidth': 8}),
     ('shared_glb', 'smartbuffer_SRAM', 1, 1, {'depth': 16384, 'width': 64, 'datawidth': 8}),
     ('ifmap_spad', 'smartbuffer_RF', 168, 14, {'depth': 12, 'width': 16, 'datawidth': 8}),
     ('weights_spad', 'smartbuffer_RF', 168, 14, {'depth': 192, 'width': 16, 'datawidth': 8}),
     ('psum_spad', 'smartbuffer_RF', 168, 14, {'depth': 16, 'width': 16, 'datawidth': 16}))
)

#: levels shared by 2024-ispass-01-conv1d-2level-os, 2024-ispass-01-conv1d-2level-ws,
#:   2024-ispass-02-conv1d+oc-2level-no-tiling, 2024-ispass-02-conv1d+oc-2level-tiling
_LEVELS_2024_ISPASS_01_CONV1D_2LEVEL_OS = (
    (('MainMemory', 'SRAM', 1, 1, {'depth': 32768, 'width': 64, 'datawidth': 8}),
     ('Buffer', 'regfile', 1, 1, {'depth': 64, 'width': 8, 'datawidth': 8}))
)

#: levels shared by 2024-ispass-03-conv1d+oc-3level-bypass, 2024-ispass-03-conv1d+oc-3level-no-bypass,
#:   2024-ispass-05-mapper-conv1d+oc-3level-baked, 2024-ispass-05-mapper-conv1d+oc-3level-freebypass,
#:   2024-ispass-05-mapper-conv1d+oc-3level-null
_LEVELS_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS = (
    (('MainMemory', 'DRAM', 1, 1, {'width': 256, 'datawidth': 8}),
     ('GlobalBuffer', 'SRAM', 1, 1, {'depth': 32768, 'width': 64, 'datawidth': 8}),
     ('RegisterFile', 'regfile', 1, 1, {'depth': 64, 'width': 8, 'datawidth': 8}))
)

#: ert shared by 2020-baseline-eyeriss_like-alexnet-layer1, 2020-exercises-06-mapper-eyeriss-vgg02-layer5
_ERT_2020_BASELINE_EYERISS_LIKE_ALEXNET_LAYER1 = (
    {'mac': {'mac_random': 2.2},
     'DummyBuffer': {'read': (0.104, 0.202), 'write': (0.104, 0.202)},
     'DRAM': {'read': 512.0, 'write': 512.0},
     'ifmap_spad': {'write': (0.146, 0.237), 'read': (0.146, 0.237)},
     'weights_spad': {'write': (0.824, 1.586), 'read': (0.824, 1.586)},
     'psum_spad': {'write': (0.153, 0.251), 'read': (0.153, 0.251)},
     'shared_glb': {'write': (37.635, 75.215), 'read': (37.1, 74.144)}}
)

#: ert shared by 2020-exercises-01-conv1d-2level-os, 2020-exercises-01-conv1d-2level-ws,
#:   2020-exercises-02-conv1d+oc-2level-tiled, 2020-exercises-02-conv1d+oc-2level-untiled
_ERT_2020_EXERCISES_01_CONV1D_2LEVEL_OS = (
    {'Buffer': {'read': (0.212, 0.42), 'write': (0.212, 0.42)},
     'MACC': {'mac_random': 0.561},
     'MainMemory': {'read': (19.951, 39.878), 'write': (16.212, 32.398)}}
)

#: ert shared by 2020-exercises-03-conv1d+oc-3level-bypass, 2020-exercises-03-conv1d+oc-3level-no-bypass,
#:   2020-exercises-04-conv1d+oc+ic-3levelspatial-cp, 2020-exercises-04-conv1d+oc+ic-3levelspatial-kp,
#:   2020-exercises-05-mapper-conv1d+oc-3level-1mapping, 2020-exercises-05-mapper-conv1d+oc-3level-freebypass,
#:   2020-exercises-05-mapper-conv1d+oc-3level-null
_ERT_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS = (
    {'RegisterFile': {'read': (0.212, 0.42), 'write': (0.212, 0.42)},
     'MACC': {'mac_random': 0.561},
     'GlobalBuffer': {'read': (51.447, 102.865), 'write': (48.165, 96.301)},
     'MainMemory': {'read': 2048.0, 'write': 2048.0}}
)

#: ert shared by 2024-ispass-01-conv1d-2level-os, 2024-ispass-01-conv1d-2level-ws,
#:   2024-ispass-02-conv1d+oc-2level-no-tiling, 2024-ispass-02-conv1d+oc-2level-tiling
_ERT_2024_ISPASS_01_CONV1D_2LEVEL_OS = (
    {'MainMemory': {'update': 30.878292, 'read': 43.353054, 'write': 30.878292},
     'Buffer': {'update': 0.42564, 'read': 0.42564, 'write': 0.42564},
     'MACC': {'compute': 0.845}}
)

#: ert shared by 2024-ispass-03-conv1d+oc-3level-bypass, 2024-ispass-03-conv1d+oc-3level-no-bypass,
#:   2024-ispass-05-mapper-conv1d+oc-3level-baked, 2024-ispass-05-mapper-conv1d+oc-3level-freebypass,
#:   2024-ispass-05-mapper-conv1d+oc-3level-null
_ERT_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS = (
    {'MainMemory': {'update': 2048.0, 'read': 2048.0, 'write': 2048.0},
     'GlobalBuffer': {'update': 30.878292, 'read': 43.353054, 'write': 30.878292},
     'RegisterFile': {'update': 0.42564, 'read': 0.42564, 'write': 0.42564},
     'MACC': {'compute': 0.845}}
)

#: levels of the two 2020-baseline-simple_* cases (pe_spad: smartbuffer_RF in the weight-stationary design,
#: smartbuffer_SRAM in the output-stationary one); the registers give depth and width only, no word-bits
def _levels_simple(spad_class: str) -> tuple:
    reg = {'depth': 1, 'width': 16}
    return (('DRAM', 'DRAM', 1, 1, {'width': 64, 'block_size': 4, 'word_bits': 16}),
            ('shared_glb', 'smartbuffer_SRAM', 1, 1,
             {'memory_depth': 16384, 'memory_width': 64, 'block_size': 4, 'word_bits': 16}),
            ('pe_spad', spad_class, 256, 16, {'memory_depth': 192, 'memory_width': 16, 'block_size': 1,
                                              'word_bits': 16}),
            ('weight_reg', 'reg_storage', 256, 16, dict(reg)),
            ('input_activation_reg', 'reg_storage', 256, 16, dict(reg)),
            ('output_activation_reg', 'reg_storage', 256, 16, dict(reg)))


#: ert of the two 2020-baseline-simple_* cases but pe_spad's (Accelergy 0.3; registers: one "access" action)
_ERT_SIMPLE = {'mac': {'mac_random': 2.2},
               'DRAM': {'read': 512.0, 'write': 512.0},
               'weight_reg': {'access': 0.009},
               'input_activation_reg': {'access': 0.009},
               'output_activation_reg': {'access': 0.009},
               'shared_glb': {'write': (37.635, 75.215), 'read': (37.1, 74.144)}}

CASES = (
    # timeloop-cases/2019-exercises-06-mapper-eyeriss256-cnn-layer (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2019-exercises-06-mapper-eyeriss256-cnn-layer',
        version='0.2',
        levels=(('DRAM', 'DRAM', 1, 1, {'width': 64, 'word_bits': 16, 'block_size': 4}),
                ('GlobalBuffer',
                 'SRAM',
                 1,
                 1,
                 {'depth': 16384, 'width': 64, 'block_size': 4, 'word_bits': 16}),
                ('DummyBuffer',
                 'regfile',
                 16,
                 16,
                 {'depth': 16, 'width': 16, 'word_bits': 16, 'block_size': 1}),
                ('InputRegFile',
                 'regfile',
                 256,
                 16,
                 {'depth': 12, 'width': 16, 'block_size': 1, 'word_bits': 16}),
                ('WeightRegFile',
                 'regfile',
                 256,
                 16,
                 {'depth': 192, 'width': 16, 'block_size': 1, 'word_bits': 16}),
                ('PsumRegFile',
                 'regfile',
                 256,
                 16,
                 {'depth': 16, 'width': 16, 'block_size': 1, 'word_bits': 16})),
        fanouts=(),
        compute=('MACs', 'intmac', 256, 16),
        shape='CNN-Layer',
        dims=('C', 'K', 'R', 'S', 'N', 'P', 'Q'),
        instance={'C': 256, 'K': 512, 'R': 3, 'S': 3, 'P': 56, 'Q': 56, 'N': 16},
        mapping=(('DRAM', 'temporal', 'C32 K4 N8 Q14', 'CKNQ'),
                 ('DRAM', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('GlobalBuffer', 'temporal', 'K2 N2 P56', 'PNK'),
                 ('GlobalBuffer', 'spatial', 'K4 Q4', 'QK|'),
                 ('GlobalBuffer', 'keep', ('Inputs', 'Outputs'), ''),
                 ('DummyBuffer', 'temporal', '', ''),
                 ('DummyBuffer', 'spatial', 'C2 K2 S3', '|SCK'),
                 ('DummyBuffer', 'keep', (), ''),
                 ('InputRegFile', 'temporal', '', ''),
                 ('InputRegFile', 'keep', ('Inputs',), ''),
                 ('WeightRegFile', 'temporal', 'C4 R3', 'CR'),
                 ('WeightRegFile', 'keep', ('Weights',), ''),
                 ('PsumRegFile', 'temporal', 'K8', 'K'),
                 ('PsumRegFile', 'keep', ('Outputs',), '')),
        ert={'DRAM': {'read': 512.0, 'write': 512.0},
             'DummyBuffer': {'read': (0.104, 0.202), 'write': (0.104, 0.202)},
             'GlobalBuffer': {'read': (13.25, 26.493), 'write': (10.57, 21.134)},
             'InputRegFile': {'read': (0.097, 0.188), 'write': (0.097, 0.188)},
             'MACs': {'mac_random': 1.207},
             'PsumRegFile': {'read': (0.104, 0.202), 'write': (0.104, 0.202)},
             'WeightRegFile': {'read': (0.774, 1.537), 'write': (0.774, 1.537)}},
        macs=59190018048,
        cycles=308281344,
        summary_cycles=333971456,
        expect={('PsumRegFile', 'Outputs'): (802816, 8, 192, 307478528, 25690112, 308281344),
                ('WeightRegFile', 'Weights'): (24576, 96, 192, 308281344, 2752512, 0),
                ('InputRegFile', 'Inputs'): (1148245, 12, 192, 308281344, 13303808, 0),
                ('GlobalBuffer', 'Inputs'): (13778944, 5568, 1, 319291392, 79822848, 0),
                ('GlobalBuffer', 'Outputs'): (25690112, 57344, 1, 796393472, 25690112, 822083584),
                ('DRAM', 'Weights'): (1179648, 1179648, 1, 132120576, 0, 0),
                ('DRAM', 'Inputs'): (13778944, 13778944, 1, 79822848, 0, 0),
                ('DRAM', 'Outputs'): (25690112, 25690112, 1, 0, 0, 25690112)},
        energy_pj=243665876844.55,
    ),
    # timeloop-cases/2020-baseline-eyeriss_like-alexnet-layer1 (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-baseline-eyeriss_like-alexnet-layer1',
        version='0.3',
        levels=_LEVELS_2020_BASELINE_EYERISS_LIKE_ALEXNET_LAYER1,
        fanouts=(),
        compute=('mac', 'intmac', 168, 14),
        shape='CNN-Layer',
        dims=('C', 'M', 'R', 'S', 'N', 'P', 'Q'),
        instance={'C': 3, 'Hstride': 4, 'M': 96, 'N': 1, 'P': 55, 'Q': 55, 'R': 11, 'S': 11, 'Wstride': 4},
        mapping=(('DRAM', 'temporal', 'C3 Q55', 'CQ'),
                 ('DRAM', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('shared_glb', 'temporal', 'P55', 'P'),
                 ('shared_glb', 'spatial', 'M12', 'M|'),
                 ('shared_glb', 'keep', ('Inputs', 'Outputs'), ''),
                 ('DummyBuffer', 'temporal', '', ''),
                 ('DummyBuffer', 'spatial', 'S11', '|S'),
                 ('DummyBuffer', 'keep', (), ''),
                 ('ifmap_spad', 'temporal', '', ''),
                 ('ifmap_spad', 'keep', ('Inputs',), ''),
                 ('weights_spad', 'temporal', 'R11', 'R'),
                 ('weights_spad', 'keep', ('Weights',), ''),
                 ('psum_spad', 'temporal', 'M8', 'M'),
                 ('psum_spad', 'keep', ('Outputs',), '')),
        ert=_ERT_2020_BASELINE_EYERISS_LIKE_ALEXNET_LAYER1,
        macs=105415200,
        cycles=798600,
        summary_cycles=798600,
        expect={('psum_spad', 'Outputs'): (24200, 8, 132, 774400, 72600, 798600),
                ('weights_spad', 'Weights'): (264, 88, 132, 798600, 14520, 0),
                ('ifmap_spad', 'Inputs'): (14053, 11, 132, 798600, 37455, 0),
                ('shared_glb', 'Inputs'): (154587, 2497, 1, 412005, 412005, 0),
                ('shared_glb', 'Outputs'): (290400, 5280, 1, 580800, 290400, 871200),
                ('DRAM', 'Weights'): (34848, 34848, 1, 1916640, 0, 0),
                ('DRAM', 'Inputs'): (154587, 154587, 1, 412005, 0, 0),
                ('DRAM', 'Outputs'): (290400, 290400, 1, 0, 0, 290400)},
        energy_pj=866315215.71,
    ),
    # timeloop-cases/2020-baseline-simple_weight_stationary-alexnet-layer1 (inputs, ERT_summary, *.stats.txt;
    # the mapping is timeloop-mapper.map.txt's): pe_spad and the one-word weight_reg both keep Weights
    Case(
        folder='2020-baseline-simple_weight_stationary-alexnet-layer1',
        version='0.3',
        levels=_levels_simple('smartbuffer_RF'),
        fanouts=(),
        compute=('mac', 'intmac', 256, 16),
        shape='CNN-Layer',
        dims=('C', 'M', 'R', 'S', 'N', 'P', 'Q'),
        instance={'C': 3, 'Hstride': 4, 'M': 96, 'N': 1, 'P': 55, 'Q': 55, 'R': 11, 'S': 11, 'Wstride': 4},
        mapping=(('DRAM', 'temporal', 'Q5', 'Q'),
                 ('DRAM', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('shared_glb', 'temporal', 'M6 Q11 P55', 'PQM'),
                 ('shared_glb', 'spatial', 'C3 M16', 'C|M'),
                 ('shared_glb', 'keep', ('Inputs',), ''),
                 ('pe_spad', 'temporal', 'R11 S11', 'RS'),
                 ('pe_spad', 'keep', ('Weights',), ''),
                 ('weight_reg', 'temporal', '', ''),
                 ('weight_reg', 'keep', ('Weights',), ''),
                 ('input_activation_reg', 'temporal', '', ''),
                 ('input_activation_reg', 'keep', ('Inputs',), ''),
                 ('output_activation_reg', 'temporal', '', ''),
                 ('output_activation_reg', 'keep', ('Outputs',), '')),
        ert={**_ERT_SIMPLE, 'pe_spad': {'write': (0.824, 1.586), 'read': (0.824, 1.586)}},
        macs=105415200,
        cycles=2196150,
        summary_cycles=2196150,
        expect={('pe_spad', 'Weights'): (726, 121, 48, 2196150, 3630, 0),
                ('weight_reg', 'Weights'): (726, 1, 48, 2196150, 2196150, 0),
                ('input_activation_reg', 'Inputs'): (51529, 1, 48, 2196150, 2196150, 0),
                ('output_activation_reg', 'Outputs'): (18150, 1, 48, 2178000, 18150, 2196150),
                ('shared_glb', 'Inputs'): (154587, 34731, 1, 6588450, 154587, 0),
                ('DRAM', 'Weights'): (34848, 34848, 1, 174240, 0, 0),
                ('DRAM', 'Inputs'): (154587, 154587, 1, 154587, 0, 0),
                ('DRAM', 'Outputs'): (290400, 290400, 1, 0, 0, 290400)},
        energy_pj=611126335.04,
        notes={'compute_after': 'pe_spad'},
    ),
    # timeloop-cases/2020-baseline-simple_output_stationary-alexnet-layer1 (inputs, ERT_summary, *.stats.txt;
    # the mapping is timeloop-mapper.map.txt's): pe_spad and the one-word output_activation_reg both keep Outputs
    Case(
        folder='2020-baseline-simple_output_stationary-alexnet-layer1',
        version='0.3',
        levels=_levels_simple('smartbuffer_SRAM'),
        fanouts=(),
        compute=('mac', 'intmac', 256, 16),
        shape='CNN-Layer',
        dims=('C', 'M', 'R', 'S', 'N', 'P', 'Q'),
        instance={'C': 3, 'Hstride': 4, 'M': 96, 'N': 1, 'P': 55, 'Q': 55, 'R': 11, 'S': 11, 'Wstride': 4},
        mapping=(('DRAM', 'temporal', 'P5 Q5', 'PQ'),
                 ('DRAM', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('shared_glb', 'temporal', 'M6', 'M'),
                 ('shared_glb', 'spatial', 'C3 M16', 'C|M'),
                 ('shared_glb', 'keep', ('Weights', 'Inputs'), ''),
                 ('pe_spad', 'temporal', 'R11 S11', 'RS'),
                 ('pe_spad', 'keep', ('Outputs',), ''),
                 ('weight_reg', 'temporal', 'P11 Q11', 'PQ'),
                 ('weight_reg', 'keep', ('Weights',), ''),
                 ('input_activation_reg', 'temporal', '', ''),
                 ('input_activation_reg', 'keep', ('Inputs',), ''),
                 ('output_activation_reg', 'temporal', '', ''),
                 ('output_activation_reg', 'keep', ('Outputs',), '')),
        ert={**_ERT_SIMPLE, 'pe_spad': {'write': (0.568, 1.086), 'read': (0.388, 0.727)}},
        macs=105415200,
        cycles=2196150,
        summary_cycles=2196150,
        expect={('pe_spad', 'Outputs'): (18150, 121, 48, 2178000, 18150, 2196150),
                ('weight_reg', 'Weights'): (726, 1, 48, 2196150, 18150, 0),
                ('input_activation_reg', 'Inputs'): (51529, 1, 48, 2196150, 2196150, 0),
                ('output_activation_reg', 'Outputs'): (18150, 1, 48, 2178000, 2196150, 2196150),
                ('shared_glb', 'Weights'): (34848, 34848, 1, 871200, 34848, 0),
                ('shared_glb', 'Inputs'): (154587, 7803, 1, 6588450, 173655, 0),
                ('DRAM', 'Weights'): (34848, 34848, 1, 34848, 0, 0),
                ('DRAM', 'Inputs'): (154587, 154587, 1, 173655, 0, 0),
                ('DRAM', 'Outputs'): (290400, 290400, 1, 0, 0, 290400)},
        energy_pj=674617475.59,
        notes={'compute_after': 'pe_spad'},
    ),
    # timeloop-cases/2020-exercises-00-conv1d-1level (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-00-conv1d-1level',
        version='0.2',
        levels=(('Buffer', 'regfile', 1, 1, {'depth': 64, 'width': 8, 'block_size': 1, 'word_bits': 8}),),
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D',
        dims=('R', 'P'),
        instance={'R': 3, 'P': 16},
        mapping=(('Buffer', 'temporal', 'R3 P16', 'RP'),),
        ert={'Buffer': {'read': (0.212, 0.42), 'write': (0.212, 0.42)}, 'MACC': {'mac_random': 0.561}},
        macs=48,
        cycles=48,
        summary_cycles=48,
        expect={('Buffer', 'Weights'): (3, 3, 1, 48, 0, 0),
                ('Buffer', 'Inputs'): (18, 18, 1, 48, 0, 0),
                ('Buffer', 'Outputs'): (16, 16, 1, 32, 0, 48)},
        energy_pj=100.85,
    ),
    # timeloop-cases/2020-exercises-01-conv1d-2level-os (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-01-conv1d-2level-os',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_01_CONV1D_2LEVEL_OS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D',
        dims=('R', 'P'),
        instance={'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', 'P16', 'P'), ('Buffer', 'temporal', 'R3', 'R')),
        ert=_ERT_2020_EXERCISES_01_CONV1D_2LEVEL_OS,
        macs=48,
        cycles=48,
        summary_cycles=48,
        expect={('Buffer', 'Weights'): (3, 3, 1, 48, 3, 0),
                ('Buffer', 'Inputs'): (18, 3, 1, 48, 18, 0),
                ('Buffer', 'Outputs'): (16, 1, 1, 32, 16, 48),
                ('MainMemory', 'Weights'): (3, 3, 1, 3, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (16, 16, 1, 0, 0, 16)},
        energy_pj=355.66,
    ),
    # timeloop-cases/2020-exercises-01-conv1d-2level-ws (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-01-conv1d-2level-ws',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_01_CONV1D_2LEVEL_OS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D',
        dims=('R', 'P'),
        instance={'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', 'R3', 'R'), ('Buffer', 'temporal', 'P16', 'P')),
        ert=_ERT_2020_EXERCISES_01_CONV1D_2LEVEL_OS,
        macs=48,
        cycles=48,
        summary_cycles=48,
        expect={('Buffer', 'Weights'): (3, 1, 1, 48, 3, 0),
                ('Buffer', 'Inputs'): (18, 16, 1, 48, 18, 0),
                ('Buffer', 'Outputs'): (16, 16, 1, 32, 16, 48),
                ('MainMemory', 'Weights'): (3, 3, 1, 3, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (16, 16, 1, 0, 0, 16)},
        energy_pj=355.66,
    ),
    # timeloop-cases/2020-exercises-02-conv1d+oc-2level-tiled (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-02-conv1d+oc-2level-tiled',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_02_CONV1D_OC_2LEVEL_TILED,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', 'P16 K16', 'PK'), ('Buffer', 'temporal', 'R3 K2', 'RK')),
        ert=_ERT_2020_EXERCISES_01_CONV1D_2LEVEL_OS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('Buffer', 'Weights'): (96, 6, 1, 1536, 96, 0),
                ('Buffer', 'Inputs'): (18, 3, 1, 1536, 288, 0),
                ('Buffer', 'Outputs'): (512, 2, 1, 1024, 512, 1536),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 288, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=8069.8,
    ),
    # timeloop-cases/2020-exercises-02-conv1d+oc-2level-untiled (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-02-conv1d+oc-2level-untiled',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_02_CONV1D_OC_2LEVEL_TILED,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', 'P16 K32', 'PK'), ('Buffer', 'temporal', 'R3', 'R')),
        ert=_ERT_2020_EXERCISES_01_CONV1D_2LEVEL_OS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('Buffer', 'Weights'): (96, 3, 1, 1536, 96, 0),
                ('Buffer', 'Inputs'): (18, 3, 1, 1536, 576, 0),
                ('Buffer', 'Outputs'): (512, 1, 1, 1024, 512, 1536),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 576, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=9626.37,
    ),
    # timeloop-cases/2020-exercises-03-conv1d+oc-3level-bypass (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-03-conv1d+oc-3level-bypass',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', '', ''),
                 ('GlobalBuffer', 'temporal', 'P16 K16', 'PK'),
                 ('RegisterFile', 'temporal', 'R3 K2', 'RK'),
                 ('GlobalBuffer', 'keep', ('Weights', 'Inputs'), ''),
                 ('RegisterFile', 'keep', ('Outputs',), '')),
        ert=_ERT_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('RegisterFile', 'Outputs'): (512, 2, 1, 1024, 512, 1536),
                ('GlobalBuffer', 'Weights'): (96, 96, 1, 1536, 96, 0),
                ('GlobalBuffer', 'Inputs'): (18, 18, 1, 1536, 18, 0),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=53398.43,
    ),
    # timeloop-cases/2020-exercises-03-conv1d+oc-3level-no-bypass (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-03-conv1d+oc-3level-no-bypass',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', '', ''),
                 ('GlobalBuffer', 'temporal', 'P16 K16', 'PK'),
                 ('RegisterFile', 'temporal', 'R3 K2', 'RK')),
        ert=_ERT_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('RegisterFile', 'Weights'): (96, 6, 1, 1536, 96, 0),
                ('RegisterFile', 'Inputs'): (18, 3, 1, 1536, 288, 0),
                ('RegisterFile', 'Outputs'): (512, 2, 1, 1024, 512, 1536),
                ('GlobalBuffer', 'Weights'): (96, 96, 1, 96, 96, 0),
                ('GlobalBuffer', 'Inputs'): (18, 18, 1, 288, 18, 0),
                ('GlobalBuffer', 'Outputs'): (512, 512, 1, 0, 512, 512),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=49500.98,
    ),
    # timeloop-cases/2020-exercises-04-conv1d+oc+ic-3levelspatial-cp (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-04-conv1d+oc+ic-3levelspatial-cp',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_04_CONV1D_OC_IC_3LEVELSPATIAL_CP,
        fanouts=(),
        compute=('MACC', 'intmac', 16, 16),
        shape='Conv1D_OC',
        dims=('C', 'K', 'R', 'P'),
        instance={'C': 32, 'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', '', ''),
                 ('GlobalBuffer', 'temporal', 'R3 K32 C2', 'RKC'),
                 ('GlobalBuffer', 'spatial', 'C16', 'C|'),
                 ('RegisterFile', 'temporal', 'P16', 'P')),
        ert=_ERT_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=49152,
        cycles=3072,
        summary_cycles=3072,
        expect={('RegisterFile', 'Weights'): (192, 1, 16, 3072, 192, 0),
                ('RegisterFile', 'Inputs'): (36, 16, 16, 3072, 1152, 0),
                ('RegisterFile', 'Outputs'): (512, 16, 16, 2560, 1024, 3072),
                ('GlobalBuffer', 'Weights'): (3072, 3072, 1, 3072, 3072, 0),
                ('GlobalBuffer', 'Inputs'): (576, 576, 1, 18432, 576, 0),
                ('GlobalBuffer', 'Outputs'): (512, 512, 1, 512, 512, 1024),
                ('MainMemory', 'Weights'): (3072, 3072, 1, 3072, 0, 0),
                ('MainMemory', 'Inputs'): (576, 576, 1, 576, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=476297.2,
    ),
    # timeloop-cases/2020-exercises-04-conv1d+oc+ic-3levelspatial-kp (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-04-conv1d+oc+ic-3levelspatial-kp',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_04_CONV1D_OC_IC_3LEVELSPATIAL_CP,
        fanouts=(),
        compute=('MACC', 'intmac', 16, 16),
        shape='Conv1D_OC',
        dims=('C', 'K', 'R', 'P'),
        instance={'C': 32, 'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', '', ''),
                 ('GlobalBuffer', 'temporal', 'R3 K2 C32', 'RKC'),
                 ('GlobalBuffer', 'spatial', 'K16', 'K|'),
                 ('RegisterFile', 'temporal', 'P16', 'P')),
        ert=_ERT_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=49152,
        cycles=3072,
        summary_cycles=3072,
        expect={('RegisterFile', 'Weights'): (192, 1, 16, 3072, 192, 0),
                ('RegisterFile', 'Inputs'): (576, 16, 16, 3072, 1152, 0),
                ('RegisterFile', 'Outputs'): (32, 16, 16, 3040, 1024, 3072),
                ('GlobalBuffer', 'Weights'): (3072, 3072, 1, 3072, 3072, 0),
                ('GlobalBuffer', 'Inputs'): (576, 576, 1, 1152, 576, 0),
                ('GlobalBuffer', 'Outputs'): (512, 512, 1, 15872, 512, 16384),
                ('MainMemory', 'Weights'): (3072, 3072, 1, 3072, 0, 0),
                ('MainMemory', 'Inputs'): (576, 576, 1, 576, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=522726.1,
    ),
    # timeloop-cases/2020-exercises-05-mapper-conv1d+oc-3level-1mapping (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-05-mapper-conv1d+oc-3level-1mapping',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', '', ''),
                 ('MainMemory', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('GlobalBuffer', 'temporal', 'K16 P16', 'PK'),
                 ('GlobalBuffer', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('RegisterFile', 'temporal', 'K2 R3', 'KR'),
                 ('RegisterFile', 'keep', ('Weights', 'Inputs', 'Outputs'), '')),
        ert=_ERT_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('RegisterFile', 'Weights'): (96, 6, 1, 1536, 96, 0),
                ('RegisterFile', 'Inputs'): (18, 3, 1, 1536, 288, 0),
                ('RegisterFile', 'Outputs'): (512, 2, 1, 1024, 512, 1536),
                ('GlobalBuffer', 'Weights'): (96, 96, 1, 96, 96, 0),
                ('GlobalBuffer', 'Inputs'): (18, 18, 1, 288, 18, 0),
                ('GlobalBuffer', 'Outputs'): (512, 512, 1, 0, 512, 512),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=49500.98,
    ),
    # timeloop-cases/2020-exercises-05-mapper-conv1d+oc-3level-freebypass (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-05-mapper-conv1d+oc-3level-freebypass',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', '', ''),
                 ('MainMemory', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('GlobalBuffer', 'temporal', 'K16 P16', 'PK'),
                 ('GlobalBuffer', 'keep', ('Inputs',), ''),
                 ('RegisterFile', 'temporal', 'K2 R3', 'KR'),
                 ('RegisterFile', 'keep', ('Weights', 'Inputs', 'Outputs'), '')),
        ert=_ERT_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('RegisterFile', 'Weights'): (96, 6, 1, 1536, 96, 0),
                ('RegisterFile', 'Inputs'): (18, 3, 1, 1536, 288, 0),
                ('RegisterFile', 'Outputs'): (512, 2, 1, 1024, 512, 1536),
                ('GlobalBuffer', 'Inputs'): (18, 18, 1, 288, 18, 0),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=45592.11,
    ),
    # timeloop-cases/2020-exercises-05-mapper-conv1d+oc-3level-null (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-05-mapper-conv1d+oc-3level-null',
        version='0.2',
        levels=_LEVELS_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', '', ''),
                 ('MainMemory', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('GlobalBuffer', 'temporal', 'K32', 'K'),
                 ('GlobalBuffer', 'keep', (), ''),
                 ('RegisterFile', 'temporal', 'R3 P16', 'RP'),
                 ('RegisterFile', 'keep', ('Weights', 'Inputs', 'Outputs'), '')),
        ert=_ERT_2020_EXERCISES_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('RegisterFile', 'Weights'): (96, 3, 1, 1536, 96, 0),
                ('RegisterFile', 'Inputs'): (18, 18, 1, 1536, 18, 0),
                ('RegisterFile', 'Outputs'): (512, 16, 1, 1024, 512, 1536),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=44450.06,
    ),
    # timeloop-cases/2020-exercises-06-mapper-eyeriss-vgg02-layer5 (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2020-exercises-06-mapper-eyeriss-vgg02-layer5',
        version='0.3',
        levels=_LEVELS_2020_BASELINE_EYERISS_LIKE_ALEXNET_LAYER1,
        fanouts=(),
        compute=('mac', 'intmac', 168, 14),
        shape='CNN-Layer',
        dims=('C', 'M', 'R', 'S', 'N', 'P', 'Q'),
        instance={'C': 128, 'Hstride': 1, 'M': 256, 'N': 1, 'P': 56, 'Q': 56, 'R': 3, 'S': 3, 'Wstride': 1},
        mapping=(('DRAM', 'temporal', 'C8 M4 Q4', 'CMQ'),
                 ('DRAM', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('shared_glb', 'temporal', 'M4 P56', 'PM'),
                 ('shared_glb', 'spatial', 'Q14', 'Q|'),
                 ('shared_glb', 'keep', ('Inputs', 'Outputs'), ''),
                 ('DummyBuffer', 'temporal', '', ''),
                 ('DummyBuffer', 'spatial', 'C4 S3', '|SC'),
                 ('DummyBuffer', 'keep', (), ''),
                 ('ifmap_spad', 'temporal', '', ''),
                 ('ifmap_spad', 'keep', ('Inputs',), ''),
                 ('weights_spad', 'temporal', 'C4 R3', 'CR'),
                 ('weights_spad', 'keep', ('Weights',), ''),
                 ('psum_spad', 'temporal', 'M16', 'M'),
                 ('psum_spad', 'keep', ('Outputs',), '')),
        ert=_ERT_2020_BASELINE_EYERISS_LIKE_ALEXNET_LAYER1,
        macs=924844032,
        cycles=5505024,
        summary_cycles=5505024,
        expect={('psum_spad', 'Outputs'): (57344, 16, 168, 5447680, 458752, 5505024),
                ('weights_spad', 'Weights'): (24576, 192, 168, 5505024, 98304, 0),
                ('ifmap_spad', 'Inputs'): (6728, 12, 168, 5505024, 118784, 0),
                ('shared_glb', 'Inputs'): (430592, 14848, 1, 19955712, 1900544, 0),
                ('shared_glb', 'Outputs'): (802816, 50176, 1, 5619712, 802816, 6422528),
                ('DRAM', 'Weights'): (294912, 294912, 1, 1179648, 0, 0),
                ('DRAM', 'Inputs'): (430592, 430592, 1, 1900544, 0, 0),
                ('DRAM', 'Outputs'): (802816, 802816, 1, 0, 0, 802816)},
        energy_pj=5382308044.8,
    ),
    # timeloop-cases/2024-example-eyeriss_like-default_problem (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-example-eyeriss_like-default_problem',
        version='0.4',
        levels=_LEVELS_2024_EXAMPLE_EYERISS_LIKE_DEFAULT_PROBLEM,
        fanouts=(('PE_column', 14, 1), ('PE', 1, 12)),
        compute=('mac', 'intmac', 168, 14),
        shape='conv2D',
        dims=('C', 'M', 'R', 'S', 'N', 'P', 'Q'),
        instance={'C': 3, 'Hstride': 2, 'M': 32, 'N': 1, 'P': 112, 'Q': 112, 'R': 3, 'S': 3, 'Wstride': 2},
        mapping=(('psum_spad', 'keep', ('Outputs',), ''),
                 ('weights_spad', 'keep', ('Weights',), ''),
                 ('ifmap_spad', 'keep', ('Inputs',), ''),
                 ('inter_PE_spatial', 'keep', (), ''),
                 ('inter_PE_column_spatial', 'keep', (), ''),
                 ('shared_glb', 'keep', ('Inputs', 'Outputs'), ''),
                 ('DRAM', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('psum_spad', 'temporal', 'M8', 'M'),
                 ('weights_spad', 'temporal', 'R3', 'R'),
                 ('ifmap_spad', 'temporal', '', ''),
                 ('inter_PE_spatial', 'spatial', 'C3 S3', '|SC'),
                 ('inter_PE_spatial', 'temporal', '', ''),
                 ('inter_PE_column_spatial', 'spatial', 'Q14', 'Q|'),
                 ('inter_PE_column_spatial', 'temporal', '', ''),
                 ('shared_glb', 'temporal', 'P14 Q4', 'QP'),
                 ('DRAM', 'temporal', 'M4 P8 Q2', 'MQP')),
        ert={'DRAM': {'write': 512.0, 'read': 512.0, 'update': 512.0},
             'shared_glb': {'write': 14.137929, 'read': 18.183829, 'update': 14.137929},
             'ifmap_spad': {'write': 0.176713, 'read': 0.202442, 'update': 0.176713},
             'weights_spad': {'write': 1.881657, 'read': 1.976602, 'update': 1.881657},
             'psum_spad': {'write': 0.2191, 'read': 0.2513, 'update': 0.2191},
             'mac': {'compute': 0.207692}},
        macs=10838016,
        cycles=86016,
        summary_cycles=86016,
        expect={('psum_spad', 'Outputs'): (28672, 8, 126, 57344, 0, 86016),
                ('weights_spad', 'Weights'): (96, 24, 126, 86016, 1536, 0),
                ('ifmap_spad', 'Inputs'): (1745, 3, 126, 86016, 10752, 0),
                ('shared_glb', 'Inputs'): (151875, 9831, 1, 1354752, 157296, 0),
                ('shared_glb', 'Outputs'): (401408, 6272, 1, 0, 0, 401408),
                ('DRAM', 'Weights'): (864, 864, 1, 13824, 0, 0),
                ('DRAM', 'Inputs'): (151875, 151875, 1, 157296, 0, 0),
                ('DRAM', 'Outputs'): (401408, 401408, 1, 0, 0, 401408)},
        energy_pj=59259828.7,
    ),
    # timeloop-cases/2024-ispass-00-conv1d-1level (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-00-conv1d-1level',
        version='0.4',
        levels=(('Buffer', 'regfile', 1, 1, {'depth': 64, 'width': 8, 'datawidth': 8}),),
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D',
        dims=('R', 'P'),
        instance={'R': 3, 'P': 16},
        mapping=(('Buffer', 'temporal', 'R3 P16', 'RP'),),
        ert={'Buffer': {'update': 0.42564, 'read': 0.42564, 'write': 0.42564}, 'MACC': {'compute': 0.845}},
        macs=48,
        cycles=48,
        summary_cycles=48,
        expect={('Buffer', 'Weights'): (3, 3, 1, 48, 0, 0),
                ('Buffer', 'Inputs'): (18, 18, 1, 48, 0, 0),
                ('Buffer', 'Outputs'): (16, 16, 1, 32, 0, 48)},
        energy_pj=115.47,
    ),
    # timeloop-cases/2024-ispass-01-conv1d-2level-os (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-01-conv1d-2level-os',
        version='0.4',
        levels=_LEVELS_2024_ISPASS_01_CONV1D_2LEVEL_OS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D',
        dims=('R', 'P'),
        instance={'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', 'P16', 'P'), ('Buffer', 'temporal', 'R3', 'R')),
        ert=_ERT_2024_ISPASS_01_CONV1D_2LEVEL_OS,
        macs=48,
        cycles=48,
        summary_cycles=48,
        expect={('Buffer', 'Weights'): (3, 3, 1, 48, 3, 0),
                ('Buffer', 'Inputs'): (18, 3, 1, 48, 18, 0),
                ('Buffer', 'Outputs'): (16, 1, 1, 32, 0, 48),
                ('MainMemory', 'Weights'): (3, 3, 1, 3, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (16, 16, 1, 0, 0, 16)},
        energy_pj=359.58,
    ),
    # timeloop-cases/2024-ispass-01-conv1d-2level-ws (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-01-conv1d-2level-ws',
        version='0.4',
        levels=_LEVELS_2024_ISPASS_01_CONV1D_2LEVEL_OS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D',
        dims=('R', 'P'),
        instance={'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', 'R3', 'R'), ('Buffer', 'temporal', 'P16', 'P')),
        ert=_ERT_2024_ISPASS_01_CONV1D_2LEVEL_OS,
        macs=48,
        cycles=48,
        summary_cycles=48,
        expect={('Buffer', 'Weights'): (3, 1, 1, 48, 3, 0),
                ('Buffer', 'Inputs'): (18, 16, 1, 48, 18, 0),
                ('Buffer', 'Outputs'): (16, 16, 1, 32, 0, 48),
                ('MainMemory', 'Weights'): (3, 3, 1, 3, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (16, 16, 1, 0, 0, 16)},
        energy_pj=359.58,
    ),
    # timeloop-cases/2024-ispass-02-conv1d+oc-2level-no-tiling (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-02-conv1d+oc-2level-no-tiling',
        version='0.4',
        levels=_LEVELS_2024_ISPASS_01_CONV1D_2LEVEL_OS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', 'P16 K32', 'PK'), ('Buffer', 'temporal', 'R3', 'R')),
        ert=_ERT_2024_ISPASS_01_CONV1D_2LEVEL_OS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('Buffer', 'Weights'): (96, 3, 1, 1536, 96, 0),
                ('Buffer', 'Inputs'): (18, 3, 1, 1536, 576, 0),
                ('Buffer', 'Outputs'): (512, 1, 1, 1024, 0, 1536),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 576, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=9599.02,
    ),
    # timeloop-cases/2024-ispass-02-conv1d+oc-2level-tiling (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-02-conv1d+oc-2level-tiling',
        version='0.4',
        levels=_LEVELS_2024_ISPASS_01_CONV1D_2LEVEL_OS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', 'P16 K16', 'PK'), ('Buffer', 'temporal', 'R3 K2', 'RK')),
        ert=_ERT_2024_ISPASS_01_CONV1D_2LEVEL_OS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('Buffer', 'Weights'): (96, 6, 1, 1536, 96, 0),
                ('Buffer', 'Inputs'): (18, 3, 1, 1536, 288, 0),
                ('Buffer', 'Outputs'): (512, 2, 1, 1024, 0, 1536),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 288, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=7915.73,
    ),
    # timeloop-cases/2024-ispass-03-conv1d+oc-3level-bypass (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-03-conv1d+oc-3level-bypass',
        version='0.4',
        levels=_LEVELS_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', '', ''),
                 ('GlobalBuffer', 'temporal', 'P16 K16', 'PK'),
                 ('RegisterFile', 'temporal', 'R3 K2', 'RK'),
                 ('GlobalBuffer', 'keep', ('Weights', 'Inputs'), ''),
                 ('RegisterFile', 'keep', ('Outputs',), '')),
        ert=_ERT_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('RegisterFile', 'Outputs'): (512, 2, 1, 1024, 0, 1536),
                ('GlobalBuffer', 'Weights'): (96, 96, 1, 1536, 96, 0),
                ('GlobalBuffer', 'Inputs'): (18, 18, 1, 1536, 18, 0),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=60458.31,
    ),
    # timeloop-cases/2024-ispass-03-conv1d+oc-3level-no-bypass (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-03-conv1d+oc-3level-no-bypass',
        version='0.4',
        levels=_LEVELS_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('MainMemory', 'temporal', '', ''),
                 ('GlobalBuffer', 'temporal', 'P16 K16', 'PK'),
                 ('RegisterFile', 'temporal', 'R3 K2', 'RK')),
        ert=_ERT_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('RegisterFile', 'Weights'): (96, 6, 1, 1536, 96, 0),
                ('RegisterFile', 'Inputs'): (18, 3, 1, 1536, 288, 0),
                ('RegisterFile', 'Outputs'): (512, 2, 1, 1024, 0, 1536),
                ('GlobalBuffer', 'Weights'): (96, 96, 1, 96, 96, 0),
                ('GlobalBuffer', 'Inputs'): (18, 18, 1, 288, 18, 0),
                ('GlobalBuffer', 'Outputs'): (512, 512, 1, 0, 0, 512),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=49338.9,
    ),
    # timeloop-cases/2024-ispass-05-mapper-conv1d+oc-3level-baked (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-05-mapper-conv1d+oc-3level-baked',
        version='0.4',
        levels=_LEVELS_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('RegisterFile', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('GlobalBuffer', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('MainMemory', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('RegisterFile', 'temporal', 'K2 R3', 'KR'),
                 ('GlobalBuffer', 'temporal', 'K16 P16', 'PK'),
                 ('MainMemory', 'temporal', '', '')),
        ert=_ERT_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('RegisterFile', 'Weights'): (96, 6, 1, 1536, 96, 0),
                ('RegisterFile', 'Inputs'): (18, 3, 1, 1536, 288, 0),
                ('RegisterFile', 'Outputs'): (512, 2, 1, 1024, 0, 1536),
                ('GlobalBuffer', 'Weights'): (96, 96, 1, 96, 96, 0),
                ('GlobalBuffer', 'Inputs'): (18, 18, 1, 288, 18, 0),
                ('GlobalBuffer', 'Outputs'): (512, 512, 1, 0, 0, 512),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=49338.9,
    ),
    # timeloop-cases/2024-ispass-05-mapper-conv1d+oc-3level-freebypass (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-05-mapper-conv1d+oc-3level-freebypass',
        version='0.4',
        levels=_LEVELS_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('RegisterFile', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('GlobalBuffer', 'keep', ('Inputs',), ''),
                 ('MainMemory', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('RegisterFile', 'temporal', 'K2 R3', 'KR'),
                 ('GlobalBuffer', 'temporal', 'K16 P16', 'PK'),
                 ('MainMemory', 'temporal', '', '')),
        ert=_ERT_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('RegisterFile', 'Weights'): (96, 6, 1, 1536, 96, 0),
                ('RegisterFile', 'Inputs'): (18, 3, 1, 1536, 288, 0),
                ('RegisterFile', 'Outputs'): (512, 2, 1, 1024, 0, 1536),
                ('GlobalBuffer', 'Inputs'): (18, 18, 1, 288, 18, 0),
                ('MainMemory', 'Weights'): (96, 96, 1, 96, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 18, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 0, 0, 512)},
        energy_pj=46471.91,
    ),
    # timeloop-cases/2024-ispass-05-mapper-conv1d+oc-3level-null (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-05-mapper-conv1d+oc-3level-null',
        version='0.4',
        levels=_LEVELS_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        fanouts=(),
        compute=('MACC', 'intmac', 1, 1),
        shape='Conv1D_OC',
        dims=('K', 'R', 'P'),
        instance={'K': 32, 'R': 3, 'P': 16},
        mapping=(('RegisterFile', 'keep', (), ''),
                 ('GlobalBuffer', 'keep', (), ''),
                 ('MainMemory', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('RegisterFile', 'temporal', 'K32 R3 P16', 'KRP'),
                 ('GlobalBuffer', 'temporal', '', ''),
                 ('MainMemory', 'temporal', '', '')),
        ert=_ERT_2024_ISPASS_03_CONV1D_OC_3LEVEL_BYPASS,
        macs=1536,
        cycles=1536,
        summary_cycles=1536,
        expect={('MainMemory', 'Weights'): (96, 96, 1, 1536, 0, 0),
                ('MainMemory', 'Inputs'): (18, 18, 1, 1536, 0, 0),
                ('MainMemory', 'Outputs'): (512, 512, 1, 1024, 0, 1536)},
        energy_pj=361745.92,
    ),
    # timeloop-cases/2024-ispass-06-mapper-eyeriss-vgg02-layer5 (inputs, ERT_summary, *.stats.txt)
    Case(
        folder='2024-ispass-06-mapper-eyeriss-vgg02-layer5',
        version='0.4',
        levels=_LEVELS_2024_EXAMPLE_EYERISS_LIKE_DEFAULT_PROBLEM,
        fanouts=(('PE_column', 14, 1), ('PE', 1, 12)),
        compute=('mac', 'intmac', 168, 14),
        shape='CNN_Layer',
        dims=('C', 'M', 'R', 'S', 'N', 'P', 'Q'),
        instance={'C': 128, 'Hstride': 1, 'M': 256, 'N': 1, 'P': 56, 'Q': 56, 'R': 3, 'S': 3, 'Wstride': 1},
        mapping=(('psum_spad', 'keep', ('Outputs',), ''),
                 ('weights_spad', 'keep', ('Weights',), ''),
                 ('ifmap_spad', 'keep', ('Inputs',), ''),
                 ('inter_PE_spatial', 'keep', (), ''),
                 ('inter_PE_column_spatial', 'keep', (), ''),
                 ('shared_glb', 'keep', ('Inputs', 'Outputs'), ''),
                 ('DRAM', 'keep', ('Weights', 'Inputs', 'Outputs'), ''),
                 ('psum_spad', 'temporal', 'M8', 'M'),
                 ('weights_spad', 'temporal', 'C8 R3', 'CR'),
                 ('ifmap_spad', 'temporal', '', ''),
                 ('inter_PE_spatial', 'spatial', 'M4 S3', '|SM'),
                 ('inter_PE_spatial', 'temporal', '', ''),
                 ('inter_PE_column_spatial', 'spatial', 'Q14', 'Q|'),
                 ('inter_PE_column_spatial', 'temporal', '', ''),
                 ('shared_glb', 'temporal', 'C4 M2 P8', 'PCM'),
                 ('DRAM', 'temporal', 'C4 M4 P7 Q4', 'MPCQ')),
        ert={'DRAM': {'update': 512.0, 'read': 512.0, 'write': 512.0},
             'shared_glb': {'write': 14.137929, 'read': 18.183829, 'update': 14.137929},
             'ifmap_spad': {'write': 0.176713, 'read': 0.202442, 'update': 0.176713},
             'weights_spad': {'write': 1.881657, 'read': 1.976602, 'update': 1.881657},
             'psum_spad': {'write': 0.2191, 'read': 0.2513, 'update': 0.2191},
             'mac': {'compute': 0.207692}},
        macs=924844032,
        cycles=5505024,
        summary_cycles=5505024,
        expect={('psum_spad', 'Outputs'): (14336, 8, 168, 5490688, 215040, 5505024),
                ('weights_spad', 'Weights'): (24576, 192, 168, 5505024, 688128, 0),
                ('ifmap_spad', 'Inputs'): (26912, 24, 168, 5505024, 286720, 0),
                ('shared_glb', 'Inputs'): (430592, 5120, 1, 12042240, 573440, 0),
                ('shared_glb', 'Outputs'): (802816, 7168, 1, 12042240, 2408448, 12845056),
                ('DRAM', 'Weights'): (294912, 294912, 1, 8257536, 0, 0),
                ('DRAM', 'Inputs'): (430592, 430592, 1, 573440, 0, 0),
                ('DRAM', 'Outputs'): (802816, 802816, 1, 2408448, 0, 3211264)},
        energy_pj=2762655940.34,
    ),
)
BY_FOLDER = {c.folder: c for c in CASES}
