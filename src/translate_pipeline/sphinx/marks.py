"""While Sphinx reads a page: the state each passage is shown in.

Two small transforms around Sphinx's ``Locale`` transform (priority 20):

* :class:`MarkMessages` (15, before it) finds the messages with
  :func:`sphinx.util.nodes.extract_messages`, exactly as ``Locale`` will,
  and notes on each node its anchor (the same in every language, derived
  from the original text) and the state the site shows it in;
* :class:`CheckMarks` (21, after it) checks that what was to be translated
  was (a translation Sphinx could not apply is shown in the original, so it
  is marked untranslated), sets the classes the HTML shows (``tp-mark``,
  ``tp-machine``/``tp-stale``/``tp-untranslated``, ``language-xx`` which
  docutils writes as ``lang="xx"``) and counts the page.

A page is counted by message, as its catalog is: each distinct message
once (a "2007" in seven table cells is one entry), image texts and toctree
captions included, and on the root page the site's name, author and
copyright (entries of its catalog), so the banner's figures are those of
``status`` for the same catalog.

Nodes keep their identity through ``Locale`` (only their children are
replaced), so what is set on them before survives the translation.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.nodes import LITERAL_TYPE_NODES, NodeMatcher, extract_messages

from ..catalogs.catalog import STATES, State, word_count
from ..catalogs.extract import page_messages
from . import site

logger = logging.getLogger(__name__)

STATE = "tp_state"  # node attribute: the state shown
SINCE = "tp_since"  # node attribute: when the original of a stale passage changed
ANCHOR = "tp_anchor"  # node attribute: the passage's id, written at output time
MESSAGE = "tp_message"  # node attribute: the message it shows
PAGE = "tp_page"  # document attribute: the page's record, for output time
SHOWN = "tp_shown"  # document attribute while read: message -> state shown
LINE = "tp_line"  # node attribute: the line of the passage's entry in its catalog
ATTRIBUTES = (STATE, SINCE, ANCHOR, MESSAGE, LINE)
TITLE_MARK = "tp-title-mark"  # class of a marked title's text, wherever Sphinx shows it


def anchor_of(message: str) -> str:
    """The id of a passage, derived from its original text (same in every language)."""
    return "tp-" + hashlib.sha1(" ".join(message.split()).encode("utf-8")).hexdigest()[:10]


def markable(node: nodes.Node) -> bool:
    """A passage readers see as text: paragraph, title, list item, table cell, term..."""
    return isinstance(node, nodes.TextElement) and not isinstance(node, addnodes.translatable)


def labelled(node: nodes.Element) -> bool:
    """Whether a visible label can be put inside the node (not in titles or literal text)."""
    return not isinstance(node, (nodes.title, nodes.subtitle, *LITERAL_TYPE_NODES))


class MarkMessages(SphinxTransform):
    """Note each passage's anchor and, on a translated page, the state it is shown in."""

    default_priority = 15  # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs: Any) -> None:
        if not site.active(self.env):
            return
        docname = site.current_docname(self.env)
        marks = site.domain_marks(self.config, docname)
        entries = marks["entries"] if marks is not None else {}
        seen: Counter[str] = Counter()
        language = site.document_language(self.config, docname)
        shown: dict[str, str] = {}  # what the page shows, message by message: its counts
        for _node, message in page_messages(self.document, self.config.gettext_additional_targets) if marks else ():
            state = entries.get(message, (State.UNTRANSLATED,))[0]
            shown[message] = state if state in STATES else State.UNTRANSLATED
        if marks is not None and docname == self.config.root_doc:
            # The site's name, author and copyright are entries of the root
            # page's catalog too (translate_pipeline.sitename): counted here as
            # status counts them, though the theme shows them, not the page.
            for name in (site.setting(self.config, "original_names") or {}).values():
                if name in entries and name not in shown:
                    state = entries[name][0]
                    shown[name] = state if state in STATES else State.UNTRANSLATED
        for node, message in extract_messages(self.document):
            if isinstance(node, nodes.image) and message == node.get("alt"):
                # No room for a label; an untranslated text says its language.
                if marks is not None and entries.get(message, (State.UNTRANSLATED,))[0] == State.UNTRANSLATED:
                    node["classes"].append(f"language-{language}")
                continue
            if isinstance(node, nodes.meta):
                # A page's description: no label either; untranslated, its language said.
                if marks is not None and entries.get(message, (State.UNTRANSLATED,))[0] == State.UNTRANSLATED:
                    node["lang"] = language
                continue
            if not markable(node):
                continue
            if not isinstance(node, nodes.title):
                anchor = anchor_of(message)
                seen[anchor] += 1
                node[ANCHOR] = anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}"
            if marks is None:
                continue
            state, since, *line = entries.get(message, (State.UNTRANSLATED, None))
            if line and line[0]:
                node[LINE] = line[0]
            node[STATE] = state if state in STATES else State.UNTRANSLATED
            node[MESSAGE] = message
            if since and state == State.STALE:
                node[SINCE] = since
        if marks is not None:
            self.document[SHOWN] = shown
        site.records(self.env)[docname] = site.PageRecord(
            language=language,
            digest=marks["digest"] if marks is not None else None,
            entries={},
            words={},
        )


