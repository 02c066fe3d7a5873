"""``publish`` on a small bilingual project: what readers see in the built HTML.

One site is built for the whole module (tests/roots/publish): its catalogs
hold one passage in each state. Tests read the HTML as a reader's browser
would, with BeautifulSoup.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOTS

from translate_pipeline.publishing.publish import publish
from translate_pipeline.project.settings import load_project

pytestmark = pytest.mark.pdf  # the module's site is published with its PDFs (test_pdf.py reads them)

BASE = "https://collectif.example.org/"
REUNION = "rapports/reunion"
REVIEWED = "The meeting took place at the ministry, in Paris."
MACHINE = "The associations presented their demands."
STALE = "The minister promised an answer before March."
STALE_FR = "La ministre a promis une réponse avant le 7 mars."
UNTRANSLATED_FR = "Mieux identifier les victimes."


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("publish") / "project"
    shutil.copytree(ROOTS / "publish", root)
    result = publish(load_project(root))
    assert [s.language for s in result.sites] == ["fr", "en"]
    assert all(not s.warnings for s in result.sites), [s.warnings for s in result.sites]
    return root


def page(root: Path, language: str, docname: str) -> BeautifulSoup:
    path = root / "_build" / "site" / language / f"{docname}.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def passage(soup: BeautifulSoup, text: str):
    """The element (p, h1..h6) whose own text starts with ``text``."""
    for element in soup.select("article p, article h1, article h2, article h3"):
        label = element.select_one(".tp-label")
        own = element.get_text().replace(label.get_text(), "") if label else element.get_text()
        if own.strip().replace("¶", "").startswith(text):
            return element
    raise AssertionError(f"no passage {text!r}")


def classes(element) -> list[str]:
    return element.get("class", [])


def test_the_same_pages_exist_in_both_sites(site):
    for language in ("fr", "en"):
        built = {p.relative_to(site / "_build/site" / language).as_posix()
                 for p in (site / "_build/site" / language).rglob("*.html")}
        assert {"index.html", "rapports/reunion.html", "brouillon.html", "about.html",
                "search.html", "genindex.html", "translation-status.html"} <= built


def test_html_lang_is_the_language_of_the_site(site):
    assert page(site, "fr", REUNION).html["lang"] == "fr"
    assert page(site, "en", REUNION).html["lang"] == "en"


def test_reviewed_translation_is_shown_as_is(site):
    element = passage(page(site, "en", REUNION), REVIEWED)
    assert "tp-mark" not in classes(element)
    assert element.select_one(".tp-label") is None
    assert not element.has_attr("lang")


def test_machine_draft_is_shown_with_a_mark(site):
    element = passage(page(site, "en", REUNION), MACHINE)
    assert {"tp-mark", "tp-machine"} <= set(classes(element))
    assert element.select_one(".tp-label.tp-label-machine").get_text() == "machine translated"


def test_machine_mark_on_a_table_cell(site):
    cells = page(site, "en", REUNION).select("td p.tp-machine")
    assert [cell.get_text() for cell in cells] == ["Insufficientmachine translated"]


def test_stale_shows_the_last_reviewed_english_with_date_and_link_to_the_french(site):
    soup = page(site, "en", REUNION)
    element = passage(soup, STALE)
    assert {"tp-mark", "tp-stale"} <= set(classes(element))
    label = element.select_one(".tp-label-stale")
    assert "the French original changed on 12 March 2024" in label.get_text()
    link = label.find("a")
    href = link["href"]
    assert href.startswith("../../fr/rapports/reunion.html#tp-")
    anchor = href.split("#")[1]
    french = page(site, "fr", REUNION).find(id=anchor)
    assert french is not None and french.parent.get_text().startswith(STALE_FR)
    assert element.find(id=anchor) is not None  # the same anchor in both languages


def test_untranslated_is_the_french_marked_with_its_language(site):
    soup = page(site, "en", REUNION)
    item = passage(soup, UNTRANSLATED_FR)
    assert item.parent.name == "li"
    assert {"tp-mark", "tp-untranslated"} <= set(classes(item))
    assert item["lang"] == "fr"
    label = item.select_one(".tp-label-untranslated")
    assert label.get_text() == "not yet translated"
    assert label["lang"] == "en"  # the label itself is in the page's language
    title = passage(soup, "Suite de la réunion")
    assert title.name == "h2" and title["lang"] == "fr"
    assert "tp-untranslated" in classes(title)


def test_untranslated_image_text_says_its_language(site):
    english = page(site, "en", REUNION).select_one("article img")
    assert english["alt"] == "Une chaîne brisée dans un cercle" and english["lang"] == "fr"
    french = page(site, "fr", REUNION).select_one("article img")
    assert french["alt"] == english["alt"] and not french.has_attr("lang")


def test_titles_carry_their_label_in_the_page_language(site):
    head = str(page(site, "en", REUNION).head)
    assert '--tp-label-untranslated:"not yet translated"' in head
    assert '--tp-label-untranslated:"pas encore traduit"' in str(page(site, "fr", "about").head)


def test_banner_with_counts_and_link_to_the_original(site):
    soup = page(site, "en", REUNION)
    banner = soup.find(id="tp-banner")
    assert banner is not None
    assert "no-search" in classes(banner)
    text = " ".join(banner.get_text().split())
    assert "Passages reviewed: 7 of 13." in text  # the image's text is one of them
    assert "machine translated: 2" in text and "outdated: 1" in text and "not yet translated: 3" in text
    assert banner.find("a", class_="tp-original-link")["href"] == "../../fr/rapports/reunion.html"
    # it opens the page: right after the title
    assert banner.find_previous_sibling().name == "h1"


def test_a_page_whose_text_is_reviewed_has_no_mark_and_a_banner_for_the_site_name_only(site):
    soup = page(site, "en", "index")
    assert not soup.select(".tp-mark")
    # the site's name, an entry of the home page's catalog not yet translated, is all its banner counts
    banner = " ".join(soup.find(id="tp-banner").get_text().split())
    assert re.search(r"Passages reviewed: (\d+) of (\d+)\.", banner).group(1, 2) == ("4", "5")
    assert "not yet translated: 1" in banner and "machine translated" not in banner and "outdated" not in banner


def test_originals_have_no_mark_but_the_same_anchors(site):
    french = page(site, "fr", REUNION)
    english = page(site, "en", REUNION)
    assert not french.select(".tp-mark") and french.find(id="tp-banner") is None
    anchors = lambda soup: [s["id"] for s in soup.select("span.tp-anchor")]  # noqa: E731
    assert anchors(french) == anchors(english) and len(anchors(french)) == 10


def test_section_ids_come_from_the_original_text_in_both_languages(site):
    ids = lambda soup: [s["id"] for s in soup.select("article section[id]")]  # noqa: E731
    assert ids(page(site, "en", REUNION)) == ids(page(site, "fr", REUNION)) == [
        "reunion-de-fevrier-2014", "suite-de-la-reunion"]
    assert ids(page(site, "en", "index")) == ids(page(site, "fr", "index"))


def test_alternate_links_with_x_default(site):
    for language in ("fr", "en"):
        links = {link["hreflang"]: link["href"] for link in page(site, language, REUNION).select('link[rel="alternate"]')}
        assert links == {
            "fr": f"{BASE}fr/rapports/reunion.html",
            "en": f"{BASE}en/rapports/reunion.html",
            "x-default": f"{BASE}fr/rapports/reunion.html",  # the original
        }
    links = {link["hreflang"]: link["href"] for link in page(site, "fr", "about").select('link[rel="alternate"]')}
    assert links["x-default"] == f"{BASE}en/about.html"  # written in English


def test_switcher_goes_to_the_same_page_in_the_other_language(site):
    for language, other in (("fr", "en"), ("en", "fr")):
        switcher = page(site, language, REUNION).find(id="tp-switcher")
        assert switcher.name == "nav"
        link = switcher.find("a", attrs={"data-tp-language": other})
        assert link["href"] == f"{BASE}{other}/rapports/reunion.html"
        assert link["hreflang"] == other == link["lang"]
        current = switcher.find(attrs={"aria-current": "page"})
        assert current["lang"] == language
    labels = [a.get_text() for a in page(site, "en", "index").find(id="tp-switcher").find_all(["a", "span"])]
    assert labels == ["Français", "English"]


def test_switcher_is_on_every_page_and_keeps_the_section_with_script(site):
    for name in ("index", "search", "genindex", "translation-status", "about"):
        assert page(site, "en", name).find(id="tp-switcher") is not None, name
    script = (site / "_build/site/en/_static/translate-pipeline.js").read_text()
    assert "location.hash" in script
    assert 'src="../_static/translate-pipeline.js"' in str(page(site, "en", REUNION))


def test_sitemap_lists_every_page_with_its_alternates(site):
    tree = ET.parse(site / "_build/site/sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {url.find("s:loc", ns).text: url for url in tree.getroot().findall("s:url", ns)}
    for docname in ("index", REUNION, "brouillon", "about"):
        for language in ("fr", "en"):
            loc = f"{BASE}{language}/{docname}.html"
            assert loc in urls
            alternates = {link.get("hreflang"): link.get("href") for link in urls[loc].findall("x:link", ns)}
            assert alternates["fr"] == f"{BASE}fr/{docname}.html"
            assert alternates["en"] == f"{BASE}en/{docname}.html"
            assert alternates["x-default"] == f"{BASE}{'en' if docname == 'about' else 'fr'}/{docname}.html"
    assert len(urls) == 8


def test_root_page_offers_both_languages_without_script(site):
    soup = BeautifulSoup((site / "_build/site/index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["hreflang"]: a for a in soup.select("#tp-languages a")}
    assert links["fr"]["href"] == "fr/index.html" and links["en"]["href"] == "en/index.html"
    assert "Français" in links["fr"].get_text() and "Lire ce site en français" in links["fr"].get_text()
    assert "Read this site in English" in links["en"].get_text()
    script = soup.find("script").string
    assert "navigator.languages" in script and "location.replace" in script


def test_english_page_is_shown_as_is_in_english_and_translated_in_french(site):
    english = page(site, "en", "about")
    assert not english.select(".tp-mark") and english.find(id="tp-banner") is None
    french = page(site, "fr", "about")
    assert french.html["lang"] == "fr"
    assert passage(french, "Cette page a été écrite en anglais") is not None
    untranslated = passage(french, "Machine translation is marked on every page.")
    assert untranslated["lang"] == "en"
    assert untranslated.select_one(".tp-label").get_text() == "pas encore traduit"
    banner = " ".join(french.find(id="tp-banner").get_text().split())
    assert "Passages relus : 2 sur 3." in banner and "Lire l’original anglais" in banner
    assert french.find(id="tp-banner").find("a")["href"] == "../en/about.html"


def test_sphinx_and_theme_words_are_in_the_language_of_the_site(site):
    # Each language builds in a process forked from the one that read the
    # French pages: Sphinx's translations must not carry over.
    for language, search in (("fr", "Recherche"), ("en", "Search")):
        box = page(site, language, REUNION).select_one("input[name=q]")
        assert box["placeholder"] == search


def test_search_works_in_each_language(site):
    # English: Snowball's stemmer since Sphinx 9, Porter's in Sphinx 8.2
    for language, stemmers in (("fr", ["FrenchStemmer"]), ("en", ["EnglishStemmer", "Porter Stemmer"])):
        static = site / "_build/site" / language / "_static"
        assert f"LANGUAGE: '{language}'" in (static / "documentation_options.js").read_text()
        data = (static / "language_data.js").read_text()
        assert any(stemmer in data for stemmer in stemmers), (language, data[:300])
    index = (site / "_build/site/en/searchindex.js").read_text(encoding="utf-8")
    assert '"minist"' in index  # the English text, stemmed
    assert "outdat" not in index  # the marks are not indexed


def test_status_page_shows_the_numbers_of_status_json(site, tp):
    result = tp("-C", site, "status", "--json")
    assert result.code == 0
    expected = json.loads(result.out)
    for language in ("fr", "en"):
        soup = page(site, language, "translation-status")
        for item in expected["catalogs"]:
            row = soup.find("tr", attrs={"data-catalog": f"{item['language']}/{item['domain']}"})
            shown = {td["data-state"]: int(td.get_text()) for td in row.find_all("td", attrs={"data-state": True})}
            assert shown == item["entries"]
            assert float(row.find("td", attrs={"data-reviewed-percent": True})["data-reviewed-percent"]) == item["reviewed_percent"]
        for lang, totals in expected["totals"].items():
            row = soup.find("tr", attrs={"data-total-language": lang})
            shown = {td["data-state"]: int(td.get_text()) for td in row.find_all("td", attrs={"data-state": True})}
            assert shown == totals["entries"]
        assert soup.find("svg", class_="tp-bar") is not None


def test_status_page_links_each_stale_entry_to_its_passage(site):
    soup = page(site, "fr", "translation-status")
    links = soup.select("a.tp-status-stale-link")
    assert len(links) == 1
    href = links[0]["href"]
    assert re.fullmatch(r"\.\./en/rapports/reunion\.html#tp-[0-9a-f]{10}", href)
    english = page(site, "en", REUNION)
    assert passage(english, STALE).find(id=href.split("#")[1]) is not None


def test_a_second_publish_reads_nothing_again(site):
    result = publish(load_project(site))
    assert [(s.language, s.read) for s in result.sites] == [("fr", 0), ("en", 0)]
    assert result.sites[1].marks == {"machine": 2, "stale": 1, "untranslated": 6}  # 5 passages and the site's name
