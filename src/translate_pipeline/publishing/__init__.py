"""Publishing: the sites of both languages, their root files, their PDFs, the server."""
