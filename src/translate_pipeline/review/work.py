"""What the review page shows and does: the entries that need a translator,
everything shown of one, and the actions on it.

Reads catalogs through :mod:`translate_pipeline.catalog` and writes them only
there (:func:`~translate_pipeline.catalog.write_catalogs`, under the
project's lock, as ``sync`` does). A change names the digest of the file the
page was showing: when the file on disk is no longer that one (a PO editor,
``sync``, ``git pull``), :class:`EntryChanged` is raised and nothing is
written. Prints nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogs import catalog as cat
from ..catalogs.catalog import State
from ..catalogs.extract import docnames_to_domain
from ..catalogs.status import CatalogStatus, Tally, status, word_diff
from ..catalogs.sync import journal_path, project_lock
from ..checks import markup
from ..checks.numbers import number_differences
from ..drafting.draft import Engines, open_cache, page_syntax, project_glossary, targets
from ..drafting.engines import Draft, Engine, Segment
from ..drafting.glossary import Glossary, missing_terms
from ..drafting.tmcache import CachedDraft, CacheKey
from ..errors import CatalogChanged, PipelineError
from ..files import relative
from ..project.direction import source_language_of
from ..project.discovery import documents
from ..project.settings import Project

ORDER = (State.STALE, State.MACHINE, State.UNTRANSLATED)
"""The entries that need a translator, in the order the work view goes through them."""
LOCK_WAIT = 10.0  # seconds an action waits for a sync, draft or publish writing the catalogs
CONTEXT = 2  # paragraphs of the page shown before and after the entry
NOTE_PREFIXES = (cat.CHECK_PREFIX, cat.GLOSSARY_PREFIX, cat.DRAFT_NOTE_PREFIX)


class EntryChanged(PipelineError):
    """The catalog changed on disk after the page read it: nothing was written."""

    exit_code = 3

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"{path} changed on disk after this page read it (saved in a PO editor, by sync or by git); "
            "nothing was overwritten: the entry is shown again as it is now"
        )


class Refused(PipelineError):
    """An action the entry does not allow (a markup check that fails, an empty translation)."""


@dataclass(frozen=True)
class Ref:
    """One entry: its catalog (language, domain) and its key (see :func:`entry_key`)."""

    language: str
    domain: str
    key: str


def entry_key(entry: cat.Entry) -> str:
    """A short, stable name of an entry within its catalog (from its context and text)."""
    text = f"{entry.msgctxt or ''}\x04{entry.msgid}"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


@dataclass(frozen=True)
class Chip:
    """Inline markup of the source (a role, a link, a literal), shown whole."""

    kind: str
    text: str


@dataclass
class Checks:
    """What the checks of ``draft`` find in a translation, and the numbers check."""

    markup: list[str] = field(default_factory=list)  # refuses approval
    glossary: list[str] = field(default_factory=list)  # "conseil → board": asks for confirmation
    numbers: str | None = None  # asks for confirmation

    @property
    def warnings(self) -> list[str]:
        missing = [f"glossary term missing: {term}" for term in self.glossary]
        return missing + ([self.numbers] if self.numbers else [])

    def as_dict(self) -> dict:
        return {"markup": self.markup, "warnings": self.warnings}


@dataclass(frozen=True)
class Term:
    source: str
    forms: tuple[str, ...]  # the English it requires, the preferred form first
    missing: bool


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the page around the entry, in both languages."""

    source: str
    translation: str
    state: State


@dataclass
class EntryView:
    """Everything the work view shows of one entry."""

    ref: Ref
    path: str  # the catalog, relative to the project
    line: int | None
    state: State
    source_language: str
    source: str
    source_parts: list[str | Chip]
    translation: str
    previous: str | None  # the original the translation was made for (stale)
    diff: list[tuple[str, str]]
    since: str | None
    origin: str | None  # engine and date of a machine draft
    comments: list[str]  # people's comments
    notes: list[str]  # the tool's notes (draft check, glossary, check failed)
    terms: list[Term]
    checks: Checks
    before: list[Paragraph]
    after: list[Paragraph]
    page: str | None  # the page in the built site: "en/rapports/x.html#tp-..."
    digest: str


@dataclass
class Suggestion:
    text: str
    origin: str
    engine: str
    billed: int  # characters billed for it


