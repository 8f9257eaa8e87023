"""Reading a library version's manifest, meetings and passages, with the checks that make damage a clear error."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.cache import CACHE_DIR
from index.errors import LibraryError
from index.manifest import MANIFEST, Manifest, SourceRecord, parse_manifest
from index.storage import LOCK, VERSIONS, current_version, version_dir
from index.vectors import VECTORS
from ingest.models import Chunk, Meeting

MEETINGS = "meetings.jsonl"
CHUNKS = "chunks.jsonl"
ROW_IDS = "row_ids.json"

REINGEST = "delete the library and ingest your minutes again"
REBUILD = "rebuild it with `minutebook index --rebuild`"


def embed_text(chunk: Chunk) -> str:
    """What is embedded and keyword-indexed for a passage: its text with the item title as context."""
    return chunk.embed_text or chunk.text


def meeting_order(meeting: Meeting) -> tuple[str, str, str]:
    """Meetings (and so passage rows) are ordered by committee, date, id."""
    return (meeting.committee.casefold(), meeting.meeting_date.isoformat(), meeting.meeting_id)


@dataclass(frozen=True, slots=True)
class Records:
    """A version's manifest, meetings and passages: everything but the indexes built from them."""

    version: str
    manifest: Manifest
    meetings: dict[str, Meeting]
    chunks: list[Chunk]


def library_exists(path: Path) -> bool:
    """True when `path` holds a library with a live version (it may still fail to load)."""
    try:
        name = current_version(Path(path))
    except LibraryError:
        return True  # something is there; loading it will say what is wrong
    return name is not None and (version_dir(Path(path), name) / MANIFEST).is_file()


def live_version(path: Path) -> str:
    name = current_version(path)
    if name is None:
        ours = {LOCK, VERSIONS, CACHE_DIR}  # what a first update that never finished leaves
        if path.is_dir() and any(entry.name not in ours for entry in path.iterdir()):
            raise LibraryError(f"{path} is not a minutebook library (no {path / 'CURRENT'}); {REINGEST}")
        raise LibraryError(f"there is no library at {path}; add minutes with `minutebook ingest FILES`")
    return name


def read_manifest(path: Path, name: str) -> Manifest:
    where = version_dir(path, name) / MANIFEST
    try:
        raw = where.read_bytes()
    except FileNotFoundError:
        raise  # the version was collected under us, or never completed: the caller decides
    except OSError as error:
        raise LibraryError(f"cannot read {where}: {error.strerror}") from None
    return parse_manifest(raw, str(where))


def source_records(path: Path) -> dict[str, SourceRecord]:
    """Each source file's sha256, size, ingest time and meeting, from the manifest alone (cheap)."""
    path = Path(path)
    if current_version(path) is None:
        return {}
    return retrying(path, lambda name: read_manifest(path, name)).sources


def retrying(path: Path, read: Callable[[str], Any]) -> Any:
    """Run `read(version)`, again if a writer swapped and collected the version while it was being read."""
    name = live_version(path)
    for _attempt in range(5):
        try:
            return read(name)
        except FileNotFoundError as error:
            newer = live_version(path)
            if newer == name:
                missing = Path(error.filename) if error.filename else version_dir(path, name)
                fix = REINGEST if missing.name in (MANIFEST, MEETINGS, CHUNKS) or missing.name == name else REBUILD
                raise LibraryError(f"the library {path} is incomplete: {missing} is missing; {fix}") from None
            name = newer
    raise LibraryError(f"the library {path} keeps changing while being read; try again")


def check_sizes(path: Path, name: str, manifest: Manifest, files: Sequence[str]) -> None:
    root = version_dir(path, name)
    for file in files:
        expected = manifest.files.get(file)
        if expected is None:
            if file in (MEETINGS, CHUNKS, ROW_IDS, VECTORS):
                raise LibraryError(f"{root / MANIFEST} does not list {file}; {REINGEST}")
            continue
        actual = (root / file).stat().st_size  # FileNotFoundError → retrying
        if actual != expected:
            fix = REINGEST if file in (MEETINGS, CHUNKS) else REBUILD
            raise LibraryError(
                f"{root / file} is {actual} bytes, but the manifest says {expected}: it was truncated or changed; {fix}"
            )


def read_jsonl(file: Path, parse: Callable[[dict[str, Any]], Any]) -> list[Any]:
    records = []
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                records.append(parse(json.loads(line)))
            except (ValueError, TypeError, KeyError) as error:
                raise LibraryError(f"{file} line {number} is not a valid record ({error}); {REINGEST}") from None
    return records


def read_version_records(path: Path, name: str) -> Records:
    manifest = read_manifest(path, name)
    check_sizes(path, name, manifest, [MEETINGS, CHUNKS])
    root = version_dir(path, name)
    meetings = read_jsonl(root / MEETINGS, Meeting.from_json)
    chunks = read_jsonl(root / CHUNKS, Chunk.from_json)
    if len(meetings) != manifest.meetings or len(chunks) != manifest.passages:
        raise LibraryError(
            f"{root} holds {len(meetings)} meetings and {len(chunks)} passages, but its manifest says "
            f"{manifest.meetings} and {manifest.passages}; {REINGEST}"
        )
    return Records(name, manifest, {m.meeting_id: m for m in meetings}, chunks)


def read_records(path: Path) -> Records:
    """The live version's manifest, meetings and passages, without loading the indexes or the model."""
    path = Path(path)
    return retrying(path, lambda name: read_version_records(path, name))


def check_model(path: Path, manifest: Manifest, name: str, dim: int) -> None:
    if (manifest.model_name, manifest.model_dim) != (name, dim):
        raise LibraryError(
            f"the library {path} was built with {manifest.model_name} ({manifest.model_dim}-d vectors), "
            f"not {name} ({dim}-d); {REBUILD}"
        )
