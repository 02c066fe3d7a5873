#!/usr/bin/env python3
"""What ``translate-pipeline draft --engine deepl`` sends, against the physical minimum.

DeepL bills every character it is sent, so the draft command must send each
text that needs a draft exactly once, and nothing else. On the generated
corpus (see ``make_corpus.py``), with the local DeepL server of the test suite
(``tests/deepl_server.py``, which records every request), one run:

1. generates the corpus (with the project's glossary) and runs ``sync``;
2. **first draft**: ``draft --engine deepl --dry-run``, then ``draft --engine
   deepl``, then the same again (a rerun);
3. copies the project twice and, in each copy, either clears the fuzzy flag of
   every draft (``reviewed``: a translator approved them all) or leaves them
   as machine drafts (``unreviewed``);
4. **after the edit**: edits the same fraction of the French paragraphs of
   both copies (5 % by default), runs ``sync``, then ``draft --dry-run``,
   ``draft`` and a rerun on each.

Before each draft the catalogs are read (with polib, not the tool) to list the
texts that need a draft: untranslated entries, and machine drafts whose French
changed (fuzzy, ``# draft:`` comment, ``#| msgid``). Each distinct one, sent
once (reST markup protected as XML tags, which DeepL does not bill), is the
minimum a run can send and pay for. The table compares it with what the server received,
with the dry run's estimate and with what the tool reports. In the
``reviewed`` copy the edited paragraphs become stale: they keep the reviewed
English for a translator to update and are never drafted, so only edits that
left an untranslated entry are sent.

Usage::

    python benchmarks/bench_draft.py [--pages 300] [--edit 0.05] [--keep DIR] [--json]

The exit status is 1 when a check fails (what was sent is not the minimum, a
text was sent twice, a rerun sent something, a catalog fails ``msgfmt
--check``, a command failed), 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))  # the local DeepL server lives with the tests

import bench_sync  # noqa: E402  (default_tool, make_env, msgfmt_failures)
import make_corpus  # noqa: E402
import polib  # noqa: E402
from deepl_server import DeepLServer, billable  # noqa: E402

from translate_pipeline.checks.markup import protect  # noqa: E402

KEY = "bench-key:fx"
LANG = "en"


class Failed(RuntimeError):
    pass


# --------------------------------------------------------------------------
# Running the tool


class Tool:
    def __init__(self, command: list[str], server: DeepLServer, work: Path) -> None:
        self.command = command
        self.server = server
        self.log = work / "commands.log"
        self.env = {**bench_sync.make_env(), "DEEPL_SERVER_URL": server.url, "DEEPL_AUTH_KEY": KEY}

    def __call__(self, directory: Path, *args: str) -> tuple[dict | None, float]:
        """Run ``tool -C DIR ARGS``; its JSON output (if --json) and wall seconds."""
        cmd = [*self.command, "-C", str(directory), *args]
        started = time.perf_counter()
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        with open(self.log, "a", encoding="utf-8") as log:
            log.write(f"$ {' '.join(cmd)}  [{done.returncode}, {seconds:.1f} s]\n{done.stderr}")
        if done.returncode != 0:
            raise Failed(f"{' '.join(cmd)} exited with {done.returncode}:\n{done.stderr[-2000:]}")
        return (json.loads(done.stdout) if "--json" in args else None), seconds


# --------------------------------------------------------------------------
# Reading the catalogs (independently of the tool)


def po_files(directory: Path) -> list[Path]:
    return sorted((directory / "locale").rglob("*.po"))


def needing_draft(directory: Path) -> dict:
    """The texts ``draft`` has to send: untranslated entries, machine drafts whose French changed."""
    texts: set[str] = set()
    entries = stale = 0
    for path in po_files(directory):
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            machine = "fuzzy" in entry.flags and "draft: " in (entry.tcomment or "")
            if not entry.msgstr or (machine and entry.previous_msgid):
                entries += 1
                texts.add(entry.msgid)
            elif "fuzzy" in entry.flags and not machine:
                stale += 1
    sent = [protect(text).xml for text in texts]
    return {"entries": entries, "segments": len(sent), "characters": sum(map(billed, sent)),
            "texts": set(sent), "stale": stale}


def billed(xml: str) -> int:
    """What DeepL bills for a text sent with tag handling (the tags are free)."""
    return billable(xml, {"tag_handling": "xml"})


def review_all(directory: Path) -> int:
    """A translator approves every draft: the fuzzy flag is cleared."""
    count = 0
    for path in po_files(directory):
        po = polib.pofile(str(path))
        for entry in po:
            if not entry.obsolete and "fuzzy" in entry.flags and entry.msgstr:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
                count += 1
        po.save(str(path))
    return count


# --------------------------------------------------------------------------
# One draft step


def draft_step(name: str, directory: Path, tool: Tool) -> dict:
    """dry run, run, rerun; what was needed, estimated, sent and reported."""
    server = tool.server
    need = needing_draft(directory)
    dry, dry_s = tool(directory, "draft", "--engine", "deepl", "--dry-run", "--json")
    before, billed_before = len(server.requests), server.character_count
    real, real_s = tool(directory, "draft", "--engine", "deepl", "--json")
    requests = server.requests[before:]
    sent = [text for r in requests if r.path == "/v2/translate" and r.status == 200 for text in r.texts]
    after = len(server.requests)
    rerun, rerun_s = tool(directory, "draft", "--engine", "deepl", "--json")
    rerun_sent = sum(len(r.texts) for r in server.requests[after:] if r.path == "/v2/translate")
    row = {
        "step": name,
        "entries_needing_draft": need["entries"],
        "stale_left_to_translators": need["stale"],
        "minimum": {"segments": need["segments"], "characters": need["characters"]},
        "dry_run": {k: dry["totals"][k] for k in ("segments", "characters")} | {"seconds": dry_s},
        "sent": {
            "segments": len(sent),
            "characters": server.character_count - billed_before,
            "requests": len(requests),
            "translate_requests": sum(r.path == "/v2/translate" for r in requests),
            "seconds": real_s,
        },
        "reported": {k: real["totals"][k] for k in ("segments", "characters", "requests")},
        "drafted": real["totals"]["drafted"],
        "left": real["totals"]["left"],
        "stopped": real["stopped"],
        "rerun": {"segments_sent": rerun_sent, "requests": len(server.requests) - after,
                  "pending": rerun["totals"]["pending"], "seconds": rerun_s},
    }
    checks = {
        "sent == minimum": sorted(sent) == sorted(need["texts"]),
        "each text sent once": len(sent) == len(set(sent)),
        "dry run == sent": row["dry_run"]["characters"] == row["sent"]["characters"]
        and row["dry_run"]["segments"] == row["sent"]["segments"],
        "reported == sent": row["reported"] == {
            "segments": len(sent), "characters": row["sent"]["characters"], "requests": len(requests)},
        "rerun sends nothing": rerun_sent == 0 and row["rerun"]["requests"] == 0,
        "msgfmt --check": bench_sync.msgfmt_failures(directory) in (0, None),
    }
    row["checks"] = checks
    return row


# --------------------------------------------------------------------------
# The benchmark


def run_benchmark(args, work: Path) -> dict:
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    meta = make_corpus.make_corpus(corpus, args.pages, args.seed)
    (corpus / "glossary").mkdir()
    shutil.copy(REPO / "glossary" / "fr-en.csv", corpus / "glossary" / "fr-en.csv")
    result: dict = {"corpus": {"pages": meta["pages"], "documents": meta["documents"], "edit": args.edit},
                    "steps": [], "seconds": {}}
    with DeepLServer(auth_key=KEY, character_limit=10**12) as server:
        tool = Tool(args.tool.split() if args.tool else bench_sync.default_tool(), server, work)
        progress(args, f"sync of {meta['pages']} pages…")
        _, result["seconds"]["first sync"] = tool(corpus, "sync", "--quiet")
        progress(args, "first draft…")
        result["steps"].append(draft_step("first draft", corpus, tool))
        copies = {}
        for kind in ("reviewed", "unreviewed"):
            copies[kind] = work / kind
            if copies[kind].exists():
                shutil.rmtree(copies[kind])
            shutil.copytree(corpus, copies[kind])
        result["reviewed_drafts"] = review_all(copies["reviewed"])
        for kind, directory in copies.items():
            edited = make_corpus.edit_corpus(directory, args.edit, args.edit_seed)
            result["corpus"]["edited"] = {k: v for k, v in edited.items() if k != "changes"}
            result["corpus"]["edited_characters"] = sum(len(new) for _, new in edited["changes"])
            progress(args, f"sync and draft after the edit ({kind} drafts)…")
            _, result["seconds"][f"sync after edit ({kind})"] = tool(directory, "sync", "--quiet")
            result["steps"].append(draft_step(f"after edit, drafts {kind}", directory, tool))
        result["glossaries_on_server"] = len(server.glossaries)
    return result


def progress(args, message: str) -> None:
    if not args.json:
        print(message, file=sys.stderr)


def print_report(result: dict) -> None:
    corpus = result["corpus"]
    edited = corpus.get("edited", {})
    print(f"corpus: {corpus['pages']} pages, {corpus['documents']} documents; edit: {edited.get('edited')} "
          f"of {edited.get('paragraphs')} paragraphs ({corpus['edit']:.0%}), "
          f"{corpus.get('edited_characters')} characters of new French")
    print("sync: " + ", ".join(f"{k} {v:.1f} s" for k, v in result["seconds"].items()))
    print()
    head = (f"{'step':<28} {'needed':>7} {'stale':>6} {'min seg':>8} {'min chars':>10} {'dry chars':>10} "
            f"{'sent seg':>8} {'billed':>10} {'requests':>8} {'draft s':>7} {'rerun':>6}")
    print(head)
    print("-" * len(head))
    for row in result["steps"]:
        print(f"{row['step']:<28} {row['entries_needing_draft']:>7} {row['stale_left_to_translators']:>6} "
              f"{row['minimum']['segments']:>8} {row['minimum']['characters']:>10} "
              f"{row['dry_run']['characters']:>10} {row['sent']['segments']:>8} {row['sent']['characters']:>10} "
              f"{row['sent']['requests']:>8} {row['sent']['seconds']:>7.1f} {row['rerun']['segments_sent']:>6}")
    print()
    print("needed: entries needing a draft; stale: reviewed entries whose French changed (left to translators);")
    print("min: distinct texts needing a draft and the characters DeepL bills for them (tags are free);")
    print("dry chars: --dry-run's estimate; billed: what the server billed; rerun: texts a rerun sent")
    print()
    for row in result["steps"]:
        failed = [name for name, ok in row["checks"].items() if not ok]
        state = "all checks pass" if not failed else "FAILED: " + ", ".join(failed)
        print(f"{row['step']:<28} {state} ({', '.join(row['checks'])})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Characters draft sends to DeepL, against the minimum.")
    ap.add_argument("--pages", type=int, default=300, help="content pages of the corpus (default 300)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--edit", type=float, default=0.05, help="fraction of paragraphs edited (default 0.05)")
    ap.add_argument("--edit-seed", type=int, default=2, help=argparse.SUPPRESS)
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temp dir, removed)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--tool", help="command that runs the tool (default: translate-pipeline next to this Python)")
    args = ap.parse_args(argv)
    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="bench-draft-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = run_benchmark(args, work)
    except Failed as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_report(result)
    ok = all(all(row["checks"].values()) for row in result["steps"])
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    sys.exit(main())
