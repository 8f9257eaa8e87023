"""`minutebook ingest`: files and folders of minutes → meetings, items and passages, into the library."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ingest.atomic import atomic_write_lines
from ingest.models import IngestError
from ingest.pipeline import IngestResult, collect_files, file_sha256, ingest_file
from ingest.settings import Settings
from ui.commands.common import library_option, settings_for


@dataclass
class FileOutcome:
    path: Path
    status: str  # "ingested", "unchanged" (already in the library), "duplicate" (of another file given), "failed"
    result: IngestResult | None = None
    reason: str = ""


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2025-01-21") from None


def ingest_paths(
    paths: list[Path],
    settings: Settings,
    *,
    committee: str | None,
    meeting_date: date | None,
    known_hashes: dict[str, str],
    console: Console,
) -> list[FileOutcome]:
    """Ingest each file, reporting failures one line each; unchanged files (same sha256) are skipped."""
    outcomes: list[FileOutcome] = []
    seen: dict[str, Path] = {}  # sha256 → first file with that content in this run
    files = collect_files(paths)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=len(files) < 3 or not console.is_terminal,
    ) as progress:
        task = progress.add_task("Reading minutes", total=len(files))
        for path in files:
            progress.update(task, description=f"Reading {path.name}")
            try:
                sha = file_sha256(path) if path.is_file() else None
                if sha is not None and sha in known_hashes.values():
                    outcomes.append(FileOutcome(path, "unchanged"))
                elif sha is not None and sha in seen:
                    outcomes.append(FileOutcome(path, "duplicate", reason=f"same content as {seen[sha].name}"))
                else:
                    if sha is not None:
                        seen[sha] = path
                    result = ingest_file(path, settings, committee=committee, meeting_date=meeting_date)
                    outcomes.append(FileOutcome(path, "ingested", result))
            except IngestError as error:
                outcomes.append(FileOutcome(path, "failed", reason=str(error)))
                console.print(f"[red]error[/red]: {path}: {error}", highlight=False, soft_wrap=True)
            except OSError as error:
                reason = error.strerror or str(error)
                outcomes.append(FileOutcome(path, "failed", reason=reason))
                console.print(f"[red]error[/red]: {path}: {reason}", highlight=False, soft_wrap=True)
            progress.advance(task)
    return outcomes


def _summary(outcomes: list[FileOutcome]) -> Table:
    table = Table(title="Ingest summary")
    for column in ("file", "status", "committee", "date", "items", "passages"):
        table.add_column(column, justify="right" if column in ("items", "passages") else "left")
    for outcome in outcomes:
        result = outcome.result
        if result is None:
            table.add_row(outcome.path.name, outcome.status, "", "", "", "")
            continue
        meeting = result.meeting
        items = sum(1 for item in meeting.items if item.number is not None)
        table.add_row(
            outcome.path.name,
            outcome.status,
            meeting.committee,
            meeting.meeting_date.isoformat(),
            str(items),
            str(len(result.chunks)),
        )
    return table


def write_jsonl(out: Path, results: list[IngestResult]) -> Path:
    """Write passages to `out` and meetings to `meetings.jsonl` beside it (atomically); returns that path."""
    meetings_path = out.with_name("meetings.jsonl")
    if meetings_path.resolve() == out.resolve():
        meetings_path = out.with_name(f"{out.stem}.meetings.jsonl")
    atomic_write_lines(out, (json.dumps(chunk.to_json(), ensure_ascii=False) for r in results for chunk in r.chunks))
    atomic_write_lines(meetings_path, (json.dumps(r.meeting.to_json(), ensure_ascii=False) for r in results))
    return meetings_path


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write passages to this JSONL file (and meetings.jsonl beside it) instead of the library.",
)
@click.option("--committee", default=None, help="Committee name, overriding what the text says.")
@click.option(
    "--date",
    "meeting_date",
    default=None,
    callback=_parse_date,
    help="Meeting date (YYYY-MM-DD), overriding the text.",
)
@click.option(
    "--ocr",
    type=click.Choice(["auto", "always", "never"]),
    default=None,
    help="OCR scanned PDF pages (default auto).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the per-file outcome as JSON.")
@library_option
def ingest_cmd(
    paths: tuple[Path, ...],
    out: Path | None,
    committee: str | None,
    meeting_date: date | None,
    ocr: str | None,
    as_json: bool,
    library: str | None,
) -> None:
    """Read minutes (files or folders of .pdf, .docx, .html, .txt, .md) into the library.

    Each file that cannot be read gets one line saying why; the others still go in, and the exit code is 1.
    Files already in the library unchanged (same sha256) are skipped.
    """
    settings = settings_for(library)
    if ocr:
        settings = settings.with_(ocr=ocr)
    console = Console(stderr=True)
    known: dict[str, str] = {}
    if out is None:
        from index.errors import LibraryError
        from ui.library_ops import known_hashes

        try:
            known = known_hashes(settings)
        except LibraryError as error:
            raise click.ClickException(str(error)) from None
    outcomes = ingest_paths(
        list(paths),
        settings,
        committee=committee,
        meeting_date=meeting_date,
        known_hashes=known,
        console=console,
    )
    results = [o.result for o in outcomes if o.result is not None]
    if out is not None:
        meetings_path = write_jsonl(out, results)
        console.print(f"Wrote {sum(len(r.chunks) for r in results)} passages to {out} and meetings to {meetings_path}")
    elif results:
        _update_library(settings, results, console)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "file": str(o.path),
                        "status": o.status,
                        "reason": o.reason or None,
                        "meeting_id": o.result.meeting.meeting_id if o.result else None,
                        "passages": len(o.result.chunks) if o.result else 0,
                    }
                    for o in outcomes
                ],
                indent=2,
            )
        )
    else:
        Console().print(_summary(outcomes))
    failed = sum(o.status == "failed" for o in outcomes)
    if failed:
        console.print(f"{failed} of {len(outcomes)} files could not be ingested.")
        sys.exit(1)


def _update_library(settings: Settings, results: list[IngestResult], console: Console) -> None:
    from index.encoder import load_encoder
    from index.library import LibraryError
    from ui.library_ops import add_results_to_library

    try:
        if results and not getattr(load_encoder(settings), "exported", True):
            console.print("Preparing the model for ONNX Runtime (once, about 10 s)…")
        add_results_to_library(settings, results, progress=console.is_terminal)
    except LibraryError as error:
        raise click.ClickException(str(error)) from None
    console.print(f"Library updated: {settings.library}")


COMMANDS = (ingest_cmd,)
