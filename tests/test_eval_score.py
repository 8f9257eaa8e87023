"""Judging a run against its questions, on a small run worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from eval.questions import Question, RelevantItem
from eval.runfile import Run, RunQuestion, RunResult
from eval.score import ScoreError, judge, score_run

SEP = date(2024, 9, 17)
JAN = date(2025, 1, 21)
CYP = "Children and Young People Scrutiny Committee"


def result(rank: int, day: date, item: str | None, text: str = "", committee: str = CYP) -> RunResult:
    return RunResult(
        rank=rank,
        meeting_date=day,
        committee=committee,
        item_number=item,
        item_title=None,
        text=text,
        score=1.0 / rank,
        source="minutes.txt",
        start=0,
        end=len(text),
    )


def question(qid: str, relevant: list[RelevantItem], evidence: str | None = None, kind: str = "fact") -> Question:
    return Question(
        id=qid, question=f"question {qid}", relevant=tuple(relevant), evidence=evidence, extra={"kind": kind}
    )


QUESTIONS = [
    # Gold item 48 comes second; its second passage (rank 3, same item) holds the evidence.
    question("q1", [RelevantItem(JAN, "48")], evidence="joint   TRAINING sessions"),
    # Two relevant items, found at distinct ranks 1 and 3.
    question("q2", [RelevantItem(SEP, "29"), RelevantItem(JAN, "49")], evidence="Get Safe", kind="multi"),
    # Not answerable; correctly refused.
    question("q3", [], kind="unanswerable"),
    # The preamble is relevant; it is ranked first, but the system refused (wrongly).
    question("q4", [RelevantItem(JAN, None)], kind="attendance"),
]
RUN = Run(
    questions=(
        RunQuestion(
            "q1",
            "question q1",
            False,
            (
                result(1, JAN, "49", "joint training sessions"),  # evidence text, but not from a relevant item
                result(2, JAN, "48", "about the partnership"),
                result(3, JAN, "48", "the focus had moved to delivering joint training sessions."),
                result(4, SEP, "28"),
            ),
        ),
        RunQuestion(
            "q2",
            "question q2",
            False,
            (
                result(1, SEP, "29"),
                result(2, SEP, "28"),
                result(3, JAN, "49", "the 'get\nsafe' team"),
            ),
        ),
        RunQuestion("q3", "question q3", True, (result(1, SEP, "30"),)),
        RunQuestion("q4", "question q4", True, (result(1, JAN, None), result(2, JAN, "42"))),
    )
)


def test_judge_deduplicates_items_and_finds_evidence_in_any_passage_of_a_relevant_item() -> None:
    judgement = judge(QUESTIONS[0], RUN.questions[0].results)
    # Distinct items in order: 49, 48, 28.
    assert judgement.gains == (False, True, False)
    assert judgement.evidence == (False, True, False)
    assert judgement.first_relevant_rank == 2


def test_judge_counts_each_relevant_entry_once() -> None:
    q = question("q", [RelevantItem(JAN, "48")])
    # Same date and item, two committees: with no committee in the entry both match, but only the first gains.
    results = (result(1, JAN, "48", committee="Cabinet"), result(2, JAN, "48"))
    assert judge(q, results).gains == (True, False)
    # Naming the committee makes only that meeting relevant (case and spacing do not matter).
    q = question("q", [RelevantItem(JAN, "48", committee="children and young people  scrutiny committee")])
    assert judge(q, results).gains == (False, True)


def test_score_run() -> None:
    scores = score_run(QUESTIONS, RUN)
    per_question = scores.pop("per_question")
    by_kind = scores.pop("by_kind")
    # Answerable q1, q2, q4 have first relevant ranks 2, 1, 1.
    assert scores == pytest.approx(
        {
            "questions": 4,
            "answerable": 3,
            "unanswerable": 1,
            "with_evidence": 2,
            "hit@1": 2 / 3,
            "hit@3": 1.0,
            "hit@5": 1.0,
            "hit@10": 1.0,
            "mrr@10": (1 / 2 + 1 + 1) / 3,
            # q1: 1/log2(3) / 1 = 0.6309; q2: (1 + 1/log2(4)) / (1 + 1/log2(3)) = 1.5 / 1.6309 = 0.9197; q4: 1.
            "ndcg@10": (0.63093 + 0.91972 + 1.0) / 3,
            "recall@5": 1.0,
            "recall@10": 1.0,
            # Evidence at distinct ranks 2 (q1) and 3 (q2).
            "evidence_hit@1": 0.0,
            "evidence_hit@5": 1.0,
            "evidence_hit@10": 1.0,
            # q4 was refused, so end to end only q1 and q2 count as found.
            "answered_hit@5": 2 / 3,
            "abstention_precision": 0.5,
            "abstention_recall": 1.0,
            "false_refusal_rate": 1 / 3,
        },
        abs=1e-4,
    )
    assert [row["first_relevant_rank"] for row in per_question] == [2, 1, None, 1]
    assert by_kind["multi"] == {"questions": 1, "hit@5": 1.0, "mrr@10": 1.0, "refused": 0}
    assert by_kind["attendance"]["refused"] == 1
    assert "unanswerable" not in by_kind


def test_score_run_refuses_a_run_missing_questions() -> None:
    with pytest.raises(ScoreError, match="'q4'"):
        score_run(QUESTIONS, Run(questions=RUN.questions[:3]))
