"""Catalogs: reading, writing and the state of every entry.

This is the one module that touches .po files (through polib). Everything
else works with :class:`Catalog` and :class:`State`.

State model (see DESIGN.md):

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
import pickle
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polib

from .. import __version__
from ..compat.polib import parse_lines
from . import poformat, polint
from ..errors import CatalogChanged, CatalogError
from ..files import atomic_write_bytes, commit, current_digest, digest

WRAP_WIDTH = 78
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
    room = WRAP_WIDTH - len("# ") - len(DRAFT_PREFIX) - len(tail)  # polib wraps longer comments
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


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M%z")


def today() -> str:
    return _dt.date.today().isoformat()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


@dataclass
class Catalog:
    """One .po file: its path and its polib object."""

    path: Path
    po: polib.POFile
    original_text: str | None = None  # the file's text as read (None: new)
    original_signature: tuple | None = None  # what the file holds, wrapping aside
    wrap_width: int | None = None  # columns strings are wrapped at (0: none); None: as the file is

    @property
    def entries(self) -> list[polib.POEntry]:
        """Active entries, in file order."""
        return [e for e in self.po if not e.obsolete]

    @property
    def obsolete(self) -> list[polib.POEntry]:
        return [e for e in self.po if e.obsolete]

    def states(self) -> Iterator[tuple[polib.POEntry, State]]:
        for entry in self.entries:
            yield entry, entry_state(entry)

    def text(self) -> str:
        return _render(self)

    def new_text(self) -> str | None:
        """The text to write, or None when the content is the file's.

        A file whose only difference is its line wrapping (saved by another
        PO editor) counts as unchanged: it is not rewritten for that alone.
        """
        if self.original_text is not None and signature(self.po) == self.original_signature:
            return None
        return self.text()

    def saved(self, text: str) -> None:
        """Record that ``text`` is now the file's content."""
        self.original_text = text
        self.original_signature = signature(self.po)

    @property
    def read_digest(self) -> str | None:
        """The digest of the file as it was read (None: there was no file)."""
        return None if self.original_text is None else digest(self.original_text.encode("utf-8"))

    def changed_on_disk(self) -> bool:
        """Whether the file is no longer the one this catalog was read from."""
        return current_digest(self.path) != self.read_digest


def _entry_value(e: polib.POEntry) -> tuple:
    return (
        e.msgctxt, e.msgid, e.msgid_plural, e.msgstr,
        tuple(sorted((e.msgstr_plural or {}).items())), tuple(e.flags),
        e.previous_msgctxt, e.previous_msgid, e.previous_msgid_plural,
        e.tcomment, e.comment, tuple(map(tuple, e.occurrences)), e.obsolete,
    )


def _header_value(po: polib.POFile) -> tuple:
    return po.header, tuple(sorted(po.metadata.items())), po.metadata_is_fuzzy


def signature(po: polib.POFile) -> tuple:
    """Everything a catalog holds, as a value (two files with the same
    signature differ at most in line wrapping)."""
    return (*_header_value(po), tuple(_entry_value(e) for e in po))


def holds(catalog: Catalog, text: str) -> bool:
    """Whether ``text`` is a catalog with exactly ``catalog``'s content (wrapping aside)."""
    try:
        return signature(_parse_text(text, catalog.path)) == signature(catalog.po)
    except CatalogError:
        return False


def _render(catalog: Catalog) -> str:
    """The catalog's text as gettext's tools write it (:mod:`translate_pipeline.catalogs.poformat`),
    wrapped as the file was (unwrapped, or at gettext's width) and with its header as it was."""
    original = catalog.original_text
    width = catalog.wrap_width
    if width is None:
        width = poformat.detect_width(original) if original is not None else poformat.PAGE_WIDTH
    header = poformat.original_header(original) if original is not None else None
    text = poformat.render(catalog.po, width, header)
    if catalog.wrap_width is None and original is not None and original.endswith("\n\n"):
        text += "\n"  # the file ended with an empty line (Babel writes one): it still does
    return text


_LINE_RE = re.compile(r"\(line (\d+)\)")


def _gettext_lines(text: str) -> list[str]:
    """A catalog's lines as gettext reads them, for polib.

    gettext ends a line at ``\\n`` only (polib's own split also ends one at a
    form feed, U+2028 and other separators: :func:`compat.polib.parse_lines`);
    and polib's ``unescape`` knows no octal or hex escape
    (:func:`polint.plain_escapes`).
    """
    return [_POLIB_SPACING.sub(r"\1 \2", polint.plain_escapes(line)) for line in polint.lines(text)]


