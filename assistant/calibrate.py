"""Set the "not found" threshold from the dev question set and report the trade-off.

    python -m assistant.calibrate [--library PATH] [--questions eval/questions/herefordshire-cyp.jsonl]
                                  [--output eval/results/threshold.json]

Every question is asked once (hybrid mode, no history). Where the answer rested on evidence (see
`assistant.evidence`), the cosine and term coverage of its best items are kept; the rest were answered from
the attendance record or refused because the question names a meeting the library lacks, and no threshold
changes them. Then, for each coverage weight and threshold on a grid, it counts the answerable questions that
would be wrongly refused and the unanswerable ones that would be answered, and picks the pair with the lowest
cost, a wrong refusal costing REFUSAL_COST wrong answers (a councillor refused an answer the minutes hold is
worse off than one shown a cited passage that visibly does not answer); ties go to the lower threshold, then
the lower weight. The dev set is small, so the recommended threshold keeps MARGIN below the chosen one: the
lowest-scoring answerable questions sit right at it, and a paraphrase slightly weaker than theirs should not
be refused. The file records the command, the machine, every question's figures and the whole curve, so the
choice can be checked and rerun.

Without --library, the sample minutes are ingested into a temporary library with the real model.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.ask import Assistant
from assistant.evidence import COVERAGE_WEIGHT, THRESHOLD, Evidence, best

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "eval" / "questions" / "herefordshire-cyp.jsonl"
OUTPUT = REPO / "eval" / "results" / "threshold.json"
SAMPLES = REPO / "samples" / "minutes"
REFUSAL_COST = 2
MARGIN = 0.03
WEIGHTS = [round(0.1 * n, 1) for n in range(11)]
THRESHOLDS = [round(0.2 + 0.01 * n, 2) for n in range(101)]


@dataclass(frozen=True, slots=True)
class Observation:
    """One dev question's outcome: fixed (no evidence) or its best items' evidence."""

    id: str
    question: str
    answerable: bool
    evidence: tuple[Evidence, ...]
    abstained: bool  # as answered with the current constants

    def refused(self, threshold: float, weight: float) -> bool:
        if not self.evidence:
            return self.abstained
        strongest = best(list(self.evidence), weight)
        return strongest is None or strongest.confidence(weight) < threshold


def load_dev_questions(path: Path) -> list[tuple[str, str, bool]]:
    """(id, question, answerable) of each line of an eval question file."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append((str(data["id"]), str(data["question"]), bool(data["relevant"])))
        except (ValueError, KeyError, TypeError) as error:
            raise SystemExit(f"{path} line {number}: not a question ({error})") from None
    return found


def observe(assistant: Assistant, questions: list[tuple[str, str, bool]]) -> list[Observation]:
    observations = []
    for qid, text, answerable in questions:
        answer = assistant.ask(text, k=5, mode="hybrid")
        observations.append(Observation(qid, text, answerable, answer.evidence, answer.abstained))
    return observations


def tally(observations: list[Observation], threshold: float, weight: float) -> dict[str, int]:
    wrongly_refused = sum(o.answerable and o.refused(threshold, weight) for o in observations)
    wrongly_answered = sum(not o.answerable and not o.refused(threshold, weight) for o in observations)
    return {
        "answerable_refused": wrongly_refused,
        "unanswerable_answered": wrongly_answered,
        "cost": REFUSAL_COST * wrongly_refused + wrongly_answered,
    }


def sweep(observations: list[Observation]) -> dict[str, Any]:
    """The best (weight, threshold) and the trade-off curve at that weight."""
    scored = []
    for weight in WEIGHTS:
        for threshold in THRESHOLDS:
            counts = tally(observations, threshold, weight)
            key = (counts["cost"], threshold, weight)
            scored.append((key, weight, threshold, counts))
    _, weight, threshold, counts = min(scored, key=lambda entry: entry[0])
    best_by_weight = {}
    for w in WEIGHTS:
        entries = [entry for entry in scored if entry[1] == w]
        key, _, t, c = min(entries, key=lambda entry: entry[0])
        best_by_weight[str(w)] = {"threshold": t, **{n: c[n] for n in ("answerable_refused", "unanswerable_answered")}}
    curve = [
        {"threshold": t, **{n: c[n] for n in ("answerable_refused", "unanswerable_answered")}}
        for _, w, t, c in scored
        if w == weight
    ]
    recommended = round(threshold - MARGIN, 2)
    return {
        "chosen": {"coverage_weight": weight, "threshold": threshold, **counts},
        "recommended": {
            "coverage_weight": weight,
            "threshold": recommended,
            **tally(observations, recommended, weight),
        },
        "best_threshold_by_weight": best_by_weight,
        "curve_at_chosen_weight": curve,
    }


def build_sample_library(path: Path) -> None:
    """Ingest the sample minutes into a new library at `path` with the real model."""
    from index.encoder import load_encoder
    from index.library import SourceRecord, update_library
    from ingest.pipeline import ingest_file
    from ingest.settings import load_settings

    settings = load_settings(path)
    encoder = load_encoder(settings)
    now = datetime.now(UTC).isoformat()
    additions = []
    for file in sorted(SAMPLES.glob("*.txt")):
        result = ingest_file(file, settings)
        record = SourceRecord(result.meeting.sha256, result.size, now, result.meeting.meeting_id)
        additions.append((result.meeting, result.chunks, record))
    update_library(path, additions, encoder, settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=None, help="use this library instead of the samples")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from index.library import Library
    from ingest.settings import load_settings

    questions = load_dev_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="minutebook-calibrate-") as scratch:
        library_path = args.library or Path(scratch) / "library"
        if args.library is None:
            build_sample_library(library_path)
        settings = load_settings(library_path)
        assistant = Assistant(Library.load(library_path, settings=settings), settings)
        observations = observe(assistant, questions)
    result = sweep(observations)
    report = {
        "command": ("python -m assistant.calibrate " + " ".join(sys.argv[1:] if argv is None else argv)).strip(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()},
        "questions_file": str(
            args.questions.relative_to(REPO) if args.questions.is_relative_to(REPO) else args.questions
        ),
        "library": "samples/minutes (fresh)" if args.library is None else str(args.library),
        "questions": len(observations),
        "answerable": sum(o.answerable for o in observations),
        "unanswerable": sum(not o.answerable for o in observations),
        "decided_without_threshold": sum(not o.evidence for o in observations),
        "in_use": {
            "coverage_weight": COVERAGE_WEIGHT,
            "threshold": THRESHOLD,
            **tally(observations, THRESHOLD, COVERAGE_WEIGHT),
        },
        **result,
        "per_question": [
            {
                "id": o.id,
                "answerable": o.answerable,
                "evidence": [e.to_json() for e in o.evidence],
                "abstained_in_use": o.abstained,
            }
            for o in observations
        ],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{len(observations)} questions ({report['unanswerable']} unanswerable); written to {args.output}")
    for name in ("in_use", "chosen", "recommended"):
        entry = report[name]
        print(
            f"{name:>12}: weight {entry['coverage_weight']}, threshold {entry['threshold']}: "
            f"{entry['answerable_refused']} answerable refused, {entry['unanswerable_answered']} unanswerable answered"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
