"""What a theme's templates write as plain text: in the site's language, or saying its own.

Themes hard-code some of their words in English instead of passing them
through ``_()``: Furo's ``aria-label="Toggle site navigation sidebar"`` and
the ``<title>`` of its icons, Sphinx's ``aria-label="Main"`` and search
``placeholder="Search"``, Alabaster's "Powered by". And they print the
site's name as plain text, so a name not yet translated has no ``lang`` in
the sidebar of the other site.

A Jinja extension rewrites each template as it is loaded (``preprocess``,
before Jinja compiles it):

* a literal ``aria-label``, ``title``, ``alt`` or ``placeholder``, a literal
  ``<title>`` (an icon's), and the texts of :data:`TEXTS` become
  ``{{ _("...")|e }}``: Sphinx's catalog, the theme's, then the tool's
  (``locale/LANG/LC_MESSAGES/themes.po``, :mod:`.themes`) translate them; a
  text nobody translates stays as it was;
* the texts of :data:`THEME_OPTIONS` are translated at ``html-page-context``,
  and Sphinx's English placeholder for an author not set is not printed;
* a ``<title>`` made by Jinja (the page's) gets ``lang`` when the page's
  title or the site's name in it is not yet translated (``tp_title_language``,
  set by :func:`.pages.page_context`);
* where a template prints ``project``, ``docstitle`` or ``shorttitle`` as text
  (not in an attribute nor in ``<title>``), it goes through
  ``translate-pipeline/name.html``, which wraps it in ``<span lang="...">``
  when that name is not yet translated in this site
  (``tp_name_languages``, set by :func:`name_languages`).

What is inside ``{% trans %}``, ``{% raw %}``, ``<script>`` and ``<style>``
is left as it is. The rewriting depends on the template's text only, so
Jinja's bytecode cache (keyed by that text) stays right; its files carry
:data:`FORM` in their names, so those compiled by another version of these
rules are not used.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2.ext import Extension

from . import names, site

if TYPE_CHECKING:
    from sphinx.application import Sphinx

# The form of the rewriting, from this module's text: the templates compiled
# by another form of it are not read from Jinja's bytecode cache (see
# pages.cache_templates).
FORM = hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:10]
NAME_TEMPLATE = "translate-pipeline/name.html"
TITLE_TEMPLATE = "translate-pipeline/title-lang.html"

# Texts themes write outside any tag, in English, with no ``_()``.
TEXTS = ("Powered by",)
# Theme options whose English default a theme prints as is (PyData's "Search the
# docs ..."): translated like its words; a project's own value stays as it is.
THEME_OPTIONS = ("theme_search_bar_text",)
# What Sphinx puts in ``author`` when conf.py sets none (Sphinx 8 and later; "unknown" before).
NO_AUTHOR = ("Author name not set", "unknown")

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_STATEMENT = re.compile(r"\{%-?\s*(\w+)")
_ATTRIBUTE = re.compile(r"(?<=\s)(aria-label|title|alt|placeholder)=\"([^\"{}<>]*)\"")
_TITLE = re.compile(r"<title>([^<>{}]*)</title>")
_TEXTS = "|".join(map(re.escape, TEXTS))
_TEXT = re.compile(rf"(?<![\w-])({_TEXTS})(?=\s+<)")
_RAW_TEXT = re.compile(r"<(/?)(title|script|style|textarea)\b[^>]*>", re.I)
_NAME = re.compile(r"\b(project|docstitle|shorttitle)\b")
_BLOCKS = {"trans": "endtrans", "raw": "endraw"}  # statement -> the one ending what is kept as is


class TemplateText(Extension):
    """Rewrites a theme's hard-coded English and plain site names (see the module)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if not (name or filename or "").endswith(".html"):
            return source
        return rewrite(source)


def rewrite(source: str) -> str:
    """``source`` with its hard-coded words made translatable and its names given their language."""
    out: list[str] = []
    closing = ""  # the statement that ends a {% trans %} or {% raw %} being read
    raw_text = ""  # the element (script, style, title...) whose content is being read
    in_tag = False
    position = 0
    for found in _JINJA.finditer(source):
        plain = source[position:found.start()]
        out.append(_plain(plain, bool(closing), raw_text))
        raw_text, in_tag = _after(plain, raw_text, in_tag)
        construct = found.group()
        statement = _STATEMENT.match(construct)
        keyword = statement.group(1) if statement else ""
        if closing:
            if keyword == closing:
                closing = ""
        elif keyword in _BLOCKS:
            closing = _BLOCKS[keyword]
        elif construct.startswith("{{") and not in_tag and not raw_text:
            construct = _named(construct)
        out.append(construct)
        position = found.end()
    out.append(_plain(source[position:], bool(closing), raw_text))
    return "".join(out)


