"""eval.multi without the model: the dev library's file list, one-line refusals, and scores by kind worked on paper."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eval.multi import DevSource, MultiError, dev_sources, ingest_dev, kind_scores, kind_table_markdown
from eval.questions import Question, RelevantItem
from eval.runfile import Run, RunQuestion, RunResult
from ingest.settings import load_settings

DAY = date(2025, 1, 1)


def result(rank: int, item: str, committee: str, text: str = "minutes text") -> RunResult:
    return RunResult(rank, DAY, committee, item, None, text, 1.0 / rank, "x.txt", 0, len(text))


def test_dev_sources_are_the_external_corpus_and_the_samples() -> None:
    sources = dev_sources()
    names = [source.path.name for source in sources]
    assert len(names) == 17 and len(set(names)) == 17
    assert names[-2:] == ["herefordshire-cyp-scrutiny-2024-09-17.txt", "herefordshire-cyp-scrutiny-2025-01-21.txt"]
    assert {source.path.name: source.committee for source in sources if source.committee} == {
        "perth-artifactory-committee-2021-08-07.md": "Perth Artifactory Committee"
    }
    assert not [name for name in names if name.endswith(".md") and "SOURCES" in name]


def test_an_unreadable_dev_file_is_one_line_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "broken-minutes.pdf"
    bad.write_bytes(b"not a pdf at all")
    with pytest.raises(MultiError) as caught:
        ingest_dev(load_settings(tmp_path / "library"), [DevSource(bad)])
    assert str(caught.value).startswith("broken-minutes.pdf: ") and "\n" not in str(caught.value)


def test_kind_scores_worked_by_hand() -> None:
    questions = [
        Question("q1", "?", (RelevantItem(DAY, "1", "A"),), "blue cat", {"kind": "fact"}),
        Question("q2", "?", (RelevantItem(DAY, "3", "A"),), "red dog", {"kind": "fact"}),
        Question("q3", "?", (), None, {"kind": "unanswerable"}),
    ]
    run = Run(
        questions=(
            # Gold at rank 2, with the evidence: hit@1 0, hit@5 1, RR 1/2, evidence@5 1.
            RunQuestion("q1", "?", False, (result(1, "2", "A"), result(2, "1", "A", "the Blue  cat sat"))),
            # Item 3 of another committee is not gold; gold at rank 2 without the evidence, and refused.
            RunQuestion("q2", "?", True, (result(1, "3", "B", "red dog"), result(2, "3", "A"))),
            RunQuestion("q3", "?", True, ()),
        )
    )
    table = kind_scores(questions, run)
    assert list(table) == ["all", "fact", "unanswerable"]
    assert table["fact"] == {
        "questions": 2,
        "hit@1": 0.0,
        "hit@5": 1.0,
        "mrr@10": 0.5,
        "evidence@5": 0.5,
        "answerable_refused": 1,
        "unanswerable_refused": 0,
        "unanswerable": 0,
    }
    assert table["all"] == {**table["fact"], "questions": 3, "unanswerable_refused": 1, "unanswerable": 1}
    assert table["unanswerable"]["hit@1"] is None and table["unanswerable"]["unanswerable_refused"] == 1
    markdown = kind_table_markdown({"default": table})
    assert "| fact | default | 2 | 0.000 | 1.000 | 0.500 | 0.500 | 1/2 | 0/0 |" in markdown
    assert "| unanswerable | default | 1 | – | – | – | – | 0/0 | 1/1 |" in markdown
