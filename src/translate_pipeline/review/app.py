"""The review page over HTTP: 127.0.0.1 only, a token in every URL, CSRF-checked POSTs.

Every URL starts with ``/TOKEN/`` (a random token made at start, in the URL
the command prints): a request without it is refused (403), as is one for
another host than 127.0.0.1/localhost (a page of another site reaching the
port under a name of its own). Changes are POSTs carrying the page's CSRF
token (form field ``csrf`` or header ``X-CSRF-Token``) and coming from the
page itself (``Origin``, else ``Referer``). Every answer carries a strict
Content-Security-Policy (nothing but the page's own files), is never cached,
and gives the token to no other site (``Referrer-Policy: same-origin``).

The pages are Jinja2 templates (``templates/``, autoescaped) and work
without JavaScript; ``static/review.js`` adds the live checks and the
keyboard shortcuts.
"""

from __future__ import annotations

import http
import json
import secrets
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jinja2

from ..catalogs.catalog import State
from ..project.direction import language_name
from ..errors import LockedError, PipelineError
from .work import ORDER, EntryChanged, Ref, Refused, Review

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HOSTS = ("127.0.0.1", "localhost")
BODY_LIMIT = 1 << 20  # bytes a POST may carry
STATIC = {"review.css": "text/css; charset=utf-8", "review.js": "text/javascript; charset=utf-8"}
DONE = {  # what the page says after an action (never text from the request)
    "approved": "Approved.",
    "saved": "Saved, not approved: it stays to review.",
    "cleared": "Draft cleared: the entry is untranslated.",
}
ORDERS = {  # the orders the home view offers for going through the entries
    "stale,machine,untranslated": "stale first, then machine drafts, then untranslated",
    "machine,stale,untranslated": "machine drafts first",
    "untranslated,machine,stale": "untranslated first",
}
SHORTCUTS = {"approve": "Ctrl+Enter", "next": "Alt+N", "previous": "Alt+P", "editor": "Alt+E"}
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"  # where `translate-pipeline serve` shows the sites


@dataclass
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None


