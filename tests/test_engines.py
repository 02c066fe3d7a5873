"""Engines: one contract for all, then DeepL through the real client and a local server."""

from __future__ import annotations

import json
import socket
import time

import pytest

from conftest_deepl import TEST_KEY
from deepl_server import MAX_BODY, MAX_TEXTS
from translate_pipeline.drafting.engines import (
    ENGINES,
    Draft,
    EngineError,
    EngineUnavailable,
    KeyRejected,
    MemoryEngine,
    QuotaExceeded,
    RateLimited,
    Segment,
    UnsupportedLanguage,
    get_engine,
)
from translate_pipeline.drafting.engines.deepl import RetryPolicy, billable
from translate_pipeline.checks.markup import check

FAST = RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.05, timeout=1.0)

# French msgids and reviewed English, as a memory would hold them.
REVIEWED = {
    "Bonjour le monde.": "Hello world.",
    "Voir :ref:`le plan <plan-2014>` et la `page du ministère <https://www.example.gouv.fr/a_(b)>`_, **vite**.":
        "See :ref:`the plan <plan-2014>` and the `ministry page <https://www.example.gouv.fr/a_(b)>`_, **quickly**.",
    "Lancer ``make html`` puis lire [#]_.": "Run ``make html`` then read [#]_.",
}


class EngineContract:
    """What every engine promises. Subclasses provide the ``engine`` fixture."""

    def test_has_a_registered_name(self, engine):
        assert engine.name in ENGINES

    def test_one_result_per_segment_in_order(self, engine):
        segments = [Segment(text) for text in REVIEWED] + [Segment("Texte que nul n'a jamais traduit ici.")]
        results = engine.translate(segments, "fr", "en")
        assert len(results) == len(segments)
        for segment, result in zip(segments, results):
            assert result is None or isinstance(result, Draft)
            if segment.text in REVIEWED:
                assert result is not None and result.text
                assert result.billed_characters >= 0 and result.origin.startswith(engine.name)

    def test_drafts_keep_the_markup_of_their_source(self, engine):
        segments = [Segment(text) for text in REVIEWED]
        for segment, draft in zip(segments, engine.translate(segments, "fr", "en")):
            assert check(segment.text, draft.text) == []

    def test_empty_batch(self, engine):
        assert engine.translate([], "fr", "en") == []

    def test_context_does_not_change_what_comes_back(self, engine):
        text = next(iter(REVIEWED))
        plain, with_context = engine.translate([Segment(text), Segment(text, "Accueil")], "fr", "en")
        assert plain.text == with_context.text

    def test_settings_key_is_a_stable_string(self, engine):
        assert isinstance(engine.settings_key(), str)
        assert engine.settings_key() == engine.settings_key()

    def test_same_language_on_both_sides_is_refused(self, engine):
        with pytest.raises(UnsupportedLanguage):
            engine.translate([Segment("Bonjour")], "fr", "fr")


class TestMemoryEngine(EngineContract):
    @pytest.fixture
    def engine(self):
        return MemoryEngine(
            [(fr, en, "index.po") for fr, en in REVIEWED.items()], languages=("fr", "en")
        )

    def test_exact_match_first(self, engine):
        [draft] = engine.translate([Segment("Bonjour le monde.")], "fr", "en")
        assert draft == Draft("Hello world.", 0, "memory exact (index.po)")

    def test_closest_match_above_the_threshold_says_its_score(self, engine):
        [draft] = engine.translate([Segment("Bonjour le monde !")], "fr", "en")
        assert draft.text == "Hello world."
        assert draft.origin.startswith("memory ") and draft.origin.endswith("% (index.po)")
        assert 85 <= int(draft.origin.split()[1].rstrip("%")) < 100

    def test_nothing_close_enough(self, engine):
        assert engine.translate([Segment("Le conseil municipal se réunit.")], "fr", "en") == [None]

    def test_threshold_is_a_setting(self):
        strict = MemoryEngine([("Bonjour le monde.", "Hello world.", "")], threshold=99)
        assert strict.translate([Segment("Bonjour le monde !")], "fr", "en") == [None]
        assert strict.settings_key() != MemoryEngine([("Bonjour le monde.", "Hello world.", "")]).settings_key()

    def test_first_translation_of_a_source_wins(self):
        memory = MemoryEngine([("Oui", "Yes", "a.po"), ("Oui", "Indeed", "b.po")])
        assert memory.translate([Segment("Oui")], "fr", "en")[0].text == "Yes"

    def test_other_languages_are_refused(self, engine):
        with pytest.raises(UnsupportedLanguage, match="fr->en"):
            engine.translate([Segment("Hello")], "en", "fr")

    def test_an_empty_memory_has_nothing(self):
        assert MemoryEngine().translate([Segment("Bonjour")], "fr", "en") == [None]

    def test_found_by_name(self):
        engine = get_engine("memory", pairs=[("Oui", "Yes", "")])
        assert isinstance(engine, MemoryEngine) and len(engine) == 1


