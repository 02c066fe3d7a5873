"""``publish``'s PDFs: one per page, next to it, and one per language for the whole site.

They are made from the HTML Sphinx has just built
(:mod:`translate_pipeline.pdfrender`). A PDF is made again only when what it
shows changed: for each page, a hash of its content (the element holding
it, the images it shows, the stylesheets of its head, its title) is kept in
``_build/translate-pipeline/pdf.json`` with the hash of what each PDF was
made from; a page whose HTML file has the same time and size as last time
is not even read again. The PDFs to make are shared among worker processes,
the whole sites' first (they take longest).

Returns a :class:`PdfReport`; prints nothing.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import re
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

from . import __version__, pdfrender
from .children import exit_with_parent
from .errors import PublishError
from .files import atomic_write, relative
from .pdfrender import Page, PdfJob, Rendered, TranslationProgress
from .plural import counted
from .settings import PdfOptions, Project
from .sphinx.site import pdf_uri

MANIFEST = "pdf.json"

Say = Callable[[str], None]


@dataclass
class SitePages:
    """One language's built site, as the PDFs need it."""

    language: str
    folder: Path  # _build/site/LANG
    uris: dict[str, str]  # docname -> page, relative to the folder
    titles: dict[str, str]  # docname -> title
    order: list[tuple[str, int]]  # reading order: (docname, depth)
    progress: TranslationProgress | None  # the translation, when some page is not fully reviewed
    root_doc: str


@dataclass
class PdfLanguageReport:
    language: str
    pages: int = 0  # page PDFs
    made: int = 0  # of them, made this time
    site: str = ""  # the whole site's PDF, relative to the project ("" none)
    site_made: bool = False
    site_pages: int = 0  # the whole site's PDF's number of pages, when made
    removed: int = 0  # PDFs of pages gone (or no longer wanted), deleted
    seconds: float = 0.0  # spent making this language's PDFs (over all processes)


@dataclass
class PdfReport:
    languages: list[PdfLanguageReport] = field(default_factory=list)
    processes: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def made(self) -> int:
        return sum(r.made + r.site_made for r in self.languages)

    def as_dict(self) -> dict[str, Any]:
        languages = []
        for report in self.languages:
            data = asdict(report)
            data["seconds"] = round(report.seconds, 2)
            languages.append(data)
        return {"languages": languages, "made": self.made, "processes": self.processes,
                "seconds": round(self.seconds, 2), "warnings": self.warnings}


