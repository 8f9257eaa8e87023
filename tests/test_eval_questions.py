"""The question-file loader and the run file: exact formats in, typed records out, one-line errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from eval.questions import Question, QuestionFileError, RelevantItem, load_questions
from eval.runfile import Run, RunFileError, RunQuestion, RunResult, read_run, write_run


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = [
    '{"id": "q1", "question": "Who chaired?", "relevant": [{"meeting_date": "2025-01-21", "item": null}], '
    '"evidence": "Toni Fagan", "kind": "attendance"}',
    "",
    '{"id": "q2", "question": "Both?", "relevant": [{"meeting_date": "2024-09-17", "item": "29"}, '
    '{"meeting_date": "2025-01-21", "item": 49, "committee": "Cabinet"}], "evidence": null}',
    '{"id": "q3", "question": "Parking?", "relevant": [], "evidence": null}',
]


def test_load_questions(tmp_path: Path) -> None:
    questions = load_questions(write_lines(tmp_path / "q.jsonl", GOOD))
    assert questions == [
        Question("q1", "Who chaired?", (RelevantItem(date(2025, 1, 21), None),), "Toni Fagan"),
        Question(
            "q2",
            "Both?",
            (RelevantItem(date(2024, 9, 17), "29"), RelevantItem(date(2025, 1, 21), "49", "Cabinet")),
            None,
        ),
        Question("q3", "Parking?", (), None),
    ]
    assert questions[0].kind == "attendance"
    assert [q.answerable for q in questions] == [True, True, False]
    # Extra fields survive a round trip.
    assert questions[0].to_json()["kind"] == "attendance"
    assert questions[1].to_json()["relevant"][1] == {"meeting_date": "2025-01-21", "item": "49", "committee": "Cabinet"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "q9", "question": "x", "relevant": []', "line 3: bad JSON"),
        ('{"id": "q9", "relevant": [], "evidence": null}', "line 3: missing field 'question'"),
        ('{"id": "q9", "question": "x", "relevant": []}', "line 3: missing field 'evidence'"),
        (
            '{"id": "q9", "question": "x", "relevant": [{"meeting_date": "21/01/2025", "item": "4"}], '
            '"evidence": null}',
            "line 3: relevant entry 1: bad meeting_date '21/01/2025'",
        ),
        (
            '{"id": "q9", "question": "x", "relevant": [{"meeting_date": "2025-02-30", "item": "4"}], '
            '"evidence": null}',
            "line 3: relevant entry 1: bad meeting_date",
        ),
        (
            '{"id": "q9", "question": "x", "relevant": [{"meeting_date": "2025-01-21"}], "evidence": null}',
            "line 3: relevant entry 1: missing field 'item'",
        ),
        ('{"id": "q1", "question": "x", "relevant": [], "evidence": null}', "line 3: duplicate id 'q1'"),
        ('{"id": "q9", "question": "", "relevant": [], "evidence": null}', "line 3: 'question' must be"),
        ('{"id": "q9", "question": "x", "relevant": {}, "evidence": null}', "line 3: 'relevant' must be a list"),
        ("[1, 2]", "line 3: expected a JSON object"),
    ],
)
def test_bad_question_files_name_the_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [GOOD[0], "", line])
    with pytest.raises(QuestionFileError) as caught:
        load_questions(path)
    text = str(caught.value)
    assert text.startswith(f"{path} ")
    assert message in text
    assert "\n" not in text


def test_missing_and_empty_question_files(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match="no such file"):
        load_questions(tmp_path / "absent.jsonl")
    with pytest.raises(QuestionFileError, match="no questions"):
        load_questions(write_lines(tmp_path / "empty.jsonl", [""]))


RUN = Run(
    questions=(
        RunQuestion(
            "q1",
            "Who chaired?",
            False,
            (
                RunResult(
                    1, date(2025, 1, 21), "CYP", None, None, "Present: Councillor Toni Fagan", 0.9, "a.txt", 10, 40
                ),
                RunResult(2, date(2025, 1, 21), "CYP", "48", "HSCP REVIEW", "text", 0.5, "a.txt", 50, 54),
            ),
        ),
        RunQuestion("q3", "Parking?", True, ()),
    )
)


def test_run_file_round_trip_and_exact_shape(tmp_path: Path) -> None:
    path = tmp_path / "out" / "run.json"
    write_run(path, RUN)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == ["questions"]
    assert list(data["questions"][0]) == ["id", "question", "abstained", "results"]
    assert data["questions"][0]["results"][0] == {
        "rank": 1,
        "meeting_date": "2025-01-21",
        "committee": "CYP",
        "item_number": None,
        "item_title": None,
        "text": "Present: Councillor Toni Fagan",
        "score": 0.9,
        "source": "a.txt",
        "start": 10,
        "end": 40,
    }
    assert read_run(path) == RUN


def test_bad_run_files(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text('{"questions": [', encoding="utf-8")
    with pytest.raises(RunFileError, match="bad JSON"):
        read_run(path)
    data = RUN.to_json()
    data["questions"][0]["results"][1]["rank"] = 3
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RunFileError, match="not ranked 1..n"):
        read_run(path)
    del data["questions"][0]["results"][0]["score"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RunFileError, match="missing field 'score'"):
        read_run(path)
