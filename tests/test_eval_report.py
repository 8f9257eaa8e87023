"""The report: Markdown with the table and the misses, a PNG chart, and the metrics file."""

from __future__ import annotations

import json
from pathlib import Path

from eval.report import is_miss, markdown_report
from eval.run import run_path, write_outputs
from eval.runfile import Run, RunQuestion, read_run
from tests.test_eval_score import JAN, QUESTIONS, RUN, result


def test_write_outputs_writes_runs_metrics_report_and_chart(tmp_path: Path) -> None:
    # A second "system" that finds nothing and never refuses.
    blind = Run(questions=tuple(RunQuestion(q.id, q.question, False, ()) for q in RUN.questions))
    scores = write_outputs(
        QUESTIONS,
        {"hybrid": RUN, "blind": blind},
        k=10,
        output=tmp_path / "run.json",
        metrics_path=tmp_path / "metrics.json",
        report_path=tmp_path / "report" / "report.md",
        questions_file="q.jsonl",
        command="minutebook eval q.jsonl",
        title="Test report",
        library="lib",
    )
    assert run_path(tmp_path / "run.json", "hybrid", True) == tmp_path / "run.hybrid.json"
    assert read_run(tmp_path / "run.hybrid.json") == RUN
    assert read_run(tmp_path / "run.blind.json") == blind
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["questions_file"] == "q.jsonl"
    assert metrics["library"] == "lib"
    assert metrics["k"] == 10
    assert metrics["modes"]["hybrid"]["hit@1"] == scores["hybrid"]["hit@1"] == 2 / 3
    assert metrics["modes"]["blind"]["hit@10"] == 0.0
    assert (tmp_path / "report" / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Test report\n")
    assert "Command: `minutebook eval q.jsonl`" in report
    assert "| hybrid | 0.667 | 1.000 |" in report
    assert "![metrics by mode](report.png)" in report
    # Every question is a miss for "blind" (q3 was answered by blind, refused by hybrid).
    assert "## Misses (4 questions missed by at least one mode)" in report
    assert (
        "| q3 | unanswerable | question q3 | (not in the minutes) | refused ✓ / 2024-09-17 item 30 | **answered** / – |"
        in report
    )
    assert (
        "| q4 | attendance | question q4 | 2025-01-21 preamble | rank 1, **refused** / 2025-01-21 preamble |" in report
    )


def test_single_mode_keeps_the_output_name(tmp_path: Path) -> None:
    write_outputs(QUESTIONS, {"keyword": RUN}, k=5, output=tmp_path / "mine.json")
    assert read_run(tmp_path / "mine.json") == RUN
    assert not (tmp_path / "metrics.json").exists()


def test_is_miss() -> None:
    assert is_miss({"answerable": True, "abstained": False, "first_relevant_rank": 6})
    assert not is_miss({"answerable": True, "abstained": False, "first_relevant_rank": 5})
    assert is_miss({"answerable": True, "abstained": True, "first_relevant_rank": 1})
    assert is_miss({"answerable": False, "abstained": False, "first_relevant_rank": None})
    assert not is_miss({"answerable": False, "abstained": True, "first_relevant_rank": None})


def test_report_lists_no_misses_when_there_are_none() -> None:
    perfect = Run(questions=(RunQuestion("q1", "question q1", False, (result(1, JAN, "48"),)),))
    from eval.score import score_run

    scores = {"hybrid": score_run(QUESTIONS[:1], perfect)}
    report = markdown_report(QUESTIONS[:1], {"hybrid": perfect}, scores, title="T", command="c")
    assert "## Misses (0 questions missed by at least one mode)" in report
    assert report.rstrip().endswith("None.")


def test_terminal_table_has_a_row_per_metric_and_a_column_per_mode() -> None:
    from rich.console import Console

    from eval.report import rich_table
    from eval.score import score_run

    console = Console(record=True, width=80)
    console.print(rich_table({"hybrid": score_run(QUESTIONS, RUN)}, title="t"))
    lines = console.export_text().splitlines()
    assert any(line.split() == ["│", "hit@1", "│", "0.667", "│"] for line in lines)
    assert any(line.split() == ["│", "abstention_recall", "│", "1.000", "│"] for line in lines)
