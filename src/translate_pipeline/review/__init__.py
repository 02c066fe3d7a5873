"""``translate-pipeline review``: a local web page where translators review entries.

:mod:`.work` is what the page shows and does (the entries that need a
translator, everything shown of one, the actions, all through the catalog
module); :mod:`.app` is the HTTP side (127.0.0.1 only, a token in every
URL, CSRF-checked POSTs, a strict Content-Security-Policy) with its
templates and static files; :mod:`.state` is the small file telling
``serve``'s preview where a running review page is.
"""