class TestDeepLEngine(EngineContract):
    @pytest.fixture
    def engine(self, deepl_server):
        return get_engine("deepl", retry=FAST)


# --- DeepL through the real client --------------------------------------------


@pytest.fixture
def deepl(deepl_server):
    return get_engine("deepl", retry=FAST)


def test_sends_protected_xml_with_tag_handling(deepl, deepl_server):
    source = "Voir :ref:`le plan <plan-2014>` et ``make``."
    [draft] = deepl.translate([Segment(source)], "fr", "en")
    [request] = deepl_server.translations()
    assert request.texts == ['Voir <t i="0">le plan</t> et <x i="1">``make``</x>.']
    assert request.tag_handling == "xml"
    assert request.ignore_tags == ["x"]
    assert request.split_sentences == "nonewlines"
    assert (request.source_lang, request.target_lang) == ("FR", "EN-GB")
    assert request.headers["authorization"] == f"DeepL-Auth-Key {TEST_KEY}"
    assert draft == Draft("See :ref:`the plan <plan-2014>` and ``make``.", billable(request.texts[0]), "deepl")
    assert billable(request.texts[0]) == len("Voir le plan et ``make``.")  # tags are not billed


def test_billed_characters_come_from_the_response(deepl, deepl_server):
    drafts = deepl.translate([Segment("Bonjour"), Segment("Le monde")], "fr", "en")
    assert [d.billed_characters for d in drafts] == [7, 8]
    assert deepl_server.translations()[0].show_billed_characters is True


def test_variants_and_direction(deepl_server):
    get_engine("deepl", target_variant="EN-US", retry=FAST).translate([Segment("Oui")], "fr", "en")
    get_engine("deepl", retry=FAST).translate([Segment("Hello world")], "en", "fr")
    first, second = deepl_server.translations()
    assert (first.source_lang, first.target_lang) == ("FR", "EN-US")
    assert (second.source_lang, second.target_lang) == ("EN", "FR")


def test_context_is_sent_once_per_request_of_that_context(deepl, deepl_server):
    segments = [Segment("Bonjour", "Accueil"), Segment("Le monde", None), Segment("Oui", "Accueil")]
    drafts = deepl.translate(segments, "fr", "en")
    assert [d.text for d in drafts] == ["Hello", "The world", "Yes"]
    sent = {r.context: r.texts for r in deepl_server.translations()}
    assert sent == {"Accueil": ["Bonjour", "Oui"], None: ["Le monde"]}
    assert "context" not in deepl_server.translations()[1].params


def test_glossary_id_is_sent_and_used(deepl_server):
    glossary_id = deepl_server.add_glossary("g", {("fr", "en"): {"mairie": "city hall"}})
    engine = get_engine("deepl", glossary_id=glossary_id, retry=FAST)
    [draft] = engine.translate([Segment("La mairie")], "fr", "en")
    assert deepl_server.translations()[0].glossary_id == glossary_id
    assert draft.text == "The city hall"
    assert glossary_id in engine.settings_key()


def test_identical_segments_are_sent_and_billed_once(deepl, deepl_server):
    drafts = deepl.translate([Segment("Bonjour"), Segment("Oui"), Segment("Bonjour")], "fr", "en")
    assert deepl_server.translations()[0].texts == ["Bonjour", "Oui"]
    assert [(d.text, d.billed_characters) for d in drafts] == [("Hello", 7), ("Yes", 3), ("Hello", 0)]


def test_batches_hold_at_most_50_texts(deepl, deepl_server):
    segments = [Segment(f"Rapport numéro {n}") for n in range(120)]
    drafts = deepl.translate(segments, "fr", "en")
    assert [d.text for d in drafts] == [f"Report numéro {n}" for n in range(120)]
    assert [len(r.texts) for r in deepl_server.translations()] == [50, 50, 20]
    assert all(len(r.texts) <= MAX_TEXTS for r in deepl_server.translations())


def test_batches_stay_under_128_kib(deepl, deepl_server):
    # 24,000 characters of French: about 40 KiB once the client escapes the accents.
    paragraph = "Réunion « été » très animée, é à è ù. " * 600
    segments = [Segment(f"{n} {paragraph}") for n in range(8)]
    drafts = deepl.translate(segments, "fr", "en")
    sizes = [len(r.body) for r in deepl_server.translations()]
    assert all(d is not None for d in drafts)
    assert len(sizes) > 1 and max(sizes) <= MAX_BODY
    assert all(r.status == 200 for r in deepl_server.requests)
    assert sum(len(r.texts) for r in deepl_server.translations()) == 8


