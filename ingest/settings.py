"""The one settings object: built once from defaults and environment variables, then passed down explicitly."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import platformdirs

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_DIM = 384
# What runs the bundled model: ONNX Runtime with int8 weights (the default), ONNX Runtime fp32, or torch.
ENCODERS = ("onnx-int8", "onnx", "torch")


def default_library_path() -> Path:
    """`MINUTEBOOK_LIBRARY` if set, else `<user data dir>/minutebook/library`."""
    env = os.environ.get("MINUTEBOOK_LIBRARY")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("minutebook", appauthor=False)) / "library"


@dataclass(frozen=True, slots=True)
class Settings:
    library: Path
    model_name: str = MODEL_NAME
    model_dim: int = MODEL_DIM
    encoder: str = "onnx-int8"  # one of ENCODERS
    # Passages are sized in the model's own word-pieces. The model reads at most 256 (including [CLS]/[SEP]
    # and the item title prepended as context), so the passage itself gets at most `chunk_tokens`.
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 40
    max_title_tokens: int = 40
    max_file_bytes: int = 50 * 1024 * 1024
    ocr: str = "auto"  # auto | always | never
    # Retrieval
    candidate_depth: int = 50
    rrf_k: int = 60
    mode: str = "hybrid"  # hybrid | dense | keyword
    # Read the bodies and dates a question names ("Milburn", "the audit committee", "in March 2017") as
    # filters; off, every question searches every meeting the explicit filters admit (eval compares both).
    scope_parsing: bool = True

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(library: Path | str | None = None) -> Settings:
    """Defaults, overridden by `MINUTEBOOK_*` environment variables, overridden by explicit arguments.

    `MINUTEBOOK_OCR` (auto | always | never); `MINUTEBOOK_MODEL` (the bundled model's name, or `hashing-<dim>`
    for the model-free hashing encoder: quick experiments and tests); `MINUTEBOOK_MAX_FILE_MB` (the size limit
    for one file, in MB of 1024 * 1024 bytes, as Streamlit's maxUploadSize counts them); `MINUTEBOOK_ENCODER`
    (onnx-int8 | onnx | torch: what runs the model). A value that cannot be used raises ValueError naming the
    variable.
    """
    settings = Settings(library=Path(library).expanduser() if library else default_library_path())
    if os.environ.get("MINUTEBOOK_OCR"):
        settings = settings.with_(ocr=os.environ["MINUTEBOOK_OCR"])
    model = os.environ.get("MINUTEBOOK_MODEL", "").strip()
    if model:
        hashing = re.fullmatch(r"hashing-(\d+)", model)
        settings = settings.with_(model_name=model, model_dim=int(hashing.group(1)) if hashing else MODEL_DIM)
    encoder = os.environ.get("MINUTEBOOK_ENCODER", "").strip()
    if encoder:
        if encoder not in ENCODERS:
            raise ValueError(f"MINUTEBOOK_ENCODER must be one of {', '.join(ENCODERS)}, not {encoder!r}")
        settings = settings.with_(encoder=encoder)
    limit = os.environ.get("MINUTEBOOK_MAX_FILE_MB", "").strip()
    if limit:
        try:
            megabytes = float(limit)
        except ValueError:
            megabytes = -1.0
        if not 0 < megabytes < 1e6:
            raise ValueError(f"MINUTEBOOK_MAX_FILE_MB must be a positive number of megabytes, not {limit!r}")
        settings = settings.with_(max_file_bytes=max(1, round(megabytes * 1024 * 1024)))
    return settings
