"""The site's name, author and copyright line in the language of the site.

``conf.py``'s ``project``, ``html_title``, ``author`` and ``copyright`` are
messages of the root page's catalog (:mod:`translate_pipeline.catalogs.sitename`).
At ``config-inited`` each one the published catalog translates is replaced
by its translation, so the theme shows it everywhere (sidebar, ``<title>``,
footer, links); one not yet translated stays in the original
(``translate_pipeline_untranslated_names``: name -> its language), and the
page's ``<title>`` says its language.
"""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util.i18n import docname_to_domain

from ..catalogs.catalog import State
from ..catalogs.sitename import NAMES
from . import site

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config


def translate_names(app: Sphinx, config: Config) -> None:
    """At ``config-inited``, after :func:`site.resolve_config`: the names in the site's language."""
    originals = {name: getattr(config, name, None) for name in NAMES}
    originals = {name: value for name, value in originals.items() if isinstance(value, str)}
    setattr(config, site.PREFIX + "original_names", originals)
    _apply(config, originals)


def refresh_names(app: Sphinx, env: Any, added: Any, changed: Any, removed: Any) -> list[str]:
    """At ``env-get-outdated``, each build: a Sphinx kept between builds (``serve``) shows the names
    as the catalogs publish them now (a name reviewed since, or no longer)."""
    originals = site.setting(app.config, "original_names")
    if not originals:
        return []
    shown = {name: getattr(app.config, name, None) for name in originals}
    _apply(app.config, originals)
    if all(getattr(app.config, name, None) == value for name, value in shown.items()):
        return []
    return sorted(env.found_docs)  # every page shows the site's name


def _apply(config: Config, originals: dict[str, str]) -> None:
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
    original = site.document_language(config, config.root_doc)
    untranslated = {}
    for name, value in originals.items():
        if value not in marks["entries"]:
            continue
        if marks["entries"][value][0] == State.UNTRANSLATED:
            untranslated[name] = original
            setattr(config, name, value)
        else:
            setattr(config, name, translations.gettext(value))
    setattr(config, site.PREFIX + "untranslated_names", untranslated)


def title_language(config: Config) -> str:
    """The language of the site's title (``html_title``, by default made of ``project``) when not yet translated."""
    untranslated = site.setting(config, "untranslated_names") or {}
    title = str(config.html_title or "")
    for name, language in untranslated.items():
        if name == "html_title" or name == "project" and str(config.project) in title:
            return language
    return ""
