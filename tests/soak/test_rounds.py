"""Soak: random edit/sync rounds, with a PO editor saving while sync runs.

Each round an editor changes the French pages (edits, deletions, reorders,
moves between pages, renames, merges and splits of paragraphs, new and
deleted pages), a translator translates and approves entries, and ``sync``
runs (Sphinx reading the real pages) while a simulated PO editor saves a
catalog at a random moment, as a person would. After each round:

* translations lost = 0: every translation text present before the round, and
  every one the PO editor saved during it, is in a catalog after it;
* catalogs failing ``msgfmt --check`` = 0.

The short form runs in the normal suite; ``SOAK=full`` runs 1,000 rounds.
The counts are printed.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polib
import pytest

from translate_pipeline.catalogs import catalog as cat
from translate_pipeline import files
from translate_pipeline.project.settings import load_project
from translate_pipeline.catalogs.sync import sync

pytestmark = pytest.mark.slow

FULL = os.environ.get("SOAK") == "full"
ROUNDS = 1000 if FULL else 20
WORDS = (
    "associations victimes traite plan action national ministre réunion collectif protection mineurs "
    "exploitation travail forcé droits femmes accompagnement hébergement justice enquête police prévention "
    "formation identification février mars avril Paris Lyon rapport déclaration abolition esclavage"
).split()


@dataclass
class Counts:
    rounds: int = 0
    edits: dict[str, int] = field(default_factory=dict)
    saves_during_sync: int = 0
    saves_while_staged: int = 0  # saved between sync's temporary file and its rename
    merged_again: int = 0
    translations_checked: int = 0
    lost: list[str] = field(default_factory=list)
    msgfmt_failures: list[str] = field(default_factory=list)

    def line(self, seconds: float) -> str:
        edits = ", ".join(f"{name} {count}" for name, count in sorted(self.edits.items()))
        return (f"soak rounds: {self.rounds} rounds in {seconds:.0f} s; edits: {edits}; PO editor saves during "
                f"sync: {self.saves_during_sync} ({self.saves_while_staged} right before sync's rename; merged again: "
                f"{self.merged_again}); translations checked: "
                f"{self.translations_checked}; translations lost = {len(self.lost)}; catalogs failing "
                f"msgfmt --check = {len(self.msgfmt_failures)}")


class Site:
    """French pages as lists of paragraphs, written as real .rst files."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        self.pages: dict[str, list[str]] = {f"page{i}": [self.sentence() for _ in range(rng.randint(2, 5))]
                                            for i in range(4)}
        self.serial = 0

    def sentence(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(4, 12))).capitalize() + "."

    def write(self) -> None:
        """The pages as files; only those that changed are written (Sphinx reads them again)."""
        source = self.root / "source" / "fr"
        wanted = {source / f"{name}.rst": ":orphan:\n\n" + "\n\n".join(dict.fromkeys(paras)) + "\n"
                  for name, paras in self.pages.items()}
        wanted[source / "index.rst"] = "Accueil\n=======\n\nLe site du collectif.\n"
        for path in source.rglob("*.rst"):
            if path not in wanted:
                path.unlink()
        for path, text in wanted.items():
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")

    def mutate(self) -> str:
        rng, pages = self.rng, self.pages
        op = rng.choice(["edit", "delete", "reorder", "move", "rename", "merge", "split", "insert", "new_page",
                         "drop_page"])
        name = rng.choice(sorted(pages))
        paras = pages[name]
        if not paras or (op in ("merge", "split") and len(paras) < 2):
            op = "insert"
        if op == "edit":
            i = rng.randrange(len(paras))
            words = paras[i].rstrip(".").split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            paras[i] = " ".join(words) + rng.choice([".", " encore.", " à Paris."])
        elif op == "delete":
            del paras[rng.randrange(len(paras))]
        elif op == "reorder":
            rng.shuffle(paras)
        elif op == "move":
            other = rng.choice(sorted(pages))
            pages[other].insert(rng.randint(0, len(pages[other])), paras.pop(rng.randrange(len(paras))))
        elif op == "rename":
            self.serial += 1
            pages[f"{name.split('-')[0]}-{self.serial}"] = pages.pop(name)
        elif op == "merge":
            i = rng.randrange(len(paras) - 1)
            paras[i:i + 2] = [paras[i].rstrip(".") + ", " + paras[i + 1][0].lower() + paras[i + 1][1:]]
        elif op == "split":
            i = rng.randrange(len(paras))
            words = paras[i].rstrip(".").split()
            cut = max(1, len(words) // 2)
            paras[i:i + 1] = [" ".join(words[:cut]).capitalize() + ".", " ".join(words[cut:] or ["Fin"]).capitalize() + "."]
        elif op == "insert":
            paras.insert(rng.randint(0, len(paras)), self.sentence())
        elif op == "new_page":
            self.serial += 1
            pages[f"nouvelle-{self.serial}"] = [self.sentence()]
        elif op == "drop_page" and len(pages) > 2:
            del pages[name]
        return op


class Catalogs:
    """What the catalogs hold, read again only for the files whose bytes changed
    (orphaned catalogs pile up over a thousand rounds and stay as they are)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.known: dict[Path, tuple[bytes, set[str], str | None]] = {}  # bytes, translations, msgfmt's complaint

    def _refresh(self) -> dict[Path, tuple[bytes, set[str], str | None]]:
        current = {}
        for _, path in cat.iter_catalogs(self.directory):
            raw = path.read_bytes()
            known = self.known.get(path)
            if known is None or known[0] != raw:
                texts = {text for entry in polib.pofile(raw.decode("utf-8")) for text in cat.translations(entry)}
                done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                                      capture_output=True, text=True)
                known = (raw, texts, f"{path}: {done.stderr.strip()}" if done.returncode else None)
            current[path] = known
        self.known = current
        return current

    def translations(self) -> set[str]:
        return set().union(*(texts for _, texts, _ in self._refresh().values()))

    def msgfmt_failures(self) -> list[str]:
        return [problem for _, _, problem in self._refresh().values() if problem]


def translator_pass(directory: Path, pages: Iterable[str], rng: random.Random, serial: list[int]) -> None:
    """A translator translates some untranslated entries of the pages' catalogs
    and approves some fuzzy ones, then saves what they changed."""
    for page in sorted(pages):
        path = directory / f"{page}.po"
        if not path.exists():
            continue
        po = polib.pofile(str(path))
        changed = False
        for entry in po:
            if entry.obsolete:
                continue
            if not entry.msgstr and rng.random() < 0.6:
                serial[0] += 1
                entry.msgstr = f"T{serial[0]} {entry.msgid.upper()}"
                changed = True
            elif "fuzzy" in entry.flags and rng.random() < 0.5:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
                changed = True
        if changed:
            save_like_an_editor(path, po)


def save_like_an_editor(path: Path, po: polib.POFile) -> None:
    """A PO editor's save: the whole file written to a temporary file, then renamed over it."""
    tmp = path.with_name(path.name + ".editor-save")
    po.save(str(tmp))
    os.replace(tmp, path)


def staged_catalog(directory: Path, within: float) -> Path | None:
    """The catalog sync is about to replace, once its temporary file appears."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        time.sleep(0.0001)
        for item in os.scandir(directory):
            if item.name.endswith(files.TMP_SUFFIX):
                return directory / (item.name[1:].rsplit(".po.", 1)[0] + ".po")
    return None


def save_once(directory: Path, delay: float, when_staged: bool, serial: int, seed: int) -> dict:
    """What a person does in a PO editor while sync runs: a new translation of one
    entry, saved (to a temporary file renamed over the catalog, as Poedit saves).

    At a random moment, or (``when_staged``) as soon as sync has written a new
    catalog to its temporary file, just before it replaces the catalog.
    """
    rng = random.Random(seed)
    target = staged_catalog(directory, delay) if when_staged else None
    if not when_staged:
        time.sleep(delay)
    paths = [target] if target is not None else [path for _, path in cat.iter_catalogs(directory)]
    for _attempt in range(20):
        path = rng.choice(paths) if paths else None
        try:
            raw = path.read_bytes() if path else b""
        except FileNotFoundError:
            break
        po = polib.pofile(raw.decode("utf-8"))
        live = [entry for entry in po if not entry.obsolete]
        if not live:
            break
        entry = rng.choice(live)
        replaced = entry.msgstr or None
        entry.msgstr = f"S{serial} saved by the PO editor {entry.msgid.upper()}"
        tmp = path.with_name(path.name + ".editor-save")
        po.save(str(tmp))
        if path.read_bytes() != raw:  # the file changed under the editor: it reloads (as Poedit asks)
            tmp.unlink()
            continue
        os.replace(tmp, path)
        return {"saved": entry.msgstr, "replaced": replaced, "raced": target is not None}
    return {"saved": None, "replaced": None, "raced": False}


class Editor:
    """A PO editor in a process of its own (as a person's is), told when to save."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, __file__, "editor"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def save_during(self, directory: Path, delay: float, when_staged: bool, serial: int, seed: int) -> None:
        self.process.stdin.write(json.dumps([str(directory), delay, when_staged, serial, seed]) + "\n")
        self.process.stdin.flush()

    def saved(self) -> dict:
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def editor_main() -> None:
    for line in sys.stdin:
        directory, delay, when_staged, serial, seed = json.loads(line)
        print(json.dumps(save_once(Path(directory), delay, when_staged, serial, seed)), flush=True)


def test_random_edit_and_sync_rounds_lose_no_translation(tmp_path, capsys):
    seed = int(os.environ.get("SOAK_SEED", "20261128"))
    rng = random.Random(seed)
    root = tmp_path / "rounds"
    (root / "source" / "fr").mkdir(parents=True)
    (root / "conf.py").write_text("project = 'Soak'\nlanguage = 'fr'\ngettext_compact = False\n")
    site = Site(root, rng)
    site.write()
    catalogs = root / "locale" / "en" / "LC_MESSAGES"
    held = Catalogs(catalogs)
    sync(load_project(root))
    counts, took = Counts(), 0.3
    editor = Editor()
    started = time.monotonic()
    try:
        run_rounds(root, site, held, editor, rng, counts, started, took)
    finally:
        editor.close()
    with capsys.disabled():
        print("\n" + counts.line(time.monotonic() - started) + f" (seed {seed})")
    assert counts.lost == []
    assert counts.msgfmt_failures == []
    assert counts.saves_during_sync > 0 and counts.merged_again > 0


def run_rounds(root: Path, site: Site, held: Catalogs, editor: Editor, rng: random.Random, counts: Counts,
               started: float, took: float) -> None:
    catalogs, serial = held.directory, [0]
    for number in range(ROUNDS):
        for _ in range(rng.randint(1, 3)):
            op = site.mutate()
            counts.edits[op] = counts.edits.get(op, 0) + 1
        site.write()
        translator_pass(catalogs, site.pages, rng, serial)
        before = held.translations()
        staged = rng.random() < 0.5
        editor.save_during(catalogs, 3 * took if staged else rng.uniform(0, took), staged, number, rng.randrange(1 << 30))
        began = time.monotonic()
        result = sync(load_project(root), wait=30)
        took = max(0.05, time.monotonic() - began)
        saved = editor.saved()
        counts.merged_again += len(result.merged_again)
        if saved["saved"] is not None:
            counts.saves_during_sync += 1
            counts.saves_while_staged += saved["raced"]
            before = (before - {saved["replaced"]}) | {saved["saved"]}
        after = held.translations()
        counts.translations_checked += len(before)
        counts.lost += sorted(before - after)
        counts.msgfmt_failures += held.msgfmt_failures()
        counts.rounds += 1
        if FULL and counts.rounds % 100 == 0:
            print(counts.line(time.monotonic() - started), file=sys.__stderr__, flush=True)
        assert not files.set_aside_files(root / "locale")


if __name__ == "__main__" and sys.argv[1:] == ["editor"]:
    editor_main()
