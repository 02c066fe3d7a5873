"""The folder Sphinx reads: every page of the project, whatever its language.

With ``source/fr`` and ``source/en``, both are laid into one tree of
symbolic links (in the project's cache folder) so that one Sphinx project
holds every page, and the language of each file is known by where it came
from; an adopted project is read where it is.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import SettingsError
from .settings import Project


def source_tree(project: Project) -> tuple[Path, dict[str, str]]:
    """The directory Sphinx reads, and the language of each file in it.

    With ``source/fr`` and ``source/en``, both are laid into one tree of
    symbolic links so that one Sphinx project holds every page; an adopted
    project is read where it is.
    """
    if project.adopted:
        return project.root, {}
    tree = source_dir(project)
    wanted: dict[str, tuple[Path, str]] = {}
    for language, directory in project.sources.items():
        for path in sorted(directory.rglob("*")):
            if path.is_dir():
                continue
            rel = path.relative_to(directory).as_posix()
            if rel in wanted:
                other = wanted[rel][0]
                raise SettingsError(
                    f"{path}: the same file also exists as {other}; a page is written in "
                    "one language only — rename or remove one of them"
                )
            wanted[rel] = (path, language)
    _sync_links(tree, {rel: target for rel, (target, _) in wanted.items()})
    return tree, {rel: lang for rel, (_, lang) in wanted.items()}


def source_dir(project: Project) -> Path:
    """The directory Sphinx reads (:func:`source_tree` lays it out)."""
    return project.root if project.adopted else project.cache_dir / "src"


def _sync_links(tree: Path, wanted: dict[str, Path]) -> None:
    tree.mkdir(parents=True, exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(tree, topdown=False):
        for name in filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(tree).as_posix()
            target = wanted.get(rel)
            if target is None or not path.is_symlink() or Path(os.readlink(path)) != target:
                path.unlink()
        for name in dirnames:
            directory = Path(dirpath, name)
            if not any(directory.iterdir()):
                directory.rmdir()
    for rel, target in wanted.items():
        link = tree / rel
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target)
