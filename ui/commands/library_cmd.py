"""`minutebook index`, `minutebook remove` and `minutebook library`: keep the library's indexes right, take a
meeting out, and list what the library holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from index.errors import LibraryError
from ingest.settings import Settings
from ui.commands.common import library_option, settings_for


def _with_library_model(settings: Settings) -> Settings:
    """The settings, naming the model the library was built with (when minutebook knows that model)."""
    from index.encoder import load_encoder
    from index.library import read_records

    try:
        manifest = read_records(settings.library).manifest
        named = settings.with_(model_name=manifest.model_name, model_dim=manifest.model_dim)
        load_encoder(named)
    except LibraryError:
        return settings
    return named


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Rebuild the indexes even if they load cleanly.")
@library_option
def index_cmd(rebuild: bool, library: str | None) -> None:
    """Bring the library's indexes up to date with its stored passages and the current model.

    Rebuilds the vector and keyword indexes when they were made with another model or are damaged (or always,
    with --rebuild). Vectors of unchanged passages come from the embedding cache; passages themselves are kept:
    ingest the files again to cut them anew.
    """
    from index.encoder import load_encoder
    from index.library import Library, library_exists, read_records, rebuild_library

    settings = settings_for(library)
    console = Console(stderr=True)
    if not library_exists(settings.library):
        raise click.ClickException(f"there is no library at {settings.library}; add minutes with `minutebook ingest`")
    try:
        read_records(settings.library)  # meetings and passages must be intact: they are what is rebuilt from
        if not rebuild:
            loaded = Library.load(settings.library, settings=settings)
            console.print(
                f"The library at {settings.library} is up to date: {len(loaded.meetings)} meetings, "
                f"{len(loaded.chunks)} passages, {loaded.manifest.model_name}.",
                highlight=False,
                soft_wrap=True,
            )
            return
    except LibraryError as error:
        if "index --rebuild" not in str(error):
            raise click.ClickException(str(error)) from None
        console.print(f"Rebuilding: {error}", highlight=False, soft_wrap=True)
    try:
        report = rebuild_library(settings.library, load_encoder(settings), progress=console.is_terminal)
    except LibraryError as error:
        raise click.ClickException(str(error)) from None
    console.print(
        f"Rebuilt {settings.library}: {report.meetings} meetings, {report.passages} passages "
        f"({report.embedded} embedded, {report.reused} from the cache) in {report.seconds:.1f}s.",
        highlight=False,
        soft_wrap=True,
    )


@click.command("remove")
@click.argument("meeting_or_file")
@library_option
def remove_cmd(meeting_or_file: str, library: str | None) -> None:
    """Take one meeting out of the library, named by meeting id, source path or source file name."""
    from index.encoder import load_encoder
    from index.library import library_exists, remove_from_library

    settings = settings_for(library)
    if not library_exists(settings.library):
        raise click.ClickException(f"there is no library at {settings.library}")
    settings = _with_library_model(settings)
    try:
        report = remove_from_library(settings.library, meeting_or_file, load_encoder(settings), settings)
    except LibraryError as error:
        raise click.ClickException(str(error)) from None
    Console(stderr=True).print(
        f"Removed {', '.join(report.removed)}; the library now holds {report.meetings} meetings, "
        f"{report.passages} passages.",
        highlight=False,
        soft_wrap=True,
    )


def library_listing(path: Path) -> dict[str, Any]:
    """What `minutebook library --json` prints: the meetings, with item and passage counts, and totals."""
    from index.library import library_exists, read_records
    from index.records import meeting_order

    if not library_exists(path):
        return {"library": str(path), "version": None, "model": None, "meetings": [], "totals": _totals([])}
    records = read_records(path)
    passages: dict[str, int] = {}
    for chunk in records.chunks:
        passages[chunk.meeting_id] = passages.get(chunk.meeting_id, 0) + 1

    meetings = [
        {
            "meeting_id": meeting.meeting_id,
            "committee": meeting.committee,
            "date": meeting.meeting_date.isoformat(),
            "items": sum(1 for item in meeting.items if item.number is not None),
            "passages": passages.get(meeting.meeting_id, 0),
            "source": meeting.source,
            "ingested_at": _ingested_at(records.manifest.sources, meeting.meeting_id),
        }
        for meeting in sorted(records.meetings.values(), key=meeting_order)
    ]
    return {
        "library": str(path),
        "version": records.version,
        "model": {"name": records.manifest.model_name, "dim": records.manifest.model_dim},
        "meetings": meetings,
        "totals": _totals(meetings),
    }


def _ingested_at(sources: dict[str, Any], meeting_id: str) -> str | None:
    return next((record.ingested_at for record in sources.values() if record.meeting_id == meeting_id), None)


def _totals(meetings: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "committees": len({m["committee"] for m in meetings}),
        "meetings": len(meetings),
        "items": sum(m["items"] for m in meetings),
        "passages": sum(m["passages"] for m in meetings),
    }


@click.command("library")
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@library_option
def library_cmd(as_json: bool, library: str | None) -> None:
    """List the meetings in the library: committee, date, items and passages, with totals."""
    settings = settings_for(library)
    try:
        listing = library_listing(settings.library)
    except LibraryError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    console = Console()
    if not listing["meetings"]:
        console.print(
            f"The library at {settings.library} is empty; add minutes with `minutebook ingest FILES`.",
            highlight=False,
            soft_wrap=True,
        )
        return
    table = Table(title=f"Library {settings.library}", caption=f"model {listing['model']['name']}")
    # Folded, never cut short: the meeting id and file name are what `minutebook remove` takes.
    table.add_column("committee", overflow="fold")
    table.add_column("date", no_wrap=True, min_width=10)
    table.add_column("meeting", overflow="fold")
    table.add_column("items", justify="right")
    table.add_column("passages", justify="right")
    table.add_column("file", overflow="fold")
    for meeting in listing["meetings"]:
        table.add_row(
            meeting["committee"],
            meeting["date"],
            meeting["meeting_id"],
            str(meeting["items"]),
            str(meeting["passages"]),
            Path(meeting["source"]).name,
        )
    totals = listing["totals"]
    table.add_section()
    table.add_row(
        f"{totals['committees']} committees",
        "",
        f"{totals['meetings']} meetings",
        str(totals["items"]),
        str(totals["passages"]),
        "",
        style="bold",
    )
    console.print(table)


COMMANDS = (index_cmd, remove_cmd, library_cmd)