class ReviewApp:
    """What the review page answers; the server (:class:`ReviewServer`) only carries it."""

    def __init__(self, review: Review, site_url: str = DEFAULT_SITE_URL) -> None:
        self.review = review
        self.site_url = site_url.rstrip("/") + "/"
        self.token = secrets.token_urlsafe(24)
        self.csrf = secrets.token_urlsafe(24)
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("translate_pipeline.review", "templates"),
            autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        )
        self.templates.globals.update(language_name=language_name, states=ORDER, shortcuts=SHORTCUTS)

    @property
    def base(self) -> str:
        return f"/{self.token}/"

    # -- requests -------------------------------------------------------------

    def answer(self, method: str, target: str, headers: Any, body: bytes, port: int) -> Answer:
        url = urlsplit(target)
        first, _, rest = url.path.removeprefix("/").partition("/")  # "/TOKEN/route"
        host = (headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in HOSTS or not secrets.compare_digest(first.encode(), self.token.encode()):
            return Answer(403, b"Forbidden: open the review page with the address translate-pipeline review printed.",
                          "text/plain; charset=utf-8")
        route = rest.rstrip("/")
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        if method == "GET":
            if route == "":
                return self._home(query)
            if route == "work":
                return self._work(query)
            if route == "go":
                return self._go(query)
            if route.startswith("static/") and route[len("static/"):] in STATIC:
                name = route[len("static/"):]
                data = resources.files("translate_pipeline.review").joinpath("static", name).read_bytes()
                return Answer(200, data, STATIC[name])
            return Answer(404, b"Not found", "text/plain; charset=utf-8")
        if method != "POST":
            return Answer(405, b"Method not allowed", "text/plain; charset=utf-8")
        refused = self._cross_site(headers, port)
        form = {key: values[-1] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        token = headers.get("X-CSRF-Token") or form.get("csrf", "")
        if refused is None and not secrets.compare_digest(token.encode(), self.csrf.encode()):
            refused = "the page's form token is missing or wrong: reload the page and try again"
        if refused is not None:
            return Answer(403, f"Forbidden: {refused}".encode(), "text/plain; charset=utf-8")
        actions = {"approve": self._approve, "save": self._save, "clear": self._clear,
                   "suggest": self._suggest, "check": self._check}
        if route not in actions:
            return Answer(404, b"Not found", "text/plain; charset=utf-8")
        return actions[route](form)

    def _cross_site(self, headers: Any, port: int) -> str | None:
        """Why a POST does not come from the review page itself; None when it does."""
        ours = [f"http://{host}:{port}" for host in HOSTS]
        origin = headers.get("Origin")
        if origin is not None:
            return None if origin in ours else f"a change from another site ({origin}) is refused"
        referer = headers.get("Referer")
        if referer is not None and any(referer.startswith(o + "/") for o in ours):
            return None
        return "a change must come from the review page itself (no Origin or Referer)"

    # -- views ----------------------------------------------------------------

    def _page(self, template: str, status: int = 200, **context: Any) -> Answer:
        html = self.templates.get_template(template).render(base=self.base, csrf=self.csrf, **context)
        return Answer(status, html.encode("utf-8"))

    def _home(self, query: dict[str, str]) -> Answer:
        domain = query.get("doc") or None
        state = _state(query.get("state"))
        rows, totals = self.review.overview(domain, state)
        order = ",".join(_order(state or query.get("order")))
        return self._page("home.html", rows=rows, totals=totals, domains=self.review.domains(),
                          doc=domain or "", state=state or "", order=order, orders=ORDERS)

    def _filters(self, source: dict[str, str]) -> dict[str, str]:
        return {key: source[key] for key in ("lang", "doc", "order") if source.get(key)}

    def _work_url(self, filters: dict[str, str], ref: Ref | None = None, **extra: str) -> str:
        params = dict(filters)
        if ref is not None:
            params["e"] = _ref_id(ref)
        params.update(extra)
        return self.base + "work" + ("?" + urlencode(params) if params else "")

    def _work(self, query: dict[str, str], status: int = 200, ref: Ref | None = None, **shown: Any) -> Answer:
        filters = self._filters(query)
        order = _order(filters.get("order"))
        queue = self.review.queue(filters.get("lang"), filters.get("doc"), order)
        ref = ref or _parse_ref(query.get("e")) or (queue[0] if queue else None)
        if ref is None:
            return self._page("done.html", status, filters=filters, error=shown.get("error"),
                              message=DONE.get(query.get("done", "")))
        try:
            view = self.review.entry(ref, shown.get("text"))
        except Refused as unknown:  # a catalog not under review here
            return self._page("done.html", 404, filters=filters, error=str(unknown), message=None)
        except EntryChanged as gone:  # the entry is no more (a sync changed its text): the first one
            if not queue or ref == queue[0]:
                raise
            shown.update(error=shown.get("error") or str(gone), text=None)
            return self._work(filters, status, ref=queue[0], **shown)
        index = queue.index(ref) if ref in queue else None
        if index is not None:
            previous, following = (queue[index - 1] if index else None), (queue[index + 1:] or [None])[0]
        else:
            previous, following = None, (queue[0] if queue else None)
        return self._page(
            "work.html", status, view=view, filters=filters, order=order, position=index, total=len(queue),
            previous=_ref_id(previous) if previous else None, next=_ref_id(following) if following else None,
            previous_url=self._work_url(filters, previous) if previous else None,
            next_url=self._work_url(filters, following) if following else None,
            home_url=self.base, site_url=self.site_url, engines=self.review.suggestion_cost(ref),
            text=view.translation if shown.get("text") is None else shown["text"],
            message=shown.get("message") or DONE.get(query.get("done", "")),
            error=shown.get("error"), confirm=shown.get("confirm", []), suggestion=shown.get("suggestion"),
        )

    def _go(self, query: dict[str, str]) -> Answer:
        ref = self.review.find_passage(query.get("path", ""), query.get("anchor", ""), query.get("section", ""))
        if ref is None:
            return self._page("done.html", 404, filters={}, message=None,
                              error="This passage has no entry to review here (the page or its catalog changed).")
        return Answer(303, location=self._work_url({}, ref))

    # -- actions --------------------------------------------------------------

    def _acting(self, form: dict[str, str], act: Any, done: str, following: bool) -> Answer:
        ref = _parse_ref(form.get("e"))
        filters = self._filters(form)
        if ref is None:
            return Answer(400, b"Bad request: no entry named", "text/plain; charset=utf-8")
        text = form.get("text", "")
        try:
            warnings = act(ref, form)
        except EntryChanged as changed:
            return self._work({**filters}, 409, ref=ref, error=str(changed))
        except Refused as refused:
            return self._work({**filters}, 422, ref=ref, error=str(refused), text=text)
        except LockedError as locked:
            return self._work({**filters}, 503, ref=ref, error=f"{locked}; try again in a moment", text=text)
        if warnings:
            return self._work({**filters}, 200, ref=ref, confirm=warnings, text=text)
        target = _parse_ref(form.get("next")) if following else ref
        return Answer(303, location=self._work_url(filters, target, done=done))

    def _approve(self, form: dict[str, str]) -> Answer:
        return self._acting(form, lambda ref, f: self.review.approve(
            ref, f.get("text", ""), f.get("digest", ""), confirmed=f.get("confirm") == "yes"), "approved", True)

    def _save(self, form: dict[str, str]) -> Answer:
        return self._acting(form, lambda ref, f: self.review.save(ref, f.get("text", ""), f.get("digest", "")),
                            "saved", False)

    def _clear(self, form: dict[str, str]) -> Answer:
        return self._acting(form, lambda ref, f: self.review.clear(ref, f.get("digest", "")), "cleared", False)

    def _suggest(self, form: dict[str, str]) -> Answer:
        ref = _parse_ref(form.get("e"))
        if ref is None:
            return Answer(400, b"Bad request: no entry named", "text/plain; charset=utf-8")
        filters = self._filters(form)
        try:
            suggestion = self.review.suggest(ref)
        except EntryChanged as changed:
            return self._work(filters, 409, ref=ref, error=str(changed))
        except PipelineError as error:  # the engine stopped: quota, key, service
            return self._work(filters, 502, ref=ref, error=f"no suggestion: {error}", text=form.get("text", ""))
        if suggestion is None:
            return self._work(filters, 200, ref=ref, text=form.get("text", ""),
                              error="No engine has a suggestion for this entry.")
        return self._work(filters, 200, ref=ref, text=suggestion.text, suggestion=suggestion)

    def _check(self, form: dict[str, str]) -> Answer:
        ref = _parse_ref(form.get("e"))
        if ref is None:
            return Answer(400, b"Bad request: no entry named", "text/plain; charset=utf-8")
        try:
            checks = self.review.checks(ref, form.get("text", "").replace("\r\n", "\n"))
        except (EntryChanged, Refused) as error:
            return Answer(409, json.dumps({"error": str(error)}).encode(), "application/json")
        return Answer(200, json.dumps(checks.as_dict(), ensure_ascii=False).encode("utf-8"), "application/json")


def _state(value: str | None) -> State | None:
    return State(value) if value in set(map(str, State)) else None


def _order(value: str | None) -> tuple[State, ...]:
    chosen = [State(name) for name in (value or "").split(",") if name in set(map(str, ORDER))]
    return tuple(dict.fromkeys(chosen)) or ORDER


def _ref_id(ref: Ref) -> str:
    return f"{ref.language}:{ref.domain}:{ref.key}"


def _parse_ref(value: str | None) -> Ref | None:
    language, _, rest = (value or "").partition(":")
    domain, _, key = rest.rpartition(":")
    return Ref(language, domain, key) if language and domain and key else None


class ReviewServer(ThreadingHTTPServer):
    """The review page on 127.0.0.1:``port`` (0: any free port)."""

    daemon_threads = True

    def __init__(self, app: ReviewApp, port: int = 0) -> None:
        self.app = app
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}{self.app.base}"


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "translate-pipeline-review"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # the token is in every request line: nothing is logged

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._respond("GET", b"")

    def do_POST(self) -> None:  # noqa: N802
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= BODY_LIMIT:
            self._send(Answer(413, b"Too large", "text/plain; charset=utf-8"))
            return
        self._respond("POST", self.rfile.read(length))

    def do_PUT(self) -> None:  # noqa: N802
        self._respond("PUT", b"")

    do_DELETE = do_PATCH = do_PUT  # noqa: N815

    def _respond(self, method: str, body: bytes) -> None:
        try:
            answer = self.server.app.answer(method, self.path, self.headers, body, self.server.server_port)
        except PipelineError as error:
            answer = Answer(500, f"translate-pipeline: {error}".encode(), "text/plain; charset=utf-8")
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status, http.HTTPStatus(answer.status).phrase)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")
        if answer.location:
            self.send_header("Location", answer.location)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)


def open_review(review: Review, port: int = 0, site_url: str = DEFAULT_SITE_URL) -> ReviewServer:
    """The review page of ``review``, listening (raises OSError when the port is taken)."""
    return ReviewServer(ReviewApp(review, site_url), port)


def run_review(server: ReviewServer) -> None:
    """Answer until interrupted; meanwhile ``serve``'s preview links its marks here (see :mod:`.state`)."""
    from .state import announce, withdraw

    root = server.app.review.project.root
    announce(root, server.url)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        withdraw(root)
        server.server_close()
