"""``status``: counts per state, the stale diff, and the CI gate."""

from __future__ import annotations

import json

import polib
import pytest
from conftest import po_path, translate

REUNION = "rapports/reunion"
TITLE = "Réunion de février 2014"
PARA = "La réunion s'est tenue au ministère des Droits des femmes, à Paris."
DEMANDS = "Les associations ont présenté leurs revendications pour le plan d'action national."


@pytest.fixture
def mixed(project, tp):
    """The meeting report in every state: reviewed, machine, stale, untranslated."""
    assert tp("-C", project, "sync").code == 0
    path = po_path(project, REUNION)
    translate(path, {TITLE: "February 2014 meeting", PARA: "The meeting took place in Paris."})
    po = polib.pofile(str(path))
    machine = po.find(DEMANDS)
    machine.msgstr = "The associations presented their demands for the national action plan."
    machine.flags.append("fuzzy")
    machine.tcomment = "draft: deepl 2026-11-20"
    po.save(str(path))
    src = project / "source/fr/rapports/reunion.rst"
    src.write_text(src.read_text().replace("à Paris", "à Paris, le 18 février"))
    assert tp("-C", project, "sync").code == 0
    return project


def test_status_json_counts_entries_and_words_per_state(mixed, tp):
    result = tp("-C", mixed, "status", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    reunion = next(c for c in data["catalogs"] if c["domain"] == REUNION)
    assert reunion["entries"] == {"reviewed": 1, "machine": 1, "stale": 1, "untranslated": 3}
    assert reunion["words"]["reviewed"] == 4  # Réunion de février 2014
    assert reunion["words"]["stale"] == 16
    assert reunion["documents"] == ["source/fr/rapports/reunion.rst"]
    total = data["totals"]["en"]
    assert total["entries"]["stale"] == 1 and total["entries"]["machine"] == 1
    assert total["total_entries"] == sum(
        c["total_entries"] for c in data["catalogs"] if c["language"] == "en"
    )
    assert data["totals"]["fr"]["entries"]["untranslated"] == 2  # the English-authored page
    assert data["orphaned"] == [] and data["unsynced"] == []


def test_status_table_for_people(mixed, tp):
    result = tp("-C", mixed, "status")
    assert result.code == 0
    line = next(line for line in result.out.splitlines() if line.startswith(f"en/{REUNION}"))
    assert line.split()[1:5] == ["1", "1", "1", "3"]
    assert "total en" in result.out


def test_stale_shows_a_word_diff_of_the_french(mixed, tp):
    result = tp("-C", mixed, "status", "--stale")
    assert "{+, le 18 février+}" in result.out
    assert "stale, French changed on" in result.out
    assert "translation: The meeting took place in Paris." in result.out
    data = json.loads(tp("-C", mixed, "status", "--json", "--stale").out)
    stale = next(c for c in data["catalogs"] if c["domain"] == REUNION)["stale"]
    assert stale[0]["previous"] == PARA
    assert stale[0]["msgid"] == PARA.replace("à Paris", "à Paris, le 18 février")


def test_check_gates_on_the_publish_policy(mixed, tp):
    assert tp("-C", mixed, "status", "--check").code == 0  # default policy asks nothing
    failed = tp("-C", mixed, "--set", "policy.max_stale=0", "status", "--check")
    assert failed.code == 1
    assert "en: 1 stale entry, policy allows 0" in failed.err
    reviewed = tp("-C", mixed, "--set", "policy.min_reviewed=95", "status", "--check", "--json")
    assert reviewed.code == 1
    check = json.loads(reviewed.out)["check"]
    assert check["passed"] is False and any("reviewed" in p for p in check["problems"])
    assert tp("-C", mixed, "--set", "policy.max_untranslated=100", "status", "--check").code == 0


def test_check_fails_when_pages_were_never_synced(project, tp):
    result = tp("-C", project, "status", "--check")
    assert result.code == 1
    assert "have no catalog yet" in result.err


def test_status_of_some_documents(mixed, tp):
    data = json.loads(tp("-C", mixed, "status", "--json", REUNION).out)
    assert [c["domain"] for c in data["catalogs"]] == [REUNION]
