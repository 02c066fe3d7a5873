"""The project's own errors. Library code raises these; only the CLI prints them."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Base of every error the tool reports to its user.

    ``str(error)`` is the one-line message shown to the user: it says what is
    wrong and, where it can, what to do.
    """

    exit_code = 2


class SettingsError(PipelineError):
    """The project's settings (pyproject.toml, conf.py, the layout) are unusable."""


class CatalogError(PipelineError):
    """A .po file cannot be read or written; carries ``path`` and ``line``."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


class LockedError(PipelineError):
    """Another run holds the project's lock."""


class ExtractError(PipelineError):
    """Sphinx could not read the sources."""


class PublishError(PipelineError):
    """Sphinx could not build a site."""
