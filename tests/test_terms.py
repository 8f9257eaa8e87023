"""Term document frequencies: counted once when the index is built, saved beside the keyword index, and equal
to what the assistant used to count from every passage when it started."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ask import Assistant
from assistant.terms import TermStats
from index.encoder import HashingEncoder
from index.keyword import KEYWORD_DIR, TERMS, KeywordIndex
from index.library import Library, LibraryError, update_library
from index.manifest import MANIFEST
from index.storage import current_version, version_dir
from ingest.settings import Settings
from ingest.terms import passage_text, term_frequencies, term_set
from tests.assistant_fixtures import build_sample_library
from tests.index_helpers import FINANCE_MAY, PLANNING_APRIL, PLANNING_MARCH, addition


def counted_one_by_one(texts: list[str]) -> tuple[int, Counter[str]]:
    """What `TermStats` counted before the counts were stored: `term_set` of each text."""
    frequency: Counter[str] = Counter()
    for text in texts:
        frequency.update(term_set(text))
    return len(texts), frequency


def test_term_frequencies_on_a_hand_worked_example() -> None:
    texts = [
        "The Budget was agreed; budgets AGREED again.",  # budget, agre (once each, however often)
        "Councillor O'Brien's report: the council's budget",  # councillor, obrien, report, council, budget
        "a b 7 I x-ray don’t",  # 7, ray ("a", "b", "i", "x" are single letters; "don't" is a stop word)
        "",
    ]
    documents, frequency = term_frequencies(texts)
    assert documents == 4
    assert frequency == Counter(
        {"budget": 2, "agre": 1, "councillor": 1, "obrien": 1, "report": 1, "council": 1, "7": 1, "ray": 1}
    )
    assert (documents, frequency) == counted_one_by_one(texts)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("abcABZ09 '’-.\n\u00e9\u0130\u212a"), max_size=40)
        | st.sampled_from(["The meeting's minutes", "don't", "rock'n'roll", "Cllr. O’Neill", "İstanbul K"]),
        max_size=12,
    )
)
def test_term_frequencies_equal_term_sets_counted_one_by_one(texts: list[str]) -> None:
    assert term_frequencies(texts) == counted_one_by_one(texts)


def test_term_frequencies_read_texts_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.terms

    monkeypatch.setattr(ingest.terms, "_BATCH", 3)
    texts = [f"budget {n} reports" if n % 2 else "planning appeal" for n in range(10)]
    assert term_frequencies(iter(texts)) == counted_one_by_one(texts)


def test_the_sample_library_stores_the_counts_the_assistant_used_to_make(tmp_path: Path) -> None:
    settings = build_sample_library(tmp_path / "library")
    library = Library.load(tmp_path / "library", settings=settings)
    stored = library.term_frequencies()
    assert stored is not None
    assert stored == counted_one_by_one([passage_text(chunk) for chunk in library.chunks])
    assistant = Assistant(library, settings)
    assert (assistant.stats.documents, assistant.stats.frequency) == stored
    root = version_dir(library.path, library.version)
    assert f"{KEYWORD_DIR}/{TERMS}" in library.manifest.files  # size-checked and swapped in with the version
    assert (root / KEYWORD_DIR / TERMS).is_file()


def _forget_counts(path: Path) -> None:
    """Make the live version look like one built before term counts were saved."""
    root = version_dir(path, current_version(path) or "")
    (root / KEYWORD_DIR / TERMS).unlink()
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    del manifest["files"][f"{KEYWORD_DIR}/{TERMS}"]
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def test_a_library_built_before_the_counts_were_stored_counts_them_when_the_assistant_starts(tmp_path: Path) -> None:
    settings = build_sample_library(tmp_path / "library")
    fresh = Assistant(Library.load(tmp_path / "library", settings=settings), settings)
    question = "What was decided about dentistry for looked-after children?"
    expected = fresh.ask(question)
    _forget_counts(tmp_path / "library")
    old = Library.load(tmp_path / "library", settings=settings)
    assert old.term_frequencies() is None
    assistant = Assistant(old, settings)
    assert (assistant.stats.documents, assistant.stats.frequency) == (fresh.stats.documents, fresh.stats.frequency)
    answer = assistant.ask(question)
    assert answer.evidence == expected.evidence and answer.passages == expected.passages


def test_counts_follow_updates_and_an_empty_library(tmp_path: Path) -> None:
    path, encoder = tmp_path / "library", HashingEncoder(384)
    settings = Settings(library=path)
    update_library(path, [addition(PLANNING_MARCH), addition(FINANCE_MAY)], encoder, settings)
    update_library(path, [addition(PLANNING_APRIL)], encoder, settings)
    library = Library.load(path, encoder)
    assert library.term_frequencies() == counted_one_by_one([passage_text(c) for c in library.chunks])
    empty = KeywordIndex.build([], [])
    empty.save(tmp_path / "empty")
    assert KeywordIndex.load(tmp_path / "empty", 0).term_frequencies == (0, Counter())


def test_saved_counts_round_trip_and_must_match_the_passages(tmp_path: Path) -> None:
    meeting, chunks = PLANNING_MARCH
    texts = [c.text for c in chunks]
    index = KeywordIndex.build(texts, chunks)
    assert index.term_frequencies == counted_one_by_one([passage_text(c) for c in chunks])
    index.save(tmp_path / "bm25")
    loaded = KeywordIndex.load(tmp_path / "bm25", len(chunks))
    assert loaded.term_frequencies == index.term_frequencies
    assert list(loaded.scores("planning application")) == list(index.scores("planning application"))
    with pytest.raises(ValueError, match="passages"):
        KeywordIndex.load(tmp_path / "bm25", len(chunks) + 1)
    with pytest.raises(ValueError, match="passages"):
        KeywordIndex.build(texts, chunks[:-1])
    KeywordIndex.build(texts).save(tmp_path / "old")  # no passages: no counts, as before they were stored
    assert not (tmp_path / "old" / TERMS).exists()
    assert KeywordIndex.load(tmp_path / "old", len(chunks)).term_frequencies is None
    assert TermStats.from_counts(*index.term_frequencies).idf("planning") == TermStats(
        [passage_text(c) for c in chunks]
    ).idf("planning")


def test_damaged_counts_are_one_clear_line(tmp_path: Path) -> None:
    path, encoder = tmp_path / "library", HashingEncoder(384)
    update_library(path, [addition(PLANNING_MARCH)], encoder, Settings(library=path))
    terms = version_dir(path, current_version(path) or "") / KEYWORD_DIR / TERMS
    terms.write_text(terms.read_text(encoding="utf-8")[:-5] + "     ", encoding="utf-8")  # same size, bad JSON
    with pytest.raises(LibraryError, match=r"keyword index .* is unreadable .*index --rebuild"):
        Library.load(path, encoder)
    terms.write_text("{}", encoding="utf-8")
    with pytest.raises(LibraryError, match=r"terms.json is .* bytes.*truncated"):
        Library.load(path, encoder)
