"""A cache of embeddings by (model name, sha256 of the embedded text), so re-indexing unchanged passages is free.

Each entry holds the passage vector and, since sentence vectors came in, the passage's sentence spans and vectors
(`index.sentences.SentenceRows` as a blob); an entry written before has none, and its passage is embedded again.

It is one SQLite file under the library's `embeddings-cache/`: SQLite's journal makes every write atomic, so a
process killed mid-write leaves the previous cache. A cache that cannot be read is moved aside and rebuilt;
the cache only ever saves work, the library never depends on it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from index.encoder import Encoder, Spans, cache_key
from index.sentences import SentenceRows

CACHE_DIR = "embeddings-cache"
CACHE_FILE = "embeddings.sqlite3"
_BATCH = 500  # keys per `IN (...)` query, below SQLite's variable limit


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors stored as float32 blobs keyed by (model, text sha256)."""

    def __init__(self, library: Path) -> None:
        self.path = Path(library) / CACHE_DIR / CACHE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            self.path.replace(self.path.with_name(f"{CACHE_FILE}.corrupt-{int(time.time())}"))
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings ("
            " model TEXT NOT NULL, sha256 TEXT NOT NULL, vector BLOB NOT NULL,"
            " sentences BLOB, PRIMARY KEY (model, sha256)) WITHOUT ROWID"
        )
        columns = {row[1] for row in db.execute("PRAGMA table_info(embeddings)")}
        if "sentences" not in columns:  # a cache written before sentence vectors: NULL = not computed
            db.execute("ALTER TABLE embeddings ADD COLUMN sentences BLOB")
        db.commit()
        return db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get_passages(self, model: str, dim: int, keys: Iterable[str]) -> dict[str, tuple[np.ndarray, SentenceRows]]:
        """The cached vectors among `keys` that have their sentence vectors too."""
        unique = list(dict.fromkeys(keys))
        found: dict[str, tuple[np.ndarray, SentenceRows]] = {}
        for begin in range(0, len(unique), _BATCH):
            batch = unique[begin : begin + _BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT sha256, vector, sentences FROM embeddings WHERE model = ? AND sha256 IN ({marks})"
                " AND sentences IS NOT NULL",
                [model, *batch],
            )
            for key, blob, sentences in rows:
                parsed = SentenceRows.from_blob(sentences, dim)
                if len(blob) == dim * 4 and parsed is not None:
                    found[key] = (np.frombuffer(blob, dtype=np.float32), parsed)
        return found

    def put(self, model: str, vectors: dict[str, np.ndarray], sentences: dict[str, SentenceRows] | None = None) -> None:
        """Store vectors by text sha256, with each text's sentences (spans in the embedded text) when given."""
        sentences = sentences or {}
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings (model, sha256, vector, sentences) VALUES (?, ?, ?, ?)",
                [
                    (model, key, np.asarray(v, dtype=np.float32).tobytes(), _blob(sentences.get(key)))
                    for key, v in vectors.items()
                ],
            )

    def count(self, model: str) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?", [model]).fetchone()[0])

    def prune(self, model: str, keep: set[str]) -> int:
        """Drop this model's vectors whose text is not in `keep`, when they outnumber those kept; returns how many."""
        stale = [
            key
            for (key,) in self._db.execute("SELECT sha256 FROM embeddings WHERE model = ?", [model])
            if key not in keep
        ]
        if len(stale) <= max(len(keep), 1000):
            return 0
        with self._db:
            self._db.executemany("DELETE FROM embeddings WHERE model = ? AND sha256 = ?", [(model, k) for k in stale])
        return len(stale)


def _blob(rows: SentenceRows | None) -> bytes | None:
    return None if rows is None else rows.to_blob()


def embed_passages_with_cache(
    texts: Sequence[str],
    spans: Sequence[Spans],
    encoder: Encoder,
    cache: EmbeddingCache | None,
    *,
    known: dict[str, tuple[np.ndarray, SentenceRows]] | None = None,
    progress: bool = False,
) -> tuple[np.ndarray, list[SentenceRows], int]:
    """Passage vectors and sentence vectors for `texts`, whose sentences are at `spans` (in each text), taken
    from `known` (sha256 → vector and sentences), then the cache, then `encoder.encode_passages`. Stored
    sentences count only when their spans are the ones asked for (the splitter may have changed since).

    Returns the (n, dim) float32 matrix, each text's sentences, and how many texts the encoder had to embed.
    """
    keys = [text_sha256(text) for text in texts]
    wanted: dict[str, np.ndarray] = {}  # the spans of each text's first occurrence
    for key, found_spans in zip(keys, spans, strict=True):
        wanted.setdefault(key, np.asarray(found_spans, dtype=np.int32).reshape(-1, 2))

    def fits(entry: tuple[np.ndarray, SentenceRows], key: str) -> bool:
        return np.array_equal(entry[1].spans, wanted[key])

    found: dict[str, tuple[np.ndarray, SentenceRows]] = {}
    if known:
        found.update((key, known[key]) for key in wanted if key in known and fits(known[key], key))
    missing = [key for key in wanted if key not in found]
    if missing and cache is not None:
        cached = cache.get_passages(cache_key(encoder), encoder.dim, missing)
        found.update((key, entry) for key, entry in cached.items() if fits(entry, key))
    first = {key: row for row, key in reversed(list(enumerate(keys)))}
    to_embed = [key for key in wanted if key not in found]
    if to_embed:
        rows = [first[key] for key in to_embed]
        vectors, sentences = encoder.encode_passages(
            [texts[row] for row in rows], [spans[row] for row in rows], progress=progress
        )
        new = {
            key: (vector, SentenceRows.quantise(spans[row], matrix))
            for key, row, vector, matrix in zip(to_embed, rows, vectors, sentences, strict=True)
        }
        found.update(new)
        if cache is not None:
            cache.put(
                cache_key(encoder), {key: v for key, (v, _) in new.items()}, {key: s for key, (_, s) in new.items()}
            )
    matrix = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    for row, key in enumerate(keys):
        matrix[row] = found[key][0]
    return matrix, [found[key][1] for key in keys], len(to_embed)
