# Configuration of a documentation project that has been translated for years.
import os
import sys

sys.path.insert(0, os.path.abspath("."))

project = "Projet ancien"
copyright = "2016, Association"
extensions = ["sphinx.ext.todo", "sphinx.ext.ifconfig", "sphinx.ext.autosectionlabel"]
autosectionlabel_prefix_document = True
templates_path = ["_templates"]
language = "fr"
locale_dirs = ["locale/"]
exclude_patterns = ["_build", "drafts/*", "Thumbs.db"]
todo_include_todos = True
