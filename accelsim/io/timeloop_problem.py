"""Timeloop problem files (v0.2/v0.3 ``data-spaces``, v0.4 ``data_spaces``) as an accelsim layer.

A Timeloop problem names its loop dimensions and projects them onto three data spaces. The
importer recognises a convolution from the *projections*, not from the dimension names:

* a dimension in Weights and Outputs only is accelsim's ``M`` (Timeloop ``M`` or ``K``); in
  Weights and Inputs only (a plain rank) ``C``; in Inputs and Outputs only ``N`` (batch);
* an Inputs rank that is a sum of two terms, ``[[R, Wdilation], [P, Wstride]]``, is a sliding
  window: the term whose dimension is in Outputs is the output axis, the other the filter axis;
  the output term's coefficient is the stride, the filter term's the dilation (must be 1).

Name mapping (SEMANTICS.md finding 6; it keeps every count exact): the window whose
coefficients are ``H…`` (``Hstride``/``Hdilation``), or without such names the later window in
the Inputs ranks, is accelsim's H axis, the other the W axis. For the CNN layer this is
Timeloop ``Q → E``, ``S → R`` (rows) and ``P → F``, ``R → S`` (columns), ``M|K → M``, ``C → C``,
``N → N``, ``Hstride → U``.

1-D convolutions (``Conv1D``: dimensions ``[R, P]``; ``Conv1D_OC``: ``+K``; with ``C``) have one
window, which becomes the W axis: ``F = P``, ``S = R``, and the H axis is trivial (``E = R = 1``,
``H = 1``); missing roles are 1 (no ``K``: ``M = 1``; no ``C``: ``C = 1``). accelsim's padded
extents are Timeloop's projected ones: ``H = (E − 1)·U + R``, ``W = (F − 1)·U + S``
(Timeloop has no padding).

Refused (one message naming the file and key): a data space other than Weights / Inputs /
Outputs, Outputs not read-write, a rank of three terms, a dimension in no or in every data
space, two dimensions in one role, a dilation other than 1, different H and W strides on a
layer whose both axes slide, a non-positive bound, a term naming an unknown dimension or
coefficient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..spec.dims import DataType, Dim
from ..spec.layer import ConvLayer
from .timeloop_yaml import load_timeloop_yaml, need_list, need_map, positive_int, refuse

#: Timeloop data-space name → accelsim data type
DATA_SPACES = {"weights": DataType.FILTER, "inputs": DataType.IFMAP, "outputs": DataType.PSUM}
#: accelsim data type → Timeloop data-space name
SPACE_NAMES = {DataType.FILTER: "Weights", DataType.IFMAP: "Inputs", DataType.PSUM: "Outputs"}


@dataclass(frozen=True, slots=True)
class TimeloopProblem:
    """A Timeloop problem read as one accelsim layer.

    Attributes
    ----------
    origin : str
        The problem file.
    shape_name : str
        ``shape.name`` (``CNN_Layer``, ``Conv1D_OC`` …).
    dims : tuple of str
        Timeloop dimension names in ``shape.dimensions`` order.
    bounds : dict of str to int
        Every dimension's bound (missing in ``instance``: 1).
    names : dict of str to Dim
        Timeloop dimension → accelsim dimension (the exact name mapping).
    layer : ConvLayer
        The layer, at ``N`` = the batch dimension's bound.
    kind : str
        ``CNN layer``, ``1-D convolution`` or ``matrix product`` (no window).
    ignored : tuple of str
        ``instance`` keys that are neither dimensions nor coefficients (Timeloop ignores them).
    """

    origin: str
    shape_name: str
    dims: tuple[str, ...]
    bounds: dict[str, int]
    names: dict[str, Dim]
    layer: ConvLayer
    kind: str
    ignored: tuple[str, ...] = field(default=())

    def describe_names(self) -> str:
        """``Q→E, P→F, S→R, R→S, M→M, C→C, N→N``: the name mapping, in problem order."""
        return ", ".join(f"{d}→{self.names[d].name}" for d in self.dims)


def _terms(rank: Any, path: str, dims: tuple[str, ...], coefs: dict[str, int], origin: str
           ) -> list[tuple[str, str | None]]:
    """A rank's terms as ``(dimension, coefficient name or None)``."""
    rank = need_list(rank, path, origin)
    if not rank:
        raise refuse("a rank needs at least one term", path, origin)
    out = []
    for k, term in enumerate(rank):
        here = f"{path}[{k}]"
        if isinstance(term, str):
            term = [term]
        term = need_list(term, here, origin)
        if not 1 <= len(term) <= 2 or not all(isinstance(t, str) for t in term):
            raise refuse(f"a term is [dimension] or [dimension, coefficient], got {term!r}", here, origin)
        if term[0] not in dims:
            raise refuse(f"unknown dimension {term[0]!r} (dimensions: {', '.join(dims)})", here, origin)
        if len(term) == 2 and term[1] not in coefs:
            raise refuse(f"unknown coefficient {term[1]!r} (coefficients: {', '.join(coefs) or 'none'})", here,
                         origin)
        out.append((term[0], term[1] if len(term) == 2 else None))
    return out


