"""``translate-pipeline draft`` end to end: real catalogs, the real DeepL client, a local server."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess

import pytest
from conftest import entries, po_path, snapshot, translate, translate_all

from translate_pipeline.catalogs import catalog as cat
from translate_pipeline.cli import EXIT_ENGINE, EXIT_INPUT, EXIT_INTERRUPTED, DraftProgressBar
from translate_pipeline.drafting.engines import deepl as deepl_engine
from translate_pipeline.drafting.engines.deepl import RetryPolicy
from translate_pipeline.checks.markup import protect

REUNION = "rapports/reunion"
PARA = "La réunion s'est tenue au ministère des Droits des femmes, à Paris."
LINKS = "Voir :ref:`nos-actions` et le `site du ministère <https://www.example.gouv.fr/>`_."
ITEM = "Mieux identifier les victimes."
LONG_TITLE = "Rapport détaillé"
LONG_PARAGRAPHS = [f"Le rapport numéro {n} de la réunion est très complet." for n in range(120)]


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(deepl_engine, "DEFAULT_RETRY", RetryPolicy(attempts=2, first_delay=0.01, timeout=1.0))


def assert_valid(root):
    """Every catalog passes gettext's own check."""
    for path in sorted((root / "locale").rglob("*.po")):
        done = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, f"{path}: {done.stderr}"


def add_page(root, docname, title, paragraphs):
    path = root / "source" / "fr" / f"{docname}.rst"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(paragraphs)
    path.write_text(f"{title}\n{'=' * len(title)}\n\n{body}\n", encoding="utf-8")


def write_glossary(root, rows):
    path = root / "glossary" / "fr-en.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text("french,english,note\n" + "".join(f"{a},{b},\n" for a, b in rows), encoding="utf-8")


def machine_entries(root):
    return {
        e.msgid: e
        for path in sorted((root / "locale").rglob("*.po"))
        for e in cat.load(path).entries
        if cat.entry_state(e) is cat.State.MACHINE
    }


def sent_texts(server):
    """Every text DeepL answered, in order."""
    return [t for r in server.translations() if r.status == 200 for t in r.texts]


def catalogs_of(files):
    return {path: data for path, data in files.items() if path.startswith("locale/")}


def clear(path):
    """A reviewer throws every translation of the catalog away."""
    translate(path, {msgid: "" for msgid in entries(path)})


def as_json(result):
    assert result.out, result
    return json.loads(result.out)


@pytest.fixture
def synced(project, tp):
    assert tp("-C", project, "sync", "--quiet").code == 0
    return project


@pytest.fixture
def long_page(project, tp):
    """The basic project with a page of 121 messages, synced."""
    add_page(project, "long", LONG_TITLE, LONG_PARAGRAPHS)
    assert tp("-C", project, "sync", "--quiet").code == 0
    return project


# --- the memory ------------------------------------------------------------------


def test_memory_drafts_copied_paragraphs_without_calling_deepl(project, tp, deepl_server):
    add_page(project, "compte-rendu", "Compte rendu", [PARA])
    assert tp("-C", project, "sync", "--quiet").code == 0
    for domain, language in (("index", "en"), (REUNION, "en"), ("about", "fr")):
        translate_all(po_path(project, domain, language))  # a translator reviewed those pages
    translate(po_path(project, "compte-rendu"), {"Compte rendu": "Minutes"})
    near = LINKS.replace("Voir", "Voir aussi")
    add_page(project, "compte-rendu", "Compte rendu", [PARA, near])
    assert tp("-C", project, "sync", "--quiet").code == 0

    result = tp("-C", project, "--set", 'engines=["memory", "deepl"]', "draft")

    assert result.code == 0, result
    assert deepl_server.requests == []
    page = entries(po_path(project, "compte-rendu"))
    assert page[PARA].msgstr == "EN: " + PARA
    assert cat.draft_origin(page[PARA]) == f"memory exact (rapports/reunion.po) {cat.today()}"
    assert page[near].msgstr == "EN: " + LINKS and cat.draft_origin(page[near]).startswith("memory 9")
    assert all("fuzzy" in page[m].flags for m in (PARA, near))
    assert "en (from fr): 2 entries to draft; 2 drafted (memory 2), 0 left" in result.out
    assert "Sent: 0 segments, 0 characters billed, 0 requests." in result.out
    assert_valid(project)


