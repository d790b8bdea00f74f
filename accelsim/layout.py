"""The index vocabulary of every flat array accelsim passes between its layers.

One place for the integer indices the kernels, the engines, the results and the tests use:
dimensions, data types, storage levels, access statistics, tile levels, loop kinds, psum
reductions, NoC kinds, mapper rules and objectives, the cycle engine's stall causes, stats,
trace columns, geometry levels, bandwidths, words-per-step slots, buses and psum queues —
plus the one rule that says which counted words are charged energy. It imports nothing (not
even numpy), so the numba kernels may read it (its integers are compile-time constants there)
and so may every layer above.
:mod:`accelsim.spec.dims` spells the same indices as enums for the Python side;
``tests/test_layout.py`` checks the two agree.

Note for kernel authors: numba's on-disk cache keys a kernel to its own source file, so a
change here needs ``NUMBA_CACHE_DIR`` cleared (CI starts from an empty one).
"""

from __future__ import annotations

# ---------------------------------------------------------------- loop dimensions (Dim)
D_G, D_N, D_M, D_C, D_E, D_F, D_R, D_S = 0, 1, 2, 3, 4, 5, 6, 7
N_DIMS = 8

# ---------------------------------------------------------------- flattened loops (spec.mapping.Flat)
#: a loop may run over an ordered group of >= 2 dimensions (im2col's N·E·F, C·R·S): its
#: ``dims[j]`` is ``N_DIMS + g`` for group ``g``, and ``groups[g, :]`` (int64[N_GROUPS_MAX,
#: N_DIMS], :class:`accelsim.dataflows.lowering.NestArrays`) lists the group's member
#: dimensions outer first, ``NO_DIM``-padded (a group has two members at least, so eight
#: dimensions give at most four groups). A loop's *axis* is its dimension or its group:
#: ``0 <= axis < N_AXES``.
N_GROUPS_MAX = 4
NO_DIM = -1
N_AXES = N_DIMS + N_GROUPS_MAX

# ---------------------------------------------------------------- data types (DataType)
IFMAP, FILTER, PSUM = 0, 1, 2
N_TYPES = 3

#: RELEVANCE[t][d]: does data type ``t`` depend on dimension ``d`` (G N M C E F R S)
RELEVANCE = (
    (1, 1, 0, 1, 1, 1, 1, 1),
    (1, 0, 1, 1, 0, 0, 1, 1),
    (1, 1, 1, 0, 1, 1, 0, 0),
)

# ---------------------------------------------------------------- counts[level, type, stat]
#: storage levels and the NoC, outermost first (Level)
DRAM, GLB, NOC, RF = 0, 1, 2, 3
N_LEVELS = 4
#: access statistics; for the NoC, READS are words delivered into PEs and TRANSACTIONS the words
#: its source sends (one per distinct word per step: multicast). On a hierarchical mesh
#: (``NOC_HMESH``), at the NoC only: PORTS, the words crossing a cluster's router ports (per step
#: and cluster, the distinct words its PEs receive; psums: the words leaving and re-entering the
#: clusters after the merge inside each cluster), and HOPS, the words crossing a mesh link between
#: clusters (a word a step sends to k clusters crosses k - 1 links: PORTS - TRANSACTIONS for
#: inputs; psums merged across clusters cross one link per merge). Every engine counts them for
#: every mapping: without cluster loops the array is one cluster (PORTS = TRANSACTIONS, HOPS = 0).
READS, WRITES, UPDATES, TRANSACTIONS, PORTS, HOPS = 0, 1, 2, 3, 4, 5
N_COUNT_STATS = 6

