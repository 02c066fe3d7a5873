"""``publish``: one site per language, built from the one ``conf.py``.

1. under the project's lock: ``sync`` (the catalogs follow the originals),
   then, for each site language, compile what the publish policy shows
   (:mod:`translate_pipeline.publishing.published`), and the status report the sites'
   status page shows. The builds then read only these files, so a
   translator saving a catalog meanwhile changes nothing half-way;
2. build each language with Sphinx's HTML builder in its own process, in
   parallel (:mod:`translate_pipeline.publishing.builds`), into
   ``_build/site/LANG/``; each language keeps its doctrees in the cache, so
   the next run reads again only the pages whose source or published
   catalog changed;
3. write the language chooser (``index.html``) and ``sitemap.xml`` at
   ``_build/site/``;
4. make the PDFs (:mod:`translate_pipeline.publishing.pdf.build`): each page's, next to it,
   and each site's whole, made again only where what they show changed.

Returns a :class:`PublishResult`; prints nothing (``progress`` receives
one line per step, for a terminal).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from . import siteroot
from .buildlog import combine
from .builds import BuildProcesses, BuildSpec, Progress, SiteReport
from ..plural import counted
from ..catalogs.extract import Reader, readable_warning
from ..files import atomic_write, relative
from ..locks import exclusive
from .pdf.build import (
    PdfReport,
    SitePages,
    make_pdfs,
    print_dir,
    remove_pdfs,
    site_pdf_name,
    start_workers,
)
from ..errors import PublishError
from .published import CompileReport, compile_language, write_if_changed
from ..project.settings import Project
from ..catalogs.store import CatalogStore
from ..catalogs.sync import SyncResult, project_lock, sync_locked

SITE_DIR = "_build/site"
EXTENSION = "translate_pipeline.sphinx"
STATUS_FILE = "status.json"

# Kept here too for the code that knew them as publish's (``serve``).
__all__ = ["BuildProcesses", "BuildSpec", "PublishResult", "SiteReport", "publish", "publish_alone", "site_name"]


@dataclass
class PublishResult:
    sync: SyncResult
    compiled: list[CompileReport]
    sites: list[SiteReport]
    root: str  # the language chooser, relative to the project
    sitemap: str
    seconds: float
    pdf: PdfReport | None = None  # None: no PDF this time
    site_root: str = ""  # conf.py's html_baseurl: the sites' URL; empty: links between them are relative
    pdf_removed: int = 0  # without PDFs this time: the PDFs of an earlier publish, deleted
    pdf_later: PdfStage | None = None  # the PDFs left for later (``pdf_later=True``): not in as_dict()

    def as_dict(self) -> dict[str, Any]:
        sites = []
        for s in self.sites:
            data = asdict(s)
            for name in ("uris", "titles", "order", "progress", "names", "names_language", "error"):
                data.pop(name)
            data["seconds"] = round(s.seconds, 2)
            sites.append(data)
        return {
            "sites": sites,
            "root": self.root,
            "sitemap": self.sitemap,
            "site_root": self.site_root,
            "catalogs_compiled": {c.language: {"domains": c.domains, "written": c.written, "refused": c.refused_list(),
                                               "warnings": c.warnings()} for c in self.compiled},
            "sync": self.sync.as_dict(),
            "warnings": combine(self.sync.warnings, {s.language: s.warnings for s in self.sites}),
            "pdf": self.pdf.as_dict() if self.pdf else None,
            "pdf_removed": self.pdf_removed,
            "seconds": round(self.seconds, 2),
        }


@dataclass
class PdfStage:
    """The PDFs a publish left for later (``serve``'s preview: the HTML first), as ``make_pdfs`` takes them."""

    sites: list[SitePages]
    site_dir: Path
    site_root: str
    cpus: int


class Warm(Protocol):
    """Sphinx kept loaded between publishes (``translate-pipeline serve``)."""

    reader: Reader
    catalogs: CatalogStore | None  # what the publishes know of the catalogs

    def build_all(self, specs: list[BuildSpec], cpus: int, say: Progress) -> list[SiteReport]: ...


def publish(project: Project, wait: float = 0, progress: Progress | None = None,
            cpus: int | None = None, pdf: bool | None = None, warm: Warm | None = None,
            pdf_later: bool = False) -> PublishResult:
    """:func:`publish_alone`, one publish of the project at a time: another one
    running, this one waits at most ``wait`` seconds, then raises LockedError."""
    with publish_lock(project, wait):
        return publish_alone(project, wait, progress, cpus, pdf, warm, pdf_later)


def publish_lock(project: Project, wait: float) -> contextlib.AbstractContextManager[None]:
    """The lock held by one publish of the project at a time (and by the PDFs it left for later)."""
    return exclusive(project.cache_dir / "publish.lock", wait, "another publish of this project is running",
                     project.root)


def publish_alone(project: Project, wait: float = 0, progress: Progress | None = None,
                  cpus: int | None = None, pdf: bool | None = None, warm: Warm | None = None,
                  pdf_later: bool = False) -> PublishResult:
    """Sync, then build every language's site, the files at the sites' root and the PDFs.

    ``pdf``: make the PDFs (default: the ``pdf.enabled`` setting); without
    them the pages link to none. ``warm``: read and build with Sphinx
    applications kept from earlier publishes. ``pdf_later``: the pages link
    to their PDFs, but none is made: ``PublishResult.pdf_later`` says what
    to give :func:`~translate_pipeline.publishing.pdf.build.make_pdfs` afterwards.
    """
    if warm is None:
        # The build processes are forked before this process runs Sphinx for
        # the sync: what an extension keeps in its modules (ablog keeps the
        # first application it meets) must not reach the sites' builds.
        processes = _Processes()
        processes.start(list(project.settings.languages))
        try:
            return publish_alone(project, wait, progress, cpus, pdf, processes, pdf_later)
        finally:
            processes.close()
    say = progress or (lambda _line: None)
    started = time.monotonic()
    languages = list(project.settings.languages)
    prepared = _prepare(project, wait, warm, say)
    site_dir = project.root / SITE_DIR
    site_root = _site_root(project)
    cpus = cpus or os.cpu_count() or 1
    with_pdf = project.settings.pdf.enabled if pdf is None else pdf
    specs = [_spec(project, lang, prepared, site_root, with_pdf, max(1, cpus // len(languages))) for lang in languages]
    say(counted(min(len(specs), cpus), "Building the sites (%(languages)s) in %(count)d process…",
                "Building the sites (%(languages)s) in %(count)d processes…", languages=", ".join(languages)))
    pdf_workers = start_workers(cpus) if _makes_pdfs(project, with_pdf) and not pdf_later else None  # ready then
    try:
        sites = warm.build_all(specs, cpus, say)
    except BaseException:  # Ctrl-C: the PDF workers loading meanwhile stop too
        if pdf_workers:
            pdf_workers.close(interrupted=True)
        raise
    for report in sites:
        report.path = relative(Path(report.path), project.root)
        report.warnings = [readable_warning(line, prepared.srcdir, project.root) for line in report.warnings]
    failed = [s for s in sites if s.error]
    if failed:
        if pdf_workers:
            pdf_workers.close()
        raise PublishError(f"Sphinx could not build the '{failed[0].language}' site: {failed[0].error}")
    root_doc = str(project.conf.get("root_doc") or project.conf.get("master_doc") or "index")
    root, sitemap = _write_root_files(project, sites, site_dir, site_root, root_doc, prepared.doc_languages)
    made, removed, later = None, 0, None
    if _makes_pdfs(project, with_pdf) and pdf_later:
        later = PdfStage([_site_pages(project, s, site_dir, root_doc) for s in sites], site_dir, site_root, cpus)
    elif _makes_pdfs(project, with_pdf):
        made = make_pdfs(project, [_site_pages(project, s, site_dir, root_doc) for s in sites], project.settings.pdf,
                         site_dir, site_root, cpus, say, pdf_workers)
    else:  # the site holds no PDF older than its page
        removed = remove_pdfs(project, site_dir, languages, print_pages=not _makes_pdfs(project, True))
    return PublishResult(
        sync=prepared.synced,
        compiled=prepared.compiled,
        sites=sites,
        root=relative(root, project.root),
        sitemap=relative(sitemap, project.root),
        seconds=time.monotonic() - started,
        pdf=made,
        site_root=site_root,
        pdf_removed=removed,
        pdf_later=later,
    )


def _site_root(project: Project) -> str:
    """conf.py's ``html_baseurl``, ending with ``/`` (empty: the links between the sites are relative)."""
    site_root = str(project.conf.get("html_baseurl") or "")
    return site_root + "/" if site_root and not site_root.endswith("/") else site_root


@dataclass
class _Prepared:
    """What the builds read, made under the project's lock."""

    synced: SyncResult
    compiled: list[CompileReport]
    srcdir: Path
    locale_root: Path  # the compiled catalogs the sites show
    status_file: Path
    doc_languages: dict[str, str]  # pages written in another language than the source language


def _prepare(project: Project, wait: float, warm: Warm, say: Progress) -> _Prepared:
    """Under the project's lock: sync, compile what the policy shows, the status page's figures."""
    from ..catalogs.extract import source_dir
    from ..project.discovery import documents, not_rest_domains
    from ..sphinx.statuspage import status_data

    languages = list(project.settings.languages)
    cache = project.cache_dir
    locale_root = cache / "mo"
    store = warm.catalogs or CatalogStore.of(project)
    with project_lock(project, wait) as recovery:
        say("Syncing the catalogs with the pages…")
        synced = sync_locked(project, parallel=min(2, os.cpu_count() or 1), reader=warm.reader, store=store)
        synced.recovery = recovery
        say("Compiling what the publish policy shows…")
        srcdir = source_dir(project)
        docs = documents(project)
        markdown = not_rest_domains(project, docs)
        compiled = [
            compile_language([project.catalog_dir(lang)], locale_root, lang, project.settings.policy,
                             name=lambda path: relative(path, project.root), not_rest=markdown, store=store)
            for lang in languages
        ]
        data = status_data(project, docs, store)
    status_file = cache / STATUS_FILE
    write_if_changed(status_file, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return _Prepared(synced, compiled, srcdir, locale_root, status_file, _document_languages(project, docs))


def _spec(project: Project, language: str, prepared: _Prepared, site_root: str, with_pdf: bool,
          parallel: int) -> BuildSpec:
    return BuildSpec(
        language=language,
        srcdir=str(prepared.srcdir),
        confdir=str(project.root),
        outdir=str(project.root / SITE_DIR / language),
        doctreedir=str(project.cache_dir / f"doctrees-{language}"),
        overrides={
            **_overrides(project, language, prepared.locale_root, prepared.doc_languages, prepared.status_file,
                         site_root),
            **_pdf_overrides(project, language, with_pdf),
        },
        parallel=parallel,
    )


def _write_root_files(project: Project, sites: list[SiteReport], site_dir: Path, site_root: str, root_doc: str,
                      doc_languages: dict[str, str]) -> tuple[Path, Path]:
    """The language chooser and the sitemap, at the sites' root."""
    start = {s.language: f"{s.language}/{s.uris.get(root_doc, 'index.html')}" for s in sites}
    root = site_dir / "index.html"
    atomic_write(root, siteroot.chooser({s.language: _root_entry(project, s, start[s.language]) for s in sites},
                                        project.settings.source_language))
    pages: dict[str, dict[str, str]] = {}
    for report in sites:
        for docname, uri in report.uris.items():
            pages.setdefault(docname, {})[report.language] = f"{report.language}/{uri}"
    default = {doc: doc_languages.get(doc, project.settings.source_language) for doc in pages}
    sitemap = site_dir / "sitemap.xml"
    atomic_write(sitemap, siteroot.sitemap(pages, default, site_root))
    return root, sitemap


def _name_key(project: Project) -> str:
    return "html_title" if project.conf.get("html_title") else "project"


def site_name(project: Project, report: SiteReport) -> str:
    """The site's name as the site in ``report.language`` shows it: ``html_title``, else ``project``."""
    key = _name_key(project)
    return report.names.get(key) or str(project.conf.get(key) or project.project_name)


def _root_entry(project: Project, report: SiteReport, href: str) -> siteroot.SiteEntry:
    return siteroot.SiteEntry(href=href, name=site_name(project, report),
                              name_language=report.names_language.get(_name_key(project), report.language))


def _site_pages(project: Project, report: SiteReport, site_dir: Path, root_doc: str) -> SitePages:
    return SitePages(language=report.language, folder=site_dir / report.language, uris=report.uris,
                     titles=report.titles, order=report.order, progress=report.progress, root_doc=root_doc,
                     title=site_name(project, report), author=report.names.get("author", ""))


def _makes_pdfs(project: Project, with_pdf: bool) -> bool:
    options = project.settings.pdf
    return with_pdf and (options.pages or options.site)


def _pdf_overrides(project: Project, language: str, with_pdf: bool) -> dict[str, Any]:
    """What the pages link to: the PDFs this run makes; where their print pages go."""
    options = project.settings.pdf
    return {
        "translate_pipeline_pdf_pages": bool(with_pdf and options.pages),
        "translate_pipeline_pdf_site": site_pdf_name(project, language) if with_pdf and options.site else "",
        # kept up to date under --no-pdf too: the next publish with PDFs reads no page again for them
        "translate_pipeline_pdf_print_dir": str(print_dir(project, language)) if _makes_pdfs(project, True) else "",
    }


def _document_languages(project: Project, docs: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Pages written in another language than the source language."""
    source = project.settings.source_language
    return {doc: lang for doc, (lang, _path) in sorted(docs.items()) if lang != source}


def _overrides(project: Project, language: str, locale_root: Path, doc_languages: dict[str, str],
               status_file: Path, site_root: str) -> dict[str, Any]:
    """What one language's build changes in ``conf.py``: the same each run, so nothing is redone."""
    from ..sphinx.site import reader_locales

    conf = project.conf
    settings = project.settings
    policy = settings.policy
    extensions = list(conf.get("extensions", []))
    if EXTENSION not in extensions:
        extensions.append(EXTENSION)
    overrides: dict[str, Any] = {
        "language": language,
        "html_search_language": language,
        "locale_dirs": [str(locale_root)],
        "extensions": extensions,
        "exclude_patterns": [*conf.get("exclude_patterns", []), "_build", ".venv"],
        "translate_pipeline_source_language": settings.source_language,
        "translate_pipeline_languages": list(settings.languages),
        "translate_pipeline_document_languages": doc_languages,
        "translate_pipeline_machine": policy.machine,
        "translate_pipeline_stale": policy.stale,
        "translate_pipeline_page_threshold": float(policy.page_threshold),
        "translate_pipeline_banner": policy.banner,
        "translate_pipeline_locales": reader_locales(settings),
        "translate_pipeline_locale_dir": str(locale_root),
        "translate_pipeline_status_file": str(status_file),
        "translate_pipeline_site_root": site_root,
    }
    if site_root:
        overrides["html_baseurl"] = f"{site_root}{language}/"
    return overrides


class _Processes(BuildProcesses):
    """The language processes of one publish, with no reader kept (the sync reads afresh)."""

    reader: Reader | None = None
