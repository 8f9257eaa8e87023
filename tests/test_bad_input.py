"""Files the readers must refuse, each with one clear line saying what is wrong, and awkward files they must
still read (legacy encodings, owner-password PDFs). Bad files are made in tmp_path from real ones."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from ingest.models import IngestError
from ingest.readers import read_document
from ingest.readers.docx import MAX_DOCUMENT_XML_BYTES
from ingest.readers.pdf import SCANNED_MESSAGE
from tests.conftest import DATA

EXTERNAL = DATA / "external"
MILBURN = EXTERNAL / "milburn-parish-council-monthly-2017-03-07.pdf"
NEWBIGGIN = EXTERNAL / "newbiggin-parish-council-monthly-2019-09-03.docx"


def refusal(path: Path) -> str:
    """The one-line reason read_document gives for refusing `path`."""
    with pytest.raises(IngestError) as error:
        read_document(path)
    message = str(error.value)
    assert message and "\n" not in message and message == message.strip()
    return message


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def random_bytes(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


# --- every format -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".htm", ".pdf", ".docx"])
def test_empty_file(tmp_path: Path, suffix: str) -> None:
    assert refusal(write(tmp_path, f"minutes{suffix}", b"")) == "the file is empty"


@pytest.mark.parametrize("name", ["minutes.xlsx", "minutes", "minutes.doc"])
def test_unsupported_file_type(tmp_path: Path, name: str) -> None:
    message = refusal(write(tmp_path, name, b"Minutes of the meeting"))
    suffix = Path(name).suffix or "(none)"
    assert message == (
        f"unsupported file type {suffix}; minutebook reads .txt, .md, .markdown, .html, .htm, .pdf, .docx"
    )


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "minutes.pdf").mkdir()
    assert refusal(tmp_path / "minutes.pdf") == "not a file"


# --- PDF --------------------------------------------------------------------------------------------------


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    assert refusal(write(tmp_path, "minutes.pdf", random_bytes(5000))) == "not a readable PDF (it has no %PDF header)"


def test_truncated_pdf(tmp_path: Path) -> None:
    data = MILBURN.read_bytes()
    message = refusal(write(tmp_path, "minutes.pdf", data[: len(data) // 2]))
    assert message == "not a readable PDF (it is truncated: the end-of-file marker is missing)"


def test_pdf_with_a_corrupt_body(tmp_path: Path) -> None:
    data = b"%PDF-1.7\n" + random_bytes(20000) + b"\n%%EOF\n"
    message = refusal(write(tmp_path, "minutes.pdf", data))
    assert message.startswith("not a readable PDF (") and message.endswith(")")


def test_encrypted_pdf(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=MILBURN)
    writer.encrypt(user_password="clerk-only", owner_password="owner")
    path = tmp_path / "minutes.pdf"
    writer.write(path)
    assert refusal(path) == "the PDF is encrypted"


def test_pdf_encrypted_with_only_an_owner_password_still_reads(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=MILBURN)
    writer.encrypt(user_password="", owner_password="owner")
    path = tmp_path / "minutes.pdf"
    writer.write(path)
    assert "17.03.7  Logo" in read_document(path).text


def test_pdf_with_only_blank_pages(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "minutes.pdf"
    writer.write(path)
    assert refusal(path) == SCANNED_MESSAGE == "scanned PDF with no usable text layer; OCR is needed"


def test_pdf_with_only_an_image(tmp_path: Path) -> None:
    rng = random.Random(3)
    image = Image.new("L", (400, 560), 255)
    image.putdata([rng.choice((0, 255)) for _ in range(400 * 560)])
    path = tmp_path / "scan.pdf"
    image.save(path, format="PDF")
    assert refusal(path) == SCANNED_MESSAGE


def test_scanned_pdf_from_the_corpus(tmp_path: Path) -> None:
    assert refusal(EXTERNAL / "china-falls-hoa-monthly-2005-05-04.pdf") == SCANNED_MESSAGE


# --- Word -------------------------------------------------------------------------------------------------


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    message = refusal(write(tmp_path, "minutes.docx", b"Minutes of the meeting, typed in Notepad\n"))
    assert message == "not a readable Word document (it is not a zip package)"


def test_docx_that_is_an_old_word_file(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random_bytes(2000)
    message = refusal(write(tmp_path, "minutes.docx", data))
    assert message == "not a readable Word document (an old-format .doc or a password-protected file)"


def test_docx_that_is_a_zip_of_junk(tmp_path: Path) -> None:
    path = write(tmp_path, "minutes.docx", zip_bytes({"notes.bin": random_bytes(3000)}))
    assert refusal(path) == "not a readable Word document (the package has no word/document.xml)"


def test_docx_whose_document_part_is_junk(tmp_path: Path) -> None:
    data = zip_bytes({"[Content_Types].xml": b"<Types", "word/document.xml": random_bytes(3000)})
    message = refusal(write(tmp_path, "minutes.docx", data))
    assert message.startswith("not a readable Word document (") and message.endswith(")")


def test_truncated_docx(tmp_path: Path) -> None:
    data = NEWBIGGIN.read_bytes()
    message = refusal(write(tmp_path, "minutes.docx", data[: len(data) // 2]))
    assert message.startswith("not a readable Word document (")


def test_docx_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "minutes.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        with package.open("word/document.xml", "w") as member:
            block = b"<w:p/>" * (1 << 17)
            for _ in range(MAX_DOCUMENT_XML_BYTES // len(block) + 1):
                member.write(block)
    assert path.stat().st_size < 1024 * 1024  # a few hundred kilobytes on disk
    assert refusal(path) == (
        "the Word document is too large to read safely (its text part inflates to more than 50 MB)"
    )


# --- text -------------------------------------------------------------------------------------------------


def test_windows_1252_text_decodes_with_the_right_characters(tmp_path: Path) -> None:
    data = "Minutes \u2013 the Clerk\u2019s report: grant of £500 to the caf\u00e9.\r\n".encode("cp1252")
    assert b"\xa3" in data and b"\x92" in data  # not UTF-8
    text = read_document(write(tmp_path, "minutes.txt", data)).text
    assert text == "Minutes – the Clerk’s report: grant of £500 to the café."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_text_with_a_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    body = "1. Apologies\r\nCllr Łukasz Nowak sent apologies – £0 claimed.\r\n"
    data = body.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    text = read_document(write(tmp_path, "minutes.txt", data)).text
    assert text == "1. Apologies\nCllr Łukasz Nowak sent apologies – £0 claimed."


def test_utf16_without_a_byte_order_mark(tmp_path: Path) -> None:
    data = "1. Apologies\nNone received.\n".encode("utf-16-le")
    assert read_document(write(tmp_path, "minutes.txt", data)).text == "1. Apologies\nNone received."


def test_binary_file_named_txt(tmp_path: Path) -> None:
    message = refusal(write(tmp_path, "minutes.txt", random_bytes(4000)))
    assert message == "not a text file (it contains NUL bytes)"


def test_undecodable_bytes_named_txt(tmp_path: Path) -> None:
    data = b"Minutes \x81\x8d\x8f\x90\x9d of the meeting " * 20  # invalid UTF-8, undefined in Windows-1252
    message = refusal(write(tmp_path, "minutes.md", data))
    assert message == "not a text file (its bytes are neither UTF-8 nor Windows-1252 text)"


def test_control_characters_named_txt(tmp_path: Path) -> None:
    data = bytes(range(1, 32)) * 40
    assert refusal(write(tmp_path, "minutes.txt", data)) == "not a text file (it holds binary control characters)"


def test_text_with_only_whitespace(tmp_path: Path) -> None:
    assert refusal(write(tmp_path, "minutes.txt", b" \r\n\t\n")) == "the file has no text"


def test_markdown_with_only_front_matter(tmp_path: Path) -> None:
    data = b"---\ndate: 2020-01-01\n---\n"
    assert refusal(write(tmp_path, "minutes.md", data)) == "the file has no text"


# --- HTML -------------------------------------------------------------------------------------------------


def test_binary_file_named_html(tmp_path: Path) -> None:
    message = refusal(write(tmp_path, "minutes.html", random_bytes(4000)))
    assert message == "not an HTML file (it contains binary data)"


def test_html_with_no_visible_text(tmp_path: Path) -> None:
    data = b"<html><head><title>Minutes</title><script>var minutes = 'hidden';</script></head><body></body></html>"
    assert refusal(write(tmp_path, "minutes.html", data)) == "the HTML page has no visible text"
