"""Bad input through the real `minutebook ingest` command: each refused file gets one line naming it and the
reason, the exit code is 1, no traceback, and the library is byte-for-byte what it was (or still absent).
Awkward but valid files (Windows-1252, UTF-16) go in with the same text as the UTF-8 original.

Bad files are made in tmp_path from the sample minutes and the test corpus."""

from __future__ import annotations

import html
import json
import random
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfWriter

from index.library import Library
from ingest.pipeline import ingest_file
from ingest.readers.pdf import SCANNED_MESSAGE
from ingest.settings import load_settings
from tests.conftest import DATA
from tests.reliability.figures import record
from tests.reliability.helpers import (
    JANUARY,
    SEPTEMBER,
    error_lines,
    fingerprint,
    minutebook,
    minutebook_command,
    preamble_only,
    sample_text,
    subprocess_env,
    without_dates,
)

EXTERNAL = DATA / "external"
MILBURN = EXTERNAL / "milburn-parish-council-monthly-2017-03-07.pdf"
SCANNED = EXTERNAL / "china-falls-hoa-monthly-2005-05-04.pdf"


def random_bytes(size: int, seed: int = 11) -> bytes:
    return random.Random(seed).randbytes(size)


def encrypted_pdf(path: Path) -> None:
    writer = PdfWriter(clone_from=MILBURN)
    writer.encrypt(user_password="clerk-only", owner_password="owner")
    writer.write(path)


def junk_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("notes.bin", random_bytes(3000))
        package.writestr("[Content_Types].xml", random_bytes(200, seed=2))


def writer_of(data: Callable[[], bytes]) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data())


