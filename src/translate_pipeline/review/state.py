"""Where a running review page is: a small file for ``serve``'s preview.

The review server writes ``_build/translate-pipeline/review.json`` (its URL,
with the token, and its process id; mode 0600) while it runs and removes it
when it stops. ``serve``'s preview answers ``/_translate-pipeline/review.json``
with it, and only to a page it serves itself (a loopback ``Host``), so the
marks of the previewed pages link to their entries. The published site holds
no such link: nothing of this file is ever written into ``_build/site/``.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from ..project.settings import CACHE_DIR

STATE_FILE = "review.json"
PREVIEW_PATH = "/_translate-pipeline/review.json"  # what the previewed pages ask serve for


def state_path(root: Path) -> Path:
    return root / CACHE_DIR / STATE_FILE


def announce(root: Path, url: str) -> Path:
    """Say that this process serves the project's review page at ``url``."""
    path = state_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"url": url, "pid": os.getpid()}, handle)
    os.replace(temporary, path)
    return path


def withdraw(root: Path) -> None:
    """Remove the file, if it is this process's."""
    path = state_path(root)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def review_url(root: Path) -> str | None:
    """The URL of the project's running review page; None when none runs."""
    try:
        data = json.loads(state_path(root).read_text(encoding="utf-8"))
        pid, url = int(data["pid"]), str(data["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # it died without removing the file
    except PermissionError:
        pass  # alive, another user's
    return url


def preview_answer(root: Path, host: str | None) -> bytes | None:
    """What ``serve`` answers at :data:`PREVIEW_PATH`: the review page's URL as JSON; None: 404.

    Only to a request for a loopback host (a page of the preview itself,
    not one reached through another name).
    """
    name = (host or "").rsplit(":", 1)[0].strip("[]")
    if name not in ("127.0.0.1", "localhost", "::1"):
        return None
    url = review_url(root)
    return None if url is None else json.dumps({"review": url}).encode("utf-8")
