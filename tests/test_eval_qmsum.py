"""The QMSum adapter on a tiny meeting in QMSum's own format, and (slow, skipped without it) on the real data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from eval.qmsum import DATA, QMSumError, bm25_baseline, build, load_transcripts
from eval.questions import RelevantItem
from eval.score import score_run

MEETING = {
    "meeting_transcripts": [
        {"speaker": "Chair", "content": "Welcome, everyone.\xa0Apologies from Ms Jones."},
        {"speaker": "Ms Smith", "content": "School budgets have fallen by ten per cent since last year."},
        {"speaker": "Chair", "content": "How will schools cope with the budget cuts?"},
        {"speaker": "Dr Brown", "content": "Child mental health referrals doubled; waiting lists are long."},
        {"speaker": "Ms Smith", "content": "Teachers need mental health training."},
        {"speaker": "Chair", "content": "Back to funding: the grant formula is unfair to rural schools."},
    ],
    "topic_list": [
        # A topic in two ranges (turns 1-2 and 5) and one in a single range; turn 0 is in no topic.
        {"topic": "School  funding", "relevant_text_span": [["1", "2"], ["5", "5"]]},
        {"topic": "Mental health", "relevant_text_span": [["3", "4"]]},
    ],
    "specific_query_list": [
        {"query": "What did Ms Smith say about school budgets?", "answer": "...", "relevant_text_span": [["1", "1"]]},
        {
            "query": "What was said about mental health and funding?",
            "answer": "...",
            "relevant_text_span": [["4", "5"]],
        },
        {"query": "Who sent apologies?", "answer": "Ms Jones", "relevant_text_span": [["0", "0"]]},
    ],
    "general_query_list": [{"query": "Summarise the meeting.", "answer": "..."}],
}


def write_data(directory: Path, meetings: dict[str, list[dict[str, object]]]) -> Path:
    directory.mkdir()
    for split in ("train", "val", "test"):
        lines = [json.dumps(meeting) for meeting in meetings.get(split, [])]
        (directory / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def test_adapter_turns_topics_into_items_and_queries_into_questions(tmp_path: Path) -> None:
    data = write_data(tmp_path / "qmsum", {"train": [MEETING], "test": [MEETING]})
    meetings, questions, skipped = build(load_transcripts(data))
    assert [(m.committee, m.meeting_date) for m in meetings] == [
        ("QMSum train 00", date(2001, 1, 1)),
        ("QMSum test 00", date(2001, 1, 8)),
    ]
    meeting = meetings[0]
    assert [(item.number, item.title) for item in meeting.items] == [
        (None, None),
        ("1", "School funding"),
        ("2", "Mental health"),
    ]
    assert meeting.item_text(meeting.items[0]) == "QMSum Committee meeting: train 00"
    # Topic 1's turns 1, 2 and 5 laid out together under its heading; words only, spaces normalised.
    assert meeting.item_text(meeting.items[1]) == (
        "1. School funding\n\n"
        "School budgets have fallen by ten per cent since last year.\n\n"
        "How will schools cope with the budget cuts?\n\n"
        "Back to funding: the grant formula is unfair to rural schools."
    )
    assert meeting.item_text(meeting.items[2]).startswith("2. Mental health\n\nChild mental health referrals")
    # The apologies query touches only turn 0, which is in no topic: skipped in both meetings.
    assert skipped == 2
    assert [q.id for q in questions] == ["train-00-q01", "train-00-q02", "test-00-q01", "test-00-q02"]
    committee, day = meeting.committee, meeting.meeting_date
    assert questions[0].relevant == (RelevantItem(day, "1", committee),)
    # Turns 4 and 5 overlap both topics.
    assert questions[1].relevant == (RelevantItem(day, "1", committee), RelevantItem(day, "2", committee))


def test_speaker_names_are_kept_on_request(tmp_path: Path) -> None:
    data = write_data(tmp_path / "qmsum", {"val": [MEETING]})
    meetings, _, _ = build(load_transcripts(data), speakers=True)
    assert "\n\nMs Smith: School budgets have fallen" in meetings[0].text


def test_bm25_baseline_ranks_whole_segments(tmp_path: Path) -> None:
    data = write_data(tmp_path / "qmsum", {"train": [MEETING], "test": [MEETING]})
    meetings, questions, _ = build(load_transcripts(data))
    run = bm25_baseline(meetings, questions, titles=True, k=10)
    first = run.by_id()["train-00-q01"]
    # Four segments in all; "school budgets" is in topic 1 of both (identical) meetings.
    assert [(r.committee, r.item_number) for r in first.results][:2] in (
        [("QMSum train 00", "1"), ("QMSum test 00", "1")],
        [("QMSum test 00", "1"), ("QMSum train 00", "1")],
    )
    assert len(first.results) == 4
    assert first.results[0].text.startswith("1. School funding\n\n")
    untitled = bm25_baseline(meetings, questions, titles=False, k=2).by_id()["train-00-q01"]
    assert len(untitled.results) == 2
    assert not untitled.results[0].text.startswith("1. ")
    scores = score_run(questions, run)
    assert scores["hit@10"] == 1.0


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QMSumError, match="no QMSum data here"):
        load_transcripts(tmp_path / "absent")
    data = write_data(tmp_path / "qmsum", {"train": [MEETING]})
    (data / "val.jsonl").write_text('{"topic_list": []}\n', encoding="utf-8")
    with pytest.raises(QMSumError, match="val.jsonl line 1: not a QMSum meeting"):
        load_transcripts(data)


@pytest.mark.slow
@pytest.mark.skipif(not DATA.is_dir(), reason=f"QMSum Committee data not present at {DATA}")
def test_real_data_reproduces_the_published_bm25_baseline() -> None:
    """The dataset README quotes plain BM25 over topic segments at about hit@5 0.80 / MRR@10 0.68, and
    0.87 / 0.77 with titles; the adapter's segments and questions must land close to that."""
    meetings, questions, skipped = build(load_transcripts(DATA))
    assert len(meetings) == 36
    assert sum(len(m.items) - 1 for m in meetings) == 230
    assert len(questions) + skipped == 417
    plain = score_run(questions, bm25_baseline(meetings, questions, titles=False))
    titled = score_run(questions, bm25_baseline(meetings, questions, titles=True))
    assert plain["hit@5"] == pytest.approx(0.80, abs=0.03)
    assert plain["mrr@10"] == pytest.approx(0.68, abs=0.03)
    assert titled["hit@5"] == pytest.approx(0.87, abs=0.03)
    assert titled["mrr@10"] == pytest.approx(0.77, abs=0.03)
