"""Which language a project's pages are written in, and which they are translated into.

Found, not guessed: the pages are in ``conf.py``'s ``language`` as Sphinx
reads it (no ``language``: English) unless the settings say otherwise; the
catalogs are translations into the languages whose folders hold catalogs
(``locale/<lang>/LC_MESSAGES/*.po``), or, with none yet, into the other
language of the French/English pair. Catalogs that exist only for the
language ``conf.py`` names contradict it: the project is refused, with the
setting to write, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from ..files import relative

SPHINX_DEFAULT_LANGUAGE = "en"  # Sphinx's reading of a conf.py without ``language``


@dataclass(frozen=True)
class Direction:
    source: str
    targets: tuple[str, ...]


def conf_language(conf: dict[str, Any]) -> str:
    """The language of the pages as Sphinx reads ``conf.py`` (``en_US`` is ``en``)."""
    language = conf.get("language")
    if not isinstance(language, str) or not language.strip():
        return SPHINX_DEFAULT_LANGUAGE
    return language.strip().replace("-", "_").split("_")[0]


def catalog_languages(locale_root: Path) -> set[str]:
    """The languages of ``locale_root`` that hold at least one catalog."""
    if not locale_root.is_dir():
        return set()
    found = set()
    for folder in locale_root.iterdir():
        messages = folder / "LC_MESSAGES"
        if messages.is_dir() and next(messages.rglob("*.po"), None) is not None:
            found.add(folder.name)
    return found


def language_name(code: str) -> str:
    """A language's name in the tool's words, through Babel ("French", "English")."""
    from babel import Locale

    name = Locale("en").languages.get(code.replace("-", "_")) or Locale("en").languages.get(
        code.replace("-", "_").split("_")[0])
    return name or code


def other_language(language: str) -> str:
    """The other language of the French/English pair."""
    return "fr" if language == "en" else "en"


def find_direction(root: Path, conf: dict[str, Any], locale_root: Path, source: Any, targets: Any,
                   pyproject: Path, layout: frozenset[str] = frozenset()) -> Direction:
    """The direction, from the settings (``source``, ``targets``: None when unset),
    ``conf.py`` and the catalogs on disk; raises SettingsError when they disagree.

    ``layout``: the language folders of the tool's own layout (``source/fr/``):
    with no ``language`` in ``conf.py``, a single one names the source language.
    """
    on_disk = catalog_languages(locale_root)
    if source is None and not conf.get("language") and len(layout) == 1:
        source = next(iter(layout))
    if source is None:
        source = conf_language(conf)
        contradicted = (on_disk and on_disk <= {source}) or (
            isinstance(targets, list | tuple) and source in targets)
        if contradicted:
            raise SettingsError(_disagreement(root, conf, locale_root, source, on_disk, pyproject))
    if targets is None:
        targets = sorted(on_disk - {source}) or [other_language(str(source))]
    if isinstance(targets, str):
        targets = [targets]
    return Direction(str(source), tuple(targets))


def _disagreement(root: Path, conf: dict[str, Any], locale_root: Path, source: str, on_disk: set[str],
                  pyproject: Path) -> str:
    name = language_name(source)
    language = conf.get("language")
    said = f"sets language = {language!r}" if isinstance(language, str) and language else "sets no language"
    folders = ", ".join(f"{relative(locale_root / lang, root)}/" for lang in sorted(on_disk)) or "none"
    suggested = other_language(source)
    return (
        f"{root / 'conf.py'} {said}, so Sphinx reads the pages as {name}, but the settings or the catalogs "
        f"on disk ({folders}) translate into {name}. Say which language the pages are written in: "
        f"write source_language = \"{suggested}\" (or the right code) under [tool.translate-pipeline] "
        f"in {pyproject}, or set language in conf.py. Nothing was written."
    )


def source_language_of(project: Any, target: str) -> str:
    """The language the entries of ``locale/TARGET`` are translated from."""
    source = project.settings.source_language
    if target != source:
        return source
    others = [language for language in project.sources if language != target]
    return others[0] if others else project.settings.target_languages[0]
