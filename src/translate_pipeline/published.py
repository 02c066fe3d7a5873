"""What the publish policy shows of each catalog, compiled for Sphinx.

For the language a site is built in, each catalog of that language becomes:

* ``ROOT/LANG/LC_MESSAGES/DOMAIN.mo``: exactly the translations the site
  shows. Reviewed ones always; machine drafts and stale ones when the policy
  says ``mark`` (they are fuzzy in the .po, so Sphinx alone would drop them);
* an entry of ``ROOT/LANG/marks.json``: the state each message is shown in
  (``reviewed``, ``machine``, ``stale`` or ``untranslated``), the date the
  original of a stale one changed, and a digest of the domain.

Sphinx's own i18n reads the .mo files (``locale_dirs = [ROOT]``); the
extension reads marks.json to mark each paragraph, and compares digests to
read again exactly the documents whose published catalog changed. Files are
written only when their bytes change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import catalog as cat
from .catalog import State
from .files import atomic_write_bytes
from .settings import Policy

MARKS_FILE = "marks.json"
FORMAT = 1


@dataclass
class Published:
    """One catalog as a site shows it."""

    translations: dict[str, str] = field(default_factory=dict)  # msgid -> msgstr shown
    marks: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # msgid -> (state, since)


def published(catalog: cat.Catalog, policy: Policy) -> Published:
    """What ``policy`` shows of each entry of ``catalog``."""
    result = Published()
    for entry, state in catalog.states():
        shown = state
        if state is State.MACHINE and policy.machine != "mark":
            shown = State.UNTRANSLATED
        elif state is State.STALE and policy.stale != "mark":
            shown = State.UNTRANSLATED
        if shown is not State.UNTRANSLATED:
            result.translations[entry.msgid] = entry.msgstr
        since = cat.stale_since(entry) if shown is State.STALE else None
        result.marks[entry.msgid] = (str(shown), since)
    return result


def _compile(catalog: cat.Catalog, policy: Policy, language: str) -> tuple[bytes, dict[str, list], str]:
    """The .mo bytes, the marks (msgid -> [state, since]) and their digest."""
    shown = published(catalog, policy)
    data = cat.mo_bytes(shown.translations, language)
    entries = {msgid: list(mark) for msgid, mark in shown.marks.items()}
    digest = hashlib.sha256(data + json.dumps(entries, sort_keys=True).encode()).hexdigest()
    return data, entries, digest[:20]


@dataclass
class CompileReport:
    language: str
    domains: int = 0
    written: list[str] = field(default_factory=list)  # domains whose .mo changed
    removed: list[str] = field(default_factory=list)  # domains whose catalog is gone
    shown: dict[str, int] = field(default_factory=lambda: dict.fromkeys(map(str, State), 0))


def compile_language(
    catalog_dirs: list[Path], root: Path, language: str, policy: Policy
) -> CompileReport:
    """Compile every catalog of ``language`` found in ``catalog_dirs`` under ``root``.

    A domain found in several directories is taken from the first. Raises
    CatalogError on a malformed catalog, before anything is written.
    """
    report = CompileReport(language)
    sources: dict[str, Path] = {}
    for directory in catalog_dirs:
        for domain, path in cat.iter_catalogs(directory):
            sources.setdefault(domain, path)
    name = f"published:{FORMAT}:{language}:{policy.machine}:{policy.stale}"
    facts = {
        domain: cat.derived(path, name, lambda catalog: _compile(catalog, policy, language))
        for domain, path in sorted(sources.items())
    }

    out = root / language / "LC_MESSAGES"
    domains: dict[str, Any] = {}
    for domain, (data, entries, digest) in facts.items():
        if write_if_changed(out / f"{domain}.mo", data):
            report.written.append(domain)
        domains[domain] = {"digest": digest, "entries": entries}
        for state, _since in entries.values():
            report.shown[state] += 1
    report.domains = len(domains)
    if out.is_dir():
        for path in sorted(out.rglob("*.mo")):
            domain = path.relative_to(out).with_suffix("").as_posix()
            if domain not in domains:
                path.unlink()
                report.removed.append(domain)
    marks = {"format": FORMAT, "language": language, "domains": domains}
    text = json.dumps(marks, ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # no indent: json then uses its fast encoder
    write_if_changed(root / language / MARKS_FILE, text.encode("utf-8"))
    return report


# -- reading (the Sphinx extension) --------------------------------------------

_loaded: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def load_marks(root: Path, language: str) -> dict[str, Any] | None:
    """domain -> {"digest", "entries": {msgid: [state, since]}}; None if never compiled.

    Kept in memory while the file does not change, so each document read
    does not parse it again.
    """
    path = Path(root) / language / MARKS_FILE
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
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    domains = data.get("domains", {})
    _loaded[path] = (key, domains)
    return domains


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
