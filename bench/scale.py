"""One scale of the benchmark, in its own process so that its peak memory and load time are its own.

    python -m bench.scale build --passages 10000 --work DIR [--real-embed-max 1000] [--encoder torch]
    python -m bench.scale query --work DIR [--questions 40] [--callers 4]

`build` generates the meetings (bench.corpus), times reading and splitting them through ingest (as .txt files,
up to --files-max passages) and embedding them (the real model up to --real-embed-max passages; pool vectors
plus noise above), then builds the library with `index.update_library` and writes `build.json` in DIR.
`query` opens that library in a fresh process and times `Assistant.ask` (the whole question path), its parts,
4 concurrent callers, an IVF index against exact search, and LangChain's FAISS store and rank_bm25 on the same
passages and vectors; it writes `query.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.corpus import (
    QMSUM,
    REPO,
    base_vectors,
    item_passages,
    make_meeting,
    plan_meetings,
    real_pool,
    resampled_vectors,
    write_meetings,
)
from bench.measure import load_average, peak_rss_mb, percentiles, timed
from index.encoder import Encoder, SentenceTransformerEncoder, backend_of
from ingest.models import make_meeting_id

ENCODERS = ("torch", "onnx", "onnx-int8")
PROBES = (8, 16, 32, 48, 64, 96, 128, 256)  # nprobe values the IVF table measures
_STARTED = time.perf_counter()


def stage(what: str) -> None:
    """A line in the step's log with the time since the step began: at 1M the steps take minutes."""
    print(
        f"[{time.perf_counter() - _STARTED:7.1f} s, peak RSS {peak_rss_mb():,.0f} MB] {what}",
        file=sys.stderr,
        flush=True,
    )


def make_encoder(kind: str, cache_dir: Path) -> Encoder:
    if kind == "torch":
        return SentenceTransformerEncoder()
    from index.onnx_encoder import onnx_encoder

    return onnx_encoder(kind == "onnx-int8", cache_dir=cache_dir / "onnx")


def pool_encoder(kind: str, cache_dir: Path) -> Encoder:
    """The encoder for the pool's vectors: ONNX fp32 in place of torch when it can (the same vectors, faster)."""
    from index.onnx_encoder import available

    if kind == "torch" and available():
        try:
            return make_encoder("onnx", cache_dir)
        except Exception:  # noqa: BLE001 - no onnx package to export with: torch it is
            pass
    return make_encoder(kind, cache_dir)


# ------------------------------------------------------------------------------------------------ build


