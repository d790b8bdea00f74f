"""Layer and workload shapes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import SpecError
from .dims import Dim


#: Largest MAC count, and largest tensor in words, of one layer at its batch (2**50, about
#: 1.1e15): a few accesses per MAC, summed over data types, must stay exact in int64 and float64.
MAX_COUNT = 2**50


@dataclass(frozen=True, slots=True, kw_only=True)
class TensorData:
    """A layer's real ifmap or filter tensor (or its zero mask), read from a ``.npy`` file.

    Attributes
    ----------
    path : str
        The file it was read from (for messages and records; not compared).
    values : numpy.ndarray
        Read-only; int64 values, or bool (``is_mask``: ``True`` marks a non-zero). Shape: the
        ifmap of one image ``(C, H, W)`` (``H``, ``W`` the padded extents the layer reads) or the
        filters ``(M, C/G, R, S)``. Not compared: equal tensors have equal ``digest`` and ``is_mask``.
    is_mask : bool
        ``values`` is a boolean mask (only where the non-zeros are is known).
    nonzeros : int
        Non-zero entries.
    digest : str
        SHA-256 of the array's dtype, shape and bytes.
    """

    path: str = field(compare=False)
    values: Any = field(compare=False, repr=False)
    is_mask: bool
    nonzeros: int
    digest: str

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return tuple(self.values.shape)

    @property
    def density(self) -> float:
        """Fraction of non-zero entries, ``nonzeros / size`` (1.0 for an empty array)."""
        size = int(self.values.size)
        return self.nonzeros / size if size else 1.0


def check_density(value: Any, field: str) -> float:
    """``value`` as a density (fraction of non-zeros) in (0, 1], or a :class:`SpecError` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < float(value) <= 1.0:
        raise SpecError(f"a density (fraction of non-zeros) must lie in (0, 1], got {value!r}", field)
    return float(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConvLayer:
    """One convolution (or FC, as a conv with ``H == R``, ``W == S``) layer.

    Parameters
    ----------
    name : str
        Layer name, unique within a workload.
    N : int
        Batch size (images).
    M, C : int
        Filters (ofmap channels) and ifmap channels, both summed over all groups.
    H, W : int
        Ifmap height and width in pixels, padding included.
    R, S : int
        Filter height and width.
    U : int
        Stride.
    G : int
        Groups; ``G == C == M`` is a depthwise convolution.
    ifmap_density : float or None
        Fraction of non-zero ifmap values over the ``(N, C, H, W)`` tensor, in (0, 1]; ``None``:
        not stated (the run's activation model applies: the image is dense, AlexNet's measured
        zero fractions, else a ReLU's half zeros — :mod:`accelsim.sim.sparse_data`).
    filter_density : float or None
        Fraction of non-zero weights over ``(M, C/G, R, S)``, in (0, 1]; ``None``: not stated (dense).
    ifmap_data, filter_data : TensorData or None
        Real tensors or masks; their densities equal ``ifmap_density`` / ``filter_density``.
        Their shapes are checked where they are read (``accelsim.io.tensordata``), not here:
        the mapper searches padded copies of a layer.
    """

    name: str = "layer"
    N: int = 1
    M: int
    C: int
    H: int
    W: int
    R: int
    S: int
    U: int = 1
    G: int = 1
    ifmap_density: float | None = None
    filter_density: float | None = None
    ifmap_data: TensorData | None = None
    filter_data: TensorData | None = None

    def __post_init__(self) -> None:
        for kind in ("ifmap", "filter"):
            density, data = getattr(self, f"{kind}_density"), getattr(self, f"{kind}_data")
            if density is not None:
                check_density(density, f"{self.name}.density.{kind}")
            if data is not None and density != data.density:
                raise SpecError(f"density {density!r} differs from its data's {data.density!r} ({data.path})",
                                f"{self.name}.density.{kind}")
        for key in ("N", "M", "C", "H", "W", "R", "S", "U", "G"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int):
                raise SpecError(f"must be an integer, got {value!r}", field=f"{self.name}.{key}")
            if value < 1:
                raise SpecError(f"must be >= 1, got {value}", field=f"{self.name}.{key}")
        if self.R > self.H:
            raise SpecError(f"filter height R={self.R} exceeds ifmap height H={self.H}", f"{self.name}.R")
        if self.S > self.W:
            raise SpecError(f"filter width S={self.S} exceeds ifmap width W={self.W}", f"{self.name}.S")
        if (self.H - self.R) % self.U:
            raise SpecError(
                f"(H - R) = {self.H - self.R} is not a multiple of the stride U={self.U}; "
                "give H as the padded extent that yields an integer ofmap height (or, in a workload "
                "file, H as the input size with pad or the output height E: floor semantics)",
                f"{self.name}.H",
            )
        if (self.W - self.S) % self.U:
            raise SpecError(
                f"(W - S) = {self.W - self.S} is not a multiple of the stride U={self.U} (in a workload "
                "file, give W as the input size with pad or the output width F)", f"{self.name}.W"
            )
        if self.C % self.G:
            raise SpecError(f"C={self.C} is not divisible by G={self.G}", f"{self.name}.C")
        if self.M % self.G:
            raise SpecError(f"M={self.M} is not divisible by G={self.G}", f"{self.name}.M")
        problem = self.size_problem()
        if problem:
            raise SpecError(problem, self.name)

    def size_problem(self, batch: int | None = None) -> str | None:
        """Why the layer at ``batch`` (default its own ``N``) is too large to count exactly, or
        ``None``: its MACs and each tensor's words must stay within :data:`MAX_COUNT`, so that a
        few accesses per MAC, summed over data types, stay exact in int64 and float64."""
        n = self.N if batch is None else batch
        per_image = self.M * (self.C // self.G) * self.E * self.F * self.R * self.S
        counts = (("MACs", n * per_image), ("ifmap words", n * self.C * self.H * self.W),
                  ("filter words", self.M * (self.C // self.G) * self.R * self.S),
                  ("ofmap words", n * self.M * self.E * self.F))
        for what, count in counts:
            if count > MAX_COUNT:
                return (f"layer {self.name} at batch {n} has {count:,} {what}; at most 2**50 = "
                        f"{MAX_COUNT:,} are supported")
        return None

    @property
    def E(self) -> int:
        """Ofmap height, pixels."""
        return (self.H - self.R) // self.U + 1

    @property
    def F(self) -> int:
        """Ofmap width, pixels."""
        return (self.W - self.S) // self.U + 1

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the whole layer: N·M·(C/G)·E·F·R·S."""
        return self.N * self.M * (self.C // self.G) * self.E * self.F * self.R * self.S

    @property
    def is_fc(self) -> bool:
        """True for a fully connected layer (a conv whose ofmap is 1×1)."""
        return self.E == 1 and self.F == 1

    def loop_bounds(self) -> tuple[int, ...]:
        """Loop bounds indexed by :class:`Dim` (``M``, ``C`` per group)."""
        bounds = {
            Dim.G: self.G, Dim.N: self.N, Dim.M: self.M // self.G, Dim.C: self.C // self.G,
            Dim.E: self.E, Dim.F: self.F, Dim.R: self.R, Dim.S: self.S,
        }
        return tuple(bounds[d] for d in Dim)

    def tensor_words(self) -> tuple[int, int, int]:
        """Words of (ifmap, filter, ofmap) for the whole layer."""
        ifmap = self.N * self.C * self.H * self.W
        filt = self.M * (self.C // self.G) * self.R * self.S
        ofmap = self.N * self.M * self.E * self.F
        return ifmap, filt, ofmap

    def with_batch(self, n: int) -> "ConvLayer":
        """The same layer at batch size ``n``."""
        return replace(self, N=n)

    def shape_dict(self) -> dict[str, int]:
        """Shape fields as a plain dict (for records and files)."""
        return {k: getattr(self, k) for k in ("N", "M", "C", "H", "W", "R", "S", "U", "G")} | {
            "E": self.E, "F": self.F,
        }


def padded_extent(size: int, kernel: int, stride: int, *, pad: int | None = None, out: int | None = None,
                  axis: str = "H", layer: str = "layer") -> int:
    """The ifmap extent a layer's filter reads along one axis, from the input size and a
    padding or an output size (PyTorch's ``Conv2d`` semantics).

    With ``pad`` (each side), the output is ``E = floor((size + 2·pad − kernel) / stride) + 1``;
    with ``out``, ``E = out``. The filter reads ``(E − 1)·stride + kernel`` rows: the padded
    input's first ``pad`` rows are zeros, and the last ``size + 2·pad − that`` (fewer than
    ``stride``) are never read, so they are not part of the layer.

    Parameters
    ----------
    size, kernel, stride : int
        Input size, filter size, stride along the axis (``H``, ``R``, ``U`` or ``W``, ``S``, ``U``).
    pad : int, optional
        Zero rows added on each side.
    out : int, optional
        The output size (``E`` or ``F``); with ``pad``, it must equal the floor rule's.
    axis : {"H", "W"}
        Which axis (names the fields in messages).
    layer : str
        The layer's name (the start of each error's field).

    Returns
    -------
    int
        The padded extent; ``size`` itself when neither ``pad`` nor ``out`` is given.

    Raises
    ------
    SpecError
        ``size + 2·pad`` shorter than the filter (field ``<layer>.pad``); ``out`` not the floor
        rule's for ``pad``, or below what the unpadded input already gives (``<layer>.E``/``.F``).
    """
    k, o = ("R", "E") if axis == "H" else ("S", "F")
    if pad is not None:
        if size + 2 * pad < kernel:
            raise SpecError(f"{axis} + 2·pad = {size} + 2·{pad} = {size + 2 * pad} is smaller than the filter "
                            f"{k}={kernel}", f"{layer}.pad")
        floor_out = (size + 2 * pad - kernel) // stride + 1
        if out is not None and out != floor_out:
            raise SpecError(f"{o}={out} disagrees with pad {pad}: floor(({axis} + 2·pad − {k}) / U) + 1 = "
                            f"floor(({size} + 2·{pad} − {kernel}) / {stride}) + 1 = {floor_out}; give one of "
                            f"pad and {o}, or make them agree", f"{layer}.{o}")
        out = floor_out
    if out is None:
        return size
    unpadded = (size - kernel) // stride + 1 if size >= kernel else 0
    if out < unpadded:
        raise SpecError(f"{o}={out}: an unpadded {axis}={size} already gives floor(({size} − {kernel}) / {stride}) + 1 "
                        f"= {unpadded} outputs, so {o} must be at least {unpadded}", f"{layer}.{o}")
    return (out - 1) * stride + kernel


@dataclass(frozen=True, slots=True, kw_only=True)
class Workload:
    """A named sequence of layers (batch size is a run option, so layers carry ``N = 1``)."""

    name: str
    layers: tuple[ConvLayer, ...]
    source: str = ""
    meta: dict = field(default_factory=dict, compare=False, hash=False)
    input_layer: str | None = None
    #: ``(layer name, fraction)`` pairs: ifmap zero fractions the workload states (a workload
    #: file's ``ifmap_zero_fraction``), replacing the run's default for those layers
    ifmap_zero_fractions: tuple[tuple[str, float], ...] = ()

    def ifmap_zero_fraction(self, name: str) -> float | None:
        """The ifmap zero fraction this workload states for layer ``name``, or ``None``: its
        ``ifmap_zero_fraction``, else ``1 − ifmap_density`` of a layer that states a density
        (one fact, two spellings: v1's zero gating and RLC read the zeros a sparse PE skips)."""
        stated = dict(self.ifmap_zero_fractions).get(name)
        if stated is not None:
            return stated
        density = next((layer.ifmap_density for layer in self.layers if layer.name == name), None)
        return None if density is None else 1.0 - density

    @property
    def first_layer(self) -> str:
        """The layer that reads the network's input (an image: no zeros, never compressed) —
        the first layer, also after :meth:`select` has dropped it."""
        return self.input_layer or self.layers[0].name

    def __post_init__(self) -> None:
        if not self.layers:
            raise SpecError("a workload needs at least one layer", field="layers")
        names = [layer.name for layer in self.layers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise SpecError(f"layer names must be unique, repeated: {', '.join(dupes)}", field="layers")

    def with_batch(self, n: int) -> "Workload":
        """Every layer at batch size ``n``."""
        return replace(self, layers=tuple(layer.with_batch(n) for layer in self.layers))

    def select(self, names: list[str] | tuple[str, ...]) -> "Workload":
        """Only the named layers, in workload order; unknown names are an error."""
        known = {layer.name for layer in self.layers}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SpecError(
                f"unknown layer(s) {', '.join(unknown)}; this workload has {', '.join(sorted(known))}",
                field="layers",
            )
        wanted = set(names)
        return replace(self, layers=tuple(layer for layer in self.layers if layer.name in wanted),
                       input_layer=self.first_layer)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)
