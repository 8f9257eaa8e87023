"""Finding a meeting's rows without testing every passage: `rows_of_meetings` and `rows_for(..., within=)`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.encoder import HashingEncoder
from index.library import Library, update_library
from ingest.models import Chunk
from ingest.settings import Settings
from tests.index_helpers import FINANCE_MAY, PLANNING_APRIL, PLANNING_MARCH, addition


def three_meetings(tmp_path: Path) -> tuple[Library, Settings]:
    """A hashing-encoder library of PLANNING_MARCH, PLANNING_APRIL and FINANCE_MAY, loaded."""
    path = tmp_path / "library"
    encoder = HashingEncoder(384)
    settings = Settings(library=path, model_name=encoder.name, model_dim=encoder.dim)
    update_library(path, [addition(m) for m in (PLANNING_MARCH, PLANNING_APRIL, FINANCE_MAY)], encoder, settings)
    return Library.load(path, encoder), settings


def test_rows_of_meetings_and_rows_for_within_them_match_a_scan_of_every_passage(tmp_path: Path) -> None:
    library, settings = three_meetings(tmp_path)
    march, may = PLANNING_MARCH[0].meeting_id, FINANCE_MAY[0].meeting_id
    rows = library.rows_of_meetings([may, march, "no-such-meeting", may])
    assert rows.dtype == np.int64
    assert rows.tolist() == library.rows_for(lambda c: c.meeting_id in (march, may)).tolist()
    assert rows.tolist() == sorted(rows.tolist()) and len(rows) == len(PLANNING_MARCH[1]) + len(FINANCE_MAY[1])
    assert library.rows_of_meetings([]).tolist() == []

    def preamble(chunk: Chunk) -> bool:
        return chunk.item_number is None

    assert library.rows_for(preamble, within=rows).tolist() == [
        r for r in library.rows_for(preamble).tolist() if r in set(rows.tolist())
    ]
    # rows out of range or repeated are ignored, as in the searches
    assert library.rows_for(lambda c: True, within=np.array([2, 2, -1, 10_000])).tolist() == [2]


def test_the_assistant_finds_a_filters_rows_as_a_scan_of_every_passage_would(tmp_path: Path) -> None:
    """`Assistant._rows_within` takes an admitted meeting's passages without testing each (unless a filter names
    an item): the same rows as testing every passage of the library against the filter."""
    from datetime import date

    from assistant.ask import Assistant
    from assistant.records import Filters

    library, settings = three_meetings(tmp_path)
    assistant = Assistant(library, settings)
    planning = PLANNING_MARCH[0].committee
    item = next(c.item_number for c in PLANNING_MARCH[1] if c.item_number is not None)
    for filters in (
        Filters(committees=(f"  {planning.upper()} ",)),  # names are compared folded
        Filters(committees=(planning, FINANCE_MAY[0].committee), date_from=date(2024, 4, 1)),
        Filters(date_to=date(2024, 3, 31)),
        Filters(committees=(planning,), item_number=item),
        Filters(committees=("No Such Committee",)),
    ):
        assert assistant._rows_within(filters).tolist() == library.rows_for(filters.matches).tolist(), filters


def test_prepare_reads_the_names_a_first_question_would_wait_for_and_changes_no_answer(tmp_path: Path) -> None:
    import threading

    from assistant.ask import Assistant

    library, settings = three_meetings(tmp_path)
    prepared, cold = Assistant(library, settings), Assistant(library, settings)
    worker = threading.Thread(target=prepared.prepare)
    worker.start()
    names = prepared.names  # asked while `prepare` may still be reading them: one CommitteeNames, not two
    worker.join()
    assert prepared.names is names and names._lowered is not None
    for question in ("What did the planning committee decide in March 2024?", "Did the Zorg Board discuss flooding?"):
        assert prepared.ask(question).to_json() == cold.ask(question).to_json()


def test_valid_rows_sorts_dedupes_and_bounds_whatever_it_is_given() -> None:
    from index.vectors import valid_rows

    rng = np.random.default_rng(3)
    for _ in range(200):
        rows = rng.integers(-3, 30, size=int(rng.integers(0, 12)))
        if rng.random() < 0.5:
            rows = np.unique(rows)  # already ascending: the fast path
        expected = sorted({int(r) for r in rows if 0 <= r < 25})
        found = valid_rows(rows, 25)
        assert found.dtype == np.int64 and found.tolist() == expected
    assert valid_rows(np.array([[3], [1]]), 5).tolist() == [1, 3]
