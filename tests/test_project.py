"""Finding a project: the sample layout, an existing Sphinx project, bad settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import entries, obsolete, po_path, snapshot


def msgfmt_check(path: Path) -> str:
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_existing_sphinx_project_syncs_with_no_settings(make_project, tp):
    root = make_project("adopted")
    before = snapshot(root)
    result = tp("-C", root, "sync", "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    after = snapshot(root)
    # Nothing but catalogs changed.
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert changed and all(p.startswith("locale/en/LC_MESSAGES/") for p in changed), changed
    # gettext_compact is Sphinx's default (True): guide/*.rst share guide.po.
    assert sorted(p for p in after if p.endswith(".po")) == [
        "locale/en/LC_MESSAGES/guide.po",
        "locale/en/LC_MESSAGES/index.po",
    ]
    assert data["orphaned"] == []
    index = entries(po_path(root, "index"))
    assert index["Documentation du projet"].msgstr == "Project documentation"
    # A fuzzy entry with no previous msgid (years of drift) keeps its words and flag.
    assert index["Démarrage rapide"].msgstr == "Quick start"
    assert "fuzzy" in index["Démarrage rapide"].flags
    assert index["Démarrage rapide"].tcomment == "Vérifier la formulation."
    assert "Ajouter une capture d'écran." in index  # the todo extension's directive
    assert obsolete(po_path(root, "index"))["Ancienne section supprimée"].msgstr == "Old section, removed"
    assert not any("Brouillon" in msgid for msgid in index)  # excluded by conf.py
    guide = entries(po_path(root, "guide"))
    changed_entry = guide["Le guide présente les étapes de la publication bilingue."]
    assert changed_entry.msgstr == "The guide presents the publication steps."
    assert changed_entry.previous_msgid == "Le guide présente les étapes de la publication."
    assert "Utilisation" in guide
    for path in (po_path(root, "index"), po_path(root, "guide")):
        # msgfmt accepts them; its only remarks are on header fields the project's
        # files never had, which the tool does not add (the header stays the project's).
        remarks = msgfmt_check(path).splitlines()
        assert all("header field" in line and "missing in header" in line for line in remarks), remarks
        header = before[path.relative_to(root).as_posix()].decode().split("\n\n")[0]
        assert path.read_text().startswith(header + "\n\n")
    # The translator's header is kept.
    assert "Last-Translator: Jane Doe <jane@example.org>" in po_path(root, "index").read_text()
    # And a second run changes nothing.
    again = snapshot(root)
    assert tp("-C", root, "sync").code == 0
    assert snapshot(root) == again


def test_conf_py_that_fails_to_import_gets_a_clear_message(project, tp):
    conf = project / "conf.py"
    conf.write_text(conf.read_text() + "\nimport sphinx_imaginary_theme\n")
    result = tp("-C", project, "sync")
    assert result.code == 2
    line = conf.read_text().splitlines().index("import sphinx_imaginary_theme") + 1
    assert f"{conf}:{line}: conf.py imports 'sphinx_imaginary_theme', which is not installed" in result.err
    assert "Traceback" not in result.err


def test_conf_py_with_an_error(project, tp):
    conf = project / "conf.py"
    conf.write_text(conf.read_text() + "\nhtml_theme_options = {'a': undefined_name}\n")
    result = tp("-C", project, "status")
    assert result.code == 2
    assert f"{conf}:" in result.err and "NameError" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_conf_py_listing_a_missing_extension(project, tp):
    conf = project / "conf.py"
    conf.write_text(conf.read_text() + "\nextensions = ['sphinxcontrib.nowhere']\n")
    result = tp("-C", project, "sync")
    assert result.code == 2
    assert "sphinxcontrib.nowhere" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        ('[tool.translate-pipeline]\ntarget_languages = ["xx-nowhere"]\n', "unknown language 'xx-nowhere'"),
        ('[tool.translate-pipeline]\ntarget_language = ["en"]\n', "unknown setting 'target_language'"),
        ('[tool.translate-pipeline]\nstale_match_threshold = "high"\n', "'stale_match_threshold' must be a number"),
        ("[tool.translate-pipeline\n", "fix the TOML syntax"),
        ('[tool.translate-pipeline.policy]\nstale = "hide"\n', "'stale' must be \"mark\" or \"source\""),
    ],
)
def test_bad_settings_get_a_one_line_message(project, tp, pyproject, expected):
    (project / "pyproject.toml").write_text(pyproject)
    before = snapshot(project)
    result = tp("-C", project, "sync")
    assert result.code == 2
    assert expected in result.err
    assert "pyproject.toml" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert snapshot(project) == before


def test_missing_french_sources_is_explained(project, tp):
    (project / "source" / "fr").rename(project / "source" / "de")
    result = tp("-C", project, "sync")
    assert result.code == 2
    assert "source/fr: missing" in result.err


def test_not_a_sphinx_project(tmp_path, tp):
    result = tp("-C", tmp_path, "status")
    assert result.code == 2
    assert "no conf.py here" in result.err


def test_settings_override_on_the_command_line(project, tp):
    (project / "pyproject.toml").write_text('[tool.translate-pipeline]\ntarget_languages = ["en"]\n')
    result = tp("-C", project, "--set", "target_languages=['en', 'de']", "sync", "--json")
    assert result.code == 0, result
    assert po_path(project, "index", "de").exists()
    bad = tp("-C", project, "--set", "nonsense", "sync")
    assert bad.code == 2 and "KEY=VALUE" in bad.err


@pytest.mark.parametrize("command", [[], ["sync"], ["status"]])
def test_every_command_explains_itself(tp, command):
    result = tp(*command, "--help")
    assert result.code == 0
    assert "Usage: translate-pipeline" in result.out
    assert "Exit codes" in result.out


@pytest.mark.slow
def test_module_entry_point_runs_the_same_command(project):
    done = subprocess.run(
        [sys.executable, "-m", "translate_pipeline", "-C", str(project), "status", "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unsynced"] == [
        "source/en/about.rst",
        "source/fr/index.rst",
        "source/fr/rapports/reunion.rst",
    ]


@pytest.mark.slow
def test_module_entry_point_exit_code_and_whole_output(project):
    done = subprocess.run(
        [sys.executable, "-m", "translate_pipeline", "-C", str(project), "status", "--check", "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["check"]["passed"] is False


@pytest.mark.slow
def test_sphinx_warnings_are_plain_text_and_name_the_project_files(project):
    """Sphinx colours its output whenever CI is set; scripts reading --json get plain text."""
    page = project / "source" / "fr" / "index.rst"
    page.write_text(page.read_text() + "\nUn titre trop long\n=====\n\nTexte.\n")  # underline too short
    done = subprocess.run(
        [sys.executable, "-m", "translate_pipeline", "-C", str(project), "sync", "--json"],
        capture_output=True, text=True, env={**os.environ, "CI": "true"},
    )
    assert done.returncode == 0, done.stderr
    warnings = json.loads(done.stdout)["warnings"]
    assert warnings and all("\x1b" not in w for w in warnings)
    assert warnings[0].startswith("source/fr/index.rst:")
