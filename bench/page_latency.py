"""How fast the page answers on the sample library (or another, `--library`), and what its first load costs.

Builds the sample library (samples/minutes) with the real model in a temporary folder (or takes `--library`),
then:

- first load, in a fresh Python process: imports, model load, library load, and the first page run (AppTest),
  which is what the first visitor after `minutebook ui` waits for;
- warm answers: `Assistant.ask` over the dev questions (eval/questions), first and second pass, and the whole
  page round trip (AppTest: question in, answer and cards rendered) for a 10-turn conversation;
- in a real browser (if /usr/bin/chromium exists): `streamlit run` until healthy, first page until the question
  box shows, and question → marked answer on screen, warm.

Writes bench/results/page_latency.json with the command and the machine.

    .venv/bin/python bench/page_latency.py [--questions 40] [--out bench/results/page_latency.json]
    .venv/bin/python bench/page_latency.py --library DIR/100k/library --out bench/results/page_latency_100k.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "ui" / "app.py"
QUESTIONS = REPO / "eval" / "questions" / "herefordshire-cyp.jsonl"
CONVERSATION = [
    "What did the independent scrutineer say about care leavers?",
    "and what did they decide?",
    "Who sent apologies to the January 2025 meeting?",
    "What was said about the improvement plan?",
    "what about in January?",
    "How many children were on child protection plans?",
    "What did the committee ask about school attendance?",
    "Who chaired the September meeting?",
    "What was resolved about the work programme?",
    "What is the best recipe for banana bread?",
]
CHROMIUM = Path("/usr/bin/chromium")


def summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "n": len(ordered),
        "median_s": round(statistics.median(ordered), 4),
        "p90_s": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 4),
        "max_s": round(ordered[-1], 4),
        "mean_s": round(statistics.fmean(ordered), 4),
    }


def build(library: Path) -> float:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from ingest.pipeline import ingest_file
    from ingest.settings import load_settings
    from ui.library_ops import add_results_to_library

    started = time.perf_counter()
    settings = load_settings(library)
    results = [ingest_file(path, settings) for path in sorted((REPO / "samples" / "minutes").glob("*.txt"))]
    add_results_to_library(settings, results)
    return time.perf_counter() - started


def child(library: Path, questions: int) -> dict[str, object]:
    """Run in a fresh process: first-load costs, then warm answer times."""
    started = time.perf_counter()
    import streamlit  # noqa: F401
    from streamlit.testing.v1 import AppTest

    import assistant  # noqa: F401
    import index.library  # noqa: F401

    imports = time.perf_counter() - started

    from assistant import Assistant
    from index.encoder import load_encoder
    from index.library import Library
    from ingest.settings import load_settings

    settings = load_settings(library)
    t = time.perf_counter()
    encoder = load_encoder(settings)
    encoder.encode(["warm up"])
    model_load = time.perf_counter() - t
    t = time.perf_counter()
    loaded = Library.load(library, encoder, settings=settings)
    helper = Assistant(loaded, settings)
    library_load = time.perf_counter() - t

    os.environ["MINUTEBOOK_LIBRARY"] = str(library)
    t = time.perf_counter()
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    first_page = time.perf_counter() - t  # the page's own cache_resource load (model already in this process)

    lines = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    asked = [line["question"] for line in lines[:questions]]
    first_pass: list[float] = []
    second_pass: list[float] = []
    for seconds in (first_pass, second_pass):
        for question in asked:
            t = time.perf_counter()
            helper.ask(question)
            seconds.append(time.perf_counter() - t)

    round_trips = []
    for question in CONVERSATION:
        t = time.perf_counter()
        at.chat_input(key="question").set_value(question).run()
        round_trips.append(time.perf_counter() - t)
        if at.exception:
            raise RuntimeError(str(at.exception))
    return {
        "first_load": {
            "imports_s": round(imports, 3),
            "model_load_s": round(model_load, 3),
            "library_load_s": round(library_load, 3),
            "first_page_run_s": round(first_page, 3),
            "total_s": round(imports + model_load + library_load + first_page, 3),
            "note": "a fresh process: imports, then the model, the library, and the first AppTest page run",
        },
        "assistant_ask_first_pass": summary(first_pass),
        "assistant_ask_warm": summary(second_pass),
        "page_round_trip_warm": {
            **summary(round_trips[1:]),
            "first_question_s": round(round_trips[0], 4),
            "note": "AppTest: question in, the whole page (growing conversation) rendered; 10-turn conversation",
        },
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def browser(library: Path) -> dict[str, object]:
    """`streamlit run` and Chromium: server start, first page, and warm question → marked answer."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = dict(os.environ, MINUTEBOOK_LIBRARY=str(library), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    started = time.perf_counter()
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.perf_counter() - started > 120:
                    raise TimeoutError("streamlit did not start") from None
                time.sleep(0.1)
        server_start = time.perf_counter() - started
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            )  # fmt: skip
            page = chromium.new_page()
            t = time.perf_counter()
            page.goto(url)
            box = page.get_by_placeholder("Ask about the minutes", exact=False)
            box.wait_for(timeout=300_000)
            first_page = time.perf_counter() - t
            answers = []
            for number, question in enumerate(CONVERSATION[:6], start=1):
                t = time.perf_counter()
                box.fill(question)
                box.press("Enter")
                page.locator("[data-testid='stChatMessage']").nth(2 * number - 1).locator(
                    ".answer-line, .not-found"
                ).wait_for(timeout=60_000)
                answers.append(time.perf_counter() - t)
            chromium.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "server_start_s": round(server_start, 3),
        "first_page_s": round(first_page, 3),
        "first_question_s": round(answers[0], 3),
        "open_to_first_answer_s": round(first_page + answers[0], 3),
        "warm_question_to_answer": summary(answers[1:]),
        "note": "first page = goto until the question box shows (the library loads first, the model in the "
        "background); first question = includes whatever is left of the model load",
    }


def library_label(library: Path | None) -> str:
    if library is None:
        return "samples/minutes (2 meetings), real model all-MiniLM-L6-v2"
    from index.records import read_records

    manifest = read_records(library).manifest
    return f"{library}: {manifest.meetings:,} meetings, {manifest.passages:,} passages, encoder {manifest.encoder}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=40, help="dev questions asked per pass")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "page_latency.json")
    parser.add_argument(
        "--library", type=Path, help="time the page on this library (e.g. a bench.scale one) instead of the samples"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.questions)))
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="minutebook-bench-") as folder:
        library = args.library or Path(folder) / "library"
        build_seconds = None if args.library else build(library)
        env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(library), "--questions", str(args.questions)],
            env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        result: dict[str, object] = {}
        if build_seconds is not None:
            result["build_sample_library_s"] = round(build_seconds, 3)
        result.update(json.loads(output.strip().splitlines()[-1]))
        result["browser"] = browser(library) if CHROMIUM.exists() else "skipped: /usr/bin/chromium not installed"
    result = {
        "command": " ".join([Path(sys.executable).name, "bench/page_latency.py", *sys.argv[1:]]),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "streamlit": metadata.version("streamlit"),
            "torch": metadata.version("torch"),
            "onnxruntime": metadata.version("onnxruntime"),
            # Other work on the machine slows every figure; compare runs only at similar load.
            "load_average_1m_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        },
        "library": library_label(args.library),
        **result,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
