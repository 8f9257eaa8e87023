"""How `assistant.scope` searches the minutes: literal searches in place of regexes that tried every position of
every text (half a second a question at 100,000 passages), giving the same answers as those regexes."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.scope import _NAME_CHARACTER, _WORD_CHARACTER, CommitteeNames, _acronyms, _occurs, _title_lines
from tests.test_scope import meeting

# Texts made of the characters that matter at a word's edges: letters, digits, "_", "-", apostrophes, spaces.
EDGES = st.text(alphabet=st.sampled_from("aAsSfFxX_-'’ \n\t1é"), max_size=30)


def old_mentioned(texts: list[str], name: str) -> bool:
    """`CommitteeNames._mentioned` as it was: a regex with IGNORECASE and word boundaries over every text."""
    pattern = re.compile(r"\b" + r"\s+".join(re.escape(w) for w in name.split()) + r"\b", re.IGNORECASE)
    return any(pattern.search(text) for text in texts)


@settings(max_examples=300, deadline=None)
@given(EDGES, EDGES)
def test_an_acronym_is_found_where_the_capitals_regex_found_it(before: str, after: str) -> None:
    text = f"{before}ASF{after}"
    expected = "ASF" in set(re.findall(r"\b[A-Z]{3,}\b", text))
    assert _occurs(text, "ASF", re.compile(r"ASF\b"), _WORD_CHARACTER) == expected


@settings(max_examples=300, deadline=None)
@given(EDGES, EDGES)
def test_a_lower_case_word_is_found_where_the_look_around_regex_found_it(before: str, after: str) -> None:
    text = f"{before}ayton{after}"
    expected = re.search(r"(?<![\w-])ayton(?![\w-])", text) is not None
    assert _occurs(text, "ayton", re.compile(r"ayton(?![\w-])"), _NAME_CHARACTER) == expected


@settings(max_examples=300, deadline=None)
@given(EDGES, st.sampled_from([" ", "\n", "  \t", "-", ""]), EDGES, st.sampled_from(["Council", "COUNCIL", "council"]))
def test_a_body_is_mentioned_where_the_ignorecase_regex_found_it(before: str, gap: str, after: str, noun: str) -> None:
    texts = ["Nothing here.", f"{before}leeds City{gap}{noun}{after}"]
    names = CommitteeNames([meeting("Milburn Parish Council", date(2024, 1, 1), text) for text in texts])
    assert names._mentioned("Leeds City Council") == old_mentioned(texts, "Leeds City Council")


def test_mentions_on_hand_made_minutes() -> None:
    texts = [
        "A letter from Leeds City\nCouncil was noted.",  # any white space between the words
        "The Leeds City Councillors met.",  # not the name: a longer word
        "xIntegrated Care Board",  # not the name: it starts inside a word
        "The INTEGRATED care board's plan.",  # case aside
    ]
    names = CommitteeNames([meeting("Milburn Parish Council", date(2024, 1, 1), text) for text in texts])
    assert names._lowered is None  # made only when a question names a body
    assert names._mentioned("Leeds City Council") is True
    assert names._mentioned("Integrated Care Board") is True
    assert names._mentioned("Leeds City Councillors Board") is False
    assert names._mentioned("Care Board Trust") is False
    assert names.find("Did Leeds City Council write?") is None  # mentioned: part of the topic, not the scope
    unknown = names.find("What did the Bradford Care Board decide?")
    assert unknown is not None and unknown.unknown == "Bradford Care Board"
    assert names._mentions_cache == {
        "Leeds City Council": True,
        "Integrated Care Board": True,
        "Leeds City Councillors Board": False,
        "Care Board Trust": False,
        "Bradford Care Board": False,
    }


def old_written_in_lower_case(texts: list[str], forms: dict[str, set[str]]) -> set[str]:
    """`CommitteeNames._written_in_lower_case` as it was: one alternation of every word over every text."""
    lowered: dict[str, str] = {}
    common = set()
    for norm, written in forms.items():
        for form in written:
            if form.islower():
                common.add(norm)
            lowered[form.lower()] = norm
    todo = {word: norm for word, norm in lowered.items() if norm not in common}
    if todo:
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(todo)) + r")(?![\w-])")
        for text in texts:
            common.update(todo[word] for word in set(pattern.findall(text)))
    return common


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from("ayton Ayton-_'&OBrien obrien o\n"), max_size=40), max_size=4),
    st.sampled_from(
        [
            {"ayton": {"Ayton"}, "brien": {"Brien"}},
            {"o'brien": {"O'Brien"}, "o": {"O"}},  # an apostrophe: the alternation decides overlaps
            {"ayton-on-tees": {"Ayton-on-Tees"}, "ayton": {"AYTON"}},
            {"a&b": {"A&B"}, "b": {"B"}},
        ]
    ),
)
def test_words_written_in_lower_case_are_those_the_alternation_found(
    texts: list[str], forms: dict[str, set[str]]
) -> None:
    names = CommitteeNames([meeting("Milburn Parish Council", date(2024, 1, 1), text) for text in texts])
    assert names._written_in_lower_case(forms) == old_written_in_lower_case(texts, forms)


def test_acronyms_its_minutes_use_name_a_committee() -> None:
    asf = "Apache Software Foundation Board of Directors"
    assert "ASF" in _acronyms(asf)
    library = [
        meeting(asf, date(2015, 1, 21), "The ASFX and xASF and ASF_1 are other words."),
        meeting(asf, date(2015, 2, 18), "The (ASF) board met."),
        meeting("Milburn Parish Council", date(2015, 3, 1), "The ASF wrote to us."),
    ]
    names = CommitteeNames(library)
    assert names.owners["asf"] == {asf}
    assert CommitteeNames(library[:1]).owners.get("asf") is None


@given(st.lists(st.sampled_from(["", "  ", "Title", " Milburn Parish Council ", "\t"]), max_size=150))
def test_title_lines_are_the_first_non_empty_lines(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert _title_lines(text) == [line.strip() for line in text.split("\n") if line.strip()][:4]
