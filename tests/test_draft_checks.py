"""Drafts checked against their source: numbers that differ, glossary terms and their notes."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, entries, po_path, translate
from test_draft_cli import add_page

from translate_pipeline.catalogs import catalog as cat
from translate_pipeline.drafting.glossary import GlossaryError, missing_terms, read_glossary
from translate_pipeline.checks.markup import myst_syntax
from translate_pipeline.checks.numbers import number_differences, numbers_in

# --- reading numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "values"),
    [
        ("Le Collectif s’est donné quatre objectifs.", "fr", [4]),
        ("The Collectif set itself three objectives.", "en", [3]),
        ("1 500 victimes (1\u202f500 en 2016), soit 3,5 %.", "fr", [1500, 1500, 2016, 3.5]),
        ("1,500 victims in 2016, that is 3.5%.", "en-GB", [1500, 2016, 3.5]),
        ("vingt et un, quatre-vingt-dix-sept, soixante et onze, deux cents, mille deux cents", "fr",
         [21, 97, 71, 200, 1200]),
        ("twenty-one, ninety-seven, seventy-one, two hundred and five, a thousand", "en", [21, 97, 71, 205, 1000]),
        ("Le 30 juillet 2016, à 17 h 30.", "fr", [30, "month 7", 2016, "time 17:30"]),
        ("On 30 July 2016, at 5.30 pm.", "en", [30, "month 7", 2016, "time 17:30"]),
        ("Le 1er mai, un des membres.", "fr", [1, "month 5"]),  # "un" alone is no number
        ("One of them may come on May 2.", "en", ["month 5", 2]),  # "may" is a month only in a date
        ("Voir :doc:`rapports/2014-02-reunion` et `la note <https://example.org/2019/3>`_.", "fr", []),
    ],
)
def test_numbers_in_a_text(text, language, values):
    assert [number.value for number in numbers_in(text, language)] == values


def test_numbers_in_markdown_leave_link_targets_and_code_alone():
    text = "Voir [le rapport 2019](https://example.org/2021/4) et `page-12`, {doc}`rapports/2014-02`, 3 fois."
    assert [number.value for number in numbers_in(text, "fr", myst_syntax())] == [2019, 3]
    assert not number_differences(text, "fr", "See [the 2019 report](https://example.org/2021/4), `page-12`, "
                                  "{doc}`rapports/2014-02`, three times.", "en", myst_syntax())


def test_the_same_numbers_written_otherwise_are_no_difference():
    assert not number_differences("quatre objectifs en 2014", "fr", "four objectives in 2014", "en")
    assert not number_differences("1 500 personnes, 3,5 %", "fr", "1,500 people, 3.5%", "en")
    assert not number_differences("le 30 juillet à 17 h 30", "fr", "on 30 July at 5.30 pm", "en")
    assert not number_differences("le 30 juillet", "fr", "on July 30", "en")
    assert not number_differences("en 2014 et en 2014", "fr", "twice in 2014", "en")


def test_numbers_that_differ_are_named_both_ways():
    found = number_differences("quatre objectifs", "fr", "three objectives", "en")
    assert found.describe() == "numbers differ: quatre (4) in the original, three (3) here"
    assert number_differences("le 14 mars 2014", "fr", "on 7 March 2014", "en").describe() == \
        "numbers differ: 14 in the original, 7 here"
    assert number_differences("en juin 2017", "fr", "in July 2017", "en").describe() == \
        "numbers differ: juin in the original, July here"
    assert number_differences("depuis 2016, tous les deux mois", "fr", "every month", "en").describe() == \
        "numbers differ: 2016, deux (2) in the original, not here"
    assert number_differences("chaque mois", "fr", "every 3 months", "en").describe() == \
        "numbers differ: 3 here, not in the original"


# --- a memory draft whose numbers differ --------------------------------------------------

THREE = "Le Collectif s’est donné trois objectifs, qui figurent dans sa charte constitutive."
THREE_EN = "The Collectif set itself three objectives, which are set out in its founding charter."
FOUR = "Le Collectif s’est donné quatre objectifs, qui figurent dans sa charte constitutive."


@pytest.mark.slow
def test_a_memory_draft_with_other_numbers_is_kept_with_a_draft_check_comment(project, tp):
    add_page(project, "mission", "Notre mission", [THREE])
    add_page(project, "charte", "La charte", [FOUR])
    assert tp("-C", project, "sync", "--quiet").code == 0
    translate(po_path(project, "mission"), {"Notre mission": "Our mission", THREE: THREE_EN})

    result = tp("-C", project, "draft", "charte")

    assert result.code == 0, result
    assert "Numbers differ from the original in 1 draft; see '# draft check:'." in result.out
    entry = entries(po_path(project, "charte"))[FOUR]
    assert entry.msgstr == THREE_EN and "fuzzy" in entry.flags  # kept: it is a draft
    assert cat.entry_state(entry) is cat.State.MACHINE
    text = po_path(project, "charte").read_text(encoding="utf-8")
    assert ("# draft check: numbers differ: quatre (4) in the original, three (3) here\n"
            in text)
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po_path(project, "charte"))],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr

    status = tp("-C", project, "status")
    assert "en: 1 machine draft to check (# draft check:):" in status.out
    line = entry.linenum
    assert (f"  locale/en/LC_MESSAGES/charte.po:{line}: numbers differ: quatre (4) in the original, "
            "three (3) here") in status.out
    data = json.loads(tp("-C", project, "status", "--json").out)
    assert data["draft_checks"] == {"en": 1, "fr": 0}
    charte = next(item for item in data["catalogs"] if item["domain"] == "charte")
    assert charte["draft_checks"] == [{"line": line, "msgid": FOUR, "note": (
        "numbers differ: quatre (4) in the original, three (3) here")}]

    # the editor's status page lists it, linking to the passage
    assert tp("-C", project, "publish", "--quiet", "--no-pdf").code == 0
    sites = project / "_build" / "site"
    listed = BeautifulSoup((sites / "en" / "translation-status.html").read_text(encoding="utf-8"), "html.parser")
    section = listed.find(id="drafts-to-check")
    assert section.h2.get_text() == "Machine translations to check"
    [item] = section.find_all("li")
    assert " ".join(item.get_text().split()) == (
        f"La charte — Its numbers differ from the original’s. locale/en/LC_MESSAGES/charte.po:{line}")
    link = item.find("a")["href"]
    passage = BeautifulSoup((sites / "en" / "charte.html").read_text(encoding="utf-8"), "html.parser")
    assert link.startswith("charte.html#") and passage.find(id=link.split("#")[1]) is not None
    french = BeautifulSoup((sites / "fr" / "translation-status.html").read_text(encoding="utf-8"), "html.parser")
    assert french.find(id="drafts-to-check").h2.get_text() == "Traductions automatiques à vérifier"

    # a translator approves it (in any PO editor): no longer a draft to check
    translate(po_path(project, "charte"), {FOUR: THREE_EN.replace("three", "four")})
    assert json.loads(tp("-C", project, "status", "--json").out)["draft_checks"] == {"en": 0, "fr": 0}


def test_a_draft_with_the_same_numbers_gets_no_draft_check(project, tp):
    add_page(project, "mission", "Notre mission", [THREE])
    add_page(project, "charte", "La charte", [THREE.replace("constitutive", "fondatrice")])
    assert tp("-C", project, "sync", "--quiet").code == 0
    translate(po_path(project, "mission"), {THREE: THREE_EN})

    result = tp("-C", project, "draft", "charte")

    assert result.code == 0 and "Numbers differ" not in result.out
    assert "draft check" not in po_path(project, "charte").read_text(encoding="utf-8")


# --- glossary terms in several forms --------------------------------------------------------

REPO_GLOSSARY = REPO / "glossary" / "fr-en.csv"


def test_a_term_may_be_written_in_several_forms(tmp_path):
    path = tmp_path / "fr-en.csv"
    path.write_text("french,english,note\ncompte rendu,minutes | meeting report | report,“report” in titles\n",
                    encoding="utf-8")
    term = read_glossary(path).terms[0]
    assert (term.target, term.alternatives, term.note) == ("minutes", ("meeting report", "report"), "“report” in titles")
    glossary = read_glossary(path)
    assert glossary.entries() == {"compte rendu": "minutes"}  # DeepL is told the first form
    for draft in ("The minutes.", "The meeting report.", "Report of the meeting."):
        assert missing_terms("Le compte rendu.", draft, glossary) == []
    assert missing_terms("Le compte rendu.", "The record.", glossary) == [("compte rendu", "minutes")]
    assert glossary.reversed().entries() == {"minutes": "compte rendu"}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("compte rendu,minutes || report,", r":2: an empty form between '\|' in the english column"),
        ("compte rendu,minutes |,", r":2: an empty form between '\|'"),
        ("compte | rendu,minutes,", r":2: the french term holds '\|'; other forms go in the english column"),
    ],
)
def test_a_bad_form_says_where_and_what(tmp_path, row, message):
    path = tmp_path / "fr-en.csv"
    path.write_text(f"french,english,note\n{row}\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=message):
        read_glossary(path)


def test_the_project_glossary_honours_its_notes():
    """The notes of glossary/fr-en.csv that allow other forms are written as forms the check reads."""
    glossary = read_glossary(REPO_GLOSSARY)
    assert missing_terms("Le Collectif a été créé en 2007.", "The Collectif was founded in 2007.", glossary) == []
    assert missing_terms("Un collectif d’associations.", "A group of associations.", glossary) == [
        ("collectif", "collective")]
    assert missing_terms("Compte rendu de la réunion", "Report of the meeting", glossary) == []
    assert missing_terms("L’avis de la Commission nationale consultative des droits de l’homme",
                         "The opinion of the CNCDH", glossary) == []
    for term in glossary.terms:  # every form is itself a usable term
        assert all(form and "|" not in form for form in term.forms)


def test_a_memory_draft_keeping_the_collectif_gets_no_glossary_comment(project, tp):
    (project / "glossary").mkdir()
    shutil.copy2(REPO_GLOSSARY, project / "glossary" / "fr-en.csv")
    said = "Le Collectif a rencontré la ministre des Droits des femmes le 11 février 2014."
    add_page(project, "rencontre", "La rencontre", [said])
    add_page(project, "suite", "La suite", [said.replace("a rencontré", "rencontrait")])
    assert tp("-C", project, "sync", "--quiet").code == 0
    translate(po_path(project, "rencontre"), {
        said: "The Collectif met the Minister for Women’s Rights on 11 February 2014."})

    result = tp("-C", project, "draft", "suite")

    assert result.code == 0, result
    entry = entries(po_path(project, "suite"))[said.replace("a rencontré", "rencontrait")]
    assert entry.msgstr.startswith("The Collectif met") and cat.entry_state(entry) is cat.State.MACHINE
    assert "glossary:" not in entry.tcomment and "Glossary terms missing" not in result.out
    assert "draft check" not in entry.tcomment  # the same numbers and date


def test_a_long_list_of_numbers_is_cut_to_fit_a_comment_line():
    found = number_differences("le 22 juin 2017, treize membres sur quinze", "fr",
                               "on 23 June 2016, fourteen members out of fifteen", "en")
    assert found.describe() == "numbers differ: 22, 2017, treize (13) in the original, 23, 2016, fourteen (14) here"
    assert found.describe(63) == "numbers differ: 22, 2017 in the original, 23 here (+3 more)"
    assert len(found.describe(63)) <= 63
