"""The state of a catalog entry, read from and written to its flags and comments.

No file is read or written here: these functions look at and change one
entry (a polib ``POEntry``) at a time. The states, and how each is stored
in a .po file, are the README's table ("The catalog states"):

============  ==========================================================
untranslated  empty msgstr
machine       msgstr set, ``#, fuzzy``, a ``# draft: ENGINE DATE`` comment
stale         msgstr set, ``#, fuzzy`` (previous French kept as ``#| msgid``)
reviewed      msgstr set, not fuzzy
============  ==========================================================
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import enum
import hashlib
import re

import polib

POLIB_WRAP_WIDTH = 78  # the column polib wraps a comment line at (gettext's page width is poformat.PAGE_WIDTH)
DRAFT_PREFIX = "draft: "
STALE_PREFIX = "stale: "  # "stale: French changed on DATE", naming the original's language
_STALE_DATE = re.compile(r" changed on (\S+)$")
CHECK_PREFIX = "draft check failed: "
GLOSSARY_PREFIX = "glossary: "
DRAFT_NOTE_PREFIX = "draft check: "  # a stored draft a reviewer should look at twice (numbers differ)
TOOL_PREFIXES = (DRAFT_PREFIX, STALE_PREFIX, CHECK_PREFIX, GLOSSARY_PREFIX, DRAFT_NOTE_PREFIX)  # comments the tool owns
EARLIER_PREFIX = "earlier translation: "  # another translation of the same text, kept (see keep_earlier)


class State(enum.StrEnum):
    REVIEWED = "reviewed"
    MACHINE = "machine"
    STALE = "stale"
    UNTRANSLATED = "untranslated"


STATES = tuple(State)

Entry = polib.POEntry
"""One entry of a catalog (its msgid, msgstr, flags and comments)."""


def entry_state(entry: polib.POEntry) -> State:
    """The state of one entry, read from its flags and comments."""
    if not entry.msgstr and not any(entry.msgstr_plural.values() if entry.msgstr_plural else ()):
        return State.UNTRANSLATED
    if "fuzzy" not in entry.flags:
        return State.REVIEWED
    if draft_origin(entry) is not None and not _draft_edited(entry):
        return State.MACHINE
    # Fuzzy words of a translator: a reviewed translation whose French changed,
    # or a machine draft a translator rewrote without approving it yet.
    return State.STALE


def outdated_draft(entry: polib.POEntry) -> bool:
    """A machine draft whose original changed since (``sync`` kept the old one as ``#| msgid``)."""
    return entry_state(entry) is State.MACHINE and bool(entry.previous_msgid)


def _tool_lines(entry: polib.POEntry, prefix: str) -> list[str]:
    return [line for line in (entry.tcomment or "").splitlines() if line.startswith(prefix)]


_FINGERPRINT = re.compile(r"\s#([0-9a-f]{8})$")


def _fingerprint(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


def _draft_line(entry: polib.POEntry) -> str | None:
    lines = _tool_lines(entry, DRAFT_PREFIX)
    return lines[-1][len(DRAFT_PREFIX):].strip() if lines else None


def draft_origin(entry: polib.POEntry) -> str | None:
    """The engine and date named by the entry's ``# draft:`` comment, if any."""
    line = _draft_line(entry)
    return _FINGERPRINT.sub("", line) if line is not None else None


def _draft_edited(entry: polib.POEntry) -> bool:
    """Whether the msgstr is no longer the text the engine gave (a translator's edit).

    Drafts record a fingerprint of their text (``# draft: deepl 2026-11-26 #1a2b3c4d``);
    drafts written without one count as unedited.
    """
    match = _FINGERPRINT.search(_draft_line(entry) or "")
    return match is not None and match.group(1) != _fingerprint(entry.msgstr)


def draft_note(entry: polib.POEntry) -> str | None:
    """What the ``# draft check:`` comment asks a reviewer to look at (numbers that differ), if any."""
    lines = _tool_lines(entry, DRAFT_NOTE_PREFIX)
    return lines[0][len(DRAFT_NOTE_PREFIX):] if lines else None


def stale_since(entry: polib.POEntry) -> str | None:
    """The date (YYYY-MM-DD) the original of a stale entry changed, if recorded."""
    lines = _tool_lines(entry, STALE_PREFIX)
    match = _STALE_DATE.search(lines[-1].strip()) if lines else None
    return match.group(1) if match else None


def set_tool_comment(entry: polib.POEntry, prefix: str, value: str | None) -> None:
    """Replace the entry's tool comment of kind ``prefix`` (None removes it).

    Translator comments that are not the tool's are kept, in order.
    """
    kept = [line for line in (entry.tcomment or "").splitlines() if not line.startswith(prefix)]
    if value is not None:
        kept.append(prefix + value)
    entry.tcomment = "\n".join(kept)


def mark_stale(entry: polib.POEntry, previous_msgid: str, today: str, original: str = "French") -> None:
    """Flag a translation whose original changed: fuzzy, previous original, date.

    ``original`` names the original's language in the tool's words ("English").
    """
    machine = entry_state(entry) is State.MACHINE
    if not entry.previous_msgid:
        entry.previous_msgid = previous_msgid
    if "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    if not machine:
        # A translator's words (reviewed, or a draft they rewrote): stale, never re-drafted.
        set_tool_comment(entry, DRAFT_PREFIX, None)
        set_tool_comment(entry, STALE_PREFIX, f"{original} changed on {today}")


def mark_draft(entry: polib.POEntry, text: str, origin: str, today: str) -> None:
    """Store a machine draft: fuzzy, with a comment naming the engine."""
    entry.msgstr = text
    if "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    entry.previous_msgid = None
    set_tool_comment(entry, STALE_PREFIX, None)
    set_tool_comment(entry, CHECK_PREFIX, None)
    tail = f" {today} #{_fingerprint(text)}"
    room = POLIB_WRAP_WIDTH - len("# ") - len(DRAFT_PREFIX) - len(tail)  # polib wraps longer comments
    if len(origin) > room:
        origin = origin.split(" (")[0][:room]  # "memory 87%" without the catalog it came from
    set_tool_comment(entry, DRAFT_PREFIX, origin + tail)


# The tool's comments that only describe an entry not yet reviewed: who drafted it,
# what its checks found, since when its original changed. An approval ends them.
UNREVIEWED_PREFIXES = (DRAFT_PREFIX, STALE_PREFIX, CHECK_PREFIX, GLOSSARY_PREFIX, DRAFT_NOTE_PREFIX)


def clean_approved(entry: polib.POEntry) -> bool:
    """Drop, from an approved entry, what only described its unreviewed state.

    An entry is approved when a translator cleared its fuzzy flag (in any PO
    editor, or the review page). Its previous original (``#| msgid``,
    ``#| msgctxt``, ``#| msgid_plural``) and the tool's ``# draft:``,
    ``# stale:``, ``# draft check:``, ``# draft check failed:`` and
    ``# glossary:`` comments go; comments written by people, and the
    ``# earlier translation:`` ones, stay in order. Any other entry is left as
    it is. Whether anything was dropped.
    """
    if entry_state(entry) is not State.REVIEWED:
        return False
    before = (entry.previous_msgid, entry.previous_msgctxt, entry.previous_msgid_plural, entry.tcomment)
    entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
    if entry.tcomment:
        lines = entry.tcomment.splitlines()
        kept = [line for line in lines if not line.startswith(UNREVIEWED_PREFIXES)]
        if len(kept) < len(lines):
            entry.tcomment = "\n".join(kept)
    after = (entry.previous_msgid, entry.previous_msgctxt, entry.previous_msgid_plural, entry.tcomment)
    return after != before


def today() -> str:
    """Today's date (YYYY-MM-DD) in the machine's local time zone: the date a person
    reads in ``# stale: ... changed on DATE`` and ``# draft: ENGINE DATE``."""
    return _dt.date.today().isoformat()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def translations(entry: polib.POEntry) -> list[str]:
    """The translation texts an entry holds: its msgstr or plural forms, and
    the earlier translations kept on it."""
    texts = [entry.msgstr] if entry.msgstr else []
    texts += [text for _, text in sorted((entry.msgstr_plural or {}).items()) if text]
    for line in (entry.tcomment or "").splitlines():
        if line.startswith(EARLIER_PREFIX):
            with contextlib.suppress(ValueError):
                texts.append(_unquote(line[len(EARLIER_PREFIX):]))
    return texts


def keep_earlier(entry: polib.POEntry, other: polib.POEntry) -> None:
    """Keep on ``entry`` the translations of ``other`` (the same text) it does not hold.

    gettext allows one entry per text, so a second translation of it (an
    obsolete ``#~`` entry repeating a live one) becomes a comment line of the
    entry that stays: ``# earlier translation: "..."``.
    """
    held = set(translations(entry))
    lines = (entry.tcomment or "").splitlines()
    first = sum(1 for line in lines if line.startswith(EARLIER_PREFIX))
    added = []
    for text in translations(other):
        if text not in held:
            held.add(text)
            added.append(EARLIER_PREFIX + _quote(text))
    if added:
        entry.tcomment = "\n".join(lines[:first] + added + lines[first:])


def _quote(text: str) -> str:
    return '"' + polib.escape(text) + '"'


def _unquote(quoted: str) -> str:
    if len(quoted) < 2 or not (quoted.startswith('"') and quoted.endswith('"')):
        raise ValueError(quoted)
    return polib.unescape(quoted[1:-1])
