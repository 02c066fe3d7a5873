"""What the sites say to readers, in the language of each site.

The English wording is in the code; translations are gettext catalogs in
``locale/LANG/LC_MESSAGES/translate_pipeline.po`` next to this module (add a
language by adding a catalog). Catalogs are read through
:mod:`translate_pipeline.catalogs.catalog` and compiled in memory, so there is no
``.mo`` file to keep in step with its ``.po``.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_percent

LOCALE_DIR = Path(__file__).parent / "sphinx" / "locale"
DOMAIN = "translate_pipeline"


@functools.cache
def translations(language: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The catalog ``domain`` (default: the sites' wording) in ``language``; empty if none."""
    from .catalogs import catalog as cat

    for code in _candidates(language):
        path = LOCALE_DIR / code / "LC_MESSAGES" / f"{domain}.po"
        if path.is_file():
            return gettext.GNUTranslations(io.BytesIO(cat.compiled(cat.load(path))))
    return gettext.NullTranslations()


def _candidates(language: str) -> list[str]:
    code = language.replace("-", "_")
    return list(dict.fromkeys([code, code.split("_")[0]]))


def reader_locale(language: str, variants: tuple[str, ...] | list[str] = ()) -> str:
    """The locale a site's readers read in: ``en`` with the variant ``EN-GB`` is ``en_GB``.

    ``variants``: the language variants the project writes (``deepl_target_variant``);
    the first one of ``language`` wins, else the language itself.
    """
    base = language.replace("-", "_").split("_")[0].lower()
    for variant in variants:
        parts = variant.replace("-", "_").split("_")
        if len(parts) == 2 and parts[0].lower() == base and parts[1]:
            return f"{base}_{parts[1].upper()}"
    return language.replace("-", "_")


class Wording:
    """The reader-facing texts of one site.

    ``locale``: where its readers are (``en_GB``: dates as "26 November 2026");
    by default the language's own.
    """

    def __init__(self, language: str, locale: str | None = None) -> None:
        self.language = language
        self._t = translations(language)
        self._locale: Locale | None = None
        for code in (locale, language):
            if not code:
                continue
            try:
                self._locale = Locale.parse(code.replace("-", "_"))
                break
            except (UnknownLocaleError, ValueError):
                continue

    def __call__(self, message: str, **values: object) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def language_name(self, code: str) -> str:
        """The name of a language as a word of this site's language ("French", "anglais")."""
        if self._locale is None:
            return code
        return self._locale.languages.get(code.replace("-", "_"), code)

    def date(self, iso: str) -> str:
        try:
            day = dt.date.fromisoformat(iso)
        except ValueError:
            return iso
        return format_date(day, "long", locale=self._locale or "en")

    def percent(self, value: float) -> str:
        return format_percent(value / 100, locale=self._locale or "en")


def autonym(code: str) -> str:
    """A language's name in itself, capitalised ("Français", "English")."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:] if name else code


# Texts the code uses, so that a translator sees every one in the catalog. The
# code calls ``Wording(...)("...")`` with exactly these strings.
MESSAGES = (
    "machine translated",
    "outdated",
    "not yet translated",
    "Outdated: the %(language)s original changed on %(date)s.",
    "Outdated: the %(language)s original changed after this translation was reviewed.",
    "Read the original",
    "Translation in progress.",
    "Passages reviewed: %(reviewed)d of %(total)d.",
    "machine translated: %(count)d",
    "outdated: %(count)d",
    "not yet translated: %(count)d",
    "Read the %(language)s original",
    "Not yet available in %(language)s.",
    "Only %(percent)s of this page has been reviewed so far, so it is not published in %(language)s yet.",
    "Language",
    "Translation status",
    "Reviewed",
    "Machine translated",
    "Outdated",
    "Not yet translated",
    "Document",
    "Words reviewed",
    "Passages reviewed on the site: %(reviewed)d of %(total)d",
    "Passages reviewed on the site: those the pages show as reviewed, the figure of their banners; "
    "a translation that refers to what its original does not is shown as the original instead.",
    "Translations not published",
    "Shown as the original instead:",
    "Total",
    "Translations into %(language)s",
    "Entries (paragraphs, titles, list items) per state; the bars show the share of words.",
    "Outdated translations",
    "The original changed on %(date)s",
    "The original changed",
    "Last reviewed translation:",
    "Pages without a catalog yet (run translate-pipeline sync):",
    "Catalogs whose page is gone:",
    "Read this site in %(language)s",
    "Downloads",
    "PDF",
    "This page as a PDF file",
    "Whole site (PDF)",
    "The whole site as one PDF file",
    "Contents",
    "Pages not fully reviewed: %(count)d of %(total)d.",
    "Machine translations to check",
    "Its numbers differ from the original’s.",
)
