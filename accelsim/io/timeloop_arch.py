"""Timeloop architectures (v0.2/v0.3 ``subtree``/``local`` trees, v0.4 ``nodes``) as storage levels.

Both forms are flattened outer → inner as Timeloop does (SEMANTICS.md §2.2, §2.3):

* v0.2/v0.3: a node's ``local`` components in order, then its ``subtree``; ``name[a..b]`` gives
  ``b − a + 1`` copies, and a subtree's range multiplies everything inside it. ``meshX`` is the
  X extent of a level's instances (default: all instances on X).
* v0.4: ``nodes`` in order; a ``!Container`` with ``spatial: {meshX, meshY}`` ≠ 1 inserts the
  pure fan-out level ``inter_<container>_spatial`` (it keeps nothing) and multiplies everything
  after it; ``!Parallel`` / ``!Hierarchical`` children are walked in order; a component's
  ``constraints.dataspace`` keep/bypass is its default keep list (timeloopfe's rule).

Classes: storage (``DRAM`` or any class containing ``DRAM``, ``SRAM``, ``regfile``,
``smartbuffer_SRAM``, ``smartbuffer_RF``, ``storage``, ``reg_storage``, ``dummy_storage``) and
compute (``intmac``, ``fpmac``, ``mac``, ``compute``; taken out of the storage order wherever it
is listed, as Timeloop does). Anything else is refused, as are a second compute unit, a range
``[a..b]`` with ``b < a``, a mesh that does not divide the instances, and a ``spatial`` fan-out
on a component (timeloopfe puts fan-outs on containers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .timeloop_yaml import load_timeloop_yaml, need_list, need_map, normalised, positive_int, refuse

STORAGE_CLASSES = ("sram", "regfile", "smartbuffer_sram", "smartbuffer_rf", "storage", "reg_storage",
                   "dummy_storage")
COMPUTE_CLASSES = ("intmac", "fpmac", "mac", "compute")
_RANGE = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<a>\d+)\.\.(?P<b>\d+)\])?$")


@dataclass(frozen=True, slots=True)
class ArchLevel:
    """One flattened Timeloop component.

    Attributes
    ----------
    name : str
        Without instance range (``DummyBuffer``, ``inter_PE_spatial``).
    cls : str
        Its ``class``.
    attributes : dict
        Its attributes, keys with underscores.
    instances : int
        Copies in the whole design.
    mesh_x : int
        Instances along X.
    path : str
        Key path in the architecture file.
    fanout_only : bool
        A generated ``inter_*_spatial`` level (keeps nothing; carries a spatial fan-out).
    keep : tuple of str, optional
        Data spaces a v0.4 ``constraints.dataspace.keep`` names.
    bypass : tuple of str, optional
        Data spaces a v0.4 ``constraints.dataspace.bypass`` names.
    """

    name: str
    cls: str
    attributes: dict
    instances: int
    mesh_x: int
    path: str
    fanout_only: bool = False
    keep: tuple[str, ...] | None = None
    bypass: tuple[str, ...] | None = None

    @property
    def mesh_y(self) -> int:
        return self.instances // self.mesh_x

    @property
    def is_dram(self) -> bool:
        return "dram" in self.cls.lower()

    def attr(self, *names: str) -> Any:
        """The first of ``names`` the attributes give (``None``: none)."""
        return next((self.attributes[n] for n in names if self.attributes.get(n) is not None), None)


@dataclass(frozen=True, slots=True)
class TimeloopArch:
    """A flattened Timeloop architecture: storage levels outer first, then the compute unit."""

    origin: str
    version: str
    levels: tuple[ArchLevel, ...]
    compute: ArchLevel
    containers: dict[str, str] = field(default_factory=dict)  #: container → its fan-out level
    #: v0.4 nodes' ``constraints`` (node name, key path of the node, the raw mapping), for
    #: :mod:`.timeloop_constraints` (a component's ``dataspace`` is also its ``keep``/``bypass``)
    node_constraints: tuple[tuple[str, str, Any], ...] = ()

    @property
    def name(self) -> str:
        stem = Path(self.origin).stem.removesuffix(".arch")
        return "".join(c if c.isalnum() or c in "_-" else "_" for c in stem).strip("_") or "timeloop"

    def index(self, name: str) -> int | None:
        """Position (outer first) of the level called ``name`` (a container: its fan-out level)."""
        name = self.containers.get(name, name)
        return next((i for i, lv in enumerate(self.levels) if lv.name == name), None)


def _split_name(raw: Any, path: str, origin: str) -> tuple[str, int]:
    if not isinstance(raw, str) or not raw.strip():
        raise refuse("a component needs a name", path, origin)
    match = _RANGE.match(raw.strip())
    if not match:
        raise refuse(f"malformed name {raw!r} (name or name[a..b])", path, origin)
    if match.group("a") is None:
        return match.group("name").strip(), 1
    a, b = int(match.group("a")), int(match.group("b"))
    if b < a:
        raise refuse(f"the range [{a}..{b}] is empty", path, origin)
    return match.group("name").strip(), b - a + 1


def _kind(cls: Any, path: str, origin: str) -> str:
    if not isinstance(cls, str) or not cls:
        raise refuse("missing attribute class", path, origin)
    low = cls.lower()
    if "dram" in low or low in STORAGE_CLASSES:
        return "storage"
    if low in COMPUTE_CLASSES:
        return "compute"
    raise refuse(f"unknown class {cls!r}; storage classes: DRAM, {', '.join(STORAGE_CLASSES)}; compute: "
                 f"{', '.join(COMPUTE_CLASSES)}", path, origin)


class _Flattener:
    """Collects components outer → inner."""

    def __init__(self, origin: str):
        self.origin = origin
        self.levels: list[ArchLevel] = []
        self.compute: ArchLevel | None = None
        self.containers: dict[str, str] = {}
        self.node_constraints: list[tuple[str, str, Any]] = []

    def add(self, comp: dict, name: str, count: int, instances: int, mesh_x: int, path: str,
            keep=None, bypass=None) -> None:
        kind = _kind(comp.get("class"), f"{path}.class", self.origin)
        if kind == "compute" and self.compute is not None:
            raise refuse(f"a second compute unit {name} (the first is {self.compute.name}); accelsim's PE has one "
                         "MAC", path, self.origin)
        attrs = need_map(comp.get("attributes") or {}, f"{path}.attributes", self.origin)
        mx = attrs.get("meshX")
        mx = positive_int(mx, f"{path}.attributes.meshX", self.origin) if mx is not None else mesh_x * count
        if instances % mx:
            raise refuse(f"meshX {mx} does not divide the {instances} instances", f"{path}.attributes.meshX",
                         self.origin)
        level = ArchLevel(name=name, cls=comp["class"], attributes=attrs, instances=instances, mesh_x=mx, path=path,
                          fanout_only=comp["class"] == "dummy_storage", keep=keep, bypass=bypass)
        if kind == "compute":
            self.compute = level
        else:
            if any(lv.name == name for lv in self.levels):
                raise refuse(f"two storage levels are called {name}", f"{path}.name", self.origin)
            self.levels.append(level)

    # -- v0.2 / v0.3
    def tree(self, node: Any, path: str, mult: int, mesh_x: int) -> None:
        node = need_map(node, path, self.origin)
        count = 1
        if node.get("name") is not None:
            _, count = _split_name(node.get("name"), f"{path}.name", self.origin)
        mult *= count
        mesh_x *= count
        for i, comp in enumerate(need_list(node.get("local") or [], f"{path}.local", self.origin)):
            here = f"{path}.local[{i}]"
            comp = need_map(comp, here, self.origin)
            name, n = _split_name(comp.get("name"), f"{here}.name", self.origin)
            self.add(comp, name, n, mult * n, mesh_x, here)
        for i, child in enumerate(need_list(node.get("subtree") or [], f"{path}.subtree", self.origin)):
            self.tree(child, f"{path}.subtree[{i}]", mult, mesh_x)

    # -- v0.4
    def nodes(self, nodes: Any, path: str, state: list[int]) -> None:
        for i, node in enumerate(need_list(nodes, path, self.origin)):
            here = f"{path}[{i}]"
            node = need_map(node, here, self.origin)
            tag = node.get("!")
            if tag in ("Parallel", "Hierarchical"):
                self.nodes(node.get("nodes") or [], f"{here}.nodes", state)
                continue
            if tag not in ("Container", "Component"):
                raise refuse("a v0.4 node is tagged !Container, !Component, !Parallel or !Hierarchical", here,
                             self.origin)
            name, n = _split_name(node.get("name"), f"{here}.name", self.origin)
            if node.get("constraints") is not None:
                self.node_constraints.append((name, here, node["constraints"]))
            spatial = need_map(node.get("spatial") or {}, f"{here}.spatial", self.origin)
            fx = positive_int(spatial.get("meshX", 1), f"{here}.spatial.meshX", self.origin)
            fy = positive_int(spatial.get("meshY", 1), f"{here}.spatial.meshY", self.origin)
            if tag == "Component":
                if fx * fy * n != 1:
                    raise refuse("a fan-out on a component is not read; put it on a !Container", f"{here}.spatial",
                                 self.origin)
                dataspace = normalised(need_map(node.get("constraints") or {}, f"{here}.constraints",
                                                self.origin)).get("dataspace") or {}
                dataspace = need_map(dataspace, f"{here}.constraints.dataspace", self.origin)
                keep, bypass = dataspace.get("keep"), dataspace.get("bypass")
                for word, value in (("keep", keep), ("bypass", bypass)):
                    if value is not None:
                        need_list(value, f"{here}.constraints.dataspace.{word}", self.origin)
                self.add(node, name, 1, state[0], state[1], here,
                         keep=tuple(keep) if keep is not None else None,
                         bypass=tuple(bypass) if bypass is not None else None)
                continue
            if fx * fy == 1:
                continue
            dummy = f"inter_{name}_spatial"
            self.containers[name] = dummy
            self.add({"class": "dummy_storage", "attributes": {"meshX": state[1]}}, dummy, 1, state[0], state[1],
                     here)
            state[0] *= fx * fy
            state[1] *= fx


def parse_arch(data: Any, origin: str) -> TimeloopArch:
    """Flatten parsed Timeloop architecture data (v0.2, v0.3 or v0.4).

    Raises
    ------
    SpecError
        Whatever the module docstring lists as refused; no storage level; no compute unit.
    """
    top = need_map(data, "document", origin)
    arch = need_map(top.get("architecture"), "architecture", origin)
    version = str(arch.get("version", ""))
    flat = _Flattener(origin)
    if "nodes" in arch:
        flat.nodes(arch["nodes"], "architecture.nodes", [1, 1])
    elif "subtree" in arch or "local" in arch:
        flat.tree(arch, "architecture", 1, 1)
    else:
        raise refuse("expected nodes (v0.4) or subtree/local (v0.2, v0.3)", "architecture", origin)
    if flat.compute is None:
        raise refuse("no compute unit (class intmac, fpmac, mac or compute)", "architecture", origin)
    if not flat.levels:
        raise refuse("no storage level", "architecture", origin)
    return TimeloopArch(origin=origin, version=version, levels=tuple(flat.levels), compute=flat.compute,
                        containers=flat.containers, node_constraints=tuple(flat.node_constraints))


def read_arch(path: str) -> TimeloopArch:
    """Read and flatten a Timeloop architecture file."""
    return parse_arch(load_timeloop_yaml(path, "architecture"), str(path))
