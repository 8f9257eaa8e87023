"""`make eval-multi`: the multi-body dev library and its question set (`eval/questions/multi-body.jsonl`).

    python -m eval.multi build [--library DIR]
    python -m eval.multi eval [--library DIR] [--output-dir eval/results/multi-body] [--k 10]

The library holds every readable minute in `tests/data/external/` (the repository's copy of the shared external
corpus: fifteen bodies, two of them scans that go through OCR) plus the two Herefordshire samples, ingested as
`minutebook ingest` would, with the real model. Without --library it lives in the user cache directory, never
in the repository. `eval` builds it first when it is missing, then asks every question through the assistant
and writes run files, metrics (overall and by kind of question) and a report to the output directory.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from eval import metrics
from eval.questions import Question, load_questions
from eval.runfile import Run
from eval.score import judge
from ingest.models import IngestError
from ingest.pipeline import IngestResult, collect_files, ingest_file
from ingest.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
EXTERNAL = REPO / "tests" / "data" / "external"
SAMPLES = REPO / "samples" / "minutes"
QUESTIONS = REPO / "eval" / "questions" / "multi-body.jsonl"
RESULTS = REPO / "eval" / "results" / "multi-body"

# Files whose text does not name their body, and the name the dev library gives them. Perth's minutes say only
# "Committee Meeting 2021.08.07"; "the Perth Artifactory" appears once, as the venue of the next AGM, which is
# too weak a clue for ingest to take as the body's name.
COMMITTEE_OVERRIDES = {"perth-artifactory-committee-2021-08-07.md": "Perth Artifactory Committee"}

# The kinds of question in the set, in the order tables show them.
KINDS = ("fact", "figure", "paraphrase", "decision", "attendance", "chair", "scoped", "multi-meeting", "unanswerable")

# A Settings field that turns the assistant's reading of scope (bodies, months, years) from the question on or
# off. When Settings has it, `eval` runs every question both ways in one go; otherwise only the default.
SCOPE_SWITCH = "scope_parsing"


class MultiError(Exception):
    """A dev library that cannot be built or evaluated; str() is the one-line reason."""


def default_library() -> Path:
    return platformdirs.user_cache_path("minutebook", appauthor=False) / "eval-multi-body-library"


@dataclass(frozen=True, slots=True)
class DevSource:
    """One minutes file of the dev library and the committee name to give it when its text names none."""

    path: Path
    committee: str | None = None


def dev_sources() -> list[DevSource]:
    """Every minutes file of the dev library, in a stable order: the external corpus, then the samples."""
    paths = collect_files([EXTERNAL]) + sorted(SAMPLES.glob("*.txt"))
    return [DevSource(path, COMMITTEE_OVERRIDES.get(path.name)) for path in paths]


def ingest_dev(settings: Settings, sources: Sequence[DevSource] | None = None) -> list[IngestResult]:
    """Ingest the dev files; MultiError names the first file that cannot be read (e.g. a scan without OCR)."""
    results = []
    for source in dev_sources() if sources is None else sources:
        try:
            results.append(ingest_file(source.path, settings, committee=source.committee))
        except IngestError as error:
            raise MultiError(f"{source.path.name}: {error}") from None
    return results


def build(library: Path, *, progress: bool = False) -> list[IngestResult]:
    """Make `library` hold exactly the dev meetings (others there are removed); returns what was ingested."""
    from datetime import UTC, datetime

    from index.encoder import load_encoder
    from index.errors import LibraryError
    from index.library import SourceRecord, library_exists, source_records, update_library

    settings = load_settings(library)
    results = ingest_dev(settings)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    additions = [
        (r.meeting, r.chunks, SourceRecord(r.meeting.sha256, r.size, now, r.meeting.meeting_id)) for r in results
    ]
    wanted = {result.meeting.meeting_id for result in results}
    try:
        existing = (
            {record.meeting_id for record in source_records(library).values()} if library_exists(library) else set()
        )
        update_library(
            library, additions, load_encoder(settings), settings, remove=sorted(existing - wanted), progress=progress
        )
    except LibraryError as error:
        raise MultiError(f"{library}: {error}") from None
    return results


# ---------------------------------------------------------------------------------------------------------
# Scoring by kind of question


def kind_scores(questions: Sequence[Question], run: Run) -> dict[str, dict[str, Any]]:
    """Per kind of question (and "all"): hit@1, hit@5, MRR@10 and evidence@5 over the answerable ones, and how
    many were refused. For unanswerable questions `refused` is the count of correct refusals."""
    by_id = run.by_id()
    groups: dict[str, list[Question]] = {"all": list(questions)}
    found = {question.kind or "unknown" for question in questions}
    for kind in [kind for kind in KINDS if kind in found] + sorted(found - set(KINDS)):
        groups[kind] = [question for question in questions if (question.kind or "unknown") == kind]
    table: dict[str, dict[str, Any]] = {}
    for kind, members in groups.items():
        answerable = [q for q in members if q.answerable]
        judged = [judge(q, by_id[q.id].results) for q in answerable]
        with_evidence = [j for q, j in zip(answerable, judged, strict=True) if q.evidence]
        table[kind] = {
            "questions": len(members),
            "hit@1": metrics.mean([metrics.hit_at_k(j.gains, 1) for j in judged]),
            "hit@5": metrics.mean([metrics.hit_at_k(j.gains, 5) for j in judged]),
            "mrr@10": metrics.mean([metrics.reciprocal_rank(j.gains, 10) for j in judged]),
            "evidence@5": metrics.mean([metrics.hit_at_k(j.evidence, 5) for j in with_evidence]),
            "answerable_refused": sum(1 for q in answerable if by_id[q.id].abstained),
            "unanswerable_refused": sum(1 for q in members if not q.answerable and by_id[q.id].abstained),
            "unanswerable": sum(1 for q in members if not q.answerable),
        }
    return table


def kind_table_markdown(tables: dict[str, dict[str, dict[str, Any]]]) -> str:
    """One row per (kind, system): the issue's headline figures."""
    from eval.report import fmt

    lines = [
        "| kind | system | n | hit@1 | hit@5 | MRR@10 | evidence@5 | answerable refused | unanswerable refused |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    kinds = list(next(iter(tables.values())))
    for kind in kinds:
        for system, table in tables.items():
            row = table[kind]
            answerable = row["questions"] - row["unanswerable"]
            lines.append(
                f"| {kind} | {system} | {row['questions']} | {fmt(row['hit@1'])} | {fmt(row['hit@5'])} | "
                f"{fmt(row['mrr@10'])} | {fmt(row['evidence@5'])} | {row['answerable_refused']}/{answerable} | "
                f"{row['unanswerable_refused']}/{row['unanswerable']} |"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# Running


def systems(settings: Settings) -> dict[str, Settings]:
    """The assistant configurations to compare: scope parsing on and off when Settings can switch it."""
    if SCOPE_SWITCH not in {field.name for field in dataclasses.fields(Settings)}:
        return {"default": settings}
    return {"scope-on": settings.with_(**{SCOPE_SWITCH: True}), "scope-off": settings.with_(**{SCOPE_SWITCH: False})}


def evaluate(
    library: Path, output_dir: Path, *, questions_path: Path = QUESTIONS, k: int = 10, command: str = ""
) -> dict[str, dict[str, dict[str, Any]]]:
    """Ask every question of each system, write run files, metrics.json and report.md; return the kind tables."""
    from eval.report import write_json
    from eval.run import EvalError, open_library, run_questions, write_outputs

    questions = load_questions(questions_path)
    settings = load_settings(library)
    try:
        loaded = open_library(settings)
    except EvalError as error:
        raise MultiError(str(error)) from None
    from assistant import Assistant

    runs: dict[str, Run] = {}
    for name, system_settings in systems(settings).items():
        assistant = Assistant(loaded, system_settings)
        runs[name] = run_questions(assistant, questions, k=k, mode=system_settings.mode)
    shown = str(questions_path.relative_to(REPO)) if questions_path.is_relative_to(REPO) else str(questions_path)
    tables = {name: kind_scores(questions, run) for name, run in runs.items()}
    output_dir.mkdir(parents=True, exist_ok=True)
    write_outputs(
        questions,
        runs,
        k=k,
        output=output_dir / "run.json",
        metrics_path=output_dir / "metrics.json",
        report_path=output_dir / "report.md",
        questions_file=shown,
        command=command,
        title="Multi-body dev set: fifteen bodies, seventeen meetings",
        library=str(library),
        model=settings.model_name,
        by_kind_detail=tables,
    )
    report = output_dir / "report.md"
    text = report.read_text(encoding="utf-8")
    section = "\n## Headline figures by kind of question\n\n" + kind_table_markdown(tables) + "\n"
    report.write_text(text.rstrip("\n") + "\n" + section, encoding="utf-8")
    write_json(output_dir / "by-kind.json", tables)
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.multi", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build (or refresh) the multi-body dev library")
    build_parser.add_argument("--library", type=Path, default=None, help="library directory (default: user cache)")
    eval_parser = commands.add_parser("eval", help="run the multi-body question set; builds the library if missing")
    eval_parser.add_argument("--library", type=Path, default=None, help="library directory (default: user cache)")
    eval_parser.add_argument("--output-dir", type=Path, default=RESULTS)
    eval_parser.add_argument("--questions", type=Path, default=QUESTIONS)
    eval_parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args(argv)
    library = (args.library or default_library()).expanduser().resolve()

    from rich.console import Console

    from index.library import library_exists

    console = Console(stderr=True)
    try:
        if args.command == "build" or not library_exists(library):
            results = build(library, progress=True)
            passages = sum(len(result.chunks) for result in results)
            console.print(f"{library}: {len(results)} meetings, {passages} passages")
        if args.command == "eval":
            command = "python -m eval.multi " + shlex.join(sys.argv[1:] if argv is None else argv)
            tables = evaluate(library, args.output_dir, questions_path=args.questions, k=args.k, command=command)
            print(kind_table_markdown(tables))
            console.print(f"wrote {args.output_dir}/metrics.json, report.md and the run files")
    except MultiError as error:
        console.print(f"error: {error}", markup=False, highlight=False)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
