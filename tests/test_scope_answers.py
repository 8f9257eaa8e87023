"""Scope from the question, through `Assistant.ask` on a library of several bodies (real minutes from
tests/data/external and the samples, hashing encoder): the filters applied and shown, "not in this library"
for a missing year, a missing body and a missing meeting date, and attendance records kept in item "1"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from assistant import Assistant
from index.encoder import load_encoder
from index.library import Library, SourceRecord, update_library
from ingest.pipeline import ingest_file
from ingest.settings import Settings, load_settings
from tests.conftest import DATA, SAMPLES

EXTERNAL = DATA / "external"
FILES = [
    EXTERNAL / "ayton-cc-monthly-2016-04-05.pdf",
    EXTERNAL / "ayton-cc-monthly-2025-05-06.md",
    EXTERNAL / "milburn-parish-council-monthly-2017-03-07.pdf",
    EXTERNAL / "newbiggin-parish-council-monthly-2019-09-03.docx",
    EXTERNAL / "north-star-township-board-monthly-2019-12-16.md",
    EXTERNAL / "owasp-board-videoconference-2011-09-06.md",
    EXTERNAL / "edinburgh-compsoc-committee-2017-04-25.html",
    *sorted(SAMPLES.glob("*.txt")),
]
AYTON = "Ayton Community Council"
MILBURN = "Milburn Parish Council"
NEWBIGGIN = "Newbiggin Parish Council"


def build(path: Path) -> Settings:
    settings = load_settings(path).with_(model_name="hashing-384")
    now = datetime.now(UTC).isoformat()
    additions = []
    for file in FILES:
        result = ingest_file(file, settings)
        additions.append((result.meeting, result.chunks, SourceRecord(result.meeting.sha256, result.size, now, "")))
    update_library(path, additions, load_encoder(settings), settings)
    return settings


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    path = tmp_path_factory.mktemp("bodies")
    settings = build(path)
    return Assistant(Library.load(path, settings=settings), settings)


def test_the_library_holds_the_bodies_the_tests_ask_about(assistant: Assistant) -> None:
    assert assistant.library.committees() == [
        AYTON,
        "Children and Young People Scrutiny Committee",
        "CompSoc Edinburgh Committee",
        MILBURN,
        NEWBIGGIN,
        "OWASP Board",
        "Town of North Star",
    ]


def test_a_named_body_filters_the_answer_and_the_answer_shows_it(assistant: Assistant) -> None:
    answer = assistant.ask("What did Newbiggin decide about the bonfire?")
    assert not answer.abstained
    assert answer.filters.committees == (NEWBIGGIN,)
    assert answer.scope is not None and answer.scope.committees == (NEWBIGGIN,)
    assert answer.scope_note == f"Searched {NEWBIGGIN}, as the question asks."
    assert answer.passages and all(p.chunk.committee == NEWBIGGIN for p in answer.passages)
    assert answer.to_json()["filters"]["committees"] == [NEWBIGGIN]


def test_a_body_and_a_month(assistant: Assistant) -> None:
    answer = assistant.ask("Who chaired Ayton Community Council in April 2016?")
    assert (answer.kind, answer.abstained) == ("chair", False)
    assert answer.scope is not None
    assert (answer.scope.committees, answer.scope.date_from, answer.scope.date_to) == (
        (AYTON,),
        date(2016, 4, 1),
        date(2016, 4, 30),
    )
    assert answer.scope_note == f"Searched {AYTON}, April 2016, as the question asks."
    top = answer.passages[0]
    assert (top.chunk.committee, top.chunk.meeting_date, top.chunk.item_number) == (AYTON, date(2016, 4, 5), None)
    assert top.highlighted_texts() == ["The Meeting was Chaired by John Slater."]


def test_scope_off_searches_every_meeting(assistant: Assistant) -> None:
    answer = assistant.ask("What did Newbiggin decide about the bonfire?", scope=False)
    assert answer.scope is None and answer.scope_note is None and answer.filters.empty
    unscoped = Assistant(assistant.library, assistant.settings.with_(scope_parsing=False))
    assert unscoped.ask("Who chaired Milburn Parish Council in March 2018?").scope is None


def test_not_in_this_library_a_missing_year(assistant: Assistant) -> None:
    answer = assistant.ask("Who chaired Milburn Parish Council in March 2018?")
    message = "This library has no Milburn Parish Council meeting in March 2018; it has 7 March 2017."
    assert answer.abstained and not answer.passages
    assert answer.answer_line == f"Not found: {message}"
    assert answer.scope_note == message
    assert answer.scope is not None and answer.scope.committees == (MILBURN,)


def test_not_in_this_library_a_missing_meeting_date(assistant: Assistant) -> None:
    answer = assistant.ask("What did the OWASP board decide at its 20 September 2011 meeting at AppSec USA?")
    assert answer.abstained and not answer.passages
    assert answer.scope_note == "This library has no OWASP Board meeting on 20 September 2011; it has 6 September 2011."
    two = assistant.ask("At Ayton's May 2019 meeting, what did the police report say?")
    assert two.abstained
    assert two.scope_note == f"This library has no {AYTON} meeting in May 2019; it has 5 April 2016 and 6 May 2025."


def test_not_in_this_library_a_missing_body(assistant: Assistant) -> None:
    answer = assistant.ask("What did Kirklees Metropolitan Council decide about parking?")
    assert answer.abstained and not answer.passages and not answer.closest
    assert answer.scope_note == (
        "This library has no minutes of Kirklees Metropolitan Council; it holds: Ayton Community Council "
        "(2 meetings), Children and Young People Scrutiny Committee (2 meetings), CompSoc Edinburgh Committee "
        "(1 meeting), Milburn Parish Council (1 meeting), Newbiggin Parish Council (1 meeting), OWASP Board "
        "(1 meeting) and Town of North Star (1 meeting)."
    )
    # a body the minutes mention is the topic, not a body the library lacks
    mentioned = assistant.ask("What did Leeds City Council say?")
    assert "no minutes of" not in (mentioned.scope_note or "")


def test_a_date_the_minutes_plan_for_is_the_topic(assistant: Assistant) -> None:
    answer = assistant.ask("When are the Town of North Star's board meetings in January and February 2020?")
    assert not answer.abstained
    assert answer.scope_note == (
        "This library has no Town of North Star meeting in January 2020 and February 2020; it has 16 December 2019. "
        "Showing what the earlier minutes say about January 2020 and February 2020."
    )
    assert all(p.chunk.committee == "Town of North Star" for p in answer.passages)


def test_off_topic_questions_are_still_refused(assistant: Assistant) -> None:
    assert assistant.ask("How many moons does Jupiter have?").abstained
    assert assistant.ask("What did Milburn say about the moons of Jupiter?").abstained


def test_attendance_kept_in_item_one(assistant: Assistant) -> None:
    # "## Present" is item 1 of Ayton's 2025 minutes; the preamble only says where the meeting was held
    treasurer = assistant.ask("Who was treasurer of Ayton Community Council at its May 2025 meeting?")
    assert treasurer.kind == "attendance"
    top = treasurer.passages[0]
    assert (top.chunk.meeting_date, top.chunk.item_number) == (date(2025, 5, 6), "1")
    assert "Paul Ingram — Treasurer" in top.highlighted_texts()[0]
    # North Star: "CALL TO ORDER" names the chair and who was present
    chair = assistant.ask("Who chaired the North Star township board's December 2019 meeting?")
    top = chair.passages[0]
    assert (top.chunk.item_number, top.chunk.item_title) == ("1", "CALL TO ORDER")
    assert top.highlighted_texts()[0].startswith("Chair Dick Dillon called the monthly meeting to order")
    present = assistant.ask("Who was present at the CompSoc committee meeting on 25 April 2017?")
    top = present.passages[0]
    assert (top.chunk.item_number, top.chunk.item_title) == ("1", "Present")
    assert top.highlighted_texts()[0].startswith("Present")


def test_a_follow_up_keeps_the_body(assistant: Assistant) -> None:
    from assistant import Turn

    first = assistant.ask("What did Milburn decide about the drains on Low Street?")
    follow = assistant.ask("and what about the logo?", history=(Turn("q", first),))
    assert follow.filters.committees == (MILBURN,)
    assert follow.scope_note == f"Searched {MILBURN}, as in the previous question."
