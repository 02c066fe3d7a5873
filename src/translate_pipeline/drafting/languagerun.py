"""One language's drafting: the engines, in order, on the jobs still waiting,
and the catalogs written as drafts come back.

A paying engine (DeepL) is only sent the texts its cache does not hold, in
chunks of one context, and what it answers is cached at once. Every draft
is checked against its source before it is stored (see :mod:`.draft`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogs import catalog as cat
from ..checks import markup
from ..checks.numbers import number_differences
from ..errors import CatalogChanged
from .engines import Draft, Engine, EngineError, Segment, UnsupportedLanguage
from .glossary import Glossary, missing_terms
from .planning import Job, chunks
from .tmcache import CachedDraft, CacheKey, TranslationCache

WRITE_EVERY = 1.0  # seconds: drafts paid for are written at least this often (and at the end)
WRITE_ATTEMPTS = 5  # writes tried again when catalogs keep changing on disk during the run
COMMENT_MAX = cat.POLIB_WRAP_WIDTH - 2  # polib wraps a "# " comment line longer than this

Progress = Callable[[int, int, str], None]
"""``progress(done, total, where)``: segments settled, segments in the run, current catalog."""


@dataclass
class DraftReport:
    """What ``draft`` did (or, on a dry run, would do) for one target language."""

    language: str
    source_language: str
    pending: int = 0  # entries to draft: untranslated, and machine drafts whose original changed
    redraft: int = 0  # of those, machine drafts whose original changed
    drafted: dict[str, int] = field(default_factory=dict)  # entries drafted, by engine
    cached: int = 0  # of those, drafts a paying engine had made before (from the cache)
    check_failed: int = 0  # entries whose only drafts failed the markup check
    glossary_missing: int = 0  # entries drafted without some glossary term
    numbers_differ: int = 0  # entries drafted whose numbers differ from the original ("# draft check:")
    left: int = 0  # entries still without a (new) draft
    segments: int = 0  # distinct texts sent to paying engines (dry run: that would be)
    characters: int = 0  # characters billed (dry run: that would be)
    requests: int = 0  # requests made to the engines' services
    written: list[str] = field(default_factory=list)  # catalogs written
    skipped: list[str] = field(default_factory=list)  # engines that cannot do this pair


@dataclass
class Progression:
    """The segments settled so far, told to ``progress``."""

    progress: Progress | None
    total: int
    done: int = 0

    def advance(self, count: int, where: str) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total, where)


class CatalogWriter:
    """The catalogs changed since the last write, written together on :meth:`flush`."""

    def __init__(self, journal: Path, enabled: bool) -> None:
        self.journal = journal
        self.enabled = enabled
        self.dirty: dict[Path, cat.Catalog] = {}
        self.written: list[Path] = []
        self.rebased: set[Path] = set()  # catalogs a person saved during the run
        self.kept_theirs = 0  # drafts of entries the person changed meanwhile: not stored
        self._last = time.monotonic()

    def touch(self, catalog: cat.Catalog) -> None:
        self.dirty[catalog.path] = catalog

    def flush(self, unless_recent: bool = False) -> None:
        """Write the catalogs changed; with ``unless_recent``, not if written under WRITE_EVERY ago.

        Requests to DeepL take a second or more, so in practice the catalogs
        are written as each comes back; a faster service is not slowed down
        by rendering the same catalogs again and again (what it answered is
        in the cache from the start anyway).
        """
        if not self.enabled or not self.dirty:
            return
        if unless_recent and time.monotonic() - self._last < WRITE_EVERY:
            return
        for _attempt in range(WRITE_ATTEMPTS):
            try:
                written = cat.write_catalogs(self.dirty.values(), self.journal)
            except CatalogChanged as changed:
                # Saved by a person since read: the drafts go onto their file.
                for path in changed.paths:
                    self.kept_theirs += cat.rebase(self.dirty[path]).kept_theirs
                    self.rebased.add(path)
                continue
            break
        else:
            raise CatalogChanged(sorted(self.dirty), "draft")
        for catalog in written:
            if catalog.path not in self.written:
                self.written.append(catalog.path)
        self.dirty.clear()
        self._last = time.monotonic()


@dataclass
class LanguageRun:
    """The engines, in order, on the jobs of one language that still wait."""

    report: DraftReport
    jobs: list[Job]
    cache: TranslationCache | None
    glossary: Glossary | None
    dry_run: bool
    writer: CatalogWriter
    counter: Progression

    def __post_init__(self) -> None:
        if self.glossary is not None and self.glossary.source_language != self.report.source_language:
            self.glossary = self.glossary.reversed()

    def through(self, engines: Sequence[Engine]) -> str | None:
        """Run the engines; the error that stopped them, if any."""
        stopped = None
        try:
            for engine in engines:
                waiting = [job for job in self.jobs if job.draft is None]
                if not waiting:
                    break
                before = engine.requests
                try:
                    sent = self._offer(engine, waiting)
                except UnsupportedLanguage as error:
                    self.report.skipped.append(f"{engine.name}: {error}")
                    continue
                except EngineError as error:
                    stopped = f"{engine.name}: {error}"
                    break
                finally:
                    self.report.requests += engine.requests - before
                if self.dry_run and engine.paid and sent:
                    break  # what a paying engine would answer is not known on a dry run
        finally:
            self._settle()
        return stopped

    def _offer(self, engine: Engine, waiting: list[Job]) -> int:
        """The jobs to ``engine``, by markup; how many texts it was (or would be) sent."""
        by_syntax: dict[markup.Syntax, list[Job]] = {}
        for job in waiting:
            by_syntax.setdefault(job.syntax, []).append(job)
        return sum(self._offer_one_syntax(engine, jobs, syntax) for syntax, jobs in by_syntax.items())

    def _offer_one_syntax(self, engine: Engine, waiting: list[Job], syntax: markup.Syntax) -> int:
        """The jobs to ``engine``, cache first; how many texts it was (or would be) sent."""
        source, target = self.report.source_language, self.report.language
        # A text's draft depends on its markup; reST keeps the keys drafts were cached under.
        settings = engine.settings_key() + ("" if syntax == markup.RST else f";syntax={syntax}")
        key = CacheKey(engine.name, settings, source, target)
        cached = self.cache.get_many(key, [job.text for job in waiting]) if engine.paid and self.cache else {}
        for job in waiting:
            hit = cached.get(job.text)
            if hit is not None:
                self._consider(job, Draft(hit.text, 0, hit.origin), engine.name, from_cache=True)
        if cached:
            self.counter.advance(sum(job.draft is not None for job in waiting if job.text in cached), waiting[0].domain)
        misses = [job for job in waiting if job.text not in cached]
        if not misses:
            return 0
        if self.dry_run and engine.paid:
            self.report.segments += len(misses)
            self.report.characters += engine.estimate([Segment(job.text, job.context, syntax) for job in misses])
            return len(misses)
        if not self.dry_run:
            engine.prepare()
        for chunk in chunks(misses):
            answers = engine.translate([Segment(job.text, job.context, syntax) for job in chunk], source, target)
            made = [(job, answer) for job, answer in zip(chunk, answers) if answer is not None]
            if engine.paid:
                self._paid(key, made)
            for job, answer in made:
                self._consider(job, answer, engine.name)
            if engine.paid:
                self.writer.flush(unless_recent=True)
            self.counter.advance(sum(job.draft is not None for job in chunk), chunk[0].domain)
        return len(misses)

    def _paid(self, key: CacheKey, made: list[tuple[Job, Draft]]) -> None:
        self.report.segments += len(made)
        self.report.characters += sum(answer.billed_characters for _, answer in made)
        if self.cache is not None and not self.dry_run and made:
            today = cat.today()
            self.cache.put_many(key, [
                (job.text, CachedDraft(a.text, a.billed_characters, a.origin, today)) for job, a in made
            ])

    def _consider(self, job: Job, answer: Draft, engine: str, from_cache: bool = False) -> None:
        """Store ``answer`` for the job's entries unless it fails the markup check."""
        problems = markup.check(job.text, answer.text, job.syntax)
        if problems:
            job.refused = _fit(cat.CHECK_PREFIX, problems)
            return
        job.draft, job.refused = answer, None
        count = len(job.entries)
        report = self.report
        report.drafted[engine] = report.drafted.get(engine, 0) + count
        report.cached += count if from_cache else 0
        report.left -= count
        missing = missing_terms(job.text, answer.text, self.glossary, job.syntax) if self.glossary else []
        report.glossary_missing += count if missing else 0
        numbers = number_differences(job.text, report.source_language, answer.text, report.language, job.syntax)
        report.numbers_differ += count if numbers else 0
        if self.dry_run:
            return
        note = numbers.describe(COMMENT_MAX - len(cat.DRAFT_NOTE_PREFIX)) if numbers else None
        for catalog, entry in job.entries:
            _store(entry, answer, missing, note)
            self.writer.touch(catalog)

    def _settle(self) -> None:
        """Note the refused drafts on their entries; count the jobs left."""
        left = [job for job in self.jobs if job.draft is None]
        for job in left:
            if job.refused is None:
                continue
            self.report.check_failed += len(job.entries)
            if not self.dry_run:
                for catalog, entry in job.entries:
                    cat.set_tool_comment(entry, cat.CHECK_PREFIX, job.refused)
                    self.writer.touch(catalog)
        if left:
            self.counter.advance(len(left), left[-1].domain)


def _store(entry: cat.Entry, answer: Draft, missing: list[tuple[str, str]], note: str | None) -> None:
    today = cat.today()
    cat.mark_draft(entry, answer.text, answer.origin, today)  # fits the comment on one line
    terms = [f"{source} -> {target}" for source, target in missing]
    cat.set_tool_comment(entry, cat.GLOSSARY_PREFIX, _fit(cat.GLOSSARY_PREFIX, terms) if terms else None)
    cat.set_tool_comment(entry, cat.DRAFT_NOTE_PREFIX, note)


def _fit(prefix: str, items: list[str]) -> str:
    """As many of ``items`` as fit on one comment line (polib wraps longer ones)."""
    room = COMMENT_MAX - len(prefix)
    for count in range(len(items), 0, -1):
        text = "; ".join(items[:count])
        if count < len(items):
            text += f" (+{len(items) - count} more)"
        if len(text) <= room:
            return text
    return items[0][: room - 1] + "…"
