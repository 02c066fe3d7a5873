"""What a translation refers to, as docutils reads it: a translation adds nothing.

A translated message is published only when it refers to exactly what its
source refers to: the same URLs, internal targets (``:doc:``, ``:ref:``,
```name`_``), footnote and citation references, substitutions (inline
images), inline targets and roles, and when it is, like its source, one
paragraph (no directive, section title, list or literal block of its own).
Otherwise a reader could be sent somewhere the original never sends them
(``javascript:``, ``data:``, another site), or a page could fail to build.

Both texts are parsed by docutils' reST parser, the one Sphinx uses for a
translated message, with every role accepted as it is written (so that
Sphinx's roles are read as roles without Sphinx), nothing read from files
and no raw output; references are compared as they come out of the parser
(a standalone ``javascript:alert(1)`` is a link for docutils, so it is one
here too). The order of references may change; their number may not.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.parsers.rst.languages import get_language
from docutils.parsers.rst.states import Inliner, RSTStateMachine, Struct, state_classes
from docutils.statemachine import string2lines
from docutils.utils import new_document

from ..compat.docutils import roles_and_directives_kept
from .pieces import LITERAL_ROLES, TEXT_ROLES

NEVER_SCHEMES = frozenset({"javascript", "data", "vbscript"})
"""URL schemes no translation may publish, whatever its source holds."""

READER_TEXT_ROLES = (TEXT_ROLES | LITERAL_ROLES) - {"raw", "pep", "rfc"}
"""Roles that make no link: their content may be translated (compared by role only)."""

_BLOCKS = {
    "section": "a section title",
    "bullet_list": "a bulleted list",
    "enumerated_list": "a numbered list",
    "definition_list": "a definition list",
    "field_list": "a field list",
    "option_list": "an option list",
    "literal_block": "a literal block (::)",
    "doctest_block": "a doctest block (>>>)",
    "line_block": "a line block (|)",
    "block_quote": "an indented block",
    "table": "a table",
    "transition": "a transition line",
    "comment": "a comment (..)",
    "target": "a link target (.. _name:)",
    "substitution_definition": "a substitution definition (.. |name|)",
    "footnote": "a footnote (.. [#])",
    "citation": "a citation (.. [name])",
    "raw": "raw output (.. raw::)",
    "image": "an image",
    "figure": "a figure",
}


class _role(nodes.Inline, nodes.TextElement):  # noqa: N801 - docutils names node classes in lower case
    """Interpreted text as written: ``role`` and its text."""


def _any_role(rawsource, text, role, lineno):  # noqa: ANN001, ANN202 - docutils' signature
    """Interpreted text kept as written, whatever its role (Sphinx's are unknown to docutils)."""
    return [_role(rawsource, text, role=(role or "").lower())], []


def _inliner() -> Inliner:
    inliner = Inliner()  # docutils reads its patterns from the class: not subclassed
    inliner.interpreted = _any_role
    implicit_inline = inliner.implicit_inline

    def standalone_uris(text, lineno):  # noqa: ANN001, ANN202 - docutils' signature
        # A standalone URI has a scheme (":") or is an e-mail address ("@"),
        # holds no whitespace and may start and end at whitespace: docutils'
        # search, slow over a long text, is run on those words only.
        found: list[nodes.Node] = []
        position = 0
        for word in _WORD.finditer(text):
            if ":" in word.group() or "@" in word.group():
                found += [nodes.Text(text[position:word.start()]), *implicit_inline(word.group(), lineno)]
                position = word.end()
        return [node for node in [*found, nodes.Text(text[position:])] if node.astext() or not isinstance(node, nodes.Text)]

    inliner.implicit_inline = standalone_uris
    return inliner


_WORD = re.compile(r"\S+")


class Reader:
    """docutils' reST parser, set up once for many messages: building its
    state machine and its inline patterns costs more than reading one.
    One reader per thread (a caller reading a catalog makes one)."""

    def __init__(self) -> None:
        settings = get_default_settings(Parser)
        settings.report_level = settings.halt_level = 5
        settings.warning_stream = False
        settings.file_insertion_enabled = False  # `.. include::` and friends read nothing
        settings.raw_enabled = False
        settings.tab_width = 8
        self.settings = settings
        self.inliner = _inliner()
        self.inliner.init_customizations(settings)
        self.inliner.init_customizations = lambda _settings: None  # the settings never change
        self.machine: RSTStateMachine | None = None

    def parse(self, text: str) -> nodes.document:
        if one_line_of_prose(text):
            return self.parse_line(text)
        return self.parse_text(text)

    def parse_line(self, text: str) -> nodes.document:
        """One line of words is one paragraph: its inline markup is read as
        docutils' paragraph state reads it, without the state machine."""
        lines = string2lines(text, tab_width=8, convert_whitespace=True)
        if len(lines) != 1:  # a line separator docutils splits at (U+2028...)
            return self.parse_text(text)
        text = lines[0]
        document = new_document("<message>", self.settings)
        memo = Struct(document=document, reporter=document.reporter,
                      language=get_language(self.settings.language_code, document.reporter))
        paragraph = nodes.paragraph(text, "")
        document += paragraph
        found, messages = self.inliner.parse(text, 1, memo, paragraph)
        paragraph.extend(found)
        document.extend(messages)
        return document

    def parse_text(self, text: str) -> nodes.document:
        """Any text, through docutils' state machine."""
        document = new_document("<message>", self.settings)
        machine = self.machine or RSTStateMachine(state_classes=state_classes, initial_state="Body")
        self.machine = None  # a parse that stops half-way leaves it unusable
        # A directive in the text (`.. role::`, `.. default-role::`) registers
        # a role or directive for the whole process; they are put back as
        # they were, as docutils' Parser.parse does for the default role.
        with roles_and_directives_kept():
            machine.run(string2lines(text, tab_width=8, convert_whitespace=True), document, inliner=self.inliner)
        self.machine = machine
        return document


@dataclass
class Inventory:
    """What one message refers to, and what else it holds beside a paragraph."""

    references: Counter[str] = field(default_factory=Counter)  # how each reads for a person
    blocks: Counter[str] = field(default_factory=Counter)  # block markup besides one paragraph
    broken: Counter[str] = field(default_factory=Counter)  # markup docutils could not read
    schemes: set[str] = field(default_factory=set)  # of the URLs


def inventory(text: str, reader: Reader | None = None) -> Inventory:
    """Parse ``text`` as docutils does and list what it refers to."""
    try:
        document = (reader or Reader()).parse(text)
    except Exception as error:  # noqa: BLE001 - a directive that cannot run here: said as such
        found = Inventory()
        found.broken[f"markup that cannot be read ({type(error).__name__})"] += 1
        return found
    return inventory_of(document, text)


def inventory_of(document: nodes.document, text: str) -> Inventory:
    """What the parsed ``text`` refers to."""
    found = Inventory()
    # A directive says what it is, whatever it made: some make nothing and
    # change how the rest of the page reads (`.. role::`, `.. default-role::`).
    directives = Counter(match.group(1).lower() for match in _DIRECTIVE.finditer(text))
    for name, count in directives.items():
        found.blocks[f"a directive (.. {name}::)"] += count
    paragraphs = 0
    for child in document.children:
        if isinstance(child, nodes.paragraph):
            paragraphs += 1
        elif not directives and not isinstance(child, nodes.system_message):
            found.blocks[_BLOCKS.get(child.tagname, f"block markup ({child.tagname})")] += 1
    if paragraphs > 1:
        found.blocks["another paragraph"] += paragraphs - 1
    for node in document.findall(nodes.Element):
        if isinstance(node, nodes.system_message):
            if node["level"] >= 2 and not directives:
                found.broken[_first_line(node)] += 1
        elif not _inside_message(node):
            key = _reference(node, found)
            if key:
                found.references[key] += 1
    return found


_DIRECTIVE = re.compile(r"^[ \t]*\.\.[ \t]+([\w:.+-]+?)[ \t]*::", re.MULTILINE)


def _inside_message(node: nodes.Element) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.system_message):
            return True
        parent = parent.parent
    return False


