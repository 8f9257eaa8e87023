"""`minutebook ask` without the model: its date and committee options, and its one-line errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from ui.cli import cli
from ui.commands.ask_cmd import date_bound, resolve_committees


def test_date_bounds_take_a_day_a_month_or_a_year() -> None:
    assert date_bound("2025-01-21", end=False) == date(2025, 1, 21)
    assert date_bound("2025-01", end=False) == date(2025, 1, 1)
    assert date_bound("2024-02", end=True) == date(2024, 2, 29)
    assert date_bound("2024", end=False) == date(2024, 1, 1)
    assert date_bound("2024", end=True) == date(2024, 12, 31)
    for bad in ("2025-13", "21/01/2025", "2025-02-30", "soon"):
        with pytest.raises(ValueError, match="is not a date"):
            date_bound(bad, end=False)


def test_committees_match_whole_names_or_one_part() -> None:
    known = ["Audit Committee", "Children and Young People Scrutiny Committee", "Audit and Governance Committee"]
    assert resolve_committees(("audit committee",), known) == ("Audit Committee",)
    assert resolve_committees(("children",), known) == ("Children and Young People Scrutiny Committee",)
    with pytest.raises(ValueError, match="'audit' matches several committees"):
        resolve_committees(("audit",), known)
    with pytest.raises(ValueError, match="'planning' matches no committee; the library has: Audit Committee"):
        resolve_committees(("planning",), known)


def test_no_library_is_one_line_telling_the_user_to_ingest(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ask", "--library", str(tmp_path / "none"), "who", "attended?"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: there is no library at {tmp_path / 'none'}; add minutes first with `minutebook ingest FILES`"
    ]


def test_a_broken_library_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "CURRENT").write_text("")  # names no version
    (tmp_path / "notes.txt").write_text("not a library")
    result = CliRunner().invoke(cli, ["ask", "--library", str(tmp_path), "who attended?"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {tmp_path / 'CURRENT'} does not name a library version; "
        "delete the library and ingest your minutes again"
    ]
