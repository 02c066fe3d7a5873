"""Approvals written back into a catalog's text as the file has it.

A translator approves an entry by clearing its fuzzy flag, in whatever tool
they use; :func:`catalog.clean_approved` then drops what only described the
unreviewed state. When that is all that changes in a catalog, the new text is
the file's own text with those lines left out: the wrapping and the header
another writer gave the file (polib wraps at 78 columns its own way,
translate-toolkit and Weblate at 77) stay byte for byte, rather than the
whole catalog being written again in gettext's layout.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import catalog as cat

_PREVIOUS = ("#| ", "#~| ")  # previous original strings and their continuation lines
_TOOL_COMMENTS = tuple("# " + prefix for prefix in cat.UNREVIEWED_PREFIXES)


def _dropped(line: str) -> bool:
    line = line.rstrip("\r")
    return line.startswith(_PREVIOUS) or line.startswith(_TOOL_COMMENTS)


def edited_text(catalog: cat.Catalog, starts: Iterable[int]) -> str | None:
    """The catalog's text as read, without the ``#|`` and tool comment lines of
    the entries at lines ``starts`` (1-based, the entries' ``linenum`` as
    they were read), or None when that text would not hold exactly the catalog's
    content (a tool comment another writer wrapped over two lines, say): the
    caller then writes the catalog whole.
    """
    original = catalog.original_text
    if original is None:
        return None
    lines = original.split("\n")
    drop: set[int] = set()
    for start in starts:
        index = start - 1  # somewhere in the entry's block: its lines run between empty lines
        while 0 < index < len(lines) and lines[index - 1].strip():
            index -= 1
        while 0 <= index < len(lines) and lines[index].strip():
            if _dropped(lines[index]):
                drop.add(index)
            index += 1
    text = "\n".join(line for index, line in enumerate(lines) if index not in drop)
    return text if drop and cat.holds(catalog, text) else None
