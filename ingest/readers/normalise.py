"""Text clean-up shared by every reader, so all formats hand the segmenter text of the same shape.

The shape: LF newlines only, no NULs or other control characters except tab, no trailing spaces, at most one
blank line in a row, no blank lines at the start or end, bullet glyphs at a line start written as "- ".
Headings taken from structured formats (HTML h1-h6, Word "Heading N") are written markdown-style as
`"#" * N + " " + title`, which is also how markdown files keep theirs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Bullet glyphs that PDF and Word text layers put at a line start. U+F0B7 is the Symbol font's bullet in the
# private-use area (Word lists exported to PDF); U+F0A7 and U+F076 are Wingdings square and diamond bullets.
BULLETS = "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u2219\u27a2\u25ba\u25b6"
_BULLET_AT_START = re.compile(rf"^([ \t]*)[{BULLETS}][ \t]*", re.MULTILINE)

# Control characters other than tab and newline; \x0c (form feed) and \x0b become newlines first.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_INVISIBLE = re.compile("[\ufeff\u00ad\u200b\u200c\u200d\u2060]")
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")

# A page label: "Page 3", "Page 3 of 11", "Page | 3", "3 | Page" on a line of its own.
_PAGE_LABEL = re.compile(r"^\s*(?:page\s*[|:.]?\s*\d+(?:\s*(?:of|/)\s*\d+)?|\d+\s*\|\s*page)\s*$", re.IGNORECASE)
# What else only a page edge can be taken for a page number: "- 5 -", "3 of 11", "3/11", a bare "7".
_BARE_PAGE_NUMBER = re.compile(r"^\s*(?:[-\u2013\u2014]\s*\d+\s*[-\u2013\u2014]|\d+\s*(?:of|/)\s*\d+|\d{1,4})\s*$")


def normalise_newlines(text: str) -> str:
    """CRLF, CR, vertical tab, form feed and the Unicode line separators all become LF."""
    return re.sub("\r\n?|[\x0b\x0c\u2028\u2029\x85]", "\n", text)


def normalise_text(text: str) -> str:
    """The house shape described in the module docstring; idempotent."""
    text = normalise_newlines(text)
    text = _CONTROL.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _BULLET_AT_START.sub(r"\1- ", text)
    text = _TRAILING.sub("", text)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n")


def is_page_label(line: str) -> bool:
    """True for a line that says it is a page number: "Page 2 of 3", "Page | 4", "Page 5"."""
    return bool(_PAGE_LABEL.match(line))


def is_page_number_line(line: str) -> bool:
    """True for a page label or a bare page number ("- 5 -", "3 of 11", "7"); only trust the bare forms at
    a page's top or bottom edge."""
    return bool(_PAGE_LABEL.match(line) or _BARE_PAGE_NUMBER.match(line))


def control_character_share(text: str) -> float:
    """Share of characters that are control characters other than tab, LF, CR and form feed."""
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


def looks_binary(text: str) -> bool:
    """True when decoded text holds more control characters than any real text file would (a few stray
    ones, such as a DOS end-of-file mark, are tolerated)."""
    return len(_CONTROL.findall(text)) > 2 + len(text) // 200


def one_line(message: str, limit: int = 160) -> str:
    """A library's error message squeezed onto one short line, for the parenthesis of an IngestError."""
    message = " ".join(message.split()) or "no detail"
    return message if len(message) <= limit else message[: limit - 3].rstrip() + "..."


def join_blocks(blocks: Iterable[tuple[str, bool]]) -> str:
    """(text, tight) blocks joined by a blank line, or one newline between two tight blocks (list items,
    table rows); an empty block breaks the run of tight blocks."""
    parts: list[str] = []
    previous_tight: bool | None = None
    for text, tight in blocks:
        if not text:
            previous_tight = None
            continue
        if parts:
            parts.append("\n" if previous_tight and tight else "\n\n")
        parts.append(text)
        previous_tight = tight
    return "".join(parts)
