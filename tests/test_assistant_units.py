"""The assistant's records, collapse, question reading, attendance spans and evidence, on hand-made examples."""

from __future__ import annotations

import math
from datetime import date

import pytest

from assistant.attendance import attendance_spans, holds_attendance
from assistant.collapse import collapse
from assistant.evidence import Evidence, answers, best
from assistant.question import PreviousTurn, question_kind, read_question, topic_of
from assistant.records import Answer, Filters, Highlight, Passage
from assistant.terms import TermStats, content_terms, term_set
from ingest.models import Chunk

COMMITTEE = "Children and Young People Scrutiny Committee"
MEETINGS = [date(2024, 9, 17), date(2025, 1, 21)]


def chunk(
    text: str,
    item: str | None = "48",
    *,
    start: int = 0,
    day: date = date(2025, 1, 21),
    title: str | None = "Safeguarding review",
    page: int | None = None,
    committee: str = COMMITTEE,
) -> Chunk:
    meeting_id = f"cyp-{day.isoformat()}"
    return Chunk(
        chunk_id=f"{meeting_id}-{item}-{start}",
        meeting_id=meeting_id,
        committee=committee,
        meeting_date=day,
        item_number=item,
        item_title=title if item is not None else None,
        text=text,
        source="minutes.txt",
        start=start,
        end=start + len(text),
        page=page,
    )


# ---------------------------------------------------------------------------------------------------- records


def test_citation_names_committee_date_item_and_title() -> None:
    passage = Passage(chunk("Text."), 0.5, 1)
    assert passage.citation() == f"{COMMITTEE}, 21 January 2025, item 48: Safeguarding review"
    assert passage.link == "cyp-2025-01-21#item-48"


def test_citation_of_the_preamble_and_of_a_paginated_source() -> None:
    preamble = Passage(chunk("Present: Cllr A.", None, day=date(2024, 9, 7)), 0.5, 1)
    assert preamble.citation() == f"{COMMITTEE}, 7 September 2024, preamble (attendance)"
    assert preamble.link == "cyp-2024-09-07#preamble"
    paged = Passage(chunk("Text.", "4.1", page=3), 0.5, 1)
    assert paged.citation() == f"{COMMITTEE}, 21 January 2025, item 4.1: Safeguarding review, page 3"
    assert paged.link == "cyp-2025-01-21#item-4-1"


def test_highlights_must_lie_inside_the_passage() -> None:
    with pytest.raises(ValueError, match="past the passage"):
        Passage(chunk("Short."), 0.5, 1, highlights=(Highlight(0, 7),))
    with pytest.raises(ValueError):
        Highlight(3, 3)


def test_filters_match_committee_dates_and_item() -> None:
    january = chunk("x", "48")
    september = chunk("x", "28", day=date(2024, 9, 17))
    assert Filters().matches(january) and Filters().empty
    only_january = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    assert only_january.matches(january) and not only_january.matches(september)
    assert Filters(committees=("children and young people  scrutiny committee",)).matches(january)
    assert not Filters(committees=("Audit Committee",)).matches(january)
    assert Filters(item_number="28").matches(september) and not Filters(item_number="28").matches(january)
    assert only_january.describe() == "1 January 2025 to 31 January 2025"
    assert Filters(committees=("Audit",), item_number="4").describe() == "Audit, item 4"
    with pytest.raises(ValueError, match="starts after it ends"):
        Filters(date_from=date(2025, 2, 1), date_to=date(2025, 1, 1))


def test_answer_json_carries_everything_a_front_end_needs() -> None:
    text = "The committee noted the report. Funding was secure."
    passage = Passage(chunk(text, start=100), 0.25, 1, highlights=(Highlight(32, 51),))
    answer = Answer("q?", "q?", "line", (passage,), False, filters=Filters(item_number="48"), kind="search")
    data = answer.to_json()
    assert data["schema"] == "minutebook.answer/1"
    assert data["filters"] == {"committees": [], "date_from": None, "date_to": None, "item_number": "48"}
    entry = data["passages"][0]
    assert entry["highlights"] == [{"start": 32, "end": 51, "text": "Funding was secure."}]
    assert (entry["start"], entry["end"], entry["meeting_date"]) == (100, 151, "2025-01-21")
    assert entry["citation"] == passage.citation() and entry["link"] == "cyp-2025-01-21#item-48"


