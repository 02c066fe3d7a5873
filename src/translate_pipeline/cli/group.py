"""The command group, its options (each defined once) and the exit codes.

``-C DIR`` and ``--set KEY=VALUE`` belong to every command: they are
accepted before the command's name and after it, and both places fill the
same :class:`Context`. A new command is one function decorated with
:func:`command` (plus the options of its own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .. import __version__
from ..project.settings import Project, load_project

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_INPUT = 2
EXIT_LOCKED = 3
EXIT_ENGINE = 4
EXIT_INTERNAL = 5
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """\b
Exit codes:
  0  success
  1  a check failed (status --check: the publish policy is not met, or a
     translation refers to what its original does not)
  2  bad input: settings, conf.py, a malformed .po (the message names file and line)
  3  another run holds the project's lock, or a catalog kept changing on
     disk while the command ran (nothing was overwritten: run it again)
  4  the engine stopped the run (draft: quota used up, key refused, service
     down); the drafts received before are written to the catalogs
  5  an unexpected error in the tool itself (please report it);
     TRANSLATE_PIPELINE_DEBUG=1 shows where it happened
  130 interrupted (Ctrl-C); catalogs are left as they were before the run
     (draft: the drafts received before are written)
"""


class Context:
    """What the global options say, and the project they designate (read once, when first asked for)."""

    def __init__(self, directory: str = ".", overrides: tuple[str, ...] = ()) -> None:
        self.directory = directory
        self.overrides = list(overrides)
        self._project: Project | None = None

    @property
    def project(self) -> Project:
        if self._project is None:
            self._project = load_project(self.directory, self.overrides)
        return self._project


pass_context = click.make_pass_decorator(Context, ensure=True)


def _set_directory(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(Context).directory = value  # after the command's name: instead of the one before


def _add_overrides(ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> None:
    ctx.ensure_object(Context).overrides.extend(value)  # after the command's name: after those before it


def global_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``-C`` and ``--set``: on the group and on every command, so they go before or after the command's name."""
    function = click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        expose_value=False,
        callback=_add_overrides,
        help="Override a [tool.translate-pipeline] setting for this run, e.g. --set policy.max_stale=0 "
        "(repeat for several).",
    )(function)
    return click.option(
        "-C",
        "directory",
        metavar="DIR",
        expose_value=False,
        is_eager=True,  # before --set, whichever comes first on the line
        callback=_set_directory,
        help="Run on the project in DIR (the folder holding conf.py) instead of the current one.",
    )(function)


wait_option = click.option(
    "--wait",
    type=float,
    default=0,
    metavar="SECONDS",
    help="Wait this long for another run to finish (default: do not wait).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (for scripts).")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.version_option(__version__, prog_name="translate-pipeline")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """French/English publishing: catalogs that follow the French, drafts, sites.

    \b
    An editor's loop:
      translate-pipeline sync     catalogs follow the French pages
      translate-pipeline draft    machine drafts of what is new or changed
      translate-pipeline status   what is reviewed, machine, stale, untranslated
      translate-pipeline publish  the French and English sites, every translation marked

    Works in any Sphinx project (a folder with conf.py). Pages written in
    French are in source/fr/ (or, for an existing project, next to conf.py);
    pages written in English in source/en/. Catalogs live in
    locale/<lang>/LC_MESSAGES/, one .po per document. Settings are read from
    [tool.translate-pipeline] in pyproject.toml (next to conf.py, or in a
    folder above it up to the repository's root). The pages' language is
    conf.py's (none: English) unless source_language says otherwise.

    -C and --set go before or after the command's name.
    """
    ctx.ensure_object(Context)


def command(function: Callable[..., Any]) -> click.Command:
    """A command of the group: the global options, the exit codes in its help, the :class:`Context` first."""
    return cli.command(epilog=EXIT_CODES_HELP)(global_options(pass_context(function)))
