"""The library: every meeting, its passages, and the dense and keyword indexes over them, in one directory.

`Library.load` opens the live version read-only; `update_library`, `remove_from_library` and `rebuild_library`
(from `index.update`) write a complete new version and swap it in atomically (see `index.storage` and
FORMATS.md, "Library").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from index.encoder import Encoder, load_encoder
from index.errors import LibraryError
from index.keyword import KEYWORD_DIR, KeywordIndex
from index.manifest import FORMAT_VERSION, Manifest, SourceRecord
from index.records import (
    CHUNKS,
    REBUILD,
    ROW_IDS,
    Records,
    check_model,
    check_sizes,
    embed_text,
    library_exists,
    meeting_order,
    read_records,
    read_version_records,
    retrying,
    source_records,
)
from index.sentences import FILES as SENTENCE_FILES
from index.sentences import SENTENCES_DIR, SentenceStore
from index.storage import current_version, version_dir
from index.update import UpdateReport, rebuild_library, remove_from_library, update_library
from index.vectors import VECTORS, load_vectors, search_vectors, valid_rows
from ingest.models import Chunk, Meeting
from ingest.settings import Settings, load_settings

__all__ = [
    "FORMAT_VERSION",
    "Library",
    "LibraryError",
    "Manifest",
    "Records",
    "SourceRecord",
    "UpdateReport",
    "embed_text",
    "library_exists",
    "open_library",
    "read_records",
    "rebuild_library",
    "remove_from_library",
    "source_records",
    "update_library",
]


class Library:
    """A loaded library version: meetings, passages (row i of both indexes is `chunks[i]`) and search."""

    def __init__(
        self,
        path: Path,
        records: Records,
        vectors: Any,
        keyword: KeywordIndex,
        encoder: Encoder | None,
        settings: Settings | None,
        sentences: SentenceStore | None = None,
    ) -> None:
        self.path = path
        self.version = records.version
        self.manifest = records.manifest
        self.meetings = records.meetings
        self.chunks = records.chunks
        self._vectors = vectors
        self._keyword = keyword
        self._sentences = sentences
        self._encoder = encoder
        self._settings = settings
        self._rows = {chunk.chunk_id: row for row, chunk in enumerate(self.chunks)}
        self._meeting_rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(self.chunks):
            self._meeting_rows.setdefault(chunk.meeting_id, []).append(row)

    @classmethod
    def load(cls, path: Path, encoder: Encoder | None = None, *, settings: Settings | None = None) -> Library:
        """Open the live version of the library at `path`.

        Refuses (LibraryError) a library built with another model or dimension than `encoder`'s (or, without
        an encoder, than `settings`'), a newer format, or missing, truncated or corrupt files. Without an
        encoder, the one the settings name is loaded when first needed.
        """
        path = Path(path)
        return retrying(path, lambda name: cls._load(path, name, encoder, settings))  # type: ignore[no-any-return]

    @classmethod
    def _load(cls, path: Path, name: str, encoder: Encoder | None, settings: Settings | None) -> Library:
        records = read_version_records(path, name)
        manifest = records.manifest
        if encoder is not None:
            check_model(path, manifest, encoder.name, encoder.dim)
        elif settings is not None:
            check_model(path, manifest, settings.model_name, settings.model_dim)
        root = version_dir(path, name)
        keyword_files = sorted(f for f in manifest.files if f.startswith(f"{KEYWORD_DIR}/"))
        check_sizes(path, name, manifest, [ROW_IDS, VECTORS, *keyword_files])
        try:
            row_ids = json.loads((root / ROW_IDS).read_bytes())
        except ValueError:
            row_ids = None
        if row_ids != [chunk.chunk_id for chunk in records.chunks]:
            raise LibraryError(f"{root / ROW_IDS} does not match {root / CHUNKS}; {REBUILD}")
        try:
            vectors = load_vectors(root / VECTORS)
        except RuntimeError:
            if not (root / VECTORS).exists():
                raise FileNotFoundError(2, "missing", str(root / VECTORS)) from None
            raise LibraryError(f"{root / VECTORS} is not a readable FAISS index; {REBUILD}") from None
        if vectors.ntotal != len(records.chunks) or vectors.d != manifest.model_dim:
            raise LibraryError(
                f"{root / VECTORS} holds {vectors.ntotal} {vectors.d}-d vectors, not {len(records.chunks)} "
                f"{manifest.model_dim}-d; {REBUILD}"
            )
        try:
            keyword = KeywordIndex.load(root / KEYWORD_DIR, len(records.chunks))
        except FileNotFoundError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise LibraryError(
                f"the keyword index in {root / KEYWORD_DIR} is unreadable ({error}); {REBUILD}"
            ) from None
        sentences = None
        if all(file in manifest.files for file in SENTENCE_FILES):  # absent from libraries written before them
            check_sizes(path, name, manifest, list(SENTENCE_FILES))
            try:
                sentences = SentenceStore.load(root / SENTENCES_DIR, len(records.chunks), manifest.model_dim)
            except FileNotFoundError:
                raise
            except (OSError, ValueError) as error:
                raise LibraryError(
                    f"the sentence vectors in {root / SENTENCES_DIR} are unreadable ({error}); {REBUILD}"
                ) from None
        return cls(path, records, vectors, keyword, encoder, settings, sentences)

    # -- the model, loaded on first use

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            settings = self._settings or load_settings(self.path)
            encoder = load_encoder(settings)
            check_model(self.path, self.manifest, encoder.name, encoder.dim)
            self._encoder = encoder
        return self._encoder

    def encode_query(self, text: str) -> np.ndarray:
        """The question's unit vector, shape (dim,)."""
        return self.encoder.encode([text])[0]

    def sentences(self, row: int) -> tuple[list[tuple[int, int]], np.ndarray] | None:
        """Passage `row`'s sentence spans (offsets into its text) and their unit vectors (k, dim) float32,
        computed when the library was built; None for a library written before sentence vectors were stored."""
        return None if self._sentences is None else self._sentences.get(row)

    # -- search

    def dense_search(self, query_vector: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` rows nearest `query_vector` by inner product (cosine), best first; only `rows` if given."""
        return search_vectors(self._vectors, query_vector, k, rows)

    def keyword_search(self, query: str, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` rows with the highest BM25 score for `query`, best first (ties by row); only `rows` if given.

        Passages sharing no (stemmed, non-stopword) term with the query score 0 and are never returned.
        """
        if k <= 0 or not self.chunks:
            return []
        scores = self._keyword.scores(query)
        if rows is None:
            candidates, selected = None, scores
        else:
            candidates = valid_rows(rows, len(scores))
            selected = scores[candidates]
        matching = selected > 0
        if k < len(selected):
            # Only the k best can be returned: keep the scores at least the k-th best (ties included, so they
            # still break by row) before sorting. Sorting every match took 44 ms at 100k passages and 650 ms at
            # 1M (half of them matching, busy 2 cores); this takes 5 and 55.
            kth = np.partition(selected, len(selected) - k)[len(selected) - k]
            matching &= selected >= kth
        keep = np.flatnonzero(matching)
        found = keep if candidates is None else candidates[keep]
        order = np.lexsort((found, -selected[keep]))[:k]
        return [(int(found[i]), float(selected[keep[i]])) for i in order]

    def term_frequencies(self) -> tuple[int, Counter[str]] | None:
        """(passages, the passages holding each content term) as counted when the index was built; None for a
        library built before they were counted."""
        return self._keyword.term_frequencies

    # -- passages and meetings

    def chunk_by_id(self, chunk_id: str) -> Chunk:
        """The passage with this id; KeyError if the library has none."""
        return self.chunks[self._rows[chunk_id]]

    def row_of(self, chunk_id: str) -> int:
        return self._rows[chunk_id]

    def rows_for(self, predicate: Callable[[Chunk], bool], within: np.ndarray | None = None) -> np.ndarray:
        """The rows (int64, ascending) of the passages for which `predicate` holds, for filtered searches;
        only among the rows `within` if given (e.g. `rows_of_meetings(...)`: testing every passage of a 100k
        library in Python takes ~65 ms a call)."""
        if within is None:
            return np.fromiter((row for row, chunk in enumerate(self.chunks) if predicate(chunk)), dtype=np.int64)
        rows = valid_rows(within, len(self.chunks))
        return np.fromiter((row for row in rows.tolist() if predicate(self.chunks[row])), dtype=np.int64)

    def rows_of_meetings(self, meeting_ids: Iterable[str]) -> np.ndarray:
        """The rows (int64, ascending) of these meetings' passages; unknown ids have none."""
        found = [row for meeting_id in set(meeting_ids) for row in self._meeting_rows.get(meeting_id, ())]
        return np.array(sorted(found), dtype=np.int64)

    def meeting_of(self, chunk: Chunk) -> Meeting:
        return self.meetings[chunk.meeting_id]

    def committees(self) -> list[str]:
        return sorted({meeting.committee for meeting in self.meetings.values()})

    def meetings_sorted(self) -> list[Meeting]:
        """Meetings by committee, then date."""
        return sorted(self.meetings.values(), key=meeting_order)

    def is_current(self) -> bool:
        """False once a writer has swapped in a newer version (the page then reloads)."""
        return current_version(self.path) == self.version


def open_library(path: Path, encoder: Encoder | None = None, *, settings: Settings | None = None) -> Library | None:
    """The library at `path`, or None if there is none yet (other problems still raise LibraryError)."""
    if current_version(Path(path)) is None:
        return None
    return Library.load(Path(path), encoder, settings=settings)
