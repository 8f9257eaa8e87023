"""Concurrency: writers take turns on the library's lock (or fail in one clear line), 50 questions asked at once
from threads on one loaded library get exactly the answers they get one by one, and 10 page sessions at once
run without errors and show the same answer."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from filelock import FileLock
from streamlit.testing.v1 import AppTest

from assistant import Assistant
from eval.questions import load_questions
from index.encoder import HashingEncoder
from index.errors import LibraryError
from index.library import Library, update_library
from index.storage import LOCK, VERSIONS, writer_lock
from ingest.settings import Settings
from tests.conftest import REPO
from tests.index_helpers import FINANCE_MAY, PLANNING_APRIL, PLANNING_MARCH, addition, make_meeting
from tests.reliability.figures import record
from tests.reliability.helpers import (
    HASHING,
    JANUARY,
    SEPTEMBER,
    fingerprint,
    minutebook,
    minutebook_command,
    subprocess_env,
)

APP = REPO / "ui" / "app.py"
QUESTIONS = [q.question for q in load_questions(REPO / "eval" / "questions" / "herefordshire-cyp.jsonl")][:50]
CALLS = 50


def hashing_settings(path: Path) -> Settings:
    return Settings(library=path, model_name=HASHING, model_dim=384)


# --- writers ------------------------------------------------------------------------------------------------


def test_two_ingest_commands_at_once_both_go_in(tmp_path: Path) -> None:
    """Two `minutebook ingest` processes on one library at the same moment: one waits for the other's lock."""
    library = tmp_path / "library"
    processes = [
        subprocess.Popen(
            minutebook_command("ingest", sample, "--library", library),
            env=subprocess_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for sample in (SEPTEMBER, JANUARY)
    ]
    errors = [process.communicate(timeout=300)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], errors
    loaded = Library.load(library)
    assert sorted(Path(m.source).name for m in loaded.meetings.values()) == [SEPTEMBER.name, JANUARY.name]
    assert len(list((library / VERSIONS).iterdir())) == 2
    record("concurrency", case="two ingest commands at once", calls=2, held=2)


def test_writer_threads_take_turns_and_every_update_lands(tmp_path: Path) -> None:
    """Four threads (as four page sessions uploading at once) each add a meeting; none is lost."""
    library = tmp_path / "library"
    update_library(library, [addition(PLANNING_MARCH)], HashingEncoder(384), hashing_settings(library))
    meetings = [
        PLANNING_APRIL,
        FINANCE_MAY,
        make_meeting("Licensing Committee", "2024-06-04", [("Taxi licences", "Fares were reviewed.")]),
        make_meeting("Audit Committee", "2024-06-11", [("Internal audit", "The plan was approved.")]),
    ]
    start = threading.Barrier(len(meetings))

    def add(meeting_and_chunks):  # type: ignore[no-untyped-def]
        start.wait()
        return update_library(library, [addition(meeting_and_chunks)], HashingEncoder(384), hashing_settings(library))

    with ThreadPoolExecutor(len(meetings)) as pool:
        reports = list(pool.map(add, meetings))
    assert [report.added for report in reports] == [(m.meeting_id,) for m, _ in meetings]
    assert sorted(report.meetings for report in reports) == [2, 3, 4, 5]  # one after another, each on the last
    expected = sorted([PLANNING_MARCH[0].meeting_id] + [m.meeting_id for m, _ in meetings])
    assert sorted(Library.load(library).meetings) == expected
    assert len(list((library / VERSIONS).iterdir())) == 2
    record("concurrency", case="writer threads", calls=len(meetings), held=len(meetings))


def test_a_writer_kept_waiting_fails_in_one_line_and_changes_nothing(tmp_path: Path) -> None:
    library = tmp_path / "library"
    update_library(library, [addition(PLANNING_MARCH)], HashingEncoder(384), hashing_settings(library))
    before = fingerprint(library)
    with writer_lock(library, timeout=1):
        with pytest.raises(LibraryError) as error:
            update_library(
                library, [addition(FINANCE_MAY)], HashingEncoder(384), hashing_settings(library), lock_timeout=0.3
            )
    assert str(error.value) == (
        f"another minutebook process is updating the library {library} (waited 0.3s for {library / LOCK}); "
        "try again when it has finished"
    )
    assert fingerprint(library) == before


@pytest.mark.slow
def test_the_ingest_command_kept_waiting_by_another_writer_says_so_in_one_line(tmp_path: Path) -> None:
    """The command waits 30 s for the lock, then gives up with one line and exit code 1."""
    library = tmp_path / "library"
    assert minutebook("ingest", SEPTEMBER, "--library", library).exit_code == 0
    before = fingerprint(library)
    with FileLock(library / LOCK, timeout=1):
        done = subprocess.run(
            minutebook_command("ingest", JANUARY, "--library", library),
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert line == (
        f"Error: another minutebook process is updating the library {library} (waited 30s for {library / LOCK}); "
        "try again when it has finished"
    )
    assert fingerprint(library) == before
    record("concurrency", case="ingest kept waiting", calls=1, held=1)


# --- readers ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("concurrency") / "library"
    run = minutebook("ingest", SEPTEMBER, JANUARY, "--library", path)
    assert run.exit_code == 0, run.output
    return path


def ask_all_at_once(assistant: Assistant, questions: list[str]) -> list[str]:
    """Every question asked from its own thread, released together; the answers as JSON, in question order."""
    start = threading.Barrier(len(questions))

    def ask(question: str) -> str:
        start.wait()
        return json.dumps(assistant.ask(question).to_json(), sort_keys=True)

    with ThreadPoolExecutor(len(questions)) as pool:
        return list(pool.map(ask, questions))


def test_50_questions_at_once_get_the_answers_they_get_one_by_one(sample_library: Path) -> None:
    assert len(QUESTIONS) == CALLS
    settings = hashing_settings(sample_library)
    one_by_one = Assistant(Library.load(sample_library, settings=settings), settings)
    expected = [json.dumps(one_by_one.ask(q).to_json(), sort_keys=True) for q in QUESTIONS]
    # A fresh assistant, so the threads also race to fill its caches (sentence vectors, term sets).
    shared = Assistant(Library.load(sample_library, settings=settings), settings)
    assert ask_all_at_once(shared, QUESTIONS) == expected
    # And the same question 50 times at once.
    again = Assistant(Library.load(sample_library, settings=settings), settings)
    assert ask_all_at_once(again, [QUESTIONS[4]] * CALLS) == [expected[4]] * CALLS
    record("concurrency", case="50 asks at once (hashing encoder)", calls=2 * CALLS, held=2 * CALLS)


@pytest.mark.slow
def test_50_questions_at_once_with_the_real_model(tmp_path: Path, sample_library: Path) -> None:
    from ingest.settings import load_settings

    library = tmp_path / "library"
    shutil.copytree(sample_library, library)
    assert minutebook("index", "--library", library, env={"MINUTEBOOK_MODEL": ""}).exit_code == 0
    settings = load_settings(library)
    one_by_one = Assistant(Library.load(library, settings=settings), settings)
    expected = [json.dumps(one_by_one.ask(q).to_json(), sort_keys=True) for q in QUESTIONS]
    shared = Assistant(Library.load(library, settings=settings), settings)
    assert ask_all_at_once(shared, QUESTIONS) == expected
    record("concurrency", case="50 asks at once (real model)", calls=CALLS, held=CALLS)


# --- page sessions ------------------------------------------------------------------------------------------

SESSIONS = 10


def session_errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]


def test_10_page_sessions_open_together_keep_apart(sample_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten sessions of the page, open together and stepped in turn (AppTest cannot run in threads: it owns
    Streamlit's one runtime), share the loaded library and each keeps its own conversation."""
    monkeypatch.setenv("MINUTEBOOK_LIBRARY", str(sample_library))
    questions = [QUESTIONS[i * 5] for i in range(SESSIONS)]
    sessions = [AppTest.from_file(str(APP), default_timeout=120) for _ in range(SESSIONS)]
    for at in sessions:
        at.run()
    for at, question in zip(sessions, questions, strict=True):
        at.chat_input(key="question").set_value(question).run()
    for at in sessions:
        at.button(key="open-t0-1").click().run()
    for at in sessions:
        at.button(key="back").click().run()
    errors = [error for at in sessions for error in session_errors(at)]
    assert errors == []
    assert [[turn.question for turn in at.session_state["turns"]] for at in sessions] == [[q] for q in questions]
    # Each session's answer is the one a lone session gets.
    alone = AppTest.from_file(str(APP), default_timeout=120)
    alone.run()
    for at, question in zip(sessions, questions, strict=True):
        alone.session_state["turns"] = []
        alone.chat_input(key="question").set_value(question).run()
        assert at.session_state["turns"][0].answer.to_json() == alone.session_state["turns"][0].answer.to_json()
    record("concurrency", case="10 page sessions open at once (AppTest)", calls=SESSIONS, held=SESSIONS)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install -y chromium)")
def test_10_browser_sessions_ask_at_once(sample_library: Path, tmp_path: Path) -> None:
    """The real server: ten Chromium sessions send their questions together; Streamlit answers each in its own
    thread from the one cached library, and each session shows the answer a lone `ask` gives."""
    import socket
    import urllib.request

    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM_ARGS
    from ui.components.render import card_header

    settings = hashing_settings(sample_library)
    assistant = Assistant(Library.load(sample_library, settings=settings), settings)
    questions = [QUESTIONS[i * 5] for i in range(SESSIONS)]
    expected = [card_header(assistant.ask(q).passages[0].chunk) if assistant.ask(q).passages else "" for q in questions]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        minutebook_command("ui", "--port", str(port), "--library", sample_library),
        # Other work on this checkout must not make Streamlit reload the page's modules mid-test.
        env=subprocess_env({"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.3)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            pages = [browser.new_context().new_page() for _ in range(SESSIONS)]
            boxes = []
            for page in pages:
                page.goto(url)
                box = page.get_by_placeholder("Ask about the minutes", exact=False)
                box.wait_for(timeout=90_000)
                boxes.append(box)
            for box, question in zip(boxes, questions, strict=True):
                box.fill(question)
            for box in boxes:  # sent together: the server has ten scripts running at once
                box.press("Enter")
            shown = []
            for number, page in enumerate(pages):
                try:
                    page.locator(".answer-line, .not-found").last.wait_for(timeout=120_000)
                except Exception as error:
                    page.screenshot(path=str(tmp_path / f"session-{number}.png"))
                    shown_text = page.inner_text("body")[:800]
                    raise AssertionError(f"session {number} showed no answer: {shown_text}") from error
                headers = page.locator("h5").all_inner_texts()
                shown.append(headers[0] if headers else "")
                assert page.locator("[data-testid='stException']").count() == 0
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    assert shown == expected
    record("concurrency", case="10 browser sessions at once (real server)", calls=SESSIONS, held=SESSIONS)
