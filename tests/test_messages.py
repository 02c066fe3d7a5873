"""What the commands say: the setting a message blames, plurals, warnings once."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("nonsense=1", "--set nonsense=1: unknown setting 'nonsense'"),
        ("policy.max_stale=-1", "--set policy.max_stale=-1: 'max_stale' must be a whole number ≥ 0"),
        ("policy={machine='x'}", "--set policy={machine='x'}: 'machine' must be \"mark\" or \"source\""),
        ("target_languages=fr", "--set target_languages=fr: the source language cannot also be a target"),
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
    assert f"{project / 'pyproject.toml'} [tool.translate-pipeline] policy: 'max_stale'" in result.err
    assert "--set" not in result.err
