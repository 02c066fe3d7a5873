"""The DeepL engine: the official client, markup protected, requests within limits.

Requests go to ``POST /v2/translate`` (JSON) with ``tag_handling=xml``; the
glossary methods use the ``/v3/glossaries`` endpoints. Retries are ours: the
client's own retry loop is switched off (``deepl.http_client.max_network_retries
= 0``) so that the time spent on a failing service is bounded by
:class:`RetryPolicy` alone: at most ``attempts`` requests of at most
``timeout`` seconds each, with ``first_delay``, doubled each time up to
``max_delay``, between them.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import deepl
import deepl.http_client
from deepl.api_data import MultilingualGlossaryDictionaryEntries

from ... import __version__
from ...checks import markup
from ..glossary import Glossary, GlossarySync, sync_deepl_glossary
from ...plural import counted
from .base import (
    Draft,
    Engine,
    EngineError,
    EngineUnavailable,
    KeyRejected,
    QuotaExceeded,
    RateLimited,
    Segment,
    UnsupportedLanguage,
    base_language,
)

MAX_TEXTS = 50
MAX_REQUEST_BYTES = 128 * 1024
_BODY_MARGIN = 512  # bytes kept free for whatever the client adds to the body
MARKUP_VERSION = "1"  # bump when markup.protect changes what is sent

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How long to insist on 429, 5xx and network errors."""

    attempts: int = 5
    first_delay: float = 1.0
    max_delay: float = 20.0
    timeout: float = 30.0  # per request; the client never waits less than ~1 s

    def delay(self, attempt: int) -> float:
        return min(self.first_delay * 2**attempt, self.max_delay)


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class GlossaryRef:
    glossary_id: str
    name: str