def _coefficients(shape: dict, instance: dict, origin: str) -> dict[str, int]:
    coefs: dict[str, int] = {}
    for k, item in enumerate(need_list(shape.get("coefficients", []) or [], "problem.shape.coefficients", origin)):
        here = f"problem.shape.coefficients[{k}]"
        item = need_map(item, here, origin)
        if not isinstance(item.get("name"), str):
            raise refuse("a coefficient needs a name", f"{here}.name", origin)
        coefs[item["name"]] = positive_int(item.get("default", 1), f"{here}.default", origin)
    for name in coefs:
        if name in instance:
            coefs[name] = positive_int(instance[name], f"problem.instance.{name}", origin)
    return coefs


def _roles(spaces: dict[DataType, list], dims: tuple[str, ...], origin: str, where: dict[DataType, str]
           ) -> tuple[dict[str, Dim], list[tuple[int, str, str, str | None, str | None]]]:
    """Plain roles (M, C, N) and the sliding windows ``(rank, out dim, filter dim, stride
    coefficient, dilation coefficient)`` of the Inputs projection."""
    plain: dict[DataType, set[str]] = {t: set() for t in DataType}
    windows = []
    for t, ranks in spaces.items():
        for r, terms in enumerate(ranks):
            here = f"{where[t]}.projection[{r}]"
            if len(terms) == 1:
                if terms[0][1] is not None:
                    raise refuse(f"a one-term rank with a coefficient ({terms[0][1]}) is not a convolution axis",
                                 here, origin)
                plain[t].add(terms[0][0])
            elif len(terms) == 2 and t is DataType.IFMAP:
                windows.append((r, terms, here))
            else:
                raise refuse(f"a rank of {len(terms)} terms; accelsim reads plain ranks and, in Inputs, "
                             "two-term sliding windows [[filter dim, dilation], [output dim, stride]]", here, origin)
    out_dims, w_dims = plain[DataType.PSUM], plain[DataType.FILTER]
    parsed = []
    for r, terms, here in windows:
        (a, ca), (b, cb) = terms
        if a in w_dims and b in out_dims and a not in out_dims and b not in w_dims:
            parsed.append((r, b, a, cb, ca))
        elif b in w_dims and a in out_dims and b not in out_dims and a not in w_dims:
            parsed.append((r, a, b, ca, cb))
        else:
            raise refuse(f"the window {a}+{b} needs one dimension in Outputs only (the output axis) and one in "
                         "Weights only (the filter axis)", here, origin)
    in_window = {d for w in parsed for d in (w[1], w[2])}
    if len(parsed) > 2:
        raise refuse(f"{len(parsed)} sliding windows; a convolution has at most 2 (H and W)",
                     f"{where[DataType.IFMAP]}.projection", origin)
    roles: dict[str, Dim] = {}
    for d in dims:
        if d in in_window:
            continue
        inside = {t for t in DataType if d in plain[t]}
        role = {frozenset({DataType.FILTER, DataType.PSUM}): Dim.M,
                frozenset({DataType.FILTER, DataType.IFMAP}): Dim.C,
                frozenset({DataType.IFMAP, DataType.PSUM}): Dim.N}.get(frozenset(inside))
        if role is None:
            named = ", ".join(SPACE_NAMES[t] for t in sorted(inside)) or "no data space"
            raise refuse(f"dimension {d} is in {named}; a convolution dimension is in exactly two of Weights, "
                         "Inputs and Outputs (M: Weights+Outputs, C: Weights+Inputs, N: Inputs+Outputs) or in "
                         "an Inputs window", "problem.shape.dimensions", origin)
        other = next((e for e, x in roles.items() if x is role), None)
        if other is not None:
            raise refuse(f"dimensions {other} and {d} both play accelsim's {role.name}; a layer has one",
                         "problem.shape.dimensions", origin)
        roles[d] = role
    return roles, parsed


