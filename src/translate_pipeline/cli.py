"""The ``translate-pipeline`` command. Only this module prints and picks exit codes."""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from collections.abc import Sequence

import click

from . import __version__
from .errors import LockedError, PipelineError
from .plural import counted
from .project.settings import Project, load_project

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_INPUT = 2
EXIT_LOCKED = 3
EXIT_ENGINE = 4
EXIT_INTERNAL = 5
EXIT_INTERRUPTED = 130
DEBUG_VARIABLE = "TRANSLATE_PIPELINE_DEBUG"  # set: an unexpected error also prints its traceback
LIST_LIMIT = 15  # catalogs listed one by one in a summary

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
    """
    ctx.obj = Context(directory, overrides)


@cli.command(epilog=EXIT_CODES_HELP)
@directory_option
@json_option
@quiet_option
@wait_option
@pass_context
def sync(ctx: Context, as_json: bool, quiet: bool, wait: float) -> None:
    """Make the catalogs follow the original pages.

    Sphinx reads the pages (only those changed since the last run) and every
    catalog is merged: unchanged text keeps its translation and state; changed
    text gets the old translation flagged as stale (fuzzy, with the previous
    original kept as #| msgid); text that is gone keeps its translation in the
    catalog's obsolete section (#~). Nothing translated is ever deleted. An
    entry a translator approved (its fuzzy flag cleared, in any PO editor)
    loses its #| previous original and the comments the tool wrote on it
    ("stale:", "draft:", "draft check:", "draft check failed:", "glossary:");
    comments written by people stay. A
    catalog whose page was deleted is kept and reported as orphaned. Catalogs
    that do not change are not written.

    A catalog saved while sync runs (a PO editor, git pull, Weblate) is never
    overwritten: right before replacing a catalog, sync checks that it is
    still the file it read, and otherwise merges again from the saved file.
    When a run died while writing catalogs, the next one completes its
    writes, but only onto the catalogs they were made from; a catalog saved
    since stays as saved, and the pending version is set aside next to it
    (X.po.pending-TIME), as this command and status say.
    """
    from .catalogs.sync import sync as run_sync

    project = ctx.project
    with ProgressBar("Reading pages", silent=quiet or as_json) as bar:
        result = run_sync(project, wait=wait, parallel=_parallel(), progress=bar.update)
    if as_json:
        _print_json(result.as_dict())
        return
    for line in result.warnings:
        click.echo(line, err=True)
    data = result.as_dict()
    _print_concurrency(data, "sync")
    if quiet:
        return
    cats, entries = data["catalogs"], data["entries"]
    click.echo(
        f"Catalogs: {cats['created']} created, {cats['updated']} updated, {cats['unchanged']} unchanged ("
        + counted(result.documents_read, "%(count)d page read again", "%(count)d pages read again") + ")"
    )
    click.echo(
        f"Entries: {entries['new']} new, {entries['stale']} stale, "
        f"{entries['reused']} reused from other catalogs, {entries['obsolete']} obsolete"
    )
    if data["approved"]:
        click.echo(counted(data["approved"],
                           "Approved: %(count)d entry lost its previous original (#|) and draft/stale comments",
                           "Approved: %(count)d entries lost their previous original (#|) and draft/stale comments"))
    changed = [r for r in result.catalogs if r.action != "unchanged"]
    for report in changed[:LIST_LIMIT]:
        click.echo(f"  {report.action:8} {report.path}")
    if len(changed) > LIST_LIMIT:
        click.echo(f"  … and {len(changed) - LIST_LIMIT} more (--json lists them all)")
    if result.orphaned:
        click.echo("Orphaned catalogs (their page is gone; kept, delete them by hand if unwanted):")
        for path in result.orphaned:
            click.echo(f"  {path}")


@cli.command(epilog=EXIT_CODES_HELP)
@directory_option
@json_option
@quiet_option
@click.option(
    "--engine",
    "engines",
    multiple=True,
    metavar="NAME",
    help="Use this engine for this run: memory or deepl (repeat to try several in order). "
    "Default: the 'engines' setting, in order.",
)
@click.option("--dry-run", is_flag=True, help="Send nothing, write nothing: say how many segments and characters would be billed.")
@wait_option
@click.argument("documents", nargs=-1, metavar="[DOC]...")
@pass_context
def draft(
    ctx: Context, as_json: bool, quiet: bool, engines: tuple[str, ...], dry_run: bool, wait: float,
    documents: tuple[str, ...],
) -> None:
    """Machine-translate what is new or changed, as drafts for a translator.

    Drafts every untranslated entry, and drafts again the machine drafts whose
    original changed since (sync flags them). Reviewed and stale entries (a
    translator's words) are never touched. Both directions: locale/en from
    the French pages, locale/fr from the pages written in English. DOC limits
    the run to those pages (docnames, as status lists them, or file names
    such as news.md). reST and Markdown (MyST) pages alike: the markup of
    each page is kept out of what the engine translates.

    \b
    Engines, tried in order until one gives a draft:
      memory  reviewed translations of the catalogs (exact, or close enough);
              offline and free
      deepl   DeepL; the key from DEEPL_AUTH_KEY (never printed),
              DEEPL_SERVER_URL to use another server; the glossary
              (setting 'glossary') is copied to DeepL once and used

    Each draft is stored fuzzy, with a "# draft: ENGINE DATE" comment, for a
    translator to review. Every draft is checked against its original: a draft
    that loses a link, a reference or a literal is not stored (the entry keeps
    what it had, with a "# draft check failed:" comment saying what is wrong);
    a draft whose numbers (digits, number words, dates) differ from its
    original is stored with a "# draft check:" comment; glossary terms
    missing from a draft (in all the forms the glossary allows) are listed
    in a "# glossary:" comment.

    Cost: each distinct text is sent once, and only if no earlier run paid for
    it (drafts are cached in _build/translate-pipeline/drafts.sqlite), so a
    rerun, or a draft needed again after an entry was cleared, sends nothing.
    The summary (and --json) gives the segments sent, the characters billed
    and the requests made; --dry-run gives the segments and characters a run
    would send, without a key. The catalogs are written after each request,
    so when DeepL's quota runs out (exit code 4), the service fails or Ctrl-C
    stops the run, every draft received is kept, and the next run carries on.
    A catalog saved while draft runs is not overwritten: the drafts are
    added to the saved file, except on the entries the person changed.
    """
    from .drafting.draft import draft as run_draft
    from .drafting.draft import open_cache

    project = ctx.project
    cache = open_cache(project, create=not dry_run)
    try:
        with DraftProgressBar("Drafting", silent=quiet or as_json) as bar:
            result = run_draft(
                project, list(engines) or None, documents=list(documents) or None,
                cache=cache, dry_run=dry_run, wait=wait, progress=bar.update,
            )
    except KeyboardInterrupt:
        click.echo(
            "Interrupted: the drafts received so far are written to the catalogs; run draft again to "
            "carry on (what was already drafted is not sent again).",
            err=True,
        )
        raise SystemExit(EXIT_INTERRUPTED) from None
    finally:
        if cache is not None:
            cache.close()
    if as_json:
        _print_json(result.as_dict())
    else:
        _print_concurrency(result.as_dict(), "draft")
        if not quiet:
            _print_draft(result)
    if result.stopped:
        drafted = sum(result.drafted().values())
        kept = counted(
            drafted, "The entry drafted before is written to its catalog; run",
            "The %(count)d entries drafted before are written to the catalogs; run",
        ) if drafted else "Run"
        click.secho(
            f"translate-pipeline: stopped: {result.stopped}. {kept} draft again later to carry on"
            " (nothing drafted is sent twice).",
            fg="red",
            err=True,
        )
        raise SystemExit(EXIT_ENGINE)


def _print_sent(result) -> None:
    """What was (or would be) sent to paying engines; nothing when only free ones were asked."""
    if not result.paid:
        return
    segments, characters = result.total("segments"), result.total("characters")
    texts = counted(segments, "%(count)d segment", "%(count)d segments")
    billed = counted(characters, "%(count)d character billed", "%(count)d characters billed")
    if result.dry_run:
        click.echo(f"Would send: {texts}, {billed}.")
    else:
        requests = counted(result.total("requests"), "%(count)d request", "%(count)d requests")
        click.echo(f"Sent: {texts}, {billed}, {requests}.")


def _print_draft(result) -> None:
    if result.dry_run:
        click.echo("Dry run: nothing sent, nothing written.")
    for report in result.languages:
        drafted = sum(report.drafted.values())
        engines = ", ".join(f"{name} {count}" for name, count in sorted(report.drafted.items()))
        cached = f"; {report.cached} from the cache" if report.cached else ""
        details = f" ({engines}{cached})" if drafted else ""
        redraft = counted(
            report.redraft, " (%(count)d machine draft whose original changed)",
            " (%(count)d machine drafts whose original changed)",
        ) if report.redraft else ""
        if result.dry_run:
            done = f"{drafted} drafted without sending anything{details}" + (", " + counted(
                report.segments, "%(count)d text to send", "%(count)d texts to send") if result.paid else "")
        else:
            done = f"{drafted} drafted{details}, {report.left} left"
        pending = counted(report.pending, "%(count)d entry to draft", "%(count)d entries to draft")
        click.echo(f"{report.language} (from {report.source_language}): {pending}{redraft}; {done}")
        for skipped in report.skipped:
            click.echo(f"  skipped {skipped}")
    _print_sent(result)
    failed = result.total("check_failed")
    if failed:
        click.echo(counted(
            failed, "Check failed: %(count)d entry got no draft (it lost markup); "
            "see '# draft check failed:' in its catalog.",
            "Check failed: %(count)d entries got no draft (it lost markup); "
            "see '# draft check failed:' in their catalogs.",
        ))
    if result.total("glossary_missing"):
        click.echo(counted(
            result.total("glossary_missing"), "Glossary terms missing in %(count)d draft; see '# glossary:'.",
            "Glossary terms missing in %(count)d drafts; see '# glossary:'.",
        ))
    if result.total("numbers_differ"):
        click.echo(counted(
            result.total("numbers_differ"), "Numbers differ from the original in %(count)d draft; see '# draft check:'.",
            "Numbers differ from the original in %(count)d drafts; see '# draft check:'.",
        ))
    left = result.total("left")
    if left and not result.dry_run and not result.stopped and not result.total("segments"):
        click.echo(counted(
            left, "%(count)d entry found nothing in the translation memory; with a DeepL key in "
            "DEEPL_AUTH_KEY, `translate-pipeline draft --engine deepl` drafts it "
            "(`--dry-run` first says what it would bill).",
            "%(count)d entries found nothing in the translation memory; with a DeepL key in "
            "DEEPL_AUTH_KEY, `translate-pipeline draft --engine deepl` drafts them "
            "(`--dry-run` first says what it would bill).",
        ))
    written = result.written()
    if written:
        click.echo(f"Catalogs written: {len(written)}")
        for path in written[:LIST_LIMIT]:
            click.echo(f"  {path}")
        if len(written) > LIST_LIMIT:
            click.echo(f"  … and {len(written) - LIST_LIMIT} more (--json lists them all)")


@cli.command(epilog=EXIT_CODES_HELP)
@directory_option
@json_option
@click.option("--stale", "show_stale", is_flag=True, help="Show each stale entry with a word diff of the original.")
@click.option("--check", "check_policy", is_flag=True, help="Exit with 1 when the publish policy is not met.")
@click.argument("documents", nargs=-1, metavar="[DOC]...")
@pass_context
def status(ctx: Context, as_json: bool, show_stale: bool, check_policy: bool, documents: tuple[str, ...]) -> None:
    """Show what is reviewed, machine-drafted, stale and untranslated.

    Counts entries and words per document and per language, lists the
    machine drafts to check (their "# draft check:" comment: numbers that
    differ from the original), orphaned catalogs and pages not synced yet,
    and says when a run was interrupted while writing catalogs (and which
    pending versions were set aside). DOC limits the listing to those pages
    (docnames such as index or
    rapports/2014-02-reunion-ministre, or file names such as actualites.md).

    A translation that refers to what its original does not (a URL, a
    link target, a footnote, a substitution, a directive) is listed as a
    failed check with its catalog:line: publish shows the original instead.

    With --check, the publish policy of [tool.translate-pipeline.policy]
    (min_reviewed percent of words, max_stale, max_untranslated entries) is
    checked, and so are the translations' references: the exit code is 1
    when either fails, so CI can gate on it.
    """
    from .catalogs.status import check, status as run_status

    project = ctx.project
    report = run_status(project, list(documents) or None)
    problems = check(report, project.settings.policy) if check_policy else []
    if as_json:
        data = report.as_dict(with_stale=show_stale)
        if check_policy:
            data["check"] = {"passed": not problems, "problems": problems}
        _print_json(data)
    else:
        _print_status(report, show_stale, project, failed_checks=not check_policy)  # --check lists them below
        for problem in problems:
            click.secho(f"policy not met: {problem}", fg="red", err=True)
        if check_policy and not problems:
            click.echo("Publish policy met.")
    if problems:
        raise SystemExit(EXIT_CHECK_FAILED)


@cli.command(epilog=EXIT_CODES_HELP)
@directory_option
@json_option
@quiet_option
@wait_option
@click.option("--no-pdf", "no_pdf", is_flag=True,
              help="Make no PDF this time: HTML only, the pages link to no PDF; PDFs of an earlier publish are deleted.")
@pass_context
def publish(ctx: Context, as_json: bool, quiet: bool, wait: float, no_pdf: bool) -> None:
    """Build the sites: every page in every language, translations marked.

    \b
    Runs sync, then Sphinx (one process per language, in parallel):
      _build/site/fr/, _build/site/en/   the same pages in each language
      _build/site/index.html             sends readers to their language
      _build/site/sitemap.xml            every page with its hreflang alternates
      _build/site/LANG/translation-status.html   the editor's view
      _build/site/LANG/PAGE.pdf          each page as a PDF, next to it
      _build/site/LANG/PROJECT-LANG.pdf  the whole site as one PDF

    The PDFs have a print layout of their own (not the site's theme). Each
    page is laid out once, in parallel processes; the whole site's PDF is
    put together from those pages. A page that cannot be laid out, or takes
    longer than pdf.timeout seconds, is named and left out. --no-pdf also
    deletes the PDFs of an earlier publish.

    In a language a page is not written in, each paragraph shows the state
    of its translation: reviewed as is; machine translated and outdated ones
    marked (or the original instead, with policy.machine or policy.stale =
    "source"); not yet translated ones in the original, marked. A
    translation that refers to what its original does not (another URL or
    link target, a footnote, a directive) is not shown either: the original
    is, marked, with a warning naming the catalog and line. A page not
    fully reviewed opens with a banner (policy.banner); under
    policy.page_threshold percent of reviewed words it is replaced by a
    notice linking to the original. Set html_baseurl in conf.py to the
    sites' root URL for absolute links in the sitemap.

    When `translate-pipeline serve` runs for the project, the publish runs
    there, with Sphinx already loaded (a server that does not answer within
    3 s, or --wait, is left alone: the publish runs here, with a message).
    One publish of a project at a time: another one waits --wait seconds,
    then exits with 3.

    Rebuilds only what changed: the pages whose source, or whose published
    catalog (a translation, a state, what policy.machine or policy.stale
    shows), changed; a new page_threshold or banner setting writes every
    page again without reading it.
    When Sphinx fails to build a site, the exit code is 2.
    """
    from .publishing.server import publish_remotely

    silent = quiet or as_json or not sys.stderr.isatty()
    progress = None if silent else lambda line: click.echo(line, err=True)
    pdf = False if no_pdf else None
    # The project's server reads conf.py and the settings itself, and answers
    # with the report as plain data (the same as --json prints).
    data = publish_remotely(Path(ctx.directory).resolve(), ctx.overrides, wait, pdf, progress or (lambda _line: None),
                            warn=lambda line: click.echo(f"translate-pipeline: {line}", err=True))
    if data is None:  # no server for this project: publish here
        from .publishing.publish import publish as run_publish

        data = run_publish(ctx.project, wait=wait, progress=progress, pdf=pdf).as_dict()
    if as_json:
        _print_json(data)
        return
    made = data["pdf"]
    for line in (w for compiled in data["catalogs_compiled"].values() for w in compiled.get("warnings", [])):
        click.echo(line, err=True)  # translations refused when the catalogs were compiled
    for warning in _combined_warnings(data):
        click.echo(warning["message"] + _sites_named(warning["languages"]), err=True)
    for line in made["warnings"] if made else []:
        click.echo(line, err=True)
    _print_concurrency(data["sync"], "publish")
    if quiet:
        return
    click.echo(counted(len(data["sites"]), "Published %(count)d site in %(seconds).1fs:",
                       "Published %(count)d sites in %(seconds).1fs:", seconds=data["seconds"]))
    for site in data["sites"]:
        marks = site["marks"]
        extra = []
        if site["banners"]:
            extra.append(f"{site['banners']} with a banner")
        if site["notices"]:
            extra.append(f"{site['notices']} replaced by a notice")
        click.echo(
            f"  {site['language']:3} {site['path'] + '/':18} "
            + counted(site["pages"], "%(count)d page", "%(count)d pages") + f" ({site['read']} read again); "
            f"passages marked: {marks.get('machine', 0)} machine translated, {marks.get('stale', 0)} outdated, "
            f"{marks.get('untranslated', 0)} not yet translated" + (f"; pages: {', '.join(extra)}" if extra else "")
        )
    for language in made["languages"] if made else []:
        line = f"  {language['language']:3} PDFs: " + counted(
            language["pages"], "%(made)d of %(count)d page made again", "%(made)d of %(count)d pages made again",
            made=language["made"])
        if language["site"]:
            line += f"; whole site: {language['site']} " + (
                "(" + counted(language["site_pages"], "%(count)d page", "%(count)d pages") + ")"
                if language["site_made"] else "(unchanged)")
        click.echo(line)
    if data.get("pdf_removed"):
        click.echo(f"  Removed {data['pdf_removed']} PDF(s) of an earlier publish: the pages link to no PDF.")
    click.echo(f"Open {data['root']} (sitemap: {data['sitemap']}; status: <site>/translation-status.html)")
    if not data["site_root"]:
        click.echo("The sitemap and the language alternates hold relative URLs, which search engines ignore: "
                   "set html_baseurl in conf.py to the URL of the folder holding the sites.")


def _combined_warnings(data: dict) -> list[dict]:
    """Each warning of the publish once, with the sites it concerns (what --json gives as "warnings")."""
    from .publishing.buildlog import combine

    return combine(data["sync"]["warnings"], {site["language"]: site["warnings"] for site in data["sites"]})


def _sites_named(languages: list[str]) -> str:
    """" (fr and en sites)": the sites a warning concerns; nothing for a warning of reading the pages."""
    if not languages:
        return ""
    names = languages[0] if len(languages) == 1 else f"{', '.join(languages[:-1])} and {languages[-1]}"
    return " (" + counted(len(languages), "%(names)s site", "%(names)s sites", names=names) + ")"


@cli.command(epilog=EXIT_CODES_HELP)
@directory_option
@click.option("--port", type=int, default=8000, show_default=True,
              help="Serve the sites at http://127.0.0.1:PORT/ (0: any free port).")
@click.option("--no-http", "no_http", is_flag=True, help="Serve no pages; only keep Sphinx loaded for publish.")
@click.option("--no-watch", "no_watch", is_flag=True,
              help="No live preview: publish only when `translate-pipeline publish` asks.")
@pass_context
def serve(ctx: Context, port: int, no_http: bool, no_watch: bool) -> None:
    """Keep Sphinx loaded for this project, so publish takes a moment; preview it live.

    \b
    While it runs (until Ctrl-C), every `translate-pipeline publish` of the
    project runs in it: Sphinx stays loaded, with each language's site, and
    a publish after a small edit redoes only what changed in a fraction of
    a second. It also serves _build/site/ at http://127.0.0.1:PORT/ for
    previewing. conf.py and the settings are read again at each publish;
    after upgrading translate-pipeline, start it again.

    \b
    Live preview (unless --no-watch or --no-http): it publishes at start,
    then whenever a page, a catalog, the glossary, pyproject.toml or
    conf.py is saved (a burst of saves is one change), the HTML first and
    the PDFs after, in the background (not at all when another change
    comes first). Every page open in a browser reloads itself, staying
    where the reader was; when publishing fails (a malformed .po, a Sphinx
    error), the pages show the message, with its file and line, until it
    is fixed. The script doing this is added to the pages as they are
    served: the files of _build/site/ do not have it. --set applies to
    these publishes.
    """
    from .publishing.server import serve as run_server

    project = ctx.project
    try:
        run_server(project.root, None if no_http else port, lambda line: click.echo(line, err=True),
                   watch=not (no_watch or no_http), overrides=list(ctx.overrides))
    except OSError as error:
        raise click.ClickException(f"cannot serve: {error}") from None
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


def _print_concurrency(data: dict, command: str) -> None:
    """What was done about catalogs saved during the run, and about a run that died half-way."""
    interrupted = data.get("interrupted_run") or {}
    for path in interrupted.get("completed", []):
        click.echo(f"A previous run was interrupted while writing catalogs: {path} is now written as it meant to.",
                   err=True)
    for item in interrupted.get("set_aside", []):
        click.secho(
            f"A previous run was interrupted while writing {item['catalog']}, which was saved since: it stays as "
            f"saved; what that run meant to write is in {item['pending']} (compare the two, keep what you want, "
            "then delete it).", fg="yellow", err=True,
        )
    for path in data.get("merged_again", []):
        what = "the drafts were added to the saved file" if command == "draft" else "merged again from the saved file"
        click.echo(f"{path} was saved while {command} ran: {what}; nothing of it was overwritten.", err=True)
    if data.get("kept_theirs"):
        click.echo(f"{data['kept_theirs']} drafts were not stored: their entries were changed meanwhile "
                   "(run draft again to draft what is still untranslated).", err=True)


def _print_status(report, show_stale: bool, project: Project, failed_checks: bool = True) -> None:
    from .catalogs.catalog import State
    from .project.direction import language_name, source_language_of

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
    for language, count in sorted(report.draft_checks().items()):
        if count:
            click.echo(counted(count, "%(language)s: %(count)d machine draft to check (# draft check:):",
                               "%(language)s: %(count)d machine drafts to check (# draft check:):", language=language))
    checks = [(item.path, check) for item in report.catalogs for check in item.checks]
    for path, check in checks[:LIST_LIMIT]:
        click.echo(f"  {path}:{check.line or '?'}: {check.note}")
    if len(checks) > LIST_LIMIT:
        click.echo(f"  … and {len(checks) - LIST_LIMIT} more (--json lists them all)")
    for path in report.orphaned:
        click.echo(f"orphaned: {path} (its page is gone)")
    for path in report.unsynced:
        click.echo(f"not synced yet: {path} (run translate-pipeline sync)")
    for item in report.catalogs if failed_checks else []:
        for refused in item.check_failed:
            click.secho(f"check failed: {refused.location(item.path)}: {refused.message}", fg="red")
    if report.interrupted:
        click.secho("A run was interrupted while writing catalogs: the next sync, draft or publish completes "
                    "its writes (onto catalogs nobody saved since).", fg="yellow")
    for item in report.set_aside:
        click.secho(f"set aside: {item['pending']}, what an interrupted run meant to write to {item['catalog']} "
                    "(which was saved since); compare the two, keep what you want, then delete it", fg="yellow")
    if not show_stale:
        return
    for item in report.catalogs:
        for entry in item.stale:
            original = language_name(source_language_of(project, item.language))
            since = f", {original} changed on {entry.since}" if entry.since else ""
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


class ProgressBar:
    """A progress bar on the terminal for work whose size is known once it starts."""

    def __init__(self, label: str, silent: bool = False) -> None:
        self.label = label
        self.enabled = not silent and sys.stderr.isatty()
        self._bar = None
        self._done = 0

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total < 2:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


class DraftProgressBar(ProgressBar):
    """A progress bar that also shows the catalog being drafted."""

    def update(self, done: int, total: int, where: str = "") -> None:
        if self.enabled and self._bar is None and total >= 2:
            self._bar = click.progressbar(
                length=total, label=self.label, file=sys.stderr, item_show_func=lambda item: item
            )
            self._bar.__enter__()
        if self._bar is not None:
            self._bar.update(done - self._done, where or None)
            self._done = done


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
    from .children import stop_on_sigterm, watch_forks

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
