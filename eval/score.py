"""Judge a run against its question set and aggregate the metrics of `eval.metrics`.

A result is relevant when its (meeting_date, item_number) equals a relevant entry's (and its committee too, when
the entry names one; compared case- and whitespace-insensitively). `item: null` matches the preamble.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from eval import metrics
from eval.questions import Question
from eval.runfile import Run, RunResult

RECALL_KS = (5, 10)
EVIDENCE_KS = (1, 5, 10)


class ScoreError(Exception):
    """A run that does not fit its question set (a question missing from the run)."""


def normalise(text: str) -> str:
    """Whitespace collapsed and case folded, for evidence matching."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class Judgement:
    """One question's ranking, judged: per distinct item in rank order, is it newly relevant, and does a
    passage of it that comes from a relevant item contain the evidence phrase."""

    gains: tuple[bool, ...]
    evidence: tuple[bool, ...]
    n_relevant: int

    @property
    def first_relevant_rank(self) -> int | None:
        return next((rank for rank, gain in enumerate(self.gains, start=1) if gain), None)


def _item_key(result: RunResult) -> tuple[date, str, str | None]:
    return (result.meeting_date, normalise(result.committee), result.item_number)


def judge(question: Question, results: Sequence[RunResult]) -> Judgement:
    """Deduplicate results by item (first occurrence wins) and mark each distinct item's relevance."""
    order: list[tuple[date, str, str | None]] = []
    passages: dict[tuple[date, str, str | None], list[RunResult]] = {}
    for result in results:
        key = _item_key(result)
        if key not in passages:
            order.append(key)
            passages[key] = []
        passages[key].append(result)
    matched: set[int] = set()
    gains: list[bool] = []
    evidence: list[bool] = []
    phrase = normalise(question.evidence) if question.evidence else None
    for key in order:
        first = passages[key][0]
        entries = [
            n
            for n, entry in enumerate(question.relevant)
            if entry.matches(first.meeting_date, first.item_number, first.committee)
        ]
        new = [n for n in entries if n not in matched]
        if new:
            matched.add(new[0])
        gains.append(bool(new))
        evidence.append(
            bool(entries) and phrase is not None and any(phrase in normalise(passage.text) for passage in passages[key])
        )
    return Judgement(gains=tuple(gains), evidence=tuple(evidence), n_relevant=len(question.relevant))


def _ranking_metrics(judgements: Sequence[Judgement]) -> dict[str, float | None]:
    scores: dict[str, float | None] = {}
    for k in metrics.HIT_KS:
        scores[f"hit@{k}"] = metrics.mean([metrics.hit_at_k(j.gains, k) for j in judgements])
    scores["mrr@10"] = metrics.mean([metrics.reciprocal_rank(j.gains, 10) for j in judgements])
    scores["ndcg@10"] = metrics.mean([metrics.ndcg_at_k(j.gains, j.n_relevant, 10) for j in judgements])
    for k in RECALL_KS:
        scores[f"recall@{k}"] = metrics.mean([metrics.recall_at_k(j.gains, j.n_relevant, k) for j in judgements])
    return scores


def score_run(questions: Sequence[Question], run: Run) -> dict[str, Any]:
    """Every metric for one run, plus a breakdown by question kind and one row per question.

    Ranking and evidence metrics average over answerable questions, whether or not the system abstained on them
    (see `eval.metrics`); `answered_hit@5` is the end-to-end view, counting a refusal as a miss.
    """
    by_id = run.by_id()
    missing = [question.id for question in questions if question.id not in by_id]
    if missing:
        raise ScoreError(f"the run has no answer for question {missing[0]!r} ({len(missing)} missing)")
    rows: list[dict[str, Any]] = []
    judged: list[tuple[Question, Judgement, bool]] = []
    for question in questions:
        answer = by_id[question.id]
        judgement = judge(question, answer.results)
        judged.append((question, judgement, answer.abstained))
        rows.append(
            {
                "id": question.id,
                "kind": question.kind,
                "answerable": question.answerable,
                "abstained": answer.abstained,
                "first_relevant_rank": judgement.first_relevant_rank if question.answerable else None,
                "evidence_rank": next((r for r, e in enumerate(judgement.evidence, start=1) if e), None),
            }
        )
    answerable = [j for q, j, _ in judged if q.answerable]
    with_evidence = [j for q, j, _ in judged if q.answerable and q.evidence]
    scores: dict[str, Any] = {
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(questions) - len(answerable),
        "with_evidence": len(with_evidence),
    }
    scores.update(_ranking_metrics(answerable))
    for k in EVIDENCE_KS:
        scores[f"evidence_hit@{k}"] = metrics.mean([metrics.hit_at_k(j.evidence, k) for j in with_evidence])
    scores["answered_hit@5"] = metrics.mean(
        [0.0 if refused else metrics.hit_at_k(j.gains, 5) for q, j, refused in judged if q.answerable]
    )
    scores.update(
        metrics.abstention_scores([q.answerable for q, _, _ in judged], [refused for _, _, refused in judged])
    )
    kinds = sorted({q.kind for q, _, _ in judged if q.kind and q.answerable})
    scores["by_kind"] = {
        kind: {
            "questions": sum(1 for q, _, _ in judged if q.kind == kind),
            "hit@5": metrics.mean([metrics.hit_at_k(j.gains, 5) for q, j, _ in judged if q.kind == kind]),
            "mrr@10": metrics.mean([metrics.reciprocal_rank(j.gains, 10) for q, j, _ in judged if q.kind == kind]),
            "refused": sum(1 for q, _, refused in judged if q.kind == kind and refused),
        }
        for kind in kinds
    }
    scores["per_question"] = rows
    return scores
