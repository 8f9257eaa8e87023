"""OCR of scanned PDF pages: hand-worked examples of the text assembly, then real Tesseract on two scans.

The slow tests read `china-falls-hoa-monthly-2005-05-04.pdf` (page images only) and
`horsley-parish-council-monthly-2014-03-18.pdf` (a text layer of glyph codes) and compare page 1 of each with a
transcription typed by hand from the page image (`tests/data/ocr/<stem>-page1.txt`).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytesseract
import pytest

from ingest.models import IngestError
from ingest.ocr import (
    TESSERACT_MISSING,
    ocr_pdf_pages,
    pages_to_ocr,
    require_tesseract,
    restore_ordinals,
    text_from_data,
)
from tests.conftest import DATA

EXTERNAL = DATA / "external"
CHINA_FALLS = EXTERNAL / "china-falls-hoa-monthly-2005-05-04.pdf"
HORSLEY = EXTERNAL / "horsley-parish-council-monthly-2014-03-18.pdf"


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
@pytest.mark.parametrize("pdf", [CHINA_FALLS, HORSLEY], ids=lambda p: p.stem.split("-")[0])
def test_ocr_page_one_matches_the_hand_transcription(pdf: Path) -> None:
    seen: list[tuple[int, int]] = []
    pages = ocr_pdf_pages(pdf, [1, 2], progress=lambda done, total: seen.append((done, total)))
    assert [page.number for page in pages] == [1, 2]
    assert seen == [(1, 2), (2, 2)]
    gold = (DATA / "ocr" / f"{pdf.stem}-page1.txt").read_text(encoding="utf-8")
    assert character_error_rate(pages[0].text, gold) <= 0.05
    for page in pages:
        assert page.confidence is not None and 80 <= page.confidence <= 100
        assert page.seconds > 0
