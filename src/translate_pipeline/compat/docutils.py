"""docutils internals the tool relies on (checked with docutils 0.21 and 0.22)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def roles_and_directives_kept() -> Iterator[None]:
    """Put docutils' registries of roles and directives back as they were after the block.

    A ``.. role::`` or ``.. default-role::`` in a parsed text registers a role
    for the whole process, in the module dictionaries ``roles._roles`` and
    ``directives._directives`` (docutils 0.13 to 0.22); docutils' own
    ``Parser.parse`` restores only the default role.
    """
    from docutils.parsers.rst import directives, roles

    known = dict(roles._roles), dict(directives._directives)
    try:
        yield
    finally:
        for registry, saved in zip((roles._roles, directives._directives), known, strict=True):
            registry.clear()
            registry.update(saved)
