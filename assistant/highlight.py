"""Within a passage, the one or two sentences that best answer the question, as offsets into its text.

A sentence's score is its embedding similarity to the question plus a bonus for the share of the question's
content terms it contains (the model alone favours fluent generic sentences; the terms alone favour lists of
names), halved for fragments under four words such as headings. The best sentence is always kept; the second
best only if it scores nearly as well, so a highlight stays a sentence or two, never the passage. For "what was
decided" questions, a passage that records a decision is highlighted there: the decision is the answer.

Sentence splitting is written for minutes: "Cllr.", "e.g.", "Mr.", initials and list numbers do not end a
sentence; bullet lines and paragraphs do; a line wrapped mid-sentence (PDF text) does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.records import Highlight
from assistant.terms import term_set

OVERLAP_WEIGHT = 0.35  # one full set of the question's terms is worth +0.35 cosine
SECOND_SENTENCE_RATIO = 0.85  # the second sentence must score at least this share of the first...
ADJACENT_RATIO = 0.75  # ...or this share when it is next to it (the two read as one statement)
NUMBER_BONUS = 0.1  # "how many", "what share": sentences that give a number
NUMBER_QUESTION = re.compile(
    r"\b(?:how\s+(?:many|much|long|often|quickly)|what\s+(?:share|proportion|percentage|number|fraction|"
    r"amount|sum|cost|figure|rate)|percent(?:age)?|number\s+of|how\s+big)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")
SHORT_SENTENCE_WORDS = 4
CUE_BONUS = 0.15  # sentences recording a decision, for "what was decided" questions (only they are highlighted)

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


def sentence_scores(
    sentences: Sequence[str],
    similarities: Sequence[float],
    query_terms: Sequence[str],
    cue: Sequence[bool] | None = None,
    number: bool = False,
) -> list[float]:
    """Each sentence's score: similarity + OVERLAP_WEIGHT × share of the question's terms it holds
    (+ CUE_BONUS where `cue` marks it, + NUMBER_BONUS if `number` and it has a digit), halved for fragments
    of fewer than SHORT_SENTENCE_WORDS words."""
    wanted = set(query_terms)
    scores = []
    for n, (sentence, similarity) in enumerate(zip(sentences, similarities, strict=True)):
        overlap = len(wanted & term_set(sentence)) / len(wanted) if wanted else 0.0
        score = float(similarity) + OVERLAP_WEIGHT * overlap + (CUE_BONUS if cue and cue[n] else 0.0)
        if number and _NUMBER.search(sentence):
            score += NUMBER_BONUS
        if len(sentence.split()) < SHORT_SENTENCE_WORDS:
            score *= 0.5
        scores.append(score)
    return scores


def pick_highlights(spans: Sequence[tuple[int, int]], scores: Sequence[float], limit: int = 2) -> list[int]:
    """Indices of the best sentence and, if nearly as good, the next best (up to `limit`), in text order."""
    if not spans:
        return []
    ranked = sorted(range(len(spans)), key=lambda n: (-scores[n], n))
    best = ranked[0]
    chosen = [best]
    for n in ranked[1:limit]:
        ratio = ADJACENT_RATIO if abs(n - best) == 1 else SECOND_SENTENCE_RATIO
        if scores[best] > 0 and scores[n] >= ratio * scores[best]:
            chosen.append(n)
    return sorted(chosen)


# A line opening a resolution: "Resolved:", "RESOLVED that", "It was resolved", "Agreed:".
RESOLUTION = re.compile(r"(?im)^[ \t]*(?:[-•*]\s*)?(?:it\s+was\s+)?(?:resolved|agreed|approved)\b")
DECISION_VERB = re.compile(r"\b(?:resolved|agreed|approved|decided|endorsed|unanimously)\b", re.I)


ANNOUNCEMENT = re.compile(r"\bfollowing\b|:\s*$", re.I)  # "the following resolutions were agreed:"


def resolution_cues(text: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
    """Which sentences record a decision: those from a "Resolved:" line to the passage's end, and any other
    saying something was agreed, approved or decided, unless it only announces what follows."""
    marker = RESOLUTION.search(text)
    return [
        (marker is not None and start >= marker.start())
        or (DECISION_VERB.search(text[start:end]) is not None and not ANNOUNCEMENT.search(text[start:end]))
        for start, end in spans
    ]


def scored_highlight(
    text: str,
    spans: Sequence[tuple[int, int]],
    sentence_vectors: np.ndarray,
    query_vector: np.ndarray,
    query_terms: Sequence[str],
    *,
    decision: bool = False,
    number: bool = False,
) -> tuple[tuple[Highlight, ...], float]:
    """The highlights of one passage and the best sentence's score (how well the passage's best sentence
    answers), given its sentence spans and their (normalised) embeddings; `decision` favours sentences
    recording a decision, `number` sentences giving a figure."""
    if not spans:
        return (), 0.0
    similarities = (sentence_vectors @ query_vector).tolist()
    sentences = [text[start:end] for start, end in spans]
    cue = resolution_cues(text, spans) if decision else None
    scores = sentence_scores(sentences, similarities, query_terms, cue, number)
    keep = [n for n in range(len(spans)) if cue and cue[n]]
    if any(len(sentences[n].split()) >= SHORT_SENTENCE_WORDS for n in keep):
        # "What was decided": the decision is the answer, however little it repeats the question's words
        # (unless all the passage holds of it is a heading such as "Resolved:").
        picked = pick_highlights([spans[n] for n in keep], [scores[n] for n in keep])
        return tuple(Highlight(*spans[keep[n]]) for n in picked), max(scores[n] for n in keep)
    return tuple(Highlight(*spans[n]) for n in pick_highlights(spans, scores)), max(scores)


def highlight(
    text: str,
    spans: Sequence[tuple[int, int]],
    sentence_vectors: np.ndarray,
    query_vector: np.ndarray,
    query_terms: Sequence[str],
    *,
    decision: bool = False,
    number: bool = False,
) -> tuple[Highlight, ...]:
    """The highlights of one passage (see `scored_highlight`)."""
    found, _ = scored_highlight(
        text, spans, sentence_vectors, query_vector, query_terms, decision=decision, number=number
    )
    return found
