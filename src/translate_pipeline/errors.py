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


class CatalogChanged(PipelineError):
    """Catalogs changed on disk since they were read (a person saved them): none was written.

    ``paths`` are the files that changed. A writer merges again from the new
    files (``sync``), applies its changes to them (``draft``), or stops.
    """

    exit_code = 3

    def __init__(self, paths: list[Path], command: str = "the command") -> None:
        self.paths = [Path(path) for path in paths]
        self.command = command
        names = ", ".join(str(path) for path in self.paths)
        super().__init__(
            f"{names} changed on disk while {command} ran (saved in a PO editor, by git or by "
            "another tool); nothing was overwritten: run it again"
        )


class LockedError(PipelineError):
    """Another run holds the project's lock."""


class ExtractError(PipelineError):
    """Sphinx could not read the sources."""


class PublishError(PipelineError):
    """Sphinx could not build a site."""