def build(args: argparse.Namespace) -> dict[str, Any]:
    from index.cache import EmbeddingCache, text_sha256
    from index.encoder import cache_key
    from index.library import SourceRecord, update_library
    from index.records import embed_text
    from index.sentences import SentenceRows
    from index.storage import current_version, version_dir
    from index.update import sentence_spans
    from ingest.pipeline import build_meeting, chunk_for_settings, file_sha256, read_file
    from ingest.settings import Settings
    from ingest.tokens import count_tokens

    work: Path = args.work
    library = work / "library"
    settings = Settings(library=library, ocr="never")
    encoder = make_encoder(args.encoder, args.cache_dir)
    result: dict[str, Any] = {"passages_asked": args.passages, "encoder": args.encoder}

    stage(f"build {args.passages:,} passages")
    pool, seconds = timed(lambda: real_pool(QMSUM if QMSUM.is_dir() else None))
    base_passages = item_passages(pool, settings)
    result["pool"] = {
        "items": len(pool.items),
        "passages": sum(len(p) for p in base_passages),
        "qmsum": QMSUM.is_dir(),
        "seconds": round(seconds, 1),
    }
    plans = plan_meetings(pool, [len(p) for p in base_passages], args.passages, seed=args.seed)
    stage(f"pool read; {len(plans):,} meetings planned")

    meetings = []
    ingest: dict[str, Any] = {}
    if args.passages <= args.files_max:
        paths = write_meetings(plans, pool, work / "minutes")
        count_tokens.cache_clear()  # the pool's passages were just counted: start cold, as a user would
        reading = splitting = 0.0
        for plan, path in zip(plans, paths, strict=True):
            document, seconds = timed(lambda path=path: read_file(path, settings))
            reading += seconds
            started = time.perf_counter()
            meeting = build_meeting(
                document, sha256=file_sha256(path), committee=plan.committee, meeting_date=plan.meeting_date
            )
            chunks = chunk_for_settings(meeting, settings)
            splitting += time.perf_counter() - started
            meetings.append((meeting, chunks))
        ingest.update(files=len(paths), read_s=round(reading, 2), split_s=round(splitting, 2))
    else:
        started = time.perf_counter()
        for plan in plans:
            meeting = make_meeting(plan, pool)
            meetings.append((meeting, chunk_for_settings(meeting, settings)))
        ingest["generated_without_reading_s"] = round(time.perf_counter() - started, 1)
    chunks = [chunk for _, found in meetings for chunk in found]
    texts = [embed_text(chunk) for chunk in chunks]
    stage(f"{len(meetings):,} meetings, {len(chunks):,} passages made")
    result["library"] = {"meetings": len(meetings), "passages": len(chunks)}

    # Embedding: passages and their sentences, as ingest embeds them (one forward pass each)
    spans = [sentence_spans(chunk) for chunk in chunks]
    if args.passages <= args.real_embed_max:
        encoder.encode(["warm the model up"])
        (vectors, sentences), seconds = timed(lambda: encoder.encode_passages(texts, spans))
        ingest.update(embed_s=round(seconds, 2), embedded_by="model")
        sentence_rows = [SentenceRows.quantise(found, matrix) for found, matrix in zip(spans, sentences, strict=True)]
    else:
        base = base_vectors(pool, settings, pool_encoder(args.encoder, args.cache_dir), args.cache_dir)
        preambles = {make_meeting_id(plan.committee, plan.meeting_date): plan.preamble for plan in plans}
        vectors, misses = resampled_vectors(chunks, base, encoder.dim, preambles)
        if misses:
            vectors[misses] = encoder.encode([texts[row] for row in misses])
        sentence_rows = synthetic_sentences(vectors, spans)
        ingest.update(
            embedded_by="pool vectors + noise (cosine ~0.94 to the model's vector); sentence vectors: the "
            "passage's vector plus noise per sentence (highlighting costs the same whatever they hold)",
            misses=len(misses),
        )
    passages = len(chunks)
    if "read_s" in ingest:
        ingest["passages_per_s"] = {
            "read": round(passages / max(ingest["read_s"], 1e-9)),
            "split": round(passages / max(ingest["split_s"], 1e-9)),
        }
        if "embed_s" in ingest:
            total = ingest["read_s"] + ingest["split_s"] + ingest["embed_s"]
            ingest["passages_per_s"].update(
                embed=round(passages / ingest["embed_s"], 1), read_split_embed=round(passages / total, 1)
            )
    result["ingest"] = ingest
    stage("vectors ready")

    # The library itself: vectors come from the embedding cache, so this times what the index does.
    with EmbeddingCache(library) as cache:
        keys = [text_sha256(text) for text in texts]
        for begin in range(0, len(keys), 50_000):  # in slices: at 1M the sentence blobs are gigabytes
            part = range(begin, min(begin + 50_000, len(keys)))
            cache.put(
                cache_key(encoder),
                {keys[row]: vectors[row] for row in part},
                {keys[row]: sentence_rows[row] for row in part},
            )
    del sentence_rows
    stage("vectors in the library's embedding cache")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    additions = [(m, c, SourceRecord(m.sha256, len(m.text), now, m.meeting_id)) for m, c in meetings]
    report, seconds = timed(lambda: update_library(library, additions, encoder, settings))
    stage(f"library built in {seconds:.1f} s")
    root = version_dir(library, current_version(library) or "")
    sizes = {p.relative_to(root).as_posix(): p.stat().st_size for p in sorted(root.rglob("*")) if p.is_file()}
    result["index"] = {
        "build_s": round(seconds, 2),
        "embedded_during_build": report.embedded,
        "size_mb": round(sum(sizes.values()) / 1e6, 1),
        "files_mb": {name: round(size / 1e6, 2) for name, size in sizes.items() if size > 100_000},
    }
    if "embed_s" in ingest:
        total = ingest["read_s"] + ingest["split_s"] + ingest["embed_s"] + seconds
        ingest["passages_per_s"]["end_to_end_with_index"] = round(passages / total, 1)
    result["peak_rss_mb"] = peak_rss_mb()
    result["load_average"] = load_average()
    np.save(work / "vectors.npy", vectors)
    return result


