"""The global options, ``-C DIR`` and ``--set KEY=VALUE``, before or after the command's name."""

from __future__ import annotations

import json

import pytest
from conftest import po_path, translate

from translate_pipeline.cli import EXIT_CHECK_FAILED, EXIT_INPUT, cli

REUNION = "rapports/reunion"


@pytest.fixture
def stale(project, tp):
    """The basic project with one stale entry: the policy ``max_stale=0`` fails on it."""
    assert tp("-C", project, "sync").code == 0
    translate(po_path(project, REUNION), {"La réunion s'est tenue au ministère des Droits des femmes, à Paris.": "The meeting was held at the Ministry of Women's Rights, in Paris."})
    page = project / "source/fr/rapports/reunion.rst"
    page.write_text(page.read_text(encoding="utf-8").replace("à Paris", "à Paris, le 18 février"), encoding="utf-8")
    assert tp("-C", project, "sync").code == 0
    return project


def test_set_after_the_command_name_is_the_setting_for_this_run(stale, tp):
    failed = tp("-C", stale, "status", "--check", "--set", "policy.max_stale=0")
    assert failed.code == EXIT_CHECK_FAILED, failed
    assert "en: 1 stale entry, policy allows 0" in failed.err
    assert tp("-C", stale, "status", "--check", "--set", "policy.max_stale=1").code == 0


def test_set_before_and_after_both_count_the_later_wins(stale, tp):
    both = tp("-C", stale, "--set", "policy.max_stale=0", "status", "--check", "--json",
              "--set", "policy.max_untranslated=0")
    assert both.code == EXIT_CHECK_FAILED
    problems = json.loads(both.out)["check"]["problems"]
    assert any("stale" in p for p in problems) and any("untranslated" in p for p in problems), problems
    later = tp("-C", stale, "--set", "policy.max_stale=0", "status", "--check", "--set", "policy.max_stale=5")
    assert later.code == 0, later


def test_directory_after_the_command_name(stale, tp, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no project here
    result = tp("status", "--json", "-C", stale)
    assert result.code == 0, result
    assert any(c["domain"] == REUNION for c in json.loads(result.out)["catalogs"])
    # after the command's name, it wins over the one before it
    assert tp("-C", tmp_path / "nowhere", "status", "-C", stale, "--json").code == 0


def test_a_bad_setting_after_the_command_name_names_it(project, tp):
    result = tp("-C", project, "status", "--set", "colour=blue")
    assert result.code == EXIT_INPUT
    assert "--set 'colour=blue': unknown setting" in result.err
    assert "No such option" not in result.err


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_lists_the_global_options(name, tp):
    result = tp(name, "--help")
    assert result.code == 0
    assert "-C DIR" in result.out and "--set KEY=VALUE" in result.out, result.out
