"""The assistant with the real model on the sample library: hand-written questions, paraphrased rather than
copied from the minutes, each with the item that answers it; and off-topic questions that must be refused.

The library is built once for the module (about half a minute on two cores).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from assistant import Assistant, Turn
from assistant.schema import ANSWER_SCHEMA
from index.library import Library
from ingest.settings import MODEL_NAME, Settings
from tests.assistant_fixtures import JANUARY, SEPTEMBER, build_sample_library

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_sample_library(tmp_path_factory.mktemp("assistant-real") / "library", MODEL_NAME)


@pytest.fixture(scope="module")
def assistant(settings: Settings) -> Assistant:
    return Assistant(Library.load(settings.library, settings=settings), settings)


def top_item(answer) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    assert not answer.abstained, answer.answer_line
    chunk = answer.passages[0].chunk
    return (chunk.meeting_id, chunk.item_number)


# (question, expected top item, a phrase the answer line must quote)
ANSWERABLE = [
    # attendance, chair, apologies
    ("Which councillors were at the committee on 21 January 2025?", (JANUARY, None), "Frank Cornthwaite"),
    ("Who was in the chair in September 2024?", (SEPTEMBER, None), "Toni Fagan (chairperson)"),
    ("Who couldn't make the January 2025 meeting?", (JANUARY, "42"), "Jan Frances"),
    # decisions
    ("What did the committee conclude on the Ofsted feedback report in January?", (JANUARY, "49"), "note the report"),
    ("What was agreed about asking staff for feedback through quality circles?", (SEPTEMBER, "28"), "Quality Circles"),
    # numbers
    ("How many joint training sessions were planned for the first quarter of 2025?", (JANUARY, "48"), "20 joint"),
    ("Roughly how many unstable placements are senior managers looking at again?", (JANUARY, "49"), "20 unstable"),
    ("What fraction of missing children took up the offer of a return interview?", (JANUARY, "49"), "60%"),
    # paraphrases
    pytest.param(
        "Is money for the safeguarding partnership safe for next year?",
        (JANUARY, "48"),
        "budget",
        marks=pytest.mark.xfail(
            strict=True,
            reason="the right item, but since sentence vectors are taken in context (from the passage's forward "
            "pass) the budget sentence scores 0.532 against 0.553 for the question restated ('asked about the "
            "status of continued funding'), and another passage's sentence is quoted; on their own the budget "
            "sentence scored 0.600 against 0.390. Over the 121 dev questions in-context vectors quote the "
            "evidence more often (evidence hit@5 0.835 -> 0.853), so they stay; reported",
        ),
    ),
    ("How is the service keeping hold of newly qualified social workers?", (SEPTEMBER, "28"), "Social Care Academy"),
]


@pytest.mark.parametrize(
    ("question", "item", "quoted"), ANSWERABLE, ids=[getattr(p, "values", p)[0] for p in ANSWERABLE]
)
def test_paraphrased_questions_find_their_item(
    assistant: Assistant, question: str, item: tuple[str, str | None], quoted: str
) -> None:
    answer = assistant.ask(question)
    assert top_item(answer) == item
    assert quoted in answer.answer_line
    assert answer.answer_line.endswith(answer.passages[0].citation())


def test_a_date_filtered_question_stays_in_its_meeting(assistant: Assistant) -> None:
    answer = assistant.ask("What was said about training social workers at the September 2024 meeting?")
    assert {p.chunk.meeting_id for p in answer.passages} == {SEPTEMBER}
    assert top_item(answer) == (SEPTEMBER, "28")
    assert "Social Care Academy" in answer.answer_line


def test_a_follow_up_pair(assistant: Assistant) -> None:
    first = assistant.ask("What concerns were raised about children's teeth?")
    assert top_item(first) == (SEPTEMBER, "29")
    assert "dentist" in first.answer_line
    follow = assistant.ask("and what did they decide?", history=(Turn(first.question, first),))
    assert follow.kind == "decision" and "children's teeth" in follow.resolved_question
    assert top_item(follow) == (SEPTEMBER, "29")
    assert "Resolved" in follow.passages[0].chunk.text  # the item's resolution is what is shown
    # A new topic keeps the previous dates; if nothing there answers, every meeting is searched, and it says so.
    leavers = assistant.ask("What did the committee say about care leavers in January 2025?")
    assert top_item(leavers) == (JANUARY, "48")
    teeth = assistant.ask("what about dentistry?", history=(Turn(leavers.question, leavers),))
    assert top_item(teeth) == (SEPTEMBER, "29")
    assert teeth.scope_note == "Nothing on this in January 2025; searched every meeting."
    again = assistant.ask("Who sent apologies to the January 2025 meeting?")
    september = assistant.ask("what about in September?", history=(Turn(again.question, again),))
    assert top_item(september) == (SEPTEMBER, "22") and "Sylvia Cockroft" in september.answer_line


@pytest.mark.parametrize(
    "question",
    [
        "What is the recipe for a Victoria sponge?",
        "Who won the FA Cup final?",
        "What did the committee decide about the new swimming pool?",
        "How do I renew my parking permit?",
    ],
)
def test_off_topic_questions_are_refused(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.abstained and answer.passages == ()
    assert answer.answer_line.startswith("Not found")
    assert answer.closest  # the closest weak matches, for "probably not what you asked"


def test_a_meeting_not_in_the_library_is_refused(assistant: Assistant) -> None:
    answer = assistant.ask("Who attended the meeting on 3 March 2023?")
    assert answer.abstained
    assert answer.scope_note == (
        "This library has no meeting on 3 March 2023; it has 17 September 2024 and 21 January 2025."
    )


def test_every_mode_answers(assistant: Assistant) -> None:
    for mode in ("dense", "keyword"):
        answer = assistant.ask("How many joint training sessions were planned for early 2025?", mode=mode)
        assert top_item(answer) == (JANUARY, "48")


def test_ask_json_matches_the_documented_schema(settings: Settings, tmp_path: Path) -> None:
    from ui.cli import cli

    runner = CliRunner()
    for question in ("Who chaired the latest meeting?", "What is the recipe for a Victoria sponge?"):
        result = runner.invoke(cli, ["ask", "--library", str(settings.library), "--json", "--k", "3", question])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        jsonschema.validate(data, ANSWER_SCHEMA)
        assert data["question"] == question
    readable = runner.invoke(cli, ["ask", "--library", str(settings.library), "How many joint training sessions?"])
    assert readable.exit_code == 0
    assert readable.output.startswith("“The Safeguarding Partnerships Business Manager explained that 20 joint")
    assert "#item-48" in readable.output
    missing = runner.invoke(cli, ["ask", "--library", str(tmp_path / "none"), "anything"])
    assert missing.exit_code == 1
    assert missing.output.strip().splitlines() == [
        f"Error: there is no library at {tmp_path / 'none'}; add minutes first with `minutebook ingest FILES`"
    ]
