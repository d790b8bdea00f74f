"""The single numba decorator every kernel uses (cached to disk, GIL released)."""

from __future__ import annotations

import numba


def jit(fn):
    """Compile ``fn`` in nopython mode with an on-disk cache (``NUMBA_CACHE_DIR``)."""
    return numba.njit(cache=True, nogil=True)(fn)