# ---------------------------------------------------------------- sparse PE work (Eyeriss v2's PE)
#: What a sparse PE (``Hardware.sparse_pe``; Eyeriss v2, JETCAS 2019 §IV) does with its MACs,
#: per PE: int64[n_pe, N_SPARSE_STATS] (``tests/reference_counter.py sparse_work`` is the
#: definition). The nest's MACs at a PE fall in *weight columns*: the runs of consecutive steps
#: over which only the innermost temporal ``M`` loops below the filter's RF start move (one iact, the
#: weights of its channel for the PE's output channels). Weight columns fall in *iact columns*:
#: the runs over which, in addition, only the temporal ``C`` loops just above them move (the CSC
#: iact column: the PE's input channels at one position). A weight column with a zero iact costs
#: nothing (its MACs count ``SP_ZERO_IACT``); otherwise its zero weights are skipped
#: (``SP_ZERO_WEIGHT``), its ``k`` non-zero weights take ``ceil(k / simd)`` cycles
#: (``SP_EFFECTIVE`` += k, ``SP_SIMD_PAD`` += the idle MAC slots), and one with no non-zero
#: weight is dropped (``SP_EMPTY_COLUMN``). An iact column with no cycle of work still takes one
#: (``SP_BUBBLE``: reading its address; why a depth-wise layer, one channel in and out per PE,
#: gains no skipped cycles, JETCAS §V-A-2). Conservation:
#: ``SP_MACS = SP_EFFECTIVE + SP_ZERO_IACT + SP_ZERO_WEIGHT`` and
#: ``SP_CYCLES * simd = SP_EFFECTIVE + SP_SIMD_PAD + SP_BUBBLE * simd``. ``SP_IACT_READS``: the
#: weight columns with a non-zero iact (the iact SPad reads the PE makes, one per such column,
#: empty ones included).
SP_MACS, SP_EFFECTIVE, SP_ZERO_IACT, SP_ZERO_WEIGHT, SP_EMPTY_COLUMN, SP_SIMD_PAD, SP_CYCLES = 0, 1, 2, 3, 4, 5, 6
SP_IACT_READS, SP_BUBBLE = 7, 8
N_SPARSE_STATS = 9

# ---------------------------------------------------------------- costs[...] (lowering.cost_array)
#: the flat cost vector the kernels score with: energy per MAC; energy per word read (NoC: per
#: word delivered) and per word written at C_WORD0 + (level * N_TYPES + type) * 2 + (0 | 1);
#: then words per cycle of DRAM, the GLB, the ifmap, filter, psum-in buses and the GON
C_MAC = 0
C_WORD0 = 1
C_RATE0 = C_WORD0 + N_LEVELS * N_TYPES * 2
RATE_DRAM, RATE_GLB, RATE_IFMAP, RATE_FILTER, RATE_PSUM, RATE_GON = 0, 1, 2, 3, 4, 5
#: then the timing model of the roofline: C_SYSTOLIC 1.0 when the NoC is systolic (the ifmap,
#: filter and psum rates are per edge link, each fold adds its fill and drain), C_FOLD_OVERLAP
#: 1.0 when a systolic fold's pre-load overlaps the previous fold's drain (ModelOptions.fold_overlap)
C_SYSTOLIC = C_RATE0 + 6
C_FOLD_OVERLAP = C_SYSTOLIC + 1
#: then C_HMESH 1.0 when the NoC is a hierarchical mesh of clusters (the ifmap, filter, psum-in
#: and GON rates are then per active cluster: its routers' ports), and the energy per word per
#: mesh link (a HOPS count) per data type at C_HOP0 + type
C_HMESH = C_FOLD_OVERLAP + 1
C_HOP0 = C_HMESH + 1
#: then C_CLOCK, the energy per cycle of run time (the clock/static term,
#: ``AccessCosts.clock_per_cycle``; 0 without one): the mapper's energy objective adds it × cycles
C_CLOCK = C_HOP0 + N_TYPES
N_COSTS = C_CLOCK + 1
#: timing[...] (kernels.analytic.roofline_timing, roofline_cycles): cycles the folds add to the
#: compute steps, then per data type the links feeding its bus (1: one bus)
TM_FOLD_CYCLES, TM_LINKS0 = 0, 1
N_TIMING = TM_LINKS0 + N_TYPES

