"""The messages each catalog is to hold, made of the documents Sphinx read.

Per target language and catalog (domain), the messages of its documents in
order, each French text once with all its locations; and the key that tells
whether a catalog already holds exactly them (``sync`` then leaves it alone).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..project.discovery import docnames_to_domain
from ..project.settings import Project
from .extract import Document, Extraction
from .merge import Incoming


class Messages(list):
    """A domain's incoming messages, with the key :func:`messages_key` computed once."""

    key: str | None = None


class IncomingCache:
    """The messages made of a catalog's documents, kept while they are the same.

    A reader kept between syncs (``serve``) gives the same Document objects
    for the pages it did not read again: their messages are not made again.
    """

    def __init__(self) -> None:
        # (project, target, domain) -> (the documents, with locations?, their messages)
        self._known: dict[tuple[Path, str, str], tuple[tuple[Document, ...], bool, Messages]] = {}

    def messages(self, key: tuple[Path, str, str], documents: list[Document], location: bool) -> Messages:
        """The messages of ``documents`` (a catalog's, in order), made once while they are the same."""
        known = self._known.get(key)
        if (known is not None and known[1] == location and len(known[0]) == len(documents)
                and all(a is b for a, b in zip(known[0], documents))):
            return known[2]
        bucket: list[Incoming] = []
        for document in documents:
            if location:
                bucket.extend(Incoming(msgid, tuple([(path, str(line)) for path, line in locations]))
                              for msgid, locations in document.messages)
            else:
                bucket.extend(Incoming(msgid) for msgid, _ in document.messages)
        messages = Messages(_unique(bucket))
        self._known[key] = (tuple(documents), location, messages)
        return messages


def incoming_by_language(project: Project, extraction: Extraction,
                         cache: IncomingCache | None = None) -> dict[str, dict[str, list[Incoming]]]:
    """target language -> domain -> messages, in document order.

    ``cache``: the messages made by earlier syncs with the same reader."""
    cache = cache or IncomingCache()
    domains = docnames_to_domain(extraction.documents, project.gettext_compact)
    location = project.conf.get("gettext_location", True)
    groups: dict[tuple[str, str], list[Document]] = {}
    for docname in sorted(extraction.documents):
        document = extraction.documents[docname]
        for target in project.targets_of(document.language):
            groups.setdefault((target, domains[docname]), []).append(document)
    result: dict[str, dict[str, list[Incoming]]] = {}
    for (target, domain), documents in groups.items():
        result.setdefault(target, {})[domain] = cache.messages((project.root, target, domain), documents, location)
    return result


def _unique(messages: list[Incoming]) -> list[Incoming]:
    seen: dict[str, Incoming] = {}
    for m in messages:
        if m.msgid in seen:
            merged = tuple(dict.fromkeys(seen[m.msgid].occurrences + m.occurrences))
            seen[m.msgid] = Incoming(m.msgid, merged)
        else:
            seen[m.msgid] = m
    return list(seen.values())


def messages_key(messages: list[Incoming]) -> str:
    """What identifies a catalog's incoming messages (their French, in order, and locations)."""
    known = getattr(messages, "key", None)
    if known is not None:
        return known
    key = entries_key([(None, msgid, occurrences) for msgid, occurrences in messages])
    if isinstance(messages, Messages):
        messages.key = key
    return key


def entries_key(entries: list[tuple[str | None, str, tuple[tuple[str, str], ...]]]) -> str:
    """The key of (context, French, locations) entries: equal for the same entries in the same order."""
    return hashlib.blake2b(repr(entries).encode("utf-8"), digest_size=16).hexdigest()
