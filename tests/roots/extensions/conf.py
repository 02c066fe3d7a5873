# A project using common extensions, as a new user's would.
import os
import sys

sys.path.insert(0, os.path.abspath("."))

project = "Extension Garden"
author = "Garden team"
copyright = "2025, Garden team"
language = "en"
extensions = [
    "ablog",
    "sphinx_sitemap",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
]
html_baseurl = "https://garden.example.org/"
blog_path = "posts"
blog_title = "Garden news"
blog_baseurl = "https://garden.example.org/"
# No network: the inventory is a file of the project.
intersphinx_mapping = {"tools": ("https://tools.example.org/", "tools.inv")}
exclude_patterns = ["_build"]
