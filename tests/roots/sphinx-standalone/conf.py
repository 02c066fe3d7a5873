# An ordinary Sphinx project translated with sphinx-build alone (no publish).
project = "Projet autonome"
language = "fr"
locale_dirs = ["locale"]
gettext_compact = False
exclude_patterns = ["_build"]
extensions = ["translate_pipeline.sphinx"]
