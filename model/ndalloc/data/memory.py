"""Give freed memory back to the system, so that what comes next does not stack on a peak.

Arrow's allocator (mimalloc or jemalloc) keeps the memory of freed arrays for reuse, and glibc's
`malloc` keeps freed small blocks in its arenas; after a large scenario is read (its raw text
columns are gone) or a large run folder is written, both would stay in the process.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys


def release_memory() -> None:
    """Return what Arrow's memory pool and glibc (`malloc_trim`; elsewhere a no-op) hold."""
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
