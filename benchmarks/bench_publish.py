#!/usr/bin/env python3
"""Time ``translate-pipeline publish`` against the plain Sphinx + sphinx-intl sequence.

One run generates a French corpus (see ``make_corpus.py``), copies it twice
and measures, on each copy, the same steps:

(a) first publish  -- from scratch: no catalog, no build;
    then every msgstr of every catalog is filled with a fake reviewed
    translation ("EN: " + msgid, not fuzzy), and both sides publish again
    (timed and shown, no target: every English page changes);
(b) after an edit  -- one French paragraph is edited (the same on both
    copies), and both sides publish again.

"plain" is what a user would run without the tool, one command after the
other::

    sphinx-build -b gettext DIR/source/fr DIR/_build/gettext -c DIR
    sphinx-intl update -p DIR/_build/gettext -l en -d DIR/locale
    sphinx-build -b html DIR/source/fr DIR/_build/html/fr -c DIR
    sphinx-build -b html DIR/source/fr DIR/_build/html/en -c DIR \\
        -D language=en -D locale_dirs=DIR/locale

(Sphinx resolves ``locale_dirs`` from the source folder, hence the absolute
``-D``; each build keeps its doctrees in its output folder, as sphinx-build
does by default.) "ours" is::

    translate-pipeline -C DIR publish --json --no-pdf

(both sides build HTML only.)
Both keep their state between the steps. Every command is a child process
with the same environment, timed by ``bench_sync.py``'s launcher (wall time,
CPU time and peak memory of the command and its children).

After (b) both sites are checked: the English pages show the translations
(pages holding "EN: "), and the edited paragraph is shown as each side
shows it (plain: a fuzzy entry, so Sphinx shows the French; ours: the last
reviewed English, marked outdated).

With ``--pdf`` it times the PDFs instead, on three copies of the corpus:
``publish --no-pdf`` (HTML only), ``publish`` (with the PDFs of every page
and of each whole site) and sphinx-simplepdf (``sphinx-build -b simplepdf``
on the French pages: one whole-site PDF, in one process). It prints

* first publish with PDFs / HTML only (target ≤ 3);
* one paragraph edited, publish with PDFs / HTML only (target ≤ 1.5);
* the French whole-site PDF / sphinx-simplepdf's run for the same French
  site (target ≤ 0.5): ours is the PDF stage of the first publish (both
  languages, every page's PDF and both whole sites) divided by the number
  of languages, i.e. per language; the time spent on the French PDFs alone
  (summed over the worker processes) is shown next to it.

Usage::

    python benchmarks/bench_publish.py [--pages 300] [--edits 1] [--keep DIR]
                                       [--json] [--plain-jobs N] [--tool CMD]
                                       [--pdf]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_sync  # noqa: E402  (its launcher, environment and catalog filling)
import make_corpus  # noqa: E402

try:
    import polib
except ImportError:  # pragma: no cover - polib is a dependency of the project
    sys.exit("bench_publish.py needs polib (pip install polib)")

TARGETS = {"first": 0.6, "edit": 0.1, "served": 0.1}
STEP_TITLES = {
    "first": "(a) first publish",
    "filled": "    every catalog translated",
    "edit": "(b) {n} paragraph(s) edited",
    "served": "(c) the same, `serve` running",
}
LANG = bench_sync.LANG
PLAIN_NAMES = ["sphinx-build gettext", "sphinx-intl update", "sphinx-build html fr", "sphinx-build html en"]


# --------------------------------------------------------------------------
# Commands


def plain_commands(d: Path, jobs: str | None) -> list[list[str]]:
    sphinx_build = bench_sync.find_tool("sphinx-build") or "sphinx-build"
    sphinx_intl = bench_sync.find_tool("sphinx-intl") or "sphinx-intl"
    src, conf, build = str(d / "source" / "fr"), str(d), d / "_build"
    parallel = ["-j", jobs] if jobs else []
    return [
        [sphinx_build, "-b", "gettext", src, str(build / "gettext"), "-c", conf, *parallel],
        [sphinx_intl, "update", "-p", str(build / "gettext"), "-l", LANG, "-d", str(d / "locale")],
        [sphinx_build, "-b", "html", src, str(build / "html" / "fr"), "-c", conf, *parallel],
        [sphinx_build, "-b", "html", src, str(build / "html" / LANG), "-c", conf, *parallel,
         "-D", f"language={LANG}", "-D", f"locale_dirs={d / 'locale'}"],
    ]


# Both sides build HTML only: the PDFs have a benchmark of their own (--pdf).
PUBLISH_OPTIONS = ["--no-pdf"]
PUBLISH_MODE = "HTML only (--no-pdf)"


def ours_command(d: Path, tool: list[str], options: list[str]) -> list[list[str]]:
    return [tool + ["-C", str(d), "publish", "--json", *options]]


# --------------------------------------------------------------------------
# What each side did


_SPHINX_UPDATED = re.compile(r"updating environment: (?:\[[^\]]*\] )?(\d+) added, (\d+) changed, (\d+) removed")


def sphinx_read(log_text: str) -> list[int]:
    """Documents each sphinx-build of a step read again (added + changed), in order."""
    return [int(m[1]) + int(m[2]) for m in _SPHINX_UPDATED.finditer(log_text)]


def publish_report(log_text: str) -> dict | None:
    """The JSON ``publish --json`` printed (the log also holds the command line)."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"^\{", log_text, re.M):
        try:
            return decoder.raw_decode(log_text, match.start())[0]
        except ValueError:
            continue
    return None


def phases(report: dict | None, wall: float) -> dict | None:
    """Seconds of publish by phase, from its own report."""
    if not report:
        return None
    sync = report.get("sync", {}).get("seconds", {})
    sites = {s["language"]: {"seconds": s["seconds"], "read": s["read"], "pages": s["pages"]}
             for s in report.get("sites", [])}
    builds = max((s["seconds"] for s in sites.values()), default=0.0)  # the sites build in parallel
    inside = report.get("seconds", 0.0)
    return {
        "sync": sync,
        "sync_s": round(sum(sync.values()), 2),
        "sites": sites,
        "builds_wall_s": builds,
        "rest_s": round(max(0.0, inside - sum(sync.values()) - builds), 2),
        "startup_s": round(max(0.0, wall - inside), 2),
        "marks": {s["language"]: s.get("marks") for s in report.get("sites", [])},
    }


class _Paragraphs(HTMLParser):
    """Counts the paragraphs of a page, and those showing a fake translation (labels left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.total = self.translated = 0
        self.text: list[str] | None = None
        self.skip = 0  # depth inside a translation label

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self.text = []
        elif self.skip or (tag == "span" and "tp-label" in (dict(attrs).get("class") or "").split()):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self.text is not None:
            self.total += 1
            self.translated += "".join(self.text).lstrip().startswith("EN: ")
            self.text = None
        elif self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.text is not None and not self.skip:
            self.text.append(data)


def english_site(html_dir: Path) -> dict:
    """Pages and paragraphs of a built English site, and how many show the fake translations."""
    pages = [p for p in html_dir.rglob("*.html")
             if p.name not in ("genindex.html", "search.html", "translation-status.html")]
    counts = {"pages": len(pages), "pages_translated": 0, "paragraphs": 0, "paragraphs_translated": 0}
    for page in pages:
        parser = _Paragraphs()
        parser.feed(page.read_text(encoding="utf-8"))
        counts["pages_translated"] += parser.translated > 0
        counts["paragraphs"] += parser.total
        counts["paragraphs_translated"] += parser.translated
    return counts


def fuzzy_entries(d: Path) -> int:
    return sum(1 for p in bench_sync.po_files(d) for e in polib.pofile(str(p))
               if not e.obsolete and "fuzzy" in e.flags)


# --------------------------------------------------------------------------
# The benchmark


def timed(step: str, side: str, cmds: list[list[str]], d: Path, env, work: Path, res: dict) -> None:
    if side in res["errors"]:
        return
    log = work / f"{side}-{step}.log"
    log.unlink(missing_ok=True)
    try:
        out = bench_sync.run_step(cmds, d, env, log)
    except bench_sync.CommandFailed as exc:
        res["errors"][side] = str(exc)
        return
    text = log.read_text(encoding="utf-8", errors="replace")
    if side == "plain":
        out["read"] = sphinx_read(text)
    else:
        out["phases"] = phases(publish_report(text), out["wall_s"])
    res["steps"].setdefault(step, {})[side] = out


@contextlib.contextmanager
def served(tool: list[str], d: Path, env, work: Path):
    """``translate-pipeline serve`` running for ``d`` (its output in serve.log); yields True once it is ready."""
    log = open(work / "serve.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    process = subprocess.Popen(tool + ["-C", str(d), "serve", "--no-http"], cwd=d, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        ready = False
        while time.monotonic() < deadline and process.poll() is None:
            if "Ready" in (work / "serve.log").read_text(encoding="utf-8"):
                ready = True
                break
            time.sleep(0.05)
        yield ready
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def bench(args, work: Path, env, tool: list[str], options: list[str]) -> dict:
    pristine = work / "corpus"
    meta = make_corpus.make_corpus(pristine, args.pages, args.seed)
    dirs = {side: work / side for side in ("plain", "ours")}
    for d in dirs.values():
        shutil.copytree(pristine, d)
    cmds = {"plain": plain_commands(dirs["plain"], args.plain_jobs),
            "ours": ours_command(dirs["ours"], tool, options)}
    res: dict = {"corpus": meta, "steps": {"first": {}, "filled": {}, "edit": {}, "served": {}}, "errors": {}}
    say = (lambda _m: None) if args.json else (lambda m: print(m, file=sys.stderr))

    say("(a) first publish...")
    for side in ("plain", "ours"):
        timed("first", side, cmds[side], dirs[side], env, work, res)
    say("filling every catalog, publishing again...")
    for side in ("plain", "ours"):
        if side not in res["errors"]:
            res.setdefault("filled_catalogs", {})[side] = bench_sync.fill_catalogs(dirs[side])
    for side in ("plain", "ours"):
        timed("filled", side, cmds[side], dirs[side], env, work, res)
    say(f"(b) editing {args.edits} paragraph(s), publishing again...")
    paragraphs = make_corpus.edit_corpus(pristine, 0)["paragraphs"]  # counts, edits nothing
    for d in dirs.values():
        edited = make_corpus.edit_corpus(d, args.edits / paragraphs, args.edit_seed)
    res["edited"] = {k: v for k, v in edited.items() if k != "changes"}
    for side in ("plain", "ours"):
        timed("edit", side, cmds[side], dirs[side], env, work, res)
    if "plain" not in res["errors"]:
        # The fixed cost of one Sphinx run on this site: the French HTML build
        # again, with nothing to read.
        say("timing one sphinx-build with nothing to do...")
        try:
            floor = bench_sync.run_step([cmds["plain"][2]], dirs["plain"], env, work / "plain-floor.log")
            res["floor"] = {"wall_s": floor["wall_s"], "cpu_s": floor["cpu_s"]}
        except bench_sync.CommandFailed as exc:
            res["errors"]["plain"] = str(exc)

    checks: dict = {}
    if "plain" not in res["errors"]:
        checks["plain"] = {
            **english_site(dirs["plain"] / "_build" / "html" / LANG),
            "fuzzy_entries": fuzzy_entries(dirs["plain"]),
        }
    if "ours" not in res["errors"]:
        marks = (res["steps"]["edit"]["ours"].get("phases") or {}).get("marks", {}).get(LANG) or {}
        checks["ours"] = {
            **english_site(dirs["ours"] / "_build" / "site" / LANG),
            "fuzzy_entries": fuzzy_entries(dirs["ours"]),
            "marked_stale": marks.get("stale"),
        }
    res["checks"] = checks
    if args.serve and "ours" not in res["errors"]:
        say(f"(c) `translate-pipeline serve` for ours; editing {args.edits} other paragraph(s), publishing again...")
        with served(tool, dirs["ours"], env, work) as warmed:
            if not warmed:
                res["errors"]["ours"] = f"translate-pipeline serve did not start (see {work / 'serve.log'})"
            timed("warm-up", "ours", cmds["ours"], dirs["ours"], env, work, res)
            for d in dirs.values():
                make_corpus.edit_corpus(d, args.edits / paragraphs, args.edit_seed + 1)
            for side in ("plain", "ours"):
                timed("served", side, cmds[side], dirs[side], env, work, res)
        res["steps"].pop("warm-up", None)
    for step, row in res["steps"].items():
        if "plain" in row and "ours" in row:
            row["ratio"] = row["ours"]["wall_s"] / row["plain"]["wall_s"]
        if step in TARGETS:
            row["target"] = TARGETS[step]
            if "ratio" in row:
                row["meets_target"] = row["ratio"] <= TARGETS[step]
    return res


PDF_TARGETS = {"first": 3.0, "edit": 1.5, "simplepdf": 0.5}


def simplepdf_command(d: Path) -> list[list[str]]:
    sphinx_build = bench_sync.find_tool("sphinx-build") or "sphinx-build"
    return [[sphinx_build, "-q", "-b", "simplepdf", str(d / "source" / "fr"), str(d / "_build" / "simplepdf"),
             "-c", str(d), "-D", "extensions=sphinx_simplepdf"]]


def pdf_stage(log_text: str) -> dict | None:
    """The PDF part of ``publish --json``'s report."""
    report = publish_report(log_text)
    return report.get("pdf") if report else None


def bench_pdf(args, work: Path, env, tool: list[str]) -> dict:
    """First publish and one edit, with PDFs and HTML only; sphinx-simplepdf on the French site."""
    pristine = work / "corpus"
    meta = make_corpus.make_corpus(pristine, args.pages, args.seed)
    dirs = {side: work / side for side in ("html", "pdf", "simplepdf")}
    for d in dirs.values():
        shutil.copytree(pristine, d)
    cmds = {"html": ours_command(dirs["html"], tool, ["--no-pdf"]), "pdf": ours_command(dirs["pdf"], tool, []),
            "simplepdf": simplepdf_command(dirs["simplepdf"])}
    res: dict = {"corpus": meta, "steps": {}, "errors": {}}
    say = (lambda _m: None) if args.json else (lambda m: print(m, file=sys.stderr))

    def step(name: str, side: str) -> None:
        if side in res["errors"]:
            return
        log = work / f"{side}-{name}.log"
        log.unlink(missing_ok=True)
        try:
            out = bench_sync.run_step(cmds[side], dirs[side], env, log)
        except bench_sync.CommandFailed as exc:
            res["errors"][side] = str(exc)
            return
        if side == "pdf":
            out["pdf"] = pdf_stage(log.read_text(encoding="utf-8", errors="replace"))
        res["steps"].setdefault(name, {})[side] = out

    say("(a) first publish, HTML only then with PDFs...")
    step("first", "html")
    step("first", "pdf")
    say("sphinx-simplepdf on the French site...")
    step("simplepdf", "simplepdf")
    say(f"(b) editing {args.edits} paragraph(s), publishing again...")
    paragraphs = make_corpus.edit_corpus(pristine, 0)["paragraphs"]
    for side in ("html", "pdf"):
        edited = make_corpus.edit_corpus(dirs[side], args.edits / paragraphs, args.edit_seed)
    res["edited"] = {k: v for k, v in edited.items() if k != "changes"}
    step("edit", "html")
    step("edit", "pdf")
    book = sorted((dirs["simplepdf"] / "_build" / "simplepdf").glob("*.pdf"))
    res["simplepdf_pages"] = _pdf_pages(book[0]) if book else None
    ratios = {}
    for name in ("first", "edit"):
        row = res["steps"].get(name, {})
        if "html" in row and "pdf" in row:
            ratios[name] = row["pdf"]["wall_s"] / row["html"]["wall_s"]
    first = res["steps"].get("first", {}).get("pdf", {}).get("pdf")
    simple = res["steps"].get("simplepdf", {}).get("simplepdf")
    if first and simple:
        languages = len(first["languages"]) or 1
        res["french"] = {
            "pdf_stage_s": first["seconds"],
            "per_language_s": first["seconds"] / languages,
            "french_work_s": next((lang["seconds"] for lang in first["languages"] if lang["language"] == "fr"), None),
            "french_pages": next((lang["site_pages"] for lang in first["languages"] if lang["language"] == "fr"), None),
            "simplepdf_s": simple["wall_s"],
        }
        ratios["simplepdf"] = res["french"]["per_language_s"] / simple["wall_s"]
    res["ratios"] = {name: {"ratio": ratio, "target": PDF_TARGETS[name], "meets_target": ratio <= PDF_TARGETS[name]}
                     for name, ratio in ratios.items()}
    return res


def _pdf_pages(path: Path) -> int | None:
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    match = re.search(r"^Pages:\s+(\d+)", done.stdout, re.M)
    return int(match.group(1)) if match else None


def print_pdf_report(res: dict, meta: dict, args) -> None:
    corpus = res["corpus"]
    print(f"corpus: {corpus['pages']} pages, {corpus['documents']} documents, seed {args.seed}; "
          f"{meta['cpus']} CPUs, load average {meta['load_average']['before']} before, "
          f"{meta['load_average']['after']} after")
    print(f"ours: {meta['tool']} publish (--no-pdf: HTML only); sphinx-simplepdf: sphinx-build -b simplepdf, French")
    print()
    head = f"{'step':<44} {'HTML s':>8} {'PDF s':>8} {'cpu HTML':>9} {'cpu PDF':>9} {'ratio':>7} {'target':>7}"
    print(head)
    print("-" * len(head))
    titles = {"first": "(a) first publish", "edit": f"(b) {args.edits} paragraph(s) edited"}
    for name, title in titles.items():
        row, ratio = res["steps"].get(name, {}), res["ratios"].get(name)
        html, pdf = row.get("html"), row.get("pdf")
        cells = [f"{html['wall_s']:8.2f}" if html else f"{'-':>8}", f"{pdf['wall_s']:8.2f}" if pdf else f"{'-':>8}",
                 f"{html['cpu_s']:9.1f}" if html else f"{'-':>9}", f"{pdf['cpu_s']:9.1f}" if pdf else f"{'-':>9}"]
        mark = ""
        if ratio:
            mark = f"{ratio['ratio']:7.2f} {'≤ ' + str(ratio['target']):>7}{' ok' if ratio['meets_target'] else ' MISSED'}"
        print(f"{title:<44} {' '.join(cells)} {mark}")
        stage = pdf and pdf.get("pdf")
        if stage:
            print(f"    PDF stage {stage['seconds']:.2f} s in {stage['processes']} process(es): " + "; ".join(
                f"{lang['language']} {lang['laid_out']} pages laid out, whole site "
                f"{lang['site_pages'] if lang['site_made'] else 'unchanged'} sheets, {lang['seconds']:.2f} s of work"
                for lang in stage["languages"]))
    french, ratio = res.get("french"), res["ratios"].get("simplepdf")
    if french and ratio:
        simple = res["steps"]["simplepdf"]["simplepdf"]
        print(f"{'(c) French whole-site PDF vs sphinx-simplepdf':<44} {french['simplepdf_s']:8.2f} "
              f"{french['per_language_s']:8.2f} {simple['cpu_s']:9.1f} {'':>9} {ratio['ratio']:7.2f} "
              f"{'≤ ' + str(ratio['target']):>7}{' ok' if ratio['meets_target'] else ' MISSED'}")
        print(f"    ours: PDF stage {french['pdf_stage_s']:.2f} s for both languages (per language: "
              f"{french['per_language_s']:.2f} s); the French PDFs alone: {french['french_work_s']:.2f} s of work "
              f"({french['french_work_s'] / french['simplepdf_s']:.2f} of sphinx-simplepdf), "
              f"{french['french_pages']} sheets in the whole site's PDF")
        print(f"    sphinx-simplepdf: {french['simplepdf_s']:.2f} s (reading the pages, then one PDF of "
              f"{res.get('simplepdf_pages')} sheets)")
    for side, err in res["errors"].items():
        print(f"\n{side} FAILED: {err}")


def print_report(res: dict, meta: dict, args) -> None:
    corpus = res["corpus"]
    print(f"corpus: {corpus['pages']} pages, {corpus['documents']} documents, seed {args.seed}; "
          f"{meta['cpus']} CPUs, load average {meta['load_average']['before']} before, "
          f"{meta['load_average']['after']} after")
    if res.get("edited"):
        e = res["edited"]
        print(f"edit: {e['edited']} of {e['paragraphs']} paragraphs, in {e['files']} file(s)")
    print(f"ours: {meta['tool']} publish, {meta['publish_mode']}; plain: sphinx-build -j {args.plain_jobs or 1}")
    print()
    head = (f"{'step':<30} {'plain s':>8} {'ours s':>8} {'ours/plain':>10} {'target':>7} "
            f"{'cpu plain':>9} {'cpu ours':>9} {'MiB plain':>9} {'MiB ours':>9}")
    print(head)
    print("-" * len(head))
    for step, row in res["steps"].items():
        p, o, ratio, target = row.get("plain"), row.get("ours"), row.get("ratio"), row.get("target")
        mark = (" ok" if ratio <= target else " MISSED") if ratio is not None and target else ""
        cells = [
            f"{p['wall_s']:8.2f}" if p else f"{'-':>8}",
            f"{o['wall_s']:8.2f}" if o else f"{'-':>8}",
            f"{ratio:10.3f}" if ratio is not None else f"{'-':>10}",
            f"{'≤ ' + str(target) if target else '-':>7}",
            f"{p['cpu_s']:9.1f}" if p else f"{'-':>9}",
            f"{o['cpu_s']:9.1f}" if o else f"{'-':>9}",
            f"{p['maxrss_kib'] / 1024:9.0f}" if p else f"{'-':>9}",
            f"{o['maxrss_kib'] / 1024:9.0f}" if o else f"{'-':>9}",
        ]
        print(f"{STEP_TITLES[step].format(n=args.edits):<30} {' '.join(cells)}{mark}")
        if p:
            reads = p.get("read") or []
            for name, command in zip(PLAIN_NAMES, p["commands"]):
                read = ""
                if name.startswith("sphinx-build") and reads:
                    read = f"  {reads.pop(0)} docs read"
                print(f"    plain {name:<22} {command['wall_s']:7.2f} s wall {command['cpu_s']:7.1f} s cpu{read}")
        ph = o and o.get("phases")
        if ph:
            sync = ", ".join(f"{k} {v:.2f}" for k, v in ph["sync"].items())
            print(f"    ours  sync                   {ph['sync_s']:7.2f} s ({sync})")
            for language, site in ph["sites"].items():
                print(f"    ours  build {language} (parallel)     {site['seconds']:7.2f} s  "
                      f"{site['read']} of {site['pages']} docs read")
            print(f"    ours  rest of the run        {ph['rest_s']:7.2f} s (published catalogs, "
                  "status numbers, starting the builds, root page)")
            print(f"    ours  start-up (imports)     {ph['startup_s']:7.2f} s")
        if step == "served" and o:
            print("    (ours: the publish command hands the work to the server, which keeps Sphinx loaded; its CPU "
                  "and memory columns count the command only)")
    print()
    checks = res.get("checks", {})
    if checks:
        print(f"{'after (b)':<54} {'plain':>8} {'ours':>8}")

        def cell(side: str, key: str) -> str:
            value = checks.get(side, {}).get(key)
            return f"{'-' if value is None else value:>8}"

        for key, title in (("pages", "English pages"),
                           ("pages_translated", "... showing the translations (EN: )"),
                           ("paragraphs", "paragraphs of the English pages"),
                           ("paragraphs_translated", "... in English (EN: )"),
                           ("fuzzy_entries", "fuzzy entries (the edited paragraphs)"),
                           ("marked_stale", "passages shown marked outdated")):
            print(f"  {title:<52} {cell('plain', key)} {cell('ours', key)}")
    floor, edit = res.get("floor"), res["steps"]["edit"].get("plain")
    if floor and edit:
        print(f"\nfloor: `sphinx-build -b html` (fr) with nothing to read takes {floor['wall_s']:.2f} s, "
              f"{floor['wall_s'] / edit['wall_s']:.3f} of the plain sequence after the edit; "
              f"ours runs Sphinx three times (reading the pages, then both sites)")
    for side, err in res["errors"].items():
        print(f"\n{side} FAILED: {err}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time translate-pipeline publish against sphinx-build gettext, "
                                 "sphinx-intl update and sphinx-build html (fr, then en).")
    ap.add_argument("--pages", type=int, default=300, help="content pages of the corpus (default 300)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--edits", type=int, default=1, help="paragraphs edited before step (b) (default 1)")
    ap.add_argument("--edit-seed", type=int, default=2, help=argparse.SUPPRESS)
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it: corpus, copies, one log per "
                    "side and step (default: a temporary folder, removed)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--no-serve", dest="serve", action="store_false",
                    help="skip step (c), which times publish with `translate-pipeline serve` running")
    ap.add_argument("--plain-jobs", metavar="N", help="pass -j N to the plain sphinx-build commands "
                    "(default: sphinx-build's default, one process)")
    ap.add_argument("--pdf", action="store_true", help="time the PDFs: publish with PDFs against HTML only, "
                    "and the French whole-site PDF against sphinx-simplepdf")
    ap.add_argument("--tool", help="command that runs the tool (default: translate-pipeline next to this "
                    "Python, else python -m translate_pipeline)")
    args = ap.parse_args(argv)
    if args.edits < 1:
        ap.error("--edits takes a number of paragraphs, 1 or more")

    tool = args.tool.split() if args.tool else bench_sync.default_tool()
    env = bench_sync.make_env()
    if args.keep:
        work = Path(args.keep).resolve()
        work.mkdir(parents=True, exist_ok=True)
        for name in ("corpus", "plain", "ours", "html", "pdf", "simplepdf"):  # what a previous run left there
            shutil.rmtree(work / name, ignore_errors=True)
        for log in work.glob("*.log"):
            log.unlink()
    else:
        work = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    try:
        if not args.json:
            print(f"work dir: {work}", file=sys.stderr)
        load_before = os.getloadavg()[0]
        res = bench_pdf(args, work, env, tool) if args.pdf else bench(args, work, env, tool, PUBLISH_OPTIONS)
        meta = {
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "tool": " ".join(tool),
            "publish_mode": PUBLISH_MODE,
            "plain_jobs": args.plain_jobs,
            "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
            "work_dir": str(work) if args.keep else None,
        }
        if args.json:
            print(json.dumps({"meta": meta, **res}, indent=2, ensure_ascii=False))
        else:
            (print_pdf_report if args.pdf else print_report)(res, meta, args)
        return 1 if res["errors"] else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
