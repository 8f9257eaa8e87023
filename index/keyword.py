"""The keyword index: bm25s over the passages, with English stopwords removed and Snowball stemming.

Saved with bm25s's own `save` (JSON vocabulary and parameters, `.npy` score arrays, `allow_pickle=False`),
so loading never unpickles anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

KEYWORD_DIR = "bm25"


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
    """BM25 scores over `n` passages (row i is FAISS row i); an empty library has no bm25s model at all."""

    def __init__(self, model: Any, n: int) -> None:
        self._model = model
        self.n = n

    @classmethod
    def build(cls, texts: Sequence[str]) -> KeywordIndex:
        import bm25s

        if not texts:
            return cls(None, 0)
        model = bm25s.BM25()
        model.index(keyword_tokens(texts), show_progress=False)
        return cls(model, len(texts))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self._model is not None:
            self._model.save(str(directory), allow_pickle=False, show_progress=False)

    @classmethod
    def load(cls, directory: Path, n: int) -> KeywordIndex:
        """Raises OSError/ValueError when the saved files are missing or unreadable."""
        import bm25s

        if n == 0:
            return cls(None, 0)
        model = bm25s.BM25.load(str(directory), allow_pickle=False, show_progress=False)
        if model.scores.get("num_docs") != n:
            raise ValueError(f"the keyword index holds {model.scores.get('num_docs')} passages, not {n}")
        return cls(model, n)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (zeros when no query term is in the library)."""
        tokens = keyword_tokens([query])[0]
        ids = self._model.get_tokens_ids(tokens) if self._model is not None else []
        if not ids:
            return np.zeros(self.n, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)
