"""reST inline markup, found as docutils finds it, for :mod:`.protection` and :mod:`.markup`.

docutils' own inliner (its patterns and its rules for where a start-string
may stand) is run over the message, with every role accepted as written;
each construct it dispatches on becomes a :class:`~.pieces.Piece`: kept
whole (literals, role targets, URLs, substitutions, footnote and citation
references, inline targets, backslash escapes) or with its text to
translate (emphasis, strong, the text of a link, the title of
``:ref:`title <label>```).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.parsers.rst.states import Inliner
from docutils.utils import escape2null, new_document, unescape
from docutils.utils.urischemes import schemes as URI_SCHEMES

from .pieces import Piece, role_piece


def _any_role(rawsource, text, role, lineno):
    """Every role is accepted: only where constructs start and end matters here."""
    return [nodes.inline(rawsource, text)], []


_local = threading.local()


def _inliner() -> Inliner:
    """This thread's docutils inliner (its patterns are built once)."""
    if not hasattr(_local, "inliner"):
        settings = get_default_settings(Parser)
        settings.report_level = settings.halt_level = 5
        inliner = Inliner()
        inliner.init_customizations(settings)
        inliner.interpreted = _any_role
        _local.settings, _local.inliner = settings, inliner
    return _local.inliner


def _fresh_inliner() -> Inliner:
    """The inliner with a new, empty document to note targets in."""
    inliner = _inliner()
    document = new_document("<message>", _local.settings)
    inliner.document, inliner.reporter, inliner.parent = document, document.reporter, document
    return inliner


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    mark: str  # the start-string docutils dispatched on ("*", "``", "`", "]_", ...)
    failed: bool = False  # a start-string without its end-string


def _scan(text: str) -> list[_Span]:
    """Every inline construct of ``text`` as docutils' ``Inliner.parse`` finds them."""
    inliner = _fresh_inliner()
    escaped = escape2null(text)  # same length: a backslash becomes a NUL
    spans: list[_Span] = []
    remaining, offset, gap_start = escaped, 0, 0
    while remaining:
        match = inliner.patterns.initial.search(remaining)
        if not match:
            break
        groups = match.groupdict()
        mark = groups["start"] or groups["backquote"] or groups["refend"] or groups["fnend"]
        before, inlines, rest, _ = inliner.dispatch[mark](inliner, match, 0)
        if inlines:
            start, end = offset + len(before), offset + len(remaining) - len(rest)
            spans += _uris(inliner, escaped, gap_start, start)
            failed = isinstance(inlines[0], nodes.problematic)
            spans.append(_Span(start, end, mark, failed))
            gap_start = end
        offset += len(remaining) - len(rest)
        remaining = rest
    return spans + _uris(inliner, escaped, gap_start, len(escaped))


def _uris(inliner: Inliner, escaped: str, start: int, end: int) -> list[_Span]:
    """Standalone URIs and e-mail addresses, as ``Inliner.implicit_inline`` finds them."""
    match = inliner.patterns.uri.search(escaped[start:end]) if end > start else None
    if not match:
        return []
    scheme = match.group("scheme")
    if scheme and scheme.lower() not in URI_SCHEMES:
        return []  # docutils gives up on the whole stretch of text here too
    found = _Span(start + match.start("whole"), start + match.end("whole"), "uri")
    return (_uris(inliner, escaped, start, start + match.start())
            + [found] + _uris(inliner, escaped, start + match.end(), end))


# -- pieces -------------------------------------------------------------------

_BACKQUOTED = re.compile(
    r"^(?::(?P<prefix>[^`\s]+):)?`(?P<content>.*)`(?::(?P<suffix>[^`\s]+):|(?P<ref>__?))?$",
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\(?:.|\n|$)")


def _name(text: str) -> str:
    return nodes.fully_normalize_name(unescape(escape2null(text)))


def _piece(raw: str, mark: str) -> Piece:
    if mark == "**":
        return Piece("strong", raw, open="**", text=raw[2:-2], close="**")
    if mark == "*":
        return Piece("emphasis", raw, open="*", text=raw[1:-1], close="*")
    if mark == "``":
        return Piece("literal", raw, key=raw)
    if mark == "_`":
        return Piece("target", raw, key=raw)
    if mark == "|":
        return Piece("substitution", raw, key=raw)
    if mark == "]_":
        label = raw[1:-2]
        footnote = label.isdigit() or label.startswith("#") or label == "*"
        return Piece("footnote" if footnote else "citation", raw, key=raw)
    if mark == "uri":
        return Piece("url", raw, key=unescape(escape2null(raw)))
    if mark in ("_", "__"):
        kind = "reference" if mark == "_" else "anonymous"
        return Piece(kind, raw, key=_name(raw[: -len(mark)]), text=raw[: -len(mark)], close=mark)
    return _backquoted(raw)


def _backquoted(raw: str) -> Piece:
    """Interpreted text (``:role:`...```) or a phrase reference (```...`_``)."""
    match = _BACKQUOTED.match(raw)
    if not match:
        return Piece("role", raw, key=raw)
    content = match.group("content")
    head = raw[: match.start("content")]
    tail = raw[match.end("content"):]
    if match.group("ref"):
        return _phrase_reference(raw, head, content, tail)
    role = match.group("prefix") or match.group("suffix")
    return role_piece(raw, role, head, content, tail)


def _phrase_reference(raw: str, head: str, content: str, tail: str) -> Piece:
    anonymous = tail.endswith("__")
    embedded = _inliner().patterns.embedded_link.search(escape2null(content))
    if not embedded:
        kind = "anonymous" if anonymous else "reference"
        return Piece(kind, raw, key=_name(content), open=head, text=content, close=tail)
    alias = embedded.group(2)
    if alias.endswith("_") and not alias.endswith("\x00_") and not _inliner().patterns.uri.match(alias):
        kind, key = "reference", _name(alias[:-1])
    else:
        kind, key = "url", "".join(unescape(alias).split())
    cut = embedded.start(0)
    if cut == 0:  # `<https://...>`_ shows the URL itself
        return Piece(kind, raw, key=key)
    return Piece(kind, raw, key=key, open=head, text=content[:cut], close=content[cut:] + tail)


def tokens(text: str) -> list[str | Piece]:
    """``text`` cut into plain strings and :class:`~.pieces.Piece` objects, in order."""
    tokens: list[str | Piece] = []
    position = 0
    for span in _scan(text):
        if span.failed:
            continue  # an unmatched start-string is plain text
        tokens += _plain(text[position:span.start])
        piece = _piece(text[span.start:span.end], span.mark)
        around = {"before": text[span.start - 1:span.start], "after": text[span.end:span.end + 1]}
        tokens.append(replace(piece, **around))
        position = span.end
    return tokens + _plain(text[position:])


def _plain(text: str) -> list[str | Piece]:
    """Plain text, with its backslash escapes kept apart (they go back as they were)."""
    tokens: list[str | Piece] = []
    position = 0
    for match in _ESCAPE.finditer(text):
        tokens += [text[position:match.start()], Piece("escape", match.group())]
        position = match.end()
    tokens.append(text[position:])
    return [token for token in tokens if token != ""]


def unbalanced(text: str) -> list[str]:
    """The start-strings of ``text`` that docutils finds without their end-string."""
    return [span.mark for span in _scan(text) if span.failed]
