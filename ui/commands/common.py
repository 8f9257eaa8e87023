"""Options and helpers shared by the `minutebook` commands."""

from __future__ import annotations

import click

from ingest.settings import Settings, load_settings

library_option = click.option(
    "--library",
    "library",
    type=click.Path(file_okay=False, path_type=str),
    envvar="MINUTEBOOK_LIBRARY",
    default=None,
    help="Library directory (default: under the user's data directory; env MINUTEBOOK_LIBRARY).",
)


def settings_for(library: str | None) -> Settings:
    """The settings for a command; a bad MINUTEBOOK_* variable is one line, not a traceback."""
    try:
        return load_settings(library)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
