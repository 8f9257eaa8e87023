"""The dense index: exact below the size threshold, IVF above it (recall@10 against exact search >= 0.95),
memory-mapped loading, exact search among a subset of rows, and reconstruction of the stored vectors."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from index.vectors import (
    all_vectors,
    build_vectors,
    is_approximate,
    list_count,
    load_vectors,
    save_vectors,
    search_vectors,
)

DIM = 64


def clustered(n: int, centres: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors scattered round `centres` random directions (cosine ~0.94 to their centre), as passages
    of a large library scatter round topics; and the centres."""
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centres, DIM)).astype(np.float32)
    middle /= np.linalg.norm(middle, axis=1, keepdims=True)
    points = middle[rng.integers(0, centres, n)] + rng.standard_normal((n, DIM)).astype(np.float32) * (
        0.35 / np.sqrt(DIM)
    )
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32), middle


def recall_at(approximate: list[tuple[int, float]], exact: list[tuple[int, float]]) -> float:
    """Share of the exact top-k found, counting a row tied with the exact k-th score as found."""
    threshold = exact[-1][1] - 1e-5
    return sum(1 for _, score in approximate if score >= threshold) / len(exact)


def test_small_indexes_are_exact_and_large_ones_ivf() -> None:
    points, _ = clustered(3000, 30)
    assert not is_approximate(build_vectors(points, DIM))
    assert isinstance(build_vectors(points[:0], DIM), faiss.IndexFlatIP)
    ivf = build_vectors(points, DIM, approximate_from=2000)
    assert is_approximate(ivf) and ivf.ntotal == 3000
    assert list_count(1_000_000) == 4000 and list_count(100) == 64


def test_ivf_recall_at_10_against_exact_search_is_at_least_095(tmp_path: Path) -> None:
    points, centres = clustered(40_000, 400)
    exact = build_vectors(points, DIM)
    save_vectors(build_vectors(points, DIM, approximate_from=10_000), tmp_path / "faiss.index")
    approximate = load_vectors(tmp_path / "faiss.index")
    rng = np.random.default_rng(1)
    queries = centres[:100] + rng.standard_normal((100, DIM)).astype(np.float32) * (0.6 / np.sqrt(DIM))
    recalls = [recall_at(search_vectors(approximate, q, 10, None), search_vectors(exact, q, 10, None)) for q in queries]
    assert np.mean(recalls) >= 0.95
    # an approximate search still returns k results, best first
    found = search_vectors(approximate, queries[0], 10, None)
    assert len(found) == 10 and [s for _, s in found] == sorted((s for _, s in found), reverse=True)


def test_loaded_ivf_gives_back_every_vector_exactly(tmp_path: Path) -> None:
    points, _ = clustered(5000, 50)
    save_vectors(build_vectors(points, DIM, approximate_from=1000), tmp_path / "faiss.index")
    loaded = load_vectors(tmp_path / "faiss.index")
    assert np.array_equal(all_vectors(loaded), points)


def test_search_among_rows_matches_a_brute_force_ranking(tmp_path: Path) -> None:
    points, centres = clustered(5000, 50)
    rows = np.arange(3, 5000, 7)
    query = centres[0]
    scores = points[rows] @ query
    expected = [int(rows[i]) for i in np.lexsort((rows, -scores))[:20]]
    for index in (build_vectors(points, DIM), build_vectors(points, DIM, approximate_from=1000)):
        save_vectors(index, tmp_path / "faiss.index")
        for loaded in (index, load_vectors(tmp_path / "faiss.index")):
            found = search_vectors(loaded, query, 20, rows)
            assert [row for row, _ in found] == expected
            assert np.allclose([s for _, s in found], np.sort(scores)[::-1][:20], atol=1e-5)
            # rows out of range are ignored, duplicates count once, and k beyond the rows is trimmed
            assert search_vectors(loaded, query, 50, np.array([4, 4, -1, 9999])) == search_vectors(
                loaded, query, 50, np.array([4])
            )


def test_ties_among_rows_break_by_row() -> None:
    points = np.tile(np.eye(DIM, dtype=np.float32)[:1], (10, 1))
    index = build_vectors(points, DIM)
    found = search_vectors(index, points[0], 3, np.array([9, 2, 5, 7]))
    assert found == [(2, 1.0), (5, 1.0), (7, 1.0)]


def test_memory_mapped_index_searches_like_the_one_in_memory(tmp_path: Path) -> None:
    points, centres = clustered(2000, 20)
    index = build_vectors(points, DIM)
    save_vectors(index, tmp_path / "faiss.index")
    loaded = load_vectors(tmp_path / "faiss.index")
    assert loaded.ntotal == 2000 and loaded.d == DIM
    for query in centres[:5]:
        assert search_vectors(loaded, query, 10, None) == search_vectors(index, query, 10, None)
