"""A project: its settings, its documents and the language of each."""
