"""The published sample site in a real browser: what a reader sees and does.

The repository's own site (``conf.py``, ``source/``, ``locale/``) is copied
and published once for the module, served over HTTP on 127.0.0.1, and read
in headless Chromium driven by Playwright. The HTML itself is checked by
``test_publish.py``; here the browser runs the pages' script, lays them out
and follows their links: switching language lands on the section the reader
was at, marks and labels are on screen, the root page picks the reader's
language, search finds words by their stem.

Chromium is Debian's (``apt-get install chromium``; ``.ci/run`` installs
it), never a browser Playwright downloads; ``TP_CHROMIUM`` names another
binary. Without one every test here fails, saying so.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect, sync_playwright

from translate_pipeline.cli import run

REPO = Path(__file__).resolve().parents[1]
SAMPLE = ("conf.py", "pyproject.toml", "source", "locale", "glossary")
CHROMIUM = os.environ.get("TP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

REPORT = "rapports/2014-02-reunion-ministre.html"
SECTION = "revendications-des-associations"
HEADING = {"en": "The associations’ demands", "fr": "Revendications des associations"}
LABELS = {  # (site, state) -> what the passage's label says
    ("en", "machine"): "machine translated",
    ("en", "stale"): "Outdated: the French original changed",
    ("en", "untranslated"): "not yet translated",
    ("fr", "untranslated"): "pas encore traduit",
}
ORIGINAL = {"en": "fr", "fr": "en"}  # the language of the pages translated in each site


# -- the site, its server, the browser -------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def site(workdir) -> Path:
    project = workdir / "project"
    project.mkdir()
    for name in SAMPLE:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, project / name)
        else:
            shutil.copy2(REPO / name, project / name)
    assert run(["-C", str(project), "publish", "--quiet", "--no-pdf"]) == 0
    return project / "_build" / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: the browser tests drive Debian's Chromium. "
            "Install it with `apt-get install chromium` (as .ci/run does), "
            "or set TP_CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, base_url) -> Iterator:
    """``open_page(path, **context options)``: the page, in a fresh browser context (empty storage)."""
    contexts = []

    def open_(path: str, **options) -> Page:
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(base_url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


# -- reading a page ------------------------------------------------------------------


def page_with(site: Path, language: str, selector: str) -> str:
    """The path of the first page of the site in ``language`` whose content matches ``selector``."""
    folder = site / language
    for path in sorted(folder.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        if soup.select_one(f"article {selector}") is not None:
            return f"/{language}/{path.relative_to(folder).as_posix()}"
    pytest.fail(f"no page of the sample's {language} site has {selector!r} any more; these tests need one")


def switch_to(page: Page, language: str) -> None:
    page.locator(f"#tp-switcher a[data-tp-language='{language}']").click()


def url_path(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def expect_heading_on_screen(page: Page, section: str, text: str) -> None:
    """Once scrolling has stopped, the section's heading is in the window and nothing covers it."""
    heading = page.locator(f"section#{section} > :is(h1, h2, h3)").first
    expect(heading).to_contain_text(text)
    page.wait_for_function(
        """(section) => {
            const still = window.tpStill || (window.tpStill = {y: -1, frames: 0});
            if (window.scrollY === still.y) still.frames++; else { still.y = window.scrollY; still.frames = 0; }
            if (still.frames < 10) return false;
            const heading = document.querySelector(`section#${section} > :is(h1, h2, h3)`);
            const box = heading.getBoundingClientRect();
            if (box.top < 0 || box.bottom > window.innerHeight) return false;
            const x = box.left + Math.min(24, box.width / 2);
            return [box.top + 2, box.top + box.height / 2, box.bottom - 2]
                .every((y) => heading.contains(document.elementFromPoint(x, y)));
        }""",
        arg=section,
    )


# -- the language switcher -------------------------------------------------------------


def test_switcher_keeps_the_section_from_english_to_french_and_back(open_page):
    page = open_page(f"/en/{REPORT}#{SECTION}")
    expect_heading_on_screen(page, SECTION, HEADING["en"])

    switch_to(page, "fr")
    page.wait_for_url(f"**/fr/{REPORT}#{SECTION}")
    assert url_path(page) == f"/fr/{REPORT}#{SECTION}"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect_heading_on_screen(page, SECTION, HEADING["fr"])

    switch_to(page, "en")
    page.wait_for_url(f"**/en/{REPORT}#{SECTION}")
    assert url_path(page) == f"/en/{REPORT}#{SECTION}"
    expect_heading_on_screen(page, SECTION, HEADING["en"])


