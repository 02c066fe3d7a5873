project = "Collectif de test"
language = "fr"
locale_dirs = ["locale"]
gettext_compact = False
exclude_patterns = ["_build"]
extensions = ["translate_pipeline.sphinx"]
html_theme = "furo"
html_baseurl = "https://collectif.example.org/"
