"""The sample project and the README: what they say is what the tool does."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from dataclasses import fields

import polib
from conftest import REPO

from translate_pipeline.project.settings import Settings


def readme_settings() -> tuple[dict, list[str]]:
    """The README's settings block: the values it sets, and the keys it shows commented out."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Settings\n.*?```toml\n(.*?)```", text, re.S).group(1)
    commented = re.findall(r"^# (\w+) =", block, re.M)
    return tomllib.loads(block)["tool"]["translate-pipeline"], commented


def test_the_readme_settings_block_shows_the_defaults():
    shown, commented = readme_settings()
    defaults = Settings()
    for name, value in shown.items():
        if name in ("source_language", "locale_dir"):  # from conf.py when it says
            continue
        default = getattr(defaults, name)
        if name in ("policy", "pdf"):
            for key, item in value.items():
                assert getattr(default, key) == item, f"README: {name}.{key} = {item!r}; default {getattr(default, key)!r}"
        else:
            assert default == (tuple(value) if isinstance(value, list) else value), name
    # what has no default value (no limit) is shown commented out, and exists
    top = [key for key in commented if hasattr(defaults, key)]  # settings found from the files when unset
    assert all(getattr(defaults, key) is None for key in top)
    commented = [key for key in commented if key not in top]
    assert commented == ["max_stale", "max_untranslated"]
    assert all(getattr(defaults.policy, key) is None for key in commented)
    assert {f.name for f in fields(defaults.policy)} == set(shown["policy"]) | set(commented)


def test_the_sample_policy_fails_on_its_outdated_translations(sample, tp):
    policy = tomllib.loads((sample / "pyproject.toml").read_text())["tool"]["translate-pipeline"]["policy"]
    assert policy == {"min_reviewed": 80, "max_stale": 0}
    result = tp("-C", sample, "status", "--check")
    assert result.code == 1
    assert "policy not met: en: 4 stale entries, policy allows 0" in result.err
    assert "Publish policy met." not in result.out
    data = json.loads(tp("-C", sample, "status", "--check", "--json").out)
    assert data["check"] == {"passed": False, "problems": ["en: 4 stale entries, policy allows 0"]}
    assert data["totals"]["en"]["reviewed_percent"] >= 80
    # with the stale entries allowed, the same catalogs pass
    assert tp("-C", sample, "--set", "policy.max_stale=4", "status", "--check").out.endswith("Publish policy met.\n")


def test_the_readme_first_command_drafts_the_newest_report_offline(sample, tp):
    """`draft` on the sample: the memory drafts the 2017 report from the reviewed 2016 one."""
    report = sample / "locale" / "en" / "LC_MESSAGES" / "rapports" / "2017-06-assemblee-generale.po"
    title_before = next(e for e in polib.pofile(str(report)) if e.msgid == "Assemblée générale du 22 juin 2017")
    assert title_before.msgstr == ""

    result = tp("-C", sample, "draft")

    assert result.code == 0, result
    drafted = re.search(r"^en \(from fr\): (\d+) entries to draft; (\d+) drafted \(memory (\d+)\), (\d+) left$",
                        result.out, re.M)
    assert drafted, result.out
    pending, done, memory, left = map(int, drafted.groups())
    assert done == memory >= 5 and pending == done + left
    assert "billed" not in result.out and "Sent:" not in result.out
    assert "Catalogs written: 1\n  locale/en/LC_MESSAGES/rapports/2017-06-assemblee-generale.po" in result.out
    after = {e.msgid: e for e in polib.pofile(str(report))}
    title = after["Assemblée générale du 22 juin 2017"]
    assert title.msgstr == "General meeting of 23 June 2016" and "fuzzy" in title.flags
    assert "draft: memory 9" in title.tcomment
    assert "draft check: numbers differ: 22, 2017 in the original, 23, 2016 here" in title.tcomment
    same_numbers = next(e for m, e in after.items() if m.startswith("L’assemblée a rappelé que plusieurs"))
    assert same_numbers.msgstr.startswith("The meeting stressed that") and "draft check" not in same_numbers.tcomment
    status = tp("-C", sample, "status")
    assert re.search(r"^en: \d+ machine drafts to check \(# draft check:\):$", status.out, re.M)
    # the title's draft is one of them, at its line, saying what differs
    assert re.search(rf"^  locale/en/LC_MESSAGES/rapports/2017-06-assemblee-generale\.po:{title.linenum}: "
                     r"numbers differ: 22, 2017 in the original, 23, 2016 here$", status.out, re.M), status.out
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(report)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
