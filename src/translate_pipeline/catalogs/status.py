"""``status``: what is reviewed, drafted, stale or missing, per document.

Reads the catalogs (never writes them) and the list of documents; returns a
:class:`StatusReport` that the CLI prints, that ``--json`` dumps and that the
sites' status page shows.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import catalog as cat
from .states import State
from .store import CatalogStore
from ..project.discovery import (
    docnames_to_domain,
    documents,
    not_rest_domains,
    orphaned,
    source_suffixes,
    unknown_documents,
)
from ..errors import PipelineError
from ..files import PENDING_INFIX, relative, set_aside_files
from ..plural import counted
from ..publishing.published import Refusal, refusals, shown_counts
from ..project.settings import Policy, Project
from .sync import journal_path


@dataclass
class Tally:
    entries: dict[str, int] = field(default_factory=lambda: dict.fromkeys(map(str, State), 0))
    words: dict[str, int] = field(default_factory=lambda: dict.fromkeys(map(str, State), 0))

    def add(self, state: State, words: int) -> None:
        self.entries[state] += 1
        self.words[state] += words

    def absorb(self, other: Tally) -> None:
        for state in State:
            self.entries[state] += other.entries[state]
            self.words[state] += other.words[state]

    @property
    def total_entries(self) -> int:
        return sum(self.entries.values())

    @property
    def total_words(self) -> int:
        return sum(self.words.values())

    @property
    def reviewed_percent(self) -> float:
        total = self.total_words
        return 100.0 if total == 0 else 100.0 * self.words.get(State.REVIEWED, 0) / total

    def as_dict(self) -> dict:
        return {
            "entries": dict(self.entries),
            "words": dict(self.words),
            "total_entries": self.total_entries,
            "total_words": self.total_words,
            "reviewed_percent": round(self.reviewed_percent, 1),
        }


@dataclass
class StaleEntry:
    msgid: str
    previous: str | None
    msgstr: str
    since: str | None
    line: int | None

    def diff(self) -> list[tuple[str, str]]:
        """Word-level diff from the previous French: ("=", "-", "+", text) pieces."""
        return word_diff(self.previous or "", self.msgid)


@dataclass
class DraftCheck:
    """A machine draft the tool asks a reviewer to look at twice (its ``# draft check:`` comment)."""

    line: int | None
    msgid: str
    note: str  # "numbers differ: ..."


@dataclass
class CatalogStatus:
    language: str
    domain: str
    path: str
    documents: list[str]
    tally: Tally
    stale: list[StaleEntry] = field(default_factory=list)
    checks: list[DraftCheck] = field(default_factory=list)
    check_failed: list[Refusal] = field(default_factory=list)  # translations refused at publish
    # Entries per state as the site shows them (the publish policy, refused translations):
    # the pages' banners count these.
    published: dict[str, int] = field(default_factory=lambda: dict.fromkeys(map(str, State), 0))

    def as_dict(self, with_stale: bool = False) -> dict:
        data = {
            "language": self.language,
            "domain": self.domain,
            "path": self.path,
            "documents": self.documents,
            **self.tally.as_dict(),
            "published": dict(self.published),
            "draft_checks": [{"line": c.line, "msgid": c.msgid, "note": c.note} for c in self.checks],
            "check_failed": [
                {"line": r.line, "state": r.state, "msgid": r.msgid, "problems": list(r.problems)}
                for r in self.check_failed
            ],
        }
        if with_stale:
            data["stale"] = [
                {
                    "line": s.line,
                    "since": s.since,
                    "previous": s.previous,
                    "msgid": s.msgid,
                    "msgstr": s.msgstr,
                }
                for s in self.stale
            ]
        return data


@dataclass
class StatusReport:
    catalogs: list[CatalogStatus] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)  # catalogs with no document
    unsynced: list[str] = field(default_factory=list)  # documents with no catalog yet
    interrupted: bool = False  # a run died while writing catalogs; the next writer completes it
    set_aside: list[dict[str, str]] = field(default_factory=list)  # {"catalog", "pending"} left by a recovery

    def totals(self) -> dict[str, Tally]:
        per_language: dict[str, Tally] = {}
        for status in self.catalogs:
            per_language.setdefault(status.language, Tally()).absorb(status.tally)
        return per_language

    def _per_language(self, count: Callable[[CatalogStatus], int]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for status in self.catalogs:
            counts[status.language] = counts.get(status.language, 0) + count(status)
        return counts

    def draft_checks(self) -> dict[str, int]:
        """Per language, the machine drafts with a ``# draft check:`` comment."""
        return self._per_language(lambda status: len(status.checks))

    def published(self) -> dict[str, dict[str, int]]:
        """Per language: the entries per state the site shows."""
        shown: dict[str, dict[str, int]] = {}
        for status in self.catalogs:
            counts = shown.setdefault(status.language, dict.fromkeys(map(str, State), 0))
            for state, count in status.published.items():
                counts[state] += count
        return shown

    def check_failed(self) -> dict[str, int]:
        """Per language: the translations whose references differ from their source's."""
        return self._per_language(lambda status: len(status.check_failed))

    def as_dict(self, with_stale: bool = False) -> dict:
        failed, shown = self.check_failed(), self.published()
        return {
            "catalogs": [c.as_dict(with_stale) for c in self.catalogs],
            "totals": {lang: {**t.as_dict(), "published": shown[lang], "check_failed": failed.get(lang, 0)}
                       for lang, t in sorted(self.totals().items())},
            "draft_checks": dict(sorted(self.draft_checks().items())),
            "orphaned": self.orphaned,
            "unsynced": self.unsynced,
            "interrupted_run": self.interrupted,
            "set_aside": self.set_aside,
        }


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("+", "".join(b[j1:j2])))
    return pieces


