"""`manifest.json`: what made a library version (model, chunking, minutebook version) and where its text came from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

from index.errors import LibraryError
from ingest.settings import Settings

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One source file in the library: its sha256 and size when ingested, and the meeting it gave."""

    sha256: str
    size: int
    ingested_at: str  # ISO 8601
    meeting_id: str


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    minutebook_version: str
    model_name: str
    model_dim: int
    chunking: dict[str, Any]
    sources: dict[str, SourceRecord]  # by source path (Meeting.source)
    created_at: str = ""  # when this version was written, ISO 8601
    meetings: int = 0
    passages: int = 0
    files: dict[str, int] = field(default_factory=dict)  # byte size of each data file, to catch truncation
    # What ran the model when the vectors were made (index.encoder.backend_of); libraries written before the
    # ONNX back ends have none in their manifest and were made by torch.
    encoder: str = "torch"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """Raises ValueError/TypeError/KeyError on a manifest that does not have the right shape."""
        if not isinstance(data, dict):
            raise ValueError("it is not a JSON object")
        version = data["format_version"]
        if not isinstance(version, int):
            raise ValueError("format_version is not an integer")
        if version > FORMAT_VERSION:
            return cls(version, str(data.get("minutebook_version", "?")), "", 0, {}, {})
        sources = data["sources"]
        if not isinstance(sources, dict):
            raise ValueError("sources is not an object")
        manifest = cls(
            format_version=version,
            minutebook_version=str(data["minutebook_version"]),
            model_name=data["model_name"],
            model_dim=data["model_dim"],
            chunking=dict(data["chunking"]),
            sources={str(path): SourceRecord(**record) for path, record in sources.items()},
            created_at=str(data.get("created_at", "")),
            meetings=data["meetings"],
            passages=data["passages"],
            files={str(name): size for name, size in data["files"].items()},
            encoder=str(data.get("encoder", "torch")),
        )
        checks = {
            "model_name": isinstance(manifest.model_name, str) and bool(manifest.model_name),
            "model_dim": isinstance(manifest.model_dim, int) and manifest.model_dim > 0,
            "meetings": isinstance(manifest.meetings, int) and manifest.meetings >= 0,
            "passages": isinstance(manifest.passages, int) and manifest.passages >= 0,
            "files": all(isinstance(size, int) and size >= 0 for size in manifest.files.values()),
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"bad {', '.join(bad)}")
        return manifest


def parse_manifest(raw: bytes, where: str) -> Manifest:
    """The manifest in `raw`; LibraryError (naming `where`) when it is not a manifest this version can read."""
    try:
        manifest = Manifest.from_json(json.loads(raw))
    except json.JSONDecodeError as error:
        raise LibraryError(
            f"{where} is not valid JSON ({error.msg} at line {error.lineno}); "
            "delete the library and ingest your minutes again"
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
        raise LibraryError(
            f"{where} is not a minutebook manifest ({detail}); delete the library and ingest your minutes again"
        ) from None
    if manifest.format_version > FORMAT_VERSION:
        raise LibraryError(
            f"{where} is library format {manifest.format_version}, written by minutebook "
            f"{manifest.minutebook_version}; this minutebook reads format {FORMAT_VERSION}: upgrade minutebook"
        )
    return manifest


def minutebook_version() -> str:
    try:
        return metadata.version("minutebook")
    except metadata.PackageNotFoundError:
        return "unknown"


def chunking_of(settings: Settings) -> dict[str, Any]:
    """The settings that decide how ingest cuts passages, recorded so a later change can be noticed."""
    return {
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap_tokens": settings.chunk_overlap_tokens,
        "max_title_tokens": settings.max_title_tokens,
    }
