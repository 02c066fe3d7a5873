"""The theme's own words ("Next", "Skip to content", "On this page"...) in the site's language.

Sphinx translates the words of a theme's templates through its ``sphinx``
catalog: its own, and the one a theme may ship. Furo and Alabaster ship
none, so a French site showed them in English. The tool ships them
(``locale/LANG/LC_MESSAGES/themes.po`` next to this module), read after
Sphinx's and the theme's catalogs, which keep precedence.
"""

from __future__ import annotations

import gettext
from typing import TYPE_CHECKING

from ..wording import translations

if TYPE_CHECKING:
    from sphinx.application import Sphinx

DOMAIN = "themes"


def add_theme_words(app: Sphinx) -> None:
    """At ``builder-inited``: the templates' ``_()`` read the tool's theme words last."""
    language = app.config.language
    words = translations(language, DOMAIN) if language else None
    translator = getattr(app, "translator", None)
    if words is None or type(words) is gettext.NullTranslations or translator is None:
        return
    # ``add_fallback`` appends to the end of the chain; gettext keeps the
    # chain in ``_fallback``, read here so that a build set up again never
    # appends the same catalog twice (which would make a loop).
    link = translator
    while link is not None:
        if link is words:
            return
        link = getattr(link, "_fallback", None)
    translator.add_fallback(words)
