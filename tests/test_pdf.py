"""``publish`` makes PDFs: each page's, next to it, and each site's whole.

The PDFs are real WeasyPrint output, read back with poppler's pdftotext and
pdfinfo, as a reader's PDF viewer would show them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import copy_root

from translate_pipeline.publishing.publish import publish
from translate_pipeline.project.settings import load_project

pytestmark = [
    pytest.mark.pdf,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext, pdfinfo)"),
]

DOCS = ("index", "rapports/reunion", "brouillon", "about")
SITE_PDF = "collectif-de-test-{}.pdf"
AUTHOR = "Les associations du Collectif"
# French typography: « » with no-break spaces, a narrow no-break space before
# ? and :, the typographic apostrophe, capitals and ligatures with accents.
TYPOGRAPHY = "Le Collectif demande «\u00a0une loi-cadre\u00a0»\u202f: où en est l’État, et son œuvre\u202f?"
TYPOGRAPHY_SHOWN = "Le Collectif demande « une loi-cadre » : où en est l’État, et son œuvre ?"


def pdftotext(path: Path, *options: str) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(path), "-"],
                          capture_output=True, text=True, check=True)
    return done.stdout


def words(text: str) -> str:
    """The text as a reader reads it: lines joined, hyphenation undone, spaces plain."""
    text = re.sub(r"[\u2010-]\n", "", text)  # a word hyphenated at the end of a line
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def pdfinfo(path: Path, *options: str) -> str:
    return subprocess.run(["pdfinfo", *options, str(path)], capture_output=True, text=True, check=True).stdout


def info(path: Path) -> dict[str, str]:
    return dict(line.split(":", 1) for line in pdfinfo(path).splitlines() if ":" in line)


def page(root: Path, language: str, docname: str) -> BeautifulSoup:
    path = root / "_build" / "site" / language / f"{docname}.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def pdfs(root: Path) -> dict[str, int]:
    """Every PDF of the sites, with its modification time."""
    sites = root / "_build" / "site"
    return {p.relative_to(sites).as_posix(): p.stat().st_mtime_ns for p in sorted(sites.rglob("*.pdf"))}


def pdf_project(folder: Path) -> Path:
    """The test root ``publish`` in ``folder``, with an author and a paragraph of French typography."""
    root = copy_root("publish", folder / "project")
    with open(root / "conf.py", "a", encoding="utf-8") as conf:
        conf.write(f"author = {AUTHOR!r}\n")
    with open(root / "source/fr/brouillon.rst", "a", encoding="utf-8") as draft:
        draft.write(f"\n{TYPOGRAPHY}\n")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = pdf_project(tmp_path_factory.mktemp("pdf"))
    result = publish(load_project(root))
    return root, result


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built[0]


def test_every_page_has_its_pdf_in_both_languages(built):
    root, result = built
    for language in ("fr", "en"):
        for docname in DOCS:
            pdf = root / "_build/site" / language / f"{docname}.pdf"
            assert pdf.is_file(), pdf
            assert info(pdf)["Pages"].strip() != "0"
    assert [(r.language, r.pages, r.made, r.site_made) for r in result.pdf.languages] == [
        ("fr", 4, 4, True), ("en", 4, 4, True)]
    assert result.pdf.warnings == []
    data = result.as_dict()["pdf"]
    assert data["made"] == 10 and data["languages"][1]["site"] == "_build/site/en/" + SITE_PDF.format("en")


def test_each_page_links_to_its_pdf_and_to_the_whole_site(site):
    soup = page(site, "en", "rapports/reunion")
    link = soup.select_one("#tp-downloads a.tp-pdf-link")
    assert link["href"] == "reunion.pdf" and link.get_text() == "PDF" and link["type"] == "application/pdf"
    assert soup.select_one("a.tp-pdf-site-link")["href"] == "../" + SITE_PDF.format("en")
    french = page(site, "fr", "index")
    assert french.select_one("a.tp-pdf-link")["href"] == "index.pdf"
    whole = french.select_one("a.tp-pdf-site-link")
    assert whole["href"] == SITE_PDF.format("fr") and whole.get_text() == "Tout le site (PDF)"
    assert french.select_one("a.tp-pdf-link")["title"] == "Cette page en fichier PDF"
    # pages that are no document of the site (search, status) link to the whole site only
    search = page(site, "en", "translation-status")
    assert search.select_one("a.tp-pdf-link") is None and search.select_one("a.tp-pdf-site-link") is not None
    # the language switcher is where it was, next to the links
    assert [a.get_text() for a in soup.find(id="tp-switcher").find_all(["a", "span"])] == ["Français", "English"]


def test_the_whole_site_pdf_holds_every_page_in_reading_order(site):
    for language in ("fr", "en"):
        pdf = site / "_build/site" / language / SITE_PDF.format(language)
        text = words(pdftotext(pdf))
        titles = [page(site, language, doc).find("h1").get_text().replace("¶", "").strip() for doc in DOCS]
        positions = [text.rfind(title) for title in titles]  # the last: the page itself, after the contents
        assert all(p >= 0 for p in positions), (titles, text[:400])
        assert positions == sorted(positions)  # the order of the home page's table of contents
        pages = int(info(pdf)["Pages"])
        assert len(DOCS) + 1 <= pages <= 3 * len(DOCS) + 1  # a cover, then each page on new sheets
    contents = words(pdftotext(site / "_build/site/en" / SITE_PDF.format("en"), "-f", "1", "-l", "1"))
    number = int(re.search(r"Meeting of February 2014 \.+ ?(\d+)", contents).group(1))
    there = words(pdftotext(site / "_build/site/en" / SITE_PDF.format("en"), "-f", str(number), "-l", str(number)))
    assert "Meeting of February 2014" in there and "Passages reviewed: 7 of 13." in there


def test_the_whole_site_pdf_says_what_is_not_reviewed_on_its_cover(site):
    cover = words(pdftotext(site / "_build/site/en" / SITE_PDF.format("en"), "-f", "1", "-l", "1"))
    assert "Collectif de test" in cover and "English" in cover and AUTHOR in cover
    # the home page too: its catalog holds the site's name and author, not yet translated
    assert "Translation in progress." in cover and "Pages not fully reviewed: 3 of 3." in cover
    assert "Contents" in cover


def test_a_page_not_fully_reviewed_says_so_on_its_first_page_with_its_marks(site):
    first = words(pdftotext(site / "_build/site/en/rapports/reunion.pdf", "-f", "1", "-l", "1"))
    assert "Translation in progress. Passages reviewed: 7 of 13." in first
    assert "machine translated: 2" in first and "outdated: 1" in first and "not yet translated: 3" in first
    assert "Mieux identifier les victimes. not yet translated" in first  # the French, with its mark
    assert "The associations presented their demands. machine translated" in first
    assert "The minister promised an answer before March." in first and "Outdated: the French original" in first
    # the home page's own text is reviewed; the site's name and author, entries of its catalog, are not
    home = words(pdftotext(site / "_build/site/en/index.pdf"))
    assert "Passages reviewed: 4 of 6. not yet translated: 2" in home and "Welcome to the Collectif’s site." in home
    original = words(pdftotext(site / "_build/site/fr/index.pdf"))
    assert "Traduction en cours" not in original and "Bienvenue sur le site du Collectif." in original


def test_french_characters_come_out_right(site):
    for language in ("fr", "en"):  # in English: the French, not yet translated
        text = words(pdftotext(site / "_build/site" / language / "brouillon.pdf"))
        assert TYPOGRAPHY_SHOWN in text, text
    french = words(pdftotext(site / "_build/site/fr/rapports/reunion.pdf"))
    assert "Réunion de février 2014" in french and "La réunion s’est tenue au ministère, à Paris." in french
    banner = words(pdftotext(site / "_build/site/fr/about.pdf", "-f", "1", "-l", "1"))
    assert "Traduction en cours. Passages relus : 2 sur 3." in banner and "Lire l’original anglais" in banner
    fonts = subprocess.run(["pdffonts", str(site / "_build/site/fr/brouillon.pdf")],
                           capture_output=True, text=True, check=True).stdout
    embedded = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert embedded and all("DejaVu" in name for name in embedded), embedded


def test_the_layout_is_the_content_at_full_width(site):
    """No sidebar, no line cut at the edge of the paper: every word is inside the page's margins."""
    pdf = site / "_build/site/en/rapports/reunion.pdf"
    layout = pdftotext(pdf, "-f", "1", "-l", "1", "-bbox")
    width = float(re.search(r'<page width="([\d.]+)"', layout).group(1))
    boxes = [(float(a), float(b)) for a, b in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', layout)]
    assert boxes
    margin = 18 / 25.4 * 72  # pdf.css: 18 mm on the sides
    assert min(x for x, _ in boxes) == pytest.approx(margin, abs=2)  # the content starts at the margin
    assert max(x for _, x in boxes) <= width - margin + 1  # and no word runs off the paper
    assert max(x for _, x in boxes) > width * 0.6  # the text uses the width of the page
    first = words(pdftotext(pdf, "-f", "1", "-l", "1"))
    assert "About the English edition" not in first  # the sidebar's list of pages is not printed
    assert "Skip to content" not in first and "Français" not in first  # nor the page's navigation


def test_metadata_and_links_of_a_pdf(site):
    metadata = info(site / "_build/site/en/rapports/reunion.pdf")
    assert metadata["Title"].strip() == "Meeting of February 2014"
    assert metadata["Author"].strip() == AUTHOR
    urls = pdfinfo(site / "_build/site/en/rapports/reunion.pdf", "-url")
    assert "https://collectif.example.org/fr/rapports/reunion.html" in urls  # Read the original: the public site
    for language in ("fr", "en"):
        assert "file:" not in pdfinfo(site / "_build/site" / language / SITE_PDF.format(language), "-url")
    assert info(site / "_build/site/fr" / SITE_PDF.format("fr"))["Title"].strip() == "Collectif de test"


def test_a_second_publish_makes_no_pdf_again(site, tp):
    before = pdfs(site)
    result = tp("-C", site, "publish")
    assert result.code == 0, result
    assert pdfs(site) == before
    assert f"en  PDFs: 0 of 4 pages made again; whole site: _build/site/en/{SITE_PDF.format('en')} (unchanged)" in result.out


def test_an_edited_paragraph_makes_only_its_pages_pdfs_again(site, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(site, root)  # the built project, with its PDFs and their times
    before = pdfs(root)
    reunion = root / "source/fr/rapports/reunion.rst"
    reunion.write_text(reunion.read_text(encoding="utf-8").replace(
        "au ministère, à Paris.", "au ministère, à Paris, le 18 février."), encoding="utf-8")

    result = publish(load_project(root))

    after = pdfs(root)
    assert set(after) == set(before)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"fr/rapports/reunion.pdf", "en/rapports/reunion.pdf",
                       "fr/" + SITE_PDF.format("fr"), "en/" + SITE_PDF.format("en")}
    assert [(r.made, r.site_made) for r in result.pdf.languages] == [(1, True), (1, True)]
    assert "le 18 février" in words(pdftotext(root / "_build/site/fr/rapports/reunion.pdf"))
    english = words(pdftotext(root / "_build/site/en/rapports/reunion.pdf"))
    assert "Passages reviewed: 6 of 13." in english  # the changed French: the translation is stale


def test_no_pdf_builds_html_only(tmp_path, tp):
    root = pdf_project(tmp_path)
    result = tp("-C", root, "publish", "--no-pdf", "--json")
    assert result.code == 0, result
    assert json.loads(result.out)["pdf"] is None
    assert pdfs(root) == {}
    soup = page(root, "en", "rapports/reunion")
    assert soup.select_one("#tp-downloads") is None and soup.find(id="tp-switcher") is not None


def test_pdf_settings(make_project):
    root = make_project("publish")
    (root / "pyproject.toml").write_text('[tool.translate-pipeline]\npdf = false\n', encoding="utf-8")
    assert not load_project(root).settings.pdf.enabled
    (root / "pyproject.toml").write_text(
        '[tool.translate-pipeline.pdf]\npages = false\npaper = "letter"\n', encoding="utf-8")
    options = load_project(root).settings.pdf
    assert (options.enabled, options.pages, options.site, options.paper) == (True, False, True, "letter")
    assert not load_project(root, ["pdf.site=false"]).settings.pdf.site


def test_no_pdf_after_a_publish_with_pdfs_deletes_them_and_their_links(site, tmp_path, tp):
    root = tmp_path / "project"
    shutil.copytree(site, root)
    assert len(pdfs(root)) == 10

    result = tp("-C", root, "publish", "--no-pdf", "--json")

    assert result.code == 0, result
    data = json.loads(result.out)
    assert data["pdf"] is None and data["pdf_removed"] == 10
    assert pdfs(root) == {}  # no PDF older than its page stays in the site
    for language in ("fr", "en"):
        soup = page(root, language, "rapports/reunion")
        assert soup.select_one("#tp-downloads") is None and soup.select_one("a[href$='.pdf']") is None
    shown = tp("-C", root, "publish", "--no-pdf")
    assert shown.code == 0 and "Removed" not in shown.out  # nothing left to remove

    again = publish(load_project(root))  # and with PDFs again: every page's, and the whole sites'
    assert [(r.made, r.site_made) for r in again.pdf.languages] == [(4, True), (4, True)]
    assert page(root, "en", "rapports/reunion").select_one("a.tp-pdf-link")["href"] == "reunion.pdf"


def test_the_english_pdfs_carry_the_translated_site_name(tmp_path, tp):
    root = pdf_project(tmp_path)
    assert tp("-C", root, "sync").code == 0
    catalog = root / "locale/en/LC_MESSAGES/index.po"
    text = catalog.read_text(encoding="utf-8")
    entry = 'msgid "Collectif de test"\nmsgstr ""\n'
    assert entry in text
    catalog.write_text(text.replace(entry, 'msgid "Collectif de test"\nmsgstr "Test Collective"\n'), encoding="utf-8")
    assert tp("-C", root, "publish").code == 0
    sites = root / "_build/site"
    assert info(sites / "en" / SITE_PDF.format("en"))["Title"].strip() == "Test Collective"
    assert info(sites / "fr" / SITE_PDF.format("fr"))["Title"].strip() == "Collectif de test"
    cover = subprocess.run(["pdftotext", "-l", "1", str(sites / "en" / SITE_PDF.format("en")), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "Test Collective" in cover and "Collectif de test" not in cover
