"""Pages Sphinx built, made into PDFs with WeasyPrint.

A page's PDF is its HTML page, printed: the print rules of the extension's
stylesheet leave the content alone at full width, marks and banner
included; ``pdf.css`` adds the paper, a running header (the page's title,
the language), a footer (the site, page numbers) and fonts Debian provides.

The whole site's PDF is one document, so that its pages are numbered
through and its links stay inside it: the home page's frame holding a cover
(title, language, author, where the translation stands, the contents with
page numbers), then the content of every page in reading order, each
starting on a new sheet, their ids made unique.

Links leaving a PDF go to the published site (``site_root``) or, without
one, relative to the PDF: never to a file of the machine that built it.
Only the files of the built sites are read, nothing from the network.

:func:`render` runs in worker processes: it takes a picklable
:class:`PdfJob` and returns a :class:`Rendered`.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import re
import string
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag, urljoin, urlparse

from .files import replacing

STYLESHEET = Path(__file__).with_name("pdf.css")
ID_PREFIX = "tp-pdf-"  # + the page's number in the whole site's PDF + "-"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


@dataclass
class Page:
    """A page of the site, as the whole site's PDF holds it."""

    docname: str
    html: str  # the built page
    title: str
    depth: int = 0  # in the table of contents


@dataclass
class TranslationProgress:
    """Where the translation of a site stands, for the cover of its PDF."""

    entries: dict[str, int]  # passages shown, per state, over the translated pages
    pages: int  # translated pages
    unreviewed_pages: int  # of them, not fully reviewed


@dataclass
class PdfJob:
    output: str  # the PDF to write
    html: str  # the page; for the whole site, the page whose frame holds it (the home page)
    language: str
    title: str
    site_title: str
    author: str
    paper: str
    sites_dir: str  # the folder holding the sites (_build/site)
    site_root: str  # the public URL of that folder, or ""
    pages: list[Page] = field(default_factory=list)  # the whole site: every page, in reading order
    progress: TranslationProgress | None = None  # the whole site: the translation, when not fully reviewed

    @property
    def whole_site(self) -> bool:
        return bool(self.pages)


@dataclass
class Rendered:
    output: str
    pages: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def render(job: PdfJob) -> Rendered:
    """Make one PDF; a failure is reported, the PDF there before stays."""
    started = time.monotonic()
    result = Rendered(job.output)
    with _weasyprint_messages() as messages:
        try:
            document = _whole_site(job) if job.whole_site else _page(job)
            _relink(document, job)
            document.metadata.title = job.title
            document.metadata.authors = [job.author] if job.author else []
            document.metadata.lang = job.language
            _write(document, Path(job.output))
            result.pages = len(document.pages)
        except Exception as error:  # WeasyPrint and the libraries under it raise all kinds
            result.error = f"{type(error).__name__}: {error}"
    result.warnings = messages
    result.seconds = time.monotonic() - started
    return result


# -- WeasyPrint --------------------------------------------------------------------


_fonts = None


def _font_config():
    """One font configuration per process: fontconfig is asked once."""
    global _fonts
    if _fonts is None:
        from weasyprint.text.fonts import FontConfiguration

        _fonts = FontConfiguration()
    return _fonts


