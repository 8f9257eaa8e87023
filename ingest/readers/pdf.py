"""PDF minutes through pypdf's text layer, one `Page` per physical page.

Reading goes in three steps, kept apart so that OCR can slot in per page: `extract_page_texts` gets each
page's raw text, `page_text_is_usable` tells text from glyph-code gibberish (the pages OCR should read), and
`pages_to_document` cleans the pages (text layer or OCR) and joins them into one text with each page's
[start, end). `read_pdf` reads the text layer and, when asked (`ocr="auto"` or `"always"`), sends the pages
whose text layer is unusable (or every page) to OCR (`ingest.ocr`); with `ocr="never"`, its default, it
refuses a PDF that has no text layer worth reading.

Cleaning, in order:
- text drawn left of its clipping box is dropped (Word text boxes export hidden, overlapping title runs:
  "AYTON AYTON COMMUNITY COUNCIL" shows as "AYTON COMMUNITY COUNCIL");
- page furniture at a page's top and bottom edges is peeled off: page numbers ("Page 3 of 11",
  "Page | 3", a bare "7"), and lines that recur at the edges of at least half the pages (compared with
  digits masked, so "Page 2" matches "Page 3"), or at the same place (counted from that edge) on the page
  before. Peeling stops at
  the first line that is neither, so a repeated line inside the body is never touched. On the first page
  a recurring top line is kept (a running title there doubles as the document's heading, and may be the
  only place its committee and date are printed);
- leading spaces are stripped (but not from OCR'd pages, whose indentation is measured) and bullet glyphs
  become "- ";
- a lowercase word broken at a line end by "-" is rejoined: without the hyphen when the joined word occurs
  elsewhere in the document or the continuation is a plain suffix ("partner-" + "ship"), otherwise with
  it ("non-" + "native" stays "non-native", since word processors break lines at real hyphens).
Pages are joined by a blank line; each page's span includes the separator after it, so spans are
contiguous and cover the whole text.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.models import Document, IngestError, Page
from ingest.ocr import OcrProgress, ocr_pdf_pages, pages_to_ocr
from ingest.readers.normalise import is_page_number_line, normalise_text, one_line

# pypdf reports recoverable damage through logging; without a handler Python would print it to stderr.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

SCANNED_MESSAGE = "scanned PDF with no usable text layer; OCR is needed"
PAGE_SEPARATOR = "\n\n"
EDGE_LINES = 8  # how deep into a page's top and bottom furniture is looked for

_WORD = re.compile(r"^[^\W\d_]+(?:['’\-][^\W\d_]+)*$")
_TOKEN_EDGES = ".,;:!?()[]{}<>\"'“”‘’«»-–—/*•"
_VOWELS = frozenset("aeiouy")


def page_text_is_usable(text: str) -> bool:
    """True when a page's extracted text reads as language, False when it is empty, too thin to tell, or
    glyph-code gibberish (fonts without a Unicode mapping, which extract as punctuation and digit soup).

    Measured on the project's corpus, real pages (prose, attendance tables, grant tables) score 0.78-0.99
    word-like tokens, 0.68-0.97 letters among non-space characters and 0.36-0.41 vowels among ASCII
    letters; the Horsley glyph soup scores 0 on the first two. The thresholds leave a wide margin.
    """
    tokens = text.split()
    words = [token for token in (t.strip(_TOKEN_EDGES) for t in tokens) if token and _WORD.match(token)]
    if len(words) < 3 or len(words) < 0.5 * len(tokens):
        return False
    non_space = sum(not c.isspace() for c in text)
    if sum(c.isalpha() for c in text) < 0.5 * non_space:
        return False
    ascii_letters = [c for c in text.lower() if c.isascii() and c.isalpha()]
    if len(ascii_letters) >= 40:
        # Letters from a shifted or scrambled encoding have the wrong share of vowels.
        vowel_share = sum(c in _VOWELS for c in ascii_letters) / len(ascii_letters)
        if not 0.25 <= vowel_share <= 0.6:
            return False
    return True


OCR_FOUND_NOTHING = "scanned PDF, but OCR found no text on its pages"


def read_pdf(path: Path, ocr: str = "never", progress: OcrProgress | None = None) -> Document:
    """A .pdf file as text with its pages (see the module docstring). `ocr` is "auto" (OCR the pages whose
    text layer is unusable), "always" (OCR every page) or "never"; `progress` is called after each OCR'd
    page with (pages done, pages to do)."""
    texts = extract_page_texts(path)
    usable = [page_text_is_usable(text) for text in texts]
    to_ocr = pages_to_ocr(usable, ocr)
    if to_ocr:
        read = ocr_pdf_pages(path, to_ocr, progress=progress)
        for page in read:
            texts[page.number - 1] = page.text
        if not any(text.strip() for text in texts):
            raise IngestError(OCR_FOUND_NOTHING)
        return pages_to_document(str(path), texts, {page.number: page.confidence for page in read})
    gibberish = [not ok and len("".join(text.split())) >= 20 for ok, text in zip(usable, texts, strict=True)]
    if not any(usable) or sum(gibberish) > sum(usable):
        raise IngestError(SCANNED_MESSAGE)
    # A few pages of glyph soup among real ones (a scanned annex) are left empty rather than indexed.
    texts = ["" if bad else text for bad, text in zip(gibberish, texts, strict=True)]
    return pages_to_document(str(path), texts)


def extract_page_texts(path: Path) -> list[str]:
    """Each page's raw text, hidden (clipped) runs removed; IngestError for files pypdf cannot open."""
    data = path.read_bytes()
    if not data:
        raise IngestError("the file is empty")
    if b"%PDF-" not in data[:1024]:
        raise IngestError("not a readable PDF (it has no %PDF header)")
    if b"%%EOF" not in data[-4096:]:
        raise IngestError("not a readable PDF (it is truncated: the end-of-file marker is missing)")
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except DependencyError as exc:
                raise IngestError("the PDF is encrypted (with AES, which needs the 'cryptography' package)") from exc
            if not decrypted:
                raise IngestError("the PDF is encrypted")
        pages = list(reader.pages)
    except IngestError:
        raise
    except FileNotDecryptedError as exc:
        raise IngestError("the PDF is encrypted") from exc
    except Exception as exc:  # pypdf raises assorted errors (and some plain ones) on damaged files
        raise IngestError(f"not a readable PDF ({_reason(exc)})") from exc
    if not pages:
        raise IngestError("not a readable PDF (it has no pages)")
    texts: list[str] = []
    failures: list[BaseException] = []
    for page in pages:
        try:
            texts.append(_page_text(page))
        except Exception as exc:  # a damaged content stream spoils one page, not the document
            failures.append(exc)
            texts.append("")
    if len(failures) == len(pages):
        raise IngestError(f"not a readable PDF ({_reason(failures[0])})")
    return texts


