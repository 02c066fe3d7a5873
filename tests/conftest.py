"""Shared fixtures: small real Sphinx projects on disk and the CLI run in-process.

Also loaded here: the local DeepL API (``deepl_server``, :mod:`conftest_deepl`),
headless Chromium (``browser``, :mod:`conftest_browser`), and the Hypothesis
profiles: ``quick`` by default, ``thorough`` where ``HYPOTHESIS_PROFILE=thorough``
or ``CI`` is set (``.ci/run``).
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from hypothesis import settings

from translate_pipeline.cli import run

pytest_plugins = ["conftest_deepl", "conftest_browser"]

ROOTS = Path(__file__).parent / "roots"

THOROUGH = 300  # examples a property test tries in the thorough profile
settings.register_profile("quick", max_examples=THOROUGH // 10, deadline=None)
settings.register_profile("thorough", max_examples=THOROUGH, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("thorough" if os.environ.get("CI") else "quick"))


def examples(thorough: int) -> int:
    """Examples for a property test whose examples cost more than most: ``thorough``
    in the thorough profile, the same share of the profile loaded otherwise."""
    return max(3, thorough * settings.default.max_examples // THOROUGH)


def copy_root(name: str, dest: Path) -> Path:
    """Copy the test root ``name`` (a folder of ``tests/roots/``) to ``dest``, a new folder."""
    shutil.copytree(ROOTS / name, dest)
    return dest


@pytest.fixture
def make_project(tmp_path):
    """Copy the test root ``name`` into a fresh folder and return its path."""

    def make(name: str = "basic") -> Path:
        return copy_root(name, tmp_path / name)

    return make


@pytest.fixture
def project(make_project, request) -> Path:
    """A copy of the test root ``basic``, or of the one a test or its module
    names with ``@pytest.mark.root("name")``."""
    marker = request.node.get_closest_marker("root")
    return make_project(marker.args[0] if marker else "basic")


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def tp(capsys):
    """Run ``translate-pipeline ARGS`` in-process; returns code, stdout, stderr."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def wait_for(condition: Callable[[], object], seconds: float = 120, every: float = 0.02) -> object:
    """The first true value of ``condition()``, asked every ``every`` seconds;
    after ``seconds``, its last value (false: the caller's assertion says what was awaited)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return condition()



def first_line(stream, seconds: float = 60) -> str:
    """The first line a process's output gives, waited for at most ``seconds``
    ("" when none came in time: the caller's assertion says what was awaited)."""
    said: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: said.put(stream.readline()), daemon=True).start()
    try:
        return said.get(timeout=seconds)
    except queue.Empty:
        return ""

def po_path(root: Path, domain: str, language: str = "en") -> Path:
    return root / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


def translate(path: Path, translations: dict[str, str], fuzzy: bool = False) -> None:
    """Do what a translator does in a PO editor: fill msgstr, clear or set fuzzy."""
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid in translations:
            entry.msgstr = translations[entry.msgid]
            if fuzzy and "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
            if not fuzzy and "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
    po.save(str(path))


def translate_all(path: Path, prefix: str = "EN: ") -> dict[str, str]:
    po = polib.pofile(str(path))
    done = {}
    for entry in po:
        if not entry.obsolete:
            entry.msgstr = prefix + entry.msgid
            done[entry.msgid] = entry.msgstr
    po.save(str(path))
    return done


def entries(path: Path) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(path)) if not e.obsolete}


def obsolete(path: Path) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(path)) if e.obsolete}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the project but the build folder, by path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "_build" not in p.relative_to(root).parts
    }


REPO = Path(__file__).resolve().parents[1]
SAMPLE_FILES = ("conf.py", "pyproject.toml", "source", "locale", "glossary")


def copy_sample(project: Path) -> Path:
    """Copy the repository's sample project (its pages, catalogs, settings) into ``project``."""
    project.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, project / name)
        else:
            shutil.copy2(REPO / name, project / name)
    return project


@pytest.fixture
def sample(tmp_path) -> Path:
    """A copy of the repository's sample project."""
    return copy_sample(tmp_path / "sample")
