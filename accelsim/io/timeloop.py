"""Timeloop designs as accelsim files: ``accelsim import timeloop arch.yaml problem.yaml [mapping.yaml]``.

:func:`import_timeloop` reads a Timeloop architecture (:mod:`.timeloop_arch`), problem
(:mod:`.timeloop_problem`) and, optionally, mapping (:mod:`.timeloop_mapping`) and Accelergy ERT
summary (:mod:`.accelergy`) and constraints (:mod:`.timeloop_constraints`), and returns the text
of an accelsim hardware file, workload file, mapping file, version-2 energy file and constraints
file; nothing is written here. Each file's ``source`` names the Timeloop file it came from.

Hardware: ``pe_array`` = the compute unit's mesh (``meshX`` columns × ``meshY`` rows); the RF
words per PE and the GLB words are the capacities (``entries``, or ``depth`` × ``block-size``,
block size by default ``width`` / word bits; or ``sizeKB``) of the levels the mapping puts there
(a level keeping one data type gives that type's dedicated words, a level keeping several the
shared pool); without a mapping every level keeps everything, or what the v0.4 components' or
the imported constraints' keep / bypass lists say. Word bits per data type are the
innermost keeper's. ``dram_words_per_cycle`` is ``unlimited`` (Timeloop's DRAM has no bandwidth
limit unless the file gives ``read_bandwidth``), ``glb_words_per_cycle`` the GLB's
``read_bandwidth`` when given. ``dataflow: rs`` only labels the nest (no array forwarding).

Counting: the files make accelsim run *the same loop nest*; accelsim's accounting (ISCA 2016) is
still its own. Timeloop's counting rules (psum fills, first-read elision, exact-delta
multicast, its halo rule) are :mod:`accelsim.sim.timeloop_semantics`, which walks the levels
the mapping's ``notes.timeloop_levels`` lists. With an ERT the mapping's notes also carry
``timeloop_energy`` (:func:`timeloop_prices`): Timeloop's own price of each level, so that
module reproduces Timeloop's energy too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..spec.dims import DataType
from .mappingfile import dump_mapping_file, mapping_document
from .timeloop_arch import ArchLevel, TimeloopArch, read_arch
from .timeloop_constraints import ImportedConstraints, check_dataflow, constraints_yaml, read_constraints
from .timeloop_mapping import DATAFLOW, ImportedMapping, Place, check_one_keeper, default_keeps, places_of, read_mapping
from .timeloop_problem import SPACE_NAMES, TimeloopProblem, read_problem
from .timeloop_yaml import refuse

_TYPE_KEYS = {DataType.IFMAP: "ifmap", DataType.FILTER: "filter", DataType.PSUM: "psum"}


@dataclass(frozen=True, slots=True)
class TimeloopImport:
    """The accelsim files of one Timeloop design (texts, not yet written).

    Attributes
    ----------
    arch, problem : TimeloopArch, TimeloopProblem
    mapping : ImportedMapping or None
    constraints : ImportedConstraints or None
        The imported constraints (``--constraints``).
    files : dict of str to str
        File name (in the output directory) → text, in the order hardware, workload, mapping,
        energy, constraints.
    notes : tuple of str
        What the import assumed or ignored (also in the files' comments).
    """

    arch: TimeloopArch
    problem: TimeloopProblem
    mapping: ImportedMapping | None
    files: dict[str, str] = field(default_factory=dict)
    constraints: ImportedConstraints | None = None
    notes: tuple[str, ...] = ()


def _yaml_text(value: str) -> str:
    """A YAML flow scalar (a JSON string) of ``value``."""
    return json.dumps(value, ensure_ascii=False)


def level_words(lv: ArchLevel, origin: str, default_bits: int | None = None) -> int:
    """Words one instance of a storage level holds (``default_bits``: the word bits to take when
    the level gives ``width`` but neither a block size nor word bits, as Timeloop's 1-word
    ``reg_storage`` registers do).

    Raises
    ------
    SpecError
        The attributes do not give a capacity (missing ``depth`` …, or ``width`` / word bits
        to derive a block size).
    """
    entries = lv.attr("entries")
    if entries is not None:
        return int(entries)
    depth = lv.attr("depth", "memory_depth")
    bits = lv.attr("word_bits", "datawidth")
    if depth is not None:
        block = lv.attr("block_size")
        if block is None:
            width = lv.attr("width", "memory_width")
            bits = bits if bits is not None else default_bits
            if width is None or bits is None:
                missing = "width" if width is None else "word-bits (or datawidth)"
                raise refuse(f"missing attribute {missing}: {lv.name}'s words per entry (block-size) cannot be "
                             "derived", f"{lv.path}.attributes", origin)
            block = max(1, int(width) // int(bits))
        return int(depth) * int(block)
    size_kb = lv.attr("sizeKB")
    if size_kb is not None:
        if bits is None:
            raise refuse("missing attribute word-bits (or datawidth) to turn sizeKB into words",
                         f"{lv.path}.attributes", origin)
        return int(size_kb * 1024 * 8) // int(bits)
    raise refuse(f"missing attribute depth (or memory_depth, entries, sizeKB): {lv.name} keeps data in accelsim's "
                 "GLB or RF, which needs a capacity", f"{lv.path}.attributes", origin)


def _plan(arch: TimeloopArch, imported: ImportedMapping | None,
          keeps: dict[str, frozenset[DataType]] | None = None) -> dict[str, tuple[Place, frozenset[DataType]]]:
    """Level name → (place, kept types): the mapping's; without one, each level's default
    (:func:`~.timeloop_mapping.default_keeps`: v0.4 keep/bypass constraints, else everything;
    fan-out levels nothing) or what imported constraints' keep/bypass say (``keeps``), which
    must give one keeper per data type and place."""
    if imported is not None:
        return {p.name: (p.place, p.keeps) for p in imported.levels}
    places = places_of(arch, arch.origin)
    keeps = keeps or {}
    plan = {lv.name: (pl, frozenset() if pl is Place.FANOUT else
                      keeps.get(lv.name, frozenset(default_keeps(lv, arch.origin))))
            for lv, pl in zip(arch.levels, places)}
    check_one_keeper([(name, pl, keeps) for name, (pl, keeps) in plan.items()], "architecture", arch.origin,
                     "give the mapping, or keep/bypass constraints on the components, to say which")
    return plan


def _storage(arch: TimeloopArch, plan: dict, place: Place, bits: dict[DataType, int], notes: list) -> dict[str, int]:
    out = {"shared": 0, "ifmap": 0, "filter": 0, "psum": 0}
    for lv in arch.levels:
        pl, keeps = plan[lv.name]
        if pl is not place or not keeps:
            continue
        own = lv.attr("word_bits", "datawidth")
        default = max(bits[t] for t in keeps)
        words = level_words(lv, arch.origin, default)
        if own is None and lv.attr("block_size") is None and lv.attr("entries") is None:
            notes.append(f"{lv.name} gives no word bits: {default} bits assumed (its data's: "
                         f"{', '.join(SPACE_NAMES[t] for t in sorted(keeps))}), {words} word{'s' * (words != 1)}")
        slot = _TYPE_KEYS[next(iter(keeps))] if len(keeps) == 1 else "shared"
        out[slot] += words
    return out


def hardware_yaml(arch: TimeloopArch, imported: ImportedMapping | None, energy_file: str | None,
                  keeps: dict[str, frozenset[DataType]] | None = None) -> tuple[str, list]:
    """The hardware file's text and the notes on what it assumed (``keeps``: the storage plan
    of imported constraints, used without a mapping)."""
    plan = _plan(arch, imported, keeps)
    notes = []
    bits: dict[DataType, int] = {}
    for t in DataType:
        keepers = [lv for lv in arch.levels if t in plan[lv.name][1]]
        for lv in reversed(keepers):
            b = lv.attr("word_bits", "datawidth")
            if b is not None:
                bits[t] = int(b)
                break
        else:
            bits[t] = 16
            notes.append(f"no keeper of {SPACE_NAMES[t]} gives word bits: 16 assumed")
    rf = _storage(arch, plan, Place.RF, bits, notes)
    glb = _storage(arch, plan, Place.GLB, bits, notes)
    for lv in arch.levels:
        pl, keeps = plan[lv.name]
        if pl is Place.REGISTER:
            spaces = ", ".join(SPACE_NAMES[t] for t in sorted(keeps))
            holder = next(o.name for o in arch.levels if plan[o.name][0] is Place.RF and keeps & plan[o.name][1])
            notes.append(f"{lv.name} is a one-word {spaces} register under {holder}: a level of its own under "
                         f"--semantics timeloop-*; accelsim's own accounting has no register level ({holder} is its "
                         "RF, read at every MAC)")
    glb_levels = [lv for lv in arch.levels if plan[lv.name][0] is Place.GLB and plan[lv.name][1]]
    dram = arch.levels[0]
    rows, cols = arch.compute.mesh_y, arch.compute.mesh_x
    lines = [f"# Imported by `accelsim import timeloop` from {Path(arch.origin).name} "
             f"(Timeloop architecture v{arch.version or '?'}).",
             "# Levels: " + "; ".join(f"{lv.name} -> {plan[lv.name][0].value}"
                                      + (f" [{', '.join(SPACE_NAMES[t] for t in sorted(plan[lv.name][1]))}]"
                                         if plan[lv.name][0] is not Place.FANOUT else "")
                                      for lv in arch.levels) + f"; {arch.compute.name} -> MAC.",
             "# Capacities in words (entries, or depth x block-size); a level keeping one data type gives that",
             "# type's words, a level keeping several the shared pool. Timeloop's cycles are MACs per PE; the",
             "# bandwidths below only matter for accelsim's own cycle model."]
    lines += [f"# NOTE: {n}" for n in notes]
    lines += ["version: 1", f"name: {_yaml_text(arch.name)}",
              f"source: {_yaml_text(f'Timeloop architecture {arch.origin}, imported by accelsim import timeloop')}",
              f"pe_array: {{rows: {rows}, cols: {cols}}}",
              "rf_words: {" + ", ".join(f"{k}: {v}" for k, v in rf.items()) + "}",
              "glb_words: {" + ", ".join(f"{k}: {v}" for k, v in glb.items()) + "}"]
    if len(set(bits.values())) == 1:
        lines.append(f"word_bits: {bits[DataType.IFMAP]}")
    else:
        lines.append("precision: {" + ", ".join(f"{_TYPE_KEYS[t]}: {bits[t]}" for t in DataType) + "}")
    dram_bw = dram.attr("read_bandwidth")
    lines.append(f"dram_words_per_cycle: {dram_bw if dram_bw is not None else 'unlimited'}"
                 + ("   # Timeloop: no DRAM bandwidth limit given" if dram_bw is None else ""))
    glb_bw = [lv.attr("read_bandwidth") for lv in glb_levels]
    if glb_bw and all(b is not None for b in glb_bw):
        lines.append(f"glb_words_per_cycle: {sum(glb_bw)}   # read_bandwidth")
    lines.append(f"dataflow: {DATAFLOW}   # a label: the mapping file gives the loop nest")
    if energy_file is not None:
        lines.append(f"energy: {{preset: {energy_file}}}   # the Accelergy ERT, imported")
    else:
        lines.append("# energy: isca16 (the default); give --ert ERT_summary.yaml for the design's own table")
    return "\n".join(lines) + "\n", notes


def workload_yaml(problem: TimeloopProblem) -> str:
    """The workload file's text (one layer; ``N`` goes to the mapping file's batch)."""
    lay = problem.layer
    ignored = f"; instance keys Timeloop ignores: {', '.join(problem.ignored)}" if problem.ignored else ""
    src = (f"Timeloop problem {problem.origin} ({problem.shape_name}, a {problem.kind}), imported by accelsim "
           f"import timeloop; names {problem.describe_names()}{ignored}")
    lines = [f"# Imported by `accelsim import timeloop` from {Path(problem.origin).name}.",
             f"# Timeloop -> accelsim dimensions: {problem.describe_names()} (exact: Q->E, P->F, S->R, R->S).",
             "# H, W are Timeloop's projected extents (no padding): H = (E-1)*U + R, W = (F-1)*U + S."]
    if problem.kind == "1-D convolution":
        lines.append("# A 1-D convolution is the W axis of a layer with H = R = E = 1.")
    if lay.N > 1:
        lines.append(f"# Batch N = {lay.N}: run with --batch {lay.N} (the mapping file says so).")
    lines += ["version: 1", f"name: {_yaml_text(lay.name)}", f"source: {_yaml_text(src)}", "layers:",
              f"  - {{name: {_yaml_text(lay.name)}, M: {lay.M}, C: {lay.C}, H: {lay.H}, W: {lay.W}, R: {lay.R}, "
              f"S: {lay.S}, U: {lay.U}}}"]
    return "\n".join(lines) + "\n"


def timeloop_prices(ert_path: str, arch: TimeloopArch) -> dict:
    """What Timeloop charged per access of each level, from the design's ERT summary.

    Timeloop prices ``ceil(scalar accesses / words per access)`` vector accesses per level,
    data space and instance (checked on every reference case with an ERT). Its 2019/2020
    model (ERT formats 2019 and 0.3) charged every read, fill and update the level's one
    "vector access energy", the largest of its actions' maximum energies; with an Accelergy
    0.4 ERT it charges ``read``, ``write`` (fills) and ``update`` separately.

    Returns
    -------
    dict
        ``{"ert": file name, "rule": …, "mac_pj": float, "levels": {level: {"words_per_access",
        "read_pj", "fill_pj", "update_pj"}}}`` (pJ per vector access); levels the ERT does not
        price are left out.
    """
    from .accelergy import MAX_KEYS, ErtFormat, parse_ert, words_per_access
    from .yamlfile import parse_yaml, read_text

    fmt, comps = parse_ert(parse_yaml(read_text(ert_path, "ERT summary"), ert_path), ert_path, MAX_KEYS)
    by_name = {c.short: c for c in comps}
    levels = {}
    for lv in arch.levels:
        comp = by_name.get(lv.name.lower())
        if comp is None:
            continue
        attrs = {k.replace("_", "-") if k in ("block_size", "word_bits") else k: v for k, v in lv.attributes.items()}
        width = words_per_access(attrs)
        acts = dict(comp.actions)
        if "access" in acts:
            acts.setdefault("read", acts["access"])
            acts.setdefault("write", acts["access"])
        if "read" not in acts or "write" not in acts:
            continue
        if fmt is ErtFormat.V04:
            read, fill, update = acts["read"], acts["write"], acts.get("update", acts["write"])
        else:
            read = fill = update = max(v for k, v in acts.items() if k in ("read", "write", "update", "access"))
        levels[lv.name] = {"words_per_access": width.words if width is not None else 1, "read_pj": read,
                           "fill_pj": fill, "update_pj": update}
    mac = by_name.get(arch.compute.name.lower())
    found = mac.energy("mac_random", "compute") if mac is not None else None
    rule = ("Accelergy 0.4 actions: read, write (fills), update" if fmt is ErtFormat.V04 else
            "Timeloop 2019/2020: one vector access energy per level, the largest action maximum")
    return {"ert": Path(ert_path).name, "rule": rule, "mac_pj": found[1] if found else 0.0, "levels": levels}


def mapping_yaml(problem: TimeloopProblem, imported: ImportedMapping, prices: dict | None = None) -> str:
    """The mapping file's text (one layer, batch = the problem's N); ``prices``
    (:func:`timeloop_prices`) go to ``notes.timeloop_energy``."""
    levels = [{"name": p.name, "place": p.place.value, "keeps": [SPACE_NAMES[t] for t in sorted(p.keeps)],
               "loops": list(span)} for p, span in zip(imported.levels, imported.spans())]
    notes = {"timeloop_levels": levels, "timeloop_names": problem.describe_names()}
    if prices is not None:
        notes["timeloop_energy"] = prices
    mapping = replace(imported.mapping, notes=notes)
    doc = mapping_document(problem.layer.name, DATAFLOW, problem.layer.N, {problem.layer.name: mapping},
                           source=f"Timeloop mapping {imported.origin}, imported by accelsim import timeloop")
    head = (f"# Imported by `accelsim import timeloop` from {Path(imported.origin).name}: Timeloop's loop nest,\n"
            "# outer first (each level's temporal loops, then its spatial loops: X -> col, Y -> row); a data\n"
            "# type's glb / rf entry is the first loop of the Timeloop level that keeps it (null: bypassed).\n"
            "# notes.timeloop_levels: each Timeloop level, outer first, with the loops it owns\n"
            "# [first, first spatial, end) in this nest.\n"
            + ("# notes.timeloop_energy: Timeloop's price of each level per vector access, from the ERT.\n"
               if prices is not None else ""))
    return head + dump_mapping_file(doc)


def _ert_map(arch: TimeloopArch, plan: dict) -> list[str]:
    """``--map`` items of :func:`~accelsim.io.accelergy.import_ert`: the imported levels' components."""
    items = [f"MAC={arch.compute.name}"]
    for place, part in ((Place.RF, "RF"), (Place.GLB, "GLB")):
        for t in DataType:
            holder = next((lv.name for lv in arch.levels if plan[lv.name][0] is place and t in plan[lv.name][1]),
                          None)
            items.append(f"{part}.{_TYPE_KEYS[t]}={holder or 'none'}")
    items.append(f"DRAM={arch.levels[0].name}")
    return items


