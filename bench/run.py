"""`make bench`: minutebook at 1k to 1M passages, against the LangChain pipeline a user would otherwise build.

    python -m bench.run [--scales 1k,10k] [--questions 40] [--encoder torch|onnx|onnx-int8]

For each scale, in fresh processes (bench.scale): generate a library from real committee text, time ingest
(reading, splitting, embedding), the index build, its size, loading it, peak memory, and questions through the
whole `Assistant.ask` path (new and repeated, one caller and four at once); an IVF index against exact search;
LangChain's FAISS store and rank_bm25 on the same passages. Once per run: the encoder back ends (bench.encoders)
and LangChain's ingest pipeline on the same files (bench.langchain_pipeline). 100k and 1m are opt-in: they take
tens of minutes (and 1m about 10 GB of disk and memory). Results: bench/results/scale-<scales>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.measure import load_average, machine
from bench.report import markdown, targets

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
SIZES = {"k": 1_000, "m": 1_000_000}


def parse_scale(text: str) -> int:
    """`1k` → 1000, `1m` → 1000000, `2500` → 2500."""
    text = text.strip().lower()
    try:
        if text[-1:] in SIZES:
            return int(float(text[:-1]) * SIZES[text[-1]])
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a scale like 1k, 10k, 100k or 1m") from None


def label(passages: int) -> str:
    if passages % 1_000_000 == 0:
        return f"{passages // 1_000_000}m"
    return f"{passages // 1000}k" if passages % 1000 == 0 else str(passages)


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("minutebook", appauthor=False)) / "bench"


def run_step(command: list[str], out: Path, log: Path) -> dict[str, Any]:
    """Run one benchmark step in a fresh Python; its JSON, or what went wrong."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    print("$", shlex.join(command[2:]), flush=True)
    with log.open("w", encoding="utf-8") as handle:
        finished = subprocess.run(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False)
    if finished.returncode != 0 or not out.is_file():
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        return {"failed": f"exit {finished.returncode}: {' | '.join(tail)}"}
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1k,10k", help="comma-separated: 1k,10k,100k,1m (default 1k,10k)")
    parser.add_argument("--questions", type=int, default=40, help="questions asked at each scale")
    parser.add_argument("--encoder", choices=("torch", "onnx", "onnx-int8"), default="onnx-int8")
    parser.add_argument("--real-embed-max", type=int, default=1000, help="largest scale the model embeds in full")
    parser.add_argument("--cache-dir", type=Path, default=None, help="pool vectors and ONNX exports")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--work", type=Path, default=None, help="keep the libraries here (default: a temp dir)")
    parser.add_argument("--skip-langchain", action="store_true")
    parser.add_argument("--skip-encoders", action="store_true")
    parser.add_argument(
        "--reuse-builds",
        action="store_true",
        help="with --work: keep each scale's library from an earlier run there and time only the questions",
    )
    args = parser.parse_args(argv)
    try:
        scales = [parse_scale(s) for s in args.scales.split(",") if s.strip()]
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    cache_dir = args.cache_dir or default_cache_dir()
    python = [sys.executable, "-m"]
    results: dict[str, Any] = {
        "command": shlex.join(["python", "-m", "bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "encoder": args.encoder,
        "scales": {},
    }
    with tempfile.TemporaryDirectory(prefix="minutebook-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if not args.skip_encoders:
            out = work / "encoders.json"
            command = [*python, "bench.encoders", "--out", str(out), "--cache-dir", str(cache_dir)]
            results["encoders"] = run_step(command, out, work / "encoders.log")
        for passages in scales:
            name = label(passages)
            folder = work / name
            common = ["--work", str(folder), "--cache-dir", str(cache_dir), "--encoder", args.encoder]
            if args.reuse_builds and (folder / "build.json").is_file():
                print(f"{name}: the library built earlier in {folder}", flush=True)
                build = json.loads((folder / "build.json").read_text(encoding="utf-8"))
            else:
                build = run_step(
                    [*python, "bench.scale", "build", *common, "--passages", str(passages), "--real-embed-max",
                     str(args.real_embed_max)],
                    folder / "build.json",
                    work / f"{name}-build.log",
                )  # fmt: skip
            scale: dict[str, Any] = {"build": build}
            if "failed" not in build:
                extra = ["--skip-langchain"] if args.skip_langchain else []
                scale["query"] = run_step(
                    [*python, "bench.scale", "query", *common, "--questions", str(args.questions), *extra],
                    folder / "query.json",
                    work / f"{name}-query.log",
                )
                minutes = folder / "minutes"
                if not args.skip_langchain and minutes.is_dir():
                    out = folder / "langchain.json"
                    embed = [] if passages <= args.real_embed_max else ["--no-embed"]
                    scale["langchain_ingest"] = run_step(
                        [*python, "bench.langchain_pipeline", "--files", str(minutes), "--out", str(out), *embed],
                        out,
                        work / f"{name}-langchain.log",
                    )
            results["scales"][name] = scale
            print(f"{name}: done (load average {load_average()})", flush=True)
    results["machine"]["load_average_end"] = load_average()
    results["targets"] = targets(results)
    args.results.mkdir(parents=True, exist_ok=True)
    stem = "scale-" + "-".join(label(p) for p in scales) + (f"-{args.encoder}" if args.encoder != "onnx-int8" else "")
    (args.results / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.results / f"{stem}.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    print(f"wrote {args.results / stem}.json and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
