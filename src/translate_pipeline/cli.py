"""The ``translate-pipeline`` command. Only this module prints and picks exit codes."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

import click

from . import __version__
from .errors import LockedError, PipelineError
from .settings import Project, load_project

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_INPUT = 2
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """\b
Exit codes:
  0  success
  1  a check failed (status --check: the publish policy is not met)
  2  bad input: settings, conf.py, a malformed .po (the message names file and line)
  3  another run holds the project's lock
  130 interrupted (Ctrl-C); catalogs are left as they were before the run
"""


class Context:
    def __init__(self, directory: str, overrides: tuple[str, ...]) -> None:
        self.directory = directory
        self.overrides = list(overrides)
        self._project: Project | None = None

    @property
    def project(self) -> Project:
        if self._project is None:
            self._project = load_project(self.directory, self.overrides)
        return self._project


pass_context = click.make_pass_decorator(Context)

def _set_directory(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(Context).directory = value
        ctx.find_object(Context)._project = None


directory_option = click.option(
    "-C",
    "directory",
    metavar="DIR",
    expose_value=False,
    is_eager=True,
    callback=_set_directory,
    help="Run on the project in DIR (the folder holding conf.py).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (for scripts).")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "directory",
    default=".",
    metavar="DIR",
    help="Run on the project in DIR (the folder holding conf.py) instead of the current one.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a [tool.translate-pipeline] setting for this run, e.g. --set policy.max_stale=0.",
)
@click.version_option(__version__, prog_name="translate-pipeline")
@click.pass_context
def cli(ctx: click.Context, directory: str, overrides: tuple[str, ...]) -> None:
    """French/English publishing: catalogs that follow the French, drafts, sites.

    \b
    An editor's loop:
      translate-pipeline sync     catalogs follow the French pages
      translate-pipeline status   what is reviewed, machine, stale, untranslated

    Works in any Sphinx project (a folder with conf.py). Pages written in
    French are in source/fr/ (or, for an existing project, next to conf.py);
    pages written in English in source/en/. Catalogs live in
    locale/<lang>/LC_MESSAGES/, one .po per document. Settings are read from
    [tool.translate-pipeline] in pyproject.toml.
    """
    ctx.obj = Context(directory, overrides)


@cli.command(epilog=EXIT_CODES_HELP)
@directory_option
@json_option
@quiet_option
@click.option("--wait", type=float, default=0, metavar="SECONDS", help="Wait this long for another run to finish (default: do not wait).")
@pass_context
def sync(ctx: Context, as_json: bool, quiet: bool, wait: float) -> None:
    """Make the catalogs follow the original pages.

    Sphinx reads the pages (only those changed since the last run) and every
    catalog is merged: unchanged text keeps its translation and state; changed
    text gets the old translation flagged as stale (fuzzy, with the previous
    original kept as #| msgid); text that is gone keeps its translation in the
    catalog's obsolete section (#~). Nothing translated is ever deleted. A
    catalog whose page was deleted is kept and reported as orphaned. Catalogs
    that do not change are not written.
    """
    from .sync import sync as run_sync

    project = ctx.project
    _progress(quiet or as_json, "Reading the pages with Sphinx…")
    result = run_sync(project, wait=wait, parallel=_parallel())
    if as_json:
        _print_json(result.as_dict())
        return
    for line in result.warnings:
        click.echo(line, err=True)
    if quiet:
        return
    data = result.as_dict()
    cats, entries = data["catalogs"], data["entries"]
    click.echo(
        f"Catalogs: {cats['created']} created, {cats['updated']} updated, {cats['unchanged']} unchanged"
        f" ({result.documents_read} page(s) read again)"
    )
    click.echo(
        f"Entries: {entries['new']} new, {entries['stale']} stale, "
        f"{entries['reused']} reused from other catalogs, {entries['obsolete']} obsolete"
    )
    for report in result.catalogs:
        if report.action != "unchanged":
            click.echo(f"  {report.action:8} {report.path}")
    if result.orphaned:
        click.echo("Orphaned catalogs (their page is gone; kept, delete them by hand if unwanted):")
        for path in result.orphaned:
            click.echo(f"  {path}")


@cli.command(epilog=EXIT_CODES_HELP)
@directory_option
@json_option
@click.option("--stale", "show_stale", is_flag=True, help="Show each stale entry with a word diff of the original.")
@click.option("--check", "check_policy", is_flag=True, help="Exit with 1 when the publish policy is not met.")
@click.argument("documents", nargs=-1, metavar="[DOC]...")
@pass_context
def status(ctx: Context, as_json: bool, show_stale: bool, check_policy: bool, documents: tuple[str, ...]) -> None:
    """Show what is reviewed, machine-drafted, stale and untranslated.

    Counts entries and words per document and per language, lists orphaned
    catalogs and pages not synced yet. DOC limits the listing to those pages
    (docnames such as index or rapports/2014-02-reunion-ministre).

    With --check, the publish policy of [tool.translate-pipeline.policy]
    (min_reviewed percent of words, max_stale, max_untranslated entries) is
    checked and the exit code is 1 when it is not met, so CI can gate on it.
    """
    from .status import check, status as run_status

    project = ctx.project
    report = run_status(project, list(documents) or None)
    problems = check(report, project.settings.policy) if check_policy else []
    if as_json:
        data = report.as_dict(with_stale=show_stale)
        if check_policy:
            data["check"] = {"passed": not problems, "problems": problems}
        _print_json(data)
    else:
        _print_status(report, show_stale)
        for problem in problems:
            click.secho(f"policy not met: {problem}", fg="red", err=True)
        if check_policy and not problems:
            click.echo("Publish policy met.")
    if problems:
        raise SystemExit(EXIT_CHECK_FAILED)


def _print_status(report, show_stale: bool) -> None:
    from .catalog import State

    names = [f"{item.language}/{item.domain}" for item in report.catalogs]
    width = max([len(n) for n in names] + [len("catalog"), 10]) + 1

    def row(name: str, t) -> str:
        return (
            f"{name:{width}} {t.entries[State.REVIEWED]:>8} {t.entries[State.MACHINE]:>8} "
            f"{t.entries[State.STALE]:>6} {t.entries[State.UNTRANSLATED]:>9} {t.reviewed_percent:>9.0f}%"
        )

    click.echo(f"{'catalog':{width}} {'reviewed':>8} {'machine':>8} {'stale':>6} {'untransl.':>9} {'words rev.':>10}")
    for name, item in zip(names, report.catalogs, strict=True):
        click.echo(row(name, item.tally))
    for language, t in sorted(report.totals().items()):
        click.secho(row(f"total {language}", t), bold=True)
    for path in report.orphaned:
        click.echo(f"orphaned: {path} (its page is gone)")
    for path in report.unsynced:
        click.echo(f"not synced yet: {path} (run translate-pipeline sync)")
    if not show_stale:
        return
    for item in report.catalogs:
        for entry in item.stale:
            since = f", French changed on {entry.since}" if entry.since else ""
            click.secho(f"\n{item.path}:{entry.line or '?'}: stale{since}", bold=True)
            click.echo("  " + "".join(_styled(op, text) for op, text in entry.diff()))
            click.echo(f"  translation: {entry.msgstr}")


def _styled(op: str, text: str) -> str:
    if op == "-":
        return click.style(f"[-{text}-]", fg="red")
    if op == "+":
        return click.style(f"{{+{text}+}}", fg="green")
    return text


def _print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _progress(silent: bool, message: str) -> None:
    if not silent and sys.stderr.isatty():
        click.echo(message, err=True)


def _parallel() -> int:
    return max(1, min(2, os.cpu_count() or 1))


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
    return EXIT_OK


def main() -> None:
    sys.exit(run())
