"""The briefing: passages collected from answers, with notes, exported as Markdown or Word for a briefing paper."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from ingest.models import Chunk

# Characters XML 1.0 (and so .docx) cannot hold; python-docx refuses strings containing them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class BriefingEntry:
    """One collected passage: its full citation, its verbatim text, where it came from, and the user's note."""

    chunk_id: str
    citation: str
    text: str
    meeting_id: str
    item_number: str | None
    source: str
    page: int | None = None
    note: str = ""

    @classmethod
    def from_passage(cls, chunk: Chunk, citation: str) -> BriefingEntry:
        return cls(
            chunk_id=chunk.chunk_id,
            citation=citation,
            text=chunk.text,
            meeting_id=chunk.meeting_id,
            item_number=chunk.item_number,
            source=chunk.source,
            page=chunk.page,
        )


def add(entries: Sequence[BriefingEntry], entry: BriefingEntry) -> list[BriefingEntry]:
    """`entries` with `entry` appended, unless that passage is already there."""
    if any(e.chunk_id == entry.chunk_id for e in entries):
        return list(entries)
    return [*entries, entry]


def remove(entries: Sequence[BriefingEntry], index: int) -> list[BriefingEntry]:
    return [e for i, e in enumerate(entries) if i != index]


def move(entries: Sequence[BriefingEntry], index: int, offset: int) -> list[BriefingEntry]:
    """`entries` with the one at `index` moved by `offset` places (clamped to the ends)."""
    result = list(entries)
    if not 0 <= index < len(result):
        return result
    target = max(0, min(len(result) - 1, index + offset))
    result.insert(target, result.pop(index))
    return result


def set_note(entries: Sequence[BriefingEntry], index: int, note: str) -> list[BriefingEntry]:
    return [replace(e, note=note.strip()) if i == index else e for i, e in enumerate(entries)]


def _paragraphs(text: str) -> list[str]:
    """The passage's paragraphs, each with its internal line breaks joined (PDF lines are not sentences)."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return [" ".join(line.strip() for line in block.splitlines() if line.strip()) for block in blocks if block.strip()]


# Markdown's own syntax characters; escaped with a backslash so minutes text stays text in any viewer.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def markdown_text(text: str) -> str:
    """Text from a file, safe inside Markdown: HTML characters as entities, Markdown syntax backslash-escaped.

    Markdown viewers (GitHub, VS Code, pandoc) render raw HTML and links, so `<script>`, `<img onerror>` or
    `[x](javascript:...)` copied from minutes would otherwise become live markup in the exported briefing.
    """
    escaped = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def _source_line(entry: BriefingEntry) -> str:
    name = entry.source.replace("\\", "/").rsplit("/", 1)[-1]
    return f"Source: {name}, page {entry.page}" if entry.page is not None else f"Source: {name}"


def to_markdown(entries: Sequence[BriefingEntry], *, title: str = "Briefing", today: date | None = None) -> str:
    """The briefing as Markdown: a heading per passage with its full citation, the passage quoted, the note."""
    today = today or date.today()
    lines = [f"# {title}", "", f"Prepared {today.day} {today:%B %Y} from the minutes library.", ""]
    for number, entry in enumerate(entries, start=1):
        lines += [f"## {number}. {markdown_text(entry.citation)}", ""]
        for index, paragraph in enumerate(_paragraphs(entry.text)):
            if index:
                lines.append(">")
            lines.append(f"> {markdown_text(paragraph)}")
        lines.append("")
        if entry.note:
            lines += [f"**Note:** {markdown_text(entry.note)}", ""]
        lines += [f"*{markdown_text(_source_line(entry))}*", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def to_docx(entries: Sequence[BriefingEntry], *, title: str = "Briefing", today: date | None = None) -> bytes:
    """The briefing as a Word document (python-docx), the same content as `to_markdown`."""
    import docx

    today = today or date.today()
    document = docx.Document()
    document.add_heading(_xml_safe(title), level=1)
    document.add_paragraph(f"Prepared {today.day} {today:%B %Y} from the minutes library.")
    for number, entry in enumerate(entries, start=1):
        document.add_heading(_xml_safe(f"{number}. {entry.citation}"), level=2)
        for paragraph in _paragraphs(entry.text):
            document.add_paragraph(_xml_safe(paragraph), style="Quote")
        if entry.note:
            note = document.add_paragraph()
            note.add_run("Note: ").bold = True
            note.add_run(_xml_safe(entry.note))
        source = document.add_paragraph()
        source.add_run(_xml_safe(_source_line(entry))).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
