"""Sphinx internals the tool relies on (checked with Sphinx 8.2 and 9.0).

A Sphinx application is normally built once per process; ``serve`` and
``publish``'s build processes keep one for many builds, and the Sphinx
extension needs to know, while reading, which builder the pages are read
for. Sphinx offers no public way to do either, hence these functions.
"""

from __future__ import annotations

import gettext
from typing import Any


def builder_class(env: Any) -> type | None:
    """The class of the builder the environment reads for (None: unknown).

    Sphinx 9 keeps it as ``env._builder_cls`` and deprecates ``env.app``
    (sphinx-doc/sphinx#13072; no public way yet: sphinx-doc/sphinx#14136);
    Sphinx 8.2 has no ``_builder_cls`` but a public ``env.app``.
    """
    known = getattr(env, "_builder_cls", None)
    if known is not None:
        return known
    app = vars(env).get("app")  # Sphinx 8.2: an attribute (in 9, a deprecated property: not in vars)
    builder = getattr(app, "builder", None)
    return type(builder) if builder is not None else None


def in_substitution_definition(node: Any) -> bool:
    """Whether ``node`` is inside a substitution definition, as Sphinx's gettext builder asks.

    ``sphinx.builders.gettext._is_node_in_substitution_definition`` (Sphinx 7.1
    to 9): the catalogs must hold exactly the messages Sphinx's own builder
    collects, so its test is used rather than a copy of it.
    """
    from sphinx.builders.gettext import _is_node_in_substitution_definition

    return _is_node_in_substitution_definition(node)


def ready_for_another_build(app: Any) -> None:
    """Let a Sphinx application that has built once build again, as a new one would.

    Sphinx remembers, from when the application was set up, whether the
    configuration had changed since the last build (``env.config_status``,
    Sphinx 1.x to 9); it had not by now.
    """
    from sphinx.environment import CONFIG_OK

    app.env.config_status = CONFIG_OK
    app.env.config_status_extra = ""


def interface_translations() -> dict[Any, Any]:
    """A copy of the translations Sphinx loaded for its own interface.

    ``sphinx.locale.translators`` (Sphinx 1.8 to 9) is the process-wide
    cache of every catalog Sphinx loaded, keyed by (namespace, catalog).
    """
    import sphinx.locale

    return dict(sphinx.locale.translators)


def forget_translations(keep: dict[Any, Any] | None = None) -> None:
    """Forget the translations Sphinx and gettext loaded; keep only ``keep`` (see :func:`interface_translations`).

    Sphinx caches the catalogs it loaded (``sphinx.locale.translators``), and
    gettext caches each .mo file by path (``gettext._translations``, CPython
    3.x): a build after a catalog changed must read it again. No public way
    to reset either.
    """
    import sphinx.locale

    sphinx.locale.translators.clear()
    gettext._translations.clear()  # type: ignore[attr-defined]
    if keep:
        sphinx.locale.translators.update(keep)


def forget_asset_checksums() -> None:
    """Forget the checksums of the assets the pages link to (``style.css?v=...``).

    ``sphinx.builders.html._assets._file_checksum_inner`` is a
    ``functools.cache`` for the whole process (Sphinx 7.4 to 9): a build
    kept loaded would link to an asset changed since with its old checksum.
    """
    try:
        from sphinx.builders.html._assets import _file_checksum_inner
    except ImportError:  # another Sphinx: nothing kept, or kept elsewhere
        return
    cache_clear = getattr(_file_checksum_inner, "cache_clear", None)
    if cache_clear is not None:
        cache_clear()


def replaces_undecodable_bytes() -> bool:
    """Whether Sphinx reads a page that is not in its encoding on, with "?" for the bytes it cannot decode.

    Sphinx 8.2 decodes pages with an error handler of its own
    (``sphinx.builders._UnicodeDecodeErrorHandler``) that only warns;
    Sphinx 9 reads them strictly and stops (``UnicodeDecodeError``).
    """
    import sphinx.builders

    return hasattr(sphinx.builders, "_UnicodeDecodeErrorHandler")
