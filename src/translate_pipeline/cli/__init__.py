"""The ``translate-pipeline`` command. Only this package prints and picks exit codes.

:mod:`.group` holds the group, its options and the exit codes;
:mod:`.commands` the commands; :mod:`.printing` what each prints.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from ..errors import LockedError, PipelineError
from . import commands  # noqa: F401 - registers the commands on the group
from .group import (
    EXIT_CHECK_FAILED,
    EXIT_ENGINE,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    cli,
)
from .printing import DraftProgressBar, ProgressBar

DEBUG_VARIABLE = "TRANSLATE_PIPELINE_DEBUG"  # set: an unexpected error also prints its traceback

__all__ = [
    "EXIT_CHECK_FAILED", "EXIT_ENGINE", "EXIT_INPUT", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_LOCKED", "EXIT_OK",
    "DraftProgressBar", "ProgressBar", "cli", "main", "run",
]


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (for tests and ``main``)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="translate-pipeline", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return EXIT_INPUT
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("Interrupted; catalogs already written are complete, the others untouched.", err=True)
        return EXIT_INTERRUPTED
    except LockedError as error:
        click.echo(f"translate-pipeline: {error}", err=True)
        return EXIT_LOCKED
    except PipelineError as error:
        click.echo(f"translate-pipeline: {error}", err=True)
        return error.exit_code
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_INPUT
    except OSError as error:  # a file the run needs cannot be read or written
        where = f"{error.filename}: " if error.filename else ""
        click.echo(f"translate-pipeline: {where}{error.strerror or error}; check that the file exists "
                   "and that you may read and write it, then run again", err=True)
        return EXIT_INPUT
    except Exception as error:  # noqa: BLE001 - the last resort: a short message, never a traceback
        frame = traceback.extract_tb(error.__traceback__)[-1]
        click.echo(f"translate-pipeline: unexpected error: {type(error).__name__}: {error} "
                   f"(in {Path(frame.filename).name}:{frame.lineno}); the catalogs written before are "
                   f"complete, the others untouched; please report it with the command you ran "
                   f"(set {DEBUG_VARIABLE}=1 to see where it happened)", err=True)
        if os.environ.get(DEBUG_VARIABLE):
            traceback.print_exception(error)
        return EXIT_INTERNAL
    return EXIT_OK


def main() -> None:
    from ..children import stop_on_sigterm, watch_forks

    watch_forks()  # no process of this run outlives it
    stop_on_sigterm()
    code = run()
    # Every file is written and closed by now. Ending the process at once
    # skips freeing the parsed catalogs and Sphinx's environment one object
    # at a time, a quarter of a second on a large site.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # e.g. the reader of a pipe went away
        sys.exit(code)
    # Ending at once also skips what stops the processes an extension started
    # in this one (sphinx-sitemap's multiprocessing Manager, started while
    # the sync reads the pages): they are stopped here, not left behind.
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is not None:
        for child in multiprocessing.active_children():
            child.terminate()
            child.join(1)
    os._exit(code)
