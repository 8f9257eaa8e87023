"""OCR of scanned PDF pages: hand-worked examples of the text assembly, then real Tesseract on two scans.

The slow tests read `china-falls-hoa-monthly-2005-05-04.pdf` (page images only) and
`horsley-parish-council-monthly-2014-03-18.pdf` (a text layer of glyph codes) and compare page 1 of each with a
transcription typed by hand from the page image (`tests/data/ocr/<stem>-page1.txt`), and their metadata and
items with golden files written from the page images (`tests/data/golden/ocr/<stem>.json`, the format of
`tests/golden.py`; kept in their own folder because the shared golden tests read files without OCR).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytesseract
import pytest
from pypdf import PdfReader, PdfWriter

from ingest.models import IngestError
from ingest.ocr import (
    TESSERACT_MISSING,
    ocr_pdf_pages,
    pages_to_ocr,
    require_tesseract,
    restore_ordinals,
    text_from_data,
)
from ingest.pipeline import ingest_file
from ingest.readers import read_document
from ingest.readers.pdf import OCR_FOUND_NOTHING, SCANNED_MESSAGE
from ingest.settings import load_settings
from tests.conftest import DATA

EXTERNAL = DATA / "external"
CHINA_FALLS = EXTERNAL / "china-falls-hoa-monthly-2005-05-04.pdf"
HORSLEY = EXTERNAL / "horsley-parish-council-monthly-2014-03-18.pdf"
MILBURN = EXTERNAL / "milburn-parish-council-monthly-2017-03-07.pdf"
SCANS = [CHINA_FALLS, HORSLEY]
BORN_DIGITAL = sorted(path for path in EXTERNAL.glob("*.pdf") if path not in SCANS)


def _tesseract_ready() -> str | None:
    """None when Tesseract with English data is installed, else why the real-OCR tests are skipped."""
    if shutil.which("tesseract") is None:
        return "Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)"
    try:
        require_tesseract()
    except IngestError as error:
        return str(error)
    return None


needs_tesseract = pytest.mark.skipif(_tesseract_ready() is not None, reason=_tesseract_ready() or "")


@pytest.fixture
def no_tesseract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tesseract as on a machine without it: pytesseract is pointed at a program that does not exist."""
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-such-tesseract"))


# ---------------------------------------------------------------------------------------------------------
# Which pages go to OCR


def test_pages_to_ocr_follows_the_mode() -> None:
    usable = [True, False, True, False]
    assert pages_to_ocr(usable, "auto") == [2, 4]
    assert pages_to_ocr(usable, "always") == [1, 2, 3, 4]
    assert pages_to_ocr(usable, "never") == []
    with pytest.raises(IngestError, match="unknown OCR mode 'sometimes'"):
        pages_to_ocr(usable, "sometimes")


# ---------------------------------------------------------------------------------------------------------
# Text from Tesseract's word rows


def _rows(*words: tuple[int, int, int, int, str, float]) -> dict[str, list[Any]]:
    """Tesseract TSV rows as pytesseract's Output.DICT: (block, paragraph, line, left, text, confidence).
    Every word is 60 px wide; a line-level layout row (confidence -1, no text) leads each line, as in the
    real output."""
    data: dict[str, list[Any]] = {key: [] for key in ("block_num", "par_num", "line_num", "left", "width", "text")}
    data["conf"] = []
    seen: set[tuple[int, int, int]] = set()
    for block, paragraph, line, left, text, confidence in words:
        if (block, paragraph, line) not in seen:
            seen.add((block, paragraph, line))
            for key, value in zip(data, (block, paragraph, line, left, 0, ""), strict=False):
                data[key].append(value)
            data["conf"].append(-1)
        for key, value in zip(data, (block, paragraph, line, left, 60, text), strict=False):
            data[key].append(value)
        data["conf"].append(confidence)
    return data


def test_text_from_data_keeps_lines_paragraphs_and_indentation() -> None:
    # Word gaps on a line are 20 px, so a space is 20 px wide; the page margin is at 100 px.
    data = _rows(
        (1, 1, 1, 100, "2.", 90),
        (1, 1, 1, 180, "Old", 96),
        (1, 1, 1, 260, "business:", 96),
        (1, 2, 1, 180, "1.", 94),  # indented 80 px = 4 spaces: a sub-item
        (1, 2, 1, 260, "Keys", 96),
        (1, 2, 2, 260, "handed", 80),  # continuation line, 8 spaces
        (1, 2, 2, 340, "over.", 90),
        (2, 1, 1, 120, "3.", 92),  # 20 px is one space: scan skew, not an indent
        (2, 1, 1, 200, "Reports", 0),
    )
    text, confidence = text_from_data(data)
    assert text == "2. Old business:\n\n    1. Keys\n        handed over.\n\n3. Reports"
    assert confidence == pytest.approx(round((90 + 96 + 96 + 94 + 96 + 80 + 90 + 92 + 0) / 9, 1))


