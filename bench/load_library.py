"""How long a 10,000-passage library takes to build, update, load and search.

Builds a synthetic library (100 meetings x 100 passages of ~130 words drawn from the sample minutes'
vocabulary) with the hashing encoder, so the figures measure the index and not the model; then times
`Library.load` in this process and in a fresh one (imports included), one query on each index, and a
one-meeting incremental update. Writes bench/results/load_library.json.

    .venv/bin/python bench/load_library.py [--passages 10000] [--out bench/results/load_library.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path

import numpy as np

from index.encoder import HashingEncoder
from index.library import Library, SourceRecord, update_library
from index.storage import current_version, version_dir
from ingest.models import Chunk, Item, Meeting, make_chunk_id, make_meeting_id
from ingest.settings import Settings

REPO = Path(__file__).resolve().parent.parent
PER_MEETING = 100
QUERIES = [
    "safeguarding children partnership report",
    "school transport budget",
    "apologies for absence",
    "mental health support for young people",
    "recommendations of the scrutiny committee",
]


def vocabulary() -> list[str]:
    words: list[str] = []
    for file in sorted((REPO / "samples" / "minutes").glob("*.txt")):
        words += re.findall(r"[A-Za-z]{3,}", file.read_text(encoding="utf-8"))
    return words or ["minutes", "committee", "budget", "school", "council", "report"]


def synthetic_meeting(index: int, words: list[str], rng: random.Random) -> tuple[Meeting, list[Chunk]]:
    committee = f"Committee {index % 7}"
    day = date(2015, 1, 1) + timedelta(days=7 * index)
    meeting_id = make_meeting_id(committee, day)
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    offset = 0
    items: list[Item] = []
    for item_number in range(1, PER_MEETING // 5 + 1):
        title = " ".join(rng.choices(words, k=4)).title()
        item_start = offset
        heading = f"{item_number}. {title}\n"
        parts.append(heading)
        offset += len(heading)
        for _ in range(5):
            passage = " ".join(rng.choices(words, k=rng.randint(90, 170))) + "."
            spans.append((offset, offset + len(passage), title))
            parts.append(passage + "\n\n")
            offset += len(passage) + 2
        items.append(Item(str(item_number), title, item_start, offset))
    text = "".join(parts)
    source = f"/minutes/{meeting_id}.txt"
    meeting = Meeting(meeting_id, committee, day, source, f"{index:064x}", text, tuple(items))
    chunks = [
        Chunk(
            make_chunk_id(meeting_id, start, end),
            meeting_id,
            committee,
            day,
            str(1 + n // 5),
            title,
            text[start:end],
            source,
            start,
            end,
            embed_text=f"{title}\n{text[start:end]}",
        )
        for n, (start, end, title) in enumerate(spans)
    ]
    return meeting, chunks


def record(meeting: Meeting) -> SourceRecord:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return SourceRecord(meeting.sha256, len(meeting.text), now, meeting.meeting_id)


def timed(action, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def fresh_process_load(path: Path) -> dict[str, float]:
    """Import and load in a new interpreter, as `minutebook` or the page does on start."""
    code = (
        "import time, json, sys; t0 = time.perf_counter();"
        "from index.encoder import HashingEncoder; from index.library import Library;"
        "t1 = time.perf_counter(); Library.load(sys.argv[1], HashingEncoder(384)); t2 = time.perf_counter();"
        "print(json.dumps({'import_s': t1 - t0, 'load_s': t2 - t1}))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "load_library.json")
    args = parser.parse_args()

    rng = random.Random(7)
    words = vocabulary()
    meetings = [synthetic_meeting(i, words, rng) for i in range(max(1, args.passages // PER_MEETING))]
    encoder = HashingEncoder(384)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "library"
        settings = Settings(library=path, model_name=encoder.name, model_dim=encoder.dim)
        started = time.perf_counter()
        report = update_library(path, [(m, c, record(m)) for m, c in meetings], encoder, settings)
        build_s = time.perf_counter() - started

        root = version_dir(path, current_version(path) or "")
        sizes = {p.relative_to(root).as_posix(): p.stat().st_size for p in sorted(root.rglob("*")) if p.is_file()}

        load_times = timed(lambda: Library.load(path, encoder), 5)
        fresh = [fresh_process_load(path) for _ in range(3)]
        library = Library.load(path, encoder)
        vectors = [library.encode_query(q) for q in QUERIES]
        dense = timed(lambda: [library.dense_search(v, 50) for v in vectors], 20)
        half = library.rows_for(lambda c: c.committee in ("Committee 0", "Committee 1", "Committee 2"))
        dense_filtered = timed(lambda: [library.dense_search(v, 50, rows=half) for v in vectors], 20)
        keyword = timed(lambda: [library.keyword_search(q, 50) for q in QUERIES], 20)

        extra = synthetic_meeting(len(meetings), words, rng)
        started = time.perf_counter()
        incremental = update_library(path, [(extra[0], extra[1], record(extra[0]))], encoder, settings)
        incremental_s = time.perf_counter() - started

    per_query = len(QUERIES)
    results = {
        "command": "python bench/load_library.py" + (f" --passages {args.passages}" if args.passages != 10_000 else ""),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
            "faiss": metadata.version("faiss-cpu"),
            "bm25s": metadata.version("bm25s"),
            "numpy": np.__version__,
        },
        "library": {
            "meetings": report.meetings,
            "passages": report.passages,
            "encoder": encoder.name,
            "bytes": sizes,
            "total_mb": round(sum(sizes.values()) / 1e6, 1),
        },
        "build_s": round(build_s, 2),
        "load_s": {"median": round(statistics.median(load_times), 3), "all": [round(t, 3) for t in load_times]},
        "fresh_process": {
            "import_s_median": round(statistics.median(f["import_s"] for f in fresh), 3),
            "load_s_median": round(statistics.median(f["load_s"] for f in fresh), 3),
        },
        "query_ms": {
            "dense_k50": round(1000 * statistics.median(dense) / per_query, 3),
            "dense_k50_filtered_to_3_of_7_committees": round(1000 * statistics.median(dense_filtered) / per_query, 3),
            "keyword_k50": round(1000 * statistics.median(keyword) / per_query, 3),
        },
        "add_one_meeting_s": round(incremental_s, 2),
        "add_one_meeting_embedded": incremental.embedded,
        "note": "hashing encoder: the real model's embedding time is not included; load time does not depend on it",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
