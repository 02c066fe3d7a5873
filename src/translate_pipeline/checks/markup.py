"""Inline markup (reST, MyST Markdown): protected before machine translation, checked after.

A message of a catalog is text with inline markup (a paragraph, a title, a
list item), in the syntax of its page: reST, or MyST Markdown (a
:class:`Syntax` says which).  :func:`protect` turns it into XML for DeepL's
tag handling:

* ``<x i="N">...</x>`` holds what must come back unchanged: literals, role
  targets, URLs, substitutions, footnote and citation references, inline
  targets, backslash escapes.  Send it with ``ignore_tags=IGNORE_TAGS``.
* ``<t i="N">...</t>`` wraps translatable text that belongs to a construct:
  emphasis, strong, the text of a link, the title of ``:ref:`title <label>```.

The markup itself (asterisks, backquotes, URLs, labels) stays in
:class:`Protected` and :func:`restore` puts it back around the translated text.
:func:`check` compares a draft with its source: same references, URLs,
literals and footnotes, and no inline markup left open.

What counts as markup is decided by the page's own parser, so it is what
Sphinx sees: docutils' inline parser (its patterns and its rules for where a
start-string may stand) for reST, markdown-it with MyST's plugins for
Markdown (:mod:`.mystmarkup`).
"""

from __future__ import annotations

import functools
import re
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.parsers.rst.states import Inliner
from docutils.utils import escape2null, new_document, punctuation_chars, unescape
from docutils.utils.urischemes import schemes as URI_SCHEMES

from ..errors import PipelineError

IGNORE_TAGS = ("x",)
"""Tags whose content DeepL must leave alone (``ignore_tags``)."""

TAGS = ("x", "t")
"""Every tag :func:`protect` writes (``non_splitting_tags``: none ends a sentence)."""

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


class MarkupError(PipelineError):
    """A translation came back in a form :func:`restore` cannot read."""


