"""The catalogs: the state of every entry, reading and writing .po files, sync and status."""
