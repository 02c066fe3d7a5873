"""Catalogs written exactly as GNU msgcat writes them (msgcat is the oracle)."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from translate_pipeline.catalogs import catalog as cat
from translate_pipeline.catalogs.poformat import NO_WRAP, detect_width, render

REPO = Path(__file__).parent.parent


def msgcat(path: Path, *options: str) -> str:
    done = subprocess.run(["msgcat", *options, str(path)], capture_output=True, text=True, check=True)
    return done.stdout


def sample_catalogs() -> list[Path]:
    return sorted((REPO / "locale").rglob("*.po"))


@pytest.mark.parametrize("path", sample_catalogs(), ids=lambda p: p.relative_to(REPO / "locale").as_posix())
def test_the_sample_catalogs_are_what_msgcat_prints(path):
    text = path.read_text(encoding="utf-8")
    assert msgcat(path) == text
    assert cat.load(path).text() == text  # and what the tool writes of them


WORDS = ("le", "Collectif", "a", "rappelé", "l’exploitation", "d’un", "enfant", "victimes", "(ONU)",
         "2016-06", "«\u00a0traite\u00a0»", "50\u202f000", "euros", "au", "ministère", "du", "Logement",
         ":doc:`assemblée générale <../rapports/2016-06-assemblee-generale>`", ":ref:`membres-du-collectif`",
         "``sphinx-build``", "*décisions*", "**urgence**", "https://example.org/un/chemin/tres/long",
         "`lien <https://collectif.example.org/a-b>`_", "[#]_", "|date|", "e-mail", "voir/ou", "fin.",
         "\"citation\"", "\\", "\t", "Ac.Sé", "1er", "mai", "—", "vs.", "jusqu’à", "100 %", "Qu’en", "pense-t-on ?")


def _sentence(rng: random.Random) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40)))
    if rng.random() < 0.2:
        text += "\n" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 20)))
    if rng.random() < 0.1:
        text += "\n"
    return text


@pytest.mark.slow
def test_generated_entries_are_wrapped_as_msgcat_wraps_them(tmp_path):
    rng = random.Random(7)
    po = polib.POFile()
    po.metadata = {"Project-Id-Version": "corpus", "Content-Type": "text/plain; charset=UTF-8",
                   "Plural-Forms": "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"}
    seen = set()
    for number in range(400):
        msgid = _sentence(rng)
        if msgid in seen:
            continue
        seen.add(msgid)
        entry = polib.POEntry(msgid=msgid, msgstr=_sentence(rng) if rng.random() < 0.7 else "",
                              occurrences=[(f"rapports/page-{n}-avec-un-nom-assez-long.rst", str(n * 7))
                                           for n in range(rng.randint(0, 9))])
        if entry.msgstr and rng.random() < 0.4:
            entry.flags.append("fuzzy")
            entry.previous_msgid = _sentence(rng)
        if rng.random() < 0.1:
            entry.msgctxt = _sentence(rng)
        entry.obsolete = number % 17 == 0 and bool(entry.msgstr)  # gettext keeps translated ones only
        if entry.obsolete:
            entry.occurrences = []
        po.append(entry)
    path = tmp_path / "generated.po"
    path.write_text(render(po), encoding="utf-8")
    printed = msgcat(path)
    assert printed.splitlines() == path.read_text(encoding="utf-8").splitlines()
    assert printed == path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_corpus_catalogs_are_what_msgcat_prints(tmp_path, tp):
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "make_corpus.py"), str(corpus), "--pages", "12"],
                   check=True, capture_output=True)
    assert tp("-C", corpus, "sync", "-q").code == 0
    paths = sorted((corpus / "locale").rglob("*.po"))
    assert len(paths) >= 12
    for path in paths:
        assert msgcat(path) == path.read_text(encoding="utf-8"), path


def test_unwrapped_catalogs_are_found_and_stay_unwrapped():
    long = "Read the guide before you leave, then pack the kit listed below; a missing item is noted in the log."
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid=long, msgstr="", occurrences=[("../../guide.rst", "4")]))
    unwrapped = render(po, NO_WRAP)
    assert f'msgid "{long}"' in unwrapped
    assert detect_width(unwrapped) == NO_WRAP
    wrapped = render(po)
    assert f'msgid "{long}"' not in wrapped and 'msgid ""' in wrapped
    assert detect_width(wrapped) == 79
