"""Split an item into passages sized for the embedding model, with exact offsets into the meeting text.

The model reads at most 256 word-pieces and silently truncates the rest, so every passage is at most
`Settings.chunk_tokens` word-pieces counted with the model's own tokenizer, leaving room for [CLS]/[SEP] and
the item title that is prepended as context to the text that gets embedded (`Chunk.embed_text`). Passages
overlap by about `chunk_overlap_tokens` and break on paragraph, then line, then sentence boundaries.
Passages never cross items; their `text` is always `meeting.text[start:end]`.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.models import Chunk, Item, Meeting, make_chunk_id, page_at

# Keep separators at the end of the piece they close, so every merged passage is a substring of the item.
SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]

TokenCounter = Callable[[str], int]


def split_spans(
    text: str, count_tokens: TokenCounter, *, max_tokens: int, overlap_tokens: int
) -> list[tuple[int, int]]:
    """[start, end) spans of `text` for its passages, in order; each at most `max_tokens` word-pieces."""
    if not text.strip():
        return []
    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator="end",
        chunk_size=max_tokens,
        chunk_overlap=overlap_tokens,
        length_function=count_tokens,
        strip_whitespace=True,
    )
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in splitter.split_text(text):
        # The splitter returns stripped substrings in order; overlap means the next one may start before the
        # previous end, but never before the previous start.
        start = text.find(piece, spans[-1][0] + 1 if spans else 0)
        if start < 0:  # pragma: no cover - the splitter only ever returns substrings
            start = text.find(piece, cursor)
        if start < 0:
            raise ValueError("text splitter returned a passage that is not in the item text")
        end = start + len(piece)
        if count_tokens(piece) > max_tokens:
            # Token counts of joined pieces can exceed the sum of their parts at word-piece boundaries.
            spans.extend(
                (start + s, start + e)
                for s, e in split_spans(
                    piece,
                    count_tokens,
                    max_tokens=max(8, max_tokens - 16),
                    overlap_tokens=overlap_tokens // 2,
                )
            )
        else:
            spans.append((start, end))
        cursor = end
    return spans


def _item_spans(
    body: str, count_tokens: TokenCounter, max_tokens: int, overlap_tokens: int, max_heading_tokens: int
) -> list[tuple[int, int]]:
    """Spans of one item's text. A short heading line is kept with the passage after it, not left alone.

    Split naively, a heading followed by a long paragraph becomes a passage of its own (useless to a reader):
    split the rest with the heading's budget held back, then let the first passage start at the heading.
    """
    heading_end = body.find("\n")
    heading_tokens = count_tokens(body[:heading_end]) if heading_end > 0 else 0
    if heading_end <= 0 or not 0 < heading_tokens <= min(max_heading_tokens, max_tokens // 3):
        return split_spans(body, count_tokens, max_tokens=max_tokens, overlap_tokens=overlap_tokens)
    rest = split_spans(
        body[heading_end:], count_tokens, max_tokens=max_tokens - heading_tokens, overlap_tokens=overlap_tokens
    )
    spans = [(heading_end + s, heading_end + e) for s, e in rest]
    first = len(body) - len(body.lstrip())  # the heading's first visible character
    if not spans:
        return [(first, len(body[:heading_end].rstrip()))]
    spans[0] = (first, spans[0][1])
    return spans


def title_context(item: Item, count_tokens: TokenCounter, max_title_tokens: int) -> str:
    """The item's number and title, trimmed to `max_title_tokens` word-pieces, to prepend when embedding."""
    if item.number is None:
        return "Preamble: attendance, apologies"
    label = f"Item {item.number}: {item.title}" if item.title else f"Item {item.number}"
    while count_tokens(label) > max_title_tokens and " " in label:
        label = label.rsplit(" ", 1)[0]
    return label


def chunk_meeting(
    meeting: Meeting,
    count_tokens: TokenCounter,
    *,
    max_tokens: int,
    overlap_tokens: int,
    max_title_tokens: int,
    sub_items: Callable[[str, Item], list[tuple[str, int, int]]] | None = None,
) -> list[Chunk]:
    """All passages of a meeting, item by item, in text order."""
    chunks: list[Chunk] = []
    for item in meeting.items:
        body = meeting.text[item.start : item.end]
        context = title_context(item, count_tokens, max_title_tokens)
        subs = sub_items(meeting.text, item) if sub_items else []
        for rel_start, rel_end in _item_spans(body, count_tokens, max_tokens, overlap_tokens, max_title_tokens):
            start, end = item.start + rel_start, item.start + rel_end
            text = meeting.text[start:end]
            page = page_at(meeting.pages, start)
            chunks.append(
                Chunk(
                    chunk_id=make_chunk_id(meeting.meeting_id, start, end),
                    meeting_id=meeting.meeting_id,
                    committee=meeting.committee,
                    meeting_date=meeting.meeting_date,
                    item_number=item.number,
                    item_title=item.title,
                    text=text,
                    source=meeting.source,
                    start=start,
                    end=end,
                    sub_item=_sub_item_at(subs, start, end),
                    page=page.number if page else None,
                    ocr=page.ocr if page else False,
                    embed_text=f"{context}\n{text}",
                )
            )
    return chunks


def _sub_item_at(subs: list[tuple[str, int, int]], start: int, end: int) -> str | None:
    """The sub-item holding most of [start, end), if any."""
    best, best_overlap = None, 0
    for label, s, e in subs:
        overlap = min(end, e) - max(start, s)
        if overlap > best_overlap:
            best, best_overlap = label, overlap
    return best
