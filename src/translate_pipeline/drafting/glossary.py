"""The term base (``glossary/fr-en.csv``): reading it, checking drafts, DeepL copy.

The file has a header row ``french,english,note`` and one term a row. The
same terms serve both directions: French to English, and reversed for pages
written in English.

The english column may give several forms separated by ``|``: the first is
the translation DeepL is told to use, and a draft holding any of them has
the term. That is how a note's exception is written so that the check
honours it: a term kept as is lists itself (``collectif,collective |
Collectif,for the Collectif itself, keep "the Collectif"``), a term
translated in several ways lists each (``compte rendu,minutes | meeting
report | report,...``). The note is for people: nothing reads it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..checks import markup
from ..errors import PipelineError

HEADER = ("french", "english", "note")
FORMS_SEPARATOR = "|"  # in the english column: forms a draft may use, the first one preferred
NAME_PREFIX = "translate-pipeline"


class GlossaryError(PipelineError):
    """The glossary file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Term:
    source: str
    target: str  # the preferred translation (DeepL's)
    note: str = ""
    line: int = 0
    alternatives: tuple[str, ...] = ()  # other forms a draft may use instead

    @property
    def forms(self) -> tuple[str, ...]:
        """Every form a draft may hold the term in, the preferred one first."""
        return (self.target, *self.alternatives)


@dataclass(frozen=True)
class Glossary:
    """Terms from ``source_language`` to ``target_language``, in file order."""

    terms: tuple[Term, ...]
    source_language: str = "fr"
    target_language: str = "en"

    def reversed(self) -> Glossary:
        """The same terms the other way (en->fr); the first of equal terms wins."""
        seen: set[str] = set()
        terms = []
        for term in self.terms:
            if term.target.casefold() not in seen:
                seen.add(term.target.casefold())
                terms.append(Term(term.target, term.source, term.note, term.line))
        return Glossary(tuple(terms), self.target_language, self.source_language)

    def entries(self) -> dict[str, str]:
        return {term.source: term.target for term in self.terms}

    def digest(self) -> str:
        """A hash of the content (both directions): the DeepL copy is named by it."""
        text = "\n".join(f"{t.source}\t{t.target}" for t in self.terms)
        return hashlib.sha256(f"{self.source_language}-{self.target_language}\n{text}".encode()).hexdigest()


