"""What a reader sees is in their language: site names, captions, dates in the readers' locale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from translate_pipeline.catalogs import sitename
from translate_pipeline.catalogs.extract import Document, Message
from translate_pipeline.sphinx.site import reader_locales
from translate_pipeline.project.settings import Settings
from translate_pipeline.wording import Wording, reader_locale

from conftest import entries, po_path, translate


@pytest.mark.parametrize(
    ("language", "variants", "expected", "date"),
    [
        ("en", ["EN-GB"], "en_GB", "26 November 2026"),
        ("en", ["EN-US"], "en_US", "November 26, 2026"),
        ("fr", ["EN-GB"], "fr", "26 novembre 2026"),
        ("pt", ["PT-BR"], "pt_BR", "26 de novembro de 2026"),
    ],
)
def test_dates_follow_the_readers_locale(language, variants, expected, date):
    assert reader_locale(language, variants) == expected
    assert Wording(language, reader_locale(language, variants)).date("2026-11-26") == date


def test_the_sites_locales_come_from_the_target_variant():
    assert reader_locales(Settings()) == {"fr": "fr", "en": "en_GB"}
    assert reader_locales(Settings(deepl_target_variant="EN-US")) == {"fr": "fr", "en": "en_US"}


def test_names_set_in_conf_py_are_messages_at_their_line(tmp_path):
    conf = tmp_path / "conf.py"
    conf.write_text('project = "Le Collectif"\nlanguage = "fr"\nauthor = "Le Collectif"\n'
                    'copyright = "2024, Le Collectif"\n', encoding="utf-8")
    values = {"project": "Le Collectif", "author": "Le Collectif", "copyright": "2024, Le Collectif",
              "html_title": "Le Collectif documentation"}  # html_title: Sphinx's default, not set in conf.py
    assert sitename.conf_messages(values, conf) == [("Le Collectif", 1), ("Le Collectif", 3), ("2024, Le Collectif", 4)]
    page = Document("index", "fr", "source/fr/index.rst",
                    [Message("Le Collectif", (("source/fr/index.rst", 2),)), Message("Bienvenue.", (("source/fr/index.rst", 4),))])
    merged = sitename.with_site_names(page, sitename.conf_messages(values, conf), "conf.py")
    assert merged.messages == [
        Message("Le Collectif", (("source/fr/index.rst", 2), ("conf.py", 1), ("conf.py", 3))),
        Message("Bienvenue.", (("source/fr/index.rst", 4),)),
        Message("2024, Le Collectif", (("conf.py", 4),)),
    ]
    assert page.messages[0].locations == (("source/fr/index.rst", 2),)  # the page's own record is left as it was


def _html(root: Path, language: str, page: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_build" / "site" / language / page).read_text(encoding="utf-8"), "html.parser")


def _synced_with_author(tp, make_project, author: str) -> tuple[Path, Path]:
    """The test project with ``author`` and its copyright set in conf.py, synced: (project, root page's catalog)."""
    root = make_project("publish")
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'author = "{author}"\ncopyright = "2024, {author}"\n')
    assert tp("-C", root, "sync").code == 0
    return root, po_path(root, "index")


