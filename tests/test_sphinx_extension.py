"""The extension in a project that runs sphinx-build alone (no ``publish``).

The extension reads the project's catalogs itself (``locale_dirs``) and
compiles what the policy shows, so the marks are right without the tool's
command. Each build runs ``python -m sphinx`` in its own process, as a
project would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOTS


def sphinx_build(root: Path, builder: str, out: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", builder, *options, str(root), str(root / "_build" / out)],
        capture_output=True, text=True, check=False,
        env={**os.environ, "NO_COLOR": "1"},  # Sphinx colours its output when CI is set
    )


@pytest.fixture(scope="module")
def standalone(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("standalone") / "project"
    shutil.copytree(ROOTS / "sphinx-standalone", root)
    done = sphinx_build(root, "html", "en", "-D", "language=en")
    assert done.returncode == 0, done.stderr
    (root / "warnings.txt").write_text(done.stderr)
    return root


def soup(root: Path, out: str, name: str = "index") -> BeautifulSoup:
    return BeautifulSoup((root / "_build" / out / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def states(page: BeautifulSoup) -> dict[str, str]:
    """First words of each paragraph -> its mark ("reviewed" when unmarked)."""
    found = {}
    for p in page.select("section > p"):
        for label in p.select(".tp-label"):
            label.extract()
        mark = next((c[3:] for c in p.get("class", []) if c in ("tp-machine", "tp-stale", "tp-untranslated")), "reviewed")
        found[" ".join(p.get_text().split()[:2])] = mark
    return found


def test_marks_come_from_the_project_catalogs(standalone):
    page = soup(standalone, "en")
    assert page.html["lang"] == "en"
    assert states(soup(standalone, "en")) == {
        "First paragraph,": "reviewed",
        "Second paragraph,": "machine",
        "Third paragraph.": "stale",
        "Quatrième paragraphe,": "untranslated",
        "Cinquième paragraphe,": "untranslated",
    }
    assert page.select_one("p.tp-untranslated")["lang"] == "fr"
    assert "March 12, 2024" in page.select_one(".tp-label-stale").get_text()
    assert page.find(id="tp-banner") is not None


def test_switcher_and_status_page_follow_the_project_settings(standalone):
    page = soup(standalone, "en")
    link = page.find(id="tp-switcher").find("a", attrs={"data-tp-language": "fr"})
    assert link["href"] == "../fr/index.html"
    status = soup(standalone, "en", "translation-status")
    row = status.find("tr", attrs={"data-catalog": "en/index"})
    assert [int(td.get_text()) for td in row.find_all("td", attrs={"data-state": True})] == [3, 1, 1, 1]


def test_policy_set_in_the_build_configuration(standalone):
    done = sphinx_build(standalone, "html", "en-source", "-D", "language=en",
                        "-D", "translate_pipeline_machine=source", "-D", "translate_pipeline_stale=source")
    assert done.returncode == 0, done.stderr
    assert states(soup(standalone, "en-source")) == {
        "First paragraph,": "reviewed",
        "Deuxième paragraphe,": "untranslated",
        "Troisième paragraphe,": "untranslated",
        "Quatrième paragraphe,": "untranslated",
        "Cinquième paragraphe,": "untranslated",
    }


def test_a_translation_that_is_not_a_paragraph_is_refused_naming_its_catalog_line(standalone):
    # The fifth paragraph's translation is a bulleted list: refused when the
    # catalogs are compiled, before Sphinx reads it; the original is shown.
    warnings = (standalone / "warnings.txt").read_text().splitlines()
    assert warnings == ["locale/en/LC_MESSAGES/index.po:28: WARNING: translation not published, the original is "
                        "shown instead (marked not yet translated): a bulleted list (not in the source) "
                        "[translate_pipeline.refused]"]
    assert states(soup(standalone, "en"))["Cinquième paragraphe,"] == "untranslated"


def test_message_catalogs_see_the_originals_only(standalone):
    done = sphinx_build(standalone, "gettext", "gettext")
    assert done.returncode == 0, done.stderr
    pot = (standalone / "_build/gettext/index.pot").read_text(encoding="utf-8")
    assert pot.count("msgid \"") == 7  # the header and the six passages
    assert "Translation in progress" not in pot and "tp-" not in pot
