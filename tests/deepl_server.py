"""A local stand-in for the DeepL API, for tests with the real ``deepl`` client.

It serves the endpoints the client calls (``/v2/translate``, ``/v2/usage``,
``/v2/languages``, ``/v2/glossary-language-pairs``, ``/v3/glossaries...``),
"translates" with a small word table (unknown words kept; tags, and the
content of ignored tags, kept exactly), applies glossaries, returns
``billed_characters`` (tags not counted, as DeepL does), checks the API's
limits (50 texts, 128 KiB, well-formed XML with tag handling), records every
request, and can be told to fail.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_TEXTS = 50
MAX_BODY = 128 * 1024

FR_EN = {
    "voir": "see", "le": "the", "la": "the", "les": "the", "l": "the", "et": "and",
    "du": "of the", "de": "of", "des": "of the", "un": "a", "une": "a", "est": "is",
    "page": "page", "ministère": "ministry", "vite": "quickly", "lien": "link",
    "bonjour": "hello", "monde": "world", "rapport": "report", "réunion": "meeting",
    "conseil": "council", "mairie": "town hall", "texte": "text", "plan": "plan",
    "avec": "with", "pour": "for", "dans": "in", "sur": "on", "très": "very",
    "nouvelle": "new", "nouveau": "new", "compte": "account", "rendu": "report",
    "association": "association", "membres": "members", "année": "year", "oui": "yes",
    "il": "he", "a": "has", "dit": "said", "fichier": "file", "ici": "here",
}
EN_FR = {english: french for french, english in FR_EN.items() if " " not in english}
SOURCE_LANGUAGES = {"FR": "French", "EN": "English", "DE": "German"}
TARGET_LANGUAGES = {"FR": "French", "EN-GB": "English (British)", "EN-US": "English (American)",
                    "DE": "German"}


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict
    status: int = 0

    @property
    def texts(self) -> list[str]:
        return list(self.params.get("text", []))

    def __getattr__(self, name: str):
        # glossary_id, tag_handling, context, ignore_tags, target_lang...
        if name.startswith("_"):
            raise AttributeError(name)
        return self.params.get(name)


@dataclass
class _Glossary:
    glossary_id: str
    name: str
    dictionaries: dict[tuple[str, str], dict[str, str]]

    def as_json(self) -> dict:
        return {
            "glossary_id": self.glossary_id,
            "name": self.name,
            "creation_time": "2024-05-01T10:00:00.000000Z",
            "dictionaries": [
                {"source_lang": s.lower(), "target_lang": t.lower(), "entry_count": len(e)}
                for (s, t), e in self.dictionaries.items()
            ],
        }


@dataclass
class _Failure:
    status: int  # 0: hang
    times: float
    message: str = ""
    after: int = 0  # requests answered normally first
    path: str | None = None  # only requests to this path count (None: all)


@dataclass
class DeepLServer:
    """Start with ``with DeepLServer(...) as server:``; ``server.url`` is its address."""

    auth_key: str = "test-key:fx"
    character_limit: int = 500_000
    hang_seconds: float = 10.0
    requests: list[Recorded] = field(default_factory=list)
    character_count: int = 0
    glossaries: dict[str, _Glossary] = field(default_factory=dict)
    rewrite: Callable[[str], str] | None = None  # applied to every translation (to spoil some)

    def __post_init__(self) -> None:
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._ids = itertools.count(1)
        self._httpd: ThreadingHTTPServer | None = None

    # --- control -------------------------------------------------------------

    def fail(
        self, status: int, times: float = 1, message: str = "", after: int = 0, path: str | None = None
    ) -> None:
        """Answer ``times`` requests with ``status`` (``float('inf')``: always).

        The failure starts after ``after`` more requests were answered
        normally; with ``path`` (e.g. ``/v2/translate``) only requests to that
        path count and fail.
        """
        self._failures.append(_Failure(status, times, message, after, path))

    def hang(self, times: float = 1) -> None:
        """Accept the next ``times`` requests and answer nothing for ``hang_seconds``."""
        self._failures.append(_Failure(0, times))

    def translations(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/v2/translate"]

    def add_glossary(self, name: str, dictionaries: dict[tuple[str, str], dict[str, str]]) -> str:
        glossary_id = f"gloss-{next(self._ids)}"
        self.glossaries[glossary_id] = _Glossary(glossary_id, name, dictionaries)
        return glossary_id

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> DeepLServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._httpd.owner = self
        self._httpd.handle_error = lambda request, address: None  # clients that gave up
        threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- answering -----------------------------------------------------------

    def _next_failure(self, recorded: Recorded) -> _Failure | None:
        with self._lock:
            if not self._failures:
                return None
            failure = self._failures[0]
            if failure.path is not None and recorded.path.rstrip("/") != failure.path:
                return None
            if failure.after > 0:
                failure.after -= 1
                return None
            failure.times -= 1
            if failure.times <= 0:
                self._failures.pop(0)
            return failure

    def answer(self, recorded: Recorded) -> tuple[int, object]:
        failure = self._next_failure(recorded)
        if failure and failure.status == 0:
            self._release.wait(self.hang_seconds)
            return 504, {"message": "hung"}
        if failure:
            return failure.status, {"message": failure.message or f"failure {failure.status}"}
        if recorded.headers.get("authorization") != f"DeepL-Auth-Key {self.auth_key}":
            return 403, {"message": "Wrong endpoint or invalid authentication key"}
        if len(recorded.body) > MAX_BODY:
            return 413, {"message": "Request Entity Too Large"}
        return self._route(recorded)

    def _route(self, r: Recorded) -> tuple[int, object]:
        path = r.path.rstrip("/")
        if path == "/v2/translate" and r.method == "POST":
            return self._translate(r.params)
        if path == "/v2/usage":
            return 200, {"character_count": self.character_count,
                         "character_limit": self.character_limit}
        if path == "/v2/languages":
            table = TARGET_LANGUAGES if _first(r.params, "type") == "target" else SOURCE_LANGUAGES
            return 200, [{"language": code, "name": name} for code, name in table.items()]
        if path == "/v2/glossary-language-pairs":
            return 200, {"supported_languages": [{"source_lang": "fr", "target_lang": "en"},
                                                 {"source_lang": "en", "target_lang": "fr"}]}
        if path == "/v3/glossaries" and r.method == "POST":
            return self._create_glossary(r.params)
        if path == "/v3/glossaries" and r.method == "GET":
            return 200, {"glossaries": [g.as_json() for g in self.glossaries.values()]}
        match = re.fullmatch(r"/v3/glossaries/([^/]+)(/entries)?", path)
        if match:
            return self._glossary(r, match.group(1), bool(match.group(2)))
        return 404, {"message": "Not found"}

    def _translate(self, params: dict) -> tuple[int, object]:
        texts = params.get("text") or []
        if not texts:
            return 400, {"message": "Parameter 'text' not specified."}
        if len(texts) > MAX_TEXTS:
            return 400, {"message": "Too many texts in one request"}
        source, target = params.get("source_lang", "FR").upper(), params.get("target_lang", "").upper()
        if source not in SOURCE_LANGUAGES or target not in TARGET_LANGUAGES:
            return 400, {"message": "Value for 'target_lang' not supported."}
        if params.get("tag_handling") == "xml" and not all(_well_formed(t) for t in texts):
            return 400, {"message": "Tag handling parsing failed, please check input."}
        terms = {}
        if params.get("glossary_id"):
            glossary = self.glossaries.get(params["glossary_id"])
            if glossary is None:
                return 404, {"message": "Glossary not found"}
            terms = glossary.dictionaries.get((source.lower(), target[:2].lower()), {})
        billed = sum(billable(t, params) for t in texts)
        if self.character_count + billed > self.character_limit:
            return 456, {"message": "Quota exceeded"}
        self.character_count += billed
        table = FR_EN if source == "FR" else EN_FR if target == "FR" else {}
        ignored = set(_as_list(params.get("ignore_tags")))
        rewrite = self.rewrite or (lambda text: text)
        return 200, {"translations": [
            {"detected_source_language": source, "text": rewrite(fake_translate(t, table, terms, ignored)),
             "billed_characters": billable(t, params)}
            for t in texts
        ]}

    def _create_glossary(self, params: dict) -> tuple[int, object]:
        dictionaries = {}
        for d in params.get("dictionaries", []):
            entries = dict(line.split("\t", 1) for line in d["entries"].splitlines() if line)
            dictionaries[(d["source_lang"].lower(), d["target_lang"].lower())] = entries
        if not params.get("name") or not dictionaries:
            return 400, {"message": "Invalid glossary"}
        glossary_id = self.add_glossary(params["name"], dictionaries)
        return 201, self.glossaries[glossary_id].as_json()

    def _glossary(self, r: Recorded, glossary_id: str, entries: bool) -> tuple[int, object]:
        glossary = self.glossaries.get(glossary_id)
        if glossary is None:
            return 404, {"message": "Glossary not found"}
        if r.method == "DELETE":
            del self.glossaries[glossary_id]
            return 204, None
        if entries:
            key = (_first(r.query, "source_lang").lower(), _first(r.query, "target_lang").lower())
            tsv = "\n".join(f"{s}\t{t}" for s, t in glossary.dictionaries.get(key, {}).items())
            return 200, {"dictionaries": [{"source_lang": key[0], "target_lang": key[1],
                                           "entries": tsv, "entries_format": "tsv"}]}
        return 200, glossary.as_json()


class _Handler(BaseHTTPRequestHandler):
    def _serve(self) -> None:
        owner: DeepLServer = self.server.owner
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        recorded = Recorded(
            method=self.command, path=url.path, query=parse_qs(url.query),
            headers={k.lower(): v for k, v in self.headers.items()}, body=body,
            params=_params(self.headers.get("Content-Type", ""), body, url.query),
        )
        owner.requests.append(recorded)
        status, payload = owner.answer(recorded)
        recorded.status = status
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _serve

    def log_message(self, *args) -> None:
        pass


def _params(content_type: str, body: bytes, query: str) -> dict:
    if "json" in content_type and body:
        return json.loads(body)
    form = parse_qs(body.decode() if body else query)
    return {k: (v if k in ("text", "ignore_tags") else v[0]) for k, v in form.items()}


def billable(text: str, params: dict) -> int:
    """Characters DeepL bills: code points of the text; with tag handling, tags are free."""
    if params.get("tag_handling") in ("xml", "html"):
        text = html.unescape(_TAG.sub("", text))
    return len(text)


def _first(params: dict, name: str) -> str:
    value = params.get(name, "")
    return value[0] if isinstance(value, list) else value


def _as_list(value) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [tag for item in items for tag in item.split(",")]


def _well_formed(text: str) -> bool:
    try:
        ET.fromstring(f"<root>{text}</root>")
    except ET.ParseError:
        return False
    return True


_TAG = re.compile(r"(<[^>]*>)")
_WORD = re.compile(r"(&#?\w+;)|([^\W\d_]+)")


def fake_translate(text: str, table: dict[str, str], terms: dict[str, str], ignored: set[str]) -> str:
    """Word by word through ``table`` (glossary ``terms`` first), tags kept as they are."""
    out, depth = [], 0
    for part in _TAG.split(text):
        if part.startswith("<"):
            name = re.match(r"</?\s*([\w:-]*)", part).group(1)
            if name in ignored and not part.endswith("/>"):
                depth += -1 if part.startswith("</") else 1
            out.append(part)
        elif depth > 0:
            out.append(part)
        else:
            out.append(_translate_words(part, table, terms))
    return "".join(out)


def _translate_words(text: str, table: dict[str, str], terms: dict[str, str]) -> str:
    if terms:
        pattern = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        pieces = re.split(rf"(?i)(?<!\w)({pattern})(?!\w)", text)
        lower = {k.lower(): v for k, v in terms.items()}
        return "".join(
            lower[p.lower()] if i % 2 else _translate_words(p, table, {})
            for i, p in enumerate(pieces)
        )

    def word(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        found = table.get(match.group(2).lower())
        if found is None:
            return match.group(2)
        return found[:1].upper() + found[1:] if match.group(2)[0].isupper() else found

    return _WORD.sub(word, text)
