"""Fuzzing with hypothesis: the readers (arbitrary bytes per format, tag soup, Word packages with arbitrary
bodies, text in any encoding), the segmenter, the chunker, the whole pipeline with --committee/--date and the
assistant's question reading never fail with anything but IngestError (or ValueError for an empty question),
and every offset is exact: `meeting.text[chunk.start:chunk.end] == chunk.text`.

tests/test_readers.py, test_segment.py and test_chunk.py hold the first properties of each part; these add the
formats' structure, full Unicode, the pipeline end to end and the JSON the library stores.
MINUTEBOOK_FUZZ_SCALE multiplies every example count (the report runs more)."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.metadata import extract_metadata
from ingest.models import Chunk, Document, IngestError, Meeting
from ingest.pipeline import build_meeting, chunk_for_settings, ingest_file
from ingest.readers import read_document
from ingest.readers.normalise import normalise_text
from ingest.segment import find_sub_items, segment_items
from ingest.settings import Settings
from tests.conftest import DATA
from tests.reliability.figures import record

SCALE = float(os.environ.get("MINUTEBOOK_FUZZ_SCALE", "1"))
TRIED: Counter[str] = Counter()
SETTINGS = Settings(library=Path("unused"))
NEWBIGGIN = DATA / "external" / "newbiggin-parish-council-monthly-2019-09-03.docx"


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


def fuzz(count: int):  # type: ignore[no-untyped-def]
    return settings(
        max_examples=examples(count),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Iterator[None]:
    yield
    for name, count in sorted(TRIED.items()):
        record("fuzz", property=name, examples=count)


def one_line_refusal(error: IngestError) -> None:
    message = str(error)
    assert message and "\n" not in message and message == message.strip()


def read_bytes(name: str, data: bytes, **options: str) -> Document | None:
    """`read_document` of `data` saved as `name`: the document, or None after checking the refusal."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        try:
            document = read_document(path, **options)
        except IngestError as error:
            one_line_refusal(error)
            return None
    assert document.text.strip() and normalise_text(document.text) == document.text
    if document.pages:
        assert document.pages[0].start == 0 and document.pages[-1].end == len(document.text)
        assert all(a.end == b.start for a, b in zip(document.pages, document.pages[1:], strict=False))
    return document


# --- readers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".pdf", ".docx"])
@fuzz(60)
@given(data=st.binary(max_size=4096))
def test_each_reader_refuses_arbitrary_bytes_in_one_line(suffix: str, data: bytes) -> None:
    TRIED[f"reader {suffix}: arbitrary bytes"] += 1
    read_bytes(f"minutes{suffix}", data, ocr="never")


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), max_size=600)


@fuzz(150)
@given(text=_TEXT)
def test_text_reads_the_same_in_utf8_utf16_and_windows_1252(text: str) -> None:
    TRIED["reader .txt: one text in four encodings"] += 1
    encodings = ["utf-8", "utf-8-sig", "utf-16"]
    try:
        legacy = text.encode("cp1252")
        legacy.decode("utf-8")
    except UnicodeEncodeError:
        pass  # not Windows-1252 text
    except UnicodeDecodeError:
        encodings.append("cp1252")
    # (Windows-1252 bytes that are also valid UTF-8, such as "Â\xa0", are read as UTF-8, as documented.)
    outcomes = [read_bytes("minutes.txt", text.encode(encoding)) for encoding in encodings]
    texts = {None if document is None else document.text for document in outcomes}
    assert len(texts) == 1, (encodings, texts)


_TAGS = ["p", "div", "li", "ul", "ol", "table", "tr", "td", "h1", "h2", "b", "strong", "font", "br", "hr", "pre",
         "script", "style", "header", "article", "span", "a", "svg", "template", "!--"]  # fmt: skip