def _fetcher(job: PdfJob, parsed: frozenset[str] = frozenset()):
    """Reads the built sites' files and nothing else; ``parsed``: stylesheets given parsed."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = unquote(Path(job.sites_dir).resolve().as_uri() + "/")

    class SiteFiles(URLFetcher):
        def fetch(self, url, headers=None):
            if not (url.startswith("data:") or unquote(url).startswith(allowed)):
                raise ValueError(f"{url}: not a file of the built sites, left out of the PDF")
            if unquote(url) in parsed:
                return URLFetcherResponse(url, b"", {"Content-Type": "text/css"})
            return super().fetch(url, headers)

    return SiteFiles(allowed_protocols=("file", "data"))


_parsed_sheets: dict[tuple[str, int, int], object] = {}  # a stylesheet is parsed once per process
LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z-]+)\s*=\s*"([^"]*)"')


def _page_stylesheets(job: PdfJob, head: str, base: str) -> tuple[list, frozenset[str]]:
    """The stylesheets a page links to, parsed once for all the pages a process makes.

    WeasyPrint would parse them again for each page (most of the work on a
    short page); they are given to it parsed, in the page's order, and the
    page's own links then read as empty. Given this way they cascade among
    themselves as before, under the page's own ``<style>`` elements as before
    (those come after them). Links with a ``media`` are left to WeasyPrint.
    """
    from weasyprint import CSS

    sheets, urls = [], set()
    reader = _fetcher(job)
    for tag in LINK.findall(head):
        attributes = {k.lower(): html.unescape(v) for k, v in ATTRIBUTE.findall(tag)}
        if "stylesheet" not in attributes.get("rel", "").split() or "media" in attributes:
            continue
        url = urljoin(base, attributes.get("href", ""))
        path = Path(unquote(urlparse(url).path))
        if not url.startswith("file:") or not path.is_file():
            continue
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in _parsed_sheets:
            _parsed_sheets[key] = CSS(url=url, url_fetcher=reader, font_config=_font_config())
        sheets.append(_parsed_sheets[key])
        urls.add(unquote(url))
    return sheets, frozenset(urls)


def _stylesheet(job: PdfJob, running_title: str):
    from weasyprint import CSS

    from .sphinx.wording import autonym

    paper = re.sub(r"[^A-Za-z0-9. ]", "", job.paper) or "A4"
    text = string.Template(STYLESHEET.read_text(encoding="utf-8")).substitute(
        paper=paper, running_title=running_title, language=_css_string(autonym(job.language)),
        site=_css_string(job.site_title),
    )
    return CSS(string=text, font_config=_font_config())


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page(job: PdfJob):
    text = Path(job.html).read_text(encoding="utf-8")
    return _layout(job, text, _css_string(job.title))


def _whole_site(job: PdfJob):
    text = "<!DOCTYPE html>\n" + ET.tostring(_site_tree(job), encoding="unicode", method="html")
    return _layout(job, text, "string(tp-title)")


def _layout(job: PdfJob, text: str, running_title: str):
    from weasyprint import HTML

    base = Path(job.html).resolve().as_uri()
    sheets, parsed = _page_stylesheets(job, text.split("</head>", 1)[0], base)
    document = HTML(string=text, base_url=base, url_fetcher=_fetcher(job, parsed))
    return document.render(stylesheets=[*sheets, _stylesheet(job, running_title)], font_config=_font_config())


# What a reader would miss in the PDF: a file not loaded, characters no font has.
# The rest WeasyPrint logs is the screen CSS it skips, and the theme's own quirks.
REPORTED = ("Failed to load", "Error while loading", "Error while rendering", "No anchor",
            "Font-face", "Too many glyphs missing", "Unable to")


@contextlib.contextmanager
def _weasyprint_messages() -> Iterator[list[str]]:
    """What WeasyPrint would log that matters to the reader, kept for the report."""
    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = record.getMessage()
            if text.startswith(REPORTED):
                messages.append(text.splitlines()[0])

    logger = logging.getLogger("weasyprint")
    handler = Keep(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _write(document, path: Path) -> None:
    with replacing(path) as tmp:
        document.write_pdf(tmp)


# -- links ---------------------------------------------------------------------------


def _relink(document, job: PdfJob) -> None:
    """Links to the sites' files: to the public site, or relative to the PDF."""
    sites = unquote(Path(job.sites_dir).resolve().as_uri() + "/")
    own = unquote(Path(job.html).resolve().as_uri())
    anchors = {name for page in document.pages for name in page.anchors}
    here = Path(job.output).resolve().parent
    for page in document.pages:
        links = []
        for kind, target, rectangle, box in page.links:
            if kind == "external" and unquote(target).startswith(sites):
                path, fragment = urldefrag(unquote(target))
                if not job.whole_site and path == own and fragment in anchors:
                    kind, target = "internal", fragment
                else:
                    target = _public(path[len(sites):], fragment, job, here)
            links.append((kind, target, rectangle, box))
        page.links = links


def _public(path: str, fragment: str, job: PdfJob, here: Path) -> str:
    if job.site_root:
        url = job.site_root.rstrip("/") + "/" + quote(path)
    else:
        url = quote(os.path.relpath(Path(job.sites_dir).resolve() / path, here).replace(os.sep, "/"))
    return url + (f"#{fragment}" if fragment else "")


# -- the whole site's document --------------------------------------------------------


def _parse(path: str) -> ET.Element:
    import tinyhtml5

    with open(path, "rb") as handle:
        return tinyhtml5.parse(handle, namespace_html_elements=False)


