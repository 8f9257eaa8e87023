"""Build a library for an eval run from minutes files or from meetings made in memory (QMSum)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ingest.models import Chunk, Meeting
from ingest.settings import Settings


def build_library(
    settings: Settings,
    meetings: Sequence[tuple[Meeting, Sequence[Chunk], int]],
    *,
    progress: bool = False,
) -> None:
    """Add (meeting, its passages, source size in bytes) to the library at `settings.library`."""
    from index.encoder import load_encoder
    from index.library import SourceRecord, update_library

    now = datetime.now(UTC).isoformat(timespec="seconds")
    additions = [
        (
            meeting,
            chunks,
            SourceRecord(sha256=meeting.sha256, size=size, ingested_at=now, meeting_id=meeting.meeting_id),
        )
        for meeting, chunks, size in meetings
    ]
    update_library(settings.library, additions, load_encoder(settings), settings, progress=progress)


def ingest_files(settings: Settings, paths: Sequence[Path], *, progress: bool = False) -> None:
    """Ingest minutes files (as `minutebook ingest` does) into the library at `settings.library`."""
    from ingest.pipeline import ingest_file

    results = [ingest_file(path, settings) for path in paths]
    build_library(settings, [(r.meeting, r.chunks, r.size) for r in results], progress=progress)
