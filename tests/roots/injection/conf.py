project = "Injection corpus"
language = "fr"
locale_dirs = ["locale"]
gettext_compact = False
exclude_patterns = ["_build"]