def test_a_segment_too_large_for_any_request_is_left_out(deepl, deepl_server):
    huge = "é" * 30_000  # 180,000 bytes of JSON
    drafts = deepl.translate([Segment("Oui"), Segment(huge)], "fr", "en")
    assert drafts[0].text == "Yes" and drafts[1] is None
    assert [r.texts for r in deepl_server.translations()] == [["Oui"]]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_passing_failures_are_retried(deepl, deepl_server, status):
    deepl_server.fail(status, times=2)
    started = time.monotonic()
    [draft] = deepl.translate([Segment("Bonjour")], "fr", "en")
    assert draft.text == "Hello"
    assert [r.status for r in deepl_server.requests] == [status, status, 200]
    assert time.monotonic() - started < 2


def test_retries_are_ours_alone(deepl_server):
    engine = get_engine("deepl", retry=RetryPolicy(attempts=1, timeout=1.0))
    deepl_server.fail(500, times=3)
    with pytest.raises(EngineUnavailable, match="HTTP 500"):
        engine.translate([Segment("Bonjour")], "fr", "en")
    assert len(deepl_server.requests) == 1  # the client did not retry on its own


def test_rate_limit_that_does_not_pass(deepl, deepl_server):
    deepl_server.fail(429, times=float("inf"))
    with pytest.raises(RateLimited):
        deepl.translate([Segment("Bonjour")], "fr", "en")
    assert len(deepl_server.requests) == FAST.attempts


def test_quota_exceeded_stops_at_once(deepl, deepl_server):
    deepl_server.fail(456, times=float("inf"))
    with pytest.raises(QuotaExceeded):
        deepl.translate([Segment("Bonjour")], "fr", "en")
    assert len(deepl_server.requests) == 1


def test_a_rejected_key_is_never_shown(deepl_server, monkeypatch):
    secret = "9b8a7c6d-secret-never-print:fx"
    monkeypatch.setenv("DEEPL_AUTH_KEY", secret)
    deepl_server.fail(403, message=f"key {secret} is invalid")  # even if the server echoes it
    engine = get_engine("deepl", retry=FAST)
    with pytest.raises(KeyRejected) as caught:
        engine.translate([Segment("Bonjour")], "fr", "en")
    assert secret not in str(caught.value) and secret not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "DEEPL_AUTH_KEY" in str(caught.value)
    with pytest.raises(KeyRejected) as again:  # the server's own answer to a wrong key
        engine.translate([Segment("Bonjour")], "fr", "en")
    assert secret not in str(again.value)
    assert len(deepl_server.requests) == 2


def test_no_key_is_reported_when_something_is_to_be_sent(monkeypatch):
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    engine = get_engine("deepl")
    assert engine.estimate([Segment("Bonjour")]) == len("Bonjour")  # a dry run needs no key
    with pytest.raises(KeyRejected, match="set DEEPL_AUTH_KEY"):
        engine.translate([Segment("Bonjour")], "fr", "en")
    assert engine.requests == 0


@pytest.mark.slow
def test_a_hanging_server_makes_the_engine_unavailable_quickly(deepl_server):
    engine = get_engine("deepl", retry=RetryPolicy(attempts=2, first_delay=0.01, timeout=0.5))
    deepl_server.hang(times=float("inf"))
    started = time.monotonic()
    with pytest.raises(EngineUnavailable, match="timed out"):
        engine.translate([Segment("Bonjour")], "fr", "en")
    assert time.monotonic() - started < 5
    assert len(deepl_server.requests) == 2


def test_nothing_listening(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = get_engine("deepl", auth_key="k:fx", server_url=f"http://127.0.0.1:{port}", retry=FAST)
    with pytest.raises(EngineUnavailable, match="unreachable"):
        engine.translate([Segment("Bonjour")], "fr", "en")


def test_language_deepl_does_not_have(deepl):
    with pytest.raises(UnsupportedLanguage):
        deepl.translate([Segment("Bonjour")], "fr", "xx")


def test_usage(deepl, deepl_server):
    deepl.translate([Segment("Bonjour")], "fr", "en")
    assert deepl.usage() == (7, deepl_server.character_limit)


def test_unknown_engine():
    with pytest.raises(EngineError, match="unknown engine 'babel'.*deepl, memory"):
        get_engine("babel")


def test_request_bodies_are_json_as_deepl_documents(deepl, deepl_server):
    deepl.translate([Segment("Bonjour")], "fr", "en")
    [request] = deepl_server.translations()
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body)["text"] == ["Bonjour"]
