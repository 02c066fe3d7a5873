"""pytest plugin: headless Chromium driven by Playwright, and sites served on 127.0.0.1.

``browser`` launches Debian's Chromium (``apt-get install chromium``;
``.ci/run`` installs it), never a browser Playwright downloads;
``TP_CHROMIUM`` names another binary. Without one, every test using it
fails, saying so. ``served_folder(folder)`` serves a built site over HTTP
for the time of a ``with`` block.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = os.environ.get("TP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def served_folder(folder: Path) -> Iterator[str]:
    """The files of ``folder`` served on 127.0.0.1; yields the base URL (no slash at the end)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: the browser tests drive Debian's Chromium. "
            "Install it with `apt-get install chromium` (as .ci/run does), "
            "or set TP_CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