@pytest.mark.slow
def test_the_site_name_is_published_in_each_language(tp, make_project):
    root, index = _synced_with_author(tp, make_project, "Collectif de test")
    found = entries(index)
    assert ("conf.py", "1") in found["Collectif de test"].occurrences
    assert found["2024, Collectif de test"].msgstr == ""
    translate(index, {"Collectif de test": "Test collective"})  # the name reviewed; the copyright left

    assert tp("-C", root, "publish", "--no-pdf").code == 0
    english = _html(root, "en", "rapports/reunion.html")
    assert english.title.get_text().endswith("Test collective documentation")
    assert english.title.get("lang") is None  # the copyright is not in it
    assert " ".join(english.select_one(".sidebar-brand-text").get_text().split()) == "Test collective documentation"
    french = _html(root, "fr", "rapports/reunion.html")
    assert french.title.get_text().endswith("Collectif de test")  # Sphinx's French: "documentation Collectif de test"
    chooser = BeautifulSoup((root / "_build" / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [(s["lang"], s.get_text()) for s in chooser.h1.select("span")] == [("fr", "Collectif de test"), ("en", "Test collective")]
    # the copyright not yet translated is counted like any passage
    status = json.loads(tp("-C", root, "status", "--json").out)
    index_status = next(c for c in status["catalogs"] if c["language"] == "en" and c["domain"] == "index")
    assert index_status["entries"]["untranslated"] >= 1


@pytest.mark.slow
def test_an_untranslated_site_name_says_its_language_in_the_title(tp, make_project):
    root = make_project("publish")
    assert tp("-C", root, "publish", "--no-pdf").code == 0
    english = _html(root, "en", "rapports/reunion.html")
    assert english.title.get_text().endswith("Collectif de test documentation")
    assert english.title["lang"] == "fr"


@pytest.mark.slow
def test_an_untranslated_toctree_caption_says_its_language(tp, make_project):
    root = make_project("publish")
    index = root / "source" / "fr" / "index.rst"
    index.write_text(index.read_text(encoding="utf-8").replace(".. toctree::\n", ".. toctree::\n   :caption: Nos pages\n"),
                     encoding="utf-8")
    assert tp("-C", root, "publish", "--no-pdf").code == 0
    assert entries(po_path(root, "index"))["Nos pages"].msgstr == ""
    for page in ("index.html", "rapports/reunion.html"):  # the page's toctree, and the navigation of every page
        captions = _html(root, "en", page).select("p.caption")
        assert captions, page
        for caption in captions:
            assert caption.get_text(strip=True) == "Nos pages"
            assert caption["lang"] == "fr" and "tp-untranslated" in caption["class"], caption
    french = _html(root, "fr", "index.html").select_one("p.caption")
    assert french.get("lang") is None and "tp-untranslated" not in french["class"]


@pytest.mark.slow
def test_an_untranslated_page_description_says_its_language(tp, make_project):
    root = make_project("publish")
    page = root / "source" / "fr" / "rapports" / "reunion.rst"
    page.write_text(".. meta::\n   :description: Compte rendu de la réunion de février\n\n"
                    + page.read_text(encoding="utf-8"), encoding="utf-8")
    assert tp("-C", root, "publish", "--no-pdf").code == 0
    description = _html(root, "en", "rapports/reunion.html").find("meta", attrs={"name": "description"})
    assert description["content"] == "Compte rendu de la réunion de février"
    assert description["lang"] == "fr"
    assert _html(root, "fr", "rapports/reunion.html").find("meta", attrs={"name": "description"}).get("lang") is None


@pytest.mark.slow
def test_a_name_reviewed_later_shows_in_the_next_publish_of_a_kept_sphinx(tp, make_project):
    from translate_pipeline.catalogs.extract import Reader
    from translate_pipeline.publishing.publish import BuildProcesses, publish
    from translate_pipeline.project.settings import load_project

    class Kept(BuildProcesses):  # what ``serve`` keeps between publishes
        reader = Reader()

    root = make_project("publish")
    kept = Kept()
    try:
        publish(load_project(root), warm=kept, pdf=False)
        assert _html(root, "en", "index.html").title["lang"] == "fr"
        translate(po_path(root, "index"), {"Collectif de test": "Test collective"})
        result = publish(load_project(root), warm=kept, pdf=False)
    finally:
        kept.close()
        kept.reader.close()
    for page in ("index.html", "rapports/reunion.html"):  # every page, not only the one whose catalog changed
        title = _html(root, "en", page).title
        assert title.get_text().endswith("Test collective documentation") and title.get("lang") is None, page
    assert [s.names["project"] for s in result.sites] == ["Collectif de test", "Test collective"]


@pytest.mark.slow
def test_the_root_pages_banner_counts_the_site_names_as_status_does(tp, make_project):
    """The name, author and copyright are entries of the root page's catalog: its banner counts them."""
    from test_counts import banner_counts

    root, index = _synced_with_author(tp, make_project, "Association de test")
    page_only = {msgid for msgid, entry in entries(index).items() if any(f != "conf.py" for f, _ in entry.occurrences)}
    translate(index, {msgid: "EN " + msgid for msgid in page_only} | {"Collectif de test": "Test collective"})
    catalog = entries(index)
    assert [msgid for msgid, entry in catalog.items() if not entry.msgstr] == ["Association de test", "2024, Association de test"]

    assert tp("-C", root, "publish", "--no-pdf").code == 0
    status = json.loads(tp("-C", root, "status", "--json").out)
    counted = next(c for c in status["catalogs"] if c["language"] == "en" and c["domain"] == "index")["entries"]
    banner = banner_counts(root / "_build" / "site" / "en" / "index.html")
    assert banner is not None, "the page's own text is all reviewed, its catalog is not: it needs its banner"
    assert banner == {state: counted[state] for state in banner}
    assert banner["untranslated"] == 2 and sum(banner.values()) == len(catalog)
