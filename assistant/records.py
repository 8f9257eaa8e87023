"""What the assistant hands back: filters, highlighted and cited passages, and the answer to one question.

`Answer.to_json()` is the `minutebook ask --json` format, described by `assistant.schema.ANSWER_SCHEMA`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from assistant.evidence import Evidence
from ingest.models import Chunk

SCHEMA_ID = "minutebook.answer/1"
KINDS = ("search", "decision", "attendance", "apologies", "chair", "venue")


def format_date(day: date) -> str:
    """21 January 2025 (no leading zero), the way minutes write dates."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True, slots=True)
class Filters:
    """Which passages a question may be answered from; empty fields do not restrict."""

    committees: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    item_number: str | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date range starts after it ends: {self.date_from} > {self.date_to}")

    @property
    def empty(self) -> bool:
        return self == Filters()

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def matches(self, chunk: Chunk) -> bool:
        return self.matches_meeting(chunk.committee, chunk.meeting_date) and (
            self.item_number is None or chunk.item_number == self.item_number
        )

    def matches_meeting(self, committee: str, meeting_date: date) -> bool:
        if self.committees and fold(committee) not in _folded(self.committees):
            return False
        if self.date_from and meeting_date < self.date_from:
            return False
        return not (self.date_to and meeting_date > self.date_to)

    def with_dates(self, date_from: date | None, date_to: date | None) -> Filters:
        return replace(self, date_from=date_from, date_to=date_to)

    def describe(self) -> str:
        """The scope in words, e.g. "Audit Committee, 1 January 2025 to 31 January 2025, item 4"."""
        parts = []
        if self.committees:
            parts.append(" or ".join(self.committees))
        if self.date_from and self.date_to:
            same = self.date_from == self.date_to
            parts.append(
                format_date(self.date_from) if same else f"{format_date(self.date_from)} to {format_date(self.date_to)}"
            )
        elif self.date_from:
            parts.append(f"from {format_date(self.date_from)}")
        elif self.date_to:
            parts.append(f"up to {format_date(self.date_to)}")
        if self.item_number:
            parts.append(f"item {self.item_number}")
        return ", ".join(parts) or "the whole library"

    def to_json(self) -> dict[str, Any]:
        return {
            "committees": list(self.committees),
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "item_number": self.item_number,
        }


def fold(text: str) -> str:
    """A name as names are compared: whitespace tidied, case folded."""
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=256)
def _folded(committees: tuple[str, ...]) -> frozenset[str]:
    """The committees of a filter, folded once (a filter is tested against every meeting of a library)."""
    return frozenset(fold(name) for name in committees)


@dataclass(frozen=True, slots=True)
class Highlight:
    """A span of a passage's text, [start, end) relative to `Passage.chunk.text`."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad highlight [{self.start}, {self.end})")


def item_label(chunk: Chunk) -> str:
    if chunk.item_number is None:
        return "preamble (attendance)"
    label = f"item {chunk.item_number}"
    return f"{label}: {chunk.item_title}" if chunk.item_title else label


def link_for(meeting_id: str, item_number: str | None) -> str:
    """A stable target for the whole item: `<meeting_id>#item-48`, or `<meeting_id>#preamble`."""
    if item_number is None:
        return f"{meeting_id}#preamble"
    slug = "-".join("".join(c if c.isalnum() else " " for c in item_number.lower()).split())
    return f"{meeting_id}#item-{slug}"


@dataclass(frozen=True, slots=True)
class Passage:
    """One ranked result: the best passage of an item, its highlights, and the item's other matching passages."""

    chunk: Chunk
    score: float
    rank: int  # 1-based
    highlights: tuple[Highlight, ...] = ()
    related: tuple[Chunk, ...] = ()

    def __post_init__(self) -> None:
        for highlight in self.highlights:
            if highlight.end > len(self.chunk.text):
                raise ValueError(f"highlight [{highlight.start}, {highlight.end}) past the passage's end")

    def citation(self) -> str:
        """E.g. "Children and Young People Scrutiny Committee, 21 January 2025, item 48: <title>"."""
        text = f"{self.chunk.committee}, {format_date(self.chunk.meeting_date)}, {item_label(self.chunk)}"
        return f"{text}, page {self.chunk.page}" if self.chunk.page is not None else text

    @property
    def link(self) -> str:
        return link_for(self.chunk.meeting_id, self.chunk.item_number)

    def highlighted_texts(self) -> list[str]:
        return [self.chunk.text[h.start : h.end] for h in self.highlights]

    def to_json(self) -> dict[str, Any]:
        chunk = self.chunk
        return {
            "rank": self.rank,
            "score": round(float(self.score), 6),
            "citation": self.citation(),
            "link": self.link,
            "chunk_id": chunk.chunk_id,
            "meeting_id": chunk.meeting_id,
            "committee": chunk.committee,
            "meeting_date": chunk.meeting_date.isoformat(),
            "item_number": chunk.item_number,
            "item_title": chunk.item_title,
            "sub_item": chunk.sub_item,
            "text": chunk.text,
            "source": chunk.source,
            "start": chunk.start,
            "end": chunk.end,
            "page": chunk.page,
            "highlights": [
                {"start": h.start, "end": h.end, "text": chunk.text[h.start : h.end]} for h in self.highlights
            ],
            "related": [
                {"chunk_id": c.chunk_id, "start": c.start, "end": c.end, "page": c.page, "text": c.text}
                for c in self.related
            ],
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """The assistant's reply to one question: ranked passages, or `abstained` with the closest weak matches."""

    question: str
    resolved_question: str  # the question after follow-up resolution, as searched
    answer_line: str  # the top highlighted sentence quoted with its citation, or the "not found" message
    passages: tuple[Passage, ...]
    abstained: bool
    closest: tuple[Passage, ...] = ()
    filters: Filters = field(default_factory=Filters)
    scope_note: str | None = None  # the scope read from the question, or why nothing matched it
    kind: str = "search"  # one of KINDS
    topic: str = ""  # the question's subject without dates and question words; what follow-ups inherit
    search_text: str = ""  # what was sent to the retrievers
    mode: str = "hybrid"
    sort: str = "relevance"
    # How strongly the best items answer (best first), when the answer or refusal rested on that; empty when
    # it rested on the question's scope or the attendance record instead.
    evidence: tuple[Evidence, ...] = ()
    # The committees and dates read from the question itself (or kept from the previous one), None when it
    # names none: the page shows them and offers to ask again without them. `filters` is what was searched.
    scope: Filters | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_ID,
            "question": self.question,
            "resolved_question": self.resolved_question,
            "kind": self.kind,
            "mode": self.mode,
            "sort": self.sort,
            "abstained": self.abstained,
            "answer_line": self.answer_line,
            "scope_note": self.scope_note,
            "filters": self.filters.to_json(),
            "evidence": [item.to_json() for item in self.evidence],
            "passages": [passage.to_json() for passage in self.passages],
            "closest": [passage.to_json() for passage in self.closest],
        }


@dataclass(frozen=True, slots=True)
class Turn:
    """One exchange of a conversation, passed back as `history` so follow-ups can be resolved."""

    question: str
    answer: Answer
