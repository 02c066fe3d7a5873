"""``draft`` on a real synced project: memory, DeepL (local server), cache, checks."""

from __future__ import annotations

import subprocess

import pytest
from conftest import entries, po_path, snapshot, translate

from deepl_server import billable
from translate_pipeline.catalogs import catalog as cat
from translate_pipeline.drafting import planning as planning_module
from translate_pipeline.drafting.draft import (
    Engines,
    draft,
    memory_pairs,
    plan,
    source_language_of,
)
from translate_pipeline.drafting.engines import Draft, Engine, MemoryEngine, get_engine
from translate_pipeline.drafting.engines.deepl import RetryPolicy
from translate_pipeline.drafting.glossary import Glossary, Term
from translate_pipeline.project.settings import load_project
from translate_pipeline.catalogs.sync import load_catalogs, sync
from translate_pipeline.drafting.tmcache import TranslationCache

REUNION = "rapports/reunion"
PARA = "La réunion s'est tenue au ministère des Droits des femmes, à Paris."
PARA_EN = "The meeting took place at the Ministry of Women's Rights, in Paris."
LINKS = "Voir :ref:`nos-actions` et le `site du ministère <https://www.example.gouv.fr/>`_."
FAST = RetryPolicy(attempts=2, first_delay=0.01, timeout=1.0)


@pytest.fixture
def synced(project, tp):
    assert tp("-C", project, "sync").code == 0
    return load_project(project)


def deepl_engines(project, target="en"):
    pairs = memory_pairs(load_catalogs(project.catalog_dir(target)))
    languages = (source_language_of(project, target), target)
    return [MemoryEngine(pairs, languages=languages), get_engine("deepl", retry=FAST)]


def draft_language(project, target, engines, **options):
    """``draft`` on the catalogs of one language; its report."""
    result = draft(project, engines, **options)
    [report] = [r for r in result.languages if r.language == target]
    report.stopped = result.stopped
    return report


def test_plan_groups_untranslated_entries_with_the_page_title(synced):
    translate(po_path(synced.root, REUNION), {PARA: PARA_EN})
    jobs = plan(load_catalogs(synced.catalog_dir("en")))
    texts = [job.text for job in jobs]
    assert PARA not in texts and LINKS in texts
    assert {job.context for job in jobs if job.text == LINKS} == {"Réunion de février 2014"}
    assert {job.context for job in jobs if job.text.startswith("Bienvenue")} == {"Accueil"}


def test_deepl_drafts_every_untranslated_entry(synced, deepl_server):
    translate(po_path(synced.root, REUNION), {PARA: PARA_EN})
    report = draft_language(synced, "en", deepl_engines(synced))
    assert report.stopped is None and report.left == 0
    assert report.drafted == {"deepl": report.pending}
    into_english = [r for r in deepl_server.translations() if r.target_lang == "EN-GB"]
    assert report.characters == sum(billable(t, r.params) for r in into_english for t in r.texts)
    assert report.segments == sum(len(r.texts) for r in into_english)
    assert report.requests == len(into_english)
    reunion = entries(po_path(synced.root, REUNION))
    assert reunion[PARA].msgstr == PARA_EN and "fuzzy" not in reunion[PARA].flags  # untouched
    drafted = reunion[LINKS]
    assert drafted.msgstr == "See :ref:`nos-actions` and the `site of the ministry <https://www.example.gouv.fr/>`_."
    assert cat.entry_state(drafted) is cat.State.MACHINE and cat.draft_origin(drafted).startswith("deepl ")
    contexts = {r.context for r in deepl_server.translations()}
    assert {"Accueil", "Réunion de février 2014"} <= contexts
    for path in (po_path(synced.root, REUNION), po_path(synced.root, "index")):
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)


def test_english_pages_are_drafted_into_french(synced, deepl_server):
    report = draft_language(synced, "fr", deepl_engines(synced, "fr"))
    assert report.source_language == "en" and report.left == 0 and report.skipped == []
    into_french = [r for r in deepl_server.translations() if r.target_lang == "FR"]
    assert [r.source_lang for r in into_french] == ["EN"]
    assert entries(po_path(synced.root, "about", "fr"))["About the English edition"].msgstr


def test_memory_reuses_reviewed_translations_without_deepl(synced):
    translate(po_path(synced.root, REUNION), {PARA: PARA_EN})
    page = synced.root / "source" / "fr" / "compte-rendu.rst"
    page.write_text("Compte rendu\n============\n\n" + PARA.replace("Paris", "Paris.") + "\n", encoding="utf-8")
    pairs = memory_pairs(load_catalogs(synced.catalog_dir("en")))
    sync(synced)
    report = draft_language(synced, "en", [MemoryEngine(pairs, languages=("fr", "en"))])
    assert report.drafted == {"memory": 1} and report.characters == 0
    entry = entries(po_path(synced.root, "compte-rendu"))[PARA.replace("Paris", "Paris.")]
    assert entry.msgstr == PARA_EN
    assert cat.draft_origin(entry).startswith("memory 9")  # e.g. "memory 99% (rapports/reunion.po) DATE"


