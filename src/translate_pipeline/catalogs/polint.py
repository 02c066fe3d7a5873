"""Checking a catalog's text the way gettext's ``msgfmt --check`` does.

polib reads leniently: it skips what it does not understand, keeps an
unknown escape as two characters and reads an entry without ``msgstr`` as
an empty translation. A catalog that ``msgfmt`` refuses would then be
rewritten with a silently different meaning. So a catalog's text is checked
here first, by the grammar of GNU gettext's PO reader: every line is a
comment, a keyword followed by quoted strings, or a string continuing the
previous keyword; entries are ``[msgctxt] msgid (msgstr | msgid_plural
msgstr[0] msgstr[1]...)``, obsolete ones the same behind ``#~``. The first
problem is reported as :class:`Problem` (line and words for the user).

Beyond the grammar, what ``msgfmt --check`` also refuses: a translated,
non-fuzzy entry whose msgid and msgstr do not both begin (and end) with a
newline, and plural entries whose number of forms is not the header's
``nplurals``. (Format-string checks, for entries flagged ``c-format`` and
the like, are not made: Sphinx's catalogs carry no such flags.)

Lines are split on ``\\n`` only, as gettext does: a form feed or U+2028
inside a string is text, not the end of a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?(?![\w\[])")
_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v", "a": "\a",
            "\\": "\\", '"': '"'}
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


class _Stop(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(line, message)


def lines(text: str) -> list[str]:
    """The lines of a catalog as gettext reads them (``\\n``, or ``\\r\\n``, ends a line)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


@dataclass
class _Entry:
    line: int  # where its first keyword is
    obsolete: bool
    fuzzy: bool = False
    fields: list[tuple[str, int | None, int]] = field(default_factory=list)  # (keyword, index, line)
    values: dict[tuple[str, int | None], str] = field(default_factory=dict)

    def last(self) -> str | None:
        return self.fields[-1][0] if self.fields else None

    def keywords(self) -> set[str]:
        return {name for name, _index, _line in self.fields}


def check(text: str) -> Problem | None:
    """The first thing ``msgfmt --check`` would refuse in ``text``, or None."""
    try:
        _Reader().read(text)
    except _Stop as stop:
        return stop.problem
    return None


