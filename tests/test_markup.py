"""reST inline markup: protection for DeepL, restoration, and the draft check."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import roles
from hypothesis import given
from hypothesis import strategies as st

from translate_pipeline.checks.markup import (
    IGNORE_TAGS,
    MarkupError,
    check,
    plain_text,
    protect,
    restore,
)

# (name, msgid as Sphinx extracts it, XML sent to DeepL)
PROTECTED = [
    ('plain', 'Le compte rendu de la réunion.',
     'Le compte rendu de la réunion.'),
    ('xml specials', 'Tom & Jerry <3 > 2',
     'Tom &amp; Jerry &lt;3 &gt; 2'),
    ('emphasis', 'Une *emphase* ici.',
     'Une <t i="0">emphase</t> ici.'),
    ('strong', 'Un mot **fort**.',
     'Un mot <t i="0">fort</t>.'),
    ('literal', 'Lancer ``make html`` puis.',
     'Lancer <x i="0">``make html``</x> puis.'),
    ('literal with xml chars', 'Si ``a < b && c > d`` alors',
     'Si <x i="0">``a &lt; b &amp;&amp; c &gt; d``</x> alors'),
    ('ref', 'Voir :ref:`plan-2014`.',
     'Voir <x i="0">:ref:`plan-2014`</x>.'),
    ('ref explicit title', 'Voir :ref:`le plan <plan-2014>`.',
     'Voir <t i="0">le plan</t>.'),
    ('ref suffix role', 'Voir `plan-2014`:ref:.',
     'Voir <x i="0">`plan-2014`:ref:</x>.'),
    ('doc', 'Lire :doc:`/rapports/2014`.',
     'Lire <x i="0">:doc:`/rapports/2014`</x>.'),
    ('doc explicit title', 'Lire :doc:`le rapport </rapports/2014>`.',
     'Lire <t i="0">le rapport</t>.'),
    ('download explicit title', 'Télécharger :download:`le PDF <rapport-2014.pdf>`.',
     'Télécharger <t i="0">le PDF</t>.'),
    ('domain role', 'Appeler :py:func:`os.path.join`.',
     'Appeler <x i="0">:py:func:`os.path.join`</x>.'),
    ('ref tilde', 'Voir :py:meth:`~Compte.solde`.',
     'Voir <x i="0">:py:meth:`~Compte.solde`</x>.'),
    ('abbr', "L':abbr:`ONU (Organisation des Nations unies)` vote.",
     'L\'<t i="0">ONU (Organisation des Nations unies)</t> vote.'),
    ('math literal role', 'Si :math:`a < b` alors',
     'Si <x i="0">:math:`a &lt; b`</x> alors'),
    ('samp literal role', 'Taper :samp:`ls <dossier>` ici.',
     'Taper <x i="0">:samp:`ls &lt;dossier&gt;`</x> ici.'),
    ('default role', 'Le `titre` du livre.',
     'Le <x i="0">`titre`</x> du livre.'),
    ('link', 'La `page du ministère <https://www.example.gouv.fr/a_(b)>`_, vite.',
     'La <t i="0">page du ministère</t>, vite.'),
    ('anonymous link', 'Voir `ici <https://a.example.fr/p?q=1&r=2>`__.',
     'Voir <t i="0">ici</t>.'),
    ('named reference', 'Voir `le site`_ et le_ site.',
     'Voir <t i="0">le site</t> et <t i="1">le</t> site.'),
    ('anonymous reference', 'Voir `ce texte`__ et celui__ aussi.',
     'Voir <t i="0">ce texte</t> et <t i="1">celui</t> aussi.'),
    ('url only link', 'Voir `<https://a.example.fr>`_.',
     'Voir <x i="0">`&lt;https://a.example.fr&gt;`_</x>.'),
    ('alias link', 'Voir `le plan <plan-2014_>`_.',
     'Voir <t i="0">le plan</t>.'),
    ('nested emphasis in link text', 'Voir `*vite* et **bien** <https://x.example.fr>`_.',
     'Voir <t i="0"><t i="1">vite</t> et <t i="2">bien</t></t>.'),
    ('link over two lines', 'Voir la `page du\nministère <https://www.example.gouv.fr/a>`_\nvite.',
     'Voir la <t i="0">page du\nministère</t>\nvite.'),
    ('url split in link', 'Voir `page <https://www.example.gouv.fr/\n  long>`_.',
     'Voir <t i="0">page</t>.'),
    ('substitution', 'Signé |nom| et |logo|_ et |lien|__.',
     'Signé <x i="0">|nom|</x> et <x i="1">|logo|_</x> et <x i="2">|lien|__</x>.'),
    ('footnotes', 'Note [#]_, [1]_, [#note]_ et [*]_.',
     'Note <x i="0">[#]_</x>, <x i="1">[1]_</x>, <x i="2">[#note]_</x> et <x i="3">[*]_</x>.'),
    ('citation', 'Selon [CIT2002]_.',
     'Selon <x i="0">[CIT2002]_</x>.'),
    ('inline target', 'Une _`cible interne` ici.',
     'Une <x i="0">_`cible interne`</x> ici.'),
    ('standalone url', 'Voir https://www.example.gouv.fr/plan et mairie@example.fr.',
     'Voir <x i="0">https://www.example.gouv.fr/plan</x> et <x i="1">mairie@example.fr</x>.'),
    ('standalone url parentheses', 'Voir https://fr.wikipedia.org/wiki/Paris_(ville) ici.',
     'Voir <x i="0">https://fr.wikipedia.org/wiki/Paris_(ville</x>) ici.'),
    ('nbsp and guillemets', 'Il a dit\xa0: «\xa0*oui*\xa0»\u202f!',
     'Il a dit\xa0: «\xa0<t i="0">oui</t>\xa0»\u202f!'),
    ('guillemets around link', '«\xa0`lien <https://a.example.fr>`_\xa0»',
     '«\xa0<t i="0">lien</t>\xa0»'),
    ('escaped markup', "Pas d'\\*emphase\\* ici.",
     'Pas d\'<x i="0">\\*</x>emphase<x i="1">\\*</x> ici.'),
    ('escaped space glue', 'Les *PME*\\ s locales.',
     'Les <t i="0">PME</t><x i="1">\\ </x>s locales.'),
    ('escaped backslash', 'Un \\\\ seul.',
     'Un <x i="0">\\\\</x> seul.'),
    ('unbalanced in source', 'Un *début sans fin.',
     'Un *début sans fin.'),
    ('quoted star', 'Le signe "*" et (*) et 2*3*4.',
     'Le signe "*" et (*) et 2*3*4.'),
    ('apostrophe', "L'*exemple* de l'``outil``.",
     'L\'<t i="0">exemple</t> de l\'<x i="1">``outil``</x>.'),
    ('ref inside emphasis', '*voir :ref:`plan`*',
     '<t i="0">voir <x i="1">:ref:`plan`</x></t>'),
    ('multi line', 'Première ligne\net **seconde\nligne** ici.',
     'Première ligne\net <t i="0">seconde\nligne</t> ici.'),
    ('title case', 'Conseil municipal du 3 mars 2014',
     'Conseil municipal du 3 mars 2014'),
    ('many constructs', 'Voir :ref:`le plan <plan-2014>` et la `page du ministère <https://www.example.gouv.fr/a_(b)>`_, **vite**.',
     'Voir <t i="0">le plan</t> et la <t i="1">page du ministère</t>, <t i="2">vite</t>.'),
]


@pytest.mark.parametrize("name, source, xml", PROTECTED, ids=[case[0] for case in PROTECTED])
def test_protect_sends_this_xml(name, source, xml):
    assert protect(source).xml == xml


@pytest.mark.parametrize("name, source, xml", PROTECTED, ids=[case[0] for case in PROTECTED])
def test_identity_translation_gives_the_source_back(name, source, xml):
    protected = protect(source)
    ET.fromstring(f"<root>{protected.xml}</root>")  # well-formed: DeepL's tag handling v2 is strict
    assert restore(protected.xml, protected) == source
    assert check(source, source) == []


def test_ignored_tags_hold_exactly_the_untouchable_parts():
    source = "Voir :ref:`plan-2014`, ``make``, |nom|, [#]_ et https://a.example.fr/x."
    root = ET.fromstring(f"<root>{protect(source).xml}</root>")
    kept = [element.text for element in root if element.tag in IGNORE_TAGS]
    assert kept == [":ref:`plan-2014`", "``make``", "|nom|", "[#]_", "https://a.example.fr/x"]


def test_pieces_carry_the_targets_check_compares():
    protected = protect(
        "Voir :ref:`le plan <plan-2014>`, la `page <https://a.example.fr/p>`_ et `Le Site`_."
    )
    assert [(p.kind, p.key) for p in protected.pieces] == [
        ("role", ":ref:`plan-2014`"),
        ("url", "https://a.example.fr/p"),
        ("reference", "le site"),
    ]
    title = protected.pieces[0]
    assert (title.open, title.text, title.close) == (":ref:`", "le plan", " <plan-2014>`")


# (msgid, what DeepL might answer, the reST we want back)
TRANSLATED = [
    ("Voir :ref:`le plan <plan-2014>` et la `page du ministère <https://www.example.gouv.fr/a_(b)>`_, **vite**.",
     'See <t i="1">the ministry page</t> and <t i="0">the plan</t>, <t i="2">quickly</t>.',
     "See `the ministry page <https://www.example.gouv.fr/a_(b)>`_ and :ref:`the plan <plan-2014>`, **quickly**."),
    # whitespace DeepL moved inside a construct goes back outside it
    ("Une *emphase* ici.", 'An<t i="0"> emphasis </t>here.', "An *emphasis* here."),
    ("La `page <https://a.example.fr>`_ ici.", 'The <t i="0">page </t>here.',
     "The `page <https://a.example.fr>`_ here."),
    # a construct glued to a word gets an escaped space, so the markup still holds
    ("Les *PME* locales.", 'The local <t i="0">SME</t>s.', "The local *SME*\\ s."),
    ("Un ``outil``.", 'A<x i="0">``outil``</x>-based tool.', "A\\ ``outil``-based tool."),
    ("*a* et *b*", '<t i="0">a</t>and<t i="1">b</t>', "*a*\\ and\\ *b*"),
    # punctuation next to markup needs nothing
    ("L'*exemple*.", 'The "<t i="0">example</t>".', 'The "*example*".'),
    # named references keep their name as an alias
    ("Voir `le site`_.", 'See <t i="0">the website</t>.', "See `the website <le site_>`_."),
    ("Voir site_ ici.", 'See <t i="0">the site</t> here.', "See `the site <site_>`_ here."),
    ("Voir site_ ici.", 'See <t i="0">site</t> here.', "See site_ here."),
    # anonymous references are only text
    ("Voir celui__.", 'See <t i="0">this one</t>.', "See `this one`__."),
    ("Voir `ce texte`__.", 'See <t i="0">this text</t>.', "See `this text`__."),
    # kept parts come back from the source, whatever DeepL did inside the tag
    ("Lancer ``make html``.", 'Run <x i="0">``faire html``</x>.', "Run ``make html``."),
    ("Voir :ref:`plan`.", 'See <x i="0"/>.', "See :ref:`plan`."),
    # nested: emphasis inside a link text
    ("Voir `*vite* et **bien** <https://x.example.fr>`_.",
     'See <t i="0"><t i="2">well</t> and <t i="1">fast</t></t>.',
     "See `**well** and *fast* <https://x.example.fr>`_."),
    # French typography survives as characters
    ("Il a dit\u00a0: «\u00a0*oui*\u00a0»\u202f!", 'He said: "<t i="0">yes</t>"!', 'He said: "*yes*"!'),
    ("Il a dit\u00a0: «\u00a0*oui*\u00a0»", 'Il a dit\u00a0: «\u00a0<t i="0">oui</t>\u00a0»',
     "Il a dit\u00a0: «\u00a0*oui*\u00a0»"),
    # an empty construct disappears rather than leaving broken markup
    ("Un *mot* ici.", 'A <t i="0"> </t>here.', "A  here."),
    # XML escapes in the answer
    ("Tom & Jerry", "Tom &amp; Jerry &lt;3", "Tom & Jerry <3"),
]


@pytest.mark.parametrize("source, answer, expected", TRANSLATED)
def test_restore_puts_markup_back_around_the_translation(source, answer, expected):
    assert restore(answer, protect(source)) == expected


TARGETS = """

