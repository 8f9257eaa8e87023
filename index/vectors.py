"""The dense index over unit vectors, row i being passage i: exact FAISS inner product below
`APPROXIMATE_FROM` passages, an inverted-file index (IVF) from there on.

Exact search reads every vector: on one core that is ~10 ms a question at 100k passages and ~100 ms at 1M,
so large libraries cluster the vectors (about 4·√n lists) and search the `NPROBE` lists nearest the question;
bench/results/ has recall@10 against exact search and the latencies that set these constants. IVF-Flat keeps
the vectors themselves, so they are reconstructed exactly when the library is updated.

Indexes are memory-mapped when loaded (the OS pages vectors in as searches touch them), so opening a library
does not read its whole `faiss.index` first. A search restricted to a few rows (a filter, one item's passages)
scores just those rows exactly instead of scanning the index with a selector.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import faiss
import numpy as np

VECTORS = "faiss.index"
APPROXIMATE_FROM = 200_000  # passages from which the index is IVF (exact search is ~20 ms per question there)
NPROBE = 64  # lists searched per question: recall@10 0.95 at 10k, 0.975 at 100k (bench/results)
TRAIN_PER_LIST = 40  # k-means training vectors per list (FAISS warns below 39)
EXACT_ROWS = 20_000  # a search among at most this many rows scores them directly


def list_count(n: int) -> int:
    """IVF lists for `n` vectors: ~4·√n, the usual rule, so a list holds ~√n/4 vectors."""
    return max(64, min(16_384, int(4 * math.sqrt(n))))


def build_vectors(vectors: np.ndarray, dim: int, approximate_from: int = APPROXIMATE_FROM) -> faiss.Index:
    """An exact index, or an IVF one when there are at least `approximate_from` vectors."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    if n < approximate_from:
        flat = faiss.IndexFlatIP(dim)
        if n:
            flat.add(vectors)
        return flat
    lists = list_count(n)
    quantizer = faiss.IndexFlatIP(dim)
    index: Any = faiss.IndexIVFFlat(quantizer, dim, lists, faiss.METRIC_INNER_PRODUCT)
    sample = min(n, TRAIN_PER_LIST * lists)
    rows = np.sort(np.random.default_rng(0).choice(n, size=sample, replace=False)) if sample < n else slice(None)
    index.train(vectors[rows])
    index.add(vectors)
    index.nprobe = min(NPROBE, lists)
    index.own_fields = True  # the index frees its quantizer
    quantizer.this.disown()  # type: ignore[attr-defined]
    return index


def save_vectors(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_vectors(path: Path) -> faiss.Index:
    """The index at `path`, memory-mapped where FAISS can. Raises RuntimeError (FAISS's own) when the file is
    missing or not a whole index."""
    index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
    _direct_map(index)
    return index


def _ivf(index: faiss.Index) -> faiss.IndexIVF | None:
    downcast = faiss.downcast_index(index)
    return downcast if isinstance(downcast, faiss.IndexIVF) else None


def _direct_map(index: faiss.Index) -> None:
    """Give an IVF index its row → list position map, which `reconstruct` needs (a few ms at 1M rows)."""
    ivf = _ivf(index)
    if ivf is not None and ivf.direct_map.type == faiss.DirectMap.NoMap:  # type: ignore[attr-defined]
        ivf.make_direct_map()


def is_approximate(index: faiss.Index) -> bool:
    return _ivf(index) is not None


def all_vectors(index: faiss.Index) -> np.ndarray:
    """Every stored vector, (ntotal, d) float32."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    _direct_map(index)
    return index.reconstruct_n(0, index.ntotal)


def _rows_vectors(index: faiss.Index, rows: np.ndarray) -> np.ndarray:
    flat = faiss.downcast_index(index)
    if isinstance(flat, faiss.IndexFlat):
        stored = faiss.rev_swig_ptr(flat.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)
        return stored[rows]  # type: ignore[no-any-return]
    _direct_map(index)
    return index.reconstruct_batch(rows)  # type: ignore[no-any-return]


def _top(scores: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The `k` best (row, score), best first, ties by row."""
    if k < len(scores):
        keep = np.argpartition(-scores, k - 1)[:k]
        threshold = scores[keep].min()
        keep = np.flatnonzero(scores >= threshold)  # every row tied with the k-th, so ties break by row
        rows, scores = rows[keep], scores[keep]
    order = np.lexsort((rows, -scores))[:k]
    return [(int(rows[i]), float(scores[i])) for i in order]


def valid_rows(rows: np.ndarray, count: int) -> np.ndarray:
    """`rows` as int64, ascending, without repeats, within [0, count). Rows already strictly ascending (as
    `Library.rows_of_meetings` gives them) skip the sort: np.unique took ~6 ms a search at 84k rows."""
    rows = np.asarray(rows, dtype=np.int64).ravel()
    if len(rows) > 1 and not bool(np.all(rows[1:] > rows[:-1])):
        rows = np.unique(rows)
    if len(rows) and (rows[0] < 0 or rows[-1] >= count):
        rows = rows[(rows >= 0) & (rows < count)]
    return rows


def search_vectors(index: faiss.Index, query: np.ndarray, k: int, rows: np.ndarray | None) -> list[tuple[int, float]]:
    """The `k` best (row, inner product), best first, among `rows` if given. FAISS's -1 padding is dropped."""
    n = index.ntotal
    if rows is not None:
        rows = valid_rows(rows, n)
        n = len(rows)
    k = min(k, n)
    if k <= 0:
        return []
    query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
    if query.shape[1] != index.d:
        raise ValueError(f"query vector has {query.shape[1]} dimensions, the index {index.d}")
    if rows is not None and len(rows) <= EXACT_ROWS:
        return _top(_rows_vectors(index, rows) @ query[0], rows, k)
    # One query at a time: FAISS's OpenMP threads cost more than they save here (0.9 ms → 0.35 ms at 10k rows).
    faiss.omp_set_num_threads(1)
    if rows is None:
        scores, ids = index.search(query, k)
    else:
        selector = faiss.IDSelectorBatch(rows)
        ivf = _ivf(index)
        params: Any = (
            faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            if ivf is None
            else faiss.SearchParametersIVF(sel=selector, nprobe=ivf.nprobe)  # type: ignore[call-arg]
        )
        scores, ids = index.search(query, k, params=params)  # type: ignore[call-arg]
    return [(int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
