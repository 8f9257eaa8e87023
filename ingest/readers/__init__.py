"""One reader per file format behind one small interface: `read(path) -> Document`.

Each reader returns the file's text normalised (LF newlines, no NULs, trailing spaces stripped, hyphenated
line breaks joined, repeating page furniture dropped) and raises `IngestError` with a one-line reason for a
file it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.models import Document, IngestError
from ingest.ocr import OcrProgress, check_ocr_mode

Reader = Callable[[Path], Document]

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")


def reader_for(path: Path) -> Reader:
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md", ".markdown"):
        from ingest.readers.text import read_text

        return read_text
    if suffix in (".html", ".htm"):
        from ingest.readers.html import read_html

        return read_html
    if suffix == ".pdf":
        from ingest.readers.pdf import read_pdf

        return read_pdf
    if suffix == ".docx":
        from ingest.readers.docx import read_docx

        return read_docx
    raise IngestError(f"unsupported file type {suffix or '(none)'}; minutebook reads {', '.join(SUPPORTED_SUFFIXES)}")


def read_document(path: Path, ocr: str = "never", progress: OcrProgress | None = None) -> Document:
    """Read any supported file; raises IngestError with a one-line reason.

    `ocr` ("auto", "always" or "never") says which PDF pages go to OCR (see `ingest.readers.pdf`); it is
    "never" unless the caller asks, since OCR needs Tesseract and takes seconds a page. `progress` is called
    after each OCR'd page with (pages done, pages to do).
    """
    check_ocr_mode(ocr)
    if not path.is_file():
        raise IngestError("not a file")
    reader = reader_for(path)
    try:
        if path.stat().st_size == 0:
            raise IngestError("the file is empty")
        if path.suffix.lower() == ".pdf":
            from ingest.readers.pdf import read_pdf

            return read_pdf(path, ocr=ocr, progress=progress)
        return reader(path)
    except OSError as exc:  # permission denied, a file vanishing mid-read, a disk error
        raise IngestError(f"cannot read the file ({exc.strerror or type(exc).__name__})") from exc
