"""Inline markup (reST, MyST Markdown): protected before machine translation, checked after.

A message of a catalog is text with inline markup (a paragraph, a title, a
list item), in the syntax of its page: reST, or MyST Markdown (a
:class:`Syntax` says which).  This module is the one the rest of the tool
uses; the work is shared out:

* :mod:`.pieces`: the model, a :class:`Syntax` and the :class:`Piece`
  objects a message is cut into;
* :mod:`.rstmarkup` and :mod:`.mystmarkup`: the cutting, by the page's own
  parser, so what counts as markup is what Sphinx sees: docutils' inline
  parser (its patterns and its rules for where a start-string may stand)
  for reST, markdown-it with MyST's plugins for Markdown;
* :mod:`.protection`: :func:`protect` turns a message into XML for DeepL's
  tag handling and :func:`restore` puts the markup back around the
  translated text;
* here, :func:`check` compares a draft with its source: same references,
  URLs, literals and footnotes, and no inline markup left open; and
  :func:`plain_text` gives the words a reader sees.
"""

from __future__ import annotations

import re
from collections import Counter

from docutils.utils import escape2null, unescape

from . import rstmarkup
from .pieces import LITERAL_ROLES, MYST_INLINE_EXTENSIONS, RST, TEXT_ROLES, Piece, Syntax, myst_syntax, role_piece
from .protection import IGNORE_TAGS, TAGS, MarkupError, Protected, protect, restore, tokens

__all__ = [
    "IGNORE_TAGS", "LITERAL_ROLES", "MYST_INLINE_EXTENSIONS", "RST", "TAGS", "TEXT_ROLES", "MarkupError", "Piece",
    "Protected", "Syntax", "check", "myst_syntax", "plain_text", "protect", "restore", "role_piece", "tokens",
]

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
    for token in tokens(text, syntax):
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
        from .mystmarkup import unbalanced  # markdown-it is imported for Markdown pages only

        return unbalanced(text, syntax)
    return rstmarkup.unbalanced(text)


def plain_text(text: str, syntax: Syntax = RST) -> str:
    """The words of a message a reader sees translated; kept pieces become spaces."""
    out = []
    for token in tokens(text, syntax):
        if isinstance(token, str):
            out.append(token)
        elif token.text is not None:
            out.append(plain_text(token.text, syntax))
        elif token.kind == "escape":
            out.append(token.key if syntax.name == "myst" else unescape(escape2null(token.raw)))
        else:
            out.append(" ")
    return "".join(out)
