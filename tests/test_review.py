"""``translate-pipeline review``: the review page's server, request by request.

A copy of the sample project, the real review server on 127.0.0.1 (in a
thread of the test), real HTTP requests, and the .po files on disk read
back: every action, the refusal to write over a catalog saved meanwhile,
the token, CSRF and cross-origin refusals, the loopback bind, and the
link ``serve``'s preview gives to the marks while a review page runs.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import polib
import pytest
from bs4 import BeautifulSoup

from conftest import copy_sample, first_line, po_path
from deepl_server import billable
from translate_pipeline.review.app import open_review, run_review
from translate_pipeline.review.state import PREVIEW_PATH, state_path
from translate_pipeline.review.work import Review, entry_key
from translate_pipeline.project.settings import load_project

MACHINE = ("actualites", "Actualités")  # a machine draft of the sample ("News")
STALE = ("collectif", "Trois groupes de travail se réunissent tous les deux mois\u00a0:")


class Client:
    """HTTP requests to the review page, as a browser on the same machine makes them."""

    def __init__(self, server, root: Path) -> None:
        self.server, self.root = server, root
        self.port = server.server_port
        self.base = server.app.base
        self.origin = f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None,
                prefix: str | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": f"127.0.0.1:{self.port}"}
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        connection.request(method, (self.base if prefix is None else prefix) + path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        connection.close()
        return response.status, dict(response.getheaders()), text

    def get(self, path: str, **options) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path, **options)

    def post(self, action: str, form: dict, **headers: str) -> tuple[int, dict[str, str], str]:
        return self.request("POST", action, form, {"Origin": self.origin, **headers})


def page_form(html: str) -> dict[str, str]:
    """The fields the work view's form sends (hidden fields, the editor)."""
    form = BeautifulSoup(html, "html.parser").select_one("form.edit")
    fields = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    fields["text"] = form.select_one("textarea").get_text()
    return fields


def ref(domain: str, msgid: str, language: str = "en") -> str:
    return f"{language}:{domain}:{entry_key(polib.POEntry(msgid=msgid))}"


