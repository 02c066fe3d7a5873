# Sphinx configuration of the Collectif's site, shared by the French and the
# English builds.
#
# The source directory given to sphinx-build is the union of source/fr/ and
# source/en/ (same relative paths, no page in both); this file stays at the
# repository root, so paths below are relative to it.

project = "Collectif contre la traite des êtres humains"
author = "Collectif contre la traite des êtres humains"
copyright = "2014-2018, Collectif contre la traite des êtres humains"

language = "fr"
locale_dirs = ["locale"]
gettext_compact = False

extensions = ["translate_pipeline.sphinx", "myst_parser"]

exclude_patterns = ["_build", ".venv", "Thumbs.db", ".DS_Store"]

html_theme = "furo"
html_title = "Collectif contre la traite des êtres humains"
html_show_sourcelink = False
