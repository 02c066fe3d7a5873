"""``draft``: machine translation of what is new or changed in the catalogs.

For each target language (``locale/en`` from the French pages, ``locale/fr``
from the pages written in English) the entries to draft are collected: the
untranslated ones, and the machine drafts whose original changed since they
were made (``sync`` keeps the old original as ``#| msgid``). Entries a
translator wrote (reviewed or stale) are never touched. Each distinct text is
one job, sent once, with its page title as context.

The engines are tried in order on the jobs still waiting. A paying engine
(DeepL) is only sent the texts its cache does not hold, in chunks of one
context, and what it answers is cached at once. Every draft is checked
against its source: a draft that fails the markup check is not stored (the
next engine may do better; otherwise the entry keeps what it had and gets a
``# draft check failed:`` comment); a draft missing glossary terms is stored
with a ``# glossary:`` comment, one whose numbers differ from its source's
(a close memory match of another paragraph: "three" for "quatre") with a
``# draft check:`` comment. Drafts are stored as machine drafts (fuzzy,
``# draft: ENGINE DATE``). The catalogs changed are written together (through
the journal) as paid answers come back (at most once a second) and at the
end, also when an error or Ctrl-C ends the run: nothing paid for is lost.
A catalog a person saved while the run went on is not overwritten: the drafts
are applied to their file, except on the entries they changed too.

An engine error (quota used up, key refused, service down) ends the run
early; :attr:`DraftResult.stopped` says which. Prints nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from ..catalogs import catalog as cat
from ..catalogs.store import CatalogStore
from ..catalogs.sync import RecoveryReport, journal_path, load_catalogs, project_lock
from ..files import relative
from ..project import discovery
from ..project.direction import source_language_of
from ..project.settings import Project, Settings
from .engines import Engine, MemoryEngine, get_engine
from .glossary import Glossary, read_glossary
from .languagerun import CatalogWriter, DraftReport, LanguageRun, Progress, Progression
from .tmcache import TranslationCache
from .planning import DraftError, Job, SyntaxOf, memory_pairs, page_syntax, plan, targets, wanted  # noqa: F401

CACHE_FILE = "drafts.sqlite"


COUNTS = ("pending", "redraft", "cached", "check_failed", "glossary_missing", "numbers_differ", "left",
          "segments", "characters", "requests")


@dataclass
class DraftResult:
    dry_run: bool = False
    languages: list[DraftReport] = field(default_factory=list)
    stopped: str | None = None  # the engine error that ended the run early
    glossary: dict | None = None  # the DeepL copy of the glossary: name, id, created, deleted
    paid: bool = False  # whether a paying engine was among the run's engines (free ones bill nothing)
    merged_again: list[str] = field(default_factory=list)  # catalogs saved by someone during the run
    kept_theirs: int = 0  # drafts not stored: the person changed the entry meanwhile
    recovery: RecoveryReport = field(default_factory=RecoveryReport)

    def total(self, name: str) -> int:
        return sum(getattr(report, name) for report in self.languages)

    def drafted(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for report in self.languages:
            for engine, count in report.drafted.items():
                totals[engine] = totals.get(engine, 0) + count
        return totals

    def written(self) -> list[str]:
        return [path for report in self.languages for path in report.written]

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "stopped": self.stopped,
            "totals": {"drafted": self.drafted(), **{name: self.total(name) for name in COUNTS},
                       "written": len(self.written())},
            "glossary": self.glossary,
            "merged_again": self.merged_again,
            "kept_theirs": self.kept_theirs,
            "interrupted_run": asdict(self.recovery),
            "languages": [asdict(report) for report in self.languages],
        }


def project_glossary(project: Project) -> Glossary | None:
    """The project's term base; None when the default file does not exist."""
    path = project.root / project.settings.glossary
    if not path.exists() and project.settings.glossary == Settings.glossary:
        return None
    return read_glossary(path)


# --- engines -------------------------------------------------------------------


