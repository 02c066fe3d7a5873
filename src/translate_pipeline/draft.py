"""``draft``: machine translation of the entries nobody translated yet.

For each target language: the untranslated entries of its catalogs are
collected (each distinct text once, the page title as context), looked up in
the cache, then offered to the engines in order (``memory`` first, then
``deepl``...); what an engine returns is cached at once, checked against its
source (markup, glossary) and stored in the catalog as a machine draft (fuzzy,
with a ``# draft: ENGINE DATE`` comment; problems in ``# draft check failed:``
and ``# glossary:`` comments). Entries a translator wrote (reviewed or stale)
are never touched. An engine error (quota used up, key refused, service down)
stops the engines and keeps every draft obtained before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import polib

from . import catalog as cat
from . import markup
from .engines import Draft, Engine, EngineError, MemoryEngine, Segment, UnsupportedLanguage, get_engine
from .glossary import Glossary, missing_terms
from .settings import Project
from .sync import load_catalogs, project_lock
from .tmcache import CachedDraft, CacheKey, TranslationCache

CHUNK = 50  # segments per engine call: what is drafted is cached chunk by chunk
CONTEXT_MAX = 300  # a first entry longer than this is no page title
COMMENT_MAX = cat.WRAP_WIDTH - 2  # polib wraps a "# " comment line longer than this
CHECK_PREFIX = "draft check failed: "
GLOSSARY_PREFIX = "glossary: "


@dataclass
class DraftReport:
    """What ``draft`` did (or, with ``dry_run``, would do) for one language."""

    language: str
    source_language: str
    pending: int = 0  # untranslated entries found
    drafted: dict[str, int] = field(default_factory=dict)  # entries, by engine
    cached: int = 0  # of those, drafts taken from the cache
    check_failed: int = 0
    glossary_missing: int = 0
    left: int = 0  # entries still untranslated
    billed_characters: int = 0
    would_bill: int = 0  # dry run: characters the paying engines would be sent
    written: list[str] = field(default_factory=list)
    stopped: str | None = None  # the engine error that ended the run early
    skipped: list[str] = field(default_factory=list)  # engines that cannot do this pair

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Job:
    """One distinct text to translate and the entries waiting for it."""

    text: str
    context: str | None
    entries: list[polib.POEntry] = field(default_factory=list)


def plan(catalogs: Mapping[str, cat.Catalog]) -> list[_Job]:
    """The untranslated entries of ``catalogs``, grouped by text, in catalog order."""
    jobs: dict[str, _Job] = {}
    for domain in sorted(catalogs):
        entries = catalogs[domain].entries
        title = _title(entries)
        for entry, state in catalogs[domain].states():
            if state is not cat.State.UNTRANSLATED or entry.msgid_plural or not entry.msgid.strip():
                continue
            jobs.setdefault(entry.msgid, _Job(entry.msgid, title)).entries.append(entry)
    return list(jobs.values())


def _title(entries: Sequence[polib.POEntry]) -> str | None:
    """The page title, which Sphinx extracts first, as context for the page's entries."""
    if not entries:
        return None
    first = entries[0].msgid
    return first if "\n" not in first and len(first) <= CONTEXT_MAX else None


def memory_pairs(catalogs: Mapping[str, cat.Catalog]) -> list[tuple[str, str, str]]:
    """``(source, translation, catalog)`` of every reviewed entry, for the memory engine."""
    return [
        (entry.msgid, entry.msgstr, f"{domain}.po")
        for domain in sorted(catalogs)
        for entry, state in catalogs[domain].states()
        if state is cat.State.REVIEWED and not entry.msgid_plural
    ]


def source_language_of(project: Project, target: str) -> str:
    """The language the entries of ``locale/TARGET`` are translated from."""
    source = project.settings.source_language
    if target != source:
        return source
    others = [language for language in project.sources if language != target]
    return others[0] if others else project.settings.target_languages[0]


def build_engines(
    project: Project, source: str, target: str, pairs: Sequence[tuple[str, str, str]],
    glossary_id: str | None = None,
) -> list[Engine]:
    """The engines of ``settings.engines``, in order, set up for this pair."""
    engines: list[Engine] = []
    for name in project.settings.engines:
        if name == "memory":
            engines.append(MemoryEngine(pairs, languages=(source, target)))
        elif name == "deepl":
            variant = project.settings.deepl_target_variant
            engines.append(get_engine("deepl", target_variant=variant, glossary_id=glossary_id))
        else:
            engines.append(get_engine(name))
    return engines


