"""``draft``: machine translation of what is new or changed in the catalogs.

For each target language (``locale/en`` from the French pages, ``locale/fr``
from the pages written in English) the entries to draft are collected: the
untranslated ones, and the machine drafts whose original changed since they
were made (``sync`` keeps the old original as ``#| msgid``). Entries a
translator wrote (reviewed or stale) are never touched. Each distinct text is
one job, sent once, with its page title as context.

The engines are tried in order on the jobs still waiting. A paying engine
(DeepL) is only sent the texts its cache does not hold, in chunks of one
context, and what it answers is cached at once. Every draft is checked
against its source: a draft that fails the markup check is not stored (the
next engine may do better; otherwise the entry keeps what it had and gets a
``# draft check failed:`` comment); a draft missing glossary terms is stored
with a ``# glossary:`` comment, one whose numbers differ from its source's
(a close memory match of another paragraph: "three" for "quatre") with a
``# draft check:`` comment. Drafts are stored as machine drafts (fuzzy,
``# draft: ENGINE DATE``). The catalogs changed are written together (through
the journal) as paid answers come back (at most once a second) and at the
end, also when an error or Ctrl-C ends the run: nothing paid for is lost.
A catalog a person saved while the run went on is not overwritten: the drafts
are applied to their file, except on the entries they changed too.

An engine error (quota used up, key refused, service down) ends the run
early; :attr:`DraftResult.stopped` says which. Prints nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..catalogs import catalog as cat
from ..project import discovery
from ..checks import markup
from .engines import (
    Draft,
    Engine,
    EngineError,
    MemoryEngine,
    Segment,
    UnsupportedLanguage,
    get_engine,
)
from ..project.direction import source_language_of
from ..errors import CatalogChanged, PipelineError
from ..files import relative
from ..catalogs.extract import docnames_to_domain
from .glossary import Glossary, missing_terms, read_glossary
from ..checks.numbers import number_differences
from ..project.settings import Project, Settings
from ..catalogs.sync import RecoveryReport, journal_path, load_catalogs, project_lock
from .tmcache import CachedDraft, CacheKey, TranslationCache

CHUNK = 50  # segments per engine call (DeepL's limit per request)
WRITE_EVERY = 1.0  # seconds: drafts paid for are written at least this often (and at the end)
WRITE_ATTEMPTS = 5  # writes tried again when catalogs keep changing on disk during the run
CONTEXT_MAX = 300  # a first entry longer than this is no page title
COMMENT_MAX = cat.WRAP_WIDTH - 2  # polib wraps a "# " comment line longer than this
CACHE_FILE = "drafts.sqlite"

Progress = Callable[[int, int, str], None]
"""``progress(done, total, where)``: segments settled, segments in the run, current catalog."""


class DraftError(PipelineError):
    """``draft`` was asked for something that does not exist (a document, an engine)."""


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


COUNTS = ("pending", "redraft", "cached", "check_failed", "glossary_missing", "numbers_differ", "left",
          "segments", "characters", "requests")


@dataclass
class DraftResult:
    dry_run: bool = False
    languages: list[DraftReport] = field(default_factory=list)
    stopped: str | None = None  # the engine error that ended the run early
    glossary: dict | None = None  # the DeepL copy of the glossary: name, id, created, deleted
    paid: bool = False  # whether a paying engine was among the run's engines (free ones bill nothing)
    merged_again: list[str] = field(default_factory=list)  # catalogs saved by someone during the run
    kept_theirs: int = 0  # drafts not stored: the person changed the entry meanwhile
    recovery: RecoveryReport = field(default_factory=RecoveryReport)

    def total(self, name: str) -> int:
        return sum(getattr(report, name) for report in self.languages)

    def drafted(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for report in self.languages:
            for engine, count in report.drafted.items():
                totals[engine] = totals.get(engine, 0) + count
        return totals

    def written(self) -> list[str]:
        return [path for report in self.languages for path in report.written]

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "stopped": self.stopped,
            "totals": {"drafted": self.drafted(), **{name: self.total(name) for name in COUNTS},
                       "written": len(self.written())},
            "glossary": self.glossary,
            "merged_again": self.merged_again,
            "kept_theirs": self.kept_theirs,
            "interrupted_run": asdict(self.recovery),
            "languages": [asdict(report) for report in self.languages],
        }


# --- planning ------------------------------------------------------------------


@dataclass
class _Job:
    """One distinct text to draft and the entries waiting for it."""

    text: str
    context: str | None
    domain: str  # the first catalog holding it
    syntax: markup.Syntax = markup.RST  # the markup of its page
    entries: list[tuple[cat.Catalog, cat.Entry]] = field(default_factory=list)
    draft: Draft | None = None
    refused: str | None = None  # why the last draft offered failed the markup check


def wanted(entry: cat.Entry, state: cat.State) -> bool:
    """Whether ``draft`` (re)drafts this entry."""
    if entry.msgid_plural or not entry.msgid.strip():
        return False
    return state is cat.State.UNTRANSLATED or cat.outdated_draft(entry)


SyntaxOf = Callable[[str, cat.Entry], markup.Syntax]
"""``syntax_of(domain, entry)``: the markup of the page an entry comes from."""


def plan(catalogs: Mapping[str, cat.Catalog], domains: Iterable[str] | None = None,
         syntax_of: SyntaxOf | None = None) -> list[_Job]:
    """The entries to draft of ``catalogs`` (those of ``domains``), grouped by text and markup, in order."""
    jobs: dict[tuple[str, markup.Syntax], _Job] = {}
    chosen = sorted(catalogs) if domains is None else sorted(set(domains) & set(catalogs))
    for domain in chosen:
        catalog = catalogs[domain]
        title = _title(catalog.entries)
        for entry, state in catalog.states():
            if wanted(entry, state):
                syntax = syntax_of(domain, entry) if syntax_of else markup.RST
                job = jobs.setdefault((entry.msgid, syntax), _Job(entry.msgid, title, domain, syntax))
                job.entries.append((catalog, entry))
    return list(jobs.values())


def page_syntax(project: Project, docs: Mapping[str, tuple[str, str]] | None = None) -> SyntaxOf:
    """How :func:`plan` tells an entry's markup: by the file its occurrences name
    (``#: source/fr/news.md:3``), else by the pages of its catalog when they
    are all written in one markup; reST otherwise."""
    suffixes = discovery.source_suffixes(project)
    docs = discovery.documents(project, suffixes) if docs is None else docs
    domains = docnames_to_domain(docs, project.gettext_compact)
    # One Syntax object per markup, so that each keeps its parser for the whole run.
    syntaxes: dict[markup.Syntax, markup.Syntax] = {}

    def of_file(path: str) -> markup.Syntax:
        syntax = discovery.syntax_of(project, suffixes, path)
        return syntaxes.setdefault(syntax, syntax)

    by_domain: dict[str, set[markup.Syntax]] = {}
    for docname, (_language, source) in docs.items():
        by_domain.setdefault(domains[docname], set()).add(of_file(source))

    def syntax_of(domain: str, entry: cat.Entry) -> markup.Syntax:
        for path, _line in entry.occurrences:
            if suffixes.filetype(path) is not None:
                return of_file(path)
        found = by_domain.get(domain, set())
        return next(iter(found)) if len(found) == 1 else markup.RST

    return syntax_of


def _title(entries: Sequence[cat.Entry]) -> str | None:
    """The page title, which Sphinx extracts first, as context for the page's entries."""
    if not entries:
        return None
    first = entries[0].msgid
    return first if "\n" not in first and len(first) <= CONTEXT_MAX else None


def _chunks(jobs: Sequence[_Job]) -> list[list[_Job]]:
    """Runs of jobs of one context (a DeepL request has one), at most CHUNK each."""
    chunks: list[list[_Job]] = []
    for job in jobs:
        if chunks and len(chunks[-1]) < CHUNK and chunks[-1][0].context == job.context:
            chunks[-1].append(job)
        else:
            chunks.append([job])
    return chunks


def memory_pairs(catalogs: Mapping[str, cat.Catalog]) -> list[tuple[str, str, str]]:
    """``(source, translation, catalog)`` of every reviewed entry, for the memory engine."""
    return [
        (entry.msgid, entry.msgstr, f"{domain}.po")
        for domain in sorted(catalogs)
        for entry, state in catalogs[domain].states()
        if state is cat.State.REVIEWED and not entry.msgid_plural
    ]


def targets(project: Project, documents: Sequence[str] | None = None,
            found: Mapping[str, tuple[str, str]] | None = None) -> dict[str, set[str]]:
    """target language -> domains to draft: those of ``documents`` (docnames), else all.

    ``found``: :func:`.discovery.documents` of the project, when the caller has it.
    """
    from ..catalogs.status import unknown_documents

    suffixes = discovery.source_suffixes(project)
    found = discovery.documents(project, suffixes) if found is None else found
    asked = [suffixes.strip(name) for name in documents or ()]
    unknown = unknown_documents(found, asked)
    if unknown:
        raise DraftError(unknown)
    domains = docnames_to_domain(found, project.gettext_compact)
    result: dict[str, set[str]] = {}
    for docname, (language, _) in sorted(found.items()):
        if not asked or docname in asked:
            for target in project.targets_of(language):
                result.setdefault(target, set()).add(domains[docname])
    order = [*project.settings.target_languages, project.settings.source_language]
    return {language: result[language] for language in order if language in result}


def project_glossary(project: Project) -> Glossary | None:
    """The project's term base; None when the default file does not exist."""
    path = project.root / project.settings.glossary
    if not path.exists() and project.settings.glossary == Settings.glossary:
        return None
    return read_glossary(path)


# --- engines -------------------------------------------------------------------


class Engines:
    """The engines of a run, in order: :meth:`for_pair` gives them for one language pair.

    ``names`` are engine names or ready engines (used as they are). The
    memory is made per language, from its reviewed entries; any other engine
    once for the whole run (so DeepL syncs the glossary once).
    """

    def __init__(self, project: Project, names: Sequence[str | Engine], glossary: Glossary | None = None) -> None:
        self.names = list(names)
        self.shared: dict[str, Engine] = {}
        for name in self.names:
            if not isinstance(name, str) or name == "memory" or name in self.shared:
                continue
            if name == "deepl":
                self.shared[name] = get_engine(
                    "deepl", target_variant=project.settings.deepl_target_variant,
                    glossary=glossary, project=project.project_name,
                )
            else:
                self.shared[name] = get_engine(name)

    def for_pair(self, source: str, target: str, catalogs: Mapping[str, cat.Catalog]) -> list[Engine]:
        engines: list[Engine] = []
        for name in self.names:
            if not isinstance(name, str):
                engines.append(name)
            elif name == "memory":
                engines.append(MemoryEngine(memory_pairs(catalogs), languages=(source, target)))
            else:
                engines.append(self.shared[name])
        return engines

    @property
    def paid(self) -> bool:
        """Whether one of the engines bills what it is sent."""
        ready = [name for name in self.names if not isinstance(name, str)]
        return any(engine.paid for engine in [*self.shared.values(), *ready])

    def glossary_sync(self) -> dict | None:
        """What was done to the DeepL copy of the glossary, if anything was sent."""
        synced = getattr(self.shared.get("deepl"), "glossary_sync", None)
        return asdict(synced) if synced is not None else None


def check_engine_names(names: Sequence[str | Engine]) -> None:
    from .engines import ENGINES

    for name in names:
        if isinstance(name, str) and name not in ENGINES:
            raise DraftError(f"unknown engine {name!r}: choose one of {', '.join(sorted(ENGINES))}")


# --- the run -------------------------------------------------------------------


def draft(
    project: Project,
    engines: Sequence[str | Engine] | None = None,
    *,
    documents: Sequence[str] | None = None,
    cache: TranslationCache | None = None,
    dry_run: bool = False,
    wait: float = 0,
    progress: Progress | None = None,
) -> DraftResult:
    """Draft what is new or changed in every target language (of ``documents``).

    ``engines`` are names (default: the ``engines`` setting) or ready engines.
    ``cache`` is where paying engines' drafts are kept (see :func:`open_cache`).
    """
    names = list(engines or project.settings.engines)
    check_engine_names(names)
    glossary = project_glossary(project)
    docs = discovery.documents(project)
    chosen = targets(project, documents, docs)
    syntax_of = page_syntax(project, docs)
    result = DraftResult(dry_run=dry_run)
    with project_lock(project, wait) as recovery:
        result.recovery = recovery
        work = []
        for language, domains in chosen.items():
            catalogs = load_catalogs(project.catalog_dir(language))
            jobs = plan(catalogs, domains, syntax_of)
            report = DraftReport(language, source_language_of(project, language))
            report.pending = sum(len(job.entries) for job in jobs)
            report.redraft = sum(cat.outdated_draft(e) for job in jobs for _, e in job.entries)
            report.left = report.pending
            result.languages.append(report)
            work.append((report, catalogs, jobs))
        engines = Engines(project, names, glossary)
        result.paid = engines.paid
        writer = _Writer(journal_path(project), enabled=not dry_run)
        counter = _Counter(progress, sum(len(jobs) for _, _, jobs in work))
        try:
            for report, catalogs, jobs in work:
                run = _LanguageRun(report, jobs, cache, glossary, dry_run, writer, counter)
                result.stopped = run.through(engines.for_pair(report.source_language, report.language, catalogs))
                if result.stopped:
                    break
        finally:
            writer.flush()
            for report, _, _ in work:
                prefix = project.catalog_dir(report.language)
                report.written = sorted(relative(p, project.root) for p in writer.written if p.is_relative_to(prefix))
            result.glossary = engines.glossary_sync()
            result.merged_again = sorted(relative(p, project.root) for p in writer.rebased)
            result.kept_theirs = writer.kept_theirs
    return result


def open_cache(project: Project, create: bool = True) -> TranslationCache | None:
    """The project's cache of drafts (``_build/translate-pipeline/drafts.sqlite``).

    None when there is none yet and ``create`` is false (a dry run makes no file).
    """
    path = project.cache_dir / CACHE_FILE
    if not create and not path.exists():
        return None
    return TranslationCache(path)


@dataclass
class _Counter:
    progress: Progress | None
    total: int
    done: int = 0

    def advance(self, count: int, where: str) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total, where)


