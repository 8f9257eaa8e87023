"""The library: build, reload, search, incremental updates, and the errors a damaged library gives."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.cache import EmbeddingCache
from index.encoder import HashingEncoder, encode_separately
from index.library import (
    FORMAT_VERSION,
    Library,
    LibraryError,
    embed_text,
    library_exists,
    open_library,
    rebuild_library,
    remove_from_library,
    source_records,
    update_library,
)
from index.storage import VERSIONS, current_version, version_dir, writer_lock
from ingest.settings import Settings
from tests.index_helpers import (
    FINANCE_MAY,
    PLANNING_APRIL,
    PLANNING_MARCH,
    QUESTIONS,
    addition,
    make_meeting,
    ranked_ids,
    snapshot,
)


class CountingEncoder(HashingEncoder):
    """The hashing encoder, counting the passages it is asked to embed (with their sentences, as the model
    does in one forward pass) and the other texts it is asked to encode."""

    def __init__(self) -> None:
        super().__init__(384)
        self.encoded = 0

    def encode(self, texts, *, batch_size=32, progress=False):  # type: ignore[no-untyped-def]
        self.encoded += len(texts)
        return super().encode(texts, batch_size=batch_size, progress=progress)

    def encode_passages(self, texts, spans, *, batch_size=32, progress=False):  # type: ignore[no-untyped-def]
        self.encoded += len(texts)
        return encode_separately(HashingEncoder(384), texts, spans)


@pytest.fixture
def encoder() -> CountingEncoder:
    return CountingEncoder()


def settings_at(path: Path) -> Settings:
    return Settings(library=path, model_name="hashing-384", model_dim=384)


def build(path: Path, meetings: list, encoder: HashingEncoder) -> None:  # type: ignore[type-arg]
    update_library(path, [addition(m) for m in meetings], encoder, settings_at(path))


def live_dir(path: Path) -> Path:
    name = current_version(path)
    assert name is not None
    return version_dir(path, name)


def test_build_reload_query_gives_the_same_ranked_ids(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH, PLANNING_APRIL, FINANCE_MAY], encoder)
    first = Library.load(path, encoder)
    before = {q: ranked_ids(first, q) for q in QUESTIONS}
    again = Library.load(path, HashingEncoder(384))  # a fresh encoder in a "new process"
    after = {q: ranked_ids(again, q) for q in QUESTIONS}
    assert before == after
    # And the rankings mean something: each question's best passage is the one written about it.
    top = {q: first.chunks[first.dense_search(first.encode_query(q), 1)[0][0]] for q in QUESTIONS}
    assert top["flooding at the riverside housing site"].item_title == "Riverside housing development"
    assert "overspend" in top["budget overspend on highways"].text
    assert "oak trees" in top["protected oak trees"].text
    assert "youth club" in top["grants for the youth club"].text
    kw = first.keyword_search("protected oak trees", 1)
    assert "oak trees" in first.chunks[kw[0][0]].text


def test_library_holds_meetings_passages_and_a_manifest(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [FINANCE_MAY, PLANNING_MARCH], encoder)
    library = Library.load(path, encoder)
    assert [m.meeting_id for m in library.meetings_sorted()] == [
        FINANCE_MAY[0].meeting_id,
        PLANNING_MARCH[0].meeting_id,
    ]
    assert library.committees() == ["Finance Committee", "Planning Committee"]
    assert library.meetings[PLANNING_MARCH[0].meeting_id] == PLANNING_MARCH[0]
    assert library.chunks == FINANCE_MAY[1] + PLANNING_MARCH[1]  # row order: meetings by committee, date
    for chunk in library.chunks:
        assert library.chunk_by_id(chunk.chunk_id) is chunk
        assert library.meeting_of(chunk).text[chunk.start : chunk.end] == chunk.text
    manifest = library.manifest
    assert (manifest.format_version, manifest.model_name, manifest.model_dim) == (FORMAT_VERSION, "hashing-384", 384)
    assert manifest.chunking == {"chunk_tokens": 200, "chunk_overlap_tokens": 40, "max_title_tokens": 40}
    assert set(manifest.sources) == {FINANCE_MAY[0].source, PLANNING_MARCH[0].source}
    assert manifest.sources[FINANCE_MAY[0].source].meeting_id == FINANCE_MAY[0].meeting_id
    assert source_records(path) == manifest.sources
    root = live_dir(path)
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert {"manifest.json", "meetings.jsonl", "chunks.jsonl", "row_ids.json", "faiss.index"} <= names
    assert any(name.startswith("bm25/") for name in names)
    assert not any(name.endswith((".pkl", ".pickle")) for name in names)
    assert json.loads((root / "row_ids.json").read_text()) == [c.chunk_id for c in library.chunks]


def test_incremental_updates_match_a_build_from_scratch(tmp_path: Path, encoder: CountingEncoder) -> None:
    live = tmp_path / "live"
    build(live, [PLANNING_MARCH, FINANCE_MAY], encoder)

    def scratch(meetings: list, name: str) -> dict:  # type: ignore[type-arg]
        build(tmp_path / name, meetings, HashingEncoder(384))
        return snapshot(tmp_path / name, HashingEncoder(384))

    # Add a meeting.
    report = update_library(live, [addition(PLANNING_APRIL)], encoder, settings_at(live))
    assert report.added == (PLANNING_APRIL[0].meeting_id,) and report.replaced == ()
    assert snapshot(live, encoder) == scratch([PLANNING_MARCH, FINANCE_MAY, PLANNING_APRIL], "s1")

    # Change it: the same source file now says something else.
    changed = make_meeting(
        "Planning Committee",
        "2024-04-09",
        [("Riverside housing development", "The application for riverside homes was withdrawn by the developer.")],
        source=PLANNING_APRIL[0].source,
    )
    report = update_library(live, [addition(changed)], encoder, settings_at(live))
    assert report.replaced == (changed[0].meeting_id,) and report.added == ()
    assert snapshot(live, encoder) == scratch([PLANNING_MARCH, FINANCE_MAY, changed], "s2")

    # Remove it, by file name.
    report = remove_from_library(live, Path(changed[0].source).name, encoder, settings_at(live))
    assert report.removed == (changed[0].meeting_id,)
    assert snapshot(live, encoder) == scratch([PLANNING_MARCH, FINANCE_MAY], "s3")
    assert len(list((live / VERSIONS).iterdir())) == 2  # the live version and the previous one; others collected


def test_a_meeting_from_the_same_file_with_another_id_replaces_the_old_one(
    tmp_path: Path, encoder: CountingEncoder
) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH], encoder)
    redated = make_meeting(
        "Planning Committee", "2024-03-13", [("Minutes", "Corrected date.")], source=PLANNING_MARCH[0].source
    )
    report = update_library(path, [addition(redated)], encoder, settings_at(path))
    assert report.added == (redated[0].meeting_id,) and report.replaced == (PLANNING_MARCH[0].meeting_id,)
    library = Library.load(path, encoder)
    assert list(library.meetings) == [redated[0].meeting_id]
    assert {c.meeting_id for c in library.chunks} == {redated[0].meeting_id}
    assert list(library.manifest.sources) == [PLANNING_MARCH[0].source]


def test_unchanged_passages_are_not_embedded_again(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH, FINANCE_MAY], encoder)
    first = encoder.encoded
    # Each distinct text once: both meetings' preambles are the same sentence.
    assert first == len({embed_text(c) for c in PLANNING_MARCH[1] + FINANCE_MAY[1]}) == 9
    report = update_library(path, [addition(PLANNING_APRIL)], encoder, settings_at(path))
    assert encoder.encoded - first == len(PLANNING_APRIL[1]) - 1 == report.embedded
    assert report.reused == report.passages - report.embedded
    # Re-adding the same meetings embeds nothing; neither does a rebuild with the same model.
    count = encoder.encoded
    update_library(path, [addition(PLANNING_MARCH)], encoder, settings_at(path))
    assert rebuild_library(path, encoder).embedded == 0
    assert encoder.encoded == count
    # Removed then re-added: the vectors come from the embedding cache.
    remove_from_library(path, FINANCE_MAY[0].meeting_id, encoder, settings_at(path))
    report = update_library(path, [addition(FINANCE_MAY)], encoder, settings_at(path))
    assert report.embedded == 0 and encoder.encoded == count
    with EmbeddingCache(path) as cache:
        assert cache.count("hashing-384") == len({embed_text(c) for c in Library.load(path, encoder).chunks})


def test_nothing_to_do_writes_no_new_version(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH], encoder)
    name = current_version(path)
    report = update_library(path, [], encoder, settings_at(path))
    assert not report.changed and current_version(path) == name and report.meetings == 1


def test_removing_everything_leaves_an_empty_library(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH], encoder)
    remove_from_library(path, PLANNING_MARCH[0].source, encoder, settings_at(path))
    library = Library.load(path, encoder)
    assert library.meetings == {} and library.chunks == []
    assert library.dense_search(library.encode_query("flooding"), 5) == []
    assert library.keyword_search("flooding", 5) == []


def test_unknown_or_ambiguous_removals_are_refused(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    other = make_meeting("Parish Council", "2024-01-01", [("Bins", "Bins.")], source="/elsewhere/x.txt")
    same_name = make_meeting("Parish Council", "2024-02-01", [("Bins", "More bins.")], source="/other/x.txt")
    build(path, [PLANNING_MARCH, other, same_name], encoder)
    with pytest.raises(LibraryError, match="no meeting or file 'nothing-2020-01-01'"):
        remove_from_library(path, "nothing-2020-01-01", encoder, settings_at(path))
    with pytest.raises(LibraryError, match="names 2 files"):
        remove_from_library(path, "x.txt", encoder, settings_at(path))
    with pytest.raises(LibraryError, match="no meeting or file"):  # update_library takes ids and paths only
        update_library(path, [], encoder, settings_at(path), remove=["x.txt"])
    assert len(Library.load(path, encoder).meetings) == 3


def test_results_never_include_faiss_padding(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [FINANCE_MAY], encoder)
    library = Library.load(path, encoder)
    n = len(library.chunks)
    query = library.encode_query("budget")
    results = library.dense_search(query, 50)
    assert sorted(row for row, _ in results) == list(range(n))  # all of them, once each, none -1
    assert [s for _, s in results] == sorted((s for _, s in results), reverse=True)
    only = np.array([1, 3], dtype=np.int64)
    assert sorted(row for row, _ in library.dense_search(query, 50, rows=only)) == [1, 3]
    assert library.dense_search(query, 5, rows=np.array([], dtype=np.int64)) == []
    assert library.dense_search(query, 0) == []
    keyword = library.keyword_search("budget", 50)
    assert keyword and all(0 <= row < n for row, _ in keyword)
    assert {row for row, _ in keyword} == {r for r, c in enumerate(library.chunks) if "budget" in c.embed_text.lower()}


def test_filtered_search_returns_only_allowed_rows_in_the_same_order(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH, PLANNING_APRIL, FINANCE_MAY], encoder)
    library = Library.load(path, encoder)
    rows = library.rows_for(lambda c: c.committee == "Planning Committee")
    assert rows.dtype == np.int64 and list(rows) == sorted(rows)
    assert {library.chunks[r].committee for r in rows} == {"Planning Committee"}
    query = library.encode_query("budget and riverside flooding")
    everything = library.dense_search(query, len(library.chunks))
    expected = [(r, s) for r, s in everything if r in set(rows.tolist())][:4]
    assert library.dense_search(query, 4, rows=rows) == expected
    keyword_all = library.keyword_search("riverside budget", 100)
    expected_kw = [(r, s) for r, s in keyword_all if r in set(rows.tolist())][:3]
    assert library.keyword_search("riverside budget", 3, rows=rows) == expected_kw
    assert library.keyword_search("the and of", 5) == []  # only stopwords: nothing matches


def test_a_library_built_with_another_model_is_refused(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH], encoder)
    with pytest.raises(LibraryError, match=r"built with hashing-384 \(384-d.*not hashing-128.*index --rebuild"):
        Library.load(path, HashingEncoder(128))
    real = Settings(library=path)
    with pytest.raises(LibraryError, match="not sentence-transformers/all-MiniLM-L6-v2"):
        Library.load(path, settings=real)
    with pytest.raises(LibraryError, match="index --rebuild"):
        update_library(path, [addition(FINANCE_MAY)], HashingEncoder(128), settings_at(path))
    # The advice works: a rebuild re-embeds everything with the new model.
    small = HashingEncoder(128)
    report = rebuild_library(path, small)
    assert report.embedded == len(PLANNING_MARCH[1])
    library = Library.load(path, small)
    assert library.manifest.model_name == "hashing-128" and library.chunks == PLANNING_MARCH[1]


def test_a_newer_format_is_refused(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH], encoder)
    manifest_path = live_dir(path) / "manifest.json"
    data = json.loads(manifest_path.read_text())
    data["format_version"] = FORMAT_VERSION + 1
    data["model_name"] = {"a": "future shape"}
    manifest_path.write_text(json.dumps(data))
    with pytest.raises(LibraryError, match=f"format {FORMAT_VERSION + 1}.*upgrade minutebook"):
        Library.load(path, encoder)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda root: (root / "manifest.json").write_text("{not json"), "manifest.json is not valid JSON"),
        (lambda root: (root / "manifest.json").write_text("[1, 2]"), "not a minutebook manifest"),
        (lambda root: _edit_manifest(root, "model_dim", "384"), "not a minutebook manifest .*model_dim"),
        (lambda root: _edit_manifest(root, "passages", 99), "manifest says 1 and 99"),
        (lambda root: _edit_manifest(root, "chunking", None), "not a minutebook manifest"),
        (lambda root: _truncate(root / "faiss.index"), "faiss.index is .* bytes.*truncated.*index --rebuild"),
        (lambda root: _truncate(root / "chunks.jsonl"), "chunks.jsonl is .* bytes.*truncated.*ingest"),
        (lambda root: (root / "faiss.index").unlink(), "faiss.index is missing.*index --rebuild"),
        (lambda root: _garble(root / "faiss.index"), "not a readable FAISS index.*index --rebuild"),
        (lambda root: _garble(root / "meetings.jsonl"), "meetings.jsonl line 1 is not a valid record"),
        (lambda root: (root / "row_ids.json").write_text("[]" + " " * 500), "row_ids.json.*(bytes|does not match)"),
        (lambda root: _garble(next((root / "bm25").glob("data*.npy"))), "keyword index .* unreadable"),
    ],
)
def test_damaged_files_give_one_clear_line(tmp_path: Path, encoder: CountingEncoder, damage, message) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH], encoder)
    damage(live_dir(path))
    with pytest.raises(LibraryError, match=message) as caught:
        Library.load(path, encoder)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_a_rebuild_repairs_damaged_indexes(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH, FINANCE_MAY], encoder)
    before = snapshot(path, encoder)
    _truncate(live_dir(path) / "faiss.index")
    with pytest.raises(LibraryError):
        Library.load(path, encoder)
    report = rebuild_library(path, encoder)
    assert report.embedded == 0  # from the embedding cache
    assert snapshot(path, encoder) == before


def test_no_library_and_not_a_library(tmp_path: Path, encoder: CountingEncoder) -> None:
    assert not library_exists(tmp_path / "none")
    assert open_library(tmp_path / "none", encoder) is None
    assert source_records(tmp_path / "none") == {}
    with pytest.raises(LibraryError, match="no library at .*minutebook ingest"):
        Library.load(tmp_path / "none", encoder)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.txt").write_text("hello")
    with pytest.raises(LibraryError, match="not a minutebook library"):
        Library.load(junk, encoder)
    # A first update that fails leaves the lock file behind; that is still "no library", not junk.
    with pytest.raises(LibraryError):
        update_library(tmp_path / "new", [], encoder, settings_at(tmp_path), remove=["nothing"])
    assert (tmp_path / "new" / ".lock").exists()
    with pytest.raises(LibraryError, match="no library at"):
        Library.load(tmp_path / "new", encoder)
    (junk / "CURRENT").write_text("../../etc")
    with pytest.raises(LibraryError, match="does not name a library version"):
        Library.load(junk, encoder)


def test_loading_without_an_encoder_checks_the_model_when_it_is_needed(tmp_path: Path) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH], HashingEncoder(384))
    library = Library.load(path)  # listing needs no model
    assert len(library.chunks) == len(PLANNING_MARCH[1])
    loaded = Library.load(path, settings=settings_at(path))
    assert loaded.encode_query("flooding").shape == (384,)
    assert isinstance(loaded.encoder, HashingEncoder)


def test_a_reader_of_an_older_version_survives_a_swap(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH], encoder)
    old = current_version(path)
    old_library = Library.load(path, encoder)
    update_library(path, [addition(FINANCE_MAY)], encoder, settings_at(path))
    assert not old_library.is_current()
    assert version_dir(path, old).is_dir()  # type: ignore[arg-type]
    assert Library.load(path, encoder).is_current()
    assert len(Library.load(path, encoder).meetings) == 2


def test_a_second_writer_waits_then_fails_with_a_clear_message(tmp_path: Path, encoder: CountingEncoder) -> None:
    path = tmp_path / "library"
    build(path, [PLANNING_MARCH], encoder)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with writer_lock(path, timeout=5):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(5)
        started = time.monotonic()
        with pytest.raises(LibraryError, match=r"another minutebook process is updating .*waited 0.5s.*try again"):
            update_library(path, [addition(FINANCE_MAY)], encoder, settings_at(path), lock_timeout=0.5)
        assert time.monotonic() - started >= 0.45
        # Readers are never blocked by a writer.
        assert len(Library.load(path, encoder).meetings) == 1
    finally:
        release.set()
        holder.join()
    # Once the lock is free, the update goes through; a waiting writer gets in when the first finishes.
    update_library(path, [addition(FINANCE_MAY)], encoder, settings_at(path), lock_timeout=0.5)
    assert len(Library.load(path, encoder).meetings) == 2


def test_additions_that_do_not_fit_their_meeting_are_rejected(tmp_path: Path, encoder: CountingEncoder) -> None:
    meeting, chunks = PLANNING_MARCH
    wrong = [replace(chunks[0], meeting_id="someone-else")]
    with pytest.raises(ValueError, match="belongs to someone-else"):
        update_library(tmp_path / "l", [(meeting, wrong, addition(PLANNING_MARCH)[2])], encoder, settings_at(tmp_path))
    assert not library_exists(tmp_path / "l")


def _edit_manifest(root: Path, key: str, value: object) -> None:
    data = json.loads((root / "manifest.json").read_text())
    data[key] = value
    (root / "manifest.json").write_text(json.dumps(data))


def _truncate(file: Path) -> None:
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])


def _garble(file: Path) -> None:
    """Same size, different bytes: only the readers' own checks can tell."""
    size = file.stat().st_size
    file.write_bytes(b"\x00garbage\n" * (size // 9) + b"x" * (size % 9))
