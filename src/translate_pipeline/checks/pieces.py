"""The inline markup of a message as a model: its syntax and the pieces it is cut into.

No parsing here: :mod:`.rstmarkup` (docutils) and :mod:`.mystmarkup`
(markdown-it) cut a message into :class:`Piece` objects; :mod:`.protection`
turns them into XML for machine translation and back; :mod:`.markup` checks
a draft against its source.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from docutils.utils import escape2null, unescape

TEXT_ROLES = frozenset(
    {"emphasis", "strong", "sup", "superscript", "sub", "subscript", "abbr", "dfn",
     "title-reference", "title", "t"}
)
"""Roles whose whole content is text for the reader, translated as such."""

LITERAL_ROLES = frozenset(
    {"code", "literal", "samp", "kbd", "file", "command", "program", "option", "envvar",
     "math", "eq", "regexp", "makevar", "mailheader", "mimetype", "newsgroup", "raw",
     "guilabel", "menuselection", "pep", "rfc"}
)
"""Roles whose content is kept as it is, even when it looks like ``title <target>``."""


@dataclass(frozen=True)
class Syntax:
    """The markup a message is written in: reST, or MyST with some extensions."""

    name: str = "rst"  # "rst" or "myst"
    extensions: frozenset[str] = frozenset()  # MyST extensions that change inline syntax

    def __str__(self) -> str:
        return ",".join([self.name, *sorted(self.extensions)])

    @functools.cached_property
    def myst_parser(self) -> object:
        """MyST's markdown-it for these extensions, made on first use (see :mod:`.mystmarkup`)."""
        from .mystmarkup import new_parser

        return new_parser(self)


RST = Syntax()

MYST_INLINE_EXTENSIONS = frozenset({"dollarmath", "substitution", "linkify", "strikethrough"})
"""The MyST extensions (``myst_enable_extensions``) that add inline syntax."""


def myst_syntax(extensions: object = ()) -> Syntax:
    """MyST Markdown, with the inline extensions among ``extensions`` enabled."""
    names = [extensions] if isinstance(extensions, str) else list(extensions or ())  # type: ignore[call-overload]
    return Syntax("myst", frozenset(str(name) for name in names) & MYST_INLINE_EXTENSIONS)


@dataclass(frozen=True)
class Piece:
    """One inline construct of a message.

    ``text`` is None when the construct is kept whole; otherwise
    ``raw == open + text + close`` and only ``text`` is translated.
    ``key`` is what :func:`.markup.check` compares (a URL, a label, a literal).
    ``before`` and ``after`` are the characters around it in the source.
    """

    kind: str
    raw: str
    key: str = ""
    open: str = ""
    text: str | None = None
    close: str = ""
    before: str = ""
    after: str = ""


_EXPLICIT_TITLE = re.compile(r"^(.+?)\s*(?<!\x00)<([^<]*?)>$", re.DOTALL)  # as Sphinx's


def role_piece(raw: str, role: str | None, head: str, content: str, tail: str, written: str = ":{}:") -> Piece:
    """A role (``head + content + tail``): its text translated where it is text or
    an explicit title (``title <target>``). ``written`` is how the syntax writes
    a role's name (reST ``:ref:``, MyST ``{ref}``), for the key."""
    name = written.format(role) if role else ""
    if role in TEXT_ROLES:
        return Piece(f"role {name}", raw, open=head, text=content, close=tail)
    title = None if role is None or role in LITERAL_ROLES else _EXPLICIT_TITLE.match(escape2null(content))
    target = unescape(escape2null(title.group(2) if title else content), True)
    key = f"{name}`{target}`"
    if not title:
        return Piece("role", raw, key=key)
    cut = title.end(1)
    return Piece("role", raw, key=key, open=head, text=content[:cut], close=content[cut:] + tail)
