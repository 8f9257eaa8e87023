"""The library over real minutes: ingest's passages from samples/minutes, with the hashing and the real encoder."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from index.encoder import HashingEncoder, SentenceTransformerEncoder, load_encoder
from index.library import Library, SourceRecord, rebuild_library, source_records, update_library
from ingest.pipeline import IngestResult, file_sha256, ingest_file
from ingest.settings import Settings
from tests.conftest import SAMPLES
from tests.index_helpers import FINANCE_MAY, PLANNING_MARCH, addition, snapshot
from ui.cli import cli

SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))


def additions(results: list[IngestResult]) -> list[tuple]:  # type: ignore[type-arg]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return [(r.meeting, r.chunks, SourceRecord(r.meeting.sha256, r.size, now, r.meeting.meeting_id)) for r in results]


@pytest.fixture(scope="module")
def ingested() -> list[IngestResult]:
    settings = Settings(library=Path("unused"))
    return [ingest_file(path, settings) for path in SAMPLE_FILES]


def hashing_settings(path: Path) -> Settings:
    return Settings(library=path, model_name="hashing-384", model_dim=384)


def test_sample_minutes_go_in_whole_and_come_back_out(tmp_path: Path, ingested: list[IngestResult]) -> None:
    path = tmp_path / "library"
    encoder = HashingEncoder(384)
    report = update_library(path, additions(ingested), encoder, hashing_settings(path))
    assert report.meetings == 2 and report.passages == sum(len(r.chunks) for r in ingested)
    library = Library.load(path, encoder)
    for result in ingested:
        assert library.meetings[result.meeting.meeting_id] == result.meeting
        stored = [c for c in library.chunks if c.meeting_id == result.meeting.meeting_id]
        assert stored == result.chunks
        assert [c.embed_text for c in stored] == [c.embed_text for c in result.chunks]
    for chunk in library.chunks:
        assert library.meeting_of(chunk).text[chunk.start : chunk.end] == chunk.text
    # The manifest answers "is this file unchanged?" without loading anything else.
    records = source_records(path)
    assert {Path(s).name for s in records} == {p.name for p in SAMPLE_FILES}
    for source, record in records.items():
        assert record.sha256 == file_sha256(Path(source))
    # A keyword search finds the passage naming a person in the minutes.
    row, _ = library.keyword_search("Independent Scrutineer safeguarding partnership", 1)[0]
    assert "Scrutineer" in library.chunks[row].text


def test_ingesting_a_changed_file_replaces_its_meeting(tmp_path: Path, ingested: list[IngestResult]) -> None:
    path = tmp_path / "library"
    encoder = HashingEncoder(384)
    update_library(path, additions(ingested), encoder, hashing_settings(path))
    # The same file, edited: one more sentence in the first item.
    copy = tmp_path / SAMPLE_FILES[1].name
    text = SAMPLE_FILES[1].read_text(encoding="utf-8")
    copy.write_text(text.replace("No named substitutes", "Councillor Smith substituted. No other substitutes"))
    settings = hashing_settings(path)
    original = ingested[1]
    edited = ingest_file(copy, settings)
    assert edited.meeting.meeting_id == original.meeting.meeting_id
    edited = IngestResult(
        meeting=_with_source(edited.meeting, original.meeting.source),
        chunks=[_chunk_with_source(c, original.meeting.source) for c in edited.chunks],
        size=edited.size,
    )
    report = update_library(path, additions([edited]), encoder, settings)
    assert report.replaced == (original.meeting.meeting_id,)
    assert 0 < report.embedded < len(edited.chunks)  # only the passages that changed
    scratch = tmp_path / "scratch"
    update_library(scratch, additions([ingested[0], edited]), HashingEncoder(384), hashing_settings(scratch))
    assert snapshot(path, encoder) == snapshot(scratch, encoder)


def _with_source(meeting, source):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(meeting, source=source)


def _chunk_with_source(chunk, source):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(chunk, source=source)


def test_ingest_command_refuses_a_library_of_another_model(tmp_path: Path) -> None:
    path = tmp_path / "library"
    update_library(path, [addition(PLANNING_MARCH)], HashingEncoder(384), hashing_settings(path))
    result = CliRunner().invoke(cli, ["ingest", str(SAMPLE_FILES[0]), "--library", str(path)])
    assert result.exit_code == 1 and "built with hashing-384" in result.output and "index --rebuild" in result.output
    assert list(Library.load(path).meetings) == [PLANNING_MARCH[0].meeting_id]


@pytest.mark.slow
def test_ingest_then_library_then_remove_from_the_command_line(tmp_path: Path) -> None:
    minutes = tmp_path / "minutes"
    minutes.mkdir()
    for file in SAMPLE_FILES:
        shutil.copy(file, minutes / file.name)
    path = str(tmp_path / "library")
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(cli, ["ingest", str(minutes), "--library", path])
    assert result.exit_code == 0, result.output
    listing = json.loads(runner.invoke(cli, ["library", "--json", "--library", path]).stdout)
    assert sorted(Path(m["source"]).name for m in listing["meetings"]) == [p.name for p in SAMPLE_FILES]
    assert listing["totals"]["passages"] == sum(m["passages"] for m in listing["meetings"]) > 50
    version = listing["version"]
    again = runner.invoke(cli, ["ingest", str(minutes), "--library", path, "--json"])
    assert again.exit_code == 0 and {o["status"] for o in json.loads(again.stdout)} == {"unchanged"}
    assert json.loads(runner.invoke(cli, ["library", "--json", "--library", path]).stdout)["version"] == version
    removed = runner.invoke(cli, ["remove", SAMPLE_FILES[0].name, "--library", path])
    assert removed.exit_code == 0, removed.output
    listing = json.loads(runner.invoke(cli, ["library", "--json", "--library", path]).stdout)
    assert [Path(m["source"]).name for m in listing["meetings"]] == [SAMPLE_FILES[1].name]


@pytest.mark.slow
def test_real_model_build_query_reload_gives_the_same_ids(tmp_path: Path) -> None:
    path = tmp_path / "library"
    encoder = SentenceTransformerEncoder()
    settings = Settings(library=path)
    update_library(path, [addition(PLANNING_MARCH), addition(FINANCE_MAY)], encoder, settings)
    library = Library.load(path, encoder)
    question = "Why was the decision on the new homes by the river put off?"
    before = [row for row, _ in library.dense_search(library.encode_query(question), 5)]
    assert library.chunks[before[0]].item_title == "Riverside housing development"
    again = Library.load(path, settings=settings)  # a fresh load; the model comes from the settings
    after = [row for row, _ in again.dense_search(again.encode_query(question), 5)]
    assert [library.chunks[r].chunk_id for r in before] == [again.chunks[r].chunk_id for r in after]
    vectors = library._vectors.reconstruct_n(0, library._vectors.ntotal)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_index_command_rebuilds_a_library_for_the_real_model(tmp_path: Path, ingested: list[IngestResult]) -> None:
    path = tmp_path / "library"
    update_library(path, additions(ingested), HashingEncoder(384), hashing_settings(path))
    before = Library.load(path)
    result = CliRunner().invoke(cli, ["index", "--library", str(path)])
    assert result.exit_code == 0, result.output
    assert "Rebuilding: the library" in result.output and "built with hashing-384" in result.output
    default = load_encoder(Settings(library=path))  # the bundled model under ONNX Runtime, int8
    library = Library.load(path, default)
    assert library.manifest.model_name == "sentence-transformers/all-MiniLM-L6-v2"
    assert library.manifest.encoder == "onnx-int8"
    assert library.chunks == before.chunks and library.meetings == before.meetings
    result = CliRunner().invoke(cli, ["index", "--library", str(path)])
    assert result.exit_code == 0 and "up to date" in result.output
    # A forced rebuild with the same model takes every vector from the cache; with another back end, none.
    assert rebuild_library(path, default).embedded == 0
    by_torch = rebuild_library(path, SentenceTransformerEncoder())
    assert by_torch.embedded == by_torch.passages == len(library.chunks)
    assert Library.load(path).manifest.encoder == "torch"
    # The real model finds the sample's safeguarding report for a paraphrased question.
    question = "How well are agencies working together to keep children safe?"
    top = [library.chunks[row] for row, _ in library.dense_search(library.encode_query(question), 3)]
    assert any("safeguard" in (c.item_title or "").lower() + c.text.lower() for c in top)


def test_passages_are_written_exactly_as_chunk_to_json(ingested: list[IngestResult]) -> None:
    from index.update import chunk_json

    chunks = [c for r in ingested for c in r.chunks]
    assert any(c.page is None for c in chunks) and any(c.item_number is None for c in chunks)
    assert [chunk_json(c) for c in chunks] == [c.to_json() for c in chunks]


def test_keyword_analysis_is_bm25s_own(ingested: list[IngestResult]) -> None:
    import bm25s
    import Stemmer

    from index.keyword import keyword_tokens

    texts = [r.meeting.text for r in ingested] + ["The Chairs' café-budgets (2024) weren't approved; naïve SEND"]
    theirs = bm25s.tokenize(texts, stopwords="en", stemmer=Stemmer.Stemmer("english"), return_ids=False)
    assert keyword_tokens(texts) == [list(doc) for doc in theirs]
