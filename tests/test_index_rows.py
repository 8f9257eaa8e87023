"""Finding a meeting's rows without testing every passage: `rows_of_meetings` and `rows_for(..., within=)`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.encoder import HashingEncoder
from index.library import Library, update_library
from ingest.models import Chunk
from ingest.settings import Settings
from tests.index_helpers import FINANCE_MAY, PLANNING_APRIL, PLANNING_MARCH, addition


def test_rows_of_meetings_and_rows_for_within_them_match_a_scan_of_every_passage(tmp_path: Path) -> None:
    path = tmp_path / "library"
    encoder = HashingEncoder(384)
    settings = Settings(library=path, model_name=encoder.name, model_dim=encoder.dim)
    update_library(path, [addition(m) for m in (PLANNING_MARCH, PLANNING_APRIL, FINANCE_MAY)], encoder, settings)
    library = Library.load(path, encoder)
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
