"""What the assistant would gain from `Library.rows_of_meetings`: repeated questions, every-passage scans against
scans of the filtered meetings' passages only. For measurement only: it wraps the loaded library's `rows_for`
the way the assistant could call it (assistant/ is not changed here).

    python -m bench.rows_within --work DIR   (a library kept by `python -m bench.run --work DIR`, e.g. DIR/100k)
"""

import json
import os
import sys
import time
from pathlib import Path

from assistant.ask import Assistant
from assistant.records import Filters
from bench.measure import percentiles
from bench.scale import questions
from index.encoder import SentenceTransformerEncoder
from index.library import Library
from ingest.models import Meeting
from ingest.settings import Settings

lib = Path(sys.argv[sys.argv.index("--work") + 1]) / "library"
s = Settings(library=lib)
L = Library.load(lib, SentenceTransformerEncoder(), settings=s)
A = Assistant(L, s)
qs = questions(40)
for q in qs:
    A.ask(q)


def run():
    out = []
    for q in qs:
        t = time.perf_counter()
        A.ask(q)
        out.append(time.perf_counter() - t)
    return percentiles(out)


scan = run()
original = L.rows_for


def rows_for(predicate, within=None):
    owner = getattr(predicate, "__self__", None)
    if within is None and isinstance(owner, Filters):
        within = L.rows_of_meetings(
            m.meeting_id for m in L.meetings.values() if owner.matches_meeting(m.committee, m.meeting_date)
        )
    elif within is None:
        for cell in getattr(predicate, "__closure__", None) or ():
            if isinstance(cell.cell_contents, Meeting):
                within = L.rows_of_meetings([cell.cell_contents.meeting_id])
    return original(predicate, within)


L.rows_for = rows_for
within = run()
slowest = max(qs, key=lambda q: (lambda t: (A.ask(q), time.perf_counter() - t)[1])(time.perf_counter()))
print(
    json.dumps(
        {
            "slowest_question": slowest,
            "passages": len(L.chunks),
            "repeated_scan": scan,
            "repeated_within_meetings": within,
            "load_average": os.getloadavg(),
            "command": " ".join(["python -m bench.rows_within", *sys.argv[1:]]),
        },
        indent=2,
    )
)
