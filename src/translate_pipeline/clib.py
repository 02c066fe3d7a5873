"""The C library this process has already loaded, for the Linux calls Python does not wrap.

``renameat2`` swaps a catalog into place in one step (:mod:`.files`);
``prctl`` ties a child process's life to its parent's (:mod:`.children`).
"""

from __future__ import annotations

import functools
import sys
from typing import Any


@functools.cache
def libc() -> Any:  # noqa: ANN401 - a ctypes.CDLL, whose functions are looked up by name
    """The C library, or None off Linux or where it cannot be opened.

    Looked up once per process (catalogs written and children forked are
    many); a forked child keeps its parent's handle, valid in its copy of
    the memory.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # only where the system calls are made

    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
