"""One file → one meeting and its passages: read, find metadata, segment into items, chunk."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingest.chunk import chunk_meeting
from ingest.metadata import extract_metadata
from ingest.models import Chunk, Document, IngestError, Meeting, make_meeting_id
from ingest.ocr import OcrProgress
from ingest.readers import read_document
from ingest.readers.normalise import one_line
from ingest.segment import find_sub_items, segment_items
from ingest.settings import Settings
from ingest.tokens import count_tokens


@dataclass(frozen=True, slots=True)
class IngestResult:
    meeting: Meeting
    chunks: list[Chunk]
    size: int  # bytes of the source file


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:,.0f} MB" if value >= 100 else f"{value:.3g} MB"


def size_refusal(size: int, limit: int) -> str:
    """Why a file of `size` bytes is refused under a `limit`: in MB of 1024 * 1024 bytes when the limit is a
    round number of them (to 0.01 MB), with enough digits that the two numbers differ ("0.0 MB, over the 0 MB
    limit" said nothing); in bytes otherwise."""
    shown = _megabytes(limit)
    megabytes = limit / (1024 * 1024)
    round_mb = megabytes >= 0.01 and round(round(megabytes, 2) * 1024 * 1024) == limit  # "0.5 MB", "0.01 MB"
    if not round_mb or _megabytes(size) == shown:  # a limit set in bytes is said in bytes
        return f"the file is {size:,} bytes, over the {limit:,}-byte limit"
    return f"the file is {_megabytes(size)}, over the {_megabytes(limit)} limit"


def read_file(path: Path, settings: Settings, ocr_progress: OcrProgress | None = None) -> Document:
    """The file's document, refusing files over the size limit before reading them. Scanned PDF pages go to
    OCR as `settings.ocr` says; `ocr_progress` is called after each OCR'd page with (pages done, pages to do)."""
    if not path.is_file():
        raise IngestError("no such file")
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        raise IngestError(size_refusal(size, settings.max_file_bytes))
    return read_document(path, ocr=settings.ocr, progress=ocr_progress)


def build_meeting(
    document: Document,
    *,
    sha256: str,
    committee: str | None = None,
    meeting_date: date | None = None,
) -> Meeting:
    """Items and metadata from the document's text; `committee`/`meeting_date` override what the text says."""
    items = segment_items(document.text)
    if not any(item.number is not None for item in items):
        raise IngestError("no agenda items found; is this a set of minutes?")
    meta = extract_metadata(document.text, items)
    committee = committee or meta.committee
    if not committee:
        raise IngestError("no committee name found in the text; pass --committee NAME")
    meeting_date = meeting_date or meta.meeting_date
    if meeting_date is None:
        raise IngestError("no meeting date found in the text; pass --date YYYY-MM-DD")
    return Meeting(
        meeting_id=make_meeting_id(committee, meeting_date),
        committee=committee,
        meeting_date=meeting_date,
        source=document.source,
        sha256=sha256,
        text=document.text,
        items=tuple(items),
        pages=document.pages,
        time=meta.time,
        venue=meta.venue,
        chair=meta.chair,
        present=meta.present,
        apologies=meta.apologies,
        officers=meta.officers,
        format=document.format,
    )


def chunk_for_settings(meeting: Meeting, settings: Settings) -> list[Chunk]:
    return chunk_meeting(
        meeting,
        count_tokens,
        max_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
        max_title_tokens=settings.max_title_tokens,
        sub_items=find_sub_items,
    )


def ingest_file(
    path: Path,
    settings: Settings,
    *,
    committee: str | None = None,
    meeting_date: date | None = None,
    ocr_progress: OcrProgress | None = None,
) -> IngestResult:
    """Read, segment and chunk one file. Raises IngestError with a one-line reason (without the file name).

    An unexpected error in a reader or the segmenter (a bug, or a file no test foresaw) becomes an IngestError
    too, so that it costs this one file a line, not a traceback and the rest of a folder; OSError is left to
    the caller, which names the file.
    """
    path = Path(path)
    try:
        document = read_file(path, settings, ocr_progress)
        meeting = build_meeting(document, sha256=file_sha256(path), committee=committee, meeting_date=meeting_date)
        chunks = chunk_for_settings(meeting, settings)
    except (IngestError, OSError):
        raise
    except Exception as error:
        raise IngestError(f"could not be read ({one_line(f'{type(error).__name__}: {error}')})") from error
    return IngestResult(meeting, chunks, path.stat().st_size)


def collect_files(paths: list[Path]) -> list[Path]:
    """Files named directly, plus supported files found (recursively, sorted) in named folders."""
    from ingest.readers import SUPPORTED_SUFFIXES

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
                )
            )
        else:
            found.append(path)
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path.resolve(), None)
    return list(unique)
