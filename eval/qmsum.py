"""QMSum Committee as a public retrieval benchmark: topic segments play agenda items, specific queries questions.

    python -m eval.qmsum --output-dir eval/results/qmsum [--data DIR] [--k 10] [--baseline-only]

How the data becomes minutes (see the dataset's README.md):
- Each of the 36 meetings becomes a Meeting with a pseudo committee name ("QMSum <split> <n>", one per meeting)
  and a pseudo date (one week apart from 2001-01-01 in file order), so every meeting is distinct and no two
  share a date; questions name the committee in their relevant entries to be exact.
- Each topic becomes an item, numbered 1.. in the meeting's topic order and titled with the topic. Its text is
  a heading line "N. Topic", as minutes have, then its turns, one paragraph each: the words only by default, as
  in the dataset README's baseline, or "Speaker: words" with --speakers (names help: many queries name people).
  Topics may hold several turn ranges, so the meeting text lays the turns out topic by topic; a turn in two
  topics appears in both. Turns in no topic are left out, so minutebook and the baseline search the same text.
- A specific query is a question; its relevant items are the topics whose turns overlap the query's span.
  Queries whose span touches no topic are skipped (and counted).

The baselines rank whole segments with bm25s (English stopwords, Snowball stemming), over the turns alone and
with the title line. minutebook is asked through `Assistant.ask` in each mode on a library built from the same
meetings with the real model: embedding its ~4,600 passages takes minutes (about 2.5 at ~33 passages/s on
two idle cores; 15 when the machine is busy). --library keeps the built library for reruns.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from eval.questions import Question, RelevantItem
from eval.runfile import Run, RunQuestion, RunResult
from ingest.models import Item, Meeting, make_meeting_id

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "datasets" / "qmsum-committee"
SPLITS = ("train", "val", "test")
FIRST_DATE = date(2001, 1, 1)


class QMSumError(Exception):
    """The data directory is missing or malformed; str() is the one-line reason."""


@dataclass(frozen=True, slots=True)
class Topic:
    title: str
    turns: tuple[int, ...]  # transcript turn indices, in order


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    turns: frozenset[int]


@dataclass(frozen=True, slots=True)
class Transcript:
    """One QMSum meeting as the file gives it."""

    split: str
    index: int  # line number within the split file, from 0
    turns: tuple[tuple[str, str], ...]  # (speaker, words)
    topics: tuple[Topic, ...]
    queries: tuple[Query, ...]


def _turn_range(span: Sequence[Any]) -> range:
    start, end = int(span[0]), int(span[1])  # inclusive turn indices, given as strings
    return range(start, end + 1)


def parse_transcript(data: dict[str, Any], split: str, index: int) -> Transcript:
    turns = tuple((str(turn["speaker"]), str(turn["content"])) for turn in data["meeting_transcripts"])
    topics = []
    for topic in data["topic_list"]:
        covered = sorted({i for span in topic["relevant_text_span"] for i in _turn_range(span) if i < len(turns)})
        topics.append(Topic(title=" ".join(str(topic["topic"]).split()), turns=tuple(covered)))
    queries = tuple(
        Query(
            text=str(query["query"]).strip(),
            turns=frozenset(i for span in query["relevant_text_span"] for i in _turn_range(span)),
        )
        for query in data.get("specific_query_list", [])
    )
    return Transcript(split=split, index=index, turns=turns, topics=tuple(topics), queries=queries)


def load_transcripts(data_dir: Path) -> list[Transcript]:
    """Every meeting of train, val and test, in that order; QMSumError if the directory is not there."""
    if not data_dir.is_dir():
        raise QMSumError(f"{data_dir}: no QMSum data here (see eval/qmsum.py for where it comes from)")
    transcripts = []
    for split in SPLITS:
        path = data_dir / f"{split}.jsonl"
        if not path.is_file():
            raise QMSumError(f"{path}: missing")
        for index, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            try:
                transcripts.append(parse_transcript(json.loads(line), split, index))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError, IndexError) as error:
                raise QMSumError(f"{path} line {index + 1}: not a QMSum meeting ({error})") from None
    return transcripts


def _clean(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def to_meeting(transcript: Transcript, number: int, *, speakers: bool = False) -> Meeting:
    """The transcript as minutes: a one-line preamble, then one item per topic (see the module docstring)."""
    committee = f"QMSum {transcript.split} {transcript.index:02d}"
    meeting_date = FIRST_DATE + timedelta(weeks=number)
    text = f"QMSum Committee meeting: {transcript.split} {transcript.index:02d}\n\n"
    items = []
    for n, topic in enumerate(transcript.topics, start=1):
        start = len(text)
        text += f"{n}. {_clean(topic.title)}\n\n"
        for i in topic.turns:
            speaker, words = transcript.turns[i]
            text += f"{_clean(speaker)}: {_clean(words)}\n\n" if speakers else f"{_clean(words)}\n\n"
        text = text.rstrip("\n") + "\n\n"
        items.append(Item(number=str(n), title=_clean(topic.title), start=start, end=len(text) - 2))
    items.insert(0, Item(number=None, title=None, start=0, end=items[0].start - 2 if items else len(text)))
    return Meeting(
        meeting_id=make_meeting_id(committee, meeting_date),
        committee=committee,
        meeting_date=meeting_date,
        source=f"qmsum-committee/{transcript.split}.jsonl#{transcript.index + 1}",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        items=tuple(items),
    )


def to_questions(transcript: Transcript, meeting: Meeting) -> tuple[list[Question], int]:
    """The meeting's specific queries with their relevant items, and how many were skipped for having none."""
    questions = []
    skipped = 0
    for n, query in enumerate(transcript.queries, start=1):
        relevant = tuple(
            RelevantItem(meeting.meeting_date, str(t), meeting.committee)
            for t, topic in enumerate(transcript.topics, start=1)
            if query.turns & set(topic.turns)
        )
        if not relevant:
            skipped += 1
            continue
        questions.append(
            Question(
                id=f"{transcript.split}-{transcript.index:02d}-q{n:02d}",
                question=query.text,
                relevant=relevant,
                evidence=None,
                extra={"kind": "qmsum-specific"},
            )
        )
    return questions, skipped


