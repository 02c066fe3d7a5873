"""What a translation refers to, compared with its source (docutils as the reader)."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from translate_pipeline.checks.references import (
    Reader,
    _plain,
    compare,
    inventory,
    inventory_of,
    one_line_of_prose,
)

REPO = Path(__file__).parents[1]
READER = Reader()  # one docutils parser set up for the module's many messages

REFUSED = [
    ("Voir la charte.", "See the `charter <javascript:alert(document.domain)>`_.",
     "URL scheme javascript: is never published from a translation"),
    ("Texte.", "Text javascript:alert(5) here.", "URL javascript:alert(5 added"),
    ("Texte.", "Text `x <data:text/html,hi>`_.", "URL scheme data: is never published"),
    ("Texte.", "Text `x <VBScript:msgbox(1)>`_.", "URL scheme vbscript: is never published"),
    ("Le `site <https://a.example/>`_.", "The `site <https://evil.example/>`_.",
     "URL https://evil.example/ added; URL https://a.example/ missing"),
    ("Texte.", "Write to boss@evil.example.", "URL mailto:boss@evil.example added"),
    ("Voir :doc:`a`.", "See :doc:`b`.", ":doc:`b` added; :doc:`a` missing"),
    ("Voir :ref:`x`.", "See :ref:`the section <y>`.", ":ref:`y` added"),
    ("Voir `site`_.", "See `other`_.", "reference `other`_ added"),
    ("Texte.", "Text `x <https://evil.example/>`__.", "URL https://evil.example/ added"),
    ("Texte.", "Text `x`__.", "anonymous link `...`__ added"),
    ("Texte.", "If you are a victim [#]_", "footnote reference [#]_ added"),
    ("Texte.", "Text [CIT]_.", "citation reference [cit]_ added"),
    ("Texte.", "Text |logo|.", "substitution |logo| added"),
    ("Texte.", "Text _`here`.", "inline target _`here` added"),
    ("Texte.", "Text :download:`../conf.py`.", ":download:`../conf.py` added"),
    ("Texte.", ":raw-html:`<script>alert(1)</script>`", ":raw-html:"),
    ("Texte.", "Text.\n\n.. raw:: html\n\n   <script>alert(1)</script>", "a directive (.. raw::) (not in the source)"),
    ("Texte.", ".. include:: /etc/passwd", "a directive (.. include::)"),
    ("Texte.", ".. image:: https://evil.example/x.png", "a directive (.. image::) (not in the source)"),
    ("Texte.", "Title\n=====", "a section title (not in the source)"),
    ("Texte.", "- item", "a bulleted list (not in the source)"),
    ("Texte.", "Text.\n\n   indented", "an indented block (not in the source)"),
    ("Texte.", ".. _evil: javascript:alert(1)\n\nText evil_.", "a link target (.. _name:) (not in the source)"),
    ("Texte.", "Text\n\nMore text.", "another paragraph"),
    ("Texte *gras*.", "Text *bold.", "Inline emphasis start-string without end-string"),
]

KEPT = [
    ("Voir :doc:`le texte <a>`.", "See :doc:`the text <a>`."),
    ("Le `site <https://a.example/>`_ et :ref:`x`.", "See :ref:`x` and the `site <https://a.example/>`_."),
    ("Notre partenaire_ nous soutient.", "Our `partner <partenaire_>`_ supports us."),
    ("Voir https://a.example/.", "See https://a.example/."),
    ("Le texte [#loi]_ et [1]_.", "The text [1]_ and [#loi]_."),
    ("Un :guilabel:`Fichier` et ``code``.", "A :guilabel:`File` and ``code``."),
    ("Texte <b>.", "Text <script>alert(1)</script>."),  # docutils writes it as text
    ("Les objectifs :", "The objectives:"),
]


@pytest.mark.parametrize(("source", "translation", "problem"), REFUSED)
def test_a_translation_that_adds_or_changes_a_reference_is_refused(source, translation, problem):
    assert problem in str(compare(source, translation))


@pytest.mark.parametrize(("source", "translation"), KEPT)
def test_a_translation_with_the_same_references_passes(source, translation):
    assert not compare(source, translation), compare(source, translation)


def test_the_flagship_sites_translations_all_pass():
    checked = 0
    for path in sorted((REPO / "locale").rglob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                checked += 1
                assert not compare(entry.msgid, entry.msgstr, reader=READER), f"{path}:{entry.linenum}"
    assert checked > 200


TEXT = st.text(alphabet=st.sampled_from(list("ab :.-_*`[]|@<>#()1A/\\\n=+") + [" ", "\u00a0"]), max_size=30)


@given(TEXT)
def test_text_read_as_plain_is_what_docutils_reads_as_plain(text):
    # The shortcut that skips docutils must agree with docutils.
    if _plain(text):
        found = inventory(text, READER)
        assert not found.references and not found.blocks and not found.broken, found


def test_reading_a_translation_registers_no_role_for_the_process():
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser, roles
    from docutils.parsers.rst.languages import get_language
    from docutils.utils import new_document

    translation = ".. role:: leaked(raw)\n   :format: html\n\n.. default-role:: leaked\n\nText :leaked:`<b>`."
    assert "a directive (.. role::)" in str(compare("Texte.", translation))
    reporter = new_document("<test>", get_default_settings(Parser)).reporter
    assert roles.role("leaked", get_language("en"), 1, reporter)[0] is None
    assert roles.role("", get_language("en"), 1, reporter)[0] is not roles.role("raw", get_language("en"), 1, reporter)[0]


LINE = st.text(alphabet=st.sampled_from(list("ab :.-_*`[]|@<>#()1A/\\=+") + [" ", "\u00a0"]), max_size=30)


@given(st.sampled_from(["Text ", "A", "voir ", "I", "b"]), LINE)
@example("Text ", ":: ")  # a literal block announced before a space
@example("A", "b ::\u00a0")
def test_one_line_is_read_without_the_state_machine_as_with_it(start, rest):
    # The shortcut for one line of words must find what docutils' state machine finds.
    text = start + rest
    if one_line_of_prose(text):
        line, full = READER.parse_line(text), READER.parse_text(text)
        assert inventory_of(line, text) == inventory_of(full, text), text
