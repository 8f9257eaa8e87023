"""OCR for scanned PDF pages: render each page with pypdfium2, read it with Tesseract through pytesseract.

The PDF reader decides which pages need OCR (no text layer, or one that is not language) and hands their
numbers here; every OCR'd page comes back with its text, its mean word confidence and the seconds it took.
Everything runs offline: Tesseract and its English data are Debian packages, nothing is downloaded.
"""

from __future__ import annotations

import logging
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.models import IngestError

if TYPE_CHECKING:
    from PIL.Image import Image

logger = logging.getLogger(__name__)

OCR_MODES = ("auto", "always", "never")
DPI = 300  # Tesseract reads body text best at about 300 dpi; lower loses small print, higher only costs time.
LANGUAGE = "eng"
# Page segmentation mode 4, "a single column of text of variable sizes": it keeps a numbered list's numbers on
# the line of their text. The default (3, full automatic layout) cuts a hanging "1." column into its own block,
# so the numbers and the items come out pages apart.
TESSERACT_CONFIG = "--psm 4"
PAGE_TIMEOUT_SECONDS = 180
# Rendering has no timeout, and a PDF of a few kilobytes can declare megabytes of drawing instructions or a
# gigapixel image (a decompression bomb: 300 MB of instructions in a 0.9 MB file kept pdfium busy for over ten
# minutes at 4 GB). Pages past these limits are refused before pdfium sees them. The test corpus's pages hold
# at most 64 kB of instructions and 7.8 megapixels of image; a 600 dpi A3 scan is 70 megapixels.
MAX_PAGE_INSTRUCTION_BYTES = 4 * 1024 * 1024
MAX_IMAGE_PIXELS = 150_000_000
MAX_RENDER_PIXELS = 80_000_000  # larger pages are rendered below `dpi` (300 dpi covers about an A2 page)

TESSERACT_MISSING = "OCR needs Tesseract: install the Debian package tesseract-ocr (and tesseract-ocr-eng)"
LANGUAGE_MISSING = "OCR needs Tesseract's English data: install the Debian package tesseract-ocr-eng"

# Called after each OCR'd page with (pages done, pages to do), e.g. to advance a progress bar.
OcrProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class OcrPage:
    """One page read by Tesseract: `number` is 1-based; `confidence` is the mean word confidence (0-100),
    None when Tesseract found no words; `seconds` is the wall time of the Tesseract run."""

    number: int
    text: str
    confidence: float | None
    seconds: float


def check_ocr_mode(mode: str) -> str:
    if mode not in OCR_MODES:
        raise IngestError(f"unknown OCR mode {mode!r}; use one of {', '.join(OCR_MODES)}")
    return mode


def pages_to_ocr(usable: Sequence[bool], mode: str) -> list[int]:
    """The 1-based numbers of the pages to OCR, given whether each page's text layer is usable:
    `auto` the unusable ones, `always` every page, `never` none."""
    check_ocr_mode(mode)
    if mode == "never":
        return []
    return [number for number, ok in enumerate(usable, start=1) if mode == "always" or not ok]


def require_tesseract(language: str = LANGUAGE) -> None:
    """Raise IngestError with the package to install when Tesseract or its language data is missing."""
    import pytesseract

    try:
        pytesseract.get_tesseract_version()
        languages = pytesseract.get_languages()
    except pytesseract.TesseractNotFoundError:
        raise IngestError(TESSERACT_MISSING) from None
    if language not in languages:
        raise IngestError(LANGUAGE_MISSING)


def ocr_pdf_pages(
    path: Path,
    numbers: Iterable[int],
    *,
    dpi: int = DPI,
    language: str = LANGUAGE,
    progress: OcrProgress | None = None,
    workers: int | None = None,
) -> list[OcrPage]:
    """OCR the given 1-based pages of a PDF, in page order. Raises IngestError with a one-line reason.

    Pages are rendered one at a time in this thread (pdfium is not thread-safe) and read by up to `workers`
    Tesseract processes at once (default: one per CPU), so at most that many page images are held in memory.
    """
    wanted = sorted(set(numbers))
    if not wanted:
        return []
    require_tesseract(language)
    # Tesseract's OpenMP threads fight each other (and our parallel pages): with them a page takes about five
    # times longer on a two-core machine. One thread per process is Tesseract's own advice for batch work.
    # pytesseract passes os.environ to the process it starts; a value the user set is kept.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    workers = max(1, min(workers or os.cpu_count() or 1, len(wanted)))

    check_pages_can_be_rendered(path, wanted)
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise IngestError(f"cannot open the PDF to render it for OCR ({error})") from None
    results: list[OcrPage] = []
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr") as pool:
            running: set[Future[OcrPage]] = set()

            def collect_one() -> None:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    running.discard(future)
                    results.append(future.result())
                    if progress is not None:
                        progress(len(results), len(wanted))

            for number in wanted:
                if not 1 <= number <= len(pdf):
                    raise IngestError(f"page {number} is not in the PDF ({len(pdf)} pages)")
                image = render_page(pdf, number, dpi)
                running.add(pool.submit(ocr_image, image, number=number, language=language))
                if len(running) >= workers:
                    collect_one()
            while running:
                collect_one()
    finally:
        pdf.close()
    results.sort(key=lambda page: page.number)
    for page in results:
        confidence = "none" if page.confidence is None else f"{page.confidence:.0f}"
        logger.info("OCR %s page %d: %.1f s, mean confidence %s", path.name, page.number, page.seconds, confidence)
    return results


