"""The site being built: its settings, the language of each page, links across sites.

The sites of a project are sibling folders named by language (``fr/``,
``en/``) with the same page paths, so the same page in another language is
always ``../`` up to the sites' folder, then ``LANG/`` and the same path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain

from ..compat import sphinx as sphinx_compat
from ..publishing import published
from ..catalogs.envdata import PerDocument
from ..catalogs.status import Tally

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

PREFIX = "translate_pipeline_"
COMPILED_DIR = "translate-pipeline-mo"  # in the doctree folder, when no locale dir is given


def setting(config: Config, name: str) -> Any:
    return getattr(config, PREFIX + name)


def wording(config: Config) -> Any:
    """What this site says to readers, in its language and its readers' locale."""
    from ..wording import Wording

    locales = setting(config, "locales") or {}
    return Wording(config.language, locales.get(config.language))


# -- configuration -------------------------------------------------------------


def resolve_config(app: Sphinx, config: Config) -> None:
    """Fill the settings left unset from the project's [tool.translate-pipeline].

    Runs at ``config-inited``, before Sphinx compares this configuration with
    the one of the previous build, so what is set here is the same each run.
    """
    unset = [n for n in ("source_language", "languages", "machine", "stale", "page_threshold", "banner", "locales")
             if setting(config, n) is None]
    if unset:
        settings = _project_settings(app)
        values = {
            "source_language": settings.source_language,
            "languages": list(settings.languages),
            "machine": settings.policy.machine,
            "stale": settings.policy.stale,
            "page_threshold": settings.policy.page_threshold,
            "banner": settings.policy.banner,
            "locales": reader_locales(settings),
        }
        for name in unset:
            setattr(config, PREFIX + name, values[name])
    for name in ("machine", "stale"):
        if setting(config, name) not in ("mark", "source"):
            from sphinx.errors import ConfigError

            raise ConfigError(f'{PREFIX}{name} must be "mark" or "source", not {setting(config, name)!r}')
    if not setting(config, "locale_dir"):
        _compile_project_catalogs(app, config)


def reader_locales(settings: Any) -> dict[str, str]:
    """The locale of each site's readers: the language, or its variant in the settings (``en_GB``)."""
    from ..wording import reader_locale

    return {lang: reader_locale(lang, [settings.deepl_target_variant]) for lang in settings.languages}


def _project_settings(app: Sphinx) -> Any:
    from ..errors import PipelineError
    from ..project.settings import Settings, load_project

    if app.confdir and (Path(app.confdir) / "conf.py").is_file():
        try:
            return load_project(app.confdir).settings
        except PipelineError as error:
            logger.warning("%s; using the default settings", error, type="translate_pipeline", subtype="settings")
    return Settings()


def _compile_project_catalogs(app: Sphinx, config: Config) -> None:
    """Without ``translate-pipeline publish``: compile what the policy shows ourselves."""
    from sphinx.errors import ConfigError

    from ..errors import PipelineError
    from ..project.settings import Policy

    language = config.language
    if not language or language == setting(config, "source_language") and not setting(config, "document_languages"):
        return
    dirs = [Path(app.srcdir, d) / language / "LC_MESSAGES" for d in config.locale_dirs]
    dirs = [d for d in dirs if d.is_dir()]
    if not dirs:
        return
    root = Path(app.doctreedir) / COMPILED_DIR
    policy = Policy(machine=setting(config, "machine"), stale=setting(config, "stale"))
    try:
        report = published.compile_language(dirs, root, language, policy, name=lambda path: _relative(path, app),
                                            not_rest=_not_rest_domains(app, config))
    except PipelineError as error:
        raise ConfigError(f"translate_pipeline: {error}") from None
    for path, refused in report.refused.items():
        for entry in refused:
            logger.warning(entry.message, location=entry.location(path), type="translate_pipeline", subtype="refused")
    config.locale_dirs = [str(root)]
    setattr(config, PREFIX + "locale_dir", str(root))


