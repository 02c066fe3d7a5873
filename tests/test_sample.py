"""The sample project and the README: what they say is what the tool does."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from translate_pipeline.settings import Settings

from conftest import REPO


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
    assert commented == ["max_stale", "max_untranslated"]
    assert all(getattr(defaults.policy, key) is None for key in commented)
    assert {f.name for f in fields(defaults.policy)} == set(shown["policy"]) | set(commented)


def test_the_sample_policy_fails_on_its_outdated_translations(sample, tp):
    policy = tomllib.loads((sample / "pyproject.toml").read_text())["tool"]["translate-pipeline"]["policy"]
    assert policy == {"min_reviewed": 85, "max_stale": 0}
    result = tp("-C", sample, "status", "--check")
    assert result.code == 1
    assert "policy not met: en: 4 stale entries, policy allows 0" in result.err
    assert "Publish policy met." not in result.out
    data = json.loads(tp("-C", sample, "status", "--check", "--json").out)
    assert data["check"] == {"passed": False, "problems": ["en: 4 stale entries, policy allows 0"]}
    assert data["totals"]["en"]["reviewed_percent"] >= 85
    # with the stale entries allowed, the same catalogs pass
    assert tp("-C", sample, "--set", "policy.max_stale=4", "status", "--check").out.endswith("Publish policy met.\n")
