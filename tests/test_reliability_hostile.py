"""Hostile content: markup in minutes is shown as text on the page and in the exports; upload names cannot
write outside the library; decompression bombs (Word and PDF) are refused quickly; nothing in the packages
deserialises with pickle or evaluates strings; the server binds to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import socket
import subprocess
import time
import tomllib
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from pypdf.generic import NameObject, NumberObject, StreamObject
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from ingest.ocr import MAX_PAGE_INSTRUCTION_BYTES, require_tesseract
from ingest.readers.docx import MAX_DOCUMENT_XML_BYTES, MAX_PACKAGE_BYTES
from ingest.settings import load_settings
from tests.conftest import REPO
from tests.reliability.figures import record
from tests.reliability.helpers import HASHING, error_lines, fingerprint, minutebook, minutebook_command, subprocess_env
from tests.reliability.html_check import injected, page_pieces, parse_html, render_markdown, shown_text

HOSTILE_MINUTES = Path(__file__).parent / "reliability" / "data" / "hostile-minutes.txt"
HOSTILE_NAME = "<img src=x onerror=alert(1)> [x](javascript:alert(2)).txt"
APP = REPO / "ui" / "app.py"
PACKAGES = ["ingest", "index", "assistant", "ui", "eval"]

COMMITTEE = '<b>Evilton</b> <script>alert("committee")</script> Parish Council'
VENUE = "<img src=x onerror=\"alert('venue')\"> Hall"
ITEM_TITLE = "WEBSITE <B>SECURITY</B> <IMG SRC=X ONERROR=ALERT(6)> [SEE](JAVASCRIPT:ALERT(7))"
BODY = [
    '<script>window.__pwned = 1; alert("pwned")</script> and a <b>bold</b> tag, <a href="javascript:alert(5)">',
    '<img src=x onerror="window.__pwned = 2">',
]


def tesseract_available() -> bool:
    try:
        require_tesseract()
    except Exception:
        return False
    return True


# --- the page -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library of the hostile minutes, ingested from a file whose own name is markup."""
    root = tmp_path_factory.mktemp("hostile")
    source = root / "minutes" / HOSTILE_NAME
    source.parent.mkdir()
    shutil.copy(HOSTILE_MINUTES, source)
    run = minutebook("ingest", source, "--library", root / "library")
    assert run.exit_code == 0, run.output
    return root / "library"


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What the page's download buttons would send, by file name."""
    sent: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        if filename and isinstance(path_or_data, bytes):
            sent[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return sent


def open_page(library: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("MINUTEBOOK_LIBRARY", str(library))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def check_page(at: AppTest) -> list[str]:
    """No markup from the minutes became an element anywhere on the page; returns the texts the reader sees."""
    assert not at.exception, at.exception
    problems = []
    pieces = page_pieces(at)
    for piece in pieces:
        if piece.kind == "Html":  # st.html: the page's CSS and its own scroll script
            found = injected(parse_html(piece.source), own_tags=frozenset({"script"}))
        else:
            found = injected(render_markdown(piece.source, allow_html=piece.allow_html))
        problems += [f"{piece.kind}: {problem} in {piece.source[:120]!r}" for problem in found]
    assert problems == []
    return [shown_text(piece) for piece in pieces]


def test_markup_in_minutes_is_shown_as_text_everywhere_on_the_page(
    hostile_library: Path, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, bytes]
) -> None:
    at = open_page(hostile_library, monkeypatch)
    at.chat_input(key="question").set_value("What did the clerk report about the contact form?").run()
    at.button(key="brief-t0-1").click().run()

    texts = check_page(at)  # the answer, the cards, the sidebar's library and filters, the briefing tab
    assert any(COMMITTEE in text for text in texts)
    assert any(all(part in text for part in BODY) for text in texts)

    at.button(key="open-t0-1").click().run()
    texts = check_page(at)  # the meeting view
    assert any(COMMITTEE in text for text in texts)
    assert any(VENUE in text for text in texts)
    assert any(ITEM_TITLE in text for text in texts)
    assert any(HOSTILE_NAME in text for text in texts)  # the source file's name, in a caption
    assert any(all(part in text for part in BODY) for text in texts)
    record("hostile", case="markup shown as text on the page", pieces=len(texts))


@pytest.fixture
def exports(hostile_library: Path, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, bytes]) -> dict[str, bytes]:
    """The Markdown and Word briefings the page offers for the hostile item."""
    at = open_page(hostile_library, monkeypatch)
    at.chat_input(key="question").set_value("What did the clerk report about the contact form?").run()
    at.button(key="brief-t0-1").click().run()
    assert not at.exception, at.exception
    assert {"briefing.md", "briefing.docx"} <= set(downloads)
    return downloads


