"""The PDFs whatever the site's theme; a page that cannot be laid out; no worker left behind.

Read back with poppler (pdfinfo, pdftotext) as a reader's viewer shows them:
every PDF has the sheets its content needs, and the whole site's contents
give the sheet each page starts on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOTS, wait_for

from translate_pipeline.publishing.publish import publish
from translate_pipeline.project.settings import load_project

pytestmark = [
    pytest.mark.pdf,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext, pdfinfo)"),
]

LONG_PARAGRAPHS = 90
LAST_WORDS = f"Paragraphe numéro {LONG_PARAGRAPHS} du compte rendu, le dernier."


def pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = ["-f", str(first), "-l", str(last or first)] if first else []
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
                          capture_output=True, text=True, check=True)
    return " ".join(done.stdout.replace("\u00a0", " ").replace("\u202f", " ").split())


def sheets(path: Path) -> int:
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE).group(1))


def themed_project(folder: Path, theme: str | None) -> Path:
    """The publish test root with a long page, under ``theme``."""
    root = folder / "project"
    shutil.copytree(ROOTS / "publish", root)
    if theme:
        with open(root / "conf.py", "a", encoding="utf-8") as conf:
            conf.write(f"html_theme = {theme!r}\n")
    paragraphs = [f"Paragraphe numéro {n} du compte rendu : les associations ont rappelé leurs demandes "
                  "sur l’hébergement, la santé et l’accès aux droits, point par point."
                  for n in range(1, LONG_PARAGRAPHS)]
    text = "Compte rendu détaillé\n=====================\n\n" + "\n\n".join(paragraphs) + f"\n\n{LAST_WORDS}\n"
    (root / "source/fr/rapports/detail.rst").write_text(text, encoding="utf-8")
    index = root / "source/fr/index.rst"
    index.write_text(index.read_text(encoding="utf-8").replace("   rapports/reunion\n",
                                                               "   rapports/reunion\n   rapports/detail\n"),
                     encoding="utf-8")
    return root


DOCS = ["index", "rapports/reunion", "rapports/detail", "brouillon", "about"]


@pytest.mark.parametrize("theme", ["furo", "alabaster", "sphinx_rtd_theme", "sphinx_book_theme"])
def test_every_pdf_has_the_pages_its_content_needs_whatever_the_theme(tmp_path, theme):
    root = themed_project(tmp_path, theme)
    result = publish(load_project(root))
    assert result.pdf.warnings == []
    site = root / "_build/site/fr"
    lengths = {doc: sheets(site / f"{doc}.pdf") for doc in DOCS}
    assert lengths["rapports/detail"] >= 3  # ninety paragraphs: several sheets, never one
    assert LAST_WORDS in pdftotext(site / "rapports/detail.pdf")  # down to its last line
    assert all(lengths[doc] == 1 for doc in ("index", "brouillon", "about")), lengths
    book = site / "collectif-de-test-fr.pdf"
    contents = pdftotext(book, 1)
    starts = {}
    for doc in DOCS:
        heading = {"index": "Accueil", "rapports/reunion": "Réunion de février 2014",
                   "rapports/detail": "Compte rendu détaillé", "brouillon": "Brouillon",
                   "about": "À propos de l’édition anglaise"}[doc]
        assert heading in pdftotext(site / f"{doc}.pdf", 1)[:80]
        starts[doc] = int(re.search(re.escape(heading) + r" \.+ ?(\d+)", contents).group(1))
        # the contents' number is the sheet where the page's text begins
        assert heading in pdftotext(book, starts[doc])[:80]
    # each page takes in the whole site's PDF the sheets of its own PDF, in reading order, after the cover
    assert starts["index"] == 2
    for before, after in zip(DOCS, DOCS[1:]):
        assert starts[after] == starts[before] + lengths[before]
    assert sheets(book) == starts[DOCS[-1]] + lengths[DOCS[-1]] - 1
    last = starts["rapports/detail"] + lengths["rapports/detail"] - 1
    assert LAST_WORDS in pdftotext(book, last)
    assert re.search(rf"\b{last} ?/ ?{sheets(book)}$", pdftotext(book, last))  # numbered through
    length = lengths["rapports/detail"]
    assert re.search(rf"\b{length} ?/ ?{length}$", pdftotext(site / "rapports/detail.pdf", length))
    english = root / "_build/site/en"
    assert sheets(english / "rapports/detail.pdf") == lengths["rapports/detail"]  # the French shown, marked
    assert "not yet translated" in pdftotext(english / "rapports/detail.pdf", 1)


DEEP = 1500  # nested blocks: more than WeasyPrint can lay out


def test_a_page_that_cannot_be_laid_out_is_named_and_left_out(tmp_path, tp):
    root = themed_project(tmp_path, None)
    nested = "<div>" * DEEP + "trop profond" + "</div>" * DEEP
    text = "Brouillon\n=========\n\nUn tableau venu d’ailleurs.\n\n.. raw:: html\n\n   " + nested + "\n"
    (root / "source/fr/brouillon.rst").write_text(text, encoding="utf-8")

    result = tp("-C", root, "publish", "--json")

    assert result.code == 0, result
    data = json.loads(result.out)["pdf"]
    assert [language["failed"] for language in data["languages"]] == [["brouillon"], ["brouillon"]]
    assert any(w.startswith("fr/brouillon: no PDF could be made of this page (RecursionError")
               and "left out of the whole site's PDF" in w for w in data["warnings"]), data["warnings"]
    site = root / "_build/site/fr"
    assert not (site / "brouillon.pdf").exists()
    book = site / "collectif-de-test-fr.pdf"
    contents = pdftotext(book, 1)
    assert not re.search(r"Brouillon \.+", contents) and re.search(r"Compte rendu détaillé \.+", contents)
    # the contents say where the page is: on the site
    assert "Brouillon absent de ce PDF (sa mise en page a échoué) : à lire sur le site" in " ".join(contents.split())
    assert "trop profond" not in pdftotext(book) and LAST_WORDS in pdftotext(book)
    assert (site / "rapports/reunion.pdf").is_file()
    # no link of the whole site's PDF is dead: those to the page left out go to it on the site
    destinations, links_to_site = book_links(book)
    assert destinations and all(target in destinations["named"] for target in destinations["used"]), destinations
    to_page = [uri for uri in links_to_site if uri.endswith("/fr/brouillon.html")]  # the site's address (html_baseurl)
    assert len(to_page) >= 2, links_to_site  # from the contents and from the home page's list of pages


def book_links(path: Path) -> tuple[dict[str, set[str]], list[str]]:
    """The named destinations of a PDF and those its links use; the URIs of its links."""
    import pikepdf

    used, uris = set(), []
    with pikepdf.open(path) as pdf:
        named = {str(key) for key, _value in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots") or []:
                if isinstance(annotation.get("/Dest"), pikepdf.String):
                    used.add(str(annotation.Dest))
                elif "/A" in annotation and annotation.A.get("/S") == pikepdf.Name.URI:
                    uris.append(str(annotation.A.URI))
    return {"named": named, "used": used}, uris


def test_a_page_taking_too_long_is_stopped(tmp_path, tp):
    root = themed_project(tmp_path, None)
    result = tp("-C", root, "--set", "pdf.timeout=0.001", "publish")
    assert result.code == 0, result
    assert "fr/rapports/detail: no PDF could be made of this page (stopped after 0.001 s (the pdf.timeout setting))" \
        in result.err
    assert not list((root / "_build/site").rglob("*.pdf"))


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{pid}$", text, re.MULTILINE):
            found.add(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return not re.search(r"^State:\s+Z", text, re.MULTILINE)


def pdf_workers(pid: int) -> set[int]:
    return {child for child in children(pid)
            if b"multiprocessing" in Path(f"/proc/{child}/cmdline").read_bytes()
            and b"--multiprocessing-fork" in Path(f"/proc/{child}/cmdline").read_bytes()}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_no_pdf_worker_outlives_publish(tmp_path, stop):
    root = themed_project(tmp_path, None)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    publishing = subprocess.Popen([sys.executable, "-m", "translate_pipeline", "-C", str(root), "publish"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        workers = wait_for(lambda: pdf_workers(publishing.pid) if len(pdf_workers(publishing.pid)) >= 2 else set(),
                           120)
        assert workers, "no PDF worker seen"
        publishing.send_signal(stop)
        publishing.wait(30)
        assert publishing.returncode != 0
        assert wait_for(lambda: not any(alive(pid) for pid in workers), 10), "a PDF worker outlived publish"
    finally:
        publishing.kill()
        publishing.wait()
