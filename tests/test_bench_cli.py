"""`minutebook bench` hands its options to bench/run.py."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from ui.cli import cli


def test_bench_command_passes_its_options_to_the_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    shown = CliRunner().invoke(cli, ["bench", "--help"])
    assert shown.exit_code == 0 and "--scales SCALES" in shown.output and "--encoder" in shown.output
    refused = CliRunner().invoke(cli, ["bench", "--scales", "lots"])
    assert refused.exit_code == 2 and "'lots' is not a scale like 1k, 10k, 100k or 1m" in refused.output
