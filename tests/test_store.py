"""What a command knows of the catalogs (CatalogStore) and of the messages it made (IncomingCache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate_pipeline.catalogs.extract import Document, Message
from translate_pipeline.catalogs.store import CatalogStore
from translate_pipeline.catalogs.incoming import IncomingCache
from translate_pipeline.errors import CatalogError

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Relu."
msgstr "Reviewed."

#, fuzzy
msgid "Brouillon."
msgstr "Draft."
"""


@pytest.fixture
def catalog(tmp_path) -> Path:
    path = tmp_path / "page.po"
    path.write_text(PO, encoding="utf-8")
    return path


def reviewed(catalog) -> list[str]:
    return [entry.msgstr for entry, state in catalog.states() if state == "reviewed"]


def test_two_stores_know_nothing_of_each_other(catalog):
    computed = []

    def count(c):
        computed.append(c.path.name)
        return reviewed(c)

    first, second = CatalogStore(), CatalogStore()
    assert first.derived(catalog, "reviewed", count) == ["Reviewed."]
    assert first.derived(catalog, "reviewed", count) == ["Reviewed."]
    assert computed == ["page.po"]
    assert second.derived(catalog, "reviewed", count) == ["Reviewed."]
    assert computed == ["page.po", "page.po"]  # a new store (a new command) computes again


def test_readers_share_a_copy_writers_get_their_own(catalog):
    store = CatalogStore()
    assert store.read(catalog) is store.read(catalog)
    mine = store.load(catalog)
    assert mine is not store.load(catalog) and mine.po is not store.read(catalog).po
    mine.po[0].msgstr = "Changed in memory only."
    assert store.read(catalog).po[0].msgstr == "Reviewed."


def test_a_changed_file_is_read_again(catalog):
    store = CatalogStore()
    assert reviewed(store.read(catalog)) == ["Reviewed."]
    catalog.write_text(PO.replace('msgstr "Reviewed."', 'msgstr "Read again."'), encoding="utf-8")
    assert reviewed(store.read(catalog)) == ["Read again."]
    assert store.derived(catalog, "reviewed", reviewed) == ["Read again."]


def test_a_damaged_cache_file_is_a_miss_not_an_error(catalog, tmp_path):
    CatalogStore(tmp_path / "cache").load(catalog)
    kept = [path for path in (tmp_path / "cache").rglob("*") if path.is_file()]
    assert kept
    for path in kept:
        path.write_bytes(b"not a pickle")
    assert reviewed(CatalogStore(tmp_path / "cache").load(catalog)) == ["Reviewed."]


def test_a_malformed_catalog_names_its_line_through_the_store(catalog):
    catalog.write_text(PO + '\nmsgid "Relu."\nmsgstr "Again."\n', encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        CatalogStore().derived(catalog, "reviewed", reviewed)
    assert raised.value.line == 12 and str(raised.value).startswith(f"{catalog}:12: duplicate entry")


def test_prune_keeps_what_the_catalogs_on_disk_need(catalog, tmp_path):
    store = CatalogStore(tmp_path / "cache")
    store.derived(catalog, "reviewed", reviewed)
    gone = tmp_path / "gone.po"
    gone.write_text(PO.replace("Relu.", "Parti."), encoding="utf-8")
    store.derived(gone, "reviewed", reviewed)
    before = {path.name for path in store.directory.iterdir()}
    gone.unlink()
    assert store.prune([catalog]) == len(before) // 2
    after = CatalogStore(tmp_path / "cache")
    computed = []
    after.derived(catalog, "reviewed", lambda c: computed.append(1) or reviewed(c))
    assert computed == []  # still known, by content


def document(name: str, *texts: str) -> Document:
    return Document(name, "fr", f"source/fr/{name}.rst",
                    [Message(text, ((f"source/fr/{name}.rst", line),)) for line, text in enumerate(texts, 1)])


def test_messages_are_made_again_only_for_other_documents():
    cache = IncomingCache()
    page = document("page", "Un.", "Deux.", "Un.")
    key = (Path("/project"), "en", "page")
    made = cache.messages(key, [page], location=True)
    assert [(m.msgid, m.occurrences) for m in made] == [
        ("Un.", (("source/fr/page.rst", "1"), ("source/fr/page.rst", "3"))),
        ("Deux.", (("source/fr/page.rst", "2"),)),
    ]
    assert cache.messages(key, [page], location=True) is made
    assert [m.occurrences for m in cache.messages(key, [page], location=False)] == [(), ()]
    again = document("page", "Un.", "Deux.", "Un.")  # read again: another Document, same text
    assert cache.messages(key, [again], location=True) is not made
    assert IncomingCache().messages(key, [page], location=True) is not made  # another reader's
