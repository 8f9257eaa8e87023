"""The page's pure parts: escaping and marking, briefing exports, upload names and limits, `minutebook ui`."""

from __future__ import annotations

import io
import tomllib
from datetime import date
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from ingest.models import Chunk, IngestError
from ingest.settings import load_settings
from tests.conftest import REPO
from ui.components import briefing
from ui.components.briefing import BriefingEntry
from ui.components.render import block, card_header, header_html, marked_html, merge_spans
from ui.components.sidebar import label_text
from ui.components.upload import add_uploads, check_upload, sanitise_name, save_upload


def chunk(text: str = "Resolved: <b>approve</b>.", **fields: object) -> Chunk:
    values: dict[str, object] = {
        "chunk_id": "c1",
        "meeting_id": "audit-committee-2025-01-21",
        "committee": "Audit Committee",
        "meeting_date": date(2025, 1, 21),
        "item_number": "4",
        "item_title": "Internal audit & <risk>",
        "text": text,
        "source": "/minutes/audit.pdf",
        "start": 10,
        "end": 10 + len(text),
    }
    values.update(fields)
    return Chunk(**values)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------ rendering


def test_marked_html_escapes_first_then_marks_by_raw_offsets() -> None:
    text = 'A <script>x</script> & "B".\nSecond line.'
    # The span [2, 20) covers the raw `<script>x</script>`: offsets are into the raw text, not the escaped one.
    assert marked_html(text, [(2, 20)]) == (
        "A <mark>&lt;script&gt;x&lt;/script&gt;</mark> &amp; &quot;B&quot;.<br>Second line."
    )


def test_marked_html_joins_overlapping_spans_and_ids_the_first_mark() -> None:
    assert merge_spans([(5, 9), (0, 3), (2, 4), (9, 12), (20, 30)], 15) == [(0, 4), (5, 12)]
    assert marked_html("abcdefghij", [(6, 8), (0, 2), (1, 3)], mark_id="here") == (
        '<mark id="here">abc</mark>def<mark>gh</mark>ij'
    )


def test_block_is_one_line_so_markdown_leaves_it_alone() -> None:
    fragment = block(marked_html("# Not a heading\n\n* not a list\n\n1. nor this $x$", [(0, 1)]))
    assert "\n" not in fragment
    assert fragment == (
        '<div class="minutes"><mark>#</mark> Not a heading<br><br>* not a list<br><br>1. nor this $x$</div>'
    )


def test_card_header_and_headings_escape_file_text() -> None:
    assert card_header(chunk()) == "Audit Committee · 21 Jan 2025 · Item 4: Internal audit & <risk>"
    assert card_header(chunk(item_number=None, item_title=None, page=3)) == (
        "Audit Committee · 21 Jan 2025 · Preamble (attendance) · page 3"
    )
    assert header_html("Item 4: <b>x</b>", level=5) == "<h5>Item 4: &lt;b&gt;x&lt;/b&gt;</h5>"


def test_widget_labels_escape_markdown() -> None:
    assert label_text("Finance *and* [Audit](x) <b>") == r"Finance \*and\* \[Audit\]\(x\) \<b\>"


# ------------------------------------------------------------------------------------------------ briefing


def entries() -> list[BriefingEntry]:
    first = BriefingEntry.from_passage(
        chunk("Resolved: that the plan be approved.\nVotes: 5 for.\n\nA second paragraph."),
        "Audit Committee, 21 January 2025, item 4: Internal audit",
    )
    second = BriefingEntry.from_passage(
        chunk("Apologies from Cllr Lee.", chunk_id="c2", item_number="1", item_title="Apologies", page=2),
        "Audit Committee, 21 January 2025, item 1: Apologies, page 2",
    )
    return [first, second]


def test_briefing_add_move_note_remove() -> None:
    first, second = entries()
    collected = briefing.add(briefing.add([], first), second)
    assert briefing.add(collected, first) == collected  # the same passage only once
    assert briefing.move(collected, 1, -1) == [second, first]
    assert briefing.move(collected, 0, -1) == [first, second]  # clamped at the top
    noted = briefing.set_note(collected, 1, "  ask the clerk  ")
    assert noted[1].note == "ask the clerk" and noted[0].note == ""
    assert briefing.remove(noted, 0) == [noted[1]]


