"""Library versions on disk, swapped atomically, and the writers' lock.

A library directory holds complete versions under `versions/<name>/` and a `CURRENT` file naming the live one.
A writer builds a new version in `versions/<name>.partial/`, syncs it, renames it to `versions/<name>/`, writes
the new name to a temporary file and `os.replace`s it over `CURRENT`: a single atomic rename on POSIX (and on
Windows). Until that rename readers see the old version; after it, the new one. A crash or kill at any point
leaves `CURRENT` naming a complete version; leftovers are removed by the next writer. The previous version is
kept until the next update, so a reader that read `CURRENT` just before a swap can still finish loading.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from index.errors import LibraryError

CURRENT = "CURRENT"
VERSIONS = "versions"
LOCK = ".lock"
PARTIAL = ".partial"


def checkpoint(step: str) -> None:
    """Called by the writer at each named step; does nothing. Crash-safety tests replace it to kill there."""


def current_version(library: Path) -> str | None:
    """The name of the live version, or None when the library has none yet."""
    try:
        name = (Path(library) / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise LibraryError(f"cannot read {Path(library) / CURRENT}: {error.strerror}") from None
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise LibraryError(
            f"{Path(library) / CURRENT} does not name a library version; "
            "delete the library and ingest your minutes again"
        )
    return name


def version_dir(library: Path, name: str) -> Path:
    return Path(library) / VERSIONS / name


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable (a no-op where directories cannot be opened, i.e. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    for root, _dirs, files in os.walk(path):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                os.fsync(handle.fileno())
        fsync_dir(Path(root))


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, sync it, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        checkpoint("pointer-written")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


@contextmanager
def writer_lock(library: Path, timeout: float) -> Iterator[None]:
    """Hold `<library>/.lock`, waiting up to `timeout` seconds for another writer to finish."""
    library = Path(library)
    try:
        library.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LibraryError(f"cannot create the library {library}: {error.strerror}") from None
    lock = FileLock(library / LOCK, timeout=timeout)
    try:
        with lock:
            yield
    except Timeout:
        raise LibraryError(
            f"another minutebook process is updating the library {library} (waited {timeout:g}s for "
            f"{library / LOCK}); try again when it has finished"
        ) from None


@contextmanager
def new_version(library: Path) -> Iterator[Path]:
    """A fresh directory to write a version into; on normal exit it is synced, renamed into place and made live.

    Must be called with the writer lock held. On an exception the partial directory is removed and `CURRENT`
    is untouched.
    """
    versions = Path(library) / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    partial = versions / f"{name}{PARTIAL}"
    partial.mkdir()
    try:
        yield partial
        checkpoint("version-written")
        fsync_tree(partial)
        final = versions / name
        os.replace(partial, final)
        fsync_dir(versions)
        checkpoint("version-complete")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    previous = current_version(library)
    atomic_write_text(Path(library) / CURRENT, name + "\n")
    checkpoint("swapped")
    collect_garbage(Path(library), keep={name, previous or name})
    checkpoint("collected")


def collect_garbage(library: Path, keep: set[str]) -> None:
    """Remove every version not in `keep`, partial builds and stray temporary pointer files (writer lock held)."""
    versions = library / VERSIONS
    if versions.is_dir():
        for entry in versions.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
    for stray in library.glob(f".{CURRENT}.*.tmp"):
        stray.unlink(missing_ok=True)
