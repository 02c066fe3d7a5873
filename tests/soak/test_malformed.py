"""Malformed inputs: each one answered with its exit code and where it is wrong.

A corpus of broken catalogs, settings (pyproject.toml and ``--set``),
conf.py files, glossaries, pages and arguments. For each: the command
exits with the expected code, the message names the file and line (or the
``--set`` item, or the argument), no output holds a traceback, and no file
of the project changed. The commands run in-process (``cli.run``).
Catalog damage is also given to ``msgfmt --check``, which must refuse it
too. Run with ``-s`` to see the counts.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOTS, snapshot

from translate_pipeline.cli import run

INDEX_PO = "locale/en/LC_MESSAGES/index.po"
PYPROJECT_HEAD = '[tool.translate-pipeline]\nsource_language = "fr"\ntarget_languages = ["en"]\n'  # 3 lines
GLOSSARY = "glossary.csv"


@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    command: tuple[str, ...]
    code: int
    where: str  # in the message: "{root}", "{line}" filled in
    damage: Callable[[Path], dict] = field(default=lambda _root: {})
    msgfmt: bool = False  # the damage is to a catalog: msgfmt must refuse it too


# -- catalogs: the PO text after the header of index.po, and the line (in it) named --------------

CATALOG_TEXTS = {
    "invalid_escape": ('msgid "a\\q"\nmsgstr "b"\n', 1),
    "question_escape": ('msgid "a\\?"\nmsgstr "b"\n', 1),
    "obsolete_unterminated": ('#~ msgid "a"\n#~ msgstr "b\n', 2),
    "msgid_without_msgstr": ('msgid "a"\n\nmsgid "c"\nmsgstr "d"\n', 1),
    "msgid_without_msgstr_at_end": ('msgid "c"\nmsgstr "d"\n\nmsgid "a"\n', 4),
    "plural_without_forms": ('msgid "a"\nmsgid_plural "as"\n', 1),
    "plural_with_plain_msgstr": ('msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n', 3),
    "newline_end_disagrees": ('msgid "a\\n"\nmsgstr "b"\n', 2),
    "newline_begin_disagrees": ('msgid "a"\nmsgstr "\\nb"\n', 2),
    "plural_index_order": ('msgid "a"\nmsgid_plural "as"\nmsgstr[1] "b"\nmsgstr[0] "c"\n', 3),
    "plural_index_gap": ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[2] "c"\n', 4),
    "plural_too_many_forms": ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n', 1),
    "plural_one_form": ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\n', 1),
    "index_without_plural": ('msgid "a"\nmsgstr[0] "c"\n', 2),
    "mixed_obsolete": ('msgid "a"\n#~ msgstr "b"\n', 2),
    "garbage_line": ('hello\n', 1),
    "two_msgstr": ('msgid "a"\nmsgstr "b"\nmsgstr "c"\n', 3),
    "msgctxt_alone": ('msgctxt "a"\n', 1),
    "previous_inside_entry": ('msgid "a"\n#| msgid "x"\nmsgstr "b"\n', 1),
    "comment_inside_entry": ('msgid "a"\n# c\nmsgstr "b"\n', 1),
    "duplicate_entry": ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4),
    "trailing_word": ('msgid "a" x\nmsgstr "b"\n', 1),
    "obsolete_without_msgstr": ('#~ msgid "a"\n', 1),
    "obsolete_invalid_escape": ('#~ msgid "a\\q"\n#~ msgstr "b"\n', 1),
    "previous_invalid_escape": ('#| msgid "a\\q"\nmsgid "a"\nmsgstr "b"\n', 1),
    "previous_unterminated": ('#| msgid "a\nmsgid "a"\nmsgstr "b"\n', 1),
    "obsolete_garbage": ('#~ hello\n', 1),
    "backslash_at_line_end": ('msgid "a\\"\nmsgstr "b"\n', 1),
    "keyword_without_string": ('msgid\nmsgstr "b"\n', 1),
    "msgstr_without_string": ('msgid "a"\nmsgstr\n', 2),
    "msgctxt_twice": ('msgctxt "x"\nmsgctxt "y"\nmsgid "a"\nmsgstr "b"\n', 1),
    "msgid_plural_first": ('msgid_plural "as"\nmsgstr[0] "b"\n', 1),
    "msgstr_first": ('msgstr "b"\n', 1),
    "unclosed_msgid": ('msgid "a\nmsgstr "b"\n', 1),
    "quote_inside_string": ('msgid "a"b"\nmsgstr "b"\n', 1),
    "unknown_keyword": ('msgidx "a"\nmsgstr "b"\n', 1),
}


def _catalog_damage(text: str, line: int) -> Callable[[Path], dict]:
    def damage(root: Path) -> dict:
        path = root / INDEX_PO
        raw = path.read_bytes()
        header = raw[: raw.index(b"\n\n") + 2]
        path.write_bytes(header + text.encode("utf-8"))
        return {"line": header.count(b"\n") + line}

    return damage


def _raw_catalog_damage(data: bytes) -> Callable[[Path], dict]:
    def damage(root: Path) -> dict:
        path = root / INDEX_PO
        raw = path.read_bytes()
        header = raw[: raw.index(b"\n\n") + 2]
        path.write_bytes(header + data)
        return {"line": header.count(b"\n") + 1}

    return damage


CATALOG_WHERE = "{root}/" + INDEX_PO + ":{line}: "
CASES = [
    Case("catalog", name, ("status",), 2, CATALOG_WHERE, _catalog_damage(text, line), msgfmt=True)
    for name, (text, line) in CATALOG_TEXTS.items()
]
CASES += [
    Case("catalog", "not_utf8", ("status",), 2, CATALOG_WHERE, _raw_catalog_damage(b'msgid "\xff\xfe"\nmsgstr ""\n'),
         msgfmt=True),
    Case("catalog", "nul_byte", ("status",), 2, CATALOG_WHERE, _raw_catalog_damage(b'msgid "a\x00"\nmsgstr ""\n')),
    Case("catalog", "sync_stops_on_invalid_escape", ("sync",), 2, CATALOG_WHERE,
         _catalog_damage('msgid "a\\q"\nmsgstr "b"\n', 1), msgfmt=True),
    Case("catalog", "draft_stops_on_plural", ("draft",), 2, CATALOG_WHERE,
         _catalog_damage('msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n', 3), msgfmt=True),
    Case("catalog", "publish_stops_on_missing_msgstr", ("publish", "--no-pdf"), 2, CATALOG_WHERE,
         _catalog_damage('msgid "a"\n\nmsgid "c"\nmsgstr "d"\n', 1), msgfmt=True),
]


# -- settings in pyproject.toml -------------------------------------------------------------


def _pyproject(text: str, tail: str = "") -> Callable[[Path], dict]:
    def damage(root: Path) -> dict:
        (root / "pyproject.toml").write_text(PYPROJECT_HEAD + text + tail, encoding="utf-8")
        return {}

    return damage


PYPROJECT_WHERE = "{root}/pyproject.toml:"
CASES += [
    Case("settings", "unknown_setting", ("status",), 2, PYPROJECT_WHERE + "4: unknown setting 'colour'",
         _pyproject('colour = "blue"\n')),
    Case("settings", "threshold_not_a_number", ("status",), 2, PYPROJECT_WHERE + "4: 'stale_match_threshold'",
         _pyproject('stale_match_threshold = "high"\n')),
    Case("settings", "threshold_out_of_range", ("status",), 2, PYPROJECT_WHERE + "4: 'stale_match_threshold'",
         _pyproject("stale_match_threshold = 3\n")),
    Case("settings", "engines_not_strings", ("status",), 2, PYPROJECT_WHERE + "4: 'engines'",
         _pyproject("engines = [1, 2]\n")),
    Case("settings", "toml_syntax", ("status",), 2, PYPROJECT_WHERE + "4: ",
         _pyproject("glossary = \n")),
    Case("settings", "unknown_language", ("status",), 2, "{root}/pyproject.toml:3: unknown language 'klingon'",
         lambda root: (root / "pyproject.toml").write_text(
             '[tool.translate-pipeline]\nsource_language = "fr"\ntarget_languages = ["klingon"]\n') and {}),
    Case("settings", "target_is_source", ("status",), 2, "{root}/pyproject.toml:3: the source language",
         lambda root: (root / "pyproject.toml").write_text(
             '[tool.translate-pipeline]\nsource_language = "fr"\ntarget_languages = ["fr"]\n') and {}),
    Case("settings", "policy_bad_count", ("status",), 2, PYPROJECT_WHERE + "5: 'max_stale'",
         _pyproject("[tool.translate-pipeline.policy]\nmax_stale = -1\n")),
    Case("settings", "policy_bad_choice", ("status",), 2, PYPROJECT_WHERE + "5: policy 'machine'",
         _pyproject('[tool.translate-pipeline.policy]\nmachine = "hide"\n')),
    Case("settings", "policy_bad_percentage", ("status",), 2, PYPROJECT_WHERE + "5: policy 'page_threshold'",
         _pyproject("[tool.translate-pipeline.policy]\npage_threshold = 150\n")),
    Case("settings", "policy_not_a_table", ("status",), 2, PYPROJECT_WHERE + "4: 'policy' must be a table",
         _pyproject("policy = 3\n")),
    Case("settings", "pdf_empty_paper", ("status",), 2, PYPROJECT_WHERE + "5: pdf 'paper'",
         _pyproject('[tool.translate-pipeline.pdf]\npaper = " "\n')),
    Case("settings", "locale_dir_outside", ("sync",), 2, PYPROJECT_WHERE + "4: 'locale_dir' = '../outside-x'",
         _pyproject('locale_dir = "../outside-x"\n')),
    Case("settings", "pyproject_not_utf8", ("status",), 2, PYPROJECT_WHERE + "4: not UTF-8",
         lambda root: (root / "pyproject.toml").write_bytes(PYPROJECT_HEAD.encode() + b'glossary = "\xe9"\n') and {}),
]


# -- settings given with --set -----------------------------------------------------------------

CASES += [
    Case("--set", "negative_count", ("--set", "policy.max_stale=-1", "status"), 2,
         "--set 'policy.max_stale=-1': 'max_stale'"),
    Case("--set", "unknown_key", ("--set", "colour=blue", "status"), 2, "--set 'colour=blue': unknown setting"),
    Case("--set", "no_value", ("--set", "policy.max_stale", "status"), 2, "--set 'policy.max_stale': write it as"),
    Case("--set", "unknown_language", ("--set", 'target_languages=["zz-bad"]', "status"), 2,
         "--set 'target_languages=[\"zz-bad\"]': unknown language"),
    Case("--set", "locale_dir_outside", ("--set", 'locale_dir="../outside-x"', "sync"), 2,
         "--set 'locale_dir=\"../outside-x\"': 'locale_dir' = '../outside-x' is outside the project"),
    Case("--set", "threshold_range", ("--set", "stale_match_threshold=2", "status"), 2,
         "--set 'stale_match_threshold=2': 'stale_match_threshold' must be between 0 and 1"),
    Case("--set", "not_a_table", ("--set", "policy=3", "status"), 2, "--set 'policy=3': 'policy' must be a table"),
    Case("--set", "into_a_value", ("--set", "glossary.x=1", "status"), 2, "--set 'glossary.x=1': 'glossary' must be a string"),
]


# -- conf.py -------------------------------------------------------------------------------------


def _conf(extra: str) -> Callable[[Path], dict]:
    def damage(root: Path) -> dict:
        conf = root / "conf.py"
        text = conf.read_text(encoding="utf-8")
        conf.write_text(text + extra, encoding="utf-8")
        return {"line": text.count("\n") + 1}

    return damage


CASES += [
    Case("conf.py", "syntax_error", ("status",), 2, "{root}/conf.py:{line}: conf.py failed", _conf("x = (\n")),
    Case("conf.py", "raises", ("status",), 2, "{root}/conf.py:{line}: conf.py failed to run (ZeroDivisionError",
         _conf("x = 1 / 0\n")),
    Case("conf.py", "missing_module", ("status",), 2, "{root}/conf.py:{line}: conf.py imports 'not_installed_x'",
         _conf("import not_installed_x\n")),
    Case("conf.py", "locale_dirs_a_string", ("sync",), 2, "{root}/conf.py:{line}: locale_dirs must be a list",
         _conf('locale_dirs = "locale"\n')),
    Case("conf.py", "no_conf_py", ("status",), 2, "{root}: no conf.py here",
         lambda root: (root / "conf.py").unlink() or {}),
]


# -- glossary ----------------------------------------------------------------------------------------


def _glossary(data: bytes | None) -> Callable[[Path], dict]:
    def damage(root: Path) -> dict:
        (root / "pyproject.toml").write_text(PYPROJECT_HEAD + f'glossary = "{GLOSSARY}"\n', encoding="utf-8")
        if data is None:
            (root / GLOSSARY).mkdir()
        else:
            (root / GLOSSARY).write_bytes(data)
        return {}

    return damage


GLOSSARY_WHERE = "{root}/" + GLOSSARY
CASES += [
    Case("glossary", "a_folder", ("draft",), 2, GLOSSARY_WHERE + ": a folder, not a file", _glossary(None)),
    Case("glossary", "not_utf8", ("draft",), 2, GLOSSARY_WHERE + ":2: not UTF-8",
         _glossary(b"french,english,note\nr\xe9union,meeting,\n")),
    Case("glossary", "bad_header", ("draft",), 2, GLOSSARY_WHERE + ":1: the first row must be the header",
         _glossary(b"fr,en\nreunion,meeting\n")),
    Case("glossary", "too_many_columns", ("draft",), 2, GLOSSARY_WHERE + ":3: expected 3 columns",
         _glossary(b"french,english,note\nassociation,association,\nloi,law,note,extra\n")),
    Case("glossary", "duplicate_term", ("draft",), 2, GLOSSARY_WHERE + ":3: 'loi' is already in the glossary at line 2",
         _glossary(b"french,english,note\nloi,law,\nloi,act,\n")),
    Case("glossary", "empty_term", ("draft",), 2, GLOSSARY_WHERE + ":2: the english term is empty",
         _glossary(b"french,english,note\nloi,,\n")),
    Case("glossary", "unclosed_quote", ("draft",), 2, GLOSSARY_WHERE + ":",
         _glossary(b'french,english,note\n"loi,law,\n')),
]


# -- pages --------------------------------------------------------------------------------------------


def _page(relative: str, data: bytes) -> Callable[[Path], dict]:
    def damage(root: Path) -> dict:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return {}

    return damage


CASES += [
    Case("page", "not_utf8", ("sync",), 2, "source/fr/index.rst:4: this page is not UTF-8",
         _page("source/fr/index.rst", b"Accueil\n=======\n\nR\xe9union du collectif.\n")),
    Case("page", "not_utf8_in_publish", ("publish", "--no-pdf"), 2, "source/fr/rapports/reunion.rst:1: this page is not UTF-8",
         _page("source/fr/rapports/reunion.rst", b"R\xe9union\n=======\n")),
    Case("page", "written_in_both_languages", ("sync",), 2, "{root}/source/en/index.rst: the same file also exists",
         _page("source/en/index.rst", b"Home\n====\n")),
]


# -- arguments -----------------------------------------------------------------------------------------

CASES += [
    Case("argument", "status_of_a_path_outside", ("status", "../../etc/passwd"), 2, "no document '../../etc/passwd'"),
    Case("argument", "draft_of_no_document", ("draft", "nope"), 2, "no document 'nope'"),
    Case("argument", "unknown_engine", ("draft", "--engine", "babelfish"), 2, "babelfish"),
    Case("argument", "wait_not_a_number", ("sync", "--wait", "soon"), 2, "'soon' is not a valid float"),
    Case("argument", "unknown_option", ("publish", "--colour"), 2, "No such option '--colour'"),
    Case("argument", "unknown_command", ("translate",), 2, "No such command 'translate'"),
    Case("argument", "no_such_directory", ("-C", "{root}/nowhere", "status"), 2, "{root}/nowhere: no such directory"),
]


@pytest.fixture(scope="module")
def synced_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template") / "project"
    shutil.copytree(ROOTS / "basic", root)
    assert run(["-C", str(root), "sync", "--quiet"]) == 0
    return root


TALLY: collections.Counter = collections.Counter()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}-{c.name}" for c in CASES])
def test_malformed_input_is_answered_and_nothing_changes(case, synced_template, tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(synced_template, root, ignore=shutil.ignore_patterns("_build"))
    values = case.damage(root) or {}
    if case.msgfmt:
        refused = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(root / INDEX_PO)], capture_output=True)
        assert refused.returncode != 0, "msgfmt accepts this catalog: it is no malformed input"
    before = snapshot(root)
    capsys.readouterr()
    args = [part.format(root=root) for part in case.command]
    code = run(["-C", str(root), *args] if args[0] != "-C" else args)
    out, err = capsys.readouterr()
    where = case.where.format(root=root, **values)
    assert code == case.code, (out, err)
    assert where in err, err
    assert "Traceback" not in out + err
    assert snapshot(root) == before
    assert not (Path(root).parent / "outside-x").exists()
    TALLY[case.kind] += 1


def test_the_corpus_counts():
    counts = collections.Counter(case.kind for case in CASES)
    print(f"\nmalformed inputs: {len(CASES)} ({', '.join(f'{k} {n}' for k, n in sorted(counts.items()))}); "
          f"answered as expected this run (exit code, where, no traceback, no file changed): {sum(TALLY.values())}")
    assert len(CASES) >= 60
