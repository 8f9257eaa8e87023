"""Meeting questions — who attended, sent apologies, chaired, where it was held — answered from the meeting's
attendance record.

Minutes record attendance in the preamble ("Present: ...", "In attendance: ...", "Officers: ...") or in an
opening item of its own ("1. Present", "Call to order", "Roll call", "Members present"), and often apologies in
an item of their own ("42. APOLOGIES FOR ABSENCE"). These functions find which passages hold that record and
which span of each answers the question; the spans are the highlights.
"""

from __future__ import annotations

import re

from assistant.highlight import split_sentences
from ingest.models import Chunk

ATTENDANCE_KINDS = ("attendance", "apologies", "chair", "venue")

# A label opening a block of the attendance record, at the start of a line (or of a list item or heading).
LABEL = re.compile(
    r"(?im)^[ \t]*(?:[-*•][ \t]+|\#{1,6}[ \t]*)?"
    r"(?P<label>(?:members|councillors|trustees|directors|governors)\s+present|present|attendees|"
    r"attendance|in\s+attendance|also\s+(?:present|in\s+attendance)|officers(?:\s+(?:present|in\s+attendance))?|"
    r"apologies(?:\s+for\s+absence)?|absent|absentees|chair(?:man|woman|person)?|clerk|minute\s+taker|"
    r"staff|guests?|visitors?|observers?)\b"
)
PRESENT_LABELS = re.compile(
    r"^(?:(?:members|councillors|trustees|directors|governors)\s+present|present|attendees|attendance)$", re.I
)
IN_ATTENDANCE_LABELS = re.compile(r"^(?:in\s+attendance|also\s+(?:present|in\s+attendance))$", re.I)
ITEM_HEADING = re.compile(r"(?m)^[ \t]*\d{1,3}[.)]?[ \t]+[A-Z]")
APOLOGY_WORDS = re.compile(r"\b(?:apolog\w*|absent\w*|absence)\b", re.I)
CHAIR_WORDS = re.compile(
    r"(?<![-\w])(?<!vice[- ])\b(?:chair(?:man|woman|person)?|in\s+the\s+chair|presid(?:ed|ing))\b", re.I
)
VENUE_WORDS = re.compile(r"\b(?:held\s+(?:at|in|on)|venue|location|place\s*:|took\s+place\s+(?:at|in))\b", re.I)
# Titles of items that hold the attendance record ("Call to order" opens with who chaired and who was present).
ATTENDANCE_TITLE = re.compile(
    r"\b(?:apolog\w*|attend\w*|present|absence|absent|roll\s+call|call(?:ed)?\s+to\s+order|quorum)\b", re.I
)


def _heading(text: str) -> bool:
    return text.upper() == text


def holds_attendance(chunk: Chunk, kind: str) -> bool:
    """Whether a passage can hold the attendance record a `kind` question asks about."""
    if chunk.item_number is None:
        return True
    title = chunk.item_title or ""
    if kind == "apologies":
        return bool(re.search(r"\b(?:apolog\w*|absence)\b", title, re.I))
    return bool(ATTENDANCE_TITLE.search(title))


def _block(text: str, label: re.Match[str]) -> tuple[int, int]:
    """From a label to the next label or item heading, without trailing space."""
    end = len(text)
    for other in LABEL.finditer(text, label.end()):
        end = other.start()
        break
    heading = ITEM_HEADING.search(text, label.end())
    if heading:
        end = min(end, heading.start())
    start = label.start("label")
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def attendance_spans(text: str, kind: str) -> list[tuple[int, int]]:
    """The spans of a passage that answer a `kind` question (at most two), best first; [] if it has none."""
    if kind == "attendance":
        labels = list(LABEL.finditer(text))
        present = [_block(text, m) for m in labels if PRESENT_LABELS.match(" ".join(m.group("label").split()))]
        also = [_block(text, m) for m in labels if IN_ATTENDANCE_LABELS.match(" ".join(m.group("label").split()))]
        spans = present[:1] + also[:1]
        if not spans:
            spans = [s for s in split_sentences(text) if re.search(r"\bpresent\b", text[s[0] : s[1]], re.I)][:1]
        return [span for span in spans if span[1] > span[0]]
    sentences = split_sentences(text)
    if kind == "apologies":
        found = [span for span in sentences if APOLOGY_WORDS.search(text[span[0] : span[1]])]
        return [span for span in found if not _heading(text[span[0] : span[1]])][:2] or found[:1]
    if kind == "chair":
        chair = [span for span in sentences if CHAIR_WORDS.search(text[span[0] : span[1]])]
        return chair[:1]
    if kind == "venue":
        return [span for span in sentences if VENUE_WORDS.search(text[span[0] : span[1]])][:1]
    raise ValueError(f"not an attendance question kind: {kind!r}")
