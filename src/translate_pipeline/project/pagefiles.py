"""Pages Sphinx cannot read, named with their file and line.

When Sphinx stops on a page that is not text in the project's encoding, it
says "UnicodeDecodeError ... position 6597" and names no file. This module
finds the page (only then: it reads the project's text files once) and says
where the first undecodable byte is and what to do.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from ..files import relative
from .settings import Project

TEXT_SUFFIXES = {".rst", ".md", ".txt", ".inc", ".rest"}  # pages and the files they include
SKIPPED = {"_build", ".venv", "node_modules", "locale"}


def decoding_problem(project: Project) -> str | None:
    """``file:line: what is wrong`` for the first page that is not text in
    ``source_encoding`` (conf.py's, UTF-8 by default); None when all are."""
    encoding = str(project.conf.get("source_encoding") or "utf-8-sig")
    try:
        codecs.lookup(encoding)
    except LookupError:
        return (f"{project.conf_path}: source_encoding = {encoding!r} is not an encoding Python knows; "
                "set it to 'utf-8-sig' (or remove it)")
    suffixes = TEXT_SUFFIXES | set(_source_suffixes(project))
    for path in _text_files(project, suffixes):
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        try:
            raw.decode(encoding)
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
            name = "UTF-8" if encoding.replace("_", "-").lower().startswith("utf-8") else encoding
            return (f"{relative(path, project.root)}:{line}: this page is not {name} text (byte "
                    f"0x{raw[error.start]:02x} at column {column}); save it as {name} (or set "
                    "source_encoding in conf.py to the encoding it is written in) and run again")
    return None


def _source_suffixes(project: Project) -> list[str]:
    suffix = project.conf.get("source_suffix", ".rst")
    if isinstance(suffix, str):
        return [suffix]
    return [str(s) for s in suffix]


def _text_files(project: Project, suffixes: set[str]) -> list[Path]:
    found: list[Path] = []
    for directory in sorted(set(project.sources.values())):
        for dirpath, dirnames, filenames in os.walk(directory):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED and not d.startswith("."))
            found.extend(Path(dirpath, name) for name in sorted(filenames) if Path(name).suffix in suffixes)
    return found
