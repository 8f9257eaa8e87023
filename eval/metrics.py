"""Retrieval and abstention metrics as pure functions over judged rankings.

A question's ranking is judged once (see `eval.score`) into a tuple of *gains*, one per distinct item in rank
order: `True` where that item is a relevant item seen for the first time, `False` otherwise. Every ranking
metric here reads only the gains and the number of relevant items, so each can be checked on paper.

Conventions, chosen so that a run file alone is enough to recompute every figure:
- Items are deduplicated before cutting at k: a second passage from an item already ranked is dropped and the
  ranks close up, so `k` counts distinct items (the assistant collapses items too, so this only matters for
  baselines that rank raw passages).
- Ranking metrics are averaged over answerable questions only, using the ranked results whether or not the
  system abstained (an abstaining answer still lists its closest matches). Refusals are scored separately.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

HIT_KS = (1, 3, 5, 10)


def hit_at_k(gains: Sequence[bool], k: int) -> float:
    """1.0 if any relevant item is among the first k distinct items, else 0.0."""
    return 1.0 if any(gains[:k]) else 0.0


def reciprocal_rank(gains: Sequence[bool], k: int = 10) -> float:
    """1 / rank of the first relevant item within the first k, or 0.0 if there is none."""
    for rank, gain in enumerate(gains[:k], start=1):
        if gain:
            return 1.0 / rank
    return 0.0


def recall_at_k(gains: Sequence[bool], n_relevant: int, k: int) -> float:
    """The share of a question's relevant items found in the first k (gains count each relevant item once)."""
    if n_relevant <= 0:
        raise ValueError("recall is undefined for a question with no relevant items")
    return sum(1 for gain in gains[:k] if gain) / n_relevant


def dcg_at_k(gains: Sequence[bool], k: int) -> float:
    """Discounted cumulative gain with binary relevance: sum of 1 / log2(rank + 1) over relevant ranks."""
    return sum(1.0 / math.log2(rank + 1) for rank, gain in enumerate(gains[:k], start=1) if gain)


def ndcg_at_k(gains: Sequence[bool], n_relevant: int, k: int = 10) -> float:
    """DCG divided by the DCG of an ideal ranking that puts all relevant items first."""
    if n_relevant <= 0:
        raise ValueError("nDCG is undefined for a question with no relevant items")
    ideal = dcg_at_k([True] * min(n_relevant, k), k)
    return dcg_at_k(gains, k) / ideal


def mean(values: Sequence[float]) -> float | None:
    """The average, or None for an empty list (a metric with nothing to average is reported as missing)."""
    return sum(values) / len(values) if values else None


def abstention_scores(answerable: Sequence[bool], abstained: Sequence[bool]) -> dict[str, float | None]:
    """Refusal quality, with unanswerable questions as the positive class.

    precision: correct refusals / all refusals; recall: correct refusals / unanswerable questions;
    false_refusal_rate: answerable questions refused / answerable questions. None where the denominator is 0.
    """
    if len(answerable) != len(abstained):
        raise ValueError("answerable and abstained must have one entry per question")
    pairs = list(zip(answerable, abstained, strict=True))
    refusals = sum(1 for _, refused in pairs if refused)
    unanswerable = sum(1 for can, _ in pairs if not can)
    n_answerable = len(pairs) - unanswerable
    correct = sum(1 for can, refused in pairs if refused and not can)
    wrong = sum(1 for can, refused in pairs if refused and can)
    return {
        "abstention_precision": correct / refusals if refusals else None,
        "abstention_recall": correct / unanswerable if unanswerable else None,
        "false_refusal_rate": wrong / n_answerable if n_answerable else None,
    }
