#!/usr/bin/env python3
"""Time ``translate-pipeline serve``'s live preview, as an editor sees it in a browser.

One run generates a French corpus (``make_corpus.py``), copies it twice,
gives every catalog a fake reviewed translation (``bench_sync.py``'s
``fill_catalogs``) and brings both copies up to date: the plain sequence
(as ``bench_publish.py`` runs it) on ``plain/``, ``serve``'s publish at
start on ``ours/``. Then, ``--saves`` times (default 10), one French
paragraph is edited (``make_corpus``'s editor, the same edit in both
copies):

* ours: headless Chromium (Debian's, as the tests drive it) has the French
  and the English page of the edited page open from ``serve``; the time from
  the save to both pages having reloaded themselves is measured, then what
  they show is checked (the French page shows the new paragraph, the
  English page the edited one marked outdated); the republish itself is
  the ``published in`` time ``serve`` prints;
* plain: the four commands after the same edit (what an editor without the
  tool runs to see both languages), timed as ``bench_publish.py`` does.

The report gives the median of the saves: the seconds from save to both
pages reloaded (target ≤ 1.0 s), and the republish as a ratio of the plain
sequence measured right before it (target ≤ 0.05). ``serve`` runs with
``--set pdf.enabled=false``: the HTML only, as the plain side builds; with
PDFs they come after the HTML, in the background, and are not part of what
is timed here.

Usage::

    python benchmarks/bench_preview.py [--pages 300] [--saves 10] [--keep DIR] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_publish  # noqa: E402  (the plain sequence)
import bench_sync  # noqa: E402  (its launcher, environment and catalog filling)
import make_corpus  # noqa: E402

TARGETS = {"reload_s": 1.0, "republish_ratio": 0.05}
CHROMIUM = os.environ.get("TP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
RELOADED = "() => window.beforeSave === undefined && document.readyState === 'complete'"
PARAGRAPHS = "() => [...document.querySelectorAll('p')].map((p) => p.textContent)"
OUTDATED = "() => document.querySelectorAll('.tp-stale').length"  # passages marked outdated (any theme)


class Serve:
    """``translate-pipeline serve`` for one copy; its lines collected as they come."""

    def __init__(self, tool: list[str], d: Path, env: dict[str, str], log: Path) -> None:
        self.lines: list[str] = []
        self._new = threading.Condition()
        self._log = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(tool + ["-C", str(d), "--set", "pdf.enabled=false", "serve", "--port", "0"],
                                        cwd=d, env=env, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self._log.write(line)
            self._log.flush()
            with self._new:
                self.lines.append(line.rstrip("\n"))
                self._new.notify_all()
        with self._new:
            self._new.notify_all()

    def published(self) -> list[float]:
        with self._new:
            return [float(m[1]) for line in self.lines if (m := re.match(r"published in ([\d.]+)s", line))]

    def wait_published(self, count: int, timeout: float) -> bool:
        with self._new:
            return self._new.wait_for(lambda: len(self.published()) >= count or self.process.poll() is not None,
                                      timeout) and len(self.published()) >= count

    @property
    def url(self) -> str:
        return re.search(r"http://127\.0\.0\.1:\d+", "\n".join(self.lines))[0]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def edit_one(d: Path, seed: int, paragraphs: int) -> str:
    """Edit one French paragraph of the corpus in ``d``; the page's docname."""
    before = {p: p.read_bytes() for p in (d / "source" / "fr").rglob("*.rst")}
    make_corpus.edit_corpus(d, 1 / paragraphs, seed)
    changed = [p for p, data in before.items() if p.read_bytes() != data]
    assert len(changed) == 1, changed
    return changed[0].relative_to(d / "source" / "fr").with_suffix("").as_posix()


