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

import configparser
import html.parser
import importlib.util
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Comment
from conftest_browser import served_folder
from playwright.sync_api import expect

from translate_pipeline.cli import run

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parent / "roots" / "publish"
PAGE = "rapports/reunion.html"
THEMES = ["furo", "sphinx_rtd_theme", "sphinx_book_theme", "pydata_sphinx_theme", "alabaster", "classic"]
WIDTHS = [1280, 390]


@pytest.fixture(scope="module", params=THEMES)
def themed_site(request, tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    """(theme, base URL, folder) of the test project published with that theme, served on 127.0.0.1."""
    theme = request.param
    project = tmp_path_factory.mktemp(theme) / "project"
    shutil.copytree(ROOT, project)
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\nhtml_theme = "{theme}"\nhtml_baseurl = ""  # links relative, for the local server\n')
    assert run(["-C", str(project), "publish", "--quiet", "--no-pdf"]) == 0
    site = project / "_build" / "site"
    with served_folder(site) as url:
        yield theme, url, site


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
def test_language_switch_is_on_screen_and_clickable(browser, themed_site, width):
    theme, base, _site = themed_site
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


# -- the theme's own words in French; the site's name with its lang ------------------------

# The templates each theme is made of: its own folder, those it inherits (Sphinx's
# ``basic`` last), as (package, folder inside it).
THEME_TEMPLATES = {
    "furo": [("furo", "theme/furo"), ("sphinx_basic_ng", "theme/basic-ng")],
    "sphinx_rtd_theme": [("sphinx_rtd_theme", "")],
    "sphinx_book_theme": [("sphinx_book_theme", "theme/sphinx_book_theme"),
                          ("pydata_sphinx_theme", "theme/pydata_sphinx_theme")],
    "pydata_sphinx_theme": [("pydata_sphinx_theme", "theme/pydata_sphinx_theme")],
    "alabaster": [("alabaster", "")],
    "classic": [("sphinx", "themes/classic")],
}
# Words of the templates that French writes the same way (names, and words French shares).
SAME_IN_FRENCH = {"Sphinx", "Furo", "@pradyunsg", "Alabaster", "Read the Docs", "GitHub", "PyData Sphinx Theme", "Ctrl",
                  "Menu", "Navigation", "Index", "index", "Logo", "Page", "Versions", "versions", "Document", "Total",
                  "Copyright", "Pages", "Notes", "Source", "Documentation"}
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_MESSAGE = re.compile(r"""\b_\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\)""")
_TRANS = re.compile(r"\{%-?\s*trans\b.*?%\}(.*?)\{%-?\s*endtrans\s*-?%\}", re.S)
READER_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


class _TemplateWords(html.parser.HTMLParser):
    """The literal words of a template: attributes a reader hears or sees, and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        for name, value in attrs:
            if name in READER_ATTRIBUTES and value:
                self.found.update(_pieces(value))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.found.update(_pieces(data))


def _pieces(text: str) -> list[str]:
    """The stretches of words between the template's Jinja constructs (marked NUL)."""
    pieces = (" ".join(piece.split()) for piece in re.split(r"\x00|%\(\w+\)s", text))
    return [piece for piece in pieces if re.search(r"[A-Za-z]{2}", piece) and "://" not in piece]


def theme_english(theme: str) -> set[str]:
    """Every English text the theme's templates can put on a page: literal or through ``_()``/``{% trans %}``."""
    folders = [(package, inside) for package, inside in THEME_TEMPLATES[theme]] + [("sphinx", "themes/basic")]
    words: set[str] = set()
    for package, inside in folders:
        root = Path(importlib.util.find_spec(package).submodule_search_locations[0]) / inside
        templates = sorted(root.rglob("*.html"))
        assert templates, root
        for template in templates:
            source = template.read_text(encoding="utf-8")
            for message in _MESSAGE.finditer(source):
                words.update(_pieces(message.group(1) or message.group(2) or ""))
            for block in _TRANS.finditer(source):
                words.update(_pieces(_JINJA.sub("\x00", block.group(1))))
            parser = _TemplateWords()
            parser.feed(_JINJA.sub("\x00", source))
            words.update(parser.found)
        words.update(_option_texts(root))
    words.update(_sphinx_default_texts())
    return {word for word in words if word not in SAME_IN_FRENCH}


def _sphinx_default_texts() -> list[str]:
    """Sphinx's English defaults of its text settings ("Author name not set"), which themes print."""
    from sphinx.config import Config

    defaults = (getattr(option, "default", None) for option in Config.config_values.values())
    return [d for d in defaults if isinstance(d, str) and re.fullmatch(r"[A-Za-z]+( [A-Za-z.]+)+", d)]


def _option_texts(root: Path) -> list[str]:
    """The defaults of the theme's options that are texts (words and spaces), which a template may print."""
    values: list[object] = []
    if (root / "theme.conf").is_file():
        conf = configparser.RawConfigParser()
        conf.read(root / "theme.conf", encoding="utf-8")
        values = list(conf["options"].values()) if conf.has_section("options") else []
    elif (root / "theme.toml").is_file():
        values = list(tomllib.loads((root / "theme.toml").read_text(encoding="utf-8")).get("options", {}).values())
    return [value.strip() for value in values if isinstance(value, str) and re.fullmatch(r"[A-Za-z]+( [A-Za-z.]+)+", value.strip())]


def reader_texts(page: Path, language: str) -> Iterator[str]:
    """The texts and reader attributes of a page that are in ``language`` (no other ``lang`` above them)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for element in soup.find_all(True):
        if element.name in ("script", "style") or element.find_parent(["script", "style"]):
            continue
        holder = element if element.has_attr("lang") else element.find_parent(attrs={"lang": True})
        if holder is not None and holder["lang"] != language:
            continue
        for name in READER_ATTRIBUTES:
            if element.get(name):
                yield " ".join(str(element[name]).split())
        for text in element.find_all(string=True, recursive=False):
            if not isinstance(text, Comment) and text.strip():
                yield " ".join(text.split())


def test_the_french_pages_hold_none_of_the_themes_english(themed_site):
    theme, _base, site = themed_site
    if theme not in THEME_TEMPLATES:
        pytest.skip(f"no templates listed for {theme}")
    english = theme_english(theme)
    assert {"Skip to content", "Next", "Toggle site navigation sidebar", "Powered by", "Search"} & english
    patterns = {word: re.compile(rf"(?<!\w){re.escape(word)}(?!\w)") for word in english}
    found = {}
    pages = sorted((site / "fr").rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        for text in reader_texts(page, "fr"):
            for word, pattern in patterns.items():
                if pattern.search(text):
                    found.setdefault(word, f"{page.relative_to(site).as_posix()}: {text[:80]}")
    assert found == {}, f"{theme}: English of the theme on French pages"


def test_an_untranslated_site_name_has_its_lang_wherever_the_page_shows_it(themed_site):
    theme, _base, site = themed_site
    shown = 0
    for page in sorted((site / "en").rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for text in soup.find_all(string=re.compile("Collectif de test")):
            element = text.parent
            if isinstance(text, Comment) or element.name in ("script", "style"):
                continue
            holder = element if element.has_attr("lang") else element.find_parent(attrs={"lang": True})
            assert holder is not None and holder["lang"] == "fr", \
                f"{theme}: {page.relative_to(site).as_posix()}: <{element.name} class={element.get('class')}>{text.strip()}"
            shown += 1
    assert shown > 0, f"{theme}: the site's name is nowhere on the English pages"
