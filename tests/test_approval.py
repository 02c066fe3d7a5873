"""Approval in any tool: an entry whose fuzzy flag a translator cleared loses
what only described its unreviewed state (``#|`` previous original, the tool's
stale/draft comments), and nothing else of the catalog changes."""

from __future__ import annotations

from pathlib import Path

from translate_pipeline.catalogs import catalog as cat

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
'''

# After: the four approved entries cleaned; the two fuzzy ones, the header, the
# reviewed one and people's comments (and the earlier translation kept) as they were.
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
''' + BEFORE.split('msgstr "The collective"\n', 1)[1]


def test_clean_approved_drops_only_what_described_the_unreviewed_state(tmp_path: Path):
    path = tmp_path / "index.po"
    path.write_text(BEFORE, encoding="utf-8")
    catalog = cat.load(path)
    assert [state for _, state in catalog.states()] == [cat.State.REVIEWED] * 4 + [
        cat.State.STALE, cat.State.MACHINE, cat.State.REVIEWED]
    cleaned = [cat.clean_approved(entry) for entry in catalog.po]
    assert cleaned == [True, True, True, True, False, False, False]
    assert catalog.text() == AFTER
    assert [state for _, state in catalog.states()] == [cat.State.REVIEWED] * 4 + [
        cat.State.STALE, cat.State.MACHINE, cat.State.REVIEWED]
    # Once clean, there is nothing more to drop.
    assert [cat.clean_approved(entry) for entry in catalog.po] == [False] * 7


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
