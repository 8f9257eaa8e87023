"""Retrieval quality with each encoder back end: the dev questions over the sample minutes, scored by eval.

Builds the sample library once per encoder (torch, ONNX fp32, ONNX int8) in a temporary folder, asks every
question of eval/questions/herefordshire-cyp.jsonl in hybrid mode, and writes the metrics side by side, with
the time each build and question pass took.

    python -m bench.encoder_eval --out bench/results/encoder_eval.json [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import machine, timed

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "eval" / "questions" / "herefordshire-cyp.jsonl"
SAMPLES = REPO / "samples" / "minutes"
METRICS = ("hit@1", "hit@5", "mrr@10", "ndcg@10", "evidence_hit@1", "evidence_hit@3", "answered_hit@5")


def evaluate(kind: str, cache_dir: Path, questions_file: Path) -> dict[str, Any]:
    from assistant import Assistant
    from bench.scale import make_encoder
    from eval.questions import load_questions
    from eval.run import run_questions
    from eval.score import score_run
    from index.library import Library, SourceRecord, update_library
    from ingest.pipeline import ingest_file
    from ingest.settings import Settings

    encoder = make_encoder(kind, cache_dir)
    questions = load_questions(questions_file)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(library=Path(tmp) / "library")
        results = [ingest_file(path, settings) for path in sorted(SAMPLES.glob("*.txt"))]
        now = datetime.now(UTC).isoformat(timespec="seconds")
        additions = [
            (r.meeting, r.chunks, SourceRecord(r.meeting.sha256, r.size, now, r.meeting.meeting_id)) for r in results
        ]
        _, build_s = timed(lambda: update_library(settings.library, additions, encoder, settings))
        assistant = Assistant(Library.load(settings.library, encoder, settings=settings), settings)
        run, ask_s = timed(lambda: run_questions(assistant, questions, k=10, mode="hybrid"))
    scores = score_run(questions, run)
    return {
        "build_s": round(build_s, 1),
        "questions_s": round(ask_s, 1),
        **{name: scores.get(name) for name in METRICS if name in scores},
        "abstention": {k: scores.get(k) for k in ("abstention_precision", "abstention_recall", "false_refusal_rate")},
    }


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "encoder_eval.json")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "minutebook-bench")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    args = parser.parse_args()
    from index.onnx_encoder import available

    result: dict[str, Any] = {
        "command": "python -m bench.encoder_eval " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "questions": str(args.questions.relative_to(REPO) if args.questions.is_relative_to(REPO) else args.questions),
        "library": "samples/minutes",
        "mode": "hybrid",
        "encoders": {},
    }
    for kind in ["torch"] + (["onnx", "onnx-int8"] if available() else []):
        result["encoders"][kind] = evaluate(kind, args.cache_dir, args.questions)
        print(kind, json.dumps(result["encoders"][kind]), flush=True)
    result["machine"]["load_average_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
