"""``serve``'s live preview: what is saved is published, and the open pages reload themselves.

The preview runs in the process that serves the sites over HTTP
(:func:`translate_pipeline.publishing.server.serve`):

- a :class:`Watcher` follows the project's pages, catalogs, glossary,
  settings (``pyproject.toml``) and ``conf.py`` (``watchfiles``: the
  system's notifications, no polling), and gathers a burst of saves (an
  editor writing a temporary file, then renaming it) into one change;
- a :class:`Previewer` asks the project's server to publish each change, as
  ``publish`` would, the HTML first: the PDFs follow in the background
  (:class:`PdfsLater`, in the server's process) and are not made at all
  when a newer change arrives first. The catalogs that publish's own sync
  rewrote are not taken for a change;
- a :class:`PreviewState` says how the last publish went; every HTML page
  the server sends carries a script (added on the way out: no file of the
  site changes) that listens to it (Server-Sent Events at
  :data:`EVENTS`): a new publish reloads the page where the reader was,
  a failed one shows its message over the page until it is fixed.
"""

from __future__ import annotations

import contextlib
import http
import io
import json
import os
import queue
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import LockedError, PipelineError

PREFIX = "/_translate-pipeline/"  # no site is published there: the sites are _build/site/LANG/
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "preview.js"
TEMPLATES = Path(__file__).parent / "templates"
QUIET = 0.08  # seconds without a save that end a burst of saves
KEEP_ALIVE = 15.0  # seconds between two comments on an idle event stream
PDF_DELAY = 1.0  # seconds the PDFs of a change wait, in case another change follows at once
PUBLISH_WAIT = 60.0  # seconds a preview publish waits for the server, busy with another one
IGNORED_DIRS = {"_build", "__pycache__", "node_modules"}
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".bak", "~")

Say = Callable[[str], None]


# -- what is watched -----------------------------------------------------------------


@dataclass
class WatchPlan:
    """The folders to watch, and which of their files are the project's."""

    root: Path
    trees: set[Path] = field(default_factory=set)  # watched with their subfolders
    folders: set[Path] = field(default_factory=set)  # watched alone, for the files named in ``files``
    files: set[Path] = field(default_factory=set)
    catalogs: set[Path] = field(default_factory=set)  # trees where only .po files count

    def wanted(self, path: Path) -> bool:
        """Whether a save of ``path`` may change what the sites show."""
        if path in self.files:
            return True
        tree = next((t for t in self.trees if t == path or t in path.parents), None)
        if tree is None:
            return False
        parts = path.relative_to(tree).parts
        if any(part.startswith(".") or part in IGNORED_DIRS for part in parts) or not parts:
            return False
        if (self.root / "_build") in path.parents or path.name.endswith(IGNORED_SUFFIXES) or ".pending-" in path.name:
            return False
        if path.name == "4913":  # vim's test that it may write in the folder
            return False
        return path.suffix == ".po" if tree in self.catalogs else True


def watch_plan(root: Path, overrides: Iterable[str] = ()) -> WatchPlan:
    """What to watch in the project at ``root``: raises SettingsError as any command does."""
    from ..project.settings import find_settings, load_project

    project = load_project(root, list(overrides))
    plan = WatchPlan(root=project.root)
    plan.trees |= set(project.sources.values())
    if project.locale_root.is_dir():
        plan.trees.add(project.locale_root)
        plan.catalogs.add(project.locale_root)
    for name in ("templates_path", "html_static_path"):
        for folder in project.conf.get(name) or []:
            if isinstance(folder, str) and (project.root / folder).is_dir():
                plan.trees.add((project.root / folder).resolve())
    plan.files = {project.conf_path, find_settings(project.root)[0], (project.root / project.settings.glossary).resolve()}
    plan.trees = {t for t in plan.trees if t.is_dir() and not any(o in t.parents for o in plan.trees)}
    plan.folders = {f.parent for f in plan.files if f.parent.is_dir()
                    and not any(t == f.parent or t in f.parent.parents for t in plan.trees)}
    return plan


