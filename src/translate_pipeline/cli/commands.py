"""The commands: each reads its options, calls the library, and hands the result to :mod:`.printing`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .group import (
    EXIT_CHECK_FAILED,
    EXIT_ENGINE,
    EXIT_INTERRUPTED,
    Context,
    command,
    json_option,
    quiet_option,
    wait_option,
)
from .printing import (
    DraftProgressBar,
    ProgressBar,
    print_concurrency,
    print_draft,
    print_draft_stopped,
    print_json,
    print_policy,
    print_publish,
    print_status,
    print_sync,
)


@command
@json_option
@quiet_option
@wait_option
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
    from ..catalogs.sync import sync as run_sync

    project = ctx.project
    with ProgressBar("Reading pages", silent=quiet or as_json) as bar:
        result = run_sync(project, wait=wait, parallel=_parallel(), progress=bar.update)
    if as_json:
        print_json(result.as_dict())
    else:
        print_sync(result, quiet)


# Its help text (the docstring) is most of this function's length: the code is some thirty lines.
@command
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
    from ..drafting.draft import draft as run_draft
    from ..drafting.draft import open_cache

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
        print_json(result.as_dict())
    else:
        print_concurrency(result.as_dict(), "draft")
        if not quiet:
            print_draft(result)
    if result.stopped:
        print_draft_stopped(result)
        raise SystemExit(EXIT_ENGINE)


@command
@json_option
@click.option("--stale", "show_stale", is_flag=True, help="Show each stale entry with a word diff of the original.")
@click.option("--check", "check_policy", is_flag=True, help="Exit with 1 when the publish policy is not met.")
@click.argument("documents", nargs=-1, metavar="[DOC]...")
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
    from ..catalogs.status import check, status as run_status

    project = ctx.project
    report = run_status(project, list(documents) or None)
    problems = check(report, project.settings.policy) if check_policy else []
    if as_json:
        data = report.as_dict(with_stale=show_stale)
        if check_policy:
            data["check"] = {"passed": not problems, "problems": problems}
        print_json(data)
    else:
        print_status(report, show_stale, project, failed_checks=not check_policy)  # --check lists them below
        print_policy(problems, check_policy)
    if problems:
        raise SystemExit(EXIT_CHECK_FAILED)


@command
@json_option
@quiet_option
@wait_option
@click.option("--no-pdf", "no_pdf", is_flag=True,
              help="Make no PDF this time: HTML only, the pages link to no PDF; PDFs of an earlier publish are deleted.")
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
    3 s, or --wait, or that ends or stays stopped that long during the
    publish, is left alone: the publish runs here, with a message).
    One publish of a project at a time: another one waits --wait seconds,
    then exits with 3.

    Rebuilds only what changed: the pages whose source, or whose published
    catalog (a translation, a state, what policy.machine or policy.stale
    shows), changed; a new page_threshold or banner setting writes every
    page again without reading it.
    When Sphinx fails to build a site, the exit code is 2.
    """
    from ..publishing.server import publish_remotely

    silent = quiet or as_json or not sys.stderr.isatty()
    progress = None if silent else lambda line: click.echo(line, err=True)
    pdf = False if no_pdf else None
    # The project's server reads conf.py and the settings itself, and answers
    # with the report as plain data (the same as --json prints).
    data = publish_remotely(Path(ctx.directory).resolve(), ctx.overrides, wait, pdf, progress or (lambda _line: None),
                            warn=lambda line: click.echo(f"translate-pipeline: {line}", err=True))
    if data is None:  # no server for this project: publish here
        from ..publishing.publish import publish as run_publish

        data = run_publish(ctx.project, wait=wait, progress=progress, pdf=pdf).as_dict()
    if as_json:
        print_json(data)
    else:
        print_publish(data, quiet)


@command
@click.option("--port", type=int, default=8000, show_default=True,
              help="Serve the sites at http://127.0.0.1:PORT/ (0: any free port).")
@click.option("--no-http", "no_http", is_flag=True, help="Serve no pages; only keep Sphinx loaded for publish.")
@click.option("--no-watch", "no_watch", is_flag=True,
              help="No live preview: publish only when `translate-pipeline publish` asks.")
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
    from ..publishing.server import serve as run_server

    project = ctx.project
    try:
        run_server(project.root, None if no_http else port, lambda line: click.echo(line, err=True),
                   watch=not (no_watch or no_http), overrides=list(ctx.overrides))
    except OSError as error:
        raise click.ClickException(f"cannot serve: {error}") from None
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


@command
@click.option("--port", type=int, default=0, help="Serve the review page at http://127.0.0.1:PORT/ (default: any free port).")
@click.option("--no-browser", is_flag=True, help="Only print the page's address; do not open a browser.")
@click.option("--site-url", default="http://127.0.0.1:8000/", show_default=True, metavar="URL",
              help="Where the built sites are shown (translate-pipeline serve), for the links to each passage.")
@click.argument("documents", nargs=-1, metavar="[DOC]...")
def review(ctx: Context, port: int, no_browser: bool, site_url: str, documents: tuple[str, ...]) -> None:
    """Review translations in the browser: a local page for translators.

    \b
    Goes through the entries that need a translator (stale first, then
    machine drafts, then untranslated), each with its original (inline
    markup shown whole), what changed in the original of a stale entry, the
    glossary terms, the checks of draft (markup, glossary, numbers) as you
    type, and the paragraphs around it. Approve (Ctrl+Enter, then the next
    entry), save without approving, clear a machine draft, or ask the
    engines for a suggestion (the `engines` setting's, in order; DeepL
    only when DEEPL_AUTH_KEY is set, and then always).
    DOC limits it to those pages.

    Every change is written as sync writes (the project's lock, the whole
    file at once, other entries as they were); a catalog saved since the
    page read it (a PO editor, sync, git pull) is not overwritten: the page
    says so and shows the entry as it is now. The page listens on 127.0.0.1
    only, at an address holding a random token (printed; nothing is served
    without it). While `translate-pipeline serve` runs, the marks of its
    previewed pages link to their entries here. Ctrl-C stops it.
    """
    from ..review.app import open_review, run_review
    from ..review.work import Review

    work = Review(ctx.project, list(documents) or None)
    try:
        server = open_review(work, port, site_url)
    except OSError as error:
        raise click.ClickException(f"cannot serve the review page on port {port}: {error.strerror or error}; "
                                   "choose another with --port") from None
    click.echo(f"Review page: {server.url}")
    click.echo("Ctrl-C stops it.", err=True)
    if not no_browser and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or sys.platform != "linux"):
        import webbrowser

        webbrowser.open(server.url)
    try:
        run_review(server)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None


def _parallel() -> int:
    return max(1, min(2, os.cpu_count() or 1))
