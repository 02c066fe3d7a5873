"""``publish``'s PDFs: one per page, next to it, and one per language for the whole site.

Each page is laid out once (:mod:`translate_pipeline.publishing.pdf.render`) from its
print page, which the extension writes when Sphinx writes the page
(:mod:`translate_pipeline.sphinx.printpage`): that gives the page's *part*,
kept in ``_build/translate-pipeline/pdf/parts/``, and its own PDF. The
whole site's PDF is put together from the parts (:mod:`translate_pipeline.publishing.pdf.book`).

A part is laid out again only when what it shows changed: the hash of its
print page (and the images and stylesheets it reads) is kept in
``_build/translate-pipeline/pdf.json`` with the hash each PDF was made
from (:mod:`translate_pipeline.publishing.pdf.manifest`); a print page with the same time and size as last time is not even
read again. An edit of one page lays out that page in each language and
puts the whole sites' PDFs together again.

Pages are shared among worker processes, which end when ``publish`` ends,
however it ends. A page that cannot be laid out, or takes longer than the
``pdf.timeout`` setting, is reported and left out; the rest is made.

Returns a :class:`PdfReport`; prints nothing.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ... import __version__
from . import book as pdfbook, render as pdfrender
from ...children import exit_with_parent
from ...files import TMP_SUFFIX, relative
from .manifest import Contents, Manifest, relative_to
from .render import BookEntry, BookJob, Layout, PartJob, Rendered, TranslationProgress
from ...plural import counted
from ...project.settings import PdfOptions, Project
from ...sphinx.printpage import print_file
from ...sphinx.site import pdf_uri

MANIFEST = "pdf.json"
WORK_DIR = "pdf"  # in the cache: the parts, page-number sheets, covers
PRINT_DIR = "print"  # in the cache: the print pages, per language

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
    title: str = ""  # the site's name as this language's site shows it (cover, footer, metadata)
    author: str = ""  # likewise the author


@dataclass
class PdfLanguageReport:
    language: str
    pages: int = 0  # page PDFs
    made: int = 0  # of them, made this time
    site: str = ""  # the whole site's PDF, relative to the project ("" none)
    site_made: bool = False
    site_pages: int = 0  # the whole site's PDF's number of pages, when made
    removed: int = 0  # PDFs of pages gone (or no longer wanted), deleted
    laid_out: int = 0  # pages laid out this time
    failed: list[str] = field(default_factory=list)  # pages left out: no PDF, not in the whole site's
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


def print_dir(project: Project, language: str) -> Path:
    """Where the extension writes a language's print pages."""
    return project.cache_dir / PRINT_DIR / language


def make_pdfs(project: Project, sites: list[SitePages], options: PdfOptions, sites_dir: Path,
              site_root: str, cpus: int, say: Say, workers: PdfWorkers | None = None) -> PdfReport:
    """Make the PDFs whose page changed; delete those of pages gone; report pages that failed.

    ``workers``: processes started beforehand (:func:`start_workers`), used and then stopped.
    """
    started = time.monotonic()
    manifest = Manifest(project.cache_dir / MANIFEST, _render_key(project, options, site_root, sites))
    contents = Contents(project.root, manifest.inputs)
    work = project.cache_dir / WORK_DIR
    report = PdfReport()
    plans = []
    for site in sites:
        layout = Layout(language=site.language, site_title=site.title or str(project.conf.get("html_title") or project.project_name),
                        author=site.author or str(project.conf.get("author") or ""), paper=options.paper, sites_dir=str(sites_dir),
                        site_root=site_root, work_dir=str(work), timeout=options.timeout)
        plan = _Plan(project, site, options, layout, manifest, contents, sites_dir)
        plan.report.removed = manifest.keep_only(sites_dir, site.folder, plan.outputs)
        manifest.keep_parts(work, site.language, plan.parts_wanted)
        report.languages.append(plan.report)
        plans.append(plan)
    contents.forget_others()
    left_by_stops = [work, *(site.folder for site in sites)]
    _remove_temporaries(left_by_stops)  # of a run killed while writing a PDF
    jobs = [job for plan in plans for job in plan.part_jobs]
    books = sum(plan.book_wanted(manifest) for plan in plans)
    workers = workers or PdfWorkers(max(1, min(cpus, len(jobs) or books)))
    report.processes = workers.processes
    if jobs or books:
        say("Making PDFs: " + counted(len(jobs), "laying out %(count)d page", "laying out %(count)d pages")
            + ", then " + counted(books, "%(count)d whole site", "%(count)d whole sites")
            + counted(report.processes, ", in %(count)d process…", ", in %(count)d processes…"))
    try:
        with workers:
            results = workers.run(pdfrender.render_part, jobs, say, "pages laid out")
            for plan in plans:
                plan.record_parts(results, report, manifest)
            book_jobs = [plan.book_job(manifest) for plan in plans]
            book_jobs = [job for job in book_jobs if job is not None]
            for job, result in zip(book_jobs, workers.run(pdfrender.render_book, book_jobs, say, ""), strict=True):
                plan = next(p for p in plans if p.site.language == job.layout.language)
                plan.record_book(job, result, report, manifest)
    except BaseException:  # Ctrl-C, SIGTERM: the workers are stopped; what they were writing goes
        _remove_temporaries(left_by_stops)
        raise
    finally:
        manifest.save()
    for language in report.languages:
        if language.laid_out or language.site_made:
            say(f"  {language.language}: "
                + counted(language.pages, "%(made)d of %(count)d page PDF made", "%(made)d of %(count)d page PDFs made",
                          made=language.made)
                + ("; the whole site's (" + counted(language.site_pages, "%(count)d page", "%(count)d pages") + ")"
                   if language.site_made else ""))
    report.seconds = time.monotonic() - started
    return report