def test_word_export_holds_markup_as_text(exports: dict[str, bytes]) -> None:
    document = docx.Document(io.BytesIO(exports["briefing.docx"]))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert COMMITTEE in text and all(part in text for part in BODY)
    with zipfile.ZipFile(io.BytesIO(exports["briefing.docx"])) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert "&lt;script&gt;" in body and "<script" not in body
    assert "w:hyperlink" not in body  # "[x](javascript:...)" did not become a link
    record("hostile", case="Word export")


def test_markdown_export_holds_markup_as_text(exports: dict[str, bytes]) -> None:
    markdown = exports["briefing.md"].decode("utf-8")
    rendered = render_markdown(markdown, allow_html=True)  # as GitHub, VS Code and pandoc render it
    assert injected(rendered) == []
    assert COMMITTEE in rendered.text and all(part in rendered.text for part in BODY)
    record("hostile", case="Markdown export")


# --- uploads ------------------------------------------------------------------------------------------------

HOSTILE_UPLOAD_NAMES = [
    "../../escaped.txt",
    "../escaped.txt",
    "uploads/../../escaped.txt",
    "..\\..\\escaped.txt",
    "C:\\Windows\\System32\\escaped.txt",
    "\\\\server\\share\\escaped.txt",
    "%2e%2e%2fescaped.txt",
    "\uff0e\uff0e\uff0fescaped.txt",  # full-width "../", which NFKD folds to ASCII
    "escaped\x00.txt",
    "\x00",
    "",
    ".",
    "..",
    ".txt",
    ".hidden.txt",
    "x" * 5000 + ".txt",
    "a/" * 400 + "deep.txt",
    "\u202etxt.exe",
    "minutes.txt ",
    "CON.txt",
    "minutes.pdf\x00.txt",
]


def test_upload_names_cannot_write_outside_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.components.upload import add_uploads, uploads_dir

    monkeypatch.setenv("MINUTEBOOK_MODEL", HASHING)
    settings = load_settings(tmp_path / "root" / "library")
    names = [*HOSTILE_UPLOAD_NAMES, "/" + str(tmp_path / "root" / "absolute.txt").lstrip("/")]
    minutes = HOSTILE_MINUTES.read_text(encoding="utf-8")
    # Each upload is a different set of minutes (a different date), so each is saved, read and indexed.
    files = [(name, minutes.replace("4 March 2025", f"{day} March 2025").encode()) for day, name in enumerate(names, 1)]
    before = {p for p in (tmp_path / "root").rglob("*")}

    outcomes = add_uploads(settings, files)

    created = {p for p in (tmp_path / "root").rglob("*")} - before
    assert created and all(p == settings.library or settings.library in p.parents for p in created)
    assert not (tmp_path / "root" / "absolute.txt").exists()
    saved = sorted(p for p in uploads_dir(settings).rglob("*"))
    assert all(p.parent == uploads_dir(settings) and p.is_file() for p in saved)
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", p.name) for p in saved), [p.name for p in saved]
    added = [o for o in outcomes if o.status == "added"]
    refused = [o for o in outcomes if o.status == "failed"]
    assert len(added) + len(refused) == len(names)
    assert sorted(o.name for o in added) == sorted(p.name for p in saved)
    assert all(o.reason and "\n" not in o.reason for o in refused)
    record("hostile", case="upload names", inputs=len(names), added=len(added), refused=len(refused))


def test_an_upload_over_a_planted_symlink_does_not_write_through_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.components.upload import add_uploads, uploads_dir

    monkeypatch.setenv("MINUTEBOOK_MODEL", HASHING)
    settings = load_settings(tmp_path / "library")
    uploads_dir(settings).mkdir(parents=True)
    target = tmp_path / "outside" / "target.txt"
    target.parent.mkdir()
    (uploads_dir(settings) / "minutes.txt").symlink_to(target)

    [outcome] = add_uploads(settings, [("minutes.txt", HOSTILE_MINUTES.read_bytes())])

    assert not target.exists()
    assert outcome.status in ("added", "failed")
    record("hostile", case="upload over a symlink")


# --- decompression bombs ------------------------------------------------------------------------------------


