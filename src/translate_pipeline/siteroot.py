"""The files at the root of the published sites: the language chooser and the sitemap.

``index.html`` sends a reader to the site in the language they chose before
(remembered by the switcher) or their browser prefers (``navigator.languages``);
without script, or when no language matches, it shows a link to each site.
``sitemap.xml`` lists every page of every site with its ``hreflang``
alternates (``xhtml:link``), as search engines expect.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from xml.sax.saxutils import quoteattr

from .sphinx.wording import Wording, autonym


def chooser(title: str, start: Mapping[str, str], default: str) -> str:
    """The root page. ``start``: language -> the site's first page (``fr/index.html``), in order."""
    links = []
    for language, href in start.items():
        invitation = Wording(language)("Read this site in %(language)s",
                                       language=Wording(language).language_name(language))
        links.append(
            f'    <li><a href="{escape(href)}" hreflang="{escape(language)}" lang="{escape(language)}" '
            f'data-tp-language="{escape(language)}"><strong>{escape(autonym(language))}</strong>'
            f"<span>{escape(invitation)}</span></a></li>"
        )
    alternates = [f'  <link rel="alternate" hreflang="{escape(l)}" href="{escape(h)}">' for l, h in start.items()]
    alternates.append('  <link rel="alternate" hreflang="x-default" href="./">')
    sites = json.dumps(dict(start))
    return f"""<!doctype html>
<html lang="{escape(default)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width,initial-scale=1">
  <title>{escape(title)}</title>
{chr(10).join(alternates)}
  <script>
  (function () {{
    var sites = {sites};
    var wanted = [];
    try {{ wanted.push(localStorage.getItem("tp-language")); }} catch (error) {{}}
    wanted = wanted.concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < wanted.length; i++) {{
      var code = String(wanted[i] || "").toLowerCase().split("-")[0];
      if (Object.prototype.hasOwnProperty.call(sites, code)) {{ location.replace(sites[code]); return; }}
    }}
  }})();
  </script>
  <style>
    body {{ font-family: system-ui, sans-serif; margin: 0; min-height: 100vh; display: grid; place-items: center; color: #1f2328; background: #fff; }}
    main {{ max-width: 34rem; padding: 2rem; text-align: center; }}
    h1 {{ font-size: 1.5rem; font-weight: 600; }}
    ul {{ list-style: none; padding: 0; display: flex; gap: 1rem; justify-content: center; flex-wrap: wrap; }}
    a {{ display: block; padding: 1rem 1.5rem; border: 1px solid #d0d7de; border-radius: .5rem; color: inherit; text-decoration: none; min-width: 10rem; }}
    a:hover, a:focus {{ border-color: #0969da; }}
    a strong {{ display: block; font-size: 1.2rem; }}
    a span {{ color: #57606a; font-size: .9rem; }}
    @media (prefers-color-scheme: dark) {{ body {{ color: #e6edf3; background: #0d1117; }} a {{ border-color: #30363d; }} a span {{ color: #8b949e; }} }}
  </style>
</head>
<body>
  <main>
  <h1>{escape(title)}</h1>
  <ul id="tp-languages">
{chr(10).join(links)}
  </ul>
  </main>
</body>
</html>
"""


def sitemap(pages: Mapping[str, Mapping[str, str]], default: Mapping[str, str], base: str = "") -> str:
    """``pages``: docname -> {language: path below the sites' root}; ``default``: docname -> language."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for docname in sorted(pages):
        versions = pages[docname]
        alternates = [
            f'    <xhtml:link rel="alternate" hreflang="{language}" href={quoteattr(base + path)}/>'
            for language, path in versions.items()
        ]
        fallback = versions.get(default.get(docname, ""))
        if fallback:
            alternates.append(f'    <xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(base + fallback)}/>')
        for path in versions.values():
            out.append("  <url>")
            out.append(f"    <loc>{escape(base + path)}</loc>")
            out.extend(alternates)
            out.append("  </url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"
