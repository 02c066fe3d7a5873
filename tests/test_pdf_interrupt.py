"""Ctrl-C while the PDFs are made: publish stops now, not once the pages being laid out are done.

The real command runs in a terminal of its own (a pseudo-terminal, so it shows
its progress); Ctrl-C is SIGINT to the terminal's process group, as a terminal sends it.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOTS

from translate_pipeline.files import TMP_SUFFIX

pytestmark = [pytest.mark.pdf, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]

LONG_PAGE = "Un long rapport\n===============\n\n" + "\n\n".join(
    f"Paragraphe {number} : " + "le collectif se réunit pour préparer son rapport annuel. " * 12
    for number in range(250)) + "\n"


def command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "translate_pipeline", "-C", str(root), *args]


def pdf_workers(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            if b"--multiprocessing-fork" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(int(child))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Terminal:
    """A command whose standard streams are a terminal's; what it printed so far in ``shown``."""

    def __init__(self, args: list[str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        self.shown = ""

    def read(self, timeout: float) -> None:
        while select.select([self.master], [], [], timeout)[0]:
            try:
                data = os.read(self.master, 4096)
            except OSError:  # the command ended: the terminal is closed
                return
            if not data:
                return
            self.shown += data.decode("utf-8", "replace")
            timeout = 0

    def wait_for(self, text: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while text not in self.shown and self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.2)
        return text in self.shown

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


def test_ctrl_c_while_pages_are_laid_out_stops_publish_now_and_leaves_no_partial_pdf(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(ROOTS / "publish", root)
    (root / "source/fr/long.rst").write_text(LONG_PAGE, encoding="utf-8")
    index = root / "source/fr/index.rst"
    index.write_text(index.read_text(encoding="utf-8").replace(".. toctree::\n\n", ".. toctree::\n\n   long\n", 1),
                     encoding="utf-8")
    assert subprocess.run(command(root, "publish", "-q", "--no-pdf"), timeout=600).returncode == 0
    # what a publish killed (kill -9) while writing a PDF leaves next to the pages
    planted = root / "_build" / "site" / "en" / f".brouillon.pdf.x1y2z3{TMP_SUFFIX}"
    planted.write_bytes(b"%PDF-1.7\n")

    terminal = Terminal(command(root, "publish"))
    try:
        assert terminal.wait_for("Making PDFs: laying out", 600), terminal.shown
        workers = pdf_workers(terminal.process.pid)
        assert len(workers) >= 2, terminal.shown  # the long page is being laid out in one of them
        os.killpg(terminal.process.pid, signal.SIGINT)  # Ctrl-C
        terminal.process.wait(timeout=120)
        terminal.read(0.5)
        stopped = [pid for pid in workers if not alive(pid)]
    finally:
        terminal.close()
    assert terminal.process.returncode == 130, terminal.shown
    assert "Interrupted." in terminal.shown and "Traceback" not in terminal.shown
    assert sorted(stopped) == sorted(workers)  # stopped before publish ended, not left to finish
    work = root / "_build" / "translate-pipeline" / "pdf"
    # the long page's layout was under way: stopped, it left no part, no PDF, no temporary file
    assert not list(work.rglob("long.pdf")) and not list((root / "_build" / "site").rglob("long.pdf"))
    assert not [path for path in (root / "_build").rglob(f"*{TMP_SUFFIX}")]
    for pdf in (root / "_build" / "site").rglob("*.pdf"):  # those made before Ctrl-C are whole
        assert subprocess.run(["pdfinfo", str(pdf)], capture_output=True).returncode == 0, pdf


def test_interrupted_pdf_workers_are_stopped_before_close_returns():
    """Not left to finish what they are doing, whoever runs them (``serve`` does not exit after a publish)."""
    from translate_pipeline.publishing.pdf.build import PdfWorkers

    workers = PdfWorkers(2)
    workers.start()
    try:
        busy = [workers.pool.submit(time.sleep, 600) for _ in range(2)]
        deadline = time.monotonic() + 120
        while not all(future.running() for future in busy) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(future.running() for future in busy)
        started = pdf_workers(os.getpid())
        assert len(started) == 2
    finally:
        workers.close(interrupted=True)
    assert [pid for pid in started if alive(pid)] == []