def docx_bomb(path: Path, members: dict[str, int]) -> None:
    """A Word package whose parts inflate to the given sizes (of one repeated XML element)."""
    block = b"<w:p/>" * (1 << 17)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", b"<Types/>")
        for name, size in members.items():
            with package.open(name, "w", force_zip64=True) as member:
                for _ in range(size // len(block) + 1):
                    member.write(block)


def pdf_with_page(path: Path, content: StreamObject | None, *, width: float = 595, height: float = 842) -> None:
    writer = PdfWriter()
    page = writer.add_blank_page(width, height)
    if content is not None:
        page[NameObject("/Contents")] = writer._add_object(content)
    writer.write(path)


def instruction_bomb(path: Path, megabytes: int) -> None:
    """A page whose drawing instructions inflate to `megabytes` (a few hundred kilobytes on disk)."""
    compressor = zlib.compressobj(9)
    block = b"0 0 m 1 1 l S\n" * 70000
    data = b"".join(compressor.compress(block) for _ in range(megabytes * 1024 * 1024 // len(block) + 1))
    stream = StreamObject()
    stream._data = data + compressor.flush()
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    pdf_with_page(path, stream)


def image_bomb(path: Path) -> None:
    """A page showing one 13,000 x 13,000 grey image of zeros: 169 MB when decoded, 170 kB on disk."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    side = 13_000
    compressor = zlib.compressobj(9)
    row = bytes(side)
    data = b"".join(compressor.compress(row * 100) for _ in range(side // 100)) + compressor.flush()
    image = StreamObject()
    image._data = data
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(side),
            NameObject("/Height"): NumberObject(side),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/FlateDecode"),
        }
    )
    from pypdf.generic import DictionaryObject

    resources = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    page[NameObject("/Resources")] = resources
    content = StreamObject()
    content._data = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    page[NameObject("/Contents")] = writer._add_object(content)
    writer.write(path)


BOMBS: list[tuple[str, str, Callable[[Path], None], str, bool]] = [
    (
        "docx whose text part inflates past 50 MB",
        "minutes.docx",
        lambda path: docx_bomb(path, {"word/document.xml": MAX_DOCUMENT_XML_BYTES + 1}),
        "the Word document is too large to read safely (its text part inflates to more than 50 MB)",
        False,
    ),
    (
        "docx whose parts together inflate past 200 MB",
        "minutes.docx",
        lambda path: docx_bomb(
            path,
            {"word/document.xml": 1024, **{f"word/media/part{i}.xml": MAX_PACKAGE_BYTES // 4 for i in range(5)}},
        ),
        "the Word document is too large to read safely (it inflates to more than 200 MB)",
        False,
    ),
    (
        "pdf page of 300 MB of drawing instructions",
        "scan.pdf",
        lambda path: instruction_bomb(path, 300),
        "page 1 is too large to render for OCR safely (its drawing instructions inflate to more than "
        f"{MAX_PAGE_INSTRUCTION_BYTES // (1024 * 1024)} MB)",
        True,
    ),
    (
        "pdf page of 20 MB of drawing instructions",
        "scan.pdf",
        lambda path: instruction_bomb(path, 20),
        "page 1 is too large to render for OCR safely (its drawing instructions inflate to more than "
        f"{MAX_PAGE_INSTRUCTION_BYTES // (1024 * 1024)} MB)",
        True,
    ),
    (
        "pdf with a 169-megapixel image",
        "scan.pdf",
        image_bomb,
        "page 1 is too large to render for OCR safely (an image of 169 megapixels)",
        True,
    ),
]


@pytest.mark.parametrize(("name", "make", "reason", "needs_ocr"), [b[1:] for b in BOMBS], ids=[b[0] for b in BOMBS])
def test_a_decompression_bomb_is_refused_quickly_in_one_line(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    name: str,
    make: Callable[[Path], None],
    reason: str,
    needs_ocr: bool,
) -> None:
    if needs_ocr and not tesseract_available():
        pytest.skip("Tesseract is not installed (the PDF reader refuses before OCR without it)")
    path = tmp_path / name
    make(path)
    assert path.stat().st_size < 3 * 1024 * 1024
    library = tmp_path / "library"
    assert minutebook("ingest", HOSTILE_MINUTES, "--library", library).exit_code == 0
    before = fingerprint(library)

    started = time.monotonic()
    run = minutebook("ingest", path, "--library", library)  # --ocr auto, the default
    seconds = time.monotonic() - started

    assert run.exit_code == 1
    assert error_lines(run.stderr, path) == [f"error: {path}: {reason}"]
    assert "Traceback" not in run.output
    assert fingerprint(library) == before
    assert seconds < 30
    record("hostile", case=f"bomb: {request.node.callspec.id}", seconds=round(seconds, 2))


@pytest.mark.skipif(not tesseract_available(), reason="needs Tesseract")
def test_a_huge_page_is_rendered_small_enough_to_ocr(tmp_path: Path) -> None:
    """A blank 200 x 200 inch page would be a 3.6-gigapixel bitmap at 300 dpi; it is rendered at most 80 MP."""
    path = tmp_path / "poster.pdf"
    pdf_with_page(path, None, width=14_400, height=14_400)
    started = time.monotonic()
    run = minutebook("ingest", path, "--library", tmp_path / "library")
    seconds = time.monotonic() - started
    assert run.exit_code == 1
    assert error_lines(run.stderr, path) == [f"error: {path}: scanned PDF, but OCR found no text on its pages"]
    assert seconds < 60
    record("hostile", case="huge page rendered small", seconds=round(seconds, 2))


# --- code and configuration ---------------------------------------------------------------------------------

FORBIDDEN_TEXT = [
    (re.compile(r"allow_dangerous_deserialization"), "allow_dangerous_deserialization"),
    (re.compile(r"^\s*(?:import|from)\s+(?:c?pickle|_pickle|dill|shelve|marshal|cloudpickle)\b", re.M), "pickle"),
    (re.compile(r"\b(?:c?pickle|dill|joblib)\.loads?\("), "pickle"),
    (re.compile(r"allow_pickle\s*=\s*True"), "allow_pickle=True"),
    (re.compile(r"weights_only\s*=\s*False"), "torch.load without weights_only"),
    (re.compile(r"\byaml\.(?:unsafe_)?load\("), "yaml.load"),
]


def package_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (REPO / package).rglob("*.py"))


def test_nothing_deserialises_with_pickle_or_evaluates_strings() -> None:
    found = []
    for path in package_files():
        source = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(REPO)}: {what}" for pattern, what in FORBIDDEN_TEXT if pattern.search(source)]
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec", "compile", "__import__"):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.func.id}()")
                for keyword in node.keywords:
                    if keyword.arg == "shell" and not (
                        isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                    ):
                        found.append(f"{path.relative_to(REPO)}:{node.lineno}: shell=")
    assert len(package_files()) > 50
    assert found == []
    record("hostile", case="no pickle or eval", files=len(package_files()))


def test_the_grep_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The patterns above catch the real thing (so the test above cannot pass by matching nothing)."""
    bad = "import pickle\nx = pickle.loads(b'')\nfaiss = load(allow_dangerous_deserialization=True)\n"
    bad += "np.load(f, allow_pickle=True)\n"
    assert {what for pattern, what in FORBIDDEN_TEXT if pattern.search(bad)} == {
        "pickle",
        "allow_dangerous_deserialization",
        "allow_pickle=True",
    }
    calls = [
        n.func.id
        for n in ast.walk(ast.parse("eval('1')\nexec('x=1')\nmodel.eval()\n"))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    ]
    assert calls == ["eval", "exec"]


def test_streamlit_config_binds_loopback() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False


def test_the_ui_command_defaults_to_loopback() -> None:
    from ui.commands.ui_cmd import ui_cmd

    [host] = [p for p in ui_cmd.params if p.name == "host"]
    assert host.default == "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_running_server_listens_on_loopback_only(tmp_path: Path) -> None:
    import psutil

    port = free_port()
    process = subprocess.Popen(
        minutebook_command("ui", "--port", str(port), "--library", tmp_path / "library"),
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        listening: list[tuple[str, int]] = []
        while time.monotonic() < deadline and not listening:
            connections = psutil.Process(process.pid).net_connections(kind="inet")
            listening = [c.laddr for c in connections if c.status == psutil.CONN_LISTEN]
            time.sleep(0.2)
        assert listening, "the server never started listening"
        assert {address.ip for address in listening} == {"127.0.0.1"}
        assert {address.port for address in listening} == {port}
        other = non_loopback_address()
        if other:
            with socket.socket() as client, pytest.raises(OSError):
                client.settimeout(2)
                client.connect((other, port))
    finally:
        process.terminate()
        process.wait(30)
    record("hostile", case="server binds loopback")


def test_environment_cannot_switch_the_page_to_another_address() -> None:
    """`minutebook ui` passes --server.address on the command line, which wins over STREAMLIT_SERVER_ADDRESS
    and any config file (Streamlit's order: flags, then environment, then config files)."""
    from ui.commands.ui_cmd import streamlit_command

    command = streamlit_command(load_settings("/tmp/x"), "127.0.0.1", 8501, open_browser=False)
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert flags["--server.address"] == "127.0.0.1"
    assert os.environ.get("STREAMLIT_SERVER_ADDRESS") in (None, "127.0.0.1")
