# An English documentation project translated into French with sphinx-intl.
project = "Field Guide"
author = "Field Guide contributors"
copyright = "2024, Field Guide contributors"
locale_dirs = ["locale/"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
