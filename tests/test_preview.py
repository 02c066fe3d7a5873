"""``serve``'s live preview, in a real browser.

``translate-pipeline serve`` runs as the real command on a copy of the
sample, and headless Chromium (Debian's, as in ``test_browser.py``) keeps
its pages open: saving a French page shows the change in the French and the
English page without anything being run, where the reader was; a malformed
catalog shows its error, with file and line, in the page until it is fixed.
A smaller project shows the PDFs following the HTML in the background.
Every wait is for something to happen, bounded.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOTS, copy_sample
from playwright.sync_api import Page, expect
from test_browser import browser  # noqa: F401 - the fixture: Debian's Chromium, headless
from test_inputs import alive, descendants, wait_for

REPORT = "rapports/2014-02-reunion-ministre"
EDITED = "Le plan a finalement été présenté le 14 mai 2014."
EDIT = "Le plan a finalement été présenté le 14 mai 2014, après trois reports."
STALE_EN = "The plan was finally presented on 14 May 2014."
NEW_FR = "Ce paragraphe est nouveau : il attend encore sa traduction."
WAIT_MS = 60_000  # a publish on a loaded machine; each wait ends as soon as what it waits for is there


class Served:
    """``translate-pipeline serve`` in its own process; its messages collected as they come."""

    def __init__(self, root: Path, *options: str) -> None:
        self.root = root
        self.lines: list[str] = []
        self._new_line = threading.Condition()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "translate_pipeline", "-C", str(root), *options, "serve", "--port", "0"],
            stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        ready = self.wait_for(lambda line: line.startswith("Ready"))
        assert ready, self.lines
        self.url = re.search(r"http://127\.0\.0\.1:\d+/", "".join(self.lines))[0].rstrip("/")

    def _read(self) -> None:
        for line in self.process.stderr:
            with self._new_line:
                self.lines.append(line.rstrip("\n"))
                self._new_line.notify_all()
        with self._new_line:
            self._new_line.notify_all()

    def count(self, test) -> int:
        with self._new_line:
            return sum(1 for line in self.lines if test(line))

    def wait_for(self, test, times: int = 1, timeout: float = WAIT_MS / 1000) -> bool:
        """Whether ``times`` lines pass ``test`` within ``timeout`` seconds (False when the server ended)."""
        with self._new_line:
            return self._new_line.wait_for(
                lambda: sum(1 for line in self.lines if test(line)) >= times or self.process.poll() is not None,
                timeout) and sum(1 for line in self.lines if test(line)) >= times

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


def published(line: str) -> bool:
    return line.startswith("published in")


def changes(server: Served) -> list[str]:
    """What the preview said it publishes, change by change."""
    return [line for line in list(server.lines) if line.startswith("Preview:") and line.endswith("publishing…")]


def save(path: Path, text: str) -> None:
    """As an editor saves: a temporary file next to it, renamed over it."""
    temporary = path.with_name(path.name + ".swp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    root = copy_sample(tmp_path_factory.mktemp("preview") / "sample")
    server = Served(root, "--set", "pdf.enabled=false")  # the PDFs have their own test below
    assert server.wait_for(published), server.lines  # the publish at start
    yield server
    server.stop()


@pytest.fixture
def open_page(browser, served) -> Iterator:
    context = browser.new_context()
    context.set_default_timeout(WAIT_MS)

    def open_(language: str, docname: str) -> Page:
        page = context.new_page()
        page.goto(f"{served.url}/{language}/{docname}.html")
        expect(page.locator("article")).to_be_visible(timeout=WAIT_MS)
        return page

    yield open_
    context.close()


def paragraph(page: Page, text: str):
    return page.locator("article p", has_text=text)


def scroll_to(page: Page, text: str) -> int:
    """Scroll so that the paragraph is on screen, as an editor reading it; the window's scroll then."""
    paragraph(page, text).first.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 0); window.beforeSave = true")
    y = page.evaluate("window.scrollY")
    assert y > 500, "the paragraph should be far down its page"
    return y


