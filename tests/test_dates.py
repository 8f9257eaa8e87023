"""Dates in a question become a date filter, read against the library's meetings, never today's clock."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.dates import dates_label, describe_holdings, find_date_scope, infer_year, strip_phrase

# The sample library: two meetings.
MEETINGS = [date(2024, 9, 17), date(2025, 1, 21)]


def scope_of(question: str, meetings: list[date] = MEETINGS) -> tuple[date | None, date | None, str] | None:
    scope = find_date_scope(question, meetings)
    return (scope.date_from, scope.date_to, scope.label) if scope else None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # a named day
        ("Who attended on 21 January 2025?", (date(2025, 1, 21), date(2025, 1, 21), "21 January 2025")),
        ("what was agreed on the 21st of Jan. 2025", (date(2025, 1, 21), date(2025, 1, 21), "21 January 2025")),
        ("minutes of January 21, 2025", (date(2025, 1, 21), date(2025, 1, 21), "21 January 2025")),
        ("the meeting of 2024-09-17", (date(2024, 9, 17), date(2024, 9, 17), "17 September 2024")),
        ("the meeting on 17/9/2024", (date(2024, 9, 17), date(2024, 9, 17), "17 September 2024")),
        # a month
        ("What was decided in January 2025?", (date(2025, 1, 1), date(2025, 1, 31), "January 2025")),
        ("at the September 2024 meeting", (date(2024, 9, 1), date(2024, 9, 30), "September 2024")),
        # a month without a year: the latest one the library holds
        ("What happened at the September meeting?", (date(2024, 9, 1), date(2024, 9, 30), "September 2024")),
        ("and in january?", (date(2025, 1, 1), date(2025, 1, 31), "January 2025")),
        # ...or, if it holds none, the latest one up to its newest meeting (2025-01-21): March 2024
        ("what was said in March?", (date(2024, 3, 1), date(2024, 3, 31), "March 2024")),
        # a year
        ("Who chaired meetings in 2024?", (date(2024, 1, 1), date(2024, 12, 31), "2024")),
        # relative: to the newest meeting (21 January 2025)
        ("what did they decide last year?", (date(2024, 1, 1), date(2024, 12, 31), "2024")),
        ("anything this year?", (date(2025, 1, 1), date(2025, 12, 31), "2025")),
        ("last month", (date(2024, 12, 1), date(2024, 12, 31), "December 2024")),
        (
            "who chaired the latest meeting?",
            (date(2025, 1, 21), date(2025, 1, 21), "the latest meeting (21 January 2025)"),
        ),
        (
            "at the most recent meeting",
            (date(2025, 1, 21), date(2025, 1, 21), "the most recent meeting (21 January 2025)"),
        ),
        (
            "at the previous meeting",
            (date(2024, 9, 17), date(2024, 9, 17), "the previous meeting (17 September 2024)"),
        ),
        ("at the first meeting", (date(2024, 9, 17), date(2024, 9, 17), "the first meeting (17 September 2024)")),
        # open and joined ranges
        ("since September 2024", (date(2024, 9, 1), None, "since September 2024")),
        (
            "in September 2024 and January 2025",
            (date(2024, 9, 1), date(2025, 1, 31), "September 2024 and January 2025"),
        ),
    ],
)
def test_dates_in_a_question(question: str, expected: tuple[date | None, date | None, str]) -> None:
    assert scope_of(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "What was discussed about the budget?",  # no date
        "Will the work be finished by 31 March 2025?",  # a deadline, in the minutes' words
        "What must happen before January 2026?",
        "What may happen to the service?",  # "may" the verb
        "the 2023-24 annual review",  # a report's period, not a meeting
        "Working Together 2023",  # a title
    ],
)
def test_phrases_that_are_not_meeting_dates(question: str) -> None:
    assert scope_of(question) is None


def test_relative_dates_follow_the_library_not_the_clock() -> None:
    old_library = [date(2016, 4, 5), date(2017, 3, 7)]
    assert scope_of("what happened last year?", old_library) == (date(2016, 1, 1), date(2016, 12, 31), "2016")
    assert scope_of("at the latest meeting", old_library) == (
        date(2017, 3, 7),
        date(2017, 3, 7),
        "the latest meeting (7 March 2017)",
    )
    assert scope_of("in May", old_library) == (date(2016, 5, 1), date(2016, 5, 31), "May 2016")


def test_no_meetings_no_scope() -> None:
    assert find_date_scope("in January 2025", []) is None


def test_infer_year() -> None:
    assert infer_year(9, None, MEETINGS) == 2024  # held
    assert infer_year(1, 21, MEETINGS) == 2025  # held, that day
    assert infer_year(1, 5, MEETINGS) == 2025  # 5 January 2025 is before the newest meeting
    assert infer_year(2, None, MEETINGS) == 2024  # February 2025 would be after it


def test_the_phrase_is_located_and_can_be_taken_out() -> None:
    question = "What was decided in January 2025 about care leavers?"
    scope = find_date_scope(question, MEETINGS)
    assert scope is not None
    assert question[scope.start : scope.end] == "in January 2025"
    assert strip_phrase(question, scope) == "What was decided about care leavers?"
    assert scope.exact is False
    day = find_date_scope("Who came on 21 January 2025?", MEETINGS)
    assert day is not None and day.exact is True
    assert strip_phrase("Who came on 21 January 2025?", day) == "Who came?"


def test_describe_holdings_names_the_nearest_meetings() -> None:
    scope = find_date_scope("in March 2018", [date(2017, 3, 7)])
    assert scope is not None
    assert describe_holdings([date(2017, 3, 7)], scope) == "it has 7 March 2017"
    many = [date(2020, m, 1) for m in range(1, 13)]
    june = find_date_scope("on 10 June 2020", many)
    assert june is not None
    # nearest to 10 June: 1 June (9 days), 1 July (21), 1 May (40); listed in date order
    assert describe_holdings(many, june) == "it has 1 May 2020, 1 June 2020 and 1 July 2020 among others"


def test_dates_label() -> None:
    assert dates_label(date(2025, 1, 21), date(2025, 1, 21)) == "21 January 2025"
    assert dates_label(date(2025, 1, 1), date(2025, 1, 31)) == "January 2025"
    assert dates_label(date(2024, 1, 1), date(2024, 12, 31)) == "2024"
    assert dates_label(date(2024, 9, 1), date(2025, 1, 31)) == "1 September 2024 to 31 January 2025"
    assert dates_label(date(2024, 9, 1), None) == "since 1 September 2024"
    assert dates_label(None, date(2024, 9, 1)) == "up to 1 September 2024"
    assert dates_label(None, None) is None
