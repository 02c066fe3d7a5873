project = "Collectif Markdown"
language = "fr"
locale_dirs = ["locale"]
gettext_compact = False
exclude_patterns = ["_build"]
extensions = ["myst_parser"]
myst_enable_extensions = ["dollarmath", "substitution"]
myst_substitutions = {"collectif": "Collectif"}
