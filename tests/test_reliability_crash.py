"""Crash safety of the real `minutebook ingest` command: SIGKILLed at many moments (starting up, reading,
while the new version is being written, just after the swap), the library always loads and holds exactly the
old or exactly the new meetings and passages, never a mix, and the next ingest succeeds.

The command runs in its own process with MINUTEBOOK_MODEL=hashing-384, so no model is loaded and a run takes
seconds. tests/test_index_crash.py kills `update_library` itself at each named step; this kills the whole
command, timed from outside as a user's Ctrl+\\ or the OOM killer would."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.storage import CURRENT, PARTIAL, VERSIONS
from tests.conftest import DATA
from tests.reliability.figures import record
from tests.reliability.helpers import JANUARY, SEPTEMBER, contents, minutebook, minutebook_command, subprocess_env

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

EXTERNAL = DATA / "external"
# What the killed command adds to a library holding the September sample: the January sample and six
# minutes in other formats, so that reading and writing take long enough to be hit at different moments.
NEW_FILES = [
    JANUARY,
    EXTERNAL / "asf-board-of-directors-2015-01-21.txt",
    EXTERNAL / "ayton-cc-monthly-2025-05-06.md",
    EXTERNAL / "edinburgh-compsoc-committee-2017-04-25.html",
    EXTERNAL / "newbiggin-parish-council-monthly-2019-09-03.docx",
    EXTERNAL / "north-star-township-board-monthly-2019-12-16.md",
    EXTERNAL / "owasp-board-videoconference-2011-09-06.md",
]
KILLS = 24  # the issue asks for at least 20


State = tuple[list[str], list[str], list[str]]


def state_of(library: Path) -> State:
    """Meeting ids, passage ids in row order, and the source files the manifest records."""
    from index.library import source_records

    meetings, chunks = contents(library)
    return meetings, chunks, sorted(Path(source).name for source in source_records(library))


@dataclass
class Timing:
    """When, in seconds after the command started, the uninterrupted run began writing, swapped and ended."""

    partial: float
    swapped: float
    finished: float


def current_name(library: Path) -> str:
    try:
        return (library / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def writing(library: Path) -> bool:
    versions = library / VERSIONS
    return any(entry.name.endswith(PARTIAL) for entry in versions.iterdir()) if versions.is_dir() else False


def start_ingest(library: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        minutebook_command("ingest", *NEW_FILES, "--library", library),
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def watch(process: subprocess.Popen[bytes], until: Callable[[], bool], timeout: float = 300) -> float | None:
    """Poll every millisecond until `until()` holds (returning the time) or the process ends (None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until():
            return time.monotonic()
        if process.poll() is not None:
            return None
        time.sleep(0.001)
    process.kill()
    raise AssertionError("the ingest command neither finished nor reached the moment watched for")


@dataclass
class Libraries:
    base: Path
    old: State
    new: State


@pytest.fixture(scope="module")
def libraries(tmp_path_factory: pytest.TempPathFactory) -> Libraries:
    """A library of the September sample (old), and the same after an uninterrupted ingest of NEW_FILES (new)."""
    root = tmp_path_factory.mktemp("crash")
    base = root / "base"
    run = minutebook("ingest", SEPTEMBER, "--library", base)
    assert run.exit_code == 0, run.output
    full = root / "full"
    shutil.copytree(base, full)
    run = minutebook("ingest", *NEW_FILES, "--library", full)
    assert run.exit_code == 0, run.output
    new = state_of(full)
    assert len(new[0]) == 1 + len(NEW_FILES)
    return Libraries(base, state_of(base), new)


def time_a_run(libraries: Libraries, library: Path) -> Timing:
    """An uninterrupted run of the command, watched from outside so that kills can be aimed at each phase."""
    shutil.copytree(libraries.base, library)
    before = current_name(library)
    started = time.monotonic()
    process = start_ingest(library)
    partial = watch(process, lambda: writing(library))
    swapped = watch(process, lambda: current_name(library) != before)
    assert process.wait(300) == 0, process.stderr.read().decode() if process.stderr else ""
    finished = time.monotonic()
    assert partial is not None and swapped is not None, "the uninterrupted run was too quick to watch"
    assert state_of(library) == libraries.new
    return Timing(partial - started, swapped - started, finished - started)


@dataclass
class Kill:
    moment: str  # which phase the kill was aimed at
    delay: float  # seconds after the aimed-at event (or after start, for "anywhere")
    killed: bool  # False when the command finished before the signal
    found: str = ""  # "old" or "new"
    half_written: bool = False  # the kill left a `.partial` version behind (it landed mid-write)


def kill_once(library: Path, moment: str, delay: float) -> Kill:
    """Start the command on `library`, SIGKILL it `delay` seconds after `moment`, and report what it left."""
    before = current_name(library)
    process = start_ingest(library)
    try:
        if moment == "anywhere":
            event: float | None = time.monotonic()
        elif moment == "writing":
            event = watch(process, lambda: writing(library))
        else:  # "swapped": CURRENT names the new version; old versions are being collected
            event = watch(process, lambda: current_name(library) != before)
        if event is not None:
            time.sleep(max(0.0, event + delay - time.monotonic()))
        killed = process.poll() is None
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(30)
    return Kill(moment, delay, killed)


def check_after_kill(library: Path, libraries: Libraries, kill: Kill) -> None:
    """The library loads as exactly the old or the new state; the next ingest completes it and tidies up."""
    kill.half_written = writing(library)
    found = state_of(library)
    assert found in (libraries.old, libraries.new), f"a mixed library after a kill {kill}"
    kill.found = "old" if found == libraries.old else "new"
    if kill.moment == "swapped":
        assert kill.found == "new"

    run = minutebook("ingest", *NEW_FILES, "--library", library)
    assert run.exit_code == 0, run.output
    assert state_of(library) == libraries.new
    versions = list((library / VERSIONS).iterdir())
    assert len(versions) <= 2 and not [v for v in versions if v.name.endswith(PARTIAL)]
    assert not list(library.glob(f".{CURRENT}.*"))


def schedule(timing: Timing, count: int, seed: int) -> list[tuple[str, float]]:
    """`count` kill moments: a third anywhere in the run, a third while the version is written, a third after
    the swap, each at a random delay within its phase."""
    rng = random.Random(seed)
    write_window = max(timing.swapped - timing.partial, 0.001)
    after_window = max(timing.finished - timing.swapped, 0.001)
    moments = []
    for number in range(count):
        kind = ("anywhere", "writing", "swapped")[number % 3]
        if kind == "anywhere":
            moments.append((kind, rng.uniform(0.05, 1.0) * timing.finished))
        elif kind == "writing":
            moments.append((kind, rng.uniform(0.0, 1.0) * write_window))
        else:
            moments.append((kind, rng.uniform(0.0, 0.5) * after_window))
    return moments


def test_killed_while_writing_the_library_is_old_and_the_next_ingest_succeeds(
    tmp_path: Path, libraries: Libraries
) -> None:
    library = tmp_path / "library"
    shutil.copytree(libraries.base, library)
    kill = kill_once(library, "writing", 0.0)
    assert kill.killed
    check_after_kill(library, libraries, kill)
    assert kill.found == "old"


@pytest.mark.slow
def test_killed_at_24_moments_the_library_is_always_old_or_new(tmp_path: Path, libraries: Libraries) -> None:
    timing = time_a_run(libraries, tmp_path / "timing")
    kills: list[Kill] = []
    for attempt, (moment, delay) in enumerate(schedule(timing, KILLS, seed=20250121)):
        library = tmp_path / f"library-{attempt}"
        shutil.copytree(libraries.base, library)
        kill = kill_once(library, moment, delay)
        check_after_kill(library, libraries, kill)
        kills.append(kill)
        shutil.rmtree(library)
    killed = [k for k in kills if k.killed]
    # A few aimed at the end of a phase may land after the command has finished; nearly all must be kills.
    assert len(killed) >= 20, [(k.moment, round(k.delay, 3), k.killed) for k in kills]
    assert {k.found for k in killed} == {"old", "new"}  # the kills landed both before and after the swap
    assert any(k.half_written for k in killed)  # and some in the middle of writing the new version
    record(
        "crash",
        runs=len(kills),
        kills=len(killed),
        old=sum(k.found == "old" for k in killed),
        new=sum(k.found == "new" for k in killed),
        half_written=sum(k.half_written for k in killed),
        by_moment={m: sum(k.moment == m for k in killed) for m in ("anywhere", "writing", "swapped")},
        run_seconds=round(timing.finished, 2),
        write_seconds=round(timing.swapped - timing.partial, 3),
    )
