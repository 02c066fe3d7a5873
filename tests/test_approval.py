"""Approval in any tool: an entry whose fuzzy flag a translator cleared loses
what only described its unreviewed state (``#|`` previous original, the tool's
stale/draft comments), and nothing else of the catalog changes."""

from __future__ import annotations

import difflib
import json
import re
import subprocess
from pathlib import Path

import polib
import pytest
from conftest import po_path, translate

from translate_pipeline.catalogs import catalog as cat
from translate_pipeline.catalogs.approval import edited_text
from translate_pipeline.project.settings import Policy
from translate_pipeline.publishing.published import published

HEADER = '''msgid ""
msgstr ""
"Project-Id-Version: Collectif\\n"
"Language: en\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
'''

# Before: every kind of entry a translator may leave after working in a PO editor.
BEFORE = HEADER + '''
# Relu par Claire.
# stale: French changed on 2026-11-02
#: source/fr/index.rst:4
#| msgid "La réunion s'est tenue à Lyon."
msgid "La réunion s'est tenue à Paris."
msgstr "The meeting took place in Paris."

# draft: deepl 2026-11-20 #0badc0de
# glossary: collectif -> collective
# draft check: 2024 is missing
#: source/fr/index.rst:6
msgid "Le collectif a été fondé en 2024."
msgstr "The group was founded in 2042."

# draft check failed: the link https://example.org/ is missing
#: source/fr/index.rst:8
msgid "Voir le `site <https://example.org/>`_ du collectif et sa page."
msgstr "See the site of the collective and its page."

# earlier translation: "The association."
# stale: French changed on 2026-11-02
#: source/fr/index.rst:10
#| msgctxt "titre"
#| msgid "L'association"
msgctxt "titre"
msgid "Le collectif"
msgstr "The collective"

# stale: French changed on 2026-11-02
#: source/fr/index.rst:12
#, fuzzy
#| msgid "Une phrase que personne n'a encore relue."
msgid "Une phrase que personne n'a relue."
msgstr "A sentence nobody has reviewed yet."

# draft: memory 2026-11-20
#: source/fr/index.rst:14
#, fuzzy
msgid "Un brouillon à relire."
msgstr "A draft to review."

# Une note de la traductrice.
#: source/fr/index.rst:16
msgid "Relu depuis longtemps."
msgstr "Reviewed long ago."

# stale: French changed on 2026-11-02
#~| msgid "Un texte disparu depuis."
#~ msgid "Un texte disparu."
#~ msgstr "A text gone."
'''

# After: the approved entries cleaned (the obsolete one too); the two fuzzy ones, the
# header, the reviewed one and people's comments (and the earlier translation kept) as they were.
AFTER = HEADER + '''
# Relu par Claire.
#: source/fr/index.rst:4
msgid "La réunion s'est tenue à Paris."
msgstr "The meeting took place in Paris."

#: source/fr/index.rst:6
msgid "Le collectif a été fondé en 2024."
msgstr "The group was founded in 2042."

#: source/fr/index.rst:8
msgid "Voir le `site <https://example.org/>`_ du collectif et sa page."
msgstr "See the site of the collective and its page."

# earlier translation: "The association."
#: source/fr/index.rst:10
msgctxt "titre"
msgid "Le collectif"
msgstr "The collective"
''' + BEFORE.split('msgstr "The collective"\n', 1)[1].split("# stale: French changed on 2026-11-02\n#~|")[0] + '''\
#~ msgid "Un texte disparu."
#~ msgstr "A text gone."
'''


def test_clean_approved_drops_only_what_described_the_unreviewed_state(tmp_path: Path):
    path = tmp_path / "index.po"
    path.write_text(BEFORE, encoding="utf-8")
    catalog = cat.load(path)
    assert [state for _, state in catalog.states()] == [cat.State.REVIEWED] * 4 + [
        cat.State.STALE, cat.State.MACHINE, cat.State.REVIEWED]
    # Approved, not cleaned yet: what the site shows counts them reviewed, with no "outdated"
    # date (but the one whose translation lost the original's link: the original is shown).
    marks = published(catalog, Policy()).marks
    assert [marks[e.msgid][:2] for e in catalog.entries] == [
        ("reviewed", None), ("reviewed", None), ("untranslated", None), ("reviewed", None),
        ("stale", "2026-11-02"), ("machine", None), ("reviewed", None)]
    starts = [entry.linenum for entry in catalog.po if cat.clean_approved(entry)]
    assert len(starts) == 5 and [e.msgid for e in catalog.obsolete] == ["Un texte disparu."]
    assert catalog.text() == AFTER
    assert edited_text(catalog, starts) == AFTER  # lines taken out: the same text
    assert [state for _, state in catalog.states()] == [cat.State.REVIEWED] * 4 + [
        cat.State.STALE, cat.State.MACHINE, cat.State.REVIEWED]
    # Once clean, there is nothing more to drop.
    assert [cat.clean_approved(entry) for entry in catalog.po] == [False] * 8