.. _le site: https://site.example.fr
.. _site: https://site.example.fr/2
.. _plan-2014: https://plan.example.fr
"""


def _parse(text: str, monkeypatch) -> tuple[list[tuple], str]:
    """docutils' reading of a paragraph: its links, and its warnings."""
    for name in ("ref", "doc", "download"):
        monkeypatch.setitem(roles._roles, name, roles.GenericRole(name, nodes.inline))
    anonymous = "".join("\n__ https://anonymous.example.fr" for _ in range(text.count("__")))
    warnings = io.StringIO()
    doctree = publish_doctree(
        text + TARGETS + anonymous,
        settings_overrides={"warning_stream": warnings, "report_level": 2},
    )
    links = [
        (ref.get("refuri"), ref.get("refname"), ref.astext())
        for ref in doctree.findall(nodes.reference)
    ]
    return links, warnings.getvalue()


@pytest.mark.parametrize("source, answer, expected", TRANSLATED[:12])
def test_restored_text_is_valid_rest_with_the_same_links(source, answer, expected, monkeypatch):
    before, _ = _parse(source, monkeypatch)
    after, warnings = _parse(restore(answer, protect(source)), monkeypatch)
    assert warnings == ""
    assert _targets(after) == _targets(before)  # DeepL may reorder links, never lose one


