"""Translatable messages of every document, extracted by Sphinx itself.

Sphinx reads the sources (keeping its environment between runs, so only
changed documents are parsed again) and a small builder collects, per
document, the messages that Sphinx's own gettext builder would write. The
messages of documents that were not read again come from the previous run.

This module is also a Sphinx extension: it registers that builder.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..compat import sphinx as sphinx_compat
from ..project import discovery
from ..project.discovery import docnames_to_domain, orphaned  # noqa: F401 - imported from here by other modules
from ..project.sourcetree import source_dir, source_tree  # noqa: F401 - source_dir: where the pages are read
from .envdata import PerDocument, read_few_serially
from ..errors import ExtractError
from ..files import relative
from ..project.settings import Project

BUILDER = "translate-pipeline-messages"
CACHE_VERSION = 2  # of the messages kept in Sphinx's environment


class Message(NamedTuple):
    msgid: str
    locations: tuple[tuple[str, int], ...]  # (path relative to the project, line)


@dataclass
class Document:
    docname: str
    language: str  # the language it is written in
    source: str  # its file, relative to the project
    messages: list[Message]


@dataclass
class Extraction:
    documents: dict[str, Document]
    warnings: list[str] = field(default_factory=list)
    read: int = 0  # documents Sphinx parsed this time


# -- running Sphinx -----------------------------------------------------------


Progress = Callable[[int, int], None]  # (pages read so far, pages to read)


def extract(project: Project, parallel: int = 1, progress: Progress | None = None) -> Extraction:
    """Messages of every document of the project, by docname.

    ``progress`` is called as pages are read (only the changed ones are).
    """
    reader = Reader()
    try:
        return reader.extract(project, parallel, progress)
    finally:
        reader.close()


class Reader:
    """Sphinx, set up to collect the messages of a project, kept between extractions.

    :func:`extract` uses one once; ``translate-pipeline serve`` keeps one, so
    that an extraction after a small edit only reads the changed pages. It is
    set up again when the project's ``conf.py`` or settings change.
    """

    def __init__(self) -> None:
        self._app: Any = None
        self._key: tuple | None = None
        self._contexts: contextlib.ExitStack | None = None
        self._warnings = io.StringIO()
        self._progress: list[Progress | None] = [None]
        # docname -> (Sphinx's list of its messages, the Document made of it, its path in the tree)
        self._documents: dict[str, tuple[list, Document, str]] = {}
        # What sync made of the documents this reader gave (``incoming.IncomingCache``),
        # forgotten with them when Sphinx is set up again.
        self.incoming: Any = None

    def close(self) -> None:
        if self._contexts is not None:
            self._contexts.close()
        self._app = self._contexts = self._key = None
        self._documents = {}
        self.incoming = None

    def _setup(self, project: Project, srcdir: Path, parallel: int) -> Any:
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        key = (project.root, discovery.file_stamp(project.conf_path), repr(project.settings), parallel)
        if self._app is not None and key == self._key:
            sphinx_compat.ready_for_another_build(self._app)
            return self._app
        self.close()
        overrides: dict[str, Any] = {
            "language": project.settings.source_language,
            "locale_dirs": [],
            "smartquotes": False,  # messages are the source text; quotes are not needed
            "exclude_patterns": [*project.conf.get("exclude_patterns", []), "_build", ".venv"],
        }
        contexts = contextlib.ExitStack()
        contexts.enter_context(patch_docutils(project.root))
        contexts.enter_context(docutils_namespace())
        try:
            app = Sphinx(
                srcdir,
                project.root,
                project.cache_dir / "messages",
                project.cache_dir / "doctrees-messages",
                BUILDER,
                confoverrides=overrides,
                status=None,
                warning=self._warnings,
                freshenv=False,
                parallel=parallel,
            )
        except BaseException:
            contexts.close()
            raise
        _report_progress(app, lambda done, total: self._progress[0] and self._progress[0](done, total))
        # What this Sphinx reads (suffixes and parsers its extensions added),
        # for the commands that do not start Sphinx.
        discovery.record(project, discovery.from_sphinx(app))
        self._app, self._key, self._contexts = app, key, contexts
        return app

    def extract(self, project: Project, parallel: int = 1, progress: Progress | None = None) -> Extraction:
        from sphinx.errors import SphinxError

        srcdir, languages = source_tree(project)
        self._warnings.seek(0)
        self._warnings.truncate()
        self._progress[0] = progress
        try:
            with contextlib.redirect_stdout(sys.stderr):  # conf.py's prints are not the command's output
                app = self._setup(project, srcdir, parallel)
                app.build()
        except (SphinxError, UnicodeDecodeError) as error:
            detail = sphinx_failure(error, self._warnings.getvalue(), srcdir, project.root)
            self.close()
            from ..project.pagefiles import decoding_problem

            if "UnicodeDecodeError" in f"{type(error).__name__} {error}":
                raise ExtractError(decoding_problem(project) or f"Sphinx could not read the sources: {detail}") from None
            raise ExtractError(f"Sphinx could not read the sources: {detail}") from None
        except SystemExit as error:  # docutils halts on severe errors
            self.close()
            raise ExtractError(f"Sphinx stopped reading the sources ({error})") from None
        except BaseException:
            self.close()
            raise
        if sphinx_compat.replaces_undecodable_bytes():  # a page Sphinx read with "?" stops the run, as in Sphinx 9
            from ..project.pagefiles import decoding_problem

            problem = decoding_problem(project)
            if problem:
                self.close()
                raise ExtractError(problem)
        builder = app.builder
        env = app.env
        documents: dict[str, Document] = {}
        root = project.root
        located = functools.lru_cache(maxsize=None)(lambda src: _location(src, root))
        known = self._documents
        self._documents = {}
        for docname, messages in builder.messages.items():
            earlier = known.get(docname)
            if earlier is not None and earlier[0] is messages and earlier[1].language == languages.get(
                    earlier[2], project.settings.source_language):
                documents[docname] = earlier[1]  # not read again: the same messages
                self._documents[docname] = earlier
                continue
            path = Path(env.doc2path(docname))
            rel = path.relative_to(srcdir).as_posix()
            language = languages.get(rel, project.settings.source_language)
            real = path.resolve()
            documents[docname] = Document(
                docname=docname,
                language=language,
                source=relative(real, root),
                messages=[
                    Message(msgid, tuple((located(src), line) for src, line in locs))
                    for msgid, locs in messages
                ],
            )
            self._documents[docname] = (messages, documents[docname], rel)
        _add_site_names(project, documents)
        lines = [readable_warning(line, srcdir, root)
                 for line in self._warnings.getvalue().splitlines() if line.strip()]
        return Extraction(documents=documents, warnings=lines, read=builder.read_count)


def _add_site_names(project: Project, documents: dict[str, Document]) -> None:
    """The site's name, author and copyright (``conf.py``) are messages of the root page."""
    from . import sitename

    root_doc = sitename.root_docname(project.conf)
    if root_doc in documents:
        messages = sitename.conf_messages(project.conf, project.conf_path)
        location = relative(project.conf_path.resolve(), project.root)
        documents[root_doc] = sitename.with_site_names(documents[root_doc], messages, location)


