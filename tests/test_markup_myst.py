"""MyST Markdown markup: protected, restored and checked as reST's is.

Golden files in ``tests/golden/myst/``, one case per ``NAME.md`` (a message
as Sphinx extracts it from a Markdown page): ``NAME.protected.xml`` is what
DeepL is sent, ``NAME.translated.xml`` an answer in the same tags,
``NAME.restored.md`` the Markdown stored as the draft, and
``NAME.problems.txt`` (when there is one) what the draft check says of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from translate_pipeline.checks import markup
from translate_pipeline.checks.markup import RST, myst_syntax

GOLDEN = Path(__file__).parent / "golden" / "myst"
CASES = sorted(p.name[: -len(".md")] for p in GOLDEN.glob("*.md") if not p.name.endswith(".restored.md"))
EXTENSIONS = ["dollarmath", "substitution", "strikethrough"]
MYST = myst_syntax(EXTENSIONS)


def read(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8").removesuffix("\n")


def html(text: str) -> str:
    """How MyST renders a paragraph (footnote and reference definitions given)."""
    md = create_md_parser(MdParserConfig(enable_extensions=set(EXTENSIONS)), RendererHTML)
    definitions = "\n\n[plan-annuel]: https://p.example.org/\n[budget]: https://b.example.org/\n" \
                  "[statuts]: https://s.example.org/\n\n[^budget]: B\n[^2]: P\n"
    return md.render(text + definitions)


def test_every_case_has_its_files():
    assert len(CASES) >= 9
    for name in CASES:
        for suffix in (".protected.xml", ".translated.xml", ".restored.md"):
            assert (GOLDEN / f"{name}{suffix}").is_file(), f"{name}{suffix}"


@pytest.mark.parametrize("name", CASES)
def test_protected_form(name):
    assert markup.protect(read(f"{name}.md"), MYST).xml == read(f"{name}.protected.xml")


@pytest.mark.parametrize("name", CASES)
def test_sent_back_unchanged_restores_the_source(name):
    source = read(f"{name}.md")
    protected = markup.protect(source, MYST)
    assert markup.restore(protected.xml, protected) == source
    assert markup.check(source, source, MYST) == []


@pytest.mark.parametrize("name", CASES)
def test_translation_restored_and_checked(name):
    source = read(f"{name}.md")
    protected = markup.protect(source, MYST)
    restored = markup.restore(read(f"{name}.translated.xml"), protected)
    assert restored == read(f"{name}.restored.md")
    problems_file = GOLDEN / f"{name}.problems.txt"
    expected = read(problems_file.name).splitlines() if problems_file.exists() else []
    assert markup.check(source, restored, MYST) == expected


@pytest.mark.parametrize("name", [n for n in CASES if not (GOLDEN / f"{n}.problems.txt").exists()])
def test_restored_translation_renders_the_same_markup(name):
    """What MyST makes of the draft has the source's links, code, roles and math."""
    from bs4 import BeautifulSoup

    def shape(text: str) -> list[tuple[str, str]]:
        soup = BeautifulSoup(html(text), "html.parser")
        kept = ("href", "src", "class")
        return sorted((tag.name, " ".join(f"{k}={tag.get(k)}" for k in kept if tag.get(k) and k != "class"))
                      for tag in soup.find_all(True) if tag.name not in ("p", "section", "ol", "li", "hr"))

    assert shape(read(f"{name}.restored.md")) == shape(read(f"{name}.md"))


@pytest.mark.parametrize(("draft", "problem"), [
    ("See the [minutes](https://www.example.org/other) and {ref}`assemblee`.", "URL https://www.example.org/cr changed to https://www.example.org/other"),
    ("See the minutes and {ref}`other`.", "reference {ref}`assemblee` changed to {ref}`other`"),
    ("See the [minutes](https://www.example.org/cr) and {ref}`assemblee` *now.", "unbalanced *emphasis*"),
    ("See the [minutes](https://www.example.org/cr) and `{ref}`assemblee`.", "unbalanced `code`"),
    ("See the [minutes](https://www.example.org/cr), {ref}`assemblee` and `code`.", "literal `code` added"),
])
def test_a_draft_that_loses_or_changes_markup_fails_the_check(draft, problem):
    source = "Voir le [compte rendu](https://www.example.org/cr) et {ref}`assemblee`."
    assert problem in markup.check(source, draft, MYST)


def test_markup_of_one_syntax_is_plain_text_in_the_other():
    text = "Le [site](https://www.example.org/) et *vite*."
    assert [p.kind for p in markup.protect(text, MYST).pieces] == ["url", "emphasis"]
    assert [p.kind for p in markup.protect(text, RST).pieces] == ["url", "emphasis"]
    assert markup.protect(text, RST).pieces[0].raw == "https://www.example.org/"  # a bare URL in reST
    assert markup.protect("{{ x }} et $y$", myst_syntax([])).pieces == ()  # extensions not enabled


def test_words_for_the_glossary_leave_markup_out():
    text = "Le [collectif](https://www.example.org/) publie `rapport` et {ref}`la section <s>`."
    assert " ".join(markup.plain_text(text, MYST).split()) == "Le collectif publie et la section."


MARKDOWNISH = st.lists(
    st.sampled_from([*"ab é*_`[]()<>{}$^!~\\&;#:/.-=|\n", "https://x.org", "{ref}", "{{ s }}", "[^1]",
                     "&amp;", "<b>", "](u)", "{sup}"]),
    max_size=40,
).map("".join)


@given(MARKDOWNISH)
def test_any_text_is_cut_without_losing_a_character_and_restored_as_it_was(text):
    from translate_pipeline.checks.mystmarkup import tokens

    cut = tokens(text, MYST)
    assert "".join(t if isinstance(t, str) else t.raw for t in cut) == text
    protected = markup.protect(text, MYST)
    assert markup.restore(protected.xml, protected) == text
    assert markup.check(text, text, MYST) == []


@given(MARKDOWNISH, MARKDOWNISH)
def test_any_draft_is_checked_without_error(source, draft):
    problems = markup.check(source, draft, MYST)
    assert all(isinstance(problem, str) and problem for problem in problems)


def test_glossary_terms_are_looked_for_in_the_words_of_a_markdown_draft():
    from translate_pipeline.drafting.glossary import Glossary, Term, missing_terms

    glossary = Glossary((Term("collectif", "collective"),), "fr", "en")
    source = "Le [collectif](https://www.example.org/collectif) publie."
    assert missing_terms(source, "The [group](https://www.example.org/collectif) publishes.", glossary, MYST) == [
        ("collectif", "collective")]
    assert missing_terms(source, "The [collective](https://www.example.org/collectif) publishes.", glossary,
                         MYST) == []
    # The URL is no word of the page: a term found only there is not asked for.
    assert missing_terms("Voir `collectif` et <https://collectif.org>.", "See `collectif` and <https://collectif.org>.",
                         glossary, MYST) == []
