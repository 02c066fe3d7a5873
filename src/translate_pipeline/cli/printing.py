"""What the commands print: each command's result, warnings and progress, on the terminal.

Each ``print_*`` function takes what the library returned (or its
``as_dict()``, the same data ``--json`` prints) and writes the lines a
person reads; nothing else in the tool prints.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..plural import counted
from ..project.settings import Project

LIST_LIMIT = 15  # catalogs listed one by one in a summary


def _print_sent(result: Any) -> None:
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


def print_draft(result: Any) -> None:
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


def print_sync(result: Any, quiet: bool) -> None:
    """``sync``'s summary: catalogs and entries, what changed, the orphaned catalogs."""
    for line in result.warnings:
        click.echo(line, err=True)
    data = result.as_dict()
    print_concurrency(data, "sync")
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


def print_draft_stopped(result: Any) -> None:
    """Why ``draft`` stopped early (the engine refused or failed), and what was kept."""
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


def print_policy(problems: list[str], checked: bool) -> None:
    """``status --check``: each part of the publish policy not met, or that it is met."""
    for problem in problems:
        click.secho(f"policy not met: {problem}", fg="red", err=True)
    if checked and not problems:
        click.echo("Publish policy met.")


def print_publish(data: dict, quiet: bool) -> None:
    """``publish``'s warnings, then the sites, the PDFs and where to look (``data``: what --json prints)."""
    made = data["pdf"]
    for line in (w for compiled in data["catalogs_compiled"].values() for w in compiled.get("warnings", [])):
        click.echo(line, err=True)  # translations refused when the catalogs were compiled
    for warning in _combined_warnings(data):
        click.echo(warning["message"] + _sites_named(warning["languages"]), err=True)
    for line in made["warnings"] if made else []:
        click.echo(line, err=True)
    print_concurrency(data["sync"], "publish")
    if quiet:
        return
    click.echo(counted(len(data["sites"]), "Published %(count)d site in %(seconds).1fs:",
                       "Published %(count)d sites in %(seconds).1fs:", seconds=data["seconds"]))
    for site in data["sites"]:
        click.echo(_site_line(site))
    for language in made["languages"] if made else []:
        click.echo(_pdf_line(language))
    if data.get("pdf_removed"):
        click.echo(f"  Removed {data['pdf_removed']} PDF(s) of an earlier publish: the pages link to no PDF.")
    click.echo(f"Open {data['root']} (sitemap: {data['sitemap']}; status: <site>/translation-status.html)")
    if not data["site_root"]:
        click.echo("The sitemap and the language alternates hold relative URLs, which search engines ignore: "
                   "set html_baseurl in conf.py to the URL of the folder holding the sites.")


def _site_line(site: dict) -> str:
    marks = site["marks"]
    extra = []
    if site["banners"]:
        extra.append(f"{site['banners']} with a banner")
    if site["notices"]:
        extra.append(f"{site['notices']} replaced by a notice")
    return (
        f"  {site['language']:3} {site['path'] + '/':18} "
        + counted(site["pages"], "%(count)d page", "%(count)d pages") + f" ({site['read']} read again); "
        f"passages marked: {marks.get('machine', 0)} machine translated, {marks.get('stale', 0)} outdated, "
        f"{marks.get('untranslated', 0)} not yet translated" + (f"; pages: {', '.join(extra)}" if extra else "")
    )


def _pdf_line(language: dict) -> str:
    line = f"  {language['language']:3} PDFs: " + counted(
        language["pages"], "%(made)d of %(count)d page made again", "%(made)d of %(count)d pages made again",
        made=language["made"])
    if language["site"]:
        line += f"; whole site: {language['site']} " + (
            "(" + counted(language["site_pages"], "%(count)d page", "%(count)d pages") + ")"
            if language["site_made"] else "(unchanged)")
    return line


def _combined_warnings(data: dict) -> list[dict]:
    """Each warning of the publish once, with the sites it concerns (what --json gives as "warnings")."""
    from ..publishing.buildlog import combine

    return combine(data["sync"]["warnings"], {site["language"]: site["warnings"] for site in data["sites"]})


def _sites_named(languages: list[str]) -> str:
    """" (fr and en sites)": the sites a warning concerns; nothing for a warning of reading the pages."""
    if not languages:
        return ""
    names = languages[0] if len(languages) == 1 else f"{', '.join(languages[:-1])} and {languages[-1]}"
    return " (" + counted(len(languages), "%(names)s site", "%(names)s sites", names=names) + ")"


def print_concurrency(data: dict, command: str) -> None:
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


def print_status(report: Any, show_stale: bool, project: Project, failed_checks: bool = True) -> None:
    from ..catalogs.catalog import State
    from ..project.direction import language_name, source_language_of

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


def print_json(data: object) -> None:
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