@st.composite
def tag_soup(draw: st.DrawFn) -> str:
    """HTML of random, often unclosed or misnested tags around words and item headings."""
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(_TAGS))
        if kind == 0:
            parts.append(f"<{tag}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(draw(st.sampled_from(["1. Apologies", "2. MINUTES", "Resolved: noted.", "&amp;", "&#0;"])))
        else:
            parts.append(draw(st.text(max_size=20)))
    if draw(st.booleans()):
        depth = draw(st.integers(1, 3000))
        parts = ["<font>" * depth, *parts]
    return "".join(parts)


@fuzz(100)
@given(page=tag_soup())
def test_html_reader_takes_any_tag_soup(page: str) -> None:
    TRIED["reader .html: tag soup"] += 1
    read_bytes("minutes.html", page.encode("utf-8", "surrogatepass"))


_RUN_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def word_body(draw: st.DrawFn) -> bytes:
    """A word/document.xml of paragraphs, runs, breaks, tables, content controls and headings, nested at will."""

    def run() -> str:
        after = draw(st.sampled_from(["", "<w:br/>", "<w:tab/>"]))
        return f'<w:r><w:t xml:space="preserve">{escape(draw(_RUN_TEXT))}</w:t>{after}</w:r>'

    def paragraph() -> str:
        runs = "".join(run() for _ in range(draw(st.integers(0, 4))))
        style = draw(st.sampled_from(["", "Heading1", "Heading2", "Title", "ListParagraph"]))
        properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        return f"<w:p>{properties}{runs}</w:p>"

    def block(depth: int) -> str:
        kind = draw(st.integers(0, 3 if depth < 6 else 0))
        if kind == 0:
            return paragraph()
        inner = "".join(block(depth + 1) for _ in range(draw(st.integers(0, 3))))
        if kind == 1:
            return f"<w:tbl><w:tr><w:tc>{inner or '<w:p/>'}</w:tc></w:tr></w:tbl>"
        if kind == 2:
            return f"<w:sdt><w:sdtContent>{inner}</w:sdtContent></w:sdt>"
        return f"<w:ins>{inner}</w:ins>"

    body = "".join(block(0) for _ in range(draw(st.integers(0, 8))))
    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = f'<w:document xmlns:w="{namespace}"><w:body>{body}</w:body></w:document>'
    return ('<?xml version="1.0" encoding="UTF-8"?>' + document).encode()


@fuzz(60)
@given(body=word_body())
def test_word_reader_takes_any_body_in_a_real_package(body: bytes) -> None:
    TRIED["reader .docx: arbitrary bodies in a real package"] += 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(NEWBIGGIN) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            package.writestr(info, body if info.filename == "word/document.xml" else source.read(info))
    read_bytes("minutes.docx", buffer.getvalue())


# --- segmenter, metadata, chunker and the whole pipeline ------------------------------------------------------

_LINES = st.sampled_from(
    [
        "", "1. APOLOGIES", "2. MINUTES", "3 Planning", "10. ANY OTHER BUSINESS", "Item 4", "Minute 45/23 Finance",
        "12/23 Apologies", "17.03.02 Register", "4.1 Budget", "(a) first", "(b) second", "## Heading", "# Title",
        "Resolved: That it be noted.", "RESOLVED:", "- 1. That the report be noted.", "Present: Cllr A, Cllr B",
        "Apologies: Cllr C", "Chair: Cllr D", "held on 4 March 2025 at 7pm", "Minutes of the Parish Council",
        "PLANNING COMMITTEE", "cell | cell | cell", "Page 2 of 3", "   indented 3. text", "---", "\t",
    ]
)  # fmt: skip
MINUTES_LIKE = st.one_of(
    st.text(max_size=800),
    st.lists(st.one_of(_LINES, _LINES, st.text(max_size=60)), max_size=60).map("\n".join),
)


def check_meeting(meeting: Meeting, chunks: list[Chunk]) -> None:
    """Items cover the text in order; every passage is exact, inside its item, once; JSON round-trips."""
    text = meeting.text
    assert meeting.items[0].start == 0 and meeting.items[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(meeting.items, meeting.items[1:], strict=False))
    starts = [item.start for item in meeting.items]
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text and chunk.text.strip()
        item = meeting.items[bisect_right(starts, chunk.start) - 1]  # by position: numbers may repeat
        assert item.number == chunk.item_number and item.start <= chunk.start <= chunk.end <= item.end
        assert chunk.embed_text.endswith(chunk.text)
        assert Chunk.from_json(chunk.to_json()) == chunk
    assert len({chunk.chunk_id for chunk in chunks}) == len(chunks)
    assert Meeting.from_json(meeting.to_json()) == meeting


@fuzz(150)
@given(
    text=MINUTES_LIKE,
    committee=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80).filter(str.strip),
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
)
def test_the_pipeline_on_any_text_with_committee_and_date_given(text: str, committee: str, day: date) -> None:
    TRIED["pipeline: build_meeting + chunk_for_settings, --committee/--date"] += 1
    text = normalise_text(text)  # what every reader hands on
    document = Document(source="minutes.txt", format="txt", text=text)
    try:
        meeting = build_meeting(document, sha256="0" * 64, committee=committee, meeting_date=day)
    except IngestError as error:
        assert str(error) == "no agenda items found; is this a set of minutes?"
        return
    assert (meeting.committee, meeting.meeting_date) == (committee, day)
    check_meeting(meeting, chunk_for_settings(meeting, SETTINGS))