def test_clean_approved_plural_entry_loses_its_previous_plural(tmp_path: Path):
    path = tmp_path / "plural.po"
    path.write_text(HEADER.replace('"Language: en\\n"\n', '"Language: en\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n') + '''
# stale: French changed on 2026-11-02
#| msgid "%d réunion"
#| msgid_plural "%d réunions"
msgid "%d rencontre"
msgid_plural "%d rencontres"
msgstr[0] "%d meeting"
msgstr[1] "%d meetings"
''', encoding="utf-8")
    catalog = cat.load(path)
    (entry,) = catalog.entries
    assert cat.clean_approved(entry) is True
    assert (entry.previous_msgid, entry.previous_msgid_plural, entry.tcomment) == (None, None, "")
    assert "#|" not in catalog.text() and "stale" not in catalog.text()
    assert 'msgstr[1] "%d meetings"' in catalog.text()


# --- Approved in a PO tool, then synced: the sample's catalogs -----------------------

PEOPLE = "Relu par Claire, 28 novembre."
# (catalog, French) approved: two stale translations (one with a long #| over
# several lines) and a machine draft.
APPROVED = (
    ("collectif", "Trois groupes de travail se réunissent tous les deux mois"),
    ("rapports/2014-02-reunion-ministre", "La ministre a précisé que les arbitrages budgétaires"),
    ("actualites", "Actualités"),
)


def _approve_with_polib(path: Path, prefixes: list[str]) -> None:
    """What a script does: load, clear the flag, add a note, save (polib wraps its own way)."""
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid.startswith(tuple(prefixes)):
            entry.flags.remove("fuzzy")
            entry.tcomment = f"{entry.tcomment}\n{PEOPLE}"
    po.save()


def _approve_with_translate_toolkit(path: Path, prefixes: list[str], weblate: bool) -> None:
    """translate-toolkit's PO writer; ``weblate``: as Weblate saves an approval (it
    drops the previous strings itself and keeps the header up to date)."""
    from translate.storage import po as ttk_po

    store = ttk_po.pofile.parsefile(str(path))
    for unit in store.units:
        if unit.source.startswith(tuple(prefixes)):
            unit.markfuzzy(False)
            unit.addnote(PEOPLE, origin="translator")
            if weblate:
                unit.prev_msgid, unit.prev_msgid_plural, unit.prev_msgctxt = [], [], []
    if weblate:
        store.updateheader(add=True, last_translator="Claire Martin <claire@example.org>",
                           po_revision_date="2026-11-28 12:00+0000", x_generator="Weblate 5.8")
    store.save()


WRITERS = {
    "polib": _approve_with_polib,
    "translate-toolkit": lambda path, prefixes: _approve_with_translate_toolkit(path, prefixes, weblate=False),
    "weblate": lambda path, prefixes: _approve_with_translate_toolkit(path, prefixes, weblate=True),
}


def _status(tp, project: Path) -> dict[str, dict]:
    result = tp("-C", project, "status", "--json", "--stale")
    assert result.code == 0, result
    return {item["domain"]: item for item in json.loads(result.out)["catalogs"] if item["language"] == "en"}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_approved_in_a_po_tool_then_synced_without_churn(sample, tp, writer):
    assert tp("-C", sample, "sync").code == 0  # the sample as it is: nothing to do
    paths = {domain: po_path(sample, domain) for domain, _ in APPROVED}
    before_status = _status(tp, sample)
    for domain, path in paths.items():
        WRITERS[writer](path, [french for d, french in APPROVED if d == domain])
    saved = {domain: path.read_text(encoding="utf-8") for domain, path in paths.items()}

    # Approved: reviewed at once, for status, before any sync.
    approved_status = _status(tp, sample)
    for domain, french in APPROVED:
        was, now = before_status[domain]["entries"], approved_status[domain]["entries"]
        assert now["reviewed"] == was["reviewed"] + 1
        assert now["stale"] + now["machine"] == was["stale"] + was["machine"] - 1
        assert not any(entry["msgid"].startswith(french) for entry in approved_status[domain]["stale"])

    first = tp("-C", sample, "sync")
    assert first.code == 0, first
    assert "Catalogs: 0 created, 3 updated, 8 unchanged" in first.out
    assert "Entries: 0 new, 0 stale, 0 reused from other catalogs, 0 obsolete" in first.out
    assert "Approved: 3 entries lost their previous original (#|) and draft/stale comments" in first.out

    for domain, path in paths.items():
        text = path.read_text(encoding="utf-8")
        # Lines were only taken out of what the writer saved: its wrapping and header stay.
        diff = [line for line in difflib.ndiff(saved[domain].splitlines(), text.splitlines())
                if line[:2] in ("- ", "+ ")]
        assert diff and all(line.startswith("- ") for line in diff), diff
        assert all(line[2:].startswith(("#| ", "# stale: ", "# draft: ")) for line in diff), diff
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)
        was = {(e.msgid, e.obsolete): e for e in polib.pofile(saved[domain])}
        for entry in polib.pofile(str(path)):
            if not any(d == domain and entry.msgid.startswith(f) for d, f in APPROVED):
                assert str(entry) == str(was[(entry.msgid, entry.obsolete)])  # as the writer left it
            else:
                assert cat.entry_state(entry) is cat.State.REVIEWED
                assert entry.previous_msgid is None and entry.tcomment.splitlines()[-1] == PEOPLE
                assert not any(line.startswith(cat.UNREVIEWED_PREFIXES) for line in entry.tcomment.splitlines())

    # Every figure of status is the one it was right after the approval.
    after_status = _status(tp, sample)
    assert {d: s["entries"] for d, s in after_status.items()} == {d: s["entries"] for d, s in approved_status.items()}

    # A second sync changes nothing.
    synced = {domain: path.read_bytes() for domain, path in paths.items()}
    second = tp("-C", sample, "sync", "--json")
    assert json.loads(second.out)["catalogs"]["updated"] == 0 and json.loads(second.out)["approved"] == 0
    assert {domain: path.read_bytes() for domain, path in paths.items()} == synced