class DeepLEngine(Engine):
    """DeepL through the official ``deepl`` client.

    The key comes from ``auth_key`` or ``DEEPL_AUTH_KEY``; the server from
    ``server_url`` or ``DEEPL_SERVER_URL`` (else the client picks the free or
    pro API from the key). ``target_variant`` is the English sent when the
    target is plain ``en`` (``EN-GB`` or ``EN-US``).

    With ``glossary`` (the project's term base), :meth:`prepare` makes DeepL
    hold a copy of it (named after ``project`` and its content: made once,
    then reused) and every request uses it; ``glossary_id`` names a glossary
    already on DeepL instead. A missing key is only reported when something
    is to be sent, so :meth:`estimate` works without one. ``requests``
    counts the requests made, retries included.
    """

    name = "deepl"
    paid = True

    def __init__(
        self,
        *,
        auth_key: str | None = None,
        server_url: str | None = None,
        target_variant: str = "EN-GB",
        formality: str | None = None,
        glossary_id: str | None = None,
        glossary: Glossary | None = None,
        project: str = "",
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._key = auth_key or os.environ.get("DEEPL_AUTH_KEY", "")
        self.server_url = server_url or os.environ.get("DEEPL_SERVER_URL") or None
        self.target_variant = target_variant.upper()
        self.formality = formality
        self.glossary_id = glossary_id
        self.glossary = glossary
        self.project = project
        self.glossary_sync: GlossarySync | None = None
        self.retry = retry or DEFAULT_RETRY
        self.requests = 0
        self._sleep = sleep
        self._deepl: deepl.DeepLClient | None = None

    @property
    def _client(self) -> deepl.DeepLClient:
        return self._connect()

    def _connect(self) -> deepl.DeepLClient:
        """The client, made on first use: estimating needs no key, sending does."""
        if self._deepl is None:
            if not self._key.strip():
                raise KeyRejected("no DeepL key: set DEEPL_AUTH_KEY in the environment")
            # Module-wide settings of the client: we retry ourselves (see above).
            deepl.http_client.max_network_retries = 0
            deepl.http_client.min_connection_timeout = self.retry.timeout
            self._deepl = deepl.DeepLClient(self._key, server_url=self.server_url, send_platform_info=False)
            self._deepl.set_app_info("translate-pipeline", __version__)
        return self._deepl

    def settings_key(self) -> str:
        # The glossary's content, not its id: a glossary made again gets a new
        # id but gives the same drafts.
        glossary = self.glossary.digest()[:16] if self.glossary is not None else self.glossary_id or ""
        return (
            f"variant={self.target_variant};formality={self.formality or ''};"
            f"glossary={glossary};markup={MARKUP_VERSION}"
        )

    def prepare(self) -> None:
        """Make DeepL hold the project's glossary (once per run) and use it."""
        if self.glossary is not None and self.glossary_sync is None:
            self.glossary_sync = sync_deepl_glossary(self, self.glossary, self.project)
            self.glossary_id = self.glossary_sync.glossary_id

    # --- translation -------------------------------------------------------

    def translate(self, segments: Sequence[Segment], source: str, target: str) -> list[Draft | None]:
        source_lang, target_lang = self.languages(source, target)
        results: list[Draft | None] = [None] * len(segments)
        for (context, syntax), positions in _by_context(segments).items():
            options = self._options(source_lang, target_lang, context)
            for batch in batches([markup.protect(text, syntax) for text in positions], options):
                for protected, draft in zip(batch, self._translate_batch(batch, options)):
                    first, *others = positions[protected.source]
                    results[first] = draft
                    for index in others:  # sent and billed once
                        results[index] = Draft(draft.text, 0, draft.origin)
        return results

    def estimate(self, segments: Sequence[Segment]) -> int:
        """Characters DeepL would bill for ``segments``, each text once (see :func:`billable`)."""
        return sum(billable(markup.protect(text, syntax).xml) for text, syntax in {(s.text, s.syntax) for s in segments})

    def languages(self, source: str, target: str) -> tuple[str, str]:
        """DeepL's codes for a pair of the project's codes (``fr``, ``en-US``...)."""
        if base_language(source) == base_language(target):
            raise UnsupportedLanguage(f"nothing to translate from {source} to {target}")
        source_lang = base_language(source).upper()
        target_lang = target.replace("_", "-").upper()
        if target_lang == "EN":
            target_lang = self.target_variant
        elif target_lang == "PT":
            target_lang = "PT-PT"
        return source_lang, target_lang

    def _options(self, source_lang: str, target_lang: str, context: str | None) -> dict:
        options = {
            "source_lang": source_lang,
            "target_lang": target_lang,
            "tag_handling": "xml",
            "tag_handling_version": "v2",
            "ignore_tags": list(markup.IGNORE_TAGS),
            "non_splitting_tags": list(markup.TAGS),
            "split_sentences": "nonewlines",  # msgids keep the source's line breaks
        }
        if context:
            options["context"] = context
        if self.formality:
            options["formality"] = self.formality
        if self.glossary_id:
            options["glossary"] = self.glossary_id
        return options

    def _translate_batch(self, batch: list[markup.Protected], options: dict) -> list[Draft | None]:
        texts = [protected.xml for protected in batch]
        results = self._retrying(lambda: self._client.translate_text(texts, **options))
        return [
            Draft(_restore(result.text, protected), _billed(result, protected), self.name)
            for protected, result in zip(batch, results)
        ]

    # --- account and glossaries ----------------------------------------------

    def usage(self) -> tuple[int | None, int | None]:
        """Characters translated this billing period, and the limit (None: unknown)."""
        usage = self._retrying(self._client.get_usage)
        return usage.character.count, usage.character.limit

    def list_glossaries(self) -> list[GlossaryRef]:
        found = self._retrying(self._client.list_multilingual_glossaries)
        return [GlossaryRef(g.glossary_id, g.name) for g in found]

    def create_glossary(self, name: str, dictionaries: Mapping[tuple[str, str], Mapping[str, str]]) -> str:
        """Create a glossary of ``{(source, target): {term: translation}}``; its id."""
        entries = [
            MultilingualGlossaryDictionaryEntries(source.upper(), target.upper(), dict(terms))
            for (source, target), terms in dictionaries.items()
            if terms
        ]
        created = self._retrying(lambda: self._client.create_multilingual_glossary(name, entries))
        return created.glossary_id

    def delete_glossary(self, glossary_id: str) -> None:
        self._retrying(lambda: self._client.delete_multilingual_glossary(glossary_id))

    # --- errors and retries --------------------------------------------------

    def _retrying(self, call: Callable[[], T]) -> T:
        self._connect()  # no key: KeyRejected before anything is counted as sent
        for attempt in range(self.retry.attempts):
            self.requests += 1
            try:
                return call()
            except deepl.DeepLException as error:
                last = attempt + 1 >= self.retry.attempts
                if last or not _retryable(error):
                    raise self._error(error, attempt + 1) from None
            except ValueError as error:  # the client refused the arguments
                raise EngineError(self._scrub(f"DeepL request not sent: {error}")) from None
            self._sleep(self.retry.delay(attempt))
        raise AssertionError("unreachable")

    def _error(self, error: deepl.DeepLException, attempts: int) -> EngineError:
        status = getattr(error, "http_status_code", None)
        where = self.server_url or "the DeepL API"
        detail = self._scrub(str(error))
        if isinstance(error, deepl.AuthorizationException) or status == 403:
            return KeyRejected(
                f"DeepL refused the key in DEEPL_AUTH_KEY ({where}): check that it is"
                " valid and meant for this server (free keys end in ':fx')"
            )
        if isinstance(error, deepl.QuotaExceededException) or status == 456:
            return QuotaExceeded("DeepL character quota for this billing period is used up")
        tried = counted(attempts, "%(count)d attempt", "%(count)d attempts")
        if status == 429:
            return RateLimited(f"DeepL still answers 'too many requests' after {tried}")
        if isinstance(error, deepl.ConnectionException):
            return EngineUnavailable(f"DeepL unreachable at {where} after {tried}: {detail}")
        if status is not None and status >= 500:
            return EngineUnavailable(f"DeepL failing (HTTP {status}) after {tried}")
        if status == 400 and "lang" in detail.lower():
            return UnsupportedLanguage(f"DeepL refused the languages: {detail}")
        return EngineError(f"DeepL refused the request: {detail}")

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text


def _by_context(segments: Sequence[Segment]) -> dict[tuple[str | None, markup.Syntax], dict[str, list[int]]]:
    """(context, syntax) -> text -> positions in ``segments``: a request has one context."""
    grouped: dict[tuple[str | None, markup.Syntax], dict[str, list[int]]] = {}
    for index, segment in enumerate(segments):
        grouped.setdefault((segment.context, segment.syntax), {}).setdefault(segment.text, []).append(index)
    return grouped


def _retryable(error: deepl.DeepLException) -> bool:
    if isinstance(error, deepl.ConnectionException):
        return error.should_retry
    status = getattr(error, "http_status_code", None)
    return status is not None and (status == 429 or status >= 500)


def _billed(result: deepl.TextResult, protected: markup.Protected) -> int:
    """What DeepL says it billed; what it should have if it did not say."""
    billed = getattr(result, "billed_characters", None)
    return billable(protected.xml) if billed is None else int(billed)


_TAG = re.compile(r"<[^>]*>")


def billable(xml: str) -> int:
    """The characters DeepL bills for a text sent with ``tag_handling=xml``.

    DeepL counts the Unicode code points of the text; tags (and their
    attributes) are not counted, the text inside them is (what the ``<x>``
    tags keep unchanged too). Entities count as the character they stand for.
    """
    return len(html.unescape(_TAG.sub("", xml)))


def _restore(xml: str, protected: markup.Protected) -> str:
    try:
        return markup.restore(xml, protected)
    except markup.MarkupError:
        # Unreadable tags: keep the words; markup.check() will list what is lost.
        return html.unescape(_TAG.sub("", xml))


def batches(items: list[markup.Protected], options: dict) -> list[list[markup.Protected]]:
    """``items`` cut into requests of at most MAX_TEXTS texts and MAX_REQUEST_BYTES.

    The size is that of the JSON body the client sends (``requests`` writes
    it with ``json.dumps``, so non-ASCII characters count 6 bytes). A text too
    large for any request is left out (the engine has nothing for it).
    """
    body = {**options, "text": [], "show_billed_characters": True}
    empty = len(json.dumps(body).encode()) + _BODY_MARGIN
    out: list[list[markup.Protected]] = []
    batch: list[markup.Protected] = []
    size = empty
    for item in items:
        cost = len(json.dumps(item.xml).encode()) + 2  # the text and ", "
        if empty + cost > MAX_REQUEST_BYTES:
            continue
        if len(batch) >= MAX_TEXTS or size + cost > MAX_REQUEST_BYTES:
            out.append(batch)
            batch, size = [], empty
        batch.append(item)
        size += cost
    if batch:
        out.append(batch)
    return out
