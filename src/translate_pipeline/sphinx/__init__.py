"""Sphinx extension: sites that tell readers the truth about their translation.

Add ``"translate_pipeline.sphinx"`` to ``extensions`` in ``conf.py``. In a
site built in a language its pages are not written in, every passage
(paragraph, title, list item, table cell) is shown as the publish policy
says, and marked:

* reviewed: as is;
* machine translated: marked ``tp-mark tp-machine``, with a discreet label;
* outdated (the original changed after review): the last reviewed
  translation, marked ``tp-stale``, with the date and a link to the passage
  in the original;
* not yet translated: the original, marked ``tp-untranslated`` with its
  ``lang``; so is a translation that refers to what its original does not
  (a URL, a link target, a footnote, a directive: warning
  ``translate_pipeline.refused`` with the catalog's line).

A page not fully reviewed opens with a banner (counts, link to the
original); under ``page_threshold`` percent of reviewed words it is replaced
by a notice. Every page gets a language switcher and ``hreflang`` links; each
site gets ``translation-status.html``.

``translate-pipeline publish`` sets every ``translate_pipeline_*`` value.
With ``sphinx-build`` alone, the values left unset come from the project's
``[tool.translate-pipeline]`` settings and the extension compiles the
catalogs of ``locale_dirs`` itself.

Configuration (all optional):

``translate_pipeline_source_language``
    the language pages are written in (default: the project's setting);
``translate_pipeline_document_languages``
    ``{docname: language}`` for pages written in another language;
``translate_pipeline_languages``
    the languages of the sites, in switcher order; sites are sibling
    folders named by language code;
``translate_pipeline_machine`` / ``translate_pipeline_stale``
    ``"mark"`` (show the draft / last reviewed translation, marked) or
    ``"source"`` (show the original, marked not yet translated);
``translate_pipeline_page_threshold``
    percent of words reviewed under which a page is replaced by a notice;
``translate_pipeline_banner``
    whether a page not fully reviewed opens with a banner;
``translate_pipeline_locales``
    ``{language: locale}``: where each site's readers are, for dates and
    numbers (default: ``en_GB`` when ``deepl_target_variant`` is ``EN-GB``);
``translate_pipeline_site_root``
    absolute URL of the folder holding the sites (absolute hreflang links);
``translate_pipeline_locale_dir``
    catalogs compiled by ``publish`` (``LANG/LC_MESSAGES/DOMAIN.mo`` and
    ``LANG/marks.json``); empty: compile ``locale_dirs`` at each build;
``translate_pipeline_status_file`` / ``translate_pipeline_status_page``
    the status report written by ``publish``; whether to write the page.
``translate_pipeline_pdf_pages``
    whether each page links to its PDF (``PAGE.pdf`` next to ``PAGE.html``);
``translate_pipeline_pdf_site``
    the whole site's PDF, relative to the site's folder, linked from every
    page (empty: none). ``publish`` makes these PDFs and sets both values;
``translate_pipeline_pdf_print_dir``
    where each page's print page is written, from which ``publish`` makes
    its PDFs (empty: none is written).

``translate_pipeline_untranslated_names``
    set by the extension: ``{name: language}`` of ``project``,
    ``html_title``, ``author``, ``copyright`` not yet translated (the others
    are replaced by their translation, from the root page's catalog).

The PDF links and the language switch are placed per theme
(``templates/translate-pipeline/controls.html``; see :mod:`.pages`).

Warnings have the type ``translate_pipeline`` (``suppress_warnings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import __version__
from ..catalogs.envdata import read_few_serially
from . import (
    captions,
    guard,
    marks,
    mystlinks,
    names,
    pages,
    printpage,
    render,
    site,
    statuspage,
    templatetext,
    themes,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx

ENV_VERSION = 3

_OPTIONAL_STR = frozenset({str, type(None)})


def setup(app: Sphinx) -> dict[str, Any]:
    # What a change of each value redoes: "env", every page is read again;
    # "html", every page is written again; "", nothing by itself. The policy
    # for machine drafts and stale entries changes what the compiled catalogs
    # publish, so their digests say which pages to read again (only those).
    config = (
        ("source_language", None, _OPTIONAL_STR, "env"),
        ("document_languages", {}, frozenset({dict}), "env"),
        ("languages", None, frozenset({list, tuple, type(None)}), "env"),
        ("locale_dir", "", frozenset({str}), "env"),
        ("machine", None, _OPTIONAL_STR, ""),
        ("stale", None, _OPTIONAL_STR, ""),
        ("page_threshold", None, frozenset({int, float, type(None)}), "html"),
        ("banner", None, frozenset({bool, type(None)}), "html"),
        ("locales", None, frozenset({dict, type(None)}), "html"),  # language -> readers' locale
        ("untranslated_names", {}, frozenset({dict}), "html"),  # set at config-inited: {name: its language}
        ("original_names", {}, frozenset({dict}), ""),  # set at config-inited: the names as conf.py has them
        ("site_root", "", frozenset({str}), "html"),
        ("status_file", "", frozenset({str}), "html"),
        ("status_page", True, frozenset({bool}), "html"),
        ("pdf_pages", False, frozenset({bool}), "html"),  # the PDF links
        ("pdf_site", "", frozenset({str}), "html"),
        ("pdf_print_dir", "", frozenset({str}), ""),  # a page whose print page is missing is read again
    )
    for name, default, types, rebuild in config:
        app.add_config_value(site.PREFIX + name, default, rebuild, types=types)

    captions.setup(app)
    app.add_transform(marks.MarkMessages)
    app.add_transform(guard.KeepOriginals)
    app.add_transform(guard.CheckTranslations)  # before CheckMarks (same priority): it may unmark a passage
    app.add_transform(marks.CheckMarks)
    app.connect("config-inited", site.resolve_config)
    app.connect("config-inited", names.translate_names)
    app.connect("config-inited", pages.add_templates)
    app.connect("builder-inited", pages.cache_templates)
    app.connect("builder-inited", themes.add_theme_words)
    app.connect("builder-inited", templatetext.setup_templates)
    app.connect("builder-inited", mystlinks.use_page_definitions)
    app.connect("env-get-outdated", site.outdated)
    app.connect("env-get-outdated", printpage.outdated)
    app.connect("env-get-outdated", names.refresh_names)
    app.connect("env-purge-doc", site.purge_doc)
    app.connect("env-merge-info", site.merge_info)
    app.connect("env-before-read-docs", read_few_serially)
    app.connect("doctree-resolved", render.doctree_resolved)
    app.connect("html-page-context", pages.page_context, priority=400)  # before furo computes its toc
    app.connect("html-page-context", printpage.PrintPages())
    app.connect("html-page-context", templatetext.page_context, priority=600)  # after the theme's
    app.connect("html-collect-pages", statuspage.collect_pages)
    app.connect("build-finished", pages.copy_assets)
    app.add_css_file(pages.CSS_FILE)
    app.add_js_file(pages.JS_FILE, defer="defer")
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
