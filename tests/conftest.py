"""Shared test setup: offline model loading, data paths."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "minutes"
