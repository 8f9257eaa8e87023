"""Metrics on hand-worked examples: every expected number here was computed on paper."""

from __future__ import annotations

import math

import pytest

from eval import metrics

# Ranks 2 and 4 hold the two relevant items of a question; ranks 1, 3, 5 are misses.
GAINS = (False, True, False, True, False)


def test_hit_at_k() -> None:
    assert metrics.hit_at_k(GAINS, 1) == 0.0
    assert metrics.hit_at_k(GAINS, 2) == 1.0
    assert metrics.hit_at_k(GAINS, 10) == 1.0
    assert metrics.hit_at_k((), 5) == 0.0


def test_reciprocal_rank() -> None:
    assert metrics.reciprocal_rank(GAINS) == 0.5
    assert metrics.reciprocal_rank((False, False, True)) == pytest.approx(1 / 3)
    # The first relevant item at rank 11 is beyond the cut-off of 10.
    assert metrics.reciprocal_rank((False,) * 10 + (True,)) == 0.0
    assert metrics.reciprocal_rank((True,)) == 1.0


def test_recall_at_k() -> None:
    assert metrics.recall_at_k(GAINS, 2, 3) == 0.5
    assert metrics.recall_at_k(GAINS, 2, 5) == 1.0
    # A third relevant item that was never retrieved caps recall at 2/3.
    assert metrics.recall_at_k(GAINS, 3, 10) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        metrics.recall_at_k(GAINS, 0, 5)


def test_ndcg_at_k() -> None:
    # DCG = 1/log2(3) + 1/log2(5) = 0.6309 + 0.4307 = 1.0616; ideal = 1 + 1/log2(3) = 1.6309; ratio 0.6509.
    assert metrics.ndcg_at_k(GAINS, 2) == pytest.approx(0.6509, abs=1e-4)
    assert metrics.ndcg_at_k(GAINS, 2) == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3)))
    assert metrics.ndcg_at_k((True, True), 2) == 1.0
    # One relevant item at rank 3: 1/log2(4) = 0.5 over an ideal of 1.
    assert metrics.ndcg_at_k((False, False, True), 1) == 0.5
    # Cut-off: a relevant item at rank 3 does not count at k=2.
    assert metrics.ndcg_at_k((False, False, True), 1, k=2) == 0.0


def test_mean_of_nothing_is_missing() -> None:
    assert metrics.mean([]) is None
    assert metrics.mean([1.0, 0.0, 0.5]) == 0.5


def test_abstention_scores() -> None:
    # Five questions: three answerable, two not. The system refused q2 (answerable: wrong) and q4 (right).
    answerable = [True, True, True, False, False]
    abstained = [False, True, False, True, False]
    assert metrics.abstention_scores(answerable, abstained) == {
        "abstention_precision": 0.5,  # 1 right refusal of 2 refusals
        "abstention_recall": 0.5,  # 1 of 2 unanswerable questions refused
        "false_refusal_rate": pytest.approx(1 / 3),  # 1 of 3 answerable questions refused
    }


def test_abstention_scores_without_refusals_or_unanswerables() -> None:
    assert metrics.abstention_scores([True, True], [False, False]) == {
        "abstention_precision": None,
        "abstention_recall": None,
        "false_refusal_rate": 0.0,
    }
    with pytest.raises(ValueError):
        metrics.abstention_scores([True], [])
