"""``translate-pipeline serve``: Sphinx kept loaded, so ``publish`` redoes only what changed.

A publish starts Sphinx three times (reading the changed pages for their
messages, then each language's site); after a small edit, starting them is
most of its time. ``serve`` keeps, for one project, the application that
reads the pages (in the server's process) and one application per language
(in a process each), and runs in them every ``publish`` of the project: the
command hands its work over when the project has a server
(``_build/translate-pipeline/serve.key`` exists, and its socket answers) and
does it itself otherwise. The server also serves the sites for previewing
(``http://127.0.0.1:PORT/``). Unix only (it listens on a Unix socket).

The applications are set up again when ``conf.py`` or the settings change;
translations are read again at each publish. Requests come through a Unix
socket in a folder only the user can open, authenticated with a key kept
in the project's cache folder (mode 0600).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import multiprocessing
import multiprocessing.connection
import os
import secrets
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import PipelineError
from .settings import CACHE_DIR

KEY = "serve.key"  # in the project's cache folder

Say = Callable[[str], None]


def socket_path(root: Path) -> Path:
    """Where the project's server listens: a short path (Unix sockets take
    about 100 characters at most), in a folder only the user can open."""
    runtime = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    name = hashlib.blake2b(str(root.resolve()).encode("utf-8"), digest_size=8).hexdigest()
    return runtime / f"translate-pipeline-{os.getuid()}" / f"{name}.sock"


def _key_path(root: Path) -> Path:
    return root.resolve() / CACHE_DIR / KEY


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stat = folder.stat()
    if stat.st_uid != os.getuid() or stat.st_mode & 0o077:
        raise PipelineError(f"{folder} must belong to you alone (mode 700); remove it or set XDG_RUNTIME_DIR")


# -- the client side: publish ------------------------------------------------------


def publish_remotely(root: Path, overrides: list[str], wait: float, pdf: bool | None, say: Say) -> dict | None:
    """What the project's server published (``PublishResult.as_dict()``); None without a server."""
    connection = _connect(root)
    if connection is None:
        return None
    with connection:
        connection.send({"overrides": overrides, "wait": wait, "pdf": pdf})
        while True:
            try:
                kind, *data = connection.recv()
            except EOFError:
                raise PipelineError("the project's server (translate-pipeline serve) stopped during the "
                                    "publish; run publish again") from None
            if kind == "say":
                say(data[0])
            elif kind == "result":
                return data[0]
            else:
                error = PipelineError(data[1])
                error.exit_code = data[0]
                raise error


def _connect(root: Path) -> multiprocessing.connection.Connection | None:
    if not hasattr(os, "getuid"):  # not a Unix system: no server
        return None
    path = socket_path(root)
    try:
        key = _key_path(root).read_bytes()
    except OSError:
        return None
    try:
        return multiprocessing.connection.Client(str(path), family="AF_UNIX", authkey=key)
    except (OSError, multiprocessing.AuthenticationError, EOFError):
        return None  # a server that is gone left its files


# -- the server ---------------------------------------------------------------------


def serve(root: Path, port: int | None, say: Say) -> None:
    """Keep Sphinx loaded for ``root``'s publishes until interrupted; serve the sites on ``port``."""
    from .extract import Reader
    from .publish import SITE_DIR, BuildProcesses
    from .settings import load_project

    class Workers(BuildProcesses):
        """Each language's process, and the page reader: Sphinx kept loaded (``publish``'s ``warm``)."""

        reader: Any = None

    load_project(root)  # a project, with usable settings
    if not hasattr(os, "getuid"):
        raise PipelineError("serve needs a Unix system (Linux, macOS); publish works without it")
    path = socket_path(root)
    _private_folder(path.parent)
    other = _connect(root)
    if other is not None:
        other.close()
        raise PipelineError(f"this project already has a server ({path}); stop it first (Ctrl-C where it runs)")
    path.unlink(missing_ok=True)
    key = secrets.token_bytes(32)
    key_file = _key_path(root)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.unlink(missing_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    workers = Workers()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))  # cleans up as Ctrl-C does
    try:
        # The language processes start first: before this one loads Sphinx
        # (each sets up its own), and before the socket exists (a process
        # holding it would keep it open after this one died).
        workers.start(list(load_project(root).settings.languages))
        with _http(root / SITE_DIR, port, say), \
                multiprocessing.connection.Listener(str(path), family="AF_UNIX", authkey=key) as listener:
            os.chmod(path, 0o600)
            workers.reader = Reader()
            say(f"Ready: `translate-pipeline publish` in {root} now runs here. Ctrl-C stops.")
            while True:
                try:
                    connection = listener.accept()
                except (OSError, multiprocessing.AuthenticationError, EOFError):
                    continue
                with connection:
                    _answer(connection, root, workers, say)
    finally:
        workers.close()
        if workers.reader is not None:
            workers.reader.close()
        path.unlink(missing_ok=True)
        key_file.unlink(missing_ok=True)


def _answer(connection: Any, root: Path, workers: Any, say: Say) -> None:
    """One publish, with ``workers`` (the server's Sphinx kept loaded)."""
    from .publish import publish
    from .settings import load_project

    try:
        request = connection.recv()
    except (EOFError, OSError):
        return

    def tell(line: str) -> None:
        with contextlib.suppress(OSError):
            connection.send(("say", line))

    try:
        project = load_project(root, list(request.get("overrides", [])))
        result = publish(project, wait=float(request.get("wait", 0)), progress=tell,
                         pdf=request.get("pdf"), warm=workers)
    except PipelineError as error:
        reply: tuple = ("error", error.exit_code, str(error))
    except Exception as error:  # noqa: BLE001 - the client says it; the server carries on
        workers.reader.close()
        reply = ("error", 1, f"the server could not publish: {type(error).__name__}: {error}")
    else:
        reply = ("result", result.as_dict())  # plain data: the command loads none of the modules
        say(f"published in {result.seconds:.2f}s")
    with contextlib.suppress(OSError):
        connection.send(reply)


@contextlib.contextmanager
def _http(directory: Path, port: int | None, say: Say) -> Iterator[None]:
    """The sites over HTTP on 127.0.0.1, for previewing; nothing when ``port`` is None.

    In a process of its own: this one forks (Sphinx's reading processes, the
    PDFs'), which is safe only without other threads.
    """
    if port is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve_http, args=(str(directory), port, theirs), daemon=True, name="http")
    process.start()
    theirs.close()
    try:
        answer = ours.recv()
    except EOFError:
        answer = "the HTTP server did not start"
    if isinstance(answer, str):
        process.join()
        raise PipelineError(f"cannot serve the sites on port {port}: {answer}; choose another with --port")
    say(f"Serving {directory} at http://127.0.0.1:{answer}/")
    try:
        yield
    finally:
        process.terminate()
        process.join()


def _serve_http(directory: str, port: int, connection: Any) -> None:
    import http.server

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops it
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(QuietHandler, directory=directory))
    except OSError as error:
        connection.send(error.strerror or str(error))
        return
    connection.send(server.server_address[1])
    server.timeout = 1
    parent = os.getppid()
    while os.getppid() == parent:  # until the server stops it, or dies
        server.handle_request()
