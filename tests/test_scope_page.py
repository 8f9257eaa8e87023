"""The page shows the scope a question named and clears it with one click (AppTest, hashing encoder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import DATA
from tests.page_helpers import APP, SAMPLE_FILES, build_library, html_text
from ui.components.chat import WIDEN_LABEL

NEWBIGGIN = "Newbiggin Parish Council"
QUESTION = "What did Newbiggin decide about the bonfire?"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("library")
    build_library(path, [*SAMPLE_FILES, DATA / "external" / "newbiggin-parish-council-monthly-2019-09-03.docx"])
    return path


def scope_notes(at: AppTest, message: int) -> list[str]:
    return [
        html_text(m.value) for m in at.chat_message[message].markdown if m.value.startswith('<div class="scope-note')
    ]


def test_the_scope_is_shown_and_one_click_asks_again_without_it(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINUTEBOOK_LIBRARY", str(library))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.chat_input(key="question").set_value(QUESTION).run()
    assert not at.exception, at.exception

    [first] = at.session_state["turns"]
    assert first.answer.filters.committees == (NEWBIGGIN,)
    assert scope_notes(at, 1)[0].startswith(f"Searched {NEWBIGGIN}, as the question asks. · ")  # then the time
    [widen] = [button for button in at.button if button.key == "widen-t0"]
    assert widen.label == WIDEN_LABEL

    widen.click().run()
    assert not at.exception, at.exception
    turns = at.session_state["turns"]
    assert [turn.question for turn in turns] == [QUESTION, QUESTION]
    again = turns[1].answer
    assert again.scope is None and again.filters.empty
    assert scope_notes(at, 3)[0].startswith("Searched all meetings, without the scope the question named.")
    assert not [button for button in at.button if button.key == "widen-t1"]  # nothing left to clear
