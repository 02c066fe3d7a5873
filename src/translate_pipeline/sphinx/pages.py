"""The HTML around the content: language switcher, PDF links, ``hreflang`` links, assets.

The switcher and the PDF links (``templates/translate-pipeline/controls.html``)
go where each theme expects such controls (:func:`placement`), on every page,
search and index included, on phones too. The switcher's links go to the
same page in the other site; a few lines of script
(``static/translate-pipeline.js``) add the section the reader is at when it
is clicked. Without script the plain link works.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import marks, names, render, site, templatetext
from ..wording import Wording, autonym

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
CSS_FILE = "translate-pipeline.css"
JS_FILE = "translate-pipeline.js"
CONTROLS_TEMPLATE = "translate-pipeline/controls.html"


def add_templates(app: Sphinx, config: Any) -> None:
    """At ``config-inited``: the templates placing the controls (a project's own templates win).

    Those that override a template of one theme only (``templates/THEME/``)
    are added for that theme: another theme may have a template of the same
    name among its ``templates_path`` (PyData's ``breadcrumbs.html``), which
    the override's ``{% extends "!..." %}`` would not find.
    """
    folders = [TEMPLATES]
    own = TEMPLATES / str(config.html_theme or "")
    if config.html_theme and own.is_dir():
        folders.append(own)
    # a new list: Sphinx's default ``templates_path`` is one list shared by
    # every build of the process (``serve``, the tests), whatever its theme
    config.templates_path = [*config.templates_path, *(str(f) for f in folders if str(f) not in config.templates_path)]


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: nodes.document | None) -> None:
    if not site.active(app.env):
        return
    words = site.wording(app.config)
    context["metatags"] = context.get("metatags", "") + _label_style(words)
    if doctree is not None and doctree.get(render.REPLACED):
        context["toc"] = ""  # the notice has no sections to list
    languages = site.languages(app.config)
    controls: dict[str, Any] = {}
    links = downloads(app, pagename, words)
    if links:
        controls.update(downloads=links, downloads_label=words("Downloads"))
    if len(languages) >= 2:
        context["metatags"] += "".join(_alternates(app, pagename, languages))
        controls.update(languages=switcher(app, pagename, languages), languages_label=words("Language"))
    if controls:
        context["tp_controls"] = controls
        context["tp_placement"] = placement(app, context)
    title_language = _title_language(app, pagename)
    if title_language:
        context["tp_title_language"] = title_language


def placement(app: Sphinx, context: dict[str, Any]) -> str:
    """Where the theme expects the page's controls (PDF links, language switch).

    * PyData-based themes (PyData, Book): the article's header, as one more
      of its ``article_header_end`` items;
    * Read the Docs: the right of the breadcrumbs (``sphinx_rtd_theme/breadcrumbs.html``);
    * Furo: a bar fixed at the top of the window (``page.html``), with the
      theme's own fixed parts moved under it;
    * any other theme: a line at the top of the page's content
      (``page.html``), in the flow of the page, so that nothing covers it.
    """
    if "theme_article_header_end" in context:
        items = context["theme_article_header_end"] or []
        if isinstance(items, str):
            items = [item.strip() for item in items.split(",") if item.strip()]
        context["theme_article_header_end"] = [*items, CONTROLS_TEMPLATE]
        return "article-header"
    names = _theme_names(app)
    if "sphinx_rtd_theme" in names:
        return "breadcrumbs"
    if "furo" in names:
        return "bar"
    return "content"


def _theme_names(app: Sphinx) -> set[str]:
    theme = getattr(app.builder, "theme", None)
    names = {str(getattr(theme, "name", "") or "")}
    names.add(str(app.config.html_theme or ""))
    return names


def _title_language(app: Sphinx, pagename: str) -> str:
    """The language of the page's ``<title>`` when it is not the site's: an untranslated page title or site name."""
    title = app.env.titles.get(pagename)
    return (marks.title_language(title) if title is not None else "") or names.title_language(app.config)


def _href(app: Sphinx, pagename: str, language: str) -> str:
    absolute = site.absolute_uri(app.config, app.builder, language, pagename)
    return absolute or site.cross_uri(app.builder, pagename, language, pagename) or app.builder.get_target_uri(pagename).rsplit("/", 1)[-1]


def _alternates(app: Sphinx, pagename: str, languages: list[str]):
    for language in languages:
        yield f'\n<link rel="alternate" hreflang="{escape(language)}" href="{escape(_href(app, pagename, language))}">'
    original = site.document_language(app.config, pagename) if pagename in app.env.all_docs else site.setting(app.config, "source_language")
    yield f'\n<link rel="alternate" hreflang="x-default" href="{escape(_href(app, pagename, original))}">\n'


def switcher(app: Sphinx, pagename: str, languages: list[str]) -> list[dict[str, Any]]:
    """The language switch: each site's language, its name in itself, the same page there."""
    return [
        {"code": language, "name": autonym(language), "current": language == app.config.language,
         "href": _href(app, pagename, language)}
        for language in languages
    ]


def downloads(app: Sphinx, pagename: str, words: Wording) -> list[dict[str, str]]:
    """Links to the page's PDF (pages of the site's documents) and to the whole site's."""
    links = []
    here = app.builder.get_target_uri(pagename)
    if site.setting(app.config, "pdf_pages") and pagename in app.env.found_docs:
        links.append({"class": "tp-pdf-link", "href": site.pdf_uri(here).rsplit("/", 1)[-1],
                      "title": words("This page as a PDF file"), "text": words("PDF")})
    whole = site.setting(app.config, "pdf_site")
    if whole:
        from sphinx.util.osutil import relative_uri

        links.append({"class": "tp-pdf-site-link", "href": relative_uri(here, whole),
                      "title": words("The whole site as one PDF file"), "text": words("Whole site (PDF)")})
    return links


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
    # the templates are compiled as :mod:`.templatetext` rewrites them: the
    # files of another form of that rewriting are not read
    environment.bytecode_cache = FileSystemBytecodeCache(str(directory), f"__jinja2_{templatetext.FORM}_%s.cache")


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util.fileutil import copy_asset_file

    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name in (CSS_FILE, JS_FILE):
        copy_asset_file(STATIC / name, static / name, force=True)