# Lines gettext reads that polib does not: a keyword glued to its string
# (``msgid"a"``), a translator comment with no space after ``#`` (``#note``).
_POLIB_SPACING = re.compile(r"^(\s*(?:#~\s*)?(?:#\|\s*)?(?:msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)"
                            r"|#)((?<=#)[^\s,:.|~]|(?<!#)\")")


def _parse_text(text: str, path: Path) -> polib.POFile:
    try:
        po = parse_lines(text, _gettext_lines(text), wrapwidth=WRAP_WIDTH, encoding="utf-8")
    except (OSError, ValueError, UnicodeError) as error:
        message = str(error)
        match = _LINE_RE.search(message)
        line = int(match.group(1)) if match else None
        detail = message.split("):", 1)[-1].strip() if "):" in message else ""
        what = f"not a valid .po file ({detail})" if detail else "not a valid .po file"
        raise CatalogError(
            path, line, f"{what}; fix it (msgfmt --check shows the problem) and run again"
        ) from None
    return po


# What is known of a catalog depends only on its bytes: once parsed (and
# checked), a file is not parsed again while its bytes stay the same, and the
# facts computed from it (its status numbers, what a policy publishes of
# it...) are not computed again. Both are kept in memory for the run and, when
# a cache folder is set (use_cache), on disk between runs: one small file per
# content digest and fact, so a run reads what it needs and writes only what
# is new.
_CACHE_VERSION = f"v5-polib{polib.__version__}-{__version__}"
_cache_dir: Path | None = None
_PARSED: dict[str, tuple[str, bytes]] = {}  # path -> (digest, pickled POFile)
_SHARED: dict[str, tuple[str, Catalog]] = {}  # path -> (digest, the copy readers share)
_DERIVED: dict[tuple[str, str], tuple[str, Any]] = {}  # (path, fact) -> (digest, value)

T = TypeVar("T")


def use_cache(directory: Path) -> None:
    """Keep parsed catalogs and their facts in ``directory`` between runs."""
    global _cache_dir
    _cache_dir = directory / _CACHE_VERSION
    with contextlib.suppress(OSError):
        _cache_dir.mkdir(parents=True, exist_ok=True)


def prune_cache(catalog_files: Iterable[Path]) -> int:
    """Forget what the cache holds of files that are no more; returns how many were removed.

    ``catalog_files`` are every catalog the project has. Folders of an older
    cache format are removed too.
    """
    if _cache_dir is None or not _cache_dir.is_dir():
        return 0
    for old in _cache_dir.parent.iterdir():
        if old.is_dir() and old != _cache_dir:
            shutil.rmtree(old, ignore_errors=True)
    current = set()
    for path in catalog_files:
        with contextlib.suppress(OSError):
            current.add(file_digest(path))
    removed = 0
    for item in _cache_dir.iterdir():
        if item.name.split(".", 1)[0] not in current:
            with contextlib.suppress(OSError):
                item.unlink()
                removed += 1
    return removed


def _cache_file(digest: str, fact: str) -> Path | None:
    if _cache_dir is None:
        return None
    return _cache_dir / f"{digest}.{hashlib.blake2b(fact.encode(), digest_size=8).hexdigest()}"


def _cached(digest: str, fact: str) -> bytes | None:
    path = _cache_file(digest, fact)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def _keep(digest: str, fact: str, data: bytes) -> None:
    path = _cache_file(digest, fact)
    if path is not None:
        with contextlib.suppress(OSError):  # a cache is only ever a shortcut
            atomic_write_bytes(path, data)