def check_pages_can_be_rendered(path: Path, numbers: Sequence[int]) -> None:
    """IngestError naming the first of the pages whose drawing instructions (the page's and its forms',
    inflated) pass MAX_PAGE_INSTRUCTION_BYTES or whose images pass MAX_IMAGE_PIXELS. Only declared sizes and
    inflated instruction streams are read (pypdf caps each inflation); images are never decoded."""
    from pypdf import PdfReader

    try:
        pages = PdfReader(path, strict=False).pages
    except Exception:  # the reader already opened this file; pdfium reports its own problems
        return
    for number in numbers:
        if 1 <= number <= len(pages):
            problem = _render_problem(pages[number - 1])
            if problem:
                raise IngestError(f"page {number} is too large to render for OCR safely ({problem})")


def _render_problem(page: Any) -> str | None:
    """Why rendering `page` is unsafe, or None; a page too damaged to inspect is left for pdfium to report."""
    from pypdf.errors import LimitReachedError

    try:
        contents = page.get_contents()
        instruction_bytes = len(contents.get_data()) if contents is not None else 0
        seen: set[int] = set()
        pending: list[Any] = [page.get("/Resources")]
        while pending and instruction_bytes <= MAX_PAGE_INSTRUCTION_BYTES:
            for xobject in _xobjects(pending.pop(), seen):
                if xobject.get("/Subtype") == "/Image":
                    pixels = int(xobject.get("/Width", 0)) * int(xobject.get("/Height", 0))
                    if pixels > MAX_IMAGE_PIXELS:
                        return f"an image of {pixels / 1e6:,.0f} megapixels"
                elif xobject.get("/Subtype") == "/Form":
                    instruction_bytes += len(xobject.get_data())
                    pending.append(xobject.get("/Resources"))
    except LimitReachedError:  # pypdf's own inflation cap (75 MB) is past ours
        instruction_bytes = MAX_PAGE_INSTRUCTION_BYTES + 1
    except Exception:
        return None
    if instruction_bytes > MAX_PAGE_INSTRUCTION_BYTES:
        return f"its drawing instructions inflate to more than {MAX_PAGE_INSTRUCTION_BYTES // (1024 * 1024)} MB"
    return None


def _xobjects(resources: Any, seen: set[int]) -> list[Any]:
    """The images and forms a resource dictionary names, each object once (forms may refer to each other)."""
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if isinstance(resources, dict) else None
    xobjects = xobjects.get_object() if xobjects is not None else None
    found = []
    for reference in xobjects.values() if isinstance(xobjects, dict) else ():
        key = getattr(reference, "idnum", None) or id(reference)
        if key not in seen:
            seen.add(key)
            found.append(reference.get_object())
    return found


def render_page(pdf: Any, number: int, dpi: int = DPI) -> Image:
    """A greyscale image of a page at `dpi` (lower for a page so large it would pass MAX_RENDER_PIXELS).
    pdfium renders the page's crop box wherever its origin lies (a scanner may write a MediaBox such as
    [0 445 612 1224]), so no offset needs correcting here."""
    page = pdf[number - 1]
    try:
        width, height = page.get_size()
        scale = min(dpi / 72, (MAX_RENDER_PIXELS / max(1.0, width * height)) ** 0.5)
        bitmap = page.render(scale=scale, grayscale=True)
        return bitmap.to_pil()
    except Exception as error:  # pdfium raises bare PdfiumError or ValueError for broken pages
        raise IngestError(f"cannot render page {number} for OCR ({error})") from None
    finally:
        page.close()


