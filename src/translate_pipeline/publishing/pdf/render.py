"""The PDFs' pages, laid out with WeasyPrint from the tool's print pages.

Each page of a site is laid out once, from its print page
(:mod:`translate_pipeline.sphinx.printpage`: what Sphinx wrote for its
body, in the tool's own template) with the print stylesheet ``pdf.css`` and
the marks of the extension's stylesheet: never with the site's theme. The
result is the page's *part*, a PDF without page numbers kept in the cache;
the page's own PDF is its part with its page numbers put on
(:mod:`translate_pipeline.publishing.pdf.book`), and the whole site's PDF is a cover
with the contents followed by the parts, numbered through.

Links leaving a PDF go to the published site (``site_root``) or, without
one, relative to the PDF: never to a file of the machine that built it.
Only the files of the built sites are read, nothing from the network.

:func:`render_part` and :func:`render_book` run in worker processes: they
take a picklable job and return a :class:`Rendered`; a job that runs longer
than its time limit is stopped and reported.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import signal
import string
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag

from . import book as pdfbook
from ...files import replacing

STYLESHEET = Path(__file__).with_name("pdf.css")
PRINT_TEMPLATES = Path(__file__).with_name("print")
NUMBERS_STYLESHEET = PRINT_TEMPLATES / "numbers.css"
COVER_TEMPLATE = "cover.html"


@dataclass
class TranslationProgress:
    """Where the translation of a site stands, for the cover of its PDF."""

    entries: dict[str, int]  # passages shown, per state, over the translated pages
    pages: int  # translated pages
    unreviewed_pages: int  # of them, not fully reviewed


@dataclass
class Layout:
    """What every PDF of one language's site shares."""

    language: str
    site_title: str
    author: str
    paper: str
    sites_dir: str  # the folder holding the sites (_build/site)
    site_root: str  # the public URL of that folder, or ""
    work_dir: str  # the cache: parts, page-number sheets, covers
    timeout: float  # seconds one PDF may take; 0: no limit


@dataclass
class PartJob:
    """One page: its print page laid out, into its own PDF and its part of the whole site's."""

    layout: Layout
    links: pdfbook.Links
    docname: str
    title: str
    print_page: str  # the print page (print/page.html filled in by the extension)
    html: str  # the built page: the base of its links and images
    part: str  # the part to write: the page as the whole site's PDF holds it (no page numbers)
    info: str  # what the whole site's PDF needs to know about the part (pdfbook.PartInfo)
    output: str  # the page's own PDF ("" none)


@dataclass
class BookEntry:
    """A page of the whole site's PDF."""

    docname: str
    title: str
    depth: int  # in the table of contents
    part: str
    info: str
    html: str  # the built page: where the contents link to


@dataclass
class BookJob:
    layout: Layout
    links: pdfbook.Links
    output: str
    frame: str  # the site's home page: the base of the cover's links
    entries: list[BookEntry]
    progress: TranslationProgress | None = None
    cover_pages: int = 1  # the cover's length last time: the first guess of where pages start


@dataclass
class Rendered:
    output: str
    pages: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    cover_pages: int = 0  # a whole site's PDF: the sheets before the first page


class TimeLimitExceeded(BaseException):
    """Not an Exception: no ``except Exception`` in the libraries laying out may swallow it."""


def render_part(job: PartJob) -> Rendered:
    """Lay out one page into its part, then write its own PDF; a failure is reported."""
    return _run(job.output or job.part, job.layout.timeout, lambda result: _part(job, result))


def render_book(job: BookJob) -> Rendered:
    """The whole site's PDF: a cover with the contents, then the parts; a failure is reported."""
    return _run(job.output, job.layout.timeout, lambda result: _book(job, result))


def _run(output: str, timeout: float, work) -> Rendered:
    started = time.monotonic()
    result = Rendered(output)
    with _weasyprint_messages() as messages:
        try:
            with _time_limit(timeout):
                work(result)
        except TimeLimitExceeded:
            result.error = f"stopped after {timeout:g} s (the pdf.timeout setting)"
        except Exception as error:  # WeasyPrint and the libraries under it raise all kinds
            result.error = f"{type(error).__name__}: {error}"
    result.warnings = messages
    result.seconds = time.monotonic() - started
    return result


def _part(job: PartJob, result: Rendered) -> None:
    layout = job.layout
    text = Path(job.print_page).read_text(encoding="utf-8")
    document = _layout(layout, text, job.html)
    here = Path(job.output or job.html).parent
    _relink(document, layout, job.html, here, own_fragments=True)
    _set_metadata(document, layout, job.title)
    sheets = len(document.pages)
    if sheets == 0:
        raise ValueError("the page laid out into no sheet")
    with replacing(Path(job.part)) as laid_out:
        document.write_pdf(laid_out)
        if job.output:
            pdfbook.stamp(laid_out, numbers(layout, sheets), Path(job.output))
        folder = _site_path(str(here), Path(layout.sites_dir).resolve())
        info = pdfbook.book_part(laid_out, job.docname, folder, job.links, laid_out)
    info.save(Path(job.info))
    result.pages = sheets


