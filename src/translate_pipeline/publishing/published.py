"""What the publish policy shows of each catalog, compiled for Sphinx.

For the language a site is built in, each catalog of that language becomes:

* ``ROOT/LANG/LC_MESSAGES/DOMAIN.mo``: exactly the translations the site
  shows. Reviewed ones always; machine drafts and stale ones when the policy
  says ``mark`` (they are fuzzy in the .po, so Sphinx alone would drop them);
* ``ROOT/LANG/LC_MESSAGES/DOMAIN.marks.json``: the state each message is
  shown in (``reviewed``, ``machine``, ``stale`` or ``untranslated``), the
  date the original of a stale one changed and the line of its entry;
* an entry of ``ROOT/LANG/marks.json``: a digest of both, and the catalog's path.

A translation that refers to what its source does not (a URL, a target, a
footnote, a directive: :func:`translate_pipeline.checks.references.compare`) is
not published as it is, whatever its state: the page shows the original,
marked not yet translated, and the report says which entry and why.

Sphinx's own i18n reads the .mo files (``locale_dirs = [ROOT]``); the
extension reads a page's marks to mark each paragraph, and compares digests
to read again exactly the documents whose published catalog changed. Files
are written only when their bytes change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalogs import catalog as cat
from ..catalogs.catalog import State
from ..files import atomic_write_bytes
from ..checks.references import Reader, compare
from ..project.settings import Policy

MARKS_FILE = "marks.json"
MARKS_SUFFIX = ".marks.json"
FORMAT = 3
WARNING_TYPE = "translate_pipeline.refused"  # Sphinx's way: TYPE.SUBTYPE


@dataclass(frozen=True)
class Refusal:
    """An entry whose translation is not published: it refers to what its source does not."""

    line: int | None  # of the entry in its catalog
    state: str  # the entry's state in the catalog
    msgid: str
    problems: tuple[str, ...]

    @property
    def message(self) -> str:
        return ("translation not published, the original is shown instead (marked not yet translated): "
                + "; ".join(self.problems))

    def location(self, path: str) -> str:
        return f"{path}:{self.line}" if self.line else path

    def warning(self, path: str) -> str:
        """The editor's warning, as Sphinx words its own: ``path:line: WARNING: ... [type]``."""
        return f"{self.location(path)}: WARNING: {self.message} [{WARNING_TYPE}]"


@dataclass
class Published:
    """One catalog as a site shows it."""

    translations: dict[str, str] = field(default_factory=dict)  # msgid -> msgstr shown
    marks: dict[str, tuple[str, str | None, int | None]] = field(default_factory=dict)  # msgid -> (state, since, line)
    refused: list[Refusal] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The entries per state shown: the one count of the pages' banners, of
        ``publish``'s report and of the status page's "Passages reviewed on the site"."""
        counts = dict.fromkeys(map(str, State), 0)
        for state, _since, _line in self.marks.values():
            counts[state] += 1
        return counts


def refusal(entry: cat.Entry, state: State, rest: bool = True, reader: Reader | None = None) -> Refusal | None:
    """Why ``entry``'s translation may not be published as it is; None when it may.

    ``rest``: the entry's page is reST (not Markdown); ``reader``: one for the catalog."""
    difference = compare(entry.msgid, entry.msgstr, rest, reader)
    if not difference:
        return None
    return Refusal(getattr(entry, "linenum", None), str(state), entry.msgid, difference.problems)


def refusals_of(catalog: cat.Catalog, rest: bool = True) -> dict[str, Refusal]:
    """msgid -> why its translation may not be published, for every translated entry of ``catalog``."""
    reader = Reader()
    found = {}
    for entry, state in catalog.states():
        refused = refusal(entry, state, rest, reader) if state is not State.UNTRANSLATED else None
        if refused is not None:
            found[entry.msgid] = refused
    return found


def refusals(path: Path, rest: bool = True) -> dict[str, Refusal]:
    """:func:`refusals_of` the catalog at ``path``, computed once per content of the file
    (``publish`` and ``status`` both ask)."""
    return cat.derived(path, "refusals:1" + ("" if rest else ":not-rest"), lambda catalog: refusals_of(catalog, rest))


def published(catalog: cat.Catalog, policy: Policy, refused: dict[str, Refusal] | None = None) -> Published:
    """What ``policy`` shows of each entry of ``catalog``.

    ``refused``: :func:`refusals_of` the catalog, when the caller has it."""
    result = Published()
    refused_here = refusals_of(catalog) if refused is None else refused
    for entry, state in catalog.states():
        shown = state
        if state is State.MACHINE and policy.machine != "mark":
            shown = State.UNTRANSLATED
        elif state is State.STALE and policy.stale != "mark":
            shown = State.UNTRANSLATED
        refused = refused_here.get(entry.msgid) if shown is not State.UNTRANSLATED else None
        if refused is not None:
            result.refused.append(refused)
            shown = State.UNTRANSLATED
        if shown is not State.UNTRANSLATED:
            result.translations[entry.msgid] = entry.msgstr
        since = cat.stale_since(entry) if shown is State.STALE else None
        result.marks[entry.msgid] = (str(shown), since, getattr(entry, "linenum", None))
    return result