class Engines:
    """The engines of a run, in order: :meth:`for_pair` gives them for one language pair.

    ``names`` are engine names or ready engines (used as they are). The
    memory is made per language, from its reviewed entries; any other engine
    once for the whole run (so DeepL syncs the glossary once).
    """

    def __init__(self, project: Project, names: Sequence[str | Engine], glossary: Glossary | None = None) -> None:
        self.names = list(names)
        self.shared: dict[str, Engine] = {}
        for name in self.names:
            if not isinstance(name, str) or name == "memory" or name in self.shared:
                continue
            if name == "deepl":
                self.shared[name] = get_engine(
                    "deepl", target_variant=project.settings.deepl_target_variant,
                    glossary=glossary, project=project.project_name,
                )
            else:
                self.shared[name] = get_engine(name)

    def for_pair(self, source: str, target: str, catalogs: Mapping[str, cat.Catalog]) -> list[Engine]:
        engines: list[Engine] = []
        for name in self.names:
            if not isinstance(name, str):
                engines.append(name)
            elif name == "memory":
                engines.append(MemoryEngine(memory_pairs(catalogs), languages=(source, target)))
            else:
                engines.append(self.shared[name])
        return engines

    @property
    def paid(self) -> bool:
        """Whether one of the engines bills what it is sent."""
        ready = [name for name in self.names if not isinstance(name, str)]
        return any(engine.paid for engine in [*self.shared.values(), *ready])

    def glossary_sync(self) -> dict | None:
        """What was done to the DeepL copy of the glossary, if anything was sent."""
        synced = getattr(self.shared.get("deepl"), "glossary_sync", None)
        return asdict(synced) if synced is not None else None


def check_engine_names(names: Sequence[str | Engine]) -> None:
    from .engines import ENGINES

    for name in names:
        if isinstance(name, str) and name not in ENGINES:
            raise DraftError(f"unknown engine {name!r}: choose one of {', '.join(sorted(ENGINES))}")


# --- the run -------------------------------------------------------------------


def draft(
    project: Project,
    engines: Sequence[str | Engine] | None = None,
    *,
    documents: Sequence[str] | None = None,
    cache: TranslationCache | None = None,
    dry_run: bool = False,
    wait: float = 0,
    progress: Progress | None = None,
) -> DraftResult:
    """Draft what is new or changed in every target language (of ``documents``).

    ``engines`` are names (default: the ``engines`` setting) or ready engines.
    ``cache`` is where paying engines' drafts are kept (see :func:`open_cache`).
    """
    names = list(engines or project.settings.engines)
    check_engine_names(names)
    glossary = project_glossary(project)
    docs = discovery.documents(project)
    chosen = targets(project, documents, docs)
    syntax_of = page_syntax(project, docs)
    result = DraftResult(dry_run=dry_run)
    store = CatalogStore.of(project)
    with project_lock(project, wait) as recovery:
        result.recovery = recovery
        work = []
        for language, domains in chosen.items():
            catalogs = load_catalogs(project.catalog_dir(language), store)
            jobs = plan(catalogs, domains, syntax_of)
            report = DraftReport(language, source_language_of(project, language))
            report.pending = sum(len(job.entries) for job in jobs)
            report.redraft = sum(cat.outdated_draft(e) for job in jobs for _, e in job.entries)
            report.left = report.pending
            result.languages.append(report)
            work.append((report, catalogs, jobs))
        engines = Engines(project, names, glossary)
        result.paid = engines.paid
        writer = CatalogWriter(journal_path(project), enabled=not dry_run)
        counter = Progression(progress, sum(len(jobs) for _, _, jobs in work))
        try:
            for report, catalogs, jobs in work:
                run = LanguageRun(report, jobs, cache, glossary, dry_run, writer, counter)
                result.stopped = run.through(engines.for_pair(report.source_language, report.language, catalogs))
                if result.stopped:
                    break
        finally:
            writer.flush()
            for report, _, _ in work:
                prefix = project.catalog_dir(report.language)
                report.written = sorted(relative(p, project.root) for p in writer.written if p.is_relative_to(prefix))
            result.glossary = engines.glossary_sync()
            result.merged_again = sorted(relative(p, project.root) for p in writer.rebased)
            result.kept_theirs = writer.kept_theirs
    return result


def open_cache(project: Project, create: bool = True) -> TranslationCache | None:
    """The project's cache of drafts (``_build/translate-pipeline/drafts.sqlite``).

    None when there is none yet and ``create`` is false (a dry run makes no file).
    """
    path = project.cache_dir / CACHE_FILE
    if not create and not path.exists():
        return None
    return TranslationCache(path)