class Watcher:
    """The system's notifications of the watched folders, one thread each, as bursts of saved paths."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._saved: queue.Queue[set[tuple[Path, bool]]] = queue.Queue()  # (path, whether it was added)
        self._watching: set[tuple[Path, bool]] = set()

    def follow(self, plan: WatchPlan) -> None:
        """Watch the folders of ``plan`` not watched yet (a new catalog folder, new settings)."""
        started = []
        for folder, recursive in [*((t, True) for t in plan.trees), *((f, False) for f in plan.folders)]:
            if (folder, recursive) not in self._watching:
                self._watching.add((folder, recursive))
                started.append(threading.Event())
                threading.Thread(target=self._watch, args=(folder, recursive, started[-1]), daemon=True,
                                 name=f"watch {folder}").start()
        for event in started:  # each folder watched before this returns: nothing saved from now on is missed
            event.wait(5)

    def _watch(self, folder: Path, recursive: bool, started: threading.Event) -> None:
        import watchfiles

        with contextlib.suppress(Exception):  # a folder removed: nothing more to watch there
            for changes in watchfiles.watch(folder, watch_filter=None, recursive=recursive, step=30,
                                            stop_event=self._stop, raise_interrupt=False, yield_on_timeout=True,
                                            rust_timeout=200):
                started.set()
                if changes:
                    self._saved.put({(Path(path), change == watchfiles.Change.added) for change, path in changes})
        started.set()

    def next_burst(self, timeout: float) -> set[Path]:
        """The paths saved in the next burst of saves (empty after ``timeout`` seconds without any).

        A file added and gone within the burst (an editor's or ``sed -i``'s
        temporary file, renamed over the one saved) is left out.
        """
        try:
            changes = self._saved.get(timeout=timeout)
        except queue.Empty:
            return set()
        while True:
            try:
                changes |= self._saved.get(timeout=QUIET)
            except queue.Empty:
                break
        added = {path for path, was_added in changes if was_added}
        return {path for path, _ in changes if path not in added or path.exists()}


# -- how the last publish went ---------------------------------------------------------


class PreviewState:
    """The last preview publish, as the open pages learn it; ``token`` names the sites' last version."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._run = secrets.token_hex(4)  # a new server: every open page reloads
        self._generation = 0
        self._version = 0
        self.status = "publishing"
        self.message = ""
        self.changed: list[str] = []

    @property
    def token(self) -> str:
        return f"{self._run}-{self._generation}"

    def set(self, status: str, message: str = "", changed: list[str] | None = None) -> None:
        with self._changed:
            if status == "published":
                self._generation += 1
            self.status, self.message = status, message
            if changed is not None:
                self.changed = changed
            self._version += 1
            self._changed.notify_all()

    def next(self, seen: int, timeout: float) -> tuple[int, dict[str, Any]] | None:
        """The state once its version is past ``seen``; None after ``timeout`` seconds without a change."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._version > seen, timeout):
                return None
            return self._version, {"token": self.token, "status": self.status, "message": self.message,
                                   "changed": self.changed}


# -- publishing each change ------------------------------------------------------------


class Previewer:
    """Publish the project at start, then after each change, through the project's server."""

    def __init__(self, root: Path, overrides: list[str], state: PreviewState, say: Say) -> None:
        self.root = root
        self.overrides = overrides
        self.state = state
        self.say = say
        self._ours: dict[Path, tuple[int, int, int]] = {}  # catalogs publish wrote: what they were then

    def run(self, stop: threading.Event, ready: Callable[[], bool]) -> None:
        """Until ``stop``: ``ready`` returns once the server takes publishes (False: it never will)."""
        if not ready():
            return
        watcher = Watcher(stop)
        plan = self._plan(watcher, None)
        self._publish(["(start)"], stop)
        plan = self._plan(watcher, plan)  # the catalog folders the first publish made
        while not stop.is_set():
            saved = watcher.next_burst(timeout=1.0)
            changed = sorted(p for p in saved if plan.wanted(p) and not self._ours_still(p))
            if changed:
                self._publish([_shown(p, self.root) for p in changed], stop)
                plan = self._plan(watcher, plan)  # new settings may say other folders

    def _plan(self, watcher: Watcher, known: WatchPlan | None) -> WatchPlan:
        try:
            plan = watch_plan(self.root, self.overrides)
        except PipelineError:  # the settings do not read: the publish says why; conf.py and pyproject.toml are watched
            plan = known or WatchPlan(root=self.root, folders={self.root}, files={self.root / "conf.py",
                                                                                   self.root / "pyproject.toml"})
        watcher.follow(plan)
        return plan

    def _ours_still(self, path: Path) -> bool:
        """A catalog as publish's sync wrote it (a later save by someone is a change)."""
        known = self._ours.get(path)
        return known is not None and known == _identity(path)

    def _publish(self, changed: list[str], stop: threading.Event) -> None:
        from .server import publish_remotely

        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        if changed != ["(start)"]:
            self.say(f"Preview: {shown} changed; publishing…")
        self.state.set("publishing", changed=changed)
        data = None
        try:
            while data is None and not stop.is_set():  # None: the server is busy with a long publish
                data = publish_remotely(self.root, self.overrides, PUBLISH_WAIT, None, lambda _line: None,
                                        warn=lambda _line: None, pdf_later=True)
        except PipelineError as error:
            self.say(f"Preview: the pages show this error until it is fixed: {error}")
            self.state.set("error", str(error))
            return
        except Exception as error:  # noqa: BLE001 - the preview carries on with the next change
            self.say(f"Preview: could not publish: {type(error).__name__}: {error}")
            self.state.set("error", f"the preview could not publish: {type(error).__name__}: {error}")
            return
        if data is None:
            return
        for catalog in data["sync"]["details"]:
            if catalog["action"] in ("created", "updated"):
                path = self.root / catalog["path"]
                self._ours[path] = _identity(path)
        self.state.set("published")