def scroll_to(page, section: str) -> None:
    """Scroll as a reader does, until the section's heading is just under the top bar."""
    page.evaluate(
        """(section) => {
            const top = document.getElementById(section).getBoundingClientRect().top + window.scrollY;
            window.scrollTo({top: top - 40, behavior: "instant"});
        }""",
        section,
    )


def test_switcher_keeps_the_section_scrolled_to_without_a_fragment(open_page):
    page = open_page(f"/en/{REPORT}")
    scroll_to(page, SECTION)
    switch_to(page, "fr")
    page.wait_for_url(f"**/fr/{REPORT}#{SECTION}")
    expect_heading_on_screen(page, SECTION, HEADING["fr"])


def test_switcher_follows_the_reader_past_the_section_in_the_address(open_page):
    page = open_page(f"/en/{REPORT}#objet-de-la-reunion")
    page.wait_for_timeout(500)  # the browser's own scroll to the fragment
    scroll_to(page, SECTION)
    switch_to(page, "fr")
    page.wait_for_url(f"**/fr/{REPORT}*")
    assert url_path(page) == f"/fr/{REPORT}#{SECTION}"


def test_switcher_works_without_javascript(open_page):
    for language, other in (("en", "fr"), ("fr", "en")):
        page = open_page(f"/{language}/{REPORT}#{SECTION}", java_script_enabled=False)
        link = page.locator(f"#tp-switcher a[data-tp-language='{other}']")
        expect(link).to_be_visible()
        expect(link).to_have_attribute("hreflang", other)
        link.click()
        page.wait_for_url(f"**/{other}/{REPORT}")
        assert url_path(page) == f"/{other}/{REPORT}"  # the same page; keeping the section needs the script
        expect(page.locator("html")).to_have_attribute("lang", other)
        expect(page.locator(f"section#{SECTION} > h2")).to_contain_text(HEADING[other])


def test_switcher_on_the_search_page_keeps_the_query(open_page):
    page = open_page("/en/search.html?q=MIPROF")
    switch_to(page, "fr")
    page.wait_for_url("**/fr/search.html?q=MIPROF")
    expect(page.locator("#search-results ul.search > li").first).to_be_visible()


# -- marks, labels, banner -------------------------------------------------------------


@pytest.mark.parametrize(("language", "state"), sorted(LABELS))
def test_marked_passages_and_their_labels_are_on_screen(open_page, site, language, state):
    selector = f".tp-mark.tp-{state}:has(> .tp-label)"
    page = open_page(page_with(site, language, selector))
    marks = page.locator(f"article {selector}")
    assert marks.count() > 0
    for mark in marks.all():
        mark.scroll_into_view_if_needed()
        expect(mark).to_be_visible()
        box = mark.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0
        side = mark.evaluate("e => [getComputedStyle(e).borderInlineStartStyle, getComputedStyle(e).borderInlineStartWidth]")
        assert side[0] != "none" and float(side[1].removesuffix("px")) > 0, side  # a line beside the passage
        label = mark.locator("> .tp-label")
        expect(label).to_be_visible()
        label_box = label.bounding_box()
        assert label_box and label_box["width"] > 0 and label_box["height"] > 0
        expect(label).to_contain_text(LABELS[language, state])
        assert label.evaluate("e => e.closest('[lang]').lang") == language  # read in the site's language
        if state == "untranslated":  # the original is shown, and said to be in its language
            expect(mark).to_have_attribute("lang", ORIGINAL[language])
        else:
            assert mark.get_attribute("lang") is None


def test_marked_titles_show_their_label(open_page, site):
    page = open_page(page_with(site, "en", ":is(h1, h2, h3).tp-mark"))
    title = page.locator("article :is(h1, h2, h3).tp-mark").first
    expect(title).to_be_visible()
    state = next(c[3:] for c in title.get_attribute("class").split() if c in ("tp-machine", "tp-stale", "tp-untranslated"))
    shown = title.evaluate("e => getComputedStyle(e, '::after').content")
    assert shown == {"machine": '"machine translated"', "stale": '"outdated"', "untranslated": '"not yet translated"'}[state]


