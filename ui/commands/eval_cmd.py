"""`minutebook eval`: score retrieval on a question set and write the run, the metrics and a report."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from ui.commands.common import library_option, settings_for


@click.command("eval")
@click.argument("questions", type=click.Path(dir_okay=False, path_type=Path))
@library_option
@click.option("--k", "k", type=click.IntRange(min=1), default=10, show_default=True, help="Results kept per question.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "keyword"]),
    default=None,
    help="Retrieval mode (default: the settings' mode, hybrid).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Run file to write (with --compare, one per mode: RUN.<mode>.json).",
)
@click.option("--metrics", "metrics_path", type=click.Path(dir_okay=False, path_type=Path), help="Metrics JSON.")
@click.option("--compare", default=None, help="Modes to run side by side, e.g. hybrid,dense,keyword.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Markdown report with the table and misses; its bar chart is written beside it as a PNG.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON instead of a table.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
def eval_cmd(
    questions: Path,
    library: str | None,
    k: int,
    mode: str | None,
    output: Path,
    metrics_path: Path | None,
    compare: str | None,
    report_path: Path | None,
    as_json: bool,
    progress: bool,
) -> None:
    """Ask every question in QUESTIONS.jsonl and score where the right agenda items come.

    Metrics: item hit@1/3/5/10, MRR@10, nDCG@10, recall, evidence hit, and refusal precision/recall on the
    questions the minutes do not answer. The file formats are described in FORMATS.md.
    """
    from eval.questions import QuestionFileError, load_questions
    from eval.report import rich_table
    from eval.run import EvalError, evaluate, open_assistant, parse_modes

    settings = settings_for(library)
    try:
        question_set = load_questions(questions)
        modes = parse_modes(compare) if compare else (mode or settings.mode,)
        if compare and mode:
            raise EvalError("give either --mode or --compare, not both")
        assistant = open_assistant(settings)
        command = "minutebook " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "minutebook eval"
        scores = evaluate(
            assistant,
            question_set,
            modes,
            k=k,
            output=output,
            metrics_path=metrics_path,
            report_path=report_path,
            questions_file=str(questions),
            command=command,
            progress=progress,
            library=str(settings.library),
            model=settings.model_name,
        )
    except (QuestionFileError, EvalError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"{error.filename or output}: cannot write ({error.strerror})") from None
    if as_json:
        click.echo(json.dumps({mode: _headline(values) for mode, values in scores.items()}, indent=1))
        return
    from rich.console import Console

    Console().print(rich_table(scores, title=f"{questions.name}: {len(question_set)} questions, k={k}"))


def _headline(values: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in values.items() if name != "per_question"}


COMMANDS = (eval_cmd,)