def _mark_title_text(title: nodes.title, state: str, original: str) -> None:
    """Put a title's text in a marked inline: Sphinx copies a title's children,
    not its classes, to the navigation, the contents lists and the links to the
    page, so that is how they carry the mark (and the ``lang``) too."""
    classes = [TITLE_MARK, f"tp-{state}"]
    if state == State.UNTRANSLATED:
        classes.append(f"language-{original}")
    text = nodes.inline("", "", *title.children, classes=classes)
    title.children = []
    title += text


def title_language(title: nodes.Element) -> str:
    """The language of a title Sphinx keeps (``env.titles``) when it is shown untranslated; else ""."""
    for node in title.findall(nodes.inline):
        if TITLE_MARK in node["classes"] and f"tp-{State.UNTRANSLATED}" in node["classes"]:
            return next((c[len("language-"):] for c in node["classes"] if c.startswith("language-")), "")
    return ""


class CheckMarks(SphinxTransform):
    """After translation: fix what Sphinx could not translate, set classes, count."""

    default_priority = 21  # after sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs: Any) -> None:
        if not site.active(self.env):
            return
        docname = site.current_docname(self.env)
        record = site.records(self.env).get(docname)
        if record is None or record.digest is None:
            return
        shown: dict[str, str] = self.document.attributes.pop(SHOWN, {})
        for node in NodeMatcher(nodes.Element, **{STATE: Any}).findall(self.document):
            state = node[STATE]
            if state != State.UNTRANSLATED and not node.get("translated"):
                logger.warning(
                    "this translation could not be applied (its markup does not make a "
                    "paragraph); the original is shown, marked not yet translated",
                    location=node,
                    type="translate_pipeline",
                    subtype="not_applied",
                )
                state = node[STATE] = State.UNTRANSLATED
                node.attributes.pop(SINCE, None)
                if node.get(MESSAGE) in shown:
                    shown[node[MESSAGE]] = state
            if state == State.REVIEWED:
                continue
            node["classes"].extend(["tp-mark", f"tp-{state}"])
            if state == State.UNTRANSLATED:
                node["classes"].append(f"language-{record.language}")
            if isinstance(node, nodes.title):
                _mark_title_text(node, state, record.language)
        entries = dict.fromkeys(map(str, State), 0)
        words = dict.fromkeys(map(str, State), 0)
        for message, state in shown.items():
            entries[state] += 1
            words[state] += word_count(message)
        record.entries, record.words = entries, words
        self.document[PAGE] = {"language": record.language, "entries": entries, "words": words}