def test_banner_is_on_screen_and_links_to_the_french_original(open_page, site):
    path = page_with(site, "en", "#tp-banner")
    page = open_page(path)
    banner = page.locator("#tp-banner")
    expect(banner).to_be_in_viewport()
    expect(banner).to_contain_text("Translation in progress.")
    counts = banner.locator(".tp-count")
    assert counts.count() > 0
    for count in counts.all():
        expect(count).to_be_visible()
    banner.get_by_role("link", name="Read the French original").click()
    french = path.replace("/en/", "/fr/", 1)
    page.wait_for_url(f"**{french}")
    assert url_path(page) == french
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#tp-banner")).to_have_count(0)


def test_outdated_passage_links_to_the_same_passage_in_french(open_page, site):
    path = page_with(site, "en", ".tp-stale .tp-label a")
    page = open_page(path)
    page.locator("article .tp-stale .tp-label a").first.click()
    page.wait_for_url(re.compile(re.escape(path.replace("/en/", "/fr/", 1)) + r"#tp-[0-9a-f]{10}$"))
    anchor = page.url.split("#", 1)[1]
    passage = page.locator(f"article :has(> #{anchor})")
    expect(passage).to_have_count(1)
    expect(passage).to_be_in_viewport()
    expect(passage).not_to_have_class(re.compile("tp-mark"))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_status_tables_fit_the_page_on_a_laptop_screen(open_page, language):
    page = open_page(f"/{language}/translation-status.html", viewport={"width": 1200, "height": 800})
    tables = page.locator(".tp-status-scroll")
    expect(tables.first).to_be_visible()
    for i in range(tables.count()):
        overflow = tables.nth(i).evaluate("box => box.scrollWidth - box.clientWidth")
        assert overflow <= 0, f"table {i} is {overflow}px wider than the page"


def test_screenshot_of_an_english_page_with_marks(open_page, site, workdir):
    page = open_page(page_with(site, "en", ".tp-stale"))
    path = workdir / "english-page-with-marks.png"
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width >= 1280 and height > 720 and len(data) > 10_000, (path, width, height, len(data))


# -- the root page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "accept", "lands_on"),
    [
        ("en-GB", "en-GB,en;q=0.9", "/en/index.html"),
        ("fr-FR", "fr-FR,fr;q=0.9", "/fr/index.html"),
        ("de-DE", "de-DE,de;q=0.9", "/index.html"),  # no German site: the choice of both is shown
    ],
)
def test_root_page_sends_the_reader_to_their_language(open_page, locale, accept, lands_on):
    page = open_page("/index.html", locale=locale, extra_http_headers={"Accept-Language": accept})
    page.wait_for_url(f"**{lands_on}")
    page.wait_for_load_state()
    assert url_path(page) == lands_on
    if lands_on == "/index.html":
        expect(page.locator("#tp-languages a[hreflang='fr']")).to_be_visible()
        expect(page.locator("#tp-languages a[hreflang='en']")).to_be_visible()
    else:
        expect(page.locator("html")).to_have_attribute("lang", lands_on.split("/")[1])


def test_root_page_remembers_the_language_chosen_with_the_switcher(open_page, base_url):
    page = open_page(f"/en/{REPORT}", locale="en-GB")
    switch_to(page, "fr")
    page.wait_for_url(f"**/fr/{REPORT}")
    page.goto(base_url + "/index.html")
    page.wait_for_url("**/fr/index.html")


def test_root_page_without_javascript_offers_both_sites(open_page):
    for language, text in (("fr", "Lire ce site en français"), ("en", "Read this site in English")):
        page = open_page("/index.html", locale="de-DE", java_script_enabled=False)
        assert url_path(page) == "/index.html"
        expect(page.locator("#tp-languages a")).to_have_count(2)
        link = page.locator(f"#tp-languages a[hreflang='{language}']")
        expect(link).to_be_visible()
        expect(link).to_contain_text(text)
        link.click()
        page.wait_for_url(f"**/{language}/index.html")
        expect(page.locator("html")).to_have_attribute("lang", language)


