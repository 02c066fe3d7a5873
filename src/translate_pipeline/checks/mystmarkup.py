"""MyST Markdown inline markup, found by MyST's own parser, for :mod:`.markup`.

The message is parsed by markdown-it with the plugins myst-parser sets up
for the page (roles, footnotes, substitutions and math when enabled, ...).
markdown-it gives tokens, not where they stand in the text, so each inline
rule is wrapped to note where it started and ended; emphasis, strong and
strikethrough are paired after tokenising, and the delimiters they were
made of tell where they stand. What comes out is the :class:`~.pieces.Piece`
list that :mod:`.protection` protects and restores and :mod:`.markup` checks, as for reST:

* kept whole: inline code, autolinks ``<url>``, roles without a title,
  substitutions ``{{ x }}``, footnote references ``[^x]``, math ``$x$``,
  inline HTML, shortcut references ``[label]``, backslash escapes, entities;
* text translated, the rest kept: emphasis, strong, strikethrough, the text
  of links ``[text](url)`` and reference links ``[text][label]``, the alt
  text of images, the title of ``{ref}`title <label>```.

A reference link (``[text][label]``) is one only where the page defines the
label; a message is parsed alone, so every label written in a reference
link's form is taken as defined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from .pieces import Piece, Syntax, role_piece

_RECORD = "translate_pipeline_spans"
_DELIMITED = {"emphasis", "strikethrough"}  # rules whose runs are paired afterwards
_LABEL = re.compile(r"\[((?:[^\[\]\\]|\\.)+)\]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass
class _Found:
    """What one inline rule made, at the top level of the message."""

    rule: str
    start: int
    end: int
    tokens: list[Any]
    label_end: int = -1  # links and images: where the text in brackets ends


@dataclass
class _Record:
    depth: int = 0
    found: list[_Found] = field(default_factory=list)
    delimiters: dict[int, tuple[int, int]] = field(default_factory=dict)  # id(token) -> (position, length)
    keep: list[Any] = field(default_factory=list)  # the delimiter tokens (their ids stay theirs)
    unpaired: list[str] = field(default_factory=list)  # delimiters left as text


def new_parser(syntax: Syntax) -> Any:
    """MyST's markdown-it for ``syntax``, its inline rules wrapped to note where they match.

    Kept by the :class:`~.pieces.Syntax` (its ``myst_parser``); what one parse
    notes lives in that parse's ``env``, so threads may share it.
    """
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    md = create_md_parser(MdParserConfig(enable_extensions=set(syntax.extensions)), RendererHTML)
    for rule in md.inline.ruler.__rules__:
        rule.fn = _wrapped(rule.name, rule.fn)
    md.inline.ruler.__cache__ = None
    for rule in md.inline.ruler2.__rules__:
        if rule.name == "fragments_join":
            rule.fn = _before_join(rule.fn)
    md.inline.ruler2.__cache__ = None
    return md


def _wrapped(name: str, rule: Any) -> Any:
    def wrapped(state: Any, silent: bool) -> bool:
        record = state.env.get(_RECORD)
        if record is None or silent:
            return rule(state, silent)
        start, count = state.pos, len(state.tokens)
        record.depth += 1
        try:
            ok = rule(state, silent)
        finally:
            record.depth -= 1
        if not ok or record.depth:
            return ok
        found = _Found(name, start, state.pos, state.tokens[count:])
        if name in ("link", "image"):
            found.label_end = state.md.helpers.parseLinkLabel(state, start + (name == "image"), name == "link")
        if name in _DELIMITED:
            _note_delimiters(record, found)
        record.found.append(found)
        return ok

    return wrapped


def _note_delimiters(record: _Record, found: _Found) -> None:
    """Where each delimiter token of an emphasis or strikethrough run stands."""
    run, length = [], found.end - found.start
    for token in reversed(found.tokens):  # a flushed text token may come first
        if length <= 0:
            break
        run.insert(0, token)
        length -= len(token.content)
    position = found.start
    for token in run:
        record.delimiters[id(token)] = (position, len(token.content))
        record.keep.append(token)
        position += len(token.content)


def _before_join(rule: Any) -> Any:
    def wrapped(state: Any) -> None:
        record = state.env.get(_RECORD)
        if record is not None:
            record.unpaired = [t.content for t in record.keep if t.type == "text" and t.content]
        rule(state)

    return wrapped


def _parse(text: str, syntax: Syntax) -> tuple[list[Any], _Record]:
    from markdown_it.common.utils import normalizeReference

    md: Any = syntax.myst_parser
    references = {normalizeReference(label): {"href": "#", "title": ""}
                  for label in _LABEL.findall(text) if not label.startswith("^")}
    record = _Record()
    env = {"references": references, _RECORD: record}
    return md.inline.parse(text, md, env, []), record


def unbalanced(text: str, syntax: Syntax) -> list[str]:
    """Inline markup opened and not closed: emphasis delimiters left as text, lone backticks."""
    _parsed, record = _parse(text, syntax)
    marks = list(record.unpaired)
    for found in record.found:
        if found.rule == "backticks" and not any(t.type == "code_inline" for t in found.tokens):
            marks.append("code`")
    return ["*" if mark.startswith("*") else mark for mark in marks]


def tokens(text: str, syntax: Syntax) -> list[str | Piece]:
    """``text`` cut into plain strings and :class:`Piece` objects, in order."""
    parsed, record = _parse(text, syntax)
    spans = sorted([*_paired(text, parsed, record), *filter(None, (_span(text, f) for f in record.found))],
                   key=lambda span: (span[0], -span[1]))
    out: list[str | Piece] = []
    position = 0
    for start, end, piece in spans:
        if start < position:
            continue  # inside a construct already taken (emphasis around a link)
        if start > position:
            out.append(text[position:start])
        out.append(replace(piece, before=text[start - 1:start], after=text[end:end + 1]))
        position = end
    if position < len(text):
        out.append(text[position:])
    return out


_PAIRED = {"em_open": "emphasis", "strong_open": "strong", "s_open": "strikethrough"}


def _paired(text: str, parsed: list[Any], record: _Record) -> list[tuple[int, int, Piece]]:
    """The outermost emphasis, strong and strikethrough of the message."""
    spans = []
    opened: list[tuple[Any, int, int]] = []
    for token in parsed:
        where = record.delimiters.get(id(token))
        if where is None or token.nesting == 0:
            continue
        position, length = where
        size = len(token.markup)
        if token.nesting == 1:
            opened.append((token, position + length - size, position + length))
            continue
        if not opened:
            continue
        opener, start, inner = opened.pop()
        if opened:
            continue
        end = position + size
        raw = text[start:end]
        spans.append((start, end, Piece(_PAIRED[opener.type], raw, open=raw[: inner - start],
                                         text=raw[inner - start: position - start], close=raw[position - start:])))
    return spans


def _span(text: str, found: _Found) -> tuple[int, int, Piece] | None:
    raw = text[found.start:found.end]
    kinds = {t.type for t in found.tokens}
    rule = found.rule
    if rule == "backticks":
        return (found.start, found.end, Piece("literal", raw, key=raw)) if "code_inline" in kinds else None
    if rule in ("escape", "entity"):
        return found.start, found.end, Piece("escape", raw, key=found.tokens[-1].content if found.tokens else raw)
    if rule in ("autolink", "linkify"):
        return found.start, found.end, Piece("url", raw, key=raw.strip("<>"))
    if rule == "myst_role":
        token = found.tokens[-1]
        role, content = token.meta.get("name", ""), token.content
        head = raw[: raw.index("`") + 1]
        return found.start, found.end, role_piece(raw, role, head, content, raw[len(head) + len(content):],
                                                  "{{{}}}")
    if "substitution_inline" in kinds:
        return found.start, found.end, Piece("substitution", raw, key="{{ " + found.tokens[-1].content.strip() + " }}")
    if "footnote_ref" in kinds:
        return found.start, found.end, Piece("footnote", raw, key=raw)
    if any(kind.startswith("math_inline") for kind in kinds):
        return found.start, found.end, Piece("math", raw, key=raw)
    if "html_inline" in kinds:
        return found.start, found.end, Piece("html", raw, key=raw)
    if rule == "link" and "link_open" in kinds:
        return found.start, found.end, _link(raw, found)
    if rule == "image" and "image" in kinds:
        return found.start, found.end, _image(raw, found)
    return None


def _link(raw: str, found: _Found) -> Piece:
    cut = found.label_end - found.start
    label, rest = raw[1:cut], raw[cut + 1:]
    if rest.startswith("("):
        href = next(t for t in found.tokens if t.type == "link_open").attrs.get("href", "")
        kind = "url" if _SCHEME.match(str(href)) else "link"
        if not label.strip():
            return Piece(kind, raw, key=str(href))
        return Piece(kind, raw, key=str(href), open="[", text=label, close=raw[cut:])
    if rest in ("", "[]"):
        key = f"[{_label(label)}]"
        if rest == "":  # a shortcut reference: its text is its label
            return Piece("link", raw, key=key)
        return Piece("link", raw, key=key, open="[", text=label, close=raw[cut:])
    return Piece("link", raw, key=f"[{_label(rest[1:-1])}]", open="[", text=label, close=raw[cut:])


def _label(label: str) -> str:
    """A reference label as written, its spaces collapsed (as Markdown matches labels)."""
    return " ".join(label.split())


def _image(raw: str, found: _Found) -> Piece:
    token = next(t for t in found.tokens if t.type == "image")
    cut = found.label_end - found.start
    key = str(token.attrs.get("src", ""))
    if not raw[2:cut].strip():
        return Piece("image", raw, key=key)
    return Piece("image", raw, key=key, open="![", text=raw[2:cut], close=raw[cut:])
