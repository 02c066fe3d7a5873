"""Where a project's pieces are and how the tool is set up for it.

Settings come, in this order of precedence, from the command line
(``--set KEY=VALUE``), ``[tool.translate-pipeline]`` in ``pyproject.toml``
(next to ``conf.py`` or in a folder above it, up to the repository's root),
the project's ``conf.py`` (language, locale_dirs, gettext_compact, ...) and
the defaults below. Secrets never live here: they come from the environment.

The direction is found, not guessed: the source language is ``conf.py``'s
``language`` as Sphinx reads it (none: English) unless the settings name it;
the target languages, unless set, are those the catalogs on disk translate
into. When the catalogs on disk contradict ``conf.py``, the project is
refused with the setting to write (:mod:`translate_pipeline.project.direction`).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tomllib
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from ..errors import SettingsError

PYPROJECT = "pyproject.toml"
SECTION = "tool.translate-pipeline"
CACHE_DIR = "_build/translate-pipeline"


@dataclass(frozen=True)
class Policy:
    """What may be published, and what ``status --check`` requires."""

    min_reviewed: float = 0.0  # percent of words reviewed, per site
    max_stale: int | None = None  # stale entries allowed (None: any)
    max_untranslated: int | None = None
    machine: str = "mark"  # "mark": show drafts marked; "source": show the original
    stale: str = "mark"  # "mark": show last reviewed translation marked; "source"
    page_threshold: float = 0.0  # percent reviewed under which a page is replaced by a notice
    banner: bool = True  # a page not fully reviewed opens with a banner (counts, link to the original)


@dataclass(frozen=True)
class PdfOptions:
    """The PDFs ``publish`` makes (``[tool.translate-pipeline.pdf]``)."""

    enabled: bool = True  # false: HTML only, the pages link to no PDF
    pages: bool = True  # one PDF per page, next to its HTML page
    site: bool = True  # one PDF per language for the whole site
    paper: str = "A4"  # a CSS page size: "A4", "letter", "A5", ...
    timeout: float = 120.0  # seconds one PDF may take to make (a page, or putting a whole site together); 0: no limit


@dataclass(frozen=True)
class Settings:
    source_language: str = "fr"
    target_languages: tuple[str, ...] = ("en",)
    source_dir: str = "source"
    locale_dir: str = "locale"
    stale_match_threshold: float = 0.7
    engines: tuple[str, ...] = ("memory",)
    glossary: str = "glossary/fr-en.csv"
    deepl_target_variant: str = "EN-GB"
    wrap_width: int | None = None  # catalogs sync writes: wrapped at this width, 0: unwrapped; None: as found
    locations_relative_to: str = ""  # "#:" paths written from this folder ("_build/gettext"); "": as found
    policy: Policy = field(default_factory=Policy)
    pdf: PdfOptions = field(default_factory=PdfOptions)

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.source_language, *self.target_languages)


@dataclass(frozen=True)
class Project:
    """A project on disk: its root, its sources per language, its settings."""

    root: Path
    settings: Settings
    conf: dict[str, Any]  # the names conf.py defines
    sources: dict[str, Path]  # language -> directory of documents written in it
    adopted: bool  # True when the sources are the Sphinx source dir itself

    @property
    def locale_root(self) -> Path:
        return self.root / self.settings.locale_dir

    def catalog_dir(self, language: str) -> Path:
        return self.locale_root / language / "LC_MESSAGES"

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    @property
    def conf_path(self) -> Path:
        return self.root / "conf.py"

    def targets_of(self, language: str) -> list[str]:
        """Languages that documents written in ``language`` are translated into."""
        return [lang for lang in self.settings.languages if lang != language]

    @property
    def gettext_compact(self) -> bool | str:
        return self.conf.get("gettext_compact", True)

    @property
    def project_name(self) -> str:
        return str(self.conf.get("project", self.root.name))


def _check_language(code: str, where: str) -> str:
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise SettingsError(
            f"{where}: unknown language {code!r}; use a language code such as 'fr' or 'en'"
        ) from None
    return code


def read_conf(root: Path) -> dict[str, Any]:
    """Run ``conf.py`` as Sphinx does and return the names it defines."""
    from sphinx.config import eval_config_file
    from sphinx.errors import ConfigError
    from sphinx.util.tags import Tags

    conf_path = root / "conf.py"
    if not conf_path.is_file():
        raise SettingsError(
            f"{root}: no conf.py here; run the tool in a Sphinx project (or give -C DIR)"
        )
    try:
        # What conf.py prints is not the command's output (``--json`` on stdout).
        with contextlib.redirect_stdout(sys.stderr):
            namespace = eval_config_file(conf_path, Tags())
    except ConfigError as error:
        raise SettingsError(_conf_failure(conf_path, error)) from None
    return {k: v for k, v in namespace.items() if not k.startswith("__") and k != "tags"}


def _conf_failure(conf_path: Path, error: Exception) -> str:
    cause = error.__cause__ or error
    line = None
    for frame in traceback.extract_tb(cause.__traceback__):
        if Path(frame.filename).resolve() == conf_path.resolve():
            line = frame.lineno
    if isinstance(cause, SyntaxError):
        line = cause.lineno
    where = f"{conf_path}:{line}" if line else str(conf_path)
    if isinstance(cause, ModuleNotFoundError):
        return (
            f"{where}: conf.py imports {cause.name!r}, which is not installed; "
            "install it in this environment (pip install ...) or remove the import"
        )
    what = f"{type(cause).__name__}: {cause}" if cause is not error else str(error).strip()
    return f"{where}: conf.py failed to run ({what.splitlines()[0]}); fix conf.py and run again"


def _read_pyproject(path: Path) -> dict[str, Any] | None:
    """The ``[tool.translate-pipeline]`` table of ``path`` (None: the file has none)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise SettingsError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at (?:line (\d+), column \d+|end of document)\)", str(error))
        what = str(error)[: match.start()].strip() if match else str(error)
        line = match.group(1) or len(path.read_text(encoding="utf-8").splitlines()) if match else None
        where = f"{path}:{line}" if line else str(path)
        raise SettingsError(f"{where}: {what}; fix the TOML syntax") from None
    table = data.get("tool", {}).get("translate-pipeline")
    return table if isinstance(table, dict) else None