def parse_problem(data: Any, origin: str) -> TimeloopProblem:
    """Read parsed Timeloop problem data (any version) as a :class:`TimeloopProblem`.

    Raises
    ------
    SpecError
        Whatever the module docstring lists as refused.
    """
    top = need_map(data, "document", origin)
    prob = need_map(top.get("problem"), "problem", origin)
    shape = need_map(prob.get("shape"), "problem.shape", origin)
    instance = need_map(prob.get("instance"), "problem.instance", origin)
    dims_raw = need_list(shape.get("dimensions"), "problem.shape.dimensions", origin)
    if not dims_raw or not all(isinstance(d, str) and d for d in dims_raw) or len(set(dims_raw)) != len(dims_raw):
        raise refuse(f"must be a list of distinct dimension names, got {dims_raw!r}", "problem.shape.dimensions",
                     origin)
    dims = tuple(dims_raw)
    coefs = _coefficients(shape, instance, origin)
    bounds = {d: positive_int(instance.get(d, 1), f"problem.instance.{d}", origin) for d in dims}
    ignored = tuple(k for k in instance if k not in dims and k not in coefs)
    spaces_raw = need_list(shape.get("data_spaces"), "problem.shape.data_spaces", origin)
    spaces: dict[DataType, list] = {}
    where: dict[DataType, str] = {}
    for k, item in enumerate(spaces_raw):
        here = f"problem.shape.data_spaces[{k}]"
        item = need_map(item, here, origin)
        name = item.get("name")
        t = DATA_SPACES.get(str(name).lower())
        if t is None or t in spaces:
            why = "repeated" if t is not None else "unknown"
            raise refuse(f"{why} data space {name!r}; accelsim reads Weights, Inputs and Outputs", f"{here}.name",
                         origin)
        rw = bool(item.get("read_write", False))
        if rw != (t is DataType.PSUM):
            raise refuse(f"{name} must {'' if t is DataType.PSUM else 'not '}be read_write (the output is the "
                         "one read-write data space)", f"{here}.read_write", origin)
        ranks = need_list(item.get("projection"), f"{here}.projection", origin)
        spaces[t] = [_terms(rank, f"{here}.projection[{r}]", dims, coefs, origin) for r, rank in enumerate(ranks)]
        where[t] = here
    missing = [SPACE_NAMES[t] for t in DataType if t not in spaces]
    if missing:
        raise refuse(f"missing data space(s) {', '.join(missing)}", "problem.shape.data_spaces", origin)
    roles, windows = _roles(spaces, dims, origin, where)
    kind = {0: "matrix product", 1: "1-D convolution", 2: "CNN layer"}[len(windows)]
    # which window is H: coefficient names first, else the later rank
    axis_of: dict[int, str] = {}
    for w in windows:
        prefixes = {c[0].upper() for c in (w[3], w[4]) if c}
        if len(prefixes) == 1 and prefixes <= {"H", "W"}:
            axis_of[w[0]] = prefixes.pop()
    if len(windows) == 2 and len(set(axis_of.values())) != 2:
        axis_of = {windows[0][0]: "W", windows[1][0]: "H"}
    elif len(windows) == 1:
        axis_of = {windows[0][0]: "W"}
    names = dict(roles)
    out = {"E": 1, "F": 1, "R": 1, "S": 1}
    strides: dict[str, int] = {}
    for r, o, f, stride, dilation in windows:
        h = axis_of[r] == "H"
        names[o], names[f] = (Dim.E, Dim.R) if h else (Dim.F, Dim.S)
        out["E" if h else "F"], out["R" if h else "S"] = bounds[o], bounds[f]
        if dilation is not None and coefs[dilation] != 1 and bounds[f] > 1:
            raise refuse(f"{dilation} = {coefs[dilation]}: accelsim has no dilation (a dilated filter)",
                         f"problem.instance.{dilation}", origin)
        strides["H" if h else "W"] = coefs[stride] if stride is not None else 1
    moving = {a: s for a, s in strides.items() if out["E" if a == "H" else "F"] > 1}
    if len(set(moving.values())) > 1:
        raise refuse(f"H stride {moving['H']} and W stride {moving['W']} differ; accelsim has one stride U",
                     "problem.instance", origin)
    stride = next(iter(moving.values()), next(iter(strides.values()), 1))
    size = {role: bounds[d] for d, role in roles.items()}
    name = str(shape.get("name") or Path(origin).stem)
    try:
        layer = ConvLayer(name=_layer_name(Path(origin).stem), N=size.get(Dim.N, 1), M=size.get(Dim.M, 1),
                          C=size.get(Dim.C, 1), H=(out["E"] - 1) * stride + out["R"],
                          W=(out["F"] - 1) * stride + out["S"], R=out["R"], S=out["S"], U=stride)
    except Exception as exc:  # noqa: BLE001 - a layer accelsim cannot count: name the problem file
        raise refuse(getattr(exc, "message", str(exc)), "problem.instance", origin) from None
    return TimeloopProblem(origin=origin, shape_name=name, dims=dims, bounds=bounds, names=names, layer=layer,
                           kind=kind, ignored=ignored)


def _layer_name(stem: str) -> str:
    """A layer / workload name from a file stem (``conv1d+oc.prob`` → ``conv1d_oc``)."""
    stem = stem.removesuffix(".prob").removesuffix(".problem")
    out = "".join(c if c.isalnum() or c in "_-" else "_" for c in stem).strip("_")
    return out or "layer"


def read_problem(path: str) -> TimeloopProblem:
    """Read a Timeloop problem file."""
    return parse_problem(load_timeloop_yaml(path, "problem"), str(path))
