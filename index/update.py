"""Writing the library: add, replace and remove meetings, or rebuild the indexes, as one new atomic version."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index import storage
from index.cache import EmbeddingCache, embed_passages_with_cache, text_sha256
from index.encoder import Encoder, backend_of, cache_key
from index.errors import LibraryError
from index.keyword import KEYWORD_DIR, KeywordIndex
from index.manifest import FORMAT_VERSION, MANIFEST, Manifest, SourceRecord, chunking_of, minutebook_version
from index.records import (
    CHUNKS,
    MEETINGS,
    ROW_IDS,
    Records,
    check_model,
    embed_text,
    meeting_order,
    read_records,
)
from index.sentences import SENTENCES_DIR, SentenceRows, SentenceStore, save_sentences
from index.storage import current_version, new_version, version_dir, writer_lock
from index.vectors import VECTORS, all_vectors, build_vectors, load_vectors, save_vectors
from ingest.models import Chunk, Meeting
from ingest.sentences import split_sentences
from ingest.settings import Settings

LOCK_TIMEOUT = 30.0  # seconds a writer waits for another to finish


@dataclass(frozen=True, slots=True)
class UpdateReport:
    """What an update did. Meeting ids in `added`, `replaced`, `removed`; passage counts after it."""

    library: Path
    version: str | None  # the new live version, or None when nothing changed
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    meetings: int = 0
    passages: int = 0
    embedded: int = 0  # passages the model had to embed
    reused: int = 0  # passages whose vectors came from the library or the embedding cache
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return self.version is not None


def _resolve(target: str, meetings: dict[str, Meeting], sources: dict[str, str], *, by_name: bool) -> str:
    """The meeting id `target` names: a meeting id, a source path (as stored or as a path to the same file),
    or, with `by_name`, a source file's name."""
    if target in meetings:
        return target
    if target in sources:
        return sources[target]
    resolved = os.path.realpath(target)
    for source, meeting_id in sources.items():
        if os.path.realpath(source) == resolved:
            return meeting_id
    if by_name:
        named = sorted(source for source in sources if Path(source).name == target)
        if len(named) == 1:
            return sources[named[0]]
        if named:
            raise LibraryError(
                f"{target!r} names {len(named)} files in the library ({', '.join(named)}); give the full path"
            )
    raise LibraryError(f"the library has no meeting or file {target!r}; see `minutebook library`")


def _check_addition(meeting: Meeting, chunks: Sequence[Chunk]) -> None:
    for chunk in chunks:
        if chunk.meeting_id != meeting.meeting_id:
            raise ValueError(f"passage {chunk.chunk_id} belongs to {chunk.meeting_id}, not {meeting.meeting_id}")
        if meeting.text[chunk.start : chunk.end] != chunk.text:
            raise ValueError(f"passage {chunk.chunk_id} does not match its meeting's text at {chunk.start}")


