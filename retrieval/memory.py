"""Freed arrays kept in the process for the next question, not handed back to the kernel.

A question over a large corpus makes arrays of megabytes (a score a passage, the passages that
match, their boosts) and frees them when it is answered. glibc returns a block that large to the
kernel at once (its mmap threshold starts at 128 kB), and the next question's arrays come from
fresh pages: each 4 kB page costs a fault and zeroing, on this 2-core VM 1.5 to 10 µs, which was
a third of a warm 1M-passage question. With the threshold at glibc's largest, such blocks come
from the heap, and the heap keeps up to TRIM_THRESHOLD freed at its top for the next question.
Arrays larger still (a build's) are mapped and returned as before.
"""

from __future__ import annotations

import ctypes
import sys

# mallopt's parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # the largest glibc takes on 64-bit (HEAP_MAX_SIZE / 2)
TRIM_THRESHOLD = 256 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Tell glibc's allocator to keep blocks up to MMAP_THRESHOLD in the heap and up to
    TRIM_THRESHOLD of free heap in the process. True when it took the settings; False on
    another platform or C library (nothing changes there)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # musl's mallopt does nothing and returns 0: False, as elsewhere.
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
