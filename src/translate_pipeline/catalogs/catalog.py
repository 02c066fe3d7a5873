"""The catalog layer's operations: reading a catalog, writing catalogs safely,
and applying a run's changes to a file someone saved meanwhile.

Its parts, each with one concern:

- :mod:`.states`: the state of an entry (reviewed, machine, stale,
  untranslated) and the tool's comments that record it; no I/O;
- :mod:`.pofile`: the .po files, read (and checked), laid out and created;
- :mod:`.store`: :class:`~.store.CatalogStore`, what a command knows of the
  catalogs it read, kept by content.

Other code imports the names it uses from here (``catalog.State``,
``catalog.Catalog``, ``catalog.write_catalogs``...); the states and how
each is stored are the README's table ("The catalog states").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import polib

from ..errors import CatalogChanged, CatalogError  # noqa: F401 - what the operations raise, for their callers
from ..files import commit
from .pofile import (  # noqa: F401 - Catalog and the operations on files, for other modules
    Catalog,
    compiled,
    copy_entry,
    entry_value,
    header_value,
    holds,
    iter_catalogs,
    mo_bytes,
    new_catalog,
    new_entry,
    parse_text,
    plural_forms,
    read_catalog,
    replace_entries,
)
from .states import (  # noqa: F401 - the state model, for other modules
    CHECK_PREFIX,
    DRAFT_NOTE_PREFIX,
    DRAFT_PREFIX,
    GLOSSARY_PREFIX,
    POLIB_WRAP_WIDTH,
    STALE_PREFIX,
    STATES,
    TOOL_PREFIXES,
    UNREVIEWED_PREFIXES,
    Entry,
    State,
    clean_approved,
    draft_note,
    draft_origin,
    entry_state,
    keep_earlier,
    mark_draft,
    mark_stale,
    outdated_draft,
    set_tool_comment,
    stale_since,
    today,
    translations,
    word_count,
)
from .store import CatalogStore

T = TypeVar("T")


def load(path: Path, store: CatalogStore | None = None) -> Catalog:
    """Read a catalog to change it; a malformed file raises :class:`CatalogError` with its line.

    ``store``: what the command already knows of the catalogs (a file whose
    bytes it parsed before is not parsed again)."""
    return store.load(path) if store is not None else read_catalog(path)


def read(path: Path, store: CatalogStore | None = None) -> Catalog:
    """Read a catalog, not to change it: with ``store``, the copy its other readers share."""
    return store.read(path) if store is not None else read_catalog(path)


def derived(path: Path, name: str, compute: Callable[[Catalog], T], store: CatalogStore | None = None) -> T:
    """``compute`` of the catalog at ``path``; with ``store``, computed once per content
    of the file (see :meth:`CatalogStore.derived`)."""
    return (store or CatalogStore()).derived(path, name, compute)


def write_catalogs(catalogs: Iterable[Catalog], journal: Path) -> list[Catalog]:
    """Write those of ``catalogs`` that changed, all or none of them, if every
    one is still the file it was read from.

    Right before the files are replaced (the caller holds the project's lock),
    each is checked against what was read; if any changed on disk meanwhile
    (a PO editor, ``git pull``, Weblate), none is written and
    :class:`CatalogChanged` names them: the caller merges again from the new
    files, applies its changes to them (:func:`rebase`), or stops. A person's
    save is never overwritten. Returns the catalogs written.
    """
    texts = [(catalog, catalog.new_text()) for catalog in catalogs]
    changed = [(catalog, text) for catalog, text in texts if text is not None]
    write_texts(changed, journal)
    return [catalog for catalog, _ in changed]


def write_texts(changes: list[tuple[Catalog, str]], journal: Path) -> None:
    """Write each catalog's rendered ``text``, all or none, as :func:`write_catalogs` does.

    The one way catalogs reach the disk: :class:`CatalogChanged` when one of
    them is no longer the file it was read from.
    """
    if not changes:
        return
    commit(
        [(catalog.path, text) for catalog, text in changes],
        journal,
        expected={catalog.path: catalog.read_digest for catalog, _ in changes},
    )
    for catalog, text in changes:
        catalog.saved(text)


@dataclass
class Rebased:
    """What :func:`rebase` did: entries changed by this run that were applied
    to the new file, and those a person changed too (their version was kept)."""

    applied: int = 0
    kept_theirs: int = 0


def rebase(catalog: Catalog) -> Rebased:
    """Make ``catalog`` the file on disk now, with this run's changes applied to it.

    This run's changes are what differs between the catalog in memory and the
    file as it was read. Each changed entry (and the header) is applied where
    the new file still has it as it was read; where the person changed it
    too, or removed it, theirs stays. Entries this run added are added.
    Entries left unchanged are the new file's objects; the changed ones stay
    the objects the caller holds. Raises :class:`CatalogError` when the new
    file is malformed.
    """
    base = parse_text(catalog.original_text, catalog.path) if catalog.original_text is not None else None
    theirs = read_catalog(catalog.path) if catalog.path.exists() else None
    result = Rebased()
    base_entries = _keyed(base or [])
    ours = _keyed(catalog.po)
    po = theirs.po if theirs is not None else polib.POFile(wrapwidth=POLIB_WRAP_WIDTH)
    merged: list[polib.POEntry] = []
    placed: set[tuple] = set()
    for key, entry in _keyed(po).items():
        mine, was = ours.get(key), base_entries.get(key)
        placed.add(key)
        if mine is not None and (was is None or entry_value(mine) != entry_value(was)) \
                and entry_value(mine) != entry_value(entry):
            if was is not None and entry_value(entry) == entry_value(was):
                merged.append(mine)
                result.applied += 1
                continue
            result.kept_theirs += 1
        merged.append(entry)
    for key, mine in ours.items():
        was = base_entries.get(key)
        if key in placed:
            continue
        if was is None:  # added by this run
            merged.append(mine)
            result.applied += 1
        elif entry_value(mine) != entry_value(was):
            result.kept_theirs += 1  # changed here, removed there: removed
    header_changed = base is None or header_value(catalog.po) != header_value(base)
    if theirs is None or (header_changed and base is not None and header_value(po) == header_value(base)):
        po.header, po.metadata = catalog.po.header, catalog.po.metadata
        po.metadata_is_fuzzy = catalog.po.metadata_is_fuzzy
    original_signature = theirs.original_signature if theirs is not None else None
    del po[:]
    po.extend(sorted(merged, key=lambda e: e.obsolete))
    catalog.po = po
    catalog.original_text = theirs.original_text if theirs is not None else None
    catalog.original_signature = original_signature
    return result


def _keyed(entries: Iterable[polib.POEntry]) -> dict[tuple, polib.POEntry]:
    """Entries by (context, text, plural, obsolete, rank among equals), in order."""
    keyed: dict[tuple, polib.POEntry] = {}
    seen: dict[tuple, int] = {}
    for entry in entries:
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural, entry.obsolete)
        rank = seen.get(key, 0)
        seen[key] = rank + 1
        keyed[(*key, rank)] = entry
    return keyed
