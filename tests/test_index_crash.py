"""Crash safety: an update killed (SIGKILL) at any point leaves a library that loads, with its previous contents."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from index.encoder import HashingEncoder
from index.library import Library, update_library
from index.storage import PARTIAL, VERSIONS
from ingest.settings import Settings
from tests.conftest import REPO
from tests.index_helpers import FINANCE_MAY, PLANNING_APRIL, PLANNING_MARCH, addition, snapshot

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

# The writer, in its own process: adds two meetings, stopping to sleep at the step named in argv (if any),
# after writing a marker file so the test knows where it is.
WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import index.storage
    from index.encoder import HashingEncoder
    from index.library import update_library
    from ingest.settings import Settings
    from tests.index_helpers import FINANCE_MAY, PLANNING_APRIL, addition

    library, step, marker = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])

    def checkpoint(name):
        if name == step:
            marker.write_text(name)
            time.sleep(120)

    index.storage.checkpoint = checkpoint
    settings = Settings(library=library, model_name="hashing-384", model_dim=384)
    update_library(library, [addition(FINANCE_MAY), addition(PLANNING_APRIL)], HashingEncoder(384), settings)
    marker.write_text("finished")
    """
)

BEFORE_SWAP = ["embedded", "writing", "version-written", "version-complete", "pointer-written"]
AFTER_SWAP = ["swapped", "collected"]


def settings_at(path: Path) -> Settings:
    return Settings(library=path, model_name="hashing-384", model_dim=384)


def start_writer(library: Path, step: str, marker: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(library), step, str(marker)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(marker: Path, process: subprocess.Popen[bytes], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text():
            return marker.read_text()
        if process.poll() is not None:
            raise AssertionError(f"writer exited early: {process.stderr.read().decode() if process.stderr else ''}")
        time.sleep(0.02)
    process.kill()
    raise AssertionError("writer never reached its step")


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """The library before the update (one meeting) and after it (three), built without interruption."""
    root = tmp_path_factory.mktemp("expected")
    encoder = HashingEncoder(384)
    update_library(root / "old", [addition(PLANNING_MARCH)], encoder, settings_at(root / "old"))
    new = [addition(PLANNING_MARCH), addition(FINANCE_MAY), addition(PLANNING_APRIL)]
    update_library(root / "new", new, encoder, settings_at(root / "new"))
    return {"old": snapshot(root / "old", encoder), "new": snapshot(root / "new", encoder)}


@pytest.mark.parametrize("step", BEFORE_SWAP + AFTER_SWAP)
def test_killed_writer_leaves_a_loadable_library(
    tmp_path: Path, step: str, expected: dict[str, dict[str, object]]
) -> None:
    library = tmp_path / "library"
    encoder = HashingEncoder(384)
    update_library(library, [addition(PLANNING_MARCH)], encoder, settings_at(library))
    marker = tmp_path / "marker"
    writer = start_writer(library, step, marker)
    assert wait_for(marker, writer) == step
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)

    contents = snapshot(library, encoder)
    assert contents == (expected["old"] if step in BEFORE_SWAP else expected["new"])

    # The killed writer's lock died with it, and the next update clears what it left behind.
    update_library(library, [addition(FINANCE_MAY), addition(PLANNING_APRIL)], encoder, settings_at(library))
    assert snapshot(library, encoder) == expected["new"]
    assert not [p for p in (library / VERSIONS).iterdir() if p.name.endswith(PARTIAL)]
    assert len(list((library / VERSIONS).iterdir())) == 2
    assert not list(library.glob(".CURRENT.*"))


def test_killed_at_random_moments_the_library_is_always_old_or_new(
    tmp_path: Path, expected: dict[str, dict[str, object]]
) -> None:
    encoder = HashingEncoder(384)
    # How long a whole run takes here (start-up and update); kill times are spread over it.
    started = time.monotonic()
    full = start_writer(tmp_path / "timing", "none", tmp_path / "timing-marker")
    assert full.wait(60) == 0
    duration = time.monotonic() - started
    timer = random.Random(20240312)
    for attempt in range(8):
        library = tmp_path / f"library-{attempt}"
        update_library(library, [addition(PLANNING_MARCH)], encoder, settings_at(library))
        writer = start_writer(library, "none", tmp_path / f"marker-{attempt}")
        time.sleep(timer.uniform(0.3, 1.0) * duration)
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
        contents = snapshot(library, encoder)
        assert contents in (expected["old"], expected["new"])


def test_a_loaded_library_is_unaffected_by_a_killed_writer(
    tmp_path: Path, expected: dict[str, dict[str, object]]
) -> None:
    library = tmp_path / "library"
    encoder = HashingEncoder(384)
    update_library(library, [addition(PLANNING_MARCH)], encoder, settings_at(library))
    loaded = Library.load(library, encoder)
    marker = tmp_path / "marker"
    writer = start_writer(library, "version-written", marker)
    wait_for(marker, writer)
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    assert loaded.is_current()
    assert len(loaded.chunks) == len(PLANNING_MARCH[1])