# -- search ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "typed", "stem", "title"),
    [
        ("en", "meetings", "meeting", "General meeting of 23 June 2016"),
        ("fr", "réunions", "réunion", "Réunion avec la ministre des Droits des femmes (février 2014)"),
    ],
)
def test_search_finds_words_by_their_stem(open_page, language, typed, stem, title):
    page = open_page(f"/{language}/index.html")
    page.locator("form[role='search'] input[name='q']").fill(typed)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/{language}/search\.html\?q="))
    found = page.locator("#search-results ul.search > li > a", has_text=title)
    expect(found).to_have_count(1)
    href = found.get_attribute("href").split("?")[0].split("#")[0]
    found.click()
    page.wait_for_url(re.compile(rf"/{language}/{re.escape(href)}\b"))
    text = page.locator("article").inner_text()
    assert re.search(rf"\b{stem}\b", text, re.I), text[:300]
    assert not re.search(rf"\b{typed}\b", text, re.I)  # found by its stem, not by the word typed


# -- every text in the reader's language, or saying its own ------------------------------

UNMARKED = """({texts, other, skipMain}) => {
    /* text nodes, and alt/title/content attributes, that are (part of) a message of the
       other language not published in this site, with no lang of that language above */
    const found = [];
    const foreign = (text) => texts.some((message) => message.includes(text));
    const outside = (element) => !skipMain || !element.closest("[role=main]");
    const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
    let marked = 0;
    while (walker.nextNode()) {
        const text = walker.currentNode.data.replace(/\\s+/g, " ").trim();
        const element = walker.currentNode.parentElement;
        if (text.length < 8 || !text.includes(" ") || !element || element.closest("script, style")) continue;
        if (!outside(element) || !foreign(text)) continue;
        const lang = element.closest("[lang]");
        if (lang && lang.lang === other) { marked++; continue; }
        found.push(`${element.tagName.toLowerCase()}.${element.className}: ${text.slice(0, 70)}`);
    }
    for (const element of document.querySelectorAll("[alt], [title], meta[content]")) {
        for (const name of ["alt", "title", "content"]) {
            const text = (element.getAttribute(name) || "").trim();
            if (text.length < 8 || !outside(element) || !foreign(text)) continue;
            const lang = element.closest("[lang]");
            if (lang && lang.lang === other) { marked++; continue; }
            found.push(`${element.tagName.toLowerCase()}[${name}]: ${text.slice(0, 70)}`);
        }
    }
    return {found, marked};
}"""


def _unpublished(project: Path, language: str) -> list[str]:
    """The messages of the catalogs of ``language`` that its site shows in the original (no translation)."""
    import polib

    texts = set()
    for path in sorted((project / "locale" / language / "LC_MESSAGES").rglob("*.po")):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and not entry.msgstr:
                texts.add(" ".join(entry.msgid.split()))
    return sorted(texts)


def test_no_text_of_the_other_language_without_its_lang_on_any_page(open_page, site):
    project = site.parents[1]
    marked = 0
    for language, other in (("en", "fr"), ("fr", "en")):
        texts = _unpublished(project, language)
        assert texts, f"the sample's {language} catalogs have no untranslated entry: this test checks nothing"
        translated = {p.relative_to(project / "locale" / language / "LC_MESSAGES").with_suffix(".html").as_posix()
                      for p in (project / "locale" / language / "LC_MESSAGES").rglob("*.po")}
        page = open_page(f"/{language}/index.html")
        for path in sorted((site / language).rglob("*.html")):
            relative = path.relative_to(site / language).as_posix()
            page.goto(re.sub(r"/[^/]+/index\.html$", "", page.url) + f"/{language}/{relative}")
            # a page written in this site's language: what it quotes of the other is its own text
            original = relative not in translated and relative not in ("genindex.html", "search.html",
                                                                          "translation-status.html")
            result = page.evaluate(UNMARKED, {"texts": texts, "other": other, "skipMain": original})
            assert result["found"] == [], f"/{language}/{relative}: {other} text without lang={other!r}"
            marked += result["marked"]
    assert marked > 0  # the French shown untranslated is found, and found marked


def test_untranslated_titles_are_marked_in_the_contents_and_navigation(open_page, site):
    page = open_page(page_with(site, "en", "h2.tp-untranslated"))
    entries = page.locator(".toc-tree .tp-title-mark.tp-untranslated, .sidebar-tree .tp-title-mark.tp-untranslated")
    assert entries.count() > 0
    for entry in entries.all():
        expect(entry).to_have_attribute("lang", "fr")
        shown = entry.evaluate("e => [getComputedStyle(e, '::after').content, getComputedStyle(e).textDecorationLine]")
        assert shown == ['"not yet translated"', "underline"], shown


