"""Scope from the question, on hand-made meetings: the bodies a question names (full names, short forms, places,
acronyms, descriptive names), the dates read against those bodies' own meetings, and questions with no scope."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.question import read_question
from assistant.scope import CommitteeNames, strip_mentions
from ingest.models import Item, Meeting

MILBURN = "Milburn Parish Council"
NEWBIGGIN = "Newbiggin Parish Council"
AYTON = "Ayton Community Council"
MERTON = "Merton Council Audit Committee"
CYP = "Children and Young People Scrutiny Committee"
ASF = "Apache Software Foundation Board of Directors"


def meeting(committee: str, day: date, text: str, venue: str | None = None) -> Meeting:
    return Meeting(
        meeting_id=f"{committee.lower().replace(' ', '-')}-{day}",
        committee=committee,
        meeting_date=day,
        source="minutes.txt",
        sha256="0" * 64,
        text=text,
        items=(Item(None, None, 0, len(text)),),
        venue=venue,
    )


LIBRARY = [
    meeting(MILBURN, date(2017, 3, 7), "Milburn Parish Council\n7th March 2017\nPresent\nCouncillors D Richardson"),
    meeting(NEWBIGGIN, date(2019, 9, 3), "Newbiggin Parish Council - 3rd September 2019\nThe bonfire will be held."),
    meeting(AYTON, date(2016, 4, 5), "AYTON COMMUNITY COUNCIL\nMinutes of a Meeting held in Ayton Community Hall"),
    meeting(AYTON, date(2025, 5, 6), "Held in Ayton Community Hall.\nThe CC agreed to pay the hall fees."),
    meeting(
        MERTON,
        date(2009, 9, 24),
        "Merton Council\nAudit Committee\nMembership\nCouncillors\nThe audit of the pension fund accounts cost more.\n"
        "A letter from Leeds City Council was noted.",
    ),
    meeting(
        CYP,
        date(2024, 9, 17),
        "Minutes of the meeting of Children and Young People Scrutiny Committee\nThe children in care and young "
        "people's scrutiny of placements.",
        venue="Conference Room 1 - Herefordshire Council, Plough Lane Offices, Hereford",
    ),
    meeting(CYP, date(2025, 1, 21), "Minutes of the meeting\nChildren's services and the scrutiny of plans."),
    meeting(ASF, date(2015, 1, 21), "The Apache Software Foundation\nBoard of Directors Meeting\nThe ASF board met."),
]


@pytest.fixture(scope="module")
def names() -> CommitteeNames:
    return CommitteeNames(LIBRARY)


def bodies(names: CommitteeNames, question: str) -> tuple[str, ...] | None:
    found = names.find(question)
    return None if found is None else found.committees


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # full names, written any way
        ("Who chaired Milburn Parish Council in March 2017?", (MILBURN,)),
        ("What did the children and young people scrutiny committee say?", (CYP,)),
        # short forms: a proper name alone, even in lower case (the minutes never write it in lower case)
        ("What did Milburn decide about the drains?", (MILBURN,)),
        ("what did milburn decide about the drains?", (MILBURN,)),
        ("Did Ayton CC pay the hall fees?", (AYTON,)),
        ("At Ayton's May 2025 meeting, what did the police report say?", (AYTON,)),
        # an acronym the body's own minutes use; a name word that is a common word needs its body noun
        ("What did the ASF board decide?", (ASF,)),
        ("What did the audit committee say about the accounts?", (MERTON,)),
        ("What did Merton's audit committee resolve?", (MERTON,)),
        # a place named only in the venue, narrowed by the descriptive name beside it
        ("What did Herefordshire's scrutiny committee say?", (CYP,)),
        ("What is being done about dentists in Herefordshire?", (CYP,)),
        # two bodies: both
        ("What have the Milburn and Newbiggin parish councils said about bonfires?", (MILBURN, NEWBIGGIN)),
        # no body: generic words alone, a common name word without its body noun, nothing at all
        ("What did the parish council decide?", None),
        ("What did the committee decide about the council's budget?", None),
        ("How much did the audit of the pension fund accounts cost?", None),
        ("What did they say about young people's mental health?", None),
        ("What was said about care leavers?", None),
        # a body the minutes only mention is part of the topic, not the scope
        ("What did Leeds City Council say?", None),
    ],
)
def test_bodies_named_in_a_question(names: CommitteeNames, question: str, expected: tuple[str, ...] | None) -> None:
    assert bodies(names, question) == expected


def test_a_body_the_library_neither_holds_nor_mentions(names: CommitteeNames) -> None:
    found = names.find("What did Kirklees Metropolitan Council decide about parking?")
    assert found is not None and found.committees == () and found.unknown == "Kirklees Metropolitan Council"
    # only a capitalised name ending in a body noun is taken for a body, not any capitalised word
    assert names.find("What did Kirklees decide about parking?") is None
    assert names.find("Did the Full Council meet?") is None


def test_one_body_written_two_ways_is_one_committee() -> None:
    variants = CommitteeNames(
        [
            meeting("Ayton CC", date(2016, 4, 5), "AYTON CC\nMinutes of a Meeting held in Ayton Community Hall"),
            meeting(AYTON, date(2025, 5, 6), "Held in Ayton Community Hall."),
            meeting(MILBURN, date(2017, 3, 7), "Milburn Parish Council"),
        ]
    )
    assert bodies(variants, "What did Ayton decide about the flagpole?") == ("Ayton CC", AYTON)
    assert bodies(variants, "What did Ayton Community Council decide?") == ("Ayton CC", AYTON)


def test_the_question_without_the_bodies_it_names(names: CommitteeNames) -> None:
    def stripped(question: str, *, phrases: bool = False) -> str:
        found = names.find(question)
        assert found is not None
        return strip_mentions(question, found.mentions, phrases=phrases)

    assert stripped("What did Milburn Parish Council decide about the drains?") == "What did decide about the drains?"
    # a whole noun phrase goes with the words attaching it; a name before a noun that stays goes alone
    assert stripped("Which Apache director left early?") == "Which director left early?"
    assert stripped("What was reported to the Ayton Community Council meeting?") == "What was reported to the meeting?"
    assert stripped("What was said at Ayton's meeting?") == "What was said at meeting?"
    assert stripped("What was said at Ayton's?") == "What was said?"
    # the topic loses the body nouns too
    question = "Who chaired the Milburn parish council meeting?"
    assert stripped(question) == "Who chaired the meeting?"
    assert stripped(question, phrases=True) == "Who chaired?"


def test_dates_are_read_against_the_named_bodys_meetings(names: CommitteeNames) -> None:
    dates = sorted(m.meeting_date for m in LIBRARY)
    latest = read_question("What did Milburn decide at the latest meeting?", dates, None, names)
    assert latest.scope is not None and (latest.scope.date_from, latest.scope.date_to) == (date(2017, 3, 7),) * 2
    assert latest.bodies is not None and latest.bodies.committees == (MILBURN,)
    assert latest.search_text == "What did decide?" and latest.topic == ""
    # "May" with no year: the most recent May the body holds, not the library's
    may = read_question("Who chaired Ayton Community Council in May?", dates, None, names)
    assert may.scope is not None and may.scope.label == "May 2025" and may.kind == "chair" and may.topic == ""
    # "last year": the year before the newest meeting of the whole library, when no body is named
    last_year = read_question("What was decided about placements last year?", dates, None, names)
    assert last_year.bodies is None
    assert last_year.scope is not None and (last_year.scope.date_from, last_year.scope.date_to) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
    )
    # a month named without a year shares the year of the month it is joined to
    both = read_question("When are Milburn's meetings in January and February 2018?", dates, None, names)
    assert both.scope is not None and (both.scope.date_from, both.scope.date_to) == (
        date(2018, 1, 1),
        date(2018, 2, 28),
    )


def test_no_scope(names: CommitteeNames) -> None:
    dates = sorted(m.meeting_date for m in LIBRARY)
    reading = read_question("What was said about care leavers?", dates, None, names)
    assert reading.bodies is None and reading.scope is None
    assert reading.search_text == "What was said about care leavers?" and reading.topic == "care leavers"


def test_a_scope_that_names_every_committee_is_no_scope() -> None:
    one = CommitteeNames([meeting(MILBURN, date(2017, 3, 7), "Milburn Parish Council")])
    assert one.find("What did Milburn decide?") is None


def test_what_the_library_holds_in_words(names: CommitteeNames) -> None:
    assert names.holdings(limit=3) == (
        f"{ASF} (1 meeting), {AYTON} (2 meetings), {CYP} (2 meetings) and 3 other committees"
    )
