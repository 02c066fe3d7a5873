"""Sphinx's warnings of a publish, each once, with the sites it concerns.

``publish`` reads the pages once to sync the catalogs, then builds one site
per language from the same pages: a problem of a page (a missing image, an
undefined label) is reported by each of those builds in the same words.
:func:`combine` keeps one of each, in the order first seen, with the
languages of the builds that gave it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def combine(reading: Sequence[str], sites: Mapping[str, Sequence[str]]) -> list[dict[str, object]]:
    """``[{"message": text, "languages": [site languages]}]``, each message once.

    ``reading``: the warnings of reading the pages (sync); ``sites``: each
    site's language and its build's warnings. A message only seen while
    reading has no language.
    """
    found: dict[str, list[str]] = {}
    for line in reading:
        found.setdefault(line, [])
    for language, lines in sites.items():
        for line in lines:
            languages = found.setdefault(line, [])
            if language not in languages:
                languages.append(language)
    return [{"message": message, "languages": languages} for message, languages in found.items()]
