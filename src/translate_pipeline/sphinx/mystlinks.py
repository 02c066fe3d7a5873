"""Reference links (``[text][label]``) of Markdown pages, kept in their translations.

Sphinx parses each translated paragraph alone, so MyST finds none of the
page's link definitions (``[label]: https://...``) and shows
``[text][label]`` as plain text (MyST-Parser issue 690,
https://github.com/executablebooks/MyST-Parser/issues/690). While a page is
read, the Markdown parser is given, after each translated paragraph that may
hold one, the definitions of the page it comes from: a definition shows
nothing, so the paragraph is what it was, with its links.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

TRANSLATED = ":<translated>"  # how Sphinx names the document of a translated paragraph
_DEFINITIONS = "translate_pipeline_myst_definitions"  # env.temp_data: page file -> its definitions


def use_page_definitions(app: Sphinx) -> None:
    """Put the Markdown parser that knows the page's link definitions in MyST's place."""
    for filetype, parser in list(app.registry.source_parsers.items()):
        if parser.__module__.startswith("myst_parser.") and not getattr(parser, "_keeps_definitions", False):
            app.registry.source_parsers[filetype] = _with_definitions(parser)


def _with_definitions(parser: type) -> type:
    class MystParserWithDefinitions(parser):  # type: ignore[misc, valid-type]
        _keeps_definitions = True

        def parse(self, inputstring: str, document: Any) -> None:
            source = str(document.get("source", ""))
            if source.endswith(TRANSLATED) and "]" in inputstring:
                page = source[: -len(TRANSLATED)].rsplit(":", 1)[0]
                definitions = _definitions(document.settings.env, page)
                if definitions:
                    inputstring = f"{inputstring}\n\n{definitions}\n"
            super().parse(inputstring, document)

    return MystParserWithDefinitions


def _definitions(env: Any, page: str) -> str:
    """The link definitions of the Markdown file ``page``, as Markdown (read once per page read)."""
    known = env.temp_data.setdefault(_DEFINITIONS, {})
    if page not in known:
        known[page] = _read_definitions(env, page)
    return known[page]


def _read_definitions(env: Any, page: str) -> str:
    from markdown_it.renderer import RendererHTML
    from myst_parser.parsers.mdit import create_md_parser

    try:
        text = Path(page).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        logger.warning("cannot read %s for its link definitions (%s)", page, error,
                       type="translate_pipeline", subtype="myst")
        return ""
    found: dict[str, Any] = {}
    create_md_parser(env.myst_config, RendererHTML).parse(text, found)
    lines = []
    for label, target in sorted(found.get("references", {}).items()):
        href = str(target.get("href", "")).replace(">", "%3E")
        title = str(target.get("title") or "").replace('"', '\\"')
        lines.append(f'[{label}]: <{href}>' + (f' "{title}"' if title else ""))
    return "\n".join(lines)