def _first_line(message: nodes.system_message) -> str:
    text = message.children[0].astext() if message.children else message.astext()
    return text.splitlines()[0] if text else "markup docutils could not read"


_EXPLICIT_TITLE = re.compile(r"^(.+?)\s*(?<!\x00)<([^<]*?)>$", re.DOTALL)  # as Sphinx's roles read it


def describe(node: nodes.Element) -> str | None:
    """How the docutils reference ``node`` reads for a person (a URL, a named
    reference, a footnote or citation reference, a substitution, an inline
    target); None when it is none of those. Also what Sphinx's reading of a
    translated passage is compared by (:mod:`translate_pipeline.sphinx.guard`)."""
    if isinstance(node, nodes.reference):
        if node.get("refuri"):
            return f"URL {''.join(node['refuri'].split())}"
        if node.get("refname"):
            return f"reference `{node['refname']}`_"
        if node.get("refid"):  # resolved by Sphinx's transforms
            return f"reference to #{node['refid']}"
        return "anonymous link `...`__"
    if isinstance(node, nodes.footnote_reference):
        label = node.get("refname", "")
        auto = node.get("auto")
        label = "*" if auto == "*" else (f"#{label}" if auto else label)
        return f"footnote reference [{label}]_"
    if isinstance(node, nodes.citation_reference):
        return f"citation reference [{node.get('refname', '')}]_"
    if isinstance(node, nodes.substitution_reference):
        return f"substitution |{node.get('refname', '')}|"
    if isinstance(node, nodes.target):
        if node.get("refuri") or node.get("refname"):
            return None  # made by a reference with an embedded URI or alias: the reference is counted
        return f"inline target _`{' '.join(node.get('names', []))}`"
    return None


