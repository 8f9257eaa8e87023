"""The multi-body question set: well formed, spread over every body, and each evidence phrase inside its gold item.

The meetings come from the ingest pipeline itself (OCR on, as `minutebook ingest` does by default), so a gold
entry's committee, date and item number are checked against what the library will really hold. Reading the two
scans takes Tesseract some seconds, hence the slow mark; without Tesseract their questions are skipped.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from eval.multi import QUESTIONS, dev_sources
from eval.questions import Question, load_questions
from eval.score import normalise
from ingest.models import IngestError, Meeting
from ingest.ocr import LANGUAGE_MISSING, TESSERACT_MISSING
from ingest.pipeline import ingest_file
from ingest.settings import load_settings

pytestmark = pytest.mark.slow

KINDS = {
    "fact",
    "figure",
    "paraphrase",
    "decision",
    "attendance",
    "chair",
    "scoped",
    "multi-meeting",
    "unanswerable",
}
MeetingKey = tuple[str, str]  # (committee, ISO date)


@cache
def questions() -> list[Question]:
    return load_questions(QUESTIONS)


@cache
def dev_meetings() -> tuple[dict[MeetingKey, Meeting], dict[str, str]]:
    """The dev library's meetings by (committee, date), and the files that could not be read, with why."""
    settings = load_settings(Path("/nonexistent-library-not-written"))
    meetings: dict[MeetingKey, Meeting] = {}
    unread: dict[str, str] = {}
    for source in dev_sources():
        try:
            meeting = ingest_file(source.path, settings, committee=source.committee).meeting
        except IngestError as error:
            if str(error) not in (TESSERACT_MISSING, LANGUAGE_MISSING):
                raise
            unread[source.path.name] = str(error)
            continue
        key = (meeting.committee, meeting.meeting_date.isoformat())
        assert key not in meetings, f"two meetings are {key}"
        meetings[key] = meeting
    return meetings, unread


def test_every_dev_file_is_read_and_named_from_its_text_but_one() -> None:
    meetings, unread = dev_meetings()
    assert len(meetings) + len(unread) == len(dev_sources()) == 17
    overridden = [source.path.name for source in dev_sources() if source.committee]
    assert overridden == ["perth-artifactory-committee-2021-08-07.md"]
    assert {committee for committee, _ in meetings} >= {
        "Ayton Community Council",
        "Merton Council Audit Committee",
        "OWASP Board",
        "CompSoc Edinburgh Committee",
        "Perth Artifactory Committee",
    }
    # Both Ayton files, "AYTON COMMUNITY COUNCIL" (PDF) and the Markdown one, are the same committee.
    assert sorted(day for committee, day in meetings if committee == "Ayton Community Council") == [
        "2016-04-05",
        "2025-05-06",
    ]


def test_question_set_shape() -> None:
    found = questions()
    kinds = Counter(question.kind for question in found)
    assert len(found) >= 80
    assert set(kinds) == KINDS
    assert all(count >= 5 for count in kinds.values()), kinds
    assert len({question.id for question in found}) == len(found)
    unanswerable = [question for question in found if not question.answerable]
    assert len(unanswerable) >= 10
    assert sum(1 for question in unanswerable if question.extra.get("near_miss") is True) * 2 >= len(unanswerable)
    for question in found:
        assert question.answerable == (question.kind != "unanswerable"), question.id
        if question.answerable:
            assert question.evidence is not None, question.id
            assert 3 <= len(question.evidence.split()) <= 12, question.id
            assert all(entry.committee for entry in question.relevant), f"{question.id}: a gold entry has no committee"
        else:
            assert question.evidence is None and "near_miss" in question.extra, question.id
        if question.kind == "multi-meeting":
            assert len({(entry.committee, entry.meeting_date) for entry in question.relevant}) == 2, question.id


def test_questions_cover_every_body_in_the_library() -> None:
    meetings, unread = dev_meetings()
    asked = Counter(
        (entry.committee, entry.meeting_date.isoformat()) for question in questions() for entry in question.relevant
    )
    for key in meetings:
        assert asked[key] >= 3, f"only {asked[key]} gold entries for {key}"
    assert not unread or all(name.endswith(".pdf") for name in unread)


@pytest.mark.parametrize("question", [q for q in questions() if q.answerable], ids=lambda q: q.id)
def test_gold_items_exist_and_hold_the_evidence(question: Question) -> None:
    meetings, unread = dev_meetings()
    gold = []
    for entry in question.relevant:
        assert entry.committee is not None
        key = (entry.committee, entry.meeting_date.isoformat())
        if key not in meetings:
            # Dev file names end with the meeting's date, so an unread scan's questions can be told apart.
            scans = [name for name in unread if Path(name).stem.endswith(key[1])]
            if scans:
                pytest.skip(f"{scans[0]} is a scan and cannot be read here: {unread[scans[0]]}")
            pytest.fail(f"{question.id}: the library has no meeting {key}")
        meeting = meetings[key]
        item = meeting.item(entry.item)
        assert item is not None, f"{question.id}: {key} has no item {entry.item!r}"
        gold.append(meeting.item_text(item))
    assert question.evidence is not None
    phrase = normalise(question.evidence)
    assert any(phrase in normalise(text) for text in gold), (
        f"{question.id}: evidence {question.evidence!r} is not in its gold item(s)"
    )
