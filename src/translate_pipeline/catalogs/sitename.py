"""The site's own name, author and copyright line, translated like any text.

``project``, ``html_title``, ``author`` and ``copyright``, where ``conf.py``
sets them, are messages of the root page's catalog, located at their line of
``conf.py``: they are drafted, reviewed, counted and published like the
page's own text, and each site shows them in its language
(:mod:`translate_pipeline.sphinx.names`).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

NAMES = ("project", "html_title", "author", "copyright")


def root_docname(conf: Mapping[str, Any]) -> str:
    return str(conf.get("root_doc") or conf.get("master_doc") or "index")


def assignment_lines(conf_path: Path) -> dict[str, int]:
    """The line where ``conf.py`` assigns each of :data:`NAMES` (the last one, as Python runs it)."""
    try:
        tree = ast.parse(conf_path.read_bytes(), filename=str(conf_path))
    except (OSError, SyntaxError, ValueError):
        return {}
    lines: dict[str, int] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name) and target.id in NAMES:
                lines[target.id] = node.lineno
    return lines


def conf_messages(conf: Mapping[str, Any], conf_path: Path) -> list[tuple[str, int]]:
    """``(text, line)`` of each name ``conf.py`` sets to a text, in :data:`NAMES` order."""
    lines = assignment_lines(conf_path)
    found = []
    for name in NAMES:
        value = conf.get(name)
        if name in lines and isinstance(value, str) and value.strip():
            found.append((value, lines[name]))
    return found


def with_site_names(document: Any, messages: list[tuple[str, int]], location: str) -> Any:
    """The root page's :class:`~translate_pipeline.catalogs.extract.Document` with the names as messages too.

    A name that is also a message of the page (the home page's title is
    often the site's name) is one entry, located in both places.
    """
    from .extract import Message

    if not messages:
        return document
    kept = list(document.messages)
    index = {message.msgid: i for i, message in enumerate(kept)}
    for text, line in sorted(messages, key=lambda message: message[1]):
        place = (location, line)
        if text in index:
            known = kept[index[text]]
            if place not in known.locations:
                kept[index[text]] = known._replace(locations=(*known.locations, place))
        else:
            index[text] = len(kept)
            kept.append(Message(text, (place,)))
    return dataclasses.replace(document, messages=kept)