REPOSITORY_MARKERS = (".git", ".hg", ".svn")  # a folder holding one is a repository's root
PATH_SETTINGS = ("source_dir", "locale_dir", "glossary")  # relative to the file that sets them


def find_settings(root: Path) -> tuple[Path, dict[str, Any]]:
    """The ``pyproject.toml`` holding the project's settings, and its table.

    As tools that read ``pyproject.toml`` do: the first one with a
    ``[tool.translate-pipeline]`` table, from the folder of ``conf.py`` up to
    the repository's root (the docs of a repository often live in ``docs/``
    below the repository's ``pyproject.toml``). None found: ``root``'s
    (which may not exist) and no settings.
    """
    for folder in (root, *root.parents):
        path = folder / PYPROJECT
        if path.is_file():
            table = _read_pyproject(path)
            if table is not None:
                return path, _paths_from(table, folder, root)
        if any((folder / marker).exists() for marker in REPOSITORY_MARKERS):
            break
    return root / PYPROJECT, {}


def _paths_from(table: dict[str, Any], folder: Path, root: Path) -> dict[str, Any]:
    """``table`` with its paths made relative to ``root`` instead of ``folder``."""
    if folder == root:
        return table
    table = dict(table)
    for name in PATH_SETTINGS:
        value = table.get(name)
        if isinstance(value, str) and not Path(value).is_absolute():
            table[name] = os.path.relpath(folder / value, root)
    return table


