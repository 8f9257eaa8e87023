"""The assistant's own time: `Assistant(library)` construction and, per question, what `ask` spends outside the
model, the searches and the highlight's sentence encoding (reading the question, scope, filters, fusion,
collapse, evidence, records).

    python -m bench.assistant_overhead --library DIR/100k/library [--library ...] [--profile N]

Each library is loaded once; the assistant is built (timed) with the term counts the index stored, and again
computing them from every passage as a library built before they were stored does. Then every question (the
bench's 40 real questions and the first 30 of each dev set) is asked three ways: as written (scope parsing on), with a
committee filter and with a date filter, each once to warm the sentence vectors and once timed. A question's
overhead is its time less the time inside the encoder, `dense_search` and `keyword_search`. Results:
bench/results/assistant_overhead.json (merged by library size, so runs before and after a change sit together
under the `--label` given).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench.measure import load_average, machine, percentiles
from bench.scale import questions as bench_questions

REPO = Path(__file__).resolve().parent.parent
RESULT = REPO / "bench" / "results" / "assistant_overhead.json"


def all_questions(per_set: int) -> list[str]:
    """The bench's 40 real questions and the first `per_set` of each dev set."""
    found = list(bench_questions(40))
    for name in ("herefordshire-cyp.jsonl", "multi-body.jsonl"):
        file = REPO / "eval" / "questions" / name
        if file.is_file():
            lines = file.read_text(encoding="utf-8").splitlines()[:per_set]
            found += [json.loads(line)["question"] for line in lines]
    return list(dict.fromkeys(found))


class Clock:
    """Adds up the time spent in the wrapped calls."""

    def __init__(self) -> None:
        self.spent = 0.0

    def wrap(self, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - started

        return timed


def measure(path: Path, per_set: int, profile: int) -> dict[str, Any]:
    from assistant.ask import Assistant
    from assistant.records import Filters
    from index.encoder import SentenceTransformerEncoder
    from index.library import Library
    from ingest.settings import Settings

    settings = Settings(library=path)
    started = time.perf_counter()
    library = Library.load(path, SentenceTransformerEncoder(), settings=settings)
    result: dict[str, Any] = {"library": str(path), "passages": len(library.chunks), "meetings": len(library.meetings)}
    result["library_load_s"] = round(time.perf_counter() - started, 3)
    stored = getattr(library, "term_frequencies", lambda: None)  # absent before the counts were stored
    result["stored_term_counts"] = stored() is not None
    started = time.perf_counter()
    assistant = Assistant(library, settings)
    result["assistant_init_s"] = round(time.perf_counter() - started, 3)
    if result["stored_term_counts"]:
        keyword = library._keyword  # noqa: SLF001 - the fallback path, as for a library built before the counts
        saved, keyword.term_frequencies = keyword.term_frequencies, None
        started = time.perf_counter()
        Assistant(library, settings)
        result["assistant_init_computing_counts_s"] = round(time.perf_counter() - started, 3)
        keyword.term_frequencies = saved

    clock = Clock()
    encoder = library.encoder
    encoder.encode = clock.wrap(encoder.encode)  # type: ignore[method-assign]
    library.dense_search = clock.wrap(library.dense_search)  # type: ignore[method-assign]
    library.keyword_search = clock.wrap(library.keyword_search)  # type: ignore[method-assign]
    committees = library.committees()
    newest = max(meeting.meeting_date for meeting in library.meetings.values())
    ways = {
        "as_written": Filters(),
        "committee_filter": Filters(committees=(committees[len(committees) // 2],)),
        "date_filter": Filters(date_from=date(newest.year - 3, 1, 1), date_to=date(newest.year - 2, 12, 31)),
    }
    asked = all_questions(per_set)
    result["questions"] = len(asked)
    first = {name: [assistant.ask(q, filters=f) for q in asked] for name, f in ways.items()}  # warm
    del first
    timings: dict[str, dict[str, Any]] = {}
    overall: list[float] = []
    for name, filters in ways.items():
        totals, overheads = [], []
        for question in asked:
            clock.spent = 0.0
            started = time.perf_counter()
            assistant.ask(question, filters=filters)
            total = time.perf_counter() - started
            totals.append(total)
            overheads.append(total - clock.spent)
        overall += overheads
        timings[name] = {"ask_ms": percentiles(totals), "overhead_ms": percentiles(overheads)}
    timings["all"] = {"overhead_ms": percentiles(overall)}
    result["repeated_questions"] = timings
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for filters in ways.values():
            for question in asked:
                assistant.ask(question, filters=filters)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.assistant_overhead", description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, action="append", required=True)
    parser.add_argument("--label", default="current", help="the key these figures are stored under")
    parser.add_argument("--per-set", type=int, default=30, help="questions from each dev set (besides 40)")
    parser.add_argument("--profile", type=int, default=0, help="print a cProfile of this many lines to stderr")
    parser.add_argument("--output", type=Path, default=RESULT)
    args = parser.parse_args(argv)
    runs = {}
    before = load_average()
    for path in args.library:
        found = measure(path, args.per_set, args.profile)
        runs[f"{found['passages']}"] = found
        print(json.dumps(found, indent=2), flush=True)
    data = json.loads(args.output.read_text(encoding="utf-8")) if args.output.is_file() else {}
    data[args.label] = {
        "command": "python -m bench.assistant_overhead " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "load_average": {"start": before, "end": load_average()},
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
