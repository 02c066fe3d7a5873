"""The text of a catalog, written as GNU gettext's tools write it.

``msgcat``, ``msgmerge`` and the PO editors built on gettext wrap each
string at a page width (79 columns by default) where Unicode allows a line
break (:mod:`translate_pipeline.catalogs.linebreak`), lay the source locations on
``#:`` lines up to that width, and start a string that does not fit on its
first line with an empty ``""``. This module does the same (gettext 0.21's
``write-po.c``), so a catalog the tool writes is byte for byte what
``msgcat`` prints of it. A width of 0 writes nothing wrapped: each string on
one line (and each ``\\n`` ending a line), the locations on one line, as
``sphinx-intl update -w 0`` (Babel) writes them.

Not reproduced: gettext keeps format directives (``%s``) of entries flagged
``c-format``, ``python-format``... unbroken; Sphinx's catalogs have none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polib

from .linebreak import MANDATORY, POSSIBLE, PROHIBITED, width_breaks

PAGE_WIDTH = 79  # gettext's default page width
NO_WRAP = 0
_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v", "\\": "\\", '"': '"'}


def field_lines(prefix: str, name: str, value: str, width: int) -> list[str]:
    """The lines of one keyword and its string (``msgid "..."``), ``prefix``
    before each (``"#~ "`` for obsolete entries, ``"#| "`` for previous ones)."""
    if width == NO_WRAP:
        width = 1 << 30
    after_break = len(prefix) + 1  # the opening quote
    room = width - 1 - after_break  # the closing quote
    lines: list[str] = []
    first = True
    portions = re.findall(r"[^\n]*\n|[^\n]+", value) or [""]
    for number, portion in enumerate(portions):
        text, overrides = _escaped(portion)
        more = number + 1 < len(portions)
        while True:
            start = len(prefix) + (len(name) + 1 if first else 0) + 1 - after_break
            breaks = width_breaks(text, room, start, overrides) if text else []
            if first and text and (more or start > room or any(breaks)):
                lines.append(f'{prefix}{name} ""')
                first = False
                continue
            break
        head = f"{prefix}{name} " if first else prefix
        first = False
        pieces, begin = [], 0
        for index, broken in enumerate(breaks):
            if broken:
                pieces.append(text[begin:index])
                begin = index
        pieces.append(text[begin:])
        lines.append(f'{head}"{pieces[0]}"')
        lines.extend(f'{prefix}"{piece}"' for piece in pieces[1:])
    return lines


def _escaped(portion: str) -> tuple[str, list[int | None]]:
    """A portion of a string as written between quotes, and where its escapes may not break."""
    chars: list[str] = []
    overrides: list[int | None] = []
    for char in portion:
        if char in _ESCAPES:
            chars += ["\\", _ESCAPES[char]]
            overrides += [None, PROHIBITED]
        else:
            chars.append(char)
            overrides.append(None)
    if portion.endswith("\n"):
        overrides[-2] = PROHIBITED  # no break just before the "\n" that ends a portion
    return "".join(chars), overrides


def location_lines(occurrences: Iterable[tuple[str, str]], width: int) -> list[str]:
    """The ``#:`` lines of an entry's source locations."""
    items = []
    for path, line in occurrences:
        while path.startswith("./"):
            path = path[2:]
        items.append(f"{path}:{line}" if line else path)
    if not items:
        return []
    if width == NO_WRAP:
        return ["#: " + " ".join(items)]
    lines, current, column = [], "#:", 2
    for item in items:
        if column > 2 and column + len(item) + 1 > width:
            lines.append(current)
            current, column = "#:", 2
        current += " " + item
        column += len(item) + 1
    lines.append(current)
    return lines