def test_markdown_export_quotes_each_passage_under_its_full_citation() -> None:
    first, second = entries()
    collected = briefing.set_note([first, second], 0, "Key decision")
    assert briefing.to_markdown(collected, today=date(2025, 2, 3)) == (
        "# Briefing\n"
        "\n"
        "Prepared 3 February 2025 from the minutes library.\n"
        "\n"
        "## 1. Audit Committee, 21 January 2025, item 4: Internal audit\n"
        "\n"
        "> Resolved: that the plan be approved. Votes: 5 for.\n"
        ">\n"
        "> A second paragraph.\n"
        "\n"
        "**Note:** Key decision\n"
        "\n"
        "*Source: audit.pdf*\n"
        "\n"
        "## 2. Audit Committee, 21 January 2025, item 1: Apologies, page 2\n"
        "\n"
        "> Apologies from Cllr Lee.\n"
        "\n"
        "*Source: audit.pdf, page 2*\n"
    )


def test_word_export_opens_with_python_docx_and_holds_the_same_content() -> None:
    first, second = entries()
    collected = briefing.set_note([first, second], 1, "Chase \x07 the clerk")  # a control character Word refuses
    document = docx.Document(io.BytesIO(briefing.to_docx(collected, today=date(2025, 2, 3))))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs == [
        ("Heading 1", "Briefing"),
        ("Normal", "Prepared 3 February 2025 from the minutes library."),
        ("Heading 2", "1. Audit Committee, 21 January 2025, item 4: Internal audit"),
        ("Quote", "Resolved: that the plan be approved. Votes: 5 for."),
        ("Quote", "A second paragraph."),
        ("Normal", "Source: audit.pdf"),
        ("Heading 2", "2. Audit Committee, 21 January 2025, item 1: Apologies, page 2"),
        ("Quote", "Apologies from Cllr Lee."),
        ("Normal", "Note: Chase  the clerk"),
        ("Normal", "Source: audit.pdf, page 2"),
    ]


# ------------------------------------------------------------------------------------------------ uploads


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ("minutes.pdf", "minutes.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\Windows\\evil.HTM", "evil.htm"),
        ("C:\\minutes\\Jan 2025 (final).PDF", "Jan_2025_final.pdf"),
        ("Réunion du comité.docx", "Reunion_du_comite.docx"),
        ("..", "upload"),
        (".hidden.md", "hidden.md"),
        ("no-suffix", "no-suffix"),
        ("a" * 300 + ".txt", "a" * 96 + ".txt"),
        ("x.tx t", "x.txt"),
    ],
)
def test_sanitise_name(sent: str, saved: str) -> None:
    assert sanitise_name(sent) == saved


def test_check_upload_refuses_wrong_types_empty_and_oversized_files(tmp_path: Path) -> None:
    settings = load_settings(tmp_path).with_(max_file_bytes=1000)
    assert check_upload("../Jan.TXT", 1000, settings) == "Jan.txt"
    with pytest.raises(IngestError, match=r"^unsupported file type \.exe; upload PDF, Word, HTML or text$"):
        check_upload("minutes.exe", 10, settings)
    with pytest.raises(IngestError, match=r"^unsupported file type \(none\)"):
        check_upload("minutes", 10, settings)
    with pytest.raises(IngestError, match=r"^the file is empty$"):
        check_upload("minutes.pdf", 0, settings)
    # Under 1 MB the limit and the size must still differ ("0.0 MB, over the 0 MB limit" said nothing): the
    # page says what `minutebook ingest` says, from ingest.pipeline.size_refusal.
    with pytest.raises(IngestError, match=r"^the file is 1,001 bytes, over the 1,000-byte limit$"):
        check_upload("minutes.pdf", 1001, settings)
    half_mb = settings.with_(max_file_bytes=512 * 1024)
    with pytest.raises(IngestError, match=r"^the file is 0\.586 MB, over the 0\.5 MB limit$"):
        check_upload("minutes.pdf", 600 * 1024 + 410, half_mb)
    two_mb = settings.with_(max_file_bytes=2 * 1024 * 1024)
    assert check_upload("minutes.pdf", 2 * 1024 * 1024, two_mb) == "minutes.pdf"
    with pytest.raises(IngestError, match=r"^the file is 3 MB, over the 2 MB limit$"):
        check_upload("minutes.pdf", 3 * 1024 * 1024, two_mb)


def test_check_upload_refuses_in_the_words_ingest_uses(tmp_path: Path) -> None:
    from ingest.pipeline import read_file

    settings = load_settings(tmp_path).with_(max_file_bytes=1000)
    big = tmp_path / "minutes.txt"
    big.write_bytes(b"x" * 1500)
    with pytest.raises(IngestError) as by_ingest:
        read_file(big, settings)
    with pytest.raises(IngestError) as by_upload:
        check_upload(big.name, 1500, settings)
    assert str(by_upload.value) == str(by_ingest.value) == "the file is 1,500 bytes, over the 1,000-byte limit"


