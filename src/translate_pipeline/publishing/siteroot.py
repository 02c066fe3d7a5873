"""The files at the root of the published sites: the language chooser and the sitemap.

``index.html`` sends a reader to the site in the language they chose before
(remembered by the switcher) or their browser prefers (``navigator.languages``);
without script, or when no language matches, it shows a link to each site.
``sitemap.xml`` lists every page of every site with its ``hreflang``
alternates (``xhtml:link``), as search engines expect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from ..wording import Wording, autonym

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class SiteEntry:
    """One site, as the root page offers it."""

    href: str  # its first page, relative to the root (``fr/index.html``)
    name: str  # the site's name as that site shows it
    name_language: str  # the language of that name (the original's, when not yet translated)


def chooser(sites: Mapping[str, SiteEntry], default: str) -> str:
    """The root page. ``sites``: language -> :class:`SiteEntry`, in order; ``default``: the original language."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                              keep_trailing_newline=True)
    names: list[dict[str, str]] = []
    for language in sorted(sites, key=lambda lang: lang != default):  # the original's name first
        site = sites[language]
        if site.name and all(site.name != known["text"] for known in names):
            names.append({"text": site.name, "language": site.name_language or language})
    offered = {}
    for language, site in sites.items():
        words = Wording(language)
        offered[language] = {
            "href": site.href,
            "autonym": autonym(language),
            "invitation": words("Read this site in %(language)s", language=words.language_name(language)),
        }
    return environment.get_template("chooser.html").render(
        default=default,
        names=names or [{"text": default, "language": default}],
        sites=offered,
        hrefs={language: site.href for language, site in sites.items()},
    )


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def sitemap(pages: Mapping[str, Mapping[str, str]], default: Mapping[str, str], base: str = "") -> str:
    """``pages``: docname -> {language: path below the sites' root}; ``default``: docname -> language."""
    # The namespaces are declared as attributes and the prefix written in the
    # tag: ElementTree's own prefixes would be ns0/ns1 unless registered
    # process-wide, and search engines' examples use "xhtml".
    root = ElementTree.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:xhtml": XHTML_NS})
    for docname in sorted(pages):
        versions = pages[docname]
        alternates = [(language, base + path) for language, path in versions.items()]
        fallback = versions.get(default.get(docname, ""))
        if fallback:
            alternates.append(("x-default", base + fallback))
        for path in versions.values():
            url = ElementTree.SubElement(root, "url")
            ElementTree.SubElement(url, "loc").text = base + path
            for language, href in alternates:
                ElementTree.SubElement(url, "xhtml:link", {"rel": "alternate", "hreflang": language, "href": href})
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