def test_text_from_data_with_no_words() -> None:
    assert text_from_data(_rows()) == ("", None)
    blank = _rows((1, 1, 1, 100, " ", 95))
    assert text_from_data(blank) == ("", None)


@pytest.mark.parametrize(
    ("ocr", "printed"),
    [
        ('18" March 2014 at 7.30pm', "18th March 2014 at 7.30pm"),
        ("held on 25” February 2014", "held on 25th February 2014"),
        ('Monthly Meeting, May 4", 2005', "Monthly Meeting, May 4th, 2005"),
        ('on June 26".', "on June 26th."),
        ("Next Meeting: June 1%, 2005.", "Next Meeting: June 1st, 2005."),
        ("the 22' of March", "the 22nd of March"),
        ("3' April, 11' May, 13\" June", "3rd April, 11th May, 13th June"),
        # Not next to a month: left as printed.
        ('a 12" pipe', 'a 12" pipe'),
        ('on Se 78" Pl.', 'on Se 78" Pl.'),
        ("rates rose 5% in May", "rates rose 5% in May"),
    ],
)
def test_restore_ordinals(ocr: str, printed: str) -> None:
    assert restore_ordinals(ocr) == printed


# ---------------------------------------------------------------------------------------------------------
# Tesseract missing


def test_missing_tesseract_gives_one_line_naming_the_package(no_tesseract: None) -> None:
    with pytest.raises(IngestError) as caught:
        require_tesseract()
    assert str(caught.value) == TESSERACT_MISSING
    assert "\n" not in str(caught.value) and "tesseract-ocr" in str(caught.value)
    with pytest.raises(IngestError, match="^OCR needs Tesseract: install the Debian package tesseract-ocr"):
        ocr_pdf_pages(CHINA_FALLS, [1])


def test_no_pages_to_ocr_needs_no_tesseract(no_tesseract: None) -> None:
    assert ocr_pdf_pages(CHINA_FALLS, []) == []


# ---------------------------------------------------------------------------------------------------------
# Real Tesseract


def character_error_rate(ocr: str, gold: str) -> float:
    """Edit distance between the two texts, whitespace runs collapsed to one space, over the gold length."""
    a, b = " ".join(ocr.split()), " ".join(gold.split())
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1] / len(b)


def test_character_error_rate_on_a_worked_example() -> None:
    # "Clir" for "Cllr": one substitution in 9 characters ("Cllr Kay."); line breaks and spaces do not count.
    assert character_error_rate("Clir\n  Kay.", "Cllr Kay.") == pytest.approx(1 / 9)


@needs_tesseract
@pytest.mark.slow
def test_ocr_pdf_pages_reports_progress_confidence_and_time() -> None:
    seen: list[tuple[int, int]] = []
    pages = ocr_pdf_pages(CHINA_FALLS, [2, 1], progress=lambda done, total: seen.append((done, total)))
    assert [page.number for page in pages] == [1, 2]
    assert seen == [(1, 2), (2, 2)]
    assert pages[0].text.startswith("China Falls Homeowner’s Association (CFHA)\nMonthly Meeting, May 4th, 2005")
    assert pages[1].text.endswith("Next Meeting: June 1st, 2005.\nMeeting adjourned.")
    for page in pages:
        assert page.confidence is not None and 80 <= page.confidence <= 100
        assert page.seconds > 0


# ---------------------------------------------------------------------------------------------------------
# The PDF reader and OCR modes


def test_unknown_ocr_mode_is_refused() -> None:
    with pytest.raises(IngestError, match="^unknown OCR mode 'yes'; use one of auto, always, never$"):
        read_document(CHINA_FALLS, ocr="yes")


@pytest.mark.parametrize("pdf", SCANS, ids=lambda p: p.stem.split("-")[0])
def test_ocr_never_keeps_the_one_line_refusal(pdf: Path) -> None:
    with pytest.raises(IngestError) as caught:
        read_document(pdf, ocr="never")
    assert str(caught.value) == SCANNED_MESSAGE == "scanned PDF with no usable text layer; OCR is needed"


@pytest.mark.parametrize("pdf", SCANS, ids=lambda p: p.stem.split("-")[0])
def test_scan_without_tesseract_names_the_package(pdf: Path, no_tesseract: None) -> None:
    with pytest.raises(IngestError) as caught:
        read_document(pdf, ocr="auto")
    assert str(caught.value) == TESSERACT_MISSING


@pytest.mark.parametrize("pdf", BORN_DIGITAL, ids=lambda p: p.stem)
def test_born_digital_pdf_never_goes_to_ocr(pdf: Path, no_tesseract: None) -> None:
    # With Tesseract unreachable, any page sent to OCR would fail the read.
    document = read_document(pdf, ocr="auto")
    assert document.pages and not any(page.ocr or page.confidence is not None for page in document.pages)
    assert document == read_document(pdf, ocr="never")


