"""The sites' builds: one process per language, each keeping its Sphinx application.

:class:`BuildProcesses` hands each language's :class:`BuildSpec` to a
process of its own and collects a :class:`SiteReport`; in that process,
:class:`SiteApp` holds the Sphinx application, kept between builds by
``serve``. :mod:`translate_pipeline.publishing.publish` decides what to
build; this module only builds it.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalogs.extract import sphinx_failure
from ..catalogs.sitename import NAMES
from ..catalogs.store import CatalogStore
from ..compat import sphinx as sphinx_compat
from ..plural import counted
from . import leftovers
from .pdf.render import TranslationProgress

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


def build_all(specs: list[BuildSpec], cpus: int, say: Progress) -> list[SiteReport]:
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

    catalogs: CatalogStore | None = None  # what the publishes know of the catalogs (serve keeps one)

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


def _build_process(connection: Any) -> None:
    """A language's process: build each site it is sent until told to stop or its parent dies."""
    import signal

    # Ctrl-C reaches every process of the terminal: the parent stops the builds.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's way to stop a build now (terminate): not the handler it may have
    # (serve's exits by SystemExit, which a build takes for docutils halting, and carries on).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
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
            report = SiteReport(spec.language, spec.outdir, error=_unexpected(error))
        connection.send(report)
    site.close()


def _unexpected(error: Exception) -> str:
    """An error of the build that is no Sphinx error, with where it happened (the whole
    traceback with TRANSLATE_PIPELINE_DEBUG=1, as the command's own unexpected errors)."""
    import traceback

    where = traceback.extract_tb(error.__traceback__)[-1:]
    said = f"{type(error).__name__}: {error}"
    if where:
        said += f" (in {Path(where[0].filename).name}, line {where[0].lineno}, {where[0].name})"
    if os.environ.get("TRANSLATE_PIPELINE_DEBUG"):
        said += "\n" + "".join(traceback.format_exception(error)).rstrip()
    return said


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

    def _setup(self, spec: BuildSpec, fresh: bool = False) -> Any:
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        from ..project.discovery import file_stamp

        conf = file_stamp(Path(spec.confdir) / "conf.py")
        # Sphinx keeps the translations it loaded in process-wide caches (and
        # reads the .mo files through gettext, which keeps each by path), and
        # the checksum of each asset the pages link to (``?v=``): a build must
        # find none from an earlier one.
        sphinx_compat.forget_asset_checksums()
        if self._app is not None and spec == self._spec and conf == self._conf and not fresh:
            sphinx_compat.forget_translations(keep=self._translators)  # but the interface's
            sphinx_compat.ready_for_another_build(self._app)
            return self._app
        sphinx_compat.forget_translations()
        self.close()
        contexts = contextlib.ExitStack()
        contexts.enter_context(patch_docutils(Path(spec.confdir)))
        contexts.enter_context(docutils_namespace())
        try:
            app = Sphinx(spec.srcdir, spec.confdir, spec.outdir, spec.doctreedir, "html",
                         confoverrides=spec.overrides, status=None, warning=self._warnings,
                         freshenv=fresh, parallel=spec.parallel)
        except BaseException:
            contexts.close()
            raise
        app.connect("env-before-read-docs", lambda _app, _env, docnames: self._read.extend(docnames))
        self._translators = sphinx_compat.interface_translations()  # before any page's
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
            # an earlier build cut short (killed): what it left is not trusted, all is built again
            app = self._setup(spec, fresh=leftovers.begin(Path(spec.doctreedir), Path(spec.outdir)))
            app.build()
            leftovers.finished(Path(spec.doctreedir))
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