def build(transcripts: Sequence[Transcript], *, speakers: bool = False) -> tuple[list[Meeting], list[Question], int]:
    meetings: list[Meeting] = []
    questions: list[Question] = []
    skipped = 0
    for number, transcript in enumerate(transcripts):
        meeting = to_meeting(transcript, number, speakers=speakers)
        found, missed = to_questions(transcript, meeting)
        meetings.append(meeting)
        questions.extend(found)
        skipped += missed
    return meetings, questions, skipped


def bm25_baseline(meetings: Sequence[Meeting], questions: Sequence[Question], *, titles: bool, k: int = 10) -> Run:
    """Plain BM25 over whole topic segments (no chunking, no fusion), with or without the title line."""
    import bm25s

    from index.keyword import keyword_tokens

    segments = [(meeting, item) for meeting in meetings for item in meeting.items if item.number is not None]
    texts = []
    for meeting, item in segments:
        body = meeting.item_text(item)
        texts.append(body if titles else body.split("\n\n", 1)[-1])
    model = bm25s.BM25()
    model.index(keyword_tokens(texts), show_progress=False)
    vocabulary = set(model.vocab_dict)
    answered = []
    for question in questions:
        tokens = [token for token in keyword_tokens([question.question])[0] if token in vocabulary]
        results: list[RunResult] = []
        if tokens:
            ids, scores = model.retrieve([tokens], k=min(k, len(segments)), show_progress=False)
            for rank, (row, score) in enumerate(zip(ids[0], scores[0], strict=True), start=1):
                meeting, item = segments[int(row)]
                results.append(
                    RunResult(
                        rank=rank,
                        meeting_date=meeting.meeting_date,
                        committee=meeting.committee,
                        item_number=item.number,
                        item_title=item.title,
                        text=texts[int(row)],
                        score=round(float(score), 6),
                        source=meeting.source,
                        start=item.start,
                        end=item.end,
                    )
                )
        answered.append(RunQuestion(question.id, question.question, False, tuple(results)))
    return Run(questions=tuple(answered))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.qmsum", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the qmsum-committee directory")
    parser.add_argument("--output-dir", type=Path, default=REPO / "eval" / "results" / "qmsum")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--modes", default="hybrid,dense,keyword")
    parser.add_argument("--library", type=Path, default=None, help="reuse (or keep) the library built here")
    parser.add_argument("--baseline-only", action="store_true", help="only the BM25 baselines (seconds, no model)")
    parser.add_argument("--speakers", action="store_true", help="begin each turn with its speaker's name")
    args = parser.parse_args(argv)

    from rich.console import Console

    from eval.report import rich_table
    from eval.run import parse_modes, run_modes, write_outputs

    console = Console(stderr=True)
    try:
        transcripts = load_transcripts(args.data)
    except QMSumError as error:
        console.print(f"skipped: {error}")
        return 0
    meetings, questions, skipped = build(transcripts, speakers=args.speakers)
    console.print(
        f"{len(meetings)} meetings, {sum(len(m.items) - 1 for m in meetings)} topic segments, "
        f"{len(questions)} questions ({skipped} skipped: their span touches no topic)"
    )
    runs: dict[str, Run] = {}
    with tempfile.TemporaryDirectory(prefix="minutebook-qmsum-") as scratch:
        if not args.baseline_only:
            runs.update(_minutebook_runs(meetings, questions, args, Path(scratch), parse_modes(args.modes), run_modes))
        runs["bm25"] = bm25_baseline(meetings, questions, titles=False, k=args.k)
        runs["bm25+titles"] = bm25_baseline(meetings, questions, titles=True, k=args.k)
    out = args.output_dir
    command = "python -m eval.qmsum " + shlex.join(sys.argv[1:] if argv is None else argv)
    scores = write_outputs(
        questions,
        runs,
        k=args.k,
        output=out / "run.json",
        metrics_path=out / "metrics.json",
        report_path=out / "report.md",
        questions_file=f"{args.data.name}/{{train,val,test}}.jsonl (specific queries)",
        command=command.strip(),
        title="QMSum Committee: specific queries, topic segments as items",
        max_misses=40,
        meetings=len(meetings),
        segments=sum(len(m.items) - 1 for m in meetings),
        skipped_queries=skipped,
        speakers=args.speakers,
    )
    Console().print(rich_table(scores, title=f"QMSum Committee: {len(questions)} questions, k={args.k}"))
    return 0


def _minutebook_runs(
    meetings: Sequence[Meeting],
    questions: Sequence[Question],
    args: argparse.Namespace,
    scratch: Path,
    modes: Sequence[str],
    run_modes: Any,
) -> dict[str, Run]:
    """Build (or reuse) a library of the QMSum meetings with the real model and ask it in each mode."""
    from eval.corpus import build_library
    from eval.run import open_assistant
    from index.library import library_exists
    from ingest.pipeline import chunk_for_settings
    from ingest.settings import load_settings

    settings = load_settings(args.library or scratch / "library")
    if not library_exists(settings.library):
        additions = [(m, chunk_for_settings(m, settings), len(m.text.encode())) for m in meetings]
        build_library(settings, additions, progress=True)
    runs: dict[str, Run] = run_modes(open_assistant(settings), questions, modes, k=args.k, progress=True)
    return runs


if __name__ == "__main__":
    raise SystemExit(main())
