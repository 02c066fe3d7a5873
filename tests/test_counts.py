"""One set of figures: the page banners, the status page, `status` and `status --json` agree."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest
from bs4 import BeautifulSoup
from conftest import copy_sample

from translate_pipeline.cli import run

STATES = ("reviewed", "machine", "stale", "untranslated")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The sample project, published (HTML only)."""
    project = copy_sample(tmp_path_factory.mktemp("counts") / "sample")
    assert run(["-C", str(project), "publish", "--quiet", "--no-pdf"]) == 0
    return project


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def banner_counts(page: Path) -> dict[str, int] | None:
    """The entries per state the page's banner gives; None without a banner."""
    banner = soup_of(page).find(id="tp-banner")
    if banner is None:
        return None
    text = " ".join(banner.get_text().split())
    reviewed, total = map(int, re.search(r"(?:Passages reviewed: |Passages relus\s?: )(\d+) (?:of|sur) (\d+)\.", text).groups())
    counts = {state: 0 for state in STATES}
    counts["reviewed"] = reviewed
    for state in STATES[1:]:
        shown = banner.find(class_=f"tp-count-{state}")
        counts[state] = int(re.search(r"\d+", shown.get_text()).group()) if shown else 0
    assert sum(counts.values()) == total, text
    return counts


@pytest.mark.slow
def test_banners_status_page_and_status_command_give_the_same_figures(published, capsys):
    capsys.readouterr()
    assert run(["-C", str(published), "status", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert run(["-C", str(published), "status"]) == 0
    table = capsys.readouterr().out
    sites = published / "_build" / "site"
    compared = 0
    for item in report["catalogs"]:
        language, domain = item["language"], item["domain"]
        expected = {state: item["entries"][state] for state in STATES}
        # the status page's row
        row = soup_of(sites / language / "translation-status.html").find("tr", attrs={"data-catalog": f"{language}/{domain}"})
        assert {cell["data-state"]: int(cell.get_text()) for cell in row.find_all("td", attrs={"data-state": True})} == expected
        assert int(row.find("td", attrs={"data-total": True})["data-total"]) == item["total_entries"]
        # the `status` table's line
        line = next(line.split() for line in table.splitlines() if line.startswith(f"{language}/{domain} "))
        assert [int(n) for n in line[1:5]] == [expected[s] for s in STATES]
        # the page's banner: the same entries, or no banner when all is reviewed
        counts = banner_counts(sites / language / f"{domain}.html")
        if counts is None:
            assert expected["reviewed"] == item["total_entries"], (language, domain)
        else:
            assert counts == expected, (language, domain)
            compared += 1
    assert compared >= 6


def test_a_message_repeated_on_a_page_counts_once(published):
    """The members' table of en/collectif repeats the year 2007: one entry of the catalog, one passage."""
    page = soup_of(published / "_build" / "site" / "en" / "collectif.html")
    cells = [cell for cell in page.find_all("td") if cell.get_text(strip=True) == "2007"]
    assert len(cells) > 1
    counts = banner_counts(published / "_build" / "site" / "en" / "collectif.html")
    po = polib.pofile(str(published / "locale" / "en" / "LC_MESSAGES" / "collectif.po"))
    assert [entry.msgid for entry in po].count("2007") == 1
    assert sum(counts.values()) == len([entry for entry in po if not entry.obsolete])
