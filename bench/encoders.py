"""The encoder back ends on the same real passages: torch (the default), ONNX Runtime fp32 and int8.

Throughput on passages (ingest) and on their sentences (what the assistant encodes to highlight an answer),
one question's latency, and cosine agreement with torch. Run in its own process.

    python -m bench.encoders --out FILE.json [--passages 200] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench.measure import load_average, percentiles, timed


def sample_texts(count: int, seed: int = 5) -> tuple[list[str], list[str]]:
    """`count` real passages (embed_text) from the pool, and their sentences as the assistant splits them."""
    from assistant.highlight import split_sentences
    from bench.corpus import QMSUM, item_passages, real_pool
    from ingest.settings import Settings

    pool = real_pool(QMSUM if QMSUM.is_dir() else None)
    with tempfile.TemporaryDirectory() as tmp:
        chunks = [c for item in item_passages(pool, Settings(library=Path(tmp))) for c in item]
    chosen = random.Random(seed).sample(chunks, min(count, len(chunks)))
    sentences = [c.text[a:b] for c in chosen for a, b in split_sentences(c.text)]
    return [c.embed_text for c in chosen], sentences


def compare(count: int, cache_dir: Path) -> dict[str, Any]:
    from bench.scale import make_encoder
    from index.onnx_encoder import available

    passages, sentences = sample_texts(count)
    questions = [
        "What was decided about school transport?",
        "Who sent apologies to the January meeting?",
        "How many children were on child protection plans?",
        "What did the committee say about funding for pupil referral units?",
    ] * 5
    result: dict[str, Any] = {"passages": len(passages), "sentences": len(sentences), "encoders": {}}
    reference: dict[str, np.ndarray] = {}
    kinds = ["torch"] + (["onnx", "onnx-int8"] if available() else [])
    for kind in kinds:
        try:
            encoder, load_s = timed(lambda kind=kind: make_encoder(kind, cache_dir))
        except Exception as error:  # noqa: BLE001 - e.g. the onnx package missing for the export
            result["encoders"][kind] = {"skipped": str(error)}
            continue
        _, warm_s = timed(lambda encoder=encoder: encoder.encode(["warm up"]))
        found: dict[str, Any] = {"load_and_export_s": round(load_s + warm_s, 1)}
        for name, texts in (("passages", passages), ("sentences", sentences)):
            vectors, seconds = timed(lambda encoder=encoder, texts=texts: encoder.encode(texts))
            found[f"{name}_per_s"] = round(len(texts) / seconds, 1)
            if kind == "torch":
                reference[name] = vectors
            else:
                cosines = (vectors * reference[name]).sum(axis=1)
                found[f"{name}_cosine_to_torch"] = {
                    "mean": round(float(cosines.mean()), 4),
                    "min": round(float(cosines.min()), 4),
                    "p1": round(float(np.percentile(cosines, 1)), 4),
                }
        found["question"] = percentiles([timed(lambda encoder=encoder, q=q: encoder.encode([q]))[1] for q in questions])
        result["encoders"][kind] = found
    if "torch" in result["encoders"]:
        torch_found = result["encoders"]["torch"]
        for found in result["encoders"].values():
            if "passages_per_s" in found:
                found["speedup_over_torch"] = {
                    "passages": round(found["passages_per_s"] / torch_found["passages_per_s"], 2),
                    "sentences": round(found["sentences_per_s"] / torch_found["sentences_per_s"], 2),
                    "question_p50": round(torch_found["question"]["p50_ms"] / found["question"]["p50_ms"], 2),
                }
    if "onnx-int8" in result["encoders"] and "skipped" not in result["encoders"]["onnx-int8"]:
        result["int8_batching"] = batching(make_encoder("onnx-int8", cache_dir), passages)
    result["load_average"] = load_average()
    return result


def batching(encoder: Any, passages: list[str]) -> dict[str, Any]:
    """The int8 model's passages/s run as the encoder runs it (batches of BATCH, one single-threaded session per
    core side by side) against one session on every core over batches of 32 (how it ran before), same texts."""
    from index.onnx_encoder import BATCH, OUTPUTS, _feed

    session = encoder._session(0)  # ONNX Runtime's own threads: every core

    def one_session_all_cores(size: int = 32) -> None:
        order = sorted(range(len(passages)), key=lambda i: len(passages[i]), reverse=True)
        for begin in range(0, len(order), size):
            encodings = encoder._tokenizer.encode_batch([passages[i] for i in order[begin : begin + size]])
            session.run(list(OUTPUTS[:1]), _feed(encodings))

    one_session_all_cores()  # warm up both
    encoder.encode(passages[:80])
    rates: dict[str, float] = {}
    for _ in range(2):  # alternated, so the machine's load falls on both alike; the better of two
        for name, run in (
            ("one_session_all_cores_batch_32", one_session_all_cores),
            (f"side_by_side_batch_{BATCH}", lambda: encoder.encode(passages)),
        ):
            rate = len(passages) / timed(run)[1]
            rates[name] = max(rates.get(name, 0.0), round(rate, 1))
    rates["ratio"] = round(rates[f"side_by_side_batch_{BATCH}"] / rates["one_session_all_cores_batch_32"], 2)
    return {"passages_per_s": rates, "workers": encoder.workers}


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--cache-dir", type=Path, required=True)
    args = parser.parse_args()
    result = compare(args.passages, args.cache_dir)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
