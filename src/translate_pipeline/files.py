"""Writing files without ever leaving one half-written.

One file: a temporary file next to it, flushed to disk, then renamed over it.
Several files that must change together (catalogs a paragraph moves between):
every temporary file first, then a journal of the renames, then the renames
with Ctrl-C held back; a run that dies during the renames is completed by
:func:`recover` at the next start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

TMP_SUFFIX = ".tp-tmp"


def _temporary(path: Path) -> Path:
    """An empty file next to ``path``, with the mode ``path`` has (or would get)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    os.chmod(tmp, mode)
    return Path(tmp)


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file to write in the block; renamed over ``path`` if the block succeeds."""
    tmp = _temporary(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _stage(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file next to ``path``, flushed to disk."""
    tmp = _temporary(path)
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    os.replace(_stage(path, text), path)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def relative(path: Path, root: Path) -> str:
    """``path`` as shown to users: relative to ``root``, absolute when outside it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def commit(changes: list[tuple[Path, str]], journal: Path) -> None:
    """Write several files so that either all or none of them change.

    Every new content is first written to a temporary file; a journal then
    lists the renames, which are done with Ctrl-C held back. A run that dies
    during the renames is completed by :func:`recover` at the next start.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in changes:
            staged.append((_stage(path, text), path))
        atomic_write(journal, json.dumps([[str(t), str(p)] for t, p in staged]))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    with _interrupts_held():
        for tmp, path in staged:
            os.replace(tmp, path)
        journal.unlink()


def recover(journal: Path, directories: Iterable[Path]) -> int:
    """Finish the renames of a run that died mid-commit; drop unjournaled temporaries.

    Returns how many files were completed.
    """
    done = 0
    if journal.exists():
        try:
            pairs = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:
            pairs = []  # the journal itself was not complete: nothing was renamed
        for tmp, path in pairs:
            if Path(tmp).exists():
                os.replace(tmp, path)
                done += 1
        journal.unlink()
    for directory in directories:
        if directory.is_dir():
            for stray in directory.rglob(f".*{TMP_SUFFIX}"):
                stray.unlink()
    return done


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Delay Ctrl-C (SIGINT) until the block is done, when in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- compiled catalogs (.mo) ---------------------------------------------------
