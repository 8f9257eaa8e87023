"""The one error the index raises for a library that cannot be used as it stands."""

from __future__ import annotations


class LibraryError(Exception):
    """A library that is missing, locked, corrupt or built otherwise; str() is one line saying what to do."""
