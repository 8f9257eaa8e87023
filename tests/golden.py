"""Golden files: the expected items and metadata of real minutes, written by reading each document.

`tests/data/golden/<stem>.json` holds {"committee", "meeting_date", "chair", "present", "apologies",
"items": [[number, title], ...]} for the source file of the same stem in samples/minutes/ or
tests/data/external/. The item list starts with the preamble, [null, null].
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ingest.readers import read_document
from tests.conftest import DATA, SAMPLES

GOLDEN = DATA / "golden"
EXTERNAL = DATA / "external"


def golden_stems() -> list[str]:
    return sorted(path.stem for path in GOLDEN.glob("*.json"))


def load_golden(stem: str) -> dict[str, Any]:
    return json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))


def source_path(stem: str) -> Path:
    for folder in (SAMPLES, EXTERNAL):
        found = [path for path in folder.glob(f"{stem}.*") if path.suffix != ".json"]
        if found:
            return found[0]
    raise FileNotFoundError(f"no source file for golden {stem}")


@cache
def source_text(stem: str) -> str:
    return read_document(source_path(stem)).text
