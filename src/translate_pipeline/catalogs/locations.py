"""Source locations (``#:`` lines) written as a project's catalogs already write them.

The tool names a page by its path from the folder of ``conf.py``
(``#: guide/intro.rst:4``). Catalogs made by ``sphinx-build -b gettext`` and
``sphinx-intl update`` name it from Sphinx's output folder
(``#: ../../guide/intro.rst:4``, or ``../../source/guide/intro.rst`` when the
pages are in ``source/``); others have no locations at all
(``gettext_location = False``, ``msgcat --no-location``). The style is read
from each catalog, by comparing its paths with the pages' own; a new
catalog takes the style most catalogs of the project have.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .merge import Incoming


@dataclass(frozen=True)
class LocationStyle:
    prefix: str = ""  # written before each page's path
    shown: bool = True  # False: the catalog has no locations


TOOL_STYLE = LocationStyle()


def detect(catalog_paths: frozenset[str], entries: int, messages: Sequence[Incoming]) -> LocationStyle | None:
    """The style of a catalog holding ``entries`` entries whose locations name
    ``catalog_paths``, for the pages of ``messages``; None: nothing tells."""
    if not catalog_paths:
        return LocationStyle(shown=False) if entries else None
    pages = {path for m in messages for path, _line in m.occurrences}
    if not pages or pages <= catalog_paths:
        return TOOL_STYLE if pages else None
    prefixes: Counter[str] = Counter()
    for written in catalog_paths:
        for page in pages:
            if written.endswith(page) and (len(written) == len(page) or written[-len(page) - 1] == "/"):
                prefixes[written[: len(written) - len(page)]] += 1
    if not prefixes:
        return None
    return LocationStyle(prefix=prefixes.most_common(1)[0][0])


def relative_to(root: Path, folder: Path) -> LocationStyle:
    """Paths written from ``folder`` (Sphinx's gettext output, ``_build/gettext``) to the pages under ``root``."""
    prefix = os.path.relpath(root, folder).replace(os.sep, "/")
    return LocationStyle(prefix="" if prefix == "." else prefix + "/")


def prevailing(styles: Iterable[LocationStyle | None]) -> LocationStyle:
    """The style most catalogs have (the tool's when none tells)."""
    counts = Counter(style for style in styles if style is not None)
    return counts.most_common(1)[0][0] if counts else TOOL_STYLE


def restyled(messages: list[Incoming], style: LocationStyle) -> list[Incoming]:
    """``messages`` with their locations written in ``style`` (the same list for the tool's)."""
    if style == TOOL_STYLE:
        return messages
    if not style.shown:
        return [Incoming(m.msgid) for m in messages]
    return [Incoming(m.msgid, tuple((style.prefix + path, line) for path, line in m.occurrences))
            for m in messages]