def _coerce(name: str, value: Any, default: Any, where: str) -> Any:
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(f"{where}: '{name}' must be a list of strings")
        return tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(f"{where}: '{name}' must be true or false")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsError(f"{where}: '{name}' must be a number")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise SettingsError(f"{where}: '{name}' must be a string")
        return value
    if default is None or isinstance(default, int):  # optional counts
        if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            return value
        raise SettingsError(f"{where}: '{name}' must be a whole number ≥ 0")
    return value


def _build(cls: type, raw: dict[str, Any], where: Callable[[str], str], prefix: str = "") -> Any:
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for name, value in raw.items():
        key = name.replace("-", "_")
        if key not in known:
            raise SettingsError(
                f"{where(prefix + name)}: unknown setting {name!r} (known: {', '.join(sorted(known))})"
            )
        if key in TABLES:
            if key == "pdf" and isinstance(value, bool):  # pdf = false: the short way
                value = {"enabled": value}
            if not isinstance(value, dict):
                raise SettingsError(f"{where(prefix + name)}: '{key}' must be a table")
            values[key] = _build(TABLES[key], value, where, f"{prefix}{key}.")
            continue
        default = known[key].default
        values[key] = _coerce(name, value, default, where(prefix + name))
    return cls(**values)


TABLES = {"policy": Policy, "pdf": PdfOptions}  # settings that are tables of their own


class _Where:
    """Where each setting was written, for messages: ``pyproject.toml:LINE`` or ``--set 'KEY=VALUE'``."""

    def __init__(self, root: Path, path: Path | None = None) -> None:
        self.path = path or root / PYPROJECT
        self.overrides: dict[str, str] = {}  # dotted key -> the --set item
        self.lines: dict[str, int] = {}  # dotted key -> its line in pyproject.toml
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeError):
            return
        table = None
        for number, line in enumerate(text.splitlines(), 1):
            header = re.match(r"\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$", line)
            if header:
                table = header.group(1).replace('"', "")
                continue
            key = re.match(r"\s*([A-Za-z0-9_.-]+)\s*=", line)
            if key and table is not None and (table == SECTION or table.startswith(SECTION + ".")):
                prefix = table[len(SECTION) + 1:]
                self.lines.setdefault(f"{prefix}.{key.group(1)}" if prefix else key.group(1), number)

    def __call__(self, key: str = "") -> str:
        key = key.replace("-", "_")
        for known, item in self.overrides.items():
            known = known.replace("-", "_")
            if known == key or known.startswith(key + ".") or key.startswith(known + "."):  # or the whole table
                return f"--set {item!r}"
        for known, line in self.lines.items():
            if known.replace("-", "_") == key:
                return f"{self.path}:{line}"
        parent = key.rpartition(".")[0]
        if parent and parent in {k.replace("-", "_") for k in self.lines}:
            return self(parent)
        return f"{self.path} [{SECTION}" + (f".{parent}" if parent else "") + "]"


def _apply_overrides(raw: dict[str, Any], overrides: list[str], where: _Where | None = None) -> dict[str, Any]:
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.items()}
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"--set {item!r}: write it as KEY=VALUE, e.g. --set policy.max_stale=0")
        if where is not None:
            where.overrides[key.strip()] = item
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text  # a bare word is a string
        target = merged
        *parents, last = key.strip().split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
            if not isinstance(target, dict):
                raise SettingsError(f"--set {item!r}: {parent!r} is not a table")
        target[last] = value
    return merged


def _conf_locale_dir(root: Path, value: Any) -> str:
    """The catalogs' folder from conf.py's ``locale_dirs``, which Sphinx reads as a list of folders."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str | os.PathLike) for v in value):
        return str(value[0])
    conf_path = root / "conf.py"
    line = None
    with contextlib.suppress(OSError, UnicodeError):
        for number, text in enumerate(conf_path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*locale_dirs\s*[:=]", text):
                line = number
    where = f"{conf_path}:{line}" if line else str(conf_path)
    raise SettingsError(
        f"{where}: locale_dirs must be a list of folders, e.g. locale_dirs = [{str(value)!r}] "
        f"(Sphinx reads {value!r} letter by letter); write it as a list and run again"
    )


def _inside(root: Path, value: str, where: str, name: str, within: Path | None = None) -> None:
    """A relative folder setting must stay inside the project (an absolute path may go anywhere);
    ``within``: the folder it must stay in, when not the project's."""
    if Path(value).is_absolute():
        return
    resolved = (root / value).resolve()
    within = within or root
    if resolved != within and within not in resolved.parents:
        raise SettingsError(
            f"{where}: '{name}' = {value!r} is outside the project ({resolved}); give a folder inside "
            f"{root}, or an absolute path if the files really belong elsewhere"
        )


