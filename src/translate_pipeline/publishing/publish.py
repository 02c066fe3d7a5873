"""``publish``: one site per language, built from the one ``conf.py``.

1. under the project's lock: ``sync`` (the catalogs follow the originals),
   then, for each site language, compile what the publish policy shows
   (:mod:`translate_pipeline.publishing.published`), and the status report the sites'
   status page shows. The builds then read only these files, so a
   translator saving a catalog meanwhile changes nothing half-way;
2. build each language with Sphinx's HTML builder in its own process, in
   parallel, into ``_build/site/LANG/``; each language keeps its doctrees in
   the cache, so the next run reads again only the pages whose source or
   published catalog changed;
3. write the language chooser (``index.html``) and ``sitemap.xml`` at
   ``_build/site/``;
4. make the PDFs (:mod:`translate_pipeline.publishing.pdf.build`): each page's, next to it,
   and each site's whole, made again only where what they show changed.

Returns a :class:`PublishResult`; prints nothing (``progress`` receives
one line per step, for a terminal).
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import siteroot
from .buildlog import combine
from ..plural import counted
from ..catalogs.extract import Reader, readable_warning, sphinx_failure
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
from .pdf.render import TranslationProgress
from ..errors import PublishError
from .published import CompileReport, compile_language, write_if_changed
from ..project.settings import Project
from ..catalogs.sitename import NAMES
from ..catalogs.sync import SyncResult, project_lock, sync_locked

SITE_DIR = "_build/site"
EXTENSION = "translate_pipeline.sphinx"
STATUS_FILE = "status.json"

Progress = Callable[[str], None]


@dataclass
class BuildSpec:
    """One language's build, as handed to its process."""

    language: str
    srcdir: str
    confdir: str
    outdir: str
    doctreedir: str
    overrides: dict[str, Any]
    parallel: int = 1


