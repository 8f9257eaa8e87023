"""The library and the assistant, loaded once per process and library version (`st.cache_resource`).

The cache key includes the library's live version, so minutes added from the page or by `minutebook ingest`
in another terminal show up on the next rerun; the model itself is loaded once per process by
`index.encoder.load_encoder` and shared by every version.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import streamlit as st

from index.errors import LibraryError
from index.manifest import MANIFEST, parse_manifest
from index.storage import current_version, version_dir
from ingest.settings import Settings
from ui.environment import checked_settings


@dataclass(frozen=True)
class Loaded:
    """A loaded library and the assistant over it, and what loading cost (seconds), for the page to report."""

    assistant: Any  # assistant.Assistant
    library: Any  # index.library.Library
    version: str
    seconds: float


def page_settings() -> Settings:
    """Settings from the environment (MINUTEBOOK_LIBRARY), with the model the library was built with.

    Only models minutebook bundles can be named (`index.encoder.load_encoder` refuses others), so this lets
    the page open a library built with the hashing encoder in tests, and the real model everywhere else.
    A bad MINUTEBOOK_* variable raises ValueError with one line naming it (the page shows that line).
    """
    settings = checked_settings()
    try:
        version = current_version(settings.library)
        if version is None:
            return settings
        where = version_dir(settings.library, version) / MANIFEST
        manifest = parse_manifest(where.read_bytes(), str(where))
    except (LibraryError, OSError):
        return settings  # loading will report the problem in one line
    return settings.with_(model_name=manifest.model_name, model_dim=manifest.model_dim)


@st.cache_resource(show_spinner="Loading the library…", max_entries=2)
def _load(library: str, version: str, model_name: str, _settings: Settings) -> Loaded:
    from assistant import Assistant
    from index.encoder import load_encoder
    from index.library import Library

    started = time.perf_counter()
    encoder = load_encoder(_settings)
    loaded_library = Library.load(_settings.library, encoder, settings=_settings)
    assistant = Assistant(loaded_library, _settings)
    seconds = time.perf_counter() - started
    # The model takes seconds to load: do it in the background, so the page (sidebar, meetings, briefing) is
    # usable at once; a question asked before it is ready waits for it (the encoder loads under a lock).
    threading.Thread(target=loaded_library.encode_query, args=("warm up",), name="model-warm-up", daemon=True).start()
    # Likewise the committees' names that a question's scope is read against (~1 s at 100,000 passages).
    threading.Thread(target=assistant.prepare, name="names-warm-up", daemon=True).start()
    return Loaded(assistant, loaded_library, loaded_library.version, seconds)


def load(settings: Settings) -> Loaded | None:
    """The loaded library at its live version, or None for an empty library (LibraryError if unusable)."""
    version = current_version(settings.library)
    if version is None:
        return None
    return _load(str(settings.library), version, settings.model_name, settings)


def forget() -> None:
    """Drop every loaded library (after an update in this process, so the old version is freed at once)."""
    _load.clear()
