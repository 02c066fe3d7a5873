"""What the policy publishes of a catalog, compiled; and the sites' own wording."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest

from translate_pipeline.catalogs import catalog as cat
from translate_pipeline.publishing.published import (
    compile_language,
    load_entries,
    load_marks,
    published,
)
from translate_pipeline.project.settings import Policy
from translate_pipeline import wording

PO = """\
msgid ""
msgstr ""
"Language: en\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Relu."
msgstr "Reviewed."

# draft: deepl 2024-01-05
#, fuzzy
msgid "Brouillon."
msgstr "Draft."

# stale: French changed on 2024-03-12
#, fuzzy
#| msgid "Ancien."
msgid "Changé."
msgstr "Old."

msgid "Vide."
msgstr ""

#~ msgid "Disparu."
#~ msgstr "Gone."
"""


@pytest.fixture
def catalogs(tmp_path) -> Path:
    directory = tmp_path / "locale" / "en" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    (directory / "page.po").write_text(PO, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("machine", "stale", "shown"),
    [
        ("mark", "mark", {"Relu.": "reviewed", "Brouillon.": "machine", "Changé.": "stale", "Vide.": "untranslated"}),
        ("source", "mark", {"Relu.": "reviewed", "Brouillon.": "untranslated", "Changé.": "stale", "Vide.": "untranslated"}),
        ("mark", "source", {"Relu.": "reviewed", "Brouillon.": "machine", "Changé.": "untranslated", "Vide.": "untranslated"}),
    ],
)
def test_the_policy_decides_what_is_shown(catalogs, machine, stale, shown):
    result = published(cat.load(catalogs / "page.po"), Policy(machine=machine, stale=stale))
    assert {msgid: state for msgid, (state, _since, _line) in result.marks.items()} == shown
    assert set(result.translations) == {m for m, s in shown.items() if s != "untranslated"}
    assert result.marks["Changé."][1] == ("2024-03-12" if stale == "mark" else None)


def test_compiled_catalog_holds_fuzzy_entries_the_policy_shows(catalogs, tmp_path):
    root = tmp_path / "mo"
    compile_language([catalogs], root, "en", Policy())
    with open(root / "en/LC_MESSAGES/page.mo", "rb") as handle:
        translations = gettext.GNUTranslations(handle)
    assert translations.gettext("Brouillon.") == "Draft."
    assert translations.gettext("Changé.") == "Old."
    assert translations.gettext("Vide.") == "Vide."
    assert translations.gettext("Disparu.") == "Disparu."  # obsolete entries are not published


def test_files_are_written_only_when_what_is_shown_changes(catalogs, tmp_path):
    root = tmp_path / "mo"
    first = compile_language([catalogs], root, "en", Policy())
    assert first.written == ["page"]
    mo, marks = root / "en/LC_MESSAGES/page.mo", root / "en/marks.json"
    stamps = (mo.stat().st_mtime_ns, marks.stat().st_mtime_ns)
    digest = load_marks(root, "en")["page"]

    assert compile_language([catalogs], root, "en", Policy()).written == []
    assert (mo.stat().st_mtime_ns, marks.stat().st_mtime_ns) == stamps

    # the draft is approved: same text shown, another state: the .mo stays, the digest changes
    path = catalogs / "page.po"
    path.write_text(path.read_text(encoding="utf-8").replace("#, fuzzy\nmsgid \"Brouillon.\"", "msgid \"Brouillon.\""),
                    encoding="utf-8")
    assert compile_language([catalogs], root, "en", Policy()).written == []
    assert mo.stat().st_mtime_ns == stamps[0]
    assert load_marks(root, "en")["page"] != digest
    assert load_entries(root, "en", "page")["Brouillon."][:2] == ["reviewed", None]

    path.unlink()  # the catalog is gone: so is what was compiled from it
    report = compile_language([catalogs], root, "en", Policy())
    assert report.removed == ["page"] and not mo.exists()
    assert not (root / "en/LC_MESSAGES/page.marks.json").exists()
    assert json.loads(marks.read_text())["domains"] == {}


def test_a_malformed_catalog_raises_before_anything_is_written(catalogs, tmp_path):
    (catalogs / "page.po").write_text('msgid "open\n', encoding="utf-8")
    with pytest.raises(cat.CatalogError):
        compile_language([catalogs], tmp_path / "mo", "en", Policy())
    assert not (tmp_path / "mo").exists()


def test_every_text_of_the_sites_is_translated_into_french():
    po = cat.load(wording.LOCALE_DIR / "fr" / "LC_MESSAGES" / f"{wording.DOMAIN}.po")
    assert {e.msgid for e in po.entries} == set(wording.MESSAGES)
    placeholders = re.compile(r"%\(\w+\)[sd]")
    for entry in po.entries:
        assert entry.msgstr and "fuzzy" not in entry.flags, entry.msgid
        assert sorted(placeholders.findall(entry.msgid)) == sorted(placeholders.findall(entry.msgstr)), entry.msgid


def test_every_text_the_code_shows_is_in_the_list():
    package = Path(wording.__file__).parent
    shown = [package / "wording.py", *package.glob("sphinx/*.py"), package / "publishing" / "siteroot.py",
             *package.glob("publishing/pdf/*.py")]
    source = "\n".join(p.read_text(encoding="utf-8") for p in shown)
    used = set(re.findall(r'words\(\s*"([^"]+)"', source)) | set(re.findall(r'\)\("([^"]+)"', source))
    used |= set(re.findall(r'\(\s*State\.\w+,\s*"([^"]+)"\)', source))
    used.discard("...")  # the comment showing how texts are called
    assert used and used <= set(wording.MESSAGES), used - set(wording.MESSAGES)


def test_wording_in_french():
    words = wording.Wording("fr")
    assert words("not yet translated") == "pas encore traduit"
    assert words("Read the %(language)s original", language=words.language_name("en")) == "Lire l’original anglais"
    assert words.date("2024-03-12") == "12 mars 2024"
    assert wording.autonym("fr") == "Français" and wording.autonym("en") == "English"
    assert wording.Wording("de")("outdated") == "outdated"  # a language without a catalog: English


def test_what_is_compiled_is_remembered_per_content_and_policy(catalogs, tmp_path, monkeypatch):
    from translate_pipeline.publishing import published as module

    computed: list[str] = []
    real = module._compile
    monkeypatch.setattr(module, "_compile",
                        lambda c, policy, lang, *rest: computed.append(policy.machine) or real(c, policy, lang, *rest))
    monkeypatch.setattr(cat, "_cache_dir", None)  # another test's project may have left one set
    root = tmp_path / "mo"
    compile_language([catalogs], root, "en", Policy())
    compile_language([catalogs], root, "en", Policy())
    assert computed == ["mark"]

    compile_language([catalogs], root, "en", Policy(machine="source"))  # another policy: computed for it
    assert computed == ["mark", "source"]
    assert load_entries(root, "en", "page")["Brouillon."][:2] == ["untranslated", None]

    # kept between runs with the parsed catalogs, when the cache is on disk
    cat.use_cache(tmp_path / "cache")
    for name in ("_PARSED", "_SHARED", "_DERIVED"):
        monkeypatch.setattr(cat, name, {})
    compile_language([catalogs], root, "en", Policy())
    assert computed == ["mark", "source", "mark"]
    for name in ("_PARSED", "_SHARED", "_DERIVED"):
        monkeypatch.setattr(cat, name, {})
    compile_language([catalogs], root, "en", Policy())
    assert computed == ["mark", "source", "mark"]
    assert load_entries(root, "en", "page")["Brouillon."][:2] == ["machine", None]

    path = catalogs / "page.po"  # the file changes: computed again
    path.write_text(path.read_text(encoding="utf-8").replace('msgstr "Reviewed."', 'msgstr "Read."'), encoding="utf-8")
    compile_language([catalogs], root, "en", Policy())
    assert computed == ["mark", "source", "mark", "mark"]
    with open(root / "en/LC_MESSAGES/page.mo", "rb") as handle:
        assert gettext.GNUTranslations(handle).gettext("Relu.") == "Read."
