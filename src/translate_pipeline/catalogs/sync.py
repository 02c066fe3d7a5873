"""``sync``: catalogs follow the originals.

Extracts the messages of every document, merges them into the catalogs of
each target language and writes the catalogs that changed. Returns counts;
prints nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import catalog as cat
from .. import files
from .store import CatalogStore
from . import locations, poformat
from ..files import relative
from .approval import edited_text
from ..project.direction import language_name, source_language_of
from ..errors import CatalogChanged
from ..locks import exclusive
from .extract import Progress, Reader, extract
from .incoming import IncomingCache, Messages, entries_key, incoming_by_language, messages_key
from .merge import Incoming, MergeCounts, MergeResult, merge
from ..project.discovery import orphaned
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
        yield RecoveryReport.of(recovery, project.root)


def load_catalogs(directory: Path, store: CatalogStore | None = None) -> dict[str, cat.Catalog]:
    """Every catalog below ``directory`` by domain; raises CatalogError on a bad one."""
    return {domain: cat.load(path, store) for domain, path in cat.iter_catalogs(directory)}


def sync(project: Project, wait: float = 0, parallel: int = 1, progress: Progress | None = None) -> SyncResult:
    """Extract the messages of every page and merge them into the catalogs."""
    with project_lock(project, wait) as recovery:
        result = sync_locked(project, parallel, progress, store=CatalogStore.of(project))
        result.recovery = recovery
        return result


def sync_locked(project: Project, parallel: int = 1, progress: Progress | None = None,
                reader: Reader | None = None, store: CatalogStore | None = None) -> SyncResult:
    """:func:`sync`, for a caller holding :func:`project_lock`.

    ``reader``: a Sphinx kept loaded (the messages made of its documents are
    kept with it); ``store``: what the run knows of the catalogs (by default,
    what the project's cache folder holds)."""
    store = store or CatalogStore.of(project)
    started = time.perf_counter()
    extraction = (reader.extract if reader else extract)(project, parallel=parallel, progress=progress)
    extracted = time.perf_counter()
    if reader is not None and not isinstance(reader.incoming, IncomingCache):
        reader.incoming = IncomingCache()
    incoming = incoming_by_language(project, extraction, reader.incoming if reader is not None else None)
    result = update_catalogs(project, incoming, store)
    result.seconds = {"read": extracted - started, **result.seconds}
    result.warnings = extraction.warnings
    result.documents_read = extraction.read
    store.prune(path for language in project.settings.languages
                for _domain, path in cat.iter_catalogs(project.catalog_dir(language)))
    return result


MERGE_ATTEMPTS = 5  # merges redone when catalogs keep changing on disk during the sync


def update_catalogs(project: Project, incoming: dict[str, dict[str, list[Incoming]]],
                    store: CatalogStore | None = None) -> SyncResult:
    """Merge ``incoming`` (language -> domain -> messages) into the catalogs on disk.

    Every catalog is read (and so checked) before any is written. A catalog
    whose entries are already exactly the incoming messages (same French,
    same order, same locations) stays as it is whatever the others become,
    so it is parsed only when another catalog may take a translation from it.

    A catalog saved by someone else between its reading and the writing
    (a PO editor, ``git pull``) is not overwritten: the merge is done again
    from the files as they are now (:attr:`SyncResult.merged_again`).
    ``store``: what the run knows of the catalogs (by default, what the
    project's cache folder holds).
    """
    store = store or CatalogStore.of(project)
    merged_again: set[str] = set()
    attempts = 0
    while True:
        attempts += 1
        try:
            result = _update_catalogs(project, incoming, store)
        except CatalogChanged as changed:
            merged_again.update(relative(path, project.root) for path in changed.paths)
            if attempts == MERGE_ATTEMPTS:
                raise CatalogChanged(changed.paths, "sync") from None
        else:
            result.merged_again = sorted(merged_again)
            return result


@dataclass
class _LanguagePlan:
    """What one target language's merge starts from."""

    language: str
    messages: dict[str, list[Incoming]]  # domain -> its incoming messages
    unchanged: set[str]  # domains whose catalog already holds exactly their messages
    changing: dict[str, list[Incoming]]  # the other domains and their messages
    catalogs: dict[str, cat.Catalog]  # the catalogs the merge reads, in the files' order
    orphans: set[str]  # domains whose documents are gone
    # domain -> the lines of the entries approved since the last run, whose
    # notes of their unreviewed state were dropped (catalog.clean_approved)
    cleaned: dict[str, list[int]] = field(default_factory=dict)
    merged: MergeResult | None = None


def _update_catalogs(project: Project, incoming: dict[str, dict[str, list[Incoming]]],
                     store: CatalogStore) -> SyncResult:
    result = SyncResult()
    started = time.perf_counter()
    targets = set(project.settings.languages) - {project.settings.source_language}
    plans = [_plan(project, language, incoming.get(language, {}), store, result)
             for language in sorted(set(incoming) | targets)]
    loaded = time.perf_counter()
    for plan in plans:
        wanted = {m.msgid for msgs in plan.messages.values() for m in msgs}
        original = language_name(source_language_of(project, plan.language))
        plan.merged = merge(plan.changing, plan.catalogs, project.settings.stale_match_threshold, cat.today(),
                            plan.orphans, wanted, original)
    merged_at = time.perf_counter()
    changes: list[tuple[cat.Catalog, str]] = []
    for plan in plans:
        for domain in plan.messages:
            report, change = _catalog_update(project, plan, domain, store)
            if change is not None:
                changes.append(change)
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


def _plan(project: Project, language: str, messages: dict[str, list[Incoming]], store: CatalogStore,
          result: SyncResult) -> _LanguagePlan:
    """Read what one language's merge needs: the catalogs that change, and those
    that may give a translation to French new to its catalog (orphans go to ``result``)."""
    paths = dict(cat.iter_catalogs(project.catalog_dir(language)))
    summaries = {domain: store.derived(path, MERGE_FACTS, merge_facts) for domain, path in paths.items()}
    messages = _in_catalog_style(project, messages, paths, store)
    orphans = {d for d in paths if orphaned(d, messages)}
    result.orphaned.extend(relative(paths[d], project.root) for d in sorted(orphans))
    # A translator approved entries (cleared their fuzzy flag) since the last
    # run: their catalogs are written again, without the unreviewed state's notes.
    approved = {d for d, path in paths.items() if d not in orphans and store.derived(path, APPROVED_FACTS, _approved)}
    unchanged = {d for d, msgs in messages.items()
                 if d in summaries and summaries[d][0] == messages_key(msgs) and d not in approved}
    changing = {d: msgs for d, msgs in messages.items() if d not in unchanged}
    catalogs = {d: store.load(paths[d]) for d in sorted((set(changing) | orphans) & set(paths))}
    # French new to its catalog may take the translation another holds.
    new_french = set()
    for domain, msgs in changing.items():
        known = {e.msgid for e in catalogs[domain].entries} if domain in catalogs else set()
        new_french.update(m.msgid for m in msgs if m.msgid not in known)
    sources = {d for d in unchanged if not summaries[d][1].isdisjoint(new_french)}
    catalogs.update((d, store.load(paths[d])) for d in sorted(sources))
    catalogs = {d: catalogs[d] for d in paths if d in catalogs}  # the merge's order: the files'
    # Before the merge: an approved translation that moves takes no stale notes along.
    cleaned = {d: [getattr(e, "linenum", 0) for e in c.po if cat.clean_approved(e)] for d, c in catalogs.items()}
    return _LanguagePlan(language, messages, unchanged, changing, catalogs, orphans, cleaned)


def _catalog_update(project: Project, plan: _LanguagePlan, domain: str,
                    store: CatalogStore) -> tuple[CatalogReport, tuple[cat.Catalog, str] | None]:
    """The report of one domain's catalog, and its new text when it changes."""
    if domain in plan.unchanged:
        path = project.catalog_dir(plan.language) / f"{domain}.po"
        return CatalogReport(plan.language, domain, relative(path, project.root), "unchanged"), None
    assert plan.merged is not None
    active, obsolete = plan.merged.entries[domain]
    report, catalog, text = _prepare(
        project, store, language=plan.language, domain=domain, existing=plan.catalogs.get(domain),
        active=active, obsolete=obsolete, counts=plan.merged.counts.get(domain, MergeCounts()),
        unchanged=domain in plan.merged.unchanged, approved=plan.cleaned.get(domain, []),
    )
    return report, (catalog, text) if text is not None else None


MERGE_FACTS = "merge:2"
LOCATION_FACTS = "locations:1"
APPROVED_FACTS = "approved:1"


def _approved(catalog: cat.Catalog) -> int:
    """The approved entries of a catalog that still carry notes of their unreviewed state."""
    return sum(cat.clean_approved(cat.copy_entry(e)) for e in catalog.po)


def merge_facts(catalog: cat.Catalog) -> tuple[str, frozenset[str]]:
    """What the merge needs to know of a catalog it may leave alone: the key
    of its active entries, and the French it holds a translation of."""
    active = [(e.msgctxt, e.msgid, tuple([tuple(o) for o in e.occurrences])) for e in catalog.entries]
    translated = frozenset(e.msgid for e in catalog.po if e.msgctxt is None and e.msgstr)
    return entries_key(active), translated


def _location_facts(catalog: cat.Catalog) -> tuple[frozenset[str], int]:
    """The paths a catalog's locations name, and its number of entries (its location style)."""
    entries = catalog.entries
    return frozenset(path for e in entries for path, _line in e.occurrences), len(entries)


def _in_catalog_style(project: Project, messages: dict[str, list[Incoming]],
                      paths: dict[str, Path], store: CatalogStore) -> dict[str, list[Incoming]]:
    """Each domain's messages with locations written as its catalog writes them
    (a new catalog: as most of the language's catalogs do; or as the
    ``locations_relative_to`` setting says), so that a catalog whose messages
    did not change is left as it is."""
    folder = project.settings.locations_relative_to
    if folder:
        styles = {}
        default = locations.relative_to(project.root, project.root / folder)
    else:
        styles = {d: locations.detect(*store.derived(paths[d], LOCATION_FACTS, _location_facts), msgs)
                  for d, msgs in messages.items() if d in paths}
        default = locations.prevailing(styles.values())
    result = {}
    for domain, msgs in messages.items():
        styled = locations.restyled(msgs, styles.get(domain) or default)
        result[domain] = msgs if styled is msgs else Messages(styled)
    return result


WRAP_FACTS = "wrap:1"


def _new_catalog_width(project: Project, language: str, store: CatalogStore) -> int | None:
    """The width a new catalog is wrapped at: the setting's, else the one most of the language's catalogs have."""
    if project.settings.wrap_width is not None:
        return project.settings.wrap_width
    widths = Counter(store.derived(path, WRAP_FACTS, lambda c: poformat.detect_width(c.original_text or ""))
                     for _domain, path in cat.iter_catalogs(project.catalog_dir(language)))
    return widths.most_common(1)[0][0] if widths else None


def journal_path(project: Project) -> Path:
    return project.cache_dir / "commit.journal"


def _prepare(project: Project, store: CatalogStore, *, language: str, domain: str,
             existing: cat.Catalog | None, active: list[cat.Entry], obsolete: list[cat.Entry],
             counts: MergeCounts, unchanged: bool,
             approved: Sequence[int] = ()) -> tuple[CatalogReport, cat.Catalog, str | None]:
    """The catalog of ``domain`` with the merge's entries (``existing``: as read,
    None for a new one), its report, and its text to write (None: unchanged).

    ``approved``: where the entries are that :func:`catalog.clean_approved`
    changed, as the file was read."""
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
    catalog.wrap_width = project.settings.wrap_width if existing is not None else _new_catalog_width(project, language, store)
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

