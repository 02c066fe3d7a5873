"""Every use of a dependency's private internals, one module per dependency.

The rest of the tool calls these functions and never reaches into Sphinx,
docutils or polib's private names itself. Each function says why the
internal is needed and the versions it was checked with; the tests in
``tests/test_compat.py`` fail when an internal changes shape.
"""