def _location(source: str, root: Path) -> str:
    """A message's source as its location names it: relative to the project,
    with ``..`` for a file outside it (``.. include:: ../LICENSE.txt``) and
    what follows the path kept (autodoc's ``renamer.py:docstring of x``)."""
    path, sep, rest = source.partition(":docstring of ")
    real = os.path.realpath(path) if path else path
    shown = os.path.relpath(real, root).replace(os.sep, "/") if os.path.isabs(real) else path
    return shown + sep + rest




def _report_progress(app: Any, progress: Progress) -> None:
    parent = os.getpid()
    state = {"done": 0, "total": 0}

    def before(_app: Any, _env: Any, docnames: list[str]) -> None:
        state["total"] = len(docnames)
        progress(0, state["total"])

    def read(_app: Any, _doctree: Any) -> None:
        if os.getpid() == parent:  # parallel reading reports through merges
            state["done"] += 1
            progress(state["done"], state["total"])

    def merged(_app: Any, _env: Any, docnames: Iterable[str], _other: Any) -> None:
        state["done"] += len(list(docnames))
        progress(state["done"], state["total"])

    app.connect("env-before-read-docs", before)
    app.connect("doctree-read", read)
    app.connect("env-merge-info", merged)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def readable_warning(line: str, srcdir: Path, root: Path) -> str:
    """A Sphinx warning without colour codes (Sphinx colours them whenever CI
    is set), naming the project's files rather than the linked tree."""
    line = _ANSI.sub("", line)
    prefix = f"{srcdir}{os.sep}"
    if srcdir == root or not line.startswith(prefix):
        return line
    path, sep, rest = line.partition(":")
    return relative(Path(path).resolve(), root) + sep + rest



_ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|SEVERE):")


def sphinx_failure(error: Exception, warnings: str, srcdir: Path, root: Path) -> str:
    """What Sphinx says when it stops: its error, with the errors it logged
    before (the detail of "Invalid `intersphinx_mapping` configuration (1 error)")."""
    said = str(error).strip()
    details = []
    for line in warnings.splitlines():
        line = readable_warning(line, srcdir, root).strip()
        if _ERROR_LINE.search(line) and line not in said and line not in details:
            details.append(line)
    return "\n".join([said, *details]) if details else said


# -- the builder --------------------------------------------------------------
#
# Messages are collected when Sphinx reads a document (the ``doctree-read``
# event) and kept in Sphinx's environment, which Sphinx saves between runs and
# merges after parallel reading. So a run parses only the documents that
# changed, and nothing is written but the environment (and an empty marker
# per document, which Sphinx looks for): no doctree pickles, no writing phase.

MESSAGES_ATTR = "translate_pipeline_messages"


def page_messages(doctree: Any, gettext_additional_targets: Any) -> Iterator[tuple[Any, str]]:
    """Each message of a page with its node, as Sphinx's gettext builder collects them.

    The messages of a page's catalog: ``sync`` writes them, the marks count
    a page by them (so a banner's figures are the catalog's).
    """
    from sphinx.util.index_entries import split_index_msg
    from sphinx.util.nodes import extract_messages, traverse_translatable_index

    for node, msg in extract_messages(doctree):
        if not sphinx_compat.in_substitution_definition(node):
            yield node, msg
    if "index" in (gettext_additional_targets or ()):
        for node, entries in traverse_translatable_index(doctree):
            for entry_type, value, _tid, _main, _key in entries:
                for m in split_index_msg(entry_type, value):
                    yield node, m


def _collect(doctree: Any, gettext_additional_targets: Any) -> list[tuple[str, list[tuple[str, int]]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for node, msg in page_messages(doctree, gettext_additional_targets):
        line = node.line if node.line is not None else -1
        found.setdefault(msg, []).append((node.source or "", line))
    return [(msg, sorted(set(locs))) for msg, locs in found.items()]


_messages = PerDocument(MESSAGES_ATTR)


def _on_doctree_read(app: Any, doctree: Any) -> None:
    if app.builder.name == BUILDER:
        docname = app.env.current_document.docname
        _messages(app.env)[docname] = _collect(doctree, app.config.gettext_additional_targets)


def _builder_class() -> type:
    from sphinx.builders.gettext import I18nBuilder

    class MessagesBuilder(I18nBuilder):
        """Reads the sources and keeps each document's translatable messages.

        An i18n builder as Sphinx's gettext builder is, so that extensions
        treat it as they treat that one (and find what they expect of it);
        like it, it reads the text of every ``only`` branch.
        """

        name = BUILDER
        epilog = ""
        use_message_catalog = False
        versioning_method = "none"

        def init(self) -> None:
            super().init()
            self.read_count = 0

        def get_outdated_docs(self) -> set[str]:
            return set()

        def get_target_uri(self, docname: str, typ: str | None = None) -> str:
            return ""

        def read(self) -> list[str]:
            updated = super().read()
            self.read_count = len(updated)
            return updated

        def write_doctree(self, docname: str, doctree: Any, *, _cache: bool = True) -> None:
            # The messages are all this builder needs of a doctree; Sphinx only
            # checks that the file exists to know the document was read.
            path = Path(self.doctreedir, f"{docname}.doctree")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()

        def write(self, *args: Any, **kwargs: Any) -> None:
            pass

        def write_doc(self, docname: str, doctree: Any) -> None:
            pass

        @property
        def messages(self) -> dict[str, list[tuple[str, list[tuple[str, int]]]]]:
            messages = _messages(self.env)
            return {doc: messages.get(doc, []) for doc in self.env.found_docs}

    return MessagesBuilder


def setup(app: Any) -> dict[str, Any]:
    app.add_builder(_builder_class())
    app.connect("doctree-read", _on_doctree_read)
    app.connect("env-purge-doc", _messages.purge)
    app.connect("env-merge-info", _messages.merge)
    app.connect("env-before-read-docs", read_few_serially)
    return {
        "version": "1",
        "env_version": CACHE_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
