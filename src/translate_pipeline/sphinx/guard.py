"""While Sphinx reads a page: a translation that went wrong is contained to its passage.

The catalogs are checked when they are compiled (a translation that refers
to what its source does not is not published, see
:mod:`translate_pipeline.publishing.published`); what that check could not see, this
sees, on the document as Sphinx made it (the page's own parser, Sphinx's
roles, whatever ``Locale`` did to the translation):

* :class:`KeepOriginals` (16, before ``Locale``) keeps the original content
  of each passage about to be translated;
* :class:`CheckTranslations` (21, after ``Locale``, before the marks are
  counted) compares each translated passage with its original: the same
  links, cross-references, footnote and citation references, substitutions,
  targets, images and raw output, and every auto-numbered footnote
  reference known to the document (one that is not gets no number, or
  stops the HTML writer). A passage that fails gets its original back, marked not yet
  translated, and the editor a warning naming the catalog and line.

Sphinx's ``Locale`` replaces a passage's children and notes the new
references in the document's registries (footnote references, names, ids);
putting the original back undoes both, so the references resolved later
are the original's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import NodeMatcher

from ..publishing import published
from ..catalogs.catalog import State
from ..checks.references import describe
from . import site
from .marks import LINE, MESSAGE, SHOWN, SINCE, STATE

logger = logging.getLogger(__name__)

ORIGINALS = "tp_originals"  # document attribute, between the two transforms


class KeepOriginals(SphinxTransform):
    """Keep the original children of every passage a translation is to replace."""

    default_priority = 16  # after MarkMessages (15), before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs: Any) -> None:
        if not site.active(self.env):
            return
        kept = {}
        for node in NodeMatcher(nodes.Element, **{STATE: Any}).findall(self.document):
            if node[STATE] != State.UNTRANSLATED:
                kept[id(node)] = (node, list(node.children))
        self.document[ORIGINALS] = kept


class CheckTranslations(SphinxTransform):
    """Give back its original to every translated passage that refers to something else."""

    default_priority = 21  # after Locale (20); registered before CheckMarks, which counts the states

    def apply(self, **kwargs: Any) -> None:
        kept = self.document.attributes.pop(ORIGINALS, None)
        if not kept:
            return
        for node, original in kept.values():
            if not node.get("translated") or node.children == original:
                continue
            problems = problems_of(self.document, original, node.children)
            if problems:
                restore(self.document, node, original)
                self._warn(node, problems)

    def _warn(self, node: nodes.Element, problems: list[str]) -> None:
        docname = site.current_docname(self.env)
        line = node.get(LINE)
        where = _catalog(self.config, docname)
        location: Any = f"{where}:{line}" if where and line else node
        logger.warning(
            "translation not published, the original is shown instead (marked not yet translated): %s",
            "; ".join(problems), location=location, type="translate_pipeline", subtype="refused",
        )
        node[STATE] = State.UNTRANSLATED
        node.attributes.pop(SINCE, None)
        shown = self.document.get(SHOWN)  # what CheckMarks counts, message by message
        if shown is not None and node.get(MESSAGE) in shown:
            shown[node[MESSAGE]] = State.UNTRANSLATED


def _catalog(config: Any, docname: str) -> str | None:
    root = site.setting(config, "locale_dir")
    if not root:
        return None
    return published.load_catalog_paths(Path(root), config.language).get(
        docname_to_domain(docname, config.gettext_compact))


# -- what a passage refers to ---------------------------------------------------


def references(children: Iterable[nodes.Node]) -> Counter[str]:
    """How each reference in ``children`` reads for a person, counted."""
    found: Counter[str] = Counter()
    for child in children:
        if not isinstance(child, nodes.Element):
            continue
        for node in child.findall(nodes.Element):
            key = _key(node)
            if key:
                found[key] += 1
    return found


def _key(node: nodes.Element) -> str | None:
    """How ``node`` reads for a person: Sphinx's own references, then docutils' (as the catalogs are checked)."""
    if isinstance(node, addnodes.pending_xref):
        return f"cross-reference :{node.get('refdomain', '')}:{node.get('reftype', '')}:`{node.get('reftarget', '')}`"
    if isinstance(node, nodes.image):
        return f"image {node.get('uri', '')}"
    if isinstance(node, nodes.raw):
        return f"raw {node.get('format', '')} output"
    if isinstance(node, addnodes.download_reference):
        return f"download {node.get('reftarget', '')}"
    return describe(node)


def problems_of(document: nodes.document, original: list[nodes.Node], translated: list[nodes.Node]) -> list[str]:
    """What the translated children refer to that the original ones do not, and the reverse."""
    before, after = references(original), references(translated)
    problems = [f"{key} added" for key in (after - before).elements()]
    problems += [f"{key} missing" for key in (before - after).elements()]
    numbered = {id(node) for node in [*document.autofootnote_refs, *document.symbol_footnote_refs]}
    for child in translated:
        if not isinstance(child, nodes.Element):
            continue
        for node in NodeMatcher(nodes.footnote_reference, auto=Any).findall(child):
            if id(node) not in numbered and not node.get("refid"):
                problems.append(f"{_key(node)} that Sphinx cannot number here")
    return list(dict.fromkeys(problems))


# -- putting the original back ---------------------------------------------------


def restore(document: nodes.document, node: nodes.Element, original: list[nodes.Node]) -> None:
    """Give ``node`` its ``original`` children back, and the document's registries their nodes."""
    dropped = {id(n) for child in node.children if isinstance(child, nodes.Element) for n in child.findall()}
    by_id = {
        identifier: n
        for child in original if isinstance(child, nodes.Element)
        for n in child.findall(nodes.Element) for identifier in n.get("ids", [])
    }
    node.children = list(original)
    for child in original:
        child.parent = node
    node["translated"] = False

    def counterpart(n: nodes.Node) -> nodes.Node | None:
        if id(n) not in dropped:
            return n
        ids = n.get("ids", []) if isinstance(n, nodes.Element) else []
        return next((by_id[i] for i in ids if i in by_id), None)

    def cleaned(items: list) -> list:
        out = []
        for item in items:
            kept = counterpart(item) if isinstance(item, nodes.Node) else item
            if kept is not None and kept not in out:
                out.append(kept)
        return out

    for name, value in vars(document).items():
        if name in ("children", "attributes", "parent") or not value:
            continue
        if isinstance(value, list):
            value[:] = cleaned(value)
        elif isinstance(value, dict):
            for key, item in list(value.items()):
                if isinstance(item, list):
                    value[key] = cleaned(item)
                elif isinstance(item, nodes.Node) and id(item) in dropped:
                    replacement = by_id.get(key) if isinstance(key, str) else None
                    if replacement is not None:
                        value[key] = replacement
                    else:
                        del value[key]
