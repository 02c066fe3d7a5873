"""Runs that end badly leave nothing behind; runs that overlap wait their turn.

The real command in its own process: killed (SIGKILL, SIGTERM)
while Sphinx reads, builds or makes PDFs, it leaves no process of its own
behind and no lock held; two publishes of one project never build at once;
a server that does not answer is waited for a bounded time; the preview
serves nothing outside the site.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import wait_for
from filelock import FileLock
from test_serve import Server, command

from translate_pipeline import cli

pytestmark = [pytest.mark.slow, pytest.mark.root("publish")]  # the project: a copy of tests/roots/publish

PUBLISH_LOCK = "_build/translate-pipeline/publish.lock"




def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its command line."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (fields := _stat(int(name))) is not None:
            parents[int(name)] = int(fields[1])
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                try:
                    found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    found[child] = ""
                todo.append(child)
    return found


def alive(pids) -> list[int]:
    return [pid for pid in pids if (fields := _stat(pid)) is not None and fields[0] != "Z"]


@pytest.mark.parametrize(
    ("args", "sig", "stage"),
    [
        (("sync",), signal.SIGKILL, "reading"),  # Sphinx's reading processes
        (("publish", "--no-pdf"), signal.SIGTERM, "building"),  # the language build processes
        pytest.param(("publish",), signal.SIGKILL, "spawn_main",  # the PDF workers (and their resource tracker)
                     marks=pytest.mark.pdf),
    ],
    ids=["sync-SIGKILL", "publish-SIGTERM", "publish-pdf-SIGKILL"],
)
def test_a_killed_run_leaves_no_process_and_no_lock(project, args, sig, stage):
    if stage == "reading":  # enough pages for Sphinx to read them in parallel processes
        for number in range(24):
            (project / "source" / "fr" / f"page-{number}.rst").write_text(
                f"Page {number}\n=======\n\n" + "Un paragraphe de texte à lire. " * 40 + "\n", encoding="utf-8")
    if stage == "spawn_main":  # PDFs made by worker processes: published once without them first
        assert subprocess.run(command(project, "publish", "--no-pdf", "-q"), timeout=300).returncode == 0
    run = subprocess.Popen(command(project, *args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: dict[int, str] = {}

    def started() -> bool:
        seen.update(descendants(run.pid))
        if stage == "reading":
            return bool(seen) or run.poll() is not None
        if stage == "building":  # one process per language (forked: same command line as the run's)
            return len(alive(seen)) >= 2 or run.poll() is not None
        return any(stage in cmd for cmd in seen.values()) or run.poll() is not None

    wait_for(started, every=0.01)
    assert run.poll() is None, f"the run ended before its {stage} processes were seen: {seen}"
    seen.update(descendants(run.pid))
    run.send_signal(sig)
    _out, err = run.communicate(timeout=60)
    assert "Traceback" not in err
    left = wait_for(lambda: not alive(seen), seconds=20, every=0.1)
    assert left, {pid: seen[pid] for pid in alive(seen)}
    # no lock held, no catalog broken: the next run works
    assert cli.run(["-C", str(project), "sync", "--quiet"]) == 0
    for path in (project / "locale").rglob("*.po"):
        assert subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)]).returncode == 0


def test_two_publishes_of_one_project_do_not_build_at_once(project, tp):
    first = subprocess.Popen(command(project, "publish", "--no-pdf", "--json"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    building = wait_for(lambda: len(descendants(first.pid)) >= 2 or first.poll() is not None, every=0.01)
    assert building and first.poll() is None
    second = tp("-C", project, "publish", "--no-pdf")
    assert second.code == 3
    assert "another publish of this project is running" in second.err
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert json.loads(out)["sites"]


def test_a_publish_waits_its_turn_for_a_bounded_time(project, tp):
    with FileLock(project / PUBLISH_LOCK):
        started = time.monotonic()
        waited = tp("-C", project, "publish", "--no-pdf", "--wait", "1")
        assert time.monotonic() - started >= 1
    assert waited.code == 3
    assert "another publish of this project is running" in waited.err and "after waiting 1 s" in waited.err
    assert tp("-C", project, "publish", "--no-pdf", "--quiet").code == 0


def test_an_unexpected_error_is_one_short_message(project, tp, monkeypatch):
    from translate_pipeline.catalogs import status

    def broken(*_args, **_kwargs):
        raise RuntimeError("the disk said no")

    monkeypatch.setattr(status, "status", broken)
    result = tp("-C", project, "status")
    assert result.code == cli.EXIT_INTERNAL
    assert "unexpected error: RuntimeError: the disk said no" in result.err
    assert "Traceback" not in result.err and len(result.err.splitlines()) == 1


def test_what_conf_py_prints_does_not_spoil_json(project):
    with (project / "conf.py").open("a", encoding="utf-8") as handle:
        handle.write('\nprint("conf.py was read")\n')
    for args in (("sync", "--json"), ("status", "--json"), ("publish", "--no-pdf", "--json")):
        done = subprocess.run(command(project, *args), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        json.loads(done.stdout)
        assert "conf.py was read" in done.stderr


def test_a_lock_that_cannot_be_written_is_a_clear_error(project, tp):
    (project / "_build").write_text("a file where the build folder should be")
    result = tp("-C", project, "sync")
    assert result.code == 2
    assert f"{project}/_build/translate-pipeline/catalogs.lock: cannot write the project's lock file" in result.err
    assert not any((project / "locale").rglob("*.tp-tmp"))


# -- serve ------------------------------------------------------------------------------------------


@pytest.fixture
def served(project):
    server = Server(project)
    yield server
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGCONT)
        server.stop()


def test_a_stopped_server_is_left_alone_after_a_bounded_wait(served, project):
    served.process.send_signal(signal.SIGSTOP)
    started = time.monotonic()
    done = subprocess.run(command(project, "publish", "--no-pdf", "--json", "--wait", "0"), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sites"]
    assert f"the project's server (process {served.process.pid}) does not answer" in done.stderr
    assert "publishing without it" in done.stderr
    assert time.monotonic() - started < 120
    second = subprocess.run(command(project, "serve", "--port", "0"), capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    assert f"already has a server (process {served.process.pid}), which does not answer" in second.stderr
    assert "Traceback" not in second.stderr
    served.process.send_signal(signal.SIGCONT)
    assert "published" in subprocess.run(command(project, "publish", "--no-pdf"), capture_output=True, text=True,
                                          timeout=300).stdout.lower()


def _get(url: str, path: str) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").strip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", path)
    answer = connection.getresponse()
    return answer.status, answer.read()


def test_the_preview_serves_nothing_outside_the_site(served, project):
    assert subprocess.run(command(project, "publish", "--no-pdf", "-q"), timeout=300).returncode == 0
    root = project / "_build" / "site"
    (root / "en" / "passwd.html").symlink_to("/etc/passwd")
    (root / "key.txt").symlink_to(project / "_build" / "translate-pipeline" / "serve.key")
    (root / "up").symlink_to(project)
    (root / "inside.html").symlink_to(root / "en" / "index.html")  # a link within the site is fine
    key = (project / "_build" / "translate-pipeline" / "serve.key").read_bytes()
    for path in ("/en/passwd.html", "/key.txt", "/up/conf.py", "/up/", "/en/../../conf.py"):
        status, body = _get(served.url, path)
        assert status == 404, (path, body[:80])
        assert b"root:x:0:0" not in body and key not in body and b"extensions" not in body
    status, _ = _get(served.url, "/en/index.html%00.txt")
    assert status in (400, 404)
    assert _get(served.url, "/inside.html")[0] == 200
    assert _get(served.url, "/en/index.html")[0] == 200  # still answering
    assert "Traceback" not in served.stop()
