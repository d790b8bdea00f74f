"""Row stationary (Chen, Emer, Sze, ISCA 2016, §V).

A PE runs a 1-D convolution primitive (one filter row, one ifmap row, a sliding window over
the whole ofmap row ``F``) from its RF; a logical PE set of ``R`` rows × ``E`` columns computes a
2-D convolution, ifmap rows shared diagonally, psums accumulated vertically. Sets are folded
into a PE's RF (``n`` images, ``p`` filters, ``q`` channels) and replicated across the array
(``r`` channels stacked with vertical accumulation, ``t`` filters); passes run from the GLB.
"""

from __future__ import annotations

from ..errors import MappingError
from ..spec.dims import DataType, Dataflow, Dim, LoopKind
from ..spec.mapping import Loop, Mapping
from .base import Template

TEMPLATE = Template(
    dataflow=Dataflow.RS,
    rows=(Dim.C, Dim.M),
    cols=(Dim.E, Dim.M, Dim.N),
    pe=(Dim.N, Dim.M, Dim.C),
    pinned={Dim.R: "row", Dim.S: "pe", Dim.F: "pe"},
    rf_accumulates=(Dim.C, Dim.S),
    summary="row stationary: 1-D row convolutions in each PE's RF, R×E logical PE sets folded onto the array",
)


def from_eyeriss_params(layer, *, n: int, e: int, p: int, q: int, r: int, t: int,
                        t_on_rows: bool = True) -> Mapping:
    """Build a mapping from Eyeriss's own RS parameters (JSSC 2017, Table III).

    Parameters
    ----------
    layer : ConvLayer
        The layer; its ``E`` must be a multiple of ``e`` and the per-group ``M``, ``C`` and ``N``
        multiples of ``p·t``, ``q·r`` and ``n``.
    n, e, p, q, r, t : int
        Images per pass, PE-set width (ofmap rows in parallel), filters per PE, channels per
        PE, PE sets on different channels, PE sets on different filters.
    t_on_rows : bool
        Stack the ``t`` PE sets vertically (``R·r·t`` rows × ``e`` columns, as the chip does
        for CONV3–5) rather than side by side (``R·r`` × ``e·t``).

    Returns
    -------
    Mapping
        A pass is one (n images, p·t filters, q·r channels, e ofmap rows) block. The GLB keeps
        the psums of every channel pass (the C loop runs inside the psum tile, so psums never
        spill to DRAM) and the ifmap and filters of one pass; the RF keeps the filter rows
        ``p·q·S``, a ``q·S`` ifmap window and ``p`` psums.
    """
    bounds = dict(zip(Dim, layer.loop_bounds()))
    for name, value, dim, whole in (("n", n, Dim.N, bounds[Dim.N]), ("e", e, Dim.E, bounds[Dim.E]),
                                    ("p·t", p * t, Dim.M, bounds[Dim.M]), ("q·r", q * r, Dim.C, bounds[Dim.C])):
        if value < 1 or whole % value:
            raise MappingError(f"{name} = {value} does not divide {dim.name} = {whole}", f"mapping.{name}")
    outer = [
        Loop(Dim.G, bounds[Dim.G]),
        Loop(Dim.N, bounds[Dim.N] // n),
        Loop(Dim.M, bounds[Dim.M] // (p * t)),
        Loop(Dim.E, bounds[Dim.E] // e),
        Loop(Dim.C, bounds[Dim.C] // (q * r)),
    ]
    spatial = [
        Loop(Dim.M, t, LoopKind.ROW if t_on_rows else LoopKind.COL),
        Loop(Dim.C, r, LoopKind.ROW),
        Loop(Dim.R, bounds[Dim.R], LoopKind.ROW),
        Loop(Dim.E, e, LoopKind.COL),
    ]
    pe = [
        Loop(Dim.N, n),
        Loop(Dim.F, bounds[Dim.F]),
        Loop(Dim.C, q),
        Loop(Dim.S, bounds[Dim.S]),
        Loop(Dim.M, p),
    ]
    loops = tuple(outer + spatial + pe)
    channel_loop = len(outer) - 1
    first_pe = len(outer) + len(spatial)
    glb = [len(outer), len(outer), channel_loop]  # ifmap, filter: one pass; psum: all channel passes
    # filter rows stay for the whole pass (above N and F); ifmap window and psums below F
    rf = [None, None, None]
    rf[DataType.FILTER] = first_pe
    rf[DataType.IFMAP] = first_pe + 2
    rf[DataType.PSUM] = first_pe + 2
    return Mapping(loops=loops, glb=tuple(glb), rf=tuple(rf), dataflow=Dataflow.RS.value,
                   notes={"eyeriss_params": {"n": n, "e": e, "p": p, "q": q, "r": r, "t": t}})
