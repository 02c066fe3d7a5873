"""The editor's view: ``translation-status.html`` in each site.

The numbers are those of ``translate-pipeline status --json`` (the same
report, written by ``publish`` to a file both sites read; a project built
with sphinx-build alone gets it computed here). A bar per catalog shows the
share of words in each state (inline SVG, no script); each outdated
translation links to its passage in the translated site.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from . import site
from ..catalogs.catalog import STATES
from .marks import anchor_of, title_language
from ..wording import Wording

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..project.settings import Project

logger = logging.getLogger(__name__)

PAGENAME = "translation-status"
HEADINGS = ("Reviewed", "Machine translated", "Outdated", "Not yet translated")


def status_data(project: Project, docs: dict[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """``status --json --stale``, plus the page (docname) of each source file.

    ``docs``: :func:`~translate_pipeline.project.discovery.documents` of the project, when known.
    """
    from ..project.discovery import documents
    from ..catalogs.status import status

    docs = documents(project) if docs is None else docs
    data = status(project, docs=docs).as_dict(with_stale=True)
    data["docnames"] = {source: docname for docname, (_lang, source) in sorted(docs.items())}
    return data


def _load(app: Sphinx) -> dict[str, Any] | None:
    path = site.setting(app.config, "status_file")
    if path:
        try:
            return json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.warning("cannot read %s (%s); no status page", path, error, type="translate_pipeline", subtype="status")
            return None
    from ..project.discovery import documents, from_sphinx
    from ..errors import PipelineError
    from ..project.settings import load_project

    try:
        project = load_project(app.confdir)
        return status_data(project, documents(project, from_sphinx(app)))
    except PipelineError as error:
        logger.warning("%s; no status page", error, type="translate_pipeline", subtype="status")
        return None


def collect_pages(app: Sphinx):
    if not site.active(app.env) or app.builder.format != "html" or not site.setting(app.config, "status_page"):
        return []
    if PAGENAME in app.env.all_docs:
        logger.warning("a page is named %s; the translation status page is not written", PAGENAME,
                       type="translate_pipeline", subtype="status")
        return []
    data = _load(app)
    if data is None:
        return []
    words = site.wording(app.config)
    title = words("Translation status")
    return [(PAGENAME, {"title": title, "body": render(app, data, words)}, "page.html")]


def render(app: Sphinx, data: dict[str, Any], words: Wording) -> str:
    out = [f'<section id="translation-status"><h1>{escape(words("Translation status"))}</h1>']
    out.append(f'<p class="tp-status-legend">{escape(words("Entries (paragraphs, titles, list items) per state; the bars show the share of words."))}</p>')
    out.append(_html("p", words(SHOWN_LEGEND), {"class": "tp-status-legend"}))
    docnames = data.get("docnames", {})
    for language, totals in sorted(data.get("totals", {}).items()):
        catalogs = [c for c in data["catalogs"] if c["language"] == language]
        out.append(f'<h2>{escape(words("Translations into %(language)s", language=words.language_name(language)))}</h2>')
        out.append('<div class="tp-status-scroll"><table class="tp-status-table docutils align-default"><thead><tr>')
        out.append(f'<th class="tp-status-document">{escape(words("Document"))}</th>')
        out.extend(f'<th class="tp-status-{s}">{escape(words(h))}</th>' for s, h in zip(STATES, HEADINGS))
        out.append(f'<th>{escape(words("Total"))}</th><th>{escape(words("Words reviewed"))}</th></tr></thead><tbody>')
        for item in catalogs:
            out.append(_row(app, item, docnames, words))
        out.append(_row(app, {"language": language, "domain": None, **totals}, docnames, words))
        out.append("</tbody></table></div>")
    stale = [(item, entry) for item in data.get("catalogs", []) for entry in item.get("stale", [])]
    if stale:
        out.append(f'<h2 id="outdated-translations">{escape(words("Outdated translations"))}</h2><ul class="tp-status-stale">')
        for item, entry in stale:
            out.append(_stale_item(app, item, entry, docnames, words))
        out.append("</ul>")
    checks = [(item, check) for item in data.get("catalogs", []) for check in item.get("draft_checks", [])]
    if checks:
        out.append(_entries_section(app, "drafts-to-check", words("Machine translations to check"), checks,
                                    lambda _check: words("Its numbers differ from the original’s."), docnames, words))
    refused = [(item, entry) for item in data.get("catalogs", []) for entry in item.get("check_failed", [])]
    if refused:
        out.append(_entries_section(app, "not-published", words("Translations not published"), refused,
                                    lambda _entry: words("Shown as the original instead:"), docnames, words,
                                    lambda entry: "; ".join(entry["problems"]) + "."))
    for heading, paths in (
        ("Pages without a catalog yet (run translate-pipeline sync):", data.get("unsynced", [])),
        ("Catalogs whose page is gone:", data.get("orphaned", [])),
    ):
        if paths:
            out.append(f"<p>{escape(words(heading))}</p><ul>")
            out.extend(f"<li><code>{escape(p)}</code></li>" for p in paths)
            out.append("</ul>")
    out.append("</section>")
    return "\n".join(out)


def _page_of(item: dict[str, Any], docnames: dict[str, str]) -> str | None:
    for source in item.get("documents", []):
        if source in docnames:
            return docnames[source]
    return None


def _title(app: Sphinx, docname: str) -> str:
    title = app.env.titles.get(docname)
    return title.astext() if title is not None else docname


def _title_language(app: Sphinx, docname: str) -> str:
    """The language of the page's title when it is shown not yet translated; else ""."""
    title = app.env.titles.get(docname)
    return title_language(title) if title is not None else ""


