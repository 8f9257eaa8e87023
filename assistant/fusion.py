"""Reciprocal rank fusion of the dense and keyword candidate lists (Cormack, Clarke & Büttcher, 2009).

A row's fused score is the sum over the lists that hold it of 1 / (k + rank), rank counted from 1. RRF uses
only ranks, so the cosine and BM25 scales never need reconciling; `k` (settings.rrf_k, 60 by default as in the
paper) damps the weight of the very top ranks. Ties are broken by the best rank the row reached in any list,
then by row number, so the same lists always fuse to the same order.
"""

from __future__ import annotations

from collections.abc import Sequence

MODES = ("hybrid", "dense", "keyword")

Scored = Sequence[tuple[int, float]]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = 60, depth: int | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked lists of row numbers (best first), each cut at `depth`, into one list of (row, score)."""
    if k < 0:
        raise ValueError(f"rrf k must be >= 0, got {k}")
    scores: dict[int, float] = {}
    best_rank: dict[int, int] = {}
    for ranking in rankings:
        seen: set[int] = set()
        for rank, row in enumerate(ranking[:depth] if depth is not None else ranking, start=1):
            if row < 0 or row in seen:  # -1 is FAISS's "no result"; a repeated row counts once per list
                continue
            seen.add(row)
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
            best_rank[row] = min(best_rank.get(row, rank), rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], best_rank[pair[0]], pair[0]))


def order_scored(scored: Scored, depth: int | None = None) -> list[tuple[int, float]]:
    """One retriever's (row, score) list, best first with row number breaking ties, cut at `depth`."""
    unique: dict[int, float] = {}
    for row, score in scored:
        if row >= 0 and (row not in unique or score > unique[row]):
            unique[row] = float(score)
    ordered = sorted(unique.items(), key=lambda pair: (-pair[1], pair[0]))
    return ordered[:depth] if depth is not None else ordered


def fuse(
    dense: Scored, keyword: Scored, *, mode: str = "hybrid", k: int = 60, depth: int | None = None
) -> list[tuple[int, float]]:
    """The candidate list for `mode`: either retriever alone (its own scores), or both fused by RRF."""
    if mode == "dense":
        return order_scored(dense, depth)
    if mode == "keyword":
        return order_scored(keyword, depth)
    if mode == "hybrid":
        rankings = [[row for row, _ in order_scored(scored, depth)] for scored in (dense, keyword)]
        return reciprocal_rank_fusion(rankings, k=k)
    raise ValueError(f"unknown retrieval mode {mode!r}; expected one of {', '.join(MODES)}")
