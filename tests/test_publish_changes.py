"""``publish`` again after a change: a review, a policy; and the command line."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import po_path, translate, wait_for

from translate_pipeline.publishing.publish import publish
from translate_pipeline.project.settings import load_project

pytestmark = pytest.mark.root("publish")  # the project fixture: a copy of tests/roots/publish

REUNION = "rapports/reunion"
MACHINE_FR = "Les associations ont présenté leurs revendications."
MACHINE_EN = "The associations presented their demands."
STALE_FR = "La ministre a promis une réponse avant le 7 mars."


def page(root: Path, language: str, docname: str) -> BeautifulSoup:
    path = root / "_build" / "site" / language / f"{docname}.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def paragraph(soup: BeautifulSoup, start: str):
    return next(p for p in soup.select("article p") if p.get_text().startswith(start))


@pytest.mark.pdf
def test_a_review_shows_in_the_next_build_and_only_its_page_is_read_again(project):
    publish(load_project(project))
    assert "tp-machine" in paragraph(page(project, "en", REUNION), MACHINE_EN)["class"]
    mo = project / "_build/translate-pipeline/mo/en/LC_MESSAGES"
    untouched = (mo / "index.mo").stat().st_mtime_ns

    translate(po_path(project, REUNION), {MACHINE_FR: MACHINE_EN})  # the translator approves the draft
    result = publish(load_project(project))

    assert [(s.language, s.read) for s in result.sites] == [("fr", 0), ("en", 1)]
    soup = page(project, "en", REUNION)
    assert "class" not in paragraph(soup, MACHINE_EN).attrs
    assert "Passages reviewed: 8 of 13." in soup.find(id="tp-banner").get_text()  # the image's text included
    assert (mo / "index.mo").stat().st_mtime_ns == untouched
    assert result.compiled[1].written == []  # the same text is published: only its mark changed


@pytest.mark.pdf
def test_policy_source_shows_the_original_in_the_next_build(project, tp):
    assert tp("-C", project, "publish", "-q").code == 0
    result = tp("-C", project, "--set", "policy.machine=source", "--set", "policy.stale=source", "publish")
    assert result.code == 0, result
    assert "Published 2 sites" in result.out and "_build/site/index.html" in result.out
    assert "html_baseurl" not in result.out  # conf.py sets it
    # only the page holding machine drafts and stale entries is read again
    assert "4 pages (0 read again)" in result.out and "4 pages (1 read again)" in result.out
    soup = page(project, "en", REUNION)
    for french in (MACHINE_FR, STALE_FR):
        element = paragraph(soup, french)
        assert {"tp-mark", "tp-untranslated"} <= set(element["class"])
        assert element["lang"] == "fr"
    assert not soup.select(".tp-machine, .tp-stale")
    assert "not yet translated: 6" in soup.find(id="tp-banner").get_text()  # the image's text included


@pytest.mark.pdf
def test_page_threshold_replaces_a_page_by_a_notice(project, tp):
    assert tp("-C", project, "publish", "-q").code == 0
    result = tp("-C", project, "--set", "policy.page_threshold=40", "--set", "policy.banner=false",
                "publish", "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    en = data["sites"][1]
    assert (en["language"], en["pages"], en["notices"], en["banners"]) == ("en", 4, 1, 0)
    assert [s["read"] for s in data["sites"]] == [0, 0]  # written again, not read again
    assert data["root"] == "_build/site/index.html" and data["sitemap"] == "_build/site/sitemap.xml"

    draft = page(project, "en", "brouillon")
    notice = draft.find(id="tp-notice")
    assert notice is not None
    text = " ".join(notice.get_text().split())
    assert "Not yet available in English." in text and "Only 4% of this page has been reviewed" in text
    assert notice.find("a", class_="tp-original-link")["href"] == "../fr/brouillon.html"
    assert draft.select_one("article h1").get_text().startswith("Draft")
    assert not draft.select("article p.tp-mark")  # the French paragraphs are gone
    assert draft.find(id="tp-6136fb5fda") is not None  # links to them still land on the page
    reunion = page(project, "en", REUNION)  # 48% reviewed: kept, without banner
    assert reunion.find(id="tp-notice") is None and reunion.find(id="tp-banner") is None
    assert reunion.select(".tp-machine")


@pytest.mark.slow
def test_without_html_baseurl_publish_says_the_links_are_relative(project, tp):
    conf = project / "conf.py"
    conf.write_text(re.sub(r"(?m)^html_baseurl = .*$", "", conf.read_text(encoding="utf-8")), encoding="utf-8")
    result = tp("-C", project, "publish", "--no-pdf")
    assert result.code == 0, result
    assert "set html_baseurl in conf.py" in result.out
    data = json.loads(tp("-C", project, "publish", "--no-pdf", "--json").out)
    assert data["site_root"] == ""
    sitemap = (project / "_build/site/sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>en/index.html</loc>" in sitemap


def test_help_says_what_is_built_where_and_the_exit_codes(tp):
    result = tp("publish", "--help")
    assert result.code == 0
    for words in ("_build/site/fr/", "sitemap.xml", "index.html", "translation-status.html",
                  "policy.page_threshold", "Exit codes", "--wait"):
        assert words in result.out, words


def test_a_malformed_catalog_stops_before_building(project, tp):
    path = po_path(project, "index")
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "unterminated\n', encoding="utf-8")
    result = tp("-C", project, "publish")
    assert result.code == 2
    assert "locale/en/LC_MESSAGES/index.po:" in result.err
    assert not (project / "_build/site").exists()


def test_a_site_sphinx_cannot_build_is_reported(tmp_path):
    from translate_pipeline.publishing.builds import BuildSpec, build_all

    (tmp_path / "conf.py").write_text('project = "x"\n', encoding="utf-8")
    (tmp_path / "index.rst").write_text("Titre\n=====\n", encoding="utf-8")
    spec = BuildSpec("en", str(tmp_path), str(tmp_path), str(tmp_path / "out"), str(tmp_path / "doctrees"),
                     overrides={"extensions": ["no_such_extension"]})
    [report] = build_all([spec], 1, lambda _line: None)
    assert report.error and "no_such_extension" in report.error


@pytest.mark.skipif(sys.platform != "linux", reason="the build processes are forked on Linux only")
@pytest.mark.parametrize(
    ("failure", "said"),
    [("raise", "RuntimeError: out of disk (in test_publish_changes.py, line "),
     ("die", "the build process died (exit code 3)")],
)
def test_a_build_process_that_fails_or_dies_is_reported(tmp_path, monkeypatch, failure, said):
    import os

    from translate_pipeline.publishing import builds as module

    def build(_site, spec):
        if spec.language == "en":
            if failure == "raise":
                raise RuntimeError("out of disk")
            os._exit(3)
        return module.SiteReport(spec.language, spec.outdir, pages=1)

    monkeypatch.setattr(module.SiteApp, "build", build)  # the processes are forked from this one
    specs = [module.BuildSpec(lang, "src", "conf", f"out-{lang}", "doctrees", {}) for lang in ("fr", "en")]
    reports = module.build_all(specs, 2, lambda _line: None)
    assert [(r.language, r.error is None) for r in reports] == [("fr", True), ("en", False)]
    assert reports[1].error.startswith(said)  # an error raised says where


@pytest.mark.slow
def test_ctrl_c_during_the_builds_stops_cleanly_and_the_next_publish_completes(project):
    import os
    import signal
    import subprocess

    for i in range(60):  # enough pages for the builds to take a while
        paragraphs = "\n\n".join(f"Paragraphe {j} de la page {i}, avec un peu de texte." for j in range(40))
        (project / "source/fr" / f"page-{i}.rst").write_text(f":orphan:\n\nPage {i}\n=======\n\n{paragraphs}\n")
    command = [sys.executable, "-m", "translate_pipeline", "-C", str(project), "publish", "--no-pdf"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    doctrees = project / "_build/translate-pipeline/doctrees-en"  # a page read there: the builds are under way
    wait_for(lambda: process.poll() is not None or any(doctrees.rglob("*.doctree")), every=0.01)
    assert process.poll() is None, f"publish ended before its builds were seen: {process.communicate()}"
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Interrupted" in err and "Traceback" not in err

    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (project / "_build/site/en/page-59.html").is_file()
