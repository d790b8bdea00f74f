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


def from_eyeriss_params(layer, *, n: int, e: int, p: int, q: int, r: int, t: int, split: int = 1,
                        t_on_rows: bool = True, filter_blocks: int = 1) -> Mapping:
    """Build a mapping from Eyeriss's own RS parameters (JSSC 2017, Table III).

    Parameters
    ----------
    layer : ConvLayer
        The layer. Its ``E`` need not be a multiple of ``e``: the last strip of ofmap rows is
        narrower (ragged), as CONV1's 7-wide strips of ``E = 55`` on the chip (8 strips, the
        last 6 wide). The per-group ``M``, ``C`` and ``N`` likewise need not be multiples of
        ``p·t``, ``q·r`` and ``n`` (the last block is partial).
    n, e, p, q, r, t : int
        Images per pass, PE-set width (ofmap rows in parallel), filters per PE, channels per
        PE, PE sets on different channels, PE sets on different filters.
    split : int
        Segments a PE set wider than the array is cut into, stacked vertically: the chip's
        CONV2 set of ``5 × 27`` PEs runs as ``5 × 14`` above ``5 × 13`` (``split = 2``;
        segments ``ceil(e / split)`` columns wide, the last one narrower).
    t_on_rows : bool
        Stack the ``t`` PE sets vertically (``R·r·t`` rows × ``e`` columns, as the chip does
        for CONV3–5) rather than side by side (``R·r`` × ``e·t``).
    filter_blocks : int
        Blocks of ``p·t`` filters whose passes run back to back on one ifmap block: the GLB
        keeps that ifmap block for all of them and their psums together (Table III fixes a
        pass, not the order of passes; more blocks read the ifmap from DRAM fewer times and
        need more psum banks).

    Returns
    -------
    Mapping
        A pass is one (n images, p·t filters, q·r channels, e ofmap rows) block. Loop order,
        outermost first: groups, image blocks, filter-block sets, ofmap strips, channel blocks,
        the ``filter_blocks`` filter blocks. The GLB keeps the psums of every channel pass of
        the set (the C loop runs inside the psum tile, so psums never spill to DRAM), the ifmap
        of one channel block and strip (across the set's filter blocks) and the filters of one
        pass; the RF keeps the filter rows ``p·q·S``, a ``q·S`` ifmap window and ``p`` psums.

    Raises
    ------
    MappingError
        A parameter is larger than its dimension, or ``split`` does not divide the set into
        non-empty segments.
    """
    bounds = dict(zip(Dim, layer.loop_bounds()))
    for name, value, dim in (("n", n, Dim.N), ("e", e, Dim.E), ("p·t", p * t, Dim.M), ("q·r", q * r, Dim.C)):
        if value > bounds[dim]:
            raise MappingError(f"{name} = {value} exceeds {dim.name} = {bounds[dim]}", f"mapping.{name}")
    seg = -(-e // split)
    if split > e or (split - 1) * seg >= e:
        raise MappingError(f"cannot cut a set {e} wide into {split} non-empty segments", "mapping.split")

    def blocks(dim: Dim, size: int) -> int:
        return -(-bounds[dim] // size)

    m_blocks = blocks(Dim.M, p * t)
    if filter_blocks > m_blocks:
        raise MappingError(f"{filter_blocks} blocks of p·t = {p * t} filters exceed M = {bounds[Dim.M]}",
                           "mapping.filter_blocks")
    outer = [
        Loop(Dim.G, bounds[Dim.G]),
        Loop(Dim.N, blocks(Dim.N, n)),
        Loop(Dim.M, -(-m_blocks // filter_blocks)),
        Loop(Dim.E, blocks(Dim.E, e)),
        Loop(Dim.C, blocks(Dim.C, q * r)),
        Loop(Dim.M, filter_blocks),
    ]
    spatial = [
        Loop(Dim.M, t, LoopKind.ROW if t_on_rows else LoopKind.COL),
        Loop(Dim.C, r, LoopKind.ROW),
        Loop(Dim.E, split, LoopKind.ROW),
        Loop(Dim.R, bounds[Dim.R], LoopKind.ROW),
        Loop(Dim.E, seg, LoopKind.COL),
    ]
    pe = [
        Loop(Dim.N, n),
        Loop(Dim.F, bounds[Dim.F]),
        Loop(Dim.C, q),
        Loop(Dim.S, bounds[Dim.S]),
        Loop(Dim.M, p),
    ]
    loops = tuple(outer + spatial + pe)
    channel_loop = len(outer) - 2
    first_pe = len(outer) + len(spatial)
    # ifmap: one channel block across the filter blocks; filter: one pass; psum: the set's
    # filter blocks over every channel pass
    glb = [len(outer) - 1, len(outer), channel_loop]
    # filter rows stay for the whole pass (above N and F); ifmap window and psums below F
    rf = [None, None, None]
    rf[DataType.FILTER] = first_pe
    rf[DataType.IFMAP] = first_pe + 2
    rf[DataType.PSUM] = first_pe + 2
    params = {"n": n, "e": e, "p": p, "q": q, "r": r, "t": t}
    if split > 1:
        params["split"] = split
    if filter_blocks > 1:
        params["filter_blocks"] = filter_blocks
    mapping = Mapping(loops=loops, glb=tuple(glb), rf=tuple(rf), dataflow=Dataflow.RS.value,
                      notes={"eyeriss_params": params})
    mapping.check_covers(layer.loop_bounds())
    return mapping
