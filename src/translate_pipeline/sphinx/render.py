"""When Sphinx writes a page: anchors, labels, the banner and the threshold notice.

Everything here is plain docutils nodes (inline, reference, container), so
every builder renders it; the HTML gets its look from
``static/translate-pipeline.css`` (screen and print). Reader-facing text
(labels, banner) carries the ``no-search`` class: the search index holds the
page's own words only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util.nodes import NodeMatcher

from ..catalogs.catalog import State
from . import marks, site
from ..wording import Wording

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

BANNER_ID = "tp-banner"
NOTICE_ID = "tp-notice"
REPLACED = "tp_replaced"  # document attribute: the page shows the threshold notice


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not site.active(app.env):
        return
    page = doctree.get(marks.PAGE)
    config = app.config
    words = site.wording(config)
    original = page["language"] if page else config.language
    links = app.builder.format == "html"
    for node in list(NodeMatcher(nodes.Element, **{marks.ANCHOR: Any}).findall(doctree)):
        node.insert(0, nodes.inline("", "", ids=[node[marks.ANCHOR]], classes=["tp-anchor"]))
    if page:
        for node in list(NodeMatcher(nodes.Element, **{marks.STATE: Any}).findall(doctree)):
            if node[marks.STATE] != State.REVIEWED and marks.labelled(node):
                node += _label(app.builder, node, docname, original, words, links)
        _one_label_per_row(doctree)
    for node in doctree.findall(nodes.Element):
        for name in marks.ATTRIBUTES:
            node.attributes.pop(name, None)
    if not page:
        return
    record = site.PageRecord(entries=page["entries"], words=page["words"], language=page["language"])
    if record.reviewed_percent < site.setting(config, "page_threshold"):
        _replace_by_notice(app.builder, doctree, docname, record, words, links)
    elif not record.fully_reviewed and site.setting(config, "banner"):
        _insert_banner(app.builder, doctree, docname, record, words, links)


def _one_label_per_row(doctree: nodes.document) -> None:
    """A table row says each state once: the label of its last cell in that state.

    Every marked cell keeps its line and its ``lang``; only the repeated
    "machine translated" / "not yet translated" labels go (an outdated
    cell's label keeps its own date and link).
    """
    for row in doctree.findall(nodes.row):
        kept: dict[str, nodes.inline] = {}
        for label in list(row.findall(nodes.inline)):
            classes = label["classes"]
            if "tp-label" not in classes or "tp-label-stale" in classes:
                continue
            state = next((c[len("tp-label-"):] for c in classes if c.startswith("tp-label-")), "")
            if state in kept:
                kept[state].parent.remove(kept[state])
            kept[state] = label


def _original_link(builder: Builder, docname: str, language: str, text: str, anchor: str, links: bool) -> nodes.Node:
    if not links:
        return nodes.Text(text)
    uri = site.cross_uri(builder, docname, language, docname, anchor)
    return nodes.reference("", text, refuri=uri, internal=False, classes=["tp-original-link"])


def _label(builder: Builder, node: nodes.Element, docname: str, original: str, words: Wording, links: bool) -> nodes.inline:
    state = node[marks.STATE]
    label = nodes.inline("", "", classes=["tp-label", f"tp-label-{state}", "no-search"])
    if state == State.MACHINE:
        label += nodes.Text(words("machine translated"))
    elif state == State.UNTRANSLATED:
        label += nodes.Text(words("not yet translated"))
        label["classes"].append(f"language-{words.language}")
    else:
        language = words.language_name(original)
        since = node.get(marks.SINCE)
        text = (
            words("Outdated: the %(language)s original changed on %(date)s.", language=language, date=words.date(since))
            if since
            else words("Outdated: the %(language)s original changed after this translation was reviewed.", language=language)
        )
        label += nodes.Text(text + " ")
        label += _original_link(builder, docname, original, words("Read the original"), node.get(marks.ANCHOR, ""), links)
    return label


def _title_section(doctree: nodes.document) -> tuple[nodes.Element, int]:
    """Where the top of the page's content is: after the first title."""
    section = doctree.next_node(nodes.section)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        return section, 1
    return doctree, 0


def _insert_banner(builder: Builder, doctree: nodes.document, docname: str, record: site.PageRecord,
                   words: Wording, links: bool) -> None:
    entries = record.entries
    total = sum(entries.values())
    text = nodes.paragraph()
    text += nodes.strong("", words("Translation in progress."))
    text += nodes.Text(" " + words("Passages reviewed: %(reviewed)d of %(total)d.", reviewed=entries["reviewed"], total=total))
    counts = nodes.paragraph(classes=["tp-banner-counts"])
    for state, message in (
        (State.MACHINE, "machine translated: %(count)d"),
        (State.STALE, "outdated: %(count)d"),
        (State.UNTRANSLATED, "not yet translated: %(count)d"),
    ):
        if entries[state]:
            counts += nodes.inline("", words(message, count=entries[state]), classes=["tp-count", f"tp-count-{state}"])
            counts += nodes.Text(" ")
    language = words.language_name(record.language)
    link = nodes.paragraph()
    link += _original_link(builder, docname, record.language, words("Read the %(language)s original", language=language), "", links)
    banner = nodes.container("", text, counts, link, ids=[BANNER_ID], classes=["tp-banner", "no-search"])
    parent, index = _title_section(doctree)
    parent.insert(index, banner)


def _replace_by_notice(builder: Builder, doctree: nodes.document, docname: str, record: site.PageRecord,
                       words: Wording, links: bool) -> None:
    parent, index = _title_section(doctree)
    removed = parent.children[index:]
    if parent is not doctree:
        removed += [c for c in doctree.children if c is not parent and not isinstance(c, nodes.Invisible)]
    ids = [i for top in removed for node in top.findall(nodes.Element) for i in node.get("ids", [])]
    here = words.language_name(words.language)
    there = words.language_name(record.language)
    notice = nodes.container("", ids=[NOTICE_ID], classes=["tp-notice", "no-search"])
    notice += nodes.paragraph("", "", nodes.strong("", words("Not yet available in %(language)s.", language=here)))
    notice += nodes.paragraph("", words(
        "Only %(percent)s of this page has been reviewed so far, so it is not published in %(language)s yet.",
        percent=words.percent(record.reviewed_percent), language=here,
    ))
    link = nodes.paragraph()
    link += _original_link(builder, docname, record.language, words("Read the %(language)s original", language=there), "", links)
    notice += link
    if ids:  # links into the page still land on it
        notice += nodes.inline("", "", ids=ids, classes=["tp-anchor"])
    for node in removed:
        node.parent.remove(node)
    parent.insert(index, notice)
    doctree[REPLACED] = True
