"""The records ingest hands on: a read document, a meeting with its items, and the passages (chunks).

These are the architecture: `FORMATS.md` documents their JSON form. Every offset is a character offset into
`Meeting.text`, the meeting's normalised full text, so `meeting.text[chunk.start:chunk.end] == chunk.text`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


class IngestError(Exception):
    """A file that cannot be ingested; str() is the one-line reason shown to the user (without the file name)."""


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a paginated source, located in the document text by [start, end)."""

    number: int
    start: int
    end: int
    ocr: bool = False
    confidence: float | None = None  # mean OCR word confidence 0-100, for OCR'd pages only

    def __post_init__(self) -> None:
        if self.number < 1 or not 0 <= self.start <= self.end:
            raise ValueError(f"bad page {self.number}: [{self.start}, {self.end})")


def page_at(pages: tuple[Page, ...], offset: int) -> Page | None:
    """The page holding character `offset`, or None for unpaginated text."""
    for page in pages:
        if page.start <= offset < page.end:
            return page
    return pages[-1] if pages and offset >= pages[-1].start else None


@dataclass(frozen=True, slots=True)
class Document:
    """What a reader returns: the normalised text of one file and, for PDFs, where each page lies in it."""

    source: str
    format: str  # "txt", "md", "html", "pdf", "docx"
    text: str
    pages: tuple[Page, ...] = ()

    def page_at(self, offset: int) -> Page | None:
        return page_at(self.pages, offset)


@dataclass(frozen=True, slots=True)
class Item:
    """A top-level agenda item: `number` is None for the preamble (text before the first item)."""

    number: str | None
    title: str | None
    start: int
    end: int
    decisions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad item span [{self.start}, {self.end})")


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting's minutes: metadata read from the text itself, its full text and its items."""

    meeting_id: str
    committee: str
    meeting_date: date
    source: str
    sha256: str
    text: str
    items: tuple[Item, ...]
    pages: tuple[Page, ...] = ()
    time: str | None = None
    venue: str | None = None
    chair: str | None = None
    present: tuple[str, ...] = ()
    apologies: tuple[str, ...] = ()
    officers: tuple[str, ...] = ()
    format: str = "txt"

    def item(self, number: str | None) -> Item | None:
        for item in self.items:
            if item.number == number:
                return item
        return None

    def item_text(self, item: Item) -> str:
        return self.text[item.start : item.end]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["meeting_date"] = self.meeting_date.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Meeting:
        data = dict(data)
        data["meeting_date"] = date.fromisoformat(data["meeting_date"])
        data["items"] = tuple(Item(**{**item, "decisions": tuple(item.get("decisions", ()))}) for item in data["items"])
        data["pages"] = tuple(Page(**page) for page in data.get("pages", ()))
        for key in ("present", "apologies", "officers"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)


def make_meeting_id(committee: str, meeting_date: date) -> str:
    """A stable, readable id: the committee's slug and the date, e.g. `children-and-young-people-...-2025-01-21`."""
    slug = "".join(c if c.isalnum() else "-" for c in committee.lower())
    slug = "-".join(part for part in slug.split("-") if part)[:60].rstrip("-")
    return f"{slug}-{meeting_date.isoformat()}"


def make_chunk_id(meeting_id: str, start: int, end: int) -> str:
    return hashlib.sha1(f"{meeting_id}:{start}:{end}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage: verbatim text of one item, located exactly in its meeting's text."""

    chunk_id: str  # stable: hash of meeting id + offsets
    meeting_id: str
    committee: str
    meeting_date: date
    item_number: str | None  # None for the preamble (attendance, apologies)
    item_title: str | None
    text: str
    source: str  # the file the text came from
    start: int  # meeting.text[start:end] == text
    end: int
    sub_item: str | None = None  # e.g. "4.1" or "(a)" when the passage lies in a sub-item
    page: int | None = None  # 1-based page of `start`, for paginated sources
    ocr: bool = False
    embed_text: str = field(default="", compare=False)  # what gets embedded: text with its item title as context

    def __post_init__(self) -> None:
        if self.end - self.start != len(self.text):
            raise ValueError(f"chunk {self.chunk_id}: offsets [{self.start}, {self.end}) do not fit its text")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["meeting_date"] = self.meeting_date.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        data = dict(data)
        data["meeting_date"] = date.fromisoformat(data["meeting_date"])
        return cls(**data)
