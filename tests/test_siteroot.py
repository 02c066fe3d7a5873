"""The sitemap at the sites' root, as ``xml.etree`` writes it: the same document as before, every value escaped."""

from __future__ import annotations

from xml.etree import ElementTree

from translate_pipeline.publishing.siteroot import sitemap

# What the sitemap held for these pages when it was written line by line
# (before ElementTree): the same XML, whatever the quoting of attributes.
EXPECTED = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url>
    <loc>https://ex.org/fr/a&amp;b &quot;x&quot;.html</loc>
    <xhtml:link rel="alternate" hreflang="fr" href='https://ex.org/fr/a&amp;b "x".html'/>
    <xhtml:link rel="alternate" hreflang="en" href="https://ex.org/en/a&lt;b&gt;.html"/>
    <xhtml:link rel="alternate" hreflang="x-default" href='https://ex.org/fr/a&amp;b "x".html'/>
  </url>
  <url>
    <loc>https://ex.org/en/a&lt;b&gt;.html</loc>
    <xhtml:link rel="alternate" hreflang="fr" href='https://ex.org/fr/a&amp;b "x".html'/>
    <xhtml:link rel="alternate" hreflang="en" href="https://ex.org/en/a&lt;b&gt;.html"/>
    <xhtml:link rel="alternate" hreflang="x-default" href='https://ex.org/fr/a&amp;b "x".html'/>
  </url>
  <url>
    <loc>https://ex.org/en/solo.html</loc>
    <xhtml:link rel="alternate" hreflang="en" href="https://ex.org/en/solo.html"/>
    <xhtml:link rel="alternate" hreflang="x-default" href="https://ex.org/en/solo.html"/>
  </url>
</urlset>
"""

PAGES = {"a&b": {"fr": 'fr/a&b "x".html', "en": "en/a<b>.html"}, "solo": {"en": "en/solo.html"}}


def test_the_sitemap_is_the_document_it_was():
    written = sitemap(PAGES, {"a&b": "fr", "solo": "en"}, "https://ex.org/")
    assert written.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<urlset ')
    assert ElementTree.canonicalize(written) == ElementTree.canonicalize(EXPECTED)


def test_every_value_of_the_sitemap_is_escaped():
    written = sitemap({"doc": {'e"n': "en/doc.html", "fr": "fr/doc.html"}}, {"doc": 'e"n'})
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    links = ElementTree.fromstring(written.split("\n", 1)[1]).findall(".//x:link", ns)
    assert [(link.get("hreflang"), link.get("href")) for link in links][:2] == [('e"n', "en/doc.html"),
                                                                                ("fr", "fr/doc.html")]
    assert links[-1].get("hreflang") == "x-default" and links[-1].get("href") == "en/doc.html"
