"""``sync``: catalogs follow the originals.

Extracts the messages of every document, merges them into the catalogs of
each target language and writes the catalogs that changed. Returns counts;
prints nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import catalog as cat
from .. import files
from . import locations, poformat
from ..files import relative
from .approval import edited_text
from ..project.direction import language_name, source_language_of
from ..errors import CatalogChanged
from ..locks import exclusive
from .extract import Extraction, Progress, Reader, docnames_to_domain, extract, orphaned
from .merge import Incoming, MergeCounts, merge
from ..project.settings import Project


@dataclass
class CatalogReport:
    language: str
    domain: str
    path: str
    action: str  # "created", "updated" or "unchanged"
    new: int = 0
    stale: int = 0
    reused: int = 0
    obsolete: int = 0
    approved: int = 0  # approved entries that lost their #| and the tool's draft/stale comments


@dataclass
class SyncResult:
    catalogs: list[CatalogReport] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)  # catalogs whose document is gone
    warnings: list[str] = field(default_factory=list)  # Sphinx's, about the sources
    documents_read: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # time spent per phase
    merged_again: list[str] = field(default_factory=list)  # catalogs saved by someone during the run
    recovery: RecoveryReport = field(default_factory=lambda: RecoveryReport())

    def count(self, action: str) -> int:
        return sum(1 for c in self.catalogs if c.action == action)

    def total(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.catalogs)

    def as_dict(self) -> dict:
        return {
            "catalogs": {a: self.count(a) for a in ("created", "updated", "unchanged")},
            "entries": {n: self.total(n) for n in ("new", "stale", "reused", "obsolete")},
            "approved": self.total("approved"),  # entries approved since: their notes dropped
            "orphaned": self.orphaned,
            "documents_read": self.documents_read,
            "warnings": self.warnings,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "merged_again": self.merged_again,
            "interrupted_run": asdict(self.recovery),
            "details": [asdict(c) for c in self.catalogs],
        }


@dataclass
class RecoveryReport:
    """What was done, at the start of this run, with the writes of a run that died half-way."""

    completed: list[str] = field(default_factory=list)  # catalogs written as that run meant to
    set_aside: list[dict[str, str]] = field(default_factory=list)  # {"catalog", "pending"}: kept, set aside

    @classmethod
    def of(cls, recovery: files.Recovery, root: Path) -> RecoveryReport:
        return cls(
            completed=[relative(path, root) for path in recovery.completed],
            set_aside=[{"catalog": relative(path, root), "pending": relative(aside, root)}
                       for path, aside in recovery.set_aside],
        )


@contextlib.contextmanager
def project_lock(project: Project, wait: float = 0) -> Iterator[RecoveryReport]:
    """Serialize the runs that write a project's catalogs.

    First completes the writes of a run that died half-way (see
    :func:`files.recover`); yields what was done with them.
    """
    path = project.cache_dir / "catalogs.lock"
    busy = "another translate-pipeline run is writing this project's catalogs"
    with exclusive(path, wait, busy, project.root):
        recovery = files.recover(journal_path(project), [project.locale_root])
        cat.use_cache(project.cache_dir / "catalogs")
        yield RecoveryReport.of(recovery, project.root)


class Messages(list):
    """A domain's incoming messages, with the key :func:`_key` computed once."""

    key: str | None = None


# (project, target, domain) -> (the documents, with locations?, their messages). A
# reader kept between syncs (``serve``) gives the same Document objects for the
# pages it did not read again: their messages are not made again.
_INCOMING: dict[tuple[Path, str, str], tuple[tuple, bool, Messages]] = {}


