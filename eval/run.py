"""Run a question set through the assistant's public call and record what it returned, per retrieval mode.

Each question is asked on its own (no history, no filters) with `Assistant.ask(question, k=k, mode=mode)`.
The run keeps the assistant's ranked passages, up to k. When the assistant abstains it usually returns no
passages but lists its closest weak matches; those go into `results` instead, so ranking metrics still see what
the system would have offered, and the refusal itself is recorded in `abstained` and scored separately.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from eval.questions import Question
from eval.runfile import Run, RunQuestion, RunResult
from ingest.settings import Settings

if TYPE_CHECKING:
    from index.library import Library

MODES = ("hybrid", "dense", "keyword")


class EvalError(Exception):
    """A run that cannot start (no library, a bad mode); str() is the one-line reason."""


class Asks(Protocol):
    """The one call eval uses: the assistant's public `ask`."""

    def ask(
        self,
        question: str,
        history: Sequence[Any] = (),
        filters: Any = None,
        k: int = 5,
        mode: str | None = None,
    ) -> Any: ...


def parse_modes(text: str) -> tuple[str, ...]:
    """ "hybrid,dense" -> ("hybrid", "dense"); raises EvalError naming an unknown mode."""
    modes = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown or not modes:
        raise EvalError(f"unknown mode {unknown[0] if unknown else text!r}; choose from {', '.join(MODES)}")
    return modes


def results_of(answer: Any, k: int) -> tuple[RunResult, ...]:
    """The answer's ranked passages (or, when it abstained with none, its closest matches) as run results."""
    passages = tuple(answer.passages)
    if not passages and answer.abstained:
        passages = tuple(answer.closest)
    results = []
    for rank, passage in enumerate(passages[:k], start=1):
        chunk = passage.chunk
        results.append(
            RunResult(
                rank=rank,
                meeting_date=chunk.meeting_date,
                committee=chunk.committee,
                item_number=chunk.item_number,
                item_title=chunk.item_title,
                text=chunk.text,
                score=round(float(passage.score), 6),
                source=chunk.source,
                start=chunk.start,
                end=chunk.end,
            )
        )
    return tuple(results)


def run_questions(
    assistant: Asks,
    questions: Sequence[Question],
    *,
    k: int = 10,
    mode: str = "hybrid",
    on_question: Callable[[], None] | None = None,
) -> Run:
    """Ask every question in `mode`, keeping at most k results each."""
    if mode not in MODES:
        raise EvalError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if k < 1:
        raise EvalError("k must be at least 1")
    asked = []
    for question in questions:
        answer = assistant.ask(question.question, k=k, mode=mode)
        asked.append(
            RunQuestion(
                id=question.id,
                question=question.question,
                abstained=bool(answer.abstained),
                results=results_of(answer, k),
            )
        )
        if on_question is not None:
            on_question()
    return Run(questions=tuple(asked))


def run_modes(
    assistant: Asks,
    questions: Sequence[Question],
    modes: Sequence[str],
    *,
    k: int = 10,
    progress: bool = False,
) -> dict[str, Run]:
    """One run per mode, over the same questions and library."""
    from tqdm import tqdm

    runs: dict[str, Run] = {}
    with tqdm(total=len(questions) * len(modes), disable=not progress, unit="q", desc="eval") as bar:
        for mode in modes:
            bar.set_postfix_str(mode)
            runs[mode] = run_questions(assistant, questions, k=k, mode=mode, on_question=lambda: bar.update(1))
    return runs


def open_library(settings: Settings) -> Library:
    """The library at `settings.library` with the encoder the settings name; EvalError if it is missing."""
    from index.encoder import load_encoder
    from index.errors import LibraryError
    from index.library import Library, library_exists

    if not library_exists(settings.library):
        raise EvalError(f"{settings.library}: no library here; build one with `minutebook ingest PATH...` first")
    try:
        return Library.load(settings.library, load_encoder(settings), settings=settings)
    except LibraryError as error:
        raise EvalError(str(error)) from None


def open_assistant(settings: Settings) -> Asks:
    """The real assistant over the library the settings name."""
    from assistant import Assistant

    return Assistant(open_library(settings), settings)  # type: ignore[no-any-return]


def run_path(output: Path, mode: str, several: bool) -> Path:
    """Where a mode's run file goes: `output` itself, or `<stem>.<mode><suffix>` beside it when comparing."""
    return output.with_name(f"{output.stem}.{mode}{output.suffix or '.json'}") if several else output


def evaluate(
    assistant: Asks,
    questions: Sequence[Question],
    modes: Sequence[str],
    *,
    k: int,
    output: Path,
    metrics_path: Path | None = None,
    report_path: Path | None = None,
    questions_file: str = "",
    command: str = "",
    title: str = "minutebook retrieval eval",
    progress: bool = False,
    **extra: Any,
) -> dict[str, dict[str, Any]]:
    """Run every mode, write the run files (and metrics, report and chart if asked), return scores by mode."""
    runs = run_modes(assistant, questions, modes, k=k, progress=progress)
    return write_outputs(
        questions,
        runs,
        k=k,
        output=output,
        metrics_path=metrics_path,
        report_path=report_path,
        questions_file=questions_file,
        command=command,
        title=title,
        **extra,
    )


def write_outputs(
    questions: Sequence[Question],
    runs: dict[str, Run],
    *,
    k: int,
    output: Path,
    metrics_path: Path | None = None,
    report_path: Path | None = None,
    questions_file: str = "",
    command: str = "",
    title: str = "minutebook retrieval eval",
    max_misses: int | None = None,
    **extra: Any,
) -> dict[str, dict[str, Any]]:
    """Score runs (by system name) and write their run files, and the metrics, report and chart if asked."""
    from eval.report import bar_chart, markdown_report, metrics_document, write_json
    from eval.runfile import write_run
    from eval.score import score_run

    scores = {name: score_run(questions, run) for name, run in runs.items()}
    for name, run in runs.items():
        write_run(run_path(output, name, len(runs) > 1), run)
    if metrics_path is not None:
        document = metrics_document(scores, questions_file=questions_file, k=k, command=command, **extra)
        write_json(metrics_path, document)
    if report_path is not None:
        chart = report_path.with_suffix(".png")
        bar_chart(scores, chart, title=title)
        text = markdown_report(
            questions, runs, scores, title=title, command=command, chart=chart.name, max_misses=max_misses
        )
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(text, encoding="utf-8")
    return scores
