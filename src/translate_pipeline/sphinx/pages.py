"""The HTML around the content: language switcher, PDF links, ``hreflang`` links, assets.

The switcher is in a bar fixed at the top of the window on every page
(``templates/page.html`` adds it before the theme's body, so it shows on
phones too and on every page, search and index included): it is in reach
wherever the reader is. Its links go to the same page in the other site; a
few lines of script (``static/translate-pipeline.js``) add the section the
reader is at when it is clicked. Without script the plain link works.

When ``publish`` makes PDFs, the same bar links to the page's PDF and to the
whole site's.
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
DOWNLOADS_ID = "tp-downloads"


def add_templates(app: Sphinx, config: Any) -> None:
    """At ``config-inited``: the theme's page gets the switcher bar (a project's own page.html wins)."""
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(TEMPLATES))


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: nodes.document | None) -> None:
    if not site.active(app.env):
        return
    words = site.wording(app.config)
    context["metatags"] = context.get("metatags", "") + _label_style(words)
    if doctree is not None and doctree.get(render.REPLACED):
        context["toc"] = ""  # the notice has no sections to list
    languages = site.languages(app.config)
    parts = [downloads(app, pagename, words)]
    if len(languages) >= 2:
        context["metatags"] += "".join(_alternates(app, pagename, languages))
        parts.append(switcher(app, pagename, languages, words))
    if any(parts):
        context["tp_switcher"] = f'<div class="tp-switcher-bar"><div class="tp-topbar">{"".join(parts)}</div></div>'


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
        f'<nav id="{SWITCHER_ID}" class="tp-switcher" '
        f'aria-label="{escape(words("Language"))}"><ul>{"".join(items)}</ul></nav>'
    )


def downloads(app: Sphinx, pagename: str, words: Wording) -> str:
    """Links to the page's PDF (pages of the site's documents) and to the whole site's."""
    items = []
    here = app.builder.get_target_uri(pagename)
    if site.setting(app.config, "pdf_pages") and pagename in app.env.found_docs:
        href = site.pdf_uri(here).rsplit("/", 1)[-1]
        items.append(
            f'<li><a class="tp-pdf-link" href="{escape(href)}" type="application/pdf" '
            f'title="{escape(words("This page as a PDF file"))}">{escape(words("PDF"))}</a></li>'
        )
    whole = site.setting(app.config, "pdf_site")
    if whole:
        from sphinx.util.osutil import relative_uri

        items.append(
            f'<li><a class="tp-pdf-site-link" href="{escape(relative_uri(here, whole))}" type="application/pdf" '
            f'title="{escape(words("The whole site as one PDF file"))}">{escape(words("Whole site (PDF)"))}</a></li>'
        )
    if not items:
        return ""
    return (
        f'<nav id="{DOWNLOADS_ID}" class="tp-downloads" aria-label="{escape(words("Downloads"))}">'
        f'<ul>{"".join(items)}</ul></nav>'
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


def cache_templates(app: Sphinx) -> None:
    """At ``builder-inited``: keep the compiled templates between builds.

    Sphinx compiles the theme's templates anew at each build, a good part of
    the time of a build that writes one page. Jinja's own bytecode cache,
    next to the doctrees, compiles them once (a changed template is compiled
    again: the cache is keyed by the template's text).
    """
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None or environment.bytecode_cache is not None:
        return
    from jinja2 import FileSystemBytecodeCache

    directory = Path(app.doctreedir) / "templates"
    directory.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(directory))


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util.fileutil import copy_asset_file

    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name in (CSS_FILE, JS_FILE):
        copy_asset_file(STATIC / name, static / name, force=True)
