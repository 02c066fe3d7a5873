"""Injection corpus: translations that try to add what the French does not have.

One small project (tests/roots/injection) gets many bad translations at once:
HTML, URL schemes, reST directives and roles in reviewed msgstrs, in drafts
stored by hand and in stale entries; glossary terms and DeepL replies
(the local test server, told to return crafted text) carrying the same.
It is published once, PDFs included, and the built HTML and PDFs are
scanned for live injected markup: links to other schemes or hosts, scripts,
event handlers, frames, images, included files. The count must be 0, and
every refused passage shows its French, marked, with a warning naming the
catalog and line.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from bs4 import BeautifulSoup
from conftest import ROOTS, po_path
from conftest_deepl import TEST_KEY
from deepl_server import DeepLServer

from translate_pipeline.catalogs import catalog as cat
from translate_pipeline.cli import EXIT_CHECK_FAILED, run

pytestmark = pytest.mark.pdf  # the module's project is published with its PDFs

FR = "Paragraphe numéro {} du Collectif."
EN = "Paragraph number {} of the Collective."

# A translation each, of paragraph 1, 2, 3...: all must be refused.
BAD = [
    "{en} `read it <javascript:alert(document.domain)>`_",
    "{en} `page <data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>`_",
    "{en} `open <vbscript:msgbox(1)>`_",
    "{en} `site <https://evil.example/a>`_",
    "{en} `write <mailto:boss@evil.example>`_",
    "{en} javascript:alert(5)",
    "{en} https://evil.example/bare",
    "{en} boss@evil.example",
    "{en} `<https://evil.example/shown>`_",
    "{en} `anonymous <https://evil.example/anon>`__",
    "{en} Our partenaire_.",
    "{en} See :doc:`secret`.",
    "{en} See :ref:`secret-label`.",
    "{en} :download:`../../conf.py`",
    "{en} :raw-html:`<script>alert(15)</script>`",
    "{en} :raw-html:`<img src=x onerror=alert(16)>`",
    "{en}\n\n.. raw:: html\n\n   <script>alert(17)</script>",
    ".. raw:: html\n\n   <iframe src=\"https://evil.example/frame\"></iframe>",
    ".. include:: ../../conf.py",
    ".. image:: https://evil.example/pixel.png",
    "{en} |logo|",
    "{en} [#]_",
    "{en} [CIT2020]_",
    "{en}\n{underline}",
    "{en}\n\n- `list <javascript:alert(25)>`_",
    "{en} _`evil-anchor`",
    ".. _evil: javascript:alert(27)\n\n{en} evil_",
    "{en}\n\n.. toctree::\n\n   secret",
    "{en} :html:`<b>bold</b>`",
    "{en} *unclosed",
    "{en}\n\n   .. raw:: html\n\n      <script>alert(31)</script>",
    ".. csv-table::\n   :file: ../../conf.py",
    ".. role:: sneaky(raw)\n   :format: html\n\n{en} :sneaky:`<script>alert(33)</script>`",
    ".. default-role:: raw-html\n\n{en} `<script>alert(34)</script>`",
]
SCRIPTS = ["`a <javascript:alert(40)>`_", "https://evil.example/draft"]  # drafts stored by hand
STALE = ["`a <https://evil.example/stale>`_"]  # a translator's old words, now stale
KEPT = {  # translations that keep their references: published as they are
    "Voir la page :doc:`autre`.": "See the :doc:`autre` page.",
    "Voir la section :ref:`actions`.": "See the :ref:`actions` section.",
    "Le site du `Collectif <https://collectif.example.org/>`_ est en ligne.":
        "The `Collective's site <https://collectif.example.org/>`_ is online.",
    "Notre partenaire_ nous soutient.": "Our `partner <partenaire_>`_ supports us.",
    "Le texte de loi [#loi]_ s'applique.": "The Act [#loi]_ applies.",
}
TITLES = {
    "Si vous êtes victime": "If you are a victim [#]_",  # a footnote with no note: stopped the whole site
    "Nos engagements [#]_": "Our commitments [#]_",  # same reference, but Sphinx cannot number it in a title
}
GLOSSARY = [("rapport", "`report <javascript:alert(50)>`_"), ("réunion", "meeting https://evil.example/glossary"),
            ("conseil", "<script>alert(52)</script>council")]
REPLIES = ["`x <javascript:alert(60)>`_", "https://evil.example/reply", ".. raw:: html\n\n   <script>alert(62)</script>",
           "<x i=\"9\">`y <data:text/html,1>`_</x>", "|logo|", ":doc:`secret`"]

NEVER = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)


def bad_translations() -> dict[int, str]:
    out = {}
    for number, template in enumerate(BAD, start=1):
        en = EN.format(number)
        out[number] = template.format(en=en, underline="=" * len(en))
    return out


def fill_catalog(root: Path) -> dict[str, str]:
    """Bad translations (reviewed, hand-stored drafts, stale) and good ones; msgid -> what was stored."""
    path = po_path(root, "index")
    po = polib.pofile(str(path))
    stored = {}
    bad = bad_translations()
    by_msgid = {entry.msgid: entry for entry in po}
    for number, text in bad.items():
        entry = by_msgid[FR.format(number)]
        entry.msgstr = stored[entry.msgid] = text
    first = len(bad) + 1
    for offset, payload in enumerate(SCRIPTS):
        entry = by_msgid[FR.format(first + offset)]
        cat.mark_draft(entry, f"{EN.format(first + offset)} {payload}", "deepl", "2026-01-05")
        stored[entry.msgid] = entry.msgstr
    first += len(SCRIPTS)
    for offset, payload in enumerate(STALE):
        entry = by_msgid[FR.format(first + offset)]
        cat.mark_stale(entry, "Ancien paragraphe.", "2026-01-06")
        entry.msgstr = stored[entry.msgid] = f"{EN.format(first + offset)} {payload}"
    for msgid, text in {**KEPT, **TITLES}.items():
        by_msgid[msgid].msgstr = text
    po.save(str(path))
    return stored


def lines_of(root: Path) -> dict[str, int]:
    """msgid -> the line of its entry in the index catalog."""
    return {entry.msgid: entry.linenum for entry in polib.pofile(str(po_path(root, "index")))}


def invoke(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("injection") / "project"
    shutil.copytree(ROOTS / "injection", root)
    assert invoke("-C", root, "sync")[0] == 0
    stored = fill_catalog(root)
    glossary = root / "glossary" / "fr-en.csv"
    glossary.parent.mkdir()
    glossary.write_text("french,english,note\n" + "".join(f'{fr},"{en}",\n' for fr, en in GLOSSARY),
                        encoding="utf-8")
    replies = iter(REPLIES * 10)
    calls = iter(range(1000))
    with DeepLServer(auth_key=TEST_KEY) as server, pytest.MonkeyPatch.context() as env:
        env.setenv("DEEPL_SERVER_URL", server.url)
        env.setenv("DEEPL_AUTH_KEY", TEST_KEY)
        server.rewrite = lambda text: f"{text} {next(replies)}" if next(calls) % 2 else text
        drafted = invoke("-C", root, "draft", "--engine", "deepl", "autre", "--json")
    published = invoke("-C", root, "publish", "--json")
    return {"root": root, "stored": stored, "drafted": drafted, "published": published}


def site(root: Path, language: str, page: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_build/site" / language / f"{page}.html").read_text(encoding="utf-8"),
                         "html.parser")


def live_injections(page: BeautifulSoup, original: BeautifulSoup) -> list[str]:
    """What of ``page`` a translation injected and a browser would act on."""
    found = []
    for element in page.find_all(True):
        for name, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"<{element.name} {name}=...>")
            if name in ("href", "src", "action", "data", "formaction") and (
                NEVER.match(text) or "evil" in text or "secret" in text or "_downloads" in text
            ):
                found.append(f"<{element.name} {name}={text!r}>")
        if element.name == "script" and ("alert" in element.get_text() or "evil" in element.get("src", "")):
            found.append("<script> with injected code")
    for tag in ("script", "iframe", "object", "embed", "form", "img", "style"):
        found += [f"a <{tag}> the French page does not have"] * (len(page.find_all(tag)) - len(original.find_all(tag)))
    if "locale_dirs" in page.get_text():
        found.append("conf.py included in the page")
    return found


def shown_in_french(page: BeautifulSoup, french: str) -> bool:
    """Whether the passage whose French starts with ``french`` is shown in French, marked."""
    for element in page.select("p, h1, h2, h3"):
        for label in element.select(".tp-label"):
            label.extract()
        if element.get_text().strip().replace("¶", "").startswith(french):
            return "tp-untranslated" in element.get("class", []) and element.get("lang") == "fr"
    return False


def test_publish_builds_the_site_and_warns_per_refused_entry(corpus):
    code, out, err = corpus["published"]
    assert code == 0, err
    data = json.loads(out)
    compiled = data["catalogs_compiled"]["en"]
    read = [line for site in data["sites"] for line in site["warnings"]]
    warnings = [line for line in [*compiled["warnings"], *read] if "[translate_pipeline.refused]" in line]
    assert {(item["catalog"], item["line"]) for item in compiled["refused"]} == {
        ("locale/en/LC_MESSAGES/index.po", lines_of(corpus["root"])[msgid])
        for msgid in [*corpus["stored"], "Si vous êtes victime"]}
    assert len(warnings) == len(corpus["stored"]) + len(TITLES), warnings  # each once, none for KEPT
    lines = lines_of(corpus["root"])
    for msgid in corpus["stored"]:
        assert any(line.startswith(f"locale/en/LC_MESSAGES/index.po:{lines[msgid]}: WARNING: translation not "
                                   "published, the original is shown instead") for line in warnings), msgid
    first = next(line for line in warnings if line.startswith(f"locale/en/LC_MESSAGES/index.po:{lines[FR.format(1)]}:"))
    assert first.endswith("URL scheme javascript: is never published from a translation; "
                          "URL javascript:alert(document.domain) added [translate_pipeline.refused]")
    footnote = lines["Nos engagements [#]_"]  # caught while Sphinx reads the page
    assert any(line.startswith(f"locale/en/LC_MESSAGES/index.po:{footnote}: WARNING:")
               and "[#]_ that Sphinx cannot number here" in line for line in warnings), warnings


def test_no_injected_markup_is_live_in_the_html(corpus):
    root = corpus["root"]
    injected = []
    for page in ("index", "autre"):
        injected += live_injections(site(root, "en", page), site(root, "fr", page))
    print(f"live injected markup in the HTML: {len(injected)}")
    assert injected == []
    assert not (root / "_build/site/en/_downloads").exists()


def test_every_refused_translation_shows_its_french_marked(corpus):
    page = site(corpus["root"], "en", "index")
    refused = [msgid for msgid in corpus["stored"] if not shown_in_french(page, msgid)]
    print(f"refused translations shown in English anyway: {len(refused)} of {len(corpus['stored'])}")
    assert refused == []
    for msgid in TITLES:
        assert shown_in_french(page, msgid.removesuffix(" [#]_"))
    assert [a.get_text() for a in page.select("a.footnote-reference")] == ["[1]", "[2]"]


def test_translations_that_keep_their_references_are_published(corpus):
    page = site(corpus["root"], "en", "index")
    text = " ".join(page.get_text(" ").split())
    for shown in ("See the Autre page page", "See the Nos actions section", "site is online", "Our partner supports us",
                  "The Act [ 1 ] applies"):
        assert shown in text
    link = page.find("a", href="https://collectif.example.org/")
    assert link.get_text() == "Collective’s site" and "tp-mark" not in link.parent.get("class", [])


def test_glossary_terms_and_engine_replies_add_nothing(corpus):
    code, out, err = corpus["drafted"]
    assert code == 0, err
    totals = json.loads(out)["totals"]
    print(f"engine drafts refused by the draft check: {totals['check_failed']}, stored: {totals['drafted']}")
    assert totals["check_failed"] >= 6 and totals["drafted"].get("deepl", 0) >= 1
    po = polib.pofile(str(po_path(corpus["root"], "autre")))
    drafted = [e.msgstr for e in po if e.msgstr]
    assert drafted and not [text for text in drafted if re.search(r"evil|javascript|data:|raw::|\|logo\||:doc:", text)]
    assert any(c.startswith("draft check failed: ") for e in po for c in e.tcomment.splitlines())


def test_no_injected_link_in_the_pdfs(corpus):
    pdf = corpus["root"] / "_build/site/en/index.pdf"
    urls = subprocess.run(["pdfinfo", "-url", str(pdf)], capture_output=True, text=True, check=True).stdout
    injected = [line for line in urls.splitlines()[1:]
                if NEVER.search(line.split(None, 2)[-1]) or "evil" in line or "secret" in line]
    print(f"live injected links in the PDF: {len(injected)}")
    assert injected == []
    assert "https://collectif.example.org/" in urls  # a link the French has is kept
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert FR.format(1) in text and "locale_dirs" not in text


def test_status_counts_them_as_failed_checks(corpus):
    root = corpus["root"]
    code, out, _err = invoke("-C", root, "status", "--json")
    assert code == 0
    data = json.loads(out)
    [index] = [c for c in data["catalogs"] if c["domain"] == "index"]
    failed = {item["msgid"] for item in index["check_failed"]}
    assert failed == {*corpus["stored"], "Si vous êtes victime"}  # the other title is refused by Sphinx's reading
    assert data["totals"]["en"]["check_failed"] == len(failed)
    assert {item["state"] for item in index["check_failed"]} == {"reviewed", "machine", "stale"}

    code, out, _err = invoke("-C", root, "status")
    assert code == 0
    assert f"check failed: locale/en/LC_MESSAGES/index.po:{lines_of(root)[FR.format(2)]}: translation not published" in out

    code, _out, err = invoke("-C", root, "status", "--check")
    assert code == EXIT_CHECK_FAILED
    assert f"locale/en/LC_MESSAGES/index.po:{lines_of(root)[FR.format(4)]}: translation not published" in err
    assert "URL https://evil.example/a added" in err


MARKDOWN = {  # msgid -> translation, in a Markdown page: all refused
    "Premier paragraphe.": "First paragraph <script>alert(1)</script>.",
    "Deuxième paragraphe avec [un lien](https://collectif.example.org/).":
        "Second paragraph with [a link](https://evil.example/).",
    "Troisième paragraphe.": "Third [paragraph](javascript:alert(3)).",
    "Quatrième paragraphe.": "Fourth <img src=x onerror=alert(4)> paragraph.",
}


def test_markdown_pages_are_read_as_sphinx_reads_them(tmp_path):
    pytest.importorskip("myst_parser")
    root = tmp_path / "myst"
    (root / "source/fr").mkdir(parents=True)
    (root / "conf.py").write_text(
        'project = "MyST"\nlanguage = "fr"\nlocale_dirs = ["locale"]\ngettext_compact = False\n'
        'extensions = ["myst_parser"]\nsource_suffix = {".rst": "restructuredtext", ".md": "markdown"}\n',
        encoding="utf-8")
    body = "\n\n".join([*MARKDOWN, "Cinquième paragraphe."])
    (root / "source/fr/index.md").write_text(f"# Accueil\n\n{body}\n", encoding="utf-8")
    assert invoke("-C", root, "sync")[0] == 0
    path = po_path(root, "index")
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = MARKDOWN.get(entry.msgid, "Fifth paragraph." if entry.msgid.startswith("Cinq") else "Home")
    po.save(str(path))

    code, _out, err = invoke("-C", root, "publish", "--no-pdf")

    assert code == 0, err
    lines = lines_of(root)
    for msgid in MARKDOWN:
        assert f"locale/en/LC_MESSAGES/index.po:{lines[msgid]}: WARNING: translation not published" in err, msgid
    page, original = site(root, "en", "index"), site(root, "fr", "index")
    injected = live_injections(page, original)
    print(f"live injected markup in the Markdown page: {len(injected)}")
    assert injected == []
    assert [msgid for msgid in MARKDOWN if not shown_in_french(page, msgid.split(" [")[0])] == []
    assert "Fifth paragraph." in page.get_text()


def test_what_the_catalog_check_would_miss_is_contained_while_sphinx_reads(tmp_path, monkeypatch):
    # The second line of defence alone: with no check when the catalogs are
    # compiled, Sphinx gets every bad translation; the site is still built
    # and nothing injected is live.
    from translate_pipeline.publishing import published
    from translate_pipeline.checks import references

    monkeypatch.setattr(published, "compare", lambda *_args: references.Difference(()))
    root = tmp_path / "project"
    shutil.copytree(ROOTS / "injection", root)
    assert invoke("-C", root, "sync")[0] == 0
    fill_catalog(root)

    code, _out, err = invoke("-C", root, "publish", "--no-pdf")

    assert code == 0, err
    injected = []
    for page in ("index", "autre"):
        injected += live_injections(site(root, "en", page), site(root, "fr", page))
    print(f"live injected markup with Sphinx's reading alone: {len(injected)}")
    assert injected == []
    lines = lines_of(root)
    assert (f"locale/en/LC_MESSAGES/index.po:{lines[FR.format(1)]}: WARNING: translation not published, the "
            "original is shown instead (marked not yet translated): URL javascript:alert(document.domain) added") in err
    assert shown_in_french(site(root, "en", "index"), "Si vous êtes victime")
