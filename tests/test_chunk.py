"""Passages: sized in the model's word-pieces, verbatim, exactly located, never across items."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunk import chunk_meeting, split_spans, title_context
from ingest.models import Item, Meeting, Page
from ingest.tokens import count_tokens


def _meeting(text: str, items: tuple[Item, ...], pages: tuple[Page, ...] = ()) -> Meeting:
    return Meeting(
        meeting_id="test-committee-2025-01-21",
        committee="Test Committee",
        meeting_date=date(2025, 1, 21),
        source="minutes.txt",
        sha256="0" * 64,
        text=text,
        items=items,
        pages=pages,
    )


def _items_for(text: str, cuts: list[int]) -> tuple[Item, ...]:
    bounds = [0, *sorted(set(c for c in cuts if 0 < c < len(text))), len(text)]
    return tuple(
        Item(number=None if i == 0 else str(i), title=None if i == 0 else f"Item {i}", start=s, end=e)
        for i, (s, e) in enumerate(zip(bounds, bounds[1:], strict=False))
    )


def test_short_item_is_one_verbatim_passage() -> None:
    text = "Present: Councillor A\n\n1. APOLOGIES\n\nNo apologies were received.\n"
    items = (Item(None, None, 0, 22), Item("1", "APOLOGIES", 23, len(text)))
    chunks = chunk_meeting(_meeting(text, items), count_tokens, max_tokens=200, overlap_tokens=40, max_title_tokens=40)
    assert [(c.item_number, c.text) for c in chunks] == [
        (None, "Present: Councillor A"),
        ("1", "1. APOLOGIES\n\nNo apologies were received."),
    ]
    assert chunks[1].embed_text == "Item 1: APOLOGIES\n1. APOLOGIES\n\nNo apologies were received."
    assert chunks[0].embed_text.startswith("Preamble")


def test_long_item_splits_on_sentences_with_overlap_and_fits_the_model() -> None:
    sentence = "The committee asked about the number of children waiting for an assessment in Herefordshire. "
    text = "1. WAITING LISTS\n\n" + sentence * 40
    items = (Item("1", "WAITING LISTS", 0, len(text)),)
    chunks = chunk_meeting(_meeting(text, items), count_tokens, max_tokens=60, overlap_tokens=15, max_title_tokens=40)
    assert len(chunks) > 5
    for chunk in chunks:
        assert count_tokens(chunk.text) <= 60
        assert text[chunk.start : chunk.end] == chunk.text
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start < before.end, "consecutive passages overlap"
        assert after.start > before.start
    # Breaks fall on sentence boundaries: every passage after the first starts a sentence.
    assert all(c.text.startswith("The committee") for c in chunks[1:])


def test_pages_and_title_context() -> None:
    text = "A" * 50 + "\n\n" + "1. ITEM ONE\n\nBody text here.\n"
    pages = (Page(1, 0, 52), Page(2, 52, len(text)))
    items = (Item(None, None, 0, 50), Item("1", "ITEM ONE", 52, len(text)))
    chunks = chunk_meeting(
        _meeting(text, items, pages), count_tokens, max_tokens=200, overlap_tokens=0, max_title_tokens=40
    )
    assert [c.page for c in chunks] == [1, 2]
    long_title = Item("7", "WORD " * 100, 0, 1)
    assert count_tokens(title_context(long_title, count_tokens, 10)) <= 10


def test_blank_item_has_no_passages() -> None:
    assert split_spans("   \n\n  ", count_tokens, max_tokens=50, overlap_tokens=10) == []


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("abcdefgh XYZ.,;:!?\n\t-'\"£é0123")), min_size=0, max_size=2500),
    cuts=st.lists(st.integers(min_value=0, max_value=2500), max_size=6),
    max_tokens=st.integers(min_value=12, max_value=120),
)
def test_passages_are_exact_and_stay_inside_their_item(text: str, cuts: list[int], max_tokens: int) -> None:
    items = _items_for(text, cuts)
    meeting = _meeting(text, items)
    chunks = chunk_meeting(
        meeting, count_tokens, max_tokens=max_tokens, overlap_tokens=max_tokens // 4, max_title_tokens=20
    )
    by_number = {item.number: item for item in items}
    for chunk in chunks:
        assert meeting.text[chunk.start : chunk.end] == chunk.text
        item = by_number[chunk.item_number]
        assert item.start <= chunk.start <= chunk.end <= item.end
        assert count_tokens(chunk.text) <= max_tokens
        assert chunk.text.strip() == chunk.text and chunk.text
    # Every non-blank character of every item is in some passage.
    covered = [False] * len(text)
    for chunk in chunks:
        covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))


def test_indented_heading_passage_starts_at_visible_text() -> None:
    text = "  1. HEADING\n" + "Words of the item body go here. " * 30
    items = (Item("1", "HEADING", 0, len(text)),)
    chunks = chunk_meeting(_meeting(text, items), count_tokens, max_tokens=40, overlap_tokens=8, max_title_tokens=20)
    assert chunks[0].text.startswith("1. HEADING\nWords")
    assert all(c.text == c.text.strip() for c in chunks)
