"""The `minutebook index`, `remove` and `library` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.encoder import HashingEncoder
from index.library import Library, update_library
from index.storage import current_version, version_dir
from ingest.settings import Settings
from tests.index_helpers import FINANCE_MAY, PLANNING_APRIL, PLANNING_MARCH, addition
from ui.cli import cli


@pytest.fixture
def library(tmp_path: Path) -> Path:
    path = tmp_path / "library"
    settings = Settings(library=path, model_name="hashing-384", model_dim=384)
    update_library(
        path, [addition(m) for m in (PLANNING_MARCH, PLANNING_APRIL, FINANCE_MAY)], HashingEncoder(384), settings
    )
    return path


def run(*args: str, columns: int = 200) -> tuple[int, str, str]:
    result = CliRunner(env={"COLUMNS": str(columns)}).invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_library_lists_meetings_with_counts_and_totals(library: Path) -> None:
    code, out, _ = run("library", "--json", "--library", str(library))
    assert code == 0
    listing = json.loads(out)
    expected = [
        (m.meeting_id, m.committee, m.meeting_date.isoformat(), sum(i.number is not None for i in m.items), len(c))
        for m, c in (FINANCE_MAY, PLANNING_MARCH, PLANNING_APRIL)
    ]
    assert [(m["meeting_id"], m["committee"], m["date"], m["items"], m["passages"]) for m in listing["meetings"]] == (
        expected
    )
    assert listing["totals"] == {
        "committees": 2,
        "meetings": 3,
        "items": sum(e[3] for e in expected),
        "passages": sum(e[4] for e in expected),
    }
    assert listing["model"] == {"name": "hashing-384", "dim": 384}

    code, out, _ = run("library", "--library", str(library))
    assert code == 0
    rows = [line for line in out.splitlines() if "Committee" in line and "│" in line]
    assert [row.split("│")[3].strip() for row in rows] == [e[0] for e in expected]
    assert "2 committees" in out and "3 meetings" in out
    # In a narrow terminal the meeting ids (what `remove` takes) are folded, never cut short.
    _, narrow, _ = run("library", "--library", str(library), columns=60)
    body = narrow[narrow.index("┡") :]
    assert "…" not in body
    folded = "".join(line.split("│")[3].strip() for line in body.splitlines() if line.startswith("│"))
    assert all(e[0] in folded for e in expected)


def test_library_of_nothing_says_it_is_empty(tmp_path: Path) -> None:
    code, out, _ = run("library", "--library", str(tmp_path / "none"))
    assert code == 0 and "is empty" in out
    code, out, _ = run("library", "--json", "--library", str(tmp_path / "none"))
    assert json.loads(out)["meetings"] == []


def test_remove_by_file_name_and_by_meeting_id(library: Path) -> None:
    code, _, err = run("remove", Path(PLANNING_APRIL[0].source).name, "--library", str(library))
    assert code == 0 and "Removed planning-committee-2024-04-09" in err
    code, _, _ = run("remove", FINANCE_MAY[0].meeting_id, "--library", str(library))
    assert code == 0
    assert list(Library.load(library).meetings) == [PLANNING_MARCH[0].meeting_id]


def test_remove_of_an_unknown_meeting_is_one_line(library: Path) -> None:
    code, _, err = run("remove", "no-such-meeting", "--library", str(library))
    assert code == 1
    assert err.strip() == ("Error: the library has no meeting or file 'no-such-meeting'; see `minutebook library`")


def test_damaged_library_errors_are_one_line(library: Path) -> None:
    name = current_version(library)
    assert name
    (version_dir(library, name) / "manifest.json").write_text("{")
    for args in (["library"], ["remove", "x"], ["index"]):
        code, _, err = run(*args, "--library", str(library))
        assert code == 1, args
        assert err.startswith("Error: ") and err.count("\n") == 1 and "manifest.json is not valid JSON" in err


def test_index_on_a_library_of_another_model_says_why_it_rebuilds(library: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without the real model (a fast test), `index` explains the mismatch; the rebuild itself is tested slow."""
    import index.update

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise index.update.LibraryError("stopped before loading the model")

    monkeypatch.setattr("index.library.rebuild_library", refuse)
    code, _, err = run("index", "--library", str(library))
    assert code == 1
    assert "Rebuilding: the library" in err and "built with hashing-384" in err


def test_index_without_a_library_fails_cleanly(tmp_path: Path) -> None:
    code, _, err = run("index", "--library", str(tmp_path / "none"))
    assert code == 1 and "there is no library at" in err