def test_a_rerun_sends_nothing_thanks_to_the_cache(synced, deepl_server):
    before = snapshot(synced.root)
    with TranslationCache(synced.cache_dir / "drafts.sqlite") as cache:
        first = draft_language(synced, "en", deepl_engines(synced), cache=cache)
        sent = len(deepl_server.translations())
        for path, data in before.items():  # the catalogs as they were before the drafts
            (synced.root / path).write_bytes(data)
        second = draft_language(synced, "en", deepl_engines(synced), cache=cache)
    assert sent > 0 and len(deepl_server.translations()) == sent
    assert second.cached == first.pending and second.characters == 0 and second.segments == 0
    assert entries(po_path(synced.root, REUNION))[LINKS].msgstr.startswith("See :ref:`nos-actions`")


def test_quota_stops_cleanly_keeping_what_was_drafted(synced, deepl_server, monkeypatch):
    monkeypatch.setattr(planning_module, "CHUNK", 2)
    deepl_server.character_limit = 120
    report = draft_language(synced, "en", deepl_engines(synced))
    assert report.stopped and "quota" in report.stopped
    drafted = sum(report.drafted.values())
    assert 0 < drafted < report.pending and report.left == report.pending - drafted
    states = [
        state for name in ("index", REUNION) for _, state in cat.load(po_path(synced.root, name)).states()
    ]
    assert states.count(cat.State.MACHINE) == drafted


def test_dry_run_says_what_would_be_billed_and_writes_nothing(synced, deepl_server):
    before = snapshot(synced.root)
    report = draft_language(synced, "en", deepl_engines(synced), dry_run=True)
    assert report.characters > 0 and report.requests == 0
    assert deepl_server.translations() == []
    assert {k: v for k, v in snapshot(synced.root).items() if not k.endswith(".lock")} == {
        k: v for k, v in before.items() if not k.endswith(".lock")
    }


class Careless(Engine):
    """Loses links and renames things: what check() is for."""

    name = "careless"
    origin = "careless 42% (rapports/a-very-long-name-for-the-minutes-of-the-2014-meeting.po)"

    def translate(self, segments, source, target):
        return [Draft(s.text.split(" `")[0].replace(":ref:`nos-actions`", "our actions"), 0, self.origin)
                for s in segments]


def write_glossary(root, rows):
    path = root / "glossary" / "fr-en.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text("french,english,note\n" + "".join(f"{a},{b},\n" for a, b in rows), encoding="utf-8")


def test_check_problems_and_missing_terms_are_noted_in_the_catalog(synced):
    write_glossary(synced.root, [("réunion", "gathering")])
    report = draft_language(synced, "en", [Careless()])
    assert report.check_failed == 1 and report.glossary_missing >= 1
    assert report.left == 1 and report.drafted == {"careless": report.pending - 1}
    reunion = entries(po_path(synced.root, REUNION))
    comment = reunion[LINKS].tcomment.splitlines()
    assert "draft check failed: URL https://www.example.gouv.fr/ missing (+1 more)" in comment
    assert all(line.startswith(cat.TOOL_PREFIXES) for line in comment)  # none wrapped by polib
    assert cat.entry_state(reunion[LINKS]) is cat.State.UNTRANSLATED  # the draft is not stored
    assert reunion[LINKS].msgstr == "" and "fuzzy" not in reunion[LINKS].flags
    assert cat.draft_origin(reunion[PARA]) == f"careless 42% {cat.today()}"
    assert "glossary: réunion -> gathering" in reunion[PARA].tcomment


def test_a_draft_refused_by_the_check_goes_to_the_next_engine(synced):
    report = draft_language(synced, "en", [Careless(), MemoryEngine([(LINKS, "See :ref:`nos-actions` and "
                            "the `ministry site <https://www.example.gouv.fr/>`_.", "")], languages=("fr", "en"))])
    assert report.check_failed == 0 and report.drafted["memory"] == 1
    entry = entries(po_path(synced.root, REUNION))[LINKS]
    assert entry.msgstr.startswith("See :ref:`nos-actions`") and "check failed" not in entry.tcomment


def test_an_engine_without_the_pair_is_skipped(synced):
    report = draft_language(synced, "en", [MemoryEngine([], languages=("en", "fr")), Careless()])
    assert report.skipped == ["memory: this translation memory holds en->fr, not fr->en"]
    assert report.drafted == {"careless": report.pending - 1} and report.check_failed == 1


def test_engines_follow_the_settings(synced, deepl_server):
    project = load_project(synced.root, ['engines=["memory", "deepl"]', "deepl_target_variant=EN-US"])
    glossary = Glossary((Term("réunion", "meeting"),))
    engines = Engines(project, project.settings.engines, glossary).for_pair("fr", "en", {})
    assert [e.name for e in engines] == ["memory", "deepl"]
    key = engines[1].settings_key()
    assert "variant=EN-US" in key and f"glossary={glossary.digest()[:16]}" in key
