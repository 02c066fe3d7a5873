"""Merging extracted messages into existing catalogs without losing a translation.

For one target language, given the messages of every document (in order) and
the catalogs on disk, :func:`merge` decides the new content of each catalog:

* a message whose French is unchanged keeps its entry exactly;
* a message whose French exists translated in another catalog (a moved
  paragraph, a renamed document) or in the obsolete section takes that
  translation with its state;
* a message that is new gets the translation of the closest old message whose
  French disappeared (if close enough) as *stale*, with the previous French;
* a translated message whose French disappeared with nothing close goes to the
  obsolete section of its catalog. Nothing translated is ever dropped: plural
  entries go there too, and a second translation of one text (an obsolete
  entry repeating a live one, which gettext refuses) is kept on the entry
  that stays, as an ``# earlier translation:`` comment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rapidfuzz import fuzz, process

from . import catalog as cat
from .catalog import Catalog, Entry

CANDIDATES = 10  # closest lost translations considered for each new message


class Incoming(NamedTuple):
    """A message the sources now hold: its French and where it appears."""

    msgid: str
    occurrences: tuple[tuple[str, str], ...] = ()


@dataclass
class MergeCounts:
    new: int = 0  # entries with no translation to offer
    stale: int = 0  # entries that received the translation of changed French
    reused: int = 0  # entries that took an exact translation from elsewhere
    obsolete: int = 0  # translations moved to the obsolete section


@dataclass
class MergeResult:
    entries: dict[str, tuple[list[Entry], list[Entry]]]  # domain -> (active, obsolete)
    counts: dict[str, MergeCounts] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)  # domains whose entries are exactly as they were


def _translated(entry: Entry) -> bool:
    return bool(entry.msgstr) or any((entry.msgstr_plural or {}).values())


def _reusable(entry: Entry) -> bool:
    """A translation another message may take: a plain one (a plural entry stays where it is)."""
    return bool(entry.msgstr) and entry.msgctxt is None and not entry.msgid_plural


def _better(a: Entry, b: Entry) -> Entry:
    """The entry worth reusing of two translations of the same French."""
    rank = {cat.State.REVIEWED: 0, cat.State.STALE: 1, cat.State.MACHINE: 2}
    return a if rank.get(cat.entry_state(a), 3) <= rank.get(cat.entry_state(b), 3) else b


def merge(
    incoming: Mapping[str, Sequence[Incoming]],
    catalogs: Mapping[str, Catalog],
    threshold: float,
    today: str,
    keep: set[str] = frozenset(),  # type: ignore[assignment]
    wanted: set[str] | None = None,
    original: str = "French",
) -> MergeResult:
    """New entries of each domain of ``incoming``.

    ``catalogs`` are all catalogs of the language, the orphaned ones included;
    domains in ``keep`` (orphans) are read but never changed.

    ``incoming`` may leave out domains whose entries are exactly their
    messages (they would not change); ``wanted`` is then the French of every
    message of the language, and ``catalogs`` holds, of those domains, the
    ones with a translation of some French of ``incoming``. ``original``
    names the language of the originals in stale comments.
    """
    if wanted is None:
        wanted = {m.msgid for msgs in incoming.values() for m in msgs}

    # Translations on offer for exact reuse, and translations whose French is gone.
    exact: dict[str, Entry] = {}
    lost: list[tuple[str, Entry]] = []  # (domain, entry)
    for domain, catalog in catalogs.items():
        for entry in catalog.po:
            if not _reusable(entry):
                continue
            if entry.msgid in wanted:
                exact[entry.msgid] = _better(exact[entry.msgid], entry) if entry.msgid in exact else entry
            elif not entry.obsolete:
                lost.append((domain, entry))

    # Messages that no exact translation covers, and the closest lost translation.
    # Only French that is new to its catalog can take one: an entry that was
    # already there, even untranslated, keeps its state.
    unmatched: list[tuple[str, str]] = []  # (domain, msgid)
    for domain, msgs in incoming.items():
        known = {e.msgid for e in catalogs[domain].entries} if domain in catalogs else set()
        for m in msgs:
            if m.msgid not in exact and m.msgid not in known:
                unmatched.append((domain, m.msgid))
    assigned = _closest(unmatched, lost, threshold)

    result = MergeResult(entries={})
    used: set[int] = set()  # old entries whose translation lives on in an active entry
    for domain, msgs in incoming.items():
        counts = result.counts.setdefault(domain, MergeCounts())
        old = catalogs.get(domain)
        own = {e.msgid: e for e in old.entries if e.msgctxt is None} if old else {}
        own_obsolete = {e.msgid: e for e in (old.obsolete if old else []) if _reusable(e)}
        active: list[Entry] = []
        moved_lines = False
        for m in msgs:
            entry = own.get(m.msgid)
            if entry is not None:
                used.add(id(entry))
                moved_lines = moved_lines or entry.occurrences != list(m.occurrences)
            elif m.msgid in exact:
                # Back from this catalog's obsolete section, or taken from elsewhere.
                source = own_obsolete.get(m.msgid) or exact[m.msgid]
                used.add(id(source))
                entry = cat.copy_entry(source)
                counts.reused += m.msgid not in own_obsolete
            elif (domain, m.msgid) in assigned:
                previous = assigned[(domain, m.msgid)]
                used.add(id(previous))
                entry = cat.copy_entry(previous)
                entry.msgid = m.msgid
                cat.mark_stale(entry, previous.msgid, today, original)
                counts.stale += 1
            else:
                entry = cat.new_entry(m.msgid)
                counts.new += 1
            entry.occurrences = list(m.occurrences)
            active.append(entry)
        result.entries[domain] = (active, [])
        if old is not None and not moved_lines and _same_objects(active, old.entries):
            result.unchanged.add(domain)  # unless an entry goes obsolete, below

    # Translations that live on nowhere go to the obsolete section of their catalog.
    for domain, (active, _) in result.entries.items():
        old = catalogs.get(domain)
        if old is None:
            continue
        # (a plural entry's translation is in its msgstr[n] forms: it goes too)
        gone = [cat.copy_entry(e) for e in old.entries
                if (_translated(e) or e.msgid_plural and cat.entry_state(e) is not cat.State.UNTRANSLATED)
                and id(e) not in used]
        result.counts[domain].obsolete += len(gone)
        if gone:
            result.unchanged.discard(domain)
        live = {(e.msgctxt, e.msgid): e for e in active}
        kept = []
        for entry in old.obsolete:
            twin = live.get((entry.msgctxt, entry.msgid))
            if twin is None:
                kept.append(entry)
            elif _keep_earlier(twin, entry):
                result.unchanged.discard(domain)
        obsolete = _unique_obsolete(gone + kept)
        if len(obsolete) < len(gone) + len(kept):
            result.unchanged.discard(domain)
        result.entries[domain] = (active, obsolete)

    # Catalogs whose document is gone are kept exactly as they are.
    for domain in keep:
        result.entries.pop(domain, None)
    return result


def _same_objects(a: list[Entry], b: list[Entry]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _keep_earlier(entry: Entry, other: Entry) -> bool:
    """Keep on ``entry`` the translations of ``other`` it lacks; whether any was."""
    before = entry.tcomment
    cat.keep_earlier(entry, other)
    return entry.tcomment != before


def _unique_obsolete(entries: list[Entry]) -> list[Entry]:
    """One obsolete entry per message (gettext rejects duplicates); the newest wins,
    keeping the other translations as earlier ones."""
    seen: dict[tuple[str | None, str], Entry] = {}
    unique = []
    for entry in entries:
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            _keep_earlier(seen[key], entry)
        else:
            seen[key] = entry
            unique.append(entry)
    return unique


def _closest(
    unmatched: list[tuple[str, str]],
    lost: list[tuple[str, Entry]],
    threshold: float,
) -> dict[tuple[str, str], Entry]:
    """Pair new messages with lost translations, closest pairs first, one to one."""
    if not unmatched or not lost:
        return {}
    cutoff = threshold * 100
    choices = [entry.msgid for _, entry in lost]
    pairs: list[tuple[float, int, int]] = []
    for i, (domain, msgid) in enumerate(unmatched):
        for _, score, j in process.extract(
            msgid, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=CANDIDATES
        ):
            # Prefer a lost translation of the same document when scores tie.
            pairs.append((score + (0.5 if domain == lost[j][0] else 0.0), i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    assigned: dict[tuple[str, str], Entry] = {}
    for _, i, j in pairs:
        if i in taken_new or j in taken_old:
            continue
        taken_new.add(i)
        taken_old.add(j)
        assigned[unmatched[i]] = lost[j][1]
    return assigned
