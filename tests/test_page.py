"""The Streamlit page, driven with AppTest on a library built in tmp_path: each flow a user goes through."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import docx
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from index.library import Library
from ingest.settings import MODEL_NAME
from tests.page_helpers import APP, SAMPLE_FILES, SCRIPT_MINUTES, build_library, html_text, marked
from ui.components.chat import CLOSEST_LABEL

CYP = "Children and Young People Scrutiny Committee"
ITEM_48_TITLE = "HEREFORDSHIRE SAFEGUARDING CHILDREN PARTNERSHIP - YEARLY REVIEW OF EFFECTIVENESS REPORT 2023-24"
ITEM_48 = f"{CYP} · 21 Jan 2025 · Item 48: {ITEM_48_TITLE}"
CARE_LEAVERS_JANUARY = "What did the committee say about care leavers in January 2025?"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two sample meetings plus a parish meeting whose minutes hold <script> and <b> tags."""
    path = tmp_path_factory.mktemp("library")
    build_library(path, [*SAMPLE_FILES, SCRIPT_MINUTES])
    return path


def open_page(library: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("MINUTEBOOK_LIBRARY", str(library))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def page(library: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(library, monkeypatch)


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, at.exception
    return at


def fragments(at: AppTest, css_class: str) -> list[str]:
    """The page's HTML fragments of one kind (answer-line, passage, not-found, ...)."""
    return [m.value for m in at.markdown if m.value.startswith(f'<div class="{css_class}')]


def card_headers(at: AppTest) -> list[str]:
    return [html_text(m.value) for m in at.markdown if m.value.startswith("<h5>")]


def test_ask_shows_the_answer_line_then_cited_passages_with_the_answer_marked(page: AppTest) -> None:
    ask(page, CARE_LEAVERS_JANUARY)

    [line] = fragments(page, "answer-line")
    assert "care leavers" in html_text(line)
    assert html_text(line).endswith(f"— {CYP}, 21 January 2025, item 48: {ITEM_48_TITLE}")
    headers = card_headers(page)
    assert headers[0] == ITEM_48
    assert len(headers) == 5  # the default number of results
    assert all(" · 21 Jan 2025 · " in header for header in headers)  # the question names January 2025
    top = fragments(page, "passage")[0]
    [answer] = [turn.answer for turn in page.session_state["turns"]]
    chunk = answer.passages[0].chunk
    assert html_text(top).replace("\n", "") == chunk.text.replace("\n", "")
    marks = marked(top)
    assert marks and all(mark in chunk.text for mark in marks)
    assert any("care leavers" in mark for mark in marks)
    assert [b.label for b in page.button if b.key == "open-t0-1"] == ["Open the whole item"]


def test_follow_up_uses_the_conversation(page: AppTest) -> None:
    ask(page, CARE_LEAVERS_JANUARY)
    ask(page, "what about in September?")

    turns = page.session_state["turns"]
    assert [turn.question for turn in turns] == [CARE_LEAVERS_JANUARY, "what about in September?"]
    follow_up = turns[1].answer
    assert "care leavers" in follow_up.resolved_question  # the topic came from the first question
    assert (follow_up.filters.date_from, follow_up.filters.date_to) == (date(2024, 9, 1), date(2024, 9, 30))
    headers = card_headers(page)
    assert headers[0] == ITEM_48  # the first answer is still on the page
    second = headers[len(turns[0].answer.passages) :]
    assert second and all(" · 17 Sep 2024 · " in header for header in second)
    notes = [html_text(m.value) for m in page.chat_message[3].markdown if m.value.startswith('<div class="scope-note')]
    assert notes and "Read as: What did the committee say about care leavers" in notes[0]


def test_committee_filter_limits_the_answer(page: AppTest) -> None:
    page.multiselect(key="filter_committees").set_value(["Evilton Parish Council"]).run()
    ask(page, "What was decided?")

    headers = card_headers(page)
    assert headers and all(header.startswith("Evilton Parish Council · 4 Mar 2025 · ") for header in headers)
    assert page.session_state["turns"][0].answer.filters.committees == ("Evilton Parish Council",)


def test_date_filter_limits_the_answer(page: AppTest) -> None:
    page.date_input[0].set_value((date(2024, 9, 17), date(2024, 12, 31))).run()
    page.slider(key="filter_k").set_value(3).run()
    ask(page, "What was said about care leavers?")

    headers = card_headers(page)
    assert len(headers) == 3
    assert all(header.startswith(f"{CYP} · 17 Sep 2024 · ") for header in headers)


def test_not_found_says_so_and_collapses_the_closest_matches(page: AppTest) -> None:
    ask(page, "What is the best recipe for banana bread?")

    [message] = fragments(page, "not-found")
    assert html_text(message).startswith("Not found")
    assert not fragments(page, "answer-line")
    [expander] = [e for e in page.expander if e.label == CLOSEST_LABEL]
    assert not expander.proto.expanded
    inside = [m.value for m in expander.markdown if m.value.startswith("<h5>")]
    assert inside and len(inside) == len(card_headers(page))  # every card is a closest match, none is an answer


def test_add_to_briefing_reorder_note_remove(page: AppTest) -> None:
    ask(page, CARE_LEAVERS_JANUARY)
    passages = page.session_state["turns"][0].answer.passages
    page.button(key="brief-t0-1").click().run()
    page.button(key="brief-t0-2").click().run()

    entries = page.session_state["briefing"]
    assert [e.chunk_id for e in entries] == [passages[0].chunk.chunk_id, passages[1].chunk.chunk_id]
    assert entries[0].citation == passages[0].citation()
    assert page.button(key="brief-t0-1").disabled and page.button(key="brief-t0-1").label == "In the briefing"
    briefing_headers = [html_text(m.value) for m in page.tabs[1].markdown if m.value.startswith("<h5>")]
    assert briefing_headers == [f"1. {passages[0].citation()}", f"2. {passages[1].citation()}"]

    second = passages[1].chunk.chunk_id
    page.button(key=f"up-{second}").click().run()
    assert [e.chunk_id for e in page.session_state["briefing"]] == [second, passages[0].chunk.chunk_id]
    page.text_area(key=f"note-{second}").input("Raise at the March briefing").run()
    assert page.session_state["briefing"][0].note == "Raise at the March briefing"
    page.button(key=f"remove-{second}").click().run()
    assert [e.chunk_id for e in page.session_state["briefing"]] == [passages[0].chunk.chunk_id]


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What the page's download buttons would send, by file name."""
    sent: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        if filename and isinstance(path_or_data, bytes):
            sent[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return sent


def test_export_markdown_and_word_carry_each_citation(page: AppTest, downloads: dict[str, bytes]) -> None:
    ask(page, CARE_LEAVERS_JANUARY)
    passage = page.session_state["turns"][0].answer.passages[0]
    page.button(key="brief-t0-1").click().run()
    page.text_area(key=f"note-{passage.chunk.chunk_id}").input("Care leavers gap").run()

    assert {b.label for b in page.get("download_button")} == {"Export as Markdown", "Export as Word"}
    markdown = downloads["briefing.md"].decode("utf-8")
    assert f"## 1. {passage.citation()}" in markdown
    assert "> - 11. The committee raised concerns about care leavers under the age of 25" in markdown
    assert "**Note:** Care leavers gap" in markdown
    document = docx.Document(io.BytesIO(downloads["briefing.docx"]))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert f"1. {passage.citation()}" in texts
    assert "Note: Care leavers gap" in texts
    assert any(text.startswith("- 11. The committee raised concerns about care leavers") for text in texts)


def test_minutes_markup_is_shown_as_text(page: AppTest) -> None:
    ask(page, "What did the clerk report about the contact form on the website?")

    headers = card_headers(page)
    assert headers[0] == "Evilton Parish Council · 4 Mar 2025 · Item 2: WEBSITE SECURITY"
    passage = fragments(page, "passage")[0]
    assert "&lt;script&gt;window.__pwned = 1; alert(&quot;pwned&quot;)&lt;/script&gt;" in passage
    assert "&lt;b&gt;bold&lt;/b&gt;" in passage
    assert "&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;" in passage
    for fragment in [m.value for m in page.markdown]:
        assert "<script" not in fragment and "<b>" not in fragment and "<img" not in fragment
    # The meeting view shows the whole item the same way.
    page.button(key="open-t0-1").click().run()
    assert page.query_params["meeting"] == "evilton-parish-council-2025-03-04"
    body = [m.value for m in page.markdown if "item-text" in m.value]
    assert any("&lt;script&gt;" in value for value in body)
    assert all("<script" not in value and "<b>" not in value for value in body)


def test_open_the_whole_item_marks_the_passage_and_back_keeps_the_conversation(page: AppTest, library: Path) -> None:
    ask(page, CARE_LEAVERS_JANUARY)
    chunk = page.session_state["turns"][0].answer.passages[0].chunk
    page.button(key="open-t0-1").click().run()

    assert page.query_params == {"meeting": chunk.meeting_id, "item": "48", "chunk": chunk.chunk_id}
    meeting = Library.load(library).meetings[chunk.meeting_id]
    assert html_text(page.markdown[0].value) == CYP  # the meeting view replaced the tabs
    items = [m.value for m in page.markdown if m.value.startswith('<div class="item-text')]
    assert len(items) == len(meeting.items)
    [selected] = [value for value in items if "selected" in value.split(">", 1)[0]]
    assert marked(selected) == [chunk.text]
    assert 'id="cited-passage"' in selected

    page.button(key="back").click().run()
    assert page.query_params == {}
    assert [turn.question for turn in page.session_state["turns"]] == [CARE_LEAVERS_JANUARY]
    assert card_headers(page)[0] == ITEM_48


def test_meeting_link_opens_the_meeting_view(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINUTEBOOK_LIBRARY", str(library))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["meeting"] = "children-and-young-people-scrutiny-committee-2024-09-17"
    at.run()
    assert not at.exception
    meeting = Library.load(library).meetings["children-and-young-people-scrutiny-committee-2024-09-17"]
    assert html_text(at.markdown[0].value) == CYP
    assert "17 September 2024" in html_text(at.markdown[1].value)
    headings = [html_text(m.value) for m in at.markdown if m.value.startswith("<h4")]
    assert headings == [
        f"Item {item.number}: {item.title}" if item.number else "Preamble (attendance)" for item in meeting.items
    ]


def test_sidebar_lists_meetings_by_committee_with_counts(page: AppTest, library: Path) -> None:
    loaded = Library.load(library)
    expanders = {e.label for e in page.sidebar.expander}
    assert expanders == {f"{CYP} (2)", "Evilton Parish Council (1)"}
    labels = {b.label for b in page.sidebar.button}
    for meeting in loaded.meetings.values():
        items = sum(1 for item in meeting.items if item.number is not None)
        passages = sum(1 for chunk in loaded.chunks if chunk.meeting_id == meeting.meeting_id)
        day = f"{meeting.meeting_date.day} {meeting.meeting_date:%b %Y}"
        assert f"{day} · {items} items · {passages} passages" in labels
    assert f"3 meetings · 2 committees · {len(loaded.chunks)} passages" in [c.value for c in page.sidebar.caption]


def test_empty_library_says_how_to_add_minutes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tmp_path / "nothing-yet", monkeypatch)
    [info] = [i.value for i in at.info if "library is empty" in i.value]
    assert "minutebook ingest" in info and "Add minutes" in info
    assert at.chat_input(key="question").proto.disabled


@pytest.fixture
def small_library(tmp_path: Path, library: Path) -> Path:
    """A copy of the shared library, for tests that change it."""
    copy = tmp_path / "library"
    shutil.copytree(library, copy)
    return copy


def test_upload_adds_good_files_and_names_each_failure(small_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(small_library, monkeypatch)
    minutes = SCRIPT_MINUTES.read_text(encoding="utf-8").replace("Evilton", "Brookfield").replace("4 March", "6 May")
    at.file_uploader[0].set_value(
        [
            ("../../outside/Brookfield May (final).txt", minutes.encode(), "text/plain"),
            ("notes.txt", b"Some notes with no agenda items at all.\n", "text/plain"),
            ("copy.txt", SCRIPT_MINUTES.read_bytes(), "text/plain"),
        ]
    ).run()
    at.button(key="add-uploads").click().run()
    assert not at.exception, at.exception

    assert [s.value for s in at.success] == [
        "Brookfield\\_May\\_final\\.txt: added (Brookfield Parish Council, 6 May 2025)"
    ]
    [error] = [e.value for e in at.error]
    assert error.startswith("notes\\.txt: ") and "agenda items" in error
    assert [i.value for i in at.info if "already" in i.value] == ["copy\\.txt: already in the library"]
    assert sorted(p.name for p in (small_library / "uploads").iterdir()) == ["Brookfield_May_final.txt"]
    assert not (small_library.parent / "outside").exists()
    # The page reloaded the library: the new meeting is listed and answers questions.
    assert "Brookfield Parish Council (1)" in {e.label for e in at.sidebar.expander}
    at.multiselect(key="filter_committees").set_value(["Brookfield Parish Council"]).run()
    ask(at, "What was decided about the allotments?")
    assert card_headers(at)[0] == "Brookfield Parish Council · 6 May 2025 · Item 3: ALLOTMENTS"


@pytest.mark.slow
def test_real_model_answers_on_the_sample_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "library"
    build_library(path, SAMPLE_FILES, model_name=MODEL_NAME)
    at = open_page(path, monkeypatch)
    ask(at, "What did the independent scrutineer say about care leavers?")

    assert card_headers(at)[0] == ITEM_48
    marks = marked(fragments(at, "passage")[0])
    assert any("care leaver" in mark for mark in marks)


def test_a_large_library_lists_one_committees_meetings_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over LIST_ALL_MEETINGS meetings the sidebar shows a committee picker and that committee's meetings only:
    every widget is sent to the browser on every rerun, and a button per meeting of a large library slowed
    each answer (bench/results/page_latency_100k.json)."""
    from datetime import date, timedelta

    from index.encoder import HashingEncoder
    from index.library import update_library
    from ingest.settings import Settings
    from tests.index_helpers import addition, make_meeting
    from ui.components.sidebar import LIST_ALL_MEETINGS

    committees = {"Audit Committee": 40, "Planning Committee": 30, "Zeta Board": 1}
    assert sum(committees.values()) > LIST_ALL_MEETINGS
    path = tmp_path / "library"
    encoder = HashingEncoder(384)
    settings = Settings(library=path, model_name=encoder.name, model_dim=encoder.dim)
    meetings = [
        make_meeting(committee, (date(2020, 1, 6) + timedelta(weeks=n)).isoformat(), [("Budget", "The budget.")])
        for committee, count in committees.items()
        for n in range(count)
    ]
    update_library(path, [addition(m) for m in meetings], encoder, settings)
    monkeypatch.setenv("MINUTEBOOK_MODEL", "hashing-384")
    at = open_page(path, monkeypatch)
    assert not at.sidebar.expander  # no expander a committee
    picker = at.sidebar.selectbox(key="library_committee")
    assert picker.options == [f"{name} ({count})" for name, count in committees.items()]
    buttons = [b for b in at.sidebar.button if b.key and b.key.startswith("meeting-")]
    assert len(buttons) == 40 and all(b.key.startswith("meeting-audit-committee-") for b in buttons)
    assert buttons[0].label.startswith("5 Oct 2020")  # newest first: 6 Jan 2020 + 39 weeks
    picker.set_value("Zeta Board").run()
    [button] = [b for b in at.sidebar.button if b.key and b.key.startswith("meeting-")]
    assert button.key == "meeting-zeta-board-2020-01-06" and button.label == "6 Jan 2020 · 1 items · 2 passages"
    button.click().run()
    assert not at.exception
    assert "6 January 2020" in html_text(at.markdown[1].value)  # the meeting view opened
