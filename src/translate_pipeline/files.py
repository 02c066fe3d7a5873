"""Writing files without ever leaving one half-written.

One file: a temporary file next to it, flushed to disk, then renamed over it.
Several files that must change together (catalogs a paragraph moves between):
every temporary file first, then a journal of the renames, then the renames
with Ctrl-C held back; a run that dies during the renames is completed by
:func:`recover` at the next start.

A file a person may save at any moment (a catalog) is replaced only if it is
still the one the new content was computed from: :func:`commit` checks each
file's digest right before the renames, and the journal records it, so that
:func:`recover` replays a pending rename only onto that same file; any other
file stays, and the pending content is set aside next to it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import clib
from .errors import CatalogChanged

TMP_SUFFIX = ".tp-tmp"
PENDING_INFIX = ".pending-"  # X.po.pending-20261128T093000Z: a write set aside by recover
ABSENT = None  # expected digest of a file that must not exist yet


def digest(data: bytes) -> str:
    """The digest naming a file's content (in the journal, in the catalog cache)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def current_digest(path: Path) -> str | None:
    """The digest of the file's bytes now; None when there is no such file."""
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


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


def commit(
    changes: list[tuple[Path, str]], journal: Path, expected: Mapping[Path, str | None] | None = None
) -> None:
    """Write several files so that either all or none of them change.

    Every new content is first written to a temporary file; a journal then
    lists the renames, which are done with Ctrl-C held back. A run that dies
    during the renames is completed by :func:`recover` at the next start.

    ``expected`` gives, for files that someone else may change meanwhile,
    the digest of the content the new one was computed from (None: the file
    did not exist). Right before the renames, each is checked; if one is not
    that content any more, nothing is renamed and :class:`CatalogChanged`
    names the files that changed.
    """
    expected = expected or {}
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in changes:
            staged.append((_stage(path, text), path))
        atomic_write(journal, json.dumps([
            {"tmp": str(tmp), "path": str(path), "replaces": expected.get(path, ABSENT),
             "checked": path in expected}
            for tmp, path in staged
        ]))
        changed = [path for _, path in staged if path in expected and current_digest(path) != expected[path]]
        if changed:
            journal.unlink()
            raise CatalogChanged(changed)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    with _interrupts_held():
        _rename_checked(staged, expected, {path: digest(text.encode("utf-8")) for path, text in changes})
        journal.unlink()


def _rename_checked(staged: list[tuple[Path, Path]], expected: Mapping[Path, str | None],
                    ours: Mapping[Path, str]) -> None:
    """Put each staged file in place; a checked file only if it is still what was read.

    The check before the renames leaves an instant in which a person's save
    could land and be replaced. So each checked file is swapped with its new
    content in one step (the old file is then at the temporary name) and what
    was swapped out is compared with what was read: if a save landed, every
    file is swapped back and :class:`CatalogChanged` names the saved ones.
    """
    swapped: list[tuple[Path, Path]] = []
    raced: list[Path] = []
    rest: list[tuple[Path, Path]] = []
    for tmp, path in staged:
        if path in expected and expected[path] is not ABSENT and _exchange(tmp, path):
            swapped.append((tmp, path))
            if current_digest(tmp) != expected[path]:
                raced.append(path)
        else:
            rest.append((tmp, path))
    if raced:
        for tmp, path in swapped:
            _exchange(tmp, path)  # the file read (or the person's save) back in place
            if current_digest(tmp) != ours[path]:  # a save landed in between: keep it
                os.replace(tmp, _set_aside_name(path))
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise CatalogChanged(raced)
    for tmp, path in rest:
        os.replace(tmp, path)
    for tmp, _ in swapped:
        tmp.unlink()


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two files in one step (Linux ``renameat2``); False where the system cannot."""
    libc = clib.libc()
    if libc is None or not hasattr(libc, "renameat2"):
        return False
    result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


@dataclass
class Recovery:
    """What :func:`recover` did with the writes a run left half-done."""

    completed: list[Path] = field(default_factory=list)  # files replaced as that run meant to
    set_aside: list[tuple[Path, Path]] = field(default_factory=list)  # (file kept, where its pending content went)

    def __bool__(self) -> bool:
        return bool(self.completed or self.set_aside)


def recover(journal: Path, directories: Iterable[Path]) -> Recovery:
    """Finish the renames of a run that died mid-commit; drop unjournaled temporaries.

    A pending rename is done only onto the file it was computed from (the
    digest the journal recorded). A file changed since (a person saved it)
    stays as it is, and the pending content is set aside next to it, as
    ``X.po.pending-TIME``.
    """
    recovery = Recovery()
    if journal.exists():
        try:
            pending = [_pending(item) for item in json.loads(journal.read_text(encoding="utf-8"))]
        except (ValueError, TypeError, KeyError):
            pending = []  # the journal itself was not complete: nothing was renamed
        for tmp, path, checked, replaces in pending:
            if not tmp.exists():
                continue  # renamed before the run died
            if checked and replaces is not None and current_digest(tmp) == replaces:
                tmp.unlink()  # swapped in place before the run died: what is here is the old file
            elif not checked or current_digest(path) == replaces:
                os.replace(tmp, path)
                recovery.completed.append(path)
            else:
                aside = _set_aside_name(path)
                os.replace(tmp, aside)
                recovery.set_aside.append((path, aside))
        journal.unlink()
    for directory in directories:
        if directory.is_dir():
            for stray in directory.rglob(f".*{TMP_SUFFIX}"):
                stray.unlink()
    return recovery


def _pending(item: object) -> tuple[Path, Path, bool, str | None]:
    """(temporary file, file it replaces, whether it was checked, the digest it replaces)."""
    if isinstance(item, list):  # a journal of an earlier version: what it replaced is not known
        tmp, path = item
        return Path(tmp), Path(path), True, "unknown"
    if not isinstance(item, dict):
        raise ValueError("not a journal entry")
    return Path(item["tmp"]), Path(item["path"]), bool(item["checked"]), item["replaces"]


def _set_aside_name(path: Path) -> Path:
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}{PENDING_INFIX}{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}{PENDING_INFIX}{stamp}-{number}")
    return aside


def set_aside_files(directory: Path) -> list[Path]:
    """Pending writes :func:`recover` set aside below ``directory``, sorted."""
    if not directory.is_dir():
        return []
    return sorted(directory.rglob(f"*{PENDING_INFIX}*"))


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