def _compile(
    catalog: cat.Catalog, policy: Policy, language: str, refused: dict[str, Refusal] | None = None
) -> tuple[bytes, bytes, str, dict[str, int], list[Refusal]]:
    """The .mo bytes, the marks file's bytes, their digest, the entries per state shown
    and the translations refused."""
    shown = published(catalog, policy, refused)
    data = cat.mo_bytes(shown.translations, language)
    entries = {msgid: list(mark) for msgid, mark in shown.marks.items()}
    marks = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return data, marks, hashlib.sha256(data + marks).hexdigest()[:20], shown.counts(), shown.refused


def shown_counts(path: Path, policy: Policy, rest: bool = True) -> dict[str, int]:
    """The entries of the catalog at ``path`` per state its pages show them in
    (what their banners count), computed once per content of the file."""
    fact = f"shown:1:{policy.machine}:{policy.stale}" + ("" if rest else ":not-rest")
    return cat.derived(path, fact, lambda catalog: published(catalog, policy, refusals(path, rest)).counts())


@dataclass
class CompileReport:
    language: str
    domains: int = 0
    written: list[str] = field(default_factory=list)  # domains whose .mo changed
    removed: list[str] = field(default_factory=list)  # domains whose catalog is gone
    shown: dict[str, int] = field(default_factory=lambda: dict.fromkeys(map(str, State), 0))
    refused: dict[str, list[Refusal]] = field(default_factory=dict)  # catalog path -> its refused entries

    def warnings(self) -> list[str]:
        """One warning per refused translation, naming its catalog and line."""
        return [r.warning(path) for path, refused in self.refused.items() for r in refused]

    def refused_list(self) -> list[dict[str, Any]]:
        """The refused translations as plain data (``--json``)."""
        return [
            {"catalog": path, "line": r.line, "state": r.state, "msgid": r.msgid, "problems": list(r.problems)}
            for path, refused in self.refused.items() for r in refused
        ]


def compile_language(
    catalog_dirs: list[Path], root: Path, language: str, policy: Policy, name: Callable[[Path], str] = str,
    not_rest: Collection[str] = (),
) -> CompileReport:
    """Compile every catalog of ``language`` found in ``catalog_dirs`` under ``root``.

    ``name`` writes a catalog's path in the report (relative to the project);
    ``not_rest``: the domains whose pages are not reST (Markdown).

    A domain found in several directories is taken from the first. Raises
    CatalogError on a malformed catalog, before anything is written.
    """
    report = CompileReport(language)
    sources: dict[str, Path] = {}
    for directory in catalog_dirs:
        for domain, path in cat.iter_catalogs(directory):
            sources.setdefault(domain, path)
    fact = f"published:{FORMAT}:refusals-1:{language}:{policy.machine}:{policy.stale}"
    facts = {
        domain: cat.derived(path, fact + (":not-rest" if domain in not_rest else ""),
                            lambda catalog, path=path, rest=domain not in not_rest:
                                _compile(catalog, policy, language, refusals(path, rest)))
        for domain, path in sorted(sources.items())
    }

    out = root / language / "LC_MESSAGES"
    domains: dict[str, str] = {}
    paths = {domain: name(path) for domain, path in sources.items()}
    for domain, (data, marks, digest, counts, refused) in facts.items():
        if refused:
            report.refused[paths[domain]] = refused
        if write_if_changed(out / f"{domain}.mo", data):
            report.written.append(domain)
        write_if_changed(out / f"{domain}{MARKS_SUFFIX}", marks)
        domains[domain] = digest
        for state, count in counts.items():
            report.shown[state] += count
    report.domains = len(domains)
    if out.is_dir():
        for path in sorted([*out.rglob("*.mo"), *out.rglob(f"*{MARKS_SUFFIX}")]):
            rel = path.relative_to(out).as_posix()
            domain = rel.removesuffix(MARKS_SUFFIX).removesuffix(".mo")
            if domain not in domains:
                path.unlink()
                if rel.endswith(".mo"):
                    report.removed.append(domain)
    index = {"format": FORMAT, "language": language, "domains": domains,
             "catalogs": {domain: paths[domain] for domain in domains}}
    text = json.dumps(index, ensure_ascii=False, sort_keys=True, indent=0)
    write_if_changed(root / language / MARKS_FILE, text.encode("utf-8"))
    return report


# -- reading (the Sphinx extension) --------------------------------------------

_loaded: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def _read_json(path: Path) -> Any:
    """The file's JSON, kept in memory while the file does not change (each
    document read does not parse it again); None when missing or damaged."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _loaded.get(path)
    if cached and cached[0] == key:
        return cached[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    _loaded[path] = (key, data)
    return data


def load_marks(root: Path, language: str) -> dict[str, str] | None:
    """domain -> digest of what is published of it; None if never compiled."""
    data = _read_json(Path(root) / language / MARKS_FILE)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data.get("domains", {})


def load_catalog_paths(root: Path, language: str) -> dict[str, str]:
    """domain -> the path of its catalog, as the editor knows it (empty if never compiled)."""
    data = _read_json(Path(root) / language / MARKS_FILE)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    return data.get("catalogs", {})


def load_entries(root: Path, language: str, domain: str) -> dict[str, list]:
    """msgid -> [state, since, line in the catalog] of one domain (empty if never compiled)."""
    data = _read_json(Path(root) / language / "LC_MESSAGES" / f"{domain}{MARKS_SUFFIX}")
    return data if isinstance(data, dict) else {}


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` (temporary file, then rename) unless ``path`` holds it already.

    An unchanged file keeps its modification time, so nothing depending on it
    is redone. Returns True when the file was written.
    """
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write_bytes(path, data)
    return True