def _reason(exc: BaseException) -> str:
    return one_line(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


# --- hidden text ------------------------------------------------------------------------------------------

_PAINT = frozenset(b"n f F f* S s B B* b b*".split())
_PATH = frozenset(b"m l c v y h".split())


@dataclass
class _ClipTracker:
    """Follows the clipping box (as a device-space rectangle) through a content stream, and records text
    chunks that start left of it together with the part of them that is visible."""

    clip: tuple[float, float, float, float] | None = None
    stack: list[tuple[float, float, float, float] | None] = field(default_factory=list)
    path: list[tuple[float, float]] = field(default_factory=list)
    clipping: bool = False
    hidden: list[tuple[str, str]] = field(default_factory=list)

    def operator(self, operator: bytes, operands: Sequence[Any], cm: Sequence[float], tm: Sequence[float]) -> None:
        if operator == b"q":
            self.stack.append(self.clip)
        elif operator == b"Q":
            self.clip = self.stack.pop() if self.stack else None
        elif operator == b"re" and len(operands) == 4:
            x, y, w, h = (float(v) for v in operands)
            self.path.extend(_apply(cm, px, py) for px, py in ((x, y), (x + w, y + h), (x, y + h), (x + w, y)))
        elif operator in _PATH and len(operands) >= 2:
            self.path.append(_apply(cm, float(operands[-2]), float(operands[-1])))
        elif operator in (b"W", b"W*"):
            self.clipping = True
        elif operator in _PAINT:
            if self.clipping and self.path:
                xs, ys = [p[0] for p in self.path], [p[1] for p in self.path]
                box = (min(xs), min(ys), max(xs), max(ys))
                old = self.clip
                self.clip = (
                    box
                    if old is None
                    else (max(old[0], box[0]), max(old[1], box[1]), min(old[2], box[2]), min(old[3], box[3]))
                )
            self.path.clear()
            self.clipping = False

    def text(self, text: str, cm: Sequence[float], tm: Sequence[float], font: Any, size: float) -> None:
        if self.clip is None or not text.strip():
            return
        x, _ = _apply(cm, *_apply(tm, 0.0, 0.0))
        left = self.clip[0]
        if x >= left - 1.0:
            return
        scale = size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
        widths = _widths(font)
        hidden = 0
        for char in text:
            width = widths(char) * scale
            if x + width / 2 >= left:
                break
            x += width
            hidden += 1
        if hidden:
            self.hidden.append((text, text[hidden:]))


def _apply(matrix: Sequence[float], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = (float(v) for v in matrix[:6])
    return a * x + c * y + e, b * x + d * y + f


def _widths(font: Any) -> Any:
    """A char -> advance width (in text space units per unit font size) function for a simple font;
    half an em for anything it cannot tell."""
    try:
        font = font.get_object() if font is not None else None
        widths = [float(w) for w in font["/Widths"].get_object()]
        first = int(font.get("/FirstChar", 0))
    except Exception:  # Type0 and standard-14 fonts carry no /Widths array: estimate
        return lambda char: 0.5

    def width(char: str) -> float:
        index = ord(char) - first
        return widths[index] / 1000 if 0 <= index < len(widths) and widths[index] > 0 else 0.5

    return width


def _page_text(page: Any) -> str:
    tracker = _ClipTracker()
    text = page.extract_text(visitor_operand_before=tracker.operator, visitor_text=tracker.text)
    cursor = 0
    for chunk, visible in tracker.hidden:
        at = text.find(chunk, cursor)
        if at < 0:
            continue
        text = text[:at] + visible + text[at + len(chunk) :]
        cursor = at + len(visible)
    return str(text)


# --- cleaning and assembling ------------------------------------------------------------------------------


def _key(line: str) -> str:
    """A line as compared across pages: digits masked, rules of dots or underscores and spaces squeezed."""
    line = re.sub(r"\d+", "#", line.strip())
    line = re.sub(r"[_.…]{3,}", "_", line)
    return " ".join(line.split())


def remove_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Peel running headers, footers and page numbers off each page's top and bottom (module docstring)."""
    edges = [[_key(line) for line in lines if line.strip()] for lines in pages]
    tops = [keys[:EDGE_LINES] for keys in edges]
    bottoms = [keys[::-1][:EDGE_LINES] for keys in edges]  # counted from the last line up
    counted = len([keys for keys in edges if keys])
    needed = max(2, math.ceil(counted / 2))
    top_counts = Counter(key for keys in tops for key in set(keys))
    bottom_counts = Counter(key for keys in bottoms for key in set(keys))
    first_page = next((i for i, keys in enumerate(edges) if keys), 0)

    def running(key: str, position: int, counts: Counter[str], before: list[str] | None) -> bool:
        """At least half the pages have it at this edge, or the page before has it at the same place."""
        if counts[key] >= needed:
            return True
        return before is not None and len(key) >= 10 and position < len(before) and before[position] == key

    cleaned: list[list[str]] = []
    for index, lines in enumerate(pages):
        before_top = tops[index - 1] if index else None
        before_bottom = bottoms[index - 1] if index else None
        start, end, position = 0, len(lines), 0
        kept_head: list[str] = []
        while start < end:
            line = lines[start]
            if line.strip():
                if not is_page_number_line(line):
                    if not running(_key(line), position, top_counts, before_top):
                        break
                    if index == first_page:
                        kept_head.append(line)  # a running title on the first page doubles as its heading
                position += 1
            start += 1
        position = 0
        while end > start:
            line = lines[end - 1]
            if line.strip():
                if not (is_page_number_line(line) or running(_key(line), position, bottom_counts, before_bottom)):
                    break
                position += 1
            end -= 1
        cleaned.append(kept_head + lines[start:end])
    return cleaned


_BROKEN_WORD = re.compile(r"\b([^\W\d_]+)-\n([^\W\d_]+)")
_SUFFIXES = frozenset(
    "tion tions sion sions ment ments ness nesses ship ships ity ities ing ings ance ances ence ences able "
    "ible ably ibly ally ical ive ives ous ously ful fully less ised ized ising izing isation isations "
    "ization izations ation ations ure ures ly ed es er ers ist ists ism ary ory ise ize ible ant ants ent "
    "ents ial ian ians age ages".split()
)


def join_hyphenated_lines(text: str, vocabulary: set[str]) -> str:
    """Rejoin "word-\\nword" breaks between lowercase letters (rule in the module docstring)."""

    def join(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        if not (head[-1].islower() and tail[0].islower()):
            return match.group(0)
        joined = head + tail
        if joined.lower() in vocabulary or tail.lower() in _SUFFIXES:
            return joined
        return f"{head}-{tail}"

    return _BROKEN_WORD.sub(join, text)


def pages_to_document(
    source: str, page_texts: list[str], ocr_confidence: Mapping[int, float | None] | None = None
) -> Document:
    """Clean raw page texts and join them into a Document whose pages are contiguous and cover its text.
    `ocr_confidence` maps the 1-based numbers of pages whose text came from OCR to their mean word
    confidence (None when OCR found no words)."""
    ocr_pages = dict(ocr_confidence or {})
    pages = [normalise_text(text).split("\n") for text in page_texts]
    # A text layer's leading spaces are noise; OCR'd text keeps the indentation OCR measured.
    pages = [
        lines if number in ocr_pages else [line.lstrip() for line in lines] for number, lines in enumerate(pages, 1)
    ]
    pages = remove_page_furniture(pages)
    texts = [normalise_text("\n".join(lines)) for lines in pages]
    vocabulary = {word.lower() for text in texts for word in re.findall(r"[^\W\d_]+", text.replace("-\n", " "))}
    texts = [join_hyphenated_lines(text, vocabulary) for text in texts]
    text = ""
    starts: list[int] = []
    for page_text in texts:
        starts.append(len(text))
        if page_text:
            text += page_text + PAGE_SEPARATOR
    text = text[: len(text) - len(PAGE_SEPARATOR)] if text.endswith(PAGE_SEPARATOR) else text
    starts = [min(start, len(text)) for start in starts]
    ends = starts[1:] + [len(text)]
    records = tuple(
        Page(number=i + 1, start=start, end=end, ocr=i + 1 in ocr_pages, confidence=ocr_pages.get(i + 1))
        for i, (start, end) in enumerate(zip(starts, ends, strict=True))
    )
    if not text.strip():
        raise IngestError(SCANNED_MESSAGE)
    return Document(source=source, format="pdf", text=text, pages=records)
