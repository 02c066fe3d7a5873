"""The HTML around the content: language switcher, ``hreflang`` links, assets.

The switcher is a bar fixed at the top of the window on every page
(``templates/page.html`` adds it before the theme's body, so it shows on
phones too and on every page, search and index included): it is in reach
wherever the reader is. Its links go to the same page in the other site; a
few lines of script (``static/translate-pipeline.js``) add the section the
reader is at when it is clicked. Without script the plain link works.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import render, site
from .wording import Wording, autonym

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
CSS_FILE = "translate-pipeline.css"
JS_FILE = "translate-pipeline.js"
SWITCHER_ID = "tp-switcher"


def add_templates(app: Sphinx, config: Any) -> None:
    """At ``config-inited``: the theme's page gets the switcher bar (a project's own page.html wins)."""
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(TEMPLATES))


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: nodes.document | None) -> None:
    if not site.active(app.env):
        return
    words = Wording(app.config.language)
    context["metatags"] = context.get("metatags", "") + _label_style(words)
    if doctree is not None and doctree.get(render.REPLACED):
        context["toc"] = ""  # the notice has no sections to list
    languages = site.languages(app.config)
    if len(languages) < 2:
        return
    context["metatags"] += "".join(_alternates(app, pagename, languages))
    context["tp_switcher"] = switcher(app, pagename, languages, words)


def _href(app: Sphinx, pagename: str, language: str) -> str:
    absolute = site.absolute_uri(app.config, app.builder, language, pagename)
    return absolute or site.cross_uri(app.builder, pagename, language, pagename) or app.builder.get_target_uri(pagename).rsplit("/", 1)[-1]


def _alternates(app: Sphinx, pagename: str, languages: list[str]):
    for language in languages:
        yield f'\n<link rel="alternate" hreflang="{escape(language)}" href="{escape(_href(app, pagename, language))}">'
    original = site.document_language(app.config, pagename) if pagename in app.env.all_docs else site.setting(app.config, "source_language")
    yield f'\n<link rel="alternate" hreflang="x-default" href="{escape(_href(app, pagename, original))}">\n'


def switcher(app: Sphinx, pagename: str, languages: list[str], words: Wording) -> str:
    items = []
    for language in languages:
        name = escape(autonym(language))
        code = escape(language)
        if language == app.config.language:
            items.append(f'<li><span class="tp-switcher-current" aria-current="page" lang="{code}">{name}</span></li>')
        else:
            href = escape(_href(app, pagename, language))
            items.append(
                f'<li><a class="tp-switcher-link" href="{href}" hreflang="{code}" lang="{code}" '
                f'data-tp-language="{code}">{name}</a></li>'
            )
    return (
        f'<div class="tp-switcher-bar"><nav id="{SWITCHER_ID}" class="tp-switcher" '
        f'aria-label="{escape(words("Language"))}"><ul>{"".join(items)}</ul></nav></div>'
    )


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _label_style(words: Wording) -> str:
    """The labels of marked titles, in the site's language (titles hold no label text)."""
    values = ";".join(
        f"--tp-label-{state}:{_css_string(words(text))}"
        for state, text in (("machine", "machine translated"), ("stale", "outdated"), ("untranslated", "not yet translated"))
    )
    return f"\n<style>:root{{{values}}}</style>"


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util.fileutil import copy_asset_file

    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name in (CSS_FILE, JS_FILE):
        copy_asset_file(STATIC / name, static / name, force=True)
