"""The term base: reading glossary/fr-en.csv, checking drafts, the DeepL copy."""

from __future__ import annotations

import pytest

from translate_pipeline.drafting.engines import get_engine
from translate_pipeline.drafting.engines.deepl import RetryPolicy
from translate_pipeline.drafting.glossary import (
    Glossary,
    GlossaryError,
    Term,
    missing_terms,
    read_glossary,
    sync_deepl_glossary,
)

CSV = """\ufefffrench,english,note
mairie,town hall,not "city hall"

conseil municipal,town council,
"procès-verbal, approuvé",approved minutes,a comma inside quotes
compte rendu,report
"""


@pytest.fixture
def glossary_file(tmp_path):
    path = tmp_path / "glossary" / "fr-en.csv"
    path.parent.mkdir()
    path.write_text(CSV, encoding="utf-8")
    return path


def write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "fr-en.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_terms_with_their_lines(glossary_file):
    glossary = read_glossary(glossary_file)
    assert glossary.terms == (
        Term("mairie", "town hall", 'not "city hall"', 2),
        Term("conseil municipal", "town council", "", 4),
        Term("procès-verbal, approuvé", "approved minutes", "a comma inside quotes", 5),
        Term("compte rendu", "report", "", 6),
    )
    assert (glossary.source_language, glossary.target_language) == ("fr", "en")


@pytest.mark.parametrize(
    "text, message",
    [
        ("mairie,town hall,\n", r":1: the first row must be the header french,english,note"),
        ("french,english,note\nmairie\n", r":2: expected 3 columns \(french, english, note\), found 1"),
        ("french,english,note\nmairie,town hall,x,y\n", r":2: expected 3 columns .* found 4"),
        ("french,english,note\nmairie,,note\n", r":2: the english term is empty"),
        ("french,english,note\n  ,town hall,\n", r":2: the french term is empty"),
        ("french,english,note\nmairie,town hall,\nMairie,city hall,\n",
         r":3: 'Mairie' is already in the glossary at line 2"),
        ('french,english,note\n"mai\nrie",town hall,\n', r":3: the french term contains a control character or a line break"),
        ('french,english,note\n"mairie,town hall\n', r"unexpected end of data|:\d+: expected 3 columns"),
    ],
)
def test_a_bad_row_says_where_and_what(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(GlossaryError, match=message) as caught:
        read_glossary(path)
    assert str(caught.value).startswith(f"{path}:")


def test_not_utf8(tmp_path):
    path = write(tmp_path, "french,english,note\nmairie,hôtel de ville,\n", "latin-1")
    with pytest.raises(GlossaryError, match="not UTF-8"):
        read_glossary(path)


def test_no_file(tmp_path):
    with pytest.raises(GlossaryError, match="no such file"):
        read_glossary(tmp_path / "missing.csv")


def test_reversed_for_english_pages(glossary_file):
    glossary = Glossary((Term("mairie", "town hall"), Term("hôtel de ville", "town hall"), Term("élu", "councillor")))
    reverse = glossary.reversed()
    assert (reverse.source_language, reverse.target_language) == ("en", "fr")
    assert reverse.entries() == {"town hall": "mairie", "councillor": "élu"}


GLOSSARY = Glossary((
    Term("mairie", "town hall"),
    Term("conseil municipal", "town council"),
    Term("maire", "mayor"),
    Term("commune", "municipality"),
))


@pytest.mark.parametrize(
    "source, draft, missing",
    [
        ("La mairie est fermée.", "The town hall is closed.", []),
        ("La mairie est fermée.", "The city hall is closed.", [("mairie", "town hall")]),
        ("Les MAIRIES ferment.", "Town Halls close.", []),  # case and plural
        ("Les conseils municipaux votent.", "The town councils vote.", []),  # -aux
        ("Les conseils municipaux votent.", "The councils vote.", [("conseil municipal", "town council")]),
        ("La mairie et le maire.", "The town hall and the mayor.", []),  # 'maire' is not in 'mairie'
        ("Les communes.", "The municipalities.", []),  # -y / -ies
        ("Lancer ``mairie.py``.", "Run ``mairie.py``.", []),  # literals are not words
        ("Voir https://mairie.example.fr.", "See https://mairie.example.fr.", []),
        ("Voir :ref:`la mairie <mairie>`.", "See :ref:`the city hall <mairie>`.", [("mairie", "town hall")]),
        ("La\u00a0mairie\u00a0!", "The town\u00a0hall!", []),
    ],
)
def test_missing_terms(source, draft, missing):
    assert missing_terms(source, draft, GLOSSARY) == missing


def test_missing_terms_the_other_way():
    assert missing_terms("The town hall.", "La maison commune.", GLOSSARY.reversed()) == [("town hall", "mairie")]


# --- the DeepL copy, through the real client ---------------------------------------


@pytest.fixture
def engine(deepl_server):
    return get_engine("deepl", retry=RetryPolicy(attempts=2, first_delay=0.01, timeout=1.0))


def test_created_once_per_content_then_reused(engine, deepl_server, glossary_file):
    glossary = read_glossary(glossary_file)
    first = sync_deepl_glossary(engine, glossary, project="collectif")
    assert first.created and first.glossary_id and first.deleted == ()
    assert first.name.startswith("translate-pipeline collectif ")
    stored = deepl_server.glossaries[first.glossary_id].dictionaries
    assert stored[("fr", "en")]["mairie"] == "town hall"
    assert stored[("en", "fr")]["town hall"] == "mairie"

    again = sync_deepl_glossary(engine, glossary, project="collectif")
    assert (again.glossary_id, again.created, again.deleted) == (first.glossary_id, False, ())
    created = [r for r in deepl_server.requests if r.method == "POST" and r.path == "/v3/glossaries"]
    assert len(created) == 1


def test_a_new_content_replaces_the_old_copy_and_nothing_else(engine, deepl_server, glossary_file):
    foreign = deepl_server.add_glossary("someone else's", {("fr", "en"): {"chat": "cat"}})
    other_project = deepl_server.add_glossary("translate-pipeline autre 0123456789abcdef", {("fr", "en"): {"a": "b"}})
    old = sync_deepl_glossary(engine, read_glossary(glossary_file), project="collectif")
    glossary_file.write_text(CSV + "élu,councillor,\n", encoding="utf-8")
    new = sync_deepl_glossary(engine, read_glossary(glossary_file), project="collectif")
    assert new.created and new.glossary_id != old.glossary_id
    assert new.deleted == (old.glossary_id,)
    assert set(deepl_server.glossaries) == {foreign, other_project, new.glossary_id}


def test_an_empty_glossary_leaves_nothing_on_deepl(engine, deepl_server, glossary_file):
    old = sync_deepl_glossary(engine, read_glossary(glossary_file), project="collectif")
    result = sync_deepl_glossary(engine, Glossary(()), project="collectif")
    assert result.glossary_id is None and result.deleted == (old.glossary_id,)
    assert deepl_server.glossaries == {}


def test_the_synced_glossary_is_used_for_drafts(deepl_server, glossary_file):
    setup = get_engine("deepl", retry=RetryPolicy(attempts=1))
    synced = sync_deepl_glossary(setup, read_glossary(glossary_file), project="collectif")
    engine = get_engine("deepl", glossary_id=synced.glossary_id, retry=RetryPolicy(attempts=1))
    from translate_pipeline.drafting.engines import Segment

    [to_english] = engine.translate([Segment("Bonjour la mairie")], "fr", "en")
    [to_french] = engine.translate([Segment("Hello town hall")], "en", "fr")
    assert to_english.text == "Hello the town hall"
    assert to_french.text == "Bonjour mairie"
