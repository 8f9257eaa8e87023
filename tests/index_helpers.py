"""Meetings and passages made from plain text, for index tests that must not depend on ingest's heuristics."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

from index.library import Library, SourceRecord
from ingest.models import Chunk, Item, Meeting, make_chunk_id, make_meeting_id


def make_meeting(
    committee: str,
    day: str,
    items: list[tuple[str, str]],
    *,
    source: str | None = None,
    preamble: str = "Present: Councillors Adams, Baker and Clarke.",
) -> tuple[Meeting, list[Chunk]]:
    """A meeting whose items are `(title, body)`; each blank-line-separated paragraph of a body is a passage."""
    meeting_date = date.fromisoformat(day)
    meeting_id = make_meeting_id(committee, meeting_date)
    text = f"{committee}\nMinutes of the meeting held on {day}\n\n"
    spans: list[tuple[str | None, str | None, int, int, list[tuple[int, int]]]] = []
    start = len(text)
    text += preamble + "\n\n"
    spans.append((None, None, start, len(text), [(start, start + len(preamble))]))
    for number, (title, body) in enumerate(items, 1):
        start = len(text)
        text += f"{number}. {title}\n"
        paragraphs = []
        for paragraph in body.split("\n\n"):
            paragraphs.append((len(text), len(text) + len(paragraph)))
            text += paragraph + "\n\n"
        spans.append((str(number), title, start, len(text), paragraphs))
    meeting = Meeting(
        meeting_id=meeting_id,
        committee=committee,
        meeting_date=meeting_date,
        source=source or f"/minutes/{meeting_id}.txt",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        items=tuple(Item(number, title, begin, end) for number, title, begin, end, _ in spans),
    )
    chunks = [
        Chunk(
            chunk_id=make_chunk_id(meeting_id, begin, end),
            meeting_id=meeting_id,
            committee=committee,
            meeting_date=meeting_date,
            item_number=number,
            item_title=title,
            text=text[begin:end],
            source=meeting.source,
            start=begin,
            end=end,
            embed_text=f"{title}\n{text[begin:end]}" if title else "",
        )
        for number, title, _, _, paragraphs in spans
        for begin, end in paragraphs
    ]
    return meeting, chunks


def record_for(meeting: Meeting) -> SourceRecord:
    return SourceRecord(
        sha256=meeting.sha256,
        size=len(meeting.text.encode()),
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        meeting_id=meeting.meeting_id,
    )


def addition(meeting_and_chunks: tuple[Meeting, list[Chunk]]) -> tuple[Meeting, list[Chunk], SourceRecord]:
    meeting, chunks = meeting_and_chunks
    return meeting, chunks, record_for(meeting)


PLANNING_MARCH = make_meeting(
    "Planning Committee",
    "2024-03-12",
    [
        (
            "Apologies for absence",
            "Apologies were received from Councillor Davies.",
        ),
        (
            "Riverside housing development",
            "The committee considered an application for 120 homes on the riverside site.\n\n"
            "Members raised concerns about flooding and the capacity of the local primary school.\n\n"
            "RESOLVED: that the application be deferred for a flood risk assessment.",
        ),
        (
            "Tree preservation order, Mill Lane",
            "The oak trees on Mill Lane were confirmed as protected by a tree preservation order.",
        ),
    ],
)

PLANNING_APRIL = make_meeting(
    "Planning Committee",
    "2024-04-09",
    [
        (
            "Riverside housing development",
            "The flood risk assessment for the riverside homes was received and accepted.\n\n"
            "RESOLVED: that planning permission be granted subject to conditions on drainage.",
        ),
        (
            "Car parking charges",
            "Officers reported on proposed increases to town centre car parking charges.",
        ),
    ],
)

FINANCE_MAY = make_meeting(
    "Finance Committee",
    "2024-05-02",
    [
        (
            "Budget monitoring",
            "The treasurer presented the quarterly budget monitoring report showing an overspend on "
            "highways maintenance.\n\n"
            "Members asked for savings proposals to balance the budget by year end.",
        ),
        (
            "Grants to community groups",
            "Grants of 500 pounds were approved for the youth club and the allotment society.",
        ),
    ],
)

QUESTIONS = [
    "flooding at the riverside housing site",
    "budget overspend on highways",
    "protected oak trees",
    "grants for the youth club",
    "car parking charges in the town centre",
]


def ranked_ids(library: Library, question: str, k: int = 5) -> tuple[list[str], list[str]]:
    """Passage ids ranked by the dense and the keyword index."""
    dense = library.dense_search(library.encode_query(question), k)
    keyword = library.keyword_search(question, k)
    return [library.chunks[row].chunk_id for row, _ in dense], [library.chunks[row].chunk_id for row, _ in keyword]


def snapshot(path: Path, encoder: object) -> dict[str, object]:
    """Everything a user can observe of a library: meetings, passages in row order, sources and rankings."""
    library = Library.load(path, encoder)  # type: ignore[arg-type]
    return {
        "meetings": {mid: m.to_json() for mid, m in library.meetings.items()},
        "chunks": [c.to_json() for c in library.chunks],
        "sources": {s: (r.sha256, r.meeting_id) for s, r in library.manifest.sources.items()},
        "rankings": [ranked_ids(library, question) for question in QUESTIONS],
        "scores": [
            [round(score, 5) for _, score in library.dense_search(library.encode_query(q), 5)] for q in QUESTIONS
        ],
    }
