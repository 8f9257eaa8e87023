"""Question sets: one JSON object a line, read into typed records with line-numbered errors.

The format (shared with other people's question sets, so it must not drift):

    {"id": "q1", "question": "...", "relevant": [{"meeting_date": "2025-01-21", "item": "48"}],
     "evidence": "a short verbatim phrase from the answer, or null"}

`item` is the item number as a string (a bare integer is accepted and read as its digits), or null for the
meeting's preamble (attendance, apologies). `relevant: []` marks a question the minutes do not answer. A relevant
entry may carry `committee` to tell apart meetings on the same date. Other fields (e.g. "kind") are kept in
`Question.extra` and otherwise ignored. Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REQUIRED = ("id", "question", "relevant", "evidence")


class QuestionFileError(Exception):
    """A question file that cannot be read; str() is one line naming the file, the line and the problem."""


@dataclass(frozen=True, slots=True)
class RelevantItem:
    """An item that answers a question: a meeting (by date, and committee if given) and its item number."""

    meeting_date: date
    item: str | None  # None for the preamble
    committee: str | None = None

    def matches(self, meeting_date: date, item_number: str | None, committee: str | None) -> bool:
        if meeting_date != self.meeting_date or item_number != self.item:
            return False
        if self.committee is None:
            return True
        return _fold(committee or "") == _fold(self.committee)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"meeting_date": self.meeting_date.isoformat(), "item": self.item}
        if self.committee is not None:
            data["committee"] = self.committee
        return data


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    relevant: tuple[RelevantItem, ...]
    evidence: str | None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def answerable(self) -> bool:
        return bool(self.relevant)

    @property
    def kind(self) -> str | None:
        kind = self.extra.get("kind")
        return kind if isinstance(kind, str) else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "relevant": [entry.to_json() for entry in self.relevant],
            "evidence": self.evidence,
            **self.extra,
        }


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_question(data: object) -> Question:
    """One question from its decoded JSON; raises ValueError with a short reason."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    missing = [name for name in REQUIRED if name not in data]
    if missing:
        raise ValueError(f"missing field {missing[0]!r}")
    qid, text, relevant, evidence = (data[name] for name in REQUIRED)
    if not isinstance(qid, str) or not qid.strip():
        raise ValueError("'id' must be a non-empty string")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'question' must be a non-empty string")
    if evidence is not None and (not isinstance(evidence, str) or not evidence.strip()):
        raise ValueError("'evidence' must be a non-empty string or null")
    if not isinstance(relevant, list):
        raise ValueError("'relevant' must be a list")
    entries = tuple(_parse_relevant(entry, n) for n, entry in enumerate(relevant, start=1))
    if len(set(entries)) != len(entries):
        raise ValueError("'relevant' lists the same item twice")
    extra = {key: value for key, value in data.items() if key not in REQUIRED}
    return Question(id=qid, question=text, relevant=entries, evidence=evidence, extra=extra)


def _parse_relevant(entry: object, n: int) -> RelevantItem:
    where = f"relevant entry {n}"
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be an object")
    if "meeting_date" not in entry:
        raise ValueError(f"{where}: missing field 'meeting_date'")
    if "item" not in entry:
        raise ValueError(f"{where}: missing field 'item' (use null for the preamble)")
    raw_date = entry["meeting_date"]
    try:
        if not isinstance(raw_date, str):
            raise TypeError
        meeting_date = date.fromisoformat(raw_date)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: bad meeting_date {raw_date!r} (expected YYYY-MM-DD)") from None
    item = entry["item"]
    if isinstance(item, int) and not isinstance(item, bool):
        item = str(item)
    if item is not None and (not isinstance(item, str) or not item.strip()):
        raise ValueError(f"{where}: 'item' must be an item number string or null")
    committee = entry.get("committee")
    if committee is not None and (not isinstance(committee, str) or not committee.strip()):
        raise ValueError(f"{where}: 'committee' must be a non-empty string if given")
    return RelevantItem(meeting_date=meeting_date, item=item.strip() if item else None, committee=committee)


def load_questions(path: Path | str) -> list[Question]:
    """Read a question file; raises QuestionFileError naming the file and line of the first problem."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise QuestionFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionFileError(f"{path}: cannot read ({error})") from None
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise QuestionFileError(f"{path} line {number}: bad JSON ({error.msg})") from None
        try:
            question = parse_question(data)
        except ValueError as error:
            raise QuestionFileError(f"{path} line {number}: {error}") from None
        if question.id in seen:
            raise QuestionFileError(
                f"{path} line {number}: duplicate id {question.id!r} (first on line {seen[question.id]})"
            )
        seen[question.id] = number
        questions.append(question)
    if not questions:
        raise QuestionFileError(f"{path}: no questions")
    return questions