def blocks(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n\n")


def assert_only_changed(before: list[str], after: list[str], msgid_line: str) -> str:
    """Every block of the catalog but the entry's is as it was, in order; the entry's block now."""
    assert len(before) == len(after)
    changed = [i for i, (old, new) in enumerate(zip(before, after)) if old != new]
    assert len(changed) == 1, changed
    assert msgid_line in after[changed[0]]
    return after[changed[0]]


@pytest.fixture
def review(tmp_path) -> Iterator[Client]:
    root = copy_sample(tmp_path / "sample")
    server = open_review(Review(load_project(root)))
    thread = threading.Thread(target=run_review, args=(server,), daemon=True)
    thread.start()
    yield Client(server, root)
    server.shutdown()
    thread.join(10)


def work_page(client: Client, entry: str) -> str:
    status, _, html = client.get("work?" + urlencode({"e": entry}))
    assert status == 200
    return html


# -- the actions ---------------------------------------------------------------------


def test_approving_a_machine_draft_as_is_leaves_it_clean_and_goes_to_the_next(review):
    path = po_path(review.root, MACHINE[0])
    before = blocks(path)
    html = work_page(review, ref(*MACHINE))
    assert 'class="badge badge-machine"' in html and "drafted by deepl 2026-11-20" in html
    form = page_form(html)
    assert form["text"] == "News"

    status, headers, _ = review.post("approve", form)

    assert status == 303
    assert parse_qs(urlsplit(headers["Location"]).query)["e"] == [form["next"]]
    block = assert_only_changed(before, blocks(path), 'msgid "Actualités"')
    assert block == '#: source/fr/actualites.md:3\nmsgid "Actualités"\nmsgstr "News"'


def test_editing_and_approving_a_stale_entry_drops_its_previous_original_and_stale_comment(review):
    path = po_path(review.root, STALE[0])
    before = blocks(path)
    html = work_page(review, ref(*STALE))
    soup = BeautifulSoup(html, "html.parser")
    assert " ".join(piece.get_text() for piece in soup.select(".diff del")) == "chaque trimestre"
    assert " ".join(piece.get_text() for piece in soup.select(".diff ins")) == "tous les deux mois"
    assert soup.select_one(".diff")["lang"] == "fr"
    assert soup.select_one(".reviewed").get_text() == "Three working groups meet every quarter:"
    form = page_form(html) | {"text": "Three working groups meet every two months:"}

    status, _, _ = review.post("approve", form)

    assert status == 303
    block = assert_only_changed(before, blocks(path), STALE[1])
    assert block == ('#: source/fr/collectif.rst:52\nmsgid "Trois groupes de travail se réunissent tous les deux '
                     'mois\u00a0:"\nmsgstr "Three working groups meet every two months:"')


def test_approving_keeps_peoples_comments(review):
    path = po_path(review.root, STALE[0])
    text = path.read_text(encoding="utf-8").replace(
        "# stale: French changed on 2026-11-26\n", "# ask Marie about the wording\n# stale: French changed on 2026-11-26\n")
    path.write_text(text, encoding="utf-8")
    form = page_form(work_page(review, ref(*STALE)))
    assert review.post("approve", form | {"text": "Three working groups meet every two months:"})[0] == 303
    entry = next(e for e in polib.pofile(str(path)) if e.msgid == STALE[1])
    assert entry.tcomment == "ask Marie about the wording"
    assert not entry.fuzzy and entry.previous_msgid is None


def test_a_failing_markup_check_refuses_approval_with_the_reason(review):
    domain, msgid = "collectif", next(e.msgid for e in polib.pofile(str(po_path(review.root, "collectif")))
                                      if "*Protection des victimes*" in e.msgid)
    path = po_path(review.root, domain)
    before = path.read_bytes()
    form = page_form(work_page(review, ref(domain, msgid)))

    status, _, html = review.post("approve", form | {"text": "the Protection of victims group"})

    assert status == 422
    error = BeautifulSoup(html, "html.parser").select_one("[role=alert]").get_text()
    assert "not approved, the markup differs from the original's" in error and "*emphasis* missing" in error
    assert "the Protection of victims group" in html  # the translator's text is kept in the editor
    assert path.read_bytes() == before


def test_a_numbers_warning_asks_for_confirmation_then_approves(review):
    path = po_path(review.root, STALE[0])
    before = path.read_bytes()
    form = page_form(work_page(review, ref(*STALE))) | {"text": "Three working groups meet every quarter:"}

    status, _, html = review.post("approve", form)

    assert status == 200
    confirm = BeautifulSoup(html, "html.parser").select_one("[role=alertdialog]")
    assert "numbers differ" in confirm.get_text() and confirm.select_one("button").get_text() == "Approve anyway"
    assert path.read_bytes() == before
    assert review.post("approve", form | {"confirm": "yes"})[0] == 303
    entry = next(e for e in polib.pofile(str(path)) if e.msgid == STALE[1])
    assert entry.msgstr == "Three working groups meet every quarter:" and not entry.fuzzy


def test_saving_keeps_the_entry_fuzzy_as_the_translators_words(review, tp):
    path = po_path(review.root, MACHINE[0])
    form = page_form(work_page(review, ref(*MACHINE)))
    status, headers, _ = review.post("save", form | {"text": "Latest news"})
    assert status == 303 and "done=saved" in headers["Location"]
    entry = next(e for e in polib.pofile(str(path)) if e.msgid == MACHINE[1])
    assert entry.msgstr == "Latest news" and entry.fuzzy
    report = json.loads(tp("-C", review.root, "status", "--json").out)
    counts = next(c for c in report["catalogs"] if c["domain"] == "actualites")["entries"]
    assert counts["stale"] == 1 and counts["machine"] == 8  # an edited draft counts as a translator's words


def test_clearing_a_machine_draft_makes_it_untranslated_and_a_translators_words_are_never_cleared(review):
    path = po_path(review.root, MACHINE[0])
    before = blocks(path)
    assert review.post("clear", page_form(work_page(review, ref(*MACHINE))))[0] == 303
    block = assert_only_changed(before, blocks(path), 'msgid "Actualités"')
    assert block == '#: source/fr/actualites.md:3\nmsgid "Actualités"\nmsgstr ""'

    stale = po_path(review.root, STALE[0])
    kept = stale.read_bytes()
    status, _, html = review.post("clear", page_form(work_page(review, ref(*STALE))))
    assert status == 422 and "only a machine draft can be cleared" in html
    assert stale.read_bytes() == kept


def test_a_catalog_saved_meanwhile_is_never_overwritten_and_the_entry_shows_its_new_state(review):
    path = po_path(review.root, MACHINE[0])
    form = page_form(work_page(review, ref(*MACHINE)))
    # A translator in a PO editor approves the draft with other words, after the page was read.
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid == MACHINE[1])
    entry.msgstr, entry.flags = "Latest news", []
    po.save(str(path))
    theirs = path.read_bytes()

    status, _, html = review.post("approve", form | {"text": "News and events"})

    assert status == 409
    soup = BeautifulSoup(html, "html.parser")
    assert "changed on disk after this page read it" in soup.select_one("[role=alert]").get_text()
    assert "nothing was overwritten" in soup.select_one("[role=alert]").get_text()
    assert soup.select_one("#editor").get_text() == "Latest news"
    assert soup.select_one(".badge").get_text() == "reviewed"
    assert path.read_bytes() == theirs


