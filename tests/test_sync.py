"""``sync`` on real Sphinx projects: every merge rule, idempotence, bad input."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import entries, obsolete, po_path, snapshot, translate, translate_all

REUNION = "rapports/reunion"
PARA = "La réunion s'est tenue au ministère des Droits des femmes, à Paris."
PARA_EN = "The meeting took place at the Ministry of Women's Rights, in Paris."


def edit(root: Path, doc: str, old: str, new: str) -> None:
    path = root / "source" / "fr" / f"{doc}.rst"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def synced(project, tp):
    """The basic project synced once, with the meeting report fully reviewed."""
    assert tp("-C", project, "sync").code == 0
    translate_all(po_path(project, REUNION))
    translate(po_path(project, REUNION), {PARA: PARA_EN})
    return project


def test_first_sync_creates_one_catalog_per_document(project, tp):
    result = tp("-C", project, "sync", "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert data["catalogs"]["created"] == 3
    assert po_path(project, "index").exists()
    assert po_path(project, REUNION).exists()  # subfolder of documents, subfolder of catalogs
    assert po_path(project, "about", "fr").exists()  # written in English: a French catalog
    assert not po_path(project, "about", "en").exists()
    reunion = entries(po_path(project, REUNION))
    assert PARA in reunion
    assert "Voir :ref:`nos-actions` et le `site du ministère <https://www.example.gouv.fr/>`_." in reunion
    assert reunion[PARA].occurrences == [("source/fr/rapports/reunion.rst", "4")]
    assert "This page was written in English and is translated into French." in entries(
        po_path(project, "about", "fr")
    )


def test_unchanged_french_keeps_entry_and_state_exactly(synced, tp):
    path = po_path(synced, REUNION)
    text = path.read_text(encoding="utf-8").replace(
        f'msgid "{PARA}"', f'# Relu par Claire.\n#, fuzzy\nmsgid "{PARA}"'
    )
    path.write_text(text, encoding="utf-8")
    edit(synced, "index", "Nos actions", "Nos actions en 2024")
    assert tp("-C", synced, "sync").code == 0
    assert path.read_text(encoding="utf-8") == text


def test_second_sync_without_change_writes_nothing(synced, tp):
    before = snapshot(synced)
    mtimes = {p: p.stat().st_mtime_ns for p in (synced / "locale").rglob("*.po")}
    result = tp("-C", synced, "sync", "--json")
    assert result.code == 0
    assert json.loads(result.out)["catalogs"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert json.loads(result.out)["documents_read"] == 0  # Sphinx kept its environment
    assert snapshot(synced) == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_changed_french_makes_the_translation_stale_with_previous_msgid(synced, tp):
    new = PARA.replace("à Paris", "à Paris, le 18 février")
    edit(synced, REUNION, PARA, new)
    result = tp("-C", synced, "sync", "--json")
    assert json.loads(result.out)["entries"]["stale"] == 1
    entry = entries(po_path(synced, REUNION))[new]
    assert entry.msgstr == PARA_EN
    assert "fuzzy" in entry.flags
    assert entry.previous_msgid == PARA
    assert "stale: French changed on" in entry.tcomment
    assert PARA not in obsolete(po_path(synced, REUNION))
    text = po_path(synced, REUNION).read_text(encoding="utf-8")
    assert "#| msgid \"La réunion s'est tenue au ministère des Droits des femmes, à Paris.\"" in text


def test_changed_twice_keeps_the_french_the_translation_was_made_for(synced, tp):
    once = PARA.replace("à Paris", "à Paris, le 18")
    twice = once.replace("le 18", "le 18 février 2014")
    edit(synced, REUNION, PARA, once)
    tp("-C", synced, "sync")
    edit(synced, REUNION, once, twice)
    tp("-C", synced, "sync")
    entry = entries(po_path(synced, REUNION))[twice]
    assert (entry.msgstr, entry.previous_msgid) == (PARA_EN, PARA)


def test_reviewed_translation_is_never_overwritten(synced, tp):
    # A new paragraph close to a reviewed one does not take its place.
    edit(synced, REUNION, PARA, PARA + "\n\n" + PARA.replace("Paris", "Lyon"))
    tp("-C", synced, "sync")
    reunion = entries(po_path(synced, REUNION))
    assert reunion[PARA].msgstr == PARA_EN and "fuzzy" not in reunion[PARA].flags
    assert reunion[PARA.replace("Paris", "Lyon")].msgstr == ""


def test_removed_french_goes_to_the_obsolete_section(synced, tp):
    gone = "Les associations ont présenté leurs revendications pour le plan d'action national."
    edit(synced, REUNION, gone, "")
    result = tp("-C", synced, "sync", "--json")
    assert json.loads(result.out)["entries"]["obsolete"] == 1
    assert gone not in entries(po_path(synced, REUNION))
    assert obsolete(po_path(synced, REUNION))[gone].msgstr == "EN: " + gone
    assert "#~ msgid" in po_path(synced, REUNION).read_text(encoding="utf-8")
    # ...and it comes back with its state when the French comes back.
    edit(synced, REUNION, PARA, PARA + "\n\n" + gone)
    tp("-C", synced, "sync")
    back = entries(po_path(synced, REUNION))[gone]
    assert back.msgstr == "EN: " + gone and "fuzzy" not in back.flags
    assert gone not in obsolete(po_path(synced, REUNION))


def test_reordered_paragraphs_keep_their_translations(synced, tp):
    second = "Les associations ont présenté leurs revendications pour le plan d'action national."
    path = synced / "source/fr/rapports/reunion.rst"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(PARA, "@@").replace(second, PARA).replace("@@", second), encoding="utf-8")
    result = tp("-C", synced, "sync", "--json")
    assert json.loads(result.out)["entries"] == {"new": 0, "stale": 0, "reused": 0, "obsolete": 0}
    reunion = entries(po_path(synced, REUNION))
    assert list(reunion).index(second) < list(reunion).index(PARA)
    assert reunion[PARA].msgstr == PARA_EN and "fuzzy" not in reunion[PARA].flags


def test_paragraph_moved_to_another_document_keeps_its_translation(synced, tp):
    edit(synced, REUNION, PARA, "")
    edit(synced, "index", "Nos actions\n-----------\n", f"Nos actions\n-----------\n\n{PARA}\n")
    result = tp("-C", synced, "sync", "--json")
    data = json.loads(result.out)
    assert data["entries"]["reused"] == 1 and data["entries"]["obsolete"] == 0
    moved = entries(po_path(synced, "index"))[PARA]
    assert moved.msgstr == PARA_EN and "fuzzy" not in moved.flags
    assert PARA not in obsolete(po_path(synced, REUNION))


def test_renamed_document_keeps_translations_and_old_catalog_is_orphaned(synced, tp):
    src = synced / "source/fr/rapports"
    (src / "reunion.rst").rename(src / "reunion-2014.rst")
    edit(synced, "index", "rapports/reunion", "rapports/reunion-2014")
    result = tp("-C", synced, "sync", "--json")
    data = json.loads(result.out)
    assert data["orphaned"] == ["locale/en/LC_MESSAGES/rapports/reunion.po"]
    assert po_path(synced, REUNION).exists()  # kept, not deleted
    renamed = entries(po_path(synced, "rapports/reunion-2014"))
    assert renamed[PARA].msgstr == PARA_EN and "fuzzy" not in renamed[PARA].flags
    assert all(e.msgstr for e in renamed.values())


def test_deleted_document_catalog_is_kept_and_reported(synced, tp):
    before = po_path(synced, REUNION).read_bytes()
    (synced / "source/fr/rapports/reunion.rst").unlink()
    edit(synced, "index", "   rapports/reunion\n", "")
    result = tp("-C", synced, "sync")
    assert result.code == 0
    assert "Orphaned" in result.out and "rapports/reunion.po" in result.out
    assert po_path(synced, REUNION).read_bytes() == before
    status = json.loads(tp("-C", synced, "status", "--json").out)
    assert status["orphaned"] == ["locale/en/LC_MESSAGES/rapports/reunion.po"]


def test_every_catalog_passes_msgfmt_check(synced, tp):
    edit(synced, REUNION, PARA, PARA.replace("Paris", "Paris (France)"))
    edit(synced, REUNION, "* Protéger les mineurs non accompagnés.\n", "")
    tp("-C", synced, "sync")
    catalogs = list((synced / "locale").rglob("*.po"))
    assert len(catalogs) == 3
    for path in catalogs:
        check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, (path, check.stderr)


@pytest.mark.parametrize(
    ("damage", "line", "words"),
    [
        ('msgid "unterminated\nmsgstr ""\n', 1, "unterminated"),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4, "duplicate entry"),
        ('msgid "a"\nmsgstr\n', 2, "msgstr without a quoted string"),
        ("\xff\xfe binary", None, "not UTF-8"),
    ],
)
def test_malformed_catalog_stops_the_run_and_nothing_is_written(synced, tp, damage, line, words):
    edit(synced, REUNION, PARA, PARA + " Modifié.")  # there is something to write
    bad = po_path(synced, "index")
    raw = bad.read_bytes()
    header_end = raw.index(b"\n\n") + 2
    if damage.startswith("\xff"):
        bad.write_bytes(raw[:header_end] + b'msgid "\xff\xfe"\nmsgstr ""\n')
        line = raw[:header_end].count(b"\n") + 1
    else:
        bad.write_bytes(raw[:header_end] + damage.encode())
        line = raw[:header_end].count(b"\n") + line
    before = snapshot(synced)
    result = tp("-C", synced, "sync")
    assert result.code == 2
    assert f"{bad}:{line}:" in result.err, result.err
    assert words in result.err
    assert "Traceback" not in result.err
    assert snapshot(synced) == before


def test_concurrent_run_is_told_the_catalogs_are_locked(synced, tp):
    from filelock import FileLock

    with FileLock(synced / "_build/translate-pipeline/catalogs.lock"):
        result = tp("-C", synced, "sync")
    assert result.code == 3
    assert "another translate-pipeline run" in result.err


def test_stale_match_threshold_is_a_setting(synced, tp):
    new = "La réunion a eu lieu à Lyon, dans les locaux de la préfecture."
    edit(synced, REUNION, PARA, new)
    tp("-C", synced, "--set", "stale_match_threshold=0.95", "sync")
    assert entries(po_path(synced, REUNION))[new].msgstr == ""
    assert obsolete(po_path(synced, REUNION))[PARA].msgstr == PARA_EN
    # With a lower threshold the obsolete translation is not matched again (it is
    # kept where it is); a fresh change close enough is.
    edit(synced, REUNION, new, "La réunion a eu lieu à Lyon, dans les locaux de la préfecture du Rhône.")
    tp("-C", synced, "--set", "stale_match_threshold=0.5", "sync")
    assert obsolete(po_path(synced, REUNION))[PARA].msgstr == PARA_EN


def test_sources_in_both_languages_with_the_same_page_is_an_error(project, tp):
    shutil.copy(project / "source/fr/index.rst", project / "source/en/index.rst")
    result = tp("-C", project, "sync")
    assert result.code == 2
    assert "source/en/index.rst" in result.err and "one language only" in result.err


def test_a_crash_between_two_catalog_writes_is_completed_by_the_next_run(synced, tp, monkeypatch):
    """A paragraph moved between pages leaves one catalog and enters another:
    a crash after the first rename must not lose it."""
    from translate_pipeline import files as catalog

    edit(synced, REUNION, PARA, "")
    edit(synced, "index", "Nos actions\n-----------\n", f"Nos actions\n-----------\n\n{PARA}\n")
    real_exchange = catalog._exchange  # how a catalog is put in place
    calls = []

    def power_cut(src, dst):
        if str(dst).endswith(".po") and calls:
            raise OSError("power cut")
        calls.append(dst)
        return real_exchange(src, dst)

    monkeypatch.setattr(catalog, "_exchange", power_cut)
    cut = tp("-C", synced, "sync")
    assert cut.code == 2 and "power cut" in cut.err and "Traceback" not in cut.err
    monkeypatch.setattr(catalog, "_exchange", real_exchange)
    assert (synced / "_build/translate-pipeline/commit.journal").exists()
    assert tp("-C", synced, "sync").code == 0
    assert entries(po_path(synced, "index"))[PARA].msgstr == PARA_EN
    assert PARA not in entries(po_path(synced, REUNION))
    assert not list((synced / "locale").rglob("*.tp-tmp"))
    assert not (synced / "_build/translate-pipeline/commit.journal").exists()


def test_ctrl_c_while_writing_leaves_every_catalog_as_it_was(synced, tp, monkeypatch):
    from translate_pipeline import files as catalog

    edit(synced, REUNION, PARA, PARA + " Modifié.")
    edit(synced, "index", "Nos actions", "Nos actions en 2024")
    before = snapshot(synced)
    real_stage = catalog._stage
    staged = []

    def interrupted(path, text):
        if staged:
            raise KeyboardInterrupt
        staged.append(path)
        return real_stage(path, text)

    monkeypatch.setattr(catalog, "_stage", interrupted)
    result = tp("-C", synced, "sync")
    assert result.code == 130
    assert snapshot(synced) == before
    assert not list((synced / "locale").rglob("*.tp-tmp"))


def test_a_catalog_rewrapped_by_another_editor_is_not_rewritten(synced, tp):
    path = po_path(synced, REUNION)
    done = subprocess.run(["msgcat", "--width=60", str(path), "-o", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rewrapped = path.read_bytes()
    assert tp("-C", synced, "sync").code == 0
    assert path.read_bytes() == rewrapped


@pytest.mark.slow
def test_catalogs_parsed_by_an_earlier_run_are_read_again_once_edited(synced):
    """Runs keep parsed catalogs in _build; a translator's edit in between is seen."""
    import sys

    def status_json():
        done = subprocess.run(
            [sys.executable, "-m", "translate_pipeline", "-C", str(synced), "status", "--json"],
            capture_output=True, text=True,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def run_sync():
        done = subprocess.run([sys.executable, "-m", "translate_pipeline", "-C", str(synced), "sync", "-q"])
        assert done.returncode == 0

    run_sync()
    cache = synced / "_build/translate-pipeline/catalogs"
    assert any(cache.rglob("*"))
    before = next(c for c in status_json()["catalogs"] if c["domain"] == "index")
    translate(po_path(synced, "index"), {"Accueil": "Home"})
    run_sync()
    after = next(c for c in status_json()["catalogs"] if c["domain"] == "index")
    assert after["entries"]["reviewed"] == before["entries"]["reviewed"] + 1
    kept = [path for path in cache.rglob("*") if path.is_file()]
    for path in kept:  # a damaged cache is only a slower run
        path.write_bytes(b"damaged")
    run_sync()
    assert entries(po_path(synced, "index"))["Accueil"].msgstr == "Home"
    assert status_json()["catalogs"] == status_json()["catalogs"]
    assert next(c for c in status_json()["catalogs"] if c["domain"] == "index") == after
    # what the cache holds of the catalog before the translator's edit is gone
    assert len([path for path in cache.rglob("*") if path.is_file()]) <= len(kept)


# Eleven six-letter words fill a 76-character line: where gettext (77 columns
# of text between the quotes) keeps the space at the end of the line, a naive
# wrapper starts the next line with it.
LONG = " ".join(["Traite", "forcée", "menace", "police", "emploi", "refuge"] * 6) + "."


def test_catalogs_are_wrapped_as_gettext_tools_wrap_them(synced, tp):
    """A catalog saved by msgmerge/msgcat (or a PO editor wrapping the same way)
    and then changed by sync differs only where something really changed."""
    page = synced / "source" / "fr" / "plaidoyer.rst"
    page.write_text(f":orphan:\n\nPlaidoyer\n=========\n\n{LONG}\n\nUne phrase courte.\n", encoding="utf-8")
    tp("-C", synced, "sync")
    path = po_path(synced, "plaidoyer")
    translate(path, {LONG: " ".join(["forced", "threat", "police", "labour", "refuge"] * 7) + ".", "Plaidoyer": "Advocacy"})
    done = subprocess.run(["msgcat", str(path), "-o", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    gettext_text = path.read_text(encoding="utf-8")
    page.write_text(page.read_text(encoding="utf-8").replace("Une phrase courte.", "Une autre phrase."), encoding="utf-8")
    assert tp("-C", synced, "sync").code == 0
    changed = [
        line
        for line in difflib.unified_diff(gettext_text.splitlines(), path.read_text(encoding="utf-8").splitlines(), n=0, lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == ['-msgid "Une phrase courte."', '+msgid "Une autre phrase."']
