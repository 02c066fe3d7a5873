"""The .po files: reading (with the checks ``msgfmt --check`` makes), writing
as gettext's tools write, and making new catalogs.

The one place where a catalog's text becomes a :class:`Catalog` and back.
polib holds the entries; :mod:`.poformat` lays the text out;
:mod:`.polint` refuses what gettext refuses before polib reads leniently.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

from . import poformat, polint
from .states import POLIB_WRAP_WIDTH, State, entry_state
from ..compat.polib import parse_lines
from ..errors import CatalogError
from ..files import current_digest, digest


def now_utc() -> str:
    """The time now in UTC, as gettext writes header dates (``2026-11-28 12:00+0000``)."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M%z")


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
        """Each active entry with its state."""
        for entry in self.entries:
            yield entry, entry_state(entry)

    def text(self) -> str:
        return render(self)

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


def entry_value(e: polib.POEntry) -> tuple:
    return (
        e.msgctxt, e.msgid, e.msgid_plural, e.msgstr,
        tuple(sorted((e.msgstr_plural or {}).items())), tuple(e.flags),
        e.previous_msgctxt, e.previous_msgid, e.previous_msgid_plural,
        e.tcomment, e.comment, tuple(map(tuple, e.occurrences)), e.obsolete,
    )


def header_value(po: polib.POFile) -> tuple:
    return po.header, tuple(sorted(po.metadata.items())), po.metadata_is_fuzzy


def signature(po: polib.POFile) -> tuple:
    """Everything a catalog holds, as a value (two files with the same
    signature differ at most in line wrapping)."""
    return (*header_value(po), tuple(entry_value(e) for e in po))


def holds(catalog: Catalog, text: str) -> bool:
    """Whether ``text`` is a catalog with exactly ``catalog``'s content (wrapping aside)."""
    try:
        return signature(parse_text(text, catalog.path)) == signature(catalog.po)
    except CatalogError:
        return False


def render(catalog: Catalog) -> str:
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


def parse_text(text: str, path: Path) -> polib.POFile:
    try:
        po = parse_lines(text, _gettext_lines(text), wrapwidth=POLIB_WRAP_WIDTH, encoding="utf-8")
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


def read_catalog(path: Path) -> Catalog:
    """Read and check a catalog; a malformed file raises :class:`CatalogError` with its line.

    Every read parses the file: :class:`~.store.CatalogStore` keeps what was parsed."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CatalogError(path, None, f"cannot be read: {error.strerror}") from None
    return parse_catalog(path, raw)


def parse_catalog(path: Path, raw: bytes) -> Catalog:
    """The catalog ``path`` holds, from its bytes ``raw``, checked as :func:`read_catalog` checks."""
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
    po = parse_text(text, path)
    _check_entries(po, path, text)
    return Catalog(path=path, po=po, original_text=text, original_signature=signature(po))


def _lint(text: str, path: Path) -> None:
    """Refuse what ``msgfmt --check`` refuses, before polib reads the text leniently."""
    problem = polint.check(text)
    if problem is not None:
        shown = "msgfmt --check shows the problem" if problem.msgfmt else "remove it"
        raise CatalogError(path, problem.line, f"not a valid .po file: {problem.message}; fix it ({shown}) and run again")


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
    po = polib.POFile(wrapwidth=POLIB_WRAP_WIDTH)
    po.header = title or f"{project}: translation into {language}"
    now = now_utc()
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
        "PO-Revision-Date": meta.get("POT-Creation-Date") or now_utc(),
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
