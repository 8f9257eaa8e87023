"""FORMATS.md's examples are read by the code that reads the real files, so the document cannot drift from it."""

from __future__ import annotations

import json
import re

from eval.questions import parse_question
from eval.runfile import RunQuestion
from index.vectors import APPROXIMATE_FROM
from tests.conftest import REPO

FORMATS = (REPO / "FORMATS.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = FORMATS.index(f"\n## {title}\n")
    end = FORMATS.find("\n## ", start + 1)
    return FORMATS[start : end if end != -1 else None]


def json_examples(text: str) -> list[object]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.DOTALL)]


def test_the_eval_examples_are_a_valid_question_and_run() -> None:
    question_example, run_example = json_examples(section("Eval: question file, run file, metrics file"))
    question = parse_question(question_example)
    assert (question.id, [entry.to_json() for entry in question.relevant]) == (
        "q1",
        [{"meeting_date": "2025-01-21", "item": "48"}],
    )
    assert isinstance(run_example, dict)
    [asked] = [RunQuestion.from_json(entry) for entry in run_example["questions"]]
    assert asked.to_json() == run_example["questions"][0]  # every field documented, none left out


def test_the_results_readme_links_to_the_eval_formats() -> None:
    readme = (REPO / "eval" / "results" / "README.md").read_text(encoding="utf-8")
    assert "FORMATS.md#eval-question-file-run-file-metrics-file" in readme
    assert "**Question file**" not in readme  # one description, in FORMATS.md


def test_the_ivf_threshold_is_the_one_the_index_uses() -> None:
    library = section("Library: a directory")
    assert f"From {APPROXIMATE_FROM:,} passages on" in library
    assert "memory-mapped" in library