def load(path: Path) -> Catalog:
    """Read a catalog; a malformed file raises :class:`CatalogError` with its line."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CatalogError(path, None, f"cannot be read: {error.strerror}") from None
    digest = _digest(raw)
    known = _PARSED.get(str(path))
    blob = known[1] if known is not None and known[0] == digest else _cached(digest, "parsed")
    if blob is not None:
        try:
            po = pickle.loads(blob)
        except Exception:  # noqa: BLE001 - a damaged cache file: parse the catalog
            po = None
        if isinstance(po, polib.POFile):
            _PARSED[str(path)] = (digest, blob)
            return Catalog(path=path, po=po, original_text=raw.decode("utf-8"), original_signature=signature(po))
    catalog = _load_new(path, raw)
    blob = pickle.dumps(catalog.po, protocol=pickle.HIGHEST_PROTOCOL)
    _PARSED[str(path)] = (digest, blob)
    _keep(digest, "parsed", blob)
    return catalog


def read(path: Path) -> Catalog:
    """A catalog to read, not to change: the readers of one run (the status
    numbers, the published catalogs) share one copy while the file's bytes stay
    the same. Writers use :func:`load`, which gives each its own copy."""
    try:
        digest = file_digest(path)
    except OSError:
        return load(path)  # says what is wrong
    shared = _SHARED.get(str(path))
    if shared is not None and shared[0] == digest:
        return shared[1]
    catalog = load(path)
    _SHARED[str(path)] = (digest, catalog)
    return catalog


def derived(path: Path, name: str, compute: Callable[[Catalog], T]) -> T:
    """``compute(read(path))``, computed again only when the file's bytes change.

    ``name`` names what ``compute`` computes, with everything besides the
    file that it depends on (a policy, a language); values must pickle.
    Values are shared: do not change them. A malformed file raises
    :class:`CatalogError`.
    """
    try:
        digest = file_digest(path)
    except OSError:
        return compute(load(path))  # load says what is wrong
    known = _DERIVED.get((str(path), name))
    if known is not None and known[0] == digest:
        return known[1]
    blob = _cached(digest, name)
    if blob is not None:
        try:
            value = pickle.loads(blob)
        except Exception:  # noqa: BLE001 - a damaged cache file: compute again
            pass
        else:
            _DERIVED[(str(path), name)] = (digest, value)
            return value
    value = compute(read(path))
    _DERIVED[(str(path), name)] = (digest, value)
    _keep(digest, name, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


_digest = digest


_DIGESTS: dict[str, tuple[tuple[int, ...], str]] = {}  # path -> (what stat says of the file, digest)


def file_digest(path: Path) -> str:
    """The digest of the file's bytes, read again only when the file changed
    (any write changes its change time, a replacement its inode)."""
    stat = path.stat()
    key = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    known = _DIGESTS.get(str(path))
    if known is not None and known[0] == key:
        return known[1]
    digest = _digest(path.read_bytes())
    _DIGESTS[str(path)] = (key, digest)
    return digest


def _load_new(path: Path, raw: bytes) -> Catalog:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CatalogError(
            path, line, "is not UTF-8; convert it (msgconv --to-code=UTF-8) and run again"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CatalogError(path, line, "contains a NUL byte; the file is damaged")
    _lint(text, path)
    po = _parse_text(text, path)
    _check_entries(po, path, text)
    return Catalog(path=path, po=po, original_text=text, original_signature=signature(po))


def _lint(text: str, path: Path) -> None:
    """Refuse what ``msgfmt --check`` refuses, before polib reads the text leniently."""
    problem = polint.check(text)
    if problem is not None:
        raise CatalogError(
            path, problem.line, f"not a valid .po file: {problem.message}; fix it (msgfmt --check "
            "shows the problem) and run again"
        )


def _check_entries(po: polib.POFile, path: Path, text: str) -> None:
    seen: dict[tuple[str | None, str, bool], int] = {}
    for entry in po:
        key = (entry.msgctxt, entry.msgid, entry.obsolete)
        line = getattr(entry, "linenum", None)
        if key in seen and not entry.obsolete:
            raise CatalogError(
                path,
                line,
                f"duplicate entry for msgid {_short(entry.msgid)} (first at line {seen[key]}); "
                "merge the two entries by hand and run again",
            )
        seen[key] = line or 0


def _short(text: str, width: int = 50) -> str:
    text = text.replace("\n", " ")
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def new_catalog(
    path: Path, language: str, project: str, plural_forms: str, title: str = ""
) -> Catalog:
    po = polib.POFile(wrapwidth=WRAP_WIDTH)
    po.header = title or f"{project}: translation into {language}"
    now = _now()
    po.metadata = {
        "Project-Id-Version": project,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": now,
        "PO-Revision-Date": now,
    }
    catalog = Catalog(path=path, po=po, original_text=None)
    complete_header(catalog, language, project)
    po.metadata["Plural-Forms"] = plural_forms
    return catalog


# gettext's own Plural-Forms where CLDR's differ (PO editors expect these).
GETTEXT_PLURALS = {"fr": "nplurals=2; plural=(n > 1);"}


def plural_forms(language: str) -> str:
    from babel.messages.plurals import get_plural

    return GETTEXT_PLURALS.get(language) or get_plural(language).plural_forms


REQUIRED_HEADER = (
    "Project-Id-Version",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)


def complete_header(catalog: Catalog, language: str, project: str) -> None:
    """Add the header fields gettext requires, keeping every field already set.

    The file is written in UTF-8, so the declared charset is UTF-8.
    """
    meta = catalog.po.metadata
    defaults = {
        "Project-Id-Version": project,
        "PO-Revision-Date": meta.get("POT-Creation-Date") or _now(),
        "Last-Translator": "",
        "Language-Team": "",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    for key in REQUIRED_HEADER:
        if key not in meta:
            meta[key] = defaults[key]
    if "charset=utf-8" not in meta["Content-Type"].lower().replace(" ", ""):
        meta["Content-Type"] = "text/plain; charset=UTF-8"


def new_entry(msgid: str, occurrences: Iterable[tuple[str, str]] = ()) -> polib.POEntry:
    return polib.POEntry(msgid=msgid, msgstr="", occurrences=list(occurrences))


def copy_entry(entry: polib.POEntry) -> polib.POEntry:
    """A detached copy of an entry (same text, state and comments, not obsolete); a
    plural entry stays one."""
    return polib.POEntry(
        msgid=entry.msgid,
        msgstr=entry.msgstr,
        msgid_plural=entry.msgid_plural,
        msgstr_plural=dict(entry.msgstr_plural or {}),
        msgctxt=entry.msgctxt,
        flags=list(entry.flags),
        tcomment=entry.tcomment,
        comment=entry.comment,
        previous_msgid=entry.previous_msgid,
        previous_msgid_plural=entry.previous_msgid_plural,
        previous_msgctxt=entry.previous_msgctxt,
        occurrences=list(entry.occurrences),
    )


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


def replace_entries(
    catalog: Catalog, active: list[polib.POEntry], obsolete: list[polib.POEntry]
) -> None:
    """Set the catalog's entries: ``active`` in order, then ``obsolete`` (``#~``)."""
    del catalog.po[:]
    for entry in active:
        entry.obsolete = False
        catalog.po.append(entry)
    for entry in obsolete:
        entry.obsolete = True
        # gettext keeps no source references on obsolete entries
        entry.occurrences = []
        catalog.po.append(entry)


