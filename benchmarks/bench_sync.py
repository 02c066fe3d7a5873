#!/usr/bin/env python3
"""Time ``translate-pipeline sync`` against the plain Sphinx + sphinx-intl sequence.

One run generates a French corpus (see ``make_corpus.py``), copies it twice and
measures, on each copy, the same two steps:

(a) first run   -- the corpus has no catalogs yet;
(b) after edit  -- every msgstr of every catalog is filled with a fake
                   translation ("EN: " + msgid, not fuzzy), then a fraction of
                   the French paragraphs (5 % by default) is edited, then the
                   catalogs are brought up to date again.

"plain" is what a user would run without the tool::

    sphinx-build -b gettext DIR/source/fr DIR/_build/gettext -c DIR -q
    sphinx-intl update -p DIR/_build/gettext -l en -d DIR/locale

"ours" is::

    translate-pipeline sync -C DIR --quiet

Both keep their build state between the two steps (sphinx-build its doctrees
in ``DIR/_build/gettext/.doctrees``, the tool whatever it keeps in
``DIR/_build``). Every command is a child process with the same environment;
wall time is measured with ``time.perf_counter``, CPU time and peak resident
memory come from ``os.wait4`` (they include the command's own children), both
in a small launcher process so that this script's own size does not count.

After step (b) the catalogs of both copies are counted: fuzzy entries, fuzzy
entries that keep the previous msgid (``#| msgid``), obsolete entries, edited
paragraphs whose translation was carried to the new text, and translations
that no longer appear anywhere (lost).

Usage::

    python benchmarks/bench_sync.py [--pages 300] [--edit 0.05] [--repeat N]
                                    [--keep DIR] [--json] [--only plain|ours]
                                    [--noop]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402

try:
    import polib
except ImportError:  # pragma: no cover - polib is a dependency of the project
    sys.exit("bench_sync.py needs polib (pip install polib)")

TARGETS = {"first": 0.8, "edit": 0.3}
STEP_TITLES = {
    "first": "first run (no catalogs)",
    "edit": "after {pct} edit",
    "noop": "rerun, nothing changed",
}
LANG = "en"


# --------------------------------------------------------------------------
# Commands


def find_tool(name: str) -> str | None:
    """An executable next to this interpreter first (the venv), then on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)


def plain_commands(d: Path) -> list[list[str]]:
    sphinx_build = find_tool("sphinx-build") or "sphinx-build"
    sphinx_intl = find_tool("sphinx-intl") or "sphinx-intl"
    return [
        [sphinx_build, "-b", "gettext", str(d / "source" / "fr"),
         str(d / "_build" / "gettext"), "-c", str(d), "-q"],
        [sphinx_intl, "update", "-p", str(d / "_build" / "gettext"),
         "-l", LANG, "-d", str(d / "locale")],
    ]


_SYNC_TAKES_C: dict[tuple[str, ...], bool] = {}


def ours_commands(d: Path, tool: list[str]) -> list[list[str]]:
    """``tool sync -C DIR --quiet``, or ``tool -C DIR sync --quiet`` when ``-C``
    is an option of the main command only."""
    key = tuple(tool)
    if key not in _SYNC_TAKES_C:
        r = subprocess.run(tool + ["sync", "--help"], capture_output=True, text=True)
        _SYNC_TAKES_C[key] = re.search(r"^\s+(-\w, )?-C\b", r.stdout, re.M) is not None
    if _SYNC_TAKES_C[key]:
        return [tool + ["sync", "-C", str(d), "--quiet"]]
    return [tool + ["-C", str(d), "sync", "--quiet"]]


def default_tool() -> list[str]:
    exe = find_tool("translate-pipeline")
    return [exe] if exe else [sys.executable, "-m", "translate_pipeline"]


def make_env() -> dict[str, str]:
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


class CommandFailed(RuntimeError):
    pass