def _book(job: BookJob, result: Rendered) -> None:
    layout = job.layout
    entries = [(entry, pdfbook.PartInfo.load(Path(entry.info))) for entry in job.entries]
    lengths = [info.sheets for _entry, info in entries]
    cover, cover_info = _cover(job, max(1, job.cover_pages), lengths)
    parts = [pdfbook.Part(entry.docname, Path(entry.part), info, entry.title, entry.depth) for entry, info in entries]
    total = cover_info.sheets + sum(lengths)
    from ...wording import Wording

    pdfbook.assemble(
        pdfbook.Book(cover=cover, cover_title=Wording(layout.language)("Contents"), parts=parts, links=job.links,
                     title=layout.site_title, author=layout.author, language=layout.language),
        cover_info, numbers(layout, total), Path(job.output))
    result.pages, result.cover_pages = total, cover_info.sheets


def _cover(job: BookJob, cover_pages: int, lengths: list[int]) -> tuple[Path, pdfbook.PartInfo]:
    """The cover as the whole site's PDF holds it; kept in the cache while what it shows stays the same.

    Its length does not depend on the page numbers it shows: laid out with
    last time's length as a guess, it is laid out again only if that changed.
    """
    layout = job.layout
    folder = Path(layout.work_dir)
    for _attempt in range(3):
        text = _cover_html(job, cover_pages, lengths)
        key = hashlib.sha256("\0".join([text, repr(layout), repr(job.links), job.output,
                                         STYLESHEET.read_text(encoding="utf-8")]).encode()).hexdigest()[:16]
        path = folder / f"cover-{layout.language}-{key}.pdf"
        known = path.with_suffix(".json")
        if path.is_file() and known.is_file():
            info = pdfbook.PartInfo.load(known)
        else:
            document = _layout(layout, text, job.frame)
            _relink(document, layout, job.frame, Path(job.output).parent, own_fragments=False)
            for old in folder.glob(f"cover-{layout.language}-*"):
                old.unlink(missing_ok=True)
            with replacing(path) as tmp:
                document.write_pdf(tmp)
                info = pdfbook.book_part(tmp, "", job.links.folder, job.links, tmp)
            info.save(known)
        if info.sheets == cover_pages:
            return path, info
        cover_pages = info.sheets
    raise ValueError(f"the contents take {cover_pages} sheets one time, another number the next")


def _site_path(path: str, sites: Path) -> str:
    return Path(path).resolve().relative_to(sites).as_posix()


def _cover_html(job: BookJob, cover_pages: int, lengths: list[int]) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ...wording import Wording, autonym

    layout = job.layout
    words = Wording(layout.language)
    contents, page = [], cover_pages + 1
    for entry, length in zip(job.entries, lengths, strict=True):
        contents.append({"title": entry.title, "depth": min(entry.depth, 2), "page": page,
                         "href": Path(entry.html).resolve().as_uri()})
        page += length
    environment = Environment(loader=FileSystemLoader(str(PRINT_TEMPLATES)), autoescape=select_autoescape(["html"]))
    return environment.get_template(COVER_TEMPLATE).render(
        language=layout.language, language_name=autonym(layout.language), site_title=layout.site_title,
        author=layout.author, progress=_progress(job.progress, words) if job.progress else None,
        contents_title=words("Contents"), contents=contents)


def _progress(progress: TranslationProgress, words) -> dict:
    """The site's banner: the same words as a page's."""
    entries = progress.entries
    counts = [(state, words(message, count=entries[state])) for state, message in (
        ("machine", "machine translated: %(count)d"),
        ("stale", "outdated: %(count)d"),
        ("untranslated", "not yet translated: %(count)d"),
    ) if entries.get(state)]
    return {
        "title": words("Translation in progress."),
        "reviewed": words("Passages reviewed: %(reviewed)d of %(total)d.",
                          reviewed=entries.get("reviewed", 0), total=sum(entries.values())),
        "counts": counts,
        "pages": words("Pages not fully reviewed: %(count)d of %(total)d.",
                       count=progress.unreviewed_pages, total=progress.pages),
    }


# -- WeasyPrint --------------------------------------------------------------------


_fonts = None


def _font_config():
    """One font configuration per process: fontconfig is asked once."""
    global _fonts
    if _fonts is None:
        from weasyprint.text.fonts import FontConfiguration

        _fonts = FontConfiguration()
    return _fonts


