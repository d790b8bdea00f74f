"""The data assumptions a layer's result rests on: zero fractions (and where each came from),
zero gating and RLC. Recorded per layer (``LayerResult.assumptions``, the JSON key
``"assumptions"``) and printed in the run header."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ZeroSource(str, Enum):
    """Where a zero fraction came from."""

    #: the layer reads the network's input, an image: no ReLU before it, 0 zeros
    FIRST_LAYER = "first_layer"
    #: AlexNet's measured fractions (JSSC 2017; CONV3-4 interpolated), by layer name
    ALEXNET_MEASURED = "alexnet_measured"
    #: nothing better known: a ReLU of median-0 pre-activations zeroes half (0.5)
    RELU_DEFAULT = "relu_default"
    #: ``--zero-fraction`` / ``zero_fraction=``
    USER = "user"
    #: the workload file's ``ifmap_zero_fraction`` (the ONNX importer writes 0 where no ReLU precedes)
    WORKLOAD = "workload"
    #: measured on the ifmap the user gave
    IFMAP = "ifmap"

    @property
    def label(self) -> str:
        """A few words for the run header."""
        return _LABELS[self]


_LABELS = {
    ZeroSource.FIRST_LAYER: "first layer: the image",
    ZeroSource.ALEXNET_MEASURED: "AlexNet, measured, JSSC 2017; conv3-4 interpolated",
    ZeroSource.RELU_DEFAULT: "default: ReLU",
    ZeroSource.USER: "given",
    ZeroSource.WORKLOAD: "workload file",
    ZeroSource.IFMAP: "the given ifmap",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Assumptions:
    """What a layer's data-dependent numbers assume.

    Attributes
    ----------
    ifmap_zero_fraction, ofmap_zero_fraction : float
        Zero fraction of the ifmap read and of the ReLU'd ofmap written to DRAM (the analytic
        engine's expectation; the cycle engine's generated data has exactly that many zeros).
    ifmap_zero_fraction_source, ofmap_zero_fraction_source : ZeroSource
        Where each came from.
    zero_gating, dram_rlc : bool
        The hardware's flags: only with one of them do the zero fractions change a number.
    ifmap_rlc : bool
        The ifmap is read RLC-compressed (``dram_rlc``, and not the network's input image).
    """

    ifmap_zero_fraction: float
    ifmap_zero_fraction_source: ZeroSource
    ofmap_zero_fraction: float
    ofmap_zero_fraction_source: ZeroSource
    zero_gating: bool
    dram_rlc: bool
    ifmap_rlc: bool

    @property
    def used(self) -> bool:
        """Whether the zero fractions change any number of the result."""
        return self.zero_gating or self.dram_rlc

    def to_dict(self) -> dict:
        """The record's ``"assumptions"`` object (sources as their string values)."""
        return {
            "ifmap_zero_fraction": float(self.ifmap_zero_fraction),
            "ifmap_zero_fraction_source": self.ifmap_zero_fraction_source.value,
            "ofmap_zero_fraction": float(self.ofmap_zero_fraction),
            "ofmap_zero_fraction_source": self.ofmap_zero_fraction_source.value,
            "zero_gating": bool(self.zero_gating),
            "dram_rlc": bool(self.dram_rlc),
            "ifmap_rlc": bool(self.ifmap_rlc),
        }
