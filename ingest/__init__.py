"""Ingest: files → meetings → items → passages (chunks)."""