def test_a_draft_that_fails_the_markup_check_is_not_stored(project, tp):
    assert tp("-C", project, "sync", "--quiet").code == 0
    translate(po_path(project, REUNION), {LINKS: "See what we do."})  # the translator dropped the links
    near = LINKS.replace("Voir", "Voir aussi")
    add_page(project, "compte-rendu", "Compte rendu", [near])
    assert tp("-C", project, "sync", "--quiet").code == 0
    before = po_path(project, "compte-rendu").read_text(encoding="utf-8")

    result = tp("-C", project, "draft", "compte-rendu")

    assert result.code == 0, result
    entry = entries(po_path(project, "compte-rendu"))[near]
    assert cat.entry_state(entry) is cat.State.UNTRANSLATED and entry.msgstr == ""
    assert entry.tcomment == "draft check failed: URL https://www.example.gouv.fr/ missing (+1 more)"
    assert "Check failed: 1 entry got no draft (it lost markup); see '# draft check failed:' in its catalog." in result.out
    after = po_path(project, "compte-rendu").read_text(encoding="utf-8")
    assert after.replace(f"# {entry.tcomment}\n", "") == before  # only the comment was added
    assert tp("-C", project, "draft", "compte-rendu").code == 0
    assert po_path(project, "compte-rendu").read_text(encoding="utf-8") == after  # a rerun changes nothing
    assert_valid(project)


# --- DeepL ---------------------------------------------------------------------


def test_deepl_drafts_in_full_batches_with_xml_tags_and_the_glossary(long_page, tp, deepl_server):
    write_glossary(long_page, [("réunion", "meeting"), ("rapport", "report")])

    result = tp("-C", long_page, "draft", "--engine", "deepl")

    assert result.code == 0, result
    [created] = [r for r in deepl_server.requests if r.path == "/v3/glossaries" and r.method == "POST"]
    [glossary_id] = deepl_server.glossaries
    translations = deepl_server.translations()
    assert all(r.tag_handling == "xml" and r.glossary_id == glossary_id for r in translations)
    assert [len(r.texts) for r in translations if r.context == LONG_TITLE] == [50, 50, 21]
    assert all(len(r.texts) <= 50 for r in translations)
    assert len(sent_texts(deepl_server)) == len(set(sent_texts(deepl_server)))  # each text once
    drafted = entries(po_path(long_page, "long"))[LONG_PARAGRAPHS[7]]
    assert drafted.msgstr == "The report numéro 7 of the meeting is very complet."
    assert cat.draft_origin(drafted) == f"deepl {cat.today()}" and "fuzzy" in drafted.flags
    links = entries(po_path(long_page, REUNION))[LINKS]
    assert links.msgstr == "See :ref:`nos-actions` and the `site of the ministry <https://www.example.gouv.fr/>`_."
    requests = len(deepl_server.requests)
    assert f"Sent: {len(sent_texts(deepl_server))} segments, {deepl_server.character_count} characters billed, " \
        f"{requests} requests." in result.out
    assert created.name.startswith("translate-pipeline Test collective ")
    assert_valid(long_page)


def test_missing_glossary_terms_are_noted(synced, tp, deepl_server):
    write_glossary(synced, [("ministère", "department")])
    deepl_server.rewrite = lambda text: text.replace("department", "ministry")  # DeepL ignored the glossary
    result = tp("-C", synced, "draft", "--engine", "deepl", "--json")
    assert result.code == 0, result
    assert as_json(result)["totals"]["glossary_missing"] == 2
    assert "glossary: ministère -> department" in entries(po_path(synced, REUNION))[PARA].tcomment.splitlines()
    assert_valid(synced)


@pytest.mark.slow
def test_the_glossary_is_made_once_and_reused(synced, tp, deepl_server):
    write_glossary(synced, [("réunion", "meeting")])
    old = deepl_server.add_glossary("translate-pipeline Test collective 0123456789abcdef", {("fr", "en"): {"a": "b"}})
    other = deepl_server.add_glossary("someone else's", {("fr", "en"): {"a": "b"}})
    first = as_json(tp("-C", synced, "draft", "--engine", "deepl", "--json"))
    made = first["glossary"]["glossary_id"]
    assert first["glossary"]["created"] is True and first["glossary"]["deleted"] == [old]
    assert set(deepl_server.glossaries) == {other, made}
    assert len([r for r in deepl_server.requests if r.path == "/v3/glossaries" and r.method == "POST"]) == 1

    add_page(synced, "nouvelle", "Nouvelle page", ["Un texte."])
    assert tp("-C", synced, "sync", "--quiet").code == 0
    reused = as_json(tp("-C", synced, "draft", "--engine", "deepl", "--json"))
    assert reused["glossary"] == {**first["glossary"], "created": False, "deleted": []}
    assert deepl_server.translations()[-1].glossary_id == made

    clear(po_path(synced, REUNION))
    write_glossary(synced, [("réunion", "meeting"), ("mairie", "town hall")])  # new content
    second = as_json(tp("-C", synced, "draft", "--engine", "deepl", "--json"))
    assert second["glossary"]["created"] is True and second["glossary"]["deleted"] == [made]
    assert set(deepl_server.glossaries) == {other, second["glossary"]["glossary_id"]}
    assert second["totals"]["segments"] > 0  # another glossary, other drafts: none from the cache
    assert_valid(synced)