def incoming_by_language(project: Project, extraction: Extraction) -> dict[str, dict[str, list[Incoming]]]:
    """target language -> domain -> messages, in document order."""
    domains = docnames_to_domain(extraction.documents, project.gettext_compact)
    location = project.conf.get("gettext_location", True)
    groups: dict[tuple[str, str], list] = {}
    for docname in sorted(extraction.documents):
        document = extraction.documents[docname]
        for target in project.targets_of(document.language):
            groups.setdefault((target, domains[docname]), []).append(document)
    result: dict[str, dict[str, list[Incoming]]] = {}
    for (target, domain), documents in groups.items():
        known = _INCOMING.get((project.root, target, domain))
        if (known is not None and known[1] == location and len(known[0]) == len(documents)
                and all(a is b for a, b in zip(known[0], documents))):
            messages = known[2]
        else:
            bucket: list[Incoming] = []
            for document in documents:
                if location:
                    bucket.extend(Incoming(msgid, tuple([(path, str(line)) for path, line in locations]))
                                  for msgid, locations in document.messages)
                else:
                    bucket.extend(Incoming(msgid) for msgid, _ in document.messages)
            messages = Messages(_unique(bucket))
            _INCOMING[(project.root, target, domain)] = (tuple(documents), location, messages)
        result.setdefault(target, {})[domain] = messages
    return result


def _unique(messages: list[Incoming]) -> list[Incoming]:
    seen: dict[str, Incoming] = {}
    for m in messages:
        if m.msgid in seen:
            merged = tuple(dict.fromkeys(seen[m.msgid].occurrences + m.occurrences))
            seen[m.msgid] = Incoming(m.msgid, merged)
        else:
            seen[m.msgid] = m
    return list(seen.values())


def load_catalogs(directory: Path) -> dict[str, cat.Catalog]:
    """Every catalog below ``directory`` by domain; raises CatalogError on a bad one."""
    return {domain: cat.load(path) for domain, path in cat.iter_catalogs(directory)}


def sync(project: Project, wait: float = 0, parallel: int = 1, progress: Progress | None = None) -> SyncResult:
    """Extract the messages of every page and merge them into the catalogs."""
    with project_lock(project, wait) as recovery:
        result = sync_locked(project, parallel, progress)
        result.recovery = recovery
        return result


def sync_locked(project: Project, parallel: int = 1, progress: Progress | None = None,
                reader: Reader | None = None) -> SyncResult:
    """:func:`sync`, for a caller holding :func:`project_lock`; ``reader``: a Sphinx kept loaded."""
    started = time.perf_counter()
    extraction = (reader.extract if reader else extract)(project, parallel=parallel, progress=progress)
    extracted = time.perf_counter()
    result = update_catalogs(project, incoming_by_language(project, extraction))
    result.seconds = {"read": extracted - started, **result.seconds}
    result.warnings = extraction.warnings
    result.documents_read = extraction.read
    cat.prune_cache(path for language in project.settings.languages
                    for _domain, path in cat.iter_catalogs(project.catalog_dir(language)))
    return result


MERGE_ATTEMPTS = 5  # merges redone when catalogs keep changing on disk during the sync


def update_catalogs(project: Project, incoming: dict[str, dict[str, list[Incoming]]]) -> SyncResult:
    """Merge ``incoming`` (language -> domain -> messages) into the catalogs on disk.

    Every catalog is read (and so checked) before any is written. A catalog
    whose entries are already exactly the incoming messages (same French,
    same order, same locations) stays as it is whatever the others become,
    so it is parsed only when another catalog may take a translation from it.

    A catalog saved by someone else between its reading and the writing
    (a PO editor, ``git pull``) is not overwritten: the merge is done again
    from the files as they are now (:attr:`SyncResult.merged_again`).
    """
    merged_again: set[str] = set()
    attempts = 0
    while True:
        attempts += 1
        try:
            result = _update_catalogs(project, incoming)
        except CatalogChanged as changed:
            merged_again.update(relative(path, project.root) for path in changed.paths)
            if attempts == MERGE_ATTEMPTS:
                raise CatalogChanged(changed.paths, "sync") from None
        else:
            result.merged_again = sorted(merged_again)
            return result


