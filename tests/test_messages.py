"""What the commands say: the setting a message blames, plurals, warnings once."""

from __future__ import annotations

import json

import pytest
from conftest import entries, po_path, translate, translate_all
from test_draft_cli import long_page, synced  # noqa: F401  (fixtures)

from translate_pipeline.publishing.buildlog import combine
from translate_pipeline.plural import counted


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("nonsense=1", "--set 'nonsense=1': unknown setting 'nonsense'"),
        ("policy.max_stale=-1", "--set 'policy.max_stale=-1': 'max_stale' must be a whole number ≥ 0"),
        ("policy={machine='x'}", "--set \"policy={machine='x'}\": policy 'machine' must be \"mark\" or \"source\""),
        ("target_languages=fr", "--set 'target_languages=fr': the source language cannot also be a target"),
    ],
)
def test_a_bad_value_given_with_set_blames_the_set_option(project, tp, override, expected):
    result = tp("-C", project, "--set", override, "status")
    assert result.code == 2
    assert result.err.startswith(f"translate-pipeline: {expected}"), result.err
    assert "pyproject.toml" not in result.err


def test_a_bad_value_in_the_file_still_blames_the_file(project, tp):
    (project / "pyproject.toml").write_text("[tool.translate-pipeline.policy]\nmax_stale = -1\n")
    result = tp("-C", project, "--set", "policy.min_reviewed=50", "status")
    assert result.code == 2
    assert f"{project / 'pyproject.toml'}:2: 'max_stale'" in result.err
    assert "--set" not in result.err


# --- plurals -------------------------------------------------------------------------


def test_one_is_singular_and_an_offline_draft_speaks_of_no_billing(project, tp):
    assert tp("-C", project, "sync", "--quiet").code == 0
    index = po_path(project, "index")
    last = list(entries(index))[-1]
    translate_all(index)
    translate(index, {last: ""})

    result = tp("-C", project, "draft", "index")

    assert result.code == 0, result
    assert "en (from fr): 1 entry to draft; 0 drafted, 1 left" in result.out
    assert "1 entry found nothing in the translation memory" in result.out and "drafts it " in result.out
    assert "billed" not in result.out and "Sent:" not in result.out and "segments" not in result.out
    dry = tp("-C", project, "draft", "--dry-run", "index")
    assert dry.code == 0 and "billed" not in dry.out and "Would send" not in dry.out
    assert "en (from fr): 1 entry to draft; 0 drafted without sending anything\n" in dry.out


def test_a_run_stopped_before_any_draft_says_nothing_of_zero_entries(synced, tp, deepl_server):
    deepl_server.fail(456, times=float("inf"), message="Quota exceeded", path="/v2/translate")

    result = tp("-C", synced, "draft", "--engine", "deepl")

    assert result.code == 4
    assert "stopped:" in result.err and ". Run draft again later to carry on" in result.err
    assert "0 entries" not in result.err and "drafted before" not in result.err
    assert "Sent: 0 segments, 0 characters billed, " in result.out  # DeepL was asked: the bill is said


def test_a_stopped_run_counts_what_it_kept_in_the_right_form(long_page, tp, deepl_server):
    deepl_server.fail(456, times=1, after=1, path="/v2/translate", message="Quota exceeded")

    result = tp("-C", long_page, "draft", "--engine", "deepl")

    assert result.code == 4
    drafted = json.loads(tp("-C", long_page, "status", "--json").out)["totals"]["en"]["entries"]["machine"]
    assert drafted > 1
    assert f"The {drafted} entries drafted before are written to the catalogs; run draft again" in result.err


def test_policy_problems_count_in_the_right_form(project, tp):
    assert tp("-C", project, "sync", "--quiet").code == 0
    result = tp("-C", project, "--set", "policy.max_untranslated=0", "status", "--check")
    untranslated = json.loads(tp("-C", project, "status", "--json").out)["totals"]["en"]["entries"]["untranslated"]
    assert result.code == 1 and untranslated > 1
    assert f"policy not met: en: {untranslated} untranslated entries, policy allows 0" in result.err
    (project / "source" / "fr" / "nouvelle.rst").write_text("Nouvelle\n========\n\nUne page.\n", encoding="utf-8")
    fresh = tp("-C", project, "status", "--check")
    assert "policy not met: 1 document has no catalog yet: run `translate-pipeline sync`" in fresh.err


def test_plural_forms_follow_gettext():
    assert counted(1, "%(count)d page", "%(count)d pages") == "1 page"
    assert counted(0, "%(count)d page", "%(count)d pages") == "0 pages"
    assert counted(21, "%(count)d of %(total)d", "%(count)d of %(total)ds", total=3) == "21 of 3s"


# --- Sphinx's warnings ---------------------------------------------------------------


@pytest.mark.slow
def test_a_warning_of_a_page_is_printed_once_naming_the_sites(project, tp):
    page = project / "source" / "fr" / "rapports" / "reunion.rst"
    page.write_text(page.read_text(encoding="utf-8") + "\n.. image:: absente.png\n", encoding="utf-8")

    result = tp("-C", project, "publish", "--no-pdf")

    assert result.code == 0, result
    lines = [line for line in result.err.splitlines() if "absente.png" in line]
    assert lines == ["source/fr/rapports/reunion.rst:13: WARNING: image file not readable: rapports/absente.png "
                     "[image.not_readable] (fr and en sites)"], result.err
    data = json.loads(tp("-C", project, "publish", "--no-pdf", "--json").out)
    assert [w for w in data["warnings"] if "absente.png" in w["message"]] == [
        {"message": lines[0].removesuffix(" (fr and en sites)"), "languages": ["fr", "en"]}]


def test_warnings_combined_keep_their_order_and_languages():
    reading = ["a.rst:1: WARNING: one"]
    sites = {"fr": ["a.rst:1: WARNING: one", "b.rst:2: WARNING: two"], "en": ["b.rst:2: WARNING: two", "x: three"]}
    assert combine(reading, sites) == [
        {"message": "a.rst:1: WARNING: one", "languages": ["fr"]},
        {"message": "b.rst:2: WARNING: two", "languages": ["fr", "en"]},
        {"message": "x: three", "languages": ["en"]},
    ]
    assert combine(["only while reading"], {"fr": [], "en": []}) == [{"message": "only while reading", "languages": []}]


def test_one_attempt_is_singular(synced, tp, deepl_server, monkeypatch):
    from translate_pipeline.drafting.engines import deepl as deepl_engine
    from translate_pipeline.drafting.engines.deepl import RetryPolicy

    monkeypatch.setattr(deepl_engine, "DEFAULT_RETRY", RetryPolicy(attempts=1, first_delay=0.01, timeout=1.0))
    deepl_server.fail(503, times=float("inf"), path="/v2/translate")
    result = tp("-C", synced, "draft", "--engine", "deepl")
    assert result.code == 4
    assert "stopped: deepl: DeepL failing (HTTP 503) after 1 attempt. Run draft again later" in result.err, result.err
