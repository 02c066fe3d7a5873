"""polib internals the tool relies on (polib 1.2; pinned ``polib>=1.2,<1.3`` in pyproject.toml)."""

from __future__ import annotations

from typing import Any

import polib

# The polib versions whose internals this module was checked with (tests/test_compat.py).
CHECKED = ("1.2.",)


class _Lines(str):
    """Text that polib splits into the lines it was given."""

    lines: list[str]

    def splitlines(self, keepends: bool = False) -> list[str]:  # noqa: ARG002 - polib's call
        return self.lines


def parse_lines(text: str, lines: list[str], **options: Any) -> polib.POFile:
    """The catalog polib reads from ``text`` split into ``lines`` (not by ``str.splitlines``).

    polib splits a catalog given as text with ``text.splitlines()``
    (``_POFileParser.__init__``, polib 1.0 to 1.2,
    https://github.com/izimobil/polib/blob/master/polib.py), which also ends
    a line at a form feed, U+2028 and other separators that gettext reads
    as text inside a string: a ``str`` whose ``splitlines`` gives gettext's
    lines makes polib read what gettext reads.
    """
    given = _Lines(text)
    given.lines = lines
    return polib.pofile(given, **options)