def _remove_temporaries(folders: list[Path]) -> None:
    """The temporary files of PDFs whose writing was stopped (the PDFs in place are whole)."""
    for folder in folders:
        for path in folder.rglob(f".*{TMP_SUFFIX}") if folder.is_dir() else ():
            path.unlink(missing_ok=True)


def remove_pdfs(project: Project, sites_dir: Path, languages: list[str], print_pages: bool) -> int:
    """``publish --no-pdf``: delete the PDFs an earlier publish made, and the parts they were made from.

    ``print_pages``: the print pages too (the settings make no PDF any more).
    """
    manifest = Manifest(project.cache_dir / MANIFEST, "")
    removed = 0
    for language in languages:
        removed += manifest.keep_only(sites_dir, sites_dir / language, set())
        manifest.keep_parts(project.cache_dir / WORK_DIR, language, set())
        if print_pages:
            shutil.rmtree(print_dir(project, language), ignore_errors=True)
    if manifest.path.is_file():
        manifest.save()
    return removed


class _Plan:
    """What one language's PDFs need this time."""

    def __init__(self, project: Project, site: SitePages, options: PdfOptions, layout: Layout,
                 manifest: Manifest, contents: Contents, sites_dir: Path) -> None:
        self.site, self.options, self.layout, self.sites_dir = site, options, layout, sites_dir
        self.report = PdfLanguageReport(site.language)
        self.prints = print_dir(project, site.language)
        self.work = Path(layout.work_dir)
        self.whole = site.folder / site_pdf_name(project, site.language) if options.site and site.order else None
        language = relative_to(site.folder, sites_dir)
        self.links = pdfbook.Links(pages={f"{language}/{site.uris[doc]}": doc for doc, _depth in site.order},
                                   folder=language, site_root=layout.site_root)
        if self.whole is not None:
            self.report.site = relative(self.whole, project.root)
        self.digests: dict[str, str] = {}  # docname -> digest of what its part shows
        self.part_jobs: list[PartJob] = []
        self.outputs: set[str] = {str(self.whole)} if self.whole else set()
        self.parts_wanted: set[str] = set()
        self.failed_before: list[tuple[str, str]] = []  # (docname, why) found before laying out
        for docname, _depth in site.order:
            self._plan_page(docname, manifest, contents)

    def _plan_page(self, docname: str, manifest: Manifest, contents: Contents) -> None:
        site = self.site
        html = site.folder / site.uris[docname]
        output = site.folder / pdf_uri(site.uris[docname]) if self.options.pages else None
        if output is not None:
            self.report.pages += 1
            self.outputs.add(str(output))
        part = part_path(self.work, site.language, docname)
        self.parts_wanted.add(docname)
        source = print_file(self.prints, docname)
        if not source.is_file():
            self.failed_before.append((docname, "its print page is missing (publish again to write it)"))
            return
        title = site.titles.get(docname, docname)
        digest = _digest(manifest.key, "page", title, contents(source, html))
        self.digests[docname] = digest
        made = part.is_file() and part.with_suffix(".json").is_file()
        if made and manifest.part(site.language, docname) == digest and (
                output is None or manifest.holds(self.sites_dir, str(output), digest)):
            return
        self.part_jobs.append(PartJob(layout=self.layout, links=self.links, docname=docname, title=title,
                                      print_page=str(source), html=str(html), part=str(part),
                                      info=str(part.with_suffix(".json")), output=str(output) if output else ""))

    def record_parts(self, results: dict[int, Rendered], report: PdfReport, manifest: Manifest) -> None:
        where = self.site.folder
        for docname, why in self.failed_before:
            self._fail(docname, why, report, manifest)
        for job in self.part_jobs:
            result = results[id(job)]
            self.report.seconds += result.seconds
            report.warnings += [f"{_shown(where, job.docname)}: {warning}" for warning in result.warnings]
            if result.error:
                self._fail(job.docname, result.error, report, manifest)
                continue
            self.report.laid_out += 1
            manifest.remember_part(self.site.language, job.docname, self.digests[job.docname], result.pages)
            if job.output:
                manifest.remember(self.sites_dir, job.output, self.digests[job.docname])
                self.report.made += 1

    def _fail(self, docname: str, why: str, report: PdfReport, manifest: Manifest) -> None:
        """A page that cannot be laid out: no PDF of it (an older one would not be the page as it is now)."""
        self.report.failed.append(docname)
        self.digests.pop(docname, None)
        manifest.forget_part(self.site.language, docname)
        part_path(self.work, self.site.language, docname).unlink(missing_ok=True)
        part_path(self.work, self.site.language, docname).with_suffix(".json").unlink(missing_ok=True)
        if self.options.pages:
            output = self.site.folder / pdf_uri(self.site.uris[docname])
            manifest.forget(self.sites_dir, str(output))
            output.unlink(missing_ok=True)
        report.warnings.append(f"{_shown(self.site.folder, docname)}: no PDF could be made of this page "
                               f"({why}); it is left out of the whole site's PDF")

    def _entries(self) -> list[BookEntry]:
        site = self.site
        entries = []
        for docname, depth in site.order:
            if docname in self.digests:
                part = part_path(self.work, site.language, docname)
                entries.append(BookEntry(docname, site.titles.get(docname, docname), depth, str(part),
                                         str(part.with_suffix(".json")), str(site.folder / site.uris[docname])))
        return entries

    def _book_digest(self, manifest: Manifest) -> str:
        site = self.site
        parts = [[docname, site.titles.get(docname, docname), depth, self.digests[docname]]
                 for docname, depth in site.order if docname in self.digests]
        return _digest(manifest.key, "site", parts, asdict(site.progress) if site.progress else None)

    def book_wanted(self, manifest: Manifest) -> bool:
        """Whether the whole site's PDF may need making (known for sure once the parts are laid out)."""
        return self.whole is not None and (bool(self.part_jobs) or not manifest.holds(
            self.sites_dir, str(self.whole), self._book_digest(manifest)))

    def book_job(self, manifest: Manifest) -> BookJob | None:
        if self.whole is None:
            return None
        self.book_digest = self._book_digest(manifest)
        if manifest.holds(self.sites_dir, str(self.whole), self.book_digest):
            return None
        entries = self._entries()
        if not entries:  # no page could be laid out: no whole site's PDF either
            manifest.forget(self.sites_dir, str(self.whole))
            self.whole.unlink(missing_ok=True)
            return None
        site = self.site
        frame = site.folder / site.uris.get(site.root_doc, site.uris[site.order[0][0]])
        left_out = [BookEntry(docname, site.titles.get(docname, docname), depth, "", "", str(site.folder / site.uris[docname]))
                    for docname, depth in site.order if docname not in self.digests]
        return BookJob(layout=self.layout, links=self.links, output=str(self.whole), frame=str(frame), entries=entries,
                       progress=site.progress, cover_pages=manifest.cover_pages(site.language), left_out=left_out)

    def record_book(self, job: BookJob, result: Rendered, report: PdfReport, manifest: Manifest) -> None:
        self.report.seconds += result.seconds
        where = relative(Path(job.output), self.sites_dir)
        report.warnings += [f"{where}: {warning}" for warning in result.warnings]
        if result.error:
            manifest.forget(self.sites_dir, job.output)
            report.warnings.append(f"{where}: the whole site's PDF could not be made ({result.error})")
            return
        manifest.remember(self.sites_dir, job.output, self.book_digest)
        manifest.remember_cover(self.site.language, result.cover_pages)
        self.report.site_made, self.report.site_pages = True, result.pages


