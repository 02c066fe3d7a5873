"""What a language's build cut short left behind is not trusted by the next build.

Sphinx writes its environment, the doctrees, the pages and ``.buildinfo``
in place, not through a temporary file and a rename. A build killed half-way
(``kill -9``, a closed terminal, a CI timeout) can leave:

* an empty or cut ``.buildinfo``, which stops the next build (Sphinx reads
  its lines by index: ``IndexError``);
* pages cut short, or pages read again but not yet written: the environment
  saved before the writing says they are up to date, and Sphinx writes a page
  again only when its source is newer than it, so they would stay as they are;
* no search index, when it was killed while writing it (``searchindex.js.tmp``
  is left): the next build, with no page to write, cannot load the index and
  dumps the empty one of its environment, which stops it ("ValueError: not
  enough values to unpack (expected 2, got 0)" in Sphinx's
  ``IndexBuilder.freeze``); with some pages to write, the index would hold
  only those.

So each build leaves a mark in its doctree folder while it runs, removed
once it has finished. A build that finds the mark of an earlier one starts
afresh: a new environment, every page read and written again. A
``.buildinfo`` that cannot be read is removed, which Sphinx takes as "write
every page again".
"""

from __future__ import annotations

from pathlib import Path

MARK = "build-under-way"  # in the doctree folder, while a build runs
BUILD_INFO = ".buildinfo"  # Sphinx's, in the site's folder
BUILD_INFO_FIRST_LINE = "# Sphinx build info version 1"
SEARCH_INDEX_TMP = "searchindex.js.tmp"  # Sphinx's, renamed searchindex.js once written


def begin(doctreedir: Path, outdir: Path) -> bool:
    """Before a build: mark it as under way; True when an earlier one did not finish
    (this one then starts afresh)."""
    mark = doctreedir / MARK
    interrupted = mark.exists()
    build_info = outdir / BUILD_INFO
    if interrupted or not _readable_build_info(build_info):
        build_info.unlink(missing_ok=True)
    if interrupted:
        (outdir / SEARCH_INDEX_TMP).unlink(missing_ok=True)
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.touch()
    return interrupted


def finished(doctreedir: Path) -> None:
    """After a build that completed: nothing it left is to be distrusted."""
    (doctreedir / MARK).unlink(missing_ok=True)


def _readable_build_info(path: Path) -> bool:
    """Whether Sphinx can read ``path`` (absent: nothing to read); its format is four lines."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return True
    except (OSError, UnicodeDecodeError):
        return False
    return (len(lines) >= 4 and lines[0].rstrip() == BUILD_INFO_FIRST_LINE
            and lines[2].startswith("config: ") and lines[3].startswith("tags: "))