def read_glossary(path: Path | str) -> Glossary:
    """The glossary in ``path``; GlossaryError ``path:line: what is wrong``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GlossaryError(f"{path}: no such file (set 'glossary' in [tool.translate-pipeline])") from None
    except IsADirectoryError:
        raise GlossaryError(f"{path}: a folder, not a file; set 'glossary' in [tool.translate-pipeline] "
                            "to the CSV file (french,english,note)") from None
    except OSError as error:
        raise GlossaryError(f"{path}: cannot be read ({error.strerror}); check its permissions") from None
    except UnicodeDecodeError as error:
        raw = path.read_bytes()
        line = raw[: error.start].count(b"\n") + 1
        raise GlossaryError(f"{path}:{line}: not UTF-8 text ({error.reason} at byte {error.start}); "
                            "save the file as UTF-8 and run again") from None
    return parse_glossary(text, str(path))


def parse_glossary(text: str, where: str = "<glossary>") -> Glossary:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    terms: list[Term] = []
    first_line: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in row]
                if tuple(header) != HEADER:
                    raise GlossaryError(
                        f"{where}:{line}: the first row must be the header {','.join(HEADER)}"
                    )
                continue
            term = _term(row, line, where)
            key = term.source.casefold()
            if key in first_line:
                raise GlossaryError(
                    f"{where}:{line}: {term.source!r} is already in the glossary at line {first_line[key]}"
                )
            first_line[key] = line
            terms.append(term)
    except csv.Error as error:
        raise GlossaryError(f"{where}:{reader.line_num}: {error}") from None
    return Glossary(tuple(terms))


def _term(row: list[str], line: int, where: str) -> Term:
    if len(row) not in (2, 3):
        raise GlossaryError(
            f"{where}:{line}: expected 3 columns (french, english, note), found {len(row)}"
        )
    french = row[0].strip()
    forms = [form.strip() for form in row[1].split(FORMS_SEPARATOR)]
    note = row[2].strip() if len(row) == 3 else ""
    if FORMS_SEPARATOR in french:
        raise GlossaryError(
            f"{where}:{line}: the french term holds '{FORMS_SEPARATOR}'; other forms go in the english column"
        )
    if len(forms) > 1 and not all(forms):
        raise GlossaryError(
            f"{where}:{line}: an empty form between '{FORMS_SEPARATOR}' in the english column; "
            f"write the forms as \"first | second\""
        )
    for column, value in (("french", french), *(("english", form) for form in forms)):
        if not value:
            raise GlossaryError(f"{where}:{line}: the {column} term is empty")
        if any(ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029" for c in value):
            raise GlossaryError(f"{where}:{line}: the {column} term contains a control character or a line break")
    return Term(french, forms[0], note, line, tuple(forms[1:]))


# --- checking drafts -----------------------------------------------------------


def missing_terms(source: str, draft: str, glossary: Glossary,
                  syntax: markup.Syntax = markup.RST) -> list[tuple[str, str]]:
    """``(source term, target term)`` pairs used in ``source`` but in none of their forms in ``draft``.

    Case-insensitive, whole words, a simple plural accepted (-s, -x, -es, -aux
    for -al, -ies for -y); text inside literals, URLs and role targets (in the
    markup ``syntax`` of the page) is ignored. Any of a term's forms
    (:attr:`Term.forms`) will do.
    """
    source_text, draft_text = markup.plain_text(source, syntax), markup.plain_text(draft, syntax)
    return [
        (term.source, term.target)
        for term in glossary.terms
        if _term_pattern(term.source).search(source_text)
        and not any(_term_pattern(form).search(draft_text) for form in term.forms)
    ]


def _term_pattern(term: str) -> re.Pattern[str]:
    words = [_word_pattern(word) for word in term.split()]
    return re.compile(r"(?<!\w)" + r"[\s\u00a0\u202f]+".join(words) + r"(?!\w)", re.IGNORECASE)


def _word_pattern(word: str) -> str:
    forms = [re.escape(word) + "(?:s|x|es)?"]
    lower = word.lower()
    if lower.endswith("al"):
        forms.append(re.escape(word[:-2]) + "aux")
    if lower.endswith("y"):
        forms.append(re.escape(word[:-1]) + "ies")
    return "(?:" + "|".join(forms) + ")"


# --- the DeepL copy ------------------------------------------------------------


class GlossaryService(Protocol):
    """What the DeepL engine offers for glossaries (see engines/deepl.py)."""

    def list_glossaries(self) -> Iterable: ...
    def create_glossary(self, name: str, dictionaries: dict) -> str: ...
    def delete_glossary(self, glossary_id: str) -> None: ...


@dataclass(frozen=True)
class GlossarySync:
    glossary_id: str | None  # None: the glossary is empty, nothing on DeepL
    name: str
    created: bool
    deleted: tuple[str, ...]


def deepl_name(glossary: Glossary, project: str) -> str:
    return f"{NAME_PREFIX} {project} {glossary.digest()[:16]}"


def sync_deepl_glossary(service: GlossaryService, glossary: Glossary, project: str) -> GlossarySync:
    """Make DeepL hold this glossary (both directions) once; return its id.

    A glossary of the same content (same name) is reused. Those this project
    created earlier (named ``translate-pipeline PROJECT ...``) with another
    content are deleted; nothing else on the account is touched.
    """
    name = deepl_name(glossary, project)
    mine = [g for g in service.list_glossaries() if g.name.startswith(f"{NAME_PREFIX} {project} ")]
    current = next((g.glossary_id for g in mine if g.name == name), None)
    created = False
    if current is None and glossary.terms:
        reverse = glossary.reversed()
        current = service.create_glossary(name, {
            (glossary.source_language, glossary.target_language): glossary.entries(),
            (reverse.source_language, reverse.target_language): reverse.entries(),
        })
        created = True
    stale = tuple(g.glossary_id for g in mine if g.glossary_id != current)
    for glossary_id in stale:
        service.delete_glossary(glossary_id)
    return GlossarySync(current, name, created, stale)