def test_approved_then_changed_again_says_what_changed_since_the_approval(project, tp):
    """An approved translation whose French changes again is stale against the French
    that was approved, not against the French of an earlier change."""
    first = "La réunion s'est tenue au ministère des Droits des femmes, à Paris."
    second = "La réunion s'est tenue au ministère des Droits des femmes, à Paris, le 12 février."
    third = "La réunion s'est tenue au ministère des Droits des femmes, à Paris, le 14 février."
    page = project / "source/fr/rapports/reunion.rst"
    path = po_path(project, "rapports/reunion")
    assert tp("-C", project, "sync").code == 0
    translate(path, {first: "The meeting took place at the Ministry of Women's Rights, in Paris."})
    page.write_text(page.read_text(encoding="utf-8").replace(first, second), encoding="utf-8")
    assert tp("-C", project, "sync").code == 0
    po = polib.pofile(str(path))
    (entry,) = [e for e in po if e.msgid == second]
    assert entry.previous_msgid == first and "fuzzy" in entry.flags
    entry.msgstr = "The meeting took place at the Ministry of Women's Rights, in Paris, on 12 February."
    entry.flags.remove("fuzzy")  # approved in a text editor: the #| and "# stale:" left as they were
    po.save()
    page.write_text(page.read_text(encoding="utf-8").replace(second, third), encoding="utf-8")
    result = tp("-C", project, "sync", "--json")
    assert result.code == 0, result
    assert json.loads(result.out)["entries"]["stale"] == 1
    (entry,) = [e for e in polib.pofile(str(path)) if e.msgid == third]
    assert entry.previous_msgid == second and cat.entry_state(entry) is cat.State.STALE
    assert entry.msgstr.endswith("on 12 February.")
    assert [line for line in entry.tcomment.splitlines() if line.startswith(cat.STALE_PREFIX)] == [
        f"stale: French changed on {cat.today()}"]


def test_edited_text_keeps_a_catalog_written_unwrapped_as_it_is(tmp_path: Path):
    """A catalog written on one line per string (Babel, ``sphinx-intl -w 0``) keeps its
    lines when an approval is all that changes; without an approved entry at the
    given lines, nothing is edited."""
    long_french = "Le Collectif a demandé " + "une consultation annuelle des associations, " * 3 + "et l'a obtenue."
    text = HEADER + f'''
# stale: French changed on 2026-11-02
#: source/fr/index.rst:4
#| msgid "{long_french.replace("annuelle", "régulière")}"
msgid "{long_french}"
msgstr "The Collective asked for an annual consultation of associations, and got it."
'''
    path = tmp_path / "unwrapped.po"
    path.write_text(text, encoding="utf-8")
    catalog = cat.load(path)
    (entry,) = catalog.entries
    starts = [entry.linenum]
    assert edited_text(catalog, starts) is None  # not cleaned yet: the catalog still holds those lines
    assert cat.clean_approved(entry) is True
    assert edited_text(catalog, []) is None
    edited = edited_text(catalog, starts)
    assert edited == text.replace("# stale: French changed on 2026-11-02\n", "").replace(
        f'#| msgid "{long_french.replace("annuelle", "régulière")}"\n', "")
    assert f'msgid "{long_french}"' in edited.splitlines()  # one line, as the file had it