def _targets(links: list[tuple]) -> list[tuple[str, str]]:
    return sorted((uri or "", name or "") for uri, name, _ in links)


def test_the_validity_check_above_would_see_glued_markup(monkeypatch):
    _, warnings = _parse("The local *SME*s.", monkeypatch)
    assert "start-string without end-string" in warnings


def test_restore_refuses_what_is_not_xml():
    protected = protect("Un ``x``.")
    with pytest.raises(MarkupError, match="not well-formed"):
        restore('A <x i="0">``x``', protected)
    with pytest.raises(MarkupError, match="unexpected tag"):
        restore('A <x i="7">``x``</x>', protected)
    with pytest.raises(MarkupError, match="unexpected tag"):
        restore("A <b>x</b>", protected)


# (source, draft, problems check() lists)
CHECKED = [
    ("Voir la `page <https://a.example.fr/p>`_.", "See the page.",
     ["URL https://a.example.fr/p missing"]),
    ("Voir https://a.example.fr/p.", "See https://a.example.fr/q.",
     ["URL https://a.example.fr/p changed to https://a.example.fr/q"]),
    ("Lancer ``make html``.", "Run ``make latex``.",
     ["literal ``make html`` changed to ``make latex``"]),
    ("Lancer ``make html``.", "Run make html.", ["literal ``make html`` missing"]),
    ("Voir :ref:`le plan <plan-2014>`.", "See the plan.", ["reference :ref:`plan-2014` missing"]),
    ("Voir :ref:`le plan <plan-2014>`.", "See :ref:`the plan <plan-2015>`.",
     ["reference :ref:`plan-2014` changed to :ref:`plan-2015`"]),
    ("Voir :doc:`/index`.", "See :doc:`/index` and :doc:`/autre`.", ["reference :doc:`/autre` added"]),
    ("Voir `le site`_.", "See the website.", ["reference `le site`_ missing"]),
    ("Note [#]_ et [CIT2002]_.", "Note.",
     ["footnote reference [#]_ missing", "citation reference [CIT2002]_ missing"]),
    ("Signé |nom|.", "Signed |name|.", ["substitution |nom| changed to |name|"]),
    ("Une _`cible` ici.", "A target here.", ["inline target _`cible` missing"]),
    ("Une *emphase* ici.", "An *emphasis here.", ["*emphasis* missing (1 in the source, 0 in the draft)",
                                                   "unbalanced *emphasis*"]),
    ("Un ``outil``.", "A ``tool.", ["literal ``outil`` missing", "unbalanced ``literal``"]),
    ("Un mot **fort**.", "A **strong** **word**.", ["**strong** added (1 in the source, 2 in the draft)"]),
    ("Voir `ici <https://a.example.fr>`__ et `là`__.", "See `here <https://a.example.fr>`__.",
     ["anonymous link `...`__ missing (1 in the source, 0 in the draft)"]),
    ("Un ``x``.", 'A <x i="0">``x``</x>.', ["literal ``x`` missing",
                                            'translation markup <x i="0"> left in the text',
                                            "translation markup </x> left in the text"]),
    # what is allowed to change
    ("Voir :ref:`le plan <plan-2014>` et la `page <https://a.example.fr>`_, **vite**.",
     "See :ref:`the plan <plan-2014>` and the `page <https://a.example.fr>`_, **quickly**.", []),
    ("Voir `le site`_.", "See `the website <le site_>`_.", []),
    ("Voir `page <https://a.example.fr/\n  long>`_.", "See `page <https://a.example.fr/long>`_.", []),
    ("Un *début sans fin.", "A *beginning without end.", []),  # the source was like that already
    ("Il a dit\u00a0: «\u00a0*oui*\u00a0»\u202f!", 'He said: "*yes*"!', []),
]