class _Reader:
    def __init__(self) -> None:
        self.entry: _Entry | None = None
        self.fuzzy_next = False
        self.entries: list[_Entry] = []

    def read(self, text: str) -> None:
        number = 0
        for number, line in enumerate(lines(text), 1):
            self._line(line, number)
        self._close(number)
        self._check_entries()

    def _line(self, line: str, number: int) -> None:
        stripped = line.lstrip(" \t")
        if not stripped:
            return
        if stripped.startswith("#~"):
            rest = stripped[2:]
            if rest.startswith("|"):  # previous msgid of an obsolete entry: a comment to check
                self._previous(rest[1:], number, 3)
            elif rest.strip():
                self._syntax(rest, number, True, len(line) - len(rest))
            return
        if stripped.startswith("#"):
            self._comment(number)
            if stripped.startswith("#|"):
                self._previous(stripped[2:], number, len(line) - len(stripped) + 2)
            elif stripped.startswith("#,") and "fuzzy" in (flag.strip() for flag in stripped[2:].split(",")):
                self.fuzzy_next = True
            return
        self._syntax(line, number, False, 0)

    def _comment(self, number: int) -> None:
        """A comment ends the entry before it (and belongs to the next)."""
        if self.entry is not None and not self.entry.obsolete:
            self._close(number)

    def _previous(self, rest: str, number: int, column: int) -> None:
        body = rest.lstrip(" \t")
        match = _KEYWORD.match(body)
        if match:
            body = body[match.end():]
        _strings(body, number, column + len(rest) - len(body))

    def _syntax(self, rest: str, number: int, obsolete: bool, column: int) -> None:
        body = rest.lstrip(" \t")
        column += len(rest) - len(body)
        match = _KEYWORD.match(body)
        if match is None:
            if not body.startswith('"'):
                word = body.split()[0][:30]
                raise _Stop(number, f"unexpected text {word!r} (not a keyword such as msgid or msgstr, "
                                    "nor a quoted string)")
            if self.entry is None or not self.entry.fields:
                raise _Stop(number, "a quoted string that belongs to no msgid or msgstr")
            if self.entry.obsolete != obsolete:
                raise _Stop(number, "inconsistent use of #~ (every line of an obsolete entry starts with #~)")
            value = _strings(body, number, column)
            key = self.entry.fields[-1][:2]
            self.entry.values[key] += value
            return
        name, index = match.group(1), match.group(2)
        after = body[match.end():]
        value = _strings(after, number, column + match.end(), required=name if index is None else f"{name}[{index}]")
        self._keyword(name, int(index) if index is not None else None, value, number, obsolete)

    def _keyword(self, name: str, index: int | None, value: str, number: int, obsolete: bool) -> None:
        entry = self.entry
        if name in ("msgctxt", "msgid"):
            if entry is not None and entry.fields:
                last = entry.last()
                if last == "msgctxt" and name == "msgid" and entry.obsolete == obsolete:
                    self._add(name, None, value, number)
                    return
                if last in ("msgctxt", "msgid", "msgid_plural"):
                    self._missing(entry)
                self._close(number)
            if index is not None:
                raise _Stop(number, f"'{name}' takes no [index]")
            self.entry = _Entry(number, obsolete, fuzzy=self.fuzzy_next)
            self.fuzzy_next = False
            self._add(name, None, value, number)
            return
        if entry is None or not entry.fields:
            raise _Stop(number, f"'{name}' with no msgid before it")
        if entry.obsolete != obsolete:
            raise _Stop(number, "inconsistent use of #~ (every line of an obsolete entry starts with #~)")
        last = entry.last()
        if name == "msgid_plural":
            if last != "msgid" or index is not None:
                raise _Stop(number, "'msgid_plural' must follow the entry's msgid")
            self._add(name, None, value, number)
            return
        plural = "msgid_plural" in entry.keywords()
        if index is None:  # msgstr
            if last == "msgid" and not plural:
                self._add(name, None, value, number)
                return
            if plural:
                raise _Stop(number, "an entry with msgid_plural takes msgstr[0], msgstr[1]... "
                                    "instead of a plain msgstr")
            raise _Stop(number, "a second msgstr for the same msgid")
        if not plural:
            raise _Stop(number, f"msgstr[{index}] in an entry without msgid_plural (write msgstr, "
                                "or add the msgid_plural)")
        forms = sum(1 for keyword, _i, _l in entry.fields if keyword == "msgstr")
        if last == "msgid_plural" and index != 0:
            raise _Stop(number, f"the first plural form is msgstr[0], not msgstr[{index}]")
        if last not in ("msgid_plural", "msgstr") or index != forms:
            raise _Stop(number, f"plural form msgstr[{index}] has the wrong index (expected msgstr[{forms}])")
        self._add(name, index, value, number)

    def _add(self, name: str, index: int | None, value: str, number: int) -> None:
        assert self.entry is not None
        self.entry.fields.append((name, index, number))
        self.entry.values[(name, index)] = value

    def _missing(self, entry: _Entry) -> None:
        last = entry.last()
        if last == "msgctxt":
            raise _Stop(entry.line, "msgctxt with no msgid and msgstr after it")
        what = "'msgstr[0]', 'msgstr[1]'..." if last == "msgid_plural" else "'msgstr'"
        raise _Stop(entry.line, f"this msgid has no {what} (add an empty msgstr \"\" if it has no "
                                "translation yet)")

    def _close(self, number: int) -> None:
        entry = self.entry
        if entry is not None and entry.fields:
            if entry.last() in ("msgctxt", "msgid", "msgid_plural"):
                self._missing(entry)
            self.entries.append(entry)
        self.entry = None

    def _check_entries(self) -> None:
        header = next((e for e in self.entries if not e.obsolete and e.values.get(("msgid", None)) == ""
                       and ("msgctxt", None) not in e.values), None)
        match = _NPLURALS.search(header.values.get(("msgstr", None), "")) if header else None
        nplurals = int(match.group(1)) if match else None
        for entry in self.entries:
            if entry.obsolete or entry.fuzzy or entry is header:
                continue
            msgid = entry.values.get(("msgid", None), "")
            forms = [value for (name, _i), value in entry.values.items() if name == "msgstr"]
            plural = ("msgid_plural", None) in entry.values
            if plural and nplurals is None:
                raise _Stop(entry.line, "a plural entry, but the header has no Plural-Forms "
                                        "(\"nplurals=N; plural=EXPRESSION;\")")
            if plural and len(forms) != nplurals:
                raise _Stop(entry.line, f"{len(forms)} plural forms, but the header's Plural-Forms says "
                                        f"nplurals={nplurals}")
            for form in forms:
                if not form or not msgid:
                    continue
                for where, test in (("begin", str.startswith), ("end", str.endswith)):
                    if test(msgid, "\n") != test(form, "\n"):
                        raise _Stop(entry.fields[-1][2], f"msgid and msgstr do not both {where} with a "
                                                         "newline (\\n); make them agree")


