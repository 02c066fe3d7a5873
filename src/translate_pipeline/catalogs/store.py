"""What is known of the catalogs, kept by their content: :class:`CatalogStore`.

What is known of a catalog depends only on its bytes: once parsed (and
checked), a file is not parsed again while its bytes stay the same, and the
facts computed from it (its status numbers, what a policy publishes of
it...) are not computed again. A store keeps both in memory for as long as
it lives (a command; ``serve`` keeps one between publishes) and, when it has
a folder, on disk between runs: one small file per content digest and fact,
so a run reads what it needs and writes only what is new.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import polib

from .. import __version__
from ..files import atomic_write_bytes, digest
from .pofile import Catalog, parse_catalog, read_catalog, signature

if TYPE_CHECKING:
    from ..project.settings import Project

CACHE_VERSION = f"v5-polib{polib.__version__}-{__version__}"

T = TypeVar("T")


class CatalogStore:
    """Parsed catalogs and the facts computed from them, by content.

    ``directory``: where they are kept between runs (None: in memory only).
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory / CACHE_VERSION if directory is not None else None
        if self.directory is not None:
            with contextlib.suppress(OSError):
                self.directory.mkdir(parents=True, exist_ok=True)
        self._parsed: dict[str, tuple[str, bytes]] = {}  # path -> (digest, pickled POFile)
        self._shared: dict[str, tuple[str, Catalog]] = {}  # path -> (digest, the copy readers share)
        self._derived: dict[tuple[str, str], tuple[str, Any]] = {}  # (path, fact) -> (digest, value)
        self._digests: dict[str, tuple[tuple[int, ...], str]] = {}  # path -> (what stat says, digest)

    @classmethod
    def of(cls, project: Project) -> CatalogStore:
        """A store keeping what it learns in the project's cache folder."""
        return cls(project.cache_dir / "catalogs")

    def load(self, path: Path) -> Catalog:
        """Read a catalog to change it (a copy of its own); a malformed file raises
        :class:`~translate_pipeline.errors.CatalogError` with its line."""
        try:
            raw = path.read_bytes()
        except OSError:
            return read_catalog(path)  # says what is wrong
        content = digest(raw)
        known = self._parsed.get(str(path))
        blob = known[1] if known is not None and known[0] == content else self._cached(content, "parsed")
        if blob is not None:
            try:
                po = pickle.loads(blob)
            except Exception:  # noqa: BLE001 - a damaged cache file: parse the catalog
                po = None
            if isinstance(po, polib.POFile):
                self._parsed[str(path)] = (content, blob)
                return Catalog(path=path, po=po, original_text=raw.decode("utf-8"), original_signature=signature(po))
        catalog = parse_catalog(path, raw)
        blob = pickle.dumps(catalog.po, protocol=pickle.HIGHEST_PROTOCOL)
        self._parsed[str(path)] = (content, blob)
        self._keep(content, "parsed", blob)
        return catalog

    def read(self, path: Path) -> Catalog:
        """A catalog to read, not to change: the readers of one run (the status
        numbers, the published catalogs) share one copy while the file's bytes
        stay the same. Writers use :meth:`load`, which gives each its own copy."""
        try:
            content = self.file_digest(path)
        except OSError:
            return self.load(path)  # says what is wrong
        shared = self._shared.get(str(path))
        if shared is not None and shared[0] == content:
            return shared[1]
        catalog = self.load(path)
        self._shared[str(path)] = (content, catalog)
        return catalog

    def derived(self, path: Path, name: str, compute: Callable[[Catalog], T]) -> T:
        """``compute(read(path))``, computed again only when the file's bytes change.

        ``name`` names what ``compute`` computes, with everything besides the
        file that it depends on (a policy, a language); values must pickle.
        Values are shared: do not change them. A malformed file raises
        :class:`~translate_pipeline.errors.CatalogError`.
        """
        try:
            content = self.file_digest(path)
        except OSError:
            return compute(self.load(path))  # load says what is wrong
        known = self._derived.get((str(path), name))
        if known is not None and known[0] == content:
            return known[1]
        blob = self._cached(content, name)
        if blob is not None:
            try:
                value = pickle.loads(blob)
            except Exception:  # noqa: BLE001 - a damaged cache file: compute again
                pass
            else:
                self._derived[(str(path), name)] = (content, value)
                return value
        value = compute(self.read(path))
        self._derived[(str(path), name)] = (content, value)
        self._keep(content, name, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        return value

    def file_digest(self, path: Path) -> str:
        """The digest of the file's bytes, read again only when the file changed
        (any write changes its change time, a replacement its inode)."""
        stat = path.stat()
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        known = self._digests.get(str(path))
        if known is not None and known[0] == key:
            return known[1]
        content = digest(path.read_bytes())
        self._digests[str(path)] = (key, content)
        return content

    def prune(self, catalog_files: Iterable[Path]) -> int:
        """Forget what the folder holds of files that are no more; returns how many were removed.

        ``catalog_files`` are every catalog the project has. Folders of an older
        cache format are removed too.
        """
        if self.directory is None or not self.directory.is_dir():
            return 0
        for old in self.directory.parent.iterdir():
            if old.is_dir() and old != self.directory:
                shutil.rmtree(old, ignore_errors=True)
        current = set()
        for path in catalog_files:
            with contextlib.suppress(OSError):
                current.add(self.file_digest(path))
        removed = 0
        for item in self.directory.iterdir():
            if item.name.split(".", 1)[0] not in current:
                with contextlib.suppress(OSError):
                    item.unlink()
                    removed += 1
        return removed

    def _cache_file(self, content: str, fact: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{content}.{hashlib.blake2b(fact.encode(), digest_size=8).hexdigest()}"

    def _cached(self, content: str, fact: str) -> bytes | None:
        path = self._cache_file(content, fact)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _keep(self, content: str, fact: str, data: bytes) -> None:
        path = self._cache_file(content, fact)
        if path is not None:
            with contextlib.suppress(OSError):  # a cache is only ever a shortcut
                atomic_write_bytes(path, data)
