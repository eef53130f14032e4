"""Handing freed heap memory back to the operating system.

CPython frees objects into malloc's heap, and glibc keeps what it can reuse: after a burst of
short-lived objects (building the index, loading OpenCC's phrase tables) the process would
stay as large as that peak for its whole life. malloc_trim returns the free pages.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc


def return_free_memory() -> None:
    """Collect garbage, then give the heap's free pages back (glibc only; elsewhere a no-op)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