def test_suggest_fills_the_editor_from_the_memory_without_writing(review):
    path = po_path(review.root, "rapports/2017-06-assemblee-generale")
    untranslated = [e for e in polib.pofile(str(path)) if not e.msgstr and not e.obsolete]
    before = path.read_bytes()
    for entry in untranslated:
        form = page_form(work_page(review, ref("rapports/2017-06-assemblee-generale", entry.msgid)))
        status, _, html = review.post("suggest", form)
        assert status == 200
        if "Suggested by memory" in html:
            break
    else:
        pytest.fail("the memory suggested nothing for the 2017 report, which repeats the 2016 one")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#editor").get_text().strip()
    assert path.read_bytes() == before


def test_suggest_asks_deepl_when_a_key_is_set_and_says_what_it_bills(review, deepl_server):  # noqa: F811
    msgid = next(e.msgid for e in polib.pofile(str(po_path(review.root, "actualites")))
                 if e.msgid.startswith("Cette page annonce"))
    html = work_page(review, ref("actualites", msgid))
    hint = BeautifulSoup(html, "html.parser").select_one("#suggest-cost").get_text()
    estimated = int(re.search(r"DeepL \((\d+) characters billed at most\)", hint).group(1))
    assert hint.startswith("Suggest asks the translation memory (free), then DeepL")

    status, _, html = review.post("suggest", page_form(html))

    assert status == 200
    [request] = deepl_server.translations()
    billed = sum(billable(text, request.params) for text in request.texts)
    assert billed == estimated
    note = BeautifulSoup(html, "html.parser").select_one(".edit [role=status]").get_text()
    assert note == f"Suggested by deepl ({billed} characters billed): not saved yet."

    # Asked again (or drafted by draft later): nothing is sent or billed twice.
    assert "DeepL (paid for already: nothing billed)" in work_page(review, ref("actualites", msgid))
    status, _, html = review.post("suggest", page_form(html))
    assert status == 200 and len(deepl_server.translations()) == 1
    assert "Suggested by deepl (paid for already: nothing billed)" in html



def test_suggest_asks_the_engines_in_the_projects_order_and_deepl_only_with_a_key(tmp_path, monkeypatch):
    root = copy_sample(tmp_path / "sample")

    def hint(overrides: list[str]) -> str:
        server = open_review(Review(load_project(root, overrides)))
        thread = threading.Thread(target=run_review, args=(server,), daemon=True)
        thread.start()
        try:
            html = work_page(Client(server, root), ref(*MACHINE))
        finally:
            server.shutdown()
            thread.join(10)
        return BeautifulSoup(html, "html.parser").select_one("#suggest-cost").get_text()

    monkeypatch.setenv("DEEPL_AUTH_KEY", "a-key:fx")
    assert hint(['engines=["deepl", "memory"]']).startswith("Suggest asks DeepL (")
    assert ", then the translation memory (free)" in hint(['engines=["deepl", "memory"]'])
    # the setting lists the memory only: a key being set, DeepL comes after it
    assert hint([]).startswith("Suggest asks the translation memory (free), then DeepL (")
    monkeypatch.delenv("DEEPL_AUTH_KEY")
    assert hint(['engines=["deepl", "memory"]']).startswith("Suggest asks the translation memory (free);")


def test_live_checks_flag_numbers_and_glossary_as_the_translator_types(review):
    entry = ref(*STALE)
    form = page_form(work_page(review, entry))
    status, headers, body = review.post("check", {"e": entry, "text": "Four working groups meet every quarter:",
                                                  "csrf": form["csrf"]})
    assert status == 200 and headers["Content-Type"] == "application/json"
    result = json.loads(body)
    assert result["markup"] == []
    assert any(warning.startswith("numbers differ") for warning in result["warnings"])


