"""The theme's own words ("Next", "Skip to content", "On this page"...) in the site's language.

Sphinx translates the words of a theme's templates through its ``sphinx``
catalog: its own, and the one a theme may ship. Furo and Alabaster ship
none, so a French site showed them in English; the catalogs of the others
lack a few words. The tool ships them
(``locale/LANG/LC_MESSAGES/themes.po`` next to this module), read after
Sphinx's and the theme's catalogs, which keep precedence. The words themes
hard-code in English are made translatable by :mod:`.templatetext`.
"""

from __future__ import annotations

import gettext
from typing import TYPE_CHECKING

from ..wording import translations

if TYPE_CHECKING:
    from sphinx.application import Sphinx

DOMAIN = "themes"


# Catalogs of their own that themes register (``app.add_message_catalog``)
# and read their words from: the Book theme's lacks "Search" (its search box).
THEME_CATALOGS = ("booktheme",)


def add_theme_words(app: Sphinx) -> None:
    """At ``builder-inited``: the templates' ``_()`` read the tool's theme words last."""
    from sphinx.locale import get_translator, is_translator_registered

    language = app.config.language
    words = translations(language, DOMAIN) if language else None
    translator = getattr(app, "translator", None)
    if words is None or type(words) is gettext.NullTranslations or translator is None:
        return
    _append(translator, words)
    for catalog in THEME_CATALOGS:
        if is_translator_registered(catalog):
            _append(get_translator(catalog), words)


def _append(translator: gettext.NullTranslations, words: gettext.NullTranslations) -> None:
    # ``add_fallback`` appends to the end of the chain; gettext keeps the
    # chain in ``_fallback``, read here so that a build set up again never
    # appends the same catalog twice (which would make a loop).
    link: gettext.NullTranslations | None = translator
    while link is not None:
        if link is words:
            return
        link = getattr(link, "_fallback", None)
    translator.add_fallback(words)
