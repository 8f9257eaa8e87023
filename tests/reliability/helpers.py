"""Shared parts of the reliability tests: the real `minutebook` command, a library's fingerprint, and bad files
made from the sample minutes."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from index.library import Library
from index.storage import LOCK
from ingest.metadata import find_dates
from tests.conftest import REPO, SAMPLES

HASHING = "hashing-384"
SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))
SEPTEMBER, JANUARY = SAMPLE_FILES
# The environment every command runs in: offline, the model-free hashing encoder, a wide terminal.
CLI_ENV = {"MINUTEBOOK_MODEL": HASHING, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "250"}


@dataclass(frozen=True)
class Run:
    """What one `minutebook` command did: its exit code and what it wrote to each stream."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def minutebook(*args: str | Path, env: Mapping[str, str] | None = None) -> Run:
    """Run `minutebook ARGS` in this process with click's CliRunner; any exception other than the command's
    own exit propagates, so a traceback fails the test."""
    from ui.cli import cli

    runner = CliRunner(env={**CLI_ENV, **(env or {})})
    result = runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def minutebook_command(*args: str | Path) -> list[str]:
    """The command line of the installed `minutebook` script (or the same entry point through python -c)."""
    script = shutil.which("minutebook", path=str(Path(sys.executable).parent))
    prefix = [script] if script else [sys.executable, "-c", "from ui.cli import main; main()"]
    return [*prefix, *(str(arg) for arg in args)]


def subprocess_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, **CLI_ENV, "PYTHONPATH": str(REPO), **(extra or {})}


def fingerprint(library: Path) -> dict[str, str]:
    """sha256 of every file under `library` (and a marker for every folder), by relative path.

    `.lock` is left out only while it is empty: filelock creates it empty and leaves it, and an empty lock
    file is not library content.
    """
    found: dict[str, str] = {}
    if not library.exists():
        return found
    for path in sorted(library.rglob("*")):
        relative = path.relative_to(library).as_posix()
        if path.is_dir():
            found[relative + "/"] = "folder"
        elif path.name == LOCK and path.parent == library and path.stat().st_size == 0:
            continue
        else:
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def contents(library: Path) -> tuple[list[str], list[str]]:
    """What a reader sees: meeting ids and passage ids in row order."""
    loaded = Library.load(library)
    return sorted(loaded.meetings), [chunk.chunk_id for chunk in loaded.chunks]


def error_lines(output: str, path: Path) -> list[str]:
    """The lines of `output` that name `path`."""
    return [line for line in output.splitlines() if str(path) in line]


# --- files made from the sample minutes ---------------------------------------------------------------------


def sample_text(path: Path = SEPTEMBER) -> str:
    return path.read_text(encoding="utf-8")


def without_dates(text: str) -> str:
    """The minutes with every date in them replaced by words, so no meeting date can be found."""
    for found in reversed(find_dates(text)):
        text = text[: found.start] + "a date to be confirmed" + text[found.end :]
    return text


def preamble_only(text: str) -> str:
    """The text before the first agenda item: a title, attendance and no items."""
    return text[: text.index("22. APOLOGIES")]


def write_files(folder: Path, files: Mapping[str, bytes] | Sequence[tuple[str, bytes]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in dict(files).items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written
