"""Libraries built in a temporary folder for the page tests (AppTest and browser)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ingest.pipeline import ingest_file
from ingest.settings import MODEL_NAME, Settings, load_settings
from tests.conftest import DATA, REPO, SAMPLES
from ui.library_ops import add_results_to_library

APP = REPO / "ui" / "app.py"
SCRIPT_MINUTES = DATA / "page" / "script-minutes.txt"
SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))
HASHING = "hashing-384"


def build_library(path: Path, sources: Iterable[Path], *, model_name: str = HASHING) -> Settings:
    """Ingest `sources` into a new library at `path` with the hashing encoder (fast) or the real model."""
    settings = load_settings(path).with_(model_name=model_name)
    if model_name == MODEL_NAME:
        settings = settings.with_(model_dim=384)
    add_results_to_library(settings, [ingest_file(source, settings) for source in sources])
    return settings


_TAG = re.compile(r"<[^>]+>")


def html_text(fragment: str) -> str:
    """The text a browser would show for one of the page's HTML fragments (tags dropped, entities decoded)."""
    import html

    return html.unescape(_TAG.sub("", fragment.replace("<br>", "\n")))


def marked(fragment: str) -> list[str]:
    """The texts inside <mark> elements of a fragment, as displayed."""
    return [html_text(inner) for inner in re.findall(r"<mark[^>]*>(.*?)</mark>", fragment, re.DOTALL)]
