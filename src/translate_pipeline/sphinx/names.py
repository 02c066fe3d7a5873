"""The site's name, author and copyright line in the language of the site.

``conf.py``'s ``project``, ``html_title``, ``author`` and ``copyright`` are
messages of the root page's catalog (:mod:`translate_pipeline.sitename`).
At ``config-inited`` each one the published catalog translates is replaced
by its translation, so the theme shows it everywhere (sidebar, ``<title>``,
footer, links); one not yet translated stays in the original, and pages say
its language (``translate_pipeline_names_language``).
"""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util.i18n import docname_to_domain

from ..catalog import State
from ..sitename import NAMES
from . import site

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config


def translate_names(app: Sphinx, config: Config) -> None:
    """At ``config-inited``, after :func:`site.resolve_config`."""
    marks = site.domain_marks(config, config.root_doc)
    root = site.setting(config, "locale_dir")
    if marks is None or not root:
        return
    domain = docname_to_domain(config.root_doc, config.gettext_compact)
    mo = Path(root) / config.language / "LC_MESSAGES" / f"{domain}.mo"
    try:
        with mo.open("rb") as file:
            translations: gettext.NullTranslations = gettext.GNUTranslations(file)
    except OSError:
        translations = gettext.NullTranslations()
    untranslated = []
    for name in NAMES:
        value = getattr(config, name, None)
        if not isinstance(value, str) or value not in marks["entries"]:
            continue
        if marks["entries"][value][0] == State.UNTRANSLATED:
            untranslated.append(name)
        else:
            setattr(config, name, translations.gettext(value))
    if untranslated:
        original = site.document_language(config, config.root_doc)
        setattr(config, site.PREFIX + "names_language", original)