def main_content(root: ET.Element) -> ET.Element:
    """The element holding a page's own content (``role="main"``; else the body)."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("role") == "main":
            return element
    body = root.find("body")
    return body if body is not None else root


def _key(url: str) -> str:
    return unquote(urldefrag(url)[0])


def _site_tree(job: PdfJob) -> ET.Element:
    from .sphinx.wording import Wording

    words = Wording(job.language)
    frame = _parse(job.html)
    title = frame.find("head/title")
    if title is not None:
        title.text = job.site_title
    holder = main_content(frame)
    for child in list(holder):
        holder.remove(child)
    holder.text = None
    prefixes = {_key(Path(p.html).resolve().as_uri()): f"{ID_PREFIX}{n}-" for n, p in enumerate(job.pages, 1)}
    holder.append(_cover(job, words, prefixes))
    for page in job.pages:
        base = Path(page.html).resolve().as_uri()
        prefix = prefixes[_key(base)]
        content = main_content(_parse(page.html))
        section = ET.Element("section", {"class": "tp-pdf-document", "id": f"{prefix}top", "data-tp-title": page.title})
        section.text = content.text
        section.extend(list(content))
        _relocate(section, base, prefix, prefixes)
        holder.append(section)
    return frame


def _relocate(section: ET.Element, base: str, prefix: str, prefixes: dict[str, str]) -> None:
    """Ids made unique, links to pages of the PDF made internal, resources made absolute."""
    for element in section.iter():
        if not isinstance(element.tag, str) or element is section:
            continue
        if element.get("id"):
            element.set("id", prefix + element.get("id"))
        for name in ("href", XLINK_HREF):
            href = element.get(name)
            if href is not None:
                element.set(name, _link(href, base, prefix, prefixes))
        for name in ("src", "data", "poster"):
            value = element.get(name)
            if value and not value.startswith(("data:", "#")):
                element.set(name, urljoin(base, value))


def _link(href: str, base: str, prefix: str, prefixes: dict[str, str]) -> str:
    if href.startswith("#"):
        return f"#{prefix}{href[1:] or 'top'}"
    url = urljoin(base, href)
    target = prefixes.get(_key(url))
    if target is None:
        return url
    fragment = urldefrag(url)[1]
    return f"#{target}{fragment or 'top'}"


def _cover(job: PdfJob, words, prefixes: dict[str, str]) -> ET.Element:
    from .sphinx.wording import autonym

    cover = ET.Element("section", {"class": "tp-pdf-cover"})
    _paragraph(cover, "tp-pdf-cover-title", job.site_title)
    _paragraph(cover, "tp-pdf-cover-language", autonym(job.language))
    if job.author and job.author != job.site_title:
        _paragraph(cover, "tp-pdf-cover-author", job.author)
    if job.progress is not None:
        cover.append(_progress(job.progress, words))
    contents = ET.SubElement(cover, "nav", {"class": "tp-pdf-contents"})
    _paragraph(contents, "tp-pdf-contents-title", words("Contents"))
    items = ET.SubElement(contents, "ol")
    for page in job.pages:
        item = ET.SubElement(items, "li", {"class": f"tp-pdf-depth-{min(page.depth, 2)}"})
        link = ET.SubElement(item, "a", {"href": f"#{prefixes[_key(Path(page.html).resolve().as_uri())]}top"})
        link.text = page.title
    return cover


def _progress(progress: TranslationProgress, words) -> ET.Element:
    """The site's banner: the same words and look as a page's."""
    entries = progress.entries
    banner = ET.Element("div", {"class": "tp-banner tp-pdf-banner container"})
    text = ET.SubElement(banner, "p")
    ET.SubElement(text, "strong").text = words("Translation in progress.")
    ET.SubElement(text, "span").text = " " + words(
        "Passages reviewed: %(reviewed)d of %(total)d.", reviewed=entries.get("reviewed", 0), total=sum(entries.values())
    )
    counts = ET.SubElement(banner, "p", {"class": "tp-banner-counts"})
    for state, message in (
        ("machine", "machine translated: %(count)d"),
        ("stale", "outdated: %(count)d"),
        ("untranslated", "not yet translated: %(count)d"),
    ):
        if entries.get(state):
            span = ET.SubElement(counts, "span", {"class": f"tp-count tp-count-{state}"})
            span.text = words(message, count=entries[state])
            span.tail = " "
    _paragraph(banner, "", words("Pages not fully reviewed: %(count)d of %(total)d.",
                                 count=progress.unreviewed_pages, total=progress.pages))
    return banner


def _paragraph(parent: ET.Element, cls: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, "p", {"class": cls} if cls else {})
    element.text = text
    return element