def test_save_upload_never_overwrites_another_file(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    first = save_upload(folder, "jan.txt", b"one")
    assert save_upload(folder, "jan.txt", b"one") == first  # the same file again: same name
    second = save_upload(folder, "jan.txt", b"two")
    assert (first.name, second.name) == ("jan.txt", "jan-2.txt")
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["jan-2.txt", "jan.txt"]


def test_add_uploads_reports_each_file_and_indexes_only_the_good_ones(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "library").with_(max_file_bytes=5000)
    good = (REPO / "tests" / "data" / "page" / "script-minutes.txt").read_bytes()
    indexed: list[list[str]] = []
    steps: list[tuple[float, str]] = []
    outcomes = add_uploads(
        settings,
        [("../good.txt", good), ("big.txt", b"x" * 5001), ("tool.exe", b"MZ"), ("notes.md", b"no items here\n")],
        known_hashes={},
        index=lambda _settings, results: indexed.append([r.meeting.meeting_id for r in results]),
        progress=lambda fraction, text: steps.append((fraction, text)),
    )
    assert [(o.name, o.status) for o in outcomes] == [
        ("good.txt", "added"),
        ("big.txt", "failed"),
        ("tool.exe", "failed"),
        ("notes.md", "failed"),
    ]
    assert outcomes[0].label == "Evilton Parish Council, 4 March 2025"
    assert outcomes[1].reason == "the file is 5,001 bytes, over the 5,000-byte limit"
    assert outcomes[3].reason.startswith("no agenda items found")
    assert indexed == [["evilton-parish-council-2025-03-04"]]
    assert [p.name for p in (settings.library / "uploads").iterdir()] == ["good.txt"]  # failures are not kept
    assert steps[0] == (0.0, "Reading good.txt") and steps[-1] == (1.0, "Done")
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)


def test_add_uploads_skips_files_already_in_the_library(tmp_path: Path) -> None:
    import hashlib

    settings = load_settings(tmp_path / "library")
    data = (REPO / "tests" / "data" / "page" / "script-minutes.txt").read_bytes()
    outcomes = add_uploads(
        settings,
        [("again.txt", data)],
        known_hashes={"/somewhere/minutes.txt": hashlib.sha256(data).hexdigest()},
        index=lambda *_: pytest.fail("nothing new to index"),
    )
    assert [(o.name, o.status, o.reason) for o in outcomes] == [("again.txt", "unchanged", "already in the library")]


# ------------------------------------------------------------------------------------------------ `minutebook ui`


def test_ui_command_binds_loopback_with_usage_stats_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.cli import cli
    from ui.commands import ui_cmd

    launched: list[tuple[list[str], dict[str, str]]] = []

    def fake_exec(path: str, command: list[str], env: dict[str, str]) -> None:
        assert path == command[0]
        launched.append((command, env))

    monkeypatch.setattr(ui_cmd.os, "execve", fake_exec)
    monkeypatch.setattr(ui_cmd, "_port_free", lambda host, port: True)
    result = CliRunner().invoke(cli, ["ui", "--port", "8600", "--library", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [(command, env)] = launched
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[1:5] == ["-m", "streamlit", "run", str(REPO / "ui" / "app.py")]
    assert flags["--server.address"] == "127.0.0.1"
    assert flags["--server.port"] == "8600"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.headless"] == "true"
    assert flags["--server.maxUploadSize"] == "50"
    assert flags["--server.fileWatcherType"] == "none"  # no rerun when the library or the repository changes
    assert env["MINUTEBOOK_LIBRARY"] == str(tmp_path)


def test_ui_command_warns_off_loopback_and_refuses_a_busy_port(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.cli import cli
    from ui.commands import ui_cmd

    monkeypatch.setattr(ui_cmd, "_port_free", lambda host, port: False)
    result = CliRunner().invoke(cli, ["ui", "--host", "0.0.0.0", "--port", "8600"])
    assert result.exit_code == 1
    assert "warning: serving on 0.0.0.0" in result.output
    assert result.output.strip().endswith("Error: port 8600 on 0.0.0.0 is in use; pick another with --port N")


def test_port_free_sees_a_listener_but_not_a_port_in_time_wait() -> None:
    import socket

    from ui.commands.ui_cmd import _port_free

    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Streamlit's own server does
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not _port_free("127.0.0.1", port)
        # The server side closes first, so its address (127.0.0.1, port) is left in TIME_WAIT, as after a
        # stopped `minutebook ui` that had a browser connected.
        client = socket.create_connection(("127.0.0.1", port))
        served, _ = listener.accept()
        served.close()
    client.close()
    with socket.socket() as plain:
        with pytest.raises(OSError):  # the case itself: a bind without SO_REUSEADDR is refused
            plain.bind(("127.0.0.1", port))
    assert _port_free("127.0.0.1", port)


def test_streamlit_config_keeps_the_page_local_and_private() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["headless"] is True
