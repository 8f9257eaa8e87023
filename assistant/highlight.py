"""Within a passage, the one or two sentences that best answer the question, as offsets into its text.

A sentence's score is its embedding similarity to the question plus a bonus for the share of the question's
content terms it contains (the model alone favours fluent generic sentences; the terms alone favour lists of
names), halved for fragments under four words such as headings. The best sentence is always kept; the second
best only if it scores nearly as well, so a highlight stays a sentence or two, never the passage. For "what was
decided" questions, a passage that records a decision is highlighted there: the decision is the answer.

Sentences are split by `ingest.sentences.split_sentences` (re-exported here); their vectors are usually stored
with the library (`Library.sentences`), taken from the passage's own forward pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.records import Highlight
from assistant.terms import term_set
from ingest.sentences import split_sentences as split_sentences  # re-exported: attendance, ask and tests use it

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
