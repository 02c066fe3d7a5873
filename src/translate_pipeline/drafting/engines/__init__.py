"""Translation engines behind one small interface, found by name."""

from __future__ import annotations

from collections.abc import Callable

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
)
from .memory import MemoryEngine


def _deepl(**options) -> Engine:
    from .deepl import DeepLEngine  # the client is only imported when used

    return DeepLEngine(**options)


ENGINES: dict[str, Callable[..., Engine]] = {"memory": MemoryEngine, "deepl": _deepl}
"""Engine factories by name; options are the engine's keyword arguments."""


def get_engine(name: str, **options) -> Engine:
    """A ready engine; raises EngineError for an unknown name."""
    try:
        factory = ENGINES[name]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise EngineError(f"unknown engine {name!r}: choose one of {known}") from None
    return factory(**options)


__all__ = [
    "ENGINES",
    "Draft",
    "Engine",
    "EngineError",
    "EngineUnavailable",
    "KeyRejected",
    "QuotaExceeded",
    "RateLimited",
    "Segment",
    "UnsupportedLanguage",
    "get_engine",
    "MemoryEngine",
]
