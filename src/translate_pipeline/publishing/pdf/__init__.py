"""PDFs of every page and of each whole site."""
