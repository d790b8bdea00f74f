"""Dataflows: mapspace constraints (one module each) and the shared lowering."""

from __future__ import annotations

from importlib import import_module

from ..errors import SpecError
from ..spec.dims import Dataflow

_MODULES = {
    Dataflow.RS: "rs", Dataflow.WS: "ws", Dataflow.OSA: "osa", Dataflow.OSB: "osb",
    Dataflow.OSC: "osc", Dataflow.NLR: "nlr",
    Dataflow.SYS_WS: "sys_ws", Dataflow.SYS_OS: "sys_os", Dataflow.SYS_IS: "sys_is",
    Dataflow.RS_PLUS: "rsplus",
}


def parse_dataflow(name) -> Dataflow:
    """A :class:`Dataflow` from its name; :class:`SpecError` listing the choices otherwise."""
    if isinstance(name, Dataflow):
        return name
    try:
        return Dataflow(str(name).lower())
    except ValueError:
        raise SpecError(
            f"unknown dataflow {name!r}; choose one of {', '.join(d.value for d in available())}",
            field="dataflow",
        ) from None


def available() -> list[Dataflow]:
    """Dataflows with a template in this version."""
    return list(_MODULES)


def template(name):
    """The :class:`~accelsim.dataflows.base.Template` of a dataflow."""
    df = parse_dataflow(name)
    if df not in _MODULES:
        raise SpecError(f"dataflow {df.value!r} is not implemented yet", field="dataflow")
    return import_module(f".{_MODULES[df]}", __name__).TEMPLATE
