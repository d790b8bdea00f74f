"""GIN row/column ID assignment (JSSC 2017 Fig. 11 style)."""

from accelsim.dataflows.noc_ids import assign_tags, describe_tags
from accelsim.spec.dims import DataType, Dim, LoopKind
from accelsim.spec.layer import ConvLayer
from accelsim.spec.mapping import Loop, Mapping


def _rs_set(stride: int = 1):
    # one logical RS set: filter rows on PE rows, ofmap rows on PE columns
    layer = ConvLayer(name="t", M=2, C=1, H=(4 - 1) * stride + 3, W=5, R=3, S=3, U=stride)
    loops = (Loop(Dim.M, 2), Loop(Dim.R, 3, LoopKind.ROW), Loop(Dim.E, 4, LoopKind.COL),
             Loop(Dim.F, layer.F), Loop(Dim.S, 3))
    return layer, Mapping(loops=loops, glb=(0, 0, 0), rf=(3, 3, 4))


def _delivers_exactly_one_group(tag, key_of):
    """Every (row ID, col ID) pair must select PEs that all take the same words."""
    seen = {}
    for r, ids in enumerate(tag.col_ids):
        for c, col_id in enumerate(ids):
            seen.setdefault((tag.row_ids[r], col_id), set()).add(key_of(r, c))
    return all(len(keys) == 1 for keys in seen.values())


def test_rs_diagonal_ifmap_rows_share_one_tag():
    layer, mapping = _rs_set()
    tags = assign_tags(mapping, layer)
    ifmap = tags[DataType.IFMAP]
    # PE (r, e) reads ifmap row e + r: 3 + 4 - 1 = 6 diagonals, one multicast group each
    assert ifmap.groups == 6
    assert _delivers_exactly_one_group(ifmap, lambda r, c: r + c)
    # every row is needed by other rows, so all rows share one row ID
    assert set(ifmap.row_ids) == {0}
    # filter rows are reused horizontally: one group per PE row, reached by its own row ID
    filt = tags[DataType.FILTER]
    assert filt.groups == 3 and len(set(filt.row_ids)) == 3
    assert _delivers_exactly_one_group(filt, lambda r, c: r)
    # psums of a column (one ofmap row) belong together
    assert tags[DataType.PSUM].groups == 4


def test_stride_two_breaks_the_diagonal():
    layer, mapping = _rs_set(stride=2)
    ifmap = assign_tags(mapping, layer)[DataType.IFMAP]
    # rows 2e + r for r < 3, e < 4: {0..8} -> 9 distinct rows
    assert ifmap.groups == 9
    assert _delivers_exactly_one_group(ifmap, lambda r, c: 2 * c + r)


def test_description_lists_every_row():
    layer, mapping = _rs_set()
    text = describe_tags(assign_tags(mapping, layer))
    rows = [line for line in text.splitlines() if line.startswith("  row ")]
    assert len(rows) == 3 * 3 and "GIN ifmap: 6 multicast groups" in text