# ---------------------------------------------------------------- res / usage / caps[tile level, type]
#: the two levels a mapping places tiles at (a tile start of -1 bypasses the level)
TILE_GLB, TILE_RF = 0, 1
N_TILE_LEVELS = 2
BYPASS = -1
#: caps[tile level, column] (lowering.capacity_array): the shared pool's words (-1 unbounded),
#: the words dedicated to each data type at CAP_DEDICATED0 + type, words per bank (0 not
#: banked), whole banks, bits per pool word, then bits per word of each type at CAP_BITS0 + type
CAP_SHARED, CAP_DEDICATED0, CAP_BANK_WORDS, CAP_BANKS, CAP_POOL_BITS, CAP_BITS0 = 0, 1, 4, 5, 6, 7
N_CAP_COLS = CAP_BITS0 + N_TYPES

# ---------------------------------------------------------------- loops (LoopKind, Reduction)
#: CROW / CCOL: spatial across the rows / columns of a hierarchical mesh's cluster array; every
#: CROW / CCOL loop lies above every ROW / COL loop (which then run inside one cluster), so the
#: PEs of a cluster are consecutive in spatial index order
TEMPORAL, ROW, COL, CROW, CCOL = 0, 1, 2, 3, 4
RED_NONE, RED_NOC, RED_TREE = 0, 1, 2

# ---------------------------------------------------------------- window (lowering.window_flags)
#: the kernels' ``window`` bit mask: operands forwarded across the array; GLB halo reuse
WIN_FORWARD, WIN_GLB_HALO = 1, 2

# ---------------------------------------------------------------- NoC kinds (NocKind order)
NOC_GIN, NOC_BROADCAST, NOC_UNICAST, NOC_SYSTOLIC, NOC_HMESH = 0, 1, 2, 3, 4

# ---------------------------------------------------------------- the mapper
#: search rules, a bit mask (:func:`accelsim.search.mapper.rules_of`)
RULE_ALLOW_SPILL = 1      # psums may spill to DRAM
RULE_FILTERS_ONCE = 2     # every filter word is read from DRAM once
RULE_NO_GLB_WINDOW = 4    # no temporal E/F loop inside the ifmap's GLB tile

# ---------------------------------------------------------------- the cycle engine
#: stall causes, in the order of ``accelsim.sim.cycle.STALL_CAUSES``
#: (``CAUSE_IMBALANCE``: a sparse PE waiting for slower PEs, only on a machine with ``sparse_pe``)
CAUSE_NOC_IFMAP, CAUSE_NOC_FILTER, CAUSE_NOC_PSUM, CAUSE_GLB, CAUSE_DRAM, CAUSE_PIPELINE = 0, 1, 2, 3, 4, 5
CAUSE_IMBALANCE = 6
N_CAUSES = 7
#: stats[...] of one run; stall cycles by cause at ST_STALL0 + cause
ST_CYCLES, ST_STEPS, ST_PASSES, ST_ACTIVE, ST_MACS, ST_COMPUTE = 0, 1, 2, 3, 4, 5
ST_STALL0 = 8
N_RUN_STATS = ST_STALL0 + N_CAUSES
#: trace columns (per time bin), in the order of ``accelsim.sim.cycle.TRACE_COLUMNS``
TR_MACS, TR_IFMAP_BUS, TR_FILTER_BUS, TR_PSUM_BUS, TR_GLB, TR_DRAM, TR_STALL = 0, 1, 2, 3, 4, 5, 6
N_TRACE = 7
#: the cycle kernel's geometry arrays (ext, hh, ww, size, address coefficients) cover the two
#: tile levels and DRAM, whose "tile" is the whole tensor: [TILE_GLB, TILE_RF, TILE_DRAM]
TILE_DRAM = 2
N_GEOM_LEVELS = 3
#: bandwidths[...] given to the cycle kernel, words per cycle (``inf`` = unlimited): the ifmap,
#: filter and psum GIN buses, the GON, one local psum link, the GLB, the DRAM channel
BW_IFMAP, BW_FILTER, BW_PSUM_GIN, BW_GON, BW_LOCAL, BW_GLB, BW_DRAM = 0, 1, 2, 3, 4, 5, 6
N_BANDWIDTHS = 7
#: step_words[...]: the words one MAC step moves, the input of its timing. Paired slots hold
#: the ifmap's then the filter's (slot + data type); the three DRAM_* read/write slots hold
#: ifmap, filter, psum (slot + data type) and are scaled by ``dram_scale`` on the link
SW_IFMAP_SENT, SW_FILTER_SENT = 0, 1        # distinct words sent over the GIN to MACs bypassing the RF
SW_PSUM_IN = 2                              # psums sent back into the array (psum GIN)
SW_GON = 3                                  # psums leaving the array (GON)
SW_LOCAL = 4                                # psums passed over local PE-to-PE links
SW_GLB = 5                                  # GLB accesses of operands and tile fills (reads and writes)
SW_DRAM_PSUM_READ = 6                       # psums read back from DRAM
SW_IFMAP_DELIVERED, SW_FILTER_DELIVERED = 7, 8  # words delivered into PEs (one per receiving PE)
SW_IFMAP_FILL, SW_FILTER_FILL = 9, 10       # distinct words sent over the GIN to fill RF tiles
SW_GLB_PSUM = 11                            # GLB accesses of arriving psums (read and write back)
SW_DRAM_IFMAP, SW_DRAM_FILTER, SW_DRAM_PSUM_WRITE = 12, 13, 14  # DRAM reads of ifmaps, filters; psum writes
#: hierarchical mesh (NOC_HMESH): the most words one cluster's router ports carry this step — ifmap and
#: filter words into a cluster (fills or RF-bypassing operands), psums leaving it (GON), psums sent back in
SW_IFMAP_PORT_MAX, SW_FILTER_PORT_MAX, SW_GON_PORT_MAX, SW_PSUM_IN_PORT_MAX = 15, 16, 17, 18
N_STEP_SLOTS = 19
#: bus[...]: cycles a MAC step waits for each resource it needs before it starts, and the stall
#: cause a wait on it is charged to (BUS_CAUSE[bus]; DRAM and the psum queues are charged apart)
BUS_IFMAP, BUS_FILTER, BUS_PSUM, BUS_GLB = 0, 1, 2, 3
N_BUSES = 4
BUS_CAUSE = (CAUSE_NOC_IFMAP, CAUSE_NOC_FILTER, CAUSE_NOC_PSUM, CAUSE_GLB)
#: psum_free[...]: the background psum queues between the array and the GLB
Q_GON, Q_PSUM_IN = 0, 1
N_PSUM_QUEUES = 2