def _update_catalogs(project: Project, incoming: dict[str, dict[str, list[Incoming]]]) -> SyncResult:
    result = SyncResult()
    started = time.perf_counter()
    targets = set(project.settings.languages) - {project.settings.source_language}
    plans = []
    for language in sorted(set(incoming) | targets):
        messages = incoming.get(language, {})
        paths = dict(cat.iter_catalogs(project.catalog_dir(language)))
        summaries = {domain: cat.derived(path, MERGE_FACTS, _merge_facts) for domain, path in paths.items()}
        messages = _in_catalog_style(project, messages, paths)
        orphans = {d for d in paths if orphaned(d, messages)}
        result.orphaned.extend(relative(paths[d], project.root) for d in sorted(orphans))
        # A translator approved entries (cleared their fuzzy flag) since the last
        # run: their catalogs are written again, without the unreviewed state's notes.
        approved = {d for d, path in paths.items() if d not in orphans and cat.derived(path, APPROVED_FACTS, _approved)}
        unchanged = {d for d, msgs in messages.items()
                     if d in summaries and summaries[d][0] == _key(msgs) and d not in approved}
        changing = {d: msgs for d, msgs in messages.items() if d not in unchanged}
        catalogs = {d: cat.load(paths[d]) for d in sorted((set(changing) | orphans) & set(paths))}
        # French new to its catalog may take the translation another holds.
        new_french = set()
        for domain, msgs in changing.items():
            known = {e.msgid for e in catalogs[domain].entries} if domain in catalogs else set()
            new_french.update(m.msgid for m in msgs if m.msgid not in known)
        sources = {d for d in unchanged if not summaries[d][1].isdisjoint(new_french)}
        catalogs.update((d, cat.load(paths[d])) for d in sorted(sources))
        catalogs = {d: catalogs[d] for d in paths if d in catalogs}  # the merge's order: the files'
        # Before the merge: an approved translation that moves takes no stale notes along.
        cleaned = {d: [getattr(e, "linenum", 0) for e in c.po if cat.clean_approved(e)] for d, c in catalogs.items()}
        plans.append((language, messages, unchanged, changing, catalogs, orphans, cleaned))
    loaded = time.perf_counter()
    merges = []
    for language, messages, unchanged, changing, catalogs, orphans, cleaned in plans:
        threshold = project.settings.stale_match_threshold
        wanted = {m.msgid for msgs in messages.values() for m in msgs}
        original = language_name(source_language_of(project, language))
        merged = merge(changing, catalogs, threshold, cat.today(), orphans, wanted, original)
        merges.append((language, messages, unchanged, merged, catalogs, cleaned))
    merged_at = time.perf_counter()
    changes: list[tuple[cat.Catalog, str]] = []
    for language, messages, unchanged, merged, catalogs, cleaned in merges:
        for domain in messages:
            if domain in unchanged:
                path = project.catalog_dir(language) / f"{domain}.po"
                result.catalogs.append(CatalogReport(language, domain, relative(path, project.root), "unchanged"))
                continue
            active, obsolete = merged.entries[domain]
            counts = merged.counts.get(domain, MergeCounts())
            report, catalog, text = _prepare(
                project, language, domain, catalogs.get(domain), active, obsolete, counts,
                domain in merged.unchanged, cleaned.get(domain, []),
            )
            if text is not None:
                changes.append((catalog, text))
            result.catalogs.append(report)
    # All catalogs change together or not at all (a paragraph moved between
    # pages leaves one catalog and enters another).
    cat.write_texts(changes, journal_path(project))
    result.seconds = {
        "load": loaded - started,
        "merge": merged_at - loaded,
        "write": time.perf_counter() - merged_at,
    }
    return result


MERGE_FACTS = "merge:2"
LOCATION_FACTS = "locations:1"
APPROVED_FACTS = "approved:1"


def _approved(catalog: cat.Catalog) -> int:
    """The approved entries of a catalog that still carry notes of their unreviewed state."""
    return sum(cat.clean_approved(cat.copy_entry(e)) for e in catalog.po)


def _merge_facts(catalog: cat.Catalog) -> tuple[str, frozenset[str]]:
    """What the merge needs to know of a catalog it may leave alone: the key
    of its active entries, and the French it holds a translation of."""
    active = [(e.msgctxt, e.msgid, tuple([tuple(o) for o in e.occurrences])) for e in catalog.entries]
    translated = frozenset(e.msgid for e in catalog.po if e.msgctxt is None and e.msgstr)
    return _entries_key(active), translated