def test_a_saved_paragraph_shows_in_the_open_pages_where_the_reader_was(served, open_page):
    french, english = open_page("fr", REPORT), open_page("en", REPORT)
    before, publishes = len(changes(served)), served.count(published)
    where = {"fr": scroll_to(french, EDITED), "en": scroll_to(english, STALE_EN)}

    page_file = served.root / "source/fr" / f"{REPORT}.rst"
    text = page_file.read_text(encoding="utf-8")
    assert EDITED in text
    save(page_file, text.replace(EDITED, EDIT).replace(".. rubric:: Notes", f"{NEW_FR}\n\n.. rubric:: Notes"))

    # Nothing run, nothing clicked: each page reloads itself with the new publish.
    expect(paragraph(french, "après trois reports")).to_be_visible(timeout=WAIT_MS)
    expect(paragraph(french, NEW_FR)).to_be_visible(timeout=WAIT_MS)
    new = english.locator("article p[lang=fr].tp-untranslated", has_text=NEW_FR)
    expect(new).to_be_visible(timeout=WAIT_MS)  # the new French, marked not yet translated
    outdated = english.locator("article .tp-stale", has_text=STALE_EN)
    expect(outdated).to_be_visible(timeout=WAIT_MS)  # the last reviewed English, marked outdated
    for language, page in (("fr", french), ("en", english)):
        assert page.evaluate("window.beforeSave") is None  # a new page: it reloaded
        page.wait_for_function("(y) => Math.abs(window.scrollY - y) <= 2", arg=where[language])
    # the script is added as the pages are served: the published files do not have it
    served_html = urllib.request.urlopen(f"{served.url}/en/{REPORT}.html", timeout=30).read().decode("utf-8")
    assert "/_translate-pipeline/preview.js" in served_html
    site = served.root / "_build/site"
    assert not [p for p in site.rglob("*.html") if "_translate-pipeline" in p.read_text(encoding="utf-8")]

    # One publish per save: the catalog that publish's own sync rewrote was not taken for a save
    # (it would have come before this one).
    glossary = served.root / "glossary/fr-en.csv"
    save(glossary, glossary.read_text(encoding="utf-8"))
    assert served.wait_for(published, times=publishes + 2)
    assert changes(served)[before:] == [f"Preview: source/fr/{REPORT}.rst changed; publishing…",
                                        "Preview: glossary/fr-en.csv changed; publishing…"]


def test_a_malformed_catalog_shows_in_the_page_until_it_is_fixed(served, open_page):
    english = open_page("en", REPORT)
    before = len(changes(served))
    catalog = served.root / "locale/en/LC_MESSAGES" / f"{REPORT}.po"
    good = catalog.read_text(encoding="utf-8")
    line = good.count("\n") + 2
    save(catalog, good + '\nmsgid "a closing quote missing\nmsgstr ""\n')

    error = english.locator("#translate-pipeline-preview-error")
    expect(error).to_be_visible(timeout=WAIT_MS)
    expect(error).to_contain_text(f"locale/en/LC_MESSAGES/{REPORT}.po:{line}", timeout=WAIT_MS)
    expect(error).to_contain_text("closing quote", timeout=WAIT_MS)
    english.reload()  # a page opened while the error stands shows it too
    expect(error).to_contain_text(f"{REPORT}.po:{line}", timeout=WAIT_MS)

    save(catalog, good)
    expect(error).to_have_count(0, timeout=WAIT_MS)
    expect(paragraph(english, "The Collectif had long been waiting for this plan.")).to_be_visible(timeout=WAIT_MS)
    assert changes(served)[before:] == [f"Preview: locale/en/LC_MESSAGES/{REPORT}.po changed; publishing…"] * 2


def test_a_conf_py_that_does_not_run_shows_in_the_page_until_it_is_fixed(served, open_page):
    french = open_page("fr", REPORT)
    conf = served.root / "conf.py"
    good = conf.read_text(encoding="utf-8")
    save(conf, good + "\nhtml_theme = (\n")
    error = french.locator("#translate-pipeline-preview-error")
    expect(error).to_contain_text(f"conf.py:{good.count(chr(10)) + 2}: conf.py failed to run", timeout=WAIT_MS)
    save(conf, good)
    expect(error).to_have_count(0, timeout=WAIT_MS)
    expect(paragraph(french, "Le Collectif attendait ce plan depuis longtemps.")).to_be_visible(timeout=WAIT_MS)