@needs_tesseract
@pytest.mark.slow
def test_mixed_pdf_ocrs_only_its_scanned_page(tmp_path: Path) -> None:
    # Page 1: the first page of a born-digital PDF. Page 2: page 1 of the China Falls scan, rendered to an
    # image and saved by Pillow as an image-only PDF page.
    pdf = pdfium.PdfDocument(str(CHINA_FALLS))
    scan = tmp_path / "scan.pdf"
    pdf[0].render(scale=200 / 72, grayscale=True).to_pil().save(scan, format="PDF", resolution=200)
    pdf.close()
    writer = PdfWriter()
    writer.add_page(PdfReader(MILBURN).pages[0])
    writer.add_page(PdfReader(scan).pages[0])
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)

    progress: list[tuple[int, int]] = []
    document = read_document(mixed, ocr="auto", progress=lambda done, total: progress.append((done, total)))
    assert progress == [(1, 1)]
    first, second = document.pages
    assert (first.number, first.ocr, first.confidence) == (1, False, None)
    assert second.number == 2 and second.ocr and second.confidence is not None and second.confidence > 80
    page_one = document.text[first.start : first.end]
    page_two = document.text[second.start : second.end]
    assert "Milburn Parish Council" in page_one and "China Falls" not in page_one
    assert page_two.startswith("China Falls Homeowner’s Association (CFHA)\nMonthly Meeting, May 4th, 2005")
    gold = (DATA / "ocr" / f"{CHINA_FALLS.stem}-page1.txt").read_text(encoding="utf-8")
    assert character_error_rate(page_two, gold) <= 0.05

    always = read_document(mixed, ocr="always")
    assert [page.ocr for page in always.pages] == [True, True]


@needs_tesseract
@pytest.mark.slow
def test_blank_pages_that_ocr_finds_nothing_on_get_one_line(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    blank = tmp_path / "blank.pdf"
    writer.write(blank)
    with pytest.raises(IngestError) as caught:
        read_document(blank, ocr="auto")
    assert str(caught.value) == OCR_FOUND_NOTHING


# Where each item starts, read off the page images: (item number, page of its heading).
ITEM_PAGES = {
    CHINA_FALLS: {None: 1, "1": 1, "2": 1, "3": 1, "4": 2, "5": 2},
    HORSLEY: {
        **{None: 1, "14/037": 1, "14/038": 1, "14/039": 1, "14/040": 1, "14/041": 1},
        **{"14/042": 2, "14/043": 2, "14/044": 2, "14/045": 2, "14/046": 2, "14/047": 2, "14/048": 2},
        **{"14/049": 3, "14/050": 3, "14/051": 3},
    },
}


@needs_tesseract
@pytest.mark.slow
@pytest.mark.parametrize("pdf", SCANS, ids=lambda p: p.stem.split("-")[0])
def test_scanned_pdf_ingests_through_ocr(pdf: Path, tmp_path: Path) -> None:
    """The whole pipeline with the default `ocr="auto"`: gold text, golden metadata and items, and passages
    that carry their page and the `ocr` flag."""
    settings = load_settings(tmp_path / "library")
    assert settings.ocr == "auto"
    result = ingest_file(pdf, settings)
    meeting, chunks = result.meeting, result.chunks

    pages = meeting.pages
    assert [page.number for page in pages] == list(range(1, len(PdfReader(pdf).pages) + 1))
    assert all(page.ocr and page.confidence is not None and page.confidence > 80 for page in pages)
    gold = (DATA / "ocr" / f"{pdf.stem}-page1.txt").read_text(encoding="utf-8")
    assert character_error_rate(meeting.text[pages[0].start : pages[0].end], gold) <= 0.05

    golden = json.loads((DATA / "golden" / "ocr" / f"{pdf.stem}.json").read_text(encoding="utf-8"))
    assert [[item.number, item.title] for item in meeting.items] == golden["items"]
    assert {
        "committee": meeting.committee,
        "meeting_date": meeting.meeting_date.isoformat(),
        "chair": meeting.chair,
        "present": list(meeting.present),
        "apologies": list(meeting.apologies),
    } == {key: golden[key] for key in ("committee", "meeting_date", "chair", "present", "apologies")}

    assert chunks and all(chunk.ocr for chunk in chunks)
    first_page: dict[str | None, int | None] = {}
    for chunk in chunks:
        assert meeting.text[chunk.start : chunk.end] == chunk.text
        page = meeting.pages[chunk.page - 1] if chunk.page else None
        assert page is not None and page.start <= chunk.start < page.end
        first_page.setdefault(chunk.item_number, chunk.page)
    assert first_page == ITEM_PAGES[pdf]