def _identity(path: Path) -> tuple[int, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0, -1)
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# -- the HTTP side: the script in each page, the event stream -------------------------


def handler_class(base: type, state: PreviewState) -> type:
    """``base`` (a handler serving the sites' files) with the preview's script in its HTML pages."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    templates = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    tag = templates.get_template("preview-script.html")
    script = (TEMPLATES / "preview.js").read_bytes()

    class PreviewHandler(base):  # type: ignore[misc, valid-type]
        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            path = self.path.split("?", 1)[0]
            if path == EVENTS:
                self._events()
            elif path == SCRIPT:
                self._send(script, "text/javascript; charset=utf-8")
            else:
                super().do_GET()

        def send_head(self) -> Any:
            page = self._page()
            if page is None:
                return super().send_head()  # not an HTML page of the sites: as before (a 404 outside them)
            try:
                html = page.read_bytes()
            except OSError:
                return super().send_head()
            injected = tag.render(src=SCRIPT, events=EVENTS, token=state.token).encode("utf-8")
            return self._head(_inject(html, injected), "text/html; charset=utf-8")

        def _page(self) -> Path | None:
            """The HTML file inside the site that this request asks for, if it is one."""
            path = self.translate_path(self.path)
            if "\x00" in path:
                return None  # the base class refuses it
            if os.path.isdir(path):
                if not self.path.split("?", 1)[0].endswith("/"):
                    return None  # the base class redirects to the folder's URL
                path = os.path.join(path, "index.html")
            site = os.path.realpath(self.directory)
            real = os.path.realpath(path)
            if not real.endswith((".html", ".htm")) or not real.startswith(site + os.sep) or not os.path.isfile(real):
                return None
            return Path(real)

        def _head(self, data: bytes, kind: str) -> io.BytesIO:
            self.send_response(http.HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return io.BytesIO(data)

        def _send(self, data: bytes, kind: str) -> None:
            self.copyfile(self._head(data, kind), self.wfile)

        def _events(self) -> None:
            self.send_response(http.HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1  # the state as it is now, first
            with contextlib.suppress(OSError):  # the page went away
                while True:
                    news = state.next(seen, KEEP_ALIVE)
                    if news is None:
                        self.wfile.write(b": still here\n\n")
                    else:
                        seen, data = news
                        self.wfile.write(b"data: " + json.dumps(data).encode("utf-8") + b"\n\n")
                    self.wfile.flush()

    return PreviewHandler


def _inject(html: bytes, tag: bytes) -> bytes:
    """``html`` with ``tag`` at the end of its head (else before its body ends, else at its end)."""
    lower = html.lower()
    for marker in (b"</head>", b"</body>"):
        at = lower.find(marker)
        if at >= 0:
            return html[:at] + tag + html[at:]
    return html + tag


def start(root: Path, overrides: list[str], say: Say, ready: Callable[[], bool]) -> PreviewState:
    """In the HTTP process: the previewer's thread, publishing at start and after each change."""
    state = PreviewState()
    previewer = Previewer(root, overrides, state, say)
    threading.Thread(target=previewer.run, args=(threading.Event(), ready), daemon=True, name="preview").start()
    return state


# -- the PDFs after the HTML, in the server's process ----------------------------------


class PdfsLater:
    """The PDFs of the last preview publish, made in a process of their own after its HTML."""

    def __init__(self) -> None:
        self._process: Any = None

    def start(self, project: Any, stage: Any, say: Say) -> None:
        import multiprocessing

        self.stop()
        context = multiprocessing.get_context("fork")
        # Not daemonic: the PDF workers are its children. It ends with this process all the same.
        self._process = context.Process(target=_make_later, args=(project, stage, say, os.getpid()),
                                        daemon=False, name="pdfs-later")
        self._process.start()

    def stop(self) -> bool:
        """Stop the PDFs under way; True when some were left unmade."""
        process, self._process = self._process, None
        if process is None:
            return False
        cut = process.is_alive()
        if cut:
            process.terminate()  # SIGTERM: the workers stop, the lock is let go, what was made is recorded
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()
        return cut


def _make_later(project: Any, stage: Any, say: Say, parent: int) -> None:
    from ..children import exit_with_parent
    from .pdf.build import make_pdfs
    from .publish import publish_lock

    exit_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle: it stops this process
    time.sleep(PDF_DELAY)  # a change saved right after this one stops this process before any PDF starts
    try:
        with publish_lock(project, 0):
            report = make_pdfs(project, stage.sites, project.settings.pdf, stage.site_dir, stage.site_root,
                               stage.cpus, lambda _line: None)
    except LockedError:
        say("PDFs not made after the preview: another publish of the project is running")
        return
    except PipelineError as error:
        say(f"PDFs not made after the preview: {error}")
        return
    for line in report.warnings:
        say(line)
    say(f"PDFs made in {report.seconds:.1f}s ({report.made} made again)")
