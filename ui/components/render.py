"""Minutes text → HTML that is safe to hand to `st.markdown(..., unsafe_allow_html=True)`.

Every character that comes from a file goes through `html.escape` first; only then do we add our own tags
(`<mark>`, `<br>`). The whole fragment is kept on one line inside a `<div>` so Markdown sees one raw HTML block
and interprets nothing in the minutes (`*`, `#`, `1.`, `$`) as formatting.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import date

from ingest.models import Chunk

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_RUN = re.compile(r"\n{3,}")


def escape_text(text: str) -> str:
    """Minutes text as HTML text: escaped, control characters dropped, line breaks kept as `<br>`."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _BLANK_RUN.sub("\n\n", text.strip("\n"))
    return html.escape(text, quote=True).replace("\n", "<br>")


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Spans clipped to [0, length), sorted, with overlapping or touching spans joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def marked_html(text: str, spans: Sequence[tuple[int, int]], *, mark_id: str | None = None) -> str:
    """`text` escaped, with each [start, end) span (offsets into the raw text) wrapped in `<mark>`.

    `mark_id` puts an id on the first mark so the page can scroll to it.
    """
    parts: list[str] = []
    position = 0
    for index, (start, end) in enumerate(merge_spans(spans, len(text))):
        parts.append(escape_text_inline(text[position:start]))
        attribute = f' id="{html.escape(mark_id)}"' if mark_id and index == 0 else ""
        parts.append(f"<mark{attribute}>{escape_text_inline(text[start:end])}</mark>")
        position = end
    parts.append(escape_text_inline(text[position:]))
    return "".join(parts)


def escape_text_inline(text: str) -> str:
    """Like `escape_text` but keeps leading/trailing line breaks, for pieces of a larger text."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return html.escape(text, quote=True).replace("\n", "<br>")


def block(inner_html: str, css_class: str = "minutes") -> str:
    """One raw-HTML block: a div on a single line, so Markdown leaves everything inside alone."""
    return f'<div class="{css_class}">{inner_html.replace(chr(10), "")}</div>'


def short_date(day: date) -> str:
    """21 Jan 2025, as the card headers show dates."""
    return f"{day.day} {day:%b %Y}"


def long_date(day: date) -> str:
    """21 January 2025."""
    return f"{day.day} {day:%B %Y}"


def item_heading(number: str | None, title: str | None) -> str:
    if number is None:
        return "Preamble (attendance)"
    return f"Item {number}: {title}" if title else f"Item {number}"


def card_header(chunk: Chunk) -> str:
    """Plain text: "Children and Young People Scrutiny Committee · 21 Jan 2025 · Item 48: title"."""
    parts = [chunk.committee, short_date(chunk.meeting_date), item_heading(chunk.item_number, chunk.item_title)]
    if chunk.page is not None:
        parts.append(f"page {chunk.page}")
    return " · ".join(parts)


def passage_html(text: str, highlights: Sequence[tuple[int, int]]) -> str:
    """A passage card's body: the passage text with its answering sentences marked."""
    return block(marked_html(text, highlights), "passage")


def header_html(text: str, level: int = 4, anchor: str | None = None) -> str:
    """A heading from file text (committee, item title), escaped; never through Markdown."""
    attribute = f' id="{html.escape(anchor)}"' if anchor else ""
    return f"<h{level}{attribute}>{html.escape(text)}</h{level}>"