@fuzz(100)
@given(text=MINUTES_LIKE)
def test_the_pipeline_on_any_text_reading_its_own_metadata(text: str) -> None:
    TRIED["pipeline: metadata read from the text"] += 1
    text = normalise_text(text)
    try:
        meeting = build_meeting(Document("minutes.txt", "txt", text), sha256="0" * 64)
    except IngestError as error:
        one_line_refusal(error)
        return
    assert meeting.committee.strip() and "\n" not in meeting.committee
    check_meeting(meeting, chunk_for_settings(meeting, SETTINGS))


@fuzz(60)
@given(text=MINUTES_LIKE, encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_ingest_file_on_any_text_file(text: str, encoding: str) -> None:
    TRIED["pipeline: ingest_file of a text file"] += 1
    data = text.encode(encoding, errors="replace") if encoding == "cp1252" else text.encode(encoding)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "minutes.txt"
        path.write_bytes(data)
        try:
            result = ingest_file(path, SETTINGS, committee="Fuzz Committee", meeting_date=date(2025, 3, 4))
        except IngestError as error:
            one_line_refusal(error)
            return
    check_meeting(result.meeting, result.chunks)
    assert result.size == len(data)


@fuzz(200)
@given(text=MINUTES_LIKE)
def test_segmenter_metadata_and_sub_items_on_any_text(text: str) -> None:
    TRIED["segmenter + metadata + sub-items"] += 1
    items = segment_items(text)
    if not text:
        assert items == []
        return
    assert items[0].start == 0 and items[-1].end == len(text)
    assert all(a.end == b.start and a.start < a.end for a, b in zip(items, items[1:], strict=False))
    meta = extract_metadata(text, items)
    assert meta.committee is None or (meta.committee.strip() and "\n" not in meta.committee)
    for item in items:
        for _label, start, end in find_sub_items(text, item):
            assert item.start < start < end <= item.end


@pytest.mark.xfail(
    strict=True,
    reason="the segmenter can number two items alike (found by hypothesis: '1 0 / 10 0 / 1 0'); Meeting.item(), "
    "assistant.collapse (items keyed by meeting and number) and the page's item links assume numbers are unique; "
    "reported",
)
def test_item_numbers_are_unique_within_a_meeting() -> None:
    for text in ("1 0\n10 0\n1 0", "1. Apologies\nNone.\n10. Budget\nAgreed.\n1. Apologies\nAgain."):
        numbers = [item.number for item in segment_items(text) if item.number is not None]
        assert len(numbers) == len(set(numbers)), numbers


# --- questions ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from assistant import Assistant
    from index.library import Library
    from tests.reliability.helpers import JANUARY, SEPTEMBER, minutebook

    path = tmp_path_factory.mktemp("fuzz") / "library"
    assert minutebook("ingest", SEPTEMBER, JANUARY, "--library", path).exit_code == 0
    settings = Settings(library=path, model_name="hashing-384", model_dim=384)
    return Assistant(Library.load(path, settings=settings), settings)


QUESTION_WORDS = st.sampled_from(
    ["who", "what", "when", "decided", "chaired", "apologies", "care", "leavers", "September", "January", "2024",
     "in", "March", "last", "meeting", "?", "and", "what about", "item 48", "the", "committee", "between", "17/09/2024"]
)  # fmt: skip
QUESTIONS = st.one_of(st.text(max_size=200), st.lists(QUESTION_WORDS, max_size=15).map(" ".join))


@fuzz(100)
@given(question=QUESTIONS, follow_up=QUESTIONS)
def test_any_question_gets_an_answer_with_exact_highlights(assistant, question: str, follow_up: str) -> None:  # type: ignore[no-untyped-def]
    from assistant import Turn

    TRIED["assistant: questions and follow-ups"] += 1
    history = []
    for asked in (question, follow_up):
        try:
            answer = assistant.ask(asked, history=tuple(history))
        except ValueError as error:
            assert not asked.strip() and str(error) == "the question is empty"
            continue
        for passage in (*answer.passages, *answer.closest):
            chunk = passage.chunk
            assert assistant.library.meeting_of(chunk).text[chunk.start : chunk.end] == chunk.text
            assert all(0 <= h.start < h.end <= len(chunk.text) for h in passage.highlights)
        history.append(Turn(asked, answer))