# -- the home view ---------------------------------------------------------------------


def test_the_home_view_shows_the_numbers_of_status_sorted_by_what_needs_work(review, tp):
    status, _, html = review.get("")
    assert status == 200
    rows = BeautifulSoup(html, "html.parser").select("tbody tr[data-catalog]")
    report = json.loads(tp("-C", review.root, "status", "--json").out)
    expected = {f"{c['language']}/{c['domain']}": c["entries"] for c in report["catalogs"]}
    shown = {row["data-catalog"]: {state: int(row.select_one(f".count.{state}").get_text())
                                   for state in ("reviewed", "machine", "stale", "untranslated")} for row in rows}
    assert shown == expected
    order = [(-v["stale"], -v["machine"], -v["untranslated"]) for v in shown.values()]
    assert order == sorted(order)
    status, _, html = review.get("?state=machine")
    assert [row["data-catalog"] for row in BeautifulSoup(html, "html.parser").select("tbody tr")] == ["en/actualites"]


def test_the_work_view_goes_stale_first_then_machine_then_untranslated(review):
    states = []
    status, _, html = review.get("work")
    for _ in range(12):
        soup = BeautifulSoup(html, "html.parser")
        states.append(soup.select_one(".badge").get_text())
        link = soup.select_one("a#next")
        if link is None:
            break
        status, _, html = review.get(link["href"], prefix="")
    assert states[:4] == ["stale"] * 4 and states[4:12] == ["machine"] * 8


def test_after_the_last_entry_of_a_document_the_page_says_nothing_is_left(review):
    status, _, html = review.get("work?" + urlencode({"lang": "en", "doc": "ressources"}))
    assert "Entry 1 of 1" in html
    form = page_form(html)
    msgid = BeautifulSoup(html, "html.parser").select_one(".context .here p[lang=fr]").get_text()
    status, headers, _ = review.post("approve", form | {"text": msgid, "confirm": "yes"})
    assert status == 303
    status, _, html = review.get(headers["Location"], prefix="")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("[role=status]").get_text() == "Approved."
    assert soup.select_one("h1").get_text() == "Nothing left to review here"


def test_the_order_is_settable_from_the_home_view(review):
    status, _, html = review.get("?" + urlencode({"order": "untranslated,machine,stale"}))
    link = BeautifulSoup(html, "html.parser").select_one("tr[data-catalog='en/collectif'] a")["href"]
    status, _, html = review.get(link, prefix="")
    assert BeautifulSoup(html, "html.parser").select_one(".badge").get_text() == "untranslated"


def test_an_action_while_another_run_writes_the_catalogs_says_so_and_keeps_the_text(review, monkeypatch):
    from translate_pipeline.review import work
    from translate_pipeline.catalogs.sync import project_lock

    monkeypatch.setattr(work, "LOCK_WAIT", 0)
    path = po_path(review.root, MACHINE[0])
    before = path.read_bytes()
    form = page_form(work_page(review, ref(*MACHINE)))
    with project_lock(load_project(review.root)):
        status, _, html = review.post("approve", form | {"text": "Latest news"})
    assert status == 503
    soup = BeautifulSoup(html, "html.parser")
    assert "another translate-pipeline run is writing this project's catalogs" in soup.select_one("[role=alert]").get_text()
    assert soup.select_one("#editor").get_text() == "Latest news"
    assert path.read_bytes() == before


# -- security ------------------------------------------------------------------------


def test_requests_without_the_token_or_for_another_host_are_refused(review):
    assert review.get("", prefix="/")[0] == 403
    assert review.get("", prefix="/" + "x" * len(review.base.strip("/")) + "/")[0] == 403
    assert review.get("static/review.js", prefix="/nottoken/")[0] == 403
    assert review.get("", headers={"Host": "attacker.example"})[0] == 403  # DNS rebinding
    status, headers, _ = review.get("")
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert headers["Referrer-Policy"] == "same-origin" and headers["Cache-Control"] == "no-store"
    assert review.get("static/review.js")[1]["Content-Security-Policy"] == csp


