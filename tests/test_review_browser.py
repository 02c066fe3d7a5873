"""The review page in a real browser, from the address the command prints to the published site.

A copy of the sample project is published (HTML only), ``translate-pipeline
review`` runs as a command in its own process, ``serve``'s preview (its HTTP
part) serves the sites, and headless Chromium (Debian's, as in
``test_browser.py``) does what a translator does: follows a mark of the
preview to its entry, approves a machine draft with the keyboard alone,
reads the diff of a stale entry, edits and approves it. The catalogs on disk
are compared byte for byte, and a new publish shows both passages unmarked.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect, sync_playwright

from conftest import copy_sample, first_line, po_path
from conftest_browser import CHROMIUM, CHROMIUM_ARGS
from translate_pipeline.cli import run
from translate_pipeline.review.state import PREVIEW_PATH
from translate_pipeline.publishing.server import _http

pytestmark = pytest.mark.browser

MACHINE = ("actualites", "Actualités", "News")
STALE = ("collectif", "Trois groupes de travail se réunissent tous les deux mois\u00a0:")
EDITED = "Three working groups meet every two months:"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    project = copy_sample(tmp_path_factory.mktemp("review-browser") / "sample")
    assert run(["-C", str(project), "publish", "--quiet", "--no-pdf"]) == 0
    return project


@pytest.fixture(scope="module")
def review_url(root) -> Iterator[str]:
    """The address ``translate-pipeline review`` prints (the command runs until the module ends)."""
    process = subprocess.Popen([sys.executable, "-m", "translate_pipeline", "-C", str(root), "review", "--no-browser"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = first_line(process.stdout)
    found = re.search(r"http://127\.0\.0\.1:\d+/\S+/", line)
    if found is None:
        process.kill()
        pytest.fail(f"review printed no address: {line!r} {process.stderr.read()}")
    yield found.group(0)
    process.send_signal(2)
    process.communicate(timeout=30)
    assert process.returncode == 130


@pytest.fixture(scope="module")
def preview(root, review_url) -> Iterator[str]:
    """``serve``'s preview of the sites (started before the browser: it forks)."""
    said: list[str] = []
    with _http(root / "_build" / "site", 0, said.append):
        yield re.search(r"http://127\.0\.0\.1:\d+/", said[0]).group(0)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def published(root) -> Iterator[str]:
    """The same sites served as any web server serves a published site."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root / "_build" / "site")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(preview) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def title_mark(page: Page):
    return page.locator("h1 .tp-title-mark")


def test_a_mark_of_the_preview_links_to_its_entry_and_the_published_site_has_no_such_link(page, preview, published, root):
    with page.expect_response(lambda response: PREVIEW_PATH in response.url) as answered:
        page.goto(published + "en/actualites.html")
    assert answered.value.status == 404  # a published site answers nothing there
    expect(page.locator(".tp-label-machine").first).to_be_visible()
    assert page.locator("a.tp-review-link").count() == 0
    for html in (root / "_build" / "site").rglob("*.html"):
        assert "tp-review-link" not in html.read_text(encoding="utf-8")

    page.goto(preview + "en/actualites.html")
    link = page.locator(".tp-mark").filter(has_text="This page announces").get_by_role("link", name="Review this passage")
    link.click()
    expect(page.locator("p.text[lang=fr]")).to_contain_text("Cette page annonce les prochains rendez-vous")
    expect(page.locator(".badge")).to_have_text("machine")

    page.goto(preview + "en/actualites.html")  # a marked title links to its entry too
    page.locator("h1.tp-mark + .tp-review-title").get_by_role("link", name="Review this passage").click()
    expect(page.locator("p.text[lang=fr]")).to_have_text(MACHINE[1])


def test_a_translator_approves_a_draft_by_keyboard_then_edits_and_approves_a_stale_entry(page, review_url, root):
    machine_po, stale_po = po_path(root, MACHINE[0]), po_path(root, STALE[0])
    machine_before, stale_before = machine_po.read_text(encoding="utf-8"), stale_po.read_text(encoding="utf-8")

    # From the printed address, by keyboard alone: to the catalog of machine drafts, approve the first.
    page.goto(review_url)
    expect(page.get_by_role("heading", name="What needs review")).to_be_visible()
    target = page.locator("tr[data-catalog='en/actualites'] a")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest(\"tr[data-catalog='en/actualites']\") !== null"):
            break
    else:
        pytest.fail("the catalog's Review link cannot be reached with Tab")
    expect(target).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("p.text[lang=fr]")).to_have_text(MACHINE[1])
    page.wait_for_load_state()  # the page's script (its keys) has run
    expect(page.get_by_role("textbox", name="Translation (English)", exact=True)).to_have_value(MACHINE[2])
    for name in ("Approve", "Save draft", "Suggest", "Clear"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Next")).to_be_visible()
    page.keyboard.press("Alt+E")
    expect(page.locator("#editor")).to_be_focused()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status")).to_have_text("Approved.")
    source = page.locator("p.text[lang=fr]")
    expect(source).not_to_have_text(MACHINE[1])  # on to the next draft
    here = source.inner_text()
    page.wait_for_load_state()
    page.keyboard.press("Alt+N")
    expect(source).not_to_have_text(here)
    page.wait_for_load_state()
    page.keyboard.press("Alt+P")
    expect(source).to_have_text(here)

    # A stale entry: what changed in the French, then an edit checked as it is typed, approved.
    page.goto(review_url)
    page.locator("tr[data-catalog='en/collectif'] a").click()
    expect(page.locator(".badge")).to_have_text("stale")
    expect(page.locator(".diff del").first).to_have_text("chaque")
    expect(page.locator(".diff ins").first).to_have_text("tous")
    expect(page.locator(".reviewed")).to_have_text("Three working groups meet every quarter:")
    editor = page.locator("#editor")
    editor.fill("Four working groups meet every two months:")
    expect(page.locator("#checks")).to_contain_text("numbers differ")
    editor.fill(EDITED)
    expect(page.locator("#checks li")).to_have_count(0)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Approved.")

    # On disk: each entry reviewed and clean, every other byte as it was.
    assert machine_po.read_text(encoding="utf-8") == machine_before.replace(
        '# draft: deepl 2026-11-20 #ba8857ea\n#: source/fr/actualites.md:3\n#, fuzzy\nmsgid "Actualités"',
        '#: source/fr/actualites.md:3\nmsgid "Actualités"')
    old = ('# stale: French changed on 2026-11-26\n#: source/fr/collectif.rst:52\n#, fuzzy\n'
           '#| msgid "Trois groupes de travail se réunissent chaque trimestre\u00a0:"\n'
           f'msgid "{STALE[1]}"\nmsgstr "Three working groups meet every quarter:"')
    assert old in stale_before
    assert stale_po.read_text(encoding="utf-8") == stale_before.replace(
        old, f'#: source/fr/collectif.rst:52\nmsgid "{STALE[1]}"\nmsgstr "{EDITED}"')

    # Published again: neither passage is marked any more; the others still are.
    assert run(["-C", str(root), "publish", "--quiet", "--no-pdf"]) == 0
    site = root / "_build" / "site" / "en"
    news = BeautifulSoup((site / "actualites.html").read_text(encoding="utf-8"), "html.parser")
    assert news.select_one("h1").get_text().startswith(MACHINE[2])
    assert news.select_one("h1 .tp-title-mark") is None
    assert news.select(".tp-mark.tp-machine")  # the drafts not reviewed yet keep their mark
    collective = BeautifulSoup((site / "collectif.html").read_text(encoding="utf-8"), "html.parser")
    passage = next(p for p in collective.select("p") if EDITED in p.get_text())
    assert "tp-mark" not in passage.get("class", []) and passage.select(".tp-label") == []


def test_the_page_fits_a_phone_and_follows_a_dark_theme(browser, review_url):
    context = browser.new_context(viewport={"width": 375, "height": 800}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(review_url + "work?lang=en&doc=actualites")
        source, editor = page.locator("section.source").bounding_box(), page.locator("#editor").bounding_box()
        assert editor["y"] > source["y"] + source["height"] - 1  # one column: the editor under the original
        assert editor["x"] + editor["width"] <= 375
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert sum(int(v) for v in re.findall(r"\d+", background)[:3]) < 150  # dark
    finally:
        context.close()
