"""Each page's content as the PDFs print it: what Sphinx wrote for its body, in a page of our own.

When ``publish`` makes PDFs it sets ``translate_pipeline_pdf_print_dir``;
each document page Sphinx writes then also gets ``PRINT_DIR/DOCNAME.html``:
the ``body`` of the page's context (the doctree as Sphinx's HTML writer
renders it, marks and banner included) in the tool's print template
(``print/page.html``), without the theme's chrome or stylesheets. The PDFs
are made from these files (:mod:`translate_pipeline.publishing.pdf.render`), so they are
the same whatever the site's theme.

A file is written only when it changed (its time says when it last
changed); a page whose file is missing is read again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import site

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

TEMPLATES = Path(__file__).resolve().parent.parent / "publishing" / "pdf" / "print"
PAGE_TEMPLATE = "page.html"
SUFFIX = ".html"


def print_dir(config: Any) -> Path | None:
    folder = site.setting(config, "pdf_print_dir")
    return Path(folder) if folder else None


def print_file(folder: Path, docname: str) -> Path:
    return folder / (docname + SUFFIX)


class PrintPages:
    """Writes the print page of each document page Sphinx writes (``html-page-context``)."""

    def __init__(self) -> None:
        self._template = None

    def template(self):
        if self._template is None:
            from jinja2 import Environment, FileSystemLoader, select_autoescape

            environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
            self._template = environment.get_template(PAGE_TEMPLATE)
        return self._template

    def __call__(self, app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: nodes.document | None) -> None:
        folder = print_dir(app.config)
        if folder is None or doctree is None or pagename not in app.env.found_docs or not site.active(app.env):
            return
        from sphinx.util.osutil import relative_uri

        from ..publishing.published import write_if_changed

        here = app.builder.get_target_uri(pagename)
        text = self.template().render(
            language=app.config.language or "",
            title=_plain(context.get("title") or pagename),
            body=context.get("body", ""),
            page=here,
            pygments=relative_uri(here, "_static/pygments.css"),
        )
        write_if_changed(print_file(folder, pagename), text.encode("utf-8"))


def outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Pages to read again because their print page is missing."""
    folder = print_dir(env.config)
    if folder is None or not site.active(env):
        return []
    return [docname for docname in sorted(env.found_docs - added - changed - removed)
            if not print_file(folder, docname).is_file()]


def _plain(title: str) -> str:
    """A page title as text (Sphinx gives it as HTML)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]*>", "", title)).strip()
