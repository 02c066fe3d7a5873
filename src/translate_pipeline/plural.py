"""Messages that count something, in the form their number asks for.

Through gettext's ``ngettext``: "1 entry", "2 entries", and in a language
whose catalog of the tool's messages is installed (domain
``translate_pipeline_cli``, looked up as gettext does from ``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES`` and ``LANG``), that language's plural rules.
Without a catalog the English forms are used.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "translate_pipeline_cli"
LOCALE_DIR = Path(__file__).parent / "locale"


def counted(count: int, singular: str, plural: str, **values: object) -> str:
    """``singular`` or ``plural`` as ``count`` asks, with ``%(count)s`` and ``values`` filled in.

    >>> counted(1, "%(count)s entry", "%(count)s entries")
    '1 entry'
    """
    translations = gettext.translation(DOMAIN, LOCALE_DIR, fallback=True)
    return translations.ngettext(singular, plural, count) % {"count": count, **values}
