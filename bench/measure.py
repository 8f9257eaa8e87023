"""Small timing helpers shared by the benchmarks: percentiles, peak memory, the machine."""

from __future__ import annotations

import math
import os
import platform
import resource
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import Any


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """n, p50/p95/p99 and mean in milliseconds (nearest-rank percentiles)."""
    if not seconds:
        return {"n": 0}
    ordered = sorted(seconds)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]

    return {
        "n": len(ordered),
        "p50_ms": round(1000 * rank(50), 2),
        "p95_ms": round(1000 * rank(95), 2),
        "p99_ms": round(1000 * rank(99), 2),
        "mean_ms": round(1000 * sum(ordered) / len(ordered), 2),
    }


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports kB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if platform.system() == "Darwin" else 1024), 1)


def memory_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for package in ("faiss-cpu", "bm25s", "torch", "sentence-transformers", "onnxruntime", "langchain-community"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": memory_gb(),
        "python": platform.python_version(),
        "load_average": load_average(),
        "versions": versions,
    }
