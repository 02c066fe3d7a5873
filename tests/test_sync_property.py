"""No translation ever disappears, whatever happens to the French.

Random sequences of edits, moves, reorderings and deletions of French
paragraphs and documents, each followed by a sync. After every sync, every
translation that existed before it is still in a catalog (live, stale or
obsolete), and an entry whose French did not change keeps its translation and
state exactly.

The fast property runs the merge and the real catalog files (no Sphinx) over
hundreds of sequences; the end-to-end one runs the real ``sync`` (Sphinx
reading real .rst files) over fewer.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import polib
import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_pipeline.catalogs import catalog as cat
from translate_pipeline.catalogs import pofile
from translate_pipeline.cli import run
from translate_pipeline.catalogs.merge import Incoming
from translate_pipeline.project.settings import load_project
from translate_pipeline.catalogs import sync as sync_module
from translate_pipeline.catalogs.store import CatalogStore
from translate_pipeline.catalogs.sync import update_catalogs

WORDS = (
    "associations victimes traite plan action national ministre réunion collectif "
    "protection mineurs exploitation travail forcé droits femmes accompagnement "
    "hébergement justice enquête police prévention formation identification "
    "février mars avril Paris Lyon rapport déclaration abolition esclavage"
).split()

paragraph = st.lists(st.sampled_from(WORDS), min_size=4, max_size=14).map(
    lambda words: " ".join(words).capitalize() + "."
)
documents = st.dictionaries(
    st.sampled_from(["presentation", "collectif", "rapports/fevrier", "rapports/mars", "actualites"]),
    st.lists(paragraph, min_size=1, max_size=6, unique=True),
    min_size=1,
    max_size=4,
)
OPERATIONS = ("edit", "rewrite", "delete", "move", "reorder", "to_other", "new_doc", "drop_doc", "rename_doc", "insert")


def mutate(data, docs: dict[str, list[str]]) -> dict[str, list[str]]:
    """One random change of the French, as an editor would make it."""
    docs = {name: list(paras) for name, paras in docs.items()}
    op = data.draw(st.sampled_from(OPERATIONS))
    names = sorted(docs)
    name = data.draw(st.sampled_from(names))
    paras = docs[name]
    if op in ("edit", "rewrite", "delete", "move", "to_other") and not paras:
        op = "insert"
    if op == "insert":
        paras.insert(data.draw(st.integers(0, len(paras))), data.draw(paragraph))
    elif op == "edit":
        i = data.draw(st.integers(0, len(paras) - 1))
        words = paras[i].rstrip(".").split()
        j = data.draw(st.integers(0, len(words) - 1))
        words[j] = data.draw(st.sampled_from(WORDS))
        paras[i] = " ".join(words) + data.draw(st.sampled_from([".", " encore.", " et Paris."]))
    elif op == "rewrite":
        paras[data.draw(st.integers(0, len(paras) - 1))] = data.draw(paragraph)
    elif op == "delete":
        del paras[data.draw(st.integers(0, len(paras) - 1))]
    elif op == "move":
        moved = paras.pop(data.draw(st.integers(0, len(paras) - 1)))
        paras.insert(data.draw(st.integers(0, len(paras))), moved)
    elif op == "reorder":
        paras.reverse()
    elif op == "to_other":
        moved = paras.pop(data.draw(st.integers(0, len(paras) - 1)))
        other = data.draw(st.sampled_from(names))
        docs[other].insert(data.draw(st.integers(0, len(docs[other]))), moved)
    elif op == "new_doc":
        docs[f"nouveau/{len(docs)}"] = [data.draw(paragraph)]
    elif op == "drop_doc" and len(docs) > 1:
        del docs[name]
    elif op == "rename_doc":
        docs[f"{name}-renomme"] = docs.pop(name)
    for key in docs:  # Sphinx gives one message per distinct text in a document
        docs[key] = list(dict.fromkeys(docs[key]))
    return docs


def translations(root: Path) -> dict[str, tuple[str, str]]:
    """Every translation in the English catalogs: msgstr -> (domain, state)."""
    found = {}
    for domain, path in cat.iter_catalogs(root / "locale" / "en" / "LC_MESSAGES"):
        for entry in polib.pofile(str(path)):
            if entry.msgstr:
                state = "obsolete" if entry.obsolete else cat.entry_state(entry)
                found[entry.msgstr] = (domain, state)
    return found


def live_entries(root: Path) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    """(domain, msgid) -> (msgstr, flags) of every active entry."""
    found = {}
    for domain, path in cat.iter_catalogs(root / "locale" / "en" / "LC_MESSAGES"):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                found[(domain, entry.msgid)] = (entry.msgstr, tuple(entry.flags))
    return found


counter = itertools.count()


def translator_pass(data, root: Path) -> None:
    """A translator translates some untranslated entries and approves some fuzzy ones."""
    for _, path in cat.iter_catalogs(root / "locale" / "en" / "LC_MESSAGES"):
        po = polib.pofile(str(path))
        for entry in po:
            if entry.obsolete:
                continue
            if not entry.msgstr and data.draw(st.booleans()):
                entry.msgstr = f"T{next(counter)} {entry.msgid.upper()}"
            elif "fuzzy" in entry.flags and data.draw(st.booleans()):
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
        po.save(str(path))


def check_invariants(before_translations, before_live, after_root: Path, docs) -> None:
    after = translations(after_root)
    lost = set(before_translations) - set(after)
    assert not lost, f"translations lost: {sorted(lost)[:3]}"
    live = live_entries(after_root)
    for (domain, msgid), (msgstr, flags) in before_live.items():
        if domain in docs and msgid in docs[domain]:
            assert live[(domain, msgid)] == (msgstr, flags), (domain, msgid)


def check_same_as_merging_every_catalog(copy: Path, docs, root: Path) -> None:
    """Catalogs left alone because their entries are their messages: the
    same files as when every catalog goes through the merge."""
    with mock.patch.object(sync_module, "merge_facts", lambda _catalog: ("never the same", frozenset())):
        update_catalogs(load_project(copy), incoming(docs), CatalogStore())  # nothing known: every catalog merged
    catalogs = root / "locale" / "en" / "LC_MESSAGES"
    expected = {d: p.read_text() for d, p in cat.iter_catalogs(copy / "locale" / "en" / "LC_MESSAGES")}
    assert {d: p.read_text() for d, p in cat.iter_catalogs(catalogs)} == expected


def check_msgfmt(root: Path) -> None:
    for _, path in cat.iter_catalogs(root / "locale" / "en" / "LC_MESSAGES"):
        done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, (path, done.stderr, path.read_text())


def incoming(docs: dict[str, list[str]]) -> dict[str, dict[str, list[Incoming]]]:
    return {"en": {name: [Incoming(p) for p in paras] for name, paras in docs.items()}}


@pytest.mark.slow
@settings(max_examples=examples(250), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(docs=documents, data=st.data())
def test_no_translation_disappears_through_merges(tmp_path_factory, docs, data):
    # New catalogs' headers carry the minute they were made in: the merges compared
    # here may straddle a minute, so their clock stands still.
    with mock.patch.object(pofile, "now_utc", lambda: "2026-01-01 00:00+0000"):
        merges_keep_every_translation(tmp_path_factory, docs, data)


def merges_keep_every_translation(tmp_path_factory, docs, data) -> None:
    root = tmp_path_factory.mktemp("merge")
    (root / "conf.py").write_text("project = 'Property'\n")
    (root / "source" / "fr").mkdir(parents=True)
    project = load_project(root)
    update_catalogs(project, incoming(docs))
    translator_pass(data, root)
    for _ in range(data.draw(st.integers(1, 6))):
        before_t, before_l = translations(root), live_entries(root)
        docs = mutate(data, docs)
        every = tmp_path_factory.mktemp("every")
        shutil.copytree(root, every, dirs_exist_ok=True)
        update_catalogs(project, incoming(docs))
        check_invariants(before_t, before_l, root, docs)
        check_same_as_merging_every_catalog(every, docs, root)
        if data.draw(st.booleans()):
            translator_pass(data, root)
    check_msgfmt(root)


def write_sources(root: Path, docs: dict[str, list[str]]) -> None:
    source = root / "source" / "fr"
    for path in source.rglob("*.rst"):
        path.unlink()
    for name, paras in docs.items():
        path = source / f"{name}.rst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(":orphan:\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    (source / "index.rst").write_text("Accueil\n=======\n\nLe site du collectif.\n", encoding="utf-8")


@pytest.mark.slow
@settings(max_examples=examples(25), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(docs=documents, data=st.data())
def test_no_translation_disappears_through_real_syncs(tmp_path_factory, docs, data):
    root = tmp_path_factory.mktemp("sync")
    (root / "conf.py").write_text("project = 'Property'\nlanguage = 'fr'\ngettext_compact = False\n")
    write_sources(root, docs)
    assert run(["-C", str(root), "sync", "--quiet"]) == 0
    translator_pass(data, root)
    for _ in range(data.draw(st.integers(1, 4))):
        before_t, before_l = translations(root), live_entries(root)
        docs = mutate(data, docs)
        write_sources(root, docs)
        assert run(["-C", str(root), "sync", "--quiet"]) == 0
        check_invariants(before_t, before_l, root, docs)
        translator_pass(data, root)
    check_msgfmt(root)
