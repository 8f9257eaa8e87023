"""`minutebook ui`: open the Streamlit page on this machine (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import ipaddress
import math
import os
import socket
import sys
from pathlib import Path

import click

from ingest.settings import Settings
from ui.commands.common import library_option, settings_for

APP = Path(__file__).resolve().parent.parent / "app.py"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port_free(host: str, port: int) -> bool:
    """Whether the server could listen on host:port. The probe sets SO_REUSEADDR as Streamlit's server does, so a
    port left in TIME_WAIT by the last run counts as free while one another program listens on is still busy
    (not on Windows, where the option lets a bind take over a port in use, and Streamlit skips it too)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        if os.name != "nt":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def streamlit_command(settings: Settings, host: str, port: int, *, open_browser: bool) -> list[str]:
    """The `streamlit run` command line: every server setting given as a flag, so no config file is needed."""
    upload_mb = max(1, math.ceil(settings.max_file_bytes / (1024 * 1024)))
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "false" if open_browser else "true",
        "--server.maxUploadSize",
        str(upload_mb),
        "--browser.gatherUsageStats",
        "false",
        "--browser.serverAddress",
        host,
        "--client.toolbarMode",
        "minimal",
        # The page must not rerun when files change under the library (an ingest, an upload) or the repository.
        "--server.fileWatcherType",
        "none",
    ]


@click.command("ui")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True, help="Port to serve on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. Anything but a loopback address exposes the library to your network.",
)
@click.option(
    "--open/--no-open", "open_browser", default=False, help="Open a browser tab (default: just print the URL)."
)
@library_option
def ui_cmd(port: int, host: str, open_browser: bool, library: str | None) -> None:
    """Open the minutebook page in your browser: ask questions, read meetings, build a briefing, add minutes."""
    settings = settings_for(library)
    if not _is_loopback(host):
        click.echo(f"warning: serving on {host}: anyone who can reach this machine can read the library.", err=True)
    if not _port_free(host, port):
        raise click.ClickException(f"port {port} on {host} is in use; pick another with --port N")
    env = dict(os.environ, MINUTEBOOK_LIBRARY=str(settings.library), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"minutebook on http://{shown}:{port}  (library: {settings.library}; Ctrl+C to stop)", err=True)
    command = streamlit_command(settings, host, port, open_browser=open_browser)
    # Become the Streamlit server rather than wrap it, so Ctrl+C and kill reach it directly.
    os.execve(command[0], command, env)


COMMANDS = (ui_cmd,)