def draft_language(
    project: Project,
    target: str,
    engines: Sequence[Engine] | None = None,
    *,
    cache: TranslationCache | None = None,
    glossary: Glossary | None = None,
    dry_run: bool = False,
    wait: float = 0,
) -> DraftReport:
    """Draft the untranslated entries of ``locale/TARGET``; write the catalogs changed."""
    source = source_language_of(project, target)
    with project_lock(project, wait):
        catalogs = load_catalogs(project.catalog_dir(target))
        if engines is None:
            engines = build_engines(project, source, target, memory_pairs(catalogs))
        jobs = plan(catalogs)
        report = DraftReport(target, source, pending=sum(len(j.entries) for j in jobs))
        drafts = _Run(source, target, cache, dry_run, report).through(engines, jobs)
        if glossary is not None and glossary.source_language != source:
            glossary = glossary.reversed()
        for job in jobs:
            found = drafts.get(job.text)
            if found is None:
                report.left += len(job.entries)
                continue
            draft, engine_name = found
            report.drafted[engine_name] = report.drafted.get(engine_name, 0) + len(job.entries)
            problems, missing = _problems(job.text, draft.text, glossary)
            report.check_failed += len(job.entries) if problems else 0
            report.glossary_missing += len(job.entries) if missing else 0
            if not dry_run:
                for entry in job.entries:
                    _store(entry, draft, problems, missing)
        if not dry_run:
            report.written = [
                c.path.relative_to(project.root).as_posix()
                for _, c in sorted(catalogs.items()) if c.save()
            ]
        return report


@dataclass
class _Run:
    """Engines tried in order on the jobs still waiting; drafts by text."""

    source: str
    target: str
    cache: TranslationCache | None
    dry_run: bool
    report: DraftReport
    drafts: dict[str, tuple[Draft, str]] = field(default_factory=dict)

    def through(self, engines: Sequence[Engine], jobs: Sequence[_Job]) -> dict[str, tuple[Draft, str]]:
        for engine in engines:
            waiting = [job for job in jobs if job.text not in self.drafts]
            if not waiting:
                break
            key = CacheKey(engine.name, engine.settings_key(), self.source, self.target)
            segments = [Segment(job.text, job.context) for job in self._from_cache(engine, key, waiting)]
            estimate = engine.estimate(segments) if self.dry_run else 0
            if estimate:
                self.report.would_bill += estimate
                break  # a paying engine is not called on a dry run
            try:
                self._translate(engine, key, segments)
            except UnsupportedLanguage as error:
                self.report.skipped.append(f"{engine.name}: {error}")
            except EngineError as error:
                self.report.stopped = f"{engine.name}: {error}"
                break
        return self.drafts

    def _from_cache(self, engine: Engine, key: CacheKey, waiting: list[_Job]) -> list[_Job]:
        """Take the cached drafts; return the jobs still without one."""
        cached = self.cache.get_many(key, [job.text for job in waiting]) if self.cache else {}
        for job in waiting:
            hit = cached.get(job.text)
            if hit is not None:
                self.drafts[job.text] = (Draft(hit.text, 0, hit.origin), engine.name)
                self.report.cached += len(job.entries)
        return [job for job in waiting if job.text not in cached]

    def _translate(self, engine: Engine, key: CacheKey, segments: list[Segment]) -> None:
        """Chunk by chunk, each chunk cached as soon as it is back."""
        for start in range(0, len(segments), CHUNK):
            chunk = segments[start:start + CHUNK]
            made = [
                (segment.text, draft)
                for segment, draft in zip(chunk, engine.translate(chunk, self.source, self.target))
                if draft is not None
            ]
            for text, draft in made:
                self.drafts[text] = (draft, engine.name)
                self.report.billed_characters += draft.billed_characters
            if self.cache is not None and not self.dry_run and made:
                today = cat.today()
                self.cache.put_many(key, [
                    (text, CachedDraft(d.text, d.billed_characters, d.origin, today)) for text, d in made
                ])


def _problems(source: str, text: str, glossary: Glossary | None) -> tuple[list[str], list[tuple[str, str]]]:
    problems = markup.check(source, text)
    missing = missing_terms(source, text, glossary) if glossary else []
    return problems, missing


def _store(entry: polib.POEntry, draft: Draft, problems: list[str], missing: list[tuple[str, str]]) -> None:
    today = cat.today()
    origin = draft.origin
    if len(cat.DRAFT_PREFIX + origin + today) >= COMMENT_MAX:
        origin = origin.split(" (")[0]  # "memory 87%" without the catalog it came from
    cat.mark_draft(entry, draft.text, origin[: COMMENT_MAX - len(cat.DRAFT_PREFIX + today) - 1], today)
    cat.set_tool_comment(entry, CHECK_PREFIX, _fit(CHECK_PREFIX, problems))
    terms = [f"{source} -> {target}" for source, target in missing]
    cat.set_tool_comment(entry, GLOSSARY_PREFIX, _fit(GLOSSARY_PREFIX, terms))


def _fit(prefix: str, items: list[str]) -> str | None:
    """As many of ``items`` as fit on one comment line (polib wraps longer ones)."""
    if not items:
        return None
    room = COMMENT_MAX - len(prefix)
    for count in range(len(items), 0, -1):
        text = "; ".join(items[:count])
        if count < len(items):
            text += f" (+{len(items) - count} more)"
        if len(text) <= room:
            return text
    return items[0][: room - 1] + "…"
