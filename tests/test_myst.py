"""Markdown (MyST) pages beside reST ones, in both directions: sync, status, draft, publish.

The test root ``tests/roots/myst`` has French Markdown pages (``index.md``,
``nouvelles.md``), a French reST page (``guide.rst``) and an English
Markdown page (``source/en/about.md``, translated through ``locale/fr``).
One project goes through the whole loop once (the module's fixture); the
tests look at what each step left.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from bs4 import BeautifulSoup
from conftest import ROOTS, entries, po_path

from deepl_server import DeepLServer
from translate_pipeline.project import discovery
from translate_pipeline.cli import run
from translate_pipeline.project.settings import load_project

REVIEWED = {
    "L'assemblée s'est tenue à **Paris** avec les *membres* du collectif.":
        "The assembly was held in **Paris** with the *members* of the collective.",
    "Voir le [compte rendu](https://www.example.org/compte-rendu) et {ref}`la section <assemblee>`, "
    "ou <https://www.example.org/agenda>.":
        "See the [minutes](https://www.example.org/compte-rendu) and {ref}`the section <assemblee>`, "
        "or <https://www.example.org/agenda>.",
}
SAME_AS_NOUVELLES = "L'assemblée s'est tenue à **Paris** avec les *membres* du collectif."
CLOSE_TO_NOUVELLES = ("Voir le [compte rendu](https://www.example.org/compte-rendu-2025) et {ref}`la section "
                      "<assemblee>`, ou <https://www.example.org/agenda>.")
KEY = "myst-test-key:fx"


def cli(*args: str) -> int:
    return run([str(a) for a in args])


def json_of(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert cli(*args, "--json") == 0
    return json.loads(capsys.readouterr().out)


def review(path: Path, translations: dict[str, str]) -> None:
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid in translations:
            entry.msgstr = translations[entry.msgid]
    po.save(str(path))


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    """sync, review two entries, draft from memory (index only), draft with DeepL, publish."""
    root = tmp_path_factory.mktemp("myst") / "project"
    shutil.copytree(ROOTS / "myst", root)
    steps: dict = {"root": root}
    assert cli("sync", "-C", root, "--quiet") == 0
    review(po_path(root, "nouvelles"), REVIEWED)
    assert cli("draft", "-C", root, "index.md", "--quiet") == 0
    steps["after memory"] = {domain: entries(po_path(root, domain)) for domain in ("index", "nouvelles")}
    with DeepLServer(auth_key=KEY) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEEPL_SERVER_URL", server.url)
        patch.setenv("DEEPL_AUTH_KEY", KEY)
        assert cli("draft", "-C", root, "--engine", "deepl", "--quiet") == 0
        steps["sent"] = [text for r in server.translations() if r.status == 200 for text in r.texts]
    assert cli("publish", "-C", root, "--quiet") == 0
    return steps


def html(root: Path, language: str, docname: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_build" / "site" / language / f"{docname}.html").read_text("utf-8"), "html.parser")


def passage(soup: BeautifulSoup, start: str):
    for element in soup.select("div.body p, div.body h1, div.body h2"):
        if element.get_text().strip().startswith(start):
            return element
    raise AssertionError(f"no passage starting with {start!r}")


@pytest.mark.pdf
def test_status_lists_markdown_pages_in_both_directions(loop, capsys):
    data = json_of(capsys, "status", "-C", loop["root"])
    documents = {(c["language"], c["domain"]): c["documents"] for c in data["catalogs"]}
    assert documents == {
        ("en", "guide"): ["source/fr/guide.rst"],
        ("en", "index"): ["source/fr/index.md"],
        ("en", "nouvelles"): ["source/fr/nouvelles.md"],
        ("fr", "about"): ["source/en/about.md"],
    }
    assert data["orphaned"] == [] and data["unsynced"] == []
    assert data["totals"]["en"]["entries"]["reviewed"] == 2
    assert data["totals"]["fr"]["total_entries"] == 2
    one = json_of(capsys, "status", "-C", loop["root"], "nouvelles.md")
    assert [c["domain"] for c in one["catalogs"]] == ["nouvelles"]


@pytest.mark.pdf
def test_markdown_messages_are_the_markdown_source(loop):
    msgids = set(entries(po_path(loop["root"], "nouvelles")))
    assert "Lire aussi la {doc}`page guide <guide>` et le [plan][plan-annuel]." in msgids
    about = entries(po_path(loop["root"], "about", "fr"))
    assert "The collective publishes its **reports** in [two languages](https://www.example.org/languages)." in about


@pytest.mark.pdf
def test_memory_draft_of_a_markdown_page_is_checked(loop):
    index = loop["after memory"]["index"]
    exact = index[SAME_AS_NOUVELLES]
    assert exact.msgstr == REVIEWED[SAME_AS_NOUVELLES] and "fuzzy" in exact.flags
    assert "draft: memory exact (nouvelles.po)" in exact.tcomment
    # The closest reviewed paragraph links elsewhere: its translation is not stored.
    close = index[CLOSE_TO_NOUVELLES]
    assert close.msgstr == ""
    assert close.tcomment.startswith("draft check failed: URL https://www.example.org/compte-rendu-2025 changed")
    # Only the page asked for (index.md) was drafted.
    assert all(not e.msgstr for msgid, e in loop["after memory"]["nouvelles"].items() if msgid not in REVIEWED)


@pytest.mark.pdf
def test_deepl_is_sent_markdown_markup_as_tags(loop):
    sent = "\n".join(loop["sent"])
    assert 'Le <x i="0">{{ collectif }}</x> publie ses <t i="1">rapports</t> et ses nouvelles.' in loop["sent"]
    assert '<x i="0">$b = 2x$</x>' in sent and '<x i="1">`rapport --annuel`</x>' in sent
    assert '<x i="2">[^budget]</x>' in sent
    assert "https://www.example.org/rapports" not in sent  # a link's URL stays here
    assert "{ref}" not in sent and "{doc}" not in sent
    assert 'The collective publishes its <t i="0">reports</t> in <t i="1">two languages</t>.' in loop["sent"]


@pytest.mark.pdf
def test_deepl_drafts_keep_the_markdown_markup(loop):
    root = loop["root"]
    index = entries(po_path(root, "index"))
    draft = index["Le {{ collectif }} publie ses [rapports](https://www.example.org/rapports) et ses nouvelles."]
    assert draft.msgstr.startswith("The {{ collectif }} ")
    assert "[rapports](https://www.example.org/rapports)" in draft.msgstr and "draft: deepl" in draft.tcomment
    nouvelles = entries(po_path(root, "nouvelles"))
    budget = nouvelles["Le budget suit la formule $b = 2x$ ; la commande `rapport --annuel` le produit[^budget]."]
    assert "$b = 2x$" in budget.msgstr and "`rapport --annuel`" in budget.msgstr
    assert budget.msgstr.endswith("[^budget].")
    assert "[plan][plan-annuel]" in nouvelles["Lire aussi la {doc}`page guide <guide>` et le [plan][plan-annuel]."].msgstr
    about = entries(po_path(root, "about", "fr"))
    french = about["The collective publishes its **reports** in [two languages](https://www.example.org/languages)."]
    assert "**reports**" in french.msgstr and "dans" in french.msgstr
    for path in sorted((root / "locale").rglob("*.po")):
        done = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


@pytest.mark.pdf
def test_published_markdown_pages_carry_their_marks(loop):
    root = loop["root"]
    english = html(root, "en", "nouvelles")
    reviewed = passage(english, "The assembly was held in Paris")
    assert "tp-mark" not in reviewed.get("class", [])
    assert reviewed.find("strong").get_text() == "Paris"
    links = passage(english, "See the minutes")
    assert [a["href"] for a in links.find_all("a")] == [
        "https://www.example.org/compte-rendu", "#assemblee", "https://www.example.org/agenda"]
    machine = passage(english, "The budget")
    assert "tp-machine" in machine["class"] and machine.find("code").get_text() == "rapport --annuel"
    assert english.find(id="tp-banner") is not None
    # A reference link's definition is elsewhere on the page: the translation still links.
    reference = passage(english, "Lire aussi the")
    assert [a["href"] for a in reference.find_all("a")] == ["guide.html", "https://www.example.org/plan"]
    assert "[plan]" not in reference.get_text()
    french = html(root, "fr", "about")
    drafted = passage(french, "L collective publishes")
    assert "tp-machine" in drafted["class"]
    assert drafted.find("a")["href"] == "https://www.example.org/languages"
    assert html(root, "en", "about").select(".tp-mark") == []  # written in English: as it is
    assert html(root, "fr", "nouvelles").select(".tp-mark") == []


@pytest.mark.pdf
def test_markdown_pages_have_their_pdfs(loop):
    root = loop["root"]
    pdf = root / "_build" / "site" / "en" / "nouvelles.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "The assembly was held in Paris" in " ".join(text.split())
    assert (root / "_build" / "site" / "fr" / "about.pdf").is_file()


@pytest.mark.pdf
def test_pages_are_found_without_sphinx_once_synced_and_with_it_otherwise(loop, tmp_path):
    project = load_project(loop["root"])
    record = project.cache_dir / discovery.RECORD
    assert json.loads(record.read_text())["types"] == {".md": "markdown", ".rst": "restructuredtext"}
    expected = discovery.documents(project)
    assert expected["nouvelles"] == ("fr", "source/fr/nouvelles.md") and expected["about"] == ("en", "source/en/about.md")
    fresh = tmp_path / "fresh"
    shutil.copytree(ROOTS / "myst", fresh)  # never synced: Sphinx is asked
    assert discovery.documents(load_project(fresh)) == expected


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def adopted(tmp_path) -> Path:
    """A MyST project as it is: pages next to conf.py, one catalog per folder (gettext_compact)."""
    root = tmp_path / "docs"
    write(root / "conf.py", 'project = "Docs"\nlanguage = "fr"\nextensions = ["myst_parser"]\n'
                            'locale_dirs = ["locale"]\nexclude_patterns = ["_build"]\n')
    write(root / "index.md", "# Accueil\n\nLire le [guide](https://www.example.org/guide).\n\n"
                             "```{toctree}\nguide/intro\nguide/usage\n```\n")
    write(root / "guide/intro.md", "# Introduction\n\nUne *introduction* avec `code`.\n")
    write(root / "guide/usage.rst", "Usage\n=====\n\nUn *usage* avec ``code``.\n")
    return root


def test_an_adopted_markdown_project_is_synced_listed_and_drafted(adopted, capsys):
    assert cli("sync", "-C", adopted, "--quiet") == 0
    data = json_of(capsys, "status", "-C", adopted)
    assert {c["domain"]: c["documents"] for c in data["catalogs"]} == {
        "index": ["index.md"], "guide": ["guide/intro.md", "guide/usage.rst"]}
    assert data["orphaned"] == [] and data["unsynced"] == []
    write(adopted / "nouveau.md", "# Nouveau\n")
    assert json_of(capsys, "status", "-C", adopted)["unsynced"] == ["nouveau.md"]
    dry = json_of(capsys, "draft", "-C", adopted, "--engine", "deepl", "--dry-run")
    assert dry["totals"]["segments"] == 7  # with the site's name (conf.py's project), a message of the root page


def test_each_entry_is_drafted_in_the_markup_of_its_page(adopted):
    from translate_pipeline.catalogs import catalog as cat
    from translate_pipeline.drafting.draft import page_syntax, plan

    assert cli("sync", "-C", adopted, "--quiet") == 0
    project = load_project(adopted)
    guide = {"guide": cat.load(po_path(adopted, "guide"))}
    jobs = {job.text: job.syntax.name for job in plan(guide, None, page_syntax(project))}
    assert jobs == {"Introduction": "myst", "Une *introduction* avec `code`.": "myst",
                    "Usage": "rst", "Un *usage* avec ``code``.": "rst"}
    # Without locations, a catalog's pages tell, when they agree.
    for entry in guide["guide"].entries:
        entry.occurrences = []
    index = cat.load(po_path(adopted, "index"))
    for entry in index.entries:
        entry.occurrences = []
    syntax_of = page_syntax(project)
    assert {job.syntax.name for job in plan({"index": index, **guide}, None, syntax_of)
            if job.domain == "index"} == {"myst"}
    assert {job.syntax.name for job in plan(guide, None, syntax_of)} == {"rst"}
