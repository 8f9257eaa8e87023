"""Uploaded minutes → files under the library's `uploads/` folder → ingested and indexed, one outcome per file.

Names are reduced to a safe base name before anything touches the disk, every file is checked against the size
limit before it is written, and nothing is ever written outside `uploads/`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.models import IngestError
from ingest.pipeline import IngestResult, ingest_file, size_refusal
from ingest.settings import Settings

UPLOAD_TYPES = ("pdf", "docx", "html", "htm", "txt", "md")
MAX_NAME_LENGTH = 100
MB = 1024 * 1024  # the unit Streamlit's uploader states its limit in
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

Progress = Callable[[float, str], object]


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """What became of one uploaded file: "added", "unchanged" (already in the library) or "failed"."""

    name: str  # the sanitised name it was saved under (or would have been)
    status: str
    reason: str = ""
    meeting_id: str | None = None
    label: str = ""  # "Committee, 21 January 2025" for a file that went in


def uploads_dir(settings: Settings) -> Path:
    return settings.library / "uploads"


def sanitise_name(name: str) -> str:
    """A safe file name from whatever the browser sent: base name only, ASCII letters, digits, `.`, `_`, `-`.

    "../../etc/passwd" → "passwd"; "C:\\minutes\\Jan 2025 (final).PDF" → "Jan_2025_final.pdf".
    """
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    stem = _UNSAFE.sub("_", stem).strip("._-") or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()
    stem = stem[: MAX_NAME_LENGTH - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(name: str, size: int, settings: Settings) -> str:
    """The sanitised name, or IngestError if the type or size is not acceptable."""
    safe = sanitise_name(name)
    suffix = safe.rpartition(".")[2] if "." in safe else ""
    if suffix not in UPLOAD_TYPES:
        raise IngestError(
            f"unsupported file type {'.' + suffix if suffix else '(none)'}; upload PDF, Word, HTML or text"
        )
    if size == 0:
        raise IngestError("the file is empty")
    if size > settings.max_file_bytes:
        raise IngestError(size_refusal(size, settings.max_file_bytes))  # the words `minutebook ingest` uses
    return safe


def save_upload(folder: Path, safe_name: str, data: bytes) -> Path:
    """Write `data` as `folder/safe_name`; a different file already there keeps its name and this one gets -2, -3…"""
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    stem, _, suffix = safe_name.rpartition(".")
    candidate = root / safe_name
    counter = 1
    while candidate.exists() and candidate.read_bytes() != data:
        counter += 1
        candidate = root / f"{stem}-{counter}.{suffix}"
    if candidate.resolve().parent != root:  # belt and braces: sanitise_name already allows no separators
        raise IngestError("the file name is not allowed")
    candidate.write_bytes(data)
    return candidate


def add_uploads(
    settings: Settings,
    files: Sequence[tuple[str, bytes]],
    *,
    known_hashes: dict[str, str] | None = None,
    index: Callable[[Settings, list[IngestResult]], None] | None = None,
    progress: Progress | None = None,
) -> list[UploadOutcome]:
    """Save, ingest and index each (name, content) pair; each failure gets its one-line reason, the rest go in.

    `index` adds the ingested results to the library (default: `ui.library_ops.add_results_to_library`).
    """
    from index.errors import LibraryError
    from ui.library_ops import add_results_to_library
    from ui.library_ops import known_hashes as library_hashes

    report = progress or (lambda _fraction, _text: None)
    index = index or add_results_to_library
    known = set((library_hashes(settings) if known_hashes is None else known_hashes).values())
    outcomes: list[UploadOutcome] = []
    pending: list[tuple[int, IngestResult]] = []
    total = max(1, len(files))
    for number, (name, data) in enumerate(files):
        report(0.8 * number / total, f"Reading {sanitise_name(name)}")
        outcome, result = _ingest_one(settings, name, data, known)
        if result is not None:
            known.add(result.meeting.sha256)
            pending.append((len(outcomes), result))
        outcomes.append(outcome)
    if pending:
        report(0.8, f"Indexing {sum(len(r.chunks) for _, r in pending)} passages")
        try:
            index(settings, [result for _, result in pending])
        except LibraryError as error:
            for position, _ in pending:
                outcomes[position] = UploadOutcome(outcomes[position].name, "failed", str(error))
    report(1.0, "Done")
    return outcomes


def _ingest_one(
    settings: Settings, name: str, data: bytes, known: set[str]
) -> tuple[UploadOutcome, IngestResult | None]:
    safe = sanitise_name(name)
    try:
        safe = check_upload(name, len(data), settings)
        if hashlib.sha256(data).hexdigest() in known:
            return UploadOutcome(safe, "unchanged", "already in the library"), None
        path = save_upload(uploads_dir(settings), safe, data)
    except IngestError as error:
        return UploadOutcome(safe, "failed", str(error)), None
    except OSError as error:
        return UploadOutcome(safe, "failed", f"cannot save it: {error.strerror or error}"), None
    try:
        result = ingest_file(path, settings)
    except IngestError as error:
        path.unlink(missing_ok=True)
        return UploadOutcome(path.name, "failed", str(error)), None
    except Exception as error:  # a reader's bug must cost one file, not the whole upload
        path.unlink(missing_ok=True)
        return UploadOutcome(path.name, "failed", f"could not be read ({type(error).__name__}: {error})"), None
    meeting = result.meeting
    label = f"{meeting.committee}, {meeting.meeting_date.day} {meeting.meeting_date:%B %Y}"
    return UploadOutcome(path.name, "added", meeting_id=meeting.meeting_id, label=label), result
