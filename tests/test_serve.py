"""``serve``: publish runs in a server that keeps Sphinx loaded.

The server is the real command in its own process; ``publish`` is the real
command too, handing its work over through the project's socket. What it
builds must be what ``publish`` builds alone, and every change (a page, a
review, a setting, ``conf.py``) must show in the next publish.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOTS, po_path, translate

from translate_pipeline.publishing.server import socket_path

REUNION = "rapports/reunion"
MACHINE_FR = "Les associations ont présenté leurs revendications."
MACHINE_EN = "The associations presented their demands."


def command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "translate_pipeline", "-C", str(root), *args]


class Server:
    def __init__(self, root: Path) -> None:
        self.root = root
        # --no-watch: these tests count the publishes they ask for (the live preview has test_preview.py)
        self.process = subprocess.Popen(command(root, "serve", "--port", "0", "--no-watch"), stderr=subprocess.PIPE,
                                        text=True)
        self.lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.lines.append(line)
            if line.startswith("Ready"):
                break
        assert self.lines and self.lines[-1].startswith("Ready"), self.lines
        self.url = re.search(r"http://127\.0\.0\.1:\d+/", "".join(self.lines))[0]

    def stop(self, sig: int = signal.SIGINT) -> str:
        self.process.send_signal(sig)
        _out, err = self.process.communicate(timeout=60)
        return "".join(self.lines) + err


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ROOTS / "publish", root)
    return root


@pytest.fixture
def served(project):
    server = Server(project)
    yield server
    if server.process.poll() is None:
        server.stop()


def publish(root: Path, *options: str) -> dict:
    done = subprocess.run(command(root, *options, "publish", "--no-pdf", "--json"), capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def html_files(root: Path) -> dict[str, str]:
    site = root / "_build/site"
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def page(root: Path, language: str, docname: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_build/site" / language / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def paragraph(soup: BeautifulSoup, start: str):
    return next(p for p in soup.select("article p") if p.get_text().startswith(start))


def test_publish_runs_in_the_server_and_builds_what_publish_alone_builds(served, tmp_path):
    alone = tmp_path / "alone"
    shutil.copytree(ROOTS / "publish", alone)
    edit = "Bienvenue sur le site du Collectif."
    for _ in range(2):  # a first publish, then one after an edit and a review
        ours, theirs = publish(served.root), publish(alone)
        assert [s["read"] for s in ours["sites"]] == [s["read"] for s in theirs["sites"]]
        assert html_files(served.root) == html_files(alone)
        for root in (served.root, alone):
            index = root / "source/fr/index.rst"
            index.write_text(index.read_text(encoding="utf-8").replace(edit, "Bienvenue chez le Collectif."), encoding="utf-8")
            translate(po_path(root, REUNION), {MACHINE_FR: MACHINE_EN})
    log = served.stop()
    assert log.count("published in") == 2  # both publishes ran in the server
    assert not socket_path(served.root).exists()


def test_a_review_an_edit_and_new_settings_show_in_the_next_publish(served):
    root = served.root
    publish(root)
    assert "tp-machine" in paragraph(page(root, "en", REUNION), MACHINE_EN)["class"]

    translate(po_path(root, REUNION), {MACHINE_FR: MACHINE_EN})  # a translator approves the draft
    data = publish(root)
    assert [(s["language"], s["read"]) for s in data["sites"]] == [("fr", 0), ("en", 1)]
    assert "class" not in paragraph(page(root, "en", REUNION), MACHINE_EN).attrs

    data = publish(root, "--set", "policy.stale=source")
    stale = paragraph(page(root, "en", REUNION), "La ministre a promis")
    assert "tp-untranslated" in stale["class"] and stale["lang"] == "fr"

    conf = root / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + '\nhtml_title = "Le Collectif, en ligne"\n', encoding="utf-8")
    publish(root)
    assert "Le Collectif, en ligne" in page(root, "en", "index").title.get_text()


def test_the_server_serves_the_sites(served):
    publish(served.root)
    with urllib.request.urlopen(served.url + "en/index.html", timeout=10) as response:
        assert response.status == 200
        assert 'lang="en"' in response.read().decode("utf-8").split(">", 2)[1]


def test_publish_runs_alone_when_the_server_is_gone(project):
    server = Server(project)
    server.process.kill()  # no time to clean up: its socket and key stay
    server.process.wait(timeout=30)
    server.process.stderr.close()
    assert socket_path(project).exists()
    data = publish(project)
    assert [s["pages"] for s in data["sites"]] == [4, 4]

    server = Server(project)  # a new server replaces what the dead one left
    try:
        assert publish(project)["sites"][1]["read"] == 0
    finally:
        log = server.stop(signal.SIGTERM)
    assert "published in" in log
    assert not (project / "_build/translate-pipeline/serve.key").exists()


def test_a_second_server_for_the_same_project_is_refused(served):
    done = subprocess.run(command(served.root, "serve", "--no-http"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "already has a server" in done.stderr


def test_a_project_deep_in_folders_is_served(tmp_path):
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6) / "project"  # a socket path of 200 characters
    shutil.copytree(ROOTS / "publish", deep)
    server = Server(deep)
    try:
        assert [s["pages"] for s in publish(deep)["sites"]] == [4, 4]
    finally:
        assert "published in" in server.stop()


def test_the_key_is_for_the_owner_only(served):
    key = served.root / "_build/translate-pipeline/serve.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert oct(os.stat(socket_path(served.root)).st_mode & 0o777) == "0o600"
    assert oct(socket_path(served.root).parent.stat().st_mode & 0o777) == "0o700"