def _translated(text: str) -> str:
    return "{{ _(" + json.dumps(html.unescape(text)) + ")|e }}"


def _plain(text: str, in_block: bool, raw_text: str = "") -> str:
    """A stretch of the template without Jinja: its literal English made translatable.

    ``in_block``: it is inside a ``{% trans %}`` or ``{% raw %}``; ``raw_text``:
    it starts inside that element (``title``, ``script``...), left as is up to its end.
    """
    if in_block:
        return text
    if raw_text:
        end = re.compile(rf"</{raw_text}\s*>", re.I).search(text)
        return text if end is None else text[:end.end()] + _plain(text[end.end():], False)
    pieces = []
    position = 0
    for element in _RAW_TEXT.finditer(text):  # nothing inside <script> or <style> is touched
        if element.group(2).lower() in ("script", "style") and not element.group(1):
            end = re.compile(rf"</{element.group(2)}\s*>", re.I).search(text, element.end())
            if end is None:
                pieces.append(_words(text[position:]))
                return "".join(pieces)
            pieces.append(_words(text[position:element.end()]))
            pieces.append(text[element.end():end.start()])
            position = end.start()
    pieces.append(_words(text[position:]))
    return "".join(pieces)


def _words(text: str) -> str:
    if text.endswith("<title>"):  # a page's title, made by Jinja: it says its language when not the site's
        text = text[:-len(">")] + f'{{% include "{TITLE_TEMPLATE}" %}}>'
    text = _ATTRIBUTE.sub(lambda m: f'{m.group(1)}="{_translated(m.group(2))}"' if _is_words(m.group(2)) else m.group(), text)
    text = _TITLE.sub(lambda m: f"<title>{_translated(m.group(1))}</title>" if _is_words(m.group(1)) else m.group(), text)
    return _TEXT.sub(lambda m: _translated(m.group(1)), text)


def _is_words(value: str) -> bool:
    return bool(re.search(r"[A-Za-z]{2}", value)) and "://" not in value and not value.strip().startswith(("#", "/", "."))


def _after(plain: str, raw_text: str, in_tag: bool) -> tuple[str, bool]:
    """Where the template stands at the end of ``plain``: inside which raw-text element, inside a tag."""
    for element in _RAW_TEXT.finditer(plain):
        if element.group(1):
            if element.group(2).lower() == raw_text:
                raw_text = ""
        else:
            raw_text = element.group(2).lower()
    opened, closed = plain.rfind("<"), plain.rfind(">")
    if opened > closed:
        in_tag = True
    elif closed >= 0:
        in_tag = False
    return raw_text, in_tag


def _named(construct: str) -> str:
    """``{{ project }}`` printed as text: through the template that says the name's language."""
    found = _NAME.search(construct)
    if found is None:
        return construct
    match = re.fullmatch(r"\{\{(-?)(.*?)(-?)\}\}", construct, re.S)
    if match is None:
        return construct
    left, expression, right = match.groups()
    return (f"{{%{left} with tp_name_text = ({expression.strip()}), tp_name = {json.dumps(found.group(1))} %}}"
            f'{{% include "{NAME_TEMPLATE}" %}}{{% endwith {right}%}}')


def name_languages(app: Sphinx) -> dict[str, str]:
    """``tp_name_languages``: the template names of the site's names shown untranslated -> their language."""
    config = app.config
    untranslated = site.setting(config, "untranslated_names") or {}
    title = names.title_language(config)
    short = title if str(config.html_short_title or "") == str(config.html_title or "") else ""
    found = {"project": untranslated.get("project", ""), "docstitle": title, "shorttitle": short}
    return {name: language for name, language in found.items() if language}


def setup_templates(app: Sphinx) -> None:
    """At ``builder-inited``: the theme's templates are rewritten as they are loaded."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None or "_" not in environment.globals:
        return  # no interface translation in this builder's templates
    environment.add_extension(TemplateText)


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """At ``html-page-context``, after the theme's own handlers (priority 600): which names the
    page shows untranslated; theme options in the site's language; no author where none is set."""
    context["tp_name_languages"] = name_languages(app)
    translator = getattr(app, "translator", None)
    for key in THEME_OPTIONS:
        value = context.get(key)
        if translator is not None and isinstance(value, str) and value:
            context[key] = translator.gettext(value)
    if context.get("author") in NO_AUTHOR:
        del context["author"]  # the Book theme prints "By Author name not set"