# ---------------------------------------------------------------------------------------------------- collapse


def test_collapse_ranks_items_and_keeps_the_other_passages_of_each() -> None:
    a1, a2 = chunk("a1", "48", start=0), chunk("a2", "48", start=10)
    b1 = chunk("b1", "49", start=20)
    c1 = chunk("c1", None, start=30)
    d1 = chunk("d1", "48", start=40, day=date(2024, 9, 17))  # item 48 of another meeting: another item
    hits = collapse([(a2, 0.9), (b1, 0.8), (a1, 0.7), (c1, 0.6), (d1, 0.5), (b1, 0.4)])
    assert [(hit.chunk, hit.score, hit.related) for hit in hits] == [
        (a2, 0.9, (a1,)),
        (b1, 0.8, ()),  # a repeated passage is not its own relative
        (c1, 0.6, ()),
        (d1, 0.5, ()),
    ]
    assert [hit.chunk for hit in collapse([(a2, 0.9), (b1, 0.8), (a1, 0.7), (c1, 0.6)], k=2)] == [a2, b1]


# ---------------------------------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who attended the meeting on 21 January 2025?", "attendance"),
        ("Which councillors were present?", "attendance"),
        ("Who sent apologies?", "apologies"),
        ("Who did not attend in September?", "apologies"),
        ("Who couldn't make the January meeting?", "apologies"),
        ("Who chaired the latest meeting?", "chair"),
        ("Where was the meeting held?", "venue"),
        ("What was decided about the work programme?", "decision"),
        ("Did the committee agree to remove the recommendation?", "decision"),
        ("What did the chair of the safety partnership say?", "search"),
        ("How many training sessions were planned?", "search"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert question_kind(question) == kind


def test_topic_drops_question_words_generic_words_and_cue_words() -> None:
    assert topic_of("What did the committee say about dentistry for looked-after children?") == (
        "dentistry for looked-after children"
    )
    assert topic_of("Who sent apologies to the meeting?") == ""
    assert topic_of("What was decided about the work programme?") == "work programme"


def test_a_question_alone_keeps_its_words_and_its_dates() -> None:
    reading = read_question("What was decided in January 2025 about care leavers?", MEETINGS)
    assert reading.kind == "decision" and reading.topic == "care leavers" and not reading.follow_up
    assert reading.search_text == "What was decided about care leavers?"
    assert reading.scope is not None and reading.scope.label == "January 2025"


def previous_of(question: str) -> PreviousTurn:
    reading = read_question(question, MEETINGS)
    scope = reading.scope
    return PreviousTurn(
        reading.search_text,
        reading.kind,
        reading.topic,
        scope.date_from if scope else None,
        scope.date_to if scope else None,
        scope.label if scope else None,
    )


def test_and_what_did_they_decide_keeps_the_topic_and_dates() -> None:
    previous = previous_of("What did the committee say about care leavers in January 2025?")
    reading = read_question("and what did they decide?", MEETINGS, previous)
    assert reading.follow_up and reading.kind == "decision" and reading.topic == "care leavers"
    assert reading.search_text == "what was decided about care leavers"
    assert reading.resolved_question == "What was decided about care leavers (January 2025)?"
    assert reading.inherited_dates == (date(2025, 1, 1), date(2025, 1, 31))


def test_what_about_in_september_keeps_the_question_and_changes_the_dates() -> None:
    previous = previous_of("What did the committee say about care leavers in January 2025?")
    reading = read_question("What about in September?", MEETINGS, previous)
    assert reading.search_text == "What did the committee say about care leavers?"
    assert reading.resolved_question == "What did the committee say about care leavers (September 2024)?"
    assert reading.scope is not None and reading.scope.date_from == date(2024, 9, 1)
    assert reading.inherited_dates is None


def test_what_about_a_new_topic_swaps_the_topic_and_keeps_the_kind() -> None:
    previous = previous_of("Who sent apologies to the January 2025 meeting?")
    assert read_question("what about in September?", MEETINGS, previous).kind == "apologies"
    decided = previous_of("What was decided about care leavers?")
    reading = read_question("what about dental health?", MEETINGS, decided)
    assert reading.kind == "decision" and reading.search_text == "what was decided about dental health"


def test_a_new_question_in_a_conversation_is_not_a_follow_up() -> None:
    previous = previous_of("What did the committee say about care leavers in January 2025?")
    reading = read_question("How many joint training sessions were scheduled?", MEETINGS, previous)
    assert not reading.follow_up and reading.inherited_dates is None and reading.topic != "care leavers"


# ---------------------------------------------------------------------------------------------------- attendance

PREAMBLE = (
    "Minutes of the meeting held at Plough Lane Offices, Hereford on Tuesday 21 January 2025 at 2.00 pm\n\n"
    "Present: Councillor Toni Fagan (chairperson)\n\nCouncillor Liz Harvey (vice-chairperson)\n\n"
    "In attendance: Councillor Ivan Powell (Cabinet Member)\n\n"
    "Officers: Simon Cann (Committee Clerk)\n\n"
    "42. APOLOGIES FOR ABSENCE\n\nApologies had been received from Jan Frances."
)


def spans_text(kind: str) -> list[str]:
    return [PREAMBLE[start:end] for start, end in attendance_spans(PREAMBLE, kind)]


def test_attendance_spans_are_the_present_and_in_attendance_blocks() -> None:
    assert spans_text("attendance") == [
        "Present: Councillor Toni Fagan (chairperson)\n\nCouncillor Liz Harvey (vice-chairperson)",
        "In attendance: Councillor Ivan Powell (Cabinet Member)",
    ]
    start = PREAMBLE.index("Present:")
    assert attendance_spans(PREAMBLE, "attendance")[0] == (start, start + 86)


def test_apologies_chair_and_venue_spans() -> None:
    assert spans_text("apologies") == ["Apologies had been received from Jan Frances."]  # not the heading
    assert spans_text("chair") == ["Present: Councillor Toni Fagan (chairperson)"]  # not the vice-chair
    assert spans_text("venue")[0].startswith("Minutes of the meeting held at Plough Lane Offices")
    assert attendance_spans("Nothing relevant here.", "apologies") == []


def test_which_passages_can_hold_the_attendance_record() -> None:
    assert holds_attendance(chunk("x", None), "attendance")
    assert holds_attendance(chunk("x", "42", title="APOLOGIES FOR ABSENCE"), "apologies")
    assert not holds_attendance(chunk("x", "48", title="Safeguarding review"), "apologies")


# ---------------------------------------------------------------------------------------------------- evidence


def test_terms_are_stemmed_content_words() -> None:
    assert content_terms("What was decided about the committee's decisions?") == ["decid", "decis"]
    assert content_terms("the committee meeting", generic=True) == ["committe", "meet"]
    assert "budget" in term_set("Budgets were set.")


def test_coverage_weights_rare_terms_by_idf() -> None:
    # 4 passages; "budget" in 1 of them, "report" in 3, "zebra" in none.
    stats = TermStats(["budget report", "report", "report today", "weather"])
    idf_budget, idf_report, idf_zebra = math.log(5 / 1.5), math.log(5 / 3.5), math.log(5 / 0.5)
    assert stats.idf("budget") == pytest.approx(idf_budget)
    assert stats.coverage(["budget", "report"], frozenset({"budget"})) == pytest.approx(
        idf_budget / (idf_budget + idf_report)
    )
    # a term the library never uses weighs most: missing it leaves little coverage
    assert stats.coverage(["report", "zebra"], frozenset({"report"})) == pytest.approx(
        idf_report / (idf_report + idf_zebra)
    )
    assert stats.coverage([], frozenset({"report"})) == 0.0


def test_evidence_threshold() -> None:
    weak, strong = Evidence(0.30, 0.2), Evidence(0.45, 0.4)
    assert weak.confidence(0.5) == pytest.approx(0.40) and strong.confidence(0.5) == pytest.approx(0.65)
    assert best([weak, strong], 0.5) is strong and best([], 0.5) is None
    assert answers(strong, 0.5, 0.5) and not answers(weak, 0.5, 0.5) and not answers(None, 0.5, 0.5)
