"""Which documents a project has, the file of each, and the markup it is written in.

Sphinx decides what a page is: the source suffixes it reads and the parser
of each (``.rst`` for reST; ``.md`` once ``myst_parser`` has registered it;
whatever other extensions add). The Sphinx that ``sync`` sets up records
that answer in ``_build/translate-pipeline/source-suffixes.json``;
``status``, ``draft`` and ``publish`` read the record instead of starting
Sphinx. When there is none yet, or ``conf.py`` changed since it was
written, Sphinx is asked here (set up, nothing read or built).
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..files import atomic_write
from .settings import Project

if TYPE_CHECKING:
    from ..checks.markup import Syntax

RECORD = "source-suffixes.json"
RECORD_VERSION = 1
MYST_PARSER_MODULES = ("myst_parser", "myst_nb")  # parsers whose pages are MyST Markdown


@dataclass(frozen=True)
class SourceSuffixes:
    """What Sphinx reads: suffix -> file type, and the file types written in MyST."""

    types: dict[str, str]  # ".md" -> "markdown"
    myst: frozenset[str] = frozenset()  # file types parsed by MyST

    def filetype(self, path: str) -> str | None:
        """The file type of a page's file (None: not a page Sphinx reads)."""
        name = PurePosixPath(path).name
        for suffix in sorted(self.types, key=len, reverse=True):
            if name.endswith(suffix):
                return self.types[suffix]
        return None

    def strip(self, name: str) -> str:
        """A docname from a name that may end with a source suffix (``news.md`` -> ``news``)."""
        for suffix in sorted(self.types, key=len, reverse=True):
            if name.endswith(suffix):
                return name[: -len(suffix)]
        return name

    def is_myst(self, path: str) -> bool:
        return self.filetype(path) in self.myst


def from_sphinx(app: Any) -> SourceSuffixes:
    """What a set-up Sphinx application reads (after its extensions registered theirs)."""
    types = {str(suffix): str(filetype or "restructuredtext")
             for suffix, filetype in dict(app.config.source_suffix).items()}
    myst = set()
    for filetype in set(types.values()):
        parser = app.registry.source_parsers.get(filetype)
        if parser is not None and parser.__module__.split(".")[0] in MYST_PARSER_MODULES:
            myst.add(filetype)
    return SourceSuffixes(types, frozenset(myst))


def _stamp(project: Project) -> list[int] | None:
    try:
        stat = project.conf_path.stat()
    except OSError:
        return None
    return [stat.st_mtime_ns, stat.st_size]


def record(project: Project, suffixes: SourceSuffixes) -> None:
    """Keep what Sphinx reads for the commands that do not start Sphinx."""
    data = {
        "version": RECORD_VERSION,
        "conf": _stamp(project),
        "types": dict(sorted(suffixes.types.items())),
        "myst": sorted(suffixes.myst),
    }
    text = json.dumps(data, indent=1) + "\n"
    path = project.cache_dir / RECORD
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)


def _recorded(project: Project) -> SourceSuffixes | None:
    try:
        data = json.loads((project.cache_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != RECORD_VERSION or data.get("conf") != _stamp(project):
        return None
    return SourceSuffixes(dict(data["types"]), frozenset(data["myst"]))


def source_suffixes(project: Project) -> SourceSuffixes:
    """What Sphinx reads in this project: recorded by the last sync, else asked now."""
    return _recorded(project) or _ask_sphinx(project)


def _ask_sphinx(project: Project) -> SourceSuffixes:
    """Set Sphinx up on the project (extensions loaded, nothing read) and ask it."""
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from ..errors import SettingsError

    with tempfile.TemporaryDirectory() as scratch, patch_docutils(project.root), docutils_namespace():
        try:
            app = Sphinx(project.root, project.root, scratch, scratch, "dummy",
                         status=None, warning=io.StringIO(), freshenv=True)
        except SphinxError as error:
            raise SettingsError(f"{project.conf_path}: Sphinx cannot set the project up: {error}") from None
        found = from_sphinx(app)
    try:
        record(project, found)
    except OSError:
        pass  # a project that cannot be written to is still read: Sphinx is asked each time
    return found


def documents(project: Project, suffixes: SourceSuffixes | None = None) -> dict[str, tuple[str, str]]:
    """docname -> (language written in, source path relative to the project).

    ``suffixes``: what Sphinx reads, when the caller has it (a running Sphinx).
    """
    from sphinx.project import Project as SphinxProject

    suffixes = suffixes or source_suffixes(project)
    excluded = [*project.conf.get("exclude_patterns", []), "_build", ".venv"]
    found: dict[str, tuple[str, str]] = {}
    for language, directory in project.sources.items():
        sphinx_project = SphinxProject(directory, suffixes.types)
        for docname in sphinx_project.discover(excluded, project.conf.get("include_patterns", ["**"])):
            path = sphinx_project.doc2path(docname, absolute=True)
            found[docname] = (language, Path(path).relative_to(project.root).as_posix())
    return found


def syntax_of(project: Project, suffixes: SourceSuffixes, path: str) -> Syntax:
    """The inline markup a page's file is written in (``path``: as a catalog's location names it)."""
    from ..checks.markup import RST, myst_syntax  # status, which only lists pages, does without it

    if suffixes.is_myst(path):
        return myst_syntax(project.conf.get("myst_enable_extensions", ()))
    return RST