def part_path(work: Path, language: str, docname: str) -> Path:
    return work / "parts" / language / f"{docname}.pdf"


def _shown(folder: Path, docname: str) -> str:
    return f"{folder.name}/{docname}"


# -- worker processes ---------------------------------------------------------------


def _worker_start(parent: int) -> None:
    """In each worker: end with the process that started it, however that one ends (Linux)."""
    import signal

    exit_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def start_workers(cpus: int) -> PdfWorkers:
    """PDF worker processes started now, loading WeasyPrint while the sites are built."""
    workers = PdfWorkers(max(1, cpus))
    workers.start()
    return workers


def _warm() -> None:
    from weasyprint.text.fonts import FontConfiguration  # noqa: F401 - what every page needs, loaded once

    import pikepdf  # noqa: F401

    pdfrender._font_config()


class PdfWorkers:
    """Worker processes (or this one, for one process); stopped at once if ``publish`` is interrupted.

    The pool's processes are known by the public means there are: those the
    pool started are the children of this process that appeared when it
    started them (``multiprocessing.active_children``); on Python 3.14 and
    later, the pool stops them itself (``kill_workers``).
    """

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._workers: list[multiprocessing.process.BaseProcess] = []

    def start(self) -> None:
        if self.processes > 1 and self.pool is None:
            # spawn: a fresh interpreter, with none of the Sphinx state of this one
            context = multiprocessing.get_context("spawn")
            before = set(multiprocessing.active_children())
            self.pool = concurrent.futures.ProcessPoolExecutor(max_workers=self.processes, mp_context=context,
                                                               initializer=_worker_start, initargs=(os.getpid(),))
            for _ in range(self.processes):  # a spawning pool starts all its processes at the first job
                self.pool.submit(_warm)
            self._workers = [process for process in multiprocessing.active_children() if process not in before]

    def __enter__(self) -> PdfWorkers:
        self.start()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.close(interrupted=kind is not None)

    def close(self, interrupted: bool = False) -> None:
        if self.pool is None:
            return
        pool, self.pool = self.pool, None
        workers, self._workers = self._workers, []
        if not interrupted:
            pool.shutdown(wait=True)
            return
        # interrupted: the workers are stopped now, not after the pages they are laying out
        kill_workers = getattr(pool, "kill_workers", None)  # Python 3.14: kills, then shuts the pool down
        if kill_workers is not None:
            kill_workers()
        else:
            pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.kill()
        for process in workers:
            process.join()

    def run(self, work: Callable, jobs: list, say: Say, what: str) -> Any:
        """Results by ``id(job)`` (a list, in order, for ``what`` empty); longest pages first."""
        done: dict[int, Rendered] = {}
        last = time.monotonic()
        if self.pool is None:
            for job in jobs:
                done[id(job)] = work(job)
                last = _progress(say, what, len(done), len(jobs), last)
        else:
            order = sorted(jobs, key=lambda job: -_size(getattr(job, "print_page", "")))
            futures = {self.pool.submit(work, job): job for job in order}
            for future in concurrent.futures.as_completed(futures):
                job = futures[future]
                try:
                    done[id(job)] = future.result()
                except concurrent.futures.process.BrokenProcessPool as error:
                    done[id(job)] = Rendered(getattr(job, "output", ""), error=f"the process making it died ({error})")
                last = _progress(say, what, len(done), len(jobs), last)
        return done if what else [done[id(job)] for job in jobs]


def _progress(say: Say, what: str, done: int, total: int, last: float) -> float:
    now = time.monotonic()
    if what and (now - last >= 2 or done == total):
        say(f"  {done} of {total} {what}")
        return now
    return last


def _render_key(project: Project, options: PdfOptions, site_root: str, sites: list[SitePages]) -> str:
    """What every PDF depends on besides its page: the tool, its stylesheets, the settings."""
    from importlib.metadata import version

    from . import book as pdfbook
    from ...sphinx import pages

    parts = [__version__, version("weasyprint"), version("pikepdf"), options.paper, site_root,
             str(project.conf.get("html_title") or project.project_name), str(project.conf.get("author") or ""),
             sorted((site.language, site.title, site.author) for site in sites)]
    digest = hashlib.sha256(json.dumps(parts).encode())
    for path in (pdfrender.STYLESHEET, pdfrender.NUMBERS_STYLESHEET, pdfrender.PRINT_TEMPLATES / "cover.html",
                 pages.STATIC / pages.CSS_FILE, Path(pdfrender.__file__), Path(pdfbook.__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size if path else 0
    except OSError:
        return 0
