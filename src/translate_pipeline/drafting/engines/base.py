"""The one small interface every translation engine implements, and its errors."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from ...errors import PipelineError
from ...checks.markup import RST, Syntax


@dataclass(frozen=True)
class Segment:
    """One message to translate: the msgid and, optionally, a hint.

    ``context`` (the page title, a neighbouring paragraph) helps the engine
    choose words; it is never translated itself. ``syntax`` is the markup of
    the message's page (reST, or MyST Markdown).
    """

    text: str
    context: str | None = None
    syntax: Syntax = RST


@dataclass(frozen=True)
class Draft:
    """An engine's translation of one segment (markup restored)."""

    text: str
    billed_characters: int
    origin: str  # "deepl", "memory exact", "memory 87% (index.po)"...


class Engine(ABC):
    """Translates batches of segments from one language to another.

    Languages are the project's codes (``fr``, ``en``, ``en-US``...).
    """

    name: str
    paid: bool = False  # whether the engine bills what it is sent (its drafts are cached)
    requests: int = 0  # requests made to a service so far, retries included

    def prepare(self) -> None:
        """Get ready to send: called before the first segments of a run are sent.

        Not called on a dry run, nor when the cache holds every draft.
        """

    def settings_key(self) -> str:
        """Everything besides the text that changes what the engine returns.

        Cached drafts are only reused under the same key.
        """
        return ""

    def estimate(self, segments: Sequence[Segment]) -> int:
        """Characters that translating ``segments`` would be billed (0: free)."""
        return 0

    @abstractmethod
    def translate(self, segments: Sequence[Segment], source: str, target: str) -> list[Draft | None]:
        """One result per segment, in order; None where the engine has nothing."""


class EngineError(PipelineError):
    """An engine could not translate."""


class RateLimited(EngineError):
    """The service kept answering "too many requests" after every retry."""


class QuotaExceeded(EngineError):
    """The account's character quota for this period is used up."""


class KeyRejected(EngineError):
    """The service refused the authentication key (or there is none)."""


class EngineUnavailable(EngineError):
    """The service could not be reached, timed out, or kept failing."""


class UnsupportedLanguage(EngineError):
    """The engine cannot translate between these two languages."""


def base_language(code: str) -> str:
    """``en-GB`` -> ``en``; ``fr`` -> ``fr``."""
    return code.replace("_", "-").split("-")[0].lower()
