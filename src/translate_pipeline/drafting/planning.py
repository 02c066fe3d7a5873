"""What ``draft`` drafts: the entries waiting for a draft, grouped into jobs.

Each distinct text (in one markup) is one :class:`Job`, sent once, with its
page title as context; the jobs of one context go to an engine together
(:func:`chunks`). Only untranslated entries and machine drafts whose
original changed are drafted (:func:`wanted`): a translator's words never.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..catalogs import catalog as cat
from ..checks import markup
from ..errors import PipelineError
from ..project import discovery
from ..project.settings import Project
from .engines import Draft

CHUNK = 50  # segments per engine call (DeepL's limit per request)
CONTEXT_MAX = 300  # a first entry longer than this is no page title


class DraftError(PipelineError):
    """``draft`` was asked for something that does not exist (a document, an engine)."""


@dataclass
class Job:
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
         syntax_of: SyntaxOf | None = None) -> list[Job]:
    """The entries to draft of ``catalogs`` (those of ``domains``), grouped by text and markup, in order."""
    jobs: dict[tuple[str, markup.Syntax], Job] = {}
    chosen = sorted(catalogs) if domains is None else sorted(set(domains) & set(catalogs))
    for domain in chosen:
        catalog = catalogs[domain]
        title = _title(catalog.entries)
        for entry, state in catalog.states():
            if wanted(entry, state):
                syntax = syntax_of(domain, entry) if syntax_of else markup.RST
                job = jobs.setdefault((entry.msgid, syntax), Job(entry.msgid, title, domain, syntax))
                job.entries.append((catalog, entry))
    return list(jobs.values())


def page_syntax(project: Project, docs: Mapping[str, tuple[str, str]] | None = None) -> SyntaxOf:
    """How :func:`plan` tells an entry's markup: by the file its occurrences name
    (``#: source/fr/news.md:3``), else by the pages of its catalog when they
    are all written in one markup; reST otherwise."""
    suffixes = discovery.source_suffixes(project)
    docs = discovery.documents(project, suffixes) if docs is None else docs
    domains = discovery.docnames_to_domain(docs, project.gettext_compact)
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


def chunks(jobs: Sequence[Job]) -> list[list[Job]]:
    """Runs of jobs of one context (a DeepL request has one), at most CHUNK each."""
    chunks: list[list[Job]] = []
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
    suffixes = discovery.source_suffixes(project)
    found = discovery.documents(project, suffixes) if found is None else found
    asked = [suffixes.strip(name) for name in documents or ()]
    unknown = discovery.unknown_documents(found, asked)
    if unknown:
        raise DraftError(unknown)
    domains = discovery.docnames_to_domain(found, project.gettext_compact)
    result: dict[str, set[str]] = {}
    for docname, (language, _) in sorted(found.items()):
        if not asked or docname in asked:
            for target in project.targets_of(language):
                result.setdefault(target, set()).add(domains[docname])
    order = [*project.settings.target_languages, project.settings.source_language]
    return {language: result[language] for language in order if language in result}
