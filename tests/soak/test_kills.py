"""Soak: ``kill -9`` of sync, draft (memory engine, DeepL test server) and publish.

Each trial changes the sample site's French pages, then starts a real
``translate-pipeline`` process and kills it with SIGKILL at a random moment,
or as soon as a condition holds (it has started its worker processes, it has
written a new catalog to a temporary file, its journal of renames exists).
Then the next run of the same command must complete, and:

* corrupt files = 0: every catalog passes ``msgfmt --check``, no temporary
  file or journal is left, every built page is complete, every PDF opens;
* stuck locks = 0: the next run is not refused the project's lock;
* losses = 0: every translation present before the killed run is in a catalog.

Processes the killed one left behind (its process group) are counted and
printed (then ended, by process id) before the next run.
The short form runs in the normal suite; ``SOAK=full`` runs at least 100 kills.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polib
import pytest
from conftest_deepl import TEST_KEY
from filelock import FileLock, Timeout

from deepl_server import DeepLServer
from translate_pipeline.catalogs import catalog as cat
from translate_pipeline import files

pytestmark = pytest.mark.slow

FULL = os.environ.get("SOAK") == "full"
REPO = Path(__file__).resolve().parents[2]
# (command, how many kills): the short form, and the full one (100 kills)
PLAN = (
    [("sync", 45), ("draft memory", 15), ("draft deepl", 25), ("publish --no-pdf", 10), ("publish", 5)]
    if FULL else
    [("sync", 2), ("draft memory", 1), ("draft deepl", 1), ("publish --no-pdf", 1)]
)
ARGS = {
    "sync": ["sync", "-q"],
    "draft memory": ["draft", "-q", "--engine", "memory"],
    "draft deepl": ["draft", "-q", "--engine", "deepl"],
    "publish --no-pdf": ["publish", "-q", "--no-pdf"],
    "publish": ["publish", "-q"],
}
USUAL = {"sync": 2.0, "draft memory": 1.5, "draft deepl": 1.5, "publish --no-pdf": 8.0, "publish": 40.0}  # seconds
WHEN = ("random", "workers started", "catalog staged", "journal written")


@dataclass
class Counts:
    kills: dict[str, int] = field(default_factory=dict)
    moments: dict[str, int] = field(default_factory=dict)
    finished_first: int = 0  # runs that ended before the moment came (not counted as kills)
    corrupt: list[str] = field(default_factory=list)
    stuck_locks: list[str] = field(default_factory=list)
    lock_held_by_leftovers: int = 0
    leftovers: dict[str, int] = field(default_factory=dict)  # command -> processes left behind
    losses: list[str] = field(default_factory=list)

    def line(self, seconds: float) -> str:
        kills = ", ".join(f"{name} {count}" for name, count in self.kills.items())
        moments = ", ".join(f"{name} {count}" for name, count in self.moments.items())
        leftovers = ", ".join(f"{name} {count}" for name, count in self.leftovers.items()) or "none"
        return (f"soak kills: {sum(self.kills.values())} kill -9 in {seconds:.0f} s ({kills}; moments: {moments}; "
                f"{self.finished_first} runs ended before their moment); corrupt files = {len(self.corrupt)}; "
                f"stuck locks = {len(self.stuck_locks)}; losses = {len(self.losses)}; leftover processes = "
                f"{sum(self.leftovers.values())} ({leftovers}; the lock held by them after "
                f"{self.lock_held_by_leftovers} kills)")


class Sample:
    """A copy of the repository's sample site, changed between trials."""

    def __init__(self, root: Path, rng: random.Random, env: dict[str, str]) -> None:
        self.root, self.rng, self.env = root, rng, env
        for name in ("conf.py", "pyproject.toml"):
            shutil.copy(REPO / name, root / name)
        for name in ("source", "locale", "glossary"):
            shutil.copytree(REPO / name, root / name)
        self.pages = sorted((root / "source" / "fr").rglob("*.rst"))
        self.added: dict[Path, list[str]] = {}
        self.serial = 0

    def run(self, args: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(args), capture_output=True, text=True, env=self.env, timeout=timeout)

    def command(self, args: list[str]) -> list[str]:
        return [sys.executable, "-m", "translate_pipeline", "-C", str(self.root), *args]

    def change_pages(self) -> None:
        """Paragraphs added, changed, moved to another page, deleted (at the end of pages)."""
        for _ in range(self.rng.randint(1, 3)):
            page = self.rng.choice(self.pages)
            mine = self.added.setdefault(page, [])
            op = self.rng.choice(["add", "add", "edit", "move", "delete"]) if mine else "add"
            if op == "add":
                self.serial += 1
                mine.append(f"Paragraphe d'essai {self.serial} : le collectif se réunit à Paris.")
            elif op == "edit":
                i = self.rng.randrange(len(mine))
                mine[i] = mine[i].replace(" à Paris", " à Lyon") if " à Paris" in mine[i] else mine[i] + " Encore."
            elif op == "move":
                self.added.setdefault(self.rng.choice(self.pages), []).append(mine.pop())
            else:
                mine.pop(self.rng.randrange(len(mine)))
        for page in self.pages:
            text = page.read_text(encoding="utf-8").split("\n\n.. soak\n", 1)[0]
            paragraphs = self.added.get(page)
            if paragraphs:
                text += "\n\n.. soak\n\n" + "\n\n".join(paragraphs) + "\n"
            page.write_text(text, encoding="utf-8")

    def catalog_dirs(self) -> list[Path]:
        return [self.root / "locale" / language / "LC_MESSAGES" for language in ("en", "fr")]

    def translate_some(self) -> None:
        """A translator fills some untranslated entries and approves some drafts."""
        for directory in self.catalog_dirs():
            for _, path in cat.iter_catalogs(directory):
                po = polib.pofile(str(path))
                changed = False
                for entry in po:
                    if entry.obsolete or entry.msgid_plural:
                        continue
                    if not entry.msgstr and self.rng.random() < 0.3:
                        self.serial += 1
                        entry.msgstr = f"K{self.serial} {entry.msgid}"
                        changed = True
                    elif "fuzzy" in entry.flags and self.rng.random() < 0.3:
                        entry.flags.remove("fuzzy")
                        entry.previous_msgid = None
                        changed = True
                if changed:
                    po.save(str(path))

    def translations(self, but_redrafts: bool = False) -> set[str]:
        """Every translation text of the catalogs; ``but_redrafts``: but the machine
        drafts whose French changed, which ``draft`` replaces with new drafts."""
        return {text for directory in self.catalog_dirs() for _, path in cat.iter_catalogs(directory)
                for entry in polib.pofile(str(path))
                if not (but_redrafts and not entry.obsolete and cat.outdated_draft(entry))
                for text in cat.translations(entry)}


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def group_members(group: int) -> list[int]:
    """Processes still alive (not zombies) in process group ``group``."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            members.append(int(stat.parent.name))
    return members


def still_alive(group: int, grace: float = 1.0) -> list[int]:
    """The processes of ``group`` still running once ``grace`` seconds have passed
    (what the killed command started sees it gone, and should end)."""
    deadline = time.monotonic() + grace
    while group_members(group) and time.monotonic() < deadline:
        time.sleep(0.02)
    return group_members(group)


def moment_reached(when: str, process: subprocess.Popen, root: Path) -> Callable[[], bool]:
    journal = root / "_build" / "translate-pipeline" / "commit.journal"
    locale = root / "locale"
    if when == "workers started":
        return lambda: bool(children(process.pid))
    if when == "catalog staged":
        return lambda: any(True for _ in locale.rglob(f".*{files.TMP_SUFFIX}"))
    if when == "journal written":
        return journal.exists
    raise AssertionError(when)


def kill_at(sample: Sample, args: list[str], when: str, duration: float) -> tuple[bool, int]:
    """Start the command and SIGKILL it at the moment ``when`` (or when it did not
    come in three times the command's usual duration): whether it was killed,
    and its process group (the command and the processes it started)."""
    process = subprocess.Popen(sample.command(args), env=sample.env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + (sample.rng.uniform(0.05, duration) if when == "random" else 3 * duration)
    reached = (lambda: False) if when == "random" else moment_reached(when, process, sample.root)
    while time.monotonic() < deadline and process.poll() is None and not reached():
        time.sleep(0.0005)
    killed = process.poll() is None
    if killed:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return killed, process.pid


def corrupt_files(sample: Sample, command: str) -> list[str]:
    found = []
    for directory in sample.catalog_dirs():
        for _, path in cat.iter_catalogs(directory):
            done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
            if done.returncode:
                found.append(f"{path}: {done.stderr.strip()[:200]}")
    found += [str(p) for p in (sample.root / "locale").rglob(f".*{files.TMP_SUFFIX}")]
    found += [str(p) for p in files.set_aside_files(sample.root / "locale")]
    journal = sample.root / "_build" / "translate-pipeline" / "commit.journal"
    found += [str(journal)] if journal.exists() else []
    if command.startswith("publish"):
        site = sample.root / "_build" / "site"
        for page in site.rglob("*.html"):
            if not page.read_bytes().rstrip().endswith(b"</html>"):
                found.append(f"{page}: incomplete page")
        for pdf in site.rglob("*.pdf"):
            if subprocess.run(["pdfinfo", str(pdf)], capture_output=True).returncode:
                found.append(f"{pdf}: not a readable PDF")
    return found


@pytest.fixture
def deepl_env():
    with DeepLServer(auth_key=TEST_KEY) as server:
        yield {"DEEPL_SERVER_URL": server.url, "DEEPL_AUTH_KEY": TEST_KEY}


def test_kill_9_at_any_moment_loses_nothing_and_the_next_run_completes(tmp_path, capsys, deepl_env):
    seed = int(os.environ.get("SOAK_SEED", "9"))
    rng = random.Random(seed)
    env = {**os.environ, **deepl_env, "PYTHONUNBUFFERED": "1"}
    sample = Sample(tmp_path, rng, env)
    assert sample.run(ARGS["sync"]).returncode == 0
    counts = Counts()
    durations = dict(USUAL)  # then how long the last complete run took
    started = time.monotonic()
    trials = [command for command, times in PLAN for _ in range(times)]
    attempts = 0
    while trials and attempts < 3 * sum(times for _, times in PLAN):
        command = trials[0]
        number, attempts = attempts, attempts + 1
        args = ARGS[command]
        sample.change_pages()
        if command.startswith("draft"):
            assert sample.run(ARGS["sync"]).returncode == 0  # new French for draft to draft
        sample.translate_some()
        before = sample.translations(but_redrafts=True)
        when = WHEN[number % len(WHEN)] if FULL else rng.choice(WHEN)
        if command.startswith("draft") and when == "workers started":
            when = "random"  # draft starts no worker processes
        killed, group = kill_at(sample, args, when, durations[command])
        if not killed:
            counts.finished_first += 1  # tried again, at another moment
        else:
            trials.pop(0)
            counts.kills[command] = counts.kills.get(command, 0) + 1
            counts.moments[when] = counts.moments.get(when, 0) + 1
        left = still_alive(group)
        if left:
            counts.leftovers[command] = counts.leftovers.get(command, 0) + len(left)
            try:
                FileLock(sample.root / "_build" / "translate-pipeline" / "catalogs.lock", timeout=0).acquire()
            except Timeout:
                counts.lock_held_by_leftovers += 1
            for pid in left:  # processes this test started: ended by id
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        began = time.monotonic()
        done = sample.run(args)
        durations[command] = time.monotonic() - began
        if done.returncode == 3:
            counts.stuck_locks.append(f"{command}: {done.stderr.strip()[:200]}")
        elif done.returncode != 0:
            counts.corrupt.append(f"{command} after a kill exited {done.returncode}: {done.stderr.strip()[-300:]}")
        counts.corrupt += corrupt_files(sample, command)
        counts.losses += sorted(before - sample.translations())
        if FULL and killed and sum(counts.kills.values()) % 10 == 0:
            with capsys.disabled():
                print("\n" + counts.line(time.monotonic() - started), flush=True)
    with capsys.disabled():
        print("\n" + counts.line(time.monotonic() - started) + f" (seed {seed})")
    assert counts.corrupt == []
    assert counts.stuck_locks == []
    assert counts.losses == []
    assert sum(counts.kills.values()) == sum(times for _, times in PLAN)