def _title_html(app: Sphinx, docname: str) -> str:
    """The page's title, saying its language when it is not yet translated."""
    language = _title_language(app, docname)
    text = escape(_title(app, docname))
    return f'<span lang="{escape(language)}">{text}</span>' if language else text


def _row(app: Sphinx, item: dict[str, Any], docnames: dict[str, str], words: Wording) -> str:
    language = item["language"]
    if item["domain"] is None:
        attrs = f'class="tp-status-total" data-total-language="{escape(language)}"'
        label = f'<strong>{escape(words("Total"))}</strong>'
    else:
        attrs = f'data-catalog="{escape(language)}/{escape(item["domain"])}"'
        docname = _page_of(item, docnames)
        if docname is not None:
            href = site.cross_uri(app.builder, PAGENAME, language, docname)
            label = (f'<a href="{escape(href)}" hreflang="{escape(language)}">{_title_html(app, docname)}</a>'
                     f'<br><small><code>{_path(item["path"])}</code></small>')
        else:
            label = f'<code>{_path(item["path"])}</code>'
    cells = "".join(f'<td class="tp-status-{s}" data-state="{s}">{item["entries"][s]}</td>' for s in STATES)
    percent = item["reviewed_percent"]
    return (
        f'<tr {attrs}><td class="tp-status-document">{label}{_bar(item["words"], words)}{_shown(item, words)}</td>'
        f'{cells}<td data-total="{item["total_entries"]}">{item["total_entries"]}</td>'
        f'<td data-reviewed-percent="{percent}">{escape(words.percent(percent))}</td></tr>'
    )


# What a row's "Passages reviewed on the site" counts, said under the tables' legend.
SHOWN_LEGEND = ("Passages reviewed on the site: those the pages show as reviewed, the figure of their banners; "
                "a translation that refers to what its original does not is shown as the original instead.")


def _shown(item: dict[str, Any], words: Wording) -> str:
    """A row's passages shown reviewed (``status --json``'s ``published``), worded as
    the pages' banners word them; nothing for a report without it."""
    shown = item.get("published")
    if not shown:
        return ""
    reviewed, total = shown["reviewed"], sum(shown.values())
    text = words("Passages reviewed on the site: %(reviewed)d of %(total)d", reviewed=reviewed, total=total)
    return _html("small", text, {"class": "tp-status-shown", "data-reviewed-shown": str(reviewed)})