class _Writer:
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
class _LanguageRun:
    """The engines, in order, on the jobs of one language that still wait."""

    report: DraftReport
    jobs: list[_Job]
    cache: TranslationCache | None
    glossary: Glossary | None
    dry_run: bool
    writer: _Writer
    counter: _Counter

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

    def _offer(self, engine: Engine, waiting: list[_Job]) -> int:
        """The jobs to ``engine``, by markup; how many texts it was (or would be) sent."""
        by_syntax: dict[markup.Syntax, list[_Job]] = {}
        for job in waiting:
            by_syntax.setdefault(job.syntax, []).append(job)
        return sum(self._offer_one_syntax(engine, jobs, syntax) for syntax, jobs in by_syntax.items())

    def _offer_one_syntax(self, engine: Engine, waiting: list[_Job], syntax: markup.Syntax) -> int:
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
        for chunk in _chunks(misses):
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

    def _paid(self, key: CacheKey, made: list[tuple[_Job, Draft]]) -> None:
        self.report.segments += len(made)
        self.report.characters += sum(answer.billed_characters for _, answer in made)
        if self.cache is not None and not self.dry_run and made:
            today = cat.today()
            self.cache.put_many(key, [
                (job.text, CachedDraft(a.text, a.billed_characters, a.origin, today)) for job, a in made
            ])

    def _consider(self, job: _Job, answer: Draft, engine: str, from_cache: bool = False) -> None:
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

