"""`minutebook bench`: the scale benchmarks of `make bench` (bench/run.py), from a source checkout."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command(
    "bench",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def bench_cmd(options: tuple[str, ...]) -> None:
    """Time minutebook at 1k to 1M passages against a LangChain pipeline (`--help` for the options).

    Writes JSON and a Markdown table to bench/results/. Runs from a source checkout, where bench/ is.
    """
    checkout = Path.cwd()
    if (checkout / "bench" / "run.py").is_file() and str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))  # bench/ is not installed with the package
    try:
        from bench.run import main
    except ImportError:
        raise click.ClickException(
            "the benchmarks live in the source checkout (bench/); run `make bench` or `python -m bench.run` from it"
        ) from None
    code = main(list(options))
    if code:
        raise SystemExit(code)


COMMANDS = (bench_cmd,)
