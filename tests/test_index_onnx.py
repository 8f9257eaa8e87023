"""The ONNX Runtime encoder gives the torch model's vectors (fp32) or close to them (int8), on real passages;
and the torch encoder gives the same vectors however many texts it is handed at once."""

from __future__ import annotations

import numpy as np
import pytest

from index.encoder import SMALL_BATCH, SentenceTransformerEncoder
from ingest.pipeline import ingest_file
from ingest.settings import Settings
from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def passages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    settings = Settings(library=tmp_path_factory.mktemp("library"))
    chunks = ingest_file(REPO / "samples" / "minutes" / "herefordshire-cyp-scrutiny-2025-01-21.txt", settings).chunks
    return [chunk.embed_text for chunk in chunks][:40] + ["", "Apologies for absence."]


@pytest.fixture(scope="module")
def torch_vectors(passages: list[str]) -> np.ndarray:
    return SentenceTransformerEncoder().encode(passages)


def test_torch_encoder_gives_the_same_vectors_on_one_thread_and_on_many(passages: list[str]) -> None:
    encoder = SentenceTransformerEncoder()
    many = encoder.encode(passages * 2)  # over SMALL_BATCH texts: torch's default threads
    assert len(passages) * 2 > SMALL_BATCH
    few = np.vstack([encoder.encode(passages[i : i + 8]) for i in range(0, len(passages), 8)])  # one thread
    assert np.allclose(few, many[: len(passages)], atol=1e-5)


@pytest.mark.parametrize(("quantized", "mean", "worst"), [(False, 0.9999, 0.9999), (True, 0.98, 0.95)])
def test_onnx_encoder_agrees_with_torch(
    passages: list[str],
    torch_vectors: np.ndarray,
    tmp_path_factory: pytest.TempPathFactory,
    quantized: bool,
    mean: float,
    worst: float,
) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from index.onnx_encoder import OnnxEncoder, onnx_encoder

    encoder = onnx_encoder(quantized, cache_dir=tmp_path_factory.getbasetemp() / "onnx")
    assert isinstance(encoder, OnnxEncoder) and (encoder.name, encoder.dim) == (
        "sentence-transformers/all-MiniLM-L6-v2",
        384,
    )
    vectors = encoder.encode(passages)
    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.mean() >= mean and cosines.min() >= worst
    # a question alone (one thread) gets the vector it gets in a batch; int8 only nearly, as its activations
    # are quantised with a scale per batch
    assert encoder.encode(passages[:1])[0] @ vectors[0] >= (0.99 if quantized else 0.9999)


@pytest.mark.parametrize(("quantized", "mean", "worst"), [(False, 0.9999, 0.999), (True, 0.97, 0.85)])
def test_onnx_sentence_vectors_agree_with_torch(
    tmp_path_factory: pytest.TempPathFactory, quantized: bool, mean: float, worst: float
) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from index.onnx_encoder import onnx_encoder
    from index.update import sentence_spans

    settings = Settings(library=tmp_path_factory.mktemp("library"))
    chunks = ingest_file(REPO / "samples" / "minutes" / "herefordshire-cyp-scrutiny-2025-01-21.txt", settings).chunks
    texts, spans = [c.embed_text for c in chunks][:40], [sentence_spans(c) for c in chunks][:40]
    torch_passages, torch_sentences = SentenceTransformerEncoder().encode_passages(texts, spans)
    encoder = onnx_encoder(quantized, cache_dir=tmp_path_factory.getbasetemp() / "onnx")
    passages, sentences = encoder.encode_passages(texts, spans)
    assert np.allclose(passages, encoder.encode(texts), atol=1e-5)
    assert (passages * torch_passages).sum(axis=1).min() >= (0.98 if quantized else 0.9999)
    cosines = (np.vstack(sentences) * np.vstack(torch_sentences)).sum(axis=1)
    assert cosines.mean() >= mean and cosines.min() >= worst


@pytest.mark.parametrize("quantized", [False, True])
def test_onnx_batches_run_side_by_side_give_the_vectors_of_one_worker(
    passages: list[str], torch_vectors: np.ndarray, tmp_path_factory: pytest.TempPathFactory, quantized: bool
) -> None:
    """Over SMALL_BATCH texts, batches of BATCH run one per core; order and vectors are those of one worker
    (int8 nearly: its activations are quantised with a scale per batch, and batches differ with the worker)."""
    pytest.importorskip("onnxruntime")
    from index.onnx_encoder import OnnxEncoder, onnx_encoder
    from index.update import sentence_spans

    path = onnx_encoder(quantized, cache_dir=tmp_path_factory.getbasetemp() / "onnx").model_path
    texts = passages * 2
    assert len(texts) > SMALL_BATCH
    side_by_side, alone = OnnxEncoder(path, workers=2), OnnxEncoder(path, workers=1)
    together = side_by_side.encode(texts)
    one_worker = alone.encode(texts)
    assert np.allclose(together, one_worker, atol=1e-5)  # the same batches, whichever thread ran them
    assert np.allclose(together[: len(passages)], together[len(passages) :], atol=1e-5)  # rows stay in order
    cosines = (together[: len(passages)] * torch_vectors).sum(axis=1)
    assert cosines.mean() >= (0.98 if quantized else 0.9999) and cosines.min() >= (0.95 if quantized else 0.9999)
    settings = Settings(library=tmp_path_factory.mktemp("library"))
    chunks = [
        chunk
        for name in ("herefordshire-cyp-scrutiny-2024-09-17.txt", "herefordshire-cyp-scrutiny-2025-01-21.txt")
        for chunk in ingest_file(REPO / "samples" / "minutes" / name, settings).chunks
    ]
    assert len(chunks) > SMALL_BATCH
    spans = [sentence_spans(c) for c in chunks]
    vectors, sentences = side_by_side.encode_passages([c.embed_text for c in chunks], spans)
    vectors_alone, sentences_alone = alone.encode_passages([c.embed_text for c in chunks], spans)
    assert np.allclose(vectors, vectors_alone, atol=1e-5)
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(sentences, sentences_alone, strict=True))