def load_project(root: Path | str = ".", overrides: list[str] | None = None) -> Project:
    """Find the project at ``root`` and read its settings; raise SettingsError."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise SettingsError(f"{root}: no such directory")
    conf = read_conf(root)
    pyproject, table = find_settings(root)
    where = _Where(root, pyproject)
    raw = _apply_overrides(table, overrides or [], where)
    if "locale_dir" not in raw and conf.get("locale_dirs"):
        raw["locale_dir"] = _conf_locale_dir(root, conf["locale_dirs"])
    elif "locale_dir" in raw and isinstance(raw["locale_dir"], str):
        # Inside the project, or inside the folder of the pyproject.toml above it that sets it.
        _inside(root, raw["locale_dir"], where("locale_dir"), "locale_dir",
                within=pyproject.parent if pyproject.parent in root.parents else root)
    if "source_language" not in raw or "target_languages" not in raw:
        from .direction import find_direction

        locale_dir = raw.get("locale_dir", Settings.locale_dir)
        layout = root / str(raw.get("source_dir", Settings.source_dir))
        folders = frozenset(p.name for p in layout.iterdir() if p.is_dir()) if layout.is_dir() else frozenset()
        found = find_direction(root, conf, root / str(locale_dir), raw.get("source_language"),
                               raw.get("target_languages"), pyproject, folders)
        raw.setdefault("source_language", found.source)
        raw.setdefault("target_languages", list(found.targets))
    settings = _build(Settings, raw, where)
    _check_language(settings.source_language, where("source_language"))
    for lang in settings.target_languages:
        _check_language(lang, where("target_languages"))
    if settings.source_language in settings.target_languages:
        raise SettingsError(f"{where('target_languages')}: the source language cannot also be a target language")
    if not 0 < settings.stale_match_threshold <= 1:
        raise SettingsError(f"{where('stale_match_threshold')}: 'stale_match_threshold' must be between 0 and 1")
    for name in ("machine", "stale"):
        if getattr(settings.policy, name) not in ("mark", "source"):
            raise SettingsError(f"{where('policy.' + name)}: policy '{name}' must be \"mark\" or \"source\"")
    if not 0 <= settings.policy.page_threshold <= 100:
        raise SettingsError(f"{where('policy.page_threshold')}: policy 'page_threshold' must be a percentage "
                            "between 0 and 100")
    if settings.pdf.timeout < 0:
        raise SettingsError(f"{where('pdf.timeout')}: pdf 'timeout' must be a number of seconds ≥ 0 (0: no limit)")
    if not settings.pdf.paper.strip():
        raise SettingsError(f"{where('pdf.paper')}: pdf 'paper' must be a page size such as \"A4\" or \"letter\"")

    source_base = root / settings.source_dir
    sources = {
        lang: source_base / lang for lang in settings.languages if (source_base / lang).is_dir()
    }
    adopted = False
    if settings.source_language not in sources:
        if sources or source_base.is_dir():
            raise SettingsError(
                f"{source_base / settings.source_language}: missing; the pages written in "
                f"'{settings.source_language}' belong there (or set source_language)"
            )
        # An existing Sphinx project: its pages sit next to conf.py.
        sources = {settings.source_language: root}
        adopted = True
    return Project(root=root, settings=settings, conf=conf, sources=sources, adopted=adopted)
