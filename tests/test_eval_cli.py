"""`minutebook eval` on the command line: errors are one clear line; (slow) a real run on the sample library."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ui.cli import cli


def test_bad_question_file_is_one_line(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "q1", "question": "x", "relevant": []}\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["eval", str(questions), "--library", str(tmp_path / "lib"), "--output", str(tmp_path / "run.json")]
    )
    assert result.exit_code == 1
    assert result.output == f"Error: {questions} line 1: missing field 'evidence'\n"


def test_missing_library_is_one_line(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "q1", "question": "x", "relevant": [], "evidence": null}\n', encoding="utf-8")
    library = tmp_path / "lib"
    result = CliRunner().invoke(
        cli, ["eval", str(questions), "--library", str(library), "--output", str(tmp_path / "run.json")]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {library}: no library here")
    assert result.output.count("\n") == 1


def test_unknown_compare_mode(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "q1", "question": "x", "relevant": [], "evidence": null}\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["eval", str(questions), "--library", str(tmp_path), "--output", "r.json", "--compare", "hybrid,sparse"],
    )
    assert result.exit_code == 1
    assert result.output == "Error: unknown mode 'sparse'; choose from hybrid, dense, keyword\n"
