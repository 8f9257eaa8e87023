"""The assistant end to end on the sample library, indexed with the hashing encoder (fast, no model).

The hashing encoder's similarities are not the real model's, so the "not found" threshold (calibrated for the
real model) is set explicitly here: 0 to test ranking, filters and citations; impossibly high to test refusals.
Refusal quality with the real model is in test_assistant_slow.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jsonschema
import pytest

from assistant import Assistant, Filters, Turn, load_assistant
from assistant.ask import NOT_FOUND
from assistant.attendance import attendance_spans
from assistant.highlight import split_sentences
from assistant.schema import ANSWER_SCHEMA
from index.library import Library
from ingest.settings import Settings
from tests.assistant_fixtures import JANUARY, SEPTEMBER, build_sample_library


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_sample_library(tmp_path_factory.mktemp("assistant") / "library")


@pytest.fixture(scope="module")
def assistant(settings: Settings) -> Assistant:
    return Assistant(Library.load(settings.library, settings=settings), settings, threshold=0.0)


def item_of(passage) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    return (passage.chunk.meeting_id, passage.chunk.item_number)


def test_the_same_question_gets_the_same_answer(settings: Settings, assistant: Assistant) -> None:
    again = Assistant(Library.load(settings.library, settings=settings), settings, threshold=0.0)
    for question in ("What was said about the quality assurance framework?", "Who sent apologies?"):
        assert assistant.ask(question).to_json() == again.ask(question).to_json()


def test_k_counts_items_and_an_items_other_passages_ride_along(assistant: Assistant) -> None:
    answer = assistant.ask("What did the committee ask about social workers and their training?", k=4)
    assert len(answer.passages) == 4
    assert len({item_of(p) for p in answer.passages}) == 4
    assert [p.rank for p in answer.passages] == [1, 2, 3, 4]
    assert any(p.related for p in answer.passages)
    for passage in answer.passages:
        for other in passage.related:
            assert (other.meeting_id, other.item_number) == item_of(passage)
            assert other.chunk_id != passage.chunk.chunk_id


def test_highlights_are_one_or_two_sentences_of_the_passage(assistant: Assistant) -> None:
    answer = assistant.ask("How many joint training sessions were scheduled between January and March 2025?")
    for passage in answer.passages:
        sentences = split_sentences(passage.chunk.text)
        assert 1 <= len(passage.highlights) <= 2
        assert all((h.start, h.end) in sentences for h in passage.highlights)
    top = answer.passages[0]
    assert (top.chunk.meeting_id, top.chunk.item_number) == (JANUARY, "48")
    assert top.highlighted_texts() == [
        "The Safeguarding Partnerships Business Manager explained that 20 joint training sessions had been "
        "scheduled to take place between January and March 2025."
    ]
    # The answer line quotes that sentence, then cites it.
    assert answer.answer_line == f"“{top.highlighted_texts()[0]}” — {top.citation()}"


def test_who_attended_a_named_meeting_comes_from_its_attendance_record(assistant: Assistant) -> None:
    answer = assistant.ask("Who attended the meeting on 21 January 2025?")
    assert answer.kind == "attendance" and not answer.abstained
    top = answer.passages[0]
    assert (top.chunk.meeting_id, top.chunk.item_number) == (JANUARY, None)
    assert top.citation() == "Children and Young People Scrutiny Committee, 21 January 2025, preamble (attendance)"
    present = top.highlighted_texts()[0]
    assert present.startswith("Present: Councillor Toni Fagan (chairperson)")
    assert "Frank Cornthwaite" in present and "Ben Proctor" in present
    assert answer.filters.date_from == answer.filters.date_to == date(2025, 1, 21)
    assert answer.scope_note == "Searched 21 January 2025, as the question asks."


def test_apologies_come_from_the_apologies_item_and_the_chair_from_the_preamble(assistant: Assistant) -> None:
    apologies = assistant.ask("Who sent apologies to the September meeting?")
    top = apologies.passages[0]
    assert (top.chunk.meeting_id, top.chunk.item_number) == (SEPTEMBER, "22")
    assert top.highlighted_texts() == [
        "Apologies had been received from Sylvia Cockroft (Archdiocese of Cardiff), Sam Pratley (Hereford Diocese)."
    ]
    chair = assistant.ask("Who chaired the latest meeting?")
    assert chair.kind == "chair"
    assert chair.answer_line.startswith("“Present: Councillor Toni Fagan (chairperson)” — ")
    assert chair.passages[0].chunk.meeting_id == JANUARY
    # With no meeting named, every meeting's record, newest first.
    both = assistant.ask("Who sent apologies?")
    assert [item_of(p) for p in both.passages] == [(JANUARY, "42"), (SEPTEMBER, "22")]


def test_a_month_in_the_question_filters_the_meetings(assistant: Assistant) -> None:
    answer = assistant.ask("What was said about the improvement plan in September?")
    assert answer.filters == Filters(date_from=date(2024, 9, 1), date_to=date(2024, 9, 30))
    assert answer.passages and all(p.chunk.meeting_id == SEPTEMBER for p in answer.passages)
    assert answer.scope_note == "Searched September 2024, as the question asks."


def test_explicit_filters_and_sort(assistant: Assistant) -> None:
    item = assistant.ask("What was said about Ofsted?", filters=Filters(item_number="49"))
    assert item.passages and {item_of(p) for p in item.passages} == {(JANUARY, "49")}
    by_date = assistant.ask("What was said about Ofsted?", k=6, sort="date")
    dates = [p.chunk.meeting_date for p in by_date.passages]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == 2
    assert by_date.sort == "date"
    # The same items as by relevance, in another order.
    relevance = assistant.ask("What was said about Ofsted?", k=6)
    assert {item_of(p) for p in relevance.passages} == {item_of(p) for p in by_date.passages}


def test_a_meeting_the_library_does_not_hold_is_not_found(assistant: Assistant) -> None:
    answer = assistant.ask("What did the committee discuss on 10 December 2024?")
    assert answer.abstained and answer.passages == ()
    note = "This library has no meeting on 10 December 2024; it has 17 September 2024 and 21 January 2025."
    assert answer.scope_note == note
    assert answer.answer_line == f"Not found: {note}"
    assert 1 <= len(answer.closest) <= 3
    other = assistant.ask("What was decided?", filters=Filters(committees=("Audit Committee",)))
    assert other.abstained and other.scope_note == "This library has no meeting matching Audit Committee."


def test_weak_matches_are_refused_with_the_closest_listed(settings: Settings) -> None:
    strict = Assistant(Library.load(settings.library, settings=settings), settings, threshold=10.0)
    answer = strict.ask("What was said about the quality assurance framework?")
    assert answer.abstained and answer.passages == () and answer.answer_line == NOT_FOUND
    assert 1 <= len(answer.closest) <= 3 and all(p.highlights for p in answer.closest)
    assert len(answer.evidence) == 3  # the best three items' figures, for the record
    # The attendance record is not subject to the threshold.
    assert not strict.ask("Who chaired the latest meeting?").abstained


def test_follow_ups_resolve_against_the_previous_question(assistant: Assistant) -> None:
    first = assistant.ask("What did the committee say about dental health in September?")
    follow = assistant.ask("and what did they decide?", history=(Turn("q", first),))
    assert follow.kind == "decision"
    assert follow.resolved_question == "What was decided about dental health (September 2024)?"
    assert follow.filters == first.filters
    assert all(p.chunk.meeting_id == SEPTEMBER for p in follow.passages)
    apologies = assistant.ask("Who sent apologies to the January 2025 meeting?")
    september = assistant.ask("What about in September?", history=(Turn("q", apologies),))
    assert september.kind == "apologies"
    assert item_of(september.passages[0]) == (SEPTEMBER, "22")


def test_decision_questions_show_the_items_resolution(assistant: Assistant) -> None:
    answer = assistant.ask("What was resolved about quality circles?", mode="keyword")
    top = answer.passages[0]
    assert item_of(top) == (SEPTEMBER, "28")
    assert "Resolved" in top.chunk.text
    assert "That the service explores Quality Circles as a means of getting staff feedback." in top.highlighted_texts()


def test_modes_and_bad_arguments(assistant: Assistant) -> None:
    for mode in ("dense", "keyword", "hybrid"):
        answer = assistant.ask("What was said about Ofsted?", mode=mode)
        assert answer.mode == mode and answer.passages
    for bad in ({"mode": "sparse"}, {"sort": "title"}, {"k": 0}):
        with pytest.raises(ValueError):
            assistant.ask("What was said about Ofsted?", **bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        assistant.ask("   ")


def test_every_answer_matches_the_documented_schema(assistant: Assistant) -> None:
    questions = [
        "What was said about the quality assurance framework?",
        "Who attended the meeting on 21 January 2025?",
        "What did the committee discuss on 10 December 2024?",
        "What was resolved about quality circles?",
        "Where was the September meeting held?",
    ]
    for question in questions:
        jsonschema.validate(assistant.ask(question).to_json(), ANSWER_SCHEMA)


def test_attendance_highlights_are_the_attendance_spans(assistant: Assistant) -> None:
    answer = assistant.ask("Which councillors were present in September?")
    top = answer.passages[0]
    assert [(h.start, h.end) for h in top.highlights] == sorted(attendance_spans(top.chunk.text, "attendance"))


def test_load_assistant_loads_once_and_again_after_a_change(tmp_path: Path) -> None:
    settings = build_sample_library(tmp_path / "library")
    first = load_assistant(settings)
    assert load_assistant(settings) is first
    build_sample_library(tmp_path / "library")  # re-ingest: a new library version is swapped in
    assert first.library.is_current() is False
    second = load_assistant(settings)
    assert second is not first and second.library.is_current()
