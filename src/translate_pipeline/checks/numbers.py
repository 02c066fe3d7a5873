"""The numbers a text states, so that a draft can be checked against its source.

:func:`numbers_in` reads digits (``2014``, ``1 500``, ``3,5`` in French,
``1,500`` and ``3.5`` in English, ``1er``/``1st``), number words in French
and English (``quatre``, ``vingt-trois``, ``soixante-dix``, ``forty-two``,
``a hundred``) and the months of dates (``30 juillet 2016``, ``July 30``)
into comparable values; :func:`number_differences` says what a translation
states that its source does not, and the reverse. Words that are as often
no number at all ("un", "one", "a", "premier", "second") are not read;
nor are the targets of links, roles and literals (:func:`markup.plain_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..drafting.engines.base import base_language
from .markup import RST, Syntax, plain_text

UNITS = {
    "fr": {
        "zéro": 0, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
        "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
        "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
        "soixante": 60, "septante": 70, "huitante": 80, "nonante": 90,
    },
    "en": {
        "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
        "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
        "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    },
}
# Words that only count inside a compound ("vingt et un", "quatre-vingt-un", "thirty-one").
JOINED = {"fr": {"un": 1, "une": 1}, "en": {"one": 1}}
SCALES = {"fr": {"cent": 100, "cents": 100, "mille": 1000, "million": 10**6, "millions": 10**6},
          "en": {"hundred": 100, "thousand": 1000, "million": 10**6, "millions": 10**6}}
MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "en": ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"],
}
SPACES = " \u00a0\u202f"
_DIGITS = {
    # thousands grouped by spaces (French) or commas (English); a decimal comma or point
    "fr": re.compile(rf"(?<![\w,.])(\d{{1,3}}(?:[{SPACES}]\d{{3}})+|\d+)(?:,(\d+))?(?!\d)"),
    "en": re.compile(r"(?<![\w,.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?!\d)"),
}
_TIMES = {  # times of day: "17 h 30", "17h"; "5.30 pm", "5 p.m.", "17:30"
    "fr": re.compile(
        rf"(?<![\w,.])(?P<h>[01]?\d|2[0-3])[{SPACES}]?h(?:[{SPACES}]?(?P<m>[0-5]\d))?(?!\w)"
        rf"|(?<![\w,.])(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?!\d)"
    ),
    "en": re.compile(
        rf"(?<![\w,.])(?P<h>[01]?\d|2[0-3])(?:[.:](?P<m>[0-5]\d))?[{SPACES}]?(?P<half>[ap]\.?m\.?)(?!\w)"
        rf"|(?<![\w,.])(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?!\d)",
        re.IGNORECASE,
    ),
}
_WORD = re.compile(r"\w+(?:-\w+)*")


@dataclass(frozen=True)
class Number:
    """One number a text states: its value, and how the text wrote it."""

    value: float | int | str  # compared between texts; a month is "month 7", a time "time 17:30"
    text: str


def numbers_in(text: str, language: str, syntax: Syntax = RST) -> list[Number]:
    """The numbers ``text`` (a message in the markup ``syntax``) states, in order.

    ``language``: ``fr``, ``en``, ``en-GB``...
    """
    language = base_language(language)
    plain = plain_text(text, syntax)
    found: list[tuple[int, Number]] = []
    for match in _TIMES.get(language, _TIMES["en"]).finditer(plain):
        hours = int(match.group("h") or match.group("h24"))
        minutes = int(match.group("m") or match.group("m24") or 0)
        if (match.groupdict().get("half") or "").lower().startswith("p") and hours < 12:
            hours += 12
        found.append((match.start(), Number(f"time {hours:02d}:{minutes:02d}", match.group(0))))
        plain = plain[:match.start()] + " " * len(match.group(0)) + plain[match.end():]
    pattern = _DIGITS.get(language, _DIGITS["en"])
    for match in pattern.finditer(plain):
        whole = re.sub(rf"[{SPACES},]", "", match.group(1))
        value: float | int = int(whole) if not match.group(2) else float(f"{whole}.{match.group(2)}")
        found.append((match.start(), Number(value, match.group(0))))
    found.extend(_words(plain, language))
    found.extend(_months(plain, language))
    return [number for _, number in sorted(found, key=lambda item: item[0])]


def _words(plain: str, language: str) -> list[tuple[int, Number]]:
    """Number words, compounds read whole: "vingt et un", "quatre-vingt-dix", "two hundred and five"."""
    units, scales = UNITS.get(language, {}), SCALES.get(language, {})
    joined = JOINED.get(language, {})
    tokens = [(m.start(), m.group(0)) for m in _WORD.finditer(plain)]

    def spaced(j: int) -> bool:  # tokens j-1 and j are separated by spaces only
        start, word = tokens[j - 1]
        return not plain[start + len(word):tokens[j][0]].strip()

    found: list[tuple[int, Number]] = []
    i = 0
    while i < len(tokens):
        if not _number_word(tokens[i][1], units, scales, joined, first=True):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and spaced(j):
            word = tokens[j][1]
            if _number_word(word, units, scales, joined, first=False):
                j += 1
            elif (word.lower() in ("et", "and") and j + 1 < len(tokens) and spaced(j + 1)
                  and _joins(tokens[j - 1][1], tokens[j + 1][1], language)):
                j += 2
            else:
                break
        words = [part for _, word in tokens[i:j] for part in word.lower().split("-") if part not in ("et", "and")]
        value = _value(words, units, scales, joined)
        if value is not None:
            found.append((tokens[i][0], Number(value, " ".join(word for _, word in tokens[i:j]))))
        i = j
    return found


def _number_word(word: str, units: dict, scales: dict, joined: dict, first: bool) -> bool:
    """Whether ``word`` (maybe hyphenated) is a number word; a run starts with no "un"/"one"."""
    parts = word.lower().split("-")
    if first and parts[0] not in units and parts[0] not in scales:
        return False
    return all(part in units or part in scales or part in joined for part in parts)


def _joins(before: str, after: str, language: str) -> bool:
    """ "vingt et un", "soixante et onze"; "two hundred and five"."""
    before, after = before.lower().split("-")[-1], after.lower().split("-")[0]
    if language == "fr":
        return before in ("vingt", "trente", "quarante", "cinquante", "soixante") and after in ("un", "une", "onze")
    return before in SCALES.get(language, {}) and after in UNITS.get(language, {})


def _value(words: list[str], units: dict[str, int], scales: dict[str, int], joined: dict[str, int]) -> int | None:
    total, current = 0, 0
    for index, word in enumerate(words):
        if word in scales:
            if scales[word] == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scales[word]
                current = 0
        elif word in ("vingt", "vingts") and index and words[index - 1] == "quatre":
            current += 80 - 4  # quatre-vingt(s): 80
        elif word in units:
            current += units[word]
        elif word in joined:
            current += joined[word]
        else:
            return None
    return total + current


def _months(plain: str, language: str) -> list[tuple[int, Number]]:
    """Months named in a date (next to a day or a year), as "month N"."""
    names = MONTHS.get(language)
    if not names:
        return []
    found = []
    for match in re.finditer(rf"\b({'|'.join(names)})\b", plain, re.IGNORECASE):
        before = plain[max(0, match.start() - 8):match.start()]
        after = plain[match.end():match.end() + 4]
        if re.search(rf"\d(?:er|st|nd|rd|th)?[{SPACES}]*(?:of )?$", before) or re.match(rf"[{SPACES},]*\d", after):
            month = names.index(match.group(1).lower()) + 1
            found.append((match.start(), Number(f"month {month}", match.group(1))))
    return found


@dataclass(frozen=True)
class NumberDifference:
    """What a translation states differently: numbers of the source it lacks, numbers it adds."""

    missing: tuple[Number, ...]  # in the source, not in the translation
    added: tuple[Number, ...]  # in the translation, not in the source

    def __bool__(self) -> bool:
        return bool(self.missing or self.added)

    def describe(self, width: int | None = None) -> str:
        """``numbers differ: quatre (4) in the original, three (3) here``: short, for a comment line.

        With ``width``, as many numbers as fit in that many characters are
        named, the others counted ("+2 more").
        """
        for shown in range(len(self.missing) + len(self.added), 0, -1):
            text = self._text(shown)
            if width is None or len(text) <= width:
                return text
        return self._text(1)[:width]

    def _text(self, shown: int) -> str:
        missing = [_shown(n) for n in self.missing[:shown]]
        added = [_shown(n) for n in self.added[:max(1, shown - len(missing))]] if self.added else []
        hidden = len(self.missing) + len(self.added) - len(missing) - len(added)
        more = f" (+{hidden} more)" if hidden > 0 else ""
        if missing and added:
            return f"numbers differ: {', '.join(missing)} in the original, {', '.join(added)} here{more}"
        if missing:
            return f"numbers differ: {', '.join(missing)} in the original, not here{more}"
        return f"numbers differ: {', '.join(added)} here, not in the original{more}"


def _shown(number: Number) -> str:
    value = number.value
    if isinstance(value, str) or str(value) == number.text:
        return number.text
    return f"{number.text} ({value:g})" if isinstance(value, float) else f"{number.text} ({value})"


def number_differences(source: str, source_language: str, translation: str, language: str,
                       syntax: Syntax = RST) -> NumberDifference:
    """The numbers of ``source`` missing from ``translation``, and those ``translation`` adds.

    Values are compared, not how they are written: "quatre" and "4", "1 500"
    and "1,500", "juillet" and "July" in a date are the same. A number said
    twice in one and once in the other is no difference.
    """
    ours, theirs = numbers_in(source, source_language, syntax), numbers_in(translation, language, syntax)
    return NumberDifference(_not_in(ours, theirs), _not_in(theirs, ours))


def _not_in(numbers: list[Number], others: list[Number]) -> tuple[Number, ...]:
    known = {other.value for other in others}
    chosen: dict[float | int | str, Number] = {}
    for number in numbers:
        if number.value not in known:
            chosen.setdefault(number.value, number)
    return tuple(chosen.values())
