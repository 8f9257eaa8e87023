"""Settings for the page and the commands, from `MINUTEBOOK_*` variables: a bad one is one line, not a traceback.

`load_settings` checks the values it parses; this adds the one thing only a front end can say before the
library is touched: a file standing where the library folder should be (it would otherwise show as an empty
library, and every upload or ingest would fail later with an OS error).
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.settings import Settings, load_settings


def file_in_the_way(folder: Path) -> Path | None:
    """The file at `folder` or at one of its parents, which stops it being (or becoming) a folder; else None."""
    for place in (folder, *folder.parents):
        if place.exists():
            return None if place.is_dir() else place
    return None


def checked_settings(library: str | None = None, *, library_name: str = "MINUTEBOOK_LIBRARY") -> Settings:
    """`load_settings(library)`, refusing a library that cannot be a folder.

    Raises ValueError with one line naming the variable (or the option, `library_name`) and the problem.
    """
    settings = load_settings(library)
    blocker = file_in_the_way(settings.library)
    if blocker is None:
        return settings
    if library is None and not os.environ.get("MINUTEBOOK_LIBRARY"):
        library_name = "the default library"
    if blocker == settings.library:
        raise ValueError(f"{library_name} must name a folder, not a file: {settings.library}")
    raise ValueError(f"{library_name} must name a folder, but {blocker} in its path is a file: {settings.library}")
