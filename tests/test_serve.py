"""``serve``: publish runs in a server that keeps Sphinx loaded.

The server is the real command in its own process; ``publish`` is the real
command too, handing its work over through the project's socket. What it
builds must be what ``publish`` builds alone, and every change (a page, a
review, a setting, ``conf.py``) must show in the next publish.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import copy_root, po_path, translate

from translate_pipeline.publishing.server import socket_path

pytestmark = [pytest.mark.slow, pytest.mark.root("publish")]  # the project: a copy of tests/roots/publish

REUNION = "rapports/reunion"
MACHINE_FR = "Les associations ont présenté leurs revendications."
MACHINE_EN = "The associations presented their demands."


def command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "translate_pipeline", "-C", str(root), *args]


class Server:
    """``translate-pipeline serve`` in its own process; what it says is read as it comes."""

    def __init__(self, root: Path, ready_within: float = 60) -> None:
        self.root = root
        # --no-watch: these tests count the publishes they ask for (the live preview has test_preview.py)
        self.process = subprocess.Popen(command(root, "serve", "--port", "0", "--no-watch"), stderr=subprocess.PIPE,
                                        text=True)
        self._said: queue.Queue[str | None] = queue.Queue()  # its lines, then None at the end
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.lines: list[str] = []
        deadline = time.monotonic() + ready_within
        while not (self.lines and self.lines[-1].startswith("Ready")):
            try:
                line = self._said.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break  # said nothing more in time
            if line is None:
                break  # ended
            self.lines.append(line)
        if not (self.lines and self.lines[-1].startswith("Ready")):
            self.process.kill()
            pytest.fail(f"the server was not ready within {ready_within} s; it said: {self.wait()!r}")
        self.url = re.search(r"http://127\.0\.0\.1:\d+/", "".join(self.lines))[0]

    def _read(self) -> None:
        for line in self.process.stderr:
            self._said.put(line)
        self._said.put(None)

    def stop(self, sig: int = signal.SIGINT) -> str:
        """Send ``sig``, wait for the end; everything it said."""
        self.process.send_signal(sig)
        return self.wait()

    def wait(self) -> str:
        self.process.wait(timeout=60)
        self._reader.join(timeout=60)
        while not self._said.empty() and (line := self._said.get_nowait()) is not None:
            self.lines.append(line)
        self.process.stderr.close()
        return "".join(self.lines)


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
    copy_root("publish", alone)
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
    server.wait()
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
    copy_root("publish", deep)
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


# Holds the server's build of the English site (in its language process) while
# HOLD_BUILD.armed exists, after saying so with HOLD_BUILD.reached.
HOLD_BUILD = '''

import os as _os
import time as _time
from pathlib import Path as _Path


def setup(app):
    def hold(app):
        gate = _os.environ.get("HOLD_BUILD")
        if gate and app.builder.name == "html" and app.config.language == "en" and _Path(gate + ".armed").exists():
            _Path(gate + ".reached").touch()
            while _Path(gate + ".armed").exists():
                _time.sleep(0.05)

    app.connect("builder-inited", hold)
'''


@pytest.fixture
def held(project, tmp_path, monkeypatch):
    """A server whose next publish stops in the English build until the gate is lifted."""
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(HOLD_BUILD)
    gate = str(tmp_path / "gate")
    monkeypatch.setenv("HOLD_BUILD", gate)
    server = Server(project)
    monkeypatch.delenv("HOLD_BUILD")
    Path(gate + ".armed").touch()
    client = subprocess.Popen(command(project, "publish", "--no-pdf", "--json", "--wait", "0"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not Path(gate + ".reached").exists() and client.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Path(gate + ".reached").exists(), client.communicate()
    yield server, client, Path(gate + ".armed")
    Path(gate + ".armed").unlink(missing_ok=True)
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGCONT)
        server.stop()
    if client.poll() is None:
        client.kill()


def test_publish_carries_on_alone_when_the_server_dies_during_it(held):
    server, client, _gate = held
    server.process.kill()
    server.process.wait(timeout=30)
    out, err = client.communicate(timeout=300)
    assert client.returncode == 0, err
    assert f"the project's server (process {server.process.pid}) ended during the publish; " \
           "publishing without it" in err
    assert [s["pages"] for s in json.loads(out)["sites"]] == [4, 4]
    assert "Traceback" not in err


def test_publish_stops_waiting_for_a_server_stopped_during_it(held):
    server, client, gate = held
    server.process.send_signal(signal.SIGSTOP)
    out, err = client.communicate(timeout=300)
    # it holds the project's publish lock: publishing alone is refused with the lock named
    assert client.returncode == 3, err
    assert f"the project's server (process {server.process.pid}) is stopped and has not answered for 3 s; " \
           "publishing without it" in err
    assert "another publish of this project is running (lock: " in err
    assert out == ""
    # continued, then Ctrl-C during its publish: its build processes are stopped, and so is it
    server.process.send_signal(signal.SIGCONT)
    gate.unlink()
    log = server.stop()
    assert server.process.returncode == 0 and "Traceback" not in log