def _not_rest_domains(app: Sphinx, config: Config) -> frozenset[str]:
    """The catalogs of pages read by another parser than reST's (Markdown)."""
    suffixes = dict(getattr(app.registry, "source_suffix", {}))
    if isinstance(config.source_suffix, dict):
        suffixes.update(config.source_suffix)
    other = [suffix for suffix, kind in suffixes.items() if kind not in (None, "restructuredtext")]
    srcdir = Path(app.srcdir)
    return frozenset(
        docname_to_domain(path.relative_to(srcdir).as_posix()[: -len(suffix)], config.gettext_compact)
        for suffix in other for path in srcdir.rglob(f"*{suffix}") if path.is_file()
    )


def _relative(path: Path, app: Sphinx) -> str:
    """A catalog's path as the editor knows it: relative to the folder of conf.py when inside it."""
    try:
        return path.relative_to(app.confdir).as_posix()
    except ValueError:
        return str(path)


# -- the build -----------------------------------------------------------------


def active(env: BuildEnvironment) -> bool:
    """Only in builds that translate: builders collecting messages (gettext) see the originals."""
    builder_cls = sphinx_compat.builder_class(env)
    return builder_cls is None or bool(getattr(builder_cls, "use_message_catalog", True))


def current_docname(env: BuildEnvironment) -> str:
    current = getattr(env, "current_document", None)
    return current.docname if current is not None else env.docname


def document_language(config: Config, docname: str) -> str:
    """The language a page is written in."""
    return setting(config, "document_languages").get(docname) or setting(config, "source_language")


def domain_digest(config: Config, docname: str) -> str | None:
    """The digest of what is published of a translated page's catalog; None if original."""
    if document_language(config, docname) == config.language:
        return None
    root = setting(config, "locale_dir")
    digests = published.load_marks(Path(root), config.language) if root else None
    return (digests or {}).get(docname_to_domain(docname, config.gettext_compact)) or ""


def domain_marks(config: Config, docname: str) -> dict[str, Any] | None:
    """How the messages of a translated page are shown: {"digest", "entries"}; None if original."""
    digest = domain_digest(config, docname)
    if digest is None:
        return None
    root = setting(config, "locale_dir")
    domain = docname_to_domain(docname, config.gettext_compact)
    entries = published.load_entries(Path(root), config.language, domain) if root and digest else {}
    return {"digest": digest, "entries": entries}


# -- what is kept between builds: one record per page ---------------------------


@dataclass
class PageRecord(Tally):
    """A page as last read: its language, and the passages per state shown."""

    language: str = ""  # written in
    digest: str | None = None  # of its published catalog when read; None for an original

    @property
    def fully_reviewed(self) -> bool:
        return all(count == 0 for state, count in self.entries.items() if state != "reviewed")


records = PerDocument("translate_pipeline_pages")
purge_doc = records.purge
merge_info = records.merge


def outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Pages to read again because what their catalog publishes changed."""
    if not active(env):
        return []
    again = []
    for docname, record in records(env).items():
        if docname in added or docname in changed or docname in removed:
            continue
        digest = domain_digest(env.config, docname)
        if document_language(env.config, docname) != record.language or digest != record.digest:
            again.append(docname)
    return again


# -- links across the sites ------------------------------------------------------


def languages(config: Config) -> list[str]:
    return list(setting(config, "languages") or [])


def cross_uri(builder: Builder, from_docname: str, language: str, to_docname: str, anchor: str = "") -> str:
    """The URI, from page ``from_docname``, of ``to_docname`` in the site in ``language``."""
    here = builder.get_target_uri(from_docname)
    there = builder.get_target_uri(to_docname)
    if language == builder.config.language and to_docname == from_docname:
        uri = ""
    elif language == builder.config.language:
        from sphinx.util.osutil import relative_uri

        uri = relative_uri(here, there)
    else:
        uri = "../" * (here.count("/") + 1) + f"{language}/{there}"
    return uri + (f"#{anchor}" if anchor else "")


def absolute_uri(config: Config, builder: Builder, language: str, docname: str) -> str | None:
    """The page's full URL in the site in ``language``; None without ``site_root``."""
    root = setting(config, "site_root")
    if not root:
        return None
    return f"{root.rstrip('/')}/{language}/{builder.get_target_uri(docname)}"


def pdf_uri(page_uri: str) -> str:
    """The PDF of a page, next to it: ``rapports/x.html`` -> ``rapports/x.pdf``."""
    folder, _, name = page_uri.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name else (name or "index")
    return f"{folder}/{stem}.pdf" if folder else f"{stem}.pdf"
