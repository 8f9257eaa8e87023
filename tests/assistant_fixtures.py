"""The sample library for the assistant's tests: the two sample meetings, ingested and indexed in a temporary
folder with the hashing encoder (fast) or the real model (slow tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from index.encoder import load_encoder
from index.library import SourceRecord, update_library
from ingest.pipeline import ingest_file
from ingest.settings import MODEL_NAME, Settings, load_settings
from tests.conftest import SAMPLES

HASHING = "hashing-384"
SEPTEMBER = "children-and-young-people-scrutiny-committee-2024-09-17"
JANUARY = "children-and-young-people-scrutiny-committee-2025-01-21"


def build_sample_library(path: Path, model_name: str = HASHING) -> Settings:
    """Ingest samples/minutes/*.txt into a new library at `path`; the settings name the encoder used."""
    settings = load_settings(path).with_(model_name=model_name)
    encoder = load_encoder(settings)
    now = datetime.now(UTC).isoformat()
    additions = []
    for file in sorted(SAMPLES.glob("*.txt")):
        result = ingest_file(file, settings)
        additions.append((result.meeting, result.chunks, SourceRecord(result.meeting.sha256, result.size, now, "")))
    update_library(path, additions, encoder, settings)
    return settings


__all__ = ["HASHING", "JANUARY", "MODEL_NAME", "SEPTEMBER", "build_sample_library"]