def test_the_preview_serves_nothing_outside_the_site(served):
    site = served.root / "_build/site"
    (site / "en" / "passwd.html").symlink_to("/etc/passwd")
    (site / "outside.html").symlink_to(served.root / "source/fr/index.rst")
    (site / "inside.html").symlink_to(site / "en" / "index.html")
    for path in ("/en/passwd.html", "/outside.html", "/en/../../conf.py", "/en/index.html%00.html"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(served.url + path, timeout=30)
        assert refused.value.code in (400, 404), path
    with urllib.request.urlopen(served.url + "/inside.html", timeout=30) as answer:
        assert answer.headers["Cache-Control"] == "no-store"
        assert b"/_translate-pipeline/preview.js" in answer.read()
    with urllib.request.urlopen(served.url + "/_translate-pipeline/preview.js", timeout=30) as answer:
        assert b"EventSource" in answer.read()


def test_what_is_watched(tmp_path):
    from translate_pipeline.publishing.preview import watch_plan

    root = copy_sample(tmp_path / "sample")
    plan = watch_plan(root)
    wanted = ["source/fr/collectif.rst", "source/fr/images/new.png", "source/en/about.rst", "conf.py",
              "pyproject.toml", "glossary/fr-en.csv", "locale/en/LC_MESSAGES/rapports/new.po"]
    not_wanted = ["_build/site/en/index.html", "_build/translate-pipeline/src/index.rst", "source/fr/.index.rst.swp",
                  "source/fr/index.rst~", "source/fr/4913", "locale/en/LC_MESSAGES/.collectif.po.x1y2.tmp",
                  "locale/en/LC_MESSAGES/collectif.mo", "locale/en/LC_MESSAGES/collectif.po.pending-20260101",
                  "glossary/notes.txt", "README.md", "src/translate_pipeline/cli.py", ".git/index"]
    assert [path for path in wanted if not plan.wanted(root / path)] == []
    assert [path for path in not_wanted if plan.wanted(root / path)] == []
    # the folders are watched, not the whole project (its .venv, .git, _build)
    assert root not in plan.trees and root in plan.folders
    assert {root / "source/fr", root / "source/en", root / "locale"} <= plan.trees


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdfs_follow_the_html_and_a_newer_change_stops_them(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(ROOTS / "publish", root)
    server = Served(root)
    try:
        assert server.wait_for(published), server.lines  # the HTML at start; its PDFs come after
        assert not server.count(lambda line: line.startswith("PDFs made"))
        index = root / "source/fr/index.rst"
        save(index, index.read_text(encoding="utf-8").replace("Bienvenue", "Soyez les bienvenus"))
        # a newer change came before the PDFs of the first publish were made: they are not
        assert server.wait_for(lambda line: line.startswith("PDFs of the previous change left unmade")), server.lines
        assert server.wait_for(published, times=2), server.lines
        assert server.wait_for(lambda line: line.startswith("PDFs made"), timeout=180), server.lines
        assert server.count(lambda line: line.startswith("PDFs made")) == 1
        assert "Soyez les bienvenus" in pdf_text(root / "_build/site/fr/index.pdf")
        assert "Outdated: the French original changed" in pdf_text(root / "_build/site/en/index.pdf")
        html = (root / "_build/site/fr/index.html").read_text(encoding="utf-8")
        assert 'index.pdf"' in html and "_translate-pipeline" not in html

        # Ctrl-C while PDFs are being made in the background: nothing is left running
        save(index, index.read_text(encoding="utf-8").replace("Soyez les bienvenus", "Bonjour"))
        assert server.wait_for(published, times=3), server.lines
        seen: dict[int, str] = {}

        def making_pdfs() -> bool:
            seen.update(descendants(server.process.pid))
            return any("spawn_main" in cmd for cmd in seen.values()) or server.process.poll() is not None

        assert wait_for(making_pdfs, seconds=60, every=0.05), server.lines
        server.stop()
        assert wait_for(lambda: not alive(seen), seconds=20, every=0.1), {pid: seen[pid] for pid in alive(seen)}
    finally:
        if server.process.poll() is None:
            server.stop()