def test_a_rerun_and_a_cleared_entry_send_nothing(synced, tp, deepl_server):
    write_glossary(synced, [("réunion", "meeting")])
    first = as_json(tp("-C", synced, "draft", "--engine", "deepl", "--json"))
    requests = len(deepl_server.requests)
    assert first["totals"]["segments"] > 0 and first["totals"]["requests"] == requests
    files = snapshot(synced)

    again = as_json(tp("-C", synced, "draft", "--engine", "deepl", "--json"))
    assert len(deepl_server.requests) == requests  # not even the glossary is looked at
    assert again["totals"]["pending"] == 0 and again["totals"]["requests"] == 0
    assert snapshot(synced) == files

    translate(po_path(synced, REUNION), {LINKS: ""})  # a reviewer threw the draft away
    assert cat.entry_state(entries(po_path(synced, REUNION))[LINKS]) is cat.State.UNTRANSLATED
    cleared = as_json(tp("-C", synced, "draft", "--engine", "deepl", "--json"))
    assert len(deepl_server.requests) == requests
    assert cleared["totals"]["cached"] == 1 and cleared["totals"]["segments"] == 0
    assert entries(po_path(synced, REUNION))[LINKS].msgstr.startswith("See :ref:`nos-actions`")
    assert_valid(synced)


def test_only_machine_drafts_whose_french_changed_are_drafted_again(synced, tp, deepl_server):
    translate(po_path(synced, "index"), {"Accueil": "Home"})
    assert tp("-C", synced, "draft", "--engine", "deepl").code == 0
    translate(po_path(synced, REUNION), {ITEM: "Better identify the victims."})  # reviewed
    page = synced / "source" / "fr" / "rapports" / "reunion.rst"
    text = page.read_text(encoding="utf-8")
    edited = PARA.replace("Paris", "Lyon")
    page.write_text(
        text.replace(PARA, edited).replace(ITEM, "Mieux identifier toutes les victimes."),
        encoding="utf-8",
    )
    assert tp("-C", synced, "sync", "--quiet").code == 0
    machine = entries(po_path(synced, REUNION))[edited]
    assert cat.outdated_draft(machine) and machine.previous_msgid == PARA
    sent = len(deepl_server.translations())

    result = as_json(tp("-C", synced, "draft", "--engine", "deepl", "--json"))

    assert [r.texts for r in deepl_server.translations()[sent:]] == [[edited]]
    assert result["languages"][0]["redraft"] == 1 and result["totals"]["drafted"] == {"deepl": 1}
    reunion = entries(po_path(synced, REUNION))
    redrafted = reunion[edited]
    assert redrafted.msgstr.endswith("à Lyon.") and not redrafted.previous_msgid
    assert cat.entry_state(redrafted) is cat.State.MACHINE
    stale = reunion["Mieux identifier toutes les victimes."]  # the translator's words: untouched
    assert stale.msgstr == "Better identify the victims." and stale.previous_msgid == ITEM
    assert cat.entry_state(stale) is cat.State.STALE
    assert entries(po_path(synced, "index"))["Accueil"].msgstr == "Home"
    assert_valid(synced)


def test_documents_limit_the_run(synced, tp, deepl_server):
    index = po_path(synced, "index").read_bytes()
    result = tp("-C", synced, "draft", "--engine", "deepl", REUNION)
    assert result.code == 0, result
    assert po_path(synced, "index").read_bytes() == index
    assert all(r.context == "Réunion de février 2014" for r in deepl_server.translations())
    assert "locale/en/LC_MESSAGES/rapports/reunion.po" in result.out
    unknown = tp("-C", synced, "draft", "rapports/nope")
    assert unknown.code == EXIT_INPUT and "no document 'rapports/nope'" in unknown.err


# --- costs -----------------------------------------------------------------------


