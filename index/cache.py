"""A cache of embeddings by (model name, sha256 of the embedded text), so re-indexing unchanged passages is free.

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

from index.encoder import Encoder

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
            " PRIMARY KEY (model, sha256)) WITHOUT ROWID"
        )
        db.commit()
        return db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, model: str, dim: int, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors among `keys` (blobs of the wrong size are ignored)."""
        unique = list(dict.fromkeys(keys))
        found: dict[str, np.ndarray] = {}
        for begin in range(0, len(unique), _BATCH):
            batch = unique[begin : begin + _BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT sha256, vector FROM embeddings WHERE model = ? AND sha256 IN ({marks})", [model, *batch]
            )
            for key, blob in rows:
                if len(blob) == dim * 4:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings (model, sha256, vector) VALUES (?, ?, ?)",
                [(model, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in vectors.items()],
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


def embed_with_cache(
    texts: Sequence[str],
    encoder: Encoder,
    cache: EmbeddingCache | None,
    *,
    known: dict[str, np.ndarray] | None = None,
    progress: bool = False,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, taking them from `known` (sha256 → vector), then the cache, then the encoder.

    Returns the (n, dim) float32 matrix and how many texts the encoder had to embed.
    """
    keys = [text_sha256(text) for text in texts]
    vectors: dict[str, np.ndarray] = {}
    if known:
        vectors.update((key, known[key]) for key in keys if key in known)
    missing = [key for key in dict.fromkeys(keys) if key not in vectors]
    if missing and cache is not None:
        vectors.update(cache.get(encoder.name, encoder.dim, missing))
    first_text = {key: text for key, text in zip(keys, texts, strict=True)}
    to_embed = [key for key in dict.fromkeys(keys) if key not in vectors]
    if to_embed:
        fresh = encoder.encode([first_text[key] for key in to_embed], progress=progress)
        new = dict(zip(to_embed, fresh, strict=True))
        vectors.update(new)
        if cache is not None:
            cache.put(encoder.name, new)
    matrix = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    for row, key in enumerate(keys):
        matrix[row] = vectors[key]
    return matrix, len(to_embed)