def synthetic_sentences(vectors: np.ndarray, spans: Sequence[Sequence[tuple[int, int]]], seed: int = 13) -> list[Any]:
    """Sentence vectors for generated passages: each is its passage's vector plus noise, unit length. What they
    hold does not change what highlighting costs (a dot product per sentence); the spans are the real ones."""
    from index.encoder import normalise_rows
    from index.sentences import SentenceRows

    rng = np.random.default_rng(seed)
    rows: list[Any] = []
    for begin in range(0, len(spans), 10_000):
        block = spans[begin : begin + 10_000]
        counts = [len(found) for found in block]
        repeated = np.repeat(vectors[begin : begin + len(block)], counts, axis=0)
        noisy = normalise_rows(repeated + rng.standard_normal(repeated.shape, dtype=np.float32) * np.float32(0.02))
        offsets = np.concatenate([[0], np.cumsum(counts)])
        rows += [SentenceRows.quantise(found, noisy[offsets[n] : offsets[n + 1]]) for n, found in enumerate(block)]
    return rows


# ------------------------------------------------------------------------------------------------ questions


def questions(count: int, seed: int = 3) -> list[str]:
    """Real questions: the Herefordshire and multi-body dev sets and QMSum's specific queries, mixed."""
    sets: list[list[str]] = []
    for name in ("herefordshire-cyp.jsonl", "multi-body.jsonl"):
        file = REPO / "eval" / "questions" / name
        if file.is_file():
            sets.append([json.loads(line)["question"] for line in file.read_text(encoding="utf-8").splitlines()])
    if (QMSUM / "test.jsonl").is_file():
        lines = (QMSUM / "test.jsonl").read_text(encoding="utf-8").splitlines()
        sets.append([q["query"] for line in lines for q in json.loads(line)["specific_query_list"]])
    rng = random.Random(seed)
    mixed: list[str] = []
    for found in sets:
        mixed += rng.sample(found, min(len(found), -(-count // len(sets))))
    rng.shuffle(mixed)
    return mixed[:count]


class TimedEncoder:
    """Wraps the library's encoder to add up the time spent encoding questions and highlight sentences."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name, self.dim, self.backend = inner.name, inner.dim, backend_of(inner)
        self.question_s = 0.0
        self.sentences_s = 0.0
        self.sentences = 0
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], **options: Any) -> np.ndarray:
        vectors, seconds = timed(lambda: self.inner.encode(texts, **options))
        with self._lock:
            if len(texts) == 1:
                self.question_s += seconds
            else:
                self.sentences_s += seconds
                self.sentences += len(texts)
        return vectors  # type: ignore[no-any-return]


@dataclass
class Asked:
    seconds: list[float]
    errors: list[str]


def ask_all(assistant: Any, asked: Sequence[str]) -> Asked:
    seconds, errors = [], []
    for question in asked:
        try:
            _, took = timed(lambda question=question: assistant.ask(question))
            seconds.append(took)
        except Exception as error:  # noqa: BLE001 - a benchmark reports failures, it does not stop on them
            errors.append(f"{question}: {type(error).__name__}: {error}")
    return Asked(seconds, errors)


def concurrent(assistant: Any, asked: Sequence[str], callers: int) -> dict[str, Any]:
    """`callers` threads asking at once, each its share of the questions."""
    results = [Asked([], []) for _ in range(callers)]
    threads = [
        threading.Thread(target=lambda n=n: results.__setitem__(n, ask_all(assistant, asked[n::callers])))
        for n in range(callers)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    seconds = [s for r in results for s in r.seconds]
    return {
        "callers": callers,
        **percentiles(seconds),
        "questions_per_s": round(len(seconds) / wall, 2),
        "errors": [e for r in results for e in r.errors][:5],
    }


# ------------------------------------------------------------------------------------------------ query


def query(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    from assistant.ask import Assistant
    from index.library import Library
    from ingest.settings import Settings

    imports = time.perf_counter() - started
    library_path = args.work / "library"
    settings = Settings(library=library_path, ocr="never")
    encoder = TimedEncoder(make_encoder(args.encoder, args.cache_dir))
    library, load_s = timed(lambda: Library.load(library_path, encoder, settings=settings))  # type: ignore[arg-type]
    rss_loaded = peak_rss_mb()
    stage(f"library loaded in {load_s:.1f} s")
    assistant, init_s = timed(lambda: Assistant(library, settings))
    _, model_s = timed(lambda: library.encode_query("warm the model up"))
    # What the page does in the background while the user types (ui/components/loading.py), timed on its own.
    _, prepare_s = timed(assistant.prepare)
    stage(f"assistant made in {init_s:.1f} s, prepared in {prepare_s:.1f} s")
    result: dict[str, Any] = {
        "passages": len(library.chunks),
        "load": {
            "imports_s": round(imports, 2),
            "library_load_fresh_process_s": round(load_s, 3),
            "assistant_init_s": round(init_s, 2),
            "model_load_s": round(model_s, 2),
            "assistant_prepare_s": round(prepare_s, 2),
            "peak_rss_after_load_mb": rss_loaded,
        },
    }
    asked = questions(args.questions)
    vectors = [library.encode_query(q) for q in asked]
    depth = settings.candidate_depth
    parts = {
        "encode_question": [timed(lambda q=q: library.encode_query(q))[1] for q in asked],
        "dense_k50": [timed(lambda v=v: library.dense_search(v, depth))[1] for v in vectors],
        "keyword_k50": [timed(lambda q=q: library.keyword_search(q, depth))[1] for q in asked],
    }
    result["parts"] = {name: percentiles(seconds) for name, seconds in parts.items()}

    encoder.question_s = encoder.sentences_s = encoder.sentences = 0
    cold = ask_all(assistant, asked)
    result["ask_new_question"] = {
        **percentiles(cold.seconds),
        "errors": cold.errors[:5],
        "highlight_encoding_share": round(encoder.sentences_s / max(sum(cold.seconds), 1e-9), 3),
        "sentences_encoded_per_question": round(encoder.sentences / max(len(cold.seconds), 1), 1),
    }
    warm = ask_all(assistant, asked)
    result["ask_repeated_question"] = {**percentiles(warm.seconds), "errors": warm.errors[:5]}
    fresh = Assistant(library, settings)  # empty sentence cache: the callers ask new questions
    fresh.prepare()
    result["ask_concurrent_new"] = concurrent(fresh, asked, args.callers)
    result["ask_concurrent_repeated"] = concurrent(fresh, asked, args.callers)
    result["peak_rss_mb"] = peak_rss_mb()
    stage("questions asked")
    # Loaded again once the questions are done, so that the peak RSS above is one library's.
    warm_loads = [timed(lambda: Library.load(library_path, encoder, settings=settings))[1] for _ in range(2)]  # type: ignore[arg-type]
    result["load"]["library_load_warm_s"] = round(min(warm_loads), 3)

    # The vectors the library itself holds: passages with the same text share one vector there (the embedding
    # cache keys by text), where vectors.npy gave each its own noise; exact search must search the same set.
    stored = library_vectors(library_path)
    if len(stored) >= args.ivf_from:
        # More questions than the ask timings use: recall@10 over 40 questions moves by ~0.02 with one question.
        probe_questions = questions(args.ivf_questions)
        probe_vectors = np.array([library.encode_query(q) for q in probe_questions])
        stage(f"IVF against exact search, {len(probe_questions)} questions")
        result["ivf_vs_exact"] = ivf_against_exact(
            np.ascontiguousarray(stored), probe_vectors, ivf=library_ivf(library_path)
        )
    if not args.skip_langchain and len(stored) <= args.langchain_max:
        result["langchain"] = langchain_queries(library, np.asarray(stored), asked, vectors, encoder.inner)
    result["load_average"] = load_average()
    return result


def ivf_against_exact(
    stored: np.ndarray, queries: np.ndarray, probes: Sequence[int] = PROBES, ivf: Any = None
) -> dict[str, Any]:
    """Recall@10 and latency of the IVF index at several probe counts, against exact search, same vectors.

    `ivf`: the library's own IVF index where it has one (training another at 1M takes minutes); otherwise one
    is built here with the library's parameters. Exact search is timed as the library runs it (one thread a
    question) and with FAISS's threads on every core. A result tied with the exact 10th score counts as found.
    """
    import faiss

    from index.vectors import build_vectors, list_count, search_vectors

    exact = build_vectors(stored, stored.shape[1], approximate_from=len(stored) + 1)
    build_s = None
    if ivf is None:
        ivf, build_s = timed(lambda: build_vectors(stored, stored.shape[1], approximate_from=0))
        stage(f"IVF built in {build_s:.1f} s")
    default_nprobe = faiss.downcast_index(ivf).nprobe
    truth = [search_vectors(exact, q, 10, None) for q in queries]
    exact_s = [timed(lambda q=q: search_vectors(exact, q, 10, None))[1] for q in queries]
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    all_cores = [timed(lambda q=q: exact.search(q.reshape(1, -1), 10))[1] for q in queries]
    found: dict[str, Any] = {
        "lists": list_count(len(stored)),
        "default_nprobe": default_nprobe,
        "questions": len(queries),
        "index": "built here" if build_s is not None else "the library's",
        "build_s": None if build_s is None else round(build_s, 1),
        "exact_mb": round(stored.nbytes / 1e6),
        "exact": percentiles(exact_s),
        "exact_all_cores": {"threads": os.cpu_count(), **percentiles(all_cores)},
        "by_nprobe": {},
    }
    for nprobe in probes:
        faiss.downcast_index(ivf).nprobe = nprobe
        recalls, seconds = [], []
        for q, best in zip(queries, truth, strict=True):
            hits, took = timed(lambda q=q: search_vectors(ivf, q, 10, None))
            seconds.append(took)
            recalls.append(recall_at_10(best, hits))
        found["by_nprobe"][str(nprobe)] = {"recall_at_10": round(float(np.mean(recalls)), 4), **percentiles(seconds)}
    return found


def library_vectors(library: Path) -> np.ndarray:
    """Every vector of the library's dense index, row i being passage i."""
    from index.storage import current_version, version_dir
    from index.vectors import VECTORS, all_vectors, load_vectors

    return all_vectors(load_vectors(version_dir(library, current_version(library) or "") / VECTORS))


def library_ivf(library: Path) -> Any:
    """The library's own dense index if it is IVF, else None."""
    from index.storage import current_version, version_dir
    from index.vectors import VECTORS, is_approximate, load_vectors

    index = load_vectors(version_dir(library, current_version(library) or "") / VECTORS)
    return index if is_approximate(index) else None


def recall_at_10(exact: Sequence[tuple[int, float]], approximate: Sequence[tuple[int, float]]) -> float:
    """The share of the exact top 10 the approximate search found, a result scoring at least the exact 10th
    (less 1e-6) counting as found: a tie with the 10th is as good an answer as the 10th itself."""
    if not exact:
        return 1.0
    threshold = exact[-1][1] - 1e-6
    return min(1.0, sum(1 for _, score in approximate if score >= threshold) / len(exact))


def langchain_queries(
    library: Any,
    stored: np.ndarray,
    asked: Sequence[str],
    vectors: Sequence[np.ndarray],
    encoder: Encoder,
) -> dict[str, Any]:
    """LangChain's FAISS vector store and rank_bm25 over the same passages, vectors and model."""
    try:
        from langchain_community.vectorstores import FAISS
        from langchain_core.embeddings import Embeddings
        from rank_bm25 import BM25Okapi
    except ImportError as error:
        return {"skipped": f"{error.name} is not installed (pip install '.[bench]')"}
    from index.records import embed_text

    class Adapter(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return encoder.encode(texts).tolist()  # type: ignore[no-any-return]

        def embed_query(self, text: str) -> list[float]:
            return encoder.encode([text])[0].tolist()  # type: ignore[no-any-return]

    texts = [embed_text(chunk) for chunk in library.chunks]
    store, store_s = timed(
        lambda: FAISS.from_embeddings(list(zip(texts, stored.tolist(), strict=True)), Adapter(), normalize_L2=False)
    )
    tokenized, tokenize_s = timed(lambda: [text.lower().split() for text in texts])
    bm25, bm25_s = timed(lambda: BM25Okapi(tokenized))

    def bm25_top(question: str) -> list[int]:
        scores = bm25.get_scores(question.lower().split())
        return list(np.argsort(-scores)[:50])

    # Ours and theirs in turn, question by question, so that the machine's load falls on both alike.
    times: dict[str, list[float]] = {
        name: [] for name in ("dense", "query", "keyword", "ours_dense", "ours_query", "ours_keyword")
    }
    for question, vector in zip(asked, vectors, strict=True):
        as_list = list(map(float, vector))
        runs = {
            "dense": lambda: store.similarity_search_by_vector(as_list, k=50),  # noqa: B023 - called at once
            "ours_dense": lambda: library.dense_search(vector, 50),  # noqa: B023
            "query": lambda: store.similarity_search(question, k=50),  # noqa: B023
            "ours_query": lambda: library.dense_search(library.encode_query(question), 50),  # noqa: B023
            "keyword": lambda: bm25_top(question),  # noqa: B023
            "ours_keyword": lambda: library.keyword_search(question, 50),  # noqa: B023
        }
        for name, run in runs.items():
            times[name].append(timed(run)[1])
    lc_dense, lc_query, lc_keyword = times["dense"], times["query"], times["keyword"]

    def ratio(theirs: list[float], mine: list[float]) -> float:
        return round(float(np.median(theirs) / max(np.median(mine), 1e-9)), 2)

    return {
        "faiss_store_build_s": round(store_s, 2),
        "rank_bm25_build_s": round(tokenize_s + bm25_s, 2),
        "dense_search_by_vector_k50": percentiles(lc_dense),
        "similarity_search_k50_with_encoding": percentiles(lc_query),
        "rank_bm25_top50": percentiles(lc_keyword),
        "ratio_median_theirs_over_ours": {
            "dense_search": ratio(lc_dense, times["ours_dense"]),
            "encode_and_dense_search": ratio(lc_query, times["ours_query"]),
            "keyword_search": ratio(lc_keyword, times["ours_keyword"]),
        },
        "note": "same vectors and model; LangChain's store over the library's embed_text, rank_bm25 over "
        "lower-cased whitespace tokens as its README shows",
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="one scale of the minutebook benchmark")
    parser.add_argument("step", choices=("build", "query"))
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--encoder", choices=ENCODERS, default="onnx-int8")
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--real-embed-max", type=int, default=1000)
    parser.add_argument("--files-max", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--callers", type=int, default=4)
    parser.add_argument("--ivf-from", type=int, default=10_000)
    parser.add_argument("--ivf-questions", type=int, default=200, help="questions for IVF recall against exact")
    parser.add_argument("--langchain-max", type=int, default=150_000)
    parser.add_argument("--skip-langchain", action="store_true")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    result = build(args) if args.step == "build" else query(args)
    (args.work / f"{args.step}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
