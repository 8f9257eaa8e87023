"""Options and helpers shared by the `minutebook` commands."""

from __future__ import annotations

import click

from ingest.settings import Settings
from ui.environment import checked_settings

library_option = click.option(
    "--library",
    "library",
    type=click.Path(file_okay=False, path_type=str),
    envvar="MINUTEBOOK_LIBRARY",
    default=None,
    help="Library directory (default: under the user's data directory; env MINUTEBOOK_LIBRARY).",
)


def settings_for(library: str | None) -> Settings:
    """The settings for a command; a bad MINUTEBOOK_* variable (or library folder) is one line, not a traceback."""
    try:
        return checked_settings(library, library_name="--library (MINUTEBOOK_LIBRARY)")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