def test_changes_without_the_csrf_token_or_from_another_site_are_refused(review):
    path = po_path(review.root, MACHINE[0])
    before = path.read_bytes()
    form = page_form(work_page(review, ref(*MACHINE)))
    attempts = [
        review.post("approve", {k: v for k, v in form.items() if k != "csrf"}),
        review.post("approve", form | {"csrf": "guessed"}),
        review.post("approve", form, Origin="http://attacker.example"),
        review.request("POST", "approve", form, {"Referer": "http://attacker.example/page"}),
        review.request("POST", "approve", form),  # neither Origin nor Referer
        review.request("GET", "approve?" + urlencode(form)),
    ]
    assert [status for status, _, _ in attempts] == [403, 403, 403, 403, 403, 404]
    assert "another site" in attempts[2][2]
    assert path.read_bytes() == before
    assert review.request("POST", "approve", form, {"Referer": review.origin + review.base + "work"})[0] == 303


def test_the_command_listens_on_loopback_only_prints_its_url_and_stops_on_ctrl_c(tmp_path):
    root = copy_sample(tmp_path / "sample")
    process = subprocess.Popen(
        [sys.executable, "-m", "translate_pipeline", "-C", str(root), "review", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = first_line(process.stdout)
        url = re.search(r"http://127\.0\.0\.1:(\d+)/[\w-]{20,}/", line)
        assert url, line
        port = int(url.group(1))
        listening = [row.split()[1] for name in ("/proc/net/tcp", "/proc/net/tcp6") if os.path.exists(name)
                     for row in Path(name).read_text().splitlines()[1:] if row.split()[3] == "0A"]
        ours = [address for address in listening if int(address.rsplit(":", 1)[1], 16) == port]
        assert ours == ["0100007F:" + f"{port:04X}"]  # 127.0.0.1 only, no other interface
        with urllib.request.urlopen(url.group(0), timeout=30) as response:
            assert "What needs review" in response.read().decode()
        assert json.loads(state_path(root).read_text())["url"] == url.group(0)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Stopped." in err
    assert not state_path(root).exists()


def test_an_unknown_document_is_refused_before_anything_is_served(tmp_path, tp):
    root = copy_sample(tmp_path / "sample")
    result = tp("-C", root, "review", "--no-browser", "rapports/nowhere")
    assert result.code == 2
    assert "no document 'rapports/nowhere' in this project" in result.err
    assert not state_path(root).exists()


def test_a_port_in_use_is_named_with_what_to_do(tmp_path, tp):
    import socket

    root = copy_sample(tmp_path / "sample")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = tp("-C", root, "review", "--no-browser", "--port", port)
    assert result.code == 2
    assert f"cannot serve the review page on port {port}" in result.err and "choose another with --port" in result.err


# -- the marks of serve's preview ---------------------------------------------------


def test_serves_preview_says_where_the_review_page_runs_and_nothing_when_none_runs(review):
    from translate_pipeline.publishing.server import _http

    said = []
    with _http(review.root / "_build" / "site", 0, said.append):
        port = int(re.search(r":(\d+)/", said[0]).group(1))

        def ask(host: str) -> tuple[int, str]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", PREVIEW_PATH, headers={"Host": host})
            response = connection.getresponse()
            return response.status, response.read().decode()

        status, body = ask(f"127.0.0.1:{port}")
        assert status == 200 and json.loads(body) == {"review": review.server.url}
        assert ask(f"attacker.example:{port}")[0] == 404  # a name pointing here is not the preview
        review.server.shutdown()
        for _ in range(100):
            if not state_path(review.root).exists():
                break
            threading.Event().wait(0.05)
        assert ask(f"127.0.0.1:{port}")[0] == 404


def test_a_mark_links_to_its_entry_through_go(review):
    from translate_pipeline.sphinx.marks import anchor_of

    status, headers, _ = review.get("go?" + urlencode({"path": "en/actualites.html", "anchor": anchor_of(MACHINE[1])}))
    assert status == 303
    assert parse_qs(urlsplit(headers["Location"]).query)["e"] == [ref(*MACHINE)]
    assert review.get("go?" + urlencode({"path": "en/nowhere.html", "anchor": "tp-0"}))[0] == 404
    status, headers, _ = review.get("go?" + urlencode({"path": "en/actualites.html", "section": "actualites"}))
    assert status == 303  # a marked title: by its section's id
    assert parse_qs(urlsplit(headers["Location"]).query)["e"] == [ref(*MACHINE)]