class Review:
    """The review work of a project (of ``docnames`` only, when given)."""

    def __init__(self, project: Project, docnames: Sequence[str] | None = None) -> None:
        self.project = project
        self.docs = documents(project)
        self.asked = list(docnames) if docnames else None
        self.chosen = targets(project, self.asked, self.docs)  # language -> domains
        self.domain_of = docnames_to_domain(self.docs, project.gettext_compact)
        self.syntax_of = page_syntax(project, self.docs)
        self._glossary = project_glossary(project)
        self._writing = threading.Lock()  # one action at a time (the page's requests come in threads)

    # -- reading --------------------------------------------------------------

    def languages(self) -> list[str]:
        return list(self.chosen)

    def domains(self, language: str | None = None) -> list[str]:
        return sorted({d for lang, ds in self.chosen.items() if language in (None, lang) for d in ds})

    def catalog_path(self, language: str, domain: str) -> Path:
        return self.project.catalog_dir(language) / f"{domain}.po"

    def overview(self, domain: str | None = None, state: State | None = None) -> tuple[list[CatalogStatus], dict[str, Tally]]:
        """Each catalog with its counts per state (``status``'s), what needs most work first; the totals."""
        report = status(self.project, self.asked, self.docs)
        rows = [row for row in report.catalogs
                if domain in (None, row.domain) and (state is None or row.tally.entries[state])]
        rows.sort(key=lambda row: (*(-row.tally.entries[s] for s in ORDER), row.language, row.domain))
        return rows, report.totals()

    def queue(self, language: str | None = None, domain: str | None = None,
              order: Sequence[State] = ORDER) -> list[Ref]:
        """The entries in the states of ``order``, in that order, then by catalog and place."""
        found: list[tuple[int, Ref]] = []
        for lang, domains in self.chosen.items():
            for dom in sorted(domains):
                if language not in (None, lang) or domain not in (None, dom):
                    continue
                path = self.catalog_path(lang, dom)
                if not path.exists():
                    continue
                for entry, state in cat.read(path).states():
                    if state in order and not entry.msgid_plural and entry.msgid:
                        found.append((order.index(state), Ref(lang, dom, entry_key(entry))))
        return [ref for _, ref in sorted(found, key=lambda item: item[0])]

    def entry(self, ref: Ref, text: str | None = None) -> EntryView:
        """The entry as the file on disk has it now (``text``: checked instead of its translation)."""
        path = self._known(ref)
        catalog = cat.read(path)
        entries = catalog.entries
        index = _index(entries, ref.key)
        if index is None:
            raise EntryChanged(relative(path, self.project.root))
        entry = entries[index]
        state = cat.entry_state(entry)
        syntax = self.syntax_of(ref.domain, entry)
        source_language = source_language_of(self.project, ref.language)
        glossary = self.glossary(source_language)
        used = missing_terms(entry.msgid, "", glossary, syntax) if glossary else []
        absent = set(missing_terms(entry.msgid, entry.msgstr, glossary, syntax)) if glossary else set()
        forms = {term.source: term.forms for term in glossary.terms} if glossary else {}
        lines = (entry.tcomment or "").splitlines()
        previous = entry.previous_msgid or None
        return EntryView(
            ref=ref,
            path=relative(path, self.project.root),
            line=getattr(entry, "linenum", None),
            state=state,
            source_language=source_language,
            source=entry.msgid,
            source_parts=source_parts(entry.msgid, syntax),
            translation=entry.msgstr,
            previous=previous,
            diff=word_diff(previous, entry.msgid) if previous else [],
            since=cat.stale_since(entry),
            origin=cat.draft_origin(entry) if state is State.MACHINE else None,
            comments=[line for line in lines if not line.startswith(cat.TOOL_PREFIXES)],
            notes=[line for line in lines if line.startswith(NOTE_PREFIXES)],
            terms=[Term(source, forms.get(source, (target,)), (source, target) in absent) for source, target in used],
            checks=self.checks(ref, entry.msgstr if text is None else text, entry),
            before=[_paragraph(e) for e in entries[max(0, index - CONTEXT):index]],
            after=[_paragraph(e) for e in entries[index + 1:index + 1 + CONTEXT]],
            page=self._page(ref, entry),
            digest=catalog.read_digest or "",
        )

    def checks(self, ref: Ref, text: str, entry: cat.Entry | None = None) -> Checks:
        """The markup, glossary and numbers checks of ``text`` as the entry's translation."""
        if entry is None:
            entry = self._find(cat.read(self._known(ref)), ref)
        if not text.strip():
            return Checks()
        syntax = self.syntax_of(ref.domain, entry)
        source_language = source_language_of(self.project, ref.language)
        glossary = self.glossary(source_language)
        missing = missing_terms(entry.msgid, text, glossary, syntax) if glossary else []
        numbers = number_differences(entry.msgid, source_language, text, ref.language, syntax)
        return Checks(
            markup=markup.check(entry.msgid, text, syntax),
            glossary=[f"{source} → {target}" for source, target in missing],
            numbers=numbers.describe() if numbers else None,
        )

    def glossary(self, source_language: str) -> Glossary | None:
        glossary = self._glossary
        if glossary is not None and glossary.source_language != source_language:
            return glossary.reversed()
        return glossary

    def find_passage(self, page: str, anchor: str, section: str = "") -> Ref | None:
        """The entry a passage of the built site shows (``page``: "en/rapports/x.html", ``anchor``: its
        id); or, with ``section`` (a section's id, which docutils derives from its original title), the
        entry of that title."""
        from docutils.nodes import make_id

        from ..sphinx.marks import anchor_of

        language, _, rest = page.strip("/").partition("/")
        if not rest or rest.endswith("/"):
            rest += "index.html"
        domain = self.domain_of.get(rest.removesuffix(".html"))
        if domain is None or domain not in self.chosen.get(language, ()):
            return None
        path = self.catalog_path(language, domain)
        if not path.exists():
            return None
        wanted = re.sub(r"-\d+$", "", anchor)
        for entry in cat.read(path).entries:
            if (anchor_of(entry.msgid) == wanted) if anchor else (section and make_id(entry.msgid) == section):
                return Ref(language, domain, entry_key(entry))
        return None

    # -- actions --------------------------------------------------------------

    def approve(self, ref: Ref, text: str, digest: str, confirmed: bool = False) -> list[str]:
        """Approve ``text`` as the entry's translation; the warnings to confirm first, if any.

        Refused (:class:`Refused`) when the text is empty or its markup check fails.
        """
        text = _plain_lines(text)
        if not text.strip():
            raise Refused("an empty translation cannot be approved: write it first (or ask for a suggestion)")
        checks = self.checks(ref, text)
        if checks.markup:
            raise Refused("not approved, the markup differs from the original's: " + "; ".join(checks.markup))
        if checks.warnings and not confirmed:
            return checks.warnings

        def approve_entry(entry: cat.Entry) -> None:
            entry.msgstr = text
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            cat.clean_approved(entry)

        self._change(ref, digest, approve_entry)
        return []

    def save(self, ref: Ref, text: str, digest: str) -> None:
        """Keep ``text`` as the entry's translation, not approved (fuzzy): the translator's words."""
        text = _plain_lines(text)
        if not text.strip():
            raise Refused("nothing to save: the translation is empty (Clear removes a machine draft)")

        def save_entry(entry: cat.Entry) -> None:
            entry.msgstr = text
            if "fuzzy" not in entry.flags:
                entry.flags.insert(0, "fuzzy")

        self._change(ref, digest, save_entry)

    def clear(self, ref: Ref, digest: str) -> None:
        """Remove a machine draft: the entry is untranslated again. A translator's words are never cleared."""

        def clear_entry(entry: cat.Entry) -> None:
            if cat.entry_state(entry) is not State.MACHINE:
                raise Refused("only a machine draft can be cleared; this translation is a translator's: "
                              "edit it instead")
            entry.msgstr = ""
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
            for prefix in (cat.DRAFT_PREFIX, *NOTE_PREFIXES):
                cat.set_tool_comment(entry, prefix, None)

        self._change(ref, digest, clear_entry)

    def suggestion_cost(self, ref: Ref) -> list[str]:
        """The engines a suggestion of the entry asks, in order, and what each would bill for it."""
        entry = self._find(cat.read(self._known(ref)), ref)
        source_language = source_language_of(self.project, ref.language)
        segment = Segment(entry.msgid, None, self.syntax_of(ref.domain, entry))
        engines = Engines(self.project, self._suggesting(), self.glossary(source_language))
        costs = []
        for engine in engines.for_pair(source_language, ref.language, {}):
            shown = "DeepL" if engine.name == "deepl" else engine.name
            if not engine.paid:
                costs.append("the translation memory (free)" if engine.name == "memory" else f"{shown} (free)")
            elif self._paid_before(engine, segment, source_language, ref.language) is not None:
                costs.append(f"{shown} (paid for already: nothing billed)")
            else:
                costs.append(f"{shown} ({engine.estimate([segment])} characters billed at most)")
        return costs

    def suggest(self, ref: Ref) -> Suggestion | None:
        """A fresh draft of the entry from the engines (memory first; DeepL when a key is set), not stored.

        A draft that fails the markup check is passed over. None when no engine has one.
        """
        path = self._known(ref)
        entry = self._find(cat.read(path), ref)
        source_language = source_language_of(self.project, ref.language)
        syntax = self.syntax_of(ref.domain, entry)
        catalogs = {domain: cat.read(p) for domain, p in cat.iter_catalogs(self.project.catalog_dir(ref.language))}
        engines = Engines(self.project, self._suggesting(), self.glossary(source_language))
        segment = Segment(entry.msgid, None, syntax)
        for engine in engines.for_pair(source_language, ref.language, catalogs):
            if engine.paid:
                answer = self._paid_before(engine, segment, source_language, ref.language)
                if answer is None:
                    engine.prepare()
                    answer = engine.translate([segment], source_language, ref.language)[0]
                    self._keep_paid(engine, segment, source_language, ref.language, answer)
            else:
                answer = engine.translate([segment], source_language, ref.language)[0]
            if answer is not None and not markup.check(entry.msgid, answer.text, syntax):
                return Suggestion(answer.text, answer.origin, engine.name, answer.billed_characters)
        return None

    def _cache_key(self, engine: Engine, segment: Segment, source: str, target: str) -> CacheKey:
        # As draft keys what paying engines answered: a draft paid for by
        # draft is suggested for nothing, and one paid for here is drafted so.
        settings = engine.settings_key() + ("" if segment.syntax == markup.RST else f";syntax={segment.syntax}")
        return CacheKey(engine.name, settings, source, target)

    def _paid_before(self, engine: Engine, segment: Segment, source: str, target: str) -> Draft | None:
        """What the engine answered for the text before (the drafts cache), billed nothing now."""
        cache = open_cache(self.project, create=False)
        if cache is None:
            return None
        with cache:
            hit = cache.get(self._cache_key(engine, segment, source, target), segment.text)
        return None if hit is None else Draft(hit.text, 0, hit.origin)

    def _keep_paid(self, engine: Engine, segment: Segment, source: str, target: str, answer: Draft | None) -> None:
        if answer is None:
            return
        with open_cache(self.project) as cache:
            cache.put_many(self._cache_key(engine, segment, source, target), [
                (segment.text, CachedDraft(answer.text, answer.billed_characters, answer.origin, cat.today()))])

    # -- helpers --------------------------------------------------------------

    def _suggesting(self) -> list[str]:
        """The project's engines (``engines`` setting), in its order; DeepL only when a key
        is set (and then even when the setting does not list it: a suggestion is asked for)."""
        keyed = bool(os.environ.get("DEEPL_AUTH_KEY", "").strip())
        names = [name for name in self.project.settings.engines if keyed or name != "deepl"]
        if keyed and "deepl" not in names:
            names.append("deepl")
        return names or ["memory"]

    def _known(self, ref: Ref) -> Path:
        if ref.domain not in self.chosen.get(ref.language, ()):
            raise Refused(f"no catalog {ref.language}/{ref.domain} under review here")
        return self.catalog_path(ref.language, ref.domain)

    def _find(self, catalog: cat.Catalog, ref: Ref) -> cat.Entry:
        index = _index(catalog.entries, ref.key)
        if index is None:
            raise EntryChanged(relative(catalog.path, self.project.root))
        return catalog.entries[index]

    def _page(self, ref: Ref, entry: cat.Entry) -> str | None:
        from ..sphinx.marks import anchor_of

        pages = sorted(doc for doc, domain in self.domain_of.items() if domain == ref.domain)
        if len(pages) > 1:  # a catalog of several pages: the one the entry's location names
            sources = {self.docs[doc][1]: doc for doc in pages}
            pages = [sources[path] for path, _ in entry.occurrences if path in sources][:1] or pages
        return f"{ref.language}/{pages[0]}.html#{anchor_of(entry.msgid)}" if pages else None

    def _change(self, ref: Ref, digest: str, change: Callable[[cat.Entry], None]) -> None:
        path = self._known(ref)
        shown = relative(path, self.project.root)
        with self._writing, project_lock(self.project, LOCK_WAIT):
            catalog = cat.load(path)
            if catalog.read_digest != digest:
                raise EntryChanged(shown)
            entry = self._find(catalog, ref)
            if entry.msgid_plural:
                raise Refused("an entry with plural forms is reviewed in a PO editor (Poedit, Lokalize, Weblate)")
            change(entry)
            try:
                cat.write_catalogs([catalog], journal_path(self.project))
            except CatalogChanged:
                raise EntryChanged(shown) from None


def source_parts(text: str, syntax: markup.Syntax) -> list[str | Chip]:
    """``text`` as plain strings and :class:`Chip` objects (its inline markup, whole), in order."""
    protected = markup.protect(text, syntax)
    try:
        root = ET.fromstring(f"<m>{protected.xml}</m>")
    except ET.ParseError:
        return [text]
    parts: list[str | Chip] = [root.text] if root.text else []
    for element in root:
        piece = protected.pieces[int(element.get("i", "0"))]
        parts.append(Chip(piece.kind, piece.raw))
        if element.tail:
            parts.append(element.tail)
    return parts


def _index(entries: list[cat.Entry], key: str) -> int | None:
    return next((i for i, entry in enumerate(entries) if entry_key(entry) == key), None)


def _paragraph(entry: cat.Entry) -> Paragraph:
    return Paragraph(entry.msgid, entry.msgstr, cat.entry_state(entry))


def _plain_lines(text: str) -> str:
    """A text area's value with the line ends a .po holds (browsers send CR LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
