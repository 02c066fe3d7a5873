"""Adopting an existing Sphinx project as it is: its direction, its settings, its catalogs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import entries, po_path, snapshot, wait_for


def _catalogs(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.po") if "_build" not in p.parts)


def test_english_pages_with_french_catalogs_and_no_language_in_conf(make_project, tp):
    root = make_project("english-source")
    assert "language" not in (root / "conf.py").read_text()
    before = _catalogs(root)
    result = tp("-C", root, "sync", "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    # English → French, read from conf.py (no language: English) and the catalogs on disk.
    assert _catalogs(root) == before  # no locale/en/ made up
    assert {c["language"] for c in data["details"]} == {"fr"}
    # sphinx.po holds the theme's strings, which Sphinx loads: not an orphan.
    assert data["orphaned"] == []
    status = tp("-C", root, "status")
    assert status.code == 0, status
    assert "fr/guide" in status.out and "orphaned" not in status.out
    guide = entries(po_path(root, "guide", "fr"))
    assert guide["Preparing a visit"].msgstr == "Préparer une visite"


def test_catalogs_contradicting_conf_py_stop_the_run_writing_nothing(make_project, tp):
    root = make_project("english-source")
    # French pages, catalogs into English, and a conf.py that says nothing (Sphinx: English).
    (root / "locale" / "fr").rename(root / "locale" / "en")
    before = snapshot(root)
    for command in ("sync", "status", "publish"):
        result = tp("-C", root, command)
        assert result.code == 2, result
        assert "sets no language, so Sphinx reads the pages as English" in result.err
        assert "(locale/en/) translate into English" in result.err
        assert f'write source_language = "fr" (or the right code) under [tool.translate-pipeline] in {root / "pyproject.toml"}' in result.err
        assert "Nothing was written." in result.err
    assert snapshot(root) == before
    assert not (root / "_build").exists()
    # Writing the setting it names settles it.
    (root / "pyproject.toml").write_text('[tool.translate-pipeline]\nsource_language = "fr"\n')
    assert tp("-C", root, "status").code == 0


def test_target_listed_as_source_is_refused_with_the_setting_to_write(make_project, tp):
    root = make_project("english-source")
    (root / "pyproject.toml").write_text('[tool.translate-pipeline]\ntarget_languages = ["en"]\n')
    result = tp("-C", root, "status")
    assert result.code == 2, result
    assert 'write source_language = "fr"' in result.err


def test_settings_in_a_pyproject_above_the_docs_folder(tmp_path, tp):
    repository = tmp_path / "repository"
    docs = repository / "docs"
    shutil.copytree(Path(__file__).parent / "roots" / "english-source", docs)
    (repository / ".git").mkdir()
    (docs / "locale").rename(repository / "translations")
    (repository / "translations" / "fr").rename(repository / "translations" / "en")
    # Above the repository: never read.
    (tmp_path / "pyproject.toml").write_text('[tool.translate-pipeline]\nsource_language = "nonsense"\n')
    # The repository's own pyproject.toml: paths in it are relative to it.
    (repository / "pyproject.toml").write_text(
        '[project]\nname = "field-guide"\n\n'
        '[tool.translate-pipeline]\nsource_language = "fr"\nlocale_dir = "translations"\n'
    )
    result = tp("-C", docs, "sync", "--json")
    assert result.code == 0, result
    details = json.loads(result.out)["details"]
    assert {(d["language"], d["path"]) for d in details} == {
        ("en", "../translations/en/LC_MESSAGES/guide.po"), ("en", "../translations/en/LC_MESSAGES/index.po")}
    # A pyproject.toml next to conf.py without the table does not hide the one above.
    (docs / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n')
    assert tp("-C", docs, "status").code == 0
    # Without the repository's settings, the walk stops at the repository's root.
    (repository / "pyproject.toml").unlink()
    alone = tp("-C", docs, "status")
    assert alone.code == 0 and "nonsense" not in alone.err, alone


def test_stale_entries_name_the_language_that_changed(make_project, tp):
    root = make_project("english-source")
    assert tp("-C", root, "sync").code == 0
    page = root / "guide" / "report.rst"
    page.write_text(page.read_text().replace("Reporting", "Reporting back"))
    assert tp("-C", root, "sync").code == 0
    entry = entries(po_path(root, "guide", "fr"))["Reporting back"]
    assert entry.msgstr == "Rendre compte" and "fuzzy" in entry.flags
    assert entry.tcomment.startswith("stale: English changed on ")
    result = tp("-C", root, "status", "--stale")
    assert result.code == 0
    assert "stale, English changed on" in result.out and "French changed" not in result.out


@pytest.mark.slow
def test_a_project_with_common_extensions_publishes(make_project, tp):
    root = make_project("extensions")
    result = tp("-C", root, "publish", "--no-pdf", "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert {s["language"]: s["pages"] for s in data["sites"]} == {"en": 4, "fr": 4}
    for language in ("en", "fr"):
        site = root / "_build" / "site" / language
        # ablog: the post and the pages it generates (the build process must not
        # carry the state ablog kept from the sync's reading).
        post = (site / "posts" / "first-harvest.html").read_text()
        assert "The first tomatoes were picked today." in post
        assert "First harvest" in (site / "posts" / "tag" / "harvest.html").read_text()
        assert (site / "posts" / "atom.xml").is_file()
        # sphinx-sitemap (starts a process of its own from the build).
        assert "https://garden.example.org/" in (site / "sitemap.xml").read_text()
        cards = (site / "cards.html").read_text()
        assert "sd-card" in cards  # sphinx-design
        assert "copybutton.js" in cards  # sphinx-copybutton
        assert 'href="https://tools.example.org/rake.html"' in cards  # intersphinx, from a local inventory
        assert "Water one bed of the garden" in (site / "api.html").read_text()  # autodoc
    # The French site shows the English text, marked not yet translated.
    assert 'lang="en"' in (root / "_build" / "site" / "fr" / "cards.html").read_text()
    assert (root / "locale" / "fr" / "LC_MESSAGES" / "cards.po").is_file()
    # Docstrings are located as Sphinx's gettext builder locates them, from the project.
    api = (root / "locale" / "fr" / "LC_MESSAGES" / "api.po").read_text()
    assert "#: gardenkit.py:docstring of gardenkit.water:1" in api and str(root) not in api


def test_sphinx_failure_reaches_the_user_whole(make_project, tp):
    root = make_project("extensions")
    conf = root / "conf.py"
    conf.write_text(conf.read_text().replace('"tools.inv")}', "5)}"))
    for command in ("sync", "publish"):
        result = tp("-C", root, command)
        assert result.code == 2, result
        assert "Invalid `intersphinx_mapping` configuration (1 error)" in result.err
        assert "Invalid inventory location value `5` in intersphinx_mapping['tools'][1]" in result.err


def test_first_sync_of_catalogs_made_by_sphinx_intl_changes_nothing(make_project, tp):
    root = make_project("english-source")
    # Written by `sphinx-build -b gettext` and `sphinx-intl update -w 0`: locations from
    # Sphinx's output folder, no wrapping, Babel's header and a last empty line.
    guide = po_path(root, "guide", "fr")
    assert "#: ../../guide/prepare.rst:2" in guide.read_text()
    before = snapshot(root)
    result = tp("-C", root, "sync")
    assert result.code == 0, result
    after = snapshot(root)
    # The site's name, author and copyright (conf.py) become messages of the root page:
    # the one real change. Every other file stays byte for byte.
    index = "locale/fr/LC_MESSAGES/index.po"
    assert {k: v for k, v in after.items() if k != index} == {k: v for k, v in before.items() if k != index}
    old_index, new_index = before[index].decode().splitlines(True), after[index].decode().splitlines(True)
    assert [line for line in old_index if line not in new_index] == ["#: ../../index.rst:2\n"]
    assert [line for line in new_index if line not in old_index] == [
        "#: ../../index.rst:2 ../../conf.py:2\n",
        "#: ../../conf.py:3\n", 'msgid "Field Guide contributors"\n',
        "#: ../../conf.py:4\n", 'msgid "2024, Field Guide contributors"\n',
    ]
    assert "0 created, 1 updated, 1 unchanged" in result.out, result
    before = after
    # A catalog that changes keeps the project's ways: only the changed entry differs.
    page = root / "guide" / "report.rst"
    longer = ("Write the report on the day of the visit, with the names of everyone who came along "
              "and what each of them saw on the way.")
    page.write_text(page.read_text().replace("Write the report on the day of the visit.", longer))
    result = tp("-C", root, "sync")
    assert result.code == 0 and "updated  locale/fr/LC_MESSAGES/guide.po" in result.out, result
    old, new = before["locale/fr/LC_MESSAGES/guide.po"].decode().splitlines(True), guide.read_text().splitlines(True)
    assert [line for line in old if line not in new] == ['msgid "Write the report on the day of the visit."\n']
    assert [line for line in new if line not in old] == [f'msgid "{longer}"\n']
    assert new[-1] == "\n" and "#: ../../guide/report.rst:4\n" in new
    assert snapshot(root)["locale/fr/LC_MESSAGES/index.po"] == before["locale/fr/LC_MESSAGES/index.po"]


def test_a_new_catalog_takes_the_location_style_of_the_others(make_project, tp):
    root = make_project("english-source")
    (root / "guide" / "extra.rst").write_text("Extra\n=====\n\nOne more page.\n")
    (root / "index.rst").write_text((root / "index.rst").read_text().replace("   guide/report", "   guide/report\n   guide/extra"))
    root.joinpath("conf.py").write_text(root.joinpath("conf.py").read_text() + "gettext_compact = False\n")
    assert tp("-C", root, "sync").code == 0
    created = po_path(root, "guide/extra", "fr").read_text()
    assert "#: ../../guide/extra.rst:1" in created or "#: ../../guide/extra.rst:4" in created


def test_settings_choose_the_wrapping_and_the_locations(make_project, tp):
    from test_poformat import msgcat

    root = make_project("english-source")
    (root / "pyproject.toml").write_text(
        '[tool.translate-pipeline]\nwrap_width = 79\nlocations_relative_to = "."\n')
    result = tp("-C", root, "sync")
    assert result.code == 0, result
    for domain in ("guide", "index"):
        text = po_path(root, domain, "fr").read_text()
        assert "#: ../../" not in text and ("#: guide/prepare.rst:2" in text or "#: index.rst:1" in text)
        assert msgcat(po_path(root, domain, "fr")) == text  # wrapped at gettext's width
    assert 'msgid ""\n"Read :doc:`report` before you leave' in po_path(root, "guide", "fr").read_text()


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.slow
def test_no_process_an_extension_started_outlives_the_command(make_project):
    import subprocess
    import sys

    root = make_project("extensions")
    log = root.parent / "sync.log"  # a file, not a pipe: a process left behind would hold a pipe open
    with log.open("w") as output:
        done = subprocess.run([sys.executable, "-m", "translate_pipeline", "-C", str(root), "sync", "-q"],
                              stdout=output, stderr=output, timeout=300)
    assert done.returncode == 0, log.read_text()
    # sphinx-sitemap starts a multiprocessing Manager while the pages are read.
    wait_for(lambda: _processes_naming(str(root)) == [], seconds=10, every=0.1)
    assert _processes_naming(str(root)) == []