@dataclass(frozen=True)
class Piece:
    """One inline construct of a message.

    ``text`` is None when the construct is kept whole; otherwise
    ``raw == open + text + close`` and only ``text`` is translated.
    ``key`` is what :func:`check` compares (a URL, a label, a literal).
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


@dataclass(frozen=True)
class Protected:
    """A message as sent for translation: the XML and the pieces it refers to."""

    source: str
    xml: str
    pieces: tuple[Piece, ...]
    syntax: Syntax = RST


# --- recognition (docutils) -------------------------------------------------


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


# --- pieces -----------------------------------------------------------------

_BACKQUOTED = re.compile(
    r"^(?::(?P<prefix>[^`\s]+):)?`(?P<content>.*)`(?::(?P<suffix>[^`\s]+):|(?P<ref>__?))?$",
    re.DOTALL,
)
_EXPLICIT_TITLE = re.compile(r"^(.+?)\s*(?<!\x00)<([^<]*?)>$", re.DOTALL)  # as Sphinx's
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


def _tokens(text: str, syntax: Syntax = RST) -> list[str | Piece]:
    """``text`` cut into plain strings and :class:`Piece` objects, in order."""
    if syntax.name == "myst":
        from .mystmarkup import tokens as myst_tokens

        return myst_tokens(text, syntax)
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


# --- protect and restore ----------------------------------------------------


def protect(text: str, syntax: Syntax = RST) -> Protected:
    """The message as XML for DeepL (``tag_handling="xml"``), with its pieces."""
    pieces: list[Piece] = []
    return Protected(text, _to_xml(text, pieces, syntax), tuple(pieces), syntax)


def _to_xml(text: str, pieces: list[Piece], syntax: Syntax) -> str:
    out = []
    for token in _tokens(text, syntax):
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


# --- checking ---------------------------------------------------------------

_COUNTED = {"emphasis": "*emphasis*", "strong": "**strong**", "anonymous": "anonymous link `...`__"}
_NAMED = {  # kind: how a key is shown
    "literal": "literal {}",
    "url": "URL {}",
    "role": "reference {}",
    "reference": "reference `{}`_",
    "footnote": "footnote reference {}",
    "citation": "citation reference {}",
    "substitution": "substitution {}",
    "target": "inline target {}",
    "link": "link to {}",
    "image": "image {}",
    "math": "math {}",
    "html": "inline HTML {}",
}
_UNBALANCED = {
    "*": "*emphasis*", "**": "**strong**", "``": "``literal``", "`": "`interpreted text or link`",
    "|": "|substitution|", "_`": "_`inline target`", "_": "_emphasis_",
    "~~": "~~strikethrough~~", "code`": "`code`",
}
_LEFTOVER = re.compile(r"</?[xt](?:\s+i=\"\d*\")?\s*/?>")


def check(source: str, draft: str, syntax: Syntax = RST) -> list[str]:
    """Problems of ``draft`` as a translation of ``source``, for a human reader.

    Empty when the draft has the same references, URLs, literals, footnote and
    citation references, substitutions and inline targets as the source, the
    same number of emphasis, strong, anonymous links and text roles, and no
    inline markup left open.
    """
    before, after = _inventory(source, syntax), _inventory(draft, syntax)
    problems = []
    for kind, shown in _NAMED.items():
        problems += _compare_named(shown, before.get(kind, []), after.get(kind, []))
    for kind in sorted((set(before) | set(after)) - set(_NAMED)):
        count_before, count_after = len(before.get(kind, [])), len(after.get(kind, []))
        if count_before != count_after:
            change = "missing" if count_after < count_before else "added"
            problems.append(
                f"{_COUNTED.get(kind, kind)} {change}"
                f" ({count_before} in the source, {count_after} in the draft)"
            )
    unbalanced = Counter(_unbalanced(draft, syntax)) - Counter(_unbalanced(source, syntax))
    problems += [f"unbalanced {_UNBALANCED.get(mark, mark)}" for mark in unbalanced.elements()]
    leftovers = [tag for tag in _LEFTOVER.findall(draft) if tag not in source]
    problems += [f"translation markup {tag} left in the text" for tag in dict.fromkeys(leftovers)]
    return problems


def _inventory(text: str, syntax: Syntax) -> dict[str, list[str]]:
    """Keys of the pieces of ``text`` (and of the text inside them), by kind."""
    found: dict[str, list[str]] = {}
    for token in _tokens(text, syntax):
        if isinstance(token, str) or token.kind == "escape":
            continue
        found.setdefault(token.kind, []).append(token.key if token.kind in _NAMED else "")
        if token.text is not None:
            for kind, keys in _inventory(token.text, syntax).items():
                found.setdefault(kind, []).extend(keys)
    return found


def _compare_named(shown: str, before: list[str], after: list[str]) -> list[str]:
    missing = list((Counter(before) - Counter(after)).elements())
    added = list((Counter(after) - Counter(before)).elements())
    noun = shown.split(" {}")[0]
    problems = [
        f"{shown.format(old)} changed to {shown.format(new)[len(noun) + 1:]}"
        for old, new in zip(missing, added)
    ]
    problems += [f"{shown.format(old)} missing" for old in missing[len(added):]]
    problems += [f"{shown.format(new)} added" for new in added[len(missing):]]
    return problems


def _unbalanced(text: str, syntax: Syntax) -> list[str]:
    if syntax.name == "myst":
        from .mystmarkup import unbalanced

        return unbalanced(text, syntax)
    return [span.mark for span in _scan(text) if span.failed]


def plain_text(text: str, syntax: Syntax = RST) -> str:
    """The words of a message a reader sees translated; kept pieces become spaces."""
    out = []
    for token in _tokens(text, syntax):
        if isinstance(token, str):
            out.append(token)
        elif token.text is not None:
            out.append(plain_text(token.text, syntax))
        elif token.kind == "escape":
            out.append(token.key if syntax.name == "myst" else unescape(escape2null(token.raw)))
        else:
            out.append(" ")
    return "".join(out)
