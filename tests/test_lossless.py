"""Nothing a person wrote is lost: saves made while a command runs, a run that
died half-way, and every catalog shape gettext accepts.

Real projects on disk, the real CLI, real catalogs read back with polib and
checked with ``msgfmt --check``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import polib
import pytest
from conftest import entries, examples, obsolete, po_path, translate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_pipeline.catalogs import catalog as cat
from translate_pipeline import files
from translate_pipeline.catalogs import sync as sync_module
from translate_pipeline.drafting.draft import draft
from translate_pipeline.drafting.engines import Draft, Engine
from translate_pipeline.errors import CatalogChanged
from translate_pipeline.catalogs.merge import Incoming
from translate_pipeline.project.settings import load_project
from translate_pipeline.catalogs.sync import journal_path, update_catalogs

from test_sync import PARA, PARA_EN, REUNION, edit, synced  # noqa: F401  (synced: the fixture)

TITLE = "Réunion de février 2014"


def msgfmt_check(path: Path) -> None:
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, (done.stderr, path.read_text(encoding="utf-8"))


# -- a save made while a command runs --------------------------------------------


def test_a_save_made_while_sync_runs_is_merged_again_not_overwritten(synced, tp, monkeypatch):
    """The translator saves the catalog after sync read it and before it wrote it."""
    edit(synced, REUNION, PARA, PARA + " Modifié.")
    path = po_path(synced, REUNION)
    real_merge = sync_module.merge
    saves = []

    def merge_then_a_save(*args, **kwargs):
        merged = real_merge(*args, **kwargs)
        if not saves:  # a PO editor saves once, while the merge is being written
            translate(path, {TITLE: "February 2014 meeting, as the translator saved it"})
            saves.append(path.read_bytes())
        return merged

    monkeypatch.setattr(sync_module, "merge", merge_then_a_save)
    result = tp("-C", synced, "sync")
    assert result.code == 0, result
    assert "locale/en/LC_MESSAGES/rapports/reunion.po was saved while sync ran: merged again" in result.err
    after = entries(path)
    assert after[TITLE].msgstr == "February 2014 meeting, as the translator saved it"
    changed = after[PARA + " Modifié."]
    assert changed.msgstr == PARA_EN and "fuzzy" in changed.flags  # sync's own change is there too
    msgfmt_check(path)
    again = tp("-C", synced, "sync", "--json")
    assert json.loads(again.out)["merged_again"] == []
    assert entries(path)[TITLE].msgstr == "February 2014 meeting, as the translator saved it"


def test_sync_stops_naming_the_catalog_when_it_keeps_changing(synced, tp, monkeypatch):
    edit(synced, REUNION, PARA, PARA + " Modifié.")
    path = po_path(synced, REUNION)
    real_merge = sync_module.merge
    count = iter(range(1000))
    saves = []

    def merge_then_a_save(*args, **kwargs):
        merged = real_merge(*args, **kwargs)
        translate(path, {TITLE: f"Saved again {next(count)}"})
        saves.append(path.read_bytes())
        return merged

    monkeypatch.setattr(sync_module, "merge", merge_then_a_save)
    result = tp("-C", synced, "sync")
    assert result.code == 3
    assert ("locale/en/LC_MESSAGES/rapports/reunion.po changed on disk while sync ran" in result.err
            and "nothing was overwritten: run it again" in result.err)
    assert path.read_bytes() == saves[-1]
    assert not list((synced / "locale").rglob("*.tp-tmp"))
    assert not journal_path(load_project(synced)).exists()


class SavingEngine(Engine):
    """An engine during whose work the translator saves the catalog."""

    name = "saving"

    def __init__(self, save) -> None:
        self.save = save

    def translate(self, segments, source, target):
        self.save()
        return [Draft(f"EN {s.text}", 0, "saving") for s in segments]


def test_a_save_made_while_draft_runs_keeps_the_persons_entries_and_gets_the_other_drafts(project, tp):
    assert tp("-C", project, "sync").code == 0
    path = po_path(project, REUNION)
    saved = []

    def save():
        if not saved:
            translate(path, {PARA: PARA_EN, TITLE: "February 2014 meeting"})
            saved.append(True)

    result = draft(load_project(project), [SavingEngine(save)])
    after = entries(path)
    assert after[PARA].msgstr == PARA_EN and "fuzzy" not in after[PARA].flags  # the person's, not the draft
    assert after[TITLE].msgstr == "February 2014 meeting"
    drafted = [e for e in after.values() if e.msgid not in (PARA, TITLE)]
    assert drafted and all(e.msgstr == f"EN {e.msgid}" and "fuzzy" in e.flags for e in drafted)
    assert result.merged_again == ["locale/en/LC_MESSAGES/rapports/reunion.po"]
    assert result.kept_theirs == 2
    msgfmt_check(path)


def test_write_catalogs_refuses_a_catalog_changed_since_read(synced):
    """The API of any writer (the review page): write it if it is still what I read."""
    project = load_project(synced)
    path = po_path(synced, REUNION)
    catalog = cat.load(path)
    catalog.entries[0].msgstr = "Mine"
    translate(path, {TITLE: "Theirs"})
    theirs = path.read_bytes()
    with pytest.raises(CatalogChanged) as raised:
        cat.write_catalogs([catalog], journal_path(project))
    assert raised.value.paths == [path]
    assert path.read_bytes() == theirs
    assert not journal_path(project).exists() and not list(path.parent.glob(".*.tp-tmp"))
    # applied to the new file, the change to another entry goes in; the same entry stays theirs
    catalog.entries[1].msgstr = "Also mine"
    rebased = cat.rebase(catalog)
    assert (rebased.applied, rebased.kept_theirs) == (1, 1)
    cat.write_catalogs([catalog], journal_path(project))
    after = list(entries(path).values())
    assert after[0].msgstr == "Theirs" and after[1].msgstr == "Also mine"


def test_a_new_catalog_made_meanwhile_by_someone_else_is_not_overwritten(project):
    path = project / "locale/en/LC_MESSAGES/nouveau.po"
    mine = cat.new_catalog(path, "en", "P", cat.plural_forms("en"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "b"\n')
    with pytest.raises(CatalogChanged):
        cat.write_catalogs([mine], project / "journal")
    assert entries(path)["a"].msgstr == "b"


# -- a run that died half-way ----------------------------------------------------


def sync_dies_after_first_rename(root: Path, monkeypatch) -> None:
    """A paragraph leaves the meeting report for the home page (two catalogs
    change) and sync dies once the first catalog is renamed into place."""
    from translate_pipeline.cli import run

    edit(root, REUNION, PARA, "")
    edit(root, "index", "Nos actions\n-----------\n", f"Nos actions\n-----------\n\n{PARA}\n")
    real_exchange = files._exchange
    calls = []

    def power_cut(src, dst):
        if str(dst).endswith(".po"):
            if calls:
                raise OSError("power cut")
            calls.append(dst)
        return real_exchange(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(files, "_exchange", power_cut)
        assert run(["-C", str(root), "sync"]) == 2


def test_a_journal_is_not_replayed_over_a_catalog_saved_since(synced, tp, monkeypatch):
    sync_dies_after_first_rename(synced, monkeypatch)
    pending = json.loads(journal_path(load_project(synced)).read_text())
    # the catalog swapped in place has the file it replaced at its temporary name
    left = [Path(item["path"]) for item in pending
            if Path(item["tmp"]).exists() and files.current_digest(Path(item["tmp"])) != item["replaces"]]
    assert len(left) == 1
    [person] = left
    # The translator saves that catalog before anything runs again.
    po = polib.pofile(str(person))
    po[0].msgstr = "Saved after the crash"
    po.save(str(person))

    status = tp("-C", synced, "status")
    assert "A run was interrupted while writing catalogs" in status.out
    result = tp("-C", synced, "sync")
    assert result.code == 0, result
    assert entries(person)[po[0].msgid].msgstr == "Saved after the crash"
    [aside] = files.set_aside_files(synced / "locale")
    assert aside.name.startswith(person.name + ".pending-")
    relative_person = person.relative_to(synced).as_posix()
    assert (f"A previous run was interrupted while writing {relative_person}, which was saved since"
            in result.err) and aside.relative_to(synced).as_posix() in result.err
    assert PARA not in entries(aside) and PARA in entries(po_path(synced, "index"))  # what the dead run meant
    status = tp("-C", synced, "status", "--json")
    data = json.loads(status.out)
    assert data["interrupted_run"] is False
    assert data["set_aside"] == [{"catalog": relative_person, "pending": aside.relative_to(synced).as_posix()}]
    # the translation the crashed run moved is still somewhere
    texts = {t for _, p in cat.iter_catalogs(synced / "locale/en/LC_MESSAGES") for e in polib.pofile(str(p))
             for t in cat.translations(e)}
    assert PARA_EN in texts


def test_a_journal_is_replayed_onto_the_catalog_it_was_made_from(synced, tp, monkeypatch):
    sync_dies_after_first_rename(synced, monkeypatch)
    result = tp("-C", synced, "sync", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert len(data["interrupted_run"]["completed"]) == 1 and data["interrupted_run"]["set_aside"] == []
    assert entries(po_path(synced, "index"))[PARA].msgstr == PARA_EN
    assert not files.set_aside_files(synced / "locale")


# -- catalog shapes gettext accepts ------------------------------------------------

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: en\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n')


def sync_catalog(tmp_path: Path, text: str, messages: list[str], others: dict[str, str] | None = None) -> Path:
    """The catalog ``kit.po`` holding ``text``, merged with the French ``messages``."""
    root = tmp_path / "shapes"
    (root / "source" / "fr").mkdir(parents=True)
    (root / "conf.py").write_text("project = 'P'\n")
    catalogs = root / "locale/en/LC_MESSAGES"
    catalogs.mkdir(parents=True)
    (catalogs / "kit.po").write_text(HEADER + text, encoding="utf-8")
    incoming = {"kit": [Incoming(m) for m in messages]}
    for domain, other in (others or {}).items():
        (catalogs / f"{domain}.po").write_text(HEADER + other, encoding="utf-8")
        incoming.setdefault(domain, [])
    update_catalogs(load_project(root), {"en": incoming})
    return catalogs / "kit.po"


def all_translations(directory: Path) -> set[str]:
    return {t for _, p in cat.iter_catalogs(directory) for e in polib.pofile(str(p)) for t in cat.translations(e)}


def test_an_obsolete_entry_repeating_a_live_one_keeps_both_translations(tmp_path):
    path = sync_catalog(tmp_path, (
        '\nmsgid "2 vis M3-16"\nmsgstr "2 M3-16 screw"\n\nmsgid "Un écrou"\nmsgstr "A nut"\n'
        '\n#~ msgid "2 vis M3-16"\n#~ msgstr "2 screws M3-16"\n'
    ), ["2 vis M3-16", "Une rondelle"])
    live = entries(path)["2 vis M3-16"]
    assert live.msgstr == "2 M3-16 screw"
    assert 'earlier translation: "2 screws M3-16"' in live.tcomment
    assert "# earlier translation: \"2 screws M3-16\"\nmsgid \"2 vis M3-16\"" in path.read_text()
    assert obsolete(path)["Un écrou"].msgstr == "A nut"
    msgfmt_check(path)


def test_a_long_earlier_translation_stays_on_one_comment_line(tmp_path):
    long = "Two screws " * 12 + "\nand a line break"
    path = sync_catalog(tmp_path, (
        f'\nmsgid "Vis"\nmsgstr "Screws"\n\n#~ msgid "Vis"\n#~ msgstr "{polib.escape(long)}"\n'
    ), ["Vis", "Autre"])
    assert cat.translations(entries(path)["Vis"]) == ["Screws", long]
    msgfmt_check(path)


def test_plural_and_context_entries_whose_text_is_gone_go_to_the_obsolete_section(tmp_path):
    path = sync_catalog(tmp_path, (
        '\nmsgid "Deux écrous"\nmsgid_plural "%d écrous"\nmsgstr[0] "Two nuts"\nmsgstr[1] "%d nuts"\n'
        '\nmsgctxt "menu"\nmsgid "Ouvrir"\nmsgstr "Open"\n'
        '\nmsgid "Ouvrir"\nmsgstr "To open"\n'
    ), ["Ouvrir", "Fermer"])
    gone = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path)) if e.obsolete}
    assert gone[(None, "Deux écrous")].msgstr_plural == {0: "Two nuts", 1: "%d nuts"}
    assert gone[(None, "Deux écrous")].msgid_plural == "%d écrous"
    assert gone[("menu", "Ouvrir")].msgstr == "Open"
    assert entries(path)["Ouvrir"].msgstr == "To open"
    msgfmt_check(path)


def test_a_plural_entry_still_in_the_pages_stays_a_plural_entry(tmp_path):
    path = sync_catalog(tmp_path, (
        '\nmsgid "Deux écrous"\nmsgid_plural "%d écrous"\nmsgstr[0] "Two nuts"\nmsgstr[1] "%d nuts"\n'
    ), ["Deux écrous", "Fermer"])
    entry = entries(path)["Deux écrous"]
    assert entry.msgid_plural == "%d écrous" and entry.msgstr_plural == {0: "Two nuts", 1: "%d nuts"}
    msgfmt_check(path)


def test_two_obsolete_translations_of_one_text_are_both_kept(tmp_path):
    """The live translation goes obsolete where an older obsolete one already is."""
    path = sync_catalog(tmp_path, (
        '\nmsgid "Vis"\nmsgstr "Screws"\n\n#~ msgid "Vis"\n#~ msgstr "Bolts"\n'
    ), ["Tout autre chose ici"])
    [gone] = [e for e in polib.pofile(str(path)) if e.obsolete and e.msgid == "Vis"]
    assert cat.translations(gone) == ["Screws", "Bolts"]
    msgfmt_check(path)


def test_different_translations_of_one_text_in_two_catalogs_are_both_kept(tmp_path):
    path = sync_catalog(tmp_path, '\nmsgid "Vis"\nmsgstr "Screws"\n', ["Écrous"],
                        others={"autre": '\nmsgid "Vis"\nmsgstr "Bolts"\n'})
    texts = all_translations(path.parent)
    assert {"Screws", "Bolts"} <= texts


# Random catalogs of every shape above, merged with random French: no
# translation text present before is absent after, and msgfmt accepts the result.

TEXTS = ["Vis", "Écrou", "Rondelle", "Deux vis", "Une clé plate", "Le tournevis"]
translation_text = st.text(alphabet="abcdeé \n\"\\%", min_size=1, max_size=12).filter(
    lambda t: t.strip() and t[0] != "\n" and t[-1] != "\n")  # msgfmt: a msgstr ends with \n as its msgid does


@st.composite
def catalog_entries(draw):
    rendered, seen = [], set()
    for _ in range(draw(st.integers(0, 7))):
        msgid = draw(st.sampled_from(TEXTS))
        context = draw(st.sampled_from([None, None, "menu"]))
        plural = draw(st.booleans()) and context is None
        obsolete = draw(st.booleans())
        key = (context, msgid, obsolete)
        if key in seen or (not obsolete and (context, msgid, True) in seen):
            continue  # gettext allows one live entry per text; obsolete repeats are drawn below
        seen.add(key)
        lead = "#~ " if obsolete else ""
        lines = []
        if draw(st.booleans()) and not obsolete:
            lines.append("#, fuzzy")
        if context:
            lines.append(f'{lead}msgctxt "{context}"')
        lines.append(f'{lead}msgid "{polib.escape(msgid)}"')
        if plural:
            lines.append(f'{lead}msgid_plural "{polib.escape(msgid)} (n)"')
            for n in range(2):
                lines.append(f'{lead}msgstr[{n}] "{polib.escape(draw(translation_text))}"')
        else:
            text = draw(st.one_of(st.just(""), translation_text))
            lines.append(f'{lead}msgstr "{polib.escape(text)}"')
        rendered.append((obsolete, "\n".join(lines)))
    rendered.sort(key=lambda item: item[0])  # live entries first, then the obsolete section
    return "".join("\n" + text + "\n" for _, text in rendered)


@settings(max_examples=examples(120), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kit=catalog_entries(), other=catalog_entries(),
       messages=st.lists(st.sampled_from(TEXTS + ["Neuf", "Vis neuve"]), unique=True, max_size=5))
def test_no_translation_text_disappears_from_any_catalog_shape(tmp_path_factory, kit, other, messages):
    tmp = tmp_path_factory.mktemp("shape")
    catalogs = tmp / "shapes/locale/en/LC_MESSAGES"
    before = set()
    for text in (kit, other):
        before |= {t for e in polib.pofile(HEADER + text) for t in cat.translations(e)}
    sync_catalog(tmp, kit, messages, others={"autre": other})
    assert before <= all_translations(catalogs)
    for domain, path in cat.iter_catalogs(catalogs):
        if path.read_text(encoding="utf-8") != HEADER + {"kit": kit, "autre": other}[domain]:
            msgfmt_check(path)  # every catalog sync writes; one it leaves alone stays as it was


def test_a_journal_of_an_earlier_version_sets_its_pending_writes_aside(tmp_path):
    """Such a journal does not say what each write replaces: the files stay, nothing is lost."""
    catalog = tmp_path / "locale" / "x.po"
    catalog.parent.mkdir()
    catalog.write_text("the person's file\n")
    pending = tmp_path / "locale" / f".x.po.1{files.TMP_SUFFIX}"
    pending.write_text("what the dead run computed\n")
    journal = tmp_path / "commit.journal"
    journal.write_text(json.dumps([[str(pending), str(catalog)]]))
    recovery = files.recover(journal, [tmp_path / "locale"])
    assert catalog.read_text() == "the person's file\n"
    [(kept, aside)] = recovery.set_aside
    assert kept == catalog and aside.read_text() == "what the dead run computed\n"
    assert not journal.exists() and not pending.exists()
