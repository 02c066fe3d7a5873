"""The translation cache: what an engine already answered, so a rerun sends nothing.

One SQLite file (the caller chooses where), keyed by engine name, the engine's
``settings_key()``, the two languages and the source text. Readers may run
while another process writes (WAL journal); each ``put_many`` is one
transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import PipelineError

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    engine TEXT NOT NULL,
    settings TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source TEXT NOT NULL,
    draft TEXT NOT NULL,
    billed_characters INTEGER NOT NULL,
    origin TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (engine, settings, source_lang, target_lang, source)
) WITHOUT ROWID
"""
_BATCH = 500  # texts per SELECT (SQLite's limit on parameters is 32766)


class CacheError(PipelineError):
    """The cache file cannot be used (the message says which file and why)."""


@dataclass(frozen=True)
class CachedDraft:
    text: str
    billed_characters: int  # what the engine billed when it made the draft
    origin: str
    created: str  # YYYY-MM-DD


@dataclass(frozen=True)
class CacheKey:
    """Everything but the text that a cached draft depends on."""

    engine: str
    settings: str
    source_lang: str
    target_lang: str


class TranslationCache:
    """Use as ``with TranslationCache(path) as cache:``."""

    def __init__(self, path: Path | str, timeout: float = 30.0) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise CacheError(f"{self.path}: cannot use the translation cache ({error})") from None
            raise CacheError(f"{self.path}: the translation cache stayed locked for {timeout:g} s"
                             " (another run is writing it?)") from None
        except (sqlite3.Error, OSError) as error:
            raise CacheError(f"{self.path}: cannot use the translation cache ({error});"
                             " delete the file to start a new one") from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return  # opening an existing cache writes nothing: readers never wait
        if version != 0:
            raise sqlite3.DatabaseError(f"unknown cache version {version}")
        self._db.execute("PRAGMA journal_mode=WAL")  # stays set in the file
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def get_many(self, key: CacheKey, texts: Iterable[str]) -> dict[str, CachedDraft]:
        """The cached drafts of those ``texts`` that have one, by text."""
        texts = list(dict.fromkeys(texts))
        found: dict[str, CachedDraft] = {}
        for start in range(0, len(texts), _BATCH):
            chunk = texts[start:start + _BATCH]
            marks = ",".join("?" * len(chunk))
            rows = self._execute(
                "SELECT source, draft, billed_characters, origin, created FROM drafts"
                " WHERE engine=? AND settings=? AND source_lang=? AND target_lang=?"
                f" AND source IN ({marks})",
                (key.engine, key.settings, key.source_lang, key.target_lang, *chunk),
            )
            for source, *values in rows:
                found[source] = CachedDraft(*values)
        return found

    def get(self, key: CacheKey, text: str) -> CachedDraft | None:
        return self.get_many(key, [text]).get(text)

    def put_many(self, key: CacheKey, drafts: Sequence[tuple[str, CachedDraft]]) -> None:
        """Store ``(source text, draft)`` pairs in one transaction (all or nothing)."""
        rows = [
            (key.engine, key.settings, key.source_lang, key.target_lang, source,
             d.text, d.billed_characters, d.origin, d.created)
            for source, d in drafts
        ]
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany("INSERT OR REPLACE INTO drafts VALUES (?,?,?,?,?,?,?,?,?)", rows)
        except sqlite3.Error as error:
            raise CacheError(f"{self.path}: cannot store drafts ({error})") from None

    def __len__(self) -> int:
        return self._execute("SELECT count(*) FROM drafts")[0][0]

    def _execute(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise CacheError(f"{self.path}: cannot read the translation cache ({error})") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
