"""The cycle engines' step counter: the temporal loops of a nest as an odometer.

Both cycle kernels walk the temporal steps of a lowered nest (``dims, factors, kinds`` int64[L],
outermost first; spatial loops do not count) one at a time; :func:`tick` moves the odometer
``idx`` to the next step and says which loop moved, :func:`temporal_part` gives the step's part
of each dimension's (or axis') index (``jit_inline``: called once a step from the step loop);
:func:`nest_shape` plans them.
"""

from __future__ import annotations

import numpy as np

from ..layout import N_TYPES, TEMPORAL, TILE_RF
from .jit import jit, jit_inline


@jit_inline
def tick(idx, kinds, factors):
    """Advance ``idx`` int64[L] by one temporal step (innermost loop fastest).

    Returns
    -------
    int
        The outermost loop that changed, -1 after the last step (every index back to 0).
    """
    for j in range(idx.shape[0] - 1, -1, -1):
        if kinds[j] != TEMPORAL:
            continue
        idx[j] += 1
        if idx[j] < factors[j]:
            return j
        idx[j] = 0
    return -1


@jit_inline
def temporal_part(idx, dims, kinds, place, out):
    """``out[a]`` = the sum over the temporal loops ``j`` on axis ``a = dims[j]`` of
    ``idx[j] · place[j]`` (each loop's place value in its axis' index); ``out`` is zeroed first."""
    for a in range(out.shape[0]):
        out[a] = 0
    for j in range(idx.shape[0]):
        if kinds[j] == TEMPORAL:
            out[dims[j]] += idx[j] * place[j]


@jit
def nest_shape(dims, factors, kinds, res, win):
    """The step structure of a nest.

    Parameters
    ----------
    dims, factors, kinds : int64[L]
        The nest, outermost first (``dims[j]`` an axis: a dimension, or a flattened group).
    res : int64[2, 3]
        GLB and RF tile starts per data type (-1 = bypass).
    win : int64[A]
        1 for the window axes (every dimension on it one of E F R S).

    Returns
    -------
    place : int64[L]
        Each loop's place value in its axis' index (the product of the factors of the loops
        inside it on the same axis).
    n_pe, total_steps : int
        PEs the spatial loops span; temporal steps.
    pass_pos : int
        Loops above it make a pass: the loop below the innermost spatial loop; without spatial
        loops the outermost RF tile start (0 without RF tiles).
    sweep_top : int
        Outermost loop of the innermost run of window-axis temporal loops (factors 1 skipped),
        ``L`` if none: a sweep of the forwarded window starts when a loop above it moves.
    """
    n = dims.shape[0]
    place = np.ones(n, dtype=np.int64)
    for j in range(n):
        for i in range(j + 1, n):
            if dims[i] == dims[j]:
                place[j] *= factors[i]
    n_pe = 1
    total_steps = 1
    last_sp = -1
    for j in range(n):
        if kinds[j] != TEMPORAL:
            n_pe *= factors[j]
            last_sp = j
        else:
            total_steps *= factors[j]
    if last_sp >= 0:
        pass_pos = last_sp + 1
    else:
        pass_pos = n + 1
        for t in range(N_TYPES):
            if res[TILE_RF, t] >= 0 and res[TILE_RF, t] < pass_pos:
                pass_pos = res[TILE_RF, t]
        if pass_pos == n + 1:
            pass_pos = 0
    sweep_top = n
    for j in range(n - 1, -1, -1):
        if kinds[j] != TEMPORAL or factors[j] == 1:
            continue
        if win[dims[j]] == 1:
            sweep_top = j
        else:
            break
    return place, n_pe, total_steps, pass_pos, sweep_top
