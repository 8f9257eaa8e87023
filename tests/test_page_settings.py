"""A bad MINUTEBOOK_* variable on the page and in the commands: one line naming it, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from tests.page_helpers import APP, HASHING
from ui.environment import checked_settings, file_in_the_way


def open_page(monkeypatch: pytest.MonkeyPatch, **variables: str) -> AppTest:
    for name in ("MINUTEBOOK_MAX_FILE_MB", "MINUTEBOOK_OCR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MINUTEBOOK_MODEL", HASHING)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def only_error(at: AppTest) -> str:
    """The page's one error line; the page stops there (no tabs, no sidebar of meetings)."""
    [error] = at.error
    assert not at.tabs and not at.chat_input and not at.info
    return str(error.value)


def test_a_bad_size_limit_is_one_line_on_the_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = open_page(monkeypatch, MINUTEBOOK_LIBRARY=str(tmp_path), MINUTEBOOK_MAX_FILE_MB="abc")
    assert only_error(at) == "MINUTEBOOK_MAX_FILE_MB must be a positive number of megabytes, not 'abc'"


def test_a_library_that_is_a_file_is_one_line_on_the_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    a_file = tmp_path / "minutes.txt"
    a_file.write_text("not a library", encoding="utf-8")
    at = open_page(monkeypatch, MINUTEBOOK_LIBRARY=str(a_file))
    assert only_error(at) == f"MINUTEBOOK_LIBRARY must name a folder, not a file: {a_file}"

    inside = a_file / "library"
    at = open_page(monkeypatch, MINUTEBOOK_LIBRARY=str(inside))
    assert only_error(at) == f"MINUTEBOOK_LIBRARY must name a folder, but {a_file} in its path is a file: {inside}"
    assert a_file.read_text(encoding="utf-8") == "not a library"  # nothing was written over it


def test_good_variables_open_the_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = open_page(monkeypatch, MINUTEBOOK_LIBRARY=str(tmp_path / "new" / "library"), MINUTEBOOK_MAX_FILE_MB="0.5")
    assert not at.error
    assert [tab.label for tab in at.tabs] == ["Ask", "Briefing", "Add minutes"]
    assert "The library is empty" in at.info[0].value
    assert "up to 0.5 MB each" in at.tabs[2].caption[0].value  # not "0 MB": the limit as it was set


def test_file_in_the_way(tmp_path: Path) -> None:
    a_file = tmp_path / "f"
    a_file.write_bytes(b"")
    assert file_in_the_way(tmp_path) is None
    assert file_in_the_way(tmp_path / "not" / "yet") is None
    assert file_in_the_way(a_file) == a_file
    assert file_in_the_way(a_file / "a" / "b") == a_file


def test_checked_settings_names_the_option_it_was_given(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MINUTEBOOK_MAX_FILE_MB", raising=False)
    a_file = tmp_path / "f"
    a_file.write_bytes(b"")
    assert checked_settings(str(tmp_path)).library == tmp_path
    with pytest.raises(ValueError, match=r"^--library must name a folder, not a file: "):
        checked_settings(str(a_file), library_name="--library")


def test_a_library_under_a_file_is_one_line_from_the_command(tmp_path: Path) -> None:
    from ui.cli import cli

    a_file = tmp_path / "f"
    a_file.write_bytes(b"")
    result = CliRunner(env={"MINUTEBOOK_MODEL": HASHING}).invoke(
        cli, ["library", "--library", str(a_file / "library")], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --library (MINUTEBOOK_LIBRARY) must name a folder, but {a_file} in its path is a file: "
        f"{a_file / 'library'}\n"
    )
