"""The offline engine: reuse of translations a translator already reviewed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from .base import Draft, Engine, Segment, UnsupportedLanguage, base_language

DEFAULT_THRESHOLD = 85.0


class MemoryEngine(Engine):
    """Exact, then closest (rapidfuzz ratio >= ``threshold``) reviewed translation.

    ``pairs`` are ``(source_text, target_text, origin_label)`` from reviewed
    catalog entries of one language pair; the first translation of a source
    text wins.  ``languages`` (source, target), when given, is the only pair
    the engine accepts.
    """

    name = "memory"

    def __init__(
        self,
        pairs: Iterable[tuple[str, str, str]] = (),
        *,
        threshold: float = DEFAULT_THRESHOLD,
        languages: tuple[str, str] | None = None,
    ) -> None:
        self.threshold = threshold
        self.languages = languages
        self._memory: dict[str, tuple[str, str]] = {}
        for source_text, target_text, label in pairs:
            if source_text and target_text:
                self._memory.setdefault(source_text, (target_text, label))
        self._sources = list(self._memory)

    def __len__(self) -> int:
        return len(self._memory)

    def settings_key(self) -> str:
        digest = hashlib.sha256()
        for source_text, (target_text, _) in sorted(self._memory.items()):
            digest.update(f"{source_text}\0{target_text}\0".encode())
        return f"threshold={self.threshold:g};memory={digest.hexdigest()[:16]}"

    def translate(self, segments: Sequence[Segment], source: str, target: str) -> list[Draft | None]:
        if self.languages and (base_language(source), base_language(target)) != tuple(
            base_language(code) for code in self.languages
        ):
            raise UnsupportedLanguage(
                f"this translation memory holds {self.languages[0]}->{self.languages[1]},"
                f" not {source}->{target}"
            )
        return [self._lookup(segment.text) for segment in segments]

    def _lookup(self, text: str) -> Draft | None:
        if text in self._memory:
            target_text, label = self._memory[text]
            return Draft(target_text, 0, _origin("memory exact", label))
        if not self._sources:
            return None
        best = process.extractOne(
            text, self._sources, scorer=fuzz.ratio, score_cutoff=self.threshold
        )
        if best is None:
            return None
        source_text, score, _ = best
        target_text, label = self._memory[source_text]
        return Draft(target_text, 0, _origin(f"memory {int(score)}%", label))


def _origin(kind: str, label: str) -> str:
    return f"{kind} ({label})" if label else kind