def _strings(body: str, number: int, column: int, required: str | None = None) -> str:
    """The value of the quoted strings in ``body`` (the rest of a line after a keyword)."""
    value: list[str] = []
    position = 0
    found = False
    while True:
        while position < len(body) and body[position] in " \t":
            position += 1
        if position >= len(body):
            break
        if body[position] != '"':
            if required and not found:
                raise _Stop(number, f"{required} without a quoted string after it")
            raise _Stop(number, f"unexpected text after a string: {body[position:][:30]!r}")
        position = _string(body, position + 1, number, column, value)
        found = True
    if required and not found:
        raise _Stop(number, f"{required} without a quoted string after it")
    return "".join(value)


def _string(body: str, position: int, number: int, column: int, value: list[str]) -> int:
    """Read one string from just after its opening quote; return the position after its closing one."""
    while position < len(body):
        char = body[position]
        if char == '"':
            return position + 1
        if char != "\\":
            value.append(char)
            position += 1
            continue
        if position + 1 >= len(body):
            break  # a backslash ends the line: the string is not closed
        code = body[position + 1]
        if code in _ESCAPES:
            value.append(_ESCAPES[code])
            position += 2
        elif code in "01234567":
            digits = re.match(r"[0-7]{1,3}", body[position + 1:]).group(0)
            value.append(chr(int(digits, 8)))
            position += 1 + len(digits)
        elif code == "x" and re.match(r"[0-9a-fA-F]", body[position + 2:position + 3]):
            digits = re.match(r"[0-9a-fA-F]+", body[position + 2:]).group(0)
            value.append(chr(int(digits, 16) % 0x110000))
            position += 2 + len(digits)
        else:
            raise _Stop(number, f"invalid escape '\\{code}' in a string (column {column + position + 1}); "
                                "write '\\\\' for a backslash")
    raise _Stop(number, "unterminated string: its closing quote (\") is missing at the end of the line")


_POLIB_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\v": "\\v",
                  "\b": "\\b", "\f": "\\f"}
_ANY_ESCAPE = re.compile(r"\\(\\|[0-7]{1,3}|x[0-9a-fA-F]+|.)")


def plain_escapes(line: str) -> str:
    """``line`` with the escapes gettext knows and polib does not (octal
    ``\\101``, hex ``\\x41``) written as the character they stand for
    (escaped the way polib reads it), so that polib reads what msgfmt reads.
    Only for lines holding strings. Control characters with no escape of
    their own (``\\a``, ``\\0``) are left as they are: polib reads them as
    a backslash and a letter."""
    if "\\" not in line or not line.lstrip().startswith(('"', "msg", "#~", "#|")):
        return line

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "01234567":
            char = chr(int(code, 8))
        elif code[0] == "x" and len(code) > 1:
            char = chr(int(code[1:], 16) % 0x110000)
        else:
            return match.group(0)
        if char in _POLIB_ESCAPES:
            return _POLIB_ESCAPES[char]
        return char if char.isprintable() else match.group(0)

    return _ANY_ESCAPE.sub(one, line)

