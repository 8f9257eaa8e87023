"""Running questions through the real assistant: a hashing-encoder library (fast) and the real model (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from eval.corpus import ingest_files
from eval.questions import load_questions
from eval.run import EvalError, open_assistant, run_questions
from eval.score import score_run
from ingest.settings import load_settings
from tests.conftest import REPO, SAMPLES

QUESTIONS = REPO / "eval" / "questions" / "herefordshire-cyp.jsonl"


@pytest.fixture(scope="module")
def hashing_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    settings = load_settings(tmp_path_factory.mktemp("lib") / "library").with_(model_name="hashing-384")
    ingest_files(settings, sorted(SAMPLES.glob("*.txt")))
    return settings


def test_runs_record_the_assistants_ranked_items(hashing_settings) -> None:  # type: ignore[no-untyped-def]
    assistant = open_assistant(hashing_settings)
    questions = load_questions(QUESTIONS)
    library = assistant.library  # type: ignore[attr-defined]
    meetings = {(m.meeting_date, m.source): m for m in library.meetings.values()}
    for mode in ("hybrid", "dense", "keyword"):
        run = run_questions(assistant, questions, k=3, mode=mode)
        assert [q.id for q in run.questions] == [q.id for q in questions]
        for answered in run.questions:
            assert len(answered.results) <= 3
            assert [r.rank for r in answered.results] == list(range(1, len(answered.results) + 1))
            for result in answered.results:
                meeting = meetings[(result.meeting_date, result.source)]
                assert meeting.text[result.start : result.end] == result.text
                assert result.committee == meeting.committee
                assert meeting.item(result.item_number) is not None
            # Each answer ranks distinct items, as the assistant promises.
            keys = [(r.meeting_date, r.item_number) for r in answered.results]
            assert len(keys) == len(set(keys))
        scores = score_run(questions, run)
        assert scores["questions"] == len(questions)
        # Even bag-of-words hashing finds most gold items in the top 3: the run really reflects retrieval.
        assert scores["hit@3"] > 0.5, mode


def test_abstained_answers_keep_their_closest_matches(hashing_settings) -> None:  # type: ignore[no-untyped-def]
    assistant = open_assistant(hashing_settings)
    question = load_questions(QUESTIONS)[0].__class__(
        id="x", question="What was decided about the Hereford bypass and road gritting?", relevant=(), evidence=None
    )
    answer = assistant.ask(question.question, k=5)
    assert answer.abstained and not answer.passages and answer.closest
    run = run_questions(assistant, [question], k=5)
    assert run.questions[0].abstained
    assert [(r.meeting_date, r.item_number, r.score) for r in run.questions[0].results] == [
        (p.chunk.meeting_date, p.chunk.item_number, round(p.score, 6)) for p in answer.closest
    ]


def test_bad_mode_and_k(hashing_settings) -> None:  # type: ignore[no-untyped-def]
    assistant = open_assistant(hashing_settings)
    questions = load_questions(QUESTIONS)[:1]
    with pytest.raises(EvalError, match="unknown mode 'sparse'"):
        run_questions(assistant, questions, mode="sparse")
    with pytest.raises(EvalError, match="k must be at least 1"):
        run_questions(assistant, questions, k=0)


@pytest.mark.slow
def test_cli_compare_on_the_sample_library_with_the_real_model(tmp_path: Path) -> None:
    from ui.cli import cli

    library = tmp_path / "library"
    ingest_files(load_settings(library), sorted(SAMPLES.glob("*.txt")))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "eval",
            str(QUESTIONS),
            "--library",
            str(library),
            "--compare",
            "hybrid,keyword",
            "--output",
            str(out / "run.json"),
            "--metrics",
            str(out / "metrics.json"),
            "--report",
            str(out / "report.md"),
            "--no-progress",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert list(printed) == ["hybrid", "keyword"]
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["modes"]["hybrid"]["hit@5"] == printed["hybrid"]["hit@5"]
    assert metrics["modes"]["hybrid"]["questions"] == len(load_questions(QUESTIONS))
    assert (out / "run.hybrid.json").is_file() and (out / "run.keyword.json").is_file()
    assert (out / "report.png").is_file()
    assert "## Misses" in (out / "report.md").read_text(encoding="utf-8")