def site_pdf_name(project: Project, language: str) -> str:
    """The whole site's PDF, in the site's folder: ``<project>-<language>.pdf``."""
    name = unicodedata.normalize("NFKD", project.project_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "site"
    return f"{slug}-{language}.pdf"


def make_pdfs(project: Project, sites: list[SitePages], options: PdfOptions, sites_dir: Path,
              site_root: str, cpus: int, say: Say) -> PdfReport:
    """Make the PDFs whose page changed; delete those of pages gone; raise PublishError on failure."""
    started = time.monotonic()
    manifest = _Manifest(project.cache_dir / MANIFEST, _render_key(project, options, site_root))
    contents = _Contents(project.root, manifest.inputs)
    common = {"site_title": str(project.conf.get("html_title") or project.project_name),
              "author": str(project.conf.get("author") or ""), "paper": options.paper,
              "sites_dir": str(sites_dir), "site_root": site_root}
    report = PdfReport()
    planned: list[_Planned] = []
    for site in sites:
        wanted = _wanted(project, site, options, common, manifest.key, contents)
        language = PdfLanguageReport(site.language, pages=sum(not job.whole_site for job, _ in wanted))
        language.site = next((_relative(Path(job.output), project.root) for job, _ in wanted if job.whole_site), "")
        language.removed = manifest.keep_only(sites_dir, site.folder, {job.output for job, _ in wanted})
        planned += [_Planned(job, language, digest) for job, digest in wanted
                    if not manifest.holds(sites_dir, job.output, digest)]
        report.languages.append(language)
    contents.forget_others()
    failed: list[str] = []
    if planned:
        report.processes = max(1, min(cpus, len(planned)))
        sites_made = sum(1 for item in planned if item.job.whole_site)
        say(counted(len(planned), "Making %(count)d PDF", "Making %(count)d PDFs")
            + f" ({len(planned) - sites_made} of pages, {sites_made} of whole sites) "
            + counted(report.processes, "in %(count)d process…", "in %(count)d processes…"))
        results = _render_all([item.job for item in planned], report.processes)
        failed = _record(planned, results, report, manifest, project.root, sites_dir)
    manifest.save()
    if failed:
        raise PublishError(
            counted(len(failed), "WeasyPrint could not make %(count)d PDF", "WeasyPrint could not make %(count)d PDFs")
            + f": {failed[0]} (the sites are built; publish --no-pdf builds them without PDFs)"
        )
    for language in report.languages if planned else ():
        say(f"  {language.language}: "
            + counted(language.pages, "%(made)d of %(count)d page PDF made", "%(made)d of %(count)d page PDFs made",
                      made=language.made)
            + ("; the whole site's (" + counted(language.site_pages, "%(count)d page", "%(count)d pages") + ")"
               if language.site_made else ""))
    report.seconds = time.monotonic() - started
    return report


@dataclass
class _Planned:
    job: PdfJob
    report: PdfLanguageReport
    digest: str  # of what the PDF is made from


def _wanted(project: Project, site: SitePages, options: PdfOptions, common: dict[str, Any], key: str,
            contents: _Contents) -> list[tuple[PdfJob, str]]:
    """The PDFs one language's site has, each with the digest of what it is made from."""
    wanted = []
    if options.pages:
        for docname, _depth in site.order:
            html = site.folder / site.uris[docname]
            job = PdfJob(output=str(site.folder / pdf_uri(site.uris[docname])), html=str(html),
                         language=site.language, title=site.titles.get(docname, docname), **common)
            wanted.append((job, _digest(key, "page", job.title, contents(html))))
    if options.site and site.order:
        job = _whole_site_job(project, site, common)
        parts = [[page.docname, page.title, page.depth, contents(Path(page.html))] for page in job.pages]
        progress = asdict(site.progress) if site.progress else None
        wanted.append((job, _digest(key, "site", contents(Path(job.html)), parts, progress)))
    return wanted


def _record(planned: list[_Planned], results: list[Rendered], report: PdfReport, manifest: _Manifest,
            root: Path, sites_dir: Path) -> list[str]:
    """Count what was made, remember it; return the failures."""
    failed = []
    for item, result in zip(planned, results, strict=True):
        where = _relative(Path(item.job.output), root)
        item.report.seconds += result.seconds
        report.warnings += [f"{where}: {warning}" for warning in result.warnings]
        if result.error:
            manifest.forget(sites_dir, item.job.output)
            failed.append(f"{where}: {result.error}")
        elif item.job.whole_site:
            manifest.remember(sites_dir, item.job.output, item.digest)
            item.report.site_made, item.report.site_pages = True, result.pages
        else:
            manifest.remember(sites_dir, item.job.output, item.digest)
            item.report.made += 1
    return failed


def _whole_site_job(project: Project, site: SitePages, common: dict[str, Any]) -> PdfJob:
    pages = [Page(docname, str(site.folder / site.uris[docname]), site.titles.get(docname, docname), depth)
             for docname, depth in site.order]
    frame = site.folder / site.uris.get(site.root_doc, site.uris[site.order[0][0]])
    return PdfJob(output=str(site.folder / site_pdf_name(project, site.language)), html=str(frame),
                  language=site.language, title=common["site_title"], pages=pages, progress=site.progress,
                  **common)


def _render_all(jobs: list[PdfJob], processes: int) -> list[Rendered]:
    """Render in worker processes, longest first; results in the order of ``jobs``."""
    if processes == 1:
        return [pdfrender.render(job) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: (not jobs[i].whole_site, -_size(jobs[i].html)))
    results: dict[int, Rendered] = {}
    # spawn: a fresh interpreter, with none of the Sphinx state of this one
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=processes, mp_context=context,
                                                initializer=exit_with_parent, initargs=(os.getpid(),)) as pool:
        futures = {pool.submit(pdfrender.render, jobs[i]): i for i in order}
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except concurrent.futures.process.BrokenProcessPool as error:
                results[i] = Rendered(jobs[i].output, error=f"the process making it died ({error})")
    return [results[i] for i in range(len(jobs))]