def entry_lines(entry: polib.POEntry, width: int) -> list[str]:
    """One entry, as gettext writes it: comments, locations, flags, previous strings, strings."""
    lines = []
    for comment in (entry.tcomment or "").split("\n") if entry.tcomment else ():
        lines.append(f"# {comment}" if comment else "#")
    if entry.comment and not entry.obsolete:
        lines += [f"#. {c}" if c else "#." for c in entry.comment.split("\n")]
    if not entry.obsolete:
        lines += location_lines(entry.occurrences, width)
    if entry.flags:
        lines.append("#, " + ", ".join(entry.flags))
    previous = "#~| " if entry.obsolete else "#| "
    for name in ("msgctxt", "msgid", "msgid_plural"):
        value = getattr(entry, f"previous_{name}")
        if value is not None:
            lines += field_lines(previous, name, value, width)
    prefix = "#~ " if entry.obsolete else ""
    if entry.msgctxt is not None:
        lines += field_lines(prefix, "msgctxt", entry.msgctxt, width)
    lines += field_lines(prefix, "msgid", entry.msgid, width)
    if entry.msgid_plural:
        lines += field_lines(prefix, "msgid_plural", entry.msgid_plural, width)
    if entry.msgstr_plural:
        for index in sorted(entry.msgstr_plural):
            lines += field_lines(prefix, f"msgstr[{index}]", entry.msgstr_plural[index], width)
    else:
        lines += field_lines(prefix, "msgstr", entry.msgstr, width)
    return lines


def header_entry(po: polib.POFile, original: str | None = None) -> polib.POEntry:
    """The header as an entry, its fields in the file's order (new fields last).

    ``original``: the header's text as the file had it; kept as it is (spaces
    that polib strips included) while the fields it holds are unchanged.
    """
    entry = polib.POEntry(msgid="")
    if original is not None and _fields(original) == list(po.metadata.items()):
        entry.msgstr = original
    elif po.metadata:
        entry.msgstr = "".join(f"{name}: {value}\n" for name, value in po.metadata.items())
    if po.metadata_is_fuzzy:
        entry.flags.append("fuzzy")
    return entry


def _fields(header: str) -> list[tuple[str, str]]:
    found = []
    for line in header.split("\n"):
        name, sep, value = line.partition(":")
        if sep:
            found.append((name.strip(), value.strip()))
    return found


_HEADER = re.compile(r'^msgid ""\nmsgstr ((?:"(?:[^"\\]|\\.)*"\n?)+)', re.MULTILINE)


def original_header(text: str) -> str | None:
    """The header string of a catalog's text (None: it has none)."""
    match = _HEADER.search(text)
    if match is None:
        return None
    return "".join(polib.unescape(part) for part in re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))


def render(po: polib.POFile, width: int = PAGE_WIDTH, header: str | None = None) -> str:
    """The text of a whole catalog; ``header``: see :func:`header_entry`."""
    head = []
    if po.header:
        for line in po.header.split("\n"):
            head.append("#" if not line else f"#{line}" if line[:1] in (",", ":") else f"# {line}")
    blocks = [head + entry_lines(header_entry(po, header), width)]
    blocks += [entry_lines(e, width) for e in po if not e.obsolete]
    blocks += [entry_lines(e, width) for e in po if e.obsolete]
    return "\n".join("\n".join(block) + "\n" for block in blocks)


_STRING_LINE = re.compile(r'^(?:#~\|? |#\| )?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


def detect_width(text: str) -> int:
    """The wrapping of a catalog's text: :data:`NO_WRAP` when a string longer
    than a page, with room to break, is on one line (gettext and Babel would
    both have wrapped it), else :data:`PAGE_WIDTH`."""
    for line in text.splitlines():
        if len(line) > PAGE_WIDTH:
            match = _STRING_LINE.match(line)
            if match and len(match.group(1)) > PAGE_WIDTH and " " in match.group(1).strip():
                return NO_WRAP
    return PAGE_WIDTH


__all__ = ["MANDATORY", "NO_WRAP", "PAGE_WIDTH", "POSSIBLE", "detect_width", "render"]