def iter_catalogs(directory: Path) -> Iterator[tuple[str, Path]]:
    """(domain, path) of every .po file below ``directory``, sorted."""
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*.po")):
        domain = path.relative_to(directory).with_suffix("").as_posix()
        yield domain, path


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
    base = _parse_text(catalog.original_text, catalog.path) if catalog.original_text is not None else None
    theirs = load(catalog.path) if catalog.path.exists() else None
    result = Rebased()
    base_entries = _keyed(base or [])
    ours = _keyed(catalog.po)
    po = theirs.po if theirs is not None else polib.POFile(wrapwidth=WRAP_WIDTH)
    merged: list[polib.POEntry] = []
    placed: set[tuple] = set()
    for key, entry in _keyed(po).items():
        mine, was = ours.get(key), base_entries.get(key)
        placed.add(key)
        if mine is not None and (was is None or _entry_value(mine) != _entry_value(was)) \
                and _entry_value(mine) != _entry_value(entry):
            if was is not None and _entry_value(entry) == _entry_value(was):
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
        elif _entry_value(mine) != _entry_value(was):
            result.kept_theirs += 1  # changed here, removed there: removed
    header_changed = base is None or _header_value(catalog.po) != _header_value(base)
    if theirs is None or (header_changed and base is not None and _header_value(po) == _header_value(base)):
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


def mo_bytes(translations: dict[str, str], language: str) -> bytes:
    """A compiled catalog (.mo) holding exactly ``translations`` (msgid -> msgstr).

    The caller decides what is published, whatever the state of each entry
    (polib would skip fuzzy entries; the entries built here carry no flag).
    The bytes depend on the translations only, so an unchanged catalog
    compiles to identical bytes.
    """
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Language": language,
    }
    for msgid in sorted(translations):
        po.append(polib.POEntry(msgid=msgid, msgstr=translations[msgid]))
    return po.to_binary()


def compiled(catalog: Catalog) -> bytes:
    """The catalog compiled as ``msgfmt`` does: reviewed entries only, plurals kept."""
    return catalog.po.to_binary()