class _Manifest:
    """What each PDF was made from (``pdf.json``): the PDFs made before, by path in the sites."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        data = data if isinstance(data, dict) else {}
        self.files: dict[str, str] = dict(data.get("files", {}))
        if data.get("key") != key:  # other stylesheets, settings or tool: no PDF is as it would be now
            self.files = dict.fromkeys(self.files, "")
        self.inputs: dict[str, list[Any]] = data.get("inputs", {})

    def holds(self, sites_dir: Path, output: str, digest: str) -> bool:
        return self.files.get(_relative(Path(output), sites_dir)) == digest and Path(output).is_file()

    def remember(self, sites_dir: Path, output: str, digest: str) -> None:
        self.files[_relative(Path(output), sites_dir)] = digest

    def forget(self, sites_dir: Path, output: str) -> None:
        self.files.pop(_relative(Path(output), sites_dir), None)

    def keep_only(self, sites_dir: Path, folder: Path, wanted: set[str]) -> int:
        """Delete the PDFs made before in ``folder`` that are not wanted any more."""
        prefix = _relative(folder, sites_dir) + "/"
        keep = {_relative(Path(output), sites_dir) for output in wanted}
        removed = 0
        for name in [n for n in self.files if n.startswith(prefix) and n not in keep]:
            del self.files[name]
            path = sites_dir / name
            if path.is_file():
                path.unlink()
                removed += 1
        return removed

    def save(self) -> None:
        data = {"key": self.key, "files": self.files, "inputs": self.inputs}
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))


# -- what a PDF is made from ------------------------------------------------------------


class _Contents:
    """The hash of what a built page shows in print, read again only when its file changed."""

    def __init__(self, root: Path, known: dict[str, list[Any]]) -> None:
        self.root = root
        self.known = known
        self.seen: set[str] = set()
        self.files: dict[str, bytes] = {}  # the hash of each stylesheet and image, read once a run

    def __call__(self, path: Path) -> str:
        name = _relative(path, self.root)
        self.seen.add(name)
        stat = path.stat()
        known = self.known.get(name)
        if known and known[0] == stat.st_mtime_ns and known[1] == stat.st_size:
            return known[2]
        digest = _page_digest(path, self.files)
        self.known[name] = [stat.st_mtime_ns, stat.st_size, digest]
        return digest

    def forget_others(self) -> None:
        for name in [n for n in self.known if n not in self.seen]:
            del self.known[name]


def _page_digest(path: Path, files: dict[str, bytes]) -> str:
    root = pdfrender._parse(str(path))
    base = path.resolve().as_uri()
    digest = hashlib.sha256()
    digest.update((root.get("lang") or "").encode())
    head = root.find("head")
    for element in head.iter() if head is not None else ():
        if element.tag in ("title", "style"):
            digest.update(ET.tostring(element))
        elif element.tag == "link" and "stylesheet" in (element.get("rel") or ""):
            digest.update(_file_digest(urljoin(base, element.get("href") or ""), files))
    main = pdfrender.main_content(root)
    digest.update(ET.tostring(main))
    for image in main.iter("img"):
        digest.update(_file_digest(urljoin(base, image.get("src") or ""), files))
    return digest.hexdigest()


def _file_digest(url: str, files: dict[str, bytes]) -> bytes:
    """What a stylesheet or image holds (not its address: Sphinx adds ``?v=`` as it likes)."""
    if not url.startswith("file:"):
        return url.encode()
    source = unquote(urlparse(url).path)
    if source not in files:
        try:
            files[source] = hashlib.sha256(Path(source).read_bytes()).digest()
        except OSError:
            files[source] = b"-"
    return files[source]


def _render_key(project: Project, options: PdfOptions, site_root: str) -> str:
    """What every PDF depends on besides its page: the tool, its stylesheets, the settings."""
    from importlib.metadata import version

    from .sphinx import pages

    parts = [__version__, version("weasyprint"), options.paper, site_root,
             str(project.conf.get("html_title") or project.project_name), str(project.conf.get("author") or "")]
    digest = hashlib.sha256(json.dumps(parts).encode())
    for path in (pdfrender.STYLESHEET, pages.STATIC / pages.CSS_FILE, Path(pdfrender.__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def _relative(path: Path, root: Path) -> str:
    return relative(path.resolve(), root.resolve())