def _safe(stem: str) -> str:
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in stem).strip("_.") or "timeloop"


def import_timeloop(arch_path: str, problem_path: str, mapping_path: str | None = None,
                    ert_path: str | None = None, constraints_paths: list[str] | None = None) -> TimeloopImport:
    """Read a Timeloop design into accelsim file texts.

    Parameters
    ----------
    arch_path, problem_path : str
        The architecture and problem files (v0.2, v0.3 or v0.4).
    mapping_path : str, optional
        A ``mapping:`` file (timeloop-model input, or timeloop-mapper's ``map.yaml``).
    ert_path : str, optional
        An Accelergy ``ERT_summary.yaml``: becomes a version-2 energy file, the hardware's table.
    constraints_paths : list of str, optional
        Timeloop constraints files (:mod:`.timeloop_constraints`; with a v0.4 architecture its
        node constraints join them): become an accelsim constraints file, written last, which
        the hardware's dataflow must be able to meet. Without a mapping their keep/bypass
        lists are the storage plan.

    Returns
    -------
    TimeloopImport

    Raises
    ------
    SpecError
        Anything not expressible, with the file and key (see the ``timeloop_*`` modules).
    """
    from .accelergy import energy_yaml, import_ert

    arch = read_arch(arch_path)
    problem = read_problem(problem_path)
    imported = read_mapping(mapping_path, arch, problem) if mapping_path is not None else None
    cons = None
    if constraints_paths:
        cons = read_constraints(list(constraints_paths), arch, problem)
        check_dataflow(cons, problem, DATAFLOW)
    keeps = cons.keeps if cons is not None else None
    files: dict[str, str] = {}
    energy_name = None
    energy_text = None
    if ert_path is not None:
        plan = _plan(arch, imported, keeps)
        attrs = {lv.name: {k.replace("_", "-") if k in ("block_size", "word_bits") else k: v
                           for k, v in lv.attributes.items()} for lv in (*arch.levels, arch.compute)}
        result = import_ert(ert_path, mapping=_ert_map(arch, plan), arch_attrs=attrs,
                            arch_label=Path(arch_path).name)
        energy_name = _safe(Path(ert_path).stem) + ".yaml"
        registers = [name for name, (pl, _) in plan.items() if pl is Place.REGISTER]
        energy_text = (f"# Written by `accelsim import timeloop` for {Path(arch_path).name}: the levels' components "
                       "as the mapping places them.\n"
                       + (f"# Register levels ({', '.join(registers)}): no slot here (accelsim's accounting has no "
                          "register); their ERT prices are in the mapping's notes.timeloop_energy, for "
                          "--semantics timeloop-*.\n" if registers else "")
                       + energy_yaml(result, Path(energy_name).stem))
    hw_text, notes = hardware_yaml(arch, imported, energy_name, keeps)
    hw_name = _safe(arch.name) + ".yaml"
    wl_name = _safe(problem.layer.name) + ".yaml"
    if wl_name == hw_name:
        wl_name = _safe(problem.layer.name) + ".problem.yaml"
    files[hw_name] = hw_text
    files[wl_name] = workload_yaml(problem)
    if imported is not None:
        stem = _safe(Path(mapping_path).stem.removesuffix(".map").removesuffix(".mapping"))
        prices = timeloop_prices(ert_path, arch) if ert_path is not None else None
        files[f"{stem}.mapping.yaml"] = mapping_yaml(problem, imported, prices)
    if energy_text is not None:
        files[energy_name] = energy_text
    if cons is not None:
        stem = _safe(Path(constraints_paths[0]).stem.removesuffix(".constraints"))
        files[f"{stem}.constraints.yaml"] = constraints_yaml(problem, cons)
        notes += [f"constraints: {n}" for n in cons.notes]
    if problem.ignored:
        notes.append(f"problem instance keys Timeloop ignores (no padding in Timeloop): {', '.join(problem.ignored)}")
    return TimeloopImport(arch=arch, problem=problem, mapping=imported, files=files, constraints=cons,
                          notes=tuple(notes))