# (case, file name, how to make it, extra command-line options, extra environment, the reason shown)
BAD_FILES: list[tuple[str, str, Callable[[Path], None], list[str], dict[str, str], str]] = [
    ("empty file", "minutes.txt", writer_of(lambda: b""), [], {}, "the file is empty"),
    ("empty pdf", "minutes.pdf", writer_of(lambda: b""), [], {}, "the file is empty"),
    (
        "random bytes named .pdf",
        "minutes.pdf",
        writer_of(lambda: random_bytes(5000)),
        [],
        {},
        "not a readable PDF (it has no %PDF header)",
    ),
    (
        "truncated pdf",
        "minutes.pdf",
        writer_of(lambda: MILBURN.read_bytes()[: MILBURN.stat().st_size // 2]),
        [],
        {},
        "not a readable PDF (it is truncated: the end-of-file marker is missing)",
    ),
    ("encrypted pdf", "minutes.pdf", encrypted_pdf, [], {}, "the PDF is encrypted"),
    (
        "scanned pdf, --ocr never",
        "scan.pdf",
        writer_of(SCANNED.read_bytes),
        ["--ocr", "never"],
        {},
        SCANNED_MESSAGE,
    ),
    (
        "docx that is a zip of junk",
        "minutes.docx",
        junk_zip,
        [],
        {},
        "not a readable Word document (the package has no word/document.xml)",
    ),
    (
        "docx that is not a zip",
        "minutes.docx",
        writer_of(lambda: sample_text().encode()),
        [],
        {},
        "not a readable Word document (it is not a zip package)",
    ),
    (
        "random bytes named .txt",
        "minutes.txt",
        writer_of(lambda: random_bytes(4000)),
        [],
        {},
        "not a text file (it contains NUL bytes)",
    ),
    (
        "0-item document",
        "minutes.txt",
        writer_of(lambda: preamble_only(sample_text()).encode()),
        [],
        {},
        "no agenda items found; is this a set of minutes?",
    ),
    (
        "no findable date",
        "minutes.txt",
        writer_of(lambda: without_dates(sample_text()).encode()),
        [],
        {},
        "no meeting date found in the text; pass --date YYYY-MM-DD",
    ),
    (
        "over the size limit",
        "minutes.txt",
        writer_of(SEPTEMBER.read_bytes),
        [],
        {"MINUTEBOOK_MAX_FILE_MB": "0.01"},
        "the file is 0.0375 MB, over the 0.01 MB limit",
    ),
    (
        "unsupported type",
        "minutes.xlsx",
        writer_of(lambda: random_bytes(300)),
        [],
        {},
        "unsupported file type .xlsx; minutebook reads .txt, .md, .markdown, .html, .htm, .pdf, .docx",
    ),
    ("missing file", "gone.txt", lambda path: None, [], {}, "no such file"),
]


@pytest.fixture(scope="module")
def base_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library holding the January sample, built by the command itself."""
    path = tmp_path_factory.mktemp("base") / "library"
    run = minutebook("ingest", JANUARY, "--library", path)
    assert run.exit_code == 0, run.output
    return path


@pytest.fixture
def library(base_library: Path, tmp_path: Path) -> Path:
    path = tmp_path / "library"
    shutil.copytree(base_library, path)
    return path


def assert_refused(run_output: str, path: Path, reason: str) -> None:
    """Exactly one line names the file, and it is `error: <file>: <reason>`; no traceback anywhere."""
    assert error_lines(run_output, path) == [f"error: {path}: {reason}"], run_output
    assert "Traceback" not in run_output


@pytest.mark.parametrize("state", ["existing library", "no library yet"])
@pytest.mark.parametrize(
    ("name", "make", "options", "env", "reason"), [case[1:] for case in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_a_bad_file_is_one_line_exit_1_and_the_library_is_untouched(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    state: str,
    name: str,
    make: Callable[[Path], None],
    options: list[str],
    env: dict[str, str],
    reason: str,
) -> None:
    target = request.getfixturevalue("library") if state == "existing library" else tmp_path / "new-library"
    path = tmp_path / "in" / name
    path.parent.mkdir()
    make(path)
    before = fingerprint(target)

    run = minutebook("ingest", path, "--library", target, *options, env=env)

    assert run.exit_code == 1
    assert_refused(run.stderr, path, reason)
    assert run.stderr.rstrip().endswith("1 of 1 files could not be ingested.")
    assert fingerprint(target) == before
    if state == "no library yet":
        assert not target.exists()
    record("bad_input", case=request.node.callspec.id, refused=True, unchanged=True)


def test_a_date_given_on_the_command_line_lets_the_undated_minutes_in(tmp_path: Path) -> None:
    no_date = tmp_path / "no-date.txt"
    no_date.write_text(without_dates(sample_text()), encoding="utf-8")
    run = minutebook("ingest", no_date, "--date", "2024-09-17", "--library", tmp_path / "library", "--json")
    assert run.exit_code == 0, run.output
    [outcome] = json.loads(run.stdout)
    assert outcome["meeting_id"] == "children-and-young-people-scrutiny-committee-2024-09-17"
    bad = minutebook("ingest", no_date, "--date", "17/09/2024", "--library", tmp_path / "library")
    assert bad.exit_code == 2 and "'17/09/2024' is not a date like 2025-01-21" in bad.stderr
    assert "Traceback" not in bad.output


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-le", "utf-8-sig"])
def test_legacy_and_utf16_text_goes_in_with_the_utf8_text(tmp_path: Path, encoding: str) -> None:
    text = sample_text()
    data = text.encode(encoding)
    if encoding == "cp1252":
        assert b"\x96" in data  # the en dash: these bytes are not UTF-8
    path = tmp_path / f"minutes-{encoding}.txt"
    path.write_bytes(data)
    expected = ingest_file(SEPTEMBER, load_settings(tmp_path / "unused"))

    run = minutebook("ingest", path, "--library", tmp_path / "library")

    assert run.exit_code == 0, run.output
    assert "Traceback" not in run.output
    loaded = Library.load(tmp_path / "library")
    meeting = loaded.meetings[expected.meeting.meeting_id]
    assert meeting.text == expected.meeting.text and meeting.items == expected.meeting.items
    assert [(c.text, c.start, c.end) for c in loaded.chunks] == [(c.text, c.start, c.end) for c in expected.chunks]
    record("bad_input", case=f"text in {encoding}", refused=False, unchanged=False)


def test_the_same_file_twice_is_ingested_once(library: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-september.txt"
    shutil.copy(SEPTEMBER, copy)

    run = minutebook("ingest", SEPTEMBER, SEPTEMBER, copy, "--library", library, "--json")

    assert run.exit_code == 0, run.output
    outcomes = [(Path(o["file"]).name, o["status"], o["reason"]) for o in json.loads(run.stdout)]
    assert outcomes == [
        (SEPTEMBER.name, "ingested", None),
        (copy.name, "duplicate", f"same content as {SEPTEMBER.name}"),
    ]
    meetings, chunks = sorted(Library.load(library).meetings), Library.load(library).chunks
    assert len(meetings) == 2 and len({c.chunk_id for c in chunks}) == len(chunks)

    # And again, later: nothing is written at all.
    before = fingerprint(library)
    again = minutebook("ingest", SEPTEMBER, copy, "--library", library, "--json")
    assert again.exit_code == 0, again.output
    assert [o["status"] for o in json.loads(again.stdout)] == ["unchanged", "unchanged"]
    assert fingerprint(library) == before
    record("bad_input", case="the same file twice", refused=False, unchanged=True)


def folder_with_one_bad_file(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "minutes"
    folder.mkdir()
    for sample in (SEPTEMBER, JANUARY):
        shutil.copy(sample, folder / sample.name)
    bad = folder / "scanned-agenda.pdf"
    bad.write_bytes(random_bytes(2000))
    return folder, bad


def test_a_folder_with_one_bad_file_the_good_ones_go_in(tmp_path: Path) -> None:
    folder, bad = folder_with_one_bad_file(tmp_path)
    library = tmp_path / "library"

    run = minutebook("ingest", folder, "--library", library)

    assert run.exit_code == 1
    assert_refused(run.stderr, bad, "not a readable PDF (it has no %PDF header)")
    assert run.stderr.rstrip().endswith("1 of 3 files could not be ingested.")
    sources = {Path(m.source).name for m in Library.load(library).meetings.values()}
    assert sources == {SEPTEMBER.name, JANUARY.name}
    record("bad_input", case="a folder with one bad file", refused=True, unchanged=False)


def test_the_installed_command_in_its_own_process_exits_1_without_a_traceback(tmp_path: Path) -> None:
    folder, bad = folder_with_one_bad_file(tmp_path)
    library = tmp_path / "library"

    done = subprocess.run(
        minutebook_command("ingest", folder, "--library", library),
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 1, done.stderr
    assert_refused(done.stderr, bad, "not a readable PDF (it has no %PDF header)")
    assert "Traceback" not in done.stdout
    assert len(Library.load(library).meetings) == 2


def test_minutes_inside_hundreds_of_unclosed_tags_go_in(tmp_path: Path) -> None:
    """Old exported pages leave <font> tags unclosed, and each nests the rest of the page one level deeper."""
    paragraphs = "".join(f"<p>{html.escape(block)}</p>" for block in sample_text().split("\n\n"))
    page = tmp_path / "minutes.html"
    page.write_text(f"<html><body>{'<font face=Arial>' * 2000}{paragraphs}</body></html>", encoding="utf-8")

    run = minutebook("ingest", page, "--library", tmp_path / "library", "--json")

    assert run.exit_code == 0, run.output
    [outcome] = json.loads(run.stdout)
    assert outcome["meeting_id"] == "children-and-young-people-scrutiny-committee-2024-09-17"
    record("bad_input", case="minutes inside 2,000 unclosed tags", refused=False, unchanged=False)


def test_a_reader_bug_costs_one_file_a_line_not_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a reader raises (here the RecursionError deeply nested HTML used to raise) is one line for that
    file; the other files still go in."""

    def recursion(*_args: object) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("ingest.readers.html.html_to_text", recursion)
    folder = tmp_path / "minutes"
    folder.mkdir()
    shutil.copy(SEPTEMBER, folder / SEPTEMBER.name)
    page = folder / "page.html"
    page.write_text("<p>1. Apologies</p>", encoding="utf-8")

    run = minutebook("ingest", folder, "--library", tmp_path / "library")

    assert run.exit_code == 1
    assert_refused(run.stderr, page, "could not be read (RecursionError: maximum recursion depth exceeded)")
    assert [Path(m.source).name for m in Library.load(tmp_path / "library").meetings.values()] == [SEPTEMBER.name]
    record("bad_input", case="a reader's unexpected error", refused=True, unchanged=False)
