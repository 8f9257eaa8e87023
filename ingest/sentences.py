"""Sentence spans of minutes text: where one sentence ends and the next begins, as offsets into the text.

Written for minutes: "Cllr.", "e.g.", "Mr.", initials and list numbers do not end a sentence; bullet lines and
paragraphs do; a line wrapped mid-sentence (PDF text) does not. Ingest-side so that the index can embed each
passage's sentences when it embeds the passage; the assistant highlights the same spans.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    """
    cllr cllrs councillor mr mrs ms dr prof rev revd hon st no nos nr e.g eg i.e ie cf vs approx incl
    dept govt est jr sr ltd co corp inc para paras ref refs fig vol pp p sec min mins tel ext
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

# A list marker at the start of a line: "-", "•", "1.", "2)", "(a)", "b)", "(iv)".
BULLET = re.compile(r"[ \t]*(?:[-•*–·▪◦○]|\(?\d{1,3}[.)]|\(?[a-z]\)|\([ivxlc]+\))[ \t]+")
_SENTENCE_END = re.compile(r"[.!?]['\")\]’”]*\s+")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*(?:\n[ \t]*)*")
_RUNS_ON = re.compile(r"(?:[,(\-–]|\b(?:and|or|of|the|to|a|an|with|for|in|on|by|that|from|at|as))$", re.I)
_RUNS_ON_LOOSE = re.compile(r"[A-Za-z,]$")
_TERMINAL = re.compile(r"[.!?:;]['\")\]’”]*$")


def _line_break_splits(before: str, after: str, blank: bool) -> bool:
    """Whether a line break ends a sentence, given the text before it (stripped) and after it."""
    if not before or not after.strip():
        return True
    if _TERMINAL.search(before):
        return True
    bullet = BULLET.match(after)
    if bullet:  # a list item, unless a page break cut a sentence before a stray marker: "where\n\n- appropriate"
        return not (after[bullet.end() : bullet.end() + 1].islower() and _RUNS_ON_LOOSE.search(before))
    last_line = before.rsplit("\n", 1)[-1]
    if any(c.isalpha() for c in last_line) and last_line.upper() == last_line:
        return True  # a heading in capitals
    if not blank:
        return False  # a line wrapped inside a sentence
    tail = re.split(r"[.!?]\s", before)[-1]
    if tail.count('"') % 2 or tail.count("“") > tail.count("”"):
        return False  # a page break inside a quotation: 'on the "Working Together\n\nConsultation"'
    return not (after.lstrip()[:1].islower() or _RUNS_ON.search(before))


def _ends_sentence(text: str, stop: int) -> bool:
    """Whether the full stop at `text[stop]` ends a sentence rather than an abbreviation or list number."""
    token = re.search(r"(\S+)$", text[: stop + 1])
    word = token.group(1).lstrip("([\"'‘“").rstrip(".").lower() if token else ""
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    if word.isdigit() and token:
        line_start = text.rfind("\n", 0, stop) + 1
        return bool(text[line_start : token.start()].strip(" \t-•*–·"))  # "- 2. The committee": a list number
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans [start, end) of `text`, without surrounding space or leading list markers."""
    cuts = {0, len(text)}
    for match in _LINE_BREAK.finditer(text):
        before, after = text[: match.start()].rstrip(), text[match.end() :]
        if _line_break_splits(before, after, match.group().count("\n") > 1):
            cuts.add(match.end())
    for match in _SENTENCE_END.finditer(text):
        rest = text[match.end() :]
        first = rest[:1]
        opens = first.isupper() or first.isdigit() or first in "\"'‘“(•-–*" or BULLET.match(rest) is not None
        if rest and opens and _ends_sentence(text, match.start()):
            cuts.add(match.end())
    spans = []
    bounds = sorted(cuts)
    for start, end in zip(bounds, bounds[1:], strict=False):
        while True:
            bullet = BULLET.match(text, start, end)
            if not bullet or bullet.end() == start:
                break
            start = bullet.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if any(c.isalnum() for c in text[start:end]):
            spans.append((start, end))
    return spans
