"""`make eval`: the dev question set over the bundled sample minutes, all three modes, results in eval/results/.

    python -m eval.run_dev [--output-dir eval/results/dev] [--library PATH] [--k 10]

Without --library, the two sample meetings are ingested into a fresh library in a temporary directory (with
the real model: about a minute on two cores), so the figures do not depend on what a user's library holds.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from pathlib import Path

from eval.questions import load_questions
from ingest.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "eval" / "questions" / "herefordshire-cyp.jsonl"
SAMPLES = REPO / "samples" / "minutes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.run_dev", description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=REPO / "eval" / "results" / "dev")
    parser.add_argument("--library", type=Path, default=None, help="use this library instead of building one")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args(argv)

    from rich.console import Console

    from eval.corpus import ingest_files
    from eval.report import rich_table
    from eval.run import evaluate, open_assistant

    questions = load_questions(args.questions)
    command = "python -m eval.run_dev " + shlex.join(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="minutebook-eval-") as scratch:
        library = args.library or Path(scratch) / "library"
        settings = load_settings(library)
        if args.library is None:
            ingest_files(settings, sorted(SAMPLES.glob("*.txt")), progress=True)
        out = args.output_dir
        scores = evaluate(
            open_assistant(settings),
            questions,
            ("hybrid", "dense", "keyword"),
            k=args.k,
            output=out / "run.json",
            metrics_path=out / "metrics.json",
            report_path=out / "report.md",
            questions_file=str(
                args.questions.relative_to(REPO) if args.questions.is_relative_to(REPO) else args.questions
            ),
            command=command.strip(),
            title="Dev set: Herefordshire CYP scrutiny, two meetings",
            progress=True,
            library="samples/minutes (fresh)" if args.library is None else str(args.library),
            model=settings.model_name,
        )
    Console().print(rich_table(scores, title=f"{args.questions.name}: {len(questions)} questions, k={args.k}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
