"""A site's build cut short (killed) leaves files that never break, nor stay in, the next publish.

Sphinx writes ``.buildinfo``, its environment and the pages in place: a
``kill -9`` can leave them empty, cut, or not yet written while the
environment says they are. The next publish must build a complete,
current site, and exit 0.
"""

from __future__ import annotations

import polib
from conftest import po_path

from translate_pipeline.publishing import leftovers

# A build process that dies (as under kill -9) when it is about to write a page:
# its environment, saved after reading, already holds the page as read again.
CUT_SHORT = '''

import os


def setup(app):
    def cut_short(app, pagename, *_args):
        if app.config.language == os.environ.get("CUT_SHORT_LANGUAGE") and pagename == "index":
            os._exit(9)

    app.connect("html-page-context", cut_short)
'''


def translate(project, msgid_start: str, text: str) -> str:
    path = po_path(project, "index")
    catalog = polib.pofile(str(path))
    entry = next(e for e in catalog if e.msgid.startswith(msgid_start))
    entry.msgstr = text
    catalog.save()
    return entry.msgid


def test_an_empty_buildinfo_left_by_a_kill_does_not_stop_the_next_publish(project, tp):
    assert tp("-C", project, "publish", "-q", "--no-pdf").code == 0
    build_info = project / "_build" / "site" / "en" / leftovers.BUILD_INFO
    build_info.write_text("", encoding="utf-8")  # opened for writing, killed before a byte was written
    result = tp("-C", project, "publish", "-q", "--no-pdf")
    assert result.code == 0, result.err  # was: "Sphinx could not build the 'en' site: IndexError"
    assert build_info.read_text(encoding="utf-8").startswith(leftovers.BUILD_INFO_FIRST_LINE)
    for page in (project / "_build" / "site" / "en").rglob("*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page


def test_pages_a_killed_build_had_not_written_are_written_by_the_next_publish(project, tp, monkeypatch):
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(CUT_SHORT)
    assert tp("-C", project, "publish", "-q", "--no-pdf").code == 0
    page = project / "_build" / "site" / "en" / "index.html"
    translate(project, "", "Reviewed English text of the first passage")

    monkeypatch.setenv("CUT_SHORT_LANGUAGE", "en")
    cut = tp("-C", project, "publish", "-q", "--no-pdf")
    assert cut.code == 2 and "could not build the 'en' site: the build process died" in cut.err
    assert (project / "_build" / "translate-pipeline" / "doctrees-en" / leftovers.MARK).exists()
    assert "Reviewed English text" not in page.read_text(encoding="utf-8")

    monkeypatch.delenv("CUT_SHORT_LANGUAGE")
    result = tp("-C", project, "publish", "-q", "--no-pdf")
    assert result.code == 0, result.err
    assert "Reviewed English text of the first passage" in page.read_text(encoding="utf-8")
    assert not (project / "_build" / "translate-pipeline" / "doctrees-en" / leftovers.MARK).exists()


def test_a_build_killed_while_writing_its_search_index_is_built_again(project, tp):
    """The kill that made the kill soak fail once: after every page of a first build was written,
    while Sphinx wrote the search index. The next build had no page to write, could not load the
    index, and dumped its environment's empty one: "ValueError: not enough values to unpack"."""
    assert tp("-C", project, "publish", "-q", "--no-pdf").code == 0
    site = project / "_build" / "site" / "fr"
    pages = sorted(path.stem for path in site.glob("*.html") if path.stem not in ("genindex", "search"))
    # what the kill left: the build's mark, the index's temporary file, no index
    (project / "_build" / "translate-pipeline" / "doctrees-fr" / leftovers.MARK).touch()
    (site / "searchindex.js").rename(site / leftovers.SEARCH_INDEX_TMP)
    (site / leftovers.SEARCH_INDEX_TMP).write_text("", encoding="utf-8")
    result = tp("-C", project, "publish", "-q", "--no-pdf")
    assert result.code == 0, result.err
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    assert all(f'"{page}"' in index for page in pages if page != "translation-status"), index[:300]
    assert not (site / leftovers.SEARCH_INDEX_TMP).exists()


BROKEN_TRANSFORM = '''

from sphinx.transforms import SphinxTransform


class Broken(SphinxTransform):
    default_priority = 900

    def apply(self, **kwargs):
        if self.config.language == "en":
            raise ValueError("a value this extension did not expect")


def setup(app):
    app.add_transform(Broken)
'''


def test_an_unexpected_error_of_a_build_says_where_it_happened(project, tp, monkeypatch):
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(BROKEN_TRANSFORM)
    result = tp("-C", project, "publish", "-q", "--no-pdf")
    assert result.code == 2
    assert ("Sphinx could not build the 'en' site: ValueError: a value this extension did not expect "
            "(in conf.py, line ") in result.err and ", apply)" in result.err
    assert "Traceback" not in result.err
    monkeypatch.setenv("TRANSLATE_PIPELINE_DEBUG", "1")
    result = tp("-C", project, "publish", "-q", "--no-pdf")
    assert result.code == 2 and "Traceback (most recent call last):" in result.err
    assert 'raise ValueError("a value this extension did not expect")' in result.err
