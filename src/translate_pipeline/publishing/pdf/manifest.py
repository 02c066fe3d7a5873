"""What each PDF was made from (``pdf.json``), and the hash of what a print page shows.

A PDF or a page's part is made again only when the hash of what it shows
changed (:mod:`translate_pipeline.publishing.pdf.build` decides, with these).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

from ...files import atomic_write, relative


class Manifest:
    """What each PDF and part was made from (``pdf.json``)."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        data = data if isinstance(data, dict) else {}
        self.files: dict[str, str] = dict(data.get("files", {}))  # PDFs of the sites -> digest
        self.parts: dict[str, list[Any]] = dict(data.get("parts", {}))  # LANG/docname -> [digest, pages]
        self.covers: dict[str, int] = dict(data.get("covers", {}))
        if data.get("key") != key:  # other stylesheets, settings or tool: no PDF is as it would be now
            self.files = dict.fromkeys(self.files, "")
            self.parts = {}
        self.inputs: dict[str, list[Any]] = data.get("inputs", {})

    def holds(self, sites_dir: Path, output: str, digest: str) -> bool:
        return self.files.get(relative_to(Path(output), sites_dir)) == digest and Path(output).is_file()

    def remember(self, sites_dir: Path, output: str, digest: str) -> None:
        self.files[relative_to(Path(output), sites_dir)] = digest

    def forget(self, sites_dir: Path, output: str) -> None:
        self.files.pop(relative_to(Path(output), sites_dir), None)

    def part(self, language: str, docname: str) -> str | None:
        return (self.parts.get(f"{language}/{docname}") or [None])[0]

    def remember_part(self, language: str, docname: str, digest: str, pages: int) -> None:
        self.parts[f"{language}/{docname}"] = [digest, pages]

    def forget_part(self, language: str, docname: str) -> None:
        self.parts.pop(f"{language}/{docname}", None)

    def cover_pages(self, language: str) -> int:
        return int(self.covers.get(language, 1))

    def remember_cover(self, language: str, pages: int) -> None:
        self.covers[language] = pages

    def keep_only(self, sites_dir: Path, folder: Path, wanted: set[str]) -> int:
        """Delete the PDFs made before in ``folder`` that are not wanted any more."""
        prefix = relative_to(folder, sites_dir) + "/"
        keep = {relative_to(Path(output), sites_dir) for output in wanted}
        removed = 0
        for name in [n for n in self.files if n.startswith(prefix) and n not in keep]:
            del self.files[name]
            path = sites_dir / name
            if path.is_file():
                path.unlink()
                removed += 1
        return removed

    def keep_parts(self, work: Path, language: str, wanted: set[str]) -> None:
        """Delete the parts of pages gone."""
        for name in [n for n in self.parts if n.startswith(language + "/") and n.split("/", 1)[1] not in wanted]:
            del self.parts[name]
        folder = work / "parts" / language
        for path in folder.rglob("*") if folder.is_dir() else ():
            if path.suffix in (".pdf", ".json") and path.relative_to(folder).with_suffix("").as_posix() not in wanted:
                path.unlink()

    def save(self) -> None:
        data = {"key": self.key, "files": self.files, "parts": self.parts, "covers": self.covers,
                "inputs": self.inputs}
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))


# -- what a PDF is made from ------------------------------------------------------------


class Contents:
    """The hash of what a print page shows, read again only when its file changed."""

    def __init__(self, root: Path, known: dict[str, list[Any]]) -> None:
        self.root = root
        self.known = known
        self.seen: set[str] = set()
        self.files: dict[str, bytes] = {}  # the hash of each stylesheet and image, read once a run

    def __call__(self, path: Path, base: Path) -> str:
        name = relative_to(path, self.root)
        self.seen.add(name)
        stat = path.stat()
        known = self.known.get(name)
        if known and known[0] == stat.st_mtime_ns and known[1] == stat.st_size:
            return known[2]
        digest = _print_digest(path, base, self.files)
        self.known[name] = [stat.st_mtime_ns, stat.st_size, digest]
        return digest

    def forget_others(self) -> None:
        for name in [n for n in self.known if n not in self.seen]:
            del self.known[name]


def _print_digest(path: Path, base_page: Path, files: dict[str, bytes]) -> str:
    """The print page's text, with what its images and stylesheets hold (relative to the built page)."""
    import tinyhtml5

    data = path.read_bytes()
    digest = hashlib.sha256(data)
    base = base_page.resolve().as_uri()
    root = tinyhtml5.parse(data, namespace_html_elements=False)
    for element in root.iter():
        if element.tag == "img":
            digest.update(_file_digest(urljoin(base, element.get("src") or ""), files))
        elif element.tag == "link" and "stylesheet" in (element.get("rel") or ""):
            digest.update(_file_digest(urljoin(base, element.get("href") or ""), files))
    return digest.hexdigest()


def _file_digest(url: str, files: dict[str, bytes]) -> bytes:
    """What a stylesheet or image holds (not its address: Sphinx adds ``?v=`` as it likes)."""
    if not url.startswith("file:"):
        return url.encode()
    source = unquote(urlparse(url).path)
    if source not in files:
        try:
            files[source] = hashlib.sha256(Path(source).read_bytes()).digest()
        except OSError:
            files[source] = b"-"
    return files[source]


def relative_to(path: Path, root: Path) -> str:
    return relative(path.resolve(), root.resolve())