def update_library(
    path: Path,
    additions: Sequence[tuple[Meeting, Sequence[Chunk], SourceRecord]],
    encoder: Encoder,
    settings: Settings,
    *,
    remove: Sequence[str] = (),
    progress: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> UpdateReport:
    """Add or replace meetings and remove others, writing a complete new library version atomically.

    A meeting replaces the library's meeting with the same id and the meeting from the same source file.
    `remove` names meeting ids or source paths (unknown ones raise LibraryError). Only passages whose text is
    in neither the current library nor the embedding cache are embedded. The source record's meeting_id is
    taken from its meeting.
    """
    return _update(Path(path), additions, encoder, settings, remove, progress, lock_timeout, by_name=False)


def remove_from_library(
    path: Path,
    meeting_or_file: str,
    encoder: Encoder,
    settings: Settings,
    *,
    lock_timeout: float = LOCK_TIMEOUT,
) -> UpdateReport:
    """Take one meeting out, named by meeting id, source path or source file name (unknown → LibraryError)."""
    return _update(Path(path), (), encoder, settings, [meeting_or_file], False, lock_timeout, by_name=True)


def _update(
    path: Path,
    additions: Sequence[tuple[Meeting, Sequence[Chunk], SourceRecord]],
    encoder: Encoder,
    settings: Settings,
    remove: Sequence[str],
    progress: bool,
    lock_timeout: float,
    *,
    by_name: bool,
) -> UpdateReport:
    started = time.perf_counter()
    for meeting, chunks, _record in additions:
        _check_addition(meeting, chunks)
    with writer_lock(path, lock_timeout):
        old = read_records(path) if current_version(path) is not None else None
        if old is not None:
            check_model(path, old.manifest, encoder.name, encoder.dim)
        meetings = dict(old.meetings) if old else {}
        passages: dict[str, list[Chunk]] = {}
        for chunk in old.chunks if old else ():
            passages.setdefault(chunk.meeting_id, []).append(chunk)
        sources = dict(old.manifest.sources) if old else {}

        def drop(meeting_id: str) -> None:
            meetings.pop(meeting_id, None)
            passages.pop(meeting_id, None)
            for source in [s for s, r in sources.items() if r.meeting_id == meeting_id]:
                del sources[source]

        removed: list[str] = []
        for target in remove:
            meeting_id = _resolve(target, meetings, {s: r.meeting_id for s, r in sources.items()}, by_name=by_name)
            drop(meeting_id)
            removed.append(meeting_id)
        added: list[str] = []
        replaced: list[str] = []
        for meeting, chunks, record in additions:
            previous = {meeting.meeting_id} & meetings.keys()
            if meeting.source in sources:
                previous.add(sources[meeting.source].meeting_id)
            for meeting_id in previous:
                drop(meeting_id)
            (replaced if meeting.meeting_id in previous else added).append(meeting.meeting_id)
            replaced.extend(sorted(previous - {meeting.meeting_id}))
            meetings[meeting.meeting_id] = meeting
            passages[meeting.meeting_id] = list(chunks)
            sources[meeting.source] = replace(record, meeting_id=meeting.meeting_id)
        if not additions and not remove:
            total = sum(len(p) for p in passages.values())
            return UpdateReport(path, None, meetings=len(meetings), passages=total)
        known = _stored_vectors(path, old, encoder) if old else {}
        version, embedded, total = _write_version(
            path, meetings, passages, sources, chunking_of(settings), encoder, known, progress
        )
    return UpdateReport(
        path,
        version,
        added=tuple(added),
        replaced=tuple(dict.fromkeys(replaced)),
        removed=tuple(removed),
        meetings=len(meetings),
        passages=total,
        embedded=embedded,
        reused=total - embedded,
        seconds=time.perf_counter() - started,
    )


def rebuild_library(
    path: Path,
    encoder: Encoder,
    *,
    progress: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> UpdateReport:
    """Rebuild the indexes from the library's stored meetings and passages with `encoder` (e.g. after a model
    change, or when `faiss.index` or the keyword index is damaged). Vectors come from the cache when it has
    them. The passages themselves are kept as they are: re-ingest to cut them with new chunking settings."""
    started = time.perf_counter()
    path = Path(path)
    with writer_lock(path, lock_timeout):
        old = read_records(path)
        passages: dict[str, list[Chunk]] = {}
        for chunk in old.chunks:
            passages.setdefault(chunk.meeting_id, []).append(chunk)
        same_model = (old.manifest.model_name, old.manifest.model_dim) == (encoder.name, encoder.dim)
        known = _stored_vectors(path, old, encoder) if same_model else {}
        version, embedded, total = _write_version(
            path, old.meetings, passages, old.manifest.sources, old.manifest.chunking, encoder, known, progress
        )
    return UpdateReport(
        path,
        version,
        replaced=tuple(sorted(old.meetings)),
        meetings=len(old.meetings),
        passages=total,
        embedded=embedded,
        reused=total - embedded,
        seconds=time.perf_counter() - started,
    )


def _stored_vectors(path: Path, old: Records, encoder: Encoder) -> dict[str, tuple[np.ndarray, SentenceRows]]:
    """The live version's passage and sentence vectors by embedded-text sha256, or nothing if its index cannot
    be read, it has no sentence vectors (a library written before them) or another back end made its vectors
    (torch's and the int8 model's differ slightly): then its passages are embedded again, so that one
    library's vectors all come from one encoder."""
    if old.manifest.encoder != backend_of(encoder):
        return {}
    root = version_dir(path, old.version)
    try:
        vectors = all_vectors(load_vectors(root / VECTORS))
        sentences = SentenceStore.load(root / SENTENCES_DIR, len(old.chunks), old.manifest.model_dim)
    except (RuntimeError, OSError, ValueError):
        return {}
    if len(vectors) != len(old.chunks) or vectors.shape[1] != old.manifest.model_dim:
        return {}
    return {
        text_sha256(embed_text(chunk)): (vector, sentences.rows(row).shifted(_text_offset(chunk)))
        for row, (chunk, vector) in enumerate(zip(old.chunks, vectors, strict=True))
    }


def _text_offset(chunk: Chunk) -> int:
    """Where the passage's text starts in what is embedded (after the item title and a newline)."""
    return len(embed_text(chunk)) - len(chunk.text)


def sentence_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """The passage's sentences as spans of what is embedded (`embed_text`), whose suffix is the text.

    Empty when the embedded text does not end with the passage's text (ingest never makes such a passage).
    """
    if not embed_text(chunk).endswith(chunk.text):
        return []
    offset = _text_offset(chunk)
    return [(start + offset, end + offset) for start, end in split_sentences(chunk.text)]


def _write_version(
    path: Path,
    meetings: dict[str, Meeting],
    passages: dict[str, list[Chunk]],
    sources: dict[str, SourceRecord],
    chunking: dict[str, Any],
    encoder: Encoder,
    known: dict[str, tuple[np.ndarray, SentenceRows]],
    progress: bool,
) -> tuple[str, int, int]:
    """Write a whole version (writer lock held) and make it live; returns its name, texts embedded, passages."""
    ordered = sorted(meetings.values(), key=meeting_order)
    chunks = [chunk for meeting in ordered for chunk in passages.get(meeting.meeting_id, ())]
    ids = [chunk.chunk_id for chunk in chunks]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise ValueError(f"passage id {duplicate} appears twice")
    texts = [embed_text(chunk) for chunk in chunks]
    spans = [sentence_spans(chunk) for chunk in chunks]
    with EmbeddingCache(path) as cache:
        vectors, sentences, embedded = embed_passages_with_cache(
            texts, spans, encoder, cache, known=known, progress=progress
        )
        cache.prune(cache_key(encoder), {text_sha256(text) for text in texts})
    storage.checkpoint("embedded")
    keyword = KeywordIndex.build(texts, chunks)
    with new_version(path) as root:
        _write_lines(root / MEETINGS, (meeting.to_json() for meeting in ordered))
        _write_lines(root / CHUNKS, (chunk_json(chunk) for chunk in chunks))
        storage.checkpoint("writing")
        (root / ROW_IDS).write_text(json.dumps(ids), encoding="utf-8")
        save_vectors(build_vectors(vectors, encoder.dim), root / VECTORS)
        save_sentences(
            root / SENTENCES_DIR,
            [rows.shifted(-_text_offset(chunk)) for chunk, rows in zip(chunks, sentences, strict=True)],
            encoder.dim,
        )
        keyword.save(root / KEYWORD_DIR)
        files = {
            file.relative_to(root).as_posix(): file.stat().st_size for file in sorted(root.rglob("*")) if file.is_file()
        }
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            minutebook_version=minutebook_version(),
            model_name=encoder.name,
            model_dim=encoder.dim,
            encoder=backend_of(encoder),
            chunking=dict(chunking),
            sources={source: sources[source] for source in sorted(sources)},
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            meetings=len(ordered),
            passages=len(chunks),
            files=files,
        )
        (root / MANIFEST).write_text(json.dumps(manifest.to_json(), indent=2, ensure_ascii=False) + "\n", "utf-8")
        name = root.name.removesuffix(".partial")
    return name, embedded, len(chunks)


_CHUNK_FIELDS = tuple(field.name for field in fields(Chunk))
_PLAIN = (str, int, float, bool, type(None))


def chunk_json(chunk: Chunk) -> dict[str, Any]:
    """`chunk.to_json()`, without `dataclasses.asdict`'s deep copies (a third of the time to write 10,000)."""
    data = {name: getattr(chunk, name) for name in _CHUNK_FIELDS}
    data["meeting_date"] = chunk.meeting_date.isoformat()
    if not all(isinstance(value, _PLAIN) for value in data.values()):
        return chunk.to_json()  # a field that is not a plain value: let the record serialise itself
    return data


def _write_lines(file: Path, records: Any) -> None:
    with file.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
