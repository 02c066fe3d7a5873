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
import socket
import struct
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import PipelineError
from ..project.settings import CACHE_DIR

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


def publish_remotely(root: Path, overrides: list[str], wait: float, pdf: bool | None, say: Say,
                     warn: Say | None = None, pdf_later: bool = False) -> dict | None:
    """What the project's server published (``PublishResult.as_dict()``); None without a server.

    A server that does not answer within ``wait`` seconds (at least
    :data:`ANSWER_SECONDS`: stopped, or busy with another publish) is left
    alone: ``warn`` says so and None is returned, for the command to publish
    by itself (the project's publish lock then decides who goes first).
    ``pdf_later``: the server makes the PDFs after answering, in the
    background (the live preview).
    """
    try:
        connection = _connect(root, max(wait, ANSWER_SECONDS))
    except ServerNotAnswering as silent:
        (warn or say)(f"{silent}; publishing without it")
        return None
    if connection is None:
        return None
    with connection:
        connection.send({"overrides": overrides, "wait": wait, "pdf": pdf, "pdf_later": pdf_later})
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


ANSWER_SECONDS = 3.0  # an idle server answers in milliseconds


class ServerNotAnswering(PipelineError):
    """The project's server accepted the connection but said nothing in time."""

    def __init__(self, path: Path, pid: int | None, seconds: float) -> None:
        who = f" (process {pid})" if pid else ""
        super().__init__(f"the project's server{who} does not answer after {seconds:g} s (stopped, or busy with "
                         f"another publish; its socket: {path})")
        self.pid = pid


def _connect(root: Path, timeout: float = ANSWER_SECONDS) -> multiprocessing.connection.Connection | None:
    """A connection to the project's server, authenticated; None when there is none.

    As ``multiprocessing.connection.Client``, but bounded: a server that
    accepts but does not answer within ``timeout`` raises :class:`ServerNotAnswering`.
    """
    if not hasattr(os, "getuid"):  # not a Unix system: no server
        return None
    path = socket_path(root)
    try:
        key = _key_path(root).read_bytes()
    except OSError:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None  # a server that is gone left its files (or its backlog is full: it does not answer)
    pid = _peer_pid(sock)
    sock.settimeout(None)
    connection = multiprocessing.connection.Connection(sock.detach())
    try:
        if not connection.poll(timeout):  # the server speaks first (its challenge)
            raise ServerNotAnswering(path, pid, timeout)
        multiprocessing.connection.answer_challenge(connection, key)
        multiprocessing.connection.deliver_challenge(connection, key)
    except (OSError, multiprocessing.AuthenticationError, EOFError):
        connection.close()
        return None
    except ServerNotAnswering:
        connection.close()
        raise
    return connection


def _peer_pid(sock: socket.socket) -> int | None:
    """The process at the other end of a Unix socket (Linux), for messages."""
    try:
        credentials = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):
        return None
    return struct.unpack("3i", credentials)[0] or None


# -- the server ---------------------------------------------------------------------


def serve(root: Path, port: int | None, say: Say, watch: bool = False, overrides: list[str] | None = None) -> None:
    """Keep Sphinx loaded for ``root``'s publishes until interrupted; serve the sites on ``port``.

    ``watch``: the live preview (:mod:`translate_pipeline.publishing.preview`), publishing each
    change with ``overrides``.
    """
    from ..catalogs.extract import Reader
    from .preview import PdfsLater
    from .publish import SITE_DIR, BuildProcesses
    from ..project.settings import load_project

    class Workers(BuildProcesses):
        """Each language's process, and the page reader: Sphinx kept loaded (``publish``'s ``warm``)."""

        reader: Any = None
        pdfs = PdfsLater()  # the preview's PDFs, made after its HTML

    load_project(root)  # a project, with usable settings
    if not hasattr(os, "getuid"):
        raise PipelineError("serve needs a Unix system (Linux, macOS); publish works without it")
    path = socket_path(root)
    _private_folder(path.parent)
    try:
        other = _connect(root)
    except ServerNotAnswering as silent:
        who, stop = (f" (process {silent.pid})", f"end it (kill {silent.pid})") if silent.pid else ("", "end it")
        raise PipelineError(f"this project already has a server{who}, which does not answer (stopped?); "
                            f"{stop} or let it carry on, then run serve again") from None
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
        preview = (root, list(overrides or [])) if watch else None
        with _http(root / SITE_DIR, port, say, preview) as ready, \
                multiprocessing.connection.Listener(str(path), family="AF_UNIX", authkey=key) as listener:
            os.chmod(path, 0o600)
            workers.reader = Reader()
            ready()
            say(f"Ready: `translate-pipeline publish` in {root} now runs here. Ctrl-C stops.")
            while True:
                try:
                    connection = listener.accept()
                except (OSError, multiprocessing.AuthenticationError, EOFError):
                    continue
                with connection:
                    _answer(connection, root, workers, say)
    finally:
        workers.pdfs.stop()
        workers.close()
        if workers.reader is not None:
            workers.reader.close()
        path.unlink(missing_ok=True)
        key_file.unlink(missing_ok=True)


