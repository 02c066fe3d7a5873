"""Guards on the dependencies' internals that :mod:`translate_pipeline.compat` uses.

Each test fails when an internal changes shape or meaning in a new release,
so the pin in pyproject.toml is raised only together with the workaround.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import polib
import pytest
from docutils.parsers.rst import roles

from translate_pipeline.compat import docutils as docutils_compat
from translate_pipeline.compat import polib as polib_compat
from translate_pipeline.compat import sphinx as sphinx_compat

PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"


@pytest.fixture
def sphinx_app():
    """A Sphinx application made as the tool makes them: what it registers with docutils goes with it."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    def make(folder: Path, builder: str) -> Sphinx:
        return Sphinx(folder, folder, folder / "out", folder / "doctrees", builder, status=None, warning=None)

    with docutils_namespace():
        yield make


def _requirement(name: str) -> str:
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    return next(d for d in dependencies if re.match(rf"{name}\b", d))


def test_polib_is_a_version_the_workaround_was_checked_with():
    assert polib.__version__.startswith(polib_compat.CHECKED), polib.__version__
    assert _requirement("polib") == "polib>=1.2,<1.3"


def test_polib_reads_the_lines_it_is_given_not_its_own_split():
    text = 'msgid "a"\nmsgstr "b\fc"\n'  # a form feed inside a string: str.splitlines ends a line there
    with pytest.raises(OSError):
        polib.pofile(text)  # polib alone cuts the string in two
    po = polib_compat.parse_lines(text, text.split("\n"))
    assert [(e.msgid, e.msgstr) for e in po] == [("a", "b\fc")]
    # the lines, not the text, are what polib reads
    po = polib_compat.parse_lines(text, ['msgid "a"', 'msgstr "other"'])
    assert [(e.msgid, e.msgstr) for e in po] == [("a", "other")]


def test_docutils_roles_registered_in_the_block_are_forgotten():
    before = dict(roles._roles)
    with docutils_compat.roles_and_directives_kept():
        roles.register_local_role("made-up-here", lambda *args, **kwargs: ([], []))
        assert "made-up-here" in roles._roles
    assert roles._roles == before


def test_sphinx_internals_are_where_compat_looks(tmp_path, sphinx_app):
    from sphinx.builders.gettext import MessageCatalogBuilder

    (tmp_path / "conf.py").write_text("", encoding="utf-8")
    (tmp_path / "index.rst").write_text("Title\n=====\n\n|x|\n\n.. |x| replace:: text\n", encoding="utf-8")
    app = sphinx_app(tmp_path, "gettext")
    assert sphinx_compat.builder_class(app.env) is type(app.builder)
    assert issubclass(sphinx_compat.builder_class(app.env), MessageCatalogBuilder)
    app.build()
    doctree = app.env.get_doctree("index")
    from docutils import nodes

    definition = next(iter(doctree.findall(nodes.substitution_definition)))
    assert sphinx_compat.in_substitution_definition(definition.children[0])
    assert not sphinx_compat.in_substitution_definition(next(iter(doctree.findall(nodes.title))))
    sphinx_compat.ready_for_another_build(app)  # the attributes it sets are the ones Sphinx reads
    from sphinx.environment import CONFIG_OK

    assert app.env.config_status == CONFIG_OK


def test_sphinx_translation_caches_are_emptied():
    import gettext

    import sphinx
    import sphinx.locale

    saved = sphinx_compat.interface_translations()
    try:
        # Sphinx's own French, read as a build reads it: through gettext, which keeps the .mo by path
        sphinx.locale.init([Path(sphinx.__file__).parent / "locale"], "fr")
        kept = sphinx_compat.interface_translations()
        assert sphinx.locale.get_translation("sphinx")("Table of Contents") != "Table of Contents"
        assert gettext._translations  # type: ignore[attr-defined]
        sphinx_compat.forget_translations()
        assert not sphinx.locale.translators
        assert not gettext._translations  # type: ignore[attr-defined]
        sphinx_compat.forget_translations(keep=kept)
        assert sphinx.locale.translators == kept
    finally:
        sphinx_compat.forget_translations(keep=saved)


def test_sphinx_asset_checksums_are_a_cache_that_can_be_emptied(tmp_path):
    from sphinx.builders.html import _assets

    asset = tmp_path / "style.css"
    asset.write_text("a{}", encoding="utf-8")
    first = _assets._file_checksum_inner(asset)
    asset.write_text("b{}", encoding="utf-8")
    assert _assets._file_checksum_inner(asset) == first  # kept for the whole process
    sphinx_compat.forget_asset_checksums()
    assert _assets._file_checksum_inner(asset) != first


def test_the_sphinx_version_is_one_the_project_claims():
    floor = re.search(r"sphinx>=([\d.]+)", _requirement("sphinx")).group(1)
    installed = tuple(int(part) for part in version("sphinx").split(".")[:2])
    assert installed >= tuple(int(part) for part in floor.split(".")[:2])


def test_sphinx_reads_undecodable_pages_as_compat_says(tmp_path, sphinx_app):
    (tmp_path / "conf.py").write_text("", encoding="utf-8")
    (tmp_path / "index.rst").write_bytes(b"Title\n=====\n\nR\xe9union.\n")
    app = sphinx_app(tmp_path, "text")
    if sphinx_compat.replaces_undecodable_bytes():
        app.build()
        assert "R?union" in (tmp_path / "out/index.txt").read_text(encoding="utf-8")
    else:
        with pytest.raises(UnicodeDecodeError):
            app.build()
