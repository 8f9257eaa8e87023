"""Dates named in a question become a date filter: "on 21 January 2025", "in January 2025", "at the September
meeting", "in 2024", "last year", "the latest meeting".

Pure functions of the question and the library's meeting dates. Anything relative ("last year", "the September
meeting" with no year, "the latest meeting") is read against the newest meeting in the library, never against
today's clock, so the same library answers the same question the same way next year. A month or day named
without a year means the most recent one the library holds; if it holds none, the most recent one on or before
its newest meeting (which then matches no meeting, and the assistant says so).

Dates after "by", "until", "before" or "after" are deadlines in the minutes' own words ("complete this work by
31 March 2025"), not the meeting asked about, and are left alone.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.records import format_date

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?:\.|\b)"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_THE = r"(?:the|its|their)\s+"  # "at its May 2025 meeting"
_PREP = rf"(?:(?P<prep>on|in|at|during|from|for|of|since|by|until|till|before|after)\s+)?(?:{_THE})?"
_NO_YEAR = r"(?!,?\s*(?:of\s+)?\d)"  # not followed by a year (or any number)
_MEETING = r"(?:\s+(?:meetings?|minutes))"

# Each pattern names the parts it found; the longest match wins where two overlap.
PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b{_PREP}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})\b",
        rf"\b{_PREP}{_MONTH}\s+{_DAY},?\s+(?P<year>\d{{4}})\b",
        rf"\b{_PREP}(?P<year>\d{{4}})-(?P<mon>\d{{1,2}})-(?P<day>\d{{1,2}})\b",
        rf"\b{_PREP}(?P<day>\d{{1,2}})/(?P<mon>\d{{1,2}})/(?P<year>\d{{4}}|\d{{2}})\b",
        rf"\b{_PREP}{_DAY}\s+(?:of\s+)?{_MONTH}{_NO_YEAR}",
        rf"\b{_PREP}{_MONTH},?\s+(?:of\s+)?(?P<year>\d{{4}})\b(?:{_MEETING})?",
        rf"\b(?:(?P<prep>at|in|from|during|for|of|on)\s+)?{_THE}{_MONTH}(?:\s+(?P<year>\d{{4}}))?{_MEETING}",
        rf"\b(?:(?P<prep>at|in|from|during|for|of|on)\s+)?(?:{_THE})?{_MONTH}['’]s{_MEETING}",
        rf"\b(?P<prep>in|during|at|from|since|of)\s+{_MONTH}{_NO_YEAR}",
        r"\b(?P<prep>in|during|for|from|of|since)\s+(?P<year>(?:19|20)\d{2})\b(?![-/–]\d)",
        rf"\b(?:(?P<prep>in|at|from|of)\s+)?(?:{_THE})?(?P<year>(?:19|20)\d{{2}}){_MEETING}s?\b",
        r"\b(?:(?P<prep>in|during|from|since|over)\s+)?(?:the\s+)?(?P<rel>last|this|previous|past)\s+"
        r"(?P<unit>year|month)\b",
        rf"\b(?:(?P<prep>at|in|from|of|during|for|on)\s+)?{_THE}(?P<which>latest|last|most\s+recent|newest|"
        r"recent|previous|earliest|first|oldest)\s+meeting\b",
    )
]

JOINER = re.compile(r"\s*(?:,\s*)?(?:and|or|to|&|-|–)?\s*", re.IGNORECASE)
DEADLINE = {"by", "until", "till", "before", "after"}


@dataclass(frozen=True, slots=True)
class DateScope:
    """A date range read from a question; `start`/`end` locate the phrase in the question."""

    date_from: date | None
    date_to: date | None
    label: str  # in words, e.g. "January 2025", "the latest meeting (21 January 2025)"
    start: int
    end: int
    exact: bool = False  # names one meeting day (a date, "the latest meeting")

    def contains(self, day: date) -> bool:
        return (self.date_from is None or day >= self.date_from) and (self.date_to is None or day <= self.date_to)


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def infer_year(month: int, day: int | None, meeting_dates: Sequence[date]) -> int:
    """The year of the most recent such month (or day) the library holds, else the latest one up to its newest
    meeting."""
    years = [d.year for d in meeting_dates if d.month == month and (day is None or d.day == day)]
    if years:
        return max(years)
    newest = max(meeting_dates)
    return newest.year if (month, day or 1) <= (newest.month, newest.day) else newest.year - 1


def _month_number(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")[:3]]


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _scope_from(match: re.Match[str], meeting_dates: Sequence[date]) -> DateScope | None:
    parts = match.groupdict()
    start, end = match.span()
    if parts.get("rel"):
        newest = max(meeting_dates)
        if parts["unit"] == "year":
            which_year = newest.year - (0 if parts["rel"].lower() == "this" else 1)
            return DateScope(date(which_year, 1, 1), date(which_year, 12, 31), f"{which_year}", start, end)
        first = newest.replace(day=1)
        if parts["rel"].lower() != "this":
            first = (first - timedelta(days=1)).replace(day=1)
        low, high = month_range(first.year, first.month)
        return DateScope(low, high, f"{low:%B %Y}", start, end)
    if parts.get("which"):
        ordered = sorted(set(meeting_dates))
        which = " ".join(parts["which"].lower().split())
        if which in {"earliest", "first", "oldest"}:
            meeting_day = ordered[0]
        elif which == "previous":
            meeting_day = ordered[-2] if len(ordered) > 1 else ordered[-1]
        else:
            meeting_day = ordered[-1]
        label = f"the {which} meeting ({format_date(meeting_day)})"
        return DateScope(meeting_day, meeting_day, label, start, end, exact=True)

    month_text = parts.get("month")
    if month_text and month_text.lower() == "may" and not month_text.startswith("M"):
        return None  # "may" the verb
    month = _month_number(month_text) if month_text else int(parts["mon"]) if parts.get("mon") else None
    day: int | None = int(parts["day"]) if parts.get("day") else None
    year: int | None = _year(parts["year"]) if parts.get("year") else None
    if month is None:
        assert year is not None
        return DateScope(date(year, 1, 1), date(year, 12, 31), f"{year}", start, end)
    if year is None:
        year = infer_year(month, day, meeting_dates)
    if day is not None:
        try:
            exact_day = date(year, month, day)
        except ValueError:
            return None
        return DateScope(exact_day, exact_day, format_date(exact_day), start, end, exact=True)
    low, high = month_range(year, month)
    return DateScope(low, high, f"{low:%B %Y}", start, end)


def find_date_scope(question: str, meeting_dates: Sequence[date]) -> DateScope | None:
    """The first date phrase in `question` that names when a meeting was, as a range; None if there is none.

    Two phrases joined by "and", "or" or "to" ("in September 2024 and January 2025") give the range from
    the first to the second. With no meeting dates there is nothing to read relative dates against: None.
    """
    if not meeting_dates:
        return None
    found: list[tuple[int, int, re.Match[str]]] = []
    for pattern in PATTERNS:
        for match in pattern.finditer(question):
            found.append((match.start(), -(match.end() - match.start()), match))
    scopes: list[DateScope] = []
    years: list[int | None] = []  # the year each phrase names itself, if any
    bare: list[bool] = []  # a month named without a day or year ("in January")
    taken_until = -1
    for start, _, match in sorted(found, key=lambda entry: (entry[0], entry[1])):
        if start < taken_until:
            continue  # inside a longer phrase already considered
        taken_until = match.end()
        prep = (match.group("prep") or "").lower() if "prep" in match.groupdict() else ""
        if prep in DEADLINE:
            continue
        scope = _scope_from(match, meeting_dates)
        if scope is None:
            continue
        if prep == "since" and scope.date_from is not None:
            scope = DateScope(scope.date_from, None, f"since {scope.label}", scope.start, scope.end)
        scopes.append(scope)
        parts = match.groupdict()
        years.append(_year(parts["year"]) if parts.get("year") else None)
        bare.append(bool(parts.get("month")) and not parts.get("year") and not parts.get("day"))
    if not scopes:
        return None
    first = scopes[0]
    for other in scopes[1:2]:
        if not JOINER.fullmatch(question[first.end : other.start]):
            continue
        if bare[0] and years[1] is not None and first.date_from:
            # "in January and February 2020": the month without a year shares the year of the one with it
            low, high = month_range(years[1], first.date_from.month)
            first = DateScope(low, high, f"{low:%B %Y}", first.start, first.end)
        if first.date_from and other.date_to:
            low = min(first.date_from, other.date_from or first.date_from)
            high = max(first.date_to or other.date_to, other.date_to)
            return DateScope(low, high, f"{first.label} and {other.label}", first.start, other.end)
    return first


def strip_phrase(question: str, scope: DateScope) -> str:
    """The question without the date phrase, whitespace tidied: what it asks about, rather than when."""
    text = question[: scope.start] + " " + question[scope.end :]
    return " ".join(text.split()).replace(" ?", "?").replace(" ,", ",")


def dates_label(date_from: date | None, date_to: date | None) -> str | None:
    """A date range in words: "21 January 2025", "January 2025", "2024", else "from ... to ..."."""
    if date_from is None and date_to is None:
        return None
    if date_from and date_to:
        if date_from == date_to:
            return format_date(date_from)
        if (date_from.year, date_from.month) == (date_to.year, date_to.month) and (date_from, date_to) == month_range(
            date_from.year, date_from.month
        ):
            return f"{date_from:%B %Y}"
        if (date_from, date_to) == (date(date_from.year, 1, 1), date(date_from.year, 12, 31)):
            return f"{date_from.year}"
        return f"{format_date(date_from)} to {format_date(date_to)}"
    if date_from:
        return f"since {format_date(date_from)}"
    assert date_to is not None
    return f"up to {format_date(date_to)}"


def describe_holdings(meeting_dates: Sequence[date], scope: DateScope, limit: int = 3) -> str:
    """The library's meetings nearest a scope that matched none, e.g. "it has 17 September 2024"."""
    if not meeting_dates:
        return "it holds no meetings"
    anchor = scope.date_from or scope.date_to
    assert anchor is not None
    nearest = sorted(set(meeting_dates), key=lambda d: (abs((d - anchor).days), d))[:limit]
    names = [format_date(d) for d in sorted(nearest)]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    more = "" if len(set(meeting_dates)) <= limit else " among others"
    return f"it has {listed}{more}"