# Each command is started by a small launcher process, which times it and
# collects its resource usage with os.wait4. On Linux a child's peak RSS
# counts the memory of the process it was forked from, so forking the
# commands from this (large) process would report this process's size for
# every small command.
LAUNCHER = r"""
import json, os, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
proc = subprocess.Popen(cmd)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t0
code = os.waitstatus_to_exitcode(status)
with open(out, "w") as f:
    json.dump({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
               "maxrss_kib": usage.ru_maxrss, "exit": code}, f)
sys.exit(0 if code == 0 else 1)
"""


def run(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> dict:
    """Run one command; return wall and CPU seconds and peak RSS in KiB."""
    fd, stats_path = tempfile.mkstemp(prefix="bench-run-", suffix=".json")
    os.close(fd)
    try:
        with open(log, "ab") as out:
            out.write(("$ " + " ".join(cmd) + "\n").encode())
            out.flush()
            subprocess.run([sys.executable, "-c", LAUNCHER, stats_path, *cmd], cwd=cwd,
                           env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
        try:
            stats = json.loads(Path(stats_path).read_text())
        except (OSError, ValueError):
            stats = {"wall_s": 0.0, "cpu_s": 0.0, "maxrss_kib": 0, "exit": -1}
    finally:
        os.unlink(stats_path)
    result = {
        "cmd": " ".join(Path(cmd[0]).name if i == 0 else c for i, c in enumerate(cmd)),
        **stats,
    }
    if result["exit"] != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise CommandFailed(f"{result['cmd']} exited with {result['exit']}; log {log}:\n{tail}")
    return result


def run_step(cmds: list[list[str]], cwd: Path, env: dict[str, str], log: Path) -> dict:
    parts = [run(c, cwd, env, log) for c in cmds]
    return {
        "wall_s": sum(p["wall_s"] for p in parts),
        "cpu_s": sum(p["cpu_s"] for p in parts),
        "maxrss_kib": max(p["maxrss_kib"] for p in parts),
        "commands": parts,
    }


# --------------------------------------------------------------------------
# Catalogs


def po_files(d: Path) -> list[Path]:
    return sorted((d / "locale" / LANG / "LC_MESSAGES").rglob("*.po"))


def fill_catalogs(d: Path) -> dict:
    """Give every entry a fake reviewed translation: "EN: " + msgid, not fuzzy."""
    files = entries = 0
    for path in po_files(d):
        po = polib.pofile(str(path), wrapwidth=76)
        for e in po:
            if e.obsolete:
                continue
            if e.msgid_plural:
                e.msgstr_plural = {0: "EN: " + e.msgid, 1: "EN: " + e.msgid_plural}
            else:
                e.msgstr = "EN: " + e.msgid
            if "fuzzy" in e.flags:
                e.flags.remove("fuzzy")
            e.previous_msgid = e.previous_msgid_plural = e.previous_msgctxt = None
            entries += 1
        po.save(str(path))
        files += 1
    return {"files": files, "entries": entries}


def catalog_keys(d: Path) -> set[tuple[str, str]]:
    base = d / "locale" / LANG / "LC_MESSAGES"
    return {
        (str(p.relative_to(base)), e.msgid)
        for p in po_files(d)
        for e in polib.pofile(str(p))
        if not e.obsolete
    }


def translations(d: Path) -> set[str]:
    """Every msgstr present in the catalogs, obsolete entries included."""
    out = set()
    for p in po_files(d):
        for e in polib.pofile(str(p)):
            if e.msgstr:
                out.add(e.msgstr)
    return out


def count_catalogs(d: Path, changes: list[tuple[str, str]], before: set[str]) -> dict:
    c = {
        "files": 0, "entries": 0, "translated": 0, "untranslated": 0, "fuzzy": 0,
        "fuzzy_with_previous": 0, "obsolete": 0,
        "edits_carried": 0, "edits_carried_with_previous": 0,
        "translations_lost": 0,
    }
    by_msgid: dict[str, list[polib.POEntry]] = {}
    seen: set[str] = set()
    for p in po_files(d):
        c["files"] += 1
        for e in polib.pofile(str(p)):
            if e.msgstr:
                seen.add(e.msgstr)
            if e.obsolete:
                c["obsolete"] += 1
                continue
            c["entries"] += 1
            by_msgid.setdefault(e.msgid, []).append(e)
            if "fuzzy" in e.flags:
                c["fuzzy"] += 1
                if e.previous_msgid:
                    c["fuzzy_with_previous"] += 1
            elif e.msgstr:
                c["translated"] += 1
            else:
                c["untranslated"] += 1
    for old, new in changes:
        for e in by_msgid.get(new, []):
            if e.msgstr == "EN: " + old:
                c["edits_carried"] += 1
                if e.previous_msgid == old:
                    c["edits_carried_with_previous"] += 1
                break
    c["translations_lost"] = len(before - seen)
    return c


def msgfmt_failures(d: Path) -> int | None:
    msgfmt = shutil.which("msgfmt")
    if not msgfmt:
        return None
    bad = 0
    for p in po_files(d):
        r = subprocess.run([msgfmt, "--check", "-o", os.devnull, str(p)],
                           capture_output=True)
        bad += r.returncode != 0
    return bad


def tree_digest(d: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in po_files(d)}


# --------------------------------------------------------------------------
# The benchmark


def one_repetition(args, work: Path, pristine: Path, env, tool, rep: int) -> dict:
    sides = [s for s in ("plain", "ours") if args.only in (None, s)]
    dirs = {}
    for s in sides:
        dirs[s] = work / f"{s}-{rep}"
        if dirs[s].exists():
            shutil.rmtree(dirs[s])
        shutil.copytree(pristine, dirs[s])
    cmds = {
        "plain": lambda d: plain_commands(d),
        "ours": lambda d: ours_commands(d, tool),
    }
    # alternate the order between repetitions so neither side always goes first
    order = sides if rep % 2 == 0 else sides[::-1]
    res: dict = {"steps": {"first": {}, "edit": {}}, "catalogs": {}, "errors": {}}
    if args.noop:
        res["steps"]["noop"] = {}

    def timed(step: str, side: str) -> None:
        if side in res["errors"]:
            return
        log = work / f"{side}-{rep}.log"
        try:
            res["steps"][step][side] = run_step(cmds[side](dirs[side]), dirs[side], env, log)
        except CommandFailed as exc:
            res["errors"][side] = str(exc)

    for side in order:
        timed("first", side)
    first_keys = {s: catalog_keys(dirs[s]) for s in sides if s not in res["errors"]}
    res["messages"] = {s: len(k) for s, k in first_keys.items()}
    if len(first_keys) == 2:
        a, b = first_keys["plain"], first_keys["ours"]
        res["agreement"] = {"plain_only": len(a - b), "ours_only": len(b - a), "common": len(a & b)}
    before = {}
    for side in sides:
        if side in res["errors"]:
            continue
        res.setdefault("filled", {})[side] = fill_catalogs(dirs[side])
        before[side] = translations(dirs[side])
    changes: list[tuple[str, str]] = []
    for side in sides:
        ed = make_corpus.edit_corpus(dirs[side], args.edit, args.edit_seed)
        changes = ed["changes"]
        res["edited"] = {k: v for k, v in ed.items() if k != "changes"}
    for side in order:
        timed("edit", side)
    for side in sides:
        if side in res["errors"]:
            continue
        res["catalogs"][side] = count_catalogs(dirs[side], changes, before[side])
        if rep == 0:
            res["catalogs"][side]["msgfmt_check_failures"] = msgfmt_failures(dirs[side])
    if args.noop:
        for side in order:
            if side in res["errors"]:
                continue
            snapshot = tree_digest(dirs[side])
            timed("noop", side)
            after = tree_digest(dirs[side])
            changed = sum(1 for k in set(snapshot) | set(after) if snapshot.get(k) != after.get(k))
            res.setdefault("noop_files_changed", {})[side] = changed
    res["dirs"] = {s: str(p) for s, p in dirs.items()}
    return res


def summarise(reps: list[dict], args) -> dict:
    steps = ["first", "edit"] + (["noop"] if args.noop else [])
    out: dict = {"steps": {}}
    for step in steps:
        row: dict = {}
        for side in ("plain", "ours"):
            runs = [r["steps"][step][side] for r in reps if side in r["steps"][step]]
            if not runs:
                continue
            walls = [x["wall_s"] for x in runs]
            row[side] = {
                "wall_s": statistics.median(walls),
                "wall_s_all": walls,
                "cpu_s": statistics.median(x["cpu_s"] for x in runs),
                "maxrss_mib": max(x["maxrss_kib"] for x in runs) / 1024,
                "commands": [
                    {"cmd": c["cmd"],
                     "wall_s": statistics.median(r["commands"][i]["wall_s"] for r in runs),
                     "cpu_s": statistics.median(r["commands"][i]["cpu_s"] for r in runs),
                     "maxrss_mib": max(r["commands"][i]["maxrss_kib"] for r in runs) / 1024}
                    for i, c in enumerate(runs[0]["commands"])
                ],
            }
        if "plain" in row and "ours" in row:
            row["ratio"] = row["ours"]["wall_s"] / row["plain"]["wall_s"]
            # ratio within each repetition (both sides ran under the same load)
            row["ratio_per_repetition"] = [
                r["steps"][step]["ours"]["wall_s"] / r["steps"][step]["plain"]["wall_s"]
                for r in reps
                if "ours" in r["steps"][step] and "plain" in r["steps"][step]
            ]
        if step in TARGETS:
            row["target"] = TARGETS[step]
            if "ratio" in row:
                row["meets_target"] = row["ratio"] <= TARGETS[step]
        out["steps"][step] = row
    last = reps[0]
    out["catalogs"] = last["catalogs"]
    out["edited"] = last.get("edited")
    out["filled"] = last.get("filled")
    out["agreement"] = last.get("agreement")
    out["errors"] = {k: v for r in reps for k, v in r["errors"].items()}
    if args.noop:
        out["noop_files_changed"] = last.get("noop_files_changed")
    return out


def print_report(meta: dict, summary: dict, args) -> None:
    pct = f"{args.edit * 100:g} %"
    msgs = ", ".join(f"{n} in {s}" for s, n in meta["messages"].items())
    print(f"corpus: {meta['pages']} pages, {meta['documents']} documents, "
          f"seed {args.seed}; messages after the first run: {msgs}")
    if summary.get("edited"):
        e = summary["edited"]
        print(f"edit: {e['edited']} of {e['paragraphs']} paragraphs in {e['files']} files")
    print(f"repetitions: {args.repeat} (median wall time shown); {meta['cpus']} CPUs, "
          f"load average {meta['load_average']['before']} before, "
          f"{meta['load_average']['after']} after")
    print()
    head = f"{'step':<26} {'plain s':>9} {'ours s':>9} {'ours/plain':>10} {'target':>7} " \
           f"{'cpu plain':>9} {'cpu ours':>9} {'MiB plain':>9} {'MiB ours':>9}"
    print(head)
    print("-" * len(head))

    def f(x, fmt):
        width = "".join(ch for ch in fmt.split(".")[0] if ch.isdigit())
        return format(x, fmt) if x is not None else format("-", f">{width or 1}")

    for step, row in summary["steps"].items():
        p, o = row.get("plain"), row.get("ours")
        ratio = row.get("ratio")
        target = row.get("target")
        mark = ""
        if ratio is not None and target is not None:
            mark = " ok" if ratio <= target else " MISSED"
        print(f"{STEP_TITLES[step].format(pct=pct):<26} "
              f"{f(p and p['wall_s'], '9.2f')} {f(o and o['wall_s'], '9.2f')} "
              f"{f(ratio, '10.2f')} {(f'≤ {target}' if target else '-'):>7} "
              f"{f(p and p['cpu_s'], '9.1f')} {f(o and o['cpu_s'], '9.1f')} "
              f"{f(p and p['maxrss_mib'], '9.0f')} {f(o and o['maxrss_mib'], '9.0f')}{mark}")
        per_rep = row.get("ratio_per_repetition") or []
        if len(per_rep) > 1:
            print(f"    ours/plain per repetition: {', '.join(f'{x:.2f}' for x in per_rep)}")
        for side, r in (("plain", p), ("ours", o)):
            if r and len(r["commands"]) > 1:
                for c in r["commands"]:
                    name = c["cmd"].split()[0]
                    if name == "sphinx-intl":
                        name += " update"
                    print(f"    {side}: {name:<20}"
                          f" {c['wall_s']:7.2f} s wall {c['cpu_s']:7.1f} s cpu "
                          f"{c['maxrss_mib']:6.0f} MiB")
    print()
    cats = summary["catalogs"]
    if cats:
        keys = ["files", "entries", "translated", "untranslated", "fuzzy",
                "fuzzy_with_previous", "obsolete", "edits_carried",
                "edits_carried_with_previous", "translations_lost", "msgfmt_check_failures"]
        labels = {
            "fuzzy_with_previous": "fuzzy with #| msgid",
            "edits_carried": "edits carried (EN of old text on new msgid)",
            "edits_carried_with_previous": "... and #| msgid = old text",
            "translations_lost": "translations lost (in no entry, #~ included)",
            "msgfmt_check_failures": "files failing msgfmt --check",
        }
        print(f"catalogs after the edit run{'':<24} {'plain':>8} {'ours':>8}")
        for k in keys:
            vals = [cats.get(s, {}).get(k) for s in ("plain", "ours")]
            print(f"  {labels.get(k, k):<49} {f(vals[0], '>8')} {f(vals[1], '>8')}")
    if summary.get("agreement"):
        a = summary["agreement"]
        print(f"\nmessages after the first run: {a['common']} in both, "
              f"{a['plain_only']} only plain, {a['ours_only']} only ours")
    if summary.get("noop_files_changed"):
        changed = ", ".join(f"{s} {n}" for s, n in summary["noop_files_changed"].items())
        print(f"\n.po files rewritten by the no-change rerun: {changed}")
    for side, err in summary["errors"].items():
        print(f"\n{side} FAILED: {err}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time translate-pipeline sync against "
                                 "sphinx-build -b gettext + sphinx-intl update.")
    ap.add_argument("--pages", type=int, default=300, help="content pages of the corpus (default 300)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--edit", type=float, default=0.05,
                    help="fraction of paragraphs edited before step (b) (default 0.05)")
    ap.add_argument("--edit-seed", type=int, default=2, help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=1,
                    help="repeat the whole sequence on fresh copies N times (median shown)")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temp dir, removed)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--only", choices=["plain", "ours"], help="measure one side only")
    ap.add_argument("--noop", action="store_true",
                    help="also time a rerun with nothing changed and count rewritten .po files")
    ap.add_argument("--tool", help="command that runs the tool (default: translate-pipeline "
                    "next to this Python, else python -m translate_pipeline)")
    args = ap.parse_args(argv)

    tool = args.tool.split() if args.tool else default_tool()
    env = make_env()
    if args.keep:
        work = Path(args.keep).resolve()
        work.mkdir(parents=True, exist_ok=True)
        cleanup = False
    else:
        work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
        cleanup = True
    try:
        pristine = work / "corpus"
        if pristine.exists():
            shutil.rmtree(pristine)
        meta = make_corpus.make_corpus(pristine, args.pages, args.seed)
        for log in work.glob("*.log"):
            log.unlink()
        if not args.json:
            print(f"work dir: {work}", file=sys.stderr)
        load_before = os.getloadavg()
        reps = []
        for rep in range(args.repeat):
            if not args.json:
                print(f"repetition {rep + 1}/{args.repeat}...", file=sys.stderr)
            reps.append(one_repetition(args, work, pristine, env, tool, rep))
        meta["messages"] = reps[0]["messages"]
        summary = summarise(reps, args)
        meta.update({
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "edit_fraction": args.edit,
            "repeat": args.repeat,
            "tool": " ".join(tool),
            "load_average": {"before": round(load_before[0], 2),
                             "after": round(os.getloadavg()[0], 2)},
            "work_dir": str(work) if not cleanup else None,
        })
        if args.json:
            print(json.dumps({"corpus": meta, **summary}, indent=2, ensure_ascii=False))
        else:
            print_report(meta, summary, args)
        return 1 if summary["errors"] else 0
    finally:
        if cleanup:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