def ocr_image(image: Image, *, number: int = 1, language: str = LANGUAGE) -> OcrPage:
    """Read one page image with Tesseract: its text (lines and paragraph breaks kept) and mean confidence."""
    import pytesseract

    started = time.perf_counter()
    try:
        data = pytesseract.image_to_data(
            image,
            lang=language,
            config=TESSERACT_CONFIG,
            output_type=pytesseract.Output.DICT,
            timeout=PAGE_TIMEOUT_SECONDS,
        )
    except pytesseract.TesseractNotFoundError:
        raise IngestError(TESSERACT_MISSING) from None
    except pytesseract.TesseractError as error:
        message = " ".join(str(error.message).split())[:160]
        raise IngestError(f"Tesseract failed on page {number} ({message})") from None
    except RuntimeError as error:  # pytesseract's timeout is a bare RuntimeError
        raise IngestError(f"OCR of page {number} stopped after {PAGE_TIMEOUT_SECONDS} s ({error})") from None
    seconds = time.perf_counter() - started
    text, confidence = text_from_data(data)
    return OcrPage(number=number, text=text, confidence=confidence, seconds=seconds)


def text_from_data(data: Mapping[str, Sequence[Any]]) -> tuple[str, float | None]:
    """Text and mean word confidence from Tesseract's TSV rows (pytesseract's `Output.DICT`).

    Words on a line are joined by a space, lines by a newline, and paragraphs (or blocks) by a blank line, as
    Tesseract's own text output does. Rows with confidence -1 are layout rows, not words. Each line keeps its
    indentation as leading spaces (see `_indents`), since the segmenter tells an indented sub-item `1.` from a
    top-level item `1.` by it, as it does in a text layer.
    """
    paragraphs: list[list[list[int]]] = []  # paragraph → line → row indices of its words
    confidences: list[float] = []
    last_paragraph: tuple[int, int] | None = None
    last_line: tuple[int, int, int] | None = None
    words: dict[int, str] = {}
    for i, raw in enumerate(data["text"]):
        word = unicodedata.normalize("NFKC", str(raw)).strip()
        confidence = float(data["conf"][i])
        if not word or confidence < 0:
            continue
        words[i] = word
        block, par, line_no = int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i])
        if (block, par) != last_paragraph:
            paragraphs.append([])
            last_paragraph, last_line = (block, par), None
        if (block, par, line_no) != last_line:
            paragraphs[-1].append([])
            last_line = (block, par, line_no)
        paragraphs[-1][-1].append(i)
        confidences.append(confidence)
    indents = iter(_indents(data, [line for paragraph in paragraphs for line in paragraph]))
    texts = [
        "\n".join(" " * next(indents) + " ".join(words[i] for i in line) for line in lines) for lines in paragraphs
    ]
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return restore_ordinals("\n\n".join(texts)), mean


# An indent under this many spaces is taken for scan skew or ragged glyph edges, not layout.
MIN_INDENT_SPACES = 2


def _indents(data: Mapping[str, Sequence[Any]], lines: list[list[int]]) -> list[int]:
    """Leading spaces for each line: its left edge's distance from the page's text margin, in spaces.

    The width of a space is measured on the page itself as the median gap between words on a line, so the
    count does not depend on the scan's resolution or the font size.
    """
    if "left" not in data or not lines:
        return [0] * len(lines)
    left = [int(x) for x in data["left"]]
    width = [int(x) for x in data["width"]]
    gaps = sorted(left[b] - (left[a] + width[a]) for line in lines for a, b in zip(line, line[1:], strict=False))
    gaps = [gap for gap in gaps if gap > 0]
    if not gaps:
        return [0] * len(lines)
    space = max(gaps[len(gaps) // 2], 1)
    starts = [min(left[i] for i in line) for line in lines]
    margin = min(starts)
    indents = [round((start - margin) / space) for start in starts]
    return [indent if indent >= MIN_INDENT_SPACES else 0 for indent in indents]


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# Tesseract reads a superscript ordinal ("18th", "June 26th") as a quote mark: `18" March`, `June 26".`.
# Only next to a month name is the mark taken for an ordinal, so inches (`12" pipe`) are left alone.
_ORDINAL_BEFORE_MONTH = re.compile(rf"\b(\d{{1,2}})[\"“”'’](?=,?\s+(?:of\s+)?{_MONTH}\b)")
_ORDINAL_AFTER_MONTH = re.compile(rf"(\b{_MONTH}\.?\s+)(\d{{1,2}})[\"“”'’%°](?=[\s,.;:)]|$)")


def ordinal_suffix(day: int) -> str:
    if day % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def restore_ordinals(text: str) -> str:
    """`18" March 2014` → `18th March 2014`, `June 26".` → `June 26th.`: the superscript ordinal Tesseract
    misread, written back so that dates parse and the text reads as printed."""
    text = _ORDINAL_BEFORE_MONTH.sub(lambda m: m.group(1) + ordinal_suffix(int(m.group(1))), text)
    return _ORDINAL_AFTER_MONTH.sub(lambda m: m.group(1) + m.group(2) + ordinal_suffix(int(m.group(2))), text)
