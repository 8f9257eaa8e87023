"""Sentence splitting for minutes and the choice of the one or two sentences to highlight, by offsets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.highlight import (
    highlight,
    pick_highlights,
    resolution_cues,
    sentence_scores,
    split_sentences,
)
from assistant.records import Highlight


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "Cllr. Smith opened the meeting. The plan, e.g. the budget, was approved. Next item."
    # "Cllr. Smith opened the meeting." is characters 0-30; one space; the next sentence is 32-71.
    assert split_sentences(text) == [(0, 31), (32, 72), (73, 83)]
    assert sentences(text)[1] == "The plan, e.g. the budget, was approved."


def test_initials_and_decimals_do_not_end_a_sentence() -> None:
    text = "Mr. J. Smith said 2.5 million was spent. It rose by 3%."
    assert split_sentences(text) == [(0, 40), (41, 55)]


def test_bullets_and_list_numbers_start_sentences_and_are_left_out_of_them() -> None:
    text = (
        "- 1. The committee asked about parking.\n"
        " - Officers replied that 20 spaces were\n"
        "planned for staff.\n"
        "\n"
        "Resolved: That the report be noted."
    )
    # "- 1. " is 5 characters; the first sentence is 34 long; then "\n - " (4) before the second.
    assert split_sentences(text) == [(5, 39), (43, 98), (100, 135)]
    assert sentences(text) == [
        "The committee asked about parking.",
        "Officers replied that 20 spaces were\nplanned for staff.",  # a wrapped line is not a break
        "Resolved: That the report be noted.",
    ]


def test_headings_and_paragraphs_break_but_a_page_break_mid_sentence_does_not() -> None:
    text = (
        "QUALITY ASSURANCE\nThe framework had three parts.\n\n"
        "Social workers needed to improve recording and\n\ndocumentation for children."
    )
    assert sentences(text) == [
        "QUALITY ASSURANCE",
        "The framework had three parts.",
        "Social workers needed to improve recording and\n\ndocumentation for children.",
    ]
    # A stray list marker after a page break inside a sentence does not split it either.
    assert sentences("It was also important that, where\n\n- appropriate, people were signposted.") == [
        "It was also important that, where\n\n- appropriate, people were signposted."
    ]


def test_a_page_break_inside_a_quotation_does_not_split() -> None:
    text = 'Cabinet should endorse a campaign on the "Working Together\n\nConsultation" concerning thresholds.'
    assert sentences(text) == [text]


def test_attendance_lines_are_separate_sentences() -> None:
    text = "Present: Cllr A Jones (Chair)\n\nCllr B Smith\n\nApologies: Cllr C Brown"
    assert split_sentences(text) == [(0, 29), (31, 43), (45, 68)]


def test_a_quoted_sentence_end() -> None:
    text = 'He asked (i.e. twice) whether it was "final." The officer said yes.'
    assert sentences(text) == ['He asked (i.e. twice) whether it was "final."', "The officer said yes."]


@given(st.text(alphabet=st.sampled_from("ab. \n-1()ACr:e.g"), max_size=80))
def test_spans_are_ordered_trimmed_and_inside_the_text(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert any(c.isalnum() for c in text[start:end])
        previous_end = end


def test_sentence_scores_worked_by_hand() -> None:
    texts = ["The budget was approved by members.", "Budget noted.", "Parking was discussed at length."]
    # 0.5 + 0.35 × 1 (has "budget"); (0.4 + 0.35) / 2 (under four words); 0.2 + 0
    assert sentence_scores(texts, [0.5, 0.4, 0.2], ["budget"]) == pytest.approx([0.85, 0.375, 0.2])
    # a figure, for "how many" questions
    assert sentence_scores(["It rose by 3 percent today."], [0.3], [], number=True) == pytest.approx([0.4])


def test_pick_keeps_the_second_sentence_only_if_nearly_as_good() -> None:
    assert pick_highlights([(0, 1), (2, 3), (4, 5)], [0.9, 0.1, 0.7]) == [0]  # 0.7 < 0.85 × 0.9
    assert pick_highlights([(0, 1), (2, 3), (4, 5)], [0.9, 0.1, 0.78]) == [0, 2]  # 0.78 >= 0.765
    # next to the best, 0.75 of it is enough: 0.7 >= 0.675
    assert pick_highlights([(0, 1), (2, 3), (4, 5)], [0.2, 0.9, 0.7]) == [1, 2]
    assert pick_highlights([], []) == []
    # ties: the earlier sentence
    assert pick_highlights([(0, 1), (2, 3), (4, 5)], [0.5, 0.1, 0.5], limit=1) == [0]


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_highlight_offsets_from_similarity_and_terms() -> None:
    text = (
        "The budget was approved by members. Parking was discussed at length. Budget figures were noted in the report."
    )
    spans = split_sentences(text)
    assert spans == [(0, 35), (36, 68), (69, 109)]
    query = _unit(1, 0, 0)
    # cosines with the query: 0.6, 0.1, 0.5
    vectors = np.stack([_unit(0.6, 0.8, 0), _unit(0.1, 0, 0.99498744), _unit(0.5, 0.8660254, 0)])
    # scores: 0.6 + 0.35 = 0.95; 0.1; 0.5 + 0.35 = 0.85 >= 0.85 × 0.95: both budget sentences
    assert highlight(text, spans, vectors, query, ["budget"]) == (Highlight(0, 35), Highlight(69, 109))
    # without the term, the third (0.5 < 0.85 × 0.6) drops out
    assert highlight(text, spans, vectors, query, []) == (Highlight(0, 35),)


def test_decision_questions_highlight_the_resolution() -> None:
    text = (
        "The committee discussed the report at length today. Members thanked the officers for their work.\n"
        "Resolved: That the report be noted."
    )
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans][2] == "Resolved: That the report be noted."
    assert resolution_cues(text, spans) == [False, False, True]
    query = _unit(1, 0)
    vectors = np.stack([_unit(0.5, 0.8660254), _unit(0.0, 1.0), _unit(0.3, 0.9539392)])
    # plain: 0.5, 0, 0.3 → only the first (0.3 < 0.85 × 0.5)
    assert highlight(text, spans, vectors, query, []) == (Highlight(*spans[0]),)
    # decision: only sentences recording the decision compete, however weakly they match
    assert highlight(text, spans, vectors, query, [], decision=True) == (Highlight(*spans[2]),)
    # ...and without a decision in the passage, the plain choice stands
    plain = "The committee discussed the report at length today. Members thanked the officers."
    plain_spans = split_sentences(plain)
    assert highlight(plain, plain_spans, vectors[:2], query, [], decision=True) == (Highlight(*plain_spans[0]),)


def test_resolution_cues_mark_agreed_sentences_but_not_announcements() -> None:
    text = "The committee agreed to hold a workshop. Officers would report back."
    assert resolution_cues(text, split_sentences(text)) == [True, False]
    text = (
        "The committee agreed that the line should be removed. The following resolutions were agreed.\n"
        "Resolved:\nThat the report be noted."
    )
    # the first records a decision; the second only announces what follows; the rest is the resolution
    assert resolution_cues(text, split_sentences(text)) == [True, False, True, True]
