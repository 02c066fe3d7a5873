"""Toctree captions shown untranslated say their language, and are marked.

Sphinx makes a toctree's caption anew each time it draws the toctree (in
the page and in the theme's navigation), as a title holding only the
caption's text, so nothing set on the page's nodes reaches it. The HTML
writer is therefore given one more step when it meets a toctree: a caption
whose message the published catalog does not translate gets the marks of
an untranslated title (``tp-title-mark tp-untranslated``, and
``language-xx``, which the writer turns into ``lang``).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes

from ..catalogs.catalog import State
from . import marks, site


def visit_compact_paragraph(self: Any, node: nodes.Element) -> None:
    if node.get("toctree"):  # the navigation joins the root page's toctrees: a caption for each
        for caption in node.children:
            if isinstance(caption, nodes.title):
                _mark_caption(self.builder, caption)
    type(self).visit_compact_paragraph(self, node)


def depart_compact_paragraph(self: Any, node: nodes.Element) -> None:
    type(self).depart_compact_paragraph(self, node)


def _mark_caption(builder: Any, caption: nodes.title) -> None:
    env = builder.env
    if not site.active(env) or marks.TITLE_MARK in caption["classes"] or not caption.source:
        return
    docname = env.path2doc(caption.source)
    original = caption.rawsource
    entries = (site.domain_marks(env.config, docname) or {}).get("entries", {}) if docname else {}
    if original in entries and entries[original][0] == State.UNTRANSLATED:
        language = site.document_language(env.config, docname)
        caption["classes"] += [marks.TITLE_MARK, f"tp-{State.UNTRANSLATED}", f"language-{language}"]


def setup(app: Any) -> None:
    app.add_node(addnodes.compact_paragraph, override=True,
                 html=(visit_compact_paragraph, depart_compact_paragraph))
