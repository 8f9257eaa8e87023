"""The run file: what a system returned for each question, enough to recompute every metric without it.

    {"questions": [{"id", "question", "abstained": bool,
                    "results": [{"rank", "meeting_date" (ISO), "committee", "item_number" (string or null),
                                 "item_title", "text", "score", "source", "start", "end"}]}]}

Results are in rank order (rank 1 first), at most the run's k of them. When the system abstained, `results`
holds the closest weak matches it offered, so ranking metrics still see what it would have shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

RESULT_FIELDS = (
    "rank",
    "meeting_date",
    "committee",
    "item_number",
    "item_title",
    "text",
    "score",
    "source",
    "start",
    "end",
)


class RunFileError(Exception):
    """A run file that cannot be read; str() is one line naming the file and the problem."""


@dataclass(frozen=True, slots=True)
class RunResult:
    rank: int
    meeting_date: date
    committee: str
    item_number: str | None
    item_title: str | None
    text: str
    score: float
    source: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "meeting_date": self.meeting_date.isoformat(),
            "committee": self.committee,
            "item_number": self.item_number,
            "item_title": self.item_title,
            "text": self.text,
            "score": self.score,
            "source": self.source,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunResult:
        missing = [name for name in RESULT_FIELDS if name not in data]
        if missing:
            raise ValueError(f"result is missing field {missing[0]!r}")
        item_number = data["item_number"]
        return cls(
            rank=int(data["rank"]),
            meeting_date=date.fromisoformat(data["meeting_date"]),
            committee=str(data["committee"]),
            item_number=None if item_number is None else str(item_number),
            item_title=data["item_title"],
            text=str(data["text"]),
            score=float(data["score"]),
            source=str(data["source"]),
            start=int(data["start"]),
            end=int(data["end"]),
        )


@dataclass(frozen=True, slots=True)
class RunQuestion:
    id: str
    question: str
    abstained: bool
    results: tuple[RunResult, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "abstained": self.abstained,
            "results": [result.to_json() for result in self.results],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunQuestion:
        for name in ("id", "question", "abstained", "results"):
            if name not in data:
                raise ValueError(f"question is missing field {name!r}")
        results = tuple(RunResult.from_json(result) for result in data["results"])
        if [result.rank for result in results] != list(range(1, len(results) + 1)):
            raise ValueError(f"question {data['id']!r}: results are not ranked 1..n in order")
        return cls(
            id=str(data["id"]),
            question=str(data["question"]),
            abstained=bool(data["abstained"]),
            results=results,
        )


@dataclass(frozen=True, slots=True)
class Run:
    questions: tuple[RunQuestion, ...]

    def to_json(self) -> dict[str, Any]:
        return {"questions": [question.to_json() for question in self.questions]}

    def by_id(self) -> dict[str, RunQuestion]:
        return {question.id: question for question in self.questions}


def write_run(path: Path | str, run: Run) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def read_run(path: Path | str) -> Run:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RunFileError(f"{path}: cannot read ({error})") from None
    except json.JSONDecodeError as error:
        raise RunFileError(f"{path}: bad JSON at line {error.lineno} ({error.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise RunFileError(f"{path}: expected an object with a 'questions' list")
    try:
        questions = tuple(RunQuestion.from_json(question) for question in data["questions"])
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise RunFileError(f"{path}: {error}") from None
    return Run(questions=questions)
