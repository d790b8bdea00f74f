"""The single numba decorator every kernel uses (cached to disk, GIL released)."""

from __future__ import annotations

import numba


def jit(fn):
    """Compile ``fn`` in nopython mode with an on-disk cache (``NUMBA_CACHE_DIR``)."""
    return numba.njit(cache=True, nogil=True)(fn)


def jit_inline(fn):
    """:func:`jit` for a helper called from a kernel's step loop: inlined into its caller at
    numba's IR level, so a call costs no argument reference counting (a per-step call passing
    arrays would)."""
    return numba.njit(cache=True, nogil=True, inline="always")(fn)
