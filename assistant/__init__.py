"""Assistant: question → ranked, cited, highlighted passages, or an honest "not found"."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.ask import Assistant
from assistant.records import Answer, Filters, Highlight, Passage, Turn
from ingest.settings import Settings

__all__ = ["Answer", "Assistant", "Filters", "Highlight", "Passage", "Turn", "load_assistant"]


@lru_cache(maxsize=4)
def _load(library: Path, settings: Settings) -> Assistant:
    from index.library import Library

    return Assistant(Library.load(library, settings=settings), settings)


def load_assistant(settings: Settings) -> Assistant:
    """The assistant over `settings.library`, loaded once per process and reloaded only when the library on
    disk has changed since (an ingest swapped in a new version). Raises index.library.LibraryError."""
    library = Path(settings.library).expanduser().resolve()
    assistant = _load(library, settings)
    if not assistant.library.is_current():
        _load.cache_clear()
        assistant = _load(library, settings)
    return assistant