def status(
    project: Project,
    docnames: list[str] | None = None,
    docs: dict[str, tuple[str, str]] | None = None,
    store: CatalogStore | None = None,
) -> StatusReport:
    """The state of every catalog of every target language.

    ``docs`` is :func:`documents` of the project, when the caller has it already;
    ``store``: what the run knows of the catalogs (by default, what the
    project's cache folder holds).
    """
    store = store or CatalogStore.of(project)
    docs = documents(project) if docs is None else docs
    if docnames:  # news.md names the page news
        docnames = [source_suffixes(project).strip(name) for name in docnames]
        unknown = unknown_documents(docs, docnames)
        if unknown:
            raise PipelineError(unknown)
    domains = docnames_to_domain(docs, project.gettext_compact)
    expected: dict[tuple[str, str], list[str]] = {}
    for docname, (language, source) in sorted(docs.items()):
        if docnames and docname not in docnames:
            continue
        for target in project.targets_of(language):
            expected.setdefault((target, domains[docname]), []).append(source)
    known = {(t, domains[d]) for d, (lang, _) in docs.items() for t in project.targets_of(lang)}
    markdown = not_rest_domains(project, docs)
    report = StatusReport()
    for language in (*project.settings.target_languages, project.settings.source_language):
        for domain, path in cat.iter_catalogs(project.catalog_dir(language)):
            rel = path.relative_to(project.root).as_posix()
            if (language, domain) not in known:
                if orphaned(domain, ()):
                    report.orphaned.append(rel)
                continue
            sources = expected.pop((language, domain), None)
            if sources is not None:
                tally, stale, checks = store.derived(path, "status-with-checks", _facts)
                report.catalogs.append(
                    CatalogStatus(language=language, domain=domain, path=rel, documents=sources,
                                  tally=Tally(dict(tally.entries), dict(tally.words)), stale=list(stale),
                                  checks=list(checks),
                                  check_failed=list(refusals(path, domain not in markdown, store).values()),
                                  published=shown_counts(path, project.settings.policy, domain not in markdown, store))
                )
    report.unsynced = sorted(src for sources in expected.values() for src in sources)
    report.interrupted = journal_path(project).exists()
    for language in project.settings.languages:
        for pending in set_aside_files(project.catalog_dir(language)):
            catalog = pending.with_name(pending.name.split(PENDING_INFIX)[0])
            report.set_aside.append({"catalog": relative(catalog, project.root),
                                     "pending": relative(pending, project.root)})
    return report


def _facts(catalog: cat.Catalog) -> tuple[Tally, list[StaleEntry], list[DraftCheck]]:
    """The numbers per state, the stale entries and the drafts to check twice, of one catalog."""
    tally = Tally()
    stale = []
    checks = []
    for entry, state in catalog.states():
        tally.add(state, cat.word_count(entry.msgid))
        note = cat.draft_note(entry) if state is State.MACHINE else None
        if note:
            checks.append(DraftCheck(getattr(entry, "linenum", None), entry.msgid, note))
        if state is State.STALE:
            stale.append(
                StaleEntry(
                    msgid=entry.msgid,
                    previous=entry.previous_msgid,
                    msgstr=entry.msgstr,
                    since=cat.stale_since(entry),
                    line=getattr(entry, "linenum", None),
                )
            )
    return tally, stale, checks


def check(report: StatusReport, policy: Policy) -> list[str]:
    """What the publish policy finds wrong; empty when it is met.

    A translation that refers to what its source does not always fails the
    check: ``publish`` shows the original instead.
    """
    problems: list[str] = [
        f"{refused.location(status.path)}: {refused.message}"
        for status in report.catalogs for refused in status.check_failed
    ]
    for language, tally in sorted(report.totals().items()):
        if tally.reviewed_percent < policy.min_reviewed:
            problems.append(
                f"{language}: {tally.reviewed_percent:.1f}% of words reviewed, "
                f"policy asks for at least {policy.min_reviewed:g}%"
            )
        stale = tally.entries[State.STALE]
        if policy.max_stale is not None and stale > policy.max_stale:
            problems.append(counted(stale, "%(language)s: %(count)d stale entry, policy allows %(allowed)d",
                                    "%(language)s: %(count)d stale entries, policy allows %(allowed)d",
                                    language=language, allowed=policy.max_stale))
        untranslated = tally.entries[State.UNTRANSLATED]
        if policy.max_untranslated is not None and untranslated > policy.max_untranslated:
            problems.append(counted(
                untranslated, "%(language)s: %(count)d untranslated entry, policy allows %(allowed)d",
                "%(language)s: %(count)d untranslated entries, policy allows %(allowed)d",
                language=language, allowed=policy.max_untranslated,
            ))
    if report.unsynced:
        problems.append(counted(
            len(report.unsynced), "%(count)d document has no catalog yet: run `translate-pipeline sync`",
            "%(count)d documents have no catalog yet: run `translate-pipeline sync`",
        ))
    return problems