def _answer(connection: Any, root: Path, workers: Any, say: Say) -> None:
    """One publish, with ``workers`` (the server's Sphinx kept loaded)."""
    from .publish import publish
    from ..project.settings import load_project

    try:
        request = connection.recv()
    except (EOFError, OSError):
        return

    def tell(line: str) -> None:
        with contextlib.suppress(OSError):
            connection.send(("say", line))

    if workers.pdfs.stop():
        say("PDFs of the previous change left unmade: a newer publish started")
    result = None
    try:
        project = load_project(root, list(request.get("overrides", [])))
        result = publish(project, wait=float(request.get("wait", 0)), progress=tell,
                         pdf=request.get("pdf"), warm=workers, pdf_later=bool(request.get("pdf_later")))
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
    if result is not None and result.pdf_later is not None:
        workers.pdfs.start(project, result.pdf_later, say)


@contextlib.contextmanager
def _http(directory: Path, port: int | None, say: Say,
          preview: tuple[Path, list[str]] | None = None) -> Iterator[Callable[[], None]]:
    """The sites over HTTP on 127.0.0.1, for previewing; nothing when ``port`` is None.

    In a process of its own: this one forks (Sphinx's reading processes, the
    PDFs'), which is safe only without other threads. ``preview``: the
    project's root and settings overrides, for the live preview, which
    starts publishing when the function given to the block is called.
    """
    if port is None:
        yield lambda: None
        return
    directory.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve_http, args=(str(directory), port, theirs, preview, say), daemon=True,
                              name="http")
    process.start()
    theirs.close()
    try:
        answer = ours.recv()
    except EOFError:
        answer = "the HTTP server did not start"
    if isinstance(answer, str):
        process.join()
        raise PipelineError(f"cannot serve the sites on port {port}: {answer}; choose another with --port")
    say(f"Serving {directory} at http://127.0.0.1:{answer}/" + (" (live preview)" if preview else ""))
    try:
        yield lambda: ours.send("ready")
    finally:
        process.terminate()
        process.join()


def _serve_http(directory: str, port: int, connection: Any, preview: tuple[Path, list[str]] | None = None,
                say: Say | None = None) -> None:
    import http
    import http.server

    site = os.path.realpath(directory)

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        """The site's files, and nothing a link inside it leads to outside it."""

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def send_head(self) -> Any:
            path = self.translate_path(self.path)
            if "\x00" in path:
                self.send_error(http.HTTPStatus.BAD_REQUEST, "Bad request")
                return None
            real = os.path.realpath(path)
            if real != site and not real.startswith(site + os.sep):
                self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
                return None
            return super().send_head()

    class PreviewServer(http.server.ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            """One line on a request that failed (a client gone mid-answer...), not a traceback."""
            error = sys.exc_info()[1]
            sys.stderr.write(f"preview: a request from {client_address[0]} failed: {type(error).__name__}: {error}\n")

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops it
    handler: type = QuietHandler
    if preview is not None:
        from . import preview as live

        def ready() -> bool:
            with contextlib.suppress(EOFError, OSError):
                return connection.recv() == "ready"
            return False

        handler = live.handler_class(QuietHandler, live.start(*preview, say or (lambda _line: None), ready))
    try:
        server = PreviewServer(("127.0.0.1", port), functools.partial(handler, directory=directory))
    except OSError as error:
        connection.send(error.strerror or str(error))
        return
    connection.send(server.server_address[1])
    server.timeout = 1
    parent = os.getppid()
    while os.getppid() == parent:  # until the server stops it, or dies
        server.handle_request()
