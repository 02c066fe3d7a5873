"""The translation cache: persistent, keyed by everything that changes a draft."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time

import pytest

from translate_pipeline.drafting.tmcache import CacheError, CachedDraft, CacheKey, TranslationCache

KEY = CacheKey("deepl", "variant=EN-GB;glossary=", "fr", "en")


def draft(text: str, billed: int = 0) -> CachedDraft:
    return CachedDraft(text, billed, "deepl", "2024-05-01")


def test_drafts_survive_closing_the_file(tmp_path):
    path = tmp_path / "cache" / "drafts.sqlite"
    with TranslationCache(path) as cache:
        cache.put_many(KEY, [("Bonjour", draft("Hello", 7)), ("Oui", draft("Yes", 3))])
    with TranslationCache(path) as cache:
        assert cache.get(KEY, "Bonjour") == CachedDraft("Hello", 7, "deepl", "2024-05-01")
        assert cache.get_many(KEY, ["Oui", "Non", "Bonjour"]) == {
            "Oui": draft("Yes", 3), "Bonjour": draft("Hello", 7)}
        assert len(cache) == 2


@pytest.mark.parametrize(
    "other",
    [
        CacheKey("memory", KEY.settings, "fr", "en"),
        CacheKey("deepl", "variant=EN-US;glossary=", "fr", "en"),
        CacheKey("deepl", KEY.settings, "fr", "de"),
        CacheKey("deepl", KEY.settings, "en", "en"),
    ],
)
def test_a_draft_is_only_found_under_its_own_key(tmp_path, other):
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        cache.put_many(KEY, [("Bonjour", draft("Hello"))])
        assert cache.get(other, "Bonjour") is None
        assert cache.get(KEY, "bonjour") is None  # the text is part of the key, exactly


def test_a_new_draft_replaces_the_old(tmp_path):
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        cache.put_many(KEY, [("Bonjour", draft("Hello"))])
        cache.put_many(KEY, [("Bonjour", draft("Good morning"))])
        assert cache.get(KEY, "Bonjour").text == "Good morning" and len(cache) == 1


def test_many_texts_at_once(tmp_path):
    texts = [f"Paragraphe {n}\navec « guillemets »" for n in range(1200)]
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        cache.put_many(KEY, [(t, draft(t.upper(), len(t))) for t in texts[::2]])
        found = cache.get_many(KEY, texts)
    assert set(found) == set(texts[::2])
    assert found[texts[10]].billed_characters == len(texts[10])


def test_a_batch_is_stored_whole_or_not_at_all(tmp_path):
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        with pytest.raises(CacheError, match="cannot store"):
            cache.put_many(KEY, [("Oui", draft("Yes")), ("Non", CachedDraft(None, 0, "deepl", "x"))])
        assert len(cache) == 0


def test_readers_are_not_blocked_by_a_writer(tmp_path):
    path = tmp_path / "c.sqlite"
    with TranslationCache(path) as cache:
        cache.put_many(KEY, [("Bonjour", draft("Hello"))])
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE drafts SET draft='Hi'")
    with TranslationCache(path, timeout=5) as reader:
        started = time.monotonic()
        assert reader.get(KEY, "Bonjour").text == "Hello"  # the committed state
        assert time.monotonic() - started < 1
        writer.execute("COMMIT")
        assert reader.get(KEY, "Bonjour").text == "Hi"
    writer.close()


def _write_many(path: str, prefix: str) -> None:
    with TranslationCache(path) as cache:
        for batch in range(10):
            cache.put_many(KEY, [(f"{prefix} {batch} {n}", draft("x")) for n in range(20)])


def test_two_processes_writing_at_once(tmp_path):
    path = str(tmp_path / "c.sqlite")
    TranslationCache(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(path, name)) for name in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    with TranslationCache(path) as cache:
        assert len(cache) == 400


def test_a_file_that_is_not_a_cache(tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match=f"{path}: cannot use the translation cache"):
        TranslationCache(path)