@dataclass
class SiteReport:
    language: str
    path: str  # the site's folder, relative to the project
    pages: int = 0
    read: int = 0  # pages Sphinx read again this time
    marks: dict[str, int] = field(default_factory=dict)  # passages shown marked, per state
    banners: int = 0  # pages opening with the "not fully reviewed" banner
    notices: int = 0  # pages replaced by a notice (under the policy's page_threshold)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    uris: dict[str, str] = field(default_factory=dict)  # docname -> page, relative to the site
    titles: dict[str, str] = field(default_factory=dict)  # docname -> title, as text
    order: list[tuple[str, int]] = field(default_factory=list)  # reading order: (docname, depth)
    progress: TranslationProgress | None = None  # the translated pages, when some is not fully reviewed
    # conf.py's project, html_title, author, copyright as this site shows them (translated, or the original's)
    names: dict[str, str] = field(default_factory=dict)
    names_language: dict[str, str] = field(default_factory=dict)  # the language each is shown in
    error: str | None = None


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
    from ..catalogs.extract import source_dir
    from ..project.discovery import documents
    from ..catalogs.status import not_rest_domains

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
    cache = project.cache_dir
    locale_root = cache / "mo"
    with project_lock(project, wait) as recovery:
        say("Syncing the catalogs with the pages…")
        synced = sync_locked(project, parallel=min(2, os.cpu_count() or 1), reader=warm.reader if warm else None)
        synced.recovery = recovery
        say("Compiling what the publish policy shows…")
        srcdir = source_dir(project)
        docs = documents(project)
        markdown = not_rest_domains(project, docs)
        compiled = [
            compile_language([project.catalog_dir(lang)], locale_root, lang, project.settings.policy,
                             name=lambda path: relative(path, project.root), not_rest=markdown)
            for lang in languages
        ]
        from ..sphinx.statuspage import status_data

        data = status_data(project, docs)
    status_file = cache / STATUS_FILE
    write_if_changed(status_file, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    site_dir = project.root / SITE_DIR
    site_root = str(project.conf.get("html_baseurl") or "")
    if site_root and not site_root.endswith("/"):
        site_root += "/"
    doc_languages = _document_languages(project, docs)
    cpus = cpus or os.cpu_count() or 1
    options = project.settings.pdf
    with_pdf = options.enabled if pdf is None else pdf
    specs = [
        BuildSpec(
            language=lang,
            srcdir=str(srcdir),
            confdir=str(project.root),
            outdir=str(site_dir / lang),
            doctreedir=str(cache / f"doctrees-{lang}"),
            overrides={
                **_overrides(project, lang, locale_root, doc_languages, status_file, site_root),
                **_pdf_overrides(project, lang, with_pdf),
            },
            parallel=max(1, cpus // len(languages)),
        )
        for lang in languages
    ]
    say(counted(min(len(specs), cpus), "Building the sites (%(languages)s) in %(count)d process…",
                "Building the sites (%(languages)s) in %(count)d processes…", languages=", ".join(languages)))
    pdf_workers = start_workers(cpus) if _makes_pdfs(project, with_pdf) and not pdf_later else None  # ready then
    sites = (warm.build_all if warm else _build_all)(specs, cpus, say)
    for report in sites:
        report.path = relative(Path(report.path), project.root)
        report.warnings = [readable_warning(line, srcdir, project.root) for line in report.warnings]
    failed = [s for s in sites if s.error]
    if failed:
        if pdf_workers:
            pdf_workers.close()
        raise PublishError(f"Sphinx could not build the '{failed[0].language}' site: {failed[0].error}")

    root_doc = str(project.conf.get("root_doc") or project.conf.get("master_doc") or "index")
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
    made, removed, later = None, 0, None
    if _makes_pdfs(project, with_pdf) and pdf_later:
        later = PdfStage([_site_pages(project, s, site_dir, root_doc) for s in sites], site_dir, site_root, cpus)
    elif _makes_pdfs(project, with_pdf):
        made = make_pdfs(project, [_site_pages(project, s, site_dir, root_doc) for s in sites], options,
                         site_dir, site_root, cpus, say, pdf_workers)
    else:  # the site holds no PDF older than its page
        removed = remove_pdfs(project, site_dir, languages, print_pages=not _makes_pdfs(project, True))
    return PublishResult(
        sync=synced,
        compiled=compiled,
        sites=sites,
        root=relative(root, project.root),
        sitemap=relative(sitemap, project.root),
        seconds=time.monotonic() - started,
        pdf=made,
        site_root=site_root,
        pdf_removed=removed,
        pdf_later=later,
    )


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


def _build_all(specs: list[BuildSpec], cpus: int, say: Progress) -> list[SiteReport]:
    """Build each language in a process of its own, as many at once as there are CPUs."""
    processes = BuildProcesses()
    try:
        return processes.build_all(specs, cpus, say)
    finally:
        processes.close()


class BuildProcesses:
    """One process per language, each keeping that language's :class:`SiteApp`.

    A process per language: Sphinx keeps translations in process-wide
    caches, which must not carry one language into the other. On Linux the
    processes are forked from this one, which has Sphinx loaded already, so a
    build starts at once. ``publish`` uses them for one build; ``serve``
    keeps them for every publish.
    """

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        self._running: dict[str, tuple[Any, Any]] = {}  # language -> (process, connection)

    def _process(self, language: str) -> tuple[Any, Any]:
        known = self._running.get(language)
        if known is not None and known[0].is_alive():
            return known
        ours, theirs = self._context.Pipe()
        # Not daemonic: an extension may start processes of its own from the
        # build (sphinx-sitemap starts a multiprocessing Manager), which a
        # daemonic process may not. They still never outlive publish: closed
        # after the build, terminated on Ctrl-C, and each leaves when its parent dies.
        process = self._context.Process(target=_build_process, args=(theirs,), daemon=False, name=f"build-{language}")
        process.start()
        theirs.close()
        self._running[language] = (process, ours)
        return process, ours

    def start(self, languages: list[str]) -> None:
        for language in languages:
            self._process(language)

    def build_all(self, specs: list[BuildSpec], cpus: int, say: Progress) -> list[SiteReport]:
        pending = list(specs)
        building: list[tuple[BuildSpec, Any, Any]] = []  # (spec, process, the end its report arrives at)
        reports: dict[str, SiteReport] = {}
        try:
            while pending or building:
                while pending and len(building) < max(1, cpus):
                    spec = pending.pop(0)
                    process, connection = self._process(spec.language)
                    connection.send(spec)
                    building.append((spec, process, connection))
                ready = multiprocessing.connection.wait([connection for _, _, connection in building])
                for item in [item for item in building if item[2] in ready]:
                    spec, process, connection = item
                    try:
                        report = connection.recv()
                    except EOFError:
                        process.join()
                        del self._running[spec.language]
                        report = SiteReport(spec.language, spec.outdir,
                                            error=f"the build process died (exit code {process.exitcode})")
                    building.remove(item)
                    reports[spec.language] = report
                    if not report.error:
                        say(f"  {report.language}: "
                            + counted(report.pages, "%(count)d page", "%(count)d pages")
                            + f" ({report.read} read again) in {report.seconds:.1f}s")
        except BaseException:  # Ctrl-C: the builds under way stop now
            for spec, process, _connection in building:
                process.terminate()
                process.join()
                self._running.pop(spec.language, None)
            raise
        return [reports[spec.language] for spec in specs]

    def close(self) -> None:
        for process, connection in self._running.values():
            with contextlib.suppress(OSError):
                connection.send(None)
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
        self._running.clear()


class _Processes(BuildProcesses):
    """The language processes of one publish, with no reader kept (the sync reads afresh)."""

    reader: Reader | None = None


def _build_process(connection: Any) -> None:
    """A language's process: build each site it is sent until told to stop or its parent dies."""
    import signal

    # Ctrl-C reaches every process of the terminal: the parent stops the builds.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout = sys.stderr  # what conf.py or an extension prints is not the command's output
    parent = os.getppid()
    site = SiteApp()
    while True:
        try:
            while not connection.poll(1):
                if os.getppid() != parent:  # the parent died without a word
                    return
            spec = connection.recv()
        except EOFError:
            break
        if spec is None:
            break
        try:
            report = site.build(spec)
        except Exception as error:  # noqa: BLE001 - reported as the build's error
            site.close()
            report = SiteReport(spec.language, spec.outdir, error=f"{type(error).__name__}: {error}")
        connection.send(report)
    site.close()


def build_site(spec: BuildSpec) -> SiteReport:
    """Build one language's site (runs in its own process)."""
    site_app = SiteApp()
    try:
        return site_app.build(spec)
    finally:
        site_app.close()


class SiteApp:
    """One language's Sphinx application, kept between builds by ``serve``'s workers.

    Set up again when the build's settings or ``conf.py`` change. Before
    building again, Sphinx's and gettext's memory of the translations is
    reset, so changed catalogs are read again.
    """

    def __init__(self) -> None:
        self._app: Any = None
        self._spec: BuildSpec | None = None
        self._conf: tuple[int, int] | None = None
        self._contexts: contextlib.ExitStack | None = None
        self._translators: dict[Any, Any] = {}
        self._warnings = io.StringIO()
        self._read: list[str] = []

    def close(self) -> None:
        if self._contexts is not None:
            self._contexts.close()
        self._app = self._spec = self._contexts = None

    def _setup(self, spec: BuildSpec) -> Any:
        import gettext

        import sphinx.locale
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        from ..catalogs.extract import _ready_for_another_build, _stamp

        conf = _stamp(Path(spec.confdir) / "conf.py")
        # Sphinx keeps the translations it loaded in process-wide caches (and
        # reads the .mo files through gettext, which keeps each by path), and
        # the checksum of each asset the pages link to (``?v=``): a build must
        # find none from an earlier one.
        sphinx.locale.translators.clear()
        gettext._translations.clear()  # type: ignore[attr-defined]
        _forget_asset_checksums()
        if self._app is not None and spec == self._spec and conf == self._conf:
            _ready_for_another_build(self._app)
            sphinx.locale.translators.update(self._translators)  # the interface's
            return self._app
        self.close()
        contexts = contextlib.ExitStack()
        contexts.enter_context(patch_docutils(Path(spec.confdir)))
        contexts.enter_context(docutils_namespace())
        try:
            app = Sphinx(spec.srcdir, spec.confdir, spec.outdir, spec.doctreedir, "html",
                         confoverrides=spec.overrides, status=None, warning=self._warnings,
                         freshenv=False, parallel=spec.parallel)
        except BaseException:
            contexts.close()
            raise
        app.connect("env-before-read-docs", lambda _app, _env, docnames: self._read.extend(docnames))
        self._translators = dict(sphinx.locale.translators)  # the interface's, before any page's
        self._app, self._spec, self._conf, self._contexts = app, spec, conf, contexts
        return app

    def build(self, spec: BuildSpec) -> SiteReport:
        from sphinx.errors import SphinxError

        from ..sphinx import site

        started = time.monotonic()
        report = SiteReport(spec.language, spec.outdir)
        self._warnings.seek(0)
        self._warnings.truncate()
        self._read.clear()
        try:
            app = self._setup(spec)
            app.build()
        except SphinxError as error:
            report.error = sphinx_failure(error, self._warnings.getvalue(), Path(spec.srcdir), Path(spec.confdir))
            self.close()
            return report
        except SystemExit as error:  # docutils halts on severe errors
            self.close()
            report.error = f"Sphinx stopped ({error})"
            return report
        except BaseException:
            self.close()
            raise
        env = app.env
        threshold = site.setting(app.config, "page_threshold")
        report.marks = {"machine": 0, "stale": 0, "untranslated": 0}
        report.progress = _progress(site.records(env).values())
        for record in site.records(env).values():
            if record.digest is None:
                continue
            if record.reviewed_percent < threshold:
                report.notices += 1
                continue
            for state in report.marks:
                report.marks[state] += record.entries.get(state, 0)
            if not record.fully_reviewed and site.setting(app.config, "banner"):
                report.banners += 1
        report.pages = len(env.found_docs)
        report.read = len(self._read)
        report.uris = {doc: app.builder.get_target_uri(doc) for doc in sorted(env.found_docs)}
        report.titles = {doc: env.titles[doc].astext() if doc in env.titles else doc for doc in sorted(env.found_docs)}
        report.order = _reading_order(env, app.config.root_doc)
        report.names = {name: str(getattr(app.config, name, "") or "") for name in NAMES}
        untranslated = site.setting(app.config, "untranslated_names") or {}
        report.names_language = {name: untranslated.get(name, app.config.language) for name in NAMES}
        report.warnings = [line for line in self._warnings.getvalue().splitlines() if line.strip()]
        report.seconds = time.monotonic() - started
        return report


def _forget_asset_checksums() -> None:
    try:
        from sphinx.builders.html._assets import _file_checksum_inner
    except ImportError:  # another Sphinx: nothing kept, or kept elsewhere
        return
    cache_clear = getattr(_file_checksum_inner, "cache_clear", None)
    if cache_clear is not None:
        cache_clear()


def _reading_order(env: Any, root_doc: str) -> list[tuple[str, int]]:
    """The pages as the site's tables of contents lead through them, then the others."""
    order: list[tuple[str, int]] = []
    seen: set[str] = set()
    stack = [(root_doc, 0)]
    while stack:
        docname, depth = stack.pop()
        if docname in seen or docname not in env.found_docs:
            continue
        seen.add(docname)
        order.append((docname, depth))
        below = depth + 1 if docname != root_doc else 0
        stack.extend((child, below) for child in reversed(env.toctree_includes.get(docname, [])))
    order += [(docname, 0) for docname in sorted(env.found_docs - seen)]
    return order


def _progress(records: Any) -> TranslationProgress | None:
    """The translated pages' passages per state, when some page is not fully reviewed."""
    translated = [r for r in records if r.digest is not None]
    unreviewed = sum(1 for r in translated if not r.fully_reviewed)
    if not unreviewed:
        return None
    entries: dict[str, int] = {}
    for record in translated:
        for state, count in record.entries.items():
            entries[str(state)] = entries.get(str(state), 0) + count
    return TranslationProgress(entries=entries, pages=len(translated), unreviewed_pages=unreviewed)

