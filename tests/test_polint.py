"""Catalog validation agrees with GNU gettext's ``msgfmt --check``, used here as the oracle.

Each catalog below is the same header and one piece of PO text: what msgfmt
refuses, loading refuses with the file and the line; what msgfmt accepts,
loading accepts.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from translate_pipeline.catalogs import catalog
from translate_pipeline.errors import CatalogError

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
)

# name -> the text after the header
CASES = {
 "ok": 'msgid "a"\nmsgstr "b"\n',
 "escape_q": 'msgid "a\\q"\nmsgstr "b"\n',
 "obsolete_unterminated": '#~ msgid "a"\n#~ msgstr "b\n',
 "msgid_without_msgstr": 'msgid "a"\n\nmsgid "c"\nmsgstr "d"\n',
 "msgid_without_msgstr_at_end": 'msgid "c"\nmsgstr "d"\n\nmsgid "a"\n',
 "plural_without_forms": 'msgid "a"\nmsgid_plural "as"\n',
 "plural_plain_msgstr": 'msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n',
 "u2028": 'msgid "a\u2028b"\nmsgstr "c\u2028d"\n',
 "formfeed": 'msgid "a\x0cb"\nmsgstr "c\x0cd"\n',
 "nel": 'msgid "a\x85b"\nmsgstr "c\x1cd"\n',
 "newline_end": 'msgid "a\\n"\nmsgstr "b"\n',
 "newline_end_fuzzy": '#, fuzzy\nmsgid "a\\n"\nmsgstr "b"\n',
 "newline_begin": 'msgid "a"\nmsgstr "\\nb"\n',
 "newline_untranslated": 'msgid "a\\n"\nmsgstr ""\n',
 "plural_ok": 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\n',
 "plural_index_order": 'msgid "a"\nmsgid_plural "as"\nmsgstr[1] "b"\nmsgstr[0] "c"\n',
 "plural_three": 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n',
 "plural_three_fuzzy": '#, fuzzy\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n',
 "plural_one": 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\n',
 "index_without_plural": 'msgid "a"\nmsgstr[0] "c"\n',
 "octal_hex": 'msgid "a\\101\\x41\\a\\?"\nmsgstr "b"\n',
 "mixed_obsolete": 'msgid "a"\n#~ msgstr "b"\n',
 "comment_only": '# hello\n',
 "stray_string": '"abc"\n',
 "garbage": 'hello\n',
 "two_msgstr": 'msgid "a"\nmsgstr "b"\nmsgstr "c"\n',
 "msgctxt_alone": 'msgctxt "a"\n',
 "previous_inside": 'msgid "a"\n#| msgid "x"\nmsgstr "b"\n',
 "obsolete_previous": '#~| msgid "x"\n#~ msgid "a"\n#~ msgstr "b"\n',
 "comment_inside": 'msgid "a"\n# c\nmsgstr "b"\n',
 "crlf": 'msgid "a"\r\nmsgstr "b"\r\n',
 "tab_in_string": 'msgid "a\tb"\nmsgstr "b"\n',
 "duplicate": 'msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n',
 "no_space": 'msgid"a"\nmsgstr "b"\n',
 "trailing_word": 'msgid "a" x\nmsgstr "b"\n',
 "obsolete_no_msgstr": '#~ msgid "a"\n',
 "obsolete_escape": '#~ msgid "a\\q"\n#~ msgstr "b"\n',
 "previous_escape": '#| msgid "a\\q"\nmsgid "a"\nmsgstr "b"\n',
 "previous_unterminated": '#| msgid "a\nmsgid "a"\nmsgstr "b"\n',
 "hash_no_space": '#foo\nmsgid "a"\nmsgstr "b"\n',
 "obsolete_garbage": '#~ hello\n',
 "unknown_flag": '#, fuzzy, foo\nmsgid "a"\nmsgstr "b"\n',
 "backslash_at_end": 'msgid "a\\"\nmsgstr "b"\n',
 "keyword_no_string": 'msgid\nmsgstr "b"\n',
 "msgstr_no_string": 'msgid "a"\nmsgstr\n',
 "continuation": 'msgid ""\n"a "\n"b"\nmsgstr ""\n"c"\n',
 "context_ok": 'msgctxt "x"\nmsgid "a"\nmsgstr "b"\n',
 "context_twice": 'msgctxt "x"\nmsgctxt "y"\nmsgid "a"\nmsgstr "b"\n',
 "msgid_plural_first": 'msgid_plural "as"\nmsgstr[0] "b"\n',
 "msgstr_first": 'msgstr "b"\n',
 "unclosed_quote_msgid": 'msgid "a\nmsgstr "b"\n',
 "quote_inside": 'msgid "a"b"\nmsgstr "b"\n',
 "obsolete_plural_three": '#~ msgid "a"\n#~ msgid_plural "as"\n#~ msgstr[0] "b"\n#~ msgstr[1] "c"\n#~ msgstr[2] "d"\n',
 "bad_keyword": 'msgidx "a"\nmsgstr "b"\n',
 "index_gap": 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[2] "c"\n',
}


def msgfmt(path) -> tuple[int, list[int]]:
    """msgfmt's exit code and the lines its errors name."""
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    errors = [line for line in done.stderr.splitlines() if "warning:" not in line]
    return done.returncode, [int(n) for line in errors for n in re.findall(r"\.po:(\d+)", line)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_load_agrees_with_msgfmt(tmp_path, name):
    path = tmp_path / f"{name}.po"
    path.write_bytes((HEADER + CASES[name]).encode("utf-8"))
    code, lines = msgfmt(path)
    if code == 0:
        loaded = catalog.load(path)
        assert loaded.po.percent_translated() is not None
        return
    with pytest.raises(CatalogError) as caught:
        catalog.load(path)
    error = caught.value
    assert error.path == path and error.line is not None
    assert str(error).startswith(f"{path}:{error.line}: ")
    # msgfmt names the line after an unclosed string, or the header for a plural count
    assert min(lines) - 1 <= error.line <= max(lines) + 1, (str(error), lines)


def test_the_corpus_covers_both_answers(tmp_path):
    refused = 0
    for name, text in CASES.items():
        path = tmp_path / f"{name}.po"
        path.write_bytes((HEADER + text).encode("utf-8"))
        refused += msgfmt(path)[0] != 0
    assert refused >= 30 and len(CASES) - refused >= 15


def test_text_gettext_accepts_is_read_and_written_back_as_it_was(tmp_path):
    path = tmp_path / "separators.po"
    text = (HEADER + 'msgid "a\u2028b\x0cc"\nmsgstr "x\u2028y"\n\n'
            'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\nmsgstr[1] "des"\n\n'
            '#note\nmsgid"glued"\nmsgstr "collé"\n')
    path.write_text(text, encoding="utf-8")
    loaded = catalog.load(path)
    by_id = {entry.msgid: entry for entry in loaded.entries}
    assert by_id["a\u2028b\x0cc"].msgstr == "x\u2028y"
    assert by_id["one"].msgid_plural == "many" and by_id["one"].msgstr_plural == {0: "un", 1: "des"}
    assert by_id["glued"].msgstr == "collé" and by_id["glued"].tcomment == "note"
    written = tmp_path / "written.po"
    written.write_text(loaded.text(), encoding="utf-8")
    assert msgfmt(written)[0] == 0
    again = {entry.msgid: entry for entry in catalog.load(written).entries}
    assert again["a\u2028b\x0cc"].msgstr == "x\u2028y"
    assert again["one"].msgstr_plural == {0: "un", 1: "des"}


def test_a_plural_entry_whose_french_is_gone_stays_a_plural_entry(project, tp):
    from conftest import po_path

    assert tp("-C", project, "sync", "-q").code == 0
    path = po_path(project, "index")
    with path.open("a", encoding="utf-8") as handle:
        handle.write('\n#, fuzzy\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\nmsgstr[1] "des"\n')
    with (project / "source" / "fr" / "index.rst").open("a", encoding="utf-8") as handle:
        handle.write("\nUn paragraphe de plus.\n")
    result = tp("-C", project, "sync")
    assert result.code == 0, result.err
    assert '#~ msgid "one"\n#~ msgid_plural "many"\n#~ msgstr[0] "un"\n#~ msgstr[1] "des"\n' in path.read_text()
    assert msgfmt(path)[0] == 0


def test_octal_and_hex_escapes_keep_their_meaning(tmp_path):
    """What msgfmt compiles from the file, and from the file as the tool writes it back, is the same."""
    path = tmp_path / "escapes.po"
    path.write_text(HEADER + 'msgid "A\\101\\x42 \\\\101"\nmsgstr "quote \\042 backslash \\134 \\x43"\n',
                    encoding="utf-8")
    loaded = catalog.load(path)
    entry = loaded.entries[0]
    assert (entry.msgid, entry.msgstr) == ("AAB \\101", 'quote " backslash \\ C')
    written = tmp_path / "written.po"
    written.write_text(loaded.text(), encoding="utf-8")
    for source in (path, written):
        subprocess.run(["msgfmt", "--check", "-o", str(source.with_suffix(".mo")), str(source)], check=True)
    assert path.with_suffix(".mo").read_bytes() == written.with_suffix(".mo").read_bytes()
