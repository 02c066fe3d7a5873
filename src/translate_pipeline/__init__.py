"""translate-pipeline: French/English publishing with gettext catalogs, drafts and Sphinx."""

__version__ = "0.1.0"