def _location_facts(catalog: cat.Catalog) -> tuple[frozenset[str], int]:
    """The paths a catalog's locations name, and its number of entries (its location style)."""
    entries = catalog.entries
    return frozenset(path for e in entries for path, _line in e.occurrences), len(entries)


def _in_catalog_style(project: Project, messages: dict[str, list[Incoming]],
                      paths: dict[str, Path]) -> dict[str, list[Incoming]]:
    """Each domain's messages with locations written as its catalog writes them
    (a new catalog: as most of the language's catalogs do; or as the
    ``locations_relative_to`` setting says), so that a catalog whose messages
    did not change is left as it is."""
    folder = project.settings.locations_relative_to
    if folder:
        styles = {}
        default = locations.relative_to(project.root, project.root / folder)
    else:
        styles = {d: locations.detect(*cat.derived(paths[d], LOCATION_FACTS, _location_facts), msgs)
                  for d, msgs in messages.items() if d in paths}
        default = locations.prevailing(styles.values())
    result = {}
    for domain, msgs in messages.items():
        styled = locations.restyled(msgs, styles.get(domain) or default)
        result[domain] = msgs if styled is msgs else Messages(styled)
    return result


def _key(messages: list[Incoming]) -> str:
    known = getattr(messages, "key", None)
    if known is not None:
        return known
    key = _entries_key([(None, msgid, occurrences) for msgid, occurrences in messages])
    if isinstance(messages, Messages):
        messages.key = key
    return key


def _entries_key(entries: list[tuple[str | None, str, tuple[tuple[str, str], ...]]]) -> str:
    return hashlib.blake2b(repr(entries).encode("utf-8"), digest_size=16).hexdigest()


WRAP_FACTS = "wrap:1"


def _new_catalog_width(project: Project, language: str) -> int | None:
    """The width a new catalog is wrapped at: the setting's, else the one most of the language's catalogs have."""
    if project.settings.wrap_width is not None:
        return project.settings.wrap_width
    widths = Counter(cat.derived(path, WRAP_FACTS, lambda c: poformat.detect_width(c.original_text or ""))
                     for _domain, path in cat.iter_catalogs(project.catalog_dir(language)))
    return widths.most_common(1)[0][0] if widths else None


def journal_path(project: Project) -> Path:
    return project.cache_dir / "commit.journal"


def _prepare(project, language, domain, existing, active, obsolete, counts, unchanged, approved=()):
    """The report and new text of one catalog (None: left as it is); ``approved``: where
    the entries are that :func:`catalog.clean_approved` changed, as the file was read."""
    path = project.catalog_dir(language) / f"{domain}.po"
    if existing is None:
        catalog = cat.new_catalog(
            path,
            language,
            project.project_name,
            cat.plural_forms(language),
            title=f"{project.project_name}: {domain}, translation into {language}",
        )
        action = "created"
    else:
        catalog = existing  # its header as it is (the project's), but for the charset it is written in
        content_type = catalog.po.metadata.get("Content-Type", "")
        if "charset=" in content_type.lower() and "charset=utf-8" not in content_type.lower().replace(" ", ""):
            catalog.po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        action = "updated"
    catalog.wrap_width = project.settings.wrap_width if existing is not None else _new_catalog_width(project, language)
    if existing is not None and unchanged and not approved:
        text = None  # the merge left every entry as it was: nothing to render
    elif existing is not None and unchanged:
        # Only approvals: the file's own text less their lines, else the catalog whole.
        cat.replace_entries(catalog, active, obsolete)
        text = edited_text(catalog, approved) or catalog.new_text()
    else:
        cat.replace_entries(catalog, active, obsolete)
        text = catalog.new_text()
        if text is not None and text == catalog.original_text:
            text = None  # the same bytes: reported as what it is, unchanged
    if text is None:
        action = "unchanged"
    report = CatalogReport(
        language=language,
        domain=domain,
        path=relative(path, project.root),
        action=action,
        new=counts.new,
        stale=counts.stale,
        reused=counts.reused,
        obsolete=counts.obsolete,
        approved=len(approved),
    )
    return report, catalog, text