def test_dry_run_says_what_the_real_run_then_bills(long_page, tp, deepl_server, monkeypatch):
    write_glossary(long_page, [("réunion", "meeting")])
    files = snapshot(long_page)
    monkeypatch.delenv("DEEPL_AUTH_KEY")  # an estimate needs no key
    dry = tp("-C", long_page, "draft", "--engine", "deepl", "--dry-run")
    assert dry.code == 0, dry
    assert deepl_server.requests == [] and snapshot(long_page) == files
    assert not (long_page / "_build" / "translate-pipeline" / "drafts.sqlite").exists()
    numbers = re.search(r"Would send: (\d+) segments, (\d+) characters billed", dry.out)
    dry_json = as_json(tp("-C", long_page, "draft", "--engine", "deepl", "--dry-run", "--json"))
    assert dry_json["dry_run"] is True and dry_json["totals"]["requests"] == 0
    assert [dry_json["totals"]["segments"], dry_json["totals"]["characters"]] == [int(n) for n in numbers.groups()]

    monkeypatch.setenv("DEEPL_AUTH_KEY", deepl_server.auth_key)
    real = as_json(tp("-C", long_page, "draft", "--engine", "deepl", "--json"))

    assert real["totals"]["segments"] == dry_json["totals"]["segments"] == len(sent_texts(deepl_server))
    assert real["totals"]["characters"] == dry_json["totals"]["characters"] == deepl_server.character_count
    assert real["totals"]["requests"] == len(deepl_server.requests)
    expected = {protect(e.msgid).xml for e in machine_entries(long_page).values()}
    assert set(sent_texts(deepl_server)) == expected


def test_json_fields(synced, tp, deepl_server):
    write_glossary(synced, [("réunion", "meeting")])
    data = as_json(tp("-C", synced, "draft", "--engine", "deepl", "--json"))
    assert set(data) == {"dry_run", "stopped", "totals", "glossary", "languages", "merged_again", "kept_theirs",
                         "interrupted_run"}
    assert set(data["totals"]) == {
        "drafted", "pending", "redraft", "cached", "check_failed", "glossary_missing", "numbers_differ", "left",
        "segments", "characters", "requests", "written",
    }
    assert [(r["language"], r["source_language"]) for r in data["languages"]] == [("en", "fr"), ("fr", "en")]
    assert data["totals"]["drafted"] == {"deepl": data["totals"]["pending"]} and data["totals"]["left"] == 0
    assert data["glossary"]["glossary_id"] in deepl_server.glossaries
    assert data["languages"][1]["written"] == ["locale/fr/LC_MESSAGES/about.po"]
    assert data["stopped"] is None


# --- limits and faults -------------------------------------------------------------


def test_quota_used_up_mid_run_keeps_every_draft_received(long_page, tp, deepl_server):
    deepl_server.fail(456, times=1, after=2, path="/v2/translate", message="Quota exceeded")

    result = tp("-C", long_page, "draft", "--engine", "deepl")

    assert result.code == EXIT_ENGINE == 4
    assert "DeepL character quota for this billing period is used up" in result.err
    assert "drafted before are written to the catalogs" in result.err
    received = sent_texts(deepl_server)
    assert len(received) > 50 and len(deepl_server.translations()) == 3
    assert {protect(m).xml for m in machine_entries(long_page)} == set(received)
    assert_valid(long_page)

    carry_on = as_json(tp("-C", long_page, "draft", "--engine", "deepl", "--json"))
    assert carry_on["stopped"] is None and carry_on["totals"]["left"] == 0
    assert len(sent_texts(deepl_server)) == len(set(sent_texts(deepl_server)))  # nothing paid twice
    assert_valid(long_page)


def test_a_refused_key_is_never_printed(synced, tp, deepl_server, monkeypatch):
    secret = "5e5e5e5e-never-print-me:fx"
    monkeypatch.setenv("DEEPL_AUTH_KEY", secret)
    files = snapshot(synced)
    result = tp("-C", synced, "draft", "--engine", "deepl")
    assert result.code == EXIT_ENGINE
    assert "DeepL refused the key in DEEPL_AUTH_KEY" in result.err
    assert secret not in result.out + result.err
    assert [r.status for r in deepl_server.requests] == [403]
    assert catalogs_of(snapshot(synced)) == catalogs_of(files)


def test_no_key_stops_deepl_but_keeps_what_the_memory_drafted(synced, tp, deepl_server, monkeypatch):
    translate(po_path(synced, REUNION), {PARA: "The meeting took place in Paris."})
    add_page(synced, "compte-rendu", "Compte rendu", [PARA.replace("Paris", "Paris.")])
    assert tp("-C", synced, "sync", "--quiet").code == 0
    monkeypatch.delenv("DEEPL_AUTH_KEY")
    result = tp("-C", synced, "draft", "--engine", "memory", "--engine", "deepl")
    assert result.code == EXIT_ENGINE
    assert "stopped: deepl: no DeepL key: set DEEPL_AUTH_KEY in the environment" in result.err
    assert deepl_server.requests == []
    assert entries(po_path(synced, "compte-rendu"))[PARA.replace("Paris", "Paris.")].msgstr.endswith("in Paris.")
    assert_valid(synced)