@pytest.mark.parametrize("source, draft, problems", CHECKED)
def test_check_lists_what_the_draft_lost(source, draft, problems):
    assert check(source, draft) == problems


def test_plain_text_is_what_a_reader_sees_translated():
    assert plain_text("Voir :ref:`le plan <plan>`, ``x`` et *vite*\\ s.") == "Voir le plan,   et vites."


# --- properties ---------------------------------------------------------------

FRAGMENTS = [
    "mot", "Conseil", "«\u00a0", "\u00a0»", "\u202f!", "&", "<", ">", "l'", "2*3", "(", ")", "\n",
    "*emphase*", "**fort**", "``lit < x``", ":ref:`plan`", ":ref:`le plan <plan-2014>`",
    ":doc:`titre </a/b>`", "`texte <https://a.example.fr/a_(b)>`_", "`lien`_", "nom_", "anon__",
    "`anonyme`__", "|sub|", "[#]_", "[1]_", "[CIT]_", "_`cible`", "https://a.example.fr/x",
    "\\*", "\\ ", "*", "``", "`", "|", ":abbr:`A (b)`", "`*x* <https://b.example.fr>`_",
]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12), st.lists(st.sampled_from([" ", "", ", ", "\u00a0"]), min_size=12, max_size=12))
def test_round_trip_of_any_mix_of_constructs(fragments, separators):
    text = "".join(f + s for f, s in zip(fragments, separators))
    protected = protect(text)
    assert restore(protected.xml, protected) == text
    assert check(text, text) == []


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00") | st.sampled_from("\n\t\r*`_|[]<>:\\"), max_size=60))
def test_round_trip_of_any_text(text):
    protected = protect(text)
    assert restore(protected.xml, protected) == text
