"""Sentence vectors stored with the library, so highlighting a passage needs no model at question time.

Each passage's sentences (`ingest.sentences.split_sentences` of its text) get a unit vector when the passage is
embedded (`Encoder.encode_passages`). They are kept as int8 codes with a float32 scale per sentence (a quarter of
float32; cosine to the float32 vector ≥ 0.999), in `sentences/` beside `faiss.index`:

    offsets.npy   int64 (passages + 1,)   passage row r has sentences offsets[r] .. offsets[r + 1]
    spans.npy     int32 (sentences, 2)    [start, end) of each sentence in its passage's text
    scales.npy    float32 (sentences,)    vector = codes × scale
    vectors.npy   int8 (sentences, dim)

All four are memory-mapped on load, so opening a library does not read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.encoder import normalise_rows

SENTENCES_DIR = "sentences"
OFFSETS, SPANS, SCALES, CODES = "offsets.npy", "spans.npy", "scales.npy", "vectors.npy"
FILES = tuple(f"{SENTENCES_DIR}/{name}" for name in (OFFSETS, SPANS, SCALES, CODES))


@dataclass(frozen=True, slots=True)
class SentenceRows:
    """One passage's sentences: spans (k, 2) int32, int8 codes (k, dim) and float32 scales (k,)."""

    spans: np.ndarray
    codes: np.ndarray
    scales: np.ndarray

    @classmethod
    def quantise(cls, spans: Sequence[tuple[int, int]], vectors: np.ndarray) -> SentenceRows:
        """Int8 codes with a per-sentence scale (the largest component maps to ±127)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        vectors = vectors.reshape(len(spans), vectors.shape[-1] if vectors.ndim > 1 else -1)
        peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0, dtype=np.float32)
        scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
        codes = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
        return cls(np.asarray(spans, dtype=np.int32).reshape(-1, 2), codes, scales)

    def vectors(self) -> np.ndarray:
        """The unit float32 sentence vectors (k, dim)."""
        return normalise_rows(self.codes.astype(np.float32) * self.scales[:, None])

    def shifted(self, by: int) -> SentenceRows:
        """The same sentences with their spans moved by `by` characters."""
        return SentenceRows(self.spans + np.int32(by), self.codes, self.scales)

    def to_blob(self) -> bytes:
        """spans, scales and codes, concatenated (k × (12 + dim) bytes)."""
        return self.spans.astype("<i4").tobytes() + self.scales.astype("<f4").tobytes() + self.codes.tobytes()

    @classmethod
    def from_blob(cls, blob: bytes, dim: int) -> SentenceRows | None:
        """The sentences in `blob`, or None if it does not hold whole rows of `dim`."""
        width = 12 + dim
        if len(blob) % width:
            return None
        k = len(blob) // width
        spans = np.frombuffer(blob, dtype="<i4", count=2 * k).reshape(k, 2).astype(np.int32)
        scales = np.frombuffer(blob, dtype="<f4", count=k, offset=8 * k).astype(np.float32)
        codes = np.frombuffer(blob, dtype=np.int8, offset=12 * k).reshape(k, dim)
        return cls(spans, codes, scales)


def save_sentences(directory: Path, passages: Sequence[SentenceRows], dim: int) -> None:
    """Write the sentences of every passage, in row order, into `directory`."""
    directory.mkdir()
    counts = np.fromiter((len(rows.spans) for rows in passages), dtype=np.int64, count=len(passages))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    empty = SentenceRows.quantise([], np.zeros((0, dim), dtype=np.float32))
    parts = [rows for rows in passages if len(rows.spans)] or [empty]
    np.save(directory / OFFSETS, offsets)
    np.save(directory / SPANS, np.concatenate([rows.spans for rows in parts]).astype(np.int32))
    np.save(directory / SCALES, np.concatenate([rows.scales for rows in parts]).astype(np.float32))
    np.save(directory / CODES, np.concatenate([rows.codes for rows in parts]).astype(np.int8))


class SentenceStore:
    """A version's sentence vectors, memory-mapped."""

    def __init__(self, offsets: np.ndarray, spans: np.ndarray, scales: np.ndarray, codes: np.ndarray) -> None:
        self.offsets, self.spans, self.scales, self.codes = offsets, spans, scales, codes

    @classmethod
    def load(cls, directory: Path, passages: int, dim: int) -> SentenceStore:
        """The store in `directory`; ValueError when its arrays do not fit `passages` and `dim` together
        (FileNotFoundError when one is missing)."""
        arrays = [np.load(directory / name, mmap_mode="r", allow_pickle=False) for name in (OFFSETS, SPANS, SCALES)]
        offsets, spans, scales = arrays
        codes = np.load(directory / CODES, mmap_mode="r", allow_pickle=False)
        total = len(codes)
        fits = (
            offsets.dtype == np.int64
            and offsets.shape == (passages + 1,)
            and spans.dtype == np.int32
            and spans.shape == (total, 2)
            and scales.shape == (total,)
            and codes.dtype == np.int8
            and codes.shape == (total, dim)
            and int(offsets[0]) == 0
            and int(offsets[-1]) == total
            and bool(np.all(np.diff(offsets) >= 0))
        )
        if not fits:
            raise ValueError(f"they do not hold the sentences of {passages} passages as {dim}-d vectors")
        return cls(offsets, spans, scales, codes)

    def rows(self, row: int) -> SentenceRows:
        begin, end = int(self.offsets[row]), int(self.offsets[row + 1])
        return SentenceRows(
            np.array(self.spans[begin:end]), np.array(self.codes[begin:end]), np.array(self.scales[begin:end])
        )

    def get(self, row: int) -> tuple[list[tuple[int, int]], np.ndarray]:
        """Passage `row`'s sentence spans (in its text) and unit float32 vectors (k, dim)."""
        found = self.rows(row)
        return [(int(start), int(end)) for start, end in found.spans], found.vectors()
