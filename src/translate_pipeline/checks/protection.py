"""A message protected for machine translation as XML, and its translation restored.

:func:`protect` turns a message into XML for DeepL's tag handling:

* ``<x i="N">...</x>`` holds what must come back unchanged: literals, role
  targets, URLs, substitutions, footnote and citation references, inline
  targets, backslash escapes.  Send it with ``ignore_tags=IGNORE_TAGS``.
* ``<t i="N">...</t>`` wraps translatable text that belongs to a construct:
  emphasis, strong, the text of a link, the title of ``:ref:`title <label>```.

The markup itself (asterisks, backquotes, URLs, labels) stays in
:class:`Protected` and :func:`restore` puts it back around the translated text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape

from docutils.utils import punctuation_chars

from ..errors import PipelineError
from . import rstmarkup
from .pieces import RST, Piece, Syntax

IGNORE_TAGS = ("x",)
"""Tags whose content DeepL must leave alone (``ignore_tags``)."""

TAGS = ("x", "t")
"""Every tag :func:`protect` writes (``non_splitting_tags``: none ends a sentence)."""


class MarkupError(PipelineError):
    """A translation came back in a form :func:`restore` cannot read."""


@dataclass(frozen=True)
class Protected:
    """A message as sent for translation: the XML and the pieces it refers to."""

    source: str
    xml: str
    pieces: tuple[Piece, ...]
    syntax: Syntax = RST


def tokens(text: str, syntax: Syntax = RST) -> list[str | Piece]:
    """``text`` cut into plain strings and :class:`~.pieces.Piece` objects, in order,
    by the parser of its syntax."""
    if syntax.name == "myst":
        from .mystmarkup import tokens as myst_tokens  # markdown-it is imported for Markdown pages only

        return myst_tokens(text, syntax)
    return rstmarkup.tokens(text)


def protect(text: str, syntax: Syntax = RST) -> Protected:
    """The message as XML for DeepL (``tag_handling="xml"``), with its pieces."""
    pieces: list[Piece] = []
    return Protected(text, _to_xml(text, pieces, syntax), tuple(pieces), syntax)


def _to_xml(text: str, pieces: list[Piece], syntax: Syntax) -> str:
    out = []
    for token in tokens(text, syntax):
        if isinstance(token, str):
            out.append(_xml(token))
            continue
        index = len(pieces)
        pieces.append(token)
        if token.text is None:
            out.append(f'<x i="{index}">{_xml(token.raw)}</x>')
        else:
            out.append(f'<t i="{index}">{_to_xml(token.text, pieces, syntax)}</t>')
    return "".join(out)


def _xml(text: str) -> str:
    return escape(text, {"\r": "&#13;"})  # a bare CR would come back as LF


@dataclass(frozen=True)
class _Out:
    text: str
    markup: Piece | None = None  # inline markup: needs a boundary before and after
    verbatim: bool = False  # kept from the source: never stripped


def restore(xml: str, protected: Protected) -> str:
    """The text of a translated XML string: the markup of ``protected`` put back.

    Whitespace that moved inside a construct is put outside it, and where the
    translation glued a construct to a word, an escaped space (``\\ ``) keeps
    the reST markup valid (Markdown needs none).
    """
    try:
        root = ET.fromstring(f"<r>{xml}</r>")
    except ET.ParseError as error:
        raise MarkupError(f"the translation is not well-formed XML: {error}") from None
    return _join(_contents(root, protected), protected.syntax)


def _contents(element: ET.Element, protected: Protected) -> list[_Out]:
    out = [_Out(element.text or "")]
    for child in element:
        out += _restore_piece(child, protected)
        out.append(_Out(child.tail or ""))
    return out


def _restore_piece(element: ET.Element, protected: Protected) -> list[_Out]:
    pieces = protected.pieces
    index = element.get("i", "")
    if element.tag not in TAGS or not index.isdigit() or int(index) >= len(pieces):
        raise MarkupError(f"unexpected tag in the translation: <{element.tag} i={index!r}>")
    piece = pieces[int(index)]
    if piece.text is None:
        return [_Out(piece.raw, markup=piece if piece.kind != "escape" else None, verbatim=True)]
    inner = _contents(element, protected)
    if _join(list(inner), protected.syntax) == piece.text:  # untouched, spaces inside included
        return [_Out(piece.raw, markup=piece)]
    lead, trail = _strip_ends(inner)
    text = _join(inner, protected.syntax)
    if not text:
        return [_Out(lead + trail)]
    return [_Out(lead), _Out(_rebuild(piece, text, protected.syntax), markup=piece), _Out(trail)]


def _strip_ends(tokens: list[_Out]) -> tuple[str, str]:
    """Take the whitespace off both ends of ``tokens`` (in place); return it."""
    first = next((i for i, t in enumerate(tokens) if t.text), None)
    if first is None or not _is_plain(tokens[first]):
        lead = ""
    else:
        stripped = tokens[first].text.lstrip()
        lead = tokens[first].text[: len(tokens[first].text) - len(stripped)]
        tokens[first] = _Out(stripped)
    last = next((i for i in reversed(range(len(tokens))) if tokens[i].text), None)
    if last is None or not _is_plain(tokens[last]):
        return lead, ""
    stripped = tokens[last].text.rstrip()
    trail = tokens[last].text[len(stripped):]
    tokens[last] = _Out(stripped)
    return lead, trail


def _is_plain(token: _Out) -> bool:
    return token.markup is None and not token.verbatim


def _rebuild(piece: Piece, text: str, syntax: Syntax) -> str:
    if text == piece.text:
        return piece.raw
    if syntax.name == "myst":
        if piece.kind == "link" and piece.close == "][]":
            # A collapsed reference: the reader sees the translation, the label stays.
            return f"[{text}][{piece.text}]"
        return piece.open + text + piece.close
    if piece.kind == "reference" and piece.close in ("_", "`_"):
        # A named reference: the reader sees the translation, the name stays.
        return f"`{text} <{piece.text}_>`_"
    if piece.kind == "anonymous" and piece.close == "__":
        return f"`{text}`__"
    return piece.open + text + piece.close


_MAY_PRECEDE = set(punctuation_chars.openers + punctuation_chars.delimiters)
_MAY_FOLLOW = set(
    punctuation_chars.closers + punctuation_chars.delimiters + punctuation_chars.closing_delimiters
)


def _join(tokens: list[_Out], syntax: Syntax) -> str:
    tokens = [t for t in tokens if t.text]
    if syntax.name == "myst":
        return "".join(t.text for t in tokens)
    out: list[str] = []
    for i, token in enumerate(tokens):
        piece = token.markup
        if piece and out and not _may_precede(out[-1][-1], piece.before):
            out.append("\\ ")
        out.append(token.text)
        following = tokens[i + 1].text[0] if i + 1 < len(tokens) else None
        if piece and following is not None and not _may_follow(following, piece.after):
            out.append("\\ ")
    return "".join(out)


def _may_precede(char: str, as_in_source: str) -> bool:
    return char == as_in_source or char.isspace() or char in _MAY_PRECEDE


def _may_follow(char: str, as_in_source: str) -> bool:
    return char == as_in_source or char.isspace() or char in _MAY_FOLLOW
