"""Data kept per document in Sphinx's environment, and how Sphinx reads.

Sphinx saves its environment between runs and, after reading documents in
parallel processes, merges what each process found. A :class:`PerDocument`
store follows both: connect its ``purge`` and ``merge`` to the
``env-purge-doc`` and ``env-merge-info`` events.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class PerDocument:
    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __call__(self, env: Any) -> dict[str, Any]:
        """The store of ``env``: docname -> data."""
        if not hasattr(env, self.attribute):
            setattr(env, self.attribute, {})
        return getattr(env, self.attribute)

    def purge(self, _app: Any, env: Any, docname: str) -> None:
        self(env).pop(docname, None)

    def merge(self, _app: Any, env: Any, docnames: Iterable[str], other: Any) -> None:
        mine, theirs = self(env), self(other)
        for docname in docnames:
            if docname in theirs:
                mine[docname] = theirs[docname]


# Sphinx (since 8) starts its reading processes whatever the number of pages;
# starting them costs more than reading a few pages in one process.
PAGES_PER_PROCESS = 5


def read_few_serially(app: Any, _env: Any, docnames: list[str]) -> None:
    """``env-before-read-docs``: read in one process when there are few pages to read."""
    if app.parallel > 1 and len(docnames) < PAGES_PER_PROCESS * app.parallel:
        app.parallel = 1