# --- One set of figures after an approval: the pages' banners, the status page, status ----

def _banner(page: Path) -> tuple[str, dict[str, int]] | None:
    """The "Passages reviewed: X of Y." figure of a page's banner, and its passages per state."""
    from bs4 import BeautifulSoup

    banner = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find(id="tp-banner")
    if banner is None:
        return None
    text = " ".join(banner.get_text().split())
    figure = re.search(r"Passages reviewed: (\d+ of \d+)\.", text).group(1)
    counts = {state: 0 for state in STATE_NAMES}
    counts["reviewed"] = int(figure.split()[0])
    for state in STATE_NAMES[1:]:
        shown = banner.find(class_=f"tp-count-{state}")
        counts[state] = int(re.search(r"\d+", shown.get_text()).group()) if shown else 0
    return figure, counts


STATE_NAMES = ("reviewed", "machine", "stale", "untranslated")


def test_banners_and_status_page_give_one_figure_after_an_approval_in_a_text_editor(sample, tp):
    from bs4 import BeautifulSoup

    # Approved in a text editor: the flag taken out, the translation corrected, nothing else.
    collectif = po_path(sample, "collectif")
    text = collectif.read_text(encoding="utf-8")
    old = '#, fuzzy\n#| msgid "Trois groupes de travail se réunissent chaque trimestre\u00a0:"\n'
    assert old in text
    collectif.write_text(text.replace(old, old.split("\n", 1)[1]).replace(
        'msgstr "Three working groups meet every quarter:"', 'msgstr "Three working groups meet every two months:"'),
        encoding="utf-8")
    # A reviewed translation that links where its original does not: the site shows the original.
    ressources = po_path(sample, "ressources")
    text = ressources.read_text(encoding="utf-8")
    reviewed = '"for understanding trafficking in human beings and acting against it. It does "'
    assert reviewed in text
    ressources.write_text(text.replace(reviewed, reviewed[:-1] + 'See `this <https://elsewhere.example/>`_. "'),
                          encoding="utf-8")
    # Machine translations shown as the original.
    settings = sample / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "max_stale = 0\n", 'max_stale = 0\nmachine = "source"\n'), encoding="utf-8")

    result = tp("-C", sample, "publish", "--no-pdf")
    assert result.code == 0, result
    assert "ressources.po:" in result.err and "https://elsewhere.example/ added" in result.err
    status = _status(tp, sample)
    site = sample / "_build" / "site" / "en"
    page = BeautifulSoup((site / "translation-status.html").read_text(encoding="utf-8"), "html.parser")
    compared = 0
    for domain, item in status.items():
        row = page.find("tr", attrs={"data-catalog": f"en/{domain}"})
        # The status page's columns are the catalog's states: status --json's.
        assert {td["data-state"]: int(td.get_text()) for td in row.select("td[data-state]")} == item["entries"]
        shown = row.find(class_="tp-status-shown")
        assert int(shown["data-reviewed-shown"]) == item["published"]["reviewed"]
        banner = _banner(site / f"{domain}.html")
        if banner is None:
            assert item["published"]["reviewed"] == item["total_entries"], domain
            continue
        # The banner's figure is the status page's, word for word.
        figure, counts = banner
        assert shown.get_text() == f"Passages reviewed on the site: {figure}", domain
        assert counts == item["published"], domain
        compared += 1
    assert compared >= 6

    # The approved translation: reviewed everywhere, unmarked on its page, its notes gone.
    assert status["collectif"]["entries"]["stale"] == 0 and status["collectif"]["published"]["stale"] == 0
    assert _banner(site / "collectif.html")[0] == "62 of 63"
    approved = BeautifulSoup((site / "collectif.html").read_text(encoding="utf-8"), "html.parser").find(
        string=re.compile("Three working groups meet every two months")).find_parent("p")
    assert "tp-mark" not in approved.get("class", [])
    assert "# stale:" not in collectif.read_text(encoding="utf-8")  # publish synced first
    # The refused translation: reviewed in its catalog, shown as the original, both said.
    assert status["ressources"]["entries"]["reviewed"] == 24 and status["ressources"]["published"]["reviewed"] == 23
    assert _banner(site / "ressources.html")[0] == "23 of 25"
    listed = page.find(id="not-published").get_text(" ", strip=True)
    assert "Resources" in listed and "locale/en/LC_MESSAGES/ressources.po:20" in listed
    assert "Passages reviewed on the site: those the pages show as reviewed" in page.get_text()
    # Machine translations shown as the original: drafts in the catalog, not on the page.
    assert status["actualites"]["entries"]["machine"] == 9 and status["actualites"]["published"]["machine"] == 0