def bench(args, work: Path, env: dict[str, str], tool: list[str], say) -> dict:
    from playwright.sync_api import sync_playwright

    pristine = work / "corpus"
    meta = make_corpus.make_corpus(pristine, args.pages, args.seed)
    plain, ours = work / "plain", work / "ours"
    for d in (plain, ours):
        shutil.copytree(pristine, d)
    res: dict = {"corpus": meta, "saves": [], "errors": {}}
    plain_cmds = bench_publish.plain_commands(plain, None)
    say("plain: first run, every catalog filled, run again...")
    bench_sync.run_step(plain_cmds, plain, env, work / "plain-first.log")
    bench_sync.fill_catalogs(plain)
    bench_sync.run_step(plain_cmds, plain, env, work / "plain-filled.log")
    say("ours: sync, every catalog filled, serve (its publish at start)...")
    bench_sync.run_step(bench_sync.ours_commands(ours, tool), ours, env, work / "ours-sync.log")
    bench_sync.fill_catalogs(ours)
    paragraphs = make_corpus.edit_corpus(pristine, 0)["paragraphs"]  # counts, edits nothing
    server = Serve(tool, ours, env, work / "serve.log")
    try:
        if not server.wait_published(1, timeout=1800):
            res["errors"]["ours"] = f"serve did not publish at start (see {work / 'serve.log'})"
            return res
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context()
            context.set_default_timeout(120_000)
            for number in range(args.saves):
                seed = 100 + number
                say(f"save {number + 1} of {args.saves}...")
                docname = edit_one(plain, seed, paragraphs)
                timed = bench_sync.run_step(plain_cmds, plain, env, work / f"plain-save-{number + 1}.log")
                pages = {lang: context.new_page() for lang in ("fr", "en")}
                before = {}
                for lang, page in pages.items():
                    page.goto(f"{server.url}/{lang}/{docname}.html")
                    page.evaluate("window.beforeSave = true")
                    before[lang] = page.evaluate(PARAGRAPHS if lang == "fr" else OUTDATED)
                count = len(server.published())
                started = time.perf_counter()
                assert edit_one(ours, seed, paragraphs) == docname
                for page in pages.values():
                    page.wait_for_function(RELOADED, polling="raf")
                reload_s = time.perf_counter() - started
                server.wait_published(count + 1, timeout=120)
                shows = {"fr": pages["fr"].evaluate(PARAGRAPHS) != before["fr"],
                         "en": pages["en"].evaluate(OUTDATED) > before["en"]}
                republish = server.published()[count] if len(server.published()) > count else None
                res["saves"].append({"page": docname, "reload_s": reload_s, "republish_s": republish,
                                     "plain_s": timed["wall_s"], "shows": shows,
                                     "publishes": len(server.published()) - count})
                for page in pages.values():
                    page.close()
            browser.close()
    finally:
        server.stop()
    saves = res["saves"]
    if not all(s["shows"]["fr"] and s["shows"]["en"] for s in saves):
        res["errors"]["ours"] = "a reloaded page did not show the edit: " + json.dumps(saves)
    ratios = [s["republish_s"] / s["plain_s"] for s in saves if s["republish_s"]]
    res["median"] = {
        "reload_s": statistics.median(s["reload_s"] for s in saves),
        "republish_s": statistics.median(s["republish_s"] for s in saves if s["republish_s"]),
        "plain_s": statistics.median(s["plain_s"] for s in saves),
        "republish_ratio": statistics.median(ratios),
    }
    return res


def print_report(res: dict, meta: dict) -> None:
    corpus = res["corpus"]
    print(f"Live preview, {corpus.get('pages', '?')} pages ({corpus.get('documents', '?')} documents), "
          f"{len(res['saves'])} saves of one French paragraph; HTML only; load average "
          f"{meta['load_average']['before']} before, {meta['load_average']['after']} after; {meta['cpus']} CPUs")
    print(f"{'save':>4}  {'page':40} {'reload s':>9} {'republish s':>12} {'plain s':>8} {'ratio':>6}  shows fr/en")
    for number, save in enumerate(res["saves"], 1):
        ratio = save["republish_s"] / save["plain_s"] if save["republish_s"] else float("nan")
        print(f"{number:>4}  {save['page'][:40]:40} {save['reload_s']:9.2f} {save['republish_s'] or 0:12.2f} "
              f"{save['plain_s']:8.2f} {ratio:6.3f}  {save['shows']['fr']}/{save['shows']['en']}")
    median = res["median"]
    print(f"median: save → both pages reloaded {median['reload_s']:.2f} s (target ≤ {TARGETS['reload_s']} s); "
          f"republish {median['republish_s']:.2f} s, plain sequence {median['plain_s']:.2f} s, "
          f"ratio {median['republish_ratio']:.3f} (target ≤ {TARGETS['republish_ratio']})")
    for side, error in res["errors"].items():
        print(f"{side}: {error}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time serve's live preview in headless Chromium against the plain "
                                 "sphinx-build/sphinx-intl sequence.")
    ap.add_argument("--pages", type=int, default=300, help="content pages of the corpus (default 300)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--saves", type=int, default=10, help="paragraphs saved one after the other (default 10)")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (corpus, copies, logs)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--tool", help="command that runs the tool (default: translate-pipeline next to this Python)")
    args = ap.parse_args(argv)
    tool = args.tool.split() if args.tool else bench_sync.default_tool()
    env = bench_sync.make_env()
    if args.keep:
        work = Path(args.keep).resolve()
        for name in ("corpus", "plain", "ours"):
            shutil.rmtree(work / name, ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="bench-preview-"))
    say = (lambda _m: None) if args.json else (lambda m: print(m, file=sys.stderr))
    try:
        load_before = os.getloadavg()[0]
        res = bench(args, work, env, tool, say)
        meta = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "tool": " ".join(tool),
                "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
                "work_dir": str(work) if args.keep else None}
        if args.json:
            print(json.dumps({"meta": meta, **res}, indent=2, ensure_ascii=False))
        elif res["saves"]:
            print_report(res, meta)
        else:
            print("\n".join(f"{side}: {error}" for side, error in res["errors"].items()))
        return 1 if res["errors"] else 0
    finally:
        if not args.keep:
            with contextlib.suppress(OSError):
                shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())
