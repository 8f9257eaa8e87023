"""Ingest results → library: the one place the command line and the page add meetings to a library."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ingest.pipeline import IngestResult
from ingest.settings import Settings


def known_hashes(settings: Settings) -> dict[str, str]:
    """sha256 of every source file already in the library, by source path (empty for a new library)."""
    from index.library import library_exists, source_records

    if not library_exists(settings.library):
        return {}
    return {source: record.sha256 for source, record in source_records(settings.library).items()}


def add_results_to_library(settings: Settings, results: Sequence[IngestResult], *, progress: bool = False) -> None:
    """Embed and index the ingested meetings into `settings.library` (raises `index.errors.LibraryError`)."""
    from index.encoder import load_encoder
    from index.library import SourceRecord, update_library

    now = datetime.now(UTC).isoformat(timespec="seconds")
    additions = [
        (
            r.meeting,
            r.chunks,
            SourceRecord(sha256=r.meeting.sha256, size=r.size, ingested_at=now, meeting_id=r.meeting.meeting_id),
        )
        for r in results
    ]
    update_library(settings.library, additions, load_encoder(settings), settings, progress=progress)
