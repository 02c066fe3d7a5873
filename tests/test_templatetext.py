"""A theme's templates as they are read: hard-coded English made translatable, names given their lang.

A template written the way themes write theirs is rendered by Jinja with the
extension and the tool's French theme words; the assertions are on the HTML.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from bs4 import BeautifulSoup

from translate_pipeline.sphinx import templatetext
from translate_pipeline.wording import translations

TEMPLATES = Path(templatetext.__file__).parent / "templates"

THEME_PAGE = """<html><head>
  <title>{{ title|striptags|e }} - {{ docstitle }}</title>
  <script>var labels = {"next": "<a title=\\"Next document\\">"};</script>
</head><body>
<input type="checkbox" id="__navigation" aria-label="Toggle site navigation sidebar">
<svg><symbol id="svg-menu"><title>Menu</title></symbol><symbol id="svg-sun"><title>Light mode</title></symbol></svg>
<div class="sidebar-brand"><span class="sidebar-brand-text">{{ docstitle if docstitle else project }}</span></div>
<img class="logo" src="logo.png" alt="{{ project }} logo">
<a href="#" title="Previous document">{{ prev }}</a>
{% trans %}Skip to content{% endtrans %}
<div class="footer">Powered by <a href="https://www.sphinx-doc.org/">Sphinx</a></div>
<div class="raw">{% raw %}<a title="Next document">{{ project }}</a>{% endraw %}</div>
</body></html>
"""


def render(context: dict) -> BeautifulSoup:
    loader = jinja2.ChoiceLoader([jinja2.DictLoader({"page.html": THEME_PAGE}), jinja2.FileSystemLoader(str(TEMPLATES))])
    environment = jinja2.Environment(loader=loader, extensions=["jinja2.ext.i18n", templatetext.TemplateText])
    environment.install_gettext_translations(translations("fr", "themes"))
    return BeautifulSoup(environment.get_template("page.html").render(context), "html.parser")


def test_hard_coded_english_is_translated_and_what_is_kept_is_kept():
    page = render({"title": "Accueil", "docstitle": "Documentation du Collectif", "project": "Collectif", "prev": "Avant"})
    assert page.find(id="__navigation")["aria-label"] == "Afficher ou masquer la navigation du site"
    assert [t.get_text() for t in page.svg.find_all("title")] == ["Menu", "Mode clair"]
    assert page.find("a", href="#")["title"] == "Document précédent"
    assert " ".join(page.select_one(".footer").get_text().split()) == "Propulsé par Sphinx"
    assert "Aller au contenu" in page.body.get_text()
    # script, {% raw %} and Jinja-made attributes are left as they were
    assert '"<a title=\\"Next document\\">"' in page.script.string
    assert str(page.select_one(".raw a")) == '<a title="Next document">{{ project }}</a>'
    assert page.find("img")["alt"] == "Collectif logo"
    # nothing untranslated: no lang added
    assert page.title.get("lang") is None and page.select_one(".sidebar-brand-text span") is None
    assert page.title.get_text() == "Accueil - Documentation du Collectif"


def test_a_name_not_yet_translated_says_its_language():
    page = render({"title": "Home", "docstitle": "Collectif documentation", "project": "Collectif",
                   "tp_name_languages": {"docstitle": "fr", "project": "fr"}, "tp_title_language": "fr"})
    brand = page.select_one(".sidebar-brand-text span")
    assert brand["lang"] == "fr" and brand.get_text() == "Collectif documentation"
    assert page.title["lang"] == "fr" and page.title.get_text() == "Home - Collectif documentation"
    assert page.find("img")["alt"] == "Collectif logo"  # inside an attribute: no markup added