def test_the_site_name_is_in_the_language_of_each_site(open_page):
    names = {"en": "Collective against Trafficking in Human Beings", "fr": "Collectif contre la traite des êtres humains"}
    for language in ("en", "fr"):
        page = open_page(f"/{language}/collectif.html")
        assert page.title().endswith(f" - {names[language]}"), page.title()
        expect(page.locator(".sidebar-brand-text")).to_have_text(names[language])
        expect(page.locator(".copyright")).to_contain_text(f"2014-2018, {names[language]}")
    chooser = open_page("/index.html", locale="de-DE", java_script_enabled=False)
    for language, name in names.items():
        expect(chooser.locator(f"h1 [lang='{language}']")).to_have_text(name)


def test_the_french_site_has_no_english_theme_words(open_page):
    page = open_page("/fr/collectif.html")
    text = page.evaluate("() => document.body.textContent.replace(/\\\\s+/g, ' ')")
    for english in ("Skip to content", "Back to top", "Made with", "On this page", "Next", "Previous", "Search"):
        assert english not in text, english
    for french in ("Aller au contenu", "Retour en haut", "Fait avec", "Sur cette page", "Suivant", "Précédent"):
        assert french in text, french


@pytest.mark.parametrize("language", ["en", "fr"])
def test_skip_to_content_is_the_first_tab_stop(open_page, language):
    page = open_page(f"/{language}/{REPORT}")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert "skip-to-content" in focused[0], focused
    page.keyboard.press("Enter")
    expect(page.locator("#furo-main-content")).to_be_in_viewport()


def test_dates_are_written_for_british_readers_in_english(open_page, site):
    page = open_page(page_with(site, "en", ".tp-label-stale"))
    label = page.locator("article .tp-label-stale").first.inner_text()
    assert re.search(r"changed on \d{1,2} (January|February|March|April|May|June|July|August|September|October"
                     r"|November|December) \d{4}\.", label), label
    status = open_page("/en/translation-status.html").locator(".tp-status-stale li").first.inner_text()
    assert re.search(r"The original changed on \d{1,2} [A-Z][a-z]+ \d{4}\.", status), status


def test_a_table_row_says_each_state_once(open_page, site):
    page = open_page(page_with(site, "en", "table .tp-untranslated"))
    rows = page.locator("article table tr:has(.tp-mark)")
    assert rows.count() > 1
    for row in rows.all():
        labels = row.evaluate("r => [...r.querySelectorAll('.tp-label:not(.tp-label-stale)')].map(l => l.className)")
        assert len(labels) == len(set(labels)), labels  # one label per state
        assert labels or row.locator(".tp-label-stale").count()
        for cell in row.locator(".tp-mark.tp-untranslated").all():  # every cell still marked, and its language said
            expect(cell).to_have_attribute("lang", "fr")
            assert cell.evaluate("e => getComputedStyle(e).borderInlineStartStyle") != "none"


def test_the_news_table_fits_a_phone(open_page, site):
    page = open_page(page_with(site, "en", "table .tp-untranslated"), viewport={"width": 390, "height": 844})
    for table in page.locator("article table").all():
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        wrapper = table.evaluate("t => { const w = t.closest('.table-wrapper') || t.parentElement; "
                                 "return w.scrollWidth - w.clientWidth; }")
        assert wrapper <= 0, f"the table scrolls sideways by {wrapper}px"


def test_the_status_page_document_column_is_the_widest(open_page):
    page = open_page("/en/translation-status.html", viewport={"width": 1280, "height": 800})
    widths = page.locator(".tp-status-table").first.evaluate(
        "t => [...t.querySelector('thead tr').children].map(th => th.getBoundingClientRect().width)")
    assert widths[0] == max(widths) and widths[0] >= 200, widths


@pytest.mark.parametrize("width", [1280, 390])
def test_the_root_chooser_buttons_are_the_same_width(open_page, width):
    page = open_page("/index.html", locale="de-DE", java_script_enabled=False, viewport={"width": width, "height": 800})
    boxes = [link.bounding_box() for link in page.locator("#tp-languages a").all()]
    assert len(boxes) == 2 and all(boxes)
    assert abs(boxes[0]["width"] - boxes[1]["width"]) < 1, boxes
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes), boxes
