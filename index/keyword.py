"""The keyword index: bm25s over the passages, with English stopwords removed and Snowball stemming.

Saved with bm25s's own `save` (JSON vocabulary and parameters, `.npy` score arrays, `allow_pickle=False`),
so loading never unpickles anything. Beside it, `terms.json`: in how many passages each content term
(`ingest.terms`) occurs, counted once here so that the assistant need not read every passage when it starts
(8 s at 100,000 passages). Libraries built before it have no such file: `term_frequencies` is then None.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ingest.models import Chunk
from ingest.terms import passage_text, term_frequencies

KEYWORD_DIR = "bm25"
TERMS = "terms.json"


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's (and scikit-learn's) default: words of two or more characters


@lru_cache(maxsize=1)
def _analysis() -> tuple[frozenset[str], Any]:
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN), Stemmer.Stemmer("english")


def keyword_tokens(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stopword-free, stemmed tokens: the same analysis for passages and questions.

    The analysis of `bm25s.tokenize(stopwords="en", stemmer=...)`, done here because bm25s rebuilds its
    stopword set for every text, which made tokenising 10,000 passages take seconds.
    """
    stopwords, stemmer = _analysis()
    words = [[w for w in _TOKEN.findall(text.lower()) if w not in stopwords] for text in texts]
    unique = list({w for doc in words for w in doc})
    stems = dict(zip(unique, stemmer.stemWords(unique), strict=True))
    return [[stems[w] for w in doc] for doc in words]


class KeywordIndex:
    """BM25 scores over `n` passages (row i is FAISS row i); an empty library has no bm25s model at all.

    `term_frequencies`: (passages, passages holding each content term), when they were counted at build time.
    """

    def __init__(self, model: Any, n: int, term_frequencies: tuple[int, Counter[str]] | None = None) -> None:
        self._model = model
        self.n = n
        self.term_frequencies = term_frequencies

    @classmethod
    def build(cls, texts: Sequence[str], passages: Sequence[Chunk] | None = None) -> KeywordIndex:
        """The index over `texts` (row i is `texts[i]`); with `passages` (the same rows), their term counts too."""
        import bm25s

        counted = term_frequencies(passage_text(chunk) for chunk in passages) if passages is not None else None
        if counted is not None and counted[0] != len(texts):
            raise ValueError(f"{len(texts)} texts but {counted[0]} passages")
        if not texts:
            return cls(None, 0, counted)
        model = bm25s.BM25()
        model.index(keyword_tokens(texts), show_progress=False)
        return cls(model, len(texts), counted)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self._model is not None:
            self._model.save(str(directory), allow_pickle=False, show_progress=False)
        if self.term_frequencies is not None:
            documents, frequency = self.term_frequencies
            data = {"passages": documents, "frequency": dict(sorted(frequency.items()))}
            (directory / TERMS).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")

    @classmethod
    def load(cls, directory: Path, n: int) -> KeywordIndex:
        """Raises OSError/ValueError when the saved files are missing or unreadable."""
        import bm25s

        counted = _load_terms(directory / TERMS, n)
        if n == 0:
            return cls(None, 0, counted)
        model = bm25s.BM25.load(str(directory), allow_pickle=False, show_progress=False)
        if model.scores.get("num_docs") != n:
            raise ValueError(f"the keyword index holds {model.scores.get('num_docs')} passages, not {n}")
        return cls(model, n, counted)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (zeros when no query term is in the library)."""
        tokens = keyword_tokens([query])[0]
        ids = self._model.get_tokens_ids(tokens) if self._model is not None else []
        if not ids:
            return np.zeros(self.n, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)


def _load_terms(file: Path, n: int) -> tuple[int, Counter[str]] | None:
    """The saved term counts, None if there are none (a library built before they were saved)."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return None
    data = json.loads(raw)
    frequency = data["frequency"]
    if data["passages"] != n or not isinstance(frequency, dict):
        raise ValueError(f"{file.name} counts terms over {data['passages']} passages, not {n}")
    return n, Counter(frequency)
