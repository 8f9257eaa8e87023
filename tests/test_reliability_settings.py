"""The environment variables the reliability tests (and users) set: the encoder and the file size limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.encoder import HashingEncoder, SentenceTransformerEncoder, load_encoder
from index.errors import LibraryError
from index.onnx_encoder import OnnxEncoder
from ingest.settings import MODEL_DIM, MODEL_NAME, load_settings


def test_defaults_without_the_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("MINUTEBOOK_MODEL", "MINUTEBOOK_MAX_FILE_MB", "MINUTEBOOK_OCR", "MINUTEBOOK_ENCODER"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(tmp_path)
    assert (settings.model_name, settings.model_dim, settings.encoder) == (MODEL_NAME, MODEL_DIM, "onnx-int8")
    assert settings.max_file_bytes == 50 * 1024 * 1024
    encoder = load_encoder(settings)  # the model itself is exported and loaded on first use
    assert isinstance(encoder, OnnxEncoder) and encoder.backend == "onnx-int8"


@pytest.mark.parametrize(("value", "kind"), [("torch", SentenceTransformerEncoder), ("onnx", OnnxEncoder)])
def test_minutebook_encoder_selects_what_runs_the_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, kind: type
) -> None:
    monkeypatch.setenv("MINUTEBOOK_ENCODER", f" {value} ")
    encoder = load_encoder(load_settings(tmp_path))
    assert isinstance(encoder, kind) and encoder.backend == value  # type: ignore[attr-defined]


def test_a_bad_minutebook_encoder_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MINUTEBOOK_ENCODER", "cuda")
    with pytest.raises(ValueError) as error:
        load_settings(tmp_path)
    assert str(error.value) == "MINUTEBOOK_ENCODER must be one of onnx-int8, onnx, torch, not 'cuda'"


@pytest.mark.parametrize(("value", "dim"), [("hashing-384", 384), ("hashing-64", 64)])
def test_minutebook_model_selects_the_hashing_encoder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, dim: int
) -> None:
    monkeypatch.setenv("MINUTEBOOK_MODEL", value)
    settings = load_settings(tmp_path)
    assert (settings.model_name, settings.model_dim) == (value, dim)
    encoder = load_encoder(settings)
    assert isinstance(encoder, HashingEncoder) and encoder.dim == dim


def test_an_unknown_model_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MINUTEBOOK_MODEL", "bert-large")
    with pytest.raises(LibraryError, match=r"^unknown embedding model 'bert-large' \(384-d\); minutebook bundles"):
        load_encoder(load_settings(tmp_path))


@pytest.mark.parametrize(("value", "expected"), [("1", 1024 * 1024), ("0.001", 1049), ("50", 50 * 1024 * 1024)])
def test_minutebook_max_file_mb_sets_the_size_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, expected: int
) -> None:
    monkeypatch.setenv("MINUTEBOOK_MAX_FILE_MB", value)
    assert load_settings(tmp_path).max_file_bytes == expected


@pytest.mark.parametrize("value", ["0", "-3", "ten", "nan", "inf"])
def test_a_bad_size_limit_names_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str) -> None:
    monkeypatch.setenv("MINUTEBOOK_MAX_FILE_MB", value)
    with pytest.raises(ValueError) as error:
        load_settings(tmp_path)
    assert str(error.value) == f"MINUTEBOOK_MAX_FILE_MB must be a positive number of megabytes, not {value!r}"


def test_a_bad_variable_is_one_line_from_the_command(tmp_path: Path) -> None:
    from tests.reliability.helpers import minutebook

    run = minutebook("library", "--library", tmp_path, env={"MINUTEBOOK_MAX_FILE_MB": "ten"})
    assert run.exit_code == 1
    assert run.stderr == "Error: MINUTEBOOK_MAX_FILE_MB must be a positive number of megabytes, not 'ten'\n"
