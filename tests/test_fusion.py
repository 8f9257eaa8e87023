"""Reciprocal rank fusion on lists small enough to fuse on paper."""

from __future__ import annotations

import pytest

from assistant.fusion import fuse, order_scored, reciprocal_rank_fusion


def test_rrf_sums_one_over_k_plus_rank_across_lists() -> None:
    # dense: 1, 2, 3; keyword: 3, 1, 4 (k = 60)
    #   row 1: 1/61 + 1/62 = 0.0325224   row 3: 1/63 + 1/61 = 0.0322671
    #   row 2: 1/62        = 0.0161290   row 4: 1/63        = 0.0158730
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1, 4]], k=60)
    assert [row for row, _ in fused] == [1, 3, 2, 4]
    assert [score for _, score in fused] == pytest.approx([1 / 61 + 1 / 62, 1 / 63 + 1 / 61, 1 / 62, 1 / 63])


def test_rrf_ties_go_to_the_best_rank_reached_then_the_row_number() -> None:
    # k = 0: row 7 scores 1/1, row 9 scores 1/1, row 8 scores 1/2 + 1/2 = 1: a three-way tie.
    # Rows 7 and 9 were first in a list, row 8 only second; 7 before 9 by row number.
    fused = reciprocal_rank_fusion([[7, 8], [9, 8]], k=0)
    assert fused == [(7, 1.0), (9, 1.0), (8, 1.0)]


def test_rrf_is_symmetric_in_its_lists() -> None:
    assert reciprocal_rank_fusion([[1, 2], [2, 1]], k=60) == reciprocal_rank_fusion([[2, 1], [1, 2]], k=60)


def test_rrf_cuts_each_list_at_the_depth_and_skips_missing_and_repeated_rows() -> None:
    # -1 is FAISS's "nothing here" but still takes rank 1 of its list; row 5 repeated counts once, at rank 2.
    # Rows 2 and 5 tie at 1/12, both best at rank 2: row number decides.
    fused = reciprocal_rank_fusion([[1, 2, 3], [-1, 5, 5]], k=10, depth=3)
    assert fused == [
        (1, pytest.approx(1 / 11)),
        (2, pytest.approx(1 / 12)),
        (5, pytest.approx(1 / 12)),
        (3, pytest.approx(1 / 13)),
    ]
    # depth 2: row 3 is past the cut.
    assert [row for row, _ in reciprocal_rank_fusion([[1, 2, 3]], k=10, depth=2)] == [1, 2]


def test_rrf_refuses_a_negative_k() -> None:
    with pytest.raises(ValueError, match="k must be"):
        reciprocal_rank_fusion([[1]], k=-1)


def test_single_modes_keep_their_own_scores_and_order() -> None:
    dense = [(4, 0.9), (2, 0.7), (3, 0.7)]
    keyword = [(3, 12.0), (5, 3.5)]
    assert fuse(dense, keyword, mode="dense") == [(4, 0.9), (2, 0.7), (3, 0.7)]
    assert fuse(dense, keyword, mode="keyword") == [(3, 12.0), (5, 3.5)]
    assert fuse(dense, keyword, mode="dense", depth=1) == [(4, 0.9)]


def test_hybrid_fuses_the_ranks_not_the_scores() -> None:
    # A huge BM25 score does not swamp the cosine list: only ranks count.
    dense = [(1, 0.80), (2, 0.79)]
    keyword = [(2, 50.0), (3, 1.0)]
    fused = fuse(dense, keyword, mode="hybrid", k=60)
    # row 2: 1/62 + 1/61; row 1: 1/61; row 3: 1/62
    assert [row for row, _ in fused] == [2, 1, 3]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_order_scored_breaks_ties_by_row_and_keeps_the_best_score_of_a_repeated_row() -> None:
    assert order_scored([(9, 0.5), (3, 0.5), (9, 0.6), (-1, 1.0)]) == [(9, 0.6), (3, 0.5)]


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown retrieval mode 'sparse'"):
        fuse([], [], mode="sparse")