def _reference(node: nodes.Element, found: Inventory) -> str | None:
    """How the reference ``node`` reads for a person; None when it is not one."""
    if isinstance(node, nodes.reference) and node.get("refuri"):
        uri = "".join(node["refuri"].split())
        scheme = uri.split(":", 1)[0].lower() if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", uri) else ""
        if scheme:
            found.schemes.add(scheme)
    if isinstance(node, nodes.target) and not isinstance(node.parent, nodes.TextElement):
        return None  # a block target (.. _name:): counted as a block
    if isinstance(node, _role):
        role = node["role"]
        if role in READER_TEXT_ROLES:
            return f"role :{role}:"
        text = node.astext()
        title = _EXPLICIT_TITLE.match(text)
        target = title.group(2) if title else text
        return f":{role}:`{target}`" if role else f"`{target}`"
    return describe(node)  # a nodes.problematic is none: its system message says what is wrong


@dataclass(frozen=True)
class Difference:
    """Why a translation is not published as it is: one line per problem."""

    problems: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __str__(self) -> str:
        return "; ".join(self.problems)


_MARKUP_CHARS = re.compile(r"[\n`_\[\]|@<>*\\]|(?<!\s):|:(?!\s|$)")
_BLOCK_START = re.compile(r"\s|[-+*•‣⁃](?:\s|$)|\(?[0-9A-Za-z#]{1,9}[.)](?:\s|$)|\.\.|(-{1,2}|/)\w|(\W)\2{3,}\s*$")


def _plain(text: str) -> bool:
    """Text docutils reads as one paragraph of words, without reading it: none of
    the characters inline markup or a URI needs (a French " : " is not one), and
    no start of a list, a comment, an option or a transition line."""
    return not _MARKUP_CHARS.search(text) and not _BLOCK_START.match(text)


_ONE_LINE_OF_PROSE = re.compile(r"[^\W\d_][^\n]*\Z")  # starts with a letter


def one_line_of_prose(text: str) -> bool:
    """Text docutils reads as one paragraph whatever its inline markup: no
    literal block either (docutils strips the line's end before looking for ``::``)."""
    return bool(_ONE_LINE_OF_PROSE.match(text)) and not _BLOCK_START.match(text) and not text.rstrip().endswith("::")
_NEVER_URL = re.compile(r"(?<![\w.+-])(javascript|vbscript|data):(?=\S)", re.IGNORECASE)


def compare(source: str, translation: str, rest: bool = True, reader: Reader | None = None) -> Difference:
    """What ``translation`` refers to or holds that ``source`` does not, and the reverse.

    ``rest``: the messages are reST. Otherwise (a Markdown page) only URLs of
    a scheme never published are looked for here, as text; Sphinx's reading
    of the page compares the rest (:mod:`translate_pipeline.sphinx.guard`).
    """
    if source == translation or (_plain(source) and _plain(translation)):
        return Difference(())
    if not rest:
        schemes = sorted({match.group(1).lower() for match in _NEVER_URL.finditer(translation)})
        return Difference(tuple(f"URL scheme {scheme}: is never published from a translation" for scheme in schemes))
    reader = reader or Reader()
    before, after = inventory(source, reader), inventory(translation, reader)
    problems = [
        f"URL scheme {scheme}: is never published from a translation"
        for scheme in sorted(after.schemes & NEVER_SCHEMES)
    ]
    added = after.references - before.references
    missing = before.references - after.references
    problems += [f"{key} added" for key in added.elements()]
    problems += [f"{key} missing" for key in missing.elements()]
    problems += [f"{block} (not in the source)" for block in (after.blocks - before.blocks).elements()]
    problems += [f"markup docutils reports: {what}" for what in (after.broken - before.broken)]
    return Difference(tuple(dict.fromkeys(problems)))