def _html(tag: str, text: str, attributes: dict[str, str] | None = None) -> str:
    element = ET.Element(tag, attributes or {})
    element.text = text
    return ET.tostring(element, encoding="unicode", method="html")


def _bar(counts: dict[str, int], words: Wording) -> str:
    total = sum(counts.values())
    if not total:
        return ""
    rects, x = [], 0.0
    described = []
    for state, heading in zip(STATES, HEADINGS):
        share = 100.0 * counts[state] / total
        if share:
            rects.append(f'<rect class="tp-bar-{state}" x="{x:.2f}" y="0" width="{share:.2f}" height="10"/>')
            described.append(f"{words(heading)} {words.percent(share)}")
        x += share
    label = escape(", ".join(described))
    return (
        f'<svg class="tp-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        f'aria-label="{label}"><title>{label}</title>{"".join(rects)}</svg>'
    )


def _stale_item(app: Sphinx, item: dict[str, Any], entry: dict[str, Any], docnames: dict[str, str], words: Wording) -> str:
    language = item["language"]
    docname = _page_of(item, docnames)
    since = entry.get("since")
    when = words("The original changed on %(date)s", date=words.date(since)) if since else words("The original changed")
    if docname is not None:
        href = site.cross_uri(app.builder, PAGENAME, language, docname, anchor_of(entry["msgid"]))
        where = f'<a class="tp-status-stale-link" href="{escape(href)}" hreflang="{escape(language)}">{_title_html(app, docname)}</a>'
    else:
        where = f'<code>{escape(item["path"])}</code>'
    line = f':{entry["line"]}' if entry.get("line") else ""
    return (
        f'<li data-catalog="{escape(language)}/{escape(item["domain"])}">{where} — {escape(when)}. '
        f'<small><code>{escape(item["path"])}{line}</code></small><br>'
        f'{escape(words("Last reviewed translation:"))} <q lang="{escape(language)}">{escape(entry["msgstr"])}</q></li>'
    )


def _entries_section(app: Sphinx, section_id: str, heading: str, checks: list[tuple[dict[str, Any], dict[str, Any]]],
                     note: Callable[[dict[str, Any]], str], docnames: dict[str, str], words: Wording,
                     detail: Callable[[dict[str, Any]], str] | None = None) -> str:
    """Entries an editor should look at (machine drafts whose ``# draft check:`` asks a
    second look, translations not published), each linking to its passage, with ``note``
    and ``detail``."""
    section = ET.Element("section", {"id": section_id})
    ET.SubElement(section, "h2").text = heading
    listing = ET.SubElement(section, "ul", {"class": "tp-status-checks"})
    for item, check in checks:
        language = item["language"]
        entry = ET.SubElement(listing, "li", {"data-catalog": f"{language}/{item['domain']}"})
        docname = _page_of(item, docnames)
        if docname is not None:
            link = ET.SubElement(entry, "a", {
                "class": "tp-status-check-link", "hreflang": language,
                "href": site.cross_uri(app.builder, PAGENAME, language, docname, anchor_of(check["msgid"])),
            })
            link.text = _title(app, docname)
            if _title_language(app, docname):
                link.set("lang", _title_language(app, docname))
            link.tail = " — " + note(check) + " "
        else:
            entry.text = note(check) + " "
        if detail is not None:  # the tool's own words, in English whatever the site's language
            ET.SubElement(entry, "span", {"class": "tp-status-detail", "lang": "en"}).text = detail(check)
            entry[-1].tail = " "
        where = ET.SubElement(ET.SubElement(entry, "small"), "code")
        where.text = f"{item['path']}:{check['line']}" if check.get("line") else item["path"]
    return ET.tostring(section, encoding="unicode", method="html")


def _path(path: str) -> str:
    """A file path that may break after each ``/`` (the table then fits the page)."""
    return "/<wbr>".join(escape(part) for part in path.split("/"))