# ---------------------------------------------------------------- energy accounting
def charged_words(counts, level, dtype):
    """Words of ``dtype`` charged energy at ``level``: reads, plus writes for psums at a
    storage level (a psum is read and written back per update there); at the NoC, words
    delivered into PEs (``counts[NOC, t, READS]``). docs/architecture.md, *Energy accounting*.

    Parameters
    ----------
    counts : array-like
        int64[N_LEVELS, N_TYPES, N_COUNT_STATS] access counts, words.
    level, dtype : int
        Indices above.

    Returns
    -------
    int
        Words.

    Plain Python on purpose: the kernels compile it with their ``jit``; Python callers use it as is.
    """
    words = counts[level, dtype, READS]
    if dtype == PSUM and level != NOC:
        words += counts[level, dtype, WRITES]
    return words


def charged_energy(counts, costs, level, dtype):
    """Energy of the words :func:`charged_words` charges, each at its own cost: reads at the
    level's read cost, psum writes at its write cost (the two are equal in a fixed table).

    Parameters
    ----------
    counts : array-like
        int64[N_LEVELS, N_TYPES, N_COUNT_STATS] access counts, words.
    costs : array-like
        float64[N_COSTS], the flat cost vector above.
    level, dtype : int
        Indices above.

    Returns
    -------
    float
        Energy, in the unit of ``costs``.

    At the NoC, a hierarchical mesh's link crossings (``HOPS``) add their cost per word and
    link (``costs[C_HOP0 + dtype]``; 0 and no hops on a flat NoC).

    Plain Python on purpose, like :func:`charged_words`.
    """
    at = C_WORD0 + (level * N_TYPES + dtype) * 2
    energy = counts[level, dtype, READS] * costs[at]
    if dtype == PSUM and level != NOC:
        energy += counts[level, dtype, WRITES] * costs[at + 1]
    if level == NOC:
        energy += counts[level, dtype, HOPS] * costs[C_HOP0 + dtype]
    return energy
