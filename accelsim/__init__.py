"""accelsim: a simulator of Eyeriss-style spatial DNN accelerators.

The public API is imported lazily so that ``import accelsim`` stays cheap and has no side
effects (numba compiles on first use, not on import).
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "ConvLayer": "accelsim.spec.layer",
    "Workload": "accelsim.spec.layer",
    "Hardware": "accelsim.spec.hardware",
    "Buffer": "accelsim.spec.hardware",
    "NoC": "accelsim.spec.hardware",
    "EnergyTable": "accelsim.spec.energy",
    "EnergyModel": "accelsim.spec.energy_model",
    "Precision": "accelsim.spec.hardware",
    "Mapping": "accelsim.spec.mapping",
    "Loop": "accelsim.spec.mapping",
    "Dim": "accelsim.spec.dims",
    "Flat": "accelsim.spec.dims",
    "DataType": "accelsim.spec.dims",
    "Dataflow": "accelsim.spec.dims",
    "LayerResult": "accelsim.spec.result",
    "RunResult": "accelsim.spec.result",
    "AccelsimError": "accelsim.errors",
    "SpecError": "accelsim.errors",
    "MappingError": "accelsim.errors",
    "CapacityError": "accelsim.errors",
    "load_workload": "accelsim.io.presets",
    "load_hardware": "accelsim.io.presets",
    "load_mapping": "accelsim.io.presets",
    "simulate": "accelsim.drivers.simulate",
    "simulate_network": "accelsim.drivers.simulate",
    "best_mapping": "accelsim.search.mapper",
    "compare": "accelsim.drivers.compare",
    "sweep": "accelsim.drivers.sweep",
    "to_dataframe": "accelsim.drivers.sweep",
    "plot": "accelsim.plot",
    "Semantics": "accelsim.sim.timeloop_semantics",
    "timeloop_stats": "accelsim.sim.timeloop_semantics",
    "with_semantics": "accelsim.drivers.semantics",
    "eyexam": "accelsim.drivers.eyexam",
    "eyexam_layer": "accelsim.drivers.eyexam",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'accelsim' has no attribute {name!r}")
    module = import_module(_EXPORTS[name])
    return module if name == "plot" else getattr(module, name)