def _fetcher(layout: Layout):
    """Reads the built sites' files and nothing else."""
    from weasyprint.urls import URLFetcher

    allowed = unquote(Path(layout.sites_dir).resolve().as_uri() + "/")

    class SiteFiles(URLFetcher):
        def fetch(self, url, headers=None):
            if not (url.startswith("data:") or unquote(url).startswith(allowed)):
                raise ValueError(f"{url}: not a file of the built sites, left out of the PDF")
            return super().fetch(url, headers)

    return SiteFiles(allowed_protocols=("file", "data"))


_parsed_sheets: dict[str, object] = {}  # a stylesheet is parsed once per process


def _stylesheets(layout: Layout) -> list:
    """The marks of the extension's stylesheet, then pdf.css for this language."""
    from weasyprint import CSS

    from ...sphinx import pages
    from ...wording import Wording, autonym

    words = Wording(layout.language)
    paper = re.sub(r"[^A-Za-z0-9. ]", "", layout.paper) or "A4"
    text = string.Template(STYLESHEET.read_text(encoding="utf-8")).substitute(
        paper=paper, language=_css_string(autonym(layout.language)), site=_css_string(layout.site_title),
        label_machine=_css_string(words("machine translated")), label_stale=_css_string(words("outdated")),
        label_untranslated=_css_string(words("not yet translated")),
    )
    sheets = []
    for source in ((pages.STATIC / pages.CSS_FILE).read_text(encoding="utf-8"), text):
        key = hashlib.sha256(source.encode()).hexdigest()
        if key not in _parsed_sheets:
            _parsed_sheets[key] = CSS(string=source, font_config=_font_config())
        sheets.append(_parsed_sheets[key])
    return sheets


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _layout(layout: Layout, text: str, base_html: str):
    from weasyprint import HTML

    base = Path(base_html).resolve().as_uri()
    document = HTML(string=text, base_url=base, url_fetcher=_fetcher(layout))
    return document.render(stylesheets=_stylesheets(layout), font_config=_font_config())


def _set_metadata(document, layout: Layout, title: str) -> None:
    document.metadata.title = title
    document.metadata.authors = [layout.author] if layout.author else []
    document.metadata.lang = layout.language


def numbers(layout: Layout, count: int) -> Path:
    """Sheets holding only the page numbers ``1 / count`` to ``count / count`` (kept in the cache)."""
    from weasyprint import CSS, HTML

    paper = re.sub(r"[^A-Za-z0-9. ]", "", layout.paper) or "A4"
    css = string.Template(NUMBERS_STYLESHEET.read_text(encoding="utf-8")).substitute(paper=paper)
    key = hashlib.sha256(css.encode()).hexdigest()[:16]
    path = Path(layout.work_dir) / f"numbers-{key}-{count}.pdf"
    if path.is_file():
        return path
    from xml.etree import ElementTree as ET

    root = ET.Element("html")
    body = ET.SubElement(root, "body")
    for _ in range(count):
        ET.SubElement(body, "div").text = " "
    document = HTML(string=ET.tostring(root, encoding="unicode", method="html")).render(
        stylesheets=[CSS(string=css, font_config=_font_config())], font_config=_font_config())
    with replacing(path) as tmp:
        document.write_pdf(tmp)
    return path


# What a reader would miss in the PDF: a file not loaded, characters no font has.
# The rest WeasyPrint logs is CSS it skips.
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


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop the block after ``seconds`` (a timer signal; in the main thread of a process only)."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    running = [True]

    def stop(_signum, _frame):
        if running[0]:
            raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, stop)
    # Again every 50 ms after the first: a signal that lands where the exception is
    # swallowed (a finaliser, a callback from C) is followed by another.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        while running[0]:
            try:
                running[0] = False
            except TimeLimitExceeded:  # raised just before: the block is left all the same
                continue
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- links ---------------------------------------------------------------------------


def _relink(document, layout: Layout, own_html: str, here: Path, own_fragments: bool) -> None:
    """Links to the sites' files: to the public site, or relative to where the PDF is (``here``)."""
    sites = unquote(Path(layout.sites_dir).resolve().as_uri() + "/")
    own = unquote(Path(own_html).resolve().as_uri())
    anchors = {name for page in document.pages for name in page.anchors}
    here = here.resolve()
    for page in document.pages:
        links = []
        for kind, target, rectangle, box in page.links:
            if kind == "external" and unquote(target).startswith(sites):
                path, fragment = urldefrag(unquote(target))
                if own_fragments and path == own and fragment in anchors:
                    kind, target = "internal", fragment
                else:
                    target = _public(path[len(sites):], fragment, layout, here)
            links.append((kind, target, rectangle, box))
        page.links = links


def _public(path: str, fragment: str, layout: Layout, here: Path) -> str:
    if layout.site_root:
        url = layout.site_root.rstrip("/") + "/" + quote(path)
    else:
        url = quote(os.path.relpath(Path(layout.sites_dir).resolve() / path, here).replace(os.sep, "/"))
    return url + (f"#{fragment}" if fragment else "")
