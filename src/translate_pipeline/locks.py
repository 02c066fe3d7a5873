"""The project's lock files: one run at a time for what must not overlap.

``catalogs.lock`` serializes the runs that write catalogs (sync, draft, the
first phase of publish); ``publish.lock`` makes one publish at a time build
the sites. Both live in the project's cache folder; a run waits for a busy
lock at most the seconds it is given (``--wait``), then stops with
:class:`LockedError` (exit code 3).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import LockedError, SettingsError
from .files import relative


@contextlib.contextmanager
def exclusive(path: Path, wait: float, busy: str, root: Path) -> Iterator[None]:
    """Hold the lock file ``path``, waiting at most ``wait`` seconds; ``busy`` says who holds it."""
    lock = FileLock(path, timeout=max(0.0, wait))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        waited = f"after waiting {wait:g} s; " if wait > 0 else ""
        raise LockedError(f"{busy} (lock: {path}); {waited}wait for it to finish, or pass --wait SECONDS") from None
    except OSError as error:  # a read-only project, or one that belongs to another user
        raise SettingsError(
            f"{path}: cannot write the project's lock file ({error.strerror}); run as a user who may "
            f"write in {root}, or make {relative(path.parent, root)}/ writable"
        ) from None
    try:
        yield
    finally:
        lock.release()