def test_an_unknown_engine(synced, tp):
    result = tp("-C", synced, "draft", "--engine", "babel")
    assert result.code == EXIT_INPUT and "unknown engine 'babel': choose one of deepl, memory" in result.err


def test_a_network_failure_mid_run_then_the_next_run_carries_on(long_page, tp, deepl_server):
    deepl_server.fail(503, times=2, after=1, path="/v2/translate")  # both attempts of the second request

    failed = tp("-C", long_page, "draft", "--engine", "deepl")

    assert failed.code == EXIT_ENGINE and "DeepL failing (HTTP 503) after 2 attempts" in failed.err
    assert len(machine_entries(long_page)) == len(sent_texts(deepl_server)) > 0
    assert_valid(long_page)
    again = as_json(tp("-C", long_page, "draft", "--engine", "deepl", "--json"))
    assert again["totals"]["left"] == 0 and again["stopped"] is None
    assert len(sent_texts(deepl_server)) == len(set(sent_texts(deepl_server)))
    assert_valid(long_page)


def test_ctrl_c_keeps_the_drafts_received(long_page, tp, deepl_server, monkeypatch):
    answer = deepl_server.answer

    def interrupted_at_the_third_request(recorded):
        if len(deepl_server.translations()) == 3:
            os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C while DeepL works
        return answer(recorded)

    monkeypatch.setattr(deepl_server, "answer", interrupted_at_the_third_request)
    result = tp("-C", long_page, "draft", "--engine", "deepl")

    assert result.code == EXIT_INTERRUPTED
    assert "drafts received so far are written" in result.err
    first_two = [t for r in deepl_server.translations()[:2] for t in r.texts]
    assert {protect(m).xml for m in machine_entries(long_page)} == set(first_two)
    assert not list((long_page / "locale").rglob("*.tp-tmp"))
    assert_valid(long_page)


def test_quiet_and_the_progress_bar(long_page, tp, deepl_server, monkeypatch, capsys):
    quiet = tp("-C", long_page, "draft", "--engine", "deepl", "--quiet")
    assert quiet.code == 0 and quiet.out == "" and quiet.err == ""
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    with DraftProgressBar("Drafting") as bar:
        bar.update(0, 10, "index")
        bar.update(4, 10, "rapports/reunion")
    shown = capsys.readouterr().err
    assert "Drafting" in shown and "rapports/reunion" in shown


def test_a_draft_a_translator_rewrote_is_their_words_and_never_drafted_over(synced, tp, deepl_server):
    assert tp("-C", synced, "draft", "--engine", "deepl").code == 0
    draft = entries(po_path(synced, REUNION))[PARA]
    assert cat.entry_state(draft) is cat.State.MACHINE
    assert re.search(r"draft: deepl \d{4}-\d\d-\d\d #[0-9a-f]{8}$", draft.tcomment)
    # The translator rewrites the draft in a PO editor, and leaves it fuzzy for now.
    path = po_path(synced, REUNION)
    translate(path, {PARA: "The meeting was held in Paris."}, fuzzy=True)
    rewritten = entries(path)[PARA]
    assert rewritten.msgstr == "The meeting was held in Paris." and "fuzzy" in rewritten.flags
    assert cat.entry_state(rewritten) is cat.State.STALE  # a translator's words, not a draft
    page = synced / "source" / "fr" / "rapports" / "reunion.rst"
    edited = PARA.replace("Paris", "Lyon")
    page.write_text(page.read_text(encoding="utf-8").replace(PARA, edited), encoding="utf-8")
    assert tp("-C", synced, "sync", "--quiet").code == 0
    sent = len(deepl_server.translations())

    assert tp("-C", synced, "draft", "--engine", "deepl").code == 0

    assert len(deepl_server.translations()) == sent  # nothing to draft: the words are kept
    kept = entries(path)[edited]
    assert kept.msgstr == "The meeting was held in Paris." and kept.previous_msgid == PARA
    assert cat.entry_state(kept) is cat.State.STALE and "stale: French changed on" in kept.tcomment
    assert "draft:" not in kept.tcomment
    assert_valid(synced)


def test_an_offline_run_that_leaves_entries_says_how_to_draft_them(synced, tp):
    result = tp("-C", synced, "draft")
    assert result.code == 0
    assert "found nothing in the translation memory" in result.out
    assert "translate-pipeline draft --engine deepl" in result.out
