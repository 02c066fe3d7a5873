"""The language switch with each theme the tool supports, in a real browser.

The test project ``tests/roots/publish`` is copied once per theme, its
``conf.py`` given ``html_theme``, and published (HTML only). In Chromium, at
a desktop's and a phone's width, the switch to the other language is on the
screen when the page opens, nothing covers it (the element at its centre is
the link), its items have no list bullets, and a click lands on the same
page in the other language. ``classic`` stands for any other theme (the
fallback: a line at the top of the content).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from translate_pipeline.cli import run

from test_browser import CHROMIUM_ARGS, _QuietHandler, browser  # noqa: F401 - the browser fixture

ROOT = Path(__file__).parent / "roots" / "publish"
PAGE = "rapports/reunion.html"
THEMES = ["furo", "sphinx_rtd_theme", "sphinx_book_theme", "alabaster", "classic"]
WIDTHS = [1280, 390]


@pytest.fixture(scope="module", params=THEMES)
def themed_site(request, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(theme, base URL) of the test project published with that theme, served on 127.0.0.1."""
    theme = request.param
    project = tmp_path_factory.mktemp(theme) / "project"
    shutil.copytree(ROOT, project)
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\nhtml_theme = "{theme}"\nhtml_baseurl = ""  # links relative, for the local server\n')
    assert run(["-C", str(project), "publish", "--quiet", "--no-pdf"]) == 0
    site = project / "_build" / "site"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield theme, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


CENTRE_IS_THE_LINK = """(link) => {
    const box = link.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {
        hit: hit ? hit.tagName + "." + hit.className : null,
        ok: !!hit && (hit === link || link.contains(hit)),
        inView: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0
            && box.bottom <= window.innerHeight && box.right <= window.innerWidth,
    };
}"""

BULLETS = """(nav) => [...nav.querySelectorAll("li")].map((li) => [
    getComputedStyle(li).listStyleType,
    getComputedStyle(li, "::before").content,
    getComputedStyle(li, "::after").content,
    getComputedStyle(li).display,
])"""


@pytest.mark.parametrize("width", WIDTHS)
def test_language_switch_is_on_screen_and_clickable(browser, themed_site, width):  # noqa: F811
    theme, base = themed_site
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{base}/en/{PAGE}")
        page.wait_for_load_state("load")
        link = page.locator("#tp-switcher a[hreflang='fr']")
        expect(link).to_have_count(1)
        expect(link).to_be_visible()
        found = link.evaluate(CENTRE_IS_THE_LINK)
        assert found["inView"], f"{theme} at {width}px: the switch is not on the screen when the page opens"
        assert found["ok"], f"{theme} at {width}px: {found['hit']} covers the switch"
        for list_style, before, after, display in link.locator("xpath=ancestor::nav[1]").evaluate(BULLETS):
            assert display == "list-item" and list_style == "none" or display != "list-item", (theme, list_style)
            assert before in ("none", "normal") and after in ("none", "normal"), (theme, before, after)
        link.click()
        page.wait_for_url(f"**/fr/{PAGE}")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
    finally:
        context.close()
